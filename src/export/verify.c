/* verify.c — checking an export archive as its recipient would: an age file decrypted first,
 * every entry read in full (which checks the passphrase, the AES authentication codes or CRCs
 * and that nothing is cut), then every file compared with the manifest, and the manifest's
 * signature against a public key. Needs no database. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/archive_dl.h"
#include "export/csv.h"
#include "export/export_internal.h"
#include "export/safefile.h"

enum {
	MAX_ENTRIES = 256,       /* an export has a dozen files, one per form and five more */
	MAX_MANIFEST = 16 << 20, /* bytes, of the manifest and of the codebook */
	MAX_NAME = 79,           /* bytes of an entry name */
	MAX_SIGNATURE = 4096,    /* bytes of manifest.txt.minisig (about 300 in a real one) */
};
/* Decompression bombs: the whole archive decompresses to at most this many bytes, and an entry
 * past RATIO_FLOOR bytes to at most MAX_RATIO times what it takes in the zip. A real export
 * compresses about 3 to 10 to 1; a file of zeros about 1000 to 1. */
#define MAX_TOTAL_BYTES ((uint64_t)EXPORT_MAX_UNCOMPRESSED)
#define MAX_RATIO       EXPORT_MAX_RATIO
#define RATIO_FLOOR     (64 << 10)

typedef struct {
	char name[80];
	uint64_t bytes;
	uint64_t rows; /* CSV: data rows */
	bool is_csv, csv_ok, listed;
	const char *csv_problem;
	uint64_t csv_bad_record;
	char sha256[65];
} seen_file;

typedef struct {
	verify_ask_fn ask;
	void *ctx;
	int calls;
	bool asked;
} ask_state;

static const char *ask_once(struct archive *a, void *vctx)
{
	(void)a;
	ask_state *st = vctx;
	if (st->calls++ || !st->ask)
		return NULL; /* a second call means the first answer was wrong */
	const char *answer = st->ask(st->ctx);
	st->asked = answer != NULL;
	return answer;
}

/* ASCII case-insensitive search: libarchive's messages are English and their case varies. */
static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Turn a libarchive read error into one clear line. */
static int read_fail(struct archive *a, const char *path, const char *entry, bool encrypted, bool have_pass,
                     char **why)
{
	const char *msg = archive_error_string(a);
	if (!msg)
		msg = "erreur inconnue";
	if (encrypted && contains_ci(msg, "passphrase")) {
		if (!have_pass) {
			set_why(why,
			        "%s : archive chiffrée : donner la phrase de passe (--passphrase-file "
			        "FICHIER, ou "
			        "la saisir au clavier)",
			        path);
			return EXIT_USAGE;
		}
		set_why(why, "%s : phrase de passe incorrecte", path);
		return EXIT_DATAERR;
	}
	if (encrypted && contains_ci(msg, "authentication"))
		set_why(
		    why,
		    "%s : archive modifiée ou endommagée : %s ne passe pas le contrôle d'authenticité AES",
		    path, entry ? entry : "une entrée");
	else
		set_why(why, "%s : archive endommagée ou tronquée%s%s : %s", path, entry ? " dans " : "",
		        entry ? entry : "", msg);
	return EXIT_DATAERR;
}

/* Refuse an entry that decompresses to more than the archive may hold in all, or far more than
 * it takes in the zip: a decompression bomb. total: bytes of the entries read before. */
static int bomb_check(struct archive *a, const char *path, const seen_file *f, uint64_t total, int64_t start,
                      char **why)
{
	if (total + f->bytes > MAX_TOTAL_BYTES) {
		set_why(why,
		        "%s : %s : plus de %llu Mio une fois décompressée, l'archive est refusée (bombe de "
		        "décompression ?)",
		        path, f->name, (unsigned long long)(MAX_TOTAL_BYTES >> 20));
		return EXIT_DATAERR;
	}
	int64_t in = archive_filter_bytes(a, -1) - start;
	if (f->bytes > RATIO_FLOOR && f->bytes > (uint64_t)(in > 0 ? in : 1) * MAX_RATIO) {
		set_why(why,
		        "%s : %s : taux de compression anormal (plus de %d pour 1), l'archive est refusée "
		        "(bombe de décompression ?)",
		        path, f->name, MAX_RATIO);
		return EXIT_DATAERR;
	}
	return 0;
}

