/*
** test_audit.c: the hash-chained audit log, and its verifier catching
** changed, removed and forged events in the raw database file.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "audit/audit.h"
#include "store/store.h"
#include "testdb.h"
#include "util/err.h"

#define EVENTS 5

struct fixture {
	char dir[64];
	char path[96];
	struct store_conn *c;
};


/* A fresh database holding a chain of EVENTS events. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	enum hat_err rc;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hat-audit-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/hat.db", f->dir);
	rc = store_open(f->path, STORE_CREATE, &f->c);
	if (rc == HAT_OK)
		rc = store_begin(f->c);
	for (int i = 1; rc == HAT_OK && i <= EVENTS; i++) {
		json_t *detail = json_pack("{s:i, s:s}", "dose_mg", i * 10, "site", "arm");

		/* Event 2 has no actor and no entity id (stored as NULL). */
		rc = audit_append(f->c, 1795509000 + i * 60, i == 2 ? 0 : 7,
				  i % 2 ? "dose.administer" : "patient.update", "patient",
				  i == 2 ? 0 : 40 + i, i == 4 ? NULL : detail);
		json_decref(detail);
	}
	if (rc == HAT_OK)
		rc = store_commit(f->c);
	if (rc != HAT_OK) {
		store_close(f->c);
		testdb_remove(f->path);
		rmdir(f->dir);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->c);
	testdb_remove(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Runs sql on the raw file, as someone with the file but not the program
** might.  The store connection is closed around it. */
static void tamper(struct fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	store_close(f->c);
	f->c = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("tamper failed: %s", msg ? msg : "?");
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, STORE_READ_WRITE, &f->c), HAT_OK);
}

static void verify_finds(struct fixture *f, const char *problem, int64_t seq)
{
	bool ok = true;
	int64_t count = -1;
	struct audit_finding finding;

	memset(&finding, 0, sizeof finding);
	assert_int_equal(audit_verify(f->c, &ok, &finding, &count, NULL, NULL), HAT_OK);
	assert_false(ok);
	assert_string_equal(finding.problem, problem);
	assert_int_equal(finding.seq, seq);
	assert_true(finding.detail[0] != '\0');
}

static void progress_cb(int64_t done, int64_t total, void *arg)
{
	int64_t *seen = arg;

	seen[0]++;
	seen[1] = done;
	seen[2] = total;
}

/* Appends an event through a second connection once the walk is done, as
** a running hatd may while hatctl verifies. */
struct append_during {
	const char *path;
	bool done;
};

static void append_after_walk(int64_t done, int64_t total, void *arg)
{
	struct append_during *a = arg;
	struct store_conn *w = NULL;

	(void)done;
	(void)total;
	if (a->done)
		return;
	a->done = true;
	assert_int_equal(store_open(a->path, STORE_READ_WRITE, &w), HAT_OK);
	assert_int_equal(store_begin(w), HAT_OK);
	assert_int_equal(audit_append(w, 2000, 1, "test.late", "thing", 1, NULL), HAT_OK);
	assert_int_equal(store_commit(w), HAT_OK);
	store_close(w);
}

/* Regression: the walk and the head were read in separate snapshots, so an
** event committed between them was reported as a broken chain. */
static void verify_beside_a_writer(void **state)
{
	struct fixture *f = *state;
	struct store_conn *r = NULL;
	struct append_during a = { f->path, false };
	struct audit_finding finding;
	bool ok = false;
	int64_t count = -1;

	memset(&finding, 0, sizeof finding);
	assert_int_equal(store_open(f->path, STORE_READ_ONLY, &r), HAT_OK);
	assert_int_equal(audit_verify(r, &ok, &finding, &count, append_after_walk, &a), HAT_OK);
	assert_true(a.done);
	assert_true(ok);
	assert_int_equal(count, EVENTS);
	assert_false(store_in_transaction(r));
	/* The next verify sees the new event, and it holds. */
	assert_int_equal(audit_verify(r, &ok, &finding, &count, NULL, NULL), HAT_OK);
	assert_true(ok);
	assert_int_equal(count, EVENTS + 1);
	store_close(r);
}

