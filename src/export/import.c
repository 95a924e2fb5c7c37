/* import.c — a structure's export archive (or a regional database's) written into a regional
 * (or national) database (see import.h).
 *
 * The archive is read once, by export_verify_ex, exactly as `recueil verify` reads it: it
 * authenticates and checks everything against the manifest, keeps the manifest's and the
 * codebook's texts, and hands the bytes of each CSV to this file, which spools them into
 * private unlinked temporary files (the data loaded is the data checked, and nothing is
 * decrypted twice). Then the manifest, the codebook and the file list are checked against the
 * regional forms, and each form's CSV streams from its spool through the checking CSV reader
 * (csv.h): each value parsed with record_set as if it were typed, each row written, then the
 * alerts, all in one transaction. Which structures the archive carries, and whether this
 * database already holds a newer export of each, is decided here; what a snapshot replaces is
 * the store's (store.h). */
#include "export/import.h"

#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "core/record.h"
#include "export/csv.h"
#include "export/export_internal.h"
#include "export/safefile.h"
#include "export/secret.h"

enum {
	MAX_RECORD = 1 << 20,    /* bytes of one CSV record */
	MAX_TEXT = 4000,         /* characters of a calculated text */
	SPOOL_MEMORY = 4u << 20, /* bytes of an archive's CSVs kept in memory, the rest in files */
};

/* A form of the archive, as its manifest and codebook describe it. */
typedef struct {
	const form *f; /* the regional form of the same id */
	int version;   /* the form's version in the archive */
	char csv[80];  /* its CSV's entry name */
	bool listed;   /* the manifest lists its CSV */
	uint64_t bytes;
	char sha256[65];
	size_t *cols; /* the CSV's field columns, in order: indexes into f->fields */
	size_t n_cols;
	/* The CSV's columns after the common ones, in order: a field (cols[col]) itself when opt
	 * is NULL, else the 0/1 column of one of its options. Archives before the 0/1 columns of
	 * multiple choices have only fields. */
	struct arch_column {
		size_t col;
		const choice *opt;
	} * columns;
	size_t n_columns;
} arch_form;

/* A structure the archive carries: the export of it (its own, or for a regional archive the one
 * the region held), and what becomes of it here. */
typedef struct {
	char code[64], name[256], export_id[37], period[64], created_at[32];
	char first[11], last[11]; /* the period's days, "" when the manifest does not say */
	int complete;             /* period_complete: 1, 0, -1 when the manifest does not say */
	int64_t sequence;
	bool skip;        /* a newer export of it is held here: its rows are checked, not written */
	import_held held; /* the newest export of it held before, when has_held */
	bool has_held;
} arch_structure;

typedef struct {
	const char *path; /* for messages */
	char export_id[37], structure[64], structure_name[256], period[64], created_at[32];
	int64_t sequence;
	bool snapshot; /* content: snapshot (else an older version's slice) */
	bool regional; /* structure_snapshot lines: made by a regional database */
	arch_structure *structs;
	size_t n_structs;
	arch_form *forms;
	size_t n_forms;
	bool has_alerts; /* alerts.csv listed */
	uint64_t alerts_bytes;
	char alerts_sha256[65];
	char (*deleted)[37]; /* entries deleted at the structure ("correction: deleted", slices) */
	size_t n_deleted;
	char sha256[65];        /* of the manifest's text */
	char forms_bundle[112]; /* "version=N digest=HEX" (forms_bundle:), "" in older archives */
} manifest;

static void manifest_done(manifest *m)
{
	for (size_t i = 0; i < m->n_forms; i++) {
		free(m->forms[i].cols);
		free(m->forms[i].columns);
	}
	free(m->forms);
	free(m->structs);
	free(m->deleted);
}

/* ------------------------------------------------------------ small checks */

static bool is_uuid(const char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

/* A structure code as `recueil init` accepts it: 2 to 32 ASCII letters, digits, - or _. */
static bool is_structure_code(const char *s)
{
	size_t n = strlen(s);
	if (n < 2 || n > 32)
		return false;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '_'))
			return false;
	return true;
}

/* A time as the store writes it: "2026-11-22T18:51:23Z" (a date, then time characters). */
static bool is_timestamp(const char *s)
{
	size_t n = strlen(s);
	char day[11];
	long d;
	if (n < 10 || n > 31)
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	return date_parse(day, &d) && strspn(s + 10, "0123456789T:.Z+-") == n - 10;
}

static bool is_date(const char *s)
{
	long d;
	char back[11];
	if (!date_parse(s, &d))
		return false;
	date_format(d, back);
	return strcmp(back, s) == 0;
}

static bool int_in(const char *s, long long lo, long long hi, long long *out)
{
	return parse_integer(s, out) && *out >= lo && *out <= hi;
}

/* ------------------------------------------------------------ the manifest */

static arch_form *form_by_csv(manifest *m, const char *name)
{
	for (size_t i = 0; i < m->n_forms; i++)
		if (strcmp(m->forms[i].csv, name) == 0)
			return &m->forms[i];
	return NULL;
}

static arch_form *form_by_id(manifest *m, const char *id)
{
	for (size_t i = 0; i < m->n_forms; i++)
		if (strcmp(m->forms[i].f->id, id) == 0)
			return &m->forms[i];
	return NULL;
}

/* The next line of text (without its end) into line; false at the end. */
static bool next_line(const char **p, char *line, size_t size)
{
	if (!**p)
		return false;
	size_t n = strcspn(*p, "\n");
	size_t k = n && (*p)[n - 1] == '\r' ? n - 1 : n;
	snprintf(line, size, "%.*s", (int)(k < size ? k : size - 1), *p);
	*p += n + ((*p)[n] == '\n');
	return true;
}

static int bad_manifest(const manifest *m, char **why, const char *what)
{
	set_why(why, "%s : manifeste : %s : archive refusée", m->path, what);
	return EXIT_DATAERR;
}

/* A period's days as a manifest line gives them ("" when absent); false when present but not a
 * date. */
static bool manifest_day(const char *text, const char *key, char out[11])
{
	char v[64];
	out[0] = '\0';
	if (!export_manifest_value(text, key, v, sizeof v))
		return true;
	if (!is_date(v))
		return false;
	memcpy(out, v, 11);
	return true;
}

/* "yes" 1, "no" 0; -1 for anything else. */
static int yes_no(const char *v)
{
	return strcmp(v, "yes") == 0 ? 1 : strcmp(v, "no") == 0 ? 0 : -1;
}

static arch_structure *structure_add(manifest *m)
{
	m->structs = xrealloc(m->structs, (m->n_structs + 1) * sizeof *m->structs);
	arch_structure *as = &m->structs[m->n_structs++];
	memset(as, 0, sizeof *as);
	return as;
}

/* One "structure_snapshot: CODE export_id=… sequence=N period=P complete=yes|no created_at=…
 * name=…" line of a regional archive (name last: the rest of the line). */
