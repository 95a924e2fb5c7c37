/* form_check.c — the expressions of a form read from its file, parsed and type-checked against
 * the model: field references (the form's own fields, patient.<field>, seuil.<id>,
 * entry.date), calculated fields in dependency order with cycles refused, conditions that must
 * be oui/non, and the placeholders of the summary template; each problem reported at its
 * column in the YAML file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"
#include "core/nearest.h"

/* The state of checking one form. */
typedef struct {
	form *f;
	const form_src *src;
	load_ctx *c;
	const form *patient;  /* NULL when the set has none */
	const reporting *rep; /* NULL when the set has no reporting.yaml */
	signed char *state;   /* per field: 0 unchecked, 1 checking, 2 done, 3 failed (reported) */
	size_t *stack;        /* calculated fields being checked, outermost first */
	size_t depth;
	char *ref_why;   /* why the last reference could not be resolved, or NULL */
	bool dep_failed; /* ... because a calculated field it uses is wrong (already reported) */
} checker;

static vtype field_value_type(const field *fd)
{
	switch (fd->type) {
	case FT_TEXT:
		return T_STR;
	case FT_INTEGER:
	case FT_DECIMAL:
		return T_NUM;
	case FT_DATE:
		return T_DATE;
	case FT_YESNO:
		return T_BOOL;
	case FT_CHOICE:
		return fd->choices && fd->choices->numeric ? T_NUM : T_STR;
	case FT_MULTI:
		return T_SET;
	case FT_CALCULATED:
		return fd->vtype;
	case FT_NOTE:
		return T_ERROR;
	}
	return T_ERROR;
}

static bool check_calculated(checker *k, size_t i);

static vtype unresolved(checker *k, char *why)
{
	free(k->ref_why);
	k->ref_why = why;
	return T_ERROR;
}

static vtype resolve(void *ctx, const char *name, int *slot)
{
	checker *k = ctx;
	free(k->ref_why);
	k->ref_why = NULL;
	k->dep_failed = false;
	if (str_starts(name, "patient.")) {
		if (k->f->scope == SCOPE_STRUCTURE)
			return unresolved(k, xasprintf("« %s » : un formulaire de la structure (scope: "
			                               "structure) ne concerne aucun patient",
			                               name));
		if (!k->patient)
			return unresolved(
			    k, xasprintf("« %s » introuvable : pas de formulaire patient (patient.yaml) à "
			                 "côté de ce fichier",
			                 name));
		long i = form_field_index(k->patient, name + 8);
		if (i < 0)
			return unresolved(
			    k, xasprintf("champ inconnu « %s » : le formulaire patient n'a pas de champ "
			                 "« %s »",
			                 name, name + 8));
		if (k->patient->fields[i].type == FT_NOTE)
			return unresolved(k, xasprintf("« %s » est une note : elle n'a pas de valeur", name));
		if (field_value_type(&k->patient->fields[i]) == T_ERROR)
			return unresolved(
			    k,
			    xasprintf("« %s » : ce champ calculé du formulaire patient est en erreur", name));
		*slot = SLOT_PATIENT_BASE + (int)i;
		return field_value_type(&k->patient->fields[i]);
	}
	if (str_starts(name, "seuil.")) {
		if (!k->rep)
			return unresolved(
			    k, xasprintf("seuil « %s » introuvable : pas de reporting.yaml à côté de ce "
			                 "fichier",
			                 name));
		for (size_t i = 0; i < k->rep->n_thresholds; i++)
			if (strcmp(k->rep->thresholds[i].id, name + 6) == 0) {
				*slot = SLOT_SEUIL_BASE + (int)i;
				return T_NUM;
			}
		return unresolved(k, xasprintf("seuil inconnu « %s » (à définir sous thresholds: dans %s)",
		                               name, k->rep->path ? k->rep->path : "reporting.yaml"));
	}
	if (strcmp(name, "entry.date") == 0) {
		*slot = SLOT_ENTRY_DATE;
		return T_DATE;
	}
	long i = form_field_index(k->f, name);
	if (i < 0) {
		if (strchr(name, '.'))
			return unresolved(
			    k, xasprintf("champ inconnu « %s » (seuls patient.…, seuil.… et entry.date "
			                 "s'écrivent avec un point)",
			                 name));
		return unresolved(k, xasprintf("champ inconnu « %s »", name));
	}
	field *fd = &k->f->fields[i];
	if (fd->type == FT_NOTE)
		return unresolved(k, xasprintf("« %s » est une note : elle n'a pas de valeur", name));
	if (fd->type == FT_CALCULATED && k->state[i] != 2) {
		if (k->state[i] == 1) {
			/* The chain from the first use of this field back to it. */
			strbuf chain = STRBUF_INIT;
			size_t from = 0;
			while (from < k->depth && k->stack[from] != (size_t)i)
				from++;
			for (size_t d = from; d < k->depth; d++)
				strbuf_printf(&chain, "%s → ", k->f->fields[k->stack[d]].id);
			strbuf_puts(&chain, name);
			unresolved(k, xasprintf("référence circulaire entre champs calculés : %s",
			                        strbuf_str(&chain)));
			strbuf_done(&chain);
			return T_ERROR;
		}
		if (k->state[i] == 3 || !check_calculated(k, (size_t)i)) {
			unresolved(k, NULL);
			k->dep_failed = true;
			return T_ERROR;
		}
		/* Checking the other field reset the reason: nothing is wrong with this reference. */
		k->dep_failed = false;
	}
	*slot = (int)i;
	return field_value_type(fd);
}

