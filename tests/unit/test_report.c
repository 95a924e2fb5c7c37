/* test_report.c — the report model without the command line: the small-count rule on counts,
 * means and shares (a mean or share computed from a masked count is masked too), totals over
 * several structures, the CSV rows, and report_compute on a fresh database with all the forms
 * and with one form missing (the indicator is not available, the others are). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/form.h"
#include "core/util.h"
#include "export/csv.h"
#include "export/report.h"
#include "harness.h"

/* A report built by hand: structures A and B; EPICES filled, the cascade not available. */
static report *fake_report(void)
{
	report *r = xcalloc(1, sizeof *r);
	period_parse("2026-T3", &r->period, NULL);
	r->mask_max = 4;
	r->n_structures = 2;
	r->structures = xcalloc(2, sizeof *r->structures);
	r->structures[0] = xstrdup("A");
	r->structures[1] = xstrdup("B");
	for (int i = 0; i < REPORT_N; i++) {
		r->ind[i].id = "x";
		r->ind[i].title = "x";
		r->ind[i].unavailable = xstrdup("pour le test");
	}
	report_indicator *ind = &r->ind[REPORT_EPICES];
	ind->id = "epices";
	ind->available = true;
	free(ind->unavailable);
	ind->unavailable = NULL;
	ind->n_cats = 4;
	ind->cats = xcalloc(4, sizeof *ind->cats);
	ind->cats[0] = (report_category){xstrdup("evalues"), xstrdup("Évalués"), REPORT_COUNT, -1, -1, -1};
	ind->cats[1] = (report_category){xstrdup("score_moyen"), xstrdup("Moyenne"), REPORT_MEAN, 0, -1, -1};
	ind->cats[2] = (report_category){xstrdup("precaires"), xstrdup("Précaires"), REPORT_COUNT, 0, -1, -1};
	ind->cats[3] =
	    (report_category){xstrdup("part_precaires"), xstrdup("Part"), REPORT_PERCENT, 0, 2, -1};
	/* A: 4 assessed, scores summing to 250.29, 3 precarious. B: 6, 300, 0. Total: 10, 550.29, 3. */
	static const double v[3][4] = {{4, 250.29, 3, 0}, {6, 300, 0, 0}, {10, 550.29, 3, 0}};
	ind->values = xcalloc(12, sizeof(double));
	memcpy(ind->values, v, sizeof v);
	r->ind[REPORT_CASCADE_VHC].id = "cascade_vhc";
	return r;
}

static void test_cells(void)
{
	report *r = fake_report();
	CHECK(report_rows(r) == 3);
	CHECK_STR(report_row_name(r, 0), "A");
	CHECK_STR(report_row_name(r, 2), "ensemble");

	report_cell c = report_cell_get(r, REPORT_EPICES, 0, 0, false);
	CHECK(c.has_value && !c.masked);
	CHECK_NUM(c.value, 4);
	c = report_cell_get(r, REPORT_EPICES, 0, 0, true); /* 4: masked */
	CHECK(!c.has_value && c.masked);
	c = report_cell_get(r, REPORT_EPICES, 0, 1, false); /* 250.29 / 4 = 62.5725 */
	CHECK_NUM(c.value, 62.57);
	c = report_cell_get(r, REPORT_EPICES, 0, 1, true); /* the mean of 4 people is masked too */
	CHECK(c.masked && !c.has_value);
	c = report_cell_get(r, REPORT_EPICES, 0, 3, false); /* 3 / 4 */
	CHECK_NUM(c.value, 75.0);
	c = report_cell_get(r, REPORT_EPICES, 2, 3, true); /* 3 of 10: the numerator is masked */
	CHECK(c.masked);
	c = report_cell_get(r, REPORT_EPICES, 1, 2, true); /* 0 is never masked */
	CHECK(c.has_value && !c.masked && c.value == 0);
	c = report_cell_get(r, REPORT_EPICES, 1, 3, true); /* 0 of 6 */
	CHECK(c.has_value && c.value == 0);
	c = report_cell_get(r, REPORT_EPICES, 2, 1, true); /* 550.29 / 10 = 55.029 */
	CHECK_NUM(c.value, 55.03);
	c = report_cell_share(r, REPORT_EPICES, 1, 2, false); /* 0 of 6 beside the count */
	CHECK(c.has_value && c.value == 0);
	c = report_cell_share(r, REPORT_EPICES, 0, 2, true);
	CHECK(c.masked);
	c = report_cell_share(r, REPORT_EPICES, 0, 0, false); /* evalues has no base */
	CHECK(!c.has_value && !c.masked);
	c = report_cell_get(r, REPORT_CASCADE_VHC, 0, 0, true); /* not available */
	CHECK(!c.has_value && !c.masked);
	c = report_cell_get(r, REPORT_EPICES, 3, 0, false); /* no such row */
	CHECK(!c.has_value);

	r->mask_max = 0; /* reporting.yaml may turn masking off */
	c = report_cell_get(r, REPORT_EPICES, 0, 0, true);
	CHECK(c.has_value && c.value == 4);
	report_free(r);
}

