/* minisign.h — Ed25519 signatures in minisign's formats (libsodium's crypto_sign): key pairs,
 * the public key as minisign prints it, prehashed signatures (BLAKE2b-512, algorithm "ED") in a
 * four-line .minisig text that `minisign -V` verifies, and their verification. A structure signs
 * the manifest of each export with its key; the region checks it against the enrolled public key.
 *
 *   public key   untrusted comment: minisign public key 1BCE69BBC593269C
 *                RWScJpPFu2nOGz+iX6f8do/guxgUNcG3jnayi2wgJwtgDNKzmljFFpbc
 *                (base64 of "Ed" || key id, 8 bytes || Ed25519 public key, 32 bytes)
 *   signature    untrusted comment: …
 *                base64 of "ED" || key id || Ed25519 signature of BLAKE2b-512(data)
 *                trusted comment: timestamp:1796289369	hashed
 *                base64 of the Ed25519 signature of (signature || trusted comment)
 *
 * The key id is random (minisign's choice), so it names a key but does not prove one: the
 * fingerprint (minisign_pubkey_fingerprint) is the text to compare over the phone.
 * Messages (*why, caller frees) are French, one line, and never carry key material. */
#ifndef RECUEIL_MINISIGN_H
#define RECUEIL_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>

#define MINISIGN_KEYID_SIZE 8
/* The base64 line of a public key, NUL excluded. */
#define MINISIGN_PUBKEY_B64_LEN 56
/* The key id as minisign prints it: 16 uppercase hexadecimal digits, NUL excluded. */
#define MINISIGN_KEYID_HEX_LEN 16
/* A fingerprint "7K2M-QX4T-0PZR-9CWD-3HNA", NUL excluded. */
#define MINISIGN_FINGERPRINT_LEN 24
/* A secret key blob: minisign's secret key structure, unencrypted (see minisign_seckey_blob). */
#define MINISIGN_SECKEY_BLOB_SIZE 158
/* Room for the text of a secret key file, NUL included. */
#define MINISIGN_SECKEY_TEXT_MAX 320
/* Longest trusted comment accepted, in bytes. */
#define MINISIGN_COMMENT_MAX 1024

/* A public key. Not secret; copy it freely. */
typedef struct {
	unsigned char keyid[MINISIGN_KEYID_SIZE];
	unsigned char key[32];
} minisign_pubkey;

/* A secret key (and its public half), held in locked memory (core/keymem.h). Opaque. */
typedef struct minisign_seckey minisign_seckey;

/* A new key pair with a random key id, or NULL with *why when libsodium cannot start. Free with
 * minisign_seckey_free. */
minisign_seckey *minisign_keygen(char **why);

/* Wipe and free a secret key; NULL is ignored. */
void minisign_seckey_free(minisign_seckey *sk);

/* The public half of a key pair. */
void minisign_seckey_pubkey(const minisign_seckey *sk, minisign_pubkey *out);

/* The secret key as bytes to store (the database keeps them): minisign's secret key structure
 * without password — "Ed", no KDF, "B2", 48 zero bytes, key id, Ed25519 secret key (64 bytes), and
 * the BLAKE2b-256 checksum of "Ed" || key id || secret key. The caller wipes out when done. */
void minisign_seckey_blob(const minisign_seckey *sk, unsigned char out[MINISIGN_SECKEY_BLOB_SIZE]);

/* A secret key from n bytes written by minisign_seckey_blob, or by `minisign -G -W` (whose
 * checksum field is zero, which minisign does not check either). Refused, NULL with *why: a wrong
 * size, another algorithm, a password-protected key, a wrong checksum, a secret key whose public
 * half does not match. The caller wipes blob. */
minisign_seckey *minisign_seckey_from_blob(const unsigned char *blob, size_t n, char **why);

