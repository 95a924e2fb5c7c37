/* report_mask.c — the small-count rule of the report, made to hold: counts from 1 to
 * small_count_mask are masked (primary suppression), and so are enough other cells that no
 * masked count can be recomputed from the cells shown (complementary suppression).
 *
 * What an attacker knows is a set of equalities between counts of one report:
 *  - in each row, a total and the categories that add up to it (part_of: exits by reason and
 *    their total, AUDIT zones and the patients assessed, HBV statuses and the patients
 *    followed, screenings due of injectors and of the others…);
 *  - in each category, the total row ("ensemble") and the structures it counts;
 *  - the same count under several indicators (the patients followed of eight indicators, the
 *    contacts done of three, the patients assessed by the AUDIT of two).
 * The rule is public, so a small count is known to lie in [1, small_count_mask].
 * Three steps. (1) While an equality has exactly one masked cell, mask another of its cells:
 * the smallest count above zero that is a part, else its total, else a zero. (2) An equality
 * whose bounds pin a small count (two small counts adding up to 2) gets one more mask the same
 * way; when all its cells are masked already, one of its small counts stops saying it is small
 * (it is shown as masked in complement, whose value may be anything). (3) Solve the equalities for the masked
 * cells (sparse Gauss-Jordan elimination over the masked cells, the shown ones being constants): a masked
 * cell is recomputable when the reduced system holds a row with it alone. For each such cell, mask the
 * smallest other count of one of its equalities, and start again from (1). Every step only adds masks, so
 * this ends. Not covered: bounds combined across several equalities (that needs linear programming). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/report.h"

/* The same count under several indicators, in each row: (indicator, category code), the first
 * of each group NULL-ended. */
static const struct {
	enum report_id id;
	const char *code;
} same_count[][7] = {
    {{REPORT_SUIVIS, "patients"},
     {REPORT_CASCADE_VHC, "suivis"},
     {REPORT_VACCINATION_VHB, "suivis"},
     {REPORT_DEPISTAGE_VHC, "suivis"},
     {REPORT_N, NULL}},
    {{REPORT_CONTACTS_STATUT, "realise"},
     {REPORT_CONTACTS_INTERVENANT, "total"},
     {REPORT_CONTACTS_TYPE, "total"},
     {REPORT_N, NULL}},
    {{REPORT_AUDIT_ZONE, "evalues"}, {REPORT_AUDIT_CLASSE, "evalues"}, {REPORT_N, NULL}},
    /* The impact page's patients followed (its four indicators of who is reached). */
    {{REPORT_SUIVIS, "patients"},
     {REPORT_IMPACT_SEXE, "suivis"},
     {REPORT_IMPACT_TERRITOIRE, "suivis"},
     {REPORT_IMPACT_QPV, "suivis"},
     {REPORT_IMPACT_MOTIF, "suivis"},
     {REPORT_N, NULL}},
};

/* An equality: cells[0] is the total, equal to the sum of the others (a link between two
 * cells that hold the same count is a total of one part). Cells are indexes into the masks. */
typedef struct {
	size_t *cells;
	size_t n;
} equality;

typedef struct {
	report *r;
	size_t rows;    /* rows that are shown: the structures, and the total when there is one */
	size_t *offset; /* first cell of each indicator */
	size_t n_cells;
	double *value;       /* of each cell */
	unsigned char *kind; /* of each cell: REPORT_SHOWN, REPORT_SMALL, REPORT_COMPLEMENT */
	equality *eq;
	size_t n_eq;
	size_t **eq_of; /* for each cell, the equalities it is in, (size_t)-1 ended */
} masker;

static size_t cell_id(const masker *m, int ind, size_t row, size_t cat)
{
	return m->offset[ind] + row * m->r->ind[ind].n_cats + cat;
}

static bool counted(const report_indicator *ind, size_t cat)
{
	return ind->available && cat < ind->n_cats && ind->cats[cat].kind == REPORT_COUNT;
}

