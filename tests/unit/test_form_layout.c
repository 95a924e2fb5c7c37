/* test_form_layout.c — the geometry of the form screen (core/form_layout.c) with the real forms
 * of forms/: at 80×24 and at other sizes, every field shown is on exactly one page, pages fit
 * the height left by the banner and the panel, cells stay on the screen and the cells of a
 * matrix line up in columns; a field hidden by show_if, or an identity field hidden from the
 * person, takes no row; a wrapped note takes one row per line, a long label too, never cut nor
 * split by a page; the answers of a choice are listed whole; PgDn/PgUp reach the next page
 * that has a question. Expected positions are
 * worked out by hand in the comments from the rules of form_layout.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/form_layout.h"
#include "core/record.h"
#include "core/util.h"
#include "harness.h"

static formset *fs;

/* Display width of UTF-8 text: one column per character (forms/ holds no wide character). */
static int width_of(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static record *record_of(const char *form_id)
{
	const form *f = formset_form(fs, form_id);
	if (!f) {
		fprintf(stderr, "  formulaire « %s » absent de %s\n", form_id, TEST_FORMS_DIR);
		exit(1);
	}
	record *r = record_new(fs, f, 20500);
	record_compute(r);
	return r;
}

static int idx(const record *r, const char *id)
{
	long i = form_field_index(r->f, id);
	if (i < 0) {
		fprintf(stderr, "  champ « %s » absent du formulaire %s\n", id, r->f->id);
		exit(1);
	}
	return (int)i;
}

static void set(record *r, const char *id, const char *text)
{
	char *why = NULL;
	if (!record_set(r, (size_t)idx(r, id), text, &why))
		fprintf(stderr, "  %s=%s refusé : %s\n", id, text, why ? why : "?");
	free(why);
	record_compute(r);
}

static void lay_as(form_layout *l, const record *r, int cols, int lines, const char *const *alerts,
                   bool hide_identity)
{
	fl_params p = {cols, lines, "fr", width_of, alerts, hide_identity};
	form_layout_init(l, r, &p);
}

static void lay(form_layout *l, const record *r, int cols, int lines, const char *const *alerts)
{
	lay_as(l, r, cols, lines, alerts, false);
}

/* Whether row k shows field i (for a note: one of its lines). */
static bool row_shows(const fl_row *row, int i)
{
	if (row->kind == FL_ROW_MATRIX)
		return i >= row->field && i < row->field + row->n_cells;
	return row->kind != FL_ROW_MATRIX_HEAD && row->field == i;
}

/* The properties every layout has, whatever the form and the size. */
static void check_invariants(const form_layout *l, const char *what)
{
	const record *r = l->r;
	const form *f = r->f;
	int failed = harness_failed;
	/* The regions, top to bottom, end on the message line (lines - 2). */
	CHECK(l->banner_top == 2);
	CHECK(l->rows_top == l->banner_top + (int)l->n_banner);
	CHECK(l->rows_height >= 1);
	CHECK(l->panel_top == l->rows_top + l->rows_height);
	CHECK(l->panel_top + l->panel_height == l->lines - 2);
	/* Pages: in order, contiguous, each within the height, every section at least one. */
	size_t next_row = 0;
	int sec = -1;
	for (size_t p = 0; p < l->n_pages; p++) {
		const fl_page *pg = &l->pages[p];
		CHECK(pg->first_row == next_row);
		CHECK(pg->n_rows <= (size_t)pg->rows_height);
		CHECK(pg->rows_height <= l->rows_height && pg->rows_height >= 1);
		CHECK(pg->panel_top == l->rows_top + pg->rows_height);
		CHECK(pg->panel_top + pg->panel_height == l->lines - 2);
		CHECK(pg->number < pg->count);
		if (pg->section != sec) {
			CHECK(pg->section == sec + 1);
			CHECK(pg->number == 0);
			sec = pg->section;
		} else {
			CHECK(pg->number == l->pages[p - 1].number + 1);
			CHECK(pg->n_rows > 0);
		}
		for (size_t k = pg->first_row; k < pg->first_row + pg->n_rows; k++) {
			CHECK(l->rows[k].page == (int)p);
			int y = form_layout_row_y(l, k);
			CHECK(y >= l->rows_top && y < l->rows_top + pg->rows_height);
		}
		next_row += pg->n_rows;
		/* The cursor can reach every page of a section that has somewhere to stop. */
		bool section_has_focus = false;
		for (size_t q = 0; q < l->n_pages; q++)
			section_has_focus |= l->pages[q].section == pg->section &&
			                     form_layout_page_focus(l, (int)q) != FL_NONE;
		if (section_has_focus)
			CHECK(form_layout_page_focus(l, (int)p) != FL_NONE);
	}
	CHECK(next_row == l->n_rows);
	CHECK(sec == (int)f->n_sections - 1);
	/* Every field shown: on exactly one page, in the rows of its section, its cell on screen. */
	for (int i = 0; i < (int)f->n_fields; i++) {
		const fl_place *pl = form_layout_place(l, i);
		size_t rows = 0;
		int page = -1;
		bool one_page = true;
		for (size_t k = 0; k < l->n_rows; k++)
			if (row_shows(&l->rows[k], i)) {
				if (!rows++) {
					page = l->rows[k].page;
					CHECK(k == pl->row);
				}
				one_page &= l->rows[k].page == page;
			}
		bool in_shown_line = f->fields[i].matrix && rows > 0;
		if (form_layout_field_shown(r, i, l->hide_identity) || in_shown_line) {
			CHECK(pl->page >= 0);
			CHECK(pl->page == page);
			CHECK(one_page);
			CHECK(rows == pl->n_rows);
			CHECK(l->pages[pl->page].section == f->fields[i].section);
			CHECK(pl->x >= 0 && pl->width > 0 && pl->x + pl->width <= l->cols);
		} else {
			/* Hidden by show_if or from the person: no row, no page. */
			CHECK(rows == 0);
			CHECK(pl->page == -1);
			CHECK(form_layout_page_of(l, i) >= 0);
		}
	}
	/* Labels of questions and calculated values: whole (their lines joined are the label), each
	 * line within the screen, the last within the label column, the value on it. */
	for (int i = 0; i < (int)f->n_fields; i++) {
		const fl_place *pl = form_layout_place(l, i);
		const fl_row *first = pl->n_rows ? &l->rows[pl->row] : NULL;
		if (!first || (first->kind != FL_ROW_FIELD && first->kind != FL_ROW_CALC))
			continue;
		strbuf sb = STRBUF_INIT;
		strbuf_add(&sb, "", 0);
		for (size_t k = pl->row; k < pl->row + pl->n_rows; k++) {
			const fl_row *row = &l->rows[k];
			CHECK(row->field == i && row->line == (int)(k - pl->row));
			CHECK(row->last == (k + 1 == pl->row + pl->n_rows));
			CHECK(width_of(row->text) <= l->cols - 4);
			if (row->last)
				CHECK(width_of(row->text) <= l->label_width - 2);
			strbuf_printf(&sb, "%s%s", sb.len ? " " : "", row->text);
		}
		CHECK_STR(strbuf_str(&sb), f->fields[i].label.fr);
		strbuf_done(&sb);
	}
	/* The answers of every choice: whole, within the screen, and (from 80×24 on: a smaller
	 * terminal may not hold 24 answers) all in the panel of the page of their question. */
	for (int i = 0; l->cols >= 80 && l->lines >= 24 && i < (int)f->n_fields; i++) {
		const field *fd = &f->fields[i];
		if ((fd->type != FT_CHOICE && fd->type != FT_MULTI) || form_layout_place(l, i)->page < 0)
			continue;
		fl_answer *v;
		int lines;
		size_t n = form_layout_answers(fd, "fr", l->cols, width_of, &v, &lines);
		const fl_page *pg = &l->pages[form_layout_place(l, i)->page];
		CHECK(lines <= pg->panel_height - 1);
		for (size_t k = 0; k < fd->choices->n; k++) {
			strbuf sb = STRBUF_INIT;
			strbuf_add(&sb, "", 0);
			for (size_t j = 0; j < n; j++)
				if (v[j].answer == k && !v[j].key)
					strbuf_printf(&sb, "%s%s", sb.len ? " " : "", v[j].text);
			CHECK_STR(strbuf_str(&sb), fd->choices->items[k].label.fr);
			strbuf_done(&sb);
		}
		for (size_t j = 0; j < n; j++)
			CHECK(v[j].x + width_of(v[j].text) <= l->cols - 2 && v[j].line < lines);
		fl_answers_free(v, n);
	}
	/* Matrices: the names, then the columns left to right, cells apart and on screen; every
	 * cell of a column at the column's x. */
	for (size_t m = 0; m < l->n_matrices; m++) {
		const fl_matrix *mx = &l->matrices[m];
		CHECK(mx->n_cols >= 1 && mx->n_cols <= FL_MATRIX_MAX_COLS);
		CHECK(mx->name_width <= mx->col_x[0]);
		for (int c = 0; c + 1 < mx->n_cols; c++)
			CHECK(mx->col_x[c] + mx->cell_width < mx->col_x[c + 1]);
		CHECK(mx->col_x[mx->n_cols - 1] + mx->cell_width <= l->cols);
		for (size_t k = 0; k < l->n_rows; k++) {
			const fl_row *row = &l->rows[k];
			if (row->kind != FL_ROW_MATRIX || row->matrix != (int)m)
				continue;
			for (int i = row->field; i < row->field + row->n_cells; i++) {
				const fl_place *pl = form_layout_place(l, i);
				int c = 0;
				while (c < mx->n_cols && strcmp(f->fields[mx->col_field[c]].matrix_col,
				                                f->fields[i].matrix_col) != 0)
					c++;
				CHECK(c < mx->n_cols);
				CHECK(pl->x == mx->col_x[c]);
				CHECK(pl->width == mx->cell_width);
			}
		}
	}
	if (harness_failed != failed)
		fprintf(stderr, "  formulaire %s, %s\n", f->id, what);
}

/* Every form of forms/, empty and with its defaults, at sizes from the smallest terminal the
 * screens accept to a large one, with identity fields shown and hidden. */
static void test_all_forms_all_sizes(void)
{
	static const int sizes[][2] = {{60, 16}, {70, 20}, {80, 24}, {100, 30}, {132, 43}, {200, 60}};
	for (size_t k = 0; k < fs->n_forms; k++) {
		record *r = record_new(fs, fs->forms[k], 20500);
		for (int pass = 0; pass < 4; pass++) {
			if (pass == 2)
				record_apply_defaults(r);
			record_compute(r);
			for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
				form_layout l;
				lay_as(&l, r, sizes[s][0], sizes[s][1], NULL, pass % 2);
				char what[80];
				snprintf(what, sizeof what, "%dx%d%s%s", sizes[s][0], sizes[s][1],
				         pass >= 2 ? ", valeurs par défaut" : "",
				         pass % 2 ? ", identité cachée" : "");
				check_invariants(&l, what);
				form_layout_done(&l);
			}
		}
		record_free(r);
	}
}

