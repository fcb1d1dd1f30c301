/*
** premises.c: the clinic's premises.
*/
#include "api.h"
#include "cmd/premises.h"

enum hat_err api_premises_list(struct http_req *req)
{
	json_t *out = NULL;
	enum hat_err rc = premises_list(api_reader(req), &out);

	if (rc == HAT_OK)
		http_reply(req, 200, json_pack("{s:o}", "premises", out));
	return rc;
}

enum hat_err api_premises_create(struct http_req *req)
{
	return api_run(req, &premises_create);
}

enum hat_err api_premises_update(struct http_req *req)
{
	return api_run(req, &premises_update);
}
