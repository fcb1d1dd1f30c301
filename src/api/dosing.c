/*
** dosing.c: settings, prescriptions, the board, the session's steps,
** adverse events, reviews, and the dosing reads.
*/
#include <string.h>

#include "api.h"
#include "cmd/board.h"
#include "cmd/clinical.h"
#include "cmd/premises.h"
#include "cmd/prescriptions.h"
#include "cmd/provider.h"
#include "cmd/settings.h"
#include "cmd/photos.h"
#include "cmd/visits.h"
#include "core/identity.h"
#include "util/clock.h"

enum hat_err api_settings_get(struct http_req *req)
{
	struct clinic_settings s;
	int64_t version;
	json_t *one = NULL;
	enum hat_err rc = premises_read(api_reader(req), req->path_id, &one);

	json_decref(one);
	if (rc == HAT_OK)
		rc = clinic_settings_load(api_reader(req), req->path_id, &s, &version);
	if (rc == HAT_OK)
		http_reply(req, 200, clinic_settings_json(&s, version));
	return rc;
}

enum hat_err api_settings_put(struct http_req *req)
{
	return api_run(req, &clinic_settings_set);
}

enum hat_err api_induction_template(struct http_req *req)
{
	http_reply(req, 200, prescriptions_template_json());
	return HAT_OK;
}

enum hat_err api_prescriptions_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = prescriptions_list(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "prescriptions");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, json_pack("{s:o}", "prescriptions", out));
	return HAT_OK;
}

enum hat_err api_prescriptions_sign(struct http_req *req)
{
	return api_run(req, &prescriptions_sign);
}

