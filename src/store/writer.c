/*
** writer.c: see writer.h.
*/
#include <pthread.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <time.h>

#include "writer.h"
#include "util/log.h"

/* WAL checkpoints copy committed pages back into the database file and
** fsync it.  Left to SQLite's automatic checkpoint they would run inside a
** COMMIT on the writer thread, and every station waiting on that batch
** would wait for them too; so the writer turns the automatic checkpoint off
** and a second thread, with its own connection, checkpoints in the
** background (PASSIVE: it never blocks the writer or a reader). */
#define CHECKPOINT_EVERY_COMMITS 256
#define CHECKPOINT_EVERY_S 2

struct writer {
	struct store_conn *conn;
	struct store_conn *ckpt_conn;
	pthread_t thread;
	pthread_t ckpt_thread;
	pthread_cond_t ckpt_wake;
	long commits_since_ckpt;
	pthread_mutex_t lock;
	pthread_cond_t work;   /* signalled when a job is queued or stop begins */
	pthread_cond_t done;   /* broadcast when a batch has finished */
	struct writer_job *head;
	struct writer_job *tail;
	int batch_cap;
	bool stopping;
	bool running;          /* the thread is in its loop */
	long commits;
	long jobs_run;
};

/* A batch that meets a serialisation failure or a deadlock (HAT_E_BUSY in
** a job or at the commit) on a server store is run again from the start:
** nothing of it was kept, and each job runs afresh on what is committed
** by then.  SQLite never gets there (BEGIN IMMEDIATE holds the only write
** lock from the start); on PostgreSQL hat's writers queue on one lock
** (pg.c), so only a writer that is not hat's can cause one. */
#define BATCH_TRIES 4
#define BATCH_RETRY_MS 10

static bool run_batch_once(struct store_conn *c, struct writer_job **jobs, int n);

void writer_run_batch(struct store_conn *c, struct writer_job **jobs, int n)
{
	for (int attempt = 1; run_batch_once(c, jobs, n) && attempt < BATCH_TRIES; attempt++) {
		log_warn("writer: a serialisation failure; the batch of %d is run again (try %d)",
			 n, attempt + 1);
		nanosleep(&(struct timespec){ 0, BATCH_RETRY_MS * 1000000L * attempt }, NULL);
	}
}

/* Every job busy, nothing kept: true, for a server store, so that the batch
** is run again. */
static bool all_busy(struct store_conn *c, struct writer_job **jobs, int n)
{
	for (int i = 0; i < n; i++)
		jobs[i]->result = HAT_E_BUSY;
	return store_conn_is_postgresql(c);
}

/* Runs the batch once; true when it met a serialisation failure and
** nothing of it was kept (every job's result is then HAT_E_BUSY). */
static bool run_batch_once(struct store_conn *c, struct writer_job **jobs, int n)
{
	enum hat_err rc;

	rc = store_begin(c);
	if (rc == HAT_E_BUSY)
		return all_busy(c, jobs, n);
	if (rc != HAT_OK) {
		for (int i = 0; i < n; i++)
			jobs[i]->result = rc;
		return false;
	}
	for (int i = 0; i < n; i++) {
		rc = store_savepoint(c);
		if (rc == HAT_OK) {
			rc = jobs[i]->run(c, jobs[i]->arg);
			if (rc == HAT_OK)
				rc = store_release(c);
			if (rc != HAT_OK && store_rollback_to(c) != HAT_OK) {
				/* The refused job's writes may still be in the
				** transaction: nothing of this batch may commit. */
				log_error("writer: a savepoint could not be rolled back;"
					  " %d job(s) refused", n);
				store_rollback(c);
				for (int k = 0; k < n; k++)
					jobs[k]->result = HAT_E_STORE;
				return false;
			}
		}
		jobs[i]->result = rc;
		/* On a server store a busy job is a serialisation failure or a
		** deadlock: the transaction is the server's loser, so none of it
		** is kept and the whole batch runs again. */
		if (rc == HAT_E_BUSY && store_conn_is_postgresql(c)) {
			store_rollback(c);
			return all_busy(c, jobs, n);
		}
		/* Some errors (a full disk, an I/O error, no memory) make SQLite
		** roll the whole transaction back.  A SAVEPOINT after that would
		** open a transaction of its own and its RELEASE would commit it,
		** so the rest of the batch would land one job at a time while
		** every caller is told it failed.  Stop and refuse them all. */
		if (!store_in_transaction(c)) {
			log_error("writer: the transaction was lost; %d job(s) refused", n);
			for (int k = 0; k < n; k++) {
				if (k > i || jobs[k]->result == HAT_OK)
					jobs[k]->result = HAT_E_STORE;
			}
			return false;
		}
	}
	/* Work that belongs to the batch as a whole (sealing the access log's
	** new rows into the audit chain) goes in before the one commit; if it
	** fails, nothing of the batch may land. */
	rc = store_run_commit_hook(c);
	if (rc != HAT_OK) {
		log_error("writer: the batch's closing step failed; %d job(s) refused", n);
		store_rollback(c);
		for (int i = 0; i < n; i++)
			jobs[i]->result = HAT_E_STORE;
		return false;
	}
	rc = store_commit(c);
	if (rc != HAT_OK) {
		/* Nothing of this batch is on disk, so nobody may be told it is. */
		log_error("writer: commit failed; %d job(s) refused", n);
		store_rollback(c);
		if (rc == HAT_E_BUSY)
			return all_busy(c, jobs, n);
		for (int i = 0; i < n; i++)
			jobs[i]->result = HAT_E_STORE;
	}
	return false;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct writer_job **batch;
	int n;

	/* Named, so that its CPU can be told from the others' (ps -L, the
	** dose benchmark). */
	prctl(PR_SET_NAME, "hat-writer", 0, 0, 0);
	batch = calloc((size_t)w->batch_cap, sizeof *batch);
	if (!batch) {
		log_error("writer: out of memory at start");
		abort();
	}
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		if (!w->head && w->stopping)
			break;
		n = 0;
		while (w->head && n < w->batch_cap) {
			batch[n++] = w->head;
			w->head = w->head->next;
		}
		if (!w->head)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);

		writer_run_batch(w->conn, batch, n);

		pthread_mutex_lock(&w->lock);
		w->commits++;
		w->jobs_run += n;
		if (++w->commits_since_ckpt >= CHECKPOINT_EVERY_COMMITS)
			pthread_cond_signal(&w->ckpt_wake);
		for (int i = 0; i < n; i++)
			batch[i]->done = true;
		pthread_cond_broadcast(&w->done);
	}
	w->running = false;
	pthread_mutex_unlock(&w->lock);
	free(batch);
	return NULL;
}

