/* report_internal.h — what the two halves of the report model share (src/export/ only): the
 * activity indicators of report.c and the impact page of report_impact.c fill report_indicator
 * the same way, from the same store queries (store/report_data.h). */
#ifndef RECUEIL_REPORT_INTERNAL_H
#define RECUEIL_REPORT_INTERNAL_H

#include "export/report.h"
#include "store/report_data.h"

/* The computation in progress: the database (inside its read snapshot), the forms, the report
 * being filled, the period as YYYY-MM-DD, and where a reading failure's message goes. */
typedef struct {
	store *s;
	const formset *fs;
	report *r;
	char first[11], last[11];
	char **why;
} rep_ctx;

/* How an indicator is computed: its CSV id, French title, and the function that adds its
 * categories and runs its queries (returns 0, or a sysexits code with *c->why set). The
 * definition (French, for the page) is NULL for the activity indicators. */
typedef struct {
	const char *id, *title, *definition;
	int (*fn)(rep_ctx *c, report_indicator *ind);
} rep_def;

/* The impact page's indicators (report_impact.c), for id from REPORT_IMPACT_FIRST. */
const rep_def *rep_impact_def(enum report_id id);

/* Append a category to ind (code and label copied); returns its index. */
int rep_cat_add(report_indicator *ind, const char *code, const char *label, report_kind kind, int base,
                int num);
/* A count category (rep_cat_add with REPORT_COUNT, base as given, no numerator). */
int rep_count_add(report_indicator *ind, const char *code, const char *label, int base);
/* Categories first .. last - 1 add up to category total (their part_of, for the small-count
 * rule). */
void rep_parts_of(report_indicator *ind, size_t first, size_t last, int total);
/* One count per choice of fd, in the form's order, each with base; fd becomes ind->coded_by. */
void rep_cats_from_choices(report_indicator *ind, const field *fd, int base);
/* Mark ind not available with a French reason (the first one is kept); returns false. */
bool rep_unavailable(report_indicator *ind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The field form_id.field_id (borrowed), or NULL with ind marked not available. */
const field *rep_need_field(rep_ctx *c, report_indicator *ind, const char *form_id, const char *field_id);
/* Whether fd (NULL: false) has every code of the NULL-terminated list; else ind is marked. */
bool rep_need_codes(report_indicator *ind, const field *fd, ...);
/* A threshold of reporting.yaml into *out, or false with ind marked not available. */
bool rep_need_threshold(rep_ctx *c, report_indicator *ind, const char *id, double *out);
/* Whether contact.statut has 'realise' (what "followed" needs); else ind is marked. */
bool rep_need_suivis(rep_ctx *c, report_indicator *ind);

/* The n_cats values of a row (row n_structures: the total). */
double *rep_cell(const report_indicator *ind, size_t row);
/* Add v to category cat of a structure's row (the total row is summed from the structures it
 * counts once every indicator is filled, but for VALUE categories: their indicator sets it). */
void rep_add(report *r, report_indicator *ind, size_t row, size_t cat, double v);
/* Allocate ind's values once its categories are known (before its first query). */
void rep_values_alloc(const report *r, report_indicator *ind);
/* The row of a structure code, -1 when it is none of the report's. */
long rep_structure_row(const report *r, const char *code);

/* What the rows of one query add to (the ctx of add_row). */
typedef struct {
	report *r;
	report_indicator *ind;
	int total;  /* rep_run_long: the category every row adds to as well, -1 for none */
	void *data; /* the caller's, for its own add_row */
} rep_sink;
/* Run query q (period of c, other parameters from a, which may be NULL) calling add_row with
 * each row and a rep_sink {c->r, ind, total, data}; a query the database cannot answer marks
 * ind not available and returns 0. Returns 0, or a sysexits code with *c->why set. */
int rep_run(rep_ctx *c, report_indicator *ind, enum store_report_query q, const store_report_args *a,
            void (*add_row)(void *sink, const store_report_row *row), int total, void *data);
/* An add_row for rows with a code: the value adds to the category of that code (codes that are
 * no category are dropped), and to category total when it is >= 0. */
void rep_add_long(void *sink, const store_report_row *row);
/* Rows without a code: value i adds to category i. */
int rep_run_wide(rep_ctx *c, report_indicator *ind, enum store_report_query q, const store_report_args *a);
/* Rows with a code: the value adds to the category of that code, and to category total. */
int rep_run_long(rep_ctx *c, report_indicator *ind, int total, enum store_report_query q);

/* Text: one indicator of row as the activity report prints it (title, then its lines). */
void rep_text_indicator(const report *r, FILE *out, const report_indicator *ind, size_t row, bool mask);
/* Text: "TITLE — période P (du … au …)", the small-count line, then for each row its heading
 * (at a regional database, where its figures come from), the indicators from first to end - 1,
 * each after a blank line but joined (which follows the one before it directly; -1 for none),
 * and the indicators of the structure's forms that belong to page; then the masking rule and
 * the definitions of those indicators. */
void rep_text_page(const report *r, FILE *out, bool mask, const char *title, unsigned page, int first,
                   int end, int joined);

/* The definition of the team meetings' indicators of the impact page, as the definitions
 * section gives it. */
extern const char rep_meetings_definition[];
/* Append the definitions (conventions, small-count rule, then indicators first to end - 1) as
 * text wrapped at 80 columns. */
void rep_definitions_text(strbuf *o, const reporting *rep, int first, int end);

#endif
