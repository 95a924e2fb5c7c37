# Leaving in the middle of a form (the terminal hangs up) keeps every typed value as a draft,
# the half-typed one included; the next start offers it back, and saving it removes it.
. "$TESTS/ui/lib.sh"
init_db
printf 'p<F5>Dupont<Tab>Zo<Hangup>' > "$T/keys1"
rc=0
tui "$T/keys1" || rc=$?
[ $rc -eq 129 ] || fail "arrêt par SIGHUP attendu (code 129), obtenu $rc"
expect last "Patient — nouveau patient"
printf '<Dump><Enter><Dump>é<Tab><Tab><Tab>11980<Tab><F2><Dump><F10>' > "$T/keys2"
tui "$T/keys2"
# the draft is offered at start, with its form
expect 2 "saisies interrompues"
expect 2 "(nouveau)"
expect 2 "Patient"
# every value is back, the half-typed one in its field with the cursor on it
expect 3 "Brouillon repris"
expect 3 "Dupont"
expect 3 "▸ Prénom"
expect 3 "Zo"
expect 4 "créé ; fiche enregistrée (complète)"
printf '<Dump><F10>' > "$T/keys3"
tui "$T/keys3"
expect 6 "Saisies interrompues à reprendre : 0"
"$RECUEIL" patient list | grep -q "Dupont Zoé" || fail "patient Dupont Zoé attendu"

# A draft resumed on a choice already answered: the first key typed replaces the answer, as it
# does when the field is reached in a normal edit (it used to append: "2" then "0" gave "20").
P=$("$RECUEIL" patient add sexe=F annee_naissance=1980)
audit=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^audit\.yaml' | cut -d: -f1)
printf 'p%s<Enter>n%s2<BTab><Hangup>' "$P" "$audit" >"$T/keys4"
tui "$T/keys4" || true
rm -f "$T/screens"
printf '<Enter><Dump>0<Dump>' >"$T/keys5"
tui "$T/keys5"
expect 1 "Brouillon repris"
expect 1 "2 à 4 fois par mois"
screen 2 | grep "l.alcool ?" | grep -q " 0  *Jamais" || {
	screen 2 >&2
	fail "q1 = 0 (Jamais) attendu après la reprise"
}
if screen 2 | grep "l.alcool ?" | grep -q "20"; then
	fail "la réponse reprise doit être remplacée, pas complétée"
fi
