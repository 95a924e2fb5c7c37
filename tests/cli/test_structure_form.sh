#!/bin/sh
# A form of the structure (scope: structure) made by YAML alone (tests/data/structure_form):
# entered without a patient, listed, edited, deleted as the roles allow, exported without a
# pseudonym column, imported at a region (replacing what the region held of the structure) and
# reported, every figure equal to an independent SQL count, at the structure and at the region.
. "$TESTS/cli/lib.sh"
need sqlite3 python3
SEVENZ=$(command -v 7zz || command -v 7z) || { skip "7-Zip absent"; finish; }
printf "ocre-falaise-tamis-grenat-lucarne-fjord-96\n" >"$tmp/pass"
chmod 600 "$tmp/pass"

forms="$tmp/forms"
mkdir "$forms"
cp "$SRC"/forms/*.yaml "$TESTS/data/structure_form/atelier.yaml" "$forms/"
export RECUEIL_FORMS="$forms"
me=$(id -un)

# ---------------------------------------------------------------- what forms check refuses
bad="$tmp/bad"
mkdir "$bad"
sed 's/^      - id: participants$/      - id: animatrice\n        type: text\n        label: Nom\n        identifier: true\n      - id: participants/' \
	"$TESTS/data/structure_form/atelier.yaml" >"$bad/atelier.yaml"
run forms check "$bad/atelier.yaml"
expect_rc "an identity field in a structure's form is refused" 65
expect_contains "at its place, saying why" "$err" "atelier.yaml:22:9: champ « animatrice » : identifier: true impossible dans un formulaire de la structure"
sed 's/show_if: "theme = .tabac."/show_if: "patient.sexe = '"'F'"'"/' "$TESTS/data/structure_form/atelier.yaml" >"$bad/atelier.yaml"
run forms check "$bad/atelier.yaml"
expect_rc "patient.<field> in a structure's form is refused" 65
expect_contains "named in the expression" "$err" "« patient.sexe » : un formulaire de la structure (scope: structure) ne concerne aucun patient"
sed 's/^scope: structure$/scope: structure\ncardinality: once/' "$TESTS/data/structure_form/atelier.yaml" >"$bad/atelier.yaml"
run forms check "$bad/atelier.yaml"
expect_rc "cardinality: once with scope: structure is refused" 65

# ---------------------------------------------------------------- entered at structure A
A="$tmp/a.db"
REG="$tmp/region.db"
RECUEIL_DB=$A run init --structure MS-A --name "Structure A"
expect_rc "init A" 0
RECUEIL_DB=$A run user add saisie1 --role saisie
P=$(RECUEIL_DB=$A $RECUEIL patient add sexe=F annee_naissance=1980)
add() { RECUEIL_DB=$A run entry add atelier "$@"; }
add --date 2026-03-10 theme=tabac participants=8 animateurs="medecin psychologue" tabac_substituts=1
expect_rc "entry add FORM without a patient" 0
E1=$out
add --date 2026-03-24 theme=alcool participants=5 animateurs=psychologue
E2=$out
add --date 2026-04-02 --set theme=sommeil --set participants=12
expect_rc "the values given with --set" 0
E3=$out
RECUEIL_AS_USER=saisie1 RECUEIL_DB=$A run entry add atelier --date 2026-04-20 theme=tabac participants=3
expect_rc "a saisie user enters one too" 0
E4=$out
add --date 2026-05-05 --draft theme=alcool participants=2
expect_rc "a draft is kept" 0

RECUEIL_DB=$A run entry add "$P" atelier theme=tabac participants=3
expect_rc "a structure's form is refused for a patient" 64
expect_contains "saying how to enter it" "$err" "recueil entry add atelier"
RECUEIL_AS_USER=inconnu RECUEIL_DB=$A run entry add atelier theme=tabac participants=3
expect_rc "an unregistered login may not enter one" 77

RECUEIL_DB=$A run entry show "$E1"
expect_eq "entry show: values and the calculated field" "$out" "theme=tabac
participants=8
animateurs=medecin psychologue
tabac_substituts=1
heures_animation=3.0"
RECUEIL_DB=$A run entry list --form atelier
expect_rc "entry list --form" 0
expect_eq "every entry listed, by date, with its summary" "$(printf '%s\n' "$out" | cut -f2,4,5)" "2026-03-10	complete	Atelier Tabac, 8 participants
2026-03-24	complete	Atelier Alcool, 5 participants
2026-04-02	complete	Atelier Sommeil, 12 participants
2026-04-20	complete	Atelier Tabac, 3 participants
2026-05-05	draft	Atelier Alcool, 2 participants"
RECUEIL_DB=$A run entry list "$P"
expect_lacks "a patient's entries do not include the structure's" "$out" "atelier"

RECUEIL_DB=$A run entry edit "$E2" participants=6
expect_rc "entry edit" 0
RECUEIL_DB=$A run log
expect_contains "the audit trail has the change, without a patient" "$out" "atelier $(printf %.8s "$E2")  participants : 5 → 6"
RECUEIL_AS_USER=saisie1 RECUEIL_DB=$A run entry delete "$E4"
expect_rc "a saisie user may not delete one" 77
RECUEIL_DB=$A run entry delete "$E3"
expect_rc "the admin deletes one" 0

# ---------------------------------------------------------------- exported, imported
RECUEIL_DB=$A run export --period 2026-T2 --out "$tmp/a1.zip" --passphrase-file "$tmp/pass" --accept-issues test
expect_rc "export" 0
mkdir "$tmp/x1"
(cd "$tmp/x1" && "$SEVENZ" x -p"$(cat "$tmp/pass")" "$tmp/a1.zip" >/dev/null)
expect_eq "the CSV: structure first, no pseudonym, the non-draft entries up to the period's end" \
	"$(python3 -c 'import csv, sys
want = ["structure", "entry_id", "entry_date", "theme", "participants", "animateurs", "tabac_substituts", "heures_animation"]
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
print("pseudonym" in rows[0] and "pseudonym!" or "", end="")
for r in rows:
    print(",".join(r[rows[0].index(c)] for c in want))' "$tmp/x1/atelier.csv")" \
	"structure,entry_id,entry_date,theme,participants,animateurs,tabac_substituts,heures_animation
MS-A,$E1,2026-03-10,tabac,8,medecin psychologue,1,3.0
MS-A,$E2,2026-03-24,alcool,6,psychologue,,1.5
MS-A,$E4,2026-04-20,tabac,3,,,"
expect_contains "codebook rows for its fields" "$(grep '^atelier,1,participants,' "$tmp/x1/codebook.csv")" "atelier,1,participants,Participants"
expect_eq "the codebook has no pseudonym row for it" "$(grep -c '^atelier,1,pseudonym,' "$tmp/x1/codebook.csv")" 0

RECUEIL_DB=$REG run init --region REGION
RECUEIL_DB=$A $RECUEIL structure key >"$tmp/key.txt"
RECUEIL_DB=$REG run structure enrol MS-A "$tmp/key.txt"
expect_rc "the region enrols the structure's key" 0
RECUEIL_DB=$REG run import --passphrase-file "$tmp/pass" "$tmp/a1.zip"
expect_rc "import at the region" 0
RECUEIL_DB=$REG run entry list --form atelier
expect_eq "the region lists the same entries" "$(printf '%s\n' "$out" | cut -f1,2,5)" \
	"$(RECUEIL_DB=$A $RECUEIL entry list --form atelier | grep -v '	draft	' | cut -f1,2,5)"
expect_eq "under the structure's code, without a patient" \
	"$(sqlite3 "$REG" "SELECT DISTINCT structure, patient_id IS NULL FROM entries WHERE form = 'atelier'")" "MS-A|1"

# A later snapshot replaces what the region holds: one deleted, one changed, one added.
RECUEIL_DB=$A run entry delete "$E4"
RECUEIL_DB=$A run entry edit "$E1" participants=9
RECUEIL_DB=$A run entry add atelier --date 2026-06-15 theme=sommeil participants=7 animateurs=medecin
E5=$out
RECUEIL_DB=$A run export --period 2026-T2 --out "$tmp/a2.zip" --passphrase-file "$tmp/pass" --accept-issues test
RECUEIL_DB=$REG run import --passphrase-file "$tmp/pass" "$tmp/a2.zip"
expect_rc "the next snapshot imported" 0
expect_eq "the region holds the structure's entries as they now are" \
	"$(sqlite3 "$REG" "SELECT e.uuid, f.participants FROM entries e JOIN form_atelier f ON f.entry_id = e.id ORDER BY e.date")" \
	"$E1|9
$E2|6
$E5|7"

# ---------------------------------------------------------------- reported
# Each figure of the report equals a count made here in SQL, at the structure and at the region.
sql_figures() {
	sqlite3 -separator , "$1" "
	WITH m(mois) AS (VALUES ('2026-04'), ('2026-05'), ('2026-06')),
	e AS (SELECT e.date, f.* FROM entries e JOIN form_atelier f ON f.entry_id = e.id
	      WHERE e.form = 'atelier' AND e.status <> 'draft' AND e.date BETWEEN '2026-04-01' AND '2026-06-30')
	SELECT 'atelier_mois', mois, (SELECT count(*) FROM e WHERE substr(date, 1, 7) = mois) FROM m
	UNION ALL SELECT 'atelier_mois', 'total', count(*) FROM e
	UNION ALL SELECT 'atelier_theme', 'sommeil', count(*) FROM e WHERE theme = 'sommeil'
	UNION ALL SELECT 'atelier_animateurs', 'medecin', count(*) FROM e WHERE ' ' || animateurs || ' ' LIKE '% medecin %'
	UNION ALL SELECT 'atelier_nombres', 'participants', sum(participants) FROM e;"
}
report_figures() {
	RECUEIL_DB=$1 $RECUEIL report --period 2026-T2 --format csv | tr -d '\r' |
		awk -F, '$1 == "MS-A" && (($3 == "atelier_mois") || ($3 == "atelier_theme" && $4 == "sommeil") ||
			($3 == "atelier_animateurs" && $4 == "medecin") || ($3 == "atelier_nombres" && $4 == "participants")) { print $3 "," $4 "," $5 }'
}
want=$(sql_figures "$A")
expect_eq "the structure's report equals the SQL count" "$(report_figures "$A")" "$want"
expect_eq "the region's report equals it too" "$(report_figures "$REG")" "$want"
expect_eq "and the SQL count at the region is the same" "$(sql_figures "$REG")" "$want"
expect_contains "the report's text names the form" "$(RECUEIL_DB=$A $RECUEIL report --period 2026-T2)" "Atelier collectif : nombre par mois"

finish
