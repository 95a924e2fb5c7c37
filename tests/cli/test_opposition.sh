#!/bin/sh
# test_opposition.sh — the patient's information and opposition, and the yearly package.
# « recueil patient inform|oppose »: dates checked, acts in the audit trail; the export's check
# lists the patients never informed (refused without --accept-issues, listed in the manifest when
# accepted); an opposed patient has no row in any CSV of the next export and, once it is imported,
# is gone from the region, whose figures stay the structure's; a withdrawn opposition brings them
# back. The package of the report (text and CSV, structure and region) equals an independent SQL
# count on the demo database, the opposed patients counted apart, locally only.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. Needs sqlite3 and unzip.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"
need sqlite3 unzip

S="$tmp/ms.db"
REG="$tmp/region.db"
X="$tmp/archives"
mkdir "$X"
printf 'Phrase-De-Passe-Du-Reseau-2026\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
PERIOD=2026-T4
s() { sqlite3 "$S" "$1"; }
r() { sqlite3 "$REG" "$1"; }

on "$S" init --structure MS-OPP --name "Microstructure"
on "$S" demo --patients 40 --seed 4
expect_rc "démo" 0
on "$REG" init --region REG --name "Région"
RECUEIL_DB="$S" "$RECUEIL" structure key >"$tmp/key.txt" 2>/dev/null
on "$REG" structure enrol MS-OPP "$tmp/key.txt"
expect_rc "la région inscrit la structure" 0

# ---------------------------------------------------------------- the demo
expect_true "la démo informe la plupart des patients" \
	test "$(s "SELECT count(*) FROM patients WHERE informed_on IS NOT NULL")" -ge 30
expect_true "la démo a des patients opposés" \
	test "$(s "SELECT count(*) FROM patients WHERE opposed_on IS NOT NULL")" -ge 1

# ---------------------------------------------------------------- the check lists the uninformed
UNINFORMED=$(s "SELECT pseudonym FROM patients p WHERE informed_on IS NULL AND opposed_on IS NULL AND EXISTS (SELECT 1 FROM entries e WHERE e.patient_id = p.id AND e.status <> 'draft' AND e.date <= '2026-12-31') ORDER BY pseudonym")
expect_true "la démo laisse des patients jamais informés" test -n "$UNINFORMED"
on "$S" export --period "$PERIOD" --out "$X/refused.zip" --passphrase-file "$tmp/pass"
expect_rc "export refusé sans --accept-issues" 65
for p in $UNINFORMED; do
	expect_contains "le patient jamais informé $p est listé" "$err" "patient $p  information"
done
expect_eq "autant de patients listés que jamais informés" \
	"$(printf '%s\n' "$err" | grep -c "patient jamais informé")" "$(printf '%s\n' $UNINFORMED | grep -c .)"
on "$S" export --period "$PERIOD" --out "$X/e1.zip" --passphrase-file "$tmp/pass" --accept-issues "test"
expect_rc "export accepté" 0
on "$S" verify "$X/e1.zip" --passphrase-file "$tmp/pass"
expect_eq "le manifeste liste les patients jamais informés" \
	"$(printf '%s\n' "$out" | grep "^issue: uninformed" | sed 's/.*pseudonym=\([^ ]*\).*/\1/' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' $UNINFORMED | sort | tr '\n' ' ')"

# ---------------------------------------------------------------- inform
FIRST=$(printf '%s\n' $UNINFORMED | head -n 1)
on "$S" patient inform "$FIRST" --date 2027-01-01
expect_rc "une date dans le futur est refusée" 65
on "$S" patient inform "$FIRST" --date 2026-13-01
expect_rc "une date impossible est refusée" 65
on "$S" patient inform "$FIRST" --dat 2026-11-01
expect_rc "les options sont exactes (--dat refusé)" 64
on "$S" patient inform ABCDEFGH
expect_rc "un pseudonyme inconnu" 66
on "$S" patient inform "$FIRST" --date 2026-11-02
expect_rc "information notée" 0
expect_eq "message" "$out" "patient $FIRST : informé le 2026-11-02"
expect_eq "la base garde le jour et qui" "$(s "SELECT informed_on || ' ' || informed_by FROM patients WHERE pseudonym = '$FIRST'")" \
	"2026-11-02 $(id -un)"
