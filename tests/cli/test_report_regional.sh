#!/bin/sh
# recueil report at a regional database: two structures export everything up to the end of
# 2026-T3 and the region imports both. Each structure's rows say which export they come from
# and equal the structure's own report; the total is their sum. A structure whose export was
# made before the end of the period is partial, one that never sent (enrolled) or whose data
# stops before the period has "pas de données" (empty values, never 0); both are left out of
# the total with a line that says which and why. The import log's snapshot columns (schema
# 009) are written here as the import records them.
. "$TESTS/cli/lib.sh"
R=$RECUEIL
umask 077

if ! have_sqlite3; then
	echo "sqlite3 absent : journal des imports non modifiable" >&2
	exit 77
fi

S1="$tmp/nord.db"
S2="$tmp/sud.db"
REG="$tmp/region.db"
printf 'Phrase-De-Passe-Regionale-2026\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
ok=1
RECUEIL_DB="$S1" $R init --structure MS-NORD >/dev/null || ok=0
RECUEIL_DB="$S1" $R demo --patients 30 --seed 11 >/dev/null 2>&1 || ok=0
RECUEIL_DB="$S2" $R init --structure MS-SUD >/dev/null || ok=0
RECUEIL_DB="$S2" $R demo --patients 30 --seed 12 >/dev/null 2>&1 || ok=0
for s in "$S1" "$S2"; do
	RECUEIL_DB="$s" RECUEIL_NOW=2026-11-22T10:00:00Z $R export --period 2000-01-01..2026-09-30 --out "$s.zip" --passphrase-file "$tmp/pass" \
		--accept-issues test >/dev/null 2>&1 || ok=0
done
# A regional database (init --region where the program has it), which enrols the structures'
# keys where it checks them.
RECUEIL_DB="$REG" $R init --region REGION >/dev/null 2>&1 || RECUEIL_DB="$REG" $R init --structure REGION >/dev/null || ok=0
for s in "$S1" "$S2"; do
	key=$(RECUEIL_DB="$s" $R structure key 2>/dev/null) || continue
	key=$(printf '%s\n' "$key" | tail -1)
	RECUEIL_DB="$REG" $R structure enrol "$(sqlite3 "$s" "SELECT code FROM structure")" "$key" >/dev/null || ok=0
done
RECUEIL_DB="$REG" $R import "$S1.zip" "$S2.zip" --passphrase-file "$tmp/pass" >/dev/null 2>&1 || ok=0
expect_eq "two structures exported, the region imported both" "$ok" 1
# Both archives are snapshots up to 2026-09-30, made after that day (RECUEIL_TODAY).
sqlite3 "$REG" "UPDATE import_log SET content = 'snapshot', period_first = '2000-01-01',
	period_last = '2026-09-30', period_complete = 1"
export RECUEIL_DB="$REG"
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

# ---------------------------------------------------------------- both complete
run report --period 2026-T3 --format csv --no-mask
expect_rc "regional CSV: exit 0" 0
csv=$(printf '%s\n' "$out" | tr -d '\r')
expect_eq "the existing columns first, the sources after" "$(printf '%s\n' "$csv" | head -1)" \
	"structure,periode,indicateur,categorie,valeur,masque,statut,export_sequence,export_periode,export_fait_le"
expect_eq "every row has 10 fields" "$(printf '%s\n' "$csv" | awk -F, 'NF != 10' | wc -l | tr -d ' ')" 0
expect_eq "MS-NORD: complete, from its export n° 1" \
	"$(printf '%s\n' "$csv" | grep '^MS-NORD,2026-T3,patients_suivis,' | cut -d, -f7-10)" \
	"complet,1,2000-01-01..2026-09-30,2026-11-22"
for s in "$S1" "$S2"; do
	code=$(sqlite3 "$s" "SELECT code FROM structure")
	RECUEIL_DB="$s" $R report --period 2026-T3 --format csv --no-mask 2>/dev/null | tr -d '\r' |
		tail -n +2 | grep -v ',alertes,' >"$tmp/own.csv"
	printf '%s\n' "$csv" | grep "^$code," | grep -v ',alertes,' | cut -d, -f1-6 >"$tmp/reg.csv"
	if [ "$(grep -c . "$tmp/own.csv")" -gt 20 ] && cmp -s "$tmp/own.csv" "$tmp/reg.csv"; then
		pass
	else
		fail "$code : les lignes régionales diffèrent du rapport de la structure" \
			"$(diff "$tmp/own.csv" "$tmp/reg.csv" | head -6)"
	fi
