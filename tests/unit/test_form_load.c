/* test_form_load.c — the form loader: the real forms/ load into the model the rest of the
 * program relies on; small inline forms check matrix expansion, shared choice lists, missing
 * codes, defaults and flags; and a few refusals say where the problem is. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "core/ytree.h"
#include "harness.h"

/* ---------------------------------------------------------------- helpers */

static char tmpdir[] = "/tmp/test_form_load.XXXXXX";

/* Writes text to tmpdir/name; returns the path (static buffer, one at a time per slot). */
static const char *write_file(const char *name, const char *text)
{
	static char paths[4][512];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, sizeof paths[0], "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads one inline form (no context); NULL with *errors on failure. */
static formset *load_one(const char *name, const char *text, char **errors)
{
	const char *path = write_file(name, text);
	*errors = NULL;
	return formset_load_files(&path, 1, NULL, errors);
}

/* The first error line of loading text as name, without the directory ("name:L:C: …"). */
static char *first_error(const char *name, const char *text)
{
	char *errors = NULL;
	formset *fs = load_one(name, text, &errors);
	if (fs) {
		formset_free(fs);
		free(errors);
		return xstrdup("(chargé sans erreur)");
	}
	if (!errors)
		return xstrdup("(aucun message)");
	size_t skip = strlen(tmpdir) + 1;
	char *line = errors;
	if (strncmp(line, tmpdir, skip - 1) == 0)
		line += skip;
	char *nl = strchr(line, '\n');
	char *out = nl ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
	free(errors);
	return out;
}

#define CHECK_ERROR(name, text, want)                                                                        \
	do {                                                                                                 \
		char *e_ = first_error(name, text);                                                          \
		CHECK_STR(e_, want);                                                                         \
		free(e_);                                                                                    \
	} while (0)

static const char *codes_of(const field *fd, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; fd && fd->choices && i < fd->choices->n; i++) {
		strncat(buf, i ? " " : "", size - strlen(buf) - 1);
		strncat(buf, fd->choices->items[i].code, size - strlen(buf) - 1);
	}
	return buf;
}

/* Collects the slots an expression refers to. */
typedef struct {
	int slots[16];
	int n;
} slot_list;

static void collect_slot(void *ctx, int slot)
{
	slot_list *l = ctx;
	if (l->n < 16)
		l->slots[l->n++] = slot;
}

/* ---------------------------------------------------------------- the real forms */

static formset *real;

static void test_real_forms_load(void)
{
	char *errors = NULL;
	real = formset_load_dir(TEST_FORMS_DIR, &errors);
	CHECK(real != NULL);
	if (!real)
		fprintf(stderr, "%s", errors ? errors : "(pas de message)\n");
	free(errors);
}

static void test_audit(void)
{
	const form *f = real ? formset_form(real, "audit") : NULL;
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(f->version >= 1);
	CHECK(f->cardinality == CARD_REPEATED);
	for (int i = 1; i <= 10; i++) {
		char id[8];
		snprintf(id, sizeof id, "q%d", i);
		const field *q = form_field(f, id);
		CHECK(q != NULL);
		if (!q)
			continue;
		CHECK(q->type == FT_CHOICE);
		CHECK(q->choices != NULL && q->choices->numeric);
		CHECK(q->vtype == T_NUM);
	}
	/* q1..q10 in order. */
	CHECK(form_field_index(f, "q1") < form_field_index(f, "q2"));
	CHECK(form_field_index(f, "q9") < form_field_index(f, "q10"));
	const field *q1 = form_field(f, "q1"), *q2 = form_field(f, "q2"), *q9 = form_field(f, "q9");
	char buf[128];
	CHECK_STR(codes_of(q1, buf, sizeof buf), "0 1 2 3 4");
	CHECK_STR(codes_of(q9, buf, sizeof buf), "0 2 4");
	if (q1 && q1->choices)
		CHECK_NUM(q1->choices->items[4].num, 4);
	CHECK(q1 && q1->required && !q1->show_if);
	/* WHO skip rule: items 2..8 hidden when q1 = 0, counting 0. */
	CHECK(q2 && q2->show_if != NULL);
	CHECK_STR(q2 ? q2->show_if_src : NULL, "q1 > 0");
	CHECK(q2 && q2->has_skip_value);
	CHECK_NUM(q2 ? q2->skip_value : -1, 0);
	CHECK(q9 && !q9->show_if && !q9->has_skip_value);
	/* The show_if refers to q1. */
	slot_list refs = {0};
	if (q2)
		expr_foreach_ref(q2->show_if, collect_slot, &refs);
	CHECK(refs.n == 1 && refs.slots[0] == form_field_index(f, "q1"));
	/* Shared lists: q4 and q5 point at the same named set. */
	const field *q4 = form_field(f, "q4"), *q5 = form_field(f, "q5");
	CHECK(q4 && q5 && q4->choices == q5->choices);
	/* Calculated fields are ordered so that dependencies come first. */
	CHECK(f->n_calc > 0);
	for (size_t i = 0; i < f->n_calc; i++)
		CHECK(f->fields[f->calc_order[i]].type == FT_CALCULATED && f->fields[f->calc_order[i]].calc);
	const field *total = form_field(f, "total");
	CHECK(total && total->type == FT_CALCULATED && total->vtype == T_NUM);
}

