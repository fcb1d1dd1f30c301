/*
** users.c: see users.h.
*/
#include <string.h>

#include "users.h"
#include "auth/premises.h"
#include "core/duties.h"

static const char *const role_choices[] = {
	"prescriber", "nurse", "pharmacist", "keyworker",
	"manager", "cdao", "auditor", "admin", NULL,
};

static const struct field create_fields[] = {
	{ "username", FT_STRING, true, 3, 64, NULL, false },
	{ "display_name", FT_STRING, true, 1, 120, NULL, false },
	{ "password", FT_STRING, true, 0, 1024, NULL, false },
	{ "roles", FT_ENUMS, true, 1, 0, role_choices, false },
	{ "confirmer", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field update_fields[] = {
	{ "display_name", FT_STRING, false, 1, 120, NULL, false },
	/* May be empty for someone who holds roles at some premises only
	** (premises_roles.c); run_update checks. */
	{ "roles", FT_ENUMS, false, 0, 0, role_choices, false },
	{ "disabled", FT_BOOL, false, 0, 0, NULL, false },
	{ "confirmer", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field password_fields[] = {
	{ "password", FT_STRING, true, 0, 1024, NULL, false },
	{ "current_password", FT_STRING, false, 1, 1024, NULL, false },
	FIELDS_END,
};

static const struct field licence_fields[] = {
	{ "licence_number", FT_STRING, true, 1, 64, NULL, false },
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "expires_on", FT_DATE, true, 0, 0, NULL, false },
	{ "confirmer", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

/* Usernames are what people type at a shared tablet: keep them plain. */
static bool username_ok(const char *s)
{
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	}
	return true;
}

static enum hat_err prepare_password(struct cmd *c)
{
	enum hat_err rc = auth_password_hash(fields_str(c->input, "password", ""), c->prepared);

	if (rc == HAT_E_WEAK_PASSWORD)
		c->err_field = "password";
	return rc;
}

static unsigned roles_mask(json_t *roles)
{
	unsigned mask = 0;
	size_t i;
	json_t *r;

	json_array_foreach(roles, i, r)
		mask |= auth_role_parse(json_string_value(r));
	return mask;
}

/* Separation of duties (core/duties.c): the confirmer arrives as
** c->witness_id, its password already checked by the caller; here, inside
** the transaction, its roles and state are read again. */
enum hat_err users_check_grant(struct store_conn *conn, struct cmd *c, int64_t target,
				unsigned before, unsigned after, bool licence)
{
	struct duties_grant g = { 0 };
	int64_t disabled = 1;
	bool found = false;
	enum hat_err rc = HAT_OK;

	g.actor_id = c->anonymous ? -1 : c->actor_id;
	g.target_id = target;
	g.roles_before = before;
	g.roles_after = after;
	g.licence = licence;
	g.confirmed_roles = POLICY_CONFIRMED_ROLES;
	g.confirming_roles = policy_rules[POLICY_USER_CONFIRM_GRANT].roles;
	g.confirmer_id = c->witness_id;
	if (g.confirmer_id) {
		rc = store_query_int(conn, "SELECT disabled FROM users WHERE id = ?", &found,
				     &disabled, "i", g.confirmer_id);
		if (rc == HAT_OK && found)
			rc = auth_user_roles(conn, g.confirmer_id, &g.confirmer_roles);
		if (rc != HAT_OK)
			return rc;
		g.confirmer_active = found && !disabled;
	}
	rc = duties_check_grant(&g);
	if (rc == HAT_E_SELF_GRANT)
		return cmd_refuse(c, rc, licence ? NULL : "roles", NULL);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "confirmer", NULL);
	return HAT_OK;
}

/* The audit event names the confirmer when there was one. */
void users_note_confirmer(json_t *detail, const struct cmd *c)
{
	if (detail && c->witness_id)
		json_object_set_new(detail, "confirmed_by", json_integer(c->witness_id));
}

static enum hat_err set_roles(struct store_conn *conn, int64_t user_id, json_t *roles)
{
	size_t i;
	json_t *r;
	enum hat_err rc;

	rc = store_run(conn, "DELETE FROM user_roles WHERE user_id = ?", "i", user_id);
	json_array_foreach(roles, i, r) {
		if (rc != HAT_OK)
			break;
		rc = store_run(conn, "INSERT INTO user_roles (user_id, role) VALUES (?, ?)",
			       "it", user_id, json_string_value(r));
	}
	return rc;
}

static enum hat_err run_create(struct store_conn *conn, struct cmd *c)
{
	const char *username = fields_str(c->input, "username", "");
	json_t *detail;
	json_t *out;
	enum hat_err rc;
	int64_t id;

	if (!username_ok(username))
		return cmd_refuse(c, HAT_E_INVALID_VALUE, "username",
				  "A username may hold only a-z, 0-9, '.', '_' and '-'.");
	rc = users_check_grant(conn, c, 0, 0, roles_mask(json_object_get(c->input, "roles")), false);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO users (username, display_name, password_hash, created_at)"
		       " VALUES (?, ?, ?, ?)",
		       "ttti", username, fields_str(c->input, "display_name", ""), c->prepared,
		       c->now);
	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, HAT_E_USERNAME_TAKEN, "username", NULL);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = set_roles(conn, id, json_object_get(c->input, "roles"));
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:s, s:s, s:O}", "username", username, "display_name",
			   fields_str(c->input, "display_name", ""), "roles",
			   json_object_get(c->input, "roles"));
	users_note_confirmer(detail, c);
	rc = cmd_audit(conn, c, "user", id, detail);
	json_decref(detail);
	if (rc != HAT_OK)
		return rc;
	rc = users_read(conn, id, &out);
	if (rc == HAT_OK)
		cmd_answer(c, 201, out);
	return rc;
}

