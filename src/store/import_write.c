/* import_write.c — the writes of an import into a regional database: one archive in one
 * transaction (or a savepoint of a batch), for each structure it carries its patients found or
 * created and its entries written; a snapshot then removes what the structure no longer holds
 * and replaces its alerts, a slice applies the deletions its manifest lists; and the import log.
 * The rules are in store.h. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

/* Pseudonym → patient id of one structure, so that a row costs no patient query. */
typedef struct {
	char key[16];
	int64_t id;
} patient_slot;

/* An entry of the structure that was here before the import, for the removal pass. */
typedef struct {
	int64_t id, row_version;
	char uuid[37], pseudonym[16], form[64], date[11];
} held_entry;

/* A structure of the archive (store_import_structure): its export, counts and patients. */
typedef struct {
	char *text[7]; /* the strings of info, copied */
	import_structure info;
	char seq_text[32];
	import_counts counts;
	bool any_deleted;     /* entries of it are remembered as deleted here: check each row */
	int64_t held_entries; /* its entries here before the import */
	/* ids of its entries that were here before and that the archive holds (may repeat) */
	int64_t *matched;
	size_t n_matched, cap_matched;
	int64_t *alert_ids; /* its alerts the snapshot holds (may repeat) */
	size_t n_alerts, cap_alerts;
	patient_slot *slots;
	size_t cap, used;
} import_part;

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
    [Q_FIND_ENTRY] = "SELECT e.id, e.row_version, e.form, coalesce(p.structure, e.structure), "
                     "e.patient_id, e.form_version, e.date, e.status, e.updated_at FROM entries e "
                     "LEFT JOIN patients p ON p.id = e.patient_id WHERE e.uuid = ?",
    /* New entries are the common case: one probe of the uuid index, not a lookup then an insert. */
    [Q_ADD_ENTRY] = "INSERT INTO entries(uuid, patient_id, structure, form, form_version, date, status, "
                    "author, created_at, updated_at, row_version) "
                    "VALUES (?1, ?2, ?11, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                    "ON CONFLICT(uuid) DO NOTHING",
    [Q_UPDATE_ENTRY] = "UPDATE entries SET patient_id = ?, form_version = ?, date = ?, status = ?, "
                       "updated_at = ?, row_version = ? WHERE id = ?",
    [Q_DEL_MISSING] = "DELETE FROM entry_missing WHERE entry_id = ?",
    [Q_ADD_MISSING] = "INSERT INTO entry_missing(entry_id, field, code) VALUES (?, ?, ?)",
    [Q_DELETED] = "SELECT 1 FROM import_deleted WHERE uuid = ?1 AND (?2 OR export_id = 'effacement')",
    [Q_FIND_PATIENT] = "SELECT id FROM patients WHERE pseudonym = ? AND structure = ?",
    [Q_ADD_PATIENT] =
        "INSERT INTO patients(pseudonym, structure, created_at, created_by) VALUES (?, ?, ?, ?)",
};

struct store_import {
	store *s;
	sqlite3_stmt *q[Q_COUNT];
	char *manifest_sha256, *file_name, *source; /* copied; source NULL for a structure's archive */
	char *forms_bundle;                         /* copied; NULL when the archive does not say */
	bool snapshot;
	char login[64];
	char now[32];
	int64_t entry_max; /* the largest entry id before the import: later ones are the archive's */
	import_part *parts;
	size_t n_parts;
	import_part *last; /* the part of the last row */
	/* the current form */
	const form *f;
	size_t n_cols;
	const char **col_type; /* SQL type of each column */
	const char **col_id;
	sqlite3_stmt *upsert_form;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static patient_slot *patient_slot_for(import_part *pt, const char *pseudo)
{
	size_t mask = pt->cap - 1, i = (size_t)fnv1a(pseudo) & mask;
	while (pt->slots[i].key[0] && strcmp(pt->slots[i].key, pseudo) != 0)
		i = (i + 1) & mask;
	return &pt->slots[i];
}

static void patient_remember(import_part *pt, const char *pseudo, int64_t id)
{
	if (2 * (pt->used + 1) > pt->cap) {
		patient_slot *old = pt->slots;
		size_t old_cap = pt->cap;
		pt->cap = old_cap ? 2 * old_cap : 256;
		pt->slots = xcalloc(pt->cap, sizeof *pt->slots);
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].key[0])
				*patient_slot_for(pt, old[i].key) = old[i];
		free(old);
	}
	patient_slot *slot = patient_slot_for(pt, pseudo);
	if (!slot->key[0])
		pt->used++;
	snprintf(slot->key, sizeof slot->key, "%s", pseudo);
	slot->id = id;
}

