/*
** users.c: staff accounts (admin) and prescriber licences.
*/
#include "api.h"
#include "cmd/users.h"

enum hat_err api_users_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = users_list(api_reader(req), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "users", out));
	return rc;
}

enum hat_err api_users_get(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = users_read(api_reader(req), req->path_id, &out);

	if (rc == HAT_OK)
		http_reply(req, 200, out);
	return rc;
}

enum hat_err api_users_create(struct http_req *req)
{
	return api_run_confirmed(req, &users_create);
}

enum hat_err api_users_update(struct http_req *req)
{
	return api_run_confirmed(req, &users_update);
}

enum hat_err api_users_password(struct http_req *req)
{
	return api_run_reauthenticated(req, &users_set_password);
}

enum hat_err api_users_licence(struct http_req *req)
{
	return api_run_confirmed(req, &users_add_licence);
}

/* A role held at one premises: given (a clinical one confirmed by a second
** person, as for a global role) or taken away. */
enum hat_err api_users_premises_role_grant(struct http_req *req)
{
	return api_run_confirmed(req, &users_grant_premises_role);
}

enum hat_err api_users_premises_role_revoke(struct http_req *req)
{
	return api_run(req, &users_revoke_premises_role);
}