expect_contains "l'information est au journal" "$(RECUEIL_DB="$S" "$RECUEIL" log)" \
	"patient $FIRST information du patient sur l'usage de ses données, le 2026-11-02"
on "$S" export --period "$PERIOD" --out "$X/refused2.zip" --passphrase-file "$tmp/pass"
expect_lacks "le patient informé n'est plus listé" "$err" "patient $FIRST  information"

# ---------------------------------------------------------------- a first snapshot at the region
on "$REG" import --passphrase-file "$tmp/pass" "$X/e1.zip"
expect_rc "import du premier export" 0
# V: a patient informed, not opposed, with contacts done in 2026.
V=$(s "SELECT p.pseudonym FROM patients p JOIN entries e ON e.patient_id = p.id JOIN form_contact f ON f.entry_id = e.id WHERE p.opposed_on IS NULL AND p.informed_on IS NOT NULL AND f.statut = 'realise' AND e.status <> 'draft' AND e.date >= '2026-01-01' GROUP BY p.id ORDER BY p.id LIMIT 1")
expect_eq "V est à la région" "$(r "SELECT count(*) FROM patients WHERE pseudonym = '$V'")" 1
OPPOSED_DEMO=$(s "SELECT pseudonym FROM patients WHERE opposed_on IS NOT NULL")
for p in $OPPOSED_DEMO; do
	expect_eq "un patient opposé de la démo n'est pas à la région ($p)" \
		"$(r "SELECT count(*) FROM patients WHERE pseudonym = '$p'")" 0
done

# ---------------------------------------------------------------- oppose
on "$S" patient oppose "$V" --date 2026-11-10
expect_rc "opposition notée" 0
expect_contains "message" "$out" "patient $V : opposé le 2026-11-10 (noté par $(id -un))"
on "$S" patient oppose "$V"
expect_rc "une seconde fois : rien à faire" 0
expect_contains "… et le dit" "$out" "déjà opposé le 2026-11-10"
on "$S" patient oppose "$V" --withdraw --date 2026-11-11
expect_rc "--withdraw et --date ensemble : refusé" 64
expect_contains "l'opposition est au journal" "$(RECUEIL_DB="$S" "$RECUEIL" log)" \
	"patient $V opposition du patient à l'usage de ses données pour l'évaluation, le 2026-11-10"
expect_true "V garde ses entrées à la structure (ses soins)" \
	test "$(s "SELECT count(*) FROM entries e JOIN patients p ON p.id = e.patient_id WHERE p.pseudonym = '$V'")" -gt 0

on "$S" export --period "$PERIOD" --out "$X/e2.zip" --no-encrypt --accept-issues "test"
expect_rc "second export" 0
mkdir "$tmp/e2"
(cd "$tmp/e2" && unzip -q ../archives/e2.zip)
expect_eq "aucune ligne de V dans aucun CSV" "$(cat "$tmp"/e2/*.csv | grep -c "$V")" 0
VUUIDS=$(s "SELECT uuid FROM entries e JOIN patients p ON p.id = e.patient_id WHERE p.pseudonym = '$V'")
for u in $VUUIDS; do
	grep -q "$u" "$tmp/e2/alerts.csv" && fail "une alerte de V est dans l'export ($u)"
done
pass
on "$REG" import --allow-plain "$X/e2.zip"
expect_rc "import du second export" 0
expect_eq "V n'est plus à la région" "$(r "SELECT count(*) FROM patients WHERE pseudonym = '$V'")" 0
expect_eq "… ni ses entrées" \
	"$(r "SELECT count(*) FROM entries WHERE uuid IN ($(printf "'%s'," $VUUIDS)'')")" 0
expect_eq "la région a toutes les entrées des autres patients" \
	"$(r "SELECT count(*) FROM entries")" \
	"$(s "SELECT count(*) FROM entries e LEFT JOIN patients p ON p.id = e.patient_id WHERE e.status <> 'draft' AND p.opposed_on IS NULL")"

