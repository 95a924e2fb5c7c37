/* ledger.h — the coordinator's ledger: for each structure known to a regional database, the
 * last export imported (sequence, period, when it was made and imported, whether its period
 * was over), the sequence numbers never received, and how far its data reaches, hence what it
 * covers of a period (recueil structures, its screen, and the report's "where each structure's
 * figures come from").
 *
 * How far the data reaches. Every export is a snapshot of the structure up to the last day of
 * its period, and the region holds the newest one: a structure's data is complete up to that
 * day when the period was over at the export, and up to the day before the export otherwise
 * (what is entered later on the export's own day may be missing). An archive of an older
 * version (a "slice": only the entries dated in its period) is never taken as complete. */
#ifndef RECUEIL_LEDGER_H
#define RECUEIL_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "export/csv.h"
#include "export/period.h"
#include "store/store.h"

typedef enum {
	LEDGER_NONE,    /* nothing of the structure was ever imported */
	LEDGER_BEFORE,  /* its data stops before the period begins */
	LEDGER_PARTIAL, /* its data reaches into the period but not to its end, or is a slice */
	LEDGER_FULL,    /* its data covers the whole period */
} ledger_cover;

typedef struct {
	char *code, *name; /* name "" when unknown */
	bool enrolled;
	int64_t sequence; /* of the last export imported; 0 when none */
	char *period;     /* its label; NULL when none */
	long first, last; /* its period's days; 0 when unknown */
	int complete;     /* its period was over when it was made: 1, 0, -1 not recorded */
	bool snapshot;    /* a snapshot of the structure; false for a slice (older archives) */
	char *source;     /* NULL, or the code of the database that re-exported it */
	char exported_at[32], imported_at[32]; /* ISO-8601 UTC, "" when none */
	long made;                             /* the day the export was made, 0 when unknown */
	long through;     /* the last day up to which the region holds the structure's data; 0 */
	int64_t *missing; /* sequence numbers below the last one never imported, ascending */
	size_t n_missing;
} ledger_structure;

typedef struct {
	ledger_structure *v; /* by code */
	size_t n;
	bool enrolment; /* the database has the enrolment table (enrolled_structures) */
} ledger;

/* Read the ledger of s. Returns it (caller frees with ledger_free), or NULL with *why (caller
 * frees) and *code (a sysexits code). A database that imported nothing has an empty ledger. */
ledger *ledger_load(store *s, char **why, int *code);
void ledger_free(ledger *l); /* NULL is fine */

/* The structure of that code, or NULL. Borrowed from l. */
const ledger_structure *ledger_find(const ledger *l, const char *code);

/* What the structure's data covers of period p. */
ledger_cover ledger_cover_of(const ledger_structure *st, const period *p);

/* Why st's data does not cover p, in French, one line without a final period ("aucun export
 * reçu", "l'export n° 4 (2026-T4) a été fait le 15/11/2026, avant la fin de sa période : données
 * jusqu'au 14/11/2026"); NULL when it covers it. Caller frees. */
char *ledger_cover_why(const ledger_structure *st, const period *p);

/* The export st's figures come from, in French ("export n° 5, 2026-T3, fait le 05/10/2026"), or
 * "aucun export reçu". Caller frees. */
char *ledger_source_text(const ledger_structure *st);

/* "2026-07-01" or an ISO-8601 time as "01/07/2026" into buf; "–" when empty. */
void ledger_french_date(const char *iso, char buf[16]);

/* The ledger as French text readable at 80 columns: the table of structures, with what each
 * covers of p (the period of the deadline due on day due, or 0 when p was asked for), the
 * sequence numbers never imported, and who has not sent an export covering p. Returns false on a
 * write error. */
bool ledger_write_text(const ledger *l, const period *p, long due, FILE *out);

/* The ledger as CSV, one row per structure (header included): structure, nom, inscrite,
 * sequence, periode, periode_debut, periode_fin, periode_complete (1, 0 or empty), contenu,
 * source, fait_le, importe_le, donnees_jusqu_au, sequences_manquantes (separated by spaces,
 * three or more consecutive ones as first-last),
 * periode_demandee, couverture (complete, partielle, aucune). Returns false on a write error. */
bool ledger_write_csv(const ledger *l, const period *p, csv_writer *w);

#endif
