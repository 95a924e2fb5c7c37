# common.sh — what tests/cli/lib.sh and tests/ui/lib.sh share (sourced, POSIX sh).
#
#   need TOOL…           the test cannot run without TOOL: exit 77, which CTest reports as skipped
#   wait_until SECS CMD… run CMD every 50 ms until it succeeds; false after SECS seconds (a
#                        bounded wait for a condition, never a blind sleep)

need() {
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			echo "$tool absent : test non exécuté" >&2
			exit 77
		fi
	done
}

wait_until() {
	tries=$(($1 * 20))
	shift
	until "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.05
	done
}
