/* report.h — the activity report of a period (recueil report, and later a report screen): the
 * indicators the structures are asked for, per structure code and in total, computed from what
 * the store's report queries return (store/report_data.h) in one read snapshot of the database,
 * with the small-count rule applied at display time.
 *
 * No curses and no printing policy here beyond the two writers (text and CSV): a screen reads
 * the model through report_cell_get and draws it as it likes.
 *
 * Definitions (P = the period, E = its last day; only entries that are not drafts count, those
 * dated up to E, and the patient's own record whatever its date: exactly what an export of P
 * holds, a snapshot of the structure at E, so that a regional database's figures for a
 * structure equal the structure's own; the "last"
 * entry of a patient is the latest by entry date, then by creation order; a patient counts in
 * the structure of patients.structure):
 *  - patients_suivis: patients with at least one contact entry dated in P whose statut is
 *    'realise' (the per-patient package: "followed in year N" when P is year N);
 *  - inclusions: patients whose patient.date_inclusion lies in P, whatever the date of their
 *    record: a patient entered after E with an inclusion date in P (records typed late, at the
 *    deadline) counts in P, and every export carries each patient's record (a form of
 *    cardinality once) whatever its date;
 *  - sorties: exit entries dated in P, by motif, and their total (any motif);
 *  - contacts_statut: contact entries dated in P by statut, and their total; contacts_intervenant
 *    and contacts_type: the contacts 'realise' dated in P by profession and by kind;
 *  - audit_zone_oms, audit_classe_fr: each patient's last AUDIT dated in P whose zone is
 *    computed (any patient, followed or not); the number of patients assessed, then the WHO
 *    zones (I..IV) and the French classes (a class left missing counts in "evalues" only), the
 *    categories and their labels being the choices of the calculated fields zone_oms and
 *    classe_fr in the YAML;
 *  - epices: each patient's last precarite entry dated in P with a score; number assessed, mean
 *    score (2 decimals), number and share (1 decimal, %) with a score >= seuil epices_precarite;
 *  - cascade_vhc: among the patients followed in P, with every HCV event dated up to E, nested
 *    steps (each among the patients of the step before): screened (a TROD or serology for HCV
 *    done) → antibody positive (one of them 'positif') → RNA tested (an RNA test or viral load
 *    with a result returned) → RNA positive ('detectable') → treated (a treatment event) →
 *    cured (a treatment with rvs12 'guerison');
 *  - vaccination_vhb: among the patients followed in P, the last HBV status recorded up to E
 *    ('inconnu' only when nothing better was ever recorded), 'non_renseigne' when none;
 *  - depistage_vhc: among the patients followed in P, at E: active injectors (last substances
 *    entry up to E with injecteur_actif = 1), and those due for an HCV test: no HCV test done
 *    (any kind) in the last seuil depistage_vhc_injecteur_mois months for active injectors, or
 *    depistage_vhc_mois months for the others, never tested included (due when the last test is
 *    on or before E minus that many months, same day of the month or the month's last day);
 *  - phq9_severite, gad7_severite: each patient's last sante_mentale entry dated in P with the
 *    severity computed; number assessed and bands (the choices of the calculated field in the
 *    YAML: a band field without choices makes its indicator not available);
 *  - alertes: clinical alerts raised on entries dated in P, in total and by level (a count,
 *    never their text; exports carry them in alerts.csv);
 *  - the forms of the structure (scope: structure, e.g. reunion: the team meetings), each
 *    whatever its fields, from their entries dated in P (a structure counts its own): FORM_mois,
 *    the entries of each month of P and their total (meetings per month); FORM_FIELD for each
 *    choice, multiple choice or yes/no field, the entries and, per code, those whose answer
 *    holds it (with the share: the meetings each profession attended); FORM_nombres, the entries
 *    and, per integer, decimal or calculated number, its total over them and its mean per entry
 *    (an answer not asked counts 0 in the mean: the people of each profession present per
 *    meeting). These count the team's own activity, never patients: the small-count rule does
 *    not apply to them.
 * An indicator whose form, field, code or threshold is absent is marked not available (with
 * the reason) instead of failing the whole report.
 *
 * At a regional database (store_is_regional: it imports structures' exports), the rows are
 * the structures it knows (export/ledger.h) and each says which export its figures come from:
 * a structure whose data does not reach the period has no figure at all ("pas de données",
 * never 0), one whose data stops inside the period (or comes from an archive of an older
 * version) is partial; both are left out of the total, which is the sum of the structures whose
 * data covers the whole period. At a structure's own database every structure counts.
 *
 * The impact page (report --impact; its indicators from REPORT_IMPACT_FIRST, each with its
 * definition in French in report_impact.c) gathers the figures the network is asked for: who
 * is reached, hospital care before and after, length of follow-up, patients per quarter, cost.
 *
 * The small-count rule holds (report_mask.c): counts from 1 to small_count_mask are masked,
 * and so are other cells chosen so that no masked count can be recomputed from the cells shown
 * by the sums the report states (categories and their total, structures and the total row, the
 * same count under several indicators). A mean or a share computed from a masked count is
 * masked too. */
