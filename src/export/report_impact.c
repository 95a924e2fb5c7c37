/* report_impact.c — the impact page of the report (recueil report --impact): who is reached,
 * hospital care before and after inclusion, length of follow-up, patients per quarter and cost
 * per patient followed, each indicator with its definition; filled into the report model
 * (report.h) from the store's queries (store/report_data.h) and written as text here, as CSV
 * by report_write_csv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/report_internal.h"

/* ------------------------------------------------------------ who is reached */

/* Category nr counts the patients with no answer: the followed patients minus those in the
 * categories from first to last, on every structure's row (the total row sums them). */
static void unanswered(const report *r, report_indicator *ind, int suivis, int first, int last, int nr)
{
	for (size_t row = 0; row < r->n_structures; row++) {
		double *v = rep_cell(ind, row), rest = v[suivis];
		for (int k = first; k <= last; k++)
			rest -= v[k];
		v[nr] = rest;
	}
}

/* The patients followed in P by the answer of their record to patient.field_id: one category
 * per choice, then "non_renseigne" (no record, no answer, or a typed missing code). */
static int by_patient_field(rep_ctx *c, report_indicator *ind, const char *field_id,
                            enum store_report_query q)
{
	int n = rep_count_add(ind, "suivis", "Patients suivis dans la période", -1);
	const field *fd = rep_need_field(c, ind, "patient", field_id);
	if (!fd || !rep_need_suivis(c, ind))
		return 0;
	rep_cats_from_choices(ind, fd, n);
	int nr = rep_count_add(ind, "non_renseigne", "Non renseigné", n);
	rep_parts_of(ind, (size_t)n + 1, (size_t)nr + 1, n);
	int rc = rep_run_long(c, ind, n, q);
	if (!rc && ind->available)
		unanswered(c->r, ind, n, n + 1, nr - 1, nr);
	return rc;
}

static int ind_sexe(rep_ctx *c, report_indicator *ind)
{
	return by_patient_field(c, ind, "sexe", STORE_REPORT_REACH_SEX);
}

static int ind_territoire(rep_ctx *c, report_indicator *ind)
{
	return by_patient_field(c, ind, "territoire", STORE_REPORT_REACH_TERRITORY);
}

static int ind_qpv(rep_ctx *c, report_indicator *ind)
{
	return by_patient_field(c, ind, "qpv", STORE_REPORT_REACH_QPV);
}

static int ind_motif(rep_ctx *c, report_indicator *ind)
{
	static const char *const codes[] = {"addiction_produit", "addiction_sans_produit", "precarite",
	                                    "sante_mentale"};
	int n = rep_count_add(ind, "suivis", "Patients suivis dans la période", -1);
	const field *fd = rep_need_field(c, ind, "patient", "motif_inclusion");
	bool have =
	    rep_need_suivis(c, ind) && rep_need_codes(ind, fd, codes[0], codes[1], codes[2], codes[3], NULL);
	for (size_t i = 0; i < 4; i++) {
		const choice *ch = have ? field_choice(fd, codes[i]) : NULL;
		rep_count_add(ind, codes[i], ch ? ch->label.fr : codes[i], n);
	}
	rep_count_add(ind, "plusieurs", "Plusieurs motifs", n);
	rep_count_add(ind, "sans_addiction", "Précarité ou santé mentale seules", n);
	rep_count_add(ind, "non_renseigne", "Motif non renseigné", n);
	return have ? rep_run_wide(c, ind, STORE_REPORT_REACH_MOTIVE, NULL) : 0;
}

/* ------------------------------------------------------------ hospital care */

/* Emergency visits or nights in hospital: the 6 months before inclusion against the latest 6
 * months, for the patients with both answers (the query's values, in the order of the labels:
 * totals before and after, patients with at least one before and after). */
