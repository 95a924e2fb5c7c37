/* test_report_mask.c — the small-count rule holds: on demo data (recueil demo, a database
 * made by the test fixture), for several periods and with one, three and six structures, no
 * masked count of any indicator can be recomputed from what the masked report shows.
 *
 * The check knows only what a reader of the report knows: the cells shown, which ones are
 * masked, the public rule (a count masked as small is between 1 and small_count_mask), and the
 * sums the report states: each category adds into its total (part_of), the total row is the sum
 * of the structures it counts, and some counts are given twice (the patients followed under
 * four indicators, the contacts done under three, the patients assessed by the AUDIT under two,
 * as the definitions say). It solves these equalities by brute force (dense Gaussian elimination
 * over every masked cell): no masked cell may be determined; and no equality may bound a small
 * count to a single value (a count masked as small lies in [1, 4], one masked in complement may
 * be anything). It also checks that every count from 1 to 4 is masked, that nothing
 * shown differs from the unmasked report, and that a mean or share over a masked count is masked.
 *
 * RECUEIL_TEST_DEMO_DB names the database (CTest's fixture fills it with `recueil demo`);
 * without it the test cannot run and exits 77. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/form.h"
#include "core/util.h"
#include "export/period.h"
#include "export/report.h"
#include "harness.h"

/* Every COUNT cell of the shown rows, numbered. */
typedef struct {
	const report *r;
	size_t rows;
	size_t offset[REPORT_N];
	size_t n;
} cells;

static bool is_count(const report_indicator *ind, size_t k)
{
	return ind->available && ind->cats[k].kind == REPORT_COUNT;
}

static size_t id_of(const cells *c, int i, size_t row, size_t k)
{
	return c->offset[i] + row * c->r->ind[i].n_cats + k;
}

/* The equalities a reader knows, as rows of coefficients over all cells (+1 total, -1 part). */
typedef struct {
	double *a; /* n_eq × n */
	size_t n_eq, cap;
} eqs;

static double *new_eq(eqs *s, size_t n)
{
	if (s->n_eq == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->a = xrealloc(s->a, s->cap * n * sizeof *s->a);
	}
	double *row = s->a + s->n_eq++ * n;
	memset(row, 0, n * sizeof *row);
	return row;
}

static long find_cat(const report_indicator *ind, const char *code)
{
	for (size_t k = 0; ind->available && k < ind->n_cats; k++)
		if (strcmp(ind->cats[k].code, code) == 0)
			return (long)k;
	return -1;
}

static void build(const cells *c, eqs *s)
{
	const report *r = c->r;
	for (int i = 0; i < REPORT_N; i++) {
		const report_indicator *ind = &r->ind[i];
		if (!ind->available)
			continue;
		for (size_t row = 0; row < c->rows; row++) {
			if (report_no_data(r, row))
				continue;
			for (size_t t = 0; t < ind->n_cats; t++) {
				bool any = false;
				for (size_t k = 0; k < ind->n_cats; k++)
					any |= ind->cats[k].part_of == (int)t;
				if (!any)
					continue;
				double *e = new_eq(s, c->n);
				e[id_of(c, i, row, t)] = 1;
				for (size_t k = 0; k < ind->n_cats; k++)
					if (ind->cats[k].part_of == (int)t)
						e[id_of(c, i, row, k)] = -1;
			}
		}
		if (c->rows > r->n_structures && !report_no_data(r, r->n_structures))
			for (size_t k = 0; k < ind->n_cats; k++) {
				if (!is_count(ind, k))
					continue;
				double *e = new_eq(s, c->n);
				e[id_of(c, i, r->n_structures, k)] = 1;
				for (size_t row = 0; row < r->n_structures; row++)
					if (r->sources[row].in_total)
						e[id_of(c, i, row, k)] = -1;
			}
	}
	static const struct {
		enum report_id id;
		const char *code; /* NULL ends a group */
	} twice[][5] = {
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
	};
	for (size_t g = 0; g < sizeof twice / sizeof *twice; g++)
		for (size_t row = 0; row < c->rows; row++) {
			if (report_no_data(r, row))
				continue;
			long k0 = find_cat(&r->ind[twice[g][0].id], twice[g][0].code);
			for (size_t j = 1; k0 >= 0 && twice[g][j].code; j++) {
				long k = find_cat(&r->ind[twice[g][j].id], twice[g][j].code);
				if (k < 0)
					continue;
				double *e = new_eq(s, c->n);
				e[id_of(c, twice[g][0].id, row, (size_t)k0)] += 1;
				e[id_of(c, twice[g][j].id, row, (size_t)k)] -= 1;
			}
		}
}

