/* form_diff.c — what changes between two sets of forms, said for the people who install them:
 * what happens to the data already stored (a new column, a column kept but no longer asked, a
 * type change that cannot keep the values), to the exports (columns and files added or gone,
 * scores recomputed) and to what the screens ask (labels, rules, answers, alerts, thresholds). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"

/* The report being written. */
typedef struct {
	strbuf *out;
	forms_diff_counts *n;
	bool form_named; /* the current form's heading is written */
	const form *old_f, *new_f;
} differ;

static bool i18n_eq(const i18n *a, const i18n *b)
{
	return str_eq(a->fr, b->fr) && str_eq(a->en, b->en);
}

static bool exported(const field *fd)
{
	return fd->type != FT_NOTE && !fd->identifier && fd->exported;
}

/* The heading of the form being compared, once, before its first change. */
static void heading(differ *d)
{
	if (d->form_named)
		return;
	d->form_named = true;
	strbuf_printf(d->out, "%s", d->new_f->id);
	if (d->old_f->version != d->new_f->version)
		strbuf_printf(d->out, " : version %d → %d", d->old_f->version, d->new_f->version);
	strbuf_putc(d->out, '\n');
}

static void line(differ *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(differ *d, const char *fmt, ...)
{
	heading(d);
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_printf(d->out, "  %s\n", msg);
	free(msg);
	d->n->changes++;
}

/* ---------------------------------------------------------------- one field */

static bool limit_eq(bool has_a, double a, bool has_b, double b)
{
	return has_a == has_b && (!has_a || a == b);
}

/* The names of the rules that differ ("required, show_if"), into sb. */
static void changed_rules(const field *a, const field *b, strbuf *sb)
{
	const struct {
		const char *name;
		bool same;
	} rules[] = {
	    {"required", a->required == b->required},
	    {"min", limit_eq(a->has_min, a->min, b->has_min, b->min)},
	    {"max", limit_eq(a->has_max, a->max, b->has_max, b->max)},
	    {"pattern", str_eq(a->pattern, b->pattern)},
	    {"show_if", str_eq(a->show_if_src, b->show_if_src)},
	    {"constraint", str_eq(a->constraint_src, b->constraint_src) && i18n_eq(&a->message, &b->message)},
	    {"soft_constraint",
	     str_eq(a->soft_src, b->soft_src) && i18n_eq(&a->soft_message, &b->soft_message)},
	    {"skipped_value", limit_eq(a->has_skip_value, a->skip_value, b->has_skip_value, b->skip_value)},
	    {"default", str_eq(a->default_value, b->default_value)},
	    {"missing_codes", a->missing_allowed == b->missing_allowed},
	    {"unit", str_eq(a->unit, b->unit)},
	};
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (!rules[i].same)
			strbuf_printf(sb, "%s%s", sb->len ? ", " : "", rules[i].name);
}

/* Codes added and removed, and labels changed, into sb ("+ 5, − 3, libellés"). */
static void changed_choices(const field *a, const field *b, strbuf *sb)
{
	bool relabelled = false;
	for (size_t i = 0; b->choices && i < b->choices->n; i++) {
		const choice *was = field_choice(a, b->choices->items[i].code);
		if (!was)
			strbuf_printf(sb, "%s+ %s", sb->len ? ", " : "", b->choices->items[i].code);
		else if (!i18n_eq(&was->label, &b->choices->items[i].label) ||
		         !i18n_eq(&was->label_patient, &b->choices->items[i].label_patient))
			relabelled = true;
	}
	for (size_t i = 0; a->choices && i < a->choices->n; i++)
		if (!field_choice(b, a->choices->items[i].code))
			strbuf_printf(sb, "%s− %s", sb->len ? ", " : "", a->choices->items[i].code);
	if (relabelled)
		strbuf_printf(sb, "%slibellés", sb->len ? ", " : "");
}

static void diff_field(differ *d, const field *a, const field *b)
{
	const char *ta = field_storage_type(a), *tb = field_storage_type(b);
	if (ta && tb && strcmp(ta, tb) != 0) {
		line(d,
		     "! %s : %s → %s : refusé, les valeurs déjà enregistrées ne pourraient pas être gardées "
		     "(créer un nouveau champ avec un autre id)",
		     b->id, field_type_name(a->type), field_type_name(b->type));
		d->n->refused++;
		return;
	}
	if (a->type != b->type)
		line(d, "~ %s : type %s → %s (valeurs gardées)", b->id, field_type_name(a->type),
		     field_type_name(b->type));
	if (!i18n_eq(&a->label, &b->label) || !i18n_eq(&a->help, &b->help) ||
	    !i18n_eq(&a->label_patient, &b->label_patient))
		line(d, "~ %s : libellé ou aide", b->id);
	strbuf sb = STRBUF_INIT;
	changed_rules(a, b, &sb);
	if (sb.len)
		line(d, "~ %s : règles (%s) : s'appliquent aux saisies nouvelles ou modifiées", b->id, sb.s);
	strbuf_reset(&sb);
	changed_choices(a, b, &sb);
	if (sb.len)
		line(d, "~ %s : réponses (%s)", b->id, sb.s);
	strbuf_done(&sb);
	if (!str_eq(a->expr_src, b->expr_src) || a->decimals != b->decimals)
		line(d,
		     "~ %s : calcul « %s » → « %s » : recalculé pour les saisies déjà faites et dans les "
		     "exports",
		     b->id, a->expr_src ? a->expr_src : "", b->expr_src ? b->expr_src : "");
	if (exported(a) != exported(b))
		line(d, "~ %s : %s", b->id,
		     exported(b) ? "désormais exporté (nouvelle colonne des exports)"
		                 : "n'est plus exporté (sa colonne quitte les exports, les valeurs restent "
		                   "dans la base)");
}

/* ---------------------------------------------------------------- one form */

static bool alert_eq(const alert_rule *a, const alert_rule *b)
{
	return str_eq(a->if_src, b->if_src) && a->level == b->level && i18n_eq(&a->message, &b->message);
}

static void diff_alerts(differ *d)
{
	strbuf sb = STRBUF_INIT;
	const form *a = d->old_f, *b = d->new_f;
	for (size_t i = 0; i < b->n_alerts; i++) {
		const alert_rule *was = NULL;
		for (size_t j = 0; j < a->n_alerts; j++)
			if (strcmp(a->alerts[j].id, b->alerts[i].id) == 0)
				was = &a->alerts[j];
		if (!was)
			strbuf_printf(&sb, "%s+ %s", sb.len ? ", " : "", b->alerts[i].id);
		else if (!alert_eq(was, &b->alerts[i]))
			strbuf_printf(&sb, "%s~ %s", sb.len ? ", " : "", b->alerts[i].id);
	}
	for (size_t j = 0; j < a->n_alerts; j++) {
		bool kept = false;
		for (size_t i = 0; i < b->n_alerts; i++)
			kept |= strcmp(a->alerts[j].id, b->alerts[i].id) == 0;
		if (!kept)
			strbuf_printf(&sb, "%s− %s", sb.len ? ", " : "", a->alerts[j].id);
	}
	if (sb.len)
		line(d, "~ alertes (%s)", sb.s);
	strbuf_done(&sb);
}

static void diff_form(differ *d)
{
	const form *a = d->old_f, *b = d->new_f;
	d->form_named = false;
	for (size_t i = 0; i < b->n_fields; i++) {
		const field *nf = &b->fields[i], *of = form_field(a, nf->id);
		if (of)
			diff_field(d, of, nf);
		else
			line(d, "+ %s (%s) : nouvelle question%s%s", nf->id, field_type_name(nf->type),
			     field_storage_type(nf) ? " ; nouvelle colonne, vide pour les saisies déjà faites"
			                            : "",
			     exported(nf) ? " ; nouvelle colonne des exports" : "");
	}
	for (size_t i = 0; i < a->n_fields; i++)
		if (!form_field(b, a->fields[i].id))
			line(d, "- %s : n'est plus posée%s ; sa colonne et ses valeurs restent dans la base",
			     a->fields[i].id, exported(&a->fields[i]) ? " ni exportée" : "");
	diff_alerts(d);
	if (!i18n_eq(&a->title, &b->title) || !str_eq(a->summary, b->summary) ||
	    !str_eq(a->reference, b->reference))
		line(d, "~ titre, résumé ou référence");
	if (a->cardinality != b->cardinality)
		line(d, "~ %s : « %s » → « %s »", "cardinality",
		     a->cardinality == CARD_ONCE ? "once" : "repeated",
		     b->cardinality == CARD_ONCE ? "once" : "repeated");
	if (a->self != b->self)
		line(d, "~ self : %s",
		     b->self ? "le patient peut le remplir seul à l'écran (auto-questionnaire)"
		             : "le patient ne le remplit plus seul à l'écran");
	if (!d->form_named && a->version != b->version)
		line(d, "~ version seule");
}

/* ---------------------------------------------------------------- reporting.yaml */

static void diff_reporting(differ *d, const reporting *a, const reporting *b)
{
	static const reporting none = {0};
	a = a ? a : &none;
	b = b ? b : &none;
	strbuf *out = d->out;
	size_t before = d->n->changes;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < b->n_thresholds; i++) {
		bool found;
		double was = reporting_threshold(a, b->thresholds[i].id, &found);
		char v1[48], v2[48];
		format_number(b->thresholds[i].value, -1, v2, sizeof v2);
		if (!found) {
			strbuf_printf(&sb, "  + seuil %s = %s\n", b->thresholds[i].id, v2);
		} else if (was != b->thresholds[i].value) {
			format_number(was, -1, v1, sizeof v1);
			strbuf_printf(&sb,
			              "  ~ seuil %s : %s → %s : les scores qui le lisent sont recalculés\n",
			              b->thresholds[i].id, v1, v2);
		} else {
			continue;
		}
		d->n->changes++;
	}
	for (size_t i = 0; i < a->n_thresholds; i++) {
		bool found;
		reporting_threshold(b, a->thresholds[i].id, &found);
		if (!found) {
			strbuf_printf(&sb, "  - seuil %s\n", a->thresholds[i].id);
			d->n->changes++;
		}
	}
	bool same_calendar = a->n_deadlines == b->n_deadlines;
	for (size_t i = 0; same_calendar && i < a->n_deadlines; i++) {
		const deadline_rule *x = &a->deadlines[i], *y = &b->deadlines[i];
		same_calendar = str_eq(x->period, y->period) && x->month == y->month && x->day == y->day &&
		                x->year_offset == y->year_offset;
	}
	if (!same_calendar) {
		strbuf_puts(&sb, "  ~ calendrier des échéances\n");
		d->n->changes++;
	}
	if (a->small_count_mask != b->small_count_mask) {
		strbuf_printf(&sb, "  ~ masquage des petits effectifs : 1 à %d → 1 à %d\n",
		              a->small_count_mask, b->small_count_mask);
		d->n->changes++;
	}
	if (d->n->changes > before)
		strbuf_printf(out, "calendrier et seuils (reporting.yaml)\n%s", sb.s);
	strbuf_done(&sb);
}

