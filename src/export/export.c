/* export.c — the pre-export check and the writing of the export archive (see export.h). */
#include "export/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/record.h"
#include "export/csv.h"
#include "export/export_internal.h"
#include "export/safefile.h"

/* ------------------------------------------------------------ pre-export check */

typedef struct {
	export_issues *out;
} check_ctx;

static void collect_issue(void *vctx, int kind, const entry_meta *m, const char *fieldname, const char *rule)
{
	check_ctx *c = vctx;
	export_issues *is = c->out;
	is->v = xrealloc(is->v, (is->n + 1) * sizeof *is->v);
	export_issue *e = &is->v[is->n++];
	e->kind = kind;
	e->m = *m;
	if (kind == STORE_ISSUE_DRAFT) {
		e->detail = xstrdup("brouillon jamais terminé (il ne sera pas exporté)");
		is->drafts++;
	} else if (kind == STORE_ISSUE_UNCONFIRMED) {
		e->detail = xasprintf("valeur inhabituelle de %s gardée sans confirmation (%s)", fieldname,
		                      rule && *rule ? rule : "règle de vraisemblance");
	} else {
		e->detail = NULL; /* filled by name_missing_fields */
	}
}

/* For an incomplete entry, name the required answers that are missing. */
static char *missing_fields(store *s, const formset *fs, const entry_meta *m)
{
	char *why = NULL;
	int code;
	entry_meta meta;
	record *r = store_entry_load(s, fs, m->uuid, &meta, &why, &code);
	if (!r) {
		free(why);
		return xstrdup("incomplète");
	}
	issue *iss = NULL;
	size_t n = record_check(r, &iss);
	strbuf sb = STRBUF_INIT;
	strbuf_puts(&sb, "incomplète : réponses obligatoires manquantes :");
	size_t named = 0;
	for (size_t i = 0; i < n; i++)
		if (iss[i].kind == ISSUE_REQUIRED)
			strbuf_printf(&sb, "%s %s", named++ ? "," : "", r->f->fields[iss[i].field].id);
	if (!named)
		strbuf_puts(&sb, " (à rouvrir et enregistrer)");
	issues_free(iss, n);
	record_free(r);
	return strbuf_take(&sb);
}

int export_check(store *s, const formset *fs, const period *p, export_issues *out, char **why)
{
	memset(out, 0, sizeof *out);
	char first[11], last[11];
	date_format(p->first, first);
	date_format(p->last, last);
	check_ctx c = {out};
	int rc = store_export_issues(s, first, last, collect_issue, &c, why);
	for (size_t i = 0; !rc && i < out->n; i++)
		if (out->v[i].kind == STORE_ISSUE_INCOMPLETE)
			out->v[i].detail = missing_fields(s, fs, &out->v[i].m);
	return rc;
}

void export_issues_done(export_issues *is)
{
	for (size_t i = 0; i < is->n; i++)
		free(is->v[i].detail);
	free(is->v);
	memset(is, 0, sizeof *is);
}

char *export_issue_line(const export_issue *is)
{
	return xasprintf("patient %s  %s  %s  entrée %.8s : %s", is->m.pseudonym, is->m.form, is->m.date,
	                 is->m.uuid, is->detail ? is->detail : "");
}

/* ------------------------------------------------------------ the archive */

bool export_field_included(const field *fd)
{
	return fd->type != FT_NOTE && !fd->identifier && fd->exported;
}

void export_hex(const unsigned char *digest, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * n] = '\0';
}

typedef struct {
	struct archive *a;
	atomic_file out;
	int fd;
	int write_errno;  /* errno of the first failed write to the archive file */
	long long budget; /* test seam: bytes before a simulated full disk, -1 for none */
	export_file *files;
	size_t n_files;
	time_t mtime;
	FILE *progress;
} exporter;

/* libarchive's write callback: everything to the temporary file. A failed write is recorded
 * and the rest discarded, without telling libarchive: a writer put in its fatal state leaks
 * the compressor of the current entry (libarchive 3.6), so the caller checks write_errno after
 * each call instead and abandons the archive. */
