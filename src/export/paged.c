/* paged.c — documents for paper: lines cut to 72 columns, A4 pages with a header and page
 * numbers, written as text or as PDF through groff (see paged.h). */
#include "export/paged.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/util.h"
#include "export/safefile.h"

void paged_init(paged *d)
{
	memset(d, 0, sizeof *d);
}

void paged_done(paged *d)
{
	lines_free(d->lines, d->n);
	free(d->keep);
	paged_init(d);
}

/* Append one line (taken: the caller's allocation becomes d's). */
static void add_line(paged *d, char *line)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->lines = xrealloc(d->lines, d->cap * sizeof *d->lines);
		d->keep = xrealloc(d->keep, d->cap * sizeof *d->keep);
	}
	d->lines[d->n] = line;
	d->keep[d->n++] = false;
}

int paged_columns(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

void paged_text(paged *d, int indent, int hang, const char *text)
{
	if (!text || !*text)
		return;
	char *clean = text_sanitize(text, true);
	for (char *p = clean; *p; p++)
		if (*p == '\t' || *p == '\r')
			*p = ' ';
	int margin = indent > hang ? indent : hang;
	char **v;
	size_t n = text_wrap_measured(clean, PAGED_WIDTH - margin, paged_columns, &v);
	/* A paragraph stays on one page when it can. */
	for (size_t i = 0; i < n; i++) {
		add_line(d, xasprintf("%*s%s", i ? hang : indent, "", v[i]));
		d->keep[d->n - 1] = i + 1 < n;
	}
	lines_free(v, n);
	free(clean);
}

void paged_blank(paged *d)
{
	add_line(d, xstrdup(""));
}

void paged_keep_last(paged *d)
{
	if (d->n)
		d->keep[d->n - 1] = true;
}

void paged_heading(paged *d, const char *text)
{
	size_t first = d->n;
	paged_text(d, 0, 0, text);
	int width = 0;
	for (size_t i = first; i < d->n; i++) {
		int w = paged_columns(d->lines[i]);
		width = w > width ? w : width;
		d->keep[i] = true;
	}
	char *rule = xmalloc((size_t)width + 1);
	memset(rule, '-', (size_t)width);
	rule[width] = '\0';
	add_line(d, rule);
	paged_keep_last(d);
}

/* ------------------------------------------------------------ pages */

typedef struct {
	size_t first, end; /* lines [first, end) */
} page;

/* Cut d into pages: blank lines at the top of a page are left out, and a page does not end on a
 * kept line (a heading) when it can end before it. Caller frees; their number in *n (one empty
 * page at least). */
static page *paginate(const paged *d, size_t *n)
{
	const size_t body = PAGED_PAGE_LINES - PAGED_HEADER_LINES;
	page *v = NULL;
	*n = 0;
	size_t i = 0;
	for (;;) {
		while (i < d->n && !*d->lines[i])
			i++;
		if (i >= d->n && *n)
			break;
		size_t end = i + body < d->n ? i + body : d->n;
		if (end < d->n)
			while (end > i + 1 && d->keep[end - 1])
				end--;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = (page){i, end};
		i = end;
		if (i >= d->n)
			break;
	}
	return v;
}

/* text cut to at most cols columns, with "…" when cut. Caller frees. */
static char *cut_columns(const char *text, int cols)
{
	if (paged_columns(text) <= cols)
		return xstrdup(text);
	strbuf sb = STRBUF_INIT;
	int w = 0;
	for (const char *p = text; *p; p++) {
		bool lead = ((unsigned char)*p & 0xC0) != 0x80;
		if (lead && ++w > cols - 1)
			break;
		strbuf_putc(&sb, *p);
	}
	strbuf_puts(&sb, "…");
	return strbuf_take(&sb);
}

/* The header lines of page k of n, appended to out, each with put. */
static void page_header(strbuf *out, const char *title, const char *subtitle, size_t k, size_t n,
                        void (*put)(strbuf *, const char *))
{
	char tag[48];
	snprintf(tag, sizeof tag, "page %zu / %zu", k + 1, n);
	int room = PAGED_WIDTH - (int)strlen(tag) - 2;
	char *left = cut_columns(title ? title : "", room);
	char *line =
	    xasprintf("%s%*s%s", left, PAGED_WIDTH - paged_columns(left) - (int)strlen(tag), "", tag);
	put(out, line);
	free(line);
	free(left);
	char *sub = cut_columns(subtitle ? subtitle : "", PAGED_WIDTH);
	put(out, sub);
	free(sub);
	char rule[PAGED_WIDTH + 1];
	memset(rule, '=', PAGED_WIDTH);
	rule[PAGED_WIDTH] = '\0';
	put(out, rule);
	put(out, "");
}

static void put_text_line(strbuf *out, const char *line)
{
	strbuf_puts(out, line);
	strbuf_putc(out, '\n');
}

/* One line as troff input in no-fill mode: the characters troff would read as its own written
 * as escapes, so that the PDF shows (and pdftotext reads back) the line as it is. */
static void put_troff_line(strbuf *out, const char *line)
{
	if (*line == '.')
		strbuf_puts(out, "\\&");
	for (const char *p = line; *p; p++) {
		switch (*p) {
		case '\\':
			strbuf_puts(out, "\\e");
			break;
		case '\'':
			strbuf_puts(out, "\\(aq");
			break;
		case '`':
			strbuf_puts(out, "\\(ga");
			break;
		case '~':
			strbuf_puts(out, "\\(ti");
			break;
		case '^':
			strbuf_puts(out, "\\(ha");
			break;
		default:
			strbuf_putc(out, *p);
		}
	}
	strbuf_putc(out, '\n');
}

/* The whole document in one format: text, or groff's input. */
static void render(const paged *d, const char *title, const char *subtitle, bool troff, strbuf *out)
{
	size_t n;
	page *pages = paginate(d, &n);
	void (*put)(strbuf *, const char *) = troff ? put_troff_line : put_text_line;
	if (troff)
		/* A4, 2.5 cm left margin, Courier 10 on 12 points, lines as they are (no fill). */
		strbuf_puts(out, ".pl 29.7c\n.po 2.5c\n.ll 16c\n.ps 10\n.vs 12p\n.ft CR\n.nf\n");
	for (size_t k = 0; k < n; k++) {
		if (troff)
			strbuf_puts(out, k ? ".bp\n.sp |1.8c\n" : ".sp |1.8c\n");
		else if (k)
			strbuf_putc(out, '\f');
		page_header(out, title, subtitle, k, n, put);
		for (size_t i = pages[k].first; i < pages[k].end; i++)
			put(out, d->lines[i]);
	}
	free(pages);
}

static int write_all(int fd, const char *buf, size_t n, char **why)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int err = errno;
			set_why(why, "écriture du document : %s", strerror(err));
			return errno_exit_code(err);
		}
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* ------------------------------------------------------------ PDF through groff */

