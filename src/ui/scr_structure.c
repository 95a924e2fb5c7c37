/* scr_structure.c — the entries of the structure's own forms (scope: structure in the YAML: the
 * team meetings, or whatever forms the network gives a structure), newest first, each with its
 * date, status and one-line summary. Enter opens one in the form screen, F5 or n adds one (a menu
 * when there are several such forms), Suppr deletes the chosen one (admins, after a yes/no
 * question). Nothing here knows a form: the list, the titles and the summaries come from the
 * YAML. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/listview.h"

typedef struct {
	char uuid[37];
	char form[64];
	char date[11];
	size_t order; /* the order the store gave it: ties on the date keep it */
	char *line;
} srow;

typedef struct {
	screen base;
	app *a;
	const form **forms; /* the forms of scope: structure */
	size_t n_forms;
	srow *rows;
	size_t n;
	listview lv;
	dialog dlg;
} sentries;

enum { TAG_NEW = 1, TAG_DELETE };

static void add_row(void *vctx, const entry_meta *m)
{
	sentries *se = vctx;
	se->rows = xrealloc(se->rows, (se->n + 1) * sizeof *se->rows);
	srow *t = &se->rows[se->n];
	snprintf(t->uuid, sizeof t->uuid, "%s", m->uuid);
	snprintf(t->form, sizeof t->form, "%s", m->form);
	snprintf(t->date, sizeof t->date, "%s", m->date);
	t->order = se->n++;
	/* With several forms, each line says which one it is. */
	t->line = entry_list_line(se->a, m, se->n_forms > 1);
}

/* Newest first; entries of one day in the reverse of their creation. */
static int newest_first(const void *pa, const void *pb)
{
	const srow *x = pa, *y = pb;
	int c = strcmp(y->date, x->date);
	return c ? c : (x->order < y->order) - (x->order > y->order);
}

static void rows_free(sentries *se)
{
	for (size_t i = 0; i < se->n; i++)
		free(se->rows[i].line);
	free(se->rows);
	se->rows = NULL;
	se->n = 0;
}

static void reload(app *a, sentries *se)
{
	rows_free(se);
	for (size_t k = 0; k < se->n_forms; k++) {
		char *why = NULL;
		if (store_entry_each_form(a->ses->db, se->forms[k]->id, add_row, se, &why)) {
			app_message(a, true, "%s", why);
			free(why);
		}
	}
	if (se->n > 1)
		qsort(se->rows, se->n, sizeof *se->rows, newest_first);
	lv_set_count(&se->lv, se->n);
}

/* The screen's title: the form's own when there is one, "Fiches de la structure" otherwise. */
static const char *heading(const sentries *se)
{
	return se->n_forms == 1 ? i18n_get(&se->forms[0]->title, se->a->lang) : _("Fiches de la structure");
}

static void sentries_row(void *ctx, size_t i, int y, bool selected)
{
	const sentries *se = ctx;
	lv_put_row(y, 1, COLS - 2, 0, se->rows[i].line, selected);
}

static void sentries_draw(app *a, screen *s)
{
	sentries *se = (sentries *)s;
	char title[200];
	snprintf(title, sizeof title, _("recueil — %s"), heading(se));
	app_draw_frame(a, title, screen_ctx(s));
	char head[300];
	snprintf(head, sizeof head, _("%s : %zu fiche(s), sans patient ; Entrée ouvre, F5 ou n ajoute"),
	         heading(se), se->n);
	draw_text(2, 1, COLS - 2, head, draw_attr_title(), true);
	lv_draw(&se->lv, 4, LINES - 6, true, sentries_row, se);
	if (!se->n)
		draw_text(4, 1, COLS - 2, _("Aucune fiche."), A_NORMAL, true);
	dialog_draw(&se->dlg);
}

static outcome open_form(app *a, const char *form_id, const char *uuid)
{
	return app_open_form(a, 0, "", form_id, uuid); /* no patient: the structure's own */
}

