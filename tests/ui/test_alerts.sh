# Clinical alerts in the terminal interface (issue 8): PHQ-9 item 9 = 1 raises the urgent alert
# on the form at once, and only while it holds; once saved it stays on the patient file and on
# the home screen until a professional acknowledges it (F8 or ^K, with an optional note), which
# records who and when; then it leaves the open lists.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add infirmiere --role saisie >/dev/null
A=$("$RECUEIL" patient add sexe=F annee_naissance=1990)
B=$("$RECUEIL" patient add sexe=M annee_naissance=1970)
# an AUDIT in zone IV for B: an alert of level "attention", raised from the command line
"$RECUEIL" entry add "$B" audit q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 q10=4 >/dev/null
# the "new entry" menu lists the forms in the order of the forms directory
nth() { patient_forms "$SRC/forms" | grep -n "^$1\.yaml" | cut -d: -f1; }
cat > "$T/keys" <<KEYS
<Dump>
# A's file, a new PHQ-9: items 1 to 8 at 0 (each answer moves on), no alert yet
p$A<Enter>n$(nth sante_mentale)00000000<Dump>
# item 9 = 1: the urgent alert shows at once
1<Dump>
# back to item 9, 0: the alert no longer holds; 1 again: it is back
<BTab>0<Dump>
<BTab>1<Dump>
# save (the GAD-7 left for later: the entry is kept incomplete): back on the patient's file
<F2>o<Dump>
# home: the count of open alerts, urgent ones counted
<Esc><Esc><Dump>
# the alerts screen: urgent first; Enter opens the patient's file
a<Dump>
<Enter><Dump>
# acknowledge: F8 asks for a note; Esc cancels and nothing is recorded
<F8><Dump>
<Esc><Dump>
<F8>appel au CMP ce jour<Enter><Dump>
# back on the alerts screen: only B's is left; ^K acknowledges it, with no note
<Esc><Dump>
<C-k><Enter><Dump>
<Esc><Dump>
<F10>
KEYS
RECUEIL_AS_USER=infirmiere tui "$T/keys"

# 1: home before the PHQ-9
expect 1 "Alertes cliniques en attente : 1"
expect_not 1 "urgente"
# 2-5: the form
expect 2 "9. Penser qu'il vaudrait mieux mourir"
expect_not 2 "URGENT"
expect 3 "!! URGENT — PHQ-9 item 9 > 0 : idées de mort ou d'auto-agression"
expect 3 "PHQ-9 1 — Minimale (0 à 4)"
expect_not 4 "URGENT"
expect 4 "PHQ-9 0 — Minimale (0 à 4)"
expect 5 "!! URGENT — PHQ-9 item 9 > 0"
# 6: the patient's file lists the open alert at the top
expect 6 "enregistrée (incomplète) ; alerte clinique à acquitter (F8)"
expect 6 "Alertes cliniques en attente (1)"
expect 6 "▸ URGENT    2026-03-02  PHQ-9 item 9 > 0"
expect 6 "F8 ^K Acquitter"
# 7: home
expect 7 "Alertes cliniques en attente : 2 (dont 1 urgente)"
expect 7 "a Alertes"
# 8: the alerts screen, most urgent first, with level, date, pseudonym, form and message
expect 8 "recueil — alertes cliniques"
screen 8 | grep -n "URGENT\|ATTENTION" | head -2 > "$T/order"
grep -q "URGENT    2026-03-02  $A *Santé mentale" "$T/order" || fail "l'alerte urgente de $A d'abord"
sed -n 2p "$T/order" | grep -q "ATTENTION 2026-03-02  $B *AUDIT" || fail "puis l'alerte de $B"
head -1 "$T/order" | grep -q URGENT || fail "l'alerte urgente en tête de liste"
# 9: Enter opened A's file
expect 9 "recueil — dossier $A"
# 10: the note is asked for; 11: Esc records nothing
expect 10 "Acquitter l'alerte clinique"
expect 10 "Note facultative"
expect 11 "Alertes cliniques en attente (1)"
# 12: acknowledged: who and when, and the alert left the file
expect 12 "Alerte de $A acquittée par infirmiere le 2026-03-02 à 10:00."
expect_not 12 "Alertes cliniques en attente"
expect_not 12 "URGENT"
# 13: the alerts screen keeps B's only; 14: ^K acknowledged it
expect 13 "Alertes cliniques en attente : 1"
expect_not 13 "$A"
expect 13 "ATTENTION 2026-03-02  $B"
expect 14 "Alerte de $B acquittée par infirmiere"
expect 14 "Aucune alerte clinique en attente."
expect 15 "Alertes cliniques en attente : 0"

# the store has who and when, the note, and no alert open any more
all=$("$RECUEIL" alert list --all)
echo "$all" | grep "urgent" | grep -q "$A.*pris en compte par infirmiere le 2026-03-02T10:00:00Z" ||
	fail "alerte de $A prise en compte par infirmiere attendue : $all"
echo "$all" | grep "attention" | grep -q "$B.*pris en compte par infirmiere" ||
	fail "alerte de $B prise en compte par infirmiere attendue : $all"
[ -z "$("$RECUEIL" alert list)" ] || fail "plus aucune alerte en attente attendu"
"$RECUEIL" log | grep -q "infirmiere.*prise en compte" || fail "l'acquittement est au journal"

# in English, the alert follows the language on the file and on the form (the entry it came from)
"$RECUEIL" entry add "$A" sante_mentale phq1=0 phq2=0 phq3=0 phq4=0 phq5=0 phq6=0 phq7=0 phq8=0 phq9=3 \
	gad1=0 gad2=0 gad3=0 gad4=0 gad5=0 gad6=0 gad7=0 >/dev/null
printf 'p%s<Enter><Dump><Enter><Dump><Esc><Esc><F10>' "$A" > "$T/keys2"
: > "$T/screens"
LANGUAGE=en tui "$T/keys2"
expect 1 "Clinical alerts waiting (1): F8 or ^K acknowledges the chosen alert"
expect 1 "▸ URGENT    2026-03-02  PHQ-9 item 9 > 0: thoughts of death or self-harm"
expect 1 "F8 ^K Acknowledge"
expect 2 "!! URGENT — PHQ-9 item 9 > 0: thoughts of death or self-harm"
expect 2 "PHQ-9 3 — Minimal (0 to 4)"