static long cat_of(const report_indicator *ind, const char *code)
{
	for (size_t k = 0; k < ind->n_cats; k++)
		if (strcmp(ind->cats[k].code, code) == 0)
			return (long)k;
	return -1;
}

static void eq_add(masker *m, const size_t *cells, size_t n)
{
	if (n < 2)
		return;
	m->eq = xrealloc(m->eq, (m->n_eq + 1) * sizeof *m->eq);
	m->eq[m->n_eq].cells = xmalloc(n * sizeof *cells);
	memcpy(m->eq[m->n_eq].cells, cells, n * sizeof *cells);
	m->eq[m->n_eq].n = n;
	m->n_eq++;
}

/* Whether the data of a row are shown at all (a structure without data has none). */
static bool row_shown(const report *r, size_t row)
{
	return !report_no_data(r, row);
}

static void build_equalities(masker *m)
{
	report *r = m->r;
	size_t *cells = xmalloc((r->n_structures + 2) * sizeof *cells);
	for (int i = 0; i < REPORT_N; i++) {
		report_indicator *ind = &r->ind[i];
		if (!ind->available)
			continue;
		for (size_t row = 0; row < m->rows; row++) {
			if (!row_shown(r, row))
				continue;
			/* Each total and its parts. */
			for (size_t t = 0; t < ind->n_cats; t++) {
				size_t *parts = xmalloc((ind->n_cats + 1) * sizeof *parts);
				size_t n = 0;
				parts[n++] = cell_id(m, i, row, t);
				for (size_t k = 0; k < ind->n_cats; k++)
					if (counted(ind, k) && ind->cats[k].part_of == (int)t)
						parts[n++] = cell_id(m, i, row, k);
				if (n > 1 && counted(ind, t))
					eq_add(m, parts, n);
				free(parts);
			}
		}
		/* Each category: the total row and the structures it counts. */
		if (m->rows <= r->n_structures || !row_shown(r, r->n_structures))
			continue;
		for (size_t k = 0; k < ind->n_cats; k++) {
			if (!counted(ind, k))
				continue;
			size_t n = 0;
			cells[n++] = cell_id(m, i, r->n_structures, k);
			for (size_t row = 0; row < r->n_structures; row++)
				if (r->sources[row].in_total)
					cells[n++] = cell_id(m, i, row, k);
			eq_add(m, cells, n);
		}
	}
	/* The same count under several indicators. */
	for (size_t g = 0; g < sizeof same_count / sizeof *same_count; g++) {
		for (size_t row = 0; row < m->rows; row++) {
			if (!row_shown(r, row))
				continue;
			long first = -1;
			for (size_t j = 0; same_count[g][j].code; j++) {
				const report_indicator *ind = &r->ind[same_count[g][j].id];
				long k = cat_of(ind, same_count[g][j].code);
				if (k < 0 || !counted(ind, (size_t)k))
					continue;
				size_t c = cell_id(m, same_count[g][j].id, row, (size_t)k);
				if (first < 0) {
					first = (long)c;
					continue;
				}
				size_t pair[2] = {(size_t)first, c};
				eq_add(m, pair, 2);
			}
		}
	}
	free(cells);
	/* For each cell, its equalities. */
	size_t *count = xcalloc(m->n_cells, sizeof *count);
	for (size_t e = 0; e < m->n_eq; e++)
		for (size_t j = 0; j < m->eq[e].n; j++)
			count[m->eq[e].cells[j]]++;
	m->eq_of = xcalloc(m->n_cells, sizeof *m->eq_of);
	for (size_t c = 0; c < m->n_cells; c++) {
		m->eq_of[c] = xmalloc((count[c] + 1) * sizeof **m->eq_of);
		m->eq_of[c][count[c]] = (size_t)-1;
		count[c] = 0;
	}
	for (size_t e = 0; e < m->n_eq; e++)
		for (size_t j = 0; j < m->eq[e].n; j++) {
			size_t c = m->eq[e].cells[j];
			m->eq_of[c][count[c]++] = e;
		}
	free(count);
}