static outcome new_entry(app *a, sentries *se)
{
	if (se->n_forms == 1)
		return open_form(a, se->forms[0]->id, NULL);
	char **items = xcalloc(se->n_forms, sizeof *items);
	for (size_t i = 0; i < se->n_forms; i++)
		items[i] = xasprintf("%zu  %s", i + 1, i18n_get(&se->forms[i]->title, a->lang));
	dialog_menu(&se->dlg, TAG_NEW, _("Nouvelle fiche : quel formulaire ?"), items, se->n_forms);
	return OUT_REDRAW;
}

static void delete_chosen(app *a, sentries *se)
{
	char *why = NULL;
	const srow *t = &se->rows[se->lv.sel];
	if (store_entry_delete(a->ses->db, a->ses->fs, t->uuid, a->ses->login, &why)) {
		app_message(a, true, _("Suppression impossible : %s"), why ? why : "?");
		free(why);
		return;
	}
	app_message(a, false, _("Fiche du %s supprimée (le journal garde ses valeurs)."), t->date);
	reload(a, se);
}

static outcome dialog_answer(app *a, sentries *se, const ui_key *k)
{
	int answer = 0;
	dialog_result r = dialog_key(&se->dlg, k, &answer);
	if (r == DR_OPEN)
		return OUT_REDRAW;
	int tag = se->dlg.tag;
	size_t sel = se->dlg.sel;
	dialog_close(&se->dlg);
	if (r != DR_DONE)
		return OUT_REDRAW;
	if (tag == TAG_NEW && sel < se->n_forms)
		return open_form(a, se->forms[sel]->id, NULL);
	if (tag == TAG_DELETE && answer == 'o' && se->n)
		delete_chosen(a, se);
	return OUT_REDRAW;
}

static outcome sentries_key(app *a, screen *s, const ui_key *k)
{
	sentries *se = (sentries *)s;
	if (se->dlg.kind)
		return dialog_answer(a, se, k);
	switch (k->act) {
	case ACT_OPEN:
		if (!se->n)
			return new_entry(a, se);
		return open_form(a, se->rows[se->lv.sel].form, se->rows[se->lv.sel].uuid);
	case ACT_NEW:
		return new_entry(a, se);
	case ACT_DELETE_ITEM:
		if (se->n && app_allowed(a, PERM_DELETE_ENTRY, "entry delete", _("Supprimer une fiche"))) {
			char *text =
			    xasprintf(_("Supprimer la fiche du %s ? Ses valeurs restent dans le journal. "
			                "(o : oui, n : non)"),
			              se->rows[se->lv.sel].date);
			dialog_confirm(&se->dlg, TAG_DELETE, _("Supprimer la fiche"), text, "no");
			free(text);
		}
		return OUT_REDRAW;
	default:
		return lv_key(&se->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static unsigned sentries_context(const screen *s)
{
	return ((const sentries *)s)->dlg.kind ? CTX_DIALOG : CTX_STRUCTURE;
}

static void sentries_resume(app *a, screen *s)
{
	reload(a, (sentries *)s);
}

static void sentries_done(screen *s)
{
	sentries *se = (sentries *)s;
	dialog_close(&se->dlg);
	rows_free(se);
	free(se->forms);
	lv_done(&se->lv);
	free(se);
}

static const screen_ops sentries_ops = {
    .name = "structure",
    .ctx = CTX_STRUCTURE,
    .draw = sentries_draw,
    .key = sentries_key,
    .done = sentries_done,
    .resume = sentries_resume,
    .context = sentries_context,
};

screen *structure_entries_new(app *a)
{
	const formset *fs = a->ses->fs;
	size_t n = formset_structure_forms(fs, NULL);
	if (!n)
		return NULL;
	sentries *se = xcalloc(1, sizeof *se);
	se->base.ops = &sentries_ops;
	se->a = a;
	se->forms = xcalloc(n, sizeof *se->forms);
	for (size_t i = 0; i < fs->n_forms; i++)
		if (fs->forms[i]->scope == SCOPE_STRUCTURE)
			se->forms[se->n_forms++] = fs->forms[i];
	lv_init(&se->lv, LV_CHOOSE, false);
	reload(a, se);
	return &se->base;
}
