# The screens work with the terminal types the users have: xterm-256color, screen (tmux),
# linux (the console) and vt100 (monochrome), and degrade readably in a non-UTF-8 locale.
. "$TESTS/ui/lib.sh"
init_db
printf 'p<F5>Zoé « œ »<Dump><Esc>a<F10>' > "$T/keys"
n=0
for term in xterm-256color screen linux vt100; do
	n=$((n + 1))
	TERM=$term tui "$T/keys"
	expect $((n * 2 - 1)) "Zoé « œ »"
	expect $((n * 2 - 1)) "F2 ^S Enregistrer"
done
# No UTF-8 in the locale: accents and quotes become readable ASCII, nothing unprintable.
LANG=C LC_ALL=C tui "$T/keys"
expect $((n * 2 + 1)) 'Zoe " oe "'
expect $((n * 2 + 1)) "Prenom"
