/* form_draw.c — drawing the form entry screen from its state and from the layout of
 * core/form_layout.h: the section line with the live summary, the banner of the clinical alerts
 * that hold, the rows of the page (questions, calculated values, notes, matrices), the panel
 * that explains the focused question, and the cursor. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/form_screen.h"

static const char *const alert_level_names[] = {"info", "attention", "urgent"};

void form_screen_layout(const form_screen *scr, form_layout *l)
{
	const form *f = scr->r->f;
	char **text = xcalloc(f->n_alerts + 1, sizeof *text);
	for (size_t k = 0; k < f->n_alerts; k++)
		if (scr->alert_on[k])
			text[k] =
			    xasprintf("!! %s — %s", alert_level_word(alert_level_names[f->alerts[k].level]),
			              i18n_get(&f->alerts[k].message, scr->a->lang));
	fl_params p = {COLS, LINES, scr->a->lang, draw_width, (const char *const *)text, !scr->identity};
	form_layout_init(l, scr->r, &p);
	for (size_t k = 0; k < f->n_alerts; k++)
		free(text[k]);
	free(text);
}

/* ------------------------------------------------------------ values as shown */

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

/* The value of field i as shown in a cell (borrowed or in buf). */
static const char *shown_value(const form_screen *scr, int i, char *buf, size_t size, bool labels)
{
	const field *fd = field_at(scr, i);
	const fvalue *v = &scr->r->vals[i];
	if (v->missing)
		return missing_code_name(v->missing);
	if (!v->text)
		return "";
	if (fd->type == FT_YESNO || (fd->type == FT_CALCULATED && fd->vtype == T_BOOL))
		return strcmp(v->text, "1") == 0 ? _("oui") : _("non");
	/* A calculated class ("dependance_probable") is read by its label, always. */
	if ((fd->type == FT_CHOICE && labels) || (fd->type == FT_CALCULATED && fd->choices)) {
		const choice *c = field_choice(fd, v->text);
		return c ? i18n_get(&c->label, scr->a->lang) : v->text;
	}
	if (fd->vtype == T_NUM && labels)
		return draw_decimal(v->text, buf, size);
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
			                        len ? ", " : "", i18n_get(&c->label, scr->a->lang));
			if (len >= size)
				break;
		}
		return buf;
	}
	return v->text;
}

/* What follows a value: the choice's label, the unit, the meaning of a missing code. */
static const char *echo_of(const form_screen *scr, int i, char *buf, size_t size)
{
	const field *fd = field_at(scr, i);
	const fvalue *v = &scr->r->vals[i];
	if (v->missing)
		return missing_label(v->missing);
	if (fd->type == FT_CHOICE || fd->type == FT_YESNO)
		return v->text ? shown_value(scr, i, buf, size, true) : "";
	if (fd->unit)
		return fd->unit;
	return "";
}

/* ------------------------------------------------------------ rows */

/* Where the cursor goes: set by the row that draws the focused field. */
typedef struct {
	int y, x;
} cursor_at;

/* The value cell of field i at its place pl on row y: the editor when it has the focus. */
static void draw_cell(form_screen *scr, int i, const fl_place *pl, int y, cursor_at *cur)
{
	char buf[1024];
	if (i == scr->cur) {
		cur->x = le_draw(&scr->ed, y, pl->x, pl->width, draw_attr_focus());
		cur->y = y;
		return;
	}
	const char *t = form_screen_shown(scr, i) ? shown_value(scr, i, buf, sizeof buf, false) : "·";
	draw_blank(y, pl->x, pl->width, A_UNDERLINE);
	draw_text(y, pl->x, pl->width, t, A_UNDERLINE, true);
}

static void draw_date_row(form_screen *scr, const form_layout *l, int y, cursor_at *cur)
{
	const fl_place *pl = form_layout_place(l, FL_DATE);
	bool focused = scr->cur == FOCUS_DATE;
	draw_text(y, 0, 1, focused ? "▸" : " ", draw_attr_title(), false);
	draw_text(y, 2, l->label_width - 2, _("Date de l'entrée"), focused ? draw_attr_title() : A_NORMAL,
	          true);
	if (focused) {
		cur->x = le_draw(&scr->ed, y, pl->x, pl->width, draw_attr_focus());
		cur->y = y;
	} else {
		char d[11];
		date_format(scr->r->date, d);
		draw_text(y, pl->x, pl->width, d, A_UNDERLINE, false);
	}
}

