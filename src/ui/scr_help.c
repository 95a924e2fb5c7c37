/* scr_help.c — the help screen, generated from the key table (keys.c) so that it always says
 * what the keys do. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>

#include "core/util.h"
#include "ui/listview.h"

typedef struct {
	screen base;
	char **lines;
	size_t n;
	listview lv;
} help;

static void help_line(void *ctx, size_t i, int y, bool selected)
{
	(void)selected;
	const char *line = ((const help *)ctx)->lines[i];
	draw_text(y, 1, COLS - 2, line, line[0] == '=' ? draw_attr_title() : A_NORMAL, true);
}

static void help_draw(app *a, screen *s)
{
	help *h = (help *)s;
	app_draw_frame(a, _("recueil — aide"), s->ops->ctx);
	lv_draw(&h->lv, 1, LINES - 3, false, help_line, h);
}

static outcome help_key(app *a, screen *s, const ui_key *k)
{
	(void)a;
	help *h = (help *)s;
	if (lv_key(&h->lv, k) == LV_MOVED)
		return OUT_REDRAW;
	switch (k->act) {
	case ACT_QUIT:
		return OUT_ASK_QUIT;
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
	lv_done(&h->lv);
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
	lv_init(&h->lv, LV_READ, false);
	lv_set_count(&h->lv, h->n);
	return &h->base;
}
