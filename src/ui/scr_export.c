/* scr_export.c — the export of a period (coordination and above), as `recueil export` does it
 * with the same calls (export_check, export_check_target, export_write): the period of the next
 * deadline proposed (F11 to choose another), the pre-export check listed (Enter opens the entry
 * of the problem chosen), an explicit acceptance with a reason when something is not ready (F2
 * writes), the file to write (~/recueil-<structure>-<period>.zip by default). When
 * reporting.yaml names the coordination's public keys (recipients:), the archive is encrypted to
 * them (age, ".zip.age") and there is nothing else to send; otherwise the generated passphrase
 * is shown once in a frame, with how to send it. The passphrase lives in this screen's buffer
 * only and is wiped when the screen is left. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/age.h"
#include "core/privilege.h"
#include "core/util.h"
#include "export/export.h"
#include "export/secret.h"
#include "ui/listview.h"

typedef struct {
	screen base;
	period per;
	bool have_period;
	deadline next; /* the next deadline, when the calendar has one */
	bool have_next;
	export_issues issues;
	bool checked;   /* issues holds the check of per */
	char **details; /* per issue: its detail with the fields' labels instead of their ids */
	listview lv;    /* over the issues, two rows each; the chosen one opens */
	dialog dlg;
	char *reason; /* why the issues are accepted (NULL when there are none) */
	char *out;    /* the archive written */
	bool written;
	export_result res;
	char pass[SECRET_MAX]; /* the generated passphrase while it is shown; wiped on leaving */
	size_t n_keys;         /* the archive was encrypted to this many public keys (recipients:) */
	app *a;
} export_scr;

/* The coordination's public keys of reporting.yaml: how many (0: a passphrase is used). */
static size_t recipients_of(const app *a)
{
	const reporting *r = a->ses->fs->reporting;
	return r ? r->n_recipients : 0;
}

enum { TAG_PERIOD = 1, TAG_REASON, TAG_PATH, TAG_FAILED, TAG_LEAVE, TAG_QUIT };

static void wipe(export_scr *x)
{
	secret_wipe(x->pass, sizeof x->pass);
}

/* detail, which names fields of f by their ids as the manifest does ("réponses obligatoires
 * manquantes : type_contact, statut"), with their labels, or their first words when long, for
 * the person at the screen. Caller frees. */
static char *labelled_detail(const app *a, const form *f, const char *detail)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (const char *p = detail; *p;) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
		long k = -1;
		if (n && f) {
			char *word = xstrndup(p, n);
			k = form_field_index(f, word);
			free(word);
		}
		if (k >= 0) {
			char **lines;
			size_t nl = draw_wrap(i18n_get(&f->fields[k].label, a->lang), 30, &lines);
			strbuf_printf(&sb, "« %s%s »", nl ? lines[0] : f->fields[k].id, nl > 1 ? " …" : "");
			lines_free(lines, nl);
		} else {
			strbuf_add(&sb, p, n ? n : 1);
		}
		p += n ? n : 1;
	}
	return strbuf_take(&sb);
}

static void details_free(export_scr *x)
{
	for (size_t i = 0; x->details && i < x->issues.n; i++)
		free(x->details[i]);
	free(x->details);
	x->details = NULL;
}

static void run_check(app *a, export_scr *x)
{
	if (x->checked) {
		details_free(x);
		export_issues_done(&x->issues);
	}
	x->checked = false;
	x->lv.first = 0;
	lv_set_count(&x->lv, 0);
	if (!x->have_period)
		return;
	char *why = NULL;
	if (export_check(a->ses->db, a->ses->fs, &x->per, &x->issues, &why)) {
		app_message(a, true, _("vérification avant export impossible : %s"), why);
		free(why);
		export_issues_done(&x->issues);
		return;
	}
	x->checked = true;
	x->details = xcalloc(x->issues.n + 1, sizeof *x->details);
	for (size_t i = 0; i < x->issues.n; i++) {
		const export_issue *is = &x->issues.v[i];
		const char *d = is->detail ? is->detail : "";
		size_t said = strlen("incomplète : "); /* the row's first word says it already */
		if (is->kind == STORE_ISSUE_INCOMPLETE && strncmp(d, "incomplète : ", said) == 0)
			d += said;
		x->details[i] = labelled_detail(a, formset_form(a->ses->fs, is->m.form), d);
	}
	lv_set_count(&x->lv, x->issues.n);
}

