/*
** backup.c: hatctl backup FILE and hatctl restore FILE.
**
** A backup copies one consistent snapshot of the database (SQLite's online
** backup in a single step, inside one read transaction, so hatd's writes
** never make it start again), into a hidden temporary file beside FILE;
** the copy is flushed to disk and verified as hatctl verify would, and only
** then renamed to FILE.  A backup that fails or is interrupted leaves no
** FILE, and its temporary file is removed (or, after kill -9, removed by the
** next backup into the same folder).
**
** A restore needs the database to itself: it takes the exclusive claim
** that hatd (and any hatctl that writes) holds shared, so it is refused
** while either runs.  It verifies FILE fully, copies it beside the
** database, and moves the old database and its WAL aside (kept, never
** deleted) before moving the copy into place.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char backup_help[] =
	"usage: hatctl backup FILE [--db PATH]\n"
	"Copies the database to FILE, consistently, even while hatd is running and\n"
	"writing.  The copy is verified (as hatctl verify does) before it is kept;\n"
	"FILE appears only once it is complete.  A backup never overwrites a file.\n";

static const char restore_help[] =
	"usage: hatctl restore FILE [--db PATH] [--force]\n"
	"Checks that FILE is a hat database that verifies in full (audit chain,\n"
	"every bound row, the register), then replaces the database with it.  Refused\n"
	"while hatd (or another hatctl) has the database open: stop it first.  The\n"
	"replaced database is kept beside it as PATH.replaced-TIME.  --force is\n"
	"needed when the database already exists.\n";

/* The temporary file being written, removed if a signal ends us. */
static char partial[PATH_MAX];

static void remove_partial(int sig)
{
	if (partial[0])
		unlink(partial);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_signals(void (*fn)(int))
{
	signal(SIGINT, fn);
	signal(SIGTERM, fn);
	signal(SIGHUP, fn);
}

static void split_path(const char *path, char *dir, size_t n, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash) {
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
		if (!dir[0])
			snprintf(dir, n, "/");
		*base = slash + 1;
	} else {
		snprintf(dir, n, ".");
		*base = path;
	}
}

/* Names the temporary file for path (in dir, named after base) in partial;
** false, saying why, when the name does not fit. */
static bool name_partial(const char *path, const char *dir, const char *base)
{
	if ((size_t)snprintf(partial, sizeof partial, "%s/.%s.partial-%ld", dir, base,
			     (long)getpid()) < sizeof partial)
		return true;
	partial[0] = '\0';
	fprintf(stderr, "hatctl: %s: the path is too long\n", path);
	return false;
}

