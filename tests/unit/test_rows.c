/*
** test_rows.c: rows bound into the audit chain (audit/rows.c) and the
** declaration of what the chain covers (audit/tables.c).
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
#include <sodium.h>

#include "audit/audit.h"
#include "audit/canon.h"
#include "audit/rows.h"
#include "audit/tables.h"
#include "store/store.h"
#include "store/writer.h"
#include "testdb.h"
#include "util/err.h"

struct fixture {
	char dir[64];
	char path[96];
	struct store_conn *c;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hat-rows-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/hat.db", f->dir);
	if (store_open(f->path, STORE_CREATE, &f->c) != HAT_OK ||
	    audit_rows_install(f->c) != HAT_OK) {
		store_close(f->c);
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

/* Runs sql and one event binding what it wrote, in one transaction. */
static void write_bound(struct fixture *f, const char *sql, const char *action)
{
	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_int_equal(store_exec(f->c, sql), HAT_OK);
	assert_int_equal(audit_append(f->c, 1795509000, 1, action, "test", 1, NULL), HAT_OK);
	assert_int_equal(store_commit(f->c), HAT_OK);
}

/* Runs sql as an intruder would: no event, the triggers dropped. */
static void tamper(struct fixture *f, const char *sql)
{
	struct store_conn *raw = NULL;

	assert_int_equal(store_open(f->path, STORE_READ_WRITE, &raw), HAT_OK);
	assert_int_equal(store_exec(raw, sql), HAT_OK);
	store_close(raw);
}

static int64_t verify(struct fixture *f, struct audit_findings *out)
{
	struct audit_finding chain;
	int64_t count = 0;
	bool ok = false;

	memset(out, 0, sizeof *out);
	assert_int_equal(audit_verify(f->c, &ok, &chain, &count, NULL, NULL), HAT_OK);
	assert_true(ok);
	assert_int_equal(audit_rows_verify(f->c, out, NULL, NULL), HAT_OK);
	return out->total;
}

static bool found(const struct audit_findings *fs, const char *table, int64_t row,
		  const char *problem)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->kept[i].table, table) == 0 && fs->kept[i].row_id == row &&
		    strcmp(fs->kept[i].problem, problem) == 0)
			return true;
	return false;
}

/* Every table in the schema is declared, once, and nothing else is. */
static void every_table_is_declared(void **state)
{
	struct fixture *f = *state;
	struct store_stmt *s;
	size_t in_schema = 0;
	bool row;

	assert_int_equal(store_prepare(f->c, "SELECT name FROM sqlite_schema WHERE type = 'table'"
					     " AND name NOT LIKE 'sqlite_%'", &s), HAT_OK);
	for (;;) {
		assert_int_equal(store_step(s, &row), HAT_OK);
		if (!row)
			break;
		in_schema++;
		if (!audit_table_named(store_col_text(s, 0)))
			fail_msg("table %s is in the schema but not declared in audit/tables.c",
				 store_col_text(s, 0));
	}
	store_done(s);
	assert_int_equal(in_schema, audit_table_count);
	for (size_t i = 0; i < audit_table_count; i++) {
		const struct audit_table *t = &audit_tables[i];
		bool coded = t->kind == AUDIT_BOUND || t->kind == AUDIT_SEALED;

		assert_true(coded ? t->code > 0 : t->code == 0);
		if (coded)
			assert_ptr_equal(audit_table_coded(t->code), t);
		if (t->kind == AUDIT_EPHEMERAL)
			assert_non_null(t->why);
		for (size_t k = i + 1; k < audit_table_count; k++)
			assert_string_not_equal(t->name, audit_tables[k].name);
	}
}

