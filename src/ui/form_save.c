/* form_save.c — what the form entry screen keeps, and where: the draft written as the person
 * types (or, when the database cannot take it, the rescue file of the store), a draft put back
 * when a form is reopened, and the save itself, with the row-version check of the store and the
 * differences shown when someone else saved the entry meanwhile. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "ui/form_screen.h"

/* ------------------------------------------------------------ drafts */

/* The draft as the form is now: the values, the reasons given, the focus and the text in the
 * editor. */
static void draft_fill(form_screen *scr)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	const form *f = scr->r->f;
	for (size_t i = 0; i < f->n_fields; i++) {
		const fvalue *v = &scr->r->vals[i];
		/* Identity values the person may not see were read from the database, not typed: they
		 * stay there, out of the draft and of the rescue file. */
		if (!form_layout_is_input(&f->fields[i]) || (f->fields[i].identifier && !scr->identity))
			continue;
		if (v->text || v->missing)
			draft_content_add(&sb, f->fields[i].id,
			                  v->text ? v->text : missing_code_name(v->missing));
		if (scr->reasons[i])
			draft_content_add(&sb, DRAFT_KEY_REASON, f->fields[i].id),
			    draft_content_add(&sb, DRAFT_KEY_REASON_TEXT, scr->reasons[i]);
	}
	char *typed = le_text(&scr->ed);
	draft_content_add(&sb, DRAFT_KEY_FOCUS,
	                  scr->cur == FOCUS_DATE ? DRAFT_FOCUS_DATE : f->fields[scr->cur].id);
	draft_content_add(&sb, DRAFT_KEY_EDIT, typed);
	free(typed);
	if (scr->meta.self_filled_at[0])
		draft_content_add(&sb, DRAFT_KEY_PATIENT, scr->meta.self_filled_at);
	free(scr->dr.content);
	scr->dr.content = strbuf_take(&sb);
	scr->dr.patient_id = scr->meta.patient_id;
	snprintf(scr->dr.pseudonym, sizeof scr->dr.pseudonym, "%s", scr->meta.pseudonym);
	snprintf(scr->dr.form, sizeof scr->dr.form, "%s", f->id);
	snprintf(scr->dr.entry_uuid, sizeof scr->dr.entry_uuid, "%s", scr->meta.id ? scr->meta.uuid : "");
	scr->dr.row_version = scr->meta.row_version;
	date_format(scr->r->date, scr->dr.date);
}

void form_screen_keep_typed(form_screen *scr, const char *unsaved_why)
{
	draft_fill(scr);
	char *why = NULL;
	draft_keep_status kept = store_draft_keep(scr->a->ses->db, &scr->dr, scr->a->ses->login,
	                                          scr->a->ses->db_path, unsaved_why, &scr->rescue, &why);
	if (kept != DRAFT_LOST)
		scr->dirty = false;
	if (kept == DRAFT_KEPT)
		scr->last_draft = time(NULL);
	if (!unsaved_why) {
		if (kept == DRAFT_RESCUED)
			app_message(scr->a, true, _("brouillon non écrit : %s ; saisie copiée dans %s"), why,
			            scr->rescue);
		else if (kept == DRAFT_LOST)
			app_message(scr->a, true, _("brouillon non écrit : %s"), why);
	} else if (kept == DRAFT_KEPT) {
		app_message(scr->a, true, _("non enregistré : %s ; ce qui a été tapé est gardé en brouillon"),
		            unsaved_why);
	} else {
		char *text =
		    kept == DRAFT_RESCUED
		        ? xasprintf(_("%s\n\nCe qui a été tapé reste à l'écran et a été copié dans :\n%s"),
		                    unsaved_why, scr->rescue)
		        : xasprintf(_("%s\n\nCe qui a été tapé n'a pu être copié nulle part : le noter "
		                      "avant de quitter."),
		                    unsaved_why);
		dialog_message(&scr->dlg, TAG_INFO, _("Entrée NON enregistrée"), text);
		free(text);
	}
	free(why);
}

void form_screen_forget_draft(form_screen *scr)
{
	if (scr->dr.id) {
		store_draft_delete(scr->a->ses->db, scr->dr.id, NULL);
		scr->dr.id = 0;
	}
	scr->dirty = false;
}

