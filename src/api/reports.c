/*
** reports.c (api): the service evaluation report, as JSON or CSV.  Reading
** it goes to the access log like any other read of the record.
*/
#include <string.h>

#include "api.h"
#include "cmd/evaluation.h"

/* ?from=&to= (default the last 365 days), ?premises_id= (default the whole
** service), ?format=json|csv. */
enum hat_err api_evaluation_report(struct http_req *req)
{
	const char *format = http_query(req, "format");
	int64_t premises = 0;
	int32_t from, to;
	json_t *out = NULL;
	enum hat_err rc = api_date_range(req, 365, &from, &to);

	if (rc == HAT_OK && http_query(req, "premises_id"))
		rc = api_premises_param(req, &premises);
	if (rc == HAT_OK)
		rc = evaluation_report(api_reader(req), premises, from, to, clock_now(), &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "evaluation_report");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	if (!format || strcmp(format, "csv") != 0) {
		http_reply(req, 200, out);
		return HAT_OK;
	}
	buf_init(&req->raw, (size_t)4 << 20);
	rc = evaluation_render_csv(out, &req->raw);
	json_decref(out);
	req->content_type = "text/csv; charset=utf-8";
	req->status = 200;
	return rc;
}