static void test_substances_matrix(void)
{
	const form *f = real ? formset_form(real, "substances") : NULL;
	CHECK(f != NULL);
	if (!f)
		return;
	const field *vie = form_field(f, "tabac_vie"), *j30 = form_field(f, "tabac_jours30");
	CHECK(vie != NULL && j30 != NULL);
	CHECK(form_field(f, "alcool_jours30") != NULL);
	CHECK(form_field(f, "cannabis_voie") != NULL);
	CHECK(form_field(f, "autre_produit_age_debut") != NULL);
	CHECK(form_field(f, "jours30") == NULL); /* no field named after the bare column */
	if (!vie || !j30)
		return;
	CHECK(vie->type == FT_YESNO && j30->type == FT_INTEGER);
	CHECK_STR(j30->matrix, "produits");
	CHECK_STR(j30->matrix_row, "tabac");
	CHECK_STR(j30->matrix_col, "jours30");
	CHECK(j30->has_min && j30->has_max);
	CHECK_NUM(j30->min, 0);
	CHECK_NUM(j30->max, 30);
	/* {row} substituted, and the reference resolved to this row's field. */
	CHECK_STR(j30->show_if_src, "tabac_vie = 1");
	slot_list refs = {0};
	expr_foreach_ref(j30->show_if, collect_slot, &refs);
	CHECK(refs.n == 1 && refs.slots[0] == form_field_index(f, "tabac_vie"));
	CHECK_STR(form_field(f, "alcool_jours30")->show_if_src, "alcool_vie = 1");
	/* The row's label prefixes the column's. */
	CHECK(strncmp(j30->label.fr, "Tabac — ", strlen("Tabac — ")) == 0);
	/* Row-major expansion: every column of tabac before alcool's. */
	CHECK(form_field_index(f, "tabac_age_debut") < form_field_index(f, "alcool_vie"));
}

static void test_patient_and_reporting(void)
{
	const form *p = real ? formset_form(real, "patient") : NULL;
	CHECK(p != NULL);
	if (p) {
		CHECK(p->cardinality == CARD_ONCE);
		const field *sexe = form_field(p, "sexe");
		char buf[64];
		CHECK_STR(codes_of(sexe, buf, sizeof buf), "F M X");
		CHECK(sexe && sexe->choices && !sexe->choices->numeric && sexe->vtype == T_STR);
		CHECK(sexe && field_choice(sexe, "M") && !field_choice(sexe, "H"));
		const field *nom = form_field(p, "nom");
		CHECK(nom && nom->identifier);
		const field *notes = form_field(p, "notes");
		CHECK(notes && notes->identifier && !notes->exported);
		CHECK(sexe && !sexe->identifier && sexe->exported);
	}
	const reporting *r = real ? real->reporting : NULL;
	CHECK(r != NULL);
	if (!r)
		return;
	bool found = false;
	CHECK(r->n_thresholds >= 5);
	CHECK_NUM(reporting_threshold(r, "audit_dependance", &found), 13);
	CHECK(found);
	reporting_threshold(r, "audit_mesusage_h", &found);
	CHECK(found);
	reporting_threshold(r, "epices_precarite", &found);
	CHECK(found);
	reporting_threshold(r, "pas_un_seuil", &found);
	CHECK(!found);
	CHECK(r->n_deadlines >= 4);
	CHECK(r->small_count_mask >= 1);
	for (size_t i = 0; i < r->n_thresholds; i++)
		CHECK(r->thresholds[i].reference && *r->thresholds[i].reference);
}

