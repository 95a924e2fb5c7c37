/* test_period.c — reporting periods and the next deadline: every written form of a period
 * gives the days a coordinator expects (leap years included), malformed periods are refused
 * with a message that shows the accepted forms, and the next deadline is the one a person
 * reading the calendar would name. */
#include <stdlib.h>
#include <string.h>

#include "core/form.h"
#include "core/util.h"
#include "export/period.h"
#include "harness.h"

static long day(const char *s)
{
	long d = 0;
	if (!date_parse(s, &d))
		fprintf(stderr, "date de test invalide : %s\n", s);
	return d;
}

static char *fmt(long d)
{
	static char buf[4][11];
	static int k;
	k = (k + 1) % 4;
	date_format(d, buf[k]);
	return buf[k];
}

/* Parse text and compare its first day, last day and canonical label. */
static void expect_period(const char *text, const char *first, const char *last, const char *label)
{
	period p;
	char *why = NULL;
	bool ok = period_parse(text, &p, &why);
	CHECK(ok);
	if (!ok) {
		fprintf(stderr, "  « %s » refusée : %s\n", text, why ? why : "?");
		free(why);
		return;
	}
	CHECK_STR(fmt(p.first), first);
	CHECK_STR(fmt(p.last), last);
	CHECK_STR(p.label, label);
}

static void expect_refused(const char *text)
{
	period p;
	char *why = NULL;
	bool ok = period_parse(text, &p, &why);
	CHECK(!ok);
	if (ok)
		fprintf(stderr, "  « %s » acceptée à tort\n", text);
	/* The message names what was typed and shows the accepted forms. */
	CHECK(why && strstr(why, text) && strstr(why, "2026-T3") && strstr(why, "2026-01-01..2026-06-30"));
	free(why);
}

static void test_forms_of_periods(void)
{
	expect_period("2026", "2026-01-01", "2026-12-31", "2026");
	expect_period("2026-S1", "2026-01-01", "2026-06-30", "2026-S1");
	expect_period("2026-S2", "2026-07-01", "2026-12-31", "2026-S2");
	expect_period("2026-T1", "2026-01-01", "2026-03-31", "2026-T1");
	expect_period("2026-T2", "2026-04-01", "2026-06-30", "2026-T2");
	expect_period("2026-T3", "2026-07-01", "2026-09-30", "2026-T3");
	expect_period("2026-T4", "2026-10-01", "2026-12-31", "2026-T4");
	expect_period("2026-t3", "2026-07-01", "2026-09-30", "2026-T3"); /* typed in lower case */
	expect_period("2026-s2", "2026-07-01", "2026-12-31", "2026-S2");
	expect_period("2026-11", "2026-11-01", "2026-11-30", "2026-11");
	expect_period("2026-01", "2026-01-01", "2026-01-31", "2026-01");
	expect_period("2026-01-01..2026-06-30", "2026-01-01", "2026-06-30", "2026-01-01..2026-06-30");
	expect_period("2026-03-15..2026-03-15", "2026-03-15", "2026-03-15", "2026-03-15..2026-03-15");
	expect_period("2025-12-01..2026-02-28", "2025-12-01", "2026-02-28", "2025-12-01..2026-02-28");
}

static void test_leap_years(void)
{
	expect_period("2024-02", "2024-02-01", "2024-02-29", "2024-02");
	expect_period("2026-02", "2026-02-01", "2026-02-28", "2026-02");
	expect_period("2000-02", "2000-02-01", "2000-02-29", "2000-02"); /* divisible by 400 */
	expect_period("1900-02", "1900-02-01", "1900-02-28", "1900-02"); /* by 100, not 400 */
	expect_period("2024-T1", "2024-01-01", "2024-03-31", "2024-T1");
	expect_period("2024-S1", "2024-01-01", "2024-06-30", "2024-S1");
	expect_period("2024-02-01..2024-02-29", "2024-02-01", "2024-02-29", "2024-02-01..2024-02-29");
	expect_refused("2026-02-01..2026-02-29");
}

