#!/bin/sh
# test_regional.sh — a region's figures for a structure are the structure's own figures, as the
# evaluation's data manager checks them: two demo structures export, a region imports; then,
# at the structures, entries are edited, moved out of the period (entry edit --date), deleted,
# patients erased, new patients and entries added, alerts acknowledged; several exports are made,
# one is never imported, one arrives after a newer one (refused as older: nothing changes). After
# each import, for the exported period, earlier ones and the years, the regional report filtered
# on each structure (report --format csv --no-mask) equals the structure's own report. A regional
# export imported into a national database gives the same figures again, and every CSV of an
# export starts with the structure column.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. POSIX sh; needs sqlite3 (to pick the entries to
# change) and unzip (to read the CSVs), else it cannot run (exit 77).
. "$TESTS/cli/lib.sh"
R=$RECUEIL
umask 077
for tool in sqlite3 unzip; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "$tool absent : test impossible" >&2
		exit 77
	}
done

SA="$tmp/ms-a.db"
SB="$tmp/ms-b.db"
REG="$tmp/region.db"
NAT="$tmp/national.db"
X="$tmp/archives"
mkdir "$X"
printf 'Phrase-De-Passe-Du-Reseau-2026\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
PERIOD=2026-T4 # the period of the deadline: its last day (2026-12-31) is after every entry
PERIODS="2026-T4 2026-T3 2026-S1 2025 2026"

# on DB ARGS… — recueil on database DB; sets rc, out, err.
on() {
	db=$1
	shift
	RECUEIL_DB="$db" run "$@"
}
sa() { sqlite3 "$SA" "$1"; }

# export_as DB NAME — an encrypted export of PERIOD into $X/NAME.zip.
export_as() {
	on "$1" export --period "$PERIOD" --out "$X/$2.zip" --passphrase-file "$tmp/pass" --accept-issues "test"
	expect_rc "export $2" 0
}

# import_into DB NAME… — import archives; sets rc, out, err.
import_into() {
	db=$1
	shift
	set -- $(for n in "$@"; do printf '%s ' "$X/$n.zip"; done)
	on "$db" import --passphrase-file "$tmp/pass" "$@"
}

# report DB PERIOD — the report's CSV lines, header aside: the figures (structure, period,
# indicator, category, value, masked), without the columns a regional report adds to say which
# export each structure's figures come from.
report() {
	RECUEIL_DB="$1" "$R" report --period "$2" --format csv --no-mask 2>/dev/null | tail -n +2 |
		tr -d '\r' | cut -d, -f1-6
}

# same_figures WHEN DB — for every structure and every period, DB's report lines of the
# structure are the structure's own report.
same_figures() {
	when=$1 db=$2
	for s in A B; do
		eval "src=\$S$s"
		code=MS-$s
		for p in $PERIODS; do
			report "$src" "$p" >"$tmp/own.csv"
			report "$db" "$p" | grep "^$code," >"$tmp/reg.csv"
			if [ "$(grep -c . "$tmp/own.csv")" -lt 20 ]; then
				fail "$when : le rapport $p de $code est presque vide" "$(cat "$tmp/own.csv")"
			elif cmp -s "$tmp/own.csv" "$tmp/reg.csv"; then
				pass
			else
				fail "$when : $code, $p : les chiffres de $(basename "$db") diffèrent de ceux de la structure" \
					"$(diff "$tmp/own.csv" "$tmp/reg.csv" | head -8)"
			fi
		done
	done
}

# ---------------------------------------------------------------- two structures, one region
on "$SA" init --structure MS-A --name "Microstructure A"
on "$SA" demo --patients 40 --seed 1
expect_rc "40 patients fictifs à MS-A" 0
on "$SB" init --structure MS-B --name "Microstructure B"
on "$SB" demo --patients 40 --seed 2
expect_rc "40 patients fictifs à MS-B" 0
on "$REG" init --region REG-EST --name "Coordination régionale Est"
on "$NAT" init --region NATIONAL --name "Coordination nationale"
# enrol DB SOURCE — DB registers the signing key of the database SOURCE under its code.
enrol() {
	RECUEIL_DB="$2" "$R" structure key >"$tmp/key.txt" 2>/dev/null
	on "$1" structure enrol "$(sqlite3 "$2" "SELECT code FROM structure")" "$tmp/key.txt"
	expect_rc "$(basename "$1") inscrit la clé de $(basename "$2")" 0
}
enrol "$REG" "$SA"
enrol "$REG" "$SB"
enrol "$NAT" "$REG"