static void fingerprint_follows_every_column(void **state)
{
	struct fixture *f = *state;
	const struct audit_table *t = audit_table_named("premises");
	unsigned char a[AUDIT_FP_BYTES], b[AUDIT_FP_BYTES];
	bool exists = false;

	write_bound(f, "INSERT INTO premises (id, name, address, created_at)"
		       " VALUES (7, 'North', '1 Road', 100)", "premises.create");
	assert_int_equal(audit_row_fingerprint(f->c, t, 7, a, &exists), HAT_OK);
	assert_true(exists);
	assert_int_equal(audit_row_fingerprint(f->c, t, 8, b, &exists), HAT_OK);
	assert_false(exists);

	static const char *const edits[] = {
		"UPDATE premises SET name = 'South' WHERE id = 7",
		"UPDATE premises SET address = '1 Road ' WHERE id = 7",
		"UPDATE premises SET created_at = 101 WHERE id = 7",
		"UPDATE premises SET id = 9 WHERE id = 7",
	};
	for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
		unsigned char before[AUDIT_FP_BYTES], after[AUDIT_FP_BYTES];
		int64_t id = i == 3 ? 9 : 7;

		assert_int_equal(audit_row_fingerprint(f->c, t, 7, before, &exists), HAT_OK);
		assert_int_equal(store_exec(f->c, "SAVEPOINT e"), HAT_OK);
		assert_int_equal(store_exec(f->c, edits[i]), HAT_OK);
		assert_int_equal(audit_row_fingerprint(f->c, t, id, after, &exists), HAT_OK);
		assert_true(exists);
		assert_memory_not_equal(before, after, AUDIT_FP_BYTES);
		assert_int_equal(store_exec(f->c, "ROLLBACK TO e; RELEASE e"), HAT_OK);
	}
	/* A column added later, NULL in old rows, leaves their fingerprint be. */
	assert_int_equal(store_exec(f->c, "ALTER TABLE premises ADD COLUMN phone TEXT"), HAT_OK);
	assert_int_equal(audit_row_fingerprint(f->c, t, 7, b, &exists), HAT_OK);
	assert_memory_equal(a, b, AUDIT_FP_BYTES);
	assert_int_equal(store_exec(f->c, "UPDATE premises SET phone = '' WHERE id = 7"), HAT_OK);
	assert_int_equal(audit_row_fingerprint(f->c, t, 7, b, &exists), HAT_OK);
	assert_memory_not_equal(a, b, AUDIT_FP_BYTES);
}

/* The documented encoding, field by field: an 8-byte big-endian length,
** then the bytes. */
static void put(crypto_generichash_blake2b_state *st, const void *p, size_t n)
{
	unsigned char len[8];

	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)n >> (56 - 8 * i));
	crypto_generichash_blake2b_update(st, len, 8);
	crypto_generichash_blake2b_update(st, p, n);
}

/* A row's fingerprint is the documented one (rows.c's header), computed
** here by hand: for a row that fits the encoder's buffer and for one far
** larger, which the encoder feeds to the hash field by field. */
static void rows_hash_as_documented(void **state)
{
	static const unsigned char personal[16] = "hat-row-v1";
	static const size_t sizes[] = { 20, 20000 };
	struct fixture *f = *state;

	for (size_t k = 0; k < 2; k++) {
		char *address = malloc(sizes[k] + 1);
		char *sql = malloc(sizes[k] + 200);
		unsigned char want[AUDIT_FP_BYTES], got[AUDIT_FP_BYTES];
		crypto_generichash_blake2b_state st;
		char id[8], name[8];
		bool exists = false;

		assert_non_null(address);
		assert_non_null(sql);
		memset(address, 'a', sizes[k]);
		address[sizes[k]] = '\0';
		snprintf(id, sizeof id, "%d", (int)k + 3);
		snprintf(name, sizeof name, "B%d", (int)k + 3);
		snprintf(sql, sizes[k] + 200, "INSERT INTO premises (id, name, address, created_at)"
					      " VALUES (%s, 'B%s', '%s', 100)", id, id, address);
		write_bound(f, sql, "premises.create");
		assert_int_equal(audit_row_fingerprint(f->c, audit_table_named("premises"),
						       (int64_t)k + 3, got, &exists), HAT_OK);
		assert_true(exists);
		crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, AUDIT_FP_BYTES, NULL,
							      personal);
		put(&st, "premises", 8);
		put(&st, id, 1);
		put(&st, "id", 2);
		put(&st, "i", 1);
		put(&st, id, 1);
		put(&st, "name", 4);
		put(&st, "t", 1);
		put(&st, name, 2);
		put(&st, "address", 7);
		put(&st, "t", 1);
		put(&st, address, sizes[k]);
		put(&st, "created_at", 10);
		put(&st, "i", 1);
		put(&st, "100", 3);
		crypto_generichash_blake2b_final(&st, want, AUDIT_FP_BYTES);
		assert_memory_equal(got, want, AUDIT_FP_BYTES);
		free(address);
		free(sql);
	}
}

