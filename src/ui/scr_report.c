/* scr_report.c — the activity report of a period (coordination and above), read from the same
 * model as `recueil report` (report_compute, report_cell_get, report_cell_share): the main
 * indicators as figures, and the HCV cascade and the AUDIT zones and classes as horizontal bar
 * charts scaled to the width, each bar followed by its value and percentage. Bars are block
 * characters (eighths of a column) on a UTF-8 terminal and '#' otherwise; no colour is needed.
 * The period of the next deadline is proposed (F11 to choose another); a regional database shows
 * one structure or the total at a time (← →); F12 masks the small counts as in what leaves the
 * structure.
 *
 * The same screen shows the impact page (report --impact; i from the report): who is reached,
 * hospital care before and after, length of follow-up, exits before two years, patients per
 * quarter and cost, as bars and figures, each block followed by its definition. */
#define _XOPEN_SOURCE_EXTENDED 1
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/privilege.h"
#include "core/util.h"
#include "export/report.h"
#include "ui/listview.h"

/* The French headings and labels of the report model (report.c) that the screen shows, listed
 * here so that they are in the catalogue: _() of the model's text gives the English. The labels
 * of categories that are a field's choices (AUDIT zones and classes) come from the YAML, in
 * both languages (line_text). */
static const char *const model_texts[] __attribute__((unused)) = {
    N_("Patients suivis (au moins un contact réalisé)"),
    N_("Nouvelles inclusions"),
    N_("Total des sorties"),
    N_("Total des contacts"),
    N_("Total des contacts réalisés"),
    N_("Précarité : score EPICES"),
    N_("Patients évalués (dernier score de la période)"),
    N_("Score EPICES moyen"),
    N_("Part des précaires (%)"),
    N_("Cascade VHC (examens cumulés jusqu'à la fin de la période)"),
    N_("Patients suivis"),
    N_("Dépistés (TROD ou sérologie VHC réalisé)"),
    N_("Anticorps anti-VHC positifs"),
    N_("ARN recherché (résultat rendu)"),
    N_("ARN détectable (infection active)"),
    N_("Traités (antiviraux à action directe)"),
    N_("Guéris (RVS12)"),
    N_("AUDIT : zones de risque de l'OMS"),
    N_("AUDIT : lecture française (Gache 2005)"),
    N_("Patients évalués (dernier AUDIT de la période)"),
    N_("Dépistage VHC à renouveler (à la fin de la période)"),
    N_("Injecteurs actifs (injection dans les 30 jours)"),
    N_("Dépistage VHC à faire"),
    N_("Alertes cliniques (nombre, sans texte)"),
    N_("Alertes levées sur des entrées de la période"),
    /* The impact page (report_impact.c). */
    N_("Public : sexe des patients suivis"),
    N_("Public : territoire de résidence"),
    N_("Public : résidence en quartier prioritaire (QPV)"),
    N_("Public : motifs d'inclusion"),
    N_("Patients suivis dans la période"),
    N_("Non renseigné"),
    N_("Plusieurs motifs"),
    N_("Précarité ou santé mentale seules"),
    N_("Motif non renseigné"),
    N_("Recours aux urgences : avant l'inclusion et aujourd'hui"),
    N_("Nuits d'hospitalisation : avant l'inclusion et aujourd'hui"),
    N_("Patients comparés (les deux mesures)"),
    N_("Passages aux urgences, 6 mois avant l'inclusion (total)"),
    N_("Passages aux urgences, 6 derniers mois (total)"),
    N_("≥ 1 passage, avant l'inclusion"),
    N_("≥ 1 passage, 6 derniers mois"),
    N_("Nuits à l'hôpital, 6 mois avant l'inclusion (total)"),
    N_("Nuits à l'hôpital, 6 derniers mois (total)"),
    N_("≥ 1 nuit, avant l'inclusion"),
    N_("≥ 1 nuit, 6 derniers mois"),
    N_("Moyenne par patient avant l'inclusion"),
    N_("Moyenne par patient, 6 derniers mois"),
    N_("Différence appariée moyenne (après − avant)"),
    N_("Durée de suivi : ensemble"),
    N_("Durée de suivi : patients toujours suivis"),
    N_("Durée de suivi : patients sortis"),
    N_("Patients (suivis dans la période ou sortis)"),
    N_("Patients toujours suivis"),
    N_("Patients sortis dans la période"),
    N_("Premier quartile (mois)"),
    N_("Durée médiane (mois)"),
    N_("Troisième quartile (mois)"),
    N_("Suivis depuis plus d'un an"),
    N_("Suivis depuis plus de deux ans"),
    N_("Suivis depuis plus de trois ans"),
    N_("Motifs de sortie avant deux ans de suivi"),
    N_("Sortis avant deux ans de suivi"),
    N_("Patients suivis par trimestre"),
    N_("Coût par patient suivi"),
    N_("Budget de la période (€)"),
    N_("Patients suivis (structures dont le budget est connu)"),
    N_("Coût par patient suivi (€)"),
};

