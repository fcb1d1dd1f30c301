/*
** sessions.c: see sessions.h.
*/
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "sessions.h"
#include "util/log.h"
#include "users.h"

/* Internal commands: their input is built here, never by a client, so
** they have no field tables; the token hash travels hex-encoded. */

static enum hat_err hash_from_input(struct cmd *c, unsigned char hash[AUTH_TOKEN_HASH_BYTES])
{
	const char *hex = fields_str(c->input, "token_hash", "");
	size_t len = 0;

	if (sodium_hex2bin(hash, AUTH_TOKEN_HASH_BYTES, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len != AUTH_TOKEN_HASH_BYTES)
		return HAT_E_INTERNAL;
	return HAT_OK;
}

static enum hat_err run_open(struct store_conn *conn, struct cmd *c)
{
	char token[AUTH_TOKEN_CHARS];
	char witness[AUTH_TOKEN_CHARS];
	char csrf[AUTH_TOKEN_CHARS];
	unsigned char token_hash[AUTH_TOKEN_HASH_BYTES];
	unsigned char witness_hash[AUTH_TOKEN_HASH_BYTES];
	unsigned char unused[AUTH_TOKEN_HASH_BYTES];
	const char *kind = fields_str(c->input, "kind", "cookie");
	int64_t expires = c->now + c->policy->absolute_s;
	struct store_stmt *s;
	json_t *user = NULL;
	json_t *detail;
	enum hat_err rc;
	bool row;
	char expires_text[21];
	const char *device_hex = fields_str(c->input, "device_hash", NULL);
	unsigned char device[AUTH_TOKEN_HASH_BYTES];
	size_t device_len = 0;

	auth_token_new(token, token_hash);
	auth_token_new(witness, witness_hash);
	auth_token_new(csrf, unused);
	/* The device the login came from (its cookie's hash), when it sent one:
	** the staff "signed in on this device" are read from here. */
	if (device_hex && (sodium_hex2bin(device, sizeof device, device_hex, strlen(device_hex),
					  NULL, &device_len, NULL) != 0 ||
			   device_len != sizeof device))
		return HAT_E_INTERNAL;
	rc = store_prepare(conn,
			   "INSERT INTO sessions (token_hash, user_id, kind, csrf_token,"
			   " witness_hash, created_at, last_seen_at, expires_at, device_hash)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 1, token_hash, sizeof token_hash);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 2, c->actor_id);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 3, kind);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 4, csrf);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 5, witness_hash, sizeof witness_hash);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 6, c->now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 7, c->now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 8, expires);
	if (rc == HAT_OK)
		rc = device_hex ? store_bind_blob(s, 9, device, sizeof device) : store_bind_null(s, 9);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	if (rc == HAT_OK)
		rc = store_run(conn, "UPDATE users SET failed_logins = 0, locked_until = NULL"
				     " WHERE id = ?", "i", c->actor_id);
	if (rc == HAT_OK) {
		detail = json_pack("{s:s}", "kind", kind);
		rc = cmd_audit(conn, c, "user", c->actor_id, detail);
		json_decref(detail);
	}
	if (rc == HAT_OK)
		rc = users_read(conn, c->actor_id, &user);
	if (rc != HAT_OK)
		return rc;
	clock_format_utc(expires, expires_text);
	cmd_answer(c, 201, json_pack("{s:s, s:s, s:s, s:s, s:o}", "token", token,
				     "csrf_token", csrf, "witness_token", witness,
				     "expires_at", expires_text, "user", user));
	sodium_memzero(token, sizeof token);
	sodium_memzero(witness, sizeof witness);
	return HAT_OK;
}

/* One more failure in the window counted for key (an address, or "*" for
** everyone); a count older than the window starts again.  Each table has
** its own literal: statements are cached by the address of their SQL, so
** one buffer filled for either would hand the second the first's
** statement.  The old row's columns are named by table, as PostgreSQL
** wants beside "excluded". */
static const char sql_login_failure[] =
	"INSERT INTO login_failures (address, since, failures) VALUES (?, ?, 1)"
	" ON CONFLICT (address) DO UPDATE SET"
	" failures = CASE WHEN ? - login_failures.since >= ? THEN 1"
	" ELSE login_failures.failures + 1 END,"
	" since = CASE WHEN ? - login_failures.since >= ? THEN ? ELSE login_failures.since END";
static const char sql_witness_failure[] =
	"INSERT INTO witness_failures (user_id, since, failures) VALUES (?, ?, 1)"
	" ON CONFLICT (user_id) DO UPDATE SET"
	" failures = CASE WHEN ? - witness_failures.since >= ? THEN 1"
	" ELSE witness_failures.failures + 1 END,"
	" since = CASE WHEN ? - witness_failures.since >= ? THEN ? ELSE witness_failures.since END";

static enum hat_err count_failure(struct store_conn *conn, const char *key, int64_t user_key,
				  int64_t now, int64_t window)
{
	if (key)
		return store_run(conn, sql_login_failure, "tiiiiii", key, now, now, window, now,
				 window, now);
	return store_run(conn, sql_witness_failure, "iiiiiii", user_key, now, now, window, now,
			 window, now);
}

static enum hat_err run_failed(struct store_conn *conn, struct cmd *c)
{
	int64_t failures = 0;
	int64_t locked_until = 0;
	bool found;
	enum hat_err rc;
	json_t *detail;
	bool locked;

