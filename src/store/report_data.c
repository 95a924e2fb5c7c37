/* report_data.c — the queries of the activity report (definitions in report_data.h): one SQL
 * statement per indicator, grouped by structure, each row handed over as plain numbers.
 *
 * Speed (docs/performance.md). Every form is read through entries_by_form_patient (form,
 * patient, date), which holds the patient and the date: the entries table itself is not read,
 * and a form's rows come in patient order. Drafts are left out by their ids, which the small
 * partial index entries_unfinished lists (schema/007_indexes.sql), instead of reading each
 * entry's status. What several queries start from is read once per report into the
 * connection's temporary tables (never in the file): the period's contacts, the patients
 * followed, each patient's last AUDIT of the period. */
#include "store/report_data.h"

#include <stdlib.h>

#include "core/util.h"
#include "store/store_internal.h"

/* The SQL reads better one clause per line than as clang-format would wrap it. Every query
 * binds ?1 and ?2 to the first and last days of the period (YYYY-MM-DD), and ?3, ?4 to its
 * parameters (store_report_args); entries in draft never count. */
// clang-format off

/* Not a draft: drafts are few, and listed by the partial index entries_unfinished. */
#define NOT_DRAFT "e.id NOT IN (SELECT id FROM entries WHERE status <> 'complete' AND status = 'draft')"

/* Not a patient opposed to the evaluation (schema/015_opposition.sql): their data never leave
 * the structure, and the report counts what an export holds. */
#define NOT_OPPOSED "p.opposed_on IS NULL"

/* The entries of a form that count, with their patient p and their form row. */
#define FROM_FORM(form, alias) \
	" FROM entries e INDEXED BY entries_by_form_patient JOIN patients p ON p.id = e.patient_id" \
	" JOIN form_" form " " alias " ON " alias ".entry_id = e.id" \
	" WHERE e.form = '" form "' AND " NOT_DRAFT " AND " NOT_OPPOSED

/* A followed patient's entries of a form up to the end of the period (one range of the
 * index), with their form row. */
#define HISTORY(form, alias) \
	" entries e INDEXED BY entries_by_form_patient JOIN form_" form " " alias " ON " alias ".entry_id = e.id" \
	" WHERE e.form = '" form "' AND e.patient_id = suivis.pid AND e.date <= ?2 AND " NOT_DRAFT

/* A patient's last entry (by date, then creation order) is the one with the largest key: with
 * GROUP BY e.patient_id over the index, in patient order, SQLite takes the other columns of a
 * group from the row of its MAX() (its "bare columns"), with no sort and no window (a window
 * partition per patient cost three times as much). */
#define LAST_KEY "MAX(CAST(replace(e.date, '-', '') AS INTEGER) * 100000000000 + e.id)"
#define LAST_OF(cols, form, alias, cond) \
	"(SELECT e.patient_id AS pid, " cols ", " LAST_KEY FROM_FORM(form, alias) \
	" AND e.date BETWEEN ?1 AND ?2 AND " cond " GROUP BY e.patient_id) dern JOIN patients p ON p.id = dern.pid"

/* What an HCV test must be to count (for HCV, and done), and what antibody and RNA tests are. */
#define VHC_TEST "h.evenement = 'test' AND h.virus = 'vhc' AND h.propose = 'realise'"
#define AC_TEST  VHC_TEST " AND h.type_test IN ('trod', 'serologie')"
#define ARN_TEST VHC_TEST " AND h.type_test IN ('arn_qualitatif', 'charge_virale')"
#define FLAG(cond) "MAX(CASE WHEN " cond " THEN 1 ELSE 0 END)"

/* ---- the temporary tables, each filled from the period (?1, ?2) by one statement */

/* The contact entries of the period (%1$s, %2$s: the columns intervenant and type_contact, or NULL
 * when the form lacks them). */
static const char contacts_fill_fmt[] =
	"INSERT INTO temp.report_contacts SELECT p.structure, e.patient_id, f.statut, %1$s, %2$s"
	FROM_FORM("contact", "f") " AND e.date BETWEEN ?1 AND ?2";

/* The patients followed in the period: at least one contact done (the primary key keeps one
 * row per patient, with no sort: the contacts come in patient order). */
static const char suivis_fill_sql[] =
	"INSERT OR IGNORE INTO temp.report_suivis SELECT pid, structure FROM temp.report_contacts"
	" WHERE statut = 'realise'";

/* The same patients straight from the contact form, when the period's contacts are not wanted
 * in their table (a query alone, outside a report: the home screen's screenings due). */
static const char suivis_direct_sql[] =
	"INSERT INTO temp.report_suivis SELECT pid, (SELECT structure FROM patients WHERE id = pid)"
	" FROM (SELECT DISTINCT e.patient_id AS pid"
	" FROM entries e INDEXED BY entries_by_form_patient JOIN form_contact f ON f.entry_id = e.id"
	" WHERE e.form = 'contact' AND " NOT_DRAFT " AND e.date BETWEEN ?1 AND ?2 AND f.statut = 'realise')";

