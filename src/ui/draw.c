/* draw.c — putting text on the screen: UTF-8 decoded by character, laid out and cut by display
 * column (wcwidth), invalid bytes and control characters shown as U+FFFD, and a readable ASCII
 * transliteration when the terminal is not UTF-8. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "core/util.h"
#include "ui/ui.h"

size_t draw_utf8_decode(const char *s, wchar_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c;
	size_t len;
	if (p[0] < 0x80) {
		*out = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] < 0xE0)
		len = 2, c = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] < 0xF0)
		len = 3, c = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] < 0xF5)
		len = 4, c = p[0] & 0x07;
	else
		len = 0, c = 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
			len = 0;
			break;
		}
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid too. */
	if (len == 0 || (len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF)) {
		*out = 0xFFFD;
		return 1;
	}
	*out = (wchar_t)c;
	return len;
}

/* What a character looks like on this terminal: control characters become U+FFFD, and on a
 * non-UTF-8 terminal everything outside ASCII is transliterated into buf. Returns the number of
 * wide characters written to buf (at most 4). */
static int shown(wchar_t c, wchar_t buf[4])
{
	if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
		c = 0xFFFD;
	if (term_utf8() || c < 0x80) {
		buf[0] = c;
		return 1;
	}
	static const struct {
		wchar_t from;
		const char *to;
	} tr[] = {
	    {L'à', "a"},  {L'â', "a"},   {L'ä', "a"},  {L'ç', "c"},   {L'é', "e"},   {L'è', "e"},
	    {L'ê', "e"},  {L'ë', "e"},   {L'î', "i"},  {L'ï', "i"},   {L'ô', "o"},   {L'ö', "o"},
	    {L'ù', "u"},  {L'û', "u"},   {L'ü', "u"},  {L'ÿ', "y"},   {L'À', "A"},   {L'Â', "A"},
	    {L'Ç', "C"},  {L'É', "E"},   {L'È', "E"},  {L'Ê', "E"},   {L'Î', "I"},   {L'Ô', "O"},
	    {L'Ù', "U"},  {L'Û', "U"},   {L'œ', "oe"}, {L'Œ', "OE"},  {L'æ', "ae"},  {L'«', "\""},
	    {L'»', "\""}, {L'€', "EUR"}, {L'—', "-"},  {L'–', "-"},   {L'…', "..."}, {L'≥', ">="},
	    {L'≤', "<="}, {L'’', "'"},   {L'°', "o"},  {L'▸', ">"},   {L'·', "."},   {L'→', "->"},
	    {L'←', "<-"}, {L'↑', "^"},   {L'↓', "v"},  {L'✓', "v"},   {L'│', "|"},   {L'─', "-"},
	    {L'▁', "_"},  {L'▂', "."},   {L'▃', "-"},  {L'▄', "~"},   {L'▅', "="},   {L'▆', "+"},
	    {L'▇', "*"},  {L'█', "#"},   {0xA0, " "},  {0x202F, " "},
	};
	for (size_t i = 0; i < sizeof tr / sizeof *tr; i++)
		if (tr[i].from == c) {
			int n = 0;
			for (const char *p = tr[i].to; *p && n < 4; p++)
				buf[n++] = (wchar_t)*p;
			return n;
		}
	buf[0] = L'?';
	return 1;
}

static int wchar_cols(wchar_t c)
{
	int w = wcwidth(c);
	return w < 0 ? 1 : w;
}

int draw_width(const char *s)
{
	int w = 0;
	while (s && *s) {
		wchar_t c, buf[4];
		s += draw_utf8_decode(s, &c);
		int n = shown(c, buf);
		for (int i = 0; i < n; i++)
			w += wchar_cols(buf[i]);
	}
	return w;
}

/* Put one displayed character if it fits in the columns left; returns the columns used. */
static int put_one(int y, int x, int left, wchar_t c, unsigned long attr)
{
	int w = wchar_cols(c);
	if (w > left)
		return -1;
	if (w == 0)
		return 0; /* combining marks are dropped rather than mis-placed */
	cchar_t cc;
	wchar_t s[2] = {c, 0};
	setcchar(&cc, s, (attr_t)attr, 0, NULL);
	mvadd_wch(y, x, &cc);
	return w;
}

