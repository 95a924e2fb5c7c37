/* keymem.h — memory for secret keys, from libsodium: pages locked out of swap and core dumps,
 * fenced by guard pages, wiped when freed. Shared by the age and minisign modules. */
#ifndef RECUEIL_KEYMEM_H
#define RECUEIL_KEYMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Initialise libsodium once (thread-safe, idempotent). Returns false, with *why (caller frees),
 * when the library cannot start (no random source). */
bool keymem_ready(char **why);

/* n zeroed bytes of locked memory (sodium_malloc; a refused mlock leaves them unlocked but still
 * excluded from core dumps where the system allows). Never NULL: on exhaustion the program prints
 * one line and exits 70, as xmalloc. Requires keymem_ready. Free with keymem_free. */
void *keymem_new(size_t n);

/* Wipe and release memory from keymem_new; NULL is ignored. */
void keymem_free(void *p);

#endif
