/* form_load.c — YAML trees to the validated form model: every key, type, choice list, range
 * and expression is checked, each problem reported as FILE:LINE:COL, and a set with any
 * problem is refused whole. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/form.h"
#include "core/util.h"
#include "core/ytree.h"

/* MAX_FIELDS: each field is a column of the form's table (SQLite allows 2000), and a matrix of
 * a few hundred rows and columns must not cost minutes of duplicate checks. */
enum { MAX_ID_LEN = 48, MAX_ERRORS_PER_FILE = 20, MAX_FIELDS = 1000 };

typedef struct {
	const char *path;
	strbuf *errors;
	int count;
} lctx;

static void err_at(lctx *c, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void err_at(lctx *c, int line, int col, const char *fmt, ...)
{
	c->count++;
	if (c->count > MAX_ERRORS_PER_FILE)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_printf(c->errors, "%s:%d:%d: %s\n", c->path, line, col, msg);
	free(msg);
}

#define ERR(c, node, ...) err_at((c), (node)->line, (node)->col, __VA_ARGS__)

/* ---------------------------------------------------------------- generic readers */

static bool check_keys(lctx *c, const ynode *map, const char *what, const char *const *allowed)
{
	bool ok = true;
	for (size_t i = 0; i < map->n; i++) {
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(map->keys[i]->str, *a) == 0;
		if (!known) {
			strbuf list = STRBUF_INIT;
			for (const char *const *a = allowed; *a; a++)
				strbuf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
			ERR(c, map->keys[i], "clé inconnue « %s » dans %s (clés possibles : %s)",
			    map->keys[i]->str, what, strbuf_str(&list));
			strbuf_done(&list);
			ok = false;
		}
	}
	return ok;
}

static bool want_kind(lctx *c, const ynode *n, ynode_kind kind, const char *what)
{
	if (n->kind == kind)
		return true;
	static const char *names[] = {"une valeur simple", "un dictionnaire (clé: valeur)", "une liste"};
	ERR(c, n, "%s : %s attendu, trouvé %s", what, names[kind], names[n->kind]);
	return false;
}

static bool is_identifier(const char *s, bool allow_upper)
{
	size_t n = strlen(s);
	if (n == 0 || n > MAX_ID_LEN ||
	    !(islower((unsigned char)s[0]) || (allow_upper && isupper((unsigned char)s[0]))))
		return false;
	for (const char *p = s; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
		      (allow_upper && isupper((unsigned char)*p))))
			return false;
	return true;
}

static bool read_id(lctx *c, const ynode *n, const char *what, char **out)
{
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	if (!is_identifier(n->str, false)) {
		ERR(c, n,
		    "%s « %s » invalide : lettres minuscules sans accent, chiffres et _, "
		    "commençant par une lettre, %d caractères au plus",
		    what, n->str, MAX_ID_LEN);
		return false;
	}
	*out = xstrdup(n->str);
	return true;
}

static bool read_string(lctx *c, const ynode *n, const char *what, char **out)
{
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	*out = xstrdup(n->str);
	return true;
}

static bool read_bool(lctx *c, const ynode *n, const char *what, bool *out)
{
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	static const char *yes[] = {"true", "yes", "oui", "True", "TRUE", NULL};
	static const char *no[] = {"false", "no", "non", "False", "FALSE", NULL};
	for (const char **p = yes; *p; p++)
		if (strcmp(n->str, *p) == 0)
			return *out = true;
	for (const char **p = no; *p; p++)
		if (strcmp(n->str, *p) == 0)
			return !(*out = false);
	ERR(c, n, "%s : true ou false attendu, trouvé « %s »", what, n->str);
	return false;
}

static bool read_number(lctx *c, const ynode *n, const char *what, double *out)
{
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	if (!parse_decimal(n->str, out)) {
		ERR(c, n, "%s : nombre attendu (point décimal), trouvé « %s »", what, n->str);
		return false;
	}
	return true;
}

static bool read_int(lctx *c, const ynode *n, const char *what, long lo, long hi, int *out)
{
	long long v;
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	if (!parse_integer(n->str, &v) || v < lo || v > hi) {
		ERR(c, n, "%s : entier de %ld à %ld attendu, trouvé « %s »", what, lo, hi, n->str);
		return false;
	}
	*out = (int)v;
	return true;
}

static bool read_i18n(lctx *c, const ynode *n, const char *what, i18n *out)
{
	if (n->kind == Y_SCALAR) {
		out->fr = xstrdup(n->str);
		return true;
	}
	if (!want_kind(c, n, Y_MAP, what))
		return false;
	static const char *const keys[] = {"fr", "en", NULL};
	if (!check_keys(c, n, what, keys))
		return false;
	const ynode *fr = ytree_get(n, "fr"), *en = ytree_get(n, "en");
	if (!fr) {
		ERR(c, n, "%s : le texte français (fr:) est obligatoire", what);
		return false;
	}
	if (!want_kind(c, fr, Y_SCALAR, what) || (en && !want_kind(c, en, Y_SCALAR, what)))
		return false;
	if (!*fr->str) {
		ERR(c, fr, "%s : texte français vide", what);
		return false;
	}
	out->fr = xstrdup(fr->str);
	out->en = en && *en->str ? xstrdup(en->str) : NULL;
	return true;
}

static void i18n_done(i18n *t)
{
	free(t->fr);
	free(t->en);
	t->fr = t->en = NULL;
}

const char *i18n_get(const i18n *t, const char *lang)
{
	if (lang && strncmp(lang, "en", 2) == 0 && t->en)
		return t->en;
	return t->fr ? t->fr : "";
}

/* ---------------------------------------------------------------- names */

static const char *const type_names[] = {"text",   "integer", "decimal",    "date", "yesno",
                                         "choice", "multi",   "calculated", "note"};

const char *field_type_name(field_type t)
{
	return type_names[t];
}

static const struct {
	missing_code code;
	const char *name, *label, *key;
} missing_table[] = {
    {MISS_REFUS, ".refus", "refus de répondre", "refus"},
    {MISS_NSP, ".nsp", "ne sait pas", "nsp"},
    {MISS_NON_DEMANDE, ".non_demande", "non demandé", "non_demande"},
};

const char *missing_code_name(missing_code c)
{
	for (size_t i = 0; i < 3; i++)
		if (missing_table[i].code == c)
			return missing_table[i].name;
	return "";
}

const char *missing_code_label(missing_code c)
{
	for (size_t i = 0; i < 3; i++)
		if (missing_table[i].code == c)
			return missing_table[i].label;
	return "";
}

missing_code missing_code_parse(const char *s)
{
	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, missing_table[i].name) == 0)
			return missing_table[i].code;
	return MISS_NONE;
}

/* ---------------------------------------------------------------- choices */

static bool read_choice_list(lctx *c, const ynode *n, const char *what, choice_set *set)
{
	if (!want_kind(c, n, Y_SEQ, what))
		return false;
	if (n->n == 0) {
		ERR(c, n, "%s : la liste des réponses est vide", what);
		return false;
	}
	static const char *const keys[] = {"value", "label", NULL};
	set->items = xcalloc(n->n, sizeof *set->items);
	set->numeric = true;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *it = n->items[i];
		if (!want_kind(c, it, Y_MAP, "réponse") || !check_keys(c, it, "une réponse", keys)) {
			ok = false;
			continue;
		}
		const ynode *v = ytree_get(it, "value"), *l = ytree_get(it, "label");
		if (!v || !l) {
			ERR(c, it, "une réponse a besoin de value: et de label:");
			ok = false;
			continue;
		}
		if (!want_kind(c, v, Y_SCALAR, "value")) {
			ok = false;
			continue;
		}
		choice *ch = &set->items[set->n++];
		ch->code = xstrdup(v->str);
		if (!read_i18n(c, l, "label", &ch->label))
			ok = false;
		long long iv;
		if (parse_integer(v->str, &iv) && strlen(v->str) < 10) {
			ch->num = (double)iv;
		} else {
			set->numeric = false;
			if (!is_identifier(v->str, true)) {
				ERR(c, v,
				    "code de réponse « %s » invalide : un entier, ou lettres sans accent, "
				    "chiffres et _",
				    v->str);
				ok = false;
			}
		}
		for (size_t j = 0; j + 1 < set->n; j++)
			if (strcmp(set->items[j].code, ch->code) == 0) {
				ERR(c, v, "code de réponse « %s » en double", ch->code);
				ok = false;
			}
	}
	if (ok && !set->numeric) {
		/* Mixed codes: name the first one that is not of the same kind as the first code. */
		long long iv;
		bool first_int = parse_integer(set->items[0].code, &iv);
		for (size_t i = 1; i < set->n; i++) {
			if (parse_integer(set->items[i].code, &iv) != first_int) {
				ERR(c, ytree_get(n->items[i], "value"),
				    "%s : code « %s » : les codes d'une liste doivent être tous des entiers "
				    "ou tous "
				    "des mots (« %s » est %s)",
				    what, set->items[i].code, set->items[0].code,
				    first_int ? "un entier" : "un mot");
				ok = false;
				break;
			}
		}
	}
	return ok;
}

