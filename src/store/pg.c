/*
** pg.c: the PostgreSQL backend of store.h, on libpq.
**
** Statements are hat's SQLite-dialect SQL translated once per connection
** (pg_sql.c) and cached by the address of the literal, as in sqlite.c.
** Each is sent with PQexecParams, parameters as text of unknown type (the
** server infers each from where it stands, as SQLite would take it) and
** blobs as binary bytea; the whole result is held, so that a caller may
** run other statements on the connection while it reads rows, as it may
** with SQLite.
**
** Several processes may write one database (several hatd, hatctl).  Every
** write transaction takes one transaction-scoped advisory lock as it
** begins (the counterpart of SQLite's BEGIN IMMEDIATE): writers queue on
** it, so the audit chain's head is read and advanced by one transaction at
** a time and never forks, and in READ COMMITTED each statement after the
** lock sees every transaction committed before it.  Group commit still
** batches the jobs of one process into one transaction.  A serialisation
** failure or deadlock (which that lock leaves no room for, but a writer
** that is not hat's might cause) is HAT_E_BUSY, which the writer's callers
** retry as they retry a busy SQLite database.
**
** A statement that fails inside a transaction aborts the whole transaction
** in PostgreSQL, where SQLite fails only that statement.  Every command
** runs in its own savepoint and a command that meets an error is refused
** (cmd.c), so the writer's ROLLBACK TO clears the failure either way; and
** should a command go on after a failed statement, its RELEASE fails on
** the aborted transaction and it is refused, never half-kept.
**
** The schema version lives in hat_meta.schema_version (SQLite keeps it in
** PRAGMA user_version); the schema "hat_meta" also holds nothing else.
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "backend.h"
#include "migrate.h"
#include "pg_sql.h"
#include "util/buf.h"
#include "util/log.h"

#define STMT_CACHE_SLOTS 512
/* The advisory lock every write transaction takes ("hat" in ASCII). */
#define WRITE_LOCK_KEY 6840692
/* Type OIDs (from the server's catalogue; stable across versions). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

struct pg_stmt {
	struct store_stmt base;
	struct pg_conn *c;
	char *sql;          /* translated */
	bool write;         /* INSERT, UPDATE or DELETE */
	bool returning;     /* "RETURNING rowid" was added to learn the row id */
	bool prepared;      /* on the server, as name */
	char name[16];
	int nparams;
	char **vals;
	int *lens;
	int *fmts;
	Oid *types;
	PGresult *res;
	int row;
	int nrows;
	unsigned char **blobs; /* decoded bytea of the current row, by column */
	size_t *bloblens;
	int ncols;
};

struct stmt_slot {
	const char *sql;
	struct pg_stmt *stmt;
};

struct pg_conn {
	struct store_conn base;
	PGconn *db;
	bool writable;
	int64_t changes;
	int64_t last_id;
	char **rowid_tables; /* tables with a rowid column, loaded when first needed */
	int nrowid_tables;
	bool rowid_loaded;
	struct stmt_slot cache[STMT_CACHE_SLOTS];
};

static struct pg_conn *pg(struct store_conn *c)
{
	return (struct pg_conn *)c;
}

static struct pg_stmt *ps(struct store_stmt *s)
{
	return (struct pg_stmt *)s;
}

/* Maps a failed result to hat's errors, as sqlite.c maps SQLite's. */
static enum hat_err map_res(struct pg_conn *c, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (state) {
		if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
			return HAT_E_CONFLICT;
		if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
		    strcmp(state, "55P03") == 0)
			return HAT_E_BUSY;
		if (strncmp(state, "53", 2) == 0)
			return HAT_E_NOMEM;
	}
	log_error("store: %s failed: %s", what,
		  r ? PQresultErrorMessage(r) : PQerrorMessage(c->db));
	return HAT_E_STORE;
}

static enum hat_err run_plain(struct pg_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->db, sql);
	ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum hat_err rc = HAT_OK;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
		rc = map_res(c, r, "exec");
	PQclear(r);
	return rc;
}

static bool starts_with_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '(')
		s++;
	return strncasecmp(s, w, n) == 0 && !(s[n] == '_' || (s[n] >= 'a' && s[n] <= 'z') ||
					       (s[n] >= 'A' && s[n] <= 'Z'));
}

static enum hat_err pg_exec(struct store_conn *base, const char *sql)
{
	struct pg_conn *c = pg(base);
	char *t;
	enum hat_err rc;

	/* SQLite's tuning (journal, checkpoints, sync) means nothing here. */
	if (starts_with_word(sql, "PRAGMA"))
		return HAT_OK;
	t = pg_sql_translate(sql, NULL);
	if (!t)
		return HAT_E_STORE;
	rc = run_plain(c, t);
	free(t);
	return rc;
}