static int by_hospital(rep_ctx *c, report_indicator *ind, const char *field_id, const char *const label[4],
                       enum store_report_query q)
{
	int n = rep_count_add(ind, "patients_compares", "Patients comparés (les deux mesures)", -1);
	rep_count_add(ind, "total_avant", label[0], -1);
	rep_count_add(ind, "total_apres", label[1], -1);
	rep_count_add(ind, "patients_avant", label[2], n);
	rep_count_add(ind, "patients_apres", label[3], n);
	rep_cat_add(ind, "moyenne_avant", "Moyenne par patient avant l'inclusion", REPORT_MEAN, n, -1);
	rep_cat_add(ind, "moyenne_apres", "Moyenne par patient, 6 derniers mois", REPORT_MEAN, n, -1);
	rep_cat_add(ind, "difference_moyenne", "Différence appariée moyenne (après − avant)", REPORT_MEAN, n,
	            -1);
	if (!rep_need_suivis(c, ind) || !rep_need_field(c, ind, "patient", "date_inclusion") ||
	    !rep_need_field(c, ind, "recours_hopital", field_id) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "recours_hopital", "moment"), "inclusion", "suivi",
	                    NULL))
		return 0;
	return rep_run_wide(c, ind, q, NULL);
}

static int ind_urgences(rep_ctx *c, report_indicator *ind)
{
	static const char *const label[4] = {"Passages aux urgences, 6 mois avant l'inclusion (total)",
	                                     "Passages aux urgences, 6 derniers mois (total)",
	                                     "≥ 1 passage, avant l'inclusion",
	                                     "≥ 1 passage, 6 derniers mois"};
	return by_hospital(c, ind, "urgences_6m", label, STORE_REPORT_HOSPITAL_ER);
}

static int ind_nuits(rep_ctx *c, report_indicator *ind)
{
	static const char *const label[4] = {"Nuits à l'hôpital, 6 mois avant l'inclusion (total)",
	                                     "Nuits à l'hôpital, 6 derniers mois (total)",
	                                     "≥ 1 nuit, avant l'inclusion", "≥ 1 nuit, 6 derniers mois"};
	return by_hospital(c, ind, "nuits_hopital_6m", label, STORE_REPORT_HOSPITAL_NIGHTS);
}

/* ------------------------------------------------------------ length of follow-up */

/* Days in a month on average (365.25 / 12): durations are shown in months. */
#define DAYS_PER_MONTH 30.4375

typedef struct {
	const char *group; /* "suivi", "sorti", or NULL for both */
	double **days;     /* per row (structures, then the total): the durations in days */
	size_t *n;
} durations;

static void add_duration(void *vsink, const store_report_row *row)
{
	rep_sink *k = vsink;
	durations *d = k->data;
	long at = rep_structure_row(k->r, row->structure);
	if (at < 0 || row->n_values < 4 || (d->group && (!row->code || strcmp(row->code, d->group) != 0)))
		return;
	/* The structure's list, and the total's when the structure counts in the total. */
	size_t rows[2] = {(size_t)at, k->r->n_structures};
	for (size_t i = 0; i < (k->r->sources[at].in_total ? 2 : 1); i++) {
		size_t w = rows[i];
		d->days[w] = xrealloc(d->days[w], (d->n[w] + 1) * sizeof **d->days);
		d->days[w][d->n[w]++] = row->values[0];
	}
	rep_add(k->r, k->ind, (size_t)at, 0, 1);
	for (size_t y = 1; y <= 3; y++)
		rep_add(k->r, k->ind, (size_t)at, 3 + y, row->values[y]);
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The p-quantile of n sorted values, as R's default (type 7): linear between the order
 * statistics around 1 + (n - 1) p. */
static double quantile(const double *x, size_t n, double p)
{
	double h = (double)(n - 1) * p;
	size_t lo = (size_t)floor(h);
	return lo + 1 < n ? x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]) : x[lo];
}

