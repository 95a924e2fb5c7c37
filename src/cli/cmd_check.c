/* cmd_check.c — recueil check: exit 0 only when the database is whole. */
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil check\n"
    "Vérifie la base : intégrité du fichier, références entre tables, version du schéma,\n"
    "concordance des tables des formulaires et des entrées. Code 0 seulement si tout va.\n";

int cmd_check(session *ses, int argc, char **argv)
{
	if (argc > 1) {
		bool help = strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0;
		fputs(usage, help ? stdout : stderr);
		return help ? 0 : EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	return store_check(ses->db, ses->fs, stdout);
}
