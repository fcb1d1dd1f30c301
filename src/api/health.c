/*
** health.c: a liveness check that needs no login and reveals nothing.
*/
#include "api.h"
#include "util/clock.h"

enum hat_err api_health(struct http_req *req)
{
	char now[21];
	int64_t schema = store_schema_version(api_reader(req));

	clock_format_utc(clock_now(), now);
	http_reply(req, 200, json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "clinic",
				       api_ctx()->clinic_name ? api_ctx()->clinic_name : "",
				       "schema", (json_int_t)schema, "time", now));
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
