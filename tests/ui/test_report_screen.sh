# The report screen (issue 5 item 5): for a small hand-made database, the main figures and the
# HCV cascade and AUDIT zones drawn as horizontal bars scaled to the width, value and percentage at
# the end of each bar, at 80×24; '#' bars on a terminal that is not UTF-8; the small counts masked
# on demand; another period chosen; a saisie user refused.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
"$RECUEIL" user add infirmiere --role saisie >/dev/null
add() { # PATIENT FORM DATE field=value…
	p=$1 f=$2 d=$3
	shift 3
	"$RECUEIL" entry add "$p" "$f" --date "$d" "$@" >/dev/null || fail "entry add $f $d $*"
}
hcv_test() { # PATIENT DATE TYPE RESULT
	case $3 in
	trod | serologie) add "$1" hcv "$2" evenement=test virus=vhc type_test="$3" propose=realise resultat="$4" ;;
	*) add "$1" hcv "$2" evenement=test virus=vhc type_test="$3" propose=realise arn_resultat="$4" ;;
	esac
}
# The period of the next deadline is 2026-T1 (today 2026-03-02). Four patients followed.
A=$("$RECUEIL" patient add sexe=F annee_naissance=1980 date_inclusion=2026-01-05)
B=$("$RECUEIL" patient add sexe=M annee_naissance=1975 date_inclusion=2025-06-01)
C=$("$RECUEIL" patient add sexe=M annee_naissance=1990 date_inclusion=2026-02-01)
D=$("$RECUEIL" patient add sexe=F annee_naissance=1968 date_inclusion=2024-01-10)
for p in "$A" "$B" "$C" "$D"; do
	add "$p" contact 2026-02-10 intervenant=medecin type_contact=cabinet statut=realise duree_min=30
done
# Cascade: followed 4, screened 3 (A B C), antibody positive 2 (B C), RNA tested 2, RNA positive 1
# (B), treated 1, cured 1.
hcv_test "$A" 2026-01-10 trod negatif
hcv_test "$B" 2026-01-15 serologie positif
hcv_test "$B" 2026-01-20 charge_virale detectable
add "$B" hcv 2026-02-01 evenement=traitement parcours=simplifie molecule=sof_vel_12s issue=termine rvs12=guerison
hcv_test "$C" 2026-01-12 trod positif
hcv_test "$C" 2026-01-25 arn_qualitatif indetectable
# AUDIT zones: A 5 (I), B 10 (II), C 22 (IV), D 0 (I): assessed 4, I 2, II 1, III 0, IV 1.
add "$A" audit 2026-02-11 q1=2 q2=1 q3=1 q4=0 q5=0 q6=0 q7=1 q8=0 q9=0 q10=0
add "$B" audit 2026-02-11 q1=3 q2=2 q3=2 q4=1 q5=0 q6=0 q7=0 q8=0 q9=0 q10=2
add "$C" audit 2026-02-11 q1=4 q2=3 q3=3 q4=2 q5=2 q6=2 q7=2 q8=0 q9=2 q10=2
add "$D" audit 2026-02-11 q1=0 q9=0 q10=0

cat > "$T/keys" <<'KEYS'
<Dump>
r<Dump>
<PgDn><Dump>
# F12: small counts masked, then shown again (m)
<F12><Dump>
m
# another period: 2025, where nothing happened
<F11><C-u>2025<Enter><Dump>
<Esc><F10>
KEYS
RECUEIL_AS_USER=coord tui "$T/keys"

# The home screen counts the screenings due as the report does, for the patients followed in
# the 12 months up to today: D was never tested; A, B and C were in January.
expect 1 "Dépistages VHC à faire (patients suivis ces 12 derniers mois) : 1"
due=$("$RECUEIL" report --period 2025-03-03..2026-03-02 --format csv --no-mask 2>/dev/null |
	grep ',depistage_vhc,a_faire,' | cut -d, -f5)
