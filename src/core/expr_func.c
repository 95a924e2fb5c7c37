/* expr_func.c — the built-in functions of the expression language (see expr.h for the list):
 * their table (name, arity, argument and result types, evaluator) and how each evaluates. Each
 * evaluator receives the call node, whose arguments are checked. */
#include <stdlib.h>
#include <string.h>

#include "core/expr_internal.h"
#include "core/util.h"

static value fn_if(const node *n, const expr_env *env)
{
	value c = expr_eval_node(n->kids[0], env);
	if (c.kind == V_MISSING)
		return c;
	return expr_conform(expr_eval_node(n->kids[expr_is_true(c) ? 1 : 2], env), n->type);
}

/* round(x) and round(x, n): n must be a whole number of places within [-15, 15]. */
static value fn_round(const node *n, const expr_env *env)
{
	value x = expr_eval_node(n->kids[0], env);
	if (x.kind == V_MISSING)
		return x;
	int places = 0;
	if (n->n_kids > 1) {
		value d = expr_eval_node(n->kids[1], env);
		if (d.kind == V_MISSING || d.num != floor(d.num) || fabs(d.num) > 15)
			return value_missing();
		places = (int)d.num;
	}
	return expr_number(round_to(x.num, places));
}

static value fn_sqrt(const node *n, const expr_env *env)
{
	value x = expr_eval_node(n->kids[0], env);
	if (x.kind == V_MISSING || x.num < 0)
		return value_missing();
	return expr_number(sqrt(x.num));
}

static value fn_abs(const node *n, const expr_env *env)
{
	value x = expr_eval_node(n->kids[0], env);
	return x.kind == V_MISSING ? x : expr_number(fabs(x.num));
}

static value fn_floor(const node *n, const expr_env *env)
{
	value x = expr_eval_node(n->kids[0], env);
	return x.kind == V_MISSING ? x : expr_number(floor(x.num));
}

static double add(double a, double b)
{
	return a + b;
}

/* Combine every argument with op; any missing argument makes the result missing. */
static value fold(const node *n, const expr_env *env, double (*op)(double, double))
{
	double acc = 0;
	for (size_t i = 0; i < n->n_kids; i++) {
		value v = expr_eval_node(n->kids[i], env);
		if (v.kind == V_MISSING)
			return v;
		acc = i ? op(acc, v.num) : v.num;
	}
	return expr_number(acc);
}

static value fn_min(const node *n, const expr_env *env)
{
	return fold(n, env, fmin);
}

static value fn_max(const node *n, const expr_env *env)
{
	return fold(n, env, fmax);
}

static value fn_sum(const node *n, const expr_env *env)
{
	return fold(n, env, add);
}

/* Number of codes in a set value: codes are separated by spaces. */
static size_t count_codes(const char *s)
{
	size_t count = 0;
	while (*s) {
		s += strspn(s, " ");
		if (!*s)
			break;
		count++;
		s += strcspn(s, " ");
	}
	return count;
}

/* True when code is one of the whole codes of set ("al" does not match "alcool"). */
static bool has_code(const char *set, const char *code)
{
	size_t len = strlen(code);
	if (!len)
		return false;
	while (*set) {
		set += strspn(set, " ");
		size_t n = strcspn(set, " ");
		if (n == len && memcmp(set, code, len) == 0)
			return true;
		set += n;
	}
	return false;
}

static value fn_count_selected(const node *n, const expr_env *env)
{
	value s = expr_eval_node(n->kids[0], env);
	return s.kind == V_MISSING ? s : value_num((double)count_codes(s.str));
}

static value fn_selected(const node *n, const expr_env *env)
{
	value s = expr_eval_node(n->kids[0], env);
	if (s.kind == V_MISSING)
		return s;
	value code = expr_eval_node(n->kids[1], env);
	return code.kind == V_MISSING ? code : value_bool(has_code(s.str, code.str));
}

static value fn_answered(const node *n, const expr_env *env)
{
	return value_bool(expr_eval_node(n->kids[0], env).kind != V_MISSING);
}

static value fn_coalesce(const node *n, const expr_env *env)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		value v = expr_eval_node(n->kids[i], env);
		if (v.kind != V_MISSING)
			return expr_conform(v, n->type);
	}
	return value_missing();
}

static value fn_today(const node *n, const expr_env *env)
{
	(void)n;
	return expr_conform(value_date(env->today), T_DATE);
}

