/* test_session.c — the session: the one table of what each role may see and do, as the README
 * states it; opening refused to an unregistered login and to a role that may not, with the
 * refusal in the audit trail; identity fields hidden from the coordination; a patient created
 * with their own record. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"
#include "core/util.h"
#include "harness.h"
#include "session/session.h"
#include "store/store.h"

static char dir[] = "/tmp/recueil-session-XXXXXX";
static char db_path[300];

static const char *const roles[] = {"saisie", "coordination", "admin"};

static void test_table(void)
{
	/* Rows: the README's "Roles" paragraph; columns: saisie, coordination, admin. */
	static const struct {
		perm p;
		bool may[3];
	} want[] = {
	    {PERM_READ, {true, true, true}},
	    {PERM_SEE_IDENTITY, {true, false, true}},
	    {PERM_EDIT_ENTRY, {true, true, true}},
	    {PERM_ACK_ALERT, {true, true, true}},
	    {PERM_DELETE_ENTRY, {false, false, true}},
	    {PERM_DELETE_PATIENT, {false, false, true}},
	    {PERM_EXPORT, {false, true, true}},
	    {PERM_IMPORT, {false, true, true}},
	    {PERM_REPORT, {false, true, true}},
	    {PERM_BACKUP, {false, false, true}},
	    {PERM_ADMIN_USERS, {false, false, true}},
	    {PERM_ENROL, {false, false, true}},
	    {PERM_CHOOSE_FORMS, {false, false, true}},
	    {PERM_PUBLISH_FORMS, {false, true, true}},
	    {PERM_INSTALL_FORMS, {false, false, true}},
	};
	CHECK(sizeof want / sizeof *want == PERM_COUNT);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		for (int r = 0; r < 3; r++)
			if (role_may(roles[r], want[i].p) != want[i].may[r]) {
				fprintf(stderr, "permission %d, rôle %s\n", (int)want[i].p, roles[r]);
				CHECK(role_may(roles[r], want[i].p) == want[i].may[r]);
			}
		CHECK(!role_may("", want[i].p));
		CHECK(!role_may("root", want[i].p));
		/* The refusal messages say "rôle X ou supérieur": true of every refusable permission. */
		if (want[i].p != PERM_SEE_IDENTITY) {
			int lowest = 0;
			while (!want[i].may[lowest])
				lowest++;
			CHECK_STR(perm_lowest_role(want[i].p), roles[lowest]);
			for (int r = lowest; r < 3; r++)
				CHECK(want[i].may[r]);
		}
	}
}

/* A session of login on the test database, forms of the source tree. */
static void open_as(session *s, const char *login)
{
	char *why = NULL;
	CHECK(session_init(s, db_path, TEST_FORMS_DIR, &why) == 0);
	free(why);
	snprintf(s->login, sizeof s->login, "%s", login);
}

/* The audit trail as text (caller frees). */
static char *audit_trail(session *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char *why = NULL;
	CHECK(store_log_print(s->db, NULL, f, &why) == 0);
	free(why);
	fclose(f);
	return buf;
}

static void test_open(void)
{
	session s;
	char *why = NULL;
	open_as(&s, "inconnu");
	CHECK(session_open(&s, PERM_READ, &why) == EXIT_NOPERM);
	CHECK(why && strstr(why, "« inconnu » non inscrit"));
	CHECK(why && strstr(why, "(chef)"));
	CHECK(why && strstr(why, "recueil user add inconnu"));
	free(why);
	why = NULL;
	session_done(&s);
	session_done(&s); /* twice is fine */

	open_as(&s, "coord");
	s.command = "user add";
	CHECK(session_open(&s, PERM_ADMIN_USERS, &why) == EXIT_NOPERM);
	CHECK(why && strstr(why, "réservée au rôle admin ou supérieur (vous êtes coordination)"));
	free(why);
	why = NULL;
	char *log = audit_trail(&s);
	CHECK(strstr(log, "inconnu  REFUSÉ accès d'un utilisateur non inscrit") != NULL);
	CHECK(strstr(log, "coord  REFUSÉ « user add » réservé au rôle admin (rôle coordination)") != NULL);
	free(log);
	session_done(&s);

	open_as(&s, "coord");
	CHECK(session_open(&s, PERM_EXPORT, &why) == 0);
	CHECK(why == NULL);
	CHECK_STR(s.role, "coordination");
	CHECK(session_may(&s, PERM_REPORT));
	CHECK(!session_may(&s, PERM_SEE_IDENTITY));
	CHECK(!session_check(&s, PERM_DELETE_PATIENT, "patient delete"));
	log = audit_trail(&s);
	CHECK(strstr(log, "coord  REFUSÉ « patient delete » réservé au rôle admin (rôle coordination)") !=
	      NULL);
	free(log);
	session_done(&s);
}

