/* store.h — the SQLite file: opening with the right pragmas, migrations, per-form tables,
 * users, patients, entries and their audit trail.
 *
 * Every write runs in its own short BEGIN IMMEDIATE transaction; no transaction is ever held
 * while a person types. Functions that can fail return 0 on success or a sysexits code, with
 * *why set to a one-line French message (caller frees). */
#ifndef RECUEIL_STORE_H
#define RECUEIL_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/form.h"
#include "core/minisign.h"
#include "core/forms_bundle.h"
#include "core/util.h"
#include "core/record.h"

typedef struct store store;
struct sqlite3;

/* The fixed PRAGMA application_id of recueil databases ("RCL1"). */
#define STORE_APPLICATION_ID 0x52434C31

enum store_open_mode {
	STORE_OPEN_EXISTING, /* the file must exist and be a recueil database */
	STORE_OPEN_CREATE,   /* create it (mode 0600, or 0660 in a setgid group directory) if absent */
};

/* Open (and migrate) the database at path. Returns NULL with *why and *code set. */
store *store_open(const char *path, enum store_open_mode mode, char **why, int *code);
void store_close(store *s); /* NULL is fine */
struct sqlite3 *store_db(store *s);
int store_schema_version(void); /* the newest migration this program knows */

/* Create or extend the per-form tables so that they match the forms: new fields get a column,
 * removed fields keep theirs, an incompatible type change is refused (naming FILE:LINE:COL). */
int store_sync_forms(store *s, const formset *fs, const char *login, char **why);
/* The checks of store_sync_forms without changing anything: whether the tables could take the
 * forms fs (no field whose storage type changes, no form older than the entries stored). */
int store_check_forms(store *s, const formset *fs, char **why);

/* Group many saves into one transaction (the demo generator, imports): each save inside is a
 * savepoint, so one failed save leaves the others. store_batch_end commits when keep is true,
 * rolls everything back otherwise. */
int store_batch_begin(store *s, char **why);
int store_batch_end(store *s, bool keep, char **why);

/* ---- structure and users */
int store_init_structure(store *s, const char *code, const char *name, const char *login, char **why);
/* The same for a regional (or national) database: it imports the archives of the structures it
 * enrols and has no patients of its own (store_is_region). */
int store_init_region(store *s, const char *code, const char *name, const char *login, char **why);
/* Copies the structure code and name (either may be NULL); returns false if not initialised. */
bool store_structure(store *s, char code[64], char name[256]);
/* Role of login ("saisie", "coordination", "admin") into role; false if not registered. */
bool store_user_role(store *s, const char *login, char role[16]);
int store_user_add(store *s, const char *login, const char *role, const char *display_name, const char *by,
                   char **why);
/* Print "login<TAB>role<TAB>display name" lines. */
int store_user_list(store *s, FILE *out, char **why);
/* Logins of the admins, comma-separated, for "ask X to add you" messages; caller frees. */
char *store_admins(store *s);

/* ---- trust (trust.c): the database's signing key, its kind, the structures a region enrols
 *
 * Every database has an Ed25519 key pair in minisign's formats (core/minisign.h): made by init,
 * or by store_open for a database of an older version. Its exports' manifests are signed with
 * it; a regional database checks each archive against the public key it enrolled for the
 * archive's structure. */

/* Whether this is a regional database (store_init_region); false before init. */
bool store_is_region(store *s);

/* EXIT_USAGE with *why ("what : refusé dans une base régionale …") in a regional database, which
 * has no patients of its own (creating a patient or an entry there is refused); 0 elsewhere. */
int store_refuse_in_region(store *s, const char *what, char **why);

/* The database's key pair, or NULL with *why when it has none or the stored one is damaged.
 * Caller frees with minisign_seckey_free (the key lives in locked memory). */
minisign_seckey *store_signing_key(store *s, char **why);

/* The public half of the database's key into out. Returns 0, or an exit code with *why. */
int store_signing_pubkey(store *s, minisign_pubkey *out, char **why);

/* What store_enrol did. */
typedef struct {
	bool added;          /* the structure was not enrolled */
	bool replaced;       /* it was, with another key, now replaced */
	bool unchanged;      /* it was, with this very key: nothing done */
	char old_key_id[17]; /* the key id enrolled before, when there was one */
} enrol_result;

/* In a regional database, enrol structure code with public key pk (a new structure, or a new
 * key for one enrolled before when replace is true: a structure that changed machine). The
 * enrolment and a replacement are written to the audit trail. Refused: a database that is not
 * regional (EXIT_USAGE), a code enrolled with another key without replace (EXIT_DATAERR). */
int store_enrol(store *s, const char *code, const minisign_pubkey *pk, bool replace, const char *login,
                enrol_result *res, char **why);

/* The public key enrolled for code into out; false when code is not enrolled. */
bool store_enrolled_key(store *s, const char *code, minisign_pubkey *out);
/* ---- the forms of the network (forms_log.c): recueil forms trust, publish, install, rollback */

