/*
** test_store.c: the SQLite backend and the writer thread, on a temporary
** database file.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "store/store.h"
#include "testdb.h"
#include "store/writer.h"
#include "util/err.h"

struct fixture {
	char dir[64];
	char path[96];
	char backup[96];
	struct store_conn *c;
};


static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/hat-store-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/hat.db", f->dir);
	snprintf(f->backup, sizeof f->backup, "%s/backup.db", f->dir);
	if (store_open(f->path, STORE_CREATE, &f->c) != HAT_OK) {
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
	testdb_remove(f->backup);
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char sql_make_items[] =
	"CREATE TABLE items (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, name TEXT)";
static const char sql_insert_item[] = "INSERT INTO items (k, name) VALUES (?, ?)";
static const char sql_count_items[] = "SELECT count(*) FROM items";
static const char sql_count_distinct[] = "SELECT count(DISTINCT k) FROM items";
static const char sql_count_k[] = "SELECT count(*) FROM items WHERE k = ?";

static int64_t count_items(struct store_conn *c)
{
	int64_t n = -1;
	bool found = false;

	assert_int_equal(store_query_int(c, sql_count_items, &found, &n, ""), HAT_OK);
	assert_true(found);
	return n;
}

static void migrations_applied(void **state)
{
	struct fixture *f = *state;
	struct store_conn *again = NULL;
	int64_t n = -1;
	bool found = false;

	assert_true(store_schema_latest() >= 1);
	assert_int_equal(store_schema_version(f->c), store_schema_latest());
	/* The schema is there. */
	assert_int_equal(store_query_int(f->c,
					 "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
					 " AND name IN ('audit_events', 'audit_head', 'users')",
					 &found, &n, ""),
			 HAT_OK);
	assert_true(found);
	assert_int_equal(n, 3);
	/* Opening again applies nothing twice (a second CREATE TABLE would fail). */
	assert_int_equal(store_open(f->path, STORE_READ_WRITE, &again), HAT_OK);
	assert_int_equal(store_schema_version(again), store_schema_latest());
	store_close(again);
}

static void open_refusals(void **state)
{
	struct fixture *f = *state;
	struct store_conn *c = NULL;
	char missing[128];

	snprintf(missing, sizeof missing, "%s/missing.db", f->dir);
	assert_int_equal(store_open(missing, STORE_READ_WRITE, &c), HAT_E_IO);
	assert_int_equal(store_open(missing, STORE_READ_ONLY, &c), HAT_E_IO);
	assert_int_equal(access(missing, F_OK), -1); /* not created */
	store_close(NULL);
}

static void pragmas(void **state)
{
	struct fixture *f = *state;
	struct store_stmt *s = NULL;
	bool row = false;
	bool found = false;
	int64_t v = -1;

	assert_int_equal(store_prepare(f->c, "PRAGMA journal_mode", &s), HAT_OK);
	assert_int_equal(store_step(s, &row), HAT_OK);
	assert_true(row);
	assert_string_equal(store_col_text(s, 0), "wal");
	store_done(s);

	/* A database that cannot be put in WAL is refused, not used in
	** another journal mode. */
	{
		struct store_conn *m = NULL;

		assert_int_equal(store_open(":memory:", STORE_CREATE, &m), HAT_E_STORE);
		assert_null(m);
	}

	assert_int_equal(store_query_int(f->c, "PRAGMA synchronous", &found, &v, ""), HAT_OK);
	assert_true(found);
	assert_int_equal(v, 2); /* FULL */
	assert_int_equal(store_query_int(f->c, "PRAGMA foreign_keys", &found, &v, ""), HAT_OK);
	assert_int_equal(v, 1);
}

static void read_only_connection(void **state)
{
	struct fixture *f = *state;
	struct store_conn *r = NULL;
	int64_t v = -1;
	bool found = false;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(store_open(f->path, STORE_READ_ONLY, &r), HAT_OK);
	assert_int_equal(store_query_int(r, sql_count_items, &found, &v, ""), HAT_OK);
	assert_int_equal(v, 0);
	assert_int_equal(store_run(r, sql_insert_item, "it", INT64_C(1), "x"), HAT_E_STORE);
	assert_int_equal(count_items(f->c), 0);
	store_close(r);
}

