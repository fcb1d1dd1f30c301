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

#include "store.h"
#include "migrate.h"
#include "util/clock.h"
#include "util/log.h"

#define STMT_CACHE_SLOTS 512 /* a power of two, well above the statements hat has */

/* A backup step that finds the database locked is retried every
** BACKUP_RETRY_MS, for at most BACKUP_BUSY_MAX_MS in a row. */
#define BACKUP_RETRY_MS 20
#define BACKUP_BUSY_MAX_MS 30000

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct store_conn {
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE_SLOTS];
	int savepoint_depth;
	bool migrated;
	bool tracking;
	enum hat_err (*commit_hook)(struct store_conn *, void *);
	void *commit_hook_arg;
};

static sqlite3_stmt *raw(struct store_stmt *s)
{
	return (sqlite3_stmt *)s;
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
static enum hat_err set_wal(struct store_conn *c)
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

enum hat_err store_open(const char *path, enum store_mode mode, struct store_conn **out)
{
	struct store_conn *c;
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
	err = store_exec(c, "PRAGMA temp_store = MEMORY");
	if (err != HAT_OK)
		goto fail;
	if (mode == STORE_READ_ONLY) {
		err = store_exec(c, "PRAGMA query_only = 1");
	} else {
		/* A register may not lose a committed entry: WAL with a full sync
		** on every commit. */
		err = set_wal(c);
		if (err == HAT_OK)
			err = store_exec(c, "PRAGMA synchronous = FULL;"
					    "PRAGMA foreign_keys = ON;");
		if (err == HAT_OK)
			err = apply_migrations(c);
	}
	if (err != HAT_OK)
		goto fail;
	*out = c;
	return HAT_OK;
fail:
	store_close(c);
	return err;
}

void store_close(struct store_conn *c)
{
	if (!c)
		return;
	for (int i = 0; i < STMT_CACHE_SLOTS; i++)
		sqlite3_finalize(c->cache[i].stmt);
	sqlite3_close(c->db);
	free(c);
}

int store_schema_version(struct store_conn *c)
{
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int store_schema_latest(void)
{
	return store_migration_count ? store_migrations[store_migration_count - 1].version : 0;
}

enum hat_err store_exec(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK && msg)
		log_debug("store: exec: %s", msg);
	sqlite3_free(msg);
	return map_rc(c->db, rc, "exec");
}

enum hat_err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
	uintptr_t h = (uintptr_t)sql;
	size_t i;
	sqlite3_stmt *st;
	int rc;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	i = (size_t)(h >> 40) & (STMT_CACHE_SLOTS - 1);
	for (size_t n = 0; n < STMT_CACHE_SLOTS; n++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
		if (c->cache[i].sql == sql) {
			sqlite3_reset(c->cache[i].stmt);
			sqlite3_clear_bindings(c->cache[i].stmt);
			*out = (struct store_stmt *)c->cache[i].stmt;
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
	c->cache[i].stmt = st;
	*out = (struct store_stmt *)st;
	return HAT_OK;
}

void store_stmt_stats(struct store_conn *c,
		      void (*fn)(const char *sql, long long runs, long long steps,
				 long long fullscan, long long sorts, void *arg),
		      void *arg)
{
	for (size_t i = 0; i < STMT_CACHE_SLOTS; i++) {
		sqlite3_stmt *st = c->cache[i].stmt;

		if (!c->cache[i].sql)
			continue;
		fn(c->cache[i].sql, sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0),
		   sqlite3_stmt_status(st, SQLITE_STMTSTATUS_SORT, 0), arg);
	}
}

static void add_steps(const char *sql, long long runs, long long steps, long long fullscan,
		      long long sorts, void *arg)
{
	(void)sql;
	(void)runs;
	(void)fullscan;
	(void)sorts;
	*(long long *)arg += steps;
}

long long store_vm_steps(struct store_conn *c)
{
	long long n = 0;

	store_stmt_stats(c, add_steps, &n);
	return n;
}

static enum hat_err bind_rc(struct store_stmt *s, int rc)
{
	return map_rc(sqlite3_db_handle(raw(s)), rc, "bind");
}

enum hat_err store_bind_int(struct store_stmt *s, int idx, int64_t v)
{
	return bind_rc(s, sqlite3_bind_int64(raw(s), idx, v));
}

enum hat_err store_bind_text(struct store_stmt *s, int idx, const char *v)
{
	if (!v)
		return store_bind_null(s, idx);
	return bind_rc(s, sqlite3_bind_text(raw(s), idx, v, -1, SQLITE_TRANSIENT));
}

enum hat_err store_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n)
{
	return bind_rc(s, sqlite3_bind_blob64(raw(s), idx, p, n, SQLITE_TRANSIENT));
}