typedef enum { L_HEAD, L_VALUE, L_BAR, L_NOTE, L_SOURCE, L_BLANK } line_kind;

typedef struct {
	line_kind kind;
	enum report_id id; /* from REPORT_N: the indicator r->extra[id - REPORT_N] (a form of the
	                    * structure, the team meetings) */
	size_t cat;
	const char *text; /* L_HEAD, L_NOTE: borrowed from the model or the catalogue; L_SOURCE:
	                   * from the screen's notes */
	double scale;     /* L_BAR: the value a full bar stands for */
} line;

typedef struct {
	screen base;
	period per;
	bool have_period;
	report *r;
	size_t row; /* the structure shown, or the total (row n_structures) */
	bool mask;
	line *v;
	size_t n;
	char **notes; /* regional: where the figures shown come from, wrapped; owned */
	size_t n_notes;
	unsigned page; /* REPORT_PAGE_ACTIVITY or REPORT_PAGE_IMPACT */
	char **defs;   /* the impact page's definitions, wrapped: lines L_NOTE points to; owned */
	size_t n_defs;
	listview lv; /* over the lines v */
	dialog dlg;
	app *a;
} report_scr;

enum { TAG_PERIOD = 1 };

/* The indicator of id: one of the report's, or from REPORT_N one of its structure forms'. */
static const report_indicator *ind_of(const report *r, enum report_id id)
{
	return id < REPORT_N ? &r->ind[id] : &r->extra[id - REPORT_N];
}

/* report_cell_get for any id of ind_of. */
static report_cell cell_of(const report_scr *x, enum report_id id, size_t cat)
{
	return report_indicator_cell(x->r, ind_of(x->r, id), x->row, cat, x->mask);
}

static void add(report_scr *x, line l)
{
	x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
	x->v[x->n++] = l;
}

static size_t cat_of(const report_indicator *ind, const char *code)
{
	for (size_t k = 0; k < ind->n_cats; k++)
		if (strcmp(ind->cats[k].code, code) == 0)
			return k;
	return (size_t)-1;
}

/* One figure of an indicator (code: its category, NULL for the first), with its own label or
 * the indicator's title. */
static void add_value(report_scr *x, enum report_id id, const char *code, bool title)
{
	const report_indicator *ind = &x->r->ind[id];
	if (!ind->available) {
		add(x, (line){L_VALUE, id, 0, ind->title, 0});
		return;
	}
	size_t k = code ? cat_of(ind, code) : 0;
	if (k == (size_t)-1)
		return;
	add(x, (line){L_VALUE, id, k, title ? ind->title : ind->cats[k].label, 0});
}

/* A blank line and the indicator's title, then why it is not available if it is not; returns
 * whether it is. */
static bool add_heading(report_scr *x, enum report_id id)
{
	const report_indicator *ind = ind_of(x->r, id);
	add(x, (line){L_BLANK, id, 0, NULL, 0});
	add(x, (line){L_HEAD, id, 0, ind->title, 0});
	if (!ind->available)
		add(x, (line){L_NOTE, id, 0, ind->unavailable, 0});
	return ind->available;
}

