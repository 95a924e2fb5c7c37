/* form_layout.c — the geometry of the form screen without curses: banner, rows, pages, matrix
 * columns and value cells for a terminal of a given size (see form_layout.h). */
#include <stdlib.h>
#include <string.h>

#include "core/form_layout.h"
#include "core/util.h"

/* ------------------------------------------------------------ regions */

/* The panel under the rows: a head line, the answers of the focused question (or what can be
 * typed), a line for missing answers and the explanation. As tall as the longest list of
 * answers of section sec needs, so that none is ever cut, up to half the terminal; the same for
 * every question of the section, so that its pages do not move as the cursor does. sec -1: the
 * usual height. */
static int panel_height(const form *f, int sec, const fl_params *p)
{
	int h = p->lines >= 22 ? 7 : 5, max = p->lines / 2;
	if (sec < 0)
		return h;
	const section *s = &f->sections[sec];
	for (size_t i = s->first; i < s->first + s->count && h < max; i++) {
		const field *fd = &f->fields[i];
		if (fd->type != FT_CHOICE && fd->type != FT_MULTI)
			continue;
		fl_answer *v;
		int lines;
		size_t n = form_layout_answers(fd, p->lang, p->cols, p->width_of, &v, &lines);
		fl_answers_free(v, n);
		if (lines + 2 > h)
			h = lines + 2 < max ? lines + 2 : max;
	}
	return h;
}

/* Width of the label column of question rows. */
static int label_width(int cols)
{
	int w = cols - 36;
	return w > cols / 3 ? w : cols / 3;
}

/* The banner of the alerts that hold: most urgent first, one or two lines each (one each when
 * they would not all fit), at most 3 lines in all (2 on a small terminal). */
static void lay_banner(form_layout *l, const fl_params *p)
{
	const form *f = l->r->f;
	int max = p->lines >= 22 ? 3 : 2, used = 0, active = 0;
	for (size_t k = 0; p->alert_text && k < f->n_alerts; k++)
		active += p->alert_text[k] != NULL;
	if (!active)
		return;
	l->banner = xcalloc((size_t)max, sizeof *l->banner);
	/* Two lines each when there is room for all, else one line each so that none is hidden. */
	size_t per = active >= max ? 1 : 2;
	for (int rank = ALERT_URGENT; rank >= (int)ALERT_INFO; rank--)
		for (size_t k = 0; k < f->n_alerts && used < max; k++) {
			if (!p->alert_text[k] || (int)f->alerts[k].level != rank)
				continue;
			char **lines;
			size_t nl = text_wrap_measured(p->alert_text[k], p->cols - 3, p->width_of, &lines);
			for (size_t i = 0; i < nl && i < per && used < max; i++, used++) {
				bool cut = i + 1 < nl && (i + 1 == per || used + 1 == max);
				l->banner[used].text = cut ? xasprintf("%s …", lines[i]) : xstrdup(lines[i]);
				l->banner[used].alert = (int)k;
			}
			lines_free(lines, nl);
		}
	l->n_banner = (size_t)used;
}

/* ------------------------------------------------------------ rows */

bool form_layout_is_input(const field *fd)
{
	return fd->type != FT_CALCULATED && fd->type != FT_NOTE;
}

bool form_layout_field_shown(const record *r, int i, bool hide_identity)
{
	return r->vals[i].visible && !(hide_identity && r->f->fields[i].identifier);
}

bool form_layout_view_anchor(const record *r, int i, bool hide_identity)
{
	if (i < 0 || (size_t)i >= r->f->n_fields || r->f->fields[i].type != FT_CALCULATED)
		return false;
	const section *s = &r->f->sections[r->f->fields[i].section];
	for (size_t k = s->first; k < s->first + s->count; k++) {
		if (!form_layout_field_shown(r, (int)k, hide_identity))
			continue;
		if (form_layout_is_input(&r->f->fields[k]))
			return false; /* a section with questions: the cursor stops on them */
		if (r->f->fields[k].type == FT_CALCULATED)
			return (int)k == i; /* the first value shown */
	}
	return false;
}

