/* purge.c — the right to erasure: a patient deleted with every row that names them, in the
 * database file and in its WAL, and an audit trail that keeps who did what but no longer what
 * was written about them.
 *
 * Why two steps: the deletion is one transaction run with secure_delete, so the pages it frees
 * or rewrites are zeroed. But SQLite writes those zeroed pages to the WAL first, and the WAL
 * still holds the older frames with the patient's values until a checkpoint copies everything
 * into the database file and truncates the WAL. A reader of another process (an export, a
 * screen being drawn) can delay that checkpoint: a row of purge_pending then says that the
 * purge is owed, and store_purge_finish, which any later process may call, completes it. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

/* What the deletion must know of each entry before it goes: the audit trail keeps its uuid,
 * form and date (the export's corrections tell the regional database from them). */
typedef struct {
	int64_t id;
	char uuid[37];
	char form[64];
	char date[11];
} gone_entry;

/* Run one statement with the patient's id as ?1 (and text as ?2 when not NULL); the number of
 * rows it changed into *changed (may be NULL). Statements here run once per erasure: prepared,
 * not cached. */
static int run(store *s, const char *sql, int64_t patient_id, const char *text, int64_t *changed, char **why)
{
	sqlite3 *db = st_db_handle(s);
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return st_fail(s, why, "effacement du patient");
	sqlite3_bind_int64(stmt, 1, patient_id);
	if (text)
		sqlite3_bind_text(stmt, 2, text, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "effacement du patient");
	sqlite3_finalize(stmt);
	if (!rc && changed)
		*changed = sqlite3_changes64(db);
	return rc;
}

/* The patient's entries, oldest first, into *out (caller frees); their count, or -1 on error. */
static long gone_entries(store *s, int64_t patient_id, gone_entry **out, char **why)
{
	sqlite3_stmt *stmt = NULL;
	*out = NULL;
	if (sqlite3_prepare_v2(st_db_handle(s),
	                       "SELECT id, uuid, form, date FROM entries WHERE patient_id = ? ORDER BY id",
	                       -1, &stmt, NULL) != SQLITE_OK) {
		st_fail(s, why, "effacement du patient, entrées");
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, patient_id);
	long n = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		*out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
		gone_entry *g = &(*out)[n++];
		g->id = sqlite3_column_int64(stmt, 0);
		snprintf(g->uuid, sizeof g->uuid, "%s", st_col_text(stmt, 1));
		snprintf(g->form, sizeof g->form, "%s", st_col_text(stmt, 2));
		snprintf(g->date, sizeof g->date, "%s", st_col_text(stmt, 3));
	}
	if (step != SQLITE_DONE) {
		st_fail(s, why, "effacement du patient, entrées");
		n = -1;
	}
	sqlite3_finalize(stmt);
	return n;
}

/* Delete the patient's rows of each per-form table their entries use. A form gone from the
 * YAML keeps its table (and the patient's values in it): those are deleted too. */
static int delete_form_rows(store *s, int64_t patient_id, const gone_entry *v, long n, char **why)
{
	int rc = 0;
	for (long i = 0; i < n && !rc; i++) {
		bool seen = false;
		for (long k = 0; k < i && !seen; k++)
			seen = strcmp(v[k].form, v[i].form) == 0;
		if (seen)
			continue;
		strbuf table = STRBUF_INIT;
		strbuf_puts(&table, "form_");
		strbuf_puts(&table, v[i].form);
		sqlite3_stmt *stmt = NULL;
		bool exists = false;
		if (sqlite3_prepare_v2(st_db_handle(s),
		                       "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", -1,
		                       &stmt, NULL) == SQLITE_OK) {
			sqlite3_bind_text(stmt, 1, strbuf_str(&table), -1, SQLITE_STATIC);
			exists = sqlite3_step(stmt) == SQLITE_ROW;
		}
		sqlite3_finalize(stmt);
		if (exists) {
			strbuf sql = STRBUF_INIT;
			strbuf_puts(&sql, "DELETE FROM \"");
			for (const char *p = strbuf_str(&table); *p; p++) {
				if (*p == '"')
					strbuf_putc(&sql, '"');
				strbuf_putc(&sql, *p);
			}
			strbuf_puts(&sql,
			            "\" WHERE entry_id IN (SELECT id FROM entries WHERE patient_id = ?1)");
			rc = run(s, strbuf_str(&sql), patient_id, NULL, NULL, why);
			strbuf_done(&sql);
		}
		strbuf_done(&table);
	}
	return rc;
}

/* Blank the values of the earlier audit lines about the patient. The lines stay (who created,
 * changed or deleted which entry, which field, when); their values go, identity or not: what
 * was recorded about a person is theirs to have erased. The entry-level deletion lines keep
 * the entry's date, which the export needs to report the deletion. */
