/*
** guard.c: see guard.h.
*/
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "guard.h"
#include "util/clock.h"
#include "util/log.h"

struct tracked {
	struct tracked *prev, *next;
	MHD_socket fd;
	double deadline_ms; /* 0: a request is running */
};

struct http_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct tracked *head;
	bool stopping;
	double header_ms;
	double idle_ms;
	long cut;
	pthread_t thread;
};

static void *sweep(void *arg)
{
	struct http_guard *g = arg;
	struct timespec until;
	double now;

	pthread_mutex_lock(&g->lock);
	while (!g->stopping) {
		now = clock_mono_ms();
		for (struct tracked *t = g->head; t; t = t->next) {
			if (t->deadline_ms > 0 && now > t->deadline_ms) {
				/* The descriptor is still libmicrohttpd's: only shut it,
				** and let libmicrohttpd close it when it sees the end. */
				shutdown(t->fd, SHUT_RDWR);
				t->deadline_ms = 0;
				g->cut++;
			}
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

enum hat_err http_guard_start(unsigned header_timeout_s, unsigned idle_s,
			      struct http_guard **out)
{
	struct http_guard *g = calloc(1, sizeof *g);

	if (!g)
		return HAT_E_NOMEM;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	g->header_ms = header_timeout_s * 1000.0;
	g->idle_ms = idle_s * 1000.0;
	if (pthread_create(&g->thread, NULL, sweep, g) != 0) {
		pthread_mutex_destroy(&g->lock);
		pthread_cond_destroy(&g->wake);
		free(g);
		return HAT_E_INTERNAL;
	}
	*out = g;
	return HAT_OK;
}

void http_guard_stop(struct http_guard *g)
{
	struct tracked *t, *next;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	for (t = g->head; t; t = next) {
		next = t->next;
		free(t);
	}
	pthread_mutex_destroy(&g->lock);
	pthread_cond_destroy(&g->wake);
	free(g);
}

void http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode code)
{
	struct http_guard *g = cls;
	struct tracked *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		t = ci ? calloc(1, sizeof *t) : NULL;
		if (!t)
			return; /* untracked: only libmicrohttpd's own timeout applies */
		t->fd = ci->connect_fd;
		pthread_mutex_lock(&g->lock);
		t->deadline_ms = clock_mono_ms() + g->header_ms;
		t->next = g->head;
		if (g->head)
			g->head->prev = t;
		g->head = t;
		pthread_mutex_unlock(&g->lock);
		*socket_context = t;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
		pthread_mutex_lock(&g->lock);
		if (t->prev)
			t->prev->next = t->next;
		else
			g->head = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&g->lock);
		free(t);
		*socket_context = NULL;
	}
}

static struct tracked *tracked_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

void http_guard_headers_in(struct http_guard *g, struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);

	if (!t)
		return;
	pthread_mutex_lock(&g->lock);
	t->deadline_ms = 0;
	pthread_mutex_unlock(&g->lock);
}

void http_guard_answered(struct http_guard *g, struct MHD_Connection *c)
{
	struct tracked *t = tracked_of(c);

	if (!t)
		return;
	pthread_mutex_lock(&g->lock);
	t->deadline_ms = clock_mono_ms() + g->idle_ms + g->header_ms;
	pthread_mutex_unlock(&g->lock);
}

long http_guard_cut(struct http_guard *g)
{
	long n;

	pthread_mutex_lock(&g->lock);
	n = g->cut;
	pthread_mutex_unlock(&g->lock);
	return n;
}