void form_screen_restore_draft(form_screen *scr, const store_draft *d)
{
	char **keys, **vals;
	size_t n = draft_content_parse(d->content, &keys, &vals);
	const char *focus = NULL, *edit = NULL, *reason_for = NULL;
	long day;
	if (date_parse(d->date, &day))
		scr->r->date = day;
	if (d->entry_uuid[0])
		scr->meta.row_version = d->row_version; /* a save must still see others' changes */
	for (size_t i = 0; i < n; i++) {
		long k = form_field_index(scr->r->f, keys[i]);
		if (k >= 0 && form_layout_is_input(field_at(scr, (int)k))) {
			if (!record_set(scr->r, (size_t)k, vals[i], NULL))
				record_set_raw(scr->r, (size_t)k, NULL, MISS_NONE);
		} else if (strcmp(keys[i], DRAFT_KEY_FOCUS) == 0) {
			focus = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_EDIT) == 0) {
			edit = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_PATIENT) == 0) {
			snprintf(scr->meta.self_filled_at, sizeof scr->meta.self_filled_at, "%s", vals[i]);
		} else if (strcmp(keys[i], DRAFT_KEY_REASON) == 0) {
			reason_for = vals[i];
		} else if (strcmp(keys[i], DRAFT_KEY_REASON_TEXT) == 0 && reason_for) {
			long r = form_field_index(scr->r->f, reason_for);
			if (r >= 0) {
				free(scr->reasons[r]);
				scr->reasons[r] = xstrdup(vals[i]);
			}
		}
	}
	form_screen_recompute(scr);
	long fk = focus ? form_field_index(scr->r->f, focus) : -1;
	if (focus && strcmp(focus, DRAFT_FOCUS_DATE) == 0 && scr->dated)
		scr->cur = FOCUS_DATE;
	else if (fk >= 0 && form_screen_focusable(scr, (int)fk))
		scr->cur = (int)fk;
	form_screen_edit(scr, edit ? edit : "");
	scr->dr.id = d->id;
	scr->changed = true;
	for (size_t i = 0; i < n; i++) {
		free(keys[i]);
		free(vals[i]);
	}
	free(keys);
	free(vals);
}

/* ------------------------------------------------------------ saving */

/* The differences between what is typed and what the other person saved, for the conflict
 * message. Caller frees. */
static char *conflict_details(form_screen *scr, const char *why)
{
	strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "%s\n", why);
	entry_meta other;
	char *w2 = NULL;
	int code;
	record *theirs =
	    store_entry_load(scr->a->ses->db, scr->a->ses->fs, scr->meta.uuid, &other, &w2, &code);
	free(w2);
	if (theirs) {
		size_t shown = 0;
		for (size_t i = 0; i < scr->r->f->n_fields; i++) {
			const field *fd = &scr->r->f->fields[i];
			if (!form_layout_is_input(fd))
				continue;
			const fvalue *m = &scr->r->vals[i], *t = &theirs->vals[i];
			const char *mine = m->visible ? (m->text      ? m->text
			                                 : m->missing ? missing_code_name(m->missing)
			                                              : "")
			                              : "";
			const char *their = t->text      ? t->text
			                    : t->missing ? missing_code_name(t->missing)
			                                 : "";
			if (strcmp(mine, their) == 0)
				continue;
			if (shown++ < 6)
				strbuf_printf(&sb, _("%s : enregistré « %s », vous « %s »\n"), fd->id,
				              fd->identifier ? "…" : their, fd->identifier ? "…" : mine);
		}
		if (shown > 6)
			strbuf_printf(&sb, _("… et %zu autre(s) différence(s)\n"), shown - 6);
		record_free(theirs);
	}
	strbuf_puts(&sb, _("Vos valeurs restent à l'écran et en brouillon ; rien n'a été écrasé."));
	return strbuf_take(&sb);
}

void form_screen_reason_loaded(void *ctx, const char *field_id, const char *reason)
{
	form_screen *scr = ctx;
	long i = form_field_index(scr->r->f, field_id);
	if (i < 0)
		return;
	free(scr->reasons[i]);
	free(scr->stored[i]);
	scr->reasons[i] = xstrdup(reason);
	scr->stored[i] = xstrdup(reason);
}

/* What form_screen_ask_duplicate looks for, and the first patient found like it. */
typedef struct {
	const char *sexe, *annee;
	char *names; /* nom and prénom folded, "\n" between them */
	char pseudo[16];
	char *found_names; /* as stored, for the question */
} dup_search;

enum { D_SEXE, D_ANNEE, D_NOM, D_PRENOM, D_N };

static char *folded_names(const char *nom, const char *prenom)
{
	strbuf sb = STRBUF_INIT;
	draw_fold(&sb, nom ? nom : "");
	strbuf_putc(&sb, '\n');
	draw_fold(&sb, prenom ? prenom : "");
	return strbuf_take(&sb);
}