/* ---------------------------------------------------------------- inline forms */

static const char matrix_form[] =
    "form: essai\n"
    "version: 3\n"
    "title: {fr: \"Essai\", en: \"Trial\"}\n"
    "cardinality: once\n"
    "choice_sets:\n"
    "  frequence:\n"
    "    - {value: 0, label: {fr: \"Jamais\"}}\n"
    "    - {value: 1, label: {fr: \"Parfois\"}}\n"
    "    - {value: 2, label: {fr: \"Souvent\"}}\n"
    "  voies:\n"
    "    - {value: orale, label: \"Orale\"}\n"
    "    - {value: injection, label: \"Injection\"}\n"
    "sections:\n"
    "  - title: \"Produits\"\n"
    "    fields:\n"
    "      - matrix: produits\n"
    "        label: {fr: \"Consommations\"}\n"
    "        rows:\n"
    "          - {id: tabac, label: {fr: \"Tabac\", en: \"Tobacco\"}, columns: [vie, freq]}\n"
    "          - {id: heroine, label: {fr: \"Héroïne\"}}\n"
    "        columns:\n"
    "          - {id: vie, type: yesno, label: {fr: \"Déjà\", en: \"Ever\"}}\n"
    "          - {id: freq, type: choice, choices: frequence, label: \"Fréquence\",\n"
    "             show_if: \"{row}_vie = 1\", skipped_value: 0}\n"
    "          - {id: voie, type: choice, choices: voies, label: \"Voie\",\n"
    "             show_if: \"{row}_vie = 1 and {row}_freq > 0\"}\n"
    "  - title: \"Autres\"\n"
    "    fields:\n"
    "      - id: q_freq\n"
    "        type: choice\n"
    "        label: \"Fréquence générale\"\n"
    "        choices: frequence\n"
    "        default: 1\n"
    "        missing_codes: [refus, nsp]\n"
    "      - id: q_aucun_code\n"
    "        type: integer\n"
    "        label: \"Sans code manquant\"\n"
    "        missing_codes: []\n"
    "        default: -3\n"
    "      - id: q_date\n"
    "        type: date\n"
    "        label: \"Date\"\n"
    "        default: today\n"
    "        min: \"2020-01-01\"\n"
    "        max: \"2030-12-31\"\n"
    "      - id: q_nom\n"
    "        type: text\n"
    "        label: \"Nom\"\n"
    "        identifier: true\n"
    "        max: 80\n"
    "        pattern: '[A-Za-z -]+'\n"
    "      - id: q_note_libre\n"
    "        type: text\n"
    "        label: \"Commentaire\"\n"
    "        export: false\n"
    "      - id: q_decimal\n"
    "        type: decimal\n"
    "        label: \"Poids\"\n"
    "        decimals: 1\n"
    "        unit: kg\n"
    "        default: \"72.5\"\n"
    "      - id: consigne\n"
    "        type: note\n"
    "        label: \"Lire au patient\"\n"
    "      - id: total\n"
    "        type: calculated\n"
    "        label: \"Total\"\n"
    "        expr: \"double + 1\"\n"
    "      - id: double\n"
    "        type: calculated\n"
    "        label: \"Double\"\n"
    "        expr: \"coalesce(tabac_freq, 0) * 2\"\n"
    "summary: \"Tabac {tabac_freq:label}, total {total}\"\n"
    "alerts:\n"
    "  - {id: tabac_souvent, if: \"tabac_freq = 2\", level: info, message: \"Tabac souvent\"}\n";

