# An EPICES filled with yes/no keys shows the published score (Sass 2006: "oui" to items 1 and 5
# only gives 100.00); a contact of more than two hours asks for a confirmation reason.
. "$TESTS/ui/lib.sh"
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
# the "new entry" menu lists the forms in the order of the forms directory
nth() { patient_forms "$SRC/forms" | grep -n "^$1\.yaml" | cut -d: -f1; }
cat > "$T/keys" <<KEYS
p$pseudo<Enter>n$(nth precarite)1<PgDn><Dump>
onnnonnnnn<Dump>n<Dump>
<F2><Dump>
n$(nth contact)111200<Tab><Dump>
groupe de parole<Enter><Dump><F2><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Section 2/2"
expect 1 "EPICES : à compléter"
expect 2 "EPICES : à compléter"
expect 3 "EPICES 100,00"
expect 3 "Précarité selon EPICES"
expect 4 "EPICES 100,00"
expect 4 "complète"
expect 5 "Valeur inhabituelle"
expect 5 "Contact de plus de deux heures : confirmer la durée."
expect 6 "200"
expect 7 "enregistrée (complète)"
"$RECUEIL" entry list "$pseudo" | grep -q "precarite	complete	EPICES 100.00" || fail "EPICES 100.00 enregistré attendu"
