/* codebook.c — the data dictionary of an export (codebook.csv: every column of every form's
 * CSV and of alerts.csv, described as REDCap's data dictionary or ODK's XLSForm would) and the
 * thresholds in force (seuils.csv). Both are CSV of the export's dialect (csv.h). */
#include <stdlib.h>
#include <string.h>

#include "export/csv.h"
#include "export/export_internal.h"

/* The columns of codebook.csv. The first twelve names are those of the first version's columns
 * (whose order was form, form_version, field, label, type, value_type, unit, decimals, choices,
 * missing_codes, expression, show_if): readers that look columns up by name keep working. */
enum {
	CB_FORM,
	CB_FORM_VERSION,
	CB_FIELD,
	CB_LABEL,
	CB_LABEL_EN,
	CB_TYPE,
	CB_VALUE_TYPE,
	CB_UNIT,
	CB_MIN,
	CB_MAX,
	CB_DECIMALS,
	CB_REQUIRED,
	CB_IDENTIFIER,
	CB_SHOW_IF,
	CB_SKIPPED_VALUE,
	CB_EXPRESSION,
	CB_CHOICES,
	CB_CHOICES_EN,
	CB_MISSING_CODES,
	CB_ORDINAL,
	CB_DERIVED_FROM,
	CB_N
};

static const char *const cb_names[CB_N] = {
    [CB_FORM] = "form",
    [CB_FORM_VERSION] = "form_version",
    [CB_FIELD] = "field",
    [CB_LABEL] = "label",
    [CB_LABEL_EN] = "label_en",
    [CB_TYPE] = "type",
    [CB_VALUE_TYPE] = "value_type",
    [CB_UNIT] = "unit",
    [CB_MIN] = "min",
    [CB_MAX] = "max",
    [CB_DECIMALS] = "decimals",
    [CB_REQUIRED] = "required",
    [CB_IDENTIFIER] = "identifier",
    [CB_SHOW_IF] = "show_if",
    [CB_SKIPPED_VALUE] = "skipped_value",
    [CB_EXPRESSION] = "expression",
    [CB_CHOICES] = "choices",
    [CB_CHOICES_EN] = "choices_en",
    [CB_MISSING_CODES] = "missing_codes",
    [CB_ORDINAL] = "ordinal",
    [CB_DERIVED_FROM] = "derived_from",
};

const char *export_codebook_header(void)
{
	return "form,form_version,field,label,label_en,type,value_type,unit,min,max,decimals,required,"
	       "identifier,show_if,skipped_value,expression,choices,choices_en,missing_codes,ordinal,"
	       "derived_from\r\n";
}

const char *export_codebook_header_v1(void)
{
	return "form,form_version,field,label,type,value_type,unit,decimals,choices,missing_codes,"
	       "expression,show_if\r\n";
}

static bool strbuf_sink(void *ctx, const char *buf, size_t n)
{
	strbuf_add(ctx, buf, n);
	return true;
}

/* A label on one line, with "|" (the list separator of the codebook) made harmless. */
static void label_text(strbuf *sb, const char *s)
{
	char *clean = text_sanitize(s ? s : "", false);
	for (char *p = clean; *p; p++)
		strbuf_putc(sb, *p == '|' ? '/' : *p);
	free(clean);
}

/* The English text, else the French one. */
static const char *text_en(const i18n *t)
{
	return t->en ? t->en : t->fr;
}

/* A column's label, sanitized for the dictionary. */
static void column_label(strbuf *sb, const export_column *col, bool en)
{
	strbuf raw = STRBUF_INIT;
	export_column_label(col, en, &raw);
	label_text(sb, strbuf_str(&raw));
	strbuf_done(&raw);
}

/* "code=label | code=label": the labelled codes of a column; "" when it has none. */
static void values_text(strbuf *sb, const export_column *col, bool en)
{
	export_value_label *v;
	size_t n = export_column_values(col, en, &v);
	for (size_t i = 0; i < n; i++) {
		strbuf_printf(sb, "%s%s=", i ? " | " : "", v[i].code);
		label_text(sb, v[i].label);
	}
	free(v);
}

