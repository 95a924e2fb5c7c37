/* common.c — what the subcommands share: opening, access rules, field=value arguments. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/record.h"

/* The line of a batch being processed (cli_error_line), 0 outside a batch. */
static unsigned long error_line;

void cli_error_line(unsigned long lineno)
{
	error_line = lineno;
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	fputs("recueil: ", stderr);
	if (error_line)
		fprintf(stderr, "ligne %lu : ", error_line);
	fputs_safe(msg, stderr);
	fputc('\n', stderr);
	free(msg);
}

int cli_load_forms(cli_ctx *ctx)
{
	if (ctx->fs)
		return 0;
	char *errors = NULL;
	ctx->fs = formset_load_dir(ctx->forms_dir, &errors);
	if (!ctx->fs) {
		/* One problem per line; each line is cleaned of control characters. */
		char *save = NULL;
		for (char *line = strtok_r(errors, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			fputs_safe(line, stderr);
			fputc('\n', stderr);
		}
		free(errors);
		return EXIT_DATAERR;
	}
	return 0;
}

bool role_sees_identity(const char *role)
{
	return strcmp(role, "saisie") == 0 || strcmp(role, "admin") == 0;
}

bool role_at_least(const char *role, const char *min)
{
	static const char *const order[] = {"saisie", "coordination", "admin"};
	int r = -1, m = -1;
	for (int i = 0; i < 3; i++) {
		if (strcmp(role, order[i]) == 0)
			r = i;
		if (strcmp(min, order[i]) == 0)
			m = i;
	}
	return r >= 0 && r >= m;
}

int cli_open(cli_ctx *ctx, const char *min_role)
{
	int rc = cli_load_forms(ctx);
	if (rc)
		return rc;
	char *why = NULL;
	ctx->st = store_open(ctx->db_path, STORE_OPEN_EXISTING, &why, &rc);
	if (!ctx->st) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	if (!store_user_role(ctx->st, ctx->login, ctx->role)) {
		store_log_refusal(ctx->st, ctx->login, "accès d'un utilisateur non inscrit");
		char *admins = store_admins(ctx->st);
		cli_error(
		    "utilisateur « %s » non inscrit dans cette base : demander à un administrateur (%s) de "
		    "lancer « recueil user add %s --role saisie »",
		    ctx->login, *admins ? admins : "aucun", ctx->login);
		free(admins);
		return EXIT_NOPERM;
	}
	if (min_role && !role_at_least(ctx->role, min_role)) {
		char *what = xasprintf("« %s » réservé au rôle %s (rôle %s)",
		                       ctx->command ? ctx->command : "?", min_role, ctx->role);
		store_log_refusal(ctx->st, ctx->login, what);
		free(what);
		cli_error(
		    "action réservée au rôle %s ou supérieur (vous êtes %s) : demander à un administrateur",
		    min_role, ctx->role);
		return EXIT_NOPERM;
	}
	if ((rc = store_sync_forms(ctx->st, ctx->fs, ctx->login, &why))) {
		cli_error("%s", why);
		free(why);
		return rc;
	}
	return 0;
}

void cli_done(cli_ctx *ctx)
{
	store_close(ctx->st);
	formset_free(ctx->fs);
	free(ctx->default_db);
}

int cli_set_fields(record *r, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			cli_error("« %s » : champ=valeur attendu", argv[i]);
			return EXIT_USAGE;
		}
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		long idx = form_field_index(r->f, name);
		if (idx < 0) {
			cli_error("champ inconnu « %s » dans le formulaire %s (voir « recueil forms list »)",
			          name, r->f->id);
			free(name);
			return EXIT_DATAERR;
		}
		free(name);
		char *why = NULL;
		if (!record_set(r, (size_t)idx, eq + 1, &why)) {
			cli_error("%s", why);
			free(why);
			return EXIT_DATAERR;
		}
	}
	return 0;
}

int cli_report_issues(const record *r, const confirmation *conf, size_t n_conf, bool *had_given, int argc,
                      char **argv)
{
	(void)had_given;
	issue *iss = NULL;
	size_t n = record_check(r, &iss);
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		if (iss[i].kind == ISSUE_ERROR) {
			cli_error("%s", iss[i].message);
			rc = EXIT_DATAERR;
		}
	if (!rc) {
		for (size_t i = 0; i < n; i++) {
			if (iss[i].kind != ISSUE_WARNING)
				continue;
			bool confirmed = false;
			for (size_t k = 0; k < n_conf; k++)
				confirmed |= conf[k].field == iss[i].field;
			if (!confirmed)
				cli_error(
				    "attention : %s (valeur gardée, à confirmer avec --confirm %s=RAISON)",
				    iss[i].message, r->f->fields[iss[i].field].id);
		}
		strbuf missing = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			if (iss[i].kind == ISSUE_REQUIRED)
				strbuf_printf(&missing, "%s%s", missing.len ? ", " : "",
				              r->f->fields[iss[i].field].id);
		if (missing.len)
			cli_error("entrée incomplète : réponses obligatoires manquantes : %s",
			          strbuf_str(&missing));
		strbuf_done(&missing);
		for (int a = 0; a < argc; a++) {
			const char *eq = strchr(argv[a], '=');
			char *name = eq ? xstrndup(argv[a], (size_t)(eq - argv[a])) : NULL;
			long idx = name ? form_field_index(r->f, name) : -1;
			if (idx >= 0 && !r->vals[idx].visible && eq[1])
				cli_error("%s : valeur ignorée, la question n'est pas posée (condition : %s)",
				          name, r->f->fields[idx].show_if_src);
			free(name);
		}
	}
	issues_free(iss, n);
	return rc;
}

void cli_patient_not_found(const char *typed)
{
	if (!pseudonym_plausible(typed))
		cli_error(
		    "« %s » n'est pas un pseudonyme valide (8 caractères dont un de contrôle) : faute de "
		    "frappe ? (voir « recueil patient list »)",
		    typed);
	else
		cli_error("patient « %s » introuvable (voir « recueil patient list »)", typed);
}
