/*
** auth.c: see auth.h.
*/
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "premises.h"
#include "core/pin.h"
#include "util/buf.h"

/* The OWASP password-storage guidance for Argon2id: m=19 MiB, t=2, p=1.
** libsodium fixes p at 1. */
#define PWHASH_OPS 2
#define PWHASH_MEM (19u * 1024u * 1024u)

static const char *const role_names[] = {
	"prescriber", "nurse", "pharmacist", "keyworker",
	"manager", "cdao", "auditor", "admin",
};

static sem_t hash_slots;
static char dummy_hash[AUTH_HASH_MAX];

const char *auth_role_name(unsigned role)
{
	for (unsigned i = 0; i < 8; i++) {
		if (role == 1u << i)
			return role_names[i];
	}
	return NULL;
}

unsigned auth_role_parse(const char *name)
{
	for (unsigned i = 0; i < 8; i++) {
		if (strcmp(name, role_names[i]) == 0)
			return 1u << i;
	}
	return 0;
}

json_t *auth_roles_json(unsigned mask)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < 8; i++) {
		/* A role list missing a role is a different answer: NULL. */
		if ((mask & (1u << i)) && json_array_append_new(a, json_string(role_names[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	if (a && (mask & ROLE_SERVICE_USER))
		json_array_append_new(a, json_string("service_user"));
	return a;
}

enum hat_err auth_init(void)
{
	if (sodium_init() < 0)
		return HAT_E_INTERNAL;
	if (sem_init(&hash_slots, 0, AUTH_MAX_HASHERS) != 0)
		return HAT_E_INTERNAL;
	if (crypto_pwhash_str_alg(dummy_hash, "not a password", 14, PWHASH_OPS, PWHASH_MEM,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return HAT_E_NOMEM;
	return HAT_OK;
}

static bool password_length_ok(const char *pw)
{
	size_t n = strlen(pw);

	return n >= AUTH_PASSWORD_MIN && n <= AUTH_PASSWORD_MAX;
}

enum hat_err auth_password_hash(const char *password, char out[AUTH_HASH_MAX])
{
	int rc;

	if (!password || !password_length_ok(password))
		return HAT_E_WEAK_PASSWORD;
	sem_wait(&hash_slots);
	rc = crypto_pwhash_str_alg(out, password, strlen(password), PWHASH_OPS,
				   PWHASH_MEM, crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&hash_slots);
	return rc == 0 ? HAT_OK : HAT_E_NOMEM;
}

enum hat_err auth_pin_hash(const char *pin, char out[AUTH_HASH_MAX])
{
	enum pin_fault f = pin_check(pin);
	int rc;

	if (f != PIN_OK)
		return HAT_E_WEAK_PIN;
	sem_wait(&hash_slots);
	rc = crypto_pwhash_str_alg(out, pin, strlen(pin), PWHASH_OPS, PWHASH_MEM,
				   crypto_pwhash_ALG_ARGON2ID13);
	sem_post(&hash_slots);
	return rc == 0 ? HAT_OK : HAT_E_NOMEM;
}

bool auth_password_verify(const char *hash, const char *password)
{
	int rc;

	/* A password longer than any we accept cannot match, and refusing it
	** here keeps a huge input from costing a hash. */
	if (!password || strlen(password) > AUTH_PASSWORD_MAX || !hash || !*hash)
		return false;
	sem_wait(&hash_slots);
	rc = crypto_pwhash_str_verify(hash, password, strlen(password));
	sem_post(&hash_slots);
	return rc == 0;
}

void auth_password_burn(const char *password)
{
	(void)auth_password_verify(dummy_hash, password);
}

void auth_token_hash(const char *token, unsigned char hash[AUTH_TOKEN_HASH_BYTES])
{
	crypto_generichash(hash, AUTH_TOKEN_HASH_BYTES, (const unsigned char *)token,
			   strlen(token), NULL, 0);
}

void auth_token_new(char token[AUTH_TOKEN_CHARS], unsigned char hash[AUTH_TOKEN_HASH_BYTES])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(token, AUTH_TOKEN_CHARS, raw, sizeof raw,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	auth_token_hash(token, hash);
}

void auth_policy_default(struct auth_policy *p)
{
	p->idle_s = 30 * 60;
	p->absolute_s = 12 * 3600;
	p->touch_every_s = 60;
	p->throttle_after = 3;
	p->throttle_base_s = 5;
	p->lock_after = 5;
	p->lock_s = 15 * 60;
	p->address_limit = 20;
	p->total_limit = 300;
	p->window_s = 15 * 60;
}

/* An open service-user account gives its login the service-user role. */
static enum hat_err service_user_role(struct store_conn *c, int64_t user_id, unsigned *mask)
{
	bool found;
	int64_t n = 0;
	enum hat_err rc = store_query_int(c,
		"SELECT count(*) FROM service_user_accounts a WHERE a.user_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM service_user_closures x WHERE x.account_id = a.id)",
		&found, &n, "i", user_id);

	if (rc == HAT_OK && n > 0)
		*mask |= ROLE_SERVICE_USER;
	return rc;
}

enum hat_err auth_user_roles(struct store_conn *c, int64_t user_id, unsigned *mask)
{
	static const char sql[] = "SELECT role FROM user_roles WHERE user_id = ?";
	struct store_stmt *s;
	enum hat_err rc;
	bool row;

	*mask = 0;
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, user_id);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		*mask |= auth_role_parse(store_col_text(s, 0));
	}
	store_done(s);
	if (rc == HAT_OK)
		rc = service_user_role(c, user_id, mask);
	return rc;
}

enum hat_err auth_session_lookup(struct store_conn *c, const char *token, int64_t now,
				 const struct auth_policy *p, struct auth_principal *out)
{
	static const char sql[] =
		"SELECT s.user_id, u.username, u.display_name, u.disabled, s.kind,"
		" s.csrf_token, s.last_seen_at, s.expires_at, s.revoked_at,"
		" u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?";
	unsigned char hash[AUTH_TOKEN_HASH_BYTES];
	struct store_stmt *s;
	enum hat_err rc;
	bool row;

	if (!token || !*token || strlen(token) >= AUTH_TOKEN_CHARS)
		return HAT_E_UNAUTHENTICATED;
	auth_token_hash(token, hash);
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 1, hash, sizeof hash);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc != HAT_OK)
		goto out;
	if (!row || !store_col_is_null(s, 8)) {
		rc = HAT_E_UNAUTHENTICATED;
		goto out;
	}
	if (store_col_int(s, 3)) {
		rc = HAT_E_ACCOUNT_DISABLED;
		goto out;
	}
	out->last_seen_at = store_col_int(s, 6);
	out->expires_at = store_col_int(s, 7);
	if (now >= out->expires_at || now - out->last_seen_at >= p->idle_s) {
		rc = HAT_E_SESSION_EXPIRED;
		goto out;
	}
	out->user_id = store_col_int(s, 0);
	str_copy(out->username, sizeof out->username, store_col_text(s, 1));
	str_copy(out->display_name, sizeof out->display_name, store_col_text(s, 2));
	out->cookie = strcmp(store_col_text(s, 4), "cookie") == 0;
	str_copy(out->csrf, sizeof out->csrf, store_col_text(s, 5));
	memcpy(out->token_hash, hash, sizeof hash);
	out->must_change_password = store_col_int(s, 9) != 0;
	store_done(s);
	s = NULL;
	/* Every role held anywhere gets through a route's gate; an act at a
	** premises is checked again against the roles held there (premises.h). */
	rc = auth_roles_held(c, out->user_id, &out->roles, &out->global_roles);
out:
	store_done(s);
	return rc;
}

enum hat_err auth_login_gate(int failed_logins, int64_t last_failed_at,
			     int64_t locked_until, int64_t now,
			     const struct auth_policy *p)
{
	int64_t wait;
	int over;

	if (locked_until > now)
		return HAT_E_ACCOUNT_LOCKED;
	if (failed_logins >= p->throttle_after && failed_logins < p->lock_after) {
		/* Each failure past the threshold doubles the wait, so guessing
		** slows to a crawl well before the lock. */
		over = failed_logins - p->throttle_after;
		wait = p->throttle_base_s << (over > 20 ? 20 : over);
		if (now < last_failed_at + wait)
			return HAT_E_LOGIN_THROTTLED;
	}
	return HAT_OK;
}

enum hat_err auth_address_gate(int address_failures, int64_t address_since,
			       int total_failures, int64_t total_since, int64_t now,
			       const struct auth_policy *p)
{
	if (now - address_since < p->window_s && address_failures >= p->address_limit)
		return HAT_E_LOGIN_THROTTLED;
	if (now - total_since < p->window_s && total_failures >= p->total_limit)
		return HAT_E_LOGIN_THROTTLED;
	return HAT_OK;
}

static enum hat_err witness_by_token(struct store_conn *c, const char *token, int64_t now,
				     const struct auth_policy *p, int64_t *user_id)
{
	static const char sql[] =
		"SELECT s.user_id, coalesce(u.locked_until, 0) FROM sessions s"
		" JOIN users u ON u.id = s.user_id"
		" WHERE s.witness_hash = ? AND s.revoked_at IS NULL AND u.disabled = 0"
		" AND s.expires_at > ? AND s.last_seen_at > ?";
	unsigned char hash[AUTH_TOKEN_HASH_BYTES];
	struct store_stmt *s;
	enum hat_err rc;
	bool row = false;

	if (strlen(token) >= AUTH_TOKEN_CHARS)
		return HAT_E_WITNESS_BAD_CREDENTIALS;
	auth_token_hash(token, hash);
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 1, hash, sizeof hash);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 2, now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 3, now - p->idle_s);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*user_id = store_col_int(s, 0);
		if (store_col_int(s, 1) > now)
			rc = HAT_E_ACCOUNT_LOCKED;
	}
	store_done(s);
	if (rc == HAT_OK && !row)
		rc = HAT_E_WITNESS_BAD_CREDENTIALS;
	return rc;
}

