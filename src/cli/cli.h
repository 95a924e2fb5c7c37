/* cli.h — what every subcommand shares: the session (the forms, the database and the person
 * running the command, see session/session.h), errors printed on stderr, field=value arguments,
 * and the subcommands themselves. */
#ifndef RECUEIL_CLI_H
#define RECUEIL_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/age.h"
#include "core/form.h"
#include "core/minisign.h"
#include "core/util.h"
#include "export/period.h"
#include "export/secret.h"
#include "session/session.h"
#include "store/store.h"

/* Print the usage of the whole program (global options and commands) on f. */
void cli_usage(FILE *f);

/* Run the subcommand argv[0] with its arguments for the session s (opened by the command as it
 * needs). Returns its exit code; an unknown command is EXIT_USAGE with a message. */
int cli_run(session *s, int argc, char **argv);

/* getopt_long for every command, with two differences: an option is matched only when written
 * in full ("--passphrase" is not taken for "--passphrase-file"), and what it prints about a wrong
 * option never quotes a value, only the option's name (a secret typed after an option must not
 * reach a message). On the first call for an argv (optind 0, or another argv), every option of
 * it is checked (up to the first non-option when shortopts starts with '+', as getopt does):
 * an unknown or abbreviated name, a missing value, a value given to an option that takes none is
 * printed as one line with cli_error and the call returns '?'. Otherwise as getopt_long, with
 * opterr off. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* The options of a command that takes --out FILE and --help only, then n_operands operands
 * (from optind): *out gets FILE. Returns 0; -1 after printing usage on stdout (--help);
 * EXIT_USAGE after printing it on stderr (a wrong option, FILE missing or empty, another number
 * of operands). */
int cli_out_option(int argc, char **argv, const char *usage, int n_operands, const char **out);

/* Print "recueil: message" on stderr (one line), "recueil: ligne N : message" while a batch
 * line is processed (cli_error_line). */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The line of a batch (entry add --batch) that the next messages are about; 0: none. */
void cli_error_line(unsigned long lineno);

/* Print text on f line by line, each line cleaned of terminal control characters. */
void cli_print_lines(const char *text, FILE *f);

/* Load the forms of ses->forms_dir; on failure print every problem and return EXIT_DATAERR. */
int cli_load_forms(session *ses);

/* session_open: load the forms, open the existing database, bring its tables in line with the
 * forms and check that the caller is registered and that their role may p. Prints what failed
 * and returns its exit code. */
int cli_open(session *ses, perm p);

/* Print what a session function returned in why (if any; freed) and return rc. */
int cli_fail(int rc, char *why);

/* Parse the field=value arguments into r (unknown fields, calculated fields and invalid values
 * are errors that print and return EXIT_DATAERR). */
int cli_set_fields(record *r, int argc, char **argv);

/* Report what record_check found after r was filled: errors (returns EXIT_DATAERR), values given
 * for questions that are not asked, and soft warnings without a reason (printed). */
int cli_report_issues(const record *r, const confirmation *conf, size_t n_conf, bool *had_given, int argc,
                      char **argv);

/* Say that no patient has the pseudonym typed, or that it cannot be one (typo caught by the
 * check character). */
void cli_patient_not_found(const char *typed);

/* The day of a --date option (YYYY-MM-DD, not in the future) into *day; EXIT_DATAERR with a
 * message on stderr otherwise. */
int cli_date_arg(const char *text, long *day);

/* Create the database file (and its directories) and register the structure (a region when
 * region is true) with the caller as admin; leaves ses->db open. */
int cli_create_database(session *ses, const char *code, const char *name, bool region);

/* Whether code is a structure code as init accepts it: 2 to 32 ASCII letters, digits, - or _. */
bool cli_valid_code(const char *code);

/* Subcommands: each gets argv[0] = its own name. */
int cmd_init(session *ses, int argc, char **argv);
int cmd_demo(session *ses, int argc, char **argv);
int cmd_forms(session *ses, int argc, char **argv);
/* forms publish | trust | install | rollback (cmd_forms_bundle.c): argv[0] is what. */
int cmd_forms_bundle(session *ses, const char *what, int argc, char **argv);
int cmd_patient(session *ses, int argc, char **argv);
int cmd_entry(session *ses, int argc, char **argv);
int cmd_user(session *ses, int argc, char **argv);
int cmd_log(session *ses, int argc, char **argv);
int cmd_alert(session *ses, int argc, char **argv);
int cmd_check(session *ses, int argc, char **argv);
/* The patients past the retention period: listed, or erased with --yes (cmd_purge.c). */
int cmd_purge(session *ses, int argc, char **argv);

