/* app.c — the terminal interface's main loop: opens the database, starts the terminal, keeps a
 * stack of screens, dispatches keys and redraws; on a stop signal or the end of input, asks the
 * open screens to keep what was typed, then restores the terminal. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"
#include "ui/ui.h"

#ifndef RECUEIL_LOCALEDIR
#define RECUEIL_LOCALEDIR "/usr/local/share/locale"
#endif
#ifndef RECUEIL_BUILD_LOCALEDIR
#define RECUEIL_BUILD_LOCALEDIR RECUEIL_LOCALEDIR
#endif

const char *ui_language_init(void)
{
	/* LANGUAGE is ignored by gettext in the "C" locale: C.UTF-8 is enough for it to apply, so
	 * English (or French) works where no such locale is installed. */
	const char *lm = setlocale(LC_MESSAGES, "");
	if (!lm || strcmp(lm, "C") == 0 || strcmp(lm, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	/* A translation is a list of format strings: a setgid run reads only the installed ones. */
	const char *dir = env_get("RECUEIL_LOCALEDIR");
	if (!dir || !*dir) {
		char *probe = xasprintf("%s/en/LC_MESSAGES/recueil.mo", RECUEIL_LOCALEDIR);
		dir = access(probe, R_OK) == 0 || priv_held() ? RECUEIL_LOCALEDIR : RECUEIL_BUILD_LOCALEDIR;
		free(probe);
	}
	bindtextdomain("recueil", dir);
	bind_textdomain_codeset("recueil", "UTF-8");
	textdomain("recueil");
	/* TRANSLATORS: the code of the language the form labels are shown in: "fr" or "en". */
	const char *lang = _("fr");
	return strcmp(lang, "en") == 0 ? "en" : "fr";
}

char *app_summary(app *a, const record *r)
{
	if (record_summary_blank(r)) {
		/* Named by the words before the first value ("AUDIT" of "AUDIT {total} — …"), else
		 * by the form's title. */
		const char *tpl = r->f->summary;
		size_t n = strcspn(tpl, "{");
		while (n && strchr(" :-(", tpl[n - 1]))
			n--;
		char *name = n ? xstrndup(tpl, n) : xstrdup(i18n_get(&r->f->title, a->lang));
		char *text = xasprintf(_("%s : à compléter"), name);
		free(name);
		return text;
	}
	return record_summary_as(r, a->lang, !session_may(a->ses, PERM_SEE_IDENTITY),
	                         strcmp(a->lang, "fr") == 0);
}

outcome app_open_form(app *a, int64_t patient_id, const char *pseudonym, const char *form_id,
                      const char *uuid)
{
	char *why = NULL;
	screen *f = form_screen_new(a, patient_id, pseudonym, form_id, uuid, 0, &why);
	if (!f) {
		app_message(a, true, "%s", why);
		free(why);
	} else {
		app_push(a, f);
	}
	return OUT_REDRAW;
}

unsigned screen_ctx(const screen *s)
{
	return s->ops->context ? s->ops->context(s) : s->ops->ctx;
}

void app_push(app *a, screen *s)
{
	s->below = a->top;
	a->top = s;
}

void app_message(app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->message, sizeof a->message, fmt, ap);
	va_end(ap);
	a->message_error = error;
}

bool app_allowed(app *a, perm p, const char *log_what, const char *shown_what)
{
	if (session_check(a->ses, p, log_what))
		return true;
	app_message(a, true, _("%s : réservé au rôle %s ou plus (vous : %s)."), shown_what,
	            perm_lowest_role(p), a->ses->role);
	return false;
}

bool app_next_deadline(app *a, deadline *out)
{
	return deadline_next(a->ses->fs->reporting, date_today(), out);
}

void app_draw_frame(app *a, const char *title, unsigned ctx)
{
	draw_blank(0, 0, COLS, draw_attr_focus());
	char right[160];
	snprintf(right, sizeof right, "%s (%s)", a->ses->login, a->ses->role);
	int rw = draw_width(right);
	draw_text(0, 1, COLS - rw - 3, title, draw_attr_focus() | draw_attr_title(), true);
	draw_text(0, COLS - rw - 1, rw, right, draw_attr_focus(), false);
	if (a->message[0]) {
		draw_blank(LINES - 2, 0, COLS, A_NORMAL);
		draw_text(LINES - 2, 0, COLS, a->message,
		          a->message_error ? draw_attr_error() : draw_attr_title(), true);
	}
	keys_footer(ctx, LINES - 1, COLS);
}

static void draw_too_small(void)
{
	erase();
	char buf[160];
	snprintf(buf, sizeof buf, _("Terminal trop petit : %d×%d au minimum (actuellement %d×%d)."),
	         UI_MIN_COLS, UI_MIN_LINES, COLS, LINES);
	int y = LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0;
	draw_text(y, 0, COLS, buf, A_BOLD, true);
	draw_text(y + 1, 0, COLS, _("Agrandir la fenêtre ; rien n'est perdu."), A_NORMAL, true);
	term_cursor(false);
}

/* Draw the top screen, and over it the question of the quit key when it is open. */
static void draw(app *a, dialog *quit)
{
	if (!term_big_enough()) {
		draw_too_small();
	} else {
		erase();
		term_cursor(false);
		a->top->ops->draw(a, a->top);
		dialog_draw(quit);
	}
	term_refresh();
}