enum hat_err api_prescriptions_get(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = prescriptions_read(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, json_integer_value(json_object_get(out, "patient_id")),
				    "prescription");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_prescriptions_stop(struct http_req *req)
{
	return api_run(req, &prescriptions_stop);
}

enum hat_err api_board(struct http_req *req)
{
	int64_t premises;
	json_t *out = NULL;
	enum hat_err rc = api_premises_param(req, &premises);

	if (rc == HAT_OK)
		rc = board_today(api_reader(req), premises, clock_now(), &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "dosing_board");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

/* ?premises_id=&date=YYYY-MM-DD&window=N: the handover of one session,
** by default the window open now (or the day's last one to have begun). */
enum hat_err api_session_summary(struct http_req *req)
{
	struct clinic_settings s;
	int64_t premises, version, window = -1;
	int64_t now = clock_now();
	struct clock_local l;
	const char *d = http_query(req, "date");
	const char *w = http_query(req, "window");
	int32_t date;
	json_t *out = NULL;
	enum hat_err rc = api_premises_param(req, &premises);

	clock_to_local(now, &l);
	date = l.date;
	if (rc == HAT_OK && d && clock_parse_date(d, &date) != HAT_OK) {
		req->err_field = "date";
		rc = HAT_E_INVALID_DATE;
	}
	if (rc == HAT_OK)
		rc = clinic_settings_load(api_reader(req), premises, &s, &version);
	if (rc == HAT_OK && w && !str_to_int64(w, 0, s.window_count - 1, &window)) {
		req->err_field = "window";
		rc = HAT_E_INVALID_QUERY;
	}
	/* The default: the latest window of the day to have begun. */
	for (int32_t i = 0; rc == HAT_OK && !w && i < s.window_count; i++) {
		if (date < l.date || s.windows[i].start_minute <= l.minute_of_day)
			window = i;
	}
	if (rc == HAT_OK && window < 0)
		window = 0;
	if (rc == HAT_OK)
		rc = board_session_summary(api_reader(req), premises, date, (int32_t)window, now, &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "session_summary");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_dose_due(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = visits_dose_due(api_reader(req), req->path_id, clock_now(), &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "dose_due");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_dosing_history(struct http_req *req)
{
	int32_t from, to;
	json_t *out = NULL;
	json_t *one = NULL;
	enum hat_err rc = api_date_range(req, 14, &from, &to);

	if (rc == HAT_OK && to - from > 366) {
		req->err_field = "from";
		rc = HAT_E_OUT_OF_RANGE;
	}
	if (rc == HAT_OK)
		rc = store_query_json(api_reader(req), "SELECT id FROM patients WHERE id = ?", &one,
				      "i", req->path_id);
	if (rc == HAT_OK && json_array_size(one) == 0)
		rc = HAT_E_NOT_FOUND;
	json_decref(one);
	if (rc == HAT_OK)
		rc = board_history(api_reader(req), req->path_id, from, to, &out);
	if (rc == HAT_OK) {
		json_t *pending = NULL;

		/* The chart says which review the patient waits for, and why. */
		rc = board_review_pending(api_reader(req), req->path_id, clock_now(), &pending);
		if (rc == HAT_OK)
			json_object_set_new(out, "review_pending", pending);
	}
	if (rc == HAT_OK) {
		int64_t photos = 0;

		/* The chart shows the photograph beside the identity. */
		rc = store_query_int(api_reader(req), "SELECT count(*) FROM patient_photos"
						      " WHERE patient_id = ?", NULL, &photos, "i",
				     req->path_id);
		json_object_set_new(out, "has_photo", json_boolean(photos > 0));
	}
	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "dosing_history");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_attendance(struct http_req *req)
{
	int64_t premises, patient = 0;
	int32_t from, to;
	const char *p = http_query(req, "patient_id");
	json_t *out = NULL;
	enum hat_err rc = api_premises_scope(req, false, &premises);

	if (rc == HAT_OK)
		rc = api_date_range(req, 28, &from, &to);
	if (rc == HAT_OK && p && !str_to_int64(p, 1, INT64_MAX, &patient)) {
		req->err_field = "patient_id";
		rc = HAT_E_INVALID_QUERY;
	}
	/* premises_id=all: the provider's, each premises' beside the sums. */
	if (rc == HAT_OK && premises == 0)
		rc = provider_attendance(api_reader(req), patient, from, to, clock_now(), &out);
	else if (rc == HAT_OK)
		rc = board_attendance(api_reader(req), premises, patient, from, to, clock_now(), &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, patient, "attendance");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_visit_check_in(struct http_req *req)
{
	return api_run(req, &visits_check_in);
}

enum hat_err api_visit_assess(struct http_req *req)
{
	return api_run(req, &visits_assess);
}

enum hat_err api_visit_authorise(struct http_req *req)
{
	return api_run(req, &visits_authorise_reduced);
}

enum hat_err api_visit_administer(struct http_req *req)
{
	return api_run_witnessed(req, &visits_administer, VISITS_WITNESS_ROLES);
}

enum hat_err api_visit_oral(struct http_req *req)
{
	return api_run_witnessed(req, &visits_oral, VISITS_WITNESS_ROLES);
}

enum hat_err api_visit_postdose(struct http_req *req)
{
	return api_run(req, &visits_postdose);
}

enum hat_err api_visit_leave(struct http_req *req)
{
	return api_run(req, &visits_leave);
}

enum hat_err api_visit_withhold(struct http_req *req)
{
	return api_run(req, &visits_withhold);
}

enum hat_err api_visit_decline(struct http_req *req)
{
	return api_run(req, &visits_decline);
}

enum hat_err api_adverse_event(struct http_req *req)
{
	return api_run(req, &clinical_adverse_event);
}

enum hat_err api_review(struct http_req *req)
{
	return api_run(req, &clinical_review);
}

enum hat_err api_risk_discussion(struct http_req *req)
{
	return api_run(req, &clinical_risk_discussion);
}

enum hat_err api_photo_put(struct http_req *req)
{
	return api_run(req, &photos_set);
}

enum hat_err api_photo_withdraw(struct http_req *req)
{
	return api_run(req, &photos_withdraw);
}

/* The photograph itself, as an image; every read goes to the access log. */
enum hat_err api_photo_get(struct http_req *req)
{
	const char *type = NULL;
	enum hat_err rc;

	buf_init(&req->raw, IDENTITY_PHOTO_MAX_BYTES + 1);
	rc = photos_read(api_reader(req), req->path_id, &req->raw, &type);
	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "photo");
	if (rc != HAT_OK) {
		buf_free(&req->raw);
		return rc;
	}
	req->content_type = type;
	req->status = 200;
	return HAT_OK;
}
