# A patient created twice is warned about: same sex, same year of birth and the same names once
# accents, case and dashes are set aside ("Zoé Lefèvre" beside "Zoe Lefevre"). Enter goes back
# to the record (nothing created); "o" creates the new patient all the same. Another first name
# is not a duplicate.
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984 nom=Lefèvre prenom=Zoé)
cat >"$T/keys" <<'KEYS'
p<F5>
LEFEVRE<Tab>zoe<Tab><Tab><Tab>
11984<Tab><Tab>3
1<Tab>6<F2><Dump>
<Enter><Dump>
<F2>o<Dump>
<F10>o
KEYS
tui "$T/keys"
expect 1 "Patient peut-être déjà enregistré"
expect 1 "Le patient $P a le même sexe, la même année de naissance"
expect 1 "(Zoé Lefèvre)"
expect_not 2 "déjà enregistré"
expect 2 "Patient — nouveau patient"
expect 3 "créé"
[ "$("$RECUEIL" patient list | wc -l)" -eq 2 ] || fail "deux patients attendus après « o »"

# another first name: created at once
rm -f "$T/screens"
sed 's/zoe/Zoa/; /^<Enter>/d; s/^<F2>o<Dump>$//' "$T/keys" >"$T/keys2"
tui "$T/keys2"
expect_not 1 "déjà enregistré"
expect 1 "créé"
[ "$("$RECUEIL" patient list | wc -l)" -eq 3 ] || fail "trois patients attendus"
echo "ok"
