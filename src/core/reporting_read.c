/* reporting_read.c — reporting.yaml read into the model: the reporting calendar (each
 * deadline, the period it closes and its due date), the thresholds that are conventions rather
 * than science, the small-count mask, the texts of the patient's access document, the
 * retention period, the structures' yearly budgets and the yearly package; every problem
 * reported at its place, and a file with any problem refused whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/age.h"
#include "core/form_internal.h"

enum {
	RPK_REPORTING,
	RPK_DEADLINES,
	RPK_THRESHOLDS,
	RPK_MASK,
	RPK_RECIPIENTS,
	RPK_ACCESS,
	RPK_RETENTION,
	RPK_BUDGETS,
	RPK_PACKAGE
};
static const ykey reporting_keys[] = {
    [RPK_REPORTING] = {"reporting", YK_OTHER, .required = true},
    [RPK_DEADLINES] = {"deadlines", YK_OTHER},
    [RPK_THRESHOLDS] = {"thresholds", YK_OTHER},
    [RPK_MASK] = {"small_count_mask", YK_INT, .at = offsetof(reporting, small_count_mask), .lo = 0,
                  .hi = 100},
    [RPK_RECIPIENTS] = {"recipients", YK_OTHER},
    [RPK_ACCESS] = {"access", YK_OTHER},
    [RPK_RETENTION] = {"retention", YK_OTHER},
    [RPK_BUDGETS] = {"budgets", YK_OTHER},
    [RPK_PACKAGE] = {"package", YK_OTHER},
};
const ykey_table ykeys_reporting = YKEY_TABLE("reporting.yaml", reporting_keys, NULL);

enum { AK_PURPOSE, AK_LEGAL_BASIS, AK_RECIPIENTS, AK_RIGHTS };
#define AT(member) .at = offsetof(access_texts, member)
static const ykey access_keys[] = {
    [AK_PURPOSE] = {"purpose", YK_I18N, .required = true, AT(purpose)},
    [AK_LEGAL_BASIS] = {"legal_basis", YK_I18N, .required = true, AT(legal_basis)},
    [AK_RECIPIENTS] = {"recipients", YK_I18N, .required = true, AT(recipients)},
    [AK_RIGHTS] = {"rights", YK_I18N, .required = true, AT(rights)},
};
#undef AT
const ykey_table ykeys_access =
    YKEY_TABLE("access", access_keys, "access : il faut purpose:, legal_basis:, recipients: et rights:");

/* years: a medical record is kept 20 years in France; an evaluation's own limit may be shorter.
 * Beyond a century the value is a typo. */
enum { RK_YEARS, RK_REFERENCE };
#define AT(member) .at = offsetof(retention_rule, member)
static const ykey retention_keys[] = {
    [RK_YEARS] = {"years", YK_INT, .required = true, AT(years), .lo = 1, .hi = 100},
    [RK_REFERENCE] = {"reference", YK_STRING, .required = true, AT(reference)},
};
#undef AT
const ykey_table ykeys_retention =
    YKEY_TABLE("retention", retention_keys, "retention : il faut years: et reference:");

/* minimum: contacts a year; beyond one a day the value is a typo. amount: euros a year. */
enum { PK_STATUSES, PK_INTERVENANTS, PK_MINIMUM, PK_AMOUNT, PK_REFERENCE };
#define AT(member) .at = offsetof(package_rule, member)
static const ykey package_keys[] = {
    [PK_STATUSES] = {"statuses", YK_OTHER, .required = true},
    [PK_INTERVENANTS] = {"intervenants", YK_OTHER, .required = true},
    [PK_MINIMUM] = {"minimum", YK_INT, .required = true, AT(minimum), .lo = 1, .hi = 366},
    [PK_AMOUNT] = {"amount", YK_NUMBER, .required = true, AT(amount)},
    [PK_REFERENCE] = {"reference", YK_STRING, .required = true, AT(reference)},
};
#undef AT
const ykey_table ykeys_package = YKEY_TABLE(
    "package", package_keys, "package : il faut statuses:, intervenants:, minimum:, amount: et reference:");

enum { DK_PERIOD, DK_DUE, DK_YEAR_OFFSET, DK_LABEL };
#define AT(member) .at = offsetof(deadline_rule, member)
static const ykey deadline_keys[] = {
    [DK_PERIOD] = {"period", YK_STRING, .required = true, AT(period)},
    [DK_DUE] = {"due", YK_OTHER, .required = true},
    [DK_YEAR_OFFSET] = {"year_offset", YK_INT, AT(year_offset), .lo = 0, .hi = 1},
    [DK_LABEL] = {"label", YK_I18N, AT(label)},
};
#undef AT
const ykey_table ykeys_deadline =
    YKEY_TABLE("une échéance", deadline_keys, "une échéance a besoin de period: et de due:");

