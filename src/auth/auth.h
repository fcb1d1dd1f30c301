/*
** auth.h: roles, password hashing, session tokens and witness checks.
**
** Passwords are hashed with Argon2id (libsodium's crypto_pwhash_str) at the
** OWASP-recommended cost (19 MiB, 2 passes), and at most AUTH_MAX_HASHERS
** hashes run at once: Argon2id is slow and memory-hungry by design, so an
** unbounded number of logins at once would be a way to exhaust the server.
**
** Session and witness tokens are 32 random bytes sent as URL-safe base64;
** only their BLAKE2b hashes are stored, so a copy of the database holds no
** live session.
*/
#ifndef HAT_AUTH_AUTH_H
#define HAT_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"
#include "util/err.h"

/* Roles as bits: a person may hold several. */
enum auth_role {
	ROLE_PRESCRIBER = 1 << 0,
	ROLE_NURSE      = 1 << 1,
	ROLE_PHARMACIST = 1 << 2,
	ROLE_KEYWORKER  = 1 << 3,
	ROLE_MANAGER    = 1 << 4,
	ROLE_CDAO       = 1 << 5,
	ROLE_AUDITOR    = 1 << 6,
	ROLE_ADMIN      = 1 << 7,
	/* A person in treatment with their own login, linked to their one
	** patient record (service_user_accounts).  Not a staff role: it is
	** held by having an open account, never granted in user_roles, and
	** it lies outside ROLE_ANY, so no staff route lets it in. */
	ROLE_SERVICE_USER = 1 << 8,
};
#define ROLE_ANY 0xffu
/* Staff who see patient records in the course of care. */
#define ROLE_CLINICAL (ROLE_PRESCRIBER | ROLE_NURSE | ROLE_PHARMACIST | ROLE_KEYWORKER | ROLE_MANAGER | ROLE_CDAO)

/* The role's name ("nurse"), or NULL for a bit that is not one role. */
const char *auth_role_name(unsigned role);
/* The role bit for a name; 0 if unknown. */
unsigned auth_role_parse(const char *name);
/* A JSON array of the role names in mask (new reference). */
json_t *auth_roles_json(unsigned mask);

#define AUTH_HASH_MAX 128      /* crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_CHARS 44    /* base64 of 32 bytes, unpadded, plus NUL */
#define AUTH_TOKEN_HASH_BYTES 32
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 128
#define AUTH_MAX_HASHERS 2

/* Must be called once before threads start (sodium_init). */
enum hat_err auth_init(void);

/* Hashes a password into out.  HAT_E_WEAK_PASSWORD when its length is
** outside [AUTH_PASSWORD_MIN, AUTH_PASSWORD_MAX]; HAT_E_NOMEM. */
enum hat_err auth_password_hash(const char *password, char out[AUTH_HASH_MAX]);

/* Hashes a witness PIN into out, as a password is hashed.  HAT_E_WEAK_PIN
** when it breaks a rule of core/pin.h; HAT_E_NOMEM. */
enum hat_err auth_pin_hash(const char *pin, char out[AUTH_HASH_MAX]);

/* True when password matches the stored hash.  Waits for a hashing slot. */
bool auth_password_verify(const char *hash, const char *password);

/* Spends the time of a real password check against a hash of nothing, so
** that a login for an unknown username takes as long as a wrong password. */
void auth_password_burn(const char *password);

/* A fresh random token (text) and the hash that is stored for it. */
void auth_token_new(char token[AUTH_TOKEN_CHARS], unsigned char hash[AUTH_TOKEN_HASH_BYTES]);

/* The stored hash of a token given by a client. */
void auth_token_hash(const char *token, unsigned char hash[AUTH_TOKEN_HASH_BYTES]);

