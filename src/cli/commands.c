/* commands.c — the subcommands of recueil: their table, the usage of the whole program, and the
 * dispatch of a command line to its subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil [--db FICHIER] [--forms DOSSIER] [COMMANDE …]\n"
    "\n"
    "Sans commande : l'interface plein écran.\n"
    "\n"
    "Commandes :\n"
    "  init --structure CODE [--name NOM]      créer la base et s'y inscrire comme administrateur\n"
    "  init --region CODE [--name NOM]         créer une base régionale (elle importe seulement)\n"
    "  demo [--patients N] [--seed S]          remplir une base de démonstration (données fictives)\n"
    "  forms check [FICHIER…]                  vérifier les formulaires YAML et leurs exemples\n"
    "  forms list                              lister les formulaires et leurs champs\n"
    "  forms diff ANCIEN NOUVEAU               ce que changerait un dossier de formulaires\n"
    "  forms publish --out P.zip --key CLÉ     publier les formulaires signés pour le réseau\n"
    "  forms trust CLÉ_PUBLIQUE                enregistrer la clé de la coordination (admin)\n"
    "  forms install P.zip [--yes]             installer un paquet de formulaires (admin)\n"
    "  forms rollback [--yes]                  revenir aux formulaires d'avant (admin)\n"
    "  patient add [champ=valeur…]             créer un patient (affiche son pseudonyme)\n"
    "  patient list [--search TEXTE]           lister les patients\n"
    "  patient delete PATIENT [--yes]          effacer un patient et toutes ses données (admin)\n"
    "  patient print PATIENT [--out F] [--format text|pdf]\n"
    "                                          document d'accès du patient (droit d'accès)\n"
    "  patient inform PATIENT [--date D]       noter que le patient a été informé\n"
    "  patient oppose PATIENT [--date D|--withdraw]\n"
    "                                          son opposition : plus rien de lui n'est exporté\n"
    "  purge --expired [--yes]                 patients au-delà de la durée de conservation ;\n"
    "                                          --yes les efface (admin)\n"
    "  entry add PATIENT FORMULAIRE [--date AAAA-MM-JJ] [champ=valeur…]\n"
    "  entry add --batch FICHIER|-             une entrée par ligne (mêmes mots), chacune enregistrée\n"
    "  entry edit ENTRÉE [champ=valeur…]       modifier une entrée\n"
    "  entry show ENTRÉE                       afficher une entrée (champ=valeur)\n"
    "  entry list PATIENT                      lister les entrées d'un patient\n"
    "  entry delete ENTRÉE                     supprimer une entrée (admin)\n"
    "  user add LOGIN --role ROLE | user list  gérer les utilisateurs (saisie, coordination, admin)\n"
    "  log [--since AAAA-MM-JJ]                journal des modifications\n"
    "  alert list [--all] [PATIENT]            alertes cliniques en attente\n"
    "  alert ack ID [--note TEXTE]             prendre en compte une alerte (qui, quand)\n"
    "  check                                   vérifier l'intégrité de la base\n"
    "  export [--period P] --out F [--recipient age1… | --passphrase-file F | --ask-passphrase |\n"
    "         --no-encrypt] [--accept-issues RAISON]  archive chiffrée et signée d'une période\n"
    "  verify ARCHIVE [--passphrase-file F] [--identity CLÉ] [--pubkey CLÉ]\n"
    "                                          vérifier une archive d'export, afficher son manifeste\n"
    "  import ARCHIVE… [--passphrase-file F | --ask-passphrase] [--identity CLÉ] [--allow-plain]\n"
    "                                          importer les archives des structures (base régionale)\n"
    "  structure key                           clé publique de signature de cette base\n"
    "  structure enrol CODE CLÉ [--replace]    inscrire une structure et sa clé (base régionale)\n"
    "  keygen --out FICHIER                    paire de clés age de la région (comme age-keygen)\n"
    "  structures [--period P] [--format text|csv]\n"
    "                                          dernier export reçu de chaque structure, qui n'a pas envoyé\n"
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

void cli_usage(FILE *f)
{
	fputs(usage, f);
}

static const struct {
	const char *name;
	int (*fn)(session *, int, char **);
} commands[] = {
    {"init", cmd_init},       {"demo", cmd_demo},
    {"forms", cmd_forms},     {"patient", cmd_patient},
    {"entry", cmd_entry},     {"user", cmd_user},
    {"log", cmd_log},         {"alert", cmd_alert},
    {"check", cmd_check},     {"export", cmd_export},
    {"verify", cmd_verify},   {"backup", cmd_backup},
    {"restore", cmd_restore}, {"report", cmd_report},
    {"import", cmd_import},   {"structure", cmd_structure},
    {"keygen", cmd_keygen},   {"structures", cmd_structures},
    {"purge", cmd_purge},
};

int cli_run(session *s, int argc, char **argv)
{
	const char *name = argv[0];
	size_t i = 0;
	while (i < sizeof commands / sizeof *commands && strcmp(commands[i].name, name) != 0)
		i++;
	if (i == sizeof commands / sizeof *commands) {
		cli_error("commande inconnue « %s » (voir « recueil --help »)", name);
		return EXIT_USAGE;
	}
	optind = 0; /* glibc: 0 re-initialises getopt, permutation included */
	char *what = xasprintf("%s%s%s", name, argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	s->command = what;
	int rc = commands[i].fn(s, argc, argv);
	s->command = NULL;
	free(what);
	return rc;
}
