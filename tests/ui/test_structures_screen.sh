#!/bin/sh
# The structures screen (the coordinator's ledger): reached from the home menu (s), one row per
# structure known to the regional database with its last export and what its data cover of the
# period of the next deadline; under the list, the chosen structure's gaps and why its data do
# not cover the period; another period (F11); a saisie user refused. The import log is written
# here row by row, as the import records it (schema 009).
. "$TESTS/ui/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 absent : journal des imports non constructible"; exit 77; }
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
"$RECUEIL" user add infirmiere --role saisie >/dev/null
# imported STRUCTURE SEQUENCE PERIOD MADE FIRST LAST COMPLETE
imported() {
	sqlite3 "$RECUEIL_DB" "INSERT INTO import_log(structure, structure_name, export_id, sequence, period,
		exported_at, manifest_sha256, file_name, imported_at, login, rows, added, updated, unchanged,
		older, deleted, period_first, period_last, period_complete, content)
		VALUES ('$1', 'Maison $1', '$1-$2', $2, '$3', '${4}T10:00:00Z', 'x', '$1-$2.zip',
		'${4}T18:00:00Z', 'coord', 0, 0, 0, 0, 0, 0, '$5', '$6', $7, 'snapshot')"
}
# Today is 2026-03-02: the next deadline (30/04/2026) is for 2026-T1.
imported MS01 1 2025-T4 2026-01-10 2025-10-01 2025-12-31 1
imported MS01 3 2026-T1 2026-02-20 2026-01-01 2026-03-31 0
imported MS02 1 2025-T4 2026-01-15 2025-10-01 2025-12-31 1

cat >"$T/keys" <<'KEYS'
<Dump>
s<Dump>
<Down><Dump>
<F11><C-u>2025-T4<Enter><Dump>
<Esc><F10>
KEYS
RECUEIL_AS_USER=coord tui "$T/keys"

expect 1 "6  Structures de la région : exports reçus (s)"
expect 2 "recueil — structures de la région"
expect 2 "Échéance du 30/04/2026 : période 2026-T1 (du 01/01/2026 au 31/03/2026)"
expect 2 "2 structure(s) connue(s) ; sans export couvrant toute la période : 2"
row() { screen "$1" | grep "^ *$2  *[0-9–] " | tr -s ' ' | sed 's/^ //; s/ $//'; }
[ "$(row 2 MS01)" = "MS01 3 2026-T1 20/02/2026 20/02/2026 non partielle" ] ||
	fail "ligne de MS01 : $(row 2 MS01)"
[ "$(row 2 MS02)" = "MS02 1 2025-T4 15/01/2026 15/01/2026 oui aucune" ] ||
	fail "ligne de MS02 : $(row 2 MS02)"
detail() { screen "$1" | sed -n '/^ *MS02  *[0-9] /,$p' | tail -n +2 | tr '\n' ' ' | tr -s ' '; }
case $(detail 2) in
*"MS01 — Maison MS01 : export n° 3, 2026-T1, fait le 20/02/2026. Numéros jamais importés : 2."*) ;;
*) fail "détail de MS01 : $(detail 2)" ;;
esac
case $(detail 2) in
*"Période 2026-T1 non couverte : l'export n° 3 (2026-T1) a été fait le 20/02/2026, avant la fin de sa période : données jusqu'au 19/02/2026."*) ;;
*) fail "MS01 partielle, et pourquoi : $(detail 2)" ;;
esac
case $(detail 3) in
*"MS02 — Maison MS02"*"s'arrête au 31/12/2025"*) ;;
*) fail "détail de MS02 : $(detail 3)" ;;
esac
expect 4 "Période 2025-T4 (du 01/10/2025 au 31/12/2025)"
[ "$(row 4 MS02)" = "MS02 1 2025-T4 15/01/2026 15/01/2026 oui complète" ] ||
	fail "2025-T4, ligne de MS02 : $(row 4 MS02)"
expect 4 "sans export couvrant toute la période : 0"

# a saisie user is refused, and it is logged
: >"$T/screens"
printf 's<Dump><F10>' >"$T/keys2"
RECUEIL_AS_USER=infirmiere tui "$T/keys2"
expect 1 "Structures de la région : réservé au rôle coordination ou plus (vous : saisie)."
"$RECUEIL" log | grep "infirmiere" | grep -q "interface : structures" || fail "refus des structures au journal"

# The report screen of this regional database says where each structure's figures come from:
# the total of 2026-T1 counts nobody (MS01 partial, MS02's data stop before the period).
: >"$T/screens"
printf 'r<Dump><Right><Dump><Right><Dump><Esc><F10>' >"$T/keys3"
RECUEIL_AS_USER=coord tui "$T/keys3"
flat() { screen "$1" | tr '\n' ' ' | tr -s ' '; }
case $(flat 1) in
*"Pas de données : aucune structure n'a de données couvrant toute la période."*) ;;
*) fail "rapport, ensemble sans données : $(flat 1)" ;;
esac
case $(flat 2) in
*"structure MS01"*"Données : export n° 3, 2026-T1, fait le 20/02/2026. PARTIEL : l'export n° 3 (2026-T1) a été fait le 20/02/2026, avant la fin de sa période : données jusqu'au 19/02/2026 ; hors de l'ensemble."*"Patients suivis"*) ;;
*) fail "rapport, MS01 partielle : $(flat 2)" ;;
esac
case $(flat 3) in
*"structure MS02"*"Pas de données pour la période : le dernier export reçu, n° 1 (2025-T4), s'arrête au 31/12/2025."*) ;;
*) fail "rapport, MS02 sans données : $(flat 3)" ;;
esac
case $(flat 3) in
*"Patients suivis"*) fail "rapport, MS02 : aucun chiffre attendu" ;;
esac
