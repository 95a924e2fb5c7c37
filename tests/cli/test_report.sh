#!/bin/sh
# recueil report: every figure of a small hand-made database, computed by hand below, in CSV and
# in text; the small-count rule (1..4 masked, 0 and 5 not); defaults (period, masking); roles;
# a form that is absent; two structures and their total.
. "$TESTS/cli/lib.sh"
R=$RECUEIL

$R init --structure MS01 >/dev/null

# Patients and their inclusion dates. The period is 2026-T3: 2026-07-01..2026-09-30 (E).
A=$($R patient add sexe=F annee_naissance=1980 date_inclusion=2026-07-05)
B=$($R patient add sexe=M annee_naissance=1975 date_inclusion=2026-09-30)
C=$($R patient add sexe=M annee_naissance=1990 date_inclusion=2026-06-30)
D=$($R patient add sexe=F annee_naissance=1968 date_inclusion=2025-01-10)
E=$($R patient add sexe=M annee_naissance=2000 date_inclusion=2026-08-01)
F=$($R patient add sexe=X annee_naissance=1985 date_inclusion=2026-10-01)
G=$($R patient add sexe=M annee_naissance=1960 date_inclusion=2024-03-01)

add() { # PATIENT FORM DATE field=value…
	p=$1 f=$2 d=$3
	shift 3
	$R entry add "$p" "$f" --date "$d" "$@" >/dev/null 2>>"$tmp/add.err" || echo "entry add $f $d $*: échec" >&2
}
contact() { # PATIENT DATE INTERVENANT TYPE STATUT
	if [ "$5" = realise ]; then
		add "$1" contact "$2" intervenant="$3" type_contact="$4" statut="$5" duree_min=30
	else
		add "$1" contact "$2" intervenant="$3" type_contact="$4" statut="$5"
	fi
}

# ---- contacts. Followed in T3 (a contact 'realise' in the period): A B C D F G = 6; not E.
contact "$A" 2026-07-10 medecin cabinet realise
contact "$A" 2026-08-15 psychologue teleconsultation realise
contact "$B" 2026-07-20 travailleur_social domicile realise
contact "$C" 2026-09-30 infirmier cabinet realise      # last day of the period: counts
contact "$D" 2026-07-01 medecin telephone realise      # first day: counts
contact "$E" 2026-08-01 medecin cabinet non_honore     # in the period but not done
contact "$E" 2026-06-30 medecin cabinet realise        # done, the day before the period
contact "$E" 2026-10-01 medecin cabinet realise        # done, the day after
contact "$F" 2026-09-01 medecin cabinet annule
contact "$F" 2026-09-02 medecin cabinet realise
contact "$G" 2026-09-10 psychiatre accompagnement realise
# In T3: realise 7 (A2 B C D F G), non_honore 1, annule 1, total 9. Done, by profession:
# medecin 3 (A D F), psychologue 1, travailleur_social 1, infirmier 1, psychiatre 1; by kind:
# cabinet 3 (A C F), teleconsultation 1, domicile 1, telephone 1, accompagnement 1.

# ---- exits in T3: demenagement 1 (D), perdu_de_vue 1 (E); F's is after the period.
add "$D" sortie 2026-09-15 motif=demenagement
add "$E" sortie 2026-08-20 motif=perdu_de_vue
add "$F" sortie 2026-10-05 motif=objectifs_atteints

