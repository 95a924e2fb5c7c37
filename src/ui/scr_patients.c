/* scr_patients.c — the patient list with incremental search: what is typed filters the list at
 * once on the pseudonym, and on the local name for users allowed to see it (accents and case
 * ignored). Enter opens the patient's file; F5 creates a patient. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "core/util.h"
#include "ui/ui.h"

typedef struct {
	int64_t id;
	char pseudo[16];
	char *line;   /* what the list shows */
	char *folded; /* what the search looks into */
} prow;

typedef struct {
	screen base;
	prow *rows;
	size_t n;
	size_t *shown; /* indexes of the rows matching the search */
	size_t n_shown, sel, first;
	lineedit search;
	bool identity;
} plist;

/* Lower case without accents, for matching what is typed. Caller frees. */
static char *fold(const char *s)
{
	static const char *const from[] = {"àâä", "éèêë", "îï", "ôö", "ùûü", "ç", "ÿ"};
	static const char to[] = "aeioucy";
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	while (s && *s) {
		wchar_t c;
		size_t len = utf8_decode(s, &c);
		wchar_t lc = (wchar_t)towlower((wint_t)c);
		char out = 0;
		if (lc < 0x80)
			out = (char)lc;
		for (size_t i = 0; !out && i < sizeof from / sizeof *from; i++)
			for (const char *p = from[i]; *p && !out;) {
				wchar_t fc;
				p += utf8_decode(p, &fc);
				if (fc == lc)
					out = to[i];
			}
		if (out)
			strbuf_putc(&sb, out);
		else
			strbuf_add(&sb, s, len);
		s += len;
	}
	return strbuf_take(&sb);
}

static const char *text_of(const record *r, const char *id)
{
	long i = r ? form_field_index(r->f, id) : -1;
	return i >= 0 && r->vals[i].text ? r->vals[i].text : "";
}

typedef struct {
	plist *pl;
} collect_ctx;

static void collect(void *vctx, int64_t id, const char *pseudo, const record *r)
{
	plist *pl = ((collect_ctx *)vctx)->pl;
	pl->rows = xrealloc(pl->rows, (pl->n + 1) * sizeof *pl->rows);
	prow *row = &pl->rows[pl->n++];
	row->id = id;
	snprintf(row->pseudo, sizeof row->pseudo, "%s", pseudo);
	strbuf line = STRBUF_INIT;
	strbuf_printf(&line, "%-10s  %-4s  %-9s  %-10s", pseudo, text_of(r, "sexe"),
	              text_of(r, "annee_naissance"), text_of(r, "date_inclusion"));
	strbuf search = STRBUF_INIT;
	strbuf_puts(&search, pseudo);
	if (pl->identity && r) {
		/* "Nom Prénom", with no stray blank when one of them is empty. */
		const char *nom = text_of(r, "nom"), *prenom = text_of(r, "prenom");
		strbuf_printf(&line, "  %s%s%s", nom, *nom && *prenom ? " " : "", prenom);
		strbuf_printf(&search, " %s %s", nom, prenom);
	}
	row->line = strbuf_take(&line);
	row->folded = fold(strbuf_str(&search));
	strbuf_done(&search);
}

static void clear_rows(plist *pl)
{
	for (size_t i = 0; i < pl->n; i++) {
		free(pl->rows[i].line);
		free(pl->rows[i].folded);
	}
	free(pl->rows);
	free(pl->shown);
	pl->rows = NULL;
	pl->shown = NULL;
	pl->n = pl->n_shown = 0;
}

static void filter_rows(plist *pl)
{
	char *typed = le_text(&pl->search);
	char *needle = fold(typed);
	/* A pseudonym is often typed with its dash or without: ignore dashes on both sides. */
	char *p = needle, *q = needle;
	for (; *p; p++)
		if (*p != '-')
			*q++ = *p;
	*q = '\0';
	pl->n_shown = 0;
	for (size_t i = 0; i < pl->n; i++) {
		char *hay = xstrdup(pl->rows[i].folded);
		char *h = hay, *o = hay;
		for (; *h; h++)
			if (*h != '-')
				*o++ = *h;
		*o = '\0';
		if (!*needle || strstr(hay, needle))
			pl->shown[pl->n_shown++] = i;
		free(hay);
	}
	if (pl->sel >= pl->n_shown)
		pl->sel = pl->n_shown ? pl->n_shown - 1 : 0;
	free(typed);
	free(needle);
}

