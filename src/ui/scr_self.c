/* scr_self.c — the self-assessment: the professional hands the screen to the patient for a form
 * marked self: true (AUDIT, PHQ-9 and GAD-7); one question per screen, large and plain, answered
 * by a number key, in the words of label_patient:. Nothing else is reachable: no identity, no
 * other patient, no other screen, only the answer keys, the previous question and the help line.
 * Each answer is kept at once as a draft marked as the patient's (DRAFT_KEY_PATIENT), so that a
 * hang-up loses nothing; at the end "Merci, rendez l'écran au professionnel". Leaving needs the
 * professional: their login typed back (three failures keep the mode and say so); the draft then
 * opens in the form screen, where they review, complete and validate it. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "ui/ui.h"

/* How many wrong logins close the prompt; the mode stays either way. */
enum { SELF_TRIES = 3 };
enum { TAG_LOGIN = 1 };

typedef struct {
	screen base;
	app *a;
	record *r;
	int64_t patient_id;
	char pseudo[16]; /* for the draft only: never drawn */
	size_t *asked;   /* the questions put to the patient (field indexes, in form order) */
	size_t n_asked;
	size_t cur;    /* index in asked of the question on screen; n_asked: the closing screen */
	bool answered; /* at least one answer given: there is a draft */
	store_draft dr;
	char *rescue; /* where the answers went when the database refused the draft */
	dialog dlg;
	int failures; /* wrong logins in a row */
	char notice[300];
	bool notice_error;
} self_screen;

/* ------------------------------------------------------------ questions */

static bool asked_visible(const self_screen *ss, size_t k)
{
	return ss->r->vals[ss->asked[k]].visible;
}

/* The question after (step 1) or before (step -1) k that is asked now (show_if), or -1; after the
 * last one, n_asked (the closing screen). */
static long self_step(const self_screen *ss, long k, int step)
{
	for (long j = k + step; j >= 0 && j < (long)ss->n_asked; j += step)
		if (asked_visible(ss, (size_t)j))
			return j;
	return step > 0 ? (long)ss->n_asked : -1;
}

/* The lead-in of question i: the last note before it in its section (its label_patient, else its
 * label), else the section's title. Borrowed. */
static const char *lead_in(const self_screen *ss, size_t i)
{
	const form *f = ss->r->f;
	const field *fd = &f->fields[i];
	const section *sec = &f->sections[fd->section];
	for (size_t j = i; j-- > sec->first;)
		if (f->fields[j].type == FT_NOTE)
			return field_patient_label(&f->fields[j], ss->a->lang);
	return i18n_get(&sec->title, ss->a->lang);
}

/* The answers of question fd, as the patient reads them: its choices, or Oui / Non; then, when
 * the question takes the refusal (missing_codes), "Je préfère ne pas répondre" under key 0. */
static size_t answer_count(const field *fd)
{
	return fd->type == FT_YESNO ? 2 : fd->choices->n;
}

static size_t rows_offered(const field *fd)
{
	return answer_count(fd) + ((fd->missing_allowed & MISS_REFUS) != 0);
}

static const char *answer_code(const field *fd, size_t k)
{
	if (k == answer_count(fd))
		return missing_code_name(MISS_REFUS);
	return fd->type == FT_YESNO ? (k == 0 ? "1" : "0") : fd->choices->items[k].code;
}

static const char *answer_label(const self_screen *ss, const field *fd, size_t k)
{
	if (k == answer_count(fd))
		return _("Je préfère ne pas répondre");
	if (fd->type == FT_YESNO)
		return k == 0 ? _("Oui") : _("Non");
	return choice_patient_label(&fd->choices->items[k], ss->a->lang);
}

/* Whether answer k is the one given to field i. */
static bool answer_given(const self_screen *ss, size_t i, size_t k)
{
	const fvalue *v = &ss->r->vals[i];
	if (k == answer_count(&ss->r->f->fields[i]))
		return v->missing == MISS_REFUS;
	return v->text && strcmp(v->text, answer_code(&ss->r->f->fields[i], k)) == 0;
}

/* ------------------------------------------------------------ the draft */