/* Refuses a change that would leave no active administrator: an empty
** admin list would lock everyone out of account management. */
static enum hat_err check_admins_remain(struct store_conn *conn, struct cmd *c)
{
	int64_t n = 0;
	enum hat_err rc;

	rc = store_query_int(conn,
			     "SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id"
			     " WHERE r.role = 'admin' AND u.disabled = 0",
			     NULL, &n, "");
	if (rc != HAT_OK)
		return rc;
	return n > 0 ? HAT_OK : cmd_refuse(c, HAT_E_LAST_ADMIN, NULL, NULL);
}

/* No global role is left only for someone holding a role at some premises:
** an account with no role at all is made by disabling it. */
static enum hat_err check_some_role(struct store_conn *conn, struct cmd *c)
{
	int64_t n = 0;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM user_premises_roles"
					       " WHERE user_id = ?", NULL, &n, "i", c->target_id);

	if (rc == HAT_OK && n == 0)
		rc = cmd_refuse(c, HAT_E_MISSING_FIELD, "roles",
				"A person needs a role: at every premises, or at some of them.");
	return rc;
}

static enum hat_err run_update(struct store_conn *conn, struct cmd *c)
{
	json_t *before = NULL;
	json_t *after = NULL;
	json_t *detail = NULL;
	unsigned roles_before = 0;
	enum hat_err rc;
	json_t *v;

	rc = users_read(conn, c->target_id, &before);
	if (rc == HAT_OK)
		rc = auth_user_roles(conn, c->target_id, &roles_before);
	v = json_object_get(c->input, "roles");
	if (rc == HAT_OK && v && json_array_size(v) == 0)
		rc = check_some_role(conn, c);
	if (rc == HAT_OK)
		rc = users_check_grant(conn, c, c->target_id, roles_before,
				 v ? roles_mask(v) : roles_before, false);
	if (rc != HAT_OK) {
		json_decref(before);
		return rc;
	}
	v = json_object_get(c->input, "display_name");
	if (v)
		rc = store_run(conn, "UPDATE users SET display_name = ?, version = version + 1"
				     " WHERE id = ?", "ti", json_string_value(v), c->target_id);
	v = json_object_get(c->input, "roles");
	if (rc == HAT_OK && v)
		rc = set_roles(conn, c->target_id, v);
	v = json_object_get(c->input, "disabled");
	if (rc == HAT_OK && v) {
		rc = store_run(conn, "UPDATE users SET disabled = ?, version = version + 1"
				     " WHERE id = ?", "ii", (int64_t)json_is_true(v), c->target_id);
		/* A disabled account's sessions end now, not at their expiry. */
		if (rc == HAT_OK && json_is_true(v))
			rc = store_run(conn, "UPDATE sessions SET revoked_at = ?"
					     " WHERE user_id = ? AND revoked_at IS NULL",
				       "ii", c->now, c->target_id);
	}
	if (rc == HAT_OK)
		rc = check_admins_remain(conn, c);
	if (rc == HAT_OK)
		rc = users_read(conn, c->target_id, &after);
	if (rc == HAT_OK) {
		detail = json_pack("{s:O, s:O}", "before", before, "after", after);
		users_note_confirmer(detail, c);
		rc = cmd_audit(conn, c, "user", c->target_id, detail);
	}
	if (rc == HAT_OK) {
		cmd_answer(c, 200, after);
		after = NULL;
	}
	json_decref(before);
	json_decref(after);
	json_decref(detail);
	return rc;
}

