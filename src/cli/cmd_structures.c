/* cmd_structures.c — recueil structures: the coordinator's ledger of a regional database, each
 * structure's last export imported, the exports never received, and who has not sent an export
 * covering the period of the current deadline. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "export/csv.h"
#include "export/ledger.h"
#include "export/period.h"

static const char usage[] =
    "Usage : recueil structures [--period PÉRIODE] [--format text|csv]\n"
    "Les structures connues de la base régionale (inscrites ou dont un export a été\n"
    "importé) : pour chacune, son dernier export importé (numéro, période, date où il a\n"
    "été fait, date d'import, période close ou non), les numéros d'export jamais reçus,\n"
    "et qui n'a pas envoyé d'export couvrant la période de l'échéance en cours.\n"
    "Réservé aux rôles coordination et admin.\n"
    "\n"
    "  --period PÉRIODE  la période à vérifier (2026, 2026-S1, 2026-T3, 2026-11 ou\n"
    "                    2026-01-01..2026-06-30) ; par défaut, celle de la prochaine\n"
    "                    échéance (reporting.yaml), comme pour l'export\n"
    "  --format FORMAT   text (défaut) ou csv : une ligne par structure\n";

int cmd_structures(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *period_text = NULL, *format = "text";
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'p':
			period_text = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_error("argument inattendu « %s » (voir « recueil structures --help »)", argv[optind]);
		return EXIT_USAGE;
	}
	bool csv;
	period p;
	int rc = cli_format_and_period(format, period_text, &csv, &p);
	if (!rc)
		rc = cli_open(ses, PERM_REPORT);
	long due = 0;
	if (!rc && !period_text)
		rc = cli_deadline_period(ses, &p, &due);
	if (rc)
		return rc;
	char *why = NULL;
	ledger *l = ledger_load(ses->db, &why, &rc);
	if (!l) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	bool ok;
	if (csv) {
		csv_writer w;
		csv_init_file(&w, stdout);
		ok = ledger_write_csv(l, &p, &w);
	} else {
		ok = ledger_write_text(l, &p, due, stdout);
	}
	ledger_free(l);
	if (!ok) {
		cli_error("écriture de la liste des structures impossible");
		return EXIT_IOERR;
	}
	return 0;
}
