/* ledger.c — the structures a regional database knows and the last export of each it imported
 * (definitions in ledger.h). */
#include "store/ledger.h"

#include <stdlib.h>

#include "core/util.h"
#include "store/store_internal.h"

/* The structures known: imported, and enrolled (but not a region whose archives carried other
 * structures) when the table exists (%s twice: the enrolment
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
	sqlite3_stmt *stmt = st_prepare(s, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1");
	if (!stmt)
		return false;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return found;
}

static const char *col_or_null(sqlite3_stmt *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL ? NULL
	                                                     : (const char *)sqlite3_column_text(stmt, col);
}

/* The sequence numbers of code's exports imported from source (NULL: the structure itself),
 * ascending, into *out (caller frees); their count, or -1 on a read error. */
static long sequences(store *s, const char *code, const char *source, int64_t **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = st_prepare(s, "SELECT DISTINCT sequence FROM import_log WHERE structure = ?1"
	                                   " AND source IS ?2 ORDER BY sequence");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, source, -1, SQLITE_STATIC);
	long n = 0;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		*out = xrealloc(*out, (size_t)(n + 1) * sizeof **out);
		(*out)[n++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	return step == SQLITE_DONE ? n : -1;
}

int store_ledger_each(store *s, void (*fn)(void *ctx, const store_ledger_row *row), void *ctx,
                      bool *enrolment, char **why)
{
	bool enrol = has_table(s, "enrolled_structures");
	if (enrolment)
		*enrolment = enrol;
	/* A regional database enrolled at the national level sends its structures' exports: the
	 * structures are known through them, and the region itself is not one. */
	char *sql = xasprintf(known_fmt,
	                      enrol ? " UNION SELECT code FROM enrolled_structures WHERE code NOT IN"
	                              " (SELECT source FROM import_log WHERE source IS NOT NULL)"
	                            : "",
	                      enrol ? "EXISTS (SELECT 1 FROM enrolled_structures WHERE code = k.code)" : "0");
	sqlite3_stmt *stmt = st_prepare(s, sql);
	free(sql);
	if (!stmt)
		return st_fail(s, why, "structures de la région");
	int step, rc = 0;
	while (!rc && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		bool imported = sqlite3_column_type(stmt, 3) != SQLITE_NULL;
		store_ledger_row row = {
		    .code = st_col_text(stmt, 0),
		    .name = st_col_text(stmt, 1),
		    .enrolled = sqlite3_column_int(stmt, 2) != 0,
		    .sequence = imported ? sqlite3_column_int64(stmt, 3) : 0,
		    .period = col_or_null(stmt, 4),
		    .period_first = col_or_null(stmt, 5),
		    .period_last = col_or_null(stmt, 6),
		    .complete =
		        sqlite3_column_type(stmt, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(stmt, 7),
		    .content = col_or_null(stmt, 8),
		    .source = col_or_null(stmt, 9),
		    .exported_at = col_or_null(stmt, 10),
		    .imported_at = col_or_null(stmt, 11),
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
	sqlite3_reset(stmt);
	if (!rc && step != SQLITE_DONE)
		rc = st_fail(s, why, "structures de la région");
	return rc;
}

bool store_is_regional(store *s)
{
	/* A database made by init --region says so (structure.kind, when it has that column). */
	sqlite3_stmt *kind = st_prepare(s, "SELECT 1 FROM structure WHERE kind = 'region'");
	if (kind) {
		bool region = sqlite3_step(kind) == SQLITE_ROW;
		sqlite3_reset(kind);
		if (region)
			return true;
	}
	sqlite3_stmt *stmt = st_prepare(s, "SELECT EXISTS (SELECT 1 FROM import_log)");
	bool yes = stmt && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
	if (stmt)
		sqlite3_reset(stmt);
	if (!yes && has_table(s, "enrolled_structures")) {
		stmt = st_prepare(s, "SELECT EXISTS (SELECT 1 FROM enrolled_structures)");
		yes = stmt && sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0);
		if (stmt)
			sqlite3_reset(stmt);
	}
	return yes;
}
