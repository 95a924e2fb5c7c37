/* harness.h — a minimal unit-test harness: CHECK macros, one main() per file, the closing line
 * "N passed, N failed" that CTest logs, and the logged seed of tests that make random choices. */
#ifndef RECUEIL_HARNESS_H
#define RECUEIL_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int harness_passed, harness_failed;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (cond) {                                                                                  \
			harness_passed++;                                                                    \
		} else {                                                                                     \
			harness_failed++;                                                                    \
			fprintf(stderr, "%s:%d: échec : %s\n", __FILE__, __LINE__, #cond);                   \
		}                                                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                                                 \
	do {                                                                                                 \
		const char *g_ = (got), *w_ = (want);                                                        \
		if ((g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0)) {                       \
			harness_passed++;                                                                    \
		} else {                                                                                     \
			harness_failed++;                                                                    \
			fprintf(stderr, "%s:%d: échec : %s\n  obtenu : %s\n  attendu : %s\n", __FILE__,      \
			        __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                     \
		}                                                                                            \
	} while (0)

#define CHECK_NUM(got, want)                                                                                 \
	do {                                                                                                 \
		double g_ = (got), w_ = (want);                                                              \
		if (fabs(g_ - w_) < 1e-9) {                                                                  \
			harness_passed++;                                                                    \
		} else {                                                                                     \
			harness_failed++;                                                                    \
			fprintf(stderr, "%s:%d: échec : %s\n  obtenu : %.12g\n  attendu : %.12g\n",          \
			        __FILE__, __LINE__, #got, g_, w_);                                           \
		}                                                                                            \
	} while (0)

#define RUN(test)                                                                                            \
	do {                                                                                                 \
		int before_ = harness_failed;                                                                \
		test();                                                                                      \
		if (harness_failed != before_)                                                               \
			fprintf(stderr, "  dans %s\n", #test);                                               \
	} while (0)

/* The seed of a test's random choices: RECUEIL_TEST_SEED when it is set (a decimal number, to
 * replay a failed run), else one drawn from the clock and the process id. It is printed first,
 * with the variable that replays it, so that a failure in CTest's log says how to reproduce it. */
static inline unsigned harness_seed(void)
{
	const char *env = getenv("RECUEIL_TEST_SEED");
	unsigned seed;
	if (env && *env) {
		char *end;
		seed = (unsigned)strtoul(env, &end, 10);
		if (*end) {
			fprintf(stderr, "RECUEIL_TEST_SEED=%s : nombre entier attendu\n", env);
			exit(2);
		}
	} else {
		seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	}
	printf("graine : %u (rejouer : RECUEIL_TEST_SEED=%u)\n", seed, seed);
	fflush(stdout);
	return seed;
}

static inline int harness_report(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}

#endif
