/* form_field.c — one field of a form file read into the model through the field key table: its
 * type, labels, limits, pattern, choice list, missing codes, default and expression sources,
 * each checked against the type; the names of field types and missing codes as written in
 * YAML, and how the database stores each type. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/form_internal.h"
#include "core/reserved.h"

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
		if (strcasecmp(s, missing_table[i].name) == 0) /* ".NSP" typed with Caps Lock too */
			return missing_table[i].code;
	return MISS_NONE;
}

const char *field_storage_type(const field *fd)
{
	switch (fd->type) {
	case FT_INTEGER:
	case FT_YESNO:
		return "INTEGER";
	case FT_DECIMAL:
		return "REAL";
	case FT_CHOICE:
		return fd->choices && fd->choices->numeric ? "INTEGER" : "TEXT";
	case FT_CALCULATED:
		if (fd->vtype == T_BOOL || (fd->vtype == T_NUM && fd->decimals == 0))
			return "INTEGER";
		return fd->vtype == T_NUM ? "REAL" : "TEXT";
	case FT_NOTE:
		return NULL;
	default:
		return "TEXT";
	}
}

const char *field_patient_label(const field *fd, const char *lang)
{
	return i18n_get(fd->label_patient.fr ? &fd->label_patient : &fd->label, lang);
}

const char *choice_patient_label(const choice *ch, const char *lang)
{
	return i18n_get(ch->label_patient.fr ? &ch->label_patient : &ch->label, lang);
}

bool field_self_question(const field *fd)
{
	return (fd->type == FT_CHOICE || fd->type == FT_YESNO) && !fd->identifier;
}

/* ---------------------------------------------------------------- choices */

enum { CK_VALUE, CK_LABEL, CK_EXCLUSIVE, CK_LABEL_PATIENT };
static const ykey choice_keys[] = {
    [CK_VALUE] = {"value", YK_OTHER, .required = true},
    [CK_LABEL] = {"label", YK_I18N, .required = true, .at = offsetof(choice, label)},
    [CK_EXCLUSIVE] = {"exclusive", YK_BOOL, .at = offsetof(choice, exclusive)},
    [CK_LABEL_PATIENT] = {"label_patient", YK_I18N, .at = offsetof(choice, label_patient)},
};
const ykey_table ykeys_choice =
    YKEY_TABLE("une réponse", choice_keys, "une réponse a besoin de value: et de label:");

/* Codes are all integers (then also kept as numbers) or all words; mixed lists are refused,
 * naming the first code that is not of the same kind as the first one. */
static bool check_codes_kind(load_ctx *c, const ynode *n, const char *what, const choice_set *set)
{
	long long iv;
	bool first_int = parse_integer(set->items[0].code, &iv);
	for (size_t i = 1; i < set->n; i++)
		if (parse_integer(set->items[i].code, &iv) != first_int) {
			YERR(c, ytree_get(n->items[i], "value"),
			     "%s : code « %s » : les codes d'une liste doivent être tous des entiers ou "
			     "tous des mots (« %s » est %s)",
			     what, set->items[i].code, set->items[0].code,
			     first_int ? "un entier" : "un mot");
			return false;
		}
	return true;
}

