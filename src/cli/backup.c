/*
** backup.c: hatctl backup FILE and hatctl restore FILE.
**
** A backup uses SQLite's online backup, so it is consistent while hatd
** writes.  A restore first checks that FILE is a hat database whose audit
** chain holds, then copies it over the database; stop hatd first.
*/
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "audit/audit.h"

static const char backup_help[] =
	"usage: hatctl backup FILE [--db PATH]\n"
	"Copies the database to FILE, consistently, even while hatd is running.\n";

static const char restore_help[] =
	"usage: hatctl restore FILE [--db PATH] [--force]\n"
	"Checks that FILE is a hat database whose audit chain verifies, then\n"
	"replaces the database with it.  Stop hatd first.  --force is needed when\n"
	"the database already exists.\n";

static void backup_progress(int done, int total, void *arg)
{
	(void)arg;
	cli_progress("backing up", done, total);
}

static void restore_progress(int done, int total, void *arg)
{
	(void)arg;
	cli_progress("restoring", done, total);
}

int cli_backup(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	const char *file;
	enum hat_err rc;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	file = cli_arg(argc, argv, 0, NULL);
	if (o.help || !file) {
		fputs(backup_help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (access(file, F_OK) == 0) {
		fprintf(stderr, "hatctl: %s exists; a backup never overwrites a file\n", file);
		return 1;
	}
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc == HAT_OK)
		rc = store_backup(conn, file, backup_progress, NULL);
	cli_progress_end();
	store_close(conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: backup failed: %s\n", hat_err_code(rc));
		unlink(file);
		return 1;
	}
	printf("backed up %s to %s\n", o.db, file);
	return 0;
}

int cli_restore(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *src = NULL;
	struct audit_finding f;
	const char *file;
	int64_t count;
	bool ok = false;
	enum hat_err rc;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	file = cli_arg(argc, argv, 0, NULL);
	if (o.help || !file) {
		fputs(restore_help, o.help ? stdout : stderr);
		return o.help ? 0 : 2;
	}
	if (access(o.db, F_OK) == 0 && !cli_flag(argc, argv, "--force")) {
		fprintf(stderr, "hatctl: %s exists; add --force to replace it\n", o.db);
		return 1;
	}
	rc = store_open(file, STORE_READ_ONLY, &src);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", file, hat_err_code(rc));
		return 1;
	}
	if (store_schema_version(src) < 1 || store_schema_version(src) > store_schema_latest()) {
		fprintf(stderr, "hatctl: %s is not a hat database this version can read\n", file);
		store_close(src);
		return 1;
	}
	rc = audit_verify(src, &ok, &f, &count, NULL, NULL);
	if (rc != HAT_OK || !ok) {
		fprintf(stderr, "hatctl: %s does not verify (%s); not restored\n", file,
			rc != HAT_OK ? hat_err_code(rc) : f.detail);
		store_close(src);
		return 1;
	}
	/* Copy through a temporary file and rename, so the database is either
	** the old one or the whole backup, never half of each. */
	char tmp[1024];
	snprintf(tmp, sizeof tmp, "%s.restoring", o.db);
	unlink(tmp);
	rc = store_backup(src, tmp, restore_progress, NULL);
	cli_progress_end();
	store_close(src);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: restore failed: %s\n", hat_err_code(rc));
		unlink(tmp);
		return 1;
	}
	char wal[1100], shm[1100];
	snprintf(wal, sizeof wal, "%s-wal", o.db);
	snprintf(shm, sizeof shm, "%s-shm", o.db);
	unlink(wal);
	unlink(shm);
	if (rename(tmp, o.db) != 0) {
		fprintf(stderr, "hatctl: cannot replace %s\n", o.db);
		unlink(tmp);
		return 1;
	}
	printf("restored %s from %s (%lld audit events verified)\n", o.db, file, (long long)count);
	return 0;
}
