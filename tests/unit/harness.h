/* harness.h — a minimal unit-test harness: CHECK macros, one main() per file, and the closing
 * line "N passed, N failed" that CTest logs. */
#ifndef RECUEIL_HARNESS_H
#define RECUEIL_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

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

static inline int harness_report(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed ? 1 : 0;
}

#endif
