/* access_print.c — the patient's access document from the patient file: written as a file in
 * the user's home directory (PDF when groff is installed, text otherwise), and where it went
 * said in the status line. The document itself is export/access.c's. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "export/access.h"
#include "ui/ui.h"

/* A path in dir for the document that no file takes yet: "recueil-acces-PSEUDO-DATE.ext", then
 * "…-2.ext" and so on. Caller frees; NULL when a hundred names are taken. */
static char *free_name(const char *dir, const char *pseudo, const char *ext)
{
	char today[11];
	date_format(date_today(), today);
	for (int k = 1; k <= 100; k++) {
		char *path = k == 1 ? xasprintf("%s/recueil-acces-%s-%s.%s", dir, pseudo, today, ext)
		                    : xasprintf("%s/recueil-acces-%s-%s-%d.%s", dir, pseudo, today, k, ext);
		if (access(path, F_OK) != 0)
			return path;
		free(path);
	}
	return NULL;
}

void access_print(app *a, int64_t patient_id, const char *pseudonym)
{
	char *why = NULL;
	bool pdf = paged_pdf_available(&why);
	free(why);
	why = NULL;
	const char *home = getenv("HOME");
	char *path = free_name(home && *home ? home : ".", pseudonym, pdf ? "pdf" : "txt");
	if (!path) {
		app_message(a, true, _("Document d'accès : trop de fichiers du même nom dans %s."),
		            home && *home ? home : ".");
		return;
	}
	access_request req = {
	    .patient_id = patient_id,
	    .pseudonym = pseudonym,
	    .identity = session_may(a->ses, PERM_SEE_IDENTITY),
	    .format = pdf ? PAGED_PDF : PAGED_TEXT,
	    .login = a->ses->login,
	};
	/* The home directory as "~", so that the name fits on the status line. */
	size_t n = home && *home ? strlen(home) : 0;
	bool in_home = n && strncmp(path, home, n) == 0 && path[n] == '/';
	if (access_document_write(a->ses->db, a->ses->fs, &req, path, &why))
		app_message(a, true, _("Document d'accès non écrit : %s"), why ? why : "?");
	else
		app_message(a, false, _("Document d'accès écrit, à imprimer : %s%s"), in_home ? "~" : "",
		            in_home ? path + n : path);
	free(why);
	free(path);
}
