# The impact page on the full-screen interface (issue 19): from the report screen, i
# opens the impact page of the same period; for a small hand-made database, the shares of women
# and of each territory as bars scaled to the patients followed, emergency visits before and
# after with the paired mean difference, the length of follow-up, and each block's definition,
# at 80×24; small counts masked with F12; '#' bars on a terminal that is not UTF-8.
. "$TESTS/ui/lib.sh"
init_db
"$RECUEIL" user add coord --role coordination >/dev/null
add() { # PATIENT FORM DATE field=value…
	p=$1 f=$2 d=$3
	shift 3
	"$RECUEIL" entry add "$p" "$f" --date "$d" "$@" >/dev/null || fail "entry add $f $d $*"
}
# The period of the next deadline is 2026-T1 (today 2026-03-02). Four patients followed.
A=$("$RECUEIL" patient add sexe=F annee_naissance=1980 date_inclusion=2024-01-10 territoire=urbain_dense qpv=oui "motif_inclusion=addiction_produit precarite")
B=$("$RECUEIL" patient add sexe=M annee_naissance=1975 date_inclusion=2025-01-15 territoire=rural qpv=non motif_inclusion=addiction_produit)
C=$("$RECUEIL" patient add sexe=F annee_naissance=1990 date_inclusion=2025-06-01 territoire=intermediaire qpv=oui motif_inclusion=sante_mentale)
D=$("$RECUEIL" patient add sexe=F annee_naissance=1968 date_inclusion=2023-02-01 territoire=urbain_dense qpv=ne_sait_pas motif_inclusion=precarite)
for p in "$A" "$B" "$C" "$D"; do
	add "$p" contact 2026-02-10 intervenant=medecin type_contact=cabinet statut=realise duree_min=30
done
# Compared: A (4 visits before, 1 after) and B (2, then 0); C has no follow-up answer yet.
add "$A" recours_hopital 2024-01-10 moment=inclusion urgences_6m=4 nuits_hopital_6m=6
add "$A" recours_hopital 2026-02-01 moment=suivi urgences_6m=1 nuits_hopital_6m=0
add "$B" recours_hopital 2025-01-15 moment=inclusion urgences_6m=2 nuits_hopital_6m=0
add "$B" recours_hopital 2025-12-01 moment=suivi urgences_6m=0 nuits_hopital_6m=0
add "$C" recours_hopital 2025-06-01 moment=inclusion urgences_6m=1 nuits_hopital_6m=2
add "$D" sortie 2026-02-20 motif=objectifs_atteints
# Two team meetings in January, one in February (a form of the structure: no patient).
"$RECUEIL" entry add reunion --date 2026-01-12 duree=60 "professions=medecin psychologue" nb_medecin=1 nb_psychologue=1 nb_patients=5 >/dev/null || fail "réunion du 12 janvier"
"$RECUEIL" entry add reunion --date 2026-01-26 duree=60 professions=medecin nb_medecin=1 nb_patients=3 >/dev/null || fail "réunion du 26 janvier"
"$RECUEIL" entry add reunion --date 2026-02-09 duree=45 "professions=medecin psychologue" nb_medecin=1 nb_psychologue=1 nb_patients=4 >/dev/null || fail "réunion du 9 février"

cat > "$T/keys" <<'KEYS'
ri<Dump>
<PgDn><Dump>
<PgDn><PgDn><Dump>
<F12><Dump>
<End><Dump>
<Esc><Dump>
<Esc><F10>
KEYS
RECUEIL_AS_USER=coord tui "$T/keys"

expect 1 "recueil — page d'impact"
expect 1 "Période 2026-T1 (du 2026-01-01 au 2026-03-31) — structure TEST01"
expect 1 "i Impact"
expect 1 "Public : sexe des patients suivis"
line_ends "Patients suivis dans la période" 1 " 4"
line_ends "Femme" 1 " 3  75,0 %"
line_ends "Homme" 1 " 1  25,0 %"
# Scaled to the 4 patients followed: the women's bar is three times the men's (± a block).
women=$(bar "Femme" 1) men=$(bar "Homme" 1)
[ "$women" -ge 15 ] || fail "barre des femmes trop courte à 80 colonnes : $women"
[ $((men * 3)) -ge $((women - 3)) ] && [ $((men * 3)) -le $((women + 3)) ] || fail "barres femmes/hommes : $women / $men"
expect 1 "sexe de leur fiche patient"
line_ends "Urbain dense" 1 " 2  50,0 %"
line_ends "Rural très peu dense" 2 " 0   0,0 %"
[ "$(bar "Rural très peu dense" 2)" -eq 0 ] || fail "territoire vide : pas de barre"
expect 3 "Recours aux urgences : avant l'inclusion et aujourd'hui"
line_ends "Patients comparés (les deux mesures)" 3 " 2"
line_ends "Passages aux urgences, 6 mois avant" 3 " 6"
line_ends "≥ 1 passage, 6 derniers mois" 3 " 1  50,0 %"
line_ends "Différence appariée moyenne" 3 "-2,50"
# masked: counts 1..4 shown as <5, no bar, and a mean over a masked count is masked too
expect 4 "Effectifs de 1 à 4 masqués"
line_ends "Patients comparés (les deux mesures)" 4 "<5"
line_ends "Différence appariée moyenne" 4 "<5"
[ "$(bar "≥ 1 passage, avant" 4)" -eq 0 ] || fail "pas de barre pour un effectif masqué"
# the team meetings, not masked (the team's activity, not patients): 2 in January, 1 in February
expect 5 "Réunions d'équipe"
line_ends "2026-01 " 5 " 2"
line_ends "2026-02 " 5 " 1"
line_ends "Psychologue" 5 " 2  66,7 %"
expect 6 "recueil — rapport d'activité"

# a terminal that is not UTF-8: '#' bars, the same figures
: > "$T/screens"
printf 'ri<Dump><F10>' > "$T/keys2"
LANG=C RECUEIL_AS_USER=coord tui "$T/keys2"
screen 1 | grep "Femme" | grep -q "##########* *3  75,0 %$" || {
	screen 1 >&2
	fail "barres en # sans UTF-8"
}

# in English: titles, labels and the decimal point
: > "$T/screens"
printf 'ri<PgDn><PgDn><PgDn><Dump><F10>' > "$T/keys3"
LANGUAGE=en RECUEIL_AS_USER=coord tui "$T/keys3"
expect 1 "recueil — impact page"
expect 1 "Emergency visits: before inclusion and now"
line_ends "Mean paired difference" 1 "-2.50"