/* The patient (pseudonym, structure of pt), created when new. */
static int import_patient(store_import *im, import_part *pt, const char *pseudo, int64_t *id, char **why)
{
	if (pt->cap) {
		patient_slot *slot = patient_slot_for(pt, pseudo);
		if (slot->key[0]) {
			*id = slot->id;
			return 0;
		}
	}
	store *s = im->s;
	sqlite3_stmt *stmt = im->q[Q_FIND_PATIENT];
	sqlite3_bind_text(stmt, 1, pseudo, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, pt->info.structure, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	*id = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return st_fail(s, why, "import, patients");
	if (!*id) {
		stmt = im->q[Q_ADD_PATIENT];
		sqlite3_bind_text(stmt, 1, pseudo, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, pt->info.structure, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, im->now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, im->login, -1, SQLITE_STATIC);
		int rc =
		    sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, création du patient");
		sqlite3_reset(stmt);
		if (rc)
			return rc;
		*id = sqlite3_last_insert_rowid(st_db_handle(s));
	}
	patient_remember(pt, pseudo, *id);
	return 0;
}

int store_import_seen(store *s, const char *export_id, const char *manifest_sha256, char at[32],
                      char file[256])
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT manifest_sha256, imported_at, file_name FROM import_log "
	                                   "WHERE export_id = ? AND source IS NULL");
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
	im->manifest_sha256 = xstrdup(src->manifest_sha256 ? src->manifest_sha256 : "");
	im->file_name = xstrdup(src->file_name ? src->file_name : "");
	im->source = src->source ? xstrdup(src->source) : NULL;
	im->forms_bundle = src->forms_bundle ? xstrdup(src->forms_bundle) : NULL;
	im->snapshot = src->snapshot;
	snprintf(im->login, sizeof im->login, "%s", login);
	time_now_iso(im->now, sizeof im->now);
	for (int i = 0; i < Q_COUNT && !rc; i++)
		if (!(im->q[i] = st_prepare(s, import_sql[i])))
			rc = st_fail(s, why, "import, préparation des requêtes");
	sqlite3_stmt *stmt = rc ? NULL : st_prepare(s, "SELECT coalesce(max(id), 0) FROM entries");
	if (stmt) {
		if (sqlite3_step(stmt) == SQLITE_ROW)
			im->entry_max = sqlite3_column_int64(stmt, 0);
		else
			rc = st_fail(s, why, "import");
		sqlite3_reset(stmt);
	} else if (!rc) {
		rc = st_fail(s, why, "import");
	}
	*out = im;
	return rc;
}

/* One number about structure code: the first column of sql's row, bound to ?1 = code. */
static int structure_number(store *s, const char *sql, const char *code, int64_t *out, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, sql);
	if (!stmt)
		return st_fail(s, why, "import");
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	int rc = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		*out = sqlite3_column_int64(stmt, 0);
	else
		rc = st_fail(s, why, "import");
	sqlite3_reset(stmt);
	return rc;
}