static int by_duration(rep_ctx *c, report_indicator *ind, const char *group, const char *who)
{
	int n = rep_count_add(ind, "patients", who, -1);
	static const char *const q[3][2] = {{"q1", "Premier quartile (mois)"},
	                                    {"mediane", "Durée médiane (mois)"},
	                                    {"q3", "Troisième quartile (mois)"}};
	for (size_t i = 0; i < 3; i++)
		rep_cat_add(ind, q[i][0], q[i][1], REPORT_VALUE, n, 1);
	rep_count_add(ind, "plus_1_an", "Suivis depuis plus d'un an", n);
	rep_count_add(ind, "plus_2_ans", "Suivis depuis plus de deux ans", n);
	rep_count_add(ind, "plus_3_ans", "Suivis depuis plus de trois ans", n);
	if (!rep_need_suivis(c, ind) || !rep_need_field(c, ind, "patient", "date_inclusion") ||
	    !rep_need_field(c, ind, "sortie", "motif"))
		return 0;
	report *r = c->r;
	durations d = {group, xcalloc(r->n_structures + 1, sizeof *d.days),
	               xcalloc(r->n_structures + 1, sizeof *d.n)};
	rep_values_alloc(r, ind);
	int rc = rep_run(c, ind, STORE_REPORT_FOLLOW_UP, NULL, add_duration, -1, &d);
	for (size_t row = 0; row <= r->n_structures; row++) {
		if (d.n[row]) {
			qsort(d.days[row], d.n[row], sizeof *d.days[row], by_double);
			static const double p[3] = {0.25, 0.5, 0.75};
			for (size_t i = 0; i < 3; i++)
				rep_cell(ind, row)[1 + i] =
				    quantile(d.days[row], d.n[row], p[i]) / DAYS_PER_MONTH;
		}
		free(d.days[row]);
	}
	free(d.days);
	free(d.n);
	return rc;
}

static int ind_duree(rep_ctx *c, report_indicator *ind)
{
	return by_duration(c, ind, NULL, "Patients (suivis dans la période ou sortis)");
}

static int ind_duree_suivis(rep_ctx *c, report_indicator *ind)
{
	return by_duration(c, ind, "suivi", "Patients toujours suivis");
}

static int ind_duree_sortis(rep_ctx *c, report_indicator *ind)
{
	return by_duration(c, ind, "sorti", "Patients sortis dans la période");
}

static int ind_sorties_avant_2ans(rep_ctx *c, report_indicator *ind)
{
	int total = rep_count_add(ind, "total", "Sortis avant deux ans de suivi", -1);
	const field *fd = rep_need_field(c, ind, "sortie", "motif");
	if (!fd || !rep_need_field(c, ind, "patient", "date_inclusion") || !rep_need_suivis(c, ind))
		return 0;
	rep_cats_from_choices(ind, fd, total);
	rep_parts_of(ind, (size_t)total + 1, ind->n_cats, total);
	ind->hide_zero = true;
	return rep_run_long(c, ind, total, STORE_REPORT_EXITS_BEFORE_2Y);
}

/* ------------------------------------------------------------ patients per quarter */

/* A quarter as a number: year × 4 + (quarter - 1). */
static long quarter_of(long day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return (long)y * 4 + (m - 1) / 3;
}

static int ind_trimestres(rep_ctx *c, report_indicator *ind)
{
	long last = quarter_of(c->r->period.last), first = quarter_of(c->r->period.first);
	if (last - first < 3)
		first = last - 3; /* a trend needs a year at least */
	for (long q = first; q <= last; q++) {
		char code[32];
		snprintf(code, sizeof code, "%ld-T%ld", q / 4, q % 4 + 1);
		rep_count_add(ind, code, code, -1);
	}
	if (!rep_need_suivis(c, ind))
		return 0;
	char since[11];
	date_format(date_from_ymd((int)(first / 4), (int)(first % 4) * 3 + 1, 1), since);
	store_report_args a = {.since = since};
	rep_values_alloc(c->r, ind);
	return rep_run(c, ind, STORE_REPORT_FOLLOWED_BY_QUARTER, &a, rep_add_long, -1, NULL);
}

/* ------------------------------------------------------------ cost */

typedef struct {
	bool *budgeted; /* per structure row: it has a budget */
} budgeted_rows;

/* Patients followed, for the structures with a budget only. */
static void add_followed(void *vsink, const store_report_row *row)
{
	rep_sink *k = vsink;
	const budgeted_rows *b = k->data;
	long at = rep_structure_row(k->r, row->structure);
	if (at >= 0 && b->budgeted[at] && row->n_values >= 1)
		rep_add(k->r, k->ind, (size_t)at, 1, row->values[0]);
}

