/*
** http.h: the HTTP server glue over libmicrohttpd.
**
** It serves a route table it is given and knows nothing of the routes
** themselves: it matches the path and method (404, 405 with Allow), caps
** the body per route (413, also for chunked bodies), insists on JSON for
** bodies (415), parses the body with duplicate keys refused (400), calls
** the application's authenticator, which applies the route's policy (401, 403),
** runs the handler, and writes either its reply or the error body from the
** one error table.  It also serves the web UI's static files with a strict
** Content-Security-Policy, logs one line per request, and stops cleanly.
**
** Threads: a few event-loop threads (libmicrohttpd's internal epoll)
** serve every connection, so that idle or slow clients cost a socket, not a
** thread.  Handlers may wait (for the writer, for a password hash), so they
** never run there: the connection is suspended, a worker (pool.h) runs the
** handler, and the connection is resumed with the answer.  Connections are
** capped in all and per client address, and a request whose headers do not
** arrive in time is cut off (guard.h).
*/
#ifndef HAT_HTTP_HTTP_H
#define HAT_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "http/pool.h"
#include "util/buf.h"
#include "util/err.h"

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_PUT = 1 << 2,
	HTTP_PATCH = 1 << 3,
	HTTP_DELETE = 1 << 4,
};

struct http_req;
/* The application's access rule for a route (auth/policy.h); the glue only
** hands it to the authenticator. */
struct policy_rule;

/* A handler answers by setting req->status and req->reply (or raw), and
** returns HAT_OK; or it returns an error code (and may set req->err_field
** and req->err_message) and the glue writes the error body. */
typedef enum hat_err (*http_handler)(struct http_req *req);

struct http_route {
	enum http_method method;
	const char *pattern;  /* "/api/v1/patients/{id}": {id} matches 1..2^53 */
	http_handler handler;
	const struct policy_rule *policy; /* who may use it; NULL: no one */
	size_t body_cap;      /* the largest body accepted, in bytes */
	/* The ?format= values the route answers in (NULL-terminated); NULL
	** means JSON only.  Any other format= is refused here, the same way
	** on every route: 400 invalid_query naming "format". */
	const char *const *formats;
};

struct http_req {
	enum http_method method;
	const char *path;
	const struct http_route *route;
	int64_t path_id;       /* the {id} of the path, or 0 */
	int64_t path_id2;      /* a second {id}, or 0 */
	json_t *body;          /* the parsed JSON object; {} when there is no body */

	/* Set by the authenticator. */
	unsigned roles;
	char username[64];
	void *principal;       /* the application's own record of who it is */

	/* Application state for this request, released by the app's done hook. */
	void *app;

	/* The answer. */
	int status;
	json_t *reply;             /* owned; sent as JSON */
	struct buf raw;            /* sent as is when content_type is set */
	const char *content_type;  /* for raw, or for the file */
	int file_fd;               /* with has_file: sent from its start (http_reply_file) */
	bool has_file;
	char cookies[2][320];      /* Set-Cookie values */
	int ncookies;
	const char *err_field;
	char err_message[240];

	/* Private to the glue. */
	struct MHD_Connection *conn;
	struct buf body_buf;
	enum hat_err early_err;
	unsigned allow;
	bool too_large;
	size_t discarded;
	double started_ms;
	bool counted;
	bool deferred;                 /* answered by a worker: keep the response */
	struct MHD_Response *response; /* the worker's answer, queued on resume */
	struct http_server *srv;
	struct http_job job;
};

struct http_config {
	const char *listen;           /* "127.0.0.1:8080" */
	unsigned connection_limit;    /* concurrent connections */
	unsigned per_ip_limit;        /* concurrent connections from one address */
	unsigned timeout_s;           /* idle connection timeout */
	unsigned header_timeout_s;    /* a request's headers must arrive in this */
	unsigned workers;             /* threads that run handlers */
	const char *tls_cert_pem;     /* PEM certificate chain: serve HTTPS (with
				      ** tls_key_pem); NULL serves plain HTTP */
	const char *tls_key_pem;
	bool behind_tls_proxy;        /* a TLS proxy in front: act as HTTPS, and
				      ** take the client's address from the last
				      ** X-Forwarded-For entry the proxy adds */
	const char *web_root;         /* static files; NULL serves none */
	const struct http_route *routes;
	size_t nroutes;
	/* Called for every route before its handler: decides from the route's
	** policy whether the caller may use it, identifying them (and checking
	** CSRF) when the route needs a login, and fills req->roles, username
	** and principal.  Its error is the answer. */
	enum hat_err (*authenticate)(struct http_req *req);
	/* Called for every routed request before authentication (may be NULL):
	** takes what the handler will need; an error is answered at once. */
	enum hat_err (*begin)(struct http_req *req);
	/* Called when a request is finished, to release req->app. */
	void (*request_done)(struct http_req *req);
};

struct http_server;

/* Starts listening.  The config (and the routes) must outlive the server.
** Errors: HAT_E_INVALID_VALUE (a bad listen address, or a certificate
** given to a libmicrohttpd built without TLS), HAT_E_IO (cannot listen, or
** the certificate and key are refused). */
enum hat_err http_start(const struct http_config *cfg, struct http_server **out);

/* Stops accepting, waits (up to grace_s seconds) for requests in flight to
** finish, then closes every connection and frees the server. */
void http_stop(struct http_server *s, unsigned grace_s);

/* The port actually bound (useful with port 0). */
uint16_t http_port(struct http_server *s);

/* Request helpers for handlers. */
const char *http_header(struct http_req *req, const char *name);
const char *http_query(struct http_req *req, const char *name);
/* The value of a cookie sent by the client, or NULL. Copies into out. */
bool http_cookie(struct http_req *req, const char *name, char *out, size_t n);
/* Adds a Set-Cookie header to the answer; false (nothing added) when the
** value is too long or the answer already has all the cookies it can. */
bool http_set_cookie(struct http_req *req, const char *value);
/* The client's address as text (behind a TLS proxy, the one it forwarded). */
void http_peer(struct http_req *req, char *out, size_t n);
/* True when the client reached hatd over HTTPS (hatd's own TLS, or the
** proxy's): cookies are then marked Secure, and answers carry HSTS. */
bool http_is_https(struct http_req *req);

/* Answers with JSON (steals reply). */
void http_reply(struct http_req *req, int status, json_t *reply);

/* Answers with the whole of the file fd (read from its start), for a long
** answer written out to a file in constant memory rather than built in
** memory.  The glue owns fd from here and closes it, answered or not. */
void http_reply_file(struct http_req *req, int status, const char *content_type, int fd);

/* Parses a request body: HAT_E_MALFORMED_JSON, HAT_E_DUPLICATE_KEY or
** HAT_E_NOT_AN_OBJECT, or HAT_OK with *out a new object.  Exposed for the
** fuzz target and the unit tests. */
enum hat_err http_parse_body(const char *data, size_t len, json_t **out, char *why, size_t why_n);

/* Matches path against pattern, filling the ids; exposed for tests. */
bool http_match(const char *pattern, const char *path, int64_t *id1, int64_t *id2);

#endif
