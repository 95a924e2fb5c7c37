/* entry.c — saving, loading and deleting entries, with row versions and the audit trail. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

static const char meta_columns[] =
    "e.id, e.uuid, e.patient_id, p.pseudonym, e.form, e.form_version, e.date, e.status, e.author, "
    "e.created_at, e.updated_at, e.row_version, e.structure, "
    "coalesce(e.self_filled_at, '')";

/* Entries with their patient's pseudonym: a structure's entry (no patient) is kept, with an empty
 * pseudonym. */
#define ENTRIES_WITH_PATIENTS "entries e LEFT JOIN patients p ON p.id = e.patient_id"

static void read_meta(sqlite3_stmt *stmt, entry_meta *m)
{
	memset(m, 0, sizeof *m);
	m->id = sqlite3_column_int64(stmt, 0);
	snprintf(m->uuid, sizeof m->uuid, "%s", (const char *)sqlite3_column_text(stmt, 1));
	m->patient_id = sqlite3_column_int64(stmt, 2);
	snprintf(m->pseudonym, sizeof m->pseudonym, "%s", st_col_text(stmt, 3)); /* "" without a patient */
	snprintf(m->form, sizeof m->form, "%s", (const char *)sqlite3_column_text(stmt, 4));
	m->form_version = sqlite3_column_int(stmt, 5);
	snprintf(m->date, sizeof m->date, "%s", (const char *)sqlite3_column_text(stmt, 6));
	snprintf(m->status, sizeof m->status, "%s", (const char *)sqlite3_column_text(stmt, 7));
	snprintf(m->author, sizeof m->author, "%s", (const char *)sqlite3_column_text(stmt, 8));
	snprintf(m->created_at, sizeof m->created_at, "%s", (const char *)sqlite3_column_text(stmt, 9));
	snprintf(m->updated_at, sizeof m->updated_at, "%s", (const char *)sqlite3_column_text(stmt, 10));
	m->row_version = sqlite3_column_int64(stmt, 11);
	snprintf(m->structure, sizeof m->structure, "%s", st_col_text(stmt, 12));
	snprintf(m->self_filled_at, sizeof m->self_filled_at, "%s",
	         (const char *)sqlite3_column_text(stmt, 13));
}

/* Text of a stored column for a field (caller frees), NULL when empty. */
static char *column_text(sqlite3_stmt *stmt, int col, const field *fd)
{
	char buf[64];
	switch (sqlite3_column_type(stmt, col)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER:
		snprintf(buf, sizeof buf, "%lld", (long long)sqlite3_column_int64(stmt, col));
		return xstrdup(buf);
	case SQLITE_FLOAT:
		format_number(sqlite3_column_double(stmt, col), fd->decimals, buf, sizeof buf);
		return xstrdup(buf);
	default:
		return xstrdup((const char *)sqlite3_column_text(stmt, col));
	}
}

/* The stored values of every field of f for one entry, as texts (caller frees each and the
 * array). Columns of fields the form no longer has are ignored. */
static char **stored_texts(store *s, const form *f, int64_t entry_id)
{
	char **texts = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *texts);
	char *sql = xasprintf("SELECT * FROM \"form_%s\" WHERE entry_id = ?", f->id);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	if (!stmt)
		return texts;
	sqlite3_bind_int64(stmt, 1, entry_id);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		int ncol = sqlite3_column_count(stmt);
		for (int c = 1; c < ncol; c++) {
			long i = form_field_index(f, sqlite3_column_name(stmt, c));
			if (i >= 0)
				texts[i] = column_text(stmt, c, &f->fields[i]);
		}
	}
	sqlite3_reset(stmt);
	return texts;
}

static void texts_free(char **texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
}

static missing_code *stored_missing(store *s, const form *f, int64_t entry_id)
{
	missing_code *m = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *m);
	sqlite3_stmt *stmt = st_prepare(s, "SELECT field, code FROM entry_missing WHERE entry_id = ?");
	sqlite3_bind_int64(stmt, 1, entry_id);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		long i = form_field_index(f, (const char *)sqlite3_column_text(stmt, 0));
		if (i >= 0)
			m[i] = missing_code_parse((const char *)sqlite3_column_text(stmt, 1));
	}
	sqlite3_reset(stmt);
	return m;
}

static int bind_value(sqlite3_stmt *stmt, int pos, const field *fd, const char *text)
{
	const char *type = st_field_sql_type(fd);
	long long iv;
	double x;
	if (!text)
		return sqlite3_bind_null(stmt, pos);
	if (strcmp(type, "INTEGER") == 0 && parse_integer(text, &iv))
		return sqlite3_bind_int64(stmt, pos, iv);
	if (strcmp(type, "REAL") == 0 && parse_decimal(text, &x))
		return sqlite3_bind_double(stmt, pos, x);
	return sqlite3_bind_text(stmt, pos, text, -1, SQLITE_TRANSIENT);
}