enum hat_err store_bind_null(struct store_stmt *s, int idx)
{
	return bind_rc(s, sqlite3_bind_null(raw(s), idx));
}

static enum hat_err bindv(struct store_stmt *s, const char *types, va_list ap)
{
	enum hat_err rc = HAT_OK;
	int idx = 1;
	int64_t v;

	for (const char *t = types; *t && rc == HAT_OK; t++, idx++) {
		switch (*t) {
		case 'i':
			rc = store_bind_int(s, idx, va_arg(ap, int64_t));
			break;
		case 'I':
			v = va_arg(ap, int64_t);
			rc = v == INT64_MIN ? store_bind_null(s, idx) : store_bind_int(s, idx, v);
			break;
		case 't':
			rc = store_bind_text(s, idx, va_arg(ap, const char *));
			break;
		case 'n':
			rc = store_bind_null(s, idx);
			break;
		default:
			return HAT_E_INTERNAL;
		}
	}
	return rc;
}

enum hat_err store_bindf(struct store_stmt *s, const char *types, ...)
{
	va_list ap;
	enum hat_err rc;

	va_start(ap, types);
	rc = bindv(s, types, ap);
	va_end(ap);
	return rc;
}

enum hat_err store_step(struct store_stmt *s, bool *row)
{
	int rc = sqlite3_step(raw(s));

	*row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return HAT_OK;
	rc = sqlite3_extended_errcode(sqlite3_db_handle(raw(s)));
	sqlite3_reset(raw(s));
	return map_rc(sqlite3_db_handle(raw(s)), rc, "step");
}

void store_done(struct store_stmt *s)
{
	if (s)
		sqlite3_reset(raw(s));
}

int64_t store_col_int(struct store_stmt *s, int col)
{
	return sqlite3_column_int64(raw(s), col);
}

const char *store_col_text(struct store_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(raw(s), col);

	return t ? (const char *)t : "";
}

const void *store_col_blob(struct store_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(raw(s), col);

	*len = (size_t)sqlite3_column_bytes(raw(s), col);
	return p;
}

bool store_col_is_null(struct store_stmt *s, int col)
{
	return sqlite3_column_type(raw(s), col) == SQLITE_NULL;
}

double store_col_real(struct store_stmt *s, int col)
{
	return sqlite3_column_double(raw(s), col);
}

size_t store_col_bytes(struct store_stmt *s, int col)
{
	return (size_t)sqlite3_column_bytes(raw(s), col);
}

enum store_type store_col_type(struct store_stmt *s, int col)
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

int store_col_count(struct store_stmt *s)
{
	return sqlite3_column_count(raw(s));
}

const char *store_col_name(struct store_stmt *s, int col)
{
	return sqlite3_column_name(raw(s), col);
}

int64_t store_changes(struct store_conn *c)
{
	return sqlite3_changes64(c->db);
}

int64_t store_last_id(struct store_conn *c)
{
	return sqlite3_last_insert_rowid(c->db);
}

enum hat_err store_query_int(struct store_conn *c, const char *sql, bool *found,
			     int64_t *out, const char *types, ...)
{
	struct store_stmt *s;
	enum hat_err rc;
	va_list ap;
	bool row = false;

	rc = store_prepare(c, sql, &s);
	if (rc != HAT_OK)
		return rc;
	va_start(ap, types);
	rc = bindv(s, types, ap);
	va_end(ap);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row && !store_col_is_null(s, 0))
		*out = store_col_int(s, 0);
	if (found)
		*found = rc == HAT_OK && row && !store_col_is_null(s, 0);
	store_done(s);
	return rc;
}

enum hat_err store_run(struct store_conn *c, const char *sql, const char *types, ...)
{
	struct store_stmt *s;
	enum hat_err rc;
	va_list ap;
	bool row;