/* A heading, then bars for the categories from first on, scaled to category scale (or to the
 * largest value shown when that one has none); the categories before first as figures. */
static void add_chart(report_scr *x, enum report_id id, size_t first, size_t scale_cat, const char *note)
{
	const report_indicator *ind = &x->r->ind[id];
	if (!add_heading(x, id))
		return;
	double scale = 0;
	report_cell c = report_cell_get(x->r, id, x->row, scale_cat, x->mask);
	if (c.has_value)
		scale = c.value;
	for (size_t k = first; k < ind->n_cats; k++) {
		c = report_cell_get(x->r, id, x->row, k, x->mask);
		if (c.has_value && c.value > scale)
			scale = c.value;
	}
	for (size_t k = 0; k < first && k < ind->n_cats; k++)
		add(x, (line){L_VALUE, id, k, ind->cats[k].label, 0});
	for (size_t k = first; k < ind->n_cats; k++)
		add(x, (line){L_BAR, id, k, ind->cats[k].label, scale});
	if (note)
		add(x, (line){L_NOTE, id, 0, note, 0});
}

/* At a regional database, the lines that say where the figures shown come from: the export of
 * the structure, or why it is partial or has no data; for the total, which structures it
 * leaves out. The model's texts are French, as `recueil report` prints them. */
static void add_sources(report_scr *x)
{
	lines_free(x->notes, x->n_notes);
	x->notes = NULL;
	x->n_notes = 0;
	const report *r = x->r;
	if (!r->regional)
		return;
	strbuf sb = STRBUF_INIT;
	if (x->row < r->n_structures) {
		const report_source *src = &r->sources[x->row];
		if (report_no_data(r, x->row))
			strbuf_printf(&sb, _("Pas de données pour la période : %s."), src->why);
		else if (src->why)
			strbuf_printf(&sb, _("Données : %s. PARTIEL : %s ; hors de l'ensemble."), src->text,
			              src->why);
		else
			strbuf_printf(&sb, _("Données : %s."), src->text);
	} else if (!r->n_in_total) {
		strbuf_puts(&sb,
		            _("Pas de données : aucune structure n'a de données couvrant toute la période."));
	} else if (r->n_in_total < r->n_structures) {
		strbuf_printf(
		    &sb,
		    _("L'ensemble compte les %zu structures aux données complètes ; hors de l'ensemble :"),
		    r->n_in_total);
		for (size_t i = 0; i < r->n_structures; i++)
			if (!r->sources[i].in_total)
				strbuf_printf(&sb, " %s (%s)%s", r->structures[i],
				              report_no_data(r, i) ? _("pas de données") : _("partiel"),
				              i + 1 < r->n_structures ? "," : ".");
	}
	if (sb.len) {
		x->n_notes = draw_wrap(strbuf_str(&sb), COLS - 6, &x->notes);
		for (size_t i = 0; i < x->n_notes; i++)
			add(x, (line){L_SOURCE, REPORT_SUIVIS, 0, x->notes[i], 0});
		add(x, (line){L_BLANK, REPORT_SUIVIS, 0, NULL, 0});
	}
	strbuf_done(&sb);
}

/* The columns a definition is wrapped to: it fits at 80 columns beside the margins. */
enum { NOTE_COLS = 72 };

/* A definition as note lines (kept in x->defs), as a sentence: its first letter a capital. */
static void add_definition(report_scr *x, enum report_id id, const char *text)
{
	if (!text || !*text)
		return;
	char **lines = NULL;
	char *sentence = xstrdup(text);
	if (*sentence >= 'a' && *sentence <= 'z')
		*sentence = (char)(*sentence - 'a' + 'A');
	size_t n = draw_wrap(sentence, NOTE_COLS, &lines);
	free(sentence);
	x->defs = xrealloc(x->defs, (x->n_defs + n + 1) * sizeof *x->defs);
	for (size_t i = 0; i < n; i++) {
		x->defs[x->n_defs++] = lines[i];
		add(x, (line){L_NOTE, id, 0, lines[i], 0});
	}
	free(lines); /* the lines are x->defs' now */
}