#define STORE_PUBKEY_MAX      64 /* room for the base64 line of a minisign public key */
#define STORE_FINGERPRINT_MAX 32

/* Record the coordination's public key (the base64 line of a minisign public key) and its
 * fingerprint, replacing the one recorded before; one line in the audit trail. */
int store_forms_trust_set(store *db, const char *public_key, const char *fingerprint, const char *login,
                          char **why);
/* The coordination's public key and fingerprint, copied; false when none is recorded. */
bool store_forms_trust_get(store *db, char public_key[STORE_PUBKEY_MAX],
                           char fingerprint[STORE_FINGERPRINT_MAX]);

/* The version of the bundle published or installed here (and not rolled back) whose forms have
 * this digest, the latest one; 0 when none (forms made or edited here). */
long store_forms_version_of(store *db, const char *digest);
/* The forms the network should be using, as this database knows them: the version and digest of
 * the latest bundle published or installed here and not rolled back. false when none. */
bool store_forms_reference(store *db, long *version, char digest[65]);
/* The highest version recorded for action ("publish", "install"; NULL: either), not rolled
 * back; 0 when none. */
long store_forms_latest_version(store *db, const char *action);

/* Record that the bundle (version, digest of its forms) was published from forms_dir. */
int store_forms_published(store *db, long version, const char *digest, const char *forms_dir,
                          const char *login, char **why);
/* Record that the bundle (version, digest) is being installed into forms_dir, with previous,
 * the forms files it replaces, kept byte for byte for rollback; *id gets the record. Recorded
 * before the files are written, so that what they replace is never lost. */
int store_forms_installed(store *db, long version, const char *digest, const char *forms_dir,
                          const bundle_files *previous, const char *login, int64_t *id, char **why);
/* Remove the record of install id, whose files could not be written (they were put back). */
int store_forms_install_forget(store *db, int64_t id, char **why);

/* A row of the log of bundles. */
typedef struct {
	int64_t id;
	long version;
	char digest[65];
	char forms_dir[4096];
	char at[32];
	char login[64];
} forms_bundle_row;

/* The latest install not rolled back into *row, and the forms files it replaced into previous
 * (appended; the caller frees with bundle_files_done). EXIT_NOINPUT with *why when there is
 * none. */
int store_forms_last_install(store *db, forms_bundle_row *row, bundle_files *previous, char **why);
/* Record that install install_id was rolled back: the forms put back into forms_dir (fs, whose
 * files have this digest and are those of bundle version, 0 when none) become those the tables
 * know, the database's form versions brought down to theirs. Refused with EXIT_DATAERR, nothing
 * changed, when entries were saved with a newer version of a form than fs has. */
int store_forms_rolled_back(store *db, int64_t install_id, long version, const char *digest,
                            const char *forms_dir, const formset *fs, const char *login, char **why);

/* ---- patients */
/* Create a patient with a fresh random pseudonym (written into pseudo). */
int store_patient_create(store *s, const char *login, char pseudo[16], int64_t *id, char **why);
/* Normalise a typed pseudonym (case, I/L→1, O→0, dashes) and find the patient; 0 if none. */
int64_t store_patient_find(store *s, const char *typed, char pseudo[16]);
bool pseudonym_valid(const char *p); /* checks length, alphabet and check character */
/* pseudonym_valid after the normalisation store_patient_find applies (case, I/L, O, dashes). */
bool pseudonym_plausible(const char *typed);

/* ---- entries */
typedef struct {
	char uuid[37];
	int64_t id;         /* rowid; 0 for an entry not saved yet */
	int64_t patient_id; /* 0 for an entry of a structure's form (scope: structure) */
	char pseudonym[16]; /* "" then */
	/* The structure an entry of a structure's form belongs to; "" for a patient's entry (its
	 * structure is its patient's). A new one left "" is saved as this database's structure. */
	char structure[64];
	char form[64];
	int form_version;
	char date[11];
	char status[12]; /* draft, incomplete, complete */
	char author[64];
	char created_at[32], updated_at[32];
	int64_t row_version;
	int64_t alert_raised; /* after store_entry_save: a clinical alert it raised (its id), or 0 */
	/* When the patient answered it alone on the screen (a self-assessment, ISO time), "" when a
	 * professional typed it. Set it before store_entry_save to record it: the entry keeps the
	 * first one, with its line in the audit trail (field STORE_SELF_FILLED_FIELD). */
	char self_filled_at[32];
} entry_meta;

/* The audit trail's field name for "filled by the patient on the screen". */
#define STORE_SELF_FILLED_FIELD "rempli_par_le_patient"

typedef struct {
	size_t field;
	const char *reason;
} confirmation;

