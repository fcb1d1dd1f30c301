/*
** audit.c: see audit.h.
**
** The canonical bytes of an event are its fields in a fixed order, each as
** an 8-byte big-endian length followed by the bytes (integers in decimal).
** Length prefixes make the encoding unambiguous: no choice of field values
** can make two different events hash alike.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"

static const unsigned char audit_personal[crypto_generichash_blake2b_PERSONALBYTES] =
	"hat-audit-v1\0\0\0";

static void put_field(crypto_generichash_blake2b_state *st, const void *p, size_t n)
{
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	crypto_generichash_blake2b_update(st, len, sizeof len);
	crypto_generichash_blake2b_update(st, p, n);
}

static void put_int(crypto_generichash_blake2b_state *st, int64_t v)
{
	char s[24];
	int n = snprintf(s, sizeof s, "%lld", (long long)v);

	put_field(st, s, (size_t)n);
}

static void put_str(crypto_generichash_blake2b_state *st, const char *s)
{
	put_field(st, s, strlen(s));
}

void audit_hash_event(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq,
		      int64_t at, int64_t actor_id, const char *action,
		      const char *entity, int64_t entity_id, const char *detail,
		      unsigned char out[AUDIT_HASH_BYTES])
{
	crypto_generichash_blake2b_state st;

	crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, AUDIT_HASH_BYTES,
						      NULL, audit_personal);
	crypto_generichash_blake2b_update(&st, prev, AUDIT_HASH_BYTES);
	put_int(&st, seq);
	put_int(&st, at);
	put_int(&st, actor_id);
	put_str(&st, action);
	put_str(&st, entity);
	put_int(&st, entity_id);
	put_str(&st, detail);
	crypto_generichash_blake2b_final(&st, out, AUDIT_HASH_BYTES);
}

static const char sql_head[] = "SELECT seq, hash FROM audit_head WHERE id = 1";
static const char sql_insert[] =
	"INSERT INTO audit_events (seq, at, actor_id, action, entity, entity_id,"
	" detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_set_head[] =
	"INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
	" ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash";

enum hat_err audit_append(struct store_conn *c, int64_t at, int64_t actor_id,
			  const char *action, const char *entity, int64_t entity_id,
			  json_t *detail)
{
	unsigned char prev[AUDIT_HASH_BYTES] = { 0 };
	unsigned char hash[AUDIT_HASH_BYTES];
	struct store_stmt *s = NULL;
	enum hat_err rc;
	int64_t seq = 0;
	char *text = NULL;
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

	/* Sorted keys and compact form make the stored detail canonical. */
	text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
		      : strdup("{}");
	if (!text)
		return HAT_E_NOMEM;
	audit_hash_event(prev, seq, at, actor_id, action, entity, entity_id, text, hash);

	rc = store_prepare(c, sql_insert, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiIttIt", seq, at, actor_id ? actor_id : INT64_MIN,
				 action, entity, entity_id ? entity_id : INT64_MIN, text);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 8, prev, sizeof prev);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 9, hash, sizeof hash);
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
	free(text);
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
	f->seq = seq;
	snprintf(f->problem, sizeof f->problem, "%s", problem);
	snprintf(f->detail, sizeof f->detail, "%s", detail);
}

static const char sql_walk[] =
	"SELECT seq, at, actor_id, action, entity, entity_id, detail, prev_hash, hash"
	" FROM audit_events ORDER BY seq";
static const char sql_count[] = "SELECT count(*) FROM audit_events";

enum hat_err audit_verify(struct store_conn *c, bool *ok, struct audit_finding *finding,
			  int64_t *count,
			  void (*progress)(int64_t done, int64_t total, void *arg),
			  void *arg)
{
	unsigned char prev[AUDIT_HASH_BYTES] = { 0 };
	unsigned char want[AUDIT_HASH_BYTES];
	struct store_stmt *s = NULL;
	enum hat_err rc;
	int64_t expect_seq = 1;
	int64_t total = 0;
	int64_t head_seq = 0;
	bool have_head = false;
	bool own_txn = false;
	bool row;
	size_t len;
	const void *blob;
	char msg[160];

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
	rc = store_query_int(c, sql_count, NULL, &total, "");
	if (rc != HAT_OK)
		goto out;
	rc = store_prepare(c, sql_walk, &s);
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
		audit_hash_event(prev, seq, store_col_int(s, 1),
				 store_col_is_null(s, 2) ? 0 : store_col_int(s, 2),
				 store_col_text(s, 3), store_col_text(s, 4),
				 store_col_is_null(s, 5) ? 0 : store_col_int(s, 5),
				 store_col_text(s, 6), want);
		blob = store_col_blob(s, 8, &len);
		if (len != AUDIT_HASH_BYTES || memcmp(blob, want, AUDIT_HASH_BYTES) != 0) {
			snprintf(msg, sizeof msg,
				 "event %lld (%s) was changed after it was written",
				 (long long)seq, store_col_text(s, 3));
			finding_set(finding, seq, "hash_mismatch", msg);
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
			*ok = false;
		}
	}
	store_done(s);
	if (rc == HAT_OK && !have_head && expect_seq != 1) {
		finding_set(finding, expect_seq - 1, "head_mismatch", "the chain head is missing");
		*ok = false;
	}
out:
	if (own_txn)
		store_rollback(c);
	return rc;
}
