/* report.c — the activity report: each indicator's categories, filled from what the store's
 * report queries return (store/report_data.h) in one read snapshot, then the small-count rule
 * and the text and CSV writers (definitions in report.h). */
#include "export/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/report_internal.h"
#include "store/ledger.h"

/* ------------------------------------------------------------ the model */

/* Append a category; returns its index. */
int rep_cat_add(report_indicator *ind, const char *code, const char *label, report_kind kind, int base,
                int num)
{
	ind->cats = xrealloc(ind->cats, (ind->n_cats + 1) * sizeof *ind->cats);
	ind->cats[ind->n_cats] = (report_category){xstrdup(code), xstrdup(label), kind, base, num, -1};
	return (int)ind->n_cats++;
}

int rep_count_add(report_indicator *ind, const char *code, const char *label, int base)
{
	return rep_cat_add(ind, code, label, REPORT_COUNT, base, -1);
}

/* Categories first .. last - 1 add up to category total (their part_of): the small-count rule
 * sees that sum (report_mask.c). */
void rep_parts_of(report_indicator *ind, size_t first, size_t last, int total)
{
	for (size_t k = first; k < last && k < ind->n_cats; k++)
		ind->cats[k].part_of = total;
}

/* One category per choice of fd, in the order of the form, each a count (base as given). */
void rep_cats_from_choices(report_indicator *ind, const field *fd, int base)
{
	ind->coded_by = fd;
	for (size_t i = 0; fd->choices && i < fd->choices->n; i++)
		rep_count_add(ind, fd->choices->items[i].code, fd->choices->items[i].label.fr, base);
}

/* Mark ind not available (the first reason is kept); returns false for chaining. */
bool rep_unavailable(report_indicator *ind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool rep_unavailable(report_indicator *ind, const char *fmt, ...)
{
	if (ind->available) {
		va_list ap;
		va_start(ap, fmt);
		ind->unavailable = xvasprintf(fmt, ap);
		va_end(ap);
		ind->available = false;
	}
	return false;
}

/* The field form_id.field_id, or NULL with ind marked not available. */
const field *rep_need_field(rep_ctx *c, report_indicator *ind, const char *form_id, const char *field_id)
{
	const form *f = formset_form(c->fs, form_id);
	if (!f) {
		rep_unavailable(ind, "formulaire « %s » absent", form_id);
		return NULL;
	}
	const field *fd = form_field(f, field_id);
	if (!fd)
		rep_unavailable(ind, "champ « %s.%s » absent", form_id, field_id);
	return fd;
}

/* True when every code of the NULL-terminated list is a choice of fd (NULL fd: false). */
bool rep_need_codes(report_indicator *ind, const field *fd, ...)
{
	if (!fd)
		return false;
	va_list ap;
	va_start(ap, fd);
	bool ok = true;
	for (const char *code; ok && (code = va_arg(ap, const char *));)
		if (!field_choice(fd, code))
			ok = rep_unavailable(ind, "code « %s » absent du champ « %s »", code, fd->id);
	va_end(ap);
	return ok;
}

/* A threshold of reporting.yaml, or false with ind marked not available. */
bool rep_need_threshold(rep_ctx *c, report_indicator *ind, const char *id, double *out)
{
	bool found = false;
	*out = c->fs->reporting ? reporting_threshold(c->fs->reporting, id, &found) : 0;
	if (!found)
		rep_unavailable(ind, "seuil « %s » absent de reporting.yaml", id);
	return found;
}

double *rep_cell(const report_indicator *ind, size_t row)
{
	return ind->values + row * ind->n_cats;
}

/* Add v to category cat of a structure's row (the total row is summed at the end, from the
 * structures it counts). */
void rep_add(report *r, report_indicator *ind, size_t row, size_t cat, double v)
{
	(void)r;
	rep_cell(ind, row)[cat] += v;
}

/* The total row of every indicator: the sum of the structures counted in the total. Every
 * category adds up (a mean's category holds the sum of its values), but a VALUE, whose total
 * row its indicator computes. */
static void totals(report *r)
{
	for (size_t i = 0; i < REPORT_N + r->n_extra; i++) {
		report_indicator *ind = i < REPORT_N ? &r->ind[i] : &r->extra[i - REPORT_N];
		double *t = rep_cell(ind, r->n_structures);
		for (size_t row = 0; row < r->n_structures; row++)
			for (size_t k = 0; r->sources[row].in_total && k < ind->n_cats; k++)
				if (ind->cats[k].kind != REPORT_VALUE)
					t[k] += rep_cell(ind, row)[k];
	}
}

/* Allocate the values once the categories are known (before the first query). */
void rep_values_alloc(const report *r, report_indicator *ind)
{
	if (!ind->values)
		ind->values =
		    xcalloc((r->n_structures + 1) * (ind->n_cats ? ind->n_cats : 1), sizeof(double));
}

long rep_structure_row(const report *r, const char *code)
{
	for (size_t i = 0; code && i < r->n_structures; i++)
		if (strcmp(r->structures[i], code) == 0)
			return (long)i;
	return -1;
}

/* A row (structure | v1, …, vk): vi adds to category i - 1. */
static void rep_add_wide(void *vctx, const store_report_row *row)
{
	rep_sink *k = vctx;
	long at = rep_structure_row(k->r, row->structure);
	for (size_t i = 0; at >= 0 && i < row->n_values && i < k->ind->n_cats; i++)
		rep_add(k->r, k->ind, (size_t)at, i, row->values[i]);
}

/* A row (structure, code | value): the value adds to the category of that code (codes that are
 * no category are dropped) and, when total >= 0, to category total as well. */
void rep_add_long(void *vctx, const store_report_row *row)
{
	rep_sink *k = vctx;
	long at = rep_structure_row(k->r, row->structure);
	if (at < 0 || row->n_values < 1)
		return;
	double v = row->values[0];
	for (size_t i = 0; row->code && i < k->ind->n_cats; i++)
		if ((int)i != k->total && strcmp(k->ind->cats[i].code, row->code) == 0)
			rep_add(k->r, k->ind, (size_t)at, i, v);
	if (k->total >= 0)
		rep_add(k->r, k->ind, (size_t)at, (size_t)k->total, v);
}

/* Run query q into ind with add_row (add_wide or add_long; total: add_long's category of every
 * row). A query the database cannot answer (a table or column it lacks) marks the indicator
 * not available rather than failing. */
int rep_run(rep_ctx *c, report_indicator *ind, enum store_report_query q, const store_report_args *a,
            void (*add_row)(void *, const store_report_row *), int total, void *data)
{
	rep_values_alloc(c->r, ind);
	store_report_args args = a ? *a : (store_report_args){0};
	args.first = c->first;
	args.last = c->last;
	rep_sink k = {c->r, ind, total, data};
	char *why = NULL;
	int rc = store_report_rows(c->s, q, &args, add_row, &k, &why);
	if (rc == STORE_REPORT_MISSING) {
		rep_unavailable(ind, "requête impossible : %s", why);
		rc = 0;
	} else if (rc) {
		*c->why = why; /* the caller's now */
		return rc;
	}
	free(why);
	return rc;
}

/* A query whose rows have no code: their values fill the categories in order. */
int rep_run_wide(rep_ctx *c, report_indicator *ind, enum store_report_query q, const store_report_args *a)
{
	return rep_run(c, ind, q, a, rep_add_wide, -1, NULL);
}

/* A query whose rows have a code: each fills the category of its code, and category total. */
int rep_run_long(rep_ctx *c, report_indicator *ind, int total, enum store_report_query q)
{
	return rep_run(c, ind, q, NULL, rep_add_long, total, NULL);
}

/* ------------------------------------------------------------ the indicators */

bool rep_need_suivis(rep_ctx *c, report_indicator *ind)
{
	return rep_need_codes(ind, rep_need_field(c, ind, "contact", "statut"), "realise", NULL);
}

static bool need_hcv_tests(rep_ctx *c, report_indicator *ind)
{
	return rep_need_codes(ind, rep_need_field(c, ind, "hcv", "evenement"), "test", NULL) &&
	       rep_need_codes(ind, rep_need_field(c, ind, "hcv", "virus"), "vhc", NULL) &&
	       rep_need_codes(ind, rep_need_field(c, ind, "hcv", "propose"), "realise", NULL);
}

static int ind_suivis(rep_ctx *c, report_indicator *ind)
{
	rep_count_add(ind, "patients", "Patients suivis (au moins un contact réalisé)", -1);
	return rep_need_suivis(c, ind) ? rep_run_wide(c, ind, STORE_REPORT_FOLLOWED, NULL) : 0;
}

static int ind_inclusions(rep_ctx *c, report_indicator *ind)
{
	rep_count_add(ind, "patients", "Nouvelles inclusions (date d'inclusion dans la période)", -1);
	return rep_need_field(c, ind, "patient", "date_inclusion")
	           ? rep_run_wide(c, ind, STORE_REPORT_INCLUDED, NULL)
	           : 0;
}

/* Entries counted by the codes of one choice field, with their total; hide_zero for text. */
static int by_codes(rep_ctx *c, report_indicator *ind, const char *form_id, const char *field_id,
                    bool done_only, const char *total_label, enum store_report_query q, bool hide_zero)
{
	const field *fd = rep_need_field(c, ind, form_id, field_id);
	if (!fd || (done_only && !rep_need_suivis(c, ind)))
		return 0;
	rep_cats_from_choices(ind, fd, -1);
	int total = rep_count_add(ind, "total", total_label, -1);
	rep_parts_of(ind, 0, (size_t)total, total);
	ind->hide_zero = hide_zero;
	return rep_run_long(c, ind, total, q);
}

static int ind_sorties(rep_ctx *c, report_indicator *ind)
{
	return by_codes(c, ind, "sortie", "motif", false, "Total des sorties", STORE_REPORT_EXITS, true);
}

static int ind_contacts_statut(rep_ctx *c, report_indicator *ind)
{
	return by_codes(c, ind, "contact", "statut", false, "Total des contacts", STORE_REPORT_CONTACTS,
	                false);
}

static int ind_contacts_intervenant(rep_ctx *c, report_indicator *ind)
{
	return by_codes(c, ind, "contact", "intervenant", true, "Total des contacts réalisés",
	                STORE_REPORT_CONTACTS_BY_PROFESSION, true);
}

static int ind_contacts_type(rep_ctx *c, report_indicator *ind)
{
	return by_codes(c, ind, "contact", "type_contact", true, "Total des contacts réalisés",
	                STORE_REPORT_CONTACTS_BY_KIND, true);
}

/* Patients counted by a calculated band (or zone, or class) of their last entry of the period:
 * the number assessed, then one category per choice the YAML gives the field, in its order. */
static int by_band(rep_ctx *c, report_indicator *ind, const char *assessed, const char *form_id,
                   const char *field_id, enum store_report_query q)
{
	int n = rep_count_add(ind, "evalues", assessed, -1);
	const field *fd = rep_need_field(c, ind, form_id, field_id);
	if (!fd)
		return 0;
	if (!fd->choices || !fd->choices->n) {
		rep_unavailable(ind, "champ « %s.%s » sans choices: (ses catégories)", form_id, field_id);
		return 0;
	}
	rep_cats_from_choices(ind, fd, n);
	rep_parts_of(ind, (size_t)n + 1, ind->n_cats, n);
	return rep_run_long(c, ind, n, q);
}

static int ind_audit_zone(rep_ctx *c, report_indicator *ind)
{
	return by_band(c, ind, "Patients évalués (dernier AUDIT de la période)", "audit", "zone_oms",
	               STORE_REPORT_AUDIT_ZONE);
}

static int ind_audit_classe(rep_ctx *c, report_indicator *ind)
{
	/* The patients assessed are those with a zone, as for the zones: both count the same ones. */
	if (!rep_need_field(c, ind, "audit", "zone_oms"))
		return 0;
	return by_band(c, ind, "Patients évalués (dernier AUDIT de la période)", "audit", "classe_fr",
	               STORE_REPORT_AUDIT_CLASS);
}

static int ind_epices(rep_ctx *c, report_indicator *ind)
{
	double seuil = 0;
	bool have = rep_need_field(c, ind, "precarite", "epices_score") &&
	            rep_need_threshold(c, ind, "epices_precarite", &seuil);
	char num[48], label[128];
	format_number(seuil, -1, num, sizeof num);
	char *dot = strchr(num, '.');
	if (dot)
		*dot = ',';
	snprintf(label, sizeof label, "Précaires (score ≥ %s)", have ? num : "seuil");
	int n = rep_count_add(ind, "evalues", "Patients évalués (dernier score de la période)", -1);
	rep_cat_add(ind, "score_moyen", "Score EPICES moyen", REPORT_MEAN, n, -1);
	int prec = rep_count_add(ind, "precaires", label, -1);
	rep_cat_add(ind, "part_precaires", "Part des précaires (%)", REPORT_PERCENT, n, prec);
	if (!have)
		return 0;
	store_report_args a = {.epices_threshold = seuil};
	return rep_run_wide(c, ind, STORE_REPORT_EPICES, &a);
}

static int ind_cascade(rep_ctx *c, report_indicator *ind)
{
	int k = rep_count_add(ind, "suivis", "Patients suivis", -1);
	k = rep_count_add(ind, "depistes", "Dépistés (TROD ou sérologie VHC réalisé)", k);
	k = rep_count_add(ind, "ac_positifs", "Anticorps anti-VHC positifs", k);
	k = rep_count_add(ind, "arn_testes", "ARN recherché (résultat rendu)", k);
	k = rep_count_add(ind, "arn_positifs", "ARN détectable (infection active)", k);
	k = rep_count_add(ind, "traites", "Traités (antiviraux à action directe)", k);
	rep_count_add(ind, "gueris", "Guéris (RVS12)", k);
	if (!rep_need_suivis(c, ind) || !need_hcv_tests(c, ind) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "type_test"), "trod", "serologie",
	                    "arn_qualitatif", "charge_virale", NULL) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "resultat"), "positif", NULL) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "arn_resultat"), "detectable", "indetectable",
	                    NULL) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "evenement"), "traitement", NULL) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "rvs12"), "guerison", NULL))
		return 0;
	return rep_run_wide(c, ind, STORE_REPORT_HCV_CASCADE, NULL);
}

