/* export_data.c — what export and backup read from the database (a snapshot's rows and alerts,
 * what is not ready for export, the changes since an earlier export, the structures' exports a
 * regional database holds, consistent copies) and the export log. The writes of an import are
 * in import_write.c. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

int store_read_begin(store *s, char **why)
{
	/* A long read streams: the export's queries read the tables in storage order (see
	 * export_sql), so a small page cache is enough, and its size also bounds the memory of
	 * SQLite's sorter (which spills to an unlinked temporary file beyond it). Both fill on a
	 * large database and not on a small one, so their size is the growth of the export's
	 * memory: 512 KiB, for the same CPU time as 1 or 8 MiB with these queries (measured on the
	 * 10,000-patient demo, docs/performance.md). */
	sqlite3_exec(st_db_handle(s), "PRAGMA cache_size = -512", NULL, NULL, NULL);
	/* A deferred transaction: the first SELECT fixes the snapshot; writers are not blocked. */
	if (sqlite3_exec(st_db_handle(s), "BEGIN DEFERRED", NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(s, why, "lecture de la base");
	return 0;
}

void store_read_end(store *s)
{
	if (!sqlite3_get_autocommit(st_db_handle(s)))
		sqlite3_exec(st_db_handle(s), "COMMIT", NULL, NULL, NULL);
}

int store_write_begin(store *s, char **why)
{
	return st_begin(s, why);
}

int store_write_commit(store *s, char **why)
{
	return st_commit(s, why);
}

void store_write_rollback(store *s)
{
	st_rollback(s);
}

/* The query of a form's rows. With scan, the entries are read in storage order (one pass over
 * the table, then SQLite's sorter) instead of through the (form, date) index, whose date order
 * sends every row to a random page of the table: for a form with many rows, a page miss per row
 * in a small cache costs several times the sequential pass. */
static char *export_sql(const form *f, const size_t *fields, size_t n, bool any_date, bool scan)
{
	strbuf sql = STRBUF_INIT;
	/* The typed missing codes of a row come as one "field=code field=code" text: one index
	 * probe per row, whatever the number of empty columns. */
	strbuf_puts(&sql, "SELECT e.uuid, p.pseudonym, e.date, e.form_version, e.status, "
	                  "(SELECT group_concat(m.field || '=' || m.code, ' ') FROM entry_missing m "
	                  "WHERE m.entry_id = e.id), e.row_version, e.updated_at, "
	                  "coalesce(p.structure, e.structure)");
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(&sql, ", f.");
		st_sql_quoted(&sql, f->fields[fields[i]].id, '"');
	}
	strbuf_puts(&sql, scan ? " FROM entries e NOT INDEXED" : " FROM entries e");
	/* An entry of a structure's form has no patient: its structure is its own. */
	strbuf_puts(&sql, " LEFT JOIN patients p ON p.id = e.patient_id LEFT JOIN ");
	char *table = xasprintf("form_%s", f->id);
	st_sql_quoted(&sql, table, '"');
	free(table);
	strbuf_puts(
	    &sql,
	    " f ON f.entry_id = e.id WHERE e.form = ?1 AND e.status <> 'draft' AND p.opposed_on IS NULL");
	strbuf_puts(&sql, any_date ? " ORDER BY e.date, e.id" : " AND e.date <= ?2 ORDER BY e.date, e.id");
	return strbuf_take(&sql);
}

