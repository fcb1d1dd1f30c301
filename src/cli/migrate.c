/*
** migrate.c: hatctl migrate --from FILE --to postgresql://...: moves a
** clinic from its SQLite file into a new PostgreSQL database.
**
** The source is claimed exclusively (no hatd may be serving it) and
** verified first; every table is then copied, row ids and all, in one
** transaction on the new database, so the audit chain and every row's
** fingerprint carry over unchanged; then the copy is verified on its own
** and its chain head must be the source's.  A copy that fails any of this
** is not committed, or is reported as not to be used.
*/
#include <string.h>

#include "cli.h"
#include "audit/audit.h"
#include "audit/tables.h"
#include "auth/auth.h"
#include "store/store.h"

static const char help[] =
	"usage: hatctl migrate --from FILE --to postgresql://...\n"
	"Copies the clinic in the SQLite database FILE into a new, empty PostgreSQL\n"
	"database (made beforehand with createdb; hatctl gives it the schema).\n"
	"hatd must not be serving FILE.  The source is verified first; the copy\n"
	"keeps every row id, so the audit chain and every row's fingerprint hold in\n"
	"it unchanged; the copy is then verified and its chain head compared with\n"
	"the source's.  Exits 0 when both ends verify and agree.  The PostgreSQL\n"
	"role needs leave to set session_replication_role (a superuser has it).\n";

static int verify_end(const char *what, const char *db, char head[AUDIT_HEAD_TEXT])
{
	struct store_conn *c = NULL;
	int64_t events = 0;
	int status;

	if (store_open(db, STORE_READ_ONLY, &c) != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s to verify it\n", what);
		return 1;
	}
	status = cli_verify_conn(c, db, stdout, &events);
	if (status == 0 && audit_head_text(c, head) != HAT_OK)
		status = -1;
	store_close(c);
	if (status != 0) {
		fprintf(stderr, "hatctl: the %s does not verify\n", what);
		return 1;
	}
	printf("%s verified: %lld audit events, chain head %s\n", what, (long long)events, head);
	return 0;
}

static int copy_all(const char *from, const char *to)
{
	struct store_conn *src = NULL, *dst = NULL;
	enum hat_err rc;
	int64_t rows, total = 0;

	rc = store_open(from, STORE_READ_ONLY, &src);
	if (rc == HAT_OK)
		rc = store_open(to, STORE_CREATE, &dst);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open both databases: %s\n", hat_err_code(rc));
		goto out;
	}
	rc = store_begin(dst);
	if (rc == HAT_OK)
		rc = store_exec(src, "BEGIN");
	if (rc == HAT_OK)
		rc = store_copy_start(dst);
	if (rc == HAT_E_CONFLICT) {
		char shown[512];

		store_display_name(to, shown, sizeof shown);
		fprintf(stderr, "hatctl: %s already holds a clinic's record; migrate only into a"
				" new, empty database\n", shown);
		goto out;
	}
	for (size_t i = 0; i < audit_table_count && rc == HAT_OK; i++) {
		rc = store_copy_table(src, dst, audit_tables[i].name, &rows);
		if (rc == HAT_OK) {
			total += rows;
			cli_progress("copying", (long long)(i + 1), (long long)audit_table_count);
		} else {
			fprintf(stderr, "hatctl: copying %s failed\n", audit_tables[i].name);
		}
	}
	cli_progress_end();
	if (rc == HAT_OK)
		rc = store_copy_finish(dst);
	if (rc == HAT_OK)
		rc = store_commit(dst);
	if (rc == HAT_OK)
		printf("copied %lld rows of %zu tables\n", (long long)total, audit_table_count);
	else
		fprintf(stderr, "hatctl: the copy failed (%s); nothing was kept\n", hat_err_code(rc));
out:
	if (dst)
		store_rollback(dst);
	if (src)
		store_rollback(src);
	store_close(src);
	store_close(dst);
	store_copy_release();
	return rc == HAT_OK ? 0 : 1;
}

int cli_migrate(int argc, char **argv)
{
	const char *from = cli_opt(argc, argv, "--from");
	const char *to = cli_opt(argc, argv, "--to");
	char head_from[AUDIT_HEAD_TEXT], head_to[AUDIT_HEAD_TEXT];
	int claim = -1;
	int status;

	if (cli_flag(argc, argv, "--help")) {
		fputs(help, stdout);
		return 0;
	}
	if (!from || !to || store_is_postgresql(from) || !store_is_postgresql(to)) {
		fputs(help, stderr);
		return 2;
	}
	if (auth_init() != HAT_OK)
		return 1;
	if (store_claim(from, true, &claim) != HAT_OK) {
		fprintf(stderr, "hatctl: %s is open in a running hatd (or another hatctl); stop it"
				" before migrating\n", from);
		return 1;
	}
	status = verify_end("source", from, head_from);
	if (status == 0)
		status = copy_all(from, to);
	if (status == 0)
		status = verify_end("copy", to, head_to);
	if (status == 0 && strcmp(head_from, head_to) != 0) {
		fprintf(stderr, "hatctl: the copy's chain head differs from the source's; do not"
				" use it\n");
		status = 1;
	}
	if (status == 0) {
		char shown[512];

		store_display_name(to, shown, sizeof shown);
		printf("migrated: serve the clinic with hatd --db %s from now on\n", shown);
	}
	store_unclaim(claim);
	return status;
}
