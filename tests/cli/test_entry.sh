#!/bin/sh
# Patients and entries from the command line: pseudonyms, entry add/show/edit/list, what is
# refused (exit 65, naming the field and the rule), incomplete entries, typed missing codes, soft
# warnings and their confirmation, once-only forms, dates, questions that are not asked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$TESTS/cli/lib.sh"

export RECUEIL_AS_USER=chef
run init --structure MS-TEST-01
expect_rc "init" 0

# ---- patient add
run patient add sexe=F annee_naissance=1981 nom=Exemple prenom=Anne
expect_rc "patient add exits 0" 0
P=$out
expect_true "patient add prints a valid pseudonym (8 symbols, check symbol): $P" pseudonym_valid "$P"
expect_eq "and nothing else on stdout" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
run patient add sexe=M annee_naissance=1962
P2=$out
expect_true "a second pseudonym is valid too" pseudonym_valid "$P2"
expect_true "and differs from the first" test "$P" != "$P2"
run patient list
expect_contains "patient list shows the patient" "$out" "$(printf '%s\tF\t1981\t2026-11-22' "$P")"

lower=$(printf '%s' "$P" | tr 'A-Z' 'a-z')
run entry list "$lower"
expect_rc "a pseudonym typed in lower case is found" 0
# A typo in the check symbol: the pseudonym is not found rather than another patient's.
last=$(printf '%s' "$P" | cut -c8)
if [ "$last" = 0 ]; then typo=1; else typo=0; fi
bad="$(printf '%s' "$P" | cut -c1-7)$typo"
run entry list "$bad"
expect_rc "a mistyped pseudonym is not found (66)" 66
expect_contains "the message names the pseudonym" "$err" "$bad"

run patient add sexe=F annee_naissance=2027
expect_rc "a year of birth in the future is refused (65)" 65
expect_contains "the message names the field" "$err" "annee_naissance"
run patient add sexe=F annee_naissance=1900
expect_rc "a year of birth before 1920 is refused (65)" 65
expect_contains "the message gives the limit" "$err" "1920"
run patient add sexe=Z annee_naissance=1980
expect_rc "an unknown sex code is refused (65)" 65
expect_contains "the message lists the codes" "$err" "F, M, X"
run patient list
expect_eq "refused patients were not created" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 2

# ---- entry add and entry show: a full AUDIT
run entry add "$P" audit --date 2026-10-01 q1=3 q2=2 q3=2 q4=1 q5=1 q6=0 q7=2 q8=1 q9=2 q10=4
expect_rc "entry add of a full AUDIT exits 0" 0
expect_eq "nothing on stderr for a complete, valid entry" "$err" ""
E=$out
case "$E" in
[0-9a-f]*-*-*-*-*) pass ;;
*) fail "entry add prints the entry id" "$E" ;;
esac
run entry show "$E"
expect_rc "entry show exits 0" 0
# total = 3+2+2+1+1+0+2+1+2+4 = 18 → zone III (16-19); AUDIT-C = 3+2+2 = 7 (woman: >= 3 →
# positive); dependance = 1+1+0 = 2; dommages = 2+1+2+4 = 9; 18 >= 13 → dependance_probable.
expect_eq "entry show prints every field and the calculated ones" "$out" "$(
	cat <<'EOF'
q1=3
q2=2
q3=2
q4=1
q5=1
q6=0
q7=2
q8=1
q9=2
q10=4
saut_q2_q8=0
total=18
audit_c=7
dependance=2
dommages=9
zone_oms=III
classe_fr=dependance_probable
audit_c_positif=1
EOF
)"
short=$(printf '%s' "$E" | cut -c1-8)
run entry show "$short"
expect_rc "an entry is found by a prefix of its id" 0
expect_contains "the same entry" "$out" "total=18"
run entry list "$P"
expect_contains "entry list shows date, form, status and summary" "$out" \
	"$(printf '%s\t2026-10-01\taudit\tcomplete\tAUDIT 18 — Dépendance probable' "$E")"

