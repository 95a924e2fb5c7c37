/* test_dataset.c — the data dictionary and the columns of the export as the evaluation team
 * reads them: codebook.csv describes every column of every CSV in the order of the file
 * (common columns, fields, a multiple choice's 0/1 columns; then alerts.csv), with the labels,
 * limits, skip rules and codes of the forms; the 0/1 cells say chosen, not chosen or not
 * answered; seuils.csv carries each threshold's value; the import accepts this codebook and the
 * first version's, and refuses 0/1 columns that do not match the regional forms and columns
 * alerts.csv does not have. */
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/util.h"
#include "export/csv.h"
#include "export/export_internal.h"
#include "export/import.h"
#include "harness.h"

static formset *fs;

/* The records of a CSV text (caller frees with records_free). */
typedef struct {
	char ***rows;
	size_t *n_fields;
	size_t n;
} records;

static bool keep_record(void *ctx, uint64_t rec, char **fields, size_t n)
{
	(void)rec;
	records *r = ctx;
	r->rows = xrealloc(r->rows, (r->n + 1) * sizeof *r->rows);
	r->n_fields = xrealloc(r->n_fields, (r->n + 1) * sizeof *r->n_fields);
	r->rows[r->n] = xcalloc(n ? n : 1, sizeof **r->rows);
	for (size_t i = 0; i < n; i++)
		r->rows[r->n][i] = xstrdup(fields[i]);
	r->n_fields[r->n++] = n;
	return true;
}

static records parse(const strbuf *text)
{
	records r = {0};
	csv_reader rd;
	csv_reader_init(&rd);
	csv_reader_on_record(&rd, keep_record, &r, 1 << 20);
	csv_reader_feed(&rd, strbuf_str(text), text->len);
	CHECK(csv_reader_finish(&rd));
	csv_reader_done(&rd);
	return r;
}

static void records_free(records *r)
{
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->n_fields[i]; k++)
			free(r->rows[i][k]);
		free(r->rows[i]);
	}
	free(r->rows);
	free(r->n_fields);
}

static long col(const records *r, const char *name)
{
	for (size_t i = 0; r->n && i < r->n_fields[0]; i++)
		if (strcmp(r->rows[0][i], name) == 0)
			return (long)i;
	return -1;
}

/* The row of the dictionary for form.field, or NULL. */
static char **row_of(const records *r, const char *form_id, const char *field_id)
{
	long f = col(r, "form"), c = col(r, "field");
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(r->rows[i][f], form_id) == 0 && strcmp(r->rows[i][c], field_id) == 0)
			return r->rows[i];
	return NULL;
}

static const char *cell(const records *r, char **row, const char *name)
{
	long c = col(r, name);
	return row && c >= 0 ? row[c] : NULL;
}

/* The dictionary's rows of each form are the columns of its CSV, in the order of the file. */
static void test_rows_are_the_columns(void)
{
	strbuf cb = STRBUF_INIT;
	export_codebook(&cb, fs);
	CHECK(strncmp(strbuf_str(&cb), export_codebook_header(), strlen(export_codebook_header())) == 0);
	records r = parse(&cb);
	size_t at = 1;
	for (size_t k = 0; k < fs->n_forms; k++) {
		export_layout l;
		export_layout_init(&l, fs->forms[k]);
		for (size_t i = 0; i < l.n; i++, at++) {
			CHECK(at < r.n);
			if (at >= r.n)
				break;
			CHECK_STR(cell(&r, r.rows[at], "form"), fs->forms[k]->id);
			CHECK_STR(cell(&r, r.rows[at], "field"), l.cols[i].name);
			CHECK(*cell(&r, r.rows[at], "label") != '\0');
			CHECK(*cell(&r, r.rows[at], "value_type") != '\0');
		}
		export_layout_done(&l);
	}
	/* then alerts.csv, under the name no form may take */
	static const char *const alerts[] = {EXPORT_ALERT_COLUMNS};
	for (size_t i = 0; i < sizeof alerts / sizeof *alerts; i++, at++) {
		CHECK(at < r.n);
		if (at >= r.n)
			break;
		CHECK_STR(cell(&r, r.rows[at], "form"), EXPORT_ALERTS_NAME);
		CHECK_STR(cell(&r, r.rows[at], "field"), alerts[i]);
		CHECK(*cell(&r, r.rows[at], "label") != '\0');
		CHECK(*cell(&r, r.rows[at], "label_en") != '\0');
		CHECK(*cell(&r, r.rows[at], "value_type") != '\0');
	}
	CHECK(at == r.n);
	records_free(&r);
	strbuf_done(&cb);
}

