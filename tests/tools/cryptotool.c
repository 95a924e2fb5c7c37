/* cryptotool.c — the age and minisign modules of the core on files, for the tests that check them
 * against the real `age` and `minisign` programs (tests/cli/test_crypto_interop.sh) and for the
 * encryption throughput of bench/run.sh. Built with the tests, never installed.
 *
 *   cryptotool age-keygen [-o FILE]            key file as age-keygen writes it (FILE made 0600)
 *   cryptotool age-recipient KEYFILE           its recipient, as age-keygen -y
 *   cryptotool encrypt -r RECIPIENT… [-o OUT] [IN]
 *   cryptotool decrypt -i KEYFILE… [-o OUT] [IN]
 *   cryptotool sign-keygen SECFILE PUBFILE     minisign key pair, the secret key without password
 *   cryptotool sign -s SECFILE [-t COMMENT] [-x SIGFILE] FILE
 *   cryptotool verify (-p PUBFILE | -P BASE64) [-x SIGFILE] FILE
 *   cryptotool fingerprint (-p PUBFILE | -P BASE64)
 *   cryptotool bench [MIB]                     age encryption and decryption throughput, MiB/s
 *
 * IN and OUT default to standard input and output; SIGFILE to FILE.minisig. Exit status: 0, 64
 * usage, 65 refused (wrong key, altered or truncated file, bad signature), 66 missing input, 73
 * cannot create, 74 I/O error. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/age.h"
#include "core/keymem.h"
#include "core/minisign.h"
#include "core/util.h"

#define MAX_KEYS      16
#define KEY_FILE_MAX  65536
#define SIG_FILE_MAX  16384
#define COPY_BUF_SIZE 65536

static int fail(int code, const char *what, const char *why)
{
	fprintf(stderr, "cryptotool: %s%s%s\n", what, why ? " : " : "", why ? why : "");
	return code;
}

/* fail with a message from the core, which is freed. */
static int fail_why(int code, const char *what, char **why)
{
	fail(code, what, *why);
	free(*why);
	*why = NULL;
	return code;
}

static int usage(void)
{
	fputs("usage : cryptotool age-keygen|age-recipient|encrypt|decrypt|sign-keygen|sign|verify|"
	      "fingerprint|bench … (voir tests/tools/cryptotool.c)\n",
	      stderr);
	return EXIT_USAGE;
}

/* ------------------------------------------------------------------ files */

/* The stream callbacks of the age module over stdio streams (files, pipes, memory). */
static int file_write(void *ctx, const void *buf, size_t n)
{
	return fwrite(buf, 1, n, ctx) == n ? 0 : -1;
}

static ssize_t file_read(void *ctx, void *buf, size_t n)
{
	size_t got = fread(buf, 1, n, ctx);
	return got == 0 && ferror((FILE *)ctx) ? -1 : (ssize_t)got;
}

/* Open path for reading ("-" or NULL: standard input); NULL after a message. */
static FILE *open_in(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return stdin;
	FILE *f = fopen(path, "rb");
	if (!f)
		fail(0, path, strerror(errno));
	return f;
}

/* Open path for writing, created with mode ("-" or NULL: standard output); NULL after a message. */
static FILE *open_out(const char *path, mode_t mode)
{
	if (!path || strcmp(path, "-") == 0)
		return stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "wb");
	if (!f)
		fail(0, path, strerror(errno));
	return f;
}

/* Close a stream of open_in or open_out (the standard ones are flushed only); 0 or EOF. */
static int close_file(FILE *f)
{
	if (!f || f == stdin)
		return 0;
	return f == stdout ? fflush(f) : fclose(f);
}

/* The content of a small file, NUL-terminated, in locked memory (keymem_free), or NULL. Read
 * without stdio's buffer, which would keep a copy of a key. */
static char *slurp(const char *path, size_t max)
{
	FILE *f = open_in(path);
	if (!f)
		return NULL;
	setvbuf(f, NULL, _IONBF, 0);
	char *buf = keymem_new(max + 1);
	size_t len = fread(buf, 1, max, f);
	close_file(f);
	if (len == max) {
		fail(0, path, "fichier trop grand");
		keymem_free(buf);
		return NULL;
	}
	return buf;
}

static int write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = open_out(path, mode);
	if (!f)
		return EXIT_CANTCREAT;
	int rc = file_write(f, text, strlen(text));
	if (close_file(f) != 0)
		rc = -1;
	return rc == 0 ? 0 : fail(EXIT_IOERR, path ? path : "sortie", strerror(errno));
}

/* ------------------------------------------------------------------ age */

