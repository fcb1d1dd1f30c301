/*
** rows.c: see rows.h.
**
** A row's canonical bytes, in canon.h's encoding: the table's name, the row
** id, then for each column in the table's order that is neither NULL nor
** ignored (tables.c), its name, a one-byte type tag ('i' integer, 'r' real,
** 't' text, 'b' blob) and its value (integers in decimal, reals as %.17g,
** text and blobs as their bytes).  The fingerprint is the first 16 bytes of
** a personalised BLAKE2b of those bytes: a forger needs a second preimage,
** which 128 bits put out of reach.
**
** The verifier walks each table in row-id order beside its bindings in the
** same order (the audit_rows_row index), so it reads each row once, in
** constant memory, whatever the size of the record.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "canon.h"
#include "util/clock.h"
#include "util/log.h"

static const unsigned char row_personal[crypto_generichash_blake2b_PERSONALBYTES] =
	"hat-row-v1\0\0\0\0\0";
static const unsigned char rows_personal[crypto_generichash_blake2b_PERSONALBYTES] =
	"hat-rows-v1\0\0\0\0";

/* ---- Per-table SQL, built once from the declaration ---------------------- */

/* store_prepare caches statements by the address of their SQL, so each
** table's statements are built once and live as long as the process. */
struct table_sql {
	char *one;     /* the row with a given row id */
	char *scan;    /* every row, in row-id order */
	char *unbound; /* note the rows no event binds */
	char *since;   /* rows past a row id that no event after a seq binds */
};

static struct table_sql *sqls;
static pthread_once_t sqls_once = PTHREAD_ONCE_INIT;

/* before "table" after, as a new string.  Table names come from the
** declaration, never from input. */
static char *sql_around(const char *before, const char *table, const char *after)
{
	size_t n = strlen(before) + strlen(table) + strlen(after) + 3;
	char *out = malloc(n);

	if (out)
		snprintf(out, n, "%s\"%s\"%s", before, table, after);
	return out;
}

static void sqls_build(void)
{
	struct table_sql *t = calloc(audit_table_count, sizeof *t);

	if (!t)
		return;
	for (size_t i = 0; i < audit_table_count; i++) {
		const char *name = audit_tables[i].name;

		t[i].one = sql_around("SELECT rowid, * FROM ", name, " WHERE rowid = ?");
		t[i].scan = sql_around("SELECT rowid, * FROM ", name, " ORDER BY rowid");
		t[i].unbound = sql_around("INSERT OR IGNORE INTO hat_touched (tbl, rid) SELECT ?1, rowid"
					  " FROM ", name, " WHERE rowid NOT IN"
					  " (SELECT row_id FROM audit_rows WHERE tbl = ?1)");
		t[i].since = sql_around("SELECT rowid FROM ", name, " WHERE rowid > ?3 AND rowid NOT IN"
					" (SELECT row_id FROM audit_rows WHERE tbl = ?1 AND seq > ?2)"
					" ORDER BY rowid");
		if (!t[i].one || !t[i].scan || !t[i].unbound || !t[i].since)
			return;
	}
	sqls = t;
}

static const struct table_sql *sql_of(const struct audit_table *t)
{
	pthread_once(&sqls_once, sqls_build);
	return sqls ? &sqls[t - audit_tables] : NULL;
}

/* ---- Fingerprints --------------------------------------------------------- */

static bool ignored(const struct audit_table *t, const char *name)
{
	for (size_t i = 0; t->ignored && t->ignored[i]; i++)
		if (strcmp(t->ignored[i], name) == 0)
			return true;
	return false;
}

