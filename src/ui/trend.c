/* trend.c — the course of a patient's scores at a glance ("is it getting better?"): the values
 * of the fields a form marks trend: (AUDIT, EPICES, PHQ-9, GAD-7 in the shipped forms), one line
 * each, as a sparkline of block characters followed by the first and last values it shows and
 * their dates. Monochrome by design; on a terminal that is not UTF-8 draw.c writes the blocks as
 * "_.-~=+*#". */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/ui.h"

/* The sparkline's width: the last values that many entries, so that the line fits 80 columns. */
#define SPARK_MAX 12

static trend *trend_named(trends *t, const char *name, int decimals)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, name) == 0)
			return &t->v[i];
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	trend *tr = &t->v[t->n++];
	memset(tr, 0, sizeof *tr);
	tr->name = name;
	tr->decimals = decimals;
	return tr;
}

void trends_add(trends *t, const record *r, const char *date)
{
	for (size_t k = 0; k < r->f->n_fields; k++) {
		const field *fd = &r->f->fields[k];
		if (!fd->trend)
			continue;
		value v = record_value(r, k);
		if (v.kind != V_NUM || !r->vals[k].visible)
			continue;
		trend *tr = trend_named(t, fd->trend, fd->decimals);
		tr->v = xrealloc(tr->v, (tr->n + 1) * sizeof *tr->v);
		tr->date = xrealloc(tr->date, (tr->n + 1) * sizeof *tr->date);
		tr->v[tr->n] = v.num;
		snprintf(tr->date[tr->n], sizeof tr->date[tr->n], "%s", date);
		tr->n++;
	}
}

void trends_done(trends *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].v);
		free(t->v[i].date);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* The sparkline of v[0..n): eight heights from 0 (or the lowest value, when negative) to the
 * highest value shown, so that a fall reads as a fall whatever the instrument's range. */
static void spark(const double *v, size_t n, strbuf *sb)
{
	static const char *const block[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
	double lo = 0, hi = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	for (size_t i = 0; i < n; i++) {
		int level = hi > lo ? (int)lround((v[i] - lo) / (hi - lo) * 7) : 0;
		strbuf_puts(sb, block[level < 0 ? 0 : level > 7 ? 7 : level]);
	}
}

int trends_draw(const trends *t, int y, int rows)
{
	int used = 0;
	const char *head = _("Évolution");
	int head_w = draw_width(head) + 2;
	for (size_t i = 0; i < t->n && used < rows; i++) {
		const trend *tr = &t->v[i];
		if (!tr->n)
			continue;
		size_t from = tr->n > SPARK_MAX ? tr->n - SPARK_MAX : 0;
		strbuf sb = STRBUF_INIT;
		spark(tr->v + from, tr->n - from, &sb);
		for (size_t k = tr->n - from; k < SPARK_MAX; k++)
			strbuf_putc(&sb, ' ');
		char first[40], last[40];
		draw_number(tr->v[from], tr->decimals, first, sizeof first);
		draw_number(tr->v[tr->n - 1], tr->decimals, last, sizeof last);
		if (tr->n - from > 1)
			strbuf_printf(&sb, "  %s (%s) → %s (%s)", first, tr->date[from], last,
			              tr->date[tr->n - 1]);
		else
			strbuf_printf(&sb, "  %s (%s)", last, tr->date[tr->n - 1]);
		if (!used)
			draw_text(y, 1, head_w, head, draw_attr_title(), false);
		int x = 1 + head_w;
		draw_text(y, x, 8, tr->name, A_BOLD, true);
		draw_text(y, x + 8, COLS - 1 - (x + 8), strbuf_str(&sb), A_NORMAL, true);
		strbuf_done(&sb);
		y++;
		used++;
	}
	return used;
}
