/*
** store.c: store.h for any backend (see backend.h).
**
** The calls that reach the database go to the connection's backend; the
** ones built from them (typed binding, one-row queries, rows as JSON, the
** reader pool, the claim) are written once here.
*/
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "migrate.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"

bool store_is_postgresql(const char *path)
{
	return path && (strncmp(path, "postgresql://", 13) == 0 ||
			strncmp(path, "postgres://", 11) == 0);
}

void store_display_name(const char *path, char *out, size_t n)
{
	size_t o = 0;
	const char *p = path;
	const char *auth_end;

	if (!n)
		return;
	out[0] = '\0';
	if (!store_is_postgresql(path)) {
		snprintf(out, n, "%s", path);
		return;
	}
	/* scheme://[user[:password]@]host...: the password goes. */
	p = strstr(path, "://") + 3;
	auth_end = strpbrk(p, "@/?");
	while (path < p && o + 1 < n)
		out[o++] = *path++;
	if (auth_end && *auth_end == '@') {
		const char *colon = memchr(p, ':', (size_t)(auth_end - p));
		const char *user_end = colon ? colon : auth_end;

		while (p < user_end && o + 1 < n)
			out[o++] = *p++;
		p = auth_end;
	}
	while (*p && o + 1 < n) {
		bool at_param = (p[-1] == '?' || p[-1] == '&');

		if (at_param && strncmp(p, "password=", 9) == 0) {
			for (const char *r = "password=***"; *r && o + 1 < n; r++)
				out[o++] = *r;
			p += 9;
			while (*p && *p != '&')
				p++;
			continue;
		}
		out[o++] = *p++;
	}
	out[o] = '\0';
}

bool store_conn_is_postgresql(struct store_conn *c)
{
	return c->ops == &store_pg_ops;
}

enum hat_err store_open(const char *path, enum store_mode mode, struct store_conn **out)
{
	const struct store_ops *ops = store_is_postgresql(path) ? &store_pg_ops : &store_sqlite_ops;

	return ops->open(path, mode, out);
}

void store_close(struct store_conn *c)
{
	if (c)
		c->ops->close(c);
}

int store_schema_version(struct store_conn *c)
{
	return c->ops->schema_version(c);
}

int store_schema_latest(void)
{
	return store_migration_count ? store_migrations[store_migration_count - 1].version : 0;
}

enum hat_err store_exec(struct store_conn *c, const char *sql)
{
	return c->ops->exec(c, sql);
}

enum hat_err store_prepare(struct store_conn *c, const char *sql, struct store_stmt **out)
{
	return c->ops->prepare(c, sql, out);
}

enum hat_err store_bind_int(struct store_stmt *s, int idx, int64_t v)
{
	return s->ops->bind_int(s, idx, v);
}

enum hat_err store_bind_text(struct store_stmt *s, int idx, const char *v)
{
	if (!v)
		return s->ops->bind_null(s, idx);
	return s->ops->bind_text(s, idx, v);
}

enum hat_err store_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n)
{
	return s->ops->bind_blob(s, idx, p, n);
}

enum hat_err store_bind_null(struct store_stmt *s, int idx)
{
	return s->ops->bind_null(s, idx);
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
	return s->ops->step(s, row);
}

void store_done(struct store_stmt *s)
{
	if (s)
		s->ops->done(s);
}

int64_t store_col_int(struct store_stmt *s, int col)
{
	return s->ops->col_int(s, col);
}

const char *store_col_text(struct store_stmt *s, int col)
{
	return s->ops->col_text(s, col);
}

const void *store_col_blob(struct store_stmt *s, int col, size_t *len)
{
	return s->ops->col_blob(s, col, len);
}

bool store_col_is_null(struct store_stmt *s, int col)
{
	return s->ops->col_type(s, col) == STORE_NULL;
}

double store_col_real(struct store_stmt *s, int col)
{
	return s->ops->col_real(s, col);
}

size_t store_col_bytes(struct store_stmt *s, int col)
{
	return s->ops->col_bytes(s, col);
}

