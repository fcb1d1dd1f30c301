/*
** verify.c: hatctl verify: re-walk the audit chain, every row it binds and
** the register, and report what was changed outside hat.  Exit 0 when all
** is well, 1 naming what is wrong otherwise.
*/
#include <pthread.h>
#include <string.h>

#include "cli.h"
#include "audit/audit.h"
#include "audit/rows.h"
#include "cmd/register.h"

static const char help[] =
	"usage: hatctl verify [--db PATH] [--since SEQ:HASH]\n"
	"       hatctl verify --tables\n"
	"Re-walks the audit chain from its first event, recomputing every hash, and\n"
	"checks the chain head; recomputes the fingerprint of every row of every\n"
	"table the chain binds and compares it with the event that last wrote it\n"
	"(a row changed, inserted or deleted outside hat is named by table and row);\n"
	"checks the access log against its seals; then re-derives every register\n"
	"page's balance from its entries and checks that every dose has its\n"
	"register entries.  Prints the chain head (SEQ:HASH): write it down, or\n"
	"keep it with the printed register, and a later --since SEQ:HASH fails\n"
	"unless the chain still holds that very event, so that even a rewrite of\n"
	"the whole file with a freshly computed chain is caught.  --since then checks\n"
	"only what was added after that event (the links after it, the rows its\n"
	"successors bound, rows inserted since, the access log's later seals).\n"
	"Exits 1 naming what is wrong, 0 when everything holds.\n"
	"--tables lists how the chain covers each table (name, kind, ignored\n"
	"columns), tab-separated.\n";

static const char *const kind_names[] = { "bound", "sealed", "chain", "ephemeral" };

static int print_tables(void)
{
	for (size_t i = 0; i < audit_table_count; i++) {
		const struct audit_table *t = &audit_tables[i];

		printf("%s\t%s\t", t->name, kind_names[t->kind]);
		for (size_t k = 0; t->ignored && t->ignored[k]; k++)
			printf("%s%s", k ? "," : "", t->ignored[k]);
		putchar('\n');
	}
	return 0;
}

static void progress(int64_t done, int64_t total, void *arg)
{
	(void)arg;
	cli_progress("verifying", done, total);
}

static void print_head(struct store_conn *conn)
{
	unsigned char hash[AUDIT_HASH_BYTES];
	char text[AUDIT_HEAD_TEXT];
	int64_t seq;

	if (audit_head(conn, &seq, hash) == HAT_OK) {
		audit_head_format(seq, hash, text);
		printf("chain head: %s\n", text);
	}
}

/* The anchor: the head written down earlier must still be in the chain, at
** the same place with the same hash.  Returns 0 when it is, 1 otherwise. */
static int check_since(struct store_conn *conn, const char *since)
{
	unsigned char hash[AUDIT_HASH_BYTES];
	int64_t seq;
	bool found, same;

	if (!audit_head_parse(since, &seq, hash)) {
		fprintf(stderr, "hatctl: --since needs SEQ:HASH as verify printed it\n");
		return 2;
	}
	if (audit_event_hash_is(conn, seq, hash, &found, &same) != HAT_OK) {
		fprintf(stderr, "hatctl: verify could not read the database\n");
		return 1;
	}
	if (!found) {
		printf("FAILED: the chain no longer holds event %lld, whose head was written down"
		       " earlier: events were removed or the record was replaced\n", (long long)seq);
		return 1;
	}
	if (!same) {
		printf("FAILED: event %lld no longer has the hash written down earlier: the chain"
		       " was rewritten\n", (long long)seq);
		return 1;
	}
	return 0;
}

static void print_chain_finding(FILE *out, const struct audit_finding *f)
{
	fprintf(out, "FAILED: audit event %lld: %s: %s (table %s)\n", (long long)f->seq,
		f->problem, f->detail, f->table[0] ? f->table : "audit_events");
}