/* ---- Schema and migrations ------------------------------------------------ */

/* Functions the translated schema calls.  Replaced on every writable open,
** so a newer build's definitions win. */
static const char sql_functions[] =
	"CREATE SCHEMA IF NOT EXISTS hat_meta;"
	"CREATE TABLE IF NOT EXISTS hat_meta.schema_version (version integer NOT NULL);"
	"CREATE OR REPLACE FUNCTION hat_refuse() RETURNS trigger LANGUAGE plpgsql AS $f$"
	" BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'P0001'; END $f$;"
	/* The change tracking of store_track_changes: a session that has not
	** asked for it (set hat.track) records nothing. */
	"CREATE OR REPLACE FUNCTION hat_track() RETURNS trigger LANGUAGE plpgsql AS $f$"
	" BEGIN"
	"  IF current_setting('hat.track', true) IS DISTINCT FROM 'on' THEN RETURN NULL; END IF;"
	"  IF TG_OP <> 'INSERT' THEN INSERT INTO hat_touched VALUES (TG_ARGV[0]::bigint,"
	"   OLD.rowid) ON CONFLICT DO NOTHING; END IF;"
	"  IF TG_OP <> 'DELETE' THEN INSERT INTO hat_touched VALUES (TG_ARGV[0]::bigint,"
	"   NEW.rowid) ON CONFLICT DO NOTHING; END IF;"
	"  RETURN NULL;"
	" END $f$;"
	/* SQLite's json_extract as hat uses it: the value at a "$.key" path as
	** text (true and false as 1 and 0, objects and arrays as JSON). */
	"CREATE OR REPLACE FUNCTION hat_json_extract(doc text, path text) RETURNS text"
	" LANGUAGE sql IMMUTABLE AS $f$"
	" SELECT CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}'"
	"  WHEN 'boolean' THEN CASE WHEN v = 'true'::jsonb THEN '1' ELSE '0' END"
	"  WHEN 'null' THEN NULL ELSE v::text END"
	" FROM (SELECT (doc::jsonb) #> string_to_array(substr(path, 3), '.') AS v) x $f$;"
	/* SQLite's group_concat(x): the values joined with commas. */
	"CREATE OR REPLACE FUNCTION hat_group_concat_step(acc text, v text) RETURNS text"
	" LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN v IS NULL THEN acc"
	" WHEN acc IS NULL THEN v ELSE acc || ',' || v END $f$;"
	"CREATE OR REPLACE AGGREGATE group_concat(text)"
	" (SFUNC = hat_group_concat_step, STYPE = text);"
	"CREATE OR REPLACE FUNCTION hat_group_concat_step(acc text, v bigint) RETURNS text"
	" LANGUAGE sql IMMUTABLE AS $f$ SELECT hat_group_concat_step(acc, v::text) $f$;"
	"CREATE OR REPLACE AGGREGATE group_concat(bigint)"
	" (SFUNC = hat_group_concat_step, STYPE = text);"
	"CREATE OR REPLACE FUNCTION hat_group_concat_step(acc text, v text, sep text)"
	" RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT CASE WHEN v IS NULL THEN acc"
	" WHEN acc IS NULL THEN v ELSE acc || sep || v END $f$;"
	"CREATE OR REPLACE AGGREGATE group_concat(text, text)"
	" (SFUNC = hat_group_concat_step, STYPE = text);"
	/* SQLite's randomblob(n), n at most 32, from the server's strong
	** random source (gen_random_uuid; two of them, 244 random bits, hashed). */
	"CREATE OR REPLACE FUNCTION randomblob(n bigint) RETURNS bytea LANGUAGE sql VOLATILE AS $f$"
	" SELECT substring(sha256(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text,"
	" '-', ''), 'hex')) FROM 1 FOR n::int) $f$;";

static int pg_schema_version(struct store_conn *base)
{
	struct pg_conn *c = pg(base);
	PGresult *r;
	int v = -1;

	/* A database hat has never opened has no version table: version 0. */
	r = PQexec(c->db, "SELECT to_regclass('hat_meta.schema_version') IS NULL");
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    *PQgetvalue(r, 0, 0) == 't')
		v = 0;
	PQclear(r);
	if (v == 0)
		return 0;
	r = PQexec(c->db, "SELECT coalesce(max(version), 0) FROM hat_meta.schema_version");
	if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return v;
}

static enum hat_err pg_begin(struct store_conn *base);
static enum hat_err pg_commit(struct store_conn *base);
static void pg_rollback(struct store_conn *base);

