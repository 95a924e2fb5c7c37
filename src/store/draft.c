/* draft.c — drafts of open forms (schema/002_drafts.sql) and the counts of the home screen.
 *
 * A draft is written in its own short BEGIN IMMEDIATE transaction after a pause in the typing
 * and when the program is stopped; no transaction is held while the person types. Its content
 * is "field<TAB>value" lines, with backslash, tab and newline escaped, so that whatever was in
 * the line editor (even a value the form would refuse) comes back as it was typed. When the
 * database cannot take a draft, what was typed goes to a rescue file beside it. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"
#include "store/store_internal.h"

static void copy_col(char *dst, size_t size, sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);
	snprintf(dst, size, "%s", t ? (const char *)t : "");
}

int store_draft_save(store *s, store_draft *d, const char *login, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	sqlite3_stmt *stmt;
	if (d->id)
		stmt = st_prepare(
		    s, "UPDATE drafts SET patient_id = ?1, form = ?2, entry_uuid = ?3, row_version = ?4, "
		       "date = ?5, content = ?6, saved_at = ?7 WHERE id = ?8 AND login = ?9");
	else
		stmt = st_prepare(
		    s, "INSERT INTO drafts(patient_id, form, entry_uuid, row_version, date, content, "
		       "saved_at, login) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?9)");
	if (!stmt) {
		rc = st_fail(s, why, "brouillon");
		st_rollback(s);
		return rc;
	}
	if (d->patient_id)
		sqlite3_bind_int64(stmt, 1, d->patient_id);
	sqlite3_bind_text(stmt, 2, d->form, -1, SQLITE_STATIC);
	if (d->entry_uuid[0]) {
		sqlite3_bind_text(stmt, 3, d->entry_uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, d->row_version);
	}
	sqlite3_bind_text(stmt, 5, d->date, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, d->content ? d->content : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, now, -1, SQLITE_STATIC);
	if (d->id)
		sqlite3_bind_int64(stmt, 8, d->id);
	sqlite3_bind_text(stmt, 9, login, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "brouillon");
	sqlite3_reset(stmt);
	if (!rc && !d->id)
		d->id = sqlite3_last_insert_rowid(st_db_handle(s));
	else if (!rc && sqlite3_changes(st_db_handle(s)) == 0) {
		/* Deleted meanwhile (from another session): write it anew rather than lose it. */
		int64_t old = d->id;
		d->id = 0;
		sqlite3_exec(st_db_handle(s), "ROLLBACK", NULL, NULL, NULL);
		rc = store_draft_save(s, d, login, why);
		if (rc)
			d->id = old;
		return rc;
	}
	if (rc) {
		st_rollback(s);
		return rc;
	}
	if (!(rc = st_commit(s, why)))
		snprintf(d->saved_at, sizeof d->saved_at, "%s", now);
	return rc;
}

int store_draft_delete(store *s, int64_t id, char **why)
{
	sqlite3_stmt *stmt = st_prepare(s, "DELETE FROM drafts WHERE id = ?");
	if (!stmt)
		return st_fail(s, why, "brouillon");
	sqlite3_bind_int64(stmt, 1, id);
	int rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : st_fail(s, why, "suppression du brouillon");
	sqlite3_reset(stmt);
	return rc;
}

static const char draft_columns[] =
    "SELECT d.id, coalesce(d.patient_id, 0), coalesce(p.pseudonym, ''), d.form, "
    "coalesce(d.entry_uuid, ''), coalesce(d.row_version, 0), d.date, d.saved_at, "
    "d.content FROM drafts d LEFT JOIN patients p ON p.id = d.patient_id ";

