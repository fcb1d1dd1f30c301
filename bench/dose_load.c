/*
** dose_load.c: the timed phase of the dose benchmark, as a client that
** costs little next to what it measures.
**
**   dose_load PORT < STATIONS
**
** Each line of STATIONS is one station: its nurse's bearer token, its
** witness token, a number n (odd: left arm, even: right) and the patient
** ids it doses, separated by spaces.  Every station is a thread with one
** kept-alive HTTP/1.1 connection to 127.0.0.1:PORT; they start together and
** each posts
**
**   POST /api/v1/patients/{id}/administrations
**   {"amount_mg":100,"route":"iv","site":"...","witness":{"token":"..."},
**    "identity_confirmed":true}
**
** for its patients in turn, waiting for each answer.  A responder that is
** not hat (bench/bare_mhd) answers the same requests.  Output, one line a
** request: "dose STATUS MICROSECONDS ID" (ID from the answer's "id", or 0),
** then "client_cpu SECONDS" (this process's CPU over the phase) and
** "wall SECONDS".  Exit 0, or 2 when it could not run (a lost connection is
** reported as status 0, not fatal).
**
** Plain POSIX: sockets, pthreads, no libraries.
*/
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_STATIONS 256
#define MAX_PATIENTS 4096
#define AMOUNT_MG 100

struct result {
	int status;
	long micros;
	long long id;
};

struct station {
	char token[128], witness[128];
	int n;
	long long patients[MAX_PATIENTS];
	int npatients;
	struct result *results;
	pthread_t thread;
};

static int port;
static pthread_barrier_t start;

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_local(void)
{
	struct sockaddr_in sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static bool send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads one answer: its status, and the "id" of a JSON body when there is
** one.  buf holds what was read past the previous answer (kept-alive). */
struct reader {
	char buf[65536];
	size_t len;
};

static int read_answer(int fd, struct reader *r, long long *id)
{
	char *end;
	long clen = 0;
	int status = 0;
	size_t head;

	for (;;) {
		ssize_t got;

		r->buf[r->len] = '\0';
		end = strstr(r->buf, "\r\n\r\n");
		if (end)
			break;
		if (r->len + 1 >= sizeof r->buf)
			return 0;
		got = read(fd, r->buf + r->len, sizeof r->buf - 1 - r->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		r->len += (size_t)got;
	}
	head = (size_t)(end - r->buf) + 4;
	if (sscanf(r->buf, "HTTP/1.1 %d", &status) != 1)
		return 0;
	for (char *line = strstr(r->buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
		if (strncasecmp(line + 2, "Content-Length:", 15) == 0)
			clen = strtol(line + 17, NULL, 10);
	}
	if (clen < 0 || head + (size_t)clen >= sizeof r->buf)
		return 0;
	while (r->len < head + (size_t)clen) {
		ssize_t got = read(fd, r->buf + r->len, sizeof r->buf - 1 - r->len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;
		r->len += (size_t)got;
	}
	*id = 0;
	{
		static int told;
		char body[4096];
		size_t bl = (size_t)clen < sizeof body - 1 ? (size_t)clen : sizeof body - 1;
		const char *k;

		memcpy(body, r->buf + head, bl);
		body[bl] = '\0';
		/* The first refusal's answer, so a broken run says why. */
		if ((status < 200 || status > 299) && !__atomic_exchange_n(&told, 1, __ATOMIC_RELAXED))
			fprintf(stderr, "dose_load: %d %s\n", status, body);
		k = strstr(body, "\"id\":");
		if (k)
			*id = strtoll(k + 5, NULL, 10);
	}
	memmove(r->buf, r->buf + head + (size_t)clen, r->len - head - (size_t)clen);
	r->len -= head + (size_t)clen;
	return status;
}

static void *station_main(void *arg)
{
	struct station *s = arg;
	struct reader *r = calloc(1, sizeof *r);
	int fd = connect_local();

	pthread_barrier_wait(&start);
	for (int i = 0; i < s->npatients; i++) {
		char body[512], req[1024];
		int bl, rl;
		double t0;
		long long id = 0;
		int status = 0;

		bl = snprintf(body, sizeof body,
			      "{\"amount_mg\":%d,\"route\":\"iv\",\"site\":\"%s\","
			      "\"witness\":{\"token\":\"%s\"},\"identity_confirmed\":true}",
			      AMOUNT_MG, s->n % 2 ? "arm_left" : "arm_right", s->witness);
		rl = snprintf(req, sizeof req,
			      "POST /api/v1/patients/%lld/administrations HTTP/1.1\r\n"
			      "Host: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
			      "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			      s->patients[i], port, s->token, bl, body);
		t0 = mono();
		if (fd < 0) {
			fd = connect_local();
			if (r)
				r->len = 0;
		}
		if (r && fd >= 0 && rl > 0 && (size_t)rl < sizeof req && send_all(fd, req, (size_t)rl))
			status = read_answer(fd, r, &id);
		if (status == 0 && fd >= 0) {
			close(fd);
			fd = -1;
		}
		s->results[i].status = status;
		s->results[i].micros = (long)((mono() - t0) * 1e6);
		s->results[i].id = id;
	}
	if (fd >= 0)
		close(fd);
	free(r);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct station stations[MAX_STATIONS];
	char line[1 << 16];
	int n = 0;
	struct timespec c0, c1;
	double w0, w1;

	if (argc != 2 || (port = atoi(argv[1])) <= 0) {
		fputs("usage: dose_load PORT < STATIONS\n", stderr);
		return 2;
	}
	while (n < MAX_STATIONS && fgets(line, sizeof line, stdin)) {
		struct station *s = &stations[n];
		char *save = NULL;
		char *tok = strtok_r(line, " \n", &save);

		if (!tok)
			continue;
		snprintf(s->token, sizeof s->token, "%s", tok);
		tok = strtok_r(NULL, " \n", &save);
		if (!tok)
			return 2;
		snprintf(s->witness, sizeof s->witness, "%s", tok);
		tok = strtok_r(NULL, " \n", &save);
		if (!tok)
			return 2;
		s->n = atoi(tok);
		while ((tok = strtok_r(NULL, " \n", &save)) && s->npatients < MAX_PATIENTS)
			s->patients[s->npatients++] = strtoll(tok, NULL, 10);
		s->results = calloc((size_t)s->npatients + 1, sizeof *s->results);
		if (!s->results)
			return 2;
		n++;
	}
	if (n == 0)
		return 2;
	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&stations[i].thread, NULL, station_main, &stations[i]) != 0)
			return 2;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	w0 = mono();
	pthread_barrier_wait(&start);
	for (int i = 0; i < n; i++)
		pthread_join(stations[i].thread, NULL);
	w1 = mono();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < stations[i].npatients; k++)
			printf("dose %d %ld %lld\n", stations[i].results[k].status,
			       stations[i].results[k].micros, stations[i].results[k].id);
		free(stations[i].results);
	}
	printf("client_cpu %.6f\nwall %.6f\n",
	       (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9, w1 - w0);
	return 0;
}
