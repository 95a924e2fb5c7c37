/* forms_bundle.c — the files of a forms directory, their digest, a bundle's manifest, and the
 * replacement of a directory's forms (forms_bundle.h). */
#include "core/forms_bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/form.h"
#include "core/ytree.h"

/* ---------------------------------------------------------------- files */

static void sha256_hex(const void *data, size_t n, char out[65])
{
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(d, data, n);
	sodium_bin2hex(out, 65, d, sizeof d);
}

void bundle_files_done(bundle_files *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->v[i].name);
		free(fl->v[i].data);
	}
	free(fl->v);
	fl->v = NULL;
	fl->n = 0;
}

void bundle_files_add(bundle_files *fl, const char *name, const void *data, size_t size, const char *sha256)
{
	size_t at = fl->n;
	while (at > 0 && strcmp(fl->v[at - 1].name, name) > 0)
		at--;
	fl->v = xrealloc(fl->v, (fl->n + 1) * sizeof *fl->v);
	memmove(&fl->v[at + 1], &fl->v[at], (fl->n - at) * sizeof *fl->v);
	fl->n++;
	bundle_file *f = &fl->v[at];
	f->name = xstrdup(name);
	f->size = size;
	f->data = NULL;
	if (data) {
		f->data = xmalloc(size + 1);
		memcpy(f->data, data, size);
		f->data[size] = '\0';
		sha256_hex(data, size, f->sha256);
	} else {
		snprintf(f->sha256, sizeof f->sha256, "%s", sha256);
	}
}

const bundle_file *bundle_files_find(const bundle_files *fl, const char *name)
{
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i].name, name) == 0)
			return &fl->v[i];
	return NULL;
}

bool bundle_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n < 6 || n > 64 || name[0] == '.' || strcmp(name + n - 5, ".yaml") != 0)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

/* Read the file at path whole (at most YTREE_MAX_BYTES) into fl as name. */
static int read_one(const char *path, const char *name, bundle_files *fl, char **why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		set_why(why, "%s : lecture impossible : %s", path, strerror(errno));
		return errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
	}
	strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0 && sb.len <= YTREE_MAX_BYTES)
		strbuf_add(&sb, buf, got);
	int rc = 0;
	if (ferror(f)) {
		set_why(why, "%s : erreur de lecture", path);
		rc = EXIT_IOERR;
	} else if (sb.len > YTREE_MAX_BYTES) {
		set_why(why, "%s : fichier trop grand (au plus %d octets)", path, YTREE_MAX_BYTES);
		rc = EXIT_DATAERR;
	} else {
		bundle_files_add(fl, name, sb.s ? sb.s : "", sb.len, NULL);
	}
	fclose(f);
	strbuf_done(&sb);
	return rc;
}

