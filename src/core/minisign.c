/* minisign.c — Ed25519 key pairs and prehashed signatures in minisign's formats (see
 * minisign.h), with libsodium's crypto_sign and crypto_generichash (BLAKE2b). */
#include "core/minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/keymem.h"
#include "core/util.h"

#define SIG_ALG        "Ed" /* in keys, and in legacy signatures of the whole data */
#define SIG_ALG_HASHED "ED" /* in signatures of the BLAKE2b-512 of the data */
#define CHK_ALG        "B2"
#define PUBKEY_SIZE    (2 + MINISIGN_KEYID_SIZE + crypto_sign_PUBLICKEYBYTES)
#define SIG_SIZE       (2 + MINISIGN_KEYID_SIZE + crypto_sign_BYTES)
#define HASH_SIZE      crypto_generichash_BYTES_MAX
#define UNTRUSTED      "untrusted comment: "
#define TRUSTED        "trusted comment: "

/* Offsets in the secret key blob (minisign's SeckeyStruct). */
enum {
	BLOB_SIG_ALG = 0,
	BLOB_KDF_ALG = 2,
	BLOB_CHK_ALG = 4,
	BLOB_KEYID = 54, /* after a 32-byte salt and two 8-byte KDF limits, all zero here */
	BLOB_SK = BLOB_KEYID + MINISIGN_KEYID_SIZE,
	BLOB_CHK = BLOB_SK + crypto_sign_SECRETKEYBYTES,
};

struct minisign_seckey {
	unsigned char keyid[MINISIGN_KEYID_SIZE];
	unsigned char sk[crypto_sign_SECRETKEYBYTES]; /* libsodium's: seed || public key */
};

/* ------------------------------------------------------------------ helpers */