int store_import_structure(store_import *im, const import_structure *in, char **why)
{
	for (size_t i = 0; i < im->n_parts; i++)
		if (strcmp(im->parts[i].info.structure, in->structure) == 0) {
			set_why(why, "structure %s présente deux fois dans l'archive", in->structure);
			return EXIT_DATAERR;
		}
	im->parts = xrealloc(im->parts, (im->n_parts + 1) * sizeof *im->parts);
	im->last = NULL;
	import_part *pt = &im->parts[im->n_parts++];
	memset(pt, 0, sizeof *pt);
	const char *texts[7] = {in->structure,   in->structure_name, in->export_id,  in->period,
	                        in->exported_at, in->period_first,   in->period_last};
	for (int i = 0; i < 7; i++)
		pt->text[i] = texts[i] ? xstrdup(texts[i]) : NULL;
	pt->info = *in;
	pt->info.structure = pt->text[0];
	pt->info.structure_name = pt->text[1] ? pt->text[1] : pt->text[0];
	pt->info.export_id = pt->text[2] ? pt->text[2] : "";
	pt->info.period = pt->text[3] ? pt->text[3] : "";
	pt->info.exported_at = pt->text[4] ? pt->text[4] : "";
	pt->info.period_first = pt->text[5];
	pt->info.period_last = pt->text[6];
	snprintf(pt->seq_text, sizeof pt->seq_text, "%lld", (long long)in->sequence);
	store *s = im->s;
	int64_t any = 0;
	/* A snapshot never brings back the entries of a patient erased here; a slice also keeps
	 * out the deletions of earlier manifests. */
	int rc =
	    structure_number(s,
	                     im->snapshot ? "SELECT EXISTS (SELECT 1 FROM import_deleted WHERE structure "
	                                    "= ?1 AND export_id = 'effacement')"
	                                  : "SELECT EXISTS (SELECT 1 FROM import_deleted WHERE structure "
	                                    "= ?1)",
	                     pt->info.structure, &any, why);
	pt->any_deleted = any != 0;
	if (!rc && im->snapshot)
		rc = structure_number(s,
		                      "SELECT (SELECT count(*) FROM entries WHERE patient_id IN "
		                      "(SELECT id FROM patients WHERE structure = ?1)) + "
		                      "(SELECT count(*) FROM entries WHERE structure = ?1)",
		                      pt->info.structure, &pt->held_entries, why);
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

static bool remembered_deleted(store_import *im, const import_part *pt, const char *uuid)
{
	if (!pt->any_deleted)
		return false;
	sqlite3_stmt *stmt = im->q[Q_DELETED];
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 2, im->snapshot ? 0 : 1);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	return found;
}

/* Insert a new entry; false in *added when its uuid is already here. */
static int add_entry(store_import *im, const import_row *row, int64_t pid, bool *added, char **why)
{
	sqlite3_stmt *stmt = im->q[Q_ADD_ENTRY];
	sqlite3_bind_text(stmt, 1, row->uuid, -1, SQLITE_STATIC);
	/* An entry of a structure's form has its structure and no patient. Both are bound at every
	 * row: the statement is kept from row to row with its bindings (and the import runs with
	 * ignore_check_constraints, so the table's CHECK would not catch a stale one). */
	if (pid) {
		sqlite3_bind_int64(stmt, 2, pid);
		sqlite3_bind_null(stmt, 11);
	} else {
		sqlite3_bind_null(stmt, 2);
		sqlite3_bind_text(stmt, 11, row->structure, -1, SQLITE_STATIC);
	}
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

/* The part of the structure code (cached: rows of one structure come together). */
static import_part *part_of(store_import *im, const char *code)
{
	if (im->last && code && strcmp(im->last->info.structure, code) == 0)
		return im->last;
	for (size_t i = 0; code && i < im->n_parts; i++)
		if (strcmp(im->parts[i].info.structure, code) == 0)
			return im->last = &im->parts[i];
	return NULL;
}

/* What this database holds of an entry that the archive has too. */
typedef struct {
	int64_t id, row_version, patient_id;
	int form_version;
	char form[64], structure[64], date[11], status[12], updated_at[32];
} entry_here;

static int find_entry(store_import *im, const char *uuid, entry_here *e, char **why)
{
	sqlite3_stmt *stmt = im->q[Q_FIND_ENTRY];
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		e->id = sqlite3_column_int64(stmt, 0);
		e->row_version = sqlite3_column_int64(stmt, 1);
		snprintf(e->form, sizeof e->form, "%s", st_col_text(stmt, 2));
		snprintf(e->structure, sizeof e->structure, "%s", st_col_text(stmt, 3));
		e->patient_id = sqlite3_column_int64(stmt, 4);
		e->form_version = sqlite3_column_int(stmt, 5);
		snprintf(e->date, sizeof e->date, "%s", st_col_text(stmt, 6));
		snprintf(e->status, sizeof e->status, "%s", st_col_text(stmt, 7));
		snprintf(e->updated_at, sizeof e->updated_at, "%s", st_col_text(stmt, 8));
	}
	sqlite3_reset(stmt);
	return step == SQLITE_ROW ? 0 : st_fail(im->s, why, "import, entrées");
}