static void ignored_columns_are_not_tracked(void **state)
{
	struct fixture *f = *state;
	const struct audit_table *t = audit_table_named("users");
	unsigned char a[AUDIT_FP_BYTES], b[AUDIT_FP_BYTES];
	bool exists;
	struct audit_findings fs;

	write_bound(f, "INSERT INTO users (id, username, display_name, password_hash, created_at)"
		       " VALUES (5, 'ana', 'Ana', 'h1', 100)", "user.create");
	assert_int_equal(audit_row_fingerprint(f->c, t, 5, a, &exists), HAT_OK);
	/* A failed login moves the throttle counters: nothing to bind. */
	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_int_equal(store_exec(f->c, "UPDATE users SET failed_logins = 3, last_failed_at = 9,"
					  " locked_until = 99 WHERE id = 5"), HAT_OK);
	assert_false(audit_rows_pending(f->c));
	assert_int_equal(store_commit(f->c), HAT_OK);
	assert_int_equal(audit_row_fingerprint(f->c, t, 5, b, &exists), HAT_OK);
	assert_memory_equal(a, b, AUDIT_FP_BYTES);
	assert_int_equal(verify(f, &fs), 0);
	/* A password hash is part of the record. */
	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_int_equal(store_exec(f->c, "UPDATE users SET password_hash = 'h2' WHERE id = 5"),
			 HAT_OK);
	assert_true(audit_rows_pending(f->c));
	store_rollback(f->c);
}

static void verify_names_changed_inserted_and_deleted_rows(void **state)
{
	struct fixture *f = *state;
	struct audit_findings fs;

	write_bound(f, "INSERT INTO premises (id, name, address, created_at) VALUES"
		       " (1, 'A', 'a', 1), (2, 'B', 'b', 2), (3, 'C', 'c', 3)", "premises.create");
	write_bound(f, "UPDATE premises SET address = 'b2' WHERE id = 2", "premises.update");
	write_bound(f, "DELETE FROM premises WHERE id = 3", "premises.delete");
	assert_int_equal(verify(f, &fs), 0);

	tamper(f, "UPDATE premises SET name = 'A!' WHERE id = 1;"
		  "INSERT INTO premises (id, name, address, created_at) VALUES (4, 'D', 'd', 4);"
		  "INSERT INTO premises (id, name, address, created_at) VALUES (3, 'C', 'c', 3);"
		  "DELETE FROM premises WHERE id = 2;");
	assert_int_equal(verify(f, &fs), 4);
	assert_true(found(&fs, "premises", 1, "row_changed"));
	assert_true(found(&fs, "premises", 2, "row_missing"));
	assert_true(found(&fs, "premises", 3, "row_unaccounted"));
	assert_true(found(&fs, "premises", 4, "row_unaccounted"));
}

static void binding_rows_are_covered_by_the_chain(void **state)
{
	struct fixture *f = *state;
	struct audit_finding chain;
	int64_t count;
	bool ok = true;

	write_bound(f, "INSERT INTO premises (id, name, address, created_at) VALUES (1, 'A', 'a', 1)",
		    "premises.create");
	tamper(f, "DROP TRIGGER audit_rows_no_update;"
		  " UPDATE audit_rows SET fp = zeroblob(16) WHERE tbl = 2");
	assert_int_equal(audit_verify(f->c, &ok, &chain, &count, NULL, NULL), HAT_OK);
	assert_false(ok);
	assert_string_equal(chain.problem, "rows_mismatch");
	assert_string_equal(chain.table, "audit_rows");
}

static void orphan_bindings_are_caught(void **state)
{
	struct fixture *f = *state;
	struct audit_finding chain;
	int64_t count;
	bool ok = true;

	write_bound(f, "INSERT INTO premises (id, name, address, created_at) VALUES (1, 'A', 'a', 1)",
		    "premises.create");
	tamper(f, "INSERT INTO audit_rows VALUES (999, 2, 1, zeroblob(16))");
	assert_int_equal(audit_verify(f->c, &ok, &chain, &count, NULL, NULL), HAT_OK);
	assert_false(ok);
	assert_string_equal(chain.problem, "rows_mismatch");
}

/* A job the writer runs: one read of a patient's record. */
static enum hat_err read_job(struct store_conn *c, void *arg)
{
	(void)arg;
	return audit_access(c, 1795509000, 1, 0, "patients.list", NULL);
}

