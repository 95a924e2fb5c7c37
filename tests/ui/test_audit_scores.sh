# The scores of the AUDIT are on screen: Tab past question 10 (here the answer typed to it) and
# PgDn both reach the "Scores" section, whose AUDIT-C, sub-scores and WHO zone are shown; a
# whole AUDIT from the patient's file takes at most 14 keystrokes, with the zone read on screen
# before it is saved.
. "$TESTS/ui/lib.sh"
init_db
pseudo=$("$RECUEIL" patient add sexe=M annee_naissance=1970)
audit=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^audit\.yaml' | cut -d: -f1)

# From the patient's file: n, the form's number, the ten answers (each a single key that moves
# on by itself), F2. What is typed between the markers is counted.
keys="n${audit}2111111124<Dump><F2>"
count=$(printf '%s' "$keys" | sed 's/<Dump>//g; s/<[^>]*>/K/g' | wc -c)
[ "$count" -le 14 ] || fail "un AUDIT complet demande $count touches (14 au plus)"
printf 'p%s<Enter><Dump>%s<Dump>' "$pseudo" "$keys" >"$T/keys"
tui "$T/keys"
expect 2 "Section 2/2 : Scores"
expect 2 "Zone de risque OMS (I à IV)"
expect 2 "AUDIT-C, questions 1 à 3 (0-12)"
expect 2 "Sous-score dépendance"
expect 2 "Score AUDIT total (0-40)"
screen 2 | grep "Score AUDIT total" | grep -q " 15" || fail "total 15 attendu à l'écran"
screen 2 | grep "Zone de risque OMS" | grep -q "II" || fail "zone II attendue à l'écran"
expect 3 "enregistrée (complète)"
"$RECUEIL" entry list "$pseudo" | grep -q "audit	complete	AUDIT 15" || fail "AUDIT 15 enregistré attendu"

# PgDn from the first page shows the scores, PgUp comes back to the questions.
printf 'p%s<Enter>n%s<PgDn><Dump><PgUp><Dump><PgDn><C-f><Dump>' "$pseudo" "$audit" >"$T/keys"
rm -f "$T/screens"
tui "$T/keys"
expect 1 "Section 2/2 : Scores"
expect 1 "Zone de risque OMS"
expect 2 "Section 1/2"
expect 3 "Section 2/2 : Scores"
echo "AUDIT : scores atteints par Tab et PgDn, saisie complète en $count touches"