bool form_layout_focusable(const record *r, int i, bool hide_identity)
{
	if (i < 0 || (size_t)i >= r->f->n_fields || !form_layout_field_shown(r, i, hide_identity))
		return false;
	return form_layout_is_input(&r->f->fields[i]) || form_layout_view_anchor(r, i, hide_identity);
}

static size_t push_row(form_layout *l, fl_row row)
{
	l->rows = xrealloc(l->rows, (l->n_rows + 1) * sizeof *l->rows);
	l->rows[l->n_rows] = row;
	return l->n_rows++;
}

/* The value cell of a question row: wide enough for the longest code of a choice (at most 14),
 * a date, a number, and for the missing code it holds (".non_demande" whole, never its end
 * alone); the whole room for text, multiple choices and calculated values. */
static int value_width(const field *fd, missing_code held, int room)
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
	case FT_CHOICE:
		w = 4;
		for (size_t k = 0; k < fd->choices->n; k++)
			if ((int)strlen(fd->choices->items[k].code) + 1 > w)
				w = (int)strlen(fd->choices->items[k].code) + 1;
		if (w > 14)
			w = 14;
		break;
	default:
		w = room;
	}
	if (held != MISS_NONE && (int)strlen(missing_code_name(held)) + 1 > w)
		w = (int)strlen(missing_code_name(held)) + 1;
	return w < room ? w : room;
}

static void place(form_layout *l, int i, size_t row, size_t n_rows, int x, int width)
{
	fl_place *pl = i == FL_DATE ? &l->date : &l->places[i];
	*pl = (fl_place){.page = -1, .row = row, .n_rows = n_rows, .x = x, .width = width};
}

/* The matrix whose first field is first: its columns and their geometry. */
static int lay_matrix(form_layout *l, int first)
{
	const form *f = l->r->f;
	fl_matrix m = {.first = first};
	const char *id = f->fields[first].matrix;
	for (size_t i = (size_t)first; i < f->n_fields && str_eq(f->fields[i].matrix, id); i++) {
		bool seen = false;
		for (int k = 0; k < m.n_cols; k++)
			seen |= strcmp(f->fields[m.col_field[k]].matrix_col, f->fields[i].matrix_col) == 0;
		if (!seen && m.n_cols < FL_MATRIX_MAX_COLS)
			m.col_field[m.n_cols++] = (int)i;
	}
	m.name_width = l->cols >= 100 ? 30 : 22;
	int cw = m.n_cols ? (l->cols - m.name_width - 1) / m.n_cols : 10;
	if (cw > 22)
		cw = 22;
	for (int k = 0; k < m.n_cols; k++)
		m.col_x[k] = m.name_width + k * cw;
	m.cell_width = cw - 1;
	l->matrices = xrealloc(l->matrices, (l->n_matrices + 1) * sizeof *l->matrices);
	l->matrices[l->n_matrices] = m;
	return (int)l->n_matrices++;
}

/* The column of matrix m that field i is in, or -1 (past the eighth column). */
static int matrix_column(const form_layout *l, const fl_matrix *m, int i)
{
	const field *fields = l->r->f->fields;
	for (int k = 0; k < m->n_cols; k++)
		if (strcmp(fields[m->col_field[k]].matrix_col, fields[i].matrix_col) == 0)
			return k;
	return -1;
}

/* The lines of a matrix in section s from field i on: its head (when i starts it), then one row
 * per line that has a cell shown. Returns the index of the last field of the line. */
