/*
** verify.c: hatctl verify: re-walk the audit chain and report the first
** broken link.  Exit 0 when all is well, 1 naming the bad event otherwise.
*/
#include "cli.h"
#include "audit/audit.h"
#include "cmd/register.h"

static const char help[] =
	"usage: hatctl verify [--db PATH]\n"
	"Re-walks the audit chain from its first event, recomputing every hash,\n"
	"and checks the chain head; then re-derives every register page's balance\n"
	"from its entries and checks that every dose has its register entries.\n"
	"Exits 1 naming the first event or entry that was changed, inserted or\n"
	"removed outside hat, 0 when everything holds.\n";

static void progress(int64_t done, int64_t total, void *arg)
{
	(void)arg;
	cli_progress("verifying", done, total);
}

int cli_verify(int argc, char **argv)
{
	struct cli_opts o;
	struct store_conn *conn = NULL;
	struct audit_finding f;
	int64_t count = 0;
	bool ok = false;
	bool register_ok = false;
	char finding[240];
	enum hat_err rc;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	if (o.help) {
		fputs(help, stdout);
		return 0;
	}
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o.db, hat_err_code(rc));
		return 1;
	}
	rc = audit_verify(conn, &ok, &f, &count, progress, NULL);
	cli_progress_end();
	if (rc == HAT_OK && ok)
		rc = register_verify(conn, &register_ok, finding, sizeof finding);
	store_close(conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: verify could not read the database: %s\n", hat_err_code(rc));
		return 1;
	}
	if (!ok) {
		printf("FAILED: audit event %lld: %s: %s\n", (long long)f.seq, f.problem, f.detail);
		return 1;
	}
	if (!register_ok) {
		printf("FAILED: %s\n", finding);
		return 1;
	}
	printf("ok: %lld audit events, every link holds; every register page balances and every"
	       " dose has its register entries\n", (long long)count);
	return 0;
}
