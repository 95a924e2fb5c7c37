# lib_min.sh — the few helpers a CLI test needs: a private temp dir with its own database and
# a fixed clock, expectations that count, and the closing "N passed, N failed" line.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export RECUEIL_DB="$tmp/recueil.db"
export RECUEIL_TODAY=2026-11-22
unset RECUEIL_AS_USER RECUEIL_FORMS
passed=0
failed=0

expect_eq() {
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'ÉCHEC : %s\n  obtenu : %s\n  attendu : %s\n' "$1" "$2" "$3" >&2
	fi
}

expect_contains() {
	case "$2" in
	*"$3"*) passed=$((passed + 1)) ;;
	*)
		failed=$((failed + 1))
		printf 'ÉCHEC : %s\n  obtenu : %s\n  devrait contenir : %s\n' "$1" "$2" "$3" >&2
		;;
	esac
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
