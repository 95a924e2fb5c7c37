/* ui.h — what the modules of the terminal interface share: the application state, the screen
 * interface, named actions, drawing helpers and the UI language.
 *
 * Ownership: term.c alone starts and ends curses and reads keys; keys.c alone maps keys to
 * actions; each scr_*.c file is one screen (x_new / x_draw / x_key / x_done) that redraws wholly
 * from its own state and keeps no geometry. Only the files of src/ui/ include curses. */
#ifndef RECUEIL_UI_H
#define RECUEIL_UI_H

#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "core/record.h"
#include "export/period.h"
#include "session/session.h"
#include "store/store.h"

/* Every UI string goes through _() (French msgids, English in po/en.po). */
#define _(s)  gettext(s)
#define N_(s) (s)

/* The smallest terminal the screens are laid out for. */
enum { UI_MIN_COLS = 60, UI_MIN_LINES = 16 };

/* ---- named actions (keys.c) */
typedef enum {
	ACT_NONE = 0,
	ACT_HELP,
	ACT_SAVE,
	ACT_FIELD_HELP,
	ACT_MISSING,
	ACT_NEW,
	ACT_QUIT,
	ACT_BACK,
	ACT_OPEN,
	ACT_NEXT,
	ACT_PREV,
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_PGUP,
	ACT_PGDN,
	ACT_LINE_START,
	ACT_LINE_END,
	ACT_BACKSPACE,
	ACT_DELETE,
	ACT_CLEAR,
	ACT_TOGGLE,
	ACT_REDRAW,
	ACT_PATIENTS,
	ACT_DRAFTS,
	ACT_YES,
	ACT_NO,
	ACT_DELETE_ITEM,
	ACT_ALERTS,    /* home: the clinical alerts waiting */
	ACT_ACK,       /* acknowledge the chosen clinical alert */
	ACT_EXPORT,    /* home: the archive of a period (coordination) */
	ACT_REPORT,    /* home: the activity report of a period (coordination) */
	ACT_PERIOD,    /* export, report: choose another period */
	ACT_MASK,      /* report: mask the small counts or show them */
	ACT_LEDGER,    /* home: the structures of the region, their last exports (coordination) */
	ACT_PRINT,     /* patient file: write the patient's access document */
	ACT_STRUCTURE, /* home: the entries of the structure's own forms (team meetings) */
	ACT_IMPACT,    /* report: the impact page of the same period */
	ACT_SELF,      /* patient file: hand the screen to the patient (self-assessment) */
	ACT_INFORM,    /* patient file: record that the patient was informed today */
	ACT_OPPOSE,    /* patient file: record the patient's opposition today, or withdraw it */
	ACT_COUNT
} action;

/* Contexts: which bindings a screen listens to (a bit mask of the table's rows). */
enum {
	CTX_GLOBAL = 1 << 0,
	CTX_HOME = 1 << 1,
	CTX_LIST = 1 << 2, /* patient list: letters are search text */
	CTX_FILE = 1 << 3, /* patient file */
	CTX_FORM = 1 << 4, /* form entry: letters are field text */
	CTX_HELP = 1 << 5,
	CTX_DIALOG = 1 << 6, /* yes/no questions, menus, one-line prompts */
	CTX_DRAFTS = 1 << 7,
	CTX_ALERTS = 1 << 8,     /* the clinical alerts of all patients */
	CTX_EXPORT = 1 << 9,     /* the export of a period */
	CTX_REPORT = 1 << 10,    /* the activity report of a period */
	CTX_LEDGER = 1 << 11,    /* the structures of the region, their last exports */
	CTX_STRUCTURE = 1 << 12, /* the entries of the structure's own forms */
	CTX_SELF = 1 << 13,      /* the patient answers alone: answer, previous question, professional */
};

/* A key as read: its action in the current context, or a character to type. */
typedef struct {
	action act;
	wint_t ch;    /* the character typed when act == ACT_NONE and ch != 0 */
	bool resize;  /* the terminal changed size */
	bool timeout; /* no key within the idle delay */
	bool end;     /* end of input (key script finished, terminal gone) */
} ui_key;

