/* record.h — one entry's values in memory: parsing typed input, skip logic, calculated fields,
 * hard rules and soft warnings. The command line, the screens and the store share it, so that
 * a value is judged the same way wherever it is typed. */
#ifndef RECUEIL_RECORD_H
#define RECUEIL_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/form.h"

typedef struct {
	char *text;           /* canonical text ("2", "F", "2026-01-05", "a b"), NULL when empty */
	missing_code missing; /* a typed missing code instead of a value */
	value v;              /* typed value; v.str borrows text */
	bool visible;         /* show_if holds (always true without show_if) */
	bool undecided;       /* show_if reads a missing answer: not asked, and not skipped either */
} fvalue;

typedef struct record record;
struct record {
	const formset *fs;
	const form *f;
	fvalue *vals;          /* one per field of f */
	long date;             /* the entry's date (day number) */
	long today;            /* for today() */
	const record *patient; /* the patient's own record, for patient.<field>; may be NULL */
	bool owns_patient;     /* record_free frees patient too */
};

/* A new record with every field empty (defaults are not applied: see record_apply_defaults).
 * Caller frees with record_free. */
record *record_new(const formset *fs, const form *f, long date);
void record_free(record *r);
void record_apply_defaults(record *r);

/* Parse text as the value of field idx and store it (canonical form). NULL or "" clears the
 * field; ".refus", ".nsp", ".non_demande" set a missing code if the field allows it. Checks the
 * type, choices, hard limits and pattern, not expressions (see record_check). On failure the
 * field is unchanged and *why names the field and the rule (caller frees). */
bool record_set(record *r, size_t idx, const char *text, char **why);

/* Store a value read back from the database (already canonical); no checks. */
void record_set_raw(record *r, size_t idx, const char *text, missing_code missing);

/* Recompute visibility and calculated fields from the current inputs. */
void record_compute(record *r);

/* Re-evaluate the show_if of one field only (cheaper than record_compute while filling a form
 * in order); returns its visibility. Calculated values are those of the last record_compute. */
bool record_field_visible(record *r, size_t idx);

/* True when the value of field idx satisfies its constraint and soft constraint (a constraint
 * that cannot be evaluated yet counts as satisfied). */
bool record_field_valid(const record *r, size_t idx);

/* The value of field idx as expressions see it. Hidden: its skipped_value when its show_if is
 * false (AUDIT q1 "Jamais": items 2 to 8 count 0), missing when the show_if cannot be decided
 * (q1 answered ".nsp": nobody knows what items 2 to 8 would have been). */
value record_value(const record *r, size_t idx);

typedef enum { ISSUE_ERROR, ISSUE_WARNING, ISSUE_REQUIRED } issue_kind;

typedef struct {
	size_t field;
	issue_kind kind;
	char *message; /* French, names the field and the rule */
} issue;

/* Check every visible field after record_compute: constraints (errors), soft constraints
 * (warnings that need a confirmation reason) and required fields left empty. Returns the
 * number of issues; *out (caller frees with issues_free) lists them in field order. */
size_t record_check(const record *r, issue **out);
void issues_free(issue *v, size_t n);

/* Why the entry date of a repeated form cannot be: before 1900, or in a year before the
 * patient's year of birth ("date de l'entrée : 1899-01-01 est avant 1900"). NULL when it can
 * (or when the form has no entry date). Caller frees. */
char *record_date_problem(const record *r);

/* True when alert rule k of the form holds for this record (after record_compute). */
bool record_alert_active(const record *r, size_t k);

/* Expand a summary template ("AUDIT {total} — {classe_fr:label}") for this record.
 * Caller frees. Empty values print as "?". */
char *record_summary(const record *r, const char *lang);
/* record_summary with the values of identity fields (identifier: true) shown as "…", for the
 * people who may not see them. Caller frees. */
char *record_summary_masked(const record *r, const char *lang);
/* record_summary, identity values masked when mask is set, and the numbers with a decimal comma
 * when comma is (what a person reads in French; files keep the point). Caller frees. */
char *record_summary_as(const record *r, const char *lang, bool mask, bool comma);
/* True when the summary template has values to show and none of them is there yet (an AUDIT
 * whose total and class are still unknown reads "AUDIT ? — ?"). */
bool record_summary_blank(const record *r);

/* Canonical text of a value for storage and display (NULL for missing); caller frees. */
char *value_to_text(value v, int decimals);

#endif
