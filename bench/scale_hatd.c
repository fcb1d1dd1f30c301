/*
** scale_hatd.c: see scale_hatd.h.  Plain POSIX sockets: the client is a few
** requests, one connection each, so that nothing but hatd is measured.
*/
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "scale_hatd.h"
#include "store/store.h"
#include "util/clock.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A line "Key:   1234 kB" of /proc/PID/status, in MiB; -1 when absent. */
static double status_mib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t k = strlen(key);
	double v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, k) == 0 && line[k] == ':')
			v = strtod(line + k + 1, NULL) / 1024.0;
	fclose(f);
	return v;
}

/* Resets the peak to the resident set now (Linux 4.0 and later). */
static bool reset_peak(pid_t pid)
{
	char path[64];
	FILE *f;
	bool ok;

	snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
	f = fopen(path, "w");
	if (!f)
		return false;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

/* One request on a connection of its own; the body is kept when keep is
** given (a small answer), else only counted.  The status, or 0. */
static int request(int port, const char *method, const char *path, const char *token,
		   const char *body, long long *bytes, char *keep, size_t keep_n)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval tv = { .tv_sec = 900, .tv_usec = 0 };
	char head[1024], buf[65536];
	size_t got = 0, kept = 0;
	bool in_body = false;
	int status = 0, fd, n;
	ssize_t r;

	*bytes = 0;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return 0;
	}
	n = snprintf(head, sizeof head,
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s%s%s"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
		     method, path, token ? "Authorization: Bearer " : "", token ? token : "",
		     token ? "\r\n" : "", body ? strlen(body) : 0);
	if (n < 0 || (size_t)n >= sizeof head || write(fd, head, (size_t)n) != n ||
	    (body && write(fd, body, strlen(body)) != (ssize_t)strlen(body))) {
		close(fd);
		return 0;
	}
	/* The head is read into buf first; everything after it is the body. */
	while ((r = read(fd, buf + got, sizeof buf - got - 1)) > 0) {
		size_t len = got + (size_t)r;
		char *at = buf, *end;

		buf[len] = '\0';
		if (!in_body) {
			end = strstr(buf, "\r\n\r\n");
			if (!end) {
				got = len < sizeof buf - 1 ? len : 0;
				continue;
			}
			sscanf(buf, "HTTP/1.%*d %d", &status);
			in_body = true;
			at = end + 4;
		}
		*bytes += (long long)(buf + len - at);
		if (keep && kept + (size_t)(buf + len - at) < keep_n) {
			memcpy(keep + kept, at, (size_t)(buf + len - at));
			kept += (size_t)(buf + len - at);
			keep[kept] = '\0';
		}
		got = 0;
	}
	close(fd);
	return status;
}

static bool login(int port, const char *user, const char *password, char *token, size_t n)
{
	char body[256], answer[8192] = "";
	long long bytes;
	json_t *j;
	bool ok = false;

	snprintf(body, sizeof body,
		 "{\"username\": \"%s\", \"password\": \"%s\", \"token_kind\": \"bearer\"}", user,
		 password);
	if (request(port, "POST", "/api/v1/session", NULL, body, &bytes, answer, sizeof answer) !=
	    201)
		return false;
	j = json_loads(answer, 0, NULL);
	if (j && json_is_string(json_object_get(j, "token")))
		ok = snprintf(token, n, "%s", json_string_value(json_object_get(j, "token"))) <
		     (int)n;
	json_decref(j);
	return ok;
}

