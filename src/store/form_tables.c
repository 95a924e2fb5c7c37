/* form_tables.c — one table per form, generated from the YAML: created, given a column for
 * each new field (a removed field keeps its column), an incompatible type change refused, and
 * the calculated values recomputed when a form's expressions or thresholds change. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

const char *st_field_sql_type(const field *fd)
{
	return field_storage_type(fd);
}

typedef struct {
	char *field, *sql_type;
	bool active;
} known_column;

static size_t known_columns(store *s, const char *form_id, known_column **out)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT field, sql_type, active FROM form_columns WHERE form = ?");
	known_column *v = NULL;
	size_t n = 0;
	sqlite3_bind_text(stmt, 1, form_id, -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].field = xstrdup((const char *)sqlite3_column_text(stmt, 0));
		v[n].sql_type = xstrdup((const char *)sqlite3_column_text(stmt, 1));
		v[n].active = sqlite3_column_int(stmt, 2) != 0;
		n++;
	}
	sqlite3_reset(stmt);
	*out = v;
	return n;
}

static void known_free(known_column *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].field);
		free(v[i].sql_type);
	}
	free(v);
}

static int64_t stored_form_version(store *s, const char *form_id)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT version FROM form_versions WHERE form = ?");
	sqlite3_bind_text(stmt, 1, form_id, -1, SQLITE_STATIC);
	int64_t v = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return v;
}

static void fnv(uint64_t *h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		*h = (*h ^ *p) * 0x100000001b3ULL;
	*h = (*h ^ 0xff) * 0x100000001b3ULL; /* separator */
}

/* A fingerprint of everything that decides the stored calculated values and alerts of a form:
 * its expressions, rounding and skip values, and the thresholds they may read. */
static void calc_signature(const formset *fs, const form *f, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char num[64];
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		fnv(&h, fd->id);
		fnv(&h, fd->expr_src);
		fnv(&h, fd->show_if_src);
		/* "si faux": a skip value counts only where show_if is false, not where it reads a
		 * missing answer; entries stored before that rule are recomputed once. */
		snprintf(num, sizeof num, "%d %d %.17g%s", fd->decimals, fd->has_skip_value, fd->skip_value,
		         fd->has_skip_value ? " si faux" : "");
		fnv(&h, num);
	}
	for (size_t k = 0; k < f->n_alerts; k++)
		fnv(&h, f->alerts[k].if_src);
	for (size_t t = 0; fs->reporting && t < fs->reporting->n_thresholds; t++) {
		snprintf(num, sizeof num, "%.17g", fs->reporting->thresholds[t].value);
		fnv(&h, fs->reporting->thresholds[t].id);
		fnv(&h, num);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The stored fingerprint of a form into sig ("" when none yet); false if the form is new. */
static bool stored_signature(store *s, const char *form_id, char sig[17])
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT coalesce(calc_signature, '') FROM form_versions WHERE form = ?");
	sqlite3_bind_text(stmt, 1, form_id, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	snprintf(sig, 17, "%s", found ? (const char *)sqlite3_column_text(stmt, 0) : "");
	sqlite3_reset(stmt);
	return found;
}

/* Compare one form with what the database knows; when apply, make the changes (inside the
 * caller's transaction). *changes counts what differs. */
static int sync_one(store *s, const formset *fs, const form *f, bool apply, int *changes, char **why)
{
	known_column *known = NULL;
	size_t nk = known_columns(s, f->id, &known);
	int rc = 0;
	char now[32];
	time_now_iso(now, sizeof now);
	int64_t seen = stored_form_version(s, f->id);
	if (seen > f->version) {
		set_why(why,
		        "%s:1:1: formulaire « %s » en version %d, mais la base a déjà des saisies en version "
		        "%lld : utiliser les formulaires à jour",
		        f->path, f->id, f->version, (long long)seen);
		known_free(known, nk);
		return EXIT_DATAERR;
	}
	if (seen != f->version)
		(*changes)++;
	char sig[17], old_sig[17];
	calc_signature(fs, f, sig);
	if (!stored_signature(s, f->id, old_sig) || strcmp(sig, old_sig) != 0)
		(*changes)++;
	if (apply && nk == 0) {
		char *sql = xasprintf("CREATE TABLE IF NOT EXISTS \"form_%s\" (entry_id INTEGER PRIMARY KEY "
		                      "REFERENCES entries(id) ON DELETE CASCADE) STRICT",
		                      f->id);
		rc = st_exec(s, sql, why, "création de table");
		free(sql);
	}
	for (size_t i = 0; !rc && i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		const char *type = st_field_sql_type(fd);
		if (!type)
			continue;
		size_t k = 0;
		while (k < nk && strcmp(known[k].field, fd->id) != 0)
			k++;
		if (k < nk && strcmp(known[k].sql_type, type) != 0) {
			set_why(why,
			        "%s:%d:%d: le champ « %s » était stocké en %s et deviendrait %s : changement "
			        "incompatible avec les données existantes (créer un nouveau champ avec un "
			        "autre id)",
			        f->path, fd->line, fd->col, fd->id, known[k].sql_type, type);
			rc = EXIT_DATAERR;
			break;
		}
		if (k < nk && known[k].active)
			continue;
		(*changes)++;
		if (!apply)
			continue;
		sqlite3_stmt *stmt;
		if (k == nk) {
			char *sql =
			    xasprintf("ALTER TABLE \"form_%s\" ADD COLUMN \"%s\" %s", f->id, fd->id, type);
			rc = st_exec(s, sql, why, "ajout de colonne");
			free(sql);
			stmt = st_prepare(
			    s,
			    "INSERT INTO form_columns(form, field, sql_type, field_type, active, added_at) "
			    "VALUES (?, ?, ?, ?, 1, ?)");
			sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, fd->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 3, type, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 4, field_type_name(fd->type), -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
		} else {
			stmt =
			    st_prepare(s, "UPDATE form_columns SET active = 1 WHERE form = ? AND field = ?");
			sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 2, fd->id, -1, SQLITE_STATIC);
		}
		if (!rc && sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "description des colonnes");
		sqlite3_reset(stmt);
	}
	/* Fields gone from the YAML keep their column and data; they are only marked inactive. */
	for (size_t k = 0; !rc && k < nk; k++) {
		if (!known[k].active || form_field(f, known[k].field))
			continue;
		(*changes)++;
		if (!apply)
			continue;
		sqlite3_stmt *stmt =
		    st_prepare(s, "UPDATE form_columns SET active = 0 WHERE form = ? AND field = ?");
		sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, known[k].field, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "description des colonnes");
		sqlite3_reset(stmt);
	}
	if (!rc && apply && seen != f->version) {
		sqlite3_stmt *stmt = st_prepare(
		    s,
		    "INSERT INTO form_versions(form, version, seen_at) VALUES (?, ?, ?) "
		    "ON CONFLICT(form) DO UPDATE SET version = excluded.version, seen_at = excluded.seen_at");
		sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 2, f->version);
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "version du formulaire");
		sqlite3_reset(stmt);
	}
	known_free(known, nk);
	return rc;
}