/* Export, verification and backup of the database (cmd_export.c, cmd_verify.c, cmd_backup.c). */
int cmd_export(session *ses, int argc, char **argv);
int cmd_verify(session *ses, int argc, char **argv);
int cmd_backup(session *ses, int argc, char **argv);
int cmd_restore(session *ses, int argc, char **argv);

/* ---- passphrases of archives (passphrase.c) */
/* Read a secret from standard input when it is a terminal, without echo, after printing prompt
 * on stderr; at most size - 1 bytes into buf (the caller wipes it). Returns its length, or -1
 * when standard input is not a terminal. */
int cli_read_secret(const char *prompt, char *buf, size_t size);

/* The passphrase a command was given, into pass (SECRET_MAX bytes, cleared first; the caller
 * wipes it): read from file (--passphrase-file) when not NULL, else typed on the terminal after
 * prompt when ask (--ask-passphrase), twice when twice (an archive being written: a typo would
 * lock its recipient out); left empty when neither. Prints what failed and returns its exit
 * code: the file's refusal, or EXIT_USAGE when standard input is not a terminal, the passphrase
 * typed is empty or the two typings differ. */
int cli_passphrase(const char *file, bool ask, bool twice, const char *prompt, char *pass);

/* What export_verify and import_check call for an encrypted archive when no passphrase was
 * given: prompt (a cli_prompt, wiped by the caller) gets the passphrase typed on the terminal;
 * NULL when standard input is not a terminal. */
typedef struct {
	char pass[SECRET_MAX];
} cli_prompt;
const char *cli_prompt_passphrase(void *prompt);

/* ---- keys (keys.c) */
/* Parse n age recipients ("age1…", --recipient or reporting.yaml) into out. Prints what failed
 * and returns EXIT_USAGE. */
int cli_recipients(const char *const *texts, size_t n, age_recipient *out);

/* Identity files a command takes (--identity), at most. */
#define CLI_MAX_IDENTITIES 8

/* Read the n age identity files at paths (age-keygen's format, private files of the caller:
 * they hold secret keys) into out[0..n), each freed with cli_identities_free. Prints what failed
 * (never a key) and returns its exit code; nothing is left in out then. */
int cli_identities(const char *const *paths, size_t n, age_identity **out);
void cli_identities_free(age_identity **ids, size_t n);

/* A structure's public signing key from arg: its base64 line, or a file holding minisign's
 * two-line public key or what `recueil structure key` printed. Prints what failed. */
int cli_pubkey(const char *arg, minisign_pubkey *out);

/* "Empreinte à comparer par téléphone : XXXX-… (clé KEYID)" and a newline, on f. */
void cli_print_pubkey_facts(FILE *f, const minisign_pubkey *pk);

/* The keys of a structure and of a region (cmd_structure.c): structure key, structure enrol,
 * and the region's age key pair (keygen). */
int cmd_structure(session *ses, int argc, char **argv);
int cmd_keygen(session *ses, int argc, char **argv);
/* The --format (text or csv: *csv) and --period (NULL: none; else parsed into *p) of report and
 * structures, checked before the database opens. Returns 0, or EXIT_USAGE after saying why. */
int cli_format_and_period(const char *format, const char *period_text, bool *csv, period *p);
/* Without --period: the period the next deadline of reporting.yaml covers into *p, the day it is
 * due into *due. After cli_open. Returns 0, or EXIT_USAGE after saying there is none. */
int cli_deadline_period(session *ses, period *p, long *due);

/* The activity report of a period (cmd_report.c). */
int cmd_report(session *ses, int argc, char **argv);

/* Import of structures' export archives into a regional database (cmd_import.c). */
int cmd_import(session *ses, int argc, char **argv);

/* The ledger of a regional database: each structure's last export, who has not sent
 * (cmd_structures.c). */
int cmd_structures(session *ses, int argc, char **argv);

#endif
