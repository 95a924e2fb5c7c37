/* store.c — opening, migrating and writing the SQLite file. */
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
	int batch;  /* inside store_batch_begin: each save is a savepoint of one transaction */
	bool ready; /* opened and migrated: closing may finish an owed purge */
};

sqlite3 *store_db(store *s)
{
	return s->db;
}

sqlite3 *st_db_handle(store *s)
{
	return s->db;
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
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	s->cache = xrealloc(s->cache, (s->n_cache + 1) * sizeof *s->cache);
	s->cache[s->n_cache++] = (cached_stmt){xstrdup(sql), st};
	return st;
}

const char *st_col_text(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
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

static void forget_statements(store *s)
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
	forget_statements(s);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

static int exec(store *s, const char *sql, char **why, const char *what)
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
	if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) != SQLITE_OK || !moved)
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
		return exec(s, "SAVEPOINT one_save", why, "début de transaction");
	int rc = still_there(s, why);
	return rc ? rc : exec(s, "BEGIN IMMEDIATE", why, "début de transaction");
}

int st_commit(store *s, char **why)
{
	if (s->batch)
		return exec(s, "RELEASE one_save", why, "enregistrement");
	int rc = exec(s, "COMMIT", why, "enregistrement");
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
		rc = exec(s, "PRAGMA cache_size=-65536; BEGIN IMMEDIATE", why, "début de transaction");
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
	sqlite3_exec(s->db, "PRAGMA cache_size=-2000", NULL, NULL, NULL);
	return rc;
}

static int64_t pragma_int(store *s, const char *sql, bool *ok)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;
	*ok = false;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*ok = true;
	}
	sqlite3_finalize(st);
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
		rc = exec(s, m->sql, why, what);
		free(what);
		if (!rc) {
			char sql[96];
			snprintf(sql, sizeof sql, "PRAGMA user_version=%d; PRAGMA application_id=%d",
			         m->version, STORE_APPLICATION_ID);
			rc = exec(s, sql, why, "version du schéma");
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
	/* A command-line save is a whole process: checkpointing the WAL at every close would add
	 * fsyncs to each save. The WAL is checkpointed automatically as it grows instead. */
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &on);
	sqlite3_busy_timeout(s->db, 10000);
	int rc = exec(s, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL", why, "configuration de la base");
	if (rc)
		return rc;
	sqlite3_stmt *st = NULL;
	const char *mode = "";
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	bool wal = mode && strcmp(mode, "wal") == 0;
	sqlite3_finalize(st);
	if (!wal)
		return st_fail(s, why, "passage en mode WAL");
	return 0;
}

/* An existing database must be writable, and so must its directory, where SQLite creates the
 * -wal and -shm files: found here, before SQLite opens the file read-only behind our back (and
 * leaves -wal and -shm files no one can use), or fails on the first read with a message about
 * "a readonly database". Returns 0 or EXIT_NOPERM with *why. */
static int check_writable(const char *path, const struct stat *st, char **why)
{
	if (access(path, R_OK) != 0)
		return 0; /* unreadable: the open below says what to do */
	if (access(path, W_OK) != 0) {
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
			    path, (unsigned)(st->st_mode & 0777));
		return EXIT_NOPERM;
	}
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int rc = 0;
	if (access(dir, W_OK | X_OK) != 0) {
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

store *store_open(const char *path, enum store_open_mode mode, char **why, int *code)
{
	struct stat st;
	bool exists = stat(path, &st) == 0;
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
	if (exists && !S_ISREG(st.st_mode)) {
		set_why(why, "%s : ce n'est pas un fichier", path);
		*code = EXIT_NOINPUT;
		return NULL;
	}
	if (!exists && (*code = create_file(path, why)))
		return NULL;
	if (exists && (*code = check_writable(path, &st, why)))
		return NULL;
	store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
		if (access(path, R_OK | W_OK) != 0)
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
	if (*code || (*code = configure(s, why)) || (*code = migrate(s, version, why))) {
		store_close(s);
		return NULL;
	}
	s->ready = true;
	return s;
}

/* ------------------------------------------------------------ per-form tables */

const char *st_field_sql_type(const field *fd)
{
	switch (fd->type) {
	case FT_INTEGER:
	case FT_YESNO:
		return "INTEGER";
	case FT_DECIMAL:
		return "REAL";
	case FT_CHOICE:
		return fd->choices && fd->choices->numeric ? "INTEGER" : "TEXT";
	case FT_CALCULATED:
		if (fd->vtype == T_BOOL || (fd->vtype == T_NUM && fd->decimals == 0))
			return "INTEGER";
		return fd->vtype == T_NUM ? "REAL" : "TEXT";
	case FT_NOTE:
		return NULL;
	default:
		return "TEXT";
	}
}

typedef struct {
	char *field, *sql_type;
	bool active;
} known_column;

static size_t known_columns(store *s, const char *form_id, known_column **out)
{
	sqlite3_stmt *st = st_prepare(s, "SELECT field, sql_type, active FROM form_columns WHERE form = ?");
	known_column *v = NULL;
	size_t n = 0;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].field = xstrdup((const char *)sqlite3_column_text(st, 0));
		v[n].sql_type = xstrdup((const char *)sqlite3_column_text(st, 1));
		v[n].active = sqlite3_column_int(st, 2) != 0;
		n++;
	}
	sqlite3_reset(st);
	*out = v;
	return n;
}

