/* access.h — the document a patient receives when they exercise their right of access (RGPD,
 * article 15): who holds their data and why (reporting.yaml's access: texts, the retention
 * period), every entry with the questions asked and the answers in words, the scores and what
 * they mean, every change from the audit trail (who, when), the exports that held their data
 * and to whom they went, and the clinical alerts. Laid out for A4 (paged.h), as text or PDF. */
#ifndef RECUEIL_ACCESS_H
#define RECUEIL_ACCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/form.h"
#include "export/paged.h"
#include "store/store.h"

typedef struct {
	int64_t patient_id;
	const char *pseudonym;
	bool identity;       /* show identity fields (identifier: true): the role may see them */
	paged_format format; /* for access_document_write */
	const char *login;   /* who prints it: named in the document and in the audit trail */
} access_request;

/* The lines of the document of req, appended to d (paged_init'ed by the caller, who frees it).
 * Identity values appear only when req->identity; otherwise their questions say that they are
 * not shown. Returns 0, or a sysexits code with *why (caller frees): EXIT_DATAERR when
 * reporting.yaml has no access: texts, the store's code when it cannot be read. */
int access_document_build(store *db, const formset *fs, const access_request *req, paged *d, char **why);

/* The page header of the document: its title (with the pseudonym) and subtitle (the structure,
 * the day it is printed), for paged_write. Caller frees both. */
void access_document_titles(store *db, const access_request *req, char **title, char **subtitle);

/* The whole act: build the document, write it in req->format to path (created 0600, whole or
 * not at all; an existing file is refused) or to standard output when path is NULL, and write
 * to the audit trail who printed whose document (the pseudonym and the format, never an identity
 * value nor the file's name). Returns 0, or a sysexits code with *why (caller frees):
 * EXIT_UNAVAILABLE when PDF is asked and groff is missing. */
int access_document_write(store *db, const formset *fs, const access_request *req, const char *path,
                          char **why);

#endif
