/* form_read.c — a form file's tree read into the model: the form's own keys, its shared choice
 * lists, its sections, their fields (form_field.c) and matrices expanded into fields named
 * row_column, its alert rules and its examples (form_examples.c); every problem reported at its
 * place, and a form with any problem refused whole. Expressions are kept as sources here: form_check.c parses
 * them. */
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"
#include "core/reserved.h"

/* ---------------------------------------------------------------- matrices */

enum { MK_MATRIX, MK_LABEL, MK_HELP, MK_ROWS, MK_COLUMNS };
/* label: and help: are accepted for the author's sake; each field shows its row's label. */
static const ykey matrix_keys[] = {
    [MK_MATRIX] = {"matrix", YK_ID, .required = true, .what = "identifiant de matrice"},
    [MK_LABEL] = {"label", YK_OTHER},
    [MK_HELP] = {"help", YK_OTHER},
    [MK_ROWS] = {"rows", YK_OTHER, .required = true},
    [MK_COLUMNS] = {"columns", YK_OTHER, .required = true},
};
const ykey_table ykeys_matrix = YKEY_TABLE("une matrice", matrix_keys, NULL);

/* One row of a matrix, as read. */
typedef struct {
	char *id;
	i18n label;
} matrix_row;

enum { RK_ID, RK_LABEL, RK_COLUMNS };
static const ykey row_keys[] = {
    [RK_ID] = {"id", YK_ID, .required = true, .at = offsetof(matrix_row, id), .what = "identifiant de ligne"},
    [RK_LABEL] = {"label", YK_I18N, .required = true, .at = offsetof(matrix_row, label)},
    [RK_COLUMNS] = {"columns", YK_OTHER},
};
const ykey_table ykeys_matrix_row = YKEY_TABLE("une ligne de matrice", row_keys, NULL);

/* The ids of the columns (each a field mapping with an id:), in *ids (caller frees the array;
 * the strings are borrowed from the tree). */
static bool read_column_ids(load_ctx *c, const ynode *cols, const char ***ids)
{
	*ids = xcalloc(cols->n, sizeof **ids);
	for (size_t ci = 0; ci < cols->n; ci++) {
		const ynode *col = cols->items[ci], *id = NULL;
		if (!yread_kind(c, col, Y_MAP, "colonne") || !(id = ytree_get(col, "id")) ||
		    !yread_kind(c, id, Y_SCALAR, "id de colonne")) {
			if (col->kind == Y_MAP && !id)
				YERR(c, col, "colonne sans id:");
			return false;
		}
		(*ids)[ci] = id->str;
	}
	return true;
}

/* True when the row's columns: list (NULL: all columns) names cid. */
static bool row_has_column(const ynode *subset, const char *cid)
{
	if (!subset)
		return true;
	for (size_t k = 0; k < subset->n; k++)
		if (subset->items[k]->kind == Y_SCALAR && strcmp(subset->items[k]->str, cid) == 0)
			return true;
	return false;
}

/* Every name of the row's columns: list must be a column of the matrix. */
static bool check_row_columns(load_ctx *c, const ynode *subset, const char *const *cids, size_t n_cols,
                              const char *mid)
{
	bool ok = true;
	for (size_t k = 0; k < subset->n; k++) {
		const ynode *it = subset->items[k];
		bool known = false;
		for (size_t ci = 0; ci < n_cols; ci++)
			if (it->kind == Y_SCALAR && strcmp(it->str, cids[ci]) == 0)
				known = true;
		if (!known) {
			YERR(c, it, "colonne « %s » inconnue dans la matrice « %s »",
			     it->kind == Y_SCALAR ? it->str : "?", mid);
			ok = false;
		}
	}
	return ok;
}