static int ind_vhb(rep_ctx *c, report_indicator *ind)
{
	int n = rep_count_add(ind, "suivis", "Patients suivis", -1);
	const field *fd = rep_need_field(c, ind, "hcv", "statut_vhb");
	if (!fd || !rep_need_suivis(c, ind) ||
	    !rep_need_codes(ind, rep_need_field(c, ind, "hcv", "evenement"), "vaccination_vhb", NULL))
		return 0;
	rep_cats_from_choices(ind, fd, n);
	rep_count_add(ind, "non_renseigne", "Non renseigné", n);
	rep_parts_of(ind, (size_t)n + 1, ind->n_cats, n);
	return rep_run_long(c, ind, n, STORE_REPORT_HBV_STATUS);
}

/* The day that is months before day (the same day of the month, or the month's last day). */
static long months_before(long day, int months)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	int total = y * 12 + (m - 1) - months;
	y = total / 12;
	m = total % 12 + 1;
	long next_month = m == 12 ? date_from_ymd(y + 1, 1, 1) : date_from_ymd(y, m + 1, 1);
	int last = (int)(next_month - date_from_ymd(y, m, 1));
	return date_from_ymd(y, m, d < last ? d : last);
}

/* The cut-off days of the screenings due at day end (on or before them, a last test is too
 * old): for active injectors, and for the others. */
static void due_cutoffs(long end, double mois_inj, double mois, char cut_inj[11], char cut[11])
{
	date_format(months_before(end, (int)mois_inj), cut_inj);
	date_format(months_before(end, (int)mois), cut);
}

static void add_due(void *ctx, const store_report_row *row)
{
	if (row->n_values >= 3)
		*(long *)ctx += (long)row->values[2];
}

int report_hcv_due(store *s, const formset *fs, long today, long *due, char **why)
{
	*due = -1;
	bool found_inj = false, found = false;
	const reporting *rep = fs->reporting;
	double mois_inj = rep ? reporting_threshold(rep, "depistage_vhc_injecteur_mois", &found_inj) : 0;
	double mois = rep ? reporting_threshold(rep, "depistage_vhc_mois", &found) : 0;
	if (!found_inj || !found)
		return 0;
	char first[11], last[11], cut_inj[11], cut[11];
	date_format(months_before(today, 12) + 1, first);
	date_format(today, last);
	due_cutoffs(today, mois_inj, mois, cut_inj, cut);
	store_report_args a = {.first = first, .last = last, .due_injector = cut_inj, .due_other = cut};
	long n = 0;
	char *err = NULL;
	int rc = store_report_rows(s, STORE_REPORT_HCV_DUE, &a, add_due, &n, &err);
	if (rc == STORE_REPORT_MISSING) {
		free(err); /* a form or field the database lacks: nothing to count */
		return 0;
	}
	if (rc) {
		*why = err;
		return rc;
	}
	*due = n;
	return 0;
}

