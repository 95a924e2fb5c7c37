#!/bin/sh
# run_long.sh BUILD_DIR [RUNS] [HARNESS…] — the long fuzzing run of docs/reliability.md: each
# harness (all of them by default) runs RUNS executions (1,000,000 by default) on a fresh copy of its
# seed corpus, two at a time. BUILD_DIR is a build configured with CC=clang -DRECUEIL_FUZZ=ON.
# Logs and any crash input go to BUILD_DIR/fuzz/long/<name>/; the last lines of each log (the
# libFuzzer statistics) are printed at the end. Exit status: 0 when no harness failed.
set -u
build=${1:?usage: run_long.sh BUILD_DIR [RUNS] [HARNESS…]}
runs=${2:-1000000}
shift 2 2>/dev/null || shift $#
names=${*:-"forms values ytree expr csv manifest codebook"}
here=$(cd "$(dirname "$0")" && pwd)
out="$build/fuzz/long"
mkdir -p "$out"
# One harness; called again by xargs below, two at a time.
if [ "${RUN_ONE:-}" ]; then
	start=$(date +%s)
	sh "$here/run_fuzzer.sh" "$build/fuzz/fuzz_$RUN_ONE" "$here/corpus/$RUN_ONE" "$out/$RUN_ONE" \
		-runs="$runs" >"$out/$RUN_ONE.log" 2>&1
	rc=$?
	echo "$RUN_ONE: exit $rc, $(($(date +%s) - start)) s" >>"$out/$RUN_ONE.log"
	exit $rc
fi
failed=0
printf '%s\n' $names | xargs -P 2 -I{} env RUN_ONE={} sh "$0" "$build" "$runs" || failed=1
for n in $names; do
	echo "== $n"
	grep -E '^stat::|exit [0-9]+,|ERROR|SUMMARY' "$out/$n.log"
done
exit $failed
