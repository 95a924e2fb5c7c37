/* export.h — the archive a structure sends before each reporting deadline, its verification
 * by the recipient, and backups of the database.
 *
 * An export is one zip file: one CSV per form (csv.h), alerts.csv, codebook.csv (the data
 * dictionary), seuils.csv (the thresholds in force), manifest.txt, LISEZMOI.txt, loaders for R,
 * Python, Stata and SPSS (lire_recueil.R, .py, .do, .sps), and manifest.txt.minisig: the
 * signature of the manifest by the database's key (store_signing_key), which the manifest's
 * checksums extend to every file. Entries are AES-256 (WinZip AE-2) encrypted with a passphrase,
 * or the whole zip is written inside an age file encrypted to the recipients' public keys
 * (core/age.h; its entries then plain), or, when the caller asked for it, nothing is encrypted.
 * Memory stays flat: each CSV streams
 * from SQLite into a private scratch file, then into the archive with its size known. The
 * archive appears under its final name only once complete and on disk. Nothing here prints to
 * the terminal or knows curses: progress goes to a stream the caller gives. */
#ifndef RECUEIL_EXPORT_H
#define RECUEIL_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/age.h"
#include "core/form.h"
#include "core/minisign.h"
#include "core/util.h"
#include "export/period.h"
#include "store/store.h"

/* The zip entry names of the fixed files. */
#define EXPORT_MANIFEST "manifest.txt"
#define EXPORT_CODEBOOK "codebook.csv"
#define EXPORT_README   "LISEZMOI.txt"
#define EXPORT_R_SCRIPT "lire_recueil.R"
#define EXPORT_STATA_DO "lire_recueil.do"
#define EXPORT_ALERTS   "alerts.csv"
/* The signature of manifest.txt (minisign, prehashed): the one entry the manifest does not list. */
#define EXPORT_SIGNATURE "manifest.txt.minisig"
/* The fields of the signature's trusted comment after "timestamp:…": each "key:value", separated
 * by tabs, as minisign's own comment is. */
#define EXPORT_SIG_STRUCTURE "structure"
#define EXPORT_SIG_EXPORT_ID "export_id"
#define EXPORT_SIG_SEQUENCE  "sequence"
#define EXPORT_SPSS_SPS      "lire_recueil.sps"
#define EXPORT_PYTHON        "lire_recueil.py"
#define EXPORT_SEUILS        "seuils.csv"

/* The columns every form's CSV begins with, before the form's fields. structure is the code of
 * the patient's structure: a pseudonym is unique only within its structure, so (structure,
 * pseudonym) names a patient. row_version and updated_at say which version of an entry this
 * is. Archives of older versions lack the structure column. */
#define EXPORT_META_COLUMNS                                                                                  \
	"structure", "entry_id", "pseudonym", "entry_date", "form_version", "entry_status", "row_version",   \
	    "updated_at"
#define EXPORT_N_META_COLUMNS 8
/* The same for a form of the structure (scope: structure, e.g. the team meetings): its entries
 * describe no patient, so there is no pseudonym column. */
#define EXPORT_STRUCTURE_META_COLUMNS                                                                        \
	"structure", "entry_id", "entry_date", "form_version", "entry_status", "row_version", "updated_at"

/* The columns of alerts.csv: the clinical alerts of the exported entries, as the report counts
 * them (never their text, a login or a note). */
#define EXPORT_ALERT_COLUMNS                                                                                 \
	"structure", "entry_id", "rule", "level", "raised_at", "acknowledged", "acknowledged_at"
/* The name of alerts.csv in the form column of codebook.csv (a name no form may take). */
#define EXPORT_ALERTS_NAME "alerts"

/* The manifest line a regional database's archive has for each structure it carries:
 * "structure_snapshot: CODE export_id=… sequence=N period=P complete=yes|no created_at=… name=…",
 * the export of that structure that the region held. */
#define EXPORT_STRUCTURE_LINE "structure_snapshot: "

/* The manifest's "format:" value: what this program writes and reads. Since every export is a
 * snapshot (all the entries up to the period's last day), the manifest also says "content:
 * snapshot"; archives without that line are slices of their period, from older versions. */
#define EXPORT_FORMAT "recueil-export 1"