/* Whether masked cell x is determined by the equalities, the shown cells being known: e_x lies
 * in the row space of the eqs restricted to the masked cells. Dense elimination. */
static size_t determined(const cells *c, const eqs *s, const bool *masked, bool *det)
{
	size_t nm = 0;
	size_t *col_of = xcalloc(c->n, sizeof *col_of), *cell_of = xcalloc(c->n + 1, sizeof *cell_of);
	for (size_t x = 0; x < c->n; x++)
		if (masked[x]) {
			col_of[x] = nm;
			cell_of[nm++] = x;
		}
	double *m = xcalloc((s->n_eq + 1) * (nm + 1), sizeof *m);
	for (size_t e = 0; e < s->n_eq; e++)
		for (size_t x = 0; x < c->n; x++)
			if (masked[x])
				m[e * nm + col_of[x]] = s->a[e * c->n + x];
	/* Reduced row echelon form. */
	size_t rank = 0;
	size_t *pivot_col = xcalloc(s->n_eq + 1, sizeof *pivot_col);
	for (size_t col = 0; col < nm && rank < s->n_eq; col++) {
		size_t best = rank;
		for (size_t e = rank; e < s->n_eq; e++)
			if (fabs(m[e * nm + col]) > fabs(m[best * nm + col]))
				best = e;
		if (fabs(m[best * nm + col]) < 1e-9)
			continue;
		for (size_t j = 0; j < nm; j++) {
			double t = m[best * nm + j];
			m[best * nm + j] = m[rank * nm + j];
			m[rank * nm + j] = t;
		}
		double f = m[rank * nm + col];
		for (size_t j = 0; j < nm; j++)
			m[rank * nm + j] /= f;
		for (size_t e = 0; e < s->n_eq; e++) {
			double g = m[e * nm + col];
			if (e == rank || fabs(g) < 1e-12)
				continue;
			for (size_t j = 0; j < nm; j++)
				m[e * nm + j] -= g * m[rank * nm + j];
		}
		pivot_col[rank++] = col;
	}
	size_t found = 0;
	for (size_t e = 0; e < rank; e++) {
		size_t nz = 0;
		for (size_t j = 0; j < nm; j++)
			nz += fabs(m[e * nm + j]) > 1e-9;
		if (nz == 1) {
			det[cell_of[pivot_col[e]]] = true;
			found++;
		}
	}
	free(m);
	free(pivot_col);
	free(col_of);
	free(cell_of);
	return found;
}

/* Whether one equality alone bounds a small count to one value (small counts in [1, max],
 * other masked cells in [0, ∞)). */
static bool pinned(const cells *c, const double *e, const bool *masked, const bool *small, const double *val,
                   int max)
{
	for (size_t x = 0; x < c->n; x++) {
		if (!e[x] || !small[x])
			continue;
		/* e·v = 0: e_x v_x = -(Σ shown) - Σ other masked. */
		double rest = 0, lo = 0, hi = 0;
		bool lo_inf = false, hi_inf = false;
		for (size_t y = 0; y < c->n; y++) {
			if (!e[y] || y == x)
				continue;
			if (!masked[y]) {
				rest += e[y] * val[y];
				continue;
			}
			double ylo = small[y] ? 1 : 0, yhi = small[y] ? max : INFINITY;
			if (e[y] > 0) {
				lo += ylo;
				hi += yhi;
				hi_inf |= isinf(yhi);
			} else {
				lo -= yhi;
				hi -= ylo;
				lo_inf |= isinf(yhi);
			}
		}
		double xlo = 1, xhi = max;
		if (e[x] > 0) {
			if (!hi_inf && -rest - hi > xlo)
				xlo = -rest - hi;
			if (!lo_inf && -rest - lo < xhi)
				xhi = -rest - lo;
		} else {
			if (!lo_inf && rest + lo > xlo)
				xlo = rest + lo;
			if (!hi_inf && rest + hi < xhi)
				xhi = rest + hi;
		}
		if (xhi - xlo < 0.5)
			return true;
	}
	return false;
}

