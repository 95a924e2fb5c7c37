/* cmd_purge.c — recueil purge --expired [--yes]: the patients kept longer than the retention
 * period of reporting.yaml, listed, and with --yes erased as « patient delete » erases. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil purge --expired [--yes]\n"
    "Liste les patients dont la dernière entrée (à défaut, la création) est plus ancienne que\n"
    "la durée de conservation de reporting.yaml (retention:) : pseudonyme et date de la\n"
    "dernière entrée, jamais l'identité. Avec --yes (rôle admin), les efface définitivement,\n"
    "comme « recueil patient delete » : fiche, entrées, alertes, brouillons, valeurs du journal.\n";

typedef struct {
	session *ses;
	long cutoff;
	bool erase;
	size_t listed, erased;
	bool wal_pending; /* an erasure whose WAL purge waits for a reader */
	int rc;           /* the first failure of an erasure */
} purge_ctx;

static void one_expired(void *vctx, const expired_patient *e)
{
	purge_ctx *pc = vctx;
	pc->listed++;
	if (!pc->erase) {
		printf("%s\t%s\n", e->pseudonym, e->last);
		return;
	}
	if (pc->rc)
		return;
	patient_erasure done;
	char *why = NULL;
	int rc = store_patient_erase_expired(pc->ses->db, e->id, pc->cutoff, pc->ses->login, &done, &why);
	if (rc == EXIT_TEMPFAIL) { /* an entry came in the meantime: kept, and said */
		cli_error("%s", why);
		free(why);
		return;
	}
	if (rc) {
		cli_error("%s", why);
		free(why);
		pc->rc = rc;
		return;
	}
	pc->erased++;
	pc->wal_pending |= !done.purged;
	printf("%s\t%s\teffacé : %lld entrée(s), %lld alerte(s), %lld brouillon(s)\n", e->pseudonym, e->last,
	       (long long)done.entries, (long long)done.alerts, (long long)done.drafts);
}

int cmd_purge(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"expired", no_argument, NULL, 'e'},
	    {"yes", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool expired = false, yes = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'e')
			expired = true;
		else if (c == 'y')
			yes = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (!expired || optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, yes ? PERM_DELETE_PATIENT : PERM_READ);
	if (rc)
		return rc;
	const reporting *rep = ses->fs->reporting;
	purge_ctx pc = {.ses = ses, .cutoff = reporting_retention_cutoff(rep, date_today()), .erase = yes};
	if (pc.cutoff < 0) {
		cli_error("%s/reporting.yaml ne fixe pas de durée de conservation (retention: years: et "
		          "reference:, voir docs/forms.md)",
		          ses->forms_dir);
		return EXIT_DATAERR;
	}
	char before[11], *why = NULL;
	date_format(pc.cutoff, before);
	if ((rc = store_expired_each(ses->db, pc.cutoff, one_expired, &pc, &why)))
		return cli_fail(rc, why);
	if (yes && pc.erased) {
		char *what =
		    xasprintf("purge des dossiers dont la durée de conservation (%d ans) est dépassée "
		              "(dernière entrée avant le %s) : %zu patient(s) effacé(s)",
		              rep->retention.years, before, pc.erased);
		rc = store_log_patient(ses->db, ses->login, NULL, what, &why);
		free(what);
		if (rc)
			cli_fail(rc, why);
	}
	if (yes)
		cli_error("%zu patient(s) effacé(s) : durée de conservation de %d ans dépassée (dernière "
		          "entrée avant le %s ; %s)",
		          pc.erased, rep->retention.years, before, rep->retention.reference);
	else
		cli_error(
		    "%zu patient(s) dépassent la durée de conservation de %d ans (dernière entrée avant "
		    "le %s ; %s)%s",
		    pc.listed, rep->retention.years, before, rep->retention.reference,
		    pc.listed ? " : « recueil purge --expired --yes » (rôle admin) les efface" : "");
	if (pc.wal_pending)
		cli_error("un autre utilisateur lit la base en ce moment : les anciennes copies restent dans "
		          "le journal WAL jusqu'à la purge physique, qui se terminera au prochain passage de "
		          "recueil une fois la base libre");
	return pc.rc ? pc.rc : rc;
}
