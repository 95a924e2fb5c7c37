# A new patient created from the list, then a whole AUDIT filled with the WHO skip rule: the
# total changes as answers are typed, the entry is saved, reopened and edited.
. "$TESTS/ui/lib.sh"
init_db
cat > "$T/keys" <<'KEYS'
# home → patient list → new patient
p<F5>
Dupont<Tab>Zoé<Tab>06 12 34 56 78<Tab><Tab>
# sexe (1 = Femme), a year of birth in the future: refused with its rule
12100<Tab><Dump>
<C-u>1980<Tab><Tab>3<Dump>
1<Tab>6<F2><Dump>
# the patient's file: a new AUDIT (first form of the menu)
n10<Dump>
0<Dump>
# saving with q10 unanswered asks whether to keep the entry incomplete; Enter means "no,
# complete it now" (never "yes" by default): the form stays, on q10
<F2><Dump>
<Enter><Dump>0<Dump>
# back to q1 (q10 answered moved on to the scores): drinking twice a month brings questions 2
# to 8 back
<BTab><BTab><BTab>2<Dump>
1230142<Dump>
<F2><Dump>
# reopen the AUDIT and change question 10
<Enter><Tab><Tab><Tab><Tab><Tab><Tab><Tab><Tab><Tab>4<Dump>
<F2><Dump>
<F10>
KEYS
tui "$T/keys"
expect 1 "Année de naissance : L'année de naissance ne peut pas être dans le futur."
expect 2 "1980"
expect 2 "Femme"
expect 2 "CSAPA"
expect 3 "Patient "
expect 3 "créé"
expect 3 "Inclusion le 2026-03-02"
expect 3 "Dupont"
# q1 = 0: questions 2 to 8 are not asked
expect 4 "*9. Vous êtes-vous blessé"
expect_not 4 "2. Combien de verres"
expect 4 "AUDIT : à compléter"
expect 5 "AUDIT : à compléter"
expect 6 "réponse(s) obligatoire(s) manquante(s) : « 10. Un parent, un"
expect_not 7 "Entrée incomplète"
expect 7 "▸*10. Un parent"
expect 8 "AUDIT 0 — Faible risque"
expect 9 "2. Combien de verres"
expect 9 "AUDIT : à compléter"
expect 10 "AUDIT 15 — Dépendance probable"
expect 11 "AUDIT 15 — Dépendance probable"
expect 11 "complète"
expect 12 "AUDIT 19 — Dépendance probable"
expect 13 "AUDIT 19 — Dépendance probable"
pseudo=$("$RECUEIL" patient list | cut -f1)
"$RECUEIL" entry list "$pseudo" | grep -q "audit	complete	AUDIT 19" || fail "AUDIT 19 enregistré attendu"
uuid=$("$RECUEIL" entry list "$pseudo" | grep audit | cut -f1)
"$RECUEIL" entry show "$uuid" | grep -qx "q10=4" || fail "q10=4 attendu"
"$RECUEIL" entry show "$uuid" | grep -qx "q2=1" || fail "q2=1 attendu"
"$RECUEIL" patient list | grep -q "Dupont Zoé" || fail "patient Dupont Zoé attendu"
