/* rotate.c — recueil backup --rotate: tonight's checked backup into a directory of backups, then
 * the rotation that keeps the newest of each of the last 7 days and of the last 4 weeks that
 * have one. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/export.h"
#include "export/safefile.h"

/* The names the rotation writes and the only ones it ever removes. */
#define ROTATE_PREFIX "recueil-"
#define ROTATE_SUFFIX ".db.gz"

/* The day of a name written by the rotation ("recueil-2026-11-22.db.gz"), or -1. */
static long backup_day(const char *name)
{
	size_t np = strlen(ROTATE_PREFIX), n = strlen(name);
	if (n != np + 10 + strlen(ROTATE_SUFFIX) || strncmp(name, ROTATE_PREFIX, np) != 0 ||
	    strcmp(name + np + 10, ROTATE_SUFFIX) != 0)
		return -1;
	char date[11];
	memcpy(date, name + np, 10);
	date[10] = '\0';
	long day;
	return date_parse(date, &day) ? day : -1;
}

/* The week of a day: weeks start on Monday (1970-01-01 was a Thursday). */
static long week_of(long day)
{
	long d = day + 3;
	return d >= 0 ? d / 7 : (d - 6) / 7;
}

static int newest_first(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The days of the backups in dir, newest first, into *days (caller frees); their count. */
static size_t list_backups(const char *dir, long **days)
{
	*days = NULL;
	size_t n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));) {
		long day = backup_day(e->d_name);
		if (day < 0)
			continue;
		*days = xrealloc(*days, (n + 1) * sizeof **days);
		(*days)[n++] = day;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(*days, n, sizeof **days, newest_first);
	return n;
}

/* dir/recueil-YYYY-MM-DD.db.gz for day. Caller frees. */
static char *backup_rotate_name(const char *dir, long day)
{
	char date[11];
	date_format(day, date);
	return xasprintf("%s/" ROTATE_PREFIX "%s" ROTATE_SUFFIX, dir, date);
}

/* Whether the rotation keeps days[i] of the n days of backups (newest first). */
static bool backup_rotate_keeps(const long *days, size_t i, int daily, int weekly)
{
	/* days are newest first, one per day: the first `daily` are the last days that have one;
	 * a day is the newest of its week when the one before it in the list is of a newer week. */
	if (i < (size_t)daily)
		return true;
	int weeks = 0;
	for (size_t k = 0; k <= i && weeks <= weekly; k++)
		if (k == 0 || week_of(days[k]) != week_of(days[k - 1])) {
			weeks++;
			if (k == i)
				return weeks <= weekly;
		}
	return false;
}

/* Write tonight's backup under its final name, replacing one made earlier the same day only
 * once the new one is whole and checked. */
static int write_tonight(store *s, const char *path, uint64_t *bytes, char **why)
{
	char *fresh = xasprintf("%s.nouvelle", path);
	unlink(fresh); /* left by a run that was killed */
	int rc = backup_write(s, fresh, bytes, why);
	if (!rc && rename(fresh, path) != 0) {
		set_why(why, "%s : renommage impossible : %s", path, strerror(errno));
		rc = EXIT_IOERR;
		unlink(fresh);
	}
	if (!rc)
		fsync_parent_dir(path);
	free(fresh);
	return rc;
}

int backup_rotate(store *s, const char *dir, long today, int daily, int weekly, backup_rotation *out,
                  char **why)
{
	memset(out, 0, sizeof *out);
	struct stat st;
	if (stat(dir, &st) != 0 && (errno != ENOENT || mkdir(dir, 0700) != 0)) {
		set_why(why, "%s : dossier des sauvegardes impossible à créer : %s", dir, strerror(errno));
		return errno == EACCES ? EXIT_CANTCREAT : EXIT_IOERR;
	}
	out->path = backup_rotate_name(dir, today);
	int rc = write_tonight(s, out->path, &out->bytes, why);
	if (rc)
		return rc;
	long *days = NULL;
	size_t n = list_backups(dir, &days);
	for (size_t i = 0; i < n; i++) {
		if (backup_rotate_keeps(days, i, daily, weekly)) {
			out->kept++;
			continue;
		}
		char *old = backup_rotate_name(dir, days[i]);
		if (unlink(old) == 0)
			out->removed++;
		free(old);
	}
	free(days);
	return 0;
}
