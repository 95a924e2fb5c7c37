/* test_secret.c — export passphrases (src/export/secret.c): a generated passphrase has the
 * announced form (four groups of four Crockford symbols) and uses its 80 bits evenly; a
 * passphrase file is read only when it is a private regular file of its owner, its first line
 * only, and whatever else was read is wiped; the process that holds a passphrase no longer
 * dumps core; the strength a passphrase chosen by a person must have is estimated as the export
 * promises (a generated one passes, a word, a date or four diceware words do not). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "export/secret.h"
#include "harness.h"

static const char ALPHABET[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static char dir[] = "/tmp/recueil-test-secret-XXXXXX";

/* Write text (n bytes) to dir/name with the given mode; returns the path (static storage). */
static const char *file_with(const char *name, const char *text, size_t n, mode_t mode)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(text, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	chmod(path, mode);
	return path;
}

/* The form "XXXX-XXXX-XXXX-XXXX", every X from the alphabet. */
static bool well_formed(const char *p)
{
	if (strlen(p) != SECRET_GENERATED_LEN)
		return false;
	for (int i = 0; i < SECRET_GENERATED_LEN; i++) {
		bool dash = i % 5 == 4;
		if (dash ? p[i] != '-' : !p[i] || !strchr(ALPHABET, p[i]))
			return false;
	}
	return true;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void test_generate(void)
{
	enum { N = 4000 };
	static char seen[N][SECRET_GENERATED_LEN + 1];
	long count[16][32];
	memset(count, 0, sizeof count);
	bool all_well_formed = true;
	for (int k = 0; k < N; k++) {
		char pass[SECRET_MAX];
		memset(pass, 'x', sizeof pass);
		secret_generate(pass);
		all_well_formed = all_well_formed && well_formed(pass);
		memcpy(seen[k], pass, sizeof seen[k]);
		for (int i = 0, s = 0; i < SECRET_GENERATED_LEN; i++) {
			if (pass[i] == '-')
				continue;
			const char *at = strchr(ALPHABET, pass[i]);
			if (at)
				count[s][at - ALPHABET]++;
			s++;
		}
		secret_wipe(pass, sizeof pass);
	}
	CHECK(all_well_formed);
	/* No I, L, O or U, whatever the draw. */
	CHECK(strpbrk(seen[0], "ILOU") == NULL);

	/* Every passphrase different (80 bits: a repeat in 4000 draws means a broken source). */
	qsort(seen, N, sizeof seen[0], by_text);
	int repeats = 0;
	for (int k = 1; k < N; k++)
		repeats += strcmp(seen[k - 1], seen[k]) == 0;
	CHECK(repeats == 0);

	/* Each of the 16 positions carries 5 bits: each symbol about N/32 = 125 times. The bounds
	 * are 7 standard deviations out (sd ≈ 11): a uniform source never fails them, a position
	 * stuck on fewer bits (a symbol never drawn, or twice as often) always does. */
	int outside = 0;
	for (int s = 0; s < 16; s++)
		for (int c = 0; c < 32; c++)
			outside += count[s][c] < 125 - 77 || count[s][c] > 125 + 77;
	CHECK(outside == 0);

	/* The process that holds a generated passphrase dumps no core. */
	CHECK(secret_protected());
	CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	struct rlimit core;
	CHECK(getrlimit(RLIMIT_CORE, &core) == 0 && core.rlim_cur == 0 && core.rlim_max == 0);
}

static void test_from_file(void)
{
	char buf[SECRET_MAX];
	char *why = NULL;

	/* A private file: its first line, and nothing after it left in the buffer. */
	const char *p = file_with("ok", "une phrase de passe\r\nseconde ligne\n", 35, 0600);
	memset(buf, 'x', sizeof buf);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == 0);
	CHECK_STR(buf, "une phrase de passe");
	bool tail_wiped = true;
	for (size_t i = strlen(buf); i < sizeof buf; i++)
		tail_wiped = tail_wiped && buf[i] == '\0';
	CHECK(tail_wiped);
	CHECK(why == NULL);
	secret_wipe(buf, sizeof buf);

	/* Without a final newline. */
	p = file_with("nonl", "abc", 3, 0400);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == 0);
	CHECK_STR(buf, "abc");

	/* Readable by others, or by the group: refused, with the chmod to run. */
	static const mode_t open_modes[] = {0644, 0640, 0604, 0660, 0606};
	for (size_t i = 0; i < sizeof open_modes / sizeof *open_modes; i++) {
		p = file_with("open", "secret\n", 7, open_modes[i]);
		memset(buf, 'x', sizeof buf);
		CHECK(secret_from_file(p, buf, sizeof buf, &why) == EXIT_NOPERM);
		CHECK(why && strstr(why, "chmod 600"));
		CHECK(strstr(buf, "secret") == NULL);
		free(why);
		why = NULL;
	}

	/* Not there; a directory; a symbolic link (even to a private file). */
	char path[300];
	snprintf(path, sizeof path, "%s/absent", dir);
	CHECK(secret_from_file(path, buf, sizeof buf, &why) == EXIT_NOINPUT);
	free(why);
	why = NULL;
	CHECK(secret_from_file(dir, buf, sizeof buf, &why) == EXIT_NOPERM);
	free(why);
	why = NULL;
	p = file_with("target", "secret\n", 7, 0600);
	snprintf(path, sizeof path, "%s/link", dir);
	CHECK(symlink(p, path) == 0);
	CHECK(secret_from_file(path, buf, sizeof buf, &why) == EXIT_NOPERM);
	CHECK(why != NULL);
	free(why);
	why = NULL;

	/* Empty first line, NUL byte, too long: refused, and the buffer wiped. */
	p = file_with("empty", "\nsecond\n", 8, 0600);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == EXIT_DATAERR);
	CHECK(memchr(buf, 's', sizeof buf) == NULL);
	free(why);
	why = NULL;
	p = file_with("nul", "abc\0def\n", 8, 0600);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == EXIT_DATAERR);
	CHECK(memchr(buf, 'a', sizeof buf) == NULL && memchr(buf, 'd', sizeof buf) == NULL);
	free(why);
	why = NULL;
	char long_line[SECRET_MAX + 10];
	memset(long_line, 'k', sizeof long_line);
	p = file_with("long", long_line, sizeof long_line, 0600);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == EXIT_DATAERR);
	CHECK(why && strstr(why, "trop longue"));
	CHECK(memchr(buf, 'k', sizeof buf) == NULL);
	free(why);
	why = NULL;
	/* The longest accepted: SECRET_MAX - 2 characters and the newline. */
	long_line[SECRET_MAX - 2] = '\n';
	p = file_with("longest", long_line, SECRET_MAX - 1, 0600);
	CHECK(secret_from_file(p, buf, sizeof buf, &why) == 0);
	CHECK(strlen(buf) == SECRET_MAX - 2);
	secret_wipe(buf, sizeof buf);
}

