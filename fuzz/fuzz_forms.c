/* fuzz_forms.c — libFuzzer harness: bytes → form files → the form loader, then, when the set
 * loads, one record per form run through defaults, skip logic, calculated fields, checks,
 * alerts and the summary, and its worked examples run as `forms check` runs them.
 *
 * The input is cut at NUL bytes into up to FUZZ_MAX_FILES files (a form file has no use for
 * NUL, so nothing is lost; the last piece keeps any further NUL, which the loader must refuse).
 * The loader runs unchanged, through its real path-based entry points, the way the program
 * calls them:
 *   - one file: formset_load_files() with a context directory that holds a small patient form
 *     and a reporting file, like `recueil forms check FILE` (patient.<field> and seuil.<id>
 *     resolve; the context's own problems are not reported);
 *   - several files, odd input size: formset_load_dir() on a directory of 0.yaml, 1.yaml…, like
 *     the program at start-up;
 *   - several files, even input size: formset_load_files() on them, like
 *     `recueil forms check A B`.
 * Single files and file lists live in memory (memfd, fuzz_common.c); directories in a scratch
 * directory on tmpfs.
 *
 * Properties: never crash, leak or hang; a refused set always says why, an accepted one never
 * carries an error text; a loaded form evaluates without trouble on an empty record. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "fuzz_common.h"

/* Exercise a loaded form: what the program does when a worker opens a new entry. */
static void run_form(const formset *fs, const form *f, const record *patient)
{
	record *r = record_new(fs, f, date_from_ymd(2026, 1, 15));
	r->patient = patient;
	record_apply_defaults(r);
	record_compute(r);
	issue *iss = NULL;
	size_t n = record_check(r, &iss);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(iss[i].field < f->n_fields && iss[i].message != NULL);
	issues_free(iss, n);
	for (size_t k = 0; k < f->n_alerts; k++)
		(void)record_alert_active(r, k);
	for (size_t i = 0; i < f->n_fields; i++) {
		(void)record_field_valid(r, i);
		free(value_to_text(record_value(r, i), f->fields[i].decimals));
	}
	free(record_summary(r, "fr"));
	free(record_summary(r, "en"));
	record_free(r);
	/* And what `forms check` does with its examples: a failure always says where. */
	strbuf out = STRBUF_INIT;
	size_t failed = form_run_examples(fs, f, &out);
	FUZZ_CHECK(failed <= f->n_examples && (failed == 0) == (out.len == 0));
	strbuf_done(&out);
}

static const char CONTEXT_PATIENT[] =
    "form: patient\n"
    "version: 1\n"
    "title: Patient\n"
    "cardinality: once\n"
    "sections:\n"
    "  - title: Identité\n"
    "    fields:\n"
    "      - {id: sexe, type: choice, label: Sexe, choices: [{value: F, label: F}, {value: M, label: M}]}\n"
    "      - {id: naissance, type: date, label: Naissance, default: today}\n"
    "      - {id: annee_naissance, type: integer, label: Année, min: 1900}\n";

static const char CONTEXT_REPORTING[] = "reporting: 1\n"
                                        "thresholds:\n"
                                        "  - {id: s1, value: 7.5, label: S1, reference: R}\n"
                                        "  - {id: audit_dependance, value: 13, label: D, reference: R}\n";

/* The context directory, written once: dir/context/{patient,reporting}.yaml. */
static const char *context_dir(void)
{
	static char *dir;
	if (!dir) {
		const char *base = fuzz_scratch_dir();
		dir = xasprintf("%s/context", base);
		if (mkdir(dir, 0700) != 0)
			abort();
		free(fuzz_write_file(dir, "patient.yaml", CONTEXT_PATIENT, sizeof CONTEXT_PATIENT - 1));
		free(fuzz_write_file(dir, "reporting.yaml", CONTEXT_REPORTING, sizeof CONTEXT_REPORTING - 1));
	}
	return dir;
}

/* Write the pieces as dir/set/0.yaml… and remove those of a previous input. */
static const char *set_dir(const uint8_t *const *piece, const size_t *len, size_t n)
{
	static char *dir;
	if (!dir) {
		dir = xasprintf("%s/set", fuzz_scratch_dir());
		if (mkdir(dir, 0700) != 0)
			abort();
	}
	for (size_t k = 0; k < FUZZ_MAX_FILES; k++) {
		char name[16];
		snprintf(name, sizeof name, "%zu.yaml", k);
		char *path =
		    k < n ? fuzz_write_file(dir, name, piece[k], len[k]) : xasprintf("%s/%s", dir, name);
		if (k >= n)
			unlink(path);
		free(path);
	}
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_fixed_clock();
	const uint8_t *piece[FUZZ_MAX_FILES];
	size_t len[FUZZ_MAX_FILES], n = 0, start = 0;
	while (n < FUZZ_MAX_FILES) {
		const uint8_t *nul = n + 1 < FUZZ_MAX_FILES ? memchr(data + start, 0, size - start) : NULL;
		size_t end = nul ? (size_t)(nul - data) : size;
		piece[n] = data + start;
		len[n++] = end - start;
		if (!nul)
			break;
		start = end + 1;
	}

	char *errors = NULL;
	formset *fs;
	if (n > 1 && size % 2) {
		fs = formset_load_dir(set_dir(piece, len, n), &errors);
	} else {
		const char *paths[FUZZ_MAX_FILES];
		for (size_t k = 0; k < n; k++)
			paths[k] = fuzz_memfile((int)k, piece[k], len[k]);
		fs = formset_load_files(paths, n, n == 1 ? context_dir() : NULL, &errors);
	}
	if (!fs) {
		FUZZ_CHECK(errors != NULL && *errors != '\0');
		free(errors);
		return 0;
	}
	FUZZ_CHECK(errors == NULL);

	/* The patient form's record is what patient.<field> reads in the other forms. */
	const form *pf = formset_form(fs, "patient");
	record *patient = pf ? record_new(fs, pf, date_from_ymd(2026, 1, 15)) : NULL;
	if (patient) {
		record_apply_defaults(patient);
		record_compute(patient);
	}
	for (size_t i = 0; i < fs->n_forms; i++)
		run_form(fs, fs->forms[i], patient);
	record_free(patient);
	formset_free(fs);
	return 0;
}