/* hatd on 127.0.0.1 with a port the kernel picks, which it prints. */
static pid_t start_hatd(const char *hatd_path, const char *db, int *port)
{
	char out[] = "/tmp/hat-scale-out-XXXXXX";
	int fd = mkstemp(out);
	pid_t pid;
	double t0 = now_ms();

	*port = 0;
	if (fd < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(fd, 1);
		dup2(null, 2);
		dup2(null, 0);
		execl(hatd_path, hatd_path, "--db", db, "--listen", "127.0.0.1:0", (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && *port == 0 && now_ms() - t0 < 120e3) {
		char text[4096];
		ssize_t n = pread(fd, text, sizeof text - 1, 0);
		const char *p;

		if (n > 0) {
			text[n] = '\0';
			p = strstr(text, "listening on port ");
			if (p)
				*port = atoi(p + 18);
		}
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		usleep(20000);
	}
	close(fd);
	unlink(out);
	if (pid > 0 && *port == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	return pid;
}

static void one(struct scale_hatd *h, pid_t pid, int port, const char *name, const char *token,
		const char *path)
{
	struct scale_hatd_read *r = &h->r[h->n];
	double before_peak, t0;

	if (h->n >= SCALE_HATD_MAX)
		return;
	h->n++;
	snprintf(r->name, sizeof r->name, "%s", name);
	h->reset = reset_peak(pid) && h->reset;
	r->rss_mib = status_mib(pid, "VmRSS");
	before_peak = status_mib(pid, "VmHWM");
	t0 = now_ms();
	r->status = request(port, "GET", path, token, NULL, &r->bytes, NULL, 0);
	r->ms = now_ms() - t0;
	r->peak_mib = status_mib(pid, "VmHWM");
	/* Without a reset, the peak may be an earlier request's: its growth
	** is all this one can be charged with. */
	if (!h->reset && r->peak_mib <= before_peak)
		r->peak_mib = r->rss_mib;
}

int scale_hatd_memory(const char *hatd_path, const char *db, int32_t today, struct scale_hatd *h)
{
	struct store_conn *c = NULL;
	char auditor[128], manager[128], path[512], to[11], year[11], decade[11];
	int64_t longest = 0, seq = 0;
	int port;
	pid_t pid;

	memset(h, 0, sizeof *h);
	h->reset = true;
	if (store_open(db, STORE_READ_ONLY, &c) != HAT_OK)
		return 2;
	/* The person with the longest record: the first ever dosed. */
	store_query_int(c, "SELECT patient_id FROM administrations ORDER BY id LIMIT 1", NULL,
			&longest, "");
	store_query_int(c, "SELECT max(seq) FROM audit_events", NULL, &seq, "");
	store_close(c);
	pid = start_hatd(hatd_path, db, &port);
	if (pid < 0) {
		fprintf(stderr, "scale_bench: hatd would not start on %s\n", db);
		return 2;
	}
	if (!login(port, "audit.silva", "demo-auditor-pass", auditor, sizeof auditor) ||
	    !login(port, "mgr.hughes", "demo-manager-pass", manager, sizeof manager)) {
		fprintf(stderr, "scale_bench: the demo's auditor or manager cannot log in\n");
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return 2;
	}
	h->idle_mib = status_mib(pid, "VmRSS");
	clock_format_date(today - 1, to);
	clock_format_date(today - 365, year);
	clock_format_date(today - 3650, decade);

	one(h, pid, port, "audit log, first page", auditor, "/api/v1/audit?limit=500");
	snprintf(path, sizeof path, "/api/v1/audit?limit=500&after_seq=%lld",
		 (long long)(seq > 500 ? seq - 500 : 0));
	one(h, pid, port, "audit log, last page", auditor, path);
	one(h, pid, port, "access log, a page", auditor, "/api/v1/access-log?limit=500");
	one(h, pid, port, "ndtms export, CSV", manager, "/api/v1/exports/ndtms?format=csv");
	one(h, pid, port, "ndtms TOP returns, CSV", manager,
	    "/api/v1/exports/ndtms?format=csv&part=top");
	one(h, pid, port, "ndtms export, JSON", manager, "/api/v1/exports/ndtms");
	one(h, pid, port, "ndtms report, JSON", manager, "/api/v1/reports/ndtms");
	one(h, pid, port, "research export, CSV", manager, "/api/v1/exports/research?format=csv");
	one(h, pid, port, "research export, JSON", manager, "/api/v1/exports/research");
	snprintf(path, sizeof path, "/api/v1/reports/evaluation?from=%s&to=%s", year, to);
	one(h, pid, port, "evaluation, 365 days, JSON", manager, path);
	snprintf(path, sizeof path, "/api/v1/reports/evaluation?from=%s&to=%s&format=csv", year, to);
	one(h, pid, port, "evaluation, 365 days, CSV", manager, path);
	snprintf(path, sizeof path, "/api/v1/reports/evaluation?from=%s&to=%s&format=csv", decade,
		 to);
	one(h, pid, port, "evaluation, 10 years, CSV", manager, path);
	snprintf(path, sizeof path, "/api/v1/incidents?format=csv&from=%s&to=%s", decade, to);
	one(h, pid, port, "incidents, 10 years, CSV", manager, path);
	snprintf(path, sizeof path, "/api/v1/register?format=csv&from=%s&to=%s", year, to);
	one(h, pid, port, "register, 365 days, CSV", manager, path);
	snprintf(path, sizeof path, "/api/v1/register?format=html&from=%s&to=%s", year, to);
	one(h, pid, port, "register, 365 days, HTML", manager, path);
	snprintf(path, sizeof path, "/api/v1/register?limit=5000&from=%s&to=%s", year, to);
	one(h, pid, port, "register, a JSON page", manager, path);
	snprintf(path, sizeof path, "/api/v1/fhir/Patient/%lld/$everything", (long long)longest);
	one(h, pid, port, "FHIR $everything, 1 person", manager, path);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
}
