/*
** audit.c: see audit.h.
**
** The canonical bytes of an event are its fields in a fixed order, in the
** encoding of canon.h, then the digest of the rows it binds when it binds
** any.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "canon.h"
#include "rows.h"

static const unsigned char audit_personal[crypto_generichash_blake2b_PERSONALBYTES] =
	"hat-audit-v1\0\0\0";

/* The event's canonical bytes after the previous hash, into b. */
static void event_bytes(struct canon_buf *b, int64_t seq, int64_t at, int64_t actor_id,
			const char *action, const char *entity, int64_t entity_id,
			const char *detail, const unsigned char *rows_digest)
{
	canon_buf_int(b, seq);
	canon_buf_int(b, at);
	canon_buf_int(b, actor_id);
	canon_buf_str(b, action);
	canon_buf_str(b, entity);
	canon_buf_int(b, entity_id);
	canon_buf_str(b, detail);
	if (rows_digest)
		canon_buf_field(b, rows_digest, AUDIT_ROWS_DIGEST_BYTES);
}

void audit_hash_event(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq,
		      int64_t at, int64_t actor_id, const char *action,
		      const char *entity, int64_t entity_id, const char *detail,
		      const unsigned char *rows_digest, unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_blake2b_state st;
	unsigned char stack[4096];
	struct canon_buf b = { stack, 0, sizeof stack, false, NULL };

	crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, AUDIT_HASH_BYTES,
						      NULL, audit_personal);
	crypto_generichash_blake2b_update(&st, prev, AUDIT_HASH_BYTES);
	/* Most events fit the buffer and are hashed in one update; a long one
	** is fed field by field, which gives the same hash. */
	event_bytes(&b, seq, at, actor_id, action, entity, entity_id, detail, rows_digest);
	if (!b.failed) {
		crypto_generichash_blake2b_update(&st, b.p, b.len);
	} else {
		b.st = &st;
		b.failed = false;
		event_bytes(&b, seq, at, actor_id, action, entity, entity_id, detail, rows_digest);
	}
	crypto_generichash_blake2b_final(&st, out, AUDIT_HASH_BYTES);
}

static const char sql_head[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
static const char sql_insert[] =
	"INSERT INTO audit_events (seq, at, actor_id, action, entity, entity_id,"
	" detail, prev_hash, hash, rows_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_set_head[] =
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
	" ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";

enum hat_err audit_append(struct store_conn *c, int64_t at, int64_t actor_id,
			  const char *action, const char *entity, int64_t entity_id,
			  json_t *detail)
{
	return audit_append_event(c, at, actor_id, action, entity, entity_id, detail, true);
}

enum hat_err audit_append_event(struct store_conn *c, int64_t at, int64_t actor_id,
				const char *action, const char *entity, int64_t entity_id,
				json_t *detail, bool bind)
{
	char *text = audit_detail_text(detail);
	enum hat_err rc;

	if (!text)
		return HAT_E_NOMEM;
	rc = audit_append_text(c, at, actor_id, action, entity, entity_id, text, bind);
	free(text);
	return rc;
}

char *audit_detail_text(json_t *detail)
{
	/* Sorted keys and compact form make the stored detail canonical. */
	return detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
		      : strdup("{}");
}

enum hat_err audit_append_text(struct store_conn *c, int64_t at, int64_t actor_id,
			       const char *action, const char *entity, int64_t entity_id,
			       const char *text, bool bind)
{
	unsigned char prev[AUDIT_HASH_BYTES] = { 0 };
	unsigned char hash[AUDIT_HASH_BYTES];
	unsigned char digest[AUDIT_ROWS_DIGEST_BYTES];
	bool bound = false;
	struct store_stmt *s = NULL;
	enum hat_err rc;
	int64_t seq = 0;
	bool row;
	const void *blob;
	size_t len;

	rc = store_prepare(c, sql_head, &s);
	if (rc != HAT_OK)
		return rc;
	rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		seq = store_col_int(s, 0);
		blob = store_col_blob(s, 1, &len);
		if (len != AUDIT_HASH_BYTES) {
			store_done(s);
			return HAT_E_STORE;
		}
		memcpy(prev, blob, AUDIT_HASH_BYTES);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	seq++;

	if (bind) {
		rc = audit_rows_bind(c, seq, digest, &bound);
		if (rc != HAT_OK)
			return rc;
	}
	audit_hash_event(prev, seq, at, actor_id, action, entity, entity_id, text,
			 bound ? digest : NULL, hash);

	rc = store_prepare(c, sql_insert, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiIttIt", seq, at, actor_id ? actor_id : INT64_MIN,
				 action, entity, entity_id ? entity_id : INT64_MIN, text);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 8, prev, sizeof prev);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 9, hash, sizeof hash);
	if (rc == HAT_OK)
		rc = bound ? store_bind_blob(s, 10, digest, sizeof digest) : store_bind_null(s, 10);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	if (rc == HAT_OK) {
		rc = store_prepare(c, sql_set_head, &s);
		if (rc == HAT_OK)
			rc = store_bind_int(s, 1, seq);
		if (rc == HAT_OK)
			rc = store_bind_blob(s, 2, hash, sizeof hash);
		if (rc == HAT_OK)
			rc = store_step(s, &row);
		store_done(s);
	}
	return rc;
}