/* AUDIT at 80×24, q1 answered "2 to 4 times a month" so that all ten questions are asked: no
 * banner, a panel of 7 rows, so 24 - 4 - 7 = 13 rows a page. Section 1 is the date and q1 to q10
 * (11 rows, one page); section 2, the scores, another page. At 60×16 the panel has 5 rows:
 * 16 - 4 - 5 = 7 rows a page: section 1 takes two (date and q1–q6, then q7–q10), and so do the
 * 8 calculated scores of section 2 (7, then 1). */
static void test_audit_pages(void)
{
	record *r = record_of("audit");
	set(r, "q1", "2");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	CHECK(l.rows_height == 13);
	CHECK(l.panel_top == 15 && l.panel_height == 7);
	/* Labels wrapped, never cut: q1 on 2 rows, q4 to q8 on 3 (wrapped over 76 columns, the last
	 * line within the label column): the date and q1 to q5 are 13 rows, q6 to q9 11, q10 3. */
	CHECK(l.n_pages == 4);
	CHECK(l.pages[0].n_rows == 13 && l.pages[0].count == 3);
	CHECK(l.rows[0].kind == FL_ROW_DATE);
	CHECK(form_layout_place(&l, idx(r, "q1"))->n_rows == 2);
	CHECK(form_layout_place(&l, idx(r, "q4"))->n_rows == 3);
	CHECK_STR(l.rows[form_layout_place(&l, idx(r, "q4"))->row + 2].text,
	          "boire une fois que vous aviez commencé ?");
	CHECK(form_layout_page_of(&l, FL_DATE) == 0);
	CHECK(form_layout_page_of(&l, idx(r, "q5")) == 0);
	CHECK(form_layout_page_of(&l, idx(r, "q6")) == 1);
	CHECK(form_layout_page_of(&l, idx(r, "q10")) == 2);
	CHECK(l.pages[3].section == 1);
	CHECK(form_layout_page_of(&l, idx(r, "total")) == 3);
	CHECK(l.rows[form_layout_place(&l, idx(r, "total"))->row].kind == FL_ROW_CALC);
	/* The label column: 80 - 36 = 44 columns (more than a third), the value from column 45;
	 * the cell of a choice whose codes are one digit is 4 wide, of the date 11. */
	CHECK(l.label_width == 44);
	CHECK(form_layout_place(&l, idx(r, "q1"))->x == 45);
	CHECK(form_layout_place(&l, idx(r, "q1"))->width == 4);
	CHECK(form_layout_place(&l, FL_DATE)->width == 11);
	/* q3 starts on row 5 (the date, q1 and q2 take two rows each), screen row 2 + 5. */
	CHECK(form_layout_row_y(&l, form_layout_place(&l, idx(r, "q3"))->row) == 2 + 5);
	/* The scores have nothing to type: the cursor rests on their first value, so that PgDn (and
	 * Tab past q10) shows them, and on that one only. */
	CHECK(form_layout_view_anchor(r, idx(r, "saut_q2_q8"), false));
	CHECK(form_layout_focusable(r, idx(r, "saut_q2_q8"), false));
	CHECK(!form_layout_focusable(r, idx(r, "total"), false));
	CHECK(!form_layout_view_anchor(r, idx(r, "q1"), false));
	CHECK(form_layout_page_focus(&l, 3) == idx(r, "saut_q2_q8"));
	CHECK(form_layout_page_step(&l, idx(r, "q1"), 1) == idx(r, "q6"));
	CHECK(form_layout_page_step(&l, idx(r, "q10"), 1) == idx(r, "saut_q2_q8"));
	CHECK(form_layout_page_step(&l, idx(r, "saut_q2_q8"), -1) == idx(r, "q10"));
	form_layout_done(&l);
	/* A missing code is shown whole: the cell widens to hold ".non_demande" (12 + 1). */
	set(r, "q2", ".non_demande");
	lay(&l, r, 80, 24, NULL);
	CHECK(form_layout_place(&l, idx(r, "q2"))->width == 13);
	CHECK(form_layout_place(&l, idx(r, "q3"))->width == 4);
	form_layout_done(&l);
	set(r, "q2", "");

	lay(&l, r, 60, 16, NULL);
	CHECK(l.rows_height == 7);
	/* 60 - 36 = 24, more than a third of 60 (20): the label column is 24, labels take up to 4
	 * rows: the first section is 7 pages, no question cut by a page. */
	CHECK(l.label_width == 24);
	CHECK(l.n_pages == 10);
	CHECK(l.pages[0].count == 7 && l.pages[0].n_rows == 6 && l.pages[7].section == 1);
	CHECK(form_layout_page_of(&l, idx(r, "q2")) == 0);
	CHECK(form_layout_page_of(&l, idx(r, "q3")) == 1);
	CHECK(form_layout_row_y(&l, form_layout_place(&l, idx(r, "q3"))->row) == 2);
	/* PgDn from q2: q3, the first question of the next page; PgUp from q4: the date. */
	CHECK(form_layout_page_step(&l, idx(r, "q2"), 1) == idx(r, "q3"));
	CHECK(form_layout_page_step(&l, idx(r, "q4"), -1) == FL_DATE);
	CHECK(form_layout_page_step(&l, FL_DATE, -1) == FL_NONE);
	form_layout_done(&l);
	record_free(r);
}

