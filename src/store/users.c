/* users.c — the structure (or region) this database belongs to, its users and their roles,
 * and the audit trail's writer. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

int st_audit(store *s, const char *login, const char *action, const char *uuid, const char *pseudo,
             const char *form_id, const char *fieldname, const char *old_value, const char *new_value,
             char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt =
	    st_prepare(s, "INSERT INTO audit_log(at, login, action, entry_uuid, pseudonym, form, field, "
	                  "old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	/* An entry of the structure's own forms has no patient: no pseudonym rather than "". */
	const char *vals[] = {now,     login,     action,    uuid,     pseudo && *pseudo ? pseudo : NULL,
	                      form_id, fieldname, old_value, new_value};
	for (int i = 0; i < 9; i++)
		sqlite3_bind_text(stmt, i + 1, vals[i], -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des modifications");
	sqlite3_reset(stmt);
	return rc;
}

/* Register the structure or region, its first admin and its signing key, all at once. */
static int init_database(store *s, const char *code, const char *name, const char *kind, const char *login,
                         char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt = st_prepare(s, "SELECT code FROM structure WHERE id = 1");
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		set_why(why, "base déjà initialisée pour la structure %s",
		        (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_reset(stmt);
		st_rollback(s);
		return EXIT_CANTCREAT;
	}
	sqlite3_reset(stmt);
	stmt =
	    st_prepare(s, "INSERT INTO structure(id, code, name, created_at, kind) VALUES (1, ?, ?, ?, ?)");
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "structure");
	sqlite3_reset(stmt);
	if (!rc) {
		stmt = st_prepare(
		    s, "INSERT INTO users(login, role, created_at, created_by) VALUES (?, 'admin', ?, ?) "
		       "ON CONFLICT(login) DO UPDATE SET role = 'admin'");
		sqlite3_bind_text(stmt, 1, login, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, login, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "utilisateur");
		sqlite3_reset(stmt);
	}
	if (!rc)
		rc = st_audit(s, login, "init", NULL, NULL, NULL,
		              strcmp(kind, "region") == 0 ? "région" : NULL, NULL, code, why);
	if (!rc)
		rc = st_signing_key_create(s, login, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

int store_init_structure(store *s, const char *code, const char *name, const char *login, char **why)
{
	return init_database(s, code, name, "structure", login, why);
}

int store_init_region(store *s, const char *code, const char *name, const char *login, char **why)
{
	return init_database(s, code, name, "region", login, why);
}

bool store_structure(store *s, char code[64], char name[256])
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT code, name FROM structure WHERE id = 1");
	bool found = stmt && sqlite3_step(stmt) == SQLITE_ROW;
	if (found) {
		if (code)
			snprintf(code, 64, "%s", (const char *)sqlite3_column_text(stmt, 0));
		if (name)
			snprintf(name, 256, "%s", (const char *)sqlite3_column_text(stmt, 1));
	}
	if (stmt)
		sqlite3_reset(stmt);
	return found;
}

bool store_user_role(store *s, const char *login, char role[16])
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT role FROM users WHERE login = ?");
	if (!stmt)
		return false;
	sqlite3_bind_text(stmt, 1, login, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		snprintf(role, 16, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return found;
}

int store_user_add(store *s, const char *login, const char *role, const char *display_name, const char *by,
                   char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	/* The old role goes to the audit trail ("saisie → admin", not "(vide) → admin"). */
	char old_role[16] = "";
	bool known = store_user_role(s, login, old_role);
	if (known && strcmp(old_role, "admin") == 0 && strcmp(role, "admin") != 0) {
		sqlite3_stmt *n = st_prepare(s, "SELECT count(*) FROM users WHERE role = 'admin'");
		int admins = n && sqlite3_step(n) == SQLITE_ROW ? sqlite3_column_int(n, 0) : 0;
		if (n)
			sqlite3_reset(n);
		if (admins <= 1) {
			set_why(
			    why,
			    "%s est le seul administrateur : inscrire d'abord un autre administrateur, sans "
			    "quoi plus personne ne pourrait gérer les utilisateurs",
			    login);
			st_rollback(s);
			return EXIT_DATAERR;
		}
	}
	sqlite3_stmt *stmt =
	    st_prepare(s, "INSERT INTO users(login, display_name, role, created_at, created_by) "
	                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT(login) DO UPDATE SET role = excluded.role, "
	                  "display_name = CASE WHEN excluded.display_name = '' THEN display_name "
	                  "ELSE excluded.display_name END");
	sqlite3_bind_text(stmt, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, display_name ? display_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "ajout de l'utilisateur");
	sqlite3_reset(stmt);
	if (!rc)
		rc = st_audit(s, by, "user", NULL, NULL, NULL, login, known ? old_role : NULL, role, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

int store_user_list(store *s, FILE *out, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT login, role, display_name FROM users ORDER BY login");
	if (!stmt)
		return st_fail(s, why, "liste des utilisateurs");
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++) {
			fputs_safe((const char *)sqlite3_column_text(stmt, i), out);
			fputc(i < 2 ? '\t' : '\n', out);
		}
	}
	sqlite3_reset(stmt);
	return 0;
}

char *store_admins(store *s)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	sqlite3_stmt *stmt = st_prepare(s, "SELECT login FROM users WHERE role = 'admin' ORDER BY login");
	while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
		strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", (const char *)sqlite3_column_text(stmt, 0));
	if (stmt)
		sqlite3_reset(stmt);
	return strbuf_take(&sb);
}
