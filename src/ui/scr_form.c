/* scr_form.c — form entry, generated from the form model: one row per question (a compact grid
 * for matrices), sections paginated to the terminal height, skip logic and calculated fields
 * updated at each keystroke, hard rules that keep the cursor in the field with the rule named,
 * soft rules that ask for a reason, typed missing codes on one key, a draft written as the person
 * types, and saving with the row-version check of the store. A clinical alert of the form (its
 * alerts: rules) shows in a highlighted banner as soon as it holds, and for as long as it does.
 *
 * Values are judged by record_set and record_check, exactly as on the command line; the screen
 * only translates what is typed (a choice's number, JJ/MM/AAAA, a decimal comma) beforehand. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "ui/ui.h"

enum { FOCUS_DATE = -1 };
enum { TAG_REASON = 1, TAG_INCOMPLETE, TAG_LEAVE, TAG_INFO, TAG_CONFLICT };
enum { AFTER_NONE, AFTER_NEXT, AFTER_PREV, AFTER_SAVE, AFTER_GOTO };

typedef enum { ROW_DATE, ROW_FIELD, ROW_CALC, ROW_NOTE, ROW_MHEAD, ROW_MROW } row_kind;

typedef struct {
	row_kind kind;
	int field;   /* the field (first cell of a matrix row) */
	int n_cells; /* matrix row: fields[field .. field + n_cells) */
	int line;    /* note: which wrapped line */
} frow;

typedef struct {
	screen base;
	app *a;
	record *r;
	entry_meta meta;
	bool new_patient; /* the patient is created when this form is saved */
	bool dated;       /* repeated forms have an entry date to type */
	int cur;
	lineedit ed;
	char *err;      /* why the focused field is refused, or NULL */
	char **reasons; /* per field: the confirmation reason of a soft warning */
	char **stored;  /* per field: the reason the database holds for it (an entry reopened) */
	bool changed;   /* typed since the form was opened */
	bool dirty;     /* typed since the draft was written */
	time_t last_draft;
	store_draft dr;
	char *rescue; /* the file outside the database where what is typed was kept, or NULL */
	dialog dlg;
	int after;      /* what to do once the reason dialog is answered */
	int after_goto; /* AFTER_GOTO: the field to go to */
	bool allow_incomplete;
	bool *alert_on; /* per alert rule of the form: it holds for the values as typed */
	bool identity;  /* the person may see identity fields (session_shows_field) */
} fscreen;

/* ------------------------------------------------------------ fields and rows */

static const field *fld(const fscreen *fs, int i)
{
	return &fs->r->f->fields[i];
}

static bool is_input(const field *fd)
{
	return fd->type != FT_CALCULATED && fd->type != FT_NOTE;
}

/* Whether field i is on screen: a question asked (show_if) that the person may see. Identity
 * fields are left out for the roles that may not see them; their values stay as stored. */
static bool shown(const fscreen *fs, int i)
{
	return fs->r->vals[i].visible && (fs->identity || !fld(fs, i)->identifier);
}

static bool focusable(const fscreen *fs, int i)
{
	if (i == FOCUS_DATE)
		return fs->dated;
	return i >= 0 && (size_t)i < fs->r->f->n_fields && shown(fs, i) && is_input(fld(fs, i));
}

static int section_of(const fscreen *fs, int i)
{
	return i == FOCUS_DATE ? 0 : fld(fs, i)->section;
}

/* Width of the label column and of the panel below the rows. */
static int label_width(void)
{
	int w = COLS - 36;
	return w > COLS / 3 ? w : COLS / 3;
}

static int panel_height(void)
{
	return LINES >= 22 ? 7 : 5;
}

/* ------------------------------------------------------------ clinical alerts */

/* Compute the calculated fields and skip logic again, and which alert rules hold now. */
static void recompute(fscreen *fs)
{
	record_compute(fs->r);
	for (size_t k = 0; k < fs->r->f->n_alerts; k++)
		fs->alert_on[k] = record_alert_active(fs->r, k);
}

static const char *const alert_level_names[] = {"info", "attention", "urgent"};

/* The banner of the alerts that hold now, under the section line: most urgent first, one or two
 * lines each (one each when they would not all fit), at most 3 rows in all (2 on a small
 * terminal), drawn from row y when draw is set. Returns the rows it takes: the rows of the form
 * make room for it. */
static int alert_banner(const fscreen *fs, int y, bool draw)
{
	const form *f = fs->r->f;
	int max = LINES >= 22 ? 3 : 2, used = 0, active = 0;
	for (size_t k = 0; k < f->n_alerts; k++)
		active += fs->alert_on[k];
	/* Two lines each when there is room for all, else one line each so that none is hidden. */
	size_t per = active >= max ? 1 : 2;
	for (int rank = ALERT_URGENT; rank >= (int)ALERT_INFO; rank--)
		for (size_t k = 0; k < f->n_alerts && used < max; k++) {
			const alert_rule *ar = &f->alerts[k];
			if (!fs->alert_on[k] || (int)ar->level != rank)
				continue;
			const char *level = alert_level_names[ar->level];
			char *text = xasprintf("!! %s — %s", alert_level_word(level),
			                       i18n_get(&ar->message, fs->a->lang));
			char **lines;
			size_t nl = text_wrap(text, COLS - 3, &lines);
			for (size_t l = 0; l < nl && l < per && used < max; l++, used++) {
				if (!draw)
					continue;
				bool cut = l + 1 < nl && (l + 1 == per || used + 1 == max);
				char *shown = cut ? xasprintf("%s …", lines[l]) : xstrdup(lines[l]);
				put_blank(y + used, 0, COLS, attr_alert(level));
				put_text(y + used, 1, COLS - 2, shown, attr_alert(level), true);
				free(shown);
			}
			lines_free(lines, nl);
			free(text);
		}
	return used;
}

static int rows_height(const fscreen *fs)
{
	return LINES - 4 - panel_height() - alert_banner(fs, 0, false);
}

/* The rows of a section as shown now (hidden questions left out). Caller frees. */
static size_t section_rows(const fscreen *fs, int sec, frow **out)
{
	const form *f = fs->r->f;
	const section *s = &f->sections[sec];
	frow *v = NULL;
	size_t n = 0;
#define PUSH(...)                                                                                            \
	do {                                                                                                 \
		v = xrealloc(v, (n + 1) * sizeof *v);                                                        \
		v[n++] = (frow){__VA_ARGS__};                                                                \
	} while (0)
	if (sec == 0 && fs->dated)
		PUSH(ROW_DATE, FOCUS_DATE, 0, 0);
	for (size_t i = s->first; i < s->first + s->count; i++) {
		const field *fd = &f->fields[i];
		if (fd->matrix) {
			if (i == s->first || !str_eq(f->fields[i - 1].matrix, fd->matrix))
				PUSH(ROW_MHEAD, (int)i, 0, 0);
			size_t k = i;
			while (k < s->first + s->count && str_eq(f->fields[k].matrix, fd->matrix) &&
			       str_eq(f->fields[k].matrix_row, fd->matrix_row))
				k++;
			bool any = false;
			for (size_t j = i; j < k; j++)
				any |= shown(fs, (int)j);
			if (any)
				PUSH(ROW_MROW, (int)i, (int)(k - i), 0);
			i = k - 1;
			continue;
		}
		if (!shown(fs, (int)i))
			continue;
		if (fd->type == FT_NOTE) {
			char **lines;
			size_t nl = text_wrap(i18n_get(&fd->label, fs->a->lang), COLS - 4, &lines);
			lines_free(lines, nl);
			for (size_t l = 0; l < nl; l++)
				PUSH(ROW_NOTE, (int)i, 0, (int)l);
		} else {
			PUSH(fd->type == FT_CALCULATED ? ROW_CALC : ROW_FIELD, (int)i, 0, 0);
		}
	}
#undef PUSH
	*out = v;
	return n;
}

