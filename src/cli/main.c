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
};

static void usage(FILE *f)
{
	fputs("usage: hatctl COMMAND [--db PATH] [options]   (hatctl COMMAND --help)\n\n", f);
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
		fprintf(f, "  %-8s %s\n", groups[i].name, groups[i].summary);
	fputs("\nThe database is --db PATH, else $HAT_DB, else ./hat.db.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (strcmp(argv[1], groups[i].name) == 0)
			return groups[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "hatctl: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
