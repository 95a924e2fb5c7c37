/* cmd_import.c — recueil import: the coordinator merges the export archives of the structures
 * of a region into the regional database, one archive at a time, each all or nothing. */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "export/import.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil import ARCHIVE.zip… [--passphrase-file F | --ask-passphrase]\n"
    "Importe les archives d'export des structures dans cette base (base régionale). Chaque\n"
    "archive est d'abord vérifiée comme par « recueil verify » (phrase de passe, intégrité,\n"
    "empreintes SHA-256, nombres de lignes), puis confrontée aux formulaires (codebook,\n"
    "en-têtes, chaque valeur), et importée entière ou pas du tout. Les saisies gardent leur\n"
    "identifiant et leur structure d'origine ; de deux versions d'une saisie, la plus récente\n"
    "l'emporte ; les suppressions listées dans le manifeste sont appliquées. Réimporter une\n"
    "archive ne change rien.\n"
    "  --passphrase-file F  la phrase de passe, dans F (fichier privé : chmod 600 F), pour\n"
    "                       toutes les archives\n"
    "  --ask-passphrase     la saisir une fois au clavier pour toutes les archives\n"
    "  (sans l'une ni l'autre) elle est demandée au clavier pour chaque archive chiffrée\n"
    "Une archive refusée n'empêche pas d'importer les suivantes ; le code de sortie est alors\n"
    "celui du premier refus (65 : archive invalide, modifiée, tronquée ou hostile, ou phrase\n"
    "de passe fausse). Rôle coordination requis.\n";

enum { BATCH_MS = 1000 }; /* an import batch is committed after about this long */

typedef struct {
	int rc;
	char *why;
	import_result res;
} outcome;

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* The archives verified ahead by a second thread (import_check needs no database). It stays at
 * most LOOKAHEAD archives ahead, so that their temporary files stay few. */
enum { LOOKAHEAD = 2 };

typedef struct {
	char **paths;
	int n;
	const char *pass;
	import_checked **ready; /* one per archive, NULL until checked or once taken */
	int produced, consumed;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
} pipeline;

static void *checker(void *arg)
{
	pipeline *p = arg;
	for (int i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->produced - p->consumed >= LOOKAHEAD)
			pthread_cond_wait(&p->cv, &p->mu);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			break;
		import_opts o = {.path = p->paths[i], .passphrase = p->pass};
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
	p->ready = xcalloc((size_t)p->n, sizeof *p->ready);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&p->thread, NULL, checker, p) == 0)
		return true;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->ready);
	return false; /* no thread: each archive is checked in turn */
}

static import_checked *pipeline_take(pipeline *p, int i)
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
	for (int i = 0; i < p->n; i++)
		import_checked_free(p->ready[i]);
	free(p->ready);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

static void print_result(const char *path, const import_result *r)
{
	fputs_safe(path, stdout);
	if (r->already) {
		printf(" : export n° %lld de la structure ", (long long)r->sequence);
		fputs_safe(r->structure, stdout);
		printf(" déjà importé le %s : rien à faire\n", r->already_at);
		return;
	}
	const import_counts *c = &r->counts;
	fputs(" : structure ", stdout);
	fputs_safe(r->structure, stdout);
	printf(", export n° %lld (", (long long)r->sequence);
	fputs_safe(r->period, stdout);
	printf(") : %llu ligne(s) ; %llu ajoutée(s), %llu mise(s) à jour, %llu supprimée(s), %llu "
	       "inchangée(s), %llu plus ancienne(s) ignorée(s)%s\n",
	       (unsigned long long)c->rows, (unsigned long long)c->added, (unsigned long long)c->updated,
	       (unsigned long long)c->deleted, (unsigned long long)c->unchanged, (unsigned long long)c->older,
	       r->encrypted ? "" : " (archive NON chiffrée)");
}

int cmd_import(session *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'f'},
	    {"ask-passphrase", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *pass_file = NULL;
	bool ask_once = false;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'f')
			pass_file = optarg;
		else if (c == 'a')
			ask_once = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("quelle archive importer ? (recueil import ARCHIVE.zip…)");
		return EXIT_USAGE;
	}
	if (pass_file && ask_once) {
		cli_error("choisir --passphrase-file ou --ask-passphrase, pas les deux");
		return EXIT_USAGE;
	}
	int rc = cli_open(ctx, PERM_IMPORT);
	if (rc)
		return rc;
	char pass[SECRET_MAX];
	char *why = NULL;
	if ((rc = cli_passphrase(pass_file, ask_once, false, "Phrase de passe des archives : ", pass)))
		return rc;
	/* Archives are imported in batches: each archive is a savepoint (all of it or nothing) of
	 * a transaction committed about every second, so that the pages every archive touches in
	 * the uuid and date indexes are written once per batch rather than once per archive, and
	 * the database is never held for long. An archive is reported once its batch is committed.
	 * With the passphrase known, a second thread verifies the next archives meanwhile; without
	 * it, each archive is verified (and its passphrase asked) outside any transaction and
	 * committed alone, so that no transaction waits for someone typing. */
	bool fixed = pass_file || ask_once;
	int n = argc - optind;
	pipeline pl = {.paths = argv + optind, .n = n, .pass = pass};
	bool threaded = fixed && n > 1 && pipeline_start(&pl);
	store_import_open(ctx->st);
	outcome *done = xcalloc((size_t)n, sizeof *done);
	int first_failure = 0, imported = 0, refused = 0;
	int batch_from = 0;
	struct timespec batch_start;
	bool in_batch = false;
	for (int i = 0; i < n; i++) {
		const char *path = argv[optind + i];
		cli_prompt pc;
		memset(&pc, 0, sizeof pc);
		import_opts o = {
		    .path = path,
		    .passphrase = fixed ? pass : NULL,
		    .ask = cli_prompt_passphrase,
		    .ask_ctx = &pc,
		    .login = ctx->login,
		};
		import_checked *checked = threaded ? pipeline_take(&pl, i) : import_check(&o);
		secret_wipe(pc.pass, sizeof pc.pass);
		if (!in_batch) {
			if ((rc = store_batch_begin(ctx->st, &why))) {
				cli_error("%s", why);
				free(why);
				first_failure = rc;
				import_checked_free(checked);
				break;
			}
			in_batch = true;
			batch_from = i;
			clock_gettime(CLOCK_MONOTONIC, &batch_start);
		}
		outcome *d = &done[i];
		d->rc = import_load(ctx->st, ctx->fs, checked, &o, &d->res, &d->why);
		import_checked_free(checked);
		if (fixed && i + 1 < n && elapsed_ms(&batch_start) < BATCH_MS)
			continue;
		/* The batch is over: commit it, then report its archives. */
		in_batch = false;
		char *commit_why = NULL;
		int commit = store_batch_end(ctx->st, true, &commit_why);
		for (int k = batch_from; k <= i; k++) {
			outcome *e = &done[k];
			if (!e->rc && commit) {
				e->rc = commit;
				e->why =
				    xasprintf("%s : %s ; rien n'a été importé", argv[optind + k], commit_why);
			}
			if (e->rc) {
				cli_error("%s", e->why);
				refused++;
				if (!first_failure)
					first_failure = e->rc;
			} else {
				print_result(argv[optind + k], &e->res);
				imported++;
			}
			free(e->why);
		}
		free(commit_why);
		fflush(stdout);
	}
	if (threaded)
		pipeline_stop(&pl);
	free(done);
	secret_wipe(pass, sizeof pass);
	store_import_close(ctx->st);
	if (n > 1)
		printf("%d archive(s) importée(s), %d refusée(s)\n", imported, refused);
	return first_failure;
}