/* Removes temporary files of earlier backups of base in dir whose process
** is gone (a backup killed with -9 cannot remove its own). */
static void remove_stale_partials(const char *dir, const char *base)
{
	char prefix[PATH_MAX];
	char path[PATH_MAX * 2];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	snprintf(prefix, sizeof prefix, ".%s.partial-", base);
	while ((e = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (pid <= 0 || *end || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static int fsync_path(const char *path, bool directory)
{
	int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static void backup_progress(int done, int total, void *arg)
{
	(void)arg;
	cli_progress("backing up", done, total);
}

/* Copies src to path, flushed to disk, and verifies the copy.  0 on success;
** otherwise prints why and returns 1. */
static int copy_verified(struct store_conn *src, const char *path)
{
	struct store_conn *copy = NULL;
	enum hat_err rc = store_backup(src, path, backup_progress, NULL);
	int status;

	cli_progress_end();
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: the copy failed: %s\n", hat_err_code(rc));
		return 1;
	}
	if (fsync_path(path, false) != 0) {
		fprintf(stderr, "hatctl: cannot flush the copy to disk: %s\n", strerror(errno));
		return 1;
	}
	rc = store_open(path, STORE_READ_ONLY, &copy);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open the copy: %s\n", hat_err_code(rc));
		return 1;
	}
	status = cli_verify_conn(copy, path, stderr, NULL);
	store_close(copy);
	if (status != 0) {
		fprintf(stderr, "hatctl: the copy does not verify\n");
		return 1;
	}
	return 0;
}

int cli_backup(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	char dir[PATH_MAX];
	const char *base;
	const char *file;
	enum hat_err rc;
	int status;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	file = cli_arg(argc, argv, 0, NULL);
	if (o.help || !file) {
		fputs(backup_help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (store_is_postgresql(o.db)) {
		fprintf(stderr, "hatctl: backup copies SQLite files; back a PostgreSQL clinic up with"
				" pg_dump or a base backup (docs/operations.md)\n");
		return 1;
	}
	if (access(file, F_OK) == 0) {
		fprintf(stderr, "hatctl: %s exists; a backup never overwrites a file\n", file);
		return 1;
	}
	split_path(file, dir, sizeof dir, &base);
	remove_stale_partials(dir, base);
	if (!name_partial(file, dir, base))
		return 2;
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o.shown, hat_err_code(rc));
		partial[0] = '\0';
		return 1;
	}
	on_signals(remove_partial);
	status = copy_verified(conn, partial);
	store_close(conn);
	/* link() rather than rename(): it refuses to replace a FILE that
	** appeared meanwhile, so a backup never overwrites one. */
	if (status == 0 && link(partial, file) != 0) {
		fprintf(stderr, "hatctl: cannot create %s: %s\n", file, strerror(errno));
		status = 1;
	}
	unlink(partial);
	partial[0] = '\0';
	on_signals(SIG_DFL);
	if (status == 0 && fsync_path(dir, true) != 0) {
		fprintf(stderr, "hatctl: cannot flush %s to disk: %s\n", dir, strerror(errno));
		unlink(file);
		status = 1;
	}
	if (status != 0) {
		fprintf(stderr, "hatctl: backup failed; %s was not written\n", file);
		return 1;
	}
	printf("backed up %s to %s (verified)\n", o.shown, file);
	return 0;
}

/* Moves path (and its -wal and -shm) aside to path.replaced-STAMP; the
** name it used goes into aside.  Returns 0, or -1 with errno. */
static int move_aside(const char *path, char *aside, size_t n)
{
	static const char *const suffixes[] = { "-wal", "-shm" };
	char from[PATH_MAX + 8], to[PATH_MAX * 2];
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(aside, n, "%s.replaced-%s", path, stamp);
	if (rename(path, aside) != 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		snprintf(from, sizeof from, "%s%s", path, suffixes[i]);
		snprintf(to, sizeof to, "%s%s", aside, suffixes[i]);
		if (rename(from, to) != 0 && errno != ENOENT)
			return -1;
	}
	return 0;
}

int cli_restore(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *src = NULL;
	char dir[PATH_MAX];
	char aside[PATH_MAX + 64];
	const char *base;
	const char *file;
	int64_t count = 0;
	bool exists;
	int claim = -1;
	int status = 1;
	enum hat_err rc;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	file = cli_arg(argc, argv, 0, NULL);
	if (o.help || !file) {
		fputs(restore_help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (store_is_postgresql(o.db)) {
		fprintf(stderr, "hatctl: restore replaces SQLite files; restore a PostgreSQL clinic"
				" with pg_restore into a new database, then verify it"
				" (docs/operations.md)\n");
		return 1;
	}
	exists = access(o.db, F_OK) == 0;
	if (exists && !cli_flag(argc, argv, "--force")) {
		fprintf(stderr, "hatctl: %s exists; add --force to replace it\n", o.shown);
		return 1;
	}
	rc = store_claim(o.db, true, &claim);
	if (rc == HAT_E_BUSY) {
		fprintf(stderr, "hatctl: %s is open in a running hatd (or another hatctl); stop it"
				" before restoring\n", o.shown);
		return 1;
	}
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot claim %s: %s\n", o.shown, hat_err_code(rc));
		return 1;
	}
	rc = store_open(file, STORE_READ_ONLY, &src);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", file, hat_err_code(rc));
		goto out;
	}
	if (store_schema_version(src) < 1 || store_schema_version(src) > store_schema_latest()) {
		fprintf(stderr, "hatctl: %s is not a hat database this version can read\n", file);
		goto out;
	}
	if (cli_verify_conn(src, file, stderr, &count) != 0) {
		fprintf(stderr, "hatctl: %s does not verify; not restored\n", file);
		goto out;
	}
	/* Copy beside the database, so that the final move is a rename within
	** one file system; the copy is verified again there. */
	split_path(o.db, dir, sizeof dir, &base);
	if (!name_partial(o.db, dir, base))
		goto out;
	on_signals(remove_partial);
	if (copy_verified(src, partial) != 0) {
		fprintf(stderr, "hatctl: restore failed; %s is unchanged\n", o.shown);
		goto out;
	}
	/* The old database and its WAL go aside together before the copy
	** takes their place: a WAL left beside the new file would be replayed
	** into it. */
	if (exists && move_aside(o.db, aside, sizeof aside) != 0) {
		fprintf(stderr, "hatctl: cannot move %s aside: %s; not restored\n", o.shown,
			strerror(errno));
		goto out;
	}
	if (rename(partial, o.db) != 0 || fsync_path(dir, true) != 0) {
		fprintf(stderr, "hatctl: cannot put the restored copy in place: %s (the old"
				" database is %s)\n", strerror(errno), exists ? aside : "none");
		goto out;
	}
	partial[0] = '\0';
	printf("restored %s from %s (%lld audit events verified)", o.shown, file, (long long)count);
	if (exists)
		printf("; the replaced database is %s", aside);
	putchar('\n');
	status = 0;
out:
	if (partial[0])
		unlink(partial);
	partial[0] = '\0';
	on_signals(SIG_DFL);
	store_close(src);
	store_unclaim(claim);
	return status;
}