static int structure_line(manifest *m, const char *line, char **why)
{
	const char *p = line + strlen(EXPORT_STRUCTURE_LINE);
	size_t k = strcspn(p, " ");
	char seq[32], complete[8];
	long long n;
	period per;
	arch_structure *as = structure_add(m);
	if (k == 0 || k >= sizeof as->code)
		return bad_manifest(m, why, "ligne « structure_snapshot: » illisible");
	memcpy(as->code, p, k);
	as->code[k] = '\0';
	if (!is_structure_code(as->code) ||
	    !export_manifest_token(line, "export_id", as->export_id, sizeof as->export_id) ||
	    !is_uuid(as->export_id) || !export_manifest_token(line, "sequence", seq, sizeof seq) ||
	    !int_in(seq, 1, 1LL << 40, &n) ||
	    !export_manifest_token(line, "period", as->period, sizeof as->period) ||
	    !period_parse(as->period, &per, NULL) ||
	    !export_manifest_token(line, "complete", complete, sizeof complete) || yes_no(complete) < 0 ||
	    !export_manifest_token(line, "created_at", as->created_at, sizeof as->created_at) ||
	    !is_timestamp(as->created_at))
		return bad_manifest(m, why, "ligne « structure_snapshot: » illisible");
	as->sequence = n;
	as->complete = yes_no(complete);
	date_format(per.first, as->first);
	date_format(per.last, as->last);
	const char *name = strstr(line, " name=");
	snprintf(as->name, sizeof as->name, "%s", name ? name + 6 : as->code);
	for (size_t i = 0; i + 1 < m->n_structs; i++)
		if (strcmp(m->structs[i].code, as->code) == 0)
			return bad_manifest(m, why, "structure listée deux fois (structure_snapshot:)");
	return 0;
}

/* The structures the archive carries: the lines "structure_snapshot:" of a regional archive, or
 * the archive's own structure and export. */
static int manifest_structures(manifest *m, const char *text, char **why)
{
	char line[1024];
	for (const char *p = text; next_line(&p, line, sizeof line);) {
		if (strncmp(line, EXPORT_STRUCTURE_LINE, strlen(EXPORT_STRUCTURE_LINE)) != 0)
			continue;
		if (!m->snapshot)
			return bad_manifest(
			    m, why, "structure_snapshot: dans une archive qui n'est pas un instantané");
		m->regional = true;
		int rc = structure_line(m, line, why);
		if (rc)
			return rc;
	}
	char v[64];
	if (m->regional)
		return 0;
	arch_structure *as = structure_add(m);
	snprintf(as->code, sizeof as->code, "%s", m->structure);
	snprintf(as->name, sizeof as->name, "%s", m->structure_name);
	snprintf(as->export_id, sizeof as->export_id, "%s", m->export_id);
	snprintf(as->period, sizeof as->period, "%s", m->period);
	snprintf(as->created_at, sizeof as->created_at, "%s", m->created_at);
	as->sequence = m->sequence;
	if (!manifest_day(text, "period_first", as->first) || !manifest_day(text, "period_last", as->last))
		return bad_manifest(m, why, "premier ou dernier jour de la période illisible");
	as->complete = export_manifest_value(text, "period_complete", v, sizeof v) ? yes_no(v) : -1;
	if (m->snapshot && (as->complete < 0 || !*as->first || !*as->last))
		return bad_manifest(m, why,
		                    "période (premier et dernier jours, period_complete: yes|no) incomplète");
	return 0;
}

/* "version=N digest=HEX" or "version=none digest=HEX" (export.c, forms_bundle_of). */
static bool forms_bundle_valid(const char *v)
{
	char version[24], digest[80];
	long long n;
	if (!export_manifest_token(v, "version", version, sizeof version) ||
	    !export_manifest_token(v, "digest", digest, sizeof digest) || strlen(digest) != 64 ||
	    strspn(digest, "0123456789abcdef") != 64)
		return false;
	return strcmp(version, "none") == 0 || int_in(version, 1, 1000000000, &n);
}

/* When the archive was made with forms other than those the region published or installed
 * (the latest bundle recorded here), say which into note. */
static void forms_bundle_note(store *s, const manifest *m, char *note, size_t size)
{
	long version;
	char digest[65], theirs[80];
	if (!*m->forms_bundle || !store_forms_reference(s, &version, digest) ||
	    !export_manifest_token(m->forms_bundle, "digest", theirs, sizeof theirs) ||
	    strcmp(theirs, digest) == 0)
		return;
	char v[24];
	export_manifest_token(m->forms_bundle, "version", v, sizeof v);
	if (strcmp(v, "none") == 0)
		snprintf(note, size, "formulaires modifiés sur place, autres que la version %ld publiée",
		         version);
	else
		snprintf(note, size, "formulaires de la version %s, pas de la version %ld publiée", v,
		         version);
}

/* Whether an entry name is one of the documents an export holds besides the forms' CSVs. */
static bool is_document(const char *name)
{
	static const char *const docs[] = {EXPORT_CODEBOOK, EXPORT_SEUILS,   EXPORT_README,  EXPORT_R_SCRIPT,
	                                   EXPORT_PYTHON,   EXPORT_STATA_DO, EXPORT_SPSS_SPS};
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
		if (strcmp(name, docs[i]) == 0)
			return true;
	return false;
}