/* What a statistician needs to read each kind of column. */
static void test_what_rows_say(void)
{
	strbuf cb = STRBUF_INIT;
	export_codebook(&cb, fs);
	records r = parse(&cb);
	char **q9 = row_of(&r, "audit", "q9"), **q2 = row_of(&r, "audit", "q2");
	CHECK_STR(cell(&r, q9, "choices"),
	          "0=Non | 2=Oui, mais pas au cours de l'année écoulée | 4=Oui, au cours de l'année");
	CHECK_STR(cell(&r, q9, "choices_en"),
	          "0=No | 2=Yes, but not in the last year | 4=Yes, during the last year");
	CHECK_STR(cell(&r, q9, "value_type"), "integer");
	CHECK_STR(cell(&r, q9, "ordinal"), "yes");
	CHECK_STR(cell(&r, q9, "required"), "yes");
	CHECK_STR(cell(&r, q2, "show_if"), "q1 > 0");
	CHECK_STR(cell(&r, q2, "skipped_value"), "0");
	CHECK_STR(cell(&r, q2, "missing_codes"),
	          ".refus=refus de répondre | .nsp=ne sait pas | .non_demande=non demandé");
	char **zone = row_of(&r, "audit", "zone_oms");
	CHECK(strstr(cell(&r, zone, "choices"), "IV=Zone IV (20 à 40)") != NULL);
	CHECK_STR(cell(&r, zone, "ordinal"), "yes");
	CHECK_STR(cell(&r, zone, "value_type"), "text");
	CHECK_STR(cell(&r, row_of(&r, "audit", "saut_q2_q8"), "choices"), "1=oui | 0=non");
	CHECK_STR(cell(&r, row_of(&r, "contact", "intervenant"), "ordinal"), "no");
	char **duree = row_of(&r, "contact", "duree_min");
	CHECK_STR(cell(&r, duree, "min"), "1");
	CHECK_STR(cell(&r, duree, "max"), "480");
	CHECK_STR(cell(&r, duree, "unit"), "min");
	CHECK_STR(cell(&r, duree, "missing_codes"), "");
	CHECK_STR(cell(&r, row_of(&r, "precarite", "epices_score"), "decimals"), "2");
	CHECK_STR(cell(&r, row_of(&r, "precarite", "epices_score"), "value_type"), "decimal");
	CHECK_STR(cell(&r, row_of(&r, "sante_mentale", "phq9_total"), "value_type"), "integer");
	CHECK(row_of(&r, "patient", "nom") == NULL);
	CHECK(row_of(&r, "contact", "notes") == NULL);
	/* common columns */
	char **pseudo = row_of(&r, "audit", "pseudonym");
	CHECK_STR(cell(&r, pseudo, "identifier"), "yes");
	CHECK_STR(cell(&r, row_of(&r, "audit", "entry_date"), "value_type"), "date");
	CHECK_STR(cell(&r, row_of(&r, "audit", "updated_at"), "value_type"), "datetime");
	CHECK(strstr(cell(&r, row_of(&r, "audit", "entry_status"), "choices"), "incomplete=") != NULL);
	/* a multiple choice and one of its 0/1 columns */
	char **motif = row_of(&r, "patient", "motif_inclusion");
	CHECK_STR(cell(&r, motif, "value_type"), "codes");
	char **opt = row_of(&r, "patient", "motif_inclusion___precarite");
	CHECK_STR(cell(&r, opt, "derived_from"), "motif_inclusion");
	CHECK_STR(cell(&r, opt, "value_type"), "integer");
	CHECK_STR(cell(&r, opt, "label"), "Motif(s) d'inclusion : Précarité");
	CHECK_STR(cell(&r, opt, "label_en"), "Reason(s) for inclusion: Precariousness");
	CHECK_STR(cell(&r, opt, "expression"), "selected(motif_inclusion, 'precarite')");
	CHECK_STR(cell(&r, opt, "choices"), "1=oui | 0=non");
	CHECK_STR(cell(&r, motif, "derived_from"), "");
	/* structure and pseudonym: together the key of a patient */
	CHECK(
	    strstr(cell(&r, row_of(&r, "audit", "structure"), "label"), "avec pseudonym, la clé du patient"));
	CHECK_STR(cell(&r, row_of(&r, "audit", "structure"), "identifier"), "yes");
	/* alerts.csv: labelled level and acknowledgement, typed dates, the key of its entry */
	CHECK_STR(cell(&r, row_of(&r, "alerts", "level"), "choices"),
	          "info=information | attention=attention | urgent=urgent (à voir le jour même)");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "level"), "ordinal"), "yes");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "acknowledged"), "choices"), "1=oui | 0=non");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "acknowledged"), "choices_en"), "1=yes | 0=no");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "acknowledged"), "value_type"), "integer");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "raised_at"), "value_type"), "datetime");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "raised_at"), "required"), "yes");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "acknowledged_at"), "required"), "no");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "entry_id"), "identifier"), "yes");
	CHECK_STR(cell(&r, row_of(&r, "alerts", "entry_id"), "form_version"), "");
	records_free(&r);
	strbuf_done(&cb);
}

