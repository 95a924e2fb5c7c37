/* access.c — the patient's access document (see access.h): what the database holds about one
 * patient, told in plain French, with labels and never codes. */
#include "export/access.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/record.h"
#include "core/util.h"
#include "export/period.h"
#include "export/safefile.h"

/* Where the document is being built. */
typedef struct {
	store *db;
	const formset *fs;
	const access_request *req;
	paged *d;
	entry_meta *entries; /* the patient's entries, by date */
	size_t n_entries;
} doc;

/* ------------------------------------------------------------ values in words */

/* "2026-03-14" as "14/03/2026" into out (the text itself when it is not a date). */
static void day_words(const char *iso, char out[16])
{
	long day;
	if (!iso || !date_parse(iso, &day)) {
		snprintf(out, 16, "%s", iso ? iso : "?");
		return;
	}
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	snprintf(out, 16, "%02d/%02d/%04d", d, m, y);
}

/* A time of the database (ISO-8601 UTC, "2026-11-22T18:51:23Z") in local time: "22/11/2026 à
 * 19:51" into out (the text itself when it cannot be read). */
static void time_words(const char *iso, char out[40])
{
	struct tm t = {0};
	if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &t.tm_year, &t.tm_mon, &t.tm_mday, &t.tm_hour,
	                   &t.tm_min, &t.tm_sec) != 6) {
		snprintf(out, 40, "%s", iso ? iso : "?");
		return;
	}
	t.tm_year -= 1900;
	t.tm_mon -= 1;
	time_t when = timegm(&t);
	struct tm local;
	if (!localtime_r(&when, &local) || !strftime(out, 40, "%d/%m/%Y à %H:%M", &local))
		snprintf(out, 40, "%s", iso);
}

static const char *status_words(const char *status)
{
	if (strcmp(status, "complete") == 0)
		return "complète";
	if (strcmp(status, "incomplete") == 0)
		return "incomplète (des réponses obligatoires manquent)";
	if (strcmp(status, "draft") == 0)
		return "brouillon (pas encore validée)";
	return status;
}

/* The labels of the codes of a multiple choice ("a b"), comma-separated, into sb. */
static void multi_words(const field *fd, const char *codes, strbuf *sb)
{
	char *copy = xstrdup(codes), *save = NULL;
	size_t n = 0;
	for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		const choice *ch = field_choice(fd, c);
		strbuf_printf(sb, "%s%s", n++ ? ", " : "", ch ? ch->label.fr : c);
	}
	if (!n)
		strbuf_puts(sb, "aucune réponse cochée");
	free(copy);
}

/* What a stored value of fd (canonical text, or a missing code as ".refus") says, in words:
 * the answer's label, oui/non, a date as 14/03/2026, a number with its unit, the reason of a
 * missing answer. Caller frees; NULL when text is NULL. */
static char *value_words(const field *fd, const char *text)
{
	if (!text)
		return NULL;
	missing_code m = missing_code_parse(text);
	if (m)
		return xstrdup(missing_code_label(m));
	strbuf sb = STRBUF_INIT;
	const choice *ch = fd->choices ? field_choice(fd, text) : NULL;
	char day[16];
	if (fd->type == FT_MULTI) {
		multi_words(fd, text, &sb);
	} else if (ch) {
		strbuf_puts(&sb, ch->label.fr);
	} else if (fd->type == FT_YESNO || fd->vtype == T_BOOL) {
		strbuf_puts(&sb, strcmp(text, "1") == 0 ? "oui" : strcmp(text, "0") == 0 ? "non" : text);
	} else if (fd->type == FT_DATE || fd->vtype == T_DATE) {
		day_words(text, day);
		strbuf_puts(&sb, day);
	} else {
		strbuf_puts(&sb, text);
		if (fd->unit && (fd->type == FT_INTEGER || fd->type == FT_DECIMAL || fd->vtype == T_NUM))
			strbuf_printf(&sb, " %s", fd->unit);
	}
	return strbuf_take(&sb);
}

