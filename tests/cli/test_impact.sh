#!/bin/sh
# test_impact.sh — every figure of the impact page (report --impact) on demo databases equals
# an independent computation with the sqlite3 command-line tool, written from the definitions
# (README, « La page d'impact »): who is reached, emergency visits and nights in hospital
# before and after, length of follow-up, exits before two years, patients per quarter, cost per
# patient followed, team meetings per month and the professions present. Then the same figures computed at a region from the structures' archives
# (export → import) equal the structures' own, and the region's total cost per patient counts
# the budgets of both structures. Also: the text page, its definitions and masking, and the
# impact figures in the CSV of report without --impact.
#
# Environment (from CTest): RECUEIL, SRC, TESTS. POSIX sh; needs sqlite3, else it cannot run
# (exit 77).
. "$TESTS/cli/lib.sh"
R=$RECUEIL
umask 077
command -v sqlite3 >/dev/null 2>&1 || {
	echo "sqlite3 absent : test impossible" >&2
	exit 77
}

SA="$tmp/ms-a.db"
SB="$tmp/ms-b.db"
REG="$tmp/region.db"
FORMS="$tmp/forms"
mkdir "$FORMS"
cp "$SRC"/forms/*.yaml "$FORMS/"
# MS-A has a budget for 2026 and one for any other year; MS-B one for any year.
cat >>"$FORMS/reporting.yaml" <<'EOF'
budgets:
  - {structure: MS-A, yearly: 35000}
  - {structure: MS-A, yearly: 36500, year: 2026}
  - {structure: MS-B, yearly: 34000}
EOF
export RECUEIL_FORMS="$FORMS"
P=2026
P1=2026-01-01
P2=2026-12-31

on "$SA" init --structure MS-A --name "Microstructure A"
on "$SA" demo --patients 150 --seed 11
expect_rc "150 patients fictifs à MS-A" 0
on "$SB" init --structure MS-B --name "Microstructure B"
on "$SB" demo --patients 60 --seed 12
expect_rc "60 patients fictifs à MS-B" 0

# impact DB ROW [PERIOD] — the impact page's CSV rows (its indicators and the team meetings')
# of ROW (a structure, or ensemble) as indicateur,categorie,valeur, for P or PERIOD.
impact() {
	RECUEIL_DB="$1" "$R" report --impact --period "${3:-$P}" --format csv --no-mask 2>/dev/null |
		tail -n +2 | grep "^$2," | cut -d, -f3-5
}

# What the independent SQL reads: the patients followed in P and each patient's record; the
# patients opposed to the evaluation (the demo makes a few) count nowhere.
PRE="CREATE TEMP VIEW suivi AS SELECT DISTINCT e.patient_id AS pid FROM entries e
 JOIN form_contact c ON c.entry_id = e.id WHERE e.form = 'contact' AND e.status <> 'draft'
 AND c.statut = 'realise' AND e.date BETWEEN '$P1' AND '$P2'
 AND e.patient_id NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL);
CREATE TEMP VIEW fiche AS SELECT e.patient_id AS pid, f.sexe, f.territoire, f.qpv,
 f.motif_inclusion, f.date_inclusion FROM entries e JOIN form_patient f ON f.entry_id = e.id
 WHERE e.form = 'patient' AND e.status <> 'draft'
 AND e.patient_id NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL);"

# same DB STRUCTURE IND WHAT SQL — the page's rows of IND are the rows SQL gives (unordered).
same() {
	db=$1 code=$2 ind=$3 what=$4 sql=$5
	impact "$db" "$code" | grep "^$ind," | sort >"$tmp/page"
	sqlite3 "$db" "$PRE $sql" | sed "s/^/$ind,/" | sort >"$tmp/sql"
	if [ ! -s "$tmp/page" ]; then
		fail "$code : $what absent de la page d'impact"
	elif cmp -s "$tmp/page" "$tmp/sql"; then
		pass
	else
		fail "$code : $what diffère du calcul SQL indépendant" "$(diff "$tmp/sql" "$tmp/page" | head -12)"
	fi
}

# The rows of a count k among n: code,k and code_pct,share.
COUNT_ROWS="SELECT code || ',' || k FROM c UNION ALL
 SELECT code || '_pct,' || printf('%.1f', 100.0 * k / n) FROM c, (SELECT COUNT(*) AS n FROM suivi)"

# by_field FIELD CODE… — SQL: followed patients by the answer of their record to FIELD.
by_field() {
	field=$1
	shift
	values=$(for c in "$@"; do printf "('%s')," "$c"; done)
	printf "%s" "WITH v(code) AS (VALUES ${values%,}),
 k0 AS (SELECT v.code, (SELECT COUNT(*) FROM suivi s JOIN fiche f ON f.pid = s.pid
  WHERE f.$field = v.code) AS k FROM v),
 c AS (SELECT * FROM k0 UNION ALL SELECT 'non_renseigne', (SELECT COUNT(*) FROM suivi) - SUM(k) FROM k0)
 SELECT 'suivis,' || COUNT(*) FROM suivi UNION ALL $COUNT_ROWS"
}

MOTIFS="WITH m AS (SELECT s.pid, ' ' || COALESCE(f.motif_inclusion, '') || ' ' AS t
  FROM suivi s LEFT JOIN fiche f ON f.pid = s.pid),
 f AS (SELECT t LIKE '% addiction_produit %' AS a, t LIKE '% addiction_sans_produit %' AS b,
  t LIKE '% precarite %' AS p, t LIKE '% sante_mentale %' AS s, trim(t) = '' AS nr FROM m),
 c(code, k) AS (SELECT 'addiction_produit', SUM(a) FROM f UNION ALL SELECT 'addiction_sans_produit', SUM(b) FROM f
  UNION ALL SELECT 'precarite', SUM(p) FROM f UNION ALL SELECT 'sante_mentale', SUM(s) FROM f
  UNION ALL SELECT 'plusieurs', SUM(a + b + p + s > 1) FROM f
  UNION ALL SELECT 'sans_addiction', SUM((p OR s) AND NOT a AND NOT b) FROM f
  UNION ALL SELECT 'non_renseigne', SUM(nr) FROM f)
 SELECT 'suivis,' || COUNT(*) FROM suivi UNION ALL $COUNT_ROWS"

# hospital FIELD — SQL: before (last 'inclusion' answer up to E) and after (last 'suivi' answer
# up to E, 6 months after inclusion at least) for the followed patients with both.
hospital() {
	printf "%s" "WITH h AS (SELECT e.patient_id AS pid, e.date AS d, e.id AS id, r.moment AS mo, r.$1 AS v
  FROM entries e JOIN form_recours_hopital r ON r.entry_id = e.id
  WHERE e.form = 'recours_hopital' AND e.status <> 'draft' AND e.date <= '$P2' AND r.$1 IS NOT NULL),
 x AS (SELECT s.pid,
  (SELECT v FROM h WHERE h.pid = s.pid AND mo = 'inclusion' ORDER BY d DESC, id DESC LIMIT 1) AS av,
  (SELECT v FROM h JOIN fiche f ON f.pid = h.pid WHERE h.pid = s.pid AND mo = 'suivi'
   AND h.d >= date(f.date_inclusion, '+6 months') ORDER BY d DESC, id DESC LIMIT 1) AS ap
  FROM suivi s),
 b AS (SELECT * FROM x WHERE av IS NOT NULL AND ap IS NOT NULL),
 t AS (SELECT COUNT(*) AS n, SUM(av) AS sa, SUM(ap) AS sp, SUM(av > 0) AS pa, SUM(ap > 0) AS pp,
  AVG(ap - av) AS dm FROM b)
 SELECT 'patients_compares,' || n FROM t UNION ALL SELECT 'total_avant,' || sa FROM t
 UNION ALL SELECT 'total_apres,' || sp FROM t
 UNION ALL SELECT 'patients_avant,' || pa FROM t UNION ALL SELECT 'patients_avant_pct,' || printf('%.1f', 100.0 * pa / n) FROM t
 UNION ALL SELECT 'patients_apres,' || pp FROM t UNION ALL SELECT 'patients_apres_pct,' || printf('%.1f', 100.0 * pp / n) FROM t
 UNION ALL SELECT 'moyenne_avant,' || printf('%.2f', 1.0 * sa / n) FROM t
 UNION ALL SELECT 'moyenne_apres,' || printf('%.2f', 1.0 * sp / n) FROM t
 UNION ALL SELECT 'difference_moyenne,' || printf('%.2f', dm) FROM t"
}

# The patients counted for the length of follow-up: inclusion d, end fin, group g, exit motif.
DUREES="WITH so AS (SELECT e.patient_id AS pid, e.date AS d, e.id AS id, s.motif FROM entries e
  JOIN form_sortie s ON s.entry_id = e.id WHERE e.form = 'sortie' AND e.status <> 'draft'
  AND e.date BETWEEN '$P1' AND '$P2'),
 dern AS (SELECT * FROM so WHERE NOT EXISTS (SELECT 1 FROM so o WHERE o.pid = so.pid
  AND (o.d > so.d OR (o.d = so.d AND o.id > so.id)))),
 p AS (SELECT f.pid, f.date_inclusion AS d, COALESCE(dern.d, '$P2') AS fin,
  CASE WHEN dern.pid IS NULL THEN 'suivi' ELSE 'sorti' END AS g, dern.motif
  FROM fiche f LEFT JOIN dern ON dern.pid = f.pid
  WHERE f.date_inclusion IS NOT NULL AND (dern.pid IS NOT NULL OR f.pid IN (SELECT pid FROM suivi))),
 q AS (SELECT * FROM p WHERE d <= fin)"

# duration GROUP — SQL: count, R type-7 quartiles in months, shares followed > 1, 2, 3 years.
duration() {
	printf "%s" "$DUREES,
 g AS (SELECT julianday(fin) - julianday(d) AS j, fin > date(d, '+1 year') AS y1,
  fin > date(d, '+2 years') AS y2, fin > date(d, '+3 years') AS y3 FROM q WHERE $1),
 o AS (SELECT j, ROW_NUMBER() OVER (ORDER BY j) - 1 AS i FROM g),
 n AS (SELECT COUNT(*) AS n, SUM(y1) AS y1, SUM(y2) AS y2, SUM(y3) AS y3 FROM g),
 pr(code, p) AS (VALUES ('q1', 0.25), ('mediane', 0.5), ('q3', 0.75)),
 h AS (SELECT code, (n - 1) * p AS h, CAST((n - 1) * p AS INTEGER) AS lo FROM pr, n)
 SELECT 'patients,' || n FROM n
 UNION ALL SELECT code || ',' || printf('%.1f', ((SELECT j FROM o WHERE i = lo) + (h - lo) *
  (COALESCE((SELECT j FROM o WHERE i = lo + 1), (SELECT j FROM o WHERE i = lo)) - (SELECT j FROM o WHERE i = lo)))
  / 30.4375) FROM h
 UNION ALL SELECT 'plus_1_an,' || y1 FROM n UNION ALL SELECT 'plus_1_an_pct,' || printf('%.1f', 100.0 * y1 / n) FROM n
 UNION ALL SELECT 'plus_2_ans,' || y2 FROM n UNION ALL SELECT 'plus_2_ans_pct,' || printf('%.1f', 100.0 * y2 / n) FROM n
 UNION ALL SELECT 'plus_3_ans,' || y3 FROM n UNION ALL SELECT 'plus_3_ans_pct,' || printf('%.1f', 100.0 * y3 / n) FROM n"
}

SORTIES="$DUREES,
 a AS (SELECT motif FROM q WHERE g = 'sorti' AND fin <= date(d, '+2 years')),
 m(code) AS (VALUES ('objectifs_atteints'), ('orientation_csapa'), ('orientation_autre_structure'),
  ('demenagement'), ('perdu_de_vue'), ('arret_patient'), ('incarceration'), ('deces'),
  ('changement_medecin'), ('autre')),
 c AS (SELECT code, (SELECT COUNT(*) FROM a WHERE a.motif = m.code) AS k FROM m)
 SELECT 'total,' || COUNT(*) FROM a UNION ALL SELECT code || ',' || k FROM c
 UNION ALL SELECT code || '_pct,' || printf('%.1f', 100.0 * k / (SELECT COUNT(*) FROM a)) FROM c"

TRIMESTRES="WITH t(code, a, b) AS (VALUES ('2026-T1', '2026-01-01', '2026-03-31'),
  ('2026-T2', '2026-04-01', '2026-06-30'), ('2026-T3', '2026-07-01', '2026-09-30'),
  ('2026-T4', '2026-10-01', '2026-12-31'))
 SELECT code || ',' || (SELECT COUNT(DISTINCT e.patient_id) FROM entries e
  JOIN form_contact c ON c.entry_id = e.id WHERE e.form = 'contact' AND e.status <> 'draft'
  AND c.statut = 'realise' AND e.date BETWEEN t.a AND t.b
  AND e.patient_id NOT IN (SELECT id FROM patients WHERE opposed_on IS NOT NULL)) FROM t"

# The team meetings: the structure's entries of the form reunion dated in P, by month (every
# month of P, with a total), and for each profession the meetings it attended.
REUNIONS="WITH r AS (SELECT e.date AS d, ' ' || COALESCE(f.professions, '') || ' ' AS p FROM entries e
  JOIN form_reunion f ON f.entry_id = e.id WHERE e.form = 'reunion' AND e.status <> 'draft'
  AND e.patient_id IS NULL AND e.date BETWEEN '$P1' AND '$P2'),
 m(mois) AS (SELECT '2026-01' UNION ALL SELECT substr(date(mois || '-01', '+1 month'), 1, 7) FROM m
  WHERE mois < '2026-12')
 SELECT mois || ',' || (SELECT COUNT(*) FROM r WHERE substr(d, 1, 7) = mois) FROM m
 UNION ALL SELECT 'total,' || COUNT(*) FROM r"
PRESENCES="WITH r AS (SELECT ' ' || COALESCE(f.professions, '') || ' ' AS p FROM entries e
  JOIN form_reunion f ON f.entry_id = e.id WHERE e.form = 'reunion' AND e.status <> 'draft'
  AND e.patient_id IS NULL AND e.date BETWEEN '$P1' AND '$P2'),
 c(code) AS (VALUES ('medecin'), ('psychologue'), ('travailleur_social'), ('infirmier'), ('autre'))
 SELECT 'fiches,' || COUNT(*) FROM r
 UNION ALL SELECT code || ',' || (SELECT COUNT(*) FROM r WHERE p LIKE '% ' || code || ' %') FROM c"

# cost BUDGET — SQL: the year's budget (2026 has 365 days: all of it) over the followed patients.
cost() {
	printf "%s" "SELECT 'budget_periode,$1' UNION ALL SELECT 'suivis,' || COUNT(*) FROM suivi
 UNION ALL SELECT 'cout_par_patient,' || printf('%.2f', $1.0 / COUNT(*)) FROM suivi"
}

check_structure() {
	db=$1 code=$2 budget=$3
	same "$db" "$code" impact_sexe "la part des femmes" "$(by_field sexe F M X)"
	same "$db" "$code" impact_territoire "les territoires" \
		"$(by_field territoire urbain_dense intermediaire rural rural_tres_peu_dense)"
	same "$db" "$code" impact_qpv "la part des résidents en QPV" "$(by_field qpv oui non ne_sait_pas)"
	same "$db" "$code" impact_motif "les motifs d'inclusion" "$MOTIFS"
	same "$db" "$code" impact_urgences "les passages aux urgences" "$(hospital urgences_6m)"
	same "$db" "$code" impact_nuits_hopital "les nuits d'hôpital" "$(hospital nuits_hopital_6m)"
	same "$db" "$code" impact_duree_suivi "la durée de suivi" "$(duration 1)"
	same "$db" "$code" impact_duree_suivis "la durée de suivi des patients suivis" "$(duration "g = 'suivi'")"
	same "$db" "$code" impact_duree_sortis "la durée de suivi des patients sortis" "$(duration "g = 'sorti'")"
	same "$db" "$code" impact_sorties_avant_2ans "les motifs de sortie avant deux ans" "$SORTIES"
	same "$db" "$code" impact_file_active "les patients suivis par trimestre" "$TRIMESTRES"
	same "$db" "$code" impact_cout "le coût par patient suivi" "$(cost "$budget")"
	same "$db" "$code" reunion_mois "les réunions d'équipe par mois" "$REUNIONS"
	same "$db" "$code" reunion_professions "les professions présentes aux réunions" "$PRESENCES"
}

# ---------------------------------------------------------------- each structure's own page
check_structure "$SA" MS-A 36500
check_structure "$SB" MS-B 34000
expect_true "la page compare des patients (urgences)" \
	[ "$(impact "$SA" MS-A | grep -c '^impact_urgences,patients_compares,[1-9]')" -eq 1 ]
expect_true "la structure a tenu des réunions d'équipe" \
	[ "$(impact "$SA" MS-A | grep -c '^reunion_mois,total,[1-9]')" -eq 1 ]
expect_true "des patients sont sortis avant deux ans" \
	[ "$(impact "$SA" MS-A | grep -c '^impact_sorties_avant_2ans,total,[1-9]')" -eq 1 ]

# ---------------------------------------------------------------- the region, from the archives
printf 'Phrase-De-Passe-Du-Reseau-2026\n' >"$tmp/pass"
chmod 600 "$tmp/pass"
on "$REG" init --region REG-EST --name "Coordination régionale Est"
for s in A B; do
	eval "sdb=\$S$s"
	RECUEIL_DB="$sdb" "$R" structure key >"$tmp/key.txt" 2>/dev/null
	on "$REG" structure enrol "MS-$s" "$tmp/key.txt"
	expect_rc "la région enregistre la clé de MS-$s" 0
	on "$sdb" export --period 2026-T4 --out "$tmp/$s.zip" --passphrase-file "$tmp/pass" --accept-issues test
	expect_rc "export de MS-$s" 0
done
on "$REG" import --passphrase-file "$tmp/pass" "$tmp/A.zip" "$tmp/B.zip"
expect_rc "la région importe les deux archives" 0
for s in A B; do
	eval "db=\$S$s"
	impact "$db" "MS-$s" >"$tmp/own"
	impact "$REG" "MS-$s" >"$tmp/reg"
	if [ "$(grep -c . "$tmp/own")" -lt 80 ]; then
		fail "MS-$s : page d'impact presque vide" "$(cat "$tmp/own")"
	elif cmp -s "$tmp/own" "$tmp/reg"; then
		pass
	else
		fail "MS-$s : les chiffres d'impact de la région diffèrent de ceux de la structure" \
			"$(diff "$tmp/own" "$tmp/reg" | head -8)"
	fi
done
# The region's total, for a period the exports cover whole (2026-T3: the T4 exports were made
# before the end of T4): both budgets (a quarter of a year of each, 2026 has 365 days) over
# the patients followed in both structures; the patients per quarter add up.
Q=2026-T3
na=$(impact "$SA" MS-A $Q | grep '^impact_cout,suivis,' | cut -d, -f3)
nb=$(impact "$SB" MS-B $Q | grep '^impact_cout,suivis,' | cut -d, -f3)
expect_eq "coût par patient suivi de l'ensemble" "$(impact "$REG" ensemble $Q | grep '^impact_cout,cout_par_patient,')" \
	"impact_cout,cout_par_patient,$(sqlite3 :memory: "SELECT printf('%.2f', (36500.0 + 34000.0) * 92 / 365 / ($na + $nb))")"
expect_eq "patients suivis au T3 dans l'ensemble" "$(impact "$REG" ensemble $Q | grep '^impact_file_active,2026-T3,' | cut -d, -f3)" \
	"$(($(impact "$SA" MS-A $Q | grep '^impact_file_active,2026-T3,' | cut -d, -f3) + $(impact "$SB" MS-B $Q | grep '^impact_file_active,2026-T3,' | cut -d, -f3)))"

# ---------------------------------------------------------------- text, masking, the CSV report
on "$SA" report --impact --period "$P"
expect_rc "report --impact en texte" 0
expect_contains "titre de la page" "$out" "Page d'impact — période 2026 (du 01/01/2026 au 31/12/2026)"
expect_contains "part des femmes en texte" "$out" "Femme"
expect_contains "définitions" "$out" "DÉFINITIONS DES INDICATEURS"
expect_contains "définition de la durée" "$out" "impact_duree_suivi — Durée de suivi : ensemble : de la date"
expect_lacks "le texte d'impact n'a pas la cascade" "$out" "Cascade VHC"
on "$SB" report --impact --period 2026-11 --format csv
expect_rc "report --impact --format csv, masqué par défaut" 0
expect_contains "un effectif de 1 à 4 est masqué" "$out" ",,1"
expect_lacks "aucune valeur de 1 à 4 n'est montrée" "$(printf '%s\n' "$out" | grep -v '_pct,\|,q[13],\|,mediane,\|moyenne\|budget\|cout_par' | cut -d, -f5 | grep -x '[1-4]')" "1"
on "$SA" report --period "$P" --format csv --no-mask
expect_contains "le CSV du rapport porte aussi la page d'impact" "$out" "MS-A,2026,impact_qpv,oui_pct,"
expect_contains "le CSV du rapport garde l'activité" "$out" "MS-A,2026,cascade_vhc,suivis,"
on "$SA" report --period "$P"
expect_lacks "le texte du rapport d'activité n'a pas la page d'impact" "$out" "Durée de suivi"

# A database without budgets: the cost is not available, the rest is.
RECUEIL_FORMS="$SRC/forms" RECUEIL_DB="$SA" run report --impact --period "$P"
expect_contains "sans budget, le coût n'est pas disponible" "$out" "non disponible : aucun budget"

finish
