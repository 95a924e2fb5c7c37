/* cmd_export.c — recueil export: the encrypted, signed archive a structure sends before each
 * reporting deadline, after a check of what is not ready. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "export/export.h"
#include "export/period.h"
#include "export/secret.h"

static const char usage[] =
    "Usage : recueil export [--period PÉRIODE] --out FICHIER\n"
    "                       [--recipient age1… | --passphrase-file F | --ask-passphrase |\n"
    "                        --no-encrypt] [--accept-issues RAISON]\n"
    "Écrit l'archive à envoyer pour une période : un instantané de la base au dernier jour de\n"
    "la période (tous les patients, toutes leurs saisies datées jusqu'à ce jour), un CSV par\n"
    "formulaire commençant par la colonne structure (codes, champs calculés, sans aucune donnée\n"
    "d'identité), alerts.csv, codebook.csv (dictionnaire), seuils.csv, manifest.txt,\n"
    "LISEZMOI.txt, de quoi les lire dans R, Python, Stata et SPSS (lire_recueil.R, .py, .do,\n"
    ".sps), et manifest.txt.minisig, la signature du manifeste par la clé de la base.\n"
    "  --period P           2026, 2026-S1, 2026-T3, 2026-11 ou 2026-01-01..2026-06-30 ; sans elle,\n"
    "                       la période de la prochaine échéance est proposée\n"
    "  --out FICHIER        l'archive à créer (jamais écrasée si elle existe)\n"
    "  --recipient age1…    chiffrer pour cette clé publique (format age ; plusieurs possibles) :\n"
    "                       seule la clé privée correspondante l'ouvre, aucune phrase de passe à\n"
    "                       transmettre ; par défaut, les clés de forms/reporting.yaml (recipients:)\n"
    "  (sinon, par défaut)  zip AES-256 (s'ouvre avec 7-Zip) et une phrase de passe tirée au\n"
    "                       hasard, affichée une seule fois sur le terminal : la transmettre par\n"
    "                       SMS ou par téléphone, jamais avec l'archive (sans terminal : refusé)\n"
    "  --passphrase-file F  lire la phrase de passe dans F (fichier privé : chmod 600 F ; au moins\n"
    "                       80 bits : 16 caractères tirés au hasard, ou 7 mots tirés au hasard)\n"
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

/* Public keys given with --recipient, at most. */
#define MAX_RECIPIENTS 16

typedef struct {
	const char *period;
	const char *out;
	const char *passphrase_file;
	const char *accept;
	bool ask, plain;
	const char *recipients[MAX_RECIPIENTS];
	size_t n_recipients;
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
	    {"recipient", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
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
		case 'r':
			if (a->n_recipients == MAX_RECIPIENTS) {
				cli_error("--recipient : %d clés au plus", MAX_RECIPIENTS);
				return EXIT_USAGE;
			}
			a->recipients[a->n_recipients++] = optarg;
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
		/* Not quoted: it may be a passphrase typed where it must never be. */
		cli_error("%d argument(s) inattendu(s) après les options : la phrase de passe ne se donne "
		          "jamais sur la ligne de commande (--passphrase-file F ou --ask-passphrase)",
		          argc - optind);
		return EXIT_USAGE;
	}
	if (!a->out || !*a->out) {
		cli_error("--out FICHIER.zip manquant : où écrire l'archive ?");
		return EXIT_USAGE;
	}
	if ((a->passphrase_file != NULL) + a->ask + a->plain + (a->n_recipients > 0) > 1) {
		cli_error("choisir une seule des options --recipient, --passphrase-file, --ask-passphrase et "
		          "--no-encrypt");
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

/* How the archive is protected: a passphrase (pass, SECRET_MAX bytes; *generated when it must
 * be shown), or age recipients (keys, *n_keys of them), or nothing (--no-encrypt). */
typedef struct {
	char pass[SECRET_MAX];
	bool generated;
	age_recipient keys[MAX_RECIPIENTS];
	size_t n_keys;
	bool from_reporting; /* the keys are reporting.yaml's */
} protection;

/* The recipients given, else those of reporting.yaml when no other choice was made. */
static int get_recipients(session *ses, const export_args *a, protection *p)
{
	const reporting *r = ses->fs->reporting;
	bool by_default =
	    !a->plain && !a->passphrase_file && !a->ask && !a->n_recipients && r && r->n_recipients;
	if (by_default && r->n_recipients > MAX_RECIPIENTS) {
		cli_error("%s : recipients : %d clés au plus", r->path, MAX_RECIPIENTS);
		return EXIT_DATAERR;
	}
	const char *const *texts = by_default ? (const char *const *)r->recipients : a->recipients;
	p->n_keys = by_default ? r->n_recipients : a->n_recipients;
	p->from_reporting = by_default;
	return cli_recipients(texts, p->n_keys, p->keys);
}

/* A passphrase chosen by a person must protect the archive alone. */
static int check_strength(const char *pass)
{
	if (secret_strength_bits(pass) >= SECRET_MIN_BITS)
		return 0;
	cli_error("phrase de passe trop faible pour protéger seule des données de santé : au moins 80 bits, "
	          "par exemple 16 caractères tirés au hasard (comme celle que recueil génère) ou 7 mots "
	          "tirés au hasard ; export refusé");
	return EXIT_DATAERR;
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
		/* Shown once, on the terminal only: never into a file or a pipe that keeps it. */
		if (!isatty(STDERR_FILENO)) {
			cli_error(
			    "la phrase de passe générée ne s'affiche que sur un terminal (la sortie "
			    "d'erreur est redirigée) : donner la phrase de passe avec --passphrase-file F, "
			    "ou chiffrer pour la clé de la coordination avec --recipient age1…");
			return EXIT_USAGE;
		}
		secret_generate(pass);
		*generated = true;
		return 0;
	}
	int rc = cli_passphrase(a->passphrase_file, a->ask, true, "Phrase de passe de l'archive : ", pass);
	return rc ? rc : check_strength(pass);
}

static int protect(session *ses, const export_args *a, protection *p)
{
	int rc = get_recipients(ses, a, p);
	if (!rc && !p->n_keys)
		rc = get_passphrase(a, p->pass, &p->generated);
	return rc;
}

/* What protects the archive, for the last line of the command. */
static void say_protection(const export_args *a, const protection *p)
{
	if (p->n_keys)
		printf("chiffré pour %zu clé(s) publique(s) age%s", p->n_keys,
		       p->from_reporting ? " de forms/reporting.yaml" : "");
	else
		fputs(a->plain ? "NON chiffré" : "chiffré AES-256", stdout);
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
	protection *pr = xcalloc(1, sizeof *pr);
	secret_protect(pr->pass, sizeof pr->pass);
	if (!(rc = protect(ses, &a, pr))) {
		export_opts o = {
		    .per = per,
		    .out_path = a.out,
		    .passphrase = a.plain || pr->n_keys ? NULL : pr->pass,
		    .recipients = pr->keys,
		    .n_recipients = pr->n_keys,
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
			printf(" (%zu fichiers, %llu ligne(s) de données, ", res.n_files,
			       (unsigned long long)res.rows);
			say_protection(&a, pr);
			puts(", signé)");
			if (res.has_previous_same_period)
				printf("Période déjà exportée : %zu correction(s) listée(s) dans le "
				       "manifeste.\n",
				       res.n_corrections);
			fflush(stdout);
			if (pr->generated)
				show_passphrase(pr->pass);
		}
	}
	secret_wipe(pr, sizeof *pr);
	free(pr);
	export_issues_done(&issues);
	return rc;
}