/* ------------------------------------------------------------ 1. who and why */

static void put_paragraph(doc *c, const char *head, const i18n *text)
{
	char *line = xasprintf("%s%s", head, text->fr);
	paged_text(c->d, 0, 0, line);
	paged_blank(c->d);
	free(line);
}

/* The retention period, and until when the patient's data is kept without a new entry. */
static void put_retention(doc *c)
{
	const reporting *r = c->fs->reporting;
	if (!r->retention.years) {
		paged_text(c->d, 0, 0, "Durée de conservation : non précisée par la structure.");
		paged_blank(c->d);
		return;
	}
	strbuf sb = STRBUF_INIT;
	strbuf_printf(&sb, "Durée de conservation : %d ans après votre dernière prise en charge (%s).",
	              r->retention.years, r->retention.reference);
	const char *last = NULL;
	for (size_t i = 0; i < c->n_entries; i++)
		if (!last || strcmp(c->entries[i].date, last) > 0)
			last = c->entries[i].date;
	long day;
	if (last && date_parse(last, &day)) {
		int y, m, d;
		date_to_ymd(day, &y, &m, &d);
		char until[16], iso[11];
		date_format(date_from_ymd(y + r->retention.years, m, m == 2 && d == 29 ? 28 : d), iso);
		day_words(iso, until);
		strbuf_printf(
		    &sb, " Sans nouvelle prise en charge, vos données peuvent être effacées après le %s.",
		    until);
	}
	paged_text(c->d, 0, 0, strbuf_str(&sb));
	paged_blank(c->d);
	strbuf_done(&sb);
}

static void put_holder(doc *c)
{
	const access_texts *t = &c->fs->reporting->access;
	char code[64] = "", name[256] = "";
	store_structure(c->db, code, name);
	paged_heading(c->d, "1. Qui détient vos données et pourquoi");
	char *line = xasprintf("Vos données sont enregistrées par : %s (code %s), dans le logiciel recueil.",
	                       name, code);
	paged_text(c->d, 0, 0, line);
	free(line);
	paged_blank(c->d);
	put_paragraph(c, "", &t->purpose);
	put_paragraph(c, "Base légale : ", &t->legal_basis);
	put_paragraph(c, "Qui les voit : ", &t->recipients);
	put_retention(c);
	put_paragraph(c, "Vos droits : ", &t->rights);
}

/* ------------------------------------------------------------ 2. the entries */

static void collect_entry(void *ctx, const entry_meta *m)
{
	doc *c = ctx;
	c->entries = xrealloc(c->entries, (c->n_entries + 1) * sizeof *c->entries);
	c->entries[c->n_entries++] = *m;
}

/* One question and its answer, as asked in the entry r (field i). */
static void put_answer(doc *c, const record *r, size_t i)
{
	const field *fd = &r->f->fields[i];
	const fvalue *v = &r->vals[i];
	char *words = NULL;
	const char *answer;
	if (fd->identifier && !c->req->identity)
		answer = (v->text || v->missing) ? "(donnée d'identité, non montrée ici)" : "non renseigné";
	else if (v->missing)
		answer = missing_code_label(v->missing);
	else if ((words = value_words(fd, v->text)))
		answer = words;
	else
		answer = fd->type == FT_CALCULATED ? "non calculé (réponses manquantes)" : "non renseigné";
	const char *label = fd->label.fr ? fd->label.fr : fd->id;
	size_t len = strlen(label);
	if (len && label[len - 1] == '?') {
		/* A question: its answer on a line of its own. */
		paged_text(c->d, 4, 6, label);
		char *line = xasprintf("Réponse : %s", answer);
		paged_text(c->d, 6, 8, line);
		free(line);
	} else {
		char *line = xasprintf("%s : %s", label, answer);
		paged_text(c->d, 4, 6, line);
		free(line);
	}
	free(words);
}

