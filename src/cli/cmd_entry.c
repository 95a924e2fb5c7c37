/* cmd_entry.c — recueil entry add|edit|show|list|delete. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/record.h"

static const char usage[] =
    "Usage : recueil entry add PATIENT FORMULAIRE [--date AAAA-MM-JJ] [--draft]\n"
    "                          [--confirm champ=raison…] [champ=valeur…]\n"
    "        recueil entry edit ENTRÉE [--date AAAA-MM-JJ] [--confirm champ=raison…] [champ=valeur…]\n"
    "        recueil entry show ENTRÉE\n"
    "        recueil entry list PATIENT\n"
    "        recueil entry delete ENTRÉE\n"
    "Valeurs : oui/non en 1/0, un choix par son code, une date en AAAA-MM-JJ, un nombre avec un\n"
    "point décimal ; .refus, .nsp ou .non_demande pour une réponse manquante expliquée ;\n"
    "champ= (vide) efface la valeur. Une entrée sans ses réponses obligatoires est gardée\n"
    "« incomplete » ; une valeur invalide est refusée (code 65) avec la règle en cause.\n";

typedef struct {
	const char *date;
	bool draft;
	confirmation conf[64];
	char *conf_field[64];
	size_t n_conf;
	int nargs;
	char **args;
} entry_opts;

static int parse_opts(int argc, char **argv, entry_opts *o, bool allow_draft)
{
	static const struct option opts[] = {
	    {"date", required_argument, NULL, 'd'},
	    {"draft", no_argument, NULL, 'D'},
	    {"confirm", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->date = optarg;
			break;
		case 'D':
			if (!allow_draft)
				return fputs(usage, stderr), EXIT_USAGE;
			o->draft = true;
			break;
		case 'c': {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1] || o->n_conf == 64) {
				cli_error("--confirm : champ=raison attendu, trouvé « %s »", optarg);
				return EXIT_USAGE;
			}
			o->conf_field[o->n_conf] = xstrndup(optarg, (size_t)(eq - optarg));
			o->conf[o->n_conf++].reason = eq + 1;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	o->nargs = argc - optind;
	o->args = argv + optind;
	return 0;
}

static void opts_done(entry_opts *o)
{
	for (size_t i = 0; i < o->n_conf; i++)
		free(o->conf_field[i]);
}

/* Resolve --confirm field names against the form. */
static int resolve_confirms(const form *f, entry_opts *o)
{
	for (size_t i = 0; i < o->n_conf; i++) {
		long idx = form_field_index(f, o->conf_field[i]);
		if (idx < 0) {
			cli_error("--confirm : champ inconnu « %s » dans le formulaire %s", o->conf_field[i],
			          f->id);
			return EXIT_DATAERR;
		}
		o->conf[i].field = (size_t)idx;
	}
	return 0;
}

static int parse_date(const char *text, long *day)
{
	if (!date_parse(text, day)) {
		cli_error("--date : date AAAA-MM-JJ attendue, trouvé « %s »", text);
		return EXIT_DATAERR;
	}
	if (*day > date_today()) {
		cli_error("--date : %s est dans le futur", text);
		return EXIT_DATAERR;
	}
	return 0;
}