#ifndef RECUEIL_REPORT_H
#define RECUEIL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/form.h"
#include "export/csv.h"
#include "export/ledger.h"
#include "export/period.h"
#include "store/store.h"

enum report_id {
	REPORT_SUIVIS,
	REPORT_INCLUSIONS,
	REPORT_SORTIES,
	REPORT_CONTACTS_STATUT,
	REPORT_CONTACTS_INTERVENANT,
	REPORT_CONTACTS_TYPE,
	REPORT_AUDIT_ZONE,
	REPORT_AUDIT_CLASSE,
	REPORT_EPICES,
	REPORT_CASCADE_VHC,
	REPORT_VACCINATION_VHB,
	REPORT_DEPISTAGE_VHC,
	REPORT_PHQ9,
	REPORT_GAD7,
	REPORT_ALERTES,
	/* The impact page. */
	REPORT_IMPACT_SEXE,
	REPORT_IMPACT_TERRITOIRE,
	REPORT_IMPACT_QPV,
	REPORT_IMPACT_MOTIF,
	REPORT_IMPACT_URGENCES,
	REPORT_IMPACT_NUITS,
	REPORT_IMPACT_DUREE,
	REPORT_IMPACT_DUREE_SUIVIS,
	REPORT_IMPACT_DUREE_SORTIS,
	REPORT_IMPACT_SORTIES_AVANT_2ANS,
	REPORT_IMPACT_TRIMESTRES,
	REPORT_IMPACT_COUT,
	REPORT_N,
	REPORT_IMPACT_FIRST = REPORT_IMPACT_SEXE
};

/* The pages of the report: which indicators report_compute_pages computes. */
enum { REPORT_PAGE_ACTIVITY = 1, REPORT_PAGE_IMPACT = 2 };

typedef enum {
	REPORT_COUNT,   /* a number of patients, entries or alerts: subject to the small-count rule */
	REPORT_MEAN,    /* a mean over the count of category base (2 decimals) */
	REPORT_PERCENT, /* 100 × category num / category base (1 decimal) */
	REPORT_VALUE,   /* a figure as computed (a quartile, an amount), with num decimals; masked
	                 * when its base count is; its total row is its indicator's, never a sum */
} report_kind;

typedef struct {
	char *code;  /* the CSV "categorie" ("medecin", "I", "evalues"); owned */
	char *label; /* French label; owned */
	report_kind kind;
	int base;    /* MEAN, PERCENT: the denominator category; COUNT: the category a percentage
	              * shown beside it in text refers to; -1 for none */
	int num;     /* PERCENT: the numerator category; VALUE: the decimals shown */
	int part_of; /* COUNT: the category that is the sum of this one and its siblings (a total,
	              * "evalues", "suivis"…), -1 for none */
} report_category;

typedef struct {
	const char *id;    /* the CSV "indicateur" ("cascade_vhc"); static */
	const char *title; /* French heading; static */
	bool available;
	char *unavailable; /* why not (French, one line), owned; NULL when available */
	char *definition;  /* how it is computed, in French, thresholds written in; owned */
	bool hide_zero;    /* text: long lists of codes skip their zero lines */
	bool unmasked;     /* counts of the team's own activity: never masked */
	/* The field whose choices gave categories their codes and labels (borrowed from the
	 * formset the report was computed with), NULL if none: a screen finds there the label of
	 * such a category in its own language. */
	const field *coded_by;
	report_category *cats;
	size_t n_cats;
	/* Raw sums, (n_structures + 1) rows of n_cats: row k is structure k, row n_structures the
	 * total. MEAN categories hold the sum of the values until report_cell_get divides it. */
	double *values;
	/* What the small-count rule hides, per value as above (report_rows rows): REPORT_SHOWN,
	 * REPORT_SMALL or REPORT_COMPLEMENT; NULL until report_mask_apply. */
	unsigned char *mask;
} report_indicator;

