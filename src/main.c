/* main.c — the recueil program: the global options, then a subcommand (src/cli/) or, without
 * one, the full-screen interface (src/ui/), both on one session (src/session/). */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/privilege.h"
#include "session/session.h"
#include "store/store.h"
#include "ui/ui.h"

int main(int argc, char **argv)
{
	/* First of all: a setgid run parks its group privilege before it reads anything. */
	if (!priv_init()) {
		fputs("recueil: changement de groupe refusé par le système : arrêt\n", stderr);
		return EXIT_SOFTWARE;
	}
#ifdef RECUEIL_TEST_BINARY
	test_seams_enable(); /* recueil-test: the tests' clock, login and key scripts */
#endif
	if (!setlocale(LC_CTYPE, ""))
		setlocale(LC_CTYPE, "C.UTF-8");
	umask(077);
	const char *db = NULL, *forms = NULL;
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"forms", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = cli_getopt(argc, argv, "+hV", opts)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'f':
			forms = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		case 'V':
			printf("recueil %s (schéma %d)\n", RECUEIL_VERSION, store_schema_version());
			return 0;
		default:
			fputs("Essayer « recueil --help ».\n", stderr);
			return EXIT_USAGE;
		}
	}
	session s;
	char *why = NULL;
	int rc = session_init(&s, db, forms, &why);
	if (rc) {
		session_done(&s);
		return cli_fail(rc, why);
	}
	rc = optind < argc ? cli_run(&s, argc - optind, argv + optind) : ui_main(&s);
	session_done(&s);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_error("écriture de la sortie impossible");
		rc = EXIT_IOERR;
	}
	return rc;
}