bool form_read_choices(load_ctx *c, const ynode *n, const char *what, choice_set *set)
{
	if (!yread_kind(c, n, Y_SEQ, what))
		return false;
	if (n->n == 0) {
		YERR(c, n, "%s : la liste des réponses est vide", what);
		return false;
	}
	set->items = xcalloc(n->n, sizeof *set->items);
	set->numeric = true;
	bool ok = true;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *it = n->items[i];
		ymap m;
		if (!ymap_open_entry(&m, c, it, "réponse", &ykeys_choice, NULL)) {
			ok = false;
			continue;
		}
		const ynode *v = m.v[CK_VALUE];
		if (!yread_kind(c, v, Y_SCALAR, "value")) {
			ok = false;
			continue;
		}
		choice *ch = &set->items[set->n++];
		ch->code = xstrdup(v->str);
		m.obj = ch;
		if (!ymap_read(&m, CK_LABEL) || !ymap_read(&m, CK_EXCLUSIVE) ||
		    !ymap_read(&m, CK_LABEL_PATIENT))
			ok = false;
		long long iv;
		if (parse_integer(v->str, &iv) && strlen(v->str) < 10) {
			ch->num = (double)iv;
		} else {
			set->numeric = false;
			if (!form_id_valid(v->str, true)) {
				YERR(c, v,
				     "code de réponse « %s » invalide : un entier, ou lettres sans accent, "
				     "chiffres et _",
				     v->str);
				ok = false;
			}
		}
		for (size_t j = 0; j + 1 < set->n; j++)
			if (strcmp(set->items[j].code, ch->code) == 0) {
				YERR(c, v, "code de réponse « %s » en double", ch->code);
				ok = false;
			}
	}
	if (ok && !set->numeric)
		ok = check_codes_kind(c, n, what, set);
	return ok;
}

void choice_set_done(choice_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].code);
		i18n_done(&s->items[i].label);
		i18n_done(&s->items[i].label_patient);
	}
	free(s->items);
	free(s->name);
}

const choice_set *form_choice_set(const form *f, const char *name)
{
	for (size_t i = 0; i < f->n_choice_sets; i++)
		if (strcmp(f->choice_sets[i].name, name) == 0)
			return &f->choice_sets[i];
	return NULL;
}

/* A field's choices: the name of a list of choice_sets:, or a list of its own, kept as an
 * extra, unnamed choice set owned by the form. */
static const choice_set *read_field_choices(load_ctx *c, form *f, const ynode *n)
{
	if (n->kind == Y_SCALAR) {
		const choice_set *set = form_choice_set(f, n->str);
		if (!set)
			YERR(c, n, "liste de réponses « %s » inconnue (à définir sous choice_sets:)", n->str);
		return set;
	}
	choice_set tmp = {0};
	if (!form_read_choices(c, n, "choices", &tmp)) {
		choice_set_done(&tmp);
		return NULL;
	}
	/* choice_sets never moves after loading sections: it was sized to hold these too. */
	f->choice_sets[f->n_choice_sets] = tmp;
	f->choice_sets[f->n_choice_sets].name = xasprintf("#%zu", f->n_choice_sets);
	return &f->choice_sets[f->n_choice_sets++];
}

/* ---------------------------------------------------------------- the field table */

/* The keys of a field, in the order that messages list them. */
enum {
	FK_ID,
	FK_TYPE,
	FK_LABEL,
	FK_LABEL_PATIENT,
	FK_HELP,
	FK_REQUIRED,
	FK_MIN,
	FK_MAX,
	FK_PATTERN,
	FK_SHOW_IF,
	FK_CONSTRAINT,
	FK_MESSAGE,
	FK_SOFT,
	FK_SOFT_MESSAGE,
	FK_DEFAULT,
	FK_UNIT,
	FK_IDENTIFIER,
	FK_EXPORT,
	FK_CHOICES,
	FK_EXPR,
	FK_DECIMALS,
	FK_SKIPPED,
	FK_MISSING,
	FK_ORDINAL,
	FK_TREND,
};

