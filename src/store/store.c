/* store.c — opening the SQLite file (mode, group, pragmas, migrations), the statement cache,
 * transactions and batches, and the error messages of the whole store. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"
#include "store/schema.h"
#include "store/store_internal.h"

typedef struct {
	char *sql;
	sqlite3_stmt *stmt;
} cached_stmt;

struct store {
	sqlite3 *db;
	char *path;
	cached_stmt *cache;
	size_t n_cache;
	int batch;      /* inside store_batch_begin: each save is a savepoint of one transaction */
	int region;     /* store_is_region: -1 until read (the kind never changes once initialised) */
	bool importing; /* between store_import_open and store_import_close (st_import_mode) */
	bool ready;     /* opened and migrated: closing may finish an owed purge */
};

sqlite3 *store_db(store *s)
{
	return s->db;
}

sqlite3 *st_db_handle(store *s)
{
	return s->db;
}

bool store_is_region(store *s)
{
	if (s->region < 0) {
		sqlite3_stmt *stmt = st_prepare(s, "SELECT kind = 'region' FROM structure WHERE id = 1");
		if (stmt && sqlite3_step(stmt) == SQLITE_ROW)
			s->region = sqlite3_column_int(stmt, 0);
		if (stmt)
			sqlite3_reset(stmt);
	}
	return s->region > 0;
}

int store_schema_version(void)
{
	return schema_migration_count ? schema_migrations[schema_migration_count - 1].version : 0;
}

/* Map an SQLite result to an exit code and a message naming what failed. */
int st_fail(store *s, char **why, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db);
	int primary = rc & 0xFF;
	const char *msg = sqlite3_errmsg(s->db);
	int code = EXIT_SOFTWARE;
	const char *hint = "";
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		code = EXIT_TEMPFAIL;
		hint = " (base occupée par un autre utilisateur : réessayer dans un instant)";
		break;
	case SQLITE_FULL:
		code = EXIT_IOERR;
		hint = " (disque plein : libérer de la place ; rien de ce qui était enregistré n'est perdu)";
		break;
	case SQLITE_IOERR:
		code = EXIT_IOERR;
		hint = " (erreur d'entrée-sortie sur le disque)";
		break;
	case SQLITE_READONLY:
		code = EXIT_NOPERM;
		hint = " (base en lecture seule pour cet utilisateur)";
		break;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		code = EXIT_NOPERM;
		break;
	case SQLITE_CANTOPEN:
		code = EXIT_CANTCREAT;
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = EXIT_DATAERR;
		hint = " (fichier endommagé ou qui n'est pas une base recueil)";
		break;
	case SQLITE_CONSTRAINT:
		code = EXIT_DATAERR;
		break;
	default:
		break;
	}
	set_why(why, "%s : %s%s", what, msg, hint);
	return code;
}

sqlite3_stmt *st_prepare(store *s, const char *sql)
{
	for (size_t i = 0; i < s->n_cache; i++)
		if (strcmp(s->cache[i].sql, sql) == 0) {
			sqlite3_reset(s->cache[i].stmt);
			sqlite3_clear_bindings(s->cache[i].stmt);
			return s->cache[i].stmt;
		}
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
		return NULL;
	s->cache = xrealloc(s->cache, (s->n_cache + 1) * sizeof *s->cache);
	s->cache[s->n_cache++] = (cached_stmt){xstrdup(sql), stmt};
	return stmt;
}

const char *st_col_text(sqlite3_stmt *stmt, int col)
{
	const char *t = (const char *)sqlite3_column_text(stmt, col);
	return t ? t : "";
}

void st_sql_quoted(strbuf *sb, const char *s, char q)
{
	strbuf_putc(sb, q);
	for (; *s; s++) {
		if (*s == q)
			strbuf_putc(sb, q);
		strbuf_putc(sb, *s);
	}
	strbuf_putc(sb, q);
}

void st_forget_statements(store *s)
{
	for (size_t i = 0; i < s->n_cache; i++) {
		sqlite3_finalize(s->cache[i].stmt);
		free(s->cache[i].sql);
	}
	free(s->cache);
	s->cache = NULL;
	s->n_cache = 0;
}