	rc = store_prepare(c, sql, &s);
	if (rc != HAT_OK)
		return rc;
	va_start(ap, types);
	rc = bindv(s, types, ap);
	va_end(ap);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	return rc;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s);
	size_t b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static json_t *column_json(struct store_stmt *s, int col)
{
	const char *name = store_col_name(s, col);
	char out[26];

	switch (sqlite3_column_type(raw(s), col)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		if (ends_with(name, "_at")) {
			clock_format_utc(store_col_int(s, col), out);
			return json_string(out);
		}
		if (ends_with(name, "_date") || ends_with(name, "_on")) {
			clock_format_date((int32_t)store_col_int(s, col), out);
			return json_string(out);
		}
		if (strncmp(name, "is_", 3) == 0 || strncmp(name, "has_", 4) == 0)
			return json_boolean(store_col_int(s, col));
		return json_integer(store_col_int(s, col));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(raw(s), col));
	default:
		return json_string(store_col_text(s, col));
	}
}

enum hat_err store_row_json(struct store_stmt *s, json_t **out)
{
	json_t *obj = json_object();

	if (!obj)
		return HAT_E_NOMEM;
	for (int i = 0; i < store_col_count(s); i++) {
		const char *name = store_col_name(s, i);
		json_t *v;
		char key[64];

		/* A column aliased "x_json" holds JSON text: it is sent as the
		** value it encodes, under the key "x". */
		if (ends_with(name, "_json") && strlen(name) - 5 < sizeof key) {
			json_error_t jerr;

			snprintf(key, sizeof key, "%.*s", (int)(strlen(name) - 5), name);
			v = store_col_is_null(s, i)
				    ? json_null()
				    : json_loads(store_col_text(s, i), JSON_DECODE_ANY, &jerr);
			name = key;
		} else {
			v = column_json(s, i);
		}
		if (!v || json_object_set_new(obj, name, v) != 0) {
			json_decref(obj);
			return HAT_E_NOMEM;
		}
	}
	*out = obj;
	return HAT_OK;
}

static enum hat_err query_json_v(struct store_conn *c, const char *sql, json_t **out,
				 const char *types, va_list ap)
{
	struct store_stmt *s;
	enum hat_err rc;
	bool row;
	json_t *arr = NULL;
	json_t *obj;

	rc = store_prepare(c, sql, &s);
	if (rc != HAT_OK)
		return rc;
	rc = bindv(s, types, ap);
	if (rc != HAT_OK)
		goto out;
	arr = json_array();
	if (!arr) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	for (;;) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		rc = store_row_json(s, &obj);
		if (rc == HAT_OK && json_array_append_new(arr, obj) != 0)
			rc = HAT_E_NOMEM;
		if (rc != HAT_OK)
			break;
	}
out:
	store_done(s);
	if (rc != HAT_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return HAT_OK;
}

enum hat_err store_query_json(struct store_conn *c, const char *sql, json_t **out,
			      const char *types, ...)
{
	va_list ap;
	enum hat_err rc;

	va_start(ap, types);
	rc = query_json_v(c, sql, out, types, ap);
	va_end(ap);
	return rc;
}

enum hat_err store_query_row_json(struct store_conn *c, const char *sql, json_t **out,
				  const char *types, ...)
{
	json_t *rows = NULL;
	va_list ap;
	enum hat_err rc;

	va_start(ap, types);
	rc = query_json_v(c, sql, &rows, types, ap);
	va_end(ap);
	if (rc != HAT_OK)
		return rc;
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return *out ? HAT_OK : HAT_E_NOT_FOUND;
}

enum hat_err store_begin(struct store_conn *c)
{
	c->savepoint_depth = 0;
	return store_exec(c, "BEGIN IMMEDIATE");
}

enum hat_err store_commit(struct store_conn *c)
{
	return store_exec(c, "COMMIT");
}

void store_rollback(struct store_conn *c)
{
	if (!sqlite3_get_autocommit(c->db))
		store_exec(c, "ROLLBACK");
	c->savepoint_depth = 0;
}

enum hat_err store_savepoint(struct store_conn *c)
{
	enum hat_err rc = store_exec(c, "SAVEPOINT cmd");

	if (rc == HAT_OK)
		c->savepoint_depth++;
	return rc;
}

enum hat_err store_release(struct store_conn *c)
{
	enum hat_err rc = store_exec(c, "RELEASE cmd");

	if (rc == HAT_OK)
		c->savepoint_depth--;
	return rc;
}