static void intact_chain_verifies(void **state)
{
	struct fixture *f = *state;
	bool ok = false;
	int64_t count = -1;
	int64_t seen[3] = { 0, -1, -1 };
	struct audit_finding finding;
	int64_t head = -1;

	memset(&finding, 0, sizeof finding);
	assert_int_equal(audit_verify(f->c, &ok, &finding, &count, progress_cb, seen), HAT_OK);
	assert_true(ok);
	assert_int_equal(count, EVENTS);
	assert_true(seen[0] >= 1);
	assert_int_equal(seen[1], EVENTS);
	assert_int_equal(seen[2], EVENTS);
	assert_int_equal(store_query_int(f->c, "SELECT seq FROM audit_head WHERE id = 1", NULL,
					 &head, ""),
			 HAT_OK);
	assert_int_equal(head, EVENTS);

	/* Appending more keeps it whole. */
	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_int_equal(audit_append(f->c, 1795600000, 3, "user.create", "user", 3, NULL), HAT_OK);
	assert_int_equal(store_commit(f->c), HAT_OK);
	assert_int_equal(audit_verify(f->c, &ok, &finding, &count, NULL, NULL), HAT_OK);
	assert_true(ok);
	assert_int_equal(count, EVENTS + 1);
}

static void empty_chain_verifies(void **state)
{
	char dir[] = "/tmp/hat-audit-XXXXXX";
	char path[64];
	struct store_conn *c = NULL;
	bool ok = false;
	int64_t count = -1;
	struct audit_finding finding;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/empty.db", dir);
	assert_int_equal(store_open(path, STORE_CREATE, &c), HAT_OK);
	assert_int_equal(audit_verify(c, &ok, &finding, &count, NULL, NULL), HAT_OK);
	assert_true(ok);
	assert_int_equal(count, 0);
	store_close(c);
	testdb_remove(path);
	rmdir(dir);
}

static void stored_hashes_follow_the_formula(void **state)
{
	struct fixture *f = *state;
	struct store_stmt *s = NULL;
	unsigned char prev[AUDIT_HASH_BYTES] = { 0 };
	unsigned char want[AUDIT_HASH_BYTES];
	bool row = false;
	int n = 0;
	size_t len;

	assert_int_equal(store_prepare(f->c,
				       "SELECT seq, at, actor_id, action, entity, entity_id, detail,"
				       " prev_hash, hash FROM audit_events ORDER BY seq",
				       &s),
			 HAT_OK);
	for (;;) {
		assert_int_equal(store_step(s, &row), HAT_OK);
		if (!row)
			break;
		n++;
		assert_int_equal(store_col_int(s, 0), n);
		assert_memory_equal(store_col_blob(s, 7, &len), prev, AUDIT_HASH_BYTES);
		assert_int_equal(len, AUDIT_HASH_BYTES);
		audit_hash_event(prev, n, store_col_int(s, 1),
				 store_col_is_null(s, 2) ? 0 : store_col_int(s, 2),
				 store_col_text(s, 3), store_col_text(s, 4),
				 store_col_is_null(s, 5) ? 0 : store_col_int(s, 5),
				 store_col_text(s, 6), NULL, want);
		assert_memory_equal(store_col_blob(s, 8, &len), want, AUDIT_HASH_BYTES);
		if (n == 2) {
			assert_true(store_col_is_null(s, 2)); /* no actor */
			assert_true(store_col_is_null(s, 5)); /* no entity id */
		}
		if (n == 1) /* canonical detail: sorted keys, compact */
			assert_string_equal(store_col_text(s, 6), "{\"dose_mg\":10,\"site\":\"arm\"}");
		if (n == 4)
			assert_string_equal(store_col_text(s, 6), "{}");
		memcpy(prev, want, AUDIT_HASH_BYTES);
	}
	store_done(s);
	assert_int_equal(n, EVENTS);
}

static void update_and_delete_refused(void **state)
{
	struct fixture *f = *state;
	bool ok = false;
	int64_t count = -1;
	int64_t n = -1;
	struct audit_finding finding;

	assert_int_equal(store_exec(f->c, "UPDATE audit_events SET detail = '{}' WHERE seq = 3"),
			 HAT_E_STORE);
	assert_int_equal(store_exec(f->c, "DELETE FROM audit_events WHERE seq = 5"), HAT_E_STORE);
	assert_int_equal(store_exec(f->c, "DELETE FROM audit_events"), HAT_E_STORE);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM audit_events", NULL, &n, ""),
			 HAT_OK);
	assert_int_equal(n, EVENTS);
	assert_int_equal(audit_verify(f->c, &ok, &finding, &count, NULL, NULL), HAT_OK);
	assert_true(ok);
}