static void test_inline_matrix(void)
{
	char *errors = NULL;
	formset *fs = load_one("essai.yaml", matrix_form, &errors);
	CHECK(fs != NULL);
	if (!fs) {
		fprintf(stderr, "%s", errors ? errors : "");
		free(errors);
		return;
	}
	const form *f = formset_form(fs, "essai");
	/* Every field read below exists, or the test stops here instead of crashing on NULL. */
	static const char *const read_below[] = {
	    "consigne", "heroine_freq", "heroine_vie",  "heroine_voie", "q_aucun_code", "q_date", "q_decimal",
	    "q_freq",   "q_nom",        "q_note_libre", "tabac_freq",   "tabac_vie",    "total"};
	bool all_there = f != NULL;
	for (size_t i = 0; f && i < sizeof read_below / sizeof *read_below; i++)
		if (!form_field(f, read_below[i])) {
			fprintf(stderr, "champ %s absent\n", read_below[i]);
			all_there = false;
		}
	CHECK(all_there);
	if (!all_there) {
		formset_free(fs);
		free(errors);
		return;
	}
	CHECK(f->version == 3 && f->cardinality == CARD_ONCE);
	CHECK_STR(f->title.en, "Trial");
	CHECK(f->n_sections == 2);
	/* tabac asks only vie and freq; heroine all three columns. */
	CHECK(form_field(f, "tabac_vie") && form_field(f, "tabac_freq"));
	CHECK(form_field(f, "tabac_voie") == NULL);
	CHECK(form_field(f, "heroine_vie") && form_field(f, "heroine_freq") && form_field(f, "heroine_voie"));
	CHECK(f->sections[0].first == 0 && f->sections[0].count == 5);
	const field *hv = form_field(f, "heroine_voie");
	CHECK_STR(hv->show_if_src, "heroine_vie = 1 and heroine_freq > 0");
	slot_list refs = {0};
	expr_foreach_ref(hv->show_if, collect_slot, &refs);
	CHECK(refs.n == 2 && refs.slots[0] == form_field_index(f, "heroine_vie") &&
	      refs.slots[1] == form_field_index(f, "heroine_freq"));
	const field *tf = form_field(f, "tabac_freq");
	CHECK_STR(tf->show_if_src, "tabac_vie = 1");
	CHECK(tf->has_skip_value && tf->skip_value == 0);
	CHECK_STR(tf->label.fr, "Tabac — Fréquence");
	CHECK_STR(tf->label.en, "Tobacco — Fréquence");
	CHECK_STR(form_field(f, "heroine_vie")->label.en, "Héroïne — Ever");
	CHECK(tf->section == 0);
	/* choice_sets reused: the matrix columns and q_freq share one list. */
	const field *qf = form_field(f, "q_freq");
	CHECK(qf->choices == tf->choices && qf->choices == form_field(f, "heroine_freq")->choices);
	CHECK(qf->choices->numeric && qf->vtype == T_NUM);
	CHECK(!hv->choices->numeric && hv->vtype == T_STR);
	CHECK(qf->section == 1);
	/* Missing codes: a subset, none, all by default, none for non-input fields. */
	CHECK(qf->missing_allowed == (MISS_REFUS | MISS_NSP));
	CHECK(form_field(f, "q_aucun_code")->missing_allowed == 0);
	CHECK(form_field(f, "q_date")->missing_allowed == MISS_ALL);
	CHECK(form_field(f, "consigne")->missing_allowed == 0);
	CHECK(form_field(f, "total")->missing_allowed == 0);
	/* Defaults as written. */
	CHECK_STR(qf->default_value, "1");
	CHECK_STR(form_field(f, "q_aucun_code")->default_value, "-3");
	CHECK_STR(form_field(f, "q_date")->default_value, "today");
	CHECK_STR(form_field(f, "q_decimal")->default_value, "72.5");
	CHECK(form_field(f, "tabac_vie")->default_value == NULL);
	/* Limits: dates as day numbers, text as a length. */
	const field *qd = form_field(f, "q_date");
	long d0 = 0, d1 = 0;
	date_parse("2020-01-01", &d0);
	date_parse("2030-12-31", &d1);
	CHECK(qd->has_min && qd->has_max);
	CHECK_NUM(qd->min, (double)d0);
	CHECK_NUM(qd->max, (double)d1);
	const field *nom = form_field(f, "q_nom");
	CHECK(nom->identifier && nom->exported);
	CHECK_NUM(nom->max, 80);
	CHECK_STR(nom->pattern, "[A-Za-z -]+");
	CHECK(regexec(&nom->pattern_re, "Jean-Paul Martin", 0, NULL, 0) == 0);
	CHECK(regexec(&nom->pattern_re, "Jean2", 0, NULL, 0) != 0); /* the whole value must match */
	const field *libre = form_field(f, "q_note_libre");
	CHECK(!libre->identifier && !libre->exported);
	CHECK(form_field(f, "q_decimal")->decimals == 1);
	CHECK_STR(form_field(f, "q_decimal")->unit, "kg");
	CHECK(form_field(f, "q_freq")->decimals == -1);
	/* Calculated fields in dependency order: double before total, although written after. */
	CHECK(f->n_calc == 2);
	CHECK(f->n_calc == 2 && f->calc_order[0] == (size_t)form_field_index(f, "double") &&
	      f->calc_order[1] == (size_t)form_field_index(f, "total"));
	CHECK(form_field(f, "total")->vtype == T_NUM);
	CHECK(form_field(f, "consigne")->type == FT_NOTE);
	CHECK(f->n_alerts == 1 && f->alerts[0].level == ALERT_INFO && f->alerts[0].cond);
	CHECK_STR(f->summary, "Tabac {tabac_freq:label}, total {total}");
	CHECK(fs->reporting == NULL);
	formset_free(fs);
	free(errors);
}

