/* report_data.c — the queries of the activity report (definitions in report_data.h): one SQL
 * statement per indicator, grouped by structure, each row handed over as plain numbers. */
#include "store/report_data.h"

#include <stdlib.h>

#include "core/util.h"
#include "store/store_internal.h"

/* The SQL reads better one clause per line than as clang-format would wrap it. Every query
 * binds ?1 and ?2 to the first and last days of the period (YYYY-MM-DD), and ?3, ?4 to its
 * parameters (store_report_args); entries in draft never count. */
// clang-format off

/* The entries of a form that count, with their patient p and their form row. */
#define FROM_FORM(form, alias) \
	" FROM entries e JOIN patients p ON p.id = e.patient_id" \
	" JOIN form_" form " " alias " ON " alias ".entry_id = e.id" \
	" WHERE e.form = '" form "' AND e.status <> 'draft'"

/* The patients followed in the period: at least one contact done. */
#define SUIVIS_CTE \
	"suivis(pid) AS (SELECT DISTINCT e.patient_id FROM entries e" \
	" JOIN form_contact c ON c.entry_id = e.id" \
	" WHERE e.form = 'contact' AND e.status <> 'draft' AND e.date BETWEEN ?1 AND ?2" \
	" AND c.statut = 'realise')"

/* Each patient's entries ranked from the last (date, then creation order). */
#define LAST_FIRST "ROW_NUMBER() OVER (PARTITION BY e.patient_id ORDER BY e.date DESC, e.id DESC) AS rang"

/* What an HCV test must be to count (for HCV, and done), and what antibody and RNA tests are. */
#define VHC_TEST "h.evenement = 'test' AND h.virus = 'vhc' AND h.propose = 'realise'"
#define AC_TEST  VHC_TEST " AND h.type_test IN ('trod', 'serologie')"
#define ARN_TEST VHC_TEST " AND h.type_test IN ('arn_qualitatif', 'charge_virale')"
#define FLAG(cond) "MAX(CASE WHEN " cond " THEN 1 ELSE 0 END)"

static const char suivis_sql[] =
	"WITH " SUIVIS_CTE " SELECT p.structure, COUNT(*)"
	" FROM suivis JOIN patients p ON p.id = suivis.pid GROUP BY p.structure";

static const char inclusions_sql[] =
	"SELECT p.structure, COUNT(DISTINCT e.patient_id)" FROM_FORM("patient", "f")
	" AND f.date_inclusion BETWEEN ?1 AND ?2 GROUP BY p.structure";

static const char sorties_sql[] =
	"SELECT p.structure, f.motif, COUNT(*)" FROM_FORM("sortie", "f")
	" AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2";

static const char contacts_statut_sql[] =
	"SELECT p.structure, f.statut, COUNT(*)" FROM_FORM("contact", "f")
	" AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2";

static const char contacts_intervenant_sql[] =
	"SELECT p.structure, f.intervenant, COUNT(*)" FROM_FORM("contact", "f")
	" AND e.date BETWEEN ?1 AND ?2 AND f.statut = 'realise' GROUP BY 1, 2";

static const char contacts_type_sql[] =
	"SELECT p.structure, f.type_contact, COUNT(*)" FROM_FORM("contact", "f")
	" AND e.date BETWEEN ?1 AND ?2 AND f.statut = 'realise' GROUP BY 1, 2";

/* Each patient's last AUDIT of the period with a computed zone. */
#define AUDIT_LAST \
	"WITH dern AS (SELECT p.structure AS s, a.zone_oms AS z, a.classe_fr AS k, " LAST_FIRST \
	FROM_FORM("audit", "a") " AND e.date BETWEEN ?1 AND ?2 AND a.zone_oms IS NOT NULL) "

static const char audit_zone_sql[] =
	AUDIT_LAST "SELECT s, z, COUNT(*) FROM dern WHERE rang = 1 GROUP BY 1, 2";

static const char audit_classe_sql[] =
	AUDIT_LAST "SELECT s, k, COUNT(*) FROM dern WHERE rang = 1 GROUP BY 1, 2";

/* ?3: the threshold, less a margin (see store_report_args). */
static const char epices_sql[] =
	"WITH dern AS (SELECT p.structure AS s, f.epices_score AS v, " LAST_FIRST
	FROM_FORM("precarite", "f") " AND e.date BETWEEN ?1 AND ?2 AND f.epices_score IS NOT NULL) "
	"SELECT s, COUNT(*), SUM(v), SUM(v >= ?3) FROM dern WHERE rang = 1 GROUP BY s";

