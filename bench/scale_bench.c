/*
** scale_bench.c: what a request costs as a clinic's history grows.
**
**   scale_bench SHORT.db LONG.db HATCTL VERIFY_BENCH HATD [BIG.db]
**
** Both databases hold the same clinic today (hatctl demo --patients N) with
** histories of different lengths (--days).  On each it measures, in this
** process and on a scratch copy where anything is written:
**
**   board      board_today for the morning session, before anyone is dosed
**   visit      one patient's five commands: check in, assess, dose, post-dose
**              check, leave (each its own transaction, as at a station)
**   dose       the administration command alone
**   history    a long-standing patient's last 30 days
**   attendance every patient's attendance over the last 30 days
**   register   the last 365 days of the register built and rendered as CSV,
**              with the peak memory it took (in a child process)
**   verify     hatctl verify against raw BLAKE2b over the same bytes
**   size       bytes of database per dose
**   hatd       (long history) hatd's peak resident memory under each long
**              read over HTTP: the audit and access logs, the exports, the
**              reports, the register's year and one person's FHIR record
**              (scale_hatd.h), against 64 MiB
**
** and prints a table of both figures, their ratio (long / short), the
** target and PASS or MISS.  The same work is asked of both clinics (today's
** board, the last 30 days), so a ratio above 1 is a cost that grows with
** history; the register's year is measured against its own targets (time,
** memory), the short clinic having less than a year to give.  Reads run on a read-only connection; writes use
** synchronous=OFF on the copy, so the figure is the commands' own cost (CPU
** and page writes), not the disk's flush, which bench/run measures.
** A read's time is the fastest of several runs and a command's the median
** over the patients dosed; the SQLite steps they took are printed beside
** them, a count that no other work on the machine can disturb.
**
** BIG.db, when given, is the largest clinic (hatctl demo --patients 1000
** --days 3650: about 7 million doses).  On it the figures that depend on
** the size of the whole record are measured against their targets: a year
** of the register as CSV and its memory, verify against raw BLAKE2b, the
** database per dose, and hatctl backup; and today's reads for its thousand
** patients, for the record.  Nothing is written to it.
**
** Exit 0, or 2 when
** something could not run (a refused command is a failure to run).
*/
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "cmd/board.h"
#include "cmd/register.h"
#include "cmd/users.h"
#include "cmd/visits.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"

#include "scale_hatd.h"

#define VISITS 24     /* patients dosed on the copy, one visit each */
#define BOARD_RUNS 15 /* board reads timed */

