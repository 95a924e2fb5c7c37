/* record.c — typed values of one entry, skip logic and calculated fields. */
#include "core/record.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"

record *record_new(const formset *fs, const form *f, long date)
{
	record *r = xcalloc(1, sizeof *r);
	r->fs = fs;
	r->f = f;
	r->vals = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *r->vals);
	r->date = date;
	r->today = date_today();
	for (size_t i = 0; i < f->n_fields; i++)
		r->vals[i].visible = true;
	return r;
}

void record_free(record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->f->n_fields; i++)
		free(r->vals[i].text);
	free(r->vals);
	if (r->owns_patient)
		record_free((record *)r->patient);
	free(r);
}

static void set_text(fvalue *fv, char *text, missing_code missing)
{
	free(fv->text);
	fv->text = text;
	fv->missing = missing;
}

/* Build the typed value of a canonical text for a field. */
static value typed(const field *fd, const char *text)
{
	if (!text)
		return value_missing();
	double x;
	long days;
	switch (fd->vtype) {
	case T_NUM:
		return parse_decimal(text, &x) ? value_num(x) : value_missing();
	case T_BOOL:
		return value_bool(strcmp(text, "1") == 0);
	case T_DATE:
		return date_parse(text, &days) ? value_date(days) : value_missing();
	case T_STR:
		return value_str(text);
	case T_SET:
		return value_set(text);
	case T_ERROR:
		break;
	}
	return value_missing();
}

void record_set_raw(record *r, size_t idx, const char *text, missing_code missing)
{
	fvalue *fv = &r->vals[idx];
	set_text(fv, text ? xstrdup(text) : NULL, missing);
	fv->v = typed(&r->f->fields[idx], fv->text);
}

static bool parse_yesno(const char *s, bool *out)
{
	static const char *yes[] = {"1", "oui", "o", "yes", "y", "true", "Oui", "O", NULL};
	static const char *no[] = {"0", "non", "n", "no", "false", "Non", "N", NULL};
	for (const char **p = yes; *p; p++)
		if (strcmp(s, *p) == 0)
			return *out = true;
	for (const char **p = no; *p; p++)
		if (strcmp(s, *p) == 0)
			return !(*out = false);
	return false;
}

static void codes_list(const field *fd, strbuf *sb)
{
	for (size_t i = 0; i < fd->choices->n && i < 12; i++)
		strbuf_printf(sb, "%s%s", i ? ", " : "", fd->choices->items[i].code);
	if (fd->choices->n > 12)
		strbuf_puts(sb, ", …");
}

