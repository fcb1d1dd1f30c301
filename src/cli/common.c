/*
** common.c: option parsing, opening the database, running commands, and
** progress output for hatctl.
*/
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "util/clock.h"

static struct auth_policy cli_policy;
static const char *default_db;

void cli_set_default_db(const char *path)
{
	default_db = path;
}

int cli_common(int argc, char **argv, struct cli_opts *o)
{
	int out = 0;

	if (default_db)
		o->db = default_db;
	else
		o->db = getenv("HAT_DB") ? getenv("HAT_DB") : "hat.db";
	o->help = false;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "hatctl: --db needs a path\n");
				return -1;
			}
			o->db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0 && argv[i][5]) {
			o->db = argv[i] + 5;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			o->help = true;
		} else {
			argv[out++] = argv[i];
		}
	}
	store_display_name(o->db, o->shown, sizeof o->shown);
	return out;
}

const char *cli_opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	}
	return NULL;
}

bool cli_flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], name) == 0)
			return true;
	}
	return false;
}

static bool takes_value(const char *opt, const char *const *valued)
{
	for (; valued && *valued; valued++) {
		if (strcmp(opt, *valued) == 0)
			return true;
	}
	return false;
}

const char *cli_arg(int argc, char **argv, int n, const char *const *valued)
{
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (takes_value(argv[i], valued))
				i++;
			continue;
		}
		if (n-- == 0)
			return argv[i];
	}
	return NULL;
}

int cli_open(const struct cli_opts *o, bool create, struct store_conn **conn,
	     struct cmd_runner *runner)
{
	static int claim = -1;
	enum hat_err rc;

	/* A PostgreSQL database is made by its server's administrator; an
	** empty one is given the schema when first opened. */
	if (!create && !store_is_postgresql(o->db) && access(o->db, F_OK) != 0) {
		fprintf(stderr, "hatctl: no database at %s (create one with 'hatctl init')\n", o->shown);
		return 1;
	}
	if (auth_init() != HAT_OK) {
		fprintf(stderr, "hatctl: cannot initialise libsodium\n");
		return 1;
	}
	if (clock_set_zone(getenv("HAT_TIMEZONE") ? getenv("HAT_TIMEZONE") : "Europe/London") !=
	    HAT_OK) {
		fprintf(stderr, "hatctl: unknown time zone\n");
		return 1;
	}
	/* A shared claim, held until hatctl exits, like hatd's: a restore
	** cannot replace the file under a hatctl that is writing to it. */
	rc = store_claim(o->db, false, &claim);
	if (rc == HAT_E_BUSY) {
		fprintf(stderr, "hatctl: %s is being restored; try again when it is done\n", o->shown);
		return 1;
	}
	if (rc == HAT_OK)
		rc = store_open(o->db, create ? STORE_CREATE : STORE_READ_WRITE, conn);
	if (rc == HAT_OK) {
		rc = cmd_conn_open(*conn);
		if (rc != HAT_OK) {
			store_close(*conn);
			*conn = NULL;
		}
	}
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o->shown, hat_err_code(rc));
		return 1;
	}
	auth_policy_default(&cli_policy);
	memset(runner, 0, sizeof *runner);
	runner->conn = *conn;
	runner->policy = &cli_policy;
	return 0;
}

int cli_run(struct cmd_runner *r, const struct cmd_def *def, int64_t target, json_t *input,
	    json_t **result)
{
	struct cli_actor operator = { 0, 0, 0, 0 };

	operator.now = clock_now();
	return cli_run_as(r, def, &operator, target, input, result);
}

int cli_run_as(struct cmd_runner *r, const struct cmd_def *def, const struct cli_actor *a,
	       int64_t target, json_t *input, json_t **result)
{
	struct cmd c;
	enum hat_err rc;

	cmd_init(&c, def, a->user_id, a->roles, input, a->now);
	c.witness_id = a->witness_id;
	c.target_id = target;
	rc = cmd_execute(r, &c);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: %s refused: %s: %s%s%s\n", def->name, hat_err_code(rc),
			c.err_message[0] ? c.err_message : hat_err_message(rc),
			c.err_field ? " field: " : "", c.err_field ? c.err_field : "");
		cmd_finish(&c);
		return 1;
	}
	if (result) {
		*result = c.result;
		c.result = NULL;
	}
	cmd_finish(&c);
	return 0;
}

bool cli_password(int argc, char **argv, const char *prompt, char *out, size_t n)
{
	const char *given = cli_opt(argc, argv, "--password");
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t len;

	if (given)
		return str_copy(out, n, given);
	if (tty) {
		fprintf(stderr, "%s: ", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(out, (int)n, stdin))
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	len = strlen(out);
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	return len > 0;
}

static bool progress_shown;

void cli_progress(const char *label, long long done, long long total)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (total > 0)
		fprintf(stderr, "\r%s: %lld/%lld (%lld%%)", label, done, total, done * 100 / total);
	else
		fprintf(stderr, "\r%s: %lld", label, done);
	progress_shown = true;
}

void cli_progress_end(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = false;
}