static void test_refused(void)
{
	static const char *const bad[] = {
	    "26",
	    "202",
	    "abcd",
	    "1899",
	    "3000",
	    "2026-",
	    "2026-T0",
	    "2026-T5",
	    "2026-S0",
	    "2026-S3",
	    "2026-Q3",
	    "2026-13",
	    "2026-00",
	    "2026-1",
	    "2026-111",
	    "2026-T3 ",
	    " 2026",
	    "2026/11",
	    "2026-06-30..2026-01-01",
	    "2026-01-01..",
	    "..2026-06-30",
	    "2026-1-1..2026-6-30",
	    "2026-01-01...2026-06-30",
	    "2026-04-31..2026-05-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		expect_refused(bad[i]);
	period p;
	char *why = NULL;
	CHECK(!period_parse("", &p, &why));
	CHECK(why != NULL);
	free(why);
	CHECK(!period_parse(NULL, &p, NULL)); /* no message asked for: no crash */
}

static void test_same_and_contains(void)
{
	period a, b, c;
	CHECK(period_parse("2026-T1", &a, NULL));
	CHECK(period_parse("2026-01-01..2026-03-31", &b, NULL));
	CHECK(period_parse("2026-01-01..2026-03-30", &c, NULL));
	CHECK(period_same(&a, &b));
	CHECK(!period_same(&a, &c));
	CHECK(period_contains(&a, day("2026-01-01")));
	CHECK(period_contains(&a, day("2026-03-31")));
	CHECK(!period_contains(&a, day("2025-12-31")));
	CHECK(!period_contains(&a, day("2026-04-01")));
}

static void test_period_of_rule(void)
{
	deadline_rule r = {0};
	period p;
	r.period = "A";
	CHECK(period_of_rule(&r, 2026, &p));
	CHECK_STR(p.label, "2026");
	r.period = "S2";
	CHECK(period_of_rule(&r, 2026, &p));
	CHECK_STR(p.label, "2026-S2");
	r.period = "T3";
	CHECK(period_of_rule(&r, 2026, &p));
	CHECK_STR(fmt(p.first), "2026-07-01");
	CHECK_STR(fmt(p.last), "2026-09-30");
	r.period = "M03";
	CHECK(period_of_rule(&r, 2026, &p));
	CHECK_STR(p.label, "2026-03");
	CHECK_STR(fmt(p.last), "2026-03-31");
	r.period = "X9";
	CHECK(!period_of_rule(&r, 2026, &p));
}

/* The quarterly calendar of forms/reporting.yaml, written out. */
static deadline_rule quarterly[] = {
    {.period = "T1", .month = 4, .day = 30},
    {.period = "T2", .month = 7, .day = 31},
    {.period = "T3", .month = 10, .day = 31},
    {.period = "T4", .month = 1, .day = 31, .year_offset = 1},
};

static void expect_next(const reporting *r, const char *today, const char *due, const char *covers)
{
	deadline d;
	bool ok = deadline_next(r, day(today), &d);
	CHECK(ok);
	if (!ok)
		return;
	CHECK_STR(fmt(d.due), due);
	CHECK_STR(d.covers.label, covers);
	if (strcmp(fmt(d.due), due) != 0 || strcmp(d.covers.label, covers) != 0)
		fprintf(stderr, "  le %s\n", today);
}

static void test_next_deadline(void)
{
	reporting r = {.deadlines = quarterly, .n_deadlines = 4};
	expect_next(&r, "2026-11-22", "2027-01-31", "2026-T4"); /* the clock of the CLI tests */
	expect_next(&r, "2026-10-31", "2026-10-31", "2026-T3"); /* due today: still the next one */
	expect_next(&r, "2026-11-01", "2027-01-31", "2026-T4");
	expect_next(&r, "2027-01-15", "2027-01-31", "2026-T4"); /* across the new year */
	expect_next(&r, "2027-02-01", "2027-04-30", "2027-T1");
	expect_next(&r, "2026-05-01", "2026-07-31", "2026-T2");
	expect_next(&r, "2026-01-01", "2026-01-31", "2025-T4");
	deadline d;
	CHECK(!deadline_next(NULL, day("2026-11-22"), &d));
	reporting empty = {0};
	CHECK(!deadline_next(&empty, day("2026-11-22"), &d));
}

static void test_missing_day_of_month(void)
{
	deadline_rule leap[] = {{.period = "A", .month = 2, .day = 29, .year_offset = 1}};
	reporting r = {.deadlines = leap, .n_deadlines = 1};
	expect_next(&r, "2026-11-22", "2027-02-28", "2026"); /* 2027 has no 29 February */
	expect_next(&r, "2027-03-01", "2028-02-29", "2027");
}

static void test_real_calendar(void)
{
	char *errors = NULL;
	formset *fs = formset_load_dir(TEST_FORMS_DIR, &errors);
	CHECK(fs != NULL);
	if (!fs) {
		fprintf(stderr, "%s", errors ? errors : "");
		free(errors);
		return;
	}
	CHECK(fs->reporting != NULL);
	if (fs->reporting) {
		deadline d;
		CHECK(deadline_next(fs->reporting, day("2026-11-22"), &d));
		CHECK_STR(d.covers.label, "2026-T4");
		CHECK_STR(fmt(d.due), "2027-01-31");
		CHECK(d.rule && d.rule->label.fr && *d.rule->label.fr);
	}
	formset_free(fs);
}

int main(void)
{
	RUN(test_forms_of_periods);
	RUN(test_leap_years);
	RUN(test_refused);
	RUN(test_same_and_contains);
	RUN(test_period_of_rule);
	RUN(test_next_deadline);
	RUN(test_missing_day_of_month);
	RUN(test_real_calendar);
	return harness_report();
}
