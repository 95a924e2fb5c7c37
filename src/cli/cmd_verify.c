/* cmd_verify.c — recueil verify: check an export archive as its recipient would (passphrase,
 * integrity, checksums and row counts against the manifest) and print its manifest. Needs no
 * database, so that the recipient can run it too. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "export/export.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil verify ARCHIVE.zip [--passphrase-file F]\n"
    "Vérifie une archive d'export : phrase de passe, intégrité, empreinte SHA-256 et nombre de\n"
    "lignes de chaque fichier par rapport au manifeste ; affiche le manifeste. Sans\n"
    "--passphrase-file, la phrase de passe est demandée au clavier si l'archive est chiffrée.\n"
    "Code de sortie 0 seulement si tout concorde ; 65 si l'archive est modifiée, tronquée, ou\n"
    "si la phrase de passe est fausse.\n";

int cmd_verify(session *ses, int argc, char **argv)
{
	(void)ses;
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *pass_file = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'f')
			pass_file = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *path = argv[optind];
	char pass[SECRET_MAX];
	char *why = NULL;
	int rc = cli_passphrase(pass_file, false, false, NULL, pass);
	if (rc)
		return rc;
	cli_prompt pc;
	memset(&pc, 0, sizeof pc);
	verify_report rep;
	rc = export_verify(path, pass_file ? pass : NULL, cli_prompt_passphrase, &pc, &rep, &why);
	secret_wipe(pass, sizeof pass);
	secret_wipe(pc.pass, sizeof pc.pass);
	if (rc) {
		cli_error("%s", why);
		free(why);
	} else {
		char *text = text_sanitize(strbuf_str(&rep.manifest), true);
		fputs(text, stdout);
		free(text);
		printf("\nVérification réussie : %zu fichiers et %llu ligne(s) de données conformes au "
		       "manifeste "
		       "(empreintes SHA-256, tailles, nombres de lignes)%s.\n",
		       rep.n_files, (unsigned long long)rep.rows,
		       rep.encrypted ? ", chiffrement AES-256 authentifié" : ", archive NON chiffrée");
	}
	verify_report_done(&rep);
	return rc;
}
