/* cmd_export.c — recueil export: the encrypted archive a structure sends before each reporting
 * deadline, after a check of what is not ready. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "export/export.h"
#include "export/period.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil export [--period PÉRIODE] --out FICHIER.zip\n"
    "                       [--passphrase-file F | --ask-passphrase | --no-encrypt]\n"
    "                       [--accept-issues RAISON]\n"
    "Écrit l'archive à envoyer pour une période : un CSV par formulaire (codes, champs calculés,\n"
    "sans aucune donnée d'identité), codebook.csv (dictionnaire), seuils.csv, manifest.txt,\n"
    "LISEZMOI.txt et de quoi les lire dans R, Python, Stata et SPSS (lire_recueil.R, .py, .do,\n"
    ".sps). Chiffrée en AES-256 (s'ouvre avec 7-Zip).\n"
    "  --period P           2026, 2026-S1, 2026-T3, 2026-11 ou 2026-01-01..2026-06-30 ; sans elle,\n"
    "                       la période de la prochaine échéance est proposée\n"
    "  --out FICHIER        l'archive à créer (jamais écrasée si elle existe)\n"
    "  (par défaut)         une phrase de passe est tirée au hasard et affichée une seule fois :\n"
    "                       la transmettre par SMS ou par téléphone, jamais avec l'archive\n"
    "  --passphrase-file F  lire la phrase de passe dans F (fichier privé : chmod 600 F)\n"
    "  --ask-passphrase     la saisir au clavier (deux fois, sans écho)\n"
    "  --no-encrypt         archive NON chiffrée (demande confirmation sur un terminal)\n"
    "  --accept-issues R    exporter malgré les saisies incomplètes, en brouillon ou à confirmer,\n"
    "                       pour la raison R (notée dans le journal des exports et le manifeste)\n"
    "La phrase de passe n'est jamais acceptée sur la ligne de commande. Rôle coordination requis.\n";

/* Ask a yes/no question on the terminal; default when Enter alone. */
static bool confirm(const char *question, bool dflt, const char *yes_word)
{
	fputs(question, stderr);
	fflush(stderr);
	char line[64];
	if (!fgets(line, sizeof line, stdin))
		return false;
	str_trim(line);
	if (!*line)
		return dflt;
	if (yes_word)
		return strcmp(line, yes_word) == 0;
	return strchr("oOyY", line[0]) != NULL;
}

typedef struct {
	const char *period;
	const char *out;
	const char *passphrase_file;
	const char *accept;
	bool ask, plain;
} export_args;