/* What the entry stores for field i: nothing for hidden fields. */
static const char *saved_text(const record *r, size_t i)
{
	return r->vals[i].visible ? r->vals[i].text : NULL;
}

static missing_code saved_missing(const record *r, size_t i)
{
	return r->vals[i].visible ? r->vals[i].missing : MISS_NONE;
}

static int write_form_row(store *s, const record *r, int64_t entry_id, bool insert, char **why)
{
	const form *f = r->f;
	strbuf sql = STRBUF_INIT;
	if (insert) {
		strbuf_printf(&sql, "INSERT INTO \"form_%s\"(entry_id", f->id);
		for (size_t i = 0; i < f->n_fields; i++)
			if (st_field_sql_type(&f->fields[i]))
				strbuf_printf(&sql, ", \"%s\"", f->fields[i].id);
		strbuf_puts(&sql, ") VALUES (?1");
		for (size_t i = 0, k = 2; i < f->n_fields; i++)
			if (st_field_sql_type(&f->fields[i]))
				strbuf_printf(&sql, ", ?%zu", k++);
		strbuf_puts(&sql, ")");
	} else {
		strbuf_printf(&sql, "UPDATE \"form_%s\" SET entry_id = ?1", f->id);
		for (size_t i = 0, k = 2; i < f->n_fields; i++)
			if (st_field_sql_type(&f->fields[i]))
				strbuf_printf(&sql, ", \"%s\" = ?%zu", f->fields[i].id, k++);
		strbuf_puts(&sql, " WHERE entry_id = ?1");
	}
	sqlite3_stmt *stmt = st_prepare(s, strbuf_str(&sql));
	strbuf_done(&sql);
	if (!stmt)
		return st_fail(s, why, "préparation de l'enregistrement");
	sqlite3_bind_int64(stmt, 1, entry_id);
	int k = 2;
	for (size_t i = 0; i < f->n_fields; i++)
		if (st_field_sql_type(&f->fields[i]))
			bind_value(stmt, k++, &f->fields[i], saved_text(r, i));
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "enregistrement des valeurs");
	sqlite3_reset(stmt);
	return rc;
}

static int write_missing(store *s, const record *r, int64_t entry_id, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "DELETE FROM entry_missing WHERE entry_id = ?");
	sqlite3_bind_int64(stmt, 1, entry_id);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "codes manquants");
	sqlite3_reset(stmt);
	for (size_t i = 0; !rc && i < r->f->n_fields; i++) {
		missing_code m = saved_missing(r, i);
		if (m == MISS_NONE)
			continue;
		stmt = st_prepare(s, "INSERT INTO entry_missing(entry_id, field, code) VALUES (?, ?, ?)");
		sqlite3_bind_int64(stmt, 1, entry_id);
		sqlite3_bind_text(stmt, 2, r->f->fields[i].id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, missing_code_name(m), -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "codes manquants");
		sqlite3_reset(stmt);
	}
	return rc;
}

static const char *reason_for(const confirmation *c, size_t n, size_t idx)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].field == idx && c[i].reason && *c[i].reason)
			return c[i].reason;
	return NULL;
}

static int write_confirmations(store *s, const record *r, int64_t entry_id, const issue *iss, size_t n_iss,
                               const confirmation *conf, size_t n_conf, const char *login, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	/* Keep earlier reasons for warnings that still hold; drop those that no longer do. */
	strbuf keep = STRBUF_INIT;
	strbuf_puts(&keep, "DELETE FROM entry_confirmations WHERE entry_id = ? AND field NOT IN (''");
	for (size_t i = 0; i < n_iss; i++)
		if (iss[i].kind == ISSUE_WARNING)
			strbuf_printf(&keep, ", '%s'", r->f->fields[iss[i].field].id);
	strbuf_puts(&keep, ")");
	sqlite3_stmt *stmt = NULL;
	int rc = 0;
	if (sqlite3_prepare_v2(st_db_handle(s), strbuf_str(&keep), -1, &stmt, NULL) != SQLITE_OK)
		rc = st_fail(s, why, "confirmations");
	strbuf_done(&keep);
	if (!rc) {
		sqlite3_bind_int64(stmt, 1, entry_id);
		if (sqlite3_step(stmt) != SQLITE_DONE)
			rc = st_fail(s, why, "confirmations");
	}
	sqlite3_finalize(stmt);
	for (size_t i = 0; !rc && i < n_iss; i++) {
		if (iss[i].kind != ISSUE_WARNING)
			continue;
		const field *fd = &r->f->fields[iss[i].field];
		const char *reason = reason_for(conf, n_conf, iss[i].field);
		stmt = st_prepare(
		    s, reason ? "INSERT OR REPLACE INTO entry_confirmations(entry_id, field, rule, reason, "
		                "confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)"
		              : "INSERT OR IGNORE INTO entry_confirmations(entry_id, field, rule, reason, "
		                "confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)");
		sqlite3_bind_int64(stmt, 1, entry_id);
		sqlite3_bind_text(stmt, 2, fd->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, fd->soft_message.fr, -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(stmt, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, login, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 6, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "confirmations");
		sqlite3_reset(stmt);
	}
	return rc;
}

int store_entry_reasons(store *s, int64_t entry_id,
                        void (*fn)(void *ctx, const char *field, const char *reason), void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT field, reason FROM entry_confirmations "
	                                   "WHERE entry_id = ? AND reason IS NOT NULL");
	if (!stmt)
		return st_fail(s, why, "raisons des avertissements");
	sqlite3_bind_int64(stmt, 1, entry_id);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		fn(ctx, (const char *)sqlite3_column_text(stmt, 0),
		   (const char *)sqlite3_column_text(stmt, 1));
	sqlite3_reset(stmt);
	return step == SQLITE_DONE ? 0 : st_fail(s, why, "raisons des avertissements");
}

