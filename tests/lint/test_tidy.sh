#!/bin/sh
# clang-tidy over the tracked C sources (src, tests, fuzz) with the checks of .clang-tidy (and
# tests/.clang-tidy for the tests), compiled as the build compiles them (compile_commands.json):
# any report fails the test and is printed as FILE:LINE:COL: message [check]. The static analyzer
# runs in its shallow mode, which keeps the run under two minutes on two cores;
# RECUEIL_TIDY_DEEP=1 runs it at full depth (several times longer, a few more false alarms).
# Needs SRC (the sources) and BUILD (the build directory); exits 77 without clang-tidy.
set -u
: "${SRC:?SRC must name the source directory}" "${BUILD:?BUILD must name the build directory}"
command -v clang-tidy >/dev/null || { echo "clang-tidy absent : test non exécuté" >&2; exit 77; }
[ -f "$BUILD/compile_commands.json" ] ||
	{ echo "$BUILD/compile_commands.json absent (CMAKE_EXPORT_COMPILE_COMMANDS) : test non exécuté" >&2; exit 77; }
cd "$SRC" || exit 1
files=$(git ls-files 'src/*.c' 'tests/*.c' 'fuzz/*.c' 2>/dev/null || find src tests fuzz -name '*.c')
depth="--extra-arg=-Xclang --extra-arg=-analyzer-config --extra-arg=-Xclang --extra-arg=mode=shallow"
[ -z "${RECUEIL_TIDY_DEEP:-}" ] || depth=
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Two files per clang-tidy, as many at once as there are processors.
# shellcheck disable=SC2086 # $depth is a list of options
printf '%s\n' $files | xargs -P "$(nproc 2>/dev/null || echo 2)" -n 2 \
	clang-tidy -p "$BUILD" --quiet $depth >"$out" 2>/dev/null
status=$?
n=$(printf '%s\n' $files | grep -c .)
reports=$(grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): ' "$out" | sort -u)
if [ -n "$reports" ] || [ "$status" -ne 0 ]; then
	cat "$out" >&2
	echo "clang-tidy : $(printf '%s' "$reports" | grep -c .) signalement(s) sur $n fichiers (voir .clang-tidy)" >&2
	echo "$n passed, 1 failed"
	exit 1
fi
echo "$n passed, 0 failed"