int draw_wtext(int y, int x, int width, const wchar_t *s, size_t n, unsigned long attr)
{
	int used = 0;
	for (size_t i = 0; i < n; i++) {
		wchar_t buf[4];
		int k = shown(s[i], buf);
		for (int j = 0; j < k; j++) {
			int w = put_one(y, x + used, width - used, buf[j], attr);
			if (w < 0)
				return used;
			used += w;
		}
	}
	return used;
}

int draw_text(int y, int x, int width, const char *s, unsigned long attr, bool ellipsis)
{
	if (width <= 0 || !s)
		return 0;
	int total = draw_width(s);
	bool cut = total > width;
	int room = cut && ellipsis ? width - 1 : width;
	int used = 0;
	while (*s) {
		wchar_t c, buf[4];
		s += draw_utf8_decode(s, &c);
		int k = shown(c, buf), j = 0;
		for (; j < k; j++) {
			int w = put_one(y, x + used, room - used, buf[j], attr);
			if (w < 0)
				break;
			used += w;
		}
		if (j < k)
			break;
	}
	if (cut && ellipsis)
		used += draw_text(y, x + used, 1, "…", attr, false);
	return used;
}

void draw_blank(int y, int x, int width, unsigned long attr)
{
	attr_t old;
	short pair;
	attr_get(&old, &pair, NULL);
	attrset((attr_t)attr);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	attrset(old);
}

size_t draw_wrap(const char *s, int width, char ***lines)
{
	return text_wrap_measured(s, width, draw_width, lines);
}

/* Append s in lower case without accents and without dashes, for matching what is typed: a
 * pseudonym is often typed with its dash or without, and names may have one or not ("Jean-Marc",
 * "Jean Marc"). Characters with no ASCII folding are copied as they are. */
void draw_fold(strbuf *sb, const char *s)
{
	static const char *const from[] = {"àâä", "éèêë", "îï", "ôö", "ùûü", "ç", "ÿ"};
	static const char to[] = "aeioucy";
	while (s && *s) {
		/* Most of a name or a pseudonym folds to itself: no decoding for those bytes. */
		if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == ' ') {
			strbuf_putc(sb, *s++);
			continue;
		}
		wchar_t c;
		size_t len = draw_utf8_decode(s, &c);
		wchar_t lc = (wchar_t)towlower((wint_t)c);
		char out = 0;
		if (lc < 0x80)
			out = (char)lc;
		for (size_t i = 0; !out && i < sizeof from / sizeof *from; i++)
			for (const char *p = from[i]; *p && !out;) {
				wchar_t fc;
				p += draw_utf8_decode(p, &fc);
				if (fc == lc)
					out = to[i];
			}
		if (!out)
			strbuf_add(sb, s, len);
		else if (out != '-')
			strbuf_putc(sb, out);
		s += len;
	}
}

const char *draw_decimal(const char *text, char *buf, size_t size)
{
	/* TRANSLATORS: see ui_language_init: the language is also the decimal separator's */
	if (!strchr(text, '.') || strcmp(_("fr"), "fr") != 0)
		return text;
	snprintf(buf, size, "%s", text);
	for (char *p = buf; *p; p++)
		if (*p == '.')
			*p = ',';
	return buf;
}

void draw_number(double x, int decimals, char *buf, size_t size)
{
	char text[64];
	format_number(x, decimals, text, sizeof text);
	if (draw_decimal(text, buf, size) == text)
		snprintf(buf, size, "%s", text);
}

unsigned long draw_attr_focus(void)
{
	return A_REVERSE;
}

unsigned long draw_attr_title(void)
{
	return A_BOLD;
}

unsigned long draw_attr_error(void)
{
	return A_BOLD | A_UNDERLINE;
}

unsigned long draw_attr_dim(void)
{
	return A_DIM;
}

int alert_level_rank(const char *level)
{
	if (strcmp(level, "urgent") == 0)
		return 2;
	return strcmp(level, "attention") == 0 ? 1 : 0;
}

unsigned long draw_attr_alert(const char *level)
{
	/* Never reverse video: that is the selection's, and an alert may be selected. */
	switch (alert_level_rank(level)) {
	case 2:
		return A_BOLD | A_UNDERLINE;
	case 1:
		return A_BOLD;
	default:
		return A_NORMAL;
	}
}

const char *alert_level_word(const char *level)
{
	switch (alert_level_rank(level)) {
	case 2:
		return _("URGENT");
	case 1:
		return _("ATTENTION");
	default:
		return _("INFO");
	}
}