/* Insert (meta->id == 0) or update an entry. The status is computed: draft if want_draft,
 * incomplete when required answers are missing, complete otherwise. Hidden fields are stored
 * empty. An update whose meta->row_version is not the stored one is refused with
 * EXIT_TEMPFAIL and *why says who changed it and when (nothing is overwritten). On success
 * meta is updated (uuid, id, status, row_version, timestamps). Soft warnings are recorded with
 * their reason when one is given in confirms, as unconfirmed otherwise. A hard rule broken, or
 * an entry date that cannot be (record_date_problem), is refused with EXIT_DATAERR. */
int store_entry_save(store *s, const record *r, entry_meta *meta, bool want_draft,
                     const confirmation *confirms, size_t n_confirms, const char *login, char **why);

/* Call fn(ctx, field id, reason) for each soft warning of entry entry_id saved with a
 * confirmation reason (strings borrowed for the call). Returns 0, or an exit code with *why. */
int store_entry_reasons(store *s, int64_t entry_id,
                        void (*fn)(void *ctx, const char *field, const char *reason), void *ctx, char **why);

/* Load an entry by uuid (or a unique prefix of at least 6 characters). Returns the record
 * (caller frees) with meta filled, or NULL with *why and *code. */
record *store_entry_load(store *s, const formset *fs, const char *uuid, entry_meta *meta, char **why,
                         int *code);

/* The patient's own record (form "patient"), for patient.<field> in expressions; NULL if the
 * patient has none. Caller frees. */
record *store_patient_record(store *s, const formset *fs, int64_t patient_id);

/* The uuid of the patient's entry of a once-only form, into uuid; false if none. */
bool store_once_entry(store *s, int64_t patient_id, const char *form, char uuid[37]);

/* Delete an entry, recording each old value (identifiers masked) in the audit trail. */
int store_entry_delete(store *s, const formset *fs, const char *uuid, const char *login, char **why);

/* Call fn for each entry of a patient, by date then creation. */
int store_entry_each(store *s, int64_t patient_id, void (*fn)(void *ctx, const entry_meta *m), void *ctx,
                     char **why);
/* Call fn for each entry of form form_id, every patient's or every structure's, by date then
 * creation (the list of a structure's form such as the team meetings). fn may use the store: the
 * rows are read first. Returns 0, or an exit code with *why (caller frees). */
int store_entry_each_form(store *s, const char *form_id, void (*fn)(void *ctx, const entry_meta *m),
                          void *ctx, char **why);

/* ---- clinical alerts */
typedef struct {
	int64_t id;
	char level[12]; /* info, attention, urgent */
	char rule[64];
	char *message; /* borrowed for the callback */
	char raised_at[32], raised_by[64];
	char acknowledged_at[32], acknowledged_by[64]; /* "" while open */
	char entry_uuid[37], pseudonym[16], form[64], date[11];
} alert_info;

/* Call fn for the alerts of one patient (patient_id 0: all patients), open ones only unless
 * all; most urgent and most recent first. */
int store_alert_each(store *s, int64_t patient_id, bool all, void (*fn)(void *ctx, const alert_info *a),
                     void *ctx, char **why);
/* Number of open alerts (patient_id 0: all patients). */
int64_t store_alert_open_count(store *s, int64_t patient_id);
/* The same, with the number of urgent ones in *urgent (may be NULL): two counts, no rows loaded. */
int64_t store_alert_open_counts(store *s, int64_t patient_id, int64_t *urgent);
/* Acknowledge an open alert: who and when are recorded, with an optional note. */
int store_alert_ack(store *s, int64_t id, const char *login, const char *note, char **why);

/* ---- checks */
/* Check integrity, foreign keys, schema version and that per-form tables, entries and forms
 * agree; print one line per check (and each problem) to out. 0 when all hold, else
 * EXIT_DATAERR. */
int store_check(store *s, const formset *fs, FILE *out);

/* ---- audit trail */
/* Record in the audit trail that login was refused an action (what: French, one line). */
void store_log_refusal(store *s, const char *login, const char *what);

/* Print the audit trail since a day (YYYY-MM-DD, or NULL for all) in reading order. */
int store_log_print(store *s, const char *since, FILE *out, char **why);

/* ---- what the database keeps about its installation (install.c, schema/011_install.sql) */
/* Bring the identity flags of fs (identifier: true, export: false) in line with those the
 * database recorded for each stored field, after store_sync_forms. With keep: a field seen
 * for the first time has its flags recorded, and a flag the forms tighten is recorded too, with
 * a line in the audit trail by login (without keep, nothing is written: forms check). A flag
 * the forms loosen is ignored: the field of fs gets the recorded one, and *loosened (when not
 * NULL; caller frees) gets a line "FILE:LINE:COL: message" for it (NULL when there is none).
 * Then calculated fields computed from identity become identity too
 * (formset_identity_closure). Returns 0, or an exit code with *why. */
int store_identity_flags(store *s, formset *fs, const char *login, bool keep, char **loosened, char **why);

