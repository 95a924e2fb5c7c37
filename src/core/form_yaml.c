/* form_yaml.c — the YAML field reader of form files: typed scalars, French/English texts and
 * expression sources, each refusal reported as FILE:LINE:COL; and the key tables that say, for
 * each kind of mapping, which keys it may hold, which it must, and where each value goes. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"

/* Record a problem: see form_internal.h. The count goes on past the cap, so that callers can
 * tell that a file had problems even when their messages were not kept. */
void load_error(load_ctx *c, int line, int col, const char *fmt, ...)
{
	c->count++;
	if (c->count > FORM_MAX_ERRORS_PER_FILE)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_printf(c->errors, "%s:%d:%d: %s\n", c->path, line, col, msg);
	free(msg);
}

/* ---------------------------------------------------------------- typed values */

bool yread_kind(load_ctx *c, const ynode *n, ynode_kind kind, const char *what)
{
	if (n->kind == kind)
		return true;
	static const char *names[] = {"une valeur simple", "un dictionnaire (clé: valeur)", "une liste"};
	YERR(c, n, "%s : %s attendu, trouvé %s", what, names[kind], names[n->kind]);
	return false;
}

bool form_id_valid(const char *s, bool allow_upper)
{
	size_t n = strlen(s);
	if (n == 0 || n > FORM_MAX_ID_LEN ||
	    !(islower((unsigned char)s[0]) || (allow_upper && isupper((unsigned char)s[0]))))
		return false;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
		      (allow_upper && isupper((unsigned char)*p))))
			return false;
	return true;
}

bool yread_id(load_ctx *c, const ynode *n, const char *what, char **out)
{
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	if (!form_id_valid(n->str, false)) {
		YERR(c, n,
		     "%s « %s » invalide : lettres minuscules sans accent, chiffres et _, "
		     "commençant par une lettre, %d caractères au plus",
		     what, n->str, FORM_MAX_ID_LEN);
		return false;
	}
	*out = xstrdup(n->str);
	return true;
}

bool yread_string(load_ctx *c, const ynode *n, const char *what, char **out)
{
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	*out = xstrdup(n->str);
	return true;
}

bool yread_bool(load_ctx *c, const ynode *n, const char *what, bool *out)
{
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	static const char *yes[] = {"true", "yes", "oui", "True", "TRUE", NULL};
	static const char *no[] = {"false", "no", "non", "False", "FALSE", NULL};
	for (const char **p = yes; *p; p++)
		if (strcmp(n->str, *p) == 0)
			return *out = true;
	for (const char **p = no; *p; p++)
		if (strcmp(n->str, *p) == 0)
			return !(*out = false);
	YERR(c, n, "%s : true ou false attendu, trouvé « %s »", what, n->str);
	return false;
}

bool yread_number(load_ctx *c, const ynode *n, const char *what, double *out)
{
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	if (!parse_decimal(n->str, out)) {
		YERR(c, n, "%s : nombre attendu (point décimal), trouvé « %s »", what, n->str);
		return false;
	}
	return true;
}

bool yread_int(load_ctx *c, const ynode *n, const char *what, long lo, long hi, int *out)
{
	long long v;
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	if (!parse_integer(n->str, &v) || v < lo || v > hi) {
		YERR(c, n, "%s : entier de %ld à %ld attendu, trouvé « %s »", what, lo, hi, n->str);
		return false;
	}
	*out = (int)v;
	return true;
}

enum { I18N_FR, I18N_EN };
static const ykey i18n_keys[] = {
    [I18N_FR] = {"fr", YK_OTHER, .required = true},
    [I18N_EN] = {"en", YK_OTHER},
};
/* Its where is the name of the text, given by the caller: "clé inconnue « de » dans label". */
const ykey_table ykeys_i18n = YKEY_TABLE(NULL, i18n_keys, NULL);

bool yread_i18n(load_ctx *c, const ynode *n, const char *what, i18n *out)
{
	if (n->kind == Y_SCALAR) {
		out->fr = xstrdup(n->str);
		return true;
	}
	if (!yread_kind(c, n, Y_MAP, what))
		return false;
	ykey_table named = ykeys_i18n;
	named.where = what;
	ymap m;
	if (!ymap_open(&m, c, n, &named, NULL, NULL))
		return false;
	const ynode *fr = m.v[I18N_FR], *en = m.v[I18N_EN];
	if (!fr) {
		YERR(c, n, "%s : le texte français (fr:) est obligatoire", what);
		return false;
	}
	if (!yread_kind(c, fr, Y_SCALAR, what) || (en && !yread_kind(c, en, Y_SCALAR, what)))
		return false;
	if (!*fr->str) {
		YERR(c, fr, "%s : texte français vide", what);
		return false;
	}
	out->fr = xstrdup(fr->str);
	out->en = en && *en->str ? xstrdup(en->str) : NULL;
	return true;
}