/* Fill r from the arguments, check it and save it; prints the outcome. */
static int fill_and_save(cli_ctx *ctx, record *r, entry_meta *meta, entry_opts *o, int nfields, char **fields)
{
	int rc = resolve_confirms(r->f, o);
	if (!rc)
		rc = cli_set_fields(r, nfields, fields);
	if (rc)
		return rc;
	record_compute(r);
	if ((rc = cli_report_issues(r, o->conf, o->n_conf, NULL, nfields, fields)))
		return rc;
	char *why = NULL;
	if ((rc = store_entry_save(ctx->st, r, meta, o->draft, o->conf, o->n_conf, ctx->login, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

static int entry_add(cli_ctx *ctx, int argc, char **argv)
{
	entry_opts o = {0};
	int rc = parse_opts(argc, argv, &o, true);
	if (rc)
		return opts_done(&o), rc < 0 ? 0 : rc;
	if (o.nargs < 2) {
		opts_done(&o);
		return fputs(usage, stderr), EXIT_USAGE;
	}
	long day = date_today();
	if ((o.date && (rc = parse_date(o.date, &day))) || (rc = cli_open(ctx, "saisie")))
		return opts_done(&o), rc;
	entry_meta meta = {0};
	meta.patient_id = store_patient_find(ctx->st, o.args[0], meta.pseudonym);
	const form *f = formset_form(ctx->fs, o.args[1]);
	char existing[37];
	if (!meta.patient_id) {
		cli_patient_not_found(o.args[0]);
		rc = EXIT_NOINPUT;
	} else if (!f) {
		cli_error("formulaire inconnu « %s » (voir « recueil forms list »)", o.args[1]);
		rc = EXIT_DATAERR;
	} else if (f->cardinality == CARD_ONCE &&
	           store_once_entry(ctx->st, meta.patient_id, f->id, existing)) {
		cli_error("le formulaire %s se remplit une seule fois par patient : modifier l'entrée "
		          "existante avec "
		          "« recueil entry edit %s »",
		          f->id, existing);
		rc = EXIT_DATAERR;
	}
	if (!rc) {
		record *r = record_new(ctx->fs, f, day);
		r->patient = store_patient_record(ctx->st, ctx->fs, meta.patient_id);
		r->owns_patient = true;
		record_apply_defaults(r);
		rc = fill_and_save(ctx, r, &meta, &o, o.nargs - 2, o.args + 2);
		if (!rc)
			printf("%s\n", meta.uuid);
		record_free(r);
	}
	opts_done(&o);
	return rc;
}

static int entry_edit(cli_ctx *ctx, int argc, char **argv)
{
	entry_opts o = {0};
	int rc = parse_opts(argc, argv, &o, false);
	if (rc)
		return opts_done(&o), rc < 0 ? 0 : rc;
	if (o.nargs < 1) {
		opts_done(&o);
		return fputs(usage, stderr), EXIT_USAGE;
	}
	long day = 0;
	if ((o.date && (rc = parse_date(o.date, &day))) || (rc = cli_open(ctx, "saisie")))
		return opts_done(&o), rc;
	entry_meta meta;
	char *why = NULL;
	record *r = store_entry_load(ctx->st, ctx->fs, o.args[0], &meta, &why, &rc);
	if (!r) {
		cli_error("%s", why);
		free(why);
		return opts_done(&o), rc;
	}
	if (o.date)
		r->date = day;
	rc = fill_and_save(ctx, r, &meta, &o, o.nargs - 1, o.args + 1);
	if (!rc)
		printf("%s\n", meta.uuid);
	record_free(r);
	opts_done(&o);
	return rc;
}

static int entry_show(cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ctx, NULL);
	if (rc)
		return rc;
	entry_meta meta;
	char *why = NULL;
	record *r = store_entry_load(ctx->st, ctx->fs, argv[1], &meta, &why, &rc);
	if (!r) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	size_t masked = 0;
	for (size_t i = 0; i < r->f->n_fields; i++) {
		const field *fd = &r->f->fields[i];
		const fvalue *fv = &r->vals[i];
		if (fd->type == FT_NOTE)
			continue;
		printf("%s=", fd->id);
		if (fd->identifier && !role_sees_identity(ctx->role) && (fv->text || fv->missing)) {
			masked++;
			fputs("(masqué)", stdout);
		} else if (fv->visible && fv->text)
			fputs_safe(fv->text, stdout);
		else if (fv->visible && fv->missing)
			fputs(missing_code_name(fv->missing), stdout);
		putchar('\n');
	}
	if (masked)
		cli_error("%zu donnée(s) d'identité masquée(s) pour le rôle %s", masked, ctx->role);
	record_free(r);
	return 0;
}

typedef struct {
	cli_ctx *ctx;
} list_ctx;

static void list_one(void *vctx, const entry_meta *m)
{
	list_ctx *lc = vctx;
	char *why = NULL;
	int code;
	entry_meta meta;
	record *r = store_entry_load(lc->ctx->st, lc->ctx->fs, m->uuid, &meta, &why, &code);
	char *summary = r ? record_summary(r, "fr") : xstrdup("(formulaire absent)");
	printf("%s\t%s\t%s\t%s\t", m->uuid, m->date, m->form, m->status);
	fputs_safe(summary, stdout);
	putchar('\n');
	free(summary);
	free(why);
	record_free(r);
}

static int entry_list(cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ctx, NULL);
	if (rc)
		return rc;
	int64_t pid = store_patient_find(ctx->st, argv[1], NULL);
	if (!pid) {
		cli_patient_not_found(argv[1]);
		return EXIT_NOINPUT;
	}
	list_ctx lc = {ctx};
	char *why = NULL;
	if ((rc = store_entry_each(ctx->st, pid, list_one, &lc, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

static int entry_delete(cli_ctx *ctx, int argc, char **argv)
{
	if (argc != 2)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ctx, "saisie");
	char *why = NULL;
	if (!rc && (rc = store_entry_delete(ctx->st, ctx->fs, argv[1], ctx->login, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

int cmd_entry(cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(cli_ctx *, int, char **);
	} subs[] = {
	    {"add", entry_add},   {"edit", entry_edit},     {"show", entry_show},
	    {"list", entry_list}, {"delete", entry_delete},
	};
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (strcmp(argv[1], subs[i].name) == 0) {
			for (int k = 2; k < argc; k++)
				if (strcmp(argv[k], "--help") == 0)
					return fputs(usage, stdout), 0;
			return subs[i].fn(ctx, argc - 1, argv + 1);
		}
	cli_error("sous-commande inconnue « entry %s »", argv[1]);
	return EXIT_USAGE;
}
