/* test_form_keys.c — the key tables of the form reader: each kind of mapping (a form, a field, a
 * matrix and its rows, a section, an answer, an alert, a text, reporting.yaml, a deadline, a
 * threshold, the access document's texts, the retention period, the yearly package) refuses a key it does not
 * know and a key given twice, at the key's own place and naming the keys it accepts; says which required key
 * is missing; and reads typed values into the model with the reader of their type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"
#include "harness.h"

/* ---------------------------------------------------------------- helpers */

/* A form that reads without a problem, with one mapping of each kind. */
static const char base_form[] = "form: essai\n"
                                "version: 1\n"
                                "title: {fr: Essai}\n"
                                "choice_sets:\n"
                                "  oui_non:\n"
                                "    - {value: 0, label: Non}\n"
                                "    - {value: 1, label: Oui}\n"
                                "sections:\n"
                                "  - title: Section\n"
                                "    fields:\n"
                                "      - {id: q1, type: integer, label: Q1}\n"
                                "      - {id: q2, type: choice, choices: oui_non, label: Q2}\n"
                                "      - matrix: m\n"
                                "        rows:\n"
                                "          - {id: a, label: A}\n"
                                "        columns:\n"
                                "          - {id: c, type: integer, label: C}\n"
                                "alerts:\n"
                                "  - {id: al, if: \"q1 > 3\", message: Alerte}\n";

static const char base_reporting[] = "reporting: 1\n"
                                     "small_count_mask: 4\n"
                                     "deadlines:\n"
                                     "  - {period: T1, due: 04-30, label: T1}\n"
                                     "thresholds:\n"
                                     "  - {id: s1, value: 7.5, label: S1, reference: R}\n"
                                     "retention: {years: 20, reference: CSP R1112-7}\n"
                                     "access: {purpose: P, legal_basis: L, recipients: D, rights: R}\n"
                                     "package: {statuses: [realise], intervenants: [medecin, psychologue], "
                                     "minimum: 2, amount: 400.5, reference: CDC}\n";

