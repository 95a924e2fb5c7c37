/* export.c — the pre-export check and the writing of the export archive (see export.h). */
#include "export/export.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/privilege.h"
#include "core/forms_bundle.h"
#include "core/record.h"
#include "export/archive_dl.h"
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
	} else if (kind == STORE_ISSUE_UNINFORMED) {
		e->detail = xstrdup("patient jamais informé de l'usage de ses données pour l'évaluation "
		                    "(recueil patient inform)");
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
	if (is->kind == STORE_ISSUE_UNINFORMED)
		return xasprintf("patient %s  information  depuis le %s : %s", is->m.pseudonym, is->m.date,
		                 is->detail ? is->detail : "");
	/* An entry of a structure's form has no patient. */
	return xasprintf("%s%s  %s  %s  entrée %.8s : %s", *is->m.pseudonym ? "patient " : "structure",
	                 is->m.pseudonym, is->m.form, is->m.date, is->m.uuid, is->detail ? is->detail : "");
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

/* The archive is written by a thread of its own: while it deflates and encrypts one file, the
 * main thread reads the next form from the database and writes its CSV (the two halves of the
 * work take about as long, and `sqlite3 | gzip`, the yardstick, runs them on two cores too).
 * The main thread hands over finished files, whose size and SHA-256 it already knows, through a
 * short queue; the writer thread alone touches the struct archive and the output file until it
 * is joined. The first failure on either side stops both, and export_write joins the thread and
 * releases every queued file on every path. */

/* A file waiting for the writer thread: a scratch file or a buffer, with its size. */
typedef struct job {
	char name[80];
	FILE *scratch; /* owned; read from its start */
	char *buf;     /* owned, when the file was built in memory */
	uint64_t size;
	struct job *next;
} job;

/* Scratch files waiting at most: bounds the disk they hold while letting the main thread run
 * ahead of the writer (which takes the longer half). */
#define PIPE_MAX_QUEUED 4

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a job queued or taken, the queue closed, or the writer failed */
	job *head, *tail;
	size_t queued;
	bool closed;      /* no more jobs will come */
	bool abandoned;   /* the main thread failed: drop what is queued */
	bool failed;      /* the writer thread failed: rc and why say how */
	atomic_bool stop; /* failed, read without the lock by the main thread between rows */
	atomic_bool quit; /* abandoned, read without the lock by the writer thread between chunks */
	int rc;
	char *why;
	pthread_t thread;
	bool running;
} archive_pipe;

typedef struct {
	struct archive *a;
	atomic_file out;
	int fd;
	age_writer *age;  /* the age file around the zip (export_opts.recipients), or NULL */
	int write_errno;  /* errno of the first failed write to the archive file */
	long long budget; /* test seam: bytes before a simulated full disk, -1 for none */
	export_file *files;
	size_t n_files;
	time_t mtime;
	FILE *progress;
	archive_pipe pipe;
} exporter;

/* Write n bytes to the temporary file; after a failed write, recorded in write_errno, the rest
 * is discarded. Returns 0, or -1 once a write has failed (the age writer's callback). */
static int file_out(void *ctx, const void *buf, size_t n)
{
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
	return x->write_errno ? -1 : 0;
}

/* libarchive's write callback: everything to the temporary file, through the age writer when
 * there is one. A failed write is recorded and the rest discarded, without telling libarchive:
 * a writer put in its fatal state leaks the compressor of the current entry (libarchive 3.6),
 * so the caller checks write_errno after each call instead and abandons the archive. */
