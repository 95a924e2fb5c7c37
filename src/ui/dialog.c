/* dialog.c — modal questions drawn over a screen: a message, a choice of letters, a one-line
 * prompt, a menu; and the period prompt of the export and the report built on the one-line
 * prompt. The owning screen routes keys to the open dialog first and acts on its tag. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "core/util.h"
#include "ui/ui.h"

static void open_common(dialog *d, dialog_kind kind, int tag, const char *title, const char *text)
{
	dialog_close(d);
	d->kind = kind;
	d->tag = tag;
	d->title = xstrdup(title);
	d->text = xstrdup(text ? text : "");
}

void dialog_message(dialog *d, int tag, const char *title, const char *text)
{
	open_common(d, DLG_MESSAGE, tag, title, text);
}

void dialog_confirm(dialog *d, int tag, const char *title, const char *text, const char *choices)
{
	open_common(d, DLG_CONFIRM, tag, title, text);
	d->choices = xstrdup(choices);
}

void dialog_input(dialog *d, int tag, const char *title, const char *text, const char *initial)
{
	open_common(d, DLG_INPUT, tag, title, text);
	le_init(&d->edit, initial);
}

void dialog_menu(dialog *d, int tag, const char *title, char **items, size_t n)
{
	open_common(d, DLG_MENU, tag, title, NULL);
	d->items = items;
	d->n_items = n;
	d->sel = 0;
}

void dialog_close(dialog *d)
{
	if (d->kind == DLG_INPUT)
		le_done(&d->edit);
	lines_free(d->items, d->n_items);
	free(d->title);
	free(d->text);
	free(d->choices);
	memset(d, 0, sizeof *d);
}

unsigned dialog_ctx(const dialog *d)
{
	(void)d;
	return CTX_DIALOG;
}

void dialog_draw(dialog *d)
{
	if (d->kind == DLG_NONE)
		return;
	int w = COLS - 8 < 70 ? COLS - 8 : 70;
	char **lines = NULL;
	size_t n = draw_wrap(d->text, w - 4, &lines);
	size_t body = d->kind == DLG_MENU ? d->n_items : n + (d->kind == DLG_INPUT ? 2 : 0);
	int max_body = LINES - 8;
	if ((int)body > max_body)
		body = (size_t)max_body;
	int h = (int)body + 4;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;
	for (int y = 0; y < h; y++)
		draw_blank(y0 + y, x0, w, A_REVERSE);
	draw_text(y0, x0 + 2, w - 4, d->title, A_REVERSE | A_BOLD, true);
	int y = y0 + 2;
	int cursor_x = -1, cursor_y = -1;
	if (d->kind == DLG_MENU) {
		size_t first = d->sel >= body ? d->sel - body + 1 : 0;
		for (size_t i = first; i < d->n_items && i < first + body; i++, y++) {
			unsigned long at = i == d->sel ? A_NORMAL | A_BOLD : A_REVERSE;
			draw_blank(y, x0 + 1, w - 2, at);
			draw_text(y, x0 + 2, w - 4, d->items[i], at, true);
		}
	} else {
		for (size_t i = 0; i < n && y < y0 + 2 + max_body; i++, y++)
			draw_text(y, x0 + 2, w - 4, lines[i], A_REVERSE, true);
		if (d->kind == DLG_INPUT) {
			y++;
			cursor_y = y;
			cursor_x = le_draw(&d->edit, y, x0 + 2, w - 4, A_NORMAL);
		}
	}
	lines_free(lines, n);
	if (cursor_x >= 0) {
		term_cursor(true);
		move(cursor_y, cursor_x);
	} else {
		term_cursor(false);
	}
}

dialog_result dialog_key(dialog *d, const ui_key *k, int *answer)
{
	if (k->act == ACT_BACK)
		return DR_CANCEL;
	switch (d->kind) {
	case DLG_MESSAGE:
		return k->act == ACT_OPEN || k->ch == ' ' ? DR_DONE : DR_OPEN;
	case DLG_CONFIRM:
		if (k->act == ACT_OPEN) {
			*answer = (unsigned char)d->choices[0];
			return DR_DONE;
		}
		if (k->ch && k->ch < 128 && strchr(d->choices, (int)towlower(k->ch))) {
			*answer = (int)towlower(k->ch);
			return DR_DONE;
		}
		return DR_OPEN;
	case DLG_INPUT:
		if (k->act == ACT_OPEN)
			return DR_DONE;
		le_key(&d->edit, k);
		return DR_OPEN;
	case DLG_MENU:
		if (k->act == ACT_OPEN)
			return DR_DONE;
		if (k->act == ACT_UP && d->sel > 0)
			d->sel--;
		else if (k->act == ACT_DOWN && d->sel + 1 < d->n_items)
			d->sel++;
		else if (k->ch >= '1' && k->ch <= '9' && (size_t)(k->ch - '1') < d->n_items) {
			d->sel = (size_t)(k->ch - '1');
			return DR_DONE;
		}
		return DR_OPEN;
	case DLG_NONE:
		break;
	}
	return DR_CANCEL;
}

/* ------------------------------------------------------------ the period prompt */

void period_ask(dialog *d, int tag, const char *question, const period *current, const char *error)
{
	char *text = xasprintf("%s%s%s", error ? error : "", error ? "\n" : "", question);
	dialog_input(d, tag, _("Période"), text, current ? current->label : "");
	free(text);
}

bool period_answer(dialog *d, int tag, const char *question, const char *typed, period *out)
{
	period p;
	char *why = NULL;
	if (period_parse(typed, &p, &why)) {
		*out = p;
		return true;
	}
	period_ask(d, tag, question, NULL, why);
	le_set(&d->edit, typed);
	free(why);
	return false;
}

bool period_key(dialog *d, int tag, const char *question, const ui_key *k, period *out)
{
	int answer = 0;
	dialog_result r = dialog_key(d, k, &answer);
	if (r == DR_OPEN)
		return false;
	char *text = r == DR_DONE ? le_text(&d->edit) : NULL;
	dialog_close(d);
	bool chosen = text && period_answer(d, tag, question, text, out);
	free(text);
	return chosen;
}

bool period_start(app *a, dialog *d, int tag, const char *question, period *out, deadline *next)
{
	deadline dl;
	if (app_next_deadline(a, &dl)) {
		*out = dl.covers;
		if (next)
			*next = dl;
		return true;
	}
	period_ask(d, tag, question, NULL,
	           _("reporting.yaml ne donne aucune échéance : choisir la période."));
	return false;
}