static void draw_field_row(form_screen *scr, const form_layout *l, const fl_row *row, int y, cursor_at *cur)
{
	int i = row->field;
	const fl_place *pl = form_layout_place(l, i);
	bool focused = i == scr->cur;
	const field *fd = field_at(scr, i);
	const fvalue *v = &scr->r->vals[i];
	if (row->line == 0) {
		bool empty = !v->text && !v->missing;
		draw_text(y, 0, 1, focused ? "▸" : " ", draw_attr_title(), false);
		draw_text(y, 1, 1, fd->required ? "*" : " ",
		          fd->required && empty ? draw_attr_title() : A_NORMAL, false);
	}
	/* The label's line as the layout wrapped it: it fits, never cut. */
	draw_text(y, 2, COLS - 3, row->text, focused ? draw_attr_title() : A_NORMAL, true);
	if (!row->last)
		return;
	char buf[1024];
	if (row->kind == FL_ROW_CALC) {
		const char *t =
		    v->text ? shown_value(scr, i, buf, sizeof buf, true) : _("— (réponses manquantes)");
		int x = pl->x + draw_text(y, pl->x, pl->width, t, draw_attr_title(), true);
		if (fd->unit && v->text)
			draw_text(y, x + 1, COLS - x - 1, fd->unit, A_NORMAL, true);
		return;
	}
	if (fd->type == FT_MULTI && !v->missing) {
		unsigned long attr = focused ? draw_attr_focus() : A_NORMAL;
		if (focused)
			draw_blank(y, pl->x, pl->width, attr);
		draw_text(y, pl->x, pl->width, shown_value(scr, i, buf, sizeof buf, true), attr, true);
		if (focused)
			cur->y = y, cur->x = pl->x;
		return;
	}
	draw_cell(scr, i, pl, y, cur);
	const char *echo = echo_of(scr, i, buf, sizeof buf);
	int x = pl->x + pl->width + 1;
	if (*echo && x < COLS)
		draw_text(y, x, COLS - x, echo, A_NORMAL, true);
}

/* The column label of a matrix field: what follows "row — " in its label. */
static const char *column_label(const form_screen *scr, const field *fd)
{
	const char *l = i18n_get(&fd->label, scr->a->lang);
	const char *sep = strstr(l, " — ");
	return sep ? sep + strlen(" — ") : l;
}

static void draw_matrix_head(form_screen *scr, const fl_matrix *m, int y)
{
	for (int k = 0; k < m->n_cols; k++)
		draw_text(y, m->col_x[k], m->cell_width, column_label(scr, field_at(scr, m->col_field[k])),
		          draw_attr_title(), true);
}

static void draw_matrix_row(form_screen *scr, const form_layout *l, const fl_row *row, int y, cursor_at *cur)
{
	const fl_matrix *m = &l->matrices[row->matrix];
	bool has_focus = scr->cur >= row->field && scr->cur < row->field + row->n_cells;
	draw_text(y, 0, 1, has_focus ? "▸" : " ", draw_attr_title(), false);
	/* The line's name: what precedes " — " in the label of its fields. */
	const char *label = i18n_get(&field_at(scr, row->field)->label, scr->a->lang);
	const char *sep = strstr(label, " — ");
	char name[200];
	snprintf(name, sizeof name, "%.*s", sep ? (int)(sep - label) : (int)strlen(label), label);
	draw_text(y, 2, m->name_width - 3, name, has_focus ? draw_attr_title() : A_NORMAL, true);
	for (int i = row->field; i < row->field + row->n_cells; i++) {
		const fl_place *pl = form_layout_place(l, i);
		if (pl->page < 0)
			continue; /* past the columns a matrix can show */
		if (i == scr->cur) {
			cur->x = le_draw(&scr->ed, y, pl->x, pl->width, draw_attr_focus());
			cur->y = y;
		} else if (form_screen_shown(scr, i)) {
			char buf[512];
			bool labels = field_at(scr, i)->type == FT_CHOICE;
			draw_blank(y, pl->x, pl->width, A_UNDERLINE);
			draw_text(y, pl->x, pl->width, shown_value(scr, i, buf, sizeof buf, labels),
			          A_UNDERLINE, true);
		} else {
			draw_text(y, pl->x, pl->width, "·", draw_attr_dim(), false);
		}
	}
}

