/* passphrase.c — the passphrase of an archive as the commands get it (export, verify, import):
 * from a private file, or typed on the terminal without echo. */
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"

int cli_read_secret(const char *prompt, char *buf, size_t size)
{
	if (!isatty(STDIN_FILENO) || size < 2)
		return -1;
	secret_protect(buf, size); /* before the first byte is read: no core dump, no swap */
	struct termios old, quiet;
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* Echo off before the prompt shows, so that nothing typed after it is ever displayed. */
	tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	fputs(prompt, stderr);
	fflush(stderr);
	/* read(2), not stdio: nothing of the secret stays in a stdio buffer. */
	size_t len = 0;
	bool done = false;
	while (!done && len + 1 < size) {
		char c;
		ssize_t got = read(STDIN_FILENO, &c, 1);
		if (got <= 0 || c == '\n' || c == '\r')
			done = true;
		else
			buf[len++] = c;
	}
	if (!done) { /* too long: drain the rest of the line */
		char c;
		while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
			;
	}
	buf[len] = '\0';
	tcsetattr(STDIN_FILENO, TCSANOW, &old);
	fputc('\n', stderr);
	return (int)len;
}

int cli_passphrase(const char *file, bool ask, bool twice, const char *prompt, char *pass)
{
	memset(pass, 0, SECRET_MAX);
	if (file) {
		char *why = NULL;
		int rc = secret_from_file(file, pass, SECRET_MAX, &why);
		return rc ? cli_fail(rc, why) : 0;
	}
	if (!ask)
		return 0;
	if (cli_read_secret(prompt, pass, SECRET_MAX) < 0) {
		cli_error("--ask-passphrase : l'entrée standard n'est pas un terminal");
		return EXIT_USAGE;
	}
	bool same = true;
	if (twice) {
		char again[SECRET_MAX];
		cli_read_secret("La saisir une seconde fois : ", again, sizeof again);
		same = strcmp(pass, again) == 0;
		secret_wipe(again, sizeof again);
	}
	if (!*pass || !same) {
		cli_error(!*pass ? "phrase de passe vide" : "les deux saisies diffèrent");
		return EXIT_USAGE;
	}
	return 0;
}

const char *cli_prompt_passphrase(void *vprompt)
{
	cli_prompt *p = vprompt;
	if (cli_read_secret("Phrase de passe de l'archive : ", p->pass, sizeof p->pass) < 0)
		return NULL;
	return p->pass;
}
