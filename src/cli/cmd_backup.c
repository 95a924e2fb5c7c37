/* cmd_backup.c — recueil backup: a consistent, checked, gzip-compressed copy of the database;
 * recueil restore: such a copy back into a new database file, checked first. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "export/export.h"

static const char usage[] =
    "Usage : recueil backup --out FICHIER.gz\n"
    "Copie cohérente de toute la base (même pendant que d'autres saisissent), vérifiée\n"
    "(quick_check, clés étrangères) puis compressée avec gzip ; fichier en mode 0600, jamais\n"
    "écrasé s'il existe. La copie contient les identités des patients : la garder en lieu sûr.\n"
    "Réservé aux administrateurs. Relire : gunzip -c FICHIER.gz > copie.db\n";

int cmd_backup(session *ses, int argc, char **argv)
{
	const char *out;
	int rc = cli_out_option(argc, argv, usage, 0, &out);
	if (rc)
		return rc < 0 ? 0 : rc;
	/* Not cli_open: a backup must work even when the forms of the day do not load. */
	char *why = NULL;
	rc = session_open_store(ses, PERM_BACKUP, &why);
	if (rc)
		return cli_fail(rc, why);
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
