/*
** bare_mhd.c: the floor the dose benchmark is measured against.
**
**   bare_mhd PORT
**
** A libmicrohttpd JSON responder configured as hatd's listener is (an
** internal epoll thread pool of 2), doing what any JSON API must: it reads
** a POST body, parses it with jansson, and answers 201 with a small JSON
** object.  No database, no authentication, no rules: doses/s divided by
** its requests/s says what hat's own work costs on top of HTTP.  Runs until
** SIGTERM or SIGINT.
*/
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct body {
	char data[8192];
	size_t len;
};

static volatile sig_atomic_t stopping;
static long long answered;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct body *b = *con_cls;
	struct MHD_Response *r;
	json_t *in, *out;
	json_error_t err;
	char *text;
	enum MHD_Result ok;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	if (!b) {
		b = calloc(1, sizeof *b);
		*con_cls = b;
		return b ? MHD_YES : MHD_NO;
	}
	if (*size) {
		size_t n = *size < sizeof b->data - 1 - b->len ? *size : sizeof b->data - 1 - b->len;

		memcpy(b->data + b->len, data, n);
		b->len += n;
		*size = 0;
		return MHD_YES;
	}
	in = json_loadb(b->data, b->len, 0, &err);
	out = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)__atomic_add_fetch(&answered, 1, __ATOMIC_RELAXED),
			"state", "observing", "detail", in ? in : json_null());
	json_decref(in);
	text = out ? json_dumps(out, JSON_COMPACT) : NULL;
	json_decref(out);
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	ok = MHD_queue_response(conn, 201, r);
	MHD_destroy_response(r);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	int port = argc == 2 ? atoi(argv[1]) : 0;

	if (port <= 0 || port > 65535) {
		fputs("usage: bare_mhd PORT\n", stderr);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC,
			     (uint16_t)port, NULL, NULL, on_request, NULL,
			     MHD_OPTION_THREAD_POOL_SIZE, 2u, MHD_OPTION_NOTIFY_COMPLETED,
			     on_completed, NULL, MHD_OPTION_CONNECTION_LIMIT, 2048u, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_mhd: cannot listen on %d\n", port);
		return 2;
	}
	printf("listening %d\n", port);
	fflush(stdout);
	while (!stopping)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