/* The security settings hatd runs with (from its config file). */
struct auth_policy {
	int64_t idle_s;          /* a session unused this long ends (default 30 min) */
	int64_t absolute_s;      /* a session ends this long after login (12 h) */
	int64_t touch_every_s;   /* how often last-use is written back (60 s) */
	int throttle_after;      /* failures before each attempt must wait (3) */
	int64_t throttle_base_s; /* the first wait; doubles per failure (5 s) */
	int lock_after;          /* failures that lock the account (5) */
	int64_t lock_s;          /* how long a lock lasts (15 min) */
	int address_limit;       /* failed logins from one client address (20) */
	int total_limit;         /* failed logins from all addresses (300) */
	int64_t window_s;        /* the window both count over (15 min) */
};
void auth_policy_default(struct auth_policy *p);

/* Who is making a request. */
struct auth_principal {
	int64_t user_id;
	char username[64];
	char display_name[128];
	unsigned roles;              /* held anywhere: globally or at some premises */
	unsigned global_roles;       /* held at every premises (user_roles) */
	bool cookie;                 /* true: must echo the CSRF token on writes */
	char csrf[AUTH_TOKEN_CHARS];
	unsigned char token_hash[AUTH_TOKEN_HASH_BYTES];
	int64_t last_seen_at;
	int64_t expires_at;
	bool must_change_password;   /* after an admin's reset: may only change it */
};

/* Finds the live session for token.  HAT_E_UNAUTHENTICATED when there is
** none or it was revoked, HAT_E_SESSION_EXPIRED when idle or absolute
** expiry passed, HAT_E_ACCOUNT_DISABLED when the user was disabled. */
enum hat_err auth_session_lookup(struct store_conn *c, const char *token, int64_t now,
				 const struct auth_policy *p, struct auth_principal *out);

/* The outcome of a login attempt's checks before the password is tested. */
enum hat_err auth_login_gate(int failed_logins, int64_t last_failed_at,
			     int64_t locked_until, int64_t now,
			     const struct auth_policy *p);

/* The gate before any account is looked at: HAT_E_LOGIN_THROTTLED when the
** client's address has failed address_limit times, or everyone together
** total_limit times, within window_s (counts older than the window are
** void: since is when each count began).  An address over its limit is
** refused before its guesses can count against, and lock, the accounts it
** tries. */
enum hat_err auth_address_gate(int address_failures, int64_t address_since,
			       int total_failures, int64_t total_since, int64_t now,
			       const struct auth_policy *p);

/* How a witness proved who they are. */
enum auth_witness_via {
	AUTH_VIA_PASSWORD,
	AUTH_VIA_TOKEN,
	AUTH_VIA_PIN,
};

/* Checks a witness: body is {"username", "password"}, {"username", "pin"}
** or {"token"} (the witness token the witness's own login gave them).  The
** witness must be an active user other than actor_id holding one of
** roles_allowed.  A PIN is taken only when its owner has a live session on
** the device the request comes from: device is the BLAKE2b hash of the
** request's device cookie (AUTH_TOKEN_HASH_BYTES), or NULL when it sent
** none.  Errors: HAT_E_WITNESS_REQUIRED (no body, or not exactly one way of
** proving), HAT_E_WITNESS_BAD_CREDENTIALS, HAT_E_WITNESS_SAME_PERSON,
** HAT_E_WITNESS_ROLE, HAT_E_ACCOUNT_LOCKED (the witness's login is locked:
** a lock holds for witnessing as for logging in), and for a PIN
** HAT_E_WITNESS_NOT_ON_DEVICE, HAT_E_WITNESS_NO_PIN,
** HAT_E_WITNESS_PIN_LOCKED.  *via says which way was tried.  On success
** *witness_id is the witness's user id; after a wrong PIN it is the PIN's
** owner (so the caller can count it against that PIN), otherwise 0. */
enum hat_err auth_witness_check(struct store_conn *c, json_t *body, int64_t actor_id,
				unsigned roles_allowed, const unsigned char *device, int64_t now,
				const struct auth_policy *p, int64_t *witness_id,
				enum auth_witness_via *via);

/* Loads a user's roles as a mask. */
enum hat_err auth_user_roles(struct store_conn *c, int64_t user_id, unsigned *mask);

#endif