/* The audit text of a field's value: the value, its missing code, or nothing. */
static const char *audit_text(const char *text, missing_code m)
{
	return text ? text : m ? missing_code_name(m) : NULL;
}

static const char identity_mask[] = "(donnée d'identité : valeur non journalisée)";

static int audit_changes(store *s, const record *r, const entry_meta *m, char **old,
                         const missing_code *old_miss, const char *login, char **why)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		if (fd->type == FT_CALCULATED || fd->type == FT_NOTE)
			continue;
		const char *before = audit_text(old[i], old_miss[i]);
		const char *after = audit_text(saved_text(r, i), saved_missing(r, i));
		if (str_eq(before, after))
			continue;
		if (fd->identifier) /* both sides masked: "(vide)" would claim the old value was empty */
			rc = st_audit(s, login, "update", m->uuid, m->pseudonym, m->form, fd->id,
			              before ? identity_mask : NULL, after ? identity_mask : NULL, why);
		else
			rc = st_audit(s, login, "update", m->uuid, m->pseudonym, m->form, fd->id, before,
			              after, why);
	}
	return rc;
}

static int check_version(store *s, entry_meta *meta, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT row_version, updated_at FROM entries WHERE id = ?");
	sqlite3_bind_int64(stmt, 1, meta->id);
	int rc = 0;
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		set_why(why, "entrée %s : supprimée par un autre utilisateur pendant la saisie", meta->uuid);
		rc = EXIT_TEMPFAIL;
	} else if (sqlite3_column_int64(stmt, 0) != meta->row_version) {
		char at[32];
		snprintf(at, sizeof at, "%s", (const char *)sqlite3_column_text(stmt, 1));
		sqlite3_reset(stmt);
		/* Name who made the newer version, from the audit trail. */
		sqlite3_stmt *who = st_prepare(
		    s, "SELECT login FROM audit_log WHERE entry_uuid = ? ORDER BY id DESC LIMIT 1");
		sqlite3_bind_text(who, 1, meta->uuid, -1, SQLITE_STATIC);
		char by[64] = "?";
		if (sqlite3_step(who) == SQLITE_ROW)
			snprintf(by, sizeof by, "%s", (const char *)sqlite3_column_text(who, 0));
		sqlite3_reset(who);
		set_why(why,
		        "entrée %.8s : modifiée par %s le %s pendant votre saisie ; rien n'a été écrasé : "
		        "rouvrir l'entrée pour voir ses valeurs",
		        meta->uuid, by, at);
		return EXIT_TEMPFAIL;
	}
	sqlite3_reset(stmt);
	return rc;
}

static const char *status_for(const issue *iss, size_t n, bool draft)
{
	if (draft)
		return "draft";
	for (size_t i = 0; i < n; i++)
		if (iss[i].kind == ISSUE_REQUIRED)
			return "incomplete";
	return "complete";
}

/* Record that the patient answered the entry meta on the screen (meta->self_filled_at, when it
 * is set and the entry does not say so yet), with its line in the audit trail. */
static int mark_self_filled(store *s, const entry_meta *meta, const char *login, char **why)
{
	if (!meta->self_filled_at[0])
		return 0;
	sqlite3_stmt *stmt =
	    st_prepare(s, "UPDATE entries SET self_filled_at = ?1 WHERE id = ?2 AND self_filled_at IS NULL");
	if (!stmt)
		return st_fail(s, why, "entrée remplie par le patient");
	sqlite3_bind_text(stmt, 1, meta->self_filled_at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, meta->id);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "entrée remplie par le patient");
	sqlite3_reset(stmt);
	if (rc || sqlite3_changes(st_db_handle(s)) == 0)
		return rc;
	return st_audit(s, login, "update", meta->uuid, meta->pseudonym, meta->form, STORE_SELF_FILLED_FIELD,
	                NULL, meta->self_filled_at, why);
}

