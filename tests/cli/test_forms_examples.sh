#!/bin/sh
# test_forms_examples.sh — the worked examples of the forms (examples:) run by `forms check`: the
# shipped forms pass them; a coefficient changed in a copy of precarite.yaml, or a cut-off changed
# in reporting.yaml, makes the check fail at the example that catches it; a code written wrong in
# a copy of contact.yaml is refused at its place.
. "$TESTS/cli/lib.sh"

forms="$tmp/forms"
mkdir "$forms"
cp "$SRC"/forms/*.yaml "$forms/"

run forms check "$forms"
expect_rc "the shipped forms pass their examples" 0
expect_contains "the summary counts the examples run" "$out" "exemples vérifiés"

# The line of the first "expect:" line holding TEXT in FILE.
line_of() {
	grep -n "expect: {$2" "$1" | head -n 1 | cut -d: -f1
}

# EPICES question 9: -9.47 becomes -9.48. "oui" to 1, 5 and 9 gives 90.52 instead of the
# published 90.53; "oui" to all but 1 and 5 gives -0.01 instead of 0.00.
sed 's/- 9\.47\*epices9 /- 9.48*epices9 /' "$SRC/forms/precarite.yaml" >"$forms/precarite.yaml"
expect_true "the coefficient was changed in the copy" grep -q '9.48\*epices9' "$forms/precarite.yaml"
run forms check "$forms/precarite.yaml"
expect_rc "forms check fails" 65
l=$(line_of "$forms/precarite.yaml" "epices_score: 90.53")
expect_contains "at the example of the published 90.53" "$err" \
	"$forms/precarite.yaml:$l:28: exemple 3 : epices_score vaut 90.52, attendu 90.53"
l=$(line_of "$forms/precarite.yaml" "epices_score: 0.00")
expect_contains "and at the example of 0.00" "$err" \
	"$forms/precarite.yaml:$l:28: exemple 2 : epices_score vaut -0.01, attendu 0.00"
expect_eq "nothing on stdout" "$out" ""
run forms check "$forms"
expect_rc "checking the directory fails too" 65
cp "$SRC/forms/precarite.yaml" "$forms/"

# A cut-off of reporting.yaml changed: the women's misuse examples of audit.yaml catch it.
sed 's/{id: audit_mesusage_f, value: 6,/{id: audit_mesusage_f, value: 5,/' "$SRC/forms/reporting.yaml" \
	>"$forms/reporting.yaml"
run forms check "$forms"
expect_rc "a changed threshold fails the AUDIT examples" 65
expect_contains "the class of the woman at 5 is wrong" "$err" "classe_fr vaut mesusage, attendu faible_risque"
expect_contains "reported in audit.yaml" "$err" "$forms/audit.yaml:"
cp "$SRC/forms/reporting.yaml" "$forms/"

# A patient's value that the patient form refuses, in an example.
sed '0,/patient: {sexe: M}/s//patient: {sexe: H}/' "$SRC/forms/audit.yaml" >"$forms/audit.yaml"
run forms check "$forms/audit.yaml"
expect_rc "an example's patient value is checked" 65
expect_contains "it names the patient field" "$err" "exemple 1 : patient.sexe :"
cp "$SRC/forms/audit.yaml" "$forms/"

# Checking one file runs its own examples only, not those of the files beside it.
run forms check "$forms/contact.yaml"
expect_rc "contact.yaml alone passes" 0
expect_eq "it has no example" "$out" "1 fichier valide"
run forms check "$forms/substances.yaml"
expect_eq "substances.yaml runs its own" "$out" "1 fichier valide, 4 exemples vérifiés"

# A code typed with an accent: the question would never be asked.
sed "s/show_if: \"statut = 'realise'\"/show_if: \"statut = 'realisé'\"/" "$SRC/forms/contact.yaml" \
	>"$forms/contact.yaml"
run forms check "$forms"
expect_rc "an unknown code is refused" 65
l=$(grep -n "statut = 'realisé'" "$forms/contact.yaml" | cut -d: -f1)
expect_eq "at the literal's own column, with the nearest code" "$err" \
	"$forms/contact.yaml:$l:28: « realisé » : code inconnu de statut ; vouliez-vous dire « realise » ?"

finish