static la_ssize_t archive_out(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	exporter *x = ctx;
	const char *p = buf;
	size_t left = n;
	while (left && !x->write_errno) {
		size_t chunk = left;
		if (x->budget >= 0 && (long long)chunk > x->budget)
			chunk = (size_t)x->budget;
		errno = 0;
		ssize_t w = chunk ? write(x->fd, p, chunk) : -1;
		if (!chunk)
			errno = ENOSPC;
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			x->write_errno = errno ? errno : EIO;
			break;
		}
		if (x->budget >= 0)
			x->budget -= w;
		p += w;
		left -= (size_t)w;
	}
	return (la_ssize_t)n;
}

/* Map a libarchive failure to an exit code and a message. */
static int archive_fail(exporter *x, const char *what, char **why)
{
	int err = x->write_errno ? x->write_errno : archive_errno(x->a);
	const char *msg = archive_error_string(x->a);
	if (err == ENOSPC || err == EDQUOT)
		set_why(why,
		        "%s : disque plein pendant l'écriture de %s (libérer de la place) ; aucun fichier "
		        "n'a été "
		        "laissé",
		        x->out.final_path, what);
	else
		set_why(why, "%s : écriture de %s impossible : %s ; aucun fichier n'a été laissé",
		        x->out.final_path, what, msg ? msg : strerror(err ? err : EIO));
	return err ? errno_exit_code(err) : EXIT_IOERR;
}

static export_file *new_file(exporter *x, const char *name)
{
	x->files = xrealloc(x->files, (x->n_files + 1) * sizeof *x->files);
	export_file *f = &x->files[x->n_files++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	return f;
}

static int add_header(exporter *x, const char *name, uint64_t size, char **why)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, x->mtime, 0);
	int r = archive_write_header(x->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK && !x->write_errno ? 0 : archive_fail(x, name, why);
}

