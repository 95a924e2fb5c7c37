/* install.c — what a database keeps about its own installation (schema/011_install.sql): the
 * identity flags of each stored field, recorded when first seen and only ever tightened, and the
 * settings chosen by the administrator. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* One stored field and the flags the database holds for it (-1: not recorded yet). */
typedef struct {
	char *form, *field;
	int identifier, exported;
} recorded_flags;

static size_t load_flags(store *s, recorded_flags **out)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT form, field, identifier, exported FROM form_columns");
	recorded_flags *v = NULL;
	size_t n = 0;
	while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].form = xstrdup((const char *)sqlite3_column_text(stmt, 0));
		v[n].field = xstrdup((const char *)sqlite3_column_text(stmt, 1));
		v[n].identifier =
		    sqlite3_column_type(stmt, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 2);
		v[n].exported =
		    sqlite3_column_type(stmt, 3) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 3);
		n++;
	}
	if (stmt)
		sqlite3_reset(stmt);
	*out = v;
	return n;
}

static void free_flags(recorded_flags *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].form);
		free(v[i].field);
	}
	free(v);
}

static const recorded_flags *find_flags(const recorded_flags *v, size_t n, const char *form_id,
                                        const char *field_id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].form, form_id) == 0 && strcmp(v[i].field, field_id) == 0)
			return &v[i];
	return NULL;
}

/* Whether the database has yet to record fd's flags: never seen, or tightened by the file. */
static bool to_record(const recorded_flags *r, const field *fd)
{
	return r->identifier < 0 || r->exported < 0 || (r->identifier == 0 && fd->identifier) ||
	       (r->exported == 1 && !fd->exported);
}

/* Record fd's flags, tightened over what is recorded, and a line in the audit trail for each
 * flag that a form file tightened. Inside the caller's transaction. */
static int record_one(store *s, const form *f, const field *fd, const recorded_flags *r, const char *login,
                      char **why)
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "UPDATE form_columns SET identifier = max(coalesce(identifier, 0), ?), "
	                  "exported = min(coalesce(exported, 1), ?) WHERE form = ? AND field = ?");
	sqlite3_bind_int(stmt, 1, fd->identifier);
	sqlite3_bind_int(stmt, 2, fd->exported);
	sqlite3_bind_text(stmt, 3, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, fd->id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "drapeaux d'identité");
	sqlite3_reset(stmt);
	if (!rc && r->identifier == 0 && fd->identifier)
		rc = st_audit(s, login, "schema", NULL, NULL, f->id, fd->id, "identifier: false",
		              "identifier: true", why);
	if (!rc && r->exported == 1 && !fd->exported)
		rc = st_audit(s, login, "schema", NULL, NULL, f->id, fd->id, "export: true", "export: false",
		              why);
	return rc;
}

/* What f's file says of a flag the database holds tighter, as "FILE:LINE:COL: message". */
static void note_loosened(strbuf *sb, const form *f, const field *fd, const char *flag)
{
	strbuf_printf(sb,
	              "%s:%d:%d: champ « %s » : « %s » est enregistré dans la base, ce fichier le retire : "
	              "sans effet (un drapeau d'identité ne se relâche pas)\n",
	              f->path, fd->line, fd->col, fd->id, flag);
}

int store_identity_flags(store *s, formset *fs, const char *login, bool keep, char **loosened, char **why)
{
	if (loosened)
		*loosened = NULL;
	recorded_flags *v = NULL;
	size_t n = load_flags(s, &v);
	strbuf notes = STRBUF_INIT;
	bool write = false; /* something to record */
	/* First pass, no transaction: most runs find nothing to record. */
	for (size_t i = 0; i < fs->n_forms; i++) {
		const form *f = fs->forms[i];
		for (size_t k = 0; k < f->n_fields; k++) {
			const recorded_flags *r = find_flags(v, n, f->id, f->fields[k].id);
			if (keep && r && to_record(r, &f->fields[k]))
				write = true;
		}
	}
	int rc = write ? st_begin(s, why) : 0;
	for (size_t i = 0; !rc && i < fs->n_forms; i++) {
		form *f = fs->forms[i];
		for (size_t k = 0; !rc && k < f->n_fields; k++) {
			field *fd = &f->fields[k];
			const recorded_flags *r = find_flags(v, n, f->id, fd->id);
			if (!r) /* notes: nothing stored, nothing to hide */
				continue;
			if (write)
				rc = record_one(s, f, fd, r, login, why);
			if (r->identifier == 1 && !fd->identifier) {
				note_loosened(&notes, f, fd, "identifier: true");
				fd->identifier = true;
			}
			if (r->exported == 0 && fd->exported) {
				note_loosened(&notes, f, fd, "export: false");
				fd->exported = false;
			}
		}
	}
	if (write && !rc)
		rc = st_commit(s, why);
	else if (write)
		st_rollback(s);
	free_flags(v, n);
	if (!rc)
		formset_identity_closure(fs); /* a field made identifier may feed a calculated one */
	if (!rc && loosened && notes.len)
		*loosened = strbuf_take(&notes);
	else
		strbuf_done(&notes);
	return rc;
}

char *store_setting(store *s, const char *key)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT value FROM settings WHERE key = ?");
	if (!stmt)
		return NULL;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	char *v =
	    sqlite3_step(stmt) == SQLITE_ROW ? xstrdup((const char *)sqlite3_column_text(stmt, 0)) : NULL;
	sqlite3_reset(stmt);
	return v;
}

int store_setting_set(store *s, const char *key, const char *val, const char *login, char **why)
{
	char *old = store_setting(s, key);
	int rc = st_begin(s, why);
	if (rc) {
		free(old);
		return rc;
	}
	char now[32];
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt = st_prepare(s, val ? "INSERT INTO settings(key, value, set_at, set_by) "
	                                         "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(key) DO UPDATE SET "
	                                         "value = ?2, set_at = ?3, set_by = ?4"
	                                       : "DELETE FROM settings WHERE key = ?1");
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if (val) {
		sqlite3_bind_text(stmt, 2, val, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, login, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "réglage");
	sqlite3_reset(stmt);
	if (!rc)
		rc = st_audit(s, login, "schema", NULL, NULL, NULL, key, old, val, why);
	if (!rc)
		rc = st_commit(s, why);
	else
		st_rollback(s);
	free(old);
	return rc;
}
