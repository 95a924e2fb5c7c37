/* fuzz_values.c — libFuzzer harness: typed values as typed on the command line or in a screen →
 * record_set on a fixed small form with a field of every type, then record_compute,
 * record_check, alerts and record_summary; and text_sanitize on every piece of text.
 *
 * Input: commands separated by NUL bytes. A command is one selector byte and a text:
 *   - 'a'…'z': record_set(field, text), fields numbered across the form "essai" (a = texte, b =
 *     telephone, …, see FORM below) and then the form "patient" (the patient's record, which
 *     essai reads through patient.<field>);
 *   - 'A'…'Z': record_set_raw(field, text), a value read back from a database file, unchecked;
 *   - any other byte: its value modulo the number of fields, with record_set.
 * So "d42" sets nombre to 42 and "g2024-02-29" sets quand.
 *
 * Properties: never crash, leak or hang; a value record_set accepts is stored in a canonical form
 * that it accepts again unchanged; numbers and dates read back; text_sanitize always yields valid
 * UTF-8 without C0 or C1 control characters nor DEL (tab and newline only when asked), is
 * idempotent, and leaves clean text unchanged. */
#include <stdint.h>
#include <string.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "fuzz_common.h"

/* One field of every type, limits, a pattern, choice codes that are numbers and words, missing
 * codes restricted, skip logic, calculated fields of every kind, patient.* and seuil.*. */
static const char FORM[] =
    "form: essai\n"
    "version: 1\n"
    "title: {fr: \"Essai\", en: \"Trial\"}\n"
    "summary: \"Essai {score} — {niveau:label} {freq:label} {texte} {substances} {quand}\"\n"
    "choice_sets:\n"
    "  frequence:\n"
    "    - {value: 0, label: Jamais}\n"
    "    - {value: 1, label: Parfois}\n"
    "    - {value: 4, label: {fr: Souvent, en: Often}}\n"
    "sections:\n"
    "  - title: Tout\n"
    "    fields:\n"
    "      - {id: texte, type: text, label: Texte, max: 40}\n"                              /* a */
    "      - {id: telephone, type: text, label: Téléphone, pattern: '[+0-9 .()-]{6,24}',\n" /* b */
    "         missing_codes: [refus]}\n"
    "      - {id: notes, type: text, label: Notes}\n"                          /* c */
    "      - {id: nombre, type: integer, label: Nombre, min: -5, max: 1000,\n" /* d */
    "         soft_constraint: 'nombre <= 100', soft_message: Plus de 100 ?}\n"
    "      - {id: poids, type: decimal, label: Poids, min: 0.5, max: 9.99, decimals: 1}\n" /* e */
    "      - {id: mesure, type: decimal, label: Mesure}\n"                                 /* f */
    "      - {id: quand, type: date, label: Quand, min: 2000-01-01, max: 2030-12-31,\n"    /* g */
    "         constraint: 'quand <= today()', message: Pas dans le futur}\n"
    "      - {id: oui, type: yesno, label: Oui, missing_codes: []}\n"                              /* h */
    "      - {id: freq, type: choice, label: Fréquence, choices: frequence, show_if: 'oui = 1',\n" /* i
                                                                                                    */
    "         skipped_value: 0}\n"
    "      - id: niveau\n" /* j */
    "        type: choice\n"
    "        label: Niveau\n"
    "        choices:\n"
    "          - {value: faible, label: Faible}\n"
    "          - {value: eleve, label: {fr: Élevé, en: High}}\n"
    "      - id: substances\n" /* k */
    "        type: multi\n"
    "        label: Substances\n"
    "        choices:\n"
    "          - {value: alcool, label: Alcool}\n"
    "          - {value: tabac, label: Tabac}\n"
    "          - {value: al, label: Al}\n"
    "      - {id: score, type: calculated, label: Score,\n" /* l */
    "         expr: 'coalesce(freq, 0) + nombre * 2 + count_selected(substances)'}\n"
    "      - {id: ratio, type: calculated, label: Ratio, expr: 'round(poids / mesure, 2)', decimals: "
    "2}\n" /* m */
    "      - {id: age, type: calculated, label: Âge, expr: 'years_between(patient.naissance, "
    "entry.date)'}\n"                                         /* n */
    "      - {id: classe, type: calculated, label: Classe,\n" /* o */
    "         expr: \"if(score >= seuil.haut, 'haut', if(contains(texte, 'x'), 'x', 'bas'))\"}\n"
    "      - {id: delai, type: calculated, label: Délai, expr: 'days_between(quand, entry.date)'}\n" /* p
                                                                                                      */
    "      - {id: info, type: note, label: Une note}\n"                                              /* q */
    "      - {id: detail, type: text, label: Détail, required: true, default: rien,\n"               /* r */
    "         show_if: \"selected(substances, 'alcool') and patient.sexe = 'F'\"}\n"
    "alerts:\n"
    "  - {id: haut, if: 'score > seuil.haut', level: urgent, message: Score haut}\n"
    "  - {id: long_texte, if: 'length(texte) > 30', message: Texte long}\n";

static const char PATIENT[] =
    "form: patient\n"
    "version: 1\n"
    "title: Patient\n"
    "cardinality: once\n"
    "sections:\n"
    "  - title: Identité\n"
    "    fields:\n"
    "      - id: sexe\n" /* s */
    "        type: choice\n"
    "        label: Sexe\n"
    "        choices: [{value: F, label: Femme}, {value: M, label: Homme}]\n"
    "      - {id: naissance, type: date, label: Naissance, default: today}\n"; /* t */