enum { TK_ID, TK_VALUE, TK_LABEL, TK_REFERENCE };
#define AT(member) .at = offsetof(threshold, member)
static const ykey threshold_keys[] = {
    [TK_ID] = {"id", YK_ID, .required = true, AT(id), .what = "identifiant de seuil"},
    [TK_VALUE] = {"value", YK_NUMBER, .required = true, AT(value)},
    [TK_LABEL] = {"label", YK_I18N, .required = true, AT(label)},
    [TK_REFERENCE] = {"reference", YK_STRING, .required = true, AT(reference)},
};
#undef AT
const ykey_table ykeys_threshold =
    YKEY_TABLE("un seuil", threshold_keys, "un seuil a besoin de id:, value:, label: et reference:");

enum { BK_STRUCTURE, BK_YEARLY, BK_YEAR };
#define AT(member) .at = offsetof(budget, member)
static const ykey budget_keys[] = {
    [BK_STRUCTURE] = {"structure", YK_STRING, .required = true, AT(structure)},
    [BK_YEARLY] = {"yearly", YK_NUMBER, .required = true, AT(yearly)},
    [BK_YEAR] = {"year", YK_INT, AT(year), .lo = 2000, .hi = 2100},
};
#undef AT
const ykey_table ykeys_budget =
    YKEY_TABLE("un budget", budget_keys, "un budget a besoin de structure: et de yearly:");

static bool period_known(const char *p)
{
	static const char *const periods[] = {"A",   "S1",  "S2",  "T1",  "T2",  "T3",  "T4",
	                                      "M01", "M02", "M03", "M04", "M05", "M06", "M07",
	                                      "M08", "M09", "M10", "M11", "M12", NULL};
	for (const char *const *q = periods; *q; q++)
		if (strcmp(p, *q) == 0)
			return true;
	return false;
}

/* due: MM-DD; the month and day are stored even when refused (the rule is freed then). */
static bool read_due(load_ctx *c, const ynode *due, deadline_rule *dl)
{
	int mo = 0, dd = 0;
	bool ok = yread_kind(c, due, Y_SCALAR, "due") && sscanf(due->str, "%2d-%2d", &mo, &dd) == 2 &&
	          strlen(due->str) == 5 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31;
	if (!ok && due->kind == Y_SCALAR)
		YERR(c, due, "due : date MM-JJ attendue, trouvé « %s »", due->str);
	dl->month = mo;
	dl->day = dd;
	return ok;
}

static bool read_deadline(load_ctx *c, reporting *r, const ynode *d)
{
	deadline_rule *dl = &r->deadlines[r->n_deadlines];
	ymap m;
	if (!ymap_open_entry(&m, c, d, "échéance", &ykeys_deadline, dl))
		return false;
	r->n_deadlines++;
	if (!ymap_read(&m, DK_PERIOD))
		return false;
	if (!period_known(dl->period)) {
		YERR(c, m.v[DK_PERIOD], "période « %s » inconnue (A, S1, S2, T1…T4, M01…M12)", dl->period);
		return false;
	}
	return read_due(c, m.v[DK_DUE], dl) && ymap_read(&m, DK_YEAR_OFFSET) && ymap_read(&m, DK_LABEL);
}

static bool read_threshold(load_ctx *c, reporting *r, const ynode *t)
{
	threshold *th = &r->thresholds[r->n_thresholds];
	ymap m;
	if (!ymap_open_entry(&m, c, t, "seuil", &ykeys_threshold, th))
		return false;
	r->n_thresholds++;
	if (!ymap_read(&m, TK_ID) || !ymap_read(&m, TK_VALUE) || !ymap_read(&m, TK_LABEL) ||
	    !ymap_read(&m, TK_REFERENCE))
		return false;
	for (size_t j = 0; j + 1 < r->n_thresholds; j++)
		if (strcmp(r->thresholds[j].id, th->id) == 0) {
			YERR(c, m.v[TK_ID], "seuil « %s » en double", th->id);
			return false;
		}
	return true;
}

/* recipients: the public keys of the coordination (age), each checked here so that a typo is
 * found when the forms load, not at the deadline. */
