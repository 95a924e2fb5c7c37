/* expr_internal.h — what the files of the expression engine share: the tree that expr_parse
 * builds, expr_check annotates and expr_eval walks; the built-in functions' table entries; and
 * the evaluation helpers the built-ins use. Outside src/core, include core/expr.h.
 *
 *   expr_parse.c  tokenizer and recursive-descent parser, freeing
 *   expr_check.c  name resolution and type checking
 *   expr_eval.c   evaluation, and walking the references and the code literals
 *   expr_func.c   the built-in functions and their table */
#ifndef RECUEIL_EXPR_INTERNAL_H
#define RECUEIL_EXPR_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/expr.h"

/* Caps that keep hostile or mistaken input from exhausting the stack or the heap. */
enum { EXPR_MAX_SRC = 4096, EXPR_MAX_DEPTH = 64 };

/* Type of the `missing` literal while checking: it fits wherever a value is expected. It never
 * leaves expr_check.c (expr_check refuses an expression that is nothing but missing). */
#define T_ANY ((vtype)(T_SET + 1))

/* Day numbers beyond this are nonsense (the year 275 000); refusing them keeps casts defined. */
#define EXPR_MAX_DAY 1e8

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

/* ---------------------------------------------------------------- built-ins (expr_func.c) */

/* The built-in function called name (len bytes, not NUL-terminated), or NULL. Borrowed. */
const func *expr_func_find(const char *name, size_t len);

/* True when fn accepts n arguments. */
bool expr_func_arity_ok(const func *fn, size_t n);

/* "round attend 1 ou 2 arguments", "min attend au moins 1 argument", … Caller frees. */
char *expr_func_arity_message(const func *fn);

/* ---------------------------------------------------------------- evaluation (expr_eval.c) */

/* The value of a checked node. Never fails: problems give a missing value. */
value expr_eval_node(const node *n, const expr_env *env);

/* v checked against the static type t, so that the rest of the evaluator can trust v.kind: a
 * value of the wrong kind, a non-finite number or a NULL string count as missing. A number
 * where oui/non is expected (a skipped_value) reads as true when non-zero. */
value expr_conform(value v, vtype t);

/* A computed number, or missing when it is NaN or infinite; -0 becomes 0. */
static inline value expr_number(double x)
{
	if (!isfinite(x))
		return value_missing();
	return value_num(x == 0 ? 0.0 : x);
}

/* True when v is oui; false for non, a missing value or any other kind. */
static inline bool expr_is_true(value v)
{
	return v.kind == V_BOOL && v.num != 0;
}

#endif