/* The value of a setting of the database (the "settings" table), or NULL when it has none.
 * Caller frees. */
char *store_setting(store *s, const char *key);

/* Set (value not NULL) or remove a setting, with a line in the audit trail by login. */
int store_setting_set(store *s, const char *key, const char *val, const char *login, char **why);

/* ---- export, backup (export_data.c) */
/* A read transaction: every read until store_read_end sees one snapshot of the database, even
 * while others save entries (WAL). Never held while a person types. */
int store_read_begin(store *s, char **why);
void store_read_end(store *s);

/* A write transaction of the caller's (BEGIN IMMEDIATE), for a step that must commit together
 * with something outside the database (the export log and the rename of the archive). */
int store_write_begin(store *s, char **why);
int store_write_commit(store *s, char **why);
void store_write_rollback(store *s);

/* One row of a form's export. Every pointer is borrowed for the duration of the callback. */
typedef struct {
	const char *structure; /* the code of the patient's structure, or of the structure's entry */
	const char *uuid, *date, *status;
	const char *pseudonym; /* NULL for an entry of a structure's form (scope: structure) */
	int form_version;
	const char *const *values; /* one per requested field: stored code, missing code, or NULL */
	int64_t row_version;       /* the entry's row version and last change, for imports */
	const char *updated_at;
} export_row;

/* Call fn for each entry of form f that is not a draft and is dated on or before last
 * (YYYY-MM-DD), or whatever its date with any_date (the patient's own record, a form of
 * cardinality once, describes the patient rather than an event), by date then creation: the
 * form's part of a snapshot of the database at the end of a period, every structure's patients
 * included. fields are indexes into f->fields (no notes). Values come as stored: integers in decimal, reals
 * with the field's decimals, missing codes as ".refus"…. fn returns 0 to go on; any other value stops the
 * walk and is returned. Streams: memory stays flat. */
int store_export_rows(store *s, const form *f, const size_t *fields, size_t n_fields, const char *last,
                      bool any_date, int (*fn)(void *ctx, const export_row *row), void *ctx, char **why);

/* One clinical alert of an export: what the report counts, never its text, a login or a note.
 * Every pointer is borrowed for the duration of the callback. */
typedef struct {
	const char *structure, *entry_uuid, *rule, *level, *raised_at;
	const char *acknowledged_at; /* NULL while open */
} export_alert;

/* Call fn for each alert raised on an entry that is not a draft and is dated on or before last
 * or is of one of the forms any_date lists (NULL-terminated, may be NULL), by the entry's date,
 * then creation, then rule: the alerts of the entries store_export_rows gives. fn returns 0 to
 * go on; any other value stops the walk and is returned. Returns 0, or an exit code with *why
 * set (caller frees). */
int store_export_alerts(store *s, const char *last, const char *const *any_date,
                        int (*fn)(void *ctx, const export_alert *a), void *ctx, char **why);

/* How many entries of each form are dated in [first, last] (drafts included), as fn(ctx, form
 * id, count): an estimate read from the (form, date) index alone, to order the export's work.
 * Returns 0, or an exit code with *why set (caller frees). */
int store_export_form_sizes(store *s, const char *first, const char *last,
                            void (*fn)(void *ctx, const char *form, int64_t n), void *ctx, char **why);

/* What is not ready for export in [first, last]: drafts, incomplete entries and soft warnings
 * saved without a confirmation reason (field and rule then given; NULL otherwise), then the
 * structure's own patients whose data the snapshot at last holds and who were never informed
 * (STORE_ISSUE_UNINFORMED: only pseudonym, patient_id and date, their first entry's, are set).
 * Patients opposed to the evaluation are left out: nothing of theirs is exported. */
enum { STORE_ISSUE_DRAFT, STORE_ISSUE_INCOMPLETE, STORE_ISSUE_UNCONFIRMED, STORE_ISSUE_UNINFORMED };
int store_export_issues(store *s, const char *first, const char *last,
                        void (*fn)(void *ctx, int kind, const entry_meta *m, const char *field,
                                   const char *rule),
                        void *ctx, char **why);

typedef struct {
	int64_t sequence;
	char export_id[37];
	char period[64];
	char created_at[32];
	/* Where the export stood in the database's history (store_export_marks); -1 for an export
	 * logged before they were kept. */
	int64_t entry_mark, audit_mark;
} export_log_entry;

/* The marks of the database's history that a read snapshot sees: the largest entry id and the
 * largest audit line id (0 when none). Inside store_read_begin … store_read_end, they say
 * exactly what an export read. Returns 0, or an exit code with *why. */
int store_export_marks(store *s, int64_t *entry_mark, int64_t *audit_mark, char **why);