/* An impact block: heading, then each category as shape says ('v' a figure, 'b' a bar scaled
 * to category scale_cat or to the largest bar, '-' nothing; past its end, bars), bars at zero
 * left out when the indicator hides zeros; then its definition. */
static void add_block(report_scr *x, enum report_id id, const char *shape, int scale_cat)
{
	const report_indicator *ind = ind_of(x->r, id);
	if (!add_heading(x, id))
		return;
	double scale = 0;
	report_cell c;
	if (scale_cat >= 0 && (c = cell_of(x, id, (size_t)scale_cat)).has_value)
		scale = c.value;
	size_t len = strlen(shape);
	for (size_t k = 0; k < ind->n_cats; k++) {
		c = cell_of(x, id, k);
		if ((k >= len || shape[k] == 'b') && c.has_value && c.value > scale)
			scale = c.value;
	}
	for (size_t k = 0; k < ind->n_cats; k++) {
		char how = k < len ? shape[k] : 'b';
		c = cell_of(x, id, k);
		if (how == '-' || (how == 'b' && ind->hide_zero && c.has_value && c.value == 0))
			continue;
		add(x, (line){how == 'v' ? L_VALUE : L_BAR, id, k, ind->cats[k].label, scale});
	}
	add_definition(x, id, ind->definition);
}

/* The team meetings (the structure's form reunion, when the forms have it): meetings per month
 * as bars, their total as a figure; the meetings each profession attended as bars scaled to
 * the meetings, with their share. */
static void add_meetings(report_scr *x)
{
	bool heading = false;
	for (size_t k = 0; k < x->r->n_extra; k++) {
		const report_indicator *ind = &x->r->extra[k];
		if (!report_extra_on_page(ind, REPORT_PAGE_IMPACT))
			continue;
		if (!heading) {
			add(x, (line){L_BLANK, REPORT_N + k, 0, NULL, 0});
			add(x, (line){L_HEAD, REPORT_N + k, 0, N_("Réunions d'équipe"), 0});
			heading = true;
		}
		bool months = strcmp(ind->id + strlen(ind->id) - 5, "_mois") == 0;
		char shape[64] = "v"; /* by profession: the meetings, then bars */
		if (months) {         /* by month: bars, then the total */
			size_t n = ind->n_cats < sizeof shape ? ind->n_cats : sizeof shape - 1;
			memset(shape, 'b', n);
			shape[n ? n - 1 : 0] = 'v';
			shape[n] = 0;
		}
		add_block(x, (enum report_id)(REPORT_N + k), shape, months ? -1 : 0);
	}
}

static void build_impact(report_scr *x)
{
	add(x, (line){L_HEAD, REPORT_IMPACT_SEXE, 0, N_("Qui est accueilli (patients suivis)"), 0});
	add_block(x, REPORT_IMPACT_SEXE, "v", 0);
	add_block(x, REPORT_IMPACT_TERRITOIRE, "v", 0);
	add_block(x, REPORT_IMPACT_QPV, "v", 0);
	add_block(x, REPORT_IMPACT_MOTIF, "v", 0);
	add_block(x, REPORT_IMPACT_URGENCES, "vvvbbvvv", 0);
	add_block(x, REPORT_IMPACT_NUITS, "vvvbbvvv", 0);
	add_block(x, REPORT_IMPACT_DUREE, "vvvv", 0);
	add_block(x, REPORT_IMPACT_DUREE_SUIVIS, "vvvv", 0);
	add_block(x, REPORT_IMPACT_DUREE_SORTIS, "vvvv", 0);
	add_block(x, REPORT_IMPACT_SORTIES_AVANT_2ANS, "v", 0);
	add_block(x, REPORT_IMPACT_TRIMESTRES, "", -1);
	add_block(x, REPORT_IMPACT_COUT, "vvv", -1);
	add_meetings(x);
}