static void known_free(known_column *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].field);
		free(v[i].sql_type);
	}
	free(v);
}

static int64_t stored_form_version(store *s, const char *form_id)
{
	sqlite3_stmt *st = st_prepare(s, "SELECT version FROM form_versions WHERE form = ?");
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return v;
}

static void fnv(uint64_t *h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		*h = (*h ^ *p) * 0x100000001b3ULL;
	*h = (*h ^ 0xff) * 0x100000001b3ULL; /* separator */
}

/* A fingerprint of everything that decides the stored calculated values and alerts of a form:
 * its expressions, rounding and skip values, and the thresholds they may read. */
static void calc_signature(const formset *fs, const form *f, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char num[64];
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		fnv(&h, fd->id);
		fnv(&h, fd->expr_src);
		fnv(&h, fd->show_if_src);
		snprintf(num, sizeof num, "%d %d %.17g", fd->decimals, fd->has_skip_value, fd->skip_value);
		fnv(&h, num);
	}
	for (size_t k = 0; k < f->n_alerts; k++)
		fnv(&h, f->alerts[k].if_src);
	for (size_t t = 0; fs->reporting && t < fs->reporting->n_thresholds; t++) {
		snprintf(num, sizeof num, "%.17g", fs->reporting->thresholds[t].value);
		fnv(&h, fs->reporting->thresholds[t].id);
		fnv(&h, num);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* The stored fingerprint of a form into sig ("" when none yet); false if the form is new. */
static bool stored_signature(store *s, const char *form_id, char sig[17])
{
	sqlite3_stmt *st =
	    st_prepare(s, "SELECT coalesce(calc_signature, '') FROM form_versions WHERE form = ?");
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	snprintf(sig, 17, "%s", found ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_reset(st);
	return found;
}

/* Compare one form with what the database knows; when apply, make the changes (inside the
 * caller's transaction). *changes counts what differs. */
static int sync_one(store *s, const formset *fs, const form *f, bool apply, int *changes, char **why)
{
	known_column *known = NULL;
	size_t nk = known_columns(s, f->id, &known);
	int rc = 0;
	char now[32];
	time_now_iso(now, sizeof now);
	int64_t seen = stored_form_version(s, f->id);
	if (seen > f->version) {
		set_why(why,
		        "%s:1:1: formulaire « %s » en version %d, mais la base a déjà des saisies en version "
		        "%lld : utiliser les formulaires à jour",
		        f->path, f->id, f->version, (long long)seen);
		known_free(known, nk);
		return EXIT_DATAERR;
	}
	if (seen != f->version)
		(*changes)++;
	char sig[17], old_sig[17];
	calc_signature(fs, f, sig);
	if (!stored_signature(s, f->id, old_sig) || strcmp(sig, old_sig) != 0)
		(*changes)++;
	if (apply && nk == 0) {
		char *sql = xasprintf("CREATE TABLE IF NOT EXISTS \"form_%s\" (entry_id INTEGER PRIMARY KEY "
		                      "REFERENCES entries(id) ON DELETE CASCADE) STRICT",
		                      f->id);
		rc = exec(s, sql, why, "création de table");
		free(sql);
	}
	for (size_t i = 0; !rc && i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		const char *type = st_field_sql_type(fd);
		if (!type)
			continue;
		size_t k = 0;
		while (k < nk && strcmp(known[k].field, fd->id) != 0)
			k++;
		if (k < nk && strcmp(known[k].sql_type, type) != 0) {
			set_why(why,
			        "%s:%d:%d: le champ « %s » était stocké en %s et deviendrait %s : changement "
			        "incompatible avec les données existantes (créer un nouveau champ avec un "
			        "autre id)",
			        f->path, fd->line, fd->col, fd->id, known[k].sql_type, type);
			rc = EXIT_DATAERR;
			break;
		}
		if (k < nk && known[k].active)
			continue;
		(*changes)++;
		if (!apply)
			continue;
		sqlite3_stmt *st;
		if (k == nk) {
			char *sql =
			    xasprintf("ALTER TABLE \"form_%s\" ADD COLUMN \"%s\" %s", f->id, fd->id, type);
			rc = exec(s, sql, why, "ajout de colonne");
			free(sql);
			st = st_prepare(
			    s,
			    "INSERT INTO form_columns(form, field, sql_type, field_type, active, added_at) "
			    "VALUES (?, ?, ?, ?, 1, ?)");
			sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, fd->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 4, field_type_name(fd->type), -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		} else {
			st = st_prepare(s, "UPDATE form_columns SET active = 1 WHERE form = ? AND field = ?");
			sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, fd->id, -1, SQLITE_STATIC);
		}
		if (!rc && sqlite3_step(st) != SQLITE_DONE)
			rc = st_fail(s, why, "description des colonnes");
		sqlite3_reset(st);
	}
	/* Fields gone from the YAML keep their column and data; they are only marked inactive. */
	for (size_t k = 0; !rc && k < nk; k++) {
		if (!known[k].active || form_field(f, known[k].field))
			continue;
		(*changes)++;
		if (!apply)
			continue;
		sqlite3_stmt *st =
		    st_prepare(s, "UPDATE form_columns SET active = 0 WHERE form = ? AND field = ?");
		sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, known[k].field, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = st_fail(s, why, "description des colonnes");
		sqlite3_reset(st);
	}
	if (!rc && apply && seen != f->version) {
		sqlite3_stmt *st = st_prepare(
		    s,
		    "INSERT INTO form_versions(form, version, seen_at) VALUES (?, ?, ?) "
		    "ON CONFLICT(form) DO UPDATE SET version = excluded.version, seen_at = excluded.seen_at");
		sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, f->version);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = st_fail(s, why, "version du formulaire");
		sqlite3_reset(st);
	}
	known_free(known, nk);
	return rc;
}

