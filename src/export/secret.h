/* secret.h — export passphrases: generated from the system's random source, or read from a
 * file that only its owner can read. Passphrases live in caller-owned buffers that the caller
 * wipes with secret_wipe once the archive is written; they are never logged, and the process
 * that holds one neither dumps core nor lets them be swapped out (secret_protect). What is and
 * is not wiped, libarchive's copies included: docs/reliability.md, "Passphrases". */
#ifndef RECUEIL_SECRET_H
#define RECUEIL_SECRET_H

#include <stdbool.h>
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

/* Read a private file whole into buf (at most size - 1 bytes, NUL-terminated; *len its length):
 * a regular file owned by the caller without group or other permission bits, else EXIT_NOPERM
 * with the chmod to run; what names the file in messages ("fichier de clé privée"), which never
 * quote its content. A NUL byte in it is EXIT_DATAERR (buf wiped). The caller protects and wipes
 * buf. Returns 0 or a sysexits code with *why. */
int secret_read_private(const char *path, const char *what, char *buf, size_t size, size_t *len, char **why);

/* The strength a passphrase must have to protect an archive alone, in bits. */
#define SECRET_MIN_BITS 80

/* An estimate, from its form alone, of the strength of a passphrase a person chose (an upper
 * bound: it cannot see that "Azerty123" is common). Words of letters, not all capitals,
 * separated by spaces or dashes count as diceware words, 12.9 bits each (one of 7,776);
 * otherwise each character,
 * separators aside, is worth log2 of the size of the classes used (26 lowercase, 26 uppercase,
 * 10 digits, counted with any letters, 33 others): 16 random base32 symbols,
 * "7K2M-QX4T-0PZR-9CWD", make 16 × log2(36) = 82.7 bits, with or without a digit. */
double secret_strength_bits(const char *pass);

/* Erase n bytes in a way the compiler cannot drop. */
void secret_wipe(void *p, size_t n);

/* Keep a passphrase buffer out of core dumps and swap, as far as an unprivileged process can.
 * The first call makes the whole process non-dumpable for the rest of its life
 * (setrlimit(RLIMIT_CORE) to 0, soft and hard, and prctl(PR_SET_DUMPABLE, 0): no core file, not
 * even through a core_pattern pipe, and no ptrace or /proc/PID/mem by other processes of the
 * same user). Then the pages of buf are locked in memory (mlock), and stay locked until the
 * process exits: locks do not nest, so unlocking one buffer could unlock another on the same
 * page. Best effort: a refusal (EPERM, or ENOMEM/EAGAIN past RLIMIT_MEMLOCK) is not an error,
 * only the return value says so. secret_from_file and secret_generate call it on their buffer;
 * whoever reads a passphrase into a buffer of its own (a prompt) calls it before reading.
 * Returns true when buf's pages are locked. */
bool secret_protect(void *buf, size_t size);

/* Whether secret_protect has made the process non-dumpable (for tests). */
bool secret_protected(void);

#endif