/* Every question asked in the entry (those its skip logic left out were not asked), by section. */
static void put_record(doc *c, const record *r)
{
	const form *f = r->f;
	for (size_t s = 0; s < f->n_sections; s++) {
		bool titled = false;
		for (size_t i = f->sections[s].first; i < f->sections[s].first + f->sections[s].count; i++) {
			if (f->fields[i].type == FT_NOTE || !r->vals[i].visible)
				continue;
			if (!titled && f->sections[s].title.fr) {
				paged_text(c->d, 2, 4, f->sections[s].title.fr);
				paged_keep_last(c->d);
			}
			titled = true;
			put_answer(c, r, i);
		}
	}
}

static const char *form_title(const doc *c, const char *form_id)
{
	const form *f = form_id ? formset_form(c->fs, form_id) : NULL;
	return f ? f->title.fr : form_id ? form_id : "?";
}

static void put_entry(doc *c, const entry_meta *m, size_t k)
{
	char day[16], created[40], updated[40];
	day_words(m->date, day);
	time_words(m->created_at, created);
	time_words(m->updated_at, updated);
	char *head = xasprintf("2.%zu  %s, du %s", k + 1, form_title(c, m->form), day);
	paged_text(c->d, 0, 6, head);
	paged_keep_last(c->d);
	free(head);
	char *about = xasprintf("Entrée %s ; saisie par %s le %s%s%s.", status_words(m->status), m->author,
	                        created, m->row_version > 1 ? ", modifiée pour la dernière fois le " : "",
	                        m->row_version > 1 ? updated : "");
	paged_text(c->d, 2, 4, about);
	paged_keep_last(c->d);
	free(about);
	char *why = NULL;
	int code;
	entry_meta meta;
	record *r = store_entry_load(c->db, c->fs, m->uuid, &meta, &why, &code);
	if (r)
		put_record(c, r);
	else
		paged_text(c->d, 4, 6,
		           "(questionnaire absent de ce poste : les réponses ne peuvent pas être lues)");
	record_free(r);
	free(why);
	paged_blank(c->d);
}

static void put_entries(doc *c)
{
	paged_heading(c->d, "2. Vos données, entrée par entrée");
	paged_text(c->d, 0, 0,
	           "Chaque entrée est une fiche remplie à une date : les questions posées et vos "
	           "réponses, puis les scores calculés à partir d'elles, avec leur signification.");
	paged_blank(c->d);
	if (!c->n_entries) {
		paged_text(c->d, 0, 0, "Aucune entrée.");
		paged_blank(c->d);
	}
	for (size_t k = 0; k < c->n_entries; k++)
		put_entry(c, &c->entries[k], k);
}

/* ------------------------------------------------------------ 3. the changes */

/* One line of the trail, copied. */
typedef struct {
	char *at, *who, *action, *uuid, *form, *field, *old_value, *new_value;
} change;

typedef struct {
	change *v;
	size_t n;
} changes;

static void collect_change(void *ctx, const audit_line *l)
{
	changes *ch = ctx;
	ch->v = xrealloc(ch->v, (ch->n + 1) * sizeof *ch->v);
	change *x = &ch->v[ch->n++];
	x->at = xstrdup(l->at);
	x->who = l->display_name && *l->display_name ? xasprintf("%s (%s)", l->login, l->display_name)
	                                             : xstrdup(l->login);
	x->action = xstrdup(l->action);
	x->uuid = xstrdup(l->entry_uuid);
	x->form = xstrdup(l->form);
	x->field = xstrdup(l->field);
	x->old_value = xstrdup(l->old_value);
	x->new_value = xstrdup(l->new_value);
}

static void changes_free(changes *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		change *x = &ch->v[i];
		free(x->at), free(x->who), free(x->action), free(x->uuid), free(x->form);
		free(x->field), free(x->old_value), free(x->new_value);
	}
	free(ch->v);
}