static bool read_recipients(load_ctx *c, reporting *r, const ynode *v)
{
	if (!yread_kind(c, v, Y_SEQ, "recipients"))
		return false;
	r->recipients = xcalloc(v->n ? v->n : 1, sizeof *r->recipients);
	for (size_t i = 0; i < v->n; i++) {
		const ynode *k = v->items[i];
		if (!yread_kind(c, k, Y_SCALAR, "un destinataire"))
			return false;
		char *why = NULL;
		age_recipient parsed;
		if (!age_recipient_parse(k->str, &parsed, &why)) {
			YERR(c, k, "recipients : %s", why);
			free(why);
			return false;
		}
		r->recipients[r->n_recipients++] = xstrdup(k->str);
	}
	return true;
}

static bool read_access(load_ctx *c, reporting *r, const ynode *v)
{
	ymap m;
	if (!ymap_open_entry(&m, c, v, "access", &ykeys_access, &r->access))
		return false;
	for (int k = AK_PURPOSE; k <= AK_RIGHTS; k++)
		if (!ymap_read(&m, k))
			return false;
	r->access.present = true;
	return true;
}

static bool read_retention(load_ctx *c, reporting *r, const ynode *v)
{
	ymap m;
	if (!ymap_open_entry(&m, c, v, "retention", &ykeys_retention, &r->retention))
		return false;
	if (!ymap_read(&m, RK_YEARS) || !ymap_read(&m, RK_REFERENCE))
		return false;
	if (!*str_trim(r->retention.reference)) {
		YERR(c, m.v[RK_REFERENCE], "retention : reference vide (le texte qui fixe la durée)");
		return false;
	}
	return true;
}

/* A structure's yearly budget; the same structure twice for the same year (or twice without a
 * year) is refused. */
static bool read_budget(load_ctx *c, reporting *r, const ynode *b)
{
	budget *bu = &r->budgets[r->n_budgets];
	ymap m;
	if (!ymap_open_entry(&m, c, b, "budget", &ykeys_budget, bu))
		return false;
	r->n_budgets++;
	if (!ymap_read(&m, BK_STRUCTURE) || !ymap_read(&m, BK_YEARLY) || !ymap_read(&m, BK_YEAR))
		return false;
	if (bu->yearly < 0) {
		YERR(c, m.v[BK_YEARLY], "yearly : montant positif attendu, trouvé « %s »",
		     m.v[BK_YEARLY]->str);
		return false;
	}
	for (size_t j = 0; j + 1 < r->n_budgets; j++)
		if (strcmp(r->budgets[j].structure, bu->structure) == 0 && r->budgets[j].year == bu->year) {
			YERR(c, m.v[BK_STRUCTURE], "budget de « %s » en double%s", bu->structure,
			     bu->year ? " pour cette année" : "");
			return false;
		}
	return true;
}

/* A non-empty list of codes (what: the key, for messages) into *out, *n. */
static bool read_codes(load_ctx *c, const ynode *v, const char *what, char ***out, size_t *n)
{
	if (!yread_kind(c, v, Y_SEQ, what))
		return false;
	if (!v->n) {
		YERR(c, v, "package : %s vide (au moins un code)", what);
		return false;
	}
	*out = xcalloc(v->n, sizeof **out);
	for (size_t i = 0; i < v->n; i++) {
		if (!yread_kind(c, v->items[i], Y_SCALAR, what))
			return false;
		(*out)[(*n)++] = xstrdup(v->items[i]->str);
	}
	return true;
}

static bool read_package(load_ctx *c, reporting *r, const ynode *v)
{
	ymap m;
	package_rule *p = &r->package;
	if (!ymap_open_entry(&m, c, v, "package", &ykeys_package, p))
		return false;
	if (!read_codes(c, m.v[PK_STATUSES], "statuses", &p->statuses, &p->n_statuses) ||
	    !read_codes(c, m.v[PK_INTERVENANTS], "intervenants", &p->intervenants, &p->n_intervenants) ||
	    !ymap_read(&m, PK_MINIMUM) || !ymap_read(&m, PK_AMOUNT) || !ymap_read(&m, PK_REFERENCE))
		return false;
	if (!(p->amount >= 0) || p->amount > 1e6) {
		YERR(c, m.v[PK_AMOUNT], "package : amount hors de [0, 1000000] euros");
		return false;
	}
	if (!*str_trim(p->reference)) {
		YERR(c, m.v[PK_REFERENCE], "package : reference vide (le texte qui fixe le montant)");
		return false;
	}
	p->present = true;
	return true;
}

