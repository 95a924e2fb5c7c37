#!/bin/sh
# Concurrency soak: for a bounded time (RECUEIL_SOAK_SECONDS, 30 s here; the slow label runs
# minutes), on one file, at once:
#   - two people adding contacts from the command line (two logins);
#   - two people editing the same entry from the command line, one its duration, the other its
#     notes: a save based on a version someone else has changed since must be refused
#     ("modifiée par …"), never overwrite it;
#   - the terminal interface on key scripts, adding contacts, session after session;
#   - in a real terminal (tmux), the interface editing an entry that the command line changes
#     under it: every such save must end in the conflict screen, the other's value kept;
#   - the coordinator exporting (each archive verified), reporting and checking.
# Then: no message about a locked or busy base (or any other error) reached anyone, every
# acknowledged save is in the file, the last acknowledged edit of each field is what the file
# holds (no lost update), integrity_check and foreign_key_check are clean, every export verifies.
. "$TESTS/cli/lib.sh"
seconds=${RECUEIL_SOAK_SECONDS:-30}
need sqlite3
q() { sqlite3 -batch -noheader -cmd '.timeout 10000' "$RECUEIL_DB" "$1"; }

$RECUEIL init --structure SOAK01 >/dev/null
$RECUEIL user add worker2 --role saisie >/dev/null
$RECUEIL user add worker3 --role saisie >/dev/null
$RECUEIL user add coord --role coordination >/dev/null
contact="intervenant=psychologue type_contact=cabinet statut=realise"
P1=$($RECUEIL patient add sexe=F annee_naissance=1985)
P2=$($RECUEIL patient add sexe=M annee_naissance=1970)
P3=$($RECUEIL patient add sexe=F annee_naissance=1999)
PC=$($RECUEIL patient add sexe=M annee_naissance=1961)
for p in "$P1" "$P2" "$P3" "$PC"; do $RECUEIL patient inform "$p" >/dev/null; done
D=$($RECUEIL entry add "$P1" contact $contact duree_min=1 notes=b-0)
C=$($RECUEIL entry add "$PC" contact $contact duree_min=1)
(umask 077 && echo "phrase de passe du test d'endurance" >"$tmp/pass")
mkdir "$tmp/out" "$tmp/err"
end=$(($(date +%s) + seconds))
running() { [ "$(date +%s)" -lt "$end" ]; }

# adder LOGIN PATIENT TAG: entries added until the end; acknowledged ids in $tmp/out/TAG.
adder() {
	i=0
	while running; do
		i=$((i + 1))
		RECUEIL_AS_USER=$1 $RECUEIL entry add "$2" contact $contact duree_min=$((i % 100 + 1)) \
			notes="$3-$i" >>"$tmp/out/$3" 2>>"$tmp/err/$3" || echo "sortie $?" >>"$tmp/err/$3"
	done
}

# editor TAG FIELD=PREFIX: edits of entry D until the end; the value of each acknowledged edit
# goes to $tmp/out/TAG, each refusal for a conflict to $tmp/out/TAG.conflicts.
editor() {
	i=0
	while running; do
		i=$((i + 1))
		case $2 in
		duree_min) v=$((i % 100 + 1)) ;; # under two hours: no warning to confirm
		*) v="$2-$i" ;;
		esac
		if $RECUEIL entry edit "$D" "${2%%=*}=$v" >/dev/null 2>"$tmp/err/$1.last"; then
			echo "$v" >>"$tmp/out/$1"
		elif [ $? -eq 75 ] && grep -q "modifiée par .* rien n'a été écrasé" "$tmp/err/$1.last"; then
			echo "$v" >>"$tmp/out/$1.conflicts"
		else
			cat "$tmp/err/$1.last" >>"$tmp/err/$1"
		fi
	done
}

coordinator() {
	i=0
	while running; do
		i=$((i + 1))
		RECUEIL_AS_USER=coord $RECUEIL export --period 2026 --out "$tmp/out/export$i.zip" \
			--passphrase-file "$tmp/pass" --accept-issues "test d'endurance" >/dev/null 2>>"$tmp/err/export" ||
			echo "export sortie $?" >>"$tmp/err/export"
		RECUEIL_AS_USER=coord $RECUEIL report --period 2026 >/dev/null 2>>"$tmp/err/report" ||
			echo "report sortie $?" >>"$tmp/err/report"
		$RECUEIL check >/dev/null 2>>"$tmp/err/check" || echo "check sortie $?" >>"$tmp/err/check"
	done
}

