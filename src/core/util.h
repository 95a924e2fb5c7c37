/* util.h — memory, growable strings, error messages and text hygiene shared by every module. */
#ifndef RECUEIL_UTIL_H
#define RECUEIL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes (sysexits.h values, named here so the core does not depend on the header). */
enum {
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_NOUSER = 67,
	EXIT_UNAVAILABLE = 69,
	EXIT_SOFTWARE = 70,
	EXIT_OSERR = 71,
	EXIT_CANTCREAT = 73,
	EXIT_IOERR = 74,
	EXIT_TEMPFAIL = 75,
	EXIT_NOPERM = 77,
	EXIT_CONFIG = 78,
};

/* The fatal path: the program cannot go on. util_fatal calls the fatal hook (once; the terminal
 * interface sets it to give the terminal back, so that the message is not written onto the
 * full-screen display and lost), prints "recueil: MESSAGE" on stderr and exits with CODE through
 * exit(), so atexit handlers run. util_set_fatal_hook(NULL) removes the hook. */
void util_set_fatal_hook(void (*hook)(void));
void util_fatal(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));

/* Allocation that never returns NULL: on exhaustion the program prints one line and exits 70.
 * The caller frees the result with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s); /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Growable NUL-terminated string. Init with STRBUF_INIT or strbuf_init; release with strbuf_done.
 * sb.s is never NULL after the first append; strbuf_take hands the buffer to the caller. */
typedef struct {
	char *s;
	size_t len, cap;
} strbuf;
#define STRBUF_INIT                                                                                          \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}
void strbuf_init(strbuf *sb);
void strbuf_done(strbuf *sb);
void strbuf_add(strbuf *sb, const char *s, size_t n);
void strbuf_puts(strbuf *sb, const char *s);
void strbuf_putc(strbuf *sb, char c);
void strbuf_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_reset(strbuf *sb);
char *strbuf_take(strbuf *sb);            /* caller frees; sb is reset */
const char *strbuf_str(const strbuf *sb); /* "" when empty; borrowed */

/* Error out-parameter convention: functions that can fail take `char **why`; on failure they set
 * *why to a heap message (caller frees) when why is not NULL. set_why formats into it. */
void set_why(char **why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when s is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* Length of the longest valid UTF-8 prefix of s (n when all of it is valid). */
size_t utf8_valid_prefix(const char *s, size_t n);

/* Copy of s where invalid UTF-8 becomes U+FFFD and C0/C1 control characters and DEL become
 * U+FFFD too (tab and newline kept only if keep_newlines), so that text from the database can
 * never drive the terminal. Caller frees. */
char *text_sanitize(const char *s, bool keep_newlines);

/* Print s to the stream with text_sanitize applied. */
void fputs_safe(const char *s, FILE *f);

/* Trim ASCII blanks from both ends, in place; returns s. */
char *str_trim(char *s);
bool str_eq(const char *a, const char *b); /* NULL-safe */
bool str_starts(const char *s, const char *prefix);

/* Cut UTF-8 text into lines of at most width columns, as width_of measures a text (the terminal
 * interface passes its own measure, which knows how the terminal shows each character), on
 * spaces when possible; a newline always ends a line and a character wider than the line gets
 * one of its own. Returns the number of lines; *lines (caller frees with lines_free) holds
 * them, without the blanks they were cut at. */
size_t text_wrap_measured(const char *s, int width, int (*width_of)(const char *), char ***lines);
/* Free the n lines of text_wrap_measured and their array (NULL is fine). */
void lines_free(char **lines, size_t n);

/* Locale-independent numbers: parse a strict decimal ("-12", "3.5"; no exponent, no "nan",
 * no comma, no blanks). Returns false on anything else. */
bool parse_decimal(const char *s, double *out);
bool parse_integer(const char *s, long long *out);
/* Format x with `decimals` digits after '.', or, when decimals < 0, the shortest form that
 * reads back the same (at most 15 significant digits, no trailing zeros). buf >= 40 bytes. */
void format_number(double x, int decimals, char *buf, size_t size);
/* Round half away from zero to `decimals` places, robust to binary representation
 * (75.14 + 10.06 + 14.80 rounds to 100.00, not 99.99). */
double round_to(double x, int decimals);

/* Dates as day numbers since 1970-01-01 (proleptic Gregorian). */
bool date_parse(const char *s, long *days); /* strict YYYY-MM-DD, real calendar day */
/* True when s is written YYYY-MM-DD (a year 1800–2200) but names no day of the calendar
 * (2026-02-29, 2026-04-31, month 13): "date inexistante" rather than a format error. */
bool date_nonexistent(const char *s);
void date_format(long days, char buf[11]);
long date_from_ymd(int y, int m, int d);
void date_to_ymd(long days, int *y, int *m, int *d);
/* Today's day number: the local date, or RECUEIL_TODAY (YYYY-MM-DD) when test seams are on. */
long date_today(void);
/* Current time as an ISO-8601 UTC string "2026-11-22T18:51:23Z" (RECUEIL_NOW overrides it when
 * test seams are on). buf >= 21 bytes. */
void time_now_iso(char *buf, size_t size);

/* Fill buf with n bytes from the system's random source (getrandom), or from the fixed sequence
 * of RECUEIL_RANDOM_SEED when test seams are on and it is set. Never fails: when the
 * system has no random source, the program ends through util_fatal (exit 71; nothing secret may
 * be made without). */
void util_random_bytes(void *buf, size_t n);
/* A random (version 4) UUID, lower case with dashes, into out. */
void util_uuid_v4(char out[37]);

#endif