/* Every step is counted among the patients of the step before it. Queries that look at a
 * followed patient's history start from suivis and reach the entries by patient (index
 * entries_by_patient): joining two materialised lists instead would be quadratic. */
static const char cascade_sql[] =
	"WITH " SUIVIS_CTE ", "
	"ev AS (SELECT s.pid AS pid, "
	FLAG(AC_TEST) " AS ac, "
	FLAG(AC_TEST " AND h.resultat = 'positif'") " AS acpos, "
	FLAG(ARN_TEST " AND h.arn_resultat IN ('detectable', 'indetectable')") " AS arn, "
	FLAG(ARN_TEST " AND h.arn_resultat = 'detectable'") " AS arnpos, "
	FLAG("h.evenement = 'traitement'") " AS trt, "
	FLAG("h.evenement = 'traitement' AND h.rvs12 = 'guerison'") " AS gueri "
	"FROM suivis s LEFT JOIN entries e ON e.patient_id = s.pid AND e.form = 'hcv'"
	" AND e.status <> 'draft' AND e.date <= ?2 "
	"LEFT JOIN form_hcv h ON h.entry_id = e.id GROUP BY s.pid) "
	"SELECT p.structure, COUNT(*), SUM(ac), SUM(ac * acpos), SUM(ac * acpos * arn), "
	"SUM(ac * acpos * arn * arnpos), SUM(ac * acpos * arn * arnpos * trt), "
	"SUM(ac * acpos * arn * arnpos * trt * gueri) "
	"FROM ev JOIN patients p ON p.id = ev.pid GROUP BY p.structure";

/* The last status recorded up to the end of the period; 'inconnu' only when nothing better
 * was ever recorded. */
static const char vhb_sql[] =
	"WITH " SUIVIS_CTE " "
	"SELECT p.structure, COALESCE((SELECT h.statut_vhb FROM entries e"
	" JOIN form_hcv h ON h.entry_id = e.id"
	" WHERE e.patient_id = suivis.pid AND e.form = 'hcv' AND e.status <> 'draft' AND e.date <= ?2"
	" AND h.evenement = 'vaccination_vhb' AND h.statut_vhb IS NOT NULL"
	" ORDER BY h.statut_vhb = 'inconnu', e.date DESC, e.id DESC LIMIT 1), 'non_renseigne'), COUNT(*) "
	"FROM suivis JOIN patients p ON p.id = suivis.pid GROUP BY 1, 2";

/* ?3 and ?4: the days on or before which the last HCV test is too old, for active injectors
 * and for the others. c is materialised so that its subqueries run once per patient. */
static const char depistage_sql[] =
	"WITH " SUIVIS_CTE ", "
	"c AS MATERIALIZED (SELECT p.structure AS s, "
	"(SELECT f.injecteur_actif FROM entries e JOIN form_substances f ON f.entry_id = e.id"
	" WHERE e.patient_id = suivis.pid AND e.form = 'substances' AND e.status <> 'draft'"
	" AND e.date <= ?2 AND f.injecteur_actif IS NOT NULL"
	" ORDER BY e.date DESC, e.id DESC LIMIT 1) IS 1 AS ia, "
	"(SELECT MAX(e.date) FROM entries e JOIN form_hcv h ON h.entry_id = e.id"
	" WHERE e.patient_id = suivis.pid AND e.form = 'hcv' AND e.status <> 'draft'"
	" AND e.date <= ?2 AND " VHC_TEST ") AS d "
	"FROM suivis JOIN patients p ON p.id = suivis.pid), "
	"du AS (SELECT s, ia, (ia AND (d IS NULL OR d <= ?3)) AS du_inj,"
	" (NOT ia AND (d IS NULL OR d <= ?4)) AS du_aut FROM c) "
	"SELECT s, COUNT(*), SUM(ia), SUM(du_inj) + SUM(du_aut), SUM(du_inj), SUM(du_aut) "
	"FROM du GROUP BY s";

/* Each patient's last mental health entry of the period with the band computed. */
#define BANDS_SQL(band) \
	"WITH dern AS (SELECT p.structure AS s, f." band " AS b, " LAST_FIRST \
	FROM_FORM("sante_mentale", "f") " AND e.date BETWEEN ?1 AND ?2 AND f." band " IS NOT NULL) " \
	"SELECT s, b, COUNT(*) FROM dern WHERE rang = 1 GROUP BY 1, 2"

