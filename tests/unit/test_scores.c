/* test_scores.c — the scores of domain.md computed through the real forms of forms/: AUDIT
 * (total, AUDIT-C, sub-scores, WHO zones, French class by sex, AUDIT-C cut-offs, the WHO skip
 * rule, missing items), EPICES (the published checks, the precarity threshold), FIB-4 and APRI,
 * PHQ-9 and GAD-7 severities, and the text form of computed values. Every expected value is
 * worked out by hand in the comment beside it: the program must agree with the arithmetic, not
 * with itself. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "harness.h"

static formset *fs;
static const form *f_patient, *f_audit, *f_precarite, *f_hcv, *f_sante;

static long day_of(const char *s)
{
	long d = 0;
	if (!date_parse(s, &d))
		fprintf(stderr, "date de test invalide : %s\n", s);
	return d;
}

static long idx_of(const record *r, const char *id)
{
	long i = form_field_index(r->f, id);
	if (i < 0)
		fprintf(stderr, "  champ « %s » absent du formulaire %s\n", id, r->f->id);
	return i;
}

/* Set one field from its text; a refusal is a test failure (with the reason printed). */
static bool set(record *r, const char *id, const char *text)
{
	long i = idx_of(r, id);
	char *why = NULL;
	bool ok = i >= 0 && record_set(r, (size_t)i, text, &why);
	if (!ok)
		fprintf(stderr, "  %s=%s refusé : %s\n", id, text ? text : "(null)", why ? why : "?");
	free(why);
	return ok;
}

/* Try to set a value that must be refused; returns the message (caller frees) or NULL when the
 * value was wrongly accepted. */
static char *refused(record *r, const char *id, const char *text)
{
	long i = idx_of(r, id);
	char *why = NULL;
	if (i < 0)
		return NULL;
	if (record_set(r, (size_t)i, text, &why)) {
		fprintf(stderr, "  %s=%s accepté alors qu'il devait être refusé\n", id, text);
		return NULL;
	}
	return why ? why : xstrdup("");
}

/* The stored text of a field ("7", "II", "90.53"), NULL when missing. */
static const char *txt(const record *r, const char *id)
{
	long i = idx_of(r, id);
	return i >= 0 ? r->vals[i].text : "(champ inconnu)";
}

static bool visible(const record *r, const char *id)
{
	long i = idx_of(r, id);
	return i >= 0 && r->vals[i].visible;
}

/* The patient's own record: sexe and annee_naissance (either may be NULL: left unanswered). */
static record *patient(const char *sexe, const char *annee)
{
	record *p = record_new(fs, f_patient, day_of("2026-01-05"));
	bool ok = true;
	if (sexe)
		ok &= set(p, "sexe", sexe);
	if (annee)
		ok &= set(p, "annee_naissance", annee);
	CHECK(ok);
	record_compute(p);
	return p;
}

/* An AUDIT entry from ten answers "q1 q2 … q10"; "-" leaves an item unanswered, ".nsp" etc.
 * are typed missing codes. */
static record *audit(const record *p, const char *answers)
{
	record *r = record_new(fs, f_audit, day_of("2026-06-15"));
	r->patient = p;
	char *copy = xstrdup(answers), *save = NULL;
	int q = 1;
	bool ok = true;
	for (char *tok = strtok_r(copy, " ", &save); tok && q <= 10; tok = strtok_r(NULL, " ", &save), q++) {
		if (strcmp(tok, "-") == 0)
			continue;
		char id[8];
		snprintf(id, sizeof id, "q%d", q);
		ok &= set(r, id, tok);
	}
	CHECK(ok);
	CHECK(q == 11);
	free(copy);
	record_compute(r);
	return r;
}

/* An AUDIT entry read for a given sex (p may be NULL: no patient record at all). */
static const char *classe_for(const char *sexe, const char *answers, char out[32])
{
	record *p = sexe ? patient(sexe, "1980") : NULL;
	record *r = audit(p, answers);
	const char *c = txt(r, "classe_fr");
	snprintf(out, 32, "%s", c ? c : "(manquant)");
	record_free(r);
	record_free(p);
	return out;
}

static const char *auditc_for(const char *sexe, const char *answers, char out[32])
{
	record *p = patient(sexe, "1980");
	record *r = audit(p, answers);
	const char *c = txt(r, "audit_c_positif");
	snprintf(out, 32, "%s", c ? c : "(manquant)");
	record_free(r);
	record_free(p);
	return out;
}

/* Macro, so that a failure names the caller's line. */
#define AUDIT_IS(r, tot, c, dep, dom, zone)                                                                  \
	do {                                                                                                 \
		CHECK_STR(txt(r, "total"), tot);                                                             \
		CHECK_STR(txt(r, "audit_c"), c);                                                             \
		CHECK_STR(txt(r, "dependance"), dep);                                                        \
		CHECK_STR(txt(r, "dommages"), dom);                                                          \
		CHECK_STR(txt(r, "zone_oms"), zone);                                                         \
	} while (0)

/* ---- AUDIT ------------------------------------------------------------------------------ */

