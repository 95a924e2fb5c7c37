/* test_expr.c — the expression language: parsing, type checking and evaluation against a small
 * table of named values standing in for a form. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr.h"
#include "core/util.h"
#include "harness.h"

/* ---- a fake form: names with a type and a current value ---------------------------------- */

typedef struct {
	const char *name;
	vtype type;
	value v;
	int lookups; /* how many times the evaluator read it */
} var;

static var vars[] = {
    {"n2", T_NUM, {V_NUM, 2, NULL}, 0},
    {"n3", T_NUM, {V_NUM, 3, NULL}, 0},
    {"zero", T_NUM, {V_NUM, 0, NULL}, 0},
    {"nm", T_NUM, {V_MISSING, 0, NULL}, 0},
    {"bt", T_BOOL, {V_BOOL, 1, NULL}, 0},
    {"bf", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"bm", T_BOOL, {V_MISSING, 0, NULL}, 0},
    {"skip", T_BOOL, {V_NUM, 1, NULL}, 0}, /* a hidden yes/no field with skipped_value: 1 */
    {"s", T_STR, {V_STR, 0, "bonjour"}, 0},
    {"accent", T_STR, {V_STR, 0, "élève"}, 0},
    {"sm", T_STR, {V_MISSING, 0, NULL}, 0},
    {"born", T_DATE, {V_DATE, 0, NULL}, 0}, /* 2000-03-01, set in main */
    {"seen", T_DATE, {V_DATE, 0, NULL}, 0}, /* 2026-02-28, set in main */
    {"dm", T_DATE, {V_MISSING, 0, NULL}, 0},
    {"prod", T_SET, {V_SET, 0, "tabac alcool cannabis"}, 0},
    {"none", T_SET, {V_SET, 0, ""}, 0},
    {"setm", T_SET, {V_MISSING, 0, NULL}, 0},
    {"nan", T_NUM, {V_NUM, NAN, NULL}, 0},
    {"big", T_NUM, {V_NUM, 1e308, NULL}, 0},
    {"patient.sexe", T_STR, {V_STR, 0, "F"}, 0},
    {"seuil.audit", T_NUM, {V_NUM, 8, NULL}, 0},
    {"e1", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e2", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e3", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e4", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e5", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e6", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e7", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e8", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e9", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e10", T_BOOL, {V_BOOL, 0, NULL}, 0},
    {"e11", T_BOOL, {V_BOOL, 0, NULL}, 0},
};
enum { N_VARS = sizeof vars / sizeof vars[0] };

static vtype resolve(void *ctx, const char *name, int *slot)
{
	(void)ctx;
	for (int i = 0; i < N_VARS; i++)
		if (strcmp(vars[i].name, name) == 0) {
			*slot = i + 100; /* slots are the scope's business: not indexes from 0 */
			return vars[i].type;
		}
	return T_ERROR;
}

static value lookup(void *ctx, int slot)
{
	(void)ctx;
	vars[slot - 100].lookups++;
	return vars[slot - 100].v;
}

static var *var_named(const char *name)
{
	for (int i = 0; i < N_VARS; i++)
		if (strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

static const expr_scope scope = {resolve, NULL};
static long today;

/* ---- helpers: each takes the source, so that a failing CHECK prints it -------------------- */

/* Parse, check and evaluate src; false (and a message) when it does not compile. The
 * expression is returned through *out so that borrowed strings stay valid; caller frees. */
static bool run(const char *src, value *v, vtype *type, expr **out)
{
	char *why = NULL;
	int col = -1;
	expr *e = expr_parse(src, &why, &col);
	vtype t = e ? expr_check(e, &scope, &why, &col) : T_ERROR;
	if (t == T_ERROR) {
		fprintf(stderr, "  « %s » : %s (colonne %d)\n", src, why ? why : "(null)", col);
		free(why);
		expr_free(e);
		return false;
	}
	expr_env env = {lookup, NULL, today};
	*v = expr_eval(e, &env);
	if (type)
		*type = t;
	*out = e;
	return true;
}

static bool is_num(const char *src, double want)
{
	value v;
	vtype t;
	expr *e;
	if (!run(src, &v, &t, &e))
		return false;
	expr_free(e);
	bool ok = v.kind == V_NUM && t == T_NUM && fabs(v.num - want) < 1e-9;
	if (!ok)
		fprintf(stderr, "  « %s » : genre %d, type %d, valeur %.17g\n", src, v.kind, t, v.num);
	return ok;
}

static bool is_bool(const char *src, bool want)
{
	value v;
	vtype t;
	expr *e;
	if (!run(src, &v, &t, &e))
		return false;
	expr_free(e);
	bool ok = v.kind == V_BOOL && t == T_BOOL && v.num == (want ? 1 : 0);
	if (!ok)
		fprintf(stderr, "  « %s » : genre %d, type %d, valeur %g\n", src, v.kind, t, v.num);
	return ok;
}

static bool is_missing(const char *src)
{
	value v;
	expr *e;
	if (!run(src, &v, NULL, &e))
		return false;
	expr_free(e);
	if (v.kind != V_MISSING)
		fprintf(stderr, "  « %s » : genre %d, valeur %g\n", src, v.kind, v.num);
	return v.kind == V_MISSING;
}

static bool is_str(const char *src, const char *want)
{
	value v;
	vtype t;
	expr *e;
	if (!run(src, &v, &t, &e))
		return false;
	bool ok = v.kind == V_STR && t == T_STR && strcmp(v.str, want) == 0;
	if (!ok)
		fprintf(stderr, "  « %s » : genre %d, texte %s\n", src, v.kind,
		        v.kind == V_STR ? v.str : "-");
	expr_free(e);
	return ok;
}

static bool is_date(const char *src, const char *want)
{
	value v;
	vtype t;
	expr *e;
	long days;
	if (!run(src, &v, &t, &e) || !date_parse(want, &days))
		return false;
	expr_free(e);
	return v.kind == V_DATE && t == T_DATE && v.num == (double)days;
}

/* src must fail to parse or to check with exactly this message at this byte offset. */
static bool fails(const char *src, const char *msg, int col)
{
	char *why = NULL;
	int at = -1;
	expr *e = expr_parse(src, &why, &at);
	vtype t = e ? expr_check(e, &scope, &why, &at) : T_ERROR;
	bool ok = t == T_ERROR && why && strcmp(why, msg) == 0 && at == col;
	if (!ok)
		fprintf(stderr, "  « %.60s » : type %d, message « %s », colonne %d\n", src, t,
		        why ? why : "(null)", at);
	free(why);
	expr_free(e);
	return ok;
}

static bool fails_to_parse(const char *src)
{
	char *why = NULL;
	int col = -1;
	expr *e = expr_parse(src, &why, &col);
	bool ok = !e && why && col >= 0 && col <= (int)strlen(src);
	free(why);
	expr_free(e);
	return ok;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void test_precedence(void)
{
	CHECK(is_num("1 + 2 * 3", 7));
	CHECK(is_num("(1 + 2) * 3", 9));
	CHECK(is_num("10 - 4 - 3", 3)); /* left associative */
	CHECK(is_num("24 / 4 / 2", 3)); /* left associative */
	CHECK(is_num("2 * 3 / 4", 1.5));
	CHECK(is_num("-2 * 3", -6));
	CHECK(is_num("2 - -3", 5));
	CHECK(is_num("- - 4", 4));
	CHECK(is_num("-(1 + 2)", -3));
	CHECK(is_num("3.25 + 0.75", 4));
	CHECK(is_num("007", 7));
	CHECK(is_num("  n2*n3\t+\n1 ", 7));
	CHECK(is_bool("1 + 1 = 2", true));
	CHECK(is_bool("1 + 1 == 2", true));
	CHECK(is_bool("1 <> 2", true));
	CHECK(is_bool("1 != 1", false));
	CHECK(is_bool("2 < 3 and 3 < 2 or true", true)); /* and binds tighter than or */
	CHECK(is_bool("true or false and false", true));
	CHECK(is_bool("not 1 = 2", true)); /* not applies to the comparison */
	CHECK(is_bool("not not true", true));
	CHECK(is_bool("not true and false", false));
	CHECK(is_bool("0.1 + 0.2 = 0.3", true));
	CHECK(is_bool("0.1 + 0.2 <= 0.3", true));
	CHECK(is_bool("3 >= 3 and 3 <= 3 and 4 > 3 and 3 < 4", true));
	CHECK(is_bool("bt = 1", true)); /* oui/non counts as 0/1 */
	CHECK(is_num("bt + bt + bf", 2));
	CHECK(is_bool("skip", true)); /* a number standing for oui/non */
}

static void test_literals_and_refs(void)
{
	CHECK(is_str("'IV'", "IV"));
	CHECK(is_str("\"l'alcool\"", "l'alcool"));
	CHECK(is_str("s", "bonjour"));
	CHECK(is_str("patient.sexe", "F"));
	CHECK(is_num("seuil.audit", 8));
	CHECK(is_bool("patient.sexe = 'F'", true));
	CHECK(is_bool("true", true));
	CHECK(is_bool("false", false));
	CHECK(is_bool("s = 'bonjour'", true));
	CHECK(is_bool("'a' < 'b'", true));
	CHECK(is_bool("s != \"bonjour\"", false));
}

static void test_functions(void)
{
	CHECK(is_num("if(bt, 1, 2)", 1));
	CHECK(is_num("if(bf, 1, 2)", 2));
	CHECK(is_str("if(n2 > 1, 'grand', 'petit')", "grand"));
	CHECK(is_num("if(bt, bt, 5)", 1)); /* oui/non and number mix as a number */
	CHECK(is_num("round(2.5)", 3));
	CHECK(is_num("round(-2.5)", -3));
	CHECK(is_num("round(3.14159, 2)", 3.14));
	CHECK(is_num("round(1234, -2)", 1200));
	CHECK(is_missing("round(1.5, 0.5)"));
	CHECK(is_missing("round(1.5, 99)"));
	CHECK(is_num("sqrt(16)", 4));
	CHECK(is_missing("sqrt(-1)"));
	CHECK(is_num("abs(-3.5)", 3.5));
	CHECK(is_num("floor(2.7)", 2));
	CHECK(is_num("floor(-2.5)", -3));
	CHECK(is_num("min(3, 1, 2)", 1));
	CHECK(is_num("max(3, 1, 2)", 3));
	CHECK(is_num("min(7)", 7));
	CHECK(is_num("sum(1, 2, 3, bt)", 7));
	CHECK(is_num("count_selected(prod)", 3));
	CHECK(is_num("count_selected(none)", 0));
	CHECK(is_bool("selected(prod, 'alcool')", true));
	CHECK(is_bool("selected(prod, 'tabac')", true));
	CHECK(is_bool("selected(prod, 'cannabis')", true));
	CHECK(is_bool("selected(prod, 'al')", false)); /* whole codes only */
	CHECK(is_bool("selected(prod, 'tabac alcool')", false));
	CHECK(is_bool("selected(prod, '')", false));
	CHECK(is_bool("selected(none, 'tabac')", false));
	CHECK(is_bool("answered(nm)", false));
	CHECK(is_bool("answered(n2)", true));
	CHECK(is_bool("answered(none)", true));
	CHECK(is_bool("answered(setm)", false));
	CHECK(is_bool("answered(missing)", false));
	CHECK(is_num("coalesce(nm, n3, n2)", 3));
	CHECK(is_num("coalesce(nm, missing, 5)", 5));
	CHECK(is_missing("coalesce(nm, missing)"));
	CHECK(is_str("coalesce(sm, 'défaut')", "défaut"));
	CHECK(is_date("today()", "2026-11-22"));
	CHECK(is_num("years_between(born, seen)", 25));
	CHECK(is_num("years_between(born, date('2026-03-01'))", 26));
	CHECK(is_num("years_between(date('2000-02-29'), date('2001-02-28'))", 0));
	CHECK(is_num("years_between(date('2000-02-29'), date('2001-03-01'))", 1));
	CHECK(is_num("years_between(date('2000-02-29'), date('2004-02-29'))", 4));
	CHECK(is_num("years_between(seen, born)", -25));
	CHECK(is_num("years_between(born, born)", 0));
	CHECK(is_num("days_between(date('2026-01-01'), date('2026-03-01'))", 59));
	CHECK(is_num("days_between(date('2026-03-01'), date('2026-01-01'))", -59));
	CHECK(is_num("days_between(date('2024-02-28'), date('2024-03-01'))", 2));
	CHECK(is_num("year(born)", 2000));
	CHECK(is_num("year(today())", 2026));
	CHECK(is_date("date('1999-12-31')", "1999-12-31"));
	CHECK(is_bool("contains(s, 'jour')", true));
	CHECK(is_bool("contains(s, 'nuit')", false));
	CHECK(is_bool("contains(s, '')", true));
	CHECK(is_num("length(s)", 7));
	CHECK(is_num("length(accent)", 5)); /* characters, not bytes */
	CHECK(is_num("length('')", 0));
}

static void test_missing(void)
{
	CHECK(is_missing("nm + 1"));
	CHECK(is_missing("1 - nm"));
	CHECK(is_missing("nm * 0"));
	CHECK(is_missing("0 / nm"));
	CHECK(is_missing("-nm"));
	CHECK(is_missing("nm = 1"));
	CHECK(is_missing("nm != 1"));
	CHECK(is_missing("sm = 'x'"));
	CHECK(is_missing("dm < born"));
	CHECK(is_missing("sum(1, nm, 2)"));
	CHECK(is_missing("min(1, nm)"));
	CHECK(is_missing("max(nm, 1)"));
	CHECK(is_missing("round(nm, 2)"));
	CHECK(is_missing("round(2, nm)"));
	CHECK(is_missing("sqrt(nm)"));
	CHECK(is_missing("abs(nm)"));
	CHECK(is_missing("floor(nm)"));
	CHECK(is_missing("not bm"));
	CHECK(is_missing("count_selected(setm)"));
	CHECK(is_missing("selected(setm, 'tabac')"));
	CHECK(is_missing("years_between(dm, seen)"));
	CHECK(is_missing("days_between(born, dm)"));
	CHECK(is_missing("year(dm)"));
	CHECK(is_missing("contains(sm, 'a')"));
	CHECK(is_missing("length(sm)"));
	CHECK(is_missing("nm + missing"));
	/* a NaN or infinite value from the store, or an overflow, is missing */
	CHECK(is_missing("nan"));
	CHECK(is_missing("nan + 1"));
	CHECK(is_missing("big * 10"));
	CHECK(is_missing("big + big - big"));
}

static void test_three_valued_logic(void)
{
	CHECK(is_bool("bf and bm", false));
	CHECK(is_bool("bm and bf", false));
	CHECK(is_missing("bt and bm"));
	CHECK(is_missing("bm and bt"));
	CHECK(is_missing("bm and bm"));
	CHECK(is_bool("bt and bt", true));
	CHECK(is_bool("bt or bm", true));
	CHECK(is_bool("bm or bt", true));
	CHECK(is_missing("bf or bm"));
	CHECK(is_missing("bm or bf"));
	CHECK(is_bool("bf or bf", false));
	CHECK(is_bool("nm > 1 or true", true));
	CHECK(is_bool("nm > 1 and false", false));
	CHECK(is_bool("missing or true", true));
	CHECK(is_missing("missing and true"));
}

static void test_if_lazy(void)
{
	var *n2 = var_named("n2"), *n3 = var_named("n3");
	n2->lookups = n3->lookups = 0;
	CHECK(is_num("if(bt, n2, n3)", 2));
	CHECK(n2->lookups == 1 && n3->lookups == 0);
	CHECK(is_num("if(bf, n2, n3)", 3));
	CHECK(n2->lookups == 1 && n3->lookups == 1);
	n2->lookups = n3->lookups = 0;
	CHECK(is_missing("if(bm, n2, n3)"));
	CHECK(n2->lookups == 0 && n3->lookups == 0);
	CHECK(is_num("if(bt, 1, 1 / 0)", 1));
	CHECK(is_missing("if(bf, 1, 1 / 0)"));
	CHECK(is_missing("if(nm > 0, 1, 2)"));
	CHECK(is_num("if(bt, 5, missing)", 5));
	CHECK(is_missing("if(bf, 5, missing)"));
	/* and/or stop once decided */
	n2->lookups = 0;
	CHECK(is_bool("bf and n2 > 0", false));
	CHECK(n2->lookups == 0);
}

static void test_division(void)
{
	CHECK(is_missing("1 / 0"));
	CHECK(is_missing("n2 / zero"));
	CHECK(is_missing("n2 / (n3 - 3)"));
	CHECK(is_missing("0 / 0"));
	CHECK(is_num("n3 / n2", 1.5));
	CHECK(is_num("coalesce(1 / 0, -1)", -1));
}

static void test_dates(void)
{
	CHECK(is_bool("born < seen", true));
	CHECK(is_bool("born = '2000-03-01'", true)); /* the literal is read as a date */
	CHECK(is_bool("'2000-03-02' > born", true));
	CHECK(is_bool("seen >= date('2026-02-28')", true));
	CHECK(is_bool("born != seen", true));
	CHECK(is_bool("today() > seen", true));
	CHECK(is_bool("s > '2000-01-01'", true)); /* a text field stays a text comparison */
	CHECK(
	    fails("born < '2026-02-30'", "date invalide : 'AAAA-MM-JJ' attendu, jour réel du calendrier", 7));
	CHECK(fails("born = 'hier'", "date invalide : 'AAAA-MM-JJ' attendu, jour réel du calendrier", 7));
	CHECK(
	    fails("date('2026-13-01')", "date invalide : 'AAAA-MM-JJ' attendu, jour réel du calendrier", 5));
	CHECK(fails("date(s)", "date attend une date écrite entre guillemets, 'AAAA-MM-JJ'", 5));
	CHECK(fails("born < s", "« < » compare deux valeurs du même type (reçu : date et texte)", 5));
	CHECK(fails("born + 1", "« + » attend des nombres (reçu : date)", 0));
}

static void test_type_errors(void)
{
	CHECK(fails("n2 and bt", "« and » attend des conditions oui/non", 0));
	CHECK(fails("bt or  s", "« or » attend des conditions oui/non", 7));
	CHECK(fails("not n2", "« not » attend une condition oui/non", 4));
	CHECK(fails("1 + 'a'", "« + » attend des nombres (reçu : texte)", 4));
	CHECK(fails("-s", "« - » attend un nombre (reçu : texte)", 1));
	CHECK(fails("(s) * 2", "« * » attend des nombres (reçu : texte)", 0));
	CHECK(fails("n2 = 'a'", "« = » compare deux valeurs du même type (reçu : nombre et texte)", 3));
	CHECK(fails("prod = 'tabac'", "« = » ne compare pas une liste de choix : utilisez selected()", 5));
	CHECK(fails("nm = missing",
	            "« = » avec missing donne toujours une valeur manquante : utilisez answered()", 3));
	CHECK(fails("if(n2, 1, 2)", "if attend une condition oui/non en argument 1 (reçu : nombre)", 3));
	CHECK(fails("if(bt, 1, 'a')", "if attend des valeurs du même type (reçu : nombre et texte)", 10));
	CHECK(fails("sqrt('a')", "sqrt attend un nombre en argument 1 (reçu : texte)", 5));
	CHECK(fails("sum(1, 2, s)", "sum attend un nombre en argument 3 (reçu : texte)", 10));
	CHECK(
	    fails("selected(s, 'a')", "selected attend une liste de choix en argument 1 (reçu : texte)", 9));
	CHECK(fails("selected(prod, 1)", "selected attend un texte en argument 2 (reçu : nombre)", 15));
	CHECK(fails("count_selected(n2)",
	            "count_selected attend une liste de choix en argument 1 (reçu : nombre)", 15));
	CHECK(fails("years_between(born, 3)", "years_between attend une date en argument 2 (reçu : nombre)",
	            20));
	CHECK(fails("length(n2)", "length attend un texte en argument 1 (reçu : nombre)", 7));
	CHECK(fails("coalesce(s, n2)", "coalesce attend des valeurs du même type (reçu : texte et nombre)",
	            12));
	CHECK(fails("missing", "l'expression vaut toujours missing", 0));
	CHECK(fails("if(bt, missing, missing)", "l'expression vaut toujours missing", 0));
}

static void test_names(void)
{
	CHECK(fails("q11 + 1", "champ inconnu « q11 »", 0));
	CHECK(fails("1 + (q11)", "champ inconnu « q11 »", 5));
	CHECK(fails("patient.age > 18", "champ inconnu « patient.age »", 0));
	CHECK(fails("AND", "champ inconnu « AND »", 0)); /* keywords are lower case */
	CHECK(fails("foo(1)", "fonction inconnue « foo »", 0));
	CHECK(fails("2 * Round(1)", "fonction inconnue « Round »", 4));
	CHECK(fails("round()", "round attend 1 ou 2 arguments", 0));
	CHECK(fails("round(1, 2, 3)", "round attend 1 ou 2 arguments", 0));
	CHECK(fails("if(bt, 1)", "if attend 3 arguments", 0));
	CHECK(fails("sqrt(1, 2)", "sqrt attend 1 argument", 0));
	CHECK(fails("today(1)", "today n'attend aucun argument", 0));
	CHECK(fails("min()", "min attend au moins 1 argument", 0));
	CHECK(fails("selected(prod)", "selected attend 2 arguments", 0));
}

static void test_syntax(void)
{
	CHECK(fails("'abc", "chaîne non terminée (guillemet fermant attendu)", 0));
	CHECK(fails("s = \"abc'", "chaîne non terminée (guillemet fermant attendu)", 4));
	CHECK(fails("1 + 2 3", "opérateur ou fin de l'expression attendu avant « 3 »", 6));
	CHECK(fails("n2 n3", "opérateur ou fin de l'expression attendu avant « n3 »", 3));
	CHECK(fails("1 '\x1b[2J'", "opérateur ou fin de l'expression attendu avant un texte entre guillemets",
	            2));
	CHECK(fails("(1 + 2))", "parenthèse fermante en trop", 7));
	CHECK(fails("", "expression vide", 0));
	CHECK(fails("   ", "expression vide", 3));
	CHECK(fails("(1 + 2", "parenthèse fermante attendue", 6));
	CHECK(fails("1 +", "expression incomplète : valeur attendue", 3));
	CHECK(fails("1 + * 2", "valeur attendue avant « * »", 4));
	CHECK(fails("max(1,)", "valeur attendue avant « ) »", 6));
	CHECK(fails("max(1 2)", "« , » ou parenthèse fermante attendue", 6));
	CHECK(fails("max(1", "« , » ou parenthèse fermante attendue", 5));
	CHECK(fails("bt and or bf", "valeur attendue avant « or »", 7));
	CHECK(fails("1 < n2 < 3", "comparaisons enchaînées : reliez-les par « and »", 7));
	CHECK(fails("n2 # 1", "caractère inattendu « # »", 3));
	CHECK(fails("n2 ! 1", "caractère inattendu « ! »", 3));
	CHECK(fails("n2 ≥ 1", "caractère inattendu « ≥ »", 3));
	CHECK(fails("n2 \x01", "caractère inattendu", 3));
	CHECK(fails("n2 + \xff", "caractère inattendu", 5));
	CHECK(fails("'\xff'", "texte mal encodé (UTF-8 attendu)", 0));
	CHECK(fails("3.", "nombre mal écrit (exemples : 12, 3.25)", 0));
	CHECK(fails("1.2.3", "nombre mal écrit (exemples : 12, 3.25)", 0));
	CHECK(fails("1e5", "nombre mal écrit (exemples : 12, 3.25)", 0));
	CHECK(fails("2 + 3x", "nombre mal écrit (exemples : 12, 3.25)", 4));
	CHECK(fails("123456789012345678901", "nombre trop long", 0));
	CHECK(fails("patient.", "caractère inattendu « . »", 7));
	CHECK(fails(".5", "caractère inattendu « . »", 0));
	CHECK(fails("+1", "valeur attendue avant « + »", 0));
	CHECK(fails("not", "expression incomplète : valeur attendue", 3));
	CHECK(fails_to_parse("("));
	CHECK(fails_to_parse(")"));
	CHECK(fails_to_parse(","));
	CHECK(fails_to_parse("if(,)"));
	CHECK(fails_to_parse("'"));
	CHECK(fails_to_parse("\""));
	char *why = NULL;
	int col = 12;
	CHECK(expr_parse(NULL, &why, &col) == NULL);
	CHECK_STR(why, "expression vide");
	free(why);
	CHECK(expr_parse("1 +", NULL, NULL) == NULL); /* out-parameters are optional */
}

/* A string of n copies of piece followed by tail. Caller frees. */
static char *repeat(const char *piece, size_t n, const char *tail)
{
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_puts(&sb, piece);
	strbuf_puts(&sb, tail);
	return strbuf_take(&sb);
}

static void test_limits(void)
{
	char *bomb = repeat("(", 10000, "1");
	CHECK(fails(bomb, "expression trop longue (4096 octets au plus)", 4096));
	free(bomb);
	bomb = repeat("(", 4000, "");
	CHECK(fails(bomb, "expression trop imbriquée (64 niveaux au plus)", 64));
	free(bomb);
	char *deep = repeat("(", 64, "1");
	strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, deep);
	for (int i = 0; i < 64; i++)
		strbuf_putc(&sb, ')');
	CHECK(is_num(strbuf_str(&sb), 1)); /* exactly 64 levels is fine */
	strbuf_done(&sb);
	free(deep);
	deep = repeat("(", 65, "1");
	CHECK(fails(deep, "expression trop imbriquée (64 niveaux au plus)", 64));
	free(deep);
	bomb = repeat("not ", 1000, "true");
	CHECK(fails(bomb, "expression trop imbriquée (64 niveaux au plus)", 256));
	free(bomb);
	bomb = repeat("-", 1000, "1");
	CHECK(fails(bomb, "expression trop imbriquée (64 niveaux au plus)", 64));
	free(bomb);
	bomb = repeat("abs(", 100, "1");
	CHECK(fails(bomb, "expression trop imbriquée (64 niveaux au plus)", 259));
	free(bomb);
	/* a long flat sum is not nesting: 2048 terms in 4095 bytes */
	char *flat = repeat("1+", 2047, "1");
	CHECK(strlen(flat) == 4095);
	CHECK(is_num(flat, 2048));
	free(flat);
	flat = repeat("1+", 2048, "1");
	CHECK(fails(flat, "expression trop longue (4096 octets au plus)", 4096));
	free(flat);
}

static int collected[16], n_collected;

static void collect(void *ctx, int slot)
{
	(void)ctx;
	if (n_collected < 16)
		collected[n_collected++] = slot;
}

static void test_foreach_ref(void)
{
	expr *e = expr_parse("if(bt, n2 + n3, sum(n2, seuil.audit)) > 0", NULL, NULL);
	CHECK(e != NULL);
	CHECK(expr_check(e, &scope, NULL, NULL) == T_BOOL);
	n_collected = 0;
	expr_foreach_ref(e, collect, NULL);
	int bt = (int)(var_named("bt") - vars) + 100, n2 = (int)(var_named("n2") - vars) + 100;
	int n3 = (int)(var_named("n3") - vars) + 100, seuil = (int)(var_named("seuil.audit") - vars) + 100;
	CHECK(n_collected == 5);
	CHECK(collected[0] == bt && collected[1] == n2 && collected[2] == n3);
	CHECK(collected[3] == n2 && collected[4] == seuil);
	expr_foreach_ref(e, NULL, NULL); /* no callback: nothing happens */
	expr_foreach_ref(NULL, collect, NULL);
	CHECK(n_collected == 5);
	expr_free(e);
	expr_free(NULL);
}

static void test_unchecked(void)
{
	expr *e = expr_parse("1 + 1", NULL, NULL);
	expr_env env = {lookup, NULL, today};
	CHECK(expr_eval(e, &env).kind == V_MISSING); /* not checked yet */
	CHECK(expr_check(e, &scope, NULL, NULL) == T_NUM);
	CHECK(expr_eval(e, &env).num == 2);
	CHECK(expr_eval(e, NULL).kind == V_MISSING);
	CHECK(expr_eval(NULL, &env).kind == V_MISSING);
	expr_free(e);
	char *why = NULL;
	CHECK(expr_check(NULL, &scope, &why, NULL) == T_ERROR);
	free(why);
	/* no scope: every name is unknown */
	e = expr_parse("n2", NULL, NULL);
	why = NULL;
	CHECK(expr_check(e, NULL, &why, NULL) == T_ERROR);
	CHECK_STR(why, "champ inconnu « n2 »");
	free(why);
	expr_free(e);
}

static void test_types(void)
{
	static const struct {
		const char *src;
		vtype type;
	} cases[] = {
	    {"1", T_NUM},
	    {"bt", T_BOOL},
	    {"s", T_STR},
	    {"born", T_DATE},
	    {"prod", T_SET},
	    {"1 = 1", T_BOOL},
	    {"bt + 1", T_NUM},
	    {"if(bt, s, sm)", T_STR},
	    {"if(bt, prod, none)", T_SET},
	    {"coalesce(dm, born)", T_DATE},
	    {"date('2020-01-01')", T_DATE},
	    {"if(bt, missing, 1)", T_NUM},
	    {"answered(prod)", T_BOOL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		expr *e = expr_parse(cases[i].src, NULL, NULL);
		CHECK(e && expr_check(e, &scope, NULL, NULL) == cases[i].type);
		expr_free(e);
	}
	CHECK_STR(vtype_name(T_NUM), "nombre");
	CHECK_STR(vtype_name(T_BOOL), "oui/non");
	CHECK_STR(vtype_name(T_STR), "texte");
	CHECK_STR(vtype_name(T_DATE), "date");
	CHECK_STR(vtype_name(T_SET), "liste de choix");
}

/* EPICES deprivation score: base 75.14 and one coefficient per "yes", rounded to 2 places. */
static const char epices[] = "round(75.14 + 10.06*e1 - 11.83*e2 - 8.28*e3 - 8.28*e4 + 14.80*e5 - 6.51*e6"
                             " - 7.10*e7 - 7.10*e8 - 9.47*e9 - 9.47*e10 - 7.10*e11, 2)";

/* Answer yes to the items listed in yes (1-based, 0-terminated), no to the others. */
static value epices_with(const int *yes)
{
	for (int i = 1; i <= 11; i++) {
		char name[8];
		snprintf(name, sizeof name, "e%d", i);
		var_named(name)->v = value_bool(false);
	}
	for (const int *p = yes; *p; p++) {
		char name[8];
		snprintf(name, sizeof name, "e%d", *p);
		var_named(name)->v = value_bool(true);
	}
	expr *e = expr_parse(epices, NULL, NULL);
	value v = value_missing();
	if (e && expr_check(e, &scope, NULL, NULL) == T_NUM) {
		expr_env env = {lookup, NULL, today};
		v = expr_eval(e, &env);
	}
	expr_free(e);
	return v;
}

static void test_epices(void)
{
	char buf[40];
	value v = epices_with((const int[]){1, 5, 0});
	CHECK(v.kind == V_NUM && v.num == 100.0);
	format_number(v.num, 2, buf, sizeof buf);
	CHECK_STR(buf, "100.00");
	v = epices_with((const int[]){2, 3, 4, 6, 7, 8, 9, 10, 11, 0});
	CHECK(v.kind == V_NUM && v.num == 0.0 && !signbit(v.num));
	format_number(v.num, 2, buf, sizeof buf);
	CHECK_STR(buf, "0.00");
	v = epices_with((const int[]){1, 5, 9, 0});
	CHECK(v.kind == V_NUM && v.num == 90.53);
	format_number(v.num, 2, buf, sizeof buf);
	CHECK_STR(buf, "90.53");
	v = epices_with((const int[]){0});
	CHECK_NUM(v.num, 75.14);
	var_named("e7")->v = value_missing();
	expr *e = expr_parse(epices, NULL, NULL);
	CHECK(expr_check(e, &scope, NULL, NULL) == T_NUM);
	expr_env env = {lookup, NULL, today};
	CHECK(expr_eval(e, &env).kind == V_MISSING); /* one unanswered item: no score */
	expr_free(e);
}

int main(void)
{
	long d;
	date_parse("2000-03-01", &d);
	var_named("born")->v = value_date(d);
	date_parse("2026-02-28", &d);
	var_named("seen")->v = value_date(d);
	date_parse("2026-11-22", &today);
	RUN(test_precedence);
	RUN(test_literals_and_refs);
	RUN(test_functions);
	RUN(test_missing);
	RUN(test_three_valued_logic);
	RUN(test_if_lazy);
	RUN(test_division);
	RUN(test_dates);
	RUN(test_type_errors);
	RUN(test_names);
	RUN(test_syntax);
	RUN(test_limits);
	RUN(test_foreach_ref);
	RUN(test_unchecked);
	RUN(test_types);
	RUN(test_epices);
	return harness_report();
}
