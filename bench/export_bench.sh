#!/bin/sh
# export_bench.sh — how long `recueil export` takes, and how much memory it needs, against the
# floor of `sqlite3 -csv … | gzip` over the same per-form tables (issue 4: target ≤ 1.2×, with
# memory flat whatever the number of rows). Not a timed test: run it by hand.
#
#   bench/export_bench.sh [BINARY] [PATIENTS…]     default: build/recueil, 1000 and 10000
set -eu
bin=${1:-build/recueil}
shift 2>/dev/null || true
sizes=${*:-1000 10000}
command -v sqlite3 >/dev/null || { echo "sqlite3 manquant" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export RECUEIL_TODAY=2026-11-22
umask 077
printf 'BENCH-PASS-PHRASE-0000\n' >"$tmp/pass"

secs() { # elapsed seconds and max RSS (KB) of a command: "S KB"
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >/dev/null 2>&1
	cat "$tmp/time"
}

printf '%-9s %-8s %9s %9s %9s %7s %10s\n' patients lignes sqlite3+gz export "export+aes" ratio "mémoire"
for n in $sizes; do
	export RECUEIL_DB="$tmp/db$n.sqlite"
	"$bin" demo --patients "$n" --seed 1 >/dev/null 2>&1
	tables=$(sqlite3 "$RECUEIL_DB" "SELECT DISTINCT form FROM form_columns")
	base() {
		for t in $tables; do
			sqlite3 -csv -header "$RECUEIL_DB" \
				"SELECT e.uuid, p.pseudonym, e.date, e.form_version, e.status, f.* FROM entries e
				 JOIN patients p ON p.id = e.patient_id JOIN \"form_$t\" f ON f.entry_id = e.id"
		done | gzip -6 >"$tmp/base.gz"
	}
	b0=$(date +%s.%N)
	base
	b1=$(date +%s.%N)
	b=$(echo "$b1 - $b0" | bc)
	set -- $(secs "$bin" export --period 2000-01-01..2026-12-31 --out "$tmp/plain$n.zip" --no-encrypt --accept-issues bench)
	p=$1
	set -- $(secs "$bin" export --period 2000-01-01..2026-12-31 --out "$tmp/aes$n.zip" --passphrase-file "$tmp/pass" \
		--accept-issues bench)
	a=$1 rss=$2
	rows=$(sqlite3 "$RECUEIL_DB" "SELECT count(*) FROM entries")
	printf '%-9s %-8s %9.2f %9.2f %9.2f %7.2f %7s Ko\n' "$n" "$rows" "$b" "$p" "$a" "$(echo "$a / $b" | bc -l)" "$rss"
done
