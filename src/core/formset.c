/* formset.c — a set of form files loaded whole or not at all: the *.yaml files of a directory
 * (or a list of files, with their directory's other files as context), each read alone, then
 * every form's expressions checked once the patient form and the thresholds are known; and the
 * look-ups the rest of the program makes in the loaded model. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/form_internal.h"

typedef struct {
	char **paths;
	size_t n;
	bool *context; /* loaded to resolve references only; its errors are not reported */
} file_list;

/* A form read from its file, waiting for its expressions to be checked. */
typedef struct {
	form *f;
	form_src src;
	ynode *root;  /* its file's tree, which src points into */
	load_ctx ctx; /* its file's problems */
	bool context; /* a context file: its problems are not reported */
} loaded_form;

/* The state of loading one set. */
typedef struct {
	formset *fs;
	loaded_form *lf; /* one per form file read */
	size_t nlf;
	strbuf errs; /* the problems reported */
	bool ok;
} set_load;

/* A file whose tree is a mapping: a form, the reporting file, or neither. A form read is kept
 * in s->lf with its tree (then *root is taken: set to NULL). */
static void read_file_tree(set_load *s, load_ctx *c, ynode **root, const char *path, bool context)
{
	const ynode *r = *root;
	if (ytree_get(r, "reporting")) {
		reporting *rep = reporting_read(c, r);
		if (rep && s->fs->reporting) {
			YERR(c, r, "un seul fichier reporting est permis (déjà : %s)",
			     s->fs->reporting->path);
			reporting_free(rep);
		} else if (rep) {
			rep->path = xstrdup(path);
			s->fs->reporting = rep;
		}
	} else if (ytree_get(r, "form")) {
		form_src src;
		form *f = form_read(c, r, &src);
		if (!f)
			return;
		f->path = xstrdup(path);
		for (size_t j = 0; j < s->nlf; j++)
			if (strcmp(s->lf[j].f->id, f->id) == 0 && !context)
				YERR(c, ytree_get(r, "form"), "formulaire « %s » déjà défini dans %s", f->id,
				     s->lf[j].f->path);
		s->lf[s->nlf++] = (loaded_form){f, src, *root, *c, context};
		*root = NULL;
	} else if (ytree_get(r, "sections") || ytree_get(r, "version") || ytree_get(r, "title")) {
		YERR(c, r, "clé obligatoire « form: » manquante (l'identifiant du formulaire)");
	} else {
		YERR(c, r, "ni « form: » ni « reporting: » : ce n'est pas un fichier de formulaire");
	}
}

/* Read one file of the list; the problems of a context file are dropped. */
static void read_file(set_load *s, const char *path, bool context)
{
	strbuf ctx_errs = STRBUF_INIT;
	load_ctx c = {.path = path, .errors = context ? &ctx_errs : &s->errs};
	char *why = NULL;
	ynode *root = ytree_load_file(path, &why);
	if (!root) {
		if (!context)
			strbuf_printf(&s->errs, "%s\n", why);
		free(why);
		s->ok = s->ok && context;
		strbuf_done(&ctx_errs);
		return;
	}
	if (root->kind != Y_MAP)
		YERR(&c, root, "le fichier doit être un dictionnaire (form: … ou reporting: …), pas %s",
		     root->kind == Y_SEQ ? "une liste" : "une valeur simple");
	else
		read_file_tree(s, &c, &root, path, context);
	if (c.count && !context)
		s->ok = false;
	ytree_free(root);
	strbuf_done(&ctx_errs);
}

/* Check the expressions of every form read, the patient form first: the others read the
 * types of its calculated fields. */
static void check_forms(set_load *s)
{
	size_t p = 0;
	while (p < s->nlf && strcmp(s->lf[p].f->id, "patient") != 0)
		p++;
	const form *patient = p < s->nlf ? s->lf[p].f : NULL;
	for (size_t n = 0; n < s->nlf; n++) {
		size_t i = !patient ? n : n == 0 ? p : n <= p ? n - 1 : n;
		loaded_form *lf = &s->lf[i];
		strbuf ctx_errs = STRBUF_INIT;
		lf->ctx.errors = lf->context ? &ctx_errs : &s->errs;
		lf->ctx.count = 0;
		if (!form_check(&lf->ctx, lf->f, &lf->src, patient, s->fs->reporting) && !lf->context)
			s->ok = false;
		strbuf_done(&ctx_errs);
	}
}

static formset *load_list(const file_list *fl, char **errors)
{
	set_load s = {.fs = xcalloc(1, sizeof *s.fs), .errs = STRBUF_INIT, .ok = true};
	s.lf = xcalloc(fl->n ? fl->n : 1, sizeof *s.lf);
	for (size_t i = 0; i < fl->n; i++)
		read_file(&s, fl->paths[i], fl->context[i]);
	/* Expressions need the patient form and the thresholds, so they are checked last. */
	check_forms(&s);
	formset *fs = s.fs;
	fs->forms = xcalloc(s.nlf ? s.nlf : 1, sizeof *fs->forms);
	for (size_t i = 0; i < s.nlf; i++) {
		fs->forms[fs->n_forms++] = s.lf[i].f;
		form_src_done(&s.lf[i].src);
		ytree_free(s.lf[i].root);
	}
	free(s.lf);
	if (!s.ok || s.errs.len) {
		formset_free(fs);
		if (errors)
			*errors = strbuf_take(&s.errs);
		else
			strbuf_done(&s.errs);
		return NULL;
	}
	strbuf_done(&s.errs);
	formset_identity_closure(fs);
	return fs;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool formset_dir_files(const char *dir, char ***names, size_t *n, char **why)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	if (!d) {
		set_why(why, "%s:1:1: dossier de formulaires %s", dir,
		        errno == ENOENT    ? "introuvable"
		        : errno == ENOTDIR ? "attendu, ce n'est pas un dossier"
		        : errno == EACCES  ? "illisible (permission refusée)"
		                           : "illisible");
		return false;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof **names, cmp_str);
	return true;
}

