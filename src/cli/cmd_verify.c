/* cmd_verify.c — recueil verify: check an export archive as its recipient would (age decryption,
 * passphrase, integrity, checksums and row counts against the manifest, the signature) and print
 * its manifest. Needs no database, so that the recipient can run it too. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "export/export.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil verify ARCHIVE [--passphrase-file F] [--identity CLÉ…] [--pubkey CLÉ]\n"
    "Vérifie une archive d'export : chiffrement, intégrité, empreinte SHA-256 et nombre de\n"
    "lignes de chaque fichier par rapport au manifeste, signature ; affiche le manifeste.\n"
    "  --passphrase-file F  la phrase de passe d'un zip chiffré AES-256 (sans elle, elle est\n"
    "                       demandée au clavier)\n"
    "  --identity CLÉ       le fichier de clé privée age (age-keygen, recueil keygen) qui ouvre\n"
    "                       une archive chiffrée pour une clé publique (plusieurs possibles)\n"
    "  --pubkey CLÉ         la clé publique de signature de la structure (la ligne en base64 de\n"
    "                       « recueil structure key », ou un fichier) : la signature est vérifiée\n"
    "Code de sortie 0 seulement si tout concorde ; 65 si l'archive est modifiée, tronquée, mal\n"
    "signée, ou si la phrase de passe est fausse.\n";

/* The lines that say how the archive was protected and who signed it. */
static void say_trust(const verify_report *rep, const minisign_pubkey *pk)
{
	if (rep->age)
		printf(
		    "Chiffrement : age (clé publique du destinataire), ouvert avec la clé privée donnée%s.\n",
		    rep->encrypted ? " ; entrées du zip chiffrées AES-256 en plus" : "");
	else if (rep->encrypted)
		puts("Chiffrement : AES-256 authentifié, toutes les entrées.");
	else
		puts("Chiffrement : AUCUN, archive NON chiffrée.");
	if (!rep->signature.len)
		puts("Signature : ABSENTE (archive non signée).");
	else if (pk) {
		char fingerprint[MINISIGN_FINGERPRINT_LEN + 1];
		minisign_pubkey_fingerprint(pk, fingerprint);
		printf("Signature : valide, clé %s (empreinte %s).\n", rep->signer, fingerprint);
	} else {
		printf("Signature : présente (clé %s), non vérifiée faute de clé publique (--pubkey).\n",
		       *rep->signer ? rep->signer : "illisible");
	}
}

int cmd_verify(session *ses, int argc, char **argv)
{
	(void)ses;
	static const struct option opts[] = {
	    {"passphrase-file", required_argument, NULL, 'f'},
	    {"identity", required_argument, NULL, 'i'},
	    {"pubkey", required_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *pass_file = NULL, *pubkey = NULL;
	const char *id_paths[CLI_MAX_IDENTITIES];
	size_t n_ids = 0;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'f')
			pass_file = optarg;
		else if (c == 'p')
			pubkey = optarg;
		else if (c == 'i' && n_ids < CLI_MAX_IDENTITIES)
			id_paths[n_ids++] = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind + 1 != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *path = argv[optind];
	minisign_pubkey pk;
	int rc = pubkey ? cli_pubkey(pubkey, &pk) : 0;
	age_identity *ids[CLI_MAX_IDENTITIES];
	if (rc || (rc = cli_identities(id_paths, n_ids, ids)))
		return rc;
	char pass[SECRET_MAX];
	char *why = NULL;
	if ((rc = cli_passphrase(pass_file, false, false, NULL, pass))) {
		cli_identities_free(ids, n_ids);
		return rc;
	}
	cli_prompt pc;
	memset(&pc, 0, sizeof pc);
	verify_report rep;
	verify_opts vo = {.passphrase = pass_file ? pass : NULL,
	                  .ask = cli_prompt_passphrase,
	                  .ask_ctx = &pc,
	                  .identities = (const age_identity *const *)ids,
	                  .n_identities = n_ids};
	rc = export_verify_opts(path, &vo, &rep, &why);
	secret_wipe(pass, sizeof pass);
	secret_wipe(pc.pass, sizeof pc.pass);
	cli_identities_free(ids, n_ids);
	if (!rc && pubkey)
		rc = export_signature_check(&rep, path, &pk, "celle donnée par --pubkey", NULL, &why);
	if (rc) {
		cli_error("%s", why);
		free(why);
	} else {
		char *text = text_sanitize(strbuf_str(&rep.manifest), true);
		fputs(text, stdout);
		free(text);
		printf("\nVérification réussie : %zu fichiers et %llu ligne(s) de données conformes au "
		       "manifeste (empreintes SHA-256, tailles, nombres de lignes)%s.\n",
		       rep.n_files, (unsigned long long)rep.rows,
		       rep.age         ? ", chiffrement age authentifié"
		       : rep.encrypted ? ", chiffrement AES-256 authentifié"
		                       : ", archive NON chiffrée");
		say_trust(&rep, pubkey ? &pk : NULL);
	}
	verify_report_done(&rep);
	return rc;
}