/* Scalars, forms, files and deletions of the manifest; checked against the regional forms. */
static int parse_manifest(manifest *m, const char *text, const formset *fs, char **why)
{
	char v[512];
	long long n;
	if (!export_manifest_value(text, "schema_version", v, sizeof v) || !int_in(v, 1, 1000000, &n))
		return bad_manifest(m, why, "version du schéma absente ou illisible");
	if (n > store_schema_version()) {
		set_why(why,
		        "%s : archive d'une version plus récente de recueil (schéma %lld, ce programme "
		        "connaît %d) : mettre recueil à jour avant d'importer",
		        m->path, n, store_schema_version());
		return EXIT_DATAERR;
	}
	if (!export_manifest_value(text, "export_id", m->export_id, sizeof m->export_id) ||
	    !is_uuid(m->export_id))
		return bad_manifest(m, why, "identifiant d'export absent ou illisible");
	if (!export_manifest_value(text, "export_sequence", v, sizeof v) || !int_in(v, 1, 1LL << 40, &n))
		return bad_manifest(m, why, "numéro d'export absent ou illisible");
	m->sequence = n;
	if (!export_manifest_value(text, "structure_code", m->structure, sizeof m->structure) ||
	    !is_structure_code(m->structure))
		return bad_manifest(m, why, "code de structure absent ou invalide");
	if (!export_manifest_value(text, "structure_name", m->structure_name, sizeof m->structure_name))
		snprintf(m->structure_name, sizeof m->structure_name, "%s", m->structure);
	if (!export_manifest_value(text, "period", m->period, sizeof m->period) || !*m->period)
		return bad_manifest(m, why, "période absente");
	if (!export_manifest_value(text, "created_at", m->created_at, sizeof m->created_at) ||
	    !is_timestamp(m->created_at))
		return bad_manifest(m, why, "date de création absente ou illisible");
	if (export_manifest_value(text, "content", v, sizeof v)) {
		if (strcmp(v, "snapshot") != 0)
			return bad_manifest(m, why, "contenu (content:) autre que « snapshot »");
		m->snapshot = true;
	}
	if (export_manifest_value(text, "forms_bundle", m->forms_bundle, sizeof m->forms_bundle) &&
	    !forms_bundle_valid(m->forms_bundle))
		return bad_manifest(m, why, "ligne « forms_bundle: » illisible");
	int rc = manifest_structures(m, text, why);
	if (rc)
		return rc;
	char line[1024];
	/* Forms first: the files are named after them. */
	for (const char *p = text; next_line(&p, line, sizeof line);) {
		if (strncmp(line, "form: ", 6) != 0)
			continue;
		char id[64], ver[32];
		size_t k = strcspn(line + 6, " ");
		if (k == 0 || k >= sizeof id || !export_manifest_token(line, "version", ver, sizeof ver) ||
		    !int_in(ver, 1, 1000000, &n))
			return bad_manifest(m, why, "ligne « form: » illisible");
		memcpy(id, line + 6, k);
		id[k] = '\0';
		const form *f = formset_form(fs, id);
		if (!f) {
			char *clean = text_sanitize(id, false);
			set_why(why,
			        "%s : formulaire « %s » inconnu des formulaires régionaux : archive "
			        "refusée "
			        "(ajouter ce formulaire au dossier des formulaires)",
			        m->path, clean);
			free(clean);
			return EXIT_DATAERR;
		}
		if (form_by_id(m, id))
			return bad_manifest(m, why, "formulaire listé deux fois");
		if (n > f->version) {
			set_why(why,
			        "%s : formulaire %s en version %lld dans l'archive, %d dans les "
			        "formulaires "
			        "régionaux : mettre à jour les formulaires avant d'importer",
			        m->path, id, n, f->version);
			return EXIT_DATAERR;
		}
		m->forms = xrealloc(m->forms, (m->n_forms + 1) * sizeof *m->forms);
		arch_form *af = &m->forms[m->n_forms++];
		memset(af, 0, sizeof *af);
		af->f = f;
		af->version = (int)n;
		export_csv_name(f->id, af->csv, sizeof af->csv);
	}
	for (const char *p = text; next_line(&p, line, sizeof line);) {
		if (strncmp(line, "file: ", 6) == 0) {
			char name[80], bytes[32], sha[80];
			size_t k = strcspn(line + 6, " ");
			/* export_verify matched each line with the archive: only the set is checked.
			 */
			if (k == 0 || k >= sizeof name ||
			    !export_manifest_token(line, "bytes", bytes, sizeof bytes) ||
			    !export_manifest_token(line, "sha256", sha, sizeof sha) || strlen(sha) != 64)
				return bad_manifest(m, why, "ligne « file: » illisible");
			memcpy(name, line + 6, k);
			name[k] = '\0';
			arch_form *af = form_by_csv(m, name);
			if (af) {
				af->listed = true;
				af->bytes = strtoull(bytes, NULL, 10);
				memcpy(af->sha256, sha, 65);
			} else if (strcmp(name, EXPORT_ALERTS) == 0 && m->snapshot) {
				m->has_alerts = true;
				m->alerts_bytes = strtoull(bytes, NULL, 10);
				memcpy(m->alerts_sha256, sha, 65);
			} else if (!is_document(name)) {
				set_why(why,
				        "%s : fichier « %s » inattendu dans une archive d'export (ni un "
				        "formulaire du manifeste ni un document de l'export) : archive "
				        "refusée",
				        m->path, name);
				return EXIT_DATAERR;
			}
		} else if (strncmp(line, "correction: deleted ", 20) == 0 && !m->snapshot) {
			char uuid[64];
			if (!export_manifest_token(line, "entry", uuid, sizeof uuid) || !is_uuid(uuid))
				return bad_manifest(m, why, "ligne « correction: deleted » illisible");
			m->deleted = xrealloc(m->deleted, (m->n_deleted + 1) * sizeof *m->deleted);
			memcpy(m->deleted[m->n_deleted++], uuid, 37);
		}
	}
	for (size_t i = 0; i < m->n_forms; i++)
		if (!m->forms[i].listed) {
			set_why(why, "%s : le manifeste annonce le formulaire %s mais pas son fichier %s",
			        m->path, m->forms[i].f->id, m->forms[i].csv);
			return EXIT_DATAERR;
		}
	struct sha256_ctx h;
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_init(&h);
	sha256_update(&h, strlen(text), (const uint8_t *)text);
	sha256_digest(&h, sizeof d, d);
	export_hex(d, sizeof d, m->sha256);
	return 0;
}

/* ------------------------------------------------------------ the codebook */

typedef struct {
	manifest *m;
	bool v1; /* the codebook of the first version: no common columns, no 0/1 columns */
	long c_form, c_version, c_field, c_type, c_derived;
	int rc;
	char **why;
} codebook_ctx;

static long column_of(char **fields, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(fields[i], name) == 0)
			return (long)i;
	return -1;
}

