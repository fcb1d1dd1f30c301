/*
** store.h: the storage interface.
**
** Everything above src/store/ reaches the database through these functions,
** never through a backend's own API.  Two backends sit behind them (see
** backend.h): SQLite, for a database named by a file path, and PostgreSQL,
** for one named by a "postgresql://" URI.  SQL is written in SQLite's
** dialect with positional '?' (or '?N') parameters; the PostgreSQL backend
** translates it (pg_sql.c), so commands never say which store they are on.
**
** Threads: a store_conn belongs to one thread at a time; statements belong
** to their connection.  Opening and closing are the only calls that touch
** process-wide state.
**
** Errors: HAT_E_STORE for anything the backend refuses (the backend's
** message is logged), HAT_E_CONFLICT for a uniqueness or foreign-key
** violation, HAT_E_BUSY when the database is locked past the busy timeout,
** HAT_E_NOMEM.
*/
#ifndef HAT_STORE_STORE_H
#define HAT_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/err.h"

struct store_conn;
struct store_stmt;

enum store_mode {
	STORE_READ_ONLY,  /* a reader: never writes, never blocks the writer */
	STORE_READ_WRITE, /* the writer, or hatctl */
	STORE_CREATE      /* read-write, creating the file if it is missing */
};

/* True when path names a PostgreSQL database (a "postgresql://" or
** "postgres://" URI) rather than a SQLite file. */
bool store_is_postgresql(const char *path);

/* The database's name fit to print or log: a PostgreSQL URI without any
** password in it (user:password@ keeps the user; a password= parameter
** shows "***"); a path as it is.  Always NUL-terminates out. */
void store_display_name(const char *path, char *out, size_t n);

/* True when c is a connection to PostgreSQL. */
bool store_conn_is_postgresql(struct store_conn *c);

/* Opens a connection, sets the pragmas (WAL, synchronous=FULL, foreign
** keys) and, for a writable connection, applies pending migrations.  On
** success *out is owned by the caller, who closes it with store_close. */
enum hat_err store_open(const char *path, enum store_mode mode,
			struct store_conn **out);

/* Finalises cached statements and closes.  Accepts NULL. */
void store_close(struct store_conn *c);

/* The schema version the database is at (-1 when it cannot be read), and
** the newest this build knows. */
int store_schema_version(struct store_conn *c);
int store_schema_latest(void);

/* Runs one or more statements with no parameters and no rows. */
enum hat_err store_exec(struct store_conn *c, const char *sql);

/* Gives a prepared statement for sql, reset and with no bindings.  sql must
** be a string that outlives the connection (a literal): the cache keys on
** its address.  The statement stays owned by the connection; the caller
** only calls store_done when finished with the rows. */
enum hat_err store_prepare(struct store_conn *c, const char *sql,
			   struct store_stmt **out);

/* Binds parameters, 1-based, as in SQL. */
enum hat_err store_bind_int(struct store_stmt *s, int idx, int64_t v);
enum hat_err store_bind_text(struct store_stmt *s, int idx, const char *v); /* NULL binds NULL */
enum hat_err store_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n);
enum hat_err store_bind_null(struct store_stmt *s, int idx);

/* Binds all parameters from a type string: 'i' int64_t, 't' const char *
** (NULL binds NULL), 'n' NULL (no argument), 'I' int64_t bound as NULL when
** it is INT64_MIN.  For example store_bindf(s, "iti", id, name, when). */
enum hat_err store_bindf(struct store_stmt *s, const char *types, ...);

/* Steps: *row is true when a row is ready, false when done. */
enum hat_err store_step(struct store_stmt *s, bool *row);

/* Resets the statement so it releases its read snapshot.  Accepts NULL. */
void store_done(struct store_stmt *s);