/* Each patient's last AUDIT of the period whose zone is computed. */
static const char audit_fill_sql[] =
	"INSERT INTO temp.report_audit SELECT p.structure, z, k FROM"
	LAST_OF("a.zone_oms AS z, a.classe_fr AS k", "audit", "a", "a.zone_oms IS NOT NULL");

/* ---- the queries */

static const char suivis_sql[] =
	"SELECT structure, COUNT(*) FROM temp.report_suivis GROUP BY structure";

static const char inclusions_sql[] =
	"SELECT p.structure, COUNT(DISTINCT e.patient_id)" FROM_FORM("patient", "f")
	" AND f.date_inclusion BETWEEN ?1 AND ?2 GROUP BY p.structure";

static const char sorties_sql[] =
	"SELECT p.structure, f.motif, COUNT(*)" FROM_FORM("sortie", "f")
	" AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/* The contacts are handed over one by one (a count of 1 each): the caller's sums cost less than
 * SQLite's sorter. */
static const char contacts_statut_sql[] =
	"SELECT structure, statut, 1 FROM temp.report_contacts";

static const char contacts_intervenant_sql[] =
	"SELECT structure, intervenant, 1 FROM temp.report_contacts WHERE statut = 'realise'";

static const char contacts_type_sql[] =
	"SELECT structure, type_contact, 1 FROM temp.report_contacts WHERE statut = 'realise'";

static const char audit_zone_sql[] =
	"SELECT structure, zone_oms, COUNT(*) FROM temp.report_audit GROUP BY 1, 2";

static const char audit_classe_sql[] =
	"SELECT structure, classe_fr, COUNT(*) FROM temp.report_audit GROUP BY 1, 2";

/* ?3: the threshold, less a margin (see store_report_args). */
static const char epices_sql[] =
	"SELECT p.structure, COUNT(*), SUM(v), SUM(v >= ?3) FROM"
	LAST_OF("f.epices_score AS v", "precarite", "f", "f.epices_score IS NOT NULL") " GROUP BY 1";

/* Each followed patient's HCV history up to the end of the period, read once for the cascade,
 * the HBV status and the screenings due: the cascade's steps, the day of the last HCV test
 * done, and the last HBV status ('inconnu' only when nothing better was ever recorded). The last
 * of several entries is the largest "date, id" key written before its value (LAST_TEXT); %1$s
 * is h.statut_vhb, or NULL when the form lacks it. */
#define LAST_TEXT(cond, value) \
	"substr(MAX(CASE WHEN " cond " THEN printf('%%s%%010d|%%s', e.date, e.id, " value ") END), 22)"
static const char hcv_fill_fmt[] =
	"INSERT INTO temp.report_hcv SELECT suivis.pid, suivis.structure, "
	FLAG(AC_TEST) ", "
	FLAG(AC_TEST " AND h.resultat = 'positif'") ", "
	FLAG(ARN_TEST " AND h.arn_resultat IN ('detectable', 'indetectable')") ", "
	FLAG(ARN_TEST " AND h.arn_resultat = 'detectable'") ", "
	FLAG("h.evenement = 'traitement'") ", "
	FLAG("h.evenement = 'traitement' AND h.rvs12 = 'guerison'") ", "
	"MAX(CASE WHEN " VHC_TEST " THEN e.date END), "
	"COALESCE(" LAST_TEXT("h.evenement = 'vaccination_vhb' AND %1$s <> 'inconnu'", "%1$s") ","
	" MAX(CASE WHEN h.evenement = 'vaccination_vhb' AND %1$s = 'inconnu' THEN 'inconnu' END)) "
	"FROM temp.report_suivis suivis LEFT JOIN entries e INDEXED BY entries_by_form_patient"
	" ON e.form = 'hcv' AND e.patient_id = suivis.pid AND e.date <= ?2 AND " NOT_DRAFT " "
	"LEFT JOIN form_hcv h ON h.entry_id = e.id GROUP BY suivis.pid";

/* Every step is counted among the patients of the step before it. */
static const char cascade_sql[] =
	"SELECT structure, COUNT(*), SUM(ac), SUM(ac * acpos), SUM(ac * acpos * arn), "
	"SUM(ac * acpos * arn * arnpos), SUM(ac * acpos * arn * arnpos * trt), "
	"SUM(ac * acpos * arn * arnpos * trt * gueri) FROM temp.report_hcv GROUP BY structure";

static const char vhb_sql[] =
	"SELECT structure, COALESCE(vhb, 'non_renseigne'), COUNT(*) FROM temp.report_hcv GROUP BY 1, 2";