static enum hat_err apply_migrations(struct pg_conn *c)
{
	enum hat_err rc;
	int current;
	char sql[128];

	/* Under the write lock, so that two servers starting on a new
	** database do not both migrate it. */
	rc = pg_begin(&c->base);
	if (rc != HAT_OK)
		return rc;
	rc = run_plain(c, sql_functions);
	if (rc != HAT_OK)
		goto fail;
	current = pg_schema_version(&c->base);
	if (current < 0) {
		log_error("store: the database's schema version cannot be read");
		rc = HAT_E_STORE;
		goto fail;
	}
	if (current > store_schema_latest()) {
		log_error("store: the database is at schema %d, newer than this build (%d)",
			  current, store_schema_latest());
		rc = HAT_E_STORE;
		goto fail;
	}
	for (int i = 0; i < store_migration_count; i++) {
		const struct store_migration *m = &store_migrations[i];

		if (m->version <= current)
			continue;
		rc = pg_exec(&c->base, m->sql);
		if (rc == HAT_OK) {
			snprintf(sql, sizeof sql,
				 "DELETE FROM hat_meta.schema_version;"
				 "INSERT INTO hat_meta.schema_version VALUES (%d)", m->version);
			rc = run_plain(c, sql);
		}
		if (rc != HAT_OK) {
			log_error("store: migration %s failed", m->name);
			goto fail;
		}
		c->base.migrated = true;
	}
	return pg_commit(&c->base);
fail:
	pg_rollback(&c->base);
	return rc;
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void pg_close(struct store_conn *base);

static enum hat_err pg_open(const char *path, enum store_mode mode, struct store_conn **out)
{
	struct pg_conn *c = calloc(1, sizeof *c);
	enum hat_err rc;

	if (!c)
		return HAT_E_NOMEM;
	c->base.ops = &store_pg_ops;
	c->db = PQconnectdb(path);
	if (!c->db || PQstatus(c->db) != CONNECTION_OK) {
		/* The message may hold the URI, which may hold a password:
		** libpq's text names the server, not the credentials. */
		log_error("store: cannot connect to PostgreSQL: %s",
			  c->db ? PQerrorMessage(c->db) : "out of memory");
		rc = HAT_E_IO;
		goto fail;
	}
	PQsetNoticeProcessor(c->db, quiet, NULL);
	c->writable = mode != STORE_READ_ONLY;
	rc = run_plain(c, "SET client_min_messages = warning;"
			  "SET default_transaction_isolation = 'read committed'");
	/* A reader's BEGIN is a snapshot, as in SQLite: every statement of
	** the transaction sees the same committed state (verify reads the
	** chain and the rows in one), which READ COMMITTED would not give. */
	if (rc == HAT_OK && !c->writable)
		rc = run_plain(c, "SET default_transaction_read_only = on;"
				  "SET default_transaction_isolation = 'repeatable read'");
	if (rc == HAT_OK && c->writable)
		rc = apply_migrations(c);
	if (rc != HAT_OK)
		goto fail;
	*out = &c->base;
	return HAT_OK;
fail:
	pg_close(&c->base);
	return rc;
}

static void stmt_clear_row(struct pg_stmt *s)
{
	for (int i = 0; i < s->ncols; i++) {
		PQfreemem(s->blobs[i]);
		s->blobs[i] = NULL;
	}
}

static void stmt_free(struct pg_stmt *s)
{
	if (!s)
		return;
	stmt_clear_row(s);
	PQclear(s->res);
	for (int i = 0; i < s->nparams; i++)
		free(s->vals[i]);
	free(s->vals);
	free(s->lens);
	free(s->fmts);
	free(s->types);
	free(s->blobs);
	free(s->bloblens);
	free(s->sql);
	free(s);
}

static void pg_close(struct store_conn *base)
{
	struct pg_conn *c = pg(base);

	for (int i = 0; i < STMT_CACHE_SLOTS; i++)
		stmt_free(c->cache[i].stmt);
	for (int i = 0; i < c->nrowid_tables; i++)
		free(c->rowid_tables[i]);
	free(c->rowid_tables);
	PQfinish(c->db);
	free(c);
}

/* ---- Statements ----------------------------------------------------------- */

static enum hat_err load_rowid_tables(struct pg_conn *c)
{
	PGresult *r;
	int n;

	if (c->rowid_loaded)
		return HAT_OK;
	r = PQexec(c->db, "SELECT table_name FROM information_schema.columns"
			  " WHERE table_schema = current_schema() AND column_name = 'rowid'");
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		enum hat_err rc = map_res(c, r, "rowid tables");