# The WHO skip rule: q1 = 0 (Jamais) → q2..q8 not asked, count 0; total = q9 + q10 = 2 + 4 = 6.
run entry add "$P" audit q1=0 q9=2 q10=4
expect_rc "an AUDIT with q1 = 0 needs no q2..q8" 0
expect_lacks "and nothing is reported missing" "$err" "manquantes"
run entry show "$out"
expect_contains "q2 is empty" "$out" "q2=
q3="
expect_contains "the skip is recorded" "$out" "saut_q2_q8=1"
expect_contains "total = 0 + 2 + 4" "$out" "total=6"
expect_contains "woman, 6 >= 6" "$out" "classe_fr=mesusage"

# EPICES through the command line, yes/no as words: oui to 1, 5 and 9 → 100.00 − 9.47 = 90.53.
run entry add "$P" precarite logement=squat epices1=oui epices2=non epices3=0 epices4=0 epices5=1 \
	epices6=0 epices7=0 epices8=0 epices9=oui epices10=0 epices11=0
expect_rc "a precarity entry" 0
run entry show "$out"
expect_contains "EPICES with two decimals" "$out" "epices_score=90.53"
expect_contains "precarious (>= 30.17)" "$out" "precaire=1"
expect_contains "yes/no words are stored as 1/0" "$out" "epices1=1
epices2=0"

# FIB-4 uses the patient's year of birth and the entry's date: 2026 − 1981 = 45;
# 45 × 40 / (180 × √25) = 1800 / 900 = 2.00; APRI = (40 / 40) / 180 × 100 = 0.5555… → 0.56.
run entry add "$P" hcv --date 2026-03-15 evenement=fibrose methode=fib4 asat=40 alat=25 plaquettes=180 asat_lsn=40
expect_rc "a fibrosis entry" 0
run entry show "$out"
expect_contains "age from the entry date" "$out" "age_annees=45"
expect_contains "FIB-4" "$out" "fib4=2.00"
expect_contains "APRI" "$out" "apri=0.56"

# ---- refused values: exit 65, the field and the rule named, nothing stored
count_entries() {
	"$RECUEIL" entry list "$P" | wc -l | tr -d ' '
}
before=$(count_entries)
run entry add "$P" precarite logement=squat enfants=deux
expect_rc "a word for an integer is refused (65)" 65
expect_contains "the message names the field and the rule" "$err" "enfants : nombre entier attendu"
run entry add "$P" precarite logement=squat enfants=2.5
expect_rc "a decimal for an integer is refused (65)" 65
run entry add "$P" hcv evenement=fibrose methode=fibroscan fibroscan_kpa=12,5
expect_rc "a decimal comma is refused (65)" 65
expect_contains "the message names the field and the expected form" "$err" "fibroscan_kpa : nombre attendu"
run entry add "$P" hcv evenement=traitement parcours=simplifie molecule=autre date_debut=2026-02-30
expect_rc "an impossible date is refused (65)" 65
expect_contains "the message names the date field and says the day does not exist" "$err" "date_debut : date inexistante : 2026-02-30"
run entry add "$P" precarite logement=squat enfants=25
expect_rc "a value out of range is refused (65)" 65
expect_contains "the message gives the range" "$err" "enfants : valeur hors de [0, 20]"
run entry add "$P" audit q1=7
expect_rc "an unknown code is refused (65)" 65
expect_contains "the message names the field and lists the codes" "$err" "q1 : code « 7 » inconnu (codes possibles : 0, 1, 2, 3, 4)"
run entry add "$P" audit q9=3
expect_rc "q9 takes 0, 2 or 4 only (65)" 65
expect_contains "the message lists them" "$err" "codes possibles : 0, 2, 4"
run entry add "$P" audit q1=2 verres=3
expect_rc "an unknown field is refused (65)" 65
expect_contains "the message names the field and the form" "$err" "champ inconnu « verres » dans le formulaire audit"
run entry add "$P" audit q1=2 total=12
expect_rc "a value for a calculated field is refused (65)" 65
expect_contains "the message names the calculated field" "$err" "total : champ calculé"
run entry add "$P" hcv evenement=traitement parcours=simplifie molecule=autre date_debut=2026-05-01 date_fin=2026-04-01
expect_rc "a broken constraint is refused (65)" 65
expect_contains "the message is the form's rule" "$err" "date_fin : La date de fin ne peut pas précéder la date de début."
run entry add "$P" audit q1
expect_rc "an argument that is not field=value is a usage error (64)" 64
run entry add "$P" sondage q1=1
expect_rc "an unknown form is refused (65)" 65
run entry add ABCDEFGH audit q1=0
expect_rc "an unknown patient is refused (66)" 66
expect_eq "none of the refused entries was stored" "$(count_entries)" "$before"