static void read_draft(sqlite3_stmt *stmt, store_draft *d)
{
	memset(d, 0, sizeof *d);
	d->id = sqlite3_column_int64(stmt, 0);
	d->patient_id = sqlite3_column_int64(stmt, 1);
	copy_col(d->pseudonym, sizeof d->pseudonym, stmt, 2);
	copy_col(d->form, sizeof d->form, stmt, 3);
	copy_col(d->entry_uuid, sizeof d->entry_uuid, stmt, 4);
	d->row_version = sqlite3_column_int64(stmt, 5);
	copy_col(d->date, sizeof d->date, stmt, 6);
	copy_col(d->saved_at, sizeof d->saved_at, stmt, 7);
	const unsigned char *c = sqlite3_column_text(stmt, 8);
	d->content = xstrdup(c ? (const char *)c : "");
}

size_t store_draft_list(store *s, const char *login, store_draft **out)
{
	char *sql = xasprintf("%sWHERE d.login = ? ORDER BY d.saved_at DESC, d.id DESC", draft_columns);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	*out = NULL;
	if (!stmt)
		return 0;
	sqlite3_bind_text(stmt, 1, login, -1, SQLITE_STATIC);
	size_t n = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		*out = xrealloc(*out, (n + 1) * sizeof **out);
		read_draft(stmt, &(*out)[n++]);
	}
	sqlite3_reset(stmt);
	return n;
}

bool store_draft_get(store *s, int64_t id, store_draft *d)
{
	char *sql = xasprintf("%sWHERE d.id = ?", draft_columns);
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	if (!stmt)
		return false;
	sqlite3_bind_int64(stmt, 1, id);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	if (found)
		read_draft(stmt, d);
	sqlite3_reset(stmt);
	return found;
}

void draft_done(store_draft *d)
{
	free(d->content);
	d->content = NULL;
}

void drafts_free(store_draft *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		draft_done(&v[i]);
	free(v);
}

static void add_escaped(strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			strbuf_puts(sb, "\\\\");
		else if (*s == '\t')
			strbuf_puts(sb, "\\t");
		else if (*s == '\n')
			strbuf_puts(sb, "\\n");
		else
			strbuf_putc(sb, *s);
	}
}

void draft_content_add(strbuf *sb, const char *key, const char *val)
{
	add_escaped(sb, key);
	strbuf_putc(sb, '\t');
	add_escaped(sb, val);
	strbuf_putc(sb, '\n');
}

bool draft_self_filled(const store_draft *d)
{
	size_t len = strlen(DRAFT_KEY_PATIENT);
	for (const char *p = d->content; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, DRAFT_KEY_PATIENT, len) == 0 && p[len] == '\t')
			return true;
	return false;
}

static char *unescape(const char *s, size_t n)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[++i];
			strbuf_putc(&sb, c == 't' ? '\t' : c == 'n' ? '\n' : c);
		} else {
			strbuf_putc(&sb, s[i]);
		}
	}
	return strbuf_take(&sb);
}

size_t draft_content_parse(const char *content, char ***keys, char ***values)
{
	size_t n = 0;
	*keys = NULL;
	*values = NULL;
	for (const char *p = content; p && *p;) {
		size_t len = strcspn(p, "\n");
		const char *tab = memchr(p, '\t', len);
		if (tab) {
			*keys = xrealloc(*keys, (n + 1) * sizeof **keys);
			*values = xrealloc(*values, (n + 1) * sizeof **values);
			(*keys)[n] = unescape(p, (size_t)(tab - p));
			(*values)[n] = unescape(tab + 1, len - (size_t)(tab - p) - 1);
			n++;
		}
		p += len;
		if (*p)
			p++;
	}
	return n;
}

/* Open a new private file for the rescue copy: beside the database, or in $HOME when its
 * directory refuses it too. Returns the stream and sets *rescue (caller frees), or NULL. */
static FILE *rescue_open(const char *db_path, const char *login, char **rescue)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime_r(&now, &tm));
	char *home = home_dir();
	char *paths[2] = {
	    xasprintf("%s.sauvetage-%s-%s-%ld.txt", db_path, login, stamp, (long)getpid()),
	    home ? xasprintf("%s/recueil-sauvetage-%s-%ld.txt", home, stamp, (long)getpid()) : NULL,
	};
	free(home);
	FILE *f = NULL;
	for (int i = 0; i < 2 && !f; i++) {
		int fd = paths[i] ? open(paths[i], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)
		                  : -1;
		if (fd >= 0 && !(f = fdopen(fd, "w")))
			close(fd);
		if (f) {
			*rescue = paths[i];
			paths[i] = NULL;
		}
	}
	free(paths[0]);
	free(paths[1]);
	return f;
}

