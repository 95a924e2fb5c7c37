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

/* ---- the columns of a form's CSV (columns.c) */

/* A code and its label; both borrowed (from the forms, or static). */
typedef struct {
	const char *code, *label;
} export_value_label;

/* What the dictionary says of a column every CSV begins with. Static. */
typedef struct {
	const char *name;
	const char *label_fr, *label_en;
	const char *type;       /* as a field's type: "text", "date", "integer", "choice" */
	const char *value_type; /* as export_value_type */
	const export_value_label *values_fr, *values_en; /* labelled codes, or NULL */
	size_t n_values;
	bool identifier; /* identifies a patient, an entry or a structure */
	bool optional;   /* may be empty (acknowledged_at of an alert still open) */
	bool ordinal;    /* its labelled codes are in increasing order (the level of an alert) */
} export_common;

/* The description of the common column name, or NULL when this program does not know it. */
const export_common *export_common_column(const char *name);

/* The separator of a multiple choice's 0/1 columns: "motif_inclusion___precarite". */
#define EXPORT_OPTION_SEP "___"

typedef enum {
	EXPORT_COL_COMMON, /* one of EXPORT_META_COLUMNS */
	EXPORT_COL_FIELD,  /* a field of the form, as stored */
	EXPORT_COL_OPTION, /* one option of a multiple choice: 1 chosen, 0 not, empty if no answer */
} export_col_kind;

typedef struct {
	export_col_kind kind;
	char name[128];              /* the CSV column: "entry_id", "q1", "motif___precarite" */
	const export_common *common; /* COMMON: its description (NULL if unknown) */
	const field *fd;             /* FIELD; OPTION: the multiple choice */
	size_t value;                /* FIELD, OPTION: index of fd in layout.fields */
	const choice *opt;           /* OPTION: the option */
} export_column;

/* The columns of a form's CSV, in the order of the file. */
typedef struct {
	const form *f; /* borrowed */
	export_column *cols;
	size_t n;
	size_t *fields; /* indexes into f->fields of the exported fields, in the order of the file */
	size_t n_fields;
} export_layout;

/* Fill l with the columns of f's CSV (the form is borrowed: it must outlive l). Release with
 * export_layout_done. */
void export_layout_init(export_layout *l, const form *f);
/* Fill l with the columns of alerts.csv (EXPORT_ALERT_COLUMNS), each of kind EXPORT_COL_COMMON
 * with its description; l->f is NULL. Release with export_layout_done. */
void export_alerts_layout_init(export_layout *l);
void export_layout_done(export_layout *l);

/* The cell of the 0/1 column of code, from the multiple choice's cell as exported (codes
 * separated by single spaces): "" when multi is NULL or a missing code (nothing is known of the
 * options), "1" when code is among its codes, "0" otherwise (an empty selection: all 0).
 * Static string. */
const char *export_option_cell(const char *multi, const char *code);

/* The label of a column, French or English (the French one when there is no translation),
 * appended to out as written in the forms (not sanitized); an option's is "<field> : <option>". */
void export_column_label(const export_column *c, bool en, strbuf *out);

/* The labelled codes of a column into *out (caller frees; NULL when none), in the order of the
 * forms; returns how many: the choices of a choice or of a calculated category, 1 and 0 for
 * yes/no fields, calculated booleans and the 0/1 columns of options, the statuses of
 * entry_status; none for the rest (a multiple choice's own column, numbers, texts). */
size_t export_column_values(const export_column *c, bool en, export_value_label **out);

/* How a field's column reads once loaded: "integer", "decimal", "text", "date" or "codes"
 * (codes separated by spaces); the common columns add "datetime". Static string. */
const char *export_value_type(const field *fd);

/* FNV-1a (32 bits) of the bytes of s: the Stata number of a text code is derived from it. */
uint32_t export_fnv1a(const char *s);

/* A variable name for a statistics package into out (max + 1 bytes): name itself when it is a
 * valid one (an ASCII letter, then letters, digits or _), of at most max bytes and not in
 * reserved (a NULL-terminated list, compared without case, or NULL); else its first max - 7
 * bytes (other characters made _), _ and 6 hex digits of export_fnv1a(name). */
void export_package_name(const char *name, size_t max, const char *const *reserved, char *out);

/* A label for a statistics package: s (NULL is "") on one line without control characters
 * (text_sanitize), cut to at most max bytes on a character boundary; *cut says whether it was.
 * Caller frees. */
char *export_label_cut(const char *s, size_t max, bool *cut);

/* ---- the documents of the archive */

/* The data dictionary as CSV text (codebook.csv): one row per column of every form's CSV, in
 * the order of the files, common columns and 0/1 columns included, then one per column of
 * alerts.csv (form EXPORT_ALERTS_NAME, no form_version). */
void export_codebook(strbuf *out, const formset *fs);
/* The header of codebook.csv as this program writes it, and as versions before the 0/1 columns
 * wrote it (the import accepts both): one CSV record with its CRLF. Static strings. */
const char *export_codebook_header(void);
const char *export_codebook_header_v1(void);
/* seuils.csv: the thresholds of reporting.yaml in force, their values, references and the
 * fields that use them (nothing but the header when the forms have no reporting.yaml). */
void export_thresholds(strbuf *out, const formset *fs);
/* LISEZMOI.txt (French, CRLF line ends for the Windows Notepad), ending with the definitions of
 * the report's indicators (thresholds of fs). */
void export_readme(strbuf *out, const export_summary *sum, const formset *fs);
/* The R script and the Python module (src/export/loaders/, compiled in as strings): generic,
 * they read codebook.csv at run time. */
extern const char export_loader_r[];
extern const char export_loader_py[];
/* The Stata do-file, generated from the forms: names, labels (French and English), value
 * labels, dates, missing codes; conversion failures reported. */
void export_stata_do(strbuf *out, const formset *fs, const export_summary *sum);
/* The SPSS syntax file, generated from the forms likewise. */
void export_spss_sps(strbuf *out, const formset *fs, const export_summary *sum);

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
