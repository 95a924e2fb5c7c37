/* expr_check.c — name resolution and type checking of a parsed expression (rules in expr.h):
 * each reference resolved to a slot through the caller's scope, each operator and built-in
 * given operands of the types it takes, date literals recognised; the first problem reported
 * with its byte offset. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr_internal.h"
#include "core/util.h"

typedef struct {
	const expr_scope *scope;
	char **why;
	int *col;
} checker;

static vtype check_fail(checker *c, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static vtype check_fail(checker *c, int pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_why(c->why, "%s", msg);
	free(msg);
	if (c->col)
		*c->col = pos;
	return T_ERROR;
}

static const char *type_name(vtype t)
{
	return t == T_ANY ? "valeur manquante" : vtype_name(t);
}

static bool is_numeric(vtype t)
{
	return t == T_NUM || t == T_BOOL || t == T_ANY;
}

static const char *op_name(node_kind kind)
{
	static const char *const names[] = {
	    [N_NEG] = "-", [N_NOT] = "not", [N_AND] = "and", [N_OR] = "or", [N_ADD] = "+",
	    [N_SUB] = "-", [N_MUL] = "*",   [N_DIV] = "/",   [N_EQ] = "=",  [N_NE] = "!=",
	    [N_LT] = "<",  [N_LE] = "<=",   [N_GT] = ">",    [N_GE] = ">=",
	};
	return names[kind] ? names[kind] : "?";
}

static vtype check_node(checker *c, node *n);

/* Turn the string literal n into a date literal; an error when it is not a real date. */
static vtype to_date_literal(checker *c, node *n)
{
	long days;
	if (!date_parse(n->str, &days))
		return check_fail(c, n->oppos,
		                  "date invalide : 'AAAA-MM-JJ' attendu, jour réel du calendrier");
	free(n->str);
	n->str = NULL;
	n->kind = N_DATE;
	n->num = (double)days;
	return n->type = T_DATE;
}

static vtype check_ref(checker *c, node *n)
{
	int slot = -1;
	vtype t = T_ERROR;
	if (c->scope && c->scope->resolve)
		t = c->scope->resolve(c->scope->ctx, n->str, &slot);
	if (t != T_NUM && t != T_BOOL && t != T_STR && t != T_DATE && t != T_SET)
		return check_fail(c, n->oppos, "champ inconnu « %s »", n->str);
	n->slot = slot;
	return t;
}

static vtype check_arith(checker *c, node *n)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		node *kid = n->kids[i];
		vtype t = check_node(c, kid);
		if (t == T_ERROR)
			return t;
		if (!is_numeric(t))
			return check_fail(c, kid->pos, "« %s » attend %s (reçu : %s)", op_name(n->kind),
			                  n->kind == N_NEG ? "un nombre" : "des nombres", type_name(t));
	}
	return T_NUM;
}

static vtype check_logic(checker *c, node *n)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		node *kid = n->kids[i];
		vtype t = check_node(c, kid);
		if (t == T_ERROR)
			return t;
		if (t == T_BOOL || t == T_ANY)
			continue;
		if (n->kind == N_NOT)
			return check_fail(c, kid->pos, "« not » attend une condition oui/non");
		return check_fail(c, kid->pos, "« %s » attend des conditions oui/non", op_name(n->kind));
	}
	return T_BOOL;
}

/* Two numbers (oui/non counting as 0/1), two texts or two dates; a text literal facing a date
 * is read as a date. */
static vtype check_cmp(checker *c, node *n)
{
	node *a = n->kids[0], *b = n->kids[1];
	vtype ta = check_node(c, a);
	if (ta == T_ERROR)
		return ta;
	vtype tb = check_node(c, b);
	if (tb == T_ERROR)
		return tb;
	const char *op = op_name(n->kind);
	if (ta == T_ANY || tb == T_ANY)
		return check_fail(c, n->oppos,
		                  "« %s » avec missing donne toujours une valeur manquante : "
		                  "utilisez answered()",
		                  op);
	if (ta == T_SET || tb == T_SET)
		return check_fail(c, n->oppos,
		                  "« %s » ne compare pas une liste de choix : utilisez selected()", op);
	if (ta == T_DATE && tb == T_STR && b->kind == N_STR)
		tb = to_date_literal(c, b);
	else if (tb == T_DATE && ta == T_STR && a->kind == N_STR)
		ta = to_date_literal(c, a);
	if (ta == T_ERROR || tb == T_ERROR)
		return T_ERROR;
	if (ta != tb && !(is_numeric(ta) && is_numeric(tb)))
		return check_fail(c, n->oppos, "« %s » compare deux valeurs du même type (reçu : %s et %s)",
		                  op, type_name(ta), type_name(tb));
	return T_BOOL;
}

