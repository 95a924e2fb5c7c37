/* form.h — the validated, in-memory model of the questionnaires of forms/ and of reporting.yaml.
 *
 * A formset is loaded whole or not at all (formset.c): once loaded, every expression is parsed
 * and type-checked, every reference resolved, and matrices are expanded into ordinary fields
 * named row_column. The model is read-only after loading; all its strings are owned by it. */
#ifndef RECUEIL_FORM_H
#define RECUEIL_FORM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/expr.h"
#include "core/util.h"
#include "core/value.h"

/* A text in French (always present) and English (may be NULL). */
typedef struct {
	char *fr, *en;
} i18n;

/* The text for the current language: English when lang is "en" and a translation exists. */
const char *i18n_get(const i18n *t, const char *lang);

typedef enum {
	FT_TEXT,
	FT_INTEGER,
	FT_DECIMAL,
	FT_DATE,
	FT_YESNO,
	FT_CHOICE,
	FT_MULTI,
	FT_CALCULATED,
	FT_NOTE,
} field_type;

const char *field_type_name(field_type t); /* "text", "integer", … as written in YAML */

/* Typed missing codes: an answer that says why there is no value. They satisfy `required` and
 * count as missing in expressions. Written ".refus", ".nsp", ".non_demande" on the command line
 * and in exports. */
typedef enum {
	MISS_NONE = 0,
	MISS_REFUS = 1 << 0,
	MISS_NSP = 1 << 1,
	MISS_NON_DEMANDE = 1 << 2,
	MISS_ALL = MISS_REFUS | MISS_NSP | MISS_NON_DEMANDE,
} missing_code;

const char *missing_code_name(missing_code c);  /* ".refus" … */
const char *missing_code_label(missing_code c); /* "refus de répondre" … */
/* The missing code s names, in any case (".nsp", ".NSP"); MISS_NONE when s is not a code. */
missing_code missing_code_parse(const char *s);

typedef struct {
	char *code; /* as stored: "0", "F", "realise" */
	double num; /* the code as a number when the field's codes are numeric */
	i18n label;
	bool exclusive;     /* exclusive: true: in a multiple choice, never with another answer ("aucune") */
	i18n label_patient; /* the wording shown to the patient (self-assessment), or both NULL */
} choice;

typedef struct {
	char *name;
	choice *items;
	size_t n;
	bool numeric;
} choice_set;

typedef struct field {
	char *id;
	field_type type;
	vtype vtype; /* type of the value in expressions (T_ERROR for notes) */
	i18n label, help;
	i18n label_patient; /* the wording shown to the patient (self-assessment), or both NULL */
	bool required;
	bool has_min, has_max;
	double min, max; /* integer/decimal value, text length in characters, or date day number */
	char *pattern;   /* text: POSIX extended regex the whole value must match */
	regex_t pattern_re;
	char *show_if_src;
	expr *show_if;
	char *constraint_src;
	expr *constraint;
	i18n message;
	char *soft_src; /* soft constraint: when false, the value needs a confirmation reason */
	expr *soft;
	i18n soft_message;
	char *default_value;
	char *unit;
	char *trend;               /* trend: the short name its course is charted under ("AUDIT") */
	bool identifier;           /* stays on this machine: never exported, masked in the audit trail */
	bool exported;             /* export: false keeps it out of exports */
	const choice_set *choices; /* choice and multi; points into form.choice_sets */
	bool ordinal;              /* the choices are ordered (ordinal:, default: numeric codes) */
	char *expr_src;            /* calculated */
	expr *calc;
	int decimals;        /* decimal and calculated numbers: digits kept (-1: as computed) */
	bool has_skip_value; /* skipped_value: the value the field counts for when hidden */
	double skip_value;
	unsigned missing_allowed; /* bitmask of missing_code */
	int section;              /* index in form.sections */
	char *matrix;             /* id of the matrix it was expanded from, or NULL */
	char *matrix_row;         /* row id and column id within the matrix */
	char *matrix_col;
	int line, col; /* where it is defined, 1-based */
} field;

typedef struct {
	i18n title;
	size_t first, count; /* fields[first .. first+count) */
} section;

typedef enum { ALERT_INFO, ALERT_ATTENTION, ALERT_URGENT } alert_level;

typedef struct {
	char *id;
	char *if_src;
	expr *cond;
	alert_level level;
	i18n message;
	int line, col;
} alert_rule;

