# A dropped SSH link: SIGHUP in the middle of a form, in a real terminal (tmux). The draft is
# written, the terminal restored, and the next start offers every typed value back.
. "$TESTS/ui/lib.sh"
start_tmux
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"exec env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY TERM=screen '$RECUEIL'"
wait_pane t "Patients suivis"
pid=$(tmux -L "$TMUX_SOCK" list-panes -t t -F '#{pane_pid}')
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
tmux -L "$TMUX_SOCK" send-keys -t t "$pseudo" Enter
wait_pane t "Suivi ("
tmux -L "$TMUX_SOCK" send-keys -t t n
wait_pane t "quel formulaire"
tmux -L "$TMUX_SOCK" send-keys -t t 1 3 1 0
wait_pane t "▸*4."
tmux -L "$TMUX_SOCK" send-keys -t t 2
wait_pane t "Une fois par mois"
kill -HUP "$pid"
i=0
while kill -0 "$pid" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "recueil ne s'est pas arrêté sur SIGHUP"
	sleep 0.05
done
printf '<Enter><Dump>' > "$T/keys"
tui "$T/keys"
expect 2 "Brouillon repris"
expect 2 "2 à 3 fois par semaine"
expect 2 "3 ou 4"
expect 2 "Jamais"
expect 2 "Une fois par mois"