static bool mem_sink(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

static void test_csv(void)
{
	report *r = fake_report();
	strbuf sb = STRBUF_INIT;
	csv_writer w;
	csv_init(&w, mem_sink, &sb);
	CHECK(report_write_csv(r, &w, true));
	const char *s = strbuf_str(&sb);
	CHECK(str_starts(s, "structure,periode,indicateur,categorie,valeur,masque\r\n"));
	CHECK(strstr(s, "\r\nA,2026-T3,epices,evalues,,1\r\n") != NULL);
	CHECK(strstr(s, "\r\nA,2026-T3,epices,score_moyen,,1\r\n") != NULL);
	CHECK(strstr(s, "\r\nB,2026-T3,epices,score_moyen,50.00,0\r\n") != NULL);
	CHECK(strstr(s, "\r\nB,2026-T3,epices,part_precaires,0.0,0\r\n") != NULL);
	CHECK(strstr(s, "\r\nensemble,2026-T3,epices,evalues,10,0\r\n") != NULL);
	CHECK(strstr(s, "\r\nensemble,2026-T3,epices,precaires,,1\r\n") != NULL);
	CHECK(strstr(s, "\r\nA,2026-T3,cascade_vhc,,,0\r\n") != NULL);
	/* 3 rows × (14 activity indicators not available + 4 EPICES categories) + the header: a
	 * report without pages is the activity report. */
	size_t lines = 0;
	for (const char *p = s; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	CHECK(lines == 3 * (REPORT_IMPACT_FIRST - 1 + 4) + 1);
	strbuf_done(&sb);

	csv_init(&w, mem_sink, &sb);
	CHECK(report_write_csv(r, &w, false));
	CHECK(strstr(strbuf_str(&sb), "\r\nA,2026-T3,epices,score_moyen,62.57,0\r\n") != NULL);
	strbuf_done(&sb);
	report_free(r);
}

/* A fresh database: every indicator is available and zero; one structure, from the structure
 * table. Without sante_mentale, PHQ-9 and GAD-7 are not available, the rest still is. */
static void test_compute(void)
{
	char dir[] = "/tmp/recueil-report-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	char *path = xasprintf("%s/r.db", dir);
	char *errors = NULL, *why = NULL;
	int code = 0;
	formset *fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	CHECK(fs != NULL);
	store *s = store_open(path, STORE_OPEN_CREATE, &why, &code);
	CHECK(s != NULL);
	if (!fs || !s)
		goto out;
	CHECK(store_init_structure(s, "LOC01", "Test", "moi", &why) == 0);
	CHECK(store_sync_forms(s, fs, "moi", &why) == 0);
	period p;
	CHECK(period_parse("2026", &p, NULL));
	report *r = report_compute(s, fs, &p, &why, &code);
	CHECK(r != NULL);
	if (r) {
		CHECK(r->n_structures == 1 && strcmp(r->structures[0], "LOC01") == 0);
		CHECK(r->mask_max == 4);
		for (int i = 0; i < REPORT_N; i++) {
			/* The activity page only: the impact page was not asked for. */
			CHECK(r->ind[i].available == (i < REPORT_IMPACT_FIRST));
			if (r->ind[i].available != (i < REPORT_IMPACT_FIRST))
				fprintf(stderr, "  %s : %s\n", r->ind[i].id, r->ind[i].unavailable);
		}
		CHECK_STR(r->ind[REPORT_CASCADE_VHC].cats[6].code, "gueris");
		CHECK_STR(r->ind[REPORT_SORTIES].cats[0].code, "objectifs_atteints"); /* from the YAML */
		report_cell c = report_cell_get(r, REPORT_SUIVIS, 0, 0, true);
		CHECK(c.has_value && c.value == 0);
		c = report_cell_get(r, REPORT_EPICES, 0, 1, true); /* a mean of nobody */
		CHECK(!c.has_value && !c.masked);
		report_free(r);
	}

	/* The same forms less sante_mentale. */
	const char *names[] = {"patient",   "audit",   "substances", "hcv",
	                       "precarite", "contact", "sortie",     "reporting"};
	char *paths[8];
	for (size_t i = 0; i < 8; i++)
		paths[i] = xasprintf("%s/%s.yaml", TEST_FORMS_DIR, names[i]);
	formset *fs2 = formset_load_files((const char *const *)paths, 8, NULL, &errors);
	CHECK(fs2 != NULL);
	if (fs2) {
		r = report_compute(s, fs2, &p, &why, &code);
		CHECK(r && !r->ind[REPORT_PHQ9].available && !r->ind[REPORT_GAD7].available);
		CHECK(r && r->ind[REPORT_CASCADE_VHC].available && r->ind[REPORT_ALERTES].available);
		if (r)
			CHECK_STR(r->ind[REPORT_PHQ9].unavailable, "formulaire « sante_mentale » absent");
		report_free(r);
	}
	formset_free(fs2);
	for (size_t i = 0; i < 8; i++)
		free(paths[i]);
out:
	if (errors)
		fprintf(stderr, "%s", errors);
	free(errors);
	free(why);
	store_close(s);
	formset_free(fs);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "impossible d'effacer %s\n", dir);
	free(cmd);
	free(path);
}

int main(void)
{
	RUN(test_cells);
	RUN(test_csv);
	RUN(test_compute);
	return harness_report();
}
