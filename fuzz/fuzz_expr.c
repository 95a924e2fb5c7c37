/* fuzz_expr.c — libFuzzer harness: bytes → expr_parse → expr_check → expr_eval.
 *
 * The input is the expression source (up to its first NUL). Names resolve in a fixed fake scope
 * that has a field of every type (see resolve() for the naming rule), so that the expressions of
 * the real forms type-check too. A checked expression is evaluated three times: with ordinary
 * values, with every value missing, and with hostile values (wrong kinds, NaN, NULL strings),
 * which expr_eval.c promises to treat as missing.
 *
 * Properties: never crash, leak or hang; a refusal gives a message and a position inside the
 * source; the value of a checked expression has the kind its type promises (or is missing), with
 * finite numbers, 0/1 booleans and non-NULL strings. */
#include <math.h>
#include <string.h>

#include "core/expr.h"
#include "core/util.h"
#include "fuzz_common.h"

/* Slots are indexes in this table of the names met while checking one input. */
enum { MAX_NAMES = 64 };
typedef struct {
	char *names[MAX_NAMES];
	vtype types[MAX_NAMES];
	int n;
} scope_state;

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* The type of a name, by a rule that fits the single letters of hand-written seeds and the
 * names of the real forms: x… is unknown, …date… a date, m / m_… / substances… a set,
 * b / b_… / …_vie a yes/no, s / s_… and a few coded fields text, anything else a number.
 * patient.<name> follows the same rule; seuil.<name> is a number. */
static vtype type_of(const char *name)
{
	static const char *const texts[] = {
	    "s",        "evenement", "propose",     "type_test", "methode", "statut",       "issue",
	    "zone_oms", "sexe",      "intervenant", "classe",    "nom",     "arn_resultat", "statut_vhb",
	    "motif",    "precision", NULL};
	if (strcmp(name, "entry.date") == 0)
		return T_DATE;
	if (has_prefix(name, "seuil."))
		return name[6] && name[6] != 'x' ? T_NUM : T_ERROR;
	if (has_prefix(name, "patient."))
		name += 8;
	if (strchr(name, '.') || name[0] == 'x' || !name[0])
		return T_ERROR;
	if (strstr(name, "date"))
		return T_DATE;
	if (strcmp(name, "m") == 0 || has_prefix(name, "m_") || has_prefix(name, "substances"))
		return T_SET;
	size_t len = strlen(name);
	if (strcmp(name, "b") == 0 || has_prefix(name, "b_") ||
	    (len > 4 && strcmp(name + len - 4, "_vie") == 0))
		return T_BOOL;
	if (has_prefix(name, "s_") || is_one_of(name, texts))
		return T_STR;
	return T_NUM;
}

static vtype resolve(void *ctx, const char *name, int *slot)
{
	scope_state *st = ctx;
	vtype t = type_of(name);
	if (t == T_ERROR)
		return T_ERROR;
	for (int i = 0; i < st->n; i++)
		if (strcmp(st->names[i], name) == 0) {
			*slot = i;
			return st->types[i];
		}
	if (st->n == MAX_NAMES)
		return T_ERROR;
	st->names[st->n] = xstrdup(name);
	st->types[st->n] = t;
	*slot = st->n++;
	return t;
}

/* Ordinary values: each slot gets a plausible value of its type, varied by slot. */
static value lookup_plain(void *ctx, int slot)
{
	scope_state *st = ctx;
	FUZZ_CHECK(slot >= 0 && slot < st->n);
	static const char *const texts[] = {"élevé", "test", "", "IV", "realise"};
	static const char *const sets[] = {"alcool tabac", "", "cannabis", "a b c"};
	switch (st->types[slot]) {
	case T_NUM:
		return value_num(slot % 3 == 0 ? 0 : slot * 1.5 - 4);
	case T_BOOL:
		return value_bool(slot % 2);
	case T_STR:
		return value_str(texts[slot % 5]);
	case T_DATE:
		return value_date(date_from_ymd(2024, 2, 29) + slot * 40);
	case T_SET:
		return value_set(sets[slot % 4]);
	default:
		return value_missing();
	}
}

static value lookup_missing(void *ctx, int slot)
{
	(void)ctx;
	(void)slot;
	return value_missing();
}

/* Values a buggy caller could pass: the evaluator must read them as missing or convert them. */
static value lookup_hostile(void *ctx, int slot)
{
	(void)ctx;
	value v = {(vkind)(slot % 6), slot % 2 ? NAN : 1e300, slot % 3 ? NULL : "x"};
	if (slot % 5 == 4)
		v.num = -INFINITY;
	return v;
}

/* The value of an expression of type t must be of the matching kind, or missing. */
static void check_value(value v, vtype t)
{
	if (v.kind == V_MISSING)
		return;
	switch (t) {
	case T_NUM:
		FUZZ_CHECK(v.kind == V_NUM && isfinite(v.num));
		break;
	case T_BOOL:
		FUZZ_CHECK(v.kind == V_BOOL && (v.num == 0 || v.num == 1));
		break;
	case T_STR:
		FUZZ_CHECK(v.kind == V_STR && v.str != NULL);
		break;
	case T_DATE:
		FUZZ_CHECK(v.kind == V_DATE && isfinite(v.num) && v.num == floor(v.num));
		break;
	case T_SET:
		FUZZ_CHECK(v.kind == V_SET && v.str != NULL);
		break;
	default:
		FUZZ_CHECK(!"a checked expression has a type");
	}
}

static void count_ref(void *ctx, int slot)
{
	scope_state *st = ctx;
	FUZZ_CHECK(slot >= 0 && slot < st->n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = fuzz_cstr(data, size);
	int len = (int)strlen(src);
	char *why = NULL;
	int col = -1;
	expr *e = expr_parse(src, &why, &col);
	if (!e) {
		FUZZ_CHECK(why != NULL && col >= 0 && col <= len);
		free(why);
		free(src);
		return 0;
	}
	FUZZ_CHECK(why == NULL);

	scope_state st = {0};
	expr_scope scope = {resolve, &st};
	vtype t = expr_check(e, &scope, &why, &col);
	if (t == T_ERROR) {
		FUZZ_CHECK(why != NULL && col >= 0 && col <= len);
		free(why);
	} else {
		FUZZ_CHECK(why == NULL);
		expr_foreach_ref(e, count_ref, &st);
		long today = date_from_ymd(2026, 1, 15);
		expr_env plain = {lookup_plain, &st, today};
		expr_env missing = {lookup_missing, &st, today};
		expr_env hostile = {lookup_hostile, &st, today};
		check_value(expr_eval(e, &plain), t);
		check_value(expr_eval(e, &missing), t);
		check_value(expr_eval(e, &hostile), t);
	}
	expr_free(e);
	for (int i = 0; i < st.n; i++)
		free(st.names[i]);
	free(src);
	return 0;
}
