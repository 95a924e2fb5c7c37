/* import_write.c — the writes of an import into a regional database: one archive in one
 * transaction (or a savepoint of a batch), its patients found or created, each entry inserted or
 * replaced by a newer row version, the deletions its manifest lists, and the import log. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

/* Pseudonym → patient id of the archive's structure, so that a row costs no patient query. */
typedef struct {
	char key[16];
	int64_t id;
} patient_slot;

/* The statements of every row, prepared once (st_prepare's cache keeps them from one archive to
 * the next) and held for the archive: no lookup in the cache per row. */
enum {
	Q_FIND_ENTRY,
	Q_ADD_ENTRY,
	Q_UPDATE_ENTRY,
	Q_DEL_MISSING,
	Q_ADD_MISSING,
	Q_DELETED,
	Q_FIND_PATIENT,
	Q_ADD_PATIENT,
	Q_COUNT
};

static const char *const import_sql[Q_COUNT] = {
    [Q_FIND_ENTRY] = "SELECT e.id, e.row_version, e.form, p.structure FROM entries e "
                     "JOIN patients p ON p.id = e.patient_id WHERE e.uuid = ?",
    /* New entries are the common case: one probe of the uuid index, not a lookup then an insert. */
    [Q_ADD_ENTRY] = "INSERT INTO entries(uuid, patient_id, form, form_version, date, status, author, "
                    "created_at, updated_at, row_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(uuid) DO NOTHING",
    [Q_UPDATE_ENTRY] = "UPDATE entries SET patient_id = ?, form_version = ?, date = ?, status = ?, "
                       "updated_at = ?, row_version = ? WHERE id = ?",
    [Q_DEL_MISSING] = "DELETE FROM entry_missing WHERE entry_id = ?",
    [Q_ADD_MISSING] = "INSERT INTO entry_missing(entry_id, field, code) VALUES (?, ?, ?)",
    [Q_DELETED] = "SELECT 1 FROM import_deleted WHERE uuid = ?",
    [Q_FIND_PATIENT] = "SELECT id FROM patients WHERE pseudonym = ? AND structure = ?",
    [Q_ADD_PATIENT] =
        "INSERT INTO patients(pseudonym, structure, created_at, created_by) VALUES (?, ?, ?, ?)",
};

struct store_import {
	store *s;
	sqlite3_stmt *q[Q_COUNT];
	import_source src; /* strings copied into text */
	char *text[8];
	char login[64];
	char now[32];
	char seq_text[32];
	import_counts counts;
	bool any_deleted; /* the structure has deleted entries remembered: check each row */
	/* the current form */
	const form *f;
	size_t n_cols;
	const char **col_type; /* SQL type of each column */
	const char **col_id;
	sqlite3_stmt *upsert_form;
	/* patients of the structure seen so far */
	patient_slot *slots;
	size_t cap, used;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static patient_slot *patient_slot_for(store_import *im, const char *pseudo)
{
	size_t mask = im->cap - 1, i = (size_t)fnv1a(pseudo) & mask;
	while (im->slots[i].key[0] && strcmp(im->slots[i].key, pseudo) != 0)
		i = (i + 1) & mask;
	return &im->slots[i];
}

static void patient_remember(store_import *im, const char *pseudo, int64_t id)
{
	if (2 * (im->used + 1) > im->cap) {
		patient_slot *old = im->slots;
		size_t old_cap = im->cap;
		im->cap = old_cap ? 2 * old_cap : 256;
		im->slots = xcalloc(im->cap, sizeof *im->slots);
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key[0])
				*patient_slot_for(im, old[i].key) = old[i];
		free(old);
	}
	patient_slot *slot = patient_slot_for(im, pseudo);
	if (!slot->key[0])
		im->used++;
	snprintf(slot->key, sizeof slot->key, "%s", pseudo);
	slot->id = id;
}

