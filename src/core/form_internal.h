/* form_internal.h — what the files of the form loader share and nothing else needs: the error
 * sink of one file, the YAML readers and key tables (form_yaml.c), the readers of fields and
 * forms (form_field.c, form_read.c) and of reporting.yaml (reporting_read.c), and the checking
 * of a form's expressions (form_check.c). formset.c drives them. Outside src/core, include
 * core/form.h only.
 *
 * Reading goes in two steps. Each file is read alone into the model (every key, type, choice
 * list and range checked), keeping the YAML nodes that later messages point at; then, once the
 * patient form and the thresholds of the whole set are known, every expression is parsed and
 * type-checked. */
#ifndef RECUEIL_FORM_INTERNAL_H
#define RECUEIL_FORM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/form.h"
#include "core/util.h"
#include "core/ytree.h"

/* FORM_MAX_FIELDS: each field is a column of the form's table (SQLite allows 2000), and a
 * matrix of a few hundred rows and columns must not cost minutes of duplicate checks. */
enum { FORM_MAX_ID_LEN = 48, FORM_MAX_ERRORS_PER_FILE = 20, FORM_MAX_FIELDS = 1000 };

/* ---------------------------------------------------------------- errors of one file */

/* Where the problems of one file go. count counts every problem; only the first
 * FORM_MAX_ERRORS_PER_FILE are written to *errors. */
typedef struct {
	const char *path; /* named in every message; borrowed */
	strbuf *errors;   /* lines "PATH:LINE:COL: message\n" are appended here; borrowed */
	int count;
} load_ctx;