/* AUDIT's skip rule: q1 = 0 ("never") hides q2 to q8, which then take no row; q1 = 2 brings them
 * back. */
static void test_hidden_fields_take_no_row(void)
{
	record *r = record_of("audit");
	set(r, "q1", "2");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	size_t shown = l.n_rows;
	CHECK(form_layout_place(&l, idx(r, "q5"))->page == 0);
	form_layout_done(&l);

	set(r, "q1", "0");
	lay(&l, r, 80, 24, NULL);
	CHECK(l.n_rows == shown - 19); /* q2 and q3 took 2 rows each, q4 to q8 3 */
	CHECK(l.pages[0].n_rows == 8); /* the date, q1 (2 rows), q9 (2), q10 (3) */
	for (int q = 2; q <= 8; q++) {
		char id[8];
		snprintf(id, sizeof id, "q%d", q);
		CHECK(form_layout_place(&l, idx(r, id))->page == -1);
		CHECK(form_layout_place(&l, idx(r, id))->n_rows == 0);
	}
	/* q9 comes right after q1: rows 0 (date), 1-2 (q1), 3 (q9). */
	CHECK(form_layout_place(&l, idx(r, "q9"))->row == 3);
	check_invariants(&l, "q1 = 0");
	form_layout_done(&l);
	record_free(r);
}