void store_close(store *s)
{
	if (!s)
		return;
	if (s->ready && store_purge_pending(s)) {
		/* An erasure whose WAL purge a reader postponed: any process finishes it when it can,
		 * without holding its user at exit for the whole busy timeout. */
		sqlite3_busy_timeout(s->db, 500);
		store_purge_finish(s);
	}
	if (s->ready) {
		/* The last connection to leave copies the WAL into the file and removes it, so that
		 * the .db file alone holds every save after a clean exit (a copy made with cp, a
		 * backup tool that ignores -wal). SQLite does it only when no other connection is
		 * open: the others go on in WAL mode, and the last one out checkpoints. */
		sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	}
	st_forget_statements(s);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

int st_exec(store *s, const char *sql, char **why, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return st_fail(s, why, what);
	return 0;
}

/* The file open is still the one at s->path. Someone may delete, move or replace the database
 * while the interface keeps it open: SQLite then goes on writing into a file nobody will ever
 * open again, and every save would be lost at exit while the screen says "enregistrée". Returns
 * 0, or EXIT_NOINPUT with *why saying what happened and what to do. */
static int still_there(store *s, char **why)
{
	int moved = 0;
	/* SQLite looks the path up again: the shared database's directory is searchable with the
	 * program's group only (core/privilege.h), which is parked between opening and closing. */
	bool raised = priv_raise();
	int rc = sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved);
	if (raised)
		priv_lower();
	if (rc != SQLITE_OK || !moved)
		return 0;
	set_why(why,
	        "%s : la base a été supprimée, déplacée ou remplacée pendant que recueil l'avait "
	        "ouverte : plus rien n'y est enregistré ; quitter recueil et prévenir l'administrateur "
	        "(remettre le fichier en place, ou restaurer la dernière sauvegarde avec « recueil "
	        "restore »)",
	        s->path);
	return EXIT_NOINPUT;
}

int st_begin(store *s, char **why)
{
	if (s->batch)
		return st_exec(s, "SAVEPOINT one_save", why, "début de transaction");
	int rc = still_there(s, why);
	return rc ? rc : st_exec(s, "BEGIN IMMEDIATE", why, "début de transaction");
}

int st_commit(store *s, char **why)
{
	if (s->batch)
		return st_exec(s, "RELEASE one_save", why, "enregistrement");
	int rc = st_exec(s, "COMMIT", why, "enregistrement");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	else
		rc = still_there(s, why); /* deleted during the transaction: not saved for good */
	return rc;
}

void st_rollback(store *s)
{
	if (s->batch)
		sqlite3_exec(s->db, "ROLLBACK TO one_save; RELEASE one_save", NULL, NULL, NULL);
	else if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_batch_begin(store *s, char **why)
{
	/* A big cache keeps the batch's pages in memory instead of spilling them to the WAL
	 * again and again; the usual small cache comes back at the end. */
	int rc = still_there(s, why);
	if (!rc)
		rc =
		    st_exec(s, s->importing ? "BEGIN IMMEDIATE" : "PRAGMA cache_size=-65536; BEGIN IMMEDIATE",
		            why, "début de transaction");
	if (!rc)
		s->batch = 1;
	return rc;
}

int store_batch_end(store *s, bool keep, char **why)
{
	s->batch = 0;
	int rc = 0;
	if (keep)
		rc = st_commit(s, why);
	else
		st_rollback(s);
	if (!s->importing)
		sqlite3_exec(s->db, "PRAGMA cache_size=-2000", NULL, NULL, NULL);
	return rc;
}

void st_import_mode(store *s, bool on)
{
	/* An import's batches follow one another: the cache keeps the indexes' pages from one to the
	 * next (the uuid and date indexes take random pages, and a regional database of 45,000
	 * patients holds some 100 MiB of them), and the WAL is copied into the database once per
	 * 100 MiB of pages rather than after every batch (the same index pages were written again
	 * and again). Measured on 150 archives of 300 patients: system time halved
	 * (docs/performance.md). */
	s->importing = on;
	sqlite3_exec(s->db,
	             on ? "PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint=25000"
	                : "PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=1000",
	             NULL, NULL, NULL);
}

static int64_t pragma_int(store *s, const char *sql, bool *ok)
{
	sqlite3_stmt *stmt = NULL;
	int64_t v = 0;
	*ok = false;
	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		v = sqlite3_column_int64(stmt, 0);
		*ok = true;
	}
	sqlite3_finalize(stmt);
	return v;
}

/* A new database file: private to its owner, or shared with the group when the directory is a
 * setgid group directory (the shared deployment of the README). */
static int create_file(const char *path, char **why)
{
	char *copy = xstrdup(path);
	struct stat dir;
	mode_t mode = 0600;
	if (stat(dirname(copy), &dir) == 0 && (dir.st_mode & S_ISGID))
		mode = 0660;
	free(copy);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0 && errno != EEXIST) {
		set_why(why, "%s : création impossible : %s", path, strerror(errno));
		return errno == EACCES || errno == EROFS ? EXIT_CANTCREAT : EXIT_IOERR;
	}
	if (fd >= 0) {
		fchmod(fd, mode); /* the umask must not loosen or tighten the chosen mode */
		close(fd);
	}
	return 0;
}

