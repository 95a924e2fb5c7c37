/* fuzz_manifest.c — libFuzzer harness: bytes → the checks `recueil import` makes on an archive's
 * manifest.txt, then on its codebook.csv, against the regional forms (the forms/ directory of
 * the repository), through import_manifest_check (src/export/import.h): no archive, no database.
 *
 * The input is the manifest's text up to its first NUL byte; what follows the NUL, if there is
 * one, is the codebook (any bytes, NULs included), checked when the manifest is accepted.
 *
 * Properties: never crash, leak or hang; a refusal is EXIT_DATAERR with a one-line message, an
 * acceptance carries no message; the verdict and the message do not change when the same input
 * is checked again (nothing is kept between calls); the codebook can only refuse what the
 * manifest alone accepts, and a manifest refused alone is refused with the same message whatever
 * the codebook. */
#include <string.h>

#include "core/form.h"
#include "core/util.h"
#include "export/import.h"
#include "fuzz_common.h"

/* The regional forms, loaded once. */
static const formset *regional_forms(void)
{
	static formset *fs;
	if (!fs) {
		char *errors = NULL;
		fs = formset_load_dir(RECUEIL_FORMS_DIR, &errors);
		if (!fs) {
			fprintf(stderr, "fuzz_manifest: %s: %s\n", RECUEIL_FORMS_DIR, errors ? errors : "?");
			abort();
		}
		free(errors);
	}
	return fs;
}

/* A verdict: the exit code and a message that is present exactly when the code is not 0. */
static int check(const char *m, size_t m_len, const char *cb, size_t cb_len, char **why)
{
	*why = NULL;
	int rc = import_manifest_check(m, m_len, cb, cb_len, regional_forms(), why);
	if (rc == 0) {
		FUZZ_CHECK(*why == NULL);
	} else {
		FUZZ_CHECK(rc == EXIT_DATAERR);
		FUZZ_CHECK(*why != NULL && **why != '\0');
		FUZZ_CHECK(strchr(*why, '\n') == NULL);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char empty[1];
	const char *text = size ? (const char *)data : empty;
	const char *nul = memchr(text, '\0', size);
	size_t m_len = nul ? (size_t)(nul - text) : size;
	const char *cb = nul ? nul + 1 : NULL;
	size_t cb_len = nul ? size - m_len - 1 : 0;

	/* The manifest alone. */
	char *why_m = NULL;
	int rc_m = check(text, m_len, NULL, 0, &why_m);

	/* With the codebook, when there is one. */
	if (cb) {
		char *why = NULL;
		int rc = check(text, m_len, cb, cb_len, &why);
		if (rc_m) {
			FUZZ_CHECK(rc == rc_m && strcmp(why, why_m) == 0);
		} else if (rc == 0) {
			/* Accepted: again, the same. */
			char *again = NULL;
			FUZZ_CHECK(check(text, m_len, cb, cb_len, &again) == 0);
		} else {
			/* Refused by the codebook: again, the same message. */
			char *again = NULL;
			FUZZ_CHECK(check(text, m_len, cb, cb_len, &again) == rc && strcmp(again, why) == 0);
			free(again);
		}
		free(why);
	} else {
		/* Nothing kept between calls: the same verdict, the same message. */
		char *again = NULL;
		FUZZ_CHECK(check(text, m_len, NULL, 0, &again) == rc_m);
		FUZZ_CHECK((!again && !why_m) || (again && why_m && strcmp(again, why_m) == 0));
		free(again);
	}
	free(why_m);
	return 0;
}
