/*
** sqlite.c: the SQLite backend of store.h.
**
** Each connection keeps its prepared statements in a small hash table keyed
** by the address of the SQL literal, so a statement is compiled once per
** connection and reused (prepare_v3 with SQLITE_PREPARE_PERSISTENT).
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "backend.h"
#include "migrate.h"
#include "util/clock.h"
#include "util/log.h"

#define STMT_CACHE_SLOTS 512 /* a power of two, well above the statements hat has */

/* A backup step that finds the database locked is retried every
** BACKUP_RETRY_MS, for at most BACKUP_BUSY_MAX_MS in a row. */
#define BACKUP_RETRY_MS 20
#define BACKUP_BUSY_MAX_MS 30000

/* A cached statement: the common head store.c dispatches on, then
** SQLite's own. */
struct sq_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
};

struct stmt_slot {
	const char *sql;
	struct sq_stmt stmt;
};

struct sq_conn {
	struct store_conn base;
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE_SLOTS];
	int savepoint_depth;
};

static sqlite3_stmt *raw(struct store_stmt *s)
{
	return ((struct sq_stmt *)s)->st;
}

static struct sq_conn *sq(struct store_conn *c)
{
	return (struct sq_conn *)c;
}

static enum hat_err map_rc(sqlite3 *db, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return HAT_OK;
	case SQLITE_NOMEM:
		return HAT_E_NOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return HAT_E_BUSY;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
		    rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return HAT_E_CONFLICT;
		break;
	default:
		break;
	}
	log_error("store: %s failed: %s (%d)", what, db ? sqlite3_errmsg(db) : "?", rc);
	return HAT_E_STORE;
}

static enum hat_err sq_exec(struct store_conn *c, const char *sql);

static enum hat_err apply_migrations(struct store_conn *c)
{
	int current = store_schema_version(c);
	enum hat_err rc;
	char pragma[64];

	/* Not knowing the version is not version 0: never migrate blind. */
	if (current < 0) {
		log_error("store: the database's schema version cannot be read");
		return HAT_E_STORE;
	}
	if (current > store_schema_latest()) {
		log_error("store: the database is at schema %d, newer than this build (%d)",
			  current, store_schema_latest());
		return HAT_E_STORE;
	}
	for (int i = 0; i < store_migration_count; i++) {
		const struct store_migration *m = &store_migrations[i];

		if (m->version <= current)
			continue;
		rc = store_begin(c);
		if (rc != HAT_OK)
			return rc;
		rc = store_exec(c, m->sql);
		if (rc == HAT_OK) {
			snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", m->version);
			rc = store_exec(c, pragma);
		}
		if (rc != HAT_OK) {
			log_error("store: migration %s failed", m->name);
			store_rollback(c);
			return rc;
		}
		rc = store_commit(c);
		if (rc != HAT_OK)
			return rc;
		c->migrated = true;
	}
	return HAT_OK;
}

/* PRAGMA journal_mode answers with the mode it is in, which is not the one
** asked for when the change cannot be made (a database in memory, a file
** system without shared memory, another connection's lock).  A database
** silently left out of WAL would still work, with readers blocking the
** writer and commits no longer safe in the same way: refuse it. */
static enum hat_err set_wal(struct sq_conn *c)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *mode;
	enum hat_err err;
	int rc;

	rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		err = map_rc(c->db, rc, "journal_mode");
		if (err == HAT_OK)
			err = HAT_E_STORE;
		goto out;
	}
	mode = sqlite3_column_text(st, 0);
	err = HAT_OK;
	if (!mode || sqlite3_stricmp((const char *)mode, "wal") != 0) {
		log_error("store: the database could not be put in WAL mode (it is in %s)",
			  mode ? (const char *)mode : "no");
		err = HAT_E_STORE;
	}
out:
	sqlite3_finalize(st);
	return err;
}

static enum hat_err sq_open(const char *path, enum store_mode mode, struct store_conn **out)
{
	struct sq_conn *c;
	int flags = SQLITE_OPEN_NOMUTEX;
	int rc;
	enum hat_err err;

