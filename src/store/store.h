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

/* Group many saves into one transaction (the demo generator, imports): each save inside is a
 * savepoint, so one failed save leaves the others. store_batch_end commits when keep is true,
 * rolls everything back otherwise. */
int store_batch_begin(store *s, char **why);
int store_batch_end(store *s, bool keep, char **why);

/* ---- structure and users */
int store_init_structure(store *s, const char *code, const char *name, const char *login, char **why);
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

/* ---- patients */
/* Create a patient with a fresh random pseudonym (written into pseudo). */
int store_patient_create(store *s, const char *login, char pseudo[16], int64_t *id, char **why);
/* Normalise a typed pseudonym (case, I/L→1, O→0, dashes) and find the patient; 0 if none. */
int64_t store_patient_find(store *s, const char *typed, char pseudo[16]);
bool pseudonym_valid(const char *p); /* checks length, alphabet and check character */
/* Call fn for every patient, by pseudonym, with their own record (NULL if none; borrowed for
 * the call). */
int store_patient_each(store *s, const formset *fs,
		       void (*fn)(void *ctx, int64_t id, const char *pseudonym, const record *patient), void *ctx,
		       char **why);

/* ---- entries */
typedef struct {
	char uuid[37];
	int64_t id; /* rowid; 0 for an entry not saved yet */
	int64_t patient_id;
	char pseudonym[16];
	char form[64];
	int form_version;
	char date[11];
	char status[12]; /* draft, incomplete, complete */
	char author[64];
	char created_at[32], updated_at[32];
	int64_t row_version;
} entry_meta;

typedef struct {
	size_t field;
	const char *reason;
} confirmation;

/* Insert (meta->id == 0) or update an entry. The status is computed: draft if want_draft,
 * incomplete when required answers are missing, complete otherwise. Hidden fields are stored
 * empty. An update whose meta->row_version is not the stored one is refused with
 * EXIT_TEMPFAIL and *why says who changed it and when (nothing is overwritten). On success
 * meta is updated (uuid, id, status, row_version, timestamps). Soft warnings are recorded with
 * their reason when one is given in confirms, as unconfirmed otherwise. */
int store_entry_save(store *s, const record *r, entry_meta *meta, bool want_draft, const confirmation *confirms,
		     size_t n_confirms, const char *login, char **why);

/* Load an entry by uuid (or a unique prefix of at least 6 characters). Returns the record
 * (caller frees) with meta filled, or NULL with *why and *code. */
record *store_entry_load(store *s, const formset *fs, const char *uuid, entry_meta *meta, char **why, int *code);

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

/* ---- clinical alerts */
typedef struct {
	int64_t id;
	char level[12];    /* info, attention, urgent */
	char rule[64];
	char *message;     /* borrowed for the callback */
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
/* Acknowledge an open alert: who and when are recorded, with an optional note. */
int store_alert_ack(store *s, int64_t id, const char *login, const char *note, char **why);

/* ---- audit trail */
/* Print the audit trail since a day (YYYY-MM-DD, or NULL for all) in reading order. */
int store_log_print(store *s, const char *since, FILE *out, char **why);

/* Random bytes from the system (getrandom); aborts on failure. */
void random_bytes(void *buf, size_t n);
void uuid_v4(char out[37]);

#endif