/* ?3 and ?4: the days on or before which the last HCV test is too old, for active injectors
 * and for the others. c is materialised so that its subquery runs once per patient. */
static const char depistage_sql[] =
	"WITH c AS MATERIALIZED (SELECT suivis.structure AS s, "
	"(SELECT f.injecteur_actif FROM" HISTORY("substances", "f")
	" AND f.injecteur_actif IS NOT NULL ORDER BY e.date DESC, e.id DESC LIMIT 1) IS 1 AS ia, "
	"suivis.last_test AS d FROM temp.report_hcv suivis), "
	"du AS (SELECT s, ia, (ia AND (d IS NULL OR d <= ?3)) AS du_inj,"
	" (NOT ia AND (d IS NULL OR d <= ?4)) AS du_aut FROM c) "
	"SELECT s, COUNT(*), SUM(ia), SUM(du_inj) + SUM(du_aut), SUM(du_inj), SUM(du_aut) "
	"FROM du GROUP BY s";

/* Each patient's last mental health entry of the period with the PHQ-9 band computed, and the
 * last with the GAD-7 band, in one pass (%1$s, %2$s: the two columns, or NULL). */
static const char bands_fill_fmt[] =
	"INSERT INTO temp.report_bands SELECT p.structure, "
	LAST_TEXT("%1$s IS NOT NULL", "%1$s") ", " LAST_TEXT("%2$s IS NOT NULL", "%2$s")
	FROM_FORM("sante_mentale", "f") " AND e.date BETWEEN ?1 AND ?2 GROUP BY e.patient_id";

static const char phq9_sql[] =
	"SELECT structure, phq9, COUNT(*) FROM temp.report_bands WHERE phq9 IS NOT NULL GROUP BY 1, 2";
static const char gad7_sql[] =
	"SELECT structure, gad7, COUNT(*) FROM temp.report_bands WHERE gad7 IS NOT NULL GROUP BY 1, 2";

static const char alertes_sql[] =
	"SELECT p.structure, a.level, COUNT(*) FROM alerts a JOIN entries e ON e.id = a.entry_id"
	" JOIN patients p ON p.id = e.patient_id"
	" WHERE e.status <> 'draft' AND " NOT_OPPOSED " AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/* ---- the impact page (definitions in report_data.h) */

/* A value of a patient's record (their patient entry that is not a draft), for the patient
 * whose id is pid: read by patient, once per patient. */
#define PATIENT_VALUE(expr, pid) \
	"(SELECT " expr " FROM entries e INDEXED BY entries_by_form_patient" \
	" JOIN form_patient f ON f.entry_id = e.id" \
	" WHERE e.form = 'patient' AND e.patient_id = " pid " AND " NOT_DRAFT " ORDER BY e.id DESC LIMIT 1)"

/* The patients followed in P by a field of their record (NULL: none). */
#define REACH_SQL(col) \
	"SELECT s.structure, " PATIENT_VALUE("f." col, "s.pid") ", COUNT(*) FROM temp.report_suivis s" \
	" GROUP BY 1, 2"

static const char reach_sex_sql[] = REACH_SQL("sexe");
static const char reach_territory_sql[] = REACH_SQL("territoire");
static const char reach_qpv_sql[] = REACH_SQL("qpv");

/* A multi field holds its codes separated by spaces. */
#define HAS(code) "(instr(m, ' " code " ') > 0)"

static const char reach_motive_sql[] =
	"WITH pm AS MATERIALIZED (SELECT s.structure AS st, ' ' || "
	PATIENT_VALUE("f.motif_inclusion", "s.pid") " || ' ' AS m FROM temp.report_suivis s), "
	"mo AS (SELECT st, " HAS("addiction_produit") " AS a, " HAS("addiction_sans_produit") " AS b, "
	HAS("precarite") " AS c, " HAS("sante_mentale") " AS d, (m IS NULL OR trim(m) = '') AS nr FROM pm) "
	"SELECT st, COUNT(*), SUM(a), SUM(b), SUM(c), SUM(d), SUM(a + b + c + d >= 2),"
	" SUM((c OR d) AND NOT (a OR b)), SUM(nr) FROM mo GROUP BY st";

/* A followed patient's last answer to col at a moment, up to E (cond: more conditions). */
#define HOSPITAL_LAST(col, moment, cond) \
	"(SELECT r." col " FROM entries e INDEXED BY entries_by_form_patient" \
	" JOIN form_recours_hopital r ON r.entry_id = e.id" \
	" WHERE e.form = 'recours_hopital' AND e.patient_id = x.pid AND e.date <= ?2 AND " NOT_DRAFT \
	" AND r.moment = '" moment "' AND r." col " IS NOT NULL" cond \
	" ORDER BY e.date DESC, e.id DESC LIMIT 1)"

