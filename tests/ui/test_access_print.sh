# The patient's rights on the screens: « d » in the patient file writes the access
# document into the home directory, under a name not taken, says where, and logs the print;
# the document of a coordinator has no name in it. The home screen says when patients are past
# the retention period of reporting.yaml, and only then.
. "$TESTS/ui/lib.sh"
init_db
export HOME="$T/home"
mkdir "$HOME"
"$RECUEIL" user add coord --role coordination >/dev/null
P=$("$RECUEIL" patient add sexe=F annee_naissance=1980 nom=XQZUINOM prenom=Zoelie)
"$RECUEIL" entry add "$P" audit --date 2026-02-01 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4 >/dev/null

if [ -x "${RECUEIL_GROFF:-/usr/bin/groff}" ] && [ -x "$(dirname "${RECUEIL_GROFF:-/usr/bin/groff}")/gropdf" ]; then
	ext=pdf
else
	ext=txt
fi
doc="$HOME/recueil-acces-$P-2026-03-02.$ext"
doc2="$HOME/recueil-acces-$P-2026-03-02-2.$ext"

# Home: nobody is past the retention period, nothing is said.
cat >"$T/keys" <<KEYS
<Dump>
p$P<Enter><Dump>
d<Dump>
d<Dump>
<F10>
KEYS
tui "$T/keys"
expect_not 1 "durée de conservation"
expect 2 "Patient $P"
expect 3 "Document d'accès écrit, à imprimer : ~/recueil-acces-$P-2026-03-02.$ext"
expect 4 "Document d'accès écrit, à imprimer : ~/recueil-acces-$P-2026-03-02-2.$ext"
[ -s "$doc" ] || fail "document $doc absent"
[ -s "$doc2" ] || fail "second document $doc2 absent"
[ "$(stat -c %a "$doc")" = 600 ] || fail "document lisible par d'autres : $(stat -c %a "$doc")"
text() {
	if [ "$ext" = pdf ]; then
		need pdftotext
		pdftotext -layout "$1" -
	else
		cat "$1"
	fi
}
text "$doc" | grep -qF "Patient : Zoelie XQZUINOM, pseudonyme $P" || fail "nom et pseudonyme attendus dans le document"
text "$doc" | grep -qF "AUDIT — consommation d'alcool, du 01/02/2026" || fail "l'entrée AUDIT attendue dans le document"
"$RECUEIL" log | grep -qF "patient $P document d'accès édité (droit d'accès, format" ||
	fail "édition attendue dans le journal"

# A coordinator's document: the pseudonym, never the name.
rm -f "$T/screens"
printf 'p%s<Enter>d<Dump><F10>' "$P" >"$T/keys"
RECUEIL_AS_USER=coord tui "$T/keys"
doc3="$HOME/recueil-acces-$P-2026-03-02-3.$ext"
expect 1 "Document d'accès écrit, à imprimer : ~/recueil-acces-$P-2026-03-02-3.$ext"
text "$doc3" | grep -qF "Patient : pseudonyme $P" || fail "pseudonyme attendu dans le document de la coordination"
if text "$doc3" | grep -qF XQZUINOM; then fail "nom dans le document de la coordination"; fi

# Two patients last seen more than 20 years ago: the home screen says so.
for day in 2001-05-02 2003-07-04; do
	RECUEIL_TODAY=$day "$RECUEIL" patient add sexe=M annee_naissance=1950 >/dev/null
done
rm -f "$T/screens"
printf '<Dump><F10>' >"$T/keys"
tui "$T/keys"
expect 1 "2 dossiers ont dépassé la durée de conservation (recueil purge --expired)"