/* Map a raw key (wide character or KEY_* code) to an action of ctx; ACT_NONE when unbound. */
action keys_action(unsigned ctx, int is_code, wint_t k);
/* The footer line for a context: "F1 ^G Aide  F2 ^S Enregistrer …" (static storage). */
void keys_footer(unsigned ctx, int y, int width);
/* Lines of the help screen, generated from the table; caller frees with help_lines_free. */
char **keys_help_lines(size_t *n);

/* ---- the terminal (term.c) */
/* Start curses on the terminal, or, when RECUEIL_KEYS names a key script, on RECUEIL_SCREEN_OUTPUT
 * (default /dev/null). Returns false with *why (caller frees) when there is no usable terminal. */
bool term_begin(char **why);
/* Restore the terminal; safe to call twice, from atexit and from the signal path. */
void term_end(void);
/* Read one key for ctx; timeout_ms < 0 waits forever. Script keys come from RECUEIL_KEYS. */
ui_key term_read(unsigned ctx, int timeout_ms);
/* The signal that asked us to stop (SIGHUP, SIGTERM), 0 if none. */
int term_signal(void);
/* Write the screen as text to RECUEIL_SCREEN_DUMP (appended), if set. */
void term_dump(const char *why);
/* True when the terminal shows UTF-8; otherwise text is transliterated to ASCII. */
bool term_utf8(void);
/* Whether the current terminal is large enough for the screens. */
bool term_big_enough(void);
/* Show or hide the cursor at the next term_refresh. */
void term_cursor(bool visible);
/* Send the screen's changes to the terminal. */
void term_refresh(void);

/* ---- drawing helpers (draw.c); y/x are screen positions, width in columns */
/* Decode one UTF-8 character of s (invalid bytes give U+FFFD); returns its length in bytes. */
size_t draw_utf8_decode(const char *s, wchar_t *out);
/* Display width of UTF-8 text (control characters count 1, as they are shown as U+FFFD). */
int draw_width(const char *s);
/* Draw UTF-8 text at y,x, cut to at most width columns (with "…" when cut and ellipsis is
 * set); returns the columns used. attr is a curses attribute. */
int draw_text(int y, int x, int width, const char *s, unsigned long attr, bool ellipsis);
/* Draw a wide string (already a line editor's buffer) cut to width columns. */
int draw_wtext(int y, int x, int width, const wchar_t *s, size_t n, unsigned long attr);
/* Blank from x to x+width on row y with attr. */
void draw_blank(int y, int x, int width, unsigned long attr);
/* Cut UTF-8 text into lines of at most width columns as this terminal shows them, on spaces
 * when possible (text_wrap_measured with draw_width). Caller frees with lines_free. */
size_t draw_wrap(const char *s, int width, char ***lines);
/* Append s to sb folded for matching what a person types: lower case, no accents, no dashes
 * ("Lefèvre" and "lefevre", "Jean-Marc" and "Jean Marc" match). */
void draw_fold(strbuf *sb, const char *s);
/* x as a person reads it (format_number: decimals digits, or the shortest form when < 0), with
 * a decimal comma in French; buf >= 40 bytes. Files and the database keep the point. */
void draw_number(double x, int decimals, char *buf, size_t size);
/* text, a number as stored ("45.5"), as a person reads it: text itself, or buf holding it with a
 * decimal comma in French. */
const char *draw_decimal(const char *text, char *buf, size_t size);
/* Attributes: reverse video and bold only, so that monochrome terminals work. */
unsigned long draw_attr_focus(void);
unsigned long draw_attr_title(void);
unsigned long draw_attr_error(void);
unsigned long draw_attr_dim(void);
/* A clinical alert's level ("info", "attention", "urgent"): its attribute (urgent bold and
 * underlined, attention bold, even in monochrome; never reverse video, which is the selection's),
 * the word shown for it ("URGENT") and its rank (urgent 2, attention 1, info 0). */