static bool row_has(const frow *r, int i)
{
	if (r->kind == ROW_MROW)
		return i >= r->field && i < r->field + r->n_cells;
	return (r->kind == ROW_FIELD || r->kind == ROW_DATE) && r->field == i;
}

/* The page (of rows_height rows) of the section that holds field i. */
static int page_of(const fscreen *fs, const frow *rows, size_t n, int i)
{
	int h = rows_height(fs) > 0 ? rows_height(fs) : 1;
	for (size_t k = 0; k < n; k++)
		if (row_has(&rows[k], i))
			return (int)k / h;
	return 0;
}

/* The first focusable field on page p of section sec, or -2 if none. */
static int first_on_page(const fscreen *fs, int sec, int p)
{
	frow *rows;
	size_t n = section_rows(fs, sec, &rows);
	int h = rows_height(fs) > 0 ? rows_height(fs) : 1, found = -2;
	for (size_t k = (size_t)p * (size_t)h; k < n && k < (size_t)(p + 1) * (size_t)h && found == -2; k++) {
		if (rows[k].kind == ROW_DATE || rows[k].kind == ROW_FIELD)
			found = rows[k].field;
		else if (rows[k].kind == ROW_MROW)
			for (int c = 0; c < rows[k].n_cells && found == -2; c++)
				if (focusable(fs, rows[k].field + c))
					found = rows[k].field + c;
	}
	free(rows);
	return found;
}

static int pages_in(const fscreen *fs, int sec)
{
	frow *rows;
	size_t n = section_rows(fs, sec, &rows);
	free(rows);
	int h = rows_height(fs) > 0 ? rows_height(fs) : 1;
	return n ? (int)((n + (size_t)h - 1) / (size_t)h) : 1;
}

/* The next (dir 1) or previous (dir -1) focusable field from i, or i itself if none. */
static int step(const fscreen *fs, int i, int dir)
{
	int n = (int)fs->r->f->n_fields;
	for (int k = i + dir; k >= FOCUS_DATE && k < n; k += dir)
		if (focusable(fs, k))
			return k;
	return i;
}

/* ------------------------------------------------------------ values as typed and shown */

static const char *missing_label(missing_code m)
{
	switch (m) {
	case MISS_REFUS:
		return _("refus de répondre");
	case MISS_NSP:
		return _("ne sait pas");
	case MISS_NON_DEMANDE:
		return _("non demandé");
	default:
		return "";
	}
}

/* The text the editor starts with for field i. Caller frees. */
static char *edit_text(const fscreen *fs, int i)
{
	if (i == FOCUS_DATE) {
		char d[11];
		date_format(fs->r->date, d);
		return xstrdup(d);
	}
	const fvalue *v = &fs->r->vals[i];
	if (v->missing)
		return xstrdup(missing_code_name(v->missing));
	if (!v->text)
		return xstrdup("");
	if (fld(fs, i)->type == FT_YESNO)
		return xstrdup(strcmp(v->text, "1") == 0 ? _("oui") : _("non"));
	return xstrdup(v->text);
}

/* What is typed, as record_set reads it: a choice's number becomes its code, JJ/MM/AAAA an ISO
 * date, a decimal comma a point, "oui"/"non" in either language 1/0. Caller frees. */
static char *input_for(const field *fd, const char *typed)
{
	if (!*typed || typed[0] == '.')
		return xstrdup(typed);
	int d, m, y, used = 0;
	switch (fd->type) {
	case FT_CHOICE:
		if (!fd->choices->numeric && strspn(typed, "0123456789") == strlen(typed)) {
			long k = strtol(typed, NULL, 10);
			if (k >= 1 && (size_t)k <= fd->choices->n)
				return xstrdup(fd->choices->items[k - 1].code);
		}
		return xstrdup(typed);
	case FT_YESNO: {
		char low[16];
		size_t n = 0;
		for (; typed[n] && n < sizeof low - 1; n++)
			low[n] = (char)tolower((unsigned char)typed[n]);
		low[n] = '\0';
		if (strcmp(low, "yes") == 0 || strcmp(low, "y") == 0 || strcmp(low, _("oui")) == 0)
			return xstrdup("1");
		if (strcmp(low, "no") == 0 || strcmp(low, _("non")) == 0)
			return xstrdup("0");
		return xstrdup(low);
	}
	case FT_DECIMAL: {
		char *s = xstrdup(typed);
		for (char *p = s; *p; p++)
			if (*p == ',')
				*p = '.';
		return s;
	}
	case FT_DATE:
		if (sscanf(typed, "%d/%d/%d%n", &d, &m, &y, &used) == 3 && (size_t)used == strlen(typed) &&
		    y > 999)
			return xasprintf("%04d-%02d-%02d", y, m, d);
		return xstrdup(typed);
	default:
		return xstrdup(typed);
	}
}

/* The value of field i as shown in a cell (borrowed or in buf). */
static const char *shown_value(const fscreen *fs, int i, char *buf, size_t size, bool labels)
{
	const field *fd = fld(fs, i);
	const fvalue *v = &fs->r->vals[i];
	if (v->missing)
		return missing_code_name(v->missing);
	if (!v->text)
		return "";
	if (fd->type == FT_YESNO || (fd->type == FT_CALCULATED && fd->vtype == T_BOOL))
		return strcmp(v->text, "1") == 0 ? _("oui") : _("non");
	if (fd->type == FT_CHOICE && labels) {
		const choice *c = field_choice(fd, v->text);
		return c ? i18n_get(&c->label, fs->a->lang) : v->text;
	}
	if (fd->type == FT_MULTI && labels) {
		buf[0] = '\0';
		size_t len = 0;
		for (size_t k = 0; k < fd->choices->n; k++) {
			const choice *c = &fd->choices->items[k];
			char pad[80];
			snprintf(pad, sizeof pad, " %s ", c->code);
			char set[1024];
			snprintf(set, sizeof set, " %s ", v->text);
			if (!strstr(set, pad))
				continue;
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
			                        len ? ", " : "", i18n_get(&c->label, fs->a->lang));
			if (len >= size)
				break;
		}
		return buf;
	}
	return v->text;
}

/* ------------------------------------------------------------ drafts */

static void draft_fill(fscreen *fs)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	const form *f = fs->r->f;
	for (size_t i = 0; i < f->n_fields; i++) {
		const fvalue *v = &fs->r->vals[i];
		/* Identity values the person may not see were read from the database, not typed: they
		 * stay there, out of the draft and of the rescue file. */
		if (!is_input(&f->fields[i]) || (f->fields[i].identifier && !fs->identity))
			continue;
		if (v->text || v->missing)
			draft_content_add(&sb, f->fields[i].id,
			                  v->text ? v->text : missing_code_name(v->missing));
		if (fs->reasons[i])
			draft_content_add(&sb, DRAFT_KEY_REASON, f->fields[i].id),
			    draft_content_add(&sb, DRAFT_KEY_REASON_TEXT, fs->reasons[i]);
	}
	char *typed = le_text(&fs->ed);
	draft_content_add(&sb, DRAFT_KEY_FOCUS,
	                  fs->cur == FOCUS_DATE ? DRAFT_FOCUS_DATE : f->fields[fs->cur].id);
	draft_content_add(&sb, DRAFT_KEY_EDIT, typed);
	free(typed);
	free(fs->dr.content);
	fs->dr.content = strbuf_take(&sb);
	fs->dr.patient_id = fs->meta.patient_id;
	snprintf(fs->dr.pseudonym, sizeof fs->dr.pseudonym, "%s", fs->meta.pseudonym);
	snprintf(fs->dr.form, sizeof fs->dr.form, "%s", f->id);
	snprintf(fs->dr.entry_uuid, sizeof fs->dr.entry_uuid, "%s", fs->meta.id ? fs->meta.uuid : "");
	fs->dr.row_version = fs->meta.row_version;
	date_format(fs->r->date, fs->dr.date);
}

