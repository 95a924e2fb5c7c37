/* alert.c — clinical alerts: raised when a saved entry meets an alert rule of its form, kept
 * until a professional acknowledges them. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/store_internal.h"

static const char *const level_names[] = {"info", "attention", "urgent"};

/* What walk_worse compares: the values before and after a save, and whether one got worse. */
typedef struct {
	const record *before, *after;
	int depth;
	bool worse;
} worse_walk;

static void walk_worse(void *ctx, int slot);

/* Whether field i reads worse after the save than before: a number higher, another value
 * changed; a calculated text (a zone, a class) by the numbers it is calculated from. */
static void compare_field(worse_walk *w, size_t i)
{
	const field *fd = &w->after->f->fields[i];
	value b = record_value(w->before, i), a = record_value(w->after, i);
	if (a.kind == V_NUM || a.kind == V_BOOL) {
		w->worse |= a.kind == b.kind ? a.num > b.num : b.kind == V_MISSING;
		return;
	}
	if (fd->calc && w->depth < 8) {
		w->depth++;
		expr_foreach_ref(fd->calc, walk_worse, w);
		w->depth--;
		return;
	}
	char *bt = value_to_text(b, -1), *at = value_to_text(a, -1);
	w->worse |= !str_eq(bt, at);
	free(bt);
	free(at);
}

static void walk_worse(void *ctx, int slot)
{
	worse_walk *w = ctx;
	if (slot >= 0 && slot < SLOT_PATIENT_BASE && (size_t)slot < w->after->f->n_fields)
		compare_field(w, (size_t)slot);
}

/* Whether alert rule k, which holds after the save, calls for a new look at the entry saved
 * over before: it did not hold before, or a value it reads got worse (PHQ-9 item 9 from 2 to 3,
 * an AUDIT total higher in zone IV). */
static bool worsened(const record *before, const record *after, size_t k)
{
	if (!record_alert_active(before, k))
		return true;
	worse_walk w = {before, after, 0, false};
	expr_foreach_ref(after->f->alerts[k].cond, walk_worse, &w);
	return w.worse;
}

/* The alert of rule k on an entry, acknowledged, is raised again: the acknowledgement (who,
 * when, the note) goes to the audit trail, the row is open again. */
static int raise_again(store *s, const record *r, entry_meta *meta, size_t k, int64_t id, const char *now,
                       const char *login, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "SELECT acknowledged_by, acknowledged_at, note FROM alerts "
	                                   "WHERE id = ?");
	sqlite3_bind_int64(stmt, 1, id);
	char *was = NULL;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *note = (const char *)sqlite3_column_text(stmt, 2);
		was = xasprintf("prise en compte par %s le %s%s%s%s", sqlite3_column_text(stmt, 0),
		                sqlite3_column_text(stmt, 1), note ? " (note : « " : "", note ? note : "",
		                note ? " »)" : "");
	}
	sqlite3_reset(stmt);
	const alert_rule *a = &r->f->alerts[k];
	stmt = st_prepare(s, "UPDATE alerts SET level = ?, message = ?, raised_at = ?, raised_by = ?, "
	                     "acknowledged_at = NULL, acknowledged_by = NULL, note = NULL WHERE id = ?");
	sqlite3_bind_text(stmt, 1, level_names[a->level], -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, a->message.fr, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, id);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "alertes");
	sqlite3_reset(stmt);
	if (!rc)
		rc = st_audit(s, login, "update", meta->uuid, meta->pseudonym, r->f->id, "alerte", was,
		              "levée à nouveau : aggravation", why);
	free(was);
	return rc;
}

