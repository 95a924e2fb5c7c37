/* form_layout.h — where each part of a form goes on a terminal of a given size, computed without
 * curses so that unit tests can check it: the alert banner, the rows of each section (one per
 * line of a question's label, wrapped rather than cut, the value on its last line; a head and
 * one row per line of a matrix; one per line of a wrapped note), the pages the rows are cut into
 * (never inside a question), the columns of a question row, of a matrix, and the answers listed
 * under the rows, whole. The form screen draws from it and keeps no geometry of its own.
 *
 * The screen, top to bottom: the title (row 0), the section line (row 1), the banner of the
 * alerts that hold, the rows of the page, the panel that explains the focused question, the
 * message line and the footer (the last two rows). */
#ifndef RECUEIL_FORM_LAYOUT_H
#define RECUEIL_FORM_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/form.h"
#include "core/record.h"

enum {
	FL_DATE = -1, /* the entry date of a repeated form: a "field" shown before the first one */
	FL_NONE = -2, /* no field */
	FL_MATRIX_MAX_COLS = 8,
};

typedef enum {
	FL_ROW_DATE,        /* the entry date */
	FL_ROW_FIELD,       /* a line of a question: its label's line; the last one has the value cell
	                     * and the echo of the value */
	FL_ROW_CALC,        /* a line of a calculated field: its label's line; the last, the value */
	FL_ROW_NOTE,        /* one line of a note's text */
	FL_ROW_MATRIX_HEAD, /* the column labels of a matrix */
	FL_ROW_MATRIX,      /* one line of a matrix: its name and a cell per column */
} fl_row_kind;

typedef struct {
	fl_row_kind kind;
	int field;   /* FL_DATE, the field shown, or the first field of the matrix line (of the
	              * matrix, for its head) */
	int n_cells; /* matrix line: its fields are [field, field + n_cells) */
	int matrix;  /* matrix line or head: index in form_layout.matrices; -1 otherwise */
	int page;    /* index in form_layout.pages */
	char *text;  /* note, question, calculated field: this row's line of the note or the label
	              * (owned by the layout); NULL otherwise */
	int line;    /* question, calculated field: which line of the label (0: the first) */
	bool last;   /* question, calculated field: the label's last line, with the value */
} fl_row;

typedef struct {
	int section;              /* the form's section shown */
	int number, count;        /* this page in its section (from 0), and the section's pages */
	size_t first_row, n_rows; /* rows[first_row .. first_row + n_rows) */
	int rows_height;          /* the rows this page may hold (its section's) */
	int panel_top, panel_height;
} fl_page;

/* A matrix: a column of line names from column 2, then its columns side by side; a cell is one
 * column narrower than its column, so that cells never touch. */
typedef struct {
	int first;                         /* its first field */
	int n_cols;                        /* distinct columns, in order of first appearance */
	int col_field[FL_MATRIX_MAX_COLS]; /* a field of each column (the column label is in it) */
	int col_x[FL_MATRIX_MAX_COLS];     /* where each column starts */
	int name_width;                    /* the line names take columns 2 .. name_width - 2 */
	int cell_width;                    /* the width of every cell */
} fl_matrix;

/* Where a field is: its page, its rows, and the cell its value is drawn in. A field not shown
 * (form_layout_field_shown) takes no row, except in a matrix line that shows, where its cell
 * stays (empty). */
typedef struct {
	int page;      /* index in pages; -1 when the field takes no row */
	size_t row;    /* its first row, index in rows (when page >= 0) */
	size_t n_rows; /* the rows it takes: the lines of its label or of a note; 0 with page -1 */
	int x, width;  /* the value's cell on its last row (a note: its text) */
} fl_place;

/* One line of the alert banner: the text to show (owned; " …" ends a message cut short) and
 * the alert rule it comes from (index in form.alerts). */
typedef struct {
	char *text;
	int alert;
} fl_banner_line;

/* What the layout depends on besides the record. */
typedef struct {
	int cols, lines;  /* the terminal */
	const char *lang; /* the language of the labels ("fr", "en") */
	/* The display width of a text on this terminal (borrowed function). */
	int (*width_of)(const char *s);
	/* Per alert rule of the form: the banner text when the rule holds now, NULL when it does
	 * not. NULL: no alert holds. Borrowed for the call only. */
	const char *const *alert_text;
	/* The person may not see identity fields (identifier: true): they take no row. */
	bool hide_identity;
} fl_params;

