# The interface killed (SIGKILL) at random moments while a person fills and saves contact
# entries. Each trial runs the real program on a key script (many fills, each with a pause that
# writes the draft, then F2) and kills it once a random number of screens have been shown, a
# random few milliseconds later; a last trial does the same in a real terminal (tmux) and kills
# it right after F2. After each kill: PRAGMA integrity_check and foreign_key_check are clean,
# every save the screen acknowledged ("Entrée XXXXXXXX enregistrée") is in the file with the
# values typed and its audit row, no entry is half-saved, and a fill interrupted after its draft
# was written is either saved or offered back at the next start, values included.
# RECUEIL_KILL_TRIALS sets the number of trials (20 here; the slow label runs more).
#
# The random choices (how many screens, how many milliseconds) come from a seed printed first
# ("graine : N"); to replay a failed run with the same choices:
#   RECUEIL_TEST_SEED=N ctest --test-dir build -R ui/test_tmux_kill --output-on-failure
# (where the program is when the signal lands still depends on the machine's speed).
. "$TESTS/ui/lib.sh"
need sqlite3 tmux
seed=${RECUEIL_TEST_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
case $seed in
"" | *[!0-9]*) fail "RECUEIL_TEST_SEED=$seed : nombre entier attendu" ;;
esac
echo "graine : $seed (rejouer : RECUEIL_TEST_SEED=$seed)"
seed=$((seed % 2147483648))
trials=${RECUEIL_KILL_TRIALS:-20}
cycles=40
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
contact=$(patient_forms "$SRC/forms" | grep -n '^contact\.yaml' | cut -d: -f1)
db=$RECUEIL_DB
q() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$db" "$1"; }
# next_rand: r becomes the next number (0 to 32767) of the seeded sequence (POSIX's example rand).
next_rand() {
	seed=$(((seed * 1103515245 + 12345) % 2147483648))
	r=$((seed / 65536 % 32768))
}

killed=0 finished=0 acked_total=0 offered=0 taken_back=0 lost=0

# check_file TRIAL: the file is whole and holds every acknowledged save of the trial.
check_file() {
	acks=$(grep -o 'Entrée [0-9a-f]\{8\} enregistrée' "$T/screens" 2>/dev/null | cut -d' ' -f2 | sort -u)
	n_acks=$(printf '%s' "$acks" | grep -c . || true)
	values=
	for p in $acks; do values="$values('$p'),"; done
	# one pass: integrity, foreign keys, entries without their values or whose duration does not
	# go with their note (half-saved), acknowledged saves found with their audit row
	got=$(q "PRAGMA integrity_check; SELECT 'fk ' || count(*) FROM pragma_foreign_key_check;
		SELECT 'bad ' || count(*) FROM entries e LEFT JOIN form_contact f ON f.entry_id = e.id
		WHERE e.form = 'contact' AND (f.entry_id IS NULL OR f.notes IS NULL
		OR f.duree_min != 10 + CAST(substr(f.notes, instr(f.notes, '-') + 1) AS INTEGER));
		WITH acked(p) AS (VALUES $values('-'))
		SELECT 'found ' || count(*) FROM acked JOIN entries e ON e.uuid LIKE acked.p || '%'
		JOIN form_contact f ON f.entry_id = e.id AND f.notes LIKE 'k$1-%'
		WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.entry_uuid = e.uuid AND a.action = 'create')")
	want=$(printf 'ok\nfk 0\nbad 0\nfound %s' "$n_acks")
	[ "$got" = "$want" ] || fail "essai $1 : $(echo "$got" | tr '\n' ' ') (attendu : $(echo "$want" | tr '\n' ' '))"
	acked_total=$((acked_total + n_acks))
}

# pending TRIAL: the fill whose draft was written but whose save was not acknowledged, if the
# program was killed then ("" otherwise).
pending() {
	awk -v t="k$1-" '
		/^--- écran / { if (blk != "") last = blk; blk = "?" ; next }
		/Entrée [0-9a-f]+ enregistrée/ { blk = "ack" }
		/▸ Notes/ && index($0, t) { for (i = 1; i <= NF; i++) if (index($i, t) == 1) blk = $i }
		END { if (blk != "" && blk != "?") last = blk; if (last != "ack") print last }' "$T/screens"
}

# recover TRIAL NOTE: a draft left by the kill is offered at the next start. A fill whose save
# did not go through is taken back and saved; one saved just before the kill (its draft not yet
# deleted) is offered too, and deleted here.
recover() {
	drafts=$(q "SELECT count(*) FROM drafts")
	if [ -n "$2" ] && [ "$(q "SELECT count(*) FROM form_contact WHERE notes = '$2'")" = 0 ]; then
		[ "$drafts" = 1 ] && [ "$(q "SELECT count(*) FROM drafts WHERE content LIKE '%$2%'")" = 1 ] ||
			fail "essai $1 : la saisie $2 n'est ni enregistrée ni en brouillon"
		printf '<Dump><Enter><Dump><F2><Dump><F10>' >"$T/rkeys"
		rm -f "$T/screens"
		tui "$T/rkeys"
		expect 1 "saisies interrompues"
		expect 2 "Brouillon repris"
		expect 2 "$2"
		expect 3 "enregistrée (complète)"
		[ "$(q "SELECT count(*) FROM form_contact WHERE notes = '$2'")" = 1 ] || fail "essai $1 : brouillon repris non enregistré"
		offered=$((offered + 1))
		taken_back=$((taken_back + 1))
	elif [ "$drafts" != 0 ]; then
		printf '<Dump><Del>o<Dump><F10>' >"$T/rkeys"
		rm -f "$T/screens"
		tui "$T/rkeys"
		expect 1 "saisies interrompues"
		expect 2 "Aucune saisie interrompue"
		offered=$((offered + 1))
	fi
	[ "$(q "SELECT count(*) FROM drafts")" = 0 ] || fail "essai $1 : brouillon resté"
}