	rc = count_failure(conn, fields_str(c->input, "address", "?"),
			   0, c->now, c->policy->window_s);
	if (rc == HAT_OK)
		rc = count_failure(conn, "*", 0, c->now,
				   c->policy->window_s);
	/* An unknown username, or an address refused at the gate: the counts
	** above are all there is to record. */
	if (rc != HAT_OK || c->target_id == 0)
		return rc;
	rc = store_query_int(conn, "SELECT failed_logins FROM users WHERE id = ?", &found,
			     &failures, "i", c->target_id);
	if (rc != HAT_OK || !found)
		return rc == HAT_OK ? HAT_E_NOT_FOUND : rc;
	rc = store_query_int(conn, "SELECT coalesce(locked_until, 0) FROM users WHERE id = ?",
			     NULL, &locked_until, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	/* A lock that has run its course wipes the slate: the next failure
	** starts counting again rather than locking at once.  A lock still in
	** force does not: guesses that passed the gate together, before the
	** lock was written, must not lift it. */
	if (failures >= c->policy->lock_after && locked_until <= c->now)
		failures = 0;
	failures++;
	locked = failures >= c->policy->lock_after;
	rc = store_run(conn, "UPDATE users SET failed_logins = ?, last_failed_at = ?,"
			     " locked_until = ? WHERE id = ?",
		       "iiIi", failures, c->now,
		       locked ? c->now + c->policy->lock_s : INT64_MIN, c->target_id);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:I, s:b}", "failed_logins", (json_int_t)failures, "locked", locked);
	rc = cmd_audit(conn, c, "user", c->target_id, detail);
	json_decref(detail);
	return rc;
}

static enum hat_err run_close(struct store_conn *conn, struct cmd *c)
{
	unsigned char hash[AUTH_TOKEN_HASH_BYTES];
	struct store_stmt *s;
	enum hat_err rc;
	bool row;

	rc = hash_from_input(c, hash);
	if (rc == HAT_OK)
		rc = store_prepare(conn, "UPDATE sessions SET revoked_at = ?"
					 " WHERE token_hash = ? AND revoked_at IS NULL", &s);
	if (rc != HAT_OK)
		return rc;
	rc = store_bind_int(s, 1, c->now);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 2, hash, sizeof hash);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	if (rc == HAT_OK) {
		json_t *none = json_object();

		rc = cmd_audit(conn, c, "user", c->actor_id, none);
		json_decref(none);
	}
	if (rc == HAT_OK)
		cmd_answer(c, 200, json_pack("{s:b}", "logged_out", 1));
	return rc;
}

static enum hat_err run_touch(struct store_conn *conn, struct cmd *c)
{
	unsigned char hash[AUTH_TOKEN_HASH_BYTES];
	struct store_stmt *s;
	enum hat_err rc;
	bool row;

	rc = hash_from_input(c, hash);
	if (rc == HAT_OK)
		rc = store_prepare(conn, "UPDATE sessions SET last_seen_at = ?"
					 " WHERE token_hash = ? AND last_seen_at < ?", &s);
	if (rc != HAT_OK)
		return rc;
	rc = store_bind_int(s, 1, c->now);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 2, hash, sizeof hash);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 3, c->now);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	return rc;
}

static const struct cmd_def sessions_open = { "session.open", NULL, POLICY_RULE(SYSTEM), run_open, NULL };
static const struct cmd_def sessions_failed = { "session.login_failed", NULL, POLICY_RULE(SYSTEM), run_failed, NULL };

