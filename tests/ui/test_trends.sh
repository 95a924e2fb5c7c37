# The patient's file shows the course of each score at a glance: one line per score marked
# trend: in the forms (AUDIT here), a sparkline oldest to newest, then the first and last values
# with their dates. A draft and an AUDIT whose total is missing (q1 answered ".nsp") are not
# charted. On a terminal that is not UTF-8 the sparkline is ASCII, the figures the same.
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=M annee_naissance=1970 date_inclusion=2025-01-02)
audit() { "$RECUEIL" entry add "$P" audit --date "$1" q1=2 q2=1 q3=1 q4="$2" q5=0 q6=0 q7=1 q8=0 q9=0 q10="$3" >/dev/null; }
audit 2025-01-10 0 2 # 7
audit 2025-05-10 4 4 # 13
audit 2025-09-10 0 0 # 5
"$RECUEIL" entry add "$P" audit --date 2025-10-01 q1=.nsp >/dev/null 2>&1 || true
"$RECUEIL" entry add "$P" audit --date 2025-11-01 --draft q1=4 q2=4 q3=4 q4=4 q5=4 q6=4 q7=4 q8=4 q9=4 \
	q10=4 >/dev/null
printf 'p%s<Enter><Dump>' "$P" >"$T/keys"
tui "$T/keys"
expect 1 "Évolution  AUDIT   ▅█▄           7 (2025-01-10) → 5 (2025-09-10)"
expect_not 1 "PHQ-9   "
# the status column is aligned by display width, whatever the bytes of its word
expect 1 " 2025-11-01  brouillon  AUDIT 40"
expect 1 " 2025-10-01  incomplète AUDIT : à compléter"
expect 1 " 2025-09-10  complète   AUDIT 5"
rm -f "$T/screens"
LANG=C tui "$T/keys"
expect 1 "Evolution  AUDIT   =#~           7 (2025-01-10) -> 5 (2025-09-10)"
echo "ok"
