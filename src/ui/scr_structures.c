/* scr_structures.c — the coordinator's ledger (coordination and above), read from the same
 * model as `recueil structures` (export/ledger.h): one row per structure known to the regional
 * database with its last export imported (number, period, made, imported, period over) and what
 * its data cover of the period of the next deadline (F11 to choose another); under the list, the
 * chosen structure's name, the export numbers never received and why its data do not cover
 * the period. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/ledger.h"
#include "ui/listview.h"

typedef struct {
	screen base;
	ledger *l;
	period per;
	bool have_period;
	deadline next;
	bool is_next; /* per is the period of the next deadline */
	listview lv;
	dialog dlg;
	app *a;
} structures_scr;

enum { TAG_PERIOD = 1 };

static const char period_question[] = N_("Période à vérifier : 2026, 2026-S1, 2026-T3, 2026-11 ou "
                                         "2026-01-01..2026-06-30. Entrée : valider ; Échap : annuler.");

static void reload(app *a, structures_scr *x)
{
	ledger_free(x->l);
	char *why = NULL;
	int code = 0;
	x->l = ledger_load(a->ses->db, &why, &code);
	if (!x->l) {
		app_message(a, true, _("structures impossibles à lire : %s"), why);
		free(why);
	}
	lv_set_count(&x->lv, x->l ? x->l->n : 0);
}

/* The columns of a row, as `recueil structures` prints them. */
enum { COL_SEQ = 12, COL_PERIOD = 18, COL_MADE = 31, COL_GOT = 43, COL_CLOSED = 55, COL_COVER = 62 };

static const char *cover_word(ledger_cover c)
{
	return c == LEDGER_FULL ? _("complète") : c == LEDGER_PARTIAL ? _("partielle") : _("aucune");
}

static void put_columns(int y, const char *code, const char *seq, const char *per, const char *made,
                        const char *got, const char *closed, const char *cover, unsigned long attr)
{
	draw_text(y, 2, COL_SEQ - 3, code, attr, true);
	int w = draw_width(seq);
	draw_text(y, COL_SEQ + 4 - w, w, seq, attr, false);
	draw_text(y, COL_PERIOD, COL_MADE - COL_PERIOD - 1, per, attr, true);
	draw_text(y, COL_MADE, 10, made, attr, false);
	draw_text(y, COL_GOT, 10, got, attr, false);
	draw_text(y, COL_CLOSED, 5, closed, attr, false);
	draw_text(y, COL_COVER, COLS - COL_COVER - 1, cover, attr, true);
}

static void structures_row(void *ctx, size_t i, int y, bool selected)
{
	const structures_scr *x = ctx;
	const ledger_structure *st = &x->l->v[i];
	unsigned long attr = selected ? draw_attr_focus() : A_NORMAL;
	draw_blank(y, 1, COLS - 2, attr);
	char seq[24] = "–", made[16], got[16];
	if (st->sequence)
		snprintf(seq, sizeof seq, "%lld", (long long)st->sequence);
	ledger_french_date(st->exported_at, made);
	ledger_french_date(st->imported_at, got);
	const char *closed = !st->sequence       ? "–"
	                     : st->complete == 1 ? _("oui")
	                     : st->complete == 0 ? _("non")
	                                         : "?";
	ledger_cover c = ledger_cover_of(st, &x->per);
	put_columns(y, st->code, seq, st->period ? st->period : "–", made, got, closed, cover_word(c),
	            attr | (c == LEDGER_FULL || selected ? 0 : A_BOLD));
}

/* Under the list: the chosen structure's name, its gaps and why its data do not cover the
 * period, wrapped, in the rows from y to bottom. */
static void draw_detail(const structures_scr *x, int y, int bottom)
{
	if (!x->l || !x->l->n || y > bottom)
		return;
	const ledger_structure *st = &x->l->v[x->lv.sel];
	strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%s%s%s", st->code, *st->name ? " — " : "", st->name);
	if (st->sequence) {
		char *src = ledger_source_text(st);
		strbuf_printf(&sb, " : %s.", src);
		free(src);
	}
	if (st->n_missing) {
		strbuf_printf(&sb, _(" Numéros jamais importés :"));
		for (size_t k = 0; k < st->n_missing; k++)
			strbuf_printf(&sb, "%s %lld", k ? "," : "", (long long)st->missing[k]);
		strbuf_puts(&sb, ".");
	}
	char *why = ledger_cover_why(st, &x->per);
	if (why) {
		strbuf_printf(&sb, _(" Période %s non couverte : %s."), x->per.label, why);
		free(why);
	}
	char **lines = NULL;
	size_t n = draw_wrap(strbuf_str(&sb), COLS - 4, &lines);
	for (size_t i = 0; i < n && y <= bottom; i++, y++)
		draw_text(y, 2, COLS - 4, lines[i], A_NORMAL, true);
	lines_free(lines, n);
	strbuf_done(&sb);
}