/* Whether the archive's row is the entry as held here (a snapshot then leaves it). */
static bool same_entry(const entry_here *e, const import_row *row, int64_t pid)
{
	return e->row_version == row->row_version && e->patient_id == pid &&
	       e->form_version == row->form_version && strcmp(e->date, row->date) == 0 &&
	       strcmp(e->status, row->status) == 0 && strcmp(e->updated_at, row->updated_at) == 0;
}

/* Append id to the list v of n ids (capacity *cap). */
static void ids_add(int64_t **v, size_t *n, size_t *cap, int64_t id)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 1024;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = id;
}

int store_import_row(store_import *im, const import_row *row, char **why)
{
	store *s = im->s;
	import_part *pt = part_of(im, row->structure);
	if (!pt) {
		set_why(why, "entrée %s : structure %s non annoncée", row->uuid,
		        row->structure ? row->structure : "?");
		return EXIT_SOFTWARE;
	}
	pt->counts.rows++;
	if (remembered_deleted(im, pt, row->uuid)) {
		pt->counts.older++;
		return 0;
	}
	int64_t pid = 0;
	bool added = false;
	int rc = row->pseudonym ? import_patient(im, pt, row->pseudonym, &pid, why) : 0;
	if (!rc)
		rc = add_entry(im, row, pid, &added, why);
	if (rc)
		return rc;
	if (added) {
		pt->counts.added++;
		return write_values(im, sqlite3_last_insert_rowid(st_db_handle(s)), row, false, why);
	}
	entry_here e;
	if ((rc = find_entry(im, row->uuid, &e, why)))
		return rc;
	if (strcmp(e.structure, pt->info.structure) != 0) {
		set_why(why, "entrée %s : déjà présente ici pour la structure %s, pas %s", row->uuid,
		        e.structure, pt->info.structure);
		return EXIT_DATAERR;
	}
	if (strcmp(e.form, im->f->id) != 0) {
		set_why(why, "entrée %s : du formulaire %s ici, de %s dans l'archive", row->uuid, e.form,
		        im->f->id);
		return EXIT_DATAERR;
	}
	if (im->snapshot && e.id <= im->entry_max)
		ids_add(&pt->matched, &pt->n_matched, &pt->cap_matched, e.id);
	if (im->snapshot ? same_entry(&e, row, pid) : row->row_version <= e.row_version) {
		if (im->snapshot || row->row_version == e.row_version)
			pt->counts.unchanged++;
		else
			pt->counts.older++;
		return 0;
	}
	sqlite3_stmt *stmt = im->q[Q_UPDATE_ENTRY];
	if (pid)
		sqlite3_bind_int64(stmt, 1, pid);
	else
		sqlite3_bind_null(stmt, 1);
	sqlite3_bind_int(stmt, 2, row->form_version);
	sqlite3_bind_text(stmt, 3, row->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, row->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, row->updated_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, row->row_version);
	sqlite3_bind_int64(stmt, 7, e.id);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, mise à jour de l'entrée");
	sqlite3_reset(stmt);
	if (!rc)
		rc = write_values(im, e.id, row, true, why);
	if (!rc) {
		char before[64], after[160];
		snprintf(before, sizeof before, "version %lld du %s", (long long)e.row_version, e.date);
		snprintf(after, sizeof after, "version %lld du %s (structure %s, export n° %s)",
		         (long long)row->row_version, row->date, pt->info.structure, pt->seq_text);
		rc = st_audit(s, im->login, "import", row->uuid, row->pseudonym, im->f->id, NULL, before,
		              after, why);
	}
	if (!rc)
		pt->counts.updated++;
	return rc;
}