static int parse_args(int argc, char **argv, export_args *a)
{
	static const struct option opts[] = {
	    {"period", required_argument, NULL, 'p'},
	    {"out", required_argument, NULL, 'o'},
	    {"passphrase-file", required_argument, NULL, 'f'},
	    {"ask-passphrase", no_argument, NULL, 'a'},
	    {"no-encrypt", no_argument, NULL, 'n'},
	    {"accept-issues", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			a->period = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'f':
			a->passphrase_file = optarg;
			break;
		case 'a':
			a->ask = true;
			break;
		case 'n':
			a->plain = true;
			break;
		case 'i':
			a->accept = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_error("argument inattendu « %s » : la phrase de passe ne se donne jamais sur la ligne de "
		          "commande "
		          "(--passphrase-file F ou --ask-passphrase)",
		          argv[optind]);
		return EXIT_USAGE;
	}
	if (!a->out || !*a->out) {
		cli_error("--out FICHIER.zip manquant : où écrire l'archive ?");
		return EXIT_USAGE;
	}
	if ((a->passphrase_file != NULL) + a->ask + a->plain > 1) {
		cli_error(
		    "choisir une seule des options --passphrase-file, --ask-passphrase et --no-encrypt");
		return EXIT_USAGE;
	}
	if (a->accept && !*str_trim((char *)a->accept)) {
		cli_error("--accept-issues : donner la raison pour laquelle les problèmes sont acceptés");
		return EXIT_USAGE;
	}
	return 0;
}

/* The period asked for, or the one of the next deadline (confirmed on a terminal). */
static int choose_period(session *ses, const char *text, period *p)
{
	char *why = NULL;
	if (text) {
		if (period_parse(text, p, &why))
			return 0;
		cli_error("--period : %s", why);
		free(why);
		return EXIT_USAGE;
	}
	deadline d;
	long today = date_today();
	if (!deadline_next(ses->fs->reporting, today, &d)) {
		cli_error("--period manquant, et reporting.yaml ne donne aucune échéance à proposer");
		return EXIT_USAGE;
	}
	char due[11];
	date_format(d.due, due);
	if (isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
		char *q = xasprintf(
		    "Prochaine échéance le %s (dans %ld jour(s)) : exporter la période %s (%s) ? [O/n] ", due,
		    d.due - today, d.covers.label, d.rule->label.fr);
		bool yes = confirm(q, true, NULL);
		free(q);
		if (yes) {
			*p = d.covers;
			return 0;
		}
		cli_error("export abandonné : préciser la période avec --period");
		return EXIT_USAGE;
	}
	cli_error("--period manquant : la prochaine échéance (%s) porte sur la période %s ; relancer avec "
	          "--period %s",
	          due, d.covers.label, d.covers.label);
	return EXIT_USAGE;
}

/* Print the pre-export check; 0 when the export may go on. */
static int review_issues(const export_issues *is, const period *p, const char *accept)
{
	if (!is->n)
		return 0;
	cli_error("vérification avant export de %s : %zu point(s) à revoir :", p->label, is->n);
	for (size_t i = 0; i < is->n; i++) {
		char *line = export_issue_line(&is->v[i]);
		fputs("  ", stderr);
		fputs_safe(line, stderr);
		fputc('\n', stderr);
		free(line);
	}
	if (!accept) {
		cli_error("export refusé : corriger ces saisies, ou les accepter explicitement avec "
		          "--accept-issues "
		          "\"raison\" (la raison est notée dans le journal des exports et le manifeste)");
		return EXIT_DATAERR;
	}
	cli_error("%zu point(s) accepté(s) : « %s » (noté dans le journal des exports et le manifeste)",
	          is->n, accept);
	return 0;
}

/* Fill pass (SECRET_MAX bytes) as asked; *generated tells whether it must be shown. */
static int get_passphrase(const export_args *a, char *pass, bool *generated)
{
	*generated = false;
	if (a->plain) {
		if (isatty(STDIN_FILENO)) {
			if (!confirm("L'archive ne sera PAS chiffrée : elle ne doit pas partir par e-mail. "
			             "Taper « oui » pour "
			             "confirmer : ",
			             false, "oui")) {
				cli_error("export abandonné (non confirmé)");
				return EXIT_USAGE;
			}
		} else {
			cli_error("attention : archive NON chiffrée (--no-encrypt) ; elle ne doit pas partir "
			          "par e-mail");
		}
		return 0;
	}
	if (!a->passphrase_file && !a->ask) {
		secret_generate(pass);
		*generated = true;
		return 0;
	}
	int rc = cli_passphrase(a->passphrase_file, a->ask, true, "Phrase de passe de l'archive : ", pass);
	if (rc)
		return rc;
	if (strlen(pass) < 14)
		cli_error("attention : phrase de passe courte (%zu caractères) ; au moins 14 caractères "
		          "aléatoires, ou "
		          "7 mots tirés au hasard, pour qu'elle protège seule des données de santé",
		          strlen(pass));
	return 0;
}

static void show_passphrase(const char *pass)
{
	fputs("\nPhrase de passe de l'archive (affichée une seule fois et enregistrée nulle part) :\n\n",
	      stderr);
	fprintf(stderr, "        %s\n\n", pass);
	fputs("La transmettre au destinataire par SMS ou par téléphone, jamais dans l'e-mail de l'archive.\n"
	      "Il ouvre l'archive avec 7-Zip et la saisit telle quelle, tirets compris.\n\n",
	      stderr);
}

int cmd_export(session *ses, int argc, char **argv)
{
	export_args a = {0};
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	if ((rc = cli_open(ses, PERM_EXPORT)))
		return rc;
	char *why = NULL;
	if ((rc = export_check_target(a.out, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	period per;
	if ((rc = choose_period(ses, a.period, &per)))
		return rc;
	long today = date_today();
	if (per.last >= today) {
		char last[11];
		date_format(per.last, last);
		cli_error("attention : la période %s n'est pas terminée (elle court jusqu'au %s) : l'export "
		          "sera partiel",
		          per.label, last);
	}
	export_issues issues;
	if ((rc = export_check(ses->db, ses->fs, &per, &issues, &why))) {
		cli_error("%s", why);
		free(why);
		export_issues_done(&issues);
		return rc;
	}
	if ((rc = review_issues(&issues, &per, a.accept))) {
		export_issues_done(&issues);
		return rc;
	}
	char pass[SECRET_MAX];
	bool generated = false;
	memset(pass, 0, sizeof pass);
	if (!(rc = get_passphrase(&a, pass, &generated))) {
		export_opts o = {
		    .per = per,
		    .out_path = a.out,
		    .passphrase = a.plain ? NULL : pass,
		    .accepted_reason = a.accept,
		    .issues = &issues,
		    .login = ses->login,
		    .progress = isatty(STDERR_FILENO) ? stderr : NULL,
		    .today = today,
		};
		export_result res;
		if (o.progress)
			fprintf(stderr, "Export de %s vers %s :\n", per.label, a.out);
		rc = export_write(ses->db, ses->fs, &o, &res, &why);
		if (rc) {
			cli_error("%s", why);
			free(why);
		} else {
			printf("Export n° %lld de la période %s : ", (long long)res.sequence, per.label);
			fputs_safe(a.out, stdout);
			printf(" (%zu fichiers, %llu ligne(s) de données, %s)\n", res.n_files,
			       (unsigned long long)res.rows, a.plain ? "NON chiffré" : "chiffré AES-256");
			if (res.has_previous_same_period)
				printf("Période déjà exportée : %zu correction(s) listée(s) dans le "
				       "manifeste.\n",
				       res.n_corrections);
			fflush(stdout);
			if (generated)
				show_passphrase(pass);
		}
	}
	secret_wipe(pass, sizeof pass);
	export_issues_done(&issues);
	return rc;
}
