/* expr_eval.c — evaluation of a checked expression tree: references through the caller's
 * lookup, arithmetic, three-valued logic and comparisons. It never fails and never allocates:
 * a problem at run time gives a missing value. And the walks over a checked tree: its
 * references, and the literals it sets against answer codes. */
#include <string.h>

#include "core/expr_internal.h"

/* See expr_internal.h. */
value expr_conform(value v, vtype t)
{
	switch (v.kind) {
	case V_MISSING:
		return v;
	case V_NUM:
	case V_BOOL:
	case V_DATE:
		if (!isfinite(v.num))
			return value_missing();
		break;
	case V_STR:
	case V_SET:
		if (!v.str)
			return value_missing();
		break;
	}
	switch (t) {
	case T_NUM:
		return v.kind == V_NUM || v.kind == V_BOOL ? value_num(v.num) : value_missing();
	case T_BOOL:
		return v.kind == V_BOOL || v.kind == V_NUM ? value_bool(v.num != 0) : value_missing();
	case T_STR:
		return v.kind == V_STR ? v : value_missing();
	case T_DATE:
		return v.kind == V_DATE && fabs(v.num) <= EXPR_MAX_DAY ? value_date((long)v.num)
		                                                       : value_missing();
	case T_SET:
		return v.kind == V_SET ? v : value_missing();
	case T_ERROR:
		break;
	}
	return value_missing();
}

/* -1, 0 or 1. Numbers within a relative 1e-12 of each other are equal, so that 0.1 + 0.2 = 0.3
 * holds as a form author expects. */
static int num_cmp(double a, double b)
{
	if (fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b)))
		return 0;
	return a < b ? -1 : 1;
}

static value eval_ref(const node *n, const expr_env *env)
{
	if (!env->lookup)
		return value_missing();
	return expr_conform(env->lookup(env->ctx, n->slot), n->type);
}