int store_import_alert(store_import *im, const import_alert *a, char **why)
{
	store *s = im->s;
	import_part *pt = part_of(im, a->structure);
	if (!pt || !im->snapshot) {
		set_why(why, "alerte de l'entrée %s : structure %s non annoncée", a->entry_uuid,
		        a->structure ? a->structure : "?");
		return EXIT_SOFTWARE;
	}
	/* Its entry is one of the archive's: written by this import (or left as it was). */
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT e.id FROM entries e LEFT JOIN patients p ON p.id = e.patient_id "
	                  "WHERE e.uuid = ?1 AND coalesce(p.structure, e.structure) = ?2");
	if (!stmt)
		return st_fail(s, why, "import, alertes");
	sqlite3_bind_text(stmt, 1, a->entry_uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, pt->info.structure, -1, SQLITE_STATIC);
	int step = sqlite3_step(stmt);
	int64_t id = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return st_fail(s, why, "import, alertes");
	if (!id) {
		set_why(why, "alerte %s sur l'entrée %s, absente de l'archive pour la structure %s", a->rule,
		        a->entry_uuid, pt->info.structure);
		return EXIT_DATAERR;
	}
	/* Who raised and acknowledged it is the structure: logins never leave it. An alert held
	 * already keeps its row (the structure's other alerts are removed at the end). A lookup,
	 * then an update or an insert: an upsert with RETURNING would open a statement journal whose
	 * release walks the whole page cache of the batch, for every alert. */
	stmt = st_prepare(s, "SELECT id FROM alerts WHERE entry_id = ? AND rule = ?");
	if (!stmt)
		return st_fail(s, why, "import, alertes");
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, a->rule, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	int64_t alert_id = step == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 0;
	sqlite3_reset(stmt);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return st_fail(s, why, "import, alertes");
	stmt = st_prepare(
	    s, alert_id ? "UPDATE alerts SET level = ?3, message = ?4, raised_at = ?5, raised_by = ?6, "
	                  "acknowledged_at = ?7, acknowledged_by = CASE WHEN ?7 IS NULL THEN NULL "
	                  "ELSE ?6 END WHERE id = ?1"
	                : "INSERT INTO alerts(entry_id, rule, level, message, raised_at, raised_by, "
	                  "acknowledged_at, acknowledged_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	                  "CASE WHEN ?7 IS NULL THEN NULL ELSE ?6 END)");
	if (!stmt)
		return st_fail(s, why, "import, alertes");
	sqlite3_bind_int64(stmt, 1, alert_id ? alert_id : id);
	if (!alert_id)
		sqlite3_bind_text(stmt, 2, a->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, a->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, a->message ? a->message : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, a->raised_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, pt->info.structure, -1, SQLITE_STATIC);
	if (a->acknowledged_at)
		sqlite3_bind_text(stmt, 7, a->acknowledged_at, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, alertes");
	sqlite3_reset(stmt);
	if (!rc) {
		if (!alert_id)
			alert_id = sqlite3_last_insert_rowid(st_db_handle(s));
		ids_add(&pt->alert_ids, &pt->n_alerts, &pt->cap_alerts, alert_id);
		pt->counts.alerts++;
	}
	return rc;
}

