/* scr_patient.c — one patient's file: a summary line, the clinical alerts waiting for a
 * professional (highlighted at the top until acknowledged with F8), and the timeline of their
 * entries, each with its one-line summary ("AUDIT 14 — Mésusage"); between them, the course of
 * the scores (trend.c). Enter opens an entry (on an alert: the entry that raised it; on the
 * patient's line: their record), F5 adds one; c hands the screen to the patient for a
 * self-assessment (scr_self.c); d writes the patient's access document (the right of access,
 * access_print.c); f records that the patient was informed today, o their opposition to the
 * evaluation (or withdraws it), each after a confirmation. Suppr deletes the entry chosen
 * (admins, after a confirmation), and on the patient's line erases the patient (admins only,
 * after the pseudonym is typed again: the right to erasure, src/store/purge.c).
 *
 * One selection over the patient's line, the alerts and the entries: ↑ ↓ run from one to the
 * next, PgUp PgDn page through the list that holds the selection, Home goes to the first alert
 * (the first entry when there is none) and End to the last entry. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/report_data.h"
#include "ui/listview.h"

typedef struct {
	char uuid[37];
	char form[64];
	char date[11];
	char *summary; /* "AUDIT 14 — Mésusage" */
	char *line;    /* date, status, summary */
} trow;

typedef struct {
	screen base;
	int64_t patient_id;
	char pseudo[16];
	char *summary; /* sex, year of birth, inclusion, name */
	char *rights;  /* information and opposition, and the keys that record them */
	int package;   /* this year's package (reporting.yaml's package:): 1 qualifies, 0 not, -1 no rule */
	trow *rows;
	size_t n;
	alert_row *alerts;
	size_t n_alerts;
	trends trends;     /* the course of the scores, from the entries */
	listview alv, elv; /* over the alerts and over the entries */
	bool on_patient;   /* the selection is on the patient's line */
	bool in_alerts;    /* else: among the alerts (alv), not the entries (elv) */
	dialog dlg;
	const form **menu_forms; /* the forms offered by the "new entry" menu */
	app *a;
} pfile;

enum { TAG_NEW_ENTRY = 1, TAG_ACK, TAG_ERASE, TAG_SELF, TAG_DELETE_ENTRY, TAG_INFORM, TAG_OPPOSE };

static const char *status_label(const char *status)
{
	if (strcmp(status, "complete") == 0)
		return _("complète");
	if (strcmp(status, "incomplete") == 0)
		return _("incomplète");
	return _("brouillon");
}

/* Entry m's summary as the person may see it, or why it cannot be read. *out (when out is not
 * NULL) receives the record loaded, or NULL (caller frees both). */
static char *entry_summary(app *a, const entry_meta *m, record **out)
{
	char *why = NULL;
	int code;
	entry_meta meta;
	record *r = store_entry_load(a->ses->db, a->ses->fs, m->uuid, &meta, &why, &code);
	char *summary = r ? app_summary(a, r) : xstrdup(why ? why : "?");
	free(why);
	if (out)
		*out = r;
	else
		record_free(r);
	return summary;
}

/* Entry m's line from its summary, after the form's title when with_title. Caller frees. */
static char *entry_line(app *a, const entry_meta *m, const char *summary, bool with_title)
{
	const form *f = with_title ? formset_form(a->ses->fs, m->form) : NULL;
	const char *status = status_label(m->status); /* a column of 10: "complète" is 9 bytes */
	int pad = 10 - draw_width(status);
	return xasprintf("%s  %s%*s %s%s%s", m->date, status, pad > 0 ? pad : 0, "",
	                 f ? i18n_get(&f->title, a->lang) : "", f ? " : " : "", summary);
}

char *entry_list_line(app *a, const entry_meta *m, bool with_title)
{
	char *summary = entry_summary(a, m, NULL);
	char *line = entry_line(a, m, summary, with_title);
	free(summary);
	return line;
}

