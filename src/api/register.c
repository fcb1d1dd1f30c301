/*
** register.c (api): the controlled-drug register, stock checks,
** discrepancies, incidents and the returns log.
*/
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit/audit.h"
#include "cmd/alerts.h"
#include "cmd/clinic.h"
#include "cmd/register.h"
#include "cmd/register_view.h"
#include "util/clock.h"
#include "util/csv.h"

enum hat_err api_register_pages(struct http_req *req)
{
	int64_t premises;
	json_t *out = NULL;
	enum hat_err rc = api_premises_param(req, &premises);

	if (rc == HAT_OK)
		rc = register_pages(api_reader(req), premises, clock_local_date(clock_now()), &out);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:I, s:o}", "premises_id", (json_int_t)premises,
					       "pages", out));
	return rc;
}

/* The inspector's view: ?format=json (default; at most limit entries a
** page after after_seq, so a long period is read in pages), html
** (printable) or csv, both written out entry by entry. */
enum hat_err api_register_view(struct http_req *req)
{
	const char *format = http_query(req, "format");
	const char *page = http_query(req, "page_id");
	const char *limit_q = http_query(req, "limit");
	const char *after_q = http_query(req, "after_seq");
	int64_t premises, page_id = 0, limit = 5000, after_seq = 0;
	int32_t from, to;
	char clinic[200];
	struct spool sp = { .fd = -1 };
	bool json = !format || strcmp(format, "json") == 0;
	enum hat_err rc = api_premises_param(req, &premises);

	if (rc == HAT_OK)
		rc = api_date_range(req, 31, &from, &to);
	if (rc == HAT_OK && page && !str_to_int64(page, 1, INT64_MAX, &page_id)) {
		req->err_field = "page_id";
		rc = HAT_E_INVALID_QUERY;
	}
	if (rc == HAT_OK && limit_q && !str_to_int64(limit_q, 1, 5000, &limit)) {
		req->err_field = "limit";
		rc = HAT_E_INVALID_QUERY;
	}
	if (rc == HAT_OK && after_q && !str_to_int64(after_q, 0, INT64_MAX, &after_seq)) {
		req->err_field = "after_seq";
		rc = HAT_E_INVALID_QUERY;
	}
	/* format= is one of the route's (json, html, csv): the glue checked.
	** Each is written to the spool as it is read and answered from it. */
	if (rc == HAT_OK)
		rc = api_spool_open(&sp);
	if (rc == HAT_OK && json)
		rc = register_view_write(api_reader(req), premises, page_id, from, to, after_seq,
					 limit, &sp);
	if (rc == HAT_OK && !json) {
		clinic_get(api_reader(req), "clinic_name", clinic, sizeof clinic);
		/* register_print writes to the descriptor itself. */
		rc = register_print(api_reader(req), premises, page_id, from, to,
				    strcmp(format, "csv") == 0 ? REGISTER_CSV : REGISTER_HTML,
				    clinic, sp.fd);
	}
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "cd_register");
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, json ? "application/json"
				 : strcmp(format, "csv") == 0 ? "text/csv; charset=utf-8"
							      : "text/html; charset=utf-8", &sp);
}

enum hat_err api_register_lots(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc;

	rc = register_lots(api_reader(req), req->path_id, clock_local_date(clock_now()), &out);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:I, s:o}", "page_id", (json_int_t)req->path_id,
					       "lots", out));
	return rc;
}

enum hat_err api_register_stock_checks(struct http_req *req)
{
	json_t *out = NULL;
	char head[AUDIT_HEAD_TEXT];
	/* The head goes on the stock-check sheet: an anchor kept off the file. */
	enum hat_err rc = audit_head_text(api_reader(req), head);

	if (rc == HAT_OK)
		rc = register_stock_checks(api_reader(req), req->path_id, &out);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:I, s:s, s:o}", "page_id", (json_int_t)req->path_id,
					       "chain_head", head, "stock_checks", out));
	return rc;
}

/* The CDAO's list: late entries, overdue checks, open cases, licences. */
enum hat_err api_alerts(struct http_req *req)
{
	int64_t premises;
	json_t *out = NULL;
	enum hat_err rc = api_premises_param(req, &premises);

	if (rc == HAT_OK)
		rc = alerts_read(api_reader(req), premises, clock_local_date(clock_now()), &out);
	if (rc == HAT_OK)
		http_reply(req, 200, out);
	return rc;
}

enum hat_err api_suppliers_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = store_query_json(api_reader(req),
					   "SELECT id, name, address, active AS is_active, created_at"
					   " FROM suppliers ORDER BY name", &out, "");

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "suppliers", out));
	return rc;
}

enum hat_err api_suppliers_create(struct http_req *req)
{
	return api_run(req, &register_supplier_create);
}

enum hat_err api_register_receive(struct http_req *req)
{
	return api_run_witnessed(req, &register_receive, REGISTER_WITNESS_ROLES);
}

enum hat_err api_register_destroy(struct http_req *req)
{
	return api_run_witnessed(req, &register_destroy, REGISTER_WITNESS_ROLES);
}

enum hat_err api_register_correct(struct http_req *req)
{
	return api_run(req, &register_correct);
}

enum hat_err api_register_stock_check(struct http_req *req)
{
	return api_run_witnessed(req, &register_stock_check, REGISTER_WITNESS_ROLES);
}