static void *checkpoint_main(void *arg)
{
	struct writer *w = arg;
	struct timespec until;
	bool stopping = false;

	while (!stopping) {
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CHECKPOINT_EVERY_S;
		while (!w->stopping && w->commits_since_ckpt < CHECKPOINT_EVERY_COMMITS &&
		       pthread_cond_timedwait(&w->ckpt_wake, &w->lock, &until) == 0)
			;
		stopping = w->stopping;
		w->commits_since_ckpt = 0;
		pthread_mutex_unlock(&w->lock);
		if (store_exec(w->ckpt_conn, "PRAGMA wal_checkpoint(PASSIVE)") != HAT_OK)
			log_warn("writer: a background checkpoint failed; it will be retried");
	}
	return NULL;
}

enum hat_err writer_start(const char *path, int batch_cap,
			  enum hat_err (*on_open)(struct store_conn *c), struct writer **out)
{
	struct writer *w = calloc(1, sizeof *w);
	enum hat_err rc;

	if (!w)
		return HAT_E_NOMEM;
	rc = store_open(path, STORE_READ_WRITE, &w->conn);
	if (rc == HAT_OK)
		rc = store_exec(w->conn, "PRAGMA wal_autocheckpoint = 0");
	if (rc == HAT_OK && on_open)
		rc = on_open(w->conn);
	/* A server store checkpoints by itself: no second connection. */
	if (rc == HAT_OK && !store_conn_is_postgresql(w->conn))
		rc = store_open(path, STORE_READ_WRITE, &w->ckpt_conn);
	if (rc != HAT_OK) {
		store_close(w->conn);
		free(w);
		return rc;
	}
	w->batch_cap = batch_cap > 0 ? batch_cap : 64;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_cond_init(&w->ckpt_wake, NULL);
	/* Set before the thread exists, so nobody sees a started writer as
	** stopped; the thread clears it as it leaves. */
	w->running = true;
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		store_close(w->conn);
		store_close(w->ckpt_conn);
		free(w);
		return HAT_E_INTERNAL;
	}
	if (w->ckpt_conn && pthread_create(&w->ckpt_thread, NULL, checkpoint_main, w) != 0) {
		/* Without the background thread, SQLite checkpoints on its own. */
		store_exec(w->conn, "PRAGMA wal_autocheckpoint = 1000");
		store_close(w->ckpt_conn);
		w->ckpt_conn = NULL;
	}
	*out = w;
	return HAT_OK;
}

enum hat_err writer_submit(struct writer *w, struct writer_job *job)
{
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		job->result = HAT_E_SHUTTING_DOWN;
		return job->result;
	}
	job->next = NULL;
	job->done = false;
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->work);
	while (!job->done)
		pthread_cond_wait(&w->done, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return job->result;
}

void writer_stop(struct writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_signal(&w->work);
	pthread_cond_signal(&w->ckpt_wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	if (w->ckpt_conn) {
		pthread_join(w->ckpt_thread, NULL);
		store_close(w->ckpt_conn);
	}
	store_close(w->conn);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->ckpt_wake);
	free(w);
}

bool writer_running(struct writer *w)
{
	bool running;

	pthread_mutex_lock(&w->lock);
	running = w->running && !w->stopping;
	pthread_mutex_unlock(&w->lock);
	return running;
}

void writer_stats(struct writer *w, long *commits, long *jobs)
{
	pthread_mutex_lock(&w->lock);
	*commits = w->commits;
	*jobs = w->jobs_run;
	pthread_mutex_unlock(&w->lock);
}