static int ind_depistage(rep_ctx *c, report_indicator *ind)
{
	double mois = 0, mois_inj = 0;
	bool have = rep_need_suivis(c, ind) && need_hcv_tests(c, ind) &&
	            rep_need_field(c, ind, "substances", "injecteur_actif") &&
	            rep_need_threshold(c, ind, "depistage_vhc_injecteur_mois", &mois_inj) &&
	            rep_need_threshold(c, ind, "depistage_vhc_mois", &mois);
	char l_inj[96], l_aut[96];
	snprintf(l_inj, sizeof l_inj, "dont injecteurs actifs (aucun test depuis %d mois)", (int)mois_inj);
	snprintf(l_aut, sizeof l_aut, "dont autres patients (aucun test depuis %d mois)", (int)mois);
	int n = rep_count_add(ind, "suivis", "Patients suivis", -1);
	rep_count_add(ind, "injecteurs_actifs", "Injecteurs actifs (injection dans les 30 jours)", n);
	int due = rep_count_add(ind, "a_faire", "Dépistage VHC à faire", n);
	rep_count_add(ind, "a_faire_injecteurs", l_inj, due);
	rep_count_add(ind, "a_faire_autres", l_aut, due);
	rep_parts_of(ind, (size_t)due + 1, ind->n_cats, due);
	if (!have)
		return 0;
	char cut_inj[11], cut[11];
	due_cutoffs(c->r->period.last, mois_inj, mois, cut_inj, cut);
	store_report_args a = {.due_injector = cut_inj, .due_other = cut};
	return rep_run_wide(c, ind, STORE_REPORT_HCV_DUE, &a);
}

static int ind_phq9(rep_ctx *c, report_indicator *ind)
{
	return by_band(c, ind, "Patients évalués (dernier PHQ-9 de la période)", "sante_mentale",
	               "phq9_severite", STORE_REPORT_PHQ9_BAND);
}

static int ind_gad7(rep_ctx *c, report_indicator *ind)
{
	return by_band(c, ind, "Patients évalués (dernier GAD-7 de la période)", "sante_mentale",
	               "gad7_severite", STORE_REPORT_GAD7_BAND);
}

static int ind_alertes(rep_ctx *c, report_indicator *ind)
{
	int n = rep_count_add(ind, "total", "Alertes levées sur des entrées de la période", -1);
	rep_count_add(ind, "urgent", "dont urgentes", n);
	rep_count_add(ind, "attention", "dont à surveiller", n);
	rep_count_add(ind, "info", "dont pour information", n);
	rep_parts_of(ind, (size_t)n + 1, ind->n_cats, n);
	return rep_run_long(c, ind, n, STORE_REPORT_ALERTS);
}

/* Each indicator: its CSV code, its French heading, how it is computed in plain French for
 * the coordinator and the recipient of the archive (report_definition writes the thresholds of
 * reporting.yaml in place of {id}), and the function that fills it. */
static const rep_def indicators[REPORT_IMPACT_FIRST] = {
    [REPORT_SUIVIS] = {"patients_suivis", "Patients suivis (au moins un contact réalisé)",
                       "les patients qui ont au moins un contact réalisé (statut « réalisé ») daté dans "
                       "la période : la file active, qui fonde le forfait annuel quand la période est "
                       "une année.",
                       ind_suivis},
    [REPORT_INCLUSIONS] = {"inclusions", "Nouvelles inclusions",
                           "les patients dont la date d'inclusion (questionnaire patient) est dans la "
                           "période.",
                           ind_inclusions},
    [REPORT_SORTIES] = {"sorties", "Sorties par motif",
                        "les questionnaires de sortie datés dans la période, par motif, et leur total.",
                        ind_sorties},
    [REPORT_CONTACTS_STATUT] = {"contacts_statut", "Contacts par statut",
                                "les contacts datés dans la période, par statut (réalisé, non honoré, "
                                "annulé…), et leur total.",
                                ind_contacts_statut},
    [REPORT_CONTACTS_INTERVENANT] = {"contacts_intervenant", "Contacts réalisés par profession",
                                     "les contacts réalisés datés dans la période, par profession de "
                                     "l'intervenant, et leur total.",
                                     ind_contacts_intervenant},
    [REPORT_CONTACTS_TYPE] = {"contacts_type", "Contacts réalisés par type",
                              "les contacts réalisés datés dans la période, par type de contact, et leur "
                              "total.",
                              ind_contacts_type},
    [REPORT_AUDIT_ZONE] = {"audit_zone_oms", "AUDIT : zones de risque de l'OMS",
                           "pour chaque patient, suivi ou non, le dernier AUDIT de la période dont le "
                           "score est calculé : le nombre de patients évalués, puis la zone de risque de "
                           "l'OMS (I à IV) de ce dernier AUDIT.",
                           ind_audit_zone},
    [REPORT_AUDIT_CLASSE] = {"audit_classe_fr", "AUDIT : lecture française (Gache 2005)",
                             "les mêmes patients et le même dernier AUDIT de la période, lus selon les "
                             "seuils français (Gache 2005, selon le sexe : mésusage à partir de "
                             "{audit_mesusage_h} pour un homme et {audit_mesusage_f} pour une femme, "
                             "dépendance probable à partir de {audit_dependance}) ; un patient dont la "
                             "classe ne peut être calculée (sexe non renseigné) ne compte que parmi les "
                             "évalués.",
                             ind_audit_classe},
    [REPORT_EPICES] = {"epices", "Précarité : score EPICES",
                       "pour chaque patient, le dernier score EPICES de la période : le nombre de "
                       "patients évalués, leur score moyen, le nombre et la part de patients précaires "
                       "(score supérieur ou égal à {epices_precarite}).",
                       ind_epices},
    [REPORT_CASCADE_VHC] = {"cascade_vhc", "Cascade VHC (examens cumulés jusqu'à la fin de la période)",
                            "parmi les patients suivis dans la période, avec tous leurs examens VHC datés "
                            "jusqu'à la fin de la période, même avant elle. La cascade compte chaque étape "
                            "parmi les patients de l'étape précédente : dépistés (TROD ou sérologie VHC "
                            "réalisé), dont anticorps positifs, dont ARN recherché (résultat rendu), dont "
                            "ARN détectable, dont traités, dont guéris (RVS12).",
                            ind_cascade},
    [REPORT_VACCINATION_VHB] = {"vaccination_vhb", "Vaccination VHB (dernier statut connu)",
                                "parmi les patients suivis dans la période, le dernier statut vaccinal "
                                "VHB noté jusqu'à la fin de la période (« inconnu » seulement quand rien "
                                "de mieux n'a jamais été noté) ; « non renseigné » quand aucun.",
                                ind_vhb},
    [REPORT_DEPISTAGE_VHC] = {"depistage_vhc", "Dépistage VHC à renouveler (à la fin de la période)",
                              "parmi les patients suivis dans la période, au dernier jour de la période : "
                              "les injecteurs actifs (dernier questionnaire substances : injection dans les "
                              "30 jours), et les patients dont le dépistage VHC est à faire, sans aucun "
                              "test VHC réalisé depuis {depistage_vhc_injecteur_mois} mois pour un "
                              "injecteur actif, {depistage_vhc_mois} mois pour les autres (jamais testés "
                              "compris).",
                              ind_depistage},
    [REPORT_PHQ9] = {"phq9_severite", "Santé mentale : PHQ-9 (dépression)",
                     "pour chaque patient, le dernier questionnaire de santé mentale de la période dont "
                     "le PHQ-9 est calculé : le nombre de patients évalués, puis leur degré de sévérité.",
                     ind_phq9},
    [REPORT_GAD7] = {"gad7_severite", "Santé mentale : GAD-7 (anxiété)",
                     "pour chaque patient, le dernier questionnaire de santé mentale de la période dont "
                     "le GAD-7 est calculé : le nombre de patients évalués, puis leur degré de sévérité.",
                     ind_gad7},
    [REPORT_ALERTES] = {"alertes", "Alertes cliniques (nombre, sans texte)",
                        "les alertes cliniques levées sur des saisies datées dans la période, au total et "
                        "par niveau : un nombre, jamais leur texte.",
                        ind_alertes},
};

/* ------------------------------------------------------------ the forms of the structure */