static la_ssize_t archive_out(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	exporter *x = ctx;
	if (!x->age)
		file_out(x, buf, n);
	else if (!x->write_errno && age_writer_write(x->age, buf, n, NULL) != 0 && !x->write_errno)
		x->write_errno = EIO;
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

/* A new file of the manifest; its slot stays valid until the next call (the array grows). */
static export_file *new_file(exporter *x, const char *name)
{
	x->files = xrealloc(x->files, (x->n_files + 1) * sizeof *x->files);
	export_file *f = &x->files[x->n_files++];
	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%s", name);
	return f;
}

/* ---- the writer thread's side */

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

/* Copy a finished scratch file into the archive; it was written by the main thread, which
 * counted and hashed its bytes on the way. */
static int add_scratch(exporter *x, const job *j, char **why)
{
	int rc = add_header(x, j->name, j->size, why);
	int fd = fileno(j->scratch);
	static const size_t chunk = 65536;
	char *buf = xmalloc(chunk);
	uint64_t copied = 0;
	while (!rc && copied < j->size && !atomic_load_explicit(&x->pipe.quit, memory_order_relaxed)) {
		size_t want = j->size - copied < chunk ? (size_t)(j->size - copied) : chunk;
		ssize_t got = pread(fd, buf, want, (off_t)copied);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			int err = got < 0 ? errno : EIO;
			set_why(why, "fichier de travail de %s : relu %llu octets sur %llu : %s", j->name,
			        (unsigned long long)copied, (unsigned long long)j->size, strerror(err));
			rc = errno_exit_code(err);
			break;
		}
		rc = add_data(x, j->name, buf, (size_t)got, why);
		copied += (uint64_t)got;
	}
	free(buf);
	return rc;
}

static void job_free(job *j)
{
	if (j->scratch)
		fclose(j->scratch);
	free(j->buf);
	free(j);
}

static void *writer_main(void *arg)
{
	exporter *x = arg;
	archive_pipe *p = &x->pipe;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->head && !p->closed)
			pthread_cond_wait(&p->cv, &p->mu);
		job *j = p->abandoned ? NULL : p->head;
		if (j) {
			p->head = j->next;
			if (!p->head)
				p->tail = NULL;
			if (j->scratch)
				p->queued--;
			pthread_cond_broadcast(&p->cv); /* room in the queue */
		}
		pthread_mutex_unlock(&p->mu);
		if (!j)
			return NULL; /* closed and drained, or abandoned: export_write frees the rest */
		char *why = NULL;
		int rc = j->scratch ? add_scratch(x, j, &why) : add_header(x, j->name, j->size, &why);
		if (!rc && !j->scratch)
			rc = add_data(x, j->name, j->buf, j->size, &why);
		job_free(j);
		if (rc) {
			pthread_mutex_lock(&p->mu);
			p->failed = true;
			p->rc = rc;
			p->why = why;
			atomic_store(&p->stop, true);
			pthread_cond_broadcast(&p->cv);
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
	}
}

/* ---- the main thread's side */

/* Start the writer thread. Signals stay with the main thread (the terminal's handlers). */
static int pipe_start(exporter *x, char **why)
{
	archive_pipe *p = &x->pipe;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&p->thread, NULL, writer_main, x);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		set_why(why,
		        "%s : écriture de l'archive impossible à lancer : %s ; aucun fichier n'a été laissé",
		        x->out.final_path, strerror(err));
		return EXIT_SOFTWARE;
	}
	p->running = true;
	return 0;
}

/* Queue a file for the archive (j is taken, whatever happens). Waits while the queue is full.
 * Returns 0, or the writer thread's failure code once it has failed (its message is given by
 * pipe_finish). */