static void test_audit_example(void)
{
	record *p = patient("M", "1981");
	/* The README's example: 2 1 1 0 0 0 1 0 0 2.
	 * total = 2+1+1+0+0+0+1+0+0+2 = 7; AUDIT-C = 2+1+1 = 4; dependance = 0+0+0 = 0;
	 * dommages = 1+0+0+2 = 3; 7 <= 7 → zone I; man: 7 >= 7 → mesusage; AUDIT-C 4 >= 4 → 1. */
	record *r = audit(p, "2 1 1 0 0 0 1 0 0 2");
	AUDIT_IS(r, "7", "4", "0", "3", "I");
	CHECK_STR(txt(r, "classe_fr"), "mesusage");
	CHECK_STR(txt(r, "audit_c_positif"), "1");
	CHECK_STR(txt(r, "saut_q2_q8"), "0");
	record_free(r);

	/* Sub-scores on distinct items: 1 2 3 4 3 2 1 0 2 4.
	 * total = 1+2+3+4+3+2+1+0+2+4 = 22; AUDIT-C = 1+2+3 = 6; dependance = 4+3+2 = 9;
	 * dommages = 1+0+2+4 = 7; 22 >= 20 → zone IV; 22 >= 13 → dependance_probable. */
	r = audit(p, "1 2 3 4 3 2 1 0 2 4");
	AUDIT_IS(r, "22", "6", "9", "7", "IV");
	CHECK_STR(txt(r, "classe_fr"), "dependance_probable");
	record_free(r);
	record_free(p);
}

static void test_audit_zones(void)
{
	record *p = patient("F", "1990");
	record *r;
	/* 1 0 0 0 0 0 0 0 0 0: total 1 → I. */
	r = audit(p, "1 0 0 0 0 0 0 0 0 0");
	AUDIT_IS(r, "1", "1", "0", "0", "I");
	record_free(r);
	/* 2 2 2 1 0 0 1 0 0 0: total 2+2+2+1+1 = 8 → II (first value of II);
	 * AUDIT-C 6; dependance 1+0+0 = 1; dommages 1+0+0+0 = 1. */
	r = audit(p, "2 2 2 1 0 0 1 0 0 0");
	AUDIT_IS(r, "8", "6", "1", "1", "II");
	record_free(r);
	/* 3 3 3 2 1 1 2 0 0 0: total 3+3+3+2+1+1+2 = 15 → II (last value of II);
	 * AUDIT-C 9; dependance 2+1+1 = 4; dommages 2. */
	r = audit(p, "3 3 3 2 1 1 2 0 0 0");
	AUDIT_IS(r, "15", "9", "4", "2", "II");
	record_free(r);
	/* 4 3 3 2 1 1 2 0 0 0: total 4+3+3+2+1+1+2 = 16 → III (first value of III). */
	r = audit(p, "4 3 3 2 1 1 2 0 0 0");
	AUDIT_IS(r, "16", "10", "4", "2", "III");
	record_free(r);
	/* 4 4 3 2 1 1 2 0 2 0: total 4+4+3+2+1+1+2+0+2+0 = 19 → III (last value of III);
	 * dommages 2+0+2+0 = 4. */
	r = audit(p, "4 4 3 2 1 1 2 0 2 0");
	AUDIT_IS(r, "19", "11", "4", "4", "III");
	record_free(r);
	/* 4 4 4 2 1 1 2 0 2 0: total 20 → IV (first value of IV). */
	r = audit(p, "4 4 4 2 1 1 2 0 2 0");
	AUDIT_IS(r, "20", "12", "4", "4", "IV");
	record_free(r);
	/* Everything at its highest: 8 × 4 + 4 + 4 = 40 → IV; AUDIT-C 12; dependance 12;
	 * dommages 4+4+4+4 = 16. */
	r = audit(p, "4 4 4 4 4 4 4 4 4 4");
	AUDIT_IS(r, "40", "12", "12", "16", "IV");
	CHECK_STR(txt(r, "classe_fr"), "dependance_probable");
	record_free(r);
	/* Item 1 at 0: total 0 (skip rule, below) → I. */
	r = audit(p, "0 - - - - - - - 0 0");
	AUDIT_IS(r, "0", "0", "0", "0", "I");
	CHECK_STR(txt(r, "classe_fr"), "faible_risque");
	record_free(r);
	record_free(p);
}