/* A form loaded before patient.yaml may use the patient's calculated fields. */
static void test_patient_calculated_order(void)
{
	const char *paths[2];
	paths[0] = write_file("a_suivi.yaml", "form: a_suivi\nversion: 1\ntitle: Suivi\n"
	                                      "sections:\n  - title: S\n    fields:\n"
	                                      "      - {id: q1, type: integer, label: Q1,\n"
	                                      "         show_if: \"patient.age >= 18\"}\n");
	paths[1] = write_file("patient.yaml",
	                      "form: patient\nversion: 1\ntitle: Patient\ncardinality: once\n"
	                      "sections:\n  - title: S\n    fields:\n"
	                      "      - {id: naissance, type: integer, label: Naissance}\n"
	                      "      - {id: age, type: calculated, label: Âge, expr: \"2026 - naissance\"}\n"
	                      "      - {id: consigne, type: note, label: Note}\n");
	char *errors = NULL;
	formset *fs = formset_load_files(paths, 2, NULL, &errors);
	CHECK(fs != NULL);
	if (!fs)
		fprintf(stderr, "%s", errors ? errors : "");
	formset_free(fs);
	free(errors);
	unlink(paths[0]);
	/* A patient note has no value. */
	paths[0] = write_file("a_suivi.yaml", "form: a_suivi\nversion: 1\ntitle: Suivi\n"
	                                      "sections:\n  - title: S\n    fields:\n"
	                                      "      - {id: q1, type: integer, label: Q1,\n"
	                                      "         show_if: \"patient.consigne = 1\"}\n");
	fs = formset_load_files(paths, 2, NULL, &errors);
	CHECK(fs == NULL);
	char *want =
	    xasprintf("%s/a_suivi.yaml:8:20: show_if : « patient.consigne » est une note : elle n'a pas de "
	              "valeur\n",
	              tmpdir);
	CHECK_STR(errors, want);
	free(want);
	free(errors);
	errors = NULL;
	/* An unknown patient field names the form that lacks it. */
	paths[0] = write_file("a_suivi.yaml", "form: a_suivi\nversion: 1\ntitle: Suivi\n"
	                                      "sections:\n  - title: S\n    fields:\n"
	                                      "      - {id: q1, type: integer, label: Q1,\n"
	                                      "         show_if: \"q1 > 0 or patient.sexe = 'F'\"}\n");
	fs = formset_load_files(paths, 2, NULL, &errors);
	CHECK(fs == NULL);
	want = xasprintf(
	    "%s/a_suivi.yaml:8:30: show_if : champ inconnu « patient.sexe » : le formulaire patient "
	    "n'a pas de champ « sexe »\n",
	    tmpdir);
	CHECK_STR(errors, want);
	free(want);
	free(errors);
	unlink(paths[0]);
	unlink(paths[1]);
}