static const missing_code all_missing[] = {MISS_REFUS, MISS_NSP, MISS_NON_DEMANDE};

static void missing_text(strbuf *sb, const field *fd)
{
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		if (fd->missing_allowed & all_missing[i])
			strbuf_printf(sb, "%s%s=%s", n++ ? " | " : "", missing_code_name(all_missing[i]),
			              missing_code_label(all_missing[i]));
}

/* min: or max: as the dictionary writes it: a number, or a date for date fields; "" for text
 * fields (whose limits are lengths, not values). */
static void limit_text(strbuf *sb, const field *fd, bool has, double v)
{
	if (!has || fd->type == FT_TEXT)
		return;
	char buf[40];
	if (fd->type == FT_DATE)
		date_format((long)v, buf);
	else
		format_number(v, -1, buf, sizeof buf);
	strbuf_puts(sb, buf);
}

/* The cells of a field's own column. */
static void field_cells(const field *fd, const char **cells, strbuf *buf)
{
	cells[CB_TYPE] = field_type_name(fd->type);
	cells[CB_VALUE_TYPE] = export_value_type(fd);
	cells[CB_UNIT] = fd->unit;
	limit_text(&buf[CB_MIN], fd, fd->has_min, fd->min);
	limit_text(&buf[CB_MAX], fd, fd->has_max, fd->max);
	if (fd->decimals >= 0 && (fd->type == FT_DECIMAL || fd->type == FT_CALCULATED))
		strbuf_printf(&buf[CB_DECIMALS], "%d", fd->decimals);
	if (fd->has_skip_value) {
		char v[40];
		format_number(fd->skip_value, -1, v, sizeof v);
		strbuf_puts(&buf[CB_SKIPPED_VALUE], v);
	}
	strbuf_puts(&buf[CB_EXPRESSION], fd->expr_src ? fd->expr_src : "");
	missing_text(&buf[CB_MISSING_CODES], fd);
	cells[CB_ORDINAL] = fd->ordinal ? "yes" : "no";
}

/* The cells of a row of the dictionary into cells, their texts in buf (one per cell, reset
 * here): what every column says, then what its kind adds. */
static void column_cells(const export_column *col, const char **cells, strbuf *buf)
{
	for (size_t i = 0; i < CB_N; i++)
		strbuf_reset(&buf[i]);
	cells[CB_FIELD] = col->name;
	cells[CB_ORDINAL] = "no";
	if (col->kind == EXPORT_COL_COMMON) {
		const export_common *c = col->common;
		cells[CB_REQUIRED] = c && c->optional ? "no" : "yes"; /* always filled, or may be empty */
		if (c) {
			cells[CB_TYPE] = c->type;
			cells[CB_VALUE_TYPE] = c->value_type;
			cells[CB_IDENTIFIER] = c->identifier ? "yes" : "no";
			cells[CB_ORDINAL] = c->ordinal ? "yes" : "no";
		}
	} else {
		const field *fd = col->fd;
		cells[CB_REQUIRED] = fd->required ? "yes" : "no";
		cells[CB_IDENTIFIER] = "no"; /* identity fields are never exported */
		cells[CB_SHOW_IF] = fd->show_if_src;
		if (col->kind == EXPORT_COL_FIELD) {
			field_cells(fd, cells, buf);
		} else {
			cells[CB_TYPE] = field_type_name(FT_YESNO);
			cells[CB_VALUE_TYPE] = "integer";
			cells[CB_DERIVED_FROM] = fd->id;
			strbuf_printf(&buf[CB_EXPRESSION], "selected(%s, '%s')", fd->id, col->opt->code);
		}
	}
	values_text(&buf[CB_CHOICES], col, false);
	values_text(&buf[CB_CHOICES_EN], col, true);
	column_label(&buf[CB_LABEL], col, false);
	column_label(&buf[CB_LABEL_EN], col, true);
	/* The cells left to the buffers are those a buffer was written for. */
	for (size_t i = 0; i < CB_N; i++)
		if (buf[i].len)
			cells[i] = strbuf_str(&buf[i]);
}

/* One row of the dictionary: cells[CB_…] (NULL is an empty cell). */
static void write_row(csv_writer *w, const char *const *cells)
{
	for (size_t i = 0; i < CB_N; i++)
		csv_field(w, cells[i]);
	csv_end_row(w);
}