enum hat_err api_discrepancies_list(struct http_req *req)
{
	json_t *cases = NULL;
	json_t *events = NULL;
	size_t i;
	json_t *c;
	enum hat_err rc = store_query_json(
		api_reader(req),
		"SELECT d.id, d.page_id, d.stock_check_id, d.difference, d.opened_at,"
		" (SELECT kind FROM discrepancy_events e WHERE e.discrepancy_id = d.id"
		"  AND e.kind IN ('resolved', 'escalated')) AS closed_by"
		" FROM discrepancies d ORDER BY d.id DESC", &cases, "");

	json_array_foreach(cases, i, c) {
		if (rc != HAT_OK)
			break;
		rc = store_query_json(api_reader(req),
				      "SELECT id, kind, item, finding, entry_id, incident_id,"
				      " at AS recorded_at, by_id FROM discrepancy_events"
				      " WHERE discrepancy_id = ? ORDER BY id",
				      &events, "i", json_integer_value(json_object_get(c, "id")));
		if (rc == HAT_OK && json_object_set_new(c, "events", events) != 0)
			rc = HAT_E_NOMEM;
		if (rc == HAT_OK &&
		    json_object_set_new(c, "status",
					json_string(json_is_string(json_object_get(c, "closed_by"))
							    ? json_string_value(json_object_get(c, "closed_by"))
							    : "open")) != 0)
			rc = HAT_E_NOMEM;
		if (rc == HAT_OK)
			json_object_del(c, "closed_by");
	}
	if (rc != HAT_OK) {
		json_decref(cases);
		return rc;
	}
	http_reply(req, 200, json_pack("{s:o}", "discrepancies", cases));
	return HAT_OK;
}

enum hat_err api_discrepancy_check(struct http_req *req)
{
	return api_run(req, &register_discrepancy_check);
}

enum hat_err api_discrepancy_resolve(struct http_req *req)
{
	return api_run(req, &register_discrepancy_resolve);
}

enum hat_err api_discrepancy_escalate(struct http_req *req)
{
	return api_run(req, &register_discrepancy_escalate);
}

static const char sql_incidents[] =
	"SELECT i.id, i.premises_id, i.kind, i.occurred_at, i.description,"
	" i.action_taken, i.discrepancy_id, u.display_name AS reported_by,"
	" i.at AS reported_at FROM incidents i JOIN users u ON"
	" u.id = i.reported_by WHERE i.occurred_at >= ? AND i.occurred_at < ?"
	" ORDER BY i.occurred_at";

/* The quarterly occurrence report: each incident a CSV line, written to the
** spool as it is read. */
static enum hat_err incidents_csv(struct http_req *req, int32_t from, int32_t to)
{
	static const char *const cols[] = { "id", "premises_id", "kind", "occurred_at",
					    "description", "action_taken", "discrepancy_id",
					    "reported_by", "reported_at" };
	const size_t ncols = sizeof cols / sizeof cols[0];
	struct spool sp = { .fd = -1 };
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = api_spool_open(&sp);

	for (size_t k = 0; k < ncols && rc == HAT_OK; k++)
		rc = buf_printf(&sp.b, "%s%s", cols[k], k + 1 < ncols ? "," : "\r\n");
	if (rc == HAT_OK)
		rc = store_prepare(api_reader(req), sql_incidents, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", clock_from_local(from, 0), clock_from_local(to + 1, 0));
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *r = NULL;

		/* The row as the JSON list has it, so both say the same. */
		rc = store_row_json(s, &r);
		for (size_t k = 0; k < ncols && rc == HAT_OK; k++) {
			json_t *v = json_object_get(r, cols[k]);
			/* A field with no value (no discrepancy case) is empty, not "null". */
			char *text = json_is_string(v) || json_is_null(v) || !v
					     ? NULL : json_dumps(v, JSON_ENCODE_ANY);
			const char *t = json_is_string(v) ? json_string_value(v) : text;

			rc = csv_field(&sp.b, t, k + 1 == ncols);
			free(text);
		}
		json_decref(r);
		if (rc == HAT_OK)
			rc = spool_row(&sp);
	}
	store_done(s);
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, "text/csv; charset=utf-8", &sp);
}

/* The CDAO's log; ?format=csv gives the quarterly occurrence report. */
enum hat_err api_incidents_list(struct http_req *req)
{
	const char *format = http_query(req, "format");
	int32_t from, to;
	json_t *rows = NULL;
	enum hat_err rc = api_date_range(req, 92, &from, &to);

	if (rc != HAT_OK)
		return rc;
	if (format && strcmp(format, "csv") == 0)
		return incidents_csv(req, from, to);
	rc = store_query_json(api_reader(req), sql_incidents, &rows, "ii",
			      clock_from_local(from, 0), clock_from_local(to + 1, 0));
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "incidents", rows));
	return rc;
}

enum hat_err api_incidents_create(struct http_req *req)
{
	return api_run(req, &register_incident_create);
}

enum hat_err api_returns_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = store_query_json(api_reader(req),
					   "SELECT id, premises_id, patient_id, description, quantity,"
					   " received_by, witness_id, at AS received_at FROM returns_log"
					   " ORDER BY id DESC", &out, "");

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "returns", out));
	return rc;
}

enum hat_err api_returns_record(struct http_req *req)
{
	return api_run_witnessed(req, &register_returns_record, REGISTER_WITNESS_ROLES);
}
