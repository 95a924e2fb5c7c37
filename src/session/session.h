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
	const char *db_path;   /* --db, $RECUEIL_DB, or the XDG default */
	const char *forms_dir; /* --forms, $RECUEIL_FORMS, or the built-in default */
	char login[64];        /* the Unix login running the program */
	char role[16];         /* their role once the database is open, "" before */
	formset *fs;           /* the forms, once loaded */
	store *db;             /* the database, once open */
	char *default_db;      /* storage for the XDG default path */
	const char *command;   /* "entry add": for messages and the audit trail; NULL in the interface */
} session;

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
	PERM_PUBLISH_FORMS,  /* sign and publish the forms as the network's bundle */
	PERM_INSTALL_FORMS,  /* trust the coordination's key, install a bundle of forms, roll it back */
	PERM_COUNT
} perm;

/* Fill s for a run of the program: the database path (db_path, else $RECUEIL_DB, else
 * $XDG_DATA_HOME/recueil/recueil.db or ~/.local/share/recueil/recueil.db), the forms directory
 * (forms_dir, else $RECUEIL_FORMS, else the built-in one) and the login of the effective user
 * ($RECUEIL_AS_USER instead in builds with test seams). db_path and forms_dir are borrowed. Opens
 * nothing; session_done releases what it sets. */
void session_init(session *s, const char *db_path, const char *forms_dir);

/* Close the database and free the forms; safe to call twice. */
void session_done(session *s);

/* Load the forms of s->forms_dir if not yet loaded. On failure returns EXIT_DATAERR and *why
 * holds every problem, one per line ("FILE:LINE:COL: message"). */
int session_load_forms(session *s, char **why);

/* Open the existing database without the forms (a backup must work when they do not load) and
 * check that the login is registered and that its role may p. An unregistered login or a
 * refusal is written to the audit trail and returns EXIT_NOPERM with a message naming who can
 * help. s->db stays open on refusal (the caller's session_done closes it). */
int session_open_store(session *s, perm p, char **why);

/* session_load_forms, session_open_store, then bring the database's tables in line with the
 * forms. What the command line and the interface call before any work. */
int session_open(session *s, perm p, char **why);

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
