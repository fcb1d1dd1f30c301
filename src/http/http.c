/*
** http.c: see http.h.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http.h"
#include "http/guard.h"
#include "util/clock.h"
#include "util/log.h"

/* A client that keeps sending past the cap is read and discarded for this
** much more (so that it can be told 413), then cut off. */
#define DISCARD_LIMIT (1024u * 1024u)
#define STATIC_FILE_MAX (4u * 1024u * 1024u)

static const char csp[] =
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
	" connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/* libmicrohttpd's event-loop threads: they only move bytes, so a few do. */
#define IO_THREADS 2

struct http_server {
	struct MHD_Daemon *daemon;
	struct http_pool *pool;
	struct http_guard *guard;
	const struct http_config *cfg;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int in_flight;
	uint16_t port;
};

bool http_match(const char *pattern, const char *path, int64_t *id1, int64_t *id2)
{
	const char *p = pattern;
	const char *s = path;
	int nids = 0;

	*id1 = 0;
	*id2 = 0;
	while (*p && *s) {
		if (strncmp(p, "{id}", 4) == 0) {
			int64_t v = 0;
			int digits = 0;

			if (*s == '0')
				return false; /* no leading zeros: one spelling per id */
			while (*s >= '0' && *s <= '9') {
				if (++digits > 15)
					return false;
				v = v * 10 + (*s - '0');
				s++;
			}
			if (digits == 0)
				return false;
			if (nids == 0)
				*id1 = v;
			else
				*id2 = v;
			nids++;
			p += 4;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

static enum http_method method_of(const char *m)
{
	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return HTTP_GET;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	if (strcmp(m, "PUT") == 0)
		return HTTP_PUT;
	if (strcmp(m, "PATCH") == 0)
		return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return HTTP_DELETE;
	return 0;
}

static void allow_text(unsigned allow, char *out, size_t n)
{
	static const char *const names[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < 5; i++) {
		if (!(allow & (1u << i)))
			continue;
		int w = snprintf(out + used, n - used, "%s%s", used ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
}

enum hat_err http_parse_body(const char *data, size_t len, json_t **out, char *why, size_t why_n)
{
	json_error_t err;
	json_t *v;

	if (len == 0) {
		*out = json_object();
		return *out ? HAT_OK : HAT_E_NOMEM;
	}
	/* Any JSON value is read, so that a valid body of the wrong shape
	** ("42", "null") is told not_an_object rather than malformed_json. */
	v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	if (!v) {
		snprintf(why, why_n, "%s (line %d, column %d)", err.text, err.line, err.column);
		return json_error_code(&err) == json_error_duplicate_key ? HAT_E_DUPLICATE_KEY
									  : HAT_E_MALFORMED_JSON;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return HAT_E_NOT_AN_OBJECT;
	}
	*out = v;
	return HAT_OK;
}

const char *http_header(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool http_cookie(struct http_req *req, const char *name, char *out, size_t n)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);

	if (!v)
		return false;
	return str_copy(out, n, v);
}

bool http_set_cookie(struct http_req *req, const char *value)
{
	int n = sizeof req->cookies / sizeof req->cookies[0];

	if (req->ncookies >= n || !str_copy(req->cookies[req->ncookies], sizeof req->cookies[0], value))
		return false;
	req->ncookies++;
	return true;
}

bool http_is_https(struct http_req *req)
{
	const struct http_config *cfg = req->srv->cfg;

	return cfg->tls_cert_pem || cfg->behind_tls_proxy;
}

/* The last entry of X-Forwarded-For: the address the proxy itself saw
** (earlier entries are the client's to write, and so not to be trusted). */
static bool forwarded_for(struct http_req *req, char *out, size_t n)
{
	const char *xff = http_header(req, "X-Forwarded-For");
	const char *last;
	size_t len;

	if (!xff)
		return false;
	last = strrchr(xff, ',');
	last = last ? last + 1 : xff;
	while (*last == ' ')
		last++;
	len = strcspn(last, " ");
	if (len == 0 || len >= n || len >= 64)
		return false;
	memcpy(out, last, len);
	out[len] = '\0';
	return true;
}

void http_peer(struct http_req *req, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	out[0] = '\0';
	if (req->srv->cfg->behind_tls_proxy && forwarded_for(req, out, n))
		return;
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
			  (socklen_t)n);
	else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
			  out, (socklen_t)n);
}

void http_reply(struct http_req *req, int status, json_t *reply)
{
	json_decref(req->reply);
	req->status = status;
	req->reply = reply;
}

void http_reply_file(struct http_req *req, int status, const char *content_type, int fd)
{
	if (req->has_file)
		close(req->file_fd);
	req->status = status;
	req->content_type = content_type;
	req->file_fd = fd;
	req->has_file = true;
}

/* Adds the headers every answer carries; false if one could not be added. */
static bool add_common_headers(struct http_req *req, struct MHD_Response *r, bool api)
{
	/* Over HTTPS, browsers are told to use nothing else for a year. */
	if (http_is_https(req) &&
	    MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000") != MHD_YES)
		return false;
	return MHD_add_response_header(r, "Content-Security-Policy", csp) == MHD_YES &&
	       MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES &&
	       MHD_add_response_header(r, "Referrer-Policy", "no-referrer") == MHD_YES &&
	       MHD_add_response_header(r, "X-Frame-Options", "DENY") == MHD_YES &&
	       (!api || MHD_add_response_header(r, "Cache-Control", "no-store") == MHD_YES);
}

/* Sends r (which this consumes) with its headers. */
static enum MHD_Result send_response(struct http_req *req, int status, const char *type,
				     struct MHD_Response *r, bool api)
{
	enum MHD_Result ok;
	char allow[64];
	bool headers;

	if (!r)
		return MHD_NO;
	headers = MHD_add_response_header(r, "Content-Type", type) == MHD_YES &&
		  add_common_headers(req, r, api);
	for (int i = 0; headers && i < req->ncookies; i++)
		headers = MHD_add_response_header(r, "Set-Cookie", req->cookies[i]) == MHD_YES;
	if (headers && status == 405) {
		allow_text(req->allow, allow, sizeof allow);
		headers = MHD_add_response_header(r, "Allow", allow) == MHD_YES;
	}
	if (headers && (status == 429 || status == 503))
		headers = MHD_add_response_header(r, "Retry-After", "5") == MHD_YES;
	if (!headers) {
		/* An answer without its headers is a different answer (a 201
		** without its Set-Cookie is a login that did not happen): drop
		** the connection rather than send it. */
		log_error("http: a response header could not be added; %s not answered",
			  req->path);
		MHD_destroy_response(r);
		return MHD_NO;
	}
	req->status = status;
	if (req->deferred) {
		/* A worker's answer: queued when the connection is resumed. */
		req->response = r;
		return MHD_YES;
	}
	ok = MHD_queue_response(req->conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result send_bytes(struct http_req *req, int status, const char *type,
				  const void *data, size_t len, bool api)
{
	return send_response(req, status, type,
			     MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY),
			     api);
}

static enum MHD_Result send_error(struct http_req *req, enum hat_err e);

/* The answer http_reply_file named: libmicrohttpd sends the file from the
** kernel's page cache and closes it when done. */
static enum MHD_Result send_file(struct http_req *req)
{
	struct MHD_Response *r = NULL;
	struct stat sb;

	if (fstat(req->file_fd, &sb) == 0 && sb.st_size >= 0)
		r = MHD_create_response_from_fd((uint64_t)sb.st_size, req->file_fd);
	if (!r) {
		log_error("http: %s: its answer's file could not be sent", req->path);
		return send_error(req, HAT_E_IO);
	}
	req->has_file = false;
	return send_response(req, req->status ? req->status : 200, req->content_type, r, true);
}

static enum MHD_Result send_error(struct http_req *req, enum hat_err e)
{
	json_t *body;
	json_t *inner;
	char *text;
	enum MHD_Result ok;

	inner = json_pack("{s:s, s:s}", "code", hat_err_code(e), "message",
			  req->err_message[0] ? req->err_message : hat_err_message(e));
	if (inner && req->err_field)
		json_object_set_new(inner, "field", json_string(req->err_field));
	body = json_pack("{s:o}", "error", inner);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text)
		return MHD_NO;
	ok = send_bytes(req, hat_err_status(e), "application/json", text, strlen(text), true);
	free(text);
	return ok;
}

static enum MHD_Result send_reply(struct http_req *req)
{
	char *text;
	enum MHD_Result ok;

	if (req->has_file)
		return send_file(req);
	if (req->content_type)
		return send_bytes(req, req->status ? req->status : 200, req->content_type,
				  req->raw.data ? req->raw.data : "", req->raw.len, true);
	/* A handler that answered with nothing failed to build its answer
	** (json_pack or a json_* call ran out of memory): never send that
	** as a success with a null body. */
	if (!req->reply && (req->status == 0 || (req->status >= 200 && req->status < 300))) {
		log_error("http: %s built no answer", req->path);
		return send_error(req, HAT_E_NOMEM);
	}
	text = json_dumps(req->reply ? req->reply : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		return send_error(req, HAT_E_NOMEM);
	ok = send_bytes(req, req->status ? req->status : 200, "application/json", text,
			strlen(text), true);
	free(text);
	return ok;
}

static const char *content_type_for(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".js") == 0 || strcmp(dot, ".mjs") == 0)
		return "text/javascript; charset=utf-8";
	if (strcmp(dot, ".css") == 0)
		return "text/css; charset=utf-8";
	if (strcmp(dot, ".svg") == 0)
		return "image/svg+xml";
	if (strcmp(dot, ".png") == 0)
		return "image/png";
	if (strcmp(dot, ".ico") == 0)
		return "image/x-icon";
	if (strcmp(dot, ".json") == 0)
		return "application/json";
	return "application/octet-stream";
}

/* Serves a file under the web root; the path may not climb out of it. */
static enum MHD_Result serve_static(struct http_server *srv, struct http_req *req)
{
	char file[1024];
	struct stat st;
	struct buf b;
	char chunk[8192];
	ssize_t n;
	int fd;
	enum MHD_Result ok;
	const char *path = req->path;

	if (!srv->cfg->web_root || strstr(path, "..") || strchr(path, '\\'))
		return send_error(req, HAT_E_NOT_FOUND);
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	if (snprintf(file, sizeof file, "%s%s", srv->cfg->web_root, path) >= (int)sizeof file)
		return send_error(req, HAT_E_NOT_FOUND);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return send_error(req, HAT_E_NOT_FOUND);
	}
	buf_init(&b, STATIC_FILE_MAX);
	while ((n = read(fd, chunk, sizeof chunk)) > 0) {
		if (buf_append(&b, chunk, (size_t)n) != HAT_OK)
			break;
	}
	close(fd);
	if (n != 0) {
		/* Never serve part of a file as if it were the whole. */
		buf_free(&b);
		log_error("http: %s is unreadable or larger than %u bytes", file, STATIC_FILE_MAX);
		return send_error(req, HAT_E_IO);
	}
	ok = send_bytes(req, 200, content_type_for(file), b.data ? b.data : "", b.len, false);
	buf_free(&b);
	return ok;
}

/* ?format= must be one the route answers in (JSON alone when it names
** none); the refusal lists them. */
static enum hat_err check_format(struct http_req *req)
{
	static const char *const json_only[] = { "json", NULL };
	const char *const *formats = req->route->formats ? req->route->formats : json_only;
	const char *want = http_query(req, "format");
	struct buf msg;
	enum hat_err rc;

	if (!want)
		return HAT_OK;
	for (size_t i = 0; formats[i]; i++) {
		if (strcmp(formats[i], want) == 0)
			return HAT_OK;
	}
	req->err_field = "format";
	buf_init(&msg, sizeof req->err_message);
	rc = buf_printf(&msg, "format must be one of:");
	for (size_t i = 0; rc == HAT_OK && formats[i]; i++)
		rc = buf_printf(&msg, "%s %s", i ? "," : "", formats[i]);
	if (rc == HAT_OK)
		str_copy(req->err_message, sizeof req->err_message, msg.data);
	buf_free(&msg);
	return HAT_E_INVALID_QUERY;
}

static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static void count_in(struct http_server *srv, struct http_req *req)
{
	pthread_mutex_lock(&srv->lock);
	srv->in_flight++;
	req->counted = true;
	pthread_mutex_unlock(&srv->lock);
}

static void count_out(struct http_server *srv, struct http_req *req)
{
	if (!req->counted)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->in_flight--;
	req->counted = false;
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

/* The first call for a request: find its route and check what can be
** checked before reading the body. */
static void first_call(struct http_server *srv, struct http_req *req, const char *method)
{
	const struct http_config *cfg = srv->cfg;
	const char *cl;
	const char *te;
	int64_t len = 0;
	bool has_body;

	req->method = method_of(method);
	for (size_t i = 0; i < cfg->nroutes; i++) {
		int64_t a, b;

		if (!http_match(cfg->routes[i].pattern, req->path, &a, &b))
			continue;
		req->allow |= cfg->routes[i].method;
		if (cfg->routes[i].method == req->method && !req->route) {
			req->route = &cfg->routes[i];
			req->path_id = a;
			req->path_id2 = b;
		}
	}
	if (!req->route) {
		if (req->allow)
			req->early_err = HAT_E_METHOD_NOT_ALLOWED;
		else if (strncmp(req->path, "/api/", 5) == 0 || req->method != HTTP_GET)
			req->early_err = HAT_E_NOT_FOUND;
		return;
	}
	cl = http_header(req, "Content-Length");
	te = http_header(req, "Transfer-Encoding");
	if (cl && !str_to_int64(cl, 0, INT64_MAX, &len)) {
		req->early_err = HAT_E_MALFORMED_JSON;
		return;
	}
	has_body = len > 0 || (te && strcasecmp(te, "identity") != 0);
	if (cl && (size_t)len > req->route->body_cap) {
		req->early_err = HAT_E_BODY_TOO_LARGE;
		return;
	}
	if (has_body && !is_json_type(http_header(req, "Content-Type"))) {
		req->early_err = HAT_E_UNSUPPORTED_MEDIA;
		return;
	}
	buf_init(&req->body_buf, req->route->body_cap);
}

static enum MHD_Result finish_request(struct http_server *srv, struct http_req *req)
{
	char why[200];
	enum hat_err rc;

	if (req->too_large)
		return send_error(req, HAT_E_BODY_TOO_LARGE);
	why[0] = '\0';
	rc = http_parse_body(req->body_buf.data, req->body_buf.len, &req->body, why, sizeof why);
	if (rc != HAT_OK) {
		if (why[0])
			snprintf(req->err_message, sizeof req->err_message, "%s: %s",
				 hat_err_message(rc), why);
		return send_error(req, rc);
	}
	rc = check_format(req);
	if (rc != HAT_OK)
		return send_error(req, rc);
	if (srv->cfg->begin) {
		rc = srv->cfg->begin(req);
		if (rc != HAT_OK)
			return send_error(req, rc);
	}
	/* The route's row in the policy decides, in the authenticator; a
	** server given none (a unit test's) serves its routes as they are. */
	rc = srv->cfg->authenticate ? srv->cfg->authenticate(req) : HAT_OK;
	if (rc != HAT_OK)
		return send_error(req, rc);
	rc = req->route->handler(req);
	if (rc != HAT_OK)
		return send_error(req, rc);
	return send_reply(req);
}

/* A worker runs the handler; the connection waits, suspended, and is
** resumed with the answer (or none, which closes it). */
static void run_deferred(struct http_job *job)
{
	struct http_req *req = (struct http_req *)((char *)job - offsetof(struct http_req, job));

	finish_request(req->srv, req);
	MHD_resume_connection(req->conn);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	(void)version;
	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		req->conn = conn;
		req->srv = srv;
		req->path = url;
		req->started_ms = clock_mono_ms();
		*con_cls = req;
		count_in(srv, req);
		http_guard_headers_in(srv->guard, conn);
		first_call(srv, req, method);
		if (req->early_err != HAT_OK)
			return send_error(req, req->early_err);
		if (!req->route)
			return serve_static(srv, req);
		return MHD_YES;
	}
	if (req->deferred) {
		/* Resumed: the worker's answer is ready, or it could not be made. */
		enum MHD_Result queued = MHD_NO;

		if (req->response) {
			queued = MHD_queue_response(conn, (unsigned)req->status, req->response);
			MHD_destroy_response(req->response);
			req->response = NULL;
		}
		return queued;
	}
	if (req->status) {
		/* Answered already (an early refusal): drop whatever follows. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!req->too_large &&
		    buf_append(&req->body_buf, upload_data, *upload_data_size) != HAT_OK) {
			/* A chunked body has no length to check up front: it is cut
			** off here, once it passes the cap. */
			req->too_large = true;
			buf_free(&req->body_buf);
		}
		if (req->too_large) {
			req->discarded += *upload_data_size;
			if (req->discarded > DISCARD_LIMIT)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	req->deferred = true;
	req->job.run = run_deferred;
	MHD_suspend_connection(conn);
	http_pool_submit(srv->pool, &req->job);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_req *req = *con_cls;
	static const char *const mnames[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };
	const char *m = "?";

	(void)toe;
	http_guard_answered(srv->guard, conn);
	if (!req)
		return;
	for (unsigned i = 0; i < 5; i++) {
		if (req->method == (enum http_method)(1u << i))
			m = mnames[i];
	}
	/* The path only: query strings may carry search terms about patients. */
	log_info("%s %s %d %.1fms %s", m, req->path, req->status,
		 clock_mono_ms() - req->started_ms, req->username[0] ? req->username : "-");
	if (srv->cfg->request_done)
		srv->cfg->request_done(req);
	json_decref(req->body);
	json_decref(req->reply);
	buf_free(&req->raw);
	buf_free(&req->body_buf);
	if (req->has_file)
		close(req->file_fd);
	if (req->response)
		MHD_destroy_response(req->response);
	count_out(srv, req);
	free(req);
	*con_cls = NULL;
}

/* libmicrohttpd hands its own format strings to this logger. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("http: %s", line);
}

static bool parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	int64_t port;

	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return false;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (!str_to_int64(colon + 1, 0, 65535, &port))
		return false;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

enum hat_err http_start(const struct http_config *cfg, struct http_server **out)
{
	struct http_server *srv;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	if (!parse_listen(cfg->listen, &sa))
		return HAT_E_INVALID_VALUE;
	if (cfg->tls_cert_pem && (!cfg->tls_key_pem || MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)) {
		log_error("http: a certificate needs its key, and a libmicrohttpd built with TLS");
		return HAT_E_INVALID_VALUE;
	}
	srv = calloc(1, sizeof *srv);
	if (!srv)
		return HAT_E_NOMEM;
	srv->cfg = cfg;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_cond_init(&srv->idle, NULL);
	if (http_pool_start(cfg->workers ? cfg->workers : 16, &srv->pool) != HAT_OK ||
	    http_guard_start(cfg->header_timeout_s ? cfg->header_timeout_s : 10, cfg->timeout_s,
			     &srv->guard) != HAT_OK)
		goto fail;
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_ERROR_LOG | MHD_USE_ITC | (cfg->tls_cert_pem ? MHD_USE_TLS : 0),
		0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)IO_THREADS,
		MHD_OPTION_CONNECTION_LIMIT, cfg->connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_NOTIFY_CONNECTION, http_guard_notify, srv->guard,
		/* Without TLS these two are the end of the list. */
		cfg->tls_cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cfg->tls_cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, cfg->tls_key_pem,
		MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
		MHD_OPTION_END);
	if (!srv->daemon) {
		log_error("http: cannot listen on %s: %s", cfg->listen, strerror(errno));
		goto fail;
	}
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : ntohs(sa.sin_port);
	*out = srv;
	return HAT_OK;
fail:
	http_pool_stop(srv->pool);
	http_guard_stop(srv->guard);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
	free(srv);
	return HAT_E_IO;
}