/* A new indicator of r->extra (id and title copied); borrowed until the next one is added. */
static report_indicator *extra_add(report *r, const char *id, const char *title)
{
	r->extra = xrealloc(r->extra, (r->n_extra + 1) * sizeof *r->extra);
	report_indicator *ind = &r->extra[r->n_extra++];
	*ind = (report_indicator){
	    .id = xstrdup(id), .title = xstrdup(title), .available = true, .unmasked = true};
	return ind;
}

/* Where the rows of a form of the structure go: FORM_mois (first), one FORM_FIELD per coded
 * field (their index per field, -1 for the others), and FORM_nombres (its categories per
 * numeric field). */
typedef struct {
	report *r;
	const form *f;
	size_t months;   /* index of FORM_mois in r->extra */
	long *coded;     /* per field: index in r->extra, or -1 */
	long numbers;    /* index of FORM_nombres, or -1 */
	int *number_cat; /* per field: its total's category in FORM_nombres (the mean follows) */
} sf_sink;

static void sf_row(void *vctx, const store_sf_row *row)
{
	sf_sink *k = vctx;
	long at = rep_structure_row(k->r, row->structure);
	if (at < 0)
		return;
	if (!row->fd) {
		report_indicator *ind = &k->r->extra[k->months];
		for (size_t i = 0; i + 1 < ind->n_cats; i++)
			if (strcmp(ind->cats[i].code, row->month) == 0)
				rep_add(k->r, ind, (size_t)at, i, row->n);
		rep_add(k->r, ind, (size_t)at, ind->n_cats - 1, row->n);
		/* The entries are the base of the other indicators (their category 0). */
		for (size_t i = 0; i < k->f->n_fields; i++)
			if (k->coded[i] >= 0)
				rep_add(k->r, &k->r->extra[k->coded[i]], (size_t)at, 0, row->n);
		if (k->numbers >= 0)
			rep_add(k->r, &k->r->extra[k->numbers], (size_t)at, 0, row->n);
		return;
	}
	size_t fi = (size_t)(row->fd - k->f->fields);
	if (row->code && k->coded[fi] >= 0) {
		report_indicator *ind = &k->r->extra[k->coded[fi]];
		for (size_t i = 1; i < ind->n_cats; i++)
			if (strcmp(ind->cats[i].code, row->code) == 0)
				rep_add(k->r, ind, (size_t)at, i, row->n);
	} else if (!row->code && k->numbers >= 0 && k->number_cat[fi] >= 0) {
		report_indicator *ind = &k->r->extra[k->numbers];
		rep_add(k->r, ind, (size_t)at, (size_t)k->number_cat[fi], row->sum);
		rep_add(k->r, ind, (size_t)at, (size_t)k->number_cat[fi] + 1, row->sum);
	}
}

/* FORM_mois: one category per month of the period, then the total. */
static void sf_months(rep_ctx *c, report_indicator *ind)
{
	int y = atoi(c->first), m = atoi(c->first + 5);
	int ly = atoi(c->last), lm = atoi(c->last + 5);
	for (; y < ly || (y == ly && m <= lm); m = m == 12 ? 1 : m + 1, y += m == 1) {
		char code[16];
		snprintf(code, sizeof code, "%04d-%02d", y, m);
		rep_count_add(ind, code, code, -1);
	}
	rep_count_add(ind, "total", "Total de la période", -1);
}

/* The indicators of one form of the structure, then its query. */
static int structure_form(rep_ctx *c, const form *f)
{
	report *r = c->r;
	const char *title = f->title.fr;
	char *id = xasprintf("%s_mois", f->id), *t = xasprintf("%s : nombre par mois", title);
	sf_sink k = {.r = r, .f = f, .months = r->n_extra, .numbers = -1};
	sf_months(c, extra_add(r, id, t));
	free(id);
	free(t);
	k.coded = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *k.coded);
	k.number_cat = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *k.number_cat);
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		k.coded[i] = k.number_cat[i] = -1;
		if (!store_sf_coded(fd) || !fd->exported)
			continue;
		id = xasprintf("%s_%s", f->id, fd->id);
		t = xasprintf("%s : %s", title, fd->label.fr);
		k.coded[i] = (long)r->n_extra;
		report_indicator *ind = extra_add(r, id, t);
		free(id);
		free(t);
		rep_count_add(ind, "fiches", "Fiches de la période", -1);
		if (fd->type == FT_YESNO) {
			rep_count_add(ind, "1", "oui", 0);
			rep_count_add(ind, "0", "non", 0);
		} else {
			rep_cats_from_choices(ind, fd, 0);
		}
	}
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		if (!store_sf_numeric(fd) || !fd->exported)
			continue;
		if (k.numbers < 0) {
			id = xasprintf("%s_nombres", f->id);
			t = xasprintf("%s : totaux et moyennes par fiche", title);
			k.numbers = (long)r->n_extra;
			rep_count_add(extra_add(r, id, t), "fiches", "Fiches de la période", -1);
			free(id);
			free(t);
		}
		report_indicator *ind = &r->extra[k.numbers];
		char *label = xasprintf("%s : total", fd->label.fr);
		k.number_cat[i] = rep_count_add(ind, fd->id, label, -1);
		free(label);
		id = xasprintf("%s_moyenne", fd->id);
		label = xasprintf("%s : moyenne par fiche", fd->label.fr);
		rep_cat_add(ind, id, label, REPORT_MEAN, 0, -1);
		free(id);
		free(label);
	}
	for (size_t i = k.months; i < r->n_extra; i++)
		rep_values_alloc(r, &r->extra[i]);
	char *why = NULL;
	int rc = store_structure_form_rows(c->s, f, c->first, c->last, sf_row, &k, &why);
	if (rc == STORE_REPORT_MISSING) {
		for (size_t i = k.months; i < r->n_extra; i++)
			rep_unavailable(&r->extra[i], "requête impossible : %s", why);
		rc = 0;
	}
	if (rc)
		*c->why = why;
	else
		free(why);
	free(k.coded);
	free(k.number_cat);
	return rc;
}

static const rep_def *def_of(enum report_id id)
{
	return id < REPORT_IMPACT_FIRST ? &indicators[id] : rep_impact_def(id);
}

bool report_on_page(enum report_id id, unsigned page)
{
	return (page & (id < REPORT_IMPACT_FIRST ? REPORT_PAGE_ACTIVITY : REPORT_PAGE_IMPACT)) != 0;
}

static void structure_add(void *vctx, const char *code)
{
	report *r = vctx;
	for (size_t i = 0; i < r->n_structures; i++)
		if (strcmp(r->structures[i], code) == 0)
			return;
	r->structures = xrealloc(r->structures, (r->n_structures + 1) * sizeof *r->structures);
	r->structures[r->n_structures++] = xstrdup(code);
}

