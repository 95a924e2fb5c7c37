# Erasing a patient from their file (the right to erasure): Suppr on the patient's line (the
# first, above the alerts and entries) opens a dialog that asks for
# the pseudonym again; a wrong one or Esc erases nothing; a user who is not admin is refused
# (and the refusal logged); the admin who types the pseudonym (in lower case) erases the patient
# and is back on the list, which no longer shows them; nothing of theirs is left in the files.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add soignante --role saisie >/dev/null
P=$("$RECUEIL" patient add sexe=F annee_naissance=1980 nom=XQZUINOM prenom=Zoelie)
K=$("$RECUEIL" patient add sexe=M annee_naissance=1971 nom=Gardenom prenom=Autre)
"$RECUEIL" entry add "$P" audit --date 2026-02-01 q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4 >/dev/null
lower=$(printf '%s' "$P" | tr 'A-Z' 'a-z')

# A saisie user: refused, nothing asked.
cat >"$T/keys" <<KEYS
p$P<Enter><Dump>
<Up><Del><Dump>
<F10>
KEYS
RECUEIL_AS_USER=soignante tui "$T/keys"
expect 1 "Patient $P"
expect 2 "Effacer un patient : réservé au rôle admin ou plus (vous : saisie)."
expect_not 2 "Taper le pseudonyme"
"$RECUEIL" log | grep -qF "soignante  REFUSÉ « patient delete » réservé au rôle admin (rôle saisie)" ||
	fail "refus attendu dans le journal"

# The admin: a wrong pseudonym, then Esc, then the right one.
rm -f "$T/screens"
cat >"$T/keys" <<KEYS
p$P<Enter><Dump>
<Up><Del><Dump>
ZZZZ<Enter><Dump>
<C-d><Esc><Dump>
<Del>$lower<Dump>
<Enter><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Zoelie XQZUINOM"
expect 2 "Effacer le patient (droit à l'effacement)"
expect 2 "Effacer définitivement le patient $P"
expect 2 "Taper le pseudonyme $P pour confirmer ; Échap : annuler."
expect 3 "Ce n'est pas le pseudonyme $P : rien n'a été effacé."
expect 3 "AUDIT 40"
expect 4 "Effacement annulé : rien n'a été effacé."
expect 5 "$lower"
expect 6 "recueil — patients"
expect 6 "Patient $P effacé : 2 entrée(s), 1 alerte(s), 0 brouillon(s)."
expect 6 "Chercher (0 sur 1) : $P"
expect_not 6 "XQZUINOM"

"$RECUEIL" patient list | grep -qF "$P" && fail "patient $P encore listé"
"$RECUEIL" patient list | grep -qF "$K" || fail "patient $K attendu"
"$RECUEIL" log | grep -qF "patient $P effacement (droit à l'effacement) : 2 entrée(s), 1 alerte(s)" ||
	fail "effacement attendu dans le journal"
"$RECUEIL" log | grep -qF "XQZUINOM" && fail "identité dans le journal"
for f in "$RECUEIL_DB" "$RECUEIL_DB-wal"; do
	if [ -f "$f" ] && grep -aqF XQZUINOM "$f"; then
		fail "identité encore présente dans $f"
	fi
done
"$RECUEIL" check >/dev/null || fail "recueil check après l'effacement"

# The help screen lists the key.
rm -f "$T/screens"
cat >"$T/keys" <<KEYS
p$K<Enter><F1><PgDn><Dump>
<PgDn><Dump>
<PgDn><Dump>
<PgDn><Dump>
<F10>
KEYS
tui "$T/keys"
grep -q "Suppr ^D  *supprimer le brouillon ou l'entrée ; sur le patient : l'effacer" "$T/screens" ||
	fail "Suppr ^D attendu dans l'aide du dossier"
echo "ok"