/* Writes the canonical bytes of the current row of s (column 0 the row id,
** the others the table's) into b. */
static void row_bytes(struct store_stmt *s, const struct audit_table *t, struct canon_buf *b)
{
	int cols = store_col_count(s);
	char num[32];
	size_t len;
	const void *p;

	canon_buf_str(b, t->name);
	canon_buf_int(b, store_col_int(s, 0));
	for (int i = 1; i < cols && !b->failed; i++) {
		enum store_type type = store_col_type(s, i);
		const char *name;

		if (type == STORE_NULL)
			continue;
		name = store_col_name(s, i);
		/* A store without implicit row ids (PostgreSQL) keeps them in a
		** column of that name: it is the row id of column 0, not data. */
		if (strcmp(name, "rowid") == 0)
			continue;
		if (t->ignored && ignored(t, name))
			continue;
		canon_buf_str(b, name);
		switch (type) {
		case STORE_INT:
			canon_buf_field(b, "i", 1);
			canon_buf_int(b, store_col_int(s, i));
			break;
		case STORE_REAL:
			canon_buf_field(b, "r", 1);
			snprintf(num, sizeof num, "%.17g", store_col_real(s, i));
			canon_buf_str(b, num);
			break;
		case STORE_TEXT:
			canon_buf_field(b, "t", 1);
			p = store_col_text(s, i);
			canon_buf_field(b, p, (size_t)store_col_bytes(s, i));
			break;
		default:
			canon_buf_field(b, "b", 1);
			p = store_col_blob(s, i, &len);
			canon_buf_field(b, p, len);
			break;
		}
	}
}

/* The fingerprint of the current row of s: its canonical bytes built in a
** buffer and hashed in one call, or, for a row too large for the buffer,
** fed to the hash field by field. */
static void row_hash(struct store_stmt *s, const struct audit_table *t,
		     unsigned char fp[AUDIT_FP_BYTES])
{
	unsigned char stack[4096];
	struct canon_buf b = { stack, 0, sizeof stack, false, NULL };
	crypto_generichash_blake2b_state st;

	row_bytes(s, t, &b);
	if (!b.failed) {
		crypto_generichash_blake2b_salt_personal(fp, AUDIT_FP_BYTES, b.p, b.len, NULL, 0,
							 NULL, row_personal);
		return;
	}
	crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, AUDIT_FP_BYTES, NULL,
						      row_personal);
	b.st = &st;
	b.failed = false;
	row_bytes(s, t, &b);
	crypto_generichash_blake2b_final(&st, fp, AUDIT_FP_BYTES);
}

enum hat_err audit_row_fingerprint(struct store_conn *c, const struct audit_table *t,
				   int64_t row_id, unsigned char fp[AUDIT_FP_BYTES], bool *exists)
{
	const struct table_sql *q = sql_of(t);
	struct store_stmt *s;
	enum hat_err rc;

	*exists = false;
	if (!q)
		return HAT_E_NOMEM;
	rc = store_prepare(c, q->one, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, row_id);
	if (rc == HAT_OK)
		rc = store_step(s, exists);
	if (rc == HAT_OK && *exists)
		row_hash(s, t, fp);
	store_done(s);
	return rc;
}

void audit_rows_digest_init(crypto_generichash_blake2b_state *st)
{
	crypto_generichash_blake2b_init_salt_personal(st, NULL, 0, AUDIT_ROWS_DIGEST_BYTES, NULL,
						      rows_personal);
}

void audit_rows_digest_add(crypto_generichash_blake2b_state *st, int64_t tbl, int64_t row_id,
			   const void *fp, size_t len)
{
	canon_int(st, tbl);
	canon_int(st, row_id);
	canon_field(st, fp, len);
}

/* ---- Binding rows to events ----------------------------------------------- */

static int access_code(void)
{
	const struct audit_table *t = audit_table_named("access_log");

	return t ? t->code : -1;
}

/* Forgets the rows noted for binding (the access log's wait for the seal). */
static enum hat_err rows_forget(struct store_conn *c)
{
	if (!store_tracking(c))
		return HAT_OK;
	return store_run(c, "DELETE FROM hat_touched WHERE tbl <> ?", "i", (int64_t)access_code());
}

bool audit_rows_pending(struct store_conn *c)
{
	int64_t n = 0;

	/* On a failed look-up, say yes: the binding that follows meets the same
	** failure and refuses the command. */
	if (!store_tracking(c))
		return false;
	if (store_query_int(c, "SELECT count(*) FROM hat_touched WHERE tbl <> ?", NULL, &n, "i",
			    (int64_t)access_code()) != HAT_OK)
		return true;
	return n > 0;
}