static size_t lay_matrix_line(form_layout *l, const section *s, size_t i, int *matrix)
{
	const form *f = l->r->f;
	const field *fd = &f->fields[i];
	size_t end = s->first + s->count;
	if (i == s->first || !str_eq(f->fields[i - 1].matrix, fd->matrix)) {
		*matrix = lay_matrix(l, (int)i);
		push_row(l, (fl_row){.kind = FL_ROW_MATRIX_HEAD, .field = (int)i, .matrix = *matrix});
	}
	size_t k = i;
	while (k < end && str_eq(f->fields[k].matrix, fd->matrix) &&
	       str_eq(f->fields[k].matrix_row, fd->matrix_row))
		k++;
	bool any = false;
	for (size_t j = i; j < k; j++)
		any |= form_layout_field_shown(l->r, (int)j, l->hide_identity);
	if (any) {
		size_t row = push_row(l, (fl_row){.kind = FL_ROW_MATRIX,
		                                  .field = (int)i,
		                                  .n_cells = (int)(k - i),
		                                  .matrix = *matrix});
		const fl_matrix *m = &l->matrices[*matrix];
		for (size_t j = i; j < k; j++) {
			int c = matrix_column(l, m, (int)j);
			if (c >= 0)
				place(l, (int)j, row, 1, m->col_x[c], m->cell_width);
		}
	}
	return k - 1;
}

/* The label of a question or a calculated value, whole: on one line when it fits the label
 * column; otherwise wrapped over the width of the screen, its last line, which holds the value,
 * within the label column. Of the ways to do so in the fewest lines, the one with the widest
 * last line, so that no word is left alone on it. Returns the lines (*lines, caller frees with
 * lines_free). */
static size_t wrap_label(const form_layout *l, const fl_params *p, const char *label, char ***lines)
{
	int narrow = l->label_width - 2, wide = l->cols - 4;
	size_t n = text_wrap_measured(label, narrow, p->width_of, lines);
	if (n <= 1)
		return n;
	size_t best_n = n;
	int best_last = p->width_of((*lines)[n - 1]);
	for (int w = wide; w > narrow; w--) {
		char **try;
		size_t nt = text_wrap_measured(label, w, p->width_of, &try);
		int last = nt ? p->width_of(try[nt - 1]) : 0;
		/* Every line but the last within w, the last within the label column. */
		if (last <= narrow && (nt < best_n || (nt == best_n && last > best_last))) {
			lines_free(*lines, n);
			*lines = try;
			n = best_n = nt;
			best_last = last;
		} else {
			lines_free(try, nt);
		}
	}
	return n;
}

/* The rows of section sec as shown now: the date first on a repeated form, then each field
 * shown; the others (hidden by show_if, identity hidden from the person) take no row. */
static void lay_section(form_layout *l, int sec, const fl_params *p)
{
	const form *f = l->r->f;
	const section *s = &f->sections[sec];
	int room = l->cols - l->label_width - 2, matrix = -1;
	if (sec == 0 && f->cardinality == CARD_REPEATED)
		place(l, FL_DATE, push_row(l, (fl_row){.kind = FL_ROW_DATE, .field = FL_DATE, .matrix = -1}),
		      1, l->label_width + 1, value_width(&(field){.type = FT_DATE}, MISS_NONE, room));
	for (size_t i = s->first; i < s->first + s->count; i++) {
		const field *fd = &f->fields[i];
		if (fd->matrix) {
			i = lay_matrix_line(l, s, i, &matrix);
			continue;
		}
		if (!form_layout_field_shown(l->r, (int)i, l->hide_identity))
			continue;
		if (fd->type == FT_NOTE) {
			char **lines;
			size_t nl = text_wrap_measured(i18n_get(&fd->label, p->lang), l->cols - 4,
			                               p->width_of, &lines);
			for (size_t k = 0; k < nl; k++) {
				size_t row = push_row(l, (fl_row){.kind = FL_ROW_NOTE,
				                                  .field = (int)i,
				                                  .matrix = -1,
				                                  .text = lines[k]});
				if (k == 0)
					place(l, (int)i, row, nl, 2, l->cols - 4);
			}
			free(lines); /* the lines themselves now belong to the rows */
			continue;
		}
		fl_row_kind kind = fd->type == FT_CALCULATED ? FL_ROW_CALC : FL_ROW_FIELD;
		char **lines;
		size_t nl = wrap_label(l, p, i18n_get(&fd->label, p->lang), &lines);
		size_t first = l->n_rows;
		for (size_t k = 0; k < nl; k++)
			push_row(l, (fl_row){.kind = kind,
			                     .field = (int)i,
			                     .matrix = -1,
			                     .text = lines[k],
			                     .line = (int)k,
			                     .last = k + 1 == nl});
		free(lines); /* the lines themselves now belong to the rows */
		place(l, (int)i, first, nl, l->label_width + 1, value_width(fd, l->r->vals[i].missing, room));
	}
}