static void draw_row(form_screen *scr, const form_layout *l, size_t k, cursor_at *cur)
{
	const fl_row *row = &l->rows[k];
	int y = form_layout_row_y(l, k);
	switch (row->kind) {
	case FL_ROW_NOTE:
		draw_text(y, 2, COLS - 4, row->text, A_NORMAL, true);
		break;
	case FL_ROW_MATRIX_HEAD:
		draw_matrix_head(scr, &l->matrices[row->matrix], y);
		break;
	case FL_ROW_MATRIX:
		draw_matrix_row(scr, l, row, y, cur);
		break;
	case FL_ROW_DATE:
		draw_date_row(scr, l, y, cur);
		break;
	default:
		draw_field_row(scr, l, row, y, cur);
	}
}

/* ------------------------------------------------------------ the panel */

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

/* The answers of a choice or multiple choice, whole, as the layout places them (the chosen ones
 * in reverse video, a multiple choice's ticked "[x]"), from row y to at most row end; returns
 * the row after them. */
static int draw_answers(const form_screen *scr, const field *fd, int y, int end)
{
	fl_answer *v;
	int lines;
	size_t n = form_layout_answers(fd, scr->a->lang, COLS, draw_width, &v, &lines);
	const char *t = scr->r->vals[scr->cur].text;
	char set[1024];
	snprintf(set, sizeof set, " %s ", t ? t : "");
	for (size_t k = 0; k < n; k++) {
		const choice *c = &fd->choices->items[v[k].answer];
		char pad[80];
		snprintf(pad, sizeof pad, " %s ", c->code);
		bool on = fd->type == FT_MULTI ? strstr(set, pad) != NULL : str_eq(t, c->code);
		if (y + v[k].line >= end)
			continue;
		if (v[k].key && on && fd->type == FT_MULTI)
			v[k].text[1] = 'x';
		draw_text(y + v[k].line, v[k].x, COLS - v[k].x, v[k].text, on ? draw_attr_focus() : A_NORMAL,
		          false);
	}
	fl_answers_free(v, n);
	return y + lines < end ? y + lines : end;
}

/* What can be typed in a field that is not a choice: its type, limits and unit. */
static void describe_input(const field *fd, char *buf, size_t size)
{
	char lim[120] = "";
	char lo[40], hi[40];
	draw_number(fd->min, -1, lo, sizeof lo);
	draw_number(fd->max, -1, hi, sizeof hi);
	if (fd->type == FT_DATE) {
		snprintf(buf, size, "%s", _("Date : AAAA-MM-JJ ou JJ/MM/AAAA."));
		return;
	}
	if (fd->type == FT_YESNO) {
		snprintf(buf, size, "%s", _("o : oui   n : non   (← → pour changer)"));
		return;
	}
	if (fd->type == FT_CALCULATED) {
		snprintf(buf, size, "%s",
		         _("Calculé à partir des réponses : F3 montre le calcul, F2 enregistre."));
		return;
	}
	if (fd->has_min && fd->has_max)
		snprintf(lim, sizeof lim, _(" entre %s et %s"), lo, hi);
	else if (fd->has_min)
		snprintf(lim, sizeof lim, _(" d'au moins %s"), lo);
	else if (fd->has_max)
		snprintf(lim, sizeof lim, _(" d'au plus %s"), hi);
	const char *what = fd->type == FT_INTEGER   ? _("Nombre entier")
	                   : fd->type == FT_DECIMAL ? _("Nombre (virgule ou point)")
	                                            : _("Texte ; longueur");
	snprintf(buf, size, "%s%s%s%s.", what, lim, fd->unit ? " " : "", fd->unit ? fd->unit : "");
	if (fd->type == FT_TEXT && !lim[0])
		snprintf(buf, size, "%s", _("Texte libre."));
}

/* The panel under the rows: the answers of the focused question, whole, or what can be typed,
 * and the keys for a missing answer and the explanation. */
static void draw_panel(const form_screen *scr, int y0, int h)
{
	char buf[1024];
	draw_blank(y0, 0, COLS, A_NORMAL);
	if (scr->cur == FOCUS_DATE) {
		draw_text(y0, 0, COLS, "── ", draw_attr_dim(), false);
		draw_text(y0 + 1, 2, COLS - 4,
		          _("Date de l'entrée (consultation, dépistage…) : AAAA-MM-JJ ou JJ/MM/AAAA."),
		          A_NORMAL, true);
		return;
	}
	const field *fd = field_at(scr, scr->cur);
	snprintf(buf, sizeof buf, "── %s · %s%s ", fd->id, type_label(fd->type),
	         fd->required ? _(" · obligatoire") : "");
	int x = draw_text(y0, 0, COLS, buf, draw_attr_dim(), true);
	for (; x < COLS; x++)
		draw_text(y0, x, 1, "─", draw_attr_dim(), false);
	/* The question itself is on its rows, whole: the panel says how to answer it. */
	int y = y0 + 1, end = y0 + h;
	if (fd->type == FT_CHOICE || fd->type == FT_MULTI) {
		y = draw_answers(scr, fd, y, end);
	} else if (y < end) {
		describe_input(fd, buf, sizeof buf);
		draw_text(y++, 2, COLS - 4, buf, A_NORMAL, true);
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
		draw_text(y, 2, COLS - 4, strbuf_str(&sb), draw_attr_dim(), true);
		strbuf_done(&sb);
	}
}

