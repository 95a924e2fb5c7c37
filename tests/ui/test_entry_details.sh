# The small things of the issue on data entry (issue 15, bug 7): one entry is deleted from the
# patient's file (Suppr on it, asked first, Enter keeps it; admins only), while Suppr opens
# "Effacer le patient" only on the patient's line; a missing code typed in capitals (.NSP) is a
# missing code; a missing code's label is shown whole, never its end alone; the English footer
# is English; "Suivi (1 entrée)".
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add soignante --role saisie >/dev/null
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984)
A=$("$RECUEIL" entry add "$P" audit --date 2026-01-10 q1=0 q9=0 q10=0)
B=$("$RECUEIL" entry add "$P" audit --date 2026-02-10 q1=0 q9=2 q10=0)
audit=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^audit\.yaml' | cut -d: -f1)

# The file opens on its newest entry (the inclusion), ↓ chooses B; Suppr asks; Enter keeps; "o"
# deletes.
cat >"$T/keys" <<KEYS
p$P<Enter><Down><Del><Dump>
<Enter><Dump>
<Del>o<Dump>
KEYS
tui "$T/keys"
expect 1 "Supprimer l'entrée du 2026-02-10 : AUDIT 2"
expect 1 "o : supprimer ; n, Entrée ou Échap : garder"
expect_not 1 "Effacer le patient"
expect 2 "Rien n'a été supprimé."
expect 3 "supprimée (ses valeurs sont au journal)"
expect 3 "Suivi (2 entrées"
"$RECUEIL" entry show "$B" >/dev/null 2>&1 && fail "l'entrée $B doit être supprimée"
"$RECUEIL" entry show "$A" >/dev/null || fail "l'entrée $A doit rester"
"$RECUEIL" log | grep -q "suppression.*audit.*${B%%-*}" || fail "la suppression est au journal"

# A saisie user may not delete: said, and logged.
rm -f "$T/screens"
printf 'p%s<Enter><Down><Del><Dump>' "$P" >"$T/keys"
RECUEIL_AS_USER=soignante tui "$T/keys"
expect 1 "Supprimer une entrée : réservé au rôle admin ou plus (vous : saisie)."
"$RECUEIL" entry show "$A" >/dev/null || fail "l'entrée $A doit rester"

# ".NSP" and ".Refus" typed in capitals are missing codes; F4 shows ".non_demande" whole.
rm -f "$T/screens"
printf 'p%s<Enter>n%s.NSP<Tab><Dump>.Refus<Tab><F4><F4><F4><Dump>' "$P" "$audit" >"$T/keys"
tui "$T/keys"
expect_not 1 "nombre entier attendu"
expect_not 1 "inconnu"
screen 1 | grep "l.alcool ?" | grep -q "\.nsp *ne sait pas" || fail ".NSP lu comme .nsp attendu"
screen 2 | grep "parce que vous aviez bu ?" | grep -q "\.refus *refus de répondre" || fail ".Refus lu comme .refus attendu"
screen 2 | grep "conseillé de la diminuer ?" | grep -q "\.non_demande  *non demandé" || {
	screen 2 >&2
	fail "« .non_demande » entier attendu"
}

# English footer; one entry in the singular.
rm -f "$T/screens"
Q=$("$RECUEIL" patient add sexe=M annee_naissance=1970)
printf '<Esc>p%s<Enter><Dump>' "$Q" >"$T/keys"
tui "$T/keys"
expect 1 "Suivi (1 entrée"
rm -f "$T/screens"
LANGUAGE=en tui "$T/keys"
expect 1 "Esc F9 Back"
expect_not 1 "Échap"
expect 1 "Follow-up (1 entry"
echo "suppression d'une entrée, codes en capitales, libellés entiers, pied de page anglais"