static void query_int_and_binding(void **state)
{
	struct fixture *f = *state;
	struct store_stmt *s1 = NULL, *s2 = NULL;
	int64_t v = 77;
	bool found = true;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	/* No row, and a NULL, both read as not found with *out untouched. */
	assert_int_equal(store_query_int(f->c, "SELECT k FROM items WHERE id = ?", &found, &v, "i",
					 INT64_C(5)),
			 HAT_OK);
	assert_false(found);
	assert_int_equal(v, 77);
	assert_int_equal(store_query_int(f->c, "SELECT NULL", &found, &v, ""), HAT_OK);
	assert_false(found);
	assert_int_equal(v, 77);

	assert_int_equal(store_run(f->c, sql_insert_item, "it", INT64_C(-9), "nine"), HAT_OK);
	assert_int_equal(store_changes(f->c), 1);
	assert_int_equal(store_last_id(f->c), 1);
	assert_int_equal(store_run(f->c, sql_insert_item, "In", INT64_MIN), HAT_E_STORE); /* NOT NULL */
	assert_int_equal(store_query_int(f->c, "SELECT k FROM items WHERE name = ?", &found, &v, "t",
					 "nine"),
			 HAT_OK);
	assert_true(found);
	assert_int_equal(v, -9);
	/* A uniqueness violation is a conflict. */
	assert_int_equal(store_run(f->c, "INSERT INTO items (id, k) VALUES (1, 1)", ""),
			 HAT_E_CONFLICT);
	/* The statement cache hands back the same statement for the same SQL. */
	assert_int_equal(store_prepare(f->c, sql_count_items, &s1), HAT_OK);
	assert_int_equal(store_prepare(f->c, sql_count_items, &s2), HAT_OK);
	assert_ptr_equal(s1, s2);
	store_done(s1);
	assert_int_equal(store_prepare(f->c, "SELECT * FROM no_such_table", &s1), HAT_E_STORE);
}

static void query_json_converts(void **state)
{
	struct fixture *f = *state;
	json_t *rows = NULL;
	json_t *r;

	assert_int_equal(store_exec(f->c,
				    "CREATE TABLE j (id INTEGER PRIMARY KEY, name TEXT, created_at INTEGER,"
				    " start_date INTEGER, born_on INTEGER, is_active INTEGER,"
				    " has_plan INTEGER, n INTEGER, gone_at INTEGER, dose REAL,"
				    " is_note TEXT);"
				    "INSERT INTO j VALUES (1, 'Ann', 1795509000, 20541, -1, 1, 0, 42, NULL,"
				    " 2.5, 'yes');"
				    "INSERT INTO j VALUES (2, NULL, 0, 0, 11016, 0, 7, -3, 2147483648,"
				    " NULL, NULL);"),
			 HAT_OK);
	assert_int_equal(store_query_json(f->c, "SELECT * FROM j WHERE id >= ? ORDER BY id", &rows,
					  "i", INT64_C(1)),
			 HAT_OK);
	assert_true(json_is_array(rows));
	assert_int_equal(json_array_size(rows), 2);

	r = json_array_get(rows, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	assert_string_equal(json_string_value(json_object_get(r, "name")), "Ann");
	assert_string_equal(json_string_value(json_object_get(r, "created_at")),
			    "2026-11-24T08:30:00Z");
	assert_string_equal(json_string_value(json_object_get(r, "start_date")), "2026-03-29");
	assert_string_equal(json_string_value(json_object_get(r, "born_on")), "1969-12-31");
	assert_true(json_is_true(json_object_get(r, "is_active")));
	assert_true(json_is_false(json_object_get(r, "has_plan")));
	assert_true(json_is_integer(json_object_get(r, "n")));
	assert_int_equal(json_integer_value(json_object_get(r, "n")), 42);
	assert_true(json_is_null(json_object_get(r, "gone_at")));
	assert_true(json_is_real(json_object_get(r, "dose")));
	/* Text stays text whatever its column is called. */
	assert_string_equal(json_string_value(json_object_get(r, "is_note")), "yes");

	r = json_array_get(rows, 1);
	assert_true(json_is_null(json_object_get(r, "name")));
	assert_string_equal(json_string_value(json_object_get(r, "created_at")),
			    "1970-01-01T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(r, "start_date")), "1970-01-01");
	assert_string_equal(json_string_value(json_object_get(r, "born_on")), "2000-02-29");
	assert_true(json_is_false(json_object_get(r, "is_active")));
	assert_true(json_is_true(json_object_get(r, "has_plan")));
	assert_string_equal(json_string_value(json_object_get(r, "gone_at")),
			    "2038-01-19T03:14:08Z");
	json_decref(rows);

	/* No rows: an empty array. */
	assert_int_equal(store_query_json(f->c, "SELECT * FROM j WHERE id >= ? ORDER BY id", &rows,
					  "i", INT64_C(3)),
			 HAT_OK);
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);
}

static void query_json_embeds_json_columns(void **state)
{
	struct fixture *f = *state;
	json_t *rows = NULL;
	json_t *r;

	assert_int_equal(store_exec(f->c,
				    "CREATE TABLE d (id INTEGER PRIMARY KEY, extra TEXT);"
				    "INSERT INTO d VALUES (1, '{\"b\":[1,2],\"a\":null}'), (2, NULL),"
				    " (3, '7');"),
			 HAT_OK);
	assert_int_equal(store_query_json(f->c, "SELECT id, extra AS extra_json FROM d ORDER BY id",
					  &rows, ""),
			 HAT_OK);
	assert_int_equal(json_array_size(rows), 3);
	r = json_array_get(rows, 0);
	assert_null(json_object_get(r, "extra_json"));
	assert_true(json_is_object(json_object_get(r, "extra")));
	assert_int_equal(json_array_size(json_object_get(json_object_get(r, "extra"), "b")), 2);
	assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "extra")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 2), "extra")), 7);
	json_decref(rows);
}

