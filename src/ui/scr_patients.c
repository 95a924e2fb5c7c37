/* scr_patients.c — the patient list with incremental search: what is typed filters the list at
 * once on the pseudonym, and on the local name for users allowed to see it (accents and case
 * ignored). Enter opens the patient's file; F5 creates a patient. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/listview.h"

typedef struct {
	int64_t id;
	char pseudo[16];
	size_t line; /* offset in plist.text of what the list shows */
	size_t hay;  /* offset in plist.text of what the search looks into: folded, no dashes */
} prow;

typedef struct {
	screen base;
	prow *rows;
	size_t n, cap;
	strbuf text;   /* every row's line and search text, each ended by a NUL */
	size_t *shown; /* indexes of the rows matching the search, in list order */
	size_t n_shown;
	char *needle; /* the folded search the shown rows match; NULL: none applied yet */
	listview lv;  /* over the rows shown, with the search line */
	bool identity;
} plist;

static const char *row_line(const plist *pl, size_t i)
{
	return pl->text.s + pl->rows[i].line;
}

static const char *row_hay(const plist *pl, size_t i)
{
	return pl->text.s + pl->rows[i].hay;
}

/* The fields of the patient form the list reads, in this order; the last two (the identity)
 * only for users allowed to see it. */
static const char *const list_fields[] = {"sexe", "annee_naissance", "date_inclusion", "nom", "prenom"};
enum { F_SEXE, F_NAISSANCE, F_INCLUSION, F_NOM, F_PRENOM, N_LIST_FIELDS };

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Append s padded with blanks to width bytes, as printf's "%-*s" would (the columns padded are
 * ASCII: pseudonym, code, year, date), without printf's cost for 100,000 rows. */
static void put_padded(strbuf *sb, const char *s, size_t width)
{
	static const char blanks[] = "          ";
	size_t len = strlen(s);
	strbuf_add(sb, s, len);
	while (len < width) {
		size_t k = width - len < sizeof blanks - 1 ? width - len : sizeof blanks - 1;
		strbuf_add(sb, blanks, k);
		len += k;
	}
}

static void collect(void *vctx, const patient_row *r)
{
	plist *pl = vctx;
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? 2 * pl->cap : 256;
		pl->rows = xrealloc(pl->rows, pl->cap * sizeof *pl->rows);
	}
	prow *row = &pl->rows[pl->n++];
	row->id = r->id;
	snprintf(row->pseudo, sizeof row->pseudo, "%s", r->pseudonym);
	const char *const *t = r->texts;
	row->line = pl->text.len;
	/* "%-10s  %-4s  %-9s  %-10s" */
	put_padded(&pl->text, r->pseudonym, 10);
	strbuf_puts(&pl->text, "  ");
	put_padded(&pl->text, or_empty(t[F_SEXE]), 4);
	strbuf_puts(&pl->text, "  ");
	put_padded(&pl->text, or_empty(t[F_NAISSANCE]), 9);
	strbuf_puts(&pl->text, "  ");
	put_padded(&pl->text, or_empty(t[F_INCLUSION]), 10);
	bool names = pl->identity && r->has_record;
	const char *nom = names ? or_empty(t[F_NOM]) : "", *prenom = names ? or_empty(t[F_PRENOM]) : "";
	if (names) { /* "Nom Prénom", with no stray blank when one of them is empty. */
		strbuf_puts(&pl->text, "  ");
		strbuf_puts(&pl->text, nom);
		strbuf_puts(&pl->text, *nom && *prenom ? " " : "");
		strbuf_puts(&pl->text, prenom);
	}
	strbuf_putc(&pl->text, '\0');
	row->hay = pl->text.len;
	draw_fold(&pl->text, r->pseudonym);
	if (names) {
		draw_fold(&pl->text, " ");
		draw_fold(&pl->text, nom);
		draw_fold(&pl->text, " ");
		draw_fold(&pl->text, prenom);
	}
	strbuf_putc(&pl->text, '\0');
}

static void clear_rows(plist *pl)
{
	free(pl->rows);
	free(pl->shown);
	free(pl->needle);
	strbuf_done(&pl->text);
	pl->rows = NULL;
	pl->shown = NULL;
	pl->needle = NULL;
	pl->n = pl->cap = pl->n_shown = 0;
}

/* Show the rows whose search text contains what is typed. Each keystroke costs one scan without
 * allocation per row: when the new needle contains the previous one (typing), only the rows
 * shown can match and only they are looked at; otherwise (a deletion) every row is. */
