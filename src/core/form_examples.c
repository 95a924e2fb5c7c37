/* form_examples.c — the worked examples a form carries (examples:): read from the form file and
 * checked against its fields, then run as entries would be typed, each expected value of a
 * calculated field compared with what the entry would store. A changed coefficient or cut-off
 * that breaks a published reference value is caught at the example's line. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"
#include "core/record.h"

/* ---------------------------------------------------------------- reading */

enum { EK_DATE, EK_PATIENT, EK_ANSWERS, EK_EXPECT };
static const ykey example_keys[] = {
    [EK_DATE] = {"date", YK_OTHER},
    [EK_PATIENT] = {"patient", YK_OTHER},
    [EK_ANSWERS] = {"answers", YK_OTHER, .required = true},
    [EK_EXPECT] = {"expect", YK_OTHER, .required = true},
};
const ykey_table ykeys_example =
    YKEY_TABLE("un exemple", example_keys, "un exemple a besoin de answers: et de expect:");

/* One example being read or run: its problems are reported as "FILE:LINE:COL: exemple N : …". */
typedef struct {
	load_ctx *c;
	const form *f;
	size_t number; /* 1-based, in file order */
} example_ctx;

static void example_error(example_ctx *x, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void example_error(example_ctx *x, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	load_error(x->c, line, col, "exemple %zu : %s", x->number, msg);
	free(msg);
}

/* The text of an answer: a scalar, or a list of codes (a multiple choice) joined by spaces. */
static bool value_text(example_ctx *x, const ynode *v, const char *id, char **out)
{
	if (v->kind == Y_SCALAR) {
		*out = xstrdup(v->str);
		return true;
	}
	if (v->kind != Y_SEQ) {
		example_error(x, v->line, v->col, "%s : une valeur ou une liste de codes attendue", id);
		return false;
	}
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->kind != Y_SCALAR) {
			example_error(x, v->items[i]->line, v->items[i]->col, "%s : un code attendu", id);
			strbuf_done(&sb);
			return false;
		}
		strbuf_printf(&sb, "%s%s", i ? " " : "", v->items[i]->str);
	}
	*out = strbuf_take(&sb);
	return true;
}

/* Whether the field key names may be given there (an answer, or an expected value); reports
 * why not. */
static bool example_field(example_ctx *x, const ynode *key, bool expected)
{
	const field *fd = form_field(x->f, key->str);
	if (!fd)
		example_error(x, key->line, key->col, "champ inconnu « %s » dans le formulaire %s", key->str,
		              x->f->id);
	else if (expected && fd->type != FT_CALCULATED)
		example_error(x, key->line, key->col,
		              "expect: « %s » n'est pas un champ calculé (ses réponses vont sous answers:)",
		              key->str);
	else if (!expected && (fd->type == FT_CALCULATED || fd->type == FT_NOTE))
		example_error(x, key->line, key->col,
		              "« %s » est %s : rien à répondre (les valeurs attendues vont sous expect:)",
		              key->str, fd->type == FT_NOTE ? "une note" : "un champ calculé");
	else
		return true;
	return false;
}

/* A mapping of field: value into *out (n values). The patient's values (form_fields false) are
 * checked against the patient form when the examples run. */
static bool read_values(example_ctx *x, const ynode *map, const char *what, bool form_fields, bool expected,
                        example_value **out, size_t *n)
{
	if (!yread_kind(x->c, map, Y_MAP, what))
		return false;
	*out = xcalloc(map->n ? map->n : 1, sizeof **out);
	for (size_t i = 0; i < map->n; i++) {
		const ynode *key = map->keys[i], *v = map->items[i];
		if (form_fields && !example_field(x, key, expected))
			return false;
		example_value *ev = &(*out)[*n];
		if (!value_text(x, v, key->str, &ev->text))
			return false;
		ev->field = xstrdup(key->str);
		ev->line = v->line;
		ev->col = v->col;
		(*n)++;
	}
	return true;
}

static bool read_example(example_ctx *x, const ynode *n, form_example *ex)
{
	ymap m;
	if (!ymap_open_entry(&m, x->c, n, "exemple", &ykeys_example, NULL))
		return false;
	ex->line = n->line;
	ex->col = n->col;
	const ynode *date = m.v[EK_DATE];
	if (date) {
		if (!yread_kind(x->c, date, Y_SCALAR, "date"))
			return false;
		if (!date_parse(date->str, &ex->date)) {
			example_error(x, date->line, date->col,
			              "date « %s » invalide (AAAA-MM-JJ, jour réel du calendrier)",
			              date->str);
			return false;
		}
		ex->has_date = true;
	}
	return (!m.v[EK_PATIENT] ||
	        read_values(x, m.v[EK_PATIENT], "patient", false, false, &ex->patient, &ex->n_patient)) &&
	       read_values(x, m.v[EK_ANSWERS], "answers", true, false, &ex->answers, &ex->n_answers) &&
	       read_values(x, m.v[EK_EXPECT], "expect", true, true, &ex->expect, &ex->n_expect);
}