static void print_row_findings(FILE *out, const struct audit_findings *fs)
{
	fprintf(out, "FAILED: %lld row finding(s)%s\n", (long long)fs->total,
		fs->total > (int64_t)fs->n ? " (the first shown)" : "");
	for (size_t i = 0; i < fs->n; i++)
		fprintf(out, "  table %s row %lld: %s: %s\n", fs->kept[i].table,
			(long long)fs->kept[i].row_id, fs->kept[i].problem, fs->kept[i].detail);
}

/* The row check, on a second connection and thread, beside the chain walk:
** the two are independent reads and together take the time of the longer. */
struct rows_job {
	struct store_conn *conn;
	struct audit_findings *findings;
	int64_t head;        /* the chain head in this connection's snapshot */
	enum hat_err rc;
};

static void *rows_main(void *arg)
{
	struct rows_job *j = arg;

	j->rc = audit_rows_verify(j->conn, j->findings, NULL, NULL);
	return NULL;
}

static enum hat_err snapshot_head(struct store_conn *c, int64_t *seq)
{
	unsigned char hash[AUDIT_HASH_BYTES];
	enum hat_err rc = store_exec(c, "BEGIN");

	if (rc == HAT_OK)
		rc = audit_head(c, seq, hash);
	return rc;
}

/* Opens a second read connection whose snapshot holds the same chain head
** as conn's (a writer may commit between the two BEGINs; then try again).
** *second stays NULL when no such snapshot was had: check in one thread. */
static enum hat_err second_snapshot(struct store_conn *conn, const char *path, int64_t head,
				    struct store_conn **second)
{
	int64_t other = -1;

	*second = NULL;
	if (!path || store_open(path, STORE_READ_ONLY, second) != HAT_OK)
		return HAT_OK;
	for (int tries = 0; tries < 5; tries++) {
		if (snapshot_head(*second, &other) == HAT_OK && other == head)
			return HAT_OK;
		store_rollback(*second);
	}
	(void)conn;
	store_close(*second);
	*second = NULL;
	return HAT_OK;
}

int cli_verify_conn(struct store_conn *conn, const char *path, FILE *out, int64_t *events)
{
	static struct audit_findings findings;
	struct audit_finding f;
	struct store_conn *second = NULL;
	struct rows_job job = { NULL, &findings, 0, HAT_OK };
	pthread_t thread;
	bool threaded = false;
	int64_t count = 0, head = 0;
	bool ok = false;
	bool register_ok = true;
	char finding[240];
	enum hat_err rc;
	int status = 0;

	memset(&findings, 0, sizeof findings);
	if (store_schema_version(conn) != store_schema_latest()) {
		if (out)
			fprintf(stderr, "hatctl: the database is at schema %d and this hatctl checks"
					" schema %d: open it for writing once (start hatd, or run any"
					" writing hatctl command) so that it is migrated, then verify\n",
				store_schema_version(conn), store_schema_latest());
		return -1;
	}
	/* One snapshot for every check, so that hatd writing meanwhile cannot
	** make the parts disagree (the second connection's holds the same
	** head). */
	rc = snapshot_head(conn, &head);
	if (rc == HAT_OK)
		rc = second_snapshot(conn, path, head, &second);
	if (rc == HAT_OK && second) {
		job.conn = second;
		threaded = pthread_create(&thread, NULL, rows_main, &job) == 0;
	}
	if (rc == HAT_OK)
		rc = audit_verify(conn, &ok, &f, &count, out && !threaded ? progress : NULL, NULL);
	if (threaded) {
		pthread_join(thread, NULL);
		if (rc == HAT_OK)
			rc = job.rc;
	} else if (rc == HAT_OK && ok) {
		rc = audit_rows_verify(conn, &findings, out ? progress : NULL, NULL);
	}
	cli_progress_end();
	if (second) {
		store_rollback(second);
		store_close(second);
	}
	if (rc == HAT_OK && ok)
		rc = register_verify(conn, &register_ok, finding, sizeof finding);
	store_rollback(conn);
	if (events)
		*events = count;
	if (rc != HAT_OK) {
		if (out)
			fprintf(stderr, "hatctl: verify could not read the database: %s\n",
				hat_err_code(rc));
		return -1;
	}
	if (!ok) {
		if (out)
			print_chain_finding(out, &f);
		return 1;
	}
	/* The register's own arithmetic first: it says what a changed entry no
	** longer adds up to; then every row that differs from its event. */
	if (!register_ok) {
		if (out)
			fprintf(out, "FAILED: %s\n", finding);
		status = 1;
	}
	if (findings.total > 0) {
		if (out)
			print_row_findings(out, &findings);
		status = 1;
	}
	return status;
}