static int insert_entry(store *s, const record *r, entry_meta *meta, const char *status, const char *now,
                        const char *login, char **why)
{
	util_uuid_v4(meta->uuid);
	bool own = r->f->scope == SCOPE_STRUCTURE;
	if (own && !*meta->structure && !store_structure(s, meta->structure, NULL)) {
		set_why(why,
		        "%s : base sans structure : une fiche de la structure ne peut pas y être "
		        "enregistrée",
		        r->f->id);
		return EXIT_DATAERR;
	}
	if (own != (meta->patient_id == 0)) {
		set_why(why,
		        own ? "%s : formulaire de la structure : il ne concerne aucun patient"
		            : "%s : formulaire d'un patient : le patient manque",
		        r->f->id);
		return EXIT_DATAERR;
	}
	sqlite3_stmt *stmt = st_prepare(
	    s, "INSERT INTO entries(uuid, patient_id, structure, form, form_version, date, status, "
	       "author, created_at, updated_at, row_version) "
	       "VALUES (?1, ?2, ?10, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)");
	sqlite3_bind_text(stmt, 1, meta->uuid, -1, SQLITE_STATIC);
	if (own)
		sqlite3_bind_text(stmt, 10, meta->structure, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 2, meta->patient_id);
	sqlite3_bind_text(stmt, 3, r->f->id, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 4, r->f->version);
	sqlite3_bind_text(stmt, 5, meta->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 8, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 9, now, -1, SQLITE_STATIC);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "création de l'entrée");
	sqlite3_reset(stmt);
	if (rc)
		return rc;
	meta->id = sqlite3_last_insert_rowid(st_db_handle(s));
	meta->row_version = 1;
	snprintf(meta->author, sizeof meta->author, "%s", login);
	snprintf(meta->created_at, sizeof meta->created_at, "%s", now);
	if ((rc = write_form_row(s, r, meta->id, true, why)))
		return rc;
	/* The creation row lists the values entered (identity values excepted), so that the trail
	 * alone tells who entered what; later changes get one row per field. */
	strbuf values = STRBUF_INIT;
	strbuf_puts(&values, status);
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		const char *text = audit_text(saved_text(r, i), saved_missing(r, i));
		if (!text || fd->type == FT_CALCULATED || fd->type == FT_NOTE)
			continue;
		strbuf_printf(&values, "%s%s=%s", values.len == strlen(status) ? " : " : ", ", fd->id,
		              fd->identifier ? "(identité)" : text);
	}
	rc = st_audit(s, login, "create", meta->uuid, meta->pseudonym, r->f->id, NULL, NULL,
	              strbuf_str(&values), why);
	strbuf_done(&values);
	return rc ? rc : mark_self_filled(s, meta, login, why);
}

static int update_entry(store *s, const record *r, entry_meta *meta, const char *status, const char *now,
                        const char *login, char **why)
{
	int rc = check_version(s, meta, why);
	if (rc)
		return rc;
	char **old = stored_texts(s, r->f, meta->id);
	missing_code *old_miss = stored_missing(s, r->f, meta->id);
	entry_meta before;
	sqlite3_stmt *stmt = st_prepare(s, "SELECT date, status FROM entries WHERE id = ?");
	sqlite3_bind_int64(stmt, 1, meta->id);
	sqlite3_step(stmt);
	snprintf(before.date, sizeof before.date, "%s", (const char *)sqlite3_column_text(stmt, 0));
	snprintf(before.status, sizeof before.status, "%s", (const char *)sqlite3_column_text(stmt, 1));
	sqlite3_reset(stmt);
	stmt = st_prepare(s, "UPDATE entries SET date = ?, status = ?, form_version = ?, updated_at = ?, "
	                     "row_version = row_version + 1 WHERE id = ?");
	sqlite3_bind_text(stmt, 1, meta->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 3, r->f->version);
	sqlite3_bind_text(stmt, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, meta->id);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "mise à jour de l'entrée");
	sqlite3_reset(stmt);
	if (!rc)
		rc = write_form_row(s, r, meta->id, false, why);
	if (!rc)
		rc = audit_changes(s, r, meta, old, old_miss, login, why);
	if (!rc && strcmp(before.date, meta->date) != 0)
		rc = st_audit(s, login, "update", meta->uuid, meta->pseudonym, r->f->id, "date", before.date,
		              meta->date, why);
	if (!rc && strcmp(before.status, status) != 0)
		rc = st_audit(s, login, "update", meta->uuid, meta->pseudonym, r->f->id, "statut",
		              before.status, status, why);
	if (!rc)
		rc = mark_self_filled(s, meta, login, why);
	texts_free(old, r->f->n_fields);
	free(old_miss);
	if (!rc)
		meta->row_version++;
	return rc;
}

static record *load_record(store *s, const formset *fs, const form *f, const entry_meta *meta);

