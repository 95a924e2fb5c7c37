/* fuzz_common.c — in-memory files for the harnesses that go through the form loader's paths. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_common.h"

#include <ftw.h>
#include <sys/mman.h>
#include <unistd.h>

const char *fuzz_memfile(int slot, const void *data, size_t size)
{
	static int fds[FUZZ_MAX_FILES] = {-1, -1, -1, -1};
	static char paths[FUZZ_MAX_FILES][40];
	if (slot < 0 || slot >= FUZZ_MAX_FILES)
		abort();
	if (fds[slot] < 0) {
		fds[slot] = memfd_create("recueil-fuzz", MFD_CLOEXEC);
		if (fds[slot] < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(paths[slot], sizeof paths[slot], "/proc/self/fd/%d", fds[slot]);
	}
	if (ftruncate(fds[slot], 0) != 0 || (size && pwrite(fds[slot], data, size, 0) != (ssize_t)size)) {
		perror("memfd");
		abort();
	}
	return paths[slot];
}

static char scratch[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Remove the scratch directory and everything below it. */
static void scratch_remove(void)
{
	if (scratch[0] && nftw(scratch, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz: %s not removed\n", scratch);
}

const char *fuzz_scratch_dir(void)
{
	if (scratch[0])
		return scratch;
	snprintf(scratch, sizeof scratch, "/dev/shm/recueil-fuzz-XXXXXX");
	if (!mkdtemp(scratch)) {
		snprintf(scratch, sizeof scratch, "/tmp/recueil-fuzz-XXXXXX");
		if (!mkdtemp(scratch)) {
			perror("mkdtemp");
			abort();
		}
	}
	atexit(scratch_remove);
	return scratch;
}

char *fuzz_write_file(const char *dir, const char *name, const void *data, size_t size)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	if (!path)
		abort();
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}
