/* period.c — reporting periods and deadlines (see period.h). */
#include "export/period.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Months [m1, m2] of year y. */
static void months(period *p, int y, int m1, int m2)
{
	p->first = date_from_ymd(y, m1, 1);
	p->last = date_from_ymd(y, m2, month_days(y, m2));
}

/* Exactly n ASCII digits at s, as a number; -1 otherwise. */
static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool fail(char **why, const char *text, const char *detail)
{
	set_why(
	    why,
	    "période « %s » invalide%s%s : attendu 2026, 2026-S1 (semestre), 2026-T3 (trimestre), 2026-11 "
	    "(mois) ou 2026-01-01..2026-06-30",
	    text, detail ? " : " : "", detail ? detail : "");
	return false;
}

static bool parse_range(const char *text, const char *dots, period *out, char **why)
{
	char a[16], b[16];
	size_t la = (size_t)(dots - text), lb = strlen(dots + 2);
	if (la >= sizeof a || lb >= sizeof b)
		return fail(why, text, NULL);
	memcpy(a, text, la);
	a[la] = '\0';
	memcpy(b, dots + 2, lb + 1);
	if (!date_parse(a, &out->first) || !date_parse(b, &out->last))
		return fail(why, text, "date inexistante ou mal écrite");
	if (out->first > out->last)
		return fail(why, text, "la première date est après la seconde");
	char fa[11], fb[11];
	date_format(out->first, fa);
	date_format(out->last, fb);
	snprintf(out->label, sizeof out->label, "%.10s..%.10s", fa, fb);
	return true;
}

bool period_parse(const char *text, period *out, char **why)
{
	memset(out, 0, sizeof *out);
	if (!text || !*text)
		return fail(why, text ? text : "", "vide");
	const char *dots = strstr(text, "..");
	if (dots)
		return parse_range(text, dots, out, why);
	size_t n = strlen(text);
	int y = n >= 4 ? digits(text, 4) : -1;
	if (y < 1900 || y > 2999)
		return fail(why, text, "année entre 1900 et 2999");
	if (n == 4) {
		months(out, y, 1, 12);
		snprintf(out->label, sizeof out->label, "%04d", y);
		return true;
	}
	if (text[4] != '-' || n != 7)
		return fail(why, text, NULL);
	char kind = text[5];
	int k = text[6] >= '0' && text[6] <= '9' ? text[6] - '0' : -1;
	if ((kind == 'S' || kind == 's') && (k == 1 || k == 2)) {
		months(out, y, k == 1 ? 1 : 7, k == 1 ? 6 : 12);
		snprintf(out->label, sizeof out->label, "%04d-S%d", y, k);
		return true;
	}
	if ((kind == 'T' || kind == 't') && k >= 1 && k <= 4) {
		months(out, y, 3 * k - 2, 3 * k);
		snprintf(out->label, sizeof out->label, "%04d-T%d", y, k);
		return true;
	}
	int m = digits(text + 5, 2);
	if (m >= 1 && m <= 12) {
		months(out, y, m, m);
		snprintf(out->label, sizeof out->label, "%04d-%02d", y, m);
		return true;
	}
	return fail(why, text, NULL);
}

bool period_of_rule(const deadline_rule *rule, int year, period *out)
{
	const char *p = rule->period;
	char text[16];
	if (strcmp(p, "A") == 0)
		snprintf(text, sizeof text, "%04d", year);
	else if (p[0] == 'M')
		snprintf(text, sizeof text, "%04d-%.2s", year, p + 1);
	else
		snprintf(text, sizeof text, "%04d-%.2s", year, p);
	return period_parse(text, out, NULL);
}

bool period_contains(const period *p, long day)
{
	return day >= p->first && day <= p->last;
}

bool period_same(const period *a, const period *b)
{
	return a->first == b->first && a->last == b->last;
}

bool deadline_next(const reporting *r, long today, deadline *out)
{
	if (!r)
		return false;
	int ty, tm, td;
	date_to_ymd(today, &ty, &tm, &td);
	bool found = false;
	for (size_t i = 0; i < r->n_deadlines; i++) {
		const deadline_rule *rule = &r->deadlines[i];
		if (rule->month < 1 || rule->month > 12)
			continue;
		/* A period of year y is due in y + offset: the candidates around today are enough. */
		for (int y = ty - 2; y <= ty + 1; y++) {
			int dy = y + rule->year_offset;
			int day = rule->day < 1 ? 1 : rule->day;
			if (day > month_days(dy, rule->month))
				day = month_days(dy, rule->month);
			long due = date_from_ymd(dy, rule->month, day);
			if (due < today || (found && due >= out->due))
				continue;
			period p;
			if (!period_of_rule(rule, y, &p))
				continue;
			out->covers = p;
			out->due = due;
			out->rule = rule;
			found = true;
		}
	}
	return found;
}
