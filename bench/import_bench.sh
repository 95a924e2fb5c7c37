#!/bin/sh
# import_bench.sh — how long the regional coordinator waits for `recueil import` of a whole
# region: 150 structures of 40 patients (6,000 patients), each with its own encrypted export
# archive (a snapshot of the structure), imported into a fresh regional database in one command
# (issue 12: ≤ 3 s for 40 patients each, ≤ 15 s for 300). Also times a second import of the same
# archives (nothing to do), the import of each structure's next export (a few entries edited,
# one moved, one deleted: every snapshot replaces the one held), 150 × `recueil verify` of the
# first archives (the floor: reading and checking them without writing), and the peak memory.
# Not a timed test: run it by hand, or through bench/run.sh.
#
#   bench/import_bench.sh [BINARY] [STRUCTURES] [PATIENTS_EACH]
#       default: build/recueil, 150 structures, 40 patients each
#
# The structures are made with `recueil demo` (a seed per structure, so that their data
# differ), in parallel, then exported twice with one shared passphrase (--passphrase-file); each
# archive is signed with its structure's key, which the regional database (init --region)
# enrols before the measure: the import checks every signature, as in the field.
# IMPORT_BENCH_DIR=DIR keeps the archives (and the passphrase) in DIR and reuses them when DIR
# already holds as many, made by a program of the same version and schema: profiling runs then
# skip the preparation (2 to 3 minutes here for 40 patients each, about 15 for 300).
set -eu
bin=${1:-build/recueil}
structures=${2:-150}
each=${3:-40}
[ -x "$bin" ] || { echo "binaire introuvable : $bin (compiler d'abord, ou le donner en argument)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
command -v sqlite3 >/dev/null || { echo "sqlite3 manquant" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-import-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
keep=${IMPORT_BENCH_DIR:-}
export RECUEIL_TODAY=2026-11-22
unset RECUEIL_DB RECUEIL_NOW RECUEIL_AS_USER
umask 077
printf 'Banc-Import-Regional-0000\n' >"$tmp/pass"
mkdir "$tmp/src"
if [ -n "$keep" ]; then
	mkdir -p "$keep/zip" "$keep/next" "$keep/keys"
	cp "$tmp/pass" "$keep/pass"
	ln -s "$(cd "$keep" && pwd)/zip" "$tmp/zip"
	ln -s "$(cd "$keep" && pwd)/next" "$tmp/next"
	ln -s "$(cd "$keep" && pwd)/keys" "$tmp/keys"
else
	mkdir "$tmp/zip" "$tmp/next" "$tmp/keys"
fi
jobs=$(nproc 2>/dev/null || echo 2)

# one structure: database, demo patients, an export of the deadline's period (2026-T4: a
# snapshot of everything), then five entries edited, one moved to another day, one deleted, and
# the next export; its public key
cat >"$tmp/one.sh" <<'EOF'
i=$1
db="$tmp/src/ms$i.db"
ex() {
	"$bin" --db "$db" export --period 2026-T4 --out "$1" --passphrase-file "$tmp/pass" \
		--accept-issues bench >/dev/null 2>&1
}
edit() {
	for e in $(sqlite3 "$db" "SELECT uuid FROM entries WHERE form = 'contact' AND status = 'complete' ORDER BY id DESC LIMIT 5"); do
		"$bin" --db "$db" entry edit "$e" duree_min=33 >/dev/null 2>&1 || return 1
	done
	"$bin" --db "$db" entry edit "$(sqlite3 "$db" "SELECT uuid FROM entries WHERE form = 'contact' ORDER BY id LIMIT 1")" \
		--date 2024-01-15 >/dev/null 2>&1 &&
		"$bin" --db "$db" entry delete "$(sqlite3 "$db" "SELECT uuid FROM entries WHERE form = 'audit' ORDER BY id LIMIT 1")" \
			>/dev/null 2>&1
}
"$bin" --db "$db" init --structure "MS-$i" --name "Microstructure $i" >/dev/null 2>&1 &&
	"$bin" --db "$db" demo --patients "$each" --seed "$i" >/dev/null 2>&1 &&
	ex "$tmp/zip/ms$i.zip" && edit && ex "$tmp/next/ms$i.zip" &&
	"$bin" --db "$db" structure key 2>/dev/null | tail -n 1 >"$tmp/keys/MS-$i" &&
	rm -f "$db" "$db-wal" "$db-shm" || echo "structure $i : échec" >&2
EOF
export bin tmp each
stamp="$("$bin" --version 2>&1) / $each patients"
if [ -n "$keep" ] && [ "$(ls "$tmp/zip" | wc -l)" -eq "$structures" ] &&
	[ "$(ls "$tmp/next" | wc -l)" -eq "$structures" ] && [ "$(ls "$tmp/keys" | wc -l)" -eq "$structures" ] &&
	[ "$(cat "$keep/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "Préparation : archives reprises de $keep" >&2
else
	rm -f "$tmp/zip"/*.zip "$tmp/next"/*.zip "$tmp/keys"/* "${keep:-$tmp}/stamp"
	echo "Préparation : $structures structures de $each patients, exportées ($jobs à la fois)…" >&2
	t0=$(date +%s.%N)
	seq 1 "$structures" | xargs -P "$jobs" -n 1 sh "$tmp/one.sh"
	t1=$(date +%s.%N)
	printf 'Préparation : en %.1f s\n' "$(echo "$t1 - $t0" | bc)" >&2
	[ -z "$keep" ] || printf '%s\n' "$stamp" >"$keep/stamp"
fi
n=$(ls "$tmp/zip" | wc -l)
bytes=$(cat "$tmp/zip"/*.zip | wc -c)
printf 'Archives : %d (%d Kio en tout)\n' "$n" $((bytes / 1024)) >&2

reg="$tmp/region.db"
"$bin" --db "$reg" init --region REGION --name "Coordination régionale" >/dev/null 2>&1
# The structures are enrolled with their public keys, once, outside the measure (the forms'
# tables are created by the first of these commands too).
for key in "$tmp/keys"/*; do
	"$bin" --db "$reg" structure enrol "$(basename "$key")" "$(cat "$key")" >/dev/null 2>&1 ||
		{ echo "inscription de $(basename "$key") : échec" >&2; exit 1; }
done

measure() { # label, then the command: wall-clock and CPU seconds, peak resident memory
	label=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || {
		echo "$label : échec" >&2
		tail -5 "$tmp/err" >&2
		exit 1
	}
	set -- $(cat "$tmp/time")
	printf '%-44s %7.2f s %7.2f s %9d Kio\n' "$label" "$1" "$(echo "$2 + $3" | bc)" "$4"
}

printf '%-44s %9s %9s %13s\n' mesure temps "temps CPU" "mémoire max"
measure "import de $n archives (base vide)" "$bin" --db "$reg" import --passphrase-file "$tmp/pass" "$tmp"/zip/*.zip
patients=$(sqlite3 "$reg" "SELECT count(*) FROM patients")
entries=$(sqlite3 "$reg" "SELECT count(*) FROM entries")
measure "second import des mêmes (rien à faire)" "$bin" --db "$reg" import --passphrase-file "$tmp/pass" "$tmp"/zip/*.zip
grep -q 'déjà importé' "$tmp/out" || { echo "le second import a fait quelque chose" >&2; exit 1; }
measure "import des $n exports suivants (remplacement)" "$bin" --db "$reg" import --passphrase-file "$tmp/pass" "$tmp"/next/*.zip
grep -q ' 1 supprimée(s), ' "$tmp/out" || { echo "les exports suivants n'ont rien remplacé" >&2; exit 1; }
measure "$n × recueil verify (un processus chacun)" sh -c "for f in '$tmp'/zip/*.zip; do '$bin' verify --passphrase-file '$tmp/pass' \"\$f\" >/dev/null || exit 1; done"
echo
printf 'Base régionale : %d structures, %d patients, %d saisies (cible : import ≤ 3 s pour 40 patients chacune, ≤ 15 s pour 300)\n' \
	"$(sqlite3 "$reg" "SELECT count(DISTINCT structure) FROM patients")" "$patients" "$entries"
printf 'Machine : %s cœur(s), charge moyenne %s (le temps CPU compte les deux fils d'"'"'exécution)\n' \
	"$jobs" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
