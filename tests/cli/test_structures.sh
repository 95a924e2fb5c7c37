#!/bin/sh
# recueil structures: the coordinator's ledger. A structure's own database knows no structure;
# a regional database whose import log is written here row by row (what each import of
# schema 009 records) shows each structure's last export, a gap in the sequence numbers as a
# gap, a structure that never sent as missing, a period not over at the export as partial, and
# who has not sent an export covering the period of the deadline; text at 80 columns and CSV;
# roles and usage errors.
. "$TESTS/cli/lib.sh"
R=$RECUEIL

if ! have_sqlite3; then
	echo "sqlite3 absent : journal des imports non constructible" >&2
	exit 77
fi

# ---------------------------------------------------------------- a structure's own database
$R init --structure MS01 >/dev/null
run structures
expect_rc "a structure's database: exit 0" 0
expect_contains "nothing is known" "$out" "Aucune structure connue"

# ---------------------------------------------------------------- a regional database
export RECUEIL_DB="$tmp/region.db"
$R init --structure REGION-GE >/dev/null
# imported STRUCTURE SEQUENCE PERIOD MADE IMPORTED FIRST LAST COMPLETE: one archive imported
imported() {
	sqlite3 "$RECUEIL_DB" "INSERT INTO import_log(structure, structure_name, export_id, sequence, period,
		exported_at, manifest_sha256, file_name, imported_at, login, rows, added, updated, unchanged,
		older, deleted, period_first, period_last, period_complete, content)
		VALUES ('$1', 'Maison $1', '$1-$2', $2, '$3', '${4}T10:00:00Z', 'x', '$1-$2.zip', '${5}T09:00:00Z',
		'coord', 0, 0, 0, 0, 0, 0, '$6', '$7', $8, 'snapshot')"
}
# enrolled CODE…: the region has enrolled these structures (by hand, as `recueil structure enrol`
# records them where the program has it, else in a table of codes alone).
enrolled() {
	if [ "$(sqlite3 "$RECUEIL_DB" "SELECT count(*) FROM sqlite_schema WHERE name = 'enrolled_structures'")" = 1 ]; then
		for c; do
			sqlite3 "$RECUEIL_DB" "INSERT INTO enrolled_structures(code, public_key, key_id, enrolled_at, enrolled_by)
				VALUES ('$c', 'cle', '0000000000000000', '2026-11-01T00:00:00Z', 'coord')"
		done
	else
		sqlite3 "$RECUEIL_DB" "CREATE TABLE enrolled_structures(code TEXT PRIMARY KEY)"
		for c; do sqlite3 "$RECUEIL_DB" "INSERT INTO enrolled_structures(code) VALUES ('$c')"; done
	fi
}
# MS01 sent 1, 2 and 4 (3 never arrived); 4 is 2026-T4, made on 15/11 before the end of T4.
imported MS01 1 2026-T2 2026-07-05 2026-07-06 2026-04-01 2026-06-30 1
imported MS01 2 2026-T3 2026-10-05 2026-10-06 2026-07-01 2026-09-30 1
imported MS01 4 2026-T4 2026-11-15 2026-11-16 2026-10-01 2026-12-31 0
# MS02 sent T3 only; MS03 a whole year, after its end.
imported MS02 1 2026-T3 2026-10-02 2026-10-03 2026-07-01 2026-09-30 1
imported MS03 1 2026 2027-01-10 2027-01-11 2026-01-01 2026-12-31 1
# MS04 is enrolled and never sent anything.
enrolled MS01 MS04

run structures
expect_rc "regional: exit 0" 0
expect_contains "the deadline proposed as export does" "$out" \
	"Échéance du 31/01/2027 : période 2026-T4 (du 01/10/2026 au 31/12/2026)"
expect_contains "four structures known" "$out" "Structures connues de la base : 4"
row() { printf '%s\n' "$out" | grep "^$1 " | tr -s ' '; }
expect_eq "MS01: its last export, partial for T4" "$(row MS01)" \
	"MS01 4 2026-T4 15/11/2026 16/11/2026 non partielle"
expect_eq "MS02: T3 does not cover T4" "$(row MS02)" "MS02 1 2026-T3 02/10/2026 03/10/2026 oui aucune"
expect_eq "MS03: the year covers T4" "$(row MS03)" "MS03 1 2026 10/01/2027 11/01/2027 oui complète"
expect_eq "MS04: enrolled, never sent" "$(row MS04)" "MS04 – – – – – aucune"
expect_contains "the gap is named" "$out" "  MS01 : n° 3 (dernier reçu : n° 4)"
expect_lacks "no gap for MS02" "$out" "MS02 : n°"
expect_contains "the missing ones are counted" "$out" "Sans export couvrant toute la période 2026-T4 : 3 structures"
expect_contains "MS04 is missing" "$out" "  MS04 : aucun export reçu"
expect_contains "MS02 says where its data stops" "$out" \
	"  MS02 : le dernier export reçu, n° 1 (2026-T3), s'arrête au 30/09/2026"
