/* fuzz_codebook.c — libFuzzer harness: bytes → the check `recueil import` makes on an archive's
 * codebook.csv (import_manifest_check, src/export/import.h), against a fixed, valid manifest
 * that lists every regional form (the forms/ directory of the repository) in its version.
 * fuzz_manifest reaches the same check only behind a manifest it has to keep valid; here every
 * input is a codebook.
 *
 * Properties: never crash, leak or hang; the codebook this program writes for the regional forms
 * (export_codebook) is accepted, and so is the codebook of the first version (fields only,
 * without common or 0/1 columns) that archives made before still carry; a refusal is EXIT_DATAERR with a
 * one-line message naming codebook.csv, an acceptance carries no message. (That nothing is kept between
 * calls, the same input giving the same verdict again, is checked by fuzz_manifest, whose inputs reach the
 * same code: here each call costs the reader's 1 MiB record buffer, so it runs once.) */
#include <string.h>

#include "core/form.h"
#include "core/util.h"
#include "export/export_internal.h"
#include "export/import.h"
#include "fuzz_common.h"

static const formset *fs;
static char *manifest_text; /* a manifest that lists every form of fs */

/* Build the manifest and check that the real codebook passes, once. */
static void setup(void)
{
	if (fs)
		return;
	char *errors = NULL;
	formset *loaded = formset_load_dir(RECUEIL_FORMS_DIR, &errors);
	if (!loaded) {
		fprintf(stderr, "fuzz_codebook: %s: %s\n", RECUEIL_FORMS_DIR, errors ? errors : "?");
		abort();
	}
	free(errors);
	fs = loaded;
	strbuf m = STRBUF_INIT;
	strbuf_puts(&m, "# recueil : manifeste de l'export\n"
	                "format: recueil-export 1\n"
	                "export_id: e1f3b9ca-c6d6-4f0a-b0e9-3dbb9198a390\n"
	                "export_sequence: 1\n"
	                "structure_code: DEMO\n"
	                "period: 2026-T3\n"
	                "created_at: 2026-11-22T22:04:24Z\n"
	                "schema_version: 1\n");
	for (size_t i = 0; i < fs->n_forms; i++)
		strbuf_printf(&m, "form: %s version=%d\n", fs->forms[i]->id, fs->forms[i]->version);
	for (size_t i = 0; i < fs->n_forms; i++) {
		char csv[80];
		export_csv_name(fs->forms[i]->id, csv, sizeof csv);
		strbuf_printf(&m, "file: %s rows=0 bytes=0 sha256=%064d\n", csv, 0);
	}
	manifest_text = strbuf_take(&m);

	strbuf cb = STRBUF_INIT;
	export_codebook(&cb, fs);
	char *why = NULL;
	int rc =
	    import_manifest_check(manifest_text, strlen(manifest_text), strbuf_str(&cb), cb.len, fs, &why);
	if (rc) {
		fprintf(stderr, "fuzz_codebook: the program's own codebook is refused: %s\n", why);
		abort();
	}
	strbuf_done(&cb);

	/* The first version's codebook of the same forms: its header, then one row per field. */
	strbuf v1 = STRBUF_INIT;
	strbuf_puts(&v1, export_codebook_header_v1());
	for (size_t k = 0; k < fs->n_forms; k++)
		for (size_t i = 0; i < fs->forms[k]->n_fields; i++) {
			const field *fd = &fs->forms[k]->fields[i];
			if (export_field_included(fd))
				strbuf_printf(&v1, "%s,%d,%s,,%s,,,,,,,\r\n", fs->forms[k]->id,
				              fs->forms[k]->version, fd->id, field_type_name(fd->type));
		}
	rc = import_manifest_check(manifest_text, strlen(manifest_text), strbuf_str(&v1), v1.len, fs, &why);
	if (rc) {
		fprintf(stderr, "fuzz_codebook: a codebook of the first version is refused: %s\n", why);
		abort();
	}
	strbuf_done(&v1);
}

static int check(const char *cb, size_t len, char **why)
{
	*why = NULL;
	int rc = import_manifest_check(manifest_text, strlen(manifest_text), cb, len, fs, why);
	if (rc == 0) {
		FUZZ_CHECK(*why == NULL);
	} else {
		FUZZ_CHECK(rc == EXIT_DATAERR);
		FUZZ_CHECK(*why != NULL && strstr(*why, "codebook.csv") != NULL);
		FUZZ_CHECK(strchr(*why, '\n') == NULL);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char empty[1];
	setup();
	const char *cb = size ? (const char *)data : empty;
	char *why = NULL;
	check(cb, size, &why);
	free(why);
	return 0;
}