static void dup_row(void *ctx, const patient_row *row)
{
	dup_search *d = ctx;
	const char *const *t = row->texts;
	if (d->pseudo[0] || !row->has_record || !t[D_SEXE] || !t[D_ANNEE] ||
	    strcmp(t[D_SEXE], d->sexe) != 0 || strcmp(t[D_ANNEE], d->annee) != 0)
		return;
	char *names = folded_names(t[D_NOM], t[D_PRENOM]);
	if (strcmp(names, d->names) == 0) {
		snprintf(d->pseudo, sizeof d->pseudo, "%s", row->pseudonym);
		d->found_names = xasprintf("%s %s", t[D_PRENOM] ? t[D_PRENOM] : "", t[D_NOM] ? t[D_NOM] : "");
	}
	free(names);
}

bool form_screen_ask_duplicate(form_screen *scr)
{
	static const char *const ids[D_N] = {"sexe", "annee_naissance", "nom", "prenom"};
	const record *r = scr->r;
	const char *v[D_N];
	for (size_t k = 0; k < D_N; k++) {
		long i = form_field_index(r->f, ids[k]);
		v[k] = i >= 0 ? r->vals[i].text : NULL;
	}
	if (!v[D_SEXE] || !v[D_ANNEE] || (!v[D_NOM] && !v[D_PRENOM]))
		return false; /* nothing to tell two people apart by */
	dup_search d = {.sexe = v[D_SEXE], .annee = v[D_ANNEE], .names = folded_names(v[D_NOM], v[D_PRENOM])};
	char *why = NULL;
	if (store_patient_rows(scr->a->ses->db, scr->a->ses->fs, ids, D_N, dup_row, &d, &why)) {
		free(why); /* the check is a help: the creation itself says what fails */
		d.pseudo[0] = '\0';
	}
	if (d.pseudo[0]) {
		char *text =
		    xasprintf(_("Le patient %s a le même sexe, la même année de naissance (%s) et les mêmes "
		                "noms (%s), aux accents et majuscules près.\n"
		                "o : créer quand même un autre patient ; n, Entrée ou Échap : revenir à la "
		                "fiche"),
		              d.pseudo, d.annee, d.found_names);
		dialog_confirm(&scr->dlg, TAG_DUPLICATE, _("Patient peut-être déjà enregistré"), text, "no");
		free(text);
	}
	free(d.names);
	free(d.found_names);
	return d.pseudo[0] != '\0';
}

outcome form_screen_store(form_screen *scr)
{
	app *a = scr->a;
	confirmation *conf = xcalloc(scr->r->f->n_fields + 1, sizeof *conf);
	size_t n_conf = 0;
	for (size_t i = 0; i < scr->r->f->n_fields; i++)
		/* A reason read back unchanged is not given again: its row keeps who confirmed it and
		 * when. */
		if (scr->reasons[i] && !(scr->stored[i] && strcmp(scr->stored[i], scr->reasons[i]) == 0))
			conf[n_conf++] = (confirmation){i, scr->reasons[i]};
	char *why = NULL;
	int rc;
	bool was_new = scr->new_patient;
	if (scr->new_patient) {
		rc = session_patient_add(a->ses, scr->r, conf, n_conf, &scr->meta, &why);
		scr->new_patient = rc != 0;
	} else {
		rc = store_entry_save(a->ses->db, scr->r, &scr->meta, false, conf, n_conf, a->ses->login,
		                      &why);
	}
	free(conf);
	if (rc == EXIT_TEMPFAIL && scr->meta.id) {
		form_screen_keep_typed(scr, NULL);
		char *details = conflict_details(scr, why);
		dialog_message(&scr->dlg, TAG_CONFLICT,
		               _("Conflit : l'entrée a été modifiée par quelqu'un d'autre"), details);
		free(details);
		free(why);
		return OUT_REDRAW;
	}
	if (rc) {
		form_screen_keep_typed(scr, why);
		free(why);
		return OUT_REDRAW;
	}
	form_screen_forget_draft(scr);
	const char *status = strcmp(scr->meta.status, "complete") == 0 ? _("complète") : _("incomplète");
	if (was_new) {
		app_message(a, false, _("Patient %s créé ; fiche enregistrée (%s)."), scr->meta.pseudonym,
		            status);
		a->after_close = patient_file_new(a, scr->meta.patient_id, scr->meta.pseudonym);
	} else {
		/* Said only when this save raised one (new, or raised again by a worsening): an alert
		 * acknowledged already and still holding is not waiting for anybody. */
		a->raised_alert = scr->meta.alert_raised;
		if (scr->meta.alert_raised)
			app_message(a, false,
			            _("Entrée %.8s enregistrée (%s) ; alerte clinique à acquitter (F8)."),
			            scr->meta.uuid, status);
		else
			app_message(a, false, _("Entrée %.8s enregistrée (%s)."), scr->meta.uuid, status);
	}
	return OUT_CLOSE;
}