static const char period_question[] = N_("Période à exporter : 2026, 2026-S1, 2026-T3, 2026-11 ou "
                                         "2026-01-01..2026-06-30. Entrée : valider ; Échap : annuler.");

static void ask_period(export_scr *x)
{
	period_ask(&x->dlg, TAG_PERIOD, _(period_question), x->have_period ? &x->per : NULL, NULL);
}

/* Letters, digits and '-' kept, anything else as '_': a file name without surprises. */
static void name_part(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		char c = *s;
		bool ok =
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		strbuf_putc(sb, ok ? c : '_');
	}
}

static void ask_path(app *a, export_scr *x, const char *typed, const char *error)
{
	char *dflt = NULL;
	if (!typed) {
		char code[64] = "", name[256] = "";
		store_structure(a->ses->db, code, name);
		strbuf sb = STRBUF_INIT;
		strbuf_puts(&sb, "~/recueil-");
		name_part(&sb, code);
		strbuf_putc(&sb, '-');
		name_part(&sb, x->per.label);
		strbuf_puts(&sb, recipients_of(a) ? ".zip.age" : ".zip");
		dflt = strbuf_take(&sb);
	}
	char *text = xasprintf("%s%s%s", error ? error : "", error ? "\n" : "",
	                       _("Fichier de l'archive à écrire (jamais écrasé s'il existe). "
	                         "Entrée : écrire l'archive ; Échap : annuler."));
	dialog_input(&x->dlg, TAG_PATH, _("Fichier de l'archive"), text, typed ? typed : dflt);
	free(text);
	free(dflt);
}

/* "~/x" as HOME/x (home_dir); other paths as typed. Caller frees. */
static char *expand_home(const char *path)
{
	char *home = path[0] == '~' && (path[1] == '/' || !path[1]) ? home_dir() : NULL;
	char *full = home ? xasprintf("%s%s", home, path + 1) : xstrdup(path);
	free(home);
	return full;
}

static const char *issue_word(int kind)
{
	switch (kind) {
	case STORE_ISSUE_DRAFT:
		return _("brouillon");
	case STORE_ISSUE_INCOMPLETE:
		return _("incomplète");
	case STORE_ISSUE_UNINFORMED:
		return _("non informé");
	default:
		return _("à confirmer");
	}
}

/* F2: start the export of the period checked. */
static void start(app *a, export_scr *x)
{
	run_check(a, x); /* what is accepted is what is there now */
	if (!x->checked)
		return;
	free(x->reason);
	x->reason = NULL;
	if (!x->issues.n) {
		ask_path(a, x, NULL, NULL);
		return;
	}
	char *text = xasprintf(_("%zu point(s) à revoir dans la période %s (les brouillons ne sont jamais "
	                         "exportés).\nExporter quand même ? Donner la raison ; elle est notée dans "
	                         "le journal des exports et le manifeste. Échap : annuler."),
	                       x->issues.n, x->per.label);
	dialog_input(&x->dlg, TAG_REASON, _("Accepter les points à revoir"), text, "");
	free(text);
}

