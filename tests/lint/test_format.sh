#!/bin/sh
# The C sources follow .clang-format: a layout difference is a test failure that names the file.
set -u
command -v clang-format >/dev/null || { echo "clang-format absent : test non exécuté" >&2; exit 77; }
cd "$SRC" || exit 1
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' 2>/dev/null || find src tests bench -name '*.[ch]')
passed=0 failed=0
for f in $files; do
	if clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		passed=$((passed + 1))
	else
		echo "mise en forme à corriger (clang-format -i $f)" >&2
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