		PQclear(r);
		return rc;
	}
	n = PQntuples(r);
	c->rowid_tables = calloc((size_t)n + 1, sizeof *c->rowid_tables);
	if (!c->rowid_tables) {
		PQclear(r);
		return HAT_E_NOMEM;
	}
	for (int i = 0; i < n; i++) {
		c->rowid_tables[i] = strdup(PQgetvalue(r, i, 0));
		if (!c->rowid_tables[i]) {
			PQclear(r);
			return HAT_E_NOMEM;
		}
		c->nrowid_tables++;
	}
	PQclear(r);
	c->rowid_loaded = true;
	return HAT_OK;
}

/* For "INSERT INTO name ...": true when name has a rowid column, whose
** value store_last_id must then give. */
static bool insert_into_rowid_table(struct pg_conn *c, const char *sql)
{
	const char *p = sql;
	char name[128];
	size_t n = 0;

	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (strncasecmp(p, "INSERT", 6) != 0)
		return false;
	p += 6;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (strncasecmp(p, "INTO", 4) != 0)
		return false;
	p += 4;
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (*p == '"')
		p++;
	while ((*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) &&
	       n < sizeof name - 1)
		name[n++] = *p++;
	name[n] = '\0';
	if (load_rowid_tables(c) != HAT_OK)
		return false;
	for (int i = 0; i < c->nrowid_tables; i++)
		if (strcmp(c->rowid_tables[i], name) == 0)
			return true;
	return false;
}

static enum hat_err stmt_new(struct pg_conn *c, const char *sql, struct pg_stmt **out)
{
	struct pg_stmt *s = calloc(1, sizeof *s);
	int n = 0;
	size_t slots;

	if (!s)
		return HAT_E_NOMEM;
	s->base.ops = &store_pg_ops;
	s->c = c;
	s->sql = pg_sql_translate(sql, &n);
	if (!s->sql) {
		log_error("store: cannot translate for PostgreSQL: %s", sql);
		free(s);
		return HAT_E_STORE;
	}
	s->write = starts_with_word(s->sql, "INSERT") || starts_with_word(s->sql, "UPDATE") ||
		   starts_with_word(s->sql, "DELETE");
	if (insert_into_rowid_table(c, s->sql) && !strstr(s->sql, "RETURNING")) {
		size_t len = strlen(s->sql);
		char *m;

		while (len && (s->sql[len - 1] == ';' || s->sql[len - 1] == ' ' ||
			       s->sql[len - 1] == '\n'))
			len--;
		m = malloc(len + sizeof " RETURNING rowid");
		if (!m) {
			stmt_free(s);
			return HAT_E_NOMEM;
		}
		memcpy(m, s->sql, len);
		memcpy(m + len, " RETURNING rowid", sizeof " RETURNING rowid");
		free(s->sql);
		s->sql = m;
		s->returning = true;
	}
	s->nparams = n;
	slots = (size_t)(n > 0 ? n : 1);
	s->vals = calloc(slots, sizeof *s->vals);
	s->lens = calloc(slots, sizeof *s->lens);
	s->fmts = calloc(slots, sizeof *s->fmts);
	s->types = calloc(slots, sizeof *s->types);
	if (!s->vals || !s->lens || !s->fmts || !s->types) {
		stmt_free(s);
		return HAT_E_NOMEM;
	}
	*out = s;
	return HAT_OK;
}