# ---- AUDIT: each patient's last one in T3.
add "$A" audit 2026-07-10 q1=3 q2=2 q3=2 q4=1 q5=1 q6=0 q7=2 q8=1 q9=2 q10=4 # 18, III (not last)
add "$A" audit 2026-09-01 q1=2 q2=1 q3=1 q4=0 q5=0 q6=0 q7=1 q8=0 q9=0 q10=0 # 5, I, faible (F)
add "$B" audit 2026-08-01 q1=3 q2=2 q3=2 q4=1 q5=0 q6=0 q7=0 q8=0 q9=0 q10=2 # 10, II, mesusage (M)
add "$C" audit 2026-06-15 q1=4 q2=4 q3=4 q4=3 q5=3 q6=3 q7=2 q8=0 q9=2 q10=0 # 25, before T3
add "$D" audit 2026-08-10 q1=4 q2=3 q3=3 q4=2 q5=2 q6=2 q7=2 q8=0 q9=2 q10=2 # 22, IV, dependance
add "$E" audit 2026-09-10 q1=0 q9=0 q10=0                                    # 0, I, faible
# Assessed 4 (A B D E): I 2, II 1, III 0, IV 1; faible_risque 2, mesusage 1, dependance 1.

# ---- EPICES: last precarite entry of each patient in T3.
no11="epices1=0 epices2=0 epices3=0 epices4=0 epices5=0 epices6=0 epices7=0 epices8=0 epices9=0 epices10=0 epices11=0"
epices() { # PATIENT DATE numbers of the questions answered "oui"
	p=$1 d=$2
	shift 2
	set -- $no11 $(for q in "$@"; do printf 'epices%s=1 ' "$q"; done)
	add "$p" precarite "$d" "$@"
}
epices "$A" 2026-07-10 2 8 9 10 11             # 30.17: exactly the threshold, precarious
epices "$B" 2026-08-05 1 5                     # 100.00
epices "$C" 2026-07-20 2 3 4 6 7 8 9 10 11     # 0.00, not the last
epices "$C" 2026-09-20 1 5 9                   # 90.53
epices "$D" 2026-06-01 1 5                     # before T3
epices "$F" 2026-09-05 2 4 5 7 8 9 10 11       # 29.59: just under
# Assessed 4; mean (30.17 + 100 + 90.53 + 29.59) / 4 = 62.5725 → 62.57; precarious 3 → 75.0 %.

# ---- hepatitis events, counted up to E = 2026-09-30 for the followed patients.
test_vhc() { # PATIENT DATE TYPE RESULT
	case $3 in
	trod | serologie) add "$1" hcv "$2" evenement=test virus=vhc type_test="$3" propose=realise resultat="$4" ;;
	*) add "$1" hcv "$2" evenement=test virus=vhc type_test="$3" propose=realise arn_resultat="$4" ;;
	esac
}
test_vhc "$A" 2026-02-20 trod negatif                  # 7 months before E
test_vhc "$B" 2026-03-01 serologie positif
test_vhc "$B" 2026-04-01 charge_virale detectable
add "$B" hcv 2026-06-01 evenement=traitement parcours=simplifie molecule=sof_vel_12s issue=termine rvs12=guerison
test_vhc "$C" 2026-01-10 trod positif
test_vhc "$C" 2026-02-20 arn_qualitatif detectable     # 7 months before E
test_vhc "$D" 2026-05-01 serologie positif
test_vhc "$D" 2026-05-20 charge_virale indetectable    # cleared
test_vhc "$F" 2026-09-10 trod positif
test_vhc "$F" 2026-10-15 charge_virale detectable      # after E: not counted
test_vhc "$G" 2025-06-01 serologie positif
test_vhc "$G" 2025-07-01 charge_virale detectable
add "$G" hcv 2025-08-01 evenement=traitement parcours=specialise molecule=gle_pib_8s issue=en_cours
test_vhc "$E" 2026-08-01 trod positif                  # E is not followed
add "$A" hcv 2026-09-01 evenement=test virus=vhc type_test=trod propose=propose_refuse
# Cascade: followed 6, screened 6, antibody positive 5 (B C D F G), RNA tested 4 (B C D G),
# RNA positive 3 (B C G), treated 2 (B G), cured 1 (B).

