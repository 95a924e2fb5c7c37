/* scr_home.c — the home screen: the structure, who is logged in, the next reporting deadline and
 * what needs doing (clinical alerts waiting, urgent ones first; incomplete entries, screenings
 * due, drafts; patients kept past the retention period), and a short menu. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "export/report.h"
#include "ui/ui.h"

typedef struct {
	screen base;
	size_t sel;
	store_counts counts;
	long due;              /* screenings due (report_hcv_due), -1 when not counted */
	size_t alerts, urgent; /* open clinical alerts, and how many of them are urgent */
	int64_t expired;       /* patients past the retention period of reporting.yaml */
} home;

enum {
	ITEM_PATIENTS,
	ITEM_ALERTS,
	ITEM_DRAFTS,
	ITEM_REPORT,
	ITEM_EXPORT,
	ITEM_STRUCTURES,
	ITEM_OWN_FORMS, /* only when the forms have some of scope: structure */
	ITEM_HELP,
	ITEM_QUIT,
	ITEM_COUNT
};

/* The items of the menu, in order, into ids; their number. */
static size_t menu_items(app *a, int ids[ITEM_COUNT])
{
	size_t n = 0;
	for (int i = 0; i < ITEM_COUNT; i++)
		if (i != ITEM_OWN_FORMS || formset_structure_forms(a->ses->fs, NULL))
			ids[n++] = i;
	return n;
}

/* The menu line of the structure's own forms: the form's title when there is one, else
 * generic. */
static void own_forms_item(app *a, char *buf, size_t size)
{
	const form *first = NULL;
	size_t n = formset_structure_forms(a->ses->fs, &first);
	if (n == 1)
		snprintf(buf, size, _("Fiches de la structure : %s (f)"), i18n_get(&first->title, a->lang));
	else
		snprintf(buf, size, "%s", _("Fiches de la structure : réunions d'équipe… (f)"));
}

static void refresh_counts(app *a, home *h)
{
	char *why = NULL;
	if (store_counts_get(a->ses->db, a->ses->login, &h->counts, &why)) {
		app_message(a, true, "%s", why);
		free(why);
		why = NULL;
	}
	/* The screenings due, as the report counts them (report_hcv_due). */
	if (report_hcv_due(a->ses->db, a->ses->fs, date_today(), &h->due, &why)) {
		app_message(a, true, "%s", why);
		free(why);
	}
	/* Counted, not loaded: a regional database may hold thousands of open alerts. */
	int64_t urgent = 0;
	h->alerts = (size_t)store_alert_open_counts(a->ses->db, 0, &urgent);
	h->urgent = (size_t)urgent;
	long cutoff = reporting_retention_cutoff(a->ses->fs->reporting, date_today());
	h->expired = cutoff >= 0 ? store_expired_count(a->ses->db, cutoff) : 0;
}

/* The next deadline on or after today: its text into buf; false if the calendar has none. The
 * export and report screens propose the period it covers. */
static bool next_deadline(app *a, char *buf, size_t size)
{
	deadline d;
	if (!app_next_deadline(a, &d))
		return false;
	char date[11];
	date_format(d.due, date);
	const char *label = d.rule->label.fr ? i18n_get(&d.rule->label, a->lang) : "";
	snprintf(buf, size, _("%s le %s (dans %ld jours) : %s"), d.covers.label, date, d.due - date_today(),
	         label);
	return true;
}