/* Changes to the entries dated in [first, last] since the export since: entries edited (there
 * before it), added (created after it) and deleted (from the audit trail; m then has uuid,
 * pseudonym, form and date only). With the export's marks, an edit is an audit line after its
 * audit mark (an alert's acknowledgement aside) or a recomputation of scores after its time, and
 * an addition an entry id above its entry mark: two changes in the same second as the export are
 * told apart. Without marks (an export logged before they were kept), by the clock, to the
 * second: changed at or after the export's time. */
enum { STORE_CHANGE_EDITED, STORE_CHANGE_ADDED, STORE_CHANGE_DELETED };
int store_changes_since(store *s, const char *first, const char *last, const export_log_entry *since,
                        void (*fn)(void *ctx, int kind, const entry_meta *m), void *ctx, char **why);

/* Call fn for each logged export, oldest first. */
int store_export_log_each(store *s, void (*fn)(void *ctx, const export_log_entry *e), void *ctx, char **why);
/* Record an export (inside the caller's write transaction or alone), with its marks when they
 * are not -1. accepted: NULL when the pre-export check found nothing, else what was accepted
 * and why. */
int store_export_log_add(store *s, const export_log_entry *e, const char *login, const char *file_name,
                         bool encrypted, int64_t rows, const char *accepted, char **why);

/* A consistent copy of the whole database into path (which must not exist): VACUUM INTO. */
int store_snapshot(store *s, const char *path, char **why);
/* Open a closed database file read-only and check it: a recueil database (application_id) no
 * newer than this program, quick_check and foreign_key_check clean. */
int store_check_file(const char *path, char **why);

/* ---- drafts (draft.c): what a person was typing in an open form, kept while they type */
typedef struct {
	int64_t id;         /* 0 for a draft not stored yet */
	int64_t patient_id; /* 0 for a patient not created yet (a new patient's own form) */
	char pseudonym[16]; /* "" when patient_id is 0 */
	char form[64];
	char entry_uuid[37]; /* the entry being edited, "" for a new entry */
	int64_t row_version; /* the entry's row version when editing began */
	char date[11];       /* the entry's date */
	char saved_at[32];
	char *content; /* "field<TAB>value" lines (draft_content_add); owned by the store_draft */
} store_draft;

/* Insert (d->id == 0, then set) or replace a draft of login in one short transaction. */
int store_draft_save(store *s, store_draft *d, const char *login, char **why);
/* Delete a draft (no error when it is already gone). */
int store_draft_delete(store *s, int64_t id, char **why);
/* The drafts of login, newest first, into *out (caller frees with drafts_free); their count. */
size_t store_draft_list(store *s, const char *login, store_draft **out);
/* One draft by id into *d (content owned by d: free with draft_done); false if absent. */
bool store_draft_get(store *s, int64_t id, store_draft *d);
void draft_done(store_draft *d);
void drafts_free(store_draft *v, size_t n);

/* Where store_draft_keep put what was typed. */
typedef enum {
	DRAFT_KEPT,    /* in the database, as the draft */
	DRAFT_RESCUED, /* the database refused it: in the rescue file */
	DRAFT_LOST,    /* neither could take it */
} draft_keep_status;

/* Keep what is typed in an open form: as the draft d of login (store_draft_save); when the
 * database cannot take it (deleted under the program, disk full…), in a rescue file outside it,
 * private to the user (0600, fsync'ed), in the "champ=valeur" lines that "recueil entry add"
 * takes, headed by why the entry is not saved (unsaved_why, else why the draft was refused)
 * and what to type to enter it again. The rescue file is "<db_path>.sauvetage-<login>-<time>-
 * <pid>.txt", or "$HOME/recueil-sauvetage-<time>-<pid>.txt" when the database's directory
 * refuses it too; *rescue (owned by the caller, NULL at first) is its path once written, and
 * later calls rewrite that same file. d->content holds draft_content_add lines: the fields'
 * values, and the DRAFT_KEY_* lines below (the focus and the text being typed are written as a
 * comment; the reasons are not copied). Returns where it went; unless DRAFT_KEPT, *why (if not
 * NULL; caller frees) says why the database refused the draft. */
draft_keep_status store_draft_keep(store *s, store_draft *d, const char *login, const char *db_path,
                                   const char *unsaved_why, char **rescue, char **why);

/* The keys of a draft's content besides the fields' ids (which never start with '@' or '!'):
 * the focused field (its id, or DRAFT_FOCUS_DATE for the entry date), the text in its editor,
 * the mark of the patient's own answers (DRAFT_KEY_PATIENT), and the confirmation of a soft warning
 * (DRAFT_KEY_REASON: the field's id, then DRAFT_KEY_REASON_TEXT: the reason given). */
#define DRAFT_KEY_FOCUS       "@focus"
#define DRAFT_FOCUS_DATE      "@date"
#define DRAFT_KEY_EDIT        "@edit"
#define DRAFT_KEY_REASON      "!reason"
#define DRAFT_KEY_REASON_TEXT "!text"
/* A draft answered by the patient on the screen (self-assessment): when they last answered. */
#define DRAFT_KEY_PATIENT "@patient"