/* Keep the answers as the professional's draft, marked as the patient's (when they answered). */
static void self_keep(self_screen *ss)
{
	if (!ss->answered)
		return;
	const form *f = ss->r->f;
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (size_t k = 0; k < ss->n_asked; k++) {
		const fvalue *v = &ss->r->vals[ss->asked[k]];
		if (v->visible && (v->text || v->missing))
			draft_content_add(&sb, f->fields[ss->asked[k]].id,
			                  v->text ? v->text : missing_code_name(v->missing));
	}
	char now[32];
	time_now_iso(now, sizeof now);
	draft_content_add(&sb, DRAFT_KEY_PATIENT, now);
	/* The form screen opens on the first question left unanswered, else on the first one; the
	 * text of its editor is the answer, which the form screen takes as typed. */
	long focus = self_step(ss, -1, 1);
	for (long k = focus; k >= 0 && k < (long)ss->n_asked; k = self_step(ss, k, 1))
		if (!ss->r->vals[ss->asked[k]].text && !ss->r->vals[ss->asked[k]].missing) {
			focus = k;
			break;
		}
	if (focus >= 0 && focus < (long)ss->n_asked) {
		const fvalue *v = &ss->r->vals[ss->asked[focus]];
		draft_content_add(&sb, DRAFT_KEY_FOCUS, f->fields[ss->asked[focus]].id);
		draft_content_add(&sb, DRAFT_KEY_EDIT, v->text ? v->text : missing_code_name(v->missing));
	}
	free(ss->dr.content);
	ss->dr.content = strbuf_take(&sb);
	ss->dr.patient_id = ss->patient_id;
	snprintf(ss->dr.pseudonym, sizeof ss->dr.pseudonym, "%s", ss->pseudo);
	snprintf(ss->dr.form, sizeof ss->dr.form, "%s", f->id);
	date_format(ss->r->date, ss->dr.date);
	char *why = NULL;
	draft_keep_status kept = store_draft_keep(ss->a->ses->db, &ss->dr, ss->a->ses->login,
	                                          ss->a->ses->db_path, NULL, &ss->rescue, &why);
	if (kept != DRAFT_KEPT) {
		ss->notice_error = true;
		snprintf(ss->notice, sizeof ss->notice, _("réponses non gardées dans la base : %s%s%s"),
		         why ? why : "?", kept == DRAFT_RESCUED ? _(" ; copiées dans ") : "",
		         kept == DRAFT_RESCUED ? ss->rescue : "");
	}
	free(why);
}

/* ------------------------------------------------------------ drawing */

/* Draw text centred on row y within width columns; returns the rows used (wrapped). */
static int draw_centred(int y, int width, const char *text, unsigned long attr, int max_rows)
{
	char **lines;
	size_t n = draw_wrap(text, width, &lines);
	int used = 0;
	for (size_t k = 0; k < n && used < max_rows; k++, used++) {
		int w = draw_width(lines[k]);
		draw_text(y + used, (COLS - w) / 2 > 0 ? (COLS - w) / 2 : 0, width, lines[k], attr, true);
	}
	lines_free(lines, n);
	return used;
}

/* Rows text takes once wrapped to width. */
static int wrapped_rows(const char *text, int width)
{
	char **lines;
	size_t n = draw_wrap(text, width, &lines);
	lines_free(lines, n);
	return (int)n;
}

/* The title bar: the questionnaire and where the patient is; nothing of the professional's. */
static void draw_bar(const self_screen *ss)
{
	draw_blank(0, 0, COLS, draw_attr_focus());
	char right[80] = "";
	if (ss->cur < ss->n_asked) {
		/* A question skipped now may still be asked while an earlier one has no answer (AUDIT's
		 * questions 2 to 8 before question 1): it counts, so that the total never grows. */
		int pos = 0, total = 0;
		bool open = false;
		for (size_t k = 0; k < ss->n_asked; k++) {
			const fvalue *v = &ss->r->vals[ss->asked[k]];
			if (v->visible || open) {
				total++;
				pos += v->visible && k <= ss->cur;
			}
			open = open || (v->visible && !v->text && !v->missing);
		}
		snprintf(right, sizeof right, _("Question %d sur %d"), pos, total);
	}
	int rw = draw_width(right);
	char *title = xasprintf(_("Questionnaire : %s"), i18n_get(&ss->r->f->title, ss->a->lang));
	draw_text(0, 1, COLS - rw - 3, title, draw_attr_focus() | draw_attr_title(), true);
	free(title);
	draw_text(0, COLS - rw - 1, rw, right, draw_attr_focus(), false);
}

