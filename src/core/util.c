/* util.c — memory, strings, numbers and dates without locale surprises; random bytes. */
#include "core/util.h"
#include "core/privilege.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void util_fatal(int code, const char *fmt, ...)
{
	/* Taken before the call, so that a failure inside the hook does not run it again. */
	void (*hook)(void) = fatal_hook;
	fatal_hook = NULL;
	if (hook)
		hook();
	va_list ap;
	va_start(ap, fmt);
	fputs("recueil: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(code);
}

static void out_of_memory(void)
{
	util_fatal(EXIT_SOFTWARE, "mémoire épuisée");
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		n = 0;
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void strbuf_init(strbuf *sb)
{
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void strbuf_done(strbuf *sb)
{
	free(sb->s);
	strbuf_init(sb);
}

static void strbuf_grow(strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->s = xrealloc(sb->s, cap);
	sb->cap = cap;
}

void strbuf_add(strbuf *sb, const char *s, size_t n)
{
	strbuf_grow(sb, n);
	if (n)
		memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void strbuf_puts(strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_putc(strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_printf(strbuf *sb, const char *fmt, ...)
{
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n > 0) {
		strbuf_grow(sb, (size_t)n);
		vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
		sb->len += (size_t)n;
	}
	va_end(ap);
}

void strbuf_reset(strbuf *sb)
{
	sb->len = 0;
	if (sb->s)
		sb->s[0] = '\0';
}

char *strbuf_take(strbuf *sb)
{
	char *s = sb->s ? sb->s : xstrdup("");
	strbuf_init(sb);
	return s;
}

const char *strbuf_str(const strbuf *sb)
{
	return sb->s ? sb->s : "";
}

void set_why(char **why, const char *fmt, ...)
{
	if (!why)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(*why);
	*why = msg;
}

/* Decode one UTF-8 sequence at s (n bytes available). Returns its length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, c = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, c = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		if (!len)
			break;
		i += len;
	}
	return i;
}

bool utf8_valid(const char *s, size_t n)
{
	return utf8_valid_prefix(s, n) == n;
}

char *text_sanitize(const char *s, bool keep_newlines)
{
	static const char repl[] = "\xEF\xBF\xBD"; /* U+FFFD */
	strbuf sb = STRBUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), i = 0;
	strbuf_add(&sb, "", 0);
	while (i < n) {
		uint32_t cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		if (!len) {
			strbuf_puts(&sb, repl);
			i++;
			continue;
		}
		bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
		if (control && !(keep_newlines && (cp == '\n' || cp == '\t')))
			strbuf_puts(&sb, repl);
		else
			strbuf_add(&sb, (const char *)p + i, len);
		i += len;
	}
	return strbuf_take(&sb);
}

void fputs_safe(const char *s, FILE *f)
{
	char *clean = text_sanitize(s, false);
	fputs(clean, f);
	free(clean);
}

char *str_trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
	return s;
}

bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t text_wrap_measured(const char *s, int width, int (*width_of)(const char *), char ***lines)
{
	char **v = NULL;
	size_t n = 0;
	if (width < 1)
		width = 1;
	while (s && *s) {
		/* Take characters while they fit; remember the last blank to cut there. */
		const char *p = s, *cut = NULL, *cut_next = NULL;
		int w = 0;
		while (*p && *p != '\n') {
			uint32_t c;
			size_t len = utf8_decode((const unsigned char *)p, strnlen(p, 4), &c);
			if (!len)
				len = 1, c = 0xFFFD; /* an invalid byte: one character, shown as U+FFFD */
			char one[8] = {0};
			memcpy(one, p, len);
			int cw = width_of(one);
			if (w + cw > width)
				break;
			w += cw;
			if (c == ' ') {
				cut = p;
				cut_next = p + len;
			}
			p += len;
		}
		const char *end = p, *next = p;
		if (*p == '\n') {
			next = p + 1;
		} else if (*p && cut && cut > s) {
			end = cut;
			next = cut_next;
		} else if (*p && p == s) {
			uint32_t c;
			size_t len = utf8_decode((const unsigned char *)p, strnlen(p, 4), &c);
			end = next = p + (len ? len : 1); /* a character wider than the line */
		}
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n++] = xstrndup(s, (size_t)(end - s));
		s = next;
		while (*s == ' ')
			s++;
	}
	*lines = v;
	return n;
}

void lines_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

bool parse_decimal(const char *s, double *out)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	/* At most 17 significant digits: leading zeros do not count, so that 0.00142857142857143
	 * (what format_number writes for 1/700) reads back. */
	size_t digits = 0, frac = 0, significant = 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		significant += significant > 0 || *p != '0';
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac++)
			significant += significant > 0 || *p != '0';
	}
	if (*p != '\0' || digits + frac == 0 || significant > 17)
		return false;
	/* strtod with "C" rules: LC_NUMERIC is never set by this program, but be explicit. */
	char buf[40];
	size_t n = (size_t)(p - s);
	if (n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	char *end;
	double v = strtod(buf, &end);
	/* 17 nines read as 1e17, which format_number could only write with 18 digits. */
	if (errno || *end || fabs(v) >= 1e17)
		return false;
	*out = v;
	return true;
}