# ---- HBV vaccination, last known status up to E.
vhb() { add "$1" hcv "$2" evenement=vaccination_vhb statut_vhb="$3"; }
vhb "$A" 2026-01-01 en_cours
vhb "$A" 2026-08-01 complet
vhb "$B" 2026-07-01 complet
vhb "$B" 2026-09-01 inconnu     # does not hide the complete scheme
vhb "$C" 2026-07-05 inconnu
vhb "$D" 2026-10-10 complet     # after E
vhb "$F" 2026-03-01 non_vaccine
# complet 2 (A B), en_cours 0, non_vaccine 1 (F), immunise 0, inconnu 1 (C), none 2 (D G).

# ---- active injectors (last substances entry up to E): B and C; D injected, not lately.
add "$B" substances 2026-07-20 injection_vie=1 injection_30j=1
add "$C" substances 2026-01-01 injection_vie=1 injection_30j=0
add "$C" substances 2026-07-01 injection_vie=1 injection_30j=1
add "$D" substances 2026-07-01 injection_vie=1 injection_30j=0
# Screening due at E: C (injector, last test 2026-02-20, more than 6 months) and G (last test
# 2025-07-01, more than 12 months); not A (non-injector, 7 months), not B (2026-04-01).

# ---- mental health: last entry of each patient in T3.
sm() { # PATIENT DATE phq1..phq9 gad1..gad7
	p=$1 d=$2
	shift 2
	add "$p" sante_mentale "$d" phq1=$1 phq2=$2 phq3=$3 phq4=$4 phq5=$5 phq6=$6 phq7=$7 phq8=$8 phq9=$9 \
		gad1=${10} gad2=${11} gad3=${12} gad4=${13} gad5=${14} gad6=${15} gad7=${16}
}
sm "$A" 2026-08-20 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2   # PHQ 9 leger (item 9: urgent alert), GAD 14 modere
sm "$B" 2026-07-15 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0   # minimal, not the last
sm "$B" 2026-09-15 3 3 3 3 3 3 2 0 0 3 3 3 3 3 3 3   # PHQ 20 severe (alert), GAD 21 severe
# Alerts on entries of T3: D's AUDIT zone IV (attention), A's item 9 (urgent), B's PHQ-9 >= 20
# (attention) = 3; C's zone IV is dated before T3.

expect_eq "every entry was accepted" "$(cat "$tmp/add.err" | grep -c 'échec')" 0

# ---------------------------------------------------------------- CSV, unmasked
$R report --period 2026-T3 --format csv --no-mask >"$tmp/out"
expect_eq "report csv exits 0" "$?" 0
csv=$(tr -d '\r' <"$tmp/out")
expect_eq "CSV header" "$(printf '%s\n' "$csv" | head -1)" "structure,periode,indicateur,categorie,valeur,masque"
v() { printf '%s\n' "$csv" | grep "^MS01,[^,]*,$1,$2," | cut -d, -f5,6; }
check() { expect_eq "$1 $2" "$(v "$1" "$2")" "$3"; }