/* The code of field id in "field=code field=code", copied into out; false if absent. */
static bool missing_of(const char *list, const char *id, char *out, size_t size)
{
	size_t k = strlen(id);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > k + 1 && strncmp(p, id, k) == 0 && p[k] == '=' && len - k - 1 < size) {
			memcpy(out, p + k + 1, len - k - 1);
			out[len - k - 1] = '\0';
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* Whether reading form's rows is cheaper by a pass over the whole entries table than through
 * the (form, date) index: a table page holds some 30 entries, and a sequential page costs about
 * half a random one (on the 10,000-patient demo: 2,064 rows faster by the index, 19,466 faster
 * by the pass). The pass wins from about one row in 32. Cheap to ask: the largest id stands
 * for the number of entries, and the count of the form's rows stops at that threshold. */
static bool export_by_scan(store *s, const char *form_id)
{
	sqlite3_stmt *stmt = NULL;
	bool scan = false;
	if (sqlite3_prepare_v2(st_db_handle(s),
	                       "SELECT count(*) >= (SELECT (coalesce(max(id), 0) + 31) / 32 FROM entries) "
	                       "FROM (SELECT 1 FROM entries WHERE form = ?1 "
	                       "LIMIT (SELECT (coalesce(max(id), 0) + 31) / 32 FROM entries))",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(stmt, 1, form_id, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		scan = sqlite3_column_int(stmt, 0) != 0;
	sqlite3_finalize(stmt);
	return scan;
}

int store_export_rows(store *s, const form *f, const size_t *fields, size_t n_fields, const char *last,
                      bool any_date, int (*fn)(void *ctx, const export_row *row), void *ctx, char **why)
{
	char *sql = export_sql(f, fields, n_fields, any_date, export_by_scan(s, f->id));
	sqlite3_stmt *stmt = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) != SQLITE_OK) {
		free(sql);
		return st_fail(s, why, "lecture des entrées à exporter");
	}
	free(sql);
	sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
	if (!any_date)
		sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	const char **vals = xcalloc(n_fields ? n_fields : 1, sizeof *vals);
	char(*num)[48] = xcalloc(n_fields ? n_fields : 1, sizeof *num);
	int step;
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *missing = (const char *)sqlite3_column_text(stmt, 5);
		for (size_t i = 0; i < n_fields; i++) {
			int col = (int)i + 9;
			switch (sqlite3_column_type(stmt, col)) {
			case SQLITE_NULL:
				vals[i] = missing && missing_of(missing, f->fields[fields[i]].id, num[i],
				                                sizeof num[i])
				              ? num[i]
				              : NULL;
				break;
			case SQLITE_INTEGER:
				snprintf(num[i], sizeof num[i], "%lld",
				         (long long)sqlite3_column_int64(stmt, col));
				vals[i] = num[i];
				break;
			case SQLITE_FLOAT:
				format_number(sqlite3_column_double(stmt, col), f->fields[fields[i]].decimals,
				              num[i], sizeof num[i]);
				vals[i] = num[i];
				break;
			default:
				vals[i] = (const char *)sqlite3_column_text(stmt, col);
			}
		}
		export_row row = {
		    .uuid = (const char *)sqlite3_column_text(stmt, 0),
		    .pseudonym = (const char *)sqlite3_column_text(stmt, 1),
		    .date = (const char *)sqlite3_column_text(stmt, 2),
		    .form_version = sqlite3_column_int(stmt, 3),
		    .status = (const char *)sqlite3_column_text(stmt, 4),
		    .values = vals,
		    .row_version = sqlite3_column_int64(stmt, 6),
		    .updated_at = (const char *)sqlite3_column_text(stmt, 7),
		    .structure = (const char *)sqlite3_column_text(stmt, 8),
		};
		rc = fn(ctx, &row);
	}
	if (!rc && step != SQLITE_DONE)
		rc = st_fail(s, why, "lecture des entrées à exporter");
	sqlite3_finalize(stmt);
	free(vals);
	free(num);
	return rc;
}

static const char meta_columns[] = "e.id, e.uuid, e.patient_id, p.pseudonym, e.form, e.form_version, e.date, "
                                   "e.status, e.author, e.created_at, e.updated_at, e.row_version";

static void read_meta(sqlite3_stmt *stmt, entry_meta *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(stmt, 0);
	snprintf(m->uuid, sizeof m->uuid, "%s", st_col_text(stmt, 1));
	m->patient_id = sqlite3_column_int64(stmt, 2);
	snprintf(m->pseudonym, sizeof m->pseudonym, "%s", st_col_text(stmt, 3));
	snprintf(m->form, sizeof m->form, "%s", st_col_text(stmt, 4));
	m->form_version = sqlite3_column_int(stmt, 5);
	snprintf(m->date, sizeof m->date, "%s", st_col_text(stmt, 6));
	snprintf(m->status, sizeof m->status, "%s", st_col_text(stmt, 7));
	snprintf(m->author, sizeof m->author, "%s", st_col_text(stmt, 8));
	snprintf(m->created_at, sizeof m->created_at, "%s", st_col_text(stmt, 9));
	snprintf(m->updated_at, sizeof m->updated_at, "%s", st_col_text(stmt, 10));
	m->row_version = sqlite3_column_int64(stmt, 11);
}

/* How many entries of each form are dated in [first, last], drafts included: an estimate of the
 * work each form's CSV will take, from the (form, date) index alone (no table page read). */
int store_export_form_sizes(store *s, const char *first, const char *last,
                            void (*fn)(void *ctx, const char *form, int64_t n), void *ctx, char **why)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(
	        st_db_handle(s),
	        "SELECT form, count(*) FROM entries WHERE date BETWEEN ?1 AND ?2 GROUP BY form", -1, &stmt,
	        NULL) != SQLITE_OK)
		return st_fail(s, why, "taille des formulaires à exporter");
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(ctx, st_col_text(stmt, 0), sqlite3_column_int64(stmt, 1));
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "taille des formulaires à exporter");
	sqlite3_finalize(stmt);
	return rc;
}