bool parse_integer(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return false;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

double round_to(double x, int decimals)
{
	if (!isfinite(x))
		return x;
	double scale = pow(10.0, decimals);
	double y = x * scale;
	/* Nudge by a relative epsilon so that 99.99999999999999 (meant 100.00) rounds up and
	 * 0.125 stays a true tie; then round half away from zero. */
	double eps = fmin(fabs(y) * 1e-12, 1e-6); /* capped: 1e15 must not gain 1000 */
	y = y >= 0 ? floor(y + 0.5 + eps) : -floor(-y + 0.5 + eps);
	double r = y / scale;
	return r == 0 ? 0.0 : r; /* no "-0" */
}

void format_number(double x, int decimals, char *buf, size_t size)
{
	if (decimals >= 0) {
		/* No more than the 17 significant digits parse_decimal reads back: beyond a double's
		 * precision, more places would only print binary noise. */
		double y = round_to(x, decimals);
		int whole = !isfinite(y) || fabs(y) < 1 ? 0 : (int)floor(log10(fabs(y))) + 1;
		if (whole + decimals > 17)
			decimals = whole < 17 ? 17 - whole : 0;
		snprintf(buf, size, "%.*f", decimals, y);
	} else {
		snprintf(buf, size, "%.15g", x == 0 ? 0.0 : x);
		/* Stored text has no exponent: spell the number out, whole for a big one, with its 15
		 * significant digits for a tiny one (at most 35 places), trailing zeros cut. */
		if (strchr(buf, 'e')) {
			int places = fabs(x) >= 1 ? 0 : 14 - (int)floor(log10(fabs(x)));
			snprintf(buf, size, "%.*f", places > 35 ? 35 : places, x);
			char *end = buf + strlen(buf);
			while (places > 0 && end[-1] == '0')
				*--end = '\0';
			if (end[-1] == '.')
				end[-1] = '\0';
		}
	}
	/* LC_NUMERIC stays "C", but a host program could change it: force '.'. */
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	if (strcmp(buf, "-0") == 0 || (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)))
		memmove(buf, buf + 1, strlen(buf));
}

/* Days from civil (Howard Hinnant's algorithm). */
long date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void date_to_ymd(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long yy = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/* Whether s is written YYYY-MM-DD, digits where digits go. */
static bool date_shaped(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

bool date_nonexistent(const char *s)
{
	long days;
	if (!date_shaped(s) || date_parse(s, &days))
		return false;
	int y = atoi(s);
	return y >= 1800 && y <= 2200;
}

bool date_parse(const char *s, long *days)
{
	if (!date_shaped(s))
		return false;
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return false;
	*days = date_from_ymd(y, m, d);
	return true;
}

void date_format(long days, char buf[11])
{
	int y, m, d;
	date_to_ymd(days, &y, &m, &d);
	unsigned yy = (unsigned)(y % 10000 + 10000) % 10000, mm = (unsigned)m % 100, dd = (unsigned)d % 100;
	buf[0] = (char)('0' + yy / 1000);
	buf[1] = (char)('0' + yy / 100 % 10);
	buf[2] = (char)('0' + yy / 10 % 10);
	buf[3] = (char)('0' + yy % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + mm / 10);
	buf[6] = (char)('0' + mm % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + dd / 10);
	buf[9] = (char)('0' + dd % 10);
	buf[10] = '\0';
}

long date_today(void)
{
	const char *fixed = test_seam("RECUEIL_TODAY");
	long days;
	if (fixed && date_parse(fixed, &days))
		return days;
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	return date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void time_now_iso(char *buf, size_t size)
{
	const char *fixed = test_seam("RECUEIL_NOW");
	if (fixed) {
		snprintf(buf, size, "%s", fixed);
		return;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Test seam: RECUEIL_RANDOM_SEED=N makes the random bytes of this process (pseudonyms, entry ids,
 * generated passphrases) a fixed sequence drawn from N (splitmix64), so that a demo database is
 * the same at each run and screens can be compared whole. Each process starts the sequence again:
 * two commands run with the same seed would draw the same pseudonyms. Returns false when the
 * seam is not set. */
static bool seeded_random_bytes(unsigned char *p, size_t n)
{
	static int seeded = -1;
	static uint64_t state;
	if (seeded < 0) {
		const char *v = test_seam("RECUEIL_RANDOM_SEED"); /* never in what users run */
		seeded = v != NULL;
		if (seeded)
			state = strtoull(v, NULL, 10);
	}
	if (!seeded)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		p[i] = (unsigned char)((z ^ (z >> 31)) >> 56);
	}
	return true;
}

void util_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;
	if (seeded_random_bytes(p, n))
		return;
	while (n) {
		ssize_t got = getrandom(p, n, 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			util_fatal(EXIT_OSERR, "source d'aléa du système indisponible (getrandom : %s)",
			           strerror(errno));
		}
		p += got;
		n -= (size_t)got;
	}
}

void util_uuid_v4(char out[37])
{
	unsigned char b[16];
	util_random_bytes(b, sizeof b);
	b[6] = (b[6] & 0x0F) | 0x40;
	b[8] = (b[8] & 0x3F) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
	         b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}