/* The cell of equality e to mask so that it no longer has a single masked cell: the smallest
 * count above zero among the parts, else the total, else any shown cell; (size_t)-1 if every
 * cell is masked. */
static size_t complement_of(const masker *m, const equality *e)
{
	size_t best = (size_t)-1;
	for (size_t j = 1; j < e->n; j++) {
		size_t c = e->cells[j];
		if (!m->kind[c] && m->value[c] > 0 && (best == (size_t)-1 || m->value[c] < m->value[best]))
			best = c;
	}
	if (best == (size_t)-1 && !m->kind[e->cells[0]])
		best = e->cells[0];
	for (size_t j = 1; best == (size_t)-1 && j < e->n; j++)
		if (!m->kind[e->cells[j]])
			best = e->cells[j];
	return best;
}

/* Step (1): no equality keeps exactly one masked cell. */
static void no_lone_mask(masker *m)
{
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < m->n_eq; i++) {
			const equality *e = &m->eq[i];
			size_t masked = 0;
			for (size_t j = 0; j < e->n; j++)
				masked += m->kind[e->cells[j]] != REPORT_SHOWN;
			if (masked != 1)
				continue;
			size_t c = complement_of(m, e);
			if (c != (size_t)-1) {
				m->kind[c] = REPORT_COMPLEMENT;
				changed = true;
			}
		}
	}
}

/* Whether equality e pins one of its masked cells to a single value by bounds alone: the rule
 * being public, a small count lies in [1, mask_max] and another masked cell in [0, ∞); with the
 * cells shown, the equality bounds each masked cell by the others' bounds (two small counts
 * that add up to 2, or to 2 × mask_max, are both known). */
static bool pinned(const masker *m, const equality *e)
{
	double known = 0, lo_sum = 0, hi_sum = 0; /* Σ a x of the shown cells; bounds of the masked */
	bool hi_inf = false, lo_inf = false;
	for (size_t j = 0; j < e->n; j++) {
		size_t c = e->cells[j];
		double a = j == 0 ? 1 : -1;
		if (!m->kind[c]) {
			known += a * m->value[c];
			continue;
		}
		double lo = m->kind[c] == REPORT_SMALL ? 1 : 0, hi = m->r->mask_max;
		bool inf = m->kind[c] != REPORT_SMALL;
		if (a > 0) {
			lo_sum += lo;
			hi_sum += hi;
			hi_inf |= inf;
		} else {
			lo_sum -= hi;
			hi_sum -= lo;
			lo_inf |= inf;
		}
	}
	/* Σ a x over the masked cells is -known. For cell i: a_i x_i = -known - (the others). */
	for (size_t j = 0; j < e->n; j++) {
		size_t c = e->cells[j];
		if (m->kind[c] != REPORT_SMALL)
			continue; /* an unbounded cell is never pinned by one equality */
		double a = j == 0 ? 1 : -1, lo = 1, hi = m->r->mask_max;
		/* The others' bounds: the whole less this cell. */
		double o_lo = lo_sum - (a > 0 ? lo : -hi), o_hi = hi_sum - (a > 0 ? hi : -lo);
		double x_lo, x_hi;
		bool lo_free, hi_free;
		if (a > 0) { /* x = -known - others */
			x_lo = -known - o_hi;
			x_hi = -known - o_lo;
			lo_free = hi_inf;
			hi_free = lo_inf;
		} else { /* x = known + others */
			x_lo = known + o_lo;
			x_hi = known + o_hi;
			lo_free = lo_inf;
			hi_free = hi_inf;
		}
		if (!lo_free && x_lo > lo)
			lo = x_lo;
		if (!hi_free && x_hi < hi)
			hi = x_hi;
		if (hi - lo < 0.5)
			return true;
	}
	return false;
}

/* When every cell of a pinned equality is masked already: the small count that no longer says
 * it is small (shown as masked in complement, whose value may be anything): its total when it
 * is one, else its largest. There is one, or the equality would not pin anything. */