/* One value written in an example (examples: of a form): a field and its text. */
typedef struct {
	char *field; /* the field's id */
	char *text;  /* as written; a list of codes is joined by spaces; "" expects a missing value */
	int line, col;
} example_value;

/* A worked example of a form: answers (and the patient's own values, the entry's date) with
 * the values its calculated fields must give. form_run_examples runs them. */
typedef struct {
	int line, col; /* where the example begins */
	bool has_date; /* date: given; otherwise the entry is dated today */
	long date;     /* day number */
	example_value *patient, *answers, *expect;
	size_t n_patient, n_answers, n_expect;
} form_example;

typedef enum { CARD_ONCE, CARD_REPEATED } cardinality;

/* Whom a form's entries describe: a patient (the default), or the structure itself (scope:
 * structure, e.g. the team meetings): such an entry has a date and no patient, and its form can
 * neither read patient.<field> nor hold identity fields. */
typedef enum { SCOPE_PATIENT, SCOPE_STRUCTURE } form_scope;

typedef struct form {
	char *id;
	char *path; /* file it was loaded from */
	int version;
	i18n title;
	cardinality cardinality;
	form_scope scope;
	char *summary;   /* template for one-line summaries: "AUDIT {total} — {classe_fr:label}" */
	char *reference; /* where the instrument comes from, free text */
	bool self;       /* self: true, the patient may fill it on the screen (self-assessment) */
	choice_set *choice_sets;
	size_t n_choice_sets;
	section *sections;
	size_t n_sections;
	field *fields;
	size_t n_fields;
	size_t *calc_order; /* indexes of calculated fields, dependencies first */
	size_t n_calc;
	alert_rule *alerts;
	size_t n_alerts;
	form_example *examples;
	size_t n_examples;
} form;

/* A reporting deadline that recurs every year: the period "YYYY-<period>" is due on the date
 * (month-day) of year YYYY + year_offset. */
typedef struct {
	char *period; /* "T1", "S2", "A" (whole year), "M03" */
	int month, day, year_offset;
	i18n label;
} deadline_rule;

typedef struct {
	char *id;
	double value;
	i18n label;
	char *reference;
} threshold;

/* The texts of the patient's access document (recueil patient print), reporting.yaml's access:,
 * so that a structure words them for its own situation. All four are set when present is. */
typedef struct {
	bool present;
	i18n purpose;     /* why the data is collected: care, and the evaluation of the experiment */
	i18n legal_basis; /* the legal basis of each use */
	i18n recipients;  /* who receives what, and in what form */
	i18n rights;      /* how to exercise each right, whom to ask */
} access_texts;

/* How long a patient's data is kept after their last entry, reporting.yaml's retention:. */
typedef struct {
	int years;       /* 0 when reporting.yaml states none */
	char *reference; /* the text that sets the duration (law, convention) */
} retention_rule;

/* A structure's yearly budget (euros), for the cost per patient followed of the impact page;
 * year 0: any year without a budget of its own. */
typedef struct {
	char *structure;
	double yearly;
	int year;
} budget;
/* The yearly package of the experiment (Article 51), reporting.yaml's package:. A patient
 * qualifies in a calendar year with at least `minimum` contacts dated in that year whose statut
 * is one of statuses, by one of the professionals intervenants (codes of contact.statut and
 * contact.intervenant); the structure receives `amount` euros a year for each. */
typedef struct {
	bool present;
	char **statuses, **intervenants; /* codes; n_statuses and n_intervenants of them */
	size_t n_statuses, n_intervenants;
	int minimum;
	double amount;
	char *reference; /* the text that sets the amount (the experiment's specification) */
} package_rule;

typedef struct {
	char *path;
	deadline_rule *deadlines;
	size_t n_deadlines;
	threshold *thresholds;
	size_t n_thresholds;
	int small_count_mask; /* counts from 1 to this are masked in aggregates that leave */
	char **recipients;    /* age public keys ("age1…") the exports are encrypted to by default */
	size_t n_recipients;
	access_texts access;
	retention_rule retention;
	budget *budgets; /* optional: budgets: in reporting.yaml */
	size_t n_budgets;
	package_rule package;
} reporting;

typedef struct {
	form **forms;
	size_t n_forms;
	reporting *reporting; /* NULL when the directory has no reporting.yaml */
	char *dir;
} formset;

/* Slots passed to expressions: same-form fields are their index; patient.<field>, seuil.<id>
 * and entry.date (the entry's own date) live in separate ranges. */