/* Keep what is typed (store_draft_keep): as the draft, else in a rescue file outside the
 * database, so that nothing typed is ever lost without a word; then say where, in one message.
 * unsaved_why: why a save has just failed (the message then says that the entry is not saved),
 * or NULL when the draft is written as the person types (quiet unless it fails). */
static void keep_typed(fscreen *fs, const char *unsaved_why)
{
	draft_fill(fs);
	char *why = NULL;
	draft_keep_status kept = store_draft_keep(fs->a->ctx->st, &fs->dr, fs->a->ctx->login,
	                                          fs->a->ctx->db_path, unsaved_why, &fs->rescue, &why);
	if (kept != DRAFT_LOST)
		fs->dirty = false;
	if (kept == DRAFT_KEPT)
		fs->last_draft = time(NULL);
	if (!unsaved_why) {
		if (kept == DRAFT_RESCUED)
			app_message(fs->a, true, _("brouillon non écrit : %s ; saisie copiée dans %s"), why,
			            fs->rescue);
		else if (kept == DRAFT_LOST)
			app_message(fs->a, true, _("brouillon non écrit : %s"), why);
	} else if (kept == DRAFT_KEPT) {
		app_message(fs->a, true, _("non enregistré : %s ; ce qui a été tapé est gardé en brouillon"),
		            unsaved_why);
	} else {
		char *text =
		    kept == DRAFT_RESCUED
		        ? xasprintf(_("%s\n\nCe qui a été tapé reste à l'écran et a été copié dans :\n%s"),
		                    unsaved_why, fs->rescue)
		        : xasprintf(_("%s\n\nCe qui a été tapé n'a pu être copié nulle part : le noter "
		                      "avant de quitter."),
		                    unsaved_why);
		dialog_message(&fs->dlg, TAG_INFO, _("Entrée NON enregistrée"), text);
		free(text);
	}
	free(why);
}

static void draft_forget(fscreen *fs)
{
	if (fs->dr.id) {
		store_draft_delete(fs->a->ctx->st, fs->dr.id, NULL);
		fs->dr.id = 0;
	}
	fs->dirty = false;
}

/* Put back what a draft held; the typed text of the focused field goes back in the editor. */
static void draft_restore(fscreen *fs, const store_draft *d)
{
	char **keys, **vals;
	size_t n = draft_content_parse(d->content, &keys, &vals);
	const char *focus = NULL, *edit = NULL, *reason_for = NULL;
	long day;
	if (date_parse(d->date, &day))
		fs->r->date = day;
	if (d->entry_uuid[0])
		fs->meta.row_version = d->row_version; /* a save must still see others' changes */
	for (size_t i = 0; i < n; i++) {
		long k = form_field_index(fs->r->f, keys[i]);
		if (k >= 0 && is_input(fld(fs, (int)k))) {
			if (!record_set(fs->r, (size_t)k, vals[i], NULL))
				record_set_raw(fs->r, (size_t)k, NULL, MISS_NONE);
		} else if (strcmp(keys[i], DRAFT_KEY_FOCUS) == 0) {
			focus = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_EDIT) == 0) {
			edit = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_REASON) == 0) {
			reason_for = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_REASON_TEXT) == 0 && reason_for) {
			long r = form_field_index(fs->r->f, reason_for);
			if (r >= 0) {
				free(fs->reasons[r]);
				fs->reasons[r] = xstrdup(vals[i]);
			}
		}
	}
	recompute(fs);
	long fk = focus ? form_field_index(fs->r->f, focus) : -1;
	if (focus && strcmp(focus, DRAFT_FOCUS_DATE) == 0 && fs->dated)
		fs->cur = FOCUS_DATE;
	else if (fk >= 0 && focusable(fs, (int)fk))
		fs->cur = (int)fk;
	le_set(&fs->ed, edit ? edit : "");
	fs->dr.id = d->id;
	fs->changed = true;
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
}

/* ------------------------------------------------------------ editing */

static void set_error(fscreen *fs, char *why)
{
	free(fs->err);
	fs->err = why;
}

static void load_editor(fscreen *fs)
{
	char *t = edit_text(fs, fs->cur);
	le_set(&fs->ed, t);
	free(t);
	const field *fd = fs->cur == FOCUS_DATE ? NULL : fld(fs, fs->cur);
	/* Choices, yes/no, numbers and dates: the first key replaces the value (data entry);
	 * free text is continued. */
	fs->ed.replace_next = !fd || fd->type != FT_TEXT;
}

/* Apply what is in the editor to the record at once, so that skip logic and scores follow the
 * typing; a value not (yet) acceptable leaves the field empty until it is. */
static void apply_live(fscreen *fs)
{
	if (fs->cur == FOCUS_DATE)
		return;
	const field *fd = fld(fs, fs->cur);
	if (fd->type == FT_MULTI)
		return;
	char *typed = le_text(&fs->ed);
	char *input = input_for(fd, typed);
	if (!record_set(fs->r, (size_t)fs->cur, input, NULL))
		record_set(fs->r, (size_t)fs->cur, NULL, NULL);
	recompute(fs);
	free(typed);
	free(input);
}

static void touched(fscreen *fs)
{
	fs->changed = true;
	if (!fs->dirty)
		fs->dirty = true;
	if (fs->cur >= 0) {
		free(fs->reasons[fs->cur]);
		fs->reasons[fs->cur] = NULL;
	}
}

/* True when the typed text of a choice can only mean one answer: moving on needs no Tab. */
static bool choice_complete(const field *fd, const char *typed)
{
	if (fd->type == FT_YESNO)
		return strlen(typed) == 1 && strchr("onyON01", typed[0]);
	if (fd->type != FT_CHOICE || !*typed)
		return false;
	char *input = input_for(fd, typed);
	bool known = field_choice(fd, input) != NULL;
	free(input);
	if (!known)
		return false;
	size_t len = strlen(typed);
	for (size_t k = 0; k < fd->choices->n; k++) {
		char ord[24];
		snprintf(ord, sizeof ord, "%zu", k + 1);
		const char *other = fd->choices->numeric ? fd->choices->items[k].code : ord;
		if (strlen(other) > len && strncmp(other, typed, len) == 0)
			return false;
	}
	return true;
}

/* The first issue of kind for field i (borrowed from iss), or NULL. */
static const issue *issue_for(const issue *iss, size_t n, int i, issue_kind kind)
{
	for (size_t k = 0; k < n; k++)
		if ((int)iss[k].field == i && iss[k].kind == kind)
			return &iss[k];
	return NULL;
}

static void ask_reason(fscreen *fs, const char *message, int after)
{
	char *text = xasprintf(
	    _("%s\nLa valeur est gardée avec une raison (Entrée) ; Échap pour la corriger."), message);
	dialog_input(&fs->dlg, TAG_REASON, _("Valeur inhabituelle : raison de la confirmer"), text, "");
	free(text);
	fs->after = after;
}

/* Check the focused field before leaving it: its value must be accepted (record_set), its hard
 * rule hold; a soft rule that does not hold asks for a reason (then `after` happens). */
