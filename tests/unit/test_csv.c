/* test_csv.c — the CSV dialect of the export (csv.h) as a reader of the files would meet it:
 * quoting exactly when needed, CRLF record ends, invalid UTF-8 made readable, long values across
 * the writer's buffer, a failing disk reported; and the checking reader that verify uses, fed in
 * chunks of any size, catching truncated and malformed files. */
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/csv.h"
#include "harness.h"

static bool to_strbuf(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

typedef struct {
	size_t room; /* bytes accepted before the "disk" is full */
	size_t got;
} full_disk;

static bool to_full_disk(void *ctx, const char *buf, size_t n)
{
	(void)buf;
	full_disk *d = ctx;
	if (d->got + n > d->room)
		return false;
	d->got += n;
	return true;
}

/* Write one record of fields and return the bytes (caller frees). */
static char *one_record(const char *const *fields, size_t n)
{
	strbuf sb = STRBUF_INIT;
	csv_writer w;
	csv_init(&w, to_strbuf, &sb);
	for (size_t i = 0; i < n; i++)
		csv_field(&w, fields[i]);
	csv_end_row(&w);
	CHECK(csv_flush(&w));
	strbuf_add(&sb, "", 0);
	return strbuf_take(&sb);
}

static void test_quoting(void)
{
	static const char *const plain[] = {"a", "12", "-3.5", "2026-08-14", ".refus", "é œ « »"};
	char *s = one_record(plain, 6);
	CHECK_STR(s, "a,12,-3.5,2026-08-14,.refus,é œ « »\r\n");
	free(s);

	static const char *const tricky[] = {"b,c",     "dit \"oui\"", "ligne\nsuivante",
	                                     "cr\rici", " devant",     "derrière "};
	s = one_record(tricky, 6);
	CHECK_STR(
	    s, "\"b,c\",\"dit \"\"oui\"\"\",\"ligne\nsuivante\",\"cr\rici\",\" devant\",\"derrière \"\r\n");
	free(s);

	static const char *const empty[] = {"", NULL, "x", NULL};
	s = one_record(empty, 4);
	CHECK_STR(s, ",,x,\r\n"); /* empty and missing are both written as nothing */
	free(s);

	CHECK(!csv_needs_quotes("", 0));
	CHECK(!csv_needs_quotes("a b", 3));
	CHECK(csv_needs_quotes("a,b", 3));
	CHECK(csv_needs_quotes("\"", 1));
	CHECK(csv_needs_quotes("\ttab", 4));
}

static void test_invalid_utf8(void)
{
	static const char *const f[] = {"caf\xC3",
	                                "a\xFF"
	                                "b",
	                                "\xE9t\xE9"};
	char *s = one_record(f, 3);
	/* Each invalid byte becomes U+FFFD (EF BF BD); valid text around it is kept. */
	CHECK_STR(s, "caf\xEF\xBF\xBD,a\xEF\xBF\xBD"
	             "b,\xEF\xBF\xBDt\xEF\xBF\xBD\r\n");
	CHECK(utf8_valid(s, strlen(s)));
	free(s);
	static const char *const q[] = {"\xFF\"x"};
	s = one_record(q, 1);
	CHECK_STR(s, "\"\xEF\xBF\xBD\"\"x\"\r\n");
	free(s);
}

static void test_long_values_and_rows(void)
{
	strbuf sb = STRBUF_INIT;
	csv_writer w;
	csv_init(&w, to_strbuf, &sb);
	size_t n = 50000; /* three times the writer's buffer */
	char *big = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 1000 == 999 ? '"' : 'a' + (char)(i % 26);
	big[n] = '\0';
	csv_field(&w, "id");
	csv_field(&w, "valeur");
	csv_end_row(&w);
	for (int r = 0; r < 3; r++) {
		csv_field(&w, "x");
		csv_field(&w, big);
		csv_end_row(&w);
	}
	CHECK(csv_flush(&w));
	CHECK(w.rows == 4);
	/* 50 quotes doubled, two enclosing quotes, per row. */
	size_t row = 2 + (n + 50 + 2) + 2;
	CHECK(sb.len == strlen("id,valeur\r\n") + 3 * row);
	csv_reader r;
	csv_reader_init(&r);
	csv_reader_feed(&r, sb.s, sb.len);
	CHECK(csv_reader_finish(&r));
	CHECK(r.records == 4);
	CHECK(r.header_fields == 2);
	free(big);
	strbuf_done(&sb);
}

static void test_full_disk(void)
{
	full_disk d = {.room = 20000};
	csv_writer w;
	csv_init(&w, to_full_disk, &d);
	for (int i = 0; i < 5000 && !w.failed; i++) {
		csv_field(&w, "ligne");
		csv_field(&w, "de données");
		csv_end_row(&w);
	}
	CHECK(!csv_flush(&w)); /* the failure is reported, never swallowed */
	CHECK(w.failed);
	CHECK(d.got <= d.room);
}

/* Feed text in chunks of `chunk` bytes; return the record count, or -1 when refused. */
static long read_in_chunks(const char *text, size_t chunk)
{
	csv_reader r;
	csv_reader_init(&r);
	size_t n = strlen(text);
	for (size_t i = 0; i < n; i += chunk)
		csv_reader_feed(&r, text + i, n - i < chunk ? n - i : chunk);
	return csv_reader_finish(&r) ? (long)r.records : -1;
}

static void expect_records(const char *text, long want)
{
	for (size_t chunk = 1; chunk <= 7; chunk++) {
		long got = read_in_chunks(text, chunk);
		CHECK(got == want);
		if (got != want) {
			fprintf(stderr, "  « %s » par morceaux de %zu : %ld (attendu %ld)\n", text, chunk,
			        got, want);
			return;
		}
	}
}

static void test_reader(void)
{
	expect_records("a,b\r\n1,2\r\n", 2);
	expect_records("a,b\n1,2\n", 2);                      /* LF only, as some tools write */
	expect_records("a,b\r\n1,2", 2);                      /* last record without a line end */
	expect_records("a,b\r\n\"x\r\ny\",2\r\n", 2);         /* line break inside quotes */
	expect_records("a,b\r\n\"dit \"\"oui\"\"\",\r\n", 2); /* doubled quotes, empty last field */
	expect_records("a\r\n\r\n", 2);                       /* one column: an empty value is a record */
	expect_records("", 0);
	expect_records("a,b\r\n1,2,3\r\n", -1);    /* a column too many */
	expect_records("a,b\r\n1\r\n", -1);        /* a column missing */
	expect_records("a,b\r\n\"1,2\r\n", -1);    /* quote never closed: truncated */
	expect_records("a,b\r\n1\"x,2\r\n", -1);   /* quote inside an unquoted field */
	expect_records("a,b\r\n\"1\"x,2\r\n", -1); /* text after a closing quote */

	/* A NUL byte, quoted or not, first in a field or inside it: refused at its record, whatever
	 * the chunks, instead of a value cut short. */
#define WITH_LEN(text)                                                                                       \
	{                                                                                                    \
		(text), sizeof(text) - 1                                                                     \
	}
	static const struct {
		const char *s;
		size_t n;
	} nuls[] = {WITH_LEN("a,b\r\n1,x\0y\r\n"), WITH_LEN("a,b\r\n1,\"x\0y\"\r\n"),
	            WITH_LEN("a,b\r\n1,\0\r\n")};
#undef WITH_LEN
	for (size_t k = 0; k < 3; k++) {
		for (size_t chunk = 1; chunk <= 4; chunk++) {
			csv_reader r;
			csv_reader_init(&r);
			for (size_t i = 0; i < nuls[k].n; i += chunk)
				csv_reader_feed(&r, nuls[k].s + i,
				                nuls[k].n - i < chunk ? nuls[k].n - i : chunk);
			CHECK(!csv_reader_finish(&r));
			CHECK(r.bad_record == 2);
			CHECK(r.problem && strstr(r.problem, "octet nul"));
			csv_reader_done(&r);
		}
	}

	csv_reader r;
	csv_reader_init(&r);
	csv_reader_feed(&r, "a,b\r\n1,2\r\n3\r\n", 14);
	CHECK(!csv_reader_finish(&r));
	CHECK(r.bad_record == 3);
	CHECK(r.problem && *r.problem);
}

static void test_round_trip(void)
{
	static const char *const values[] = {"", "a,b", "\"", "\r\n", " x ", "é", ".nsp", "1.25"};
	strbuf sb = STRBUF_INIT;
	csv_writer w;
	csv_init(&w, to_strbuf, &sb);
	for (size_t r = 0; r < 8; r++) {
		for (size_t c = 0; c < 8; c++)
			csv_field(&w, values[(r + c) % 8]);
		csv_end_row(&w);
	}
	CHECK(csv_flush(&w));
	strbuf_add(&sb, "", 0);
	for (size_t chunk = 1; chunk < 5; chunk++)
		CHECK(read_in_chunks(sb.s, chunk) == 8);
	strbuf_done(&sb);
}

int main(void)
{
	RUN(test_quoting);
	RUN(test_invalid_utf8);
	RUN(test_long_values_and_rows);
	RUN(test_full_disk);
	RUN(test_reader);
	RUN(test_round_trip);
	return harness_report();
}
