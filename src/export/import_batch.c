/* import_batch.c — `recueil import` of many archives (see import.h): each archive all or nothing,
 * in batches committed about every second, the next archives verified by a second thread while
 * one is written, and the line that says what each archive brought. */
#include "export/import.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export/secret.h"

enum { BATCH_MS = 1000 }; /* an import batch is committed after about this long */

/* The archives verified ahead by a second thread (import_check needs no database). It stays at
 * most LOOKAHEAD archives ahead, so that their temporary files stay few. */
enum { LOOKAHEAD = 2 };

typedef struct {
	const char *const *paths;
	size_t n;
	const char *pass;
	const age_identity *const *identities;
	size_t n_identities;
	import_checked **ready; /* one per archive, NULL until checked or once taken */
	size_t produced, consumed;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
} pipeline;

static void *checker(void *arg)
{
	pipeline *p = arg;
	for (size_t i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->produced - p->consumed >= LOOKAHEAD)
			pthread_cond_wait(&p->cv, &p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		import_opts o = {.path = p->paths[i],
		                 .passphrase = p->pass,
		                 .identities = p->identities,
		                 .n_identities = p->n_identities};
		import_checked *c = import_check(&o);
		pthread_mutex_lock(&p->mu);
		p->ready[i] = c;
		p->produced++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return NULL;
}

static bool pipeline_start(pipeline *p)
{
	p->ready = xcalloc(p->n, sizeof *p->ready);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, checker, p) == 0)
		return true;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->ready);
	return false; /* no thread: each archive is checked in turn */
}

static import_checked *pipeline_take(pipeline *p, size_t i)
{
	pthread_mutex_lock(&p->mu);
	while (!p->ready[i])
		pthread_cond_wait(&p->cv, &p->mu);
	import_checked *c = p->ready[i];
	p->ready[i] = NULL;
	p->consumed++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return c;
}

