# After the interface and the commands exit cleanly, the .db file alone holds every save: the
# last one out copies the WAL into it, so that `cp recueil.db copie.db` (what a user does who
# has not read that backups are made with `recueil backup`) copies every patient.
. "$TESTS/ui/lib.sh"
init_db
for year in 1961 1972 1983; do
	"$RECUEIL" patient add sexe=F annee_naissance=$year >/dev/null
done
cat >"$T/keys" <<'KEYS'
p<F5>
Dupont<Tab>Zoé<Tab>06 12 34 56 78<Tab><Tab>
11980<Tab><Tab>3
1<Tab>6<F2><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "créé"
[ ! -e "$RECUEIL_DB-wal" ] || fail "le fichier -wal reste après la sortie du dernier utilisateur"
cp "$RECUEIL_DB" "$T/copie.db"
list=$("$RECUEIL" --db "$T/copie.db" patient list) || fail "la copie ne s'ouvre pas"
[ "$(printf '%s\n' "$list" | wc -l)" -eq 4 ] || fail "4 patients attendus dans la copie, obtenu : $list"
printf '%s\n' "$list" | grep -q "Dupont Zoé" || fail "le patient saisi à l'écran manque à la copie : $list"
for year in 1961 1972 1983; do
	printf '%s\n' "$list" | grep -q "	$year	" || fail "le patient né en $year manque à la copie"
done

# A command that saves while the interface is open leaves the WAL to the interface, which
# copies it into the file when it leaves last.
start_tmux
tmux -L "$TMUX_SOCK" new-session -d -s t -x 80 -y 24 \
	"env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY '$RECUEIL'; echo fini; sleep 30"
wait_pane t "Patients suivis"
"$RECUEIL" patient add sexe=M annee_naissance=1994 >/dev/null
[ -e "$RECUEIL_DB-wal" ] || fail "le WAL reste tant que l'interface a la base ouverte"
tmux -L "$TMUX_SOCK" send-keys -t t F10
wait_pane t "Quitter recueil"
tmux -L "$TMUX_SOCK" send-keys -t t o
wait_pane t "fini"
[ ! -e "$RECUEIL_DB-wal" ] || fail "le fichier -wal reste après la sortie de l'interface"
cp "$RECUEIL_DB" "$T/copie2.db"
"$RECUEIL" --db "$T/copie2.db" patient list | grep -q "	1994	" ||
	fail "le patient enregistré pendant que l'interface était ouverte manque à la copie"