check patients_suivis patients 6,0
check inclusions patients 3,0
check sorties demenagement 1,0
check sorties perdu_de_vue 1,0
check sorties objectifs_atteints 0,0
check sorties total 2,0
check contacts_statut realise 7,0
check contacts_statut non_honore 1,0
check contacts_statut annule 1,0
check contacts_statut total 9,0
check contacts_intervenant medecin 3,0
check contacts_intervenant psychologue 1,0
check contacts_intervenant travailleur_social 1,0
check contacts_intervenant infirmier 1,0
check contacts_intervenant psychiatre 1,0
check contacts_intervenant autre 0,0
check contacts_intervenant total 7,0
check contacts_type cabinet 3,0
check contacts_type teleconsultation 1,0
check contacts_type domicile 1,0
check contacts_type telephone 1,0
check contacts_type accompagnement 1,0
check contacts_type entretien_familial 0,0
check audit_zone_oms evalues 4,0
check audit_zone_oms I 2,0
check audit_zone_oms II 1,0
check audit_zone_oms III 0,0
check audit_zone_oms IV 1,0
check audit_classe_fr faible_risque 2,0
check audit_classe_fr mesusage 1,0
check audit_classe_fr dependance_probable 1,0
check epices evalues 4,0
check epices score_moyen 62.57,0
check epices precaires 3,0
check epices part_precaires 75.0,0
check cascade_vhc suivis 6,0
check cascade_vhc depistes 6,0
check cascade_vhc ac_positifs 5,0
check cascade_vhc arn_testes 4,0
check cascade_vhc arn_positifs 3,0
check cascade_vhc traites 2,0
check cascade_vhc gueris 1,0
check vaccination_vhb suivis 6,0
check vaccination_vhb complet 2,0
check vaccination_vhb en_cours 0,0
check vaccination_vhb non_vaccine 1,0
check vaccination_vhb immunise_infection 0,0
check vaccination_vhb inconnu 1,0
check vaccination_vhb non_renseigne 2,0
check depistage_vhc suivis 6,0
check depistage_vhc injecteurs_actifs 2,0
check depistage_vhc a_faire 2,0
check depistage_vhc a_faire_injecteurs 1,0
check depistage_vhc a_faire_autres 1,0
check phq9_severite evalues 2,0
check phq9_severite leger 1,0
check phq9_severite severe 1,0
check phq9_severite minimal 0,0
check gad7_severite modere 1,0
check gad7_severite severe 1,0
check gad7_severite minimal 0,0
check alertes total 3,0
check alertes urgent 1,0
check alertes attention 2,0
check alertes info 0,0
expect_eq "one structure: no total rows" "$(printf '%s\n' "$csv" | grep -c '^ensemble,')" 0
expect_eq "every row has 6 fields" "$(printf '%s\n' "$csv" | awk -F, 'NF != 6' | wc -l | tr -d ' ')" 0
expect_eq "no alert text in the report" "$(printf '%s\n' "$csv" | grep -c 'PHQ-9 item 9')" 0

# The first day after T3 changes the followed patients: a year holds T3 and more.
csv=$($R report --period 2026-T4 --format csv --no-mask | tr -d '\r')
check patients_suivis patients 1,0 # E on 2026-10-01
csv=$($R report --period 2026-06-30..2026-06-30 --format csv --no-mask | tr -d '\r')
expect_eq "a one-day range" "$(printf '%s\n' "$csv" | grep '^MS01,[^,]*,patients_suivis,' | cut -d, -f2,5)" \
	"2026-06-30..2026-06-30,1"

# ---------------------------------------------------------------- CSV masked by default
csv=$($R report --period 2026-T3 --format csv | tr -d '\r')
check patients_suivis patients 6,0          # 6: shown
check cascade_vhc ac_positifs 5,0           # 5: shown
check cascade_vhc arn_testes ,1             # 4: masked
check cascade_vhc gueris ,1                 # 1: masked
check vaccination_vhb en_cours 0,0          # 0: shown
check epices evalues ,1
check epices score_moyen ,1                 # a mean of 4 patients is masked with its count
check epices part_precaires ,1
# 9 contacts, 2 of them masked (1 and 1): with 7 shown, both would be known to be 1 (two
# counts from 1 to 4 adding up to 2), so 7 is masked in complement, and with it the same count
# given as the total of the contacts done by profession and by kind.
check contacts_statut realise ,1
check contacts_statut total 9,0
check contacts_intervenant total ,1
check contacts_type total ,1
check contacts_statut non_honore ,1
csv=$($R report --period 2026-T3 --format csv --mask | tr -d '\r')
check cascade_vhc arn_positifs ,1

