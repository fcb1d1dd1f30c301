/*
** policy.c: hatctl policy: prints the access policy as the Markdown matrix
** that docs/roles.md holds (a unit test checks the two agree).
*/
#include <string.h>

#include "cli.h"
#include "auth/policy.h"

int cli_print_policy(int argc, char **argv)
{
	struct buf b;
	int status = 1;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		puts("usage: hatctl policy\n"
		     "Prints who may do what (role x action) as a Markdown table: the one\n"
		     "policy every route and command of hat is checked against.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "hatctl policy: takes no arguments\n");
		return 2;
	}
	/* Room for every rule with its roles and what it covers. */
	buf_init(&b, (size_t)1 << 20);
	if (policy_matrix_markdown(&b) == HAT_OK &&
	    fwrite(b.data, 1, b.len, stdout) == b.len)
		status = 0;
	buf_free(&b);
	return status;
}