static bool commit(fscreen *fs, int after)
{
	char *why = NULL;
	if (fs->cur == FOCUS_DATE) {
		char *typed = le_text(&fs->ed);
		char *input = input_for(&(field){.type = FT_DATE}, typed);
		long day;
		bool ok = date_parse(input, &day);
		if (!ok)
			set_error(
			    fs,
			    xasprintf(_("date de l'entrée : AAAA-MM-JJ ou JJ/MM/AAAA attendu, trouvé « %s »"),
			              typed));
		else if (day > date_today())
			set_error(fs, xasprintf(_("date de l'entrée : %s est dans le futur"), input)),
			    ok = false;
		else if (day != fs->r->date)
			fs->r->date = day, touched(fs), recompute(fs);
		free(typed);
		free(input);
		if (ok)
			set_error(fs, NULL);
		return ok;
	}
	const field *fd = fld(fs, fs->cur);
	if (fd->type != FT_MULTI) {
		char *typed = le_text(&fs->ed);
		char *input = input_for(fd, typed);
		bool ok = record_set(fs->r, (size_t)fs->cur, input, &why);
		free(typed);
		free(input);
		if (!ok) {
			record_set(fs->r, (size_t)fs->cur, NULL, NULL);
			recompute(fs);
			set_error(fs, why);
			return false;
		}
	}
	recompute(fs);
	issue *iss = NULL;
	size_t n = record_check(fs->r, &iss);
	const issue *e = issue_for(iss, n, fs->cur, ISSUE_ERROR);
	const issue *w = issue_for(iss, n, fs->cur, ISSUE_WARNING);
	bool ok = true;
	if (e) {
		set_error(fs, xstrdup(e->message));
		ok = false;
	} else if (w && !fs->reasons[fs->cur]) {
		set_error(fs, NULL);
		ask_reason(fs, w->message, after);
		ok = false;
	} else {
		set_error(fs, NULL);
	}
	issues_free(iss, n);
	return ok;
}

static void focus(fscreen *fs, int i)
{
	fs->cur = i;
	load_editor(fs);
}

static void go(fscreen *fs, int target, int after)
{
	if (target == fs->cur)
		return;
	if (!commit(fs, after)) {
		fs->after_goto = target;
		return;
	}
	focus(fs, target);
}

/* Cycle field i through its allowed missing codes, then back to empty. */
static void cycle_missing(fscreen *fs)
{
	if (fs->cur == FOCUS_DATE)
		return;
	const field *fd = fld(fs, fs->cur);
	static const missing_code order[] = {MISS_REFUS, MISS_NSP, MISS_NON_DEMANDE};
	if (!fd->missing_allowed) {
		app_message(fs->a, true, _("%s : pas de réponse manquante possible pour cette question"),
		            fd->id);
		return;
	}
	missing_code now = fs->r->vals[fs->cur].missing;
	size_t start = 0;
	for (size_t k = 0; k < 3; k++)
		if (order[k] == now)
			start = k + 1;
	const char *next = "";
	for (size_t k = start; k < 3; k++)
		if (fd->missing_allowed & order[k]) {
			next = missing_code_name(order[k]);
			break;
		}
	record_set(fs->r, (size_t)fs->cur, next, NULL);
	recompute(fs);
	le_set(&fs->ed, next);
	fs->ed.replace_next = true;
	touched(fs);
	set_error(fs, NULL);
}

/* ← → on a choice or yes/no: the previous or next answer. */
static bool cycle_choice(fscreen *fs, int dir)
{
	if (fs->cur == FOCUS_DATE)
		return false;
	const field *fd = fld(fs, fs->cur);
	const char *next = NULL;
	if (fd->type == FT_YESNO) {
		const char *t = fs->r->vals[fs->cur].text;
		next = t && strcmp(t, "1") == 0 ? "0" : "1";
	} else if (fd->type == FT_CHOICE) {
		const char *t = fs->r->vals[fs->cur].text;
		long k = -1;
		for (size_t c = 0; t && c < fd->choices->n; c++)
			if (strcmp(fd->choices->items[c].code, t) == 0)
				k = (long)c;
		long n = (long)fd->choices->n;
		k = k < 0 ? (dir > 0 ? 0 : n - 1) : (k + dir + n) % n;
		next = fd->choices->items[k].code;
	} else {
		return false;
	}
	record_set(fs->r, (size_t)fs->cur, next, NULL);
	recompute(fs);
	char *t = edit_text(fs, fs->cur);
	le_set(&fs->ed, t);
	free(t);
	fs->ed.replace_next = true;
	touched(fs);
	set_error(fs, NULL);
	return true;
}

/* A digit on a multiple choice toggles that answer (1 to 9, 0 for the tenth). */
static void toggle_multi(fscreen *fs, wint_t ch)
{
	const field *fd = fld(fs, fs->cur);
	size_t k = ch == '0' ? 9 : (size_t)(ch - '1');
	if (k >= fd->choices->n)
		return;
	const fvalue *v = &fs->r->vals[fs->cur];
	char set[1024];
	snprintf(set, sizeof set, " %s ", v->text ? v->text : "");
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (size_t c = 0; c < fd->choices->n; c++) {
		char pad[80];
		snprintf(pad, sizeof pad, " %s ", fd->choices->items[c].code);
		bool on = strstr(set, pad) != NULL;
		if (c == k)
			on = !on;
		if (on)
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", fd->choices->items[c].code);
	}
	record_set(fs->r, (size_t)fs->cur, strbuf_str(&sb), NULL);
	recompute(fs);
	le_set(&fs->ed, strbuf_str(&sb));
	strbuf_done(&sb);
	touched(fs);
}

/* ------------------------------------------------------------ saving */

static void jump_to(fscreen *fs, int i, char *message)
{
	if (!focusable(fs, i)) {
		/* An identity field the person may not see: said, not shown. */
		if (message)
			app_message(fs->a, true, "%s : %s", fld(fs, i)->id, message);
		free(message);
		return;
	}
	fs->cur = i;
	load_editor(fs);
	set_error(fs, message);
}

/* The differences between what is typed and what the other person saved, for the conflict
 * message. Caller frees. */
static char *conflict_details(fscreen *fs, const char *why)
{
	strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%s\n", why);
	entry_meta other;
	char *w2 = NULL;
	int code;
	record *theirs = store_entry_load(fs->a->ctx->st, fs->a->ctx->fs, fs->meta.uuid, &other, &w2, &code);
	free(w2);
	if (theirs) {
		size_t shown = 0;
		for (size_t i = 0; i < fs->r->f->n_fields; i++) {
			const field *fd = &fs->r->f->fields[i];
			if (!is_input(fd))
				continue;
			const fvalue *m = &fs->r->vals[i], *t = &theirs->vals[i];
			const char *mine = m->visible ? (m->text      ? m->text
			                                 : m->missing ? missing_code_name(m->missing)
			                                              : "")
			                              : "";
			const char *their = t->text      ? t->text
			                    : t->missing ? missing_code_name(t->missing)
			                                 : "";
			if (strcmp(mine, their) == 0)
				continue;
			if (shown++ < 6)
				strbuf_printf(&sb, _("%s : enregistré « %s », vous « %s »\n"), fd->id,
				              fd->identifier ? "…" : their, fd->identifier ? "…" : mine);
		}
		if (shown > 6)
			strbuf_printf(&sb, _("… et %zu autre(s) différence(s)\n"), shown - 6);
		record_free(theirs);
	}
	strbuf_puts(&sb, _("Vos valeurs restent à l'écran et en brouillon ; rien n'a été écrasé."));
	return strbuf_take(&sb);
}

/* store_entry_reasons: a reason saved with the entry, for a field the form still has. */
static void reason_loaded(void *ctx, const char *field_id, const char *reason)
{
	fscreen *fs = ctx;
	long i = form_field_index(fs->r->f, field_id);
	if (i < 0)
		return;
	free(fs->reasons[i]);
	free(fs->stored[i]);
	fs->reasons[i] = xstrdup(reason);
	fs->stored[i] = xstrdup(reason);
}

