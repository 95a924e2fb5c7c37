/* cmd_import.c — recueil import: the coordinator merges the export archives of the structures
 * of a region into the regional database, one archive at a time, each all or nothing. The
 * options and the passphrase are read here; the import itself and its report are
 * import_batch's (src/export/import_batch.c). */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "export/import.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil import ARCHIVE… [--identity CLÉ…] [--passphrase-file F | --ask-passphrase]\n"
    "                      [--allow-plain]\n"
    "Importe les archives d'export des structures (ou d'une base régionale) dans cette base\n"
    "régionale (« recueil init --region »). Chaque archive est d'abord vérifiée comme par\n"
    "« recueil verify » (chiffrement, intégrité, empreintes SHA-256, nombres de lignes), puis sa\n"
    "signature avec la clé inscrite pour sa structure (« recueil structure enrol ») : une archive\n"
    "non signée, mal signée, d'une structure non inscrite, non chiffrée, ou mêlant entrées\n"
    "chiffrées et en clair est refusée. Puis elle est confrontée aux formulaires (codebook,\n"
    "en-têtes, chaque valeur), et importée entière ou pas du tout. Chaque export est un\n"
    "instantané de sa structure : la base en détient ensuite exactement le contenu (saisies\n"
    "modifiées, déplacées, supprimées, patients effacés, alertes), sauf si elle détient déjà\n"
    "un export plus récent de cette structure : rien ne change alors. Un export sauté est\n"
    "signalé, sans conséquence. Réimporter une archive ne change rien.\n"
    "  --passphrase-file F  la phrase de passe, dans F (fichier privé : chmod 600 F), pour\n"
    "                       toutes les archives\n"
    "  --ask-passphrase     la saisir une fois au clavier pour toutes les archives\n"
    "  (sans l'une ni l'autre) elle est demandée au clavier pour chaque zip chiffré\n"
    "  --identity CLÉ       le fichier de clé privée age de la région (recueil keygen,\n"
    "                       age-keygen), pour les archives chiffrées pour sa clé publique\n"
    "  --allow-plain        accepter une archive NON chiffrée (remise en main propre) ; elle\n"
    "                       doit être signée par une structure inscrite\n"
    "Une archive refusée n'empêche pas d'importer les suivantes ; le code de sortie est alors\n"
    "celui du premier refus (65 : archive invalide, modifiée, tronquée ou hostile, ou phrase\n"
    "de passe fausse). Rôle coordination requis.\n";

static void refused(void *ctx, const char *why)
{
	(void)ctx;
	cli_error("%s", why);
}

int cmd_import(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'f'},
	    {"ask-passphrase", no_argument, NULL, 'a'},
	    {"identity", required_argument, NULL, 'i'},
	    {"allow-plain", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *pass_file = NULL;
	const char *id_paths[CLI_MAX_IDENTITIES];
	size_t n_ids = 0;
	bool ask_once = false, allow_plain = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'f')
			pass_file = optarg;
		else if (c == 'a')
			ask_once = true;
		else if (c == 'p')
			allow_plain = true;
		else if (c == 'i' && n_ids < CLI_MAX_IDENTITIES)
			id_paths[n_ids++] = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind >= argc) {
		cli_error("quelle archive importer ? (recueil import ARCHIVE.zip…)");
		return EXIT_USAGE;
	}
	if (pass_file && ask_once) {
		cli_error("choisir --passphrase-file ou --ask-passphrase, pas les deux");
		return EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_IMPORT);
	age_identity *ids[CLI_MAX_IDENTITIES];
	if (rc || (rc = cli_identities(id_paths, n_ids, ids)))
		return rc;
	char pass[SECRET_MAX];
	if ((rc = cli_passphrase(pass_file, ask_once, false, "Phrase de passe des archives : ", pass))) {
		cli_identities_free(ids, n_ids);
		return rc;
	}
	cli_prompt prompt;
	memset(&prompt, 0, sizeof prompt);
	import_batch_opts o = {
	    .paths = (const char *const *)argv + optind,
	    .n = (size_t)(argc - optind),
	    .passphrase = pass_file || ask_once ? pass : NULL,
	    .ask = cli_prompt_passphrase,
	    .ask_ctx = &prompt,
	    .ask_ctx_size = sizeof prompt,
	    .login = ses->login,
	    .identities = (const age_identity *const *)ids,
	    .n_identities = n_ids,
	    .allow_plain = allow_plain,
	    .out = stdout,
	    .refused = refused,
	};
	import_batch_counts n;
	rc = import_batch(ses->db, ses->fs, &o, &n);
	secret_wipe(pass, sizeof pass);
	cli_identities_free(ids, n_ids);
	return rc;
}
