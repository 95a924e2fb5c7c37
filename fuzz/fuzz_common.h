/* fuzz_common.h — helpers shared by the libFuzzer harnesses of fuzz/: a check that survives
 * NDEBUG, a NUL-terminated copy of the input, and in-memory files for the form loader.
 *
 * Every harness defines LLVMFuzzerTestOneInput(). It is linked either with libFuzzer
 * (-fsanitize=fuzzer, RECUEIL_FUZZ=ON) or with replay_main.c, which feeds it each file of its
 * seed corpus as an ordinary test. */
#ifndef RECUEIL_FUZZ_COMMON_H
#define RECUEIL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/privilege.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property the code under test must hold. abort() makes libFuzzer keep the input as a crash;
 * assert() would vanish in RelWithDebInfo builds (NDEBUG). */
#define FUZZ_CHECK(cond)                                                                                     \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: propriété violée : %s\n", __FILE__, __LINE__, #cond);        \
			abort();                                                                             \
		}                                                                                            \
	} while (0)

/* The input as a C string (it stops at the first NUL byte, like any text the program reads).
 * Caller frees. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Set a fixed clock once, so that today() and default: today are reproducible. */
static inline void fuzz_fixed_clock(void)
{
	static int done;
	if (!done) {
		test_seams_enable();
		setenv("RECUEIL_TODAY", "2026-01-15", 1);
		done = 1;
	}
}

/* In-memory files that the form loader opens by path: memfd_create() gives a file that lives in
 * memory, and /proc/self/fd/N names it for fopen(). Slot k (0 ≤ k < FUZZ_MAX_FILES) is created
 * once and rewritten for each input, so a long run opens no new descriptors. Returns the path
 * (static storage, valid until the process ends). */
enum { FUZZ_MAX_FILES = 4 };
const char *fuzz_memfile(int slot, const void *data, size_t size);

/* A private scratch directory, in memory when /dev/shm is there, created on first use and
 * removed with its files when the process exits normally. Returns its path (static storage). */
const char *fuzz_scratch_dir(void);

/* Write data to the file dir/name, replacing it. Returns its path (caller frees). */
char *fuzz_write_file(const char *dir, const char *name, const void *data, size_t size);

#endif