static void build(report_scr *x)
{
	free(x->v);
	x->v = NULL;
	x->n = 0;
	lines_free(x->defs, x->n_defs);
	x->defs = NULL;
	x->n_defs = 0;
	lv_set_count(&x->lv, 0);
	if (!x->r)
		return;
	add_sources(x);
	if (report_no_data(x->r, x->row) || x->page == REPORT_PAGE_IMPACT) {
		if (!report_no_data(x->r, x->row))
			build_impact(x);
		lv_set_count(&x->lv, x->n);
		return;
	}
	add(x, (line){L_HEAD, REPORT_SUIVIS, 0, N_("Indicateurs principaux"), 0});
	add_value(x, REPORT_SUIVIS, NULL, true);
	add_value(x, REPORT_INCLUSIONS, NULL, true);
	add_value(x, REPORT_SORTIES, "total", false);
	add_value(x, REPORT_CONTACTS_STATUT, "total", false);
	add_value(x, REPORT_CONTACTS_INTERVENANT, "total", false);
	add_value(x, REPORT_ALERTES, "total", false);
	add_chart(x, REPORT_CASCADE_VHC, 0, 0, N_("% : part de l'étape précédente"));
	add_chart(x, REPORT_AUDIT_ZONE, 1, 0, N_("% : part des patients évalués"));
	add_chart(x, REPORT_AUDIT_CLASSE, 1, 0, NULL);
	const report_indicator *ep = &x->r->ind[REPORT_EPICES];
	add(x, (line){L_BLANK, REPORT_EPICES, 0, NULL, 0});
	add(x, (line){L_HEAD, REPORT_EPICES, 0, ep->title, 0});
	if (!ep->available)
		add(x, (line){L_NOTE, REPORT_EPICES, 0, ep->unavailable, 0});
	for (size_t k = 0; ep->available && k < ep->n_cats; k++)
		add(x, (line){L_VALUE, REPORT_EPICES, k, ep->cats[k].label, 0});
	const report_indicator *dep = &x->r->ind[REPORT_DEPISTAGE_VHC];
	add(x, (line){L_BLANK, REPORT_DEPISTAGE_VHC, 0, NULL, 0});
	add(x, (line){L_HEAD, REPORT_DEPISTAGE_VHC, 0, dep->title, 0});
	if (!dep->available)
		add(x, (line){L_NOTE, REPORT_DEPISTAGE_VHC, 0, dep->unavailable, 0});
	for (size_t k = 0; dep->available && k < dep->n_cats; k++)
		add(x, (line){L_VALUE, REPORT_DEPISTAGE_VHC, k, dep->cats[k].label, 0});
	lv_set_count(&x->lv, x->n);
}

/* The progress of a report being computed: once it has taken longer than after_ms (half a
 * second; RECUEIL_REPORT_PROGRESS_MS, a test seam, sets another delay), a line at the bottom
 * of the screen says which step it is at, so that a long report shows a sign of life. */
typedef struct {
	struct timespec start;
	long after_ms;
} progress;

static void on_progress(void *ctx, int step, int steps)
{
	progress *p = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - p->start.tv_sec) * 1000 + (now.tv_nsec - p->start.tv_nsec) / 1000000;
	if (ms < p->after_ms)
		return;
	char buf[120];
	snprintf(buf, sizeof buf, _("Calcul du rapport… (%d/%d)"), step, steps);
	draw_blank(LINES - 2, 0, COLS, A_NORMAL);
	draw_text(LINES - 2, 2, COLS - 4, buf, draw_attr_title(), true);
	term_refresh();
}