/* Read one entry to the end, hashing it, checking CSV shape, keeping the manifest's and the
 * codebook's texts. */
static int read_entry(struct archive *a, const char *path, seen_file *f, bool encrypted, const ask_state *as,
                      bool have_pass, uint64_t total, const verify_hooks *hooks, verify_report *rep,
                      char **why)
{
	bool hand = hooks && hooks->want && hooks->want(hooks->ctx, f->name);
	struct sha256_ctx h;
	sha256_init(&h);
	csv_reader cr;
	csv_reader_init(&cr);
	strbuf *keep = strcmp(f->name, EXPORT_MANIFEST) == 0    ? &rep->manifest
	               : strcmp(f->name, EXPORT_CODEBOOK) == 0  ? &rep->codebook
	               : strcmp(f->name, EXPORT_SIGNATURE) == 0 ? &rep->signature
	                                                        : NULL;
	size_t keep_max = keep == &rep->signature ? MAX_SIGNATURE : MAX_MANIFEST;
	int64_t start = archive_filter_bytes(a, -1);
	char buf[65536];
	la_ssize_t got;
	while ((got = archive_read_data(a, buf, sizeof buf)) > 0) {
		sha256_update(&h, (size_t)got, (const uint8_t *)buf);
		f->bytes += (uint64_t)got;
		int rc = bomb_check(a, path, f, total, start, why);
		if (rc)
			return rc;
		if (f->is_csv)
			csv_reader_feed(&cr, buf, (size_t)got);
		if (hand && (rc = hooks->data(hooks->ctx, f->name, buf, (size_t)got, why)))
			return rc;
		if (keep) {
			if (keep->len + (size_t)got > keep_max) {
				set_why(why, "%s : %s démesuré : ce n'est pas un export recueil", path,
				        f->name);
				return EXIT_DATAERR;
			}
			strbuf_add(keep, buf, (size_t)got);
		}
	}
	if (got < 0)
		return read_fail(a, path, f->name, encrypted, have_pass || as->asked, why);
	int rc = hand ? hooks->data(hooks->ctx, f->name, NULL, 0, why) : 0;
	if (rc)
		return rc;
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(&h, sizeof d, d);
	export_hex(d, sizeof d, f->sha256);
	if (f->is_csv) {
		f->csv_ok = csv_reader_finish(&cr);
		f->csv_problem = cr.problem;
		f->csv_bad_record = cr.bad_record;
		f->rows = cr.records ? cr.records - 1 : 0;
	}
	return 0;
}