/* Record one problem at line:col (1-based) of c's file; fmt is a printf format. */
void load_error(load_ctx *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record one problem at the position of a YAML node. */
#define YERR(c, node, ...) load_error((c), (node)->line, (node)->col, __VA_ARGS__)

/* ---------------------------------------------------------------- typed values (form_yaml.c) */

/* Each reader checks one YAML node. On success it stores the value in *out (strings are
 * copied: the caller owns them) and returns true; otherwise it records a problem at the node,
 * naming the value `what`, leaves *out alone and returns false. */

bool yread_kind(load_ctx *c, const ynode *n, ynode_kind kind, const char *what); /* n is of kind */
bool yread_id(load_ctx *c, const ynode *n, const char *what, char **out);        /* form_id_valid */
bool yread_string(load_ctx *c, const ynode *n, const char *what, char **out);
bool yread_bool(load_ctx *c, const ynode *n, const char *what, bool *out);     /* true/false, oui/non… */
bool yread_number(load_ctx *c, const ynode *n, const char *what, double *out); /* '.' decimal */
bool yread_int(load_ctx *c, const ynode *n, const char *what, long lo, long hi, int *out);
/* A text: a plain scalar (French), or a mapping {fr: …, en: …} whose fr is required. */
bool yread_i18n(load_ctx *c, const ynode *n, const char *what, i18n *out);
/* An expression's source, not empty; each "{row}" is replaced by row when row is not NULL (a
 * matrix column's expressions name the row's fields). Parsed later, by form_check. */
bool yread_expr(load_ctx *c, const ynode *n, const char *what, const char *row, char **out);

/* True when s is an identifier: a lower-case ASCII letter, then lower-case letters, digits and
 * _, at most FORM_MAX_ID_LEN bytes; upper-case letters too when allow_upper (choice codes). */
bool form_id_valid(const char *s, bool allow_upper);

void i18n_done(i18n *t); /* frees both texts; t may be read again (both NULL) */

/* ---------------------------------------------------------------- key tables (form_yaml.c) */

/* How a key's value is read when ymap_read is asked for it. */
typedef enum {
	YK_OTHER,  /* by the code that reads the mapping (it depends on other keys) */
	YK_STRING, /* char *: yread_string */
	YK_ID,     /* char *: yread_id */
	YK_BOOL,   /* bool: yread_bool */
	YK_NUMBER, /* double: yread_number */
	YK_INT,    /* int: yread_int within [lo, hi] */
	YK_I18N,   /* i18n: yread_i18n */
	YK_EXPR,   /* char *: yread_expr */
} ykey_type;

/* One key a mapping may hold. */
typedef struct {
	const char *name; /* as written in YAML */
	ykey_type type;   /* how ymap_read reads it */
	bool required;    /* ymap_missing reports it when absent */
	size_t at;        /* offset of the value in the object read (typed keys only) */
	const char *what; /* the value's name in messages; NULL: the key's name */
	long lo, hi;      /* YK_INT: the accepted range */
} ykey;

enum { YKEYS_MAX = 32 };

/* The keys of one kind of mapping (a field, a form, an alert…), in the order that messages
 * list them ("clés possibles : …"). At most YKEYS_MAX keys. */
typedef struct {
	const char *where; /* completes "clé inconnue « x » dans …": "un champ" */
	const ykey *keys;
	size_t n;
	const char *needs; /* ymap_open_entry's message when a required key is absent, or NULL */
} ykey_table;

/* The table of a static array of keys (their number counted from the array). */
#define YKEY_TABLE(where, keys, needs)                                                                       \
	{                                                                                                    \
		(where), (keys), sizeof(keys) / sizeof(keys)[0], (needs)                                     \
	}

/* One YAML mapping matched against its table: v[k] is the value of keys[k], NULL when absent. */
typedef struct {
	load_ctx *c;
	const ykey_table *t;
	const ynode *map;
	void *obj;       /* where ymap_read stores typed values (ykey.at); may be NULL if unused */
	const char *row; /* substituted for {row} in YK_EXPR values; NULL when not in a matrix */
	const ynode *v[YKEYS_MAX];
	const ynode *key[YKEYS_MAX]; /* the key nodes, for positions */
} ymap;

/* Match the keys of map (a Y_MAP node) against t, one pass over the mapping. Every key that t
 * does not know is reported ("clé inconnue « x » dans <where> (clés possibles : …)", at the key)
 * and so is a key given twice ("clé « x » en double (déjà ligne N)": ytree refuses those in a
 * file already, a tree built otherwise gets the same message). Returns false when anything was
 * reported; m->v is filled for the known keys either way. obj and row are stored in m. */
bool ymap_open(ymap *m, load_ctx *c, const ynode *map, const ykey_table *t, void *obj, const char *row);

/* Open n, an item of a list, as a mapping of t with every required key: false after reporting
 * that n is not a mapping (naming it kind: "réponse"), a problem of ymap_open, or the absence of
 * a required key (with t->needs, at n). Typed values are read into obj. */
bool ymap_open_entry(ymap *m, load_ctx *c, const ynode *n, const char *kind, const ykey_table *t, void *obj);

/* The index of the first required key (in table order) that the mapping lacks, or -1. Reports
 * nothing: the caller says what the mapping needs. */
int ymap_missing(const ymap *m);

/* Read the value of key k into m->obj at its offset, with the reader of its type. Returns true
 * when the key is absent or read; false when a problem was recorded. k must be a typed key. */
bool ymap_read(ymap *m, int k);

/* The tables, one per kind of mapping (the unit tests go through each of them). */
extern const ykey_table ykeys_i18n, ykeys_form, ykeys_field, ykeys_matrix, ykeys_matrix_row, ykeys_section,
    ykeys_choice, ykeys_alert, ykeys_reporting, ykeys_deadline, ykeys_threshold, ykeys_example, ykeys_access,
    ykeys_retention, ykeys_budget, ykeys_package;

/* ---------------------------------------------------------------- reading a form */

/* Where a field's expressions are written (NULL when absent): form_check points there. */
typedef struct {
	const ynode *expr, *show_if, *constraint, *soft;
} field_src;

/* The nodes of a form file that form_check's messages point at, borrowed from the file's tree
 * (valid while it lives). Freed with form_src_done. */
typedef struct {
	field_src *fields;      /* parallel to form.fields */
	const ynode **alert_if; /* parallel to form.alerts: each rule's if: */
	const ynode *summary;   /* summary:, or NULL */
} form_src;

void form_src_done(form_src *src);

/* A form being read (form_read.c), and its fields (form_field.c). */
typedef struct {
	form *f;
	form_src *src;
	size_t cap; /* room in f->fields and src->fields */
} form_build;

/* Read the field mapping n into a new field of b's form, in its last section. For a matrix
 * column, row is the row's id, id_override the expanded id (row_column) and label_prefix the
 * row's label; otherwise all three are NULL. Returns false after reporting (the field may be
 * half-read: form_free frees it). */
bool form_read_field(load_ctx *c, form_build *b, const ynode *n, const char *row, const char *id_override,
                     const i18n *label_prefix);

/* Read a list of answers [{value: …, label: …}, …] into set (items only, not its name). false
 * after reporting; set holds what was read and is freed with choice_set_done either way. */
bool form_read_choices(load_ctx *c, const ynode *n, const char *what, choice_set *set);

/* A choice set of f by name, or NULL; borrowed. */
const choice_set *form_choice_set(const form *f, const char *name);

void choice_set_done(choice_set *s);
void field_done(field *fd);

/* Read a form file's tree (root, a Y_MAP that has form:). Returns the form (caller frees with
 * form_free) with *src filled, or NULL after reporting every problem found. Expressions are
 * kept as sources: form_check parses them. */
form *form_read(load_ctx *c, const ynode *root, form_src *src);
void form_free(form *f); /* NULL is fine */

/* Read the examples: list of a form whose fields are read (form_examples.c) into f->examples:
 * answers name fields that take an answer, expect names calculated fields, date is a real day.
 * The patient: values are checked when the examples run (the patient form is known then).
 * Returns false after reporting; f keeps what was read either way (form_free frees it). */
bool form_read_examples(load_ctx *c, form *f, const ynode *n);
void form_examples_free(form *f);

/* Read a reporting.yaml tree (root, a Y_MAP that has reporting:). Returns the calendar and
 * thresholds (caller frees with reporting_free; path is left NULL) or NULL after reporting. */
reporting *reporting_read(load_ctx *c, const ynode *root);
void reporting_free(reporting *r); /* NULL is fine */

/* ---------------------------------------------------------------- checking (form_check.c) */

/* Parse and type-check every expression of f against its fields, the patient form (NULL when
 * the set has none) and the thresholds of r (may be NULL): calculated fields first, in
 * dependency order (f->calc_order, cycles refused), then show_if, constraints and alert
 * conditions; then the summary's placeholders. Problems go to c, at the expression's place in
 * the file (src). Returns true when all of them are sound; f keeps the compiled expressions
 * either way (form_free frees them). */
bool form_check(load_ctx *c, form *f, const form_src *src, const form *patient, const reporting *r);

#endif