static void add_row(void *vctx, const entry_meta *m)
{
	pfile *pf = vctx;
	record *r;
	char *summary = entry_summary(pf->a, m, &r);
	if (r && strcmp(m->status, "draft") != 0)
		trends_add(&pf->trends, r, m->date);
	pf->rows = xrealloc(pf->rows, (pf->n + 1) * sizeof *pf->rows);
	trow *t = &pf->rows[pf->n++];
	snprintf(t->uuid, sizeof t->uuid, "%s", m->uuid);
	snprintf(t->form, sizeof t->form, "%s", m->form);
	snprintf(t->date, sizeof t->date, "%s", m->date);
	t->line = entry_line(pf->a, m, summary, false);
	t->summary = summary;
	record_free(r);
}

/* The selection as one position: the patient's line (0), the alerts, then the entries. */
static size_t position(const pfile *pf)
{
	if (pf->on_patient)
		return 0;
	return 1 + (pf->in_alerts ? pf->alv.sel : pf->n_alerts + pf->elv.sel);
}

/* Select the item at position at (the last one when at is past the end). */
static void set_position(pfile *pf, size_t at)
{
	size_t total = 1 + pf->n_alerts + pf->n;
	if (at >= total)
		at = total - 1;
	pf->on_patient = at == 0;
	pf->in_alerts = !pf->on_patient && at - 1 < pf->n_alerts;
	if (pf->in_alerts)
		pf->alv.sel = at - 1;
	else if (!pf->on_patient)
		pf->elv.sel = at - 1 - pf->n_alerts;
}

/* Read the patient again; the selection keeps its position over both lists. */
/* Whether the patient qualifies for this calendar year's package so far: 1 or 0; -1 when
 * reporting.yaml has no package:. */
static int package_this_year(app *a, int64_t patient_id)
{
	const reporting *rep = a->ses->fs->reporting;
	if (!rep || !rep->package.present)
		return -1;
	int y, m, d;
	date_to_ymd(date_today(), &y, &m, &d);
	char first[11], last[11];
	date_format(date_from_ymd(y, 1, 1), first);
	date_format(date_from_ymd(y, 12, 31), last);
	const package_rule *p = &rep->package;
	return store_package_patient(a->ses->db, patient_id, first, last, (const char *const *)p->statuses,
	                             p->n_statuses, (const char *const *)p->intervenants, p->n_intervenants,
	                             p->minimum);
}

/* "Informé le 2026-01-05 · opposé le 2026-02-01 (par dupont)" and the keys f and o; caller
 * frees. */
static char *rights_line(app *a, int64_t patient_id)
{
	patient_rights r;
	if (!store_patient_rights_get(a->ses->db, patient_id, &r))
		return xstrdup("");
	strbuf sb = STRBUF_INIT;
	if (*r.informed_on)
		strbuf_printf(&sb, _("Informé le %s"), r.informed_on);
	else
		strbuf_puts(&sb, _("Jamais informé"));
	if (*r.opposed_on)
		strbuf_printf(&sb, _(" · opposé le %s (par %s) : non exporté"), r.opposed_on, r.opposed_by);
	strbuf_puts(&sb, *r.opposed_on ? _(" (f, o)") : _(" (f : informé, o : opposition)"));
	return strbuf_take(&sb);
}

static void reload(app *a, pfile *pf)
{
	size_t at = position(pf);
	for (size_t i = 0; i < pf->n; i++) {
		free(pf->rows[i].line);
		free(pf->rows[i].summary);
	}
	free(pf->rows);
	pf->rows = NULL;
	pf->n = 0;
	trends_done(&pf->trends);
	free(pf->summary);
	alert_rows_free(pf->alerts, pf->n_alerts);
	pf->n_alerts = alert_rows_load(a, pf->patient_id, &pf->alerts, NULL);
	record *pr = store_patient_record(a->ses->db, a->ses->fs, pf->patient_id);
	strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, _("Patient %s"), pf->pseudo);
	if (pr) {
		const char *ids[] = {"sexe", "annee_naissance", "date_inclusion"};
		for (size_t i = 0; i < 3; i++) {
			long k = form_field_index(pr->f, ids[i]);
			if (k < 0 || !pr->vals[k].text)
				continue;
			const choice *ch = field_choice(&pr->f->fields[k], pr->vals[k].text);
			if (i == 2)
				strbuf_printf(&sb, _(" · inclusion %s"), pr->vals[k].text);
			else
				strbuf_printf(&sb, " · %s",
				              ch ? i18n_get(&ch->label, a->lang) : pr->vals[k].text);
		}
		long nom = form_field_index(pr->f, "nom"), prenom = form_field_index(pr->f, "prenom");
		if (session_may(a->ses, PERM_SEE_IDENTITY) && nom >= 0 && prenom >= 0 &&
		    (pr->vals[nom].text || pr->vals[prenom].text))
			strbuf_printf(&sb, " · %s %s", pr->vals[prenom].text ? pr->vals[prenom].text : "",
			              pr->vals[nom].text ? pr->vals[nom].text : "");
	}
	record_free(pr);
	pf->summary = strbuf_take(&sb);
	free(pf->rights);
	pf->rights = rights_line(a, pf->patient_id);
	pf->package = package_this_year(a, pf->patient_id);
	char *why = NULL;
	if (store_entry_each(a->ses->db, pf->patient_id, add_row, pf, &why)) {
		app_message(a, true, "%s", why);
		free(why);
	}
	/* Newest first: what was done last is what one looks for. */
	for (size_t i = 0; i < pf->n / 2; i++) {
		trow t = pf->rows[i];
		pf->rows[i] = pf->rows[pf->n - 1 - i];
		pf->rows[pf->n - 1 - i] = t;
	}
	lv_set_count(&pf->alv, pf->n_alerts);
	lv_set_count(&pf->elv, pf->n);
	set_position(pf, at);
}