static int pipe_push(exporter *x, job *j)
{
	archive_pipe *p = &x->pipe;
	pthread_mutex_lock(&p->mu);
	while (j->scratch && p->queued >= PIPE_MAX_QUEUED && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	int rc = p->failed ? p->rc : 0;
	if (!rc) {
		j->next = NULL;
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		if (j->scratch)
			p->queued++;
		pthread_cond_signal(&p->cv);
		j = NULL;
	}
	pthread_mutex_unlock(&p->mu);
	if (j)
		job_free(j);
	return rc;
}

/* No more files: wait for the writer thread to archive what is queued (or, after a failure of
 * ours, rc != 0, to stop at once), join it and free what is left. Returns the writer thread's
 * failure, which comes first (*why replaced), else rc. */
static int pipe_finish(exporter *x, int rc, char **why)
{
	archive_pipe *p = &x->pipe;
	if (p->running) {
		pthread_mutex_lock(&p->mu);
		p->closed = true;
		p->abandoned = rc != 0;
		atomic_store(&p->quit, rc != 0); /* the archive is discarded: no use finishing a file */
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(p->thread, NULL);
		p->running = false;
	}
	while (p->head) {
		job *j = p->head;
		p->head = j->next;
		job_free(j);
	}
	p->tail = NULL;
	p->queued = 0;
	if (p->failed) {
		rc = p->rc;
		if (why) {
			free(*why);
			*why = p->why;
		} else {
			free(p->why);
		}
		p->why = NULL;
	}
	return rc;
}

/* Add a file held in memory (copied): hashed here, archived by the writer thread. */
static int add_buffer(exporter *x, const char *name, const char *buf, size_t n)
{
	export_file *f = new_file(x, name);
	f->bytes = n;
	struct sha256_ctx h;
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_init(&h);
	sha256_update(&h, n, (const uint8_t *)buf);
	sha256_digest(&h, sizeof d, d);
	export_hex(d, sizeof d, f->sha256);
	job *j = xcalloc(1, sizeof *j);
	snprintf(j->name, sizeof j->name, "%s", name);
	j->buf = xmalloc(n ? n : 1);
	memcpy(j->buf, buf, n);
	j->size = n;
	return pipe_push(x, j);
}

/* Where a form's CSV goes: its scratch file, hashed and counted on the way. */
typedef struct {
	int fd;
	struct sha256_ctx h;
	uint64_t bytes;
	int err; /* errno of the first failed write */
} scratch_sink;

static bool scratch_write(void *ctx, const char *buf, size_t n)
{
	scratch_sink *k = ctx;
	sha256_update(&k->h, n, (const uint8_t *)buf);
	k->bytes += n;
	while (n) {
		ssize_t w = write(k->fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			k->err = w < 0 ? errno : EIO;
			return false;
		}
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* ---- one form's CSV, and the alerts */

/* A CSV being written to a private scratch file, hashed and counted on the way. */
typedef struct {
	FILE *tmp;
	scratch_sink k;
	csv_writer w;
	atomic_bool *stop; /* the writer thread failed: no use going on */
} scratch_csv;

static int scratch_csv_open(exporter *x, scratch_csv *sc, const char *const *head, size_t n, char **why)
{
	memset(sc, 0, sizeof *sc);
	if (!(sc->tmp = private_tmpfile(why)))
		return EXIT_CANTCREAT;
	sc->k.fd = fileno(sc->tmp);
	sc->stop = &x->pipe.stop;
	sha256_init(&sc->k.h);
	csv_init(&sc->w, scratch_write, &sc->k);
	for (size_t i = 0; i < n; i++)
		csv_field(&sc->w, head[i]);
	return 0;
}

/* The end of a row: EXIT_IOERR when the scratch file or the writer thread failed. */
static int scratch_csv_row(scratch_csv *sc)
{
	csv_end_row(&sc->w);
	return sc->w.failed || atomic_load_explicit(sc->stop, memory_order_relaxed) ? EXIT_IOERR : 0;
}

/* Finish the CSV of x->files[slot] (rc: how its rows went): its size, rows and SHA-256 noted,
 * and the scratch file queued for the archive; on failure, the scratch file is closed. */
static int scratch_csv_close(exporter *x, size_t slot, scratch_csv *sc, int rc, char **why)
{
	if (!rc && !csv_flush(&sc->w))
		rc = EXIT_IOERR;
	if (sc->w.failed) { /* the scratch file could not be written */
		int err = sc->k.err ? sc->k.err : EIO;
		set_why(why, "fichier de travail de %s : %s", x->files[slot].name, strerror(err));
		rc = errno_exit_code(err);
	}
	if (rc) {
		fclose(sc->tmp);
		return rc;
	}
	export_file *ef = &x->files[slot];
	unsigned char d[SHA256_DIGEST_SIZE];
	sha256_digest(&sc->k.h, sizeof d, d);
	export_hex(d, sizeof d, ef->sha256);
	ef->bytes = sc->k.bytes;
	ef->rows = sc->w.rows - 1;
	if (x->progress)
		fprintf(x->progress, "  %-20s %8llu ligne(s)\n", ef->name, (unsigned long long)ef->rows);
	job *j = xcalloc(1, sizeof *j);
	snprintf(j->name, sizeof j->name, "%s", ef->name);
	j->scratch = sc->tmp;
	j->size = sc->k.bytes;
	return pipe_push(x, j);
}

typedef struct {
	scratch_csv sc;
	const export_layout *l; /* the columns of the file */
} form_csv;

static int write_row(void *ctx, const export_row *r)
{
	form_csv *fc = ctx;
	csv_writer *w = &fc->sc.w;
	char version[16], row_version[24];
	snprintf(version, sizeof version, "%d", r->form_version);
	snprintf(row_version, sizeof row_version, "%lld", (long long)r->row_version);
	csv_field(w, r->structure);
	csv_field(w, r->uuid);
	if (fc->l->f->scope == SCOPE_PATIENT) /* a form of the structure has no pseudonym column */
		csv_field(w, r->pseudonym);
	csv_field(w, r->date);
	csv_field(w, version);
	csv_field(w, r->status);
	csv_field(w, row_version);
	csv_field(w, r->updated_at);
	for (size_t i = 0; i < fc->l->n; i++) {
		const export_column *c = &fc->l->cols[i];
		if (c->kind == EXPORT_COL_FIELD)
			csv_field(w, r->values[c->value]);
		else if (c->kind == EXPORT_COL_OPTION)
			csv_field(w, export_option_cell(r->values[c->value], c->opt->code));
	}
	return scratch_csv_row(&fc->sc);
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

/* Write the CSV of the form of x->files[slot] (its entries up to last; all of them for the
 * patient's own record, a form of cardinality once) to a scratch file and queue it for the
 * archive. */
static int export_form(store *s, exporter *x, size_t slot, const char *last, char **why)
{
	const form *f = x->files[slot].f;
	export_layout l;
	export_layout_init(&l, f);
	form_csv fc = {.l = &l};
	int rc = scratch_csv_open(x, &fc.sc, NULL, 0, why);
	if (rc) {
		export_layout_done(&l);
		return rc;
	}
	for (size_t i = 0; i < l.n; i++)
		csv_field(&fc.sc.w, l.cols[i].name);
	csv_end_row(&fc.sc.w);
	rc = store_export_rows(s, f, l.fields, l.n_fields, last, f->cardinality == CARD_ONCE, write_row, &fc,
	                       why);
	export_layout_done(&l);
	return scratch_csv_close(x, slot, &fc.sc, rc, why);
}

static int write_alert(void *ctx, const export_alert *a)
{
	scratch_csv *sc = ctx;
	csv_field(&sc->w, a->structure);
	csv_field(&sc->w, a->entry_uuid);
	csv_field(&sc->w, a->rule);
	csv_field(&sc->w, a->level);
	csv_field(&sc->w, a->raised_at);
	csv_field(&sc->w, a->acknowledged_at ? "1" : "0");
	csv_field(&sc->w, a->acknowledged_at);
	return scratch_csv_row(sc);
}

/* alerts.csv: the alerts of the entries export_form writes, as the report counts them. */
static int export_alerts(store *s, exporter *x, const formset *fs, const char *last, char **why)
{
	export_file *ef = new_file(x, EXPORT_ALERTS);
	ef->is_csv = true;
	size_t slot = x->n_files - 1;
	static const char *const head[] = {EXPORT_ALERT_COLUMNS};
	scratch_csv sc;
	int rc = scratch_csv_open(x, &sc, head, sizeof head / sizeof *head, why);
	if (rc)
		return rc;
	csv_end_row(&sc.w);
	const char **once = xcalloc(fs->n_forms + 1, sizeof *once);
	for (size_t i = 0, k = 0; i < fs->n_forms; i++)
		if (fs->forms[i]->cardinality == CARD_ONCE)
			once[k++] = fs->forms[i]->id;
	rc = store_export_alerts(s, last, once, write_alert, &sc, why);
	free(once);
	return scratch_csv_close(x, slot, &sc, rc, why);
}

/* Add a CSV built in memory (codebook.csv, seuils.csv), its rows counted for the manifest. */
static int add_csv_buffer(exporter *x, const char *name, const strbuf *sb)
{
	int rc = add_buffer(x, name, strbuf_str(sb), sb->len);
	csv_reader r;
	csv_reader_init(&r);
	csv_reader_feed(&r, strbuf_str(sb), sb->len);
	csv_reader_finish(&r);
	x->files[x->n_files - 1].is_csv = true;
	x->files[x->n_files - 1].rows = r.records ? r.records - 1 : 0;
	return rc;
}

static int export_codebook_file(exporter *x, const formset *fs)
{
	strbuf sb = STRBUF_INIT;
	export_codebook(&sb, fs);
	int rc = add_csv_buffer(x, EXPORT_CODEBOOK, &sb);
	strbuf_reset(&sb);
	if (!rc) {
		export_thresholds(&sb, fs);
		rc = add_csv_buffer(x, EXPORT_SEUILS, &sb);
	}
	strbuf_done(&sb);
	return rc;
}

/* ---- the order of the forms */

typedef struct {
	const formset *fs;
	int64_t *size;
} sizes_ctx;

static void note_size(void *vctx, const char *form_id, int64_t n)
{
	sizes_ctx *c = vctx;
	for (size_t i = 0; i < c->fs->n_forms; i++)
		if (strcmp(c->fs->forms[i]->id, form_id) == 0)
			c->size[i] = n;
}

/* The forms from the largest to the smallest (by their entries up to the period's end). Reading and
 * formatting a CSV takes longer than deflating and encrypting it (on the 10,000-patient demo,
 * 1.5 s of CPU against 1.2 s), so the export ends when the last CSV is written plus the time
 * the writer thread takes to archive it: the last one should be the smallest. The writer
 * thread waits during the first, largest one (an order by the two-machine flow-shop rule would
 * need the ratio of the two halves per form, which varies by machine). The order of the files
 * in the manifest and in the notes is the forms' order, whatever this one. */
static size_t *production_order(store *s, const formset *fs, const char *last)
{
	size_t n = fs->n_forms;
	size_t *order = xcalloc(n ? n : 1, sizeof *order);
	int64_t *size = xcalloc(n ? n : 1, sizeof *size);
	sizes_ctx c = {fs, size};
	char *why = NULL;
	if (store_export_form_sizes(s, "0000-01-01", last, note_size, &c, &why)) /* only an estimate */
		memset(size, 0, n * sizeof *size);
	free(why);
	for (size_t i = 0; i < n; i++) { /* insertion sort, stable: a handful of forms */
		size_t k = i;
		while (k > 0 && size[order[k - 1]] < size[i]) {
			order[k] = order[k - 1];
			k--;
		}
		order[k] = i;
	}
	free(size);
	return order;
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
	strbuf_puts(sb, "content: snapshot\n");
	manifest_value(sb, "created_at", sum->created_at);
	strbuf_printf(sb, "program: recueil %s\n", RECUEIL_VERSION);
	strbuf_printf(sb, "schema_version: %d\n", store_schema_version());
	if (sum->age_recipients)
		strbuf_printf(sb, "encryption: age (%zu recipient(s), X25519)\n", sum->age_recipients);
	else
		strbuf_printf(sb, "encryption: %s\n", sum->encrypted ? "aes256" : "none (--no-encrypt)");
	strbuf_puts(sb,
	            "csv: utf-8, no BOM, comma, CRLF, RFC 4180; missing codes .refus .nsp .non_demande\n");
	for (size_t i = 0; i < fs->n_forms; i++)
		strbuf_printf(sb, "form: %s version=%d\n", fs->forms[i]->id, fs->forms[i]->version);
	if (*sum->forms_bundle)
		strbuf_printf(sb, "forms_bundle: %s\n", sum->forms_bundle);
}

/* Which forms the export is made with: the digest of the forms directory's files, and the
 * version of the network's bundle that has them (recueil forms install), "none" for forms
 * edited here. Left empty when the forms were not loaded from a directory. */
static void forms_bundle_of(store *s, const formset *fs, export_summary *sum)
{
	char digest[65];
	if (!fs->dir || forms_dir_digest(fs->dir, digest, NULL) != 0)
		return;
	long v = store_forms_version_of(s, digest);
	char version[24];
	snprintf(version, sizeof version, "%ld", v);
	snprintf(sum->forms_bundle, sizeof sum->forms_bundle, "version=%s digest=%s", v ? version : "none",
	         digest);
}

/* ---- the structures a regional database's export carries */

typedef struct {
	strbuf *manifest;
	const export_summary *sum;
	bool own_done; /* the database's own structure was listed */
	bool own;      /* it has patients of its own */
	bool any;      /* a structure it imported was listed: it is a regional database */
} held_ctx;

static void structure_snapshot_line(strbuf *sb, const char *code, const char *export_id, int64_t sequence,
                                    const char *label, int complete, const char *created_at, const char *name)
{
	char *c = text_sanitize(code, false), *p = text_sanitize(label, false),
	     *n = text_sanitize(name, false);
	strbuf_printf(sb,
	              EXPORT_STRUCTURE_LINE
	              "%s export_id=%s sequence=%lld period=%s complete=%s created_at=%s name=%s\n",
	              c, export_id, (long long)sequence, p, complete > 0 ? "yes" : "no", created_at, n);
	free(c);
	free(p);
	free(n);
}

static void own_line(held_ctx *h)
{
	const export_summary *sum = h->sum;
	if (h->own && !h->own_done)
		structure_snapshot_line(h->manifest, sum->structure_code, sum->export_id, sum->sequence,
		                        sum->per->label, sum->period_complete, sum->created_at,
		                        sum->structure_name);
	h->own_done = true;
}

/* In code order, the database's own structure among the others. */
static void held_line(void *vctx, const import_held *e)
{
	held_ctx *h = vctx;
	if (strcmp(e->structure, h->sum->structure_code) == 0) /* its own patients are its own export */
		return;
	if (strcmp(e->structure, h->sum->structure_code) > 0)
		own_line(h);
	structure_snapshot_line(h->manifest, e->structure, e->export_id, e->sequence, e->period,
	                        e->period_complete, e->exported_at, e->structure_name);
	h->any = true;
}

/* A regional database (one that imported structures' exports) lists in the manifest, per
 * structure, the export of it that it holds: each structure's rows keep their own code, and an
 * import of this archive applies each structure's snapshot by that structure's own sequence.
 * Its own patients, if any, are the export being made. A structure's database lists nothing. */
static int manifest_structures(store *s, strbuf *sb, export_summary *sum, char **why)
{
	held_ctx h = {.manifest = sb, .sum = sum, .own = store_has_own_patients(s)};
	int rc = store_import_held_each(s, held_line, &h, why);
	if (!rc && h.any)
		own_line(&h);
	sum->regional = h.any;
	return rc;
}

/* ---- the whole export */

static long long fault_budget(void)
{
	/* Test seam: pretend the disk fills up after this many bytes of archive. */
	const char *v = test_seam("RECUEIL_FAULT_DISK_FULL_AFTER");
	long long n;
	if (v && parse_integer(v, &n) && n >= 0)
		return n;
	return -1;
}

static int open_archive(exporter *x, const char *passphrase, char **why)
{
	x->a = archive_write_new();
	if (!x->a) { /* libarchive is loaded on first use (archive_dl.h) */
		set_why(why, "%s", archive_dl_error());
		return EXIT_UNAVAILABLE;
	}
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

/* Everything read from the database, inside one read transaction (one consistent snapshot):
 * every form's entries and the alerts up to the period's last day. */
static int write_contents(store *s, const formset *fs, const export_opts *o, exporter *x, export_summary *sum,
                          strbuf *manifest, char **why)
{
	char first[11], last[11];
	date_format(o->per.first, first);
	date_format(o->per.last, last);
	int rc = store_export_marks(s, &sum->entry_mark, &sum->audit_mark, why);
	if (rc)
		return rc;
	size_t base = x->n_files;
	for (size_t i = 0; i < fs->n_forms; i++) {
		char name[80];
		export_csv_name(fs->forms[i]->id, name, sizeof name);
		export_file *ef = new_file(x, name);
		ef->f = fs->forms[i];
		ef->is_csv = true;
	}
	size_t *order = production_order(s, fs, last);
	for (size_t i = 0; !rc && i < fs->n_forms; i++)
		rc = export_form(s, x, base + order[i], last, why);
	free(order);
	if (!rc)
		rc = export_alerts(s, x, fs, last, why);
	if (rc)
		return rc;
	log_scan ls = {.per = &o->per};
	if ((rc = store_export_log_each(s, scan_log, &ls, why)))
		return rc;
	sum->sequence = ls.any ? ls.last.sequence + 1 : 1;
	snprintf(sum->previous_id, sizeof sum->previous_id, "%s", ls.any ? ls.last.export_id : "");
	manifest_head(manifest, sum, fs);
	if ((rc = manifest_structures(s, manifest, sum, why)))
		return rc;
	if (ls.any_same) {
		snprintf(sum->previous_same_at, sizeof sum->previous_same_at, "%s", ls.last_same.created_at);
		manifest_value(manifest, "corrections_since_export_id", ls.last_same.export_id);
		manifest_value(manifest, "corrections_since", ls.last_same.created_at);
		change_ctx cc = {manifest, 0};
		if ((rc = store_changes_since(s, first, last, &ls.last_same, list_change, &cc, why)))
			return rc;
		sum->n_corrections = cc.n;
	}
	return export_codebook_file(x, fs);
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
		static const char *const kinds[] = {"draft", "incomplete", "unconfirmed", "uninformed"};
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

static int write_notes(const formset *fs, exporter *x, export_summary *sum)
{
	strbuf text = STRBUF_INIT, crlf = STRBUF_INIT;
	sum->files = x->files;
	sum->n_files = x->n_files;
	export_readme(&text, sum, fs);
	to_crlf(&crlf, &text);
	int rc = add_buffer(x, EXPORT_README, strbuf_str(&crlf), crlf.len);
	if (!rc)
		rc = add_buffer(x, EXPORT_R_SCRIPT, export_loader_r, strlen(export_loader_r));
	if (!rc)
		rc = add_buffer(x, EXPORT_PYTHON, export_loader_py, strlen(export_loader_py));
	strbuf_reset(&text);
	if (!rc) {
		export_stata_do(&text, fs, sum);
		rc = add_buffer(x, EXPORT_STATA_DO, strbuf_str(&text), text.len);
	}
	strbuf_reset(&text);
	if (!rc) {
		export_spss_sps(&text, fs, sum);
		rc = add_buffer(x, EXPORT_SPSS_SPS, strbuf_str(&text), text.len);
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

/* The signature of the manifest by the database's key, as the archive's last entry. Its trusted
 * comment names the structure, the export and its number: the region checks them against the
 * manifest, so that a signature cannot be moved to another export's manifest. */
static int sign_manifest(exporter *x, const minisign_seckey *sk, const export_summary *sum,
                         const strbuf *manifest, char **why)
{
	char *comment =
	    xasprintf("timestamp:%lld\t" EXPORT_SIG_STRUCTURE ":%s\t" EXPORT_SIG_EXPORT_ID
	              ":%s\t" EXPORT_SIG_SEQUENCE ":%lld",
	              (long long)x->mtime, sum->structure_code, sum->export_id, (long long)sum->sequence);
	char *sig = minisign_sign(sk, manifest->s, manifest->len, comment, why);
	free(comment);
	if (!sig)
		return EXIT_SOFTWARE;
	int rc = add_buffer(x, EXPORT_SIGNATURE, sig, strlen(sig));
	free(sig);
	return rc;
}

/* The age file around the zip, its header written at once. */
static int open_age(exporter *x, const export_opts *o, char **why)
{
	if (!o->n_recipients)
		return 0;
	char *inner = NULL;
	x->age = age_writer_new(file_out, x, o->recipients, o->n_recipients, &inner);
	if (x->age)
		return 0;
	int rc = x->write_errno ? errno_exit_code(x->write_errno) : EXIT_DATAERR;
	set_why(why, "%s : chiffrement age impossible : %s ; aucun fichier n'a été laissé", x->out.final_path,
	        x->write_errno ? strerror(x->write_errno) : inner);
	free(inner);
	return rc;
}

/* The end of the age file (its last chunk), after the zip's end. */
static int close_age(exporter *x, char **why)
{
	age_writer *w = x->age;
	x->age = NULL;
	if (!w)
		return 0;
	char *inner = NULL;
	if (age_writer_close(w, &inner) == 0 && !x->write_errno)
		return 0;
	free(inner);
	return archive_fail(x, "la fin du fichier age", why);
}

/* Log the export and rename the archive into place as one step: if either fails, neither
 * stays. */
static int publish(store *s, const export_opts *o, exporter *x, export_summary *sum, export_result *res,
                   char **why)
{
	int rc = store_write_begin(s, why);
	if (rc)
		return rc;
	export_log_entry e = {
	    .sequence = sum->sequence, .entry_mark = sum->entry_mark, .audit_mark = sum->audit_mark};
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
	exporter x = {.fd = -1,
	              .budget = fault_budget(),
	              .progress = o->progress,
	              .mtime = time(NULL),
	              .pipe = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER}};
	export_summary sum = {.per = &o->per,
	                      .encrypted = o->passphrase != NULL || o->n_recipients,
	                      .age_recipients = o->n_recipients};
	sum.period_complete = o->per.last < o->today;
	sum.n_issues = o->issues ? o->issues->n : 0;
	sum.drafts = o->issues ? o->issues->drafts : 0;
	sum.accepted_reason = o->accepted_reason;
	store_structure(s, sum.structure_code, sum.structure_name);
	forms_bundle_of(s, fs, &sum);
	time_now_iso(sum.created_at, sizeof sum.created_at);
	util_uuid_v4(sum.export_id);
	minisign_seckey *sk = store_signing_key(s, why);
	if (!sk)
		return EXIT_SOFTWARE;
	int rc = atomic_open(&x.out, o->out_path, why);
	if (rc) {
		minisign_seckey_free(sk);
		return rc;
	}
	x.fd = x.out.fd;
	strbuf manifest = STRBUF_INIT;
	rc = open_age(&x, o, why);
	if (!rc)
		rc = open_archive(&x, o->n_recipients ? NULL : o->passphrase, why);
	if (!rc)
		rc = pipe_start(&x, why);
	if (!rc && !(rc = store_read_begin(s, why))) {
		rc = write_contents(s, fs, o, &x, &sum, &manifest, why);
		store_read_end(s);
	}
	for (size_t i = 0; i < x.n_files; i++)
		res->rows += x.files[i].f ? x.files[i].rows : 0;
	if (!rc)
		rc = write_notes(fs, &x, &sum);
	if (!rc) {
		manifest_issues(&manifest, o);
		manifest_files(&manifest, &x);
		rc = add_buffer(&x, EXPORT_MANIFEST, strbuf_str(&manifest), manifest.len);
	}
	if (!rc)
		rc = sign_manifest(&x, sk, &sum, &manifest, why);
	minisign_seckey_free(sk);
	rc = pipe_finish(&x, rc, why); /* from here on, this thread alone uses the archive */
	if (!rc && (archive_write_close(x.a) != ARCHIVE_OK || x.write_errno))
		rc = archive_fail(&x, "la fin de l'archive", why);
	if (!rc)
		rc = close_age(&x, why);
	age_writer_free(x.age); /* after a failure: the age file is abandoned with the rest */
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
	pthread_cond_destroy(&x.pipe.cv);
	pthread_mutex_destroy(&x.pipe.mu);
	return rc;
}