/* ------------------------------------------------------------ pages */

/* How many rows from rows[k] belong together: the lines of one question or calculated value
 * (a page never cuts them, unless they are taller than a page), else 1. */
static size_t group_at(const form_layout *l, size_t k)
{
	const fl_row *r = &l->rows[k];
	size_t n = 1;
	if (r->kind == FL_ROW_FIELD || r->kind == FL_ROW_CALC)
		while (k + n < l->n_rows && l->rows[k + n].field == r->field &&
		       l->rows[k + n].kind == r->kind)
			n++;
	return n;
}

/* Whether page pg has a row the cursor stops on (a question, the date, a matrix line). */
static bool page_has_input(const form_layout *l, const fl_page *pg)
{
	for (size_t k = pg->first_row; k < pg->first_row + pg->n_rows; k++)
		if (l->rows[k].kind == FL_ROW_FIELD || l->rows[k].kind == FL_ROW_DATE ||
		    l->rows[k].kind == FL_ROW_MATRIX)
			return true;
	return false;
}

/* A section's last page holding only calculated values (EPICES's score) takes the question
 * before them along, when it fits: a page the cursor cannot stop on would never be seen, and the
 * score is read beside the answer that completes it. pages[start ..] are the section's. */
static void keep_last_question(form_layout *l, size_t start, size_t h)
{
	while (l->n_pages >= start + 2) {
		fl_page *prev = &l->pages[l->n_pages - 2], *last = &l->pages[l->n_pages - 1];
		if (page_has_input(l, last))
			return;
		size_t g = 0; /* the last group of prev */
		for (size_t k = prev->first_row; k < prev->first_row + prev->n_rows; k += group_at(l, k))
			g = group_at(l, k);
		if (!g || g >= prev->n_rows || last->n_rows + g > h)
			return;
		prev->n_rows -= g;
		last->first_row -= g;
		last->n_rows += g;
	}
}

/* Cut the rows of section sec, rows[first ..], into pages of at most height rows, never inside
 * a question; the panel under them is panel_h tall. */
static void paginate(form_layout *l, int sec, size_t first, int height, int panel_h)
{
	size_t h = (size_t)height, start = l->n_pages;
	size_t from = first, used = 0;
	for (size_t k = first; k < l->n_rows;) {
		size_t g = group_at(l, k);
		if (used && used + g > h) { /* the question starts the next page */
			l->pages = xrealloc(l->pages, (l->n_pages + 1) * sizeof *l->pages);
			l->pages[l->n_pages++] = (fl_page){.section = sec, .first_row = from, .n_rows = used};
			from = k;
			used = 0;
		}
		/* A group taller than a page fills pages of its own. */
		for (; g > h - used; g -= h - used, k += h - used, used = 0, from = k) {
			l->pages = xrealloc(l->pages, (l->n_pages + 1) * sizeof *l->pages);
			l->pages[l->n_pages++] = (fl_page){.section = sec, .first_row = from, .n_rows = h};
		}
		used += g;
		k += g;
	}
	if (used || l->n_pages == start) {
		l->pages = xrealloc(l->pages, (l->n_pages + 1) * sizeof *l->pages);
		l->pages[l->n_pages++] = (fl_page){.section = sec, .first_row = from, .n_rows = used};
	}
	keep_last_question(l, start, h);
	int count = (int)(l->n_pages - start);
	for (size_t p = start; p < l->n_pages; p++) {
		l->pages[p].number = (int)(p - start);
		l->pages[p].count = count;
		l->pages[p].rows_height = height;
		l->pages[p].panel_top = l->rows_top + height;
		l->pages[p].panel_height = panel_h;
		for (size_t r = l->pages[p].first_row; r < l->pages[p].first_row + l->pages[p].n_rows; r++)
			l->rows[r].page = (int)p;
	}
}

