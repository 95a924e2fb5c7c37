# Dates: a day that does not exist (31/02/2026, 2026-02-29) is "date inexistante", not a format
# error; an entry dated before 1900 or before the patient's year of birth is refused with the
# rule, in the interface and on the command line; so is an inclusion before the year of birth.
. "$TESTS/ui/lib.sh"
init_db
P=$("$RECUEIL" patient add sexe=F annee_naissance=1984)
audit=$(ls "$SRC/forms" | grep '\.yaml$' | grep -v '^reporting' | grep -n '^audit\.yaml' | cut -d: -f1)

# The entry date of a new AUDIT, one Maj-Tab above the first question.
cat >"$T/keys" <<KEYS
p$P<Enter>n$audit<BTab>
31/02/2026<Tab><Dump>
<C-u>2026-02-29<Tab><Dump>
<C-u>1899-01-01<Tab><Dump>
<C-u>1983-06-01<Tab><Dump>
<C-u>01/06/1984<Tab><Dump>
KEYS
tui "$T/keys"
expect 1 "date de l'entrée : date inexistante (31/02/2026)"
expect_not 1 "AAAA-MM-JJ ou JJ/MM/AAAA attendu"
expect 2 "date de l'entrée : date inexistante (2026-02-29)"
expect 3 "date de l'entrée : 1899-01-01 est avant 1900"
expect 4 "date de l'entrée : 1983-06-01 est avant la naissance du patient (1984)"
expect_not 5 "date de l'entrée :"
screen 5 | grep -q "Date de l'entrée *1984-06-01" || fail "date 1984-06-01 acceptée attendue"

# A date field: a day that does not exist is said so.
rm -f "$T/screens"
# (the drafts screen first: the AUDIT above was kept as a draft; Esc leaves it for later)
printf '<Esc>p<F5><Tab><Tab><Tab><Tab>11984<Tab><C-u>31/02/2026<Tab><Dump><C-u>1980-01-01<Tab><Dump>' >"$T/keys"
tui "$T/keys"
expect 1 "date inexistante"
expect_not 1 "date AAAA-MM-JJ attendue"
expect 2 "La date d'inclusion ne peut être ni dans le futur"

# The command line says the same.
"$RECUEIL" entry add "$P" audit --date 1899-01-01 q1=0 q9=0 q10=0 2>"$T/err" && fail "1899-01-01 refusé attendu"
grep -q "avant 1900" "$T/err" || fail "avant 1900 : $(cat "$T/err")"
"$RECUEIL" entry add "$P" audit --date 1983-12-31 q1=0 q9=0 q10=0 2>"$T/err" && fail "avant la naissance refusé attendu"
grep -q "avant la naissance du patient (1984)" "$T/err" || fail "avant la naissance : $(cat "$T/err")"
"$RECUEIL" entry add "$P" audit --date 2026-02-29 q1=0 q9=0 q10=0 2>"$T/err" && fail "2026-02-29 refusé attendu"
grep -q "date inexistante" "$T/err" || fail "date inexistante : $(cat "$T/err")"
"$RECUEIL" patient add sexe=M annee_naissance=1990 date_inclusion=1989-12-31 2>"$T/err" && fail "inclusion avant la naissance refusée attendue"
grep -q "ni avant l'année de naissance" "$T/err" || fail "inclusion : $(cat "$T/err")"
"$RECUEIL" patient add sexe=M annee_naissance=1990 date_inclusion=2026-02-29 2>"$T/err" && fail "date inexistante refusée attendue"
grep -q "date inexistante" "$T/err" || fail "inclusion inexistante : $(cat "$T/err")"
echo "dates inexistantes, avant 1900 et avant la naissance : refusées avec la règle"
