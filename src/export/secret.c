/* secret.c — generating and reading export passphrases (see secret.h). */
#include "export/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

static bool no_dump;

bool secret_protected(void)
{
	return no_dump;
}

bool secret_protect(void *buf, size_t size)
{
	if (!no_dump) {
		/* Both: RLIMIT_CORE alone is not honoured by every core_pattern pipe handler, and
		 * a non-dumpable process still dumps (root-owned) when fs.suid_dumpable is 2. */
		struct rlimit none = {0, 0};
		bool a = setrlimit(RLIMIT_CORE, &none) == 0;
		bool b = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
		no_dump = a && b;
	}
	if (!buf || !size)
		return false;
	/* mlock rounds to whole pages itself. Refused without CAP_IPC_LOCK beyond
	 * RLIMIT_MEMLOCK (8 MiB by default since Linux 5.16, 64 KiB before): a few pages
	 * always fit, and a refusal only means the buffer may be swapped. */
	return mlock(buf, size) == 0;
}

static bool is_separator(char c)
{
	return c == ' ' || c == '-';
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; /* accents */
}

double secret_strength_bits(const char *pass)
{
	size_t words = 0, chars = 0;
	bool only_letters = true, in_word = false, lower = false, upper = false, digit = false, other = false;
	for (const unsigned char *p = (const unsigned char *)pass; *p; p++) {
		if (is_separator((char)*p)) {
			in_word = false;
			continue;
		}
		if (!in_word)
			words++;
		in_word = true;
		only_letters &= is_letter(*p);
		if ((*p & 0xC0) != 0x80) /* characters, not UTF-8 continuation bytes */
			chars++;
		lower |= *p >= 'a' && *p <= 'z';
		upper |= *p >= 'A' && *p <= 'Z';
		digit |= *p >= '0' && *p <= '9';
		other |= !is_letter(*p) && !(*p >= '0' && *p <= '9');
		other |= *p >= 0x80;
	}
	/* Words are written in lowercase (or capitalised); groups of capitals are symbols drawn
	 * one by one, as in the passphrases recueil generates. */
	if (words >= 2 && only_letters && lower)
		return 12.9 * (double)words;
	/* Digits are counted with letters even when none was drawn: a passphrase generated from
	 * letters and digits that happens to hold no digit had the same chance as any other. */
	int pool = 26 * lower + 26 * upper + 10 * (digit || lower || upper) + 33 * other;
	return pool > 1 ? (double)chars * log2(pool) : 0;
}

void secret_generate(char *out)
{
	secret_protect(out, SECRET_GENERATED_LEN + 1);
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char bytes[10];
	util_random_bytes(bytes, sizeof bytes);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	size_t symbols = 0, b = 0;
	while (symbols < 16) {
		if (bits < 5) {
			acc = (acc << 8) | bytes[b++];
			bits += 8;
		}
		bits -= 5;
		if (symbols && symbols % 4 == 0)
			out[o++] = '-';
		out[o++] = alphabet[(acc >> bits) & 31];
		symbols++;
	}
	out[o] = '\0';
	secret_wipe(bytes, sizeof bytes);
	secret_wipe(&acc, sizeof acc); /* its last bits are the passphrase's */
}

int secret_read_private(const char *path, const char *what, char *buf, size_t size, size_t *len, char **why)
{
	buf[0] = '\0';
	*len = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;
		set_why(why, "%s : %s illisible : %s", path, what, strerror(err));
		return err == ENOENT ? EXIT_NOINPUT : EXIT_NOPERM;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_why(why, "%s : ce n'est pas un fichier ordinaire (%s attendu)", path, what);
		close(fd);
		return EXIT_NOPERM;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		set_why(why,
		        "%s : %s accessible à d'autres que vous (mode %04o) : refusé ; le protéger avec "
		        "« chmod 600 %s »%s",
		        path, what, (unsigned)(st.st_mode & 07777), path,
		        st.st_uid != geteuid() ? " et en être propriétaire" : "");
		close(fd);
		return EXIT_NOPERM;
	}
	size_t n = 0;
	while (n + 1 < size) {
		ssize_t got = read(fd, buf + n, size - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	if (memchr(buf, '\0', n)) {
		secret_wipe(buf, size);
		*len = 0;
		set_why(why, "%s : %s : octet nul inattendu", path, what);
		return EXIT_DATAERR;
	}
	return 0;
}

int secret_from_file(const char *path, char *buf, size_t size, char **why)
{
	buf[0] = '\0';
	secret_protect(buf, size);
	size_t len;
	int rc = secret_read_private(path, "fichier de phrase de passe", buf, size, &len, why);
	if (rc)
		return rc;
	size_t line = strcspn(buf, "\r\n");
	if (line == len && len + 1 >= size) {
		secret_wipe(buf, size);
		set_why(why, "%s : phrase de passe trop longue (au plus %zu caractères)", path, size - 2);
		return EXIT_DATAERR;
	}
	secret_wipe(buf + line, size - line);
	if (line == 0) {
		set_why(why, "%s : la première ligne est vide : aucune phrase de passe", path);
		return EXIT_DATAERR;
	}
	return 0;
}