/* How many alert rows fit at the top: the entries keep most of the screen. */
static size_t alert_room(const pfile *pf)
{
	size_t room = LINES >= 22 ? 4 : 2;
	return pf->n_alerts < room ? pf->n_alerts : room;
}

static void pfile_alert(void *ctx, size_t i, int y, bool selected)
{
	const pfile *pf = ctx;
	alert_row_draw(&pf->alerts[i], y, 1, COLS - 2, selected);
}

static void pfile_entry(void *ctx, size_t i, int y, bool selected)
{
	const pfile *pf = ctx;
	lv_put_row(y, 1, COLS - 2, 0, pf->rows[i].line, selected);
}

static void pfile_draw(app *a, screen *s)
{
	pfile *pf = (pfile *)s;
	char title[80];
	snprintf(title, sizeof title, _("recueil — dossier %s"), pf->pseudo);
	app_draw_frame(a, title, screen_ctx(s));
	unsigned long at = draw_attr_title() | (pf->on_patient ? draw_attr_focus() : 0);
	draw_blank(2, 1, COLS - 2, pf->on_patient ? draw_attr_focus() : A_NORMAL);
	draw_text(2, 1, COLS - 2, pf->summary, at, true);
	draw_text(3, 1, COLS - 2, pf->rights, A_NORMAL, true);
	int y = 4;
	size_t shown = alert_room(pf);
	if (shown) {
		char head[200];
		snprintf(head, sizeof head,
		         _("Alertes cliniques en attente (%zu) : F8 ou ^K acquitte l'alerte choisie"),
		         pf->n_alerts);
		draw_text(4, 1, COLS - 2, head, draw_attr_title(), true);
		lv_draw(&pf->alv, 5, (int)shown, pf->in_alerts && !pf->on_patient, pfile_alert, pf);
		y = 6 + (int)shown;
	}
	/* The scores' course, when the screen leaves room for a few entries below it. */
	int rows = trends_draw(&pf->trends, y, LINES - 3 - y - 5);
	if (rows)
		y += rows + 1;
	char head[160], pkg[64] = "";
	int year, month, day;
	date_to_ymd(date_today(), &year, &month, &day);
	if (pf->package >= 0)
		snprintf(pkg, sizeof pkg,
		         pf->package ? _(", forfait %d : oui") : _(", forfait %d : pas encore"), year);
	snprintf(head, sizeof head,
	         pf->n == 1 ? _("Suivi (%zu entrée%s) : Entrée ouvre, F5 ou n ajoute")
	                    : _("Suivi (%zu entrées%s) : Entrée ouvre, F5 ou n ajoute"),
	         pf->n, pkg);
	draw_text(y, 1, COLS - 2, head, A_NORMAL, true);
	lv_draw(&pf->elv, y + 1, LINES - 4 - y, !pf->in_alerts && !pf->on_patient, pfile_entry, pf);
	if (!pf->n)
		draw_text(y + 1, 1, COLS - 2, _("Aucune entrée."), A_NORMAL, true);
	dialog_draw(&pf->dlg);
}