static int by_code(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Where each structure's figures come from, at a regional database. */
static void source_set(report *r, report_source *src, const ledger_structure *st)
{
	src->cover = ledger_cover_of(st, &r->period);
	src->in_total = src->cover == LEDGER_FULL;
	src->text = ledger_source_text(st);
	src->why = ledger_cover_why(st, &r->period);
	if (st && st->sequence) {
		src->sequence = st->sequence;
		snprintf(src->period, sizeof src->period, "%s", st->period);
		if (st->made)
			date_format(st->made, src->made);
	}
}

/* The structures: those of the patients, sorted; at a regional database with those it knows
 * (ledger.h) and where each one's figures come from; the database's own when it has no patient. */
static int load_structures(rep_ctx *c)
{
	report *r = c->r;
	int rc = store_report_structures(c->s, structure_add, r, c->why);
	ledger *l = NULL;
	r->regional = !rc && store_is_regional(c->s);
	if (r->regional && (l = ledger_load(c->s, c->why, &rc)))
		for (size_t i = 0; i < l->n; i++)
			structure_add(r, l->v[i].code);
	if (!rc && r->n_structures == 0) {
		char code[64], name[256];
		structure_add(r, store_structure(c->s, code, name) ? code : "?");
	}
	if (r->n_structures)
		qsort(r->structures, r->n_structures, sizeof *r->structures, by_code);
	r->sources = xcalloc(r->n_structures ? r->n_structures : 1, sizeof *r->sources);
	for (size_t i = 0; i < r->n_structures; i++) {
		if (r->regional)
			source_set(r, &r->sources[i], ledger_find(l, r->structures[i]));
		else
			r->sources[i] = (report_source){.cover = LEDGER_FULL, .in_total = true};
		r->n_in_total += r->sources[i].in_total;
	}
	ledger_free(l);
	return rc;
}

/* ------------------------------------------------------------ the yearly package */

typedef struct {
	report *r;
	report_package *y;
} package_ctx;

static void package_row(void *vctx, const char *structure, bool opposed, int64_t n)
{
	package_ctx *k = vctx;
	long at = rep_structure_row(k->r, structure);
	if (at >= 0)
		(opposed ? k->y->n_opposed : k->y->n)[at] += n;
}

/* One year of the package per calendar year of the period, each row summed as the other
 * indicators' totals are (the structures counted in the total). A contact form without the
 * columns leaves package_why set, not an error. */
static int package_compute(rep_ctx *c)
{
	report *r = c->r;
	const package_rule *rule = c->fs->reporting ? &c->fs->reporting->package : NULL;
	if (!rule || !rule->present)
		return 0;
	int y0, y1, m, d;
	date_to_ymd(r->period.first, &y0, &m, &d);
	date_to_ymd(r->period.last, &y1, &m, &d);
	size_t rows = report_rows(r);
	for (int y = y0; y <= y1; y++) {
		r->package = xrealloc(r->package, (r->n_package + 1) * sizeof *r->package);
		report_package *p = &r->package[r->n_package++];
		p->year = y;
		long first = date_from_ymd(y, 1, 1), last = date_from_ymd(y, 12, 31);
		date_format(first < r->period.first ? r->period.first : first, p->first);
		date_format(last > r->period.last ? r->period.last : last, p->last);
		p->n = xcalloc(rows, sizeof *p->n);
		p->n_opposed = xcalloc(rows, sizeof *p->n_opposed);
		package_ctx k = {r, p};
		char *why = NULL;
		int rc = store_package_rows(c->s, p->first, p->last, (const char *const *)rule->statuses,
		                            rule->n_statuses, (const char *const *)rule->intervenants,
		                            rule->n_intervenants, rule->minimum, package_row, &k, &why);
		if (rc == STORE_REPORT_MISSING) {
			free(r->package_why);
			r->package_why = why;
			continue;
		}
		if (rc) {
			*c->why = why;
			return rc;
		}
		for (size_t i = 0; rows > r->n_structures && i < r->n_structures; i++)
			if (r->sources[i].in_total) {
				p->n[r->n_structures] += p->n[i];
				p->n_opposed[r->n_structures] += p->n_opposed[i];
			}
	}
	return 0;
}

report *report_compute(store *s, const formset *fs, const period *p, char **why, int *code)
{
	return report_compute_progress(s, fs, p, NULL, NULL, why, code);
}

report *report_compute_pages(store *s, const formset *fs, const period *p, unsigned pages, char **why,
                             int *code)
{
	return report_compute_page_progress(s, fs, p, pages, NULL, NULL, why, code);
}

report *report_compute_progress(store *s, const formset *fs, const period *p,
                                void (*progress)(void *ctx, int step, int steps), void *ctx, char **why,
                                int *code)
{
	return report_compute_page_progress(s, fs, p, REPORT_PAGE_ACTIVITY, progress, ctx, why, code);
}

report *report_compute_page_progress(store *s, const formset *fs, const period *p, unsigned pages,
                                     void (*progress)(void *ctx, int step, int steps), void *ctx, char **why,
                                     int *code)
{
	report *r = xcalloc(1, sizeof *r);
	r->period = *p;
	r->pages = pages;
	r->mask_max = fs->reporting ? fs->reporting->small_count_mask : 4;
	r->reporting = fs->reporting;
	rep_ctx c = {.s = s, .fs = fs, .r = r, .why = why};
	date_format(p->first, c.first);
	date_format(p->last, c.last);
	int rc = store_report_begin(s, why);
	if (!rc)
		rc = load_structures(&c);
	if (!rc && (r->has_rights = !r->regional || store_has_own_patients(s))) {
		int64_t n[3] = {0, 0, 0};
		rc = store_rights_counts(s, c.last, n, why);
		r->patients = n[0], r->informed = n[1], r->opposed = n[2];
	}
	int steps = 0, step = 0;
	for (int i = 0; i < REPORT_N; i++)
		steps += report_on_page((enum report_id)i, pages);
	for (int i = 0; !rc && i < REPORT_N; i++) {
		report_indicator *ind = &r->ind[i];
		const rep_def *d = def_of((enum report_id)i);
		ind->id = d->id;
		ind->title = d->title;
		ind->definition = report_definition((enum report_id)i, fs->reporting);
		if (!report_on_page((enum report_id)i, pages)) {
			rep_unavailable(ind, "non calculé");
		} else {
			if (progress)
				progress(ctx, ++step, steps);
			ind->available = true;
			rc = d->fn(&c, ind);
		}
		rep_values_alloc(r, ind); /* an indicator that ran no query */
	}
	for (size_t k = 0; !rc && k < fs->n_forms; k++)
		if (fs->forms[k]->scope == SCOPE_STRUCTURE)
			rc = structure_form(&c, fs->forms[k]);
	if (!rc)
		rc = package_compute(&c);
	store_report_end(s);
	if (!rc) {
		totals(r);
		report_mask_apply(r);
	}
	if (rc) {
		*code = rc;
		report_free(r);
		return NULL;
	}
	return r;
}

static void indicator_done(report_indicator *ind)
{
	for (size_t k = 0; k < ind->n_cats; k++) {
		free(ind->cats[k].code);
		free(ind->cats[k].label);
	}
	free(ind->cats);
	free(ind->values);
	free(ind->mask);
	free(ind->unavailable);
	free(ind->definition);
}

void report_free(report *r)
{
	if (!r)
		return;
	for (int i = 0; i < REPORT_N; i++)
		indicator_done(&r->ind[i]);
	for (size_t k = 0; k < r->n_extra; k++) {
		indicator_done(&r->extra[k]);
		free((char *)r->extra[k].id);
		free((char *)r->extra[k].title);
	}
	free(r->extra);
	for (size_t i = 0; i < r->n_structures; i++) {
		free(r->structures[i]);
		if (r->sources) {
			free(r->sources[i].text);
			free(r->sources[i].why);
		}
	}
	free(r->structures);
	free(r->sources);
	for (size_t i = 0; i < r->n_package; i++) {
		free(r->package[i].n);
		free(r->package[i].n_opposed);
	}
	free(r->package);
	free(r->package_why);
	free(r);
}

/* ------------------------------------------------------------ definitions */

/* Characters (not bytes) of UTF-8 text: every label here is one column per character. */
static size_t utf8_chars(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xC0) != 0x80;
	return k;
}

static int text_chars(const char *s)
{
	return (int)utf8_chars(s, strlen(s));
}

const char report_conventions[] =
    "les saisies en brouillon ne comptent jamais, ni les patients opposés à l'usage de leurs données "
    "pour l'évaluation (recueil patient oppose) : aucun export ne les contient, et les chiffres d'une "
    "structure sont ceux que la région calcule de ses exports ; la « dernière » saisie d'un patient est la "
    "plus "
    "récente par date, puis par ordre de création ; un patient compte dans la structure qui l'a inclus "
    "(colonne structure) ; « ensemble » est la somme des structures dont les données couvrent toute la "
    "période.";

char *report_mask_rule(int mask_max)
{
	if (mask_max < 1)
		return xstrdup("aucun masquage des petits effectifs (small_count_mask de reporting.yaml).");
	return xasprintf(
	    "dans ce qui quitte la structure, les effectifs de 1 à %d sont masqués (« <%d » ; en "
	    "CSV, valeur vide et masque 1), et d'autres cases le sont en complément (« s », valeur "
	    "quelconque ; en CSV, masque 1 aussi) pour qu'aucun effectif masqué ne puisse se recalculer à "
	    "partir "
	    "de ceux qui sont affichés : ni par les totaux de catégories, ni par l'ensemble des "
	    "structures, ni par un même effectif donné par deux indicateurs (secret secondaire). "
	    "Une moyenne ou une part calculée sur un effectif masqué est masquée.",
	    mask_max, mask_max + 1);
}

const char *report_indicator_id(enum report_id id)
{
	return def_of(id)->id;
}

const char *report_indicator_title(enum report_id id)
{
	return def_of(id)->title;
}

char *report_definition(enum report_id id, const reporting *rep)
{
	strbuf sb = STRBUF_INIT;
	for (const char *p = def_of(id)->definition; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		if (!close) {
			strbuf_putc(&sb, *p++);
			continue;
		}
		char *name = xstrndup(p + 1, (size_t)(close - p - 1));
		bool found = false;
		double v = rep ? reporting_threshold(rep, name, &found) : 0;
		char num[48];
		format_number(v, -1, num, sizeof num);
		char *dot = strchr(num, '.');
		if (dot)
			*dot = ',';
		if (found)
			strbuf_puts(&sb, num);
		else
			strbuf_printf(&sb, "(seuil %s de reporting.yaml)", name);
		free(name);
		p = close + 1;
	}
	return strbuf_take(&sb);
}