static bool codebook_fail(codebook_ctx *c, uint64_t rec, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool codebook_fail(codebook_ctx *c, uint64_t rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *clean = text_sanitize(msg, false);
	set_why(c->why, "%s : %s, ligne %llu : %s : archive refusée", c->m->path, EXPORT_CODEBOOK,
	        (unsigned long long)rec + 1, clean);
	free(clean);
	free(msg);
	c->rc = EXIT_DATAERR;
	return false;
}

/* Whether name is one of the n names. */
static bool listed(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* The columns every form's CSV begins with, and those of alerts.csv. */
static const char *const meta_columns[] = {EXPORT_META_COLUMNS};
static const char *const alert_columns[] = {EXPORT_ALERT_COLUMNS};
enum {
	N_META_COLUMNS = sizeof meta_columns / sizeof *meta_columns,
	N_ALERT_COLUMNS = sizeof alert_columns / sizeof *alert_columns
};

static bool is_meta_column(const char *name)
{
	return listed(name, meta_columns, N_META_COLUMNS);
}

static bool is_alert_column(const char *name)
{
	return listed(name, alert_columns, N_ALERT_COLUMNS);
}

/* The header of either version, column for column; the columns the check reads. */
static bool codebook_header(codebook_ctx *c, char **fields, size_t n)
{
	strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_printf(&line, "%s%s", i ? "," : "", fields[i]);
	strbuf_puts(&line, "\r\n");
	c->v1 = strcmp(strbuf_str(&line), export_codebook_header_v1()) == 0;
	bool known = c->v1 || strcmp(strbuf_str(&line), export_codebook_header()) == 0;
	strbuf_done(&line);
	if (!known)
		return codebook_fail(c, 0, "en-tête différent de celui de recueil");
	c->c_form = column_of(fields, n, "form");
	c->c_version = column_of(fields, n, "form_version");
	c->c_field = column_of(fields, n, "field");
	c->c_type = column_of(fields, n, "type");
	c->c_derived = c->v1 ? -1 : column_of(fields, n, "derived_from");
	if (c->c_form < 0 || c->c_version < 0 || c->c_field < 0 || c->c_type < 0 ||
	    (!c->v1 && c->c_derived < 0))
		return codebook_fail(c, 0,
		                     "colonnes form, form_version, field, type ou derived_from absentes");
	return true;
}

static void add_csv_column(arch_form *af, size_t col, const choice *opt)
{
	af->columns = xrealloc(af->columns, (af->n_columns + 1) * sizeof *af->columns);
	af->columns[af->n_columns++] = (struct arch_column){col, opt};
}

/* A 0/1 column field___code of the multiple choice parent: the field described before it,
 * code one of its answers in the regional forms. */
static bool option_record(codebook_ctx *c, uint64_t rec, arch_form *af, const char *name, const char *parent)
{
	const char *id = af->f->id;
	long idx = form_field_index(af->f, parent);
	size_t k = 0;
	while (idx >= 0 && k < af->n_cols && af->cols[k] != (size_t)idx)
		k++;
	if (idx < 0 || k == af->n_cols)
		return codebook_fail(c, rec,
		                     "colonne %s.%s dérivée de « %s », champ qui n'est pas décrit avant elle",
		                     id, name, parent);
	const field *fd = &af->f->fields[idx];
	size_t len = strlen(parent);
	if (fd->type != FT_MULTI)
		return codebook_fail(c, rec, "colonne %s.%s dérivée de %s, qui n'est pas un choix multiple",
		                     id, name, parent);
	const choice *opt = strncmp(name, parent, len) == 0 && strncmp(name + len, EXPORT_OPTION_SEP, 3) == 0
	                        ? field_choice(fd, name + len + 3)
	                        : NULL;
	if (!opt)
		return codebook_fail(c, rec,
		                     "colonne %s.%s : pas une réponse %s%scode du formulaire régional %s", id,
		                     name, parent, EXPORT_OPTION_SEP, id);
	for (size_t i = 0; i < af->n_columns; i++)
		if (af->columns[i].opt == opt)
			return codebook_fail(c, rec, "colonne %s.%s décrite deux fois", id, name);
	add_csv_column(af, k, opt);
	return true;
}

static bool codebook_record(void *vctx, uint64_t rec, char **fields, size_t n)
{
	codebook_ctx *c = vctx;
	if (rec == 0)
		return codebook_header(c, fields, n);
	const char *id = fields[c->c_form], *fid = fields[c->c_field];
	arch_form *af = form_by_id(c->m, id);
	if (!af && strcmp(id, EXPORT_ALERTS_NAME) == 0) {
		/* alerts.csv, whose header the import checks against the program's */
		if (!is_alert_column(fid))
			return codebook_fail(c, rec, "colonne « %s » inconnue de %s", fid, EXPORT_ALERTS);
		return true;
	}
	if (!af)
		return codebook_fail(c, rec, "formulaire « %s » absent du manifeste", id);
	long long v;
	if (!parse_integer(fields[c->c_version], &v) || v != af->version)
		return codebook_fail(c, rec, "version %s du formulaire %s, le manifeste dit %d",
		                     fields[c->c_version], id, af->version);
	if (!c->v1 && is_meta_column(fid))
		return true; /* a common column: the CSV's header is checked against the program's */
	if (c->c_derived >= 0 && *fields[c->c_derived])
		return option_record(c, rec, af, fid, fields[c->c_derived]);
	long idx = form_field_index(af->f, fid);
	if (idx < 0)
		return codebook_fail(c, rec, "champ « %s » inconnu du formulaire régional %s", fid, id);
	const field *fd = &af->f->fields[idx];
	if (!export_field_included(fd))
		return codebook_fail(c, rec,
		                     "champ %s.%s : donnée d'identité ou hors export dans les formulaires "
		                     "régionaux, il ne doit pas figurer dans un export",
		                     id, fid);
	if (strcmp(fields[c->c_type], field_type_name(fd->type)) != 0)
		return codebook_fail(c, rec,
		                     "champ %s.%s de type « %s », « %s » dans les formulaires régionaux", id,
		                     fid, fields[c->c_type], field_type_name(fd->type));
	for (size_t i = 0; i < af->n_cols; i++)
		if (af->cols[i] == (size_t)idx)
			return codebook_fail(c, rec, "champ %s.%s décrit deux fois", id, fid);
	af->cols = xrealloc(af->cols, (af->n_cols + 1) * sizeof *af->cols);
	af->cols[af->n_cols++] = (size_t)idx;
	add_csv_column(af, af->n_cols - 1, NULL);
	return true;
}

/* The codebook of an archive against its manifest and the regional forms: which columns each
 * form's CSV has. Both versions of the codebook are read: the first one's (fields only) and
 * the current one's (common columns, then fields each followed by the 0/1 columns of its
 * options when it is a multiple choice; then the columns of alerts.csv, which only need to be
 * its columns). */
static int check_codebook(manifest *m, const strbuf *codebook, char **why)
{
	codebook_ctx c = {.m = m, .why = why};
	csv_reader r;
	csv_reader_init(&r);
	csv_reader_on_record(&r, codebook_record, &c, MAX_RECORD);
	csv_reader_feed(&r, strbuf_str(codebook), codebook->len);
	bool ok = csv_reader_finish(&r);
	if (!ok && !c.rc) {
		set_why(why, "%s : %s illisible (enregistrement %llu : %s) : archive refusée", m->path,
		        EXPORT_CODEBOOK, (unsigned long long)r.bad_record, r.problem ? r.problem : "vide");
		c.rc = EXIT_DATAERR;
	}
	if (!c.rc && r.records == 0) {
		set_why(why, "%s : %s vide : archive refusée", m->path, EXPORT_CODEBOOK);
		c.rc = EXIT_DATAERR;
	}
	csv_reader_done(&r);
	return c.rc;
}

/* ------------------------------------------------------------ from buffers (import.h) */

int import_manifest_check(const char *manifest_text, size_t manifest_len, const char *codebook,
                          size_t codebook_len, const formset *fs, char **why)
{
	manifest m;
	memset(&m, 0, sizeof m);
	m.path = EXPORT_MANIFEST;
	/* A C string, as import_load reads the manifest: it ends at the first NUL byte. */
	char *text = xstrndup(manifest_text, strnlen(manifest_text, manifest_len));
	int rc = parse_manifest(&m, text, fs, why);
	if (!rc && codebook) {
		strbuf cb = STRBUF_INIT;
		strbuf_add(&cb, codebook, codebook_len);
		rc = check_codebook(&m, &cb, why);
		strbuf_done(&cb);
	}
	free(text);
	manifest_done(&m);
	return rc;
}

/* ------------------------------------------------------------ the spooled CSVs */

/* One CSV as export_verify_ex handed it over. An archive's CSVs stay in memory while they
 * add up to SPOOL_MEMORY bytes (a structure's archive usually does: no file to create, write
 * and read back, and the decrypted data never touches the disk); beyond, a CSV goes to a
 * private unlinked temporary file, so that memory stays bounded whatever the archive. */
typedef struct {
	char name[80];
	strbuf mem; /* the bytes, while f is NULL */
	FILE *f;    /* the bytes, once spilled to a file */
	uint64_t bytes;
} spooled;

typedef struct {
	const char *path; /* the archive, for messages */
	spooled *v;
	size_t n;
	size_t in_memory; /* bytes held in memory, all CSVs together */
} spool;

/* Move e's bytes from memory to a private temporary file. */
static int spool_spill(spool *sp, spooled *e, char **why)
{
	char *w = NULL;
	e->f = private_tmpfile(&w);
	if (!e->f) {
		set_why(why, "%s : %s", sp->path, w);
		free(w);
		return EXIT_CANTCREAT;
	}
	if (e->mem.len && fwrite(e->mem.s, 1, e->mem.len, e->f) != e->mem.len) {
		set_why(why, "%s : fichier de travail pour %s : écriture impossible (disque plein ?)",
		        sp->path, e->name);
		return EXIT_IOERR;
	}
	sp->in_memory -= e->mem.len;
	strbuf_done(&e->mem);
	return 0;
}

static bool spool_want(void *ctx, const char *name)
{
	(void)ctx;
	size_t n = strlen(name);
	return n > 4 && strcmp(name + n - 4, ".csv") == 0 && !is_document(name);
}

static int spool_data(void *ctx, const char *name, const char *buf, size_t n, char **why)
{
	spool *sp = ctx;
	spooled *e = sp->n ? &sp->v[sp->n - 1] : NULL;
	if (!e || strcmp(e->name, name) != 0) {
		sp->v = xrealloc(sp->v, (sp->n + 1) * sizeof *sp->v);
		e = &sp->v[sp->n++];
		memset(e, 0, sizeof *e);
		snprintf(e->name, sizeof e->name, "%s", name);
	}
	if (n && !e->f && n <= SPOOL_MEMORY - sp->in_memory) {
		strbuf_add(&e->mem, buf, n);
		sp->in_memory += n;
		e->bytes += n;
		return 0;
	}
	int rc = n && !e->f ? spool_spill(sp, e, why) : 0;
	if (rc)
		return rc;
	if (n && fwrite(buf, 1, n, e->f) != n) {
		set_why(why, "%s : fichier de travail pour %s : écriture impossible (disque plein ?)",
		        sp->path, name);
		return EXIT_IOERR;
	}
	e->bytes += n;
	if (!buf && e->f && fflush(e->f) != 0) {
		set_why(why, "%s : fichier de travail pour %s : écriture impossible (disque plein ?)",
		        sp->path, name);
		return EXIT_IOERR;
	}
	return 0;
}

static void spool_done(spool *sp)
{
	for (size_t i = 0; i < sp->n; i++) {
		if (sp->v[i].f)
			fclose(sp->v[i].f);
		strbuf_done(&sp->v[i].mem);
	}
	free(sp->v);
}

/* The next bytes of a spooled CSV: up to size bytes from *at in memory (no copy), or read
 * into buf from its file. Sets *chunk; returns how many, 0 at the end (or on a read error,
 * which ferror(e->f) tells). */
static size_t spool_next(const spooled *e, char *buf, size_t size, size_t *at, const char **chunk)
{
	if (e->f) {
		*chunk = buf;
		return fread(buf, 1, size, e->f);
	}
	size_t n = e->mem.len - *at < size ? e->mem.len - *at : size;
	*chunk = e->mem.s + *at;
	*at += n;
	return n;
}

/* ------------------------------------------------------------ the rows */

/* The structure of code among those the archive carries; NULL if none. */
static arch_structure *structure_of(const manifest *m, const char *code)
{
	for (size_t i = 0; i < m->n_structs; i++)
		if (strcmp(m->structs[i].code, code) == 0)
			return &m->structs[i];
	return NULL;
}

typedef struct {
	const manifest *m;
	store_import *im;
	const arch_form *af;
	const char *csv;       /* the CSV's name, for messages */
	bool has_structure;    /* its first column is structure (every snapshot's CSV) */
	record *scratch;       /* record_set parses each value into it */
	const char **values;   /* per column */
	missing_code *missing; /* per column */
	char (*last)[32];      /* per column: the text record_set last accepted, "" if none or long */
	const formset *fs;
	int rc;
	char **why;
} rows_ctx;

static bool row_fail(rows_ctx *c, uint64_t rec, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool row_fail(rows_ctx *c, uint64_t rec, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char *clean = text_sanitize(msg, false);
	set_why(c->why, "%s : %s, ligne %llu : %s : archive refusée", c->m->path, c->csv,
	        (unsigned long long)rec + 1, clean);
	free(clean);
	free(msg);
	c->rc = EXIT_DATAERR;
	return false;
}

/* Whether the store wrote record rec (rc 0); otherwise the archive is refused with the store's
 * code and message why (freed here). The caller calls the store first: the order in which a
 * call's arguments are evaluated is unspecified, so why must not be read in the same call. */
static bool written(rows_ctx *c, uint64_t rec, int rc, char *why)
{
	if (rc) {
		row_fail(c, rec, "%s", why ? why : "écriture impossible");
		c->rc = rc;
	}
	free(why);
	return rc == 0;
}

/* The name of the i-th column after the common ones, as the codebook describes it. */
static void csv_column_name(const arch_form *af, size_t i, char *out, size_t size)
{
	const struct arch_column *a = &af->columns[i];
	const char *id = af->f->fields[af->cols[a->col]].id;
	if (a->opt)
		snprintf(out, size, "%s" EXPORT_OPTION_SEP "%s", id, a->opt->code);
	else
		snprintf(out, size, "%s", id);
}

/* The header: the columns want[0..nw), then those the codebook describes for af (none when af
 * is NULL). */
static bool header_is(rows_ctx *c, char **fields, size_t n, const char *const *want, size_t nw,
                      const arch_form *af)
{
	size_t nc = af ? af->n_columns : 0;
	char name[128];
	for (size_t i = 0; i < n || i < nw + nc; i++) {
		const char *w = NULL;
		if (i < nw)
			w = want[i];
		else if (af && i < nw + nc)
			csv_column_name(af, i - nw, name, sizeof name), w = name;
		const char *have = i < n ? fields[i] : NULL;
		if (str_eq(w, have))
			continue;
		if (!have)
			return row_fail(c, 0,
			                "en-tête : colonne « %s » attendue d'après le codebook, absente", w);
		if (!w)
			return row_fail(c, 0, "en-tête : colonne « %.64s » inconnue du codebook", have);
		return row_fail(c, 0, "en-tête : colonne « %.64s » là où le codebook annonce « %s »", have,
		                w);
	}
	return true;
}

static bool header_ok(rows_ctx *c, char **fields, size_t n)
{
	const char *const *meta = meta_columns;
	const size_t nm = N_META_COLUMNS;
	if (c->af->f->scope == SCOPE_STRUCTURE) {
		/* A form of the structure has no pseudonym column (and, in a slice of an older
		 * version, no structure column either). */
		static const char *const own[] = {EXPORT_STRUCTURE_META_COLUMNS};
		const size_t no = sizeof own / sizeof *own;
		c->has_structure = n > 0 && strcmp(fields[0], own[0]) == 0;
		if (c->m->snapshot && !c->has_structure)
			return row_fail(c, 0, "en-tête : la colonne « structure » doit venir en premier");
		return c->has_structure ? header_is(c, fields, n, own, no, c->af)
		                        : header_is(c, fields, n, own + 1, no - 1, c->af);
	}
	/* Archives of older versions (slices) have no structure column. */
	c->has_structure = n > 0 && strcmp(fields[0], meta[0]) == 0;
	if (c->m->snapshot && !c->has_structure)
		return row_fail(c, 0, "en-tête : la colonne « structure » doit venir en premier");
	return c->has_structure ? header_is(c, fields, n, meta, nm, c->af)
	                        : header_is(c, fields, n, meta + 1, nm - 1, c->af);
}

/* The structure of a row (its column, or the archive's own for an older archive), among those
 * the archive carries; NULL with the row refused otherwise. */
static const arch_structure *row_structure(rows_ctx *c, uint64_t rec, const char *code)
{
	const arch_structure *as = c->has_structure ? structure_of(c->m, code) : &c->m->structs[0];
	if (!as)
		row_fail(c, rec, "structure « %.40s » absente du manifeste", code);
	return as;
}

/* A 0/1 column against the answer of its multiple choice (parsed just before, its column
 * coming first): empty when there is no answer (an empty selection may also write 0). */
static bool option_ok(const rows_ctx *c, const struct arch_column *a, const char *text, char **why)
{
	const char *multi = c->values[a->col];
	const char *want = c->missing[a->col] ? "" : export_option_cell(multi, a->opt->code);
	if (strcmp(text, want) == 0 || (!multi && !c->missing[a->col] && strcmp(text, "0") == 0))
		return true;
	const field *fd = &c->af->f->fields[c->af->cols[a->col]];
	set_why(why, "%s" EXPORT_OPTION_SEP "%s : « %.8s » alors que %s vaut « %.64s » (attendu « %s »)",
	        fd->id, a->opt->code, text, fd->id,
	        c->missing[a->col] ? missing_code_name(c->missing[a->col])
	        : multi            ? multi
	                           : "",
	        want);
	return false;
}

/* A calculated value as the export writes it: checked against the field's value type. */
static bool calculated_ok(const field *fd, const char *text, char **why)
{
	long long iv;
	double x;
	bool ok;
	switch (fd->vtype) {
	case T_NUM:
		/* stored as an integer when kept without decimals (st_field_sql_type) */
		ok = fd->decimals == 0 ? parse_integer(text, &iv) : parse_decimal(text, &x);
		break;
	case T_BOOL:
		ok = strcmp(text, "0") == 0 || strcmp(text, "1") == 0;
		break;
	case T_DATE:
		ok = is_date(text);
		break;
	default:
		ok = utf8_valid(text, strlen(text)) && strlen(text) <= 4 * MAX_TEXT;
		break;
	}
	if (!ok)
		set_why(why, "%s : valeur calculée « %.64s » qui n'est pas du type %s", fd->id, text,
		        vtype_name(fd->vtype));
	return ok;
}

static bool data_record(void *vctx, uint64_t rec, char **fields, size_t n)
{
	rows_ctx *c = vctx;
	const arch_form *af = c->af;
	if (rec == 0)
		return header_ok(c, fields, n);
	/* The meta columns, after the structure column when there is one; a form of the structure
	 * has no pseudonym column (meta[PSEUDO] is then "" and not read). */
	enum { ID, PSEUDO, DATE, VERSION, STATUS, ROW_VERSION, UPDATED, N_META };
	bool own = af->f->scope == SCOPE_STRUCTURE;
	char *meta[N_META], **first = c->has_structure ? fields + 1 : fields, none[] = "";
	for (int k = 0, col = 0; k < N_META; k++)
		meta[k] = own && k == PSEUDO ? none : first[col++];
	char **vals = first + (own ? N_META - 1 : N_META);
	const arch_structure *as = row_structure(c, rec, fields[0]);
	if (!as)
		return false;
	long long form_version, row_version;
	if (!is_uuid(meta[ID]))
		return row_fail(c, rec, "entry_id « %.40s » n'est pas un identifiant d'entrée", meta[ID]);
	if (!own && !pseudonym_valid(meta[PSEUDO]))
		return row_fail(c, rec, "pseudonym « %.20s » invalide (clé de contrôle)", meta[PSEUDO]);
	if (!is_date(meta[DATE]))
		return row_fail(c, rec, "entry_date « %.20s » n'est pas une date AAAA-MM-JJ", meta[DATE]);
	if (!int_in(meta[VERSION], 1, af->version, &form_version))
		return row_fail(c, rec, "form_version « %.20s » : version 1 à %d attendue", meta[VERSION],
		                af->version);
	if (strcmp(meta[STATUS], "complete") != 0 && strcmp(meta[STATUS], "incomplete") != 0)
		return row_fail(c, rec, "entry_status « %.20s » : complete ou incomplete attendu",
		                meta[STATUS]);
	if (!int_in(meta[ROW_VERSION], 1, 1LL << 53, &row_version))
		return row_fail(c, rec, "row_version « %.20s » : entier positif attendu", meta[ROW_VERSION]);
	if (!is_timestamp(meta[UPDATED]))
		return row_fail(c, rec, "updated_at « %.32s » n'est pas une date et heure", meta[UPDATED]);
	for (size_t j = 0; j < af->n_columns; j++) {
		size_t i = af->columns[j].col;
		size_t idx = af->cols[i];
		const field *fd = &af->f->fields[idx];
		const char *text = vals[j];
		char *why = NULL;
		if (af->columns[j].opt) {
			if (!option_ok(c, &af->columns[j], text, &why))
				goto bad;
		} else if (fd->type == FT_CALCULATED) {
			c->missing[i] = MISS_NONE;
			c->values[i] = *text ? text : NULL;
			if (*text && !calculated_ok(fd, text, &why))
				goto bad;
		} else {
			/* The same text as the row before gives the same canonical value: most values
			 * are codes that repeat, and record_set allocates. */
			if (!*c->last[i] || strcmp(c->last[i], text) != 0) {
				if (!record_set(c->scratch, idx, text, &why))
					goto bad;
				size_t len = strlen(text);
				if (len && len < sizeof c->last[i])
					memcpy(c->last[i], text, len + 1);
				else
					c->last[i][0] = '\0';
			}
			c->values[i] = c->scratch->vals[idx].text;
			c->missing[i] = c->scratch->vals[idx].missing;
		}
		continue;
	bad:
		row_fail(c, rec, "%s", why ? why : fd->id);
		free(why);
		return false;
	}
	if (as->skip) /* a newer export of this structure is held here */
		return true;
	import_row row = {
	    .structure = as->code,
	    .uuid = meta[ID],
	    .pseudonym = own ? NULL : meta[PSEUDO],
	    .date = meta[DATE],
	    .status = meta[STATUS],
	    .updated_at = meta[UPDATED],
	    .form_version = (int)form_version,
	    .row_version = row_version,
	    .values = c->values,
	    .missing = c->missing,
	};
	char *why = NULL;
	int rc = store_import_row(c->im, &row, &why);
	return written(c, rec, rc, why);
}

/* The French text of an alert rule in the forms, "" when no form has it. */
static const char *rule_message(const formset *fs, const char *rule)
{
	for (size_t k = 0; k < fs->n_forms; k++)
		for (size_t i = 0; i < fs->forms[k]->n_alerts; i++)
			if (strcmp(fs->forms[k]->alerts[i].id, rule) == 0)
				return fs->forms[k]->alerts[i].message.fr ? fs->forms[k]->alerts[i].message.fr
				                                          : "";
	return "";
}

/* A rule id as forms give them: 1 to 63 ASCII letters, digits, _ or -. */
static bool is_rule_id(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* One row of alerts.csv. */
static bool alert_record(void *vctx, uint64_t rec, char **fields, size_t n)
{
	rows_ctx *c = vctx;
	if (rec == 0)
		return header_is(c, fields, n, alert_columns, N_ALERT_COLUMNS, NULL);
	enum { STRUCTURE, ENTRY, RULE, LEVEL, RAISED, ACK, ACK_AT };
	const arch_structure *as = structure_of(c->m, fields[STRUCTURE]);
	if (!as)
		return row_fail(c, rec, "structure « %.40s » absente du manifeste", fields[STRUCTURE]);
	if (!is_uuid(fields[ENTRY]))
		return row_fail(c, rec, "entry_id « %.40s » n'est pas un identifiant d'entrée",
		                fields[ENTRY]);
	if (!is_rule_id(fields[RULE]))
		return row_fail(c, rec, "rule « %.40s » n'est pas un identifiant de règle", fields[RULE]);
	if (strcmp(fields[LEVEL], "info") != 0 && strcmp(fields[LEVEL], "attention") != 0 &&
	    strcmp(fields[LEVEL], "urgent") != 0)
		return row_fail(c, rec, "level « %.20s » : info, attention ou urgent attendu", fields[LEVEL]);
	if (!is_timestamp(fields[RAISED]))
		return row_fail(c, rec, "raised_at « %.32s » n'est pas une date et heure", fields[RAISED]);
	bool acked = strcmp(fields[ACK], "1") == 0;
	if (!acked && strcmp(fields[ACK], "0") != 0)
		return row_fail(c, rec, "acknowledged « %.20s » : 0 ou 1 attendu", fields[ACK]);
	if (acked ? !is_timestamp(fields[ACK_AT]) : *fields[ACK_AT] != '\0')
		return row_fail(c, rec,
		                "acknowledged_at « %.32s » : une date et heure si et seulement si "
		                "acknowledged vaut 1",
		                fields[ACK_AT]);
	if (as->skip)
		return true;
	import_alert a = {
	    .structure = as->code,
	    .entry_uuid = fields[ENTRY],
	    .rule = fields[RULE],
	    .level = fields[LEVEL],
	    .raised_at = fields[RAISED],
	    .acknowledged_at = acked ? fields[ACK_AT] : NULL,
	    .message = rule_message(c->fs, fields[RULE]),
	};
	char *why = NULL;
	int rc = store_import_alert(c->im, &a, &why);
	return written(c, rec, rc, why);
}

/* Stream one CSV from its spool through on_record (c->rc set by it on a refusal). One spilled
 * to a file is hashed again on the way (the file could have been changed since it was checked);
 * one held in memory never left the process. bytes and sha256 are the manifest's. */
static int stream_csv(const spooled *in, rows_ctx *c, uint64_t want_bytes, const char *want_sha256,
                      csv_record_fn on_record, char **why)
{
	const manifest *m = c->m;
	csv_reader r;
	csv_reader_init(&r);
	csv_reader_on_record(&r, on_record, c, MAX_RECORD);
	struct sha256_ctx h;
	sha256_init(&h);
	uint64_t bytes = 0;
	char buf[65536];
	const char *chunk;
	size_t got = 0, at = 0;
	if (in->f)
		rewind(in->f);
	while (!c->rc && (got = spool_next(in, buf, sizeof buf, &at, &chunk)) > 0) {
		bytes += (uint64_t)got;
		if (bytes > want_bytes) {
			set_why(why, "%s : %s plus long que le manifeste ne l'annonce : archive refusée",
			        m->path, c->csv);
			c->rc = EXIT_DATAERR;
			break;
		}
		if (in->f)
			sha256_update(&h, (size_t)got, (const uint8_t *)chunk);
		csv_reader_feed(&r, chunk, (size_t)got);
		if (r.bad)
			break;
	}
	if (!c->rc && in->f && ferror(in->f)) {
		set_why(why, "%s : fichier de travail de %s illisible", m->path, c->csv);
		c->rc = EXIT_IOERR;
	}
	if (!c->rc && !csv_reader_finish(&r) && !c->rc) {
		set_why(why, "%s : %s n'est pas un CSV valide (enregistrement %llu : %s)", m->path, c->csv,
		        (unsigned long long)r.bad_record, r.problem ? r.problem : "?");
		c->rc = EXIT_DATAERR;
	}
	if (!c->rc && r.records == 0) {
		set_why(why, "%s : %s vide (sans en-tête) : archive refusée", m->path, c->csv);
		c->rc = EXIT_DATAERR;
	}
	if (!c->rc) {
		unsigned char d[SHA256_DIGEST_SIZE];
		char hex[65];
		sha256_digest(&h, sizeof d, d);
		export_hex(d, sizeof d, hex);
		if (bytes != want_bytes || (in->f && strcmp(hex, want_sha256) != 0)) {
			set_why(why, "%s : fichier de travail de %s modifié pendant l'import : rien importé",
			        m->path, c->csv);
			c->rc = EXIT_DATAERR;
		}
	}
	csv_reader_done(&r);
	return c->rc;
}

/* Stream one form's CSV from its spool into the database. */
static int import_csv(const spooled *in, const manifest *m, const arch_form *af, store_import *im,
                      const formset *fs, char **why)
{
	int rc = store_import_form(im, af->f, af->cols, af->n_cols, why);
	if (rc)
		return rc;
	rows_ctx c = {.m = m, .im = im, .af = af, .csv = af->csv, .fs = fs, .why = why};
	c.scratch = record_new(fs, af->f, 0);
	c.values = xcalloc(af->n_cols ? af->n_cols : 1, sizeof *c.values);
	c.missing = xcalloc(af->n_cols ? af->n_cols : 1, sizeof *c.missing);
	c.last = xcalloc(af->n_cols ? af->n_cols : 1, sizeof *c.last);
	rc = stream_csv(in, &c, af->bytes, af->sha256, data_record, why);
	record_free(c.scratch);
	free(c.values);
	free(c.missing);
	free(c.last);
	return rc;
}

static const spooled *spooled_file(const spool *sp, const char *name)
{
	for (size_t k = 0; k < sp->n; k++)
		if (strcmp(sp->v[k].name, name) == 0)
			return &sp->v[k];
	return NULL;
}

/* Which structures of the archive this database already holds a newer export of (skipped),
 * and announce the others to the store. Returns how many are written into *n_written. */
static int choose_structures(store *s, manifest *m, store_import *im, size_t *n_written, char **why)
{
	*n_written = 0;
	for (size_t i = 0; i < m->n_structs; i++) {
		arch_structure *as = &m->structs[i];
		as->has_held = store_import_held(s, as->code, &as->held);
		as->skip = as->has_held && as->held.sequence > as->sequence;
		if (as->skip)
			continue;
		import_structure info = {
		    .structure = as->code,
		    .structure_name = as->name,
		    .export_id = as->export_id,
		    .period = as->period,
		    .exported_at = as->created_at,
		    .period_first = *as->first ? as->first : NULL,
		    .period_last = *as->last ? as->last : NULL,
		    .period_complete = as->complete,
		    .sequence = as->sequence,
		};
		char *w = NULL;
		int rc = store_import_structure(im, &info, &w);
		if (rc) {
			set_why(why, "%s : %s : archive refusée", m->path, w ? w : "structure");
			free(w);
			return rc;
		}
		(*n_written)++;
	}
	return 0;
}

/* Every form's CSV and the alerts from the spool, in one transaction with the deletions. res
 * gets what became of each structure. */
static int import_rows(store *s, const formset *fs, manifest *m, const spool *sp, const import_opts *o,
                       import_result *res, char **why)
{
	const char *base = strrchr(o->path, '/') ? strrchr(o->path, '/') + 1 : o->path;
	import_source src = {
	    .manifest_sha256 = m->sha256,
	    .file_name = base,
	    .source = m->regional ? m->structure : NULL,
	    .snapshot = m->snapshot,
	    .forms_bundle = *m->forms_bundle ? m->forms_bundle : NULL,
	};
	store_import *im = NULL;
	size_t written = 0;
	int rc = store_import_begin(s, &src, o->login, &im, why);
	if (!rc)
		rc = choose_structures(s, m, im, &written, why);
	for (size_t i = 0; !rc && written && i < m->n_forms; i++) {
		const arch_form *af = &m->forms[i];
		const spooled *e = spooled_file(sp, af->csv);
		if (!e) { /* export_verify saw every listed file: cannot happen */
			set_why(why, "%s : %s introuvable après vérification", o->path, af->csv);
			rc = EXIT_SOFTWARE;
			break;
		}
		rc = import_csv(e, m, af, im, fs, why);
	}
	if (!rc && written && m->has_alerts) {
		const spooled *e = spooled_file(sp, EXPORT_ALERTS);
		rows_ctx c = {.m = m, .im = im, .csv = EXPORT_ALERTS, .fs = fs, .why = why};
		if (!e) {
			set_why(why, "%s : %s introuvable après vérification", o->path, EXPORT_ALERTS);
			rc = EXIT_SOFTWARE;
		} else {
			rc = stream_csv(e, &c, m->alerts_bytes, m->alerts_sha256, alert_record, why);
		}
	}
	for (size_t i = 0; !rc && written && i < m->n_deleted; i++) {
		char *w = NULL;
		if ((rc = store_import_delete(im, m->deleted[i], &w))) {
			set_why(why, "%s : %s : archive refusée", o->path, w ? w : "suppression impossible");
			free(w);
		}
	}
	import_counts *counts = xcalloc(written ? written : 1, sizeof *counts);
	char *end_why = NULL;
	int end = store_import_end(im, rc == 0 && written, counts, &end_why);
	if (!rc && end) {
		set_why(why, "%s : %s ; rien n'a été importé", o->path, end_why);
		rc = end;
	}
	free(end_why);
	res->parts = xcalloc(m->n_structs ? m->n_structs : 1, sizeof *res->parts);
	res->n_parts = m->n_structs;
	for (size_t i = 0, k = 0; i < m->n_structs; i++) {
		const arch_structure *as = &m->structs[i];
		import_part_result *p = &res->parts[i];
		snprintf(p->structure, sizeof p->structure, "%s", as->code);
		snprintf(p->period, sizeof p->period, "%s", as->period);
		p->sequence = as->sequence;
		p->older = as->skip;
		if (as->has_held) {
			p->held_sequence = as->held.sequence;
			snprintf(p->held_at, sizeof p->held_at, "%s", as->held.exported_at);
		}
		if (!as->skip && k < written)
			p->counts = counts[k++];
	}
	free(counts);
	return rc;
}

/* ------------------------------------------------------------ where it comes from */

int import_target_check(store *s, char **why)
{
	if (store_is_region(s))
		return 0;
	char code[64] = "";
	store_structure(s, code, NULL);
	set_why(why,
	        "cette base est celle de la structure %s, pas une base régionale : elle ne reçoit pas "
	        "les "
	        "archives d'autres structures ; les importer dans la base de la coordination (créée par "
	        "« recueil init --region CODE ») ; rien n'a été importé",
	        code);
	return EXIT_USAGE;
}

/* Before anything the archive says is believed: it was sent encrypted (or is accepted plain on
 * purpose), and its manifest is signed with the key the region enrolled for the structure it
 * names. Every file's checksum is in the manifest, so the signature covers the whole archive. */
static int check_origin(store *s, const verify_report *rep, const import_opts *o, char **why)
{
	if (!rep->encrypted && !rep->age && !o->allow_plain) {
		set_why(why,
		        "%s : archive NON chiffrée : refusée (une archive remise en main propre "
		        "s'importe "
		        "avec --allow-plain ; elle doit alors être signée par une structure inscrite)",
		        o->path);
		return EXIT_DATAERR;
	}
	char code[64];
	if (!export_manifest_value(strbuf_str(&rep->manifest), "structure_code", code, sizeof code) ||
	    !is_structure_code(code)) {
		set_why(why, "%s : manifeste : code de structure absent ou invalide : archive refusée",
		        o->path);
		return EXIT_DATAERR;
	}
	minisign_pubkey pk;
	if (!store_enrolled_key(s, code, &pk)) {
		set_why(why,
		        "%s : structure %s non inscrite dans cette base régionale : archive refusée ; "
		        "pour "
		        "l'inscrire, obtenir sa clé publique (« recueil structure key » sur sa machine), "
		        "comparer l'empreinte par téléphone, puis « recueil structure enrol %s CLÉ »",
		        o->path, code, code);
		return EXIT_DATAERR;
	}
	char *whose = xasprintf("celle inscrite pour %s", code);
	char *hint = xasprintf("si %s a changé de machine, comparer par téléphone l'empreinte de sa "
	                       "nouvelle clé puis l'inscrire de nouveau (« recueil structure enrol %s CLÉ "
	                       "--replace »)",
	                       code, code);
	int rc = export_signature_check(rep, o->path, &pk, whose, hint, why);
	free(whose);
	free(hint);
	return rc;
}

/* ------------------------------------------------------------ one archive */

struct import_checked {
	int rc; /* export_verify_ex's verdict */
	char *why;
	verify_report rep;
	spool sp;
};

import_checked *import_check(const import_opts *o)
{
	import_checked *c = xcalloc(1, sizeof *c);
	c->sp.path = o->path;
	verify_hooks hooks = {spool_want, spool_data, &c->sp};
	verify_opts vo = {.passphrase = o->passphrase,
	                  .ask = o->ask,
	                  .ask_ctx = o->ask_ctx,
	                  .hooks = &hooks,
	                  .identities = o->identities,
	                  .n_identities = o->n_identities};
	c->rc = export_verify_opts(o->path, &vo, &c->rep, &c->why);
	return c;
}

void import_checked_free(import_checked *c)
{
	if (!c)
		return;
	free(c->why);
	spool_done(&c->sp);
	verify_report_done(&c->rep);
	free(c);
}

void import_result_done(import_result *res)
{
	free(res->parts);
	res->parts = NULL;
	res->n_parts = 0;
}

int import_load(store *s, const formset *fs, import_checked *c, const import_opts *o, import_result *res,
                char **why)
{
	memset(res, 0, sizeof *res);
	res->encrypted = c->rep.encrypted || c->rep.age;
	if (c->rc) {
		set_why(why, "%s", c->why ? c->why : "archive refusée");
		return c->rc;
	}
	int rc = import_target_check(s, why);
	if (!rc)
		rc = check_origin(s, &c->rep, o, why);
	if (rc)
		return rc;
	manifest m;
	memset(&m, 0, sizeof m);
	m.path = o->path;
	rc = parse_manifest(&m, strbuf_str(&c->rep.manifest), fs, why);
	if (!rc) {
		snprintf(res->structure, sizeof res->structure, "%s", m.structure);
		snprintf(res->structure_name, sizeof res->structure_name, "%s", m.structure_name);
		snprintf(res->export_id, sizeof res->export_id, "%s", m.export_id);
		snprintf(res->period, sizeof res->period, "%s", m.period);
		res->sequence = m.sequence;
		res->snapshot = m.snapshot;
		res->regional = m.regional;
		/* A structure's own archive imported before is not read again. A regional archive
		 * always is: what it carries of each structure decides. */
		char file[256];
		int seen =
		    m.regional ? 0 : store_import_seen(s, m.export_id, m.sha256, res->already_at, file);
		if (seen == 2) {
			set_why(why,
			        "%s : l'export %s a déjà été importé le %s (fichier %s) avec un autre "
			        "manifeste : archive refusée",
			        o->path, m.export_id, res->already_at, file);
			rc = EXIT_DATAERR;
		} else if (seen == 1) {
			res->already = true;
		}
	}
	if (!rc && !res->already)
		rc = check_codebook(&m, &c->rep.codebook, why);
	if (!rc && !res->already)
		rc = import_rows(s, fs, &m, &c->sp, o, res, why);
	if (!rc)
		forms_bundle_note(s, &m, res->forms_note, sizeof res->forms_note);
	manifest_done(&m);
	return rc;
}

int import_archive(store *s, const formset *fs, const import_opts *o, import_result *res, char **why)
{
	import_checked *c = import_check(o);
	int rc = import_load(s, fs, c, o, res, why);
	import_checked_free(c);
	return rc;
}
