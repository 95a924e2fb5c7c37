# French by default, English with LANGUAGE=en (gettext), even where no such locale is installed:
# the interface's texts and the forms' labels both follow.
. "$TESTS/ui/lib.sh"
init_db
printf 'p<F5><Dump><Esc><F10>' > "$T/keys"
tui "$T/keys"
expect 1 "Nom"
expect 1 "F2 ^S Enregistrer"
LANGUAGE=en tui "$T/keys"
expect 3 "Last name"
expect 3 "F2 ^S Save"
expect 3 "Patient — new patient"