static int ind_cout(rep_ctx *c, report_indicator *ind)
{
	report *r = c->r;
	rep_cat_add(ind, "budget_periode", "Budget de la période (€)", REPORT_VALUE, -1, 0);
	int n = rep_count_add(ind, "suivis", "Patients suivis (structures dont le budget est connu)", -1);
	rep_cat_add(ind, "cout_par_patient", "Coût par patient suivi (€)", REPORT_MEAN, n, -1);
	if (!rep_need_suivis(c, ind))
		return 0;
	int y, m, d;
	date_to_ymd(r->period.first, &y, &m, &d);
	double year_days = (double)(date_from_ymd(y + 1, 1, 1) - date_from_ymd(y, 1, 1));
	double share = (double)(r->period.last - r->period.first + 1) / year_days;
	budgeted_rows b = {xcalloc(r->n_structures, sizeof *b.budgeted)};
	rep_values_alloc(r, ind);
	size_t with = 0;
	for (size_t i = 0; i < r->n_structures; i++) {
		double yearly = reporting_budget(c->fs->reporting, r->structures[i], y, &b.budgeted[i]);
		if (b.budgeted[i]) { /* the amount (a VALUE: its total is ours), the mean's numerator */
			rep_add(r, ind, i, 0, yearly * share);
			rep_add(r, ind, i, 2, yearly * share);
			if (r->sources[i].in_total)
				rep_cell(ind, r->n_structures)[0] += yearly * share;
			with++;
		}
	}
	int rc = 0;
	if (!with)
		rep_unavailable(ind, "aucun budget de ces structures dans reporting.yaml (budgets:)");
	else
		rc = rep_run(c, ind, STORE_REPORT_FOLLOWED, NULL, add_followed, -1, &b);
	free(b.budgeted);
	return rc;
}

/* ------------------------------------------------------------ definitions */