static outcome open_form(app *a, pfile *pf, const char *form_id, const char *uuid)
{
	return app_open_form(a, pf->patient_id, pf->pseudo, form_id, uuid);
}

static void new_entry_menu(app *a, pfile *pf)
{
	const formset *fs = a->ses->fs;
	char **items = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *items);
	free(pf->menu_forms);
	pf->menu_forms = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *pf->menu_forms);
	size_t n = 0;
	for (size_t i = 0; i < fs->n_forms; i++) {
		const form *f = fs->forms[i];
		if (f->scope == SCOPE_STRUCTURE) /* the structure's own: from the home screen */
			continue;
		char uuid[37];
		bool exists =
		    f->cardinality == CARD_ONCE && store_once_entry(a->ses->db, pf->patient_id, f->id, uuid);
		pf->menu_forms[n] = f;
		items[n] = xasprintf("%zu  %s%s", n + 1, i18n_get(&f->title, a->lang),
		                     exists ? _(" (déjà rempli : modifier)") : "");
		n++;
	}
	dialog_menu(&pf->dlg, TAG_NEW_ENTRY, _("Nouvelle entrée : quel formulaire ?"), items, n);
}

/* Hand the screen to the patient: the form marked self: true, or a menu of them when there are
 * several (the forms offered are put in menu_forms). */
static outcome self_start(app *a, pfile *pf)
{
	if (!app_allowed(a, PERM_EDIT_ENTRY, "auto-questionnaire", _("Auto-questionnaire")))
		return OUT_REDRAW;
	const formset *fs = a->ses->fs;
	free(pf->menu_forms);
	pf->menu_forms = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *pf->menu_forms);
	char **items = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < fs->n_forms; i++)
		if (fs->forms[i]->self) {
			pf->menu_forms[n] = fs->forms[i];
			items[n] = xasprintf("%zu  %s", n + 1, i18n_get(&fs->forms[i]->title, a->lang));
			n++;
		}
	if (n == 1) {
		lines_free(items, n);
		app_push(a, self_new(a, pf->patient_id, pf->pseudo, pf->menu_forms[0]));
	} else if (n == 0) {
		free(items);
		app_message(a, true, "%s",
		            _("Aucun formulaire n'est marqué self: true : pas d'auto-questionnaire."));
	} else {
		dialog_menu(&pf->dlg, TAG_SELF,
		            _("Auto-questionnaire : quel questionnaire confier au patient ?"), items, n);
	}
	return OUT_REDRAW;
}

/* Ask for the pseudonym again: an erasure cannot be undone, a key pressed by mistake must not
 * be enough. */
static void erase_ask(pfile *pf)
{
	char *text = xasprintf(_("Effacer définitivement le patient %s : sa fiche, ses %zu entrée(s), "
	                         "ses alertes et brouillons, et les valeurs saisies à son sujet dans le "
	                         "journal (qui garde qui a fait quoi et quand). Irréversible.\nTaper le "
	                         "pseudonyme %s pour confirmer ; Échap : annuler."),
	                       pf->pseudo, pf->n, pf->pseudo);
	dialog_input(&pf->dlg, TAG_ERASE, _("Effacer le patient (droit à l'effacement)"), text, "");
	free(text);
}

/* The answer to erase_ask (typed: NULL when cancelled). OUT_CLOSE once the patient is gone. */
static outcome erase_answer(app *a, pfile *pf, const char *typed)
{
	if (!typed || !*typed) {
		app_message(a, false, "%s", _("Effacement annulé : rien n'a été effacé."));
		return OUT_REDRAW;
	}
	if (!pseudonym_confirms(typed, pf->pseudo)) {
		app_message(a, true, _("Ce n'est pas le pseudonyme %s : rien n'a été effacé."), pf->pseudo);
		return OUT_REDRAW;
	}
	patient_erasure done;
	char *why = NULL;
	if (store_patient_erase(a->ses->db, pf->patient_id, a->ses->login, &done, &why)) {
		app_message(a, true, _("Effacement impossible : %s"), why ? why : "?");
		free(why);
		return OUT_REDRAW;
	}
	if (done.purged)
		app_message(
		    a, false, _("Patient %s effacé : %lld entrée(s), %lld alerte(s), %lld brouillon(s)."),
		    pf->pseudo, (long long)done.entries, (long long)done.alerts, (long long)done.drafts);
	else
		app_message(a, true,
		            _("Patient %s effacé. Un autre utilisateur lit la base : la purge physique du "
		              "fichier se terminera au prochain passage de recueil."),
		            pf->pseudo);
	return OUT_CLOSE;
}

