/*
** pins.c: see pins.h.
*/
#include <string.h>

#include <sodium.h>

#include "core/pin.h"
#include "pins.h"
#include "auth/premises.h"

static const struct field set_fields[] = {
	{ "pin", FT_STRING, true, 0, 64, NULL, false },
	{ "current_password", FT_STRING, false, 1, 1024, NULL, false },
	FIELDS_END,
};

/* The rules are checked here, before the slow hash, so that the person
** hears which rule their PIN breaks, with its numbers. */
static enum hat_err prepare_pin(struct cmd *c)
{
	const char *pin = fields_str(c->input, "pin", "");
	enum pin_fault f = pin_check(pin);

	if (f != PIN_OK) {
		c->err_field = "pin";
		str_copy(c->err_message, sizeof c->err_message, pin_fault_message(f));
		return HAT_E_WEAK_PIN;
	}
	return auth_pin_hash(pin, c->prepared);
}

/* Only one's own PIN, and only with one's current password (checked by the
** caller, off the writer): a PIN set by whoever found a session left open
** would let them witness as its owner. */
static enum hat_err run_set(struct store_conn *conn, struct cmd *c)
{
	int64_t had = 0;
	bool found = false;
	json_t *detail;
	enum hat_err rc;

	if (c->actor_id == 0 || c->actor_id != c->target_id)
		return HAT_E_FORBIDDEN;
	if (!c->reauthenticated)
		return cmd_refuse(c, HAT_E_MISSING_FIELD, "current_password",
				  "Setting your PIN needs your current password.");
	rc = store_query_int(conn, "SELECT pin_hash IS NOT NULL FROM users WHERE id = ?", &found,
			     &had, "i", c->actor_id);
	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_run(conn, "UPDATE users SET pin_hash = ?, pin_set_at = ?, pin_failures = 0,"
				     " pin_locked_until = NULL, version = version + 1 WHERE id = ?",
			       "tii", c->prepared, c->now, c->actor_id);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:s}", "pin", had ? "changed" : "set");
	rc = cmd_audit(conn, c, "user", c->actor_id, detail);
	json_decref(detail);
	if (rc == HAT_OK)
		cmd_answer(c, 200, json_pack("{s:I, s:b}", "id", (json_int_t)c->actor_id,
					     "has_pin", 1));
	return rc;
}

/* As a failed login counts against the account: a lock that has run its
** course starts the count again; one still in force is not lifted. */
static enum hat_err run_failed(struct store_conn *conn, struct cmd *c)
{
	int64_t failures = 0;
	int64_t locked_until = 0;
	bool found = false;
	bool locked;
	json_t *detail;
	enum hat_err rc;

	rc = store_query_int(conn, "SELECT pin_failures FROM users WHERE id = ?", &found,
			     &failures, "i", c->target_id);
	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT coalesce(pin_locked_until, 0) FROM users"
					   " WHERE id = ?", NULL, &locked_until, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (failures >= c->policy->lock_after && locked_until <= c->now)
		failures = 0;
	failures++;
	locked = failures >= c->policy->lock_after;
	if (locked)
		locked_until = c->now + c->policy->lock_s;
	rc = store_run(conn, "UPDATE users SET pin_failures = ?, pin_locked_until = ? WHERE id = ?",
		       "iIi", failures, locked_until ? locked_until : INT64_MIN, c->target_id);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:I, s:b}", "pin_failures", (json_int_t)failures, "pin_locked", locked);
	rc = cmd_audit(conn, c, "user", c->target_id, detail);
	json_decref(detail);
	return rc;
}

/* Housekeeping, like a login's reset of its count and a session's last
** use: no audit event.  A PIN typed on the device is its owner using the
** device, so their sessions there count as used now: otherwise a witness
** who signs by PIN all morning would drop off the device after the idle
** time of a session they never touch by its cookie. */
static enum hat_err run_ok(struct store_conn *conn, struct cmd *c)
{
	const char *hex = fields_str(c->input, "device_hash", "");
	unsigned char device[AUTH_TOKEN_HASH_BYTES];
	struct store_stmt *s;
	size_t len = 0;
	bool row;
	enum hat_err rc;