static enum hat_err witness_by_password(struct store_conn *c, const char *username,
					const char *password, int64_t now, int64_t *user_id)
{
	static const char sql[] =
		"SELECT id, password_hash, coalesce(locked_until, 0) FROM users"
		" WHERE username = ? AND disabled = 0";
	int64_t locked_until = 0;
	char hash[AUTH_HASH_MAX];
	struct store_stmt *s;
	enum hat_err rc;
	bool row = false;

	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 1, username);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*user_id = store_col_int(s, 0);
		str_copy(hash, sizeof hash, store_col_text(s, 1));
		locked_until = store_col_int(s, 2);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row) {
		/* As at login: an unknown name costs what a wrong password does. */
		auth_password_burn(password);
		return HAT_E_WITNESS_BAD_CREDENTIALS;
	}
	/* A locked account is locked for witnessing too: otherwise the lock
	** would stop guessing at the login screen but not at a witness box. */
	if (locked_until > now) {
		auth_password_burn(password);
		return HAT_E_ACCOUNT_LOCKED;
	}
	if (!auth_password_verify(hash, password))
		return HAT_E_WITNESS_BAD_CREDENTIALS;
	return HAT_OK;
}

/* A live session of user_id opened on the device whose cookie hashes to
** device: not revoked, not expired, not idle. */
static enum hat_err on_device(struct store_conn *c, int64_t user_id, const unsigned char *device,
			      int64_t now, const struct auth_policy *p, bool *found)
{
	static const char sql[] =
		"SELECT 1 FROM sessions WHERE user_id = ? AND device_hash = ?"
		" AND revoked_at IS NULL AND expires_at > ? AND last_seen_at > ? LIMIT 1";
	struct store_stmt *s;
	enum hat_err rc;

	*found = false;
	if (!device)
		return HAT_OK;
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, user_id);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 2, device, AUTH_TOKEN_HASH_BYTES);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 3, now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 4, now - p->idle_s);
	if (rc == HAT_OK)
		rc = store_step(s, found);
	store_done(s);
	return rc;
}