/* Append text wrapped at 80 columns, the lines after the first indented by two spaces. The
 * space before a French ":" or ";" and inside « » never starts a line: it is held as a no-break
 * space while the text is cut, then written as a plain one. */
static void wrap_into(strbuf *o, const char *text)
{
	static const char nbsp[] = "\xC2\xA0";
	strbuf held = STRBUF_INIT;
	for (const char *p = text; *p; p++) {
		if (*p == ' ' && (p[1] == ':' || p[1] == ';' || str_starts(p + 1, "»")))
			strbuf_puts(&held, nbsp);
		else if (str_starts(p, "« "))
			strbuf_puts(&held, "«\xC2\xA0"), p += strlen("« ") - 1;
		else
			strbuf_putc(&held, *p);
	}
	char **lines = NULL;
	size_t n = text_wrap_measured(strbuf_str(&held), 80 - 2, text_chars, &lines);
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(o, i ? "  " : "");
		for (const char *p = lines[i]; *p; p++) {
			if (str_starts(p, nbsp))
				strbuf_putc(o, ' '), p++;
			else
				strbuf_putc(o, *p);
		}
		strbuf_putc(o, '\n');
	}
	lines_free(lines, n);
	strbuf_done(&held);
}

void report_definitions_text(strbuf *o, const reporting *rep)
{
	rep_definitions_text(o, rep, 0, REPORT_IMPACT_FIRST);
}

void rep_definitions_text(strbuf *o, const reporting *rep, int first, int end)
{
	strbuf_puts(o, "DÉFINITIONS DES INDICATEURS\n---------------------------\n");
	char *line = xasprintf("Règles communes : %s", report_conventions);
	wrap_into(o, line);
	free(line);
	char *rule = report_mask_rule(rep ? rep->small_count_mask : 4);
	line = xasprintf("Petits effectifs : %s", rule);
	strbuf_putc(o, '\n');
	wrap_into(o, line);
	free(line);
	free(rule);
	for (int i = first; i < end; i++) {
		char *def = report_definition((enum report_id)i, rep);
		line = xasprintf("%s — %s : %s", def_of((enum report_id)i)->id,
		                 def_of((enum report_id)i)->title, def);
		strbuf_putc(o, '\n');
		wrap_into(o, line);
		free(line);
		free(def);
	}
}

bool report_definitions_csv(const reporting *rep, csv_writer *w)
{
	csv_field(w, "indicateur");
	csv_field(w, "titre");
	csv_field(w, "definition");
	csv_end_row(w);
	csv_field(w, "regles_communes");
	csv_field(w, "Règles communes");
	csv_field(w, report_conventions);
	csv_end_row(w);
	char *rule = report_mask_rule(rep ? rep->small_count_mask : 4);
	csv_field(w, "masque");
	csv_field(w, "Petits effectifs");
	csv_field(w, rule);
	csv_end_row(w);
	free(rule);
	for (int i = 0; i < REPORT_N; i++) {
		char *def = report_definition((enum report_id)i, rep);
		csv_field(w, def_of((enum report_id)i)->id);
		csv_field(w, def_of((enum report_id)i)->title);
		csv_field(w, def);
		csv_end_row(w);
		free(def);
	}
	return csv_flush(w);
}

/* ------------------------------------------------------------ reading the model */

size_t report_rows(const report *r)
{
	return r->n_structures + (r->n_structures > 1);
}

bool report_no_data(const report *r, size_t row)
{
	if (!r->regional)
		return false;
	if (row < r->n_structures)
		return r->sources[row].cover == LEDGER_NONE || r->sources[row].cover == LEDGER_BEFORE;
	return r->n_in_total == 0;
}

const char *report_row_name(const report *r, size_t row)
{
	return row < r->n_structures ? r->structures[row] : "ensemble";
}

/* What the small-count rule does to category cat of a row: REPORT_SHOWN, REPORT_SMALL or
 * REPORT_COMPLEMENT (without report_mask_apply, the small counts alone). */
static int hidden(const report *r, const report_indicator *ind, size_t row, size_t cat, bool mask)
{
	if (!mask || r->mask_max < 1 || ind->unmasked)
		return REPORT_SHOWN;
	if (ind->mask)
		return ind->mask[row * ind->n_cats + cat];
	double v = rep_cell(ind, row)[cat];
	return v >= 1 && v <= r->mask_max ? REPORT_SMALL : REPORT_SHOWN;
}

static report_cell masked_cell(int how)
{
	return (report_cell){false, true, how == REPORT_COMPLEMENT, false, 0};
}

/* 100 × num / base, masked when either count is, no value without a denominator. */
static report_cell share(const report *r, const report_indicator *ind, size_t row, int num, int base,
                         bool mask)
{
	const double *v = rep_cell(ind, row);
	int how = hidden(r, ind, row, (size_t)num, mask);
	if (!how)
		how = hidden(r, ind, row, (size_t)base, mask);
	if (how)
		return masked_cell(how);
	report_cell c = {0};
	if (v[base] > 0)
		c = (report_cell){true, false, false, false, round_to(100.0 * v[num] / v[base], 1)};
	return c;
}

report_cell report_cell_get(const report *r, enum report_id id, size_t row, size_t cat, bool mask)
{
	return report_indicator_cell(r, &r->ind[id], row, cat, mask);
}

report_cell report_indicator_cell(const report *r, const report_indicator *ind, size_t row, size_t cat,
                                  bool mask)
{
	report_cell c = {0};
	if (row > r->n_structures)
		return c;
	if (report_no_data(r, row))
		return (report_cell){false, false, false, true, 0};
	if (!ind->available || cat >= ind->n_cats)
		return c;
	const double *v = rep_cell(ind, row);
	const report_category *k = &ind->cats[cat];
	int how;
	switch (k->kind) {
	case REPORT_COUNT:
		if ((how = hidden(r, ind, row, cat, mask)))
			c = masked_cell(how);
		else
			c = (report_cell){true, false, false, false, v[cat]};
		break;
	case REPORT_MEAN:
		if ((how = hidden(r, ind, row, (size_t)k->base, mask)))
			c = masked_cell(how);
		else if (v[k->base] > 0)
			c = (report_cell){true, false, false, false, round_to(v[cat] / v[k->base], 2)};
		break;
	case REPORT_PERCENT:
		c = share(r, ind, row, k->num, k->base, mask);
		break;
	case REPORT_VALUE:
		if (k->base >= 0 && (how = hidden(r, ind, row, (size_t)k->base, mask)))
			c = masked_cell(how);
		else if (k->base < 0 || v[k->base] > 0)
			c = (report_cell){true, false, false, false, round_to(v[cat], k->num)};
		break;
	}
	return c;
}

report_cell report_indicator_share(const report *r, const report_indicator *ind, size_t row, size_t cat,
                                   bool mask)
{
	report_cell c = {0};
	if (row > r->n_structures)
		return c;
	if (report_no_data(r, row))
		return (report_cell){false, false, false, true, 0};
	if (!ind->available || cat >= ind->n_cats || ind->cats[cat].kind != REPORT_COUNT ||
	    ind->cats[cat].base < 0)
		return c;
	return share(r, ind, row, (int)cat, ind->cats[cat].base, mask);
}

report_cell report_cell_share(const report *r, enum report_id id, size_t row, size_t cat, bool mask)
{
	return report_indicator_share(r, &r->ind[id], row, cat, mask);
}

int report_decimals(const report_category *k)
{
	switch (k->kind) {
	case REPORT_COUNT:
		return 0;
	case REPORT_MEAN:
		return 2;
	case REPORT_PERCENT:
		return 1;
	default:
		return k->num;
	}
}

/* The value of a cell as text: counts as integers, means with 2 decimals, percentages with 1;
 * the decimal separator is sep. Empty when there is no value. */
static void cell_text(const report_category *k, report_cell c, char sep, char *buf, size_t size)
{
	*buf = 0;
	if (!c.has_value)
		return;
	format_number(c.value, report_decimals(k), buf, size);
	char *dot = strchr(buf, '.');
	if (dot)
		*dot = sep;
}

/* ------------------------------------------------------------ text */

enum { LABEL_COLS = 56, VALUE_COLS = 8 };

