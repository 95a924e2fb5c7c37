/* expr.c — the expression language of forms (see expr.h): a tokenizer, a recursive-descent
 * parser building a tree, a type checker that resolves names to slots, and an evaluator that
 * never fails and never allocates. */
#include "core/expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Caps that keep hostile or mistaken input from exhausting the stack or the heap. */
enum { EXPR_MAX_SRC = 4096, EXPR_MAX_DEPTH = 64 };

/* Type of the `missing` literal while checking: it fits wherever a value is expected. It never
 * leaves this file (expr_check refuses an expression that is nothing but missing). */
#define T_ANY ((vtype)(T_SET + 1))

/* Day numbers beyond this are nonsense (the year 275 000); refusing them keeps casts defined. */
#define MAX_DAY 1e8

/* ---------------------------------------------------------------------------------------- */
/* The tree */

typedef enum {
	N_NUM,
	N_STR,
	N_BOOL,
	N_DATE,
	N_MISSING,
	N_REF,
	N_CALL,
	N_NEG,
	N_NOT,
	N_AND,
	N_OR,
	N_ADD,
	N_SUB,
	N_MUL,
	N_DIV,
	N_EQ,
	N_NE,
	N_LT,
	N_LE,
	N_GT,
	N_GE,
} node_kind;

typedef struct node node;
typedef struct func func;

struct node {
	node_kind kind;
	vtype type;     /* set by expr_check */
	int pos;        /* byte offset where the node's text starts (its '(' when parenthesized) */
	int oppos;      /* byte offset of its own token: operator, name, literal */
	double num;     /* N_NUM; N_BOOL (0/1); N_DATE (day number) */
	char *str;      /* N_STR text, N_REF name; owned */
	int slot;       /* N_REF: from the scope */
	const func *fn; /* N_CALL */
	node **kids;    /* operands or arguments; owned */
	size_t n_kids;
};

struct expr {
	node *root;
	bool checked;
};

/* A built-in function. `args` gives the type of each argument, the last letter repeating:
 * n number (oui/non counts), b oui/non, s text, d date, S set, * anything, X same type as the
 * other X arguments (the result when `result` is 'X'), L a date literal 'YYYY-MM-DD'. */
struct func {
	const char *name;
	int min_args, max_args; /* max_args < 0: no upper limit */
	const char *args;
	char result; /* n, b, d or X */
	value (*eval)(const node *call, const expr_env *env);
};

static node *node_new(node_kind kind, int pos)
{
	node *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->pos = n->oppos = pos;
	n->slot = -1;
	n->type = T_ERROR;
	return n;
}

static void node_add(node *n, node *kid)
{
	n->kids = xrealloc(n->kids, (n->n_kids + 1) * sizeof *n->kids);
	n->kids[n->n_kids++] = kid;
}

static void node_free(node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n_kids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

/* ---------------------------------------------------------------------------------------- */
/* Evaluation */

static value eval(const node *n, const expr_env *env);

/* A computed number, or missing when it is NaN or infinite; -0 becomes 0. */
static value number(double x)
{
	if (!isfinite(x))
		return value_missing();
	return value_num(x == 0 ? 0.0 : x);
}

/* Check a value against the static type t, so that the rest of the evaluator can trust
 * v.kind: a value of the wrong kind, a non-finite number or a NULL string count as missing.
 * A number where oui/non is expected (a skipped_value) reads as true when non-zero. */
static value conform(value v, vtype t)
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
		return v.kind == V_DATE && fabs(v.num) <= MAX_DAY ? value_date((long)v.num) : value_missing();
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
	return conform(env->lookup(env->ctx, n->slot), n->type);
}