int st_sync_alerts(store *s, const record *r, entry_meta *meta, const record *before, const char *login,
                   char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = 0;
	meta->alert_raised = 0;
	for (size_t k = 0; !rc && k < r->f->n_alerts; k++) {
		const alert_rule *a = &r->f->alerts[k];
		sqlite3_stmt *stmt;
		if (!record_alert_active(r, k)) {
			stmt = st_prepare(
			    s,
			    "DELETE FROM alerts WHERE entry_id = ? AND rule = ? AND acknowledged_at IS NULL");
			sqlite3_bind_int64(stmt, 1, meta->id);
			sqlite3_bind_text(stmt, 2, a->id, -1, SQLITE_STATIC);
			if (sqlite3_step(stmt) != SQLITE_DONE)
				rc = st_fail(s, why, "alertes");
			sqlite3_reset(stmt);
			continue;
		}
		stmt = st_prepare(s, "SELECT id, acknowledged_at IS NOT NULL FROM alerts "
		                     "WHERE entry_id = ? AND rule = ?");
		sqlite3_bind_int64(stmt, 1, meta->id);
		sqlite3_bind_text(stmt, 2, a->id, -1, SQLITE_STATIC);
		bool found = sqlite3_step(stmt) == SQLITE_ROW;
		int64_t id = found ? sqlite3_column_int64(stmt, 0) : 0;
		bool acked = found && sqlite3_column_int(stmt, 1);
		sqlite3_reset(stmt);
		if (found && acked && before && worsened(before, r, k)) {
			rc = raise_again(s, r, meta, k, id, now, login, why);
			meta->alert_raised = id;
		} else if (!found) {
			stmt = st_prepare(s, "INSERT INTO alerts(entry_id, rule, level, message, raised_at, "
			                     "raised_by) VALUES (?, ?, ?, ?, ?, ?)");
			sqlite3_bind_int64(stmt, 1, meta->id);
			sqlite3_bind_text(stmt, 2, a->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 3, level_names[a->level], -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 4, a->message.fr, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 5, now, -1, SQLITE_STATIC);
			sqlite3_bind_text(stmt, 6, login, -1, SQLITE_STATIC);
			if (sqlite3_step(stmt) != SQLITE_DONE)
				rc = st_fail(s, why, "alertes");
			else
				meta->alert_raised = sqlite3_last_insert_rowid(st_db_handle(s));
			sqlite3_reset(stmt);
		}
	}
	return rc;
}

static void copy_col(sqlite3_stmt *stmt, int col, char *dst, size_t size)
{
	const char *v = (const char *)sqlite3_column_text(stmt, col);
	snprintf(dst, size, "%s", v ? v : "");
}

int store_alert_each(store *s, int64_t patient_id, bool all, void (*fn)(void *ctx, const alert_info *a),
                     void *ctx, char **why)
{
	sqlite3_stmt *stmt = st_prepare(
	    s,
	    "SELECT a.id, a.level, a.rule, a.message, a.raised_at, a.raised_by, a.acknowledged_at, "
	    "a.acknowledged_by, e.uuid, p.pseudonym, e.form, e.date FROM alerts a "
	    "JOIN entries e ON e.id = a.entry_id LEFT JOIN patients p ON p.id = e.patient_id "
	    "WHERE (?1 = 0 OR e.patient_id = ?1) AND (?2 OR a.acknowledged_at IS NULL) "
	    "ORDER BY a.acknowledged_at IS NOT NULL, "
	    "CASE a.level WHEN 'urgent' THEN 0 WHEN 'attention' THEN 1 ELSE 2 END, e.date DESC, a.id DESC");
	if (!stmt)
		return st_fail(s, why, "alertes");
	sqlite3_bind_int64(stmt, 1, patient_id);
	sqlite3_bind_int(stmt, 2, all);
	/* Copy first: the callback may use the store. */
	alert_info *v = NULL;
	size_t n = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		alert_info *a = &v[n++];
		memset(a, 0, sizeof *a);
		a->id = sqlite3_column_int64(stmt, 0);
		copy_col(stmt, 1, a->level, sizeof a->level);
		copy_col(stmt, 2, a->rule, sizeof a->rule);
		a->message = xstrdup((const char *)sqlite3_column_text(stmt, 3));
		copy_col(stmt, 4, a->raised_at, sizeof a->raised_at);
		copy_col(stmt, 5, a->raised_by, sizeof a->raised_by);
		copy_col(stmt, 6, a->acknowledged_at, sizeof a->acknowledged_at);
		copy_col(stmt, 7, a->acknowledged_by, sizeof a->acknowledged_by);
		copy_col(stmt, 8, a->entry_uuid, sizeof a->entry_uuid);
		copy_col(stmt, 9, a->pseudonym, sizeof a->pseudonym);
		copy_col(stmt, 10, a->form, sizeof a->form);
		copy_col(stmt, 11, a->date, sizeof a->date);
	}
	sqlite3_reset(stmt);
	for (size_t i = 0; i < n; i++) {
		fn(ctx, &v[i]);
		free(v[i].message);
	}
	free(v);
	return 0;
}