static int cmd_age_keygen(int argc, char **argv)
{
	const char *out = NULL;
	int c;
	while ((c = getopt(argc, argv, "o:")) != -1) {
		if (c != 'o')
			return usage();
		out = optarg;
	}
	char *why = NULL;
	char *text = keymem_new(AGE_KEYFILE_MAX);
	age_recipient r;
	if (!age_keygen(text, AGE_KEYFILE_MAX, time(NULL), &r, &why)) {
		keymem_free(text);
		return fail_why(EXIT_SOFTWARE, "age-keygen", &why);
	}
	int rc = write_text(out, text, 0600);
	keymem_free(text);
	char pub[AGE_RECIPIENT_LEN + 1];
	age_recipient_format(&r, pub);
	fprintf(stderr, "Public key: %s\n", pub);
	return rc;
}

/* Parse the identity file at path; NULL after a message. */
static age_identity *load_identity(const char *path)
{
	char *text = slurp(path, KEY_FILE_MAX);
	if (!text)
		return NULL;
	char *why = NULL;
	age_identity *id = age_identity_parse(text, &why);
	keymem_free(text);
	if (!id) {
		fail_why(0, path, &why);
	}
	return id;
}

static int cmd_age_recipient(int argc, char **argv)
{
	if (argc != 2)
		return usage();
	age_identity *id = load_identity(argv[1]);
	if (!id)
		return EXIT_DATAERR;
	age_recipient r;
	char pub[AGE_RECIPIENT_LEN + 1];
	age_identity_to_recipient(id, &r);
	age_identity_free(id);
	age_recipient_format(&r, pub);
	printf("%s\n", pub);
	return 0;
}

static int cmd_encrypt(int argc, char **argv)
{
	age_recipient rcpt[MAX_KEYS];
	size_t n = 0;
	const char *out = NULL;
	char *why = NULL;
	int c;
	while ((c = getopt(argc, argv, "r:o:")) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'r' && n < MAX_KEYS) {
			if (!age_recipient_parse(optarg, &rcpt[n++], &why))
				return fail_why(EXIT_DATAERR, "-r", &why);
		} else {
			return usage();
		}
	}
	if (n == 0 || argc - optind > 1)
		return usage();
	const char *in_path = optind < argc ? argv[optind] : NULL;
	FILE *in = open_in(in_path);
	if (!in)
		return EXIT_NOINPUT;
	FILE *f = open_out(out, 0644);
	if (!f)
		return EXIT_CANTCREAT;
	age_writer *w = age_writer_new(file_write, f, rcpt, n, &why);
	if (!w)
		return fail_why(EXIT_IOERR, "chiffrement", &why);
	unsigned char *buf = xmalloc(COPY_BUF_SIZE);
	ssize_t r;
	int rc = 0;
	while (rc == 0 && (r = file_read(in, buf, COPY_BUF_SIZE)) != 0) {
		if (r < 0)
			rc = fail(EXIT_IOERR, in_path ? in_path : "entrée", strerror(errno));
		else if (age_writer_write(w, buf, (size_t)r, &why) != 0)
			rc = fail_why(EXIT_IOERR, "chiffrement", &why);
	}
	free(buf);
	if (rc != 0)
		age_writer_free(w);
	else if (age_writer_close(w, &why) != 0)
		rc = fail_why(EXIT_IOERR, "chiffrement", &why);
	close_file(in);
	if (close_file(f) != 0 && rc == 0)
		rc = fail(EXIT_IOERR, out ? out : "sortie", strerror(errno));
	return rc;
}

static int cmd_decrypt(int argc, char **argv)
{
	age_identity *ids[MAX_KEYS];
	size_t n = 0;
	const char *out = NULL;
	char *why = NULL;
	int c, rc = 0;
	while (rc == 0 && (c = getopt(argc, argv, "i:o:")) != -1) {
		if (c == 'o') {
			out = optarg;
		} else if (c == 'i' && n < MAX_KEYS) {
			ids[n] = load_identity(optarg);
			if (ids[n])
				n++;
			else
				rc = EXIT_DATAERR;
		} else {
			rc = usage();
		}
	}
	if (rc == 0 && (n == 0 || argc - optind > 1))
		rc = usage();
	const char *in_path = optind < argc ? argv[optind] : NULL;
	FILE *in = rc == 0 ? open_in(in_path) : NULL;
	if (rc == 0 && !in)
		rc = EXIT_NOINPUT;
	age_reader *r = NULL;
	if (rc == 0 && !(r = age_reader_new(file_read, in, (const age_identity *const *)ids, n, &why)))
		rc = fail_why(EXIT_DATAERR, in_path ? in_path : "entrée", &why);
	for (size_t i = 0; i < n; i++)
		age_identity_free(ids[i]);
	FILE *f = rc == 0 ? open_out(out, 0600) : NULL;
	if (rc == 0 && !f)
		rc = EXIT_CANTCREAT;
	unsigned char *buf = xmalloc(COPY_BUF_SIZE);
	ssize_t got;
	while (rc == 0 && (got = age_reader_read(r, buf, COPY_BUF_SIZE, &why)) != 0) {
		if (got < 0)
			rc = fail_why(EXIT_DATAERR, in_path ? in_path : "entrée", &why);
		else if (file_write(f, buf, (size_t)got) != 0)
			rc = fail(EXIT_IOERR, out ? out : "sortie", strerror(errno));
	}
	sodium_memzero(buf, COPY_BUF_SIZE);
	free(buf);
	age_reader_free(r);
	close_file(in);
	if (close_file(f) != 0 && rc == 0)
		rc = fail(EXIT_IOERR, out ? out : "sortie", strerror(errno));
	return rc;
}

