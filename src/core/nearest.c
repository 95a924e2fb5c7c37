/* nearest.c — accent and case folding, and the nearest word by edit distance (nearest.h). */
#include "core/nearest.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* U+00C0 to U+00FF without their accents; "" for × and ÷ (kept as they are). */
static const char *const latin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",
};

char *text_fold(const char *s)
{
	strbuf out = STRBUF_INIT;
	strbuf_add(&out, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		unsigned cp = 0;
		size_t len = 1;
		if (p[0] >= 0xC0 && p[0] < 0xE0 && (p[1] & 0xC0) == 0x80) {
			cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
			len = 2;
		}
		const char *rep = NULL;
		if (cp >= 0xC0 && cp <= 0xFF && latin1[cp - 0xC0][0])
			rep = latin1[cp - 0xC0];
		else if (cp == 0x152 || cp == 0x153)
			rep = "oe";
		if (rep)
			strbuf_puts(&out, rep);
		else if (len == 1 && p[0] >= 'A' && p[0] <= 'Z')
			strbuf_putc(&out, (char)(p[0] - 'A' + 'a'));
		else
			strbuf_add(&out, (const char *)p, len);
		p += len;
	}
	return strbuf_take(&out);
}

/* Levenshtein distance between a and b (bytes), two rows of the table at a time. */
static size_t distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	size_t *prev = xcalloc(nb + 1, sizeof *prev), *cur = xcalloc(nb + 1, sizeof *cur);
	for (size_t j = 0; j <= nb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= na; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		size_t *t = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[nb];
	free(prev);
	free(cur);
	return d;
}

long nearest_word(const char *typed, const char *const *words, size_t n)
{
	char *t = text_fold(typed);
	long best = -1;
	size_t best_d = 0;
	for (size_t i = 0; i < n; i++) {
		char *w = text_fold(words[i]);
		size_t d = distance(t, w), longer = strlen(t) > strlen(w) ? strlen(t) : strlen(w);
		if (d <= longer / 3 && (best < 0 || d < best_d)) {
			best = (long)i;
			best_d = d;
		}
		free(w);
	}
	free(t);
	return best;
}
