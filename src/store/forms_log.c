/* forms_log.c — the forms of the network in the database: the coordination's public key that
 * bundles must be signed with, the log of bundles published, installed and rolled back, the
 * forms an install replaced (what rollback puts back), and the versions of the forms tables
 * brought back with them. Each change runs in its own transaction, with its line in the audit
 * trail. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"

/* End the transaction of a change: commit when rc is 0, else roll back and return rc. */
static int finish(store *db, int rc, char **why)
{
	if (rc) {
		st_rollback(db);
		return rc;
	}
	return st_commit(db, why);
}

/* The number the query sql (one text parameter, NULL allowed) gives; 0 when none. */
static long query_long(store *db, const char *sql, const char *param)
{
	sqlite3_stmt *stmt = st_prepare(db, sql);
	if (!stmt)
		return 0;
	sqlite3_bind_text(stmt, 1, param, -1, SQLITE_STATIC);
	long v = sqlite3_step(stmt) == SQLITE_ROW ? (long)sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return v;
}

int store_forms_trust_set(store *db, const char *public_key, const char *fingerprint, const char *login,
                          char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(db, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt = st_prepare(
	    db, "INSERT OR REPLACE INTO forms_trust(id, public_key, fingerprint, trusted_at, trusted_by) "
	        "VALUES (1, ?, ?, ?, ?)");
	const char *vals[] = {public_key, fingerprint, now, login};
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(stmt, i + 1, vals[i], -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(db, why, "clé de la coordination");
	sqlite3_reset(stmt);
	char *what = xasprintf("clé de la coordination pour les formulaires : %s", fingerprint);
	if (!rc)
		rc = st_audit(db, login, "schema", NULL, NULL, NULL, NULL, NULL, what, why);
	free(what);
	return finish(db, rc, why);
}

bool store_forms_trust_get(store *db, char public_key[STORE_PUBKEY_MAX],
                           char fingerprint[STORE_FINGERPRINT_MAX])
{
	sqlite3_stmt *stmt = st_prepare(db, "SELECT public_key, fingerprint FROM forms_trust WHERE id = 1");
	bool found = stmt && sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		snprintf(public_key, STORE_PUBKEY_MAX, "%s", st_col_text(stmt, 0));
		snprintf(fingerprint, STORE_FINGERPRINT_MAX, "%s", st_col_text(stmt, 1));
	}
	if (stmt)
		sqlite3_reset(stmt);
	return found;
}

long store_forms_version_of(store *db, const char *digest)
{
	return query_long(db,
	                  "SELECT version FROM forms_bundles WHERE digest = ? AND undone = 0 AND "
	                  "action IN ('publish', 'install') ORDER BY id DESC LIMIT 1",
	                  digest);
}

bool store_forms_reference(store *db, long *version, char digest[65])
{
	sqlite3_stmt *stmt = st_prepare(db, "SELECT version, digest FROM forms_bundles WHERE undone = 0 AND "
	                                    "action IN ('publish', 'install') ORDER BY id DESC LIMIT 1");
	bool found = stmt && sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		*version = (long)sqlite3_column_int64(stmt, 0);
		snprintf(digest, 65, "%s", st_col_text(stmt, 1));
	}
	if (stmt)
		sqlite3_reset(stmt);
	return found;
}

long store_forms_latest_version(store *db, const char *action)
{
	return query_long(db,
	                  "SELECT coalesce(max(version), 0) FROM forms_bundles WHERE undone = 0 "
	                  "AND (?1 IS NULL AND action IN ('publish', 'install') OR action = ?1)",
	                  action);
}