/* With the context directory, a single form resolves patient.* and seuil.* from its siblings. */
static void test_context_dir(void)
{
	const char *path = TEST_FORMS_DIR "/audit.yaml";
	char *errors = NULL;
	formset *fs = formset_load_files(&path, 1, TEST_FORMS_DIR, &errors);
	CHECK(fs != NULL);
	if (!fs)
		fprintf(stderr, "%s", errors ? errors : "");
	CHECK(fs && fs->reporting != NULL && formset_form(fs, "patient") != NULL);
	formset_free(fs);
	free(errors);
	/* Without it, the same file cannot resolve them. */
	errors = NULL;
	fs = formset_load_files(&path, 1, NULL, &errors);
	CHECK(fs == NULL && errors && strstr(errors, "introuvable"));
	formset_free(fs);
	free(errors);
}

/* ---------------------------------------------------------------- refusals and their positions */

static const char head[] = "form: essai\nversion: 1\ntitle: Essai\nsections:\n  - title: S\n    fields:\n";

static void test_error_positions(void)
{
	char text[2048];
	/* Line 7: the field; its keys at column 9. */
	snprintf(text, sizeof text,
	         "%s      - id: q1\n        type: integer\n        label: Q1\n        mini: 3\n", head);
	CHECK_ERROR(
	    "e.yaml", text,
	    "e.yaml:10:9: clé inconnue « mini » dans un champ (clés possibles : id, type, label, "
	    "label_patient, help, "
	    "required, min, max, pattern, show_if, constraint, message, soft_constraint, soft_message, "
	    "default, unit, identifier, export, choices, expr, decimals, skipped_value, missing_codes, "
	    "ordinal, trend)");
	/* An expression error points into the expression, inside the quotes. */
	snprintf(text, sizeof text,
	         "%s      - {id: q1, type: integer, label: Q1, show_if: \"q1 > 0 and q2 = 1\"}\n", head);
	CHECK_ERROR("e.yaml", text, "e.yaml:7:65: show_if : champ inconnu « q2 »");
	/* Unquoted, the column is the same as the text. */
	snprintf(text, sizeof text,
	         "%s      - {id: q1, type: integer, label: Q1, constraint: q1 >= zz, message: M}\n", head);
	CHECK_ERROR("e.yaml", text, "e.yaml:7:62: constraint : champ inconnu « zz »");
	/* Accented text before the error counts one column per character. */
	snprintf(text, sizeof text,
	         "%s      - {id: q1, type: text, label: Q1, show_if: \"contains(q1, 'éèà') and x\"}\n", head);
	CHECK_ERROR("e.yaml", text, "e.yaml:7:75: show_if : champ inconnu « x »");
	/* A cycle of calculated fields is named once, with its chain. */
	snprintf(text, sizeof text,
	         "%s      - {id: a, type: calculated, label: A, expr: \"c + 1\"}\n"
	         "      - {id: b, type: calculated, label: B, expr: \"a + 1\"}\n"
	         "      - {id: c, type: calculated, label: C, expr: \"b + 1\"}\n"
	         "      - {id: d, type: calculated, label: D, expr: \"a + 1\"}\n",
	         head);
	CHECK_ERROR(
	    "e.yaml", text,
	    "e.yaml:8:52: expr de « b » : référence circulaire entre champs calculés : a → c → b → a");
	{
		char *errors = NULL;
		formset *fs = load_one("e.yaml", text, &errors);
		CHECK(fs == NULL && errors && strchr(errors, '\n') == errors + strlen(errors) - 1);
		formset_free(fs);
		free(errors);
	}
	/* A field that uses itself. */
	snprintf(text, sizeof text, "%s      - {id: a, type: calculated, label: A, expr: \"a + 1\"}\n", head);
	CHECK_ERROR("e.yaml", text,
	            "e.yaml:7:52: expr de « a » : référence circulaire entre champs calculés : a → a");
	/* An alert's condition: at its if:. */
	snprintf(
	    text, sizeof text,
	    "%s      - {id: q1, type: integer, label: Q1}\nalerts:\n  - id: haut\n    if: \"q1 > seuil.x\"\n"
	    "    message: Haut\n",
	    head);
	CHECK_ERROR(
	    "e.yaml", text,
	    "e.yaml:10:15: alerte « haut » : seuil « seuil.x » introuvable : pas de reporting.yaml à côté de "
	    "ce fichier");
	/* A pattern that would escape its anchors is refused. */
	snprintf(text, sizeof text, "%s      - {id: q1, type: text, label: Q1, pattern: 'a)|(.*'}\n", head);
	CHECK_ERROR("e.yaml", text, "e.yaml:7:50: pattern invalide : parenthèses « ( » « ) » mal appariées");
	/* Summary placeholders. */
	snprintf(text, sizeof text,
	         "%s      - {id: q1, type: integer, label: Q1}\nsummary: \"Q1 = {q1:code}\"\n", head);
	CHECK_ERROR(
	    "e.yaml", text,
	    "e.yaml:8:16: summary : « {q1:code} » : seul « :label » est possible après le nom du champ");
	/* Duplicate keys name the first occurrence. */
	CHECK_ERROR("e.yaml", "form: essai\nversion: 1\nform: autre\n",
	            "e.yaml:3:1: clé « form » en double (déjà ligne 1)");
	/* YAML syntax: the bracket that is never closed. */
	snprintf(text, sizeof text, "%s      - {id: q1, type: integer, label: [Q1\n      - {id: q2}\n", head);
	CHECK_ERROR(
	    "e.yaml", text,
	    "e.yaml:7:40: syntaxe YAML : crochet « [ » ouvert ici et jamais refermé (« , » ou « ] » attendu "
	    "ligne 8, colonne 9)");
}

