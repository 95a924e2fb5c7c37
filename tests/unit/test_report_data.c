/* test_report_data.c — the store's report queries (store/report_data.h) on a small database
 * built entry by entry: which patients are followed, what drafts and entries outside the period
 * do, each patient's last score of the period, the EPICES threshold, the HCV cascade counted up
 * to the end of the period, several structures, and a database that lacks a form's table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "harness.h"
#include "store/report_data.h"

/* The database of the tests and its forms, and the directory that holds it. */
static store *s;
static formset *fs;
static char dir[] = "/tmp/recueil-report-data-XXXXXX";

/* Save an entry of form_id for a patient on day date (YYYY-MM-DD) with the field=value pairs
 * that follow (NULL-terminated); a draft when draft. Returns the store's code. */
static int save(int64_t pid, const char *form_id, const char *date, bool draft, ...)
{
	const form *f = formset_form(fs, form_id);
	long day = 0;
	date_parse(date, &day);
	record *r = record_new(fs, f, day);
	va_list ap;
	va_start(ap, draft);
	for (const char *kv; (kv = va_arg(ap, const char *));) {
		const char *eq = strchr(kv, '=');
		char *id = xstrndup(kv, (size_t)(eq - kv));
		char *why = NULL;
		if (!record_set(r, (size_t)form_field_index(f, id), eq + 1, &why)) {
			fprintf(stderr, "%s\n", why);
			CHECK(!"record_set");
		}
		free(why);
		free(id);
	}
	va_end(ap);
	record_compute(r);
	entry_meta m = {0};
	m.patient_id = pid;
	snprintf(m.date, sizeof m.date, "%s", date);
	char *why = NULL;
	int rc = store_entry_save(s, r, &m, draft, NULL, 0, "moi", &why);
	if (rc)
		fprintf(stderr, "enregistrement : %s\n", why);
	free(why);
	record_free(r);
	return rc;
}

/* The rows of one query, one per structure and code, their values added up (a query may give
 * one structure and code in several rows); flattened by query() as "structure code v1 v2 …;". */
enum { MAX_KEYS = 32, MAX_VALS = 8 };
typedef struct {
	char *key[MAX_KEYS]; /* "structure code" */
	double v[MAX_KEYS][MAX_VALS];
	size_t n_values[MAX_KEYS];
	int rows; /* distinct keys */
} rows;

static void collect(void *ctx, const store_report_row *row)
{
	rows *out = ctx;
	char *key = xasprintf("%s%s%s", row->structure, row->code ? " " : "", row->code ? row->code : "");
	int k = 0;
	while (k < out->rows && strcmp(out->key[k], key) != 0)
		k++;
	if (k == out->rows) {
		CHECK(k < MAX_KEYS);
		if (k == MAX_KEYS) {
			free(key);
			return;
		}
		out->key[out->rows++] = key;
		out->n_values[k] = row->n_values;
	} else {
		free(key);
	}
	for (size_t i = 0; i < row->n_values && i < MAX_VALS; i++)
		out->v[k][i] += row->values[i];
}

static void rows_done(rows *r)
{
	for (int k = 0; k < r->rows; k++)
		free(r->key[k]);
}

/* Run query q over period [first, last] with a's parameters; the flattened rows, sorted by
 * structure and code when several (caller frees). */