/* One row expanded into a field per column (or per column of its columns: list). */
static bool read_matrix_row(load_ctx *c, form_build *b, const ynode *row, const ynode *cols,
                            const char *const *cids, const char *mid)
{
	ymap m;
	matrix_row r = {0};
	bool open = yread_kind(c, row, Y_MAP, "ligne") && ymap_open(&m, c, row, &ykeys_matrix_row, &r, NULL);
	if (!open || ymap_missing(&m) >= 0) {
		if (row->kind == Y_MAP && ymap_missing(&m) >= 0)
			YERR(c, row, "ligne de matrice : id: et label: sont obligatoires");
		return false;
	}
	bool ok = ymap_read(&m, RK_ID) && ymap_read(&m, RK_LABEL);
	const ynode *subset = m.v[RK_COLUMNS];
	if (ok && subset && !yread_kind(c, subset, Y_SEQ, "columns"))
		ok = false;
	for (size_t ci = 0; ci < cols->n && ok; ci++) {
		if (!row_has_column(subset, cids[ci]))
			continue;
		char *fid = xasprintf("%s_%s", r.id, cids[ci]);
		ok = form_read_field(c, b, cols->items[ci], r.id, fid, &r.label);
		if (ok) {
			field *fd = &b->f->fields[b->f->n_fields - 1];
			fd->matrix = xstrdup(mid);
			fd->matrix_row = xstrdup(r.id);
			fd->matrix_col = xstrdup(cids[ci]);
		}
		free(fid);
	}
	if (ok && subset)
		ok = check_row_columns(c, subset, cids, cols->n, mid);
	free(r.id);
	i18n_done(&r.label);
	return ok;
}

static bool read_matrix(load_ctx *c, form_build *b, const ynode *n)
{
	char *mid = NULL;
	ymap m;
	/* matrix: is its only typed key, read into mid. */
	if (!ymap_open(&m, c, n, &ykeys_matrix, &mid, NULL) || !ymap_read(&m, MK_MATRIX))
		return false;
	const ynode *rows = m.v[MK_ROWS], *cols = m.v[MK_COLUMNS];
	const char **cids = NULL;
	bool ok = false;
	if (!rows || !cols) {
		YERR(c, n, "matrice « %s » : rows: et columns: sont obligatoires", mid);
	} else if (!yread_kind(c, rows, Y_SEQ, "rows") || !yread_kind(c, cols, Y_SEQ, "columns") ||
	           rows->n == 0 || cols->n == 0) {
		if (rows->kind == Y_SEQ && cols->kind == Y_SEQ)
			YERR(c, n, "matrice « %s » : rows et columns ne peuvent pas être vides", mid);
	} else if (read_column_ids(c, cols, &cids)) {
		ok = true;
		for (size_t ri = 0; ri < rows->n && ok; ri++)
			ok = read_matrix_row(c, b, rows->items[ri], cols, cids, mid);
	}
	free(cids);
	free(mid);
	return ok;
}

/* ---------------------------------------------------------------- sections */

enum { SK_TITLE, SK_FIELDS };
static const ykey section_keys[] = {
    [SK_TITLE] = {"title", YK_I18N, .required = true, .at = offsetof(section, title)},
    [SK_FIELDS] = {"fields", YK_OTHER, .required = true},
};
const ykey_table ykeys_section =
    YKEY_TABLE("une section", section_keys, "une section a besoin de title: et de fields:");

static bool read_section_fields(load_ctx *c, form_build *b, const ynode *fields)
{
	bool ok = true;
	for (size_t j = 0; j < fields->n; j++) {
		const ynode *fn = fields->items[j];
		if (!yread_kind(c, fn, Y_MAP, "champ")) {
			ok = false;
			continue;
		}
		if (ytree_get(fn, "matrix"))
			ok = read_matrix(c, b, fn) && ok;
		else
			ok = form_read_field(c, b, fn, NULL, NULL, NULL) && ok;
	}
	return ok;
}

static bool read_sections(load_ctx *c, form_build *b, const ynode *n)
{
	if (!yread_kind(c, n, Y_SEQ, "sections"))
		return false;
	if (n->n == 0) {
		YERR(c, n, "sections: est vide");
		return false;
	}
	form *f = b->f;
	f->sections = xcalloc(n->n, sizeof *f->sections);
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *s = n->items[i];
		section *sec = &f->sections[f->n_sections];
		ymap m;
		if (!ymap_open_entry(&m, c, s, "section", &ykeys_section, sec)) {
			ok = false;
			continue;
		}
		f->n_sections++;
		sec->first = f->n_fields;
		if (!ymap_read(&m, SK_TITLE) || !yread_kind(c, m.v[SK_FIELDS], Y_SEQ, "fields")) {
			ok = false;
			continue;
		}
		ok = read_section_fields(c, b, m.v[SK_FIELDS]) && ok;
		sec->count = f->n_fields - sec->first;
		if (sec->count == 0 && ok) {
			YERR(c, s, "section sans champ");
			ok = false;
		}
	}
	return ok;
}

