/*
** verify_bench.c: how fast hatctl verify's checks run against the raw speed
** of BLAKE2b over the same bytes, on this machine, in one run.
**
**   verify_bench DB HATCTL
**
** It counts the bytes verify hashes (every event's canonical fields and
** every bound row's columns), times `HATCTL verify --db DB` as an operator
** runs it, then times BLAKE2b streaming over as many bytes, and
** prints both and their ratio against the target (at least 0.5).  It
** measures; it exits 0 whether the target is met or not, 2 if it broke.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "audit/tables.h"
#include "store/store.h"

#define TARGET_RATIO 0.5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The bytes verify feeds BLAKE2b for one table's rows: every column's
** value as canon.h writes it (length() of an integer is its decimal
** length), its name, and the length prefixes. */
static int64_t table_bytes(struct store_conn *c, const struct audit_table *t, int64_t *rows)
{
	static char sql[8192];
	struct store_stmt *s;
	size_t used;
	bool row;
	int64_t bytes = 0;

	used = (size_t)snprintf(sql, sizeof sql, "SELECT count(*), coalesce(sum(length('%s') + 16",
				t->name);
	if (store_prepare(c, "SELECT name FROM pragma_table_info(?)", &s) != HAT_OK)
		return -1;
	store_bind_text(s, 1, t->name);
	while (store_step(s, &row) == HAT_OK && row)
		used += (size_t)snprintf(sql + used, sizeof sql - used,
					 " + coalesce(length(\"%s\") + %zu + 25, 0)",
					 store_col_text(s, 0), strlen(store_col_text(s, 0)));
	store_done(s);
	snprintf(sql + used, sizeof sql - used, "), 0) FROM \"%s\"", t->name);
	/* A statement of its own: the cache keys on the SQL's address. */
	{
		char *own = strdup(sql);

		if (!own || store_prepare(c, own, &s) != HAT_OK)
			return -1;
		if (store_step(s, &row) == HAT_OK && row) {
			*rows = store_col_int(s, 0);
			bytes = store_col_int(s, 1);
		}
		store_done(s);
		/* own stays allocated for the connection's lifetime (its cache). */
	}
	return bytes;
}

int main(int argc, char **argv)
{
	struct store_conn *c = NULL;
	int64_t events = 0, event_bytes = 0, row_bytes = 0, rows = 0;
	double t0, t_verify, t_raw;

	if (argc != 3 || sodium_init() < 0) {
		fprintf(stderr, "usage: verify_bench DB HATCTL\n");
		return 2;
	}
	if (store_open(argv[1], STORE_READ_ONLY, &c) != HAT_OK)
		return 2;
	if (store_query_int(c, "SELECT coalesce(sum(length(action) + length(entity) +"
			       " length(detail) + 32 + 32 + 5 * 24 + 8 * 8), 0) FROM audit_events",
			    NULL, &event_bytes, "") != HAT_OK)
		return 2;
	for (size_t i = 0; i < audit_table_count; i++) {
		int64_t n = 0;
		int64_t b;

		if (audit_tables[i].kind != AUDIT_BOUND && audit_tables[i].kind != AUDIT_SEALED)
			continue;
		b = table_bytes(c, &audit_tables[i], &n);
		if (b < 0)
			return 2;
		row_bytes += b;
		rows += n;
	}

	store_close(c);

	/* hatctl verify as an operator runs it: the chain walk and the row
	** check (beside each other on the two cores), the register checks,
	** process start-up included. */
	{
		char cmd[8192];
		int n = snprintf(cmd, sizeof cmd, "'%s' verify --db '%s' >/dev/null", argv[2],
				 argv[1]);

		if (n < 0 || (size_t)n >= sizeof cmd || strchr(argv[1], '\'') ||
		    strchr(argv[2], '\''))
			return 2;
		t0 = now_s();
		if (system(cmd) != 0) {
			fprintf(stderr, "verify_bench: hatctl verify failed on %s\n", argv[1]);
			return 2;
		}
		t_verify = now_s() - t0;
	}
	if (store_open(argv[1], STORE_READ_ONLY, &c) != HAT_OK ||
	    store_query_int(c, "SELECT count(*) FROM audit_events", NULL, &events, "") != HAT_OK)
		return 2;
	store_close(c);

	/* Raw BLAKE2b over the same number of bytes, streamed. */
	{
		size_t chunk = 1 << 20;
		unsigned char *buf = malloc(chunk);
		unsigned char out[32];
		crypto_generichash_blake2b_state st;
		int64_t left = event_bytes + row_bytes;

		if (!buf)
			return 2;
		randombytes_buf(buf, chunk);
		t0 = now_s();
		crypto_generichash_blake2b_init(&st, NULL, 0, sizeof out);
		while (left > 0) {
			size_t n = left < (int64_t)chunk ? (size_t)left : chunk;

			crypto_generichash_blake2b_update(&st, buf, n);
			left -= (int64_t)n;
		}
		crypto_generichash_blake2b_final(&st, out, sizeof out);
		t_raw = now_s() - t0;
		free(buf);
	}
	{
		double mb = (double)(event_bytes + row_bytes) / 1e6;
		double verify_s = t_verify;
		double ratio = t_raw / verify_s;

		printf("record: %lld audit events, %lld bound rows, %.1f MB hashed\n",
		       (long long)events, (long long)rows, mb);
		printf("hatctl verify: %.3f s (%.0f MB/s)\n", verify_s, mb / verify_s);
		printf("raw BLAKE2b over the same bytes: %.3f s (%.0f MB/s)\n", t_raw, mb / t_raw);
		printf("ratio: %.2fx raw BLAKE2b (target at least %.1fx): %s\n", ratio, TARGET_RATIO,
		       ratio >= TARGET_RATIO ? "PASS" : "MISS");
	}
	return 0;
}