export_as "$SA" a1
export_as "$SB" b1
import_into "$REG" a1 b1
expect_rc "la région importe les premiers exports" 0
same_figures "premiers exports" "$REG"
expect_true "les alertes comptent à la région comme à la structure" \
	[ "$(report "$REG" 2026 | grep -c '^MS-A,2026,alertes,total,[1-9]')" -eq 1 ]

# ---------------------------------------------------------------- what happens at a structure
# A contact of the period edited; another moved out of the period; an AUDIT deleted; a patient
# erased; an HCV test result corrected; an alert acknowledged.
C1=$(sa "SELECT uuid FROM entries WHERE form = 'contact' AND status = 'complete' AND date >= '2026-10-01' ORDER BY id LIMIT 1")
C2=$(sa "SELECT uuid FROM entries WHERE form = 'contact' AND status = 'complete' AND date >= '2026-10-01' ORDER BY id DESC LIMIT 1")
AU=$(sa "SELECT uuid FROM entries WHERE form = 'audit' AND date >= '2026-07-01' ORDER BY id LIMIT 1")
GONE=$(sa "SELECT p.pseudonym FROM patients p JOIN entries e ON e.patient_id = p.id WHERE e.form = 'contact' AND e.date >= '2026-10-01' AND p.id NOT IN (SELECT patient_id FROM entries WHERE uuid IN ('$C1', '$C2', '$AU')) ORDER BY p.id DESC LIMIT 1")
on "$SA" entry edit "$C1" duree_min=95
expect_rc "MS-A corrige un contact" 0
on "$SA" entry edit "$C2" --date 2026-08-10
expect_rc "MS-A déplace un contact de T4 en T3" 0
on "$SA" entry delete "$AU"
expect_rc "MS-A supprime un AUDIT" 0
on "$SA" patient delete "$GONE" --yes
expect_rc "MS-A efface un patient" 0
ALERT=$(sa "SELECT a.id FROM alerts a JOIN entries e ON e.id = a.entry_id WHERE a.acknowledged_at IS NULL AND e.status <> 'draft' ORDER BY a.id LIMIT 1")
on "$SA" alert ack "$ALERT"
expect_rc "MS-A prend une alerte en compte" 0
# A new patient entered at the deadline, included in T3, screened positive for HCV in 2025
# (cumulative indicators need what comes before the period), with an AUDIT that raises an alert.
on "$SA" patient add sexe=F annee_naissance=1980 date_inclusion=2026-09-15
NEW=$out
on "$SA" entry add "$NEW" contact --date 2026-09-15 intervenant=medecin type_contact=cabinet duree_min=30 statut=realise
on "$SA" entry add "$NEW" contact --date 2026-10-20 intervenant=psychologue type_contact=cabinet duree_min=45 statut=realise
on "$SA" entry add "$NEW" hcv --date 2025-05-10 evenement=test virus=vhc type_test=trod propose=realise resultat=positif
expect_rc "un test VHC de 2025 pour le nouveau patient" 0
on "$SA" entry add "$NEW" audit --date 2026-10-21 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4
expect_rc "un AUDIT en zone IV pour le nouveau patient" 0
export_as "$SA" a2
import_into "$REG" a2
expect_rc "la région importe le deuxième export de MS-A" 0
expect_contains "compte rendu de l'import" "$out" "structure MS-A, export n° 2"
expect_eq "le contact déplacé l'est aussi à la région" \
	"$(sqlite3 "$REG" "SELECT date FROM entries WHERE uuid = '$C2'")" 2026-08-10
expect_eq "l'AUDIT supprimé l'est à la région" "$(sqlite3 "$REG" "SELECT count(*) FROM entries WHERE uuid = '$AU'")" 0
expect_eq "le patient effacé n'est plus à la région" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM patients WHERE pseudonym = '$GONE' AND structure = 'MS-A'")" 0
expect_eq "la prise en compte de l'alerte est arrivée" \
	"$(sqlite3 "$REG" "SELECT count(*) FROM alerts a JOIN entries e ON e.id = a.entry_id JOIN patients p ON p.id = e.patient_id WHERE p.structure = 'MS-A' AND a.acknowledged_at IS NOT NULL")" 1
same_figures "après corrections, déplacement, suppression, effacement et ajouts" "$REG"

