/*
** service_users.c: see service_users.h.
*/
#include <string.h>

#include "auth/policy.h"
#include "service_users.h"

static const struct field open_fields[] = {
	{ "username", FT_STRING, true, 3, 60, NULL, false },
	{ "display_name", FT_STRING, true, 1, 120, NULL, false },
	{ "password", FT_STRING, true, 0, 1024, NULL, false },
	{ "consent", FT_STRING, true, 1, 1000, NULL, false },
	FIELDS_END,
};

static const struct field close_fields[] = {
	{ "reason", FT_STRING, true, 1, 1000, NULL, false },
	FIELDS_END,
};

static const struct field note_fields[] = {
	{ "feeling", FT_INT, false, 1, 5, NULL, false },
	{ "text", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

enum hat_err service_users_patient(struct store_conn *c, int64_t user_id, int64_t *patient_id)
{
	bool found;
	enum hat_err rc = store_query_int(c,
		"SELECT a.patient_id FROM service_user_accounts a WHERE a.user_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM service_user_closures x WHERE x.account_id = a.id)",
		&found, patient_id, "i", user_id);

	return rc == HAT_OK && !found ? HAT_E_NOT_FOUND : rc;
}

enum hat_err service_users_gate(struct store_conn *c, const struct cmd *cmd, int64_t patient_id,
				bool *by_self)
{
	int64_t own;
	enum hat_err rc;

	*by_self = false;
	if (!(cmd->actor_roles & ROLE_SERVICE_USER) || (cmd->actor_roles & ROLE_ANY))
		return HAT_OK;
	rc = service_users_patient(c, cmd->actor_id, &own);
	if (rc != HAT_OK)
		return rc;
	if (own != patient_id)
		return HAT_E_NOT_FOUND;
	*by_self = true;
	return HAT_OK;
}

/* Usernames are typed on a phone: keep them plain, as staff ones are. */
static bool username_ok(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-'))
			return false;
	}
	return true;
}

static enum hat_err prepare_open(struct cmd *c)
{
	enum hat_err rc = auth_password_hash(fields_str(c->input, "password", ""), c->prepared);

	if (rc == HAT_E_WEAK_PASSWORD)
		c->err_field = "password";
	return rc;
}

static enum hat_err run_open(struct store_conn *conn, struct cmd *c)
{
	const char *username = fields_str(c->input, "username", "");
	int64_t n = 0, user_id, account_id;
	bool found;
	json_t *d;
	enum hat_err rc;

	if (!username_ok(username))
		return cmd_refuse(c, HAT_E_INVALID_VALUE, "username",
				  "A username may hold only a-z, 0-9, '.', '_' and '-'.");
	rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?", &found, &n, "i",
			     c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return HAT_E_NOT_FOUND;
	rc = store_query_int(conn,
		"SELECT count(*) FROM service_user_accounts a WHERE a.patient_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM service_user_closures x WHERE x.account_id = a.id)",
		&found, &n, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (n > 0)
		return cmd_refuse(c, HAT_E_HAS_ACCOUNT, NULL, NULL);
	rc = store_run(conn, "INSERT INTO users (username, display_name, password_hash, created_at)"
			     " VALUES (?, ?, ?, ?)",
		       "ttti", username, fields_str(c->input, "display_name", ""), c->prepared, c->now);
	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, HAT_E_USERNAME_TAKEN, "username", NULL);
	if (rc != HAT_OK)
		return rc;
	user_id = store_last_id(conn);
	rc = store_run(conn, "INSERT INTO service_user_accounts (user_id, patient_id, consent,"
			     " opened_by, opened_at) VALUES (?, ?, ?, ?, ?)",
		       "iitii", user_id, c->target_id, fields_str(c->input, "consent", ""),
		       c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	account_id = store_last_id(conn);
	d = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s}", "account_id", (json_int_t)account_id,
		      "user_id", (json_int_t)user_id, "patient_id", (json_int_t)c->target_id,
		      "username", username, "display_name", fields_str(c->input, "display_name", ""),
		      "consent", fields_str(c->input, "consent", ""));
	return cmd_audit_answer(conn, c, "service_user_account", account_id, d, 201);
}

