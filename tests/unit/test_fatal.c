/* test_fatal.c — the fatal path: when memory runs out, the fatal hook (the terminal interface's
 * term_end) runs before the message is printed, so that the message lands on a restored terminal
 * and not on the full-screen display; the message is one line and the exit code is 70; a failure
 * inside the hook does not loop. Each case runs in a child whose stderr is read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "harness.h"

/* Under AddressSanitizer an impossible allocation must return NULL, as it does with glibc's
 * malloc, instead of ending the process with a sanitizer report. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void hook_says_so(void)
{
	fputs("terminal rendu\n", stderr);
}

static void hook_fails_too(void)
{
	fputs("terminal rendu\n", stderr);
	free(xmalloc(SIZE_MAX / 2));
}

/* Run an impossible allocation in a child with HOOK installed; *out gets its stderr (caller
 * frees) without the sanitizer's own lines ("==PID==WARNING: AddressSanitizer failed to
 * allocate…") and the result is its exit status (-1 when it did not exit normally). */
static int run_child(void (*hook)(void), char **out)
{
	int pfd[2];
	if (pipe(pfd) != 0)
		abort();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], STDERR_FILENO);
		util_set_fatal_hook(hook);
		void *p = xmalloc(SIZE_MAX / 2);
		fprintf(stderr, "allocation impossible accordée (%p)\n", p);
		_exit(0);
	}
	close(pfd[1]);
	strbuf sb = STRBUF_INIT;
	char buf[512];
	ssize_t n;
	while ((n = read(pfd[0], buf, sizeof buf)) > 0)
		strbuf_add(&sb, buf, (size_t)n);
	close(pfd[0]);
	strbuf_add(&sb, "", 0);
	strbuf kept = STRBUF_INIT;
	strbuf_add(&kept, "", 0);
	for (const char *line = sb.s; *line;) {
		size_t len = strcspn(line, "\n");
		len += line[len] == '\n';
		if (strncmp(line, "==", 2) != 0)
			strbuf_add(&kept, line, len);
		line += len;
	}
	strbuf_done(&sb);
	*out = strbuf_take(&kept);
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_hook_before_message(void)
{
	char *err;
	CHECK(run_child(hook_says_so, &err) == EXIT_SOFTWARE);
	CHECK_STR(err, "terminal rendu\nrecueil: mémoire épuisée\n");
	free(err);
}

static void test_without_hook(void)
{
	char *err;
	CHECK(run_child(NULL, &err) == EXIT_SOFTWARE);
	CHECK_STR(err, "recueil: mémoire épuisée\n");
	free(err);
}

static void test_hook_that_fails(void)
{
	char *err;
	CHECK(run_child(hook_fails_too, &err) == EXIT_SOFTWARE);
	CHECK_STR(err, "terminal rendu\nrecueil: mémoire épuisée\n");
	free(err);
}

int main(void)
{
	RUN(test_hook_before_message);
	RUN(test_without_hook);
	RUN(test_hook_that_fails);
	return harness_report();
}