/* Ends every session of user_id but keep (a token hash, or NULL for all). */
static enum hat_err end_sessions(struct store_conn *conn, int64_t user_id, int64_t now,
				 const unsigned char *keep)
{
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(conn, "UPDATE sessions SET revoked_at = ?"
					      " WHERE user_id = ? AND revoked_at IS NULL"
					      " AND token_hash IS NOT ?", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", now, user_id);
	if (rc == HAT_OK)
		rc = keep ? store_bind_blob(s, 3, keep, AUTH_TOKEN_HASH_BYTES) : store_bind_null(s, 3);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	return rc;
}

/* Changing one's own password needs the current one (checked by the
** caller, off the writer); resetting someone else's is the admin's, and
** makes them choose their own at the next login.  Either way every other
** session of that person ends: whoever held one on the old password no
** longer does. */
static enum hat_err run_set_password(struct store_conn *conn, struct cmd *c)
{
	bool own = c->actor_id != 0 && c->actor_id == c->target_id;
	bool reset = c->actor_id != 0 && !own;
	enum hat_err rc;

	if (own && !c->reauthenticated)
		return cmd_refuse(c, HAT_E_MISSING_FIELD, "current_password",
				  "Changing your password needs your current one.");
	if (reset && !policy_allows(POLICY_RULE(USER_RESET_PASSWORD), c->actor_roles))
		return HAT_E_FORBIDDEN;
	/* A reset is for a password someone else may know: the PIN goes with
	** it, and its owner sets a new one after choosing their password. */
	rc = store_run(conn, "UPDATE users SET password_hash = ?, failed_logins = 0,"
			     " locked_until = NULL, must_change_password = ?,"
			     " pin_hash = CASE WHEN ? THEN NULL ELSE pin_hash END,"
			     " version = version + 1 WHERE id = ?",
		       "tiii", c->prepared, (int64_t)reset, (int64_t)reset, c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (store_changes(conn) == 0)
		return HAT_E_NOT_FOUND;
	rc = end_sessions(conn, c->target_id, c->now, own ? c->actor_session : NULL);
	if (rc == HAT_OK) {
		json_t *detail = json_pack("{s:s}", "kind", own ? "change" : "reset");

		rc = cmd_audit(conn, c, "user", c->target_id, detail);
		json_decref(detail);
	}
	if (rc == HAT_OK)
		cmd_answer(c, 200, json_pack("{s:I, s:b}", "id", (json_int_t)c->target_id,
					     "password_changed", 1));
	return rc;
}

static enum hat_err run_add_licence(struct store_conn *conn, struct cmd *c)
{
	json_t *detail;
	unsigned roles;
	bool found;
	int64_t n;
	enum hat_err rc;
	json_t *out;

	/* A missing user holds no roles: tell them apart, so that a wrong id
	** is a 404 rather than "not a prescriber". */
	rc = store_query_int(conn, "SELECT 1 FROM users WHERE id = ?", &found, &n, "i",
			     c->target_id);
	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT 1 FROM premises WHERE id = ?", &found, &n, "i",
				     fields_int(c->input, "premises_id", 0));
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	/* The prescriber's role held at these premises (or at every one). */
	rc = auth_roles_at(conn, c->target_id, fields_int(c->input, "premises_id", 0), &roles);
	if (rc != HAT_OK)
		return rc;
	if (!(roles & ROLE_PRESCRIBER))
		return cmd_refuse(c, HAT_E_NOT_PRESCRIBER, NULL,
				  "A Home Office licence belongs on the profile of a prescriber at"
				  " these premises.");
	rc = users_check_grant(conn, c, c->target_id, roles, roles, true);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO prescriber_licences (user_id, licence_number, premises_id,"
		       " expires_on, created_at, confirmed_by) VALUES (?, ?, ?, ?, ?, ?)",
		       "itiiiI", c->target_id, fields_str(c->input, "licence_number", ""),
		       fields_int(c->input, "premises_id", 0),
		       (int64_t)fields_date(c->input, "expires_on", 0), c->now,
		       c->witness_id ? c->witness_id : INT64_MIN);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:I, s:s, s:I, s:s}", "user_id", (json_int_t)c->target_id,
			   "licence_number", fields_str(c->input, "licence_number", ""),
			   "premises_id", (json_int_t)fields_int(c->input, "premises_id", 0),
			   "expires_on", fields_str(c->input, "expires_on", ""));
	if (!detail)
		return HAT_E_NOMEM;
	users_note_confirmer(detail, c);
	rc = cmd_audit(conn, c, "prescriber_licence", store_last_id(conn), detail);
	json_decref(detail);
	if (rc != HAT_OK)
		return rc;
	rc = users_read(conn, c->target_id, &out);
	if (rc == HAT_OK)
		cmd_answer(c, 201, out);
	return rc;
}