static void note_patient_ref(void *ctx, int slot)
{
	if (slot >= SLOT_PATIENT_BASE && slot < SLOT_SEUIL_BASE)
		*(bool *)ctx = true;
}

/* Whether what a form stores depends on the patient's own record (patient.<field> in a
 * calculated field, a show_if or an alert). */
static bool form_reads_patient(const form *f)
{
	bool uses = false;
	for (size_t i = 0; i < f->n_fields; i++) {
		if (f->fields[i].calc)
			expr_foreach_ref(f->fields[i].calc, note_patient_ref, &uses);
		if (f->fields[i].show_if)
			expr_foreach_ref(f->fields[i].show_if, note_patient_ref, &uses);
	}
	for (size_t k = 0; k < f->n_alerts; k++)
		expr_foreach_ref(f->alerts[k].cond, note_patient_ref, &uses);
	return uses;
}

int st_recompute(store *s, const formset *fs, const form *f, int64_t patient_id, const record *patient,
                 const char *login, char **why)
{
	char *sql = xasprintf("SELECT %s FROM " ENTRIES_WITH_PATIENTS " "
	                      "WHERE e.form = ?1 AND (?2 = 0 OR e.patient_id = ?2) ORDER BY e.patient_id",
	                      meta_columns);
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(st_db_handle(s), sql, -1, &stmt, NULL) == SQLITE_OK
	             ? 0
	             : st_fail(s, why, "recalcul des scores");
	free(sql);
	if (rc)
		return rc;
	sqlite3_bind_text(stmt, 1, f->id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, patient_id);
	record *cached = NULL; /* the patient record of the previous row, when not given */
	int64_t cached_id = 0;
	while (!rc && sqlite3_step(stmt) == SQLITE_ROW) {
		entry_meta m;
		read_meta(stmt, &m);
		const record *p = patient;
		if (!p && strcmp(f->id, "patient") != 0) {
			if (m.patient_id != cached_id) {
				record_free(cached);
				cached = store_patient_record(s, fs, m.patient_id);
				cached_id = m.patient_id;
			}
			p = cached;
		}
		record *r = load_record(s, fs, f, &m);
		r->patient = p;
		record_compute(r);
		/* Only entries whose stored scores actually change are rewritten, and they get a new
		 * row version, so that a regional import sees the change. */
		char **before = stored_texts(s, f, m.id);
		bool changed = false;
		for (size_t i = 0; i < f->n_fields && !changed; i++)
			if (f->fields[i].type == FT_CALCULATED)
				changed = !str_eq(before[i], saved_text(r, i));
		texts_free(before, f->n_fields);
		if (!changed) {
			record_free(r);
			continue;
		}
		rc = write_form_row(s, r, m.id, false, why);
		if (!rc) {
			char now[32];
			time_now_iso(now, sizeof now);
			sqlite3_stmt *up =
			    st_prepare(s, "UPDATE entries SET row_version = row_version + 1, updated_at = ? "
			                  "WHERE id = ?");
			sqlite3_bind_text(up, 1, now, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(up, 2, m.id);
			if (sqlite3_step(up) != SQLITE_DONE)
				rc = st_fail(s, why, "recalcul des scores");
			sqlite3_reset(up);
		}
		if (!rc && strcmp(m.status, "draft") != 0)
			rc = st_sync_alerts(s, r, &m, NULL, login, why);
		record_free(r);
	}
	record_free(cached);
	sqlite3_finalize(stmt);
	return rc;
}

/* After the patient's own record changed, the stored scores of their other entries that read
 * it (AUDIT's French class reads the sex) are brought up to date in the same transaction. */
static int refresh_patient_dependents(store *s, const record *patient, int64_t patient_id, const char *login,
                                      char **why)
{
	int rc = 0;
	for (size_t i = 0; !rc && i < patient->fs->n_forms; i++) {
		const form *f = patient->fs->forms[i];
		if (f != patient->f && form_reads_patient(f))
			rc = st_recompute(s, patient->fs, f, patient_id, patient, login, why);
	}
	return rc;
}

int store_entry_save(store *s, const record *r, entry_meta *meta, bool want_draft,
                     const confirmation *confirms, size_t n_confirms, const char *login, char **why)
{
	char *bad_date = record_date_problem(r);
	if (bad_date) {
		set_why(why, "%s", bad_date);
		free(bad_date);
		return EXIT_DATAERR;
	}
	issue *iss = NULL;
	size_t n_iss = record_check(r, &iss);
	for (size_t i = 0; i < n_iss; i++)
		if (iss[i].kind == ISSUE_ERROR) {
			set_why(why, "%s", iss[i].message);
			issues_free(iss, n_iss);
			return EXIT_DATAERR;
		}
	int rc = meta->id == 0 ? store_refuse_in_region(s, "nouvelle saisie", why) : 0;
	if (rc) {
		issues_free(iss, n_iss);
		return rc;
	}
	const char *status = status_for(iss, n_iss, want_draft);
	char now[32];
	time_now_iso(now, sizeof now);
	date_format(r->date, meta->date);
	snprintf(meta->form, sizeof meta->form, "%s", r->f->id);
	meta->form_version = r->f->version;
	meta->alert_raised = 0;
	rc = st_begin(s, why);
	if (!rc) {
		bool insert = meta->id == 0;
		/* The entry as stored until now: a worsening raises an acknowledged alert again. */
		record *before = insert || want_draft ? NULL : load_record(s, r->fs, r->f, meta);
		if (before) {
			before->patient = r->patient;
			record_compute(before);
		}
		rc = insert ? insert_entry(s, r, meta, status, now, login, why)
		            : update_entry(s, r, meta, status, now, login, why);
		if (!rc)
			rc = write_missing(s, r, meta->id, why);
		if (!rc)
			rc =
			    write_confirmations(s, r, meta->id, iss, n_iss, confirms, n_confirms, login, why);
		if (!rc && !want_draft)
			rc = st_sync_alerts(s, r, meta, before, login, why);
		record_free(before);
		if (!rc && !insert && strcmp(r->f->id, "patient") == 0)
			rc = refresh_patient_dependents(s, r, meta->patient_id, login, why);
		if (rc) {
			st_rollback(s);
			if (insert)
				meta->id = 0;
		} else {
			rc = st_commit(s, why);
		}
	}
	if (!rc) {
		snprintf(meta->status, sizeof meta->status, "%s", status);
		snprintf(meta->updated_at, sizeof meta->updated_at, "%s", now);
	}
	issues_free(iss, n_iss);
	return rc;
}

static int find_meta(store *s, const char *uuid, entry_meta *meta, char **why)
{
	size_t len = strlen(uuid);
	if (len < 6 || len > 36 || strspn(uuid, "0123456789abcdef-") != len) {
		set_why(why, "« %s » n'est pas un identifiant d'entrée (au moins 6 caractères hexadécimaux)",
		        uuid);
		return EXIT_USAGE;
	}
	char *sql = xasprintf("SELECT %s FROM " ENTRIES_WITH_PATIENTS " "
	                      "WHERE e.uuid >= ?1 AND e.uuid < ?1 || 'g' ORDER BY e.uuid LIMIT 2",
	                      meta_columns);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_STATIC);
	int found = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		if (found++ == 0)
			read_meta(stmt, meta);
	}
	sqlite3_reset(stmt);
	if (found == 0) {
		set_why(why, "entrée %s introuvable", uuid);
		return EXIT_NOINPUT;
	}
	if (found > 1) {
		set_why(why, "« %s » désigne plusieurs entrées : donner plus de caractères", uuid);
		return EXIT_USAGE;
	}
	return 0;
}