int store_import_delete(store_import *im, const char *uuid, char **why)
{
	store *s = im->s;
	import_part *pt = im->n_parts == 1 ? &im->parts[0] : NULL;
	if (!pt || im->snapshot) {
		set_why(why, "suppression de l'entrée %s : archive d'une seule structure attendue", uuid);
		return EXIT_SOFTWARE;
	}
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT e.id, e.row_version, e.form, coalesce(p.structure, e.structure), "
	                  "p.pseudonym, e.date FROM entries e LEFT JOIN patients p ON p.id = e.patient_id "
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
	if (id && strcmp(structure, pt->info.structure) != 0) {
		set_why(why, "suppression de l'entrée %s demandée, mais elle appartient à la structure %s",
		        uuid, structure);
		return EXIT_DATAERR;
	}
	stmt = st_prepare(s, "INSERT OR IGNORE INTO import_deleted(uuid, structure, export_id, deleted_at) "
	                     "VALUES (?, ?, ?, ?)");
	if (!stmt)
		return st_fail(s, why, "import, suppressions");
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, pt->info.structure, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, pt->info.export_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, im->now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, suppressions");
	sqlite3_reset(stmt);
	if (rc || !id)
		return rc;
	pt->any_deleted = true;
	char before[48], after[160];
	snprintf(before, sizeof before, "version %lld du %s", (long long)version, date);
	snprintf(after, sizeof after, "supprimée par la structure %s (export n° %s)", pt->info.structure,
	         pt->seq_text);
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
		pt->counts.deleted++;
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The entries of pt's structure that were here before the import and that the snapshot does not
 * hold, into *out (caller frees); their count. */
static int unmatched_entries(store_import *im, import_part *pt, held_entry **out, size_t *n, char **why)
{
	*out = NULL;
	*n = 0;
	if (pt->n_matched) /* matched is NULL without any: qsort wants an array */
		qsort(pt->matched, pt->n_matched, sizeof *pt->matched, cmp_id);
	size_t distinct = 0;
	for (size_t i = 0; i < pt->n_matched; i++)
		if (!distinct || pt->matched[distinct - 1] != pt->matched[i])
			pt->matched[distinct++] = pt->matched[i];
	pt->n_matched = distinct;
	if ((int64_t)distinct >= pt->held_entries) /* everything held is in the snapshot */
		return 0;
	sqlite3_stmt *stmt =
	    st_prepare(im->s, "SELECT e.id, e.row_version, e.uuid, p.pseudonym, e.form, e.date "
	                      "FROM entries e JOIN patients p ON p.id = e.patient_id "
	                      "WHERE p.structure = ?1 AND e.id <= ?2 UNION ALL "
	                      "SELECT id, row_version, uuid, NULL, form, date FROM entries "
	                      "WHERE structure = ?1 AND id <= ?2 ORDER BY 1");
	if (!stmt)
		return st_fail(im->s, why, "import, saisies retirées");
	sqlite3_bind_text(stmt, 1, pt->info.structure, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, im->entry_max);
	size_t cap = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		if (pt->n_matched && bsearch(&id, pt->matched, pt->n_matched, sizeof id, cmp_id))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		held_entry *h = &(*out)[(*n)++];
		h->id = id;
		h->row_version = sqlite3_column_int64(stmt, 1);
		snprintf(h->uuid, sizeof h->uuid, "%s", st_col_text(stmt, 2));
		snprintf(h->pseudonym, sizeof h->pseudonym, "%s", st_col_text(stmt, 3));
		snprintf(h->form, sizeof h->form, "%s", st_col_text(stmt, 4));
		snprintf(h->date, sizeof h->date, "%s", st_col_text(stmt, 5));
	}
	sqlite3_reset(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(im->s, why, "import, saisies retirées");
}

/* The structure's alerts held here that the snapshot does not have any more. */
static int remove_alerts(store_import *im, import_part *pt, char **why)
{
	if (!pt->held_entries)
		return 0;
	store *s = im->s;
	if (pt->n_alerts)
		qsort(pt->alert_ids, pt->n_alerts, sizeof *pt->alert_ids, cmp_id);
	sqlite3_stmt *stmt = st_prepare(s, "SELECT a.id FROM alerts a JOIN entries e ON e.id = a.entry_id "
	                                   "JOIN patients p ON p.id = e.patient_id WHERE p.structure = ?1 "
	                                   "UNION ALL SELECT a.id FROM alerts a JOIN entries e ON "
	                                   "e.id = a.entry_id WHERE e.structure = ?1");
	if (!stmt)
		return st_fail(s, why, "import, alertes");
	sqlite3_bind_text(stmt, 1, pt->info.structure, -1, SQLITE_STATIC);
	int64_t *stale = NULL;
	size_t n = 0, cap = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(stmt, 0);
		if (!pt->n_alerts || !bsearch(&id, pt->alert_ids, pt->n_alerts, sizeof id, cmp_id))
			ids_add(&stale, &n, &cap, id);
	}
	sqlite3_reset(stmt);
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "import, alertes");
	sqlite3_stmt *del = rc || !n ? NULL : st_prepare(s, "DELETE FROM alerts WHERE id = ?");
	if (!rc && n && !del)
		rc = st_fail(s, why, "import, alertes");
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_bind_int64(del, 1, stale[i]);
		rc = sqlite3_step(del) == SQLITE_DONE ? 0 : st_fail(s, why, "import, alertes");
		sqlite3_reset(del);
	}
	free(stale);
	return rc;
}