/* A PIN is short, so it is taken only from someone signed in on this very
** device (a PIN alone, from anywhere, would be a weak password), and it has
** a lock of its own; the order of the checks tells nothing about the PIN
** until its owner is known to be here. */
static enum hat_err witness_by_pin(struct store_conn *c, const char *username, const char *pin,
				   const unsigned char *device, int64_t now,
				   const struct auth_policy *p, int64_t *user_id)
{
	static const char sql[] =
		"SELECT id, coalesce(pin_hash, ''), coalesce(locked_until, 0),"
		" coalesce(pin_locked_until, 0) FROM users WHERE username = ? AND disabled = 0";
	int64_t locked_until = 0;
	int64_t pin_locked_until = 0;
	char hash[AUTH_HASH_MAX] = "";
	struct store_stmt *s;
	enum hat_err rc;
	bool row = false;
	bool here = false;

	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 1, username);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*user_id = store_col_int(s, 0);
		str_copy(hash, sizeof hash, store_col_text(s, 1));
		locked_until = store_col_int(s, 2);
		pin_locked_until = store_col_int(s, 3);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row) {
		auth_password_burn(pin);
		return HAT_E_WITNESS_BAD_CREDENTIALS;
	}
	if (locked_until > now)
		return HAT_E_ACCOUNT_LOCKED;
	rc = on_device(c, *user_id, device, now, p, &here);
	if (rc != HAT_OK)
		return rc;
	if (!here)
		return HAT_E_WITNESS_NOT_ON_DEVICE;
	if (!*hash)
		return HAT_E_WITNESS_NO_PIN;
	if (pin_locked_until > now)
		return HAT_E_WITNESS_PIN_LOCKED;
	/* The rules keep every real PIN short: a long one costs no hash. */
	if (strlen(pin) > PIN_MAX_DIGITS || !auth_password_verify(hash, pin))
		return HAT_E_WITNESS_BAD_CREDENTIALS;
	return HAT_OK;
}

