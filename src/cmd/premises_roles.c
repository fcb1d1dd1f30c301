/*
** premises_roles.c: giving and taking away a role held at one premises.
**
** A grant follows the rules of any grant (users_check_grant): nobody gives
** a role to themselves, and a clinical role or the manager's needs a
** manager or CDAO to confirm it.  The role counted as held before is the
** one held at those premises, globally or there, so the same role at other
** premises confirms nothing.  A revocation needs no confirmation: dropping a
** role gives no one anything.  Both are audited on the user, naming the
** premises and the role (and the confirmer).
*/
#include "users.h"
#include "auth/premises.h"

static const struct field fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "role", FT_STRING, true, 1, 32, NULL, false },
	{ "confirmer", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field revoke_fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "role", FT_STRING, true, 1, 32, NULL, false },
	FIELDS_END,
};

/* The user, the premises and the role named: each must exist, and the role
** be one held at one premises.  *disabled says whether the account is. */
static enum hat_err load_names(struct store_conn *conn, struct cmd *c, unsigned *role,
			       bool *disabled)
{
	bool found;
	int64_t v = 0;
	enum hat_err rc = store_query_int(conn, "SELECT disabled FROM users WHERE id = ?", &found,
					  &v, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	*disabled = v != 0;
	rc = store_query_int(conn, "SELECT id FROM premises WHERE id = ?", &found, &v, "i",
			     fields_int(c->input, "premises_id", 0));
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	*role = auth_role_parse(fields_str(c->input, "role", ""));
	if (!*role || *role == ROLE_SERVICE_USER)
		return cmd_refuse(c, HAT_E_UNKNOWN_ROLE, "role", NULL);
	if (!(*role & AUTH_PREMISES_ROLES))
		return cmd_refuse(c, HAT_E_ROLE_NOT_PER_PREMISES, "role", NULL);
	return HAT_OK;
}

static enum hat_err answer(struct store_conn *conn, struct cmd *c, json_t *detail)
{
	json_t *out = NULL;
	enum hat_err rc;

	if (!detail)
		return HAT_E_NOMEM;
	users_note_confirmer(detail, c);
	rc = cmd_audit(conn, c, "user", c->target_id, detail);
	json_decref(detail);
	if (rc == HAT_OK)
		rc = users_read(conn, c->target_id, &out);
	if (rc == HAT_OK)
		cmd_answer(c, 200, out);
	return rc;
}

static enum hat_err run_grant(struct store_conn *conn, struct cmd *c)
{
	int64_t premises = fields_int(c->input, "premises_id", 0);
	unsigned role = 0, before = 0;
	bool disabled = false;
	enum hat_err rc = load_names(conn, c, &role, &disabled);

	if (rc != HAT_OK)
		return rc;
	if (disabled)
		return cmd_refuse(c, HAT_E_USER_DISABLED, NULL, NULL);
	rc = auth_roles_at(conn, c->target_id, premises, &before);
	if (rc != HAT_OK)
		return rc;
	if (before & role)
		return cmd_refuse(c, HAT_E_ROLE_ALREADY_HELD, "role", NULL);
	rc = users_check_grant(conn, c, c->target_id, before, before | role, false);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO user_premises_roles (user_id, premises_id, role, granted_at,"
		       " granted_by, confirmed_by) VALUES (?, ?, ?, ?, ?, ?)",
		       "iitiII", c->target_id, premises, auth_role_name(role), c->now,
		       c->actor_id ? c->actor_id : INT64_MIN,
		       c->witness_id ? c->witness_id : INT64_MIN);
	if (rc != HAT_OK)
		return rc;
	return answer(conn, c, json_pack("{s:I, s:s}", "premises_id", (json_int_t)premises,
					 "role", auth_role_name(role)));
}

static enum hat_err run_revoke(struct store_conn *conn, struct cmd *c)
{
	int64_t premises = fields_int(c->input, "premises_id", 0);
	unsigned role = 0;
	bool disabled = false;
	enum hat_err rc = load_names(conn, c, &role, &disabled);

	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn, "DELETE FROM user_premises_roles"
			     " WHERE user_id = ? AND premises_id = ? AND role = ?",
		       "iit", c->target_id, premises, auth_role_name(role));
	if (rc != HAT_OK)
		return rc;
	if (store_changes(conn) == 0)
		return cmd_refuse(c, HAT_E_ROLE_NOT_HELD, "role", NULL);
	return answer(conn, c, json_pack("{s:I, s:s, s:b}", "premises_id", (json_int_t)premises,
					 "role", auth_role_name(role), "revoked", 1));
}

const struct cmd_def users_grant_premises_role = {
	"user.grant_premises_role", fields, POLICY_RULE(USER_UPDATE), run_grant, NULL,
};
const struct cmd_def users_revoke_premises_role = {
	"user.revoke_premises_role", revoke_fields, POLICY_RULE(USER_UPDATE), run_revoke, NULL,
};