static int scrub_audit(store *s, int64_t patient_id, const char *pseudo, int64_t *scrubbed, char **why)
{
	return run(s,
	           "UPDATE audit_log SET "
	           "old_value = CASE WHEN old_value IS NULL THEN NULL ELSE '(effacé)' END, "
	           "new_value = CASE WHEN new_value IS NULL THEN NULL ELSE '(effacé)' END "
	           "WHERE action IN ('create', 'update', 'delete') "
	           "AND NOT (action = 'delete' AND field IS NULL) "
	           "AND ((old_value IS NOT NULL AND old_value <> '(effacé)') "
	           "OR (new_value IS NOT NULL AND new_value <> '(effacé)')) AND " ST_PATIENT_AUDIT_ROWS,
	           patient_id, pseudo, scrubbed, why);
}

/* In a regional database, a patient imported from a structure: remember their entries as
 * deleted, so that an archive of that structure imported later does not bring them back. */
static int remember_deleted(store *s, const char *structure, const gone_entry *v, long n, const char *now,
                            char **why)
{
	char own[64] = "";
	store_structure(s, own, NULL);
	if (strcmp(own, structure) == 0)
		return 0;
	sqlite3_stmt *stmt = st_prepare(s, "INSERT OR IGNORE INTO import_deleted(uuid, structure, export_id, "
	                                   "deleted_at) VALUES (?, ?, 'effacement', ?)");
	if (!stmt)
		return st_fail(s, why, "effacement du patient, entrées importées");
	int rc = 0;
	for (long i = 0; i < n && !rc; i++) {
		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, v[i].uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, structure, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "effacement du patient, entrées importées");
	}
	sqlite3_reset(stmt);
	return rc;
}

/* reason: why the patient is erased, for the trail ("droit à l'effacement"). */
static int erase_in_transaction(store *s, int64_t patient_id, const char *pseudo, const char *structure,
                                const char *reason, const char *login, patient_erasure *out, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	gone_entry *v = NULL;
	long n = gone_entries(s, patient_id, &v, why);
	if (n < 0)
		return EXIT_SOFTWARE;
	out->entries = n;
	int rc = scrub_audit(s, patient_id, pseudo, &out->audit_scrubbed, why);
	if (!rc)
		rc = remember_deleted(s, structure, v, n, now, why);
	/* One deletion line per entry, as "entry delete" writes it but without the values. */
	for (long i = 0; i < n && !rc; i++)
		rc = st_audit(s, login, "delete", v[i].uuid, pseudo, v[i].form, NULL, v[i].date, NULL, why);
	if (!rc)
		rc = run(
		    s, "DELETE FROM alerts WHERE entry_id IN (SELECT id FROM entries WHERE patient_id = ?1)",
		    patient_id, NULL, &out->alerts, why);
	if (!rc)
		rc = run(s,
		         "DELETE FROM drafts WHERE patient_id = ?1 OR entry_uuid IN "
		         "(SELECT uuid FROM entries WHERE patient_id = ?1)",
		         patient_id, NULL, &out->drafts, why);
	if (!rc)
		rc = run(s,
		         "DELETE FROM entry_missing WHERE entry_id IN "
		         "(SELECT id FROM entries WHERE patient_id = ?1)",
		         patient_id, NULL, NULL, why);
	if (!rc)
		rc = run(s,
		         "DELETE FROM entry_confirmations WHERE entry_id IN "
		         "(SELECT id FROM entries WHERE patient_id = ?1)",
		         patient_id, NULL, NULL, why);
	if (!rc)
		rc = delete_form_rows(s, patient_id, v, n, why);
	if (!rc)
		rc = run(s, "DELETE FROM entries WHERE patient_id = ?1", patient_id, NULL, NULL, why);
	if (!rc)
		rc = run(s, "DELETE FROM patients WHERE id = ?1", patient_id, NULL, NULL, why);
	if (!rc) {
		char *what = xasprintf("effacement (%s) : %lld entrée(s), %lld alerte(s), "
		                       "%lld brouillon(s) ; %lld ligne(s) du journal expurgée(s)",
		                       reason, (long long)out->entries, (long long)out->alerts,
		                       (long long)out->drafts, (long long)out->audit_scrubbed);
		rc = st_audit(s, login, "patient", NULL, pseudo, NULL, NULL, NULL, what, why);
		free(what);
	}
	if (!rc)
		rc = run(s, "INSERT INTO purge_pending(requested_at) VALUES (?2)", 0, now, NULL, why);
	free(v);
	return rc;
}

/* Whether the patient, whose last day of care is last, is still past the retention period
 * (cutoff: reporting_retention_cutoff); when not, *why says so. Inside the erasure's transaction,
 * so that an entry added since the list was made keeps the patient. */
static int still_expired(const char *pseudo, const char *last, long cutoff, char **why)
{
	long day;
	if (date_parse(last, &day) && day < cutoff)
		return 0;
	set_why(why,
	        "patient %s : une entrée datée du %s a été enregistrée entre-temps, la durée de "
	        "conservation n'est plus dépassée : rien n'a été effacé",
	        pseudo, last);
	return EXIT_TEMPFAIL;
}