# ---------------------------------------------------------------- text
txt=$($R report --period 2026-T3)
expect_eq "report text exits 0" "$?" 0
expect_contains "title" "$txt" "Rapport d'activité — période 2026-T3 (du 01/07/2026 au 30/09/2026)"
expect_contains "text is not masked by default" "$txt" "Effectifs de 1 à 4 non masqués"
expect_contains "structure heading" "$txt" "==== Structure MS01 ===="
line() { printf '%s\n' "$txt" | grep -F -- "$1" | head -1 | tr -s ' '; }
expect_eq "followed" "$(line 'Patients suivis (au moins')" "Patients suivis (au moins un contact réalisé) 6"
expect_eq "inclusions" "$(line 'Nouvelles inclusions')" "Nouvelles inclusions 3"
expect_eq "EPICES mean, French decimals" "$(line 'Score EPICES moyen')" " Score EPICES moyen 62,57"
expect_eq "EPICES threshold from reporting.yaml" "$(line 'Précaires (score')" " Précaires (score ≥ 30,17) 3"
expect_eq "cascade step with its share of the step before" "$(line 'Anticorps anti-VHC')" \
	" Anticorps anti-VHC positifs 5 83,3 %"
expect_eq "cured" "$(line 'Guéris (RVS12)')" " Guéris (RVS12) 1 50,0 %"
expect_eq "zone IV" "$(line 'Zone IV')" " Zone IV (20 à 40) : dépendance probable 1 25,0 %"
expect_eq "screening due, injectors" "$(line 'dont injecteurs actifs')" \
	" dont injecteurs actifs (aucun test depuis 6 mois) 1 50,0 %"
expect_eq "zero exit reasons are left out of the text" "$(printf '%s\n' "$txt" | grep -c 'Décès')" 0
expect_eq "no line wider than 80 columns" \
	"$(printf '%s\n' "$txt" | LC_ALL=C tr -d '\200-\277' | LC_ALL=C awk 'length($0) > 80' | wc -l | tr -d ' ')" 0

txt=$($R report --period 2026-T3 --mask)
expect_contains "text masked on request" "$txt" "Effectifs de 1 à 4 masqués (« <5 »)"
expect_eq "a masked count" "$(line 'Guéris (RVS12)')" " Guéris (RVS12) <5"
expect_eq "a count of 5 is shown, its share too" "$(line 'Anticorps anti-VHC')" \
	" Anticorps anti-VHC positifs 5 83,3 %"
expect_eq "a zero is shown" "$(line 'Zone III')" " Zone III (16 à 19) : consommation nocive 0"
expect_eq "a count masked in complement" "$(line 'Réalisé')" " Réalisé s"
expect_contains "the footer says which rule" "$(printf '%s\n' "$txt" | tr '\n' ' ' | tr -s ' ')" \
	"Masquage : dans ce qui quitte la structure, les effectifs de 1 à 4 sont masqués"
csv_err=$($R report --period 2026-T3 --format csv 2>&1 >/dev/null)
expect_contains "the masked CSV says which rule, on stderr" "$csv_err" "recueil: masquage : dans ce qui quitte la structure"

# ---------------------------------------------------------------- definitions
txt=$($R report --period 2026-T3)
expect_contains "the text ends with the definitions" "$txt" "DÉFINITIONS DES INDICATEURS"
flat=$(printf '%s\n' "$txt" | sed -n '/^DÉFINITIONS DES INDICATEURS/,$p' | tr '\n' ' ' | tr -s ' ')
expect_contains "the cascade's definition" "$flat" \
	"La cascade compte chaque étape parmi les patients de l'étape précédente"
expect_contains "the AUDIT's: the last of the period" "$flat" "le dernier AUDIT de la période"
expect_contains "the threshold of reporting.yaml written in" "$flat" \
	"nombre et la part de patients précaires (score supérieur ou égal à 30,17)"