/* The structure's own patients, not opposed, never informed, that the snapshot at last holds
 * (a non-draft entry dated up to last), by pseudonym: STORE_ISSUE_UNINFORMED each. Imported
 * patients (a region) were checked at their structure. */
static int uninformed_issues(store *s, const char *last,
                             void (*fn)(void *ctx, int kind, const entry_meta *m, const char *field,
                                        const char *rule),
                             void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT p.id, p.pseudonym, (SELECT min(e.date) FROM entries e WHERE e.patient_id = p.id AND "
	       "e.status <> 'draft') AS first FROM patients p WHERE p.informed_on IS NULL AND p.opposed_on "
	       "IS NULL AND p.structure = (SELECT code FROM structure) AND first <= ?1 ORDER BY p.pseudonym");
	if (!stmt)
		return st_fail(s, why, "vérification avant export");
	sqlite3_bind_text(stmt, 1, last, -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		entry_meta m;
		memset(&m, 0, sizeof m);
		m.patient_id = sqlite3_column_int64(stmt, 0);
		snprintf(m.pseudonym, sizeof m.pseudonym, "%s", st_col_text(stmt, 1));
		snprintf(m.date, sizeof m.date, "%s", st_col_text(stmt, 2));
		fn(ctx, STORE_ISSUE_UNINFORMED, &m, NULL, NULL);
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "vérification avant export");
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return rc;
}

