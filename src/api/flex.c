/*
** flex.c (api): flexibility: the clinic's settings, planned absences, oral
** cover, session choice and the report of the schedule's burden.
*/
#include "api.h"
#include "cmd/flex.h"
#include "cmd/provider.h"
#include "cmd/register.h"
#include "cmd/visits.h"
#include "util/clock.h"

enum hat_err api_flex_settings_get(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = flex_settings_read(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		http_reply(req, 200, out);
	return rc;
}

enum hat_err api_flex_settings_put(struct http_req *req)
{
	return api_run(req, &flex_settings_set);
}

enum hat_err api_flex_patient(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = flex_patient_read(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "flexibility");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_absence_record(struct http_req *req)
{
	return api_run(req, &flex_absence_record);
}

enum hat_err api_absence_cancel(struct http_req *req)
{
	return api_run(req, &flex_absence_cancel);
}

enum hat_err api_cover_prescribe(struct http_req *req)
{
	return api_run(req, &flex_cover_prescribe);
}

enum hat_err api_cover_give(struct http_req *req)
{
	return api_run_witnessed(req, &flex_cover_give, VISITS_WITNESS_ROLES);
}

enum hat_err api_cover_supply(struct http_req *req)
{
	return api_run_witnessed(req, &flex_cover_supply, VISITS_WITNESS_ROLES);
}

enum hat_err api_cover_return(struct http_req *req)
{
	return api_run_witnessed(req, &flex_cover_return, REGISTER_WITNESS_ROLES);
}

enum hat_err api_session_preference(struct http_req *req)
{
	return api_run(req, &flex_preference_set);
}

enum hat_err api_session_change(struct http_req *req)
{
	return api_run(req, &flex_change_set);
}

enum hat_err api_session_change_cancel(struct http_req *req)
{
	return api_run(req, &flex_change_cancel);
}

/* ?premises_id=&from=&to= (default the last 28 days). */
enum hat_err api_flex_report(struct http_req *req)
{
	int64_t premises;
	int32_t from, to;
	json_t *out = NULL;
	enum hat_err rc = api_premises_scope(req, false, &premises);

	if (rc == HAT_OK)
		rc = api_date_range(req, 28, &from, &to);
	if (rc == HAT_OK && to - from > 731) {
		req->err_field = "from";
		rc = HAT_E_OUT_OF_RANGE;
	}
	if (rc == HAT_OK && premises == 0)
		rc = provider_flex_report(api_reader(req), from, to, clock_now(), &out);
	else if (rc == HAT_OK)
		rc = flex_report(api_reader(req), premises, from, to, clock_now(), &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "flexibility_report");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}