expect_contains "the screening intervals too" "$flat" "depuis 6 mois pour un injecteur actif, 12 mois pour les autres"
$R report --definitions --format csv >"$tmp/out"
expect_eq "--definitions --format csv exits 0" "$?" 0
defs=$(tr -d '\r' <"$tmp/out")
expect_eq "definitions CSV header" "$(printf '%s\n' "$defs" | head -1)" "indicateur,titre,definition"
expect_eq "one row per indicator (activity and impact page), the conventions, the masking rule and the header" \
	"$(printf '%s\n' "$defs" | wc -l | tr -d ' ')" 30
expect_contains "an impact indicator's row" "$defs" "impact_cout,Coût par patient suivi,\"budget annuel de la structure"
expect_contains "the masking rule's row" "$defs" "masque,Petits effectifs,\"dans ce qui quitte la structure, les effectifs de 1 à 4 sont masqués"
expect_contains "the conventions row" "$defs" "regles_communes,Règles communes,\"les saisies en brouillon ne comptent jamais"
expect_contains "an indicator's row" "$defs" "alertes,\"Alertes cliniques (nombre, sans texte)\",\"les alertes cliniques levées"
out=$($R report --definitions)
expect_contains "--definitions as text" "$out" "epices — Précarité : score EPICES : pour chaque patient"
expect_lacks "… and nothing else" "$out" "Rapport d'activité"
if command -v unzip >/dev/null 2>&1; then
	$R export --period 2026-T3 --out "$tmp/plain.zip" --no-encrypt --accept-issues test </dev/null >/dev/null 2>&1
	readme=$(unzip -p "$tmp/plain.zip" LISEZMOI.txt | tr -d '\r' | tr '\n' ' ' | tr -s ' ')
	expect_contains "LISEZMOI.txt lists the definitions" "$readme" "DÉFINITIONS DES INDICATEURS"
	expect_contains "… the cascade's among them" "$readme" "cascade_vhc — Cascade VHC"
else
	echo "unzip absent : LISEZMOI.txt non vérifié" >&2
fi

# ---------------------------------------------------------------- defaults and errors
$R report >/dev/null 2>"$tmp/err"
expect_eq "report without --period exits 0" "$?" 0
expect_contains "the period of the next deadline is named" "$(cat "$tmp/err")" \
	"période 2026-T4, celle de la prochaine échéance (le 2027-01-31)"
$R report --period 2026-T5 >/dev/null 2>"$tmp/err"
expect_eq "a bad period is a usage error" "$?" 64
$R report --format xml >/dev/null 2>"$tmp/err"
expect_eq "a bad format is a usage error" "$?" 64

$R user add saisie1 --role saisie >/dev/null
$R user add coord1 --role coordination >/dev/null
RECUEIL_AS_USER=saisie1 $R report --period 2026-T3 >/dev/null 2>"$tmp/err"
expect_eq "a saisie user is refused (77)" "$?" 77
expect_contains "with a message naming the role" "$(cat "$tmp/err")" "coordination"
RECUEIL_AS_USER=coord1 $R report --period 2026-T3 >/dev/null 2>&1
expect_eq "a coordination user may report" "$?" 0

# ---------------------------------------------------------------- a form that is absent
mkdir "$tmp/forms"
for f in "$SRC"/forms/*.yaml; do
	case $f in */sante_mentale.yaml) ;; *) cp "$f" "$tmp/forms/" ;; esac
done
RECUEIL_FORMS="$tmp/forms" $R report --period 2026-T3 --format csv --no-mask >"$tmp/out"
expect_eq "without sante_mentale the report still runs" "$?" 0
out=$(tr -d '\r' <"$tmp/out")
expect_eq "PHQ-9 not available: one empty row" "$(printf '%s\n' "$out" | grep ',phq9_severite,')" \
	"MS01,2026-T3,phq9_severite,,,0"
expect_contains "the rest is there" "$out" "MS01,2026-T3,cascade_vhc,gueris,1,0"
out=$(RECUEIL_FORMS="$tmp/forms" $R report --period 2026-T3)
expect_contains "text says not available and why" "$out" "non disponible : formulaire « sante_mentale » absent"

