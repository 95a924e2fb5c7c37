/* common.c — what the subcommands share: errors on stderr, opening the session, field=value
 * arguments. */
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

/* The long option named exactly name (n bytes), or NULL. */
static const struct option *long_option(const struct option *longopts, const char *name, size_t n)
{
	for (const struct option *o = longopts; o->name; o++)
		if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

/* A long option that starts with name (n bytes): what the person may have meant. */
static const struct option *long_option_prefixed(const struct option *longopts, const char *name, size_t n)
{
	for (const struct option *o = longopts; o->name; o++)
		if (strncmp(o->name, name, n) == 0)
			return o;
	return NULL;
}

/* Check one "--name[=value]" argument; *skip set when its value is the next argument. */
static bool long_ok(const struct option *longopts, const char *arg, bool last, bool *skip)
{
	const char *name = arg + 2;
	size_t n = strcspn(name, "=");
	bool has_value = name[n] == '=';
	const struct option *o = long_option(longopts, name, n);
	if (!o) {
		const struct option *near = n ? long_option_prefixed(longopts, name, n) : NULL;
		if (near)
			cli_error("option « --%.*s » inconnue : les options s'écrivent en entier (--%s ?)",
			          (int)n, name, near->name);
		else
			cli_error("option « --%.*s » inconnue", (int)n, name);
		return false;
	}
	if (o->has_arg == no_argument && has_value) {
		cli_error("l'option --%s ne prend pas de valeur", o->name);
		return false;
	}
	if (o->has_arg == required_argument && !has_value) {
		if (last) {
			cli_error("l'option --%s attend une valeur", o->name);
			return false;
		}
		*skip = true;
	}
	return true;
}

/* Check one cluster of short options "-xyz"; *skip set when its last option's value is the next
 * argument. */
static bool short_ok(const char *shortopts, const char *arg, bool last, bool *skip)
{
	for (const char *p = arg + 1; *p; p++) {
		const char *spec = *p != ':' && *p != '+' ? strchr(shortopts, *p) : NULL;
		if (!spec) {
			cli_error("option « -%c » inconnue", (unsigned char)*p >= 0x20 ? *p : '?');
			return false;
		}
		if (spec[1] == ':') { /* the rest of the cluster, or the next argument, is its value */
			if (!p[1] && last) {
				cli_error("l'option -%c attend une valeur", *p);
				return false;
			}
			*skip = !p[1];
			return true;
		}
	}
	return true;
}

/* Every option of argv, as cli_getopt says. */
static bool options_ok(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	bool stop_at_operand = shortopts[0] == '+';
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		bool skip = false, ok = true;
		if (strcmp(arg, "--") == 0)
			break;
		if (arg[0] != '-' || arg[1] == '\0') {
			if (stop_at_operand)
				break;
			continue;
		}
		if (arg[1] == '-')
			ok = long_ok(longopts, arg, i + 1 == argc, &skip);
		else
			ok = short_ok(shortopts, arg, i + 1 == argc, &skip);
		if (!ok)
			return false;
		i += skip;
	}
	return true;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	static char **checked; /* the argv whose options were checked */
	if (optind == 0 || !checked || argv != checked) {
		checked = argv;
		if (!options_ok(argc, argv, shortopts, longopts)) {
			optind = argc; /* nothing more to read */
			return '?';
		}
	}
	opterr = 0;
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

int cli_out_option(int argc, char **argv, const char *usage, int n_operands, const char **out)
{
	static const struct option opts[] = {
	    {"out", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	*out = NULL;
	int c;
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'o')
			*out = optarg;
		else if (c == 'h')
			return fputs(usage, stdout), -1;
		else
			return fputs(usage, stderr), EXIT_USAGE;
	}
	if (argc - optind != n_operands || !*out || !**out)
		return fputs(usage, stderr), EXIT_USAGE;
	return 0;
}

int cli_fail(int rc, char *why)
{
	if (why)
		cli_error("%s", why);
	free(why);
	return rc;
}

void cli_print_lines(const char *text, FILE *f)
{
	char *copy = xstrdup(text ? text : "");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		fputs_safe(line, f);
		fputc('\n', f);
	}
	free(copy);
}

int cli_load_forms(session *ses)
{
	char *errors = NULL;
	int rc = session_load_forms(ses, &errors);
	if (rc) /* one problem per line */
		cli_print_lines(errors, stderr);
	free(errors);
	return rc;
}

int cli_open(session *ses, perm p)
{
	int rc = cli_load_forms(ses);
	if (rc)
		return rc;
	char *why = NULL;
	rc = session_open(ses, p, &why);
	return cli_fail(rc, why);
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

int cli_date_arg(const char *text, long *day)
{
	if (date_nonexistent(text)) {
		cli_error("--date : date inexistante : %s", text);
		return EXIT_DATAERR;
	}
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

int cli_format_and_period(const char *format, const char *period_text, bool *csv, period *p)
{
	*csv = strcmp(format, "csv") == 0;
	if (!*csv && strcmp(format, "text") != 0) {
		cli_error("format « %s » inconnu : text ou csv", format);
		return EXIT_USAGE;
	}
	char *why = NULL;
	if (period_text && !period_parse(period_text, p, &why)) {
		cli_error("--period : %s", why);
		free(why);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_deadline_period(session *ses, period *p, long *due)
{
	deadline d;
	if (!deadline_next(ses->fs->reporting, date_today(), &d)) {
		cli_error("aucune échéance dans reporting.yaml : préciser la période avec --period");
		return EXIT_USAGE;
	}
	*p = d.covers;
	*due = d.due;
	return 0;
}
