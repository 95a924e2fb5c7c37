/* session.c — the person at work: who they are, what they opened, and what their role may see
 * and do (the one table of permissions, below). */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/privilege.h"
#include "session/session.h"

/* The roles, lowest first: the order of the "ou supérieur" of refusal messages. */
enum {
	R_SAISIE = 1 << 0,
	R_COORDINATION = 1 << 1,
	R_ADMIN = 1 << 2,
	R_ALL = R_SAISIE | R_COORDINATION | R_ADMIN
};
static const char *const role_names[] = {"saisie", "coordination", "admin"};

/* Who may what. saisie: the people who meet the patients; coordination: the regional
 * coordination, which checks and sends pseudonymised data and never sees who the patients are;
 * admin: everything. Deleting is for admin only: a mistaken entry is corrected, and a deletion
 * can only be undone by hand from the audit trail. */
static const unsigned may[PERM_COUNT] = {
    [PERM_READ] = R_ALL,
    [PERM_SEE_IDENTITY] = R_SAISIE | R_ADMIN,
    [PERM_EDIT_ENTRY] = R_ALL,
    [PERM_ACK_ALERT] = R_ALL,
    [PERM_DELETE_ENTRY] = R_ADMIN,
    [PERM_DELETE_PATIENT] = R_ADMIN,
    [PERM_EXPORT] = R_COORDINATION | R_ADMIN,
    [PERM_IMPORT] = R_COORDINATION | R_ADMIN,
    [PERM_REPORT] = R_COORDINATION | R_ADMIN,
    [PERM_BACKUP] = R_ADMIN,
    [PERM_ADMIN_USERS] = R_ADMIN,
    [PERM_ENROL] = R_ADMIN,
    [PERM_CHOOSE_FORMS] = R_ADMIN,
    [PERM_PUBLISH_FORMS] = R_COORDINATION | R_ADMIN,
    [PERM_INSTALL_FORMS] = R_ADMIN,
};

static unsigned role_bit(const char *role)
{
	for (unsigned i = 0; i < sizeof role_names / sizeof *role_names; i++)
		if (strcmp(role, role_names[i]) == 0)
			return 1u << i;
	return 0;
}

bool role_may(const char *role, perm p)
{
	return p < PERM_COUNT && (may[p] & role_bit(role)) != 0;
}

bool session_may(const session *s, perm p)
{
	return role_may(s->role, p);
}

const char *perm_lowest_role(perm p)
{
	for (unsigned i = 0; i < sizeof role_names / sizeof *role_names; i++)
		if (p < PERM_COUNT && (may[p] & (1u << i)))
			return role_names[i];
	return "admin";
}

/* The database and forms of a run without privilege: what the caller and their environment say. */
static void choose_own_files(session *s, const char *db_path, const char *forms_dir)
{
	s->db_path = db_path;
	if (!s->db_path) {
		const char *env = env_get("RECUEIL_DB");
		const char *xdg = env_get("XDG_DATA_HOME");
		const char *home = env_get("HOME");
		if (env && *env)
			s->db_path = env;
		else if (xdg && *xdg)
			s->db_path = s->default_db = xasprintf("%s/recueil/recueil.db", xdg);
		else
			s->db_path = s->default_db =
			    xasprintf("%s/.local/share/recueil/recueil.db", home && *home ? home : ".");
	}
	s->forms_dir = forms_dir;
	if (!s->forms_dir) {
		const char *env = env_get("RECUEIL_FORMS");
		s->forms_dir = env && *env ? env : NULL;
	}
}

