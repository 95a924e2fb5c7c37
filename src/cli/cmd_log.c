/* cmd_log.c — recueil log: who changed what, and when. */
#include <getopt.h>
#include <stdlib.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil log [--since AAAA-MM-JJ]\n"
    "Affiche le journal des modifications : date, utilisateur, action, entrée, champ,\n"
    "ancienne → nouvelle valeur (les données d'identité ne sont jamais journalisées).\n";

int cmd_log(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"since", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *since = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 's')
			since = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	long day;
	if (optind != argc || (since && !date_parse(since, &day))) {
		if (since && !date_parse(since, &day))
			cli_error("--since : date AAAA-MM-JJ attendue, trouvé « %s »", since);
		else
			fputs(usage, stderr);
		return EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_READ);
	char *why = NULL;
	if (!rc && (rc = store_log_print(ses->db, since, stdout, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}