/* Housekeeping too: a counter, not an event (the failure is logged). */
static enum hat_err run_witness_failed(struct store_conn *conn, struct cmd *c)
{
	return count_failure(conn, NULL, c->target_id, c->now,
			     fields_int(c->input, "window_s", 900));
}

static const struct cmd_def sessions_witness_fail = {
	"session.witness_failed", NULL, POLICY_RULE(SYSTEM), run_witness_failed, NULL,
};

enum hat_err sessions_witness_failed(const struct cmd_runner *r, int64_t user_id,
				     int64_t window_s, int64_t now)
{
	struct cmd c;
	json_t *input = json_pack("{s:I}", "window_s", (json_int_t)window_s);
	enum hat_err rc;

	if (!input)
		return HAT_E_NOMEM;
	cmd_init(&c, &sessions_witness_fail, 0, 0, input, now);
	c.anonymous = true;
	c.target_id = user_id;
	rc = cmd_execute(r, &c);
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

enum hat_err sessions_witness_failures(struct store_conn *read, int64_t user_id, int64_t now,
				       int64_t window_s, int *failures)
{
	int64_t n = 0;
	enum hat_err rc = store_query_int(read,
					  "SELECT CASE WHEN ? - since >= ? THEN 0 ELSE failures END"
					  " FROM witness_failures WHERE user_id = ?",
					  NULL, &n, "iii", now, window_s, user_id);

	*failures = (int)n;
	return rc;
}
const struct cmd_def sessions_close = { "session.close", NULL, POLICY_RULE(SYSTEM), run_close, NULL };
/* Housekeeping, not a clinical or security event: no audit entry. */
const struct cmd_def sessions_touch = { "session.touch", NULL, POLICY_RULE(SYSTEM), run_touch, NULL };

static const char sql_user[] =
	"SELECT id, password_hash, disabled, failed_logins, coalesce(last_failed_at, 0),"
	" coalesce(locked_until, 0) FROM users WHERE username = ?";

/* Counts a failed login: for the address and everyone, and for the
** account when there is one (target 0: none). */
static enum hat_err record_failure(const struct cmd_runner *r, int64_t target,
				   const char *address, int64_t now)
{
	struct cmd c;
	json_t *input = json_pack("{s:s}", "address", address);
	enum hat_err rc = HAT_E_NOMEM;

	cmd_init(&c, &sessions_failed, 0, 0, input, now);
	c.anonymous = true;
	c.target_id = target;
	if (input)
		rc = cmd_execute(r, &c);
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

/* The address's and everyone's failures in the current window. */
static enum hat_err address_gate(const struct cmd_runner *r, struct store_conn *read,
				 const char *address, int64_t now)
{
	struct store_stmt *s;
	enum hat_err rc;
	bool row = false;
	int addr_n = 0, total_n = 0;
	int64_t addr_since = 0, total_since = 0;

	rc = store_prepare(read, "SELECT address, since, failures FROM login_failures"
				 " WHERE address IN (?, '*')", &s);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 1, address);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		if (strcmp(store_col_text(s, 0), "*") == 0) {
			total_since = store_col_int(s, 1);
			total_n = (int)store_col_int(s, 2);
		} else {
			addr_since = store_col_int(s, 1);
			addr_n = (int)store_col_int(s, 2);
		}
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	return auth_address_gate(addr_n, addr_since, total_n, total_since, now, r->policy);
}

static enum hat_err login_serialised(const struct cmd_runner *r, struct store_conn *read,
				     const char *username, const char *password,
				     const char *kind, const char *address,
				     const unsigned char *device, int64_t now, json_t **out)
{
	char hash[AUTH_HASH_MAX];
	struct store_stmt *s;
	struct cmd c;
	enum hat_err rc;
	json_t *input;
	bool row = false;
	int64_t id = 0;
	bool disabled = false;
	int failures = 0;
	int64_t last_failed = 0;
	int64_t locked_until = 0;

	/* Refused here, a guess neither reaches a password check nor counts
	** against (and so cannot lock) the account it names. */
	rc = address_gate(r, read, address, now);
	if (rc != HAT_OK)
		return rc;
	rc = store_prepare(read, sql_user, &s);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 1, username);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		id = store_col_int(s, 0);
		str_copy(hash, sizeof hash, store_col_text(s, 1));
		disabled = store_col_int(s, 2) != 0;
		failures = (int)store_col_int(s, 3);
		last_failed = store_col_int(s, 4);
		locked_until = store_col_int(s, 5);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row) {
		/* Spend the same time as a real check, so a response's timing
		** does not tell whether a username exists. */
		auth_password_burn(password);
		rc = record_failure(r, 0, address, now);
		return rc != HAT_OK ? rc : HAT_E_BAD_CREDENTIALS;
	}
	if (locked_until && locked_until <= now)
		failures = 0; /* the lock was served */
	rc = auth_login_gate(failures, last_failed, locked_until, now, r->policy);
	if (rc != HAT_OK)
		return rc;
	if (!auth_password_verify(hash, password)) {
		rc = record_failure(r, id, address, now);
		/* A failure that was not counted would let guesses go on past
		** the lock: say that the login could not be handled instead. */
		if (rc != HAT_OK) {
			log_error("login: a failed login for user %lld could not be recorded (%s)",
				  (long long)id, hat_err_code(rc));
			return rc;
		}
		return HAT_E_BAD_CREDENTIALS;
	}
	if (disabled)
		return HAT_E_ACCOUNT_DISABLED;
	input = json_pack("{s:s}", "kind", kind);
	if (input && device) {
		char hex[AUTH_TOKEN_HASH_BYTES * 2 + 1];

		sodium_bin2hex(hex, sizeof hex, device, AUTH_TOKEN_HASH_BYTES);
		if (json_object_set_new(input, "device_hash", json_string(hex)) != 0) {
			json_decref(input);
			input = NULL;
		}
	}
	if (!input)
		return HAT_E_NOMEM;
	cmd_init(&c, &sessions_open, id, 0, input, now);
	rc = cmd_execute(r, &c);
	if (rc == HAT_OK) {
		*out = c.result;
		c.result = NULL;
	}
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