/* Counts the inline choice lists so that form.choice_sets can be allocated once. */
static size_t count_inline_choices(const ynode *sections)
{
	size_t n = 0;
	if (!sections || sections->kind != Y_SEQ)
		return 0;
	for (size_t i = 0; i < sections->n; i++) {
		const ynode *fields = ytree_get(sections->items[i], "fields");
		if (!fields || fields->kind != Y_SEQ)
			continue;
		for (size_t j = 0; j < fields->n; j++) {
			const ynode *fn = fields->items[j];
			const ynode *ch = ytree_get(fn, "choices");
			if (ch && ch->kind == Y_SEQ)
				n++;
			const ynode *rows = ytree_get(fn, "rows"), *cols = ytree_get(fn, "columns");
			if (rows && cols && rows->kind == Y_SEQ && cols->kind == Y_SEQ)
				for (size_t k = 0; k < cols->n; k++) {
					const ynode *cc = ytree_get(cols->items[k], "choices");
					if (cc && cc->kind == Y_SEQ)
						n += rows->n;
				}
		}
	}
	/* Each inline list belongs to one field: there are never more than FORM_MAX_FIELDS. */
	return n < FORM_MAX_FIELDS ? n : FORM_MAX_FIELDS;
}

/* choice_sets: a mapping of named answer lists (its keys are names, not a key table). */
static bool read_choice_sets(load_ctx *c, form *f, const ynode *n)
{
	if (!yread_kind(c, n, Y_MAP, "choice_sets"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		choice_set *set = &f->choice_sets[f->n_choice_sets];
		memset(set, 0, sizeof *set);
		if (!form_id_valid(n->keys[i]->str, false)) {
			YERR(c, n->keys[i], "nom de liste « %s » invalide", n->keys[i]->str);
			ok = false;
			continue;
		}
		if (!form_read_choices(c, n->items[i], n->keys[i]->str, set)) {
			choice_set_done(set);
			ok = false;
			continue;
		}
		set->name = xstrdup(n->keys[i]->str);
		f->n_choice_sets++;
	}
	return ok;
}

/* ---------------------------------------------------------------- alerts */

enum { AK_ID, AK_IF, AK_LEVEL, AK_MESSAGE };
#define AT(member) .at = offsetof(alert_rule, member)
static const ykey alert_keys[] = {
    [AK_ID] = {"id", YK_ID, .required = true, AT(id), .what = "identifiant d'alerte"},
    [AK_IF] = {"if", YK_EXPR, .required = true, AT(if_src)},
    [AK_LEVEL] = {"level", YK_OTHER},
    [AK_MESSAGE] = {"message", YK_I18N, .required = true, AT(message)},
};
#undef AT
const ykey_table ykeys_alert =
    YKEY_TABLE("une alerte", alert_keys, "une alerte a besoin de id:, if: et message:");

static bool read_alert_level(load_ctx *c, const ynode *lvl, alert_level *out)
{
	static const char *const levels[] = {"info", "attention", "urgent"};
	size_t k = 0;
	while (k < 3 && !(lvl->kind == Y_SCALAR && strcmp(lvl->str, levels[k]) == 0))
		k++;
	if (k == 3) {
		YERR(c, lvl, "niveau d'alerte « %s » inconnu (info, attention ou urgent)",
		     lvl->kind == Y_SCALAR ? lvl->str : "?");
		return false;
	}
	*out = (alert_level)k;
	return true;
}

/* All the rules or none: reading stops at the first problem. */
static bool read_alerts(load_ctx *c, form *f, form_src *src, const ynode *n)
{
	if (!yread_kind(c, n, Y_SEQ, "alerts"))
		return false;
	f->alerts = xcalloc(n->n ? n->n : 1, sizeof *f->alerts);
	src->alert_if = xcalloc(n->n ? n->n : 1, sizeof *src->alert_if);
	for (size_t i = 0; i < n->n; i++) {
		const ynode *a = n->items[i];
		alert_rule *r = &f->alerts[f->n_alerts];
		ymap m;
		if (!ymap_open_entry(&m, c, a, "alerte", &ykeys_alert, r))
			return false;
		src->alert_if[f->n_alerts++] = m.v[AK_IF];
		r->line = a->line;
		r->col = a->col;
		r->level = ALERT_ATTENTION;
		if (!ymap_read(&m, AK_ID) || !ymap_read(&m, AK_IF) || !ymap_read(&m, AK_MESSAGE))
			return false;
		if (m.v[AK_LEVEL] && !read_alert_level(c, m.v[AK_LEVEL], &r->level))
			return false;
		for (size_t j = 0; j + 1 < f->n_alerts; j++)
			if (strcmp(f->alerts[j].id, r->id) == 0) {
				YERR(c, m.v[AK_ID], "alerte « %s » en double", r->id);
				return false;
			}
	}
	return true;
}

/* ---------------------------------------------------------------- the form */

enum {
	FORMK_FORM,
	FORMK_VERSION,
	FORMK_TITLE,
	FORMK_CARD,
	FORMK_SCOPE,
	FORMK_REF,
	FORMK_SUMMARY,
	FORMK_SETS,
	FORMK_SECTIONS,
	FORMK_ALERTS,
	FORMK_EXAMPLES,
	FORMK_SELF
};
#define AT(member) .at = offsetof(form, member)
static const ykey form_keys[] = {
    [FORMK_FORM] = {"form", YK_ID, .required = true, AT(id), .what = "identifiant de formulaire"},
    [FORMK_VERSION] = {"version", YK_INT, .required = true, AT(version), .lo = 1, .hi = 1000000},
    [FORMK_TITLE] = {"title", YK_I18N, .required = true, AT(title)},
    [FORMK_CARD] = {"cardinality", YK_OTHER},
    [FORMK_SCOPE] = {"scope", YK_OTHER},
    [FORMK_REF] = {"reference", YK_STRING, AT(reference)},
    [FORMK_SUMMARY] = {"summary", YK_STRING, AT(summary)},
    [FORMK_SETS] = {"choice_sets", YK_OTHER},
    [FORMK_SECTIONS] = {"sections", YK_OTHER, .required = true},
    [FORMK_ALERTS] = {"alerts", YK_OTHER},
    [FORMK_EXAMPLES] = {"examples", YK_OTHER},
    [FORMK_SELF] = {"self", YK_BOOL, AT(self)},
};
#undef AT
const ykey_table ykeys_form = YKEY_TABLE("un formulaire", form_keys, NULL);

static bool read_cardinality(load_ctx *c, const ynode *v, cardinality *out)
{
	if (v->kind == Y_SCALAR && strcmp(v->str, "once") == 0) {
		*out = CARD_ONCE;
		return true;
	}
	if (v->kind == Y_SCALAR && strcmp(v->str, "repeated") == 0)
		return true;
	YERR(c, v, "cardinality : once ou repeated attendu, trouvé « %s »",
	     v->kind == Y_SCALAR ? v->str : "?");
	return false;
}

/* scope: patient (the default) or structure. A structure's form describes events of the
 * structure (a dated entry each): once-only makes no sense there, and nothing in it may name a
 * person, since its rows leave with every export. */
static bool read_scope(load_ctx *c, const ynode *v, const ynode *card, form *f)
{
	if (v->kind == Y_SCALAR && strcmp(v->str, "patient") == 0)
		return true;
	if (!(v->kind == Y_SCALAR && strcmp(v->str, "structure") == 0)) {
		YERR(c, v, "scope : patient ou structure attendu, trouvé « %s »",
		     v->kind == Y_SCALAR ? v->str : "?");
		return false;
	}
	f->scope = SCOPE_STRUCTURE;
	if (strcmp(f->id, "patient") == 0) {
		YERR(c, v, "le formulaire patient décrit un patient : scope: structure impossible");
		return false;
	}
	if (f->cardinality == CARD_ONCE) {
		YERR(c, card,
		     "cardinality: once impossible avec scope: structure (chaque fiche de la "
		     "structure est datée : repeated)");
		return false;
	}
	return true;
}

/* A structure's form holds no identity field: reported at each such field. */
static bool check_structure_fields(load_ctx *c, const form *f)
{
	bool ok = true;
	for (size_t i = 0; f->scope == SCOPE_STRUCTURE && i < f->n_fields; i++)
		if (f->fields[i].identifier) {
			load_error(c, f->fields[i].line, f->fields[i].col,
			           "champ « %s » : identifier: true impossible dans un formulaire de la "
			           "structure (scope: structure), qui ne décrit aucun patient",
			           f->fields[i].id);
			ok = false;
		}
	return ok;
}

/* Two fields with one id, as written or as expanded from a matrix: the first one is reported. */
static bool check_unique_ids(load_ctx *c, const form *f)
{
	for (size_t i = 0; i < f->n_fields; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(f->fields[i].id, f->fields[j].id) == 0) {
				const field *a = &f->fields[i], *d = &f->fields[j];
				char *from = a->matrix ? xasprintf(" (matrice « %s », ligne %s × colonne %s)",
				                                   a->matrix, a->matrix_row, a->matrix_col)
				                       : xstrdup("");
				load_error(c, a->line, a->col,
				           "champ « %s »%s en double (déjà défini ligne %d%s)", a->id, from,
				           d->line, d->matrix ? " par une matrice" : "");
				free(from);
				return false;
			}
	return true;
}

/* "___" in a field id is the separator of the 0/1 columns of a multiple choice in exports
 * (field___code): refused, naming the multiple choice whose column it would be. */
static bool check_multi_columns(load_ctx *c, const form *f)
{
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *a = &f->fields[i];
		const char *sep = strstr(a->id, RESERVED_MULTI_SEP);
		if (!sep)
			continue;
		for (size_t j = 0; j < f->n_fields; j++) {
			const field *m = &f->fields[j];
			size_t len = strlen(m->id);
			if (m->type != FT_MULTI || strncmp(a->id, m->id, len) != 0 ||
			    strncmp(a->id + len, RESERVED_MULTI_SEP, 3) != 0 ||
			    !field_choice(m, a->id + len + 3))
				continue;
			load_error(
			    c, a->line, a->col,
			    "champ « %s » : nom réservé à la colonne 0/1 du choix « %s » de %s dans les "
			    "exports ; choisir un autre identifiant",
			    a->id, a->id + len + 3, m->id);
			return false;
		}
		load_error(c, a->line, a->col,
		           "champ « %s » : « ___ » est réservé aux colonnes 0/1 des choix multiples dans les "
		           "exports (champ___code) ; choisir un autre identifiant",
		           a->id);
		return false;
	}
	return true;
}

