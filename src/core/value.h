/* value.h — the values that fields hold and expressions compute. */
#ifndef RECUEIL_VALUE_H
#define RECUEIL_VALUE_H

#include <stdbool.h>

/* Static types of expressions and fields. T_BOOL converts to 0/1 in arithmetic and numeric
 * comparisons; T_SET is the value of a multiple-choice field (its selected codes). */
typedef enum {
	T_ERROR = 0,
	T_NUM,
	T_BOOL,
	T_STR,
	T_DATE,
	T_SET,
} vtype;

/* A runtime value. Missing is its own state: it propagates through arithmetic and comparisons
 * so that a score over an unanswered item is missing, never silently low.
 *  - V_NUM: num holds the number;
 *  - V_BOOL: num is 0 or 1;
 *  - V_DATE: num holds the day number (days since 1970-01-01);
 *  - V_STR: str is the text (UTF-8);
 *  - V_SET: str holds the selected codes separated by single spaces ("" = none selected).
 * str is always borrowed: it points into the entry's storage or the expression's literals and
 * stays valid as long as they do. */
typedef enum {
	V_MISSING = 0,
	V_NUM,
	V_BOOL,
	V_STR,
	V_DATE,
	V_SET,
} vkind;

typedef struct {
	vkind kind;
	double num;
	const char *str;
} value;

static inline value value_missing(void)
{
	value v = {V_MISSING, 0, 0};
	return v;
}
static inline value value_num(double x)
{
	value v = {V_NUM, x, 0};
	return v;
}
static inline value value_bool(bool b)
{
	value v = {V_BOOL, b ? 1 : 0, 0};
	return v;
}
static inline value value_date(long days)
{
	value v = {V_DATE, (double)days, 0};
	return v;
}
static inline value value_str(const char *s)
{
	value v = {V_STR, 0, s};
	return v;
}
static inline value value_set(const char *codes)
{
	value v = {V_SET, 0, codes};
	return v;
}

/* Name of a type in French, for messages ("nombre", "oui/non", "texte", "date", "liste"). */
const char *vtype_name(vtype t);

#endif
