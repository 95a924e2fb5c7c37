/* safefile.h — files that appear whole or not at all: created under a temporary name beside
 * their final path, private (0600), fsync'ed, then renamed; and private scratch files that
 * vanish on close. Shared by export and backup. */
#ifndef RECUEIL_SAFEFILE_H
#define RECUEIL_SAFEFILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
	char *final_path; /* owned */
	char *tmp_path;   /* owned; NULL once renamed or removed */
	int fd;           /* -1 when closed */
} atomic_file;

/* Create "<dir>/.<name>.tmp-XXXXXX" (mode 0600 whatever the umask) for path. Refuses when path
 * already exists (EXIT_CANTCREAT: an earlier export is never overwritten) or its directory is
 * missing or not writable. Returns 0 or a sysexits code with *why (caller frees). */
int atomic_open(atomic_file *af, const char *path, char **why);

/* The checks of atomic_open without creating anything, so that a command can refuse a bad
 * target before doing any work: path must not exist, its directory must be writable. */
int atomic_check_target(const char *path, char **why);

/* fsync and close the temporary file, rename it to the final path, fsync the directory.
 * On failure the temporary file is removed and nothing exists under the final name. */
int atomic_commit(atomic_file *af, char **why);

/* Remove the temporary file (if any) and free af. Safe after atomic_commit and twice. */
void atomic_abort(atomic_file *af);

/* Release af after a successful commit (nothing removed). */
void atomic_done(atomic_file *af);

/* A scratch file readable only by its owner and unlinked from the start, in $TMPDIR or /tmp:
 * nothing is left behind whatever happens. Returns NULL with *why. Caller fcloses. */
FILE *private_tmpfile(char **why);

/* The sysexits code for a failed creation or write: 73 for permission or read-only,
 * 74 for space and I/O errors. */
int errno_exit_code(int err);

/* fsync the directory that holds path (so that a rename survives a power cut). */
bool fsync_parent_dir(const char *path);

#endif