static void write_archive(app *a, export_scr *x, const char *typed)
{
	char *path = expand_home(typed);
	char *why = NULL;
	if (export_check_target(path, &why)) {
		ask_path(a, x, typed, why);
		free(why);
		free(path);
		return;
	}
	draw_blank(LINES - 2, 0, COLS, A_NORMAL);
	draw_text(LINES - 2, 0, COLS, _("Écriture de l'archive…"), draw_attr_title(), true);
	term_refresh();
	wipe(x);
	/* The keys were checked when the forms loaded; parsed again here, they cannot fail. */
	size_t n_keys = recipients_of(a);
	age_recipient *keys = xcalloc(n_keys ? n_keys : 1, sizeof *keys);
	for (size_t i = 0; i < n_keys && !why; i++)
		if (!age_recipient_parse(a->ses->fs->reporting->recipients[i], &keys[i], &why))
			n_keys = 0;
	if (why) {
		dialog_message(&x->dlg, TAG_FAILED, _("Export impossible"), why);
		free(why);
		free(keys);
		free(path);
		return;
	}
	if (!n_keys)
		secret_generate(x->pass);
	export_opts o = {
	    .per = x->per,
	    .out_path = path,
	    .passphrase = n_keys ? NULL : x->pass,
	    .recipients = keys,
	    .n_recipients = n_keys,
	    .accepted_reason = x->reason,
	    .issues = &x->issues,
	    .login = a->ses->login,
	    .progress = NULL,
	    .today = date_today(),
	};
	int rc = export_write(a->ses->db, a->ses->fs, &o, &x->res, &why);
	free(keys);
	x->n_keys = n_keys;
	if (rc) {
		wipe(x);
		/* The core says why, and that nothing was left under the final name. */
		char *text = xasprintf(_("%s\nCorriger (place sur le disque, dossier accessible en écriture) "
		                         "puis recommencer."),
		                       why);
		dialog_message(&x->dlg, TAG_FAILED, _("Export impossible"), text);
		free(text);
		free(why);
		free(path);
		return;
	}
	free(x->out);
	x->out = path;
	x->written = true;
}

/* ------------------------------------------------------------ drawing */

/* Issue i at rows y (the entry) and y + 1 (what is wrong with it). */
static void draw_issue(void *ctx, size_t i, int y, bool selected)
{
	const export_scr *x = ctx;
	const export_issue *is = &x->issues.v[i];
	const form *f = formset_form(x->a->ses->fs, is->m.form);
	int w = COLS - 4, col = 2;
	char buf[512];
	/* Columns by display width: "incomplète" is 10 columns and 11 bytes. */
	draw_text(y, 0, 2, selected ? "▸" : " ", draw_attr_title(), false);
	draw_text(y, col, 12, issue_word(is->kind), A_BOLD, true);
	snprintf(buf, sizeof buf, "%s  %s", is->m.pseudonym, is->m.date);
	col += 13;
	col += draw_text(y, col, w + 2 - col, buf, A_BOLD, true) + 2;
	draw_text(y, col, 18, f ? i18n_get(&f->title, x->a->lang) : is->m.form, A_BOLD, true);
	col += 19;
	if (is->kind == STORE_ISSUE_UNINFORMED)
		snprintf(buf, sizeof buf, "%s", _("information du patient"));
	else
		snprintf(buf, sizeof buf, "%s %.8s", _("entrée"), is->m.uuid);
	draw_text(y, col, w + 2 - col, buf, A_NORMAL, true);
	draw_text(y + 1, 6, w - 4, x->details[i], A_NORMAL, true);
}

