# The patient list shows the local name as "Nom Prénom", with no stray blank when one of the two
# is empty (users allowed to see names only).
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" patient add sexe=F annee_naissance=1990 prenom=Zoé >/dev/null
"$RECUEIL" patient add sexe=M annee_naissance=1980 nom=Martin >/dev/null
"$RECUEIL" patient add sexe=F annee_naissance=1970 nom=Dupont prenom=Léa >/dev/null
printf 'p<Dump><F10>' > "$T/keys"
tui "$T/keys"
for name in "Zoé" "Martin" "Dupont Léa"; do
	screen 1 | grep -qE "2026-03-02  $name\$" || {
		screen 1 >&2
		fail "« $name » attendu juste sous la colonne Nom"
	}
done
expect_not 1 "2026-03-02   "