# ---- missing required answers: kept as incomplete, missing fields listed
run entry add "$P" audit q1=2 q2=1
expect_rc "an entry with missing answers is still saved" 0
EI=$out
expect_contains "the missing fields are listed on stderr" "$err" "q3, q4, q5, q6, q7, q8, q9, q10"
run entry list "$P"
expect_contains "the entry is incomplete" "$out" "$(printf '%s\t2026-11-22\taudit\tincomplete' "$EI")"
run entry show "$EI"
expect_contains "its total is empty, not a partial sum" "$out" "total=
"
run entry edit "$EI" q3=1 q4=0 q5=0 q6=0 q7=0 q8=0 q9=0 q10=0
expect_rc "completing it" 0
run entry list "$P"
expect_contains "makes it complete" "$out" "$(printf '%s\t2026-11-22\taudit\tcomplete\tAUDIT 4 — Faible risque' "$EI")"

# ---- typed missing codes
run entry add "$P" audit q1=2 q2=.nsp q3=1 q4=0 q5=0 q6=0 q7=0 q8=0 q9=0 q10=.refus
expect_rc "typed missing codes are accepted" 0
EM=$out
expect_lacks "they count as answers: nothing missing" "$err" "manquantes"
run entry show "$EM"
expect_contains "the code is shown for q2" "$out" "q2=.nsp"
expect_contains "and for q10" "$out" "q10=.refus"
expect_contains "the total over a missing answer is empty" "$out" "total=
"
run entry list "$P"
expect_contains "the entry is complete" "$out" "$(printf '%s\t2026-11-22\taudit\tcomplete' "$EM")"
run patient add sexe=F annee_naissance=1990 date_inclusion=.nsp
expect_rc "a missing code a field does not offer is refused (65)" 65
expect_contains "the message names the field" "$err" "date_inclusion"
run entry add "$P" audit q1=.inconnu
expect_rc "an unknown missing code is refused (65)" 65

# ---- soft warnings
run entry add "$P" contact intervenant=medecin type_contact=cabinet statut=realise duree_min=150
expect_rc "a value outside a soft limit is kept (exit 0)" 0
ES=$out
expect_contains "with a warning naming the field" "$err" "attention : duree_min"
expect_contains "that says how to confirm" "$err" "--confirm duree_min="
run entry show "$ES"
expect_contains "the value is stored" "$out" "duree_min=150"
run entry add "$P" contact intervenant=medecin type_contact=cabinet statut=realise duree_min=150 \
	--confirm "duree_min=bilan social complet"
expect_rc "with --confirm the value is recorded" 0
EC=$out
expect_lacks "and no warning is printed" "$err" "attention"
run entry show "$EC"
expect_contains "the value is stored" "$out" "duree_min=150"
if have_sqlite3; then
	reason=$(sqlite3 "$RECUEIL_DB" "SELECT c.reason FROM entry_confirmations c JOIN entries e ON e.id = c.entry_id WHERE e.uuid = '$EC' AND c.field = 'duree_min'")
	expect_eq "the reason is stored with the entry" "$reason" "bilan social complet"
	pending=$(sqlite3 "$RECUEIL_DB" "SELECT count(*) FROM entry_confirmations c JOIN entries e ON e.id = c.entry_id WHERE e.uuid = '$ES' AND c.reason IS NULL")
	expect_eq "the unconfirmed warning is kept as pending" "$pending" 1
else
	skip "sqlite3 absent : raisons des confirmations en base"
fi
run entry add "$P" contact intervenant=medecin type_contact=cabinet statut=realise duree_min=150 --confirm "duree=x"
expect_rc "--confirm for an unknown field is refused (65)" 65
run entry add "$P" contact intervenant=medecin type_contact=cabinet statut=realise duree_min=500
expect_rc "above the hard limit, no confirmation helps (65)" 65

