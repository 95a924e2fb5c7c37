/* cmd_backup.c — recueil backup: a consistent, checked, gzip-compressed copy of the database;
 * recueil restore: such a copy back into a new database file, checked first. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/privilege.h"
#include "export/export.h"

static const char usage[] =
    "Usage : recueil backup --out FICHIER.gz\n"
    "        recueil backup --rotate [--dir DOSSIER]\n"
    "Copie cohérente de toute la base (même pendant que d'autres saisissent), vérifiée\n"
    "(quick_check, clés étrangères) puis compressée avec gzip ; fichier en mode 0600, jamais\n"
    "écrasé s'il existe. La copie contient les identités des patients : la garder en lieu sûr.\n"
    "Réservé aux administrateurs. Relire : gunzip -c FICHIER.gz > copie.db\n"
    "--rotate : la sauvegarde du jour, DOSSIER/recueil-AAAA-MM-JJ.db.gz (par défaut\n"
    "le dossier sauvegardes/ à côté de la base, " SESSION_SHARED_BACKUPS " pour la base\n"
    "partagée), puis garde la plus récente de chacun des 7 derniers jours et des 4 dernières\n"
    "semaines qui en ont une et supprime les autres (pour cron ou le minuteur systemd).\n";

/* recueil backup --rotate: tonight's backup and the rotation of the directory. */
static int rotate(session *ses, const char *dir)
{
	char *own = NULL;
	if (!dir && ses->shared) {
		dir = SESSION_SHARED_BACKUPS;
	} else if (!dir) {
		const char *slash = strrchr(ses->db_path, '/');
		own = slash ? xasprintf("%.*s/sauvegardes", (int)(slash - ses->db_path), ses->db_path)
		            : xstrdup("sauvegardes");
		dir = own;
	}
	/* The shared directory is written with the program's group; any other with the caller's
	 * rights alone. */
	bool raise = priv_held() && strcmp(dir, SESSION_SHARED_BACKUPS) == 0;
	backup_rotation r;
	char *why = NULL;
	int rc = raise && !priv_raise() ? EXIT_SOFTWARE : 0;
	if (!rc)
		rc = backup_rotate(ses->db, dir, date_today(), 7, 4, &r, &why);
	if (raise)
		priv_lower();
	free(own);
	if (rc)
		return cli_fail(rc, why);
	printf("Sauvegarde vérifiée écrite : ");
	fputs_safe(r.path, stdout);
	printf(" (%llu octets compressés) ; %zu gardée(s), %zu supprimée(s)\n", (unsigned long long)r.bytes,
	       r.kept, r.removed);
	free(r.path);
	return 0;
}

int cmd_backup(session *ses, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"rotate", no_argument, NULL, 'r'},
	    {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	const char *out = NULL, *dir = NULL;
	bool rotating = false;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'r')
			rotating = true;
		else if (c == 'd')
			dir = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc || (rotating ? out || (dir && !*dir) : !out || !*out || dir))
		return fputs(usage, stderr), EXIT_USAGE;
	/* Not cli_open: a backup must work even when the forms of the day do not load. */
	char *why = NULL;
	int rc = session_open_store(ses, PERM_BACKUP, &why);
	if (rc)
		return cli_fail(rc, why);
	if (rotating)
		return rotate(ses, dir);
	if ((rc = export_check_target(out, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	uint64_t bytes = 0;
	if ((rc = backup_write(ses->db, out, &bytes, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	printf("Sauvegarde vérifiée écrite : ");
	fputs_safe(out, stdout);
	printf(" (%llu octets compressés)\n", (unsigned long long)bytes);
	return 0;
}

static const char restore_usage[] =
    "Usage : recueil restore SAUVEGARDE.gz --out NOUVELLE.db\n"
    "Restaure une sauvegarde dans un NOUVEAU fichier de base (jamais par-dessus un fichier\n"
    "existant), après l'avoir vérifiée : contrôle gzip, base recueil d'une version connue,\n"
    "quick_check, clés étrangères. Ensuite : recueil --db NOUVELLE.db …\n";

int cmd_restore(session *ses, int argc, char **argv)
{
	(void)ses;
	const char *out;
	int rc = cli_out_option(argc, argv, restore_usage, 1, &out);
	if (rc)
		return rc < 0 ? 0 : rc;
	char *why = NULL;
	rc = backup_restore(argv[optind], out, &why);
	if (rc) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	printf("Sauvegarde vérifiée et restaurée dans ");
	fputs_safe(out, stdout);
	printf(" ; l'ouvrir avec « recueil --db ");
	fputs_safe(out, stdout);
	printf(" »\n");
	return 0;
}
