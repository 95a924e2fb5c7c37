# Identity fields (identifier: true: name, first name, phone, notes) never reach the screen of
# the coordination role: not in the patient list, its search, the patient file, the inclusion
# entry nor a contact's notes. An entry the coordination changes and saves keeps them as they
# were. The saisie role, which meets the patients, sees them on the same screens.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
"$RECUEIL" user add soignante --role saisie >/dev/null
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1970 nom=Dupont prenom=Léa \
	telephone="06 12 34 56 78" notes="Suivie aussi par le Dr Garnier")
"$RECUEIL" entry add "$pseudo" contact --date 2026-03-01 intervenant=psychologue \
	type_contact=cabinet statut=realise duree_min=45 notes="Parle de son frère Marcel" >/dev/null
identity="Dupont|Léa|06 12 34 56 78|Garnier|Marcel"

cat >"$T/keys" <<'KEYS'
# the list, then searched by name
p<Dump>
Dup<Dump>
<BS><BS><BS>
# the patient file, its inclusion entry (newest first)
<Enter><Dump>
<Enter><Dump>
# the year of birth changed and saved
<Tab><C-u>1971<Tab><F2><Dump>
# the contact
<Down><Enter><Dump>
<Esc><F10>
KEYS
RECUEIL_AS_USER=coord tui "$T/keys"
n=$(grep -c '^--- écran ' "$T/screens")
[ "$n" -ge 6 ] || fail "6 écrans attendus, $n obtenus"
i=1
while [ "$i" -le "$n" ]; do
	if screen "$i" | grep -qE "$identity"; then
		screen "$i" >&2
		fail "écran $i : donnée d'identité montrée au rôle coordination"
	fi
	i=$((i + 1))
done
# What the coordination may see is there: the screens are the ones meant.
expect 1 "$pseudo    F     1970"
expect 2 "Chercher (0 sur 1) : Dup"
expect 3 "Patient $pseudo · Femme · 1970"
expect 4 "Année de naissance"
expect 4 "Données administratives"
expect 5 "enregistrée (complète)"
expect 6 "Psychologue"
expect 6 "45"

# Nothing of the identity was lost by the coordination's save.
uuid=$("$RECUEIL" entry list "$pseudo" | awk -F '\t' '$3 == "patient" { print $1 }')
shown=$("$RECUEIL" entry show "$uuid")
for line in "nom=Dupont" "prenom=Léa" "telephone=06 12 34 56 78" "notes=Suivie aussi par le Dr Garnier" \
	"annee_naissance=1971"; do
	printf '%s\n' "$shown" | grep -qxF "$line" || fail "« $line » attendu après l'enregistrement par la coordination"
done

# The same screens for the saisie role show the identity.
cat >"$T/keys2" <<'KEYS'
p<Dump>
Dup<Dump>
<BS><BS><BS>
<Enter><Dump>
<Enter><Dump>
<Esc><Down><Enter><Dump>
<Esc><F10>
KEYS
rm -f "$T/screens"
RECUEIL_AS_USER=soignante tui "$T/keys2"
expect 1 "Dupont Léa"
expect 2 "Chercher (1 sur 1) : Dup"
expect 3 "Léa Dupont"
expect 4 "Suivie aussi par le Dr Garnier"
expect 5 "Parle de son frère Marcel"