/* A snapshot's last step for one structure: delete its entries held here that the archive no
 * longer has (one audit line each, without any value), then its patients left without an entry. */
static int remove_unheld(store_import *im, import_part *pt, char **why)
{
	store *s = im->s;
	held_entry *gone = NULL;
	size_t n = 0;
	int rc = remove_alerts(im, pt, why);
	if (!rc)
		rc = unmatched_entries(im, pt, &gone, &n, why);
	for (size_t i = 0; !rc && i < n; i++) {
		char before[48], after[160];
		snprintf(before, sizeof before, "version %lld du %s", (long long)gone[i].row_version,
		         gone[i].date);
		snprintf(after, sizeof after, "absente de l'export n° %s de la structure %s : supprimée",
		         pt->seq_text, pt->info.structure);
		rc = st_audit(s, im->login, "import", gone[i].uuid, gone[i].pseudonym, gone[i].form, NULL,
		              before, after, why);
		/* The form's row, missing codes, confirmations and alerts go with it (ON DELETE CASCADE). */
		sqlite3_stmt *stmt = rc ? NULL : st_prepare(s, "DELETE FROM entries WHERE id = ?");
		if (!rc && !stmt)
			rc = st_fail(s, why, "import, saisies retirées");
		if (stmt) {
			sqlite3_bind_int64(stmt, 1, gone[i].id);
			rc = sqlite3_step(stmt) == SQLITE_DONE ? 0
			                                       : st_fail(s, why, "import, saisies retirées");
			sqlite3_reset(stmt);
		}
		if (!rc)
			pt->counts.removed++;
	}
	free(gone);
	if (rc || !pt->held_entries)
		return rc;
	sqlite3_stmt *stmt = st_prepare(s, "DELETE FROM patients WHERE structure = ? AND NOT EXISTS "
	                                   "(SELECT 1 FROM entries e WHERE e.patient_id = patients.id)");
	if (!stmt)
		return st_fail(s, why, "import, patients retirés");
	sqlite3_bind_text(stmt, 1, pt->info.structure, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "import, patients retirés");
	sqlite3_reset(stmt);
	return rc;
}

static void import_free(store_import *im)
{
	for (size_t k = 0; k < im->n_parts; k++) {
		import_part *pt = &im->parts[k];
		for (int i = 0; i < 7; i++)
			free(pt->text[i]);
		free(pt->matched);
		free(pt->alert_ids);
		free(pt->slots);
	}
	free(im->parts);
	free(im->manifest_sha256);
	free(im->file_name);
	free(im->source);
	free(im->forms_bundle);
	free(im->col_type);
	free(im->col_id);
	free(im);
}

/* The import log's row of one structure: an export carried again (by a regional archive, or
 * again by its own) replaces the row of the same export. */
static const char import_log_sql[] =
    "INSERT INTO import_log(structure, structure_name, export_id, sequence, period, exported_at, "
    "manifest_sha256, file_name, imported_at, login, rows, added, updated, unchanged, older, deleted, "
    "period_first, period_last, period_complete, content, removed, source, forms_bundle) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
    "?21, ?22, ?23) ON CONFLICT(export_id) DO UPDATE SET structure = ?1, structure_name = ?2, sequence = ?4, "
    "period = ?5, exported_at = ?6, manifest_sha256 = ?7, file_name = ?8, imported_at = ?9, login = ?10, "
    "rows = ?11, added = ?12, updated = ?13, unchanged = ?14, older = ?15, deleted = ?16, "
    "period_first = ?17, period_last = ?18, period_complete = ?19, content = ?20, removed = ?21, "
    "source = ?22, forms_bundle = ?23";