/* A form the patient fills on the screen (self: true, at key) is about a patient (not of scope:
 * structure), holds no identity (neither the patient form nor an identifier field), and asks the patient at
 * least one question answered by a number key (choice or yes/no, 9 answers at most). label_patient: is only
 * for such a form. */
static bool check_self(load_ctx *c, const form *f, const ynode *key)
{
	if (!f->self) {
		for (size_t i = 0; i < f->n_fields; i++)
			if (f->fields[i].label_patient.fr) {
				load_error(
				    c, f->fields[i].line, f->fields[i].col,
				    "champ « %s » : label_patient sans self: true au formulaire (le patient "
				    "ne remplit pas ce formulaire)",
				    f->fields[i].id);
				return false;
			}
		return true;
	}
	if (strcmp(f->id, "patient") == 0) {
		YERR(c, key,
		     "self: true : le formulaire patient porte l'identité, le patient ne le remplit "
		     "pas à l'écran");
		return false;
	}
	if (f->scope == SCOPE_STRUCTURE) {
		YERR(c, key,
		     "self: true : un formulaire de la structure (scope: structure) ne concerne aucun "
		     "patient");
		return false;
	}
	if (f->scope == SCOPE_STRUCTURE) {
		YERR(c, key,
		     "self: true : un formulaire de la structure (scope: structure) ne concerne aucun "
		     "patient");
		return false;
	}
	size_t asked = 0;
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		if (fd->identifier) {
			YERR(c, key,
			     "self: true : le champ « %s » est une donnée d'identité (identifier: true) ; un "
			     "formulaire rempli par le patient n'en a pas",
			     fd->id);
			return false;
		}
		if (fd->type == FT_CHOICE && fd->choices->n > 9) {
			load_error(
			    c, fd->line, fd->col,
			    "champ « %s » : %zu réponses ; dans un formulaire self: true le patient répond "
			    "par un chiffre, 9 réponses au plus",
			    fd->id, fd->choices->n);
			return false;
		}
		asked += field_self_question(fd);
	}
	if (!asked) {
		YERR(c, key, "self: true : aucune question choice ou yesno à poser au patient");
		return false;
	}
	return true;
}

