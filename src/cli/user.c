/*
** user.c: hatctl user add|passwd|disable|list.
*/
#include <string.h>

#include "cli.h"
#include "cmd/users.h"

static const char help[] =
	"usage: hatctl user add USERNAME --name DISPLAY --roles ROLE[,ROLE...] [--password PW]\n"
	"       hatctl user passwd USERNAME [--password PW]\n"
	"       hatctl user disable USERNAME\n"
	"       hatctl user list\n"
	"(all take --db PATH)\n"
	"Roles: prescriber, nurse, pharmacist, keyworker, manager, cdao, auditor, admin.\n"
	"Passwords are read from standard input when --password is not given.\n";

static const char *const valued[] = { "--name", "--roles", "--password", NULL };

static json_t *roles_array(const char *list)
{
	json_t *a = json_array();
	char buf[256];
	char *save = NULL;

	if (!str_copy(buf, sizeof buf, list))
		return a;
	for (char *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(p));
	return a;
}

static int find(struct store_conn *conn, const char *username, int64_t *id)
{
	if (users_find(conn, username, id) != HAT_OK) {
		fprintf(stderr, "hatctl: no user '%s'\n", username);
		return 1;
	}
	return 0;
}

static int list(struct store_conn *conn)
{
	json_t *users = NULL;
	json_t *u;
	size_t i;

	if (users_list(conn, &users) != HAT_OK)
		return 1;
	printf("%-20s %-30s %-9s %s\n", "USERNAME", "NAME", "STATUS", "ROLES");
	json_array_foreach(users, i, u) {
		char *roles = json_dumps(json_object_get(u, "roles"), JSON_COMPACT);

		printf("%-20s %-30s %-9s %s\n", json_string_value(json_object_get(u, "username")),
		       json_string_value(json_object_get(u, "display_name")),
		       json_is_true(json_object_get(u, "is_disabled")) ? "disabled" : "active",
		       roles ? roles : "");
		free(roles);
	}
	json_decref(users);
	return 0;
}

int cli_user(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct cmd_runner r;
	const char *verb, *username;
	char password[256];
	json_t *in = NULL;
	int64_t id;
	int rc = 1;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	verb = cli_arg(argc, argv, 0, valued);
	username = cli_arg(argc, argv, 1, valued);
	if (o.help || !verb) {
		fputs(help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (strcmp(verb, "list") != 0 && !username) {
		fputs(help, stderr);
		return 2;
	}
	if (cli_open(&o, false, &conn, &r) != 0)
		return 1;
	if (strcmp(verb, "list") == 0) {
		rc = list(conn);
	} else if (strcmp(verb, "add") == 0) {
		if (!cli_opt(argc, argv, "--roles") ||
		    !cli_password(argc, argv, "password", password, sizeof password)) {
			fputs(help, stderr);
			rc = 2;
			goto out;
		}
		in = json_pack("{s:s, s:s, s:s, s:o}", "username", username, "display_name",
			       cli_opt(argc, argv, "--name") ? cli_opt(argc, argv, "--name") : username,
			       "password", password, "roles",
			       roles_array(cli_opt(argc, argv, "--roles")));
		rc = cli_run(&r, &users_create, 0, in, NULL);
		if (rc == 0)
			printf("added user '%s'\n", username);
	} else if (strcmp(verb, "passwd") == 0) {
		if (find(conn, username, &id) != 0)
			goto out;
		if (!cli_password(argc, argv, "new password", password, sizeof password)) {
			rc = 2;
			goto out;
		}
		in = json_pack("{s:s}", "password", password);
		rc = cli_run(&r, &users_set_password, id, in, NULL);
		if (rc == 0)
			printf("password changed for '%s'\n", username);
	} else if (strcmp(verb, "disable") == 0) {
		if (find(conn, username, &id) != 0)
			goto out;
		in = json_pack("{s:b}", "disabled", 1);
		rc = cli_run(&r, &users_update, id, in, NULL);
		if (rc == 0)
			printf("disabled '%s' and ended their sessions\n", username);
	} else {
		fputs(help, stderr);
		rc = 2;
	}
out:
	memset(password, 0, sizeof password);
	json_decref(in);
	store_close(conn);
	return rc;
}
