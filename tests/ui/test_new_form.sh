# A questionnaire is data (issue 8): a small form added as YAML only, in a forms directory of its
# own, is offered in the "new entry" menu and filled in the terminal interface with no change to
# the program: its calculated field follows the typing, its soft rule asks for a reason, its
# alert shows on the form and on the patient's file, and the values are stored.
. "$TESTS/ui/lib.sh"
mkdir "$T/forms"
cp "$SRC"/forms/*.yaml "$T/forms/"
cp "$TESTS/data/new_form/suivi_sommeil.yaml" "$T/forms/"
export RECUEIL_FORMS="$T/forms"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1979)
# the "new entry" menu lists the forms in the order of the forms directory: arrows reach any
n=$(patient_forms "$T/forms" | grep -n '^suivi_sommeil\.yaml' | cut -d: -f1)
down=""
i=1
while [ "$i" -lt "$n" ]; do
	down="$down<Down>"
	i=$((i + 1))
done
cat > "$T/keys" <<KEYS
p$P<Enter>n$down<Dump>
<Enter><Dump>
# on the first question (the date is one Maj-Tab away): 2,5 hours, and the alert holds as soon
# as it is typed
2,5<Dump>
# leaving the field: under 3 hours asks for a reason
<Tab><Dump>
nuit agitée<Enter>
# quality 3 (Mauvaise): the index is calculated, and the wake-ups are asked
3<Dump>
4<Tab><Dump>
<F2><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Nouvelle entrée : quel formulaire ?"
expect 1 "Suivi du sommeil"
expect 2 "Suivi du sommeil — $P"
expect 2 "Heures de sommeil par nuit, en moyenne"
expect 2 "Indice de dette de sommeil"
expect_not 2 "Moins de 4 h"
expect_not 2 "Réveils par nuit"
expect 3 "!! ATTENTION — Moins de 4 h de sommeil par nuit : en parler au médecin."
expect 3 "Sommeil 2,5 h"
expect 4 "Valeur inhabituelle"
expect 4 "Heures de sommeil par nuit, en … : durée inhabituelle : vérifier"
expect 5 "Réveils par nuit"
expect 5 "Sommeil 2,5 h, qualité Mauvaise"
screen 5 | grep -q "Indice de dette de sommeil *16,5" || {
	screen 5 >&2
	fail "indice 16,5 attendu"
}
expect 6 "!! ATTENTION — Moins de 4 h"
expect 7 "enregistrée (complète) ; alerte clinique à acquitter (F8)"
expect 7 "Alertes cliniques en attente (1)"
expect 7 "ATTENTION 2026-03-02  Moins de 4 h de sommeil par nuit"
expect 7 "Sommeil 2,5 h, qualité Mauvaise"

# what the interface stored is what the command line reads back
E=$("$RECUEIL" entry list "$P" | grep suivi_sommeil | cut -f1)
[ -n "$E" ] || fail "entrée suivi_sommeil attendue"
"$RECUEIL" entry list "$P" | grep -q "suivi_sommeil	complete	Sommeil 2.5 h, qualité Mauvaise" ||
	fail "résumé « Sommeil 2.5 h, qualité Mauvaise » attendu"
shown=$("$RECUEIL" entry show "$E")
[ "$shown" = "heures=2.5
qualite=3
reveils=4
indice=16.5" ] || fail "valeurs enregistrées inattendues : $shown"
"$RECUEIL" alert list | grep -q "$P.*suivi_sommeil.*Moins de 4 h de sommeil" || fail "alerte Moins de 4 h attendue"
