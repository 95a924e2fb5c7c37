/* cmd_forms_bundle.c — one version of the forms for the whole network: recueil forms publish
 * (the coordination signs its forms directory as a bundle), forms trust (a structure records
 * the coordination's public key), forms install (a bundle verified, its changes shown, then
 * installed, the previous forms kept) and forms rollback (the previous forms put back). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/forms_bundle.h"
#include "core/minisign.h"
#include "export/bundle.h"

/* ---------------------------------------------------------------- shared */

/* Print the problems of loading a set of forms, each line cleaned; lines that name a file of
 * the temporary directory tmp name it inside the bundle instead ("paquet.zip:audit.yaml:3:1: …"). */
static void print_problems(const char *errors, const char *tmp, const char *shown_as)
{
	char *copy = xstrdup(errors);
	size_t k = strlen(tmp);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, tmp, k) == 0 && line[k] == '/') {
			fputs_safe(shown_as, stderr);
			fputc(':', stderr);
			line += k + 1;
		}
		fputs_safe(line, stderr);
		fputc('\n', stderr);
	}
	free(copy);
}

/* A private temporary directory holding files, to load them as a formset. Returns its path
 * (caller removes it with temp_forms_remove and frees) or NULL after printing why. */
static char *temp_forms(const bundle_files *files)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/recueil-forms.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		cli_error("dossier temporaire impossible à créer dans %s", base && *base ? base : "/tmp");
		free(dir);
		return NULL;
	}
	char *why = NULL;
	if (forms_dir_replace(dir, files, &why)) {
		cli_error("%s", why);
		free(why);
		rmdir(dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void temp_forms_remove(char *dir)
{
	if (!dir)
		return;
	bundle_files none = {0};
	char *why = NULL;
	forms_dir_replace(dir, &none, &why);
	free(why);
	rmdir(dir);
	free(dir);
}

/* Load the forms of dir (a temporary copy of what shown_as holds) and run their examples: the
 * set, or NULL after printing every problem. */
static formset *load_checked(const char *dir, const char *shown_as)
{
	char *errors = NULL;
	formset *fs = formset_load_dir(dir, &errors);
	strbuf failed = STRBUF_INIT;
	for (size_t i = 0; fs && i < fs->n_forms; i++)
		form_run_examples(fs, fs->forms[i], &failed);
	if (!fs || failed.len) {
		print_problems(fs ? failed.s : errors ? errors : "", dir, shown_as);
		formset_free(fs);
		fs = NULL;
	}
	strbuf_done(&failed);
	free(errors);
	return fs;
}

/* Print what replacing the forms of current (NULL: none that load) by next changes. Returns the
 * number of changes refused. */
static size_t show_changes(const formset *current, const formset *next)
{
	strbuf out = STRBUF_INIT;
	forms_diff_counts n;
	formset_diff(current, next, &out, &n);
	cli_print_lines(out.s, stdout);
	strbuf_done(&out);
	return n.refused;
}

/* Ask on the terminal; true for "o"/"oui". Without a terminal, false after saying that --yes
 * is needed. */
static bool confirm(const char *question)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		cli_error("sans terminal pour confirmer, ajouter --yes");
		return false;
	}
	fprintf(stderr, "%s [o/N] ", question);
	fflush(stderr);
	char line[32];
	if (!fgets(line, sizeof line, stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "o") == 0 || strcmp(line, "oui") == 0 || strcmp(line, "O") == 0;
}

/* Options --yes and --help only, then exactly n_args operands. Returns -1 to go on, or the exit
 * code (usage printed). */
static int yes_option(int argc, char **argv, int n_args, const char *usage, bool *yes)
{
	static const struct option opts[] = {
	    {"yes", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	int c;
	*yes = false;
	while ((c = cli_getopt(argc, argv, "hy", opts)) != -1) {
		if (c == 'y')
			*yes = true;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (argc - optind != n_args)
		return fputs(usage, stderr), EXIT_USAGE;
	return -1;
}

/* Open the database for p (the forms need not load: they may be what is being repaired). */
static int open_store(session *ses, perm p)
{
	char *why = NULL;
	int rc = session_open_store(ses, p, &why);
	return cli_fail(rc, why);
}

/* Bring the tables in line with the forms now in ses->forms_dir. */
static int sync_tables(session *ses)
{
	formset_free(ses->fs);
	ses->fs = NULL;
	int rc = cli_load_forms(ses);
	char *why = NULL;
	if (!rc)
		rc = store_sync_forms(ses->db, ses->fs, ses->login, &why);
	return cli_fail(rc, why);
}

/* ---------------------------------------------------------------- publish */

static const char publish_usage[] =
    "Usage : recueil forms publish --out PAQUET.zip --key CLÉ_SECRÈTE [--version N]\n"
    "Signe les formulaires (dossier des formulaires) comme la version N du réseau (par défaut la\n"
    "suivante de la dernière publiée ici). CLÉ_SECRÈTE : une clé minisign sans mot de passe\n"
    "(minisign -G -W) ; sa clé publique s'enregistre dans chaque structure avec « recueil forms trust ».\n";

/* Read the secret key file at path (unencrypted minisign key). NULL after printing why. */
static minisign_seckey *read_secret_key(const char *path)
{
	char text[MINISIGN_SECKEY_TEXT_MAX];
	FILE *f = fopen(path, "rb");
	if (!f) {
		cli_error("%s : clé secrète illisible", path);
		return NULL;
	}
	size_t n = fread(text, 1, sizeof text - 1, f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	text[n] = '\0';
	char *why = NULL;
	minisign_seckey *sk = more ? NULL : minisign_seckey_parse(text, &why);
	explicit_bzero(text, sizeof text);
	if (!sk) {
		cli_error("%s : %s", path, why ? why : "ce n'est pas une clé secrète minisign");
		free(why);
	}
	return sk;
}

/* "CODE (name)" of the structure or region that publishes. Caller frees. */
static char *publisher(session *ses)
{
	char code[64] = "", name[256] = "";
	store_structure(ses->db, code, name);
	return *name ? xasprintf("%s (%s)", code, name) : xstrdup(code);
}

/* Sign and write the bundle of files as version; record it. */
static int publish_files(session *ses, const bundle_files *files, long version, const char *out,
                         const minisign_seckey *sk)
{
	char now[32], digest[65], *why = NULL;
	time_now_iso(now, sizeof now);
	bundle_digest(files, digest);
	char *by = publisher(ses);
	char *manifest = bundle_manifest_text(files, version, now, by);
	free(by);
	char *comment = xasprintf("recueil-forms version=%ld digest=%s", version, digest);
	char *sig = minisign_sign(sk, manifest, strlen(manifest), comment, &why);
	int rc = sig ? bundle_write(out, files, manifest, sig, &why) : EXIT_SOFTWARE;
	if (!rc)
		rc = store_forms_published(ses->db, version, digest, ses->forms_dir, ses->login, &why);
	free(comment);
	free(manifest);
	free(sig);
	if (rc)
		return cli_fail(rc, why);
	minisign_pubkey pk;
	char fp[MINISIGN_FINGERPRINT_LEN + 1], b64[MINISIGN_PUBKEY_B64_LEN + 1];
	minisign_seckey_pubkey(sk, &pk);
	minisign_pubkey_fingerprint(&pk, fp);
	minisign_pubkey_base64(&pk, b64);
	printf("Formulaires publiés : version %ld, %zu fichier(s), empreinte %.16s… : ", version, files->n,
	       digest);
	fputs_safe(out, stdout);
	printf("\nClé de signature : %s (empreinte à lire aux structures : %s)\n", b64, fp);
	printf("Chaque structure : « recueil forms trust %s » une fois, puis « recueil forms install "
	       "PAQUET ».\n",
	       b64);
	return 0;
}

static int forms_publish(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"key", required_argument, NULL, 'k'},
	    {"version", required_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *out = NULL, *key = NULL;
	long long version = 0;
	int c;
	while ((c = cli_getopt(argc, argv, "ho:k:v:", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'k')
			key = optarg;
		else if (c == 'v' &&
		         (!parse_integer(optarg, &version) || version < 1 || version > 1000000000))
			return cli_error("--version : entier positif attendu"), EXIT_USAGE;
		else if (c == 'h')
			return fputs(publish_usage, stdout), 0;
		else if (c != 'v')
			return fputs(publish_usage, stderr), EXIT_USAGE;
	}
	if (!out || !key || optind != argc)
		return fputs(publish_usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_PUBLISH_FORMS);
	if (rc)
		return rc;
	strbuf failed = STRBUF_INIT;
	for (size_t i = 0; i < ses->fs->n_forms; i++)
		form_run_examples(ses->fs, ses->fs->forms[i], &failed);
	if (failed.len) {
		cli_print_lines(failed.s, stderr);
		strbuf_done(&failed);
		cli_error("exemples en échec : rien n'a été publié");
		return EXIT_DATAERR;
	}
	strbuf_done(&failed);
	long last = store_forms_latest_version(ses->db, "publish");
	if (!version)
		version = last + 1;
	else if (version <= last)
		return cli_error("version %lld : la version %ld est déjà publiée ; la suivante est %ld",
		                 version, last, last + 1),
		       EXIT_DATAERR;
	bundle_files files = {0};
	char *why = NULL;
	if ((rc = forms_dir_read(ses->forms_dir, &files, &why))) {
		bundle_files_done(&files);
		return cli_fail(rc, why);
	}
	minisign_seckey *sk = read_secret_key(key);
	rc = sk ? publish_files(ses, &files, (long)version, out, sk) : EXIT_NOINPUT;
	minisign_seckey_free(sk);
	bundle_files_done(&files);
	return rc;
}

/* ---------------------------------------------------------------- trust */

static const char trust_usage[] =
    "Usage : recueil forms trust CLÉ_PUBLIQUE\n"
    "Enregistre la clé publique de la coordination (la ligne base64 de minisign, ou le fichier\n"
    ".pub) : les paquets de formulaires installés devront être signés par elle (admin).\n";

static int forms_trust(session *ses, int argc, char **argv)
{
	if (argc != 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
		bool help = argc == 1;
		fputs(trust_usage, help ? stdout : stderr);
		return help ? 0 : EXIT_USAGE;
	}
	char text[1024] = "";
	struct stat st;
	if (stat(argv[0], &st) == 0 && S_ISREG(st.st_mode)) {
		FILE *f = fopen(argv[0], "rb");
		size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
		if (f)
			fclose(f);
		text[n] = '\0';
	} else {
		snprintf(text, sizeof text, "%s", argv[0]);
	}
	minisign_pubkey pk;
	char *why = NULL;
	if (!minisign_pubkey_parse(text, &pk, &why))
		return cli_fail(EXIT_DATAERR, why);
	int rc = open_store(ses, PERM_INSTALL_FORMS);
	if (rc)
		return rc;
	char b64[MINISIGN_PUBKEY_B64_LEN + 1], fp[MINISIGN_FINGERPRINT_LEN + 1],
	    id[MINISIGN_KEYID_HEX_LEN + 1];
	minisign_pubkey_base64(&pk, b64);
	minisign_pubkey_fingerprint(&pk, fp);
	minisign_keyid_hex(pk.keyid, id);
	if ((rc = store_forms_trust_set(ses->db, b64, fp, ses->login, &why)))
		return cli_fail(rc, why);
	printf("Clé de la coordination enregistrée : %s\nEmpreinte : %s (à vérifier de vive voix avec la "
	       "coordination)\n",
	       id, fp);
	return 0;
}

/* ---------------------------------------------------------------- install */

static const char install_usage[] =
    "Usage : recueil forms install PAQUET.zip [--yes]\n"
    "Vérifie la signature du paquet avec la clé de la coordination (recueil forms trust), montre\n"
    "ce qui change pour les données et les exports, demande confirmation (ou --yes), puis installe\n"
    "les formulaires dans le dossier des formulaires en gardant les précédents (recueil forms\n"
    "rollback pour y revenir). Admin.\n";

/* The coordination's key, or EXIT_CONFIG after saying how to record it. */
static int trusted_key(session *ses, minisign_pubkey *pk)
{
	char b64[STORE_PUBKEY_MAX], fp[STORE_FINGERPRINT_MAX];
	char *why = NULL;
	if (!store_forms_trust_get(ses->db, b64, fp)) {
		cli_error("aucune clé de la coordination enregistrée : « recueil forms trust CLÉ_PUBLIQUE » "
		          "d'abord (admin)");
		return EXIT_CONFIG;
	}
	if (!minisign_pubkey_parse(b64, pk, &why))
		return cli_fail(EXIT_DATAERR, why);
	return 0;
}

/* The bundle may replace the forms in place: it is newer than any installed here, and the
 * database can keep its data with it. */
static int check_install(session *ses, const bundle_manifest *m, const formset *next, const char *path)
{
	long latest = store_forms_latest_version(ses->db, NULL);
	if (m->version <= latest) {
		cli_error(
		    "%s : version %ld, mais la version %ld est déjà installée ou publiée ici (pour revenir "
		    "en arrière : recueil forms rollback)",
		    path, m->version, latest);
		return EXIT_DATAERR;
	}
	char *why = NULL;
	int rc = store_check_forms(ses->db, next, &why);
	if (rc) {
		print_problems(why, next->dir, path);
		free(why);
		cli_error("installation refusée : rien n'a changé");
	}
	return rc;
}

/* Write files into dir, recording the install with the forms they replace; put those back if
 * anything fails. */
static int install_files(session *ses, const bundle_manifest *m, const bundle_files *files, const char *dir)
{
	bundle_files previous = {0};
	char *why = NULL;
	int64_t id = 0;
	int rc = forms_dir_read(dir, &previous, &why);
	if (!rc)
		rc = store_forms_installed(ses->db, m->version, m->digest, dir, &previous, ses->login, &id,
		                           &why);
	if (!rc && (rc = forms_dir_replace(dir, files, &why))) {
		char *again = NULL;
		forms_dir_replace(dir, &previous, &again);
		store_forms_install_forget(ses->db, id, &again);
		free(again);
	}
	bundle_files_done(&previous);
	if (rc)
		return cli_fail(rc, why);
	return sync_tables(ses);
}

/* Show what installing next (the forms of the bundle m at path) changes, ask, install. */
static int show_and_install(session *ses, const bundle_manifest *m, const bundle_files *files,
                            const formset *next, const char *path, bool yes)
{
	const char *dir = ses->forms_dir;
	char *errors = NULL;
	formset *current = formset_load_dir(dir, &errors);
	printf("Paquet de formulaires version %ld, publié le %s par ", m->version, m->published_at);
	fputs_safe(m->published_by ? m->published_by : "?", stdout);
	printf("\nChangements pour les données enregistrées et les exports%s :\n",
	       current ? ""
	               : " (les formulaires en place ne se chargent pas : tout est montré comme nouveau)");
	size_t refused = show_changes(current, next);
	formset_free(current);
	free(errors);
	int rc;
	if (refused)
		rc = (cli_error("%s : installation refusée : rien n'a changé", path), EXIT_DATAERR);
	else if (!yes && !confirm("Installer ces formulaires ?"))
		rc = (cli_error("installation annulée : rien n'a changé"), EXIT_USAGE);
	else if (!(rc = install_files(ses, m, files, dir))) {
		printf("Formulaires version %ld installés dans ", m->version);
		fputs_safe(dir, stdout);
		printf(" ; les précédents sont gardés (recueil forms rollback pour y revenir)\n");
	}
	return rc;
}

static int forms_install(session *ses, int argc, char **argv)
{
	bool yes;
	int rc = yes_option(argc, argv, 1, install_usage, &yes);
	if (rc >= 0)
		return rc;
	const char *path = argv[optind];
	minisign_pubkey pk;
	if ((rc = open_store(ses, PERM_INSTALL_FORMS)) || (rc = trusted_key(ses, &pk)))
		return rc;
	bundle_manifest m;
	bundle_files files = {0};
	char *why = NULL;
	if ((rc = bundle_open(path, &pk, &m, &files, &why)))
		return cli_fail(rc, why);
	char current[65] = "";
	char *tmp = NULL;
	formset *next = NULL;
	if (forms_dir_digest(ses->forms_dir, current, NULL) == 0 && strcmp(current, m.digest) == 0) {
		/* Forms copied by hand: once the signature is checked, exports may name the version. */
		bool known = store_forms_version_of(ses->db, m.digest) != 0;
		if (!known)
			rc = install_files(ses, &m, &files, ses->forms_dir);
		printf("Les formulaires de la version %ld sont déjà ceux de ", m.version);
		fputs_safe(ses->forms_dir, stdout);
		printf("%s\n", known ? "" : " : enregistrés comme cette version");
	} else if (!(tmp = temp_forms(&files))) {
		rc = EXIT_CANTCREAT;
	} else if (!(next = load_checked(tmp, path))) {
		rc = (cli_error("%s : formulaires invalides : rien n'a changé", path), EXIT_DATAERR);
	} else if (!(rc = check_install(ses, &m, next, path))) {
		rc = show_and_install(ses, &m, &files, next, path, yes);
	}
	formset_free(next);
	temp_forms_remove(tmp);
	bundle_manifest_done(&m);
	bundle_files_done(&files);
	return rc;
}

/* ---------------------------------------------------------------- rollback */

static const char rollback_usage[] =
    "Usage : recueil forms rollback [--yes]\n"
    "Remet les formulaires d'avant la dernière installation (recueil forms install), après avoir\n"
    "montré ce qui change et demandé confirmation (ou --yes). Admin.\n";

/* Put previous back into dir (whose forms are now current), recorded as the rollback of row. */
static int put_back(session *ses, const forms_bundle_row *row, const bundle_files *previous,
                    const formset *prev_fs)
{
	bundle_files current = {0};
	char *why = NULL, digest[65];
	bundle_digest(previous, digest);
	int rc = forms_dir_read(row->forms_dir, &current, &why);
	if (!rc)
		rc = forms_dir_replace(row->forms_dir, previous, &why);
	if (!rc && (rc = store_forms_rolled_back(ses->db, row->id, store_forms_version_of(ses->db, digest),
	                                         digest, row->forms_dir, prev_fs, ses->login, &why))) {
		char *again = NULL;
		forms_dir_replace(row->forms_dir, &current, &again);
		free(again);
	}
	bundle_files_done(&current);
	if (rc)
		return cli_fail(rc, why);
	return sync_tables(ses);
}

static int forms_rollback(session *ses, int argc, char **argv)
{
	bool yes;
	int rc = yes_option(argc, argv, 0, rollback_usage, &yes);
	if (rc >= 0)
		return rc;
	if ((rc = open_store(ses, PERM_INSTALL_FORMS)))
		return rc;
	forms_bundle_row row;
	bundle_files previous = {0};
	char *why = NULL;
	if ((rc = store_forms_last_install(ses->db, &row, &previous, &why))) {
		bundle_files_done(&previous);
		return cli_fail(rc, why);
	}
	ses->forms_dir = row.forms_dir;
	char *tmp = temp_forms(&previous);
	formset *prev_fs = tmp ? load_checked(tmp, "formulaires précédents") : NULL;
	if (!prev_fs) {
		rc = tmp ? EXIT_DATAERR : EXIT_CANTCREAT;
	} else {
		char *errors = NULL;
		formset *current = formset_load_dir(row.forms_dir, &errors);
		printf("Retour aux formulaires d'avant l'installation de la version %ld (le %s par %s)\n"
		       "Changements pour les données enregistrées et les exports :\n",
		       row.version, row.at, row.login);
		show_changes(current, prev_fs);
		formset_free(current);
		free(errors);
		if (!yes && !confirm("Remettre ces formulaires ?"))
			rc = (cli_error("retour arrière annulé : rien n'a changé"), EXIT_USAGE);
		else if (!(rc = put_back(ses, &row, &previous, prev_fs))) {
			printf("Formulaires d'avant la version %ld remis dans ", row.version);
			fputs_safe(row.forms_dir, stdout);
			putchar('\n');
		}
	}
	formset_free(prev_fs);
	temp_forms_remove(tmp);
	bundle_files_done(&previous);
	return rc;
}

/* ---------------------------------------------------------------- dispatch */

int cmd_forms_bundle(session *ses, const char *what, int argc, char **argv)
{
	if (strcmp(what, "publish") == 0)
		return forms_publish(ses, argc, argv);
	if (strcmp(what, "trust") == 0)
		return forms_trust(ses, argc - 1, argv + 1);
	if (strcmp(what, "install") == 0)
		return forms_install(ses, argc, argv);
	return forms_rollback(ses, argc, argv);
}