/* Nothing is half-loaded: one bad file refuses the whole set. */
/* exclusive: true on an answer of a multiple choice ("aucune"): read, and checked by the
 * record as by the command line, the interface and the import; a value that is not a yes/no is
 * refused where it is written. */
static void test_exclusive_answer(void)
{
	char text[2048], *errors = NULL;
	snprintf(text, sizeof text,
	         "%s      - id: res\n        type: multi\n        label: R\n        choices:\n"
	         "          - {value: salaire, label: Salaire}\n"
	         "          - {value: rsa, label: RSA}\n"
	         "          - {value: aucune, label: Aucune ressource, exclusive: true}\n",
	         head);
	formset *fs = load_one("x.yaml", text, &errors);
	CHECK(fs != NULL);
	if (fs) {
		const form *f = fs->forms[0];
		const field *fd = &f->fields[0];
		CHECK(!fd->choices->items[0].exclusive && fd->choices->items[2].exclusive);
		record *r = record_new(fs, f, 20500);
		char *why = NULL;
		CHECK(record_set(r, 0, "salaire rsa", &why));
		CHECK(record_set(r, 0, "aucune", &why));
		CHECK(!record_set(r, 0, "salaire aucune", &why));
		CHECK(why && strstr(why, "res : « Aucune ressource » (aucune) exclut toute autre réponse"));
		CHECK_STR(r->vals[0].text, "aucune"); /* the value refused left the earlier one */
		free(why);
		record_free(r);
		formset_free(fs);
	}
	free(errors);
	snprintf(text, sizeof text,
	         "%s      - id: res\n        type: multi\n        label: R\n        choices:\n"
	         "          - {value: a, label: A, exclusive: peut-être}\n",
	         head);
	char *e = first_error("x.yaml", text);
	CHECK(strncmp(e, "x.yaml:11:", 10) == 0 && strstr(e, "exclusive"));
	free(e);
}