static void pipeline_stop(pipeline *p)
{
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	for (size_t i = 0; i < p->n; i++)
		import_checked_free(p->ready[i]);
	free(p->ready);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* What became of one archive, reported once its batch is committed. */
typedef struct {
	int rc;
	char *why;
	import_result res;
} outcome;

/* A structure's part of an archive: "structure S, export n° q (P) : counts", or why nothing
 * changed. */
static void part_write(FILE *out, const import_part_result *p, bool encrypted, bool note_plain)
{
	fputs("structure ", out);
	fputs_safe(p->structure, out);
	if (p->older) {
		fprintf(out,
		        " : export n° %lld du %.10s déjà importé ; celui-ci (n° %lld) est plus ancien : rien "
		        "n'a changé\n",
		        (long long)p->held_sequence, p->held_at, (long long)p->sequence);
		return;
	}
	const import_counts *c = &p->counts;
	fprintf(out, ", export n° %lld (", (long long)p->sequence);
	fputs_safe(p->period, out);
	fprintf(
	    out,
	    ") : %llu ligne(s) ; %llu ajoutée(s), %llu mise(s) à jour, %llu supprimée(s), %llu inchangée(s)",
	    (unsigned long long)c->rows, (unsigned long long)c->added, (unsigned long long)c->updated,
	    (unsigned long long)(c->deleted + c->removed), (unsigned long long)c->unchanged);
	if (c->older)
		fprintf(out, ", %llu ignorée(s) (plus anciennes, ou effacées ici)",
		        (unsigned long long)c->older);
	if (c->alerts)
		fprintf(out, ", %llu alerte(s)", (unsigned long long)c->alerts);
	if (p->held_sequence && p->sequence > p->held_sequence + 1) {
		if (p->sequence == p->held_sequence + 2)
			fprintf(out, " ; export n° %lld jamais importé", (long long)p->held_sequence + 1);
		else
			fprintf(out, " ; exports n° %lld à %lld jamais importés",
			        (long long)p->held_sequence + 1, (long long)p->sequence - 1);
		fputs(" (sans conséquence : celui-ci les remplace)", out);
	}
	fprintf(out, "%s\n", note_plain && !encrypted ? " (archive NON chiffrée)" : "");
}

void import_result_write(FILE *out, const char *path, const import_result *r)
{
	fputs_safe(path, out);
	if (r->already) {
		fprintf(out, " : export n° %lld de la structure ", (long long)r->sequence);
		fputs_safe(r->structure, out);
		fprintf(out, " déjà importé le %s : rien à faire\n", r->already_at);
		return;
	}
	bool changed = false;
	for (size_t i = 0; i < r->n_parts; i++)
		changed |= !r->parts[i].older;
	if (!r->regional) {
		fputs(" : ", out);
		for (size_t i = 0; i < r->n_parts; i++)
			part_write(out, &r->parts[i], r->encrypted, true);
	} else {
		fputs(" : base ", out);
		fputs_safe(r->structure, out);
		fprintf(out, ", export n° %lld (", (long long)r->sequence);
		fputs_safe(r->period, out);
		fprintf(out, "), %zu structure(s)%s\n", r->n_parts,
		        r->encrypted ? "" : " (archive NON chiffrée)");
		for (size_t i = 0; i < r->n_parts; i++) {
			fputs("  ", out);
			part_write(out, &r->parts[i], r->encrypted, false);
		}
	}
	/* Which forms the archive was made with matters only when it changed something here. */
	if (*r->forms_note && changed) {
		fputs("  attention : structure ", out);
		fputs_safe(r->structure, out);
		fprintf(out, " : %s\n", r->forms_note);
	}
}

/* Commit the batch of archives [from, to] (they were loaded into it), then report each one:
 * its line on o->out, or its refusal through o->refused (an archive whose batch does not
 * commit is refused too). */
static void batch_end(store *s, const import_batch_opts *o, outcome *done, size_t from, size_t to,
                      import_batch_counts *n)
{
	char *commit_why = NULL;
	int commit = store_batch_end(s, true, &commit_why);
	for (size_t k = from; k <= to; k++) {
		outcome *e = &done[k];
		if (!e->rc && commit) {
			e->rc = commit;
			e->why = xasprintf("%s : %s ; rien n'a été importé", o->paths[k], commit_why);
		}
		if (e->rc) {
			o->refused(o->ctx, e->why);
			store_log_refusal(s, o->login, e->why);
			n->refused++;
			if (!n->first_failure)
				n->first_failure = e->rc;
		} else {
			import_result_write(o->out, o->paths[k], &e->res);
			n->imported++;
		}
		import_result_done(&e->res);
		free(e->why);
	}
	free(commit_why);
	fflush(o->out);
}

int import_batch(store *s, const formset *fs, const import_batch_opts *o, import_batch_counts *n)
{
	/* Archives are imported in batches: each archive is a savepoint (all of it or nothing) of
	 * a transaction committed about every second, so that the pages every archive touches in
	 * the uuid and date indexes are written once per batch rather than once per archive, and
	 * the database is never held for long. An archive is reported once its batch is committed.
	 * With the passphrase known, a second thread verifies the next archives meanwhile; without
	 * it, each archive is verified (and its passphrase asked) outside any transaction and
	 * committed alone, so that no transaction waits for someone typing. */
	*n = (import_batch_counts){0};
	char *refusal = NULL;
	if ((n->first_failure = import_target_check(s, &refusal))) {
		o->refused(o->ctx, refusal);
		store_log_refusal(s, o->login, refusal);
		free(refusal);
		n->refused = (int)o->n;
		return n->first_failure;
	}
	/* Archives sent as age files need no passphrase: with the identities given, nobody is asked
	 * for anything, and the second thread can verify ahead. */
	bool fixed = o->passphrase != NULL || o->n_identities > 0;
	pipeline pl = {.paths = o->paths,
	               .n = o->n,
	               .pass = o->passphrase,
	               .identities = o->identities,
	               .n_identities = o->n_identities};
	bool threaded = fixed && o->n > 1 && pipeline_start(&pl);
	store_import_open(s);
	outcome *done = xcalloc(o->n, sizeof *done);
	size_t batch_from = 0;
	struct timespec batch_start;
	bool in_batch = false;
	for (size_t i = 0; i < o->n; i++) {
		import_opts io = {
		    .path = o->paths[i],
		    .passphrase = o->passphrase,
		    .ask = o->ask,
		    .ask_ctx = o->ask_ctx,
		    .login = o->login,
		    .identities = o->identities,
		    .n_identities = o->n_identities,
		    .allow_plain = o->allow_plain,
		};
		import_checked *checked = threaded ? pipeline_take(&pl, i) : import_check(&io);
		secret_wipe(o->ask_ctx, o->ask_ctx_size);
		if (!in_batch) {
			char *why = NULL;
			int rc = store_batch_begin(s, &why);
			if (rc) {
				o->refused(o->ctx, why);
				free(why);
				n->first_failure = rc;
				import_checked_free(checked);
				break;
			}
			in_batch = true;
			batch_from = i;
			clock_gettime(CLOCK_MONOTONIC, &batch_start);
		}
		outcome *d = &done[i];
		d->rc = import_load(s, fs, checked, &io, &d->res, &d->why);
		import_checked_free(checked);
		if (fixed && i + 1 < o->n && elapsed_ms(&batch_start) < BATCH_MS)
			continue;
		in_batch = false;
		batch_end(s, o, done, batch_from, i, n);
	}
	if (threaded)
		pipeline_stop(&pl);
	free(done);
	store_import_close(s);
	if (o->n > 1)
		fprintf(o->out, "%d archive(s) importée(s), %d refusée(s)\n", n->imported, n->refused);
	return n->first_failure;
}