static void home_draw(app *a, screen *s)
{
	home *h = (home *)s;
	char code[64] = "", name[256] = "";
	store_structure(a->ses->db, code, name);
	char title[400];
	snprintf(title, sizeof title, "recueil — %s %s", code, name);
	app_draw_frame(a, title, s->ops->ctx);
	int y = 2, x = 2, w = COLS - 4;
	char buf[512], date[11];
	date_format(date_today(), date);
	snprintf(buf, sizeof buf, _("Structure : %s — %s"), code, name);
	draw_text(y++, x, w, buf, A_NORMAL, true);
	snprintf(buf, sizeof buf, _("Utilisateur : %s, rôle %s"), a->ses->login, a->ses->role);
	draw_text(y++, x, w, buf, A_NORMAL, true);
	snprintf(buf, sizeof buf, _("Aujourd'hui : %s"), date);
	draw_text(y++, x, w, buf, A_NORMAL, true);
	char dl[300];
	if (next_deadline(a, dl, sizeof dl)) {
		snprintf(buf, sizeof buf, _("Prochaine échéance : %s"), dl);
		draw_text(y++, x, w, buf, A_BOLD, true);
	}
	y += LINES >= 20; /* blank lines only where there is room for them */
	/* Clinical alerts first: an urgent one stands out (bold, underlined), even in monochrome. */
	if (h->urgent)
		snprintf(buf, sizeof buf,
		         h->urgent == 1 ? _("Alertes cliniques en attente : %zu (dont %zu urgente)")
		                        : _("Alertes cliniques en attente : %zu (dont %zu urgentes)"),
		         h->alerts, h->urgent);
	else
		snprintf(buf, sizeof buf, _("Alertes cliniques en attente : %zu"), h->alerts);
	if (h->alerts) {
		unsigned long at = h->urgent ? draw_attr_alert("urgent") : draw_attr_alert("attention");
		int used = draw_text(y, x, w, buf, at, true);
		draw_text(y++, x + used, w - used, _("  (a : voir)"), A_NORMAL, true);
	} else {
		draw_text(y++, x, w, buf, A_NORMAL, true);
	}
	snprintf(buf, sizeof buf, _("Patients suivis : %ld"), h->counts.patients);
	draw_text(y++, x, w, buf, A_NORMAL, true);
	snprintf(buf, sizeof buf, _("Entrées incomplètes ou en brouillon : %ld"), h->counts.incomplete);
	draw_text(y++, x, w, buf, h->counts.incomplete ? A_BOLD : A_NORMAL, true);
	if (h->due >= 0) {
		snprintf(buf, sizeof buf,
		         _("Dépistages VHC à faire (patients suivis ces 12 derniers mois) : %ld"), h->due);
		draw_text(y++, x, w, buf, h->due ? A_BOLD : A_NORMAL, true);
	}
	snprintf(buf, sizeof buf, _("Saisies interrompues à reprendre : %ld"), h->counts.drafts);
	draw_text(y++, x, w, buf, h->counts.drafts ? A_BOLD : A_NORMAL, true);
	if (h->expired) { /* only then: most structures never see it */
		snprintf(
		    buf, sizeof buf,
		    h->expired == 1
		        ? _("%lld dossier a dépassé la durée de conservation (recueil purge --expired)")
		        : _("%lld dossiers ont dépassé la durée de conservation (recueil purge --expired)"),
		    (long long)h->expired);
		draw_text(y++, x, w, buf, A_BOLD, true);
	}
	y += LINES >= 20;
	bool may_report = session_may(a->ses, PERM_REPORT), export = session_may(a->ses, PERM_EXPORT);
	char own[300];
	own_forms_item(a, own, sizeof own);
	const char *items[ITEM_COUNT] = {_("Patients : chercher, ouvrir un dossier, créer un patient"),
	                                 _("Alertes cliniques : ouvrir le dossier concerné, acquitter"),
	                                 _("Brouillons : reprendre une saisie interrompue"),
	                                 may_report ? _("Rapport d'activité de la période (r)")
	                                            : _("Rapport d'activité (réservé à la coordination)"),
	                                 export ? _("Export de la période à envoyer (e)")
	                                        : _("Export de la période (réservé à la coordination)"),
	                                 may_report
	                                     ? _("Structures de la région : exports reçus (s)")
	                                     : _("Structures de la région (réservé à la coordination)"),
	                                 own,
	                                 _("Aide et touches"),
	                                 _("Quitter")};
	int ids[ITEM_COUNT];
	size_t n = menu_items(a, ids);
	for (size_t i = 0; i < n && y < LINES - 2; i++, y++) {
		unsigned long at = i == h->sel ? draw_attr_focus() : A_NORMAL;
		draw_blank(y, x, w, at);
		snprintf(buf, sizeof buf, " %zu  %s", i + 1, items[ids[i]]);
		draw_text(y, x, w, buf, at, true);
	}
}