/* The *.yaml files of dir, sorted, added to fl. Returns false with *why set if the directory is
 * unreadable. */
static bool list_yaml(const char *dir, file_list *fl, bool context, char **why)
{
	char **names;
	size_t n;
	if (!formset_dir_files(dir, &names, &n, why))
		return false;
	fl->paths = xrealloc(fl->paths, (fl->n + n + 1) * sizeof *fl->paths);
	fl->context = xrealloc(fl->context, (fl->n + n + 1) * sizeof *fl->context);
	for (size_t i = 0; i < n; i++) {
		fl->paths[fl->n] = xasprintf("%s/%s", dir, names[i]);
		fl->context[fl->n++] = context;
		free(names[i]);
	}
	free(names);
	return true;
}

static void file_list_done(file_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	free(fl->paths);
	free(fl->context);
}

formset *formset_load_dir(const char *dir, char **errors)
{
	file_list fl = {0};
	if (!list_yaml(dir, &fl, false, errors)) {
		if (errors && *errors) {
			char *e = xasprintf("%s\n", *errors);
			free(*errors);
			*errors = e;
		}
		return NULL;
	}
	if (fl.n == 0) {
		set_why(errors, "%s:1:1: aucun fichier .yaml dans ce dossier\n", dir);
		file_list_done(&fl);
		return NULL;
	}
	formset *fs = load_list(&fl, errors);
	if (fs)
		fs->dir = xstrdup(dir);
	file_list_done(&fl);
	return fs;
}

formset *formset_load_files(const char *const *paths, size_t n, const char *context_dir, char **errors)
{
	file_list fl = {0};
	for (size_t i = 0; i < n; i++) {
		fl.paths = xrealloc(fl.paths, (fl.n + 1) * sizeof *fl.paths);
		fl.context = xrealloc(fl.context, (fl.n + 1) * sizeof *fl.context);
		fl.paths[fl.n] = xstrdup(paths[i]);
		fl.context[fl.n++] = false;
	}
	if (context_dir) {
		/* Other files of the directory resolve patient.* and seuil.* for the files checked. */
		file_list ctx = {0};
		if (list_yaml(context_dir, &ctx, true, NULL)) {
			for (size_t i = 0; i < ctx.n; i++) {
				bool dup = false;
				for (size_t j = 0; j < n; j++) {
					const char *a = strrchr(paths[j], '/'),
					           *b = strrchr(ctx.paths[i], '/');
					dup |= strcmp(a ? a + 1 : paths[j], b ? b + 1 : ctx.paths[i]) == 0;
				}
				if (dup)
					continue;
				fl.paths = xrealloc(fl.paths, (fl.n + 1) * sizeof *fl.paths);
				fl.context = xrealloc(fl.context, (fl.n + 1) * sizeof *fl.context);
				fl.paths[fl.n] = xstrdup(ctx.paths[i]);
				fl.context[fl.n++] = true;
			}
		}
		file_list_done(&ctx);
	}
	formset *fs = load_list(&fl, errors);
	file_list_done(&fl);
	return fs;
}

/* ---------------------------------------------------------------- look-ups */

void formset_free(formset *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n_forms; i++)
		form_free(fs->forms[i]);
	free(fs->forms);
	reporting_free(fs->reporting);
	free(fs->dir);
	free(fs);
}

const char *i18n_get(const i18n *t, const char *lang)
{
	if (lang && strncmp(lang, "en", 2) == 0 && t->en)
		return t->en;
	return t->fr ? t->fr : "";
}

const form *formset_form(const formset *fs, const char *id)
{
	for (size_t i = 0; i < fs->n_forms; i++)
		if (strcmp(fs->forms[i]->id, id) == 0)
			return fs->forms[i];
	return NULL;
}

long form_field_index(const form *f, const char *id)
{
	for (size_t i = 0; i < f->n_fields; i++)
		if (strcmp(f->fields[i].id, id) == 0)
			return (long)i;
	return -1;
}

const field *form_field(const form *f, const char *id)
{
	long i = form_field_index(f, id);
	return i < 0 ? NULL : &f->fields[i];
}

const choice *field_choice(const field *fd, const char *code)
{
	if (!fd->choices)
		return NULL;
	for (size_t i = 0; i < fd->choices->n; i++)
		if (strcmp(fd->choices->items[i].code, code) == 0)
			return &fd->choices->items[i];
	return NULL;
}

size_t formset_structure_forms(const formset *fs, const form **first)
{
	size_t n = 0;
	if (first)
		*first = NULL;
	for (size_t i = 0; i < fs->n_forms; i++)
		if (fs->forms[i]->scope == SCOPE_STRUCTURE && n++ == 0 && first)
			*first = fs->forms[i];
	return n;
}

double reporting_threshold(const reporting *r, const char *id, bool *found)
{
	for (size_t i = 0; r && i < r->n_thresholds; i++)
		if (strcmp(r->thresholds[i].id, id) == 0) {
			if (found)
				*found = true;
			return r->thresholds[i].value;
		}
	if (found)
		*found = false;
	return 0;
}