# The figures: the region's lines of MS-OPP are the structure's CSV report (the package too).
report() {
	RECUEIL_DB="$1" "$RECUEIL" report --period "$2" --format csv --no-mask 2>/dev/null | tail -n +2 |
		tr -d '\r' | cut -d, -f1-6
}
for p in 2026 2025 2026-T4; do
	report "$S" "$p" >"$tmp/own.csv"
	report "$REG" "$p" | grep "^MS-OPP," >"$tmp/reg.csv"
	if [ "$(grep -c . "$tmp/own.csv")" -gt 20 ] && cmp -s "$tmp/own.csv" "$tmp/reg.csv"; then
		pass
	else
		fail "$p : les chiffres de la région diffèrent de ceux de la structure" \
			"$(diff "$tmp/own.csv" "$tmp/reg.csv" | head -8)"
	fi
done

# ---------------------------------------------------------------- the package
# reporting.yaml: at least 1 contact a year, statut realise, by a doctor, psychologist, social
# worker, psychiatrist or nurse. Counted here without the program.
package_sql() { # YEAR OPPOSED(0|1)
	s "SELECT count(*) FROM patients p WHERE (p.opposed_on IS NOT NULL) = $2 AND (SELECT count(*) FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.patient_id = p.id AND e.status <> 'draft' AND e.date BETWEEN '$1-01-01' AND '$1-12-31' AND f.statut = 'realise' AND f.intervenant IN ('medecin', 'psychologue', 'travailleur_social', 'psychiatre', 'infirmier')) >= 1"
}
for y in 2025 2026; do
	want=$(package_sql "$y" 0)
	opposed=$(package_sql "$y" 1)
	expect_true "$y : des patients au forfait" test "$want" -gt 5
	expect_eq "$y : le forfait de la structure (CSV) est le compte SQL" \
		"$(report "$S" "$y" | grep "^MS-OPP,$y,forfait_annuel,${y}_patients," | cut -d, -f5)" "$want"
	expect_eq "$y : son montant, 400 € par patient" \
		"$(report "$S" "$y" | grep "^MS-OPP,$y,forfait_annuel,${y}_montant," | cut -d, -f5)" "$((want * 400)).00"
	expect_eq "$y : celui de la région aussi" \
		"$(report "$REG" "$y" | grep "^MS-OPP,$y,forfait_annuel,${y}_patients," | cut -d, -f5)" "$want"
	text=$(RECUEIL_DB="$S" "$RECUEIL" report --period "$y" 2>/dev/null)
	expect_contains "$y : le texte donne le forfait" "$text" "MS-OPP : $want patient(s)"
	if [ "$opposed" -gt 0 ]; then
		expect_contains "$y : les patients opposés comptés à part, localement" "$text" \
			"en plus, $opposed patient(s) opposé(s)"
	fi
	expect_lacks "$y : jamais à la région" "$(RECUEIL_DB="$REG" "$RECUEIL" report --period "$y" 2>/dev/null)" \
		"opposé(s) ("
done
text=$(RECUEIL_DB="$S" "$RECUEIL" report --period 2026 2>/dev/null)
expect_contains "le rapport compte les patients informés et opposés" "$text" \
	"$(s "SELECT count(*) FROM patients") patient(s) de la structure : $(s "SELECT count(*) FROM patients WHERE informed_on IS NOT NULL") informé(s)"
expect_contains "… et les opposés" "$text" "$(s "SELECT count(*) FROM patients WHERE opposed_on IS NOT NULL") opposé(s)."
expect_lacks "ce paragraphe ne part pas (CSV)" "$(report "$S" 2026)" "opposé"

# ---------------------------------------------------------------- withdrawn
on "$S" patient oppose "$V" --withdraw
expect_rc "opposition retirée" 0
expect_contains "le retrait est au journal" "$(RECUEIL_DB="$S" "$RECUEIL" log)" "patient $V retrait de l'opposition"
on "$S" export --period "$PERIOD" --out "$X/e3.zip" --no-encrypt --accept-issues "test"
on "$REG" import --allow-plain "$X/e3.zip"
expect_rc "import du troisième export" 0
expect_eq "V revient à la région" "$(r "SELECT count(*) FROM patients WHERE pseudonym = '$V'")" 1

# A regional database records no information nor opposition.
on "$REG" patient oppose "$V"
expect_rc "refusé dans une base régionale" 64
finish