struct figures {
	double board_ms, visit_ms, dose_ms, history_ms, attendance_ms, register_ms;
	double register_mib, verify_ratio, bytes_per_dose;
	double backup_s, db_mib;
	int64_t doses, patients_today;
	int board_rows;
	long long board_steps; /* SQLite VM steps per board read */
	long long visit_steps; /* and per visit (its five commands) */
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The fastest of the runs: on a machine shared with other work, the run
** that was interrupted least is the nearest to the cost itself. */
static double fastest(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[0];
}

static int fail(const char *what, enum hat_err rc)
{
	fprintf(stderr, "scale_bench: %s: %s\n", what, hat_err_code(rc));
	return 2;
}

/* The day after the newest dose: "today" for a history made up to
** yesterday, whenever the database was made. */
static int today_of(struct store_conn *c, int32_t *today, int64_t *premises)
{
	int64_t v = 0;
	bool found;

	if (store_query_int(c, "SELECT max(local_date) FROM administrations", &found, &v, "") !=
		    HAT_OK ||
	    !found || v == 0)
		return 2;
	*today = (int32_t)v + 1;
	if (store_query_int(c, "SELECT id FROM premises ORDER BY id LIMIT 1", &found, premises, "") !=
		    HAT_OK ||
	    !found)
		return 2;
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	char cmd[2048];

	if (snprintf(cmd, sizeof cmd, "cp --reflink=auto '%s' '%s'", from, to) >= (int)sizeof cmd)
		return 2;
	return system(cmd) == 0 ? 0 : 2;
}

struct stat_line {
	const char *sql;
	long long runs, steps, fullscan, sorts;
};

struct stat_list {
	struct stat_line v[512];
	int n;
};

static void keep_stat(const char *sql, long long runs, long long steps, long long fullscan,
		      long long sorts, void *arg)
{
	struct stat_list *l = arg;

	if (runs > 0 && l->n < 512)
		l->v[l->n++] = (struct stat_line){ sql, runs, steps, fullscan, sorts };
}

static int by_steps(const void *a, const void *b)
{
	const struct stat_line *x = a, *y = b;

	return (y->steps > x->steps) - (y->steps < x->steps);
}

/* With SCALE_STATS set: the statements that took the most steps. */
static void print_stats(struct store_conn *c, const char *what)
{
	static struct stat_list l;

	if (!getenv("SCALE_STATS"))
		return;
	l.n = 0;
	store_stmt_stats(c, keep_stat, &l);
	qsort(l.v, (size_t)l.n, sizeof l.v[0], by_steps);
	fprintf(stderr, "-- %s: statements by SQLite steps\n", what);
	for (int i = 0; i < l.n && i < 12; i++)
		fprintf(stderr, "%10lld steps %6lld runs %8lld scan %4lld sorts  %.160s\n",
			l.v[i].steps, l.v[i].runs, l.v[i].fullscan, l.v[i].sorts, l.v[i].sql);
}

static int measure_reads(const char *db, int32_t today, int64_t premises, struct figures *f)
{
	struct store_conn *c = NULL;
	double t[BOARD_RUNS];
	json_t *out = NULL;
	int64_t now = clock_from_local(today, 8 * 60 + 45);
	int64_t longest = 0;
	bool found;
	enum hat_err rc;

	rc = store_open(db, STORE_READ_ONLY, &c);
	if (rc != HAT_OK)
		return fail("open", rc);
	for (int i = 0; i < BOARD_RUNS; i++) {
		long long steps0 = store_vm_steps(c);
		double t0 = now_ms();

		rc = board_today(c, premises, now, &out);
		t[i] = now_ms() - t0;
		if (rc != HAT_OK) {
			store_close(c);
			return fail("board", rc);
		}
		f->board_rows = (int)json_array_size(json_object_get(out, "patients"));
		f->board_steps = store_vm_steps(c) - steps0;
		json_decref(out);
	}
	f->board_ms = fastest(t, BOARD_RUNS);
	print_stats(c, "board");
	/* Each read on a connection of its own, so that its statements'
	** counts are its own. */
	store_close(c);
	rc = store_open(db, STORE_READ_ONLY, &c);
	if (rc != HAT_OK)
		return fail("open", rc);

	store_query_int(c, "SELECT patient_id FROM administrations ORDER BY id LIMIT 1", &found,
			&longest, "");
	for (int i = 0; i < 5; i++) {
		double t0 = now_ms();

		rc = board_history(c, longest, today - 30, today - 1, &out);
		t[i] = now_ms() - t0;
		json_decref(out);
		if (rc != HAT_OK)
			break;
	}
	if (rc != HAT_OK) {
		store_close(c);
		return fail("history", rc);
	}
	f->history_ms = fastest(t, 5);
	print_stats(c, "history");
	store_close(c);
	rc = store_open(db, STORE_READ_ONLY, &c);
	if (rc != HAT_OK)
		return fail("open", rc);
	for (int i = 0; i < 3; i++) {
		double t0 = now_ms();

		rc = board_attendance(c, premises, 0, today - 30, today - 1, now, &out);
		t[i] = now_ms() - t0;
		json_decref(out);
		if (rc != HAT_OK)
			break;
	}
	if (rc != HAT_OK) {
		store_close(c);
		return fail("attendance", rc);
	}
	f->attendance_ms = fastest(t, 3);
	print_stats(c, "attendance");
	store_query_int(c, "SELECT count(*) FROM administrations", &found, &f->doses, "");
	store_close(c);
	return 0;
}

/* The register's year as CSV, in a child so that its peak memory is its own. */
static int measure_register(const char *db, int32_t today, int64_t premises, struct figures *f)
{
	int fds[2];
	pid_t pid;
	double got[2] = { 0, 0 };
	int status;

	if (pipe(fds) != 0)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		struct store_conn *c = NULL;
		struct rusage ru0, ru1;
		struct stat sb;
		double res[2];
		double t0;
		int out;
		enum hat_err rc;

		close(fds[0]);
		if (store_open(db, STORE_READ_ONLY, &c) != HAT_OK)
			_exit(2);
		out = open("/dev/null", O_WRONLY);
		getrusage(RUSAGE_SELF, &ru0);
		t0 = now_ms();
		rc = register_print(c, premises, 0, today - 365, today - 1, REGISTER_CSV, "Scale",
				    out);
		res[0] = now_ms() - t0;
		getrusage(RUSAGE_SELF, &ru1);
		res[1] = (double)(ru1.ru_maxrss - ru0.ru_maxrss) / 1024.0;
		if (rc != HAT_OK || fstat(out, &sb) != 0)
			_exit(2);
		if (write(fds[1], res, sizeof res) != (ssize_t)sizeof res)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], got, sizeof got) != (ssize_t)sizeof got)
		got[0] = -1;
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
	    got[0] < 0)
		return fail("register", HAT_E_INTERNAL);
	f->register_ms = got[0];
	f->register_mib = got[1];
	return 0;
}

