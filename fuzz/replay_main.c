/* replay_main.c — runs a libFuzzer harness without libFuzzer: each argument is a file, or a
 * directory whose files (sorted, dot files skipped) are fed one by one to
 * LLVMFuzzerTestOneInput(). CTest runs it over the seed corpus and the kept crash inputs as an
 * ordinary unit test, under whatever sanitizers the build uses.
 *
 * Exit status: 0 when every input ran (a failing input aborts the process, like under
 * libFuzzer); 1 when an argument cannot be read or names no input at all. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

/* Read the whole file into a buffer of exactly its size, so that the sanitizers see any read
 * past the end, as under libFuzzer. Returns false on a read error. */
static bool run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return false;
	}
	size_t cap = 4096, len = 0;
	unsigned char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			unsigned char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	}
	bool err = !buf || ferror(f);
	fclose(f);
	if (err) {
		fprintf(stderr, "%s: lecture impossible\n", path);
		free(buf);
		return false;
	}
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, buf, len);
	free(buf);
	fprintf(stderr, "%s\n", path); /* names the input if the next line is a crash report */
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return true;
}

static int skip_dots(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	size_t inputs = 0;
	bool ok = true;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			ok = false;
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			ok = run_file(argv[i]) && ok;
			inputs++;
			continue;
		}
		struct dirent **names;
		int n = scandir(argv[i], &names, skip_dots, alphasort);
		if (n < 0) {
			perror(argv[i]);
			ok = false;
			continue;
		}
		for (int k = 0; k < n; k++) {
			char *path = malloc(strlen(argv[i]) + strlen(names[k]->d_name) + 2);
			if (!path)
				abort();
			sprintf(path, "%s/%s", argv[i], names[k]->d_name);
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				ok = run_file(path) && ok;
				inputs++;
			}
			free(path);
			free(names[k]);
		}
		free(names);
	}
	if (inputs == 0) {
		fprintf(stderr, "aucune entrée à rejouer\n");
		ok = false;
	}
	printf("%zu passed, %d failed\n", inputs, ok ? 0 : 1);
	return ok ? 0 : 1;
}