static void reload(app *a, plist *pl)
{
	clear_rows(pl);
	collect_ctx cc = {pl};
	char *why = NULL;
	if (store_patient_each(a->ctx->st, a->ctx->fs, collect, &cc, &why)) {
		app_message(a, true, "%s", why);
		free(why);
	}
	pl->shown = xcalloc(pl->n ? pl->n : 1, sizeof *pl->shown);
	filter_rows(pl);
}

static void plist_draw(app *a, screen *s)
{
	plist *pl = (plist *)s;
	app_draw_frame(a, _("recueil — patients"), screen_ctx(s));
	char buf[200];
	snprintf(buf, sizeof buf, _("Chercher (%zu sur %zu) : "), pl->n_shown, pl->n);
	int x = put_text(2, 1, COLS - 2, buf, attr_title(), false) + 1;
	int cx = le_draw(&pl->search, 2, x, COLS - x - 1, A_UNDERLINE);
	put_text(4, 1, COLS - 2,
	         pl->identity ? _("Pseudonyme  Sexe  Naissance  Inclusion   Nom")
	                      : _("Pseudonyme  Sexe  Naissance  Inclusion"),
	         attr_title(), true);
	int rows = LINES - 8;
	if (rows < 1)
		rows = 1;
	if (pl->sel < pl->first)
		pl->first = pl->sel;
	if (pl->sel >= pl->first + (size_t)rows)
		pl->first = pl->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && pl->first + (size_t)i < pl->n_shown; i++) {
		size_t k = pl->first + (size_t)i;
		unsigned long at = k == pl->sel ? attr_focus() : A_NORMAL;
		put_blank(5 + i, 1, COLS - 2, at);
		put_text(5 + i, 1, COLS - 2, pl->rows[pl->shown[k]].line, at, true);
	}
	if (!pl->n_shown)
		put_text(5, 1, COLS - 2,
		         pl->n ? _("Aucun patient ne correspond.")
		               : _("Aucun patient : F5 ou ^N pour en créer un."),
		         A_NORMAL, true);
	term_cursor(true);
	move(2, cx);
}

static outcome plist_key(app *a, screen *s, const ui_key *k)
{
	plist *pl = (plist *)s;
	size_t page = LINES > 9 ? (size_t)LINES - 9 : 1;
	switch (k->act) {
	case ACT_UP:
		if (pl->sel)
			pl->sel--;
		return OUT_REDRAW;
	case ACT_DOWN:
		if (pl->sel + 1 < pl->n_shown)
			pl->sel++;
		return OUT_REDRAW;
	case ACT_PGUP:
		pl->sel = pl->sel > page ? pl->sel - page : 0;
		return OUT_REDRAW;
	case ACT_PGDN:
		pl->sel = pl->sel + page < pl->n_shown ? pl->sel + page : (pl->n_shown ? pl->n_shown - 1 : 0);
		return OUT_REDRAW;
	case ACT_OPEN:
		if (pl->n_shown) {
			const prow *r = &pl->rows[pl->shown[pl->sel]];
			app_push(a, patient_file_new(a, r->id, r->pseudo));
		}
		return OUT_REDRAW;
	case ACT_NEW: {
		char *why = NULL;
		screen *f = form_screen_new(a, 0, "", "patient", NULL, 0, &why);
		if (!f) {
			app_message(a, true, "%s", why);
			free(why);
		} else {
			app_push(a, f);
		}
		return OUT_REDRAW;
	}
	case ACT_HELP:
		app_push(a, help_new(a));
		return OUT_REDRAW;
	case ACT_QUIT:
		return OUT_QUIT;
	case ACT_BACK:
		return OUT_CLOSE;
	default:
		if (le_key(&pl->search, k)) {
			pl->sel = 0;
			filter_rows(pl);
		}
		return OUT_REDRAW;
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
	le_done(&pl->search);
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
	pl->identity = app_sees_identity(a);
	le_init(&pl->search, "");
	reload(a, pl);
	return &pl->base;
}
