/* test_rights.c — what the patient's rights read from the store (store/rights.c, purge.c): the
 * patients past the retention period and the day their care last happened (an entry, a draft,
 * or their creation), the erasure of one of them that an entry added in the meantime cancels,
 * whether an export held a patient's data (dated in its snapshot, not a draft, created before
 * it), and the lines of the audit trail about one patient and no other. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "harness.h"
#include "store/store.h"

static store *s;
static formset *fs;
static char dir[] = "/tmp/recueil-rights-XXXXXX";

/* A new patient, created at the time now (RECUEIL_NOW). */
static int64_t patient(const char *now, char pseudo[16])
{
	setenv("RECUEIL_NOW", now, 1);
	int64_t id = 0;
	char *why = NULL;
	CHECK(store_patient_create(s, "moi", pseudo, &id, &why) == 0);
	free(why);
	return id;
}

/* Save a contact of the patient dated date, at the time now; a draft when draft. */
static void contact(int64_t pid, const char *date, const char *now, bool draft)
{
	setenv("RECUEIL_NOW", now, 1);
	const form *f = formset_form(fs, "contact");
	long day = 0;
	date_parse(date, &day);
	record *r = record_new(fs, f, day);
	const char *vals[][2] = {
	    {"intervenant", "medecin"}, {"type_contact", "cabinet"}, {"statut", "realise"}};
	for (size_t i = 0; i < 3; i++)
		CHECK(record_set(r, (size_t)form_field_index(f, vals[i][0]), vals[i][1], NULL));
	record_compute(r);
	entry_meta m = {0};
	m.patient_id = pid;
	char *why = NULL;
	int rc = store_entry_save(s, r, &m, draft, NULL, 0, "moi", &why);
	if (rc)
		fprintf(stderr, "enregistrement : %s\n", why);
	CHECK(rc == 0);
	free(why);
	record_free(r);
}

static void collect_expired(void *ctx, const expired_patient *e)
{
	strbuf_printf(ctx, "%s %s;", e->pseudonym, e->last);
}

/* The patients past cutoff (YYYY-MM-DD) as "PSEUDO last;…" (caller frees). */
static char *expired(const char *cutoff)
{
	long day;
	date_parse(cutoff, &day);
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	char *why = NULL;
	CHECK(store_expired_each(s, day, collect_expired, &sb, &why) == 0);
	free(why);
	return strbuf_take(&sb);
}

static void count_line(void *ctx, const audit_line *l)
{
	(*(int *)ctx)++;
	CHECK(l->at && l->login && l->action);
}

