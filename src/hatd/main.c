/*
** hatd: the clinic server.
**
**   hatd [--config FILE] [--db PATH] [--listen ADDR:PORT] [--web DIR]
**        [--set KEY=VALUE]...
**
** Start-up order matters: libraries and the time zone are set up before
** any thread starts; the writer opens the database (applying migrations)
** before the readers; the server listens last.  SIGTERM and SIGINT stop
** accepting connections, let requests in flight finish, drain the writer,
** and exit 0.  SIGUSR1 logs the writer's commit and command counts.
*/
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/auth.h"
#include "auth/policy.h"
#include "cmd/clinic.h"
#include "cmd/cmd.h"
#include "store/writer.h"
#include "util/clock.h"
#include "util/config.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fputs("usage: hatd [--config FILE] [--db PATH] [--listen ADDR:PORT] [--web DIR]\n"
	      "            [--set KEY=VALUE]...      (hatd --routes lists the routes)\n"
	      "Runs the hat clinic server.  Settings come from FILE (key = value lines),\n"
	      "then from the options.  Keys: db, listen, web_root, timezone,\n"
	      "connection_limit, timeout_s, batch_cap, readers, reader_wait_ms, session_idle_s,\n"
	      "session_absolute_s, login_throttle_after, login_lock_after, login_lock_s,\n"
	      "login_address_limit, login_total_limit, shutdown_grace_s,\n"
	      "per_ip_connection_limit, header_timeout_s, workers, tls_cert, tls_key,\n"
	      "behind_tls_proxy.\n",
	      f);
}

/* --routes: every route with its policy row and the roles that row lets
** in, one a line, so that a test can try each role on each route. */
static void print_routes(void)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE" };

	for (size_t i = 0; i < api_route_count; i++) {
		const struct http_route *r = &api_routes[i];
		const char *m = "?";

		for (unsigned b = 0; b < 5; b++) {
			if (r->method == (enum http_method)(1u << b))
				m = methods[b];
		}
		printf("%s %s %s ", m, r->pattern, r->policy ? r->policy->action : "(none)");
		if (policy_is_open(r->policy)) {
			fputs("anyone", stdout);
		} else {
			const char *sep = "";

			for (unsigned bit = 1; r->policy && bit <= ROLE_ADMIN; bit <<= 1) {
				if (policy_allows(r->policy, bit)) {
					printf("%s%s", sep, auth_role_name(bit));
					sep = ",";
				}
			}
			if (!*sep)
				fputs("nobody", stdout);
		}
		putchar('\n');
	}
}

/* Every connection is a descriptor: the soft limit (often 1024) is raised
** towards the connection limit, as far as the hard limit allows. */
static void raise_open_files(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("hatd: cannot raise the open-file limit to %llu", (unsigned long long)want);
}

/* Reads a PEM file whole (up to 1 MiB) into a new NUL-terminated string;
** NULL when it cannot. */
static char *read_pem(const char *path)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != HAT_OK) {
			buf_free(&b);
			fclose(f);
			return NULL;
		}
	}
	fclose(f);
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return b.data; /* NUL-terminated by buf */
}