#define AT(member) .at = offsetof(field, member)
static const ykey field_keys[] = {
    [FK_ID] = {"id", YK_ID, .required = true, AT(id), .what = "identifiant de champ"},
    [FK_TYPE] = {"type", YK_OTHER, .required = true},
    [FK_LABEL] = {"label", YK_OTHER, .required = true},
    [FK_LABEL_PATIENT] = {"label_patient", YK_I18N, AT(label_patient)},
    [FK_HELP] = {"help", YK_I18N, AT(help)},
    [FK_REQUIRED] = {"required", YK_BOOL, AT(required)},
    [FK_MIN] = {"min", YK_OTHER},
    [FK_MAX] = {"max", YK_OTHER},
    [FK_PATTERN] = {"pattern", YK_OTHER},
    [FK_SHOW_IF] = {"show_if", YK_EXPR, AT(show_if_src)},
    [FK_CONSTRAINT] = {"constraint", YK_EXPR, AT(constraint_src)},
    [FK_MESSAGE] = {"message", YK_I18N, AT(message)},
    [FK_SOFT] = {"soft_constraint", YK_EXPR, AT(soft_src)},
    [FK_SOFT_MESSAGE] = {"soft_message", YK_I18N, AT(soft_message)},
    [FK_DEFAULT] = {"default", YK_STRING, AT(default_value)},
    [FK_UNIT] = {"unit", YK_STRING, AT(unit)},
    [FK_IDENTIFIER] = {"identifier", YK_BOOL, AT(identifier)},
    [FK_EXPORT] = {"export", YK_BOOL, AT(exported)},
    [FK_CHOICES] = {"choices", YK_OTHER},
    [FK_EXPR] = {"expr", YK_EXPR, AT(expr_src)},
    [FK_DECIMALS] = {"decimals", YK_INT, AT(decimals), .lo = 0, .hi = 6},
    [FK_SKIPPED] = {"skipped_value", YK_NUMBER, AT(skip_value)},
    [FK_MISSING] = {"missing_codes", YK_OTHER},
    [FK_ORDINAL] = {"ordinal", YK_BOOL, AT(ordinal)},
    [FK_TREND] = {"trend", YK_STRING, AT(trend)},
};
#undef AT
const ykey_table ykeys_field = YKEY_TABLE("un champ", field_keys, NULL);

static bool is_input(field_type t)
{
	return t != FT_CALCULATED && t != FT_NOTE;
}

static field *new_field(form_build *b, const ynode *node)
{
	form *f = b->f;
	if (f->n_fields == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		f->fields = xrealloc(f->fields, b->cap * sizeof *f->fields);
		b->src->fields = xrealloc(b->src->fields, b->cap * sizeof *b->src->fields);
	}
	field *fd = &f->fields[f->n_fields];
	memset(fd, 0, sizeof *fd);
	memset(&b->src->fields[f->n_fields], 0, sizeof *b->src->fields);
	f->n_fields++;
	fd->exported = true;
	fd->decimals = -1;
	fd->missing_allowed = MISS_ALL;
	fd->line = node->line;
	fd->col = node->col;
	return fd;
}

static bool read_type(load_ctx *c, const ynode *n, field_type *out)
{
	if (!yread_kind(c, n, Y_SCALAR, "type"))
		return false;
	for (size_t i = 0; i < sizeof type_names / sizeof *type_names; i++)
		if (strcmp(n->str, type_names[i]) == 0) {
			*out = (field_type)i;
			return true;
		}
	YERR(c, n,
	     "type de champ inconnu « %s » (types possibles : text, integer, decimal, date, "
	     "yesno, choice, multi, calculated, note)",
	     n->str);
	return false;
}