static void structures_draw(app *a, screen *s)
{
	structures_scr *x = (structures_scr *)s;
	app_draw_frame(a, _("recueil — structures de la région"), screen_ctx(s));
	int w = COLS - 4;
	char buf[400], d1[16], d2[16], due[16];
	if (!x->have_period || !x->l) {
		draw_text(2, 2, w, _("Aucune période : F11 ou ^T pour la choisir."), draw_attr_title(), true);
		dialog_draw(&x->dlg);
		return;
	}
	char iso[11];
	date_format(x->per.first, iso);
	ledger_french_date(iso, d1);
	date_format(x->per.last, iso);
	ledger_french_date(iso, d2);
	if (x->is_next) {
		date_format(x->next.due, iso);
		ledger_french_date(iso, due);
		snprintf(buf, sizeof buf, _("Échéance du %s : période %s (du %s au %s)"), due, x->per.label,
		         d1, d2);
	} else {
		snprintf(buf, sizeof buf, _("Période %s (du %s au %s)"), x->per.label, d1, d2);
	}
	draw_text(2, 2, w, buf, draw_attr_title(), true);
	size_t late = 0;
	for (size_t i = 0; i < x->l->n; i++)
		late += ledger_cover_of(&x->l->v[i], &x->per) != LEDGER_FULL;
	if (!x->l->n)
		snprintf(buf, sizeof buf, "%s",
		         _("Aucune structure connue : cette base n'a importé aucun export."));
	else
		snprintf(buf, sizeof buf,
		         _("%zu structure(s) connue(s) ; sans export couvrant toute la période : %zu"),
		         x->l->n, late);
	draw_text(3, 2, w, buf, late ? A_BOLD : A_NORMAL, true);
	if (x->l->n)
		put_columns(4, _("structure"), _("n°"), _("période"), _("fait le"), _("importé le"),
		            _("close"), _("couverture"), draw_attr_dim());
	int bottom = LINES - 3, rows = bottom - 5 - 3; /* three rows of detail under the list */
	size_t shown = lv_draw(&x->lv, 5, rows > 1 ? rows : 1, true, structures_row, x);
	draw_detail(x, 5 + (int)shown + 1, bottom);
	dialog_draw(&x->dlg);
}

static outcome structures_key(app *a, screen *s, const ui_key *k)
{
	structures_scr *x = (structures_scr *)s;
	if (x->dlg.kind) {
		if (period_key(&x->dlg, TAG_PERIOD, _(period_question), k, &x->per)) {
			x->have_period = true;
			x->is_next = false;
			reload(a, x);
		}
		return OUT_REDRAW;
	}
	switch (k->act) {
	case ACT_PERIOD:
		period_ask(&x->dlg, TAG_PERIOD, _(period_question), x->have_period ? &x->per : NULL, NULL);
		return OUT_REDRAW;
	default:
		return lv_key(&x->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static unsigned structures_context(const screen *s)
{
	return ((const structures_scr *)s)->dlg.kind ? CTX_DIALOG : CTX_LEDGER;
}

static void structures_resume(app *a, screen *s)
{
	reload(a, (structures_scr *)s);
}

static void structures_done(screen *s)
{
	structures_scr *x = (structures_scr *)s;
	dialog_close(&x->dlg);
	ledger_free(x->l);
	lv_done(&x->lv);
	free(x);
}

static const screen_ops structures_ops = {
    .name = "structures",
    .ctx = CTX_LEDGER,
    .draw = structures_draw,
    .key = structures_key,
    .done = structures_done,
    .context = structures_context,
    .resume = structures_resume,
};

screen *structures_new(app *a)
{
	structures_scr *x = xcalloc(1, sizeof *x);
	x->base.ops = &structures_ops;
	x->a = a;
	lv_init(&x->lv, LV_CHOOSE, false);
	x->have_period = period_start(a, &x->dlg, TAG_PERIOD, _(period_question), &x->per, &x->next);
	x->is_next = x->have_period;
	reload(a, x);
	return &x->base;
}