static int add_data(exporter *x, const char *name, const void *buf, size_t n, char **why)
{
	const char *p = buf;
	while (n) {
		la_ssize_t w = archive_write_data(x->a, p, n);
		if (w <= 0 || x->write_errno)
			return archive_fail(x, name, why);
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Add a file held in memory. */
static int add_buffer(exporter *x, const char *name, const char *buf, size_t n, char **why)
{
	export_file *f = new_file(x, name);
	f->bytes = n;
	struct sha256_ctx h;
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_init(&h);
	sha256_update(&h, n, (const uint8_t *)buf);
	sha256_digest(&h, sizeof d, d);
	export_hex(d, sizeof d, f->sha256);
	int rc = add_header(x, name, n, why);
	return rc ? rc : add_data(x, name, buf, n, why);
}

/* Add a scratch file whose size is now known, hashing it on the way. */
static int add_scratch(exporter *x, export_file *f, FILE *tmp, char **why)
{
	struct stat st;
	if (fflush(tmp) != 0 || fstat(fileno(tmp), &st) != 0) {
		int err = errno;
		set_why(why, "fichier de travail de %s : %s", f->name, strerror(err));
		return errno_exit_code(err);
	}
	f->bytes = (uint64_t)st.st_size;
	rewind(tmp);
	int rc = add_header(x, f->name, f->bytes, why);
	struct sha256_ctx h;
	sha256_init(&h);
	char buf[65536];
	uint64_t copied = 0;
	size_t got;
	while (!rc && (got = fread(buf, 1, sizeof buf, tmp)) > 0) {
		sha256_update(&h, got, (const uint8_t *)buf);
		rc = add_data(x, f->name, buf, got, why);
		copied += got;
	}
	if (!rc && copied != f->bytes) {
		set_why(why, "fichier de travail de %s : relu %llu octets sur %llu", f->name,
		        (unsigned long long)copied, (unsigned long long)f->bytes);
		rc = EXIT_IOERR;
	}
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(&h, sizeof d, d);
	export_hex(d, sizeof d, f->sha256);
	return rc;
}

/* ---- one form's CSV */

typedef struct {
	csv_writer w;
	size_t n_fields;
} form_csv;

static int write_row(void *ctx, const export_row *r)
{
	form_csv *fc = ctx;
	char version[16], row_version[24];
	snprintf(version, sizeof version, "%d", r->form_version);
	snprintf(row_version, sizeof row_version, "%lld", (long long)r->row_version);
	csv_field(&fc->w, r->uuid);
	csv_field(&fc->w, r->pseudonym);
	csv_field(&fc->w, r->date);
	csv_field(&fc->w, version);
	csv_field(&fc->w, r->status);
	csv_field(&fc->w, row_version);
	csv_field(&fc->w, r->updated_at);
	for (size_t i = 0; i < fc->n_fields; i++)
		csv_field(&fc->w, r->values[i]);
	csv_end_row(&fc->w);
	return fc->w.failed ? EXIT_IOERR : 0;
}

/* An entry name of plain ASCII, whatever the form id holds. */
static void neutral_name(const char *id, const char *ext, char *out, size_t size);

void export_csv_name(const char *form_id, char *out, size_t size)
{
	neutral_name(form_id, ".csv", out, size);
}

static void neutral_name(const char *id, const char *ext, char *out, size_t size)
{
	size_t o = 0;
	for (const char *p = id; *p && o + 1 + strlen(ext) < size && o < 60; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		out[o++] = ok ? c : '_';
	}
	snprintf(out + o, size - o, "%s", ext);
}

static int export_form(store *s, exporter *x, const form *f, const char *first, const char *last, char **why)
{
	char name[80];
	export_csv_name(f->id, name, sizeof name);
	FILE *tmp = private_tmpfile(why);
	if (!tmp)
		return EXIT_CANTCREAT;
	size_t *cols = xcalloc(f->n_fields ? f->n_fields : 1, sizeof *cols);
	size_t n = 0;
	for (size_t i = 0; i < f->n_fields; i++)
		if (export_field_included(&f->fields[i]))
			cols[n++] = i;
	form_csv fc = {.n_fields = n};
	csv_init_file(&fc.w, tmp);
	static const char *const meta[] = {EXPORT_META_COLUMNS};
	for (size_t i = 0; i < sizeof meta / sizeof *meta; i++)
		csv_field(&fc.w, meta[i]);
	for (size_t i = 0; i < n; i++)
		csv_field(&fc.w, f->fields[cols[i]].id);
	csv_end_row(&fc.w);
	int rc =
	    store_export_rows(s, f, cols, n, first, last, f->cardinality == CARD_ONCE, write_row, &fc, why);
	free(cols);
	if (!rc && !csv_flush(&fc.w))
		rc = EXIT_IOERR;
	if (rc == EXIT_IOERR && fc.w.failed) { /* the scratch file could not be written */
		int err = errno ? errno : EIO;
		set_why(why, "fichier de travail de %s : %s", name, strerror(err));
		rc = errno_exit_code(err);
	}
	if (!rc) {
		export_file *ef = new_file(x, name);
		ef->f = f;
		ef->is_csv = true;
		ef->rows = fc.w.rows - 1;
		rc = add_scratch(x, ef, tmp, why);
		if (!rc && x->progress)
			fprintf(x->progress, "  %-20s %8llu ligne(s)\n", ef->name,
			        (unsigned long long)ef->rows);
	}
	fclose(tmp);
	return rc;
}

static int export_codebook_file(exporter *x, const formset *fs, char **why)
{
	strbuf sb = STRBUF_INIT;
	export_codebook(&sb, fs);
	int rc = add_buffer(x, EXPORT_CODEBOOK, strbuf_str(&sb), sb.len, why);
	csv_reader r;
	csv_reader_init(&r);
	csv_reader_feed(&r, strbuf_str(&sb), sb.len);
	csv_reader_finish(&r);
	x->files[x->n_files - 1].is_csv = true;
	x->files[x->n_files - 1].rows = r.records ? r.records - 1 : 0;
	strbuf_done(&sb);
	return rc;
}

/* ---- corrections since the previous export of the same period */

typedef struct {
	const period *per;
	export_log_entry last, last_same;
	bool any, any_same;
} log_scan;

static void scan_log(void *vctx, const export_log_entry *e)
{
	log_scan *ls = vctx;
	ls->last = *e;
	ls->any = true;
	period p;
	if (period_parse(e->period, &p, NULL) && period_same(&p, ls->per)) {
		ls->last_same = *e;
		ls->any_same = true;
	}
}

typedef struct {
	strbuf *manifest;
	size_t n;
} change_ctx;

static void list_change(void *vctx, int kind, const entry_meta *m)
{
	change_ctx *c = vctx;
	static const char *const kinds[] = {"edited", "added", "deleted"};
	strbuf_printf(c->manifest, "correction: %s entry=%s form=%s pseudonym=%s date=%s\n", kinds[kind],
	              m->uuid, m->form, m->pseudonym, m->date);
	c->n++;
}

/* A value for a manifest line: one line, no control characters. */
static void manifest_value(strbuf *sb, const char *key, const char *text)
{
	char *clean = text_sanitize(text ? text : "", false);
	strbuf_printf(sb, "%s: %s\n", key, clean);
	free(clean);
}

static void manifest_head(strbuf *sb, const export_summary *sum, const formset *fs)
{
	char first[11], last[11];
	date_format(sum->per->first, first);
	date_format(sum->per->last, last);
	strbuf_puts(sb, "# recueil : manifeste de l'export (vérifier avec « recueil verify ARCHIVE »)\n");
	strbuf_puts(sb, "format: " EXPORT_FORMAT "\n");
	manifest_value(sb, "export_id", sum->export_id);
	strbuf_printf(sb, "export_sequence: %lld\n", (long long)sum->sequence);
	manifest_value(sb, "previous_export_id", *sum->previous_id ? sum->previous_id : "none");
	manifest_value(sb, "structure_code", sum->structure_code);
	manifest_value(sb, "structure_name", sum->structure_name);
	manifest_value(sb, "period", sum->per->label);
	strbuf_printf(sb, "period_first: %s\nperiod_last: %s\n", first, last);
	strbuf_printf(sb, "period_complete: %s\n", sum->period_complete ? "yes" : "no");
	manifest_value(sb, "created_at", sum->created_at);
	strbuf_printf(sb, "program: recueil %s\n", RECUEIL_VERSION);
	strbuf_printf(sb, "schema_version: %d\n", store_schema_version());
	strbuf_printf(sb, "encryption: %s\n", sum->encrypted ? "aes256" : "none (--no-encrypt)");
	strbuf_puts(sb,
	            "csv: utf-8, no BOM, comma, CRLF, RFC 4180; missing codes .refus .nsp .non_demande\n");
	for (size_t i = 0; i < fs->n_forms; i++)
		strbuf_printf(sb, "form: %s version=%d\n", fs->forms[i]->id, fs->forms[i]->version);
}

/* ---- the whole export */

static long long fault_budget(void)
{
#ifdef RECUEIL_TEST_SEAMS
	/* Test seam: pretend the disk fills up after this many bytes of archive. */
	const char *v = getenv("RECUEIL_FAULT_DISK_FULL_AFTER");
	long long n;
	if (v && parse_integer(v, &n) && n >= 0)
		return n;
#endif
	return -1;
}

static int open_archive(exporter *x, const char *passphrase, char **why)
{
	x->a = archive_write_new();
	if (archive_write_set_format_zip(x->a) != ARCHIVE_OK ||
	    archive_write_set_options(x->a, "zip:compression-level=6,zip:hdrcharset=UTF-8") != ARCHIVE_OK) {
		set_why(why, "libarchive : format zip indisponible : %s", archive_error_string(x->a));
		return EXIT_SOFTWARE;
	}
	if (passphrase && (archive_write_set_options(x->a, "zip:encryption=aes256") != ARCHIVE_OK ||
	                   archive_write_set_passphrase(x->a, passphrase) != ARCHIVE_OK)) {
		set_why(
		    why,
		    "libarchive sans chiffrement AES-256 (%s) : export chiffré impossible sur cette machine",
		    archive_error_string(x->a));
		return EXIT_SOFTWARE;
	}
	archive_write_set_bytes_in_last_block(x->a, 1);
	if (archive_write_open(x->a, x, NULL, archive_out, NULL) != ARCHIVE_OK)
		return archive_fail(x, "l'archive", why);
	return 0;
}

/* Everything read from the database, inside one read transaction (one consistent snapshot). */
static int write_contents(store *s, const formset *fs, const export_opts *o, exporter *x, export_summary *sum,
                          strbuf *manifest, char **why)
{
	char first[11], last[11];
	date_format(o->per.first, first);
	date_format(o->per.last, last);
	int rc = 0;
	for (size_t i = 0; !rc && i < fs->n_forms; i++)
		rc = export_form(s, x, fs->forms[i], first, last, why);
	if (rc)
		return rc;
	log_scan ls = {.per = &o->per};
	if ((rc = store_export_log_each(s, scan_log, &ls, why)))
		return rc;
	sum->sequence = ls.any ? ls.last.sequence + 1 : 1;
	snprintf(sum->previous_id, sizeof sum->previous_id, "%s", ls.any ? ls.last.export_id : "");
	manifest_head(manifest, sum, fs);
	if (ls.any_same) {
		snprintf(sum->previous_same_at, sizeof sum->previous_same_at, "%s", ls.last_same.created_at);
		manifest_value(manifest, "corrections_since_export_id", ls.last_same.export_id);
		manifest_value(manifest, "corrections_since", ls.last_same.created_at);
		change_ctx cc = {manifest, 0};
		if ((rc =
		         store_changes_since(s, first, last, ls.last_same.created_at, list_change, &cc, why)))
			return rc;
		sum->n_corrections = cc.n;
	}
	return export_codebook_file(x, fs, why);
}

static void manifest_issues(strbuf *sb, const export_opts *o)
{
	size_t n = o->issues ? o->issues->n : 0;
	strbuf_printf(sb, "drafts_excluded: %zu\n", o->issues ? o->issues->drafts : 0);
	strbuf_printf(sb, "accepted_issues: %zu\n", n);
	if (n)
		manifest_value(sb, "accepted_reason", o->accepted_reason);
	for (size_t i = 0; i < n; i++) {
		const export_issue *is = &o->issues->v[i];
		static const char *const kinds[] = {"draft", "incomplete", "unconfirmed"};
		strbuf_printf(sb, "issue: %s entry=%s form=%s pseudonym=%s date=%s ", kinds[is->kind],
		              is->m.uuid, is->m.form, is->m.pseudonym, is->m.date);
		char *clean = text_sanitize(is->detail ? is->detail : "", false);
		strbuf_printf(sb, "detail=%s\n", clean);
		free(clean);
	}
}

static void to_crlf(strbuf *out, const strbuf *in)
{
	for (size_t i = 0; i < in->len; i++) {
		if (in->s[i] == '\n' && (i == 0 || in->s[i - 1] != '\r'))
			strbuf_putc(out, '\r');
		strbuf_putc(out, in->s[i]);
	}
}

static int write_notes(const formset *fs, exporter *x, export_summary *sum, char **why)
{
	strbuf text = STRBUF_INIT, crlf = STRBUF_INIT;
	sum->files = x->files;
	sum->n_files = x->n_files;
	export_readme(&text, sum);
	to_crlf(&crlf, &text);
	int rc = add_buffer(x, EXPORT_README, strbuf_str(&crlf), crlf.len, why);
	strbuf_reset(&text);
	if (!rc) {
		export_r_script(&text);
		rc = add_buffer(x, EXPORT_R_SCRIPT, strbuf_str(&text), text.len, why);
	}
	strbuf_reset(&text);
	if (!rc) {
		export_stata_do(&text, fs, sum);
		rc = add_buffer(x, EXPORT_STATA_DO, strbuf_str(&text), text.len, why);
	}
	strbuf_done(&text);
	strbuf_done(&crlf);
	return rc;
}

static void manifest_files(strbuf *sb, const exporter *x)
{
	for (size_t i = 0; i < x->n_files; i++) {
		const export_file *f = &x->files[i];
		strbuf_printf(sb, "file: %s rows=", f->name);
		if (f->is_csv)
			strbuf_printf(sb, "%llu", (unsigned long long)f->rows);
		else
			strbuf_puts(sb, "-");
		strbuf_printf(sb, " bytes=%llu sha256=%s\n", (unsigned long long)f->bytes, f->sha256);
	}
}

static char *accepted_text(const export_opts *o)
{
	if (!o->issues || !o->issues->n)
		return NULL;
	return xasprintf("%zu problème(s) accepté(s) : %s", o->issues->n, o->accepted_reason);
}

/* Log the export and rename the archive into place as one step: if either fails, neither
 * stays. */
static int publish(store *s, const export_opts *o, exporter *x, export_summary *sum, export_result *res,
                   char **why)
{
	int rc = store_write_begin(s, why);
	if (rc)
		return rc;
	export_log_entry e = {.sequence = sum->sequence};
	snprintf(e.export_id, sizeof e.export_id, "%s", sum->export_id);
	snprintf(e.period, sizeof e.period, "%s", o->per.label);
	snprintf(e.created_at, sizeof e.created_at, "%s", sum->created_at);
	char *copy = xstrdup(o->out_path);
	const char *base = strrchr(copy, '/') ? strrchr(copy, '/') + 1 : copy;
	char *accepted = accepted_text(o);
	rc = store_export_log_add(s, &e, o->login, base, sum->encrypted, (int64_t)res->rows, accepted, why);
	free(accepted);
	free(copy);
	if (!rc)
		rc = atomic_commit(&x->out, why);
	if (rc) {
		store_write_rollback(s);
		return rc;
	}
	if ((rc = store_write_commit(s, why)))
		unlink(o->out_path);
	return rc;
}

int export_check_target(const char *out_path, char **why)
{
	return atomic_check_target(out_path, why);
}

int export_write(store *s, const formset *fs, const export_opts *o, export_result *res, char **why)
{
	memset(res, 0, sizeof *res);
	if (o->issues && o->issues->n && (!o->accepted_reason || !*o->accepted_reason)) {
		set_why(why, "%zu problème(s) à corriger ou à accepter avant l'export", o->issues->n);
		return EXIT_DATAERR;
	}
	exporter x = {.fd = -1, .budget = fault_budget(), .progress = o->progress, .mtime = time(NULL)};
	export_summary sum = {.per = &o->per, .encrypted = o->passphrase != NULL};
	sum.period_complete = o->per.last < o->today;
	sum.n_issues = o->issues ? o->issues->n : 0;
	sum.drafts = o->issues ? o->issues->drafts : 0;
	sum.accepted_reason = o->accepted_reason;
	store_structure(s, sum.structure_code, sum.structure_name);
	time_now_iso(sum.created_at, sizeof sum.created_at);
	uuid_v4(sum.export_id);
	int rc = atomic_open(&x.out, o->out_path, why);
	if (rc)
		return rc;
	x.fd = x.out.fd;
	strbuf manifest = STRBUF_INIT;
	rc = open_archive(&x, o->passphrase, why);
	if (!rc && !(rc = store_read_begin(s, why))) {
		rc = write_contents(s, fs, o, &x, &sum, &manifest, why);
		store_read_end(s);
	}
	for (size_t i = 0; i < x.n_files; i++)
		res->rows += x.files[i].f ? x.files[i].rows : 0;
	if (!rc)
		rc = write_notes(fs, &x, &sum, why);
	if (!rc) {
		manifest_issues(&manifest, o);
		manifest_files(&manifest, &x);
		rc = add_buffer(&x, EXPORT_MANIFEST, strbuf_str(&manifest), manifest.len, why);
	}
	if (!rc && (archive_write_close(x.a) != ARCHIVE_OK || x.write_errno))
		rc = archive_fail(&x, "la fin de l'archive", why);
	if (x.a) {
		if (rc) /* finish the open entry so that libarchive releases it; the output is discarded */
			archive_write_close(x.a);
		archive_write_free(x.a);
	}
	strbuf_done(&manifest);
	if (!rc)
		rc = publish(s, o, &x, &sum, res, why);
	if (rc) {
		atomic_abort(&x.out);
	} else {
		atomic_done(&x.out);
		snprintf(res->export_id, sizeof res->export_id, "%s", sum.export_id);
		snprintf(res->previous_id, sizeof res->previous_id, "%s", sum.previous_id);
		res->sequence = sum.sequence;
		res->n_files = x.n_files;
		res->n_corrections = sum.n_corrections;
		res->has_previous_same_period = *sum.previous_same_at != '\0';
	}
	free(x.files);
	return rc;
}