static record *load_record(store *s, const formset *fs, const form *f, const entry_meta *meta)
{
	long day = 0;
	date_parse(meta->date, &day);
	record *r = record_new(fs, f, day);
	char **texts = stored_texts(s, f, meta->id);
	missing_code *miss = stored_missing(s, f, meta->id);
	for (size_t i = 0; i < f->n_fields; i++)
		if (f->fields[i].type != FT_CALCULATED)
			record_set_raw(r, i, texts[i], miss[i]);
	texts_free(texts, f->n_fields);
	free(miss);
	return r;
}

/* The queries by patient and form say "+form" so that SQLite searches the patient's few entries
 * (entries_by_patient) rather than every entry of the form (entries_by_form), which made listing
 * N patients cost N² row reads. */
record *store_patient_record(store *s, const formset *fs, int64_t patient_id)
{
	const form *pf = formset_form(fs, "patient");
	if (!pf)
		return NULL;
	char *sql = xasprintf("SELECT %s FROM " ENTRIES_WITH_PATIENTS " "
	                      "WHERE e.patient_id = ? AND +e.form = 'patient' ORDER BY e.id LIMIT 1",
	                      meta_columns);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	sqlite3_bind_int64(stmt, 1, patient_id);
	entry_meta m;
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		read_meta(stmt, &m);
	sqlite3_reset(stmt);
	if (!found)
		return NULL;
	record *r = load_record(s, fs, pf, &m);
	record_compute(r);
	return r;
}

record *store_entry_load(store *s, const formset *fs, const char *uuid, entry_meta *meta, char **why,
                         int *code)
{
	*code = find_meta(s, uuid, meta, why);
	if (*code)
		return NULL;
	const form *f = formset_form(fs, meta->form);
	if (!f) {
		set_why(why, "entrée %.8s : formulaire « %s » absent du dossier des formulaires", meta->uuid,
		        meta->form);
		*code = EXIT_DATAERR;
		return NULL;
	}
	record *r = load_record(s, fs, f, meta);
	if (f->scope == SCOPE_PATIENT && strcmp(f->id, "patient") != 0) {
		r->patient = store_patient_record(s, fs, meta->patient_id);
		r->owns_patient = true;
	}
	record_compute(r);
	return r;
}