int store_check_forms(store *s, const formset *fs, char **why)
{
	int changes = 0, rc = 0;
	for (size_t i = 0; i < fs->n_forms && !rc; i++)
		rc = sync_one(s, fs, fs->forms[i], false, &changes, why);
	return rc;
}

int store_sync_forms(store *s, const formset *fs, const char *login, char **why)
{
	int changes = 0, rc = 0;
	for (size_t i = 0; i < fs->n_forms && !rc; i++)
		rc = sync_one(s, fs, fs->forms[i], false, &changes, why);
	if (rc || changes == 0)
		return rc;
	if ((rc = st_begin(s, why)))
		return rc;
	/* Forms already known whose computing changed (expressions, thresholds) get their stored
	 * scores recomputed below. */
	bool *recompute = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *recompute);
	for (size_t i = 0; i < fs->n_forms; i++) {
		char sig[17], old_sig[17];
		calc_signature(fs, fs->forms[i], sig);
		recompute[i] = stored_signature(s, fs->forms[i]->id, old_sig) && strcmp(sig, old_sig) != 0;
	}
	changes = 0;
	for (size_t i = 0; i < fs->n_forms && !rc; i++)
		rc = sync_one(s, fs, fs->forms[i], true, &changes, why);
	for (size_t i = 0; i < fs->n_forms && !rc; i++) {
		char sig[17];
		if (recompute[i])
			rc = st_recompute(s, fs, fs->forms[i], 0, NULL, login, why);
		calc_signature(fs, fs->forms[i], sig);
		sqlite3_stmt *stmt =
		    st_prepare(s, "UPDATE form_versions SET calc_signature = ? WHERE form = ?");
		sqlite3_bind_text(stmt, 1, sig, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, fs->forms[i]->id, -1, SQLITE_STATIC);
		if (!rc && sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "empreinte des calculs");
		sqlite3_reset(stmt);
	}
	free(recompute);
	recompute = NULL;
	if (!rc && changes) {
		char now[32];
		time_now_iso(now, sizeof now);
		sqlite3_stmt *stmt = st_prepare(
		    s, "INSERT INTO audit_log(at, login, action, new_value) VALUES (?, ?, 'schema', ?)");
		char *what = xasprintf("%d changement(s) de formulaires appliqué(s)", changes);
		sqlite3_bind_text(stmt, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, login, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, what, -1, SQLITE_TRANSIENT);
		free(what);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "journal");
		sqlite3_reset(stmt);
	}
	free(recompute);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	/* The schema changed: statements prepared against the old tables must go. */
	rc = st_commit(s, why);
	st_forget_statements(s);
	return rc;
}
