/* form_screen.h — what the three files of the form entry screen share: its state and the
 * functions each offers the others. scr_form.c handles keys and editing and checks a save;
 * form_draw.c draws the screen from the layout of core/form_layout.h; form_save.c keeps the
 * draft and stores the entry. Private to those files. */
#ifndef RECUEIL_FORM_SCREEN_H
#define RECUEIL_FORM_SCREEN_H

#include <stdbool.h>
#include <time.h>

#include "core/form_layout.h"
#include "ui/ui.h"

/* The focus on the entry date rather than on a field. */
enum { FOCUS_DATE = FL_DATE };

/* What a dialog of the screen asks (dialog.tag), to act on the answer. */
enum { TAG_REASON = 1, TAG_INCOMPLETE, TAG_LEAVE, TAG_INFO, TAG_CONFLICT, TAG_DUPLICATE };

/* A field a run of keys went through (a choice answered by one key moves on by itself): its
 * value before, to be put back if the run was one value typed across several fields. */
typedef struct {
	int field;
	char *text;
	missing_code missing;
} run_step;

typedef struct {
	screen base;
	app *a;
	record *r;
	entry_meta meta;
	bool new_patient; /* the patient is created when this form is saved */
	bool dated;       /* repeated forms have an entry date to type */
	int cur;          /* the focused field, or FOCUS_DATE */
	lineedit ed;
	char *err;      /* why the focused field is refused, or NULL */
	char **reasons; /* per field: the confirmation reason of a soft warning */
	char **stored;  /* per field: the reason the database holds for it (an entry reopened) */
	bool changed;   /* typed since the form was opened */
	bool dirty;     /* typed since the draft was written */
	time_t last_draft;
	store_draft dr;
	char *rescue; /* the file outside the database where what is typed was kept, or NULL */
	dialog dlg;
	int after;      /* what to do once the reason dialog is answered */
	int after_goto; /* AFTER_GOTO: the field to go to */
	bool allow_incomplete;
	bool duplicate_ok; /* a new patient like one already there: created all the same */
	strbuf run;        /* the characters typed without a pause key since the cursor moved on by
	                    * itself, when it did: "03" of "03.12.2026" typed into choices */
	run_step *run_steps;
	size_t run_n;
	bool *alert_on; /* per alert rule of the form: it holds for the values as typed */
	bool identity;  /* the person may see identity fields (session_shows_field) */
} form_screen;

/* Field i of the form (borrowed). */
static inline const field *field_at(const form_screen *scr, int i)
{
	return &scr->r->f->fields[i];
}

/* ---- scr_form.c */
/* Whether field i is on screen: a question asked (show_if) that the person may see. Identity
 * fields are left out for the roles that may not see them; their values stay as stored. */
bool form_screen_shown(const form_screen *scr, int i);
/* True when the cursor can stop on i: the entry date of a repeated form, or a field shown and
 * typed into. */
bool form_screen_focusable(const form_screen *scr, int i);
/* Compute the calculated fields and skip logic again, and which alert rules hold now. */
void form_screen_recompute(form_screen *scr);
/* Put typed (copied; NULL: the focused field's value) in the editor of the focused field. The
 * first key typed replaces it when it is the value itself of a choice, a yes/no, a number or a
 * date, as when the field is reached; free text and a value half typed are continued. */
void form_screen_edit(form_screen *scr, const char *typed);

/* ---- form_draw.c */
/* Lay the form out for the terminal as it is now, with the banner of the alerts that hold.
 * Release with form_layout_done. */
void form_screen_layout(const form_screen *scr, form_layout *l);

/* The line that says an entry was answered by the patient on the screen, and when (static
 * storage, valid until the next call); only when scr->meta.self_filled_at is set. */
const char *form_screen_self_line(const form_screen *scr);

/* Draw the whole screen from scr (the screen's draw operation). */
void form_screen_draw(app *a, screen *s);

/* ---- form_save.c */
/* Keep what is typed (store_draft_keep): as the draft, else in a rescue file outside the
 * database, so that nothing typed is ever lost without a word; then say where, in one message.
 * unsaved_why: why a save has just failed (the message then says that the entry is not saved),
 * or NULL when the draft is written as the person types (quiet unless it fails). */
void form_screen_keep_typed(form_screen *scr, const char *unsaved_why);
/* Delete the form's draft, if it has one (the entry is saved, or what was typed abandoned). */
void form_screen_forget_draft(form_screen *scr);
/* Put back what draft d held (d stays the caller's); the typed text of the focused field goes
 * back in the editor, and later writes replace that draft. */
void form_screen_restore_draft(form_screen *scr, const store_draft *d);
/* For store_entry_reasons (ctx: the screen): the reason saved for a field's warning, so that it
 * is not asked again. Reasons for fields the form no longer has are ignored. */
void form_screen_reason_loaded(void *ctx, const char *field_id, const char *reason);
/* A new patient's record (scr->new_patient): when a patient of the same sex and year of birth
 * with the same names, accents, case and dashes aside ("Zoé Lefèvre", "Zoe Lefevre"), is there
 * already, open the question whether to create this one all the same and return true. */
bool form_screen_ask_duplicate(form_screen *scr);
/* Save the entry (creating the patient first for a new patient's form), once the values have
 * been checked. OUT_CLOSE when saved (the status line says so); OUT_REDRAW when not: a conflict
 * or a failure is shown in a dialog or the status line, and what was typed stays on screen and
 * in the draft or the rescue file. */
outcome form_screen_store(form_screen *scr);

#endif
