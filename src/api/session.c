/*
** session.c: log in, who am I, log out, the witness check, the staff signed
** in on this device and one's own witness PIN.
**
** A device is a browser holding the hat_device cookie: a random 32-byte
** token (as a session token is) that hatd gives at the first login from a
** browser that has none, HttpOnly and SameSite=Strict, kept for a year and
** kept across logouts.  Only its hash is stored, on each session opened
** from it.  It names the device, not a person: it grants nothing by itself,
** and a PIN is taken only together with a live session of the PIN's owner
** on the device the request comes from.
*/
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "cmd/pins.h"
#include "cmd/sessions.h"
#include "cmd/users.h"
#include "util/clock.h"

static const char *const kind_choices[] = { "cookie", "bearer", NULL };

static const struct field login_fields[] = {
	{ "username", FT_STRING, true, 1, 64, NULL, false },
	{ "password", FT_STRING, true, 1, 1024, NULL, false },
	{ "token_kind", FT_ENUM, false, 0, 0, kind_choices, false },
	FIELDS_END,
};

#define DEVICE_COOKIE_AGE_S (365 * 24 * 3600)

/* The device the login comes from: the one its cookie names, or a new one
** whose cookie goes with the answer (a browser's logins only: a script
** that wants a device sends the cookie itself). */
static bool login_device(struct http_req *req, bool browser,
			 unsigned char hash[AUTH_TOKEN_HASH_BYTES])
{
	char token[AUTH_TOKEN_CHARS];
	char cookie[160];
	int n;

	if (api_device_hash(req, hash))
		return true;
	if (!browser)
		return false;
	auth_token_new(token, hash);
	n = snprintf(cookie, sizeof cookie,
		     "hat_device=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", token,
		     DEVICE_COOKIE_AGE_S, http_is_https(req) ? "; Secure" : "");
	sodium_memzero(token, sizeof token);
	/* A device the browser never hears of cannot be used: then none. */
	return n > 0 && (size_t)n < sizeof cookie && http_set_cookie(req, cookie);
}

enum hat_err api_session_login(struct http_req *req)
{
	unsigned char device[AUTH_TOKEN_HASH_BYTES];
	bool has_device;
	const char *kind;
	json_t *out = NULL;
	enum hat_err rc;
	char cookie[256];
	char peer[64];

	rc = fields_check(login_fields, req->body, &req->err_field);
	if (rc != HAT_OK)
		return rc;
	kind = fields_str(req->body, "token_kind", "cookie");
	str_copy(req->username, sizeof req->username, fields_str(req->body, "username", ""));
	http_peer(req, peer, sizeof peer);
	has_device = login_device(req, strcmp(kind, "cookie") == 0, device);
	rc = sessions_login(&api_ctx()->runner, api_reader(req),
			    fields_str(req->body, "username", ""),
			    fields_str(req->body, "password", ""), kind, peer,
			    has_device ? device : NULL, clock_now(), &out);
	if (rc != HAT_OK)
		return rc;
	if (strcmp(kind, "cookie") == 0) {
		/* The browser keeps the token where scripts cannot read it; the
		** page gets the CSRF token to echo on every change. */
		const char *token = json_string_value(json_object_get(out, "token"));
		int n = snprintf(cookie, sizeof cookie,
				 "hat_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
				 token ? token : "", (long long)api_ctx()->policy.absolute_s,
				 http_is_https(req) ? "; Secure" : "");

		/* A 201 without its cookie would be a login the browser never
		** sees: refuse it instead. */
		if (!token || n < 0 || (size_t)n >= sizeof cookie || !http_set_cookie(req, cookie) ||
		    json_object_del(out, "token") != 0) {
			json_decref(out);
			return HAT_E_INTERNAL;
		}
	}
	http_reply(req, 201, out);
	return HAT_OK;
}

enum hat_err api_session_get(struct http_req *req)
{
	const struct auth_principal *who = api_who(req);
	json_t *user = NULL;
	char expires[21];
	enum hat_err rc = users_read(api_reader(req), who->user_id, &user);