static int migrate(store *s, int64_t from, char **why)
{
	for (int i = 0; i < schema_migration_count; i++) {
		const struct schema_migration *m = &schema_migrations[i];
		if (m->version <= from)
			continue;
		int rc = st_begin(s, why);
		if (rc)
			return rc;
		char *what = xasprintf("migration %s", m->name);
		rc = st_exec(s, m->sql, why, what);
		free(what);
		if (!rc) {
			char sql[96];
			snprintf(sql, sizeof sql, "PRAGMA user_version=%d; PRAGMA application_id=%d",
			         m->version, STORE_APPLICATION_ID);
			rc = st_exec(s, sql, why, "version du schéma");
		}
		if (rc) {
			st_rollback(s);
			return rc;
		}
		if ((rc = st_commit(s, why)))
			return rc;
	}
	return 0;
}

static int configure(store *s, char **why)
{
	int on = 1;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on);
	/* No checkpoint when a file refused here is closed; an opened one is checkpointed by the
	 * last connection to close it (store_close) and, while several stay open, whenever the WAL
	 * passes 1000 pages (SQLite's automatic checkpoint, about 4 MiB). The temporary tables of
	 * a query stay in memory: nothing of the data lands in a directory another user may read. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &on);
	sqlite3_busy_timeout(s->db, 10000);
	int rc = st_exec(s,
	                 "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=1000; "
	                 "PRAGMA temp_store=MEMORY",
	                 why, "configuration de la base");
	if (rc)
		return rc;
	sqlite3_stmt *stmt = NULL;
	const char *mode = "";
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(stmt, 0);
	bool wal = mode && strcmp(mode, "wal") == 0;
	sqlite3_finalize(stmt);
	if (!wal)
		return st_fail(s, why, "passage en mode WAL");
	return 0;
}

/* Whether this process may access path in mode: with its effective group, which is what opens
 * the shared database of a setgid recueil (access() would answer for the caller's own group). */
static bool may_access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0;
}

/* An existing database must be writable, and so must its directory, where SQLite creates the
 * -wal and -shm files: found here, before SQLite opens the file read-only behind our back (and
 * leaves -wal and -shm files no one can use), or fails on the first read with a message about
 * "a readonly database". Returns 0 or EXIT_NOPERM with *why. */
static int check_writable(const char *path, const struct stat *stmt, char **why)
{
	if (!may_access(path, R_OK))
		return 0; /* unreadable: the open below says what to do */
	if (!may_access(path, W_OK)) {
		if (errno == EROFS)
			set_why(
			    why,
			    "%s : la base est sur un disque monté en lecture seule : recueil doit pouvoir "
			    "y écrire ; demander à l'administrateur de le remonter en écriture, ou copier "
			    "la base ailleurs (avec ses fichiers -wal et -shm)",
			    path);
		else
			set_why(
			    why,
			    "%s : base en lecture seule pour cet utilisateur (droits %03o) : demander à "
			    "l'administrateur le droit d'y écrire (chmod 660 et groupe du dossier partagé)",
			    path, (unsigned)(stmt->st_mode & 0777));
		return EXIT_NOPERM;
	}
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int rc = 0;
	if (!may_access(dir, W_OK | X_OK)) {
		set_why(why,
		        "%s : le dossier %s est en lecture seule%s : SQLite doit pouvoir y créer les "
		        "fichiers -wal et -shm de la base ; demander à l'administrateur le droit d'écrire "
		        "dans ce dossier",
		        path, dir,
		        errno == EROFS ? " (disque monté en lecture seule)" : " pour cet utilisateur");
		rc = EXIT_NOPERM;
	}
	free(copy);
	return rc;
}

/* The first read of the file failed: why, and what to do. Returns the exit code. */
static int unreadable(store *s, char **why)
{
	switch (sqlite3_errcode(s->db) & 0xFF) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		set_why(why, "%s : base occupée par un autre utilisateur depuis plus de 10 s : réessayer",
		        s->path);
		return EXIT_TEMPFAIL;
	case SQLITE_NOTADB:
		set_why(why,
		        "%s : ce fichier n'est pas une base SQLite, donc pas une base recueil : vérifier le "
		        "chemin donné par --db ou RECUEIL_DB ; fichier laissé tel quel",
		        s->path);
		return EXIT_DATAERR;
	case SQLITE_CORRUPT:
		set_why(why,
		        "%s : base endommagée : la restaurer depuis la dernière sauvegarde (« recueil "
		        "restore ») ; fichier laissé tel quel",
		        s->path);
		return EXIT_DATAERR;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_CANTOPEN:
	case SQLITE_AUTH:
		set_why(why,
		        "%s : lecture impossible pour cet utilisateur (%s) : demander à l'administrateur "
		        "le droit d'écrire dans la base et dans son dossier",
		        s->path, sqlite3_errmsg(s->db));
		return EXIT_NOPERM;
	default:
		set_why(why, "%s : lecture impossible (%s) : vérifier le disque", s->path,
		        sqlite3_errmsg(s->db));
		return EXIT_IOERR;
	}
}

