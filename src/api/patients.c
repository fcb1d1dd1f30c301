/*
** patients.c: patients and their treatment episodes.  Every read of a
** patient's record (and of a list of patients) goes to the access log
** before the data is sent.
*/
#include <stdio.h>

#include "api.h"
#include "cmd/patients.h"

enum hat_err api_patients_list(struct http_req *req)
{
	const struct policy_rule *rule = req->route->policy;
	int64_t limit, offset, viewer = 0;
	char roles[160] = ",";
	json_t *out = NULL;
	enum hat_err rc = api_paging(req, &limit, &offset);

	/* Staff whose role is held at some premises only see those premises'
	** patients. */
	if (rc == HAT_OK && api_premises_allowed(req, 0) != HAT_OK) {
		size_t n = 1;

		viewer = api_who(req)->user_id;
		for (unsigned bit = 1; bit <= ROLE_ADMIN && n < sizeof roles; bit <<= 1) {
			if (rule->roles & bit)
				n += (size_t)snprintf(roles + n, sizeof roles - n, "%s,",
						      auth_role_name(bit));
		}
	}
	if (rc == HAT_OK)
		rc = patients_list(api_reader(req), http_query(req, "q"), viewer, roles, limit,
				   offset, &out);
	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "patient_list");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, json_pack("{s:o, s:I, s:I}", "patients", out, "limit",
				       (json_int_t)limit, "offset", (json_int_t)offset));
	return HAT_OK;
}

enum hat_err api_patients_get(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = patients_read(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		rc = api_log_access(req, req->path_id, "patient_record");
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	http_reply(req, 200, out);
	return HAT_OK;
}

enum hat_err api_patients_create(struct http_req *req)
{
	return api_run(req, &patients_create);
}

enum hat_err api_patients_update(struct http_req *req)
{
	return api_run(req, &patients_update);
}

enum hat_err api_episodes_open(struct http_req *req)
{
	return api_run(req, &episodes_open);
}

enum hat_err api_episodes_update(struct http_req *req)
{
	return api_run(req, &episodes_update);
}

enum hat_err api_discharge_reason_set(struct http_req *req)
{
	return api_run(req, &patients_discharge_reason_set);
}

enum hat_err api_discharge_reasons(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = patients_discharge_reasons(api_reader(req), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "discharge_reasons", out));
	return rc;
}
