# Two people on one entry: while the interface edits an AUDIT, someone saves it from the command
# line. The interface's save is refused, says who changed what, and overwrites nothing.
. "$TESTS/ui/lib.sh"
start_tmux
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
uuid=$("$RECUEIL" entry add "$pseudo" audit q1=0 q9=0 q10=0)
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY '$RECUEIL'; sleep 30"
wait_pane t "Patients suivis"
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
tmux -L "$TMUX_SOCK" send-keys -t t "$pseudo" Enter
wait_pane t "AUDIT 0"
tmux -L "$TMUX_SOCK" send-keys -t t Enter
wait_pane t "Date de l'entrée"
tmux -L "$TMUX_SOCK" send-keys -t t Tab Tab 4
wait_pane t "AUDIT 4"
"$RECUEIL" entry edit "$uuid" q9=2 >/dev/null
tmux -L "$TMUX_SOCK" send-keys -t t F2
wait_pane t "Conflit"
pane=$(tmux -L "$TMUX_SOCK" capture-pane -p -t t)
echo "$pane" | grep -q "q9 : enregistré « 2 », vous « 0 »" || { echo "$pane" >&2; fail "différence q9 attendue"; }
echo "$pane" | grep -q "q10 : enregistré « 0 », vous « 4 »" || { echo "$pane" >&2; fail "différence q10 attendue"; }
"$RECUEIL" entry show "$uuid" | grep -qx "q9=2" || fail "la valeur de l'autre doit rester"
"$RECUEIL" entry show "$uuid" | grep -qx "q10=0" || fail "rien ne doit être écrasé"