/* Write what the draft d holds to the rescue file (see store_draft_keep); false when it could
 * not be written whole. */
static bool rescue_write(const store_draft *d, const char *db_path, const char *login, const char *why,
                         char **rescue)
{
	FILE *f = NULL;
	if (*rescue) {
		int fd = open(*rescue, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && !(f = fdopen(fd, "w")))
			close(fd);
	}
	if (!f) {
		free(*rescue);
		*rescue = NULL;
		f = rescue_open(db_path, login, rescue);
	}
	if (!f)
		return false;
	fputs("# recueil : saisie NON enregistrée dans la base.\n# ", f);
	fputs_safe(why, f);
	if (strcmp(d->form, "patient") == 0 && !d->patient_id)
		fputs("\n# À ressaisir : recueil patient add champ=valeur…\n", f);
	else
		fprintf(f, "\n# À ressaisir : recueil entry add %s %s --date %s champ=valeur…\n",
		        d->pseudonym[0] ? d->pseudonym : "PATIENT", d->form, d->date);
	fprintf(f, "formulaire=%s\npatient=%s\ndate=%s\n", d->form, d->pseudonym, d->date);
	if (d->entry_uuid[0])
		fprintf(f, "entrée=%s\n", d->entry_uuid);
	char **keys, **vals;
	size_t n = draft_content_parse(d->content, &keys, &vals);
	const char *focus = NULL, *edit = NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(keys[i], DRAFT_KEY_FOCUS) == 0)
			focus = vals[i];
		else if (strcmp(keys[i], DRAFT_KEY_EDIT) == 0)
			edit = vals[i];
		else if (keys[i][0] != '!' && keys[i][0] != '@') {
			fprintf(f, "%s=", keys[i]);
			fputs_safe(vals[i], f);
			fputc('\n', f);
		}
	}
	if (edit && *edit && focus && strcmp(focus, DRAFT_FOCUS_DATE) != 0) {
		fprintf(f, "# en cours de frappe dans %s : ", focus);
		fputs_safe(edit, f);
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
	bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	return fclose(f) == 0 && ok;
}

draft_keep_status store_draft_keep(store *s, store_draft *d, const char *login, const char *db_path,
                                   const char *unsaved_why, char **rescue, char **why)
{
	char *refused = NULL;
	if (store_draft_save(s, d, login, &refused) == 0)
		return DRAFT_KEPT;
	bool rescued = rescue_write(d, db_path, login, unsaved_why ? unsaved_why : refused, rescue);
	if (why)
		*why = refused;
	else
		free(refused);
	return rescued ? DRAFT_RESCUED : DRAFT_LOST;
}

static long count(store *s, const char *sql, const char *text)
{
	sqlite3_stmt *stmt = st_prepare(s, sql);
	if (!stmt)
		return -1;
	if (text)
		sqlite3_bind_text(stmt, 1, text, -1, SQLITE_TRANSIENT);
	long n = sqlite3_step(stmt) == SQLITE_ROW ? (long)sqlite3_column_int64(stmt, 0) : -1;
	sqlite3_reset(stmt);
	return n;
}

int store_counts_get(store *s, const char *login, store_counts *out, char **why)
{
	/* Each count reads an index only (schema/007_indexes.sql): these run at every start and on
	 * every return to the home screen. */
	out->patients = count(s, "SELECT count(*) FROM patients", NULL);
	out->incomplete = count(s, "SELECT count(*) FROM entries WHERE status <> 'complete'", NULL);
	out->drafts = count(s, "SELECT count(*) FROM drafts WHERE login = ?1", login);
	if (out->patients < 0 || out->incomplete < 0 || out->drafts < 0)
		return st_fail(s, why, "comptes de l'accueil");
	return 0;
}