static void check_report(report *r, const char *what)
{
	cells c = {.r = r, .rows = report_rows(r)};
	for (int i = 0; i < REPORT_N; i++) {
		c.offset[i] = c.n;
		c.n += c.rows * r->ind[i].n_cats;
	}
	bool *masked = xcalloc(c.n, sizeof *masked), *small = xcalloc(c.n, sizeof *small);
	double *val = xcalloc(c.n, sizeof *val);
	size_t n_masked = 0, problems = 0;
	for (int i = 0; i < REPORT_N; i++) {
		const report_indicator *ind = &r->ind[i];
		for (size_t row = 0; row < c.rows; row++)
			for (size_t k = 0; ind->available && k < ind->n_cats; k++) {
				report_cell shown = report_cell_get(r, (enum report_id)i, row, k, true);
				report_cell all = report_cell_get(r, (enum report_id)i, row, k, false);
				size_t x = id_of(&c, i, row, k);
				val[x] = all.value;
				if (shown.has_value && shown.value != all.value)
					problems++; /* what is shown is the unmasked figure */
				if (!is_count(ind, k)) {
					/* A mean or share over a masked count is masked. */
					int base = ind->cats[k].base;
					if (base >= 0 &&
					    report_cell_get(r, (enum report_id)i, row, (size_t)base, true)
					        .masked &&
					    !shown.masked)
						problems++;
					continue;
				}
				if (all.has_value && all.value >= 1 && all.value <= r->mask_max &&
				    !shown.masked)
					problems++; /* every small count is masked */
				if (shown.masked && !shown.complement &&
				    !(all.value >= 1 && all.value <= r->mask_max))
					problems++; /* what says it is small is */
				masked[x] = shown.masked;
				small[x] = shown.masked && !shown.complement;
				n_masked += masked[x];
			}
	}
	if (problems)
		fprintf(stderr, "%s : %zu case(s) mal masquée(s)\n", what, problems);
	CHECK(problems == 0);
	eqs s = {0};
	build(&c, &s);
	bool *det = xcalloc(c.n, sizeof *det);
	size_t found = determined(&c, &s, masked, det);
	for (size_t x = 0; x < c.n && found; x++)
		if (det[x])
			for (int i = 0; i < REPORT_N; i++)
				if (x >= c.offset[i] && x < c.offset[i] + c.rows * r->ind[i].n_cats) {
					size_t at = x - c.offset[i];
					fprintf(stderr, "%s : %s, %s, %s se recalcule (%g)\n", what,
					        report_row_name(r, at / r->ind[i].n_cats), r->ind[i].id,
					        r->ind[i].cats[at % r->ind[i].n_cats].code, val[x]);
				}
	CHECK(found == 0);
	size_t n_pinned = 0;
	for (size_t e = 0; e < s.n_eq; e++)
		n_pinned += pinned(&c, s.a + e * c.n, masked, small, val, r->mask_max);
	if (n_pinned)
		fprintf(stderr, "%s : %zu égalité(s) fixent un petit effectif\n", what, n_pinned);
	CHECK(n_pinned == 0);
	/* The data do have small counts to protect: the check is not empty. */
	CHECK(n_masked > 0);
	free(det);
	free(s.a);
	free(masked);
	free(small);
	free(val);
}

static void check_periods(store *st, const formset *fs, const char *layout)
{
	static const char *const periods[] = {"2025", "2026", "2026-S1", "2026-T2", "2026-T3", "2026-11"};
	for (size_t p = 0; p < sizeof periods / sizeof *periods; p++) {
		period per;
		CHECK(period_parse(periods[p], &per, NULL));
		char *why = NULL;
		int code = 0;
		report *r = report_compute(st, fs, &per, &why, &code);
		CHECK(r != NULL);
		if (!r) {
			fprintf(stderr, "%s\n", why ? why : "?");
			free(why);
			continue;
		}
		char *what = xasprintf("%s, %s", layout, periods[p]);
		check_report(r, what);
		free(what);
		report_free(r);
	}
}

static void split(store *st, int n)
{
	char *sql = n == 1 ? xstrdup("UPDATE patients SET structure = 'DEMO'")
	                   : xasprintf("UPDATE patients SET structure = 'MS' || (id %% %d)", n);
	CHECK(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) == SQLITE_OK);
	free(sql);
}

int main(void)
{
	const char *path = getenv("RECUEIL_TEST_DEMO_DB");
	if (!path || !*path) {
		fprintf(stderr, "RECUEIL_TEST_DEMO_DB absent : pas de base de démonstration\n");
		return 77;
	}
	char *errors = NULL, *why = NULL;
	int code = 0;
	formset *fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	store *st = store_open(path, STORE_OPEN_EXISTING, &why, &code);
	CHECK(fs && st);
	if (fs && st) {
		static const int layouts[] = {1, 3, 6};
		for (size_t i = 0; i < sizeof layouts / sizeof *layouts; i++) {
			split(st, layouts[i]);
			char *what = xasprintf("%d structure(s)", layouts[i]);
			check_periods(st, fs, what);
			free(what);
		}
	} else {
		fprintf(stderr, "%s\n", why ? why : errors ? errors : "?");
	}
	store_close(st);
	formset_free(fs);
	free(errors);
	free(why);
	return harness_report();
}