/* The substances matrix at 80×24: 4 columns; the names take 22 columns, each column
 * (80 - 22 - 1) / 4 = 14, so columns start at 22, 36, 50 and 64 with cells 13 wide. The date, the
 * head and 21 products are 23 rows: 13 on the first page, 10 on the second, which starts with
 * the 12th product (amphétamines). At 132 columns the names take 30 and a column is at most 22. */
static void test_substances_matrix(void)
{
	record *r = record_of("substances");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	CHECK(l.n_matrices == 2);
	const fl_matrix *m = &l.matrices[0];
	CHECK(m->n_cols == 4);
	CHECK(m->name_width == 22);
	CHECK(m->col_x[0] == 22 && m->col_x[1] == 36 && m->col_x[2] == 50 && m->col_x[3] == 64);
	CHECK(m->cell_width == 13);
	CHECK_STR(r->f->fields[m->col_field[2]].matrix_col, "voie");
	CHECK(l.rows[1].kind == FL_ROW_MATRIX_HEAD && l.rows[1].matrix == 0);
	CHECK(l.pages[0].n_rows == 13 && l.pages[1].n_rows == 10 && l.pages[1].count == 2);
	CHECK(form_layout_place(&l, idx(r, "tabac_voie"))->x == 50);
	CHECK(form_layout_place(&l, idx(r, "autre_produit_age_debut"))->x == 64);
	/* Never used: the other cells of the line are hidden but keep their place, empty. */
	CHECK(!r->vals[idx(r, "tabac_jours30")].visible);
	CHECK(form_layout_place(&l, idx(r, "tabac_jours30"))->page == 0);
	CHECK(form_layout_page_of(&l, idx(r, "amphetamines_vie")) == 1);
	CHECK(form_layout_page_focus(&l, 1) == idx(r, "amphetamines_vie"));
	/* PgDn: the next page, then the behavioural addictions (2 columns of 22, from 22 and 44). */
	CHECK(form_layout_page_step(&l, idx(r, "tabac_vie"), 1) == idx(r, "amphetamines_vie"));
	CHECK(form_layout_page_step(&l, idx(r, "amphetamines_vie"), 1) == idx(r, "jeux_argent_vie"));
	CHECK(form_layout_page_step(&l, idx(r, "jeux_argent_vie"), -1) == idx(r, "amphetamines_vie"));
	CHECK(l.matrices[1].n_cols == 2 && l.matrices[1].col_x[1] == 44);
	form_layout_done(&l);

	lay(&l, r, 132, 43, NULL);
	CHECK(l.matrices[0].name_width == 30 && l.matrices[0].cell_width == 21);
	CHECK(l.matrices[0].col_x[3] == 30 + 3 * 22);
	form_layout_done(&l);
	record_free(r);
}