/* Everything after the required keys are known to be there; stops at the first problem of the
 * form's own keys, reads all the sections. */
static bool read_form_keys(load_ctx *c, form_build *b, ymap *m)
{
	form *f = b->f;
	bool ok = ymap_read(m, FORMK_FORM);
	const reserved_name *r = ok ? reserved_lookup(f->id, RESERVED_FORM) : NULL;
	if (r) {
		YERR(c, m->v[FORMK_FORM],
		     "formulaire « %s » : nom réservé (%s) ; choisir un autre identifiant", f->id, r->why);
		return false;
	}
	ok = ok && ymap_read(m, FORMK_VERSION) && ymap_read(m, FORMK_TITLE);
	f->cardinality = CARD_REPEATED;
	if (ok && m->v[FORMK_CARD])
		ok = read_cardinality(c, m->v[FORMK_CARD], &f->cardinality);
	if (ok && m->v[FORMK_SCOPE])
		ok = read_scope(c, m->v[FORMK_SCOPE], m->v[FORMK_CARD], f);
	ok = ok && ymap_read(m, FORMK_REF) && ymap_read(m, FORMK_SUMMARY);
	const ynode *sets = m->v[FORMK_SETS];
	size_t cap = (sets && sets->kind == Y_MAP ? sets->n : 0) + count_inline_choices(m->v[FORMK_SECTIONS]);
	f->choice_sets = xcalloc(cap ? cap : 1, sizeof *f->choice_sets);
	if (ok && sets)
		ok = read_choice_sets(c, f, sets);
	if (ok)
		ok = read_sections(c, b, m->v[FORMK_SECTIONS]);
	if (ok && m->v[FORMK_ALERTS])
		ok = read_alerts(c, f, b->src, m->v[FORMK_ALERTS]);
	ok = ok && check_unique_ids(c, f) && check_multi_columns(c, f) && check_structure_fields(c, f);
	ok = ok && ymap_read(m, FORMK_SELF) && check_self(c, f, m->key[FORMK_SELF]);
	return ok && (!m->v[FORMK_EXAMPLES] || form_read_examples(c, f, m->v[FORMK_EXAMPLES]));
}

