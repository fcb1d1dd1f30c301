/*
** premises.c: see premises.h.
*/
#include "premises.h"

static const struct field create_fields[] = {
	{ "name", FT_STRING, true, 1, 120, NULL, false },
	{ "address", FT_STRING, true, 1, 500, NULL, false },
	FIELDS_END,
};

static const struct field update_fields[] = {
	{ "name", FT_STRING, false, 1, 120, NULL, false },
	{ "address", FT_STRING, false, 1, 500, NULL, false },
	FIELDS_END,
};

static const char sql_one[] =
	"SELECT id, name, address, created_at FROM premises WHERE id = ?";

enum hat_err premises_read(struct store_conn *c, int64_t id, json_t **out)
{
	return store_query_row_json(c, sql_one, out, "i", id);
}

enum hat_err premises_list(struct store_conn *c, json_t **out)
{
	return store_query_json(c, "SELECT id, name, address, created_at FROM premises ORDER BY id",
				out, "");
}

static enum hat_err finish(struct store_conn *conn, struct cmd *c, int64_t id,
			   json_t *before, int status)
{
	json_t *after = NULL;
	json_t *detail;
	enum hat_err rc = premises_read(conn, id, &after);

	if (rc != HAT_OK)
		return rc;
	detail = before ? json_pack("{s:O, s:O}", "before", before, "after", after)
			: json_incref(after);
	rc = cmd_audit(conn, c, "premises", id, detail);
	json_decref(detail);
	if (rc == HAT_OK)
		cmd_answer(c, status, after);
	else
		json_decref(after);
	return rc;
}

static enum hat_err run_create(struct store_conn *conn, struct cmd *c)
{
	enum hat_err rc = store_run(conn,
				    "INSERT INTO premises (name, address, created_at) VALUES (?, ?, ?)",
				    "tti", fields_str(c->input, "name", ""),
				    fields_str(c->input, "address", ""), c->now);

	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, HAT_E_CONFLICT, "name", "Premises of that name already exist.");
	if (rc != HAT_OK)
		return rc;
	return finish(conn, c, store_last_id(conn), NULL, 201);
}

static enum hat_err run_update(struct store_conn *conn, struct cmd *c)
{
	json_t *before = NULL;
	enum hat_err rc = premises_read(conn, c->target_id, &before);

	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn, "UPDATE premises SET name = coalesce(?, name),"
			     " address = coalesce(?, address) WHERE id = ?",
		       "tti", fields_str(c->input, "name", NULL),
		       fields_str(c->input, "address", NULL), c->target_id);
	if (rc == HAT_E_CONFLICT)
		rc = cmd_refuse(c, HAT_E_CONFLICT, "name", "Premises of that name already exist.");
	if (rc == HAT_OK)
		rc = finish(conn, c, c->target_id, before, 200);
	json_decref(before);
	return rc;
}

const struct cmd_def premises_create = {
	"premises.create", create_fields, POLICY_RULE(PREMISES_CREATE), run_create, NULL,
};
const struct cmd_def premises_update = {
	"premises.update", update_fields, POLICY_RULE(PREMISES_UPDATE), run_update, NULL,
};
