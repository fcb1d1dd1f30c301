/*
** pg_sql.h: SQLite's dialect, as hat writes it, turned into PostgreSQL's
** (private to src/store/).
**
** hat's SQL (the commands' statements and the migrations) is written once,
** for SQLite.  The PostgreSQL backend passes every statement through
** pg_sql_translate before it reaches the server, so what differs between
** the two dialects is decided here, in one place:
**
**   parameters    '?' and '?N' become '$n' (a bare '?' takes the number
**                 after the highest one so far, as in SQLite)
**   types         INTEGER is BIGINT (SQLite's integers are 64-bit), REAL is
**                 DOUBLE PRECISION, BLOB is BYTEA
**   tables        STRICT and WITHOUT ROWID go; a column "INTEGER PRIMARY
**                 KEY" becomes an identity column; every table SQLite gives
**                 a rowid gets a column "rowid" (the primary key's value, or
**                 an identity of its own) so that the audit binding can name
**                 rows in the same way in both stores
**   triggers      "BEFORE UPDATE|DELETE ... BEGIN SELECT RAISE(ABORT, 'msg');
**                 END" becomes a row trigger calling hat_refuse('msg'); any
**                 other trigger is refused (the migration fails loudly)
**   functions     ifnull -> coalesce, max/min of two or more -> greatest/
**                 least, hex(x) -> upper(encode(x, 'hex')), date(x,
**                 'unixepoch') -> a YYYY-MM-DD string, json_extract(x, p) ->
**                 hat_json_extract(x, p) (text; 1 and 0 for true and false)
**   operators     LIKE -> ILIKE (SQLite's LIKE ignores ASCII case)
**   statements    INSERT OR IGNORE -> INSERT ... ON CONFLICT DO NOTHING;
**                 BEGIN IMMEDIATE (DEFERRED, EXCLUSIVE) -> BEGIN; a subquery
**                 in FROM without a name is given one; sqlite_schema ->
**                 pg_catalog.pg_class
**   comparisons   IS and IS NOT between values -> IS [NOT] DISTINCT FROM
**   names         an alias with capitals ("AS MODAL") is quoted, since
**                 PostgreSQL folds unquoted names to lower case
**
** String literals, quoted names and comments pass through untouched.
** SQLite's PRAGMA statements mean nothing to PostgreSQL: pg.c skips them.
*/
#ifndef HAT_STORE_PG_SQL_H
#define HAT_STORE_PG_SQL_H

/* The PostgreSQL form of sql, as a new string the caller frees, or NULL
** when out of memory or when sql uses a form the translation refuses (a
** trigger other than the append-only kind; logged).  *nparams, when not
** NULL, is set to the number of parameters. */
char *pg_sql_translate(const char *sql, int *nparams);

#endif