int store_sync_forms(store *s, const formset *fs, const char *login, char **why)
{
	int changes = 0, rc = 0;
	for (size_t i = 0; i < fs->n_forms && !rc; i++)
		rc = sync_one(s, fs, fs->forms[i], false, &changes, why);
	if (rc || changes == 0)
		return rc;
	if ((rc = st_begin(s, why)))
		return rc;
	/* Forms already known whose computing changed (expressions, thresholds) get their stored
	 * scores recomputed below. */
	bool *recompute = xcalloc(fs->n_forms ? fs->n_forms : 1, sizeof *recompute);
	for (size_t i = 0; i < fs->n_forms; i++) {
		char sig[17], old_sig[17];
		calc_signature(fs, fs->forms[i], sig);
		recompute[i] = stored_signature(s, fs->forms[i]->id, old_sig) && strcmp(sig, old_sig) != 0;
	}
	changes = 0;
	for (size_t i = 0; i < fs->n_forms && !rc; i++)
		rc = sync_one(s, fs, fs->forms[i], true, &changes, why);
	for (size_t i = 0; i < fs->n_forms && !rc; i++) {
		char sig[17];
		if (recompute[i])
			rc = st_recompute(s, fs, fs->forms[i], 0, NULL, login, why);
		calc_signature(fs, fs->forms[i], sig);
		sqlite3_stmt *st =
		    st_prepare(s, "UPDATE form_versions SET calc_signature = ? WHERE form = ?");
		sqlite3_bind_text(st, 1, sig, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, fs->forms[i]->id, -1, SQLITE_STATIC);
		if (!rc && sqlite3_step(st) != SQLITE_DONE)
			rc = st_fail(s, why, "empreinte des calculs");
		sqlite3_reset(st);
	}
	free(recompute);
	recompute = NULL;
	if (!rc && changes) {
		char now[32];
		time_now_iso(now, sizeof now);
		sqlite3_stmt *st = st_prepare(
		    s, "INSERT INTO audit_log(at, login, action, new_value) VALUES (?, ?, 'schema', ?)");
		char *what = xasprintf("%d changement(s) de formulaires appliqué(s)", changes);
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, login, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, what, -1, SQLITE_TRANSIENT);
		free(what);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = st_fail(s, why, "journal");
		sqlite3_reset(st);
	}
	free(recompute);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	/* The schema changed: statements prepared against the old tables must go. */
	rc = st_commit(s, why);
	forget_statements(s);
	return rc;
}