enum hat_err store_rollback_to(struct store_conn *c)
{
	/* ROLLBACK TO keeps the savepoint open; RELEASE then closes it.  If
	** the ROLLBACK TO fails the savepoint's writes are still there, so
	** the caller must not commit: say so, and leave the RELEASE alone. */
	enum hat_err rc = store_exec(c, "ROLLBACK TO cmd");

	if (rc == HAT_OK)
		rc = store_exec(c, "RELEASE cmd");
	if (rc == HAT_OK)
		c->savepoint_depth--;
	return rc;
}

bool store_in_transaction(struct store_conn *c)
{
	return !sqlite3_get_autocommit(c->db);
}

enum hat_err store_backup(struct store_conn *c, const char *path,
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
	b = sqlite3_backup_init(dst, "main", c->db, "main");
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

struct store_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int size;
	int nfree;
	struct store_conn **free_conns;
};

enum hat_err store_pool_open(const char *path, int size, struct store_pool **out)
{
	struct store_pool *p = calloc(1, sizeof *p);
	enum hat_err rc = HAT_OK;

	if (!p)
		return HAT_E_NOMEM;
	p->free_conns = calloc((size_t)size, sizeof *p->free_conns);
	if (!p->free_conns) {
		free(p);
		return HAT_E_NOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	{
		/* Waits are measured on the monotonic clock, so that a change of
		** the wall clock neither cuts one short nor stretches it. */
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&p->freed, &attr);
		pthread_condattr_destroy(&attr);
	}
	p->size = size;
	for (int i = 0; i < size && rc == HAT_OK; i++) {
		rc = store_open(path, STORE_READ_ONLY, &p->free_conns[i]);
		if (rc == HAT_OK)
			p->nfree++;
	}
	if (rc != HAT_OK) {
		store_pool_close(p);
		return rc;
	}
	*out = p;
	return HAT_OK;
}

void store_pool_close(struct store_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nfree; i++)
		store_close(p->free_conns[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->free_conns);
	free(p);
}

enum hat_err store_pool_get(struct store_pool *p, int64_t wait_ms, struct store_conn **out)
{
	struct timespec until;
	enum hat_err rc = HAT_OK;

	*out = NULL;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(wait_ms / 1000);
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0 && rc == HAT_OK) {
		if (pthread_cond_timedwait(&p->freed, &p->lock, &until) == ETIMEDOUT &&
		    p->nfree == 0)
			rc = HAT_E_BUSY;
	}
	if (rc == HAT_OK)
		*out = p->free_conns[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void store_pool_put(struct store_pool *p, struct store_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&p->lock);
	p->free_conns[p->nfree++] = c;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

/* ---- Change tracking, for the audit binding ----------------------------- */

static bool ignored_column(const char *name, const char *const *ignored)
{
	for (size_t i = 0; ignored && ignored[i]; i++)
		if (strcmp(name, ignored[i]) == 0)
			return true;
	return false;
}

enum hat_err store_track_changes(struct store_conn *c, const char *table, int code,
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
	if (sqlite3_prepare_v2(c->db, "SELECT name FROM pragma_table_info(?) ORDER BY cid", -1,
			       &st, NULL) != SQLITE_OK)
		return map_rc(c->db, sqlite3_errcode(c->db), "track");
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
	if (rc == HAT_OK)
		c->tracking = true;
	return rc;
}

bool store_tracking(struct store_conn *c)
{
	return c->tracking;
}

void store_set_commit_hook(struct store_conn *c, enum hat_err (*fn)(struct store_conn *, void *),
			   void *arg)
{
	c->commit_hook = fn;
	c->commit_hook_arg = arg;
}

enum hat_err store_run_commit_hook(struct store_conn *c)
{
	return c->commit_hook ? c->commit_hook(c, c->commit_hook_arg) : HAT_OK;
}

bool store_migrated(struct store_conn *c)
{
	return c->migrated;
}

enum hat_err store_claim(const char *path, bool exclusive, int *handle)
{
	char lock[4096];
	int fd;
	int n = snprintf(lock, sizeof lock, "%s.lock", path);

	if (n < 0 || (size_t)n >= sizeof lock)
		return HAT_E_IO;
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("store: cannot open %s: %s", lock, strerror(errno));
		return HAT_E_IO;
	}
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		close(fd);
		return errno == EWOULDBLOCK ? HAT_E_BUSY : HAT_E_IO;
	}
	*handle = fd;
	return HAT_OK;
}

void store_unclaim(int handle)
{
	if (handle >= 0)
		close(handle);
}