typedef struct {
	const record *r; /* borrowed: the layout is valid while the record's visibility is */
	int cols, lines;
	bool hide_identity;
	/* The regions of the screen, as rows of the terminal. */
	int banner_top;
	fl_banner_line *banner;
	size_t n_banner;
	/* The rows of a page: at most rows_height of them, then the panel. A section whose answers
	 * need a taller panel has pages with fewer rows: each page says its own (fl_page). */
	int rows_top, rows_height;
	int panel_top, panel_height;
	int label_width; /* question rows: the label from column 2, the value from label_width + 1 */
	/* The rows of every section, page after page; every section has at least one page. */
	fl_row *rows;
	size_t n_rows;
	fl_page *pages;
	size_t n_pages;
	fl_matrix *matrices;
	size_t n_matrices;
	fl_place *places; /* per field of the form */
	fl_place date;    /* the entry date (page -1 when the form has none) */
} form_layout;

/* Lay the record's form out for p: which rows show (fields not shown take none), how they are
 * paginated, and where each value goes. Repeated forms get the entry date first.
 * Never fails (allocation failure exits, as everywhere). Release with form_layout_done. */
void form_layout_init(form_layout *l, const record *r, const fl_params *p);
void form_layout_done(form_layout *l);

/* Where field i is (FL_DATE for the entry date). Borrowed from l. */
const fl_place *form_layout_place(const form_layout *l, int i);

/* The page that shows field i (FL_DATE: the entry date); for a field that takes no row, the
 * first page of its section. */
int form_layout_page_of(const form_layout *l, int i);

/* The screen row of rows[row] (on its page). */
int form_layout_row_y(const form_layout *l, size_t row);

/* True for a field a person types into: not calculated, not a note. */
bool form_layout_is_input(const field *fd);

/* True when field i is on screen: asked (its show_if holds), and not an identity field hidden
 * from the person (hide_identity). */
bool form_layout_field_shown(const record *r, int i, bool hide_identity);

/* True when calculated field i is where the cursor rests to read a section that has nothing to
 * type (AUDIT's scores): the first value shown of a section where no question is shown. */
bool form_layout_view_anchor(const record *r, int i, bool hide_identity);

/* True when the cursor can stop on field i: shown, and typed into (not calculated, not a
 * note), or the view anchor of its section. The entry date is the caller's to judge. */
bool form_layout_focusable(const record *r, int i, bool hide_identity);

/* The first field the cursor can stop on, on page p, in the order of the rows (FL_DATE for the
 * entry date); on a page of calculated values only (a page of scores), the first of them, where
 * the cursor rests to read them; FL_NONE for a page with neither. */
int form_layout_page_focus(const form_layout *l, int p);

/* From the page of field i, the first field the cursor can stop on in the nearest page after
 * it (dir 1) or before it (dir -1), across sections; FL_NONE when no such page. */
int form_layout_page_step(const form_layout *l, int i, int dir);

/* One piece of the answers of a choice listed in the panel: text to draw at column x of the
 * answers' line `line`. A piece is an answer's key ("2", "[ ] 3") or (part of) its label. */
typedef struct {
	int line, x;
	size_t answer; /* index in the field's choices */
	bool key;      /* the answer's key; a multiple choice's is "[ ] N", ticked or not */
	char *text;    /* owned by the list (fl_answers_free) */
} fl_answer;

/* The answers of choice or multiple choice fd in lang, whole, for a cols-wide terminal: in
 * columns of equal width when every answer fits its column (two columns, three past eight
 * answers, one when they are long), else one after the other, a long answer wrapped under its
 * label. Returns the pieces (*out, freed by fl_answers_free) and sets *lines, the lines used. */
size_t form_layout_answers(const field *fd, const char *lang, int cols, int (*width_of)(const char *s),
                           fl_answer **out, int *lines);
void fl_answers_free(fl_answer *v, size_t n);

#endif
