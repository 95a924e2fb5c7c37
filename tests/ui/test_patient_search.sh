# The incremental search of the patient list: typing narrows the list (only the rows shown are
# looked at again), deleting widens it back (every row is); accents, case and dashes are ignored
# on both sides, in names and in pseudonyms.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" patient add sexe=M annee_naissance=1961 nom=Lefèvre prenom=Jean-Marc >/dev/null
"$RECUEIL" patient add sexe=F annee_naissance=1970 nom=Dupont prenom=Léa >/dev/null
"$RECUEIL" patient add sexe=M annee_naissance=1980 nom=Dupond prenom=Marc >/dev/null
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990 nom=Martin prenom=Zoé)

# shows N TOTAL NAME…: screen N counts TOTAL matches and lists exactly these names.
shows() {
	n=$1 total=$2
	shift 2
	expect "$n" "Chercher ($total sur 4)"
	rows=$(screen "$n" | grep -cE '  (Lefèvre Jean-Marc|Dupont Léa|Dupond Marc|Martin Zoé) *│?$' || true)
	[ "$rows" = $# ] || {
		screen "$n" >&2
		fail "écran $n : $# ligne(s) de patient attendue(s), $rows affichée(s)"
	}
	for name in "$@"; do
		expect "$n" "  $name"
	done
}

# The pseudonym typed in lower case, with a dash in the middle: "0a1b-2c3d" for "0A1B2C3D".
typed=$(printf '%s' "$pseudo" | tr 'A-Z' 'a-z' | sed 's/^\(....\)/\1-/')
cat >"$T/keys" <<EOF
p<Dump>
mar<Dump>
c<Dump>
<BS><Dump>
<BS><BS><BS><Dump>
DUPON<Dump>
t<Dump>
<BS><Dump>
<BS><BS><BS><BS><BS>jean-m<Dump>
<BS><BS><BS><BS><BS><BS>lefè<Dump>
<BS><BS><BS><BS>$typed<Dump>
<BS><BS><BS><BS><BS><BS><BS><BS><BS><Dump>
<F10>
EOF
tui "$T/keys"
shows 1 4 "Lefèvre Jean-Marc" "Dupont Léa" "Dupond Marc" "Martin Zoé"
shows 2 3 "Lefèvre Jean-Marc" "Dupond Marc" "Martin Zoé"       # mar
shows 3 2 "Lefèvre Jean-Marc" "Dupond Marc"                    # marc: narrowed
shows 4 3 "Lefèvre Jean-Marc" "Dupond Marc" "Martin Zoé"       # mar again: widened
shows 5 4 "Lefèvre Jean-Marc" "Dupont Léa" "Dupond Marc" "Martin Zoé"
shows 6 2 "Dupont Léa" "Dupond Marc"                           # DUPON
shows 7 1 "Dupont Léa"                                         # dupont
shows 8 2 "Dupont Léa" "Dupond Marc"                           # dupon
shows 9 1 "Lefèvre Jean-Marc"                                  # jean-m: the dash ignored
shows 10 1 "Lefèvre Jean-Marc"                                 # lefè: the accent ignored
shows 11 1 "Martin Zoé"                                        # the pseudonym, dash and case
shows 12 4 "Lefèvre Jean-Marc" "Dupont Léa" "Dupond Marc" "Martin Zoé"
