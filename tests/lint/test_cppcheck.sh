#!/bin/sh
# cppcheck over what the build compiles (compile_commands.json): warnings, portability and
# performance, every report an error printed as FILE:LINE: severity: message [id], except the
# false alarms listed with their reasons in tests/lint/cppcheck.supp. Needs SRC (the sources) and
# BUILD (the build directory); exits 77 without cppcheck.
set -u
: "${SRC:?SRC must name the source directory}" "${BUILD:?BUILD must name the build directory}"
command -v cppcheck >/dev/null || { echo "cppcheck absent : test non exécuté" >&2; exit 77; }
[ -f "$BUILD/compile_commands.json" ] ||
	{ echo "$BUILD/compile_commands.json absent (CMAKE_EXPORT_COMPILE_COMMANDS) : test non exécuté" >&2; exit 77; }
cd "$SRC" || exit 1
if cppcheck --project="$BUILD/compile_commands.json" --enable=warning,portability,performance \
	--error-exitcode=1 --inline-suppr --suppressions-list="$SRC/tests/lint/cppcheck.supp" \
	--quiet -j "$(nproc 2>/dev/null || echo 2)" --template='{file}:{line}: {severity}: {message} [{id}]'; then
	echo "1 passed, 0 failed"
else
	echo "cppcheck : signalements ci-dessus (faux positifs : tests/lint/cppcheck.supp, avec la raison)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