/* Whether the draft holds the patient's own answers (a DRAFT_KEY_PATIENT line). */
bool draft_self_filled(const store_draft *d);
/* Append "key<TAB>value\n" to content, escaping backslash, tab and newline. */
void draft_content_add(strbuf *sb, const char *key, const char *val);
/* Split content into keys and values (caller frees both arrays with their strings); count. */
size_t draft_content_parse(const char *content, char ***keys, char ***values);

/* Counts for the home screen: patients, entries left incomplete or in draft, the user's drafts
 * (the screenings due are the report's: report_hcv_due). */
typedef struct {
	long patients, incomplete, drafts;
} store_counts;
int store_counts_get(store *s, const char *login, store_counts *out, char **why);

/* ---- import of structures' exports into a regional database (import_write.c)
 *
 * One archive is imported in one write transaction (store_import_begin … store_import_end):
 * all of it or nothing. Inside store_batch_begin … store_batch_end, that transaction is a
 * savepoint of the batch's: several archives then share one commit (and its page writes).
 * Patients are found or created by (pseudonym, structure): the same pseudonym from two
 * structures names two people. An archive holds the rows of one structure (a structure's own
 * export) or of several (a regional database's export): each structure whose rows are to be
 * written is announced first (store_import_structure).
 *
 * A snapshot (every export since the snapshot format: all the structure's entries up to the
 * end of its period) replaces what this database holds of each structure it carries: the
 * entries it holds are inserted or overwritten (the archive's row wins whatever its row
 * version: only the version, last change, date, status, form version and patient being all
 * the same leaves an entry as it is), the structure's entries it no longer holds are deleted
 * with their values, missing codes, confirmations and alerts, then its patients left without
 * an entry, and the structure's alerts become the archive's. Entries erased here with their
 * patient (store_patient_erase) are never brought back. A slice (an archive of an older
 * version: only the entries dated in its period) is merged as it always was: of two versions of
 * an entry the higher row version wins, and the deletions its manifest lists are applied and
 * remembered. Whether an archive is newer than what is held is the caller's decision
 * (store_import_held). */
typedef struct {
	const char *manifest_sha256, *file_name; /* of the archive */
	/* NULL for a structure's own archive; for an archive made by a regional database, the
	 * code of that database (import_log.source). */
	const char *source;
	bool snapshot;            /* content: snapshot; false for a slice */
	const char *forms_bundle; /* the forms it was made with, "version=N digest=HEX"; NULL if unsaid */
} import_source;

/* A structure of the archive and the export of it that the archive carries (for a regional
 * archive: the export of the structure that the region held). Strings are copied. */
typedef struct {
	const char *structure, *structure_name;
	const char *export_id, *period, *exported_at;
	const char *period_first, *period_last; /* YYYY-MM-DD, or NULL when unknown */
	int period_complete;                    /* 1, 0, or -1 when unknown */
	int64_t sequence;
} import_structure;

typedef struct {
	uint64_t rows;      /* data rows read */
	uint64_t added;     /* entries new to this database */
	uint64_t updated;   /* replaced by the archive's version */
	uint64_t unchanged; /* the same as here */
	uint64_t older;     /* ignored: older than here (slice), or erased here with their patient */
	uint64_t deleted;   /* removed as a slice's manifest corrections say */
	uint64_t removed;   /* held here, no longer in the snapshot: deleted */
	uint64_t alerts;    /* clinical alerts of the snapshot */
} import_counts;

typedef struct {
	const char *structure; /* a structure announced by store_import_structure */
	const char *uuid, *date, *status, *updated_at;
	const char *pseudonym; /* NULL for an entry of a structure's form (scope: structure) */
	int form_version;
	int64_t row_version;
	const char *const *values;   /* one per column of store_import_form: canonical text or NULL */
	const missing_code *missing; /* one per column: a typed missing code or MISS_NONE */
} import_row;

/* A clinical alert of a snapshot, on an entry of the same archive. */
typedef struct {
	const char *structure, *entry_uuid, *rule, *level, *raised_at;
	const char *acknowledged_at; /* NULL while open */
	const char *message;         /* the rule's text in this database's forms, "" if unknown */
} import_alert;

/* The newest export of a structure that this database holds (import_log: highest sequence,
 * the last imported on a tie). Strings are copied. */
typedef struct {
	char structure[64], structure_name[256], export_id[37], period[64], exported_at[32];
	int64_t sequence;
	int period_complete; /* 1, 0, or -1 when unknown */
} import_held;

/* The newest export of structure held here into *out; false when none (or unreadable). */
bool store_import_held(store *s, const char *structure, import_held *out);
/* Call fn for the newest export held of each structure, by structure code. Returns 0, or an
 * exit code with *why (caller frees). */