struct actor {
	int64_t id;
	unsigned roles;
};

static int find(struct store_conn *c, const char *username, struct actor *a)
{
	if (users_find(c, username, &a->id) != HAT_OK || auth_user_roles(c, a->id, &a->roles) != HAT_OK) {
		fprintf(stderr, "scale_bench: no user %s (a clinic from hatctl demo?)\n", username);
		return 2;
	}
	return 0;
}

/* Runs one command as a; returns its time in ms, or -1 when refused. */
static double timed(struct cmd_runner *r, const struct cmd_def *def, const struct actor *a,
		    int64_t witness, int64_t patient, int64_t now, json_t *in)
{
	struct cmd c;
	double t0;
	enum hat_err rc;

	cmd_init(&c, def, a->id, a->roles, in, now);
	c.witness_id = witness;
	c.target_id = patient;
	t0 = now_ms();
	rc = cmd_execute(r, &c);
	t0 = now_ms() - t0;
	if (rc != HAT_OK)
		fprintf(stderr, "scale_bench: %s refused: %s: %s\n", def->name, hat_err_code(rc),
			c.err_message);
	cmd_finish(&c);
	json_decref(in);
	return rc == HAT_OK ? t0 : -1;
}

static int measure_visits(const char *db, const char *scratch, int32_t today, struct figures *f)
{
	struct store_conn *c = NULL;
	struct cmd_runner r = { 0 };
	struct actor nurse, other;
	double visit[VISITS], dose[VISITS];
	int64_t ids[VISITS];
	long long steps0;
	int n = 0;
	struct store_stmt *st;
	bool row;
	int rc = 2;

	(void)db;
	if (store_open(scratch, STORE_READ_WRITE, &c) != HAT_OK || cmd_conn_open(c) != HAT_OK)
		goto out;
	store_exec(c, "PRAGMA synchronous = OFF");
	r.conn = c;
	if (find(c, "nurse.patel", &nurse) || find(c, "nurse.byrne", &other))
		goto out;
	/* Patients dosed yesterday afternoon at the usual dose: the ones whose
	** day today is an ordinary one. */
	if (store_prepare(c,
			  "SELECT patient_id FROM administrations WHERE local_date = ? AND"
			  " kind = 'injection' GROUP BY patient_id HAVING count(*) = 2"
			  " ORDER BY patient_id LIMIT ?",
			  &st) != HAT_OK ||
	    store_bindf(st, "ii", (int64_t)(today - 1), (int64_t)VISITS) != HAT_OK)
		goto out;
	while (n < VISITS && store_step(st, &row) == HAT_OK && row)
		ids[n++] = store_col_int(st, 0);
	store_done(st);
	if (n < VISITS / 2) {
		fprintf(stderr, "scale_bench: only %d patients to dose\n", n);
		goto out;
	}
	steps0 = store_vm_steps(c);
	for (int i = 0; i < n; i++) {
		int64_t t = clock_from_local(today, 9 * 60 + i);
		int64_t mg = 0;
		double a, b, d, e, g;

		store_query_int(c,
				"SELECT amount_ug / 1000 FROM administrations WHERE patient_id = ?"
				" AND local_date = ? AND kind = 'injection' ORDER BY id LIMIT 1",
				NULL, &mg, "ii", ids[i], (int64_t)(today - 1));
		a = timed(&r, &visits_check_in, &nurse, 0, ids[i], t, json_object());
		b = timed(&r, &visits_assess, &nurse, 0, ids[i], t + 60,
			  json_pack("{s:i, s:i, s:s}", "sedation_level", 0, "breath_alcohol_ug", 0,
				    "decision", "fit"));
		d = timed(&r, &visits_administer, &nurse, other.id, ids[i], t + 120,
			  json_pack("{s:I, s:s, s:s, s:o, s:b}", "amount_mg", (json_int_t)mg, "route",
				    "iv", "site", "arm_left", "witness", json_object(),
				    "identity_confirmed", 1));
		e = timed(&r, &visits_postdose, &nurse, 0, ids[i], t + 120 + 15 * 60,
			  json_pack("{s:i, s:i, s:s}", "sedation_level", 0, "respiratory_rate", 14,
				    "breathing", "normal"));
		g = timed(&r, &visits_leave, &nurse, 0, ids[i], t + 120 + 16 * 60, json_object());
		if (a < 0 || b < 0 || d < 0 || e < 0 || g < 0)
			goto out;
		visit[i] = a + b + d + e + g;
		dose[i] = d;
	}
	print_stats(c, "visits");
	f->visit_steps = (store_vm_steps(c) - steps0) / n;
	f->visit_ms = median(visit, n);
	f->dose_ms = median(dose, n);
	rc = 0;
out:
	store_close(c);
	return rc;
}