bool export_manifest_token(const char *line, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);
	for (const char *p = line; (p = strstr(p, key)) != NULL; p++) {
		if ((p == line || p[-1] == ' ') && p[k] == '=') {
			const char *v = p + k + 1;
			size_t n = strcspn(v, " \r\n");
			if (n >= size)
				return false;
			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

static seen_file *find_seen(seen_file *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

/* Compare the manifest's "file:" lines with what was read. */
static int check_manifest(const char *path, const strbuf *manifest, seen_file *seen, size_t n_seen,
                          verify_report *rep, char **why)
{
	const char *text = strbuf_str(manifest);
	char format[64];
	if (strncmp(text, "# recueil", 9) != 0 ||
	    !export_manifest_value(text, "format", format, sizeof format) ||
	    strncmp(format, "recueil-export ", 15) != 0) {
		set_why(why, "%s : %s n'est pas un manifeste d'export recueil", path, EXPORT_MANIFEST);
		return EXIT_DATAERR;
	}
	if (strcmp(format, EXPORT_FORMAT) != 0) {
		set_why(why,
		        "%s : format d'archive « %.40s » inconnu de ce programme (recueil %s lit « %s ») : "
		        "mettre recueil à jour",
		        path, format, RECUEIL_VERSION, EXPORT_FORMAT);
		return EXIT_DATAERR;
	}
	size_t listed = 0;
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "file: ", 6) != 0)
			continue;
		char name[80], rows[32], bytes[32], sha[80];
		size_t n = strcspn(line + 6, " \r\n");
		if (n == 0 || n >= sizeof name || !export_manifest_token(line, "rows", rows, sizeof rows) ||
		    !export_manifest_token(line, "bytes", bytes, sizeof bytes) ||
		    !export_manifest_token(line, "sha256", sha, sizeof sha)) {
			set_why(why, "%s : ligne du manifeste illisible : %.60s", path, line);
			return EXIT_DATAERR;
		}
		memcpy(name, line + 6, n);
		name[n] = '\0';
		seen_file *f = find_seen(seen, n_seen, name);
		if (!f) {
			set_why(why, "%s : %s, listé dans le manifeste, manque dans l'archive", path, name);
			return EXIT_DATAERR;
		}
		if (f->listed) {
			set_why(why, "%s : %s listé deux fois dans le manifeste", path, name);
			return EXIT_DATAERR;
		}
		f->listed = true;
		listed++;
		char have[32];
		snprintf(have, sizeof have, "%llu", (unsigned long long)f->bytes);
		if (strcmp(sha, f->sha256) != 0 || strcmp(bytes, have) != 0) {
			set_why(why,
			        "%s : %s a été modifié : taille ou empreinte SHA-256 différente du manifeste",
			        path, name);
			return EXIT_DATAERR;
		}
		if (f->is_csv && !f->csv_ok) {
			set_why(why, "%s : %s n'est pas un CSV valide (enregistrement %llu : %s)", path, name,
			        (unsigned long long)f->csv_bad_record, f->csv_problem);
			return EXIT_DATAERR;
		}
		if (strcmp(rows, "-") != 0) {
			snprintf(have, sizeof have, "%llu", (unsigned long long)f->rows);
			if (!f->is_csv || strcmp(rows, have) != 0) {
				set_why(why,
				        "%s : %s compte %s ligne(s) alors que le manifeste en annonce %s",
				        path, name, have, rows);
				return EXIT_DATAERR;
			}
			if (strcmp(name, EXPORT_CODEBOOK) != 0 && strcmp(name, EXPORT_SEUILS) != 0)
				rep->rows += f->rows;
		}
	}
	for (size_t i = 0; i < n_seen; i++)
		if (!seen[i].listed && strcmp(seen[i].name, EXPORT_MANIFEST) != 0 &&
		    strcmp(seen[i].name, EXPORT_SIGNATURE) != 0) {
			set_why(why, "%s : %s n'est pas dans le manifeste : fichier ajouté après l'export",
			        path, seen[i].name);
			return EXIT_DATAERR;
		}
	rep->n_files = listed;
	return 0;
}

bool export_manifest_value(const char *text, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);
	for (const char *line = text; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, k) != 0 || line[k] != ':' || line[k + 1] != ' ')
			continue;
		const char *v = line + k + 2;
		size_t n = strcspn(v, "\r\n");
		if (n >= size)
			return false;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* A name that would write outside the directory where the archive is extracted. */