static void compute(app *a, report_scr *x)
{
	report_free(x->r);
	x->r = NULL;
	x->lv.first = 0;
	if (x->have_period) {
		char *why = NULL;
		int code = 0;
		progress p = {.after_ms = 500};
		const char *seam = test_seam("RECUEIL_REPORT_PROGRESS_MS");
		if (seam)
			p.after_ms = atol(seam);
		clock_gettime(CLOCK_MONOTONIC, &p.start);
		x->r = report_compute_page_progress(a->ses->db, a->ses->fs, &x->per, x->page, on_progress, &p,
		                                    &why, &code);
		if (!x->r) {
			app_message(a, true, _("rapport impossible : %s"), why);
			free(why);
		} else {
			/* A regional database opens on the total of its structures. */
			x->row = report_rows(x->r) - 1;
		}
	}
	build(x);
}

/* A value as text: a count, a mean with 2 decimals or a percentage with 1, with the decimal
 * separator of the language; "<5" when masked as a small count, "s" when masked in complement
 * (report_mask_rule), "–" when there is none. */
static void value_text(const report_scr *x, int decimals, report_cell c, bool fr, char *buf, size_t size)
{
	if (c.complement)
		snprintf(buf, size, "s");
	else if (c.masked)
		snprintf(buf, size, "<%d", x->r->mask_max + 1);
	else if (!c.has_value)
		snprintf(buf, size, "–");
	else
		snprintf(buf, size, "%.*f", decimals, c.value);
	char *dot = fr ? strchr(buf, '.') : NULL;
	if (dot)
		*dot = ',';
}

enum { VAL_COLS = 7, PCT_COLS = 8 }; /* "  1234" and " 100,0 %" */

/* Right-align text in cols columns ending at x + cols. */
static void put_right(int y, int x, int cols, const char *s, unsigned long attr)
{
	int w = draw_width(s);
	draw_text(y, x + (cols > w ? cols - w : 0), cols, s, attr, false);
}

/* The value and its percentage at the end of a line: columns x .. x + VAL_COLS + PCT_COLS. */
static void put_figures(const report_scr *x, const line *l, int y, int col, bool fr, unsigned long attr)
{
	const report_indicator *ind = ind_of(x->r, l->id);
	char val[48], pct[48] = "";
	if (!ind->available) {
		put_right(y, col, VAL_COLS, _("n.d."), draw_attr_dim());
		return;
	}
	const report_category *k = &ind->cats[l->cat];
	value_text(x, report_decimals(k), cell_of(x, l->id, l->cat), fr, val, sizeof val);
	put_right(y, col, VAL_COLS, val, attr);
	report_cell s = report_indicator_share(x->r, ind, x->row, l->cat, x->mask);
	if (k->kind == REPORT_PERCENT)
		draw_text(y, col + VAL_COLS + 1, 2, "%", attr, false);
	if (s.has_value) { /* as the text report: no share beside a masked count */
		value_text(x, 1, s, fr, pct, sizeof pct);
		char both[64];
		snprintf(both, sizeof both, "%s %%", pct);
		put_right(y, col + VAL_COLS, PCT_COLS, both, attr);
	}
}

/* A horizontal bar of ratio (0..1) of width columns: full blocks and one partial block in
 * eighths on UTF-8, '#' otherwise; a value above zero always shows at least a sliver. */
static void put_bar(int y, int x, int width, double ratio)
{
	if (ratio <= 0 || width <= 0)
		return;
	if (ratio > 1)
		ratio = 1;
	if (!term_utf8()) {
		int n = (int)lround(ratio * width);
		for (int i = 0; i < (n ? n : 1); i++)
			draw_text(y, x + i, 1, "#", A_BOLD, false);
		return;
	}
	static const char *const part[8] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
	long eighths = lround(ratio * width * 8);
	if (eighths < 1)
		eighths = 1;
	int i = 0;
	for (; i < eighths / 8; i++)
		draw_text(y, x + i, 1, "█", A_NORMAL, false);
	if (eighths % 8)
		draw_text(y, x + i, 1, part[eighths % 8], A_NORMAL, false);
}

/* The text of a line in the interface's language: a category label that is a field's choice
 * (the AUDIT zones) takes the YAML's label; the model's other French texts go through the
 * catalogue. */
