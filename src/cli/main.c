/*
** hatctl: the command line for a hat clinic.
**
** It links the same library as hatd and runs the same commands directly on
** the database (one transaction each), so a rule holds whichever door a
** change comes through.  Both may write to one database at once: every
** writer reads the audit chain's head inside its own BEGIN IMMEDIATE.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} groups[] = {
	{ "init", cli_init, "create a new clinic database and its first admin" },
	{ "user", cli_user, "add, list, disable users; set a password" },
	{ "demo", cli_demo, "fill a database with a demo clinic" },
	{ "register", cli_register, "print the controlled-drug register (text, CSV or HTML)" },
	{ "export", cli_export, "write an export (the national return, research rows) as CSV" },
	{ "report", cli_report, "print the service evaluation report (text, CSV or JSON)" },
	{ "verify", cli_verify, "check the audit chain and the register; exit 1 naming what is wrong" },
	{ "backup", cli_backup, "copy the database to FILE (safe while hatd runs)" },
	{ "restore", cli_restore, "replace the database with a verified backup FILE" },
	{ "migrate", cli_migrate, "copy a clinic from its SQLite FILE into PostgreSQL, verifying both" },
	{ "policy", cli_print_policy, "print who may do what (the role x action matrix)" },
};

static void usage(FILE *f)
{
	fputs("usage: hatctl [--db PATH] COMMAND [options]   (hatctl COMMAND --help)\n\n", f);
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		fprintf(f, "  %-8s %s\n", groups[i].name, groups[i].summary);
	fputs("\nThe database is --db PATH (before or after the command), else $HAT_DB,\n"
	      "else ./hat.db.\n", f);
}

int main(int argc, char **argv)
{
	int i = 1;

	/* Options before the command, as with git and sqlite3: they apply to
	** whichever command follows, which may still override them. */
	while (i < argc && strncmp(argv[i], "-", 1) == 0) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			cli_set_default_db(argv[i + 1]);
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0 && argv[i][5]) {
			cli_set_default_db(argv[i] + 5);
			i++;
		} else {
			fprintf(stderr, "hatctl: %s %s\n", argv[i],
				strcmp(argv[i], "--db") == 0 ? "needs a path" : "is not an option here");
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		if (strcmp(argv[i], groups[g].name) == 0)
			return groups[g].run(argc - i, argv + i);
	}
	fprintf(stderr, "hatctl: unknown command %s\n", argv[i]);
	usage(stderr);
	return 2;
}