static void draw_question(const self_screen *ss)
{
	size_t i = ss->asked[ss->cur];
	const field *fd = &ss->r->f->fields[i];
	int width = COLS - 8 < 72 ? COLS - 8 : 72;
	const char *lead = lead_in(ss, i), *question = field_patient_label(fd, ss->a->lang);
	size_t n = rows_offered(fd);
	/* Answers a blank row apart when the screen has room: large and plain. */
	int room = LINES - 5, lead_rows = wrapped_rows(lead, width), q_rows = wrapped_rows(question, width);
	/* On a small terminal the lead-in gives way to the answers (it is the same for a section). */
	if (lead_rows + 1 + q_rows + 1 + (int)n > room)
		lead_rows = -1;
	int gap = lead_rows + 1 + q_rows + 1 + 2 * (int)n - 1 <= room ? 2 : 1;
	int height = lead_rows + 1 + q_rows + 1 + gap * ((int)n - 1) + 1;
	int y = 2 + (room - height) / 2;
	if (y < 2)
		y = 2;
	if (lead_rows > 0)
		y += draw_centred(y, width, lead, draw_attr_dim(), 3) + 1;
	y += draw_centred(y, width, question, A_BOLD, 4) + 1;
	int label_w = 0;
	for (size_t k = 0; k < n; k++)
		if (draw_width(answer_label(ss, fd, k)) > label_w)
			label_w = draw_width(answer_label(ss, fd, k));
	if (label_w > width - 6)
		label_w = width - 6;
	int x = (COLS - label_w - 6) / 2;
	for (size_t k = 0; k < n && y < LINES - 2; k++, y += gap) {
		bool on = answer_given(ss, i, k), refusal = k == answer_count(fd);
		char key[24];
		snprintf(key, sizeof key, "%zu", refusal ? 0 : k + 1);
		draw_text(y, x, 1, on ? "▸" : " ", A_BOLD, false);
		draw_text(y, x + 2, 1, key, A_BOLD | A_REVERSE, false);
		draw_text(y, x + 5, label_w + 1, answer_label(ss, fd, k),
		          on        ? A_BOLD
		          : refusal ? draw_attr_dim()
		                    : A_NORMAL,
		          true);
	}
}

static void draw_closing(void)
{
	int y = LINES / 2 - 2;
	draw_centred(y, COLS - 4, _("Merci, rendez l'écran au professionnel."), A_BOLD, 2);
	draw_centred(y + 3, COLS - 4, _("Vos réponses sont gardées ; il les relira avec vous."), A_NORMAL, 2);
}

static void self_draw(app *a, screen *s)
{
	(void)a;
	self_screen *ss = (self_screen *)s;
	draw_bar(ss);
	if (ss->cur < ss->n_asked)
		draw_question(ss);
	else
		draw_closing();
	if (ss->notice[0])
		draw_text(LINES - 2, 0, COLS, ss->notice, ss->notice_error ? draw_attr_error() : A_BOLD,
		          true);
	draw_blank(LINES - 1, 0, COLS, draw_attr_focus());
	draw_text(LINES - 1, 1, COLS - 2,
	          ss->cur < ss->n_asked
	              ? _("Tapez le chiffre de votre réponse · ← : revenir · Échap : professionnel")
	              : _("← : revenir aux questions · Entrée : professionnel"),
	          draw_attr_focus(), true);
	dialog_draw(&ss->dlg);
}

/* ------------------------------------------------------------ keys */

static void ask_login(self_screen *ss, const char *error)
{
	char *text = xasprintf("%s%s%s", error ? error : "", error ? "\n" : "",
	                       _("Réservé au professionnel : tapez votre identifiant de connexion pour "
	                         "reprendre la main.\nÉchap : revenir au questionnaire."));
	dialog_input(&ss->dlg, TAG_LOGIN, _("Fin de l'auto-questionnaire"), text, "");
	free(text);
}

/* The professional is back: the answers open in the form screen, to review and validate. */
static outcome hand_back(app *a, self_screen *ss)
{
	if (!ss->answered) {
		app_message(a, false, "%s", _("Auto-questionnaire fermé sans réponse."));
		return OUT_CLOSE;
	}
	self_keep(ss);
	char *why = NULL;
	screen *f = ss->dr.id
	                ? form_screen_new(a, ss->patient_id, ss->pseudo, ss->r->f->id, NULL, ss->dr.id, &why)
	                : NULL;
	if (f)
		a->after_close = f;
	else
		app_message(a, true,
		            _("Réponses du patient gardées%s%s ; à reprendre dans les brouillons (%s)."),
		            ss->rescue ? _(" dans ") : "", ss->rescue ? ss->rescue : "", why ? why : "");
	free(why);
	return OUT_CLOSE;
}