static const char *line_text(const app *a, const report_scr *x, const line *l)
{
	const report_indicator *ind = ind_of(x->r, l->id);
	if (ind->coded_by && l->cat < ind->n_cats && l->text == ind->cats[l->cat].label) {
		const choice *ch = field_choice(ind->coded_by, ind->cats[l->cat].code);
		if (ch)
			return i18n_get(&ch->label, a->lang);
	}
	return _(l->text);
}

static void draw_line(void *ctx, size_t i, int y, bool selected)
{
	(void)selected;
	const report_scr *x = ctx;
	const app *a = x->a;
	const line *l = &x->v[i];
	bool fr = strcmp(a->lang, "fr") == 0;
	int w = COLS - 4, left = 2;
	int figures = VAL_COLS + PCT_COLS, fig_x = left + w - figures;
	switch (l->kind) {
	case L_BLANK:
		return;
	case L_HEAD:
		draw_text(y, left, w, _(l->text), draw_attr_title(), true);
		return;
	case L_NOTE:
		if (l->text && *l->text)
			draw_text(y, left + 2, w - 2, _(l->text), draw_attr_dim(), true);
		return;
	case L_SOURCE:
		draw_text(y, left + 2, w - 2, l->text, A_BOLD, true);
		return;
	case L_VALUE:
		draw_text(y, left + 2, fig_x - left - 3, line_text(a, x, l), A_NORMAL, true);
		put_figures(x, l, y, fig_x, fr, A_NORMAL);
		return;
	case L_BAR: {
		int label_w = w / 2 - 4 > 40 ? 40 : w / 2 - 4;
		int bar_x = left + 2 + label_w + 1, bar_w = fig_x - bar_x - 1;
		draw_text(y, left + 2, label_w, line_text(a, x, l), A_NORMAL, true);
		report_cell c = cell_of(x, l->id, l->cat);
		if (c.has_value && l->scale > 0)
			put_bar(y, bar_x, bar_w, c.value / l->scale);
		put_figures(x, l, y, fig_x, fr, A_NORMAL);
		return;
	}
	}
}

static void report_draw(app *a, screen *s)
{
	report_scr *x = (report_scr *)s;
	app_draw_frame(a,
	               x->page == REPORT_PAGE_IMPACT ? _("recueil — page d'impact")
	                                             : _("recueil — rapport d'activité"),
	               screen_ctx(s));
	int w = COLS - 4;
	char buf[400], d1[11], d2[11];
	if (!x->have_period || !x->r) {
		draw_text(2, 2, w, _("Aucun rapport : F11 ou ^T pour choisir la période."), draw_attr_title(),
		          true);
		dialog_draw(&x->dlg);
		return;
	}
	date_format(x->per.first, d1);
	date_format(x->per.last, d2);
	const char *row = report_row_name(x->r, x->row);
	if (x->row < x->r->n_structures)
		snprintf(buf, sizeof buf, _("Période %s (du %s au %s) — structure %s"), x->per.label, d1, d2,
		         row);
	else
		snprintf(buf, sizeof buf, _("Période %s (du %s au %s) — ensemble des %zu structures"),
		         x->per.label, d1, d2, x->r->n_structures);
	draw_text(2, 2, w, buf, draw_attr_title(), true);
	if (x->r->mask_max < 1)
		snprintf(buf, sizeof buf, "%s",
		         _("Aucun masquage des petits effectifs prévu (reporting.yaml)."));
	else if (x->mask)
		snprintf(buf, sizeof buf,
		         _("Effectifs de 1 à %d masqués (« <%d ») ; F12 ou m : les montrer."), x->r->mask_max,
		         x->r->mask_max + 1);
	else
		snprintf(buf, sizeof buf,
		         _("Effectifs non masqués : usage local ; F12 ou m : masquer ceux de 1 à %d."),
		         x->r->mask_max);
	draw_text(3, 2, w, buf, A_NORMAL, true);
	size_t shown = lv_draw(&x->lv, 5, LINES - 3 - 5, false, draw_line, x);
	buf[0] = 0;
	if (report_rows(x->r) > 1)
		snprintf(buf, sizeof buf, "%s", _("← → : autre structure ou l'ensemble"));
	if (x->n > x->lv.page) {
		size_t len = strlen(buf);
		snprintf(buf + len, sizeof buf - len, _("%s↑ ↓ PgUp PgDn : lignes %zu à %zu sur %zu"),
		         len ? "   " : "", x->lv.first + 1, x->lv.first + shown, x->n);
	}
	draw_text(4, 2, w, buf, draw_attr_dim(), true);
	dialog_draw(&x->dlg);
}