static value eval_arith(const node *n, const expr_env *env)
{
	value a = expr_eval_node(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	if (n->kind == N_NEG)
		return expr_number(0.0 - a.num);
	value b = expr_eval_node(n->kids[1], env);
	if (b.kind == V_MISSING)
		return b;
	switch (n->kind) {
	case N_ADD:
		return expr_number(a.num + b.num);
	case N_SUB:
		return expr_number(a.num - b.num);
	case N_MUL:
		return expr_number(a.num * b.num);
	default:
		return b.num == 0 ? value_missing() : expr_number(a.num / b.num);
	}
}

static bool is_false(value v)
{
	return v.kind == V_BOOL && v.num == 0;
}

/* Three-valued logic: `and` is false as soon as one side is false, `or` true as soon as one
 * side is true, whatever the other side; otherwise a missing side makes the result missing. */
static value eval_logic(const node *n, const expr_env *env)
{
	value a = expr_eval_node(n->kids[0], env);
	if (n->kind == N_NOT)
		return a.kind == V_MISSING ? a : value_bool(!expr_is_true(a));
	bool (*decides)(value) = n->kind == N_AND ? is_false : expr_is_true;
	if (decides(a))
		return a;
	value b = expr_eval_node(n->kids[1], env);
	if (decides(b))
		return b;
	if (a.kind == V_MISSING || b.kind == V_MISSING)
		return value_missing();
	return value_bool(n->kind == N_AND);
}

static value eval_cmp(const node *n, const expr_env *env)
{
	value a = expr_eval_node(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = expr_eval_node(n->kids[1], env);
	if (b.kind == V_MISSING)
		return b;
	int c;
	if (n->kids[0]->type == T_STR)
		c = strcmp(a.str, b.str);
	else
		c = num_cmp(a.num, b.num);
	switch (n->kind) {
	case N_EQ:
		return value_bool(c == 0);
	case N_NE:
		return value_bool(c != 0);
	case N_LT:
		return value_bool(c < 0);
	case N_LE:
		return value_bool(c <= 0);
	case N_GT:
		return value_bool(c > 0);
	default:
		return value_bool(c >= 0);
	}
}

value expr_eval_node(const node *n, const expr_env *env)
{
	switch (n->kind) {
	case N_NUM:
		return value_num(n->num);
	case N_STR:
		return value_str(n->str);
	case N_BOOL:
		return value_bool(n->num != 0);
	case N_DATE:
		return value_date((long)n->num);
	case N_MISSING:
		return value_missing();
	case N_REF:
		return eval_ref(n, env);
	case N_CALL:
		return n->fn->eval(n, env);
	case N_NEG:
	case N_ADD:
	case N_SUB:
	case N_MUL:
	case N_DIV:
		return eval_arith(n, env);
	case N_NOT:
	case N_AND:
	case N_OR:
		return eval_logic(n, env);
	case N_EQ:
	case N_NE:
	case N_LT:
	case N_LE:
	case N_GT:
	case N_GE:
		return eval_cmp(n, env);
	}
	return value_missing();
}

/* Evaluate; see expr.h. An unchecked expression or a NULL env gives missing. */
value expr_eval(const expr *e, const expr_env *env)
{
	if (!e || !e->checked || !env)
		return value_missing();
	return expr_eval_node(e->root, env);
}

static void foreach_ref(const node *n, void (*fn)(void *ctx, int slot), void *ctx)
{
	if (n->kind == N_REF)
		fn(ctx, n->slot);
	for (size_t i = 0; i < n->n_kids; i++)
		foreach_ref(n->kids[i], fn, ctx);
}

/* Call fn for each reference, in source order; see expr.h. */
void expr_foreach_ref(const expr *e, void (*fn)(void *ctx, int slot), void *ctx)
{
	if (e && fn)
		foreach_ref(e->root, fn, ctx);
}

/* A literal as a code: a text or a number. */
static bool code_literal(const node *n, expr_code_use *u)
{
	if (n->kind == N_STR)
		u->text = n->str;
	else if (n->kind == N_NUM)
		u->num = n->num;
	else
		return false;
	u->pos = n->oppos;
	return true;
}

static void foreach_compared(const node *n, void (*fn)(void *ctx, const expr_code_use *use), void *ctx)
{
	expr_code_use u = {.kind = EXPR_CODE_COMPARED, .slot = -1};
	if (n->kind == N_EQ || n->kind == N_NE) {
		const node *a = n->kids[0], *b = n->kids[1];
		if (a->kind == N_REF && code_literal(b, &u))
			u.slot = a->slot;
		else if (b->kind == N_REF && code_literal(a, &u))
			u.slot = b->slot;
	} else if (n->kind == N_CALL && strcmp(n->fn->name, "selected") == 0 && n->kids[0]->kind == N_REF &&
	           code_literal(n->kids[1], &u)) {
		u.kind = EXPR_CODE_SELECTED;
		u.slot = n->kids[0]->slot;
	}
	if (u.slot >= 0)
		fn(ctx, &u);
	for (size_t i = 0; i < n->n_kids; i++)
		foreach_compared(n->kids[i], fn, ctx);
}

static void foreach_result(const node *n, void (*fn)(void *ctx, const expr_code_use *use), void *ctx)
{
	expr_code_use u = {.kind = EXPR_CODE_RESULT, .slot = -1};
	if (code_literal(n, &u)) {
		fn(ctx, &u);
	} else if (n->kind == N_CALL && strcmp(n->fn->name, "if") == 0) {
		foreach_result(n->kids[1], fn, ctx);
		foreach_result(n->kids[2], fn, ctx);
	} else if (n->kind == N_CALL && strcmp(n->fn->name, "coalesce") == 0) {
		for (size_t i = 0; i < n->n_kids; i++)
			foreach_result(n->kids[i], fn, ctx);
	}
}

/* See expr.h. */
void expr_foreach_code(const expr *e, void (*fn)(void *ctx, const expr_code_use *use), void *ctx)
{
	if (!e || !e->checked || !fn)
		return;
	foreach_compared(e->root, fn, ctx);
	foreach_result(e->root, fn, ctx);
}
