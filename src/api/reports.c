/*
** reports.c (api): the service evaluation report, as JSON or CSV; the
** national return as the file a service submits, and its code lists.
** Reading a report or an export goes to the access log like any other
** read of the record, before the data is made.
*/
#include <string.h>

#include "api.h"
#include "cmd/evaluation.h"
#include "cmd/fhir.h"
#include "cmd/ndtms.h"
#include "cmd/prices.h"
#include "cmd/research.h"

/* ?from=&to= (default the last 365 days), ?premises_id= (default the whole
** service), ?format=json|csv. */
enum hat_err api_evaluation_report(struct http_req *req)
{
	const char *format = http_query(req, "format");
	int64_t premises = 0;
	int32_t from, to;
	json_t *out = NULL;
	enum hat_err rc = api_date_range(req, 365, &from, &to);

	/* No premises_id (as before) or premises_id=all: the whole provider. */
	if (rc == HAT_OK)
		rc = api_premises_scope(req, true, &premises);
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
	/* The report is figures, one line a measure: its CSV is as long as
	** the list of measures, whatever the history, so it is made whole
	** into the spool's block and answered from the file like the rest. */
	{
		struct spool sp = { .fd = -1 };

		rc = api_spool_open(&sp);
		if (rc == HAT_OK)
			rc = evaluation_render_csv(out, &sp.b);
		json_decref(out);
		if (rc != HAT_OK) {
			spool_free(&sp);
			return rc;
		}
		return api_spool_reply(req, "text/csv; charset=utf-8", &sp);
	}
}

/* The national return: ?from=&to= (both absent: every episode), as JSON
** or as the CSV a service submits; ?part=top (CSV only) the TOP returns. */
enum hat_err api_ndtms_export_file(struct http_req *req)
{
	const char *format = http_query(req, "format");
	const char *part = http_query(req, "part");
	bool csv = format && strcmp(format, "csv") == 0;
	bool top = part && strcmp(part, "top") == 0;
	int32_t from = INT32_MIN / 2, to = INT32_MAX / 2;
	struct ndtms_csv_stats st;
	struct spool sp = { .fd = -1 };
	json_t *out = NULL;
	enum hat_err rc = HAT_OK;

	if ((part && !top && strcmp(part, "episodes") != 0) || (top && !csv)) {
		req->err_field = "part";
		return HAT_E_INVALID_QUERY;
	}
	rc = api_provider_only(req);
	if (rc == HAT_OK && (http_query(req, "from") || http_query(req, "to")))
		rc = api_date_range(req, 31, &from, &to);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "ndtms_export");
	if (rc != HAT_OK)
		return rc;
	if (!csv) {
		rc = ndtms_export_period(api_reader(req), from, to, &out);
		return rc == HAT_OK ? api_spool_json(req, out) : rc;
	}
	rc = api_spool_open(&sp);
	if (rc == HAT_OK && top)
		rc = ndtms_top_csv(api_reader(req), from, to, &sp, &st);
	else if (rc == HAT_OK)
		rc = ndtms_export_csv(api_reader(req), from, to, &sp, &st);
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, "text/csv; charset=utf-8", &sp);
}

enum hat_err api_ndtms_codes(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = ndtms_codes_list(api_reader(req), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, out);
	return rc;
}

enum hat_err api_ndtms_code_set(struct http_req *req)
{
	return api_run(req, &ndtms_code_set);
}

/* Pseudonymised research rows: ?from=&to= (both absent: every episode). */
enum hat_err api_research_export(struct http_req *req)
{
	const char *format = http_query(req, "format");
	int32_t from = INT32_MIN / 2, to = INT32_MAX / 2;
	int64_t rows = 0;
	struct spool sp = { .fd = -1 };
	json_t *out = NULL;
	enum hat_err rc = api_provider_only(req);

	if (rc == HAT_OK && (http_query(req, "from") || http_query(req, "to")))
		rc = api_date_range(req, 31, &from, &to);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "research_export");
	if (rc != HAT_OK)
		return rc;
	if (!format || strcmp(format, "csv") != 0) {
		rc = research_export(api_reader(req), from, to, clock_now(), &out);
		return rc == HAT_OK ? api_spool_json(req, out) : rc;
	}
	rc = api_spool_open(&sp);
	if (rc == HAT_OK)
		rc = research_export_csv(api_reader(req), from, to, &sp, &rows);
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, "text/csv; charset=utf-8", &sp);
}

enum hat_err api_drug_price_set(struct http_req *req)
{
	return api_run(req, &drug_price_set);
}

/* One person's treatment as a FHIR R4 Bundle; a read of their record.  Each
** resource is written to the spool as it is read and made, so a record of
** ten years costs the memory of one resource, not of the record. */
enum hat_err api_fhir_everything(struct http_req *req)
{
	struct spool sp = { .fd = -1 };
	enum hat_err rc = api_spool_open(&sp);

	if (rc == HAT_OK)
		rc = fhir_everything_write(api_reader(req), req->path_id, clock_now(), &sp);
	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "fhir_everything");
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, "application/json", &sp);
}