/* Print indent and label padded (or cut with "…") to cols characters. */
static void put_label(FILE *out, const char *indent, const char *label, size_t cols)
{
	char *clean = text_sanitize(label, false);
	size_t n = strlen(clean), chars = utf8_chars(clean, n);
	fputs(indent, out);
	if (chars > cols) {
		size_t keep = 0, i = 0;
		for (; i < n; i++) {
			if (((unsigned char)clean[i] & 0xC0) != 0x80 && keep++ == cols - 1)
				break;
		}
		fwrite(clean, 1, i, out);
		fputs("…", out);
	} else {
		fputs(clean, out);
		for (size_t i = chars; i < cols; i++)
			fputc(' ', out);
	}
	free(clean);
}

static void text_line(const report *r, FILE *out, const report_indicator *ind, size_t row, size_t cat,
                      const char *indent, const char *label, bool mask)
{
	report_cell c = report_indicator_cell(r, ind, row, cat, mask);
	char val[48], pct[48] = "";
	if (c.complement)
		snprintf(val, sizeof val, "s");
	else if (c.masked)
		snprintf(val, sizeof val, "<%d", r->mask_max + 1);
	else if (c.has_value)
		cell_text(&ind->cats[cat], c, ',', val, sizeof val);
	else
		snprintf(val, sizeof val, "–");
	put_label(out, indent, label, LABEL_COLS + 2 - strlen(indent));
	/* Right-align by characters: "–" is 3 bytes, one column. */
	for (size_t i = utf8_chars(val, strlen(val)); i < VALUE_COLS; i++)
		fputc(' ', out);
	fputs(val, out);
	report_cell s = report_indicator_share(r, ind, row, cat, mask);
	if (s.has_value) {
		cell_text(&(report_category){.kind = REPORT_PERCENT}, s, ',', pct, sizeof pct);
		fprintf(out, "  %7s %%", pct);
	}
	fputc('\n', out);
}

void rep_text_indicator(const report *r, FILE *out, const report_indicator *ind, size_t row, bool mask)
{
	if (!ind->available) {
		fprintf(out, "%s\n  non disponible : ", ind->title);
		fputs_safe(ind->unavailable, out);
		fputc('\n', out);
		return;
	}
	if (ind->n_cats == 1) {
		text_line(r, out, ind, row, 0, "", ind->title, mask);
		return;
	}
	fprintf(out, "%s\n", ind->title);
	const double *v = rep_cell(ind, row);
	for (size_t k = 0; k < ind->n_cats; k++) {
		if (ind->hide_zero && v[k] == 0 && strcmp(ind->cats[k].code, "total") != 0)
			continue;
		text_line(r, out, ind, row, k, "  ", ind->cats[k].label, mask);
	}
}

/* "2026-07-01" as "01/07/2026". */
static void french_date(long day, char buf[11])
{
	char iso[11];
	date_format(day, iso);
	memcpy(buf, iso + 8, 2);
	buf[2] = '/';
	memcpy(buf + 3, iso + 5, 2);
	buf[5] = '/';
	memcpy(buf + 6, iso, 4);
	buf[10] = 0;
}

/* Print text wrapped to 80 columns, the lines after the first indented by indent spaces. */
static void put_wrapped(FILE *out, const char *text, int indent)
{
	char *clean = text_sanitize(text, false);
	char **lines = NULL;
	size_t n = text_wrap_measured(clean, LABEL_COLS + 2 + VALUE_COLS + 14 - indent, text_chars, &lines);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%*s%s\n", i ? indent : 0, "", lines[i]);
	lines_free(lines, n);
	free(clean);
}

/* A structure's heading at a regional database: where its figures come from, and when they are
 * not complete, why and that the total leaves it out. */
static void text_source(const report *r, FILE *out, size_t row)
{
	const report_source *src = &r->sources[row];
	char *line;
	if (report_no_data(r, row))
		line = xasprintf("Pas de données pour la période : %s. Hors de l'ensemble.", src->why);
	else if (src->why)
		line = xasprintf("Données : %s.\nPARTIEL : %s. Hors de l'ensemble.", src->text, src->why);
	else
		line = xasprintf("Données : %s.", src->text);
	char *cut = line;
	for (char *nl; (nl = strchr(cut, '\n')); cut = nl + 1) {
		*nl = 0;
		put_wrapped(out, cut, 2);
	}
	put_wrapped(out, cut, 2);
	free(line);
}

/* The total's heading at a regional database: which structures it leaves out, and why. */
static void text_total(const report *r, FILE *out)
{
	if (r->n_in_total == r->n_structures)
		return;
	for (size_t row = 0; row < r->n_structures; row++) {
		const report_source *src = &r->sources[row];
		if (src->in_total)
			continue;
		char *line = xasprintf("Hors de l'ensemble : %s (%s : %s)", r->structures[row],
		                       report_no_data(r, row) ? "pas de données" : "partiel", src->why);
		put_wrapped(out, line, 2);
		free(line);
	}
	if (!r->n_in_total)
		fputs("Pas de données : aucune structure n'a de données couvrant toute la période.\n", out);
}

/* An amount in euros, French style: "5 880 €" (whole) or "5 880,50 €". */
static void euros(double v, char out[48])
{
	char num[48];
	format_number(v, 2, num, sizeof num);
	char *dot = strchr(num, '.');
	size_t whole = dot ? (size_t)(dot - num) : strlen(num);
	size_t k = 0;
	for (size_t i = 0; i < whole; i++) {
		if (i && (whole - i) % 3 == 0)
			out[k++] = ' ';
		out[k++] = num[i];
	}
	if (dot && strcmp(dot, ".00") != 0 && strcmp(dot, ".0") != 0)
		k += (size_t)snprintf(out + k, 48 - k, ",%s", dot + 1);
	snprintf(out + k, 48 - k, " €");
}

/* The yearly package: the rule, then per year each structure's patients and amount. Patients who
 * object count here, said apart: their care is real, but they are in no export. */