/* Suppr: on the patient's line, the erasure of the patient; on an entry, its deletion; each
 * asked first, and each for the roles allowed (session.c). */
static outcome delete_key(app *a, pfile *pf)
{
	if (pf->on_patient) {
		if (app_allowed(a, PERM_DELETE_PATIENT, "patient delete", _("Effacer un patient")))
			erase_ask(pf);
		return OUT_REDRAW;
	}
	if (pf->in_alerts || !pf->n) {
		app_message(a, false, "%s",
		            _("Suppr : sur une entrée, la supprimer ; sur la ligne du patient, l'effacer."));
		return OUT_REDRAW;
	}
	const trow *t = &pf->rows[pf->elv.sel];
	if (strcmp(t->form, "patient") == 0) {
		app_message(a, true, "%s",
		            _("La fiche du patient ne se supprime pas seule : Suppr sur la ligne du patient "
		              "pour effacer le patient."));
		return OUT_REDRAW;
	}
	if (!app_allowed(a, PERM_DELETE_ENTRY, "entry delete", _("Supprimer une entrée")))
		return OUT_REDRAW;
	char *text = xasprintf(_("Supprimer l'entrée du %s : %s ?\nSes valeurs restent dans le journal "
	                         "(recueil log).\no : supprimer ; n, Entrée ou Échap : garder"),
	                       t->date, t->summary);
	dialog_confirm(&pf->dlg, TAG_DELETE_ENTRY, _("Supprimer l'entrée"), text, "no");
	free(text);
	return OUT_REDRAW;
}

/* The answer "o" to delete_key's question: the entry chosen is deleted. */
static void delete_entry(app *a, pfile *pf)
{
	const trow *t = &pf->rows[pf->elv.sel];
	char *why = NULL;
	if (store_entry_delete(a->ses->db, a->ses->fs, t->uuid, a->ses->login, &why)) {
		app_message(a, true, _("Suppression impossible : %s"), why ? why : "?");
		free(why);
		return;
	}
	app_message(a, false, _("Entrée %.8s supprimée (ses valeurs sont au journal)."), t->uuid);
	reload(a, pf);
}

/* f and o: ask before recording the information or the opposition (or withdrawing it). */
static void rights_ask(app *a, pfile *pf, bool oppose)
{
	patient_rights r;
	if (!app_allowed(a, PERM_EDIT_ENTRY, oppose ? "patient oppose" : "patient inform",
	                 oppose ? _("Noter l'opposition") : _("Noter l'information")) ||
	    !store_patient_rights_get(a->ses->db, pf->patient_id, &r))
		return;
	char today[11];
	date_format(date_today(), today);
	char *text;
	if (!oppose)
		text = xasprintf(_("Noter que le patient %s a été informé aujourd'hui (%s) de l'usage de ses "
		                   "données pour l'évaluation%s ? (o : oui, n : non)"),
		                 pf->pseudo, today, *r.informed_on ? _(" (remplace la date notée)") : "");
	else if (!*r.opposed_on)
		text = xasprintf(_("Noter l'opposition du patient %s aujourd'hui (%s) : ses données restent "
		                   "pour ses soins mais ne seront plus exportées, et le prochain export les "
		                   "retire à la région. Noter ? (o : oui, n : non)"),
		                 pf->pseudo, today);
	else
		text = xasprintf(_("Le patient %s s'est opposé le %s. Retirer son opposition (ses données "
		                   "seront de nouveau exportées) ? (o : oui, n : non)"),
		                 pf->pseudo, r.opposed_on);
	dialog_confirm(&pf->dlg, oppose ? TAG_OPPOSE : TAG_INFORM,
	               oppose ? _("Opposition du patient") : _("Information du patient"), text, "no");
	free(text);
}