enum store_type store_col_type(struct store_stmt *s, int col)
{
	return s->ops->col_type(s, col);
}

int store_col_count(struct store_stmt *s)
{
	return s->ops->col_count(s);
}

const char *store_col_name(struct store_stmt *s, int col)
{
	return s->ops->col_name(s, col);
}

int64_t store_changes(struct store_conn *c)
{
	return c->ops->changes(c);
}

int64_t store_last_id(struct store_conn *c)
{
	return c->ops->last_id(c);
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

	switch (store_col_type(s, col)) {
	case STORE_NULL:
		return json_null();
	case STORE_INT:
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
	case STORE_REAL:
		return json_real(store_col_real(s, col));
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

void store_stmt_stats(struct store_conn *c,
		      void (*fn)(const char *sql, long long runs, long long steps,
				 long long fullscan, long long sorts, void *arg),
		      void *arg)
{
	if (c->ops->stmt_stats)
		c->ops->stmt_stats(c, fn, arg);
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
	return c->ops->begin(c);
}

enum hat_err store_query_ids(struct store_conn *c, const char *sql, int64_t **ids, size_t *n)
{
	struct store_stmt *s = NULL;
	size_t cap = 0;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql, &s);

	*ids = NULL;
	*n = 0;
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		if (*n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			int64_t *grown = realloc(*ids, ncap * sizeof *grown);

			if (!grown) {
				rc = HAT_E_NOMEM;
				break;
			}
			*ids = grown;
			cap = ncap;
		}
		(*ids)[(*n)++] = store_col_int(s, 0);
	}
	store_done(s);
	if (rc != HAT_OK) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

enum hat_err store_read_begin(struct store_conn *c, bool *began)
{
	enum hat_err rc = HAT_OK;

	*began = !store_in_transaction(c);
	if (*began)
		rc = c->ops->read_begin(c);
	if (rc != HAT_OK)
		*began = false;
	return rc;
}

void store_read_end(struct store_conn *c, bool began)
{
	/* Nothing was written: ending it either way keeps nothing. */
	if (began)
		c->ops->rollback(c);
}

enum hat_err store_commit(struct store_conn *c)
{
	return c->ops->commit(c);
}

void store_rollback(struct store_conn *c)
{
	c->ops->rollback(c);
}

enum hat_err store_savepoint(struct store_conn *c)
{
	return c->ops->savepoint(c);
}

enum hat_err store_release(struct store_conn *c)
{
	return c->ops->release(c);
}

enum hat_err store_rollback_to(struct store_conn *c)
{
	return c->ops->rollback_to(c);
}

bool store_in_transaction(struct store_conn *c)
{
	return c->ops->in_transaction(c);
}

enum hat_err store_track_changes(struct store_conn *c, const char *table, int code,
				 const char *const *ignored)
{
	enum hat_err rc = c->ops->track_changes(c, table, code, ignored);

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

enum hat_err store_backup(struct store_conn *c, const char *path,
			  void (*progress)(int done, int total, void *arg), void *arg)
{
	return c->ops->backup(c, path, progress, arg);
}

enum hat_err store_claim(const char *path, bool exclusive, int *handle)
{
	char lock[4096];
	int fd;
	int n;

	/* A server database is shared by design (several hatd may serve it);
	** it has no lock file, and its backups are the server's own. */
	if (store_is_postgresql(path)) {
		if (exclusive)
			return HAT_E_BUSY;
		*handle = -1;
		return HAT_OK;
	}
	n = snprintf(lock, sizeof lock, "%s.lock", path);
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

/* ---- Copies between stores ---------------------------------------------- */

enum hat_err store_copy_start(struct store_conn *to)
{
	return to->ops->copy_start(to);
}

enum hat_err store_copy_finish(struct store_conn *to)
{
	return to->ops->copy_finish(to);
}

/* The SQL of a copy.  Statements are cached by the address of their SQL,
** so the strings a copy prepares live until store_copy_release, after the
** connections that cached them are closed: a later string at a freed one's
** address would be handed the old statement. */
struct copy_sql_kept {
	struct copy_sql_kept *next;
	char sql[];
};

static struct copy_sql_kept *copy_kept;

/* a b c as one string, kept until store_copy_release. */
static char *copy_sql_kept(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	struct copy_sql_kept *k = malloc(sizeof *k + n);

	if (!k)
		return NULL;
	snprintf(k->sql, n, "%s%s%s", a, b, c);
	k->next = copy_kept;
	copy_kept = k;
	return k->sql;
}

/* The same, freed by the caller (a part of a statement, never prepared). */
static char *copy_sql(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s%s", a, b, c);
	return s;
}

void store_copy_release(void)
{
	while (copy_kept) {
		struct copy_sql_kept *next = copy_kept->next;

		free(copy_kept);
		copy_kept = next;
	}
}

static enum hat_err copy_bind(struct store_stmt *from, int col, struct store_stmt *to, int idx)
{
	char num[32];
	size_t len;
	const void *p;

	switch (store_col_type(from, col)) {
	case STORE_NULL:
		return store_bind_null(to, idx);
	case STORE_INT:
		return store_bind_int(to, idx, store_col_int(from, col));
	case STORE_REAL:
		snprintf(num, sizeof num, "%.17g", store_col_real(from, col));
		return store_bind_text(to, idx, num);
	case STORE_TEXT:
		return store_bind_text(to, idx, store_col_text(from, col));
	default:
		p = store_col_blob(from, col, &len);
		return store_bind_blob(to, idx, p ? p : "", len);
	}
}

enum hat_err store_copy_table(struct store_conn *from, struct store_conn *to, const char *table,
			      int64_t *rows)
{
	int kind = to->ops->copy_rowid(to, table);
	bool own = kind == STORE_ROWID_OWN;
	char *select = copy_sql_kept(own ? "SELECT rowid, * FROM \"" : "SELECT * FROM \"",
				     table, "\"");
	char *insert = NULL;
	struct store_stmt *s = NULL, *ins;
	enum hat_err rc;
	bool row, done;
	int first;

	*rows = 0;
	if (kind < 0 || !select)
		return kind < 0 ? HAT_E_STORE : HAT_E_NOMEM;
	rc = store_prepare(from, select, &s);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		first = own ? 1 : 0;
		if (!insert) {
			/* The columns as the source names them, so that the two
			** stores' column orders need not agree. */
			struct buf cols, vals;

			buf_init(&cols, 1u << 16);
			buf_init(&vals, 1u << 16);
			for (int i = first; i < store_col_count(s); i++) {
				buf_printf(&cols, "%s\"%s\"", i > first ? ", " : "",
					   store_col_name(s, i));
				buf_puts(&vals, i > first ? ", ?" : "?");
			}
			if (own) {
				buf_puts(&cols, ", rowid");
				buf_puts(&vals, ", ?");
			}
			insert = NULL;
			if (cols.data && vals.data) {
				char *head = copy_sql("INSERT INTO \"", table, "\" (");
				char *mid = head ? copy_sql(head, cols.data, ") VALUES (") : NULL;

				insert = mid ? copy_sql_kept(mid, vals.data, ")") : NULL;
				free(head);
				free(mid);
			}
			buf_free(&cols);
			buf_free(&vals);
			if (!insert) {
				rc = HAT_E_NOMEM;
				break;
			}
		}
		rc = store_prepare(to, insert, &ins);
		for (int i = first, idx = 1; rc == HAT_OK && i < store_col_count(s); i++, idx++)
			rc = copy_bind(s, i, ins, idx);
		if (rc == HAT_OK && own)
			rc = copy_bind(s, 0, ins, store_col_count(s));
		if (rc == HAT_OK)
			rc = store_step(ins, &done);
		store_done(ins);
		if (rc == HAT_OK)
			(*rows)++;
	}
	store_done(s);
	return rc;
}

/* ---- The reader pool ------------------------------------------------------ */

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
