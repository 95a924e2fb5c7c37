/* ledger.c — the coordinator's ledger of the structures of a regional database: the model read
 * from the store (store/ledger.h), what each structure's data covers of a period, and the text
 * and CSV writers (see ledger.h). */
#include "export/ledger.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "store/ledger.h"

/* ------------------------------------------------------------ the model */

static long day_of(const char *iso)
{
	long d = 0;
	if (!iso || strlen(iso) < 10)
		return 0;
	char buf[11];
	memcpy(buf, iso, 10);
	buf[10] = 0;
	return date_parse(buf, &d) ? d : 0;
}

/* How far the data of the last export reaches (ledger.h). */
static long through(const ledger_structure *st)
{
	if (!st->sequence || !st->last)
		return 0;
	if (st->complete != 0)
		return st->last;
	long before_export = st->made ? st->made - 1 : st->first - 1;
	return before_export < st->last ? before_export : st->last;
}

static void add_row(void *ctx, const store_ledger_row *row)
{
	ledger *l = ctx;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	ledger_structure *st = &l->v[l->n++];
	*st = (ledger_structure){
	    .code = xstrdup(row->code),
	    .name = xstrdup(row->name ? row->name : ""),
	    .enrolled = row->enrolled,
	    .sequence = row->sequence,
	    .complete = row->complete,
	    .snapshot = str_eq(row->content, "snapshot"),
	};
	if (!row->sequence)
		return;
	st->period = xstrdup(row->period ? row->period : "");
	st->source = row->source ? xstrdup(row->source) : NULL;
	snprintf(st->exported_at, sizeof st->exported_at, "%s", row->exported_at ? row->exported_at : "");
	snprintf(st->imported_at, sizeof st->imported_at, "%s", row->imported_at ? row->imported_at : "");
	st->made = day_of(row->exported_at);
	st->first = day_of(row->period_first);
	st->last = day_of(row->period_last);
	period p;
	if ((!st->first || !st->last) && period_parse(st->period, &p, NULL)) {
		st->first = p.first; /* imports older than schema 009 kept the label only */
		st->last = p.last;
	}
	st->through = through(st);
	/* Every number from 1 to the last one should have come. */
	size_t k = 0;
	for (int64_t n = 1; n < row->sequence; n++) {
		while (k < row->n_sequences && row->sequences[k] < n)
			k++;
		if (k < row->n_sequences && row->sequences[k] == n)
			continue;
		st->missing = xrealloc(st->missing, (st->n_missing + 1) * sizeof *st->missing);
		st->missing[st->n_missing++] = n;
	}
}

ledger *ledger_load(store *s, char **why, int *code)
{
	ledger *l = xcalloc(1, sizeof *l);
	int rc = store_ledger_each(s, add_row, l, &l->enrolment, why);
	if (rc) {
		*code = rc;
		ledger_free(l);
		return NULL;
	}
	return l;
}

void ledger_free(ledger *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		ledger_structure *st = &l->v[i];
		free(st->code);
		free(st->name);
		free(st->period);
		free(st->source);
		free(st->missing);
	}
	free(l->v);
	free(l);
}

const ledger_structure *ledger_find(const ledger *l, const char *code)
{
	for (size_t i = 0; l && code && i < l->n; i++)
		if (strcmp(l->v[i].code, code) == 0)
			return &l->v[i];
	return NULL;
}

ledger_cover ledger_cover_of(const ledger_structure *st, const period *p)
{
	if (!st || !st->sequence)
		return LEDGER_NONE;
	if (st->through < p->first)
		return LEDGER_BEFORE;
	if (!st->snapshot || st->through < p->last)
		return LEDGER_PARTIAL;
	return LEDGER_FULL;
}