/* Identity fields: hidden from the coordination, shown to saisie; a summary naming one masks it
 * for the coordination only. */
static void test_identity(void)
{
	session coord, saisie;
	char *why = NULL;
	open_as(&coord, "coord");
	open_as(&saisie, "soignante");
	CHECK(session_open(&coord, PERM_READ, &why) == 0);
	CHECK(session_open(&saisie, PERM_READ, &why) == 0);
	const form *pf = formset_form(coord.fs, "patient");
	long nom = form_field_index(pf, "nom"), sexe = form_field_index(pf, "sexe");
	CHECK(nom >= 0 && sexe >= 0);
	if (nom >= 0 && sexe >= 0) {
		CHECK(!session_shows_field(&coord, &pf->fields[nom]));
		CHECK(session_shows_field(&coord, &pf->fields[sexe]));
		CHECK(session_shows_field(&saisie, &pf->fields[nom]));
		/* A summary that names the name, as a form's author may write it. */
		record *r = record_new(coord.fs, pf, date_today());
		CHECK(record_set(r, (size_t)nom, "Dupont", NULL));
		char *saved = pf->summary;
		((form *)pf)->summary = "Patient {nom}";
		char *text = session_summary(&coord, r, "fr");
		CHECK_STR(text, "Patient …");
		free(text);
		text = session_summary(&saisie, r, "fr");
		CHECK_STR(text, "Patient Dupont");
		free(text);
		((form *)pf)->summary = saved;
		record_free(r);
	}
	session_done(&coord);
	session_done(&saisie);
}

static void count_entry(void *ctx, const entry_meta *m)
{
	(void)m;
	(*(int *)ctx)++;
}

static void test_patient_add(void)
{
	session s;
	char *why = NULL;
	open_as(&s, "soignante");
	CHECK(session_open(&s, PERM_EDIT_ENTRY, &why) == 0);
	const form *pf = formset_form(s.fs, "patient");
	record *r = record_new(s.fs, pf, date_today());
	CHECK(record_set(r, (size_t)form_field_index(pf, "sexe"), "F", NULL));
	CHECK(record_set(r, (size_t)form_field_index(pf, "annee_naissance"), "1981", NULL));
	CHECK(record_set(r, (size_t)form_field_index(pf, "date_inclusion"), "2026-01-05", NULL));
	record_compute(r);
	entry_meta meta = {0};
	CHECK(session_patient_add(&s, r, NULL, 0, &meta, &why) == 0);
	CHECK(why == NULL);
	CHECK(pseudonym_valid(meta.pseudonym));
	CHECK(meta.patient_id > 0 && meta.id > 0);
	CHECK_STR(meta.status, "complete");
	char pseudo[16];
	CHECK(store_patient_find(s.db, meta.pseudonym, pseudo) == meta.patient_id);
	int entries = 0;
	CHECK(store_entry_each(s.db, meta.patient_id, count_entry, &entries, &why) == 0);
	CHECK(entries == 1);
	record_free(r);
	session_done(&s);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 2;
	snprintf(db_path, sizeof db_path, "%s/session.db", dir);
	char *why = NULL;
	int code;
	store *st = store_open(db_path, STORE_OPEN_CREATE, &why, &code);
	if (!st || store_init_structure(st, "SESSION", "Test", "chef", &why) ||
	    store_user_add(st, "coord", "coordination", NULL, "chef", &why) ||
	    store_user_add(st, "soignante", "saisie", NULL, "chef", &why)) {
		fprintf(stderr, "%s\n", why ? why : "?");
		return 2;
	}
	store_close(st);
	RUN(test_table);
	RUN(test_open);
	RUN(test_identity);
	RUN(test_patient_add);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "nettoyage de %s impossible\n", dir);
	return harness_report();
}
