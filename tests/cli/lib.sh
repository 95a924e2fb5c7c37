# lib.sh — shared helpers of the command-line tests (sourced, POSIX sh).
#
# CTest gives RECUEIL (the binary), SRC (the source tree) and TESTS (the tests directory). Each
# test gets a private temporary directory ($tmp) holding its database, a fixed clock
# (RECUEIL_TODAY=2026-11-22) and counts its expectations; `finish` prints "N passed, N failed"
# and gives the exit status: 1 when a check failed, 77 (CTest: skipped) when a group of checks
# could not run here, 0 otherwise.
#
#   run ARGS…            run recueil; sets $rc, $out (stdout) and $err (stderr)
#   on DB ARGS…          the same on database DB
#   one_line TEXT        TEXT is exactly one non-empty line
#   expect_rc DESC N     the last run exited with N
#   expect_eq DESC GOT WANT, expect_contains DESC TEXT PART, expect_lacks DESC TEXT PART
#   need TOOL…, wait_until SECS CMD…   from tests/common.sh
#   skip WHAT            a group of checks that cannot run here (a tool missing, not root)
#   inform_all           record that every patient of $RECUEIL_DB was informed (the export's
#                        check lists the patients never informed)
set -u
: "${RECUEIL:?RECUEIL must name the recueil binary}" "${SRC:?SRC must name the source tree}"
: "${TESTS:=$SRC/tests}"
# shellcheck source=../common.sh
. "$TESTS/common.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/recueil-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
export RECUEIL_DB="$tmp/recueil.db"
export RECUEIL_TODAY=2026-11-22
unset RECUEIL_AS_USER RECUEIL_NOW RECUEIL_FORMS XDG_DATA_HOME
export LC_ALL=C.UTF-8

passed=0
failed=0
skipped=0
rc=0
out=
err=

pass() {
	passed=$((passed + 1))
}

fail() {
	failed=$((failed + 1))
	printf 'ÉCHEC : %s\n' "$1" >&2
	shift
	for line in "$@"; do
		printf '  %s\n' "$line" >&2
	done
}

# run ARGS… — the binary with ARGS; a sanitizer report on stderr is a failure by itself.
run() {
	"$RECUEIL" "$@" >"$tmp/.out" 2>"$tmp/.err"
	rc=$?
	out=$(cat "$tmp/.out")
	err=$(cat "$tmp/.err")
	case "$err" in
	*Sanitizer* | *"runtime error:"*)
		fail "rapport de sanitizer pour « recueil $* »" "$err"
		;;
	esac
}

# on DB ARGS… — run ARGS on database DB (RECUEIL_DB for that command only).
on() {
	_db=$1
	shift
	_saved=$RECUEIL_DB
	RECUEIL_DB=$_db
	run "$@"
	RECUEIL_DB=$_saved
}

one_line() {
	[ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ]
}

expect_rc() {
	if [ "$rc" -eq "$2" ]; then
		pass
	else
		fail "$1" "code de sortie : $rc (attendu : $2)" "stdout : $out" "stderr : $err"
	fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1" "obtenu :" "$2" "attendu :" "$3"
	fi
}

expect_contains() {
	case "$2" in
	*"$3"*) pass ;;
	*) fail "$1" "obtenu : $2" "devrait contenir : $3" ;;
	esac
}

expect_lacks() {
	case "$2" in
	*"$3"*) fail "$1" "obtenu : $2" "ne devrait pas contenir : $3" ;;
	*) pass ;;
	esac
}

# expect_true DESC COMMAND… — the command succeeds.
expect_true() {
	desc=$1
	shift
	if "$@"; then
		pass
	else
		fail "$desc" "commande en échec : $*"
	fi
}

# pseudonym_valid P — 8 Crockford base32 symbols, the last a check symbol:
# alphabet[(1·v1 + 2·v2 + … + 7·v7) mod 31].
pseudonym_valid() {
	case "$1" in
	"" | *[!0-9A-HJKMNP-TV-Z]*) return 1 ;;
	esac
	[ "${#1}" -eq 8 ] || return 1
	printf '%s\n' "$1" | awk '
		BEGIN { a = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" }
		{
			s = 0
			for (i = 1; i <= 7; i++)
				s += i * (index(a, substr($0, i, 1)) - 1)
			exit substr(a, s % 31 + 1, 1) == substr($0, 8, 1) ? 0 : 1
		}'
}

# field VALUE_LINES NAME — the value of NAME in "field=value" lines.
field() {
	printf '%s\n' "$1" | sed -n "s/^$2=//p"
}

have_sqlite3() {
	command -v sqlite3 >/dev/null 2>&1
}

# data_offsets ZIP — three byte offsets inside the stored data of the archive's largest entries
# (in the middle of each), where a changed byte must be noticed. Offsets taken at a fraction of
# the file may land on bytes of a local header that carry nothing (the version needed, a date),
# which no check is meant to cover. Needs python3.
data_offsets() {
	python3 - "$1" <<'PYEOF'
import struct, sys, zipfile
path = sys.argv[1]
with open(path, "rb") as f:
    raw = f.read()
infos = sorted(zipfile.ZipFile(path).infolist(), key=lambda i: -i.compress_size)[:3]
for i in infos:
    o = i.header_offset
    name_len, extra_len = struct.unpack("<HH", raw[o + 26:o + 30])
    print(o + 30 + name_len + extra_len + i.compress_size // 2)
PYEOF
}

skip() {
	skipped=$((skipped + 1))
	printf 'non vérifié : %s\n' "$1" >&2
}

inform_all() {
	for p in $("$RECUEIL" patient list | cut -f1); do
		"$RECUEIL" patient inform "$p" >/dev/null || return 1
	done
}

finish() {
	if [ "$skipped" -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped groupe(s) de vérifications non faits (voir plus haut)"
	else
		echo "$passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ] || exit 1
	[ "$skipped" -eq 0 ] || exit 77
}