/* base with its first occurrence of `from` replaced by `to`. Caller frees. */
static char *edit(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	if (!at) {
		fprintf(stderr, "texte « %s » absent du modèle\n", from);
		exit(2);
	}
	return xasprintf("%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
}

/* Reads text as the file t.yaml, as a form or as reporting.yaml (by its first key), and returns
 * every problem reported (caller frees), "" when there was none. */
static char *read_problems(const char *text)
{
	char *why = NULL;
	ynode *root = ytree_load_buffer("t.yaml", text, strlen(text), &why);
	if (!root)
		return why;
	strbuf errs = STRBUF_INIT;
	strbuf_add(&errs, "", 0);
	load_ctx c = {.path = "t.yaml", .errors = &errs};
	if (ytree_get(root, "reporting")) {
		reporting_free(reporting_read(&c, root));
	} else {
		form_src src;
		form *f = form_read(&c, root, &src);
		form_src_done(&src);
		form_free(f);
	}
	ytree_free(root);
	return strbuf_take(&errs);
}

/* A form file read into the model, with what its reading needs until the end. */
typedef struct {
	ynode *root;
	form_src src;
	form *f;
	strbuf errs; /* every problem reported, "" when none */
} read_form;

/* Reads text as the form file t.yaml into rf; returns the form, NULL when it was refused (the
 * problems are in rf->errs). Release with read_form_done. */
static form *read_form_text(read_form *rf, const char *text)
{
	memset(rf, 0, sizeof *rf);
	strbuf_add(&rf->errs, "", 0);
	char *why = NULL;
	rf->root = ytree_load_buffer("t.yaml", text, strlen(text), &why);
	if (!rf->root) {
		strbuf_puts(&rf->errs, why ? why : "?");
		free(why);
		return NULL;
	}
	load_ctx c = {.path = "t.yaml", .errors = &rf->errs};
	rf->f = form_read(&c, rf->root, &rf->src);
	return rf->f;
}

static void read_form_done(read_form *rf)
{
	if (rf->f)
		form_src_done(&rf->src);
	form_free(rf->f);
	ytree_free(rf->root);
	strbuf_done(&rf->errs);
}

/* The problems of base edited, which must be exactly the line want. */
#define CHECK_EDIT(base, from, to, want)                                                                     \
	do {                                                                                                 \
		char *text_ = edit(base, from, to), *got_ = read_problems(text_);                            \
		size_t n_ = strlen(got_);                                                                    \
		if (n_ && got_[n_ - 1] == '\n')                                                              \
			got_[n_ - 1] = '\0';                                                                 \
		CHECK_STR(got_, want);                                                                       \
		free(got_);                                                                                  \
		free(text_);                                                                                 \
	} while (0)

static const char field_list[] =
    "id, type, label, label_patient, help, required, min, max, pattern, show_if, constraint, "
    "message, soft_constraint, soft_message, default, unit, identifier, export, "
    "choices, expr, decimals, skipped_value, missing_codes, ordinal, trend";

/* ---------------------------------------------------------------- through the readers */

static void test_bases_read(void)
{
	char *p = read_problems(base_form);
	CHECK_STR(p, "");
	free(p);
	p = read_problems(base_reporting);
	CHECK_STR(p, "");
	free(p);
}

/* An unknown key, in each kind of mapping: reported at the key, with the keys it accepts. */
static void test_unknown_key_each_mapping(void)
{
	CHECK_EDIT(
	    base_form, "version: 1\n", "version: 1\nauteur: moi\n",
	    "t.yaml:3:1: clé inconnue « auteur » dans un formulaire (clés possibles : form, version, "
	    "title, cardinality, scope, reference, summary, choice_sets, sections, alerts, examples, self)");
	CHECK_EDIT(base_form, "{fr: Essai}", "{fr: Essai, de: Versuch}",
	           "t.yaml:3:20: clé inconnue « de » dans title (clés possibles : fr, en)");
	CHECK_EDIT(base_form, "{value: 1, label: Oui}", "{value: 1, label: Oui, score: 2}",
	           "t.yaml:7:30: clé inconnue « score » dans une réponse (clés possibles : value, label, "
	           "exclusive, label_patient)");
	CHECK_EDIT(base_form, "  - title: Section\n", "  - title: Section\n    show_if: q1 > 0\n",
	           "t.yaml:10:5: clé inconnue « show_if » dans une section (clés possibles : title, fields)");
	char *want = xasprintf("t.yaml:11:44: clé inconnue « maximum » dans un champ (clés possibles : %s)",
	                       field_list);
	CHECK_EDIT(base_form, "type: integer, label: Q1}", "type: integer, label: Q1, maximum: 3}", want);
	free(want);
	CHECK_EDIT(
	    base_form, "      - matrix: m\n", "      - matrix: m\n        cols: 2\n",
	    "t.yaml:14:9: clé inconnue « cols » dans une matrice (clés possibles : matrix, label, help, "
	    "rows, columns)");
	CHECK_EDIT(base_form, "{id: a, label: A}", "{id: a, label: A, colonnes: [c]}",
	           "t.yaml:15:31: clé inconnue « colonnes » dans une ligne de matrice (clés possibles : id, "
	           "label, columns)");
	/* A matrix column is a field mapping. */
	want =
	    xasprintf("t.yaml:17:46: clé inconnue « unite » dans un champ (clés possibles : %s)", field_list);
	CHECK_EDIT(base_form, "type: integer, label: C}", "type: integer, label: C, unite: kg}", want);
	free(want);
	CHECK_EDIT(base_form, "message: Alerte}", "message: Alerte, niveau: urgent}",
	           "t.yaml:19:45: clé inconnue « niveau » dans une alerte (clés possibles : id, if, level, "
	           "message)");
	CHECK_EDIT(
	    base_reporting, "small_count_mask: 4\n", "small_count_mask: 4\nmasque: 5\n",
	    "t.yaml:3:1: clé inconnue « masque » dans reporting.yaml (clés possibles : reporting, "
	    "deadlines, thresholds, small_count_mask, recipients, access, retention, budgets, package)");
	CHECK_EDIT(base_reporting, "reference: CSP R1112-7}", "reference: CSP R1112-7, apres: 1}",
	           "t.yaml:7:48: clé inconnue « apres » dans retention (clés possibles : years, reference)");
	CHECK_EDIT(base_reporting, "rights: R}", "rights: R, dpo: X}",
	           "t.yaml:8:64: clé inconnue « dpo » dans access (clés possibles : purpose, legal_basis, "
	           "recipients, rights)");
	CHECK_EDIT(base_reporting, "label: T1}", "label: T1, jour: 30}",
	           "t.yaml:4:41: clé inconnue « jour » dans une échéance (clés possibles : period, due, "
	           "year_offset, label)");
	CHECK_EDIT(base_reporting, "reference: R}", "reference: R, source: X}",
	           "t.yaml:6:51: clé inconnue « source » dans un seuil (clés possibles : id, value, label, "
	           "reference)");
}

/* Every unknown key of a mapping is reported, not only the first. */
static void test_every_unknown_key(void)
{
	char *want = xasprintf("t.yaml:11:44: clé inconnue « a » dans un champ (clés possibles : %s)\n"
	                       "t.yaml:11:50: clé inconnue « b » dans un champ (clés possibles : %s)",
	                       field_list, field_list);
	CHECK_EDIT(base_form, "type: integer, label: Q1}", "type: integer, label: Q1, a: 1, b: 2}", want);
	free(want);
}

/* A key given twice in a file is refused by the YAML reader already, at the second one. */
static void test_duplicate_key_in_file(void)
{
	CHECK_EDIT(base_form, "type: integer, label: Q1}", "type: integer, label: Q1, type: text}",
	           "t.yaml:11:44: clé « type » en double (déjà ligne 11)");
	CHECK_EDIT(base_reporting, "label: T1}", "label: T1, period: T2}",
	           "t.yaml:4:41: clé « period » en double (déjà ligne 4)");
}

/* Required keys, with the message each mapping gives. */
static void test_missing_keys(void)
{
	CHECK_EDIT(base_form, "version: 1\n", "", "t.yaml:1:1: clé obligatoire « version: » manquante");
	CHECK_EDIT(base_form, "{id: q1, type: integer, label: Q1}", "{type: integer, label: Q1}",
	           "t.yaml:11:9: champ sans id:");
	CHECK_EDIT(base_form, "{id: q1, type: integer, label: Q1}", "{id: q1, type: integer}",
	           "t.yaml:11:9: champ « q1 » : label: manquant");
	CHECK_EDIT(base_form, "{value: 1, label: Oui}", "{value: 1}",
	           "t.yaml:7:7: une réponse a besoin de value: et de label:");
	CHECK_EDIT(base_form, "{id: a, label: A}", "{id: a}",
	           "t.yaml:15:13: ligne de matrice : id: et label: sont obligatoires");
	CHECK_EDIT(base_form, "{id: al, if: \"q1 > 3\", message: Alerte}", "{id: al, message: Alerte}",
	           "t.yaml:19:5: une alerte a besoin de id:, if: et message:");
	CHECK_EDIT(base_reporting, "{period: T1, due: 04-30, label: T1}", "{period: T1, label: T1}",
	           "t.yaml:4:5: une échéance a besoin de period: et de due:");
	CHECK_EDIT(base_reporting, ", reference: R}", "}",
	           "t.yaml:6:5: un seuil a besoin de id:, value:, label: et reference:");
	CHECK_EDIT(base_reporting, "years: 20, ", "",
	           "t.yaml:7:12: retention : il faut years: et reference:");
	CHECK_EDIT(base_reporting, "legal_basis: L, ", "",
	           "t.yaml:8:9: access : il faut purpose:, legal_basis:, recipients: et rights:");
}

/* The retention period: a number of years within reason, a reference that says something; read
 * into the model, where it gives the first day a patient's last entry must reach. */
static void test_retention(void)
{
	CHECK_EDIT(base_reporting, "years: 20", "years: 0",
	           "t.yaml:7:20: years : entier de 1 à 100 attendu, trouvé « 0 »");
	CHECK_EDIT(base_reporting, "years: 20", "years: vingt",
	           "t.yaml:7:20: years : entier de 1 à 100 attendu, trouvé « vingt »");
	CHECK_EDIT(base_reporting, "reference: CSP R1112-7}", "reference: \"  \"}",
	           "t.yaml:7:35: retention : reference vide (le texte qui fixe la durée)");
	CHECK_EDIT(
	    base_reporting, "retention: {years: 20, reference: CSP R1112-7}", "retention: 20",
	    "t.yaml:7:12: retention : un dictionnaire (clé: valeur) attendu, trouvé une valeur simple");

	char *why = NULL;
	ynode *root = ytree_load_buffer("t.yaml", base_reporting, strlen(base_reporting), &why);
	strbuf errs = STRBUF_INIT;
	load_ctx c = {.path = "t.yaml", .errors = &errs};
	reporting *r = root ? reporting_read(&c, root) : NULL;
	CHECK(r != NULL);
	if (r) {
		CHECK(r->retention.years == 20);
		CHECK_STR(r->retention.reference, "CSP R1112-7");
		CHECK(r->access.present);
		CHECK_STR(r->access.purpose.fr, "P");
		CHECK_STR(r->access.legal_basis.fr, "L");
		CHECK_STR(r->access.recipients.fr, "D");
		CHECK_STR(r->access.rights.fr, "R");
		/* 20 years before, day for day; a 29 February falls on the 28th. */
		CHECK(reporting_retention_cutoff(r, date_from_ymd(2026, 11, 22)) ==
		      date_from_ymd(2006, 11, 22));
		CHECK(reporting_retention_cutoff(r, date_from_ymd(2028, 2, 29)) ==
		      date_from_ymd(2008, 2, 28));
		r->retention.years = 0; /* as when reporting.yaml states none */
		CHECK(reporting_retention_cutoff(r, date_from_ymd(2026, 11, 22)) == -1);
	}
	CHECK(reporting_retention_cutoff(NULL, date_from_ymd(2026, 11, 22)) == -1);
	reporting_free(r);
	ytree_free(root);
	strbuf_done(&errs);
	free(why);
}

/* The yearly package: every key required, lists of codes that are lists and not empty, an
 * amount within reason, a reference that says something; read into the model. */
static void test_package(void)
{
	CHECK_EDIT(base_reporting, "reference: CDC}", "reference: CDC, plafond: 3}",
	           "t.yaml:9:113: clé inconnue « plafond » dans package (clés possibles : statuses, "
	           "intervenants, minimum, amount, reference)");
	CHECK_EDIT(
	    base_reporting, "minimum: 2, ", "",
	    "t.yaml:9:10: package : il faut statuses:, intervenants:, minimum:, amount: et reference:");
	CHECK_EDIT(base_reporting, "statuses: [realise]", "statuses: []",
	           "t.yaml:9:21: package : statuses vide (au moins un code)");
	CHECK_EDIT(base_reporting, "intervenants: [medecin, psychologue]", "intervenants: medecin",
	           "t.yaml:9:46: intervenants : une liste attendu, trouvé une valeur simple");
	CHECK_EDIT(base_reporting, "minimum: 2", "minimum: 0",
	           "t.yaml:9:79: minimum : entier de 1 à 366 attendu, trouvé « 0 »");
	CHECK_EDIT(base_reporting, "amount: 400.5", "amount: -1",
	           "t.yaml:9:90: package : amount hors de [0, 1000000] euros");
	CHECK_EDIT(base_reporting, "reference: CDC}", "reference: \" \"}",
	           "t.yaml:9:108: package : reference vide (le texte qui fixe le montant)");

	char *why = NULL;
	ynode *root = ytree_load_buffer("t.yaml", base_reporting, strlen(base_reporting), &why);
	strbuf errs = STRBUF_INIT;
	load_ctx c = {.path = "t.yaml", .errors = &errs};
	reporting *r = root ? reporting_read(&c, root) : NULL;
	CHECK(r != NULL);
	if (r) {
		const package_rule *p = &r->package;
		CHECK(p->present);
		CHECK(p->n_statuses == 1 && p->n_intervenants == 2);
		if (p->n_statuses == 1 && p->n_intervenants == 2) {
			CHECK_STR(p->statuses[0], "realise");
			CHECK_STR(p->intervenants[1], "psychologue");
		}
		CHECK(p->minimum == 2);
		CHECK(p->amount == 400.5);
		CHECK_STR(p->reference, "CDC");
	}
	reporting_free(r);
	ytree_free(root);
	strbuf_done(&errs);
	free(why);
}

/* Typed keys go through the reader of their type, which names the key and points at the value. */
static void test_typed_values(void)
{
	CHECK_EDIT(base_form, "label: Q1}", "label: Q1, decimals: 7}",
	           "t.yaml:11:54: decimals : entier de 0 à 6 attendu, trouvé « 7 »");
	CHECK_EDIT(base_form, "label: Q1}", "label: Q1, required: peut-être}",
	           "t.yaml:11:54: required : true ou false attendu, trouvé « peut-être »");
	CHECK_EDIT(base_form, "label: Q1}", "label: Q1, unit: [kg]}",
	           "t.yaml:11:50: unit : une valeur simple attendu, trouvé une liste");
	CHECK_EDIT(base_form, "version: 1\n", "version: 0\n",
	           "t.yaml:2:10: version : entier de 1 à 1000000 attendu, trouvé « 0 »");
	CHECK_EDIT(base_form, "{id: al,", "{id: Al,",
	           "t.yaml:19:10: identifiant d'alerte « Al » invalide : lettres minuscules sans accent, "
	           "chiffres et _, commençant par une lettre, 48 caractères au plus");
	CHECK_EDIT(base_reporting, "value: 7.5", "value: sept",
	           "t.yaml:6:21: value : nombre attendu (point décimal), trouvé « sept »");
	CHECK_EDIT(base_reporting, "small_count_mask: 4", "small_count_mask: 101",
	           "t.yaml:2:19: small_count_mask : entier de 0 à 100 attendu, trouvé « 101 »");

	/* And land in the model where the table says. */
	char *text = edit(base_form, "label: Q1}",
	                  "label: Q1, help: Aide, required: oui, unit: kg, decimals: 2, export: non, "
	                  "identifier: true}");
	read_form rf;
	form *f = read_form_text(&rf, text);
	CHECK(f != NULL);
	CHECK_STR(strbuf_str(&rf.errs), "");
	const field *q1 = f ? form_field(f, "q1") : NULL;
	CHECK(q1 != NULL);
	if (q1) {
		CHECK_STR(q1->help.fr, "Aide");
		CHECK_STR(q1->unit, "kg");
		CHECK(q1->required && q1->identifier && !q1->exported && q1->decimals == 2);
	}
	CHECK(f && f->version == 1 && strcmp(f->id, "essai") == 0 && strcmp(f->title.fr, "Essai") == 0);
	read_form_done(&rf);
	free(text);
}

/* self: true and label_patient: a form the patient fills on the screen has no identity and asks
 * questions answered by a number key; the patient's wording lands in the model. */
static void test_self_assessment(void)
{
	CHECK_EDIT(base_form, "version: 1\n", "version: 1\nself: peut-être\n",
	           "t.yaml:3:7: self : true ou false attendu, trouvé « peut-être »");
	CHECK_EDIT(base_form, "version: 1\n", "version: 1\nself: true\n", "");
	char *text = edit(base_form, "label: Q1}", "label: Q1, identifier: true}");
	CHECK_EDIT(text, "version: 1\n", "version: 1\nself: true\n",
	           "t.yaml:3:1: self: true : le champ « q1 » est une donnée d'identité (identifier: true) ; "
	           "un formulaire rempli par le patient n'en a pas");
	free(text);
	CHECK_EDIT(base_form, "version: 1\n", "version: 1\nscope: structure\nself: true\n",
	           "t.yaml:4:1: self: true : un formulaire de la structure (scope: structure) ne concerne "
	           "aucun patient");
	CHECK_EDIT(base_form, "form: essai\n", "form: patient\nself: true\n",
	           "t.yaml:2:1: self: true : le formulaire patient porte l'identité, le patient ne le "
	           "remplit pas à l'écran");
	text =
	    edit(base_form, "choices: oui_non",
	         "choices: [{value: 0, label: A}, {value: 1, label: B}, "
	         "{value: 2, label: C}, {value: 3, label: D}, {value: 4, label: E}, {value: 5, label: F}, "
	         "{value: 6, label: G}, {value: 7, label: H}, {value: 8, label: I}, {value: 9, label: J}]");
	CHECK_EDIT(text, "version: 1\n", "version: 1\nself: true\n",
	           "t.yaml:13:9: champ « q2 » : 10 réponses ; dans un formulaire self: true le patient "
	           "répond par un chiffre, 9 réponses au plus");
	free(text);
	text = edit(base_form, "type: choice, choices: oui_non", "type: integer");
	CHECK_EDIT(text, "version: 1\n", "version: 1\nself: true\n",
	           "t.yaml:3:1: self: true : aucune question choice ou yesno à poser au patient");
	free(text);
	CHECK_EDIT(base_form, "label: Q1}", "label: Q1, label_patient: Question}",
	           "t.yaml:11:59: label_patient ne s'applique qu'aux questions choice et yesno et aux notes "
	           "(ce que le patient lit dans un auto-questionnaire)");
	CHECK_EDIT(base_form, "label: Q2}", "label: Q2, label_patient: Question}",
	           "t.yaml:12:9: champ « q2 » : label_patient sans self: true au formulaire (le patient ne "
	           "remplit pas ce formulaire)");

	/* The patient's words, where given; the label otherwise. */
	text = edit(base_form, "version: 1\n", "version: 1\nself: true\n");
	char *text2 = edit(text, "label: Q2}", "label: Q2, label_patient: {fr: Vous-même ?}}");
	char *text3 =
	    edit(text2, "{value: 1, label: Oui}", "{value: 1, label: Oui, label_patient: \"Oui, souvent\"}");
	read_form rf;
	form *f = read_form_text(&rf, text3);
	CHECK_STR(strbuf_str(&rf.errs), "");
	const field *q1 = f ? form_field(f, "q1") : NULL, *q2 = f ? form_field(f, "q2") : NULL;
	CHECK(f && f->self && q1 && q2);
	if (q1 && q2) {
		CHECK_STR(field_patient_label(q2, "fr"), "Vous-même ?");
		CHECK_STR(field_patient_label(q1, "fr"), "Q1");
		CHECK_STR(choice_patient_label(field_choice(q2, "1"), "fr"), "Oui, souvent");
		CHECK_STR(choice_patient_label(field_choice(q2, "0"), "fr"), "Non");
		CHECK(field_self_question(q2) && !field_self_question(q1));
	}
	read_form_done(&rf);
	free(text);
	free(text2);
	free(text3);
}

/* ---------------------------------------------------------------- each table directly */

static const struct {
	const ykey_table *t;
	const char *name, *first_required;
} tables[] = {
    {&ykeys_form, "form", "form"},
    {&ykeys_field, "field", "id"},
    {&ykeys_matrix, "matrix", "matrix"},
    {&ykeys_matrix_row, "matrix_row", "id"},
    {&ykeys_section, "section", "title"},
    {&ykeys_choice, "choice", "value"},
    {&ykeys_alert, "alert", "id"},
    {&ykeys_i18n, "i18n", "fr"},
    {&ykeys_reporting, "reporting", "reporting"},
    {&ykeys_deadline, "deadline", "period"},
    {&ykeys_threshold, "threshold", "id"},
    {&ykeys_example, "example", "answers"},
    {&ykeys_access, "access", "purpose"},
    {&ykeys_retention, "retention", "years"},
    {&ykeys_budget, "budget", "structure"},
    {&ykeys_package, "package", "statuses"},
};

/* A mapping built by hand, as no YAML file can hold it: keys[i] at line i + 2, column 5. */
typedef struct {
	ynode map;
	ynode keys[2], items[2];
	ynode *key_ptrs[2], *item_ptrs[2];
} test_map;

static void build_map(test_map *m, const char *k0, const char *k1)
{
	memset(m, 0, sizeof *m);
	const char *names[2] = {k0, k1};
	for (int i = 0; i < 2; i++) {
		m->keys[i] = (ynode){.kind = Y_SCALAR, .line = i + 2, .col = 5, .str = (char *)names[i]};
		m->items[i] = (ynode){.kind = Y_SCALAR, .line = i + 2, .col = 12, .str = (char *)"x"};
		m->key_ptrs[i] = &m->keys[i];
		m->item_ptrs[i] = &m->items[i];
	}
	m->map =
	    (ynode){.kind = Y_MAP, .line = 1, .col = 3, .keys = m->key_ptrs, .items = m->item_ptrs, .n = 2};
}

/* Each table: a key twice is refused at the second one, naming the line of the first; the first
 * value is kept. */
static void test_tables_refuse_duplicates(void)
{
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		const ykey_table *t = tables[i].t;
		test_map tm;
		build_map(&tm, t->keys[0].name, t->keys[0].name);
		strbuf errs = STRBUF_INIT;
		load_ctx c = {.path = "t.yaml", .errors = &errs};
		ymap m;
		CHECK(!ymap_open(&m, &c, &tm.map, t, NULL, NULL));
		char *want = xasprintf("t.yaml:3:5: clé « %s » en double (déjà ligne 2)\n", t->keys[0].name);
		CHECK_STR(strbuf_str(&errs), want);
		CHECK(m.v[0] == &tm.items[0] && m.key[0] == &tm.keys[0]);
		if (c.count != 1)
			fprintf(stderr, "  table %s\n", tables[i].name);
		free(want);
		strbuf_done(&errs);
	}
}

