/* cmd_structure.c — the keys of the trust chain from the command line: recueil structure key
 * (this database's public signing key, to give to the region), recueil structure enrol (the
 * region registers a structure and its key) and recueil keygen (the region's age key pair, in
 * age-keygen's format). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/keymem.h"
#include "export/safefile.h"

static const char usage[] =
    "Usage : recueil structure key\n"
    "        recueil structure enrol CODE CLÉ [--replace]\n"
    "  key     affiche la clé publique de signature de cette base (format minisign, la ligne en\n"
    "          base64 en dernier) et son empreinte, à comparer par téléphone avec la région\n"
    "  enrol   (base régionale, administrateur) inscrit la structure CODE et sa clé publique :\n"
    "          la ligne en base64, ou un fichier qui la contient ; ses archives sont ensuite\n"
    "          acceptées par « recueil import » si elles sont signées par cette clé\n"
    "  --replace  remplace la clé d'une structure déjà inscrite (elle a changé de machine) ;\n"
    "             le remplacement est noté dans le journal\n";

static int structure_key(session *ses, int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	char code[64] = "", name[256] = "";
	store_structure(ses->db, code, name);
	minisign_pubkey pk;
	char *why = NULL;
	if ((rc = store_signing_pubkey(ses->db, &pk, &why)))
		return cli_fail(rc, why);
	printf("%s ", store_is_region(ses->db) ? "Région" : "Structure");
	fputs_safe(code, stdout);
	fputs(" (", stdout);
	fputs_safe(name, stdout);
	fputs(") : clé publique de signature de ses exports.\n", stdout);
	cli_print_pubkey_facts(stdout, &pk);
	char *text = minisign_pubkey_text(&pk);
	fputs(text, stdout);
	free(text);
	return 0;
}

static int structure_enrol(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"replace", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool replace = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'r')
			replace = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind + 2 != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *code = argv[optind];
	if (!cli_valid_code(code)) {
		cli_error(
		    "code de structure « %.40s » invalide : 2 à 32 lettres sans accent, chiffres, - ou _",
		    code);
		return EXIT_USAGE;
	}
	minisign_pubkey pk;
	int rc = cli_pubkey(argv[optind + 1], &pk);
	if (rc || (rc = cli_open(ses, PERM_ENROL)))
		return rc;
	enrol_result res;
	char *why = NULL;
	if ((rc = store_enrol(ses->db, code, &pk, replace, ses->login, &res, &why)))
		return cli_fail(rc, why);
	char keyid[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_keyid_hex(pk.keyid, keyid);
	if (res.unchanged)
		printf("Structure %s déjà inscrite avec cette clé (%s) : rien à faire.\n", code, keyid);
	else if (res.replaced)
		printf("Structure %s : nouvelle clé %s inscrite, à la place de %s (remplacement noté dans "
		       "le journal).\n",
		       code, keyid, res.old_key_id);
	else
		printf("Structure %s inscrite avec la clé %s : ses archives signées par cette clé seront "
		       "acceptées.\n",
		       code, keyid);
	cli_print_pubkey_facts(stdout, &pk);
	return 0;
}

int cmd_structure(session *ses, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "key") == 0)
		return structure_key(ses, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "enrol") == 0)
		return structure_enrol(ses, argc - 1, argv + 1);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
		return fputs(usage, stdout), 0;
	fputs(usage, stderr);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------ keygen */

static const char keygen_usage[] =
    "Usage : recueil keygen --out FICHIER\n"
    "Crée une paire de clés age (comme « age-keygen -o FICHIER ») : la clé privée dans FICHIER\n"
    "(mode 0600, jamais écrasé s'il existe), la clé publique (age1…) affichée en dernière ligne.\n"
    "La coordination garde la clé privée (« recueil import --identity FICHIER ») et donne la clé\n"
    "publique aux structures (forms/reporting.yaml, recipients:, ou export --recipient).\n";

/* Write the key file text (len bytes) at path: private, whole or not at all. */
static int write_key_file(const char *path, const char *text, size_t len)
{
	atomic_file af;
	char *why = NULL;
	int rc = atomic_open(&af, path, &why);
	if (rc)
		return cli_fail(rc, why);
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(af.fd, text + done, len - done);
		if (w <= 0) {
			cli_error("%s : écriture impossible", path);
			atomic_abort(&af);
			return EXIT_IOERR;
		}
		done += (size_t)w;
	}
	if ((rc = atomic_commit(&af, &why))) {
		atomic_abort(&af);
		return cli_fail(rc, why);
	}
	atomic_done(&af);
	return 0;
}

int cmd_keygen(session *ses, int argc, char **argv)
{
	(void)ses;
	const char *out;
	int rc = cli_out_option(argc, argv, keygen_usage, 0, &out);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *why = NULL;
	rc = atomic_check_target(out, &why);
	if (rc)
		return cli_fail(rc, why);
	if (!keymem_ready(&why))
		return cli_fail(EXIT_SOFTWARE, why);
	char *text = keymem_new(AGE_KEYFILE_MAX);
	age_recipient r;
	if (!age_keygen(text, AGE_KEYFILE_MAX, time(NULL), &r, &why)) {
		keymem_free(text);
		return cli_fail(EXIT_SOFTWARE, why);
	}
	rc = write_key_file(out, text, strlen(text));
	keymem_free(text);
	if (rc)
		return rc;
	char pub[AGE_RECIPIENT_LEN + 1];
	age_recipient_format(&r, pub);
	fputs("Clé privée écrite dans ", stdout);
	fputs_safe(out, stdout);
	fputs(" : la garder secrète et la sauvegarder (sans elle, les archives chiffrées\n"
	      "pour cette clé ne s'ouvrent plus). Clé publique, à donner aux structures :\n",
	      stdout);
	printf("%s\n", pub);
	return 0;
}