void form_layout_init(form_layout *l, const record *r, const fl_params *p)
{
	const form *f = r->f;
	memset(l, 0, sizeof *l);
	l->r = r;
	l->cols = p->cols;
	l->lines = p->lines;
	l->hide_identity = p->hide_identity;
	l->label_width = label_width(p->cols);
	l->banner_top = 2;
	lay_banner(l, p);
	l->rows_top = l->banner_top + (int)l->n_banner;
	l->panel_height = panel_height(f, -1, p);
	l->rows_height = p->lines - 4 - l->panel_height - (int)l->n_banner;
	if (l->rows_height < 1)
		l->rows_height = 1;
	l->panel_top = l->rows_top + l->rows_height;
	l->places = xcalloc(f->n_fields + 1, sizeof *l->places);
	for (int i = FL_DATE; i < (int)f->n_fields; i++)
		place(l, i, 0, 0, 0, 0);
	for (size_t sec = 0; sec < f->n_sections; sec++) {
		size_t first = l->n_rows;
		lay_section(l, (int)sec, p);
		int panel_h = panel_height(f, (int)sec, p);
		int height = l->rows_height - (panel_h - l->panel_height);
		paginate(l, (int)sec, first, height < 1 ? 1 : height, panel_h);
	}
	/* Now that the rows are paginated: the page of each field's row. */
	for (int i = FL_DATE; i < (int)f->n_fields; i++) {
		fl_place *pl = i == FL_DATE ? &l->date : &l->places[i];
		if (pl->n_rows)
			pl->page = l->rows[pl->row].page;
	}
}

void form_layout_done(form_layout *l)
{
	for (size_t k = 0; k < l->n_banner; k++)
		free(l->banner[k].text);
	free(l->banner);
	for (size_t k = 0; k < l->n_rows; k++)
		free(l->rows[k].text);
	free(l->rows);
	free(l->pages);
	free(l->matrices);
	free(l->places);
	memset(l, 0, sizeof *l);
}

const fl_place *form_layout_place(const form_layout *l, int i)
{
	return i == FL_DATE ? &l->date : &l->places[i];
}

int form_layout_page_of(const form_layout *l, int i)
{
	const fl_place *pl = form_layout_place(l, i);
	if (pl->page >= 0)
		return pl->page;
	int sec = i == FL_DATE ? 0 : l->r->f->fields[i].section;
	for (size_t p = 0; p < l->n_pages; p++)
		if (l->pages[p].section == sec)
			return (int)p;
	return 0;
}

int form_layout_row_y(const form_layout *l, size_t row)
{
	return l->rows_top + (int)(row - l->pages[l->rows[row].page].first_row);
}

int form_layout_page_focus(const form_layout *l, int p)
{
	const fl_page *pg = &l->pages[p];
	int calc = FL_NONE; /* the first calculated value: where a page of values only is read */
	for (size_t k = pg->first_row; k < pg->first_row + pg->n_rows; k++) {
		const fl_row *row = &l->rows[k];
		if (row->kind == FL_ROW_DATE || row->kind == FL_ROW_FIELD)
			return row->field;
		if (row->kind == FL_ROW_CALC && calc == FL_NONE)
			calc = row->field;
		if (row->kind == FL_ROW_MATRIX)
			for (int c = 0; c < row->n_cells; c++)
				if (form_layout_focusable(l->r, row->field + c, l->hide_identity))
					return row->field + c;
	}
	return calc;
}

int form_layout_page_step(const form_layout *l, int i, int dir)
{
	for (int p = form_layout_page_of(l, i) + dir; p >= 0 && (size_t)p < l->n_pages; p += dir) {
		int target = form_layout_page_focus(l, p);
		if (target != FL_NONE)
			return target;
	}
	return FL_NONE;
}

/* The key of answer k of fd, as listed: "[ ] 3" for a multiple choice, the code of a choice
 * whose codes are numbers (what is typed), else its number. Caller frees. */
