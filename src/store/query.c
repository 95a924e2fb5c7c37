/* query.c — the reads and writes of export and backup: period rows, pre-export issues,
 * changes since an earlier export, the export log, snapshots. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

int store_read_begin(store *s, char **why)
{
	/* A long read walks every page of the period once per form: a page cache of a few
	 * megabytes (bounded, whatever the number of rows) saves most of the re-reads. */
	sqlite3_exec(st_db_handle(s), "PRAGMA cache_size = -8192", NULL, NULL, NULL);
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

/* Append an SQL identifier in double quotes, or a string literal in single quotes. */
static void sql_quoted(strbuf *sb, const char *s, char q)
{
	strbuf_putc(sb, q);
	for (; *s; s++) {
		if (*s == q)
			strbuf_putc(sb, q);
		strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, q);
}

static char *export_sql(const form *f, const size_t *fields, size_t n, bool by_patient)
{
	strbuf sql = STRBUF_INIT;
	/* The typed missing codes of a row come as one "field=code field=code" text: one index
	 * probe per row, whatever the number of empty columns. */
	strbuf_puts(&sql, "SELECT e.uuid, p.pseudonym, e.date, e.form_version, e.status, "
	                  "(SELECT group_concat(m.field || '=' || m.code, ' ') FROM entry_missing m "
	                  "WHERE m.entry_id = e.id)");
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(&sql, ", f.");
		sql_quoted(&sql, f->fields[fields[i]].id, '"');
	}
	strbuf_puts(&sql, " FROM entries e JOIN patients p ON p.id = e.patient_id LEFT JOIN ");
	char *table = xasprintf("form_%s", f->id);
	sql_quoted(&sql, table, '"');
	free(table);
	strbuf_puts(&sql, " f ON f.entry_id = e.id WHERE e.form = ?1 AND e.status <> 'draft' AND ");
	if (by_patient)
		strbuf_puts(
		    &sql, "e.patient_id IN (SELECT patient_id FROM entries WHERE status <> 'draft' AND date "
		          "BETWEEN ?2 AND ?3) ORDER BY p.pseudonym, e.date, e.id");
	else
		strbuf_puts(&sql, "e.date BETWEEN ?2 AND ?3 ORDER BY e.date, e.id");
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

int store_export_rows(store *s, const form *f, const size_t *fields, size_t n_fields, const char *first,
                      const char *last, bool by_active_patient, int (*fn)(void *ctx, const export_row *row),
                      void *ctx, char **why)
{
	char *sql = export_sql(f, fields, n_fields, by_active_patient);
	sqlite3_stmt *st = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		return st_fail(s, why, "lecture des entrées à exporter");
	}
	free(sql);
	sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
	const char **vals = xcalloc(n_fields ? n_fields : 1, sizeof *vals);
	char(*num)[48] = xcalloc(n_fields ? n_fields : 1, sizeof *num);
	int step;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *missing = (const char *)sqlite3_column_text(st, 5);
		for (size_t i = 0; i < n_fields; i++) {
			int col = (int)i + 6;
			switch (sqlite3_column_type(st, col)) {
			case SQLITE_NULL:
				vals[i] = missing && missing_of(missing, f->fields[fields[i]].id, num[i],
				                                sizeof num[i])
				              ? num[i]
				              : NULL;
				break;
			case SQLITE_INTEGER:
				snprintf(num[i], sizeof num[i], "%lld",
				         (long long)sqlite3_column_int64(st, col));
				vals[i] = num[i];
				break;
			case SQLITE_FLOAT:
				format_number(sqlite3_column_double(st, col), f->fields[fields[i]].decimals,
				              num[i], sizeof num[i]);
				vals[i] = num[i];
				break;
			default:
				vals[i] = (const char *)sqlite3_column_text(st, col);
			}
		}
		export_row row = {
		    .uuid = (const char *)sqlite3_column_text(st, 0),
		    .pseudonym = (const char *)sqlite3_column_text(st, 1),
		    .date = (const char *)sqlite3_column_text(st, 2),
		    .form_version = sqlite3_column_int(st, 3),
		    .status = (const char *)sqlite3_column_text(st, 4),
		    .values = vals,
		};
		rc = fn(ctx, &row);
	}
	if (!rc && step != SQLITE_DONE)
		rc = st_fail(s, why, "lecture des entrées à exporter");
	sqlite3_finalize(st);
	free(vals);
	free(num);
	return rc;
}