static char *query(enum store_report_query q, const char *first, const char *last, store_report_args a)
{
	a.first = first;
	a.last = last;
	rows out = {0};
	char *why = NULL;
	int rc = store_report_rows(s, q, &a, collect, &out, &why);
	if (rc)
		fprintf(stderr, "requête %d : %s\n", q, why ? why : "?");
	CHECK(rc == 0);
	free(why);
	/* Sorted by key, so that the expected text does not depend on SQLite's order. */
	int order[MAX_KEYS];
	for (int i = 0; i < out.rows; i++)
		order[i] = i;
	for (int i = 1; i < out.rows; i++)
		for (int j = i; j > 0 && strcmp(out.key[order[j - 1]], out.key[order[j]]) > 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	strbuf text = STRBUF_INIT;
	for (int i = 0; i < out.rows; i++) {
		int k = order[i];
		strbuf_puts(&text, out.key[k]);
		for (size_t v = 0; v < out.n_values[k]; v++)
			strbuf_printf(&text, " %g", out.v[k][v]);
		strbuf_puts(&text, ";");
	}
	rows_done(&out);
	return strbuf_take(&text);
}

#define EXPECT_ROWS(q, first, last, args, want)                                                              \
	do {                                                                                                 \
		char *got_ = query(q, first, last, args);                                                    \
		CHECK_STR(got_, want);                                                                       \
		free(got_);                                                                                  \
	} while (0)

static const store_report_args none = {0};

static int64_t new_patient(void)
{
	char pseudo[16];
	int64_t id = 0;
	char *why = NULL;
	CHECK(store_patient_create(s, "moi", pseudo, &id, &why) == 0);
	free(why);
	return id;
}

static void test_queries(void)
{
	int64_t a = new_patient(), b = new_patient(), c = new_patient();
	/* Contacts: a followed in T3 (one done, one cancelled), b only before T3, c only a draft. */
	CHECK(save(a, "contact", "2026-07-10", false, "intervenant=medecin", "type_contact=cabinet",
	           "statut=realise", NULL) == 0);
	CHECK(save(a, "contact", "2026-08-01", false, "intervenant=psychologue", "type_contact=telephone",
	           "statut=annule", NULL) == 0);
	CHECK(save(b, "contact", "2026-03-02", false, "intervenant=medecin", "type_contact=cabinet",
	           "statut=realise", NULL) == 0);
	CHECK(save(c, "contact", "2026-07-11", true, "intervenant=medecin", "type_contact=cabinet",
	           "statut=realise", NULL) == 0);
	EXPECT_ROWS(STORE_REPORT_FOLLOWED, "2026-07-01", "2026-09-30", none, "LOC01 1;");
	EXPECT_ROWS(STORE_REPORT_FOLLOWED, "2026-01-01", "2026-12-31", none, "LOC01 2;");
	EXPECT_ROWS(STORE_REPORT_CONTACTS, "2026-07-01", "2026-09-30", none,
	            "LOC01 annule 1;LOC01 realise 1;");
	EXPECT_ROWS(STORE_REPORT_CONTACTS_BY_PROFESSION, "2026-07-01", "2026-09-30", none,
	            "LOC01 medecin 1;");
	EXPECT_ROWS(STORE_REPORT_CONTACTS_BY_KIND, "2026-01-01", "2026-12-31", none, "LOC01 cabinet 2;");

	/* AUDIT: a's last of the period counts (zone II, total 9), not the earlier zone I. */
	const char *zone1[] = {"q1=1", "q2=0", "q3=0", "q4=0", "q5=0",
	                       "q6=0", "q7=0", "q8=0", "q9=0", "q10=0"};
	const char *zone2[] = {"q1=4", "q2=1", "q3=1", "q4=1", "q5=1",
	                       "q6=0", "q7=1", "q8=0", "q9=0", "q10=0"};
	CHECK(save(a, "audit", "2026-07-02", false, zone1[0], zone1[1], zone1[2], zone1[3], zone1[4],
	           zone1[5], zone1[6], zone1[7], zone1[8], zone1[9], NULL) == 0);
	CHECK(save(a, "audit", "2026-09-02", false, zone2[0], zone2[1], zone2[2], zone2[3], zone2[4],
	           zone2[5], zone2[6], zone2[7], zone2[8], zone2[9], NULL) == 0);
	EXPECT_ROWS(STORE_REPORT_AUDIT_ZONE, "2026-07-01", "2026-09-30", none, "LOC01 II 1;");
	EXPECT_ROWS(STORE_REPORT_AUDIT_ZONE, "2026-07-01", "2026-08-31", none, "LOC01 I 1;");
	/* No patient record: no sex, so the class is missing (a NULL code), the patient still counts. */
	EXPECT_ROWS(STORE_REPORT_AUDIT_CLASS, "2026-07-01", "2026-09-30", none, "LOC01 1;");

	/* EPICES: every answer 'no' but the first gives 75.14 + 10.06 = 85.2; a threshold of exactly
	 * 85.2 counts it, 85.21 does not. */
	CHECK(save(b, "precarite", "2026-07-05", false, "epices1=1", "epices2=0", "epices3=0", "epices4=0",
	           "epices5=0", "epices6=0", "epices7=0", "epices8=0", "epices9=0", "epices10=0",
	           "epices11=0", NULL) == 0);
	EXPECT_ROWS(STORE_REPORT_EPICES, "2026-07-01", "2026-09-30",
	            ((store_report_args){.epices_threshold = 85.2}), "LOC01 1 85.2 1;");
	EXPECT_ROWS(STORE_REPORT_EPICES, "2026-07-01", "2026-09-30",
	            ((store_report_args){.epices_threshold = 85.21}), "LOC01 1 85.2 0;");

	/* HCV: a screened by TROD before the period, positive; it counts for T3 (events up to its
	 * end), not for T1 (a was not followed then). */
	CHECK(save(a, "hcv", "2026-05-20", false, "evenement=test", "virus=vhc", "propose=realise",
	           "type_test=trod", "resultat=positif", NULL) == 0);
	EXPECT_ROWS(STORE_REPORT_HCV_CASCADE, "2026-07-01", "2026-09-30", none, "LOC01 1 1 1 0 0 0 0;");
	EXPECT_ROWS(STORE_REPORT_HCV_CASCADE, "2026-01-01", "2026-03-31", none, "LOC01 1 0 0 0 0 0 0;");
	/* Due for a new test at the end of T3 when the last one is on or before the cut-off day. */
	store_report_args due = {.due_injector = "2026-03-31", .due_other = "2026-05-20"};
	EXPECT_ROWS(STORE_REPORT_HCV_DUE, "2026-07-01", "2026-09-30", due, "LOC01 1 0 1 0 1;");
	due.due_other = "2026-05-19";
	EXPECT_ROWS(STORE_REPORT_HCV_DUE, "2026-07-01", "2026-09-30", due, "LOC01 1 0 0 0 0;");
	EXPECT_ROWS(STORE_REPORT_HBV_STATUS, "2026-07-01", "2026-09-30", none, "LOC01 non_renseigne 1;");

	/* Nothing in another period, and no row at all rather than zeros. */
	EXPECT_ROWS(STORE_REPORT_FOLLOWED, "2025-01-01", "2025-12-31", none, "");
	EXPECT_ROWS(STORE_REPORT_ALERTS, "2025-01-01", "2025-12-31", none, "");
}

static void add_structure(void *ctx, const char *code)
{
	strbuf_printf(ctx, "%s;", code);
}

static void test_structures(void)
{
	strbuf sb = STRBUF_INIT;
	char *why = NULL;
	CHECK(store_report_structures(s, add_structure, &sb, &why) == 0);
	CHECK_STR(strbuf_str(&sb), "LOC01;");
	strbuf_done(&sb);
	free(why);
}

/* A database created with the forms less sante_mentale has no table for it: the PHQ-9 query
 * says so (STORE_REPORT_MISSING, with SQLite's message), the others still answer. */
static void test_missing_table(void)
{
	const char *names[] = {"patient",   "audit",   "substances", "hcv",
	                       "precarite", "contact", "sortie",     "reporting"};
	char *paths[8];
	for (size_t i = 0; i < 8; i++)
		paths[i] = xasprintf("%s/%s.yaml", TEST_FORMS_DIR, names[i]);
	char *errors = NULL, *why = NULL, *path = xasprintf("%s/partiel.db", dir);
	int code = 0;
	formset *partial = formset_load_files((const char *const *)paths, 8, NULL, &errors);
	store *db = store_open(path, STORE_OPEN_CREATE, &why, &code);
	CHECK(partial && db);
	if (partial && db) {
		CHECK(store_init_structure(db, "LOC02", "Test", "moi", &why) == 0);
		CHECK(store_sync_forms(db, partial, "moi", &why) == 0);
		store_report_args a = {.first = "2026-01-01", .last = "2026-12-31"};
		rows out = {0};
		free(why);
		why = NULL;
		CHECK(store_report_rows(db, STORE_REPORT_PHQ9_BAND, &a, collect, &out, &why) ==
		      STORE_REPORT_MISSING);
		CHECK(why && strstr(why, "form_sante_mentale"));
		free(why);
		why = NULL;
		CHECK(store_report_rows(db, STORE_REPORT_FOLLOWED, &a, collect, &out, &why) == 0);
		CHECK(out.rows == 0);
		rows_done(&out);
	}
	store_close(db);
	formset_free(partial);
	for (size_t i = 0; i < 8; i++)
		free(paths[i]);
	free(errors);
	free(why);
	free(path);
}

int main(void)
{
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	char *path = xasprintf("%s/r.db", dir);
	char *errors = NULL, *why = NULL;
	int code = 0;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	s = store_open(path, STORE_OPEN_CREATE, &why, &code);
	CHECK(fs && s);
	if (fs && s && store_init_structure(s, "LOC01", "Test", "moi", &why) == 0 &&
	    store_sync_forms(s, fs, "moi", &why) == 0) {
		RUN(test_queries);
		RUN(test_structures);
	} else {
		fprintf(stderr, "préparation : %s\n", why ? why : errors ? errors : "?");
		CHECK(!"préparation");
	}
	store_close(s);
	formset_free(fs);
	RUN(test_missing_table);
	free(errors);
	free(why);
	free(path);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "impossible d'effacer %s\n", dir);
	free(cmd);
	return harness_report();
}
