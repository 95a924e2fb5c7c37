/* listview.c — the one list widget: selection, scrolling and paging by the rows drawn, an
 * optional search line, the visible items drawn through the screen's callback (listview.h). */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <string.h>

#include "ui/listview.h"

void lv_init(listview *lv, lv_kind kind, bool search)
{
	memset(lv, 0, sizeof *lv);
	lv->kind = kind;
	lv->item_rows = 1;
	lv->has_search = search;
	if (search)
		le_init(&lv->search, "");
}

void lv_done(listview *lv)
{
	if (lv->has_search)
		le_done(&lv->search);
	lv->has_search = false;
}

void lv_set_count(listview *lv, size_t n)
{
	lv->n = n;
	if (lv->sel >= n)
		lv->sel = n ? n - 1 : 0;
}

/* The first item of the last page: the view never scrolls past it. */
static size_t last_first(const listview *lv, size_t page)
{
	return lv->n > page ? lv->n - page : 0;
}

size_t lv_draw(listview *lv, int y, int height, bool focused, lv_draw_fn draw, void *ctx)
{
	int per = lv->item_rows > 0 ? lv->item_rows : 1;
	size_t page = height >= per ? (size_t)(height / per) : 1;
	lv->page = page;
	if (lv->first > last_first(lv, page))
		lv->first = last_first(lv, page);
	if (lv->kind == LV_CHOOSE) {
		if (lv->sel < lv->first)
			lv->first = lv->sel;
		if (lv->sel >= lv->first + page)
			lv->first = lv->sel - page + 1;
	}
	size_t i = 0;
	for (; i < page && lv->first + i < lv->n; i++) {
		size_t k = lv->first + i;
		draw(ctx, k, y + (int)i * per, lv->kind == LV_CHOOSE && focused && k == lv->sel);
	}
	return i;
}

/* Move the selection (LV_CHOOSE) and the view by delta items, both kept inside the list. */
static void move_by(listview *lv, long delta, size_t page)
{
	size_t max_first = last_first(lv, page);
	if (delta < 0) {
		size_t d = (size_t)-delta;
		lv->sel = lv->sel > d ? lv->sel - d : 0;
		lv->first = lv->first > d ? lv->first - d : 0;
	} else {
		size_t d = (size_t)delta;
		lv->sel = lv->sel + d < lv->n ? lv->sel + d : (lv->n ? lv->n - 1 : 0);
		lv->first = lv->first + d < max_first ? lv->first + d : max_first;
	}
}

lv_result lv_key(listview *lv, const ui_key *k)
{
	size_t page = lv->page ? lv->page : 1;
	bool choose = lv->kind == LV_CHOOSE;
	switch (k->act) {
	case ACT_UP:
		if (choose && lv->sel)
			lv->sel--;
		else if (!choose && lv->first)
			lv->first--;
		return LV_MOVED;
	case ACT_DOWN:
		if (choose && lv->sel + 1 < lv->n)
			lv->sel++;
		else if (!choose && lv->first + page < lv->n)
			lv->first++;
		return LV_MOVED;
	case ACT_PGUP:
		move_by(lv, -(long)page, page);
		return LV_MOVED;
	case ACT_PGDN:
		move_by(lv, (long)page, page);
		return LV_MOVED;
	case ACT_LINE_START:
		lv->sel = lv->first = 0;
		return LV_MOVED;
	case ACT_LINE_END:
		lv->sel = lv->n ? lv->n - 1 : 0;
		lv->first = last_first(lv, page);
		return LV_MOVED;
	default:
		break;
	}
	if (!lv->has_search)
		return LV_IGNORED;
	size_t cur = lv->search.cur;
	if (le_key(&lv->search, k)) {
		lv->sel = lv->first = 0;
		return LV_SEARCH;
	}
	return lv->search.cur != cur ? LV_MOVED : LV_IGNORED;
}

void lv_put_row(int y, int x, int width, int pad, const char *text, bool selected)
{
	unsigned long at = selected ? draw_attr_focus() : A_NORMAL;
	draw_blank(y, x, width, at);
	draw_text(y, x + pad, width - 2 * pad, text, at, true);
}