# The interface on key scripts: each session adds five contacts to P3, dumping each screen. Its
# own login: the tmux session's conflict drafts are not offered to it.
nth=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^contact\.yaml' | cut -d: -f1)
tui_sessions() {
	s=0
	while running; do
		s=$((s + 1))
		{
			printf 'p%s<Enter>' "$P3"
			for c in 1 2 3 4 5; do
				printf 'n%s111%d<Tab><Tab>t-%d-%d<Dump><F2><Dump>\n' "$nth" $((10 + c)) $s $c
			done
			printf '<F10>'
		} >"$tmp/keys"
		RECUEIL_AS_USER=worker3 RECUEIL_KEYS="$tmp/keys" RECUEIL_SCREEN_DUMP="$tmp/out/screens" TERM=xterm LANG=C.UTF-8 \
			$RECUEIL 2>>"$tmp/err/tui" || echo "interface sortie $?" >>"$tmp/err/tui"
	done
	echo $s >"$tmp/out/tui.sessions"
}

# In tmux: open entry C, type a note, change C from the command line, save: the conflict
# screen must come, and C must keep the command line's value.
sock="recueil-soak-$$"
pane() { tmux -L "$sock" capture-pane -p -t s; }
wait_pane() { # TEXT: bounded wait (20 s) for TEXT on the pane
	k=0
	until pane | grep -qF -- "$1"; do
		k=$((k + 1))
		if [ $k -gt 400 ]; then
			{ echo "tmux : « $1 » jamais affiché"; pane; } >>"$tmp/err/tmux"
			return 1
		fi
		sleep 0.05
	done
}
conflicts_in_tmux() {
	tmux -L "$sock" new-session -d -s s -x 80 -y 24 \
		"exec env RECUEIL_DB='$RECUEIL_DB' RECUEIL_FORMS='$SRC/forms' RECUEIL_TODAY=$RECUEIL_TODAY LANG=C.UTF-8 '$RECUEIL'" || return
	wait_pane "Patients suivis" || return
	tmux -L "$sock" send-keys -t s p
	wait_pane "Chercher" || return
	tmux -L "$sock" send-keys -t s "$PC" Enter
	n=0
	while running; do
		wait_pane "Suivi (" || return
		n=$((n + 1))
		tmux -L "$sock" send-keys -t s Enter
		wait_pane "Date de l'entrée" || return
		tmux -L "$sock" send-keys -t s Tab Tab Tab Tab Tab "tui-$n"
		wait_pane "tui-$n" || return
		# the command line changes C now; it may meet the other editors: retry until it saves
		k=0
		until $RECUEIL entry edit "$C" duree_min=$((n % 100 + 2)) >/dev/null 2>"$tmp/err/tmuxcli.last"; do
			grep -q "modifiée par" "$tmp/err/tmuxcli.last" || cat "$tmp/err/tmuxcli.last" >>"$tmp/err/tmux"
			k=$((k + 1))
			[ $k -lt 50 ] || return
		done
		echo $((n % 100 + 2)) >>"$tmp/out/tmux.cli"
		tmux -L "$sock" send-keys -t s F2
		wait_pane "Conflit" || return
		pane | grep -q "rien n'a été écrasé" && echo "$n" >>"$tmp/out/tmux.conflicts"
		# close the message, leave the form, drop what was typed
		tmux -L "$sock" send-keys -t s Enter
		wait_pane "tui-$n" || return
		tmux -L "$sock" send-keys -t s Escape
		wait_pane "abandonner" || return
		tmux -L "$sock" send-keys -t s a
	done
	echo "$n" >"$tmp/out/tmux.tries"
}

adder "$(id -un)" "$P1" w1 &
p1=$!
RECUEIL_AS_USER=worker2 adder worker2 "$P2" w2 &
p2=$!
editor eda duree_min &
p3=$!
RECUEIL_AS_USER=worker2 editor edb notes &
p4=$!
coordinator &
p5=$!
tui_sessions &
p6=$!
if command -v tmux >/dev/null; then
	conflicts_in_tmux &
	p7=$!
else
	skip "tmux absent : conflits dans l'interface"
	p7=
fi
wait $p1 $p2 $p3 $p4 $p5 $p6 $p7
tmux -L "$sock" kill-server 2>/dev/null

count() { if [ -s "$1" ]; then grep -c . "$1"; else echo 0; fi; }
# ---- nobody saw an error
for f in "$tmp"/err/*; do
	case $f in *.last) continue ;; esac
	# the one expected warning: the period exported is not over
	case $f in */export) grep -v "attention : la période 2026 n'est pas terminée" "$f" >"$f.x" || true; mv "$f.x" "$f" ;; esac
	[ -s "$f" ] && fail "messages reçus par un utilisateur ($(basename "$f"))" "$(head -5 "$f")"
done
bad=$(grep -E "verrouill|locked|occupée|busy|non enregistré|brouillon non écrit|impossible|erreur" "$tmp/out/screens" | head -3)
expect_eq "aucun message d'erreur à l'écran de l'interface" "$bad" ""
pass