	switch (mode) {
	case STORE_READ_ONLY:
		flags |= SQLITE_OPEN_READONLY;
		break;
	case STORE_READ_WRITE:
		flags |= SQLITE_OPEN_READWRITE;
		break;
	case STORE_CREATE:
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
		break;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return HAT_E_NOMEM;
	c->base.ops = &store_sqlite_ops;
	rc = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (rc != SQLITE_OK) {
		log_error("store: cannot open %s: %s", path,
			  c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		err = HAT_E_IO;
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	/* Temporary tables (the change notes), sorters and statement journals
	** live in memory: on disk each transaction would create, write and
	** unlink a scratch file, which was a tenth of a dose's system calls. */
	err = store_exec(&c->base, "PRAGMA temp_store = MEMORY");
	if (err != HAT_OK)
		goto fail;
	if (mode == STORE_READ_ONLY) {
		err = store_exec(&c->base, "PRAGMA query_only = 1");
	} else {
		/* A register may not lose a committed entry: WAL with a full sync
		** on every commit. */
		err = set_wal(c);
		if (err == HAT_OK)
			err = store_exec(&c->base, "PRAGMA synchronous = FULL;"
						   "PRAGMA foreign_keys = ON;");
		if (err == HAT_OK)
			err = apply_migrations(&c->base);
	}
	if (err != HAT_OK)
		goto fail;
	*out = &c->base;
	return HAT_OK;
fail:
	store_close(&c->base);
	return err;
}

static void sq_close(struct store_conn *base)
{
	struct sq_conn *c = sq(base);

	for (int i = 0; i < STMT_CACHE_SLOTS; i++)
		sqlite3_finalize(c->cache[i].stmt.st);
	sqlite3_close(c->db);
	free(c);
}

static int sq_schema_version(struct store_conn *base)
{
	struct sq_conn *c = sq(base);
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static enum hat_err sq_exec(struct store_conn *base, const char *sql)
{
	struct sq_conn *c = sq(base);
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK && msg)
		log_debug("store: exec: %s", msg);
	sqlite3_free(msg);
	return map_rc(c->db, rc, "exec");
}

static enum hat_err sq_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
	struct sq_conn *c = sq(base);
	uintptr_t h = (uintptr_t)sql;
	size_t i;
	sqlite3_stmt *st;
	int rc;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	i = (size_t)(h >> 40) & (STMT_CACHE_SLOTS - 1);
	for (size_t n = 0; n < STMT_CACHE_SLOTS; n++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].stmt.st);
			sqlite3_clear_bindings(c->cache[i].stmt.st);
			*out = &c->cache[i].stmt.base;
			return HAT_OK;
		}
		if (!c->cache[i].sql)
			break;
	}
	rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK)
		return map_rc(c->db, rc, "prepare");
	if (c->cache[i].sql) {
		/* The table is full; this cannot happen with the statements hat
		** has, but fail safe rather than overwrite a live statement. */
		sqlite3_finalize(st);
		return HAT_E_INTERNAL;
	}
	c->cache[i].sql = sql;
	c->cache[i].stmt.base.ops = &store_sqlite_ops;
	c->cache[i].stmt.st = st;
	*out = &c->cache[i].stmt.base;
	return HAT_OK;
}

static enum hat_err bind_rc(struct store_stmt *s, int rc)
{
	return map_rc(sqlite3_db_handle(raw(s)), rc, "bind");
}

static enum hat_err sq_bind_int(struct store_stmt *s, int idx, int64_t v)
{
	return bind_rc(s, sqlite3_bind_int64(raw(s), idx, v));
}

static enum hat_err sq_bind_null(struct store_stmt *s, int idx);

static enum hat_err sq_bind_text(struct store_stmt *s, int idx, const char *v)
{
	if (!v)
		return sq_bind_null(s, idx);
	return bind_rc(s, sqlite3_bind_text(raw(s), idx, v, -1, SQLITE_TRANSIENT));
}

static enum hat_err sq_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n)
{
	return bind_rc(s, sqlite3_bind_blob64(raw(s), idx, p, n, SQLITE_TRANSIENT));
}

static enum hat_err sq_bind_null(struct store_stmt *s, int idx)
{
	return bind_rc(s, sqlite3_bind_null(raw(s), idx));
}

static enum hat_err sq_step(struct store_stmt *s, bool *row)
{
	int rc = sqlite3_step(raw(s));

	*row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return HAT_OK;
	rc = sqlite3_extended_errcode(sqlite3_db_handle(raw(s)));
	sqlite3_reset(raw(s));
	return map_rc(sqlite3_db_handle(raw(s)), rc, "step");
}

static void sq_done(struct store_stmt *s)
{
	if (s)
		sqlite3_reset(raw(s));
}

static int64_t sq_col_int(struct store_stmt *s, int col)
{
	return sqlite3_column_int64(raw(s), col);
}

static const char *sq_col_text(struct store_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(raw(s), col);

	return t ? (const char *)t : "";
}

static const void *sq_col_blob(struct store_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(raw(s), col);

	*len = (size_t)sqlite3_column_bytes(raw(s), col);
	return p;
}

static double sq_col_real(struct store_stmt *s, int col)
{
	return sqlite3_column_double(raw(s), col);
}

