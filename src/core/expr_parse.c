/* expr_parse.c — the expression language's tokenizer and recursive-descent parser (grammar in
 * expr.h): source text to a tree whose nodes keep their byte offsets for messages; and freeing
 * the tree. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/expr_internal.h"
#include "core/util.h"

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
	const func *fn = expr_func_find(name.text, name.len);
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
	if (!expr_func_arity_ok(fn, n->n_kids)) {
		char *msg = expr_func_arity_message(fn);
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

/* Free the tree and its literals; NULL is fine. */
void expr_free(expr *e)
{
	if (!e)
		return;
	node_free(e->root);
	free(e);
}
