/* main.c — the recueil command: global options, then a subcommand or the terminal interface. */
#include <getopt.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil [--db FICHIER] [--forms DOSSIER] [COMMANDE …]\n"
    "\n"
    "Sans commande : l'interface plein écran.\n"
    "\n"
    "Commandes :\n"
    "  init --structure CODE [--name NOM]      créer la base et s'y inscrire comme administrateur\n"
    "  demo [--patients N] [--seed S]          remplir une base de démonstration (données fictives)\n"
    "  forms check [FICHIER…]                  vérifier les formulaires YAML\n"
    "  forms list                              lister les formulaires et leurs champs\n"
    "  patient add [champ=valeur…]             créer un patient (affiche son pseudonyme)\n"
    "  patient list [--search TEXTE]           lister les patients\n"
    "  patient delete PATIENT [--yes]          effacer un patient et toutes ses données (admin)\n"
    "  entry add PATIENT FORMULAIRE [--date AAAA-MM-JJ] [champ=valeur…]\n"
    "  entry add --batch FICHIER|-             une entrée par ligne (mêmes mots), chacune enregistrée\n"
    "  entry edit ENTRÉE [champ=valeur…]       modifier une entrée\n"
    "  entry show ENTRÉE                       afficher une entrée (champ=valeur)\n"
    "  entry list PATIENT                      lister les entrées d'un patient\n"
    "  entry delete ENTRÉE                     supprimer une entrée\n"
    "  user add LOGIN --role ROLE | user list  gérer les utilisateurs (saisie, coordination, admin)\n"
    "  log [--since AAAA-MM-JJ]                journal des modifications\n"
    "  alert list [--all] [PATIENT]            alertes cliniques en attente\n"
    "  alert ack ID [--note TEXTE]             prendre en compte une alerte (qui, quand)\n"
    "  check                                   vérifier l'intégrité de la base\n"
    "  export [--period P] --out F.zip [--passphrase-file F | --ask-passphrase | --no-encrypt]\n"
    "         [--accept-issues RAISON]         archive chiffrée d'une période, à envoyer\n"
    "  verify ARCHIVE [--passphrase-file F]    vérifier une archive d'export, afficher son manifeste\n"
    "  import ARCHIVE… [--passphrase-file F | --ask-passphrase]\n"
    "                                          importer les archives des structures (base régionale)\n"
    "  backup --out FICHIER.gz                 sauvegarde vérifiée et compressée de la base\n"
    "  restore FICHIER.gz --out NOUVELLE.db    restaurer une sauvegarde dans une nouvelle base\n"
    "  report [--period P] [--format text|csv] [--mask|--no-mask]\n"
    "                                          indicateurs d'activité de la période\n"
    "\n"
    "Options :\n"
    "  --db FICHIER      la base (défaut : $RECUEIL_DB, sinon $XDG_DATA_HOME/recueil/recueil.db)\n"
    "  --forms DOSSIER   les formulaires (défaut : $RECUEIL_FORMS, sinon " RECUEIL_FORMS_DIR ")\n"
    "  -h, --help        cette aide ; « recueil COMMANDE --help » pour une commande\n"
    "  -V, --version     la version\n"
    "\n"
    "Codes de sortie : 0 succès, 64 usage, 65 données invalides, 66 fichier absent,\n"
    "69 bibliothèque absente, 73 création impossible, 74 erreur d'entrée-sortie, 75 base occupée,\n"
    "77 permission.\n";

static const char *default_db(cli_ctx *ctx)
{
	const char *env = getenv("RECUEIL_DB");
	if (env && *env)
		return env;
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg)
		ctx->default_db = xasprintf("%s/recueil/recueil.db", xdg);
	else
		ctx->default_db = xasprintf("%s/.local/share/recueil/recueil.db", home && *home ? home : ".");
	return ctx->default_db;
}

static void find_login(cli_ctx *ctx)
{
	struct passwd *pw = getpwuid(geteuid());
	snprintf(ctx->login, sizeof ctx->login, "%s", pw ? pw->pw_name : "inconnu");
#ifdef RECUEIL_TEST_SEAMS
	/* Test seam: act as another login (builds with RECUEIL_TEST_SEAMS only). */
	const char *as = getenv("RECUEIL_AS_USER");
	if (as && *as)
		snprintf(ctx->login, sizeof ctx->login, "%s", as);
#endif
}

static const struct {
	const char *name;
	int (*fn)(cli_ctx *, int, char **);
} commands[] = {
    {"init", cmd_init},       {"demo", cmd_demo},     {"forms", cmd_forms},   {"patient", cmd_patient},
    {"entry", cmd_entry},     {"user", cmd_user},     {"log", cmd_log},       {"alert", cmd_alert},
    {"check", cmd_check},     {"export", cmd_export}, {"verify", cmd_verify}, {"backup", cmd_backup},
    {"restore", cmd_restore}, {"report", cmd_report}, {"import", cmd_import},
};

int main(int argc, char **argv)
{
	if (!setlocale(LC_CTYPE, ""))
		setlocale(LC_CTYPE, "C.UTF-8");
	umask(077);
	cli_ctx ctx = {0};
	static const struct option opts[] = {
	    {"db", required_argument, NULL, 'd'},
	    {"forms", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			ctx.db_path = optarg;
			break;
		case 'f':
			ctx.forms_dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("recueil %s (schéma %d)\n", RECUEIL_VERSION, store_schema_version());
			return 0;
		default:
			fputs("Essayer « recueil --help ».\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (!ctx.db_path)
		ctx.db_path = default_db(&ctx);
	if (!ctx.forms_dir) {
		const char *env = getenv("RECUEIL_FORMS");
		ctx.forms_dir = env && *env ? env : RECUEIL_FORMS_DIR;
	}
	find_login(&ctx);
	int rc;
	if (optind >= argc) {
		rc = ui_main(&ctx);
	} else {
		const char *name = argv[optind];
		size_t i = 0;
		while (i < sizeof commands / sizeof *commands && strcmp(commands[i].name, name) != 0)
			i++;
		if (i == sizeof commands / sizeof *commands) {
			cli_error("commande inconnue « %s » (voir « recueil --help »)", name);
			rc = EXIT_USAGE;
		} else {
			int sub_argc = argc - optind;
			char **sub_argv = argv + optind;
			optind = 0; /* glibc: 0 re-initialises getopt, permutation included */
			char *what = xasprintf("%s%s%s", name, sub_argc > 1 ? " " : "",
			                       sub_argc > 1 ? sub_argv[1] : "");
			ctx.command = what;
			rc = commands[i].fn(&ctx, sub_argc, sub_argv);
			free(what);
		}
	}
	cli_done(&ctx);
	if (fflush(stdout) != 0 && rc == 0) {
		cli_error("écriture de la sortie impossible");
		rc = EXIT_IOERR;
	}
	return rc;
}