# ---------------------------------------------------------------- exports skipped, and late
on "$SA" entry edit "$C1" duree_min=20
export_as "$SA" a3
on "$SB" entry delete "$(sqlite3 "$SB" "SELECT uuid FROM entries WHERE form = 'contact' AND date >= '2026-07-01' ORDER BY id LIMIT 1")"
export_as "$SB" b2
import_into "$REG" a3 b2
expect_rc "la région importe le troisième export de MS-A et le deuxième de MS-B" 0
same_figures "troisième export" "$REG"
on "$SA" entry add "$NEW" contact --date 2026-11-02 intervenant=medecin type_contact=telephone duree_min=10 statut=realise
export_as "$SA" a4 # never imported before a5
on "$SA" entry edit "$C2" --date 2025-03-03
on "$SA" entry delete "$(sa "SELECT uuid FROM entries WHERE form = 'hcv' ORDER BY id LIMIT 1")"
export_as "$SA" a5
import_into "$REG" a5
expect_rc "la région importe le cinquième export sans le quatrième" 0
expect_contains "l'export sauté est signalé" "$out" "export n° 4 jamais importé"
same_figures "export 4 sauté" "$REG"
sqlite3 "$REG" .dump >"$tmp/before.sql"
import_into "$REG" a4
expect_rc "l'export 4 arrivé après le 5 : rien à faire (0)" 0
expect_contains "l'export 4 est dit plus ancien" "$out" \
	"a4.zip : structure MS-A : export n° 5 du "
expect_contains "l'export 4 : rien n'a changé" "$out" "celui-ci (n° 4) est plus ancien : rien n'a changé"
sqlite3 "$REG" .dump >"$tmp/after.sql"
if cmp -s "$tmp/before.sql" "$tmp/after.sql"; then pass; else
	fail "l'export plus ancien a changé la base régionale" "$(diff "$tmp/before.sql" "$tmp/after.sql" | head -5)"
fi
same_figures "export 4 arrivé en retard" "$REG"
expect_eq "journal des imports : instantanés, périodes, exports retenus" \
	"$(sqlite3 "$REG" "SELECT structure || ' ' || sequence || ' ' || content || ' ' || period_first || '..' || period_last || ' ' || period_complete FROM import_log ORDER BY structure, sequence")" \
	"MS-A 1 snapshot 2026-10-01..2026-12-31 0
MS-A 2 snapshot 2026-10-01..2026-12-31 0
MS-A 3 snapshot 2026-10-01..2026-12-31 0
MS-A 5 snapshot 2026-10-01..2026-12-31 0
MS-B 1 snapshot 2026-10-01..2026-12-31 0
MS-B 2 snapshot 2026-10-01..2026-12-31 0"

# ---------------------------------------------------------------- the national level
on "$REG" export --period "$PERIOD" --out "$X/r1.zip" --passphrase-file "$tmp/pass" --accept-issues "test"
expect_rc "la région exporte pour le niveau national" 0
on "$NAT" verify "$X/r1.zip" --passphrase-file "$tmp/pass"
expect_contains "manifeste régional : le code de la région" "$out" "structure_code: REG-EST"
expect_contains "manifeste régional : l'export retenu de MS-A" "$out" "structure_snapshot: MS-A export_id="
expect_contains "manifeste régional : son numéro" "$out" "sequence=5 period=2026-T4 complete=no"
expect_contains "manifeste régional : MS-B" "$out" "structure_snapshot: MS-B export_id="
import_into "$NAT" r1
expect_rc "le niveau national importe l'export régional" 0
expect_contains "compte rendu national : MS-A" "$out" "structure MS-A, export n° 5"
same_figures "niveau national" "$NAT"
expect_eq "niveau national : toutes les lignes du rapport régional, total compris" \
	"$(report "$NAT" 2026 | md5sum)" "$(report "$REG" 2026 | md5sum)"
expect_eq "niveau national : chaque structure garde son code, l'export vient de la région" \
	"$(sqlite3 "$NAT" "SELECT structure || ' ' || sequence || ' ' || source FROM import_log ORDER BY structure")" \
	"MS-A 5 REG-EST
