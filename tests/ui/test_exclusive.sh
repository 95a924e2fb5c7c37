# A multiple choice's exclusive answer (exclusive: true: "Aucune ressource"): in the interface,
# ticking it unticks the others and ticking another unticks it, with a word saying so; the
# command line refuses the two together with the field and the rule.
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984)
n=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^precarite\.yaml' | cut -d: -f1)
# logement (1 moves on), vit_avec, enfants, then ressources: 1 salaire, 3 RSA, 8 aucune, 1 salaire
printf 'p%s<Enter>n%s1<Tab><Tab>13<Dump>8<Dump>1<Dump>' "$P" "$n" >"$T/keys"
tui "$T/keys"
expect 1 "Revenus d'activité (salaire), RSA"
expect 2 "« Aucune ressource » va seule : les autres réponses sont décochées."
screen 2 | grep "Ressources principales" | grep -q "Aucune ressource" || fail "aucune seule attendu"
screen 2 | grep "Ressources principales" | grep -q "salaire" && fail "salaire décoché attendu"
expect 3 "« Aucune ressource » va seule"
screen 3 | grep "Ressources principales" | grep -q "Revenus d'activité (salaire)" || fail "salaire seul attendu"
if screen 3 | grep "Ressources principales" | grep -q "Aucune"; then fail "aucune décoché attendu"; fi

"$RECUEIL" entry add "$P" precarite ressources="salaire aucune" 2>"$T/err" && fail "salaire et aucune refusés attendu"
grep -q "ressources : « Aucune ressource » (aucune) exclut toute autre réponse" "$T/err" || fail "message : $(cat "$T/err")"
echo "réponse exclusive : seule dans l'interface, refusée avec une autre en ligne de commande"