/* The patient (pseudonym, structure of the archive), created when new. */
static int import_patient(store_import *im, const char *pseudo, int64_t *id, char **why)
{
	if (im->cap) {
		patient_slot *slot = patient_slot_for(im, pseudo);
		if (slot->key[0]) {
			*id = slot->id;
			return 0;
		}
	}
	store *s = im->s;
	sqlite3_stmt *stmt = im->q[Q_FIND_PATIENT];
	sqlite3_bind_text(stmt, 1, pseudo, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, im->src.structure, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	*id = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return st_fail(s, why, "import, patients");
	if (!*id) {
		stmt = im->q[Q_ADD_PATIENT];
		sqlite3_bind_text(stmt, 1, pseudo, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, im->src.structure, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, im->now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, im->login, -1, SQLITE_STATIC);
		int rc =
		    sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, création du patient");
		sqlite3_reset(stmt);
		if (rc)
			return rc;
		*id = sqlite3_last_insert_rowid(st_db_handle(s));
	}
	patient_remember(im, pseudo, *id);
	return 0;
}

int store_import_seen(store *s, const char *export_id, const char *manifest_sha256, char at[32],
                      char file[256])
{
	sqlite3_stmt *stmt = st_prepare(
	    s, "SELECT manifest_sha256, imported_at, file_name FROM import_log WHERE export_id = ?");
	if (!stmt)
		return 0;
	sqlite3_bind_text(stmt, 1, export_id, -1, SQLITE_STATIC);
	int seen = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		seen = strcmp(st_col_text(stmt, 0), manifest_sha256) == 0 ? 1 : 2;
		snprintf(at, 32, "%s", st_col_text(stmt, 1));
		snprintf(file, 256, "%s", st_col_text(stmt, 2));
	}
	sqlite3_reset(stmt);
	return seen;
}

int store_import_begin(store *s, const import_source *src, const char *login, store_import **out, char **why)
{
	*out = NULL;
	/* BEGIN IMMEDIATE, or a savepoint inside the caller's store_batch_begin. */
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	store_import *im = xcalloc(1, sizeof *im);
	im->s = s;
	const char *texts[7] = {src->structure,   src->structure_name,  src->export_id, src->period,
	                        src->exported_at, src->manifest_sha256, src->file_name};
	for (int i = 0; i < 7; i++)
		im->text[i] = xstrdup(texts[i] ? texts[i] : "");
	im->text[7] = xstrdup(src->forms_bundle);
	im->src = (import_source){im->text[0], im->text[1], im->text[2],   im->text[3], im->text[4],
	                          im->text[5], im->text[6], src->sequence, im->text[7]};
	snprintf(im->login, sizeof im->login, "%s", login);
	snprintf(im->seq_text, sizeof im->seq_text, "%lld", (long long)src->sequence);
	time_now_iso(im->now, sizeof im->now);
	for (int i = 0; i < Q_COUNT && !rc; i++)
		if (!(im->q[i] = st_prepare(s, import_sql[i])))
			rc = st_fail(s, why, "import, préparation des requêtes");
	sqlite3_stmt *stmt =
	    rc ? NULL : st_prepare(s, "SELECT EXISTS (SELECT 1 FROM import_deleted WHERE structure = ?)");
	if (!stmt) {
		if (!rc)
			rc = st_fail(s, why, "import");
	} else {
		sqlite3_bind_text(stmt, 1, im->src.structure, -1, SQLITE_STATIC);
		im->any_deleted = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
		sqlite3_reset(stmt);
	}
	*out = im;
	return rc;
}

int store_import_form(store_import *im, const form *f, const size_t *fields, size_t n, char **why)
{
	free(im->col_type);
	free(im->col_id);
	im->f = f;
	im->n_cols = n;
	im->col_type = xcalloc(n ? n : 1, sizeof *im->col_type);
	im->col_id = xcalloc(n ? n : 1, sizeof *im->col_id);
	strbuf sql = STRBUF_INIT;
	char *table = xasprintf("form_%s", f->id);
	strbuf_puts(&sql, "INSERT INTO ");
	st_sql_quoted(&sql, table, '"');
	free(table);
	strbuf_puts(&sql, "(entry_id");
	for (size_t i = 0; i < n; i++) {
		const field *fd = &f->fields[fields[i]];
		im->col_type[i] = st_field_sql_type(fd);
		im->col_id[i] = fd->id;
		strbuf_puts(&sql, ", ");
		st_sql_quoted(&sql, fd->id, '"');
	}
	strbuf_puts(&sql, ") VALUES (?1");
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&sql, ", ?%zu", i + 2);
	strbuf_puts(&sql, ") ON CONFLICT(entry_id) DO ");
	if (!n)
		strbuf_puts(&sql, "NOTHING");
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(&sql, i ? ", " : "UPDATE SET ");
		st_sql_quoted(&sql, im->col_id[i], '"');
		strbuf_puts(&sql, " = excluded.");
		st_sql_quoted(&sql, im->col_id[i], '"');
	}
	/* Cached: the next archive of the same forms reuses it. */
	im->upsert_form = st_prepare(im->s, strbuf_str(&sql));
	strbuf_done(&sql);
	for (size_t i = 0; i < n; i++)
		if (!im->col_type[i]) {
			set_why(why, "import : %s.%s n'a pas de colonne", f->id, im->col_id[i]);
			return EXIT_SOFTWARE;
		}
	return im->upsert_form ? 0 : st_fail(im->s, why, "import, préparation de l'écriture des valeurs");
}