/* Column readers for the current row, 0-based.  Text is borrowed until the
** next step or store_done; never NULL (an SQL NULL reads as ""). */
int64_t store_col_int(struct store_stmt *s, int col);
const char *store_col_text(struct store_stmt *s, int col);
const void *store_col_blob(struct store_stmt *s, int col, size_t *len);
bool store_col_is_null(struct store_stmt *s, int col);
double store_col_real(struct store_stmt *s, int col);
/* The length in bytes of a text or blob column (text may hold NULs). */
size_t store_col_bytes(struct store_stmt *s, int col);

/* A column's storage type in the current row. */
enum store_type { STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT, STORE_BLOB };
enum store_type store_col_type(struct store_stmt *s, int col);
int store_col_count(struct store_stmt *s);
const char *store_col_name(struct store_stmt *s, int col);

/* Rows changed by the last statement, and the last inserted row id. */
int64_t store_changes(struct store_conn *c);
int64_t store_last_id(struct store_conn *c);

/* Runs a query without parameters whose rows are one integer each (ids)
** and hands them over in a new array *ids of *n (NULL when none: free()
** either way), read whole first so that the caller may run statements of
** its own over them.  HAT_E_NOMEM, or the query's error (*ids then NULL). */
enum hat_err store_query_ids(struct store_conn *c, const char *sql, int64_t **ids, size_t *n);

/* Runs a one-row, one-integer query: *found is false when there is no row.
** Binds with store_bindf's types. */
enum hat_err store_query_int(struct store_conn *c, const char *sql, bool *found,
			     int64_t *out, const char *types, ...);

/* Runs a statement with store_bindf's types, expecting no rows. */
enum hat_err store_run(struct store_conn *c, const char *sql, const char *types, ...);

/* Runs a query and turns each row into a JSON object keyed by column name
** (integers as numbers, NULL as null, text as strings).  Column names ending
** in "_at" are written as RFC 3339 UTC times and names ending in "_date" or
** "_on" as YYYY-MM-DD.  On success *out is a new array owned by the caller. */
enum hat_err store_query_json(struct store_conn *c, const char *sql, json_t **out,
			      const char *types, ...);

/* The current row of s as store_query_json makes it: for a caller that
** reads rows one at a time (a long read written out as it goes).  *out is a
** new object owned by the caller. */
enum hat_err store_row_json(struct store_stmt *s, json_t **out);

/* The same for a query that names one record: *out is that row's object
** (new reference), or HAT_E_NOT_FOUND when there is no row. */
enum hat_err store_query_row_json(struct store_conn *c, const char *sql, json_t **out,
				  const char *types, ...);

/* Transactions.  store_begin takes the write lock at once (BEGIN IMMEDIATE)
** so that a writer never finds the database busy halfway through. */
enum hat_err store_begin(struct store_conn *c);
enum hat_err store_commit(struct store_conn *c);
void store_rollback(struct store_conn *c);
enum hat_err store_savepoint(struct store_conn *c);
enum hat_err store_release(struct store_conn *c);
/* Undoes the newest savepoint's writes and closes it.  On an error its
** writes may still be in the transaction: the caller must roll the whole
** transaction back, never commit it. */
enum hat_err store_rollback_to(struct store_conn *c);
bool store_in_transaction(struct store_conn *c);

/* A read that must see one state of the database from its first statement
** to its last (a printed register: its pages, chain head and entries).
** store_read_begin starts a read transaction whose snapshot every statement
** on c shares until store_read_end; *began says whether it started one (a
** connection already in a transaction reads in that one's snapshot), and
** store_read_end ends only what store_read_begin began.  Writers still
** commit meanwhile; the reader does not see them.  Errors: HAT_E_STORE. */
enum hat_err store_read_begin(struct store_conn *c, bool *began);
void store_read_end(struct store_conn *c, bool began);

/* Change tracking, for binding rows into the audit chain (audit/rows.c).
** Installs on this connection only (never in the database file, so a
** writer that is not hat's records nothing) triggers that note every row
** inserted, updated or deleted in table as (code, row id) in the temporary
** table hat_touched (tbl, rid).  Updates that change only the columns named
** in ignored (NULL-terminated, may be NULL) are not noted.  Must be called
** outside a transaction.  Errors: HAT_E_STORE (no such table). */
enum hat_err store_track_changes(struct store_conn *c, const char *table, int code,
				 const char *const *ignored);