static outcome do_save(fscreen *fs)
{
	app *a = fs->a;
	confirmation *conf = xcalloc(fs->r->f->n_fields + 1, sizeof *conf);
	size_t n_conf = 0;
	for (size_t i = 0; i < fs->r->f->n_fields; i++)
		/* A reason read back unchanged is not given again: its row keeps who confirmed it and
		 * when. */
		if (fs->reasons[i] && !(fs->stored[i] && strcmp(fs->stored[i], fs->reasons[i]) == 0))
			conf[n_conf++] = (confirmation){i, fs->reasons[i]};
	char *why = NULL;
	int rc;
	bool was_new = fs->new_patient;
	if (fs->new_patient) {
		rc = session_patient_add(a->ctx, fs->r, conf, n_conf, &fs->meta, &why);
		fs->new_patient = rc != 0;
	} else {
		rc = store_entry_save(a->ctx->st, fs->r, &fs->meta, false, conf, n_conf, a->ctx->login, &why);
	}
	free(conf);
	if (rc == EXIT_TEMPFAIL && fs->meta.id) {
		keep_typed(fs, NULL);
		char *details = conflict_details(fs, why);
		dialog_message(&fs->dlg, TAG_CONFLICT,
		               _("Conflit : l'entrée a été modifiée par quelqu'un d'autre"), details);
		free(details);
		free(why);
		return OUT_REDRAW;
	}
	if (rc) {
		keep_typed(fs, why);
		free(why);
		return OUT_REDRAW;
	}
	draft_forget(fs);
	const char *status = strcmp(fs->meta.status, "complete") == 0 ? _("complète") : _("incomplète");
	if (was_new) {
		app_message(a, false, _("Patient %s créé ; fiche enregistrée (%s)."), fs->meta.pseudonym,
		            status);
		a->after_close = patient_file_new(a, fs->meta.patient_id, fs->meta.pseudonym);
	} else {
		size_t raised = 0;
		for (size_t k = 0; k < fs->r->f->n_alerts; k++)
			raised += fs->alert_on[k];
		if (raised)
			app_message(a, false,
			            _("Entrée %.8s enregistrée (%s) ; alerte clinique à acquitter (F8)."),
			            fs->meta.uuid, status);
		else
			app_message(a, false, _("Entrée %.8s enregistrée (%s)."), fs->meta.uuid, status);
	}
	return OUT_CLOSE;
}

static outcome save(fscreen *fs)
{
	if (!commit(fs, AFTER_SAVE))
		return OUT_REDRAW;
	recompute(fs);
	issue *iss = NULL;
	size_t n = record_check(fs->r, &iss);
	size_t missing = 0;
	strbuf names = STRBUF_INIT;
	for (size_t k = 0; k < n; k++) {
		if (iss[k].kind == ISSUE_ERROR) {
			jump_to(fs, (int)iss[k].field, xstrdup(iss[k].message));
			issues_free(iss, n);
			strbuf_done(&names);
			return OUT_REDRAW;
		}
		if (iss[k].kind == ISSUE_WARNING && !fs->reasons[iss[k].field]) {
			jump_to(fs, (int)iss[k].field, NULL);
			ask_reason(fs, iss[k].message, AFTER_SAVE);
			issues_free(iss, n);
			strbuf_done(&names);
			return OUT_REDRAW;
		}
		if (iss[k].kind == ISSUE_REQUIRED && missing++ < 6)
			strbuf_printf(&names, "%s%s", names.len ? ", " : "",
			              fs->r->f->fields[iss[k].field].id);
	}
	issues_free(iss, n);
	if (missing && !fs->allow_incomplete) {
		char *text =
		    xasprintf(_("%zu réponse(s) obligatoire(s) manquante(s) : %s%s\n"
		                "o : enregistrer l'entrée comme incomplète ; n : compléter maintenant"),
		              missing, strbuf_str(&names), missing > 6 ? ", …" : "");
		dialog_confirm(&fs->dlg, TAG_INCOMPLETE, _("Entrée incomplète"), text, "on");
		free(text);
		strbuf_done(&names);
		return OUT_REDRAW;
	}
	strbuf_done(&names);
	fs->allow_incomplete = false;
	return do_save(fs);
}

static void first_required_missing(fscreen *fs)
{
	issue *iss = NULL;
	size_t n = record_check(fs->r, &iss);
	for (size_t k = 0; k < n; k++)
		if (iss[k].kind == ISSUE_REQUIRED) {
			jump_to(fs, (int)iss[k].field, NULL);
			break;
		}
	issues_free(iss, n);
}

/* ------------------------------------------------------------ drawing */

static void draw_cell(fscreen *fs, int i, int y, int x, int w, int *cursor_x)
{
	char buf[1024];
	if (i == fs->cur) {
		*cursor_x = le_draw(&fs->ed, y, x, w, attr_focus());
		return;
	}
	const char *t = shown(fs, i) ? shown_value(fs, i, buf, sizeof buf, false) : "·";
	put_blank(y, x, w, A_UNDERLINE);
	put_text(y, x, w, t, A_UNDERLINE, true);
}

/* What follows a value: the choice's label, the unit, the meaning of a missing code. */
static const char *echo_of(fscreen *fs, int i, char *buf, size_t size)
{
	const field *fd = fld(fs, i);
	const fvalue *v = &fs->r->vals[i];
	if (v->missing)
		return missing_label(v->missing);
	if (fd->type == FT_CHOICE || fd->type == FT_YESNO)
		return v->text ? shown_value(fs, i, buf, size, true) : "";
	if (fd->unit)
		return fd->unit;
	return "";
}

static int cell_width(const field *fd, int room)
{
	int w;
	switch (fd->type) {
	case FT_INTEGER:
	case FT_DECIMAL:
		w = 9;
		break;
	case FT_DATE:
		w = 11;
		break;
	case FT_YESNO:
		w = 5;
		break;
	case FT_CHOICE: {
		w = 4;
		for (size_t k = 0; k < fd->choices->n; k++)
			if ((int)strlen(fd->choices->items[k].code) + 1 > w)
				w = (int)strlen(fd->choices->items[k].code) + 1;
		if (w > 14)
			w = 14;
		break;
	}
	default:
		w = room;
	}
	return w < room ? w : room;
}

static void draw_field_row(fscreen *fs, const frow *row, int y, int *cy, int *cx)
{
	int lw = label_width();
	bool focused = row->field == fs->cur;
	put_text(y, 0, 1, focused ? "▸" : " ", attr_title(), false);
	if (row->kind == ROW_DATE) {
		put_text(y, 2, lw - 2, _("Date de l'entrée"), focused ? attr_title() : A_NORMAL, true);
		int cx0 = -1;
		if (focused)
			cx0 = le_draw(&fs->ed, y, lw + 1, 11, attr_focus());
		else {
			char d[11];
			date_format(fs->r->date, d);
			put_text(y, lw + 1, 11, d, A_UNDERLINE, false);
		}
		if (focused)
			*cy = y, *cx = cx0;
		return;
	}
	const field *fd = fld(fs, row->field);
	const fvalue *v = &fs->r->vals[row->field];
	bool empty = !v->text && !v->missing;
	put_text(y, 1, 1, fd->required ? "*" : " ", fd->required && empty ? attr_title() : A_NORMAL, false);
	put_text(y, 2, lw - 2, i18n_get(&fd->label, fs->a->lang), focused ? attr_title() : A_NORMAL, true);
	int room = COLS - lw - 2;
	char buf[1024];
	if (row->kind == ROW_CALC) {
		const char *t = v->text ? shown_value(fs, row->field, buf, sizeof buf, true)
		                        : _("— (réponses manquantes)");
		int x = lw + 1 + put_text(y, lw + 1, room, t, attr_title(), true);
		if (fd->unit && v->text)
			put_text(y, x + 1, COLS - x - 1, fd->unit, A_NORMAL, true);
		return;
	}
	if (fd->type == FT_MULTI && !v->missing) {
		if (focused) {
			put_blank(y, lw + 1, room, attr_focus());
			put_text(y, lw + 1, room, shown_value(fs, row->field, buf, sizeof buf, true),
			         attr_focus(), true);
			*cy = y, *cx = lw + 1;
		} else {
			put_text(y, lw + 1, room, shown_value(fs, row->field, buf, sizeof buf, true),
			         A_NORMAL, true);
		}
		return;
	}
	int w = cell_width(fd, room);
	int cx0 = -1;
	draw_cell(fs, row->field, y, lw + 1, w, &cx0);
	if (focused)
		*cy = y, *cx = cx0;
	const char *echo = echo_of(fs, row->field, buf, sizeof buf);
	if (*echo && lw + 2 + w < COLS)
		put_text(y, lw + 2 + w, COLS - lw - 2 - w, echo, A_NORMAL, true);
}