static bool bad(char **why, const field *fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool bad(char **why, const field *fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_why(why, "%s : %s", fd->id, msg);
	free(msg);
	return false;
}

/* The bounds are formatted only once a value is out of them: this runs for every value typed
 * or imported, and formatting them each time was about a tenth of an import's work. */
static bool check_limits(const field *fd, double x, char **why, const char *what)
{
	if (!((fd->has_min && x < fd->min) || (fd->has_max && x > fd->max)))
		return true;
	char lo[40], hi[40];
	format_number(fd->min, -1, lo, sizeof lo);
	format_number(fd->max, -1, hi, sizeof hi);
	if (fd->has_min && fd->has_max && (x < fd->min || x > fd->max))
		return bad(why, fd, "%s hors de [%s, %s]", what, lo, hi);
	if (fd->has_min && x < fd->min)
		return bad(why, fd, "%s inférieur au minimum %s", what, lo);
	if (fd->has_max && x > fd->max)
		return bad(why, fd, "%s supérieur au maximum %s", what, hi);
	return true;
}

/* Parse a multiple choice "a b" or "a,b" into canonical order. */
static char *parse_multi(const field *fd, const char *text, char **why)
{
	char *copy = xstrdup(text);
	bool *sel = xcalloc(fd->choices->n, sizeof *sel);
	char *save = NULL;
	for (char *tok = strtok_r(copy, " ,;", &save); tok; tok = strtok_r(NULL, " ,;", &save)) {
		size_t i = 0;
		while (i < fd->choices->n && strcmp(fd->choices->items[i].code, tok) != 0)
			i++;
		if (i == fd->choices->n) {
			strbuf sb = STRBUF_INIT;
			codes_list(fd, &sb);
			bad(why, fd, "code « %s » inconnu (codes possibles : %s)", tok, strbuf_str(&sb));
			strbuf_done(&sb);
			free(copy);
			free(sel);
			return NULL;
		}
		sel[i] = true;
	}
	/* An exclusive answer ("aucune", "ne sait pas") is the only one, or it is refused. */
	size_t n_sel = 0, excl = fd->choices->n;
	for (size_t i = 0; i < fd->choices->n; i++) {
		n_sel += sel[i];
		if (sel[i] && fd->choices->items[i].exclusive && excl == fd->choices->n)
			excl = i;
	}
	if (excl < fd->choices->n && n_sel > 1) {
		const choice *ch = &fd->choices->items[excl];
		bad(why, fd, "« %s » (%s) exclut toute autre réponse", ch->label.fr, ch->code);
		free(copy);
		free(sel);
		return NULL;
	}
	strbuf out = STRBUF_INIT;
	strbuf_add(&out, "", 0);
	for (size_t i = 0; i < fd->choices->n; i++)
		if (sel[i])
			strbuf_printf(&out, "%s%s", out.len ? " " : "", fd->choices->items[i].code);
	free(copy);
	free(sel);
	return strbuf_take(&out);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Parse and check text for fd; returns the canonical text (caller frees) or NULL with *why. */
static char *canonical(const field *fd, const char *text, char **why)
{
	char buf[64];
	long long iv;
	double x;
	long days;
	bool b;
	switch (fd->type) {
	case FT_TEXT:
		if (!utf8_valid(text, strlen(text)))
			return bad(why, fd, "texte qui n'est pas de l'UTF-8 valide"), NULL;
		if (!check_limits(fd, (double)utf8_chars(text), why, "longueur"))
			return NULL;
		if (!fd->has_max && utf8_chars(text) > 4000)
			return bad(why, fd, "texte trop long (4000 caractères au plus)"), NULL;
		if (fd->pattern && regexec(&fd->pattern_re, text, 0, NULL, 0) != 0)
			return bad(why, fd, "« %s » ne suit pas le format attendu (%s)", text, fd->pattern),
			       NULL;
		return xstrdup(text);
	case FT_INTEGER:
		if (!parse_integer(text, &iv) || iv > 1000000000LL || iv < -1000000000LL)
			return bad(why, fd, "nombre entier attendu, trouvé « %s »", text), NULL;
		if (!check_limits(fd, (double)iv, why, "valeur"))
			return NULL;
		snprintf(buf, sizeof buf, "%lld", iv);
		return xstrdup(buf);
	case FT_DECIMAL:
		if (!parse_decimal(text, &x))
			return bad(why, fd, "nombre attendu (point décimal, ex. 12.5), trouvé « %s »", text),
			       NULL;
		/* The limits hold for the value as stored: 9.96 kept with one decimal is 10.0, above
		 * a max of 9.99. */
		if (fd->decimals >= 0)
			x = round_to(x, fd->decimals);
		if (!check_limits(fd, x, why, "valeur"))
			return NULL;
		format_number(x, fd->decimals, buf, sizeof buf);
		return xstrdup(buf);
	case FT_DATE:
		if (date_nonexistent(text))
			return bad(why, fd, "date inexistante : %s", text), NULL;
		if (!date_parse(text, &days))
			return bad(why, fd, "date AAAA-MM-JJ attendue, trouvé « %s »", text), NULL;
		if ((fd->has_min && days < fd->min) || (fd->has_max && days > fd->max)) {
			char lo[11], hi[11];
			date_format((long)fd->min, lo);
			date_format((long)fd->max, hi);
			return bad(why, fd, "date hors de [%s, %s]", fd->has_min ? lo : "…",
			           fd->has_max ? hi : "…"),
			       NULL;
		}
		date_format(days, buf);
		return xstrdup(buf);
	case FT_YESNO:
		if (!parse_yesno(text, &b))
			return bad(why, fd, "oui/non attendu (1 ou 0), trouvé « %s »", text), NULL;
		return xstrdup(b ? "1" : "0");
	case FT_CHOICE:
		if (!field_choice(fd, text)) {
			strbuf sb = STRBUF_INIT;
			codes_list(fd, &sb);
			bad(why, fd, "code « %s » inconnu (codes possibles : %s)", text, strbuf_str(&sb));
			strbuf_done(&sb);
			return NULL;
		}
		return xstrdup(text);
	case FT_MULTI:
		return parse_multi(fd, text, why);
	case FT_CALCULATED:
		return bad(why, fd, "champ calculé : sa valeur ne se saisit pas"), NULL;
	case FT_NOTE:
		return bad(why, fd, "texte d'information : rien à saisir"), NULL;
	}
	return NULL;
}

bool record_set(record *r, size_t idx, const char *text, char **why)
{
	const field *fd = &r->f->fields[idx];
	fvalue *fv = &r->vals[idx];
	if (!text || !*text) {
		if (fd->type == FT_CALCULATED || fd->type == FT_NOTE)
			return bad(why, fd, "champ calculé : sa valeur ne se saisit pas");
		set_text(fv, NULL, MISS_NONE);
		fv->v = value_missing();
		return true;
	}
	missing_code m = missing_code_parse(text);
	if (m != MISS_NONE) {
		if (!(fd->missing_allowed & m))
			return bad(why, fd, "le code %s n'est pas proposé pour ce champ", text);
		set_text(fv, NULL, m);
		fv->v = value_missing();
		return true;
	}
	char *canon = canonical(fd, text, why);
	if (!canon)
		return false;
	if (!*canon) {
		/* A multi given only separators (",", " ") selects nothing: that is the empty field
		 * "" gives, not an answer that would satisfy required:. */
		free(canon);
		canon = NULL;
	}
	set_text(fv, canon, MISS_NONE);
	fv->v = typed(fd, fv->text);
	return true;
}

void record_apply_defaults(record *r)
{
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		if (!fd->default_value || r->vals[i].text)
			continue;
		if (fd->type == FT_DATE && strcmp(fd->default_value, "today") == 0) {
			char buf[11];
			date_format(r->today, buf);
			record_set(r, i, buf, NULL);
		} else {
			record_set(r, i, fd->default_value, NULL);
		}
	}
}

value record_value(const record *r, size_t idx)
{
	const field *fd = &r->f->fields[idx];
	const fvalue *fv = &r->vals[idx];
	if (!fv->visible)
		return fd->has_skip_value && !fv->undecided ? value_num(fd->skip_value) : value_missing();
	return fv->v;
}

static value lookup(void *ctx, int slot)
{
	const record *r = ctx;
	if (slot >= SLOT_ENTRY_DATE)
		return value_date(r->date);
	if (slot >= SLOT_SEUIL_BASE) {
		const reporting *rep = r->fs->reporting;
		size_t i = (size_t)(slot - SLOT_SEUIL_BASE);
		return rep && i < rep->n_thresholds ? value_num(rep->thresholds[i].value) : value_missing();
	}
	if (slot >= SLOT_PATIENT_BASE) {
		const record *p = r->patient;
		size_t i = (size_t)(slot - SLOT_PATIENT_BASE);
		return p && i < p->f->n_fields ? record_value(p, i) : value_missing();
	}
	return record_value(r, (size_t)slot);
}

static value eval(const record *r, const expr *e)
{
	expr_env env = {lookup, (void *)r, r->today};
	return expr_eval(e, &env);
}

char *value_to_text(value v, int decimals)
{
	char buf[64];
	switch (v.kind) {
	case V_MISSING:
		return NULL;
	case V_NUM:
		format_number(v.num, decimals, buf, sizeof buf);
		return xstrdup(buf);
	case V_BOOL:
		return xstrdup(v.num != 0 ? "1" : "0");
	case V_DATE:
		date_format((long)v.num, buf);
		return xstrdup(buf);
	case V_STR:
	case V_SET:
		return xstrdup(v.str);
	}
	return NULL;
}

/* A field's visibility from the value of its show_if. */
static void set_visibility(fvalue *fv, value cond)
{
	fv->visible = cond.kind != V_MISSING && cond.num != 0;
	fv->undecided = cond.kind == V_MISSING;
}

bool record_field_visible(record *r, size_t idx)
{
	const field *fd = &r->f->fields[idx];
	if (fd->show_if)
		set_visibility(&r->vals[idx], eval(r, fd->show_if));
	return r->vals[idx].visible;
}

bool record_field_valid(const record *r, size_t idx)
{
	const field *fd = &r->f->fields[idx];
	const expr *rules[] = {fd->constraint, fd->soft};
	for (int k = 0; k < 2; k++) {
		if (!rules[k])
			continue;
		value c = eval(r, rules[k]);
		if (c.kind != V_MISSING && c.num == 0)
			return false;
	}
	return true;
}

static void compute_visibility(record *r)
{
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		if (!fd->show_if)
			continue;
		set_visibility(&r->vals[i], eval(r, fd->show_if));
	}
}