static const char REPORTING[] = "reporting: 1\n"
                                "thresholds:\n"
                                "  - {id: haut, value: 50, label: Seuil haut, reference: essai}\n";

static formset *fs;
static const form *essai, *patient_form;

/* Load the fixed set once; it is never freed (the process ends with it). */
static void load_forms(void)
{
	if (fs)
		return;
	fuzz_fixed_clock();
	const char *paths[3] = {fuzz_memfile(0, FORM, sizeof FORM - 1),
	                        fuzz_memfile(1, PATIENT, sizeof PATIENT - 1),
	                        fuzz_memfile(2, REPORTING, sizeof REPORTING - 1)};
	char *errors = NULL;
	fs = formset_load_files(paths, 3, NULL, &errors);
	if (!fs) {
		fprintf(stderr, "fuzz_values: fixed forms refused:\n%s", errors);
		abort();
	}
	essai = formset_form(fs, "essai");
	patient_form = formset_form(fs, "patient");
	FUZZ_CHECK(essai && patient_form && essai->n_fields == 18);
}

/* Decode one UTF-8 sequence of valid text; returns its length. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80)
		return *cp = s[0], 1;
	size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
	uint32_t c = s[0] & (0x3F >> (len - 1));
	for (size_t i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3F);
	*cp = c;
	return len;
}

/* The text contains no control character (C0, DEL, C1), except tab and newline if allowed. */
static bool is_clean(const char *s, bool allow_newlines)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t cp;
		p += decode(p, &cp);
		bool control = cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0);
		if (control && !(allow_newlines && (cp == '\n' || cp == '\t')))
			return false;
	}
	return true;
}

static void check_sanitize(const char *text)
{
	for (int keep = 0; keep < 2; keep++) {
		char *out = text_sanitize(text, keep);
		FUZZ_CHECK(utf8_valid(out, strlen(out)));
		FUZZ_CHECK(is_clean(out, keep));
		char *again = text_sanitize(out, keep);
		FUZZ_CHECK(strcmp(out, again) == 0);
		if (utf8_valid(text, strlen(text)) && is_clean(text, keep))
			FUZZ_CHECK(strcmp(out, text) == 0);
		free(again);
		free(out);
	}
}

/* The util.h parsers: what they accept reads back. */
static void check_parsers(const char *text)
{
	double x;
	long long iv;
	long days;
	char buf[64], date[11];
	if (parse_decimal(text, &x)) {
		for (int d = -1; d <= 6; d++) {
			double y;
			format_number(x, d, buf, sizeof buf);
			FUZZ_CHECK(parse_decimal(buf, &y));
		}
	}
	(void)parse_integer(text, &iv);
	if (date_parse(text, &days)) {
		date_format(days, date);
		FUZZ_CHECK(strcmp(date, text) == 0);
	}
}

/* A value record_set accepted is canonical: setting it again gives the same text. */
static void check_canonical(record *r, size_t idx)
{
	const fvalue *fv = &r->vals[idx];
	if (!fv->text)
		return;
	char *canon = xstrdup(fv->text);
	char *why = NULL;
	bool ok = record_set(r, idx, canon, &why);
	if (!ok)
		fprintf(stderr, "canonical « %s » refused: %s\n", canon, why);
	FUZZ_CHECK(ok);
	FUZZ_CHECK(strcmp(r->vals[idx].text, canon) == 0);
	FUZZ_CHECK(r->vals[idx].v.kind != V_MISSING);
	free(canon);
}

static void apply(record *r, record *pr, unsigned char sel, const char *text)
{
	size_t total = essai->n_fields + patient_form->n_fields;
	bool raw = sel >= 'A' && sel <= 'Z';
	size_t idx = (sel >= 'a' && sel <= 'z' ? sel - 'a' : raw ? sel - 'A' : sel) % total;
	record *target = idx < essai->n_fields ? r : pr;
	if (target == pr)
		idx -= essai->n_fields;
	if (raw) {
		record_set_raw(target, idx, text, MISS_NONE);
		return;
	}
	char *why = NULL;
	if (record_set(target, idx, text, &why)) {
		FUZZ_CHECK(why == NULL);
		check_canonical(target, idx);
	} else {
		FUZZ_CHECK(why != NULL);
		free(why);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	load_forms();
	long date = date_from_ymd(2026, 1, 15);
	record *pr = record_new(fs, patient_form, date);
	record *r = record_new(fs, essai, date);
	r->patient = pr;
	record_apply_defaults(pr);
	record_apply_defaults(r);

	char *buf = fuzz_cstr(data, size); /* one extra NUL: every command ends with one */
	for (size_t at = 0; at < size;) {
		size_t len = strlen(buf + at);
		if (len > 0) {
			const char *text = buf + at + 1;
			check_sanitize(text);
			check_parsers(text);
			apply(r, pr, (unsigned char)buf[at], text);
		}
		at += len + 1;
	}
	free(buf);

	record_compute(pr);
	record_compute(r);
	issue *iss = NULL;
	size_t n = record_check(r, &iss);
	issues_free(iss, n);
	for (size_t k = 0; k < essai->n_alerts; k++)
		(void)record_alert_active(r, k);
	for (size_t i = 0; i < essai->n_fields; i++) {
		(void)record_field_visible(r, i);
		(void)record_field_valid(r, i);
		free(value_to_text(record_value(r, i), essai->fields[i].decimals));
	}
	for (int lang = 0; lang < 2; lang++) {
		char *s = record_summary(r, lang ? "en" : "fr");
		check_sanitize(s);
		free(s);
	}
	record_free(r);
	record_free(pr);
	return 0;
}
