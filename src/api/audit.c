/*
** audit.c: the audit chain and the access log, for auditors (read-only).
**
** Both logs name who did what to whose record, so reading them is itself
** written to the access log, before the rows are read: no read goes
** unrecorded.
*/
#include "api.h"

static enum hat_err after_and_limit(struct http_req *req, int64_t *after, int64_t *limit)
{
	const char *v = http_query(req, "after");
	int64_t offset;
	enum hat_err rc = api_paging(req, limit, &offset);

	*after = 0;
	if (rc == HAT_OK && v && !str_to_int64(v, 0, INT64_MAX, after)) {
		req->err_field = "after";
		rc = HAT_E_INVALID_QUERY;
	}
	return rc;
}

enum hat_err api_audit_list(struct http_req *req)
{
	int64_t after, limit;
	json_t *out = NULL;
	enum hat_err rc = after_and_limit(req, &after, &limit);

	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "audit log");
	if (rc == HAT_OK)
		rc = store_query_json(api_reader(req),
				      "SELECT e.seq, e.at AS recorded_at, e.actor_id, u.username AS actor,"
				      " e.action, e.entity, e.entity_id, e.detail, hex(e.hash) AS hash"
				      " FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id"
				      " WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
				      &out, "ii", after, limit);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "events", out));
	return rc;
}

enum hat_err api_access_log_list(struct http_req *req)
{
	int64_t after, limit;
	json_t *out = NULL;
	enum hat_err rc = after_and_limit(req, &after, &limit);

	if (rc == HAT_OK)
		rc = api_log_access(req, 0, "access log");
	if (rc == HAT_OK)
		rc = store_query_json(api_reader(req),
				      "SELECT a.id, a.at AS read_at, a.user_id, u.username, a.patient_id,"
				      " a.what, a.why FROM access_log a JOIN users u ON u.id = a.user_id"
				      " WHERE a.id > ? ORDER BY a.id LIMIT ?",
				      &out, "ii", after, limit);
	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "access_log", out));
	return rc;
}