/* Each table: an unknown key is refused at its place and every key of the table is listed;
 * the known key beside it is still matched. */
static void test_tables_refuse_unknown(void)
{
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		ykey_table t = *tables[i].t;
		if (!t.where)
			t.where = "label"; /* a text's table is named by the key that holds it */
		test_map tm;
		build_map(&tm, t.keys[t.n - 1].name, "inconnue");
		strbuf errs = STRBUF_INIT;
		load_ctx c = {.path = "t.yaml", .errors = &errs};
		ymap m;
		CHECK(!ymap_open(&m, &c, &tm.map, &t, NULL, NULL));
		char *head = xasprintf("t.yaml:3:5: clé inconnue « inconnue » dans %s (clés possibles : %s, ",
		                       t.where, t.keys[0].name);
		const char *got = strbuf_str(&errs);
		CHECK(strncmp(got, head, strlen(head)) == 0);
		for (size_t k = 0; k < t.n; k++)
			CHECK(strstr(got, t.keys[k].name) != NULL);
		CHECK(c.count == 1 && m.v[t.n - 1] == &tm.items[0]);
		if (strncmp(got, head, strlen(head)) != 0)
			fprintf(stderr, "  table %s : %s", tables[i].name, got);
		free(head);
		strbuf_done(&errs);
	}
}

