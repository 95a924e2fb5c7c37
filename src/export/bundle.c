/* bundle.c — the zip of a bundle of forms written and read back with its checks (bundle.h). */
#include "export/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/ytree.h"
#include "export/archive_dl.h"
#include "export/safefile.h"

/* The manifest and its signature are small texts. */
enum { MAX_MANIFEST_BYTES = 64 * 1024, MAX_SIGNATURE_BYTES = 4096 };

/* ---------------------------------------------------------------- writing */

static la_ssize_t write_out(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	int fd = *(int *)ctx;
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return (la_ssize_t)n;
}

static int add_entry(struct archive *a, const char *name, const void *data, size_t n)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return ARCHIVE_FATAL;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_mtime(e, time(NULL), 0);
	int r = archive_write_header(a, e);
	if (r == ARCHIVE_OK && n && archive_write_data(a, data, n) != (la_ssize_t)n)
		r = ARCHIVE_FATAL;
	archive_entry_free(e);
	return r;
}

int bundle_write(const char *out_path, const bundle_files *forms, const char *manifest, const char *signature,
                 char **why)
{
	atomic_file out;
	int rc = atomic_open(&out, out_path, why);
	if (rc)
		return rc;
	struct archive *a = archive_write_new();
	if (!a) {
		set_why(why, "%s", archive_dl_error());
		atomic_abort(&out);
		return EXIT_UNAVAILABLE;
	}
	int r = archive_write_set_format_zip(a);
	if (r == ARCHIVE_OK)
		r = archive_write_set_options(a, "zip:compression-level=6,zip:hdrcharset=UTF-8");
	archive_write_set_bytes_in_last_block(a, 1);
	if (r == ARCHIVE_OK)
		r = archive_write_open(a, &out.fd, NULL, write_out, NULL);
	for (size_t i = 0; r == ARCHIVE_OK && i < forms->n; i++)
		r = add_entry(a, forms->v[i].name, forms->v[i].data, forms->v[i].size);
	if (r == ARCHIVE_OK)
		r = add_entry(a, BUNDLE_MANIFEST, manifest, strlen(manifest));
	if (r == ARCHIVE_OK)
		r = add_entry(a, BUNDLE_SIGNATURE, signature, strlen(signature));
	if (r == ARCHIVE_OK)
		r = archive_write_close(a);
	if (r != ARCHIVE_OK) {
		int err = archive_errno(a);
		set_why(why, "%s : écriture du paquet impossible : %s", out_path, archive_error_string(a));
		rc = err > 0 ? errno_exit_code(err) : EXIT_IOERR;
	}
	archive_write_free(a);
	if (!rc)
		rc = atomic_commit(&out, why);
	if (rc)
		atomic_abort(&out);
	else
		atomic_done(&out);
	return rc;
}

/* ---------------------------------------------------------------- reading */

/* What a bundle's zip held. */
typedef struct {
	strbuf manifest, signature;
	bool has_manifest, has_signature;
	bundle_files files;
} bundle_read;

/* Read the current entry whole into sb, refusing more than cap bytes. */
static int read_data(struct archive *a, const char *path, const char *name, size_t cap, strbuf *sb,
                     char **why)
{
	char buf[16384];
	la_ssize_t got;
	while ((got = archive_read_data(a, buf, sizeof buf)) > 0) {
		if (sb->len + (size_t)got > cap) {
			set_why(why, "%s : %s dépasse %zu octets : ce n'est pas un paquet de formulaires",
			        path, name, cap);
			return EXIT_DATAERR;
		}
		strbuf_add(sb, buf, (size_t)got);
	}
	if (got < 0) {
		set_why(why, "%s : %s illisible (%s) : paquet tronqué ou abîmé", path, name,
		        archive_error_string(a));
		return EXIT_DATAERR;
	}
	return 0;
}

