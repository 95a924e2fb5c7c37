/* import.h — recueil import: a structure's export archive merged into a regional database.
 *
 * An archive is first checked exactly as `recueil verify` checks it (export_verify: passphrase,
 * AES authentication or CRC, completeness, SHA-256, sizes and row counts against the manifest,
 * entry names, decompression bombs). Then its manifest, codebook and CSV headers are checked
 * against the regional forms, and its rows are read a second time, streamed, every value parsed
 * as the form's field type says, and written in one transaction: the whole archive or nothing.
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
} import_opts;

typedef struct {
	char structure[64];
	char structure_name[256];
	char export_id[37];
	char period[64];
	int64_t sequence;
	bool encrypted;
	bool already;        /* this export was imported before: nothing was done */
	char already_at[32]; /* when, if already */
	import_counts counts;
	/* Made with forms other than those published (the latest bundle published or installed
	 * here): which, in French; "" when the same, or when either side does not say. */
	char forms_note[160];
} import_result;

/* Import one archive. Returns 0 (res filled; res->already when it had been imported before),
 * or a sysexits code with a one-line *why that names the file (caller frees): EXIT_DATAERR for
 * an archive refused (wrong passphrase, damaged, tampered, hostile, not matching the regional
 * forms), EXIT_NOINPUT when it cannot be read, EXIT_USAGE when a passphrase is needed and none
 * could be had; the database is then unchanged. */
int import_archive(store *s, const formset *fs, const import_opts *o, import_result *res, char **why);

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
	const char *login; /* recorded in the import log and the audit trail */
	FILE *out;         /* what each archive brought, one line each (import_result_write) */
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
 * the others. With a passphrase for all, archives are loaded in batches committed about every
 * second (each archive a savepoint of its batch) while a second thread verifies the next ones;
 * without, each archive is verified, then loaded and committed alone, so that no transaction
 * waits for someone typing. Each archive is reported once its batch is committed: its line on
 * o->out, or its refusal through o->refused; with several archives, a last line gives the
 * totals. n gets the counts. Returns n->first_failure. */
int import_batch(store *s, const formset *fs, const import_batch_opts *o, import_batch_counts *n);

/* Write the line that says what an archive brought, or that it had been imported before. */
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
