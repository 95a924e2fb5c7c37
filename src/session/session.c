/* session.c — the person at work: who they are, what they opened, and what their role may see
 * and do (the one table of permissions, below). */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

void session_init(session *s, const char *db_path, const char *forms_dir)
{
	memset(s, 0, sizeof *s);
	s->db_path = db_path;
	if (!s->db_path) {
		const char *env = getenv("RECUEIL_DB");
		const char *xdg = getenv("XDG_DATA_HOME");
		const char *home = getenv("HOME");
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
		const char *env = getenv("RECUEIL_FORMS");
		s->forms_dir = env && *env ? env : RECUEIL_FORMS_DIR;
	}
	struct passwd *pw = getpwuid(geteuid());
	snprintf(s->login, sizeof s->login, "%s", pw ? pw->pw_name : "inconnu");
#ifdef RECUEIL_TEST_SEAMS
	/* Test seam: act as another login (builds with RECUEIL_TEST_SEAMS only). */
	const char *as = getenv("RECUEIL_AS_USER");
	if (as && *as)
		snprintf(s->login, sizeof s->login, "%s", as);
#endif
}

void session_done(session *s)
{
	store_close(s->db);
	s->db = NULL;
	formset_free(s->fs);
	s->fs = NULL;
	free(s->default_db);
	s->default_db = NULL;
}

int session_load_forms(session *s, char **why)
{
	if (s->fs)
		return 0;
	char *errors = NULL;
	s->fs = formset_load_dir(s->forms_dir, &errors);
	if (s->fs) {
		free(errors);
		return 0;
	}
	if (why)
		*why = errors ? errors : xasprintf("%s : formulaires illisibles", s->forms_dir);
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
	if (!s->db && !(s->db = store_open(s->db_path, STORE_OPEN_EXISTING, why, &rc)))
		return rc;
	if (!store_user_role(s->db, s->login, s->role)) {
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
		rc = store_sync_forms(s->db, s->fs, s->login, why);
	return rc;
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