const struct cmd_def users_create = {
	"user.create", create_fields, POLICY_RULE(USER_CREATE), run_create, prepare_password,
};
const struct cmd_def users_update = {
	"user.update", update_fields, POLICY_RULE(USER_UPDATE), run_update, NULL,
};
const struct cmd_def users_set_password = {
	"user.set_password", password_fields, POLICY_RULE(USER_PASSWORD), run_set_password, prepare_password,
};
const struct cmd_def users_add_licence = {
	"user.add_licence", licence_fields, POLICY_RULE(USER_LICENCE), run_add_licence, NULL,
};

/* Sets user's "premises_roles": the roles held at one premises. */
static enum hat_err set_premises_roles(struct store_conn *c, int64_t id, json_t *user)
{
	json_t *rows = NULL;
	enum hat_err rc = store_query_json(c,
					   "SELECT r.premises_id, p.name AS premises, r.role, r.granted_at,"
					   " r.granted_by, r.confirmed_by FROM user_premises_roles r"
					   " JOIN premises p ON p.id = r.premises_id"
					   " WHERE r.user_id = ? ORDER BY r.premises_id, r.role",
					   &rows, "i", id);

	if (rc == HAT_OK && json_object_set_new(user, "premises_roles", rows) != 0)
		rc = HAT_E_NOMEM;
	return rc;
}

enum hat_err users_read(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *user = NULL;
	json_t *lic = NULL;
	unsigned roles;
	enum hat_err rc;

	rc = store_query_row_json(c,
				  "SELECT id, username, display_name, disabled AS is_disabled,"
				  " must_change_password,"
				  " created_at FROM users WHERE id = ?",
				  &user, "i", id);
	if (rc != HAT_OK)
		return rc;
	json_object_set_new(user, "must_change_password",
			    json_boolean(json_integer_value(json_object_get(user,
									    "must_change_password"))));
	rc = auth_user_roles(c, id, &roles);
	if (rc == HAT_OK && json_object_set_new(user, "roles", auth_roles_json(roles)) != 0)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK) {
		rc = store_query_json(c,
				      "SELECT l.id, l.licence_number, l.premises_id, p.name AS premises,"
				      " l.expires_on, l.confirmed_by FROM prescriber_licences l"
				      " JOIN premises p ON p.id = l.premises_id"
				      " WHERE l.user_id = ? ORDER BY l.id",
				      &lic, "i", id);
	}
	if (rc != HAT_OK) {
		json_decref(user);
		return rc;
	}
	if (json_object_set_new(user, "licences", lic) != 0) {
		json_decref(user);
		return HAT_E_NOMEM;
	}
	rc = set_premises_roles(c, id, user);
	if (rc != HAT_OK) {
		json_decref(user);
		return rc;
	}
	*out = user;
	return HAT_OK;
}

enum hat_err users_list(struct store_conn *c, json_t **out)
{
	json_t *rows = NULL;
	size_t i;
	json_t *u;
	unsigned roles;
	enum hat_err rc;

	rc = store_query_json(c,
			      "SELECT id, username, display_name, disabled AS is_disabled,"
			      " created_at FROM users ORDER BY username",
			      &rows, "");
	if (rc != HAT_OK)
		return rc;
	json_array_foreach(rows, i, u) {
		rc = auth_user_roles(c, json_integer_value(json_object_get(u, "id")), &roles);
		if (rc != HAT_OK) {
			json_decref(rows);
			return rc;
		}
		if (json_object_set_new(u, "roles", auth_roles_json(roles)) != 0) {
			json_decref(rows);
			return HAT_E_NOMEM;
		}
		rc = set_premises_roles(c, json_integer_value(json_object_get(u, "id")), u);
		if (rc != HAT_OK) {
			json_decref(rows);
			return rc;
		}
	}
	*out = rows;
	return HAT_OK;
}

enum hat_err users_find(struct store_conn *c, const char *username, int64_t *id)
{
	bool found;
	enum hat_err rc = store_query_int(c, "SELECT id FROM users WHERE username = ?", &found,
					  id, "t", username);

	if (rc == HAT_OK && !found)
		return HAT_E_NOT_FOUND;
	return rc;
}