	if (rc != HAT_OK)
		return rc;
	clock_format_utc(who->expires_at, expires);
	http_reply(req, 200,
		   json_pack("{s:o, s:s, s:s, s:I, s:s?}", "user", user, "expires_at", expires,
			     "token_kind", who->cookie ? "cookie" : "bearer", "idle_timeout_s",
			     (json_int_t)api_ctx()->policy.idle_s, "csrf_token",
			     who->cookie ? who->csrf : NULL));
	return HAT_OK;
}

enum hat_err api_session_logout(struct http_req *req)
{
	const struct auth_principal *who = api_who(req);
	enum hat_err rc = sessions_logout(&api_ctx()->runner, who->user_id, who->token_hash,
					  clock_now());

	if (rc != HAT_OK)
		return rc;
	if (who->cookie &&
	    !http_set_cookie(req, http_is_https(req)
			     ? "hat_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			     : "hat_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
		return HAT_E_INTERNAL;
	http_reply(req, 200, json_pack("{s:b}", "logged_out", 1));
	return HAT_OK;
}

static const struct field witness_fields[] = {
	{ "username", FT_STRING, false, 1, 64, NULL, false },
	{ "password", FT_STRING, false, 1, 1024, NULL, false },
	{ "pin", FT_STRING, false, 1, 64, NULL, false },
	{ "token", FT_STRING, false, 1, 128, NULL, false },
	FIELDS_END,
};

/* Lets a screen confirm a witness before the signed action; the action
** itself checks the witness again in its own request. */
enum hat_err api_session_witness(struct http_req *req)
{
	int64_t witness = 0;
	bool by_token = false;
	json_t *user = NULL;
	enum hat_err rc;

	rc = fields_check(witness_fields, req->body, &req->err_field);
	if (rc == HAT_OK)
		rc = api_check_witness(req, req->body, ROLE_ANY, &witness, &by_token);
	if (rc == HAT_OK)
		rc = users_read(api_reader(req), witness, &user);
	if (rc != HAT_OK)
		return rc;
	json_object_del(user, "licences");
	http_reply(req, 200, json_pack("{s:o, s:b}", "witness", user, "by_token", by_token));
	return HAT_OK;
}

/* The names a witness picks from: the staff signed in on this device. */
enum hat_err api_session_device_staff(struct http_req *req)
{
	unsigned char device[AUTH_TOKEN_HASH_BYTES];
	bool has_device = api_device_hash(req, device);
	json_t *staff = NULL;
	enum hat_err rc;

	rc = pins_device_staff(api_reader(req), has_device ? device : NULL, api_who(req)->user_id,
			       clock_now(), &api_ctx()->policy, &staff);
	if (rc != HAT_OK)
		return rc;
	http_reply(req, 200, json_pack("{s:o, s:b}", "staff", staff, "device_known", has_device));
	return HAT_OK;
}

/* One's own PIN only, with one's current password. */
enum hat_err api_session_set_pin(struct http_req *req)
{
	req->path_id = api_who(req)->user_id;
	return api_run_reauthenticated(req, &pins_set);
}

/* "Switch user": the browser forgets this session, which stays open, so
** that its owner is still signed in on this device (to witness by PIN)
** until it idles out, while the next person logs in.  Nothing is written:
** the session row is as it was, and only the cookie goes. */
enum hat_err api_session_switch(struct http_req *req)
{
	const struct auth_principal *who = api_who(req);
	char until[21];

	if (who->cookie &&
	    !http_set_cookie(req, http_is_https(req)
			     ? "hat_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure"
			     : "hat_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
		return HAT_E_INTERNAL;
	clock_format_utc(clock_now() + api_ctx()->policy.idle_s, until);
	http_reply(req, 200, json_pack("{s:b, s:s}", "switched", 1, "on_device_until", until));
	return HAT_OK;
}