static const char meta_columns[] = "e.id, e.uuid, e.patient_id, p.pseudonym, e.form, e.form_version, e.date, "
                                   "e.status, e.author, e.created_at, e.updated_at, e.row_version";

static const char *col_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return t ? t : "";
}

static void read_meta(sqlite3_stmt *st, entry_meta *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(st, 0);
	snprintf(m->uuid, sizeof m->uuid, "%s", col_text(st, 1));
	m->patient_id = sqlite3_column_int64(st, 2);
	snprintf(m->pseudonym, sizeof m->pseudonym, "%s", col_text(st, 3));
	snprintf(m->form, sizeof m->form, "%s", col_text(st, 4));
	m->form_version = sqlite3_column_int(st, 5);
	snprintf(m->date, sizeof m->date, "%s", col_text(st, 6));
	snprintf(m->status, sizeof m->status, "%s", col_text(st, 7));
	snprintf(m->author, sizeof m->author, "%s", col_text(st, 8));
	snprintf(m->created_at, sizeof m->created_at, "%s", col_text(st, 9));
	snprintf(m->updated_at, sizeof m->updated_at, "%s", col_text(st, 10));
	m->row_version = sqlite3_column_int64(st, 11);
}

int store_export_issues(store *s, const char *first, const char *last,
                        void (*fn)(void *ctx, int kind, const entry_meta *m, const char *field,
                                   const char *rule),
                        void *ctx, char **why)
{
	char *sql =
	    xasprintf("SELECT %s, c.field, c.rule FROM entries e JOIN patients p ON p.id = e.patient_id "
	              "LEFT JOIN entry_confirmations c ON c.entry_id = e.id AND c.reason IS NULL "
	              "WHERE e.date BETWEEN ?1 AND ?2 AND (e.status <> 'complete' OR c.field IS NOT NULL) "
	              "ORDER BY p.pseudonym, e.date, e.id, c.field",
	              meta_columns);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(st_db_handle(s), sql, -1, &st, NULL) == SQLITE_OK ? 0 : -1;
	free(sql);
	if (rc)
		return st_fail(s, why, "vérification avant export");
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	int64_t last_status_entry = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		entry_meta m;
		read_meta(st, &m);
		/* An entry with several unconfirmed warnings comes once per warning: its status once. */
		if (m.id != last_status_entry && strcmp(m.status, "complete") != 0)
			fn(ctx, strcmp(m.status, "draft") == 0 ? STORE_ISSUE_DRAFT : STORE_ISSUE_INCOMPLETE,
			   &m, NULL, NULL);
		last_status_entry = m.id;
		if (sqlite3_column_type(st, 12) != SQLITE_NULL && strcmp(m.status, "draft") != 0)
			fn(ctx, STORE_ISSUE_UNCONFIRMED, &m, col_text(st, 12), col_text(st, 13));
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "vérification avant export");
	sqlite3_finalize(st);
	return rc;
}

int store_changes_since(store *s, const char *first, const char *last, const char *since,
                        void (*fn)(void *ctx, int kind, const entry_meta *m), void *ctx, char **why)
{
	char *sql = xasprintf("SELECT %s FROM entries e JOIN patients p ON p.id = e.patient_id "
	                      "WHERE e.date BETWEEN ?1 AND ?2 AND e.status <> 'draft' AND e.updated_at >= ?3 "
	                      "ORDER BY e.date, e.id",
	                      meta_columns);
	sqlite3_stmt *st = NULL;
	int rc = 0, step;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &st, NULL) != SQLITE_OK) {
		free(sql);
		return st_fail(s, why, "corrections depuis l'export précédent");
	}
	free(sql);
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		entry_meta m;
		read_meta(st, &m);
		fn(ctx, strcmp(m.created_at, since) >= 0 ? STORE_CHANGE_ADDED : STORE_CHANGE_EDITED, &m);
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "corrections depuis l'export précédent");
	sqlite3_finalize(st);
	if (rc)
		return rc;
	/* Deletions: the audit trail keeps the deleted entry's date as the old value. */
	if (sqlite3_prepare_v2(
	        st_db_handle(s),
	        "SELECT entry_uuid, pseudonym, form, old_value FROM audit_log WHERE action = 'delete' "
	        "AND field IS NULL AND at >= ?3 AND old_value BETWEEN ?1 AND ?2 ORDER BY id",
	        -1, &st, NULL) != SQLITE_OK)
		return st_fail(s, why, "suppressions depuis l'export précédent");
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, since, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		entry_meta m;
		memset(&m, 0, sizeof m);
		snprintf(m.uuid, sizeof m.uuid, "%s", col_text(st, 0));
		snprintf(m.pseudonym, sizeof m.pseudonym, "%s", col_text(st, 1));
		snprintf(m.form, sizeof m.form, "%s", col_text(st, 2));
		snprintf(m.date, sizeof m.date, "%s", col_text(st, 3));
		fn(ctx, STORE_CHANGE_DELETED, &m);
	}
	if (step != SQLITE_DONE)
		rc = st_fail(s, why, "suppressions depuis l'export précédent");
	sqlite3_finalize(st);
	return rc;
}

