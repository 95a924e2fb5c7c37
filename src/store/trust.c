/* trust.c — what makes archives prove where they come from, on the database's side: the
 * database's own signing key pair (made at init, or at the first opening of a database of an
 * older version), whether it is a regional database, and the structures a regional database has
 * enrolled with their public keys (schema/010_trust.sql). */
#include <stdlib.h>
#include <string.h>

#include "core/keymem.h"
#include "core/minisign.h"
#include "core/util.h"
#include "store/store_internal.h"

/* A new key pair stored as the database's, with its audit line. Inside the caller's
 * transaction. */
int st_signing_key_create(store *s, const char *login, char **why)
{
	minisign_seckey *sk = minisign_keygen(why);
	if (!sk)
		return EXIT_SOFTWARE;
	minisign_pubkey pk;
	minisign_seckey_pubkey(sk, &pk);
	unsigned char *blob = keymem_new(MINISIGN_SECKEY_BLOB_SIZE);
	minisign_seckey_blob(sk, blob);
	minisign_seckey_free(sk);
	char b64[MINISIGN_PUBKEY_B64_LEN + 1], keyid[MINISIGN_KEYID_HEX_LEN + 1], now[32];
	minisign_pubkey_base64(&pk, b64);
	minisign_keyid_hex(pk.keyid, keyid);
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt =
	    st_prepare(s, "INSERT INTO signing_key(id, secret_key, public_key, key_id, created_at) "
	                  "VALUES (1, ?, ?, ?, ?)");
	int rc = 0;
	if (!stmt) {
		rc = st_fail(s, why, "clé de signature");
	} else {
		sqlite3_bind_blob(stmt, 1, blob, MINISIGN_SECKEY_BLOB_SIZE, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, b64, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, keyid, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "clé de signature");
		sqlite3_reset(stmt);
		sqlite3_clear_bindings(stmt); /* no pointer to the secret left in the statement */
	}
	keymem_free(blob);
	if (!rc)
		rc = st_audit(s, login, "init", NULL, NULL, NULL, "clé de signature", NULL, keyid, why);
	return rc;
}

/* Whether the database has a structure and no key yet (one read). */
static bool key_missing(store *s)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT EXISTS (SELECT 1 FROM structure) AND "
	                                   "NOT EXISTS (SELECT 1 FROM signing_key)");
	bool missing = stmt && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
	if (stmt)
		sqlite3_reset(stmt);
	return missing;
}

int st_signing_key_ensure(store *s, char **why)
{
	if (!key_missing(s))
		return 0;
	/* Under the write lock, and checked again there: two programs opening the database at the
	 * same moment make one key between them. */
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	if (key_missing(s) && (rc = st_signing_key_create(s, "(mise à jour)", why))) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

minisign_seckey *store_signing_key(store *s, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT secret_key FROM signing_key WHERE id = 1");
	if (!stmt || sqlite3_step(stmt) != SQLITE_ROW) {
		if (stmt)
			sqlite3_reset(stmt);
		set_why(why, "cette base n'a pas de clé de signature (la créer avec « recueil init »)");
		return NULL;
	}
	const void *blob = sqlite3_column_blob(stmt, 0);
	size_t n = (size_t)sqlite3_column_bytes(stmt, 0);
	char *inner = NULL;
	minisign_seckey *sk = blob ? minisign_seckey_from_blob(blob, n, &inner) : NULL;
	sqlite3_reset(stmt); /* SQLite frees its copy of the blob; pages of the file are not ours to wipe */
	if (!sk) {
		set_why(why, "clé de signature de la base illisible (%s) : restaurer la dernière sauvegarde",
		        inner ? inner : "vide");
		free(inner);
	}
	return sk;
}

int store_signing_pubkey(store *s, minisign_pubkey *out, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT public_key FROM signing_key WHERE id = 1");
	bool found = stmt && sqlite3_step(stmt) == SQLITE_ROW;
	bool ok = found && minisign_pubkey_parse(st_col_text(stmt, 0), out, NULL);
	if (stmt)
		sqlite3_reset(stmt);
	if (!ok) {
		set_why(why, found
		                 ? "clé publique de la base illisible : restaurer la dernière sauvegarde"
		                 : "cette base n'a pas de clé de signature (la créer avec « recueil init »)");
		return found ? EXIT_DATAERR : EXIT_NOINPUT;
	}
	return 0;
}

int store_refuse_in_region(store *s, const char *what, char **why)
{
	if (!store_is_region(s))
		return 0;
	set_why(why,
	        "%s : refusé dans une base régionale, qui ne reçoit que les archives des structures "
	        "(recueil import) ; les patients et leurs saisies s'enregistrent dans la base de leur "
	        "structure",
	        what);
	return EXIT_USAGE;
}

bool store_enrolled_key(store *s, const char *code, minisign_pubkey *out)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT public_key FROM enrolled_structures WHERE code = ?");
	if (!stmt)
		return false;
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	bool found =
	    sqlite3_step(stmt) == SQLITE_ROW && minisign_pubkey_parse(st_col_text(stmt, 0), out, NULL);
	sqlite3_reset(stmt);
	return found;
}