/* What an archive may hold once decompressed (verify and import refuse more): every entry
 * together, and one entry's size over its compressed size (decompression bombs). */
#define EXPORT_MAX_UNCOMPRESSED (512ULL << 20)
#define EXPORT_MAX_RATIO        200

/* ---- pre-export check */
typedef struct {
	int kind;     /* STORE_ISSUE_DRAFT, _INCOMPLETE, _UNCONFIRMED, _UNINFORMED */
	entry_meta m; /* the entry (pseudonym, form, date, uuid) */
	char *detail; /* French, names fields and rules, never a value; owned */
} export_issue;

typedef struct {
	export_issue *v;
	size_t n;
	size_t drafts; /* how many of them are drafts (never exported) */
} export_issues;

/* List what is not ready in period p: drafts, incomplete entries (with their missing required
 * fields), soft warnings saved without a reason and patients never informed. out is filled (release with
 * export_issues_done) even when empty. */
int export_check(store *s, const formset *fs, const period *p, export_issues *out, char **why);
void export_issues_done(export_issues *is);
/* One line for an issue: "patient 7K2MQX4T  audit  2026-08-02  entrée 3f2a9c1b : …"; caller frees. */
char *export_issue_line(const export_issue *is);

/* ---- writing */
typedef struct {
	period per;
	const char *out_path;
	const char *passphrase; /* NULL: plain archive (--no-encrypt); borrowed, not copied by us */
	/* With n_recipients > 0 (and no passphrase): the zip, its entries plain, written inside an age
	 * file encrypted to these public keys; nothing decrypted ever reaches the disk. Borrowed. */
	const age_recipient *recipients;
	size_t n_recipients;
	const char *accepted_reason; /* why issues were accepted; required when issues->n > 0 */
	const export_issues *issues; /* from export_check, written to the manifest when accepted */
	const char *login;           /* recorded in the export log only */
	FILE *progress;              /* one line per file written, or NULL */
	long today;                  /* to say whether the period is over */
} export_opts;

typedef struct {
	char export_id[37];
	int64_t sequence;
	char previous_id[37]; /* "" when this is the first export */
	uint64_t rows;        /* data rows over every form's CSV */
	size_t n_files;
	size_t n_corrections; /* changes since the previous export of the same period */
	bool has_previous_same_period;
} export_result;

/* Refuse early an output path that export_write could not create (it exists, or its directory
 * is missing or not writable), before any work is done. Returns 0 or a sysexits code. */
int export_check_target(const char *out_path, char **why);

/* Write the archive, signed with the database's key, and record it in the export log. Returns
 * 0, or a sysexits code with *why (caller frees); on failure no file exists under o->out_path
 * and nothing is logged. */
int export_write(store *s, const formset *fs, const export_opts *o, export_result *res, char **why);

/* ---- verification (needs no database: the recipient runs it too) */
typedef struct {
	strbuf manifest;  /* the manifest's text */
	strbuf codebook;  /* codebook.csv's text ("" when absent) */
	size_t n_files;   /* files checked against the manifest */
	uint64_t rows;    /* CSV data rows checked */
	bool encrypted;   /* every entry of the zip is encrypted (AES-256) */
	bool age;         /* the zip came inside an age file, decrypted with one of the identities */
	strbuf signature; /* manifest.txt.minisig's text ("" when absent): export_signature_check */
	char signer[MINISIGN_KEYID_HEX_LEN + 1]; /* the key id the signature names, "" if none */
} verify_report;                                 /* release with verify_report_done */

/* Asked by export_verify when an entry is encrypted and no passphrase was given: return a
 * passphrase (borrowed until the next call) or NULL. Called at most once. */
typedef const char *(*verify_ask_fn)(void *ctx);

/* Open the archive at path, read every entry (which checks the passphrase, the AES
 * authentication codes or CRCs, and that the file is complete), and compare each file with
 * the manifest: SHA-256, size, rows, no file missing or added. Entry names must be plain
 * (no directory, absolute path or ".."), at most 256 entries, and the decompressed sizes
 * within EXPORT_MAX_UNCOMPRESSED and EXPORT_MAX_RATIO (checked while reading: a bomb is
 * stopped early). Returns 0 when everything matches; EXIT_DATAERR with a one-line *why naming
 * the file and the problem otherwise (wrong passphrase, tampered, truncated, not an export,
 * unknown format); EXIT_NOINPUT when path cannot be read; EXIT_USAGE when the archive is
 * encrypted and no passphrase could be had. rep is filled as far as the check went (release
 * with verify_report_done). */
