/* columns.c — the columns of a form's CSV in an export, in the order of the file: the common
 * columns, then each exported field, a multiple choice followed by one 0/1 column per option
 * (field___code, REDCap's convention); the columns of alerts.csv; and what the dictionary says
 * of the common columns and of the alerts' columns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export/export_internal.h"

static const export_value_label status_fr[] = {
    {"complete", "complète"},
    {"incomplete", "incomplète (réponses obligatoires manquantes, acceptée à l'export)"},
};
static const export_value_label status_en[] = {
    {"complete", "complete"},
    {"incomplete", "incomplete (required answers missing, accepted at export)"},
};

/* Every column an export may begin with (EXPORT_META_COLUMNS names those of this version). */
static const export_common commons[] = {
    {"structure",
     "Code de la structure du patient ; avec pseudonym, la clé du patient (un pseudonyme n'est unique "
     "que dans sa structure)",
     "Code of the patient's structure; with pseudonym, the key of a patient (a pseudonym is unique only "
     "within its structure)",
     "text", "text", NULL, NULL, 0, true, false, false},
    {"entry_id", "Identifiant de la saisie (UUID, unique et stable)",
     "Identifier of the entry (UUID, unique and stable)", "text", "text", NULL, NULL, 0, true, false, false},
    {"pseudonym",
     "Pseudonyme du patient (aucun lien avec son nom), unique dans sa structure : un patient est désigné "
     "par (structure, pseudonym)",
     "Pseudonym of the patient (unrelated to the name), unique within its structure: a patient is "
     "(structure, pseudonym)",
     "text", "text", NULL, NULL, 0, true, false, false},
    {"entry_date", "Date de la saisie (date du contact, de l'examen, de la sortie…)",
     "Date of the entry (date of the contact, test, exit…)", "date", "date", NULL, NULL, 0, false, false,
     false},
    {"form_version", "Version du formulaire avec laquelle la saisie a été faite",
     "Version of the form the entry was recorded with", "integer", "integer", NULL, NULL, 0, false, false,
     false},
    {"entry_status", "Statut de la saisie", "Status of the entry", "choice", "text", status_fr, status_en, 2,
     false, false, false},
    {"row_version", "Version de la saisie (augmentée à chaque modification)",
     "Version of the entry (increased at each change)", "integer", "integer", NULL, NULL, 0, false, false,
     false},
    {"updated_at", "Date et heure de la dernière modification (UTC, ISO 8601)",
     "Date and time of the last change (UTC, ISO 8601)", "text", "datetime", NULL, NULL, 0, false, false,
     false},
};

static const export_value_label level_fr[] = {
    {"info", "information"},
    {"attention", "attention"},
    {"urgent", "urgent (à voir le jour même)"},
};
static const export_value_label level_en[] = {
    {"info", "information"},
    {"attention", "warning"},
    {"urgent", "urgent (to be seen the same day)"},
};
static const export_value_label yes_no_fr[] = {{"1", "oui"}, {"0", "non"}};
static const export_value_label yes_no_en[] = {{"1", "yes"}, {"0", "no"}};

/* The columns of alerts.csv, in the order of EXPORT_ALERT_COLUMNS. An alert joins its entry by
 * (structure, entry_id), and through it its patient by (structure, pseudonym). */
static const export_common alert_columns[] = {
    {.name = "structure",
     .label_fr = "Code de la structure qui a saisi l'entrée de l'alerte",
     .label_en = "Code of the structure that recorded the alert's entry",
     .type = "text",
     .value_type = "text",
     .identifier = true},
    {.name = "entry_id",
     .label_fr = "Saisie sur laquelle l'alerte a été levée (entry_id du CSV de son formulaire)",
     .label_en = "Entry the alert was raised on (entry_id in the CSV of its form)",
     .type = "text",
     .value_type = "text",
     .identifier = true},
    {.name = "rule",
     .label_fr = "Règle d'alerte (id de la règle dans la section alerts: du formulaire de la saisie)",
     .label_en = "Alert rule (id of the rule in the alerts: section of the entry's form)",
     .type = "text",
     .value_type = "text"},
    {.name = "level",
     .label_fr = "Niveau de l'alerte",
     .label_en = "Level of the alert",
     .type = "choice",
     .value_type = "text",
     .values_fr = level_fr,
     .values_en = level_en,
     .n_values = 3,
     .ordinal = true},
    {.name = "raised_at",
     .label_fr = "Date et heure où l'alerte a été levée (UTC, ISO 8601)",
     .label_en = "Date and time the alert was raised (UTC, ISO 8601)",
     .type = "text",
     .value_type = "datetime"},
    {.name = "acknowledged",
     .label_fr = "Alerte prise en compte par l'équipe",
     .label_en = "Alert acknowledged by the team",
     .type = "yesno",
     .value_type = "integer",
     .values_fr = yes_no_fr,
     .values_en = yes_no_en,
     .n_values = 2},
    {.name = "acknowledged_at",
     .label_fr = "Date et heure de la prise en compte (UTC, ISO 8601 ; vide si elle ne l'est pas)",
     .label_en = "Date and time of the acknowledgement (UTC, ISO 8601; empty when not acknowledged)",
     .type = "text",
     .value_type = "datetime",
     .optional = true},
};