/* The column label of a matrix field: what follows "row — " in its label. */
static const char *column_label(const fscreen *fs, const field *fd)
{
	const char *l = i18n_get(&fd->label, fs->a->lang);
	const char *sep = strstr(l, " — ");
	return sep ? sep + strlen(" — ") : l;
}

/* The distinct columns of the matrix that field first belongs to, into cols (max 8). */
static int matrix_columns(const fscreen *fs, int first, const field *cols[8])
{
	const form *f = fs->r->f;
	const char *m = f->fields[first].matrix;
	int n = 0;
	for (size_t i = (size_t)first; i < f->n_fields && str_eq(f->fields[i].matrix, m); i++) {
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen |= strcmp(cols[k]->matrix_col, f->fields[i].matrix_col) == 0;
		if (!seen && n < 8)
			cols[n++] = &f->fields[i];
	}
	return n;
}

static void matrix_geometry(int ncols, int *rw, int *cw)
{
	*rw = COLS >= 100 ? 30 : 22;
	*cw = ncols ? (COLS - *rw - 1) / ncols : 10;
	if (*cw > 22)
		*cw = 22;
}

static void draw_matrix_head(fscreen *fs, const frow *row, int y)
{
	const field *cols[8];
	int n = matrix_columns(fs, row->field, cols), rw, cw;
	matrix_geometry(n, &rw, &cw);
	for (int k = 0; k < n; k++)
		put_text(y, rw + k * cw, cw - 1, column_label(fs, cols[k]), attr_title(), true);
}

static void draw_matrix_row(fscreen *fs, const frow *row, int y, int *cy, int *cx)
{
	const field *cols[8];
	int n = matrix_columns(fs, row->field, cols), rw, cw;
	matrix_geometry(n, &rw, &cw);
	const field *fd = fld(fs, row->field);
	bool has_focus = fs->cur >= row->field && fs->cur < row->field + row->n_cells;
	put_text(y, 0, 1, has_focus ? "▸" : " ", attr_title(), false);
	const char *l = i18n_get(&fd->label, fs->a->lang);
	const char *sep = strstr(l, " — ");
	char name[200];
	snprintf(name, sizeof name, "%.*s", sep ? (int)(sep - l) : (int)strlen(l), l);
	put_text(y, 2, rw - 3, name, has_focus ? attr_title() : A_NORMAL, true);
	for (int c = 0; c < row->n_cells; c++) {
		int i = row->field + c;
		int k = 0;
		while (k < n && strcmp(cols[k]->matrix_col, fld(fs, i)->matrix_col) != 0)
			k++;
		int x = rw + k * cw, cx0 = -1;
		if (i == fs->cur) {
			cx0 = le_draw(&fs->ed, y, x, cw - 1, attr_focus());
			*cy = y, *cx = cx0;
		} else if (shown(fs, i)) {
			char buf[512];
			const field *cf = fld(fs, i);
			bool lab = cf->type == FT_CHOICE;
			put_blank(y, x, cw - 1, A_UNDERLINE);
			put_text(y, x, cw - 1, shown_value(fs, i, buf, sizeof buf, lab), A_UNDERLINE, true);
		} else {
			put_text(y, x, cw - 1, "·", attr_dim(), false);
		}
	}
}

static const char *type_label(field_type t)
{
	switch (t) {
	case FT_TEXT:
		return _("texte");
	case FT_INTEGER:
		return _("nombre entier");
	case FT_DECIMAL:
		return _("nombre");
	case FT_DATE:
		return _("date");
	case FT_YESNO:
		return _("oui/non");
	case FT_CHOICE:
		return _("choix");
	case FT_MULTI:
		return _("plusieurs choix");
	default:
		return _("calculé");
	}
}

/* The panel under the rows: the whole question, its answers and what can be typed. */
static void draw_panel(fscreen *fs, int y0, int h)
{
	char buf[1024];
	put_blank(y0, 0, COLS, A_NORMAL);
	if (fs->cur == FOCUS_DATE) {
		put_text(y0, 0, COLS, "── ", attr_dim(), false);
		put_text(y0 + 1, 2, COLS - 4,
		         _("Date de l'entrée (consultation, dépistage…) : AAAA-MM-JJ ou JJ/MM/AAAA."),
		         A_NORMAL, true);
		return;
	}
	const field *fd = fld(fs, fs->cur);
	snprintf(buf, sizeof buf, "── %s · %s%s ", fd->id, type_label(fd->type),
	         fd->required ? _(" · obligatoire") : "");
	int x = put_text(y0, 0, COLS, buf, attr_dim(), true);
	for (; x < COLS; x++)
		put_text(y0, x, 1, "─", attr_dim(), false);
	char **lines;
	size_t nl = text_wrap(i18n_get(&fd->label, fs->a->lang), COLS - 4, &lines);
	int y = y0 + 1, end = y0 + h;
	for (size_t k = 0; k < nl && k < 2 && y < end; k++)
		put_text(y++, 2, COLS - 4, lines[k], attr_title(), k == 1);
	lines_free(lines, nl);
	if (fd->type == FT_CHOICE || fd->type == FT_MULTI) {
		/* Answers packed in columns: key, label. */
		int colw = COLS / 2 - 2, col = 0;
		size_t n = fd->choices->n;
		if (n > 8)
			colw = COLS / 3 - 1;
		int per_line = (COLS - 2) / colw;
		const char *t = fs->r->vals[fs->cur].text;
		char set[1024];
		snprintf(set, sizeof set, " %s ", t ? t : "");
		for (size_t k = 0; k < n && y < end; k++) {
			const choice *c = &fd->choices->items[k];
			char key[48], pad[80];
			snprintf(pad, sizeof pad, " %s ", c->code);
			bool on = fd->type == FT_MULTI ? strstr(set, pad) != NULL : str_eq(t, c->code);
			if (fd->type == FT_MULTI)
				snprintf(key, sizeof key, "[%s] %zu", on ? "x" : " ", k + 1);
			else if (fd->choices->numeric)
				snprintf(key, sizeof key, "%s", c->code);
			else
				snprintf(key, sizeof key, "%zu", k + 1);
			snprintf(buf, sizeof buf, "%s %s", key, i18n_get(&c->label, fs->a->lang));
			put_text(y, 2 + col * colw, colw - 1, buf, on ? attr_focus() : A_NORMAL, true);
			if (++col == per_line) {
				col = 0;
				y++;
			}
		}
		if (col)
			y++;
	} else if (y < end) {
		char lim[120] = "";
		char lo[40], hi[40];
		format_number(fd->min, -1, lo, sizeof lo);
		format_number(fd->max, -1, hi, sizeof hi);
		if (fd->type == FT_DATE) {
			snprintf(buf, sizeof buf, "%s", _("Date : AAAA-MM-JJ ou JJ/MM/AAAA."));
		} else if (fd->type == FT_YESNO) {
			snprintf(buf, sizeof buf, "%s", _("o : oui   n : non   (← → pour changer)"));
		} else {
			if (fd->has_min && fd->has_max)
				snprintf(lim, sizeof lim, _(" entre %s et %s"), lo, hi);
			else if (fd->has_min)
				snprintf(lim, sizeof lim, _(" d'au moins %s"), lo);
			else if (fd->has_max)
				snprintf(lim, sizeof lim, _(" d'au plus %s"), hi);
			const char *what = fd->type == FT_INTEGER   ? _("Nombre entier")
			                   : fd->type == FT_DECIMAL ? _("Nombre (virgule ou point)")
			                                            : _("Texte ; longueur");
			snprintf(buf, sizeof buf, "%s%s%s%s.", what, lim, fd->unit ? " " : "",
			         fd->unit ? fd->unit : "");
			if (fd->type == FT_TEXT && !lim[0])
				snprintf(buf, sizeof buf, "%s", _("Texte libre."));
		}
		put_text(y++, 2, COLS - 4, buf, A_NORMAL, true);
	}
	if (y < end && (fd->missing_allowed || fd->help.fr)) {
		strbuf sb = STRBUF_INIT;
		if (fd->missing_allowed)
			strbuf_printf(&sb, _("F4/^R : réponse manquante (%s%s%s)"),
			              fd->missing_allowed & MISS_REFUS ? ".refus " : "",
			              fd->missing_allowed & MISS_NSP ? ".nsp " : "",
			              fd->missing_allowed & MISS_NON_DEMANDE ? ".non_demande" : "");
		if (fd->help.fr)
			strbuf_printf(&sb, "%s%s",
			              sb.len ? _(" · F3/^O : explication") : _("F3/^O : explication"), "");
		put_text(y, 2, COLS - 4, strbuf_str(&sb), attr_dim(), true);
		strbuf_done(&sb);
	}
}