static void stmt_reset(struct pg_stmt *s)
{
	stmt_clear_row(s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
}

static enum hat_err pg_prepare(struct store_conn *base, const char *sql, struct store_stmt **out)
{
	struct pg_conn *c = pg(base);
	uintptr_t h = (uintptr_t)sql;
	size_t i;
	struct pg_stmt *s;
	enum hat_err rc;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	i = (size_t)(h >> 40) & (STMT_CACHE_SLOTS - 1);
	for (size_t n = 0; n < STMT_CACHE_SLOTS; n++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
		if (c->cache[i].sql == sql) {
			s = c->cache[i].stmt;
			stmt_reset(s);
			for (int k = 0; k < s->nparams; k++) {
				free(s->vals[k]);
				s->vals[k] = NULL;
				s->lens[k] = 0;
				s->fmts[k] = 0;
				s->types[k] = 0;
			}
			*out = &s->base;
			return HAT_OK;
		}
		if (!c->cache[i].sql)
			break;
	}
	if (c->cache[i].sql)
		return HAT_E_INTERNAL;
	rc = stmt_new(c, sql, &s);
	if (rc != HAT_OK)
		return rc;
	s->row = -1;
	snprintf(s->name, sizeof s->name, "hat%zu", i);
	c->cache[i].sql = sql;
	c->cache[i].stmt = s;
	*out = &s->base;
	return HAT_OK;
}

static enum hat_err set_param(struct pg_stmt *s, int idx, char *v, int len, int fmt, Oid type)
{
	if (idx < 1 || idx > s->nparams) {
		free(v);
		/* SQLite refuses a bind past the statement's parameters too. */
		log_error("store: bind: parameter %d of %d", idx, s->nparams);
		return HAT_E_STORE;
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = v;
	s->lens[idx - 1] = len;
	s->fmts[idx - 1] = fmt;
	s->types[idx - 1] = type;
	return HAT_OK;
}

static enum hat_err pg_bind_int(struct store_stmt *s, int idx, int64_t v)
{
	char *t = malloc(24);

	if (!t)
		return HAT_E_NOMEM;
	snprintf(t, 24, "%" PRId64, v);
	return set_param(ps(s), idx, t, 0, 0, 0);
}

static enum hat_err pg_bind_text(struct store_stmt *s, int idx, const char *v)
{
	char *t = strdup(v);

	if (!t)
		return HAT_E_NOMEM;
	return set_param(ps(s), idx, t, 0, 0, 0);
}

static enum hat_err pg_bind_blob(struct store_stmt *s, int idx, const void *p, size_t n)
{
	char *t = malloc(n ? n : 1);

	if (!t)
		return HAT_E_NOMEM;
	if (n)
		memcpy(t, p, n);
	return set_param(ps(s), idx, t, (int)n, 1, OID_BYTEA);
}

static enum hat_err pg_bind_null(struct store_stmt *s, int idx)
{
	return set_param(ps(s), idx, NULL, 0, 0, 0);
}

static bool in_txn(struct pg_conn *c)
{
	return PQtransactionStatus(c->db) != PQTRANS_IDLE;
}


/* Prepares s on the server.  A parameter whose type nothing in the
** statement tells ("? IS NULL") is taken as text, as SQLite would compare
** it: the server names it, and the preparation is tried again. */
static enum hat_err prepare_on_server(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	Oid types[64] = { 0 };
	enum hat_err rc = HAT_OK;
	/* A failed preparation inside a transaction would abort it: try under
	** a savepoint (preparations outlive a rollback). */
	bool guard = in_txn(c);

	if (s->nparams > (int)(sizeof types / sizeof types[0]))
		return HAT_E_INTERNAL;
	if (guard && (rc = run_plain(c, "SAVEPOINT hat_prepare")) != HAT_OK)
		return rc;
	for (int attempt = 0; attempt <= s->nparams; attempt++) {
		PGresult *r = PQprepare(c->db, s->name, s->sql, s->nparams, types);
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
		const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
		const char *at = msg ? strstr(msg, "parameter $") : NULL;

		if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			s->prepared = true;
			rc = HAT_OK;
			break;
		}
		if (guard)
			run_plain(c, "ROLLBACK TO hat_prepare");
		if (state && (strcmp(state, "42P18") == 0 || strcmp(state, "42P08") == 0) && at) {
			long n = strtol(at + 11, NULL, 10);

			if (n >= 1 && n <= s->nparams && types[n - 1] == 0) {
				types[n - 1] = OID_TEXT;
				PQclear(r);
				continue;
			}
		}
		rc = map_res(c, r, "prepare");
		log_debug("store: the statement was: %s", s->sql);
		PQclear(r);
		break;
	}
	if (guard)
		run_plain(c, "RELEASE hat_prepare");
	return rc;
}

static enum hat_err execute(struct pg_stmt *s)
{
	struct pg_conn *c = s->c;
	ExecStatusType st;
	enum hat_err rc = HAT_OK;

	/* Prepared on the server the first time it runs (the types of its
	** parameters inferred there, once), then only executed. */
	if (!s->prepared) {
		rc = prepare_on_server(s);
		if (rc != HAT_OK)
			return rc;
	}
	s->res = PQexecPrepared(c->db, s->name, s->nparams, (const char *const *)s->vals,
				s->lens, s->fmts, 0);
	st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(s->res);

		if (s->write)
			c->changes = *n ? strtoll(n, NULL, 10) : 0;
		s->nrows = st == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		if (s->returning) {
			if (s->nrows > 0)
				c->last_id = strtoll(PQgetvalue(s->res, s->nrows - 1, 0), NULL, 10);
			s->nrows = 0;
		}
		s->ncols = PQnfields(s->res);
		if (s->ncols > 0 && !s->blobs) {
			s->blobs = calloc((size_t)s->ncols, sizeof *s->blobs);
			s->bloblens = calloc((size_t)s->ncols, sizeof *s->bloblens);
			if (!s->blobs || !s->bloblens)
				rc = HAT_E_NOMEM;
		}
	} else {
		rc = map_res(c, s->res, "step");
		if (rc != HAT_E_CONFLICT)
			log_debug("store: the statement was: %s", s->sql);
		PQclear(s->res);
		s->res = NULL;
		s->ncols = 0;
		s->nrows = 0;
	}
	return rc;
}