const export_common *export_common_column(const char *name)
{
	for (size_t i = 0; i < sizeof commons / sizeof *commons; i++)
		if (strcmp(commons[i].name, name) == 0)
			return &commons[i];
	return NULL;
}

static bool integral_codes(const choice_set *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->items[i].num != floor(cs->items[i].num) || fabs(cs->items[i].num) > 2e9)
			return false;
	return true;
}

const char *export_value_type(const field *fd)
{
	switch (fd->type) {
	case FT_INTEGER:
	case FT_YESNO:
		return "integer";
	case FT_DECIMAL:
		return "decimal";
	case FT_DATE:
		return "date";
	case FT_MULTI:
		return "codes";
	case FT_CHOICE:
		if (!fd->choices || !fd->choices->numeric)
			return "text";
		return integral_codes(fd->choices) ? "integer" : "decimal";
	case FT_CALCULATED:
		switch (fd->vtype) {
		case T_NUM:
			return fd->decimals == 0 ? "integer" : "decimal";
		case T_BOOL:
			return "integer";
		case T_DATE:
			return "date";
		case T_SET:
			return "codes";
		default:
			return "text";
		}
	default:
		return "text";
	}
}

static export_column *add_column(export_layout *l, export_col_kind kind)
{
	l->cols = xrealloc(l->cols, (l->n + 1) * sizeof *l->cols);
	export_column *c = &l->cols[l->n++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	return c;
}

void export_layout_init(export_layout *l, const form *f)
{
	memset(l, 0, sizeof *l);
	l->f = f;
	static const char *const meta[] = {EXPORT_META_COLUMNS};
	for (size_t i = 0; i < sizeof meta / sizeof *meta; i++) {
		/* A form of the structure (the team meetings) describes no patient. */
		if (f->scope == SCOPE_STRUCTURE && strcmp(meta[i], "pseudonym") == 0)
			continue;
		export_column *c = add_column(l, EXPORT_COL_COMMON);
		snprintf(c->name, sizeof c->name, "%s", meta[i]);
		c->common = export_common_column(meta[i]);
	}
	l->fields = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *l->fields);
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		if (!export_field_included(fd))
			continue;
		size_t slot = l->n_fields;
		l->fields[l->n_fields++] = i;
		export_column *c = add_column(l, EXPORT_COL_FIELD);
		snprintf(c->name, sizeof c->name, "%s", fd->id);
		c->fd = fd;
		c->value = slot;
		if (fd->type != FT_MULTI || !fd->choices)
			continue;
		for (size_t k = 0; k < fd->choices->n; k++) {
			c = add_column(l, EXPORT_COL_OPTION);
			snprintf(c->name, sizeof c->name, "%s" EXPORT_OPTION_SEP "%s", fd->id,
			         fd->choices->items[k].code);
			c->fd = fd;
			c->value = slot;
			c->opt = &fd->choices->items[k];
		}
	}
}

void export_alerts_layout_init(export_layout *l)
{
	memset(l, 0, sizeof *l);
	static const char *const names[] = {EXPORT_ALERT_COLUMNS};
	_Static_assert(sizeof names / sizeof *names == sizeof alert_columns / sizeof *alert_columns,
	               "alerts.csv: one description per column");
	l->fields = xcalloc(1, sizeof *l->fields);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		export_column *c = add_column(l, EXPORT_COL_COMMON);
		snprintf(c->name, sizeof c->name, "%s", names[i]);
		c->common = &alert_columns[i];
	}
}