static void test_audit_classe_by_sex(void)
{
	char b[32];
	/* total 5 (2 1 1 0 0 0 1 0 0 0 → 2+1+1+1): below every cut-off → faible_risque. */
	CHECK_STR(classe_for("F", "2 1 1 0 0 0 1 0 0 0", b), "faible_risque");
	CHECK_STR(classe_for("M", "2 1 1 0 0 0 1 0 0 0", b), "faible_risque");
	CHECK_STR(classe_for("X", "2 1 1 0 0 0 1 0 0 0", b), "faible_risque");
	/* total 6 (2 1 1 0 0 0 2 0 0 0 → 2+1+1+2): woman 6 >= 6 → mesusage; man 6 < 7 →
	 * faible_risque; X takes the female cut-off → mesusage. */
	CHECK_STR(classe_for("F", "2 1 1 0 0 0 2 0 0 0", b), "mesusage");
	CHECK_STR(classe_for("M", "2 1 1 0 0 0 2 0 0 0", b), "faible_risque");
	CHECK_STR(classe_for("X", "2 1 1 0 0 0 2 0 0 0", b), "mesusage");
	/* total 7 (2 1 1 0 0 0 1 0 0 2 → 2+1+1+1+2): man 7 >= 7 → mesusage. */
	CHECK_STR(classe_for("M", "2 1 1 0 0 0 1 0 0 2", b), "mesusage");
	CHECK_STR(classe_for("F", "2 1 1 0 0 0 1 0 0 2", b), "mesusage");
	/* total 12 (3 2 2 1 1 0 1 0 2 0 → 3+2+2+1+1+1+2): 12 < 13 → mesusage for both sexes. */
	CHECK_STR(classe_for("M", "3 2 2 1 1 0 1 0 2 0", b), "mesusage");
	CHECK_STR(classe_for("F", "3 2 2 1 1 0 1 0 2 0", b), "mesusage");
	/* total 13 (3 2 2 1 1 0 2 0 2 0 → 3+2+2+1+1+2+2): 13 >= 13 → dependance_probable. */
	CHECK_STR(classe_for("M", "3 2 2 1 1 0 2 0 2 0", b), "dependance_probable");
	CHECK_STR(classe_for("F", "3 2 2 1 1 0 2 0 2 0", b), "dependance_probable");
	CHECK_STR(classe_for("X", "3 2 2 1 1 0 2 0 2 0", b), "dependance_probable");
	/* No sex known: the misuse cut-off cannot be chosen → missing, but probable dependence does
	 * not depend on sex. */
	CHECK_STR(classe_for(NULL, "2 1 1 0 0 0 2 0 0 0", b), "(manquant)");
	CHECK_STR(classe_for(NULL, "3 2 2 1 1 0 2 0 2 0", b), "dependance_probable");
}

static void test_audit_c_positif(void)
{
	char b[32];
	/* AUDIT-C = q1+q2+q3. Man: positive at >= 4. 1 1 1 → 3 → 0; 2 1 1 → 4 → 1. */
	CHECK_STR(auditc_for("M", "1 1 1 0 0 0 0 0 0 0", b), "0");
	CHECK_STR(auditc_for("M", "2 1 1 0 0 0 0 0 0 0", b), "1");
	/* Woman: positive at >= 3. 1 1 0 → 2 → 0; 1 1 1 → 3 → 1. */
	CHECK_STR(auditc_for("F", "1 1 0 0 0 0 0 0 0 0", b), "0");
	CHECK_STR(auditc_for("F", "1 1 1 0 0 0 0 0 0 0", b), "1");
	/* X: female cut-off. 1 1 1 → 3 → 1; 1 1 0 → 2 → 0. */
	CHECK_STR(auditc_for("X", "1 1 1 0 0 0 0 0 0 0", b), "1");
	CHECK_STR(auditc_for("X", "1 1 0 0 0 0 0 0 0 0", b), "0");
}

static void test_audit_skip_rule(void)
{
	record *p = patient("F", "1975");
	/* q1 = 0 (Jamais): items 2 to 8 are not asked and count 0; 9 and 10 still are.
	 * 0 - - - - - - - 2 4: total = 0 + 7 × 0 + 2 + 4 = 6; AUDIT-C 0; dependance 0;
	 * dommages 0+0+2+4 = 6; zone I; woman 6 >= 6 → mesusage. */
	record *r = audit(p, "0 - - - - - - - 2 4");
	AUDIT_IS(r, "6", "0", "0", "6", "I");
	CHECK_STR(txt(r, "saut_q2_q8"), "1");
	CHECK_STR(txt(r, "classe_fr"), "mesusage");
	CHECK_STR(txt(r, "audit_c_positif"), "0");
	for (int q = 2; q <= 8; q++) {
		char id[8];
		snprintf(id, sizeof id, "q%d", q);
		CHECK(!visible(r, id));
		value v = record_value(r, (size_t)idx_of(r, id));
		CHECK(v.kind == V_NUM && v.num == 0);
	}
	CHECK(visible(r, "q9") && visible(r, "q10"));
	/* Hidden items are not required: nothing is missing. */
	issue *iss = NULL;
	size_t n = record_check(r, &iss);
	CHECK(n == 0);
	issues_free(iss, n);
	record_free(r);

	/* Answers typed for the hidden items do not count: 0 4 4 4 4 4 4 4 2 4 still totals
	 * 0 + 2 + 4 = 6. */
	r = audit(p, "0 4 4 4 4 4 4 4 2 4");
	AUDIT_IS(r, "6", "0", "0", "6", "I");
	record_free(r);

	/* The skip does not apply at q1 = 1: 1 0 0 0 0 0 0 0 2 4 → total 1+2+4 = 7. */
	r = audit(p, "1 0 0 0 0 0 0 0 2 4");
	CHECK_STR(txt(r, "saut_q2_q8"), "0");
	CHECK(visible(r, "q2") && visible(r, "q8"));
	AUDIT_IS(r, "7", "1", "0", "6", "I");
	record_free(r);
	/* …and with q1 = 1 an unanswered q2 is required, and the total is missing. */
	r = audit(p, "1 - 0 0 0 0 0 0 0 0");
	CHECK(txt(r, "total") == NULL);
	n = record_check(r, &iss);
	CHECK(n == 1 && iss[0].kind == ISSUE_REQUIRED && strcmp(r->f->fields[iss[0].field].id, "q2") == 0);
	issues_free(iss, n);
	record_free(r);
	record_free(p);
}

