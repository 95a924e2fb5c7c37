/* report_data.h — what the activity report is computed from, read from the database: for a
 * period, per structure code, the numbers behind each indicator (patients followed, entries by
 * code, each patient's last score, the HCV cascade…). The store knows the tables and what a row
 * means; src/export/report.c turns the numbers into categories, totals, means, shares and masks.
 *
 * Conventions of every query (P = the period, E = its last day): only entries dated up to E
 * count, and the patient's own record (patient.*) whatever its date: what an export of P, a
 * snapshot at E, holds, so that a region's figures equal the structure's; entries in draft
 * never count, nor do the patients opposed to the evaluation (patients.opposed_on), whom no
 * export holds;
 * a patient's "last" entry is the latest by entry date, then by creation order; a patient
 * counts in the structure of patients.structure; a patient "followed in P" has at least one
 * contact entry dated in P whose statut is 'realise'. Run them inside store_report_begin …
 * store_report_end so that every figure comes from one snapshot (and the patients followed are
 * found once for all the queries that start from them). */
#ifndef RECUEIL_REPORT_DATA_H
#define RECUEIL_REPORT_DATA_H

#include <stddef.h>

#include "store/store.h"

/* HOSPITAL: among the patients followed in P whose record has a date_inclusion, those with
 * both answers of the field: the last recours_hopital entry up to E with moment 'inclusion'
 * and the field answered (before), and the last one with moment 'suivi', the field answered,
 * dated up to E and on or after date_inclusion + 6 months (after). Values: patients compared,
 * sum before, sum after, patients with >= 1 before, with >= 1 after, sum before, sum after, sum
 * of (after - before) (the sums twice: as totals and as the numerators of means).
 *
 * FOLLOW-UP: a patient's record with a date_inclusion; their exit is their last sortie entry
 * dated in P. 'sorti': a patient with an exit, the end being its date; 'suivi': a patient
 * followed in P without one, the end being E. Patients whose end is before their inclusion are
 * left out. A year more is SQLite's date(inclusion, '+N years'). */

/* The queries, each with the shape of its rows: "structure | n1, n2" has no code and two
 * values; "structure, code | n" has a code (a stored value of the field named) and one value.
 * One structure (and code) may come in several rows, whose values add up: the contacts come
 * one by one, a count of 1 each, since summing them costs less than SQLite's sort. */
