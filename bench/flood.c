/*
** flood.c: a dose on a new connection while hatd is flooded.
**
**   flood PORT NURSE_TOKEN WITNESS_TOKEN PATIENT_ID [IDLE [SLOW [ADDRS]]]
**
** Opens IDLE (1000) connections that send nothing and SLOW (200) that
** trickle a request's headers a byte a second, spread over ADDRS (24)
** loopback source addresses (127.0.0.10 onwards) so that each stays under
** hatd's per-address cap.  Whatever hatd cuts off is opened again, so the
** flood holds for the whole run.  With the flood in place it then checks
** the patient in, assesses them and gives the dose, each on a fresh
** connection, timing the dose and a health check; and prints what it
** measured and PASS when the dose committed (201) in under a second and
** health answered, then and again 15 s in, after hatd has cut off (and the
** flood has reopened) the connections whose headers were late.  Exit 0 on PASS, 1 on FAIL, 2 when it could not run.
**
** One thread keeps the flood (poll over every socket); the main thread
** makes the timed requests.  Plain POSIX, no libraries.
*/
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOOD 8192

static int port;
static int n_idle = 1000, n_slow = 200, n_addrs = 24;

struct flooder {
	int fd;
	bool slow;
	int sent;       /* bytes of the slow request sent so far */
	int addr;       /* which source address */
	bool connected;
};

static struct flooder fl[MAX_FLOOD];
static int n_fl;
static volatile bool stop_flood;
static long reopened;
static long open_now;
static pthread_mutex_t stats = PTHREAD_MUTEX_INITIALIZER;

static const char slow_head[] =
	"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* A non-blocking connect from 127.0.0.(10 + addr). */
static int open_from(int addr)
{
	struct sockaddr_in src, dst;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&src, 0, sizeof src);
	src.sin_family = AF_INET;
	src.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)(10 + addr));
	if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0) {
		close(fd);
		return -1;
	}
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)port);
	dst.sin_addr.s_addr = htonl(0x7f000001u);
	if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void reopen(struct flooder *f)
{
	if (f->fd >= 0) {
		close(f->fd);
		pthread_mutex_lock(&stats);
		reopened++;
		pthread_mutex_unlock(&stats);
	}
	f->fd = open_from(f->addr);
	f->sent = 0;
	f->connected = false;
}