enum hat_err auth_witness_check(struct store_conn *c, json_t *body, int64_t actor_id,
				unsigned roles_allowed, const unsigned char *device, int64_t now,
				const struct auth_policy *p, int64_t *witness_id,
				enum auth_witness_via *via)
{
	const char *token;
	const char *username;
	const char *password;
	const char *pin;
	int64_t id = 0;
	unsigned roles;
	enum hat_err rc;

	*witness_id = 0;
	*via = AUTH_VIA_PASSWORD;
	if (!json_is_object(body))
		return HAT_E_WITNESS_REQUIRED;
	token = json_string_value(json_object_get(body, "token"));
	username = json_string_value(json_object_get(body, "username"));
	password = json_string_value(json_object_get(body, "password"));
	pin = json_string_value(json_object_get(body, "pin"));
	if (token) {
		*via = AUTH_VIA_TOKEN;
		rc = witness_by_token(c, token, now, p, &id);
	} else if (username && pin && !password) {
		*via = AUTH_VIA_PIN;
		rc = witness_by_pin(c, username, pin, device, now, p, &id);
		/* The caller counts a wrong PIN against its owner's PIN. */
		if (rc == HAT_E_WITNESS_BAD_CREDENTIALS)
			*witness_id = id;
	} else if (username && password && !pin) {
		rc = witness_by_password(c, username, password, now, &id);
	} else {
		return HAT_E_WITNESS_REQUIRED;
	}
	if (rc != HAT_OK)
		return rc;
	if (id == actor_id)
		return HAT_E_WITNESS_SAME_PERSON;
	/* A role held at any premises: the command checks it again against
	** the premises it acts at (cmd_witness_roles). */
	rc = auth_roles_anywhere(c, id, &roles);
	if (rc != HAT_OK)
		return rc;
	if (!(roles & roles_allowed))
		return HAT_E_WITNESS_ROLE;
	*witness_id = id;
	return HAT_OK;
}