/* A job: insert k, then fail with fail_with (HAT_OK to succeed). */
struct item_job {
	struct writer_job job;
	int64_t k;
	enum hat_err fail_with;
};

static enum hat_err insert_item(struct store_conn *c, void *arg)
{
	struct item_job *j = arg;
	enum hat_err rc = store_run(c, sql_insert_item, "it", j->k, "job");

	if (rc != HAT_OK)
		return rc;
	return j->fail_with;
}

static void item_job_init(struct item_job *j, int64_t k, enum hat_err fail_with)
{
	memset(j, 0, sizeof *j);
	j->job.run = insert_item;
	j->job.arg = j;
	j->job.result = HAT_E_INTERNAL;
	j->k = k;
	j->fail_with = fail_with;
}

static int64_t count_k(struct store_conn *c, int64_t k)
{
	int64_t n = -1;

	assert_int_equal(store_query_int(c, sql_count_k, NULL, &n, "i", k), HAT_OK);
	return n;
}

static void batch_rolls_back_only_the_failing_job(void **state)
{
	struct fixture *f = *state;
	struct item_job j[5];
	struct writer_job *batch[5];

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	item_job_init(&j[0], 1, HAT_OK);
	item_job_init(&j[1], 2, HAT_E_DOSE_OVER_SESSION); /* wrote, then refused */
	item_job_init(&j[2], 3, HAT_OK);
	item_job_init(&j[3], 4, HAT_E_CONFLICT);
	item_job_init(&j[4], 5, HAT_OK);
	for (int i = 0; i < 5; i++)
		batch[i] = &j[i].job;
	writer_run_batch(f->c, batch, 5);
	assert_int_equal(j[0].job.result, HAT_OK);
	assert_int_equal(j[1].job.result, HAT_E_DOSE_OVER_SESSION);
	assert_int_equal(j[2].job.result, HAT_OK);
	assert_int_equal(j[3].job.result, HAT_E_CONFLICT);
	assert_int_equal(j[4].job.result, HAT_OK);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_items(f->c), 3);
	assert_int_equal(count_k(f->c, 1), 1);
	assert_int_equal(count_k(f->c, 2), 0);
	assert_int_equal(count_k(f->c, 3), 1);
	assert_int_equal(count_k(f->c, 4), 0);
	assert_int_equal(count_k(f->c, 5), 1);

	/* The same again with every job failing: nothing lands, and the
	** connection is still usable. */
	for (int i = 0; i < 5; i++)
		item_job_init(&j[i], 10 + i, HAT_E_STALE_VERSION);
	writer_run_batch(f->c, batch, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(j[i].job.result, HAT_E_STALE_VERSION);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_items(f->c), 3);
}

