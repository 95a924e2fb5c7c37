# The keys of the terminals the users have, as those terminals send them (over the key script's
# <Seq> seam, decoded by curses and the program exactly as typed keys): PuTTY's defaults (TERM
# xterm, F1–F4 as ESC [11~…), xterm, the Linux console and vt100, for F1–F12, Home, End and the
# Ctrl-arrows. No key quits without asking, Esc at home does nothing, no sequence leaves a
# character in the search line or in a field, and each function key does what its name says.
. "$TESTS/ui/lib.sh"
init_db

E='\e'
fkeys_xterm="${E}OP ${E}OQ ${E}OR ${E}OS ${E}[15~ ${E}[17~ ${E}[18~ ${E}[19~ ${E}[20~ ${E}[21~ ${E}[23~ ${E}[24~"
fkeys_putty="${E}[11~ ${E}[12~ ${E}[13~ ${E}[14~ ${E}[15~ ${E}[17~ ${E}[18~ ${E}[19~ ${E}[20~ ${E}[21~ ${E}[23~ ${E}[24~"
fkeys_linux="${E}[[A ${E}[[B ${E}[[C ${E}[[D ${E}[[E ${E}[17~ ${E}[18~ ${E}[19~ ${E}[20~ ${E}[21~ ${E}[23~ ${E}[24~"
fkeys_vt100="${E}OP ${E}OQ ${E}OR ${E}OS ${E}[15~ ${E}[17~ ${E}[18~ ${E}[19~ ${E}[20~ ${E}[21~ ${E}[23~ ${E}[24~"
# Home, End, Ctrl-Left, Ctrl-Right, Ctrl-Up, Ctrl-Down, Ctrl-Home, Ctrl-End; then sequences no
# table knows (Alt-F1, a modified F5, F13, focus in, a bracketed paste's start).
moves_xterm="${E}OH ${E}OF ${E}[1;5D ${E}[1;5C ${E}[1;5A ${E}[1;5B ${E}[1;5H ${E}[1;5F"
moves_putty="${E}[1~ ${E}[4~ ${E}OD ${E}OC ${E}OA ${E}OB ${E}[1~ ${E}[4~"
moves_linux="${E}[1~ ${E}[4~ ${E}[D ${E}[C ${E}[A ${E}[B ${E}[1~ ${E}[4~"
moves_vt100="${E}[H ${E}[F ${E}[1;5D ${E}[1;5C ${E}[1;5A ${E}[1;5B ${E}[1;5H ${E}[1;5F"
unknown="${E}[1;3P ${E}[15;5~ ${E}[25~ ${E}[I ${E}[200~ ${E}OT ${E}[99;99;99z"

for terminal in putty xterm linux vt100; do
	case $terminal in
	putty) export TERM=xterm ;;
	*) export TERM=$terminal ;;
	esac
	eval "fkeys=\$fkeys_$terminal moves=\$moves_$terminal"
	rm -f "$RECUEIL_DB" "$RECUEIL_DB"-*
	init_db # no draft left by the previous terminal's run

	# At home: each function key, then Esc twice (closes what it opened, then does nothing).
	: >"$T/keys"
	n=0
	for s in $fkeys $moves $unknown; do
		printf '<Seq %s><Dump><Esc><Esc>' "$s" >>"$T/keys"
		n=$((n + 1))
	done
	rm -f "$T/screens"
	tui "$T/keys" || fail "$terminal : l'interface a échoué"
	dumps=$(grep -c '^--- écran' "$T/screens")
	[ "$dumps" -eq $((n + 1)) ] || fail "$terminal : $dumps écrans au lieu de $((n + 1)) : une touche a fait quitter"
	expect 1 "recueil — aide"          # F1
	expect 6 "recueil — patients"      # F6
	expect 10 "Quitter recueil"        # F10 asks
	expect 10 "o : quitter ; n, Entrée ou Échap : continuer"
	expect last "Prochaine échéance"   # still at home after all of them
	expect_not last "Quitter recueil"

	# In the search line and in a text field: nothing but what is typed.
	rm -f "$T/screens"
	{
		printf 'pab'
		for s in $moves $unknown; do printf '<Seq %s>' "$s"; done
		printf '<End>cd<Dump><F5>Du'
		# in a field, Ctrl-Up and Ctrl-Down move to another field, as the arrows do
		set -- $moves
		for s in "$1" "$2" "$3" "$4" "$7" "$8" $unknown; do printf '<Seq %s>' "$s"; done
		printf '<End>pont<Dump>'
		# F2 saves (here: a required answer is missing), it never opens "Quitter la saisie"
		set -- $fkeys
		printf '<Seq %s><Dump>' "$2"
	} >"$T/keys"
	tui "$T/keys" || fail "$terminal : l'interface a échoué"
	expect 1 "Chercher (0 sur 0) : abcd"
	screen 1 | grep -q 'abcd[^ ]' && fail "$terminal : caractères en trop dans la recherche"
	expect 2 "Dupont"
	screen 2 | grep 'Nom' | grep -q 'Dupont[^ ]' && fail "$terminal : caractères en trop dans le champ"
	expect_not 3 "Quitter la saisie"
	expect 3 "réponse(s) obligatoire(s) manquante(s)"
done

rm -f "$RECUEIL_DB" "$RECUEIL_DB"-*
init_db
# The numeric keypad in application mode types digits, even where vt100's terminfo calls its
# keys F5–F10 (keypad 8 would be F10) and xterm's calls them A1…C3.
for TERM in vt100 xterm; do
	export TERM
	rm -f "$T/screens"
	printf 'p<Seq \eOq><Seq \eOx><Seq \eOn><Seq \eOp><Dump>' >"$T/keys"
	tui "$T/keys"
	expect 1 "Chercher (0 sur 0) : 18.0"
	expect_not 1 "Quitter recueil"
done

# The issue's own sequence: a draft resumed, PuTTY's F2 saves it, Esc goes back home and the
# program keeps running (it used to quit, and the next keys went to the shell).
export TERM=xterm
printf 'p<F5>Martin<Tab>Zoé<Tab><Tab><Tab>11984<F10>o' >"$T/keys"
tui "$T/keys"
[ "$("$RECUEIL" patient list | wc -l)" -eq 0 ] || fail "rien ne doit être enregistré avant F2"
rm -f "$T/screens"
printf '<Enter><Seq \e[12~><Dump><Esc><Dump><Esc><Dump>p<Dump>' >"$T/keys"
tui "$T/keys"
expect 1 "créé"
expect 2 "Prochaine échéance"
expect 3 "Prochaine échéance"
expect 4 "recueil — patients"
expect 4 "Martin Zoé"
echo "touches de putty, xterm, linux et vt100 : aucune sortie sans question, aucun caractère parasite"