enum store_report_query {
	STORE_REPORT_FOLLOWED,               /* structure | patients followed in P */
	STORE_REPORT_INCLUDED,               /* structure | patients whose patient.date_inclusion is in P */
	STORE_REPORT_EXITS,                  /* structure, sortie.motif | exit entries dated in P */
	STORE_REPORT_CONTACTS,               /* structure, contact.statut | contact entries dated in P */
	STORE_REPORT_CONTACTS_BY_PROFESSION, /* structure, contact.intervenant | contacts 'realise'
	                                      * dated in P */
	STORE_REPORT_CONTACTS_BY_KIND,       /* structure, contact.type_contact | the same */
	STORE_REPORT_AUDIT_ZONE,  /* structure, audit.zone_oms | patients, by their last AUDIT dated
	                           * in P whose zone is computed (any patient, followed or not) */
	STORE_REPORT_AUDIT_CLASS, /* structure, audit.classe_fr | the same patients (a class left
	                           * missing has a NULL code) */
	STORE_REPORT_EPICES,      /* structure | patients with a score on a precarite entry dated in
	                           * P, the sum of their last such scores, how many of those are >=
	                           * epices_threshold */
	STORE_REPORT_HCV_CASCADE, /* structure | among the patients followed in P, with every HCV
	                           * event dated up to E, nested steps: followed, screened (TROD or
	                           * serology done), antibody positive, RNA tested (result returned),
	                           * RNA positive, treated, cured (rvs12 'guerison') */
	STORE_REPORT_HBV_STATUS,  /* structure, hcv.statut_vhb | patients followed in P, by their
	                           * last HBV status up to E ('inconnu' only when nothing better was
	                           * recorded; 'non_renseigne' when none) */
	STORE_REPORT_HCV_DUE,     /* structure | patients followed in P, active injectors (last
	                           * substances.injecteur_actif up to E is 1), due for an HCV test
	                           * (last test done up to E on or before due_injector for active
	                           * injectors, due_other for the others, or none), of whom active
	                           * injectors, of whom others */
	STORE_REPORT_PHQ9_BAND,   /* structure, sante_mentale.phq9_severite | patients, by their last
	                           * sante_mentale entry dated in P with the band computed */
	STORE_REPORT_GAD7_BAND,   /* structure, sante_mentale.gad7_severite | the same for GAD-7 */
	STORE_REPORT_ALERTS,      /* structure, alert level | clinical alerts raised on entries dated
	                           * in P (a count, never their text) */
	/* The impact page. A patient's record is their patient entry that is not a draft. */
	STORE_REPORT_REACH_SEX,           /* structure, patient.sexe | patients followed in P (NULL code:
	                                   * no record or no answer) */
	STORE_REPORT_REACH_TERRITORY,     /* structure, patient.territoire | the same */
	STORE_REPORT_REACH_QPV,           /* structure, patient.qpv | the same */
	STORE_REPORT_REACH_MOTIVE,        /* structure | patients followed in P; of whom, by
	                                   * patient.motif_inclusion: addiction_produit,
	                                   * addiction_sans_produit, precarite, sante_mentale, two motives
	                                   * or more, precarite or sante_mentale without any addiction,
	                                   * no motive recorded */
	STORE_REPORT_HOSPITAL_ER,         /* structure | see HOSPITAL below, for urgences_6m */
	STORE_REPORT_HOSPITAL_NIGHTS,     /* structure | the same for nuits_hopital_6m */
	STORE_REPORT_FOLLOW_UP,           /* structure, 'suivi' or 'sorti' | one row per patient: days
	                                   * from inclusion to the end, and 1/0 for an end after 1, 2, 3
	                                   * years (see FOLLOW-UP below) */
	STORE_REPORT_EXITS_BEFORE_2Y,     /* structure, sortie.motif | patients who left in P, their end
	                                   * on or before inclusion + 2 years */
	STORE_REPORT_FOLLOWED_BY_QUARTER, /* structure, "YYYY-Tn" | patients with a contact done
	                                   * dated from since to E, by the quarter of the contact */
	STORE_REPORT_N
};

typedef struct {
	const char *first, *last; /* the period's first and last days, YYYY-MM-DD */
	/* STORE_REPORT_EPICES: a score at or above it counts (scores are stored rounded to 2
	 * decimals; the comparison absorbs their binary representation). */
	double epices_threshold;
	/* STORE_REPORT_HCV_DUE: a last HCV test on or before these days (YYYY-MM-DD) is too old. */
	const char *due_injector, *due_other;
	/* STORE_REPORT_FOLLOWED_BY_QUARTER: the first day counted (YYYY-MM-DD). */
	const char *since;
} store_report_args;

/* One row of a query. Everything is borrowed for the duration of the callback. */
typedef struct {
	const char *structure; /* a structure code (NULL only if the database holds one) */
	const char *code;      /* queries by code: the stored code, NULL when empty; else NULL */
	const double *values;  /* n_values numbers, in the order the query lists them */
	size_t n_values;
} store_report_row;

/* Returned by store_report_rows when the database lacks a table or column the query reads (a
 * form or field it does not have): that query cannot be answered, nothing else is wrong. */
enum { STORE_REPORT_MISSING = -1 };

/* Start a report: a read transaction (every query until store_report_end sees one snapshot of
 * the database) with a page cache large enough to keep what the queries read, and the
 * connection's temporary tables of the report. Returns 0, or a sysexits code with *why (caller
 * frees; nothing is left open then). */
int store_report_begin(store *s, char **why);
/* End it: temporary tables emptied, the read transaction closed, the usual cache size back. */
void store_report_end(store *s);

/* Call fn for each row of query q over the period and parameters of a (rows of one structure
 * may come in any order); fn must not use the store (the query is still running). Returns 0;
 * STORE_REPORT_MISSING with *why set to SQLite's message (caller frees); or a sysexits code
 * with *why (caller frees) when the database cannot be read. Outside store_report_begin … end,
 * each query finds the patients followed itself. */