void i18n_done(i18n *t)
{
	free(t->fr);
	free(t->en);
	t->fr = t->en = NULL;
}

/* src with each "{row}" replaced by row (a copy of src when row is NULL). Caller frees. */
static char *substitute_row(const char *src, const char *row)
{
	if (!row)
		return xstrdup(src);
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	for (const char *p = src; *p;) {
		if (strncmp(p, "{row}", 5) == 0) {
			strbuf_puts(&sb, row);
			p += 5;
		} else {
			strbuf_putc(&sb, *p++);
		}
	}
	return strbuf_take(&sb);
}

bool yread_expr(load_ctx *c, const ynode *n, const char *what, const char *row, char **out)
{
	if (!yread_kind(c, n, Y_SCALAR, what))
		return false;
	if (!*n->str) {
		YERR(c, n, "%s : expression vide", what);
		return false;
	}
	*out = substitute_row(n->str, row);
	return true;
}

/* ---------------------------------------------------------------- key tables */

static void report_unknown(load_ctx *c, const ynode *key, const ykey_table *t)
{
	strbuf list = STRBUF_INIT;
	for (size_t k = 0; k < t->n; k++)
		strbuf_printf(&list, "%s%s", k ? ", " : "", t->keys[k].name);
	YERR(c, key, "clé inconnue « %s » dans %s (clés possibles : %s)", key->str, t->where,
	     strbuf_str(&list));
	strbuf_done(&list);
}

bool ymap_open(ymap *m, load_ctx *c, const ynode *map, const ykey_table *t, void *obj, const char *row)
{
	if (t->n > YKEYS_MAX)
		abort(); /* a table that outgrew ymap: raise YKEYS_MAX */
	m->c = c;
	m->t = t;
	m->map = map;
	m->obj = obj;
	m->row = row;
	memset(m->v, 0, sizeof m->v);
	memset(m->key, 0, sizeof m->key);
	bool ok = true;
	for (size_t i = 0; i < map->n; i++) {
		const ynode *key = map->keys[i];
		size_t k = 0;
		while (k < t->n && strcmp(key->str, t->keys[k].name) != 0)
			k++;
		if (k == t->n) {
			report_unknown(c, key, t);
			ok = false;
		} else if (m->v[k]) {
			YERR(c, key, "clé « %s » en double (déjà ligne %d)", key->str, m->key[k]->line);
			ok = false;
		} else {
			m->v[k] = map->items[i];
			m->key[k] = key;
		}
	}
	return ok;
}

bool ymap_open_entry(ymap *m, load_ctx *c, const ynode *n, const char *kind, const ykey_table *t, void *obj)
{
	if (!yread_kind(c, n, Y_MAP, kind) || !ymap_open(m, c, n, t, obj, NULL))
		return false;
	if (ymap_missing(m) >= 0) {
		YERR(c, n, "%s", t->needs);
		return false;
	}
	return true;
}

int ymap_missing(const ymap *m)
{
	for (size_t k = 0; k < m->t->n; k++)
		if (m->t->keys[k].required && !m->v[k])
			return (int)k;
	return -1;
}

bool ymap_read(ymap *m, int k)
{
	const ykey *key = &m->t->keys[k];
	const ynode *v = m->v[k];
	if (!v)
		return true;
	void *at = (char *)m->obj + key->at;
	const char *what = key->what ? key->what : key->name;
	switch (key->type) {
	case YK_STRING:
		return yread_string(m->c, v, what, at);
	case YK_ID:
		return yread_id(m->c, v, what, at);
	case YK_BOOL:
		return yread_bool(m->c, v, what, at);
	case YK_NUMBER:
		return yread_number(m->c, v, what, at);
	case YK_INT:
		return yread_int(m->c, v, what, key->lo, key->hi, at);
	case YK_I18N:
		return yread_i18n(m->c, v, what, at);
	case YK_EXPR:
		return yread_expr(m->c, v, what, m->row, at);
	case YK_OTHER:
		break;
	}
	abort(); /* a key the mapping's own code reads: asking for it here is a bug */
}