expect_contains "MS01 is partial, and why" "$out" \
	"  MS01 : partielle, l'export n° 4 (2026-T4) a été fait le 15/11/2026, avant"
expect_contains "… with the last day its data covers" "$out" "données jusqu'au 14/11/2026"
expect_lacks "MS03 is not listed as missing" "$out" "  MS03 :"
expect_eq "no line wider than 80 columns" \
	"$(printf '%s\n' "$out" | LC_ALL=C tr -d '\200-\277' | LC_ALL=C awk 'length($0) > 80' | wc -l | tr -d ' ')" 0

# Another period: T3 is covered by MS01's partial T4 (made after T3 ended), MS02 and MS03.
run structures --period 2026-T3
expect_rc "--period: exit 0" 0
expect_contains "the period asked for" "$out" "Période demandée : 2026-T3 (du 01/07/2026 au 30/09/2026)"
expect_eq "MS01 covers T3" "$(row MS01)" "MS01 4 2026-T4 15/11/2026 16/11/2026 non complète"
expect_contains "only MS04 is missing" "$out" "Sans export couvrant toute la période 2026-T3 : 1 structure"

# CSV: one row per structure, every column.
run structures --format csv
expect_rc "csv: exit 0" 0
csv=$(printf '%s\n' "$out" | tr -d '\r')
expect_eq "CSV header" "$(printf '%s\n' "$csv" | head -1)" \
	"structure,nom,inscrite,sequence,periode,periode_debut,periode_fin,periode_complete,contenu,source,fait_le,importe_le,donnees_jusqu_au,sequences_manquantes,periode_demandee,couverture"
expect_eq "CSV MS01" "$(printf '%s\n' "$csv" | grep '^MS01,')" \
	"MS01,Maison MS01,1,4,2026-T4,2026-10-01,2026-12-31,0,snapshot,,2026-11-15T10:00:00Z,2026-11-16T09:00:00Z,2026-11-14,3,2026-T4,partielle"
expect_eq "CSV MS04" "$(printf '%s\n' "$csv" | grep '^MS04,')" "MS04,,1,,,,,,,,,,,,2026-T4,aucune"
expect_eq "CSV MS03" "$(printf '%s\n' "$csv" | grep '^MS03,' | cut -d, -f13-16)" "2026-12-31,,2026-T4,complete"
expect_eq "CSV: 4 structures and the header" "$(printf '%s\n' "$csv" | wc -l | tr -d ' ')" 5

# Two gaps, then a run of them, and an archive of an older version (only its period's
# entries): partial.
imported MS02 4 2026-T4 2027-01-05 2027-01-06 2026-10-01 2026-12-31 1
imported MS01 9 2027-T1 2027-04-05 2027-04-06 2027-01-01 2027-03-31 1
sqlite3 "$RECUEIL_DB" "UPDATE import_log SET content = 'slice' WHERE structure = 'MS03'"
run structures
expect_contains "two numbers missing" "$out" "  MS02 : n° 2, 3 (dernier reçu : n° 4)"
expect_contains "a run of missing numbers" "$out" "  MS01 : n° 3, 5 à 8 (dernier reçu : n° 9)"
csv=$($R structures --format csv | tr -d '\r')
expect_eq "the same in CSV" "$(printf '%s\n' "$csv" | grep '^MS01,' | cut -d, -f14)" "3 5-8"
expect_eq "MS02 now covers T4" "$(row MS02)" "MS02 4 2026-T4 05/01/2027 06/01/2027 oui complète"
expect_contains "a slice is partial" "$out" "  MS03 : partielle, l'export n° 1 (2026) vient d'une version antérieure"

# ---------------------------------------------------------------- roles and usage
$R user add saisie1 --role saisie >/dev/null
RECUEIL_AS_USER=saisie1 run structures
expect_rc "a saisie user is refused" 77
expect_contains "… with a message naming the role" "$err" "coordination"
run structures --period 2026-T9
expect_rc "a bad period is a usage error" 64
run structures --format xml
expect_rc "a bad format is a usage error" 64
run structures extra
expect_rc "an extra argument is a usage error" 64

finish