/* True once store_track_changes has succeeded on this connection. */
bool store_tracking(struct store_conn *c);

/* A function the connection runs just before each batch commits (the
** writer calls store_run_commit_hook); a failure makes the batch roll back.
** fn may be NULL to remove it. */
void store_set_commit_hook(struct store_conn *c, enum hat_err (*fn)(struct store_conn *, void *),
			   void *arg);
enum hat_err store_run_commit_hook(struct store_conn *c);

/* True when opening this connection applied at least one migration (rows a
** migration wrote need binding). */
bool store_migrated(struct store_conn *c);

/* Claims the database for a server: a shared claim (hatd holds one while it
** runs) or an exclusive one (restore, which must find nobody serving the
** file).  The claim is an advisory lock on "<path>.lock", released by
** store_unclaim or when the process ends.  Errors: HAT_E_BUSY when an
** exclusive claim meets another holder (or a shared one meets an exclusive
** one), HAT_E_IO when the lock file cannot be opened. */
enum hat_err store_claim(const char *path, bool exclusive, int *handle);
void store_unclaim(int handle);

/* Copies the database to path, consistent while others write (online
** backup).  progress, when not NULL, is called with (done, total) pages.
** HAT_E_BUSY when the database stays locked for 30 seconds on end. */
enum hat_err store_backup(struct store_conn *c, const char *path,
			  void (*progress)(int done, int total, void *arg), void *arg);

/* What the connection's prepared statements have cost so far, for
** benchmarks and for finding a query that scans: fn is called for each
** cached statement with its SQL, how often it ran, its virtual-machine steps
** and its full-scan steps and sorts (SQLite's counters; another backend may
** report zeros).  store_vm_steps is the sum of the steps. */
void store_stmt_stats(struct store_conn *c,
		      void (*fn)(const char *sql, long long runs, long long steps,
				 long long fullscan, long long sorts, void *arg),
		      void *arg);
long long store_vm_steps(struct store_conn *c);

/* Copying a clinic from one store into a new database of another (hatctl
** migrate).  Row ids are copied as they are, so every fingerprint and every
** binding in the audit chain holds in the copy.
**
** store_copy_start, inside a transaction on the new database: refuses one
** that holds audit events (HAT_E_CONFLICT), empties the seed rows its
** migrations wrote, and suspends its triggers and foreign-key checks for
** this session (the rows arrive table by table; the audit chain vouches
** for them, and the copy is verified afterwards).  store_copy_table copies
** every row of table, *rows their number.  store_copy_finish moves the
** database's id counters past the copied rows and ends the suspension.
** Only PostgreSQL receives copies: HAT_E_STORE on SQLite.  Needs a role
** that may set session_replication_role (a superuser, or one granted it). */
enum hat_err store_copy_start(struct store_conn *to);
enum hat_err store_copy_table(struct store_conn *from, struct store_conn *to, const char *table,
			      int64_t *rows);
enum hat_err store_copy_finish(struct store_conn *to);
/* Frees the statements' SQL the copies made: call once the connections
** they ran on are closed. */
void store_copy_release(void);

/* A fixed set of read-only connections shared by request threads. */
struct store_pool;
enum hat_err store_pool_open(const char *path, int size, struct store_pool **out);
void store_pool_close(struct store_pool *p);
/* Takes a connection into *out, waiting at most wait_ms while all are in
** use; put it back with store_pool_put.  HAT_E_BUSY when none came free in
** time (*out is then NULL): a request never waits without bound. */
enum hat_err store_pool_get(struct store_pool *p, int64_t wait_ms, struct store_conn **out);
void store_pool_put(struct store_pool *p, struct store_conn *c);

#endif
