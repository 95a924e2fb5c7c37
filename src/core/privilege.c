/* privilege.c — the group privilege of a setgid recueil: parked at start, raised for the shared
 * database only, dropped for good before any other work; the environment trusted only once no
 * privilege can come back; the test seams. */
#define _GNU_SOURCE /* getresgid, setresgid */
#include <pwd.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"

static bool secure_start; /* started setgid, or with AT_SECURE for another reason */
static bool held;         /* the program's group is the saved group and can be raised */
static bool dropped;      /* it was, and priv_drop gave it up for good */
static gid_t program_gid, caller_gid;
static int raised; /* nesting depth of priv_raise */
static bool seams_on;

bool priv_init(void)
{
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0)
		return false;
	secure_start = e != r || getauxval(AT_SECURE) != 0;
	if (e == r)
		return true;
	program_gid = e;
	caller_gid = r;
	held = true;
	/* Park: the effective group becomes the caller's, the saved group keeps the program's. */
	if (setresgid((gid_t)-1, r, e) != 0)
		return false;
	return getresgid(&r, &e, &s) == 0 && e == caller_gid && s == program_gid;
}

bool priv_held(void)
{
	return held;
}

gid_t priv_group(void)
{
	return program_gid;
}

bool priv_raise(void)
{
	if (!held)
		return true;
	if (raised++ == 0 && setresgid((gid_t)-1, program_gid, (gid_t)-1) != 0) {
		raised--;
		return false;
	}
	return true;
}

void priv_lower(void)
{
	if (!held || raised == 0)
		return;
	if (--raised == 0 && setresgid((gid_t)-1, caller_gid, (gid_t)-1) != 0)
		abort(); /* cannot happen (the caller's own group); never go on with the privilege up */
}

bool priv_drop(void)
{
	if (!held)
		return true;
	if (setresgid(caller_gid, caller_gid, caller_gid) != 0)
		return false;
	gid_t r, e, s;
	if (getresgid(&r, &e, &s) != 0 || r != caller_gid || e != caller_gid || s != caller_gid)
		return false;
	held = false;
	dropped = true;
	raised = 0;
	return true;
}

const char *env_get(const char *name)
{
	/* Trusted: a start without privilege, or a setgid start that dropped it for good (then
	 * the process can do nothing its caller could not). */
	bool trusted = !secure_start || dropped;
	return trusted ? getenv(name) : NULL;
}

char *home_dir(void)
{
	const char *home = env_get("HOME");
	if (home && *home)
		return xstrdup(home);
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? xstrdup(pw->pw_dir) : NULL;
}

void test_seams_enable(void)
{
	seams_on = true;
}

const char *test_seam(const char *name)
{
	if (!seams_on)
		return NULL;
	const char *v = env_get(name);
	return v && *v ? v : NULL;
}
