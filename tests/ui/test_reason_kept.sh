# A contact of more than two hours saved with its confirmation reason, then reopened and edited
# in the interface: the reason is read back, the warning is not asked again, and the stored
# confirmation keeps who gave it and when.
. "$TESTS/ui/lib.sh"
need sqlite3
init_db
pseudo=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
RECUEIL_NOW=2026-03-01T09:00:00Z "$RECUEIL" entry add "$pseudo" contact --date 2026-03-01 \
	intervenant=psychologue type_contact=cabinet statut=realise duree_min=200 \
	--confirm "duree_min=groupe de parole" >/dev/null || fail "entry add"
confirmed() {
	sqlite3 "$RECUEIL_DB" "SELECT reason || '|' || confirmed_at FROM entry_confirmations WHERE field = 'duree_min'"
}
before=$(confirmed)
[ "$before" = "groupe de parole|2026-03-01T09:00:00Z" ] || fail "confirmation enregistrée : $before"
# the patient's file, the contact (the only entry), the notes field, then save
cat > "$T/keys" <<KEYS
p$pseudo<Enter><Dump><Down><Enter><Dump>
<End><Dump>
<F2><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Consultation au cabinet"
expect 2 "200"
expect_not 4 "Valeur inhabituelle"
expect_not 4 "confirmer la durée"
expect 4 "enregistrée"
[ "$(confirmed)" = "$before" ] || fail "confirmation réécrite : $(confirmed)"
echo "ok"
