# A form of the structure (scope: structure) made by YAML alone (tests/data/structure_form) is
# reached from the home screen, listed with the list widget, entered, reopened and changed, and
# deleted by an admin after a yes/no question, with the form screen as for any form and no
# patient anywhere; what the screens stored is what the command line reads back. A saisie user
# may enter one but not delete it.
. "$TESTS/ui/lib.sh"
mkdir "$T/forms"
cp "$SRC"/forms/*.yaml "$TESTS/data/structure_form/atelier.yaml" "$T/forms/"
export RECUEIL_FORMS="$T/forms"
init_db
"$RECUEIL" user add saisie1 --role saisie >/dev/null
cat > "$T/keys" <<'KEYS'
<Dump>
f<Dump>
<F5><Dump>
<Enter><Dump>
# the cursor starts on the first question, the date stays; Tabac (its number), 8 participants,
# both facilitators, nicotine replacement
2
8<Tab>12<Tab>o<Dump>
<F2><Dump>
# reopened: 9 participants
<Enter><Tab>9<F2><Dump>
<Del><Dump>
o<Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Fiches de la structure : réunions d'équipe… (f)"
expect 2 "Fiches de la structure : 0 fiche(s), sans patient"
expect 2 "Aucune fiche."
expect 3 "Nouvelle fiche : quel formulaire ?"
expect 3 "1  Atelier collectif"
expect 3 "2  Réunion d'équipe"
expect 4 "Atelier collectif — fiche de la structure"
expect 5 "Atelier Tabac, 8 participants"
screen 5 | grep -q "Heures d'animation *3,0" || {
	screen 5 >&2
	fail "heures d'animation 3,0 attendues"
}
expect 6 "1 fiche(s), sans patient"
expect 6 "2026-03-02  complète   Atelier collectif : Atelier Tabac, 8 participants"
expect 7 "Atelier collectif : Atelier Tabac, 9 participants"
expect 8 "Supprimer la fiche du 2026-03-02 ?"
expect 9 "Fiche du 2026-03-02 supprimée"
expect 9 "Aucune fiche."

# what the screens stored and deleted, as the command line and the audit trail read it
"$RECUEIL" log | grep -q "modification  atelier .*participants : 8 → 9" || fail "modification attendue dans le journal"
"$RECUEIL" log | grep -q "suppression  atelier" || fail "suppression attendue dans le journal"
[ -z "$("$RECUEIL" entry list --form atelier)" ] || fail "plus aucune fiche attendue"

# a saisie user enters one from the screen, and may not delete it
rm -f "$T/screens"
cat > "$T/keys" <<'KEYS'
f<F5><Enter>3
4<Tab><F2><Dump>
<Del><Dump>
<F10>
KEYS
RECUEIL_AS_USER=saisie1 tui "$T/keys"
expect 1 "Atelier collectif : Atelier Sommeil, 4 participants"
expect 2 "réservé"
"$RECUEIL" entry list --form atelier | grep -q "complete	Atelier Sommeil, 4 participants" ||
	fail "la fiche saisie par saisie1 attendue"
