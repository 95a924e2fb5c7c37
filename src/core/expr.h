/* expr.h — the small, safe expression language of show_if, constraint, calculated fields and
 * alerts: parse once at load time, type-check against the form, evaluate many times.
 *
 * Grammar (lowest precedence first):
 *   expr    := or
 *   or      := and ("or" and)*
 *   and     := not ("and" not)*
 *   not     := "not" not | cmp
 *   cmp     := add (("=" | "!=" | "<" | "<=" | ">" | ">=") add)?
 *   add     := mul (("+" | "-") mul)*
 *   mul     := unary (("*" | "/") unary)*
 *   unary   := "-" unary | primary
 *   primary := NUMBER | STRING | "true" | "false" | "missing" | REF | CALL | "(" expr ")"
 *   REF     := NAME ("." NAME)?          e.g. q1, patient.sexe, seuil.audit_mesusage_h
 *   CALL    := NAME "(" [expr ("," expr)*] ")"
 * NUMBER is 12 or 3.25 ('.' decimal point, no exponent); STRING is '...' or "..." with no
 * escapes; "==" is accepted as "="; "<>" as "!=". Keywords are case-sensitive, lower case.
 *
 * Types: arithmetic on T_NUM (T_BOOL counts as 0/1); comparison of two numbers (bool counted as
 * number), two strings, or two dates; a string compared with a date literal 'YYYY-MM-DD' is a
 * date comparison; and/or/not on T_BOOL; conditions (and/or/not operands, if's first argument)
 * must be T_BOOL. Division by zero gives missing.
 *
 * Missing values: any operator or function with a missing operand gives missing, except:
 *   - `c and x` is false when either side is false, `c or x` true when either side is true
 *     (three-valued logic); otherwise missing;
 *   - answered(x) is true/false, never missing;
 *   - coalesce(a, b, …) gives the first non-missing argument;
 *   - if(c, a, b): c missing gives missing; only the chosen branch is evaluated.
 * A show_if that evaluates to missing hides the field (nothing known yet to show it for).
 *
 * Functions (argument types → result):
 *   if(bool, X, X) → X                  round(num [, num decimals]) → num
 *   sqrt(num) → num (negative: missing) abs(num) → num     floor(num) → num
 *   min(num, num, …) → num              max(num, num, …) → num
 *   sum(num, num, …) → num              count_selected(set) → num
 *   selected(set, 'code') → bool        answered(any) → bool
 *   coalesce(X, X, …) → X               today() → date
 *   years_between(date, date) → num (whole years, birthday rule)
 *   days_between(date, date) → num (second minus first)
 *   year(date) → num                    date('YYYY-MM-DD') → date (checked at load time)
 *   contains(str, str) → bool           length(str) → num (characters)
 */
#ifndef RECUEIL_EXPR_H
#define RECUEIL_EXPR_H

#include "core/value.h"

typedef struct expr expr; /* opaque parsed expression */

/* Maps names to slots while type-checking. resolve() returns the type of `name` (a plain field
 * id, or "prefix.name" as written) and stores in *slot a number that lookup() will receive at
 * evaluation time; it returns T_ERROR for an unknown name. */
typedef struct {
	vtype (*resolve)(void *ctx, const char *name, int *slot);
	void *ctx;
} expr_scope;

/* Supplies values while evaluating. lookup() returns the current value of a slot; strings it
 * returns must stay valid until expr_eval returns. today is the day number used by today(). */
typedef struct {
	value (*lookup)(void *ctx, int slot);
	void *ctx;
	long today;
} expr_env;

/* Parse src. Returns the tree (caller frees with expr_free) or NULL with *why set to a French
 * message and *col to the 0-based byte offset in src where the problem is. */
expr *expr_parse(const char *src, char **why, int *col);

/* Resolve names and check types. Returns the expression's type, or T_ERROR with *why and *col
 * (0-based byte offset in the source) set. Must be called once before expr_eval. */
vtype expr_check(expr *e, const expr_scope *scope, char **why, int *col);

/* Evaluate a checked expression. Never fails: problems at run time (division by zero, sqrt of
 * a negative number, missing operands) give a missing value. Strings in the result are borrowed
 * from the expression's literals or from the values lookup() returned. */
value expr_eval(const expr *e, const expr_env *env);

/* Call fn(ctx, slot) once for each reference in e (after expr_check), for dependency order and
 * cycle detection. */
void expr_foreach_ref(const expr *e, void (*fn)(void *ctx, int slot), void *ctx);

/* A literal that an expression sets against the codes of an answer list (after expr_check):
 *   EXPR_CODE_COMPARED  `field = 'code'` or `field != 'code'` (either side), a number too;
 *   EXPR_CODE_SELECTED  `selected(field, 'code')`;
 *   EXPR_CODE_RESULT    a literal the expression can give as its value: the whole expression,
 *                       a branch of if() or an argument of coalesce(), recursively. */
typedef enum { EXPR_CODE_COMPARED, EXPR_CODE_SELECTED, EXPR_CODE_RESULT } expr_code_kind;

typedef struct {
	expr_code_kind kind;
	int slot;         /* the field's slot (COMPARED, SELECTED); -1 for RESULT */
	const char *text; /* a text literal, borrowed from the expression; NULL for a number */
	double num;       /* a number literal */
	int pos;          /* 0-based byte offset of the literal in the source (its quote) */
} expr_code_use;

/* Call fn(ctx, use) for each such literal of e (checked), in source order: first the
 * comparisons and selected() calls anywhere in e, then the literals e can give. */
void expr_foreach_code(const expr *e, void (*fn)(void *ctx, const expr_code_use *use), void *ctx);

void expr_free(expr *e); /* NULL is fine */

#endif