static int import_log_add(store_import *im, const import_part *pt, char **why)
{
	store *s = im->s;
	sqlite3_stmt *stmt = st_prepare(s, import_log_sql);
	if (!stmt)
		return st_fail(s, why, "journal des imports");
	const import_structure *src = &pt->info;
	const import_counts *c = &pt->counts;
	const char *texts[] = {src->structure,   src->structure_name, src->export_id, NULL,    src->period,
	                       src->exported_at, im->manifest_sha256, im->file_name,  im->now, im->login};
	for (int i = 0; i < 10; i++)
		if (i != 3)
			sqlite3_bind_text(stmt, i + 1, texts[i], -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, src->sequence);
	const uint64_t n[] = {c->rows, c->added, c->updated, c->unchanged, c->older, c->deleted};
	for (int i = 0; i < 6; i++)
		sqlite3_bind_int64(stmt, 11 + i, (sqlite3_int64)n[i]);
	if (src->period_first)
		sqlite3_bind_text(stmt, 17, src->period_first, -1, SQLITE_STATIC);
	if (src->period_last)
		sqlite3_bind_text(stmt, 18, src->period_last, -1, SQLITE_STATIC);
	if (src->period_complete >= 0)
		sqlite3_bind_int(stmt, 19, src->period_complete ? 1 : 0);
	sqlite3_bind_text(stmt, 20, im->snapshot ? "snapshot" : "slice", -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 21, (sqlite3_int64)c->removed);
	if (im->source)
		sqlite3_bind_text(stmt, 22, im->source, -1, SQLITE_STATIC);
	if (im->forms_bundle)
		sqlite3_bind_text(stmt, 23, im->forms_bundle, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des imports");
	sqlite3_reset(stmt);
	if (rc)
		return rc;
	char *by = im->source ? xasprintf(", par la base %s", im->source) : xstrdup("");
	char *what = xasprintf("structure %s, export n° %lld (%s, %s), fichier %s%s : %llu ligne(s), %llu "
	                       "ajoutée(s), %llu mise(s) à jour, %llu supprimée(s), %llu inchangée(s), "
	                       "%llu ignorée(s), %llu alerte(s)",
	                       src->structure, (long long)src->sequence, src->period, src->export_id,
	                       im->file_name, by, (unsigned long long)c->rows, (unsigned long long)c->added,
	                       (unsigned long long)c->updated, (unsigned long long)(c->deleted + c->removed),
	                       (unsigned long long)c->unchanged, (unsigned long long)c->older,
	                       (unsigned long long)c->alerts);
	rc = st_audit(s, im->login, "import", NULL, NULL, NULL, NULL, NULL, what, why);
	free(what);
	free(by);
	return rc;
}

int store_import_end(store_import *im, bool keep, import_counts *counts, char **why)
{
	if (!im)
		return 0;
	store *s = im->s;
	int rc = 0;
	for (size_t k = 0; keep && !rc && im->snapshot && k < im->n_parts; k++)
		rc = remove_unheld(im, &im->parts[k], why);
	for (size_t k = 0; keep && !rc && k < im->n_parts; k++)
		rc = import_log_add(im, &im->parts[k], why);
	if (keep && !rc)
		rc = st_commit(s, why);
	else
		st_rollback(s);
	for (size_t k = 0; counts && k < im->n_parts; k++)
		counts[k] = im->parts[k].counts;
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
	 * checked by the importer (complete or incomplete, the only statuses an export has), an
	 * alert's level too, and the audit action is 'import'. SQLite evaluates CHECK (status IN
	 * (…)) with a temporary b-tree built for every row, which doubled the cost of each insert.
	 * Types (STRICT), NOT NULL, UNIQUE and foreign keys stay enforced. store_import_close turns
	 * them back on. */
	sqlite3_exec(st_db_handle(s), "PRAGMA ignore_check_constraints = ON", NULL, NULL, NULL);
	st_import_mode(s, true);
}

void store_import_close(store *s)
{
	st_import_mode(s, false);
	/* What the archives wrote goes into the database file now, and the WAL is emptied. */
	sqlite3_exec(st_db_handle(s),
	             "PRAGMA ignore_check_constraints = OFF; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	             NULL);
}
