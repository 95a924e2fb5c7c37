/* rights.c — what the patient's rights read and write besides their entries: the audit trail
 * about one patient and the exports that held their data (the access document), a line of the
 * trail for an act done about a patient, the patients past the retention period, and the
 * patient's information and opposition (schema/015_opposition.sql). */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

/* The pseudonym of patient_id into pseudo. Returns 0; EXIT_NOINPUT with *why when there is no
 * such patient; or st_fail's code, what naming the act. */
static int patient_pseudonym(store *s, int64_t patient_id, char pseudo[16], const char *what, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT pseudonym FROM patients WHERE id = ?");
	if (!stmt)
		return st_fail(s, why, what);
	sqlite3_bind_int64(stmt, 1, patient_id);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		snprintf(pseudo, 16, "%s", st_col_text(stmt, 0));
	sqlite3_reset(stmt);
	if (!found) {
		set_why(why, "patient introuvable (effacé ?)");
		return EXIT_NOINPUT;
	}
	return 0;
}

int store_patient_audit_each(store *s, int64_t patient_id, void (*fn)(void *ctx, const audit_line *l),
                             void *ctx, char **why)
{
	char pseudo[16] = "";
	int rc = patient_pseudonym(s, patient_id, pseudo, "journal du patient", why);
	if (rc)
		return rc;
	/* Not cached: run once per document. */
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s),
	                       "SELECT at, login, (SELECT display_name FROM users u WHERE u.login = "
	                       "audit_log.login), action, entry_uuid, form, field, old_value, new_value "
	                       "FROM audit_log WHERE " ST_PATIENT_AUDIT_ROWS " ORDER BY id",
	                       -1, &q, NULL) != SQLITE_OK)
		return st_fail(s, why, "journal du patient");
	sqlite3_bind_int64(q, 1, patient_id);
	sqlite3_bind_text(q, 2, pseudo, -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *col[9];
		for (int i = 0; i < 9; i++)
			col[i] = (const char *)sqlite3_column_text(q, i);
		audit_line l = {col[0], col[1], col[2], col[3], col[4], col[5], col[6], col[7], col[8]};
		fn(ctx, &l);
	}
	rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "journal du patient");
	sqlite3_finalize(q);
	return rc;
}

bool store_patient_in_snapshot(store *s, int64_t patient_id, const char *last_day, const char *made_at)
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT 1 FROM entries WHERE patient_id = ?1 AND date <= ?2 AND created_at <= ?3 "
	                  "AND status <> 'draft' AND NOT EXISTS (SELECT 1 FROM patients WHERE id = ?1 AND "
	                  "opposed_at <= ?3) LIMIT 1");
	if (!stmt)
		return false;
	sqlite3_bind_int64(stmt, 1, patient_id);
	sqlite3_bind_text(stmt, 2, last_day, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, made_at, -1, SQLITE_STATIC);
	bool in = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return in;
}

int store_log_patient(store *s, const char *login, const char *pseudo, const char *what, char **why)
{
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	rc = st_audit(s, login, "patient", NULL, pseudo, NULL, NULL, NULL, what, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

/* A patient's last day of care: their last entry's date, or the day they were created when they
 * have none. Both queries below read it the same way, through entries_by_patient. */
#define LAST_DAY                                                                                             \
	"coalesce((SELECT max(e.date) FROM entries e WHERE e.patient_id = p.id), substr(p.created_at, 1, "   \
	"10))"

int store_expired_each(store *s, long cutoff, void (*fn)(void *ctx, const expired_patient *e), void *ctx,
                       char **why)
{
	char before[11];
	date_format(cutoff, before);
	sqlite3_stmt *stmt = st_prepare(s, "SELECT p.id, p.pseudonym, " LAST_DAY " AS last FROM patients p "
	                                   "WHERE last < ? ORDER BY last, p.pseudonym");
	if (!stmt)
		return st_fail(s, why, "durée de conservation");
	sqlite3_bind_text(stmt, 1, before, -1, SQLITE_TRANSIENT);
	/* Copy first: fn may erase the patient. */
	expired_patient *v = NULL;
	size_t n = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].id = sqlite3_column_int64(stmt, 0);
		snprintf(v[n].pseudonym, sizeof v[n].pseudonym, "%s", st_col_text(stmt, 1));
		snprintf(v[n].last, sizeof v[n].last, "%s", st_col_text(stmt, 2));
		n++;
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "durée de conservation");
	sqlite3_reset(stmt);
	for (size_t i = 0; !rc && i < n; i++)
		fn(ctx, &v[i]);
	free(v);
	return rc;
}