/* Before: the last answer at inclusion; after: the last during follow-up, 6 months after
 * inclusion at least. */
#define HOSPITAL_SQL(col) \
	"WITH x AS MATERIALIZED (SELECT s.pid AS pid, s.structure AS st, " \
	PATIENT_VALUE("f.date_inclusion", "s.pid") " AS d FROM temp.report_suivis s), " \
	"y AS MATERIALIZED (SELECT x.st AS st, " HOSPITAL_LAST(col, "inclusion", "") " AS av, " \
	HOSPITAL_LAST(col, "suivi", " AND x.d IS NOT NULL AND e.date >= date(x.d, '+6 months')") " AS ap FROM x) " \
	"SELECT st, COUNT(*), SUM(av), SUM(ap), SUM(av > 0), SUM(ap > 0), SUM(av), SUM(ap), SUM(ap - av)" \
	" FROM y WHERE av IS NOT NULL AND ap IS NOT NULL GROUP BY st"

static const char hospital_er_sql[] = HOSPITAL_SQL("urgences_6m");
static const char hospital_nights_sql[] = HOSPITAL_SQL("nuits_hopital_6m");

/* Each patient counted for the length of follow-up: structure s, group g, inclusion d, end
 * fin, exit motif (NULL for 'suivi'); the exit is the patient's last of the period. */
#define FOLLOW_UP_CTE \
	"WITH pat AS (SELECT e.patient_id AS pid, p.structure AS s, f.date_inclusion AS d" \
	FROM_FORM("patient", "f") " AND f.date_inclusion IS NOT NULL), " \
	"so AS (SELECT e.patient_id AS pid, e.date AS dt, f.motif AS motif, " LAST_KEY \
	FROM_FORM("sortie", "f") " AND e.date BETWEEN ?1 AND ?2 GROUP BY e.patient_id), " \
	"duree AS (SELECT pat.s AS s, CASE WHEN so.pid IS NULL THEN 'suivi' ELSE 'sorti' END AS g," \
	" pat.d AS d, COALESCE(so.dt, ?2) AS fin, so.motif AS motif" \
	" FROM pat LEFT JOIN so ON so.pid = pat.pid" \
	" WHERE (so.pid IS NOT NULL OR pat.pid IN (SELECT pid FROM temp.report_suivis))" \
	" AND pat.d <= COALESCE(so.dt, ?2)) "

static const char follow_up_sql[] =
	FOLLOW_UP_CTE "SELECT s, g, julianday(fin) - julianday(d), fin > date(d, '+1 year'),"
	" fin > date(d, '+2 years'), fin > date(d, '+3 years') FROM duree";

static const char exits_before_2y_sql[] =
	FOLLOW_UP_CTE "SELECT s, motif, COUNT(*) FROM duree"
	" WHERE g = 'sorti' AND fin <= date(d, '+2 years') GROUP BY 1, 2";

/* ?3: the first day of the first quarter shown. */
static const char by_quarter_sql[] =
	"SELECT p.structure, strftime('%Y', e.date) || '-T' || ((CAST(strftime('%m', e.date) AS INTEGER) + 2) / 3),"
	" COUNT(DISTINCT e.patient_id)" FROM_FORM("contact", "c")
	" AND e.date BETWEEN ?3 AND ?2 AND c.statut = 'realise' GROUP BY 1, 2";

// clang-format on

/* The temporary tables, in the order they are filled (a table may start from the ones
 * before it). A table's statement may name columns of a form that a database can lack (a field
 * the forms never had): each %n$s is such a column, or NULL when its table does not have it. */
enum { T_CONTACTS = 1, T_SUIVIS = 2, T_AUDIT = 4, T_HCV = 8, T_BANDS = 16 };

static const struct {
	unsigned bit;
	const char *sql;
	unsigned needs;
	const char *table;      /* of the optional columns */
	char alias;             /* of that table in the statement */
	const char *columns[2]; /* their names, NULL when fewer */
} temps[] = {
    {T_CONTACTS, contacts_fill_fmt, 0, "form_contact", 'f', {"intervenant", "type_contact"}},
    {T_SUIVIS, suivis_fill_sql, T_CONTACTS, NULL, 0, {NULL, NULL}},
    {T_AUDIT, audit_fill_sql, 0, NULL, 0, {NULL, NULL}},
    {T_HCV, hcv_fill_fmt, T_SUIVIS, "form_hcv", 'h', {"statut_vhb", NULL}},
    {T_BANDS, bands_fill_fmt, 0, "form_sante_mentale", 'f', {"phq9_severite", "gad7_severite"}},
};

