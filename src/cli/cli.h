/*
** cli.h: what hatctl's command groups share.
**
** Each group (init, user, demo, verify, backup/restore) is one file with one
** entry point taking its own argv (argv[0] is the group's name).  Exit codes:
** 0 done, 1 refused or failed, 2 usage error.
*/
#ifndef HAT_CLI_CLI_H
#define HAT_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cmd/cmd.h"

/* Parsed options common to every command. */
struct cli_opts {
	const char *db;
	char shown[512]; /* db fit to print (store_display_name) */
	bool help;
};

/* The database named before the command (hatctl --db PATH COMMAND): the
** default cli_common uses.  path is borrowed (argv outlives the program). */
void cli_set_default_db(const char *path);

/* Takes "--db PATH" or "--db=PATH" (default: the one before the command,
** else $HAT_DB, else hat.db) and "--help" out of argv,
** compacting it; returns the remaining count, or -1 after printing a usage
** error. */
int cli_common(int argc, char **argv, struct cli_opts *o);

/* Finds "--name VALUE" in argv (after cli_common); NULL when absent. */
const char *cli_opt(int argc, char **argv, const char *name);
/* True when "--name" is present. */
bool cli_flag(int argc, char **argv, const char *name);
/* The n-th argument that is not an option or an option's value (0-based),
** given the options that take values. */
const char *cli_arg(int argc, char **argv, int n, const char *const *valued);

/* Opens the database read-write (or creating it) and fills a runner that
** runs commands here, one per transaction, as the operator. */
int cli_open(const struct cli_opts *o, bool create, struct store_conn **conn,
	     struct cmd_runner *runner);

/* Runs a command as the operator; on failure prints the code and message
** and returns 1.  The result, when wanted, is handed over in *result. */
int cli_run(struct cmd_runner *r, const struct cmd_def *def, int64_t target, json_t *input,
	    json_t **result);

/* Who a command runs as, and when: the demo replays months of sessions as
** the staff who would have done them. */
struct cli_actor {
	int64_t user_id;    /* 0: the operator */
	unsigned roles;
	int64_t witness_id; /* a witness the caller vouches for, or 0 */
	int64_t now;
};

/* cli_run as someone at some moment. */
int cli_run_as(struct cmd_runner *r, const struct cmd_def *def, const struct cli_actor *a,
	       int64_t target, json_t *input, json_t **result);

/* Reads a password: --password VALUE, or a line from standard input
** (prompting without echo on a terminal).  Returns false on failure. */
bool cli_password(int argc, char **argv, const char *prompt, char *out, size_t n);

/* Progress on a terminal only: "\rlabel: done/total"; quiet when piped. */
void cli_progress(const char *label, long long done, long long total);
void cli_progress_end(void);

/* Everything hatctl verify checks, on an open connection outside a
** transaction: 0 when it all holds, 1 when something does not (printed to
** out unless out is NULL), -1 when the database could not be read.  When
** path is not NULL the row check runs on a second connection to it, beside
** the chain walk.  *events, when not NULL, gets the number of audit events
** walked. */
int cli_verify_conn(struct store_conn *conn, const char *path, FILE *out, int64_t *events);

int cli_init(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_register(int argc, char **argv);
int cli_print_policy(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_export(int argc, char **argv);

#endif