bool store_once_entry(store *s, int64_t patient_id, const char *form_id, char uuid[37])
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT uuid FROM entries WHERE patient_id = ? AND +form = ? LIMIT 1");
	sqlite3_bind_int64(stmt, 1, patient_id);
	sqlite3_bind_text(stmt, 2, form_id, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		snprintf(uuid, 37, "%s", (const char *)sqlite3_column_text(stmt, 0));
	sqlite3_reset(stmt);
	return found;
}

int store_entry_delete(store *s, const formset *fs, const char *uuid, const char *login, char **why)
{
	entry_meta m;
	int rc = find_meta(s, uuid, &m, why);
	if (rc || (rc = st_begin(s, why)))
		return rc;
	rc = st_audit(s, login, "delete", m.uuid, m.pseudonym, m.form, NULL, m.date, NULL, why);
	/* The old values go to the audit trail, so that a deletion can be undone by hand; identity
	 * values never do. */
	const form *f = formset_form(fs, m.form);
	if (!rc && f) {
		char **old = stored_texts(s, f, m.id);
		missing_code *old_miss = stored_missing(s, f, m.id);
		for (size_t i = 0; !rc && i < f->n_fields; i++) {
			const field *fd = &f->fields[i];
			const char *before = audit_text(old[i], old_miss[i]); /* a missing code too */
			if (before && !fd->identifier && fd->type != FT_CALCULATED)
				rc = st_audit(s, login, "delete", m.uuid, m.pseudonym, m.form, fd->id, before,
				              NULL, why);
		}
		texts_free(old, f->n_fields);
		free(old_miss);
	}
	if (!rc) {
		char *sql =
		    xasprintf("DELETE FROM \"form_%s\" WHERE entry_id = %lld", m.form, (long long)m.id);
		if (sqlite3_exec(st_db_handle(s), sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = st_fail(s, why, "suppression");
		free(sql);
	}
	sqlite3_stmt *stmt = st_prepare(s, "DELETE FROM entries WHERE id = ?");
	sqlite3_bind_int64(stmt, 1, m.id);
	if (!rc && sqlite3_step(stmt) != SQLITE_DONE)
		rc = st_fail(s, why, "suppression");
	sqlite3_reset(stmt);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

/* Call fn for each row of the meta query sql (one int64 or text parameter, bound by bind), read
 * first: fn may run other statements on the same connection. */
static int each_meta(store *s, const char *where, int64_t id, const char *text,
                     void (*fn)(void *ctx, const entry_meta *m), void *ctx, char **why)
{
	char *sql = xasprintf("SELECT %s FROM " ENTRIES_WITH_PATIENTS " WHERE %s ORDER BY e.date, e.id",
	                      meta_columns, where);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	if (!stmt)
		return st_fail(s, why, "liste des entrées");
	if (text)
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 1, id);
	entry_meta *v = NULL;
	size_t n = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		read_meta(stmt, &v[n++]);
	}
	sqlite3_reset(stmt);
	for (size_t i = 0; i < n; i++)
		fn(ctx, &v[i]);
	free(v);
	return 0;
}

int store_entry_each(store *s, int64_t patient_id, void (*fn)(void *ctx, const entry_meta *m), void *ctx,
                     char **why)
{
	return each_meta(s, "e.patient_id = ?1", patient_id, NULL, fn, ctx, why);
}

int store_entry_each_form(store *s, const char *form_id, void (*fn)(void *ctx, const entry_meta *m),
                          void *ctx, char **why)
{
	return each_meta(s, "e.form = ?1", 0, form_id, fn, ctx, why);
}

void store_log_refusal(store *s, const char *login, const char *what)
{
	char *why = NULL;
	if (st_begin(s, &why) == 0) {
		if (st_audit(s, login, "refused", NULL, NULL, NULL, NULL, NULL, what, &why) == 0)
			st_commit(s, &why);
		else
			st_rollback(s);
	}
	free(why); /* a refusal that cannot be logged is still refused */
}

static const char *action_label(const char *action)
{
	static const char *const table[][2] = {
	    {"create", "création"},    {"update", "modification"}, {"delete", "suppression"},
	    {"user", "utilisateur"},   {"patient", "patient"},     {"init", "initialisation"},
	    {"schema", "formulaires"}, {"refused", "REFUSÉ"},      {"export", "export"},
	    {"import", "import"},      {"backup", "sauvegarde"},
	};
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strcmp(action, table[i][0]) == 0)
			return table[i][1];
	return action;
}