static enum hat_err run_internal(const struct cmd_runner *r, const struct cmd_def *def,
				 int64_t user_id,
				 const unsigned char token_hash[AUTH_TOKEN_HASH_BYTES],
				 int64_t now)
{
	char hex[AUTH_TOKEN_HASH_BYTES * 2 + 1];
	struct cmd c;
	json_t *input;
	enum hat_err rc;

	sodium_bin2hex(hex, sizeof hex, token_hash, AUTH_TOKEN_HASH_BYTES);
	input = json_pack("{s:s}", "token_hash", hex);
	if (!input)
		return HAT_E_NOMEM;
	cmd_init(&c, def, user_id, 0, input, now);
	rc = cmd_execute(r, &c);
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

enum hat_err sessions_logout(const struct cmd_runner *r, int64_t user_id,
			     const unsigned char token_hash[AUTH_TOKEN_HASH_BYTES], int64_t now)
{
	return run_internal(r, &sessions_close, user_id, token_hash, now);
}

enum hat_err sessions_mark_used(const struct cmd_runner *r, int64_t user_id,
				const unsigned char token_hash[AUTH_TOKEN_HASH_BYTES], int64_t now)
{
	return run_internal(r, &sessions_touch, user_id, token_hash, now);
}

/* Logins for one username run one at a time: each attempt reads the
** failures the one before it recorded, so a burst of parallel guesses is
** throttled and locked exactly as the same guesses one after another.
** Usernames share LOGIN_STRIPES locks by hash; two people who share one
** merely wait for each other's password check. */
#define LOGIN_STRIPES 64

static pthread_mutex_t login_stripes[LOGIN_STRIPES];
static pthread_once_t login_stripes_once = PTHREAD_ONCE_INIT;

static void login_stripes_init(void)
{
	for (int i = 0; i < LOGIN_STRIPES; i++)
		pthread_mutex_init(&login_stripes[i], NULL);
}

enum hat_err sessions_login(const struct cmd_runner *r, struct store_conn *read,
			    const char *username, const char *password, const char *kind,
			    const char *address, const unsigned char *device, int64_t now,
			    json_t **out)
{
	unsigned h = 2166136261u;
	enum hat_err rc;

	for (const unsigned char *p = (const unsigned char *)username; *p; p++)
		h = (h ^ *p) * 16777619u;
	pthread_once(&login_stripes_once, login_stripes_init);
	pthread_mutex_lock(&login_stripes[h % LOGIN_STRIPES]);
	rc = login_serialised(r, read, username, password, kind, address, device, now, out);
	pthread_mutex_unlock(&login_stripes[h % LOGIN_STRIPES]);
	return rc;
}