static char *answer_key(const field *fd, size_t k)
{
	if (fd->type == FT_MULTI)
		return xasprintf("[ ] %zu", k + 1);
	if (fd->choices->numeric)
		return xstrdup(fd->choices->items[k].code);
	return xasprintf("%zu", k + 1);
}

static void add_piece(fl_answer **v, size_t *n, fl_answer a)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = a;
}

/* Answers key + label of fd in per_line columns of colw (all fit): the pieces into *v. Returns
 * the lines used. */
static int answers_grid(const field *fd, const char *lang, int per_line, int colw,
                        int (*width_of)(const char *s), fl_answer **v, size_t *np)
{
	size_t n = fd->choices->n;
	for (size_t k = 0; k < n; k++) {
		char *key = answer_key(fd, k);
		int line = (int)(k / (size_t)per_line), x = 2 + (int)(k % (size_t)per_line) * colw;
		int kw = width_of(key);
		add_piece(v, np, (fl_answer){line, x, k, true, key});
		add_piece(v, np,
		          (fl_answer){line, x + kw + 1, k, false,
		                      xstrdup(i18n_get(&fd->choices->items[k].label, lang))});
	}
	return n ? (int)((n - 1) / (size_t)per_line) + 1 : 0;
}

/* Answers one after the other, three columns apart, within room columns from column 2; one
 * longer than a line starts a line and wraps under its label. Returns the lines used. */
static int answers_flow(const field *fd, const char *lang, int room, int (*width_of)(const char *s),
                        fl_answer **v, size_t *np)
{
	int line = 0, x = 2;
	for (size_t k = 0; k < fd->choices->n; k++) {
		char *key = answer_key(fd, k);
		const char *label = i18n_get(&fd->choices->items[k].label, lang);
		int kw = width_of(key), w = kw + 1 + width_of(label);
		if (x > 2 && x + w > 2 + room)
			line++, x = 2;
		add_piece(v, np, (fl_answer){line, x, k, true, key});
		if (x + w <= 2 + room) {
			add_piece(v, np, (fl_answer){line, x + kw + 1, k, false, xstrdup(label)});
			x += w + 3;
			continue;
		}
		char **parts;
		size_t nparts = text_wrap_measured(label, room - kw - 1, width_of, &parts);
		for (size_t j = 0; j < nparts; j++)
			add_piece(v, np, (fl_answer){line + (int)j, 2 + kw + 1, k, false, parts[j]});
		free(parts);
		line += (int)nparts;
		x = 2;
	}
	return x > 2 ? line + 1 : line;
}

size_t form_layout_answers(const field *fd, const char *lang, int cols, int (*width_of)(const char *s),
                           fl_answer **out, int *lines)
{
	size_t n = fd->choices->n;
	int room = cols - 4; /* from column 2 */
	int widest = 0;
	for (size_t k = 0; k < n; k++) {
		char *key = answer_key(fd, k);
		int w = width_of(key) + 1 + width_of(i18n_get(&fd->choices->items[k].label, lang));
		widest = w > widest ? w : widest;
		free(key);
	}
	/* Columns as many as the list asks for (3 past 8 answers), fewer for long answers. */
	int per_line = n > 8 ? 3 : 2;
	while (per_line > 1 && widest > (cols - 2) / per_line - 1)
		per_line--;
	fl_answer *flow = NULL;
	size_t n_flow = 0;
	int flow_lines = answers_flow(fd, lang, room, width_of, &flow, &n_flow);
	int grid_lines = n ? (int)((n - 1) / (size_t)per_line) + 1 : 0;
	/* Columns are easier to read; one after the other when they would take many more lines. */
	if (widest <= room && grid_lines <= flow_lines + 1) {
		fl_answers_free(flow, n_flow);
		fl_answer *v = NULL;
		size_t np = 0;
		*lines = answers_grid(fd, lang, per_line, (cols - 2) / per_line, width_of, &v, &np);
		*out = v;
		return np;
	}
	*lines = flow_lines;
	*out = flow;
	return n_flow;
}

void fl_answers_free(fl_answer *v, size_t n)
{
	for (size_t k = 0; k < n; k++)
		free(v[k].text);
	free(v);
}
