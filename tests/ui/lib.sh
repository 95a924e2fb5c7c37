# lib.sh — what the terminal tests share: a fresh database with a fixed clock, the interface run
# on a key script (RECUEIL_KEYS) with its screens dumped as text (RECUEIL_SCREEN_DUMP), and
# assertions on those screens. Sourced by tests/ui/test_*.sh; needs RECUEIL and SRC (CTest sets
# them).
set -eu
: "${RECUEIL:?RECUEIL must name the recueil binary}" "${SRC:?SRC must name the source directory}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export RECUEIL_DB="$T/recueil.db" RECUEIL_FORMS="$SRC/forms" RECUEIL_TODAY=2026-03-02
export RECUEIL_NOW=2026-03-02T10:00:00Z
export LANG=C.UTF-8 TERM=xterm
unset LC_ALL LC_MESSAGES LANGUAGE LINES COLUMNS RECUEIL_AS_USER || true

fail() {
	echo "ÉCHEC : $*" >&2
	exit 1
}

# need TOOL…, wait_until SECS CMD…
# shellcheck source=../common.sh
. "${TESTS:-$SRC/tests}/common.sh"

# patient_forms DIR: the file names of the forms the patient file's "new entry" menu offers, in
# its order (the forms directory's): neither reporting.yaml nor the structure's own forms.
patient_forms() {
	for f in "$1"/*.yaml; do
		case ${f##*/} in reporting*) continue ;; esac
		grep -q '^scope: structure' "$f" || echo "${f##*/}"
	done
}
init_db() {
	"$RECUEIL" init --structure TEST01 --name "Structure de test" >/dev/null
}

# tui KEYFILE: run the interface on the keys of KEYFILE; screens are appended to $T/screens.
tui() {
	RECUEIL_KEYS="$1" RECUEIL_SCREEN_DUMP="$T/screens" "$RECUEIL"
}

# screen N: the text of the Nth screen dumped (1-based), or "last".
screen() {
	if [ "$1" = last ]; then
		awk '/^--- écran /{buf=""; next} {buf = buf $0 "\n"} END {printf "%s", buf}' "$T/screens"
	else
		awk -v n="$1" '/^--- écran /{k++; next} k==n' "$T/screens"
	fi
}

# bar LABEL N: the number of full blocks (█) of the first line of screen N that holds LABEL;
# line_ends LABEL N TEXT: that line ends with TEXT.
bar() { screen "$2" | grep -F -- "$1" | head -1 | grep -o '█' | wc -l; }
line_ends() {
	screen "$2" | grep -F -- "$1" | head -1 | grep -q -- "$3\$" || {
		screen "$2" >&2
		fail "écran $2 : « $1 » devrait finir par « $3 »"
	}
}

# expect N TEXT: screen N shows TEXT; expect_not N TEXT: it does not.
expect() {
	screen "$1" | grep -qF -- "$2" || {
		screen "$1" >&2
		fail "écran $1 : « $2 » attendu"
	}
}
expect_not() {
	if screen "$1" | grep -qF -- "$2"; then
		screen "$1" >&2
		fail "écran $1 : « $2 » inattendu"
	fi
}

# wait_pane SESSION TEXT [SECONDS]: wait until a tmux pane shows TEXT (no blind sleeps).
wait_pane() {
	i=0
	limit=$(( ${3:-10} * 20 ))
	while ! tmux -L "$TMUX_SOCK" capture-pane -p -t "$1" | grep -qF -- "$2"; do
		i=$((i + 1))
		if [ $i -gt $limit ]; then
			tmux -L "$TMUX_SOCK" capture-pane -p -t "$1" >&2
			fail "tmux : « $2 » jamais affiché"
		fi
		sleep 0.05
	done
}

# A private tmux server per test, killed at the end.
start_tmux() {
	need tmux
	TMUX_SOCK="recueil-test-$$"
	trap 'tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true; rm -rf "$T"' EXIT
}
