/* session.h — the person at work, below both the commands and the screens: the forms and the
 * database they opened, their Unix login and role, and the one table of what each role may see
 * and do (session_may).
 *
 * Functions that can fail return 0 or a sysexits code with *why set to a one-line French
 * message (caller frees): the command line prints it, the full-screen interface shows it. Nothing
 * here writes to the terminal. */
#ifndef RECUEIL_SESSION_H
#define RECUEIL_SESSION_H

#include <stdbool.h>

#include "core/form.h"
#include "core/record.h"
#include "core/util.h"
#include "store/store.h"

typedef struct {
	const char *db_path;   /* the shared database (shared), else --db, $RECUEIL_DB or the XDG default */
	const char *forms_dir; /* --forms or $RECUEIL_FORMS; NULL until session_forms_dir decides */
	bool shared;           /* db_path is the shared database (SESSION_SHARED_DB, core/privilege.h) */
	char login[64];        /* the Unix login running the program (the real user id) */
	char role[16];         /* their role once the database is open, "" before */
	formset *fs;           /* the forms, once loaded */
	store *db;             /* the database, once open */
	char *default_db;      /* storage for the XDG default path */
	char *recorded_forms;  /* storage for the forms directory recorded in the database */
	const char *command;   /* "entry add": for messages and the audit trail; NULL in the interface */
} session;

/* The shared database of an installed recueil, and the directory of its nightly backups. */
#define SESSION_SHARED_DB      RECUEIL_SHARED_DIR "/recueil.db"
#define SESSION_SHARED_BACKUPS RECUEIL_SHARED_DIR "/sauvegardes"

/* What a role may see or do. The table in session.c says which roles may; the README's
 * "Roles" paragraph says the same in words. */
typedef enum {
	PERM_READ,           /* open the database: lists, entries without identity, log, alerts */
	PERM_SEE_IDENTITY,   /* see identity fields (identifier: true: names, phone, notes) */
	PERM_EDIT_ENTRY,     /* create patients, add and change entries */
	PERM_ACK_ALERT,      /* acknowledge a clinical alert */
	PERM_DELETE_ENTRY,   /* delete an entry */
	PERM_DELETE_PATIENT, /* erase a patient and everything about them */
	PERM_EXPORT,         /* write the archive of a period */
	PERM_IMPORT,         /* merge structures' archives */
	PERM_REPORT,         /* the activity report */
	PERM_BACKUP,         /* a copy of the whole database, identities included */
	PERM_ADMIN_USERS,    /* register users and their role */
	PERM_ENROL,          /* in a regional database, enrol a structure and its public key */
	PERM_CHOOSE_FORMS,   /* choose the forms directory of the database (forms use) */
	PERM_PUBLISH_FORMS,  /* sign and publish the forms as the network's bundle */
	PERM_INSTALL_FORMS,  /* trust the coordination's key, install a bundle of forms, roll it back */
	PERM_COUNT
} perm;

/* Fill s for a run of the program: the database, the forms directory and the login of the real
 * user id ($RECUEIL_AS_USER instead in recueil-test). db_path (--db) and forms_dir (--forms) may
 * be NULL; both are borrowed. Opens nothing; session_done releases what it sets.
 *
 * A setgid recueil (priv_held) opens the shared database, SESSION_SHARED_DB, when db_path and
 * $RECUEIL_DB name no other one; it then trusts nothing from the environment, and refuses
 * --forms with EXIT_NOPERM: the forms are those the administrator recorded (forms use) or the
 * installed ones. For any other database it drops its privilege for good first, and then
 * behaves as an ordinary program: the database is db_path, else $RECUEIL_DB, else
 * $XDG_DATA_HOME/recueil/recueil.db or ~/.local/share/recueil/recueil.db; the forms are
 * forms_dir, else $RECUEIL_FORMS, else the recorded ones, else the built-in ones. Returns 0, or
 * an exit code with *why. */
int session_init(session *s, const char *db_path, const char *forms_dir, char **why);

/* The forms directory of the session: --forms or $RECUEIL_FORMS when given (and allowed), else
 * the one recorded in the database (which this may open to read it), else the built-in one.
 * Borrowed from s. */
const char *session_forms_dir(session *s);

/* Close the database and free the forms; safe to call twice. */
void session_done(session *s);

/* Open the database of s if it can be opened, without the forms and without checking who asks:
 * for what the database says of the forms (forms check). Returns whether it is open; on failure
 * nothing is said. */
bool session_peek_store(session *s);

/* Load the forms of session_forms_dir if not yet loaded. On failure returns EXIT_DATAERR and *why
 * holds every problem, one per line ("FILE:LINE:COL: message"). */
int session_load_forms(session *s, char **why);

/* Open the existing database without the forms (a backup must work when they do not load) and
 * check that the login is registered and that its role may p (root, unregistered, is an admin
 * of the shared database: it can read the file anyway). An unregistered login or a
 * refusal is written to the audit trail and returns EXIT_NOPERM with a message naming who can
 * help. s->db stays open on refusal (the caller's session_done closes it). */
int session_open_store(session *s, perm p, char **why);

/* session_load_forms, session_open_store, then session_sync_forms. What the command line and
 * the interface call before any work. */
int session_open(session *s, perm p, char **why);

/* Open the database of s, creating the file if it does not exist (recueil init, demo). The
 * shared database is created by root only (sudo recueil init --shared): a user of the machine
 * who would create it would make themselves its administrator. */
int session_create_store(session *s, char **why);

/* Bring the database's tables in line with the forms (store_sync_forms), then the identity flags
 * of the forms in line with those the database recorded (store_identity_flags: *loosened, when
 * not NULL, gets what a form file tried to loosen; caller frees). */
int session_sync_forms(session *s, char **loosened, char **why);

/* For the creation of the shared database by root through sudo: the person who ran sudo (in
 * $SUDO_USER, a login of this machine) becomes its administrator instead of root. Does nothing
 * for any other caller. */
void session_login_from_sudo(session *s);

/* Whether role (a role name; "" or unknown: none) may p. */
bool role_may(const char *role, perm p);

/* Whether the person of s may p (false before the database is open). */
bool session_may(const session *s, perm p);

/* The lowest role that may p; the roles above it may too for every p but PERM_SEE_IDENTITY,
 * which the regional coordination lacks. For refusal messages. */
const char *perm_lowest_role(perm p);

/* Whether the person may p; if not, the refusal is written to the audit trail as
 * "« what » réservé au rôle R (rôle X)". For actions chosen after the session is open. */
bool session_check(session *s, perm p, const char *what);

/* The field as the person may see it: false for an identity field (identifier: true) when the
 * role may not see identity, true otherwise. */
bool session_shows_field(const session *s, const field *fd);

/* The one-line summary of r (record_summary) as the person may see it: the values of identity
 * fields become "…" for a role that may not see them. Caller frees. */
char *session_summary(const session *s, const record *r, const char *lang);

/* Create a patient with a fresh pseudonym and save r, a record of the patient form, as their
 * own record: both or neither. conf (n_conf items, may be NULL) are the reasons given for soft
 * warnings. On success meta holds the pseudonym, the patient and the entry; on failure its ids
 * are reset to 0 and *why says what failed. */
int session_patient_add(session *s, const record *r, const confirmation *conf, size_t n_conf,
                        entry_meta *meta, char **why);

#endif
