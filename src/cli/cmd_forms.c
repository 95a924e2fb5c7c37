/* cmd_forms.c — recueil forms check|list|diff: validate the YAML and run the examples, describe
 * the forms, compare two forms directories; the network's bundles are in cmd_forms_bundle.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil forms check [FICHIER|DOSSIER…]\n"
    "        recueil forms list [FORMULAIRE]\n"
    "        recueil forms diff ANCIEN_DOSSIER NOUVEAU_DOSSIER\n"
    "        recueil forms publish --out PAQUET.zip --key CLÉ_SECRÈTE [--version N]\n"
    "        recueil forms trust CLÉ_PUBLIQUE\n"
    "        recueil forms install PAQUET.zip [--yes]\n"
    "        recueil forms rollback [--yes]\n"
    "check vérifie les formulaires (par défaut le dossier des formulaires) et leurs exemples\n"
    "(examples:), et signale chaque problème sous la forme FICHIER:LIGNE:COLONNE: message\n"
    "(code 65). diff montre ce que changerait le remplacement des formulaires d'un dossier par\n"
    "ceux d'un autre. publish, trust, install et rollback : une version des formulaires pour tout\n"
    "le réseau (« recueil forms COMMANDE --help »).\n";

/* Whether f was loaded from one of the n files given (the others are context). */
static bool form_checked(const form *f, const char *const *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(f->path, files[i]) == 0)
			return true;
	return n == 0;
}

/* Run the examples of the forms of fs that were asked for (every form when nfiles is 0); print
 * each problem. Returns how many examples ran into *ran, and EXIT_DATAERR when one failed. */
static int run_examples(const formset *fs, const char *const *files, size_t nfiles, size_t *ran)
{
	strbuf errs = STRBUF_INIT;
	size_t failed = 0;
	*ran = 0;
	for (size_t i = 0; i < fs->n_forms; i++)
		if (form_checked(fs->forms[i], files, nfiles)) {
			failed += form_run_examples(fs, fs->forms[i], &errs);
			*ran += fs->forms[i]->n_examples;
		}
	if (errs.len)
		cli_print_lines(errs.s, stderr);
	strbuf_done(&errs);
	return failed ? EXIT_DATAERR : 0;
}

static void print_summary(const char *what, const formset *fs, size_t examples)
{
	printf("%s : %zu formulaire%s valide%s (", what, fs->n_forms, fs->n_forms > 1 ? "s" : "",
	       fs->n_forms > 1 ? "s" : "");
	for (size_t i = 0; i < fs->n_forms; i++)
		printf("%s%s", i ? ", " : "", fs->forms[i]->id);
	printf(")%s", fs->reporting ? ", calendrier et seuils valides" : "");
	if (examples)
		printf(", %zu exemple%s vérifié%s", examples, examples > 1 ? "s" : "",
		       examples > 1 ? "s" : "");
	putchar('\n');
}

static int check_paths(int argc, char **argv, const char *default_dir)
{
	int rc = 0;
	const char **files = NULL;
	size_t nfiles = 0;
	for (int i = 0; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			cli_error("%s : fichier introuvable", argv[i]);
			rc = EXIT_NOINPUT;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			char *errors = NULL;
			formset *fs = formset_load_dir(argv[i], &errors);
			size_t ran = 0;
			int erc = fs ? run_examples(fs, NULL, 0, &ran) : 0;
			if (fs && !erc)
				print_summary(argv[i], fs, ran);
			else if (!fs)
				cli_print_lines(errors, stderr);
			if (!fs || erc)
				rc = rc ? rc : EXIT_DATAERR;
			free(errors);
			formset_free(fs);
		} else {
			files = xrealloc(files, (nfiles + 1) * sizeof *files);
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles) {
		/* The other files beside the first one resolve patient.* and seuil.* references. */
		char *dir = xstrdup(files[0]);
		char *slash = strrchr(dir, '/');
		const char *context = default_dir;
		if (slash) {
			*slash = '\0';
			context = dir;
		}
		char *errors = NULL;
		formset *fs = formset_load_files(files, nfiles, context, &errors);
		size_t ran = 0;
		if (fs && run_examples(fs, files, nfiles, &ran)) {
			rc = rc ? rc : EXIT_DATAERR;
		} else if (fs) {
			printf("%zu fichier%s valide%s", nfiles, nfiles > 1 ? "s" : "",
			       nfiles > 1 ? "s" : "");
			if (ran)
				printf(", %zu exemple%s vérifié%s", ran, ran > 1 ? "s" : "",
				       ran > 1 ? "s" : "");
			putchar('\n');
		} else {
			cli_print_lines(errors, stderr);
			rc = rc ? rc : EXIT_DATAERR;
		}
		free(errors);
		formset_free(fs);
		free(dir);
	}
	free(files);
	return rc;
}