static void draw_check(export_scr *x)
{
	int y = 2, w = COLS - 4;
	char buf[512], d1[11], d2[11];
	if (!x->have_period) {
		draw_text(y, 2, w, _("Aucune période choisie : F11 ou ^T pour en choisir une."),
		          draw_attr_title(), true);
		return;
	}
	date_format(x->per.first, d1);
	date_format(x->per.last, d2);
	snprintf(buf, sizeof buf, _("Période : %s (du %s au %s)"), x->per.label, d1, d2);
	draw_text(y++, 2, w, buf, draw_attr_title(), true);
	if (x->have_next && period_same(&x->next.covers, &x->per)) {
		char due[11];
		date_format(x->next.due, due);
		snprintf(buf, sizeof buf, _("Celle de la prochaine échéance : le %s (dans %ld jours)"), due,
		         x->next.due - date_today());
		draw_text(y++, 2, w, buf, A_NORMAL, true);
	}
	if (x->per.last >= date_today()) {
		snprintf(buf, sizeof buf, _("Période pas terminée (jusqu'au %s) : l'export sera partiel."),
		         d2);
		draw_text(y++, 2, w, buf, A_BOLD, true);
	}
	if (!x->checked) {
		draw_text(y + 1, 2, w, _("Vérification avant export impossible (voir le message)."),
		          draw_attr_error(), true);
		return;
	}
	if (!x->issues.n)
		snprintf(buf, sizeof buf, "%s", _("Vérification avant export : rien à revoir."));
	else if (!x->issues.drafts)
		snprintf(buf, sizeof buf, _("Vérification avant export : %zu point(s) à revoir"),
		         x->issues.n);
	else
		snprintf(buf, sizeof buf,
		         _("Vérification avant export : %zu point(s) à revoir, dont %zu brouillon(s) (jamais "
		           "exportés)"),
		         x->issues.n, x->issues.drafts);
	y++;
	draw_text(y++, 2, w, buf, x->issues.n ? draw_attr_title() : A_NORMAL, true);
	draw_text(y++, 2, w,
	          x->issues.n ? _("Entrée : ouvrir le point ; F2 : exporter malgré eux (raison demandée).")
	                      : _("Entrée ou F2 : exporter ; F11 ou ^T : autre période."),
	          A_NORMAL, true);
	if (!x->issues.n)
		return;
	int top = y + 1;
	size_t shown = lv_draw(&x->lv, top, LINES - 3 - top, true, draw_issue, x);
	if (x->issues.n > x->lv.page) {
		snprintf(buf, sizeof buf, _("↑ ↓ : points %zu à %zu sur %zu"), x->lv.first + 1,
		         x->lv.first + shown, x->issues.n);
		draw_text(top - 1, 2, w, buf, draw_attr_dim(), true);
	}
}

/* The frame of the passphrase: box-drawing characters, "+-|" on a terminal that is not UTF-8. */
static void draw_frame(int y0, int x0, int h, int w)
{
	bool u = term_utf8();
	const char *hz = u ? "─" : "-", *vt = u ? "│" : "|";
	draw_text(y0, x0, 1, u ? "┌" : "+", A_BOLD, false);
	draw_text(y0, x0 + w - 1, 1, u ? "┐" : "+", A_BOLD, false);
	draw_text(y0 + h - 1, x0, 1, u ? "└" : "+", A_BOLD, false);
	draw_text(y0 + h - 1, x0 + w - 1, 1, u ? "┘" : "+", A_BOLD, false);
	for (int i = 1; i < w - 1; i++) {
		draw_text(y0, x0 + i, 1, hz, A_BOLD, false);
		draw_text(y0 + h - 1, x0 + i, 1, hz, A_BOLD, false);
	}
	for (int j = 1; j < h - 1; j++) {
		draw_text(y0 + j, x0, 1, vt, A_BOLD, false);
		draw_text(y0 + j, x0 + w - 1, 1, vt, A_BOLD, false);
	}
}