/* EPICES at 80×24: section 2 is 11 yes/no questions and 2 calculated fields, most questions
 * on two rows: three pages, the score with the last question; a yes/no cell is 5 wide. Once item 1 of the
 * precarity section has a hidden follow-up (incarceration in the last 12 months), answering "yes" shows it.
 */
static void test_epices(void)
{
	record *r = record_of("precarite");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	int score = idx(r, "epices_score");
	CHECK(l.pages[form_layout_page_of(&l, score)].section == 1);
	/* The score's page takes the last question along: a page of values only would never be
	 * reached by the cursor. */
	CHECK(l.pages[form_layout_page_of(&l, score)].number == 2);
	CHECK(form_layout_page_of(&l, idx(r, "epices11")) == form_layout_page_of(&l, score));
	CHECK(form_layout_place(&l, idx(r, "epices1"))->width == 5);
	CHECK(form_layout_place(&l, idx(r, "incarceration_12m"))->page == -1);
	form_layout_done(&l);
	set(r, "incarceration_vie", "1");
	lay(&l, r, 80, 24, NULL);
	CHECK(form_layout_place(&l, idx(r, "incarceration_12m"))->page == 0);
	check_invariants(&l, "incarcération");
	form_layout_done(&l);
	record_free(r);
}

/* The PHQ-9 instruction (a note of 105 characters) is cut at 80 - 4 = 76 columns into two rows,
 * on a space; at 132 columns it takes one. */