unsigned long draw_attr_alert(const char *level);
const char *alert_level_word(const char *level);
int alert_level_rank(const char *level);

/* ---- a one-line editor (lineedit.c): UTF-8 stored, cursor by character, layout by column */
typedef struct {
	wchar_t *buf;
	size_t len, cap, cur;
	size_t scroll;     /* first character shown */
	bool replace_next; /* the next typed character replaces the whole text (data entry) */
} lineedit;

void le_init(lineedit *le, const char *utf8);
void le_done(lineedit *le);
void le_set(lineedit *le, const char *utf8);
/* The text as UTF-8, trimmed of blanks at both ends (caller frees). */
char *le_text(const lineedit *le);
/* Apply an editing action or a typed character; true when the text changed. */
bool le_key(lineedit *le, const ui_key *k);
/* Draw in width columns at y,x and return the cursor's column. */
int le_draw(lineedit *le, int y, int x, int width, unsigned long attr);

/* ---- the application and its screens (app.c) */
typedef struct app app;
typedef struct screen screen;

typedef enum {
	OUT_NONE,     /* nothing to redraw */
	OUT_REDRAW,   /* redraw the screen */
	OUT_CLOSE,    /* close this screen, back to the one below */
	OUT_ASK_QUIT, /* ask whether to leave the program (no key ever quits without asking) */
	OUT_QUIT,     /* leave the program now: the person has just confirmed it */
} outcome;

typedef struct {
	const char *name;
	unsigned ctx;
	void (*draw)(app *a, screen *s);
	outcome (*key)(app *a, screen *s, const ui_key *k);
	void (*done)(screen *s);
	/* Optional: the context now, when it changes (a dialog open); ctx otherwise. */
	unsigned (*context)(const screen *s);
	/* Optional: called when the screen comes back on top (refresh data). */
	void (*resume)(app *a, screen *s);
	/* Optional: work waiting for an idle moment (draft to write); returns the delay in ms
	 * before idle() should run, or -1 when nothing is pending. */
	int (*pending)(screen *s);
	void (*idle)(app *a, screen *s);
	/* Optional: the program is stopping (signal, end of input, Quit): keep what was typed. */
	void (*hangup)(app *a, screen *s);
	/* Optional: whether the screen holds typing not saved yet (Quit says it is kept). */
	bool (*unsaved)(const screen *s);
} screen_ops;

struct screen {
	const screen_ops *ops;
	screen *below;
};

struct app {
	session *ses;     /* the forms, the database, the login and role (owned by main) */
	const char *lang; /* "fr" or "en": which form labels to show */
	screen *top;
	char message[512]; /* one-line status message, shown once on the next draw */
	bool message_error;
	screen *after_close;  /* pushed once the top screen has closed (OUT_CLOSE) */
	int64_t raised_alert; /* a clinical alert the last save raised: the patient file selects it */
};

