/* secret.c — generating and reading export passphrases (see secret.h). */
#include "export/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"
#include "store/store.h"

void secret_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void secret_generate(char *out)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	unsigned char bytes[10];
	random_bytes(bytes, sizeof bytes);
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
	acc = 0;
}

int secret_from_file(const char *path, char *buf, size_t size, char **why)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;
		set_why(why, "%s : fichier de phrase de passe illisible : %s", path, strerror(err));
		return err == ENOENT ? EXIT_NOINPUT : EXIT_NOPERM;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_why(why, "%s : la phrase de passe doit être dans un fichier ordinaire", path);
		close(fd);
		return EXIT_NOPERM;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077)) {
		set_why(why,
		        "%s : fichier de phrase de passe accessible à d'autres que vous (mode %04o) : refusé "
		        "; le "
		        "protéger avec « chmod 600 %s »%s",
		        path, (unsigned)(st.st_mode & 07777), path,
		        st.st_uid != geteuid() ? " et en être propriétaire" : "");
		close(fd);
		return EXIT_NOPERM;
	}
	size_t len = 0;
	for (;;) {
		if (len + 1 >= size)
			break;
		ssize_t got = read(fd, buf + len, size - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		secret_wipe(buf, size);
		set_why(why, "%s : la phrase de passe contient un octet nul", path);
		return EXIT_DATAERR;
	}
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