MS-B 2 REG-EST"
# A later regional export replaces each structure's snapshot at the national level; the earlier
# one, arriving late, changes nothing.
on "$SA" entry edit "$C1" duree_min=33
on "$SA" patient delete "$NEW" --yes
export_as "$SA" a6
import_into "$REG" a6
same_figures "sixième export" "$REG"
on "$REG" export --period "$PERIOD" --out "$X/r2.zip" --passphrase-file "$tmp/pass" --accept-issues "test"
import_into "$NAT" r2
expect_rc "le niveau national importe le second export régional" 0
same_figures "second export régional" "$NAT"
sqlite3 "$NAT" .dump >"$tmp/before.sql"
import_into "$NAT" r1
expect_rc "le premier export régional, arrivé après : rien à faire (0)" 0
expect_contains "national : MS-A plus ancien" "$out" "structure MS-A : export n° 6 du "
sqlite3 "$NAT" .dump | grep -v -e 'INTO import_log ' -e 'INTO audit_log ' >"$tmp/after.sql"
grep -v -e 'INTO import_log ' -e 'INTO audit_log ' "$tmp/before.sql" >"$tmp/before2.sql"
if cmp -s "$tmp/before2.sql" "$tmp/after.sql"; then pass; else
	fail "l'export régional plus ancien a changé les données nationales" "$(diff "$tmp/before2.sql" "$tmp/after.sql" | head -5)"
fi
same_figures "premier export régional arrivé en retard" "$NAT"

# ---------------------------------------------------------------- the structure column
# check_csvs ZIP CODES — every CSV of the plain archive starts with the structure column, and
# its rows carry only the codes given (all of them, over the archive).
check_csvs() {
	zip=$1 codes=$2
	names=$(unzip -Z1 "$zip" | grep '\.csv$' | grep -v -e '^codebook\.csv$' -e '^seuils\.csv$')
	expect_true "$(basename "$zip") : des CSV de formulaires et alerts.csv" \
		sh -c "[ $(printf '%s\n' "$names" | wc -l) -ge 9 ] && printf '%s\n' '$names' | grep -qx alerts.csv"
	seen=
	for n in $names; do
		head=$(unzip -p "$zip" "$n" | head -1 | tr -d '\r')
		case "$head" in
		structure,*) pass ;;
		*) fail "$(basename "$zip") : $n ne commence pas par la colonne structure" "$head" ;;
		esac
		seen="$seen $(unzip -p "$zip" "$n" | tail -n +2 | cut -d, -f1 | sort -u | tr '\n' ' ')"
	done
	expect_eq "$(basename "$zip") : les codes de structure des lignes" \
		"$(printf '%s\n' $seen | sort -u | tr '\n' ' ')" "$codes "
}
on "$SA" export --period "$PERIOD" --out "$X/a-clair.zip" --no-encrypt --accept-issues "test"
check_csvs "$X/a-clair.zip" "MS-A"
on "$REG" export --period "$PERIOD" --out "$X/r-clair.zip" --no-encrypt --accept-issues "test"
check_csvs "$X/r-clair.zip" "MS-A MS-B"
expect_contains "le codebook décrit la colonne structure" "$(unzip -p "$X/a-clair.zip" LISEZMOI.txt)" \
	"structure (code de la structure du patient)"


# ---------------------------------------------------------------- one pseudonym, two structures
# A pseudonym is unique only within its structure: the same one drawn at MS-A and at MS-B (given
# to MS-B's patient in its file, as a chance draw would) names two patients at the region, and
# in the R and Python loaders of a regional export, where each AUDIT finds its own patient by
# (structure, pseudonym) and each alert its own entry by (structure, entry_id).
on "$SA" patient add sexe=F annee_naissance=1961 date_inclusion=2026-10-01
TA=$out
on "$SB" patient add sexe=M annee_naissance=1999 date_inclusion=2026-10-02
sqlite3 "$SB" "UPDATE patients SET pseudonym = '$TA' WHERE pseudonym = '$out'"
on "$SB" patient list --search "$TA"
expect_contains "le même pseudonyme à MS-A et à MS-B" "$out" "$TA"
TB=$TA
on "$SA" entry add "$TA" audit --date 2026-10-05 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4
expect_rc "AUDIT en zone IV du patient de MS-A" 0
on "$SB" entry add "$TB" audit --date 2026-10-06 q1=0 q9=0 q10=0
expect_rc "AUDIT à 0 du patient de MS-B" 0
export_as "$SA" a-jumeau
export_as "$SB" b-jumeau
import_into "$REG" a-jumeau b-jumeau
expect_rc "la région importe les deux patients de même pseudonyme" 0
expect_eq "la région tient deux patients de ce pseudonyme" \
	"$(sqlite3 "$REG" "SELECT group_concat(structure, ' ') FROM (SELECT structure FROM patients WHERE pseudonym = '$TA' ORDER BY structure)")" \
	"MS-A MS-B"