static void choice_set_done(choice_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].code);
		i18n_done(&s->items[i].label);
	}
	free(s->items);
	free(s->name);
}

/* ---------------------------------------------------------------- fields */

typedef struct {
	const ynode *node; /* the field's map */
	const char *row;   /* matrix row id to substitute for {row}, or NULL */
} field_src;

typedef struct {
	form *f;
	field_src *src; /* parallel to f->fields, for positions while checking */
	size_t cap;
	const ynode *choice_sets_node;
} fbuild;

static field *new_field(fbuild *b, const ynode *node, const char *row)
{
	if (b->f->n_fields == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->f->fields = xrealloc(b->f->fields, b->cap * sizeof *b->f->fields);
		b->src = xrealloc(b->src, b->cap * sizeof *b->src);
	}
	field *fd = &b->f->fields[b->f->n_fields];
	memset(fd, 0, sizeof *fd);
	b->src[b->f->n_fields] = (field_src){node, row};
	b->f->n_fields++;
	fd->exported = true;
	fd->decimals = -1;
	fd->missing_allowed = MISS_ALL;
	fd->line = node->line;
	fd->col = node->col;
	return fd;
}

static bool parse_type(lctx *c, const ynode *n, field_type *out)
{
	if (!want_kind(c, n, Y_SCALAR, "type"))
		return false;
	for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
		if (strcmp(n->str, type_names[i]) == 0) {
			*out = (field_type)i;
			return true;
		}
	ERR(c, n,
	    "type de champ inconnu « %s » (types possibles : text, integer, decimal, date, "
	    "yesno, choice, multi, calculated, note)",
	    n->str);
	return false;
}

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

static bool read_expr_src(lctx *c, const ynode *n, const char *what, const char *row, char **out)
{
	if (!want_kind(c, n, Y_SCALAR, what))
		return false;
	if (!*n->str) {
		ERR(c, n, "%s : expression vide", what);
		return false;
	}
	*out = substitute_row(n->str, row);
	return true;
}

static const choice_set *find_choice_set(const form *f, const char *name)
{
	for (size_t i = 0; i < f->n_choice_sets; i++)
		if (strcmp(f->choice_sets[i].name, name) == 0)
			return &f->choice_sets[i];
	return NULL;
}

/* Field-local choice lists are kept as extra, unnamed choice sets owned by the form. */
static const choice_set *read_field_choices(lctx *c, fbuild *b, const ynode *n)
{
	form *f = b->f;
	if (n->kind == Y_SCALAR) {
		const choice_set *set = find_choice_set(f, n->str);
		if (!set)
			ERR(c, n, "liste de réponses « %s » inconnue (à définir sous choice_sets:)", n->str);
		return set;
	}
	choice_set tmp = {0};
	if (!read_choice_list(c, n, "choices", &tmp)) {
		choice_set_done(&tmp);
		return NULL;
	}
	/* choice_sets never moves after loading sections: it was sized to hold these too. */
	f->choice_sets[f->n_choice_sets] = tmp;
	f->choice_sets[f->n_choice_sets].name = xasprintf("#%zu", f->n_choice_sets);
	return &f->choice_sets[f->n_choice_sets++];
}

static bool read_limit(lctx *c, field *fd, const ynode *n, const char *key, double *out)
{
	if (fd->type == FT_DATE) {
		long days;
		if (!want_kind(c, n, Y_SCALAR, key))
			return false;
		if (!date_parse(n->str, &days)) {
			ERR(c, n, "%s : date AAAA-MM-JJ attendue, trouvé « %s »", key, n->str);
			return false;
		}
		*out = (double)days;
		return true;
	}
	if (fd->type == FT_TEXT) {
		int len;
		if (!read_int(c, n, key, 0, 100000, &len))
			return false;
		*out = len;
		return true;
	}
	if (fd->type != FT_INTEGER && fd->type != FT_DECIMAL) {
		ERR(c, n, "%s n'a pas de sens pour un champ %s", key, field_type_name(fd->type));
		return false;
	}
	return read_number(c, n, key, out);
}

static bool read_missing_codes(lctx *c, field *fd, const ynode *n)
{
	if (!want_kind(c, n, Y_SEQ, "missing_codes"))
		return false;
	fd->missing_allowed = 0;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *it = n->items[i];
		if (!want_kind(c, it, Y_SCALAR, "missing_codes"))
			return false;
		size_t k = 0;
		while (k < 3 && strcmp(it->str, missing_table[k].key) != 0)
			k++;
		if (k == 3) {
			ERR(c, it, "code manquant inconnu « %s » (codes possibles : refus, nsp, non_demande)",
			    it->str);
			return false;
		}
		fd->missing_allowed |= missing_table[k].code;
	}
	return true;
}

/* regerror() speaks the C locale's language: the problems in French. */
static const char *regex_problem(int rc)
{
	switch (rc) {
	case REG_EBRACK:
		return "crochet « [ » non refermé";
	case REG_EPAREN:
		return "parenthèses « ( » « ) » mal appariées";
	case REG_EBRACE:
		return "accolades « { » « } » mal appariées";
	case REG_BADBR:
		return "répétition {m,n} invalide";
	case REG_ERANGE:
		return "intervalle de caractères invalide (par exemple [z-a])";
	case REG_ECTYPE:
		return "classe de caractères inconnue (par exemple [[:digit:]])";
	case REG_EESCAPE:
		return "« \\ » à la fin du motif";
	case REG_BADRPT:
		return "« * », « + », « ? » ou « { » sans rien à répéter";
	case REG_ESUBREG:
		return "référence arrière invalide";
	case REG_ECOLLATE:
		return "élément de classement invalide";
	case REG_ESPACE:
		return "mémoire insuffisante";
	default:
		return "expression régulière invalide";
	}
}

static const char *const field_keys[] = {
    "id",           "type",     "label",         "help",          "required", "min",
    "max",          "pattern",  "show_if",       "constraint",    "message",  "soft_constraint",
    "soft_message", "default",  "unit",          "identifier",    "export",   "choices",
    "expr",         "decimals", "skipped_value", "missing_codes", NULL};

static bool is_input(field_type t)
{
	return t != FT_CALCULATED && t != FT_NOTE;
}