int store_report_rows(store *s, enum store_report_query q, const store_report_args *a,
                      void (*fn)(void *ctx, const store_report_row *row), void *ctx, char **why);

/* The yearly package (reporting.yaml's package:, core/form.h): for [first, last], call fn for
 * each structure and opposition state with the number of patients who have at least minimum
 * contacts dated in it, not drafts, whose statut is one of statuses and whose intervenant is one
 * of intervenants (codes; ns and ni of them). opposed says whether those patients object to the
 * evaluation (patients.opposed_on): they count locally, never in what leaves. Returns 0,
 * STORE_REPORT_MISSING with *why when the contact form lacks a column, or a sysexits code with
 * *why (caller frees). */
int store_package_rows(store *s, const char *first, const char *last, const char *const *statuses, size_t ns,
                       const char *const *intervenants, size_t ni, int minimum,
                       void (*fn)(void *ctx, const char *structure, bool opposed, int64_t n), void *ctx,
                       char **why);

/* Whether the patient qualifies for the package in [first, last] (the same rule); false when
 * the database cannot say. */
bool store_package_patient(store *s, int64_t patient_id, const char *first, const char *last,
                           const char *const *statuses, size_t ns, const char *const *intervenants, size_t ni,
                           int minimum);

/* Call fn with each structure code the patients or the structures' own entries (forms of scope:
 * structure) belong to, sorted (none for a database without either). Returns 0, or a sysexits
 * code with *why (caller frees). */
int store_report_structures(store *s, void (*fn)(void *ctx, const char *code), void *ctx, char **why);

/* ---- the forms of the structure (scope: structure, e.g. the team meetings of reunion.yaml)
 *
 * What their entries add up to, by structure and by month, for any such form and whatever its
 * fields: the activity report shows it, and the impact page (meetings per month, attendance by
 * profession) reads it too. For the team meetings (form "reunion"):
 *  - meetings in a month: the row with fd NULL (n);
 *  - meetings each profession attended: the rows of fd "professions", one per code (n);
 *  - people of each profession present: the rows of fd "nb_medecin", "nb_psychologue"… (sum;
 *    n is the meetings where it was answered, i.e. where the profession was present);
 *  - patients discussed: fd "nb_patients" (sum), professionals present: fd "nb_presents" (sum).
 * Which fields count how: store_sf_coded and store_sf_numeric. */

/* Whether the entries of field fd are counted by code: a single or multiple choice, or yes/no
 * (codes "1" and "0"). */
bool store_sf_coded(const field *fd);
/* Whether the values of fd are summed: an integer, a decimal, or a calculated number. */
bool store_sf_numeric(const field *fd);

/* One row of store_structure_form_rows. Everything is borrowed for the duration of the call. */
typedef struct {
	const char *structure; /* the code of the structure the entries belong to */
	const char *month;     /* YYYY-MM: the entries dated in that month */
	const field *fd;       /* NULL: n counts the entries; else a field of the form */
	const char *code;      /* a coded field: the code counted; NULL otherwise */
	double n;              /* entries: all of them (fd NULL), those whose answer holds code (a coded
	                        * field), or those where the number is answered (a numeric field) */
	double sum;            /* a numeric field: the sum of its values; 0 otherwise */
} store_sf_row;

/* Call fn, for the entries of form f (of scope: structure) that are not drafts and are dated in
 * [first, last] (YYYY-MM-DD), for each structure and month that has any: first the row of the
 * entries (fd NULL), then one row per code of each coded field and one per numeric field, in the
 * form's order (rows with n 0 included, so that every structure and month gives the same rows).
 * Structures and months come sorted; a month without entries gives no row. An answer hidden by
 * its show_if is stored empty and counts nowhere (n and sum leave it out). Fields the form no
 * longer has are not read. fn must not use the store. Returns 0; STORE_REPORT_MISSING with *why
 * (caller frees) when the database has no table for f yet; or a sysexits code with *why (caller
 * frees). Run inside store_read_begin … store_read_end for one snapshot. */
int store_structure_form_rows(store *s, const form *f, const char *first, const char *last,
                              void (*fn)(void *ctx, const store_sf_row *row), void *ctx, char **why);

#endif