	rc = store_run(conn, "UPDATE users SET pin_failures = 0 WHERE id = ? AND pin_failures > 0",
		       "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (sodium_hex2bin(device, sizeof device, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len != sizeof device)
		return HAT_E_INTERNAL;
	rc = store_prepare(conn, "UPDATE sessions SET last_seen_at = ? WHERE user_id = ?"
				 " AND device_hash = ? AND revoked_at IS NULL AND expires_at > ?"
				 " AND last_seen_at < ?", &s);
	if (rc != HAT_OK)
		return rc;
	rc = store_bindf(s, "ii", c->now, c->target_id);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 3, device, sizeof device);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 4, c->now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 5, c->now);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	return rc;
}

const struct cmd_def pins_set = {
	"user.set_pin", set_fields, POLICY_RULE(USER_PIN), run_set, prepare_pin,
};
static const struct cmd_def pins_fail = {
	"user.pin_failed", NULL, POLICY_RULE(SYSTEM), run_failed, NULL,
};
static const struct cmd_def pins_ok = {
	"user.pin_ok", NULL, POLICY_RULE(SYSTEM), run_ok, NULL,
};

static enum hat_err run_system(const struct cmd_runner *r, const struct cmd_def *def,
			       int64_t user_id, json_t *input, int64_t now)
{
	struct cmd c;
	enum hat_err rc = HAT_E_NOMEM;

	cmd_init(&c, def, 0, 0, input, now);
	c.anonymous = true;
	c.target_id = user_id;
	if (input)
		rc = cmd_execute(r, &c);
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

enum hat_err pins_failed(const struct cmd_runner *r, int64_t user_id, int64_t now)
{
	return run_system(r, &pins_fail, user_id, json_object(), now);
}

enum hat_err pins_succeeded(const struct cmd_runner *r, int64_t user_id,
			    const unsigned char device[AUTH_TOKEN_HASH_BYTES], int64_t now)
{
	char hex[AUTH_TOKEN_HASH_BYTES * 2 + 1];

	sodium_bin2hex(hex, sizeof hex, device, AUTH_TOKEN_HASH_BYTES);
	return run_system(r, &pins_ok, user_id, json_pack("{s:s}", "device_hash", hex), now);
}

enum hat_err pins_device_staff(struct store_conn *read, const unsigned char *device,
			       int64_t actor_id, int64_t now, const struct auth_policy *p,
			       json_t **out)
{
	static const char sql[] =
		"SELECT DISTINCT u.id, u.username, u.display_name, u.pin_hash IS NOT NULL"
		" FROM sessions s JOIN users u ON u.id = s.user_id"
		" WHERE s.device_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?"
		" AND s.last_seen_at > ? AND u.disabled = 0 AND u.id <> ?"
		" ORDER BY u.display_name, u.id";
	struct store_stmt *s = NULL;
	json_t *list = json_array();
	enum hat_err rc = list ? HAT_OK : HAT_E_NOMEM;
	bool row = false;

	if (rc == HAT_OK && device)
		rc = store_prepare(read, sql, &s);
	if (rc == HAT_OK && s) {
		rc = store_bind_blob(s, 1, device, AUTH_TOKEN_HASH_BYTES);
		if (rc == HAT_OK)
			rc = store_bind_int(s, 2, now);
		if (rc == HAT_OK)
			rc = store_bind_int(s, 3, now - p->idle_s);
		if (rc == HAT_OK)
			rc = store_bind_int(s, 4, actor_id);
	}
	while (rc == HAT_OK && s && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *one = json_pack("{s:I, s:s, s:s, s:b}", "id", (json_int_t)store_col_int(s, 0),
					"username", store_col_text(s, 1), "display_name",
					store_col_text(s, 2), "has_pin", (int)store_col_int(s, 3));

		if (!one || json_array_append_new(list, one) != 0)
			rc = HAT_E_NOMEM;
	}
	store_done(s);
	/* Roles are read after the statement is done (auth_user_roles runs
	** statements of its own); those with no staff role are dropped. */
	for (size_t i = 0; rc == HAT_OK && i < json_array_size(list);) {
		json_t *one = json_array_get(list, i);
		unsigned roles = 0;

		/* Held anywhere: where the act is, the command checks again. */
		rc = auth_roles_anywhere(read, json_integer_value(json_object_get(one, "id")), &roles);
		if (rc != HAT_OK)
			break;
		if (!(roles & ROLE_ANY)) {
			json_array_remove(list, i);
			continue;
		}
		if (json_object_set_new(one, "roles", auth_roles_json(roles & ROLE_ANY)) != 0)
			rc = HAT_E_NOMEM;
		i++;
	}
	if (rc != HAT_OK) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return HAT_OK;
}