static void test_audit_missing(void)
{
	record *p = patient("M", "1960");
	/* q5 unanswered: total, dependance, zone and class are missing, not silently low;
	 * AUDIT-C (q1..q3 = 2+2+1 = 5) and dommages (1+1+0+2 = 4) do not use q5. */
	record *r = audit(p, "2 2 1 1 - 1 1 1 0 2");
	CHECK(txt(r, "total") == NULL);
	CHECK(txt(r, "dependance") == NULL);
	CHECK(txt(r, "zone_oms") == NULL);
	CHECK(txt(r, "classe_fr") == NULL);
	CHECK_STR(txt(r, "audit_c"), "5");
	CHECK_STR(txt(r, "dommages"), "4");
	CHECK_STR(txt(r, "audit_c_positif"), "1"); /* 5 >= 4 */
	record_free(r);
	/* A typed missing code counts as missing too. */
	r = audit(p, "2 2 1 1 .nsp 1 1 1 0 2");
	CHECK(txt(r, "total") == NULL);
	CHECK(txt(r, "zone_oms") == NULL);
	long i5 = idx_of(r, "q5");
	CHECK(i5 >= 0 && r->vals[i5].missing == MISS_NSP);
	record_free(r);
	/* q1 unanswered: the skip rule cannot be decided: everything that reads q1 is missing. */
	r = audit(p, "- 0 0 0 0 0 0 0 0 0");
	CHECK(txt(r, "total") == NULL);
	CHECK(txt(r, "audit_c") == NULL);
	record_free(r);
	/* q1 answered by a missing code: items 2 to 8 were never asked, and nobody knows whether
	 * they would have counted 0: the sub-scores that read them are missing too (they were 0 and
	 * 6, from the skip value), while q1 = 0 skips them for real. */
	static const char *const codes[] = {".nsp", ".refus"};
	for (size_t k = 0; k < 2; k++) {
		char answers[64];
		snprintf(answers, sizeof answers, "%s - - - - - - - 2 4", codes[k]);
		r = audit(p, answers);
		CHECK(!visible(r, "q4"));
		CHECK(txt(r, "total") == NULL);
		CHECK(txt(r, "audit_c") == NULL);
		CHECK(txt(r, "dependance") == NULL);
		CHECK(txt(r, "dommages") == NULL);
		CHECK(txt(r, "zone_oms") == NULL);
		record_free(r);
	}
	r = audit(p, "0 - - - - - - - 2 4");
	CHECK_STR(txt(r, "dependance"), "0");
	CHECK_STR(txt(r, "dommages"), "6");
	CHECK_STR(txt(r, "total"), "6");
	record_free(r);
	record_free(p);
}

static void test_audit_item_values(void)
{
	record *r = record_new(fs, f_audit, day_of("2026-06-15"));
	char *why;
	/* q9 and q10 only take 0, 2 and 4. */
	CHECK(set(r, "q9", "0") && set(r, "q9", "2") && set(r, "q9", "4"));
	CHECK(set(r, "q10", "0") && set(r, "q10", "2") && set(r, "q10", "4"));
	const char *bad[] = {"1", "3", "5", "-2", "2.0", "oui", "deux"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK((why = refused(r, "q9", bad[i])) != NULL && strstr(why, "q9") != NULL);
		free(why);
		CHECK((why = refused(r, "q10", bad[i])) != NULL && strstr(why, "q10") != NULL);
		free(why);
	}
	/* A refused value leaves the earlier one. */
	CHECK_STR(txt(r, "q9"), "4");
	/* Items 1 to 8 take 0 to 4. */
	CHECK(set(r, "q1", "0") && set(r, "q1", "4") && set(r, "q8", "3"));
	CHECK((why = refused(r, "q1", "5")) != NULL && strstr(why, "q1") != NULL);
	free(why);
	CHECK((why = refused(r, "q4", "-1")) != NULL);
	free(why);
	/* Calculated fields are not typed in. */
	CHECK((why = refused(r, "total", "12")) != NULL && strstr(why, "total") != NULL);
	free(why);
	record_free(r);
}

/* ---- EPICES ----------------------------------------------------------------------------- */

/* An EPICES entry from eleven answers "1 0 …" ("-" leaves the item unanswered). The social
 * situation part is not needed for the score. */