enum hat_err audit_rows_bind(struct store_conn *c, int64_t seq,
			     unsigned char digest[AUDIT_ROWS_DIGEST_BYTES], bool *any)
{
	static const char sql_touched[] =
		"SELECT tbl, rid FROM hat_touched WHERE tbl <> ? ORDER BY tbl, rid";
	static const char sql_put[] =
		"INSERT INTO audit_rows (seq, tbl, row_id, fp) VALUES (?, ?, ?, ?)";
	crypto_generichash_blake2b_state st;
	struct store_stmt *s = NULL;
	struct store_stmt *put;
	unsigned char fp[AUDIT_FP_BYTES];
	enum hat_err rc;
	bool row, exists;

	*any = false;
	if (!store_tracking(c))
		return HAT_OK;
	rc = store_prepare(c, sql_touched, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, access_code());
	while (rc == HAT_OK) {
		int64_t tbl, rid;
		const struct audit_table *t;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		tbl = store_col_int(s, 0);
		rid = store_col_int(s, 1);
		t = audit_table_coded((int)tbl);
		if (!t) {
			rc = HAT_E_INTERNAL;
			break;
		}
		rc = audit_row_fingerprint(c, t, rid, fp, &exists);
		if (rc != HAT_OK)
			break;
		if (!*any)
			audit_rows_digest_init(&st);
		*any = true;
		/* A deleted row is bound with an empty fingerprint. */
		audit_rows_digest_add(&st, tbl, rid, fp, exists ? AUDIT_FP_BYTES : 0);
		rc = store_prepare(c, sql_put, &put);
		if (rc == HAT_OK)
			rc = store_bindf(put, "iii", seq, tbl, rid);
		if (rc == HAT_OK)
			rc = store_bind_blob(put, 4, fp, exists ? AUDIT_FP_BYTES : 0);
		if (rc == HAT_OK)
			rc = store_step(put, &row);
		store_done(put);
	}
	store_done(s);
	if (rc == HAT_OK && *any) {
		crypto_generichash_blake2b_final(&st, digest, AUDIT_ROWS_DIGEST_BYTES);
		rc = rows_forget(c);
	}
	return rc;
}

/* ---- Sealing the access log ----------------------------------------------- */

/* The digest of access-log rows (after, upto], in id order, and how many
** there are and the latest time among them. */
static enum hat_err access_digest(struct store_conn *c, int64_t after, int64_t upto,
				  unsigned char digest[AUDIT_ROWS_DIGEST_BYTES], int64_t *rows,
				  int64_t *latest_at)
{
	static const char sql[] =
		"SELECT rowid, * FROM access_log WHERE id > ? AND id <= ? ORDER BY id";
	const struct audit_table *t = audit_table_named("access_log");
	crypto_generichash_blake2b_state st;
	unsigned char fp[AUDIT_FP_BYTES];
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(c, sql, &s);

	*rows = 0;
	*latest_at = 0;
	audit_rows_digest_init(&st);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", after, upto);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		row_hash(s, t, fp);
		audit_rows_digest_add(&st, t->code, store_col_int(s, 0), fp, sizeof fp);
		(*rows)++;
		if (store_col_int(s, 2) > *latest_at)
			*latest_at = store_col_int(s, 2);
	}
	store_done(s);
	crypto_generichash_blake2b_final(&st, digest, AUDIT_ROWS_DIGEST_BYTES);
	return rc;
}

static const char sql_last_seal[] =
	"SELECT coalesce(max(entity_id), 0) FROM audit_events WHERE entity = 'access_log'"
	" AND action = 'access_log.seal'";