static void test_option_cells(void)
{
	CHECK_STR(export_option_cell(NULL, "logement"), "");
	CHECK_STR(export_option_cell(".refus", "logement"), "");
	CHECK_STR(export_option_cell("", "logement"), "0");
	CHECK_STR(export_option_cell("logement", "logement"), "1");
	CHECK_STR(export_option_cell("droits_sante logement", "logement"), "1");
	CHECK_STR(export_option_cell("droits_sante logement", "droits_sante"), "1");
	CHECK_STR(export_option_cell("droits_sante", "droits"), "0");
	CHECK_STR(export_option_cell("emploi justice", "ressources"), "0");
}

static void test_thresholds(void)
{
	strbuf sb = STRBUF_INIT;
	export_thresholds(&sb, fs);
	records r = parse(&sb);
	CHECK(r.n == fs->reporting->n_thresholds + 1);
	bool found = false;
	for (size_t i = 1; i < r.n; i++)
		if (strcmp(r.rows[i][0], "audit_dependance") == 0) {
			found = true;
			CHECK_STR(cell(&r, r.rows[i], "value"), "13");
			CHECK(strstr(cell(&r, r.rows[i], "reference"), "Gache") != NULL);
			CHECK_STR(cell(&r, r.rows[i], "used_by"), "audit.classe_fr");
		} else if (strcmp(r.rows[i][0], "epices_precarite") == 0) {
			CHECK_STR(cell(&r, r.rows[i], "value"), "30.17");
			CHECK_STR(cell(&r, r.rows[i], "used_by"), "precarite.precaire");
		}
	CHECK(found);
	records_free(&r);
	strbuf_done(&sb);
}

/* Names for Stata (32 bytes) and SPSS (64): kept when valid, else short and still distinct. */
static void test_package_names(void)
{
	char a[33], b[33];
	export_package_name("q1", 32, NULL, a);
	CHECK_STR(a, "q1");
	export_package_name("motif_inclusion___addiction_sans_produit", 32, NULL, a);
	export_package_name("motif_inclusion___addiction_produit_x", 32, NULL, b);
	CHECK(strlen(a) == 32 && strlen(b) == 32 && strcmp(a, b) != 0);
	CHECK(strncmp(a, "motif_inclusion___addic", 23) == 0);
	static const char *const reserved[] = {"if", "in", NULL};
	export_package_name("in", 32, reserved, a);
	CHECK(strcmp(a, "in") != 0 && strncmp(a, "in_", 3) == 0);
}

static char *manifest_text;

static int check(const strbuf *cb, char **why)
{
	*why = NULL;
	return import_manifest_check(manifest_text, strlen(manifest_text), strbuf_str(cb), cb->len, fs, why);
}