int store_import_held_each(store *s, void (*fn)(void *ctx, const import_held *h), void *ctx, char **why);
/* Whether patients of this database's own structure code are here (a regional database that
 * also records patients of its own). */
bool store_has_own_patients(store *s);

typedef struct store_import store_import;

/* Whether a structure's own archive was imported already (an archive carried by a regional
 * one does not count): 0 never, 1 yes (the same manifest), 2 yes but with another manifest
 * (forged or damaged). *at gets when, file the archive's name then. */
int store_import_seen(store *s, const char *export_id, const char *manifest_sha256, char at[32],
                      char file[256]);
/* Open the archive's write transaction (BEGIN IMMEDIATE). *out is released by store_import_end. */
int store_import_begin(store *s, const import_source *src, const char *login, store_import **out, char **why);
/* Announce a structure whose rows follow (a structure announced twice is refused with
 * EXIT_DATAERR). For a snapshot, its alerts here are dropped at once (the archive's replace them). */
int store_import_structure(store_import *im, const import_structure *in, char **why);
/* The rows that follow are of form f, with these columns (indexes into f->fields, no notes). */
int store_import_form(store_import *im, const form *f, const size_t *fields, size_t n, char **why);
/* Write one entry as the archive's kind says (above). An entry of another structure or of
 * another form under the same uuid is refused (EXIT_DATAERR). */
int store_import_row(store_import *im, const import_row *row, char **why);
/* Write one alert of a snapshot, after the rows: its entry must be one of the archive's
 * (EXIT_DATAERR otherwise); the level is one of info, attention, urgent (checked by the caller). */
int store_import_alert(store_import *im, const import_alert *a, char **why);
/* Slice only: delete an entry the structure deleted (its manifest says so) and remember it, so
 * that an older archive imported later does not bring it back. */
int store_import_delete(store_import *im, const char *uuid, char **why);
/* With keep: remove what each snapshot no longer holds (one audit line per entry removed, with
 * its uuid, pseudonym, form and date, never a value), log each structure's import (import_log,
 * one 'import' line in the audit trail each) and commit; otherwise roll everything back. counts
 * (may be NULL) gets what the archive changed, one element per structure announced, in order. */
int store_import_end(store_import *im, bool keep, import_counts *counts, char **why);
/* Before the first archive (outside any transaction) and after the last one: settings for many
 * savepoints; then checkpoint the WAL into the database and empty it. */
void store_import_open(store *s);
void store_import_close(store *s);

/* ---- erasure of a patient (purge.c): the right to erasure */
typedef struct {
	int64_t entries, alerts, drafts; /* rows deleted with the patient */
	int64_t audit_scrubbed;          /* earlier audit lines whose values were blanked */
	bool purged; /* the WAL was emptied too: no copy of the rows left anywhere in the files */
} patient_erasure;

/* Erase a patient for good: their row, every entry of every form (with its per-form row,
 * missing codes, confirmations and alerts) and the drafts anybody keeps for them, in one
 * transaction run with secure_delete (the pages freed or rewritten are zeroed). The earlier
 * audit lines about them keep who, when, what entry and field, but their values become
 * "(effacé)" (entry-level deletion lines keep the entry's date: the next export reports the
 * deletion from it); the trail gains one "delete" line per entry and one "patient" line
 * "effacement …" with the counts, never an identity value. In a regional database, the entries
 * of a patient imported from another structure go to import_deleted, so that a later archive
 * does not bring them back. Then store_purge_finish. out (may be NULL) gets the counts and
 * whether the WAL purge completed. Returns 0, or a sysexits code with *why (EXIT_NOINPUT: no
 * patient with that id). Never inside a caller's transaction. */
int store_patient_erase(store *s, int64_t patient_id, const char *login, patient_erasure *out, char **why);

/* store_patient_erase for a patient past the retention period: inside the erasure's transaction,
 * their last day of care (last entry, else creation) is checked to lie before cutoff (a day
 * number, reporting_retention_cutoff); when an entry has been added since, nothing is erased and
 * EXIT_TEMPFAIL is returned with *why. The trail's "patient" line gives the reason, "durée de
 * conservation dépassée", and the last day. cutoff < 0 (no retention stated) is EXIT_USAGE. */
int store_patient_erase_expired(store *s, int64_t patient_id, long cutoff, const char *login,
                                patient_erasure *out, char **why);

/* Complete an owed physical purge: when an erasure is recorded as not yet purged from the WAL,
 * checkpoint the WAL into the database file and truncate it, waiting for the readers of other
 * connections as long as the busy timeout allows. Returns true when nothing is owed any more
 * (one small read when nothing was), false while a reader still holds the old frames; any
 * later process may call it again. */
bool store_purge_finish(store *s);
/* Whether an erasure still waits for its WAL purge (nothing is checkpointed). */
bool store_purge_pending(store *s);

/* Whether typed, as a person types a pseudonym (lower case, dashes, blanks, O for 0, I or L for
 * 1), names exactly pseudo: the confirmation of an erasure. */