/* The key context of a screen now. */
unsigned screen_ctx(const screen *s);
/* Put a screen on top (it is drawn next); the app owns it from now on. */
void app_push(app *a, screen *s);
/* Set the status line message (formatted, copied). */
void app_message(app *a, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Draw the common parts: the title bar (row 0), the message line and the footer (last rows). */
void app_draw_frame(app *a, const char *title, unsigned ctx);
/* Whether the logged-in user may p (session_may). If not, the refusal is written to the audit
 * trail as the command line does ("« log_what » réservé au rôle …") and said in the status line
 * (shown_what: the action, in the interface's language). */
bool app_allowed(app *a, perm p, const char *log_what, const char *shown_what);
/* The next reporting deadline from today (reporting.yaml); false when the calendar has none. */
bool app_next_deadline(app *a, deadline *out);

/* The one-line summary of r as the person at the screen reads it: identity values masked unless
 * they may see them, numbers with a decimal comma in French, and "<form> : à compléter" rather
 * than "AUDIT ? — ?" while none of its values is there. Caller frees. */
char *app_summary(app *a, const record *r);

/* Screens. Each x_new returns a screen the app owns (freed through ops->done). */
screen *home_new(app *a);
screen *patients_new(app *a);
screen *patient_file_new(app *a, int64_t patient_id, const char *pseudonym);
/* An entry as a line of a list (scr_patient.c): "date  status  summary", the summary as the
 * person may see it, after the form's title when with_title. Caller frees. */
char *entry_list_line(app *a, const entry_meta *m, bool with_title);
screen *help_new(app *a);
screen *drafts_new(app *a);
screen *alerts_new(app *a);
/* The export of a period and the activity report (coordination and above: callers check with
 * app_allowed first). */
screen *export_new(app *a);
screen *report_new(app *a);
/* The structures of the region and their last exports (coordination and above). */
screen *structures_new(app *a);
/* The entries of the forms of scope: structure (the team meetings), newest first: open, add,
 * delete (scr_structure.c). NULL when the forms have none. */
screen *structure_entries_new(app *a);
/* The impact page of period p (report --impact) as bar charts: same keys as the report. */
screen *impact_new(app *a, const period *p);
/* The self-assessment of form f (self: true) by the patient patient_id: one question per screen,
 * nothing else reachable; leaving needs the login of the session typed back, then the answers
 * (a draft marked as the patient's) open in the form screen for the professional. */
screen *self_new(app *a, int64_t patient_id, const char *pseudonym, const form *f);
/* Open a form: an existing entry (uuid), a new entry of form_id for patient_id, or a new
 * patient (patient_id 0, form "patient"). draft_id > 0 restores that draft on top. */
screen *form_screen_new(app *a, int64_t patient_id, const char *pseudonym, const char *form_id,
                        const char *uuid, int64_t draft_id, char **why);
/* form_screen_new (no draft) put on top, or what prevents it said in the status line. Returns
 * OUT_REDRAW for the key handler that asked. */
outcome app_open_form(app *a, int64_t patient_id, const char *pseudonym, const char *form_id,
                      const char *uuid);

/* ---- modal dialogs (dialog.c), drawn over the current screen by its owner */
typedef enum { DLG_NONE, DLG_MESSAGE, DLG_CONFIRM, DLG_INPUT, DLG_MENU } dialog_kind;

typedef struct {
	dialog_kind kind;
	char *title;
	char *text;   /* may hold several lines ("\n") */
	char **items; /* DLG_MENU: the choices */
	size_t n_items, sel;
	char *choices; /* DLG_CONFIRM: accepted letters, the first Enter's: put the harmless answer
	                * first ("no": Enter means no) */
	lineedit edit; /* DLG_INPUT */
	int tag;       /* what the owner asked, to act on the answer */
} dialog;

typedef enum { DR_OPEN, DR_CANCEL, DR_DONE } dialog_result;

void dialog_message(dialog *d, int tag, const char *title, const char *text);
void dialog_confirm(dialog *d, int tag, const char *title, const char *text, const char *choices);
void dialog_input(dialog *d, int tag, const char *title, const char *text, const char *initial);
void dialog_menu(dialog *d, int tag, const char *title, char **items, size_t n); /* takes items */
void dialog_close(dialog *d);
void dialog_draw(dialog *d);
/* Give a key to an open dialog. DR_DONE: for a confirm, *answer is the letter chosen; for a
 * menu, d->sel is the choice; for an input, le_text(&d->edit) is the text. */
dialog_result dialog_key(dialog *d, const ui_key *k, int *answer);
unsigned dialog_ctx(const dialog *d);

/* ---- the period prompt of the export and the report (dialog.c). question: the screen's own
 * (translated) line saying what the period is for and how to write one. */
/* Open the period dialog: question, under error when there is one (a bad period, no deadline);
 * the text offered is current's label (NULL: empty). */
void period_ask(dialog *d, int tag, const char *question, const period *current, const char *error);
/* The text typed in the period dialog (d closed by the caller after DR_DONE): true with *out set
 * when it is a period; otherwise the dialog is opened again, saying why, with the text as typed,
 * *out untouched, and false. */
bool period_answer(dialog *d, int tag, const char *question, const char *typed, period *out);
/* Give a key to the open period dialog (a screen with no other dialog): true with *out set when
 * a period was chosen; the dialog stays open while typing, opens again on a bad period
 * (period_answer), closes on Esc. */
bool period_key(dialog *d, int tag, const char *question, const ui_key *k, period *out);
/* The period a screen opens on: the one the next reporting deadline covers, true (*next, if not
 * NULL, gets that deadline); when the calendar has none, the period dialog is opened saying so,
 * and false. */
bool period_start(app *a, dialog *d, int tag, const char *question, period *out, deadline *next);

/* ---- clinical alerts waiting for a professional (scr_alerts.c), also shown by the patient
 * file and counted on the home screen */
typedef struct {
	int64_t id;
	char level[12]; /* info, attention, urgent */
	char pseudo[16];
	char form[64];
	char entry_uuid[37];
	char *line;    /* one line: level, date, (pseudonym,) form, message */
	char *message; /* the rule's message, in the interface's language when the form has it */
	char *raised;  /* "levée le … par …" */
} alert_row;

/* The open alerts of a patient (0: of all patients), most urgent first; *urgent (if not NULL)
 * gets how many are urgent. Caller frees with alert_rows_free. */
size_t alert_rows_load(app *a, int64_t patient_id, alert_row **out, size_t *urgent);
void alert_rows_free(alert_row *v, size_t n);
/* Draw an alert's line at y,x over width columns, highlighted by its level; selected adds a
 * marker. */
void alert_row_draw(const alert_row *r, int y, int x, int width, bool selected);

/* ---- the course of a patient's scores (trend.c): the fields a form marks trend: */
typedef struct {
	const char *name; /* the field's trend: name ("AUDIT"), borrowed from the forms */
	int decimals;     /* the field's decimals: */
	double *v;        /* the values, oldest first */
	char (*date)[11]; /* the date of each */
	size_t n;
} trend;

typedef struct {
	trend *v;
	size_t n;
} trends;

/* Add the values r holds as numbers in its trend: fields, dated date (entries come oldest
 * first), to t; the forms must outlive t. Release with trends_done. */
void trends_add(trends *t, const record *r, const char *date);
void trends_done(trends *t);
/* Draw t from row y, one line per score, at most rows lines, over the screen's width: a
 * sparkline of the last values (ASCII on a terminal that is not UTF-8), then the first and last
 * values it shows with their dates. Returns the rows used. */
int trends_draw(const trends *t, int y, int rows);
/* Open the dialog asking for the optional note of an acknowledgement. */
void alert_ack_ask(app *a, dialog *d, int tag, const alert_row *r);
/* Record the acknowledgement (who: the logged-in user, when: now) and say so in the status
 * line; false (with the reason shown) when it could not be recorded. */
bool alert_ack_record(app *a, const alert_row *r, const char *note);

/* ---- the patient's access document (access_print.c) */
/* Write the access document of the patient (PDF when groff is installed, text otherwise) into
 * the user's home directory, under a name that is not taken, "recueil-acces-PSEUDO-DATE.pdf",
 * and say where in the status line (or why not). The print is in the audit trail. */
void access_print(app *a, int64_t patient_id, const char *pseudonym);

/* ---- the language and the entry point (app.c) */
/* Bind the "recueil" text domain (French when untranslated) and return "fr" or "en". */
const char *ui_language_init(void);
/* The full-screen interface on the session s (opened here; closed by the caller's session_done,
 * or here before dying of a stop signal). Returns the exit code; a database or forms that cannot
 * be opened are said on stderr before the terminal is taken. */
int ui_main(session *s);

#endif