/* The writer's commit hook: one event seals the access-log rows this batch
** added, so that a read record changed or removed by hand is caught. */
static enum hat_err seal_access(struct store_conn *c, void *arg)
{
	unsigned char digest[AUDIT_ROWS_DIGEST_BYTES];
	char hex[2 * AUDIT_ROWS_DIGEST_BYTES + 1];
	int64_t sealed = 0, upto = 0, rows = 0, latest = 0;
	bool found = false;
	json_t *detail;
	enum hat_err rc;

	(void)arg;
	rc = store_query_int(c, "SELECT max(rid) FROM hat_touched WHERE tbl = ?", &found, &upto,
			     "i", (int64_t)access_code());
	if (rc != HAT_OK || !found || upto == 0)
		return rc;
	rc = store_query_int(c, sql_last_seal, NULL, &sealed, "");
	if (rc == HAT_OK)
		rc = access_digest(c, sealed, upto, digest, &rows, &latest);
	if (rc != HAT_OK)
		return rc;
	sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
	detail = json_pack("{s:I, s:I, s:I, s:s}", "after_id", (json_int_t)sealed, "to_id",
			   (json_int_t)upto, "rows", (json_int_t)rows, "digest", hex);
	if (!detail)
		return HAT_E_NOMEM;
	rc = audit_append_event(c, latest, 0, "access_log.seal", "access_log", upto, detail, false);
	json_decref(detail);
	if (rc == HAT_OK)
		rc = store_run(c, "DELETE FROM hat_touched WHERE tbl = ?", "i",
			       (int64_t)access_code());
	return rc;
}

/* ---- Installing ------------------------------------------------------------ */

/* Binds, in one event, every row no event binds yet: the rows a migration
** seeded, and a database's rows from before rows were bound. */
static enum hat_err bind_existing(struct store_conn *c)
{
	int64_t pending = 0, sealed = 0;
	json_t *detail;
	enum hat_err rc = store_begin(c);

	for (size_t i = 0; rc == HAT_OK && i < audit_table_count; i++) {
		const struct audit_table *t = &audit_tables[i];
		const struct table_sql *q = sql_of(t);

		if (t->kind != AUDIT_BOUND)
			continue;
		if (!q) {
			rc = HAT_E_NOMEM;
			break;
		}
		rc = store_run(c, q->unbound, "i", (int64_t)t->code);
	}
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM hat_touched WHERE tbl <> ?", NULL,
				     &pending, "i", (int64_t)access_code());
	if (rc == HAT_OK && pending > 0) {
		detail = json_pack("{s:I, s:i}", "rows_bound", (json_int_t)pending, "schema",
				   store_schema_version(c));
		rc = detail ? audit_append(c, clock_now(), 0, "schema.migrate", "schema",
					   store_schema_version(c), detail)
			    : HAT_E_NOMEM;
		json_decref(detail);
	}
	/* The access log's rows from before it was sealed. */
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_last_seal, NULL, &sealed, "");
	if (rc == HAT_OK)
		rc = store_run(c, "INSERT OR IGNORE INTO hat_touched (tbl, rid) SELECT ?, id"
				  " FROM access_log WHERE id > ?",
			       "ii", (int64_t)access_code(), sealed);
	if (rc == HAT_OK)
		rc = seal_access(c, NULL);
	if (rc == HAT_OK)
		return store_commit(c);
	store_rollback(c);
	return rc;
}

enum hat_err audit_rows_install(struct store_conn *c)
{
	enum hat_err rc = HAT_OK;

	if (!sql_of(&audit_tables[0]))
		return HAT_E_NOMEM;
	for (size_t i = 0; rc == HAT_OK && i < audit_table_count; i++) {
		const struct audit_table *t = &audit_tables[i];

		if (t->kind == AUDIT_BOUND || t->kind == AUDIT_SEALED)
			rc = store_track_changes(c, t->name, t->code, t->ignored);
	}
	if (rc != HAT_OK)
		return rc;
	store_set_commit_hook(c, seal_access, NULL);
	if (store_migrated(c))
		rc = bind_existing(c);
	return rc;
}

/* ---- Verifying -------------------------------------------------------------- */

