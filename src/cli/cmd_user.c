/* cmd_user.c — recueil user add|list: the Unix logins allowed in this database and their role. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] = "Usage : recueil user add LOGIN --role saisie|coordination|admin [--name NOM]\n"
                            "        recueil user list\n";

static int user_add(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"role", required_argument, NULL, 'r'},
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *role = NULL, *name = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'r')
			role = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (!role || optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *login = argv[optind];
	if (strcmp(role, "saisie") != 0 && strcmp(role, "coordination") != 0 && strcmp(role, "admin") != 0) {
		cli_error("rôle « %s » inconnu (saisie, coordination ou admin)", role);
		return EXIT_USAGE;
	}
	size_t n = strlen(login);
	if (n == 0 || n > 32 ||
	    strspn(login, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n) {
		cli_error("login « %s » invalide (nom d'utilisateur Unix attendu)", login);
		return EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_ADMIN_USERS);
	if (rc)
		return rc;
	char *why = NULL;
	if ((rc = store_user_add(ses->db, login, role, name, ses->login, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	printf("%s inscrit avec le rôle %s\n", login, role);
	return 0;
}

int cmd_user(session *ses, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "add") == 0)
		return user_add(ses, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0) {
		int rc = cli_open(ses, PERM_READ);
		char *why = NULL;
		if (!rc && (rc = store_user_list(ses->db, stdout, &why))) {
			cli_error("%s", why);
			free(why);
		}
		return rc;
	}
	cli_error("sous-commande inconnue « user %s »", argv[1]);
	return EXIT_USAGE;
}
