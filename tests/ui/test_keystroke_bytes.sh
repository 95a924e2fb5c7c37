# Typing one character into a field sends few bytes to the terminal (a slow SSH link stays
# usable): measured on the real output of curses through the script seam.
. "$TESTS/ui/lib.sh"
init_db
printf 'p<F5>Dupon<Dump>t<Dump>é<Dump><F10>' > "$T/keys"
RECUEIL_SCREEN_OUTPUT="$T/out" tui "$T/keys"
bytes() { grep '^--- écran' "$T/screens" | sed -n "$1p" | sed 's/.*octets=//'; }
for i in 2 3; do
	d=$(( $(bytes $i) - $(bytes $((i - 1))) ))
	echo "caractère $((i - 1)) : $d octets"
	[ "$d" -gt 0 ] && [ "$d" -le 40 ] || fail "un caractère tapé a envoyé $d octets (40 au plus)"
done
expect 3 "Dupont"
