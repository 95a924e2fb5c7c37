/* test_form_codes.c — the codes written in expressions: the nearest-word suggestion (accents and
 * case folded, nothing suggested when nothing is close), and a copy of the real forms where a
 * code typed with an accent, or a patient.sexe code that does not exist, is refused at its
 * place. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/form.h"
#include "core/nearest.h"
#include "core/util.h"
#include "harness.h"

static char tmpdir[] = "/tmp/test_form_codes.XXXXXX";

static void test_fold(void)
{
	char *f = text_fold("Réalisé ŒUVRE Ça");
	CHECK_STR(f, "realise oeuvre ca");
	free(f);
	f = text_fold("déjà vu ✓");
	CHECK_STR(f, "deja vu ✓");
	free(f);
}

static void test_nearest(void)
{
	const char *statut[] = {"realise", "non_honore", "annule"};
	CHECK(nearest_word("realisé", statut, 3) == 0);
	CHECK(nearest_word("anule", statut, 3) == 2);
	CHECK(nearest_word("NON_HONORÉ", statut, 3) == 1);
	CHECK(nearest_word("reporte", statut, 3) == -1);
	const char *sexe[] = {"F", "M", "X"};
	CHECK(nearest_word("m", sexe, 3) == 1);
	CHECK(nearest_word("H", sexe, 3) == -1);
	const char *zones[] = {"I", "II", "III", "IV"};
	CHECK(nearest_word("iv", zones, 4) == 3);
}

/* Copy forms/NAME into tmpdir, replacing the first occurrence of from by to. */
static void copy_form(const char *name, const char *from, const char *to)
{
	char *src = xasprintf("%s/%s", TEST_FORMS_DIR, name), *dst = xasprintf("%s/%s", tmpdir, name);
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	if (!in || !out) {
		perror(name);
		exit(2);
	}
	strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		strbuf_add(&sb, buf, n);
	const char *text = strbuf_str(&sb), *at = from ? strstr(text, from) : NULL;
	CHECK(!from || at);
	if (at) {
		fwrite(text, 1, (size_t)(at - text), out);
		fputs(to, out);
		fputs(at + strlen(from), out);
	} else {
		fputs(text, out);
	}
	strbuf_done(&sb);
	fclose(in);
	fclose(out);
	free(src);
	free(dst);
}

/* The problems of loading tmpdir, with tmpdir/ taken off each line. */
static char *load_errors(void)
{
	char *errors = NULL;
	formset *fs = formset_load_dir(tmpdir, &errors);
	formset_free(fs);
	if (!errors)
		return xstrdup("");
	strbuf sb = STRBUF_INIT;
	size_t skip = strlen(tmpdir) + 1;
	for (char *line = errors; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len > skip && strncmp(line, tmpdir, skip - 1) == 0)
			strbuf_add(&sb, line + skip, len - skip);
		else
			strbuf_add(&sb, line, len);
		strbuf_putc(&sb, '\n');
		line += len + (nl ? 1 : 0);
	}
	free(errors);
	return strbuf_take(&sb);
}

static void test_real_forms(void)
{
	static const char *const names[] = {"patient.yaml", "reporting.yaml", "contact.yaml", "audit.yaml"};
	for (size_t i = 0; i < 4; i++)
		copy_form(names[i], NULL, NULL);
	char *errors = load_errors();
	CHECK_STR(errors, "");
	free(errors);

	copy_form("contact.yaml", "show_if: \"statut = 'realise'\"", "show_if: \"statut = 'realisé'\"");
	errors = load_errors();
	CHECK_STR(
	    errors,
	    "contact.yaml:54:28: « realisé » : code inconnu de statut ; vouliez-vous dire « realise » ?\n");
	free(errors);
	copy_form("contact.yaml", NULL, NULL);

	/* A code of the patient form, in another form's calculation. */
	copy_form("audit.yaml", "patient.sexe = 'M', seuil.auditc_h", "patient.sexe = 'H', seuil.auditc_h");
	errors = load_errors();
	CHECK(strstr(errors, "« H » : code inconnu de patient.sexe (codes : F, M, X)\n") != NULL);
	free(errors);
	/* The codes an alert compares a calculated field with are that field's choices. */
	copy_form("audit.yaml", "if: \"zone_oms = 'IV'\"", "if: \"zone_oms = 'iv'\"");
	errors = load_errors();
	CHECK(strstr(errors, "« iv » : code inconnu de zone_oms ; vouliez-vous dire « IV » ?\n") != NULL);
	free(errors);
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_fold);
	RUN(test_nearest);
	RUN(test_real_forms);
	static const char *const names[] = {"patient.yaml", "reporting.yaml", "contact.yaml", "audit.yaml"};
	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s/%s", tmpdir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	return harness_report();
}