/* Reading stops at the first problem. */
static bool read_reporting_keys(load_ctx *c, reporting *r, ymap *m)
{
	const ynode *rv = m->v[RPK_REPORTING], *v;
	if (!yread_kind(c, rv, Y_SCALAR, "reporting"))
		return false;
	if (strcmp(rv->str, "1") != 0) {
		YERR(c, rv, "reporting : version 1 attendue (la seule connue), trouvé « %s »", rv->str);
		return false;
	}
	if (!ymap_read(m, RPK_MASK))
		return false;
	if ((v = m->v[RPK_DEADLINES])) {
		if (!yread_kind(c, v, Y_SEQ, "deadlines"))
			return false;
		r->deadlines = xcalloc(v->n ? v->n : 1, sizeof *r->deadlines);
		for (size_t i = 0; i < v->n; i++)
			if (!read_deadline(c, r, v->items[i]))
				return false;
	}
	if ((v = m->v[RPK_RECIPIENTS]) && !read_recipients(c, r, v))
		return false;
	if ((v = m->v[RPK_THRESHOLDS])) {
		if (!yread_kind(c, v, Y_SEQ, "thresholds"))
			return false;
		r->thresholds = xcalloc(v->n ? v->n : 1, sizeof *r->thresholds);
		for (size_t i = 0; i < v->n; i++)
			if (!read_threshold(c, r, v->items[i]))
				return false;
	}
	if ((v = m->v[RPK_ACCESS]) && !read_access(c, r, v))
		return false;
	if ((v = m->v[RPK_RETENTION]) && !read_retention(c, r, v))
		return false;
	if ((v = m->v[RPK_BUDGETS])) {
		if (!yread_kind(c, v, Y_SEQ, "budgets"))
			return false;
		r->budgets = xcalloc(v->n ? v->n : 1, sizeof *r->budgets);
		for (size_t i = 0; i < v->n; i++)
			if (!read_budget(c, r, v->items[i]))
				return false;
	}
	if ((v = m->v[RPK_PACKAGE]) && !read_package(c, r, v))
		return false;
	return true;
}

reporting *reporting_read(load_ctx *c, const ynode *root)
{
	ymap m;
	if (!ymap_open(&m, c, root, &ykeys_reporting, NULL, NULL))
		return NULL;
	reporting *r = xcalloc(1, sizeof *r);
	r->small_count_mask = 4;
	m.obj = r;
	if (!read_reporting_keys(c, r, &m) || c->count) {
		reporting_free(r);
		return NULL;
	}
	return r;
}

void reporting_free(reporting *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_deadlines; i++) {
		free(r->deadlines[i].period);
		i18n_done(&r->deadlines[i].label);
	}
	free(r->deadlines);
	for (size_t i = 0; i < r->n_thresholds; i++) {
		free(r->thresholds[i].id);
		i18n_done(&r->thresholds[i].label);
		free(r->thresholds[i].reference);
	}
	free(r->thresholds);
	for (size_t i = 0; i < r->n_recipients; i++)
		free(r->recipients[i]);
	free(r->recipients);
	i18n_done(&r->access.purpose);
	i18n_done(&r->access.legal_basis);
	i18n_done(&r->access.recipients);
	i18n_done(&r->access.rights);
	free(r->retention.reference);
	for (size_t i = 0; i < r->n_budgets; i++)
		free(r->budgets[i].structure);
	free(r->budgets);
	for (size_t i = 0; i < r->package.n_statuses; i++)
		free(r->package.statuses[i]);
	for (size_t i = 0; i < r->package.n_intervenants; i++)
		free(r->package.intervenants[i]);
	free(r->package.statuses);
	free(r->package.intervenants);
	free(r->package.reference);
	free(r->path);
	free(r);
}

long reporting_retention_cutoff(const reporting *r, long today)
{
	if (!r || r->retention.years <= 0)
		return -1;
	int y, m, d;
	date_to_ymd(today, &y, &m, &d);
	y -= r->retention.years;
	if (m == 2 && d == 29)
		d = 28;
	return date_from_ymd(y, m, d);
}

double reporting_budget(const reporting *r, const char *structure, int year, bool *found)
{
	const budget *any = NULL;
	for (size_t i = 0; r && structure && i < r->n_budgets; i++) {
		const budget *b = &r->budgets[i];
		if (strcmp(b->structure, structure) != 0)
			continue;
		if (b->year == year) {
			*found = true;
			return b->yearly;
		}
		if (b->year == 0)
			any = b;
	}
	*found = any != NULL;
	return any ? any->yearly : 0;
}
