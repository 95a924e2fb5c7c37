/* scr_drafts.c — the drafts left by interrupted entries (a dropped SSH link, a closed terminal),
 * offered back at start: reopen one, delete one, or leave them for later. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/listview.h"

typedef struct {
	screen base;
	store_draft *v;
	size_t n;
	listview lv;
	dialog dlg;
	app *a;
} drafts;

enum { TAG_DELETE = 1 };

static void reload(app *a, drafts *d)
{
	drafts_free(d->v, d->n);
	d->n = store_draft_list(a->ses->db, a->ses->login, &d->v);
	lv_set_count(&d->lv, d->n);
}

static void describe(app *a, const store_draft *dr, char *buf, size_t size)
{
	const form *f = formset_form(a->ses->fs, dr->form);
	const char *title = f ? i18n_get(&f->title, a->lang) : dr->form;
	char when[20];
	snprintf(when, sizeof when, "%.10s %.5s", dr->saved_at, dr->saved_at[10] ? dr->saved_at + 11 : "");
	const char *who = f && f->scope == SCOPE_STRUCTURE ? _("(structure)")
	                  : dr->patient_id                 ? dr->pseudonym
	                                                   : _("(nouveau)");
	/* The patient's answers say so first: a long title is cut at its end. */
	snprintf(buf, size, "%s  %-10s  %s%s%s", when, who,
	         draft_self_filled(dr) ? _("rempli par le patient : ") : "", title,
	         dr->entry_uuid[0] ? _(" — modification") : "");
}

static void drafts_row(void *ctx, size_t i, int y, bool selected)
{
	const drafts *d = ctx;
	char buf[300];
	describe(d->a, &d->v[i], buf, sizeof buf);
	lv_put_row(y, 2, COLS - 4, 1, buf, selected);
}

static void drafts_draw(app *a, screen *s)
{
	drafts *d = (drafts *)s;
	app_draw_frame(a, _("recueil — saisies interrompues"), screen_ctx(s));
	draw_text(2, 2, COLS - 4,
	          _("Ces saisies n'ont pas été enregistrées : elles ont été gardées telles quelles."),
	          A_NORMAL, true);
	draw_text(3, 2, COLS - 4, _("Entrée : reprendre la saisie ; Suppr : supprimer ; Échap : plus tard."),
	          A_NORMAL, true);
	lv_draw(&d->lv, 5, LINES - 7, true, drafts_row, d);
	if (!d->n)
		draw_text(5, 3, COLS - 6, _("Aucune saisie interrompue."), A_NORMAL, true);
	dialog_draw(&d->dlg);
}

static outcome drafts_key(app *a, screen *s, const ui_key *k)
{
	drafts *d = (drafts *)s;
	if (d->dlg.kind) {
		int answer = 0;
		dialog_result r = dialog_key(&d->dlg, k, &answer);
		if (r == DR_OPEN)
			return OUT_REDRAW;
		dialog_close(&d->dlg);
		if (r == DR_DONE && answer == 'o' && d->n) {
			char *why = NULL;
			if (store_draft_delete(a->ses->db, d->v[d->lv.sel].id, &why)) {
				app_message(a, true, "%s", why);
				free(why);
			}
			reload(a, d);
		}
		return OUT_REDRAW;
	}
	switch (k->act) {
	case ACT_OPEN: {
		if (!d->n)
			return OUT_CLOSE;
		const store_draft *dr = &d->v[d->lv.sel];
		char *why = NULL;
		screen *f = form_screen_new(a, dr->patient_id, dr->pseudonym, dr->form,
		                            dr->entry_uuid[0] ? dr->entry_uuid : NULL, dr->id, &why);
		if (!f) {
			app_message(a, true, "%s", why);
			free(why);
			return OUT_REDRAW;
		}
		/* The draft list closes: once saved or kept, the form goes back to the home screen. */
		a->after_close = f;
		return OUT_CLOSE;
	}
	case ACT_DELETE_ITEM:
		if (d->n)
			dialog_confirm(&d->dlg, TAG_DELETE, _("Supprimer le brouillon"),
			               _("Ce qui avait été tapé sera perdu. Supprimer ? (o : oui, n : non)"),
			               "no");
		return OUT_REDRAW;
	default:
		return lv_key(&d->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static unsigned drafts_context(const screen *s)
{
	return ((const drafts *)s)->dlg.kind ? CTX_DIALOG : CTX_DRAFTS;
}

static void drafts_resume(app *a, screen *s)
{
	reload(a, (drafts *)s);
}

static void drafts_done(screen *s)
{
	drafts *d = (drafts *)s;
	dialog_close(&d->dlg);
	drafts_free(d->v, d->n);
	lv_done(&d->lv);
	free(d);
}

static const screen_ops drafts_ops = {
    .name = "drafts",
    .ctx = CTX_DRAFTS,
    .draw = drafts_draw,
    .key = drafts_key,
    .done = drafts_done,
    .resume = drafts_resume,
    .context = drafts_context,
};

screen *drafts_new(app *a)
{
	drafts *d = xcalloc(1, sizeof *d);
	d->base.ops = &drafts_ops;
	d->a = a;
	lv_init(&d->lv, LV_CHOOSE, false);
	reload(a, d);
	return &d->base;
}