bool pseudonym_confirms(const char *typed, const char *pseudo);

/* ---- the patient's rights (rights.c): access document, retention */

/* One line of the audit trail. Every pointer is borrowed for the callback; those of columns
 * the line leaves empty are NULL (display_name: when the login is no longer registered). */
typedef struct {
	const char *at, *login, *display_name, *action;
	const char *entry_uuid, *form, *field, *old_value, *new_value;
} audit_line;

/* Call fn for each line of the audit trail about a patient (their entries, deleted ones too,
 * and the lines naming their pseudonym), oldest first. fn must not use the store. Returns 0, or
 * a sysexits code with *why (EXIT_NOINPUT: no such patient). */
int store_patient_audit_each(store *s, int64_t patient_id, void (*fn)(void *ctx, const audit_line *l),
                             void *ctx, char **why);

/* Whether an export made at made_at (ISO-8601 UTC, as the export log says), a snapshot of the
 * structure up to last_day (YYYY-MM-DD), held data of the patient: an entry of theirs dated on
 * or before last_day, not a draft, and created before the export, unless the patient had
 * objected by then (an opposition in force: its recording time is kept until withdrawn). */
bool store_patient_in_snapshot(store *s, int64_t patient_id, const char *last_day, const char *made_at);

/* Write one "patient" line to the audit trail, in its own transaction: login did what (French,
 * one line, never an identity value) about the patient pseudo. */
int store_log_patient(store *s, const char *login, const char *pseudo, const char *what, char **why);

/* A patient past the retention period. */
typedef struct {
	int64_t id;
	char pseudonym[16];
	char last[11]; /* their last day of care: last entry's date, else the day they were created */
} expired_patient;

/* Call fn for each patient whose last day of care is before cutoff (a day number:
 * reporting_retention_cutoff), oldest first. The list is read before the first call: fn may
 * erase the patient. Returns 0, or a sysexits code with *why. */
int store_expired_each(store *s, long cutoff, void (*fn)(void *ctx, const expired_patient *e), void *ctx,
                       char **why);
/* How many patients store_expired_each would give (0 when the database cannot say). */
int64_t store_expired_count(store *s, long cutoff);

/* ---- information and opposition (rights.c, schema/015_opposition.sql) */

/* What the patient was told and whether they object to the secondary use of their data (the
 * evaluation). Empty strings where nothing is recorded. */
typedef struct {
	char informed_on[11], informed_by[64]; /* the day they were informed, who recorded it */
	char opposed_on[11], opposed_by[64];   /* the day they objected, who recorded it */
	char opposed_at[32];                   /* when the opposition was recorded (ISO-8601 UTC) */
} patient_rights;

/* The patient's information and opposition into *out; false when there is no such patient. */
bool store_patient_rights_get(store *s, int64_t patient_id, patient_rights *out);

/* Record that the patient was informed on day (YYYY-MM-DD, checked by the caller) by login,
 * replacing an earlier day, with a "patient" line in the audit trail; one transaction. Refused in
 * a regional database (EXIT_USAGE); EXIT_NOINPUT when there is no such patient. */
int store_patient_inform(store *s, int64_t patient_id, const char *day, const char *login, char **why);

/* Record the patient's opposition on day (YYYY-MM-DD) by login, or withdraw it (day NULL), with a
 * "patient" line in the audit trail; one transaction. From then on, no export holds the
 * patient's rows or alerts (the next snapshot removes them at the region), until withdrawn.
 * Refused as store_patient_inform. */
int store_patient_oppose(store *s, int64_t patient_id, const char *day, const char *login, char **why);

/* How many of the structure's own patients created up to last (YYYY-MM-DD) there are, and of
 * them how many were informed up to last, and how many had objected by then, into n[0], n[1],
 * n[2]. Returns 0, or a sysexits code with *why. */
int store_rights_counts(store *s, const char *last, int64_t n[3], char **why);

/* ---- the patient list (entry.c) */
/* One patient of store_patient_rows. Everything is borrowed for the call. */
typedef struct {
	int64_t id;
	const char *pseudonym;
	bool has_record;          /* the patient has an entry of the form "patient" */
	const char *const *texts; /* one per field asked for: stored text, NULL when empty */
} patient_row;

/* Call fn for every patient, by pseudonym, with the stored texts of the fields ids[0..n) of their
 * own record (their first entry of the form "patient", as store_patient_record reads it): the
 * texts a loaded record would hold, read by one query for all patients instead of a record each.
 * A field the form lacks gives NULL; a calculated field, its value as of the entry's last save.
 * fn must not use the store (the query is still running). Returns 0, or a sysexits code with
 * *why (caller frees). */
int store_patient_rows(store *s, const formset *fs, const char *const *ids, size_t n,
                       void (*fn)(void *ctx, const patient_row *row), void *ctx, char **why);

#endif