static void remove_scratch(const char *scratch)
{
	unlink(scratch);
	for (int i = 0; i < 3; i++) {
		static const char *const ends[] = { "-wal", "-shm", ".lock" };
		char side[2100];

		if (snprintf(side, sizeof side, "%s%s", scratch, ends[i]) < (int)sizeof side)
			unlink(side);
	}
}

static int measure_verify(const char *db, const char *hatctl, const char *verify_bench,
			  struct figures *f)
{
	char cmd[4096], line[512];
	FILE *p;

	if (snprintf(cmd, sizeof cmd, "'%s' '%s' '%s'", verify_bench, db, hatctl) >= (int)sizeof cmd)
		return 2;
	p = popen(cmd, "r");
	if (!p)
		return 2;
	f->verify_ratio = -1;
	while (fgets(line, sizeof line, p)) {
		if (strncmp(line, "ratio: ", 7) == 0)
			f->verify_ratio = strtod(line + 7, NULL);
	}
	if (pclose(p) != 0 || f->verify_ratio < 0)
		return fail("verify", HAT_E_INTERNAL);
	return 0;
}

/* Starts a clinic's figures: its "today", its premises and how many it
** dosed the day before; and its size on disk. */
static int open_clinic(const char *db, struct figures *f, int32_t *today, int64_t *premises,
		       struct stat *sb)
{
	struct store_conn *c = NULL;
	int rc;

	memset(f, 0, sizeof *f);
	if (store_open(db, STORE_READ_ONLY, &c) != HAT_OK)
		return 2;
	rc = today_of(c, today, premises);
	if (rc == 0)
		store_query_int(c, "SELECT count(DISTINCT patient_id) FROM administrations"
				   " WHERE local_date = ?",
				NULL, &f->patients_today, "i", (int64_t)(*today - 1));
	store_close(c);
	if (rc != 0 || stat(db, sb) != 0)
		return fail("no doses in the database", HAT_E_NOT_FOUND);
	return 0;
}

/* hatd is NULL or hatd's path (and mem where its figures go): the long
** history's hatd reads run on the visits' scratch copy, after them. */
static int measure(const char *db, const char *hatctl, const char *verify_bench, struct figures *f,
		   const char *hatd, struct scale_hatd *mem)
{
	struct stat sb;
	char scratch[2048];
	int32_t today;
	int64_t premises;
	int rc = open_clinic(db, f, &today, &premises, &sb);

	if (rc != 0)
		return rc;
	if (snprintf(scratch, sizeof scratch, "%s.scratch", db) >= (int)sizeof scratch)
		return 2;
	rc = measure_reads(db, today, premises, f);
	if (rc == 0)
		rc = measure_register(db, today, premises, f);
	if (rc == 0)
		rc = copy_file(db, scratch);
	if (rc == 0)
		rc = measure_visits(db, scratch, today, f);
	if (rc == 0 && hatd)
		rc = scale_hatd_memory(hatd, scratch, today, mem);
	remove_scratch(scratch);
	if (rc == 0)
		rc = measure_verify(db, hatctl, verify_bench, f);
	f->bytes_per_dose = f->doses ? (double)sb.st_size / (double)f->doses : 0;
	return rc;
}