uint16_t http_port(struct http_server *s)
{
	return s->port;
}

void http_stop(struct http_server *srv, unsigned grace_s)
{
	MHD_socket fd;
	struct timespec deadline;

	if (!srv)
		return;
	/* Stop taking new connections, let the requests already running
	** finish (their commands complete in the writer), then close. */
	fd = MHD_quiesce_daemon(srv->daemon);
	/* Quiescing stops the accepting, but the kernel would still complete
	** handshakes into the backlog, leaving new clients hanging until the
	** grace ends.  shutdown() refuses them at once; the descriptor stays
	** valid, as MHD needs until MHD_stop_daemon. */
	if (fd != MHD_INVALID_SOCKET)
		shutdown(fd, SHUT_RDWR);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += grace_s;
	pthread_mutex_lock(&srv->lock);
	while (srv->in_flight > 0) {
		if (pthread_cond_timedwait(&srv->idle, &srv->lock, &deadline) != 0)
			break;
	}
	pthread_mutex_unlock(&srv->lock);
	/* Every handler a worker holds finishes (the writer is still running)
	** and resumes its connection before libmicrohttpd goes away. */
	http_pool_stop(srv->pool);
	MHD_stop_daemon(srv->daemon);
	log_info("http: %ld connections were cut off, their headers late",
		 http_guard_cut(srv->guard));
	http_guard_stop(srv->guard);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	pthread_mutex_destroy(&srv->lock);
	pthread_cond_destroy(&srv->idle);
	free(srv);
}