static const char *expected_phrase(char want)
{
	switch (want) {
	case 'n':
		return "un nombre";
	case 'b':
		return "une condition oui/non";
	case 's':
		return "un texte";
	case 'd':
		return "une date";
	default:
		return "une liste de choix";
	}
}

static bool arg_fits(char want, vtype t)
{
	switch (want) {
	case 'n':
		return is_numeric(t);
	case 'b':
		return t == T_BOOL || t == T_ANY;
	case 's':
		return t == T_STR || t == T_ANY;
	case 'd':
		return t == T_DATE || t == T_ANY;
	case 'S':
		return t == T_SET || t == T_ANY;
	default:
		return true;
	}
}

/* Merge t into *same, the common type of the X arguments; numbers absorb oui/non. */
static bool unify(checker *c, const node *call, const node *arg, vtype *same, vtype t)
{
	if (t == T_ANY || t == *same)
		return true;
	if (*same == T_ANY) {
		*same = t;
		return true;
	}
	if (is_numeric(t) && is_numeric(*same)) {
		*same = T_NUM;
		return true;
	}
	check_fail(c, arg->pos, "%s attend des valeurs du même type (reçu : %s et %s)", call->fn->name,
	           type_name(*same), type_name(t));
	return false;
}

static vtype check_date_arg(checker *c, const node *call, node *arg)
{
	if (arg->kind != N_STR)
		return check_fail(c, arg->pos, "%s attend une date écrite entre guillemets, 'AAAA-MM-JJ'",
		                  call->fn->name);
	return to_date_literal(c, arg);
}

static vtype check_call(checker *c, node *n)
{
	const func *fn = n->fn;
	size_t n_codes = strlen(fn->args);
	vtype same = T_ANY;
	for (size_t i = 0; i < n->n_kids; i++) {
		node *arg = n->kids[i];
		char want = fn->args[i < n_codes ? i : n_codes - 1];
		vtype t = want == 'L' ? check_date_arg(c, n, arg) : check_node(c, arg);
		if (t == T_ERROR)
			return t;
		if (want == 'X' && !unify(c, n, arg, &same, t))
			return T_ERROR;
		if (!arg_fits(want, t))
			return check_fail(c, arg->pos, "%s attend %s en argument %zu (reçu : %s)", fn->name,
			                  expected_phrase(want), i + 1, type_name(t));
	}
	switch (fn->result) {
	case 'n':
		return T_NUM;
	case 'b':
		return T_BOOL;
	case 'd':
		return T_DATE;
	default:
		return same;
	}
}

static vtype check_node(checker *c, node *n)
{
	vtype t;
	switch (n->kind) {
	case N_NUM:
		t = T_NUM;
		break;
	case N_STR:
		t = T_STR;
		break;
	case N_BOOL:
		t = T_BOOL;
		break;
	case N_DATE:
		t = T_DATE;
		break;
	case N_MISSING:
		t = T_ANY;
		break;
	case N_REF:
		t = check_ref(c, n);
		break;
	case N_CALL:
		t = check_call(c, n);
		break;
	case N_NEG:
	case N_ADD:
	case N_SUB:
	case N_MUL:
	case N_DIV:
		t = check_arith(c, n);
		break;
	case N_NOT:
	case N_AND:
	case N_OR:
		t = check_logic(c, n);
		break;
	default:
		t = check_cmp(c, n);
		break;
	}
	n->type = t;
	return t;
}

/* Resolve and type-check; see expr.h. Rewrites date literals in place, stores slots. */
vtype expr_check(expr *e, const expr_scope *scope, char **why, int *col)
{
	checker c = {scope, why, col};
	if (!e)
		return check_fail(&c, 0, "expression absente");
	vtype t = check_node(&c, e->root);
	if (t == T_ANY)
		t = check_fail(&c, e->root->pos, "l'expression vaut toujours missing");
	e->checked = t != T_ERROR;
	return t;
}