static const char temp_sql[] = "CREATE TEMP TABLE IF NOT EXISTS report_contacts(structure TEXT, pid INTEGER,"
                               " statut TEXT, intervenant TEXT, type_contact TEXT);"
                               "CREATE TEMP TABLE IF NOT EXISTS report_suivis(pid INTEGER PRIMARY KEY,"
                               " structure TEXT);"
                               "CREATE TEMP TABLE IF NOT EXISTS report_audit(structure TEXT, zone_oms TEXT,"
                               " classe_fr TEXT);"
                               "CREATE TEMP TABLE IF NOT EXISTS report_hcv(pid INTEGER PRIMARY KEY,"
                               " structure TEXT, ac INTEGER, acpos INTEGER, arn INTEGER, arnpos INTEGER,"
                               " trt INTEGER, gueri INTEGER, last_test TEXT, vhb TEXT);"
                               "CREATE TEMP TABLE IF NOT EXISTS report_bands(structure TEXT, phq9 TEXT,"
                               " gad7 TEXT);"
                               "CREATE TEMP TABLE IF NOT EXISTS report_period(first TEXT, last TEXT,"
                               " filled INTEGER NOT NULL DEFAULT 0)";

static const char temp_clear_sql[] = "DELETE FROM temp.report_contacts; DELETE FROM temp.report_suivis;"
                                     " DELETE FROM temp.report_audit; DELETE FROM temp.report_hcv;"
                                     " DELETE FROM temp.report_bands";

/* Each query, the temporary tables it starts from, whether its rows have a code (column 1)
 * before their values, and what a failure to read it is called in messages. */
static const struct {
	const char *sql;
	unsigned needs;
	bool by_code;
	const char *what;
} queries[STORE_REPORT_N] = {
    [STORE_REPORT_FOLLOWED] = {suivis_sql, T_SUIVIS, false, "patients suivis"},
    [STORE_REPORT_INCLUDED] = {inclusions_sql, 0, false, "inclusions"},
    [STORE_REPORT_EXITS] = {sorties_sql, 0, true, "sorties"},
    [STORE_REPORT_CONTACTS] = {contacts_statut_sql, T_CONTACTS, true, "contacts par statut"},
    [STORE_REPORT_CONTACTS_BY_PROFESSION] = {contacts_intervenant_sql, T_CONTACTS, true,
                                             "contacts par profession"},
    [STORE_REPORT_CONTACTS_BY_KIND] = {contacts_type_sql, T_CONTACTS, true, "contacts par type"},
    [STORE_REPORT_AUDIT_ZONE] = {audit_zone_sql, T_AUDIT, true, "zones AUDIT"},
    [STORE_REPORT_AUDIT_CLASS] = {audit_classe_sql, T_AUDIT, true, "classes AUDIT"},
    [STORE_REPORT_EPICES] = {epices_sql, 0, false, "scores EPICES"},
    [STORE_REPORT_HCV_CASCADE] = {cascade_sql, T_HCV, false, "cascade VHC"},
    [STORE_REPORT_HBV_STATUS] = {vhb_sql, T_HCV, true, "vaccination VHB"},
    [STORE_REPORT_HCV_DUE] = {depistage_sql, T_HCV, false, "dépistages VHC à renouveler"},
    [STORE_REPORT_PHQ9_BAND] = {phq9_sql, T_BANDS, true, "PHQ-9"},
    [STORE_REPORT_GAD7_BAND] = {gad7_sql, T_BANDS, true, "GAD-7"},
    [STORE_REPORT_ALERTS] = {alertes_sql, 0, true, "alertes"},
    [STORE_REPORT_REACH_SEX] = {reach_sex_sql, T_SUIVIS, true, "patients suivis par sexe"},
    [STORE_REPORT_REACH_TERRITORY] = {reach_territory_sql, T_SUIVIS, true, "patients suivis par territoire"},
    [STORE_REPORT_REACH_QPV] = {reach_qpv_sql, T_SUIVIS, true, "patients suivis en QPV"},
    [STORE_REPORT_REACH_MOTIVE] = {reach_motive_sql, T_SUIVIS, false, "motifs d'inclusion"},
    [STORE_REPORT_HOSPITAL_ER] = {hospital_er_sql, T_SUIVIS, false, "passages aux urgences"},
    [STORE_REPORT_HOSPITAL_NIGHTS] = {hospital_nights_sql, T_SUIVIS, false, "nuits d'hôpital"},
    [STORE_REPORT_FOLLOW_UP] = {follow_up_sql, T_SUIVIS, true, "durées de suivi"},
    [STORE_REPORT_EXITS_BEFORE_2Y] = {exits_before_2y_sql, T_SUIVIS, true, "sorties avant deux ans"},
    [STORE_REPORT_FOLLOWED_BY_QUARTER] = {by_quarter_sql, 0, true, "patients suivis par trimestre"},
};

/* The most values a row has (the cascade's seven steps, the motives' eight). */
enum { MAX_VALUES = 8 };

