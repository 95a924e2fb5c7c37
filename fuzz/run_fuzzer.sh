#!/bin/sh
# run_fuzzer.sh FUZZER CORPUS WORKDIR [libFuzzer options…] — run one harness on a fresh copy of
# its seed corpus (the repository's corpus is never written), with its dictionary when there is
# one. A crash, leak, timeout or out-of-memory leaves its input in WORKDIR/ and fails. New
# inputs libFuzzer finds go to WORKDIR/corpus/, never to CORPUS.
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
# RECUEIL_FUZZ_SECONDS in the environment (a number > 0: for libFuzzer 0 means no limit)
# overrides the time given; libFuzzer keeps the last.
limit=
case ${RECUEIL_FUZZ_SECONDS:-0} in
*[!0-9]* | 0 | 00*) ;;
*) limit="-max_total_time=$RECUEIL_FUZZ_SECONDS" ;;
esac
# libFuzzer prints the seed of its run ("INFO: Seed: N"); RECUEIL_TEST_SEED=N runs it again with
# that seed (an input that failed is also kept in WORKDIR, to replay directly).
seed=
case ${RECUEIL_TEST_SEED:-} in
"" | *[!0-9]*) ;;
*) seed="-seed=$RECUEIL_TEST_SEED" ;;
esac
# -timeout: one input may not take 10 s (a hang); -rss_limit_mb: nor 2 GiB of memory.
exec "$fuzzer" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/" ${dict:+"$dict"} ${seed:+"$seed"} "$@" ${limit:+"$limit"} "$work/corpus"