static record *epices(const char *answers)
{
	record *r = record_new(fs, f_precarite, day_of("2026-06-15"));
	char *copy = xstrdup(answers), *save = NULL;
	int q = 1;
	bool ok = true;
	for (char *tok = strtok_r(copy, " ", &save); tok && q <= 11; tok = strtok_r(NULL, " ", &save), q++) {
		if (strcmp(tok, "-") == 0)
			continue;
		char id[12];
		snprintf(id, sizeof id, "epices%d", q);
		ok &= set(r, id, tok);
	}
	CHECK(ok);
	CHECK(q == 12);
	free(copy);
	record_compute(r);
	return r;
}

#define EPICES_IS(answers, score, prec)                                                                      \
	do {                                                                                                 \
		record *r_ = epices(answers);                                                                \
		CHECK_STR(txt(r_, "epices_score"), score);                                                   \
		CHECK_STR(txt(r_, "precaire"), prec);                                                        \
		record_free(r_);                                                                             \
	} while (0)

static void test_epices(void)
{
	/* domain.md check 1: oui to 1 and 5 only: 75.14 + 10.06 + 14.80 = 100.00. */
	EPICES_IS("1 0 0 0 1 0 0 0 0 0 0", "100.00", "1");
	/* domain.md check 2: oui to all but 1 and 5:
	 * 75.14 − 11.83 − 8.28 − 8.28 − 6.51 − 7.10 − 7.10 − 9.47 − 9.47 − 7.10
	 * = 75.14 − 75.14 = 0.00 (and not "-0.00"). */
	EPICES_IS("0 1 1 1 0 1 1 1 1 1 1", "0.00", "0");
	/* domain.md check 3: oui to 1, 5 and 9: 100.00 − 9.47 = 90.53. */
	EPICES_IS("1 0 0 0 1 0 0 0 1 0 0", "90.53", "1");
	/* All non: the constant alone, 75.14 → precarious. */
	EPICES_IS("0 0 0 0 0 0 0 0 0 0 0", "75.14", "1");
	/* Oui to 2 and 3: 75.14 − 11.83 − 8.28 = 55.03. */
	EPICES_IS("0 1 1 0 0 0 0 0 0 0 0", "55.03", "1");
	/* Oui to 1, 2, 6 and 7: 75.14 + 10.06 − 11.83 − 6.51 − 7.10 = 59.76. */
	EPICES_IS("1 1 0 0 0 1 1 0 0 0 0", "59.76", "1");
	/* Words are accepted for yes/no: oui to 1 and 6: 75.14 + 10.06 − 6.51 = 78.69. */
	EPICES_IS("oui non non non non oui non non non non non", "78.69", "1");
}

static void test_epices_threshold(void)
{
	/* Exactly at the threshold: oui to 2, 8, 9, 10, 11:
	 * 75.14 − 11.83 − 7.10 − 9.47 − 9.47 − 7.10 = 75.14 − 44.97 = 30.17 → precarious (>=). */
	EPICES_IS("0 1 0 0 0 0 0 1 1 1 1", "30.17", "1");
	/* The same score by another route: oui to 2, 7, 9, 10, 11 (item 7 weighs 7.10 like 8). */
	EPICES_IS("0 1 0 0 0 0 1 0 1 1 1", "30.17", "1");
	/* Just above: oui to 2, 4, 5, 6, 8, 9, 10, 11:
	 * 75.14 − 11.83 − 8.28 + 14.80 − 6.51 − 7.10 − 9.47 − 9.47 − 7.10 = 30.18 → 1. */
	EPICES_IS("0 1 0 1 1 1 0 1 1 1 1", "30.18", "1");
	/* The nearest score below: oui to 2, 4, 5, 7, 8, 9, 10, 11:
	 * 75.14 − 11.83 − 8.28 + 14.80 − 7.10 − 7.10 − 9.47 − 9.47 − 7.10 = 29.59 → 0. */
	EPICES_IS("0 1 0 1 1 0 1 1 1 1 1", "29.59", "0");
}

static void test_epices_missing(void)
{
	/* One item unanswered (item 6): the score and the class are missing. */
	record *r = epices("1 0 0 0 1 - 0 0 0 0 0");
	CHECK(txt(r, "epices_score") == NULL);
	CHECK(txt(r, "precaire") == NULL);
	record_free(r);
	/* A typed missing code (refus) on item 11 too. */
	r = epices("1 0 0 0 1 0 0 0 0 0 .refus");
	CHECK(txt(r, "epices_score") == NULL);
	CHECK(txt(r, "precaire") == NULL);
	record_free(r);
	/* Yes/no takes nothing else. */
	r = epices("1 0 0 0 1 0 0 0 0 0 0");
	char *why = refused(r, "epices3", "2");
	CHECK(why != NULL && strstr(why, "epices3") != NULL);
	free(why);
	why = refused(r, "epices3", "peut-être");
	CHECK(why != NULL);
	free(why);
	record_free(r);
}

/* ---- FIB-4 and APRI --------------------------------------------------------------------- */

