/* keys.c — the public and secret keys the commands are given: age recipients (export), age
 * identities (verify, import), a structure's public signing key (verify, structure enrol). */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/keymem.h"

/* Room for an identity file: age-keygen writes about 190 bytes. */
#define IDENTITY_FILE_MAX 4096
/* Room for a public key file: minisign writes two lines, recueil structure key four. */
#define PUBKEY_FILE_MAX 4096

int cli_recipients(const char *const *texts, size_t n, age_recipient *out)
{
	for (size_t i = 0; i < n; i++) {
		char *why = NULL;
		if (!age_recipient_parse(texts[i], &out[i], &why)) {
			cli_error("--recipient n° %zu : %s", i + 1, why);
			free(why);
			return EXIT_USAGE;
		}
	}
	return 0;
}

int cli_identities(const char *const *paths, size_t n, age_identity **out)
{
	char *why = NULL;
	if (n && !keymem_ready(&why))
		return cli_fail(EXIT_SOFTWARE, why);
	char *text = n ? keymem_new(IDENTITY_FILE_MAX) : NULL;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		size_t len;
		rc = secret_read_private(paths[i], "fichier de clé privée age", text, IDENTITY_FILE_MAX, &len,
		                         &why);
		if (!rc && !(out[i] = age_identity_parse(text, &why))) {
			char *inner = why;
			why = xasprintf("%s : %s", paths[i], inner);
			free(inner);
			rc = EXIT_DATAERR;
		}
		secret_wipe(text, IDENTITY_FILE_MAX);
		if (rc) {
			cli_identities_free(out, i);
			cli_fail(rc, why);
			why = NULL;
		}
	}
	keymem_free(text);
	return rc;
}

void cli_identities_free(age_identity **ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		age_identity_free(ids[i]);
		ids[i] = NULL;
	}
}

/* The last line of text that is not blank, copied; NULL if none. */
static char *last_line(const char *text)
{
	const char *best = NULL;
	size_t best_n = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\r\n");
		if (n && strspn(p, " \t") < n) {
			best = p;
			best_n = n;
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	return best ? xstrndup(best, best_n) : NULL;
}

int cli_pubkey(const char *arg, minisign_pubkey *out)
{
	if (minisign_pubkey_parse(arg, out, NULL))
		return 0;
	FILE *f = fopen(arg, "rb");
	if (!f) {
		cli_error(
		    "« %.60s » : ni une clé publique (la ligne en base64 de « recueil structure key »), ni "
		    "un fichier lisible qui en contienne une",
		    arg);
		return EXIT_USAGE;
	}
	char text[PUBKEY_FILE_MAX];
	size_t len = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[len] = '\0';
	/* minisign's two-line file, or the output of `recueil structure key`: its key line last. */
	char *why = NULL;
	if (minisign_pubkey_parse(text, out, NULL))
		return 0;
	char *line = last_line(text);
	bool ok = line && minisign_pubkey_parse(line, out, &why);
	free(line);
	if (!ok) {
		cli_error("%s : pas de clé publique minisign lisible%s%s", arg, why ? " : " : "",
		          why ? why : "");
		free(why);
		return EXIT_DATAERR;
	}
	return 0;
}

void cli_print_pubkey_facts(FILE *f, const minisign_pubkey *pk)
{
	char keyid[MINISIGN_KEYID_HEX_LEN + 1], fingerprint[MINISIGN_FINGERPRINT_LEN + 1];
	minisign_keyid_hex(pk->keyid, keyid);
	minisign_pubkey_fingerprint(pk, fingerprint);
	fprintf(f, "Empreinte à comparer par téléphone : %s (clé %s)\n", fingerprint, keyid);
}
