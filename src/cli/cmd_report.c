/* cmd_report.c — recueil report: the activity indicators of a period, or its impact page
 * (--impact), as text or CSV; the CSV of the activity report carries the impact page too, for
 * the evaluation.
 *
 * Masking default: the text is for reading on this machine, so it shows every count unless
 * --mask; the CSV is what gets sent out of the structure (to the network, the ARS), so its
 * counts from 1 to small_count_mask are masked unless --no-mask. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "export/csv.h"
#include "export/period.h"
#include "export/report.h"

static const char usage[] =
    "Usage : recueil report [--impact] [--period PÉRIODE] [--format text|csv] [--mask|--no-mask]\n"
    "        recueil report --definitions [--format text|csv]\n"
    "Les indicateurs d'activité de la période, par structure et au total : patients\n"
    "suivis, inclusions, sorties, contacts, AUDIT, EPICES, cascade VHC, vaccination\n"
    "VHB, dépistages à renouveler, PHQ-9 et GAD-7, nombre d'alertes.\n"
    "Réservé aux rôles coordination et admin.\n"
    "\n"
    "  --impact          la page d'impact : public accueilli (sexe, territoire, QPV,\n"
    "                    motifs), urgences et nuits d'hôpital avant et après\n"
    "                    l'inclusion, durée de suivi, patients par trimestre, coût par\n"
    "                    patient suivi ; chaque chiffre avec sa définition. Le CSV sans\n"
    "                    --impact contient aussi ces chiffres\n"
    "  --period PÉRIODE  2026, 2026-S1, 2026-T3, 2026-11 ou 2026-01-01..2026-06-30 ;\n"
    "                    par défaut, celle de la prochaine échéance (reporting.yaml)\n"
    "  --format FORMAT   text (défaut) ou csv : structure,periode,indicateur,\n"
    "                    categorie,valeur,masque\n"
    "  --mask            effectifs de 1 à 4 remplacés par « <5 » (texte) ou par une\n"
    "                    valeur vide avec masque=1 (CSV)\n"
    "  --no-mask         tout afficher\n"
    "  --definitions     seulement la définition de chaque indicateur (comment il est\n"
    "                    calculé) ; en CSV : indicateur,titre,definition. Le texte du\n"
    "                    rapport les donne à la fin ; l'archive d'export, dans LISEZMOI.txt\n"
    "Par défaut, le texte, lu sur place, n'est pas masqué ; le CSV, fait pour être\n"
    "transmis, l'est.\n";

/* recueil report --definitions: how each indicator is computed, as text or CSV. */
static int write_definitions(session *ses, bool csv)
{
	bool ok;
	if (csv) {
		csv_writer w;
		csv_init_file(&w, stdout);
		ok = report_definitions_csv(ses->fs->reporting, &w);
	} else {
		strbuf sb = STRBUF_INIT;
		report_definitions_text(&sb, ses->fs->reporting);
		ok = fputs(strbuf_str(&sb), stdout) >= 0 && fflush(stdout) == 0;
		strbuf_done(&sb);
	}
	if (!ok) {
		cli_error("écriture des définitions impossible");
		return EXIT_IOERR;
	}
	return 0;
}

int cmd_report(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
	    {"mask", no_argument, NULL, 'm'},         {"no-mask", no_argument, NULL, 'n'},
	    {"definitions", no_argument, NULL, 'd'},  {"impact", no_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},         {0, 0, 0, 0},
	};
	const char *period_text = NULL, *format = "text";
	int mask = -1; /* -1: the format's default */
	bool definitions = false, impact = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'p':
			period_text = optarg;
			break;
		case 'f':
			format = optarg;
			break;
		case 'm':
			mask = 1;
			break;
		case 'n':
			mask = 0;
			break;
		case 'd':
			definitions = true;
			break;
		case 'i':
			impact = true;
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
		cli_error("argument inattendu « %s » (voir « recueil report --help »)", argv[optind]);
		return EXIT_USAGE;
	}
	bool csv;
	period p;
	int rc = cli_format_and_period(format, period_text, &csv, &p);
	if (!rc)
		rc = cli_open(ses, PERM_REPORT);
	if (rc)
		return rc;
	if (definitions)
		return write_definitions(ses, csv);
	if (!period_text) {
		long due_day = 0;
		if ((rc = cli_deadline_period(ses, &p, &due_day)))
			return rc;
		char due[11];
		date_format(due_day, due);
		fprintf(
		    stderr,
		    "recueil: période %s, celle de la prochaine échéance (le %s) ; --period pour une autre\n",
		    p.label, due);
	}
	char *why = NULL;
	unsigned pages = impact ? REPORT_PAGE_IMPACT
	                 : csv  ? REPORT_PAGE_ACTIVITY | REPORT_PAGE_IMPACT
	                        : REPORT_PAGE_ACTIVITY;
	report *r = report_compute_pages(ses->db, ses->fs, &p, pages, &why, &rc);
	if (!r) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	bool ok;
	if (csv) {
		csv_writer w;
		csv_init_file(&w, stdout);
		ok = report_write_csv(r, &w, mask != 0);
		if (mask != 0 && r->mask_max >= 1) {
			char *rule = report_mask_rule(r->mask_max);
			fprintf(stderr, "recueil: masquage : %s\n", rule);
			free(rule);
		}
	} else if (impact) {
		ok = report_write_impact_text(r, stdout, mask == 1);
	} else {
		ok = report_write_text(r, stdout, mask == 1);
	}
	report_free(r);
	if (!ok) {
		cli_error("écriture du rapport impossible");
		return EXIT_IOERR;
	}
	return 0;
}