bool form_read_examples(load_ctx *c, form *f, const ynode *n)
{
	if (!yread_kind(c, n, Y_SEQ, "examples"))
		return false;
	f->examples = xcalloc(n->n ? n->n : 1, sizeof *f->examples);
	for (size_t i = 0; i < n->n; i++) {
		example_ctx x = {c, f, i + 1};
		bool ok = read_example(&x, n->items[i], &f->examples[f->n_examples]);
		f->n_examples++;
		if (!ok)
			return false;
	}
	return true;
}

static void values_free(example_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].field);
		free(v[i].text);
	}
	free(v);
}

void form_examples_free(form *f)
{
	for (size_t i = 0; i < f->n_examples; i++) {
		form_example *ex = &f->examples[i];
		values_free(ex->patient, ex->n_patient);
		values_free(ex->answers, ex->n_answers);
		values_free(ex->expect, ex->n_expect);
	}
	free(f->examples);
	f->examples = NULL;
	f->n_examples = 0;
}

/* ---------------------------------------------------------------- running */

/* Type the values into r as the command line would; false after reporting the first refusal. */
static bool type_values(example_ctx *x, record *r, const example_value *v, size_t n, const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		long idx = form_field_index(r->f, v[i].field);
		if (idx < 0) {
			example_error(x, v[i].line, v[i].col, "champ inconnu « %s%s »", prefix, v[i].field);
			return false;
		}
		char *why = NULL;
		if (!record_set(r, (size_t)idx, v[i].text, &why)) {
			example_error(x, v[i].line, v[i].col, "%s%s", prefix, why ? why : "valeur refusée");
			free(why);
			return false;
		}
	}
	return true;
}

/* Whether the stored text got (NULL: nothing stored) is the value want written for fd. */
static bool same_value(const field *fd, const char *got, const char *want)
{
	if (!*want || !got)
		return !*want && !got;
	double a, b;
	if (fd->vtype == T_NUM && parse_decimal(got, &a) && parse_decimal(want, &b))
		return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
	if (fd->vtype == T_BOOL) {
		static const char *const yes[] = {"1", "oui", "true"}, *const no[] = {"0", "non", "false"};
		for (size_t i = 0; i < 3; i++)
			if (strcmp(want, yes[i]) == 0 || strcmp(want, no[i]) == 0)
				return strcmp(got, strcmp(want, yes[i]) == 0 ? "1" : "0") == 0;
	}
	return strcmp(got, want) == 0;
}

static void run_example(example_ctx *x, const formset *fs, const form_example *ex)
{
	long date = ex->has_date ? ex->date : date_today();
	const form *pf = formset_form(fs, "patient");
	record *patient = NULL;
	if (ex->n_patient) {
		if (!pf || pf == x->f) {
			example_error(
			    x, ex->patient[0].line, ex->patient[0].col, "patient: %s",
			    pf ? "inutile dans le formulaire patient (ses réponses vont sous answers:)"
			       : "pas de formulaire patient (patient.yaml) à côté de ce fichier");
			return;
		}
		patient = record_new(fs, pf, date);
		patient->today = date;
		if (!type_values(x, patient, ex->patient, ex->n_patient, "patient.")) {
			record_free(patient);
			return;
		}
		record_compute(patient);
	}
	record *r = record_new(fs, x->f, date);
	r->today = date;
	r->patient = patient;
	r->owns_patient = true;
	if (type_values(x, r, ex->answers, ex->n_answers, "")) {
		record_compute(r);
		for (size_t i = 0; i < ex->n_expect; i++) {
			const example_value *e = &ex->expect[i];
			long idx = form_field_index(x->f, e->field);
			const fvalue *fv = &r->vals[idx];
			const char *got = fv->visible ? fv->text : NULL;
			if (same_value(&x->f->fields[idx], got, e->text))
				continue;
			if (!got)
				example_error(x, e->line, e->col, "%s est manquant, attendu %s", e->field,
				              e->text);
			else if (!*e->text)
				example_error(x, e->line, e->col, "%s vaut %s, attendu manquant", e->field,
				              got);
			else
				example_error(x, e->line, e->col, "%s vaut %s, attendu %s", e->field, got,
				              e->text);
		}
	}
	record_free(r);
}

size_t form_run_examples(const formset *fs, const form *f, strbuf *out)
{
	size_t failed = 0;
	load_ctx c = {.path = f->path, .errors = out};
	for (size_t i = 0; i < f->n_examples; i++) {
		int before = c.count;
		example_ctx x = {&c, f, i + 1};
		run_example(&x, fs, &f->examples[i]);
		failed += c.count > before;
	}
	return failed;
}