/* Whether table has column col (PRAGMA table_info). */
static bool has_column(store *s, const char *table, const char *col)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
	if (!stmt)
		return false;
	sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, col, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return found;
}

/* Run one fill statement of the period. A statement that does not prepare (a form or field
 * the database lacks) gives STORE_REPORT_MISSING with SQLite's message. */
static int fill(store *s, const char *sql, const char *first, const char *last, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, sql);
	if (!stmt) {
		set_why(why, "%s", sqlite3_errmsg(st_db_handle(s)));
		return STORE_REPORT_MISSING;
	}
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(s, why, "rapport, tables temporaires");
}

/* Fill temporary table i for the period: its optional columns written in, "f.column" or NULL
 * (a form without intervenant still gives the patients followed; the indicators that need a
 * missing column are not available, report.c says why). */
static int temp_fill(store *s, size_t i, const char *first, const char *last, char **why)
{
	char *cols[2] = {NULL, NULL};
	for (size_t k = 0; k < 2; k++) {
		const char *c = temps[i].columns[k];
		cols[k] = c && has_column(s, temps[i].table, c) ? xasprintf("%c.%s", temps[i].alias, c)
		                                                : xstrdup("NULL");
	}
	/* The statements are constants of this file; only the columns come from the database. */
	char *sql = xasprintf(temps[i].sql, cols[0], cols[1]);
	int rc = fill(s, sql, first, last, why);
	free(sql);
	free(cols[0]);
	free(cols[1]);
	return rc;
}

/* Fill the temporary tables of mask `want` (and those they start from) that `have` lacks, for
 * [first, last]; *have gets those filled. */
static int temps_fill(store *s, unsigned want, unsigned *have, const char *first, const char *last,
                      bool alone, char **why)
{
	/* What the tables wanted start from (a table needs only tables listed before it). */
	unsigned asked = want;
	for (size_t i = sizeof temps / sizeof *temps; i-- > 0;)
		if ((want & temps[i].bit) && !(*have & temps[i].bit))
			want |= temps[i].needs;
	/* A query alone that needs the patients followed and not the contacts reads them straight
	 * from the form; a report fills the contacts once and finds them there. */
	if (alone && (want & T_SUIVIS) && !(asked & T_CONTACTS) && !(*have & T_SUIVIS)) {
		int rc = fill(s, suivis_direct_sql, first, last, why);
		if (rc)
			return rc;
		*have |= T_SUIVIS;
		want &= ~(unsigned)T_CONTACTS;
	}
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof temps / sizeof *temps; i++) {
		if (!(want & temps[i].bit) || (*have & temps[i].bit))
			continue;
		rc = temp_fill(s, i, first, last, why);
		if (!rc)
			*have |= temps[i].bit;
	}
	return rc;
}

/* Make the temporary tables of mask want hold the period [first, last]: kept from earlier
 * queries of the report in progress (store_report_begin) when it is that period, filled
 * otherwise. *adhoc: no report is in progress, the caller empties them after its query. */