int export_verify(const char *path, const char *passphrase, verify_ask_fn ask, void *ask_ctx,
                  verify_report *rep, char **why);
void verify_report_done(verify_report *rep);

/* What export_verify_ex also does with the entries it reads (the import keeps the CSVs it
 * will load, so that it loads exactly the bytes that were checked). For each entry whose name
 * want accepts, data gets its bytes in order, then a last call with buf NULL and n 0 at the
 * end of the entry. A non-zero return of data stops the check with that code (*why set). */
typedef struct {
	bool (*want)(void *ctx, const char *name);
	int (*data)(void *ctx, const char *name, const char *buf, size_t n, char **why);
	void *ctx;
} verify_hooks;
int export_verify_ex(const char *path, const char *passphrase, verify_ask_fn ask, void *ask_ctx,
                     const verify_hooks *hooks, verify_report *rep, char **why);

/* Everything export_verify can be given. */
typedef struct {
	const char *passphrase; /* of AES-256 entries, or NULL */
	verify_ask_fn ask;      /* asked for it when needed and passphrase is NULL; may be NULL */
	void *ask_ctx;
	const verify_hooks *hooks; /* may be NULL */
	/* Secret keys that may open an age file (borrowed); none: an age file is EXIT_USAGE. */
	const age_identity *const *identities;
	size_t n_identities;
} verify_opts;

/* export_verify_ex, and more: a file that starts as an age file is decrypted with one of the
 * identities (into a private, unlinked temporary file: only authenticated bytes, and the file
 * must be complete) and the zip inside checked; an archive whose entries are not all encrypted
 * or all plain (an entry added or replaced after the export) is refused, EXIT_DATAERR; the
 * signature's text is kept in rep->signature, unchecked (export_signature_check checks it). */
int export_verify_opts(const char *path, const verify_opts *vo, verify_report *rep, char **why);

/* Check the signature kept by export_verify_opts against pk: present, made with pk's key,
 * valid over the manifest's text, and its trusted comment naming the manifest's structure and
 * export. Returns 0, or EXIT_DATAERR with a one-line *why that names path; whose says whose key
 * pk is ("la clé donnée par --pubkey") and hint (may be NULL) what to do when the signature was
 * made with another key. */
int export_signature_check(const verify_report *rep, const char *path, const minisign_pubkey *pk,
                           const char *whose, const char *hint, char **why);

/* ---- backup */
/* A consistent, checked, gzip-compressed snapshot of the database at out_path (mode 0600,
 * temporary name then rename; refuses an existing file). *bytes gets the compressed size. */
int backup_write(store *s, const char *out_path, uint64_t *bytes, char **why);

/* What backup_rotate did: the backup written (path, caller frees; its compressed size) and how
 * many backups the directory keeps and lost. */
typedef struct {
	char *path;
	uint64_t bytes;
	size_t kept, removed;
} backup_rotation;

/* The nightly backup: backup_write into dir/recueil-YYYY-MM-DD.db.gz for today (dir created
 * 0700 if missing; a backup made earlier the same day is replaced once the new one is whole and
 * checked), then the rotation: of the files of dir named so, the newest of each of the last
 * `daily` days that have one and of each of the last `weekly` weeks (Monday to Sunday) that
 * have one are kept, the others removed; no other file is touched. Returns 0 with *out filled,
 * or an exit code with *why (nothing removed then). */
int backup_rotate(store *s, const char *dir, long today, int daily, int weekly, backup_rotation *out,
                  char **why);

/* Restore a backup into a new database file at db_path (refused if it exists): decompressed
 * into a temporary file beside it, checked (gzip CRC, recueil database no newer than this
 * program, quick_check, foreign keys), fsync'ed, then renamed. Nothing appears under db_path
 * unless every check passed. */
int backup_restore(const char *gz_path, const char *db_path, char **why);

#endif