static void test_note_wrapped(void)
{
	record *r = record_of("sante_mentale");
	int note = idx(r, "consigne_phq");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	const fl_place *pl = form_layout_place(&l, note);
	CHECK(pl->n_rows == 2);
	CHECK(l.rows[pl->row].kind == FL_ROW_NOTE && l.rows[pl->row + 1].kind == FL_ROW_NOTE);
	CHECK(width_of(l.rows[pl->row].text) <= 76 && width_of(l.rows[pl->row + 1].text) <= 76);
	char *joined = xasprintf("%s %s", l.rows[pl->row].text, l.rows[pl->row + 1].text);
	CHECK_STR(joined, r->f->fields[note].label.fr);
	free(joined);
	/* The first question comes after the note's two rows (and the date). */
	CHECK(form_layout_place(&l, idx(r, "phq1"))->row == 3);
	form_layout_done(&l);
	lay(&l, r, 132, 43, NULL);
	CHECK(form_layout_place(&l, note)->n_rows == 1);
	CHECK_STR(l.rows[form_layout_place(&l, note)->row].text, r->f->fields[note].label.fr);
	form_layout_done(&l);
	record_free(r);
}

/* The banner: at 80×24 (up to 3 lines) one urgent alert of 99 characters wraps to 2 lines at
 * 77 columns and takes 2 rows from the page; with a second alert (of level attention), the
 * urgent one keeps 2 lines and the other gets the third, cut. At 60×16 (2 lines at most), each
 * gets one line. */
static void test_banner(void)
{
	record *r = record_of("sante_mentale");
	CHECK(r->f->n_alerts == 2);
	const char *urgent = "!! URGENT — PHQ-9 item 9 > 0 : idées de mort ou d'auto-agression — évaluer le "
	                     "risque suicidaire le jour même.";
	const char *severe = "!! ATTENTION — PHQ-9 ≥ 20 : symptômes dépressifs sévères — avis médical ou "
	                     "psychiatrique.";
	const char *one[2] = {urgent, NULL}, *both[2] = {urgent, severe}, *reversed[2] = {severe, urgent};
	form_layout l;
	lay(&l, r, 80, 24, one);
	CHECK(l.n_banner == 2);
	CHECK(l.rows_top == 4 && l.rows_height == 11);
	CHECK_STR(l.banner[0].text,
	          "!! URGENT — PHQ-9 item 9 > 0 : idées de mort ou d'auto-agression — évaluer");
	CHECK_STR(l.banner[1].text, "le risque suicidaire le jour même.");
	check_invariants(&l, "une alerte");
	form_layout_done(&l);

	lay(&l, r, 80, 24, both);
	CHECK(l.n_banner == 3);
	CHECK(l.banner[0].alert == 0 && l.banner[1].alert == 0 && l.banner[2].alert == 1);
	CHECK_STR(l.banner[2].text,
	          "!! ATTENTION — PHQ-9 ≥ 20 : symptômes dépressifs sévères — avis médical ou …");
	CHECK(l.rows_height == 10);
	form_layout_done(&l);

	/* Rule 1 made urgent: the urgent message is still first, whatever the order of the rules. */
	lay(&l, r, 60, 16, reversed);
	CHECK(l.n_banner == 2);
	CHECK(l.banner[0].alert == (r->f->alerts[0].level == ALERT_URGENT ? 0 : 1));
	CHECK(strstr(l.banner[0].text, " …") != NULL && strstr(l.banner[1].text, " …") != NULL);
	CHECK(l.rows_height == 16 - 4 - 5 - 2);
	check_invariants(&l, "deux alertes, 60x16");
	form_layout_done(&l);
	record_free(r);
}

/* The patient's form for a person who may not see identities: name, first name, telephone and
 * notes take no row, so the identity section is one empty page that PgUp does not stop on, and
 * the cursor cannot stop on them. */
