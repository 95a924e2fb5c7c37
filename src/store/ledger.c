/* ledger.c — the structures a regional database knows and the last export of each it imported
 * (definitions in ledger.h). */
#include "store/ledger.h"

#include <stdlib.h>

#include "core/util.h"
#include "store/store_internal.h"

/* The structures known: imported, and enrolled when the table exists (%s twice: the enrolment
 * part of the list, and the expression saying whether a structure is enrolled). Each with its
 * last export imported (highest sequence number, then the latest import of it). */
static const char known_fmt[] =
    "WITH known(code) AS (SELECT DISTINCT structure FROM import_log%s) "
    "SELECT k.code, l.structure_name, %s, l.sequence, l.period, l.period_first, l.period_last,"
    " l.period_complete, l.content, l.source, l.exported_at, l.imported_at "
    "FROM known k LEFT JOIN import_log l ON l.id = (SELECT id FROM import_log WHERE structure = k.code"
    " ORDER BY sequence DESC, id DESC LIMIT 1) ORDER BY k.code";

static bool has_table(store *s, const char *name)
{
	sqlite3_stmt *st = st_prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return found;
}

static const char *col_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL
	                                                   : (const char *)sqlite3_column_text(st, col);
}

/* The sequence numbers of code's exports imported from source (NULL: the structure itself),
 * ascending, into *out (caller frees); their count, or -1 on a read error. */
static long sequences(store *s, const char *code, const char *source, int64_t **out)
{
	*out = NULL;
	sqlite3_stmt *st = st_prepare(s, "SELECT DISTINCT sequence FROM import_log WHERE structure = ?1"
	                                 " AND source IS ?2 ORDER BY sequence");
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
	long n = 0;
	int step;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
		(*out)[n++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return step == SQLITE_DONE ? n : -1;
}

int store_ledger_each(store *s, void (*fn)(void *ctx, const store_ledger_row *row), void *ctx,
                      bool *enrolment, char **why)
{
	bool enrol = has_table(s, "enrolled_structures");
	if (enrolment)
		*enrolment = enrol;
	char *sql = xasprintf(known_fmt, enrol ? " UNION SELECT code FROM enrolled_structures" : "",
	                      enrol ? "EXISTS (SELECT 1 FROM enrolled_structures WHERE code = k.code)" : "0");
	sqlite3_stmt *st = st_prepare(s, sql);
	free(sql);
	if (!st)
		return st_fail(s, why, "structures de la région");
	int step, rc = 0;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
		bool imported = sqlite3_column_type(st, 3) != SQLITE_NULL;
		store_ledger_row row = {
		    .code = st_col_text(st, 0),
		    .name = st_col_text(st, 1),
		    .enrolled = sqlite3_column_int(st, 2) != 0,
		    .sequence = imported ? sqlite3_column_int64(st, 3) : 0,
		    .period = col_or_null(st, 4),
		    .period_first = col_or_null(st, 5),
		    .period_last = col_or_null(st, 6),
		    .complete = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 7),
		    .content = col_or_null(st, 8),
		    .source = col_or_null(st, 9),
		    .exported_at = col_or_null(st, 10),
		    .imported_at = col_or_null(st, 11),
		};
		int64_t *seq = NULL;
		long n = imported ? sequences(s, row.code, row.source, &seq) : 0;
		if (n < 0) {
			rc = st_fail(s, why, "structures de la région, numéros d'export");
		} else {
			row.sequences = seq;
			row.n_sequences = (size_t)n;
			fn(ctx, &row);
		}
		free(seq);
	}
	sqlite3_reset(st);
	if (!rc && step != SQLITE_DONE)
		rc = st_fail(s, why, "structures de la région");
	return rc;
}

bool store_is_regional(store *s)
{
	sqlite3_stmt *st = st_prepare(s, "SELECT EXISTS (SELECT 1 FROM import_log)");
	bool yes = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	if (st)
		sqlite3_reset(st);
	if (!yes && has_table(s, "enrolled_structures")) {
		st = st_prepare(s, "SELECT EXISTS (SELECT 1 FROM enrolled_structures)");
		yes = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		if (st)
			sqlite3_reset(st);
	}
	return yes;
}