static void form_draw(app *a, screen *s)
{
	fscreen *fs = (fscreen *)s;
	const form *f = fs->r->f;
	char title[300];
	snprintf(title, sizeof title, "%s — %s", i18n_get(&f->title, a->lang),
	         fs->meta.patient_id ? fs->meta.pseudonym : _("nouveau patient"));
	app_draw_frame(a, title, screen_ctx(s));
	int sec = section_of(fs, fs->cur);
	frow *rows;
	size_t n = section_rows(fs, sec, &rows);
	int h = rows_height(fs) > 0 ? rows_height(fs) : 1;
	int page = page_of(fs, rows, n, fs->cur), pages = n ? (int)((n + (size_t)h - 1) / (size_t)h) : 1;
	char head[300];
	snprintf(head, sizeof head, _("Section %d/%zu : %s"), sec + 1, f->n_sections,
	         i18n_get(&f->sections[sec].title, a->lang));
	/* The form's one-line summary, live: the score changes as the answers are typed. */
	char *summary = session_summary(a->ctx, fs->r, a->lang);
	int sw = text_width(summary);
	if (sw > COLS / 2)
		sw = COLS / 2;
	int hw = put_text(1, 0, COLS - sw - 12, head, attr_title(), true);
	if (pages > 1) {
		snprintf(head, sizeof head, _("  page %d/%d"), page + 1, pages);
		put_text(1, hw, COLS - sw - 1 - hw, head, A_NORMAL, false);
	}
	put_text(1, COLS - sw, sw, summary, attr_title(), true);
	free(summary);
	int top = 2 + alert_banner(fs, 2, true);
	int cy = -1, cx = -1;
	for (int k = 0; k < h && (size_t)(page * h + k) < n; k++) {
		const frow *row = &rows[page * h + k];
		int y = top + k;
		switch (row->kind) {
		case ROW_NOTE: {
			char **lines;
			size_t nl =
			    text_wrap(i18n_get(&fld(fs, row->field)->label, a->lang), COLS - 4, &lines);
			if ((size_t)row->line < nl)
				put_text(y, 2, COLS - 4, lines[row->line], A_NORMAL, true);
			lines_free(lines, nl);
			break;
		}
		case ROW_MHEAD:
			draw_matrix_head(fs, row, y);
			break;
		case ROW_MROW:
			draw_matrix_row(fs, row, y, &cy, &cx);
			break;
		default:
			draw_field_row(fs, row, y, &cy, &cx);
		}
	}
	free(rows);
	draw_panel(fs, top + h, panel_height());
	if (fs->err) {
		put_blank(LINES - 2, 0, COLS, A_NORMAL);
		put_text(LINES - 2, 0, COLS, fs->err, attr_error(), true);
	} else if (!a->message[0]) {
		put_text(LINES - 2, 0, COLS,
		         _("Tab/Entrée : suivant · Maj-Tab/↑ : précédent · PgDn/PgUp : page"), attr_dim(),
		         true);
	}
	if (fs->dlg.kind) {
		dialog_draw(&fs->dlg);
	} else if (cy >= 0 && cx >= 0) {
		term_cursor(true);
		move(cy, cx);
	}
}

/* ------------------------------------------------------------ keys */

static outcome after_dialog(fscreen *fs, int tag, dialog_result r, int answer, char *text)
{
	switch (tag) {
	case TAG_REASON:
		if (r != DR_DONE || !text || !*text) {
			set_error(
			    fs,
			    xstrdup(_("valeur inhabituelle : la corriger, ou la confirmer avec une raison")));
			return OUT_REDRAW;
		}
		free(fs->reasons[fs->cur]);
		fs->reasons[fs->cur] = xstrdup(text);
		fs->dirty = true;
		if (fs->after == AFTER_SAVE)
			return save(fs);
		if (fs->after == AFTER_GOTO) {
			go(fs, fs->after_goto, AFTER_GOTO);
			return OUT_REDRAW;
		}
		return OUT_REDRAW;
	case TAG_INCOMPLETE:
		if (r == DR_DONE && answer == 'o') {
			fs->allow_incomplete = true;
			return save(fs);
		}
		first_required_missing(fs);
		return OUT_REDRAW;
	case TAG_LEAVE:
		if (r != DR_DONE)
			return OUT_REDRAW;
		if (answer == 'e')
			return save(fs);
		if (answer == 'a') {
			draft_forget(fs);
			app_message(fs->a, false, "%s", _("Saisie abandonnée."));
			return OUT_CLOSE;
		}
		keep_typed(fs, NULL);
		app_message(fs->a, false, "%s",
		            _("Saisie gardée en brouillon : elle sera proposée au prochain démarrage."));
		return OUT_CLOSE;
	default:
		return OUT_REDRAW;
	}
}

static outcome dialog_keys(fscreen *fs, const ui_key *k)
{
	int answer = 0;
	dialog_result r = dialog_key(&fs->dlg, k, &answer);
	if (r == DR_OPEN)
		return OUT_REDRAW;
	int tag = fs->dlg.tag;
	char *text = fs->dlg.kind == DLG_INPUT ? le_text(&fs->dlg.edit) : NULL;
	dialog_close(&fs->dlg);
	outcome o = after_dialog(fs, tag, r, answer, text);
	free(text);
	return o;
}

static outcome page_key(fscreen *fs, int dir)
{
	int sec = section_of(fs, fs->cur);
	frow *rows;
	size_t n = section_rows(fs, sec, &rows);
	int page = page_of(fs, rows, n, fs->cur);
	free(rows);
	int target = -2;
	int nsec = (int)fs->r->f->n_sections;
	for (int s = sec, p = page + dir; target == -2 && s >= 0 && s < nsec;) {
		int pages = pages_in(fs, s);
		if (p < 0) {
			if (--s < 0)
				break;
			p = pages_in(fs, s) - 1;
			continue;
		}
		if (p >= pages) {
			if (++s >= nsec)
				break;
			p = 0;
			continue;
		}
		target = first_on_page(fs, s, p);
		p += dir;
	}
	if (target == -2)
		return OUT_NONE;
	go(fs, target, AFTER_GOTO);
	return OUT_REDRAW;
}