int session_init(session *s, const char *db_path, const char *forms_dir, char **why)
{
	memset(s, 0, sizeof *s);
	if (db_path && !*db_path) {
		set_why(why, "--db : chemin de la base vide");
		return EXIT_USAGE;
	}
	if (priv_held()) {
		/* $RECUEIL_DB is read here only to be compared: naming another database gives the
		 * privilege up, it never chooses what is opened with it. */
		const char *env = getenv("RECUEIL_DB");
		const char *wanted = db_path ? db_path : env && *env ? env : NULL;
		if (!wanted || strcmp(wanted, SESSION_SHARED_DB) == 0) {
			s->shared = true;
			s->db_path = SESSION_SHARED_DB;
		} else if (!priv_drop()) {
			set_why(why, "abandon des droits du groupe refusé par le système : arrêt");
			return EXIT_SOFTWARE;
		}
	}
	if (!s->shared) {
		choose_own_files(s, db_path, forms_dir);
		/* Named without the privilege (the nightly backup runs with the group instead). */
		s->shared = strcmp(s->db_path, SESSION_SHARED_DB) == 0;
	}
	struct passwd *pw = getpwuid(getuid());
	snprintf(s->login, sizeof s->login, "%s", pw ? pw->pw_name : "inconnu");
	/* Test seam: act as another login (recueil-test only). */
	const char *as = test_seam("RECUEIL_AS_USER");
	if (as)
		snprintf(s->login, sizeof s->login, "%s", as);
	if (priv_held() && forms_dir) {
		set_why(
		    why,
		    "--forms refusé pour la base partagée %s : elle utilise les formulaires installés (%s) "
		    "ou ceux qu'un administrateur a choisis (« recueil forms use DOSSIER ») ; pour "
		    "vérifier des fichiers : « recueil forms check FICHIER… »",
		    SESSION_SHARED_DB, RECUEIL_FORMS_DIR);
		return EXIT_NOPERM;
	}
	return 0;
}

void session_login_from_sudo(session *s)
{
	const char *sudo = getuid() == 0 ? getenv("SUDO_USER") : NULL;
	if (s->shared && sudo && *sudo && strcmp(sudo, "root") != 0 && getpwnam(sudo))
		snprintf(s->login, sizeof s->login, "%s", sudo);
}

/* store_open of the database of s, with the group privilege for the shared one. */
static int open_store(session *s, enum store_open_mode mode, char **why)
{
	int rc = 0;
	if (!priv_raise()) {
		set_why(why, "%s : droits du groupe refusés par le système", s->db_path);
		return EXIT_SOFTWARE;
	}
	s->db = store_open(s->db_path, mode, why, &rc);
	priv_lower();
	return s->db ? 0 : rc;
}

void session_done(session *s)
{
	/* The last one out checkpoints the WAL and removes -wal and -shm: in the directory only
	 * the program's group may write to. */
	if (s->db && priv_raise()) {
		store_close(s->db);
		priv_lower();
	} else {
		store_close(s->db);
	}
	s->db = NULL;
	formset_free(s->fs);
	s->fs = NULL;
	free(s->default_db);
	s->default_db = NULL;
	free(s->recorded_forms);
	s->recorded_forms = NULL;
}

const char *session_forms_dir(session *s)
{
	if (s->forms_dir)
		return s->forms_dir;
	/* The directory an admin recorded (forms use); none, or no database yet: the built-in one. */
	if (session_peek_store(s))
		s->recorded_forms = store_setting(s->db, "forms_dir");
	s->forms_dir = s->recorded_forms ? s->recorded_forms : RECUEIL_FORMS_DIR;
	return s->forms_dir;
}

bool session_peek_store(session *s)
{
	char *why = NULL;
	if (!s->db)
		open_store(s, STORE_OPEN_EXISTING, &why);
	free(why);
	return s->db != NULL;
}

int session_load_forms(session *s, char **why)
{
	if (s->fs)
		return 0;
	char *errors = NULL;
	const char *dir = session_forms_dir(s);
	s->fs = formset_load_dir(dir, &errors);
	if (s->fs) {
		free(errors);
		return 0;
	}
	if (why)
		*why = errors ? errors : xasprintf("%s : formulaires illisibles", dir);
	else
		free(errors);
	return EXIT_DATAERR;
}