/* A fibrosis assessment dated `date` for the patient p (whose record gives the year of birth). */
static record *fibrose(const record *p, const char *date, const char *asat, const char *alat,
                       const char *plaq, const char *lsn)
{
	record *r = record_new(fs, f_hcv, day_of(date));
	r->patient = p;
	bool ok = set(r, "evenement", "fibrose") && set(r, "methode", "fib4");
	if (asat)
		ok &= set(r, "asat", asat);
	if (alat)
		ok &= set(r, "alat", alat);
	if (plaq)
		ok &= set(r, "plaquettes", plaq);
	if (lsn)
		ok &= set(r, "asat_lsn", lsn);
	CHECK(ok);
	record_compute(r);
	return r;
}

static void test_fib4(void)
{
	record *p = patient("M", "1976");
	/* Entry of 2026-03-15, born 1976: age = 2026 − 1976 = 50.
	 * FIB-4 = 50 × 40 / (200 × √25) = 2000 / (200 × 5) = 2000 / 1000 = 2.00. */
	record *r = fibrose(p, "2026-03-15", "40", "25", "200", "40");
	CHECK_STR(txt(r, "age_annees"), "50");
	CHECK_STR(txt(r, "fib4"), "2.00");
	record_free(r);
	/* The age is that of the entry date, not of today: 2020-06-01 → 2020 − 1976 = 44.
	 * FIB-4 = 44 × 30 / (150 × √36) = 1320 / (150 × 6) = 1320 / 900 = 1.4666… → 1.47. */
	r = fibrose(p, "2020-06-01", "30", "36", "150", "40");
	CHECK_STR(txt(r, "age_annees"), "44");
	CHECK_STR(txt(r, "fib4"), "1.47");
	record_free(r);
	/* A true half: born 1981, entry 2026 → age 45; 45 × 20 / (200 × √16) = 900 / 800 = 1.125
	 * → half away from zero → 1.13. */
	record *p2 = patient("F", "1981");
	r = fibrose(p2, "2026-01-10", "20", "16", "200", "40");
	CHECK_STR(txt(r, "age_annees"), "45");
	CHECK_STR(txt(r, "fib4"), "1.13");
	record_free(r);
	/* The .xx5 boundary that binary floating point gets wrong: 50 × 53.5 / (100 × √100)
	 * = 2675 / 1000 = 2.675, stored in binary as 2.67499999…; the two-decimal value is 2.68. */
	r = fibrose(p, "2026-03-15", "53.5", "100", "100", "40");
	CHECK_STR(txt(r, "fib4"), "2.68");
	record_free(r);
	/* Any input missing → FIB-4 missing (platelets here; then the year of birth). */
	r = fibrose(p, "2026-03-15", "40", "25", NULL, "40");
	CHECK(txt(r, "fib4") == NULL);
	record_free(r);
	record *p3 = patient("M", NULL);
	r = fibrose(p3, "2026-03-15", "40", "25", "200", "40");
	CHECK(txt(r, "age_annees") == NULL);
	CHECK(txt(r, "fib4") == NULL);
	CHECK_STR(txt(r, "apri"), "0.50"); /* APRI needs no age: (40 / 40) / 200 × 100 = 0.50 */
	record_free(r);
	record_free(p3);
	record_free(p2);
	record_free(p);
}

static void test_apri(void)
{
	record *p = patient("F", "1970");
	/* APRI = (ASAT / LSN) / plaquettes × 100.
	 * (80 / 40) / 100 × 100 = 2 / 100 × 100 = 2.00. */
	record *r = fibrose(p, "2026-02-01", "80", "25", "100", "40");
	CHECK_STR(txt(r, "apri"), "2.00");
	record_free(r);
	/* (45 / 35) / 180 × 100 = 4500 / 6300 = 0.714285… → 0.71. */
	r = fibrose(p, "2026-02-01", "45", "25", "180", "35");
	CHECK_STR(txt(r, "apri"), "0.71");
	record_free(r);
	/* The .xx5 boundary: (40.2 / 40) / 100 × 100 = 1.005 (1.00499999… in binary) → 1.01. */
	r = fibrose(p, "2026-02-01", "40.2", "25", "100", "40");
	CHECK_STR(txt(r, "apri"), "1.01");
	record_free(r);
	/* A true half: (25 / 50) / 400 × 100 = 0.5 / 4 = 0.125 → 0.13. */
	r = fibrose(p, "2026-02-01", "25", "25", "400", "50");
	CHECK_STR(txt(r, "apri"), "0.13");
	record_free(r);
	/* No upper limit of normal → APRI missing (FIB-4 does not need it: 56 × 25 / (400 × 5)
	 * = 1400 / 2000 = 0.70). */
	r = fibrose(p, "2026-02-01", "25", "25", "400", NULL);
	CHECK(txt(r, "apri") == NULL);
	CHECK_STR(txt(r, "fib4"), "0.70");
	record_free(r);
	/* Not a fibrosis entry: neither is computed nor shown. */
	r = record_new(fs, f_hcv, day_of("2026-02-01"));
	r->patient = p;
	CHECK(set(r, "evenement", "test"));
	record_compute(r);
	CHECK(!visible(r, "fib4") && !visible(r, "apri"));
	record_free(r);
	record_free(p);
}