static void bind_typed(sqlite3_stmt *stmt, int pos, const char *type, const char *text)
{
	long long iv;
	double x;
	if (!text)
		sqlite3_bind_null(stmt, pos);
	else if (type[0] == 'I' && parse_integer(text, &iv))
		sqlite3_bind_int64(stmt, pos, iv);
	else if (type[0] == 'R' && parse_decimal(text, &x))
		sqlite3_bind_double(stmt, pos, x);
	else /* a STRICT table refuses what does not fit its column */
		sqlite3_bind_text(stmt, pos, text, -1, SQLITE_STATIC);
}

/* The values and missing codes of one entry. */
static int write_values(store_import *im, int64_t entry_id, const import_row *row, bool replace, char **why)
{
	store *s = im->s;
	sqlite3_stmt *stmt = im->upsert_form;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	sqlite3_bind_int64(stmt, 1, entry_id);
	for (size_t i = 0; i < im->n_cols; i++)
		bind_typed(stmt, (int)i + 2, im->col_type[i], row->values[i]);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, valeurs");
	sqlite3_reset(stmt);
	if (!rc && replace) {
		stmt = im->q[Q_DEL_MISSING];
		sqlite3_bind_int64(stmt, 1, entry_id);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, codes manquants");
		sqlite3_reset(stmt);
	}
	for (size_t i = 0; !rc && i < im->n_cols; i++) {
		if (row->missing[i] == MISS_NONE)
			continue;
		stmt = im->q[Q_ADD_MISSING];
		sqlite3_bind_int64(stmt, 1, entry_id);
		sqlite3_bind_text(stmt, 2, im->col_id[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, missing_code_name(row->missing[i]), -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, codes manquants");
		sqlite3_reset(stmt);
	}
	return rc;
}

static bool remembered_deleted(store_import *im, const char *uuid)
{
	if (!im->any_deleted)
		return false;
	sqlite3_stmt *stmt = im->q[Q_DELETED];
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

/* Insert a new entry; false in *added when its uuid is already here. */
static int add_entry(store_import *im, const import_row *row, int64_t pid, bool *added, char **why)
{
	sqlite3_stmt *stmt = im->q[Q_ADD_ENTRY];
	sqlite3_bind_text(stmt, 1, row->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, pid);
	sqlite3_bind_text(stmt, 3, im->f->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, row->form_version);
	sqlite3_bind_text(stmt, 5, row->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, row->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, im->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, im->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, row->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, row->row_version);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(im->s, why, "import, création de l'entrée");
	sqlite3_reset(stmt);
	*added = !rc && sqlite3_changes(st_db_handle(im->s)) == 1;
	return rc;
}

int store_import_row(store_import *im, const import_row *row, char **why)
{
	store *s = im->s;
	im->counts.rows++;
	if (remembered_deleted(im, row->uuid)) {
		im->counts.older++;
		return 0;
	}
	int64_t pid;
	bool added = false;
	int rc = import_patient(im, row->pseudonym, &pid, why);
	if (!rc)
		rc = add_entry(im, row, pid, &added, why);
	if (rc)
		return rc;
	if (added) {
		im->counts.added++;
		return write_values(im, sqlite3_last_insert_rowid(st_db_handle(s)), row, false, why);
	}
	/* Already here: keep the newer of the two versions. */
	sqlite3_stmt *stmt = im->q[Q_FIND_ENTRY];
	sqlite3_bind_text(stmt, 1, row->uuid, -1, SQLITE_STATIC);
	int64_t id = 0, version = 0;
	char form_id[64] = "", structure[64] = "";
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		version = sqlite3_column_int64(stmt, 1);
		snprintf(form_id, sizeof form_id, "%s", st_col_text(stmt, 2));
		snprintf(structure, sizeof structure, "%s", st_col_text(stmt, 3));
	}
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW)
		return st_fail(s, why, "import, entrées");
	if (strcmp(structure, im->src.structure) != 0) {
		set_why(why, "entrée %s : déjà présente ici pour la structure %s, pas %s", row->uuid,
		        structure, im->src.structure);
		return EXIT_DATAERR;
	}
	if (strcmp(form_id, im->f->id) != 0) {
		set_why(why, "entrée %s : du formulaire %s ici, de %s dans l'archive", row->uuid, form_id,
		        im->f->id);
		return EXIT_DATAERR;
	}
	if (row->row_version <= version) {
		if (row->row_version == version)
			im->counts.unchanged++;
		else
			im->counts.older++;
		return 0;
	}
	stmt = im->q[Q_UPDATE_ENTRY];
	sqlite3_bind_int64(stmt, 1, pid);
	sqlite3_bind_int(stmt, 2, row->form_version);
	sqlite3_bind_text(stmt, 3, row->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, row->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, row->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, row->row_version);
	sqlite3_bind_int64(stmt, 7, id);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, mise à jour de l'entrée");
	sqlite3_reset(stmt);
	if (!rc)
		rc = write_values(im, id, row, true, why);
	if (!rc) {
		char before[48], after[160];
		snprintf(before, sizeof before, "version %lld", (long long)version);
		snprintf(after, sizeof after, "version %lld (structure %s, export n° %s)",
		         (long long)row->row_version, im->src.structure, im->seq_text);
		rc = st_audit(s, im->login, "import", row->uuid, row->pseudonym, im->f->id, NULL, before,
		              after, why);
	}
	if (!rc)
		im->counts.updated++;
	return rc;
}

int store_import_delete(store_import *im, const char *uuid, char **why)
{
	store *s = im->s;
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT e.id, e.row_version, e.form, p.structure, p.pseudonym, e.date "
	                  "FROM entries e JOIN patients p ON p.id = e.patient_id "
	                  "WHERE e.uuid = ?");
	if (!stmt)
		return st_fail(s, why, "import, suppressions");
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	int64_t id = 0, version = 0;
	char form_id[64] = "", structure[64] = "", pseudo[16] = "", date[11] = "";
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		id = sqlite3_column_int64(stmt, 0);
		version = sqlite3_column_int64(stmt, 1);
		snprintf(form_id, sizeof form_id, "%s", st_col_text(stmt, 2));
		snprintf(structure, sizeof structure, "%s", st_col_text(stmt, 3));
		snprintf(pseudo, sizeof pseudo, "%s", st_col_text(stmt, 4));
		snprintf(date, sizeof date, "%s", st_col_text(stmt, 5));
	}
	sqlite3_reset(stmt);
	if (id && strcmp(structure, im->src.structure) != 0) {
		set_why(why, "suppression de l'entrée %s demandée, mais elle appartient à la structure %s",
		        uuid, structure);
		return EXIT_DATAERR;
	}
	stmt = st_prepare(s, "INSERT OR IGNORE INTO import_deleted(uuid, structure, export_id, deleted_at) "
	                     "VALUES (?, ?, ?, ?)");
	if (!stmt)
		return st_fail(s, why, "import, suppressions");
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, im->src.structure, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, im->src.export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, im->now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, suppressions");
	sqlite3_reset(stmt);
	if (rc || !id)
		return rc;
	im->any_deleted = true;
	char before[48], after[160];
	snprintf(before, sizeof before, "version %lld du %s", (long long)version, date);
	snprintf(after, sizeof after, "supprimée par la structure %s (export n° %s)", im->src.structure,
	         im->seq_text);
	if ((rc = st_audit(s, im->login, "import", uuid, pseudo, form_id, NULL, before, after, why)))
		return rc;
	/* The form's row, missing codes, confirmations and alerts go with it (ON DELETE CASCADE). */
	stmt = st_prepare(s, "DELETE FROM entries WHERE id = ?");
	if (!stmt)
		return st_fail(s, why, "import, suppressions");
	sqlite3_bind_int64(stmt, 1, id);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, suppression");
	sqlite3_reset(stmt);
	if (!rc)
		im->counts.deleted++;
	return rc;
}