/* Reads the keys that need the type to be known. */
static bool read_field_attrs(lctx *c, fbuild *b, field *fd, const ynode *n, const char *row)
{
	bool ok = true;
	const ynode *v;
	if ((v = ytree_get(n, "help")) && !read_i18n(c, v, "help", &fd->help))
		ok = false;
	if ((v = ytree_get(n, "required")) && !read_bool(c, v, "required", &fd->required))
		ok = false;
	if ((v = ytree_get(n, "identifier")) && !read_bool(c, v, "identifier", &fd->identifier))
		ok = false;
	if ((v = ytree_get(n, "export")) && !read_bool(c, v, "export", &fd->exported))
		ok = false;
	if ((v = ytree_get(n, "unit")) && !read_string(c, v, "unit", &fd->unit))
		ok = false;
	if ((v = ytree_get(n, "min"))) {
		ok = read_limit(c, fd, v, "min", &fd->min) && ok;
		fd->has_min = true;
	}
	if ((v = ytree_get(n, "max"))) {
		ok = read_limit(c, fd, v, "max", &fd->max) && ok;
		fd->has_max = true;
	}
	if (ok && fd->has_min && fd->has_max && fd->min > fd->max) {
		const ynode *lo = ytree_get(n, "min"), *hi = ytree_get(n, "max");
		ERR(c, lo, "min (%s) est plus grand que max (%s)", lo->str, hi->str);
		ok = false;
	}
	if ((v = ytree_get(n, "pattern"))) {
		if (fd->type != FT_TEXT) {
			ERR(c, v, "pattern ne s'applique qu'aux champs text");
			ok = false;
		} else if (read_string(c, v, "pattern", &fd->pattern)) {
			/* The bare pattern must compile on its own: "a)|(.*" would otherwise escape the
			 * anchors once wrapped as ^(…)$. */
			regex_t bare;
			int rc = regcomp(&bare, fd->pattern, REG_EXTENDED | REG_NOSUB);
			if (rc == 0) {
				regfree(&bare);
				char *anchored = xasprintf("^(%s)$", fd->pattern);
				rc = regcomp(&fd->pattern_re, anchored, REG_EXTENDED | REG_NOSUB);
				free(anchored);
			}
			if (rc != 0) {
				ERR(c, v, "pattern invalide : %s", regex_problem(rc));
				free(fd->pattern);
				fd->pattern = NULL;
				ok = false;
			}
		} else {
			ok = false;
		}
	}
	if ((v = ytree_get(n, "show_if")) && !read_expr_src(c, v, "show_if", row, &fd->show_if_src))
		ok = false;
	if ((v = ytree_get(n, "constraint")) && !read_expr_src(c, v, "constraint", row, &fd->constraint_src))
		ok = false;
	if ((v = ytree_get(n, "message")) && !read_i18n(c, v, "message", &fd->message))
		ok = false;
	if (fd->constraint_src && !fd->message.fr) {
		ERR(c, ytree_get(n, "constraint"),
		    "constraint sans message: (dire la règle à l'utilisateur)");
		ok = false;
	}
	if ((v = ytree_get(n, "soft_constraint")) &&
	    !read_expr_src(c, v, "soft_constraint", row, &fd->soft_src))
		ok = false;
	if ((v = ytree_get(n, "soft_message")) && !read_i18n(c, v, "soft_message", &fd->soft_message))
		ok = false;
	if (fd->soft_src && !fd->soft_message.fr) {
		ERR(c, ytree_get(n, "soft_constraint"), "soft_constraint sans soft_message:");
		ok = false;
	}
	if ((v = ytree_get(n, "decimals")) && !read_int(c, v, "decimals", 0, 6, &fd->decimals))
		ok = false;
	if ((v = ytree_get(n, "skipped_value"))) {
		ok = read_number(c, v, "skipped_value", &fd->skip_value) && ok;
		fd->has_skip_value = true;
		if (!ytree_get(n, "show_if")) {
			ERR(c, v, "skipped_value sans show_if : le champ n'est jamais sauté");
			ok = false;
		}
	}
	if ((v = ytree_get(n, "missing_codes")) && !read_missing_codes(c, fd, v))
		ok = false;
	if (!is_input(fd->type))
		fd->missing_allowed = 0;
	if ((v = ytree_get(n, "choices"))) {
		if (fd->type != FT_CHOICE && fd->type != FT_MULTI) {
			ERR(c, v, "choices ne s'applique qu'aux champs choice et multi");
			ok = false;
		} else if (!(fd->choices = read_field_choices(c, b, v))) {
			ok = false;
		}
	} else if (fd->type == FT_CHOICE || fd->type == FT_MULTI) {
		ERR(c, n, "champ « %s » : choices: manquant", fd->id);
		ok = false;
	}
	if ((v = ytree_get(n, "expr"))) {
		if (fd->type != FT_CALCULATED) {
			ERR(c, v, "expr ne s'applique qu'aux champs calculated");
			ok = false;
		} else if (!read_expr_src(c, v, "expr", row, &fd->expr_src)) {
			ok = false;
		}
	} else if (fd->type == FT_CALCULATED) {
		ERR(c, n, "champ calculé « %s » : expr: manquant", fd->id);
		ok = false;
	}
	if ((v = ytree_get(n, "default"))) {
		if (!is_input(fd->type)) {
			ERR(c, v, "default n'a pas de sens pour un champ %s", field_type_name(fd->type));
			ok = false;
		} else if (read_string(c, v, "default", &fd->default_value)) {
			/* checked against the type once choices are known, in check_default() */
		} else {
			ok = false;
		}
	}
	if (fd->required && !is_input(fd->type)) {
		ERR(c, ytree_get(n, "required"), "required n'a pas de sens pour un champ %s",
		    field_type_name(fd->type));
		ok = false;
	}
	return ok;
}

static bool check_default(lctx *c, const field *fd, const ynode *n)
{
	const char *d = fd->default_value;
	const ynode *v = ytree_get(n, "default");
	double x;
	long days;
	bool ok = true;
	switch (fd->type) {
	case FT_INTEGER: {
		long long i;
		ok = parse_integer(d, &i);
		break;
	}
	case FT_DECIMAL:
		ok = parse_decimal(d, &x);
		break;
	case FT_DATE:
		ok = strcmp(d, "today") == 0 || date_parse(d, &days);
		break;
	case FT_YESNO:
		ok = strcmp(d, "0") == 0 || strcmp(d, "1") == 0;
		break;
	case FT_CHOICE:
		ok = fd->choices && field_choice(fd, d);
		break;
	case FT_MULTI:
		ok = true;
		break;
	default:
		break;
	}
	if (!ok && fd->type == FT_CHOICE && fd->choices) {
		strbuf codes = STRBUF_INIT;
		for (size_t i = 0; i < fd->choices->n && i < 12; i++)
			strbuf_printf(&codes, "%s%s", i ? ", " : "", fd->choices->items[i].code);
		ERR(c, v, "default « %s » n'est pas un code de réponse de ce champ (codes : %s%s)", d,
		    strbuf_str(&codes), fd->choices->n > 12 ? "…" : "");
		strbuf_done(&codes);
	} else if (!ok) {
		static const char *const hints[FT_NOTE + 1] = {[FT_INTEGER] = "un entier",
		                                               [FT_DECIMAL] = "un nombre, point décimal",
		                                               [FT_DATE] = "AAAA-MM-JJ ou today",
		                                               [FT_YESNO] = "0 ou 1"};
		ERR(c, v, "default « %s » n'est pas une valeur possible pour ce champ %s (%s)", d,
		    field_type_name(fd->type), hints[fd->type] ? hints[fd->type] : "?");
	}
	return ok;
}

static bool read_field(lctx *c, fbuild *b, const ynode *n, const char *row, const char *id_override,
                       const i18n *label_prefix)
{
	static const char *const required_keys[] = {"type", "label", NULL};
	if (!check_keys(c, n, "un champ", field_keys))
		return false;
	const ynode *idn = ytree_get(n, "id");
	if (!idn) {
		ERR(c, n, "champ sans id:");
		return false;
	}
	for (const char *const *k = required_keys; *k; k++)
		if (!ytree_get(n, *k)) {
			ERR(c, n, "champ « %s » : %s: manquant", idn->kind == Y_SCALAR ? idn->str : "?", *k);
			return false;
		}
	if (b->f->n_fields == MAX_FIELDS) {
		ERR(c, n, "trop de champs : un formulaire en a au plus %d (matrices développées comprises)",
		    MAX_FIELDS);
		return false;
	}
	field *fd = new_field(b, n, row);
	fd->section = (int)b->f->n_sections - 1;
	if (id_override) {
		fd->id = xstrdup(id_override);
		if (!is_identifier(fd->id, false)) {
			ERR(c, idn,
			    "identifiant « %s » invalide (lettres minuscules, chiffres, _, %d "
			    "caractères au plus)",
			    fd->id, MAX_ID_LEN);
			return false;
		}
	} else if (!read_id(c, idn, "identifiant de champ", &fd->id)) {
		return false;
	}
	if (!parse_type(c, ytree_get(n, "type"), &fd->type))
		return false;
	i18n lab = {0};
	if (!read_i18n(c, ytree_get(n, "label"), "label", &lab))
		return false;
	if (label_prefix) {
		fd->label.fr = xasprintf("%s — %s", label_prefix->fr, lab.fr);
		if (label_prefix->en || lab.en)
			fd->label.en =
			    xasprintf("%s — %s", label_prefix->en ? label_prefix->en : label_prefix->fr,
			              lab.en ? lab.en : lab.fr);
		i18n_done(&lab);
	} else {
		fd->label = lab;
	}
	if (!read_field_attrs(c, b, fd, n, row))
		return false;
	if (fd->default_value && !check_default(c, fd, n))
		return false;
	return true;
}

