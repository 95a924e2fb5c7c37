/* age.h — the age v1 file format (c2sp.org/age) for X25519 recipients: what `age -r age1…`
 * writes and `age -d -i KEYFILE` reads, and the keys of `age-keygen`. Primitives from libsodium:
 * X25519, ChaCha20-Poly1305 (IETF) and HMAC-SHA-256, with HKDF-SHA-256 (RFC 5869) over the
 * latter. Encryption and decryption stream in chunks of 64 KiB: memory stays flat whatever the
 * size of the file. Scrypt (passphrase), post-quantum and plugin recipients are not supported;
 * their stanzas are skipped when reading, as the specification asks.
 *
 * Messages (*why, caller frees) are French, one line, and never carry key material. */
#ifndef RECUEIL_AGE_H
#define RECUEIL_AGE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* "age1" and 58 Bech32 symbols: the text of a recipient (public key), NUL excluded. */
#define AGE_RECIPIENT_LEN 62
/* Room for the text of age_keygen (three lines: two comments and the secret key), NUL included. */
#define AGE_KEYFILE_MAX 256
/* Plaintext bytes per STREAM chunk. */
#define AGE_CHUNK_SIZE 65536

/* A recipient: an X25519 public key. Not secret; copy it freely. */
typedef struct {
	unsigned char key[32];
} age_recipient;

/* An identity: an X25519 secret key, held in locked memory (core/keymem.h). Opaque. */
typedef struct age_identity age_identity;

/* Parse a recipient "age1…" (surrounding blanks ignored) into *out. Returns false with *why
 * when the text is not an X25519 recipient of age (wrong prefix, bad character, checksum,
 * length; post-quantum "age1pq1…" and plugin recipients are named as unsupported). */
bool age_recipient_parse(const char *text, age_recipient *out, char **why);

/* Write the text of r ("age1…", AGE_RECIPIENT_LEN characters) into out, NUL-terminated. */
void age_recipient_format(const age_recipient *r, char out[AGE_RECIPIENT_LEN + 1]);

/* Parse an identity from text: either one line "AGE-SECRET-KEY-1…" or the content of an identity
 * file as age-keygen writes it, where blank lines and lines starting with '#' are comments. The
 * text must hold exactly one key (an identity file of several keys is refused: parse each key
 * on its own). Returns a new identity in locked memory (free with age_identity_free), or NULL
 * with *why, which never quotes the key. The caller wipes text itself. */
age_identity *age_identity_parse(const char *text, char **why);

/* Wipe and free an identity; NULL is ignored. */
void age_identity_free(age_identity *id);

/* The recipient (public key) of an identity. */
void age_identity_to_recipient(const age_identity *id, age_recipient *out);

/* Generate a new identity and write the text age-keygen writes into buf (size bytes, at least
 * AGE_KEYFILE_MAX), NUL-terminated:
 *     # created: 2026-11-22T10:30:00+01:00      (RFC 3339, local time; "Z" in UTC)
 *     # public key: age1…
 *     AGE-SECRET-KEY-1…
 * buf then holds a secret key: the caller keeps it in locked memory if it lives long and wipes
 * it (sodium_memzero) when done. If out is not NULL it receives the new identity's recipient.
 * Returns false with *why when libsodium cannot start or buf is too small; no secret is left in
 * buf then. */
bool age_keygen(char *buf, size_t size, time_t created, age_recipient *out, char **why);

/* Output and input of the streams. A write callback writes all n bytes and returns 0, or returns
 * -1 with errno set. A read callback reads at most n bytes into buf and returns how many (short
 * reads are fine), 0 only at the end of the input, or -1 with errno set. */
typedef int (*age_write_fn)(void *ctx, const void *buf, size_t n);
typedef ssize_t (*age_read_fn)(void *ctx, void *buf, size_t n);

typedef struct age_writer age_writer;
typedef struct age_reader age_reader;

/* Start an age file encrypted to the n recipients (n >= 1; each one can open it, the sender
 * cannot): a new random file key is wrapped for each, and the header and the payload nonce are
 * written at once through write_fn(ctx, …). Returns the writer, or NULL with *why (no recipient, a
 * recipient that is not a valid X25519 point, libsodium unusable, the write failing). The
 * recipients are copied. */
age_writer *age_writer_new(age_write_fn write_fn, void *ctx, const age_recipient *recipients, size_t n,
                           char **why);

/* Encrypt n bytes of plaintext. Full chunks are written as they fill up; the last one is kept
 * until age_writer_close. Returns 0, or -1 with *why when the write callback fails (the writer
 * then refuses everything but age_writer_free). */
int age_writer_write(age_writer *w, const void *buf, size_t n, char **why);

/* Write the final chunk (flagged as last, so that a reader can tell the file is complete) and
 * free the writer, whatever happens. Returns 0, or -1 with *why. */
int age_writer_close(age_writer *w, char **why);

/* Free a writer without finishing the file (what was written is then a truncated age file that
 * every reader refuses). Keys are wiped. NULL is ignored. */
void age_writer_free(age_writer *w);

/* Start reading an age file through read_fn(ctx, …): read and check the header (format, stanzas),
 * find a stanza that one of the n identities opens, check the header's MAC with the file key, and
 * read the payload nonce. Non-X25519 stanzas are skipped. Returns the reader, or NULL with *why:
 * not an age file, malformed header (with its line number), no identity matches, header altered,
 * truncated. The identities are borrowed during this call only. */
age_reader *age_reader_new(age_read_fn read_fn, void *ctx, const age_identity *const identities[], size_t n,
                           char **why);

/* Read up to n bytes of plaintext into buf. Only authenticated plaintext is ever returned: a chunk
 * is decrypted and checked whole before any of its bytes is given out. Returns the number of
 * bytes (> 0), 0 at the authenticated end of the file, or -1 with *why: a chunk altered,
 * reordered or truncated, a missing final chunk (a truncated file), data after the final chunk,
 * or the read callback failing. An error is final: later calls fail the same way. */
ssize_t age_reader_read(age_reader *r, void *buf, size_t n, char **why);

/* Wipe keys and plaintext held by the reader and free it; NULL is ignored. */
void age_reader_free(age_reader *r);

#endif