[ "$due" = 1 ] || fail "le rapport compte $due dépistage(s) à faire, l'accueil 1"
expect 1 "4  Rapport d'activité de la période (r)"
expect 2 "recueil — rapport d'activité"
expect 2 "Période 2026-T1 (du 2026-01-01 au 2026-03-31) — structure TEST01"
expect 2 "F11 ^T Période  F12 m Masquer"
screen 2 | grep -q "Patients suivis (au moins un contact réalisé) *4$" || fail "patients suivis : 4"
screen 2 | grep -q "Nouvelles inclusions *2$" || fail "inclusions : 2"
expect 2 "Cascade VHC"
line_ends "Patients suivis  " 2 "█ *4"
line_ends "Dépistés (TROD" 2 " 3  75,0 %"
line_ends "Anticorps anti-VHC" 2 " 2  66,7 %"
line_ends "ARN détectable" 2 " 1  50,0 %"
line_ends "Guéris (RVS12)" 2 " 1 100,0 %"
full=$(bar "Patients suivis  " 2)
[ "$full" -ge 20 ] || fail "barre des patients suivis trop courte à 80 colonnes : $full"
# scaled to the followed patients: 3/4, 2/4 and 1/4 of the full bar (± the partial block)
[ $(( $(bar "Dépistés (TROD" 2) * 4 / 3 )) -ge $((full - 2)) ] || fail "barre des dépistés : 3/4"
[ $(( $(bar "Anticorps anti-VHC" 2) * 2 )) -ge $((full - 2)) ] || fail "barre des anticorps positifs : 2/4"
[ $(( $(bar "Guéris (RVS12)" 2) * 4 )) -ge $((full - 4)) ] || fail "barre des guéris : 1/4"
# the AUDIT zones, scaled to the patients assessed
expect 3 "AUDIT : zones de risque de l'OMS"
line_ends "Zone I (0" 3 " 2  50,0 %"
line_ends "Zone II (8" 3 " 1  25,0 %"
line_ends "Zone III (16" 3 " 0   0,0 %"
line_ends "Zone IV (20" 3 " 1  25,0 %"
[ "$(bar "Zone I (0" 3)" -eq "$((full / 2))" ] || fail "zone I : la moitié de la largeur"
[ "$(bar "Zone III (16" 3)" -eq 0 ] || fail "zone III : pas de barre"
# masked: counts 1..4 shown as <5, no bar, no share
expect 4 "Effectifs de 1 à 4 masqués"
line_ends "Zone I (0" 4 "<5"
[ "$(bar "Zone I (0" 4)" -eq 0 ] || fail "pas de barre pour un effectif masqué"
expect 5 "Période 2025 (du 2025-01-01 au 2025-12-31)"
screen 5 | grep -q "Patients suivis (au moins un contact réalisé) *0$" || fail "2025 : aucun patient suivi"

# a terminal that is not UTF-8: '#' bars, the same figures
: > "$T/screens"
printf 'r<Dump><F10>' > "$T/keys2"
LANG=C RECUEIL_AS_USER=coord tui "$T/keys2"
screen 1 | grep "Patients suivis  " | grep -q "##########* *4$" || fail "barres en # sans UTF-8"
line_ends "Depistes (TROD" 1 " 3  75,0 %"

# a saisie user is refused, and it is logged
: > "$T/screens"
printf '<Dump>r<Dump><F10>' > "$T/keys3"
RECUEIL_AS_USER=infirmiere tui "$T/keys3"
expect 1 "Rapport d'activité (réservé à la coordination)"
expect 2 "Rapport d'activité : réservé au rôle coordination ou plus (vous : saisie)."
"$RECUEIL" log | grep "infirmiere" | grep -q "interface : rapport" || fail "refus du rapport au journal"

# in English: labels and decimal point
: > "$T/screens"
LANGUAGE=en RECUEIL_AS_USER=coord tui "$T/keys2"
expect 1 "recueil — activity report"
line_ends "Screened" 1 " 3  75.0 %"

# A report that takes longer than half a second says how far it is: a line at the bottom,
# written to the terminal while the report is computed (the delay set to 0 by a test seam).
: > "$T/screens"
printf 'r<F10>' > "$T/keys4"
RECUEIL_REPORT_PROGRESS_MS=0 RECUEIL_SCREEN_OUTPUT="$T/out" RECUEIL_AS_USER=coord tui "$T/keys4"
grep -q "Calcul du rapport… (1/15)" "$T/out" || fail "ligne de progression du rapport (1/15)"
# then each step (curses writes only what changed: "2/15)", "3/15)"…)
[ "$(grep -o '/15)' "$T/out" | wc -l)" -eq 15 ] || fail "ligne de progression : 15 étapes"
: > "$T/out"
RECUEIL_SCREEN_OUTPUT="$T/out" RECUEIL_AS_USER=coord tui "$T/keys4"
if grep -q "Calcul du rapport" "$T/out"; then fail "pas de ligne de progression pour un rapport rapide"; fi
