/* secret.h — export passphrases: generated from the system's random source, or read from a
 * file that only its owner can read. Passphrases live in caller-owned buffers that the caller
 * wipes with secret_wipe once the archive is written; they are never logged. */
#ifndef RECUEIL_SECRET_H
#define RECUEIL_SECRET_H

#include <stddef.h>

/* Room for a passphrase read from a file or a prompt, NUL included. */
#define SECRET_MAX 256
/* A generated passphrase: 16 Crockford base32 symbols in four groups, "7K2M-QX4T-0PZR-9CWD". */
#define SECRET_GENERATED_LEN 19

/* Fill out (at least SECRET_GENERATED_LEN + 1 bytes) with a new passphrase carrying 80 bits
 * from getrandom(): 10 random bytes, 5 bits per symbol, no bias. The alphabet has no I, L, O
 * or U, so that it reads unambiguously over the phone. */
void secret_generate(char *out);

/* Read a passphrase from the first line of path into buf (size >= 2). The file must be a
 * regular file owned by the caller, without group or other permission bits (EXIT_NOPERM
 * otherwise, with the chmod to run), and the line must not be empty. Returns 0 or a sysexits
 * code with *why (caller frees). */
int secret_from_file(const char *path, char *buf, size_t size, char **why);

/* Erase n bytes in a way the compiler cannot drop. */
void secret_wipe(void *p, size_t n);

#endif