static bool read_matrix(lctx *c, fbuild *b, const ynode *n)
{
	static const char *const keys[] = {"matrix", "label", "help", "rows", "columns", NULL};
	static const char *const row_keys[] = {"id", "label", "columns", NULL};
	if (!check_keys(c, n, "une matrice", keys))
		return false;
	char *mid = NULL;
	if (!read_id(c, ytree_get(n, "matrix"), "identifiant de matrice", &mid))
		return false;
	const ynode *rows = ytree_get(n, "rows"), *cols = ytree_get(n, "columns");
	bool ok = true;
	if (!rows || !cols) {
		ERR(c, n, "matrice « %s » : rows: et columns: sont obligatoires", mid);
		free(mid);
		return false;
	}
	if (!want_kind(c, rows, Y_SEQ, "rows") || !want_kind(c, cols, Y_SEQ, "columns") || rows->n == 0 ||
	    cols->n == 0) {
		if (rows->kind == Y_SEQ && cols->kind == Y_SEQ)
			ERR(c, n, "matrice « %s » : rows et columns ne peuvent pas être vides", mid);
		free(mid);
		return false;
	}
	for (size_t ci = 0; ci < cols->n; ci++) {
		const ynode *col = cols->items[ci];
		if (!want_kind(c, col, Y_MAP, "colonne") || !ytree_get(col, "id") ||
		    !want_kind(c, ytree_get(col, "id"), Y_SCALAR, "id de colonne")) {
			if (col->kind == Y_MAP && !ytree_get(col, "id"))
				ERR(c, col, "colonne sans id:");
			free(mid);
			return false;
		}
	}
	for (size_t ri = 0; ri < rows->n && ok; ri++) {
		const ynode *row = rows->items[ri];
		char *rid = NULL;
		i18n rlabel = {0};
		if (!want_kind(c, row, Y_MAP, "ligne") ||
		    !check_keys(c, row, "une ligne de matrice", row_keys) || !ytree_get(row, "id") ||
		    !ytree_get(row, "label")) {
			if (row->kind == Y_MAP && (!ytree_get(row, "id") || !ytree_get(row, "label")))
				ERR(c, row, "ligne de matrice : id: et label: sont obligatoires");
			ok = false;
			break;
		}
		if (!read_id(c, ytree_get(row, "id"), "identifiant de ligne", &rid) ||
		    !read_i18n(c, ytree_get(row, "label"), "label", &rlabel)) {
			free(rid);
			ok = false;
			break;
		}
		const ynode *subset = ytree_get(row, "columns");
		if (subset && !want_kind(c, subset, Y_SEQ, "columns"))
			ok = false;
		for (size_t ci = 0; ci < cols->n && ok; ci++) {
			const ynode *col = cols->items[ci];
			const char *cid = ytree_get(col, "id")->str;
			if (subset) {
				bool wanted = false;
				for (size_t k = 0; k < subset->n; k++)
					if (subset->items[k]->kind == Y_SCALAR &&
					    strcmp(subset->items[k]->str, cid) == 0)
						wanted = true;
				if (!wanted)
					continue;
			}
			char *fid = xasprintf("%s_%s", rid, cid);
			ok = read_field(c, b, col, rid, fid, &rlabel);
			if (ok) {
				field *fd = &b->f->fields[b->f->n_fields - 1];
				fd->matrix = xstrdup(mid);
				fd->matrix_row = xstrdup(rid);
				fd->matrix_col = xstrdup(cid);
			}
			free(fid);
		}
		if (ok && subset) {
			for (size_t k = 0; k < subset->n; k++) {
				bool known = false;
				for (size_t ci = 0; ci < cols->n; ci++)
					if (subset->items[k]->kind == Y_SCALAR &&
					    strcmp(subset->items[k]->str,
					           ytree_get(cols->items[ci], "id")->str) == 0)
						known = true;
				if (!known) {
					ERR(c, subset->items[k],
					    "colonne « %s » inconnue dans la matrice « %s »",
					    subset->items[k]->kind == Y_SCALAR ? subset->items[k]->str : "?",
					    mid);
					ok = false;
				}
			}
		}
		free(rid);
		i18n_done(&rlabel);
	}
	free(mid);
	return ok;
}

static bool read_sections(lctx *c, fbuild *b, const ynode *n)
{
	static const char *const keys[] = {"title", "fields", NULL};
	if (!want_kind(c, n, Y_SEQ, "sections"))
		return false;
	if (n->n == 0) {
		ERR(c, n, "sections: est vide");
		return false;
	}
	form *f = b->f;
	f->sections = xcalloc(n->n, sizeof *f->sections);
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *s = n->items[i];
		if (!want_kind(c, s, Y_MAP, "section") || !check_keys(c, s, "une section", keys)) {
			ok = false;
			continue;
		}
		section *sec = &f->sections[f->n_sections++];
		sec->first = f->n_fields;
		const ynode *title = ytree_get(s, "title"), *fields = ytree_get(s, "fields");
		if (!title || !fields) {
			ERR(c, s, "une section a besoin de title: et de fields:");
			ok = false;
			continue;
		}
		if (!read_i18n(c, title, "title", &sec->title) || !want_kind(c, fields, Y_SEQ, "fields")) {
			ok = false;
			continue;
		}
		for (size_t j = 0; j < fields->n; j++) {
			const ynode *fn = fields->items[j];
			if (!want_kind(c, fn, Y_MAP, "champ")) {
				ok = false;
				continue;
			}
			if (ytree_get(fn, "matrix"))
				ok = read_matrix(c, b, fn) && ok;
			else
				ok = read_field(c, b, fn, NULL, NULL, NULL) && ok;
		}
		sec->count = f->n_fields - sec->first;
		if (sec->count == 0 && ok) {
			ERR(c, s, "section sans champ");
			ok = false;
		}
	}
	return ok;
}

/* Counts the inline choice lists so that form.choice_sets can be allocated once. */
static size_t count_inline_choices(const ynode *sections)
{
	size_t n = 0;
	if (!sections || sections->kind != Y_SEQ)
		return 0;
	for (size_t i = 0; i < sections->n; i++) {
		const ynode *fields = ytree_get(sections->items[i], "fields");
		if (!fields || fields->kind != Y_SEQ)
			continue;
		for (size_t j = 0; j < fields->n; j++) {
			const ynode *fn = fields->items[j];
			const ynode *ch = ytree_get(fn, "choices");
			if (ch && ch->kind == Y_SEQ)
				n++;
			const ynode *rows = ytree_get(fn, "rows"), *cols = ytree_get(fn, "columns");
			if (rows && cols && rows->kind == Y_SEQ && cols->kind == Y_SEQ)
				for (size_t k = 0; k < cols->n; k++) {
					const ynode *cc = ytree_get(cols->items[k], "choices");
					if (cc && cc->kind == Y_SEQ)
						n += rows->n;
				}
		}
	}
	/* Each inline list belongs to one field: there are never more than MAX_FIELDS. */
	return n < MAX_FIELDS ? n : MAX_FIELDS;
}

static bool read_choice_sets(lctx *c, form *f, const ynode *n)
{
	if (!want_kind(c, n, Y_MAP, "choice_sets"))
		return false;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		choice_set *set = &f->choice_sets[f->n_choice_sets];
		memset(set, 0, sizeof *set);
		if (!is_identifier(n->keys[i]->str, false)) {
			ERR(c, n->keys[i], "nom de liste « %s » invalide", n->keys[i]->str);
			ok = false;
			continue;
		}
		if (!read_choice_list(c, n->items[i], n->keys[i]->str, set)) {
			choice_set_done(set);
			ok = false;
			continue;
		}
		set->name = xstrdup(n->keys[i]->str);
		f->n_choice_sets++;
	}
	return ok;
}

