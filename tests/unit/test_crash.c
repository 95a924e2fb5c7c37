/* test_crash.c — a child saves entries in a loop and is killed with SIGKILL at random moments,
 * many times; afterwards the file is whole (integrity_check, foreign_key_check) and every save
 * the child acknowledged is there with its values. RECUEIL_CRASH_TRIALS sets the number of
 * kills (default 25; the "slow" label runs 400).
 *
 * The random delays come from a seed printed first ("graine : N"); to replay a failed run:
 *   RECUEIL_TEST_SEED=N ctest --test-dir build -R unit/test_crash --output-on-failure
 * (the same delays in the same order; where in its saves the child is then still depends on
 * the machine's speed). */
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/record.h"
#include "core/util.h"
#include "harness.h"
#include "store/store.h"

static char db_path[256];
static formset *fs;

static store *open_store(void)
{
	char *why = NULL;
	int code;
	store *s = store_open(db_path, STORE_OPEN_EXISTING, &why, &code);
	if (!s) {
		fprintf(stderr, "ouverture : %s\n", why);
		exit(2);
	}
	if (store_sync_forms(s, fs, "test", &why)) {
		fprintf(stderr, "formulaires : %s\n", why);
		exit(2);
	}
	return s;
}

/* The child: save contacts forever, writing each acknowledged uuid and duration to fd. */
static void child_loop(int fd, int64_t patient_id, const char *pseudo, unsigned seed)
{
	store *s = open_store();
	const form *f = formset_form(fs, "contact");
	for (unsigned i = 0;; i++) {
		record *r = record_new(fs, f, date_today());
		char dur[16];
		snprintf(dur, sizeof dur, "%u", 1 + (seed + i) % 400);
		record_set(r, (size_t)form_field_index(f, "intervenant"), "medecin", NULL);
		record_set(r, (size_t)form_field_index(f, "type_contact"), "cabinet", NULL);
		record_set(r, (size_t)form_field_index(f, "statut"), "realise", NULL);
		record_set(r, (size_t)form_field_index(f, "duree_min"), dur, NULL);
		record_compute(r);
		entry_meta m = {0};
		m.patient_id = patient_id;
		snprintf(m.pseudonym, sizeof m.pseudonym, "%s", pseudo);
		char *why = NULL;
		if (store_entry_save(s, r, &m, false, NULL, 0, "test", &why) == 0) {
			char line[80];
			int n = snprintf(line, sizeof line, "%s %s\n", m.uuid, dur);
			if (write(fd, line, (size_t)n) != n)
				_exit(3);
		}
		free(why);
		record_free(r);
	}
}

typedef struct {
	char uuid[37];
	char dur[16];
} ack;

static void test_crashes(void)
{
	const char *env = getenv("RECUEIL_CRASH_TRIALS");
	int trials = env ? atoi(env) : 25;
	char *why = NULL;
	int code;
	store *s = store_open(db_path, STORE_OPEN_CREATE, &why, &code);
	CHECK(s != NULL);
	CHECK(store_init_structure(s, "CRASH", "Test", "test", &why) == 0);
	CHECK(store_sync_forms(s, fs, "test", &why) == 0);
	char pseudo[16];
	int64_t pid;
	CHECK(store_patient_create(s, "test", pseudo, &pid, &why) == 0);
	store_close(s);

	ack *acks = NULL;
	size_t n_acks = 0;
	srand(harness_seed());
	for (int t = 0; t < trials; t++) {
		int pfd[2];
		if (pipe(pfd) != 0)
			abort();
		pid_t child = fork();
		if (child == 0) {
			close(pfd[0]);
			child_loop(pfd[1], pid, pseudo, (unsigned)t * 7919u);
		}
		close(pfd[1]);
		/* Most trials let the child get going (its first acknowledged save, however loaded
		 * the machine is) and kill it a random moment later, in the middle of its saves; one
		 * in four kills it at a random moment from its start, opening included. */
		strbuf sb = STRBUF_INIT;
		char buf[4096];
		ssize_t got;
		if (t % 4 != 0) {
			struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
			if (poll(&pf, 1, 20000) > 0 && (got = read(pfd[0], buf, sizeof buf)) > 0)
				strbuf_add(&sb, buf, (size_t)got);
		}
		struct timespec delay = {0, (long)(1 + rand() % 60) * 1000000L};
		nanosleep(&delay, NULL);
		kill(child, SIGKILL);
		int status;
		waitpid(child, &status, 0);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* Read every complete line the child wrote before it died. */
		while ((got = read(pfd[0], buf, sizeof buf)) > 0)
			strbuf_add(&sb, buf, (size_t)got);
		close(pfd[0]);
		char *save = NULL;
		char *text = strbuf_take(&sb);
		for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			acks = xrealloc(acks, (n_acks + 1) * sizeof *acks);
			if (sscanf(line, "%36s %15s", acks[n_acks].uuid, acks[n_acks].dur) == 2)
				n_acks++;
		}
		free(text);
	}
	CHECK(n_acks > 0);

	s = open_store();
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL);
	CHECK(sqlite3_step(st) == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0);
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL);
	CHECK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	size_t lost = 0, wrong = 0;
	for (size_t i = 0; i < n_acks; i++) {
		entry_meta m;
		record *r = store_entry_load(s, fs, acks[i].uuid, &m, &why, &code);
		if (!r) {
			lost++;
			continue;
		}
		long d = form_field_index(r->f, "duree_min");
		if (!r->vals[d].text || strcmp(r->vals[d].text, acks[i].dur) != 0)
			wrong++;
		record_free(r);
	}
	CHECK(lost == 0);
	CHECK(wrong == 0);
	CHECK(store_check(s, fs, fopen("/dev/null", "w")) == 0);
	printf("%d arrêts brutaux (SIGKILL), %zu enregistrements confirmés, %zu perdus, %zu altérés\n",
	       trials, n_acks, lost, wrong);
	store_close(s);
	free(acks);
	free(why);
}

int main(void)
{
	char dir[] = "/tmp/recueil-crash-XXXXXX";
	if (!mkdtemp(dir))
		return 2;
	snprintf(db_path, sizeof db_path, "%s/crash.db", dir);
	char *errors = NULL;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	if (!fs) {
		fprintf(stderr, "%s", errors);
		return 2;
	}
	RUN(test_crashes);
	formset_free(fs);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "nettoyage de %s impossible\n", dir);
	return harness_report();
}
