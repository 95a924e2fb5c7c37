/* form_layout.c — the geometry of the form screen without curses: banner, rows, pages, matrix
 * columns and value cells for a terminal of a given size (see form_layout.h). */
#include <stdlib.h>
#include <string.h>

#include "core/form_layout.h"
#include "core/util.h"

/* ------------------------------------------------------------ regions */

static int panel_height(int lines)
{
	return lines >= 22 ? 7 : 5;
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
		place(l, (int)i, push_row(l, (fl_row){.kind = kind, .field = (int)i, .matrix = -1}), 1,
		      l->label_width + 1, value_width(fd, l->r->vals[i].missing, room));
	}
}

/* ------------------------------------------------------------ pages */

/* Cut the rows of section sec, rows[first ..], into pages of rows_height rows. */
static void paginate(form_layout *l, int sec, size_t first)
{
	size_t n = l->n_rows - first, h = (size_t)l->rows_height;
	int count = n ? (int)((n + h - 1) / h) : 1;
	l->pages = xrealloc(l->pages, (l->n_pages + (size_t)count) * sizeof *l->pages);
	for (int k = 0; k < count; k++) {
		size_t from = first + (size_t)k * h, left = first + n - from, rows = left < h ? left : h;
		l->pages[l->n_pages] =
		    (fl_page){.section = sec, .number = k, .count = count, .first_row = from, .n_rows = rows};
		for (size_t r = from; r < from + rows; r++)
			l->rows[r].page = (int)l->n_pages;
		l->n_pages++;
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
	l->panel_height = panel_height(p->lines);
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
		paginate(l, (int)sec, first);
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
	for (size_t k = pg->first_row; k < pg->first_row + pg->n_rows; k++) {
		const fl_row *row = &l->rows[k];
		if (row->kind == FL_ROW_DATE || row->kind == FL_ROW_FIELD)
			return row->field;
		if (row->kind == FL_ROW_CALC && form_layout_view_anchor(l->r, row->field, l->hide_identity))
			return row->field;
		if (row->kind == FL_ROW_MATRIX)
			for (int c = 0; c < row->n_cells; c++)
				if (form_layout_focusable(l->r, row->field + c, l->hide_identity))
					return row->field + c;
	}
	return FL_NONE;
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

void form_layout_answer_columns(int cols, size_t n, int *col_width, int *per_line)
{
	*col_width = n > 8 ? cols / 3 - 1 : cols / 2 - 2;
	*per_line = (cols - 2) / *col_width;
}