static size_t unmark_small(const masker *m, const equality *e)
{
	size_t best = e->cells[0];
	for (size_t j = 1; m->kind[best] != REPORT_SMALL && j < e->n; j++)
		best = e->cells[j];
	for (size_t j = 1; m->kind[e->cells[0]] != REPORT_SMALL && j < e->n; j++) {
		size_t c = e->cells[j];
		if (m->kind[c] == REPORT_SMALL && m->value[c] > m->value[best])
			best = c;
	}
	return best;
}

/* ------------------------------------------------------------ step (2): solving */

/* A sparse row of the reduced system: columns (masked cells) ascending, with coefficients. */
typedef struct {
	size_t *col;
	double *v;
	size_t n;
} srow;

static void srow_free(srow *a)
{
	free(a->col);
	free(a->v);
	a->col = NULL;
	a->v = NULL;
	a->n = 0;
}

static double srow_get(const srow *a, size_t col)
{
	size_t lo = 0, hi = a->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->col[mid] < col)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->n && a->col[lo] == col ? a->v[lo] : 0;
}

/* a -= f × b, dropping what becomes zero. */
static void srow_sub(srow *a, double f, const srow *b)
{
	size_t n = 0, cap = a->n + b->n;
	size_t *col = xmalloc((cap ? cap : 1) * sizeof *col);
	double *v = xmalloc((cap ? cap : 1) * sizeof *v);
	size_t i = 0, j = 0;
	while (i < a->n || j < b->n) {
		size_t c;
		double x;
		if (j >= b->n || (i < a->n && a->col[i] < b->col[j])) {
			c = a->col[i];
			x = a->v[i++];
		} else if (i >= a->n || b->col[j] < a->col[i]) {
			c = b->col[j];
			x = -f * b->v[j++];
		} else {
			c = a->col[i];
			x = a->v[i++] - f * b->v[j++];
		}
		if (fabs(x) > 1e-9) {
			col[n] = c;
			v[n++] = x;
		}
	}
	srow_free(a);
	a->col = col;
	a->v = v;
	a->n = n;
}

/* The masked cells that the equalities determine, as a flag per cell (caller frees); *any
 * says whether there is one. Gauss-Jordan: every row of the basis keeps its pivot alone among
 * the pivots, so a cell is determined when its pivot row has no other column. */
static bool *determined(const masker *m, bool *any)
{
	srow *basis = xcalloc(m->n_cells, sizeof *basis); /* by pivot column */
	bool *has = xcalloc(m->n_cells, sizeof *has);
	size_t *pivots = xmalloc((m->n_eq + 1) * sizeof *pivots);
	size_t n_piv = 0;
	for (size_t e = 0; e < m->n_eq; e++) {
		const equality *q = &m->eq[e];
		srow a = {xmalloc(q->n * sizeof(size_t)), xmalloc(q->n * sizeof(double)), 0};
		/* The masked cells of the equality, ascending: total +1, parts -1. */
		for (size_t j = 0; j < q->n; j++) {
			size_t c = q->cells[j];
			if (m->kind[c] == REPORT_SHOWN)
				continue;
			size_t at = a.n++;
			while (at > 0 && a.col[at - 1] > c) {
				a.col[at] = a.col[at - 1];
				a.v[at] = a.v[at - 1];
				at--;
			}
			a.col[at] = c;
			a.v[at] = j == 0 ? 1 : -1;
		}
		/* Reduce by the basis: the pivots it holds, one at a time. */
		for (size_t k = 0; k < a.n;) {
			if (has[a.col[k]]) {
				srow_sub(&a, a.v[k], &basis[a.col[k]]);
				k = 0;
			} else {
				k++;
			}
		}
		if (!a.n) {
			srow_free(&a);
			continue;
		}
		size_t p = a.col[0];
		double f = a.v[0];
		for (size_t k = 0; k < a.n; k++)
			a.v[k] /= f;
		/* Keep the basis reduced: the new pivot leaves every other row. */
		for (size_t i = 0; i < n_piv; i++) {
			double g = srow_get(&basis[pivots[i]], p);
			if (g != 0)
				srow_sub(&basis[pivots[i]], g, &a);
		}
		basis[p] = a;
		has[p] = true;
		pivots[n_piv++] = p;
	}
	bool *det = xcalloc(m->n_cells, sizeof *det);
	*any = false;
	for (size_t i = 0; i < n_piv; i++) {
		size_t p = pivots[i];
		if (basis[p].n == 1) {
			det[p] = true;
			*any = true;
		}
		srow_free(&basis[p]);
	}
	free(basis);
	free(has);
	free(pivots);
	return det;
}