done
v() { printf '%s\n' "$csv" | grep "^$1,2026-T3,$2,$3," | cut -d, -f5; }
n1=$(v MS-NORD patients_suivis patients)
n2=$(v MS-SUD patients_suivis patients)
expect_eq "the total is the sum of both" "$(v ensemble patients_suivis patients)" "$((n1 + n2))"
expect_eq "the total's status is empty" "$(printf '%s\n' "$csv" | grep '^ensemble,2026-T3,patients_suivis,' | cut -d, -f7-10)" ",,,"
run report --period 2026-T3
expect_contains "text: where MS-NORD's figures come from" "$out" \
	"Données : export n° 1, 2000-01-01..2026-09-30, fait le 22/11/2026."
expect_contains "text: the total of both" "$out" "==== Ensemble des 2 structures ===="

# ---------------------------------------------------------------- a partial period
# MS-SUD's export was made on 15/09, before the end of its period.
sqlite3 "$REG" "UPDATE import_log SET period_complete = 0, exported_at = '2026-09-15T08:00:00Z'
	WHERE structure = 'MS-SUD'"
# MS-EST is enrolled and never sent anything.
enrolled MS-EST
run report --period 2026-T3 --format csv --no-mask
csv=$(printf '%s\n' "$out" | tr -d '\r')
expect_eq "MS-SUD: partial, its figures still shown" \
	"$(printf '%s\n' "$csv" | grep '^MS-SUD,2026-T3,patients_suivis,' | cut -d, -f5,7)" "$n2,partiel"
expect_eq "MS-EST: no data, an empty value, never 0" \
	"$(printf '%s\n' "$csv" | grep '^MS-EST,2026-T3,patients_suivis,' | cut -d, -f5-10)" ",0,pas_de_donnees,,,"
expect_eq "MS-EST: no value in any row" \
	"$(printf '%s\n' "$csv" | grep '^MS-EST,' | cut -d, -f5 | grep -c .)" 0
expect_eq "MS-EST: a row for every category all the same" \
	"$(printf '%s\n' "$csv" | grep -c '^MS-EST,')" "$(printf '%s\n' "$csv" | grep -c '^MS-NORD,')"
expect_eq "the total counts MS-NORD alone" "$(v ensemble patients_suivis patients)" "$n1"
run report --period 2026-T3
expect_contains "text: MS-SUD is partial, and why" "$out" \
	"PARTIEL : l'export n° 1 (2000-01-01..2026-09-30) a été fait le 15/09/2026"
expect_contains "text: MS-EST has no data" "$out" \
	"Pas de données pour la période : aucun export reçu. Hors de l'ensemble."
expect_contains "text: the total says how many" "$out" \
	"==== Ensemble des 1 structures aux données complètes (sur 3) ===="
expect_contains "text: the total says which are left out, and why" "$out" \
	"Hors de l'ensemble : MS-EST (pas de données : aucun export reçu)"
expect_contains "… the partial one too" "$out" "Hors de l'ensemble : MS-SUD (partiel : l'export n° 1"
est=$(printf '%s\n' "$out" | sed -n '/==== Structure MS-EST ====/,/====/p')
expect_lacks "text: no figure for MS-EST" "$est" "Patients suivis"
expect_eq "no line wider than 80 columns" \
	"$(printf '%s\n' "$out" | LC_ALL=C tr -d '\200-\277' | LC_ALL=C awk 'length($0) > 80' | wc -l | tr -d ' ')" 0

# ---------------------------------------------------------------- data that stops before
run report --period 2026-T4 --format csv --no-mask
csv=$(printf '%s\n' "$out" | tr -d '\r')
expect_eq "T4: no data anywhere, the total included" \
	"$(printf '%s\n' "$csv" | grep ',patients_suivis,' | cut -d, -f1,5,7)" \
	"$(printf 'MS-EST,,pas_de_donnees\nMS-NORD,,pas_de_donnees\nMS-SUD,,pas_de_donnees\nensemble,,pas_de_donnees')"
run report --period 2026-T4
expect_contains "text: MS-NORD's data stops before T4" "$(printf '%s\n' "$out" | tr '\n' ' ' | tr -s ' ')" \
	"Pas de données pour la période : le dernier export reçu, n° 1 (2000-01-01..2026-09-30), s'arrête au 30/09/2026. Hors de l'ensemble."
expect_contains "text: nothing in the total" "$out" \
	"Pas de données : aucune structure n'a de données couvrant toute la période."

finish