/* min: or max: — a number, a date for date fields, a length in characters for text fields. */
static bool read_limit(load_ctx *c, field *fd, const ynode *n, const char *key, double *out)
{
	if (fd->type == FT_DATE) {
		long days;
		if (!yread_kind(c, n, Y_SCALAR, key))
			return false;
		if (!date_parse(n->str, &days)) {
			YERR(c, n, "%s : date AAAA-MM-JJ attendue, trouvé « %s »", key, n->str);
			return false;
		}
		*out = (double)days;
		return true;
	}
	if (fd->type == FT_TEXT) {
		int len;
		if (!yread_int(c, n, key, 0, 100000, &len))
			return false;
		*out = len;
		return true;
	}
	if (fd->type != FT_INTEGER && fd->type != FT_DECIMAL) {
		YERR(c, n, "%s n'a pas de sens pour un champ %s", key, field_type_name(fd->type));
		return false;
	}
	return yread_number(c, n, key, out);
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

static bool read_pattern(load_ctx *c, field *fd, const ynode *v)
{
	if (fd->type != FT_TEXT) {
		YERR(c, v, "pattern ne s'applique qu'aux champs text");
		return false;
	}
	if (!yread_string(c, v, "pattern", &fd->pattern))
		return false;
	/* The bare pattern must compile on its own: "a)|(.*" would otherwise escape the anchors
	 * once wrapped as ^(…)$. */
	regex_t bare;
	int rc = regcomp(&bare, fd->pattern, REG_EXTENDED | REG_NOSUB);
	if (rc == 0) {
		regfree(&bare);
		char *anchored = xasprintf("^(%s)$", fd->pattern);
		rc = regcomp(&fd->pattern_re, anchored, REG_EXTENDED | REG_NOSUB);
		free(anchored);
	}
	if (rc != 0) {
		YERR(c, v, "pattern invalide : %s", regex_problem(rc));
		free(fd->pattern);
		fd->pattern = NULL;
		return false;
	}
	return true;
}

static bool read_missing_codes(load_ctx *c, field *fd, const ynode *n)
{
	if (!yread_kind(c, n, Y_SEQ, "missing_codes"))
		return false;
	fd->missing_allowed = 0;
	for (size_t i = 0; i < n->n; i++) {
		const ynode *it = n->items[i];
		if (!yread_kind(c, it, Y_SCALAR, "missing_codes"))
			return false;
		size_t k = 0;
		while (k < 3 && strcmp(it->str, missing_table[k].key) != 0)
			k++;
		if (k == 3) {
			YERR(c, it,
			     "code manquant inconnu « %s » (codes possibles : refus, nsp, non_demande)",
			     it->str);
			return false;
		}
		fd->missing_allowed |= missing_table[k].code;
	}
	return true;
}

/* choices:, expr: and default: — each applies to some types only; choices: and expr: are
 * required by the types that use them. */
static bool read_typed_keys(load_ctx *c, form_build *b, field *fd, ymap *m)
{
	bool ok = true;
	const ynode *v;
	if ((v = m->v[FK_CHOICES])) {
		/* On a calculated field: the codes its expression yields, with their labels. */
		if (fd->type != FT_CHOICE && fd->type != FT_MULTI && fd->type != FT_CALCULATED) {
			YERR(c, v, "choices ne s'applique qu'aux champs choice, multi et calculated");
			ok = false;
		} else if (!(fd->choices = read_field_choices(c, b->f, v))) {
			ok = false;
		}
	} else if (fd->type == FT_CHOICE || fd->type == FT_MULTI) {
		YERR(c, m->map, "champ « %s » : choices: manquant", fd->id);
		ok = false;
	}
	/* Whether the codes are ordered (a scale): said by ordinal:, else true for numeric codes,
	 * which in these forms are scores. Exports use it for ordered factors. */
	if ((v = m->v[FK_ORDINAL])) {
		if (!fd->choices || fd->type == FT_MULTI) {
			YERR(c, v,
			     "ordinal ne s'applique qu'aux champs choice et calculated ayant des choices");
			ok = false;
		} else if (!ymap_read(m, FK_ORDINAL)) {
			ok = false;
		}
	} else {
		fd->ordinal = fd->choices && fd->type != FT_MULTI && fd->choices->numeric;
	}
	if ((v = m->v[FK_EXPR])) {
		if (fd->type != FT_CALCULATED) {
			YERR(c, v, "expr ne s'applique qu'aux champs calculated");
			ok = false;
		} else if (!ymap_read(m, FK_EXPR)) {
			ok = false;
		}
	} else if (fd->type == FT_CALCULATED) {
		YERR(c, m->map, "champ calculé « %s » : expr: manquant", fd->id);
		ok = false;
	}
	if ((v = m->v[FK_DEFAULT])) {
		/* checked against the type once choices are known, in check_default() */
		if (!is_input(fd->type)) {
			YERR(c, v, "default n'a pas de sens pour un champ %s", field_type_name(fd->type));
			ok = false;
		} else if (!ymap_read(m, FK_DEFAULT)) {
			ok = false;
		}
	}
	return ok;
}

/* Reads the keys that need the type to be known, in an order that puts each rule that links two
 * keys right after the second of them. Goes on after a problem, to report them all. */
static bool read_field_attrs(load_ctx *c, form_build *b, field *fd, ymap *m)
{
	bool ok = true;
	ok = ymap_read(m, FK_HELP) && ok;
	if (m->v[FK_LABEL_PATIENT] && fd->type != FT_CHOICE && fd->type != FT_YESNO && fd->type != FT_NOTE) {
		YERR(c, m->v[FK_LABEL_PATIENT],
		     "label_patient ne s'applique qu'aux questions choice et yesno et aux notes (ce que le "
		     "patient lit dans un auto-questionnaire)");
		ok = false;
	} else {
		ok = ymap_read(m, FK_LABEL_PATIENT) && ok;
	}
	ok = ymap_read(m, FK_REQUIRED) && ok;
	ok = ymap_read(m, FK_IDENTIFIER) && ok;
	ok = ymap_read(m, FK_EXPORT) && ok;
	ok = ymap_read(m, FK_UNIT) && ok;
	ok = ymap_read(m, FK_TREND) && ok;
	const ynode *lo = m->v[FK_MIN], *hi = m->v[FK_MAX];
	if (lo) {
		ok = read_limit(c, fd, lo, "min", &fd->min) && ok;
		fd->has_min = true;
	}
	if (hi) {
		ok = read_limit(c, fd, hi, "max", &fd->max) && ok;
		fd->has_max = true;
	}
	if (ok && lo && hi && fd->min > fd->max) {
		YERR(c, lo, "min (%s) est plus grand que max (%s)", lo->str, hi->str);
		ok = false;
	}
	if (m->v[FK_PATTERN])
		ok = read_pattern(c, fd, m->v[FK_PATTERN]) && ok;
	ok = ymap_read(m, FK_SHOW_IF) && ok;
	ok = ymap_read(m, FK_CONSTRAINT) && ok;
	ok = ymap_read(m, FK_MESSAGE) && ok;
	if (fd->constraint_src && !fd->message.fr) {
		YERR(c, m->v[FK_CONSTRAINT], "constraint sans message: (dire la règle à l'utilisateur)");
		ok = false;
	}
	ok = ymap_read(m, FK_SOFT) && ok;
	ok = ymap_read(m, FK_SOFT_MESSAGE) && ok;
	if (fd->soft_src && !fd->soft_message.fr) {
		YERR(c, m->v[FK_SOFT], "soft_constraint sans soft_message:");
		ok = false;
	}
	ok = ymap_read(m, FK_DECIMALS) && ok;
	if (m->v[FK_SKIPPED]) {
		ok = ymap_read(m, FK_SKIPPED) && ok;
		fd->has_skip_value = true;
		if (!m->v[FK_SHOW_IF]) {
			YERR(c, m->v[FK_SKIPPED], "skipped_value sans show_if : le champ n'est jamais sauté");
			ok = false;
		}
	}
	if (m->v[FK_MISSING] && !read_missing_codes(c, fd, m->v[FK_MISSING]))
		ok = false;
	if (!is_input(fd->type))
		fd->missing_allowed = 0;
	ok = read_typed_keys(c, b, fd, m) && ok;
	if (fd->required && !is_input(fd->type)) {
		YERR(c, m->v[FK_REQUIRED], "required n'a pas de sens pour un champ %s",
		     field_type_name(fd->type));
		ok = false;
	}
	return ok;
}

static bool check_default(load_ctx *c, const field *fd, const ynode *v)
{
	const char *d = fd->default_value;
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
		YERR(c, v, "default « %s » n'est pas un code de réponse de ce champ (codes : %s%s)", d,
		     strbuf_str(&codes), fd->choices->n > 12 ? "…" : "");
		strbuf_done(&codes);
	} else if (!ok) {
		static const char *const hints[FT_NOTE + 1] = {[FT_INTEGER] = "un entier",
		                                               [FT_DECIMAL] = "un nombre, point décimal",
		                                               [FT_DATE] = "AAAA-MM-JJ ou today",
		                                               [FT_YESNO] = "0 ou 1"};
		YERR(c, v, "default « %s » n'est pas une valeur possible pour ce champ %s (%s)", d,
		     field_type_name(fd->type), hints[fd->type] ? hints[fd->type] : "?");
	}
	return ok;
}

