/*
** migrate.h: the schema migrations compiled into the binaries.
**
** The build turns src/store/migrations/NNN_name.sql into store_migrations[],
** sorted by number.  store_open() applies those the database lacks, each in
** its own transaction, and records the version in PRAGMA user_version.
*/
#ifndef HAT_STORE_MIGRATE_H
#define HAT_STORE_MIGRATE_H

struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct store_migration store_migrations[];
extern const int store_migration_count;

#endif