static outcome form_key(app *a, screen *s, const ui_key *k)
{
	fscreen *fs = (fscreen *)s;
	if (fs->dlg.kind)
		return dialog_keys(fs, k);
	const field *fd = fs->cur == FOCUS_DATE ? NULL : fld(fs, fs->cur);
	outcome o = OUT_REDRAW;
	switch (k->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		go(fs, step(fs, fs->cur, 1), AFTER_GOTO);
		break;
	case ACT_PREV:
	case ACT_UP:
		go(fs, step(fs, fs->cur, -1), AFTER_GOTO);
		break;
	case ACT_PGDN:
		o = page_key(fs, 1);
		break;
	case ACT_PGUP:
		o = page_key(fs, -1);
		break;
	case ACT_SAVE:
		o = save(fs);
		break;
	case ACT_MISSING:
		cycle_missing(fs);
		break;
	case ACT_FIELD_HELP: {
		if (!fd)
			break;
		strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, "%s\n", i18n_get(&fd->label, a->lang));
		if (fd->help.fr)
			strbuf_printf(&sb, "\n%s\n", i18n_get(&fd->help, a->lang));
		if (fd->show_if_src)
			strbuf_printf(&sb, _("\nPosée si : %s"), fd->show_if_src);
		if (fd->constraint_src)
			strbuf_printf(&sb, _("\nRègle : %s (%s)"), fd->constraint_src,
			              i18n_get(&fd->message, a->lang));
		if (fd->soft_src)
			strbuf_printf(&sb, _("\nÀ confirmer si faux : %s"), fd->soft_src);
		dialog_message(&fs->dlg, TAG_INFO, fd->id, strbuf_str(&sb));
		strbuf_done(&sb);
		break;
	}
	case ACT_LEFT:
	case ACT_RIGHT:
		if (!cycle_choice(fs, k->act == ACT_LEFT ? -1 : 1))
			le_key(&fs->ed, k);
		break;
	case ACT_HELP:
		app_push(a, help_new(a));
		break;
	case ACT_BACK:
		if (!fs->changed) {
			draft_forget(fs);
			return OUT_CLOSE;
		}
		dialog_confirm(
		    &fs->dlg, TAG_LEAVE, _("Quitter la saisie"),
		    _("g : garder en brouillon pour plus tard (Entrée)\ne : enregistrer maintenant\n"
		      "a : abandonner ce qui a été tapé\nÉchap : continuer la saisie"),
		    "gea");
		break;
	case ACT_QUIT:
		if (fs->changed) {
			keep_typed(fs, NULL);
		}
		return OUT_QUIT;
	default:
		if (fd && fd->type == FT_MULTI && k->ch) {
			if (k->ch >= '0' && k->ch <= '9')
				toggle_multi(fs, k->ch);
			else if (k->ch == '.')
				cycle_missing(fs);
			break;
		}
		if (fd && fd->type == FT_MULTI && k->act == ACT_CLEAR) {
			record_set(fs->r, (size_t)fs->cur, NULL, NULL);
			recompute(fs);
			le_set(&fs->ed, "");
			touched(fs);
			break;
		}
		if (le_key(&fs->ed, k)) {
			touched(fs);
			set_error(fs, NULL);
			apply_live(fs);
			if (fd && k->ch) {
				char *typed = le_text(&fs->ed);
				if (choice_complete(fd, typed))
					go(fs, step(fs, fs->cur, 1), AFTER_GOTO);
				free(typed);
			}
		} else if (k->act == ACT_NONE && !k->ch) {
			o = OUT_NONE;
		}
	}
	/* Typing for a long while without a pause: write the draft anyway now and then. */
	if (fs->dirty && time(NULL) - fs->last_draft >= 10)
		keep_typed(fs, NULL);
	return o;
}

static unsigned form_context(const screen *s)
{
	return ((const fscreen *)s)->dlg.kind ? CTX_DIALOG : CTX_FORM;
}

static int form_pending(screen *s)
{
	return ((fscreen *)s)->dirty ? 1500 : -1;
}

static void form_idle(app *a, screen *s)
{
	(void)a;
	fscreen *fs = (fscreen *)s;
	if (fs->dirty)
		keep_typed(fs, NULL);
}

static void form_hangup(app *a, screen *s)
{
	(void)a;
	fscreen *fs = (fscreen *)s;
	if (fs->changed)
		keep_typed(fs, NULL);
}

static void form_done(screen *s)
{
	fscreen *fs = (fscreen *)s;
	dialog_close(&fs->dlg);
	for (size_t i = 0; i < fs->r->f->n_fields; i++) {
		free(fs->reasons[i]);
		free(fs->stored[i]);
	}
	free(fs->reasons);
	free(fs->stored);
	record_free(fs->r);
	free(fs->alert_on);
	le_done(&fs->ed);
	free(fs->err);
	draft_done(&fs->dr);
	free(fs->rescue);
	free(fs);
}

static const screen_ops form_ops = {
    .name = "form",
    .ctx = CTX_FORM,
    .draw = form_draw,
    .key = form_key,
    .done = form_done,
    .context = form_context,
    .pending = form_pending,
    .idle = form_idle,
    .hangup = form_hangup,
};

screen *form_screen_new(app *a, int64_t patient_id, const char *pseudonym, const char *form_id,
                        const char *uuid, int64_t draft_id, char **why)
{
	session *c = a->ctx;
	if (!session_may(c, PERM_EDIT_ENTRY)) {
		set_why(why, "%s", _("saisie réservée aux rôles saisie, coordination et admin"));
		return NULL;
	}
	const form *f = formset_form(c->fs, form_id);
	if (!f) {
		set_why(why, _("formulaire « %s » absent du dossier des formulaires"), form_id);
		return NULL;
	}
	fscreen *fs = xcalloc(1, sizeof *fs);
	fs->base.ops = &form_ops;
	fs->a = a;
	fs->identity = session_may(c, PERM_SEE_IDENTITY);
	int code;
	if (uuid) {
		fs->r = store_entry_load(c->st, c->fs, uuid, &fs->meta, why, &code);
		if (!fs->r) {
			free(fs);
			return NULL;
		}
	} else {
		fs->r = record_new(c->fs, f, date_today());
		fs->meta.patient_id = patient_id;
		snprintf(fs->meta.pseudonym, sizeof fs->meta.pseudonym, "%s", pseudonym ? pseudonym : "");
		if (patient_id && strcmp(f->id, "patient") != 0) {
			fs->r->patient = store_patient_record(c->st, c->fs, patient_id);
			fs->r->owns_patient = true;
		}
		record_apply_defaults(fs->r);
	}
	fs->alert_on = xcalloc(fs->r->f->n_alerts + 1, sizeof *fs->alert_on);
	recompute(fs);
	fs->new_patient = !patient_id && strcmp(f->id, "patient") == 0;
	fs->dated = f->cardinality == CARD_REPEATED;
	fs->reasons = xcalloc(f->n_fields + 1, sizeof *fs->reasons);
	fs->stored = xcalloc(f->n_fields + 1, sizeof *fs->stored);
	if (fs->meta.id) {
		/* Warnings confirmed when the entry was saved are not asked again. */
		char *rwhy = NULL;
		if (store_entry_reasons(c->st, fs->meta.id, reason_loaded, fs, &rwhy))
			app_message(a, true, "%s", rwhy);
		free(rwhy);
	}
	fs->last_draft = time(NULL);
	le_init(&fs->ed, "");
	fs->cur = fs->dated ? FOCUS_DATE : step(fs, FOCUS_DATE, 1);
	load_editor(fs);
	if (draft_id) {
		store_draft d;
		if (store_draft_get(c->st, draft_id, &d)) {
			draft_restore(fs, &d);
			draft_done(&d);
			app_message(a, false, "%s",
			            _("Brouillon repris : tout ce qui avait été tapé est revenu."));
		}
	}
	return &fs->base;
}
