/*
** init.c: hatctl init: a new clinic database and its first admin.
*/
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd/clinic.h"
#include "cmd/premises.h"
#include "cmd/users.h"

static const char help[] =
	"usage: hatctl init [--db PATH] --clinic NAME --admin USERNAME [--name DISPLAY]\n"
	"                   [--password PW] [--premises NAME --address ADDRESS]\n"
	"Creates the database (it must not exist yet), names the clinic, and adds\n"
	"its first administrator.  The password is read from standard input when\n"
	"--password is not given (without echo on a terminal).  --premises adds the\n"
	"clinic's first premises.\n";

int cli_init(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct cmd_runner r;
	const char *clinic, *admin, *premises, *address;
	char password[256];
	json_t *in = NULL;
	int rc = 1;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	if (o.help) {
		fputs(help, stdout);
		return 0;
	}
	clinic = cli_opt(argc, argv, "--clinic");
	admin = cli_opt(argc, argv, "--admin");
	premises = cli_opt(argc, argv, "--premises");
	address = cli_opt(argc, argv, "--address");
	if (!clinic || !admin || (premises && !address)) {
		fputs(help, stderr);
		return 2;
	}
	if (access(o.db, F_OK) == 0) {
		fprintf(stderr, "hatctl: %s exists already; init makes a new clinic only\n", o.shown);
		return 1;
	}
	if (!cli_password(argc, argv, "password for the first admin", password, sizeof password)) {
		fprintf(stderr, "hatctl: a password is needed\n");
		return 2;
	}
	if (cli_open(&o, true, &conn, &r) != 0)
		return 1;
	/* A PostgreSQL database exists before init (its administrator made
	** it): it must hold no clinic yet. */
	if (store_is_postgresql(o.db)) {
		int64_t users = 0;

		if (store_query_int(conn, "SELECT count(*) FROM users", NULL, &users, "") != HAT_OK ||
		    users > 0) {
			fprintf(stderr, "hatctl: %s exists already; init makes a new clinic only\n",
				o.shown);
			goto out;
		}
	}
	in = json_pack("{s:s, s:s}", "key", "clinic_name", "value", clinic);
	if (cli_run(&r, &clinic_set, 0, in, NULL) != 0)
		goto out;
	json_decref(in);
	in = json_pack("{s:s, s:s}", "key", "timezone", "value",
		       getenv("HAT_TIMEZONE") ? getenv("HAT_TIMEZONE") : "Europe/London");
	if (cli_run(&r, &clinic_set, 0, in, NULL) != 0)
		goto out;
	json_decref(in);
	in = json_pack("{s:s, s:s, s:s, s:[s]}", "username", admin, "display_name",
		       cli_opt(argc, argv, "--name") ? cli_opt(argc, argv, "--name") : admin,
		       "password", password, "roles", "admin");
	if (cli_run(&r, &users_create, 0, in, NULL) != 0)
		goto out;
	if (premises) {
		json_decref(in);
		in = json_pack("{s:s, s:s}", "name", premises, "address", address);
		if (cli_run(&r, &premises_create, 0, in, NULL) != 0)
			goto out;
	}
	printf("created clinic '%s' in %s with admin '%s'\n", clinic, o.shown, admin);
	rc = 0;
out:
	memset(password, 0, sizeof password);
	json_decref(in);
	store_close(conn);
	if (rc != 0) {
		/* A half-made clinic is worse than none: remove it. */
		unlink(o.db);
	}
	return rc;
}