static int parse_args(int argc, char **argv, struct config *cfg)
{
	int line;

	/* The config file first, so that options override it. */
	for (int i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (config_load(cfg, argv[i + 1], &line) != HAT_OK) {
				fprintf(stderr, "hatd: cannot use config %s (line %d)\n", argv[i + 1], line);
				return -1;
			}
		}
	}
	/* Every option takes a value: the options step two at a time. */
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		enum hat_err rc = HAT_OK;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--routes") == 0) {
			print_routes();
			exit(0);
		}
		if (!v) {
			fprintf(stderr, "hatd: %s needs a value\n", a);
			return -1;
		}
		if (strcmp(a, "--config") == 0) {
			/* read above */
		} else if (strcmp(a, "--db") == 0) {
			rc = config_set(cfg, "db", v);
		} else if (strcmp(a, "--listen") == 0) {
			rc = config_set(cfg, "listen", v);
		} else if (strcmp(a, "--web") == 0) {
			rc = config_set(cfg, "web_root", v);
		} else if (strcmp(a, "--set") == 0) {
			char key[64];
			const char *eq = strchr(v, '=');

			if (!eq || (size_t)(eq - v) >= sizeof key) {
				rc = HAT_E_INVALID_VALUE;
			} else {
				memcpy(key, v, (size_t)(eq - v));
				key[eq - v] = '\0';
				rc = config_set(cfg, key, eq + 1);
			}
		} else {
			fprintf(stderr, "hatd: unknown option %s\n", a);
			usage(stderr);
			return -1;
		}
		if (rc != HAT_OK) {
			fprintf(stderr, "hatd: bad value for %s: %s\n", a, v);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	static struct api_context ctx;
	static struct http_config http;
	static char clinic_name[200];
	struct writer *writer = NULL;
	struct http_server *server = NULL;
	int claim = -1;
	sigset_t stop_signals;
	int sig = 0;
	int status = 1;
	enum hat_err rc;
	/* The database's name for messages: a URI's password never printed. */
	char shown[512];

	config_default(&cfg);
	if (parse_args(argc, argv, &cfg) != 0)
		return 2;
	store_display_name(cfg.db, shown, sizeof shown);
	if (!store_is_postgresql(cfg.db) && access(cfg.db, F_OK) != 0) {
		fprintf(stderr, "hatd: no database at %s; create one with 'hatctl init --db %s'\n",
			shown, shown);
		return 1;
	}
	if (clock_set_zone(cfg.timezone) != HAT_OK) {
		fprintf(stderr, "hatd: unknown time zone %s\n", cfg.timezone);
		return 2;
	}
	if (auth_init() != HAT_OK) {
		fprintf(stderr, "hatd: cannot initialise libsodium\n");
		return 1;
	}
	json_object_seed(0);

	/* Every thread started from here inherits these blocked signals, so
	** only sigwait below ever sees them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* A shared claim on the database while hatd runs: hatctl restore takes
	** an exclusive one, so it cannot replace the file under a running
	** server (which would go on acknowledging writes into the old file). */
	rc = store_claim(cfg.db, false, &claim);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatd: %s is being restored or cannot be claimed: %s\n", shown,
			hat_err_code(rc));
		goto out;
	}
	rc = writer_start(cfg.db, (int)cfg.batch_cap, cmd_conn_open, &writer);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatd: cannot open %s for writing: %s\n", shown, hat_err_code(rc));
		goto out;
	}
	rc = store_pool_open(cfg.db, (int)cfg.readers, &ctx.readers);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatd: cannot open %s for reading: %s\n", shown, hat_err_code(rc));
		goto out;
	}
	auth_policy_default(&ctx.policy);
	ctx.policy.idle_s = cfg.session_idle_s;
	ctx.policy.absolute_s = cfg.session_absolute_s;
	ctx.policy.throttle_after = (int)cfg.login_throttle_after;
	ctx.policy.lock_after = (int)cfg.login_lock_after;
	ctx.policy.lock_s = cfg.login_lock_s;
	ctx.policy.address_limit = (int)cfg.login_address_limit;
	ctx.policy.total_limit = (int)cfg.login_total_limit;
	ctx.runner.writer = writer;
	ctx.runner.policy = &ctx.policy;
	ctx.reader_wait_ms = cfg.reader_wait_ms;
	ctx.writer = writer;
	ctx.db_path = cfg.db;
	{
		struct store_conn *rc_conn = NULL;

		rc = store_pool_get(ctx.readers, cfg.reader_wait_ms, &rc_conn);
		if (rc == HAT_OK)
			rc = clinic_get(rc_conn, "clinic_name", clinic_name, sizeof clinic_name);
		store_pool_put(ctx.readers, rc_conn);
		if (rc != HAT_OK) {
			fprintf(stderr, "hatd: cannot read the clinic's name from %s: %s\n", shown,
				hat_err_code(rc));
			goto out;
		}
	}
	ctx.clinic_name = clinic_name;
	api_init(&ctx);

	http.listen = cfg.listen;
	http.connection_limit = (unsigned)cfg.connection_limit;
	http.per_ip_limit = (unsigned)cfg.per_ip_connection_limit;
	http.header_timeout_s = (unsigned)cfg.header_timeout_s;
	http.workers = (unsigned)cfg.workers;
	http.behind_tls_proxy = cfg.behind_tls_proxy != 0;
	if (cfg.tls_cert[0] || cfg.tls_key[0]) {
		/* Both are kept for as long as hatd runs: libmicrohttpd reads them. */
		http.tls_cert_pem = cfg.tls_cert[0] ? read_pem(cfg.tls_cert) : NULL;
		http.tls_key_pem = cfg.tls_key[0] ? read_pem(cfg.tls_key) : NULL;
		if (!http.tls_cert_pem || !http.tls_key_pem) {
			fprintf(stderr, "hatd: tls_cert and tls_key must both name readable PEM files\n");
			goto out;
		}
	}
	raise_open_files((rlim_t)cfg.connection_limit + 256);
	http.timeout_s = (unsigned)cfg.timeout_s;
	http.web_root = cfg.web_root[0] ? cfg.web_root : NULL;
	http.routes = api_routes;
	http.nroutes = api_route_count;
	http.authenticate = api_authenticate;
	http.begin = api_request_begin;
	http.request_done = api_request_done;
	rc = http_start(&http, &server);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatd: cannot listen on %s\n", cfg.listen);
		goto out;
	}
	log_info("hatd listening on %s://%s (port %u), database %s%s",
		 http.tls_cert_pem ? "https" : "http", cfg.listen,
		 (unsigned)http_port(server), shown,
#ifdef HAT_TEST_CLOCK
		 " [TEST CLOCK BUILD: not for clinical use]"
#else
		 ""
#endif
	);
	printf("hatd: listening on port %u\n", (unsigned)http_port(server));
	fflush(stdout);

	/* SIGUSR1 logs the writer's counts (bench/ reads them to show group
	** commit at work) and keeps running. */
	while (sigwait(&stop_signals, &sig) == 0 && sig == SIGUSR1) {
		long commits, jobs;

		writer_stats(writer, &commits, &jobs);
		log_info("hatd: writer: %ld commits, %ld commands", commits, jobs);
	}
	log_info("hatd: signal %d: finishing requests in flight", sig);
	status = 0;
out:
	/* The order is the reverse of start-up: no new requests, requests in
	** flight finish (their commands still reach the writer), then the
	** writer drains its queue and closes the database. */
	http_stop(server, (unsigned)cfg.shutdown_grace_s);
	store_pool_close(ctx.readers);
	writer_stop(writer);
	store_unclaim(claim);
	if (status == 0)
		log_info("hatd: stopped cleanly");
	return status;
}
