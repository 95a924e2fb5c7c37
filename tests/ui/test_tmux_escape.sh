# Esc responds at once (short ESCDELAY), in a real terminal: leaving the patient list with Esc
# shows the home screen well before the one second curses waits by default.
. "$TESTS/ui/lib.sh"
start_tmux
init_db
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY '$RECUEIL'; sleep 30"
wait_pane t "Patients suivis"
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
start=$(date +%s%N)
tmux -L "$TMUX_SOCK" send-keys -t t Escape
wait_pane t "Patients suivis"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "Échap : ${ms} ms"
[ "$ms" -lt 600 ] || fail "Échap a pris ${ms} ms (attendu moins de 600 ms)"

# In a real terminal, with each terminal type's own bytes (tmux send-keys -H): PuTTY's F1 (TERM
# xterm), the Linux console's F1, vt100's PF1 open the help; Esc at home leaves the program
# running; PuTTY's F2 in a form saves; sequences no table knows leave nothing in the search line.
hex() { printf '%s' "$1" | od -An -tx1 | tr -s ' \n' '  '; }
for case in "xterm 1b 5b 31 31 7e" "linux 1b 5b 5b 41" "vt100 1b 4f 50"; do
	set -- $case
	term=$1
	shift
	tmux -L "$TMUX_SOCK" kill-session -t k 2>/dev/null || true
	tmux -L "$TMUX_SOCK" new-session -d -s k -x 80 -y 24 \
		"env TERM=$term RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY '$RECUEIL'; echo fin rc=\$?; sleep 30"
	wait_pane k "Patients suivis"
	tmux -L "$TMUX_SOCK" send-keys -t k Escape
	wait_pane k "F10 ou ^Q pour quitter"
	tmux -L "$TMUX_SOCK" send-keys -t k -H "$@"
	wait_pane k "recueil — aide"
	tmux -L "$TMUX_SOCK" send-keys -t k Escape
	wait_pane k "Patients suivis"
	tmux -L "$TMUX_SOCK" send-keys -t k p a b
	# PuTTY's F3, Ctrl-End, a bracketed paste's start, Alt-F1, F13: nothing typed
	tmux -L "$TMUX_SOCK" send-keys -t k -H $(hex "$(printf '\033[13~\033[1;5F\033[200~\033[1;3P\033[25~')")
	tmux -L "$TMUX_SOCK" send-keys -t k c
	wait_pane k "Chercher (0 sur 0) : abc"
	tmux -L "$TMUX_SOCK" capture-pane -p -t k | grep -q "abc[^ ]" && fail "$term : caractères parasites dans la recherche"
	# PuTTY's F2 in a new patient's form: the save is asked for, not "Quitter la saisie"
	tmux -L "$TMUX_SOCK" send-keys -t k F5 X
	wait_pane k "Patient — nouveau patient"
	tmux -L "$TMUX_SOCK" send-keys -t k -H 1b 5b 31 32 7e
	wait_pane k "réponse(s) obligatoire(s) manquante(s)"
	tmux -L "$TMUX_SOCK" capture-pane -p -t k | grep -q "fin rc=" && fail "$term : le programme est sorti"
	# F10 asks; only "o" quits
	tmux -L "$TMUX_SOCK" send-keys -t k Escape Escape
	wait_pane k "Quitter la saisie"
	tmux -L "$TMUX_SOCK" send-keys -t k a F10
	wait_pane k "Quitter recueil"
	tmux -L "$TMUX_SOCK" send-keys -t k o
	wait_pane k "fin rc=0"
done
echo "séquences de putty, linux et vt100 dans un vrai terminal : rien ne quitte sans question"
