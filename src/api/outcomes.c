/*
** outcomes.c (api): outcome instruments and forms, goals, drug screens,
** progress, the keyworker's caseload, service-user accounts and the
** person's own view (/me).  Every read of a patient's outcomes goes to the
** access log before the data is sent; so does every read a service user
** makes of their own record.
*/
#include <string.h>

#include "api.h"
#include "cmd/goals.h"
#include "cmd/instruments.h"
#include "cmd/ndtms.h"
#include "cmd/outcomes.h"
#include "cmd/progress.h"
#include "cmd/report.h"
#include "cmd/screens.h"
#include "cmd/service_users.h"

/* Replies with out after logging the read of patient_id as what. */
static enum hat_err reply_logged(struct http_req *req, enum hat_err rc, int64_t patient_id,
				 const char *what, json_t *out)
{
	if (rc == HAT_OK)
		rc = api_log_access(req, patient_id, what);
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

static enum hat_err patient_exists(struct http_req *req, int64_t id)
{
	bool found;
	int64_t n = 0;
	enum hat_err rc = store_query_int(api_reader(req), "SELECT count(*) FROM patients WHERE id = ?",
					  &found, &n, "i", id);

	return rc == HAT_OK && n == 0 ? HAT_E_NOT_FOUND : rc;
}

/* ---- Instruments and settings ---- */

enum hat_err api_instruments_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = instruments_list(api_reader(req), clock_local_date(clock_now()), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "instruments", out));
	return rc;
}

enum hat_err api_instruments_define(struct http_req *req)
{
	return api_run(req, &instruments_define);
}

enum hat_err api_instruments_licence(struct http_req *req)
{
	return api_run(req, &instruments_licence);
}

enum hat_err api_instruments_switch(struct http_req *req)
{
	return api_run(req, &instruments_switch);
}

enum hat_err api_outcome_settings_get(struct http_req *req)
{
	struct outcomes_settings s;
	int64_t version;
	enum hat_err rc = outcomes_settings_load(api_reader(req), &s, &version);

	if (rc == HAT_OK)
		http_reply(req, 200, outcomes_settings_json(&s, version));
	return rc;
}

enum hat_err api_outcome_settings_put(struct http_req *req)
{
	return api_run(req, &outcomes_settings_set);
}

/* ---- Forms ---- */

enum hat_err api_outcomes_list(struct http_req *req)
{
	const char *all = http_query(req, "all");
	json_t *out = NULL;
	enum hat_err rc = patient_exists(req, req->path_id);

	if (rc == HAT_OK)
		rc = outcomes_forms_list(api_reader(req), req->path_id, all && strcmp(all, "1") == 0, &out);
	return reply_logged(req, rc, req->path_id, "outcomes",
			    rc == HAT_OK ? json_pack("{s:o}", "forms", out) : NULL);
}

enum hat_err api_outcomes_record(struct http_req *req)
{
	return api_run(req, &outcomes_record);
}

enum hat_err api_outcome_history(struct http_req *req)
{
	json_t *out = NULL;
	int64_t patient = 0;
	enum hat_err rc = outcomes_form_history(api_reader(req), req->path_id, &patient, &out);

	return reply_logged(req, rc, patient, "outcome_history",
			    rc == HAT_OK ? json_pack("{s:o}", "revisions", out) : NULL);
}

enum hat_err api_outcome_revise(struct http_req *req)
{
	return api_run(req, &outcomes_revise);
}

enum hat_err api_outcome_error(struct http_req *req)
{
	return api_run(req, &outcomes_error);
}

enum hat_err api_caseload(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = outcomes_worklist(api_reader(req), clock_local_date(clock_now()), &out);

	return reply_logged(req, rc, 0, "caseload",
			    rc == HAT_OK ? json_pack("{s:o}", "patients", out) : NULL);
}

enum hat_err api_progress(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = progress_build(api_reader(req), req->path_id, clock_now(), false, &out);

	return reply_logged(req, rc, req->path_id, "progress", out);
}

/* ---- Goals ---- */

enum hat_err api_goals_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = patient_exists(req, req->path_id);

	if (rc == HAT_OK)
		rc = goals_list(api_reader(req), req->path_id, &out);
	return reply_logged(req, rc, req->path_id, "goals",
			    rc == HAT_OK ? json_pack("{s:o}", "goals", out) : NULL);
}