int store_log_print(store *s, const char *since, FILE *out, char **why)
{
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT at, login, action, entry_uuid, pseudonym, form, field, old_value, "
	                  "new_value FROM audit_log WHERE at >= ? ORDER BY id");
	if (!stmt)
		return st_fail(s, why, "journal");
	sqlite3_bind_text(stmt, 1, since ? since : "", -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *col[9];
		for (int i = 0; i < 9; i++)
			col[i] = (const char *)sqlite3_column_text(stmt, i);
		strbuf line = STRBUF_INIT;
		strbuf_printf(&line, "%s  %s  %s", col[0], col[1], action_label(col[2]));
		if (col[5])
			strbuf_printf(&line, "  %s", col[5]);
		if (col[3])
			strbuf_printf(&line, " %.8s", col[3]);
		if (col[4])
			strbuf_printf(&line, "  patient %s", col[4]);
		if (col[6])
			strbuf_printf(&line, "  %s :", col[6]);
		if (col[7] || (col[6] && col[8]))
			strbuf_printf(&line, " %s →", col[7] ? col[7] : "(vide)");
		if (col[8] || col[6] || col[7]) /* never a dangling "→" (deletion of an entry) */
			strbuf_printf(&line, " %s", col[8] ? col[8] : "(vide)");
		fputs_safe(strbuf_str(&line), out);
		fputc('\n', out);
		strbuf_done(&line);
	}
	sqlite3_reset(stmt);
	return 0;
}

/* Text of a stored column as column_text gives it, without allocating: borrowed from the
 * statement or from buf, valid until the next step. */
static const char *column_text_into(sqlite3_stmt *stmt, int col, const field *fd, char buf[64])
{
	switch (sqlite3_column_type(stmt, col)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER:
		snprintf(buf, 64, "%lld", (long long)sqlite3_column_int64(stmt, col));
		return buf;
	case SQLITE_FLOAT:
		format_number(sqlite3_column_double(stmt, col), fd->decimals, buf, 64);
		return buf;
	default:
		return (const char *)sqlite3_column_text(stmt, col);
	}
}

/* The list query for these fields of the patient form pf (NULL: no such form). A patient's own
 * record is their first entry of the form, as store_patient_record reads it, found for all
 * patients by one GROUP BY (over entries_by_form_patient) rather than one query each. A field
 * the form lacks, or that stores nothing (a note), is selected as NULL. fds gets each field (or
 * NULL). Caller frees the text. */
static char *patient_rows_sql(const form *pf, const char *const *ids, size_t n, const field **fds)
{
	strbuf sql = STRBUF_INIT;
	strbuf_puts(&sql, "SELECT p.id, p.pseudonym, ");
	strbuf_puts(&sql, pf ? "e.id" : "NULL");
	for (size_t k = 0; k < n; k++) {
		long i = pf ? form_field_index(pf, ids[k]) : -1;
		fds[k] = i >= 0 && st_field_sql_type(&pf->fields[i]) ? &pf->fields[i] : NULL;
		if (fds[k])
			strbuf_printf(&sql, ", f.\"%s\"", fds[k]->id);
		else
			strbuf_puts(&sql, ", NULL");
	}
	strbuf_puts(&sql, " FROM patients p");
	if (pf)
		strbuf_printf(&sql,
		              " LEFT JOIN (SELECT patient_id, min(id) AS id FROM entries WHERE form = '%s' "
		              "GROUP BY patient_id) e ON e.patient_id = p.id"
		              " LEFT JOIN \"form_%s\" f ON f.entry_id = e.id",
		              pf->id, pf->id);
	strbuf_puts(&sql, " ORDER BY p.pseudonym");
	return strbuf_take(&sql);
}

int store_patient_rows(store *s, const formset *fs, const char *const *ids, size_t n,
                       void (*fn)(void *ctx, const patient_row *row), void *ctx, char **why)
{
	const form *pf = formset_form(fs, "patient");
	const field **fds = xcalloc(n ? n : 1, sizeof *fds);
	char *sql = patient_rows_sql(pf, ids, n, fds);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	if (!stmt) {
		free(fds);
		return st_fail(s, why, "liste des patients");
	}
	const char **texts = xcalloc(n ? n : 1, sizeof *texts);
	char(*bufs)[64] = xcalloc(n ? n : 1, sizeof *bufs);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		patient_row row = {
		    .id = sqlite3_column_int64(stmt, 0),
		    .pseudonym = (const char *)sqlite3_column_text(stmt, 1),
		    .has_record = sqlite3_column_type(stmt, 2) != SQLITE_NULL,
		    .texts = texts,
		};
		for (size_t k = 0; k < n; k++)
			texts[k] = fds[k] ? column_text_into(stmt, (int)k + 3, fds[k], bufs[k]) : NULL;
		fn(ctx, &row);
	}
	int rc = step == SQLITE_DONE ? 0 : st_fail(s, why, "liste des patients");
	sqlite3_reset(stmt);
	free(bufs);
	free(texts);
	free(fds);
	return rc;
}
