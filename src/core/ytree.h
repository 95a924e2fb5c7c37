/* ytree.h — a YAML document read into a small tree with source positions, through libyaml's
 * event API, with the hygiene form files need: size and depth caps, no anchors, aliases or
 * tags, no duplicate keys, valid UTF-8. */
#ifndef RECUEIL_YTREE_H
#define RECUEIL_YTREE_H

#include <stdbool.h>
#include <stddef.h>

enum { YTREE_MAX_BYTES = 1 << 20, YTREE_MAX_DEPTH = 32 };

typedef enum { Y_SCALAR, Y_MAP, Y_SEQ } ynode_kind;

typedef struct ynode ynode;
struct ynode {
	ynode_kind kind;
	int line, col; /* 1-based */
	char *str;     /* scalar text (Y_SCALAR) */
	bool quoted;   /* scalar written in quotes or as a block */
	ynode **keys;  /* Y_MAP: scalar keys, parallel to items */
	ynode **items; /* Y_MAP values, Y_SEQ elements */
	size_t n;
};

/* Read the file at path into a tree. Returns the root (caller frees with ytree_free) or NULL
 * with *why set to "PATH:LINE:COL: message" (caller frees). An empty document is an error. */
ynode *ytree_load_file(const char *path, char **why);

/* Same, from a buffer; name is used in messages. */
ynode *ytree_load_buffer(const char *name, const char *buf, size_t len, char **why);

void ytree_free(ynode *n);

/* The value of key in a map, or NULL. Borrowed. */
ynode *ytree_get(const ynode *map, const char *key);

#endif
