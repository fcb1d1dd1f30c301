/*
** pg_sql_tool: prints the PostgreSQL form of the SQL on standard input, as
** the PostgreSQL backend would send it (src/store/pg_sql.c).  The API tests
** pass their own SQLite-dialect queries through it when they run on
** PostgreSQL, so that the tests and hat share one translation.
*/
#include <stdio.h>
#include <stdlib.h>

#include "store/pg_sql.h"

int main(void)
{
	char *in = NULL;
	size_t len = 0, cap = 0;
	char *out;
	int c;

	while ((c = getchar()) != EOF) {
		if (len + 2 > cap) {
			char *m = realloc(in, cap ? 2 * cap : 4096);

			if (!m)
				return 1;
			in = m;
			cap = cap ? 2 * cap : 4096;
		}
		in[len++] = (char)c;
	}
	if (!in)
		return 1;
	in[len] = '\0';
	out = pg_sql_translate(in, NULL);
	free(in);
	if (!out)
		return 1;
	fputs(out, stdout);
	free(out);
	return 0;
}
