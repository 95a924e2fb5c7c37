#!/bin/sh
# setup.sh — install what recueil needs on Debian 12, build it, and run it or test it.
#
#   scripts/setup.sh demo   install, build, open the program on a demo database
#   scripts/setup.sh test   install, build, run every test (normal build, then ASan+UBSan), build
#                           the Debian package and, as root, install it and run the shared-install
#                           test (tests/pkg/test_installed.sh), then each libFuzzer harness for
#                           RECUEIL_FUZZ_SECONDS (15; 0: skip); in CI (CI set, e.g. CI=true) a
#                           test skipped (exit 77) fails the run
#   scripts/setup.sh deps   install the Debian packages only
#   scripts/setup.sh build  build only (build/recueil)
#   scripts/setup.sh package  build the Debian package into build-deb/ and check it with
#                           lintian; the last line printed is the path of the .deb
#   scripts/setup.sh long   the long versions of the reliability tests (hours; docs/reliability.md)
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config libncurses-dev libsqlite3-dev libyaml-dev zlib1g-dev
libarchive-dev nettle-dev gettext tmux 7zip unzip zip sqlite3 clang-format clang-tidy cppcheck
python3 clang libclang-rt-14-dev libsodium-dev age minisign r-base-core python3-pandas groff poppler-utils
dpkg-dev debhelper fakeroot lintian systemd man-db"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "Installation des paquets :$missing" >&2
		as_root apt-get update -q
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
	fi
}

jobs() {
	nproc 2>/dev/null || echo 2
}

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECUEIL_WERROR=ON -DRECUEIL_TEST_SEAMS=OFF >/dev/null
	cmake --build build -j "$(jobs)"
}

demo() {
	deps
	build
	data="${XDG_DATA_HOME:-$HOME/.local/share}/recueil"
	db="$data/demo.db"
	if [ ! -f "$db" ]; then
		build/recueil --db "$db" demo --patients 60 --seed 1
	fi
	exec build/recueil --db "$db"
}

# skipped_tests JUNIT — the names of the tests a ctest JUnit report gives as skipped.
skipped_tests() {
	awk '/<testcase / { match($0, /name="[^"]*"/); name = substr($0, RSTART + 6, RLENGTH - 7) }
		/<skipped/ { print name }' "$1"
}

# run_tests DIR CTEST-ARGS… — run the tests of build directory DIR. A test that cannot run here
# (a tool missing, not root) exits 77 and CTest reports it skipped: they are listed, and in CI
# (CI set and not "false"), where every tool is installed and the run is root's, any of them
# fails the run, since a test that CI does not run proves nothing.
run_tests() {
	dir=$1
	shift
	junit="$(pwd)/$dir/ctest-junit.xml"
	rm -f "$junit"
	status=0
	ctest --test-dir "$dir" --output-on-failure --timeout 300 -j "$(jobs)" --output-junit "$junit" "$@" ||
		status=$?
	skipped=$(skipped_tests "$junit" 2>/dev/null | tr '\n' ' ')
	if [ -n "$skipped" ]; then
		echo "Tests non exécutés ici (code 77, voir leur sortie) : $skipped" >&2
		case ${CI:-false} in
		false | 0 | "") ;;
		*)
			echo "CI : tous les tests doivent s'exécuter ; installer ce qui manque (scripts/setup.sh deps) et lancer en root" >&2
			status=1
			;;
		esac
	fi
	return "$status"
}

test_all() {
	deps
	build
	run_tests build -LE 'slow|fuzz'
	package_test
	echo "== ASan + UBSan ==" >&2
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRECUEIL_WERROR=ON -DRECUEIL_SANITIZE=ON >/dev/null
	cmake --build build-asan -j "$(jobs)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_tests build-asan -LE 'slow|fuzz|lint'
	fuzz_short
}