static bool read_alerts(lctx *c, form *f, const ynode *n)
{
	static const char *const keys[] = {"id", "if", "level", "message", NULL};
	static const char *const levels[] = {"info", "attention", "urgent"};
	if (!want_kind(c, n, Y_SEQ, "alerts"))
		return false;
	f->alerts = xcalloc(n->n ? n->n : 1, sizeof *f->alerts);
	for (size_t i = 0; i < n->n; i++) {
		const ynode *a = n->items[i];
		if (!want_kind(c, a, Y_MAP, "alerte") || !check_keys(c, a, "une alerte", keys))
			return false;
		const ynode *id = ytree_get(a, "id"), *cond = ytree_get(a, "if"),
		            *lvl = ytree_get(a, "level"), *msg = ytree_get(a, "message");
		if (!id || !cond || !msg) {
			ERR(c, a, "une alerte a besoin de id:, if: et message:");
			return false;
		}
		alert_rule *r = &f->alerts[f->n_alerts++];
		r->line = a->line;
		r->col = a->col;
		r->level = ALERT_ATTENTION;
		if (!read_id(c, id, "identifiant d'alerte", &r->id) ||
		    !read_expr_src(c, cond, "if", NULL, &r->if_src) ||
		    !read_i18n(c, msg, "message", &r->message))
			return false;
		if (lvl) {
			size_t k = 0;
			while (k < 3 && !(lvl->kind == Y_SCALAR && strcmp(lvl->str, levels[k]) == 0))
				k++;
			if (k == 3) {
				ERR(c, lvl, "niveau d'alerte « %s » inconnu (info, attention ou urgent)",
				    lvl->kind == Y_SCALAR ? lvl->str : "?");
				return false;
			}
			r->level = (alert_level)k;
		}
		for (size_t j = 0; j + 1 < f->n_alerts; j++)
			if (strcmp(f->alerts[j].id, r->id) == 0) {
				ERR(c, id, "alerte « %s » en double", r->id);
				return false;
			}
	}
	return true;
}

/* ---------------------------------------------------------------- freeing */

static void field_done(field *fd)
{
	free(fd->id);
	i18n_done(&fd->label);
	i18n_done(&fd->help);
	if (fd->pattern)
		regfree(&fd->pattern_re);
	free(fd->pattern);
	free(fd->show_if_src);
	expr_free(fd->show_if);
	free(fd->constraint_src);
	expr_free(fd->constraint);
	i18n_done(&fd->message);
	free(fd->soft_src);
	expr_free(fd->soft);
	i18n_done(&fd->soft_message);
	free(fd->default_value);
	free(fd->unit);
	free(fd->expr_src);
	expr_free(fd->calc);
	free(fd->matrix);
	free(fd->matrix_row);
	free(fd->matrix_col);
}

static void form_free(form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_fields; i++)
		field_done(&f->fields[i]);
	free(f->fields);
	for (size_t i = 0; i < f->n_sections; i++)
		i18n_done(&f->sections[i].title);
	free(f->sections);
	for (size_t i = 0; i < f->n_choice_sets; i++)
		choice_set_done(&f->choice_sets[i]);
	free(f->choice_sets);
	for (size_t i = 0; i < f->n_alerts; i++) {
		free(f->alerts[i].id);
		free(f->alerts[i].if_src);
		expr_free(f->alerts[i].cond);
		i18n_done(&f->alerts[i].message);
	}
	free(f->alerts);
	free(f->calc_order);
	free(f->id);
	free(f->path);
	i18n_done(&f->title);
	free(f->summary);
	free(f->reference);
	free(f);
}

static void reporting_free(reporting *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_deadlines; i++) {
		free(r->deadlines[i].period);
		i18n_done(&r->deadlines[i].label);
	}
	free(r->deadlines);
	for (size_t i = 0; i < r->n_thresholds; i++) {
		free(r->thresholds[i].id);
		i18n_done(&r->thresholds[i].label);
		free(r->thresholds[i].reference);
	}
	free(r->thresholds);
	free(r->path);
	free(r);
}

void formset_free(formset *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n_forms; i++)
		form_free(fs->forms[i]);
	free(fs->forms);
	reporting_free(fs->reporting);
	free(fs->dir);
	free(fs);
}

/* ---------------------------------------------------------------- a form file */

typedef struct {
	form *f;
	field_src *src;
	ynode *root;
	lctx ctx;
} loaded_form;

static form *read_form(lctx *c, const ynode *root, field_src **src_out)
{
	static const char *const keys[] = {"form",    "version",     "title",    "cardinality", "reference",
	                                   "summary", "choice_sets", "sections", "alerts",      NULL};
	if (!check_keys(c, root, "un formulaire", keys))
		return NULL;
	static const char *const required[] = {"version", "title", "sections", NULL};
	for (const char *const *k = required; *k; k++)
		if (!ytree_get(root, *k)) {
			ERR(c, root, "clé obligatoire « %s: » manquante", *k);
			return NULL;
		}
	form *f = xcalloc(1, sizeof *f);
	fbuild b = {.f = f};
	const ynode *v;
	bool ok = read_id(c, ytree_get(root, "form"), "identifiant de formulaire", &f->id);
	ok = ok && read_int(c, ytree_get(root, "version"), "version", 1, 1000000, &f->version);
	ok = ok && read_i18n(c, ytree_get(root, "title"), "title", &f->title);
	f->cardinality = CARD_REPEATED;
	if (ok && (v = ytree_get(root, "cardinality"))) {
		if (v->kind == Y_SCALAR && strcmp(v->str, "once") == 0)
			f->cardinality = CARD_ONCE;
		else if (!(v->kind == Y_SCALAR && strcmp(v->str, "repeated") == 0)) {
			ERR(c, v, "cardinality : once ou repeated attendu, trouvé « %s »",
			    v->kind == Y_SCALAR ? v->str : "?");
			ok = false;
		}
	}
	if (ok && (v = ytree_get(root, "reference")))
		ok = read_string(c, v, "reference", &f->reference);
	if (ok && (v = ytree_get(root, "summary")))
		ok = read_string(c, v, "summary", &f->summary);
	const ynode *sets = ytree_get(root, "choice_sets");
	size_t cap =
	    (sets && sets->kind == Y_MAP ? sets->n : 0) + count_inline_choices(ytree_get(root, "sections"));
	f->choice_sets = xcalloc(cap ? cap : 1, sizeof *f->choice_sets);
	if (ok && sets)
		ok = read_choice_sets(c, f, sets);
	if (ok)
		ok = read_sections(c, &b, ytree_get(root, "sections"));
	if (ok && (v = ytree_get(root, "alerts")))
		ok = read_alerts(c, f, v);
	for (size_t i = 0; ok && i < f->n_fields; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(f->fields[i].id, f->fields[j].id) == 0) {
				const field *a = &f->fields[i], *d = &f->fields[j];
				char *from = a->matrix ? xasprintf(" (matrice « %s », ligne %s × colonne %s)",
				                                   a->matrix, a->matrix_row, a->matrix_col)
				                       : xstrdup("");
				err_at(c, a->line, a->col,
				       "champ « %s »%s en double (déjà défini ligne %d%s)", a->id, from,
				       d->line, d->matrix ? " par une matrice" : "");
				free(from);
				ok = false;
				break;
			}
	if (!ok || c->count) {
		free(b.src);
		form_free(f);
		return NULL;
	}
	*src_out = b.src;
	return f;
}