/* "Severe liver disease excluded" (HAS 2019): FibroScan < 10 kPa, Fibrotest <= 0.58,
 * Fibromètre <= 0.786; one method per entry. */
static const char *exclue(const char *methode, const char *field_id, const char *input)
{
	static char buf[32];
	record *r = record_new(fs, f_hcv, day_of("2026-02-01"));
	bool ok = set(r, "evenement", "fibrose") && set(r, "methode", methode) && set(r, field_id, input);
	CHECK(ok);
	record_compute(r);
	const char *t = txt(r, "maladie_severe_exclue");
	snprintf(buf, sizeof buf, "%s", t ? t : "(manquant)");
	record_free(r);
	return buf;
}

static void test_severe_excluded(void)
{
	CHECK_STR(exclue("fibroscan", "fibroscan_kpa", "9.9"), "1");  /* 9.9 < 10 */
	CHECK_STR(exclue("fibroscan", "fibroscan_kpa", "10"), "0");   /* 10 is not < 10 */
	CHECK_STR(exclue("fibroscan", "fibroscan_kpa", "12.4"), "0"); /* the method used decides */
	CHECK_STR(exclue("fibrotest", "fibrotest", "0.58"), "1");     /* 0.58 <= 0.58 */
	CHECK_STR(exclue("fibrotest", "fibrotest", "0.59"), "0");
	CHECK_STR(exclue("fibrometre", "fibrometre", "0.786"), "1"); /* 0.786 <= 0.786 */
	CHECK_STR(exclue("fibrometre", "fibrometre", "0.787"), "0");
	/* A method without a threshold: no conclusion. */
	CHECK_STR(exclue("fib4", "asat", "40"), "(manquant)");
}

/* ---- PHQ-9 and GAD-7 ------------------------------------------------------------------- */

/* A mental-health entry: "phq1 … phq9" then "gad1 … gad7" answers ("-" unanswered). */
static record *sante_mentale(const char *phq, const char *gad)
{
	record *r = record_new(fs, f_sante, day_of("2026-06-15"));
	const char *lists[2] = {phq, gad};
	const char *prefix[2] = {"phq", "gad"};
	bool ok = true;
	for (int k = 0; k < 2; k++) {
		char *copy = xstrdup(lists[k]), *save = NULL;
		int q = 1;
		for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save), q++) {
			if (strcmp(tok, "-") == 0)
				continue;
			char id[12];
			snprintf(id, sizeof id, "%s%d", prefix[k], q);
			ok &= set(r, id, tok);
		}
		CHECK(q == (k == 0 ? 10 : 8));
		free(copy);
	}
	CHECK(ok);
	record_compute(r);
	return r;
}

#define MENTAL_IS(phq, gad, phq_total, phq_sev, gad_total, gad_sev)                                          \
	do {                                                                                                 \
		record *r_ = sante_mentale(phq, gad);                                                        \
		CHECK_STR(txt(r_, "phq9_total"), phq_total);                                                 \
		CHECK_STR(txt(r_, "phq9_severite"), phq_sev);                                                \
		CHECK_STR(txt(r_, "gad7_total"), gad_total);                                                 \
		CHECK_STR(txt(r_, "gad7_severite"), gad_sev);                                                \
		record_free(r_);                                                                             \
	} while (0)