static void text_package(const report *r, FILE *out)
{
	const package_rule *rule = r->reporting ? &r->reporting->package : NULL;
	if (!rule || !rule->present)
		return;
	fputs("\n==== Forfait annuel (article 51) ====\n", out);
	strbuf sb = STRBUF_INIT;
	char amount[48];
	euros(rule->amount, amount);
	strbuf_printf(&sb, "Règle : au moins %d contact(s) dans l'année civile, de statut ", rule->minimum);
	for (size_t i = 0; i < rule->n_statuses; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", rule->statuses[i]);
	strbuf_puts(&sb, ", par ");
	for (size_t i = 0; i < rule->n_intervenants; i++)
		strbuf_printf(&sb, "%s%s", i ? ", " : "", rule->intervenants[i]);
	strbuf_printf(&sb, " ; %s par patient (%s).", amount, rule->reference);
	put_wrapped(out, strbuf_str(&sb), 2);
	strbuf_done(&sb);
	if (r->package_why) {
		char *line = xasprintf("Non calculable : %s", r->package_why);
		put_wrapped(out, line, 2);
		free(line);
		return;
	}
	for (size_t k = 0; k < r->n_package; k++) {
		const report_package *p = &r->package[k];
		char a[11], b[11];
		long fd = 0, ld = 0;
		date_parse(p->first, &fd);
		date_parse(p->last, &ld);
		french_date(fd, a);
		french_date(ld, b);
		fprintf(out, "%d (contacts du %s au %s) :\n", p->year, a, b);
		for (size_t row = 0; row < report_rows(r); row++) {
			if (report_no_data(r, row))
				continue;
			char total[48];
			euros(rule->amount * (double)p->n[row], total);
			strbuf line = STRBUF_INIT;
			strbuf_printf(&line, "%s : %lld patient(s), %s", report_row_name(r, row),
			              (long long)p->n[row], total);
			if (p->n_opposed[row]) {
				euros(rule->amount * (double)p->n_opposed[row], total);
				strbuf_printf(
				    &line,
				    " ; en plus, %lld patient(s) opposé(s) (%s), comptés ici mais absents "
				    "des exports et des chiffres de la région",
				    (long long)p->n_opposed[row], total);
			}
			strbuf_putc(&line, '.');
			fputs("  ", out);
			put_wrapped(out, strbuf_str(&line), 4);
			strbuf_done(&line);
		}
	}
}

/* The local paragraph on the patients' information and opposition (never in the CSV). */
static void text_rights(const report *r, FILE *out)
{
	char last[11];
	french_date(r->period.last, last);
	fputs("\n==== Information et opposition des patients (chiffres locaux) ====\n", out);
	char *line = xasprintf(
	    "Au %s, %lld patient(s) de la structure : %lld informé(s) de l'usage de leurs données pour "
	    "l'évaluation, %lld jamais informé(s), %lld opposé(s). Les patients opposés ne sont comptés "
	    "dans aucun indicateur ni dans aucun export (le forfait les donne à part) ; ce paragraphe ne "
	    "part pas (il n'est pas dans le CSV).",
	    last, (long long)r->patients, (long long)r->informed, (long long)(r->patients - r->informed),
	    (long long)r->opposed);
	put_wrapped(out, line, 2);
	free(line);
}

void rep_text_page(const report *r, FILE *out, bool mask, const char *title, unsigned page, int first,
                   int end, int joined)
{
	char a[11], b[11];
	french_date(r->period.first, a);
	french_date(r->period.last, b);
	fprintf(out, "%s — période %s (du %s au %s)\n", title, r->period.label, a, b);
	if (r->mask_max < 1)
		fputs("Petits effectifs : aucun masquage prévu (reporting.yaml)\n", out);
	else if (mask)
		fprintf(out, "Effectifs de 1 à %d masqués (« <%d »)\n", r->mask_max, r->mask_max + 1);
	else
		fprintf(out, "Effectifs de 1 à %d non masqués : usage local (--mask pour les masquer)\n",
		        r->mask_max);
	for (size_t row = 0; row < report_rows(r); row++) {
		fputs("\n==== ", out);
		if (row < r->n_structures) {
			fputs("Structure ", out);
			fputs_safe(r->structures[row], out);
		} else if (r->n_in_total < r->n_structures) {
			fprintf(out, "Ensemble des %zu structures aux données complètes (sur %zu)",
			        r->n_in_total, r->n_structures);
		} else {
			fprintf(out, "Ensemble des %zu structures", r->n_structures);
		}
		fputs(" ====\n", out);
		if (r->regional && row < r->n_structures)
			text_source(r, out, row);
		else if (r->regional)
			text_total(r, out);
		if (report_no_data(r, row))
			continue;
		for (int i = first; i < end; i++) {
			if (i != joined)
				fputc('\n', out);
			rep_text_indicator(r, out, &r->ind[i], row, mask);
		}
		for (size_t k = 0; k < r->n_extra; k++) {
			if (!report_extra_on_page(&r->extra[k], page))
				continue;
			fputc('\n', out);
			rep_text_indicator(r, out, &r->extra[k], row, mask);
		}
	}
	if (page == REPORT_PAGE_ACTIVITY) {
		text_package(r, out);
		if (r->has_rights)
			text_rights(r, out);
	}
	strbuf defs = STRBUF_INIT;
	if (mask && r->mask_max >= 1) {
		char *rule = report_mask_rule(r->mask_max);
		char *line = xasprintf("Masquage : %s", rule);
		fputc('\n', out);
		put_wrapped(out, line, 2);
		free(line);
		free(rule);
	}
	rep_definitions_text(&defs, r->reporting, first, end);
	for (size_t k = 0; page == REPORT_PAGE_IMPACT && k < r->n_extra; k++)
		if (report_extra_on_page(&r->extra[k], page)) { /* once, for the meetings' indicators */
			strbuf_putc(&defs, '\n');
			wrap_into(&defs, rep_meetings_definition);
			break;
		}
	fputc('\n', out);
	fputs(strbuf_str(&defs), out);
	strbuf_done(&defs);
}

bool report_write_text(const report *r, FILE *out, bool mask)
{
	/* The two single-value indicators go together, the others each in a paragraph. */
	rep_text_page(r, out, mask, "Rapport d'activité", REPORT_PAGE_ACTIVITY, 0, REPORT_IMPACT_FIRST,
	              REPORT_INCLUSIONS);
	return !ferror(out);
}

/* ------------------------------------------------------------ CSV */

/* The regional columns of a row: statut, export_sequence, export_periode, export_fait_le. */
static void csv_source(const report *r, csv_writer *w, size_t row)
{
	if (row >= r->n_structures) {
		csv_field(w, r->n_in_total ? "" : "pas_de_donnees");
		for (int i = 0; i < 3; i++)
			csv_field(w, "");
		return;
	}
	const report_source *src = &r->sources[row];
	char seq[24] = "";
	if (src->sequence)
		snprintf(seq, sizeof seq, "%lld", (long long)src->sequence);
	csv_field(w, report_no_data(r, row) ? "pas_de_donnees" : src->in_total ? "complet" : "partiel");
	csv_field(w, seq);
	csv_field(w, src->period);
	csv_field(w, src->made);
}

/* One CSV row: the category's code followed by suffix, its value as text, whether masked, and
 * at a regional database where the figures come from. */
static void csv_row(csv_writer *w, const report *r, size_t row, const report_indicator *ind, const char *code,
                    const char *suffix, const char *val, bool masked)
{
	char cat[160] = "";
	if (code)
		snprintf(cat, sizeof cat, "%s%s", code, suffix);
	csv_field(w, report_row_name(r, row));
	csv_field(w, r->period.label);
	csv_field(w, ind->id);
	csv_field(w, code ? cat : NULL);
	csv_field(w, val);
	csv_field(w, masked ? "1" : "0");
	if (r->regional)
		csv_source(r, w, row);
	csv_end_row(w);
}

/* The package rows of a structure (or the total): per year, the patients who qualify and the
 * amount ("2026_patients", "2026_montant"); never those who object (the CSV leaves the
 * structure), never masked (what is due). */
static void csv_package(const report *r, csv_writer *w, size_t row)
{
	const package_rule *rule = r->reporting ? &r->reporting->package : NULL;
	if (!rule || !rule->present || r->package_why)
		return;
	for (size_t k = 0; k < r->n_package; k++) {
		const report_package *p = &r->package[k];
		for (int what = 0; what < 2; what++) {
			char cat[32], val[48];
			snprintf(cat, sizeof cat, "%d_%s", p->year, what ? "montant" : "patients");
			if (report_no_data(r, row))
				val[0] = '\0';
			else if (what)
				format_number(rule->amount * (double)p->n[row], 2, val, sizeof val);
			else
				snprintf(val, sizeof val, "%lld", (long long)p->n[row]);
			csv_field(w, report_row_name(r, row));
			csv_field(w, r->period.label);
			csv_field(w, "forfait_annuel");
			csv_field(w, cat);
			csv_field(w, val);
			csv_field(w, "0");
			if (r->regional)
				csv_source(r, w, row);
			csv_end_row(w);
		}
	}
}

bool report_write_csv(const report *r, csv_writer *w, bool mask)
{
	static const char *const header[] = {
	    "structure", "periode", "indicateur",      "categorie",      "valeur",
	    "masque",    "statut",  "export_sequence", "export_periode", "export_fait_le"};
	for (size_t i = 0; i < (r->regional ? 10 : 6); i++)
		csv_field(w, header[i]);
	csv_end_row(w);
	for (size_t row = 0; row < report_rows(r); row++) {
		for (size_t i = 0; i < REPORT_N + r->n_extra; i++) {
			const report_indicator *ind = i < REPORT_N ? &r->ind[i] : &r->extra[i - REPORT_N];
			/* The pages computed (a report made by hand, without pages: the activity). */
			unsigned pages = r->pages ? r->pages : REPORT_PAGE_ACTIVITY;
			if (i < REPORT_N ? !report_on_page((enum report_id)i, pages)
			                 : !report_extra_on_page(ind, pages))
				continue;
			/* A not available indicator is one row with no category and no value. */
			size_t n = ind->available ? ind->n_cats : 1;
			for (size_t k = 0; k < n; k++) {
				report_cell c = report_indicator_cell(r, ind, row, k, mask);
				char val[48] = "";
				if (ind->available)
					cell_text(&ind->cats[k], c, '.', val, sizeof val);
				csv_row(w, r, row, ind, ind->available ? ind->cats[k].code : NULL, "", val,
				        c.masked);
				/* The impact page's shares are figures of their own for the evaluation. */
				if (i < REPORT_IMPACT_FIRST || i >= REPORT_N || !ind->available ||
				    ind->cats[k].kind != REPORT_COUNT || ind->cats[k].base < 0)
					continue;
				report_cell sh = report_cell_share(r, (enum report_id)i, row, k, mask);
				cell_text(&(report_category){.kind = REPORT_PERCENT}, sh, '.', val,
				          sizeof val);
				csv_row(w, r, row, ind, ind->cats[k].code, "_pct", val, sh.masked);
			}
		}
		if ((r->pages ? r->pages : REPORT_PAGE_ACTIVITY) & REPORT_PAGE_ACTIVITY)
			csv_package(r, w, row);
	}
	return csv_flush(w);
}