/* hatctl backup of the whole database, as an operator runs it (the copy is
** verified before it is kept), into a scratch file beside it, then removed. */
static int measure_backup(const char *db, const char *hatctl, struct figures *f)
{
	char cmd[8192], copy[4096];
	double t0;
	int rc;

	if (snprintf(copy, sizeof copy, "%s.backup-bench", db) >= (int)sizeof copy ||
	    snprintf(cmd, sizeof cmd, "'%s' backup '%s' --db '%s' >/dev/null", hatctl, copy, db) >=
		    (int)sizeof cmd)
		return 2;
	unlink(copy);
	t0 = now_ms();
	rc = system(cmd);
	f->backup_s = (now_ms() - t0) / 1000.0;
	unlink(copy);
	return rc == 0 ? 0 : fail("backup", HAT_E_INTERNAL);
}

/* The largest clinic: what grows with the whole record (no writes to it). */
static int measure_big(const char *db, const char *hatctl, const char *verify_bench,
		       struct figures *f)
{
	struct stat sb;
	int32_t today;
	int64_t premises;
	int rc = open_clinic(db, f, &today, &premises, &sb);

	if (rc == 0)
		rc = measure_reads(db, today, premises, f);
	if (rc == 0)
		rc = measure_register(db, today, premises, f);
	if (rc == 0)
		rc = measure_verify(db, hatctl, verify_bench, f);
	if (rc == 0)
		rc = measure_backup(db, hatctl, f);
	f->bytes_per_dose = f->doses ? (double)sb.st_size / (double)f->doses : 0;
	f->db_mib = (double)sb.st_size / (1024.0 * 1024.0);
	return rc;
}

static void big_row(const char *name, const char *unit, double v, const char *target, int pass)
{
	printf("| %-30s | %12.2f %-4s | %-26s | %s |\n", name, v, unit, target,
	       pass < 0 ? "    " : pass ? "PASS" : "MISS");
}

/* Cost per million doses of history, from the two clinics' figures: the
** slope of a straight line through them (0 when a figure does not grow). */
static double per_million(double a, double b, const struct figures *s, const struct figures *l)
{
	double d = (double)(l->doses - s->doses) / 1e6;

	return d > 0 ? (b - a) / d : 0;
}

/* The two clinics a row's growth is fitted between. */
static const struct figures *fit_short, *fit_long;

static void row(const char *name, const char *unit, double a, double b, const char *target,
		int pass)
{
	printf("| %-26s | %10.2f %-3s | %10.2f %-3s | %6.2fx | %+10.3f | %-24s | %s |\n", name, a,
	       unit, b, unit, a > 0 ? b / a : 0, per_million(a, b, fit_short, fit_long), target,
	       pass < 0 ? "    " : pass ? "PASS" : "MISS");
}

/* hatd's memory under each long read at the long history. */
static void print_hatd(const struct scale_hatd *h)
{
	printf("\nhatd's resident memory under each long read, long history (%s; %.1f MiB idle"
	       " after start and two logins):\n\n", h->reset ? "VmHWM reset before each"
	       : "VmHWM could not be reset: growth of the peak", h->idle_mib);
	printf("| %-28s | %6s | %12s | %9s | %9s | %9s | %-10s | %4s |\n", "read (GET)", "status",
	       "bytes", "time ms", "RSS MiB", "peak MiB", "target", "");
	printf("|%.30s|%.8s|%.14s|%.11s|%.11s|%.11s|%.12s|%.6s|\n",
	       "--------------------------------", "----------", "----------------",
	       "-------------", "-------------", "-------------", "--------------", "-------");
	for (int i = 0; i < h->n; i++) {
		const struct scale_hatd_read *r = &h->r[i];

		printf("| %-28s | %6d | %12lld | %9.1f | %9.1f | %9.1f | %-10s | %s |\n", r->name,
		       r->status, r->bytes, r->ms, r->rss_mib, r->peak_mib, "< 64 MiB",
		       r->status != 200 ? "FAIL" : r->peak_mib < 64 ? "PASS" : "MISS");
	}
}

