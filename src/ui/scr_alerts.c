/* scr_alerts.c — clinical alerts waiting for a professional (alerts: in the forms' YAML, raised
 * when an entry is saved): the rows shared with the patient file and the home screen, the
 * acknowledgement (who and when, with an optional note), and the screen listing the open alerts
 * of all patients, most urgent first. Enter opens the patient's file; F8 acknowledges. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/listview.h"

/* ------------------------------------------------------------ rows */

/* s cut or padded to exactly width display columns ("…" when cut). Caller frees. */
static char *fit(const char *s, int width)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	int w = 0, total = draw_width(s);
	int room = total > width ? width - 1 : width;
	while (*s) {
		wchar_t c;
		size_t len = draw_utf8_decode(s, &c);
		char one[8] = {0};
		memcpy(one, s, len);
		int cw = draw_width(one);
		if (w + cw > room)
			break;
		strbuf_add(&sb, s, len);
		w += cw;
		s += len;
	}
	if (total > width && width > 0) {
		strbuf_puts(&sb, "…");
		w++;
	}
	for (; w < width; w++)
		strbuf_putc(&sb, ' ');
	return strbuf_take(&sb);
}

typedef struct {
	app *a;
	bool with_patient;
	alert_row *v;
	size_t n, urgent;
} load_ctx;

static void add_alert(void *vctx, const alert_info *ai)
{
	load_ctx *lc = vctx;
	app *a = lc->a;
	lc->v = xrealloc(lc->v, (lc->n + 1) * sizeof *lc->v);
	alert_row *r = &lc->v[lc->n++];
	memset(r, 0, sizeof *r);
	r->id = ai->id;
	snprintf(r->level, sizeof r->level, "%s", ai->level);
	snprintf(r->pseudo, sizeof r->pseudo, "%s", ai->pseudonym);
	snprintf(r->form, sizeof r->form, "%s", ai->form);
	snprintf(r->entry_uuid, sizeof r->entry_uuid, "%s", ai->entry_uuid);
	if (alert_level_rank(ai->level) == 2)
		lc->urgent++;
	/* The stored message is the rule's French text: the form gives it in the user's language. */
	const form *f = formset_form(a->ses->fs, ai->form);
	const char *message = ai->message ? ai->message : "";
	for (size_t k = 0; f && k < f->n_alerts; k++)
		if (strcmp(f->alerts[k].id, ai->rule) == 0 && f->alerts[k].message.fr)
			message = i18n_get(&f->alerts[k].message, a->lang);
	r->message = xstrdup(message);
	char *level = fit(alert_level_word(ai->level), 9);
	char *title = fit(f ? i18n_get(&f->title, a->lang) : ai->form, 16);
	if (lc->with_patient)
		r->line = xasprintf("%s %s  %-10s  %s  %s", level, ai->date, ai->pseudonym, title, message);
	else /* the patient's file: its timeline names the form, the message needs the room */
		r->line = xasprintf("%s %s  %s", level, ai->date, message);
	free(level);
	free(title);
	r->raised = xasprintf(_("levée le %.10s à %.5s par %s"), ai->raised_at,
	                      ai->raised_at[0] && ai->raised_at[10] ? ai->raised_at + 11 : "", ai->raised_by);
}

size_t alert_rows_load(app *a, int64_t patient_id, alert_row **out, size_t *urgent)
{
	load_ctx lc = {a, patient_id == 0, NULL, 0, 0};
	char *why = NULL;
	if (store_alert_each(a->ses->db, patient_id, false, add_alert, &lc, &why)) {
		app_message(a, true, "%s", why);
		free(why);
	}
	*out = lc.v;
	if (urgent)
		*urgent = lc.urgent;
	return lc.n;
}

void alert_rows_free(alert_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].line);
		free(v[i].message);
		free(v[i].raised);
	}
	free(v);
}

void alert_row_draw(const alert_row *r, int y, int x, int width, bool selected)
{
	unsigned long at = selected ? draw_attr_focus() | A_BOLD : draw_attr_alert(r->level);
	draw_blank(y, x, width, at);
	draw_text(y, x, 2, selected ? "▸" : " ", at, false);
	draw_text(y, x + 2, width - 2, r->line, at, true);
}

void alert_ack_ask(app *a, dialog *d, int tag, const alert_row *r)
{
	const form *f = formset_form(a->ses->fs, r->form);
	char *text =
	    xasprintf(_("%s — %s\nPatient %s · %s · %s\nNote facultative, puis Entrée pour acquitter "
	                "(qui et quand sont notés) ; Échap : annuler."),
	              alert_level_word(r->level), r->message, r->pseudo,
	              f ? i18n_get(&f->title, a->lang) : r->form, r->raised);
	dialog_input(d, tag, _("Acquitter l'alerte clinique"), text, "");
	free(text);
}

bool alert_ack_record(app *a, const alert_row *r, const char *note)
{
	char *why = NULL;
	if (store_alert_ack(a->ses->db, r->id, a->ses->login, note, &why)) {
		app_message(a, true, _("alerte non acquittée : %s"), why);
		free(why);
		return false;
	}
	char now[32];
	time_now_iso(now, sizeof now);
	app_message(a, false, _("Alerte de %s acquittée par %s le %.10s à %.5s."), r->pseudo, a->ses->login,
	            now, now[0] && now[10] ? now + 11 : "");
	return true;
}