static void filter_rows(plist *pl)
{
	char *typed = le_text(&pl->lv.search);
	strbuf nb = STRBUF_INIT;
	strbuf_add(&nb, "", 0);
	draw_fold(&nb, typed);
	free(typed);
	char *needle = strbuf_take(&nb);
	if (pl->needle && strcmp(needle, pl->needle) == 0) {
		free(needle);
		return;
	}
	if (!pl->needle || !strstr(needle, pl->needle)) {
		for (size_t i = 0; i < pl->n; i++)
			pl->shown[i] = i;
		pl->n_shown = pl->n;
	}
	if (*needle) {
		size_t k = 0;
		for (size_t j = 0; j < pl->n_shown; j++)
			if (strstr(row_hay(pl, pl->shown[j]), needle))
				pl->shown[k++] = pl->shown[j];
		pl->n_shown = k;
	}
	free(pl->needle);
	pl->needle = needle;
	lv_set_count(&pl->lv, pl->n_shown);
}

static void reload(app *a, plist *pl)
{
	clear_rows(pl);
	char *why = NULL;
	if (store_patient_rows(a->ses->db, a->ses->fs, list_fields, pl->identity ? N_LIST_FIELDS : F_NOM,
	                       collect, pl, &why)) {
		app_message(a, true, "%s", why);
		free(why);
	}
	pl->shown = xcalloc(pl->n ? pl->n : 1, sizeof *pl->shown);
	filter_rows(pl);
}

static void plist_row(void *ctx, size_t i, int y, bool selected)
{
	const plist *pl = ctx;
	lv_put_row(y, 1, COLS - 2, 0, row_line(pl, pl->shown[i]), selected);
}

static void plist_draw(app *a, screen *s)
{
	plist *pl = (plist *)s;
	app_draw_frame(a, _("recueil — patients"), screen_ctx(s));
	char buf[200];
	snprintf(buf, sizeof buf, _("Chercher (%zu sur %zu) : "), pl->n_shown, pl->n);
	int x = draw_text(2, 1, COLS - 2, buf, draw_attr_title(), false) + 1;
	int cx = le_draw(&pl->lv.search, 2, x, COLS - x - 1, A_UNDERLINE);
	draw_text(4, 1, COLS - 2,
	          pl->identity ? _("Pseudonyme  Sexe  Naissance  Inclusion   Nom")
	                       : _("Pseudonyme  Sexe  Naissance  Inclusion"),
	          draw_attr_title(), true);
	lv_draw(&pl->lv, 5, LINES - 8, true, plist_row, pl);
	if (!pl->n_shown)
		draw_text(5, 1, COLS - 2,
		          pl->n ? _("Aucun patient ne correspond.")
		                : _("Aucun patient : F5 ou ^N pour en créer un."),
		          A_NORMAL, true);
	term_cursor(true);
	move(2, cx);
}

static outcome plist_key(app *a, screen *s, const ui_key *k)
{
	plist *pl = (plist *)s;
	switch (k->act) {
	case ACT_OPEN:
		if (pl->n_shown) {
			const prow *r = &pl->rows[pl->shown[pl->lv.sel]];
			app_push(a, patient_file_new(a, r->id, r->pseudo));
		}
		return OUT_REDRAW;
	case ACT_NEW:
		return app_open_form(a, 0, "", "patient", NULL);
	default:
		switch (lv_key(&pl->lv, k)) {
		case LV_SEARCH:
			filter_rows(pl);
			return OUT_REDRAW;
		case LV_MOVED:
			return OUT_REDRAW;
		default:
			return OUT_NONE; /* Help, Back, Quit: what every screen does (app.c) */
		}
	}
}

static void plist_resume(app *a, screen *s)
{
	reload(a, (plist *)s);
}

static void plist_done(screen *s)
{
	plist *pl = (plist *)s;
	clear_rows(pl);
	lv_done(&pl->lv);
	free(pl);
}

static const screen_ops plist_ops = {
    .name = "patients",
    .ctx = CTX_LIST,
    .draw = plist_draw,
    .key = plist_key,
    .done = plist_done,
    .resume = plist_resume,
};

screen *patients_new(app *a)
{
	plist *pl = xcalloc(1, sizeof *pl);
	pl->base.ops = &plist_ops;
	pl->identity = session_may(a->ses, PERM_SEE_IDENTITY);
	lv_init(&pl->lv, LV_CHOOSE, true);
	reload(a, pl);
	return &pl->base;
}
