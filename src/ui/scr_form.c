/* scr_form.c — form entry, generated from the form model: the keys and the editing of the form
 * screen. Skip logic and calculated fields follow each keystroke, hard rules keep the cursor in
 * the field with the rule named, soft rules ask for a reason, typed missing codes are on one key,
 * and a save is checked before it is stored. form_draw.c draws the screen from the layout of
 * core/form_layout.c (one row per question, a compact grid for matrices, sections paginated to
 * the terminal height, the banner of the clinical alerts that hold); form_save.c keeps the draft
 * as the person types and stores the entry.
 *
 * Values are judged by record_set and record_check, exactly as on the command line; the screen
 * only translates what is typed (a choice's number, JJ/MM/AAAA, a decimal comma) beforehand. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/util.h"
#include "ui/form_screen.h"

enum { AFTER_NONE, AFTER_NEXT, AFTER_PREV, AFTER_SAVE, AFTER_GOTO };

/* ------------------------------------------------------------ fields */

bool form_screen_shown(const form_screen *scr, int i)
{
	return form_layout_field_shown(scr->r, i, !scr->identity);
}

bool form_screen_focusable(const form_screen *scr, int i)
{
	if (i == FOCUS_DATE)
		return scr->dated;
	return form_layout_focusable(scr->r, i, !scr->identity);
}

void form_screen_recompute(form_screen *scr)
{
	record_compute(scr->r);
	for (size_t k = 0; k < scr->r->f->n_alerts; k++)
		scr->alert_on[k] = record_alert_active(scr->r, k);
}

/* True when the cursor rests on a calculated value (a page of scores): nothing is typed there. */
static bool viewing(const form_screen *scr)
{
	return scr->cur != FOCUS_DATE && field_at(scr, scr->cur)->type == FT_CALCULATED;
}

/* The next (dir 1) or previous (dir -1) focusable field from i, or i itself if none. */
static int step(const form_screen *scr, int i, int dir)
{
	int n = (int)scr->r->f->n_fields;
	for (int k = i + dir; k >= FOCUS_DATE && k < n; k += dir)
		if (form_screen_focusable(scr, k))
			return k;
	return i;
}

/* ------------------------------------------------------------ values as typed */

