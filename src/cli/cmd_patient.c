/* cmd_patient.c — recueil patient add|list|delete|print|inform|oppose. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/record.h"
#include "export/access.h"

static const char usage[] =
    "Usage : recueil patient add [champ=valeur…]\n"
    "        recueil patient list [--search TEXTE]\n"
    "        recueil patient delete PATIENT [--yes]\n"
    "        recueil patient print PATIENT [--out FICHIER] [--format text|pdf]\n"
    "        recueil patient inform PATIENT [--date AAAA-MM-JJ]\n"
    "        recueil patient oppose PATIENT [--date AAAA-MM-JJ | --withdraw]\n"
    "add crée un patient avec un pseudonyme tiré au hasard (affiché) et enregistre\n"
    "les champs du formulaire patient donnés (voir « recueil forms list patient »).\n"
    "delete efface définitivement un patient (droit à l'effacement, rôle admin) : sa fiche,\n"
    "toutes ses entrées, alertes et brouillons, et les valeurs saisies à son sujet dans le\n"
    "journal, qui garde qui a fait quoi et quand. Sur un terminal, il faut retaper le\n"
    "pseudonyme ; sans terminal, --yes est obligatoire.\n"
    "print écrit le document d'accès du patient (droit d'accès) : qui détient ses données et\n"
    "pourquoi, chaque entrée en clair, les scores et leur sens, les modifications (qui, quand),\n"
    "les envois et les alertes ; mis en page pour A4, en texte (défaut, sur la sortie standard\n"
    "sans --out) ou en PDF (groff ; défaut pour un --out en .pdf). L'identité n'y figure que\n"
    "pour les rôles qui la voient ; l'édition est notée au journal.\n"
    "inform note le jour (défaut : aujourd'hui) où le patient a été informé de l'usage de ses\n"
    "données pour l'évaluation ; l'export liste les patients jamais informés.\n"
    "oppose note son opposition (RGPD, art. 21) : ses données restent pour ses soins mais ne\n"
    "sont plus jamais exportées, et le prochain export les retire à la région ; --withdraw la\n"
    "retire (le patient revient sur son choix). Les deux sont notés au journal (qui, quand).\n";

static int patient_add(session *ses, int argc, char **argv)
{
	int rc = cli_open(ses, PERM_EDIT_ENTRY);
	char *why = NULL;
	if (rc || (rc = store_refuse_in_region(ses->db, "recueil patient add", &why)))
		return cli_fail(rc, why);
	const form *pf = formset_form(ses->fs, "patient");
	if (!pf) {
		cli_error("le dossier des formulaires n'a pas de formulaire « patient »");
		return EXIT_DATAERR;
	}
	record *r = record_new(ses->fs, pf, date_today());
	record_apply_defaults(r);
	rc = cli_set_fields(r, argc - 1, argv + 1);
	if (!rc) {
		record_compute(r);
		rc = cli_report_issues(r, NULL, 0, NULL, argc - 1, argv + 1);
	}
	entry_meta meta = {0};
	if (!rc && (rc = session_patient_add(ses, r, NULL, 0, &meta, &why)))
		cli_fail(rc, why);
	else if (!rc)
		printf("%s\n", meta.pseudonym);
	record_free(r);
	return rc;
}

/* The fields of the patient form the list prints, in this order; the last two (the identity)
 * only for users allowed to see it. */
static const char *const list_fields[] = {"sexe", "annee_naissance", "date_inclusion", "nom", "prenom"};
enum { F_SEXE, F_NAISSANCE, F_INCLUSION, F_NOM, F_PRENOM, N_LIST_FIELDS };

typedef struct {
	const char *search;
	bool show_identity;
	size_t first_searched, n_searched; /* the identifier text fields --search looks into */
	size_t shown;
} list_ctx;