/* verify --since: the anchor, then only what was added after it. */
static int verify_since(struct store_conn *conn, const char *since)
{
	static struct audit_findings findings;
	unsigned char hash[AUDIT_HASH_BYTES];
	struct audit_finding f;
	int64_t seq, count = 0;
	bool ok = false;
	enum hat_err rc;
	int status;

	if (!audit_head_parse(since, &seq, hash)) {
		fprintf(stderr, "hatctl: --since needs SEQ:HASH as verify printed it\n");
		return 2;
	}
	memset(&findings, 0, sizeof findings);
	rc = store_exec(conn, "BEGIN");
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: verify could not read the database: %s\n", hat_err_code(rc));
		return 1;
	}
	status = check_since(conn, since);
	if (status == 0) {
		rc = audit_verify_from(conn, seq, hash, &ok, &f, &count, NULL, NULL);
		if (rc == HAT_OK && ok)
			rc = audit_rows_verify_since(conn, seq, &findings);
		if (rc != HAT_OK) {
			fprintf(stderr, "hatctl: verify could not read the database: %s\n",
				hat_err_code(rc));
			status = 1;
		} else if (!ok) {
			print_chain_finding(stdout, &f);
			status = 1;
		} else if (findings.total > 0) {
			print_row_findings(stdout, &findings);
			status = 1;
		}
	}
	if (status == 0)
		printf("ok since event %lld: the chain still holds it; %lld audit events after it,"
		       " every link holds; every row they bound matches, and the access log its"
		       " seals (run verify without --since to re-check the whole record and the"
		       " register's arithmetic)\n", (long long)seq, (long long)count);
	store_rollback(conn);
	return status;
}

int cli_verify(int argc, char **argv)
{
	static const char *const valued[] = { "--since", NULL };
	struct cli_opts o;
	struct store_conn *conn = NULL;
	const char *since;
	int64_t count = 0;
	enum hat_err rc;
	int status;

	argc = cli_common(argc, argv, &o);
	if (argc < 0)
		return 2;
	if (o.help) {
		fputs(help, stdout);
		return 0;
	}
	if (cli_flag(argc, argv, "--tables"))
		return print_tables();
	since = cli_opt(argc, argv, "--since");
	if (cli_arg(argc, argv, 0, valued)) {
		fputs(help, stderr);
		return 2;
	}
	rc = store_open(o.db, STORE_READ_ONLY, &conn);
	if (rc != HAT_OK) {
		fprintf(stderr, "hatctl: cannot open %s: %s\n", o.shown, hat_err_code(rc));
		return 1;
	}
	if (since) {
		status = verify_since(conn, since);
		print_head(conn);
		store_close(conn);
		return status;
	}
	status = cli_verify_conn(conn, o.db, stdout, &count);
	if (status < 0) {
		store_close(conn);
		return 1;
	}
	if (status == 0)
		printf("ok: %lld audit events, every link holds; every row of every bound table"
		       " matches its event and the access log its seals; every register page"
		       " balances and every dose has its register entries\n", (long long)count);
	print_head(conn);
	store_close(conn);
	return status;
}