static void *flood_main(void *arg)
{
	static struct pollfd pfd[MAX_FLOOD];
	double next_trickle = now_ms() + 1000;
	char junk[4096];

	(void)arg;
	while (!stop_flood) {
		long up = 0;

		for (int i = 0; i < n_fl; i++) {
			if (fl[i].fd < 0)
				reopen(&fl[i]);
			pfd[i].fd = fl[i].fd;
			pfd[i].events = POLLIN | (fl[i].connected ? 0 : POLLOUT);
			pfd[i].revents = 0;
		}
		poll(pfd, (nfds_t)n_fl, 100);
		for (int i = 0; i < n_fl; i++) {
			struct flooder *f = &fl[i];

			if (f->fd < 0)
				continue;
			if (pfd[i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				reopen(f);
				continue;
			}
			if (pfd[i].revents & POLLOUT)
				f->connected = true;
			if (pfd[i].revents & POLLIN) {
				/* hatd answered or closed: either way, start again. */
				ssize_t n = read(f->fd, junk, sizeof junk);

				if (n <= 0 || f->slow) {
					reopen(f);
					continue;
				}
			}
			up += f->connected;
		}
		if (now_ms() >= next_trickle) {
			next_trickle += 1000;
			for (int i = 0; i < n_fl; i++) {
				struct flooder *f = &fl[i];

				if (f->slow && f->connected && f->sent < (int)sizeof slow_head - 1 &&
				    write(f->fd, slow_head + f->sent, 1) == 1)
					f->sent++;
			}
		}
		pthread_mutex_lock(&stats);
		open_now = up;
		pthread_mutex_unlock(&stats);
	}
	return NULL;
}

/* One request on a fresh connection from 127.0.0.1; returns the status
** (0 on failure) and copies the body into out. */
static int request(const char *method, const char *path, const char *token, const char *body,
		   char *out, size_t outn)
{
	struct sockaddr_in dst;
	char req[4096], resp[16384];
	size_t got = 0;
	ssize_t n;
	int fd, status = 0, len;
	const char *p;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	memset(&dst, 0, sizeof dst);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((unsigned short)port);
	dst.sin_addr.s_addr = htonl(0x7f000001u);
	if (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0) {
		close(fd);
		return 0;
	}
	len = snprintf(req, sizeof req,
		       "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		       "%s%s%s"
		       "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		       method, path, token ? "Authorization: Bearer " : "", token ? token : "",
		       token ? "\r\n" : "", body ? strlen(body) : 0, body ? body : "");
	if (len < 0 || (size_t)len >= sizeof req || write(fd, req, (size_t)len) != len) {
		close(fd);
		return 0;
	}
	while (got < sizeof resp - 1 && (n = read(fd, resp + got, sizeof resp - 1 - got)) > 0)
		got += (size_t)n;
	resp[got] = '\0';
	close(fd);
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		return 0;
	p = strstr(resp, "\r\n\r\n");
	if (out && outn)
		snprintf(out, outn, "%s", p ? p + 4 : "");
	return status;
}

int main(int argc, char **argv)
{
	const char *nurse, *witness;
	long patient;
	char path[128], body[512], out[4096];
	double t0, dose_ms, health_ms;
	int st_in, st_assess, st_dose, st_health, st_health2;
	double health2_ms;
	pthread_t th;
	struct rlimit rl;
	long up = 0;
	bool pass;

	if (argc < 5) {
		fprintf(stderr, "usage: flood PORT NURSE_TOKEN WITNESS_TOKEN PATIENT_ID"
				" [IDLE [SLOW [ADDRS]]]\n");
		return 2;
	}
	port = atoi(argv[1]);
	nurse = argv[2];
	witness = argv[3];
	patient = atol(argv[4]);
	if (argc > 5)
		n_idle = atoi(argv[5]);
	if (argc > 6)
		n_slow = atoi(argv[6]);
	if (argc > 7)
		n_addrs = atoi(argv[7]);
	if (n_idle + n_slow > MAX_FLOOD || n_addrs < 1 || n_addrs > 200)
		return 2;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(n_idle + n_slow + 64)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int i = 0; i < n_idle + n_slow; i++) {
		fl[i].fd = -1;
		fl[i].slow = i >= n_idle;
		fl[i].addr = i % n_addrs;
	}
	n_fl = n_idle + n_slow;
	pthread_create(&th, NULL, flood_main, NULL);
	/* Let the flood take hold: every socket connected. */
	for (int tries = 0; tries < 100; tries++) {
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
		pthread_mutex_lock(&stats);
		up = open_now;
		pthread_mutex_unlock(&stats);
		if (up >= n_fl)
			break;
	}
	printf("flood: %d idle + %d slow-header connections from %d addresses; %ld connected\n",
	       n_idle, n_slow, n_addrs, up);
	/* A few seconds in, so the slow ones are part-way through headers. */
	sleep(3);
	snprintf(path, sizeof path, "/api/v1/patients/%ld/check-in", patient);
	st_in = request("POST", path, nurse, "{}", out, sizeof out);
	snprintf(path, sizeof path, "/api/v1/patients/%ld/assessments", patient);
	st_assess = request("POST", path, nurse,
			    "{\"sedation_level\": 0, \"breath_alcohol_ug\": 0, \"decision\": \"fit\"}",
			    out, sizeof out);
	snprintf(path, sizeof path, "/api/v1/patients/%ld/administrations", patient);
	snprintf(body, sizeof body,
		 "{\"amount_mg\": 100, \"route\": \"iv\", \"site\": \"arm_left\","
		 " \"witness\": {\"token\": \"%s\"}}", witness);
	t0 = now_ms();
	st_dose = request("POST", path, nurse, body, out, sizeof out);
	dose_ms = now_ms() - t0;
	t0 = now_ms();
	st_health = request("GET", "/api/v1/health", NULL, NULL, out, sizeof out);
	health_ms = now_ms() - t0;
	/* Past hatd's header timeout (10 s by default): the slow and idle ones
	** have been cut and have come back, and hatd still answers. */
	sleep(12);
	t0 = now_ms();
	st_health2 = request("GET", "/api/v1/health", NULL, NULL, out, sizeof out);
	health2_ms = now_ms() - t0;
	pthread_mutex_lock(&stats);
	up = open_now;
	pthread_mutex_unlock(&stats);
	stop_flood = true;
	pthread_join(th, NULL);
	printf("check-in %d, assessment %d\n", st_in, st_assess);
	printf("dose: %d in %.1f ms\n", st_dose, dose_ms);
	printf("health: %d in %.1f ms\n", st_health, health_ms);
	printf("health 15 s in: %d in %.1f ms\n", st_health2, health2_ms);
	printf("flood still connected at the end: %ld; reopened after hatd cut them: %ld\n", up,
	       reopened);
	pass = st_dose == 201 && dose_ms < 1000.0 && st_health == 200 && st_health2 == 200;
	printf("%s: a dose commits in under 1 s and health answers\n", pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