static reporting *read_reporting(lctx *c, const ynode *root)
{
	static const char *const keys[] = {"reporting", "deadlines", "thresholds", "small_count_mask", NULL};
	static const char *const dkeys[] = {"period", "due", "year_offset", "label", NULL};
	static const char *const tkeys[] = {"id", "value", "label", "reference", NULL};
	if (!check_keys(c, root, "reporting.yaml", keys))
		return NULL;
	reporting *r = xcalloc(1, sizeof *r);
	r->small_count_mask = 4;
	const ynode *rv = ytree_get(root, "reporting");
	bool ok = want_kind(c, rv, Y_SCALAR, "reporting");
	if (ok && strcmp(rv->str, "1") != 0) {
		ERR(c, rv, "reporting : version 1 attendue (la seule connue), trouvé « %s »", rv->str);
		ok = false;
	}
	const ynode *v;
	if (ok && (v = ytree_get(root, "small_count_mask")))
		ok = read_int(c, v, "small_count_mask", 0, 100, &r->small_count_mask);
	if (ok && (v = ytree_get(root, "deadlines")) && (ok = want_kind(c, v, Y_SEQ, "deadlines"))) {
		r->deadlines = xcalloc(v->n ? v->n : 1, sizeof *r->deadlines);
		for (size_t i = 0; ok && i < v->n; i++) {
			const ynode *d = v->items[i];
			if (!(ok = want_kind(c, d, Y_MAP, "échéance") &&
			           check_keys(c, d, "une échéance", dkeys)))
				break;
			deadline_rule *dl = &r->deadlines[r->n_deadlines++];
			const ynode *p = ytree_get(d, "period"), *due = ytree_get(d, "due"),
			            *off = ytree_get(d, "year_offset"), *lab = ytree_get(d, "label");
			if (!p || !due) {
				ERR(c, d, "une échéance a besoin de period: et de due:");
				ok = false;
				break;
			}
			ok = read_string(c, p, "period", &dl->period);
			static const char *const periods[] = {"A",   "S1",  "S2",  "T1",  "T2",  "T3",  "T4",
			                                      "M01", "M02", "M03", "M04", "M05", "M06", "M07",
			                                      "M08", "M09", "M10", "M11", "M12", NULL};
			bool known = false;
			for (const char *const *q = periods; ok && *q; q++)
				known |= strcmp(dl->period, *q) == 0;
			if (ok && !known) {
				ERR(c, p, "période « %s » inconnue (A, S1, S2, T1…T4, M01…M12)", dl->period);
				ok = false;
			}
			int mo = 0, dd = 0;
			if (ok && (!want_kind(c, due, Y_SCALAR, "due") ||
			           sscanf(due->str, "%2d-%2d", &mo, &dd) != 2 || strlen(due->str) != 5 ||
			           mo < 1 || mo > 12 || dd < 1 || dd > 31)) {
				if (due->kind == Y_SCALAR)
					ERR(c, due, "due : date MM-JJ attendue, trouvé « %s »", due->str);
				ok = false;
			}
			dl->month = mo;
			dl->day = dd;
			if (ok && off)
				ok = read_int(c, off, "year_offset", 0, 1, &dl->year_offset);
			if (ok && lab)
				ok = read_i18n(c, lab, "label", &dl->label);
		}
	}
	if (ok && (v = ytree_get(root, "thresholds")) && (ok = want_kind(c, v, Y_SEQ, "thresholds"))) {
		r->thresholds = xcalloc(v->n ? v->n : 1, sizeof *r->thresholds);
		for (size_t i = 0; ok && i < v->n; i++) {
			const ynode *t = v->items[i];
			if (!(ok = want_kind(c, t, Y_MAP, "seuil") && check_keys(c, t, "un seuil", tkeys)))
				break;
			threshold *th = &r->thresholds[r->n_thresholds++];
			const ynode *id = ytree_get(t, "id"), *val = ytree_get(t, "value"),
			            *lab = ytree_get(t, "label"), *ref = ytree_get(t, "reference");
			if (!id || !val || !lab || !ref) {
				ERR(c, t, "un seuil a besoin de id:, value:, label: et reference:");
				ok = false;
				break;
			}
			ok = read_id(c, id, "identifiant de seuil", &th->id) &&
			     read_number(c, val, "value", &th->value) &&
			     read_i18n(c, lab, "label", &th->label) &&
			     read_string(c, ref, "reference", &th->reference);
			for (size_t j = 0; ok && j + 1 < r->n_thresholds; j++)
				if (strcmp(r->thresholds[j].id, th->id) == 0) {
					ERR(c, id, "seuil « %s » en double", th->id);
					ok = false;
				}
		}
	}
	if (!ok || c->count) {
		reporting_free(r);
		return NULL;
	}
	return r;
}

/* ---------------------------------------------------------------- expressions */

typedef struct {
	formset *fs;
	form *f;
	field_src *src;
	lctx *c;
	const ynode *root; /* the form's tree, for the positions of alert conditions */
	const form *patient;
	signed char *state; /* per field: 0 unchecked, 1 checking, 2 done, 3 failed (reported) */
	size_t *stack;      /* calculated fields being checked, outermost first */
	size_t depth;
	char *ref_why;   /* why the last reference could not be resolved, or NULL */
	bool dep_failed; /* ... because a calculated field it uses is wrong (already reported) */
} checker;

static vtype field_value_type(const field *fd)
{
	switch (fd->type) {
	case FT_TEXT:
		return T_STR;
	case FT_INTEGER:
	case FT_DECIMAL:
		return T_NUM;
	case FT_DATE:
		return T_DATE;
	case FT_YESNO:
		return T_BOOL;
	case FT_CHOICE:
		return fd->choices && fd->choices->numeric ? T_NUM : T_STR;
	case FT_MULTI:
		return T_SET;
	case FT_CALCULATED:
		return fd->vtype;
	case FT_NOTE:
		return T_ERROR;
	}
	return T_ERROR;
}

static bool check_calculated(checker *k, size_t i);

static vtype unresolved(checker *k, char *why)
{
	free(k->ref_why);
	k->ref_why = why;
	return T_ERROR;
}

static vtype resolve(void *ctx, const char *name, int *slot)
{
	checker *k = ctx;
	free(k->ref_why);
	k->ref_why = NULL;
	k->dep_failed = false;
	if (str_starts(name, "patient.")) {
		if (!k->patient)
			return unresolved(
			    k, xasprintf("« %s » introuvable : pas de formulaire patient (patient.yaml) à "
			                 "côté de ce fichier",
			                 name));
		long i = form_field_index(k->patient, name + 8);
		if (i < 0)
			return unresolved(
			    k, xasprintf("champ inconnu « %s » : le formulaire patient n'a pas de champ "
			                 "« %s »",
			                 name, name + 8));
		if (k->patient->fields[i].type == FT_NOTE)
			return unresolved(k, xasprintf("« %s » est une note : elle n'a pas de valeur", name));
		if (field_value_type(&k->patient->fields[i]) == T_ERROR)
			return unresolved(
			    k,
			    xasprintf("« %s » : ce champ calculé du formulaire patient est en erreur", name));
		*slot = SLOT_PATIENT_BASE + (int)i;
		return field_value_type(&k->patient->fields[i]);
	}
	if (str_starts(name, "seuil.")) {
		if (!k->fs->reporting)
			return unresolved(
			    k, xasprintf("seuil « %s » introuvable : pas de reporting.yaml à côté de ce "
			                 "fichier",
			                 name));
		for (size_t i = 0; i < k->fs->reporting->n_thresholds; i++)
			if (strcmp(k->fs->reporting->thresholds[i].id, name + 6) == 0) {
				*slot = SLOT_SEUIL_BASE + (int)i;
				return T_NUM;
			}
		return unresolved(
		    k, xasprintf("seuil inconnu « %s » (à définir sous thresholds: dans %s)", name,
		                 k->fs->reporting->path ? k->fs->reporting->path : "reporting.yaml"));
	}
	if (strcmp(name, "entry.date") == 0) {
		*slot = SLOT_ENTRY_DATE;
		return T_DATE;
	}
	long i = form_field_index(k->f, name);
	if (i < 0) {
		if (strchr(name, '.'))
			return unresolved(
			    k, xasprintf("champ inconnu « %s » (seuls patient.…, seuil.… et entry.date "
			                 "s'écrivent avec un point)",
			                 name));
		return unresolved(k, xasprintf("champ inconnu « %s »", name));
	}
	field *fd = &k->f->fields[i];
	if (fd->type == FT_NOTE)
		return unresolved(k, xasprintf("« %s » est une note : elle n'a pas de valeur", name));
	if (fd->type == FT_CALCULATED && k->state[i] != 2) {
		if (k->state[i] == 1) {
			/* The chain from the first use of this field back to it. */
			strbuf chain = STRBUF_INIT;
			size_t from = 0;
			while (from < k->depth && k->stack[from] != (size_t)i)
				from++;
			for (size_t d = from; d < k->depth; d++)
				strbuf_printf(&chain, "%s → ", k->f->fields[k->stack[d]].id);
			strbuf_puts(&chain, name);
			unresolved(k, xasprintf("référence circulaire entre champs calculés : %s",
			                        strbuf_str(&chain)));
			strbuf_done(&chain);
			return T_ERROR;
		}
		if (k->state[i] == 3 || !check_calculated(k, (size_t)i)) {
			unresolved(k, NULL);
			k->dep_failed = true;
			return T_ERROR;
		}
		/* Checking the other field reset the reason: nothing is wrong with this reference. */
		k->dep_failed = false;
	}
	*slot = (int)i;
	return field_value_type(fd);
}