/* The groff program: the one the build names, or the test seam RECUEIL_GROFF of recueil-test (a
 * missing one tests the error path). */
static const char *groff_path(void)
{
	const char *forced = test_seam("RECUEIL_GROFF");
	return forced ? forced : RECUEIL_GROFF;
}

bool paged_pdf_available(char **why)
{
	const char *groff = groff_path();
	char *copy = xstrdup(groff);
	char *gropdf = xasprintf("%s/gropdf", dirname(copy));
	free(copy);
	bool ok = access(groff, X_OK) == 0 && access(gropdf, X_OK) == 0;
	if (!ok)
		set_why(why,
		        "format PDF impossible : %s introuvable ; installer le paquet Debian groff "
		        "(apt-get install groff), ou écrire le document en texte (--format text)",
		        access(groff, X_OK) == 0 ? gropdf : groff);
	free(gropdf);
	return ok;
}

/* The first line groff wrote on its standard error (err, rewound), for the message. */
static char *first_error_line(FILE *err)
{
	char line[256] = "";
	rewind(err);
	if (!fgets(line, sizeof line, err))
		return xstrdup("aucun message");
	line[strcspn(line, "\n")] = '\0';
	return text_sanitize(line, false);
}

/* Run groff on src (a file holding its input, read from the start) writing the PDF to fd. */
static int run_groff(FILE *src, int fd, char **why)
{
	FILE *err = private_tmpfile(why);
	if (!err)
		return EXIT_CANTCREAT;
	const char *groff = groff_path();
	char *const argv[] = {(char *)groff, "-Kutf-8", "-Tpdf", "-P-pa4", NULL};
	/* Only what groff needs: it finds its own programs (troff, gropdf) on this PATH. */
	char *tmpdir = getenv("TMPDIR") ? xasprintf("TMPDIR=%s", getenv("TMPDIR")) : NULL;
	char *const envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", tmpdir, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fileno(src), STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fd, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, fileno(err), STDERR_FILENO);
	posix_spawnattr_init(&attr);
	/* A setgid recueil: groff and what it runs get the real group, not the database's. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_RESETIDS);
	pid_t pid;
	int rc = 0;
	int spawn_err = posix_spawn(&pid, groff, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(tmpdir);
	if (spawn_err) {
		set_why(why, "format PDF : %s ne se lance pas : %s", groff, strerror(spawn_err));
		rc = spawn_err == ENOENT || spawn_err == EACCES ? EXIT_UNAVAILABLE : EXIT_OSERR;
	} else {
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			char *msg = first_error_line(err);
			set_why(why, "format PDF : groff a échoué (%s)", msg);
			free(msg);
			rc = EXIT_SOFTWARE;
		}
	}
	fclose(err);
	return rc;
}

static int write_pdf(const paged *d, const char *title, const char *subtitle, int fd, char **why)
{
	if (!paged_pdf_available(why))
		return EXIT_UNAVAILABLE;
	strbuf troff = STRBUF_INIT;
	render(d, title, subtitle, true, &troff);
	FILE *src = private_tmpfile(why);
	int rc = src ? 0 : EXIT_CANTCREAT;
	if (!rc)
		rc = write_all(fileno(src), strbuf_str(&troff), troff.len, why);
	if (!rc && lseek(fileno(src), 0, SEEK_SET) != 0) {
		set_why(why, "format PDF : fichier temporaire illisible : %s", strerror(errno));
		rc = EXIT_IOERR;
	}
	if (!rc)
		rc = run_groff(src, fd, why);
	if (src)
		fclose(src);
	strbuf_done(&troff);
	return rc;
}

int paged_write(const paged *d, const char *title, const char *subtitle, paged_format fmt, int fd, char **why)
{
	if (fmt == PAGED_PDF)
		return write_pdf(d, title, subtitle, fd, why);
	strbuf text = STRBUF_INIT;
	render(d, title, subtitle, false, &text);
	int rc = write_all(fd, strbuf_str(&text), text.len, why);
	strbuf_done(&text);
	return rc;
}