# The fuzz label (issue 6): the libFuzzer harnesses of fuzz/, built with clang, ASan and UBSan,
# each run for RECUEIL_FUZZ_SECONDS from the committed corpus. New inputs and any crash input go
# to build-fuzz/fuzz/work/<name>/, never into fuzz/corpus/; a crash, leak, hang or
# out-of-memory fails the step (the input to keep is named in the test's output).
fuzz_short() {
	seconds=${RECUEIL_FUZZ_SECONDS:-15}
	case $seconds in
	*[!0-9]*) echo "RECUEIL_FUZZ_SECONDS : un nombre de secondes attendu" >&2 && return 64 ;;
	esac
	# 0 skips the step (for libFuzzer, -max_total_time=0 would mean no limit at all).
	if [ "$seconds" -eq 0 ]; then
		echo "== fuzzing skipped (RECUEIL_FUZZ_SECONDS=0) ==" >&2
		return 0
	fi
	echo "== fuzzing: each harness ${seconds} s ==" >&2
	CC=clang cmake -S . -B build-fuzz -DRECUEIL_FUZZ=ON -DRECUEIL_FUZZ_SECONDS="$seconds" >/dev/null
	cmake --build build-fuzz -j "$(jobs)" --target fuzzers
	RECUEIL_FUZZ_SECONDS=$seconds run_tests build-fuzz -L fuzz
}

# The long versions (issue 6, docs/reliability.md): the `slow` label (400 kill -9 trials while
# saving, 60 TUI sessions killed mid-save, a 300 s soak), then every fuzz harness to
# RECUEIL_FUZZ_RUNS executions (1,000,000 by default: about an hour and a half on 2 cores).
long_tests() {
	deps
	build
	run_tests build -L slow --timeout 900
	CC=clang cmake -S . -B build-fuzz -DRECUEIL_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j "$(jobs)" --target fuzzers
	sh fuzz/run_long.sh build-fuzz "${RECUEIL_FUZZ_RUNS:-1000000}"
}

# The Debian package (debian/): built with dpkg-buildpackage from a copy of the source files in
# build-deb/src (its outputs go to the parent directory, build-deb/), then checked with lintian,
# which must report no error. The program is built once, without tests or test seams.
package() {
	deps
	rm -rf build-deb
	mkdir -p build-deb/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard |
			tar --null -T - --ignore-failed-read -c 2>/dev/null | tar -x -C build-deb/src
	else
		tar -c --exclude='./build*' --exclude=./bench/out . | tar -x -C build-deb/src
	fi
	(cd build-deb/src && DEB_BUILD_OPTIONS="parallel=$(jobs) nocheck" \
		dpkg-buildpackage -b -us -uc >../dpkg-buildpackage.log 2>&1) || {
		tail -30 build-deb/dpkg-buildpackage.log >&2
		echo "construction du paquet impossible : voir build-deb/dpkg-buildpackage.log" >&2
		return 1
	}
	rm -rf build-deb/src
	deb=$(ls build-deb/recueil_*.deb)
	lintian --fail-on error --suppress-tags-from-file /dev/null "$deb" >&2
	echo "$(pwd)/$deb"
}

# The package built, then installed and tried with three real users (tests/pkg/test_installed.sh,
# which removes it afterwards): as root only, since it installs a package and creates users.
package_test() {
	echo "== paquet Debian ==" >&2
	deb=$(package)
	rc=77
	if [ "$(id -u)" -eq 0 ]; then
		set +e
		RECUEIL_TEST_BINARY="$(pwd)/build/recueil-test" sh tests/pkg/test_installed.sh "$deb"
		rc=$?
		set -e
	fi
	[ "$rc" -eq 77 ] || return "$rc"
	echo "test du paquet installé non exécuté : il faut être root, sur une machine sans recueil installé" >&2
	case ${CI:-false} in
	false | 0 | "") ;;
	*) return 1 ;; # in CI every test runs (see run_tests)
	esac
}

case "${1:-}" in
demo) demo ;;
test) test_all ;;
long) long_tests ;;
deps) deps ;;
build) deps && build ;;
package) package ;;
*)
	echo "usage : scripts/setup.sh demo|test|long|deps|build|package" >&2
	exit 64
	;;
esac