static void list_form_fields(const form *f)
{
	printf("%s (version %d, %s) — ", f->id, f->version,
	       f->cardinality == CARD_ONCE ? "une fois" : "répété");
	fputs_safe(f->title.fr, stdout);
	putchar('\n');
	for (size_t i = 0; i < f->n_fields; i++) {
		const field *fd = &f->fields[i];
		printf("  %-28s %-10s%s%s%s  ", fd->id, field_type_name(fd->type),
		       fd->required ? " requis" : "", fd->identifier ? " identifiant" : "",
		       !fd->exported ? " non-exporté" : "");
		fputs_safe(fd->label.fr, stdout);
		putchar('\n');
		if (fd->choices) {
			printf("  %-28s ", "");
			for (size_t k = 0; k < fd->choices->n; k++) {
				printf("%s%s=", k ? ", " : "", fd->choices->items[k].code);
				fputs_safe(fd->choices->items[k].label.fr, stdout);
			}
			putchar('\n');
		}
		if (fd->expr_src)
			printf("  %-28s = %s\n", "", fd->expr_src);
	}
}

/* Load the forms of dir, printing its problems; NULL when they do not load. */
static formset *load_dir(const char *dir)
{
	char *errors = NULL;
	formset *fs = formset_load_dir(dir, &errors);
	if (!fs && errors)
		cli_print_lines(errors, stderr);
	free(errors);
	return fs;
}

/* forms diff OLD NEW: what installing the forms of NEW over those of OLD would change. Exit 0,
 * or 65 when a set does not load or a change could not keep the stored values. */
static int forms_diff(int argc, char **argv)
{
	if (argc != 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	formset *a = load_dir(argv[0]), *b = a ? load_dir(argv[1]) : NULL;
	int rc = b ? 0 : EXIT_DATAERR;
	if (b) {
		strbuf out = STRBUF_INIT;
		forms_diff_counts n;
		formset_diff(a, b, &out, &n);
		cli_print_lines(out.s, stdout);
		strbuf_done(&out);
		if (n.refused) {
			cli_error("%zu changement%s de type refusé%s : les valeurs déjà enregistrées ne "
			          "pourraient pas "
			          "être gardées",
			          n.refused, n.refused > 1 ? "s" : "", n.refused > 1 ? "s" : "");
			rc = EXIT_DATAERR;
		}
	}
	formset_free(a);
	formset_free(b);
	return rc;
}

int cmd_forms(session *ses, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "check") == 0) {
		if (argc == 2) {
			char *dir[] = {(char *)ses->forms_dir};
			return check_paths(1, dir, ses->forms_dir);
		}
		return check_paths(argc - 2, argv + 2, ses->forms_dir);
	}
	if (strcmp(argv[1], "publish") == 0 || strcmp(argv[1], "trust") == 0 ||
	    strcmp(argv[1], "install") == 0 || strcmp(argv[1], "rollback") == 0)
		return cmd_forms_bundle(ses, argv[1], argc - 1, argv + 1);
	if (strcmp(argv[1], "diff") == 0)
		return forms_diff(argc - 2, argv + 2);
	if (strcmp(argv[1], "list") == 0) {
		int rc = cli_load_forms(ses);
		if (rc)
			return rc;
		if (argc > 3)
			return fputs(usage, stderr), EXIT_USAGE;
		if (argc == 3) {
			const form *f = formset_form(ses->fs, argv[2]);
			if (!f) {
				cli_error("formulaire inconnu « %s »", argv[2]);
				return EXIT_DATAERR;
			}
			list_form_fields(f);
			return 0;
		}
		for (size_t i = 0; i < ses->fs->n_forms; i++) {
			const form *f = ses->fs->forms[i];
			printf("%-14s v%-3d %-8s %3zu champs  ", f->id, f->version,
			       f->cardinality == CARD_ONCE ? "once" : "repeated", f->n_fields);
			fputs_safe(f->title.fr, stdout);
			putchar('\n');
		}
		return 0;
	}
	cli_error("sous-commande inconnue « forms %s »", argv[1]);
	return EXIT_USAGE;
}