/* ------------------------------------------------------------ structure and users */

int st_audit(store *s, const char *login, const char *action, const char *uuid, const char *pseudo,
             const char *form_id, const char *fieldname, const char *old_value, const char *new_value,
             char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	sqlite3_stmt *st =
	    st_prepare(s, "INSERT INTO audit_log(at, login, action, entry_uuid, pseudonym, form, field, "
	                  "old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	const char *vals[] = {now, login, action, uuid, pseudo, form_id, fieldname, old_value, new_value};
	for (int i = 0; i < 9; i++)
		sqlite3_bind_text(st, i + 1, vals[i], -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "journal des modifications");
	sqlite3_reset(st);
	return rc;
}

int store_init_structure(store *s, const char *code, const char *name, const char *login, char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	sqlite3_stmt *st = st_prepare(s, "SELECT code FROM structure WHERE id = 1");
	if (sqlite3_step(st) == SQLITE_ROW) {
		set_why(why, "base déjà initialisée pour la structure %s",
		        (const char *)sqlite3_column_text(st, 0));
		sqlite3_reset(st);
		st_rollback(s);
		return EXIT_CANTCREAT;
	}
	sqlite3_reset(st);
	st = st_prepare(s, "INSERT INTO structure(id, code, name, created_at) VALUES (1, ?, ?, ?)");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "structure");
	sqlite3_reset(st);
	if (!rc) {
		st = st_prepare(
		    s, "INSERT INTO users(login, role, created_at, created_by) VALUES (?, 'admin', ?, ?) "
		       "ON CONFLICT(login) DO UPDATE SET role = 'admin'");
		sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, login, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "utilisateur");
		sqlite3_reset(st);
	}
	if (!rc)
		rc = st_audit(s, login, "init", NULL, NULL, NULL, NULL, NULL, code, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

bool store_structure(store *s, char code[64], char name[256])
{
	sqlite3_stmt *st = st_prepare(s, "SELECT code, name FROM structure WHERE id = 1");
	bool found = st && sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		if (code)
			snprintf(code, 64, "%s", (const char *)sqlite3_column_text(st, 0));
		if (name)
			snprintf(name, 256, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	if (st)
		sqlite3_reset(st);
	return found;
}

bool store_user_role(store *s, const char *login, char role[16])
{
	sqlite3_stmt *st = st_prepare(s, "SELECT role FROM users WHERE login = ?");
	if (!st)
		return false;
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	if (found)
		snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return found;
}

int store_user_add(store *s, const char *login, const char *role, const char *display_name, const char *by,
                   char **why)
{
	char now[32];
	time_now_iso(now, sizeof now);
	int rc = st_begin(s, why);
	if (rc)
		return rc;
	/* The old role goes to the audit trail ("saisie → admin", not "(vide) → admin"). */
	char old_role[16] = "";
	bool known = store_user_role(s, login, old_role);
	if (known && strcmp(old_role, "admin") == 0 && strcmp(role, "admin") != 0) {
		sqlite3_stmt *n = st_prepare(s, "SELECT count(*) FROM users WHERE role = 'admin'");
		int admins = n && sqlite3_step(n) == SQLITE_ROW ? sqlite3_column_int(n, 0) : 0;
		if (n)
			sqlite3_reset(n);
		if (admins <= 1) {
			set_why(
			    why,
			    "%s est le seul administrateur : inscrire d'abord un autre administrateur, sans "
			    "quoi plus personne ne pourrait gérer les utilisateurs",
			    login);
			st_rollback(s);
			return EXIT_DATAERR;
		}
	}
	sqlite3_stmt *st =
	    st_prepare(s, "INSERT INTO users(login, display_name, role, created_at, created_by) "
	                  "VALUES (?, ?, ?, ?, ?) ON CONFLICT(login) DO UPDATE SET role = excluded.role, "
	                  "display_name = CASE WHEN excluded.display_name = '' THEN display_name "
	                  "ELSE excluded.display_name END");
	sqlite3_bind_text(st, 1, login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, display_name ? display_name : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : st_fail(s, why, "ajout de l'utilisateur");
	sqlite3_reset(st);
	if (!rc)
		rc = st_audit(s, by, "user", NULL, NULL, NULL, login, known ? old_role : NULL, role, why);
	if (rc) {
		st_rollback(s);
		return rc;
	}
	return st_commit(s, why);
}

int store_user_list(store *s, FILE *out, char **why)
{
	sqlite3_stmt *st = st_prepare(s, "SELECT login, role, display_name FROM users ORDER BY login");
	if (!st)
		return st_fail(s, why, "liste des utilisateurs");
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++) {
			fputs_safe((const char *)sqlite3_column_text(st, i), out);
			fputc(i < 2 ? '\t' : '\n', out);
		}
	}
	sqlite3_reset(st);
	return 0;
}

char *store_admins(store *s)
{
	strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, "", 0);
	sqlite3_stmt *st = st_prepare(s, "SELECT login FROM users WHERE role = 'admin' ORDER BY login");
	while (st && sqlite3_step(st) == SQLITE_ROW)
		strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", (const char *)sqlite3_column_text(st, 0));
	if (st)
		sqlite3_reset(st);
	return strbuf_take(&sb);
}

