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
