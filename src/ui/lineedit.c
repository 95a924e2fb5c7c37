/* lineedit.c — a one-line text editor: the text is a wide-character array (so that the cursor
 * moves by character), laid out by display column, and handed out as trimmed UTF-8. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/ui.h"

static void reserve(lineedit *le, size_t n)
{
	if (n + 1 <= le->cap)
		return;
	le->cap = (n + 1) * 2;
	le->buf = xrealloc(le->buf, le->cap * sizeof *le->buf);
}

void le_init(lineedit *le, const char *utf8)
{
	memset(le, 0, sizeof *le);
	le_set(le, utf8);
}

void le_done(lineedit *le)
{
	free(le->buf);
	memset(le, 0, sizeof *le);
}

void le_set(lineedit *le, const char *utf8)
{
	le->len = le->cur = le->scroll = 0;
	le->replace_next = false;
	reserve(le, utf8 ? strlen(utf8) : 0);
	for (const char *p = utf8; p && *p;) {
		wchar_t c;
		p += draw_utf8_decode(p, &c);
		le->buf[le->len++] = c;
	}
	le->buf[le->len] = 0;
	le->cur = le->len;
}

static void put_utf8(strbuf *sb, wchar_t wc)
{
	unsigned u = (unsigned)wc;
	char b[4];
	if (u < 0x80) {
		strbuf_putc(sb, (char)u);
		return;
	}
	if (u < 0x800) {
		b[0] = (char)(0xC0 | (u >> 6));
		b[1] = (char)(0x80 | (u & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (u < 0x10000) {
		b[0] = (char)(0xE0 | (u >> 12));
		b[1] = (char)(0x80 | ((u >> 6) & 0x3F));
		b[2] = (char)(0x80 | (u & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | (u >> 18));
		b[1] = (char)(0x80 | ((u >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((u >> 6) & 0x3F));
		b[3] = (char)(0x80 | (u & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

char *le_text(const lineedit *le)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (size_t i = 0; i < le->len; i++)
		put_utf8(&sb, le->buf[i]);
	char *s = strbuf_take(&sb);
	str_trim(s);
	return s;
}

bool le_key(lineedit *le, const ui_key *k)
{
	bool replace = le->replace_next;
	le->replace_next = false;
	if (k->act == ACT_NONE && k->ch) {
		if (replace)
			le->len = le->cur = 0;
		reserve(le, le->len + 1);
		memmove(le->buf + le->cur + 1, le->buf + le->cur, (le->len - le->cur) * sizeof *le->buf);
		le->buf[le->cur++] = (wchar_t)k->ch;
		le->buf[++le->len] = 0;
		return true;
	}
	switch (k->act) {
	case ACT_LEFT:
		if (le->cur > 0)
			le->cur--;
		return false;
	case ACT_RIGHT:
		if (le->cur < le->len)
			le->cur++;
		return false;
	case ACT_LINE_START:
		le->cur = 0;
		return false;
	case ACT_LINE_END:
		le->cur = le->len;
		return false;
	case ACT_BACKSPACE:
		if (le->cur == 0)
			return false;
		le->cur--;
		/* fall through */
	case ACT_DELETE:
		if (le->cur >= le->len)
			return false;
		memmove(le->buf + le->cur, le->buf + le->cur + 1, (le->len - le->cur - 1) * sizeof *le->buf);
		le->buf[--le->len] = 0;
		return true;
	case ACT_CLEAR:
		le->len = le->cur = le->scroll = 0;
		if (le->buf)
			le->buf[0] = 0;
		return true;
	default:
		return false;
	}
}

static int cols_between(const lineedit *le, size_t from, size_t to)
{
	int w = 0;
	for (size_t i = from; i < to; i++) {
		int cw = wcwidth(le->buf[i]);
		w += cw < 0 ? 1 : cw;
	}
	return w;
}

int le_draw(lineedit *le, int y, int x, int width, unsigned long attr)
{
	if (width < 2)
		width = 2;
	/* Scroll so that the cursor stays inside the box, one column kept for it at the end. */
	if (le->cur < le->scroll)
		le->scroll = le->cur;
	while (le->scroll < le->cur && cols_between(le, le->scroll, le->cur) > width - 1)
		le->scroll++;
	draw_blank(y, x, width, attr);
	draw_wtext(y, x, width, le->buf + le->scroll, le->len - le->scroll, attr);
	return x + cols_between(le, le->scroll, le->cur);
}