# ---- entry edit
run entry edit "$E" q10=0
expect_rc "entry edit exits 0" 0
run entry show "$E"
# 18 − 4 = 14: still >= 13.
expect_contains "the value changed" "$out" "q10=0"
expect_contains "the total is recomputed (18 − 4)" "$out" "total=14"
expect_contains "and the sub-score (2+1+2+0)" "$out" "dommages=5"
expect_contains "the other answers are kept" "$out" "q9=2"
run entry edit "$E" q10=3
expect_rc "an invalid value is refused on edit too (65)" 65
run entry show "$E"
expect_contains "and the stored value is unchanged" "$out" "q10=0"
run entry edit "$E" --date 2026-12-01
expect_rc "an edit cannot move an entry into the future (65)" 65
run entry edit "$E" --date 2026-09-30
expect_rc "an edit can change the date" 0
run entry list "$P"
expect_contains "the new date is listed" "$out" "$(printf '%s\t2026-09-30\taudit' "$E")"
run entry edit 0123456789 q1=1
expect_rc "editing an unknown entry fails (66)" 66

# ---- once-only forms
run entry list "$P"
PE=$(printf '%s\n' "$out" | awk -F '\t' '$3 == "patient" { print $1 }')
run entry add "$P" patient sexe=F annee_naissance=1981
expect_rc "a second patient form for the same patient is refused (65)" 65
expect_contains "the message says it is filled once" "$err" "une seule fois"
expect_contains "and names the entry to edit" "$err" "$PE"
run entry edit "$PE" annee_naissance=1980
expect_rc "the patient form is edited instead" 0
run entry show "$PE"
expect_contains "with its new value" "$out" "annee_naissance=1980"

# ---- dates
run entry add "$P" audit --date 2026-11-23 q1=0 q9=0 q10=0
expect_rc "an entry dated tomorrow is refused (65)" 65
expect_contains "the message says the date is in the future" "$err" "futur"
run entry add "$P" audit --date 2026-11-22 q1=0 q9=0 q10=0
expect_rc "an entry dated today is accepted" 0
run entry add "$P" audit --date 22/11/2026 q1=0 q9=0 q10=0
expect_rc "a date in another format is refused (65)" 65
run patient add sexe=M annee_naissance=1970 date_inclusion=2026-12-01
expect_rc "an inclusion date in the future is refused (65)" 65
expect_contains "with the form's message" "$err" "date_inclusion"

# ---- a value for a question that is not asked
run entry add "$P" audit q1=0 q2=3 q9=0 q10=2
expect_rc "a value for a hidden question does not stop the entry" 0
EH=$out
expect_contains "the user is told the value is ignored" "$err" "q2 : valeur ignorée, la question n'est pas posée"
expect_contains "and why" "$err" "q1 > 0"
run entry show "$EH"
expect_contains "the value is not stored" "$out" "q2=
"
expect_contains "and does not count: total = 0 + 0 + 2" "$out" "total=2"
run entry add "$P" contact intervenant=medecin type_contact=cabinet statut=annule duree_min=30
expect_rc "the duration of a cancelled contact is ignored" 0
expect_contains "with a message" "$err" "duree_min : valeur ignorée"

# ---- drafts
run entry add "$P" audit --draft q1=1
expect_rc "a draft is saved" 0
ED=$out
run entry list "$P"
expect_contains "with the status draft, even with answers missing" "$out" "$(printf '%s\t2026-11-22\taudit\tdraft' "$ED")"

# ---- what is printed never drives the terminal
esc=$(printf '\033')
run patient add sexe=M annee_naissance=1975 "nom=A${esc}[31mB" "notes=ligne 1
ligne 2"
expect_rc "text with control characters is accepted as typed" 0
P3=$out
run entry list "$P3"
PE3=$(printf '%s\n' "$out" | cut -f1)
run entry show "$PE3"
expect_lacks "entry show prints no escape character" "$out" "$esc"
expect_eq "entry show keeps one line per field" "$(printf '%s\n' "$out" | grep -c '^[a-z_0-9]*=')" \
	"$(printf '%s\n' "$out" | grep -c .)"
run patient list
expect_lacks "patient list prints no escape character" "$out" "$esc"

finish