/* fsync the directory of path, so that the -wal file SQLite has just created beside it survives
 * a power cut. SQLite does it itself at the first commit, when the directory of the shared
 * database may no longer be searchable (the program's group is parked: core/privilege.h). */
static void wal_entry_durable(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

store *store_open(const char *path, enum store_open_mode mode, char **why, int *code)
{
	struct stat stmt;
	bool exists = stat(path, &stmt) == 0;
	*code = 0;
	if (!exists && errno == EACCES) {
		char *dir = xstrdup(path);
		struct stat ds;
		const char *group = NULL;
		if (stat(dirname(dir), &ds) == 0) {
			struct group *gr = getgrgid(ds.st_gid);
			group = gr ? gr->gr_name : NULL;
		}
		set_why(
		    why,
		    "%s : accès refusé : il faut appartenir au groupe %s%s%s du dossier partagé (demander à "
		    "l'administrateur de la machine : usermod -aG GROUPE LOGIN, puis se reconnecter)",
		    path, group ? "« " : "", group ? group : "propriétaire", group ? " »" : "");
		free(dir);
		*code = EXIT_NOPERM;
		return NULL;
	}
	if (!exists && mode == STORE_OPEN_EXISTING) {
		set_why(why, "%s : base introuvable (la créer avec « recueil init --structure CODE »)", path);
		*code = EXIT_NOINPUT;
		return NULL;
	}
	if (exists && !S_ISREG(stmt.st_mode)) {
		set_why(why, "%s : ce n'est pas un fichier", path);
		*code = EXIT_NOINPUT;
		return NULL;
	}
	if (!exists && (*code = create_file(path, why)))
		return NULL;
	if (exists && (*code = check_writable(path, &stmt, why)))
		return NULL;
	char *wal = xasprintf("%s-wal", path);
	struct stat wal_st;
	bool wal_existed = stat(wal, &wal_st) == 0;
	free(wal);
	store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	s->region = -1;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		if (!may_access(path, R_OK | W_OK))
			set_why(why,
			        "%s : accès refusé : il faut appartenir au groupe du dossier partagé et "
			        "pouvoir y "
			        "écrire",
			        path);
		else
			set_why(why, "%s : ouverture impossible : %s", path, sqlite3_errmsg(s->db));
		*code = EXIT_NOPERM;
		store_close(s);
		return NULL;
	}
	/* Before the first read: another user may be writing right now. A file refused below must
	 * be left as it was: closing must not checkpoint its WAL into it. */
	sqlite3_busy_timeout(s->db, 10000);
	int on = 1;
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &on);
	bool ok;
	int64_t app = pragma_int(s, "PRAGMA application_id", &ok);
	if (!ok) {
		*code = unreadable(s, why);
		store_close(s);
		return NULL;
	}
	int64_t version = pragma_int(s, "PRAGMA user_version", &ok);
	int64_t tables = pragma_int(s, "SELECT count(*) FROM sqlite_schema", &ok);
	bool fresh = app == 0 && version == 0 && tables == 0;
	if (!fresh && app != STORE_APPLICATION_ID) {
		set_why(why,
		        "%s : base SQLite d'une autre application (application_id %lld), pas une base "
		        "recueil : vérifier le chemin donné par --db ou RECUEIL_DB ; fichier laissé tel quel",
		        path, (long long)app);
		*code = EXIT_DATAERR;
	} else if (fresh && mode == STORE_OPEN_EXISTING) {
		set_why(why, "%s : base vide (la créer avec « recueil init --structure CODE »)", path);
		*code = EXIT_NOINPUT;
	} else if (version > store_schema_version()) {
		set_why(why,
		        "%s : base créée par une version plus récente de recueil (schéma %lld, ce programme "
		        "connaît %d) : mettre recueil à jour",
		        path, (long long)version, store_schema_version());
		*code = EXIT_DATAERR;
	}
	if (!*code && !(*code = configure(s, why)) && !wal_existed && priv_held())
		wal_entry_durable(path);
	if (*code || (*code = migrate(s, version, why)) || (*code = st_signing_key_ensure(s, why))) {
		store_close(s);
		return NULL;
	}
	s->ready = true;
	return s;
}