int store_export_issues(store *s, const char *first, const char *last,
                        void (*fn)(void *ctx, int kind, const entry_meta *m, const char *field,
                                   const char *rule),
                        void *ctx, char **why)
{
	/* Two cheap halves instead of one join over every entry of the period (which the planner
	 * walks by pseudonym, a random table page per entry): the entries not complete (from the
	 * partial index entries_unfinished, or one pass over the table in storage order where the
	 * database predates it: the IN list steers the planner to either), each with its
	 * unconfirmed warnings if any;
	 * and the complete entries that have an unconfirmed warning, found from the (small)
	 * confirmations table (CROSS JOIN keeps it outside). Few rows come out: the sort is cheap.
	 * Ordered by pseudonym, date, entry, field (result columns 4, 7, 1, 13). */
	char *sql = xasprintf(
	    "SELECT %s, c.field, c.rule FROM entries e LEFT JOIN patients p ON p.id = e.patient_id "
	    "LEFT JOIN entry_confirmations c ON c.entry_id = e.id AND c.reason IS NULL "
	    "WHERE e.id IN (SELECT id FROM entries WHERE status <> 'complete') "
	    "AND e.date BETWEEN ?1 AND ?2 AND e.status <> 'complete' AND p.opposed_on IS NULL "
	    "UNION ALL "
	    "SELECT %s, c.field, c.rule FROM entry_confirmations c CROSS JOIN entries e ON e.id = c.entry_id "
	    "LEFT JOIN patients p ON p.id = e.patient_id "
	    "WHERE c.reason IS NULL AND e.date BETWEEN ?1 AND ?2 AND e.status = 'complete' AND p.opposed_on "
	    "IS NULL "
	    "ORDER BY 4, 7, 1, 13",
	    meta_columns, meta_columns);
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) == SQLITE_OK ? 0 : -1;
	free(sql);
	if (rc)
		return st_fail(s, why, "vérification avant export");
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	int64_t last_status_entry = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		entry_meta m;
		read_meta(stmt, &m);
		/* An entry with several unconfirmed warnings comes once per warning: its status once. */
		if (m.id != last_status_entry && strcmp(m.status, "complete") != 0)
			fn(ctx, strcmp(m.status, "draft") == 0 ? STORE_ISSUE_DRAFT : STORE_ISSUE_INCOMPLETE,
			   &m, NULL, NULL);
		last_status_entry = m.id;
		if (sqlite3_column_type(stmt, 12) != SQLITE_NULL && strcmp(m.status, "draft") != 0)
			fn(ctx, STORE_ISSUE_UNCONFIRMED, &m, st_col_text(stmt, 12), st_col_text(stmt, 13));
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "vérification avant export");
	sqlite3_finalize(stmt);
	return rc ? rc : uninformed_issues(s, last, fn, ctx, why);
}

static void read_held(sqlite3_stmt *stmt, import_held *h)
{
	memset(h, 0, sizeof *h);
	snprintf(h->structure, sizeof h->structure, "%s", st_col_text(stmt, 0));
	snprintf(h->structure_name, sizeof h->structure_name, "%s", st_col_text(stmt, 1));
	snprintf(h->export_id, sizeof h->export_id, "%s", st_col_text(stmt, 2));
	h->sequence = sqlite3_column_int64(stmt, 3);
	snprintf(h->period, sizeof h->period, "%s", st_col_text(stmt, 4));
	snprintf(h->exported_at, sizeof h->exported_at, "%s", st_col_text(stmt, 5));
	h->period_complete = sqlite3_column_type(stmt, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 6);
}

/* The corrections since an export whose marks are known: the entries of the period created
 * after its snapshot (an id above its entry mark), and the older ones that an audit line after
 * its audit mark says were edited (an alert's acknowledgement aside), or whose stored scores
 * were recomputed since (a recomputation writes no audit line: its last change time is strictly
 * after the export's). */
static const char changes_by_marks[] =
    "WHERE e.date BETWEEN ?1 AND ?2 AND e.status <> 'draft' AND p.opposed_on IS NULL AND (e.id > ?4 OR "
    "e.updated_at > ?3 OR "
    "e.uuid IN (SELECT entry_uuid FROM audit_log WHERE id > ?5 AND action = 'update' "
    "AND entry_uuid IS NOT NULL AND field IS NOT 'alerte')) ORDER BY e.date, e.id";
/* Without marks (an export made before they were kept): by the clock, to the second. */
static const char changes_by_time[] = "WHERE e.date BETWEEN ?1 AND ?2 AND e.status <> 'draft' AND "
                                      "p.opposed_on IS NULL AND e.updated_at >= ?3 ORDER BY e.date, e.id";