/* ------------------------------------------------------------------ minisign */

static int cmd_sign_keygen(int argc, char **argv)
{
	if (argc != 3)
		return usage();
	char *why = NULL;
	minisign_seckey *sk = minisign_keygen(&why);
	if (!sk)
		return fail_why(EXIT_SOFTWARE, "sign-keygen", &why);
	char *text = keymem_new(MINISIGN_SECKEY_TEXT_MAX);
	minisign_seckey_text(sk, text, MINISIGN_SECKEY_TEXT_MAX);
	int rc = write_text(argv[1], text, 0600);
	keymem_free(text);
	minisign_pubkey pk;
	minisign_seckey_pubkey(sk, &pk);
	minisign_seckey_free(sk);
	char *pub = minisign_pubkey_text(&pk);
	if (rc == 0)
		rc = write_text(argv[2], pub, 0644);
	free(pub);
	return rc;
}

/* The signature file of path: sig_path, or path.minisig. Caller frees. */
static char *sig_file(const char *path, const char *sig_path)
{
	return sig_path ? xstrdup(sig_path) : xasprintf("%s.minisig", path);
}

static int cmd_sign(int argc, char **argv)
{
	const char *sec = NULL, *comment = NULL, *sig_path = NULL;
	int c;
	while ((c = getopt(argc, argv, "s:t:x:")) != -1) {
		if (c == 's')
			sec = optarg;
		else if (c == 't')
			comment = optarg;
		else if (c == 'x')
			sig_path = optarg;
		else
			return usage();
	}
	if (!sec || argc - optind != 1)
		return usage();
	char *text = slurp(sec, KEY_FILE_MAX), *why = NULL;
	if (!text)
		return EXIT_NOINPUT;
	minisign_seckey *sk = minisign_seckey_parse(text, &why);
	keymem_free(text);
	if (!sk)
		return fail_why(EXIT_DATAERR, sec, &why);
	const char *path = argv[optind];
	char *sig = minisign_sign_file(sk, path, comment, &why);
	minisign_seckey_free(sk);
	if (!sig)
		return fail_why(EXIT_DATAERR, path, &why);
	char *out = sig_file(path, sig_path);
	int rc = write_text(out, sig, 0644);
	free(out);
	free(sig);
	return rc;
}

/* The public key of -p FILE or -P BASE64 among the options; false after a message. */
static bool pubkey_option(int c, const char *arg, minisign_pubkey *pk, bool *have)
{
	char *why = NULL, *text = c == 'p' ? slurp(arg, KEY_FILE_MAX) : NULL;
	if (c == 'p' && !text)
		return false;
	bool ok = minisign_pubkey_parse(c == 'p' ? text : arg, pk, &why);
	keymem_free(text);
	if (!ok) {
		fail_why(0, c == 'p' ? arg : "-P", &why);
	}
	*have = ok;
	return ok;
}

static int cmd_verify(int argc, char **argv)
{
	minisign_pubkey pk;
	bool have = false;
	const char *sig_path = NULL;
	int c;
	while ((c = getopt(argc, argv, "p:P:x:")) != -1) {
		if (c == 'p' || c == 'P') {
			if (!pubkey_option(c, optarg, &pk, &have))
				return EXIT_DATAERR;
		} else if (c == 'x') {
			sig_path = optarg;
		} else {
			return usage();
		}
	}
	if (!have || argc - optind != 1)
		return usage();
	const char *path = argv[optind];
	char *sig_name = sig_file(path, sig_path);
	char *sig = slurp(sig_name, SIG_FILE_MAX), *why = NULL, *comment = NULL;
	free(sig_name);
	if (!sig)
		return EXIT_NOINPUT;
	bool ok = minisign_verify_file(&pk, path, sig, &comment, &why);
	keymem_free(sig);
	if (!ok)
		return fail_why(EXIT_DATAERR, path, &why);
	printf("Signature et commentaire de confiance vérifiés\nCommentaire de confiance : %s\n", comment);
	free(comment);
	return 0;
}