int main(int argc, char **argv)
{
	static struct scale_hatd mem;
	struct figures s, l, big;

	if (argc != 6 && argc != 7) {
		fputs("usage: scale_bench SHORT.db LONG.db HATCTL VERIFY_BENCH HATD [BIG.db]\n", stderr);
		return 2;
	}
	if (clock_set_zone("Europe/London") != HAT_OK)
		return 2;
	if (measure(argv[1], argv[3], argv[4], &s, NULL, NULL) != 0 ||
	    measure(argv[2], argv[3], argv[4], &l, argv[5], &mem) != 0)
		return 2;
	if (argc == 7 && measure_big(argv[6], argv[3], argv[4], &big) != 0)
		return 2;
	fit_short = &s;
	fit_long = &l;
	printf("short: %lld doses, %lld patients dosed on its last day\n", (long long)s.doses,
	       (long long)s.patients_today);
	printf("long:  %lld doses, %lld patients dosed on its last day\n", (long long)l.doses,
	       (long long)l.patients_today);
	printf("board rows: %d and %d\n\n", s.board_rows, l.board_rows);
	printf("| %-26s | %14s | %14s | %7s | %10s | %-24s | %4s |\n", "figure", "short history",
	       "long history", "ratio", "per M doses", "target", "");
	printf("|%.28s|%.16s|%.16s|%.9s|%.12s|%.26s|%.6s|\n", "-----------------------------",
	       "-----------------", "-----------------", "----------", "-------------",
	       "---------------------------", "-------");
	row("board (morning)", "ms", s.board_ms, l.board_ms, "<= 1.2x, < 5 ms",
	    l.board_ms <= 1.2 * s.board_ms && l.board_ms < 5);
	row("  its SQLite steps", "", (double)s.board_steps, (double)l.board_steps, "<= 1.2x",
	    l.board_steps <= 1.2 * (double)s.board_steps);
	row("visit (5 commands)", "ms", s.visit_ms, l.visit_ms, "<= 1.2x",
	    l.visit_ms <= 1.2 * s.visit_ms);
	row("  its SQLite steps", "", (double)s.visit_steps, (double)l.visit_steps, "<= 1.2x",
	    l.visit_steps <= 1.2 * (double)s.visit_steps);
	row("dose command", "ms", s.dose_ms, l.dose_ms, "<= 1.2x", l.dose_ms <= 1.2 * s.dose_ms);
	row("patient's last 30 days", "ms", s.history_ms, l.history_ms, "<= 1.2x",
	    l.history_ms <= 1.2 * s.history_ms);
	row("attendance, last 30 days", "ms", s.attendance_ms, l.attendance_ms, "<= 1.2x",
	    l.attendance_ms <= 1.2 * s.attendance_ms);
	row("register, 365 days, CSV", "ms", s.register_ms, l.register_ms, "< 2 s (at this size)",
	    l.register_ms < 2000);
	row("  its peak memory", "MiB", s.register_mib, l.register_mib, "< 64 MiB",
	    l.register_mib < 64);
	row("verify / raw BLAKE2b", "x", s.verify_ratio, l.verify_ratio, ">= 0.5x",
	    l.verify_ratio >= 0.5 && s.verify_ratio >= 0.5);
	row("database per dose", "B", s.bytes_per_dose, l.bytes_per_dose, "<= 2,048 B",
	    l.bytes_per_dose <= 2048);
	printf("\n\"per M doses\" is the straight line through the two clinics: what a\n"
	       "million more doses of history add to the figure (about 0 for a cost that\n"
	       "does not grow with history).\n");
	print_hatd(&mem);
	if (argc != 7)
		return 0;
	printf("\nbig: %lld doses, %lld patients dosed on its last day, %.0f MiB\n\n",
	       (long long)big.doses, (long long)big.patients_today, big.db_mib);
	printf("| %-30s | %17s | %-26s | %4s |\n", "figure (the big clinic)", "value", "target", "");
	printf("|%.32s|%.19s|%.28s|%.6s|\n", "--------------------------------",
	       "-------------------", "----------------------------", "------");
	big_row("register, 365 days, CSV", "ms", big.register_ms, "< 2 s (1,000 patients)",
		big.register_ms < 2000);
	big_row("  its peak memory", "MiB", big.register_mib, "< 64 MiB", big.register_mib < 64);
	big_row("verify / raw BLAKE2b", "x", big.verify_ratio, ">= 0.5x", big.verify_ratio >= 0.5);
	big_row("database per dose", "B", big.bytes_per_dose, "<= 2,048 B",
		big.bytes_per_dose <= 2048);
	big_row("hatctl backup (verified)", "s", big.backup_s, "finishes; no target", -1);
	big_row("  its rate", "MiB/s", big.backup_s > 0 ? big.db_mib / big.backup_s : 0,
		"no target", -1);
	big_row("board, all its patients", "ms", big.board_ms, "none (5 ms is for 150)", -1);
	big_row("attendance, last 30 days", "ms", big.attendance_ms, "none", -1);
	return 0;
}
