#!/bin/sh
# export_bench.sh — how long `recueil export` takes, and how much memory it needs, against the
# floor of `sqlite3 -csv … | gzip -6` over the same per-form tables (issue 4: target ≤ 1.2×, with
# memory flat whatever the number of rows). Not a timed test: run it by hand.
#
#   bench/export_bench.sh [BINARY] [DB|PATIENTS…]
#
# BINARY defaults to build/recueil. Each further argument is either an existing database, which is
# copied before use (never modified), or a number of patients for which `demo --seed 1` builds a
# database. Default: bench/out/demo-400.db and bench/out/demo-10000.db when bench/run.sh made them,
# else 1000 and 10000 patients. RUNS (default 3) runs of each measure, the baseline and the
# encrypted export alternating so that both see the same load; a fresh copy of the database for
# every export. Wall times swing with the machine's load: the CPU times (user + system, children
# included) move much less. Prints one line per run and the range of the ratio of wall times.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-build/recueil}
shift 2>/dev/null || true
if [ $# -eq 0 ]; then
	if [ -f "$root/bench/out/demo-400.db" ] && [ -f "$root/bench/out/demo-10000.db" ]; then
		set -- "$root/bench/out/demo-400.db" "$root/bench/out/demo-10000.db"
	else
		set -- 1000 10000
	fi
fi
runs=${RUNS:-3}
command -v sqlite3 >/dev/null || { echo "sqlite3 manquant" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time manquant (apt-get install time)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export RECUEIL_TODAY=2026-11-22
[ -n "${RECUEIL_FORMS:-}" ] || export RECUEIL_FORMS="$root/forms"
umask 077
printf 'BENCH-PASS-PHRASE-0000\n' >"$tmp/pass"

measure() { # measure COMMAND…: "WALL CPU MAXRSS_KB" (seconds, seconds, KiB)
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >/dev/null 2>&1 || { echo "échec : $*" >&2; exit 1; }
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/time"
}

printf '%-8s %-3s %11s %11s %11s %11s %6s %9s\n' lignes run "csv+gz (s)" "CPU (s)" "export (s)" "CPU (s)" ratio "mémoire"
for src in "$@"; do
	db="$tmp/src.sqlite"
	case $src in
	*[!0-9]*) cp "$src" "$db" ;;
	*) RECUEIL_DB="$db" "$bin" demo --patients "$src" --seed 1 >/dev/null 2>&1 ;;
	esac
	# Any pending schema migration is applied once here, not in every timed run.
	"$bin" --db "$db" log --since "$RECUEIL_TODAY" >/dev/null 2>&1 || true
	tables=$(sqlite3 "$db" "SELECT DISTINCT form FROM form_columns" | tr '\n' ' ')
	rows=$(sqlite3 "$db" "SELECT count(*) FROM entries")
	{
		echo "for t in $tables; do"
		echo "sqlite3 -csv -header '$db' \"SELECT e.uuid, p.pseudonym, e.date, e.form_version, e.status, f.* FROM entries e"
		echo " JOIN patients p ON p.id = e.patient_id JOIN \\\"form_\$t\\\" f ON f.entry_id = e.id\""
		echo "done | gzip -6 >'$tmp/base.csv.gz'"
	} >"$tmp/csvgz.sh"
	ratios=""
	r=1
	while [ "$r" -le "$runs" ]; do
		set -- $(measure sh "$tmp/csvgz.sh")
		bw=$1 bc=$2
		cp "$db" "$tmp/run.sqlite"
		rm -f "$tmp/aes.zip"
		set -- $(measure "$bin" --db "$tmp/run.sqlite" export --period 2000-01-01..2026-12-31 --out "$tmp/aes.zip" \
			--passphrase-file "$tmp/pass" --accept-issues bench)
		xw=$1 xc=$2 rss=$3
		ratio=$(awk -v a="$xw" -v b="$bw" 'BEGIN { printf "%.2f", a / b }')
		ratios="$ratios $ratio"
		printf '%-8s %-3s %11s %11s %11s %11s %6s %6s Ko\n' "$rows" "$r" "$bw" "$bc" "$xw" "$xc" "$ratio" "$rss"
		rm -f "$tmp/run.sqlite"*
		r=$((r + 1))
	done
	echo "$ratios" | tr ' ' '\n' | sort -n | awk -v n="$rows" 'NF { v[++k] = $1 } END {
		printf "%-8s ratio des temps écoulés : %s–%s (médiane %s)\n", n, v[1], v[k], v[int((k + 1) / 2)] }'
done
