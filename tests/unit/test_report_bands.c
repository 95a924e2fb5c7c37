/* test_report_bands.c — the report's bands and zones are the YAML's: the categories of the
 * AUDIT zones and classes and of the PHQ-9 and GAD-7 bands are the choices of their calculated
 * fields, in the forms' order, with the forms' labels; a band field without choices makes its
 * indicator not available (with the reason) instead of inventing categories. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/form.h"
#include "core/util.h"
#include "export/report.h"
#include "harness.h"

/* The codes and French labels of an indicator's categories after the first ("evalues"), as
 * "code=label;…" (caller frees). */
static char *bands(const report_indicator *ind)
{
	strbuf sb = STRBUF_INIT;
	for (size_t k = 1; k < ind->n_cats; k++)
		strbuf_printf(&sb, "%s=%s;", ind->cats[k].code, ind->cats[k].label);
	return strbuf_take(&sb);
}

/* The same, from the choices of a form's field. */
static char *choices(const formset *fs, const char *form_id, const char *field_id)
{
	strbuf sb = STRBUF_INIT;
	const field *fd = form_field(formset_form(fs, form_id), field_id);
	for (size_t k = 0; fd && fd->choices && k < fd->choices->n; k++)
		strbuf_printf(&sb, "%s=%s;", fd->choices->items[k].code, fd->choices->items[k].label.fr);
	return strbuf_take(&sb);
}

static report *compute(const char *dir, const formset *fs)
{
	char *path = xasprintf("%s/r.db", dir), *why = NULL;
	int code = 0;
	report *r = NULL;
	store *s = store_open(path, STORE_OPEN_CREATE, &why, &code);
	if (s && !store_sync_forms(s, fs, "moi", &why)) {
		period p;
		period_parse("2026", &p, NULL);
		r = report_compute(s, fs, &p, &why, &code);
	}
	if (!r)
		fprintf(stderr, "rapport : %s\n", why ? why : "?");
	CHECK(r != NULL);
	free(why);
	free(path);
	store_close(s);
	return r;
}

/* The forms as shipped: every band indicator lists the choices of its field. */
static void test_shipped(const char *dir)
{
	char *errors = NULL;
	formset *fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	CHECK(fs != NULL);
	report *r = fs ? compute(dir, fs) : NULL;
	if (r) {
		static const struct {
			enum report_id id;
			const char *form, *field;
		} cases[] = {
		    {REPORT_AUDIT_ZONE, "audit", "zone_oms"},
		    {REPORT_AUDIT_CLASSE, "audit", "classe_fr"},
		    {REPORT_PHQ9, "sante_mentale", "phq9_severite"},
		    {REPORT_GAD7, "sante_mentale", "gad7_severite"},
		};
		for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
			const report_indicator *ind = &r->ind[cases[i].id];
			char *got = bands(ind), *want = choices(fs, cases[i].form, cases[i].field);
			CHECK(ind->available && *want);
			CHECK_STR(got, want);
			CHECK(ind->coded_by == form_field(formset_form(fs, cases[i].form), cases[i].field));
			free(got);
			free(want);
		}
		CHECK_STR(r->ind[REPORT_PHQ9].cats[5].label, "Sévère (20 à 27)");
		CHECK_STR(r->ind[REPORT_AUDIT_ZONE].cats[1].code, "I");
	}
	report_free(r);
	formset_free(fs);
	free(errors);
}

/* A copy of the forms where GAD-7's last band is relabelled and PHQ-9's choices (and its ordinal:) are gone.
 */
static void test_edited(const char *dir)
{
	char *cmd =
	    xasprintf("mkdir '%s/forms' && cp '%s'/*.yaml '%s/forms/' && "
	              "sed -i -e 's/Sévère (15 à 21)/Anxiété sévère/' "
	              "-e '/id: phq9_severite/,/title: {fr: \"GAD-7/{/choices:/d;/ordinal:/d;/value: /d}' "
	              "'%s/forms/sante_mentale.yaml'",
	              dir, TEST_FORMS_DIR, dir, dir);
	CHECK(system(cmd) == 0);
	free(cmd);
	char *forms = xasprintf("%s/forms", dir), *errors = NULL;
	formset *fs = formset_load_dir(forms, &errors);
	if (!fs)
		fprintf(stderr, "%s\n", errors);
	CHECK(fs != NULL);
	report *r = fs ? compute(dir, fs) : NULL;
	if (r) {
		const report_indicator *gad = &r->ind[REPORT_GAD7], *phq = &r->ind[REPORT_PHQ9];
		CHECK(gad->available && gad->n_cats == 5);
		if (gad->n_cats == 5)
			CHECK_STR(gad->cats[4].label, "Anxiété sévère");
		CHECK(!phq->available);
		CHECK_STR(phq->unavailable,
		          "champ « sante_mentale.phq9_severite » sans choices: (ses catégories)");
		CHECK(r->ind[REPORT_AUDIT_ZONE].available);
	}
	report_free(r);
	formset_free(fs);
	free(errors);
	free(forms);
}

int main(void)
{
	char dir[] = "/tmp/recueil-report-bands-XXXXXX";
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	char *sub = xasprintf("%s/a", dir);
	CHECK(mkdir(sub, 0700) == 0);
	test_shipped(sub);
	free(sub);
	sub = xasprintf("%s/b", dir);
	CHECK(mkdir(sub, 0700) == 0);
	test_edited(sub);
	free(sub);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "impossible d'effacer %s\n", dir);
	free(cmd);
	return harness_report();
}