/* Column of byte offset off of the source, as it appears in the YAML file: exact when the
 * scalar is written on one line and holds the source as is; else the scalar's own position. */
static int source_column(const ynode *at, const char *src, int off)
{
	if (!at)
		return 1;
	if (at->kind != Y_SCALAR || !at->str || strcmp(at->str, src) != 0 || strchr(src, '\n'))
		return at->col;
	int col = at->col + (at->quoted ? 1 : 0);
	/* Columns count characters, not bytes. */
	for (int b = 0; b < off && src[b]; b++)
		if (((unsigned char)src[b] & 0xC0) != 0x80)
			col++;
	return col;
}

/* The field behind a slot of a same-form or patient.<field> reference, with the name it is
 * written under into name (size bytes); NULL for other slots. */
static const field *slot_field(const checker *k, int slot, char *name, size_t size)
{
	if (slot >= 0 && slot < SLOT_PATIENT_BASE && (size_t)slot < k->f->n_fields) {
		snprintf(name, size, "%s", k->f->fields[slot].id);
		return &k->f->fields[slot];
	}
	if (slot >= SLOT_PATIENT_BASE && slot < SLOT_SEUIL_BASE && k->patient &&
	    (size_t)(slot - SLOT_PATIENT_BASE) < k->patient->n_fields) {
		const field *fd = &k->patient->fields[slot - SLOT_PATIENT_BASE];
		snprintf(name, size, "patient.%s", fd->id);
		return fd;
	}
	return NULL;
}

/* Whether the literal of u is one of the codes of fd. */
static bool code_known(const field *fd, const expr_code_use *u)
{
	for (size_t i = 0; i < fd->choices->n; i++) {
		const choice *ch = &fd->choices->items[i];
		if (u->text ? strcmp(ch->code, u->text) == 0 : fd->choices->numeric && ch->num == u->num)
			return true;
	}
	return false;
}

/* Checking the code literals of one expression. */
typedef struct {
	checker *k;
	const char *src;
	const ynode *at;
	const field *result; /* the calculated field whose value the expression is, or NULL */
	bool ok;
} code_check;

/* "« realisé » : code inconnu de statut ; vouliez-vous dire « realise » ?", or the list of the
 * codes when none is close (and the list is short). */