static void test_identity_hidden(void)
{
	record *r = record_of("patient");
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	CHECK(l.pages[0].n_rows == 4);
	CHECK(form_layout_place(&l, idx(r, "nom"))->row == 0);
	CHECK(form_layout_page_step(&l, idx(r, "sexe"), -1) == idx(r, "nom"));
	form_layout_done(&l);

	lay_as(&l, r, 80, 24, NULL, true);
	CHECK(l.pages[0].section == 0 && l.pages[0].n_rows == 0);
	static const char *const hidden[] = {"nom", "prenom", "telephone", "notes"};
	for (size_t k = 0; k < 4; k++) {
		CHECK(form_layout_place(&l, idx(r, hidden[k]))->page == -1);
		CHECK(!form_layout_focusable(r, idx(r, hidden[k]), true));
		CHECK(form_layout_focusable(r, idx(r, hidden[k]), false));
	}
	CHECK(form_layout_page_focus(&l, 0) == FL_NONE);
	CHECK(form_layout_page_of(&l, idx(r, "sexe")) == 1);
	CHECK(form_layout_page_step(&l, idx(r, "sexe"), -1) == FL_NONE);
	check_invariants(&l, "identité cachée");
	form_layout_done(&l);
	record_free(r);
}

/* The answers of a choice in the panel, whole: two columns (three past eight answers) when they
 * fit, one column for long ones, one after the other when columns would take many more lines. */
static void test_answers_whole(void)
{
	record *r = record_of("audit");
	fl_answer *v;
	int lines;
	size_t n = form_layout_answers(&r->f->fields[idx(r, "q1")], "fr", 80, width_of, &v, &lines);
	/* 5 answers in two columns of (80 - 2) / 2 = 39: "0 Jamais" at 2, "1 1 fois…" at 41. */
	CHECK(lines == 3 && n == 10);
	CHECK(v[0].line == 0 && v[0].x == 2 && v[0].key && strcmp(v[0].text, "0") == 0);
	CHECK(v[1].x == 4 && strcmp(v[1].text, "Jamais") == 0);
	CHECK(v[2].line == 0 && v[2].x == 41);
	fl_answers_free(v, n);
	record_free(r);

	r = record_of("precarite");
	const field *fd = &r->f->fields[idx(r, "complementaire")];
	n = form_layout_answers(fd, "fr", 80, width_of, &v, &lines);
	/* Six answers up to 69 columns: one a line, the two CSS answers told apart. */
	CHECK(lines == 6);
	CHECK_STR(v[3].text, "Complémentaire santé solidaire (CSS) avec participation");
	fl_answers_free(v, n);
	n = form_layout_answers(&r->f->fields[idx(r, "ressources")], "fr", 80, width_of, &v, &lines);
	CHECK(v[0].key && strcmp(v[0].text, "[ ] 1") == 0);
	fl_answers_free(v, n);
	record_free(r);

	r = record_of("substances");
	fd = &r->f->fields[idx(r, "produit_principal")];
	n = form_layout_answers(fd, "fr", 80, width_of, &v, &lines);
	/* 24 answers, up to 44 columns: one column would take 24 lines; one after the other, 9. */
	CHECK(lines <= 10);
	CHECK(v[0].line == 0 && v[2].line == 0 && v[2].x > v[0].x);
	fl_answers_free(v, n);
	form_layout l;
	lay(&l, r, 80, 24, NULL);
	/* Its section's pages have a taller panel, the others the usual one. */
	const fl_page *pg = &l.pages[form_layout_place(&l, idx(r, "produit_principal"))->page];
	CHECK(pg->panel_height == lines + 2 && pg->panel_height > l.panel_height);
	CHECK(l.pages[0].panel_height == l.panel_height && l.pages[0].rows_height == l.rows_height);
	form_layout_done(&l);
	record_free(r);
}

int main(void)
{
	char *errors = NULL;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	if (!fs) {
		fprintf(stderr, "formulaires illisibles :\n%s", errors ? errors : "");
		free(errors);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_all_forms_all_sizes);
	RUN(test_audit_pages);
	RUN(test_hidden_fields_take_no_row);
	RUN(test_substances_matrix);
	RUN(test_epices);
	RUN(test_note_wrapped);
	RUN(test_banner);
	RUN(test_identity_hidden);
	RUN(test_answers_whole);
	formset_free(fs);
	return harness_report();
}