static void test_wipe_and_protect(void)
{
	char buf[64];
	memset(buf, 'z', sizeof buf);
	secret_wipe(buf, sizeof buf);
	bool zero = true;
	for (size_t i = 0; i < sizeof buf; i++)
		zero = zero && buf[i] == '\0';
	CHECK(zero);
	secret_wipe(NULL, 10); /* harmless */
	/* Locking may be refused (RLIMIT_MEMLOCK): never an error, never a crash. */
	(void)secret_protect(buf, sizeof buf);
	CHECK(secret_protect(NULL, 0) == false);
	CHECK(secret_protected());
}

static void remove_dir(void)
{
	static const char *names[] = {"ok",    "nonl", "open", "link",   "target",
	                              "empty", "nul",  "long", "longest"};
	char path[300];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_strength(void)
{
	char generated[SECRET_GENERATED_LEN + 1];
	for (int i = 0; i < 50; i++) {
		secret_generate(generated);
		CHECK(secret_strength_bits(generated) >= SECRET_MIN_BITS);
	}
	/* 16 base32 symbols: 16 × log2(36), the dashes aside. */
	CHECK(fabs(secret_strength_bits("7K2M-QX4T-0PZR-9CWD") - 16 * log2(36)) < 1e-9);
	CHECK(secret_strength_bits("7K2MQX4T0PZR9CWD") >= SECRET_MIN_BITS);
	/* One drawn without a digit, or without a letter in a group, is as strong. */
	CHECK(secret_strength_bits("QXKT-ABCD-EFGH-JKMN") >= SECRET_MIN_BITS);
	CHECK(secret_strength_bits("QXKT-1234-EFGH-JKMN") >= SECRET_MIN_BITS);
	/* Words of letters count as diceware words: 12.9 bits each. */
	CHECK(fabs(secret_strength_bits("correct horse battery staple") - 4 * 12.9) < 1e-9);
	CHECK(secret_strength_bits("correct horse battery staple") < SECRET_MIN_BITS);
	CHECK(secret_strength_bits("abaque-zèbre-ortie-ponton-lilas-cigale-moufle") >= SECRET_MIN_BITS);
	CHECK(secret_strength_bits("abaque zèbre ortie ponton lilas cigale") < SECRET_MIN_BITS);
	/* Short, or from few classes: refused. */
	const char *weak[] = {"", "Q", "motdepasse", "motdepasse2026", "2026-11-22", "AAAAAAAAAAAA"};
	for (size_t i = 0; i < sizeof weak / sizeof *weak; i++) {
		if (secret_strength_bits(weak[i]) >= SECRET_MIN_BITS)
			fprintf(stderr, "trop fort : « %s »\n", weak[i]);
		CHECK(secret_strength_bits(weak[i]) < SECRET_MIN_BITS);
	}
	/* A long mix of classes passes. */
	CHECK(secret_strength_bits("Phrase-De-Passe-Regionale-2026") >= SECRET_MIN_BITS);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	umask(077);
	CHECK(!secret_protected()); /* nothing done before a passphrase is handled */
	RUN(test_generate);         /* first: it checks that generating alone stops core dumps */
	RUN(test_from_file);
	RUN(test_wipe_and_protect);
	RUN(test_strength);
	remove_dir();
	return harness_report();
}