static enum hat_err pg_step(struct store_stmt *base, bool *row)
{
	struct pg_stmt *s = ps(base);
	enum hat_err rc;

	*row = false;
	if (!s->res) {
		rc = execute(s);
		if (rc != HAT_OK)
			return rc;
		s->row = -1;
	}
	stmt_clear_row(s);
	if (s->row < s->nrows)
		s->row++;
	*row = s->row < s->nrows;
	return HAT_OK;
}

static void pg_done(struct store_stmt *s)
{
	stmt_reset(ps(s));
}

static bool have_value(struct pg_stmt *s, int col)
{
	return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < s->ncols &&
	       !PQgetisnull(s->res, s->row, col);
}

static enum store_type pg_col_type(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);

	if (!have_value(s, col))
		return STORE_NULL;
	switch (PQftype(s->res, col)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return STORE_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return STORE_REAL;
	case OID_NUMERIC:
		/* sum() of integers is numeric here and an integer in SQLite. */
		return strchr(PQgetvalue(s->res, s->row, col), '.') ? STORE_REAL : STORE_INT;
	case OID_BYTEA:
		return STORE_BLOB;
	default:
		return STORE_TEXT;
	}
}

static int64_t pg_col_int(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);
	const char *v;

	if (!have_value(s, col))
		return 0;
	v = PQgetvalue(s->res, s->row, col);
	if (PQftype(s->res, col) == OID_BOOL)
		return *v == 't';
	if (PQftype(s->res, col) == OID_FLOAT8 || PQftype(s->res, col) == OID_FLOAT4)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_real(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);

	if (!have_value(s, col))
		return 0;
	if (PQftype(s->res, col) == OID_BOOL)
		return *PQgetvalue(s->res, s->row, col) == 't';
	return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *pg_col_text(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);

	if (!have_value(s, col))
		return "";
	if (PQftype(s->res, col) == OID_BOOL)
		return *PQgetvalue(s->res, s->row, col) == 't' ? "1" : "0";
	return PQgetvalue(s->res, s->row, col);
}

static const void *pg_col_blob(struct store_stmt *base, int col, size_t *len)
{
	struct pg_stmt *s = ps(base);

	*len = 0;
	if (!have_value(s, col))
		return NULL;
	if (PQftype(s->res, col) != OID_BYTEA) {
		*len = (size_t)PQgetlength(s->res, s->row, col);
		return PQgetvalue(s->res, s->row, col);
	}
	if (!s->blobs[col]) {
		s->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(s->res, s->row, col),
						&s->bloblens[col]);
		if (!s->blobs[col])
			return NULL;
	}
	*len = s->bloblens[col];
	return s->blobs[col];
}

static size_t pg_col_bytes(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);
	size_t len;

	if (!have_value(s, col))
		return 0;
	if (PQftype(s->res, col) == OID_BYTEA) {
		pg_col_blob(base, col, &len);
		return len;
	}
	if (PQftype(s->res, col) == OID_BOOL)
		return 1;
	return (size_t)PQgetlength(s->res, s->row, col);
}

static int pg_col_count(struct store_stmt *base)
{
	struct pg_stmt *s = ps(base);

	return s->res ? PQnfields(s->res) : 0;
}

static const char *pg_col_name(struct store_stmt *base, int col)
{
	struct pg_stmt *s = ps(base);
	const char *n = s->res ? PQfname(s->res, col) : NULL;

	return n ? n : "";
}

static int64_t pg_changes(struct store_conn *c)
{
	return pg(c)->changes;
}

static int64_t pg_last_id(struct store_conn *c)
{
	return pg(c)->last_id;
}

/* ---- Transactions --------------------------------------------------------- */

static enum hat_err pg_begin(struct store_conn *base)
{
	struct pg_conn *c = pg(base);
	char sql[96];

	if (!c->writable)
		return run_plain(c, "BEGIN");
	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%d)", WRITE_LOCK_KEY);
	return run_plain(c, sql);
}

