/* cmd_forms.c — recueil forms check|list|diff|use: validate the YAML and run the examples,
 * describe the forms, compare two forms directories, choose the forms directory of a database;
 * the network's bundles are in cmd_forms_bundle.c. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/privilege.h"

static const char usage[] =
    "Usage : recueil forms check [FICHIER|DOSSIER…]\n"
    "        recueil forms list [FORMULAIRE]\n"
    "        recueil forms diff ANCIEN_DOSSIER NOUVEAU_DOSSIER\n"
    "        recueil forms use DOSSIER|--installed\n"
    "        recueil forms publish --out PAQUET.zip --key CLÉ_SECRÈTE [--version N]\n"
    "        recueil forms trust CLÉ_PUBLIQUE\n"
    "        recueil forms install PAQUET.zip [--yes]\n"
    "        recueil forms rollback [--yes]\n"
    "check vérifie les formulaires (par défaut le dossier des formulaires) et leurs exemples\n"
    "(examples:), et signale chaque problème sous la forme FICHIER:LIGNE:COLONNE: message\n"
    "(code 65), et chaque drapeau d'identité que la base a enregistré et que les fichiers\n"
    "retireraient (sans effet). diff montre ce que changerait le remplacement des formulaires\n"
    "d'un dossier par ceux d'un autre. use (administrateur) fait de DOSSIER les formulaires de\n"
    "la base, pour tous ses utilisateurs ; --installed revient aux formulaires installés.\n"
    "publish, trust, install et rollback : une version des formulaires pour tout le réseau\n"
    "(« recueil forms COMMANDE --help »).\n";

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

/* The identity flags the database recorded and fs would loosen, as warnings (they have no
 * effect). Nothing when no database is open. */
static void say_loosened(session *ses, formset *fs)
{
	char *loosened = NULL, *why = NULL;
	if (ses->db && store_identity_flags(ses->db, fs, ses->login, false, &loosened, &why) == 0 && loosened)
		cli_print_lines(loosened, stderr);
	free(loosened);
	free(why);
}

static int check_paths(session *ses, int argc, char **argv, const char *default_dir)
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
			if (fs && !erc) {
				print_summary(argv[i], fs, ran);
				say_loosened(ses, fs);
			} else if (!fs)
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
			say_loosened(ses, fs);
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
	printf("%s (version %d, %s%s) — ", f->id, f->version,
	       f->cardinality == CARD_ONCE ? "une fois" : "répété",
	       f->scope == SCOPE_STRUCTURE ? ", fiche de la structure sans patient" : "");
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

/* Whether the forms directory dir may serve every user of a database: readable by all, and
 * changed by its owner alone. Prints what is wrong. */
static bool dir_fit_for_all(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("%s : dossier introuvable", dir);
		return false;
	}
	bool ok = (st.st_mode & 0022) == 0 && (st.st_mode & 0005) == 0005;
	DIR *d = ok ? opendir(dir) : NULL;
	for (struct dirent *e; d && ok && (e = readdir(d));) {
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name);
		ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0022) == 0 &&
		     (st.st_mode & 0004);
		free(path);
	}
	if (d)
		closedir(d);
	if (!ok)
		cli_error("%s : les formulaires de la base doivent être lisibles par tous et modifiables par "
		          "leur seul propriétaire (chmod -R go-w,a+rX %s)",
		          dir, dir);
	return ok;
}

/* recueil forms use DIR|--installed: the forms directory of the database, for all its users. */
static int forms_use(session *ses, const char *arg)
{
	char *why = NULL;
	int rc = session_open_store(ses, PERM_CHOOSE_FORMS, &why);
	if (rc)
		return cli_fail(rc, why);
	if (strcmp(arg, "--installed") == 0) {
		if ((rc = store_setting_set(ses->db, "forms_dir", NULL, ses->login, &why)))
			return cli_fail(rc, why);
		printf("Formulaires de la base : les formulaires installés (%s)\n", RECUEIL_FORMS_DIR);
		return 0;
	}
	char *dir = realpath(arg, NULL);
	if (!dir) {
		cli_error("%s : dossier introuvable", arg);
		return EXIT_NOINPUT;
	}
	char *errors = NULL;
	if (!dir_fit_for_all(dir))
		rc = EXIT_NOPERM;
	else if (!(ses->fs = formset_load_dir(dir, &errors))) {
		rc = EXIT_DATAERR;
		if (errors)
			cli_print_lines(errors, stderr);
	}
	char *loosened = NULL;
	if (!rc && !(rc = session_sync_forms(ses, &loosened, &why)) &&
	    !(rc = store_setting_set(ses->db, "forms_dir", dir, ses->login, &why)))
		printf("Formulaires de la base : %s\n", dir);
	if (loosened)
		cli_print_lines(loosened, stderr);
	free(loosened);
	free(errors);
	free(dir);
	return cli_fail(rc, why);
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
		if (argc > 2 && priv_held() && !priv_drop()) {
			/* Files of the caller's: checked with the caller's rights alone, and so
			 * without the shared database. */
			cli_error("abandon des droits du groupe refusé par le système");
			return EXIT_SOFTWARE;
		}
		const char *forms_dir = session_forms_dir(ses);
		session_peek_store(ses);
		if (argc == 2) {
			char *dir[] = {(char *)forms_dir};
			return check_paths(ses, 1, dir, forms_dir);
		}
		return check_paths(ses, argc - 2, argv + 2, forms_dir);
	}
	if (strcmp(argv[1], "use") == 0)
		return argc == 3 ? forms_use(ses, argv[2]) : (fputs(usage, stderr), EXIT_USAGE);
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