static void changed_field_is_hash_mismatch(void **state)
{
	static const char *const edits[] = {
		"UPDATE audit_events SET at = at + 1 WHERE seq = 3",
		"UPDATE audit_events SET actor_id = 8 WHERE seq = 3",
		"UPDATE audit_events SET action = 'dose.withhold' WHERE seq = 3",
		"UPDATE audit_events SET entity = 'episode' WHERE seq = 3",
		"UPDATE audit_events SET entity_id = 99 WHERE seq = 3",
		"UPDATE audit_events SET detail = '{\"dose_mg\":300,\"site\":\"arm\"}' WHERE seq = 3",
		"UPDATE audit_events SET actor_id = 7 WHERE seq = 2",  /* NULL -> 7 */
		"UPDATE audit_events SET entity_id = NULL WHERE seq = 3",
	};
	struct fixture *f = *state;
	char sql[256];

	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		/* Each edit on a fresh chain. */
		if (i > 0) {
			assert_int_equal(teardown(state), 0);
			assert_int_equal(setup(state), 0);
			f = *state;
		}
		snprintf(sql, sizeof sql, "DROP TRIGGER audit_events_no_update; %s;", edits[i]);
		tamper(f, sql);
		verify_finds(f, "hash_mismatch", strstr(edits[i], "seq = 2") ? 2 : 3);
	}
}

static void changed_hash_is_hash_mismatch(void **state)
{
	struct fixture *f = *state;

	/* The stored hash itself changed, the content not. */
	tamper(f, "DROP TRIGGER audit_events_no_update;"
		  "UPDATE audit_events SET hash = zeroblob(32) WHERE seq = 2;");
	verify_finds(f, "hash_mismatch", 2);
}

static void deleted_middle_event_is_gap(void **state)
{
	struct fixture *f = *state;

	tamper(f, "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 3;");
	verify_finds(f, "gap", 3);
}

static void deleted_first_event_is_gap(void **state)
{
	struct fixture *f = *state;

	tamper(f, "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE seq = 1;");
	verify_finds(f, "gap", 1);
}

static void deleted_last_event_is_head_mismatch(void **state)
{
	struct fixture *f = *state;

	tamper(f, "DROP TRIGGER audit_events_no_delete;"
		  "DELETE FROM audit_events WHERE seq = 5;");
	verify_finds(f, "head_mismatch", EVENTS);
}

static void deleted_head_is_found(void **state)
{
	struct fixture *f = *state;

	tamper(f, "DROP TRIGGER audit_head_no_delete; DELETE FROM audit_head;");
	verify_finds(f, "head_mismatch", EVENTS);
}

/* The hash a forger would compute for an event after the one given. */
static void forge_hash(struct fixture *f, int64_t after_seq, int64_t seq, const char *detail,
		       unsigned char prev[AUDIT_HASH_BYTES], unsigned char out[AUDIT_HASH_BYTES])
{
	struct store_stmt *s = NULL;
	bool row = false;
	size_t len;

	memset(prev, 0, AUDIT_HASH_BYTES);
	if (after_seq > 0) {
		assert_int_equal(store_prepare(f->c, "SELECT hash FROM audit_events WHERE seq = ?", &s),
				 HAT_OK);
		assert_int_equal(store_bind_int(s, 1, after_seq), HAT_OK);
		assert_int_equal(store_step(s, &row), HAT_OK);
		assert_true(row);
		memcpy(prev, store_col_blob(s, 0, &len), AUDIT_HASH_BYTES);
		store_done(s);
	}
	audit_hash_event(prev, seq, 1795509999, 7, "dose.administer", "patient", 41, detail, NULL, out);
}

