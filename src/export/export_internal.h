/* export_internal.h — shared by the files of src/export/ that build one archive; not for use
 * elsewhere. */
#ifndef RECUEIL_EXPORT_INTERNAL_H
#define RECUEIL_EXPORT_INTERNAL_H

#include "export/export.h"

/* A file of the archive as the manifest describes it. */
typedef struct {
	char name[80];
	const form *f; /* the form of a data CSV, else NULL */
	bool is_csv;
	uint64_t rows; /* CSV data rows (header excluded) */
	uint64_t bytes;
	char sha256[65];
} export_file;

/* What the recipient's notes say about this export. */
typedef struct {
	char structure_code[64], structure_name[256];
	const period *per;
	char created_at[32];
	char export_id[37], previous_id[37];
	int64_t sequence;
	int64_t entry_mark, audit_mark; /* where the export stands in the database's history */
	bool encrypted, period_complete;
	bool regional;         /* the database holds other structures' exports: rows keep their own code */
	size_t age_recipients; /* the zip is inside an age file for this many public keys; 0: not */
	const export_file *files;
	size_t n_files;
	size_t n_corrections;
	char previous_same_at[32]; /* creation of the previous export of this period, "" if none */
	size_t n_issues, drafts;
	const char *accepted_reason;
	char forms_bundle[112]; /* "version=N digest=HEX" of the forms used ("version=none …"), or "" */
} export_summary;

/* Whether a field is a column of the export: not a note, not an identifier, not export: false. */
bool export_field_included(const field *fd);

/* The codebook as CSV text: one row per exported field. */
void export_codebook(strbuf *out, const formset *fs);
/* LISEZMOI.txt (French, CRLF line ends for the Windows Notepad), ending with the definitions of
 * the report's indicators (thresholds of fs). */
void export_readme(strbuf *out, const export_summary *sum, const formset *fs);
/* The R script: generic, reads codebook.csv at run time. */
void export_r_script(strbuf *out);
/* The Stata do-file, generated from the forms: labels, value labels, dates, missing codes. */
void export_stata_do(strbuf *out, const formset *fs, const export_summary *sum);

/* Lowercase hex of a SHA-256 digest into out (65 bytes). */
void export_hex(const unsigned char *digest, size_t n, char *out);

/* The zip entry name of a form's CSV ("audit.csv"): plain ASCII whatever the form id holds. */
void export_csv_name(const char *form_id, char *out, size_t size);

/* Manifest lines (verify.c). The value after "key=" in a line ("file: a.csv rows=3 …"), and
 * the value of the first "key: value" line of the text, copied into out; false when absent or
 * longer than size - 1. */
bool export_manifest_token(const char *line, const char *key, char *out, size_t size);
bool export_manifest_value(const char *text, const char *key, char *out, size_t size);

#endif
