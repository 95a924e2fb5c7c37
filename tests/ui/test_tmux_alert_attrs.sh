# In a real terminal, reverse video means one thing: the selection. Clinical alerts stand out
# otherwise (urgent bold and underlined, attention bold): on the patient's file the selected
# alert is the one reverse line among the alerts, and on the home screen the alerts' count is
# not reverse while the menu's selection is.
. "$TESTS/ui/lib.sh"
start_tmux
init_db
A=$("$RECUEIL" patient add sexe=F annee_naissance=1980)
for d in 2026-01-10 2026-02-10; do
	"$RECUEIL" entry add "$A" sante_mentale --date $d phq1=0 phq2=0 phq3=0 phq4=0 phq5=0 phq6=0 phq7=0 \
		phq8=0 phq9=3 gad1=0 gad2=0 gad3=0 gad4=0 gad5=0 gad6=0 gad7=0 >/dev/null
done
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY TERM=xterm '$RECUEIL'; sleep 30"
wait_pane t "Patients suivis"
# reverse: SGR 7, alone or among other attributes (tmux writes "\033[7m" or "\033[1;7m"...)
reverse() { grep -q "$(printf '\033')\[\([0-9]*;\)*7[;m]"; }
pane=$(tmux -L "$TMUX_SOCK" capture-pane -e -p -t t)
echo "$pane" | grep "Alertes cliniques en attente" | reverse && fail "accueil : le nombre d'alertes en vidéo inverse"
echo "$pane" | grep "1  Patients" | reverse || fail "accueil : la sélection du menu en vidéo inverse attendue"
tmux -L "$TMUX_SOCK" send-keys -t t p
wait_pane t "Chercher"
tmux -L "$TMUX_SOCK" send-keys -t t "$A" Enter
wait_pane t "Suivi ("
pane=$(tmux -L "$TMUX_SOCK" capture-pane -e -p -t t)
[ "$(echo "$pane" | grep -c "URGENT")" -eq 2 ] || { echo "$pane" >&2; fail "deux alertes urgentes attendues"; }
echo "$pane" | grep "▸ URGENT" | reverse || fail "dossier : l'alerte choisie en vidéo inverse attendue"
echo "$pane" | grep "URGENT" | grep -v "▸" | reverse && fail "dossier : une alerte non choisie en vidéo inverse"
echo "vidéo inverse : la sélection seule"