enum { SLOT_PATIENT_BASE = 1 << 20, SLOT_SEUIL_BASE = 2 << 20, SLOT_ENTRY_DATE = 3 << 20 };

/* Load every *.yaml of dir (forms, and reporting.yaml). Returns the set (caller frees with
 * formset_free) or NULL; on failure every problem found is appended to *errors as lines
 * "FILE:LINE:COL: message\n" (caller frees). Nothing is half-loaded. */
formset *formset_load_dir(const char *dir, char **errors);

/* Load a list of files (forms and at most one reporting file) as one set; same contract. The
 * other *.yaml files of context_dir (if not NULL) are loaded too, silently, so that
 * patient.<field> and seuil.<id> resolve when a single form is checked. */
formset *formset_load_files(const char *const *paths, size_t n, const char *context_dir, char **errors);

void formset_free(formset *fs);

/* Mark identifier every calculated field computed, directly or through other calculated fields,
 * from an identifier field of its form or of the patient form (patient.<field>). The loaders
 * call it; call it again after marking more fields identifier. */
void formset_identity_closure(formset *fs);
/* The names of the files of dir that a formset is loaded from (*.yaml, not hidden), sorted by
 * byte value, into *names (n of them; caller frees each and the array). False with *why
 * ("DIR:1:1: dossier de formulaires introuvable") when dir cannot be read. */
bool formset_dir_files(const char *dir, char ***names, size_t *n, char **why);

/* Run the examples of form f (a form of fs): each example's answers are typed as on the command
 * line into a new entry dated as the example says (today() is that date too), with a patient
 * record made of its patient: values, then every expected value is compared with what the entry
 * would store (a hidden field stores nothing; numbers compared as numbers). Each problem is
 * appended to out as "FILE:LINE:COL: exemple N : message\n", at the value concerned:
 * "exemple 2 : epices_score vaut 90.53, attendu 90.52". Returns the number of examples that
 * failed. */
size_t form_run_examples(const formset *fs, const form *f, strbuf *out);

/* What formset_diff found. */
typedef struct {
	size_t changes; /* lines of changes written */
	size_t refused; /* changes the stored data cannot take: a field whose storage type changes */
} forms_diff_counts;

/* Append to out, in French, what changes when the forms old_fs (NULL: none yet) are replaced by
 * new_fs, for the data already stored and for the exports: forms and fields added ("+") or
 * removed ("-", their data kept), type changes that cannot keep the values ("!", counted in
 * n->refused), labels, rules, answers, calculations, alerts ("~"), then the thresholds, calendar
 * and masking of reporting.yaml; "Aucun changement." when nothing differs. */
void formset_diff(const formset *old_fs, const formset *new_fs, strbuf *out, forms_diff_counts *n);

const form *formset_form(const formset *fs, const char *id);   /* NULL if none; borrowed */
const field *form_field(const form *f, const char *id);        /* NULL if none; borrowed */
long form_field_index(const form *f, const char *id);          /* -1 if none */
const choice *field_choice(const field *fd, const char *code); /* NULL if not a code */
/* The wording the patient reads in a self-assessment: label_patient when the form gives one,
 * the label otherwise, in lang as i18n_get. Borrowed from the model. */
const char *field_patient_label(const field *fd, const char *lang);
const char *choice_patient_label(const choice *ch, const char *lang);
/* Whether the patient answers field fd in a self-assessment: a choice or yes/no question (a
 * number key per answer), not an identity field. */
bool field_self_question(const field *fd);
/* How the database stores the field's value: "INTEGER", "REAL" or "TEXT"; NULL for a note,
 * which stores nothing. A field whose storage type changes cannot keep its values. */
const char *field_storage_type(const field *fd);
double reporting_threshold(const reporting *r, const char *id, bool *found);
/* The number of forms of scope: structure in fs, and the first of them in *first (may be NULL;
 * set to NULL when there is none). */
size_t formset_structure_forms(const formset *fs, const form **first);
/* The yearly budget of structure for year (the one given for that year, else the one without a
 * year); *found says whether there is one (r may be NULL). */
double reporting_budget(const reporting *r, const char *structure, int year, bool *found);

/* The first day that a patient's last entry must reach to be kept on day today: the same day
 * of the month retention.years earlier (a 29 February gives the 28th). A patient whose last
 * entry is dated before it has passed the retention period. -1 when r is NULL or states no
 * retention. */
long reporting_retention_cutoff(const reporting *r, long today);

#endif