/* A job that writes a row and is then refused. */
static enum hat_err write_then_refuse(struct store_conn *c, void *arg)
{
	(void)arg;
	if (store_exec(c, "INSERT INTO premises (id, name, address, created_at)"
			  " VALUES (8, 'Gone', 'x', 1)") != HAT_OK)
		return HAT_E_INTERNAL;
	return HAT_E_CONFLICT;
}

/* A job that writes only an event. */
static enum hat_err event_only(struct store_conn *c, void *arg)
{
	(void)arg;
	return audit_append(c, 1795509000, 1, "test.event", "test", 1, NULL);
}

/* A refused job's rows go with its savepoint, notes included: the next
** job's event binds nothing of them. */
static void a_refused_jobs_rows_are_not_bound_by_the_next(void **state)
{
	struct fixture *f = *state;
	struct writer_job j[2] = { { write_then_refuse, NULL, 0, NULL, false },
				   { event_only, NULL, 0, NULL, false } };
	struct writer_job *batch[2] = { &j[0], &j[1] };
	struct audit_findings fs;
	int64_t before = -1, bound = -1;

	assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM audit_rows", NULL, &before, ""),
			 HAT_OK);
	writer_run_batch(f->c, batch, 2);
	assert_int_equal(j[0].result, HAT_E_CONFLICT);
	assert_int_equal(j[1].result, HAT_OK);
	assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM audit_rows", NULL, &bound, ""),
			 HAT_OK);
	assert_int_equal(bound, before);
	assert_int_equal(verify(f, &fs), 0);
}

static void access_log_is_sealed_per_batch(void **state)
{
	struct fixture *f = *state;
	struct writer_job j[3] = { { read_job, NULL, 0, NULL, false },
				   { read_job, NULL, 0, NULL, false },
				   { read_job, NULL, 0, NULL, false } };
	struct writer_job *batch[3] = { &j[0], &j[1], &j[2] };
	struct audit_findings fs;
	int64_t seals = 0;

	write_bound(f, "INSERT INTO users (id, username, display_name, password_hash, created_at)"
		       " VALUES (1, 'ana', 'Ana', 'h1', 100)", "user.create");
	writer_run_batch(f->c, batch, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(j[i].result, HAT_OK);
	writer_run_batch(f->c, batch, 1);
	assert_int_equal(store_query_int(f->c, "SELECT count(*) FROM audit_events WHERE action ="
					       " 'access_log.seal'", NULL, &seals, ""), HAT_OK);
	assert_int_equal(seals, 2);
	assert_int_equal(verify(f, &fs), 0);

	tamper(f, "DROP TRIGGER access_log_no_update; UPDATE access_log SET what = 'x' WHERE id = 2");
	assert_int_equal(verify(f, &fs), 1);
	assert_true(found(&fs, "access_log", 3, "access_log_changed"));
	tamper(f, "UPDATE access_log SET what = 'patients.list' WHERE id = 2;"
		  "INSERT INTO access_log SELECT 5, at, user_id, patient_id, what, why FROM access_log"
		  " WHERE id = 1");
	assert_int_equal(verify(f, &fs), 1);
	assert_true(found(&fs, "access_log", 5, "access_log_unsealed"));
	tamper(f, "DROP TRIGGER access_log_no_delete; DELETE FROM access_log WHERE id = 5;"
		  " DELETE FROM access_log WHERE id = 4");
	assert_int_equal(verify(f, &fs), 1);
	assert_true(found(&fs, "access_log", 4, "access_log_changed"));
}

static void rows_digest_is_part_of_the_hash(void **state)
{
	unsigned char prev[AUDIT_HASH_BYTES] = { 1 };
	unsigned char d1[AUDIT_ROWS_DIGEST_BYTES] = { 2 };
	unsigned char d2[AUDIT_ROWS_DIGEST_BYTES] = { 3 };
	unsigned char none[AUDIT_HASH_BYTES], h1[AUDIT_HASH_BYTES], h2[AUDIT_HASH_BYTES];

	(void)state;
	audit_hash_event(prev, 1, 2, 3, "a", "e", 4, "{}", NULL, none);
	audit_hash_event(prev, 1, 2, 3, "a", "e", 4, "{}", d1, h1);
	audit_hash_event(prev, 1, 2, 3, "a", "e", 4, "{}", d2, h2);
	assert_memory_not_equal(none, h1, AUDIT_HASH_BYTES);
	assert_memory_not_equal(h1, h2, AUDIT_HASH_BYTES);
}

/* An event's hash is the documented one, for a detail that fits the
** encoder's buffer and for one far larger. */
static void events_hash_as_documented(void **state)
{
	static const unsigned char personal[16] = "hat-audit-v1";
	static const size_t sizes[] = { 10, 10000 };
	unsigned char prev[AUDIT_HASH_BYTES] = { 9 };
	unsigned char digest[AUDIT_ROWS_DIGEST_BYTES] = { 4 };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		char *detail = malloc(sizes[k] + 1);
		unsigned char want[AUDIT_HASH_BYTES], got[AUDIT_HASH_BYTES];
		crypto_generichash_blake2b_state st;

		assert_non_null(detail);
		memset(detail, 'x', sizes[k]);
		detail[sizes[k]] = '\0';
		audit_hash_event(prev, 12, 34, 5, "act", "ent", 6, detail, digest, got);
		crypto_generichash_blake2b_init_salt_personal(&st, NULL, 0, AUDIT_HASH_BYTES, NULL,
							      personal);
		crypto_generichash_blake2b_update(&st, prev, sizeof prev);
		put(&st, "12", 2);
		put(&st, "34", 2);
		put(&st, "5", 1);
		put(&st, "act", 3);
		put(&st, "ent", 3);
		put(&st, "6", 1);
		put(&st, detail, sizes[k]);
		put(&st, digest, sizeof digest);
		crypto_generichash_blake2b_final(&st, want, AUDIT_HASH_BYTES);
		assert_memory_equal(got, want, AUDIT_HASH_BYTES);
		free(detail);
	}
}

