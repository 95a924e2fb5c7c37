# An acknowledged clinical alert is raised again when its entry gets worse (PHQ-9 item 9 from 2
# to 3), not when it gets better or when another answer changes; after the save that raised it,
# the patient's file selects that alert, so that F8 acknowledges it and not another one; and the
# save says an alert is waiting only when one is.
. "$TESTS/ui/lib.sh"
init_db
C=$("$RECUEIL" patient add sexe=F annee_naissance=1985)
zeros="phq1=0 phq2=0 phq3=0 phq4=0 phq5=0 phq6=0 phq7=0 phq8=0 gad1=0 gad2=0 gad3=0 gad4=0 gad5=0 gad6=0 gad7=0"
# E1 (2025-06-01): item 9 = 2, its urgent alert acknowledged; E2 (2026-02-01): item 9 = 1, open.
E1=$("$RECUEIL" entry add "$C" sante_mentale --date 2025-06-01 $zeros phq9=2)
"$RECUEIL" alert ack "$("$RECUEIL" alert list | cut -f1)" --note "vu en consultation" >/dev/null
"$RECUEIL" entry add "$C" sante_mentale --date 2026-02-01 $zeros phq9=1 >/dev/null
open_alerts() { "$RECUEIL" alert list "$C" | wc -l; }
[ "$(open_alerts)" -eq 1 ] || fail "une alerte en attente au départ"

# The command line: better (2 → 1) raises nothing; worse (1 → 2) raises it again, and the
# acknowledgement with its note stays in the audit trail.
"$RECUEIL" entry edit "$E1" phq9=1 >/dev/null
[ "$(open_alerts)" -eq 1 ] || fail "une amélioration ne lève pas d'alerte"
"$RECUEIL" entry edit "$E1" phq9=2 >/dev/null
[ "$(open_alerts)" -eq 2 ] || fail "une aggravation après acquittement lève l'alerte à nouveau"
"$RECUEIL" log | grep "alerte" | grep -q "note : « vu en consultation ».*levée à nouveau : aggravation" ||
	fail "l'acquittement précédent et sa note au journal"
id=$("$RECUEIL" alert list "$C" | grep 2025-06-01 | cut -f1)
"$RECUEIL" alert ack "$id" >/dev/null

# The interface: from the file, open E1 (the third entry, newest first, after the inclusion), item 9 from 2 to 3,
# save: the alert is raised again and selected; F8 names it (its date, 2025-06-01).
cat >"$T/keys" <<KEYS
p$C<Enter><Down><Down><Down><Enter>
<Tab><Tab><Tab><Tab><Tab><Tab><Tab><Tab>3<F2><Dump>
<F8><Dump>
<Enter><Dump>
# E1 again: another answer changed (gad1), the alert acknowledged stays so
<Down><Down><Down><Enter><Tab><Tab><Tab><Tab><Tab><Tab><Tab><Tab><Tab>1<F2><Dump>
KEYS
tui "$T/keys"
expect 1 "alerte clinique à acquitter (F8)"
expect 1 "Alertes cliniques en attente (2)"
screen 1 | grep "▸" | grep -q "URGENT    2025-06-01" || {
	screen 1 >&2
	fail "l'alerte levée par l'enregistrement doit être choisie"
}
expect 2 "Acquitter l'alerte clinique"
expect 3 "acquittée"
expect 3 "Alertes cliniques en attente (1)"
screen 3 | grep "URGENT" | grep -q "2026-02-01" || fail "reste l'alerte de l'entrée du 2026-02-01"
expect 4 "enregistrée (complète)."
expect_not 4 "alerte clinique à acquitter"
[ "$(open_alerts)" -eq 1 ] || fail "une seule alerte en attente à la fin"
"$RECUEIL" entry show "$E1" | grep -qx "gad1=1" || fail "gad1=1 enregistré"
echo "alerte levée à nouveau sur aggravation, choisie après l'enregistrement"