/* Step (2)'s answer to a determined cell: mask the smallest shown count above zero of one of
 * its equalities (any shown cell when they are all zero). Returns whether one was masked. */
static bool widen(masker *m, size_t c)
{
	size_t best = (size_t)-1;
	for (const size_t *e = m->eq_of[c]; *e != (size_t)-1; e++) {
		const equality *q = &m->eq[*e];
		for (size_t j = 0; j < q->n; j++) {
			size_t x = q->cells[j];
			if (m->kind[x])
				continue;
			if (best == (size_t)-1 ||
			    (m->value[x] > 0 && (m->value[best] == 0 || m->value[x] < m->value[best])))
				best = x;
		}
	}
	if (best == (size_t)-1)
		return false;
	m->kind[best] = REPORT_COMPLEMENT;
	return true;
}

void report_mask_apply(report *r)
{
	masker m = {.r = r, .rows = report_rows(r)};
	m.offset = xcalloc(REPORT_N + 1, sizeof *m.offset);
	for (int i = 0; i < REPORT_N; i++) {
		m.offset[i] = m.n_cells;
		m.n_cells += m.rows * r->ind[i].n_cats;
	}
	m.value = xcalloc(m.n_cells ? m.n_cells : 1, sizeof *m.value);
	m.kind = xcalloc(m.n_cells ? m.n_cells : 1, sizeof *m.kind);
	for (int i = 0; i < REPORT_N; i++) {
		const report_indicator *ind = &r->ind[i];
		for (size_t row = 0; row < m.rows; row++)
			for (size_t k = 0; k < ind->n_cats; k++) {
				size_t c = cell_id(&m, i, row, k);
				m.value[c] = ind->values[row * ind->n_cats + k];
				if (r->mask_max >= 1 && counted(ind, k) && row_shown(r, row) &&
				    m.value[c] >= 1 && m.value[c] <= r->mask_max)
					m.kind[c] = REPORT_SMALL;
			}
	}
	if (r->mask_max >= 1) {
		build_equalities(&m);
		for (;;) {
			no_lone_mask(&m);
			bool widened = false;
			for (size_t e = 0; e < m.n_eq; e++) {
				if (!pinned(&m, &m.eq[e]))
					continue;
				size_t c = complement_of(&m, &m.eq[e]);
				if (c == (size_t)-1)
					c = unmark_small(&m, &m.eq[e]);
				m.kind[c] = REPORT_COMPLEMENT;
				widened = true;
			}
			if (widened)
				continue;
			bool any = false;
			bool *det = determined(&m, &any);
			for (size_t c = 0; any && c < m.n_cells; c++)
				if (det[c] && widen(&m, c))
					widened = true;
			free(det);
			if (!widened)
				break;
		}
	}
	for (int i = 0; i < REPORT_N; i++) {
		report_indicator *ind = &r->ind[i];
		free(ind->mask);
		ind->mask = xcalloc(m.rows * ind->n_cats + 1, 1);
		memcpy(ind->mask, m.kind + m.offset[i], m.rows * ind->n_cats);
	}
	for (size_t e = 0; e < m.n_eq; e++)
		free(m.eq[e].cells);
	for (size_t c = 0; m.eq_of && c < m.n_cells; c++)
		free(m.eq_of[c]);
	free(m.eq_of);
	free(m.eq);
	free(m.kind);
	free(m.value);
	free(m.offset);
}