static void hex(const unsigned char *p, char *out)
{
	for (int i = 0; i < AUDIT_HASH_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void forged_event_at_end_is_head_mismatch(void **state)
{
	struct fixture *f = *state;
	unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
	char hp[2 * AUDIT_HASH_BYTES + 1], hh[2 * AUDIT_HASH_BYTES + 1];
	char sql[512];

	/* A well-formed link, but the head was not moved. */
	forge_hash(f, EVENTS, EVENTS + 1, "{}", prev, hash);
	hex(prev, hp);
	hex(hash, hh);
	snprintf(sql, sizeof sql,
		 "INSERT INTO audit_events VALUES (%d, 1795509999, 7, 'dose.administer', 'patient',"
		 " 41, '{}', x'%s', x'%s', NULL);",
		 EVENTS + 1, hp, hh);
	tamper(f, sql);
	verify_finds(f, "head_mismatch", EVENTS);
}

static void forged_event_with_bad_link(void **state)
{
	struct fixture *f = *state;

	tamper(f, "INSERT INTO audit_events VALUES (6, 1795509999, 7, 'dose.administer',"
		  " 'patient', 41, '{}', zeroblob(32), zeroblob(32), NULL);");
	verify_finds(f, "prev_hash_mismatch", 6);
}

static void forged_replacement_is_caught_at_next_link(void **state)
{
	struct fixture *f = *state;
	unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
	char hp[2 * AUDIT_HASH_BYTES + 1], hh[2 * AUDIT_HASH_BYTES + 1];
	char sql[640];

	/* Event 3 replaced by a self-consistent forgery: its own hash checks,
	** but event 4 still points at the original. */
	forge_hash(f, 2, 3, "{\"dose_mg\":300}", prev, hash);
	hex(prev, hp);
	hex(hash, hh);
	snprintf(sql, sizeof sql,
		 "DROP TRIGGER audit_events_no_delete;"
		 "DELETE FROM audit_events WHERE seq = 3;"
		 "INSERT INTO audit_events VALUES (3, 1795509999, 7, 'dose.administer', 'patient',"
		 " 41, '{\"dose_mg\":300}', x'%s', x'%s', NULL);",
		 hp, hh);
	tamper(f, sql);
	verify_finds(f, "prev_hash_mismatch", 4);
}

static void forged_event_before_the_first(void **state)
{
	struct fixture *f = *state;

	tamper(f, "INSERT INTO audit_events VALUES (0, 1795509999, 7, 'dose.administer',"
		  " 'patient', 41, '{}', zeroblob(32), zeroblob(32), NULL);");
	verify_finds(f, "gap", 1);
}

static void hash_is_deterministic_and_covers_every_field(void **state)
{
	unsigned char prev[AUDIT_HASH_BYTES];
	unsigned char base[AUDIT_HASH_BYTES], again[AUDIT_HASH_BYTES], h[AUDIT_HASH_BYTES];
	unsigned char prev2[AUDIT_HASH_BYTES];

	(void)state;
	for (int i = 0; i < AUDIT_HASH_BYTES; i++)
		prev[i] = (unsigned char)(i * 7 + 1);
	memcpy(prev2, prev, sizeof prev);
	prev2[AUDIT_HASH_BYTES - 1] ^= 1;

	audit_hash_event(prev, 9, 1000, 3, "act", "ent", 5, "{\"a\":1}", NULL, base);
	audit_hash_event(prev, 9, 1000, 3, "act", "ent", 5, "{\"a\":1}", NULL, again);
	assert_memory_equal(base, again, AUDIT_HASH_BYTES);

#define DIFFERS(...)                                                    \
	do {                                                            \
		audit_hash_event(__VA_ARGS__, NULL, h);                 \
		assert_memory_not_equal(base, h, AUDIT_HASH_BYTES);     \
	} while (0)
	DIFFERS(prev2, 9, 1000, 3, "act", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 10, 1000, 3, "act", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1001, 3, "act", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 4, "act", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 0, "act", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 3, "acu", "ent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 3, "act", "enu", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 3, "act", "ent", 6, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 3, "act", "ent", 5, "{\"a\":2}");
	DIFFERS(prev, 9, 1000, 3, "act", "ent", 5, "");
	/* Moving bytes between fields changes it too (length prefixes). */
	DIFFERS(prev, 9, 1000, 3, "ac", "tent", 5, "{\"a\":1}");
	DIFFERS(prev, 9, 1000, 3, "act", "en", 5, "t{\"a\":1}");
	DIFFERS(prev, 91, 0, 3, "act", "ent", 5, "{\"a\":1}");
#undef DIFFERS
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(intact_chain_verifies),
		cmocka_unit_test(empty_chain_verifies),
		T(stored_hashes_follow_the_formula),
		T(update_and_delete_refused),
		T(changed_field_is_hash_mismatch),
		T(changed_hash_is_hash_mismatch),
		T(deleted_middle_event_is_gap),
		T(deleted_first_event_is_gap),
		T(deleted_last_event_is_head_mismatch),
		T(deleted_head_is_found),
		T(forged_event_at_end_is_head_mismatch),
		T(verify_beside_a_writer),
		T(forged_event_with_bad_link),
		T(forged_replacement_is_caught_at_next_link),
		T(forged_event_before_the_first),
		cmocka_unit_test(hash_is_deterministic_and_covers_every_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