# ---- no lost save
for w in w1 w2; do
	acked=$(count "$tmp/out/$w")
	rows=$(q "SELECT count(*) FROM form_contact WHERE notes LIKE '$w-%'")
	expect_eq "$w : chaque ajout annoncé est dans la base" "$rows" "$acked"
	listed=$(for id in $(cat "$tmp/out/$w"); do echo "'$id'"; done | paste -sd, -)
	found=$(q "SELECT count(*) FROM entries WHERE uuid IN (${listed:-''})")
	expect_eq "$w : chaque identifiant annoncé se relit" "$found" "$acked"
done
tui_acks=$(grep -o 'Entrée [0-9a-f]\{8\} enregistrée' "$tmp/out/screens" | cut -d' ' -f2 | sort -u)
tui_acked=$(printf '%s' "$tui_acks" | grep -c .)
expect_eq "interface : chaque session a enregistré ses cinq saisies" "$tui_acked" "$((5 * $(cat "$tmp/out/tui.sessions")))"
tui_rows=$(q "SELECT count(*) FROM form_contact WHERE notes LIKE 't-%'")
expect_eq "interface : chaque enregistrement annoncé est dans la base" "$tui_rows" "$tui_acked"
missing=0
for p in $tui_acks; do
	[ "$(q "SELECT count(*) FROM entries WHERE uuid LIKE '$p%'")" = 1 ] || missing=$((missing + 1))
done
expect_eq "interface : chaque entrée annoncée se relit" "$missing" 0

# ---- no lost update, every conflict detected
expect_eq "D : la durée est la dernière modification annoncée" \
	"$(q "SELECT duree_min FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.uuid = '$D'")" \
	"$(tail -n 1 "$tmp/out/eda" 2>/dev/null || echo 1)"
expect_eq "D : la note est la dernière modification annoncée" \
	"$(q "SELECT notes FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.uuid = '$D'")" \
	"$(tail -n 1 "$tmp/out/edb" 2>/dev/null || echo b-0)"
cli_edits=$(($(count "$tmp/out/eda") + $(count "$tmp/out/edb")))
cli_conflicts=$(($(count "$tmp/out/eda.conflicts") + $(count "$tmp/out/edb.conflicts")))
rv=$(q "SELECT row_version FROM entries WHERE uuid = '$D'")
expect_eq "D : une version par modification annoncée, aucune de plus" "$rv" "$((cli_edits + 1))"
if [ -n "$p7" ]; then
	tries=$(cat "$tmp/out/tmux.tries" 2>/dev/null || echo 0)
	expect_true "tmux : au moins un conflit essayé" [ "$tries" -ge 1 ]
	expect_eq "tmux : chaque enregistrement sur une version dépassée a donné l'écran de conflit" \
		"$(count "$tmp/out/tmux.conflicts")" "$tries"
	expect_eq "C : la valeur de la ligne de commande est restée" \
		"$(q "SELECT duree_min FROM entries e JOIN form_contact f ON f.entry_id = e.id WHERE e.uuid = '$C'")" \
		"$(tail -n 1 "$tmp/out/tmux.cli")"
	expect_eq "C : rien de l'interface n'a écrasé la base" \
		"$(q "SELECT count(*) FROM form_contact WHERE notes LIKE 'tui-%'")" 0
fi

# ---- the file and the exports
expect_eq "integrity_check" "$(q 'PRAGMA integrity_check')" ok
expect_eq "foreign_key_check" "$(q 'PRAGMA foreign_key_check')" ""
run check
expect_rc "recueil check" 0
exports=0
for z in "$tmp"/out/export*.zip; do
	[ -e "$z" ] || continue
	exports=$((exports + 1))
	run verify "$z" --passphrase-file "$tmp/pass"
	expect_rc "l'export $(basename "$z") se vérifie" 0
done
expect_true "au moins un export pendant le test" [ "$exports" -ge 1 ]
echo "endurance $seconds s : ajouts annoncés $(count "$tmp/out/w1") + $(count "$tmp/out/w2") (ligne de commande), $tui_acked (interface, $(cat "$tmp/out/tui.sessions") sessions) ; modifications annoncées $cli_edits, conflits détectés $cli_conflicts (ligne de commande) + $(count "$tmp/out/tmux.conflicts")/$(cat "$tmp/out/tmux.tries" 2>/dev/null || echo 0) (interface) ; exports vérifiés $exports ; perdus 0"
# RECUEIL_SOAK_KEEP=DIR keeps what the processes wrote (screens, ids, messages) for a look.
[ -z "${RECUEIL_SOAK_KEEP:-}" ] || cp -r "$tmp/out" "$tmp/err" "$RECUEIL_SOAK_KEEP"
finish