int64_t store_alert_open_count(store *s, int64_t patient_id)
{
	return store_alert_open_counts(s, patient_id, NULL);
}

int64_t store_alert_open_counts(store *s, int64_t patient_id, int64_t *urgent)
{
	/* Every alert belongs to an entry (foreign key, cascade): for the whole database the
	 * alerts_open index alone answers, without visiting an entry per alert. */
	sqlite3_stmt *stmt =
	    patient_id == 0
	        ? st_prepare(s, "SELECT (SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL), "
	                        "(SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL AND "
	                        "level = 'urgent')")
	        : st_prepare(s, "SELECT count(*), coalesce(sum(a.level = 'urgent'), 0) FROM alerts a "
	                        "JOIN entries e ON e.id = a.entry_id "
	                        "WHERE a.acknowledged_at IS NULL AND e.patient_id = ?1");
	if (urgent)
		*urgent = 0;
	if (!stmt)
		return 0;
	if (patient_id)
		sqlite3_bind_int64(stmt, 1, patient_id);
	int64_t n = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		n = sqlite3_column_int64(stmt, 0);
		if (urgent)
			*urgent = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_reset(stmt);
	return n;
}

int store_alert_ack(store *s, int64_t id, const char *login, const char *note, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt =
	    st_prepare(s, "SELECT a.acknowledged_by, a.acknowledged_at, e.uuid, p.pseudonym, e.form, a.rule "
	                  "FROM alerts a JOIN entries e ON e.id = a.entry_id "
	                  "LEFT JOIN patients p ON p.id = e.patient_id WHERE a.id = ?");
	sqlite3_bind_int64(stmt, 1, id);
	char uuid[37] = "", pseudo[16] = "", form_id[64] = "", rule[64] = "";
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		set_why(why, "alerte %lld introuvable (voir « recueil alert list »)", (long long)id);
		rc = EXIT_NOINPUT;
	} else if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		set_why(why, "alerte %lld déjà prise en compte par %s le %s", (long long)id,
		        (const char *)sqlite3_column_text(stmt, 0),
		        (const char *)sqlite3_column_text(stmt, 1));
		rc = EXIT_DATAERR;
	} else {
		copy_col(stmt, 2, uuid, sizeof uuid);
		copy_col(stmt, 3, pseudo, sizeof pseudo);
		copy_col(stmt, 4, form_id, sizeof form_id);
		copy_col(stmt, 5, rule, sizeof rule);
	}
	sqlite3_reset(stmt);
	if (!rc) {
		stmt = st_prepare(
		    s, "UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, note = ? WHERE id = ?");
		sqlite3_bind_text(stmt, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, login, -1, SQLITE_STATIC);
		if (note && *note)
			sqlite3_bind_text(stmt, 3, note, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, id);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "alertes");
		sqlite3_reset(stmt);
	}
	if (!rc)
		rc = st_audit(s, login, "update", uuid, pseudo, form_id, "alerte", rule, "prise en compte",
		              why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}
