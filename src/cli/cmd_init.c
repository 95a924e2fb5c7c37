/* cmd_init.c — recueil init: create the database, register the structure and its first admin. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

static const char usage[] =
    "Usage : recueil init --structure CODE [--name NOM]\n"
    "Crée la base (fichier privé, ou partagé avec le groupe dans un dossier setgid),\n"
    "enregistre la structure et inscrit l'utilisateur courant comme administrateur.\n";

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

static bool valid_code(const char *code)
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

/* Create the database file if needed and register the structure; shared by init and demo. */
int cli_create_database(cli_ctx *ctx, const char *code, const char *name)
{
	int rc = cli_load_forms(ctx);
	if (rc || (rc = make_parent_dirs(ctx->db_path)))
		return rc;
	char *why = NULL;
	ctx->st = store_open(ctx->db_path, STORE_OPEN_CREATE, &why, &rc);
	if (!ctx->st) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	if ((rc = store_init_structure(ctx->st, code, name, ctx->login, &why)) ||
	    (rc = store_sync_forms(ctx->st, ctx->fs, ctx->login, &why))) {
		cli_error("%s : %s", ctx->db_path, why);
		free(why);
		return rc;
	}
	snprintf(ctx->role, sizeof ctx->role, "admin");
	return 0;
}

int cmd_init(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"structure", required_argument, NULL, 's'},
	    {"name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *code = NULL, *name = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 's')
			code = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (!code || optind < argc) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!valid_code(code)) {
		cli_error("code de structure « %s » invalide : 2 à 32 lettres sans accent, chiffres, - ou _",
		          code);
		return EXIT_USAGE;
	}
	int rc = cli_create_database(ctx, code, name ? name : code);
	if (!rc)
		printf("Base créée : %s\nStructure : %s\nAdministrateur : %s\n", ctx->db_path, code,
		       ctx->login);
	return rc;
}
