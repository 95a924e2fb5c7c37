#!/bin/sh
# run_fuzzer.sh FUZZER CORPUS WORKDIR [libFuzzer options…] — run one harness on a fresh copy of
# its seed corpus (the repository's corpus is never written), with its dictionary when there is
# one. A crash, leak, timeout or out-of-memory leaves its input in WORKDIR/ and fails.
set -eu
fuzzer=$1 corpus=$2 work=$3
shift 3
name=$(basename "$corpus")
here=$(dirname "$0")
rm -rf "$work"
mkdir -p "$work/corpus"
cp "$corpus"/* "$work/corpus/"
dict=
[ -f "$here/dict/$name.dict" ] && dict="-dict=$here/dict/$name.dict"
# -timeout: one input may not take 10 s (a hang); -rss_limit_mb: nor 2 GiB of memory.
exec "$fuzzer" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" ${dict:+"$dict"} "$@" "$work/corpus"
