/* cmd_entry.c — recueil entry add|edit|show|list|delete, and entry add --batch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/record.h"

static const char usage[] =
    "Usage : recueil entry add PATIENT FORMULAIRE [--date AAAA-MM-JJ] [--draft]\n"
    "                          [--confirm champ=raison…] [champ=valeur…]\n"
    "        recueil entry add FORMULAIRE [--date AAAA-MM-JJ] [--draft] [--set champ=valeur…]\n"
    "                          (formulaire de la structure, scope: structure : sans patient)\n"
    "        recueil entry add --batch FICHIER|-\n"
    "        recueil entry edit ENTRÉE [--date AAAA-MM-JJ] [--confirm champ=raison…] [champ=valeur…]\n"
    "        recueil entry show ENTRÉE\n"
    "        recueil entry list PATIENT | --form FORMULAIRE\n"
    "        recueil entry delete ENTRÉE        (rôle admin)\n"
    "Valeurs : oui/non en 1/0, un choix par son code, une date en AAAA-MM-JJ, un nombre avec un\n"
    "point décimal ; .refus, .nsp ou .non_demande pour une réponse manquante expliquée ;\n"
    "champ= (vide) efface la valeur ; --set champ=valeur est une autre façon de l'écrire.\n"
    "Une entrée sans ses réponses obligatoires est gardée\n"
    "« incomplete » ; une valeur invalide est refusée (code 65) avec la règle en cause.\n"
    "--batch : une entrée par ligne du fichier (- : l'entrée standard), écrite comme les\n"
    "arguments de « entry add » : PATIENT FORMULAIRE [--date …] [champ=valeur…] ; une valeur\n"
    "avec des espaces entre \"…\" (\\\" et \\\\ dedans) ou '…' ; lignes vides et lignes « # … »\n"
    "ignorées. Chaque entrée est enregistrée à part et son identifiant affiché ; une ligne\n"
    "refusée est signalée « ligne N : … » et les suivantes sont traitées (code 65 à la fin).\n";

typedef struct {
	const char *date;
	const char *batch; /* --batch FILE|- */
	bool draft;
	confirmation conf[64];
	char *conf_field[64];
	size_t n_conf;
	char **set; /* the values given with --set, before those given as arguments */
	int n_set;
	int nargs;
	char **args;
} entry_opts;

/* What parse_opts accepts: the options of entry edit, of entry add, or of one line of a batch
 * (entry add's, less --batch and --help; a bad option is one line on stderr, not the usage). */
typedef enum { OPTS_EDIT, OPTS_ADD, OPTS_BATCH_LINE } opts_kind;

/* Parse argv (argv[0] the subcommand's name) into o. Returns 0, -1 after printing the help
 * (--help), or an exit code after printing the error. o borrows argv's strings. */