static void draw_done(export_scr *x)
{
	int y = 2, w = COLS - 4;
	char buf[512];
	if (x->n_keys)
		snprintf(buf, sizeof buf,
		         _("Export n° %lld de la période %s écrit (%zu fichiers, %llu ligne(s) de données, "
		           "chiffré pour la clé de la coordination) :"),
		         (long long)x->res.sequence, x->per.label, x->res.n_files,
		         (unsigned long long)x->res.rows);
	else
		snprintf(buf, sizeof buf,
		         _("Export n° %lld de la période %s écrit (%zu fichiers, %llu ligne(s) de données, "
		           "chiffré AES-256) :"),
		         (long long)x->res.sequence, x->per.label, x->res.n_files,
		         (unsigned long long)x->res.rows);
	char **lines;
	size_t n = draw_wrap(buf, w, &lines);
	for (size_t i = 0; i < n && i < 2; i++)
		draw_text(y++, 2, w, lines[i], A_NORMAL, true);
	lines_free(lines, n);
	draw_text(y++, 4, w - 2, x->out, draw_attr_title(), true);
	if (x->res.has_previous_same_period) {
		snprintf(buf, sizeof buf,
		         _("Période déjà exportée : %zu correction(s) listée(s) dans le manifeste."),
		         x->res.n_corrections);
		draw_text(y++, 2, w, buf, A_NORMAL, true);
	}
	if (x->n_keys) { /* nothing secret to send: the file alone */
		n = draw_wrap(_("Envoyer ce fichier à la coordination : il ne s'ouvre qu'avec sa clé privée "
		                "(forms/reporting.yaml, recipients:). Aucune phrase de passe à transmettre ; "
		                "cette structure ne peut pas le relire."),
		              w, &lines);
		for (size_t i = 0; i < n && y + 1 < LINES - 3; i++)
			draw_text(++y, 2, w, lines[i], A_NORMAL, true);
		lines_free(lines, n);
		draw_text(y + 2, 2, w, _("Échap : quitter cet écran."), draw_attr_dim(), true);
		return;
	}
	/* The frame: title, blank, the passphrase, blank, the instructions. */
	int bw = COLS - 4 < 72 ? COLS - 4 : 72, inner = bw - 4;
	n = draw_wrap(_("La transmettre au destinataire par SMS ou par téléphone, jamais dans le même e-mail "
	                "que l'archive. Elle n'est enregistrée nulle part : la noter avant de quitter cet "
	                "écran. Le destinataire ouvre l'archive avec 7-Zip et la saisit telle quelle, tirets "
	                "compris."),
	              inner, &lines);
	int bh = 6 + (int)n, room = LINES - 3 - (y + 1);
	if (bh > room) { /* a small terminal: the instructions are cut, never the passphrase */
		n = room > 6 ? (size_t)(room - 6) : 0;
		bh = 6 + (int)n;
	}
	int y0 = y + 1, x0 = (COLS - bw) / 2;
	draw_frame(y0, x0, bh, bw);
	draw_text(y0 + 1, x0 + 2, inner, _("Phrase de passe de l'archive (affichée une seule fois) :"),
	          draw_attr_title(), true);
	int pw = draw_width(x->pass);
	draw_text(y0 + 3, x0 + (bw - pw) / 2, pw, x->pass, A_BOLD | A_REVERSE, false);
	for (size_t i = 0; i < n; i++)
		draw_text(y0 + 5 + (int)i, x0 + 2, inner, lines[i], A_NORMAL, true);
	lines_free(lines, n);
	if (y0 + bh < LINES - 2)
		draw_text(y0 + bh, 2, w, _("Échap : quitter cet écran ; la phrase de passe sera effacée."),
		          draw_attr_dim(), true);
}

static void export_draw(app *a, screen *s)
{
	export_scr *x = (export_scr *)s;
	/* Once written, only Esc and F10 do something: the help screen's footer says just that. */
	app_draw_frame(a, _("recueil — export d'une période"),
	               x->written && !x->dlg.kind ? CTX_HELP : screen_ctx(s));
	if (x->written)
		draw_done(x);
	else
		draw_check(x);
	dialog_draw(&x->dlg);
}

/* ------------------------------------------------------------ keys */

static outcome dialog_answer(app *a, export_scr *x, const ui_key *k)
{
	int answer = 0;
	dialog_result r = dialog_key(&x->dlg, k, &answer);
	if (r == DR_OPEN)
		return OUT_REDRAW;
	int tag = x->dlg.tag;
	char *text = x->dlg.kind == DLG_INPUT && r == DR_DONE ? le_text(&x->dlg.edit) : NULL;
	dialog_close(&x->dlg);
	outcome o = OUT_REDRAW;
	switch (tag) {
	case TAG_PERIOD:
		if (text && period_answer(&x->dlg, TAG_PERIOD, _(period_question), text, &x->per)) {
			x->have_period = true;
			run_check(a, x);
		}
		break;
	case TAG_REASON:
		if (text && !*text) {
			app_message(a, true, "%s",
			            _("Export annulé : une raison est nécessaire pour accepter les points à "
			              "revoir."));
		} else if (text) {
			x->reason = xstrdup(text);
			ask_path(a, x, NULL, NULL);
		}
		break;
	case TAG_PATH:
		if (text && !*text)
			ask_path(a, x, NULL, _("Donner le fichier à écrire."));
		else if (text)
			write_archive(a, x, text);
		break;
	case TAG_LEAVE:
	case TAG_QUIT:
		if (r == DR_DONE && answer == 'o') {
			wipe(x);
			o = tag == TAG_QUIT ? OUT_QUIT : OUT_CLOSE;
		}
		break;
	default:
		break;
	}
	free(text);
	return o;
}