/* The field's label; a matrix column's is "<row label> — <column label>". */
static bool read_label(load_ctx *c, field *fd, const ynode *n, const i18n *prefix)
{
	i18n lab = {0};
	if (!yread_i18n(c, n, "label", &lab))
		return false;
	if (!prefix) {
		fd->label = lab;
		return true;
	}
	fd->label.fr = xasprintf("%s — %s", prefix->fr, lab.fr);
	if (prefix->en || lab.en)
		fd->label.en =
		    xasprintf("%s — %s", prefix->en ? prefix->en : prefix->fr, lab.en ? lab.en : lab.fr);
	i18n_done(&lab);
	return true;
}

bool form_read_field(load_ctx *c, form_build *b, const ynode *n, const char *row, const char *id_override,
                     const i18n *label_prefix)
{
	ymap m;
	if (!ymap_open(&m, c, n, &ykeys_field, NULL, row))
		return false;
	const ynode *idn = m.v[FK_ID];
	int missing = ymap_missing(&m);
	if (missing == FK_ID) {
		YERR(c, n, "champ sans id:");
		return false;
	}
	if (missing >= 0) {
		YERR(c, n, "champ « %s » : %s: manquant", idn->kind == Y_SCALAR ? idn->str : "?",
		     field_keys[missing].name);
		return false;
	}
	if (b->f->n_fields == FORM_MAX_FIELDS) {
		YERR(c, n, "trop de champs : un formulaire en a au plus %d (matrices développées comprises)",
		     FORM_MAX_FIELDS);
		return false;
	}
	field *fd = new_field(b, n);
	field_src *src = &b->src->fields[b->f->n_fields - 1];
	src->expr = m.v[FK_EXPR];
	src->show_if = m.v[FK_SHOW_IF];
	src->constraint = m.v[FK_CONSTRAINT];
	src->soft = m.v[FK_SOFT];
	m.obj = fd;
	fd->section = (int)b->f->n_sections - 1;
	if (id_override) {
		fd->id = xstrdup(id_override);
		if (!form_id_valid(fd->id, false)) {
			YERR(c, idn,
			     "identifiant « %s » invalide (lettres minuscules, chiffres, _, %d "
			     "caractères au plus)",
			     fd->id, FORM_MAX_ID_LEN);
			return false;
		}
	} else if (!ymap_read(&m, FK_ID)) {
		return false;
	}
	const reserved_name *r = reserved_lookup(fd->id, RESERVED_FIELD);
	if (r) {
		YERR(c, idn, "champ « %s » : nom réservé (%s) ; choisir un autre identifiant", fd->id,
		     r->why);
		return false;
	}
	if (!read_type(c, m.v[FK_TYPE], &fd->type) || !read_label(c, fd, m.v[FK_LABEL], label_prefix) ||
	    !read_field_attrs(c, b, fd, &m))
		return false;
	return !fd->default_value || check_default(c, fd, m.v[FK_DEFAULT]);
}

void field_done(field *fd)
{
	free(fd->id);
	i18n_done(&fd->label);
	i18n_done(&fd->label_patient);
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
	free(fd->trend);
	free(fd->expr_src);
	expr_free(fd->calc);
	free(fd->matrix);
	free(fd->matrix_row);
	free(fd->matrix_col);
}