/* The answer 'o' to rights_ask: record it, say it. */
static void rights_record(app *a, pfile *pf, bool oppose)
{
	patient_rights r;
	char today[11], *why = NULL;
	date_format(date_today(), today);
	bool withdraw = oppose && store_patient_rights_get(a->ses->db, pf->patient_id, &r) && *r.opposed_on;
	int rc = oppose ? store_patient_oppose(a->ses->db, pf->patient_id, withdraw ? NULL : today,
	                                       a->ses->login, &why)
	                : store_patient_inform(a->ses->db, pf->patient_id, today, a->ses->login, &why);
	if (rc)
		app_message(a, true, _("Rien n'a été noté : %s"), why ? why : "?");
	else if (!oppose)
		app_message(a, false, _("Patient %s : informé le %s."), pf->pseudo, today);
	else if (withdraw)
		app_message(a, false, _("Patient %s : opposition retirée."), pf->pseudo);
	else
		app_message(a, false, _("Patient %s : opposé le %s ; ses données ne seront plus exportées."),
		            pf->pseudo, today);
	free(why);
	reload(a, pf);
}

/* The moves of the selection over the two lists (see the top of the file). */
static outcome selection_move(pfile *pf, const ui_key *k)
{
	size_t at = position(pf);
	switch (k->act) {
	case ACT_UP:
		/* From the first alert, or the first entry when there is no alert: the patient's line. */
		if (at == 1 || (!pf->on_patient && !pf->in_alerts && !pf->elv.sel)) {
			set_position(pf, at - 1);
			return OUT_REDRAW;
		}
		break;
	case ACT_DOWN:
	case ACT_PGDN:
		if (pf->on_patient || (pf->in_alerts && pf->alv.sel + 1 >= pf->n_alerts)) {
			set_position(pf, at + 1);
			return OUT_REDRAW;
		}
		break;
	case ACT_LINE_START:
		pf->on_patient = !pf->n_alerts && !pf->n;
		pf->in_alerts = pf->n_alerts > 0;
		break;
	case ACT_LINE_END:
		pf->on_patient = !pf->n_alerts && !pf->n;
		pf->in_alerts = !pf->n && pf->n_alerts;
		break;
	default:
		break;
	}
	if (pf->on_patient)
		return k->act == ACT_PGUP ? OUT_REDRAW : OUT_NONE;
	return lv_key(pf->in_alerts ? &pf->alv : &pf->elv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
}

static outcome pfile_key(app *a, screen *s, const ui_key *k)
{
	pfile *pf = (pfile *)s;
	if (pf->dlg.kind) {
		int answer = 0;
		dialog_result r = dialog_key(&pf->dlg, k, &answer);
		if (r == DR_OPEN)
			return OUT_REDRAW;
		size_t sel = pf->dlg.sel;
		if (pf->dlg.tag == TAG_ERASE) {
			char *typed = r == DR_DONE ? le_text(&pf->dlg.edit) : NULL;
			dialog_close(&pf->dlg);
			outcome o = erase_answer(a, pf, typed);
			free(typed);
			return o;
		}
		if (pf->dlg.tag == TAG_DELETE_ENTRY) {
			dialog_close(&pf->dlg);
			if (r == DR_DONE && answer == 'o')
				delete_entry(a, pf);
			else
				app_message(a, false, "%s", _("Rien n'a été supprimé."));
			return OUT_REDRAW;
		}
		if (pf->dlg.tag == TAG_INFORM || pf->dlg.tag == TAG_OPPOSE) {
			bool oppose = pf->dlg.tag == TAG_OPPOSE;
			dialog_close(&pf->dlg);
			if (r == DR_DONE && answer == 'o')
				rights_record(a, pf, oppose);
			return OUT_REDRAW;
		}
		if (pf->dlg.tag == TAG_ACK) {
			char *note = r == DR_DONE ? le_text(&pf->dlg.edit) : NULL;
			dialog_close(&pf->dlg);
			if (note && pf->in_alerts)
				alert_ack_record(a, &pf->alerts[pf->alv.sel], note);
			free(note);
			reload(a, pf);
			/* Stay among the alerts while some are left: the next one is often acknowledged too.
			 */
			if (pf->n_alerts && !pf->in_alerts)
				set_position(pf, pf->n_alerts);
			return OUT_REDRAW;
		}
		bool self = pf->dlg.tag == TAG_SELF;
		dialog_close(&pf->dlg);
		if (r != DR_DONE)
			return OUT_REDRAW;
		const form *f = pf->menu_forms[sel];
		if (self) {
			app_push(a, self_new(a, pf->patient_id, pf->pseudo, f));
			return OUT_REDRAW;
		}
		char uuid[37];
		if (f->cardinality == CARD_ONCE && store_once_entry(a->ses->db, pf->patient_id, f->id, uuid))
			return open_form(a, pf, f->id, uuid);
		return open_form(a, pf, f->id, NULL);
	}
	switch (k->act) {
	case ACT_OPEN:
		if (pf->on_patient) {
			char uuid[37];
			if (store_once_entry(a->ses->db, pf->patient_id, "patient", uuid))
				return open_form(a, pf, "patient", uuid);
			return OUT_NONE;
		}
		if (pf->in_alerts) {
			const alert_row *r = &pf->alerts[pf->alv.sel];
			return open_form(a, pf, r->form, r->entry_uuid);
		}
		if (pf->n) {
			const trow *t = &pf->rows[pf->elv.sel];
			return open_form(a, pf, t->form, t->uuid);
		}
		return OUT_NONE;
	case ACT_ACK:
		if (!pf->n_alerts) {
			app_message(a, false, "%s", _("Aucune alerte clinique en attente pour ce patient."));
			return OUT_REDRAW;
		}
		/* Elsewhere: the most urgent alert, which the dialog names before anything is noted. */
		if (!pf->in_alerts)
			set_position(pf, 1);
		alert_ack_ask(a, &pf->dlg, TAG_ACK, &pf->alerts[pf->alv.sel]);
		return OUT_REDRAW;
	case ACT_NEW:
		new_entry_menu(a, pf);
		return OUT_REDRAW;
	case ACT_PRINT:
		access_print(a, pf->patient_id, pf->pseudo);
		return OUT_REDRAW;
	case ACT_SELF:
		return self_start(a, pf);
	case ACT_INFORM:
	case ACT_OPPOSE:
		rights_ask(a, pf, k->act == ACT_OPPOSE);
		return OUT_REDRAW;
	case ACT_DELETE_ITEM:
		return delete_key(a, pf);
	default:
		return selection_move(pf, k);
	}
}

static unsigned pfile_context(const screen *s)
{
	return ((const pfile *)s)->dlg.kind ? CTX_DIALOG : CTX_FILE;
}

static void pfile_resume(app *a, screen *s)
{
	pfile *pf = (pfile *)s;
	reload(a, pf);
	/* After a save that raised an alert: the selection on it, for F8 to acknowledge it. */
	for (size_t i = 0; a->raised_alert && i < pf->n_alerts; i++)
		if (pf->alerts[i].id == a->raised_alert)
			set_position(pf, 1 + i);
	a->raised_alert = 0;
}

static void pfile_done(screen *s)
{
	pfile *pf = (pfile *)s;
	dialog_close(&pf->dlg);
	for (size_t i = 0; i < pf->n; i++) {
		free(pf->rows[i].line);
		free(pf->rows[i].summary);
	}
	free(pf->rows);
	trends_done(&pf->trends);
	free(pf->summary);
	free(pf->rights);
	free(pf->menu_forms);
	alert_rows_free(pf->alerts, pf->n_alerts);
	lv_done(&pf->alv);
	lv_done(&pf->elv);
	free(pf);
}

static const screen_ops pfile_ops = {
    .name = "patient",
    .ctx = CTX_FILE,
    .draw = pfile_draw,
    .key = pfile_key,
    .done = pfile_done,
    .resume = pfile_resume,
    .context = pfile_context,
};

screen *patient_file_new(app *a, int64_t patient_id, const char *pseudonym)
{
	pfile *pf = xcalloc(1, sizeof *pf);
	pf->base.ops = &pfile_ops;
	pf->a = a;
	pf->patient_id = patient_id;
	snprintf(pf->pseudo, sizeof pf->pseudo, "%s", pseudonym);
	lv_init(&pf->alv, LV_CHOOSE, false);
	lv_init(&pf->elv, LV_CHOOSE, false);
	reload(a, pf); /* at position 1: the first alert, else the first entry */
	return &pf->base;
}