/* Each table: an empty mapping lacks its first required key; tables fit a ymap and name each
 * key once. */
static void test_tables_required_and_shape(void)
{
	ynode empty = {.kind = Y_MAP, .line = 1, .col = 1};
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		const ykey_table *t = tables[i].t;
		strbuf errs = STRBUF_INIT;
		load_ctx c = {.path = "t.yaml", .errors = &errs};
		ymap m;
		CHECK(ymap_open(&m, &c, &empty, t, NULL, NULL) && c.count == 0);
		int k = ymap_missing(&m);
		CHECK(k >= 0 && strcmp(t->keys[k].name, tables[i].first_required) == 0);
		CHECK(t->n <= YKEYS_MAX);
		for (size_t a = 0; a < t->n; a++)
			for (size_t b = 0; b < a; b++)
				CHECK(strcmp(t->keys[a].name, t->keys[b].name) != 0);
		strbuf_done(&errs);
	}
}

int main(void)
{
	RUN(test_bases_read);
	RUN(test_unknown_key_each_mapping);
	RUN(test_every_unknown_key);
	RUN(test_duplicate_key_in_file);
	RUN(test_missing_keys);
	RUN(test_typed_values);
	RUN(test_retention);
	RUN(test_self_assessment);
	RUN(test_package);
	RUN(test_tables_refuse_duplicates);
	RUN(test_tables_refuse_unknown);
	RUN(test_tables_required_and_shape);
	return harness_report();
}