/* Decode s (len characters) when it is the padded base64 of exactly want bytes, nothing more. */
static bool b64_exact(const char *s, size_t len, unsigned char *out, size_t want)
{
	size_t got = 0;
	return len == sodium_base64_ENCODED_LEN(want, sodium_base64_VARIANT_ORIGINAL) - 1 &&
	       sodium_base642bin(out, want, s, len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == want;
}

/* The padded base64 of n bytes; caller frees. */
static char *b64_new(const unsigned char *p, size_t n)
{
	size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *text = xmalloc(size);
	return sodium_bin2base64(text, size, p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Split text into at most max lines, in place: LF ends a line, a CR before it is dropped, and a
 * final newline does not start an empty line. Returns the number of lines, or max + 1 when there
 * are more. */
static int split_lines(char *text, char *lines[], int max)
{
	int n = 0;
	for (char *p = text; *p;) {
		char *end = strchr(p, '\n');
		if (n == max)
			return max + 1;
		lines[n++] = p;
		if (!end)
			break;
		*end = '\0';
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		p = end + 1;
	}
	return n;
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* BLAKE2b-256 over "Ed" || key id || secret key: the checksum minisign keeps in the blob. */
static void seckey_checksum(const minisign_seckey *sk, unsigned char out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)SIG_ALG, 2);
	crypto_generichash_update(&st, sk->keyid, sizeof sk->keyid);
	crypto_generichash_update(&st, sk->sk, sizeof sk->sk);
	crypto_generichash_final(&st, out, 32);
	sodium_memzero(&st, sizeof st);
}

/* The 42 bytes of a public key: "Ed" || key id || key. */
static void pubkey_bytes(const minisign_pubkey *pk, unsigned char out[PUBKEY_SIZE])
{
	memcpy(out, SIG_ALG, 2);
	memcpy(out + 2, pk->keyid, MINISIGN_KEYID_SIZE);
	memcpy(out + 2 + MINISIGN_KEYID_SIZE, pk->key, sizeof pk->key);
}

/* ------------------------------------------------------------------ keys */

minisign_seckey *minisign_keygen(char **why)
{
	if (!keymem_ready(why))
		return NULL;
	minisign_seckey *sk = keymem_new(sizeof *sk);
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	randombytes_buf(sk->keyid, sizeof sk->keyid);
	crypto_sign_keypair(pk, sk->sk);
	return sk;
}

void minisign_seckey_free(minisign_seckey *sk)
{
	keymem_free(sk);
}

void minisign_seckey_pubkey(const minisign_seckey *sk, minisign_pubkey *out)
{
	memcpy(out->keyid, sk->keyid, sizeof out->keyid);
	crypto_sign_ed25519_sk_to_pk(out->key, sk->sk);
}

void minisign_seckey_blob(const minisign_seckey *sk, unsigned char out[MINISIGN_SECKEY_BLOB_SIZE])
{
	memset(out, 0, MINISIGN_SECKEY_BLOB_SIZE);
	memcpy(out + BLOB_SIG_ALG, SIG_ALG, 2);
	memcpy(out + BLOB_CHK_ALG, CHK_ALG, 2);
	memcpy(out + BLOB_KEYID, sk->keyid, sizeof sk->keyid);
	memcpy(out + BLOB_SK, sk->sk, sizeof sk->sk);
	seckey_checksum(sk, out + BLOB_CHK);
}

minisign_seckey *minisign_seckey_from_blob(const unsigned char *blob, size_t n, char **why)
{
	static const unsigned char zero[32];
	if (!keymem_ready(why))
		return NULL;
	if (n != MINISIGN_SECKEY_BLOB_SIZE) {
		set_why(why, "clé secrète minisign de %zu octets au lieu de %d", n,
		        MINISIGN_SECKEY_BLOB_SIZE);
		return NULL;
	}
	if (memcmp(blob + BLOB_SIG_ALG, SIG_ALG, 2) != 0 || memcmp(blob + BLOB_CHK_ALG, CHK_ALG, 2) != 0) {
		set_why(why, "clé secrète minisign d'un algorithme inconnu");
		return NULL;
	}
	if (memcmp(blob + BLOB_KDF_ALG, "\0\0", 2) != 0) {
		set_why(why,
		        "clé secrète minisign protégée par mot de passe : non prise en charge (créer la clé "
		        "avec minisign -G -W)");
		return NULL;
	}
	minisign_seckey *sk = keymem_new(sizeof *sk);
	memcpy(sk->keyid, blob + BLOB_KEYID, sizeof sk->keyid);
	memcpy(sk->sk, blob + BLOB_SK, sizeof sk->sk);
	/* The public half libsodium keeps in the secret key must be the one its seed gives. */
	unsigned char chk[32], pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char *check = keymem_new(crypto_sign_SECRETKEYBYTES);
	bool ok = crypto_sign_seed_keypair(pk, check, sk->sk) == 0 &&
	          sodium_memcmp(check, sk->sk, crypto_sign_SECRETKEYBYTES) == 0;
	keymem_free(check);
	seckey_checksum(sk, chk);
	if (!ok ||
	    (sodium_memcmp(blob + BLOB_CHK, zero, 32) != 0 && sodium_memcmp(blob + BLOB_CHK, chk, 32) != 0)) {
		set_why(why,
		        "clé secrète minisign corrompue (somme de contrôle ou clé publique incohérente)");
		keymem_free(sk);
		return NULL;
	}
	return sk;
}

bool minisign_seckey_text(const minisign_seckey *sk, char *buf, size_t size)
{
	static const char comment[] = UNTRUSTED "minisign secret key (no password), from recueil\n";
	size_t b64 = sodium_base64_ENCODED_LEN(MINISIGN_SECKEY_BLOB_SIZE, sodium_base64_VARIANT_ORIGINAL);
	if (size < MINISIGN_SECKEY_TEXT_MAX || size < sizeof comment + b64 + 1)
		return false;
	unsigned char *blob = keymem_new(MINISIGN_SECKEY_BLOB_SIZE);
	minisign_seckey_blob(sk, blob);
	memcpy(buf, comment, sizeof comment - 1);
	char *at = buf + sizeof comment - 1;
	sodium_bin2base64(at, b64, blob, MINISIGN_SECKEY_BLOB_SIZE, sodium_base64_VARIANT_ORIGINAL);
	keymem_free(blob);
	size_t end = strlen(at); /* size was checked above for the line and its "\n" */
	memcpy(at + end, "\n", 2);
	return true;
}

minisign_seckey *minisign_seckey_parse(const char *text, char **why)
{
	if (!keymem_ready(why))
		return NULL;
	size_t len = strlen(text);
	char *copy = keymem_new(len + 1);
	memcpy(copy, text, len);
	char *lines[3];
	int n = split_lines(copy, lines, 2);
	unsigned char *blob = keymem_new(MINISIGN_SECKEY_BLOB_SIZE);
	minisign_seckey *sk = NULL;
	if (n != 2 || !starts(lines[0], UNTRUSTED))
		set_why(why, "pas un fichier de clé secrète minisign (deux lignes attendues)");
	else if (!b64_exact(lines[1], strlen(lines[1]), blob, MINISIGN_SECKEY_BLOB_SIZE))
		set_why(why, "clé secrète minisign mal encodée");
	else
		sk = minisign_seckey_from_blob(blob, MINISIGN_SECKEY_BLOB_SIZE, why);
	keymem_free(blob);
	keymem_free(copy);
	return sk;
}

void minisign_pubkey_base64(const minisign_pubkey *pk, char out[MINISIGN_PUBKEY_B64_LEN + 1])
{
	unsigned char bytes[PUBKEY_SIZE];
	pubkey_bytes(pk, bytes);
	sodium_bin2base64(out, MINISIGN_PUBKEY_B64_LEN + 1, bytes, sizeof bytes,
	                  sodium_base64_VARIANT_ORIGINAL);
}

char *minisign_pubkey_text(const minisign_pubkey *pk)
{
	char id[MINISIGN_KEYID_HEX_LEN + 1], b64[MINISIGN_PUBKEY_B64_LEN + 1];
	minisign_keyid_hex(pk->keyid, id);
	minisign_pubkey_base64(pk, b64);
	return xasprintf(UNTRUSTED "minisign public key %s\n%s\n", id, b64);
}

bool minisign_pubkey_parse(const char *text, minisign_pubkey *out, char **why)
{
	if (!keymem_ready(why))
		return false;
	char *copy = xstrdup(text);
	char *lines[3], *kept[2];
	int n = split_lines(copy, lines, 3), k = 0;
	for (int i = 0; i < n && i < 3; i++) {
		str_trim(lines[i]);
		if (*lines[i] && k < 2)
			kept[k] = lines[i];
		k += *lines[i] != '\0';
	}
	unsigned char bytes[PUBKEY_SIZE];
	bool ok = false;
	if (n > 3 || k == 0 || k > 2 || (k == 2 && !starts(kept[0], UNTRUSTED)))
		set_why(
		    why,
		    "clé publique minisign attendue (sa ligne base64, ou le fichier .pub de deux lignes)");
	else if (!b64_exact(kept[k - 1], strlen(kept[k - 1]), bytes, sizeof bytes))
		set_why(why, "clé publique minisign mal encodée (56 caractères base64 attendus)");
	else if (memcmp(bytes, SIG_ALG, 2) != 0)
		set_why(why, "clé publique minisign d'un algorithme inconnu");
	else
		ok = true;
	if (ok) {
		memcpy(out->keyid, bytes + 2, MINISIGN_KEYID_SIZE);
		memcpy(out->key, bytes + 2 + MINISIGN_KEYID_SIZE, sizeof out->key);
	}
	free(copy);
	return ok;
}

void minisign_keyid_hex(const unsigned char keyid[MINISIGN_KEYID_SIZE], char out[MINISIGN_KEYID_HEX_LEN + 1])
{
	static const char digits[] = "0123456789ABCDEF";
	for (int i = 0; i < MINISIGN_KEYID_SIZE; i++) {
		unsigned char b = keyid[MINISIGN_KEYID_SIZE - 1 - i];
		out[2 * i] = digits[b >> 4];
		out[2 * i + 1] = digits[b & 15];
	}
	out[MINISIGN_KEYID_HEX_LEN] = '\0';
}

void minisign_pubkey_fingerprint(const minisign_pubkey *pk, char out[MINISIGN_FINGERPRINT_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char bytes[PUBKEY_SIZE], hash[32];
	keymem_ready(NULL);
	pubkey_bytes(pk, bytes);
	crypto_generichash(hash, sizeof hash, bytes, sizeof bytes, NULL, 0);
	unsigned acc = 0;
	int bits = 0;
	size_t o = 0, b = 0;
	for (int symbols = 0; symbols < 20; symbols++) {
		if (bits < 5) {
			acc = (acc << 8) | hash[b++];
			bits += 8;
		}
		bits -= 5;
		if (symbols && symbols % 4 == 0)
			out[o++] = '-';
		out[o++] = alphabet[(acc >> bits) & 31];
	}
	out[o] = '\0';
}

/* ------------------------------------------------------------------ signing */

/* Whether a trusted comment can be signed: one line that minisign reads back unchanged. */
static bool comment_ok(const char *c, char **why)
{
	size_t len = strlen(c);
	bool ok = len <= MINISIGN_COMMENT_MAX && utf8_valid(c, len);
	for (size_t i = 0; i < len && ok; i++)
		ok = ((unsigned char)c[i] >= 0x20 || c[i] == '\t') && c[i] != 0x7f;
	if (!ok)
		set_why(why,
		        "commentaire de confiance refusé : une ligne UTF-8 de %d octets au plus, sans "
		        "caractère de contrôle",
		        MINISIGN_COMMENT_MAX);
	return ok;
}

/* The .minisig text of a BLAKE2b-512 hash. */
static char *sign_hash(const minisign_seckey *sk, const unsigned char hash[HASH_SIZE], const char *comment,
                       char **why)
{
	if (!comment_ok(comment, why))
		return NULL;
	unsigned char sig[SIG_SIZE], global[crypto_sign_BYTES];
	memcpy(sig, SIG_ALG_HASHED, 2);
	memcpy(sig + 2, sk->keyid, MINISIGN_KEYID_SIZE);
	crypto_sign_detached(sig + 2 + MINISIGN_KEYID_SIZE, NULL, hash, HASH_SIZE, sk->sk);
	/* The global signature covers the signature and the trusted comment, so that neither can be
	 * swapped for another. */
	size_t clen = strlen(comment);
	unsigned char *signed_part = xmalloc(crypto_sign_BYTES + clen);
	memcpy(signed_part, sig + 2 + MINISIGN_KEYID_SIZE, crypto_sign_BYTES);
	memcpy(signed_part + crypto_sign_BYTES, comment, clen);
	crypto_sign_detached(global, NULL, signed_part, crypto_sign_BYTES + clen, sk->sk);
	free(signed_part);
	char *s64 = b64_new(sig, sizeof sig), *g64 = b64_new(global, sizeof global);
	char *text = xasprintf(UNTRUSTED "signature from recueil secret key\n%s\n" TRUSTED "%s\n%s\n", s64,
	                       comment, g64);
	free(s64);
	free(g64);
	return text;
}

char *minisign_sign(const minisign_seckey *sk, const void *data, size_t n, const char *trusted_comment,
                    char **why)
{
	unsigned char hash[HASH_SIZE];
	crypto_generichash(hash, sizeof hash, data, n, NULL, 0);
	char *comment = trusted_comment ? xstrdup(trusted_comment)
	                                : xasprintf("timestamp:%lld\thashed", (long long)time(NULL));
	char *text = sign_hash(sk, hash, comment, why);
	free(comment);
	return text;
}

/* BLAKE2b-512 of the content of the file at path. */
static bool hash_file(const char *path, unsigned char hash[HASH_SIZE], char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		set_why(why, "%s : lecture impossible : %s", path, strerror(errno));
		return false;
	}
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, HASH_SIZE);
	unsigned char *buf = xmalloc(65536);
	ssize_t got;
	while ((got = read(fd, buf, 65536)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		crypto_generichash_update(&st, buf, (unsigned long long)got);
	}
	int err = errno;
	free(buf);
	close(fd);
	if (got < 0) {
		set_why(why, "%s : lecture impossible : %s", path, strerror(err));
		return false;
	}
	crypto_generichash_final(&st, hash, HASH_SIZE);
	return true;
}

char *minisign_sign_file(const minisign_seckey *sk, const char *path, const char *trusted_comment, char **why)
{
	unsigned char hash[HASH_SIZE];
	if (!hash_file(path, hash, why))
		return NULL;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *comment = trusted_comment
	                    ? xstrdup(trusted_comment)
	                    : xasprintf("timestamp:%lld\tfile:%s\thashed", (long long)time(NULL), base);
	char *text = sign_hash(sk, hash, comment, why);
	free(comment);
	return text;
}

/* ------------------------------------------------------------------ verifying */

bool minisign_sig_keyid(const char *sig, unsigned char keyid[MINISIGN_KEYID_SIZE])
{
	char *copy = xstrdup(sig);
	char *lines[5];
	int n = split_lines(copy, lines, 4);
	unsigned char s[SIG_SIZE];
	bool ok = n >= 2 && n <= 4 && starts(lines[0], UNTRUSTED) &&
	          b64_exact(lines[1], strlen(lines[1]), s, sizeof s);
	if (ok)
		memcpy(keyid, s + 2, MINISIGN_KEYID_SIZE);
	free(copy);
	return ok;
}

/* Check the .minisig text sig against a BLAKE2b-512 hash. */
static bool verify_hash(const minisign_pubkey *pk, const unsigned char hash[HASH_SIZE], const char *sig,
                        char **trusted_comment, char **why)
{
	char *copy = xstrdup(sig);
	char *lines[9];
	int n = split_lines(copy, lines, 8);
	while (n > 4 && n <= 8 && lines[n - 1][0] == '\0')
		n--; /* blank lines at the end */
	unsigned char s[SIG_SIZE], global[crypto_sign_BYTES];
	bool ok = false;
	if (n != 4 || !starts(lines[0], UNTRUSTED) || !starts(lines[2], TRUSTED)) {
		set_why(why, "signature minisign mal formée (quatre lignes : commentaire, signature, "
		             "commentaire de confiance, signature globale)");
	} else if (!b64_exact(lines[1], strlen(lines[1]), s, sizeof s) ||
	           !b64_exact(lines[3], strlen(lines[3]), global, sizeof global)) {
		set_why(why, "signature minisign mal encodée");
	} else if (memcmp(s, SIG_ALG, 2) == 0) {
		set_why(why, "signature minisign à l'ancien format (non préhachée, minisign -l) : refusée");
	} else if (memcmp(s, SIG_ALG_HASHED, 2) != 0) {
		set_why(why, "signature minisign d'un algorithme inconnu");
	} else if (memcmp(s + 2, pk->keyid, MINISIGN_KEYID_SIZE) != 0) {
		char got[MINISIGN_KEYID_HEX_LEN + 1], want[MINISIGN_KEYID_HEX_LEN + 1];
		minisign_keyid_hex(s + 2, got);
		minisign_keyid_hex(pk->keyid, want);
		set_why(why, "signature faite avec la clé %s, pas avec la clé attendue %s", got, want);
	} else if (crypto_sign_verify_detached(s + 2 + MINISIGN_KEYID_SIZE, hash, HASH_SIZE, pk->key) != 0) {
		set_why(why,
		        "signature minisign invalide : le contenu signé a changé ou la signature est fausse");
	} else {
		const char *comment = lines[2] + strlen(TRUSTED);
		size_t clen = strlen(comment);
		unsigned char *signed_part = xmalloc(crypto_sign_BYTES + clen);
		memcpy(signed_part, s + 2 + MINISIGN_KEYID_SIZE, crypto_sign_BYTES);
		memcpy(signed_part + crypto_sign_BYTES, comment, clen);
		ok = crypto_sign_verify_detached(global, signed_part, crypto_sign_BYTES + clen, pk->key) == 0;
		free(signed_part);
		if (!ok)
			set_why(why,
			        "signature minisign invalide : le commentaire de confiance a été modifié");
		else if (trusted_comment)
			*trusted_comment = xstrdup(comment);
	}
	free(copy);
	return ok;
}

bool minisign_verify(const minisign_pubkey *pk, const void *data, size_t n, const char *sig,
                     char **trusted_comment, char **why)
{
	unsigned char hash[HASH_SIZE];
	if (!keymem_ready(why))
		return false;
	crypto_generichash(hash, sizeof hash, data, n, NULL, 0);
	return verify_hash(pk, hash, sig, trusted_comment, why);
}

bool minisign_verify_file(const minisign_pubkey *pk, const char *path, const char *sig,
                          char **trusted_comment, char **why)
{
	unsigned char hash[HASH_SIZE];
	return keymem_ready(why) && hash_file(path, hash, why) &&
	       verify_hash(pk, hash, sig, trusted_comment, why);
}
