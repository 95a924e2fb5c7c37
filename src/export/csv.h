/* csv.h — a streaming RFC 4180 writer and a checking reader for the export's CSV files.
 *
 * The dialect, chosen for R, Stata, SAS, Python and (with its import wizard) Excel:
 *  - UTF-8 without byte-order mark (a BOM ends up in the first column name in R and Python);
 *  - comma separator, CRLF at the end of every record, the last one included (RFC 4180);
 *  - a field is quoted only when it must be: when it holds a comma, a double quote (doubled
 *    inside), CR or LF, or begins or ends with a blank (some readers trim unquoted blanks);
 *  - an empty field is written as nothing (no "");
 *  - invalid UTF-8 is replaced by U+FFFD so that every reader accepts the file; values are
 *    otherwise written as stored (no formula escaping: "-3" must stay a number).
 * Memory stays flat: the writer keeps one fixed buffer and hands full buffers to a sink. */
#ifndef RECUEIL_CSV_H
#define RECUEIL_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where bytes go: returns true when all n bytes were written. */
typedef bool (*csv_sink)(void *ctx, const char *buf, size_t n);

typedef struct {
	csv_sink sink;
	void *ctx;
	char buf[16384];
	size_t len;
	size_t fields; /* fields written in the current record */
	uint64_t rows; /* records ended, header included */
	bool failed;   /* a write failed: everything after it is dropped */
} csv_writer;

/* Start a writer on a sink (ctx is borrowed). csv_init_file writes to a stdio stream. */
void csv_init(csv_writer *w, csv_sink sink, void *ctx);
void csv_init_file(csv_writer *w, FILE *f);

/* Append one field to the current record; NULL is written as an empty field. */
void csv_field(csv_writer *w, const char *s);
void csv_field_n(csv_writer *w, const char *s, size_t n);

/* End the current record (CRLF). */
void csv_end_row(csv_writer *w);

/* Hand what is buffered to the sink. Returns false when any write failed since csv_init. */
bool csv_flush(csv_writer *w);

/* True when s (n bytes) must be quoted. */
bool csv_needs_quotes(const char *s, size_t n);

/* A reader that counts records and checks that the file is well-formed CSV of the dialect
 * above (or of any RFC 4180 producer): quotes closed, nothing after a closing quote but a
 * separator or a line end, every record with as many fields as the first. Fed in chunks. */
/* With csv_reader_on_record, the same reader also hands over each record, fields unquoted. */
typedef bool (*csv_record_fn)(void *ctx, uint64_t record, char **fields, size_t n);

typedef struct {
	int state;
	uint64_t records;     /* complete records, header included */
	size_t fields;        /* fields of the current record so far */
	size_t header_fields; /* fields of the first record */
	bool pending;         /* the current record has content */
	bool bad;
	bool stopped;        /* the record callback asked to stop */
	uint64_t bad_record; /* 1-based record where the first problem was seen */
	const char *problem; /* French description of the first problem, static */
	/* record collection (csv_reader_on_record); unused otherwise */
	csv_record_fn on_record;
	void *ctx;
	char *text; /* the current record's fields, each NUL-terminated */
	size_t len, cap, max_record;
	size_t *starts; /* offset of each field in text */
	size_t n_starts, cap_starts;
	char **argv;
} csv_reader;

void csv_reader_init(csv_reader *r);
void csv_reader_feed(csv_reader *r, const char *buf, size_t n);
/* Close the input: a last record without a line end counts. Returns false when the file is not
 * well-formed (r->problem and r->bad_record say why) or when the record callback stopped it. */
bool csv_reader_finish(csv_reader *r);

/* Also call fn for each well-formed record, header included (record 0), with its fields
 * unquoted and NUL-terminated (borrowed for the call; fn may modify them). A record longer
 * than max_record bytes is a problem of the file. fn returns false to stop reading (r->stopped).
 * Release with csv_reader_done. */
void csv_reader_on_record(csv_reader *r, csv_record_fn fn, void *ctx, size_t max_record);
void csv_reader_done(csv_reader *r);

#endif