int store_changes_since(store *s, const char *first, const char *last, const export_log_entry *since,
                        void (*fn)(void *ctx, int kind, const entry_meta *m), void *ctx, char **why)
{
	bool marks = since->entry_mark >= 0 && since->audit_mark >= 0;
	char *sql = xasprintf("SELECT %s FROM entries e LEFT JOIN patients p ON p.id = e.patient_id %s",
	                      meta_columns, marks ? changes_by_marks : changes_by_time);
	sqlite3_stmt *stmt = NULL;
	int rc = 0, step;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) != SQLITE_OK) {
		free(sql);
		return st_fail(s, why, "corrections depuis l'export précédent");
	}
	free(sql);
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, since->created_at, -1, SQLITE_STATIC);
	if (marks) {
		sqlite3_bind_int64(stmt, 4, since->entry_mark);
		sqlite3_bind_int64(stmt, 5, since->audit_mark);
	}
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		entry_meta m;
		read_meta(stmt, &m);
		bool added = marks ? m.id > since->entry_mark : strcmp(m.created_at, since->created_at) >= 0;
		fn(ctx, added ? STORE_CHANGE_ADDED : STORE_CHANGE_EDITED, &m);
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "corrections depuis l'export précédent");
	sqlite3_finalize(stmt);
	if (rc)
		return rc;
	/* Deletions: the audit trail keeps the deleted entry's date as the old value. */
	if (sqlite3_prepare_v2(st_db_handle(s),
	                       marks ? "SELECT entry_uuid, pseudonym, form, old_value FROM audit_log WHERE "
	                               "action = 'delete' AND field IS NULL AND id > ?3 AND old_value "
	                               "BETWEEN ?1 AND ?2 ORDER BY id"
	                             : "SELECT entry_uuid, pseudonym, form, old_value FROM audit_log WHERE "
	                               "action = 'delete' AND field IS NULL AND at >= ?3 AND old_value "
	                               "BETWEEN ?1 AND ?2 ORDER BY id",
	                       -1, &stmt, NULL) != SQLITE_OK)
		return st_fail(s, why, "suppressions depuis l'export précédent");
	sqlite3_bind_text(stmt, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, last, -1, SQLITE_STATIC);
	if (marks)
		sqlite3_bind_int64(stmt, 3, since->audit_mark);
	else
		sqlite3_bind_text(stmt, 3, since->created_at, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		entry_meta m;
		memset(&m, 0, sizeof m);
		snprintf(m.uuid, sizeof m.uuid, "%s", st_col_text(stmt, 0));
		snprintf(m.pseudonym, sizeof m.pseudonym, "%s", st_col_text(stmt, 1));
		snprintf(m.form, sizeof m.form, "%s", st_col_text(stmt, 2));
		snprintf(m.date, sizeof m.date, "%s", st_col_text(stmt, 3));
		fn(ctx, STORE_CHANGE_DELETED, &m);
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "suppressions depuis l'export précédent");
	sqlite3_finalize(stmt);
	return rc;
}

int store_export_marks(store *s, int64_t *entry_mark, int64_t *audit_mark, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT (SELECT coalesce(max(id), 0) FROM entries), "
	                                   "(SELECT coalesce(max(id), 0) FROM audit_log)");
	if (!stmt || sqlite3_step(stmt) != SQLITE_ROW) {
		if (stmt)
			sqlite3_reset(stmt);
		return st_fail(s, why, "repères de l'export");
	}
	*entry_mark = sqlite3_column_int64(stmt, 0);
	*audit_mark = sqlite3_column_int64(stmt, 1);
	sqlite3_reset(stmt);
	return 0;
}

