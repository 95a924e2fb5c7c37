/* reserved.h — the names the program uses for itself and that a form or a field may therefore
 * not take: tables of the database (a form's table is form_<id>), columns of the per-form
 * tables, columns every exported CSV begins with, files of the export archive, and the
 * field___code columns of multiple choices. docs/forms.md lists the same names; a unit test
 * checks that the two lists agree and that every table of schema/ is here. */
#ifndef RECUEIL_RESERVED_H
#define RECUEIL_RESERVED_H

#include <stddef.h>

/* What a reserved name may not be. */
typedef enum {
	RESERVED_FORM = 1 << 0,  /* a form's id */
	RESERVED_FIELD = 1 << 1, /* a field's id */
} reserved_use;

typedef struct {
	const char *name;
	unsigned uses;   /* reserved_use bits */
	const char *why; /* French, what the program uses it for: "table form_columns de la base" */
} reserved_name;

/* The list, in alphabetical order, and its length. */
extern const reserved_name reserved_names[];
extern const size_t reserved_count;

/* The entry of name when it is reserved for use, else NULL. Borrowed. */
const reserved_name *reserved_lookup(const char *name, reserved_use use);

/* The separator of the 0/1 columns of a multiple choice in exports: field___code. */
#define RESERVED_MULTI_SEP "___"

#endif
