/* cmd_init.c — recueil init: create the database, register the structure and its first admin. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/privilege.h"

static const char usage[] =
    "Usage : recueil init --structure CODE [--name NOM] [--shared [GROUPE]]\n"
    "        recueil init --region CODE [--name NOM] [--shared [GROUPE]]\n"
    "Crée la base (fichier privé, ou partagé avec le groupe dans un dossier setgid),\n"
    "enregistre la structure et inscrit l'utilisateur courant comme administrateur.\n"
    "La base reçoit sa paire de clés de signature (voir « recueil structure key »).\n"
    "  --structure CODE  la base d'une structure : ses patients, leurs saisies, ses exports\n"
    "  --region CODE     une base régionale (ou nationale) : elle n'a pas de patients à elle,\n"
    "                    elle importe les archives des structures qu'elle inscrit\n"
    "                    (« recueil structure enrol »)\n";

/* mkdir -p for the directory that will hold path (mode 0700 for what it creates). */
static int make_parent_dirs(const char *path)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			cli_error("%s : création du dossier impossible : %s", copy, strerror(errno));
			free(copy);
			return EXIT_CANTCREAT;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

bool cli_valid_code(const char *code)
{
	size_t n = strlen(code);
	if (n < 2 || n > 32)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_'))
			return false;
	return true;
}

/* The directory of a shared database: owned by the group, setgid (new files inherit the group),
 * 2770. Created if missing; fixed if we own it; otherwise the commands to run are given. */
static int prepare_shared_dir(const char *db_path, const char *group)
{
	struct group *gr = getgrnam(group);
	if (!gr) {
		cli_error("groupe « %s » inconnu : le créer d'abord (sudo groupadd %s)", group, group);
		return EXIT_NOUSER;
	}
	char *dir = xstrdup(db_path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else {
		/* a bare file name: the current directory (dir may be shorter than ".", for --db "") */
		free(dir);
		dir = xstrdup(".");
	}
	struct stat st;
	int rc = 0;
	if (stat(dir, &st) != 0 && mkdir(dir, 02770) != 0) {
		cli_error("%s : création du dossier impossible : %s (sudo install -d -m 2770 -g %s %s)", dir,
		          strerror(errno), group, dir);
		rc = EXIT_CANTCREAT;
	} else if (stat(dir, &st) == 0 && (st.st_gid != gr->gr_gid || (st.st_mode & 07777) != 02770)) {
		if (chown(dir, (uid_t)-1, gr->gr_gid) != 0 || chmod(dir, 02770) != 0) {
			cli_error("%s : le dossier doit appartenir au groupe %s avec le mode 2770 : lancer "
			          "« sudo chgrp %s %s && sudo chmod 2770 %s »",
			          dir, group, group, dir, dir);
			rc = EXIT_NOPERM;
		}
	}
	free(dir);
	return rc;
}

/* Create the database file if needed and register the structure; shared by init and demo. */
int cli_create_database(session *ses, const char *code, const char *name, bool region)
{
	int rc = cli_load_forms(ses);
	if (rc || (!priv_held() && (rc = make_parent_dirs(ses->db_path))))
		return rc;
	char *why = NULL;
	if ((rc = session_create_store(ses, &why)))
		return cli_fail(rc, why);
	if ((rc = region ? store_init_region(ses->db, code, name, ses->login, &why)
	                 : store_init_structure(ses->db, code, name, ses->login, &why)) ||
	    (rc = session_sync_forms(ses, NULL, &why))) {
		cli_error("%s : %s", ses->db_path, why);
		free(why);
		return rc;
	}
	snprintf(ses->role, sizeof ses->role, "admin");
	return 0;
}

int cmd_init(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"structure", required_argument, NULL, 's'},
	    {"region", required_argument, NULL, 'r'},
	    {"name", required_argument, NULL, 'n'},
	    {"shared", optional_argument, NULL, 'g'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *code = NULL, *region = NULL, *name = NULL, *group = NULL;
	bool shared = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 's')
			code = optarg;
		else if (c == 'r')
			region = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 'g') {
			shared = true;
			/* --shared GROUP as well as --shared=GROUP; the installed program needs none. */
			group = optarg                                    ? optarg
			        : optind < argc && argv[optind][0] != '-' ? argv[optind++]
			                                                  : NULL;
		} else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (!code == !region || optind < argc) {
		if (code && region)
			cli_error("--structure ou --region, pas les deux");
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (region)
		code = region;
	if (!cli_valid_code(code)) {
		cli_error("code de structure « %s » invalide : 2 à 32 lettres sans accent, chiffres, - ou _",
		          code);
		return EXIT_USAGE;
	}
	int rc = 0;
	if (priv_held()) {
		/* The installed program: the shared database, in the directory of its own group. */
		struct group *gr = getgrgid(priv_group());
		if (!gr || (group && strcmp(group, gr->gr_name) != 0)) {
			cli_error("base partagée : le groupe est celui du programme installé (%s)",
			          gr ? gr->gr_name : "?");
			return EXIT_USAGE;
		}
		group = gr->gr_name;
		session_login_from_sudo(ses);
		priv_raise();
		rc = prepare_shared_dir(ses->db_path, group);
		priv_lower();
	} else if (shared && !group) {
		cli_error("--shared GROUPE : le groupe propriétaire du dossier partagé");
		return EXIT_USAGE;
	} else if (group) {
		rc = prepare_shared_dir(ses->db_path, group);
	}
	if (!rc)
		rc = cli_create_database(ses, code, name ? name : code, region != NULL);
	if (!rc && group)
		printf("Base partagée créée : %s (groupe %s, mode 0660)\n", ses->db_path, group);
	else if (!rc)
		printf("Base créée : %s\n", ses->db_path);
	if (!rc && region)
		printf("Région : %s (base régionale : elle importe les archives des structures inscrites)\n"
		       "Administrateur : %s\n",
		       code, ses->login);
	else if (!rc)
		printf("Structure : %s\nAdministrateur : %s\n", code, ses->login);
	return rc;
}
