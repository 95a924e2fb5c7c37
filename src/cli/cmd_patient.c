/* cmd_patient.c — recueil patient add|list. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/record.h"

static const char usage[] =
    "Usage : recueil patient add [champ=valeur…]\n"
    "        recueil patient list [--search TEXTE]\n"
    "add crée un patient avec un pseudonyme tiré au hasard (affiché) et enregistre\n"
    "les champs du formulaire patient donnés (voir « recueil forms list patient »).\n";

static int patient_add(cli_ctx *ctx, int argc, char **argv)
{
	int rc = cli_open(ctx, "saisie");
	if (rc)
		return rc;
	const form *pf = formset_form(ctx->fs, "patient");
	if (!pf) {
		cli_error("le dossier des formulaires n'a pas de formulaire « patient »");
		return EXIT_DATAERR;
	}
	record *r = record_new(ctx->fs, pf, date_today());
	record_apply_defaults(r);
	rc = cli_set_fields(r, argc - 1, argv + 1);
	if (!rc) {
		record_compute(r);
		rc = cli_report_issues(r, NULL, 0, NULL, argc - 1, argv + 1);
	}
	char *why = NULL;
	entry_meta meta = {0};
	/* The patient and their own record are created together or not at all. */
	if (!rc && !(rc = store_batch_begin(ctx->st, &why))) {
		if (!(rc = store_patient_create(ctx->st, ctx->login, meta.pseudonym, &meta.patient_id, &why)))
			rc = store_entry_save(ctx->st, r, &meta, false, NULL, 0, ctx->login, &why);
		char *end_why = NULL;
		int end = store_batch_end(ctx->st, rc == 0, &end_why);
		if (!rc && end) {
			rc = end;
			free(why);
			why = end_why;
		} else {
			free(end_why);
		}
	}
	if (rc && why)
		cli_error("%s", why);
	else if (!rc)
		printf("%s\n", meta.pseudonym);
	free(why);
	record_free(r);
	return rc;
}

typedef struct {
	const char *search;
	bool show_identity;
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

static const char *text_of(const record *r, const char *id)
{
	long i = r ? form_field_index(r->f, id) : -1;
	return i >= 0 && r->vals[i].text ? r->vals[i].text : "";
}

static void list_one(void *vctx, int64_t id, const char *pseudo, const record *r)
{
	(void)id;
	list_ctx *lc = vctx;
	if (lc->search && *lc->search) {
		bool match = contains_folded(pseudo, lc->search);
		for (size_t i = 0; r && !match && lc->show_identity && i < r->f->n_fields; i++)
			if (r->f->fields[i].identifier && r->f->fields[i].type == FT_TEXT)
				match = contains_folded(r->vals[i].text, lc->search);
		if (!match)
			return;
	}
	lc->shown++;
	printf("%s\t%s\t%s\t%s", pseudo, text_of(r, "sexe"), text_of(r, "annee_naissance"),
	       text_of(r, "date_inclusion"));
	if (lc->show_identity && r) {
		putchar('\t');
		fputs_safe(text_of(r, "nom"), stdout);
		putchar(' ');
		fputs_safe(text_of(r, "prenom"), stdout);
	}
	putchar('\n');
}

static int patient_list(cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"search", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	list_ctx lc = {0};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 's')
			lc.search = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), 0;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (optind != argc)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ctx, NULL);
	if (rc)
		return rc;
	lc.show_identity = role_sees_identity(ctx->role);
	char *why = NULL;
	if ((rc = store_patient_each(ctx->st, ctx->fs, list_one, &lc, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

int cmd_patient(cli_ctx *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "add") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0)
				return fputs(usage, stdout), 0;
		return patient_add(ctx, argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "list") == 0)
		return patient_list(ctx, argc - 1, argv + 1);
	cli_error("sous-commande inconnue « patient %s »", argv[1]);
	return EXIT_USAGE;
}