t=1
while [ $t -le "$trials" ]; do
	{
		printf 'p%s<Enter>' "$pseudo"
		c=1
		while [ $c -le $cycles ]; do
			printf 'n%s111%d<Tab><Tab>k%d-%d<Idle><Dump><F2><Dump>\n' "$contact" $((10 + c)) "$t" "$c"
			c=$((c + 1))
		done
		printf '<F10>'
	} >"$T/keys"
	rm -f "$T/screens"
	RECUEIL_KEYS="$T/keys" RECUEIL_SCREEN_DUMP="$T/screens" "$RECUEIL" &
	pid=$!
	# a random number of screens (1 to 12), then a random 0–39 ms
	next_rand
	target=$((r % 12 + 1))
	i=0
	while [ "$(cat "$T/screens" 2>/dev/null | grep -c '^--- écran')" -lt $target ] && kill -0 $pid 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 1200 ] || fail "essai $t : l'interface n'avance pas"
		sleep 0.025
	done
	next_rand
	sleep "0.0$((r % 40 / 10))$((r % 10))"
	if kill -9 $pid 2>/dev/null; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
	wait $pid 2>/dev/null || true
	check_file $t
	[ -z "${KILL_DEBUG:-}" ] || echo "essai $t : cible $target, en attente « $(pending $t) », brouillons $(q "SELECT group_concat(substr(content, 1, 60)) FROM drafts")" >&2
	recover $t "$(pending $t)"
	t=$((t + 1))
done

# In a real terminal (tmux): two saves acknowledged on screen, a third fill whose draft is
# written, then SIGKILL, right after F2 (in the middle of its save) in one session, while typing
# in another (its draft must come back).
start_tmux
# tmux_trial NAME MIDSAVE
tmux_trial() {
	tmux -L "$TMUX_SOCK" new-session -d -s "$1" -x 80 -y 24 \
		"exec env RECUEIL_DB='$db' RECUEIL_FORMS='$RECUEIL_FORMS' RECUEIL_TODAY=$RECUEIL_TODAY '$RECUEIL'"
	wait_pane "$1" "Patients suivis"
	pid=$(tmux -L "$TMUX_SOCK" list-panes -t "$1" -F '#{pane_pid}')
	tmux -L "$TMUX_SOCK" send-keys -t "$1" p
	wait_pane "$1" "Chercher"
	tmux -L "$TMUX_SOCK" send-keys -t "$1" "$pseudo" Enter
	wait_pane "$1" "Suivi ("
	: >"$T/screens"
	for c in 1 2 3; do
		tmux -L "$TMUX_SOCK" send-keys -t "$1" n
		wait_pane "$1" "quel formulaire"
		tmux -L "$TMUX_SOCK" send-keys -t "$1" "$contact" 1 1 1
		wait_pane "$1" "▸ Durée"
		tmux -L "$TMUX_SOCK" send-keys -t "$1" "$((10 + c))" Tab Tab "k$1-$c"
		wait_pane "$1" "k$1-$c"
		if [ $c -lt 3 ]; then
			tmux -L "$TMUX_SOCK" send-keys -t "$1" F2
			wait_pane "$1" "enregistrée (complète)"
			tmux -L "$TMUX_SOCK" capture-pane -p -t "$1" >>"$T/screens"
		fi
	done
	# the draft is written after a pause in typing: wait for it in the file
	i=0
	until [ "$(q "SELECT count(*) FROM drafts WHERE content LIKE '%k$1-3%'")" = 1 ]; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "tmux : brouillon jamais écrit"
		sleep 0.05
	done
	[ "$2" = 0 ] || tmux -L "$TMUX_SOCK" send-keys -t "$1" F2
	kill -9 "$pid"
	killed=$((killed + 1))
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "tmux : recueil toujours là après SIGKILL"
		sleep 0.05
	done
	check_file "$1"
	recover "$1" "$(q "SELECT 'k$1-3' WHERE NOT EXISTS (SELECT 1 FROM form_contact WHERE notes = 'k$1-3')")"
}
tmux_trial x 1
tmux_trial y 0
[ $taken_back -ge 1 ] || fail "la saisie tuée avant F2 doit être reprise"
"$RECUEIL" check >/dev/null || fail "recueil check après les essais"
rows=$(q "SELECT count(*) FROM entries WHERE form = 'contact'")
echo "essais : $((trials + 2)) ($killed tués, $finished finis avant le signal) ; sauvegardes annoncées : $acked_total, perdues : $lost ; brouillons proposés au démarrage suivant : $offered (dont $taken_back repris et enregistrés) ; entrées contact : $rows"
[ "$lost" = 0 ] || fail "$lost sauvegarde(s) annoncée(s) perdue(s)"
