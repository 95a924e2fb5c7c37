/* privilege.h — the group privilege of an installed recueil and what the environment may change.
 *
 * The package installs the program setgid to the group that owns the shared database
 * (/var/lib/recueil, 2770): the users are not in that group, so only the program opens that
 * file, and the roles it enforces cannot be bypassed with sqlite3. Such a run starts with the
 * privilege parked (the effective group is the caller's own), raises it only to open and close
 * the shared database and to write in its directory, and drops it for good before it works on
 * any other database. While the privilege can come back, nothing from the environment is
 * trusted: env_get returns NULL and the test seams are off.
 *
 * A run of a program that is not setgid (a build tree, a package without the group) has no
 * privilege: every call here is then a no-op and the environment is trusted. */
#ifndef RECUEIL_PRIVILEGE_H
#define RECUEIL_PRIVILEGE_H

#include <stdbool.h>
#include <sys/types.h>

/* Note the real and effective groups at start and park the privilege (effective group = real
 * group, the program's group kept as the saved group). Call first in main, before any file is
 * opened. Returns false when the group could not be changed (the caller stops: running with a
 * privilege it cannot control is worse than not running). */
bool priv_init(void);

/* Whether the group privilege can still be raised: a setgid run that has not dropped it. */
bool priv_held(void);

/* The group the program is setgid to; meaningful only when priv_held(). */
gid_t priv_group(void);

/* Raise the privilege (effective group = the program's group) for the few operations that need
 * it; priv_lower parks it again. Calls nest; both are no-ops without privilege. priv_raise
 * returns false if the kernel refused. */
bool priv_raise(void);
void priv_lower(void);

/* Drop the privilege for good (real, effective and saved group = the caller's group): from
 * then on the program is what it is without the setgid bit, and the environment is trusted.
 * Returns false if the kernel refused (the caller must not go on). */
bool priv_drop(void);

/* getenv(name), or NULL while the environment is not trusted: a setgid (or otherwise secure)
 * start whose privilege has not been dropped. The string belongs to the environment. */
const char *env_get(const char *name);

/* The caller's home directory: $HOME when the environment is trusted, else the one the password
 * database gives for the real user id; NULL when neither says. Caller frees. */
char *home_dir(void);

/* Turn the test seams on for this process (recueil-test, the unit tests, the fuzz harnesses).
 * The program a user runs never calls it. */
void test_seams_enable(void);

/* The value of the test seam name (RECUEIL_TODAY, RECUEIL_AS_USER, RECUEIL_KEYS…) when the
 * seams are on and the environment is trusted and the value is not empty; NULL otherwise. */
const char *test_seam(const char *name);

#endif
