#!/bin/sh
# recueil forms use: the administrator records the forms directory of the database, which every
# later run takes without --forms or RECUEIL_FORMS (on a shared install, the only way to change
# the forms); it must be readable by all and changed by its owner alone; --installed goes back.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
run init --structure USE-01
run user add coord --role coordination
cp -r "$SRC/forms" "$tmp/forms"
sed -i 's/^title: {fr: "Patient", en: "Patient"}$/title: {fr: "Patient (local)", en: "Patient"}/' "$tmp/forms/patient.yaml"
chmod -R go-w,a+rX "$tmp/forms"

RECUEIL_AS_USER=coord run forms use "$tmp/forms"
expect_rc "the coordination may not choose the forms" 77
chmod o+w "$tmp/forms"
run forms use "$tmp/forms"
expect_rc "a directory others may change is refused" 77
expect_contains "saying what to do" "$err" "chmod -R go-w,a+rX"
chmod o-w "$tmp/forms"
run forms use "$tmp/nowhere"
expect_rc "a missing directory" 66

run forms use "$tmp/forms"
expect_rc "the admin chooses the forms" 0
expect_contains "and is told which" "$out" "Formulaires de la base : $tmp/forms"
run forms list
expect_contains "later runs take the recorded forms" "$out" "Patient (local)"
RECUEIL_AS_USER=coord run forms list
expect_contains "for every user" "$out" "Patient (local)"
RECUEIL_FORMS="$SRC/forms" run forms list
expect_lacks "RECUEIL_FORMS still wins outside a shared install" "$out" "Patient (local)"
run log
expect_contains "the choice is in the audit trail" "$out" "forms_dir"

run forms use --installed
expect_rc "back to the installed forms" 0
run forms list
expect_lacks "the recorded directory is forgotten" "$out" "Patient (local)"
finish