static int parse_opts(int argc, char **argv, entry_opts *o, opts_kind kind)
{
	static const struct option opts[] = {
	    {"date", required_argument, NULL, 'd'},
	    {"draft", no_argument, NULL, 'D'},
	    {"confirm", required_argument, NULL, 'c'},
	    {"batch", required_argument, NULL, 'b'},
	    {"set", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0, 0, 0, 0},
	};
	bool line = kind == OPTS_BATCH_LINE;
	int c;
	optind = 0; /* glibc: restart the scan, so that every batch line is parsed afresh */
	while ((c = cli_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'd':
			o->date = optarg;
			break;
		case 'D':
			if (kind == OPTS_EDIT)
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
		case 's':
			o->set = xrealloc(o->set, ((size_t)o->n_set + 1) * sizeof *o->set);
			o->set[o->n_set++] = optarg;
			break;
		case 'b':
			if (kind != OPTS_ADD) {
				cli_error("--batch : pas dans une ligne de lot");
				return EXIT_USAGE;
			}
			o->batch = optarg;
			break;
		case 'h':
			if (line) {
				cli_error("--help : pas dans une ligne de lot");
				return EXIT_USAGE;
			}
			fputs(usage, stdout);
			return -1;
		default: /* cli_getopt said what is wrong, in one line */
			if (!line)
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
	free(o->set);
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

/* Fill r from the arguments, check it and save it; prints the outcome. */
static int fill_and_save(session *ses, record *r, entry_meta *meta, entry_opts *o, int nargs, char **args)
{
	/* The --set values first, then the field=value arguments. */
	int nfields = o->n_set + nargs;
	char **fields = xcalloc((size_t)nfields + 1, sizeof *fields);
	for (int i = 0; i < nfields; i++)
		fields[i] = i < o->n_set ? o->set[i] : args[i - o->n_set];
	int rc = resolve_confirms(r->f, o);
	if (!rc)
		rc = cli_set_fields(r, nfields, fields);
	if (!rc) {
		record_compute(r);
		rc = cli_report_issues(r, o->conf, o->n_conf, NULL, nfields, fields);
	}
	free(fields);
	char *why = NULL;
	if (!rc &&
	    (rc = store_entry_save(ses->db, r, meta, o->draft, o->conf, o->n_conf, ses->login, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

/* Whether a patient's entry of form f (NULL: o->args[1] names no form) may be added for the
 * patient meta names (0: none found); prints why not and returns its exit code. */
static int patient_entry_allowed(session *ses, const entry_meta *meta, const form *f, const entry_opts *o)
{
	char existing[37];
	if (!meta->patient_id) {
		cli_patient_not_found(o->args[0]);
		return EXIT_NOINPUT;
	}
	if (!f) {
		cli_error("formulaire inconnu « %s » (voir « recueil forms list »)", o->args[1]);
		return EXIT_DATAERR;
	}
	if (f->scope == SCOPE_STRUCTURE) {
		cli_error("%s est un formulaire de la structure, sans patient : « recueil entry add %s "
		          "[champ=valeur…] »",
		          f->id, f->id);
		return EXIT_USAGE;
	}
	if (f->cardinality == CARD_ONCE && store_once_entry(ses->db, meta->patient_id, f->id, existing)) {
		cli_error("le formulaire %s se remplit une seule fois par patient : modifier l'entrée "
		          "existante avec « recueil entry edit %s »",
		          f->id, existing);
		return EXIT_DATAERR;
	}
	return 0;
}

/* The arguments of entry add, parsed (PATIENT FORM [field=value…] in o->args, or FORM
 * [field=value…] for a form of the structure), saved as a new entry of day into the open
 * database; prints its id on stdout, or the error on stderr and returns its exit code. Both the
 * command and each line of a batch come here. */
static int add_parsed(session *ses, entry_opts *o, long day)
{
	int rc = 0;
	entry_meta meta = {0};
	const form *f = formset_form(ses->fs, o->args[0]);
	int first = 1; /* the first field=value argument */
	if (!f || f->scope != SCOPE_STRUCTURE) {
		/* A patient's entry; a form of the structure has no patient: its fields come first. */
		if (o->nargs < 2) {
			cli_error("PATIENT FORMULAIRE attendu après « %s » (ou un formulaire de la structure "
			          "seul)",
			          o->args[0]);
			return EXIT_USAGE;
		}
		first = 2;
		meta.patient_id = store_patient_find(ses->db, o->args[0], meta.pseudonym);
		f = formset_form(ses->fs, o->args[1]);
		rc = patient_entry_allowed(ses, &meta, f, o);
	}
	if (!rc) {
		record *r = record_new(ses->fs, f, day);
		if (meta.patient_id) {
			r->patient = store_patient_record(ses->db, ses->fs, meta.patient_id);
			r->owns_patient = true;
		}
		record_apply_defaults(r);
		rc = fill_and_save(ses, r, &meta, o, o->nargs - first, o->args + first);
		if (!rc)
			printf("%s\n", meta.uuid);
		record_free(r);
	}
	return rc;
}

/* ------------------------------------------------------------ entry add --batch */

/* Split one batch line into words, in place, the way sh does for these cases: blanks (space,
 * tab) separate words; "…" groups, with \" and \\ inside standing for " and \ (any other
 * backslash is kept); '…' groups with no escape at all; a backslash outside quotes takes the
 * next character as it is. Quotes may start or end inside a word: note="deux mots" is the word
 * note=deux mots, and "" an empty word. Nothing else is special ($, *, ~, # inside a line).
 * Returns the number of words, their starts in *words (caller frees the array, the words live
 * in line), or -1 with *why (static text) on an unclosed quote or a final backslash. */
static int split_words(char *line, char ***words, const char **why)
{
	char **v = NULL;
	int n = 0;
	char *r = line, *w = line;
	*words = NULL;
	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (!*r)
			break;
		v = xrealloc(v, ((size_t)n + 1) * sizeof *v);
		v[n++] = w;
		char quote = 0;
		for (; *r && (quote || (*r != ' ' && *r != '\t')); r++) {
			if (quote == '\'') {
				if (*r == '\'')
					quote = 0;
				else
					*w++ = *r;
			} else if (quote == '"') {
				if (*r == '"')
					quote = 0;
				else if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					*w++ = *++r;
				else
					*w++ = *r;
			} else if (*r == '"' || *r == '\'') {
				quote = *r;
			} else if (*r == '\\') {
				if (!r[1]) {
					*why = "barre oblique inverse en fin de ligne";
					return free(v), -1;
				}
				*w++ = *++r;
			} else {
				*w++ = *r;
			}
		}
		if (quote) {
			*why = quote == '"' ? "guillemet \" non fermé" : "apostrophe ' non fermée";
			return free(v), -1;
		}
		/* r is at a blank or at the end, and w <= r: ending the word here loses nothing. */
		if (*r)
			r++;
		*w++ = '\0';
	}
	*words = v;
	return n;
}

/* One batch line: parsed like entry add's arguments and saved. Returns 0 or the exit code of
 * the failure, whose messages are printed. */
static int batch_line(session *ses, char *text)
{
	char **words;
	const char *why;
	int n = split_words(text, &words, &why);
	if (n < 0) {
		cli_error("%s", why);
		return EXIT_USAGE;
	}
	char **argv = xmalloc(((size_t)n + 2) * sizeof *argv);
	argv[0] = "add";
	if (n > 0) /* words is NULL for a line without words, and memcpy's pointers must be valid */
		memcpy(argv + 1, words, (size_t)n * sizeof *words);
	argv[n + 1] = NULL;
	free(words);
	entry_opts o = {0};
	int rc = parse_opts(n + 1, argv, &o, OPTS_BATCH_LINE);
	long day = date_today();
	if (!rc && o.nargs < 1) {
		cli_error("PATIENT FORMULAIRE [--date AAAA-MM-JJ] [champ=valeur…] attendu");
		rc = EXIT_USAGE;
	}
	if (!rc && !(o.date && (rc = cli_date_arg(o.date, &day))))
		rc = add_parsed(ses, &o, day);
	opts_done(&o);
	free(argv);
	return rc;
}

/* entry add --batch FILE|-: the forms loaded and the database opened once, then each line
 * saved as entry add would save it, in its own transaction (durable, synchronous=FULL, before
 * its id is printed and flushed). A line that is refused (its data: 64, 65, 66) is reported
 * and the next one is read, as a clerk keying a file in would want: the lines that passed are
 * saved, the refused ones are named by number to be fixed and given again; the exit code is
 * then 65. Anything else (database busy, I/O error, permission) stops the batch at that line
 * with its own code. */
static int entry_add_batch(session *ses, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!in) {
		cli_error("%s : %s", path, strerror(errno));
		return errno == ENOENT ? EXIT_NOINPUT : EXIT_IOERR;
	}
	int rc = cli_open(ses, PERM_EDIT_ENTRY);
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0, saved = 0, refused = 0;
	ssize_t len;
	while (!rc && (len = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		const char *p = line + strspn(line, " \t");
		if (!*p && (size_t)len == strlen(line))
			continue; /* blank */
		if (*p == '#')
			continue;
		cli_error_line(lineno); /* each message of this line: "recueil: ligne N : …" */
		int lrc;
		if ((size_t)len != strlen(line)) {
			cli_error("caractère nul dans la ligne");
			lrc = EXIT_DATAERR;
		} else {
			lrc = batch_line(ses, line);
		}
		cli_error_line(0);
		if (!lrc) {
			saved++;
			if (fflush(stdout) != 0) {
				cli_error("écriture de la sortie impossible");
				rc = EXIT_IOERR;
			}
		} else if (lrc == EXIT_USAGE || lrc == EXIT_DATAERR || lrc == EXIT_NOINPUT) {
			refused++;
		} else {
			cli_error("lot arrêté à la ligne %lu : les lignes suivantes ne sont pas traitées",
			          lineno);
			rc = lrc;
		}
	}
	if (!rc && ferror(in)) {
		cli_error("%s : lecture impossible après la ligne %lu", path, lineno);
		rc = EXIT_IOERR;
	}
	free(line);
	if (in != stdin)
		fclose(in);
	if (refused)
		cli_error("%lu ligne(s) refusée(s), %lu entrée(s) enregistrée(s)", refused, saved);
	return rc ? rc : refused ? EXIT_DATAERR : 0;
}

static int entry_add(session *ses, int argc, char **argv)
{
	entry_opts o = {0};
	int rc = parse_opts(argc, argv, &o, OPTS_ADD);
	if (rc)
		return opts_done(&o), rc < 0 ? 0 : rc;
	if (o.batch) {
		/* The lines carry everything: nothing else on the command line. */
		bool alone = o.nargs == 0 && !o.date && !o.draft && !o.n_conf && !o.n_set;
		opts_done(&o);
		return alone ? entry_add_batch(ses, o.batch) : (fputs(usage, stderr), EXIT_USAGE);
	}
	if (o.nargs < 1) {
		opts_done(&o);
		return fputs(usage, stderr), EXIT_USAGE;
	}
	long day = date_today();
	char *why = NULL;
	if ((o.date && (rc = cli_date_arg(o.date, &day))) || (rc = cli_open(ses, PERM_EDIT_ENTRY)) ||
	    (rc = store_refuse_in_region(ses->db, "recueil entry add", &why)))
		return opts_done(&o), cli_fail(rc, why);
	rc = add_parsed(ses, &o, day);
	opts_done(&o);
	return rc;
}

static int entry_edit(session *ses, int argc, char **argv)
{
	entry_opts o = {0};
	int rc = parse_opts(argc, argv, &o, OPTS_EDIT);
	if (rc)
		return opts_done(&o), rc < 0 ? 0 : rc;
	if (o.nargs < 1) {
		opts_done(&o);
		return fputs(usage, stderr), EXIT_USAGE;
	}
	long day = 0;
	if ((o.date && (rc = cli_date_arg(o.date, &day))) || (rc = cli_open(ses, PERM_EDIT_ENTRY)))
		return opts_done(&o), rc;
	entry_meta meta;
	char *why = NULL;
	record *r = store_entry_load(ses->db, ses->fs, o.args[0], &meta, &why, &rc);
	if (!r) {
		cli_error("%s", why);
		free(why);
		return opts_done(&o), rc;
	}
	if (o.date)
		r->date = day;
	rc = fill_and_save(ses, r, &meta, &o, o.nargs - 1, o.args + 1);
	if (!rc)
		printf("%s\n", meta.uuid);
	record_free(r);
	opts_done(&o);
	return rc;
}

static int entry_show(session *ses, int argc, char **argv)
{
	if (argc != 2)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	entry_meta meta;
	char *why = NULL;
	record *r = store_entry_load(ses->db, ses->fs, argv[1], &meta, &why, &rc);
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
		if (!session_shows_field(ses, fd) && (fv->text || fv->missing)) {
			masked++;
			fputs("(masqué)", stdout);
		} else if (fv->visible && fv->text)
			fputs_safe(fv->text, stdout);
		else if (fv->visible && fv->missing)
			fputs(missing_code_name(fv->missing), stdout);
		putchar('\n');
	}
	/* Not a field=value line: a script reading the fields skips it as a comment. */
	if (meta.self_filled_at[0]) {
		fputs("# rempli par le patient le ", stdout);
		fputs_safe(meta.self_filled_at, stdout);
		putchar('\n');
	}
	if (masked)
		cli_error("%zu donnée(s) d'identité masquée(s) pour le rôle %s", masked, ses->role);
	record_free(r);
	return 0;
}

typedef struct {
	session *ses;
} list_ctx;

static void list_one(void *vctx, const entry_meta *m)
{
	list_ctx *lc = vctx;
	char *why = NULL;
	int code;
	entry_meta meta;
	record *r = store_entry_load(lc->ses->db, lc->ses->fs, m->uuid, &meta, &why, &code);
	char *summary = r ? session_summary(lc->ses, r, "fr") : xstrdup("(formulaire absent)");
	printf("%s\t%s\t%s\t%s\t", m->uuid, m->date, m->form, m->status);
	fputs_safe(summary, stdout);
	putchar('\n');
	free(summary);
	free(why);
	record_free(r);
}

static int entry_list(session *ses, int argc, char **argv)
{
	bool by_form = argc == 3 && strcmp(argv[1], "--form") == 0;
	if (argc != 2 && !by_form)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_READ);
	if (rc)
		return rc;
	list_ctx lc = {ses};
	char *why = NULL;
	if (by_form) {
		/* Every entry of a form: the team meetings, or one form's entries across patients. */
		if (!formset_form(ses->fs, argv[2])) {
			cli_error("formulaire inconnu « %s » (voir « recueil forms list »)", argv[2]);
			return EXIT_DATAERR;
		}
		if ((rc = store_entry_each_form(ses->db, argv[2], list_one, &lc, &why)))
			cli_error("%s", why);
		free(why);
		return rc;
	}
	int64_t pid = store_patient_find(ses->db, argv[1], NULL);
	if (!pid) {
		cli_patient_not_found(argv[1]);
		return EXIT_NOINPUT;
	}
	if ((rc = store_entry_each(ses->db, pid, list_one, &lc, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

static int entry_delete(session *ses, int argc, char **argv)
{
	if (argc != 2)
		return fputs(usage, stderr), EXIT_USAGE;
	int rc = cli_open(ses, PERM_DELETE_ENTRY);
	char *why = NULL;
	if (!rc && (rc = store_entry_delete(ses->db, ses->fs, argv[1], ses->login, &why))) {
		cli_error("%s", why);
		free(why);
	}
	return rc;
}

int cmd_entry(session *ses, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(session *, int, char **);
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
			return subs[i].fn(ses, argc - 1, argv + 1);
		}
	cli_error("sous-commande inconnue « entry %s »", argv[1]);
	return EXIT_USAGE;
}