static outcome open_item(app *a, home *h, size_t item)
{
	switch (item) {
	case ITEM_PATIENTS:
		app_push(a, patients_new(a));
		return OUT_REDRAW;
	case ITEM_ALERTS:
		app_push(a, alerts_new(a));
		return OUT_REDRAW;
	case ITEM_DRAFTS:
		if (!h->counts.drafts) {
			app_message(a, false, "%s", _("Aucune saisie interrompue."));
			return OUT_REDRAW;
		}
		app_push(a, drafts_new(a));
		return OUT_REDRAW;
	case ITEM_REPORT:
		if (app_allowed(a, PERM_REPORT, "interface : rapport", _("Rapport d'activité")))
			app_push(a, report_new(a));
		return OUT_REDRAW;
	case ITEM_EXPORT:
		if (app_allowed(a, PERM_EXPORT, "interface : export", _("Export")))
			app_push(a, export_new(a));
		return OUT_REDRAW;
	case ITEM_STRUCTURES:
		if (app_allowed(a, PERM_REPORT, "interface : structures", _("Structures de la région")))
			app_push(a, structures_new(a));
		return OUT_REDRAW;
	case ITEM_OWN_FORMS: {
		screen *s = structure_entries_new(a);
		if (s)
			app_push(a, s);
		else
			app_message(a, false, "%s",
			            _("Aucun formulaire de la structure (scope: structure)."));
		return OUT_REDRAW;
	}
	case ITEM_HELP:
		app_push(a, help_new(a));
		return OUT_REDRAW;
	default:
		return OUT_ASK_QUIT;
	}
}

static outcome home_key(app *a, screen *s, const ui_key *k)
{
	home *h = (home *)s;
	int ids[ITEM_COUNT];
	size_t n = menu_items(a, ids);
	switch (k->act) {
	case ACT_UP:
		h->sel = h->sel ? h->sel - 1 : n - 1;
		return OUT_REDRAW;
	case ACT_DOWN:
		h->sel = (h->sel + 1) % n;
		return OUT_REDRAW;
	case ACT_OPEN:
		return open_item(a, h, (size_t)ids[h->sel]);
	case ACT_STRUCTURE:
		return open_item(a, h, ITEM_OWN_FORMS);
	case ACT_PATIENTS:
		return open_item(a, h, ITEM_PATIENTS);
	case ACT_DRAFTS:
		return open_item(a, h, ITEM_DRAFTS);
	case ACT_ALERTS:
		return open_item(a, h, ITEM_ALERTS);
	case ACT_REPORT:
		return open_item(a, h, ITEM_REPORT);
	case ACT_EXPORT:
		return open_item(a, h, ITEM_EXPORT);
	case ACT_LEDGER:
		return open_item(a, h, ITEM_STRUCTURES);
	case ACT_HELP:
		return open_item(a, h, ITEM_HELP);
	case ACT_QUIT:
		return OUT_ASK_QUIT;
	case ACT_BACK:
		/* Nothing to go back to: Esc (or a key the terminal mangled into one) never quits. */
		app_message(a, false, "%s", _("Accueil : F10 ou ^Q pour quitter."));
		return OUT_REDRAW;
	default:
		if (k->ch >= '1' && k->ch < '1' + (wint_t)n)
			return open_item(a, h, (size_t)ids[k->ch - '1']);
		return OUT_NONE;
	}
}

static void home_resume(app *a, screen *s)
{
	refresh_counts(a, (home *)s);
}

static void home_done(screen *s)
{
	free(s);
}

static const screen_ops home_ops = {
    .name = "home",
    .ctx = CTX_HOME,
    .draw = home_draw,
    .key = home_key,
    .done = home_done,
    .resume = home_resume,
};

screen *home_new(app *a)
{
	home *h = xcalloc(1, sizeof *h);
	h->base.ops = &home_ops;
	refresh_counts(a, h);
	return &h->base;
}