/* Record the enrolment in the table and the audit trail; inside the caller's transaction. */
static int write_enrolment(store *s, const char *code, const char *b64, const char *keyid, bool replacing,
                           const char *old_keyid, const char *login, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	sqlite3_stmt *stmt = st_prepare(
	    s, replacing ? "UPDATE enrolled_structures SET public_key = ?2, key_id = ?3, "
	                   "enrolled_by = ?5, replaced_at = ?4 WHERE code = ?1"
	                 : "INSERT INTO enrolled_structures(code, public_key, key_id, enrolled_at, "
	                   "enrolled_by) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (!stmt)
		return st_fail(s, why, "inscription de la structure");
	const char *vals[] = {code, b64, keyid, now, login};
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(stmt, i + 1, vals[i], -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "inscription de la structure");
	sqlite3_reset(stmt);
	if (rc)
		return rc;
	char *what = xasprintf("structure %s", code);
	char *old = replacing ? xasprintf("clé %s", old_keyid) : NULL;
	char *new_value = xasprintf("clé %s", keyid);
	rc = st_audit(s, login, "user", NULL, NULL, NULL, what, old, new_value, why);
	free(what);
	free(old);
	free(new_value);
	return rc;
}

int store_enrol(store *s, const char *code, const minisign_pubkey *pk, bool replace, const char *login,
                enrol_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	if (!store_is_region(s)) {
		set_why(why,
		        "cette base est celle d'une structure : les structures s'inscrivent dans la base "
		        "régionale qui importe leurs archives (créée par « recueil init --region CODE »)");
		return EXIT_USAGE;
	}
	char b64[MINISIGN_PUBKEY_B64_LEN + 1], keyid[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_pubkey_base64(pk, b64);
	minisign_keyid_hex(pk->keyid, keyid);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT public_key, key_id FROM enrolled_structures WHERE code = ?");
	if (!stmt) {
		rc = st_fail(s, why, "structures inscrites");
		st_rollback(s);
		return rc;
	}
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	bool known = sqlite3_step(stmt) == SQLITE_ROW;
	bool same = known && strcmp(st_col_text(stmt, 0), b64) == 0;
	if (known)
		snprintf(res->old_key_id, sizeof res->old_key_id, "%s", st_col_text(stmt, 1));
	sqlite3_reset(stmt);
	if (same) {
		res->unchanged = true;
		st_rollback(s);
		return 0;
	}
	if (known && !replace) {
		set_why(why,
		        "structure %s déjà inscrite avec une autre clé (%s) : si elle a changé de machine, "
		        "comparer par téléphone l'empreinte de sa nouvelle clé, puis relancer avec --replace",
		        code, res->old_key_id);
		st_rollback(s);
		return EXIT_DATAERR;
	}
	rc = write_enrolment(s, code, b64, keyid, known, res->old_key_id, login, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	res->added = !known;
	res->replaced = known;
	return st_commit(s, why);
}
