#!/bin/sh
# report_bench.sh — how long the activity report of a year takes (issue 12: a year's report on
# a regional database of 150 structures ≤ 1 s; a year's report in the full-screen interface on
# 10,000 patients ≤ 0.5 s), each beside a baseline: sqlite3 reading once the index and the form
# tables the report reads (the cost of touching the data at all). Not a timed test.
#
#   bench/report_bench.sh BINARY DB10K [STRUCTURES] [PATIENTS_EACH]
#       BINARY  a recueil built with RECUEIL_TEST_SEAMS (the interface is driven by a key script)
#       DB10K   a database of 10,000 demo patients (bench/run.sh makes it: demo --seed 1)
#       default: 150 structures of 40 patients for the regional database
#
# The regional database is made once and kept in bench/out/region-STRUCTURES-EACH.db: each
# structure is `recueil demo` (its own seed), exported up to 2026-09-30 (a period over at
# RECUEIL_TODAY=2026-11-22) and imported. An import of a version before snapshots records no
# snapshot: its log is then marked as the snapshot import records it, so that every structure
# counts in the total, as in a region whose exports all arrived.
#
# Each figure is the best of 5 runs (CPU = user + system; wall). The interface's figure is the
# time between two screen dumps around the Enter that asks for the year (strace timestamps of
# the dump file's opening, as bench/run.sh times the search): computing and drawing the report.
# Output: one line per figure, "label<TAB>wall s<TAB>CPU s<TAB>baseline s".
set -eu
bin=${1:?binaire}
db10k=${2:?base de 10 000 patients}
structures=${3:-150}
each=${4:-40}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-report-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export RECUEIL_TODAY=2026-11-22 LANG=C.UTF-8 TERM=xterm
unset RECUEIL_DB RECUEIL_NOW RECUEIL_AS_USER RECUEIL_KEYS RECUEIL_SCREEN_DUMP RECUEIL_SCREEN_OUTPUT
umask 077
say() { printf '%s\n' "$*" >&2; }

# ------------------------------------------------------------------ the regional database
reg=$out/region-$structures-$each.db
if [ ! -f "$reg" ]; then
	say "base régionale : $structures structures de $each patients (une fois)…"
	printf 'Banc-Rapport-Regional-0000\n' >"$tmp/pass"
	mkdir "$tmp/src" "$tmp/zip"
	cat >"$tmp/one.sh" <<'EOF'
i=$1
db="$tmp/src/ms$i.db"
"$bin" --db "$db" init --structure "MS-$i" --name "Microstructure $i" >/dev/null 2>&1 &&
	"$bin" --db "$db" demo --patients "$each" --seed "$i" >/dev/null 2>&1 &&
	"$bin" --db "$db" export --period 2000-01-01..2026-09-30 --out "$tmp/zip/ms$i.zip" \
		--passphrase-file "$tmp/pass" --accept-issues bench >/dev/null 2>&1 &&
	rm -f "$db" "$db-wal" "$db-shm" || echo "structure $i : échec" >&2
EOF
	export bin tmp each
	seq 1 "$structures" | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 1 sh "$tmp/one.sh"
	# A regional database (init --region where the program has it).
	"$bin" --db "$tmp/region.db" init --region REGION --name "Coordination régionale" >/dev/null 2>&1 ||
		"$bin" --db "$tmp/region.db" init --structure REGION --name "Coordination régionale" >/dev/null
	"$bin" --db "$tmp/region.db" import --passphrase-file "$tmp/pass" "$tmp"/zip/*.zip >/dev/null
	sqlite3 "$tmp/region.db" "UPDATE import_log SET content = 'snapshot', period_first = '2000-01-01',
		period_last = '2026-09-30', period_complete = 1 WHERE content IS NULL OR content = 'slice'"
	"$bin" --db "$tmp/region.db" check >/dev/null 2>&1 || true
	mv "$tmp/region.db" "$reg"
fi

# best COMMAND…: the best wall and CPU seconds of 5 runs, as "wall cpu"
best() {
	bw= bc=
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >/dev/null 2>&1 || { echo "échec : $*" >&2; exit 1; }
		w=$(awk '{ print $1 }' "$tmp/time")
		c=$(awk '{ printf "%.2f", $2 + $3 }' "$tmp/time")
		[ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }' && bw=$w
		[ -z "$bc" ] || awk -v a="$c" -v b="$bc" 'BEGIN { exit !(a < b) }' && bc=$c
	done
	echo "$bw $bc"
}

# The baseline: the index the report reads every form through, and the form tables, once.
floor() {
	sqlite3 "$1" "SELECT count(*), sum(patient_id), max(date) FROM entries INDEXED BY entries_by_form_patient;
		$(sqlite3 "$1" "SELECT DISTINCT form FROM form_columns" |
			sed 's/.*/SELECT count(*), sum(length(quote(f.*))) FROM "form_&" f;/' | tr '\n' ' ')" >/dev/null 2>&1 ||
		sqlite3 "$1" "SELECT count(*) FROM entries INDEXED BY entries_by_form_patient" >/dev/null
}
floor_best() {
	fb=
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		floor "$1"
		t=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
		[ -z "$fb" ] || awk -v a="$t" -v b="$fb" 'BEGIN { exit !(a < b) }' && fb=$t
	done
	echo "$fb"
}

cp "$reg" "$tmp/r.db"
set -- $(best "$bin" --db "$tmp/r.db" report --period 2026)
printf "a year's report, regional database of %d structures of %d patients (text)\t%s\t%s\t%s\n" "$structures" "$each" "$1" "$2" "$(floor_best "$tmp/r.db")"
set -- $(best "$bin" --db "$tmp/r.db" report --period 2026 --format csv)
printf "a year's report, regional database of %d structures (masked CSV)\t%s\t%s\t—\n" "$structures" "$1" "$2"

# ------------------------------------------------------------------ the interface, 10,000 patients
cp "$db10k" "$tmp/t.db"
"$bin" --db "$tmp/t.db" check >/dev/null 2>&1 || true
base10k=$(floor_best "$tmp/t.db")
printf 'r<F5><C-u>2026<Dump><Enter><Dump><F10>' >"$tmp/keys"
if command -v strace >/dev/null 2>&1; then
	bt=
	for _ in 1 2 3 4 5; do
		rm -f "$tmp/dump"
		RECUEIL_KEYS="$tmp/keys" RECUEIL_SCREEN_DUMP="$tmp/dump" RECUEIL_SCREEN_OUTPUT=/dev/null \
			strace -f --seccomp-bpf -ttt -e trace=openat -o "$tmp/trace" "$bin" --db "$tmp/t.db" >/dev/null 2>&1 ||
			continue
		t=$(awk -v d="$tmp/dump" 'index($0, d) { n++; t[n] = $2 } END { if (n >= 2) printf "%.3f", t[2] - t[1] }' "$tmp/trace")
		[ -n "$t" ] || continue
		[ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }' && bt=$t
	done
	grep -q "Période 2026 " "$tmp/dump" || { echo "l'interface n'a pas montré le rapport de 2026" >&2; exit 1; }
	printf "a year's report in the interface, 10000 patients (computed and drawn)\t%s\t—\t%s\n" "${bt:-échec}" "$base10k"
fi
set -- $(best "$bin" --db "$tmp/t.db" report --period 2026)
printf "a year's report, 10000 patients (command line, text)\t%s\t%s\t%s\n" "$1" "$2" "$base10k"