static const char *action_of(struct store_conn *c, int64_t seq, char *out, size_t n)
{
	static const char sql[] = "SELECT action FROM audit_events WHERE seq = ?";
	struct store_stmt *s;
	bool row = false;

	snprintf(out, n, "?");
	if (store_prepare(c, sql, &s) == HAT_OK && store_bind_int(s, 1, seq) == HAT_OK &&
	    store_step(s, &row) == HAT_OK && row)
		snprintf(out, n, "%s", store_col_text(s, 0));
	store_done(s);
	return out;
}

/* What can be wrong with a row against its latest binding. */
enum row_problem { ROW_INSERTED, ROW_MISSING, ROW_PUT_BACK, ROW_CHANGED };

/* Adds the finding for row rid of t, whose latest binding is event seq
** (0 for ROW_INSERTED: no event binds it). */
static void report_row(struct store_conn *c, struct audit_findings *f,
		       const struct audit_table *t, int64_t rid, int64_t seq,
		       enum row_problem problem)
{
	char action[64];
	long long r = (long long)rid, q = (long long)seq;

	switch (problem) {
	case ROW_INSERTED:
		audit_findings_add(f, 0, t->name, rid, "row_unaccounted",
				   "%s row %lld is not accounted for by any audit event"
				   " (inserted outside hat)", t->name, r);
		break;
	case ROW_MISSING:
		audit_findings_add(f, seq, t->name, rid, "row_missing",
				   "%s row %lld, written by audit event %lld (%s), is missing"
				   " (deleted outside hat)", t->name, r, q,
				   action_of(c, seq, action, sizeof action));
		break;
	case ROW_PUT_BACK:
		audit_findings_add(f, seq, t->name, rid, "row_unaccounted",
				   "%s row %lld was deleted by audit event %lld (%s) but is"
				   " there (put back outside hat)", t->name, r, q,
				   action_of(c, seq, action, sizeof action));
		break;
	case ROW_CHANGED:
		audit_findings_add(f, seq, t->name, rid, "row_changed",
				   "%s row %lld differs from what audit event %lld (%s)"
				   " recorded (changed outside hat)", t->name, r, q,
				   action_of(c, seq, action, sizeof action));
		break;
	}
}

/* One table against its bindings: two cursors in row-id order. */
static enum hat_err verify_table(struct store_conn *c, const struct audit_table *t,
				 struct audit_findings *f, int64_t *done,
				 void (*progress)(int64_t, int64_t, void *), void *arg)
{
	static const char sql_bindings[] =
		"SELECT row_id, seq, fp FROM audit_rows WHERE tbl = ? ORDER BY row_id, seq";
	const struct table_sql *q = sql_of(t);
	struct store_stmt *rows = NULL;
	struct store_stmt *b = NULL;
	unsigned char fp[AUDIT_FP_BYTES];
	unsigned char bound_fp[AUDIT_FP_BYTES];
	bool have_row = false, have_b = false;
	enum hat_err rc;

	if (!q)
		return HAT_E_NOMEM;
	rc = store_prepare(c, q->scan, &rows);
	if (rc == HAT_OK)
		rc = store_step(rows, &have_row);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_bindings, &b);
	if (rc == HAT_OK)
		rc = store_bind_int(b, 1, t->code);
	if (rc == HAT_OK)
		rc = store_step(b, &have_b);
	while (rc == HAT_OK && (have_row || have_b)) {
		int64_t rid = have_row ? store_col_int(rows, 0) : INT64_MAX;
		int64_t brid = have_b ? store_col_int(b, 0) : INT64_MAX;
		int64_t seq = 0;
		size_t len = 0;
		const void *p;

		if (brid <= rid) {
			/* The latest binding of brid is the last in seq order. */
			while (rc == HAT_OK && have_b && store_col_int(b, 0) == brid) {
				seq = store_col_int(b, 1);
				p = store_col_blob(b, 2, &len);
				if (len == AUDIT_FP_BYTES)
					memcpy(bound_fp, p, len);
				rc = store_step(b, &have_b);
			}
			if (rc != HAT_OK)
				break;
		}
		if (rid < brid) {
			report_row(c, f, t, rid, 0, ROW_INSERTED);
		} else if (rid > brid) {
			if (len != 0)
				report_row(c, f, t, brid, seq, ROW_MISSING);
			continue; /* the row cursor stays where it is */
		} else if (len == 0) {
			report_row(c, f, t, rid, seq, ROW_PUT_BACK);
		} else {
			row_hash(rows, t, fp);
			if (memcmp(fp, bound_fp, AUDIT_FP_BYTES) != 0)
				report_row(c, f, t, rid, seq, ROW_CHANGED);
		}
		rc = store_step(rows, &have_row);
		if (progress && (++*done & 0xffff) == 0)
			progress(*done, 0, arg);
	}
	store_done(rows);
	store_done(b);
	return rc;
}