int forms_dir_read(const char *dir, bundle_files *out, char **why)
{
	char **names;
	size_t n;
	if (!formset_dir_files(dir, &names, &n, why))
		return EXIT_NOINPUT;
	int rc = 0;
	if (n > BUNDLE_MAX_FILES) {
		set_why(why, "%s : %zu fichiers de formulaires, au plus %d", dir, n, BUNDLE_MAX_FILES);
		rc = EXIT_DATAERR;
	}
	for (size_t i = 0; i < n; i++) {
		if (!rc && !bundle_name_valid(names[i])) {
			set_why(why,
			        "%s/%s : nom de fichier refusé (lettres sans accent, chiffres, _, - et ., "
			        "64 caractères au plus)",
			        dir, names[i]);
			rc = EXIT_DATAERR;
		}
		if (!rc) {
			char *path = xasprintf("%s/%s", dir, names[i]);
			rc = read_one(path, names[i], out, why);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The "file: NAME bytes=N sha256=HEX" lines of fl. */
static void file_lines(strbuf *sb, const bundle_files *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		strbuf_printf(sb, "file: %s bytes=%zu sha256=%s\n", fl->v[i].name, fl->v[i].size,
		              fl->v[i].sha256);
}

void bundle_digest(const bundle_files *fl, char out[65])
{
	strbuf sb = STRBUF_INIT;
	file_lines(&sb, fl);
	sha256_hex(strbuf_str(&sb), sb.len, out);
	strbuf_done(&sb);
}

int forms_dir_digest(const char *dir, char out[65], char **why)
{
	bundle_files fl = {0};
	int rc = forms_dir_read(dir, &fl, why);
	if (!rc)
		bundle_digest(&fl, out);
	bundle_files_done(&fl);
	return rc;
}

/* ---------------------------------------------------------------- replacing a directory's forms */

/* Write f under a new hidden temporary name in dir (mode: that of the file it replaces, else
 * the directory's read and write bits), synced. Returns the temporary path (caller frees) or
 * NULL with *why. */
static char *write_temp(const char *dir, const bundle_file *f, mode_t dir_mode, char **why)
{
	char *tmp = xasprintf("%s/.%s.new-XXXXXX", dir, f->name);
	char *final = xasprintf("%s/%s", dir, f->name);
	struct stat st;
	mode_t mode = stat(final, &st) == 0 ? st.st_mode & 07777 : dir_mode & 0666;
	free(final);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		set_why(why, "%s : création impossible dans le dossier des formulaires : %s", dir,
		        strerror(errno));
		free(tmp);
		return NULL;
	}
	size_t done = 0;
	while (done < f->size) {
		ssize_t w = write(fd, f->data + done, f->size - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int err = done == f->size ? 0 : errno ? errno : EIO;
	if (!err && (fchmod(fd, mode) != 0 || fsync(fd) != 0))
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		set_why(why, "%s : écriture impossible : %s", tmp, strerror(err));
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int forms_dir_replace(const char *dir, const bundle_files *fl, char **why)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		set_why(why, "%s : dossier des formulaires introuvable", dir);
		return EXIT_NOINPUT;
	}
	char **tmp = xcalloc(fl->n ? fl->n : 1, sizeof *tmp);
	int rc = 0;
	for (size_t i = 0; i < fl->n && !rc; i++)
		if (!(tmp[i] = write_temp(dir, &fl->v[i], st.st_mode, why)))
			rc = EXIT_CANTCREAT;
	for (size_t i = 0; i < fl->n && !rc; i++) {
		char *final = xasprintf("%s/%s", dir, fl->v[i].name);
		if (rename(tmp[i], final) != 0) {
			set_why(why, "%s : remplacement impossible : %s", final, strerror(errno));
			rc = EXIT_IOERR;
		} else {
			free(tmp[i]);
			tmp[i] = NULL;
		}
		free(final);
	}
	for (size_t i = 0; i < fl->n; i++) {
		if (tmp[i])
			unlink(tmp[i]);
		free(tmp[i]);
	}
	free(tmp);
	char **names;
	size_t n;
	if (!rc && formset_dir_files(dir, &names, &n, why)) {
		for (size_t i = 0; i < n; i++) {
			if (!rc && !bundle_files_find(fl, names[i])) {
				char *path = xasprintf("%s/%s", dir, names[i]);
				if (unlink(path) != 0) {
					set_why(why, "%s : suppression impossible : %s", path,
					        strerror(errno));
					rc = EXIT_IOERR;
				}
				free(path);
			}
			free(names[i]);
		}
		free(names);
	}
	fsync_dir(dir);
	return rc;
}

/* ---------------------------------------------------------------- the manifest */

char *bundle_manifest_text(const bundle_files *fl, long version, const char *published_at,
                           const char *published_by)
{
	strbuf sb = STRBUF_INIT;
	char digest[65];
	bundle_digest(fl, digest);
	char *by = text_sanitize(published_by ? published_by : "", false);
	strbuf_puts(&sb,
	            "# recueil : formulaires du réseau (installer avec « recueil forms install FICHIER »)\n");
	strbuf_puts(&sb, "format: " BUNDLE_FORMAT "\n");
	strbuf_printf(&sb, "version: %ld\npublished_at: %s\npublished_by: %s\n", version, published_at, by);
	file_lines(&sb, fl);
	strbuf_printf(&sb, "digest: %s\n", digest);
	free(by);
	return strbuf_take(&sb);
}

void bundle_manifest_done(bundle_manifest *m)
{
	free(m->published_by);
	bundle_files_done(&m->listed);
	memset(m, 0, sizeof *m);
}

static bool is_hex64(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* One "file: NAME bytes=N sha256=HEX" line (the text after "file: ") into m. */
static int parse_file_line(const char *rest, bundle_manifest *m, char **why)
{
	char name[80], sha[80];
	unsigned long long bytes;
	int used = 0;
	if (sscanf(rest, "%79s bytes=%llu sha256=%79s%n", name, &bytes, sha, &used) != 3 || rest[used] ||
	    !bundle_name_valid(name) || !is_hex64(sha) || bytes > YTREE_MAX_BYTES) {
		set_why(why, "manifeste du paquet : ligne « file: » invalide");
		return EXIT_DATAERR;
	}
	if (bundle_files_find(&m->listed, name) || m->listed.n >= BUNDLE_MAX_FILES) {
		set_why(why, "manifeste du paquet : %s",
		        m->listed.n >= BUNDLE_MAX_FILES ? "trop de fichiers" : "fichier en double");
		return EXIT_DATAERR;
	}
	bundle_files_add(&m->listed, name, NULL, (size_t)bytes, sha);
	return 0;
}

/* One "key: value" line of the manifest into m. */
static int parse_line(const char *line, bundle_manifest *m, bool *format_seen, char **why)
{
	long long v;
	if (str_starts(line, "format: ")) {
		if (strcmp(line + 8, BUNDLE_FORMAT) != 0) {
			set_why(why, "paquet de formulaires de format inconnu (« %.40s », attendu « %s »)",
			        line + 8, BUNDLE_FORMAT);
			return EXIT_DATAERR;
		}
		*format_seen = true;
	} else if (str_starts(line, "version: ")) {
		if (!parse_integer(line + 9, &v) || v < 1 || v > 1000000000) {
			set_why(why, "manifeste du paquet : version invalide");
			return EXIT_DATAERR;
		}
		m->version = (long)v;
	} else if (str_starts(line, "published_at: ")) {
		snprintf(m->published_at, sizeof m->published_at, "%s", line + 14);
	} else if (str_starts(line, "published_by: ")) {
		free(m->published_by);
		m->published_by = text_sanitize(line + 14, false);
	} else if (str_starts(line, "file: ")) {
		return parse_file_line(line + 6, m, why);
	} else if (str_starts(line, "digest: ")) {
		snprintf(m->digest, sizeof m->digest, "%s", line + 8);
	}
	return 0;
}

int bundle_manifest_parse(const char *text, size_t n, bundle_manifest *m, char **why)
{
	memset(m, 0, sizeof *m);
	if (memchr(text, '\0', n) || !utf8_valid(text, n)) {
		set_why(why, "manifeste du paquet illisible (texte UTF-8 attendu)");
		return EXIT_DATAERR;
	}
	char *copy = xstrndup(text, n);
	bool format_seen = false;
	int rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line && !rc; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[len - 1] = '\0';
		if (line[0] != '#')
			rc = parse_line(line, m, &format_seen, why);
	}
	free(copy);
	if (rc)
		return rc;
	char digest[65];
	bundle_digest(&m->listed, digest);
	if (!format_seen || m->version < 1 || !m->listed.n) {
		set_why(why,
		        "ce fichier n'est pas un paquet de formulaires de recueil (manifeste incomplet)");
		return EXIT_DATAERR;
	}
	if (strcmp(digest, m->digest) != 0) {
		set_why(why,
		        "manifeste du paquet : l'empreinte d'ensemble ne correspond pas aux fichiers listés");
		return EXIT_DATAERR;
	}
	return 0;
}

int bundle_check_files(const bundle_manifest *m, const bundle_files *fl, char **why)
{
	for (size_t i = 0; i < m->listed.n; i++) {
		const bundle_file *want = &m->listed.v[i], *got = bundle_files_find(fl, want->name);
		if (!got) {
			set_why(why, "paquet incomplet : %s manque", want->name);
			return EXIT_DATAERR;
		}
		if (got->size != want->size || strcmp(got->sha256, want->sha256) != 0) {
			set_why(why, "paquet altéré : %s ne correspond pas au manifeste signé", want->name);
			return EXIT_DATAERR;
		}
	}
	for (size_t i = 0; i < fl->n; i++)
		if (!bundle_files_find(&m->listed, fl->v[i].name)) {
			set_why(why, "paquet altéré : %s n'est pas dans le manifeste signé", fl->v[i].name);
			return EXIT_DATAERR;
		}
	return 0;
}