/* READ COMMITTED would give each statement its own snapshot. */
static enum hat_err pg_read_begin(struct store_conn *base)
{
	return run_plain(pg(base), "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

static void pg_rollback(struct store_conn *base)
{
	struct pg_conn *c = pg(base);

	if (in_txn(c))
		run_plain(c, "ROLLBACK");
}

static enum hat_err pg_commit(struct store_conn *base)
{
	struct pg_conn *c = pg(base);

	/* COMMIT of a failed transaction "succeeds" by rolling back: say it
	** failed instead, as nothing of it is kept. */
	if (PQtransactionStatus(c->db) == PQTRANS_INERROR) {
		log_error("store: commit of a failed transaction; rolled back");
		pg_rollback(base);
		return HAT_E_STORE;
	}
	return run_plain(c, "COMMIT");
}

static enum hat_err pg_savepoint(struct store_conn *c)
{
	return run_plain(pg(c), "SAVEPOINT cmd");
}

static enum hat_err pg_release(struct store_conn *c)
{
	return run_plain(pg(c), "RELEASE cmd");
}

static enum hat_err pg_rollback_to(struct store_conn *c)
{
	enum hat_err rc = run_plain(pg(c), "ROLLBACK TO cmd");

	if (rc == HAT_OK)
		rc = run_plain(pg(c), "RELEASE cmd");
	return rc;
}

static bool pg_in_transaction(struct store_conn *c)
{
	return in_txn(pg(c));
}

/* ---- Change tracking ------------------------------------------------------ */

static bool ignored_column(const char *name, const char *const *ignored)
{
	for (size_t i = 0; ignored && ignored[i]; i++)
		if (strcmp(name, ignored[i]) == 0)
			return true;
	return false;
}

static enum hat_err pg_track_changes(struct store_conn *base, const char *table, int code,
				     const char *const *ignored)
{
	struct pg_conn *c = pg(base);
	const char *params[1] = { table };
	struct buf sql;
	PGresult *r;
	bool any_ignored = false;
	enum hat_err rc;
	int n;

	rc = run_plain(c, "CREATE TEMP TABLE IF NOT EXISTS hat_touched ("
			  " tbl bigint NOT NULL, rid bigint NOT NULL, PRIMARY KEY (tbl, rid));"
			  "SET hat.track = 'on'");
	if (rc != HAT_OK)
		return rc;
	r = PQexecParams(c->db, "SELECT column_name FROM information_schema.columns"
				" WHERE table_schema = current_schema() AND table_name = $1"
				" ORDER BY ordinal_position",
			 1, NULL, params, NULL, NULL, 0);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = map_res(c, r, "track");
		PQclear(r);
		return rc;
	}
	n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		log_error("store: cannot track %s: no such table", table);
		return HAT_E_STORE;
	}
	buf_init(&sql, 1u << 20);
	/* Triggers are schema objects here (PostgreSQL has no temporary
	** ones), so they are created under the write lock, once per server
	** start, and record only for a session that set hat.track. */
	buf_printf(&sql, "BEGIN; SELECT pg_advisory_xact_lock(%d);"
			 "CREATE OR REPLACE TRIGGER \"hat_track_%s_id\" AFTER INSERT OR DELETE"
			 " ON \"%s\" FOR EACH ROW EXECUTE FUNCTION hat_track('%d');"
			 "CREATE OR REPLACE TRIGGER \"hat_track_%s_u\" AFTER UPDATE",
		   WRITE_LOCK_KEY, table, table, code, table);
	for (int i = 0; i < n; i++)
		any_ignored |= ignored_column(PQgetvalue(r, i, 0), ignored);
	if (any_ignored) {
		bool first = true;

		buf_puts(&sql, " OF ");
		for (int i = 0; i < n; i++) {
			const char *col = PQgetvalue(r, i, 0);

			if (ignored_column(col, ignored) || strcmp(col, "rowid") == 0)
				continue;
			buf_printf(&sql, "%s\"%s\"", first ? "" : ", ", col);
			first = false;
		}
	}
	rc = buf_printf(&sql, " ON \"%s\" FOR EACH ROW EXECUTE FUNCTION hat_track('%d'); COMMIT",
			table, code);
	PQclear(r);
	if (rc == HAT_OK)
		rc = run_plain(c, sql.data);
	if (rc != HAT_OK && in_txn(c))
		run_plain(c, "ROLLBACK");
	buf_free(&sql);
	return rc;
}

/* ---- Receiving a copy ----------------------------------------------------- */

