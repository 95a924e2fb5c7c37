/* csv.c — streaming RFC 4180 writer and checking reader (see csv.h for the dialect). */
#include "export/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static bool file_sink(void *ctx, const char *buf, size_t n)
{
	return fwrite(buf, 1, n, (FILE *)ctx) == n;
}

void csv_init(csv_writer *w, csv_sink sink, void *ctx)
{
	w->sink = sink;
	w->ctx = ctx;
	w->len = 0;
	w->fields = 0;
	w->rows = 0;
	w->failed = false;
}

void csv_init_file(csv_writer *w, FILE *f)
{
	csv_init(w, file_sink, f);
}

bool csv_flush(csv_writer *w)
{
	if (w->len && !w->failed && !w->sink(w->ctx, w->buf, w->len))
		w->failed = true;
	w->len = 0;
	return !w->failed;
}

static void put(csv_writer *w, const char *s, size_t n)
{
	while (n) {
		if (w->len == sizeof w->buf)
			csv_flush(w);
		size_t room = sizeof w->buf - w->len, k = n < room ? n : room;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
}

bool csv_needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

/* Copy valid UTF-8 as is, doubling quotes when quoted; invalid bytes become U+FFFD. */
static void put_text(csv_writer *w, const char *s, size_t n, bool quoted)
{
	static const char replacement[] = "\xEF\xBF\xBD";
	while (n) {
		size_t ok = utf8_valid_prefix(s, n);
		const char *q = quoted ? memchr(s, '"', ok) : NULL;
		if (q) {
			size_t k = (size_t)(q - s) + 1;
			put(w, s, k);
			put(w, "\"", 1);
			s += k;
			n -= k;
			continue;
		}
		put(w, s, ok);
		s += ok;
		n -= ok;
		if (n) { /* one invalid byte */
			put(w, replacement, 3);
			s++;
			n--;
		}
	}
}

void csv_field_n(csv_writer *w, const char *s, size_t n)
{
	if (w->fields++)
		put(w, ",", 1);
	if (!s || n == 0)
		return;
	bool quoted = csv_needs_quotes(s, n);
	if (quoted)
		put(w, "\"", 1);
	put_text(w, s, n, quoted);
	if (quoted)
		put(w, "\"", 1);
}

void csv_field(csv_writer *w, const char *s)
{
	csv_field_n(w, s, s ? strlen(s) : 0);
}

void csv_end_row(csv_writer *w)
{
	put(w, "\r\n", 2);
	w->fields = 0;
	w->rows++;
}

/* ------------------------------------------------------------ reader */

enum { R_FIELD_START, R_UNQUOTED, R_QUOTED, R_QUOTE_IN_QUOTED, R_CR };

void csv_reader_init(csv_reader *r)
{
	memset(r, 0, sizeof *r);
}

void csv_reader_on_record(csv_reader *r, csv_record_fn fn, void *ctx, size_t max_record)
{
	r->on_record = fn;
	r->ctx = ctx;
	r->max_record = max_record;
}

void csv_reader_done(csv_reader *r)
{
	free(r->text);
	free(r->starts);
	free(r->argv);
	r->text = NULL;
	r->starts = NULL;
	r->argv = NULL;
}

static void problem(csv_reader *r, const char *what)
{
	if (!r->bad) {
		r->bad = true;
		r->problem = what;
		r->bad_record = r->records + 1;
	}
}

static void grow_text(csv_reader *r)
{
	if (r->len + 1 >= r->max_record) {
		problem(r, "enregistrement démesuré");
		return;
	}
	r->cap = r->cap ? 2 * r->cap : 4096;
	if (r->cap > r->max_record)
		r->cap = r->max_record;
	r->text = xrealloc(r->text, r->cap);
}

/* Collection: one byte of the current field. */
static inline void keep(csv_reader *r, char c)
{
	if (!r->on_record)
		return;
	if (r->len + 1 >= r->cap) {
		grow_text(r);
		if (r->bad)
			return;
	}
	r->text[r->len++] = c;
}

/* A NUL byte is no text: the field would be cut at it once read as a C string, and the value
 * imported would not be the one in the file. Refused wherever it stands, record or not. */
static const char nul_in_field[] = "octet nul dans un champ (fichier qui n'est pas du texte)";

/* Collection: one byte of a field's data (not the terminator end_field adds). */
static inline void keep_data(csv_reader *r, char c)
{
	if (c == '\0')
		problem(r, nul_in_field);
	else
		keep(r, c);
}

/* Collection: n ordinary bytes of the current field. */
static void keep_run(csv_reader *r, const char *p, size_t n)
{
	if (n && memchr(p, '\0', n)) {
		problem(r, nul_in_field);
		return;
	}
	if (!r->on_record || !n)
		return;
	if (r->len + n + 1 >= r->max_record) {
		problem(r, "enregistrement démesuré");
		return;
	}
	while (r->len + n + 1 >= r->cap)
		grow_text(r);
	memcpy(r->text + r->len, p, n);
	r->len += n;
}

/* Collection: the current field ends. */
static void end_field(csv_reader *r)
{
	if (!r->on_record)
		return;
	if (r->n_starts == r->cap_starts) {
		r->cap_starts = r->cap_starts ? 2 * r->cap_starts : 64;
		r->starts = xrealloc(r->starts, r->cap_starts * sizeof *r->starts);
		r->argv = xrealloc(r->argv, r->cap_starts * sizeof *r->argv);
	}
	keep(r, '\0');
	r->starts[r->n_starts++] = r->len - 1;
}

static void end_record(csv_reader *r)
{
	r->fields++;
	end_field(r);
	if (r->records == 0)
		r->header_fields = r->fields;
	else if (r->fields != r->header_fields)
		problem(r, "nombre de colonnes différent de l'en-tête");
	if (r->on_record && !r->bad) {
		/* starts[i] is where field i's NUL is: the field begins after the previous NUL. */
		size_t from = 0;
		for (size_t i = 0; i < r->n_starts; i++) {
			r->argv[i] = r->text + from;
			from = r->starts[i] + 1;
		}
		if (!r->on_record(r->ctx, r->records, r->argv, r->n_starts))
			r->stopped = true;
	}
	r->len = 0;
	r->n_starts = 0;
	r->records++;
	r->fields = 0;
	r->pending = false;
}

/* The bytes that end a run of ordinary characters outside quotes. */
static const unsigned char special[256] = {[','] = 1, ['\r'] = 1, ['\n'] = 1, ['"'] = 1};

void csv_reader_feed(csv_reader *r, const char *buf, size_t n)
{
	for (size_t i = 0; i < n && !r->bad && !r->stopped; i++) {
		/* Fast paths: a run of ordinary bytes is taken in one step. */
		if (r->state == R_FIELD_START || r->state == R_UNQUOTED) {
			size_t j = i;
			while (j < n && !special[(unsigned char)buf[j]])
				j++;
			if (j > i) {
				keep_run(r, buf + i, j - i);
				if (r->bad) /* stop where a byte at a time would have stopped */
					break;
				r->state = R_UNQUOTED;
				r->pending = true;
				if (j == n)
					break;
				i = j;
			}
		} else if (r->state == R_QUOTED) {
			const char *q = memchr(buf + i, '"', n - i);
			size_t j = q ? (size_t)(q - buf) : n;
			keep_run(r, buf + i, j - i);
			if (!q || r->bad)
				break;
			i = j;
		}
		char c = buf[i];
		if (r->state == R_CR) {
			r->state = R_FIELD_START;
			if (c == '\n')
				continue; /* CRLF: the record already ended at CR */
		}
		switch (r->state) {
		case R_FIELD_START:
		case R_UNQUOTED:
			if (c == ',') {
				r->fields++;
				end_field(r);
				r->pending = true;
				r->state = R_FIELD_START;
			} else if (c == '\r' || c == '\n') {
				end_record(r);
				r->state = c == '\r' ? R_CR : R_FIELD_START;
			} else if (c == '"') {
				if (r->state == R_UNQUOTED)
					problem(r,
					        "guillemet au milieu d'un champ non entouré de guillemets");
				r->state = R_QUOTED;
				r->pending = true;
			} else {
				r->state = R_UNQUOTED;
				r->pending = true;
				keep_data(r, c);
			}
			break;
		case R_QUOTED:
			if (c == '"')
				r->state = R_QUOTE_IN_QUOTED;
			else
				keep_data(r, c);
			break;
		case R_QUOTE_IN_QUOTED:
			if (c == '"') {
				r->state = R_QUOTED;
				keep(r, '"');
			} else if (c == ',') {
				r->fields++;
				end_field(r);
				r->state = R_FIELD_START;
			} else if (c == '\r' || c == '\n') {
				end_record(r);
				r->state = c == '\r' ? R_CR : R_FIELD_START;
			} else {
				problem(r, "caractère après un guillemet fermant");
			}
			break;
		}
	}
}

bool csv_reader_finish(csv_reader *r)
{
	if (r->stopped)
		return false;
	if (r->state == R_QUOTED)
		problem(r, "guillemet jamais refermé (fichier tronqué ?)");
	else if (!r->bad && (r->pending || r->state == R_QUOTE_IN_QUOTED || r->fields))
		end_record(r);
	return !r->bad && !r->stopped;
}
