/* fuzz_csv.c — libFuzzer harness: any bytes → csv_reader, the checking CSV reader through which
 * `recueil verify` and `recueil import` read every CSV of an archive (codebook and data).
 *
 * Properties: never crash, leak or hang; the reader streams, so the verdict (well-formed or not,
 * which record, which problem) and the records it hands over do not depend on how the input is
 * cut into chunks; counting alone (no record callback) gives the same verdict; a record longer
 * than the limit is refused, not overrun; and what it reads, csv_writer writes back so that it
 * reads the same again (when the fields are valid UTF-8: the writer replaces invalid bytes). */
#include <string.h>

#include "core/util.h"
#include "export/csv.h"
#include "fuzz_common.h"

enum { BIG = 1 << 22 }; /* a record limit no input reaches */

/* The records, serialized unambiguously: "R<index>" then "<length>:<bytes>" per field. */
typedef struct {
	strbuf out;
	bool all_utf8;
} collected;

static bool on_record(void *ctx, uint64_t rec, char **fields, size_t n)
{
	collected *c = ctx;
	strbuf_printf(&c->out, "R%llu\n", (unsigned long long)rec);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(fields[i]);
		strbuf_printf(&c->out, "%zu:", len);
		strbuf_add(&c->out, fields[i], len);
		strbuf_putc(&c->out, '\n');
		c->all_utf8 = c->all_utf8 && utf8_valid(fields[i], len);
	}
	return true;
}

typedef struct {
	bool ok;
	uint64_t records, bad_record;
	const char *problem;
} verdict;

/* Read data in chunks of the given sizes (cycled; 0 means all at once). */
static verdict read_csv(const char *data, size_t size, const size_t *chunks, size_t n_chunks, collected *c,
                        size_t max_record)
{
	csv_reader r;
	csv_reader_init(&r);
	if (c)
		csv_reader_on_record(&r, on_record, c, max_record);
	for (size_t at = 0, k = 0; at < size; k++) {
		size_t len = n_chunks ? chunks[k % n_chunks] : size;
		if (len > size - at)
			len = size - at;
		csv_reader_feed(&r, data + at, len);
		at += len;
	}
	verdict v = {csv_reader_finish(&r), r.records, r.bad_record, r.problem};
	csv_reader_done(&r);
	return v;
}

static bool same_verdict(verdict a, verdict b)
{
	return a.ok == b.ok && a.records == b.records && a.bad_record == b.bad_record &&
	       (a.problem == b.problem || (a.problem && b.problem && strcmp(a.problem, b.problem) == 0));
}

static bool to_strbuf(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

/* Write the records of a serialized list back as CSV. */
static void write_back(const char *list, strbuf *csv)
{
	csv_writer *w = xmalloc(sizeof *w);
	csv_init(w, to_strbuf, csv);
	bool first = true;
	for (const char *p = list; *p;) {
		if (*p == 'R') {
			if (!first)
				csv_end_row(w);
			first = false;
			p = strchr(p, '\n') + 1;
			continue;
		}
		char *colon;
		size_t len = strtoul(p, &colon, 10);
		csv_field_n(w, colon + 1, len);
		p = colon + 1 + len + 1;
	}
	if (!first)
		csv_end_row(w);
	FUZZ_CHECK(csv_flush(w));
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
	const char *data = (const char *)bytes;
	static const size_t ones[] = {1}, mixed[] = {3, 1, 7, 2, 64, 5, 1};

	collected whole = {STRBUF_INIT, true};
	verdict a = read_csv(data, size, NULL, 0, &whole, BIG);

	/* Byte by byte, and in uneven chunks: the same verdict and the same records. */
	collected bytewise = {STRBUF_INIT, true}, chunked = {STRBUF_INIT, true};
	FUZZ_CHECK(same_verdict(a, read_csv(data, size, ones, 1, &bytewise, BIG)));
	FUZZ_CHECK(same_verdict(a, read_csv(data, size, mixed, 7, &chunked, BIG)));
	FUZZ_CHECK(strcmp(strbuf_str(&whole.out), strbuf_str(&bytewise.out)) == 0);
	FUZZ_CHECK(strcmp(strbuf_str(&whole.out), strbuf_str(&chunked.out)) == 0);
	strbuf_done(&bytewise.out);
	strbuf_done(&chunked.out);

	/* Counting only: the same verdict. */
	FUZZ_CHECK(same_verdict(a, read_csv(data, size, NULL, 0, NULL, 0)));

	/* A small record limit: refused or read, never overrun. */
	collected small = {STRBUF_INIT, true};
	verdict s = read_csv(data, size, mixed, 7, &small, 64);
	FUZZ_CHECK(s.ok || s.problem != NULL);
	strbuf_done(&small.out);

	/* Round trip. Fields cannot hold NUL (they are C strings), so only NUL-free input. */
	if (a.ok && whole.all_utf8 && !memchr(data, '\0', size)) {
		strbuf csv = STRBUF_INIT;
		write_back(strbuf_str(&whole.out), &csv);
		collected again = {STRBUF_INIT, true};
		verdict b = read_csv(strbuf_str(&csv), csv.len, NULL, 0, &again, BIG);
		FUZZ_CHECK(b.ok && b.records == a.records);
		FUZZ_CHECK(strcmp(strbuf_str(&whole.out), strbuf_str(&again.out)) == 0);
		strbuf_done(&again.out);
		strbuf_done(&csv);
	}
	strbuf_done(&whole.out);
	return 0;
}