/* The access log against its seals: each seal's digest over the rows it
** covers, and no row after the last seal (every batch seals its own). */
static enum hat_err verify_access(struct store_conn *c, int64_t from_seq,
				  struct audit_findings *f)
{
	static const char sql_seals[] =
		"SELECT seq, detail FROM audit_events WHERE entity = 'access_log'"
		" AND action = 'access_log.seal' AND seq > ? ORDER BY entity_id, seq";
	static const char sql_sealed_before[] =
		"SELECT coalesce(max(entity_id), 0) FROM audit_events WHERE entity = 'access_log'"
		" AND action = 'access_log.seal' AND seq <= ?";
	unsigned char digest[AUDIT_ROWS_DIGEST_BYTES];
	char hex[2 * AUDIT_ROWS_DIGEST_BYTES + 1];
	struct store_stmt *s = NULL;
	int64_t after = 0, rows, latest, extra = 0;
	bool row;
	enum hat_err rc = store_query_int(c, sql_sealed_before, NULL, &after, "i", from_seq);

	if (rc == HAT_OK)
		rc = store_prepare(c, sql_seals, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, from_seq);

	while (rc == HAT_OK) {
		json_error_t jerr;
		json_t *d;
		int64_t seq, to, want_rows;
		const char *want;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		seq = store_col_int(s, 0);
		d = json_loads(store_col_text(s, 1), 0, &jerr);
		to = (int64_t)json_integer_value(json_object_get(d, "to_id"));
		want_rows = (int64_t)json_integer_value(json_object_get(d, "rows"));
		want = json_string_value(json_object_get(d, "digest"));
		rc = access_digest(c, after, to, digest, &rows, &latest);
		if (rc == HAT_OK) {
			sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
			if (rows != want_rows || !want || strcmp(hex, want) != 0)
				audit_findings_add(f, seq, "access_log", to, "access_log_changed",
						   "access_log rows %lld to %lld differ from their seal,"
						   " audit event %lld (%lld rows sealed, %lld there)",
						   (long long)after + 1, (long long)to, (long long)seq,
						   (long long)want_rows, (long long)rows);
		}
		json_decref(d);
		if (to > after)
			after = to;
	}
	store_done(s);
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM access_log WHERE id > ?", NULL, &extra,
				     "i", after);
	if (rc == HAT_OK && extra > 0)
		audit_findings_add(f, 0, "access_log", after + 1, "access_log_unsealed",
				   "%lld access_log row(s) after row %lld are sealed by no audit event"
				   " (inserted outside hat)", (long long)extra, (long long)after);
	return rc;
}

enum hat_err audit_rows_verify(struct store_conn *c, struct audit_findings *f,
			       void (*progress)(int64_t done, int64_t total, void *arg),
			       void *arg)
{
	enum hat_err rc = HAT_OK;
	int64_t done = 0;
	bool own_txn = false;

	if (!store_in_transaction(c)) {
		rc = store_exec(c, "BEGIN");
		if (rc != HAT_OK)
			return rc;
		own_txn = true;
	}
	for (size_t i = 0; rc == HAT_OK && i < audit_table_count; i++)
		if (audit_tables[i].kind == AUDIT_BOUND)
			rc = verify_table(c, &audit_tables[i], f, &done, progress, arg);
	if (rc == HAT_OK)
		rc = verify_access(c, 0, f);
	if (own_txn)
		store_rollback(c);
	return rc;
}