static int cmd_fingerprint(int argc, char **argv)
{
	minisign_pubkey pk;
	bool have = false;
	int c;
	while ((c = getopt(argc, argv, "p:P:")) != -1) {
		if (c != 'p' && c != 'P')
			return usage();
		if (!pubkey_option(c, optarg, &pk, &have))
			return EXIT_DATAERR;
	}
	if (!have || optind != argc)
		return usage();
	char id[MINISIGN_KEYID_HEX_LEN + 1], fp[MINISIGN_FINGERPRINT_LEN + 1];
	minisign_keyid_hex(pk.keyid, id);
	minisign_pubkey_fingerprint(&pk, fp);
	printf("%s %s\n", id, fp);
	return 0;
}

/* ------------------------------------------------------------------ bench */

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int discard(void *ctx, const void *p, size_t n)
{
	(void)p;
	*(size_t *)ctx += n;
	return 0;
}

/* Encrypt size bytes of plain through write(ctx, …). */
static bool encrypt_all(age_write_fn write, void *ctx, const age_recipient *r, const unsigned char *plain,
                        size_t size, char **why)
{
	age_writer *w = age_writer_new(write, ctx, r, 1, why);
	bool ok = w != NULL;
	for (size_t at = 0; ok && at < size; at += COPY_BUF_SIZE)
		ok = age_writer_write(w, plain + at, size - at < COPY_BUF_SIZE ? size - at : COPY_BUF_SIZE,
		                      why) == 0;
	if (!ok)
		age_writer_free(w);
	return ok && age_writer_close(w, why) == 0;
}

/* Encrypt MIB MiB held in memory, then decrypt them: the throughput of the format alone, without
 * disk or pipe (the ciphertext to decrypt is made first, untimed, into memory; the timed
 * encryption writes to a sink that only counts). */
static int cmd_bench(int argc, char **argv)
{
	long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 64;
	if (argc > 2 || mib <= 0 || mib > 4096)
		return usage();
	char *why = NULL, *key = keymem_new(AGE_KEYFILE_MAX);
	age_recipient r;
	if (!age_keygen(key, AGE_KEYFILE_MAX, time(NULL), &r, &why))
		return fail_why(EXIT_SOFTWARE, "bench", &why);
	age_identity *id = age_identity_parse(key, &why);
	keymem_free(key);
	size_t size = (size_t)mib << 20, counted = 0;
	unsigned char *plain = xmalloc(size);
	randombytes_buf(plain, size);
	char *cipher = NULL;
	size_t cipher_len = 0;
	FILE *m = open_memstream(&cipher, &cipher_len);
	if (!m || !encrypt_all(file_write, m, &r, plain, size, &why) || fclose(m) != 0)
		return fail_why(EXIT_SOFTWARE, "bench", &why);
	double t0 = seconds();
	if (!encrypt_all(discard, &counted, &r, plain, size, &why) || counted != cipher_len)
		return fail_why(EXIT_SOFTWARE, "bench", &why);
	double t1 = seconds();
	const age_identity *ids[] = {id};
	m = fmemopen(cipher, cipher_len, "rb");
	age_reader *rd = m ? age_reader_new(file_read, m, ids, 1, &why) : NULL;
	unsigned char *back = xmalloc(COPY_BUF_SIZE);
	size_t total = 0;
	ssize_t got;
	while (rd && (got = age_reader_read(rd, back, COPY_BUF_SIZE, &why)) > 0) {
		if (memcmp(back, plain + total, (size_t)got) != 0)
			return fail(EXIT_SOFTWARE, "bench", "le texte déchiffré diffère");
		total += (size_t)got;
	}
	double t2 = seconds();
	age_reader_free(rd);
	if (m)
		fclose(m);
	age_identity_free(id);
	if (total != size)
		return fail(EXIT_SOFTWARE, "bench", why ? why : "texte déchiffré incomplet");
	printf("age encrypt %ld MiB: %.1f MiB/s\nage decrypt %ld MiB: %.1f MiB/s\n", mib,
	       (double)mib / (t1 - t0), mib, (double)mib / (t2 - t1));
	free(back);
	free(plain);
	free(cipher);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} cmds[] = {
	    {"age-keygen", cmd_age_keygen}, {"age-recipient", cmd_age_recipient}, {"encrypt", cmd_encrypt},
	    {"decrypt", cmd_decrypt},       {"sign-keygen", cmd_sign_keygen},     {"sign", cmd_sign},
	    {"verify", cmd_verify},         {"fingerprint", cmd_fingerprint},     {"bench", cmd_bench},
	};
	char *why = NULL;
	if (!keymem_ready(&why))
		return fail_why(EXIT_SOFTWARE, "libsodium", &why);
	for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	return usage();
}
