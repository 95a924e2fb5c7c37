/* export.h — the archive a structure sends before each reporting deadline, its verification
 * by the recipient, and backups of the database.
 *
 * An export is one zip file: one CSV per form (csv.h), codebook.csv (the data dictionary),
 * seuils.csv (the thresholds in force), manifest.txt, LISEZMOI.txt, and loaders for R, Python,
 * Stata and SPSS (lire_recueil.R, .py, .do, .sps). Entries are AES-256 (WinZip AE-2)
 * encrypted unless the caller asked for a plain archive. Memory stays flat: each CSV streams
 * from SQLite into a private scratch file, then into the archive with its size known. The
 * archive appears under its final name only once complete and on disk. Nothing here prints to
 * the terminal or knows curses: progress goes to a stream the caller gives. */
#ifndef RECUEIL_EXPORT_H
#define RECUEIL_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/form.h"
#include "core/util.h"
#include "export/period.h"
#include "store/store.h"

/* The zip entry names of the fixed files. */
#define EXPORT_MANIFEST "manifest.txt"
#define EXPORT_CODEBOOK "codebook.csv"
#define EXPORT_README   "LISEZMOI.txt"
#define EXPORT_R_SCRIPT "lire_recueil.R"
#define EXPORT_STATA_DO "lire_recueil.do"
#define EXPORT_SPSS_SPS "lire_recueil.sps"
#define EXPORT_PYTHON   "lire_recueil.py"
#define EXPORT_SEUILS   "seuils.csv"

/* The columns every form's CSV begins with, before the form's fields. row_version and
 * updated_at let an import keep the newer of two versions of an entry. */
#define EXPORT_META_COLUMNS                                                                                  \
	"entry_id", "pseudonym", "entry_date", "form_version", "entry_status", "row_version", "updated_at"
#define EXPORT_N_META_COLUMNS 7

/* The manifest's "format:" value: what this program writes and reads. */
#define EXPORT_FORMAT "recueil-export 1"

/* What an archive may hold once decompressed (verify and import refuse more): every entry
 * together, and one entry's size over its compressed size (decompression bombs). */
#define EXPORT_MAX_UNCOMPRESSED (512ULL << 20)
#define EXPORT_MAX_RATIO        200

/* ---- pre-export check */
typedef struct {
	int kind;     /* STORE_ISSUE_DRAFT, _INCOMPLETE, _UNCONFIRMED */
	entry_meta m; /* the entry (pseudonym, form, date, uuid) */
	char *detail; /* French, names fields and rules, never a value; owned */
} export_issue;

typedef struct {
	export_issue *v;
	size_t n;
	size_t drafts; /* how many of them are drafts (never exported) */
} export_issues;

/* List what is not ready in period p: drafts, incomplete entries (with their missing required
 * fields) and soft warnings saved without a reason. out is filled (release with
 * export_issues_done) even when empty. */
int export_check(store *s, const formset *fs, const period *p, export_issues *out, char **why);
void export_issues_done(export_issues *is);
/* One line for an issue: "patient 7K2MQX4T  audit  2026-08-02  entrée 3f2a9c1b : …"; caller frees. */
char *export_issue_line(const export_issue *is);

/* ---- writing */
typedef struct {
	period per;
	const char *out_path;
	const char *passphrase;      /* NULL: plain archive (--no-encrypt); borrowed, not copied by us */
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

/* Write the archive and record it in the export log. Returns 0, or a sysexits code with *why
 * (caller frees); on failure no file exists under o->out_path and nothing is logged. */
int export_write(store *s, const formset *fs, const export_opts *o, export_result *res, char **why);

/* ---- verification (needs no database: the recipient runs it too) */
typedef struct {
	strbuf manifest; /* the manifest's text */
	strbuf codebook; /* codebook.csv's text ("" when absent) */
	size_t n_files;  /* files checked against the manifest */
	uint64_t rows;   /* CSV data rows checked */
	bool encrypted;
} verify_report; /* release with verify_report_done */

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

/* ---- backup */
/* A consistent, checked, gzip-compressed snapshot of the database at out_path (mode 0600,
 * temporary name then rename; refuses an existing file). *bytes gets the compressed size. */
int backup_write(store *s, const char *out_path, uint64_t *bytes, char **why);

/* Restore a backup into a new database file at db_path (refused if it exists): decompressed
 * into a temporary file beside it, checked (gzip CRC, recueil database no newer than this
 * program, quick_check, foreign keys), fsync'ed, then renamed. Nothing appears under db_path
 * unless every check passed. */
int backup_restore(const char *gz_path, const char *db_path, char **why);

#endif