static bool to_strbuf(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

/* A copy of the codebook with one change: every row's cells through a function. */
static void edited(const strbuf *cb, strbuf *out, void (*edit)(records *r))
{
	records r = parse(cb);
	edit(&r);
	csv_writer w;
	strbuf_reset(out);
	csv_init(&w, to_strbuf, out);
	for (size_t i = 0; i < r.n; i++) {
		for (size_t k = 0; k < r.n_fields[i]; k++)
			csv_field(&w, r.rows[i][k]);
		csv_end_row(&w);
	}
	csv_flush(&w);
	records_free(&r);
}

static void rename_option(records *r)
{
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(r->rows[i][col(r, "field")], "motif_inclusion___precarite") == 0) {
			free(r->rows[i][col(r, "field")]);
			r->rows[i][col(r, "field")] = xstrdup("motif_inclusion___inconnu");
		}
}

static void option_of_a_choice(records *r)
{
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(r->rows[i][col(r, "field")], "motif_inclusion___precarite") == 0) {
			free(r->rows[i][col(r, "derived_from")]);
			r->rows[i][col(r, "derived_from")] = xstrdup("sexe");
		}
}

static void unknown_alert_column(records *r)
{
	for (size_t i = 1; i < r->n; i++)
		if (strcmp(r->rows[i][col(r, "form")], EXPORT_ALERTS_NAME) == 0 &&
		    strcmp(r->rows[i][col(r, "field")], "rule") == 0) {
			free(r->rows[i][col(r, "field")]);
			r->rows[i][col(r, "field")] = xstrdup("message");
		}
}

static void test_import_checks(void)
{
	strbuf m = STRBUF_INIT;
	strbuf_puts(&m, "# recueil : manifeste de l'export\nformat: recueil-export 1\n"
	                "export_id: e1f3b9ca-c6d6-4f0a-b0e9-3dbb9198a390\nexport_sequence: 1\n"
	                "structure_code: DEMO\nperiod: 2026-T3\ncreated_at: 2026-11-22T22:04:24Z\n"
	                "schema_version: 1\n");
	for (size_t i = 0; i < fs->n_forms; i++)
		strbuf_printf(&m, "form: %s version=%d\n", fs->forms[i]->id, fs->forms[i]->version);
	for (size_t i = 0; i < fs->n_forms; i++)
		strbuf_printf(&m, "file: %s.csv rows=0 bytes=0 sha256=%064d\n", fs->forms[i]->id, 0);
	manifest_text = strbuf_take(&m);

	strbuf cb = STRBUF_INIT, bad = STRBUF_INIT;
	export_codebook(&cb, fs);
	char *why;
	CHECK(check(&cb, &why) == 0);
	free(why);

	edited(&cb, &bad, rename_option);
	CHECK(check(&bad, &why) == EXIT_DATAERR);
	CHECK(why && strstr(why, "motif_inclusion___inconnu") != NULL);
	free(why);
	edited(&cb, &bad, option_of_a_choice);
	CHECK(check(&bad, &why) == EXIT_DATAERR);
	CHECK(why && strstr(why, "pas un choix multiple") != NULL);
	free(why);
	edited(&cb, &bad, unknown_alert_column);
	CHECK(check(&bad, &why) == EXIT_DATAERR);
	CHECK(why && strstr(why, "« message » inconnue de alerts.csv") != NULL);
	free(why);

	/* The first version's header with its rows: accepted. */
	strbuf v1 = STRBUF_INIT;
	strbuf_puts(&v1, export_codebook_header_v1());
	strbuf_printf(&v1, "patient,%d,motif_inclusion,Motif,multi,codes,,,,,,\r\n",
	              formset_form(fs, "patient")->version);
	CHECK(check(&v1, &why) == 0);
	free(why);
	/* Neither header: refused. */
	strbuf_reset(&v1);
	strbuf_puts(&v1, "form,field\r\npatient,sexe\r\n");
	CHECK(check(&v1, &why) == EXIT_DATAERR);
	CHECK(why && strstr(why, "en-tête") != NULL);
	free(why);
	strbuf_done(&v1);
	strbuf_done(&bad);
	strbuf_done(&cb);
	free(manifest_text);
}

int main(void)
{
	char *errors = NULL;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	if (!fs) {
		fprintf(stderr, "%s\n", errors ? errors : "?");
		return 1;
	}
	RUN(test_rows_are_the_columns);
	RUN(test_what_rows_say);
	RUN(test_option_cells);
	RUN(test_thresholds);
	RUN(test_package_names);
	RUN(test_import_checks);
	formset_free(fs);
	free(errors);
	return harness_report();
}
