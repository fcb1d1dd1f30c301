/*
** guard.h: a deadline for a request's headers.
**
** libmicrohttpd's connection timeout counts from the last byte received,
** so a client that trickles a header a byte at a time holds its connection
** for ever.  The guard gives each connection a deadline by which the
** headers of its next request must be complete: header_timeout_s from
** when it connects, and idle_s + header_timeout_s from the end of each
** answer (an idle keep-alive connection is libmicrohttpd's to close).  A
** thread of its own checks twice a second and shuts the socket of any
** connection past its deadline; libmicrohttpd then sees the close and
** cleans up as for any other.
**
** Threads: the callbacks run on libmicrohttpd's threads, the sweep on the
** guard's; one mutex covers the list.  A connection leaves the list (in
** the CLOSED notification) before libmicrohttpd closes its socket, so the
** sweep never touches a descriptor that has been reused.
*/
#ifndef HAT_HTTP_GUARD_H
#define HAT_HTTP_GUARD_H

#include <microhttpd.h>

#include "util/err.h"

struct http_guard;

/* Starts the sweep.  HAT_E_NOMEM, HAT_E_INTERNAL. */
enum hat_err http_guard_start(unsigned header_timeout_s, unsigned idle_s,
			      struct http_guard **out);

/* Stops the sweep and frees the guard (after libmicrohttpd has stopped). */
void http_guard_stop(struct http_guard *g);

/* MHD_OPTION_NOTIFY_CONNECTION's callback; cls is the guard. */
void http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
		       enum MHD_ConnectionNotificationCode code);

/* The connection's request headers are in: no deadline while it runs. */
void http_guard_headers_in(struct http_guard *g, struct MHD_Connection *c);

/* The connection's answer is done: the next request's deadline starts. */
void http_guard_answered(struct http_guard *g, struct MHD_Connection *c);

/* How many connections it has cut off (for the log and the bench). */
long http_guard_cut(struct http_guard *g);

#endif
