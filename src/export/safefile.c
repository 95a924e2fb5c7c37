/* safefile.c — whole-or-nothing output files and private scratch files (see safefile.h). */
#include "export/safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"

int errno_exit_code(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EROFS:
	case EEXIST:
	case ENOENT:
	case ENOTDIR:
	case EISDIR:
		return EXIT_CANTCREAT;
	default:
		return EXIT_IOERR;
	}
}

/* A French reason for errno, with the advice a user needs. */
static const char *errno_reason(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
		return "permission refusée (choisir un dossier où vous pouvez écrire)";
	case EROFS:
		return "système de fichiers en lecture seule";
	case ENOSPC:
	case EDQUOT:
		return "disque plein (libérer de la place)";
	case EIO:
		return "erreur d'entrée-sortie sur le disque";
	case ENOENT:
	case ENOTDIR:
		return "dossier inexistant";
	default:
		return strerror(err);
	}
}

static char *dir_of(const char *path)
{
	char *copy = xstrdup(path);
	char *d = xstrdup(dirname(copy));
	free(copy);
	return d;
}

bool fsync_parent_dir(const char *path)
{
	char *d = dir_of(path);
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(d);
	if (fd < 0)
		return false;
	/* Some file systems (vfat on a USB stick) refuse fsync on a directory: not an error. */
	bool ok = fsync(fd) == 0 || errno == EINVAL || errno == EROFS;
	close(fd);
	return ok;
}

int atomic_check_target(const char *path, char **why)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		set_why(why,
		        "%s : le fichier existe déjà (il n'est jamais écrasé : choisir un autre nom ou le "
		        "supprimer)",
		        path);
		return EXIT_CANTCREAT;
	}
	char *dir = dir_of(path);
	int rc = 0;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		set_why(why, "%s : le dossier %s n'existe pas", path, dir);
		rc = EXIT_CANTCREAT;
	} else if (faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		/* The effective group: the one a setgid recueil writes its nightly backups with. */
		int err = errno;
		set_why(why, "%s : impossible de créer un fichier dans %s : %s", path, dir,
		        errno_reason(err));
		rc = errno_exit_code(err);
	}
	free(dir);
	return rc;
}

int atomic_open(atomic_file *af, const char *path, char **why)
{
	af->final_path = NULL;
	af->tmp_path = NULL;
	af->fd = -1;
	int rc = atomic_check_target(path, why);
	if (rc)
		return rc;
	char *dir = dir_of(path);
	char *copy = xstrdup(path);
	char *tmpl = xasprintf("%s/.%s.tmp-XXXXXX", dir, basename(copy));
	free(copy);
	int fd = mkstemp(tmpl);
	if (fd < 0) {
		int err = errno;
		set_why(why, "%s : impossible de créer l'archive dans %s : %s", path, dir, errno_reason(err));
		free(dir);
		free(tmpl);
		return errno_exit_code(err);
	}
	free(dir);
	fchmod(fd, 0600);
	af->final_path = xstrdup(path);
	af->tmp_path = tmpl;
	af->fd = fd;
	return 0;
}

int atomic_commit(atomic_file *af, char **why)
{
	int err = 0;
	const char *what = "";
	if (fsync(af->fd) != 0) {
		err = errno;
		what = "écriture sur le disque";
	}
	if (close(af->fd) != 0 && !err) {
		err = errno;
		what = "fermeture";
	}
	af->fd = -1;
	if (!err && rename(af->tmp_path, af->final_path) != 0) {
		err = errno;
		what = "renommage";
	}
	if (err) {
		set_why(why, "%s : %s impossible : %s ; aucun fichier n'a été laissé", af->final_path, what,
		        errno_reason(err));
		atomic_abort(af);
		return errno_exit_code(err);
	}
	free(af->tmp_path);
	af->tmp_path = NULL;
	/* The file itself is on disk; the directory entry is made durable as well as the file
	 * system allows (best effort: removing a complete archive would help nobody). */
	fsync_parent_dir(af->final_path);
	return 0;
}

void atomic_abort(atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp_path)
		unlink(af->tmp_path);
	free(af->tmp_path);
	af->tmp_path = NULL;
	free(af->final_path);
	af->final_path = NULL;
}

void atomic_done(atomic_file *af)
{
	atomic_abort(af);
}

FILE *private_tmpfile(char **why)
{
	const char *dir = env_get("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = -1;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
	if (fd < 0) { /* file systems without O_TMPFILE: create, then unlink at once */
		char *tmpl = xasprintf("%s/recueil-XXXXXX", dir);
		fd = mkstemp(tmpl);
		if (fd >= 0)
			unlink(tmpl);
		free(tmpl);
	}
	FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
	if (!f) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		set_why(why, "%s : fichier de travail impossible à créer : %s", dir, errno_reason(err));
		return NULL;
	}
	return f;
}