static const char period_question[] = N_("Période du rapport : 2026, 2026-S1, 2026-T3, 2026-11 ou "
                                         "2026-01-01..2026-06-30. Entrée : valider ; Échap : annuler.");

static outcome report_key(app *a, screen *s, const ui_key *k)
{
	report_scr *x = (report_scr *)s;
	if (x->dlg.kind) {
		if (period_key(&x->dlg, TAG_PERIOD, _(period_question), k, &x->per)) {
			x->have_period = true;
			compute(a, x);
		}
		return OUT_REDRAW;
	}
	switch (k->act) {
	case ACT_LEFT:
	case ACT_RIGHT:
		if (!x->r || report_rows(x->r) < 2)
			return OUT_NONE;
		x->row = k->act == ACT_RIGHT ? (x->row + 1) % report_rows(x->r)
		                             : (x->row + report_rows(x->r) - 1) % report_rows(x->r);
		build(x);
		return OUT_REDRAW;
	case ACT_MASK:
		x->mask = !x->mask;
		build(x);
		return OUT_REDRAW;
	case ACT_IMPACT:
		if (x->page == REPORT_PAGE_IMPACT || !x->have_period)
			return OUT_NONE;
		app_push(a, impact_new(a, &x->per));
		return OUT_REDRAW;
	case ACT_PERIOD:
		period_ask(&x->dlg, TAG_PERIOD, _(period_question), x->have_period ? &x->per : NULL, NULL);
		return OUT_REDRAW;
	default:
		return lv_key(&x->lv, k) == LV_MOVED ? OUT_REDRAW : OUT_NONE;
	}
}

static unsigned report_context(const screen *s)
{
	return ((const report_scr *)s)->dlg.kind ? CTX_DIALOG : CTX_REPORT;
}

static void report_resume(app *a, screen *s)
{
	report_scr *x = (report_scr *)s;
	size_t row = x->row, first = x->lv.first;
	compute(a, x);
	if (x->r && row < report_rows(x->r)) {
		x->row = row;
		build(x);
	}
	x->lv.first = first;
}

static void report_done(screen *s)
{
	report_scr *x = (report_scr *)s;
	dialog_close(&x->dlg);
	report_free(x->r);
	lines_free(x->notes, x->n_notes);
	lines_free(x->defs, x->n_defs);
	free(x->v);
	lv_done(&x->lv);
	free(x);
}

static const screen_ops report_ops = {
    .name = "report",
    .ctx = CTX_REPORT,
    .draw = report_draw,
    .key = report_key,
    .done = report_done,
    .context = report_context,
    .resume = report_resume,
};

screen *report_new(app *a)
{
	report_scr *x = xcalloc(1, sizeof *x);
	x->base.ops = &report_ops;
	x->page = REPORT_PAGE_ACTIVITY;
	x->a = a;
	lv_init(&x->lv, LV_READ, false);
	x->have_period = period_start(a, &x->dlg, TAG_PERIOD, _(period_question), &x->per, NULL);
	if (x->have_period)
		compute(a, x);
	return &x->base;
}

screen *impact_new(app *a, const period *p)
{
	report_scr *x = xcalloc(1, sizeof *x);
	x->base.ops = &report_ops;
	x->page = REPORT_PAGE_IMPACT;
	x->a = a;
	lv_init(&x->lv, LV_READ, false);
	x->per = *p;
	x->have_period = true;
	compute(a, x);
	return &x->base;
}