enum {
	REPORT_SHOWN = 0,
	REPORT_SMALL = 1,      /* a count from 1 to mask_max */
	REPORT_COMPLEMENT = 2, /* masked so that no small count can be recomputed from the others */
};

/* Where a structure's figures come from (a regional database). */
typedef struct {
	ledger_cover cover; /* LEDGER_FULL at a structure's own database */
	bool in_total;      /* counted in the total: its data covers the whole period */
	int64_t sequence;   /* the export its data comes from, 0 when none (or not regional) */
	char period[32];    /* that export's period, "" when none */
	char made[11];      /* the day it was made, YYYY-MM-DD, "" when none */
	char *text;         /* "export n° 5, 2026-T3, fait le 05/10/2026" or "aucun export reçu"; NULL
	                     * when not regional; owned */
	char *why;          /* why not complete (ledger_cover_why), NULL when complete; owned */
} report_source;

/* The yearly package for one calendar year of the period (reporting.yaml's package:). */
typedef struct {
	int year;
	char first[11], last[11]; /* the days counted: the year within the period, YYYY-MM-DD */
	int64_t *n;               /* report_rows() values: patients who qualify and do not object */
	int64_t *n_opposed;       /* the same: those who object (counted locally, never sent) */
} report_package;

typedef struct {
	period period;
	int mask_max;               /* counts 1..mask_max are masked when masking is asked for */
	char **structures;          /* structure codes, sorted; owned */
	size_t n_structures;        /* at least 1 */
	bool regional;              /* a regional database: sources below say where figures come from */
	report_source *sources;     /* one per structure */
	size_t n_in_total;          /* structures counted in the total */
	const reporting *reporting; /* the thresholds the report was computed with; borrowed */
	unsigned pages;             /* REPORT_PAGE_* computed; the others' indicators not available */
	report_indicator ind[REPORT_N];
	/* The indicators of the forms of the structure (scope: structure), in the order of the
	 * forms; ids and titles owned (free_names). */
	report_indicator *extra;
	size_t n_extra;
	/* The structure's own patients created up to the period's last day, and of them those
	 * informed and those opposed by then: local figures, in the text report only (the CSV is
	 * what leaves the structure). has_rights is false in a database without patients of its own. */
	bool has_rights;
	int64_t patients, informed, opposed;
	/* The yearly package, one element per calendar year of the period; none (n_package 0)
	 * without package: in reporting.yaml; package_why says why it could not be computed (a
	 * contact form without the columns), NULL otherwise (owned). */
	report_package *package;
	size_t n_package;
	char *package_why;
} report;

/* Compute the report of period p from one read snapshot of s, with the forms and thresholds of
 * fs. Returns the report (caller frees with report_free), or NULL with *why (caller frees) and
 * *code (a sysexits code) when the database cannot be read. A missing form or field does not
 * fail: the indicator is marked not available. */
report *report_compute(store *s, const formset *fs, const period *p, char **why, int *code);
/* The same, calling progress(ctx, step, steps) before each of its steps (one per indicator,
 * the last one also masking), so that a screen can say how far it is. */
report *report_compute_progress(store *s, const formset *fs, const period *p,
                                void (*progress)(void *ctx, int step, int steps), void *ctx, char **why,
                                int *code);
/* The same for the pages of the mask pages (REPORT_PAGE_ACTIVITY, REPORT_PAGE_IMPACT or both):
 * the indicators of the other page are marked not available; report_compute computes the
 * activity page. With progress, one step per indicator of those pages. */
report *report_compute_pages(store *s, const formset *fs, const period *p, unsigned pages, char **why,
                             int *code);
report *report_compute_page_progress(store *s, const formset *fs, const period *p, unsigned pages,
                                     void (*progress)(void *ctx, int step, int steps), void *ctx, char **why,
                                     int *code);
void report_free(report *r); /* NULL is fine */

/* Whether indicator id belongs to one of the pages of the mask page. */
bool report_on_page(enum report_id id, unsigned page);

/* The decimals a category's values are shown with (counts 0, means 2, percentages 1). */
int report_decimals(const report_category *k);

/* The screenings due today, as the report counts them (depistage_vhc, "a_faire") for the
 * patients followed in the 12 months up to today (their last contact done in that time), at
 * today: the home screen's figure. *due gets the count, or -1 when the forms or thresholds it
 * needs are absent. Returns 0, or a sysexits code with *why (caller frees). Not inside a read
 * transaction of the caller's. */