static void import_free(store_import *im)
{
	for (int i = 0; i < 8; i++)
		free(im->text[i]);
	free(im->col_type);
	free(im->col_id);
	free(im->slots);
	free(im);
}

static int import_log_add(store_import *im, char **why)
{
	store *s = im->s;
	sqlite3_stmt *stmt = st_prepare(
	    s, "INSERT INTO import_log(structure, structure_name, export_id, sequence, period, exported_at, "
	       "manifest_sha256, file_name, imported_at, login, rows, added, updated, unchanged, older, "
	       "deleted, forms_bundle) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!stmt)
		return st_fail(s, why, "journal des imports");
	const import_source *src = &im->src;
	const import_counts *c = &im->counts;
	sqlite3_bind_text(stmt, 1, src->structure, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, src->structure_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, src->export_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, src->sequence);
	sqlite3_bind_text(stmt, 5, src->period, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, src->exported_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, src->manifest_sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, src->file_name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, im->now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 10, im->login, -1, SQLITE_STATIC);
	const uint64_t n[] = {c->rows, c->added, c->updated, c->unchanged, c->older, c->deleted};
	for (int i = 0; i < 6; i++)
		sqlite3_bind_int64(stmt, 11 + i, (sqlite3_int64)n[i]);
	sqlite3_bind_text(stmt, 17, src->forms_bundle, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des imports");
	sqlite3_reset(stmt);
	if (rc)
		return rc;
	char *what = xasprintf("structure %s, export n° %lld (%s, %s), fichier %s : %llu ligne(s), %llu "
	                       "ajoutée(s), %llu mise(s) à jour, %llu supprimée(s), %llu inchangée(s), "
	                       "%llu plus ancienne(s) ignorée(s)",
	                       src->structure, (long long)src->sequence, src->period, src->export_id,
	                       src->file_name, (unsigned long long)c->rows, (unsigned long long)c->added,
	                       (unsigned long long)c->updated, (unsigned long long)c->deleted,
	                       (unsigned long long)c->unchanged, (unsigned long long)c->older);
	rc = st_audit(s, im->login, "import", NULL, NULL, NULL, NULL, NULL, what, why);
	free(what);
	return rc;
}

int store_import_end(store_import *im, bool keep, import_counts *counts, char **why)
{
	if (!im)
		return 0;
	store *s = im->s;
	int rc = 0;
	if (keep && !(rc = import_log_add(im, why)))
		rc = st_commit(s, why);
	else
		st_rollback(s);
	if (counts)
		*counts = im->counts;
	import_free(im);
	return rc;
}

void store_import_open(store *s)
{
	/* Each archive is a savepoint of a batch: the original of every page it changes goes to a
	 * statement journal, which stays in memory (a few megabytes per archive) instead of being
	 * written to a temporary file. Before the batch: not allowed inside a transaction. */
	sqlite3_exec(st_db_handle(s), "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	/* The CHECK constraints an import could meet hold by construction: entries.status is
	 * checked by the importer (complete or incomplete, the only statuses an export has) and
	 * the audit action is 'import'. SQLite evaluates CHECK (status IN (…)) with a temporary
	 * b-tree built for every row, which doubled the cost of each insert. Types (STRICT),
	 * NOT NULL, UNIQUE and foreign keys stay enforced. store_import_close turns them back on. */
	sqlite3_exec(st_db_handle(s), "PRAGMA ignore_check_constraints = ON", NULL, NULL, NULL);
}

void store_import_close(store *s)
{
	/* What the archives wrote goes into the database file now, and the WAL is emptied. */
	sqlite3_exec(st_db_handle(s),
	             "PRAGMA ignore_check_constraints = OFF; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	             NULL);
}