static void test_retention(void)
{
	char a[16], b[16], c[16], d[16], e[16];
	int64_t ia = patient("2001-01-10T10:00:00Z", a);
	contact(ia, "2005-06-01", "2005-06-01T10:00:00Z", false);
	contact(ia, "2003-02-01", "2005-06-02T10:00:00Z", false);
	int64_t ib = patient("2001-01-10T10:00:00Z", b);
	contact(ib, "2006-11-22", "2006-11-22T10:00:00Z", false); /* exactly 20 years before */
	int64_t ic = patient("2001-01-10T10:00:00Z", c);
	contact(ic, "2006-11-21", "2006-11-21T10:00:00Z", true); /* a draft is care too */
	patient("2002-03-04T10:00:00Z", d);                      /* no entry: their creation */
	int64_t ie = patient("2001-01-10T10:00:00Z", e);
	contact(ie, "2002-01-01", "2002-01-01T10:00:00Z", false);
	contact(ie, "2025-01-01", "2025-01-01T10:00:00Z", false);

	char *want = xasprintf("%s 2002-03-04;%s 2005-06-01;%s 2006-11-21;", d, a, c);
	char *got = expired("2006-11-22");
	CHECK_STR(got, want);
	free(got);
	free(want);
	long cutoff;
	date_parse("2006-11-22", &cutoff);
	CHECK(store_expired_count(s, cutoff) == 3);

	/* An entry arrives for c between the list and the erasure: c is kept. */
	contact(ic, "2026-11-01", "2026-11-22T10:00:00Z", false);
	patient_erasure done;
	char *why = NULL;
	CHECK(store_patient_erase_expired(s, ic, cutoff, "chef", &done, &why) == EXIT_TEMPFAIL);
	CHECK(why && strstr(why, "rien n'a été effacé"));
	free(why);
	why = NULL;
	CHECK(store_expired_count(s, cutoff) == 2);

	/* a is erased, with the reason and the last day in the trail; b and e stay. */
	int lines = 0;
	CHECK(store_patient_audit_each(s, ia, count_line, &lines, &why) == 0);
	CHECK(lines == 3); /* the patient's creation and two entries */
	CHECK(store_patient_erase_expired(s, ia, cutoff, "chef", &done, &why) == 0);
	CHECK(done.entries == 2);
	free(why);
	why = NULL;
	CHECK(store_patient_audit_each(s, ia, count_line, &lines, &why) == EXIT_NOINPUT);
	free(why);
	why = NULL;
	char *log = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&log, &size);
	CHECK(store_log_print(s, NULL, f, &why) == 0);
	fclose(f);
	want = xasprintf("patient %s effacement (durée de conservation dépassée, dernière entrée le "
	                 "2005-06-01) : 2 entrée(s)",
	                 a);
	CHECK(log && strstr(log, want));
	free(want);
	free(log);
	CHECK(store_patient_erase_expired(s, ie, -1, "chef", &done, &why) == EXIT_USAGE);
	free(why);
	why = NULL;
	got = expired("2006-11-22");
	want = xasprintf("%s 2002-03-04;", d);
	CHECK_STR(got, want);
	free(got);
	free(want);
	lines = 0;
	CHECK(store_patient_audit_each(s, ib, count_line, &lines, &why) == 0);
	CHECK(lines == 2); /* b's own, none of a's nor c's */
	free(why);
}

static void test_snapshot(void)
{
	char p[16];
	int64_t id = patient("2026-01-05T10:00:00Z", p);
	contact(id, "2026-03-10", "2026-03-10T10:00:00Z", true);  /* a draft: never exported */
	contact(id, "2026-08-01", "2026-10-15T10:00:00Z", false); /* entered after the T3 export */
	CHECK(!store_patient_in_snapshot(s, id, "2026-03-31", "2026-04-20T08:00:00Z"));
	CHECK(!store_patient_in_snapshot(s, id, "2026-09-30", "2026-10-10T08:00:00Z"));
	CHECK(store_patient_in_snapshot(s, id, "2026-09-30", "2026-10-20T08:00:00Z"));
	CHECK(!store_patient_in_snapshot(s, id, "2026-06-30", "2026-10-20T08:00:00Z"));
}

int main(void)
{
	/* The creation times and days come from RECUEIL_NOW and RECUEIL_TODAY. */
	test_seams_enable();
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	char *path = xasprintf("%s/r.db", dir);
	char *errors = NULL, *why = NULL;
	int code = 0;
	setenv("RECUEIL_TODAY", "2026-11-22", 1);
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	s = store_open(path, STORE_OPEN_CREATE, &why, &code);
	CHECK(fs && s);
	if (fs && s && store_init_structure(s, "LOC01", "Test", "moi", &why) == 0 &&
	    store_sync_forms(s, fs, "moi", &why) == 0) {
		RUN(test_retention);
		RUN(test_snapshot);
	} else {
		fprintf(stderr, "préparation : %s\n", why ? why : errors ? errors : "?");
		CHECK(!"préparation");
	}
	store_close(s);
	formset_free(fs);
	free(errors);
	free(why);
	free(path);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "impossible d'effacer %s\n", dir);
	free(cmd);
	return harness_report();
}
