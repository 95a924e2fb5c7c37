/* store_internal.h — helpers shared by the store's files; not for use outside src/store/. */
#ifndef RECUEIL_STORE_INTERNAL_H
#define RECUEIL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store/store.h"

/* A cached prepared statement for sql, reset and unbound; NULL if it does not prepare.
 * Borrowed: valid until the schema changes (store_sync_forms) or the store closes. */
sqlite3_stmt *st_prepare(store *s, const char *sql);
/* Finalize every cached statement (after a schema change: they were prepared against the old
 * tables). */
void st_forget_statements(store *s);
/* The text of a result column, "" for NULL (borrowed: valid until the statement moves on). */
const char *st_col_text(sqlite3_stmt *stmt, int col);
/* Append s to sb as an SQL identifier (q = '"') or string literal (q = '\''), quotes doubled. */
void st_sql_quoted(strbuf *sb, const char *s, char q);
/* Map the connection's last error to an exit code and set *why to "what : message". */
int st_fail(store *s, char **why, const char *what);
/* Run sql (one or more statements without results); 0, or st_fail's code with *why. */
int st_exec(store *s, const char *sql, char **why, const char *what);
int st_begin(store *s, char **why);  /* BEGIN IMMEDIATE */
int st_commit(store *s, char **why); /* COMMIT, rolling back if it fails */
void st_rollback(store *s);
int st_audit(store *s, const char *login, const char *action, const char *uuid, const char *pseudo,
             const char *form_id, const char *fieldname, const char *old_value, const char *new_value,
             char **why);
sqlite3 *st_db_handle(store *s);
/* The lines of the audit trail about one patient (?1 their id, ?2 their pseudonym): those of
 * their entries, and those naming their pseudonym that are not about an entry of another
 * patient (a regional database may hold the same pseudonym for two structures). */
#define ST_PATIENT_AUDIT_ROWS                                                                                \
	"(entry_uuid IN (SELECT uuid FROM entries WHERE patient_id = ?1) OR (pseudonym = ?2 AND "            \
	"NOT EXISTS (SELECT 1 FROM entries e WHERE e.uuid = audit_log.entry_uuid AND e.patient_id "          \
	"<> ?1)))"
/* A patient's last day of care (their last entry's date, or their creation day without any) into
 * last; false when there is no such patient. */
bool st_patient_last_day(store *s, int64_t patient_id, char last[11]);
/* Raise the alerts whose rule holds for the saved record and drop the open ones that no
 * longer hold (acknowledged ones stay as history). An acknowledged alert is raised again when
 * before (the entry as it was stored before this save; NULL: no comparison) shows the rule not
 * holding, or a value it reads lower (a worsening). meta->alert_raised gets the id of an alert
 * raised by this save, 0 if none. Inside the save's transaction. */
int st_sync_alerts(store *s, const record *r, entry_meta *meta, const record *before, const char *login,
                   char **why);
/* Recompute and store the calculated values and alerts of the entries of form f (of one
 * patient, or of all when patient_id is 0), with the patient's record when given. Inside the
 * caller's transaction. */
int st_recompute(store *s, const formset *fs, const form *f, int64_t patient_id, const record *patient,
                 const char *login, char **why);
/* Between an import's first and last archive (store_import_open … store_import_close): a large
 * cache kept from one batch to the next, and fewer WAL checkpoints; on false, the usual ones. */
void st_import_mode(store *s, bool on);
/* A new signing key pair for the database, stored with its audit line; inside the caller's
 * transaction (trust.c). */
int st_signing_key_create(store *s, const char *login, char **why);
/* Give a database that has a structure and no signing key one, under the write lock: a database
 * made by an older version, at its first opening after the migration. */
int st_signing_key_ensure(store *s, char **why);
/* The SQL storage type of a field, or NULL for notes. */
const char *st_field_sql_type(const field *fd);

#endif