/* trend: names the chart of a number field; on a field that is not a number it is refused. */
static void test_trend(void)
{
	char text[1024], *errors = NULL;
	snprintf(text, sizeof text,
	         "%s      - {id: a, type: integer, label: A}\n"
	         "      - {id: s, type: calculated, label: S, expr: \"a * 2\", trend: \"SCORE\"}\n",
	         head);
	formset *fs = load_one("x.yaml", text, &errors);
	CHECK(fs != NULL);
	if (fs) {
		CHECK(!fs->forms[0]->fields[0].trend);
		CHECK_STR(fs->forms[0]->fields[1].trend, "SCORE");
		formset_free(fs);
	}
	free(errors);
	snprintf(text, sizeof text, "%s      - {id: t, type: text, label: T, trend: \"T\"}\n", head);
	char *e = first_error("x.yaml", text);
	CHECK(strstr(e, "t : trend demande un champ qui vaut un nombre"));
	free(e);
	CHECK_STR(
	    formset_form(real, "audit")->fields[form_field_index(formset_form(real, "audit"), "total")].trend,
	    "AUDIT");
}

static void test_all_or_nothing(void)
{
	const char *paths[2];
	paths[0] =
	    write_file("bon.yaml", "form: bon\nversion: 1\ntitle: Bon\nsections:\n  - title: S\n    fields:\n"
	                           "      - {id: q1, type: integer, label: Q1}\n");
	paths[1] = write_file("mauvais.yaml", "form: mauvais\nversion: 1\ntitle: Mauvais\nsections: []\n");
	char *errors = NULL;
	formset *fs = formset_load_files(paths, 2, NULL, &errors);
	CHECK(fs == NULL);
	char *want = xasprintf("%s/mauvais.yaml:4:11: sections: est vide\n", tmpdir);
	CHECK_STR(errors, want);
	free(want);
	free(errors);
	unlink(paths[0]);
	unlink(paths[1]);
}

/* ---------------------------------------------------------------- the YAML reader itself */

static void test_ytree(void)
{
	char *why = NULL;
	const char text[] = "a: 1\nb:\n  - x\n  - 'y'\nc: {d: e}\n";
	ynode *root = ytree_load_buffer("t.yaml", text, strlen(text), &why);
	CHECK(root != NULL && root->kind == Y_MAP && root->n == 3);
	if (root) {
		const ynode *b = ytree_get(root, "b");
		CHECK(b && b->kind == Y_SEQ && b->n == 2 && b->line == 3 && b->col == 3);
		CHECK(b && !b->items[0]->quoted && b->items[1]->quoted);
		CHECK_STR(ytree_get(ytree_get(root, "c"), "d")->str, "e");
		CHECK(ytree_get(root, "zz") == NULL);
	}
	ytree_free(root);
	free(why);
	why = NULL;
	/* Many keys: the duplicate at the end is found. */
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 5000; i++)
		strbuf_printf(&sb, "k%d: %d\n", i, i);
	strbuf_puts(&sb, "k4321: 0\n");
	root = ytree_load_buffer("t.yaml", strbuf_str(&sb), sb.len, &why);
	CHECK(root == NULL);
	CHECK_STR(why, "t.yaml:5001:1: clé « k4321 » en double (déjà ligne 4322)");
	strbuf_done(&sb);
	free(why);
	why = NULL;
	/* Keys equal but for their case are different keys. */
	root = ytree_load_buffer("t.yaml", "a: 1\nA: 2\n", 10, &why);
	CHECK(root != NULL && root->n == 2);
	ytree_free(root);
	free(why);
	why = NULL;
	/* Over the cap from a buffer, and an empty buffer. */
	root = ytree_load_buffer("t.yaml", "", 0, &why);
	CHECK(root == NULL);
	CHECK_STR(why, "t.yaml:1:1: fichier vide");
	free(why);
	why = NULL;
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_real_forms_load);
	RUN(test_audit);
	RUN(test_substances_matrix);
	RUN(test_patient_and_reporting);
	RUN(test_inline_matrix);
	RUN(test_patient_calculated_order);
	RUN(test_context_dir);
	RUN(test_error_positions);
	RUN(test_exclusive_answer);
	RUN(test_trend);
	RUN(test_all_or_nothing);
	RUN(test_ytree);
	formset_free(real);
	/* Leave nothing behind. */
	DIR *d = opendir(tmpdir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = xasprintf("%s/%s", tmpdir, de->d_name);
		unlink(path);
		free(path);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	return harness_report();
}