/* The text of a secret key file that minisign reads (`minisign -S -s FILE`, no password): an
 * untrusted comment line and the base64 of the blob, each ending in a newline, into buf (size at
 * least MINISIGN_SECKEY_TEXT_MAX). The caller wipes buf. Returns false when buf is too small. */
bool minisign_seckey_text(const minisign_seckey *sk, char *buf, size_t size);

/* A secret key from the text of an unencrypted minisign secret key file (minisign -G -W), or NULL
 * with *why. The caller wipes text. */
minisign_seckey *minisign_seckey_parse(const char *text, char **why);

/* The base64 line of a public key into out (MINISIGN_PUBKEY_B64_LEN characters and a NUL). */
void minisign_pubkey_base64(const minisign_pubkey *pk, char out[MINISIGN_PUBKEY_B64_LEN + 1]);

/* The two-line public key file minisign writes ("untrusted comment: minisign public key KEYID",
 * the base64 line), each line ending in a newline. Caller frees. */
char *minisign_pubkey_text(const minisign_pubkey *pk);

/* Parse a public key given as its base64 line alone or as minisign's two-line file (blank lines
 * and a final newline ignored, CR LF accepted). Returns false with *why. */
bool minisign_pubkey_parse(const char *text, minisign_pubkey *out, char **why);

/* The key id as minisign prints it (its 8 bytes as a little-endian number, in hexadecimal). */
void minisign_keyid_hex(const unsigned char keyid[MINISIGN_KEYID_SIZE], char out[MINISIGN_KEYID_HEX_LEN + 1]);

/* The fingerprint of a public key, to read aloud and compare over the phone: the first 100 bits
 * of BLAKE2b-256 over the public key's 42 bytes (algorithm, key id, key) in 20 Crockford base32
 * symbols (no I, L, O, U), four by four: "7K2M-QX4T-0PZR-9CWD-3HNA". A forged key with the same
 * fingerprint would cost about 2^100 tries. */
void minisign_pubkey_fingerprint(const minisign_pubkey *pk, char out[MINISIGN_FINGERPRINT_LEN + 1]);

/* Sign n bytes of data, prehashed, and return the four-line .minisig text (each line ends in a
 * newline; caller frees). trusted_comment is signed with it: one line of at most
 * MINISIGN_COMMENT_MAX bytes, no control character; NULL for minisign's default without a file
 * name, "timestamp:<seconds since 1970>\thashed". NULL with *why when the comment is refused. */
char *minisign_sign(const minisign_seckey *sk, const void *data, size_t n, const char *trusted_comment,
                    char **why);

/* The same for the content of the file at path, read in blocks (memory stays flat). With a NULL
 * trusted_comment, minisign's own default "timestamp:<seconds>\tfile:<base name>\thashed". NULL with
 * *why when the file cannot be read or the comment is refused. */
char *minisign_sign_file(const minisign_seckey *sk, const char *path, const char *trusted_comment,
                         char **why);

/* Verify the .minisig text sig over n bytes of data with pk: the signature's algorithm must be
 * "ED" (prehashed; legacy "Ed" signatures are refused), its key id that of pk, and both the
 * signature and the global signature over the trusted comment must verify. On success returns
 * true and, if trusted_comment is not NULL, a copy of the trusted comment (caller frees).
 * Otherwise false with *why (malformed text, another key, a signature that does not verify). */
bool minisign_verify(const minisign_pubkey *pk, const void *data, size_t n, const char *sig,
                     char **trusted_comment, char **why);

/* The key id a .minisig text names (its signature line), without verifying anything: to say
 * which key made a signature when no public key is at hand, or to tell "another key" from "a
 * signature that does not verify". Returns false when sig is not a minisign signature. */
bool minisign_sig_keyid(const char *sig, unsigned char keyid[MINISIGN_KEYID_SIZE]);

/* The same for the content of the file at path. */
bool minisign_verify_file(const minisign_pubkey *pk, const char *path, const char *sig,
                          char **trusted_comment, char **why);

#endif
