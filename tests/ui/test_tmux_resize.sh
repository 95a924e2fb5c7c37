# Resizing mid-form, in a real terminal: the screen is laid out again at the new size with every
# value and the cursor's field kept; below the minimum size it says so, and nothing is lost.
. "$TESTS/ui/lib.sh"
start_tmux
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY TERM=xterm-256color '$RECUEIL'; sleep 30"
wait_pane t "Patients suivis"
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
tmux -L "$TMUX_SOCK" send-keys -t t "$pseudo" Enter
wait_pane t "Suivi ("
tmux -L "$TMUX_SOCK" send-keys -t t n 1 2 1
wait_pane t "▸*3."
tmux -L "$TMUX_SOCK" resize-window -t t -x 120 -y 40
# The screen at 80 columns shows q3 too: wait for the one laid out at 120 (q1 and its whole
# label on one line), not for whatever was there before the resize was drawn.
q1_wide() {
	tmux -L "$TMUX_SOCK" capture-pane -p -t t |
		grep -q "À quelle fréquence consommez-vous de l'alcool ? *2 *2 à 4 fois par mois"
}
wait_until 10 q1_wide ||
	{ tmux -L "$TMUX_SOCK" capture-pane -p -t t >&2; fail "q1 et son libellé entier attendus à 120 colonnes"; }
pane=$(tmux -L "$TMUX_SOCK" capture-pane -p -t t)
echo "$pane" | grep -q "▸\*3\." || fail "le curseur doit rester sur q3"
tmux -L "$TMUX_SOCK" resize-window -t t -x 50 -y 12
wait_pane t "Terminal trop petit"
tmux -L "$TMUX_SOCK" resize-window -t t -x 80 -y 24
wait_pane t "── q3 · choix"
tmux -L "$TMUX_SOCK" send-keys -t t 4
wait_pane t "Tous les jours ou presque"
pane=$(tmux -L "$TMUX_SOCK" capture-pane -p -t t)
echo "$pane" | grep -q "3 ou 4" || { echo "$pane" >&2; fail "q2 gardée après les changements de taille"; }
echo "$pane" | grep -q "▸\*4\." || { echo "$pane" >&2; fail "curseur sur q4 attendu"; }