void ledger_french_date(const char *iso, char buf[16])
{
	if (!iso || strlen(iso) < 10) {
		snprintf(buf, 16, "–");
		return;
	}
	snprintf(buf, 16, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

static void french_day(long day, char buf[16])
{
	char iso[11];
	date_format(day, iso);
	ledger_french_date(iso, buf);
}

char *ledger_cover_why(const ledger_structure *st, const period *p)
{
	char until[16], made[16];
	switch (ledger_cover_of(st, p)) {
	case LEDGER_NONE:
		return xstrdup("aucun export reçu");
	case LEDGER_FULL:
		return NULL;
	case LEDGER_BEFORE:
	case LEDGER_PARTIAL:
		break;
	}
	french_day(st->through, until);
	ledger_french_date(st->exported_at, made);
	if (!st->snapshot)
		return xasprintf("l'export n° %lld (%s) vient d'une version antérieure du programme : il ne "
		                 "contient que les entrées datées dans sa période",
		                 (long long)st->sequence, st->period);
	if (st->complete == 0 && st->through < st->last)
		return xasprintf(
		    "l'export n° %lld (%s) a été fait le %s, avant la fin de sa période : données "
		    "jusqu'au %s",
		    (long long)st->sequence, st->period, made, until);
	return xasprintf("le dernier export reçu, n° %lld (%s), s'arrête au %s", (long long)st->sequence,
	                 st->period, until);
}

char *ledger_source_text(const ledger_structure *st)
{
	if (!st || !st->sequence)
		return xstrdup("aucun export reçu");
	char made[16];
	ledger_french_date(st->exported_at, made);
	return xasprintf("export n° %lld, %s, fait le %s%s%s", (long long)st->sequence, st->period, made,
	                 st->source ? ", transmis par " : "", st->source ? st->source : "");
}

/* The sequence numbers st never sent, runs of consecutive ones written first<to>last, each
 * run separated by sep: "3, 5 à 9" or "3 5-9". */
static void missing_ranges(const ledger_structure *st, strbuf *sb, const char *sep, const char *to)
{
	for (size_t k = 0; k < st->n_missing;) {
		size_t end = k;
		while (end + 1 < st->n_missing && st->missing[end + 1] == st->missing[end] + 1)
			end++;
		strbuf_printf(sb, "%s%lld", k ? sep : "", (long long)st->missing[k]);
		if (end > k)
			strbuf_printf(sb, "%s%lld", end > k + 1 ? to : sep, (long long)st->missing[end]);
		k = end + 1;
	}
}

/* ------------------------------------------------------------ text */

/* Characters (not bytes) of UTF-8 text: every text here is one column per character. */
static int chars(const char *s)
{
	int k = 0;
	for (; *s; s++)
		k += ((unsigned char)*s & 0xC0) != 0x80;
	return k;
}

/* s in exactly cols columns: padded on the right (or left when right_align), or cut with "…". */
static void put_cell(FILE *out, const char *s, int cols, bool right_align)
{
	char *clean = text_sanitize(s, false);
	int n = chars(clean);
	if (n > cols) {
		int keep = 0;
		const char *p = clean;
		for (; *p; p++) {
			if (((unsigned char)*p & 0xC0) != 0x80 && keep++ == cols - 1)
				break;
		}
		fwrite(clean, 1, (size_t)(p - clean), out);
		fputs("…", out);
	} else {
		if (right_align)
			fprintf(out, "%*s", cols - n, "");
		fputs(clean, out);
		if (!right_align)
			fprintf(out, "%*s", cols - n, "");
	}
	free(clean);
}

enum { TEXT_COLS = 80 };

/* text wrapped to 80 columns, the lines after the first indented by indent spaces. */
static void put_wrapped(FILE *out, const char *text, int indent)
{
	char *clean = text_sanitize(text, false);
	char **lines = NULL;
	size_t n = text_wrap_measured(clean, TEXT_COLS - indent, chars, &lines);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%*s%s\n", i ? indent : 0, "", lines[i]);
	lines_free(lines, n);
	free(clean);
}

static const char *cover_word(ledger_cover c)
{
	return c == LEDGER_FULL ? "complète" : c == LEDGER_PARTIAL ? "partielle" : "aucune";
}

static void text_table(const ledger *l, const period *p, FILE *out)
{
	/* Columns as wide as their widest value; when that is wider than 80 columns, a long period
	 * (a range of days) is cut first, then the codes. */
	int code = 9, seq = 2, per = 7; /* "structure", "n°", "2026-T3" */
	for (size_t i = 0; i < l->n; i++) {
		const ledger_structure *st = &l->v[i];
		char n[24];
		int digits = snprintf(n, sizeof n, "%lld", (long long)st->sequence);
		seq = digits > seq ? digits : seq;
		code = chars(st->code) > code ? chars(st->code) : code;
		if (st->period && chars(st->period) > per)
			per = chars(st->period);
	}
	int fixed = 1 + seq + 2 + 2 + 10 + 2 + 10 + 2 + 5 + 2 + 10;
	if (code + fixed + per > TEXT_COLS)
		per = TEXT_COLS - fixed - code > 7 ? TEXT_COLS - fixed - code : 7;
	if (code + fixed + per > TEXT_COLS)
		code = TEXT_COLS - fixed - per > 9 ? TEXT_COLS - fixed - per : 9;
	put_cell(out, "structure", code, false);
	fputc(' ', out);
	put_cell(out, "n°", seq, true);
	fputs("  ", out);
	put_cell(out, "période", per, false);
	fputs("  fait le     importé le  close  couverture\n", out);
	for (size_t i = 0; i < l->n; i++) {
		const ledger_structure *st = &l->v[i];
		char num[24] = "–", made[16], got[16];
		if (st->sequence)
			snprintf(num, sizeof num, "%lld", (long long)st->sequence);
		ledger_french_date(st->exported_at, made);
		ledger_french_date(st->imported_at, got);
		put_cell(out, st->code, code, false);
		fputc(' ', out);
		put_cell(out, num, seq, true);
		fputs("  ", out);
		put_cell(out, st->period ? st->period : "–", per, false);
		fputs("  ", out);
		put_cell(out, made, 10, false);
		fputs("  ", out);
		put_cell(out, got, 10, false);
		fputs("  ", out);
		put_cell(out,
		         !st->sequence       ? "–"
		         : st->complete == 1 ? "oui"
		         : st->complete == 0 ? "non"
		                             : "?",
		         5, false);
		fputs("  ", out);
		fputs(cover_word(ledger_cover_of(st, p)), out);
		fputc('\n', out);
	}
}

bool ledger_write_text(const ledger *l, const period *p, long due, FILE *out)
{
	char a[16], b[16];
	french_day(p->first, a);
	french_day(p->last, b);
	if (!l->n) {
		fputs("Aucune structure connue : cette base n'a importé aucun export", out);
		fputs(l->enrolment ? " et n'a inscrit aucune structure.\n" : ".\n", out);
		return !ferror(out);
	}
	fprintf(out, "Structures connues de la base : %zu (%s)\n", l->n,
	        l->enrolment ? "inscrites ou dont un export a été importé" : "dont un export a été importé");
	if (due) {
		char d[16];
		french_day(due, d);
		fprintf(out, "Échéance du %s : période %s (du %s au %s)\n", d, p->label, a, b);
	} else {
		fprintf(out, "Période demandée : %s (du %s au %s)\n", p->label, a, b);
	}
	put_wrapped(out,
	            "Dernier export importé de chaque structure ; close : sa période était finie quand il a "
	            "été fait ; couverture : ce que ses données couvrent de la période demandée.",
	            0);
	fputc('\n', out);
	text_table(l, p, out);

	bool any = false;
	for (size_t i = 0; i < l->n; i++) {
		const ledger_structure *st = &l->v[i];
		if (!st->n_missing)
			continue;
		if (!any)
			fputs("\nNuméros d'export jamais importés (trous dans la suite) :\n", out);
		any = true;
		strbuf sb = STRBUF_INIT;
		strbuf_printf(&sb, "  %s : n° ", st->code);
		missing_ranges(st, &sb, ", ", " à ");
		strbuf_printf(&sb, " (dernier reçu : n° %lld)", (long long)st->sequence);
		put_wrapped(out, strbuf_str(&sb), 4);
		strbuf_done(&sb);
	}
	size_t late = 0;
	for (size_t i = 0; i < l->n; i++)
		late += ledger_cover_of(&l->v[i], p) != LEDGER_FULL;
	if (!late) {
		fprintf(out, "\nToutes les structures ont envoyé un export couvrant la période %s.\n",
		        p->label);
		return !ferror(out);
	}
	fprintf(out, "\nSans export couvrant toute la période %s : %zu structure%s\n", p->label, late,
	        late > 1 ? "s" : "");
	for (size_t i = 0; i < l->n; i++) {
		const ledger_structure *st = &l->v[i];
		char *why = ledger_cover_why(st, p);
		if (!why)
			continue;
		char *line = xasprintf("  %s : %s%s", st->code,
		                       ledger_cover_of(st, p) == LEDGER_PARTIAL ? "partielle, " : "", why);
		put_wrapped(out, line, 4);
		free(line);
		free(why);
	}
	return !ferror(out);
}

/* ------------------------------------------------------------ CSV */

bool ledger_write_csv(const ledger *l, const period *p, csv_writer *w)
{
	static const char *const header[] = {"structure",        "nom",
	                                     "inscrite",         "sequence",
	                                     "periode",          "periode_debut",
	                                     "periode_fin",      "periode_complete",
	                                     "contenu",          "source",
	                                     "fait_le",          "importe_le",
	                                     "donnees_jusqu_au", "sequences_manquantes",
	                                     "periode_demandee", "couverture"};
	for (size_t i = 0; i < sizeof header / sizeof *header; i++)
		csv_field(w, header[i]);
	csv_end_row(w);
	for (size_t i = 0; i < l->n; i++) {
		const ledger_structure *st = &l->v[i];
		bool any = st->sequence != 0;
		char seq[24] = "", first[11] = "", last[11] = "", until[11] = "";
		if (any) {
			snprintf(seq, sizeof seq, "%lld", (long long)st->sequence);
			if (st->first)
				date_format(st->first, first);
			if (st->last)
				date_format(st->last, last);
			if (st->through)
				date_format(st->through, until);
		}
		strbuf missing = STRBUF_INIT;
		missing_ranges(st, &missing, " ", "-");
		ledger_cover c = ledger_cover_of(st, p);
		csv_field(w, st->code);
		csv_field(w, st->name);
		csv_field(w, st->enrolled ? "1" : "0");
		csv_field(w, seq);
		csv_field(w, any ? st->period : "");
		csv_field(w, first);
		csv_field(w, last);
		csv_field(w, !any || st->complete < 0 ? "" : st->complete ? "1" : "0");
		csv_field(w, !any ? "" : st->snapshot ? "snapshot" : "slice");
		csv_field(w, st->source ? st->source : "");
		csv_field(w, st->exported_at);
		csv_field(w, st->imported_at);
		csv_field(w, until);
		csv_field(w, strbuf_str(&missing));
		csv_field(w, p->label);
		csv_field(w, c == LEDGER_FULL ? "complete" : c == LEDGER_PARTIAL ? "partielle" : "aucune");
		csv_end_row(w);
		strbuf_done(&missing);
	}
	return csv_flush(w);
}