# ---------------------------------------------------------------- two structures
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$RECUEIL_DB" "UPDATE patients SET structure = 'MS02' WHERE pseudonym IN ('$B', '$G')"
	csv=$($R report --period 2026-T3 --format csv --no-mask | tr -d '\r')
	check patients_suivis patients 4,0
	vs() { printf '%s\n' "$csv" | grep "^$1,2026-T3,$2,$3," | cut -d, -f5; }
	expect_eq "MS02 followed" "$(vs MS02 patients_suivis patients)" 2
	expect_eq "total followed" "$(vs ensemble patients_suivis patients)" 6
	expect_eq "MS02 cascade treated" "$(vs MS02 cascade_vhc traites)" 2
	expect_eq "total cascade RNA tested" "$(vs ensemble cascade_vhc arn_testes)" 4
	expect_eq "MS01 EPICES mean (A C F)" "$(vs MS01 epices score_moyen)" 50.10
	expect_eq "total EPICES mean from the sums" "$(vs ensemble epices score_moyen)" 62.57
	txt=$($R report --period 2026-T3)
	expect_contains "text has a block per structure and the total" "$txt" "==== Ensemble des 2 structures ===="

	# The demo database against the same figures computed independently in SQL.
	export RECUEIL_DB="$tmp/demo.db"
	$R demo --patients 40 --seed 7 >/dev/null 2>&1
	csv=$($R report --period 2026 --format csv --no-mask | tr -d '\r')
	q() { sqlite3 "$RECUEIL_DB" "$1"; }
	# Patients opposed to the evaluation (the demo makes a few) count in no indicator.
	kept="e.patient_id NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL)"
	d() { printf '%s\n' "$csv" | grep "^DEMO,2026,$1,$2," | cut -d, -f5; }
	expect_eq "demo: followed in 2026 = SQL" "$(d patients_suivis patients)" \
		"$(q "SELECT COUNT(DISTINCT e.patient_id) FROM entries e JOIN form_contact c ON c.entry_id = e.id
		      WHERE e.status <> 'draft' AND $kept AND e.date LIKE '2026-%' AND c.statut = 'realise'")"
	expect_eq "demo: contacts by doctors = SQL" "$(d contacts_intervenant medecin)" \
		"$(q "SELECT COUNT(*) FROM entries e JOIN form_contact c ON c.entry_id = e.id
		      WHERE e.status <> 'draft' AND $kept AND e.date LIKE '2026-%' AND c.statut = 'realise'
		      AND c.intervenant = 'medecin'")"
	expect_eq "demo: inclusions = SQL" "$(d inclusions patients)" \
		"$(q "SELECT COUNT(*) FROM form_patient f JOIN entries e ON e.id = f.entry_id
		      WHERE e.status <> 'draft' AND $kept AND f.date_inclusion LIKE '2026-%'")"
	expect_eq "demo: patients assessed by AUDIT = SQL" "$(d audit_zone_oms evalues)" \
		"$(q "SELECT COUNT(DISTINCT e.patient_id) FROM entries e JOIN form_audit a ON a.entry_id = e.id
		      WHERE e.status <> 'draft' AND $kept AND e.date LIKE '2026-%' AND a.zone_oms IS NOT NULL")"
	expect_eq "demo: EPICES mean = SQL" "$(d epices score_moyen)" \
		"$(q "SELECT printf('%.2f', AVG(v)) FROM (SELECT f.epices_score AS v, ROW_NUMBER() OVER
		      (PARTITION BY e.patient_id ORDER BY e.date DESC, e.id DESC) AS r FROM entries e
		      JOIN form_precarite f ON f.entry_id = e.id WHERE e.status <> 'draft' AND $kept
		      AND e.date LIKE '2026-%' AND f.epices_score IS NOT NULL) WHERE r = 1")"
else
	skip "sqlite3 absent : cas à deux structures et base de démonstration"
fi

finish
