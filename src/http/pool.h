/*
** pool.h: the workers that run API handlers off libmicrohttpd's threads.
**
** libmicrohttpd serves every connection from a few event-loop threads
** (epoll), so that idle and slow connections cost a socket and a little
** memory, not a thread each.  A handler may wait (for the writer's commit,
** for a password hash), and a waiting event-loop thread would stall every
** connection it serves; so the glue suspends the connection, hands the
** request to this pool, and the worker resumes the connection when the
** answer is ready.
**
** Ownership: the pool owns its threads; jobs are the caller's (embedded in
** a request) and must stay valid until their run function returns.
*/
#ifndef HAT_HTTP_POOL_H
#define HAT_HTTP_POOL_H

#include "util/err.h"

struct http_job {
	struct http_job *next;
	void (*run)(struct http_job *job);
};

struct http_pool;

/* Starts nworkers threads.  HAT_E_NOMEM, HAT_E_INTERNAL. */
enum hat_err http_pool_start(unsigned nworkers, struct http_pool **out);

/* Queues a job; a free worker runs it, in the order queued. */
void http_pool_submit(struct http_pool *p, struct http_job *job);

/* Runs every job already queued, then stops and frees the pool. */
void http_pool_stop(struct http_pool *p);

#endif