static bool name_escapes(const char *name)
{
	return name[0] == '/' || name[0] == '\\' || strstr(name, "..") != NULL || strchr(name, ':') != NULL;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > MAX_NAME || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static unsigned get16(const unsigned char *p)
{
	return p[0] | (unsigned)p[1] << 8;
}

static uint32_t get32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The end of the zip file: its end-of-central-directory record, in the last bytes of the file,
 * counting n_entries. libarchive can read a zip whose central directory is cut off (it then
 * walks the local headers): an archive cut short must still be refused. */
static int check_tail(const char *path, int fd, size_t n_entries, char **why)
{
	unsigned char buf[22 + 65535 + 20];
	size_t got = 0;
	struct stat st;
	long size = fstat(fd, &st) == 0 ? (long)st.st_size : -1;
	if (size >= 0) {
		long from = size > (long)sizeof buf ? size - (long)sizeof buf : 0;
		while (got < sizeof buf) {
			ssize_t n = pread(fd, buf + got, sizeof buf - got, (off_t)from + (off_t)got);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	/* The last record whose comment ends exactly at the end of the file. */
	for (size_t i = got >= 22 ? got - 22 + 1 : 0; i-- > 0;) {
		const unsigned char *e = buf + i;
		if (get32(e) != 0x06054b50 || i + 22 + get16(e + 20) != got)
			continue;
		unsigned entries = get16(e + 10);
		uint32_t cd_size = get32(e + 12), cd_offset = get32(e + 16);
		if (entries == 0xFFFF || cd_offset == 0xFFFFFFFF) /* Zip64: its own record precedes */
			return i >= 20 && get32(e - 20) == 0x07064b50 ? 0 : EXIT_DATAERR;
		long end_of_cd = (long)cd_offset + (long)cd_size;
		if (entries == n_entries && end_of_cd == size - (long)(got - i))
			return 0;
		break;
	}
	set_why(why,
	        "%s : archive tronquée ou endommagée : la fin du fichier zip (répertoire central) "
	        "manque ou ne correspond pas aux entrées",
	        path);
	return EXIT_DATAERR;
}

/* ------------------------------------------------------------ an age file around the zip */

static const char age_magic[] = "age-encryption.org/v1\n";

static bool is_age_file(int fd)
{
	char head[sizeof age_magic - 1];
	return pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
	       memcmp(head, age_magic, sizeof head) == 0;
}

static ssize_t fd_read(void *ctx, void *buf, size_t n)
{
	int fd = *(int *)ctx;
	for (;;) {
		ssize_t got = read(fd, buf, n);
		if (got >= 0 || errno != EINTR)
			return got;
	}
}

/* Decrypt the age file open on fd into a private, unlinked temporary file (*out, caller
 * fcloses): every chunk authenticated, the file complete. */
static int age_decrypt(const char *path, int fd, const verify_opts *vo, FILE **out, char **why)
{
	if (!vo->n_identities) {
		set_why(
		    why,
		    "%s : archive chiffrée pour la clé publique de son destinataire (age) : donner sa clé "
		    "privée avec --identity FICHIER",
		    path);
		return EXIT_USAGE;
	}
	char *inner = NULL;
	age_reader *r = age_reader_new(fd_read, &fd, vo->identities, vo->n_identities, &inner);
	if (!r) {
		set_why(why, "%s : archive age refusée : %s", path, inner);
		free(inner);
		return EXIT_DATAERR;
	}
	FILE *tmp = private_tmpfile(&inner);
	int rc = tmp ? 0 : EXIT_CANTCREAT;
	if (!tmp) {
		set_why(why, "%s : %s", path, inner);
		free(inner);
	}
	char *buf = rc ? NULL : xmalloc(AGE_CHUNK_SIZE);
	ssize_t got = 0;
	while (!rc && (got = age_reader_read(r, buf, AGE_CHUNK_SIZE, &inner)) > 0)
		if (fwrite(buf, 1, (size_t)got, tmp) != (size_t)got) {
			set_why(why, "%s : fichier de travail : écriture impossible (disque plein ?)", path);
			rc = EXIT_IOERR;
		}
	if (!rc && got < 0) {
		set_why(why, "%s : archive age refusée : %s", path, inner);
		free(inner);
		rc = EXIT_DATAERR;
	}
	if (!rc && fflush(tmp) != 0) {
		set_why(why, "%s : fichier de travail : écriture impossible (disque plein ?)", path);
		rc = EXIT_IOERR;
	}
	free(buf);
	age_reader_free(r);
	if (rc && tmp)
		fclose(tmp);
	else
		*out = tmp;
	return rc;
}

/* ------------------------------------------------------------ the zip */

/* An entry encrypted among plain ones, or the reverse: the entries of an export are all
 * encrypted or all plain, so one of them was replaced or added after the export. */
static int mixed_entries(const char *path, const char *name, bool encrypted, char **why)
{
	set_why(why,
	        "%s : entrées chiffrées et en clair mêlées (%.60s est %s, pas les autres) : archive modifiée "
	        "après l'export, refusée",
	        path, name_ok(name) ? name : "une entrée", encrypted ? "chiffrée" : "en clair");
	return EXIT_DATAERR;
}

/* Check the zip open on fd (path names it in messages). */
static int verify_zip(const char *path, int fd, const verify_opts *vo, verify_report *rep, char **why)
{
	struct archive *a = archive_read_new();
	if (!a) { /* libarchive is loaded on first use (archive_dl.h) */
		set_why(why, "%s : %s", path, archive_dl_error());
		return EXIT_UNAVAILABLE;
	}
	archive_read_support_format_zip(a);
	ask_state as = {vo->ask, vo->ask_ctx, 0, false};
	const char *passphrase = vo->passphrase;
	if (passphrase)
		archive_read_add_passphrase(a, passphrase);
	archive_read_set_passphrase_callback(a, &as, ask_once);
	int rc = 0;
	if (lseek(fd, 0, SEEK_SET) != 0 || archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		set_why(why, "%s : ce n'est pas une archive zip lisible (%s)", path, archive_error_string(a));
		archive_read_free(a);
		return EXIT_DATAERR;
	}
	seen_file *seen = NULL;
	size_t n_seen = 0;
	uint64_t total = 0;
	struct archive_entry *e;
	int r;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (name && name_escapes(name)) {
			char *clean = text_sanitize(name, false);
			set_why(why,
			        "%s : entrée « %.60s » : chemin absolu ou qui remonte de dossier, l'archive "
			        "est refusée",
			        path, clean);
			free(clean);
			rc = EXIT_DATAERR;
			break;
		}
		if (n_seen >= MAX_ENTRIES) {
			set_why(why, "%s : plus de %d entrées : ce n'est pas une archive d'export recueil",
			        path, MAX_ENTRIES);
			rc = EXIT_DATAERR;
			break;
		}
		if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0 &&
		    total + (uint64_t)archive_entry_size(e) > MAX_TOTAL_BYTES) {
			set_why(why,
			        "%s : %.60s annonce %lld octets : plus de %llu Mio une fois décompressée, "
			        "l'archive est refusée (bombe de décompression ?)",
			        path, name && name_ok(name) ? name : "une entrée",
			        (long long)archive_entry_size(e),
			        (unsigned long long)(MAX_TOTAL_BYTES >> 20));
			rc = EXIT_DATAERR;
			break;
		}
		if (!name || !name_ok(name)) {
			set_why(
			    why,
			    "%s : entrée inattendue « %.60s » : ce n'est pas une archive d'export recueil",
			    path, name ? name : "");
			rc = EXIT_DATAERR;
			break;
		}
		if (find_seen(seen, n_seen, name)) {
			set_why(why, "%s : entrée %s en double : archive modifiée", path, name);
			rc = EXIT_DATAERR;
			break;
		}
		bool encrypted = archive_entry_is_encrypted(e);
		if (n_seen && encrypted != rep->encrypted) {
			rc = mixed_entries(path, name, encrypted, why);
			break;
		}
		rep->encrypted = encrypted;
		seen = xrealloc(seen, (n_seen + 1) * sizeof *seen);
		seen_file *f = &seen[n_seen++];
		memset(f, 0, sizeof *f);
		snprintf(f->name, sizeof f->name, "%s", name);
		f->is_csv = ends_with(name, ".csv");
		rc = read_entry(a, path, f, encrypted, &as, passphrase != NULL, total, vo->hooks, rep, why);
		total += f->bytes;
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = read_fail(a, path, NULL, rep->encrypted, passphrase != NULL || as.asked, why);
	archive_read_free(a);
	if (!rc && !find_seen(seen, n_seen, EXPORT_MANIFEST)) {
		set_why(why,
		        "%s : pas de %s : ce n'est pas une archive d'export recueil, ou elle est tronquée",
		        path, EXPORT_MANIFEST);
		rc = EXIT_DATAERR;
	}
	if (!rc)
		rc = check_tail(path, fd, n_seen, why);
	if (!rc)
		rc = check_manifest(path, &rep->manifest, seen, n_seen, rep, why);
	free(seen);
	return rc;
}

int export_verify(const char *path, const char *passphrase, verify_ask_fn ask, void *ask_ctx,
                  verify_report *rep, char **why)
{
	return export_verify_ex(path, passphrase, ask, ask_ctx, NULL, rep, why);
}

int export_verify_ex(const char *path, const char *passphrase, verify_ask_fn ask, void *ask_ctx,
                     const verify_hooks *hooks, verify_report *rep, char **why)
{
	verify_opts vo = {.passphrase = passphrase, .ask = ask, .ask_ctx = ask_ctx, .hooks = hooks};
	return export_verify_opts(path, &vo, rep, why);
}

int export_verify_opts(const char *path, const verify_opts *vo, verify_report *rep, char **why)
{
	memset(rep, 0, sizeof *rep);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		set_why(why, "%s : archive illisible : %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_NOINPUT;
	}
	if (!S_ISREG(st.st_mode)) {
		set_why(why, "%s : ce n'est pas un fichier", path);
		close(fd);
		return EXIT_NOINPUT;
	}
	FILE *plain = NULL;
	int rc = 0;
	if (is_age_file(fd)) {
		rep->age = true;
		rc = age_decrypt(path, fd, vo, &plain, why);
		close(fd);
		if (rc)
			return rc;
		fd = fileno(plain);
	}
	rc = verify_zip(path, fd, vo, rep, why);
	if (plain)
		fclose(plain);
	else
		close(fd);
	unsigned char keyid[MINISIGN_KEYID_SIZE];
	if (rep->signature.len && minisign_sig_keyid(strbuf_str(&rep->signature), keyid))
		minisign_keyid_hex(keyid, rep->signer);
	return rc;
}

void verify_report_done(verify_report *rep)
{
	strbuf_done(&rep->manifest);
	strbuf_done(&rep->codebook);
	strbuf_done(&rep->signature);
}

/* ------------------------------------------------------------ the signature */

/* The value of "key:value" in a trusted comment of tab-separated fields, into out; false when
 * absent or too long. */
static bool comment_field(const char *comment, const char *key, char *out, size_t size)
{
	size_t k = strlen(key);
	for (const char *p = comment; p && *p; p = strchr(p, '\t') ? strchr(p, '\t') + 1 : NULL) {
		if (strncmp(p, key, k) != 0 || p[k] != ':')
			continue;
		size_t n = strcspn(p + k + 1, "\t");
		if (n >= size)
			return false;
		memcpy(out, p + k + 1, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* The trusted comment names the manifest's structure and export. */
static int comment_matches(const char *path, const char *comment, const char *manifest, char **why)
{
	static const char *const keys[][2] = {{EXPORT_SIG_STRUCTURE, "structure_code"},
	                                      {EXPORT_SIG_EXPORT_ID, "export_id"},
	                                      {EXPORT_SIG_SEQUENCE, "export_sequence"}};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		char signed_value[128], listed[128];
		if (!comment_field(comment, keys[i][0], signed_value, sizeof signed_value) ||
		    !export_manifest_value(manifest, keys[i][1], listed, sizeof listed) ||
		    strcmp(signed_value, listed) != 0) {
			set_why(why,
			        "%s : la signature ne porte pas sur cet export (%s du commentaire signé "
			        "absent ou différent du manifeste) : archive refusée",
			        path, keys[i][0]);
			return EXIT_DATAERR;
		}
	}
	return 0;
}

int export_signature_check(const verify_report *rep, const char *path, const minisign_pubkey *pk,
                           const char *whose, const char *hint, char **why)
{
	if (!rep->signature.len) {
		set_why(why,
		        "%s : archive non signée (pas de %s) : refusée ; elle a été modifiée, ou faite par "
		        "une version de recueil antérieure aux signatures : demander un nouvel export",
		        path, EXPORT_SIGNATURE);
		return EXIT_DATAERR;
	}
	char want[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_keyid_hex(pk->keyid, want);
	if (!*rep->signer) {
		set_why(why, "%s : %s illisible : archive refusée", path, EXPORT_SIGNATURE);
		return EXIT_DATAERR;
	}
	if (strcmp(rep->signer, want) != 0) {
		set_why(why, "%s : archive signée par une autre clé (%s) que %s (%s) : refusée%s%s", path,
		        rep->signer, whose, want, hint ? " ; " : "", hint ? hint : "");
		return EXIT_DATAERR;
	}
	char *comment = NULL, *inner = NULL;
	int rc = 0;
	if (!minisign_verify(pk, rep->manifest.s, rep->manifest.len, strbuf_str(&rep->signature), &comment,
	                     &inner)) {
		set_why(why, "%s : %s : manifeste modifié après l'export, archive refusée", path, inner);
		rc = EXIT_DATAERR;
	} else {
		rc = comment_matches(path, comment, strbuf_str(&rep->manifest), why);
	}
	free(comment);
	free(inner);
	return rc;
}
