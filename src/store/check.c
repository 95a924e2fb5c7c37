/* check.c — recueil check: is this database whole? Integrity, foreign keys, schema version and
 * the agreement between the per-form tables, the entries and the forms. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

/* Run a check query whose rows are problems; print each through report(). Returns the count. */
static int64_t problems(store *s, const char *sql, const char *label, FILE *out)
{
	sqlite3_stmt *stmt = NULL;
	int64_t n = 0;
	if (sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) != SQLITE_OK) {
		fprintf(out, "ÉCHEC  %s : %s\n", label, sqlite3_errmsg(st_db_handle(s)));
		return 1;
	}
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *row = (const char *)sqlite3_column_text(stmt, 0);
		if (row && strcmp(row, "ok") == 0)
			continue;
		if (n < 20) {
			fprintf(out, "ÉCHEC  %s : ", label);
			for (int c = 0; c < sqlite3_column_count(stmt); c++) {
				const char *v = (const char *)sqlite3_column_text(stmt, c);
				fprintf(out, "%s%s", c ? " " : "", v ? v : "NULL");
			}
			fputc('\n', out);
		}
		n++;
	}
	sqlite3_finalize(stmt);
	return n;
}

static int64_t check_form_tables(store *s, const formset *fs, FILE *out)
{
	int64_t n = 0;
	for (size_t i = 0; i < fs->n_forms; i++) {
		const form *f = fs->forms[i];
		char label[128];
		snprintf(label, sizeof label, "formulaire %s", f->id);
		char *sql = xasprintf(
		    "SELECT 'entrée sans ligne de valeurs', e.uuid FROM entries e "
		    "LEFT JOIN \"form_%s\" t ON t.entry_id = e.id WHERE e.form = '%s' AND t.entry_id IS NULL "
		    "UNION ALL SELECT 'valeurs sans entrée', t.entry_id FROM \"form_%s\" t "
		    "LEFT JOIN entries e ON e.id = t.entry_id WHERE e.id IS NULL OR e.form != '%s'",
		    f->id, f->id, f->id, f->id);
		n += problems(s, sql, label, out);
		free(sql);
		/* Every column the forms need exists, with the type recorded for it. */
		sql =
		    xasprintf("SELECT 'colonne absente', c.field FROM form_columns c WHERE c.form = '%s' AND "
		              "c.field NOT IN (SELECT name FROM pragma_table_info('form_%s'))",
		              f->id, f->id);
		n += problems(s, sql, label, out);
		free(sql);
	}
	n += problems(s,
	              "SELECT 'entrée d''un formulaire inconnu', form, count(*) FROM entries "
	              "WHERE form NOT IN (SELECT form FROM form_versions) GROUP BY form",
	              "entrées", out);
	return n;
}

int store_check(store *s, const formset *fs, FILE *out)
{
	int64_t n = 0, k;
	k = problems(s, "PRAGMA integrity_check", "intégrité", out);
	fprintf(out, "%s  intégrité du fichier (PRAGMA integrity_check)\n", k ? "ÉCHEC" : "ok   ");
	n += k;
	k = problems(s, "PRAGMA foreign_key_check", "clés étrangères", out);
	fprintf(out, "%s  références entre tables (PRAGMA foreign_key_check)\n", k ? "ÉCHEC" : "ok   ");
	n += k;
	bool ok;
	sqlite3_stmt *stmt = NULL;
	int64_t version = -1;
	if (sqlite3_prepare_v2(st_db_handle(s), "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	ok = version == store_schema_version();
	fprintf(out, "%s  version du schéma %lld (ce programme : %d)\n", ok ? "ok   " : "ÉCHEC",
	        (long long)version, store_schema_version());
	n += !ok;
	k = check_form_tables(s, fs, out);
	fprintf(out, "%s  tables des formulaires et entrées concordantes\n", k ? "ÉCHEC" : "ok   ");
	n += k;
	/* An erasure whose WAL purge was postponed by a reader: finish it now if the readers are
	 * gone. Informational: the deletion itself is saved either way. */
	if (store_purge_pending(s))
		fprintf(out, "%s  purge physique des patients effacés\n",
		        store_purge_finish(s) ? "ok   " : "en attente (un autre utilisateur lit la base)");
	return n ? EXIT_DATAERR : 0;
}