static bool contains_folded(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static void list_one(void *vctx, const patient_row *r)
{
	list_ctx *lc = vctx;
	const char *const *t = r->texts;
	if (lc->search && *lc->search) {
		bool match = contains_folded(r->pseudonym, lc->search);
		for (size_t k = 0; r->has_record && !match && k < lc->n_searched; k++)
			match = contains_folded(t[lc->first_searched + k], lc->search);
		if (!match)
			return;
	}
	lc->shown++;
	printf("%s\t%s\t%s\t%s", r->pseudonym, or_empty(t[F_SEXE]), or_empty(t[F_NAISSANCE]),
	       or_empty(t[F_INCLUSION]));
	if (lc->show_identity && r->has_record) {
		putchar('\t');
		fputs_safe(or_empty(t[F_NOM]), stdout);
		putchar(' ');
		fputs_safe(or_empty(t[F_PRENOM]), stdout);
	}
	putchar('\n');
}

static int patient_list(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"search", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	list_ctx lc = {0};
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 's')
			lc.search = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	lc.show_identity = session_may(ses, PERM_SEE_IDENTITY);
	/* The fields read: those printed, then the identifier texts --search looks into. */
	const form *pf = formset_form(ses->fs, "patient");
	const char **ids = xcalloc(N_LIST_FIELDS + (pf ? pf->n_fields : 0), sizeof *ids);
	size_t n = lc.show_identity ? N_LIST_FIELDS : F_NOM;
	memcpy(ids, list_fields, n * sizeof *ids);
	lc.first_searched = n;
	for (size_t i = 0; pf && lc.show_identity && lc.search && *lc.search && i < pf->n_fields; i++)
		if (pf->fields[i].identifier && pf->fields[i].type == FT_TEXT)
			ids[n++] = pf->fields[i].id;
	lc.n_searched = n - lc.first_searched;
	char *why = NULL;
	if ((rc = store_patient_rows(ses->db, ses->fs, ids, n, list_one, &lc, &why))) {
		cli_error("%s", why);
		free(why);
	}
	free(ids);
	return rc;
}

static void count_entry(void *vctx, const entry_meta *m)
{
	(void)m;
	(*(size_t *)vctx)++;
}

/* On a terminal: say what will go and have the pseudonym typed again. True when it was. */
static bool confirm_erasure(session *ses, int64_t pid, const char *pseudo)
{
	size_t n = 0;
	char *why = NULL;
	store_entry_each(ses->db, pid, count_entry, &n, &why);
	free(why);
	fprintf(stderr,
	        "Effacer définitivement le patient %s : sa fiche, ses %zu entrée(s), ses alertes et\n"
	        "brouillons, et les valeurs saisies à son sujet dans le journal. Irréversible.\n"
	        "Taper le pseudonyme %s pour confirmer (Entrée seule : annuler) : ",
	        pseudo, n, pseudo);
	fflush(stderr);
	char line[128];
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return pseudonym_confirms(line, pseudo);
}

