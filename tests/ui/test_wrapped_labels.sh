# Questions and answers are never cut at 80 columns: a long question wraps over two lines or
# more (AUDIT items 4 to 8 no longer all read "Au cours de l'année écoulée, à quelle …"), and the
# answers of a choice are listed whole, so that two of them never read the same (the two
# "Complémentaire santé solidaire (CSS) …" of the precarity form).
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984)
nth() { ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n "^$1\.yaml" | cut -d: -f1; }
# AUDIT, q1 = 2: items 2 to 8 asked; the first page ends with item 5, the second with item 9.
printf 'p%s<Enter>n%s2<Dump><PgDn><Dump>' "$P" "$(nth audit)" >"$T/keys"
tui "$T/keys"
expect 1 "boire une fois que vous aviez commencé ?"
expect 1 "qui était normalement attendu de vous ?"
expect 2 "d'une forte consommation la veille ?"
expect 2 "des remords après avoir bu ?"
expect 2 "passé la veille parce que vous aviez bu ?"
if grep -q "…$" "$T/screens"; then
	grep "…$" "$T/screens" >&2
	fail "aucune question coupée attendue"
fi
# The precarity form's complementary cover: its six answers whole, one a line.
rm -f "$T/screens"
printf '<Esc>p%s<Enter>n%s<Tab><Tab><Tab><Tab><Tab><Tab><Tab><Dump>' "$P" "$(nth precarite)" >"$T/keys"
tui "$T/keys"
expect 1 "── complementaire"
expect 1 "1 Complémentaire santé solidaire (CSS) gratuite"
expect 1 "2 Complémentaire santé solidaire (CSS) avec participation"
expect 1 "5 CMU-C (ancien dispositif, remplacé par la CSS le 1er novembre 2019)"
echo "questions et réponses entières"