int report_hcv_due(store *s, const formset *fs, long today, long *due, char **why);

/* The number of rows to show: the structures, plus the total when there are several. Row
 * n_structures is the total. */
size_t report_rows(const report *r);
const char *report_row_name(const report *r, size_t row); /* a structure code or "ensemble" */
/* Whether a row has no figure at all: a structure whose data does not reach the period (a
 * regional database), or a total that counts no structure. */
bool report_no_data(const report *r, size_t row);

typedef struct {
	bool has_value;  /* false: masked, no data, no denominator, or indicator not available */
	bool masked;     /* hidden by the small-count rule */
	bool complement; /* masked, not as a small count but so that none can be recomputed */
	bool no_data;    /* a structure with no data for the period, or a total of none */
	double value;    /* count, mean rounded to 2 decimals, or percentage rounded to 1 */
} report_cell;

/* Compute what the small-count rule hides (each indicator's mask): report_compute calls it;
 * call it again after changing values by hand. */
void report_mask_apply(report *r);

/* The French sentence that says which small-count rule the report applies for counts 1 to
 * mask_max (text footer, CSV note, definitions). Caller frees. */
char *report_mask_rule(int mask_max);

/* The value of category cat of indicator id for a row; with mask, a count that the small-count
 * rule hides (report_mask_apply; without it, a count from 1 to r->mask_max) is masked, and so is
 * a mean or a percentage computed from a masked count. */
report_cell report_cell_get(const report *r, enum report_id id, size_t row, size_t cat, bool mask);

/* report_cell_get for any indicator of r, one of r->ind or of r->extra. */
/* report_cell_share for any indicator of r, one of r->ind or of r->extra. */
report_cell report_indicator_share(const report *r, const report_indicator *ind, size_t row, size_t cat,
                                   bool mask);
/* Whether an indicator of a form of the structure (r->extra) belongs to one of the pages of the
 * mask pages: all of them to the activity report; the team meetings per month and attendance by
 * profession (reunion_mois, reunion_professions) to the impact page too. */
bool report_extra_on_page(const report_indicator *ind, unsigned pages);
report_cell report_indicator_cell(const report *r, const report_indicator *ind, size_t row, size_t cat,
                                  bool mask);

/* The percentage that text shows beside a count (100 × cat / its base), masked when either is. */
report_cell report_cell_share(const report *r, enum report_id id, size_t row, size_t cat, bool mask);

/* ---- definitions: how each indicator is computed, for the coordinator and the recipient */

/* The conventions every indicator follows, in French (drafts, "last" entry, structure, total). */
extern const char report_conventions[];
const char *report_indicator_id(enum report_id id);    /* "cascade_vhc"; static */
const char *report_indicator_title(enum report_id id); /* its French heading; static */
/* How indicator id is computed, in plain French, with the thresholds of rep (may be NULL: the
 * threshold is then named instead of given). Caller frees. */
char *report_definition(enum report_id id, const reporting *rep);
/* Append the definitions as French text wrapped at 80 columns: a heading, the conventions, then
 * "Title (id) : definition" for each indicator (the text report, LISEZMOI.txt). */
void report_definitions_text(strbuf *out, const reporting *rep);
/* Write the definitions as CSV rows indicateur,titre,definition (header included; the first
 * rows, regles_communes and masque, hold the conventions and the small-count rule). Returns
 * false on a write error. */
bool report_definitions_csv(const reporting *rep, csv_writer *w);

/* Write the report as French text readable at 80 columns, its definitions in a final section.
 * Returns false on a write error. */
bool report_write_text(const report *r, FILE *out, bool mask);

/* Write the impact page as French text readable at 80 columns, like the activity report: per
 * structure and in total, then the definition of each indicator. Returns false on a write
 * error. */
bool report_write_impact_text(const report *r, FILE *out, bool mask);

/* Write the report as CSV rows structure,periode,indicateur,categorie,valeur,masque (header
 * included): a masked value is empty with masque 1; an empty value with masque 0 has no value
 * (indicator not available, or a mean or share of nobody). The indicators of the pages
 * computed; on the impact page, each count that has a base is followed by its share (%) as
 * category "<code>_pct". At a regional database, four more
 * columns end each row: statut (complet, partiel or pas_de_donnees, whose values are all empty;
 * empty for the total), export_sequence, export_periode and export_fait_le (the export the
 * structure's figures come from). Returns false on a write error. */
bool report_write_csv(const report *r, csv_writer *w, bool mask);

#endif