static void code_use(void *ctx, const expr_code_use *u)
{
	code_check *cc = ctx;
	char name[FORM_MAX_ID_LEN + 16], num[48];
	const field *fd =
	    u->kind == EXPR_CODE_RESULT ? cc->result : slot_field(cc->k, u->slot, name, sizeof name);
	if (!fd || !fd->choices || code_known(fd, u))
		return;
	if (u->kind == EXPR_CODE_RESULT)
		snprintf(name, sizeof name, "%s", fd->id);
	const char *lit = u->text;
	if (!lit) {
		format_number(u->num, -1, num, sizeof num);
		lit = num;
	}
	const char **codes = xcalloc(fd->choices->n, sizeof *codes);
	strbuf list = STRBUF_INIT;
	for (size_t i = 0; i < fd->choices->n; i++) {
		codes[i] = fd->choices->items[i].code;
		strbuf_printf(&list, "%s%s", i ? ", " : "", codes[i]);
	}
	long near = fd->choices->numeric ? -1 : nearest_word(lit, codes, fd->choices->n);
	int line = cc->at ? cc->at->line : 1, col = source_column(cc->at, cc->src, u->pos);
	if (near >= 0)
		load_error(cc->k->c, line, col, "« %s » : code inconnu de %s ; vouliez-vous dire « %s » ?",
		           lit, name, codes[near]);
	else if (fd->choices->n <= 12)
		load_error(cc->k->c, line, col, "« %s » : code inconnu de %s (codes : %s)", lit, name,
		           strbuf_str(&list));
	else
		load_error(cc->k->c, line, col, "« %s » : code inconnu de %s", lit, name);
	strbuf_done(&list);
	free(codes);
	cc->ok = false;
}

/* Parse and check one expression source; reports at the YAML scalar's position plus offset.
 * The literals compared with an answer list must be among its codes, and so must those that a
 * calculated field with choices (result, or NULL) can give. */
static expr *compile(checker *k, const char *src, const ynode *at, const char *what, vtype want, vtype *got,
                     const field *result)
{
	char *why = NULL;
	int col = 0;
	expr_scope scope = {resolve, k};
	free(k->ref_why);
	k->ref_why = NULL;
	k->dep_failed = false;
	expr *e = expr_parse(src, &why, &col);
	vtype t = T_ERROR;
	bool parsed = e != NULL;
	if (e) {
		t = expr_check(e, &scope, &why, &col);
		if (t == T_ERROR) {
			expr_free(e);
			e = NULL;
		}
	}
	int line = at ? at->line : 1;
	if (!e) {
		/* A reference to a wrong calculated field: that field's error was reported. */
		if (parsed && k->dep_failed)
			k->c->count++;
		else
			load_error(k->c, line, source_column(at, src, col), "%s : %s", what,
			           parsed && k->ref_why ? k->ref_why
			           : why                ? why
			                                : "expression invalide");
		free(k->ref_why);
		k->ref_why = NULL;
		k->dep_failed = false;
		free(why);
		return NULL;
	}
	free(why);
	if (want != T_ERROR && t != want) {
		load_error(k->c, line, source_column(at, src, 0),
		           "%s : condition oui/non attendue, mais l'expression donne une valeur de type %s",
		           what, vtype_name(t));
		expr_free(e);
		return NULL;
	}
	code_check cc = {k, src, at, result, true};
	expr_foreach_code(e, code_use, &cc);
	if (!cc.ok) {
		expr_free(e);
		return NULL;
	}
	if (got)
		*got = t;
	return e;
}