static void batch_commit_failure_fails_every_job(void **state)
{
	struct fixture *f = *state;
	struct item_job j[3];
	struct writer_job *batch[3];

	/* A deferred foreign key is only checked at COMMIT. */
	assert_int_equal(store_exec(f->c,
				    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
				    "CREATE TABLE items (id INTEGER PRIMARY KEY, k INTEGER NOT NULL"
				    " REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED, name TEXT);"
				    "INSERT INTO parent VALUES (1), (3);"),
			 HAT_OK);
	item_job_init(&j[0], 1, HAT_OK);
	item_job_init(&j[1], 2, HAT_OK); /* no parent 2 */
	item_job_init(&j[2], 3, HAT_OK);
	for (int i = 0; i < 3; i++)
		batch[i] = &j[i].job;
	writer_run_batch(f->c, batch, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_not_equal(j[i].job.result, HAT_OK);
		assert_int_equal(j[i].job.result, HAT_E_STORE);
	}
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_items(f->c), 0);

	/* The connection recovers: the next good batch commits. */
	item_job_init(&j[0], 1, HAT_OK);
	item_job_init(&j[1], 3, HAT_OK);
	writer_run_batch(f->c, batch, 2);
	assert_int_equal(j[0].job.result, HAT_OK);
	assert_int_equal(j[1].job.result, HAT_OK);
	assert_int_equal(count_items(f->c), 2);
}

/* A job whose error made SQLite roll the whole transaction back (as
** SQLITE_FULL or SQLITE_IOERR can).  Regression: the jobs after it used to
** run in transactions of their own, each committed by its RELEASE, while
** the final COMMIT failed and every caller was told nothing was written. */
static enum hat_err lose_transaction(struct store_conn *c, void *arg)
{
	(void)arg;
	store_exec(c, "ROLLBACK");
	return HAT_E_STORE;
}