static void head_text_round_trips(void **state)
{
	unsigned char hash[AUDIT_HASH_BYTES], back[AUDIT_HASH_BYTES];
	char text[AUDIT_HEAD_TEXT];
	int64_t seq = 0;

	(void)state;
	for (int i = 0; i < AUDIT_HASH_BYTES; i++)
		hash[i] = (unsigned char)(i * 7);
	audit_head_format(1234, hash, text);
	assert_true(audit_head_parse(text, &seq, back));
	assert_int_equal(seq, 1234);
	assert_memory_equal(hash, back, AUDIT_HASH_BYTES);
	assert_false(audit_head_parse("1234", &seq, back));
	assert_false(audit_head_parse(":00", &seq, back));
	assert_false(audit_head_parse("0:0001020304050607080900010203040506070809000102030405060708090001",
				      &seq, back));
	text[strlen(text) - 1] = '\0';
	assert_false(audit_head_parse(text, &seq, back));
	assert_false(audit_head_parse("12x4:00", &seq, back));
}

/* The canonical integer is what "%lld" writes, at every edge. */
static void decimal_is_printf_lld(void **state)
{
	static const int64_t cases[] = { 0, 1, -1, 9, 10, -10, 99, 100, 123456789, -987654321,
					 INT64_MAX, INT64_MIN, INT64_MIN + 1, INT64_MAX - 1 };
	char got[24], want[32];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = canon_decimal(cases[i], got);

		snprintf(want, sizeof want, "%lld", (long long)cases[i]);
		assert_int_equal(n, strlen(want));
		assert_memory_equal(got, want, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(every_table_is_declared, setup, teardown),
		cmocka_unit_test_setup_teardown(fingerprint_follows_every_column, setup, teardown),
		cmocka_unit_test_setup_teardown(ignored_columns_are_not_tracked, setup, teardown),
		cmocka_unit_test_setup_teardown(rows_hash_as_documented, setup, teardown),
		cmocka_unit_test_setup_teardown(verify_names_changed_inserted_and_deleted_rows, setup,
						teardown),
		cmocka_unit_test_setup_teardown(binding_rows_are_covered_by_the_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(orphan_bindings_are_caught, setup, teardown),
		cmocka_unit_test_setup_teardown(access_log_is_sealed_per_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_jobs_rows_are_not_bound_by_the_next, setup,
						teardown),
		cmocka_unit_test(rows_digest_is_part_of_the_hash),
		cmocka_unit_test(events_hash_as_documented),
		cmocka_unit_test(head_text_round_trips),
		cmocka_unit_test(decimal_is_printf_lld),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