/* The date of the entry a line is about: from the entry, or from the line that deleted it. */
static const char *entry_day(const doc *c, const changes *ch, const char *uuid)
{
	for (size_t i = 0; uuid && i < c->n_entries; i++)
		if (strcmp(c->entries[i].uuid, uuid) == 0)
			return c->entries[i].date;
	for (size_t i = 0; uuid && i < ch->n; i++)
		if (ch->v[i].uuid && strcmp(ch->v[i].uuid, uuid) == 0 &&
		    strcmp(ch->v[i].action, "delete") == 0 && !ch->v[i].field)
			return ch->v[i].old_value;
	return NULL;
}

/* A value of the trail in words: codes become labels; masks and "(effacé)" stay as written. */
static char *change_value(const doc *c, const change *x, const char *text)
{
	if (!text)
		return xstrdup("(vide)");
	if (x->field && strcmp(x->field, "statut") == 0)
		return xstrdup(status_words(text));
	if (x->field && strcmp(x->field, "date") == 0) {
		char day[16];
		day_words(text, day);
		return xstrdup(day);
	}
	const form *f = x->form ? formset_form(c->fs, x->form) : NULL;
	const field *fd = f && x->field ? form_field(f, x->field) : NULL;
	char *words = fd && *text != '(' ? value_words(fd, text) : NULL;
	return words ? words : xstrdup(text);
}

/* What a line of the trail says, in words. Caller frees. */
static char *change_words(const doc *c, const changes *ch, const change *x)
{
	char day[16];
	const char *entry_date = entry_day(c, ch, x->uuid);
	day_words(entry_date, day);
	char *entry = xasprintf("%s du %s", form_title(c, x->form), entry_date ? day : "?");
	char *out;
	if (strcmp(x->action, "create") == 0) {
		/* The creation line starts with the status the entry got ("complete : q1=…"). */
		char *status = xstrndup(x->new_value ? x->new_value : "",
		                        strcspn(x->new_value ? x->new_value : "", " "));
		out = xasprintf("création de l'entrée %s (%s)", entry, status_words(status));
		free(status);
	} else if ((strcmp(x->action, "update") == 0 || strcmp(x->action, "delete") == 0) && x->field) {
		const form *f = x->form ? formset_form(c->fs, x->form) : NULL;
		const field *fd = f ? form_field(f, x->field) : NULL;
		const char *label = fd && fd->label.fr                ? fd->label.fr
		                    : strcmp(x->field, "statut") == 0 ? "état de l'entrée"
		                    : strcmp(x->field, "date") == 0   ? "date de l'entrée"
		                                                      : x->field;
		char *before = change_value(c, x, x->old_value), *after = change_value(c, x, x->new_value);
		if (strcmp(x->action, "delete") == 0)
			out =
			    xasprintf("%s, « %s » : valeur %s supprimée avec l'entrée", entry, label, before);
		else
			out = xasprintf("%s, « %s » : %s → %s", entry, label, before, after);
		free(before);
		free(after);
	} else if (strcmp(x->action, "delete") == 0) {
		out = xasprintf("suppression de l'entrée %s", entry);
	} else if (strcmp(x->action, "patient") == 0 && str_eq(x->new_value, "création")) {
		out = xstrdup("création du dossier (pseudonyme attribué)");
	} else {
		out = xstrdup(x->new_value ? x->new_value : x->action);
	}
	free(entry);
	return out;
}