enum hat_err audit_access(struct store_conn *c, int64_t at, int64_t user_id,
			  int64_t patient_id, const char *what, const char *why)
{
	return store_run(c,
			 "INSERT INTO access_log (at, user_id, patient_id, what, why)"
			 " VALUES (?, ?, ?, ?, ?)",
			 "iiItt", at, user_id, patient_id ? patient_id : INT64_MIN, what,
			 why ? why : "");
}

static void finding_set(struct audit_finding *f, int64_t seq, const char *problem,
			const char *detail)
{
	memset(f, 0, sizeof *f);
	f->seq = seq;
	snprintf(f->problem, sizeof f->problem, "%s", problem);
	snprintf(f->detail, sizeof f->detail, "%s", detail);
}

void audit_findings_add(struct audit_findings *f, int64_t seq, const char *table,
			int64_t row_id, const char *problem, const char *fmt, ...)
{
	struct audit_finding *k;
	va_list ap;

	f->total++;
	if (f->n >= AUDIT_FINDINGS_KEPT)
		return;
	k = &f->kept[f->n++];
	memset(k, 0, sizeof *k);
	k->seq = seq;
	k->row_id = row_id;
	snprintf(k->table, sizeof k->table, "%s", table ? table : "");
	snprintf(k->problem, sizeof k->problem, "%s", problem);
	va_start(ap, fmt);
	vsnprintf(k->detail, sizeof k->detail, fmt, ap);
	va_end(ap);
}

enum hat_err audit_head(struct store_conn *c, int64_t *seq, unsigned char hash[AUDIT_HASH_BYTES])
{
	struct store_stmt *s;
	bool row = false;
	size_t len = 0;
	const void *blob;
	enum hat_err rc = store_prepare(c, sql_head, &s);

	*seq = 0;
	memset(hash, 0, AUDIT_HASH_BYTES);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		blob = store_col_blob(s, 1, &len);
		if (len != AUDIT_HASH_BYTES)
			rc = HAT_E_STORE;
		else {
			*seq = store_col_int(s, 0);
			memcpy(hash, blob, AUDIT_HASH_BYTES);
		}
	}
	store_done(s);
	return rc;
}

void audit_head_format(int64_t seq, const unsigned char hash[AUDIT_HASH_BYTES],
		       char out[AUDIT_HEAD_TEXT])
{
	int n = snprintf(out, AUDIT_HEAD_TEXT, "%lld:", (long long)seq);

	sodium_bin2hex(out + n, (size_t)(AUDIT_HEAD_TEXT - n), hash, AUDIT_HASH_BYTES);
}

enum hat_err audit_head_text(struct store_conn *c, char out[AUDIT_HEAD_TEXT])
{
	unsigned char hash[AUDIT_HASH_BYTES];
	int64_t seq;
	enum hat_err rc = audit_head(c, &seq, hash);

	if (rc == HAT_OK)
		audit_head_format(seq, hash, out);
	return rc;
}

bool audit_head_parse(const char *text, int64_t *seq, unsigned char hash[AUDIT_HASH_BYTES])
{
	const char *colon = strchr(text, ':');
	const char *end = NULL;
	size_t got = 0;
	long long v = 0;

	if (!colon || colon == text || colon - text > 19)
		return false;
	for (const char *p = text; p < colon; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
	}
	if (strlen(colon + 1) != 2 * AUDIT_HASH_BYTES ||
	    sodium_hex2bin(hash, AUDIT_HASH_BYTES, colon + 1, 2 * AUDIT_HASH_BYTES, NULL, &got,
			   &end) != 0 ||
	    got != AUDIT_HASH_BYTES || *end != '\0')
		return false;
	*seq = v;
	return v > 0;
}

enum hat_err audit_event_hash_is(struct store_conn *c, int64_t seq,
				 const unsigned char hash[AUDIT_HASH_BYTES], bool *found,
				 bool *same)
{
	static const char sql[] = "SELECT hash FROM audit_events WHERE seq = ?";
	struct store_stmt *s;
	size_t len = 0;
	const void *blob;
	enum hat_err rc = store_prepare(c, sql, &s);

	*found = false;
	*same = false;
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, seq);
	if (rc == HAT_OK)
		rc = store_step(s, found);
	if (rc == HAT_OK && *found) {
		blob = store_col_blob(s, 0, &len);
		*same = len == AUDIT_HASH_BYTES && memcmp(blob, hash, AUDIT_HASH_BYTES) == 0;
	}
	store_done(s);
	return rc;
}