/* ---------------------------------------------------------------- the sets */

void formset_diff(const formset *old_fs, const formset *new_fs, strbuf *out, forms_diff_counts *n)
{
	memset(n, 0, sizeof *n);
	differ d = {.out = out, .n = n};
	for (size_t i = 0; i < new_fs->n_forms; i++) {
		const form *b = new_fs->forms[i], *a = old_fs ? formset_form(old_fs, b->id) : NULL;
		if (a) {
			d.old_f = a;
			d.new_f = b;
			diff_form(&d);
			continue;
		}
		char csv[80];
		snprintf(csv, sizeof csv, "%s.csv", b->id);
		strbuf_printf(
		    out,
		    "+ formulaire %s (version %d, %zu champs) : nouvelle table ; nouveau fichier %s des "
		    "exports\n",
		    b->id, b->version, b->n_fields, csv);
		n->changes++;
	}
	for (size_t i = 0; old_fs && i < old_fs->n_forms; i++)
		if (!formset_form(new_fs, old_fs->forms[i]->id)) {
			strbuf_printf(out,
			              "- formulaire %s : n'est plus proposé ni exporté ; sa table et ses "
			              "saisies restent "
			              "dans la base\n",
			              old_fs->forms[i]->id);
			n->changes++;
		}
	diff_reporting(&d, old_fs ? old_fs->reporting : NULL, new_fs->reporting);
	if (!n->changes)
		strbuf_puts(out, "Aucun changement.\n");
}
