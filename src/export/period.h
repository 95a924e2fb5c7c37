/* period.h — reporting periods ("2026", "2026-S1", "2026-T3", "2026-11",
 * "2026-01-01..2026-06-30") as ranges of days, and the next reporting deadline of
 * reporting.yaml. No I/O, no clock: "today" is always passed in. */
#ifndef RECUEIL_PERIOD_H
#define RECUEIL_PERIOD_H

#include <stdbool.h>

#include "core/form.h"

typedef struct {
	long first, last; /* day numbers (days since 1970-01-01), both included */
	char
	    label[32]; /* canonical text: "2026", "2026-S1", "2026-T3", "2026-11", "2026-01-01..2026-06-30" */
} period;

/* Parse a period as written on the command line. Year 1900..2999; the letters S and T may be
 * typed in lower case; a range needs two real days with first <= last. Returns false with
 * *why set to a one-line French message (caller frees) naming the text and the accepted forms. */
bool period_parse(const char *text, period *out, char **why);

/* The period a deadline rule covers in a given year ("T3" and 2026 → 2026-07-01..2026-09-30).
 * False when the rule's period code is unknown. */
bool period_of_rule(const deadline_rule *rule, int year, period *out);

/* True when day lies in p. */
bool period_contains(const period *p, long day);

/* True when both periods cover exactly the same days ("2026-T1" and "2026-01-01..2026-03-31"). */
bool period_same(const period *a, const period *b);

typedef struct {
	period covers;             /* the period the deadline is for */
	long due;                  /* day number of the deadline */
	const deadline_rule *rule; /* borrowed from the reporting calendar */
} deadline;

/* The first deadline on or after today in the calendar r (rules recur every year; a rule with
 * year_offset 1 is due the year after the period it covers). False when r is NULL or has no
 * deadline. A due day that does not exist that year (02-29) falls on the last day of the month. */
bool deadline_next(const reporting *r, long today, deadline *out);

#endif