/* Column of byte offset off of the source, as it appears in the YAML file: exact when the
 * scalar is written on one line and holds the source as is; else the scalar's own position. */
static int source_column(const ynode *at, const char *src, int off)
{
	if (!at)
		return 1;
	if (at->kind != Y_SCALAR || !at->str || strcmp(at->str, src) != 0 || strchr(src, '\n'))
		return at->col;
	int col = at->col + (at->quoted ? 1 : 0);
	/* Columns count characters, not bytes. */
	for (int b = 0; b < off && src[b]; b++)
		if (((unsigned char)src[b] & 0xC0) != 0x80)
			col++;
	return col;
}

/* Parse and check one expression source; reports at the YAML scalar's position plus offset. */
static expr *compile(checker *k, const char *src, const ynode *at, const char *what, vtype want, vtype *got)
{
	char *why = NULL;
	int col = 0;
	expr_scope scope = {resolve, k};
	free(k->ref_why);
	k->ref_why = NULL;
	k->dep_failed = false;
	expr *e = expr_parse(src, &why, &col);
	vtype t = T_ERROR;
	bool parsed = e != NULL;
	if (e) {
		t = expr_check(e, &scope, &why, &col);
		if (t == T_ERROR) {
			expr_free(e);
			e = NULL;
		}
	}
	int line = at ? at->line : 1;
	if (!e) {
		/* A reference to a wrong calculated field: that field's error was reported. */
		if (parsed && k->dep_failed)
			k->c->count++;
		else
			err_at(k->c, line, source_column(at, src, col), "%s : %s", what,
			       parsed && k->ref_why ? k->ref_why
			       : why                ? why
			                            : "expression invalide");
		free(k->ref_why);
		k->ref_why = NULL;
		k->dep_failed = false;
		free(why);
		return NULL;
	}
	free(why);
	if (want != T_ERROR && t != want) {
		err_at(k->c, line, source_column(at, src, 0),
		       "%s : condition oui/non attendue, mais l'expression donne une valeur de type %s", what,
		       vtype_name(t));
		expr_free(e);
		return NULL;
	}
	if (got)
		*got = t;
	return e;
}

static bool check_calculated(checker *k, size_t i)
{
	field *fd = &k->f->fields[i];
	k->state[i] = 1;
	k->stack[k->depth++] = i;
	vtype t = T_ERROR;
	char *what = xasprintf("expr de « %s »", fd->id);
	fd->calc = compile(k, fd->expr_src, ytree_get(k->src[i].node, "expr"), what, T_ERROR, &t);
	free(what);
	k->depth--;
	if (fd->calc && t == T_SET) {
		err_at(k->c, fd->line, fd->col, "%s : un champ calculé ne peut pas valoir une liste de choix",
		       fd->id);
		expr_free(fd->calc);
		fd->calc = NULL;
	}
	if (!fd->calc) {
		k->state[i] = 3;
		return false;
	}
	fd->vtype = t;
	k->state[i] = 2;
	k->f->calc_order[k->f->n_calc++] = i;
	return true;
}

static bool check_form_exprs(checker *k)
{
	form *f = k->f;
	bool ok = true;
	f->calc_order = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *f->calc_order);
	k->state = xcalloc(f->n_fields ? f->n_fields : 1, 1);
	k->stack = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *k->stack);
	for (size_t i = 0; i < f->n_fields; i++)
		if (f->fields[i].type == FT_CALCULATED && k->state[i] == 0 && !check_calculated(k, i))
			ok = false;
	for (size_t i = 0; ok && i < f->n_fields; i++) {
		field *fd = &f->fields[i];
		const ynode *n = k->src[i].node;
		if (fd->type == FT_NOTE)
			fd->vtype = T_ERROR;
		else if (fd->type != FT_CALCULATED)
			fd->vtype = field_value_type(fd);
		if (fd->show_if_src && !(fd->show_if = compile(k, fd->show_if_src, ytree_get(n, "show_if"),
		                                               "show_if", T_BOOL, NULL)))
			ok = false;
		if (fd->constraint_src &&
		    !(fd->constraint = compile(k, fd->constraint_src, ytree_get(n, "constraint"),
		                               "constraint", T_BOOL, NULL)))
			ok = false;
		if (fd->soft_src && !(fd->soft = compile(k, fd->soft_src, ytree_get(n, "soft_constraint"),
		                                         "soft_constraint", T_BOOL, NULL)))
			ok = false;
	}
	/* Alerts were read in order, one per item of alerts:, all of them or none. */
	const ynode *alerts = k->root ? ytree_get(k->root, "alerts") : NULL;
	for (size_t i = 0; ok && i < f->n_alerts; i++) {
		alert_rule *a = &f->alerts[i];
		const ynode *at = alerts && alerts->kind == Y_SEQ && i < alerts->n
		                      ? ytree_get(alerts->items[i], "if")
		                      : NULL;
		ynode fallback = {.kind = Y_MAP, .line = a->line, .col = a->col};
		char *what = xasprintf("alerte « %s »", a->id);
		if (!(a->cond = compile(k, a->if_src, at ? at : &fallback, what, T_BOOL, NULL)))
			ok = false;
		free(what);
	}
	free(k->state);
	k->state = NULL;
	free(k->stack);
	k->stack = NULL;
	free(k->ref_why);
	k->ref_why = NULL;
	return ok;
}

/* Placeholders of the summary template must name fields of the form. */
static bool check_summary(lctx *c, const form *f, const ynode *root)
{
	if (!f->summary)
		return true;
	const ynode *at = ytree_get(root, "summary");
	for (const char *p = f->summary; (p = strchr(p, '{'));) {
		const char *end = strchr(p, '}');
		int col = source_column(at, f->summary, (int)(p - f->summary));
		if (!end) {
			err_at(c, at->line, col, "summary : « { » sans « } »");
			return false;
		}
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		const field *fd = form_field(f, name);
		bool ok = fd && (!colon || strcmp(colon + 1, "label") == 0);
		if (!fd)
			err_at(c, at->line, col, "summary : « %s » n'est pas un champ du formulaire", name);
		else if (!ok)
			err_at(c, at->line, col,
			       "summary : « {%s:%s} » : seul « :label » est possible après le nom du champ",
			       name, colon + 1);
		free(name);
		if (!ok)
			return false;
		p = end + 1;
	}
	return true;
}

/* ---------------------------------------------------------------- sets */

typedef struct {
	char **paths;
	size_t n;
	bool *context; /* loaded to resolve references only; its errors are not reported */
} file_list;

