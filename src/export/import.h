/* import.h — recueil import: a structure's export archive, or a regional database's, written
 * into a regional (or national) database.
 *
 * An archive is first checked exactly as `recueil verify` checks it (export_verify_opts: age
 * decryption, passphrase, AES authentication or CRC, entries all encrypted or all plain,
 * completeness, SHA-256, sizes and row counts against the manifest, entry names, decompression
 * bombs). Then where it comes from: only a regional database imports (store_is_region); the
 * archive must have been sent encrypted (or be accepted plain explicitly), come from a structure
 * (or a regional database) the region enrolled, and carry a signature of its manifest by the key
 * enrolled for it. Then its manifest, codebook and CSV headers are checked against the regional
 * forms, and its rows are read a second time, streamed, every value parsed as the form's field
 * type says, and written in one transaction: the whole archive or nothing.
 *
 * Every export is a snapshot of its structure up to the end of its period: for each structure
 * an archive carries (one for a structure's own archive, each structure_snapshot line of a
 * regional one), the database comes to hold exactly that snapshot (what it replaces is said in
 * store.h), unless it already holds a newer export of that structure (a higher sequence): then
 * nothing of that structure changes. Skipping an archive is therefore harmless; the sequences
 * skipped are reported. Archives of older versions (slices of their period, without content:
 * snapshot) still import when signed, merged by row version as they always were.
 * Nothing here prints: the caller reports. */
#ifndef RECUEIL_IMPORT_H
#define RECUEIL_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/form.h"
#include "export/export.h"
#include "store/store.h"

typedef struct {
	const char *path;
	const char *passphrase; /* NULL: ask (below) when the archive is encrypted */
	verify_ask_fn ask;      /* may be NULL */
	void *ask_ctx;
	const char *login; /* recorded in the import log and the audit trail */
	/* Secret keys that open archives sent as age files (borrowed). */
	const age_identity *const *identities;
	size_t n_identities;
	bool allow_plain; /* accept an archive sent without encryption (still signed and enrolled) */
} import_opts;

/* What became of one structure of an archive. */
typedef struct {
	char structure[64];
	char period[64];
	int64_t sequence;      /* of the structure's export the archive carries */
	bool older;            /* a newer export of it is held here: nothing of it changed */
	int64_t held_sequence; /* the newest export of it held before the import, 0 if none */
	char held_at[32];      /* when that one was made */
	import_counts counts;  /* when not older */
} import_part_result;

typedef struct {
	char structure[64]; /* the manifest's: the structure, or the regional database that made it */
	char structure_name[256];
	char export_id[37];
	char period[64];
	int64_t sequence;
	bool encrypted;
	bool snapshot;             /* content: snapshot (else an older version's slice) */
	bool regional;             /* made by a regional database: parts are the structures it carries */
	bool already;              /* this export was imported before: nothing was done */
	char already_at[32];       /* when, if already */
	import_part_result *parts; /* one per structure of the archive; owned (import_result_done) */
	size_t n_parts;
	/* Made with forms other than those published (the latest bundle published or installed
	 * here): which, in French; "" when the same, or when either side does not say. */
	char forms_note[160];
} import_result;

/* Release what res owns (NULL parts are fine). */
void import_result_done(import_result *res);

/* Import one archive. Returns 0 (res filled; res->already when it had been imported before),
 * or a sysexits code with a one-line *why that names the file (caller frees): EXIT_DATAERR for
 * an archive refused (wrong passphrase, damaged, tampered, hostile, not matching the regional
 * forms), EXIT_NOINPUT when it cannot be read, EXIT_USAGE when a passphrase is needed and none
 * could be had; the database is then unchanged. */
int import_archive(store *s, const formset *fs, const import_opts *o, import_result *res, char **why);

/* Whether s may import archives at all: 0 for a regional database, else EXIT_USAGE with *why (a
 * structure's own database never takes another structure's data). */
int import_target_check(store *s, char **why);

/* import_archive in two steps, so that the next archive can be checked (in another thread)
 * while this one is written. import_check needs no database and shares nothing: it runs
 * export_verify_ex and keeps the CSVs it read in private temporary files; it never fails (the
 * verdict is kept for import_load). import_load checks the archive against the regional forms
 * and the database, and writes it; same contract as import_archive. */
typedef struct import_checked import_checked;
import_checked *import_check(const import_opts *o);
int import_load(store *s, const formset *fs, import_checked *c, const import_opts *o, import_result *res,
                char **why);
void import_checked_free(import_checked *c);

/* ---- many archives (import_batch.c) */

typedef struct {
	const char *const *paths; /* the archives, imported in this order */
	size_t n;
	/* The passphrase of every archive, or NULL: then ask(ask_ctx) is called for each
	 * encrypted archive, outside any transaction (see verify_ask_fn), and the ask_ctx_size
	 * bytes of ask_ctx are wiped once that archive is checked. */
	const char *passphrase;
	verify_ask_fn ask;
	void *ask_ctx;
	size_t ask_ctx_size;
	const char *login;                     /* recorded in the import log and the audit trail */
	const age_identity *const *identities; /* as in import_opts */
	size_t n_identities;
	bool allow_plain;
	FILE *out; /* what each archive brought, one line each (import_result_write) */
	/* Called with the one-line message of each archive refused, or of a batch that cannot
	 * begin (the archives after it are not imported). */
	void (*refused)(void *ctx, const char *why);
	void *ctx;
} import_batch_opts;

typedef struct {
	int imported, refused;
	int first_failure; /* the exit code of the first refusal, 0 if none */
} import_batch_counts;

/* Import archives one after the other, each all or nothing; a refused archive does not stop
 * the others, and its refusal is written to the audit trail. A database that may not import
 * (import_target_check) refuses them all at once. With a passphrase for all, archives are loaded in batches
 * committed about every second (each archive a savepoint of its batch) while a second thread verifies the
 * next ones; without, each archive is verified, then loaded and committed alone, so that no transaction waits
 * for someone typing. Each archive is reported once its batch is committed: its line on o->out, or its
 * refusal through o->refused; with several archives, a last line gives the totals. n gets the counts. Returns
 * n->first_failure. */
int import_batch(store *s, const formset *fs, const import_batch_opts *o, import_batch_counts *n);

/* Write the lines that say what an archive brought (one per structure of a regional archive),
 * or that it had been imported before, or that a newer export is held. */
void import_result_write(FILE *out, const char *path, const import_result *r);

/* The checks import_load makes on an archive's manifest and codebook, from buffers, without an
 * archive or a database (for the fuzz harnesses of fuzz/ and tests). The manifest's text is read
 * as import_load reads it: up to its first NUL byte, at most manifest_len bytes; it must name only
 * forms of fs, in versions fs knows, each with its CSV listed. Then, when codebook is not NULL,
 * the codebook_len bytes of codebook are checked against that manifest and fs (header, forms,
 * versions, fields, types, no identity field, no field twice). Everything parsed is freed before
 * returning. Returns 0, or EXIT_DATAERR with a one-line *why (caller frees). */
int import_manifest_check(const char *manifest_text, size_t manifest_len, const char *codebook,
                          size_t codebook_len, const formset *fs, char **why);

#endif