static int temps_for(store *s, unsigned want, const char *first, const char *last, bool *adhoc, char **why)
{
	*adhoc = true;
	sqlite3 *db = st_db_handle(s);
	if (sqlite3_exec(db, temp_sql, NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(s, why, "rapport, tables temporaires");
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT first IS ?1 AND last IS ?2, filled FROM temp.report_period");
	if (!stmt)
		return st_fail(s, why, "rapport, tables temporaires");
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	bool running = sqlite3_step(stmt) == SQLITE_ROW, same = running && sqlite3_column_int(stmt, 0);
	unsigned have = same ? (unsigned)sqlite3_column_int(stmt, 1) : 0;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	*adhoc = !running;
	if ((want & have) == want && same)
		return 0;
	if (!same && sqlite3_exec(db, temp_clear_sql, NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(s, why, "rapport, tables temporaires");
	int rc = temps_fill(s, want, &have, first, last, !running, why);
	if (running) {
		/* What is filled stays usable even when a later table could not be. */
		stmt = st_prepare(s, "UPDATE temp.report_period SET first = ?1, last = ?2, filled = ?3");
		if (!stmt)
			return rc ? rc : st_fail(s, why, "rapport, tables temporaires");
		sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 3, (int)have);
		int step = sqlite3_step(stmt);
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt);
		if (!rc && step != SQLITE_DONE)
			rc = st_fail(s, why, "rapport, tables temporaires");
	}
	return rc;
}

int store_report_begin(store *s, char **why)
{
	int rc = store_read_begin(s, why);
	if (rc)
		return rc;
	/* The report reads most of the file, some of it several times: the small cache of a
	 * streaming export would send each query back to the disk (1.26 M pread64 calls on the
	 * 10,000-patient demo). The usual size comes back at store_report_end. */
	sqlite3 *db = st_db_handle(s);
	sqlite3_exec(db, "PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if (sqlite3_exec(db, temp_sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "DELETE FROM temp.report_period; INSERT INTO temp.report_period DEFAULT VALUES",
	                 NULL, NULL, NULL) != SQLITE_OK) {
		rc = st_fail(s, why, "rapport, tables temporaires");
		store_report_end(s);
	}
	return rc;
}

void store_report_end(store *s)
{
	sqlite3 *db = st_db_handle(s);
	sqlite3_exec(db, temp_clear_sql, NULL, NULL, NULL);
	sqlite3_exec(db, "DELETE FROM temp.report_period", NULL, NULL, NULL);
	store_read_end(s);
	sqlite3_exec(db, "PRAGMA cache_size = -2000", NULL, NULL, NULL);
}

/* Run query q, its temporary tables ready, and hand each row to fn. */
static int rows(store *s, enum store_report_query q, const store_report_args *a,
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
	} else if (q == STORE_REPORT_FOLLOWED_BY_QUARTER) {
		sqlite3_bind_text(stmt, 3, a->since, -1, SQLITE_STATIC);
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

int store_report_rows(store *s, enum store_report_query q, const store_report_args *a,
                      void (*fn)(void *ctx, const store_report_row *row), void *ctx, char **why)
{
	bool adhoc = false;
	int rc = queries[q].needs ? temps_for(s, queries[q].needs, a->first, a->last, &adhoc, why) : 0;
	if (!rc)
		rc = rows(s, q, a, fn, ctx, why);
	if (adhoc)
		sqlite3_exec(st_db_handle(s), temp_clear_sql, NULL, NULL, NULL);
	return rc;
}

int store_report_structures(store *s, void (*fn)(void *ctx, const char *code), void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT structure FROM patients UNION "
	                                   "SELECT structure FROM entries WHERE structure IS NOT NULL "
	                                   "ORDER BY 1");
	if (!stmt)
		return st_fail(s, why, "rapport, structures");
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(ctx, st_col_text(stmt, 0));
	sqlite3_reset(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(s, why, "rapport, structures");
}

/* ------------------------------------------------------------ the forms of the structure */

bool store_sf_coded(const field *fd)
{
	return fd->type == FT_CHOICE || fd->type == FT_MULTI || fd->type == FT_YESNO;
}

bool store_sf_numeric(const field *fd)
{
	return fd->type == FT_INTEGER || fd->type == FT_DECIMAL ||
	       (fd->type == FT_CALCULATED && fd->vtype == T_NUM);
}

/* The codes of a coded field: its choices, or 1 and 0 for yes/no. */
static size_t sf_codes(const field *fd, const char **codes, size_t max)
{
	if (fd->type == FT_YESNO) {
		codes[0] = "1";
		codes[1] = "0";
		return 2;
	}
	size_t n = 0;
	for (size_t i = 0; fd->choices && i < fd->choices->n && n < max; i++)
		codes[n++] = fd->choices->items[i].code;
	return n;
}

enum { SF_MAX_CODES = 256 };

/* One query for the whole form: per structure and month, the entries, then for each code of
 * each coded field the entries that hold it (a multiple choice stores its codes separated by
 * spaces), then for each numeric field the entries answered and the sum. */
static char *sf_sql(const form *f)
{
	strbuf sql = STRBUF_INIT;
	strbuf_puts(&sql, "SELECT e.structure, substr(e.date, 1, 7), count(*)");
	const char *codes[SF_MAX_CODES];
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		if (store_sf_coded(fd)) {
			size_t n = sf_codes(fd, codes, SF_MAX_CODES);
			for (size_t k = 0; k < n; k++) {
				strbuf_puts(&sql, ", total(instr(' ' || CAST(t.");
				st_sql_quoted(&sql, fd->id, '"');
				strbuf_puts(&sql, " AS TEXT) || ' ', ");
				char *needle = xasprintf(" %s ", codes[k]);
				st_sql_quoted(&sql, needle, '\'');
				free(needle);
				strbuf_puts(&sql, ") > 0)");
			}
		} else if (store_sf_numeric(fd)) {
			strbuf_puts(&sql, ", count(t.");
			st_sql_quoted(&sql, fd->id, '"');
			strbuf_puts(&sql, "), total(t.");
			st_sql_quoted(&sql, fd->id, '"');
			strbuf_puts(&sql, ")");
		}
	}
	char *table = xasprintf("form_%s", f->id);
	strbuf_puts(&sql, " FROM entries e JOIN ");
	st_sql_quoted(&sql, table, '"');
	free(table);
	strbuf_puts(&sql,
	            " t ON t.entry_id = e.id WHERE e.structure IS NOT NULL AND e.form = ?3"
	            " AND e.status <> 'draft' AND e.date BETWEEN ?1 AND ?2 GROUP BY 1, 2 ORDER BY 1, 2");
	return strbuf_take(&sql);
}

/* Hand one result row of sf_sql to fn, row by row. */
static void sf_emit(sqlite3_stmt *stmt, const form *f, void (*fn)(void *ctx, const store_sf_row *row),
                    void *ctx)
{
	store_sf_row row = {
	    .structure = st_col_text(stmt, 0),
	    .month = st_col_text(stmt, 1),
	    .n = sqlite3_column_double(stmt, 2),
	};
	fn(ctx, &row);
	int col = 3;
	const char *codes[SF_MAX_CODES];
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		row.fd = fd;
		if (store_sf_coded(fd)) {
			size_t n = sf_codes(fd, codes, SF_MAX_CODES);
			for (size_t k = 0; k < n; k++) {
				row.code = codes[k];
				row.n = sqlite3_column_double(stmt, col++);
				row.sum = 0;
				fn(ctx, &row);
			}
		} else if (store_sf_numeric(fd)) {
			row.code = NULL;
			row.n = sqlite3_column_double(stmt, col++);
			row.sum = sqlite3_column_double(stmt, col++);
			fn(ctx, &row);
		}
	}
}