static int put_changes(doc *c, char **why)
{
	changes ch = {0};
	int rc = store_patient_audit_each(c->db, c->req->patient_id, collect_change, &ch, why);
	if (rc)
		return rc;
	paged_heading(c->d, "3. Qui a enregistré ou modifié vos données, et quand");
	paged_text(c->d, 0, 0,
	           "Le journal du logiciel garde chaque création, modification et suppression, et "
	           "chaque édition de ce document. Les données d'identité n'y sont jamais recopiées.");
	paged_blank(c->d);
	if (!ch.n)
		paged_text(c->d, 0, 0, "Aucune ligne du journal.");
	for (size_t i = 0; i < ch.n; i++) {
		char when[40];
		time_words(ch.v[i].at, when);
		char *what = change_words(c, &ch, &ch.v[i]);
		char *line = xasprintf("%s, %s : %s", when, ch.v[i].who, what);
		paged_text(c->d, 2, 4, line);
		free(line);
		free(what);
	}
	paged_blank(c->d);
	changes_free(&ch);
	return 0;
}

/* ------------------------------------------------------------ 4. the exports */

typedef struct {
	export_log_entry *v;
	size_t n;
} exports;

static void collect_export(void *ctx, const export_log_entry *e)
{
	exports *x = ctx;
	x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
	x->v[x->n++] = *e;
}

static int put_exports(doc *c, char **why)
{
	exports x = {0};
	int rc = store_export_log_each(c->db, collect_export, &x, why);
	if (rc)
		return rc;
	paged_heading(c->d, "4. Envois de vos données pseudonymisées");
	char *intro =
	    xasprintf("%s Envois qui ont contenu vos données :", c->fs->reporting->access.recipients.fr);
	paged_text(c->d, 0, 0, intro);
	free(intro);
	size_t shown = 0;
	for (size_t i = 0; i < x.n; i++) {
		/* Each export is a snapshot of the structure up to the last day of its period. */
		period p;
		char *perr = NULL, last[11] = "9999-12-31", until[16] = "";
		if (period_parse(x.v[i].period, &p, &perr)) {
			date_format(p.last, last);
			day_words(last, until);
		}
		free(perr);
		if (!store_patient_in_snapshot(c->db, c->req->patient_id, last, x.v[i].created_at))
			continue;
		char when[40];
		time_words(x.v[i].created_at, when);
		char *line = xasprintf("le %s : données jusqu'au %s (période %s), envoi n° %lld", when,
		                       *until ? until : "?", x.v[i].period, (long long)x.v[i].sequence);
		paged_text(c->d, 2, 4, line);
		free(line);
		shown++;
	}
	if (!shown)
		paged_text(c->d, 2, 4, "aucun envoi n'a encore contenu vos données.");
	paged_blank(c->d);
	free(x.v);
	return 0;
}

/* ------------------------------------------------------------ 5. the alerts */

static void put_alert(void *ctx, const alert_info *a)
{
	doc *c = ctx;
	char day[16], raised[40], acked[40];
	day_words(a->date, day);
	time_words(a->raised_at, raised);
	time_words(a->acknowledged_at, acked);
	char *state = *a->acknowledged_at
	                  ? xasprintf("prise en compte le %s par %s", acked, a->acknowledged_by)
	                  : xstrdup("en attente d'un professionnel");
	char *line = xasprintf("%s du %s, niveau %s : %s (signalée le %s ; %s)", form_title(c, a->form), day,
	                       a->level, a->message ? a->message : "", raised, state);
	paged_text(c->d, 2, 4, line);
	free(line);
	free(state);
}

static int put_alerts(doc *c, char **why)
{
	paged_heading(c->d, "5. Alertes cliniques");
	paged_text(c->d, 0, 0,
	           "Certaines réponses déclenchent une alerte pour l'équipe, qui la prend en compte "
	           "lors de votre suivi.");
	size_t before = c->d->n;
	int rc = store_alert_each(c->db, c->req->patient_id, true, put_alert, c, why);
	if (!rc && c->d->n == before)
		paged_text(c->d, 2, 4, "aucune alerte.");
	return rc;
}

/* ------------------------------------------------------------ the document */