static void compute_calculated(record *r)
{
	for (size_t k = 0; k < r->f->n_calc; k++) {
		size_t i = r->f->calc_order[k];
		const field *fd = &r->f->fields[i];
		value v = eval(r, fd->calc);
		if (v.kind == V_NUM && fd->decimals >= 0)
			v.num = round_to(v.num, fd->decimals);
		char *text = value_to_text(v, fd->decimals);
		set_text(&r->vals[i], text, MISS_NONE);
		r->vals[i].v = typed(fd, text);
	}
}

void record_compute(record *r)
{
	/* Two rounds: a show_if may depend on a calculated field whose inputs may be hidden. */
	for (int round = 0; round < 2; round++) {
		compute_visibility(r);
		compute_calculated(r);
	}
}

static void add_issue(issue **v, size_t *n, size_t idx, issue_kind kind, char *msg)
{
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n] = (issue){idx, kind, msg};
	(*n)++;
}

size_t record_check(const record *r, issue **out)
{
	issue *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		const fvalue *fv = &r->vals[i];
		if (!fv->visible || fd->type == FT_CALCULATED || fd->type == FT_NOTE)
			continue;
		if (!fv->text) {
			if (fd->required && fv->missing == MISS_NONE)
				add_issue(&v, &n, i, ISSUE_REQUIRED,
				          xasprintf("%s : réponse obligatoire", fd->id));
			continue;
		}
		if (fd->constraint) {
			value c = eval(r, fd->constraint);
			if (c.kind != V_MISSING && c.num == 0)
				add_issue(&v, &n, i, ISSUE_ERROR,
				          xasprintf("%s : %s", fd->id, fd->message.fr));
		}
		if (fd->soft) {
			value c = eval(r, fd->soft);
			if (c.kind != V_MISSING && c.num == 0)
				add_issue(&v, &n, i, ISSUE_WARNING,
				          xasprintf("%s : %s", fd->id, fd->soft_message.fr));
		}
	}
	*out = v;
	return n;
}

