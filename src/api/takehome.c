/*
** takehome.c (api): take-home doses, staff contacts and guest dosing.
** Thin: each handler runs its command or read (cmd/takehome.h, cmd/guest.h).
*/
#include "api.h"
#include "cmd/guest.h"
#include "cmd/takehome.h"
#include "util/clock.h"

enum hat_err api_takehome_settings_get(struct http_req *req)
{
	struct takehome_setting s;
	int64_t version, n = 0;
	enum hat_err rc = store_query_int(api_reader(req), "SELECT count(*) FROM premises WHERE id = ?",
					  NULL, &n, "i", req->path_id);

	if (rc == HAT_OK && n == 0)
		rc = HAT_E_UNKNOWN_PREMISES;
	if (rc == HAT_OK)
		rc = takehome_setting_load(api_reader(req), req->path_id, &s, &version);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:I, s:b, s:s, s:i, s:i, s:I}", "premises_id",
					       (json_int_t)req->path_id, "enabled", s.enabled,
					       "rule_set", takehome_rule_set_name(s.rule_set),
					       "assessment_valid_days", (int)s.assessment_valid_days,
					       "review_days", (int)s.review_days, "version",
					       (json_int_t)version));
	return rc;
}

enum hat_err api_takehome_settings_put(struct http_req *req)
{
	return api_run(req, &takehome_settings_set);
}

enum hat_err api_takehome_status(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = takehome_status(api_reader(req), req->path_id, clock_now(), &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "take_home");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_takehome_assess(struct http_req *req)
{
	return api_run(req, &takehome_assess);
}

enum hat_err api_takehome_grant(struct http_req *req)
{
	return api_run(req, &takehome_grant);
}

enum hat_err api_takehome_review(struct http_req *req)
{
	return api_run(req, &takehome_review);
}

enum hat_err api_takehome_withdraw(struct http_req *req)
{
	return api_run(req, &takehome_withdraw);
}

enum hat_err api_takehome_supply(struct http_req *req)
{
	return api_run_witnessed(req, &takehome_supply, TAKEHOME_WITNESS_ROLES);
}

/* A loss has no witness to give; a return is denatured in front of one. */
enum hat_err api_takehome_return(struct http_req *req)
{
	if (json_object_get(req->body, "witness"))
		return api_run_witnessed(req, &takehome_return, TAKEHOME_WITNESS_ROLES);
	return api_run(req, &takehome_return);
}

enum hat_err api_contact_record(struct http_req *req)
{
	return api_run(req, &takehome_contact);
}

enum hat_err api_guest_authorise(struct http_req *req)
{
	return api_run(req, &guest_authorise);
}

/* ?premises_id=&date=YYYY-MM-DD (default today). */
enum hat_err api_guests_list(struct http_req *req)
{
	const char *day = http_query(req, "date");
	int32_t date = clock_local_date(clock_now());
	int64_t premises;
	json_t *out = NULL;
	enum hat_err rc = api_premises_param(req, &premises);

	if (rc == HAT_OK && day && clock_parse_date(day, &date) != HAT_OK) {
		req->err_field = "date";
		rc = HAT_E_INVALID_QUERY;
	}
	if (rc == HAT_OK)
		rc = guest_list(api_reader(req), premises, date, &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "guests");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}
