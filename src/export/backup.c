/* backup.c — recueil backup: a consistent snapshot of the database (VACUUM INTO a private
 * scratch directory beside the target), fsync'ed and checked, then gzip-compressed with zlib
 * into a temporary file renamed into place. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "export/export.h"
#include "export/safefile.h"

/* Remove the snapshot and whatever SQLite may have left beside it, then the directory. */
static void remove_scratch(const char *dir, const char *db)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		char *p = xasprintf("%s%s", db, suffixes[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

static int fsync_path(const char *path, char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0) {
		int err = errno;
		set_why(why, "%s : écriture de la copie sur le disque impossible : %s", path, strerror(err));
		if (fd >= 0)
			close(fd);
		return errno_exit_code(err);
	}
	close(fd);
	return 0;
}

/* gzip the file at src into fd (which stays open). */
static int compress_into(const char *src, int fd, const char *out_path, uint64_t *bytes, char **why)
{
	FILE *in = fopen(src, "rb");
	if (!in) {
		set_why(why, "%s : relecture de la copie impossible : %s", src, strerror(errno));
		return EXIT_IOERR;
	}
	int dup_fd = dup(fd);
	gzFile gz = dup_fd >= 0 ? gzdopen(dup_fd, "wb6") : NULL;
	if (!gz) {
		if (dup_fd >= 0)
			close(dup_fd);
		fclose(in);
		set_why(why, "%s : compression impossible", out_path);
		return EXIT_SOFTWARE;
	}
	char buf[65536];
	size_t got;
	int rc = 0;
	errno = 0;
	while (!rc && (got = fread(buf, 1, sizeof buf, in)) > 0)
		if (gzwrite(gz, buf, (unsigned)got) != (int)got)
			rc = EXIT_IOERR;
	if (!rc && ferror(in))
		rc = EXIT_IOERR;
	int err = errno;
	if (gzclose(gz) != Z_OK && !rc) {
		rc = EXIT_IOERR;
		err = errno;
	}
	fclose(in);
	if (rc) {
		set_why(why, "%s : écriture de la sauvegarde impossible : %s ; aucun fichier n'a été laissé",
		        out_path,
		        err == ENOSPC ? "disque plein (libérer de la place)" : strerror(err ? err : EIO));
		return err ? errno_exit_code(err) : EXIT_IOERR;
	}
	struct stat st;
	*bytes = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

int backup_write(store *s, const char *out_path, uint64_t *bytes, char **why)
{
	*bytes = 0;
	atomic_file out;
	int rc = atomic_open(&out, out_path, why);
	if (rc)
		return rc;
	/* The uncompressed snapshot holds identities too: a 0700 directory beside the target. */
	char *copy = xstrdup(out_path);
	char *dir = xasprintf("%s/.recueil-backup-XXXXXX", dirname(copy));
	free(copy);
	if (!mkdtemp(dir)) {
		int err = errno;
		set_why(why, "%s : dossier de travail impossible à créer : %s", dir, strerror(err));
		free(dir);
		atomic_abort(&out);
		return errno_exit_code(err);
	}
	char *db = xasprintf("%s/snapshot.db", dir);
	rc = store_snapshot(s, db, why);
	if (!rc)
		rc = fsync_path(db, why);
	if (!rc)
		rc = store_check_file(db, why);
	if (!rc)
		rc = compress_into(db, out.fd, out_path, bytes, why);
	remove_scratch(dir, db);
	free(db);
	free(dir);
	if (!rc)
		rc = atomic_commit(&out, why);
	if (rc)
		atomic_abort(&out);
	else
		atomic_done(&out);
	return rc;
}

int backup_restore(const char *gz_path, const char *db_path, char **why)
{
	int in = open(gz_path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		int err = errno;
		set_why(why, "%s : sauvegarde illisible : %s", gz_path, strerror(err));
		return err == ENOENT ? EXIT_NOINPUT : EXIT_NOPERM;
	}
	gzFile gz = gzdopen(in, "rb");
	if (!gz) {
		close(in);
		set_why(why, "%s : décompression impossible", gz_path);
		return EXIT_SOFTWARE;
	}
	atomic_file out;
	int rc = atomic_open(&out, db_path, why);
	if (rc) {
		gzclose(gz);
		return rc;
	}
	char buf[65536];
	int got;
	while (!rc && (got = gzread(gz, buf, sizeof buf)) > 0) {
		const char *p = buf;
		size_t left = (size_t)got;
		while (left && !rc) {
			ssize_t w = write(out.fd, p, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				int err = errno ? errno : EIO;
				set_why(why, "%s : écriture impossible : %s ; aucun fichier n'a été laissé",
				        db_path, err == ENOSPC ? "disque plein" : strerror(err));
				rc = errno_exit_code(err);
			}
			p += w > 0 ? w : 0;
			left -= w > 0 ? (size_t)w : left;
		}
	}
	if (!rc && got < 0) {
		int zerr;
		const char *msg = gzerror(gz, &zerr);
		set_why(why, "%s : sauvegarde endommagée ou tronquée (%s) : rien n'a été restauré", gz_path,
		        msg);
		rc = EXIT_DATAERR;
	}
	if (gzclose(gz) != Z_OK && !rc) {
		set_why(why, "%s : sauvegarde endommagée ou tronquée (contrôle gzip) : rien n'a été restauré",
		        gz_path);
		rc = EXIT_DATAERR;
	}
	if (!rc && fsync(out.fd) != 0) {
		set_why(why, "%s : écriture sur le disque impossible : %s", db_path, strerror(errno));
		rc = EXIT_IOERR;
	}
	char *inner = NULL;
	if (!rc && (rc = store_check_file(out.tmp_path, &inner)) != 0) {
		/* The message names the temporary file: name the backup instead. */
		const char *detail = inner ? inner : "";
		size_t n = strlen(out.tmp_path);
		if (strncmp(detail, out.tmp_path, n) == 0 && strncmp(detail + n, " : ", 3) == 0)
			detail += n + 3;
		set_why(why, "%s : sauvegarde refusée, rien n'a été restauré : %s", gz_path, detail);
	}
	free(inner);
	if (!rc)
		rc = atomic_commit(&out, why);
	if (rc)
		atomic_abort(&out);
	else
		atomic_done(&out);
	return rc;
}