int store_export_alerts(store *s, const char *last, const char *const *any_date,
                        int (*fn)(void *ctx, const export_alert *a), void *ctx, char **why)
{
	strbuf sql = STRBUF_INIT;
	strbuf_puts(&sql, "SELECT coalesce(p.structure, e.structure), e.uuid, a.rule, a.level, a.raised_at, "
	                  "a.acknowledged_at FROM alerts a JOIN entries e ON e.id = a.entry_id "
	                  "LEFT JOIN patients p ON p.id = e.patient_id "
	                  "WHERE e.status <> 'draft' AND p.opposed_on IS NULL AND (e.date <= ?1");
	for (size_t i = 0; any_date && any_date[i]; i++) {
		strbuf_puts(&sql, " OR e.form = ");
		st_sql_quoted(&sql, any_date[i], '\'');
	}
	strbuf_puts(&sql, ") ORDER BY e.date, e.id, a.rule");
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s), strbuf_str(&sql), -1, &stmt, NULL) != SQLITE_OK) {
		strbuf_done(&sql);
		return st_fail(s, why, "lecture des alertes à exporter");
	}
	strbuf_done(&sql);
	sqlite3_bind_text(stmt, 1, last, -1, SQLITE_STATIC);
	int rc = 0, step;
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		export_alert a = {
		    .structure = st_col_text(stmt, 0),
		    .entry_uuid = st_col_text(stmt, 1),
		    .rule = st_col_text(stmt, 2),
		    .level = st_col_text(stmt, 3),
		    .raised_at = st_col_text(stmt, 4),
		    .acknowledged_at =
		        sqlite3_column_type(stmt, 5) == SQLITE_NULL ? NULL : st_col_text(stmt, 5),
		};
		rc = fn(ctx, &a);
	}
	if (!rc && step != SQLITE_DONE)
		rc = st_fail(s, why, "lecture des alertes à exporter");
	sqlite3_finalize(stmt);
	return rc;
}

int store_import_held_each(store *s, void (*fn)(void *ctx, const import_held *h), void *ctx, char **why)
{
	/* The newest export of each structure: its highest sequence, the last imported on a tie. */
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT structure, structure_name, export_id, sequence, period, exported_at, period_complete "
	       "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY structure ORDER BY sequence DESC, id DESC) "
	       "AS rang FROM import_log) WHERE rang = 1 ORDER BY structure");
	if (!stmt)
		return st_fail(s, why, "journal des imports");
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		import_held h;
		read_held(stmt, &h);
		fn(ctx, &h);
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "journal des imports");
	sqlite3_reset(stmt);
	return rc;
}

bool store_import_held(store *s, const char *structure, import_held *out)
{
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT structure, structure_name, export_id, sequence, period, exported_at, period_complete "
	       "FROM import_log WHERE structure = ? ORDER BY sequence DESC, id DESC LIMIT 1");
	if (!stmt)
		return false;
	sqlite3_bind_text(stmt, 1, structure, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		read_held(stmt, out);
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return found;
}

bool store_has_own_patients(store *s)
{
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT EXISTS (SELECT 1 FROM patients WHERE structure = (SELECT code FROM structure))");
	bool own = stmt && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
	if (stmt)
		sqlite3_reset(stmt);
	return own;
}

int store_export_log_each(store *s, void (*fn)(void *ctx, const export_log_entry *e), void *ctx, char **why)
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT sequence, export_id, period, created_at, coalesce(entry_mark, -1), "
	                  "coalesce(audit_mark, -1) FROM export_log ORDER BY sequence, id");
	if (!stmt)
		return st_fail(s, why, "journal des exports");
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		export_log_entry e;
		e.sequence = sqlite3_column_int64(stmt, 0);
		snprintf(e.export_id, sizeof e.export_id, "%s", st_col_text(stmt, 1));
		snprintf(e.period, sizeof e.period, "%s", st_col_text(stmt, 2));
		snprintf(e.created_at, sizeof e.created_at, "%s", st_col_text(stmt, 3));
		e.entry_mark = sqlite3_column_int64(stmt, 4);
		e.audit_mark = sqlite3_column_int64(stmt, 5);
		fn(ctx, &e);
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "journal des exports");
	sqlite3_reset(stmt);
	return rc;
}