enum hat_err api_goals_create(struct http_req *req)
{
	return api_run(req, &goals_create);
}

enum hat_err api_goal_event(struct http_req *req)
{
	return api_run(req, &goals_event);
}

/* ---- Drug screens ---- */

enum hat_err api_screens_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = patient_exists(req, req->path_id);

	if (rc == HAT_OK)
		rc = screens_list(api_reader(req), req->path_id, clock_local_date(clock_now()), &out);
	return reply_logged(req, rc, req->path_id, "drug_screens", out);
}

enum hat_err api_screens_record(struct http_req *req)
{
	return api_run(req, &screens_record);
}

enum hat_err api_screen_error(struct http_req *req)
{
	return api_run(req, &screens_error);
}

enum hat_err api_screen_analytes(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = screens_analytes(api_reader(req), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "analytes", out));
	return rc;
}

/* ---- Service-user accounts ---- */

enum hat_err api_service_users_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = patient_exists(req, req->path_id);

	if (rc == HAT_OK)
		rc = service_users_list(api_reader(req), req->path_id, &out);
	return reply_logged(req, rc, req->path_id, "service_user_accounts",
			    rc == HAT_OK ? json_pack("{s:o}", "accounts", out) : NULL);
}

enum hat_err api_service_users_open(struct http_req *req)
{
	return api_run(req, &service_users_open);
}

enum hat_err api_service_users_close(struct http_req *req)
{
	return api_run(req, &service_users_close);
}

/* ---- The person's own view ---- */

/* The caller's own patient: the only record a service user reaches. */
static enum hat_err own_patient(struct http_req *req, int64_t *patient)
{
	return service_users_patient(api_reader(req), api_who(req)->user_id, patient);
}

enum hat_err api_me_progress(struct http_req *req)
{
	int64_t patient;
	json_t *out = NULL;
	enum hat_err rc = own_patient(req, &patient);

	if (rc == HAT_OK)
		rc = progress_build(api_reader(req), patient, clock_now(), true, &out);
	return reply_logged(req, rc, patient, "own_progress", out);
}

enum hat_err api_me_goals(struct http_req *req)
{
	int64_t patient;
	json_t *out = NULL;
	enum hat_err rc = own_patient(req, &patient);

	if (rc == HAT_OK)
		rc = goals_list(api_reader(req), patient, &out);
	return reply_logged(req, rc, patient, "own_goals",
			    rc == HAT_OK ? json_pack("{s:o}", "goals", out) : NULL);
}

enum hat_err api_me_goal_create(struct http_req *req)
{
	int64_t patient;
	enum hat_err rc = own_patient(req, &patient);

	if (rc != HAT_OK)
		return rc;
	/* The command's target is the person's own record, never a path's. */
	req->path_id = patient;
	return api_run(req, &goals_create);
}

enum hat_err api_me_notes(struct http_req *req)
{
	int64_t patient;
	json_t *out = NULL;
	enum hat_err rc = own_patient(req, &patient);

	if (rc == HAT_OK)
		rc = service_users_notes(api_reader(req), patient, &out);
	return reply_logged(req, rc, patient, "own_notes",
			    rc == HAT_OK ? json_pack("{s:o}", "notes", out) : NULL);
}

enum hat_err api_me_note_create(struct http_req *req)
{
	return api_run(req, &service_users_note);
}

enum hat_err api_outcomes_report(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = api_provider_only(req);

	if (rc == HAT_OK)
		rc = report_outcomes(api_reader(req), clock_now(), &out);

	return reply_logged(req, rc, 0, "outcomes_report", out);
}

enum hat_err api_ndtms_record(struct http_req *req)
{
	return api_run(req, &ndtms_record);
}

enum hat_err api_ndtms_export(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = api_provider_only(req);

	if (rc == HAT_OK)
		rc = ndtms_export(api_reader(req), &out);

	return reply_logged(req, rc, 0, "ndtms_export", out);
}

enum hat_err api_ndtms_modality(struct http_req *req)
{
	return api_run(req, &ndtms_modality);
}

enum hat_err api_ndtms_read(struct http_req *req)
{
	json_t *out = NULL;
	int64_t patient = 0;
	enum hat_err rc = ndtms_episode_read(api_reader(req), req->path_id, &patient, &out);

	return reply_logged(req, rc, patient, "ndtms_details", out);
}