/* One entry of the zip into b. */
static int read_entry(struct archive *a, struct archive_entry *e, const char *path, bundle_read *b,
                      char **why)
{
	const char *name = archive_entry_pathname(e);
	bool is_manifest = name && strcmp(name, BUNDLE_MANIFEST) == 0;
	bool is_sig = name && strcmp(name, BUNDLE_SIGNATURE) == 0;
	if (!name || (!is_manifest && !is_sig && !bundle_name_valid(name))) {
		char *clean = text_sanitize(name ? name : "", false);
		set_why(why, "%s : entrée inattendue « %.60s » : ce n'est pas un paquet de formulaires", path,
		        clean);
		free(clean);
		return EXIT_DATAERR;
	}
	if ((is_manifest && b->has_manifest) || (is_sig && b->has_signature) ||
	    bundle_files_find(&b->files, name)) {
		set_why(why, "%s : entrée %s en double : paquet modifié", path, name);
		return EXIT_DATAERR;
	}
	if (!is_manifest && !is_sig && b->files.n >= BUNDLE_MAX_FILES) {
		set_why(why, "%s : plus de %d formulaires : ce n'est pas un paquet de formulaires", path,
		        BUNDLE_MAX_FILES);
		return EXIT_DATAERR;
	}
	strbuf data = STRBUF_INIT;
	strbuf *into = is_manifest ? &b->manifest : is_sig ? &b->signature : &data;
	size_t cap = is_manifest ? MAX_MANIFEST_BYTES : is_sig ? MAX_SIGNATURE_BYTES : YTREE_MAX_BYTES;
	int rc = read_data(a, path, name, cap, into, why);
	if (!rc && !is_manifest && !is_sig)
		bundle_files_add(&b->files, name, data.s ? data.s : "", data.len, NULL);
	b->has_manifest |= is_manifest;
	b->has_signature |= is_sig;
	strbuf_done(&data);
	return rc;
}

/* Every entry of the zip at path into b. */
static int read_zip(const char *path, bundle_read *b, char **why)
{
	struct stat st;
	errno = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_why(why, "%s : paquet illisible : %s", path,
		        errno ? strerror(errno) : "ce n'est pas un fichier");
		if (fd >= 0)
			close(fd);
		return EXIT_NOINPUT;
	}
	struct archive *a = archive_read_new();
	if (!a) {
		set_why(why, "%s : %s", path, archive_dl_error());
		close(fd);
		return EXIT_UNAVAILABLE;
	}
	archive_read_support_format_zip(a);
	int rc = 0;
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		set_why(why, "%s : ce n'est pas une archive zip lisible (%s)", path, archive_error_string(a));
		rc = EXIT_DATAERR;
	}
	struct archive_entry *e;
	int r = ARCHIVE_EOF;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		rc = read_entry(a, e, path, b, why);
	if (!rc && r != ARCHIVE_EOF) {
		set_why(why, "%s : paquet tronqué ou abîmé (%s)", path, archive_error_string(a));
		rc = EXIT_DATAERR;
	}
	archive_read_free(a);
	close(fd);
	if (!rc && (!b->has_manifest || !b->has_signature)) {
		set_why(why, "%s : pas de %s : ce n'est pas un paquet de formulaires signé", path,
		        b->has_manifest ? BUNDLE_SIGNATURE : BUNDLE_MANIFEST);
		rc = EXIT_DATAERR;
	}
	return rc;
}

int bundle_open(const char *path, const minisign_pubkey *pk, bundle_manifest *m, bundle_files *files,
                char **why)
{
	memset(m, 0, sizeof *m);
	bundle_read b = {.manifest = STRBUF_INIT, .signature = STRBUF_INIT};
	int rc = read_zip(path, &b, why);
	char *sig_why = NULL;
	if (!rc &&
	    !minisign_verify(pk, b.manifest.s, b.manifest.len, strbuf_str(&b.signature), NULL, &sig_why)) {
		set_why(why, "%s : paquet refusé : %s", path, sig_why ? sig_why : "signature invalide");
		rc = EXIT_DATAERR;
	}
	free(sig_why);
	char *what = NULL;
	if (!rc && ((rc = bundle_manifest_parse(b.manifest.s, b.manifest.len, m, &what)) ||
	            (rc = bundle_check_files(m, &b.files, &what)))) {
		set_why(why, "%s : %s", path, what);
	}
	free(what);
	if (rc) {
		bundle_manifest_done(m);
		bundle_files_done(&b.files);
	} else {
		*files = b.files;
	}
	strbuf_done(&b.manifest);
	strbuf_done(&b.signature);
	return rc;
}