static size_t sq_col_bytes(struct store_stmt *s, int col)
{
	return (size_t)sqlite3_column_bytes(raw(s), col);
}

static enum store_type sq_col_type(struct store_stmt *s, int col)
{
	switch (sqlite3_column_type(raw(s), col)) {
	case SQLITE_INTEGER:
		return STORE_INT;
	case SQLITE_FLOAT:
		return STORE_REAL;
	case SQLITE_TEXT:
		return STORE_TEXT;
	case SQLITE_BLOB:
		return STORE_BLOB;
	default:
		return STORE_NULL;
	}
}

static int sq_col_count(struct store_stmt *s)
{
	return sqlite3_column_count(raw(s));
}

static const char *sq_col_name(struct store_stmt *s, int col)
{
	return sqlite3_column_name(raw(s), col);
}

static int64_t sq_changes(struct store_conn *c)
{
	return sqlite3_changes64(sq(c)->db);
}

static int64_t sq_last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(sq(c)->db);
}

static enum hat_err sq_begin(struct store_conn *c)
{
	sq(c)->savepoint_depth = 0;
	return store_exec(c, "BEGIN IMMEDIATE");
}

/* Deferred: the snapshot is taken by the first read and kept until the end. */
static enum hat_err sq_read_begin(struct store_conn *c)
{
	return store_exec(c, "BEGIN DEFERRED");
}

static enum hat_err sq_commit(struct store_conn *c)
{
	return store_exec(c, "COMMIT");
}

static void sq_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(sq(c)->db))
		store_exec(c, "ROLLBACK");
	sq(c)->savepoint_depth = 0;
}

static enum hat_err sq_savepoint(struct store_conn *c)
{
	enum hat_err rc = store_exec(c, "SAVEPOINT cmd");

	if (rc == HAT_OK)
		sq(c)->savepoint_depth++;
	return rc;
}

static enum hat_err sq_release(struct store_conn *c)
{
	enum hat_err rc = store_exec(c, "RELEASE cmd");

	if (rc == HAT_OK)
		sq(c)->savepoint_depth--;
	return rc;
}

static enum hat_err sq_rollback_to(struct store_conn *c)
{
	/* ROLLBACK TO keeps the savepoint open; RELEASE then closes it.  If
	** the ROLLBACK TO fails the savepoint's writes are still there, so
	** the caller must not commit: say so, and leave the RELEASE alone. */
	enum hat_err rc = store_exec(c, "ROLLBACK TO cmd");

	if (rc == HAT_OK)
		rc = store_exec(c, "RELEASE cmd");
	if (rc == HAT_OK)
		sq(c)->savepoint_depth--;
	return rc;
}

static bool sq_in_transaction(struct store_conn *c)
{
	return !sqlite3_get_autocommit(sq(c)->db);
}

static enum hat_err sq_backup(struct store_conn *c, const char *path,
			  void (*progress)(int done, int total, void *arg), void *arg)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc;
	int busy_ms = 0;
	enum hat_err err = HAT_OK;

	rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		err = HAT_E_IO;
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", sq(c)->db, "main");
	if (!b) {
		err = map_rc(dst, sqlite3_errcode(dst), "backup");
		goto out;
	}
	/* One step copies every page inside one read transaction.  In WAL mode
	** that holds nobody up (writers go on appending to the log), and the
	** copy is one consistent snapshot.  Copying in several steps instead
	** restarts whenever a commit lands between two of them, so a busy
	** clinic's backup would never finish.  A step that finds the database
	** locked is retried, but only for so long: then the backup fails with
	** HAT_E_BUSY rather than wait without end. */
	for (;;) {
		rc = sqlite3_backup_step(b, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		busy_ms += BACKUP_RETRY_MS;
		if (busy_ms > BACKUP_BUSY_MAX_MS)
			break;
		sqlite3_sleep(BACKUP_RETRY_MS);
	}
	if (progress)
		progress(sqlite3_backup_pagecount(b), sqlite3_backup_pagecount(b), arg);
	sqlite3_backup_finish(b);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		log_error("store: backup: the database stayed locked for %d s; given up",
			  BACKUP_BUSY_MAX_MS / 1000);
		err = HAT_E_BUSY;
	} else if (rc != SQLITE_DONE) {
		err = map_rc(dst, rc, "backup");
	}
	if (err == HAT_OK) {
		/* The copy is a self-contained file, not a WAL pair. */
		rc = sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			err = map_rc(dst, rc, "backup journal mode");
	}
out:
	sqlite3_close(dst);
	return err;
}

/* ---- Change tracking, for the audit binding ----------------------------- */

static bool ignored_column(const char *name, const char *const *ignored)
{
	for (size_t i = 0; ignored && ignored[i]; i++)
		if (strcmp(name, ignored[i]) == 0)
			return true;
	return false;
}