/* Whole years from `from` to `to`: a year counts once its anniversary is reached, so a person
 * born on 29 February has a birthday on 1 March in other years. Negative when to < from. */
static long whole_years(long from, long to)
{
	if (to < from)
		return -whole_years(to, from);
	int y1, m1, d1, y2, m2, d2;
	date_to_ymd(from, &y1, &m1, &d1);
	date_to_ymd(to, &y2, &m2, &d2);
	long years = (long)y2 - y1;
	if (m2 < m1 || (m2 == m1 && d2 < d1))
		years--;
	return years;
}

static value fn_years_between(const node *n, const expr_env *env)
{
	value a = expr_eval_node(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = expr_eval_node(n->kids[1], env);
	if (b.kind == V_MISSING)
		return b;
	return value_num((double)whole_years((long)a.num, (long)b.num));
}

static value fn_days_between(const node *n, const expr_env *env)
{
	value a = expr_eval_node(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = expr_eval_node(n->kids[1], env);
	return b.kind == V_MISSING ? b : expr_number(b.num - a.num);
}

static value fn_year(const node *n, const expr_env *env)
{
	value d = expr_eval_node(n->kids[0], env);
	if (d.kind == V_MISSING)
		return d;
	int y, m, day;
	date_to_ymd((long)d.num, &y, &m, &day);
	return value_num(y);
}

/* date('…'): the argument became a date literal when the expression was checked. */
static value fn_date(const node *n, const expr_env *env)
{
	return expr_eval_node(n->kids[0], env);
}

static value fn_contains(const node *n, const expr_env *env)
{
	value s = expr_eval_node(n->kids[0], env);
	if (s.kind == V_MISSING)
		return s;
	value part = expr_eval_node(n->kids[1], env);
	return part.kind == V_MISSING ? part : value_bool(strstr(s.str, part.str) != NULL);
}

/* Length in characters: UTF-8 continuation bytes do not count. */
static value fn_length(const node *n, const expr_env *env)
{
	value s = expr_eval_node(n->kids[0], env);
	if (s.kind == V_MISSING)
		return s;
	size_t count = 0;
	for (const unsigned char *p = (const unsigned char *)s.str; *p; p++)
		count += (*p & 0xC0) != 0x80;
	return value_num((double)count);
}

static const func funcs[] = {
    {"if", 3, 3, "bXX", 'X', fn_if},
    {"round", 1, 2, "nn", 'n', fn_round},
    {"sqrt", 1, 1, "n", 'n', fn_sqrt},
    {"abs", 1, 1, "n", 'n', fn_abs},
    {"floor", 1, 1, "n", 'n', fn_floor},
    {"min", 1, -1, "n", 'n', fn_min},
    {"max", 1, -1, "n", 'n', fn_max},
    {"sum", 1, -1, "n", 'n', fn_sum},
    {"count_selected", 1, 1, "S", 'n', fn_count_selected},
    {"selected", 2, 2, "Ss", 'b', fn_selected},
    {"answered", 1, 1, "*", 'b', fn_answered},
    {"coalesce", 1, -1, "X", 'X', fn_coalesce},
    {"today", 0, 0, "", 'd', fn_today},
    {"years_between", 2, 2, "dd", 'n', fn_years_between},
    {"days_between", 2, 2, "dd", 'n', fn_days_between},
    {"year", 1, 1, "d", 'n', fn_year},
    {"date", 1, 1, "L", 'd', fn_date},
    {"contains", 2, 2, "ss", 'b', fn_contains},
    {"length", 1, 1, "s", 'n', fn_length},
};

const func *expr_func_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
		if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

bool expr_func_arity_ok(const func *fn, size_t n)
{
	return n >= (size_t)fn->min_args && (fn->max_args < 0 || n <= (size_t)fn->max_args);
}

char *expr_func_arity_message(const func *fn)
{
	int lo = fn->min_args, hi = fn->max_args;
	const char *s = lo > 1 ? "s" : "";
	if (hi < 0)
		return xasprintf("%s attend au moins %d argument%s", fn->name, lo, s);
	if (hi == 0)
		return xasprintf("%s n'attend aucun argument", fn->name);
	if (hi == lo)
		return xasprintf("%s attend %d argument%s", fn->name, lo, s);
	return xasprintf("%s attend %d ou %d arguments", fn->name, lo, hi);
}