int store_export_log_each(store *s, void (*fn)(void *ctx, const export_log_entry *e), void *ctx, char **why)
{
	sqlite3_stmt *st =
	    st_prepare(s, "SELECT sequence, export_id, period, created_at FROM export_log ORDER BY "
	                  "sequence, id");
	if (!st)
		return st_fail(s, why, "journal des exports");
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		export_log_entry e;
		e.sequence = sqlite3_column_int64(st, 0);
		snprintf(e.export_id, sizeof e.export_id, "%s", col_text(st, 1));
		snprintf(e.period, sizeof e.period, "%s", col_text(st, 2));
		snprintf(e.created_at, sizeof e.created_at, "%s", col_text(st, 3));
		fn(ctx, &e);
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "journal des exports");
	sqlite3_reset(st);
	return rc;
}

int store_export_log_add(store *s, const export_log_entry *e, const char *login, const char *file_name,
                         bool encrypted, int64_t rows, const char *accepted, char **why)
{
	sqlite3_stmt *st =
	    st_prepare(s, "INSERT INTO export_log(sequence, export_id, period, created_at, login, "
	                  "file_name, encrypted, rows, accepted_issues) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return st_fail(s, why, "journal des exports");
	sqlite3_bind_int64(st, 1, e->sequence);
	sqlite3_bind_text(st, 2, e->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->created_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, file_name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 7, encrypted ? 1 : 0);
	sqlite3_bind_int64(st, 8, rows);
	if (accepted)
		sqlite3_bind_text(st, 9, accepted, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des exports");
	sqlite3_reset(st);
	return rc;
}

int store_snapshot(store *s, const char *path, char **why)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s), "VACUUM INTO ?", -1, &st, NULL) != SQLITE_OK)
		return st_fail(s, why, "copie de la base");
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "copie de la base");
	sqlite3_finalize(st);
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
		set_why(why, "%s : ce n'est pas une base SQLite lisible (%s)", path, sqlite3_errmsg(db));
		rc = EXIT_DATAERR;
	} else if (sqlite3_column_int64(id, 0) != STORE_APPLICATION_ID) {
		set_why(why, "%s : base SQLite qui n'appartient pas à recueil", path);
		rc = EXIT_DATAERR;
	} else if (sqlite3_column_int64(id, 1) > store_schema_version()) {
		set_why(
		    why,
		    "%s : base d'une version plus récente de recueil (schéma %lld, ce programme connaît %d)",
		    path, (long long)sqlite3_column_int64(id, 1), store_schema_version());
		rc = EXIT_DATAERR;
	}
	sqlite3_finalize(id);
	static const char *const checks[] = {"PRAGMA quick_check", "PRAGMA foreign_key_check"};
	for (int i = 0; i < 2 && !rc; i++) {
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(db, checks[i], -1, &st, NULL) != SQLITE_OK) {
			set_why(why, "%s : %s impossible : %s", path, checks[i], sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
			break;
		}
		int step = sqlite3_step(st);
		if (i == 0 && (step != SQLITE_ROW || strcmp(col_text(st, 0), "ok") != 0)) {
			set_why(why, "%s : la copie n'est pas intègre (quick_check : %s)", path,
			        step == SQLITE_ROW ? col_text(st, 0) : sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
		} else if (i == 1 && step != SQLITE_DONE) {
			set_why(why, "%s : références cassées dans la copie (table %s)", path,
			        step == SQLITE_ROW ? col_text(st, 0) : sqlite3_errmsg(db));
			rc = EXIT_DATAERR;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close_v2(db);
	return rc;
}