/* ------------------------------------------------------------ patients */

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int crockford_value(char c)
{
	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	if (c == 'I' || c == 'L')
		c = '1';
	const char *p = c ? strchr(crockford, c) : NULL;
	return p ? (int)(p - crockford) : -1;
}

/* Pseudonyms: 7 random Crockford base32 symbols (35 bits) and a check symbol, so that a typo
 * in a pseudonym read over the phone is caught. */
static char check_symbol(const int v[7])
{
	int sum = 0;
	for (int i = 0; i < 7; i++)
		sum += (i + 1) * v[i];
	return crockford[sum % 31];
}

bool pseudonym_valid(const char *p)
{
	if (strlen(p) != 8)
		return false;
	int v[7];
	for (int i = 0; i < 7; i++)
		if ((v[i] = crockford_value(p[i])) < 0 || crockford[v[i]] != p[i])
			return false;
	return p[7] == check_symbol(v);
}

static void pseudonym_new(char out[16])
{
	unsigned char b[7];
	int v[7];
	util_random_bytes(b, sizeof b);
	for (int i = 0; i < 7; i++) {
		v[i] = b[i] & 31;
		out[i] = crockford[v[i]];
	}
	out[7] = check_symbol(v);
	out[8] = '\0';
}

int store_patient_create(store *s, const char *login, char pseudo[16], int64_t *id, char **why)
{
	char code[64] = "";
	char now[32];
	store_structure(s, code, NULL);
	time_now_iso(now, sizeof now);
	sqlite3_stmt *st = st_prepare(
	    s, "INSERT INTO patients(pseudonym, structure, created_at, created_by) VALUES (?, ?, ?, ?)");
	for (int attempt = 0; attempt < 20; attempt++) {
		pseudonym_new(pseudo);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, pseudo, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, login, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			*id = sqlite3_last_insert_rowid(s->db);
			sqlite3_reset(st);
			return st_audit(s, login, "patient", NULL, pseudo, NULL, NULL, NULL, "création", why);
		}
		if ((sqlite3_extended_errcode(s->db)) != SQLITE_CONSTRAINT_UNIQUE) {
			int code2 = st_fail(s, why, "création du patient");
			sqlite3_reset(st);
			return code2;
		}
	}
	sqlite3_reset(st);
	set_why(why, "impossible de tirer un pseudonyme libre");
	return EXIT_SOFTWARE;
}

/* Normalise a typed pseudonym into norm (upper case, I/L→1, O→0, no dashes or blanks);
 * false if it has a character outside the alphabet. */
static bool pseudonym_normalise(const char *typed, char norm[16])
{
	size_t n = 0;
	for (const char *p = typed; *p && n < 15; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		int v = crockford_value(*p);
		if (v < 0)
			return false;
		norm[n++] = crockford[v];
	}
	norm[n] = '\0';
	return true;
}

bool pseudonym_plausible(const char *typed)
{
	char norm[16];
	return pseudonym_normalise(typed, norm) && pseudonym_valid(norm);
}

int64_t store_patient_find(store *s, const char *typed, char pseudo[16])
{
	char norm[16];
	if (!pseudonym_normalise(typed, norm))
		return 0;
	sqlite3_stmt *st = st_prepare(s, "SELECT id, pseudonym FROM patients WHERE pseudonym = ?");
	sqlite3_bind_text(st, 1, norm, -1, SQLITE_STATIC);
	int64_t id = 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (pseudo)
			snprintf(pseudo, 16, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_reset(st);
	return id;
}