/* ------------------------------------------------------------ the screen */

const char *form_screen_self_line(const form_screen *scr)
{
	static char line[200];
	const char *at = scr->meta.self_filled_at;
	const char *time = strlen(at) > 11 ? at + 11 : "";
	if (scr->meta.id)
		snprintf(line, sizeof line, _("Rempli par le patient le %.10s à %.5s."), at, time);
	else
		snprintf(line, sizeof line,
		         _("Rempli par le patient le %.10s à %.5s : relire, compléter, F2 valide."), at,
		         time);
	return line;
}

/* Row 1: the section and its page, and the form's one-line summary, live (the score changes as
 * the answers are typed). */
static void draw_section_line(const form_screen *scr, const form_layout *l, int page)
{
	const form *f = scr->r->f;
	const fl_page *pg = &l->pages[page];
	char head[300];
	snprintf(head, sizeof head, _("Section %d/%zu : %s"), pg->section + 1, f->n_sections,
	         i18n_get(&f->sections[pg->section].title, scr->a->lang));
	char *summary = app_summary(scr->a, scr->r);
	int sw = draw_width(summary);
	if (sw > COLS / 2)
		sw = COLS / 2;
	int hw = draw_text(1, 0, COLS - sw - 12, head, draw_attr_title(), true);
	if (pg->count > 1) {
		snprintf(head, sizeof head, _("  page %d/%d"), pg->number + 1, pg->count);
		draw_text(1, hw, COLS - sw - 1 - hw, head, A_NORMAL, false);
	}
	draw_text(1, COLS - sw, sw, summary, draw_attr_title(), true);
	free(summary);
}

void form_screen_draw(app *a, screen *s)
{
	form_screen *scr = (form_screen *)s;
	char title[300];
	snprintf(title, sizeof title, "%s — %s", i18n_get(&scr->r->f->title, a->lang),
	         scr->r->f->scope == SCOPE_STRUCTURE ? _("fiche de la structure")
	         : scr->meta.patient_id              ? scr->meta.pseudonym
	                                             : _("nouveau patient"));
	app_draw_frame(a, title, screen_ctx(s));
	form_layout l;
	form_screen_layout(scr, &l);
	int page = form_layout_page_of(&l, scr->cur);
	draw_section_line(scr, &l, page);
	for (size_t k = 0; k < l.n_banner; k++) {
		const char *level = alert_level_names[scr->r->f->alerts[l.banner[k].alert].level];
		draw_blank(l.banner_top + (int)k, 0, COLS, draw_attr_alert(level));
		draw_text(l.banner_top + (int)k, 1, COLS - 2, l.banner[k].text, draw_attr_alert(level), true);
	}
	cursor_at cur = {-1, -1};
	const fl_page *pg = &l.pages[page];
	for (size_t k = pg->first_row; k < pg->first_row + pg->n_rows; k++)
		draw_row(scr, &l, k, &cur);
	draw_panel(scr, pg->panel_top, pg->panel_height);
	form_layout_done(&l);
	if (scr->err) {
		draw_blank(LINES - 2, 0, COLS, A_NORMAL);
		draw_text(LINES - 2, 0, COLS, scr->err, draw_attr_error(), true);
	} else if (!a->message[0] && scr->meta.self_filled_at[0]) {
		draw_text(LINES - 2, 0, COLS, form_screen_self_line(scr), draw_attr_title(), true);
	} else if (!a->message[0]) {
		draw_text(LINES - 2, 0, COLS,
		          _("Tab/Entrée : suivant · Maj-Tab/↑ : précédent · PgDn/PgUp : page"),
		          draw_attr_dim(), true);
	}
	if (scr->dlg.kind) {
		dialog_draw(&scr->dlg);
	} else if (cur.y >= 0 && cur.x >= 0) {
		term_cursor(true);
		move(cur.y, cur.x);
	}
}