int64_t store_expired_count(store *s, long cutoff)
{
	char before[11];
	date_format(cutoff, before);
	sqlite3_stmt *stmt = st_prepare(s, "SELECT count(*) FROM patients p WHERE " LAST_DAY " < ?");
	if (!stmt)
		return 0;
	sqlite3_bind_text(stmt, 1, before, -1, SQLITE_TRANSIENT);
	int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return n;
}

bool st_patient_last_day(store *s, int64_t patient_id, char last[11])
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT " LAST_DAY " FROM patients p WHERE p.id = ?");
	if (!stmt)
		return false;
	sqlite3_bind_int64(stmt, 1, patient_id);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		snprintf(last, 11, "%s", st_col_text(stmt, 0));
	sqlite3_reset(stmt);
	return found;
}

/* ---- information and opposition (schema/015_opposition.sql) */

bool store_patient_rights_get(store *s, int64_t patient_id, patient_rights *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT informed_on, informed_by, opposed_on, opposed_by, opposed_at "
	                  "FROM patients WHERE id = ?");
	if (!stmt)
		return false;
	sqlite3_bind_int64(stmt, 1, patient_id);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		snprintf(out->informed_on, sizeof out->informed_on, "%s", st_col_text(stmt, 0));
		snprintf(out->informed_by, sizeof out->informed_by, "%s", st_col_text(stmt, 1));
		snprintf(out->opposed_on, sizeof out->opposed_on, "%s", st_col_text(stmt, 2));
		snprintf(out->opposed_by, sizeof out->opposed_by, "%s", st_col_text(stmt, 3));
		snprintf(out->opposed_at, sizeof out->opposed_at, "%s", st_col_text(stmt, 4));
	}
	sqlite3_reset(stmt);
	return found;
}

/* Run the update sql (?1 the patient, ?2 the day or NULL, ?3 login, ?4 now) and its audit line
 * what, in one transaction. */
static int rights_write(store *s, int64_t patient_id, const char *sql, const char *day, const char *login,
                        const char *what, char **why)
{
	int rc = store_refuse_in_region(s, "information et opposition d'un patient", why);
	if (rc)
		return rc;
	char pseudo[16] = "", now[32];
	time_now_iso(now, sizeof now);
	if ((rc = st_begin(s, why)))
		return rc;
	sqlite3_stmt *stmt = NULL;
	if ((rc = patient_pseudonym(s, patient_id, pseudo, "information et opposition", why)))
		goto out;
	if (!(stmt = st_prepare(s, sql))) {
		rc = st_fail(s, why, "information et opposition");
		goto out;
	}
	sqlite3_bind_int64(stmt, 1, patient_id);
	if (day)
		sqlite3_bind_text(stmt, 2, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "information et opposition");
	sqlite3_reset(stmt);
	if (!rc)
		rc = st_audit(s, login, "patient", NULL, pseudo, NULL, NULL, NULL, what, why);
out:
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

int store_patient_inform(store *s, int64_t patient_id, const char *day, const char *login, char **why)
{
	char *what = xasprintf("information du patient sur l'usage de ses données, le %s", day);
	int rc = rights_write(s, patient_id,
	                      "UPDATE patients SET informed_on = ?2, informed_by = ?3 WHERE id = ?1", day,
	                      login, what, why);
	free(what);
	return rc;
}

int store_patient_oppose(store *s, int64_t patient_id, const char *day, const char *login, char **why)
{
	char *what =
	    day ? xasprintf("opposition du patient à l'usage de ses données pour l'évaluation, le %s", day)
	        : xstrdup("retrait de l'opposition du patient : ses données sont de nouveau exportées");
	int rc = rights_write(
	    s, patient_id,
	    day ? "UPDATE patients SET opposed_on = ?2, opposed_by = ?3, opposed_at = ?4 WHERE id = ?1"
	        : "UPDATE patients SET opposed_on = NULL, opposed_by = NULL, opposed_at = NULL "
	          "WHERE id = ?1 AND ?3 IS NOT NULL AND ?4 IS NOT NULL",
	    day, login, what, why);
	free(what);
	return rc;
}

int store_rights_counts(store *s, const char *last, int64_t n[3], char **why)
{
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT count(*), count(CASE WHEN informed_on <= ?1 THEN 1 END), "
	       "count(CASE WHEN opposed_on <= ?1 THEN 1 END) FROM patients "
	       "WHERE structure = (SELECT code FROM structure) AND substr(created_at, 1, 10) <= ?1");
	if (!stmt)
		return st_fail(s, why, "information et opposition des patients");
	sqlite3_bind_text(stmt, 1, last, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		for (int i = 0; i < 3; i++)
			n[i] = sqlite3_column_int64(stmt, i);
	else
		rc = st_fail(s, why, "information et opposition des patients");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}
