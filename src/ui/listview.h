/* listview.h — the one list widget of the terminal interface: a selection (or a view to scroll
 * through) over n items, its scrolling and paging, an optional incremental search line, and the
 * drawing of the visible items through a callback of the screen.
 *
 * The page PgUp and PgDn move by is the number of items the last lv_draw put on screen: the rows
 * drawn and the page are one figure, whatever the screen's layout around the list. A screen keeps
 * a listview in its state, tells it how many items there are (lv_set_count) and gives it the keys
 * it does not handle itself (lv_key). */
#ifndef RECUEIL_LISTVIEW_H
#define RECUEIL_LISTVIEW_H

#include "ui/ui.h"

typedef enum {
	LV_CHOOSE, /* one item is selected; the keys move the selection, the view follows it */
	LV_READ,   /* no selection: the keys scroll the view (help, report, a list of problems) */
} lv_kind;

typedef struct {
	lv_kind kind;
	size_t n;      /* items in the list */
	size_t sel;    /* LV_CHOOSE: the selected item, 0 when the list is empty */
	size_t first;  /* the first item on screen */
	size_t page;   /* items on screen at the last lv_draw (0 before it): what a page is */
	int item_rows; /* screen rows per item (1 unless set) */
	bool has_search;
	lineedit search; /* the search line, when has_search */
} listview;

/* What lv_key did with a key. */
typedef enum {
	LV_IGNORED, /* not a list key: the screen's to handle */
	LV_MOVED,   /* the selection, the view or the search line's cursor moved: redraw */
	LV_SEARCH,  /* the search text changed; the selection went back to the first item: the
	             * screen filters its items again (lv_set_count), then redraws */
} lv_result;

/* Draw item i of the list with its first screen row at y; selected: it is the selection (and the
 * list has the focus). ctx is the one given to lv_draw. */
typedef void (*lv_draw_fn)(void *ctx, size_t i, int y, bool selected);

/* Start an empty list of one row per item, with a search line when search is set (lv_done
 * frees it). */
void lv_init(listview *lv, lv_kind kind, bool search);
void lv_done(listview *lv);
/* The list now has n items: the selection is kept, or moved to the last item if it is past it. */
void lv_set_count(listview *lv, size_t n);
/* Draw the items that fit in height screen rows from row y: scroll so that the selection is on
 * screen and no page is left half empty while there are items above, then call draw for each
 * visible item. focused: whether the selection is shown (a screen with two lists shows one).
 * Returns how many items were drawn; lv->page is set to how many fit. */
size_t lv_draw(listview *lv, int y, int height, bool focused, lv_draw_fn draw, void *ctx);
/* Apply a key: ↑ ↓ one item, PgUp PgDn a page (the selection and the view move together, so the
 * selected item keeps its place on screen), Home End the first and the last item; in a list with
 * a search line, every other key goes to it (typed text, ← →, erasing). */
lv_result lv_key(listview *lv, const ui_key *k);
/* One row of a list: blanked over width columns from x in the selection's attribute when
 * selected, text drawn pad columns further in and cut with "…". */
void lv_put_row(int y, int x, int width, int pad, const char *text, bool selected);

#endif
