/* forms_bundle.h — one version of the forms for the whole network. The coordination publishes
 * its forms directory as a bundle: the files, a manifest (version, date, SHA-256 of each file,
 * the digest of the whole) and the manifest's minisign signature (core/minisign.h); a structure
 * that trusts the coordination's key installs it. This module holds what needs no archive and
 * no database: the files of a forms directory and their digest, the manifest's text, and the
 * replacement of a directory's forms by others. The archive itself is export/bundle.c.
 *
 * The digest names a set of forms: the SHA-256 of its "file: NAME bytes=N sha256=HEX" lines,
 * one per file in byte order of the names. A forms directory has the same digest as the bundle
 * it was installed from, so that an export can say which forms it was made with.
 *
 * Functions that can fail return 0 or a sysexits code, with *why a one-line French message
 * (caller frees). */
#ifndef RECUEIL_FORMS_BUNDLE_H
#define RECUEIL_FORMS_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/util.h"

#define BUNDLE_FORMAT    "recueil-forms 1"
#define BUNDLE_MANIFEST  "bundle.txt"
#define BUNDLE_SIGNATURE "bundle.txt.minisig"
/* A bundle holds at most this many forms files, each within the loader's size cap. */
#define BUNDLE_MAX_FILES 64

/* A file of a forms directory or of a bundle. */
typedef struct {
	char *name;          /* "audit.yaml": no directory */
	unsigned char *data; /* its bytes, NUL-terminated (NULL when only listed in a manifest) */
	size_t size;
	char sha256[65]; /* lowercase hexadecimal */
} bundle_file;

/* Files sorted by name (bundle_files_add keeps the order). Init with {0}. */
typedef struct {
	bundle_file *v;
	size_t n;
} bundle_files;

void bundle_files_done(bundle_files *fl); /* frees every file; fl may be read again (empty) */

/* Add a copy of the size bytes of data as name, with its SHA-256, in name order. data NULL
 * lists the file with the given sha256 (64 hexadecimal digits) instead (a manifest's line). */
void bundle_files_add(bundle_files *fl, const char *name, const void *data, size_t size, const char *sha256);

/* The file called name, or NULL. Borrowed. */
const bundle_file *bundle_files_find(const bundle_files *fl, const char *name);

/* Whether name may be a forms file of a bundle: letters, digits, "_", "-" and ".", not starting
 * with ".", ending in ".yaml", at most 64 bytes. */
bool bundle_name_valid(const char *name);

/* Read the forms files of dir (the *.yaml that a formset loads, formset_dir_files) into out.
 * Refuses a directory with more than BUNDLE_MAX_FILES of them or a file over the loader's 1 MiB
 * cap, or whose name bundle_name_valid refuses. */
int forms_dir_read(const char *dir, bundle_files *out, char **why);

/* The digest of a set of files (see above), 64 hexadecimal digits and a NUL. */
void bundle_digest(const bundle_files *fl, char out[65]);

/* The digest of the forms of dir as they are now on disk. */
int forms_dir_digest(const char *dir, char out[65], char **why);

/* Make fl the forms of dir: each file is written under a hidden temporary name beside its final
 * one, synced, then renamed over it (a file replaced keeps its mode; a new one gets the
 * directory's read and write bits); the forms files of dir that fl does not hold are removed.
 * Each file changes whole; on a failure before the first rename nothing has changed. */
int forms_dir_replace(const char *dir, const bundle_files *fl, char **why);

/* A bundle's manifest, parsed. */
typedef struct {
	long version;          /* > 0 */
	char published_at[32]; /* ISO-8601 UTC */
	char *published_by;    /* who published it: structure code and name */
	bundle_files listed;   /* the files it names, with sizes and SHA-256, without data */
	char digest[65];
} bundle_manifest;

/* The manifest's text for the files fl. Caller frees. */
char *bundle_manifest_text(const bundle_files *fl, long version, const char *published_at,
                           const char *published_by);

/* Parse a manifest's text (n bytes). EXIT_DATAERR when it is not a bundle manifest of this
 * format, names a file twice or a file bundle_name_valid refuses, or its digest line is not the
 * digest of its file lines. m is filled (release with bundle_manifest_done) even on failure. */
int bundle_manifest_parse(const char *text, size_t n, bundle_manifest *m, char **why);
void bundle_manifest_done(bundle_manifest *m);

/* Whether fl are exactly the files m lists, with their sizes and SHA-256. EXIT_DATAERR naming
 * the first file that is missing, added or different. */
int bundle_check_files(const bundle_manifest *m, const bundle_files *fl, char **why);

#endif
