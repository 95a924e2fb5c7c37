/* scr_help.c — the help screen, generated from the key table (keys.c) so that it always says
 * what the keys do. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>

#include "core/util.h"
#include "ui/ui.h"

typedef struct {
	screen base;
	char **lines;
	size_t n, first;
} help;

static void help_draw(app *a, screen *s)
{
	help *h = (help *)s;
	app_draw_frame(a, _("recueil — aide"), s->ops->ctx);
	int rows = LINES - 3;
	if (h->first + (size_t)rows > h->n)
		h->first = h->n > (size_t)rows ? h->n - (size_t)rows : 0;
	for (int i = 0; i < rows && h->first + (size_t)i < h->n; i++) {
		const char *line = h->lines[h->first + (size_t)i];
		put_text(1 + i, 1, COLS - 2, line, line[0] == '=' ? attr_title() : A_NORMAL, true);
	}
}

static outcome help_key(app *a, screen *s, const ui_key *k)
{
	(void)a;
	help *h = (help *)s;
	size_t page = LINES > 4 ? (size_t)LINES - 4 : 1;
	switch (k->act) {
	case ACT_UP:
		h->first = h->first ? h->first - 1 : 0;
		return OUT_REDRAW;
	case ACT_DOWN:
		h->first++;
		return OUT_REDRAW;
	case ACT_PGUP:
		h->first = h->first > page ? h->first - page : 0;
		return OUT_REDRAW;
	case ACT_PGDN:
		h->first += page;
		return OUT_REDRAW;
	case ACT_LINE_START:
		h->first = 0;
		return OUT_REDRAW;
	case ACT_LINE_END:
		h->first = h->n;
		return OUT_REDRAW;
	case ACT_QUIT:
		return OUT_QUIT;
	case ACT_BACK:
	case ACT_HELP:
		return OUT_CLOSE;
	default:
		return k->ch == 'q' ? OUT_CLOSE : OUT_NONE;
	}
}

static void help_done(screen *s)
{
	help *h = (help *)s;
	lines_free(h->lines, h->n);
	free(h);
}

static const screen_ops help_ops = {
    .name = "help",
    .ctx = CTX_HELP,
    .draw = help_draw,
    .key = help_key,
    .done = help_done,
};

screen *help_new(app *a)
{
	(void)a;
	help *h = xcalloc(1, sizeof *h);
	h->base.ops = &help_ops;
	h->lines = keys_help_lines(&h->n);
	return &h->base;
}