static enum hat_err sq_track_changes(struct store_conn *c, const char *table, int code,
				 const char *const *ignored)
{
	char cols[2048];
	size_t used = 0;
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	bool any_ignored = false;
	int ncols = 0;
	enum hat_err rc;

	rc = store_exec(c, "CREATE TEMP TABLE IF NOT EXISTS hat_touched ("
			   " tbl INTEGER NOT NULL, rid INTEGER NOT NULL,"
			   " PRIMARY KEY (tbl, rid)) WITHOUT ROWID");
	if (rc != HAT_OK)
		return rc;
	/* The columns whose change matters, for UPDATE OF. */
	if (sqlite3_prepare_v2(sq(c)->db, "SELECT name FROM pragma_table_info(?) ORDER BY cid", -1,
			       &st, NULL) != SQLITE_OK)
		return map_rc(sq(c)->db, sqlite3_errcode(sq(c)->db), "track");
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		int n;

		ncols++;
		if (ignored_column(name, ignored)) {
			any_ignored = true;
			continue;
		}
		n = snprintf(cols + used, sizeof cols - used, "%s\"%s\"", used ? ", " : "", name);
		if (n < 0 || (size_t)n >= sizeof cols - used) {
			sqlite3_finalize(st);
			return HAT_E_INTERNAL;
		}
		used += (size_t)n;
	}
	sqlite3_finalize(st);
	if (ncols == 0) {
		log_error("store: cannot track %s: no such table", table);
		return HAT_E_STORE;
	}
	sql = sqlite3_mprintf(
		"CREATE TEMP TRIGGER IF NOT EXISTS \"hat_track_%w_i\" AFTER INSERT ON main.\"%w\""
		" BEGIN INSERT OR IGNORE INTO hat_touched VALUES (%d, NEW.rowid); END;"
		"CREATE TEMP TRIGGER IF NOT EXISTS \"hat_track_%w_u\" AFTER UPDATE %s%s ON main.\"%w\""
		" BEGIN INSERT OR IGNORE INTO hat_touched VALUES (%d, OLD.rowid);"
		" INSERT OR IGNORE INTO hat_touched VALUES (%d, NEW.rowid); END;"
		"CREATE TEMP TRIGGER IF NOT EXISTS \"hat_track_%w_d\" AFTER DELETE ON main.\"%w\""
		" BEGIN INSERT OR IGNORE INTO hat_touched VALUES (%d, OLD.rowid); END;",
		table, table, code, table, any_ignored ? "OF " : "", any_ignored ? cols : "", table,
		code, code, table, table, code);
	if (!sql)
		return HAT_E_NOMEM;
	rc = store_exec(c, sql);
	sqlite3_free(sql);
	return rc;
}


static int sq_copy_rowid(struct store_conn *c, const char *table)
{
	(void)c;
	(void)table;
	return -1;
}

static enum hat_err sq_copy_start(struct store_conn *c)
{
	(void)c;
	log_error("store: a SQLite database does not receive copies (hatctl migrate goes to"
		  " PostgreSQL; from PostgreSQL back, use pg_dump)");
	return HAT_E_STORE;
}

static enum hat_err sq_copy_finish(struct store_conn *c)
{
	(void)c;
	return HAT_E_STORE;
}

static void sq_stmt_stats(struct store_conn *base,
			  void (*fn)(const char *sql, long long runs, long long steps,
				     long long fullscan, long long sorts, void *arg),
			  void *arg)
{
	struct sq_conn *c = (struct sq_conn *)base;

	for (size_t i = 0; i < STMT_CACHE_SLOTS; i++) {
		sqlite3_stmt *st = c->cache[i].stmt.st;

		if (!c->cache[i].sql || !st)
			continue;
		fn(c->cache[i].sql, sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), arg);
	}
}

const struct store_ops store_sqlite_ops = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.schema_version = sq_schema_version,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int = sq_bind_int,
	.bind_text = sq_bind_text,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.done = sq_done,
	.col_int = sq_col_int,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.col_real = sq_col_real,
	.col_bytes = sq_col_bytes,
	.col_type = sq_col_type,
	.col_count = sq_col_count,
	.col_name = sq_col_name,
	.changes = sq_changes,
	.last_id = sq_last_id,
	.begin = sq_begin,
	.read_begin = sq_read_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.in_transaction = sq_in_transaction,
	.track_changes = sq_track_changes,
	.copy_rowid = sq_copy_rowid,
	.copy_start = sq_copy_start,
	.copy_finish = sq_copy_finish,
	.backup = sq_backup,
	.stmt_stats = sq_stmt_stats,
};