static bool check_calculated(checker *k, size_t i)
{
	field *fd = &k->f->fields[i];
	k->state[i] = 1;
	k->stack[k->depth++] = i;
	vtype t = T_ERROR;
	char *what = xasprintf("expr de « %s »", fd->id);
	fd->calc =
	    compile(k, fd->expr_src, k->src->fields[i].expr, what, T_ERROR, &t, fd->choices ? fd : NULL);
	free(what);
	k->depth--;
	if (fd->calc && t == T_SET) {
		load_error(k->c, fd->line, fd->col,
		           "%s : un champ calculé ne peut pas valoir une liste de choix", fd->id);
		expr_free(fd->calc);
		fd->calc = NULL;
	}
	if (!fd->calc) {
		k->state[i] = 3;
		return false;
	}
	fd->vtype = t;
	k->state[i] = 2;
	k->f->calc_order[k->f->n_calc++] = i;
	return true;
}

static bool check_form_exprs(checker *k)
{
	form *f = k->f;
	bool ok = true;
	f->calc_order = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *f->calc_order);
	k->state = xcalloc(f->n_fields ? f->n_fields : 1, 1);
	k->stack = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *k->stack);
	for (size_t i = 0; i < f->n_fields; i++)
		if (f->fields[i].type == FT_CALCULATED && k->state[i] == 0 && !check_calculated(k, i))
			ok = false;
	for (size_t i = 0; ok && i < f->n_fields; i++) {
		field *fd = &f->fields[i];
		const field_src *src = &k->src->fields[i];
		if (fd->type == FT_NOTE)
			fd->vtype = T_ERROR;
		else if (fd->type != FT_CALCULATED)
			fd->vtype = field_value_type(fd);
		if (fd->trend && fd->vtype != T_NUM) {
			load_error(
			    k->c, fd->line, fd->col,
			    "%s : trend demande un champ qui vaut un nombre (integer, decimal ou calculé)",
			    fd->id);
			ok = false;
		}
		if (fd->show_if_src &&
		    !(fd->show_if = compile(k, fd->show_if_src, src->show_if, "show_if", T_BOOL, NULL, NULL)))
			ok = false;
		if (fd->constraint_src && !(fd->constraint = compile(k, fd->constraint_src, src->constraint,
		                                                     "constraint", T_BOOL, NULL, NULL)))
			ok = false;
		if (fd->soft_src &&
		    !(fd->soft = compile(k, fd->soft_src, src->soft, "soft_constraint", T_BOOL, NULL, NULL)))
			ok = false;
	}
	for (size_t i = 0; ok && i < f->n_alerts; i++) {
		alert_rule *a = &f->alerts[i];
		char *what = xasprintf("alerte « %s »", a->id);
		if (!(a->cond = compile(k, a->if_src, k->src->alert_if[i], what, T_BOOL, NULL, NULL)))
			ok = false;
		free(what);
	}
	free(k->state);
	k->state = NULL;
	free(k->stack);
	k->stack = NULL;
	free(k->ref_why);
	k->ref_why = NULL;
	return ok;
}

/* Placeholders of the summary template must name fields of the form. */
static bool check_summary(load_ctx *c, const form *f, const ynode *at)
{
	if (!f->summary)
		return true;
	for (const char *p = f->summary; (p = strchr(p, '{'));) {
		const char *end = strchr(p, '}');
		int col = source_column(at, f->summary, (int)(p - f->summary));
		if (!end) {
			load_error(c, at->line, col, "summary : « { » sans « } »");
			return false;
		}
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		const field *fd = form_field(f, name);
		bool ok = fd && (!colon || strcmp(colon + 1, "label") == 0);
		if (!fd)
			load_error(c, at->line, col, "summary : « %s » n'est pas un champ du formulaire",
			           name);
		else if (!ok)
			load_error(
			    c, at->line, col,
			    "summary : « {%s:%s} » : seul « :label » est possible après le nom du champ",
			    name, colon + 1);
		free(name);
		if (!ok)
			return false;
		p = end + 1;
	}
	return true;
}

bool form_check(load_ctx *c, form *f, const form_src *src, const form *patient, const reporting *r)
{
	checker k = {.f = f, .src = src, .c = c, .patient = patient, .rep = r};
	return check_form_exprs(&k) && check_summary(c, f, src->summary);
}