int store_export_log_add(store *s, const export_log_entry *e, const char *login, const char *file_name,
                         bool encrypted, int64_t rows, const char *accepted, char **why)
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "INSERT INTO export_log(sequence, export_id, period, created_at, login, "
	                  "file_name, encrypted, rows, accepted_issues, entry_mark, audit_mark) "
	                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!stmt)
		return st_fail(s, why, "journal des exports");
	sqlite3_bind_int64(stmt, 1, e->sequence);
	sqlite3_bind_text(stmt, 2, e->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, e->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, e->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, file_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 7, encrypted ? 1 : 0);
	sqlite3_bind_int64(stmt, 8, rows);
	if (accepted)
		sqlite3_bind_text(stmt, 9, accepted, -1, SQLITE_STATIC);
	if (e->entry_mark >= 0 && e->audit_mark >= 0) {
		sqlite3_bind_int64(stmt, 10, e->entry_mark);
		sqlite3_bind_int64(stmt, 11, e->audit_mark);
	}
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des exports");
	sqlite3_reset(stmt);
	return rc;
}

int store_snapshot(store *s, const char *path, char **why)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s), "VACUUM INTO ?", -1, &stmt, NULL) != SQLITE_OK)
		return st_fail(s, why, "copie de la base");
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "copie de la base");
	sqlite3_finalize(stmt);
	return rc;
}

int store_check_file(const char *path, char **why)
{
	sqlite3 *db = NULL;
	int rc = 0;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		set_why(why, "%s : ouverture de la copie impossible : %s", path, sqlite3_errmsg(db));
		sqlite3_close_v2(db);
		return EXIT_IOERR;
	}
	/* A recueil database this program can open, before anything else is read from it. */
	sqlite3_stmt *id = NULL;
	if (sqlite3_prepare_v2(db,
	                       "SELECT (SELECT application_id FROM pragma_application_id), "
	                       "(SELECT user_version FROM pragma_user_version)",
	                       -1, &id, NULL) != SQLITE_OK ||
	    sqlite3_step(id) != SQLITE_ROW) {
		set_why(
		    why,
		    "%s : ce n'est pas une base SQLite lisible (%s) : fichier endommagé ou d'un autre type",
		    path, sqlite3_errmsg(db));
		rc = EXIT_DATAERR;
	} else if (sqlite3_column_int64(id, 0) != STORE_APPLICATION_ID) {
		set_why(why, "%s : base SQLite d'une autre application, pas une base recueil", path);
		rc = EXIT_DATAERR;
	} else if (sqlite3_column_int64(id, 1) > store_schema_version()) {
		set_why(why,
		        "%s : base d'une version plus récente de recueil (schéma %lld, ce programme connaît "
		        "%d) : "
		        "mettre recueil à jour",
		        path, (long long)sqlite3_column_int64(id, 1), store_schema_version());
		rc = EXIT_DATAERR;
	}
	sqlite3_finalize(id);
	static const char *const checks[] = {"PRAGMA quick_check", "PRAGMA foreign_key_check"};
	for (int i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *stmt = NULL;
		if (sqlite3_prepare_v2(db, checks[i], -1, &stmt, NULL) != SQLITE_OK) {
			set_why(why, "%s : %s impossible : %s", path, checks[i], sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
			break;
		}
		int step = sqlite3_step(stmt);
		if (i == 0 && (step != SQLITE_ROW || strcmp(st_col_text(stmt, 0), "ok") != 0)) {
			set_why(why, "%s : la copie n'est pas intègre (quick_check : %s)", path,
			        step == SQLITE_ROW ? st_col_text(stmt, 0) : sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
		} else if (i == 1 && step != SQLITE_DONE) {
			set_why(why, "%s : références cassées dans la copie (table %s)", path,
			        step == SQLITE_ROW ? st_col_text(stmt, 0) : sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
		}
		sqlite3_finalize(stmt);
	}
	sqlite3_close_v2(db);
	return rc;
}