static const char phq9_sql[] = BANDS_SQL("phq9_severite");
static const char gad7_sql[] = BANDS_SQL("gad7_severite");

static const char alertes_sql[] =
	"SELECT p.structure, a.level, COUNT(*) FROM alerts a JOIN entries e ON e.id = a.entry_id"
	" JOIN patients p ON p.id = e.patient_id"
	" WHERE e.status <> 'draft' AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2";

// clang-format on

/* Each query, whether its rows have a code (column 1) before their values, and what a failure
 * to read it is called in messages. */
static const struct {
	const char *sql;
	bool by_code;
	const char *what;
} queries[STORE_REPORT_N] = {
    [STORE_REPORT_FOLLOWED] = {suivis_sql, false, "patients suivis"},
    [STORE_REPORT_INCLUDED] = {inclusions_sql, false, "inclusions"},
    [STORE_REPORT_EXITS] = {sorties_sql, true, "sorties"},
    [STORE_REPORT_CONTACTS] = {contacts_statut_sql, true, "contacts par statut"},
    [STORE_REPORT_CONTACTS_BY_PROFESSION] = {contacts_intervenant_sql, true, "contacts par profession"},
    [STORE_REPORT_CONTACTS_BY_KIND] = {contacts_type_sql, true, "contacts par type"},
    [STORE_REPORT_AUDIT_ZONE] = {audit_zone_sql, true, "zones AUDIT"},
    [STORE_REPORT_AUDIT_CLASS] = {audit_classe_sql, true, "classes AUDIT"},
    [STORE_REPORT_EPICES] = {epices_sql, false, "scores EPICES"},
    [STORE_REPORT_HCV_CASCADE] = {cascade_sql, false, "cascade VHC"},
    [STORE_REPORT_HBV_STATUS] = {vhb_sql, true, "vaccination VHB"},
    [STORE_REPORT_HCV_DUE] = {depistage_sql, false, "dépistages VHC à renouveler"},
    [STORE_REPORT_PHQ9_BAND] = {phq9_sql, true, "PHQ-9"},
    [STORE_REPORT_GAD7_BAND] = {gad7_sql, true, "GAD-7"},
    [STORE_REPORT_ALERTS] = {alertes_sql, true, "alertes"},
};

/* The most values a row has (the cascade's seven steps). */
enum { MAX_VALUES = 8 };

int store_report_rows(store *s, enum store_report_query q, const store_report_args *a,
                      void (*fn)(void *ctx, const store_report_row *row), void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, queries[q].sql);
	if (!stmt) {
		set_why(why, "%s", sqlite3_errmsg(st_db_handle(s)));
		return STORE_REPORT_MISSING;
	}
	sqlite3_bind_text(stmt, 1, a->first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, a->last, -1, SQLITE_STATIC);
	if (q == STORE_REPORT_EPICES) {
		/* Scores are stored rounded to 2 decimals: the margin only absorbs binary
		 * representation, so that a score of exactly 30.17 counts as >= 30.17. */
		sqlite3_bind_double(stmt, 3, a->epices_threshold - 1e-7);
	} else if (q == STORE_REPORT_HCV_DUE) {
		sqlite3_bind_text(stmt, 3, a->due_injector, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, a->due_other, -1, SQLITE_STATIC);
	}
	int first = queries[q].by_code ? 2 : 1;
	double v[MAX_VALUES];
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		int n = sqlite3_column_count(stmt) - first;
		for (int k = 0; k < n && k < MAX_VALUES; k++)
			v[k] = sqlite3_column_double(stmt, first + k);
		store_report_row row = {
		    .structure = (const char *)sqlite3_column_text(stmt, 0),
		    .code = queries[q].by_code ? (const char *)sqlite3_column_text(stmt, 1) : NULL,
		    .values = v,
		    .n_values = (size_t)(n < MAX_VALUES ? n : MAX_VALUES),
		};
		fn(ctx, &row);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt); /* they point to the caller's strings */
	if (step == SQLITE_DONE)
		return 0;
	char *what = xasprintf("rapport, %s", queries[q].what);
	int rc = st_fail(s, why, what);
	free(what);
	return rc;
}

int store_report_structures(store *s, void (*fn)(void *ctx, const char *code), void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT DISTINCT structure FROM patients ORDER BY structure");
	if (!stmt)
		return st_fail(s, why, "rapport, structures");
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(ctx, st_col_text(stmt, 0));
	sqlite3_reset(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(s, why, "rapport, structures");
}