void issues_free(issue *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].message);
	free(v);
}

/* The field of the patient form that holds the year of birth (forms/patient.yaml): an entry
 * cannot be dated before it. */
static const char birth_year_field[] = "annee_naissance";

char *record_date_problem(const record *r)
{
	if (r->f->cardinality != CARD_REPEATED)
		return NULL;
	char d[11];
	date_format(r->date, d);
	if (r->date < date_from_ymd(1900, 1, 1))
		return xasprintf("date de l'entrée : %s est avant 1900", d);
	long k = r->patient ? form_field_index(r->patient->f, birth_year_field) : -1;
	value born = k >= 0 ? record_value(r->patient, (size_t)k) : value_missing();
	int y, m, day;
	date_to_ymd(r->date, &y, &m, &day);
	if (born.kind == V_NUM && y < born.num)
		return xasprintf("date de l'entrée : %s est avant la naissance du patient (%.0f)", d,
		                 born.num);
	return NULL;
}

bool record_alert_active(const record *r, size_t k)
{
	value v = eval(r, r->f->alerts[k].cond);
	return v.kind != V_MISSING && v.num != 0;
}

/* record_summary and record_summary_masked: mask says whether identity values become "…". */
static char *summary(const record *r, const char *lang, bool mask, bool comma)
{
	const char *tpl = r->f->summary;
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	if (!tpl) {
		strbuf_puts(&sb, i18n_get(&r->f->title, lang));
		return strbuf_take(&sb);
	}
	for (const char *p = tpl; *p;) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		if (!end) {
			strbuf_putc(&sb, *p++);
			continue;
		}
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		char *colon = strchr(name, ':');
		if (colon)
			*colon++ = '\0';
		long i = form_field_index(r->f, name);
		const char *text = i >= 0 ? r->vals[i].text : NULL;
		if (i >= 0 && !text && r->vals[i].missing)
			text = missing_code_name(r->vals[i].missing);
		if (text && mask && r->f->fields[i].identifier)
			text = "…";
		if (text && colon && strcmp(colon, "label") == 0) {
			const choice *ch = field_choice(&r->f->fields[i], text);
			if (ch)
				text = i18n_get(&ch->label, lang);
		}
		if (text && comma && !colon && r->f->fields[i].vtype == T_NUM)
			for (const char *t = text; *t; t++)
				strbuf_putc(&sb, *t == '.' ? ',' : *t);
		else
			strbuf_puts(&sb, text ? text : "?");
		free(name);
		p = end + 1;
	}
	return strbuf_take(&sb);
}

char *record_summary(const record *r, const char *lang)
{
	return summary(r, lang, false, false);
}

char *record_summary_masked(const record *r, const char *lang)
{
	return summary(r, lang, true, false);
}

bool record_summary_blank(const record *r)
{
	const char *tpl = r->f->summary;
	if (!tpl)
		return false;
	for (const char *p = tpl; (p = strchr(p, '{'));) {
		const char *end = strchr(p, '}');
		if (!end)
			break;
		char *name = xstrndup(p + 1, (size_t)(end - p - 1));
		char *colon = strchr(name, ':');
		if (colon)
			*colon = '\0';
		long i = form_field_index(r->f, name);
		free(name);
		if (i >= 0 && (r->vals[i].text || r->vals[i].missing))
			return false;
		p = end + 1;
	}
	return true;
}

char *record_summary_as(const record *r, const char *lang, bool mask, bool comma)
{
	return summary(r, lang, mask, comma);
}
