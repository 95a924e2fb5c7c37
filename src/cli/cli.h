/* cli.h — what every subcommand shares: the options of the whole program, the forms, the
 * database and the person running it. */
#ifndef RECUEIL_CLI_H
#define RECUEIL_CLI_H

#include <stdbool.h>

#include "core/form.h"
#include "core/util.h"
#include "store/store.h"

typedef struct {
	const char *db_path;   /* --db, $RECUEIL_DB, or the XDG default */
	const char *forms_dir; /* --forms, $RECUEIL_FORMS, or the built-in default */
	char login[64];        /* the Unix login running the program */
	char role[16];         /* their role once the database is open, "" before */
	formset *fs;
	store *st;
	char *default_db;    /* storage for the XDG default path */
	const char *command; /* "entry add", for messages and the audit trail */
} cli_ctx;

/* Print "recueil: message" on stderr (one line), "recueil: ligne N : message" while a batch
 * line is processed (cli_error_line). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The line of a batch (entry add --batch) that the next messages are about; 0: none. */
void cli_error_line(unsigned long lineno);

/* Load the forms of ctx->forms_dir; on failure print every problem and return EXIT_DATAERR. */
int cli_load_forms(cli_ctx *ctx);

/* Load the forms, open the existing database, bring its tables in line with the forms and check
 * that the caller is a registered user (any role when min_role is NULL). Prints the error and
 * returns its exit code on failure. */
int cli_open(cli_ctx *ctx, const char *min_role);

/* Whether a role may see the local identity fields (names, phone, notes): the people who
 * meet the patients (saisie) and the admins, not the regional coordination. */
bool role_sees_identity(const char *role);

/* True when role is at least min ("saisie" < "coordination" < "admin"). */
bool role_at_least(const char *role, const char *min);

/* Parse the field=value arguments into r (unknown fields, calculated fields and invalid values
 * are errors that print and return EXIT_DATAERR). */
int cli_set_fields(record *r, int argc, char **argv);

/* Report what record_check found after r was filled: errors (returns EXIT_DATAERR), values given
 * for questions that are not asked, and soft warnings without a reason (printed). */
int cli_report_issues(const record *r, const confirmation *conf, size_t n_conf, bool *had_given, int argc,
                      char **argv);

void cli_done(cli_ctx *ctx);

/* Say that no patient has the pseudonym typed, or that it cannot be one (typo caught by the
 * check character). */
void cli_patient_not_found(const char *typed);

/* Create the database file (and its directories) and register the structure with the caller as
 * admin; leaves ctx->st open. */
int cli_create_database(cli_ctx *ctx, const char *code, const char *name);

/* Subcommands: each gets argv[0] = its own name. */
int cmd_init(cli_ctx *ctx, int argc, char **argv);
int cmd_demo(cli_ctx *ctx, int argc, char **argv);
int cmd_forms(cli_ctx *ctx, int argc, char **argv);
int cmd_patient(cli_ctx *ctx, int argc, char **argv);
int cmd_entry(cli_ctx *ctx, int argc, char **argv);
int cmd_user(cli_ctx *ctx, int argc, char **argv);
int cmd_log(cli_ctx *ctx, int argc, char **argv);
int cmd_alert(cli_ctx *ctx, int argc, char **argv);
int cmd_check(cli_ctx *ctx, int argc, char **argv);

/* The terminal interface (src/ui/), started when no command is given. */
int ui_main(cli_ctx *ctx);

/* Export, verification and backup of the database (cmd_export.c, cmd_verify.c, cmd_backup.c). */
int cmd_export(cli_ctx *ctx, int argc, char **argv);
int cmd_verify(cli_ctx *ctx, int argc, char **argv);
int cmd_backup(cli_ctx *ctx, int argc, char **argv);
int cmd_restore(cli_ctx *ctx, int argc, char **argv);

/* Read a secret from standard input when it is a terminal, without echo, after printing prompt
 * on stderr; at most size - 1 bytes into buf (the caller wipes it). Returns its length, or -1
 * when standard input is not a terminal. */
int cli_read_secret(const char *prompt, char *buf, size_t size);

/* The activity report of a period (cmd_report.c). */
int cmd_report(cli_ctx *ctx, int argc, char **argv);

/* Import of structures' export archives into a regional database (cmd_import.c). */
int cmd_import(cli_ctx *ctx, int argc, char **argv);

#endif