static void test_phq9_gad7(void)
{
	if (!f_sante) {
		fprintf(stderr, "  formulaire sante_mentale absent : PHQ-9 et GAD-7 non vérifiés\n");
		CHECK(f_sante != NULL);
		return;
	}
	/* PHQ-9 0-4 minimal, 5-9 leger, 10-14 modere, 15-19 moderement_severe, 20-27 severe;
	 * GAD-7 0-4 minimal, 5-9 leger, 10-14 modere, 15-21 severe. Each item 0..3. */
	MENTAL_IS("0 0 0 0 0 0 0 0 0", "0 0 0 0 0 0 0", "0", "minimal", "0", "minimal");
	/* 1+1+1+1 = 4 | 2+2 = 4 */
	MENTAL_IS("1 1 1 1 0 0 0 0 0", "2 2 0 0 0 0 0", "4", "minimal", "4", "minimal");
	/* 1+1+1+1+1 = 5 | 2+2+1 = 5 */
	MENTAL_IS("1 1 1 1 1 0 0 0 0", "2 2 1 0 0 0 0", "5", "leger", "5", "leger");
	/* 3+3+3 = 9 | 3+3+3 = 9 */
	MENTAL_IS("3 3 3 0 0 0 0 0 0", "3 3 3 0 0 0 0", "9", "leger", "9", "leger");
	/* 3+3+3+1 = 10 | 3+3+3+1 = 10 */
	MENTAL_IS("3 3 3 1 0 0 0 0 0", "3 3 3 1 0 0 0", "10", "modere", "10", "modere");
	/* 2+2+2+2+2+2+2 = 14 | 2+2+2+2+2+2+2 = 14 */
	MENTAL_IS("2 2 2 2 2 2 2 0 0", "2 2 2 2 2 2 2", "14", "modere", "14", "modere");
	/* 2×7 + 1 = 15 | 3+2+2+2+2+2+2 = 15 */
	MENTAL_IS("2 2 2 2 2 2 2 1 0", "3 2 2 2 2 2 2", "15", "moderement_severe", "15", "severe");
	/* 3×6 + 1 = 19 | 3×7 = 21 (the highest) */
	MENTAL_IS("3 3 3 3 3 3 1 0 0", "3 3 3 3 3 3 3", "19", "moderement_severe", "21", "severe");
	/* 3×6 + 2 = 20 */
	MENTAL_IS("3 3 3 3 3 3 2 0 0", "0 0 0 0 0 0 1", "20", "severe", "1", "minimal");
	/* 3×9 = 27 (the highest) */
	MENTAL_IS("3 3 3 3 3 3 3 3 3", "0 0 0 0 0 0 0", "27", "severe", "0", "minimal");
	/* One item unanswered: that scale's total and severity are missing, the other stands. */
	record *r = sante_mentale("1 1 1 1 1 - 0 0 0", "1 1 1 1 1 1 1");
	CHECK(txt(r, "phq9_total") == NULL);
	CHECK(txt(r, "phq9_severite") == NULL);
	CHECK_STR(txt(r, "gad7_total"), "7");
	record_free(r);
	/* Items take 0..3 only. */
	r = sante_mentale("0 0 0 0 0 0 0 0 0", "0 0 0 0 0 0 0");
	char *why = refused(r, "phq9", "4");
	CHECK(why != NULL && strstr(why, "phq9") != NULL);
	free(why);
	record_free(r);
}

/* ---- text of values ------------------------------------------------------------------- */

static void test_value_text(void)
{
	char *t;
#define TEXT_IS(v, dec, want)                                                                                \
	do {                                                                                                 \
		t = value_to_text(v, dec);                                                                   \
		CHECK_STR(t, want);                                                                          \
		free(t);                                                                                     \
	} while (0)
	TEXT_IS(value_num(14), -1, "14"); /* an integer total: no ".0" */
	TEXT_IS(value_num(14.0), 0, "14");
	TEXT_IS(value_num(0), -1, "0");
	TEXT_IS(value_num(-0.0), -1, "0"); /* never "-0" */
	TEXT_IS(value_num(-0.0), 2, "0.00");
	TEXT_IS(value_num(-0.001), 2, "0.00"); /* rounds to zero: no "-0.00" */
	TEXT_IS(value_num(-1e-14), 2, "0.00");
	TEXT_IS(value_num(-2.5), -1, "-2.5");
	TEXT_IS(value_num(90.53), 2, "90.53");
	TEXT_IS(value_num(100), 2, "100.00"); /* epices: always two decimals */
	TEXT_IS(value_num(7.1), 2, "7.10");
	TEXT_IS(value_num(0.1 + 0.2), -1, "0.3"); /* shortest form, not 0.30000000000000004 */
	TEXT_IS(value_num(1.5), -1, "1.5");
	TEXT_IS(value_num(2.675), 2, "2.68");
	TEXT_IS(value_num(-2.675), 2, "-2.68"); /* half away from zero on both sides */
	TEXT_IS(value_num(1e9), -1, "1000000000");
	TEXT_IS(value_bool(true), -1, "1");
	TEXT_IS(value_bool(false), -1, "0");
	TEXT_IS(value_date(day_of("2026-11-22")), -1, "2026-11-22");
	TEXT_IS(value_str("IV"), -1, "IV");
	t = value_to_text(value_missing(), 2);
	CHECK(t == NULL);
#undef TEXT_IS
}

int main(void)
{
	char *errors = NULL;
	fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	if (!fs) {
		fprintf(stderr, "formulaires illisibles :\n%s", errors ? errors : "");
		free(errors);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	f_patient = formset_form(fs, "patient");
	f_audit = formset_form(fs, "audit");
	f_precarite = formset_form(fs, "precarite");
	f_hcv = formset_form(fs, "hcv");
	f_sante = formset_form(fs, "sante_mentale");
	if (!f_patient || !f_audit || !f_precarite || !f_hcv) {
		fprintf(stderr, "formulaire patient, audit, precarite ou hcv absent de %s\n", TEST_FORMS_DIR);
		formset_free(fs);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN(test_audit_example);
	RUN(test_audit_zones);
	RUN(test_audit_classe_by_sex);
	RUN(test_audit_c_positif);
	RUN(test_audit_skip_rule);
	RUN(test_audit_missing);
	RUN(test_audit_item_values);
	RUN(test_epices);
	RUN(test_epices_threshold);
	RUN(test_epices_missing);
	RUN(test_fib4);
	RUN(test_apri);
	RUN(test_severe_excluded);
	RUN(test_phq9_gad7);
	RUN(test_value_text);
	formset_free(fs);
	return harness_report();
}