/* Ask before leaving: a key pressed by mistake (or a function key the terminal mangled) must
 * never end the program. Enter keeps it running. */
static void ask_quit(app *a, dialog *quit)
{
	bool unsaved = false;
	for (screen *s = a->top; s; s = s->below)
		unsaved |= s->ops->unsaved && s->ops->unsaved(s);
	dialog_confirm(quit, 0, _("Quitter recueil"),
	               unsaved ? _("La saisie en cours sera gardée en brouillon et proposée au prochain "
	                           "démarrage.\no : quitter ; n, Entrée ou Échap : continuer")
	                       : _("o : quitter ; n, Entrée ou Échap : continuer"),
	               "no");
}

static void pop(app *a)
{
	screen *s = a->top;
	a->top = s->below;
	s->ops->done(s);
	if (a->top && a->top->ops->resume)
		a->top->ops->resume(a, a->top);
}

/* The program is stopping: every open screen keeps what was typed (drafts). */
static void hangup_all(app *a)
{
	for (screen *s = a->top; s; s = s->below)
		if (s->ops->hangup)
			s->ops->hangup(a, s);
}

/* What every screen does with Help, Back and Quit when its own handler leaves them (OUT_NONE):
 * the help screen, close the screen, ask whether to quit. A screen that means something else by
 * them (the home screen, a form with unsaved input, the help screen itself) handles them first. */
static outcome common_key(app *a, const ui_key *k)
{
	switch (k->act) {
	case ACT_HELP:
		app_push(a, help_new(a));
		return OUT_REDRAW;
	case ACT_QUIT:
		return OUT_ASK_QUIT;
	case ACT_BACK:
		return OUT_CLOSE;
	default:
		return OUT_NONE;
	}
}

static int run(app *a)
{
	dialog quit = {0};
	draw(a, &quit);
	for (;;) {
		int delay = a->top->ops->pending ? a->top->ops->pending(a->top) : -1;
		unsigned ctx = quit.kind ? CTX_DIALOG : screen_ctx(a->top);
		ui_key k = term_read(ctx == CTX_DIALOG ? ctx : ctx | CTX_GLOBAL, delay);
		if (k.end) {
			dialog_close(&quit);
			hangup_all(a);
			return term_signal();
		}
		if (k.timeout) {
			if (a->top->ops->idle)
				a->top->ops->idle(a, a->top);
			continue;
		}
		if (k.resize || k.act == ACT_REDRAW) {
			if (k.act == ACT_REDRAW)
				clearok(curscr, TRUE);
			draw(a, &quit);
			continue;
		}
		if (!term_big_enough())
			continue;
		outcome o;
		if (quit.kind) {
			int answer = 0;
			dialog_result r = dialog_key(&quit, &k, &answer);
			if (r != DR_OPEN)
				dialog_close(&quit);
			o = r == DR_DONE && answer == 'o' ? OUT_QUIT : OUT_REDRAW;
		} else {
			o = a->top->ops->key(a, a->top, &k);
			if (o == OUT_NONE && ctx != CTX_DIALOG)
				o = common_key(a, &k);
		}
		if (o == OUT_ASK_QUIT) {
			ask_quit(a, &quit);
			o = OUT_REDRAW;
		}
		if (o == OUT_QUIT) {
			hangup_all(a); /* the open form keeps what was typed as its draft */
			return 0;
		}
		if (o == OUT_CLOSE) {
			pop(a);
			if (a->after_close) {
				app_push(a, a->after_close);
				a->after_close = NULL;
			}
			if (!a->top)
				return 0;
		}
		if (o != OUT_NONE)
			draw(a, &quit);
		/* A message is shown on one draw only. */
		if (o != OUT_NONE)
			a->message[0] = 0;
	}
}

/* Say on stderr why the interface cannot start (the terminal is not taken yet) and return rc:
 * each line of why (freed) cleaned of control characters, the program's name before it unless
 * it names its own place (the forms' "FILE:LINE:COL: message" lines). */
static int start_failed(int rc, char *why, bool own_place)
{
	char *save = NULL;
	for (char *line = strtok_r(why, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!own_place)
			fputs("recueil: ", stderr);
		fputs_safe(line, stderr);
		fputc('\n', stderr);
	}
	free(why);
	return rc;
}

int ui_main(session *ses)
{
	app a = {0};
	a.ses = ses;
	a.lang = ui_language_init();
	char *why = NULL;
	int rc = session_load_forms(ses, &why);
	if (rc)
		return start_failed(rc, why, true);
	if ((rc = session_open(ses, PERM_READ, &why)))
		return start_failed(rc, why, false);
	if (!term_begin(&why))
		return start_failed(EXIT_USAGE, why, false);
	app_push(&a, home_new(&a));
	store_draft *drafts = NULL;
	size_t n = store_draft_list(ses->db, ses->login, &drafts);
	drafts_free(drafts, n);
	if (n)
		app_push(&a, drafts_new(&a));
	int sig = run(&a);
	while (a.top) {
		screen *s = a.top;
		a.top = s->below;
		s->ops->done(s);
	}
	term_end();
	if (sig) {
		/* Die of the signal, as the parent expects, now that the draft and the terminal are safe. */
		session_done(ses);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return 0;
}
