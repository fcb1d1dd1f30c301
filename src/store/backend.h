/*
** backend.h: what a storage backend gives store.c (private to src/store/).
**
** store.c implements store.h once: it chooses the backend from the database
** name at store_open (a "postgresql://" or "postgres://" URI is PostgreSQL,
** anything else a SQLite file) and passes each call to that backend through
** its table of operations.  Everything built from those operations (typed
** binding, one-row queries, rows as JSON, the reader pool) lives in store.c
** so that both backends share it.
**
** Every connection and statement a backend hands out begins with the common
** head below, so store.c can find its operations and the state store.h
** keeps for any backend.
*/
#ifndef HAT_STORE_BACKEND_H
#define HAT_STORE_BACKEND_H

#include "store.h"

struct store_ops;

struct store_conn {
	const struct store_ops *ops;
	bool migrated;
	bool tracking;
	enum hat_err (*commit_hook)(struct store_conn *, void *);
	void *commit_hook_arg;
};

struct store_stmt {
	const struct store_ops *ops;
};

/* How a table receiving a copy keeps its row ids. */
enum store_rowid {
	STORE_ROWID_NONE,      /* none (SQLite's WITHOUT ROWID) */
	STORE_ROWID_DERIVED,   /* the integer primary key's value */
	STORE_ROWID_OWN        /* a column of its own, copied */
};

struct store_ops {
	const char *name;
	enum hat_err (*open)(const char *path, enum store_mode mode, struct store_conn **out);
	void (*close)(struct store_conn *c);
	int (*schema_version)(struct store_conn *c);
	enum hat_err (*exec)(struct store_conn *c, const char *sql);
	enum hat_err (*prepare)(struct store_conn *c, const char *sql, struct store_stmt **out);
	enum hat_err (*bind_int)(struct store_stmt *s, int idx, int64_t v);
	enum hat_err (*bind_text)(struct store_stmt *s, int idx, const char *v);
	enum hat_err (*bind_blob)(struct store_stmt *s, int idx, const void *p, size_t n);
	enum hat_err (*bind_null)(struct store_stmt *s, int idx);
	enum hat_err (*step)(struct store_stmt *s, bool *row);
	void (*done)(struct store_stmt *s);
	int64_t (*col_int)(struct store_stmt *s, int col);
	const char *(*col_text)(struct store_stmt *s, int col);
	const void *(*col_blob)(struct store_stmt *s, int col, size_t *len);
	double (*col_real)(struct store_stmt *s, int col);
	size_t (*col_bytes)(struct store_stmt *s, int col);
	enum store_type (*col_type)(struct store_stmt *s, int col);
	int (*col_count)(struct store_stmt *s);
	const char *(*col_name)(struct store_stmt *s, int col);
	int64_t (*changes)(struct store_conn *c);
	int64_t (*last_id)(struct store_conn *c);
	enum hat_err (*begin)(struct store_conn *c);
	enum hat_err (*read_begin)(struct store_conn *c);
	enum hat_err (*commit)(struct store_conn *c);
	void (*rollback)(struct store_conn *c);
	enum hat_err (*savepoint)(struct store_conn *c);
	enum hat_err (*release)(struct store_conn *c);
	enum hat_err (*rollback_to)(struct store_conn *c);
	bool (*in_transaction)(struct store_conn *c);
	enum hat_err (*track_changes)(struct store_conn *c, const char *table, int code,
				      const char *const *ignored);
	/* Copies (see store_copy_start): how the receiving table keeps row
	** ids (enum store_rowid), and the start and finish. */
	int (*copy_rowid)(struct store_conn *to, const char *table);
	enum hat_err (*copy_start)(struct store_conn *to);
	enum hat_err (*copy_finish)(struct store_conn *to);
	enum hat_err (*backup)(struct store_conn *c, const char *path,
			       void (*progress)(int done, int total, void *arg), void *arg);
	/* The cached statements' counters (store_stmt_stats); NULL: none. */
	void (*stmt_stats)(struct store_conn *c,
			   void (*fn)(const char *sql, long long runs, long long steps,
				      long long fullscan, long long sorts, void *arg),
			   void *arg);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