static outcome login_answer(app *a, self_screen *ss, dialog_result r)
{
	if (r != DR_DONE) {
		dialog_close(&ss->dlg);
		return OUT_REDRAW;
	}
	char *typed = le_text(&ss->dlg.edit);
	bool ok = strcmp(typed, a->ses->login) == 0;
	free(typed);
	dialog_close(&ss->dlg);
	if (ok)
		return hand_back(a, ss);
	if (++ss->failures < SELF_TRIES) {
		char *error = xasprintf(_("Identifiant refusé (essai %d sur %d)."), ss->failures, SELF_TRIES);
		ask_login(ss, error);
		free(error);
		return OUT_REDRAW;
	}
	ss->failures = 0;
	store_log_refusal(a->ses->db, a->ses->login,
	                  "sortie de l'auto-questionnaire : trois identifiants refusés");
	ss->notice_error = true;
	snprintf(ss->notice, sizeof ss->notice, "%s",
	         _("Identifiant refusé trois fois : le questionnaire reste ouvert."));
	return OUT_REDRAW;
}

/* An answer by its number key (1 for the first, 0 for the refusal when offered). */
static outcome answer(self_screen *ss, wint_t ch)
{
	size_t i = ss->asked[ss->cur];
	const field *fd = &ss->r->f->fields[i];
	size_t k = ch == L'0' ? answer_count(fd) : (size_t)(ch - L'1');
	if (ch < L'0' || ch > L'9' || k >= rows_offered(fd))
		return OUT_REDRAW;
	if (!record_set(ss->r, i, answer_code(fd, k), NULL))
		return OUT_REDRAW;
	record_compute(ss->r);
	ss->answered = true;
	ss->notice[0] = 0;
	self_keep(ss);
	ss->cur = (size_t)self_step(ss, (long)ss->cur, 1);
	return OUT_REDRAW;
}

/* Every key ends here: nothing is left to the common keys of the application (help, quit,
 * back), which would lead out of the mode. */
static outcome self_key(app *a, screen *s, const ui_key *k)
{
	self_screen *ss = (self_screen *)s;
	if (ss->dlg.kind) {
		int unused = 0;
		dialog_result r = dialog_key(&ss->dlg, k, &unused);
		return r == DR_OPEN ? OUT_REDRAW : login_answer(a, ss, r);
	}
	switch (k->act) {
	case ACT_PREV: {
		long prev = self_step(ss, (long)ss->cur, -1);
		if (prev >= 0)
			ss->cur = (size_t)prev;
		return OUT_REDRAW;
	}
	case ACT_BACK:
		ask_login(ss, NULL);
		return OUT_REDRAW;
	case ACT_OPEN:
		if (ss->cur >= ss->n_asked)
			ask_login(ss, NULL);
		return OUT_REDRAW;
	default:
		if (k->act == ACT_NONE && k->ch && ss->cur < ss->n_asked)
			return answer(ss, k->ch);
		return OUT_REDRAW;
	}
}

static unsigned self_context(const screen *s)
{
	return ((const self_screen *)s)->dlg.kind ? CTX_DIALOG : CTX_SELF;
}

static void self_hangup(app *a, screen *s)
{
	(void)a;
	self_keep((self_screen *)s);
}

static void self_done(screen *s)
{
	self_screen *ss = (self_screen *)s;
	dialog_close(&ss->dlg);
	record_free(ss->r);
	free(ss->asked);
	draft_done(&ss->dr);
	free(ss->rescue);
	free(ss);
}

static const screen_ops self_ops = {
    .name = "self",
    .ctx = CTX_SELF,
    .draw = self_draw,
    .key = self_key,
    .done = self_done,
    .context = self_context,
    .hangup = self_hangup,
};

screen *self_new(app *a, int64_t patient_id, const char *pseudonym, const form *f)
{
	self_screen *ss = xcalloc(1, sizeof *ss);
	ss->base.ops = &self_ops;
	ss->a = a;
	ss->patient_id = patient_id;
	snprintf(ss->pseudo, sizeof ss->pseudo, "%s", pseudonym);
	ss->r = record_new(a->ses->fs, f, date_today());
	ss->r->patient = store_patient_record(a->ses->db, a->ses->fs, patient_id);
	ss->r->owns_patient = true;
	ss->asked = xcalloc(f->n_fields + 1, sizeof *ss->asked);
	for (size_t i = 0; i < f->n_fields; i++)
		if (field_self_question(&f->fields[i]))
			ss->asked[ss->n_asked++] = i;
	record_compute(ss->r);
	ss->cur = (size_t)self_step(ss, -1, 1);
	return &ss->base;
}