static const char sql_walk[] =
	"SELECT seq, at, actor_id, action, entity, entity_id, detail, prev_hash, hash,"
	" rows_digest FROM audit_events WHERE seq > ? ORDER BY seq";
static const char sql_walk_rows[] =
	"SELECT seq, tbl, row_id, fp FROM audit_rows WHERE seq > ? ORDER BY seq, tbl, row_id";
static const char sql_count[] = "SELECT count(*) FROM audit_events WHERE seq > ?";

/* The bindings of event seq, read from the rows cursor (ordered by seq) and
** hashed as audit_rows_bind hashed them.  *have_row tells whether the cursor
** holds a row not yet consumed (one of a later event, or an orphan). */
struct rows_cursor {
	struct store_stmt *s;
	bool have_row;
};

static enum hat_err rows_digest_of(struct rows_cursor *rc_, int64_t seq,
				   unsigned char digest[AUDIT_ROWS_DIGEST_BYTES], bool *any,
				   bool *orphans)
{
	crypto_generichash_blake2b_state st;
	enum hat_err rc = HAT_OK;
	const void *fp;
	size_t len;

	*any = false;
	while (rc_->have_row && store_col_int(rc_->s, 0) < seq) {
		/* A binding whose event is not in the chain. */
		*orphans = true;
		rc = store_step(rc_->s, &rc_->have_row);
		if (rc != HAT_OK)
			return rc;
	}
	while (rc_->have_row && store_col_int(rc_->s, 0) == seq) {
		if (!*any)
			audit_rows_digest_init(&st);
		*any = true;
		fp = store_col_blob(rc_->s, 3, &len);
		audit_rows_digest_add(&st, store_col_int(rc_->s, 1), store_col_int(rc_->s, 2), fp,
				      len);
		rc = store_step(rc_->s, &rc_->have_row);
		if (rc != HAT_OK)
			return rc;
	}
	if (*any)
		crypto_generichash_blake2b_final(&st, digest, AUDIT_ROWS_DIGEST_BYTES);
	return HAT_OK;
}

enum hat_err audit_verify(struct store_conn *c, bool *ok, struct audit_finding *finding,
			  int64_t *count,
			  void (*progress)(int64_t done, int64_t total, void *arg),
			  void *arg)
{
	static const unsigned char genesis[AUDIT_HASH_BYTES];

	return audit_verify_from(c, 0, genesis, ok, finding, count, progress, arg);
}