void export_layout_done(export_layout *l)
{
	free(l->cols);
	free(l->fields);
	memset(l, 0, sizeof *l);
}

const char *export_option_cell(const char *multi, const char *code)
{
	if (!multi || *multi == '.')
		return ""; /* not answered, or a missing code: nothing is known of the options */
	size_t n = strlen(code);
	for (const char *p = multi; *p;) {
		size_t len = strcspn(p, " ");
		if (len == n && memcmp(p, code, n) == 0)
			return "1";
		p += len;
		p += strspn(p, " ");
	}
	return "0";
}

uint32_t export_fnv1a(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static bool valid_package_name(const char *name, size_t max, const char *const *reserved)
{
	size_t n = strlen(name);
	if (n == 0 || n > max || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return false;
	for (; reserved && *reserved; reserved++)
		if (strcasecmp(name, *reserved) == 0)
			return false;
	return true;
}

void export_package_name(const char *name, size_t max, const char *const *reserved, char *out)
{
	if (valid_package_name(name, max, reserved)) {
		snprintf(out, max + 1, "%s", name);
		return;
	}
	/* The first bytes that are letters, digits or _, then _ and 6 hex digits of the hash of the
	 * whole name: two names that begin alike stay apart. */
	size_t keep = max - 7, o = 0;
	for (const char *p = name; *p && o < keep; p++)
		out[o++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		               ? *p
		               : '_';
	if (o == 0 || !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= 'A' && out[0] <= 'Z')))
		out[0] = 'v';
	if (o == 0)
		o = 1;
	snprintf(out + o, max + 1 - o, "_%06x", (unsigned)(export_fnv1a(name) & 0xffffff));
}

/* The English text, else the French one. */
static const char *text_en(const i18n *t)
{
	return t->en ? t->en : t->fr;
}

void export_column_label(const export_column *c, bool en, strbuf *out)
{
	if (c->kind == EXPORT_COL_COMMON) {
		if (c->common)
			strbuf_puts(out, en ? c->common->label_en : c->common->label_fr);
		return;
	}
	strbuf_puts(out, en ? text_en(&c->fd->label) : c->fd->label.fr);
	if (c->kind == EXPORT_COL_OPTION) {
		strbuf_puts(out, en ? ": " : " : ");
		strbuf_puts(out, en ? text_en(&c->opt->label) : c->opt->label.fr);
	}
}

size_t export_column_values(const export_column *c, bool en, export_value_label **out)
{
	static const char *const yes_no[2][2] = {{"oui", "non"}, {"yes", "no"}};
	*out = NULL;
	const field *fd = c->fd;
	if (c->kind == EXPORT_COL_COMMON) {
		size_t n = c->common ? c->common->n_values : 0;
		if (n) {
			*out = xcalloc(n, sizeof **out);
			memcpy(*out, en ? c->common->values_en : c->common->values_fr, n * sizeof **out);
		}
		return n;
	}
	bool boolean = c->kind == EXPORT_COL_OPTION || fd->type == FT_YESNO ||
	               (fd->type == FT_CALCULATED && fd->vtype == T_BOOL);
	if (boolean) {
		export_value_label *v = xcalloc(2, sizeof *v);
		v[0] = (export_value_label){"1", yes_no[en][0]};
		v[1] = (export_value_label){"0", yes_no[en][1]};
		*out = v;
		return 2;
	}
	if (!fd->choices || fd->type == FT_MULTI)
		return 0;
	export_value_label *v = xcalloc(fd->choices->n ? fd->choices->n : 1, sizeof *v);
	for (size_t i = 0; i < fd->choices->n; i++) {
		const choice *ch = &fd->choices->items[i];
		v[i] = (export_value_label){ch->code, en ? text_en(&ch->label) : ch->label.fr};
	}
	*out = v;
	return fd->choices->n;
}

char *export_label_cut(const char *s, size_t max, bool *cut)
{
	char *clean = text_sanitize(s ? s : "", false);
	size_t n = strlen(clean);
	*cut = n > max;
	if (*cut) {
		n = max;
		while (n && ((unsigned char)clean[n] & 0xC0) == 0x80)
			n--;
		clean[n] = '\0';
	}
	return clean;
}