form *form_read(load_ctx *c, const ynode *root, form_src *src)
{
	memset(src, 0, sizeof *src);
	ymap m;
	if (!ymap_open(&m, c, root, &ykeys_form, NULL, NULL))
		return NULL;
	int missing = ymap_missing(&m);
	if (missing >= 0) {
		YERR(c, root, "clé obligatoire « %s: » manquante", form_keys[missing].name);
		return NULL;
	}
	form *f = xcalloc(1, sizeof *f);
	form_build b = {.f = f, .src = src};
	m.obj = f;
	src->summary = m.v[FORMK_SUMMARY];
	if (!read_form_keys(c, &b, &m) || c->count) {
		form_src_done(src);
		form_free(f);
		return NULL;
	}
	return f;
}

void form_src_done(form_src *src)
{
	free(src->fields);
	free(src->alert_if);
	memset(src, 0, sizeof *src);
}

void form_free(form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_fields; i++)
		field_done(&f->fields[i]);
	free(f->fields);
	for (size_t i = 0; i < f->n_sections; i++)
		i18n_done(&f->sections[i].title);
	free(f->sections);
	for (size_t i = 0; i < f->n_choice_sets; i++)
		choice_set_done(&f->choice_sets[i]);
	free(f->choice_sets);
	for (size_t i = 0; i < f->n_alerts; i++) {
		free(f->alerts[i].id);
		free(f->alerts[i].if_src);
		expr_free(f->alerts[i].cond);
		i18n_done(&f->alerts[i].message);
	}
	free(f->alerts);
	form_examples_free(f);
	free(f->calc_order);
	free(f->id);
	free(f->path);
	i18n_done(&f->title);
	free(f->summary);
	free(f->reference);
	free(f);
}
