#!/bin/sh
# setup.sh — install what recueil needs on Debian 12, build it, and run it or test it.
#
#   scripts/setup.sh demo   install, build, open the program on a demo database
#   scripts/setup.sh test   install, build, run every test (normal build, then ASan+UBSan)
#   scripts/setup.sh deps   install the Debian packages only
#   scripts/setup.sh build  build only (build/recueil)
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config libncurses-dev libsqlite3-dev libyaml-dev zlib1g-dev
libarchive-dev nettle-dev gettext tmux 7zip unzip sqlite3 clang-format python3"

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
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRECUEIL_WERROR=ON >/dev/null
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

run_tests() {
	dir=$1
	shift
	ctest --test-dir "$dir" --output-on-failure --timeout 300 -j "$(jobs)" "$@"
}

test_all() {
	deps
	build
	run_tests build -LE 'slow|fuzz'
	echo "== ASan + UBSan ==" >&2
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRECUEIL_WERROR=ON -DRECUEIL_SANITIZE=ON >/dev/null
	cmake --build build-asan -j "$(jobs)"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_tests build-asan -LE 'slow|fuzz|lint'
}

case "${1:-}" in
demo) demo ;;
test) test_all ;;
deps) deps ;;
build) deps && build ;;
*)
	echo "usage : scripts/setup.sh demo|test|deps|build" >&2
	exit 64
	;;
esac