/* Insert a row of the log (inside the caller's transaction); its id into *id. */
static int log_row(store *db, const char *action, long version, const char *digest, const char *forms_dir,
                   const char *login, int64_t *id, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt = st_prepare(db, "INSERT INTO forms_bundles(action, version, digest, forms_dir, "
	                                    "at, login) VALUES (?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(stmt, 1, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, version);
	sqlite3_bind_text(stmt, 3, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, forms_dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, login, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(db, why, "journal des formulaires");
	sqlite3_reset(stmt);
	if (!rc && id)
		*id = sqlite3_last_insert_rowid(st_db_handle(db));
	if (!rc) {
		static const struct {
			const char *action, *verb;
		} verbs[] = {
		    {"publish", "publiés"}, {"install", "installés"}, {"rollback", "remis (retour arrière)"}};
		const char *verb = action;
		for (size_t i = 0; i < 3; i++)
			if (strcmp(verbs[i].action, action) == 0)
				verb = verbs[i].verb;
		char *what =
		    xasprintf("formulaires %s : version %ld, empreinte %.16s…", verb, version, digest);
		rc = st_audit(db, login, "schema", NULL, NULL, NULL, NULL, NULL, what, why);
		free(what);
	}
	return rc;
}

int store_forms_published(store *db, long version, const char *digest, const char *forms_dir,
                          const char *login, char **why)
{
	int rc = st_begin(db, why);
	if (rc)
		return rc;
	rc = log_row(db, "publish", version, digest, forms_dir, login, NULL, why);
	return finish(db, rc, why);
}

int store_forms_installed(store *db, long version, const char *digest, const char *forms_dir,
                          const bundle_files *previous, const char *login, int64_t *id, char **why)
{
	int rc = st_begin(db, why);
	if (rc)
		return rc;
	rc = log_row(db, "install", version, digest, forms_dir, login, id, why);
	sqlite3_stmt *stmt =
	    st_prepare(db, "INSERT INTO forms_previous(bundle_id, name, content) VALUES (?, ?, ?)");
	for (size_t i = 0; !rc && i < previous->n; i++) {
		sqlite3_bind_int64(stmt, 1, *id);
		sqlite3_bind_text(stmt, 2, previous->v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(stmt, 3, previous->v[i].data, (int)previous->v[i].size, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(db, why, "formulaires remplacés");
		sqlite3_reset(stmt);
	}
	return finish(db, rc, why);
}

int store_forms_install_forget(store *db, int64_t id, char **why)
{
	int rc = st_begin(db, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt = st_prepare(db, "DELETE FROM forms_bundles WHERE id = ? AND action = 'install'");
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(db, why, "journal des formulaires");
	sqlite3_reset(stmt);
	return finish(db, rc, why);
}

int store_forms_last_install(store *db, forms_bundle_row *row, bundle_files *previous, char **why)
{
	memset(row, 0, sizeof *row);
	sqlite3_stmt *stmt =
	    st_prepare(db, "SELECT id, version, digest, forms_dir, at, login FROM forms_bundles "
	                   "WHERE action = 'install' AND undone = 0 ORDER BY id DESC LIMIT 1");
	if (!stmt)
		return st_fail(db, why, "journal des formulaires");
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		sqlite3_reset(stmt);
		set_why(why, "aucune installation de formulaires à annuler");
		return EXIT_NOINPUT;
	}
	row->id = sqlite3_column_int64(stmt, 0);
	row->version = (long)sqlite3_column_int64(stmt, 1);
	snprintf(row->digest, sizeof row->digest, "%s", st_col_text(stmt, 2));
	snprintf(row->forms_dir, sizeof row->forms_dir, "%s", st_col_text(stmt, 3));
	snprintf(row->at, sizeof row->at, "%s", st_col_text(stmt, 4));
	snprintf(row->login, sizeof row->login, "%s", st_col_text(stmt, 5));
	sqlite3_reset(stmt);
	stmt = st_prepare(db, "SELECT name, content FROM forms_previous WHERE bundle_id = ? ORDER BY name");
	sqlite3_bind_int64(stmt, 1, row->id);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		bundle_files_add(previous, st_col_text(stmt, 0), sqlite3_column_blob(stmt, 1),
		                 (size_t)sqlite3_column_bytes(stmt, 1), NULL);
	sqlite3_reset(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(db, why, "formulaires remplacés");
}

/* The forms put back may be older than those the database has seen: bring form_versions down to
 * them, unless entries were saved in a newer version (those could not be read back). */
static int lower_versions(store *db, const formset *fs, char **why)
{
	sqlite3_stmt *count =
	    st_prepare(db, "SELECT count(*) FROM entries WHERE form = ? AND form_version > ?");
	sqlite3_stmt *lower =
	    st_prepare(db, "UPDATE form_versions SET version = ?2 WHERE form = ?1 AND version > ?2");
	int rc = 0;
	for (size_t i = 0; !rc && i < fs->n_forms; i++) {
		const form *f = fs->forms[i];
		sqlite3_bind_text(count, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(count, 2, f->version);
		long long n = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : -1;
		sqlite3_reset(count);
		if (n != 0) {
			if (n < 0)
				return st_fail(db, why, "versions des formulaires");
			set_why(why,
			        "%lld saisie(s) de « %s » faite(s) avec une version plus récente que la %d : "
			        "retour "
			        "arrière impossible sans les perdre",
			        n, f->id, f->version);
			return EXIT_DATAERR;
		}
		sqlite3_bind_text(lower, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(lower, 2, f->version);
		rc = sqlite3_step(lower) == SQLITE_DONE ? 0 : st_fail(db, why, "versions des formulaires");
		sqlite3_reset(lower);
	}
	return rc;
}

int store_forms_rolled_back(store *db, int64_t install_id, long version, const char *digest,
                            const char *forms_dir, const formset *fs, const char *login, char **why)
{
	int rc = st_begin(db, why);
	if (rc)
		return rc;
	rc = lower_versions(db, fs, why);
	if (!rc) {
		sqlite3_stmt *stmt = st_prepare(db, "UPDATE forms_bundles SET undone = 1 WHERE id = ?");
		sqlite3_bind_int64(stmt, 1, install_id);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(db, why, "journal des formulaires");
		sqlite3_reset(stmt);
	}
	if (!rc)
		rc = log_row(db, "rollback", version, digest, forms_dir, login, NULL, why);
	return finish(db, rc, why);
}
