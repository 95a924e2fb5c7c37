/* keymem.c — locked memory for secret keys (see keymem.h). */
#include "core/keymem.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

bool keymem_ready(char **why)
{
	if (sodium_init() < 0) {
		set_why(why, "bibliothèque cryptographique (libsodium) inutilisable");
		return false;
	}
	return true;
}

void *keymem_new(size_t n)
{
	void *p = sodium_malloc(n ? n : 1);
	if (!p)
		util_fatal(EXIT_SOFTWARE, "mémoire épuisée");
	memset(p, 0, n ? n : 1);
	return p;
}

void keymem_free(void *p)
{
	if (p)
		sodium_free(p);
}