void export_codebook(strbuf *out, const formset *fs)
{
	csv_writer w;
	csv_init(&w, strbuf_sink, out);
	write_row(&w, cb_names);
	strbuf buf[CB_N];
	for (size_t i = 0; i < CB_N; i++)
		strbuf_init(&buf[i]);
	for (size_t k = 0; k < fs->n_forms; k++) {
		const form *f = fs->forms[k];
		char version[16];
		snprintf(version, sizeof version, "%d", f->version);
		export_layout l;
		export_layout_init(&l, f);
		for (size_t i = 0; i < l.n; i++) {
			const export_column *col = &l.cols[i];
			const char *cells[CB_N] = {[CB_FORM] = f->id, [CB_FORM_VERSION] = version};
			column_cells(col, cells, buf);
			write_row(&w, cells);
		}
		export_layout_done(&l);
	}
	export_layout l;
	export_alerts_layout_init(&l);
	for (size_t i = 0; i < l.n; i++) {
		const char *cells[CB_N] = {[CB_FORM] = EXPORT_ALERTS_NAME};
		column_cells(&l.cols[i], cells, buf);
		write_row(&w, cells);
	}
	export_layout_done(&l);
	for (size_t i = 0; i < CB_N; i++)
		strbuf_done(&buf[i]);
	csv_flush(&w);
}

/* ------------------------------------------------------------ seuils.csv */

/* Whether an expression names seuil.<id> (as a whole name, not a prefix of a longer one). */
static bool names_threshold(const char *src, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = src; p && (p = strstr(p, "seuil.")) != NULL; p++) {
		const char *name = p + 6;
		if (strncmp(name, id, n) != 0)
			continue;
		char after = name[n];
		if (!((after >= 'a' && after <= 'z') || (after >= '0' && after <= '9') || after == '_'))
			return true;
	}
	return false;
}

/* "form.field form.field": the fields whose expressions use the threshold. */
static void threshold_users(strbuf *sb, const formset *fs, const char *id)
{
	for (size_t k = 0; k < fs->n_forms; k++) {
		const form *f = fs->forms[k];
		for (size_t i = 0; i < f->n_fields; i++) {
			const field *fd = &f->fields[i];
			if (names_threshold(fd->expr_src, id) || names_threshold(fd->show_if_src, id) ||
			    names_threshold(fd->constraint_src, id) || names_threshold(fd->soft_src, id))
				strbuf_printf(sb, "%s%s.%s", sb->len ? " " : "", f->id, fd->id);
		}
	}
}

void export_thresholds(strbuf *out, const formset *fs)
{
	csv_writer w;
	csv_init(&w, strbuf_sink, out);
	static const char *const head[] = {"id", "value", "label", "label_en", "reference", "used_by"};
	for (size_t i = 0; i < sizeof head / sizeof *head; i++)
		csv_field(&w, head[i]);
	csv_end_row(&w);
	const reporting *r = fs->reporting;
	strbuf label = STRBUF_INIT, label_en = STRBUF_INIT, ref = STRBUF_INIT, users = STRBUF_INIT;
	for (size_t i = 0; r && i < r->n_thresholds; i++) {
		const threshold *t = &r->thresholds[i];
		char number[40];
		format_number(t->value, -1, number, sizeof number);
		strbuf_reset(&label);
		strbuf_reset(&label_en);
		strbuf_reset(&ref);
		strbuf_reset(&users);
		label_text(&label, t->label.fr);
		label_text(&label_en, text_en(&t->label));
		label_text(&ref, t->reference);
		threshold_users(&users, fs, t->id);
		csv_field(&w, t->id);
		csv_field(&w, number);
		csv_field(&w, strbuf_str(&label));
		csv_field(&w, strbuf_str(&label_en));
		csv_field(&w, strbuf_str(&ref));
		csv_field(&w, strbuf_str(&users));
		csv_end_row(&w);
	}
	strbuf_done(&label);
	strbuf_done(&label_en);
	strbuf_done(&ref);
	strbuf_done(&users);
	csv_flush(&w);
}