static value eval_arith(const node *n, const expr_env *env)
{
	value a = eval(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	if (n->kind == N_NEG)
		return number(0.0 - a.num);
	value b = eval(n->kids[1], env);
	if (b.kind == V_MISSING)
		return b;
	switch (n->kind) {
	case N_ADD:
		return number(a.num + b.num);
	case N_SUB:
		return number(a.num - b.num);
	case N_MUL:
		return number(a.num * b.num);
	default:
		return b.num == 0 ? value_missing() : number(a.num / b.num);
	}
}

static bool is_false(value v)
{
	return v.kind == V_BOOL && v.num == 0;
}

static bool is_true(value v)
{
	return v.kind == V_BOOL && v.num != 0;
}

/* Three-valued logic: `and` is false as soon as one side is false, `or` true as soon as one
 * side is true, whatever the other side; otherwise a missing side makes the result missing. */
static value eval_logic(const node *n, const expr_env *env)
{
	value a = eval(n->kids[0], env);
	if (n->kind == N_NOT)
		return a.kind == V_MISSING ? a : value_bool(!is_true(a));
	bool (*decides)(value) = n->kind == N_AND ? is_false : is_true;
	if (decides(a))
		return a;
	value b = eval(n->kids[1], env);
	if (decides(b))
		return b;
	if (a.kind == V_MISSING || b.kind == V_MISSING)
		return value_missing();
	return value_bool(n->kind == N_AND);
}

static value eval_cmp(const node *n, const expr_env *env)
{
	value a = eval(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = eval(n->kids[1], env);
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

static value eval(const node *n, const expr_env *env)
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

/* ---------------------------------------------------------------------------------------- */
/* Built-in functions: each receives the call node, whose arguments are checked. */

static value fn_if(const node *n, const expr_env *env)
{
	value c = eval(n->kids[0], env);
	if (c.kind == V_MISSING)
		return c;
	return conform(eval(n->kids[is_true(c) ? 1 : 2], env), n->type);
}

/* round(x) and round(x, n): n must be a whole number of places within [-15, 15]. */
static value fn_round(const node *n, const expr_env *env)
{
	value x = eval(n->kids[0], env);
	if (x.kind == V_MISSING)
		return x;
	int places = 0;
	if (n->n_kids > 1) {
		value d = eval(n->kids[1], env);
		if (d.kind == V_MISSING || d.num != floor(d.num) || fabs(d.num) > 15)
			return value_missing();
		places = (int)d.num;
	}
	return number(round_to(x.num, places));
}

static value fn_sqrt(const node *n, const expr_env *env)
{
	value x = eval(n->kids[0], env);
	if (x.kind == V_MISSING || x.num < 0)
		return value_missing();
	return number(sqrt(x.num));
}

static value fn_abs(const node *n, const expr_env *env)
{
	value x = eval(n->kids[0], env);
	return x.kind == V_MISSING ? x : number(fabs(x.num));
}

static value fn_floor(const node *n, const expr_env *env)
{
	value x = eval(n->kids[0], env);
	return x.kind == V_MISSING ? x : number(floor(x.num));
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
		value v = eval(n->kids[i], env);
		if (v.kind == V_MISSING)
			return v;
		acc = i ? op(acc, v.num) : v.num;
	}
	return number(acc);
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
	value s = eval(n->kids[0], env);
	return s.kind == V_MISSING ? s : value_num((double)count_codes(s.str));
}

static value fn_selected(const node *n, const expr_env *env)
{
	value s = eval(n->kids[0], env);
	if (s.kind == V_MISSING)
		return s;
	value code = eval(n->kids[1], env);
	return code.kind == V_MISSING ? code : value_bool(has_code(s.str, code.str));
}

static value fn_answered(const node *n, const expr_env *env)
{
	return value_bool(eval(n->kids[0], env).kind != V_MISSING);
}

static value fn_coalesce(const node *n, const expr_env *env)
{
	for (size_t i = 0; i < n->n_kids; i++) {
		value v = eval(n->kids[i], env);
		if (v.kind != V_MISSING)
			return conform(v, n->type);
	}
	return value_missing();
}

static value fn_today(const node *n, const expr_env *env)
{
	(void)n;
	return conform(value_date(env->today), T_DATE);
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
	value a = eval(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = eval(n->kids[1], env);
	if (b.kind == V_MISSING)
		return b;
	return value_num((double)whole_years((long)a.num, (long)b.num));
}

static value fn_days_between(const node *n, const expr_env *env)
{
	value a = eval(n->kids[0], env);
	if (a.kind == V_MISSING)
		return a;
	value b = eval(n->kids[1], env);
	return b.kind == V_MISSING ? b : number(b.num - a.num);
}

static value fn_year(const node *n, const expr_env *env)
{
	value d = eval(n->kids[0], env);
	if (d.kind == V_MISSING)
		return d;
	int y, m, day;
	date_to_ymd((long)d.num, &y, &m, &day);
	return value_num(y);
}

/* date('…'): the argument became a date literal when the expression was checked. */
static value fn_date(const node *n, const expr_env *env)
{
	return eval(n->kids[0], env);
}

static value fn_contains(const node *n, const expr_env *env)
{
	value s = eval(n->kids[0], env);
	if (s.kind == V_MISSING)
		return s;
	value part = eval(n->kids[1], env);
	return part.kind == V_MISSING ? part : value_bool(strstr(s.str, part.str) != NULL);
}

/* Length in characters: UTF-8 continuation bytes do not count. */
static value fn_length(const node *n, const expr_env *env)
{
	value s = eval(n->kids[0], env);
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

static const func *func_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
		if (strlen(funcs[i].name) == len && memcmp(funcs[i].name, name, len) == 0)
			return &funcs[i];
	return NULL;
}

static bool arity_ok(const func *fn, size_t n)
{
	return n >= (size_t)fn->min_args && (fn->max_args < 0 || n <= (size_t)fn->max_args);
}

/* "round attend 1 ou 2 arguments", "min attend au moins 1 argument", … Caller frees. */
static char *arity_message(const func *fn)
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

/* ---------------------------------------------------------------------------------------- */
/* Tokenizer */

typedef enum {
	TK_EOF,
	TK_ERROR,
	TK_NUM,
	TK_STR,
	TK_NAME,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_PLUS,
	TK_MINUS,
	TK_STAR,
	TK_SLASH,
	TK_EQ,
	TK_NE,
	TK_LT,
	TK_LE,
	TK_GT,
	TK_GE,
} tok_kind;

typedef struct {
	tok_kind kind;
	int pos;          /* byte offset in the source */
	const char *text; /* points into the source; string tokens include their quotes */
	size_t len;
	double num; /* TK_NUM */
} token;

typedef struct {
	const char *src;
	size_t at; /* next byte to read */
	token tok; /* current token */
	int depth; /* parentheses, calls, `not` and unary minus currently open */
	char *why; /* the first error, heap */
	int col;
} parser;

/* Record the first error only: later ones are consequences of it. */
static void fail(parser *p, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parser *p, int pos, const char *fmt, ...)
{
	if (p->why)
		return;
	va_list ap;
	va_start(ap, fmt);
	p->why = xvasprintf(fmt, ap);
	va_end(ap);
	p->col = pos;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || is_digit(c);
}

/* NAME ("." NAME)? */
static size_t lex_name(const char *s)
{
	size_t n = 1;
	while (is_name_char(s[n]))
		n++;
	if (s[n] == '.' && is_name_start(s[n + 1])) {
		n += 2;
		while (is_name_char(s[n]))
			n++;
	}
	return n;
}

/* Digits with an optional '.' and more digits; "3.", "1e5" and "2x" are refused. */
static size_t lex_number(parser *p, const char *s, token *t)
{
	size_t n = strspn(s, "0123456789");
	if (s[n] == '.')
		n += 1 + strspn(s + n + 1, "0123456789");
	if (s[n - 1] == '.' || is_name_char(s[n]) || s[n] == '.') {
		fail(p, t->pos, "nombre mal écrit (exemples : 12, 3.25)");
		return n;
	}
	char buf[32];
	if (n >= sizeof buf) {
		fail(p, t->pos, "nombre trop long");
		return n;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_decimal(buf, &t->num))
		fail(p, t->pos, "nombre trop long");
	else
		t->kind = TK_NUM;
	return n;
}

static size_t lex_string(parser *p, const char *s, token *t)
{
	const char *end = strchr(s + 1, s[0]);
	if (!end) {
		fail(p, t->pos, "chaîne non terminée (guillemet fermant attendu)");
		return strlen(s);
	}
	size_t n = (size_t)(end - s) + 1;
	if (!utf8_valid(s + 1, n - 2))
		fail(p, t->pos, "texte mal encodé (UTF-8 attendu)");
	else
		t->kind = TK_STR;
	return n;
}

static void fail_char(parser *p, const char *s, int pos)
{
	unsigned char c = (unsigned char)s[0];
	size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (c > 0x20 && c < 0x7F)
		fail(p, pos, "caractère inattendu « %c »", c);
	else if (len > 1 && utf8_valid(s, strnlen(s, len)) && strnlen(s, len) == len)
		fail(p, pos, "caractère inattendu « %.*s »", (int)len, s);
	else
		fail(p, pos, "caractère inattendu");
}

static size_t lex_operator(parser *p, const char *s, token *t)
{
	static const struct {
		const char *text;
		tok_kind kind;
	} ops[] = {
	    {"==", TK_EQ},  {"!=", TK_NE},   {"<>", TK_NE},    {"<=", TK_LE},    {">=", TK_GE},
	    {"=", TK_EQ},   {"<", TK_LT},    {">", TK_GT},     {"+", TK_PLUS},   {"-", TK_MINUS},
	    {"*", TK_STAR}, {"/", TK_SLASH}, {"(", TK_LPAREN}, {")", TK_RPAREN}, {",", TK_COMMA},
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(s, ops[i].text, n) == 0) {
			t->kind = ops[i].kind;
			return n;
		}
	}
	fail_char(p, s, t->pos);
	return 1;
}

/* Advance to the next token. On a lexical error the token is TK_ERROR and p->why is set. */
static void next(parser *p)
{
	const char *s = p->src + p->at;
	size_t skip = strspn(s, " \t\r\n");
	s += skip;
	token t = {TK_ERROR, (int)(p->at + skip), s, 0, 0};
	size_t n;
	if (!*s) {
		t.kind = TK_EOF;
		n = 0;
	} else if (is_name_start(*s)) {
		t.kind = TK_NAME;
		n = lex_name(s);
	} else if (is_digit(*s)) {
		n = lex_number(p, s, &t);
	} else if (*s == '\'' || *s == '"') {
		n = lex_string(p, s, &t);
	} else {
		n = lex_operator(p, s, &t);
	}
	t.len = n;
	p->at += skip + n;
	p->tok = t;
}

/* ---------------------------------------------------------------------------------------- */
/* Parser: one function per grammar rule; each returns NULL after recording an error. */

static node *parse_or(parser *p);

static bool tok_word(const parser *p, const char *w)
{
	return p->tok.kind == TK_NAME && p->tok.len == strlen(w) && memcmp(p->tok.text, w, p->tok.len) == 0;
}

/* Open one level of nesting at the current token; false (error set) beyond the cap. */
static bool enter(parser *p)
{
	if (++p->depth <= EXPR_MAX_DEPTH)
		return true;
	fail(p, p->tok.pos, "expression trop imbriquée (%d niveaux au plus)", EXPR_MAX_DEPTH);
	return false;
}

static node *unary(node_kind kind, node *operand, int oppos)
{
	if (!operand)
		return NULL;
	node *n = node_new(kind, oppos);
	node_add(n, operand);
	return n;
}

static node *binary(node_kind kind, node *left, node *right, int oppos)
{
	if (!right) {
		node_free(left);
		return NULL;
	}
	node *n = node_new(kind, left->pos);
	n->oppos = oppos;
	node_add(n, left);
	node_add(n, right);
	return n;
}

/* Record "<what> « token »" at the current token. A text literal is not echoed: it may hold
 * anything (terminal controls included) and could be long. */
static void fail_before(parser *p, const char *what)
{
	const token *t = &p->tok;
	if (t->kind == TK_STR)
		fail(p, t->pos, "%s un texte entre guillemets", what);
	else
		fail(p, t->pos, "%s « %.*s »", what, t->len > 40 ? 40 : (int)t->len, t->text);
}

static void fail_expected(parser *p)
{
	if (p->tok.kind == TK_EOF)
		fail(p, p->tok.pos, "expression incomplète : valeur attendue");
	else
		fail_before(p, "valeur attendue avant");
}

/* "(" expr ")"; the node's span starts at the parenthesis. */
static node *parse_group(parser *p)
{
	int at = p->tok.pos;
	if (!enter(p))
		return NULL;
	next(p);
	node *inner = parse_or(p);
	if (!inner)
		return NULL;
	if (p->tok.kind != TK_RPAREN) {
		fail(p, p->tok.pos, "parenthèse fermante attendue");
		node_free(inner);
		return NULL;
	}
	p->depth--;
	next(p);
	inner->pos = at;
	return inner;
}

/* NAME "(" [expr ("," expr)*] ")"; the current token is the "(". */
static node *parse_call(parser *p, token name)
{
	const func *fn = func_find(name.text, name.len);
	if (!fn) {
		fail(p, name.pos, "fonction inconnue « %.*s »", (int)name.len, name.text);
		return NULL;
	}
	node *n = node_new(N_CALL, name.pos);
	n->fn = fn;
	if (!enter(p)) {
		node_free(n);
		return NULL;
	}
	next(p);
	while (p->tok.kind != TK_RPAREN || n->n_kids > 0) {
		node *arg = parse_or(p); /* after a comma an argument is required: "max(1,)" fails */
		if (!arg)
			break;
		node_add(n, arg);
		if (p->tok.kind != TK_COMMA) {
			if (p->tok.kind != TK_RPAREN)
				fail(p, p->tok.pos, "« , » ou parenthèse fermante attendue");
			break;
		}
		next(p);
	}
	if (p->why) {
		node_free(n);
		return NULL;
	}
	p->depth--;
	next(p);
	if (!arity_ok(fn, n->n_kids)) {
		char *msg = arity_message(fn);
		fail(p, name.pos, "%s", msg);
		free(msg);
		node_free(n);
		return NULL;
	}
	return n;
}

static node *parse_name(parser *p)
{
	token t = p->tok;
	if (tok_word(p, "and") || tok_word(p, "or") || tok_word(p, "not")) {
		fail_expected(p);
		return NULL;
	}
	next(p);
	if (p->tok.kind == TK_LPAREN)
		return parse_call(p, t);
	node *n = node_new(N_REF, t.pos);
	static const char *const words[] = {"true", "false", "missing"};
	static const node_kind kinds[] = {N_BOOL, N_BOOL, N_MISSING};
	for (size_t i = 0; i < 3; i++)
		if (t.len == strlen(words[i]) && memcmp(t.text, words[i], t.len) == 0) {
			n->kind = kinds[i];
			n->num = i == 0;
			return n;
		}
	n->str = xstrndup(t.text, t.len);
	return n;
}

static node *parse_primary(parser *p)
{
	token t = p->tok;
	node *n;
	switch (t.kind) {
	case TK_NUM:
		n = node_new(N_NUM, t.pos);
		n->num = t.num;
		next(p);
		return n;
	case TK_STR:
		n = node_new(N_STR, t.pos);
		n->str = xstrndup(t.text + 1, t.len - 2);
		next(p);
		return n;
	case TK_LPAREN:
		return parse_group(p);
	case TK_NAME:
		return parse_name(p);
	default:
		fail_expected(p);
		return NULL;
	}
}

static node *parse_unary(parser *p)
{
	if (p->tok.kind != TK_MINUS)
		return parse_primary(p);
	int at = p->tok.pos;
	if (!enter(p))
		return NULL;
	next(p);
	node *operand = parse_unary(p);
	p->depth--;
	return unary(N_NEG, operand, at);
}

static node *parse_mul(parser *p)
{
	node *left = parse_unary(p);
	while (left && (p->tok.kind == TK_STAR || p->tok.kind == TK_SLASH)) {
		node_kind kind = p->tok.kind == TK_STAR ? N_MUL : N_DIV;
		int at = p->tok.pos;
		next(p);
		left = binary(kind, left, parse_unary(p), at);
	}
	return left;
}

static node *parse_add(parser *p)
{
	node *left = parse_mul(p);
	while (left && (p->tok.kind == TK_PLUS || p->tok.kind == TK_MINUS)) {
		node_kind kind = p->tok.kind == TK_PLUS ? N_ADD : N_SUB;
		int at = p->tok.pos;
		next(p);
		left = binary(kind, left, parse_mul(p), at);
	}
	return left;
}

static bool cmp_kind(tok_kind t, node_kind *kind)
{
	switch (t) {
	case TK_EQ:
		*kind = N_EQ;
		return true;
	case TK_NE:
		*kind = N_NE;
		return true;
	case TK_LT:
		*kind = N_LT;
		return true;
	case TK_LE:
		*kind = N_LE;
		return true;
	case TK_GT:
		*kind = N_GT;
		return true;
	case TK_GE:
		*kind = N_GE;
		return true;
	default:
		return false;
	}
}

/* At most one comparison: "1 < x < 3" is refused rather than read as (1 < x) < 3. */
static node *parse_cmp(parser *p)
{
	node *left = parse_add(p);
	node_kind kind;
	if (!left || !cmp_kind(p->tok.kind, &kind))
		return left;
	int at = p->tok.pos;
	next(p);
	node *n = binary(kind, left, parse_add(p), at);
	if (n && cmp_kind(p->tok.kind, &kind)) {
		fail(p, p->tok.pos, "comparaisons enchaînées : reliez-les par « and »");
		node_free(n);
		return NULL;
	}
	return n;
}

static node *parse_not(parser *p)
{
	if (!tok_word(p, "not"))
		return parse_cmp(p);
	int at = p->tok.pos;
	if (!enter(p))
		return NULL;
	next(p);
	node *operand = parse_not(p);
	p->depth--;
	return unary(N_NOT, operand, at);
}

static node *parse_and(parser *p)
{
	node *left = parse_not(p);
	while (left && tok_word(p, "and")) {
		int at = p->tok.pos;
		next(p);
		left = binary(N_AND, left, parse_not(p), at);
	}
	return left;
}

static node *parse_or(parser *p)
{
	node *left = parse_and(p);
	while (left && tok_word(p, "or")) {
		int at = p->tok.pos;
		next(p);
		left = binary(N_OR, left, parse_and(p), at);
	}
	return left;
}

/* The whole source: an expression and nothing after it. */
static node *parse_source(parser *p)
{
	next(p);
	if (p->tok.kind == TK_EOF) {
		fail(p, p->tok.pos, "expression vide");
		return NULL;
	}
	node *root = parse_or(p);
	if (root && p->tok.kind == TK_RPAREN)
		fail(p, p->tok.pos, "parenthèse fermante en trop");
	else if (root && p->tok.kind != TK_EOF)
		fail_before(p, "opérateur ou fin de l'expression attendu avant");
	if (p->why) {
		node_free(root);
		return NULL;
	}
	return root;
}

/* Parse src; see expr.h. The tree owns copies of the literals and names it needs. */
expr *expr_parse(const char *src, char **why, int *col)
{
	parser p = {0};
	p.src = src ? src : "";
	if (strnlen(p.src, EXPR_MAX_SRC + 1) > EXPR_MAX_SRC)
		fail(&p, EXPR_MAX_SRC, "expression trop longue (%d octets au plus)", EXPR_MAX_SRC);
	node *root = p.why ? NULL : parse_source(&p);
	if (!root) {
		set_why(why, "%s", p.why ? p.why : "expression invalide");
		if (col)
			*col = p.col;
		free(p.why);
		return NULL;
	}
	expr *e = xcalloc(1, sizeof *e);
	e->root = root;
	return e;
}

/* ---------------------------------------------------------------------------------------- */
/* Type checking */

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

/* ---------------------------------------------------------------------------------------- */
/* Public evaluation and walking */

/* Evaluate; see expr.h. An unchecked expression or a NULL env gives missing. */
value expr_eval(const expr *e, const expr_env *env)
{
	if (!e || !e->checked || !env)
		return value_missing();
	return eval(e->root, env);
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

/* Free the tree and its literals; NULL is fine. */
void expr_free(expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e);
}