/* The text the editor starts with for field i. Caller frees. */
static char *edit_text(const form_screen *scr, int i)
{
	if (i == FOCUS_DATE) {
		char d[11];
		date_format(scr->r->date, d);
		return xstrdup(d);
	}
	const fvalue *v = &scr->r->vals[i];
	if (v->missing)
		return xstrdup(missing_code_name(v->missing));
	if (!v->text)
		return xstrdup("");
	if (field_at(scr, i)->type == FT_YESNO)
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

/* ------------------------------------------------------------ editing */

/* Field i as a message names it: its label, its first words when long (the question is on the
 * screen, whole). Caller frees. */
static char *field_name(const form_screen *scr, size_t i)
{
	char **lines;
	size_t n = draw_wrap(i18n_get(&scr->r->f->fields[i].label, scr->a->lang), 36, &lines);
	char *name = xasprintf("%s%s", n ? lines[0] : scr->r->f->fields[i].id, n > 1 ? " …" : "");
	lines_free(lines, n);
	return name;
}

/* msg, which names field i by its id as the command line does ("enfants : valeur hors de
 * [0, 20]"), with the field's label instead. Takes msg (may be NULL); caller frees the result. */
static char *labelled(const form_screen *scr, size_t i, char *msg)
{
	const char *id = scr->r->f->fields[i].id;
	size_t len = strlen(id);
	if (!msg || strncmp(msg, id, len) != 0 || strncmp(msg + len, " : ", 3) != 0)
		return msg;
	char *name = field_name(scr, i);
	char *out = xasprintf("%s%s", name, msg + len);
	free(name);
	free(msg);
	return out;
}

static void set_error(form_screen *scr, char *why)
{
	free(scr->err);
	scr->err = why;
}

void form_screen_edit(form_screen *scr, const char *typed)
{
	char *current = edit_text(scr, scr->cur);
	le_set(&scr->ed, typed ? typed : current);
	const field *fd = scr->cur == FOCUS_DATE ? NULL : field_at(scr, scr->cur);
	/* Choices, yes/no, numbers and dates: the first key replaces the value (data entry);
	 * free text is continued, and so is a value half typed. */
	scr->ed.replace_next = (!fd || fd->type != FT_TEXT) && (!typed || strcmp(typed, current) == 0);
	free(current);
}

static void load_editor(form_screen *scr)
{
	form_screen_edit(scr, NULL);
}

/* Apply what is in the editor to the record at once, so that skip logic and scores follow the
 * typing; a value not (yet) acceptable leaves the field empty until it is. */
static void apply_live(form_screen *scr)
{
	if (scr->cur == FOCUS_DATE || viewing(scr))
		return;
	const field *fd = field_at(scr, scr->cur);
	if (fd->type == FT_MULTI)
		return;
	char *typed = le_text(&scr->ed);
	char *input = input_for(fd, typed);
	if (!record_set(scr->r, (size_t)scr->cur, input, NULL))
		record_set(scr->r, (size_t)scr->cur, NULL, NULL);
	form_screen_recompute(scr);
	free(typed);
	free(input);
}

static void touched(form_screen *scr)
{
	scr->changed = true;
	if (!scr->dirty)
		scr->dirty = true;
	if (scr->cur >= 0) {
		free(scr->reasons[scr->cur]);
		scr->reasons[scr->cur] = NULL;
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

/* Whether typed could still become an answer of the choice or yes/no fd: a prefix of one of its
 * codes or numbers, of a missing code, or of oui/non. */
static bool choice_prefix(const field *fd, const char *typed)
{
	size_t len = strlen(typed);
	static const char *const words[] = {".refus", ".nsp", ".non_demande", "oui", "non", "yes", "no"};
	for (size_t k = 0; k < sizeof words / sizeof *words; k++)
		if (strncasecmp(words[k], typed, len) == 0)
			return true;
	if (fd->type == FT_YESNO)
		return len == 1 && strchr("onyON01", typed[0]);
	for (size_t k = 0; k < fd->choices->n; k++) {
		char ord[24]; /* the answer's number, for codes that are not numbers (input_for) */
		snprintf(ord, sizeof ord, "%zu", k + 1);
		if (strncmp(fd->choices->items[k].code, typed, len) == 0 ||
		    (!fd->choices->numeric && strncmp(ord, typed, len) == 0))
			return true;
	}
	return false;
}

static void run_reset(form_screen *scr)
{
	for (size_t k = 0; k < scr->run_n; k++)
		free(scr->run_steps[k].text);
	free(scr->run_steps);
	scr->run_steps = NULL;
	scr->run_n = 0;
	strbuf_reset(&scr->run);
}

/* The key ch answered field `from` and the cursor moved on by itself: remember the field's value
 * before (text, missing) and the key, in case the next keys show it was one value. Takes text. */
static void run_step_add(form_screen *scr, int from, char *text, missing_code missing, wint_t ch)
{
	scr->run_steps = xrealloc(scr->run_steps, (scr->run_n + 1) * sizeof *scr->run_steps);
	scr->run_steps[scr->run_n++] = (run_step){from, text, missing};
	strbuf_putc(&scr->run, (char)ch);
}

/* The choice the run has reached holds text that no answer starts with. Once it has a separator
 * ("3." of "03.12.2026", "2,5" of a number), that was one value typed across the fields the cursor
 * went through by itself: those get their values back, and the whole of it goes to the first of
 * them, where it stays with its error. */
static void run_check(form_screen *scr, const field *fd)
{
	if (!scr->run_n)
		return;
	char *typed = le_text(&scr->ed);
	if (choice_prefix(fd, typed) || !strpbrk(typed, "./-,:")) {
		free(typed);
		return;
	}
	record_set(scr->r, (size_t)scr->cur, NULL, NULL);
	for (size_t k = scr->run_n; k-- > 0;)
		record_set_raw(scr->r, (size_t)scr->run_steps[k].field, scr->run_steps[k].text,
		               scr->run_steps[k].missing);
	int first = scr->run_steps[0].field;
	char *whole = xasprintf("%s%s", strbuf_str(&scr->run), typed);
	free(typed);
	run_reset(scr);
	scr->cur = first;
	form_screen_edit(scr, whole);
	scr->ed.replace_next = false;
	char *input = input_for(field_at(scr, first), whole), *why = NULL;
	if (!record_set(scr->r, (size_t)first, input, &why))
		record_set(scr->r, (size_t)first, NULL, NULL);
	form_screen_recompute(scr);
	set_error(scr, labelled(scr, (size_t)first, why));
	free(input);
	free(whole);
}

/* The first issue of kind for field i (borrowed from iss), or NULL. */
static const issue *issue_for(const issue *iss, size_t n, int i, issue_kind kind)
{
	for (size_t k = 0; k < n; k++)
		if ((int)iss[k].field == i && iss[k].kind == kind)
			return &iss[k];
	return NULL;
}

static void ask_reason(form_screen *scr, size_t i, const char *message, int after)
{
	char *said = labelled(scr, i, xstrdup(message));
	char *text =
	    xasprintf(_("%s\nLa valeur est gardée avec une raison (Entrée) ; Échap pour la corriger."), said);
	free(said);
	dialog_input(&scr->dlg, TAG_REASON, _("Valeur inhabituelle : raison de la confirmer"), text, "");
	free(text);
	scr->after = after;
}

/* Whether day can be the entry date (record_date_problem: not before 1900, nor before the
 * patient's birth); if so it is set, if not the field keeps the error. */
static bool date_possible(form_screen *scr, long day)
{
	long was = scr->r->date;
	scr->r->date = day;
	char *problem = record_date_problem(scr->r);
	if (problem) {
		scr->r->date = was;
		set_error(scr, problem);
		return false;
	}
	if (day != was)
		touched(scr), form_screen_recompute(scr);
	return true;
}

/* Check the focused field before leaving it: its value must be accepted (record_set), its hard
 * rule hold; a soft rule that does not hold asks for a reason (then `after` happens). */
static bool commit(form_screen *scr, int after)
{
	char *why = NULL;
	if (scr->cur == FOCUS_DATE) {
		char *typed = le_text(&scr->ed);
		char *input = input_for(&(field){.type = FT_DATE}, typed);
		long day;
		bool ok = date_parse(input, &day);
		if (!ok && date_nonexistent(input))
			set_error(scr, xasprintf(_("date de l'entrée : date inexistante (%s)"), typed));
		else if (!ok)
			set_error(
			    scr,
			    xasprintf(_("date de l'entrée : AAAA-MM-JJ ou JJ/MM/AAAA attendu, trouvé « %s »"),
			              typed));
		else if (day > date_today())
			set_error(scr, xasprintf(_("date de l'entrée : %s est dans le futur"), input)),
			    ok = false;
		else
			ok = date_possible(scr, day);
		free(typed);
		free(input);
		if (ok)
			set_error(scr, NULL);
		return ok;
	}
	if (viewing(scr))
		return true;
	const field *fd = field_at(scr, scr->cur);
	if (fd->type != FT_MULTI) {
		char *typed = le_text(&scr->ed);
		char *input = input_for(fd, typed);
		bool ok = record_set(scr->r, (size_t)scr->cur, input, &why);
		free(typed);
		free(input);
		if (!ok) {
			record_set(scr->r, (size_t)scr->cur, NULL, NULL);
			form_screen_recompute(scr);
			set_error(scr, labelled(scr, (size_t)scr->cur, why));
			return false;
		}
	}
	form_screen_recompute(scr);
	issue *iss = NULL;
	size_t n = record_check(scr->r, &iss);
	const issue *e = issue_for(iss, n, scr->cur, ISSUE_ERROR);
	const issue *w = issue_for(iss, n, scr->cur, ISSUE_WARNING);
	bool ok = true;
	if (e) {
		set_error(scr, labelled(scr, e->field, xstrdup(e->message)));
		ok = false;
	} else if (w && !scr->reasons[scr->cur]) {
		set_error(scr, NULL);
		ask_reason(scr, w->field, w->message, after);
		ok = false;
	} else {
		set_error(scr, NULL);
	}
	issues_free(iss, n);
	return ok;
}

static void focus(form_screen *scr, int i)
{
	scr->cur = i;
	load_editor(scr);
}

static void go(form_screen *scr, int target, int after)
{
	if (target == scr->cur)
		return;
	if (!commit(scr, after)) {
		scr->after_goto = target;
		return;
	}
	focus(scr, target);
}

/* Cycle field i through its allowed missing codes, then back to empty. */
static void cycle_missing(form_screen *scr)
{
	if (scr->cur == FOCUS_DATE || viewing(scr))
		return;
	const field *fd = field_at(scr, scr->cur);
	static const missing_code order[] = {MISS_REFUS, MISS_NSP, MISS_NON_DEMANDE};
	if (!fd->missing_allowed) {
		app_message(scr->a, true, "%s", _("Pas de réponse manquante possible pour cette question."));
		return;
	}
	missing_code now = scr->r->vals[scr->cur].missing;
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
	record_set(scr->r, (size_t)scr->cur, next, NULL);
	form_screen_recompute(scr);
	le_set(&scr->ed, next);
	scr->ed.replace_next = true;
	touched(scr);
	set_error(scr, NULL);
}

/* ← → on a choice or yes/no: the previous or next answer. */
static bool cycle_choice(form_screen *scr, int dir)
{
	if (scr->cur == FOCUS_DATE)
		return false;
	const field *fd = field_at(scr, scr->cur);
	const char *next = NULL;
	if (fd->type == FT_YESNO) {
		const char *t = scr->r->vals[scr->cur].text;
		next = t && strcmp(t, "1") == 0 ? "0" : "1";
	} else if (fd->type == FT_CHOICE) {
		const char *t = scr->r->vals[scr->cur].text;
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
	record_set(scr->r, (size_t)scr->cur, next, NULL);
	form_screen_recompute(scr);
	char *t = edit_text(scr, scr->cur);
	le_set(&scr->ed, t);
	free(t);
	scr->ed.replace_next = true;
	touched(scr);
	set_error(scr, NULL);
	return true;
}

/* A digit on a multiple choice toggles that answer (1 to 9, 0 for the tenth). An exclusive
 * answer ("aucune") ticked unticks the others, and another ticked unticks it, as said. */
static void toggle_multi(form_screen *scr, wint_t ch)
{
	const field *fd = field_at(scr, scr->cur);
	size_t k = ch == '0' ? 9 : (size_t)(ch - '1');
	if (k >= fd->choices->n)
		return;
	const fvalue *v = &scr->r->vals[scr->cur];
	char set[1024];
	snprintf(set, sizeof set, " %s ", v->text ? v->text : "");
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	char pad[80];
	snprintf(pad, sizeof pad, " %s ", fd->choices->items[k].code);
	bool ticking = strstr(set, pad) == NULL;
	const choice *excl = NULL; /* the exclusive answer that made others go */
	for (size_t c = 0; c < fd->choices->n; c++) {
		const choice *it = &fd->choices->items[c];
		snprintf(pad, sizeof pad, " %s ", it->code);
		bool on = strstr(set, pad) != NULL;
		if (c == k) {
			on = !on;
		} else if (on && ticking && (fd->choices->items[k].exclusive || it->exclusive)) {
			on = false;
			excl = it->exclusive ? it : &fd->choices->items[k];
		}
		if (on)
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", it->code);
	}
	if (excl)
		app_message(scr->a, false, _("« %s » va seule : les autres réponses sont décochées."),
		            i18n_get(&excl->label, scr->a->lang));
	record_set(scr->r, (size_t)scr->cur, strbuf_str(&sb), NULL);
	form_screen_recompute(scr);
	le_set(&scr->ed, strbuf_str(&sb));
	strbuf_done(&sb);
	touched(scr);
}

/* ------------------------------------------------------------ saving */

static void jump_to(form_screen *scr, int i, char *message)
{
	if (!form_screen_focusable(scr, i)) {
		/* An identity field the person may not see: said, not shown. */
		message = i >= 0 ? labelled(scr, (size_t)i, message) : message;
		if (message)
			app_message(scr->a, true, "%s", message);
		free(message);
		return;
	}
	scr->cur = i;
	load_editor(scr);
	set_error(scr, i >= 0 ? labelled(scr, (size_t)i, message) : message);
}

static outcome save(form_screen *scr)
{
	if (!commit(scr, AFTER_SAVE))
		return OUT_REDRAW;
	char *bad_date = record_date_problem(scr->r); /* a draft may bring one back */
	if (bad_date) {
		jump_to(scr, FOCUS_DATE, bad_date);
		return OUT_REDRAW;
	}
	form_screen_recompute(scr);
	issue *iss = NULL;
	size_t n = record_check(scr->r, &iss);
	size_t missing = 0;
	strbuf names = STRBUF_INIT;
	for (size_t k = 0; k < n; k++) {
		if (iss[k].kind == ISSUE_ERROR) {
			jump_to(scr, (int)iss[k].field, xstrdup(iss[k].message));
			issues_free(iss, n);
			strbuf_done(&names);
			return OUT_REDRAW;
		}
		if (iss[k].kind == ISSUE_WARNING && !scr->reasons[iss[k].field]) {
			jump_to(scr, (int)iss[k].field, NULL);
			ask_reason(scr, iss[k].field, iss[k].message, AFTER_SAVE);
			issues_free(iss, n);
			strbuf_done(&names);
			return OUT_REDRAW;
		}
		if (iss[k].kind == ISSUE_REQUIRED && missing++ < 6) {
			char *name = field_name(scr, iss[k].field);
			strbuf_printf(&names, "%s« %s »", names.len ? ", " : "", name);
			free(name);
		}
	}
	issues_free(iss, n);
	if (missing && !scr->allow_incomplete) {
		char *text =
		    xasprintf(_("%zu réponse(s) obligatoire(s) manquante(s) : %s%s\n"
		                "o : enregistrer l'entrée comme incomplète ; n ou Entrée : compléter "
		                "maintenant"),
		              missing, strbuf_str(&names), missing > 6 ? ", …" : "");
		/* Enter completes: keeping an entry incomplete is said with "o", never by default. */
		dialog_confirm(&scr->dlg, TAG_INCOMPLETE, _("Entrée incomplète"), text, "no");
		free(text);
		strbuf_done(&names);
		return OUT_REDRAW;
	}
	strbuf_done(&names);
	if (scr->new_patient && !scr->duplicate_ok && form_screen_ask_duplicate(scr))
		return OUT_REDRAW;
	scr->allow_incomplete = false;
	return form_screen_store(scr);
}

static void first_required_missing(form_screen *scr)
{
	issue *iss = NULL;
	size_t n = record_check(scr->r, &iss);
	for (size_t k = 0; k < n; k++)
		if (iss[k].kind == ISSUE_REQUIRED) {
			jump_to(scr, (int)iss[k].field, NULL);
			break;
		}
	issues_free(iss, n);
}

/* ------------------------------------------------------------ keys */

static outcome after_dialog(form_screen *scr, int tag, dialog_result r, int answer, char *text)
{
	switch (tag) {
	case TAG_REASON:
		if (r != DR_DONE || !text || !*text) {
			set_error(
			    scr,
			    xstrdup(_("valeur inhabituelle : la corriger, ou la confirmer avec une raison")));
			return OUT_REDRAW;
		}
		free(scr->reasons[scr->cur]);
		scr->reasons[scr->cur] = xstrdup(text);
		scr->dirty = true;
		if (scr->after == AFTER_SAVE)
			return save(scr);
		if (scr->after == AFTER_GOTO) {
			go(scr, scr->after_goto, AFTER_GOTO);
			return OUT_REDRAW;
		}
		return OUT_REDRAW;
	case TAG_INCOMPLETE:
		if (r == DR_DONE && answer == 'o') {
			scr->allow_incomplete = true;
			return save(scr);
		}
		first_required_missing(scr);
		return OUT_REDRAW;
	case TAG_DUPLICATE:
		if (r == DR_DONE && answer == 'o') {
			scr->duplicate_ok = true;
			return save(scr);
		}
		scr->allow_incomplete = false;
		return OUT_REDRAW;
	case TAG_LEAVE:
		if (r != DR_DONE)
			return OUT_REDRAW;
		if (answer == 'e')
			return save(scr);
		if (answer == 'a') {
			form_screen_forget_draft(scr);
			app_message(scr->a, false, "%s", _("Saisie abandonnée."));
			return OUT_CLOSE;
		}
		form_screen_keep_typed(scr, NULL);
		app_message(scr->a, false, "%s",
		            _("Saisie gardée en brouillon : elle sera proposée au prochain démarrage."));
		return OUT_CLOSE;
	default:
		return OUT_REDRAW;
	}
}

static outcome dialog_keys(form_screen *scr, const ui_key *k)
{
	int answer = 0;
	dialog_result r = dialog_key(&scr->dlg, k, &answer);
	if (r == DR_OPEN)
		return OUT_REDRAW;
	int tag = scr->dlg.tag;
	char *text = scr->dlg.kind == DLG_INPUT ? le_text(&scr->dlg.edit) : NULL;
	dialog_close(&scr->dlg);
	outcome o = after_dialog(scr, tag, r, answer, text);
	free(text);
	return o;
}

/* PgDn/PgUp: the first field of the next or previous page that has one, across sections. */
static outcome page_key(form_screen *scr, int dir)
{
	form_layout l;
	form_screen_layout(scr, &l);
	int target = form_layout_page_step(&l, scr->cur, dir);
	form_layout_done(&l);
	if (target == FL_NONE)
		return OUT_NONE;
	go(scr, target, AFTER_GOTO);
	return OUT_REDRAW;
}

static outcome form_key(app *a, screen *s, const ui_key *k)
{
	form_screen *scr = (form_screen *)s;
	if (scr->dlg.kind)
		return dialog_keys(scr, k);
	const field *fd = scr->cur == FOCUS_DATE ? NULL : field_at(scr, scr->cur);
	outcome o = OUT_REDRAW;
	if (k->act != ACT_NONE || !k->ch)
		run_reset(scr); /* a key that is not typed text: what follows is a new value */
	switch (k->act) {
	case ACT_NEXT:
	case ACT_DOWN:
		go(scr, step(scr, scr->cur, 1), AFTER_GOTO);
		break;
	case ACT_PREV:
	case ACT_UP:
		go(scr, step(scr, scr->cur, -1), AFTER_GOTO);
		break;
	case ACT_PGDN:
		o = page_key(scr, 1);
		break;
	case ACT_PGUP:
		o = page_key(scr, -1);
		break;
	case ACT_SAVE:
		o = save(scr);
		break;
	case ACT_MISSING:
		cycle_missing(scr);
		break;
	case ACT_FIELD_HELP: {
		if (!fd)
			break;
		strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, "%s\n", i18n_get(&fd->label, a->lang));
		if (fd->help.fr)
			strbuf_printf(&sb, "\n%s\n", i18n_get(&fd->help, a->lang));
		if (fd->expr_src)
			strbuf_printf(&sb, _("\nCalcul : %s"), fd->expr_src);
		if (fd->show_if_src)
			strbuf_printf(&sb, _("\nPosée si : %s"), fd->show_if_src);
		if (fd->constraint_src)
			strbuf_printf(&sb, _("\nRègle : %s (%s)"), fd->constraint_src,
			              i18n_get(&fd->message, a->lang));
		if (fd->soft_src)
			strbuf_printf(&sb, _("\nÀ confirmer si faux : %s"), fd->soft_src);
		dialog_message(&scr->dlg, TAG_INFO, fd->id, strbuf_str(&sb));
		strbuf_done(&sb);
		break;
	}
	case ACT_LEFT:
	case ACT_RIGHT:
		if (!cycle_choice(scr, k->act == ACT_LEFT ? -1 : 1) && !viewing(scr))
			le_key(&scr->ed, k);
		break;
	case ACT_HELP:
		app_push(a, help_new(a));
		break;
	case ACT_BACK:
		if (!scr->changed) {
			form_screen_forget_draft(scr);
			return OUT_CLOSE;
		}
		dialog_confirm(
		    &scr->dlg, TAG_LEAVE, _("Quitter la saisie"),
		    _("g : garder en brouillon pour plus tard (Entrée)\ne : enregistrer maintenant\n"
		      "a : abandonner ce qui a été tapé\nÉchap : continuer la saisie"),
		    "gea");
		break;
	case ACT_QUIT:
		return OUT_ASK_QUIT; /* confirmed, the app keeps the draft (form_hangup) */
	default:
		if (viewing(scr)) {
			o = k->act == ACT_NONE && !k->ch ? OUT_NONE : OUT_REDRAW;
			break; /* a score: nothing to type */
		}
		if (fd && fd->type == FT_MULTI && k->ch) {
			if (k->ch >= '0' && k->ch <= '9')
				toggle_multi(scr, k->ch);
			else if (k->ch == '.')
				cycle_missing(scr);
			break;
		}
		if (fd && fd->type == FT_MULTI && k->act == ACT_CLEAR) {
			record_set(scr->r, (size_t)scr->cur, NULL, NULL);
			form_screen_recompute(scr);
			le_set(&scr->ed, "");
			touched(scr);
			break;
		}
		int at = scr->cur;
		char *before = at >= 0 && scr->r->vals[at].text ? xstrdup(scr->r->vals[at].text) : NULL;
		missing_code before_missing = at >= 0 ? scr->r->vals[at].missing : MISS_NONE;
		if (le_key(&scr->ed, k)) {
			touched(scr);
			set_error(scr, NULL);
			apply_live(scr);
			if (fd && k->ch) {
				char *typed = le_text(&scr->ed);
				if (choice_complete(fd, typed))
					go(scr, step(scr, scr->cur, 1), AFTER_GOTO);
				free(typed);
				if (scr->cur != at && k->ch < 0x80) {
					run_step_add(scr, at, before, before_missing, k->ch);
					before = NULL;
				} else if (fd->type == FT_CHOICE || fd->type == FT_YESNO) {
					run_check(scr, fd);
				} else {
					run_reset(scr);
				}
			}
		} else if (k->act == ACT_NONE && !k->ch) {
			o = OUT_NONE;
		}
		free(before);
	}
	/* Typing for a long while without a pause: write the draft anyway now and then. */
	if (scr->dirty && time(NULL) - scr->last_draft >= 10)
		form_screen_keep_typed(scr, NULL);
	return o;
}

static unsigned form_context(const screen *s)
{
	return ((const form_screen *)s)->dlg.kind ? CTX_DIALOG : CTX_FORM;
}

static int form_pending(screen *s)
{
	return ((form_screen *)s)->dirty ? 1500 : -1;
}

static void form_idle(app *a, screen *s)
{
	(void)a;
	form_screen *scr = (form_screen *)s;
	if (scr->dirty)
		form_screen_keep_typed(scr, NULL);
}

static void form_hangup(app *a, screen *s)
{
	(void)a;
	form_screen *scr = (form_screen *)s;
	if (scr->changed)
		form_screen_keep_typed(scr, NULL);
}

static bool form_unsaved(const screen *s)
{
	return ((const form_screen *)s)->changed;
}

static void form_done(screen *s)
{
	form_screen *scr = (form_screen *)s;
	dialog_close(&scr->dlg);
	for (size_t i = 0; i < scr->r->f->n_fields; i++) {
		free(scr->reasons[i]);
		free(scr->stored[i]);
	}
	free(scr->reasons);
	free(scr->stored);
	record_free(scr->r);
	free(scr->alert_on);
	le_done(&scr->ed);
	run_reset(scr);
	strbuf_done(&scr->run);
	free(scr->err);
	draft_done(&scr->dr);
	free(scr->rescue);
	free(scr);
}

static const screen_ops form_ops = {
    .name = "form",
    .ctx = CTX_FORM,
    .draw = form_screen_draw,
    .key = form_key,
    .done = form_done,
    .context = form_context,
    .pending = form_pending,
    .idle = form_idle,
    .hangup = form_hangup,
    .unsaved = form_unsaved,
};

screen *form_screen_new(app *a, int64_t patient_id, const char *pseudonym, const char *form_id,
                        const char *uuid, int64_t draft_id, char **why)
{
	session *c = a->ses;
	if (!session_may(c, PERM_EDIT_ENTRY)) {
		set_why(why, "%s", _("saisie réservée aux rôles saisie, coordination et admin"));
		return NULL;
	}
	const form *f = formset_form(c->fs, form_id);
	if (!f) {
		set_why(why, _("formulaire « %s » absent du dossier des formulaires"), form_id);
		return NULL;
	}
	form_screen *scr = xcalloc(1, sizeof *scr);
	scr->base.ops = &form_ops;
	scr->a = a;
	scr->identity = session_may(c, PERM_SEE_IDENTITY);
	int code;
	if (uuid) {
		scr->r = store_entry_load(c->db, c->fs, uuid, &scr->meta, why, &code);
		if (!scr->r) {
			free(scr);
			return NULL;
		}
	} else {
		scr->r = record_new(c->fs, f, date_today());
		scr->meta.patient_id = patient_id;
		snprintf(scr->meta.pseudonym, sizeof scr->meta.pseudonym, "%s", pseudonym ? pseudonym : "");
		if (patient_id && strcmp(f->id, "patient") != 0) {
			scr->r->patient = store_patient_record(c->db, c->fs, patient_id);
			scr->r->owns_patient = true;
		}
		record_apply_defaults(scr->r);
	}
	scr->alert_on = xcalloc(scr->r->f->n_alerts + 1, sizeof *scr->alert_on);
	form_screen_recompute(scr);
	scr->new_patient = !patient_id && strcmp(f->id, "patient") == 0;
	scr->dated = f->cardinality == CARD_REPEATED;
	scr->reasons = xcalloc(f->n_fields + 1, sizeof *scr->reasons);
	scr->stored = xcalloc(f->n_fields + 1, sizeof *scr->stored);
	if (scr->meta.id) {
		/* Warnings confirmed when the entry was saved are not asked again. */
		char *rwhy = NULL;
		if (store_entry_reasons(c->db, scr->meta.id, form_screen_reason_loaded, scr, &rwhy))
			app_message(a, true, "%s", rwhy);
		free(rwhy);
	}
	scr->last_draft = time(NULL);
	le_init(&scr->ed, "");
	/* On the first question: the entry date is filled in already, one Maj-Tab away. */
	scr->cur = step(scr, FOCUS_DATE, 1);
	load_editor(scr);
	if (draft_id) {
		store_draft d;
		if (store_draft_get(c->db, draft_id, &d)) {
			form_screen_restore_draft(scr, &d);
			draft_done(&d);
			if (scr->meta.self_filled_at[0])
				app_message(a, false, "%s", form_screen_self_line(scr));
			else
				app_message(a, false, "%s",
				            _("Brouillon repris : tout ce qui avait été tapé est revenu."));
		}
	}
	return &scr->base;
}