enum hat_err audit_verify_from(struct store_conn *c, int64_t from_seq,
			       const unsigned char from_hash[AUDIT_HASH_BYTES], bool *ok,
			       struct audit_finding *finding, int64_t *count,
			       void (*progress)(int64_t done, int64_t total, void *arg),
			       void *arg)
{
	unsigned char prev[AUDIT_HASH_BYTES];
	unsigned char want[AUDIT_HASH_BYTES];
	unsigned char digest[AUDIT_ROWS_DIGEST_BYTES];
	struct store_stmt *s = NULL;
	struct rows_cursor rows = { NULL, false };
	enum hat_err rc;
	int64_t expect_seq = from_seq + 1;
	int64_t lower;
	int64_t total = 0;
	int64_t head_seq = 0;
	bool have_head = false;
	bool own_txn = false;
	bool row, any, orphans = false;
	size_t len, dlen;
	const void *blob;
	const void *stored_digest;
	char msg[200];

	*ok = true;
	*count = 0;
	/* One read transaction for the walk and the head: hatd may append
	** while hatctl verifies, and a head read in a later snapshot than the
	** walk would name an event the walk never saw. */
	if (!store_in_transaction(c)) {
		rc = store_exec(c, "BEGIN");
		if (rc != HAT_OK)
			return rc;
		own_txn = true;
	}
	memcpy(prev, from_hash, AUDIT_HASH_BYTES);
	/* From the start, every row counts: an event forged before the first
	** (seq 0 or below) must meet the walk, which names it. */
	lower = from_seq > 0 ? from_seq : INT64_MIN;
	rc = store_query_int(c, sql_count, NULL, &total, "i", lower);
	if (rc != HAT_OK)
		goto out;
	rc = store_prepare(c, sql_walk_rows, &rows.s);
	if (rc == HAT_OK)
		rc = store_bind_int(rows.s, 1, lower);
	if (rc == HAT_OK)
		rc = store_step(rows.s, &rows.have_row);
	if (rc != HAT_OK)
		goto out;
	rc = store_prepare(c, sql_walk, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, lower);
	if (rc != HAT_OK)
		goto out;
	for (;;) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		int64_t seq = store_col_int(s, 0);

		if (seq != expect_seq) {
			snprintf(msg, sizeof msg, "event %lld is missing: the next event is %lld",
				 (long long)expect_seq, (long long)seq);
			finding_set(finding, expect_seq, "gap", msg);
			*ok = false;
			break;
		}
		blob = store_col_blob(s, 7, &len);
		if (len != AUDIT_HASH_BYTES || memcmp(blob, prev, AUDIT_HASH_BYTES) != 0) {
			snprintf(msg, sizeof msg,
				 "event %lld does not point at the hash of the event before it",
				 (long long)seq);
			finding_set(finding, seq, "prev_hash_mismatch", msg);
			*ok = false;
			break;
		}
		stored_digest = store_col_is_null(s, 9) ? NULL : store_col_blob(s, 9, &dlen);
		if (stored_digest && dlen != AUDIT_ROWS_DIGEST_BYTES) {
			snprintf(msg, sizeof msg, "event %lld has a malformed rows digest",
				 (long long)seq);
			finding_set(finding, seq, "hash_mismatch", msg);
			*ok = false;
			break;
		}
		audit_hash_event(prev, seq, store_col_int(s, 1),
				 store_col_is_null(s, 2) ? 0 : store_col_int(s, 2),
				 store_col_text(s, 3), store_col_text(s, 4),
				 store_col_is_null(s, 5) ? 0 : store_col_int(s, 5),
				 store_col_text(s, 6), stored_digest, want);
		blob = store_col_blob(s, 8, &len);
		if (len != AUDIT_HASH_BYTES || memcmp(blob, want, AUDIT_HASH_BYTES) != 0) {
			snprintf(msg, sizeof msg,
				 "event %lld (%s) was changed after it was written",
				 (long long)seq, store_col_text(s, 3));
			finding_set(finding, seq, "hash_mismatch", msg);
			*ok = false;
			break;
		}
		/* The rows the event binds must be the ones its hash covers. */
		rc = rows_digest_of(&rows, seq, digest, &any, &orphans);
		if (rc != HAT_OK)
			break;
		if (orphans || any != (stored_digest != NULL) ||
		    (any && memcmp(digest, stored_digest, AUDIT_ROWS_DIGEST_BYTES) != 0)) {
			snprintf(msg, sizeof msg,
				 "the rows bound to event %lld (%s) in audit_rows were changed, added"
				 " or removed", (long long)seq, store_col_text(s, 3));
			finding_set(finding, seq, "rows_mismatch", msg);
			snprintf(finding->table, sizeof finding->table, "audit_rows");
			*ok = false;
			break;
		}
		memcpy(prev, want, AUDIT_HASH_BYTES);
		expect_seq++;
		(*count)++;
		if (progress && (*count & 0xffff) == 0)
			progress(*count, total, arg);
	}
	store_done(s);
	if (rc != HAT_OK || !*ok)
		goto out;
	if (progress)
		progress(*count, total, arg);

	/* The head must name the last event: otherwise events were removed
	** from the end (or the head was forged). */
	rc = store_prepare(c, sql_head, &s);
	if (rc != HAT_OK)
		goto out;
	rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		have_head = true;
		head_seq = store_col_int(s, 0);
		blob = store_col_blob(s, 1, &len);
		if (head_seq != expect_seq - 1 || len != AUDIT_HASH_BYTES ||
		    memcmp(blob, prev, AUDIT_HASH_BYTES) != 0) {
			snprintf(msg, sizeof msg,
				 "the chain head names event %lld but the chain ends at %lld",
				 (long long)head_seq, (long long)(expect_seq - 1));
			finding_set(finding, head_seq, "head_mismatch", msg);
			snprintf(finding->table, sizeof finding->table, "audit_head");
			*ok = false;
		}
	}
	store_done(s);
	if (rc == HAT_OK && !have_head && expect_seq != from_seq + 1) {
		finding_set(finding, expect_seq - 1, "head_mismatch", "the chain head is missing");
		snprintf(finding->table, sizeof finding->table, "audit_head");
		*ok = false;
	}
	/* Bindings left over name events the chain does not hold. */
	if (rc == HAT_OK && *ok && rows.have_row) {
		snprintf(msg, sizeof msg, "audit_rows holds bindings for event %lld, which the chain"
			 " does not have", (long long)store_col_int(rows.s, 0));
		finding_set(finding, store_col_int(rows.s, 0), "rows_mismatch", msg);
		snprintf(finding->table, sizeof finding->table, "audit_rows");
		*ok = false;
	}
out:
	store_done(rows.s);
	if (own_txn)
		store_rollback(c);
	return rc;
}