static formset *load_list(const file_list *fl, char **errors)
{
	strbuf errs = STRBUF_INIT;
	formset *fs = xcalloc(1, sizeof *fs);
	loaded_form *lf = xcalloc(fl->n ? fl->n : 1, sizeof *lf);
	size_t nlf = 0;
	bool ok = true;
	for (size_t i = 0; i < fl->n; i++) {
		strbuf ctx_errs = STRBUF_INIT;
		lctx c = {.path = fl->paths[i], .errors = fl->context[i] ? &ctx_errs : &errs};
		char *why = NULL;
		ynode *root = ytree_load_file(fl->paths[i], &why);
		if (!root) {
			if (!fl->context[i])
				strbuf_printf(&errs, "%s\n", why);
			free(why);
			ok = ok && fl->context[i];
			strbuf_done(&ctx_errs);
			continue;
		}
		if (root->kind != Y_MAP) {
			ERR(&c, root,
			    "le fichier doit être un dictionnaire (form: … ou reporting: …), pas %s",
			    root->kind == Y_SEQ ? "une liste" : "une valeur simple");
		} else if (ytree_get(root, "reporting")) {
			reporting *r = read_reporting(&c, root);
			if (r && fs->reporting) {
				ERR(&c, root, "un seul fichier reporting est permis (déjà : %s)",
				    fs->reporting->path);
				reporting_free(r);
			} else if (r) {
				r->path = xstrdup(fl->paths[i]);
				fs->reporting = r;
			}
		} else if (ytree_get(root, "form")) {
			field_src *src = NULL;
			form *f = read_form(&c, root, &src);
			if (f) {
				f->path = xstrdup(fl->paths[i]);
				for (size_t j = 0; j < nlf; j++)
					if (strcmp(lf[j].f->id, f->id) == 0 && !fl->context[i]) {
						ERR(&c, ytree_get(root, "form"),
						    "formulaire « %s » déjà défini dans %s", f->id,
						    lf[j].f->path);
					}
				lf[nlf++] = (loaded_form){f, src, root, c};
				root = NULL;
			}
		} else if (ytree_get(root, "sections") || ytree_get(root, "version") ||
		           ytree_get(root, "title")) {
			ERR(&c, root, "clé obligatoire « form: » manquante (l'identifiant du formulaire)");
		} else {
			ERR(&c, root,
			    "ni « form: » ni « reporting: » : ce n'est pas un fichier de formulaire");
		}
		if (c.count && !fl->context[i])
			ok = false;
		ytree_free(root);
		strbuf_done(&ctx_errs);
	}
	/* Expressions need the patient form and the thresholds, so they are checked last. */
	const form *patient = NULL;
	for (size_t i = 0; i < nlf; i++)
		if (strcmp(lf[i].f->id, "patient") == 0)
			patient = lf[i].f;
	/* The patient form first: the others read the types of its calculated fields. */
	for (size_t n = 0; n < nlf; n++) {
		size_t i = n;
		if (patient) {
			size_t p = 0;
			while (lf[p].f != patient)
				p++;
			i = n == 0 ? p : (n <= p ? n - 1 : n);
		}
		size_t idx = 0;
		while (idx < fl->n && strcmp(fl->paths[idx], lf[i].f->path) != 0)
			idx++;
		bool ctx_only = idx < fl->n && fl->context[idx];
		strbuf ctx_errs = STRBUF_INIT;
		lf[i].ctx.errors = ctx_only ? &ctx_errs : &errs;
		lf[i].ctx.count = 0;
		checker k = {.fs = fs,
		             .f = lf[i].f,
		             .src = lf[i].src,
		             .c = &lf[i].ctx,
		             .root = lf[i].root,
		             .patient = patient};
		bool good = check_form_exprs(&k) && check_summary(&lf[i].ctx, lf[i].f, lf[i].root);
		if (!good && !ctx_only)
			ok = false;
		strbuf_done(&ctx_errs);
	}
	for (size_t i = 0; i < nlf; i++) {
		fs->forms = xrealloc(fs->forms, (fs->n_forms + 1) * sizeof *fs->forms);
		fs->forms[fs->n_forms++] = lf[i].f;
		free(lf[i].src);
		ytree_free(lf[i].root);
	}
	free(lf);
	if (!ok || errs.len) {
		formset_free(fs);
		if (errors)
			*errors = strbuf_take(&errs);
		else
			strbuf_done(&errs);
		return NULL;
	}
	strbuf_done(&errs);
	return fs;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted. Returns false with *why set if the directory is unreadable. */
static bool list_yaml(const char *dir, file_list *fl, bool context, char **why)
{
	DIR *d = opendir(dir);
	if (!d) {
		set_why(why, "%s:1:1: dossier de formulaires %s", dir,
		        errno == ENOENT    ? "introuvable"
		        : errno == ENOTDIR ? "attendu, ce n'est pas un dossier"
		        : errno == EACCES  ? "illisible (permission refusée)"
		                           : "illisible");
		return false;
	}
	struct dirent *de;
	size_t first = fl->n;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		fl->paths = xrealloc(fl->paths, (fl->n + 1) * sizeof *fl->paths);
		fl->context = xrealloc(fl->context, (fl->n + 1) * sizeof *fl->context);
		fl->paths[fl->n] = xasprintf("%s/%s", dir, de->d_name);
		fl->context[fl->n++] = context;
	}
	closedir(d);
	if (fl->n > first)
		qsort(fl->paths + first, fl->n - first, sizeof *fl->paths, cmp_str);
	return true;
}

static void file_list_done(file_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	free(fl->paths);
	free(fl->context);
}

formset *formset_load_dir(const char *dir, char **errors)
{
	file_list fl = {0};
	if (!list_yaml(dir, &fl, false, errors)) {
		if (errors && *errors) {
			char *e = xasprintf("%s\n", *errors);
			free(*errors);
			*errors = e;
		}
		return NULL;
	}
	if (fl.n == 0) {
		set_why(errors, "%s:1:1: aucun fichier .yaml dans ce dossier\n", dir);
		file_list_done(&fl);
		return NULL;
	}
	formset *fs = load_list(&fl, errors);
	if (fs)
		fs->dir = xstrdup(dir);
	file_list_done(&fl);
	return fs;
}

formset *formset_load_files(const char *const *paths, size_t n, const char *context_dir, char **errors)
{
	file_list fl = {0};
	for (size_t i = 0; i < n; i++) {
		fl.paths = xrealloc(fl.paths, (fl.n + 1) * sizeof *fl.paths);
		fl.context = xrealloc(fl.context, (fl.n + 1) * sizeof *fl.context);
		fl.paths[fl.n] = xstrdup(paths[i]);
		fl.context[fl.n++] = false;
	}
	if (context_dir) {
		/* Other files of the directory resolve patient.* and seuil.* for the files checked. */
		file_list ctx = {0};
		if (list_yaml(context_dir, &ctx, true, NULL)) {
			for (size_t i = 0; i < ctx.n; i++) {
				bool dup = false;
				for (size_t j = 0; j < n; j++) {
					const char *a = strrchr(paths[j], '/'),
					           *b = strrchr(ctx.paths[i], '/');
					dup |= strcmp(a ? a + 1 : paths[j], b ? b + 1 : ctx.paths[i]) == 0;
				}
				if (dup)
					continue;
				fl.paths = xrealloc(fl.paths, (fl.n + 1) * sizeof *fl.paths);
				fl.context = xrealloc(fl.context, (fl.n + 1) * sizeof *fl.context);
				fl.paths[fl.n] = xstrdup(ctx.paths[i]);
				fl.context[fl.n++] = true;
			}
		}
		file_list_done(&ctx);
	}
	formset *fs = load_list(&fl, errors);
	file_list_done(&fl);
	return fs;
}

/* ---------------------------------------------------------------- look-ups */

const form *formset_form(const formset *fs, const char *id)
{
	for (size_t i = 0; i < fs->n_forms; i++)
		if (strcmp(fs->forms[i]->id, id) == 0)
			return fs->forms[i];
	return NULL;
}

long form_field_index(const form *f, const char *id)
{
	for (size_t i = 0; i < f->n_fields; i++)
		if (strcmp(f->fields[i].id, id) == 0)
			return (long)i;
	return -1;
}

const field *form_field(const form *f, const char *id)
{
	long i = form_field_index(f, id);
	return i < 0 ? NULL : &f->fields[i];
}

const choice *field_choice(const field *fd, const char *code)
{
	if (!fd->choices)
		return NULL;
	for (size_t i = 0; i < fd->choices->n; i++)
		if (strcmp(fd->choices->items[i].code, code) == 0)
			return &fd->choices->items[i];
	return NULL;
}

double reporting_threshold(const reporting *r, const char *id, bool *found)
{
	for (size_t i = 0; r && i < r->n_thresholds; i++)
		if (strcmp(r->thresholds[i].id, id) == 0) {
			if (found)
				*found = true;
			return r->thresholds[i].value;
		}
	if (found)
		*found = false;
	return 0;
}