/* ---- Verifying what was added after a head ------------------------------ */

/* Every row bound after from_seq, against its latest binding. */
static enum hat_err verify_bound_since(struct store_conn *c, int64_t from_seq,
				       struct audit_findings *f)
{
	static const char sql[] =
		"SELECT r.tbl, r.row_id, r.seq, r.fp FROM audit_rows r WHERE r.seq > ?1"
		" AND r.seq = (SELECT max(q.seq) FROM audit_rows q WHERE q.tbl = r.tbl"
		" AND q.row_id = r.row_id) ORDER BY r.tbl, r.row_id";
	unsigned char fp[AUDIT_FP_BYTES];
	struct store_stmt *s;
	bool row, exists;
	enum hat_err rc = store_prepare(c, sql, &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, from_seq);
	while (rc == HAT_OK) {
		const struct audit_table *t;
		int64_t rid, seq;
		size_t len;
		const void *bound;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		t = audit_table_coded((int)store_col_int(s, 0));
		rid = store_col_int(s, 1);
		seq = store_col_int(s, 2);
		bound = store_col_blob(s, 3, &len);
		if (!t)
			continue; /* a binding of no table: the chain walk names it */
		rc = audit_row_fingerprint(c, t, rid, fp, &exists);
		if (rc != HAT_OK)
			break;
		if (len == 0 && exists)
			report_row(c, f, t, rid, seq, ROW_PUT_BACK);
		else if (len != 0 && !exists)
			report_row(c, f, t, rid, seq, ROW_MISSING);
		else if (len == AUDIT_FP_BYTES && memcmp(fp, bound, AUDIT_FP_BYTES) != 0)
			report_row(c, f, t, rid, seq, ROW_CHANGED);
	}
	store_done(s);
	return rc;
}

/* Rows past each table's last row bound by from_seq that no later event
** binds: inserted behind hat's back since the head. */
static enum hat_err verify_unbound_since(struct store_conn *c, int64_t from_seq,
					 struct audit_findings *f)
{
	static const char sql_top[] =
		"SELECT row_id FROM audit_rows WHERE tbl = ? AND seq <= ? ORDER BY row_id DESC"
		" LIMIT 1";
	enum hat_err rc = HAT_OK;

	for (size_t i = 0; rc == HAT_OK && i < audit_table_count; i++) {
		const struct audit_table *t = &audit_tables[i];
		const struct table_sql *q = sql_of(t);
		struct store_stmt *s;
		int64_t top = 0;
		bool row;

		if (t->kind != AUDIT_BOUND)
			continue;
		if (!q)
			return HAT_E_NOMEM;
		rc = store_query_int(c, sql_top, NULL, &top, "ii", (int64_t)t->code, from_seq);
		if (rc == HAT_OK)
			rc = store_prepare(c, q->since, &s);
		if (rc == HAT_OK)
			rc = store_bindf(s, "iii", (int64_t)t->code, from_seq, top);
		while (rc == HAT_OK) {
			rc = store_step(s, &row);
			if (rc != HAT_OK || !row)
				break;
			report_row(c, f, t, store_col_int(s, 0), 0, ROW_INSERTED);
		}
		store_done(s);
	}
	return rc;
}

enum hat_err audit_rows_verify_since(struct store_conn *c, int64_t from_seq,
				     struct audit_findings *f)
{
	enum hat_err rc = HAT_OK;
	bool own_txn = false;

	if (!store_in_transaction(c)) {
		rc = store_exec(c, "BEGIN");
		if (rc != HAT_OK)
			return rc;
		own_txn = true;
	}
	rc = verify_bound_since(c, from_seq, f);
	if (rc == HAT_OK)
		rc = verify_unbound_since(c, from_seq, f);
	if (rc == HAT_OK)
		rc = verify_access(c, from_seq, f);
	if (own_txn)
		store_rollback(c);
	return rc;
}