/* ------------------------------------------------------------ the screen */

typedef struct {
	screen base;
	alert_row *v;
	size_t n, urgent;
	listview lv;
	dialog dlg;
} alerts;

enum { TAG_ACK = 1 };

static void reload(app *a, alerts *al)
{
	alert_rows_free(al->v, al->n);
	al->n = alert_rows_load(a, 0, &al->v, &al->urgent);
	lv_set_count(&al->lv, al->n);
}

static void alerts_row(void *ctx, size_t i, int y, bool selected)
{
	const alerts *al = ctx;
	alert_row_draw(&al->v[i], y, 1, COLS - 2, selected);
}

static void alerts_draw(app *a, screen *s)
{
	alerts *al = (alerts *)s;
	app_draw_frame(a, _("recueil — alertes cliniques"), screen_ctx(s));
	char buf[200];
	if (al->urgent)
		snprintf(buf, sizeof buf,
		         al->urgent == 1 ? _("Alertes cliniques en attente : %zu (dont %zu urgente)")
		                         : _("Alertes cliniques en attente : %zu (dont %zu urgentes)"),
		         al->n, al->urgent);
	else
		snprintf(buf, sizeof buf, _("Alertes cliniques en attente : %zu"), al->n);
	draw_text(2, 2, COLS - 4, buf, draw_attr_title(), true);
	draw_text(3, 2, COLS - 4, _("Entrée : ouvrir le dossier du patient ; F8 ou ^K : acquitter l'alerte."),
	          A_NORMAL, true);
	char *lv = fit(_("Niveau"), 9), *dt = fit(_("Date"), 10), *ps = fit(_("Pseudonyme"), 10),
	     *fm = fit(_("Formulaire"), 16);
	snprintf(buf, sizeof buf, "  %s %s  %s  %s  %s", lv, dt, ps, fm, _("Message"));
	draw_text(4, 1, COLS - 2, buf, draw_attr_title(), true);
	free(lv);
	free(dt);
	free(ps);
	free(fm);
	int detail = 3; /* the full message and who raised it, under the list */
	int top = 5;
	lv_draw(&al->lv, top, LINES - 3 - top - detail, true, alerts_row, al);
	if (!al->n) {
		draw_text(top, 2, COLS - 4, _("Aucune alerte clinique en attente."), A_NORMAL, true);
	} else {
		const alert_row *r = &al->v[al->lv.sel];
		int y = LINES - 2 - detail;
		char **lines;
		size_t nl = draw_wrap(r->message, COLS - 4, &lines);
		for (size_t k = 0; k < nl && k < 2; k++)
			draw_text(y + (int)k, 2, COLS - 4, lines[k], draw_attr_title(), k == 1);
		lines_free(lines, nl);
		draw_text(y + 2, 2, COLS - 4, r->raised, draw_attr_dim(), true);
	}
	dialog_draw(&al->dlg);
}

static outcome alerts_key(app *a, screen *s, const ui_key *k)
{
	alerts *al = (alerts *)s;
	if (al->dlg.kind) {
		int answer = 0;
		dialog_result r = dialog_key(&al->dlg, k, &answer);
		if (r == DR_OPEN)
			return OUT_REDRAW;
		char *note = r == DR_DONE ? le_text(&al->dlg.edit) : NULL;
		dialog_close(&al->dlg);
		if (note && al->n)
			alert_ack_record(a, &al->v[al->lv.sel], note);
		free(note);
		reload(a, al);
		return OUT_REDRAW;
	}
	const alert_row *r = al->n ? &al->v[al->lv.sel] : NULL;
	switch (k->act) {
	case ACT_OPEN: {
		if (!r)
			return OUT_NONE;
		char pseudo[16];
		int64_t id = store_patient_find(a->ses->db, r->pseudo, pseudo);
		if (!id) {
			app_message(a, true, _("patient %s introuvable"), r->pseudo);
			return OUT_REDRAW;
		}
		app_push(a, patient_file_new(a, id, pseudo));
		return OUT_REDRAW;
	}
	case ACT_ACK:
		if (r)
			alert_ack_ask(a, &al->dlg, TAG_ACK, r);
		else
			app_message(a, false, "%s", _("Aucune alerte clinique en attente."));
		return OUT_REDRAW;
	default:
		return lv_key(&al->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static unsigned alerts_context(const screen *s)
{
	return ((const alerts *)s)->dlg.kind ? CTX_DIALOG : CTX_ALERTS;
}

static void alerts_resume(app *a, screen *s)
{
	reload(a, (alerts *)s);
}

static void alerts_done(screen *s)
{
	alerts *al = (alerts *)s;
	dialog_close(&al->dlg);
	alert_rows_free(al->v, al->n);
	lv_done(&al->lv);
	free(al);
}

static const screen_ops alerts_ops = {
    .name = "alerts",
    .ctx = CTX_ALERTS,
    .draw = alerts_draw,
    .key = alerts_key,
    .done = alerts_done,
    .resume = alerts_resume,
    .context = alerts_context,
};

screen *alerts_new(app *a)
{
	alerts *al = xcalloc(1, sizeof *al);
	al->base.ops = &alerts_ops;
	lv_init(&al->lv, LV_CHOOSE, false);
	reload(a, al);
	return &al->base;
}
