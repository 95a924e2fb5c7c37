/* paged.h — a document for paper: lines of at most PAGED_WIDTH columns, cut into A4 pages that
 * each start with a header (title, page N / M, subtitle, a rule), written as plain text (pages
 * separated by a form feed) or as PDF through groff, a Debian tool (never a PDF writer of ours).
 * The PDF holds the same lines in a fixed-width font, page for page: what pdftotext reads from
 * it is the text version. */
#ifndef RECUEIL_PAGED_H
#define RECUEIL_PAGED_H

#include <stdbool.h>
#include <stddef.h>

/* 72 columns of 10-point Courier fill 15.2 cm of the 21 cm of A4; 60 lines of 12 points fill
 * 25.4 of its 29.7 cm. */
enum { PAGED_WIDTH = 72, PAGED_PAGE_LINES = 60, PAGED_HEADER_LINES = 4 };

typedef enum { PAGED_TEXT, PAGED_PDF } paged_format;

typedef struct {
	char **lines; /* each at most PAGED_WIDTH columns, no control character */
	bool *keep;   /* keep[i]: line i stays on the page of line i + 1 (a heading) */
	size_t n, cap;
} paged;

void paged_init(paged *d);
void paged_done(paged *d); /* frees the lines; d may be initialised again */

/* Append text, cut at blanks to fit: its first line starts indent columns in, the others hang
 * columns in; a newline in text starts a new line. Its lines stay on one page when they can
 * (each but the last is kept with the next). Invalid UTF-8 and control characters become
 * U+FFFD, tabs blanks. An empty or NULL text adds nothing. */
void paged_text(paged *d, int indent, int hang, const char *text);

/* An empty line. */
void paged_blank(paged *d);

/* A heading: the text, then a line of "-" under it, both kept with the line that follows. */
void paged_heading(paged *d, const char *text);

/* Mark the last line appended as kept with the next one (a title and its first item). */
void paged_keep_last(paged *d);

/* Columns that UTF-8 text takes on paper: one per character (the documents are in French). */
int paged_columns(const char *s);

/* Write d to the open file descriptor fd in format fmt: pages of PAGED_PAGE_LINES lines, each
 * starting with title (cut to fit) and "page N / M" on the same line, then subtitle, a rule and
 * an empty line. PAGED_PDF runs groff (-Tpdf, A4, UTF-8) with the group privilege of a setgid
 * program dropped; EXIT_UNAVAILABLE when groff or its PDF device is not installed (see
 * paged_pdf_available). Returns 0, or a sysexits code with *why (caller frees). fd is neither
 * closed nor synced. */
int paged_write(const paged *d, const char *title, const char *subtitle, paged_format fmt, int fd,
                char **why);

/* Whether PDF can be written here: true, or false with *why (caller frees) saying which Debian
 * package to install. */
bool paged_pdf_available(char **why);

#endif
