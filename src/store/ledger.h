/* ledger.h — what a regional database knows of its structures, read from the file: each
 * structure enrolled or imported, the last export of it imported (import_log, schema
 * 005_import.sql and 009_regional.sql), and the sequence numbers of its exports imported so far.
 * src/export/ledger.c turns it into what the coordinator reads (recueil structures, the report's
 * sources). */
#ifndef RECUEIL_STORE_LEDGER_H
#define RECUEIL_STORE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One structure. Everything is borrowed for the duration of the callback. */
typedef struct {
	const char *code; /* the structure's code */
	const char *name; /* its name in its last manifest imported; "" when none */
	bool enrolled;    /* listed in enrolled_structures (when the database has that table) */
	/* Its last export imported, the one with the highest sequence number (sequence 0: nothing
	 * of the structure was ever imported, and every field below is NULL or -1). */
	int64_t sequence;
	const char *period;                     /* its label ("2026-T3") */
	const char *period_first, *period_last; /* YYYY-MM-DD; NULL for imports older than 009 */
	int complete;        /* the period was over when the export was made: 1, 0, -1 not recorded */
	const char *content; /* "snapshot", "slice" (an older export: its period's entries only), NULL */
	const char *source;  /* NULL: sent by the structure; else the code of the database that
	                      * re-exported it */
	const char *exported_at, *imported_at; /* ISO-8601 UTC */
	/* The sequence numbers imported from the same source as the last one, ascending. */
	const int64_t *sequences;
	size_t n_sequences;
} store_ledger_row;

/* Call fn for each structure known to the database, by code: those enrolled (table
 * enrolled_structures, when the database has it) and those of which an export was imported.
 * *enrolment (may be NULL) says whether the enrolment table exists. Returns 0, or a sysexits
 * code with *why (caller frees). fn must not use the store. */
int store_ledger_each(store *s, void (*fn)(void *ctx, const store_ledger_row *row), void *ctx,
                      bool *enrolment, char **why);

/* Whether the database receives structures' exports: made as a regional one (structure.kind,
 * when the database has that column), or it has imported an export or enrolled a structure. A
 * structure's own database answers false. */
bool store_is_regional(store *s);

#endif