same_figures "un pseudonyme dans deux structures" "$REG"
on "$REG" export --period "$PERIOD" --out "$X/r-jumeaux.zip" --no-encrypt --accept-issues "test"
expect_rc "export régional non chiffré" 0
mkdir "$tmp/rj" && (cd "$tmp/rj" && unzip -q "$X/r-jumeaux.zip")
expect_rc "export régional extrait" 0
# Each loader prints: patients of the pseudonym; structure:sex:AUDIT total of its AUDITs; the
# structures of its alerts; whether every AUDIT found one patient; acknowledged as integer.
want="2 MS-A:F:40 MS-B:M:0 MS-A oui oui"
if command -v Rscript >/dev/null 2>&1; then
	got=$(cd "$tmp/rj" && TWIN=$TA Rscript -e 'source("lire_recueil.R")
tw <- Sys.getenv("TWIN")
p <- recueil$patient
a <- merge(recueil$audit, p[, c("structure", "pseudonym", "sexe")], by = c("structure", "pseudonym"))
al <- merge(recueil$alertes, recueil$audit[, c("structure", "entry_id", "pseudonym")], by = c("structure", "entry_id"))
j <- a[a$pseudonym == tw, ]
j <- j[order(j$structure), ]
oui <- function(x) if (isTRUE(x)) "oui" else "non"
cat(sum(p$pseudonym == tw), paste(j$structure, j$sexe, j$total, sep = ":"),
    paste(sort(unique(al$structure[al$pseudonym == tw])), collapse = "+"),
    oui(nrow(a) == nrow(recueil$audit) && anyDuplicated(p[, c("structure", "pseudonym")]) == 0),
    oui(is.integer(recueil$alertes$acknowledged)), "\n")' 2>&1 | tail -1)
	expect_eq "R : deux patients de même pseudonyme restent deux, chacun avec son AUDIT et ses alertes" "$got" "$want "
else
	skip "Rscript absent (paquet Debian r-base-core) : chargeur R sur un export régional"
fi
cat >"$tmp/jumeaux.py" <<'PYEOF'
import os, sys
sys.path.insert(0, ".")
import lire_recueil as lr
tw, pandas = os.environ["TWIN"], sys.argv[1] == "pandas"
t = lr.lire(".", pandas=pandas)
oui = lambda x: "oui" if x else "non"
if pandas:
    p, a, al = t["patient"], t["audit"], t["alertes"]
    m = a.merge(p[["structure", "pseudonym", "sexe"]], on=["structure", "pseudonym"], validate="m:1")
    j = m[m.pseudonym == tw].sort_values("structure")
    aj = al.merge(a[["structure", "entry_id", "pseudonym"]], on=["structure", "entry_id"])
    print((p.pseudonym == tw).sum(), *("%s:%s:%g" % r for r in zip(j.structure, j.sexe, j.total)),
          "+".join(sorted(set(aj[aj.pseudonym == tw].structure))), oui(len(m) == len(a)),
          oui(str(al.acknowledged.dtype) == "Int64"))
else:
    patients = {lr.cle(r): r for r in t["patient"]}
    audits = {(r["structure"], r["entry_id"]): r for r in t["audit"]}
    j = sorted((r["structure"], patients[lr.cle(r)]["sexe"], r["total"]) for r in t["audit"]
               if r["pseudonym"] == tw)
    alertes = {s for s, e in ((r["structure"], r["entry_id"]) for r in t["alertes"])
               if (s, e) in audits and audits[(s, e)]["pseudonym"] == tw}
    print(sum(k[1] == tw for k in patients), *("%s:%s:%g" % r for r in j), "+".join(sorted(alertes)),
          oui(len(patients) == len(t["patient"]) and all(lr.cle(r) in patients for r in t["audit"])),
          oui(all(isinstance(r["acknowledged"], int) for r in t["alertes"])))
PYEOF
got=$(cd "$tmp/rj" && TWIN=$TA python3 "$tmp/jumeaux.py" sans-pandas 2>&1 | tail -1)
expect_eq "Python sans pandas : deux patients de même pseudonyme restent deux" "$got" "$want"
PANDAS=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import pandas' 2>/dev/null; then
		PANDAS=$py
		break
	fi
done
if [ -n "$PANDAS" ]; then
	got=$(cd "$tmp/rj" && TWIN=$TA "$PANDAS" "$tmp/jumeaux.py" pandas 2>&1 | tail -1)
	expect_eq "Python avec pandas : deux patients de même pseudonyme restent deux" "$got" "$want"
else
	skip "python3 sans pandas (paquet Debian python3-pandas) : chargeur Python avec pandas"
fi

finish
