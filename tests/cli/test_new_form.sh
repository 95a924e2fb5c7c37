#!/bin/sh
# A questionnaire is data: a form added as YAML only is checked, stored, shown, scored and
# alerted on, with no change to the program.
. "$TESTS/cli/lib.sh"

forms="$tmp/forms"
mkdir "$forms"
cp "$SRC"/forms/*.yaml "$forms/"
cp "$TESTS/data/new_form/suivi_sommeil.yaml" "$forms/"
export RECUEIL_FORMS="$forms"

out=$($RECUEIL forms check "$forms")
expect_contains "forms check accepts the new form" "$out" "suivi_sommeil"

$RECUEIL init --structure TEST01 >/dev/null
P=$($RECUEIL patient add sexe=F annee_naissance=1979)
E=$($RECUEIL entry add "$P" suivi_sommeil heures=2.5 qualite=3 reveils=4 2>"$tmp/err")
expect_eq "entry add succeeds" "$?" 0
expect_contains "the soft rule asks for a confirmation" "$(cat "$tmp/err")" "durée inhabituelle"

expect_eq "entry show prints the values and the score" "$($RECUEIL entry show "$E")" "heures=2.5
qualite=3
reveils=4
indice=16.5"

expect_contains "the summary line comes from the YAML" "$($RECUEIL entry list "$P")" "Sommeil 2.5 h, qualité Mauvaise"
expect_contains "the alert of the new form is raised" "$($RECUEIL alert list)" "Moins de 4 h de sommeil"

$RECUEIL entry add "$P" suivi_sommeil heures=25 qualite=1 2>"$tmp/err" >/dev/null
expect_eq "a value over max is refused with exit 65" "$?" 65
expect_contains "the message names the field and the rule" "$(cat "$tmp/err")" "heures : valeur hors de [0, 24]"

E2=$($RECUEIL entry add "$P" suivi_sommeil heures=7 qualite=1 reveils=2 2>"$tmp/err")
expect_eq "a question that is not asked is not stored" "$($RECUEIL entry show "$E2" | grep reveils)" "reveils="
expect_contains "and the user is told so" "$(cat "$tmp/err")" "reveils : valeur ignorée"

finish