static void batch_stops_when_transaction_lost(void **state)
{
	struct fixture *f = *state;
	struct item_job j[3];
	struct writer_job *batch[3];

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	item_job_init(&j[0], 1, HAT_OK);
	item_job_init(&j[1], 2, HAT_OK);
	j[1].job.run = lose_transaction;
	item_job_init(&j[2], 3, HAT_OK);
	for (int i = 0; i < 3; i++)
		batch[i] = &j[i].job;
	writer_run_batch(f->c, batch, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(j[i].job.result, HAT_E_STORE);
	assert_false(store_in_transaction(f->c));
	/* Nothing reported as failed may be on disk. */
	assert_int_equal(count_items(f->c), 0);

	/* The connection recovers: the next good batch commits. */
	item_job_init(&j[0], 4, HAT_OK);
	writer_run_batch(f->c, batch, 1);
	assert_int_equal(j[0].job.result, HAT_OK);
	assert_int_equal(count_items(f->c), 1);
}

/* Fault injection: a job that wrote a row, then closed its own savepoint
** (so the writer's ROLLBACK TO finds no savepoint and fails), and refused.
** Its row is still in the open transaction; committing the batch would put
** a refused command's writes on disk. */
static enum hat_err break_savepoint(struct store_conn *c, void *arg)
{
	struct item_job *j = arg;

	if (store_run(c, sql_insert_item, "it", j->k, "half-written") != HAT_OK)
		return HAT_E_INTERNAL;
	if (store_exec(c, "RELEASE cmd") != HAT_OK)
		return HAT_E_INTERNAL;
	return HAT_E_DOSE_OVER_SESSION;
}

static void batch_refused_when_rollback_to_fails(void **state)
{
	struct fixture *f = *state;
	struct item_job j[3];
	struct writer_job *batch[3];

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	item_job_init(&j[0], 1, HAT_OK);
	item_job_init(&j[1], 2, HAT_OK);
	j[1].job.run = break_savepoint;
	item_job_init(&j[2], 3, HAT_OK);
	for (int i = 0; i < 3; i++)
		batch[i] = &j[i].job;
	writer_run_batch(f->c, batch, 3);
	/* Every caller hears of a failure: none of the batch was kept. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(j[i].job.result, HAT_E_STORE);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_k(f->c, 2), 0);
	assert_int_equal(count_items(f->c), 0);

	/* The connection recovers: the next good batch commits. */
	item_job_init(&j[0], 4, HAT_OK);
	writer_run_batch(f->c, batch, 1);
	assert_int_equal(j[0].job.result, HAT_OK);
	assert_int_equal(count_items(f->c), 1);
}

#define THREADS 8
#define JOBS_PER_THREAD 40

struct submitter {
	struct writer *w;
	int index;
	int wrong; /* results that were not what the job asked for */
};

static void *submit_many(void *arg)
{
	struct submitter *s = arg;

	for (int i = 0; i < JOBS_PER_THREAD; i++) {
		struct item_job j;
		int64_t k = (int64_t)s->index * 1000 + i;
		/* Every seventh job is refused after writing. */
		enum hat_err want = k % 7 == 0 ? HAT_E_CONFLICT : HAT_OK;

		item_job_init(&j, k, want);
		if (writer_submit(s->w, &j.job) != want || j.job.result != want)
			s->wrong++;
	}
	return NULL;
}

static void writer_threads_each_row_once(void **state)
{
	struct fixture *f = *state;
	struct writer *w = NULL;
	pthread_t th[THREADS];
	struct submitter sub[THREADS];
	long commits = -1, jobs = -1;
	int64_t refused = 0;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(writer_start(f->path, 16, NULL, &w), HAT_OK);
	for (int i = 0; i < THREADS; i++) {
		sub[i].w = w;
		sub[i].index = i + 1;
		sub[i].wrong = 0;
		assert_int_equal(pthread_create(&th[i], NULL, submit_many, &sub[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(sub[i].wrong, 0);
	}
	writer_stats(w, &commits, &jobs);
	assert_int_equal(jobs, THREADS * JOBS_PER_THREAD);
	assert_true(commits >= 1 && commits <= jobs);
	writer_stop(w);

	for (int i = 1; i <= THREADS; i++) {
		for (int n = 0; n < JOBS_PER_THREAD; n++) {
			int64_t k = (int64_t)i * 1000 + n;

			if (k % 7 == 0)
				refused++;
			if (count_k(f->c, k) != (k % 7 == 0 ? 0 : 1))
				fail_msg("row %lld landed %lld times", (long long)k,
					 (long long)count_k(f->c, k));
		}
	}
	assert_int_equal(count_items(f->c), THREADS * JOBS_PER_THREAD - refused);
	assert_int_equal(store_query_int(f->c, sql_count_distinct, NULL, &refused, ""), HAT_OK);
	assert_int_equal(refused, count_items(f->c));
}

/* A job that holds the writer until told to let go. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool entered;
	bool open;
};

static enum hat_err wait_at_gate(struct store_conn *c, void *arg)
{
	struct gate *g = arg;

	(void)c;
	pthread_mutex_lock(&g->lock);
	g->entered = true;
	pthread_cond_broadcast(&g->cond);
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
	return HAT_OK;
}

struct one_submit {
	struct writer *w;
	struct writer_job *job;
	enum hat_err rc;
};

static void *submit_one(void *arg)
{
	struct one_submit *o = arg;

	o->rc = writer_submit(o->w, o->job);
	return NULL;
}

static void *stop_writer(void *arg)
{
	writer_stop(arg);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void writer_stop_drains_queue(void **state)
{
	struct fixture *f = *state;
	struct writer *w = NULL;
	struct gate g = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false };
	struct writer_job gate_job;
	struct item_job items[4];
	struct item_job late;
	struct one_submit subs[5];
	pthread_t th[5];
	pthread_t stopper;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(writer_start(f->path, 2, NULL, &w), HAT_OK);
	assert_true(writer_running(w));
	memset(&gate_job, 0, sizeof gate_job);
	gate_job.run = wait_at_gate;
	gate_job.arg = &g;

	/* Hold the writer inside a job. */
	subs[0] = (struct one_submit){ w, &gate_job, HAT_E_INTERNAL };
	assert_int_equal(pthread_create(&th[0], NULL, submit_one, &subs[0]), 0);
	pthread_mutex_lock(&g.lock);
	while (!g.entered)
		pthread_cond_wait(&g.cond, &g.lock);
	pthread_mutex_unlock(&g.lock);

	/* Queue four more behind it (more than one batch of 2). */
	for (int i = 0; i < 4; i++) {
		item_job_init(&items[i], 100 + i, i == 2 ? HAT_E_CONFLICT : HAT_OK);
		subs[i + 1] = (struct one_submit){ w, &items[i].job, HAT_E_INTERNAL };
		assert_int_equal(pthread_create(&th[i + 1], NULL, submit_one, &subs[i + 1]), 0);
	}
	sleep_ms(300); /* let them reach the queue */

	/* Stop while they wait; a job submitted now is turned away. */
	assert_int_equal(pthread_create(&stopper, NULL, stop_writer, w), 0);
	sleep_ms(300);
	item_job_init(&late, 999, HAT_OK);
	assert_int_equal(writer_submit(w, &late.job), HAT_E_SHUTTING_DOWN);
	assert_int_equal(late.job.result, HAT_E_SHUTTING_DOWN);
	/* Health must not call a stopping writer running. */
	assert_false(writer_running(w));

	pthread_mutex_lock(&g.lock);
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	pthread_join(stopper, NULL);
	for (int i = 0; i < 5; i++)
		pthread_join(th[i], NULL);

	assert_int_equal(subs[0].rc, HAT_OK);
	for (int i = 0; i < 4; i++)
		assert_int_equal(subs[i + 1].rc, i == 2 ? HAT_E_CONFLICT : HAT_OK);
	assert_int_equal(count_items(f->c), 3);
	assert_int_equal(count_k(f->c, 102), 0);
	assert_int_equal(count_k(f->c, 999), 0);
	writer_stop(NULL);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pool_wait_is_bounded(void **state)
{
	struct fixture *f = *state;
	struct store_pool *p = NULL;
	struct store_conn *a = NULL;
	struct store_conn *b = (struct store_conn *)1;
	double t0, waited;

	assert_int_equal(store_pool_open(f->path, 1, &p), HAT_OK);
	assert_int_equal(store_pool_get(p, 100, &a), HAT_OK);
	assert_non_null(a);
	/* The only reader is taken: the next waits 100 ms, then is refused. */
	t0 = mono_s();
	assert_int_equal(store_pool_get(p, 100, &b), HAT_E_BUSY);
	waited = mono_s() - t0;
	assert_null(b);
	assert_true(waited >= 0.095);
	assert_true(waited < 2.0);
	store_pool_put(p, a);
	/* Given back, it is there at once. */
	assert_int_equal(store_pool_get(p, 1, &b), HAT_OK);
	assert_ptr_equal(b, a);
	store_pool_put(p, b);
	store_pool_close(p);
}

static void count_progress(int done, int total, void *arg)
{
	int *calls = arg;

	assert_true(done >= 0 && done <= total);
	calls[0]++;
	calls[1] = done;
	calls[2] = total;
}

static void backup_has_same_rows(void **state)
{
	struct fixture *f = *state;
	struct store_conn *b = NULL;
	struct store_stmt *s = NULL;
	json_t *orig = NULL, *copy = NULL;
	bool row = false;
	int calls[3] = { 0, -1, -1 };

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(store_begin(f->c), HAT_OK);
	for (int64_t i = 0; i < 500; i++)
		assert_int_equal(store_run(f->c, sql_insert_item, "it", i, "a row of some length"),
				 HAT_OK);
	assert_int_equal(store_commit(f->c), HAT_OK);

	assert_int_equal(store_backup(f->c, f->backup, count_progress, calls), HAT_OK);
	assert_true(calls[0] >= 1);
	assert_int_equal(calls[1], calls[2]); /* ended with every page done */

	/* The copy stands alone: not a WAL pair. */
	{
		struct store_conn *r = NULL;

		assert_int_equal(store_open(f->backup, STORE_READ_ONLY, &r), HAT_OK);
		assert_int_equal(store_prepare(r, "PRAGMA journal_mode", &s), HAT_OK);
		assert_int_equal(store_step(s, &row), HAT_OK);
		assert_true(row);
		assert_string_equal(store_col_text(s, 0), "delete");
		store_done(s);
		store_close(r);
	}
	assert_int_equal(store_open(f->backup, STORE_READ_WRITE, &b), HAT_OK);
	assert_int_equal(store_schema_version(b), store_schema_latest());
	assert_int_equal(count_items(b), 500);
	assert_int_equal(store_query_json(f->c, "SELECT * FROM items ORDER BY id", &orig, ""),
			 HAT_OK);
	assert_int_equal(store_query_json(b, "SELECT * FROM items ORDER BY id", &copy, ""), HAT_OK);
	assert_true(json_equal(orig, copy));
	json_decref(orig);
	json_decref(copy);
	store_close(b);

	/* Nowhere to write it. */
	{
		char bad[160];

		snprintf(bad, sizeof bad, "%s/no/such/dir/copy.db", f->dir);
		assert_int_equal(store_backup(f->c, bad, NULL, NULL), HAT_E_IO);
	}
}

static void transactions_and_savepoints(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_true(store_in_transaction(f->c));
	assert_int_equal(store_run(f->c, sql_insert_item, "it", INT64_C(1), "kept"), HAT_OK);
	assert_int_equal(store_savepoint(f->c), HAT_OK);
	assert_int_equal(store_run(f->c, sql_insert_item, "it", INT64_C(2), "undone"), HAT_OK);
	assert_int_equal(store_rollback_to(f->c), HAT_OK);
	assert_true(store_in_transaction(f->c));
	assert_int_equal(store_savepoint(f->c), HAT_OK);
	assert_int_equal(store_run(f->c, sql_insert_item, "it", INT64_C(3), "kept"), HAT_OK);
	assert_int_equal(store_release(f->c), HAT_OK);
	assert_int_equal(store_commit(f->c), HAT_OK);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_items(f->c), 2);
	assert_int_equal(count_k(f->c, 2), 0);

	assert_int_equal(store_begin(f->c), HAT_OK);
	assert_int_equal(store_run(f->c, sql_insert_item, "it", INT64_C(4), "gone"), HAT_OK);
	store_rollback(f->c);
	assert_false(store_in_transaction(f->c));
	assert_int_equal(count_items(f->c), 2);
	store_rollback(f->c); /* harmless outside a transaction */
}

/* A read snapshot: what another connection commits meanwhile is not seen
** until it ends; inside a transaction already, it reads in that one. */
static void read_snapshot(void **state)
{
	struct fixture *f = *state;
	struct store_conn *r = NULL;
	bool began = false, inner = true;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(store_run(f->c, sql_insert_item, "it", (int64_t)1, "one"), HAT_OK);
	assert_int_equal(store_open(f->path, STORE_READ_ONLY, &r), HAT_OK);
	assert_int_equal(store_read_begin(r, &began), HAT_OK);
	assert_true(began);
	assert_true(store_in_transaction(r));
	assert_int_equal(count_items(r), 1);
	assert_int_equal(store_run(f->c, sql_insert_item, "it", (int64_t)2, "two"), HAT_OK);
	assert_int_equal(count_items(f->c), 2);
	assert_int_equal(count_items(r), 1);
	/* Nested: no second transaction, and its end leaves the outer one. */
	assert_int_equal(store_read_begin(r, &inner), HAT_OK);
	assert_false(inner);
	store_read_end(r, inner);
	assert_true(store_in_transaction(r));
	assert_int_equal(count_items(r), 1);
	store_read_end(r, began);
	assert_false(store_in_transaction(r));
	assert_int_equal(count_items(r), 2);
	/* Without one, each statement sees the latest commit. */
	assert_int_equal(store_run(f->c, sql_insert_item, "it", (int64_t)3, "three"), HAT_OK);
	assert_int_equal(count_items(r), 3);
	store_close(r);
}

/* Ids read whole: none, many (past the first allocation), a bad query. */
static void query_ids(void **state)
{
	struct fixture *f = *state;
	int64_t *ids = (int64_t *)1;
	size_t n = 99;

	assert_int_equal(store_exec(f->c, sql_make_items), HAT_OK);
	assert_int_equal(store_query_ids(f->c, "SELECT k FROM items ORDER BY k", &ids, &n), HAT_OK);
	assert_null(ids);
	assert_int_equal(n, 0);
	for (int64_t k = 1; k <= 70; k++)
		assert_int_equal(store_run(f->c, sql_insert_item, "it", k * 10, "x"), HAT_OK);
	assert_int_equal(store_query_ids(f->c, "SELECT k FROM items ORDER BY k", &ids, &n), HAT_OK);
	assert_int_equal(n, 70);
	assert_int_equal(ids[0], 10);
	assert_int_equal(ids[64], 650);
	assert_int_equal(ids[69], 700);
	free(ids);
	assert_int_equal(store_query_ids(f->c, "SELECT k FROM no_such_table", &ids, &n), HAT_E_STORE);
	assert_null(ids);
	assert_int_equal(n, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(migrations_applied),
		T(open_refusals),
		T(pragmas),
		T(read_only_connection),
		T(read_snapshot),
		T(query_ids),
		T(query_int_and_binding),
		T(query_json_converts),
		T(query_json_embeds_json_columns),
		T(transactions_and_savepoints),
		T(batch_rolls_back_only_the_failing_job),
		T(batch_commit_failure_fails_every_job),
		T(batch_stops_when_transaction_lost),
		T(batch_refused_when_rollback_to_fails),
		T(writer_threads_each_row_once),
		T(writer_stop_drains_queue),
		T(pool_wait_is_bounded),
		T(backup_has_same_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