static enum hat_err run_close(struct store_conn *conn, struct cmd *c)
{
	int64_t user_id = 0, n = 0;
	bool found;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT user_id FROM service_user_accounts WHERE id = ?",
					  &found, &user_id, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = store_query_int(conn, "SELECT count(*) FROM service_user_closures WHERE account_id = ?",
			     &found, &n, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (n > 0)
		return cmd_refuse(c, HAT_E_CONFLICT, NULL, "This account is already closed.");
	rc = store_run(conn, "INSERT INTO service_user_closures (account_id, reason, by_id, at)"
			     " VALUES (?, ?, ?, ?)",
		       "itii", c->target_id, fields_str(c->input, "reason", ""), c->actor_id, c->now);
	if (rc == HAT_OK)
		rc = store_run(conn, "UPDATE users SET disabled = 1, version = version + 1 WHERE id = ?",
			       "i", user_id);
	if (rc == HAT_OK)
		rc = store_run(conn, "UPDATE sessions SET revoked_at = ? WHERE user_id = ?"
				     " AND revoked_at IS NULL", "ii", c->now, user_id);
	if (rc != HAT_OK)
		return rc;
	d = json_pack("{s:I, s:I, s:s, s:b}", "account_id", (json_int_t)c->target_id, "user_id",
		      (json_int_t)user_id, "reason", fields_str(c->input, "reason", ""), "closed", 1);
	return cmd_audit_answer(conn, c, "service_user_account", c->target_id, d, 200);
}

static enum hat_err run_note(struct store_conn *conn, struct cmd *c)
{
	int64_t patient;
	json_t *d;
	enum hat_err rc = service_users_patient(conn, c->actor_id, &patient);

	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn, "INSERT INTO self_notes (patient_id, user_id, feeling, text, at, local_date)"
			     " VALUES (?, ?, ?, ?, ?, ?)",
		       "iiItii", patient, c->actor_id, fields_int(c->input, "feeling", INT64_MIN),
		       fields_str(c->input, "text", ""), c->now, (int64_t)clock_local_date(c->now));
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "note_id", json_integer(store_last_id(conn)));
	return cmd_audit_answer(conn, c, "patient", patient, d, 201);
}

const struct cmd_def service_users_open = {
	"service_user.open", open_fields, POLICY_RULE(SERVICE_USER_ACCOUNT), run_open, prepare_open,
};
const struct cmd_def service_users_close = {
	"service_user.close", close_fields, POLICY_RULE(SERVICE_USER_ACCOUNT), run_close, NULL,
};
const struct cmd_def service_users_note = {
	"self.note", note_fields, POLICY_RULE(SELF), run_note, NULL,
};

enum hat_err service_users_list(struct store_conn *c, int64_t patient_id, json_t **out)
{
	return store_query_json(c,
		"SELECT a.id, a.user_id, u.username, u.display_name, a.consent, a.opened_at,"
		" (SELECT display_name FROM users o WHERE o.id = a.opened_by) AS opened_by,"
		" x.at AS closed_at, x.reason AS closed_reason"
		" FROM service_user_accounts a JOIN users u ON u.id = a.user_id"
		" LEFT JOIN service_user_closures x ON x.account_id = a.id"
		" WHERE a.patient_id = ? ORDER BY a.id", out, "i", patient_id);
}

enum hat_err service_users_notes(struct store_conn *c, int64_t patient_id, json_t **out)
{
	return store_query_json(c,
		"SELECT id, feeling, text, at AS written_at, local_date AS written_on FROM self_notes"
		" WHERE patient_id = ? ORDER BY id DESC LIMIT 200", out, "i", patient_id);
}
