/* bundle.h — the file that carries the network's forms from the coordination to the structures
 * (recueil forms publish / install): a plain zip holding the forms files, the bundle's manifest
 * (bundle.txt: version, date, SHA-256 of each file, digest of the whole; core/forms_bundle.h)
 * and the manifest's minisign signature (bundle.txt.minisig). Unencrypted: forms are not
 * personal data, and anyone may read what they would install. libarchive is loaded on first use
 * (export/archive_dl.h). */
#ifndef RECUEIL_BUNDLE_H
#define RECUEIL_BUNDLE_H

#include "core/forms_bundle.h"
#include "core/minisign.h"

/* Write the bundle at out_path: the files of forms, then manifest and signature (texts). The
 * archive appears only complete (temporary name, then rename); an existing file is refused.
 * Returns 0 or a sysexits code with *why (caller frees). */
int bundle_write(const char *out_path, const bundle_files *forms, const char *manifest, const char *signature,
                 char **why);

/* Read the bundle at path and check it against the coordination's key pk: the signature of the
 * manifest (refused when made with another key, or when anything signed was changed), then each
 * file against the manifest (none missing, added or altered). Entries must be plain names of
 * forms files besides the two fixed ones, at most BUNDLE_MAX_FILES, each within the loader's cap.
 * On success m holds the manifest (release with bundle_manifest_done) and files the forms
 * (release with bundle_files_done). Returns 0; EXIT_NOINPUT when path cannot be read;
 * EXIT_DATAERR with a one-line *why naming the file and the problem. */
int bundle_open(const char *path, const minisign_pubkey *pk, bundle_manifest *m, bundle_files *files,
                char **why);

#endif