static int pg_copy_rowid(struct store_conn *base, const char *table)
{
	struct pg_conn *c = pg(base);
	const char *params[1] = { table };
	PGresult *r = PQexecParams(c->db, "SELECT is_generated FROM information_schema.columns"
					  " WHERE table_schema = current_schema()"
					  " AND table_name = $1 AND column_name = 'rowid'",
				   1, NULL, params, NULL, NULL, 0);
	int kind = -1;

	if (r && PQresultStatus(r) == PGRES_TUPLES_OK)
		kind = PQntuples(r) == 0			 ? STORE_ROWID_NONE
		       : strcmp(PQgetvalue(r, 0, 0), "ALWAYS") == 0 ? STORE_ROWID_DERIVED
								: STORE_ROWID_OWN;
	else
		map_res(c, r, "copy");
	PQclear(r);
	return kind;
}

/* Every table of the schema, as one comma-separated list of names. */
static enum hat_err each_table(struct pg_conn *c, struct buf *out)
{
	PGresult *r = PQexec(c->db, "SELECT tablename FROM pg_tables"
				    " WHERE schemaname = current_schema() ORDER BY tablename");
	enum hat_err rc = HAT_OK;

	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = map_res(c, r, "copy");
		PQclear(r);
		return rc;
	}
	for (int i = 0; i < PQntuples(r) && rc == HAT_OK; i++)
		rc = buf_printf(out, "%s\"%s\"", i ? ", " : "", PQgetvalue(r, i, 0));
	PQclear(r);
	return rc;
}

static enum hat_err pg_copy_start(struct store_conn *base)
{
	struct pg_conn *c = pg(base);
	struct buf sql;
	PGresult *r;
	enum hat_err rc;
	bool empty;

	r = PQexec(c->db, "SELECT count(*) FROM audit_events");
	empty = r && PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0;
	PQclear(r);
	if (!empty) {
		log_error("store: the database receiving the copy already holds a record");
		return HAT_E_CONFLICT;
	}
	/* TRUNCATE fires no row triggers: the migrations' seed rows go, and
	** the copy brings the source's own. */
	buf_init(&sql, 1u << 20);
	rc = buf_puts(&sql, "SET LOCAL session_replication_role = replica; TRUNCATE ");
	if (rc == HAT_OK)
		rc = each_table(c, &sql);
	if (rc == HAT_OK)
		rc = run_plain(c, sql.data);
	buf_free(&sql);
	return rc;
}

static enum hat_err pg_copy_finish(struct store_conn *base)
{
	struct pg_conn *c = pg(base);
	PGresult *r = PQexec(c->db, "SELECT table_name, column_name FROM information_schema.columns"
				    " WHERE table_schema = current_schema() AND is_identity = 'YES'");
	enum hat_err rc = HAT_OK;

	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = map_res(c, r, "copy");
		PQclear(r);
		return rc;
	}
	for (int i = 0; i < PQntuples(r) && rc == HAT_OK; i++) {
		struct buf sql;

		buf_init(&sql, 4096);
		rc = buf_printf(&sql, "SELECT setval(pg_get_serial_sequence('\"%s\"', '%s'),"
				      " coalesce(max(\"%s\"), 0) + 1, false) FROM \"%s\"",
				PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 1),
				PQgetvalue(r, i, 0));
		if (rc == HAT_OK)
			rc = run_plain(c, sql.data);
		buf_free(&sql);
	}
	PQclear(r);
	if (rc == HAT_OK)
		rc = run_plain(c, "SET LOCAL session_replication_role = origin");
	return rc;
}

static enum hat_err pg_backup(struct store_conn *c, const char *path,
			      void (*progress)(int done, int total, void *arg), void *arg)
{
	(void)c;
	(void)path;
	(void)progress;
	(void)arg;
	log_error("store: a PostgreSQL database is backed up with PostgreSQL's own tools"
		  " (pg_dump, a base backup; see docs/operations.md)");
	return HAT_E_STORE;
}

const struct store_ops store_pg_ops = {
	.name = "postgresql",
	.open = pg_open,
	.close = pg_close,
	.schema_version = pg_schema_version,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int = pg_bind_int,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.done = pg_done,
	.col_int = pg_col_int,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.col_real = pg_col_real,
	.col_bytes = pg_col_bytes,
	.col_type = pg_col_type,
	.col_count = pg_col_count,
	.col_name = pg_col_name,
	.changes = pg_changes,
	.last_id = pg_last_id,
	.begin = pg_begin,
	.read_begin = pg_read_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.savepoint = pg_savepoint,
	.release = pg_release,
	.rollback_to = pg_rollback_to,
	.in_transaction = pg_in_transaction,
	.track_changes = pg_track_changes,
	.copy_rowid = pg_copy_rowid,
	.copy_start = pg_copy_start,
	.copy_finish = pg_copy_finish,
	.backup = pg_backup,
};
