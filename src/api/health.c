/*
** health.c: a health check that needs no login and reveals nothing of the
** clinic's records.
**
** It says "ok" (200) only when it is true: the database at the configured
** path opens and reads as a hat database of this build's schema, through a
** new connection (the pool's connections may go on reading pages they hold
** in memory, or a file that has since been replaced), the request's own
** reader reads too, and the writer is taking commands.  Otherwise it says
** "not ok" with a 503, and which part failed.
*/
#include "api.h"
#include "store/writer.h"
#include "util/clock.h"
#include "util/log.h"

static const char sql_probe[] = "SELECT count(*) FROM sqlite_schema";

static bool database_readable(struct http_req *req, int64_t *schema)
{
	struct store_conn *fresh = NULL;
	int64_t n = 0;
	bool ok;

	*schema = store_schema_version(api_reader(req));
	ok = *schema == store_schema_latest() &&
	     store_query_int(api_reader(req), sql_probe, NULL, &n, "") == HAT_OK;
	if (ok && api_ctx()->db_path) {
		ok = store_open(api_ctx()->db_path, STORE_READ_ONLY, &fresh) == HAT_OK &&
		     store_schema_version(fresh) == store_schema_latest() &&
		     store_query_int(fresh, sql_probe, NULL, &n, "") == HAT_OK;
		store_close(fresh);
	}
	return ok;
}

enum hat_err api_health(struct http_req *req)
{
	char now[21];
	int64_t schema;
	bool db_ok = database_readable(req, &schema);
	bool writer_ok = !api_ctx()->writer || writer_running(api_ctx()->writer);
	json_t *body;

	if (!db_ok || !writer_ok)
		log_warn("health: not ok (database %s, writer %s)", db_ok ? "ok" : "unreadable",
			 writer_ok ? "running" : "not running");
	clock_format_utc(clock_now(), now);
	body = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s}", "status",
			 db_ok && writer_ok ? "ok" : "not ok", "clinic",
			 api_ctx()->clinic_name ? api_ctx()->clinic_name : "", "schema",
			 (json_int_t)schema, "time", now, "database", db_ok ? "ok" : "unreadable",
			 "writer", writer_ok ? "running" : "not running");
	if (!body)
		return HAT_E_NOMEM;
	http_reply(req, db_ok && writer_ok ? 200 : 503, body);
	return HAT_OK;
}

#ifdef HAT_TEST_CLOCK
static const struct field clock_fields[] = {
	{ "now", FT_TIME, false, 0, 0, NULL, false },
	{ "advance_s", FT_INT, false, 0, 10LL * 366 * 86400, NULL, false },
	FIELDS_END,
};

/* Test builds only: lets a test live through days of sessions in seconds. */
enum hat_err api_test_clock(struct http_req *req)
{
	int64_t t;
	char now[21];
	enum hat_err rc = fields_check(clock_fields, req->body, &req->err_field);

	if (rc != HAT_OK)
		return rc;
	if (fields_has(req->body, "now")) {
		clock_parse_rfc3339(fields_str(req->body, "now", ""), &t);
		clock_test_set(t);
	}
	if (fields_has(req->body, "advance_s"))
		clock_test_advance(fields_int(req->body, "advance_s", 0));
	clock_format_utc(clock_now(), now);
	http_reply(req, 200, json_pack("{s:s}", "now", now));
	return HAT_OK;
}
#endif
