/*
** writer.h: the single writer thread, with group commit.
**
** One thread owns the write connection.  Callers hand it jobs and wait; it
** takes every job waiting (up to a batch cap), opens one BEGIN IMMEDIATE,
** runs each job inside its own SAVEPOINT (a job that fails is rolled back
** to its savepoint and the others go on), COMMITs once, and then wakes each
** caller with its own result.  One fsync serves the whole batch, the audit
** chain is serialised for free, and no request ever sees SQLITE_BUSY.
**
** On PostgreSQL a batch that meets a serialisation failure or a deadlock
** (possible only beside a writer that is not hat's: hat's writers queue on
** one lock) is rolled back whole and run again, a few times, before its
** jobs are told HAT_E_BUSY.
**
** hatctl runs the same jobs without a thread through writer_run_batch, so
** both programs go through one code path.
*/
#ifndef HAT_STORE_WRITER_H
#define HAT_STORE_WRITER_H

#include <stdbool.h>

#include "store.h"

struct writer_job {
	/* Runs inside a savepoint.  HAT_OK keeps its writes; anything else
	** rolls them back and becomes the job's result. */
	enum hat_err (*run)(struct store_conn *c, void *arg);
	void *arg;
	/* Filled by the writer. */
	enum hat_err result;
	/* Private to the writer. */
	struct writer_job *next;
	bool done;
};

struct writer;

/* Opens the write connection on path (applying migrations), runs on_open
** on it when not NULL (the command layer installs its change tracking
** there), and starts the thread.  batch_cap is the most jobs one
** transaction may hold.  The caller owns *out and ends it with writer_stop.
** Errors: those of store_open and on_open, HAT_E_NOMEM, HAT_E_INTERNAL (the
** thread could not start). */
enum hat_err writer_start(const char *path, int batch_cap,
			  enum hat_err (*on_open)(struct store_conn *c), struct writer **out);

/* Runs job on the writer thread and waits for it.  Thread-safe.  Returns the
** job's result (also in job->result); HAT_E_SHUTTING_DOWN after stop began. */
enum hat_err writer_submit(struct writer *w, struct writer_job *job);

/* Refuses new jobs, finishes every job already queued, stops the thread,
** closes the connection and frees w.  Accepts NULL. */
void writer_stop(struct writer *w);

/* Runs jobs[0..n) in one transaction on c, each in its own savepoint, as the
** thread does, then the connection's commit hook (store_set_commit_hook).
** If the hook or the commit fails, or a failed job's savepoint cannot be
** rolled back, nothing of the batch is kept and every job gets an error. */
void writer_run_batch(struct store_conn *c, struct writer_job **jobs, int n);

/* Whether the thread is taking jobs: false before it has started its loop
** and once stop has begun.  Thread-safe. */
bool writer_running(struct writer *w);

/* Counters for the benchmark: transactions committed and jobs run. */
void writer_stats(struct writer *w, long *commits, long *jobs);

#endif