/* The person the document is about: their name when the role may see it, and their pseudonym. */
static void put_patient(doc *c)
{
	strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "Patient : ");
	record *pr = c->req->identity ? store_patient_record(c->db, c->fs, c->req->patient_id) : NULL;
	long prenom = pr ? form_field_index(pr->f, "prenom") : -1,
	     nom = pr ? form_field_index(pr->f, "nom") : -1;
	if (prenom >= 0 && pr->vals[prenom].text)
		strbuf_printf(&sb, "%s ", pr->vals[prenom].text);
	if (nom >= 0 && pr->vals[nom].text)
		strbuf_printf(&sb, "%s ", pr->vals[nom].text);
	record_free(pr);
	if (sb.len > strlen("Patient : "))
		sb.s[sb.len - 1] = ','; /* after the name */
	strbuf_printf(&sb, "%spseudonyme %s", sb.len > strlen("Patient : ") ? " " : "", c->req->pseudonym);
	paged_text(c->d, 0, 0, strbuf_str(&sb));
	strbuf_done(&sb);
}

int access_document_build(store *db, const formset *fs, const access_request *req, paged *d, char **why)
{
	if (!fs->reporting || !fs->reporting->access.present) {
		set_why(why,
		        "%s/reporting.yaml : les textes du document d'accès (access:) manquent : voir "
		        "docs/forms.md",
		        fs->dir ? fs->dir : "formulaires");
		return EXIT_DATAERR;
	}
	doc c = {.db = db, .fs = fs, .req = req, .d = d};
	int rc = store_entry_each(db, req->patient_id, collect_entry, &c, why);
	if (rc)
		return rc;
	char today[11], when[16];
	date_format(date_today(), today);
	day_words(today, when);
	paged_text(d, 0, 0, "VOS DONNÉES ENREGISTRÉES PAR LA MICROSTRUCTURE");
	paged_text(d, 0, 0, "Document remis au titre de votre droit d'accès (RGPD, article 15).");
	paged_blank(d);
	put_patient(&c);
	char *line = xasprintf("Document édité le %s par %s.", when, req->login);
	paged_text(d, 0, 0, line);
	free(line);
	paged_blank(d);
	put_holder(&c);
	put_entries(&c);
	rc = put_changes(&c, why);
	if (!rc)
		rc = put_exports(&c, why);
	if (!rc)
		rc = put_alerts(&c, why);
	free(c.entries);
	return rc;
}

void access_document_titles(store *db, const access_request *req, char **title, char **subtitle)
{
	char code[64] = "", name[256] = "", today[11], day[16];
	store_structure(db, code, name);
	date_format(date_today(), today);
	day_words(today, day);
	*title = xasprintf("Document d'accès à vos données — patient %s", req->pseudonym);
	*subtitle = xasprintf("%s (%s), édité le %s", name, code, day);
}

int access_document_write(store *db, const formset *fs, const access_request *req, const char *path,
                          char **why)
{
	if (req->format == PAGED_PDF && !paged_pdf_available(why))
		return EXIT_UNAVAILABLE;
	paged d;
	paged_init(&d);
	int rc = access_document_build(db, fs, req, &d, why);
	char *title = NULL, *subtitle = NULL;
	access_document_titles(db, req, &title, &subtitle);
	atomic_file af = {0};
	bool opened = false;
	if (!rc && path) {
		rc = atomic_open(&af, path, why);
		opened = rc == 0;
	}
	if (!rc)
		rc = paged_write(&d, title, subtitle, req->format, path ? af.fd : STDOUT_FILENO, why);
	/* Logged before the file appears under its name: a document given out is always in the
	 * trail. */
	if (!rc) {
		char *what = xasprintf("document d'accès édité (droit d'accès, format %s)",
		                       req->format == PAGED_PDF ? "PDF" : "texte");
		rc = store_log_patient(db, req->login, req->pseudonym, what, why);
		free(what);
	}
	if (!rc && opened)
		rc = atomic_commit(&af, why);
	if (opened && rc)
		atomic_abort(&af);
	else if (opened)
		atomic_done(&af);
	free(title);
	free(subtitle);
	paged_done(&d);
	return rc;
}