/* store_patient_erase, and store_patient_erase_expired when cutoff >= 0. */
static int erase(store *s, int64_t patient_id, long cutoff, const char *login, patient_erasure *out,
                 char **why)
{
	patient_erasure counts = {0};
	sqlite3 *db = st_db_handle(s);
	if (!sqlite3_get_autocommit(db)) {
		set_why(why, "effacement du patient : impossible à l'intérieur d'une autre transaction");
		return EXIT_SOFTWARE;
	}
	/* Zero what the deletion frees, whatever the build's default; the setting is the
	 * connection's and comes back afterwards. */
	int old_secure = 1;
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, "PRAGMA secure_delete", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		old_secure = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	if (sqlite3_exec(db, "PRAGMA secure_delete = ON", NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(s, why, "effacement du patient, secure_delete");
	int rc = st_begin(s, why);
	char pseudo[16] = "", structure[64] = "";
	if (!rc) {
		stmt = st_prepare(s, "SELECT pseudonym, structure FROM patients WHERE id = ?");
		if (!stmt) {
			rc = st_fail(s, why, "effacement du patient");
		} else {
			sqlite3_bind_int64(stmt, 1, patient_id);
			if (sqlite3_step(stmt) == SQLITE_ROW) {
				snprintf(pseudo, sizeof pseudo, "%s", st_col_text(stmt, 0));
				snprintf(structure, sizeof structure, "%s", st_col_text(stmt, 1));
			} else {
				set_why(why, "patient introuvable (déjà effacé ?)");
				rc = EXIT_NOINPUT;
			}
			sqlite3_reset(stmt);
		}
		char last[11] = "", *reason = NULL;
		if (!rc && cutoff >= 0) {
			st_patient_last_day(s, patient_id, last);
			rc = still_expired(pseudo, last, cutoff, why);
			reason = xasprintf("durée de conservation dépassée, dernière entrée le %s", last);
		}
		if (!rc)
			rc = erase_in_transaction(s, patient_id, pseudo, structure,
			                          reason ? reason : "droit à l'effacement", login, &counts,
			                          why);
		free(reason);
		if (rc)
			st_rollback(s);
		else
			rc = st_commit(s, why);
	}
	if (!rc)
		counts.purged = store_purge_finish(s);
	char sql[48];
	snprintf(sql, sizeof sql, "PRAGMA secure_delete = %d", old_secure);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (out)
		*out = counts;
	return rc;
}

int store_patient_erase(store *s, int64_t patient_id, const char *login, patient_erasure *out, char **why)
{
	return erase(s, patient_id, -1, login, out, why);
}

int store_patient_erase_expired(store *s, int64_t patient_id, long cutoff, const char *login,
                                patient_erasure *out, char **why)
{
	if (cutoff < 0) {
		set_why(why, "aucune durée de conservation fixée (retention: de reporting.yaml)");
		return EXIT_USAGE;
	}
	return erase(s, patient_id, cutoff, login, out, why);
}

static int64_t pending_purges(store *s)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT count(*) FROM purge_pending");
	if (!stmt)
		return 0; /* no such table: nothing was ever owed */
	int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	return n;
}

bool store_purge_pending(store *s)
{
	return pending_purges(s) > 0;
}

bool store_purge_finish(store *s)
{
	sqlite3 *db = st_db_handle(s);
	if (pending_purges(s) == 0)
		return true;
	if (!sqlite3_get_autocommit(db))
		return false;
	/* TRUNCATE waits (busy handler, the connection's busy timeout) for the writer and for the
	 * readers of older snapshots, copies every frame into the database file, then empties the
	 * WAL. SQLITE_BUSY: a reader still needed the old frames; they stay until a later call. */
	if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
		return false;
	/* Nothing owed any more. Removing the marker goes through the WAL again (a page of the
	 * small purge_pending table, nothing about anybody): empty it once more, best effort. */
	sqlite3_exec(db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
	char *why = NULL;
	bool done = st_begin(s, &why) == 0;
	if (done && sqlite3_exec(db, "DELETE FROM purge_pending", NULL, NULL, NULL) != SQLITE_OK) {
		st_rollback(s);
		done = false;
	}
	if (done && st_commit(s, &why) != 0)
		done = false;
	free(why);
	if (done)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	/* The purge itself is complete even when the marker could not go: the next call will
	 * checkpoint again, which costs nothing more than that. */
	return true;
}

/* A Crockford symbol as a person may type it: lower case, O for 0, I or L for 1. */
static char crockford_typed(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		return '0';
	if (c == 'I' || c == 'L')
		return '1';
	return c;
}

bool pseudonym_confirms(const char *typed, const char *pseudo)
{
	if (!typed || !pseudo || !*pseudo)
		return false;
	const char *p = pseudo;
	for (; *typed; typed++) {
		if (*typed == '-' || *typed == ' ')
			continue;
		if (!*p || crockford_typed(*typed) != *p)
			return false;
		p++;
	}
	return *p == '\0';
}
