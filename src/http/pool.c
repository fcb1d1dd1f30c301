/*
** pool.c: see pool.h.
*/
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pool.h"

struct http_pool {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct http_job *head, *tail;
	bool stopping;
	unsigned nthreads;
	pthread_t *threads;
};

static void *worker(void *arg)
{
	struct http_pool *p = arg;
	struct http_job *job;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->ready, &p->lock);
		job = p->head;
		if (job) {
			p->head = job->next;
			if (!p->head)
				p->tail = NULL;
		}
		pthread_mutex_unlock(&p->lock);
		if (!job)
			return NULL; /* stopping, and nothing left */
		job->next = NULL;
		job->run(job);
	}
}

enum hat_err http_pool_start(unsigned nworkers, struct http_pool **out)
{
	struct http_pool *p = calloc(1, sizeof *p);

	if (!p)
		return HAT_E_NOMEM;
	p->threads = calloc(nworkers, sizeof *p->threads);
	if (!p->threads) {
		free(p);
		return HAT_E_NOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	for (; p->nthreads < nworkers; p->nthreads++) {
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
			http_pool_stop(p);
			return HAT_E_INTERNAL;
		}
	}
	*out = p;
	return HAT_OK;
}

void http_pool_submit(struct http_pool *p, struct http_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = job;
	else
		p->head = job;
	p->tail = job;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
}

void http_pool_stop(struct http_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->ready);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->ready);
	free(p->threads);
	free(p);
}