static int patient_delete(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"yes", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool yes = false;
	int c;
	while ((c = cli_getopt(argc, argv, "hy", opts)) != -1) {
		if (c == 'y')
			yes = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	const char *typed = argv[optind];
	bool interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
	if (!yes && !interactive) {
		cli_error("effacement définitif : sans terminal pour retaper le pseudonyme, ajouter --yes");
		return EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_DELETE_PATIENT);
	if (rc)
		return rc;
	char pseudo[16];
	int64_t pid = store_patient_find(ses->db, typed, pseudo);
	if (!pid) {
		cli_patient_not_found(typed);
		return EXIT_NOINPUT;
	}
	if (!yes && !confirm_erasure(ses, pid, pseudo)) {
		cli_error("effacement annulé : pseudonyme non confirmé, rien n'a été effacé");
		return EXIT_USAGE;
	}
	patient_erasure done;
	char *why = NULL;
	if ((rc = store_patient_erase(ses->db, pid, ses->login, &done, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	printf("patient %s effacé : %lld entrée(s), %lld alerte(s), %lld brouillon(s) ; %lld ligne(s) du "
	       "journal expurgée(s)\n",
	       pseudo, (long long)done.entries, (long long)done.alerts, (long long)done.drafts,
	       (long long)done.audit_scrubbed);
	/* The deletion is committed either way; only the copy of the old pages in the WAL may
	 * wait for a reader of another process. */
	if (!done.purged)
		cli_error("effacement enregistré, mais un autre utilisateur lit la base en ce moment : les "
		          "anciennes copies restent dans le journal WAL jusqu'à la purge physique, qui se "
		          "terminera au prochain passage de recueil une fois la base libre (par exemple "
		          "« recueil patient list »)");
	return 0;
}

/* Whether path ends with ".pdf", in any case. */
static bool pdf_name(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return n > 4 && strcasecmp(path + n - 4, ".pdf") == 0;
}

static int patient_print(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *out = NULL, *format = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'f')
			format = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc - 1)
		return fputs(usage, stderr), EXIT_USAGE;
	if (format && strcmp(format, "text") != 0 && strcmp(format, "pdf") != 0) {
		cli_error("--format : text ou pdf attendu, trouvé « %s »", format);
		return EXIT_USAGE;
	}
	bool pdf = format ? strcmp(format, "pdf") == 0 : pdf_name(out);
	if (pdf && !out && isatty(STDOUT_FILENO)) {
		cli_error("un PDF ne s'affiche pas dans un terminal : ajouter --out FICHIER.pdf");
		return EXIT_USAGE;
	}
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	char pseudo[16];
	int64_t pid = store_patient_find(ses->db, argv[optind], pseudo);
	if (!pid) {
		cli_patient_not_found(argv[optind]);
		return EXIT_NOINPUT;
	}
	access_request req = {
	    .patient_id = pid,
	    .pseudonym = pseudo,
	    .identity = session_may(ses, PERM_SEE_IDENTITY),
	    .format = pdf ? PAGED_PDF : PAGED_TEXT,
	    .login = ses->login,
	};
	fflush(stdout); /* the text goes to the descriptor itself */
	char *why = NULL;
	if ((rc = access_document_write(ses->db, ses->fs, &req, out, &why)))
		return cli_fail(rc, why);
	if (out)
		printf("document d'accès du patient %s écrit : %s\n", pseudo, out);
	return 0;
}

/* recueil patient inform|oppose PATIENT [--date D] [--withdraw]: oppose is whether it is the
 * opposition. */
static int patient_rights_cmd(session *ses, int argc, char **argv, bool oppose)
{
	static const struct option opts[] = {
	    {"date", required_argument, NULL, 'd'},
	    {"withdraw", no_argument, NULL, 'w'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *date = NULL;
	bool withdraw = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'd')
			date = optarg;
		else if (c == 'w' && oppose)
			withdraw = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc - 1 || (withdraw && date))
		return fputs(usage, stderr), EXIT_USAGE;
	long day = date_today();
	int rc = date ? cli_date_arg(date, &day) : 0;
	if (rc || (rc = cli_open(ses, PERM_EDIT_ENTRY)))
		return rc;
	char pseudo[16], when[11];
	int64_t pid = store_patient_find(ses->db, argv[optind], pseudo);
	if (!pid) {
		cli_patient_not_found(argv[optind]);
		return EXIT_NOINPUT;
	}
	patient_rights was;
	store_patient_rights_get(ses->db, pid, &was);
	date_format(day, when);
	if (oppose && !withdraw && *was.opposed_on) {
		printf("patient %s : déjà opposé le %s (noté par %s) : rien à faire\n", pseudo,
		       was.opposed_on, was.opposed_by);
		return 0;
	}
	if (withdraw && !*was.opposed_on) {
		printf("patient %s : pas d'opposition enregistrée : rien à retirer\n", pseudo);
		return 0;
	}
	char *why = NULL;
	rc = oppose ? store_patient_oppose(ses->db, pid, withdraw ? NULL : when, ses->login, &why)
	            : store_patient_inform(ses->db, pid, when, ses->login, &why);
	if (rc)
		return cli_fail(rc, why);
	if (!oppose)
		printf("patient %s : informé le %s\n", pseudo, when);
	else if (withdraw)
		printf("patient %s : opposition retirée ; ses données seront de nouveau dans les exports\n",
		       pseudo);
	else
		printf("patient %s : opposé le %s (noté par %s) ; ses données restent pour ses soins et ne "
		       "seront plus exportées : le prochain export les retire à la région\n",
		       pseudo, when, ses->login);
	return 0;
}

int cmd_patient(session *ses, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "add") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0)
				return fputs(usage, stdout), 0;
		return patient_add(ses, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "list") == 0)
		return patient_list(ses, argc - 1, argv + 1);
	if (strcmp(argv[1], "delete") == 0)
		return patient_delete(ses, argc - 1, argv + 1);
	if (strcmp(argv[1], "print") == 0)
		return patient_print(ses, argc - 1, argv + 1);
	if (strcmp(argv[1], "inform") == 0 || strcmp(argv[1], "oppose") == 0)
		return patient_rights_cmd(ses, argc - 1, argv + 1, argv[1][0] == 'o');
	cli_error("sous-commande inconnue « patient %s »", argv[1]);
	return EXIT_USAGE;
}