static const rep_def impact[REPORT_N - REPORT_IMPACT_FIRST] = {
    [REPORT_IMPACT_SEXE - REPORT_IMPACT_FIRST] =
        {"impact_sexe", "Public : sexe des patients suivis",
         "patients suivis dans la période (au moins un contact réalisé) selon le sexe de leur fiche "
         "patient ; part de chaque réponse parmi eux ; « non renseigné » : sans fiche ou sans réponse.",
         ind_sexe},
    [REPORT_IMPACT_TERRITOIRE - REPORT_IMPACT_FIRST] =
        {"impact_territoire", "Public : territoire de résidence",
         "patients suivis dans la période selon la densité de leur commune de résidence (grille "
         "communale de densité de l'Insee en quatre niveaux, jamais la commune) ; part de chacun.",
         ind_territoire},
    [REPORT_IMPACT_QPV - REPORT_IMPACT_FIRST] =
        {"impact_qpv", "Public : résidence en quartier prioritaire (QPV)",
         "patients suivis dans la période selon leur résidence dans un quartier prioritaire de la "
         "politique de la ville (liste du décret n° 2023-1314) ; part de chaque réponse.",
         ind_qpv},
    [REPORT_IMPACT_MOTIF - REPORT_IMPACT_FIRST] =
        {"impact_motif", "Public : motifs d'inclusion",
         "patients suivis dans la période selon les motifs d'inclusion de leur fiche patient ; un "
         "patient compte dans chacun de ses motifs (les parts ne s'additionnent pas) ; « plusieurs » : "
         "deux motifs ou plus ; « sans addiction » : précarité ou santé mentale sans addiction avec "
         "ou sans produit.",
         ind_motif},
    [REPORT_IMPACT_URGENCES - REPORT_IMPACT_FIRST] =
        {"impact_urgences", "Recours aux urgences : avant l'inclusion et aujourd'hui",
         "patients suivis dans la période ayant les deux mesures : le dernier recueil « à l'inclusion » "
         "(passages des 6 mois précédant l'inclusion) et le dernier recueil « en cours de suivi » daté "
         "jusqu'à la fin de la période et au moins 6 mois après l'inclusion (6 derniers mois). Totaux, "
         "patients avec au moins un passage, moyennes et différence appariée moyenne (après − avant, "
         "négative quand le recours baisse), toutes sur les mêmes patients.",
         ind_urgences},
    [REPORT_IMPACT_NUITS - REPORT_IMPACT_FIRST] =
        {"impact_nuits_hopital", "Nuits d'hospitalisation : avant l'inclusion et aujourd'hui",
         "comme pour les urgences, avec les nuits passées à l'hôpital au cours des 6 mois (toutes "
         "hospitalisations) ; les patients comparés sont ceux qui ont les deux réponses.",
         ind_nuits},
    [REPORT_IMPACT_DUREE - REPORT_IMPACT_FIRST] =
        {"impact_duree_suivi", "Durée de suivi : ensemble",
         "de la date d'inclusion à la sortie (dernière sortie datée de la période) ou, pour les "
         "patients suivis dans la période sans sortie, à la fin de la période ; quartiles et médiane "
         "en mois (jours / 30,4375 ; méthode de R par défaut, type 7) ; « plus d'un an » : fin "
         "postérieure à l'anniversaire de l'inclusion (de même pour deux et trois ans).",
         ind_duree},
    [REPORT_IMPACT_DUREE_SUIVIS - REPORT_IMPACT_FIRST] =
        {"impact_duree_suivis", "Durée de suivi : patients toujours suivis",
         "patients suivis dans la période (au moins un contact réalisé) sans sortie datée de la "
         "période : de l'inclusion à la fin de la période.",
         ind_duree_suivis},
    [REPORT_IMPACT_DUREE_SORTIS - REPORT_IMPACT_FIRST] =
        {"impact_duree_sortis", "Durée de suivi : patients sortis",
         "patients dont une sortie est datée de la période : de l'inclusion à la dernière sortie.",
         ind_duree_sortis},
    [REPORT_IMPACT_SORTIES_AVANT_2ANS - REPORT_IMPACT_FIRST] =
        {"impact_sorties_avant_2ans", "Motifs de sortie avant deux ans de suivi",
         "patients sortis dans la période au plus deux ans après leur inclusion, par motif de leur "
         "dernière sortie.",
         ind_sorties_avant_2ans},
    [REPORT_IMPACT_TRIMESTRES - REPORT_IMPACT_FIRST] =
        {"impact_file_active", "Patients suivis par trimestre",
         "pour chaque trimestre de la période (et au moins les quatre derniers), les patients ayant "
         "au moins un contact réalisé dans le trimestre, jusqu'à la fin de la période (le dernier "
         "trimestre peut être incomplet).",
         ind_trimestres},
    [REPORT_IMPACT_COUT - REPORT_IMPACT_FIRST] =
        {"impact_cout", "Coût par patient suivi",
         "budget annuel de la structure (budgets: de reporting.yaml, celui de l'année du début de la "
         "période) ramené aux jours de la période, divisé par les patients suivis dans la période ; "
         "l'ensemble ne compte que les structures dont le budget est connu.",
         ind_cout},
};

const rep_def *rep_impact_def(enum report_id id)
{
	return &impact[id - REPORT_IMPACT_FIRST];
}

/* ------------------------------------------------------------ the team meetings */

/* The indicators of the team meetings' form (forms/reunion.yaml, scope: structure) that the
 * impact page shows: meetings per month, and the meetings each profession attended. */
static const char *const meeting_ids[] = {"reunion_mois", "reunion_professions"};

const char rep_meetings_definition[] =
    "reunion_mois, reunion_professions — Réunions d'équipe : les fiches du formulaire de la "
    "structure « reunion » datées dans la période, par mois et au total, puis pour chaque "
    "profession les réunions où elle était présente et leur part ; c'est l'activité de l'équipe, "
    "jamais des patients : aucun effectif n'y est masqué.";

bool report_extra_on_page(const report_indicator *ind, unsigned pages)
{
	if (pages & REPORT_PAGE_ACTIVITY)
		return true;
	for (size_t i = 0; (pages & REPORT_PAGE_IMPACT) && i < sizeof meeting_ids / sizeof *meeting_ids; i++)
		if (strcmp(ind->id, meeting_ids[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ text */

bool report_write_impact_text(const report *r, FILE *out, bool mask)
{
	rep_text_page(r, out, mask, "Page d'impact", REPORT_PAGE_IMPACT, REPORT_IMPACT_FIRST, REPORT_N, -1);
	return !ferror(out);
}
