/* fuzz_ytree.c — libFuzzer harness: any bytes → ytree_load_buffer (YAML → positioned tree).
 *
 * The loader must never crash, leak or hang, whatever the bytes. When it accepts the input, the
 * tree must hold what ytree.h promises: maps have scalar keys with text, no duplicate key, no
 * nesting deeper than YTREE_MAX_DEPTH, 1-based positions; when it refuses, it says why. */
#include <string.h>

#include "core/util.h"
#include "core/ytree.h"
#include "fuzz_common.h"

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(const ynode *const *)a)->str, (*(const ynode *const *)b)->str);
}

/* No two keys of a map are equal (sorted, so that a map of many keys costs n log n). */
static void check_unique_keys(const ynode *map)
{
	if (map->n == 0) /* an empty map may have no key array at all */
		return;
	const ynode **keys = malloc(map->n * sizeof *keys);
	FUZZ_CHECK(keys != NULL);
	memcpy(keys, map->keys, map->n * sizeof *keys);
	qsort(keys, map->n, sizeof *keys, cmp_key);
	for (size_t i = 1; i < map->n; i++)
		FUZZ_CHECK(strcmp(keys[i - 1]->str, keys[i]->str) != 0);
	free(keys);
}

/* Walk the tree and check its invariants. */
static void check_node(const ynode *n, int depth)
{
	FUZZ_CHECK(n != NULL);
	FUZZ_CHECK(depth <= YTREE_MAX_DEPTH);
	FUZZ_CHECK(n->line >= 1 && n->col >= 1);
	switch (n->kind) {
	case Y_SCALAR:
		FUZZ_CHECK(n->str != NULL);
		FUZZ_CHECK(utf8_valid(n->str, strlen(n->str)));
		FUZZ_CHECK(n->n == 0);
		break;
	case Y_MAP:
		FUZZ_CHECK(n->n == 0 || n->keys != NULL);
		for (size_t i = 0; i < n->n; i++) {
			FUZZ_CHECK(n->keys[i]->kind == Y_SCALAR && n->keys[i]->str != NULL);
			check_node(n->items[i], depth + 1);
		}
		check_unique_keys(n);
		if (n->n > 0) /* ytree_get finds an item under its key */
			FUZZ_CHECK(ytree_get(n, n->keys[n->n - 1]->str) == n->items[n->n - 1]);
		break;
	case Y_SEQ:
		FUZZ_CHECK(n->keys == NULL);
		for (size_t i = 0; i < n->n; i++)
			check_node(n->items[i], depth + 1);
		break;
	default:
		FUZZ_CHECK(!"unknown node kind");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *why = NULL;
	ynode *root = ytree_load_buffer("fuzz.yaml", (const char *)data, size, &why);
	if (root) {
		FUZZ_CHECK(why == NULL);
		check_node(root, 0);
		ytree_free(root);
	} else {
		/* A refusal always carries "NAME:LINE:COL: message". */
		FUZZ_CHECK(why != NULL && strncmp(why, "fuzz.yaml:", 10) == 0);
		free(why);
	}
	return 0;
}
