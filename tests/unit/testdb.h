/*
** testdb.h: helpers the database unit tests share.
*/
#ifndef HAT_TESTS_TESTDB_H
#define HAT_TESTS_TESTDB_H

#include <stdio.h>
#include <unistd.h>

/* Removes a test database and the files SQLite keeps beside it. */
static inline void testdb_remove(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[160];

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
}

#endif
