/* cmd_alert.c — recueil alert list|ack: clinical alerts waiting for a professional. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil alert list [--all] [PATIENT]\n"
    "        recueil alert ack ID [--note TEXTE]\n"
    "list montre les alertes cliniques en attente (toutes avec --all) ; ack enregistre\n"
    "qu'un professionnel en a pris connaissance (qui et quand).\n";

static void print_alert(void *ctx, const alert_info *a)
{
	(void)ctx;
	printf("%lld\t%s\t%s\t%s\t%s\t%.8s\t", (long long)a->id, a->level, a->date, a->pseudonym, a->form,
	       a->entry_uuid);
	fputs_safe(a->message, stdout);
	if (*a->acknowledged_at) {
		printf("\tpris en compte par ");
		fputs_safe(a->acknowledged_by, stdout);
		printf(" le %s", a->acknowledged_at);
	}
	putchar('\n');
}

static int alert_list(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool all = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'a')
			all = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (argc - optind > 1)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	int64_t pid = 0;
	if (optind < argc && !(pid = store_patient_find(ses->db, argv[optind], NULL))) {
		cli_patient_not_found(argv[optind]);
		return EXIT_NOINPUT;
	}
	char *why = NULL;
	if ((rc = store_alert_each(ses->db, pid, all, print_alert, NULL, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

static int alert_ack(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"note", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *note = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'n')
			note = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	long long id;
	if (optind != argc - 1 || !parse_integer(argv[optind], &id) || id <= 0)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_ACK_ALERT);
	char *why = NULL;
	if (!rc && (rc = store_alert_ack(ses->db, id, ses->login, note, &why))) {
		cli_error("%s", why);
		free(why);
	} else if (!rc) {
		printf("alerte %lld prise en compte par %s\n", id, ses->login);
	}
	return rc;
}

int cmd_alert(session *ses, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "list") == 0)
		return alert_list(ses, argc - 1, argv + 1);
	if (strcmp(argv[1], "ack") == 0)
		return alert_ack(ses, argc - 1, argv + 1);
	cli_error("sous-commande inconnue « alert %s »", argv[1]);
	return EXIT_USAGE;
}