bool session_check(session *s, perm p, const char *what)
{
	if (session_may(s, p))
		return true;
	char *line =
	    xasprintf("« %s » réservé au rôle %s (rôle %s)", what ? what : "?", perm_lowest_role(p), s->role);
	store_log_refusal(s->db, s->login, line);
	free(line);
	return false;
}

int session_open_store(session *s, perm p, char **why)
{
	int rc;
	if (!s->db && (rc = open_store(s, STORE_OPEN_EXISTING, why)))
		return rc;
	bool registered = store_user_role(s->db, s->login, s->role);
	if (!registered && s->shared && getuid() == 0) {
		/* root reads the shared file whatever its role says: refusing it would protect
		 * nothing, and would stop the nightly backup and the repair of a lost admin. */
		snprintf(s->role, sizeof s->role, "admin");
		registered = true;
	}
	if (!registered) {
		store_log_refusal(s->db, s->login, "accès d'un utilisateur non inscrit");
		char *admins = store_admins(s->db);
		set_why(why,
		        "utilisateur « %s » non inscrit dans cette base : demander à un administrateur (%s) "
		        "de lancer « recueil user add %s --role saisie »",
		        s->login, *admins ? admins : "aucun", s->login);
		free(admins);
		return EXIT_NOPERM;
	}
	if (!session_check(s, p, s->command)) {
		set_why(why,
		        "action réservée au rôle %s ou supérieur (vous êtes %s) : demander à un "
		        "administrateur",
		        perm_lowest_role(p), s->role);
		return EXIT_NOPERM;
	}
	return 0;
}

int session_open(session *s, perm p, char **why)
{
	int rc = session_load_forms(s, why);
	if (!rc)
		rc = session_open_store(s, p, why);
	if (!rc)
		rc = session_sync_forms(s, NULL, why);
	return rc;
}

int session_create_store(session *s, char **why)
{
	if (s->db)
		return 0;
	if (s->shared && getuid() != 0) {
		struct stat st;
		priv_raise();
		bool exists = stat(s->db_path, &st) == 0;
		priv_lower();
		if (!exists) {
			set_why(
			    why,
			    "%s : la base partagée n'existe pas encore ; elle se crée une fois, en root : "
			    "« sudo recueil init --shared --structure CODE »",
			    s->db_path);
			return EXIT_NOPERM;
		}
	}
	return open_store(s, STORE_OPEN_CREATE, why);
}

int session_sync_forms(session *s, char **loosened, char **why)
{
	int rc = store_sync_forms(s->db, s->fs, s->login, why);
	return rc ? rc : store_identity_flags(s->db, s->fs, s->login, true, loosened, why);
}

bool session_shows_field(const session *s, const field *fd)
{
	return !fd->identifier || session_may(s, PERM_SEE_IDENTITY);
}

char *session_summary(const session *s, const record *r, const char *lang)
{
	return session_may(s, PERM_SEE_IDENTITY) ? record_summary(r, lang) : record_summary_masked(r, lang);
}

int session_patient_add(session *s, const record *r, const confirmation *conf, size_t n_conf,
                        entry_meta *meta, char **why)
{
	int rc = store_batch_begin(s->db, why);
	if (rc)
		return rc;
	rc = store_patient_create(s->db, s->login, meta->pseudonym, &meta->patient_id, why);
	if (!rc)
		rc = store_entry_save(s->db, r, meta, false, conf, n_conf, s->login, why);
	char *end_why = NULL;
	int end = store_batch_end(s->db, rc == 0, &end_why);
	if (!rc && end) {
		rc = end;
		if (why)
			*why = end_why;
		else
			free(end_why);
	} else {
		free(end_why);
	}
	if (rc) {
		/* Rolled back: the pseudonym drawn and the ids name nothing. */
		meta->patient_id = 0;
		meta->id = 0;
	}
	return rc;
}