int store_structure_form_rows(store *s, const form *f, const char *first, const char *last,
                              void (*fn)(void *ctx, const store_sf_row *row), void *ctx, char **why)
{
	char *sql = sf_sql(f);
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) != SQLITE_OK) {
		free(sql);
		set_why(why, "%s", sqlite3_errmsg(st_db_handle(s)));
		return STORE_REPORT_MISSING;
	}
	free(sql);
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, f->id, -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		sf_emit(stmt, f, fn, ctx);
	int rc = 0;
	if (step != SQLITE_DONE) {
		char *what = xasprintf("rapport, %s", f->id);
		rc = st_fail(s, why, what);
		free(what);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* The contacts that count for the package, of every patient (patient_id 0) or of one: ?1, ?2
 * the period's days, ?3 the minimum, ?4 the patient; the codes are written in as literals. */
static char *package_sql(const char *const *statuses, size_t ns, const char *const *intervenants, size_t ni,
                         bool one)
{
	strbuf sql = STRBUF_INIT;
	strbuf_puts(
	    &sql, "SELECT e.patient_id FROM entries e INDEXED BY entries_by_form_patient JOIN form_contact f "
	          "ON f.entry_id = e.id WHERE e.form = 'contact' AND e.status <> 'draft' AND e.date "
	          "BETWEEN ?1 AND ?2");
	if (one)
		strbuf_puts(&sql, " AND e.patient_id = ?4");
	strbuf_puts(&sql, " AND f.statut IN (");
	for (size_t i = 0; i < ns; i++) {
		strbuf_puts(&sql, i ? ", " : "");
		st_sql_quoted(&sql, statuses[i], '\'');
	}
	strbuf_puts(&sql, ") AND f.intervenant IN (");
	for (size_t i = 0; i < ni; i++) {
		strbuf_puts(&sql, i ? ", " : "");
		st_sql_quoted(&sql, intervenants[i], '\'');
	}
	strbuf_puts(&sql, ") GROUP BY e.patient_id HAVING count(*) >= ?3");
	return strbuf_take(&sql);
}

int store_package_rows(store *s, const char *first, const char *last, const char *const *statuses, size_t ns,
                       const char *const *intervenants, size_t ni, int minimum,
                       void (*fn)(void *ctx, const char *structure, bool opposed, int64_t n), void *ctx,
                       char **why)
{
	char *inner = package_sql(statuses, ns, intervenants, ni, false);
	char *sql =
	    xasprintf("SELECT p.structure, p.opposed_on IS NOT NULL, count(*) FROM (%s) q JOIN patients p "
	              "ON p.id = q.patient_id GROUP BY 1, 2",
	              inner);
	free(inner);
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) != SQLITE_OK) {
		free(sql);
		set_why(why, "%s", sqlite3_errmsg(st_db_handle(s)));
		return STORE_REPORT_MISSING;
	}
	free(sql);
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, minimum);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(ctx, st_col_text(stmt, 0), sqlite3_column_int(stmt, 1) != 0,
		   sqlite3_column_int64(stmt, 2));
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "forfait annuel");
	sqlite3_finalize(stmt);
	return rc;
}

bool store_package_patient(store *s, int64_t patient_id, const char *first, const char *last,
                           const char *const *statuses, size_t ns, const char *const *intervenants, size_t ni,
                           int minimum)
{
	char *sql = package_sql(statuses, ns, intervenants, ni, true);
	sqlite3_stmt *stmt = NULL;
	bool yes = false;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 3, minimum);
		sqlite3_bind_int64(stmt, 4, patient_id);
		yes = sqlite3_step(stmt) == SQLITE_ROW;
	}
	sqlite3_finalize(stmt);
	free(sql);
	return yes;
}