/* Enter on a problem: its entry in the form screen, to be completed or confirmed there; the check
 * runs again when the export screen comes back on top. */
static outcome open_issue(app *a, export_scr *x)
{
	const entry_meta *m = &x->issues.v[x->lv.sel].m;
	return app_open_form(a, m->patient_id, m->pseudonym, m->form, m->uuid);
}

static outcome export_key(app *a, screen *s, const ui_key *k)
{
	export_scr *x = (export_scr *)s;
	if (x->dlg.kind)
		return dialog_answer(a, x, k);
	if (x->written) {
		if (x->n_keys && (k->act == ACT_BACK || k->act == ACT_QUIT)) /* nothing to lose */
			return k->act == ACT_QUIT ? OUT_QUIT : OUT_CLOSE;
		if (k->act == ACT_BACK || k->act == ACT_QUIT) {
			dialog_confirm(
			    &x->dlg, k->act == ACT_QUIT ? TAG_QUIT : TAG_LEAVE, _("Quitter l'écran"),
			    _("La phrase de passe ne pourra plus être affichée. L'avez-vous notée ? "
			      "(o : oui, quitter ; n : non, rester)"),
			    "no");
			return OUT_REDRAW;
		}
		return OUT_NONE;
	}
	switch (k->act) {
	case ACT_PERIOD:
		ask_period(x);
		return OUT_REDRAW;
	case ACT_OPEN:
		if (x->checked && x->issues.n)
			return open_issue(a, x);
		/* nothing to open: Enter validates what the screen proposes */
		/* fall through */
	case ACT_SAVE:
		if (!x->have_period)
			ask_period(x);
		else
			start(a, x);
		return OUT_REDRAW;
	default:
		return lv_key(&x->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static void export_resume(app *a, screen *s)
{
	export_scr *x = (export_scr *)s;
	if (!x->written && x->have_period) {
		size_t sel = x->lv.sel;
		run_check(a, x);
		x->lv.sel = sel < x->issues.n ? sel : x->issues.n ? x->issues.n - 1 : 0;
	}
}

static unsigned export_context(const screen *s)
{
	return ((const export_scr *)s)->dlg.kind ? CTX_DIALOG : CTX_EXPORT;
}

static void export_done(screen *s)
{
	export_scr *x = (export_scr *)s;
	wipe(x);
	dialog_close(&x->dlg);
	if (x->checked) {
		details_free(x);
		export_issues_done(&x->issues);
	}
	free(x->reason);
	free(x->out);
	lv_done(&x->lv);
	free(x);
}

static const screen_ops export_ops = {
    .name = "export",
    .ctx = CTX_EXPORT,
    .draw = export_draw,
    .key = export_key,
    .done = export_done,
    .context = export_context,
    .resume = export_resume,
};

screen *export_new(app *a)
{
	export_scr *x = xcalloc(1, sizeof *x);
	x->base.ops = &export_ops;
	x->a = a;
	lv_init(&x->lv, LV_CHOOSE, false);
	x->lv.item_rows = 2;
	x->have_period = x->have_next =
	    period_start(a, &x->dlg, TAG_PERIOD, _(period_question), &x->per, &x->next);
	if (x->have_period)
		run_check(a, x);
	return &x->base;
}
