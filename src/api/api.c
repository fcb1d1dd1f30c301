/*
** api.c: the context, authentication, and the helpers handlers share.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "api.h"
#include "auth/premises.h"
#include "cmd/patients.h"
#include "cmd/pins.h"
#include "cmd/sessions.h"
#include "cmd/visits.h"
#include "util/clock.h"
#include "util/log.h"

struct api_req {
	struct store_conn *read;
	struct auth_principal who;
};

static struct api_context *context;

void api_init(struct api_context *ctx)
{
	context = ctx;
}

struct api_context *api_ctx(void)
{
	return context;
}

static struct api_req *state(struct http_req *req)
{
	if (!req->app)
		req->app = calloc(1, sizeof(struct api_req));
	return req->app;
}

enum hat_err api_request_begin(struct http_req *req)
{
	struct api_req *st = state(req);
	enum hat_err rc;

	if (!st)
		return HAT_E_NOMEM;
	if (st->read)
		return HAT_OK;
	rc = store_pool_get(context->readers, context->reader_wait_ms, &st->read);
	if (rc == HAT_E_BUSY) {
		log_warn("api: no read connection came free in %lld ms",
			 (long long)context->reader_wait_ms);
		snprintf(req->err_message, sizeof req->err_message,
			 "Every read connection stayed in use for %lld ms; try again shortly.",
			 (long long)context->reader_wait_ms);
	}
	return rc;
}

struct store_conn *api_reader(struct http_req *req)
{
	struct api_req *st = state(req);

	return st ? st->read : NULL;
}

const struct auth_principal *api_who(struct http_req *req)
{
	struct api_req *st = state(req);

	return st ? &st->who : NULL;
}

void api_request_done(struct http_req *req)
{
	struct api_req *st = req->app;

	if (!st)
		return;
	if (st->read)
		store_pool_put(context->readers, st->read);
	sodium_memzero(&st->who, sizeof st->who);
	free(st);
	req->app = NULL;
}

/* The token comes from "Authorization: Bearer ..." for scripts, or from the
** session cookie for the browser. */
static bool find_token(struct http_req *req, char *out, size_t n, bool *cookie)
{
	const char *auth = http_header(req, "Authorization");

	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		*cookie = false;
		return str_copy(out, n, auth + 7);
	}
	*cookie = true;
	return http_cookie(req, "hat_session", out, n);
}

enum hat_err api_authenticate(struct http_req *req)
{
	const struct policy_rule *rule = req->route->policy;
	struct api_req *st = state(req);
	struct store_conn *read;
	char token[AUTH_TOKEN_CHARS + 8];
	const char *csrf;
	bool from_cookie;
	int64_t now = clock_now();
	enum hat_err rc;

	/* The route's row in the policy decides; a route with none is refused,
	** so that no route is open by omission. */
	if (policy_is_open(rule))
		return HAT_OK;
	if (!rule)
		return HAT_E_FORBIDDEN;
	if (!st)
		return HAT_E_NOMEM;
	if (!find_token(req, token, sizeof token, &from_cookie))
		return HAT_E_UNAUTHENTICATED;
	read = api_reader(req);
	rc = auth_session_lookup(read, token, now, &context->policy, &st->who);
	sodium_memzero(token, sizeof token);
	if (rc != HAT_OK)
		return rc;
	/* A session is a cookie session or a bearer one; a cookie token sent
	** as a bearer (or the reverse) is refused so CSRF cannot be skipped. */
	if (st->who.cookie != from_cookie)
		return HAT_E_UNAUTHENTICATED;
	if (st->who.cookie && req->method != HTTP_GET) {
		csrf = http_header(req, "X-CSRF-Token");
		if (!csrf || strlen(csrf) != strlen(st->who.csrf) ||
		    sodium_memcmp(csrf, st->who.csrf, strlen(csrf)) != 0)
			return HAT_E_CSRF;
	}
	/* Idle expiry counts from the last use; writing that back on every
	** request would cost a commit each, so it is written once a minute. */
	if (now - st->who.last_seen_at >= context->policy.touch_every_s) {
		rc = sessions_mark_used(&context->runner, st->who.user_id, st->who.token_hash, now);
		if (rc != HAT_OK)
			return rc;
	}
	req->roles = st->who.roles;
	str_copy(req->username, sizeof req->username, st->who.username);
	req->principal = &st->who;
	if (!policy_allows(rule, st->who.roles))
		return HAT_E_FORBIDDEN;
	/* After an admin's reset the password is one someone else chose: the
	** session may say who it is, log out and change it, nothing more. */
	if (st->who.must_change_password && rule != POLICY_RULE(SESSION) &&
	    rule != POLICY_RULE(USER_PASSWORD))
		return HAT_E_PASSWORD_CHANGE_REQUIRED;
	/* A role held at other premises only does not reach this one's data. */
	return api_premises_gate(req);
}

static bool idempotency_key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > 128)
		return false;
	for (; *k; k++) {
		if (*k < 0x21 || *k > 0x7e)
			return false;
	}
	return true;
}

/* Builds the command for the caller, runs it, and replies with its answer
** or hands its refusal to the glue. */
static enum hat_err run_cmd_as(struct http_req *req, const struct cmd_def *def, json_t *input,
			       int64_t witness_id, bool reauthenticated)
{
	const struct auth_principal *who = api_who(req);
	const char *key = http_header(req, "Idempotency-Key");
	struct cmd c;
	enum hat_err rc;

	if (key && !idempotency_key_ok(key))
		return HAT_E_BAD_IDEMPOTENCY_KEY;
	cmd_init(&c, def, who->user_id, who->roles, input, clock_now());
	c.actor_global_roles = who->global_roles;
	c.target_id = req->path_id;
	c.idempotency_key = key;
	c.witness_id = witness_id;
	c.reauthenticated = reauthenticated;
	c.actor_session = who->token_hash;
	rc = cmd_execute(&context->runner, &c);
	if (rc == HAT_OK) {
		http_reply(req, c.status, c.result);
		c.result = NULL;
	} else {
		req->err_field = c.err_field;
		str_copy(req->err_message, sizeof req->err_message, c.err_message);
	}
	cmd_finish(&c);
	return rc;
}

static enum hat_err run_cmd(struct http_req *req, const struct cmd_def *def, json_t *input,
			    int64_t witness_id)
{
	return run_cmd_as(req, def, input, witness_id, false);
}

enum hat_err api_run_input(struct http_req *req, const struct cmd_def *def, json_t *input)
{
	return run_cmd(req, def, input, 0);
}

enum hat_err api_run(struct http_req *req, const struct cmd_def *def)
{
	return run_cmd(req, def, req->body, 0);
}

/* Wrong witness passwords, counted per logged-in person: a witness check is
** a password check, and without a limit any login could guess colleagues'
** passwords at leisure.  The count is kept against the person typing, not
** on the witness's account, so that a colleague's typing can never lock
** the witness out of their own login; it is kept in the database
** (witness_failures), so that a restart does not wipe it.  A wrong current
** password (changing one's own) counts the same way. */
#define WITNESS_MAX_FAILURES 5
#define WITNESS_WINDOW_S (15 * 60)

static enum hat_err witness_gate(struct http_req *req, int64_t now)
{
	int failures = 0;
	enum hat_err rc = sessions_witness_failures(api_reader(req), api_who(req)->user_id, now,
						    WITNESS_WINDOW_S, &failures);

	if (rc == HAT_OK && failures >= WITNESS_MAX_FAILURES)
		rc = HAT_E_WITNESS_THROTTLED;
	return rc;
}

static void witness_failed(struct http_req *req, int64_t now, const char *what)
{
	const struct auth_principal *who = api_who(req);

	if (sessions_witness_failed(&context->runner, who->user_id, WITNESS_WINDOW_S, now) != HAT_OK)
		log_warn("could not count a failed %s check for %s", what, who->username);
	log_warn("%s check failed for %s", what, who->username);
}

bool api_device_hash(struct http_req *req, unsigned char hash[AUTH_TOKEN_HASH_BYTES])
{
	char token[AUTH_TOKEN_CHARS + 8];
	size_t n;
	bool ok = http_cookie(req, "hat_device", token, sizeof token);

	/* Only a token of the shape hatd makes: 43 URL-safe base64 characters. */
	n = ok ? strlen(token) : 0;
	ok = ok && n == AUTH_TOKEN_CHARS - 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = (token[i] >= 'A' && token[i] <= 'Z') || (token[i] >= 'a' && token[i] <= 'z') ||
		     (token[i] >= '0' && token[i] <= '9') || token[i] == '-' || token[i] == '_';
	if (ok)
		auth_token_hash(token, hash);
	sodium_memzero(token, sizeof token);
	return ok;
}

enum hat_err api_check_witness(struct http_req *req, json_t *witness, unsigned roles,
			       int64_t *witness_id, bool *by_token)
{
	const struct auth_principal *who = api_who(req);
	unsigned char device[AUTH_TOKEN_HASH_BYTES];
	bool has_device = api_device_hash(req, device);
	enum auth_witness_via via = AUTH_VIA_PASSWORD;
	int64_t now = clock_now();
	enum hat_err rc = witness_gate(req, now);

	*by_token = false;
	if (rc != HAT_OK)
		return rc;
	rc = auth_witness_check(api_reader(req), witness, who->user_id, roles,
				has_device ? device : NULL, now, &context->policy, witness_id,
				&via);
	*by_token = via == AUTH_VIA_TOKEN;
	/* Only passwords and PINs are counted: a 256-bit witness token cannot
	** be guessed.  A wrong PIN counts twice: against the person typing
	** (the throttle) and against the PIN, so that several colleagues
	** together cannot guess one PIN either. */
	if (rc == HAT_E_WITNESS_BAD_CREDENTIALS && via != AUTH_VIA_TOKEN)
		witness_failed(req, now, via == AUTH_VIA_PIN ? "witness PIN" : "witness");
	if (rc == HAT_E_WITNESS_BAD_CREDENTIALS && via == AUTH_VIA_PIN && *witness_id) {
		/* As at login: a wrong PIN that could not be counted would let
		** guessing go on past the lock, so it is not reported as one. */
		enum hat_err counted = pins_failed(&context->runner, *witness_id, now);

		if (counted != HAT_OK) {
			log_error("a wrong PIN for user %lld could not be counted (%s)",
				  (long long)*witness_id, hat_err_code(counted));
			rc = counted;
		}
	}
	if (rc != HAT_OK)
		*witness_id = 0;
	if (rc == HAT_OK && via == AUTH_VIA_PIN &&
	    pins_succeeded(&context->runner, *witness_id, device, now) != HAT_OK)
		log_warn("could not clear the wrong PINs of user %lld", (long long)*witness_id);
	return rc;
}

enum hat_err api_run_reauthenticated(struct http_req *req, const struct cmd_def *def)
{
	const struct auth_principal *who = api_who(req);
	const char *current = json_string_value(json_object_get(req->body, "current_password"));
	char hash[AUTH_HASH_MAX] = "";
	struct store_stmt *s;
	int64_t now = clock_now();
	bool found = false;
	enum hat_err rc;

	if (req->path_id != who->user_id)
		return run_cmd(req, def, req->body, 0);
	req->err_field = "current_password";
	if (!current)
		return json_object_get(req->body, "current_password") ? HAT_E_WRONG_TYPE
								       : HAT_E_MISSING_FIELD;
	rc = witness_gate(req, now);
	if (rc == HAT_OK)
		rc = store_prepare(api_reader(req), "SELECT password_hash FROM users WHERE id = ?", &s);
	if (rc == HAT_OK) {
		rc = store_bind_int(s, 1, who->user_id);
		if (rc == HAT_OK)
			rc = store_step(s, &found);
		if (rc == HAT_OK && found)
			found = str_copy(hash, sizeof hash, store_col_text(s, 0));
		store_done(s);
	}
	if (rc == HAT_OK && (!found || !auth_password_verify(hash, current))) {
		witness_failed(req, now, "current password");
		rc = HAT_E_CURRENT_PASSWORD;
	}
	sodium_memzero(hash, sizeof hash);
	if (rc != HAT_OK)
		return rc;
	req->err_field = NULL;
	return run_cmd_as(req, def, req->body, 0, true);
}

/* Runs a command that a second person witnesses.  The witness's password
** (or witness token) is checked here, on the request's own thread, so the
** writer never waits on a password hash; the command checks the witness
** again, cheaply, inside its transaction. */
enum hat_err api_run_witnessed(struct http_req *req, const struct cmd_def *def, unsigned roles)
{
	json_t *witness = json_object_get(req->body, "witness");
	int64_t witness_id = 0;
	bool by_token;
	enum hat_err rc;

	req->err_field = "witness";
	if (!witness)
		return HAT_E_WITNESS_REQUIRED;
	if (!json_is_object(witness))
		return HAT_E_WRONG_TYPE;
	rc = api_check_witness(req, witness, roles, &witness_id, &by_token);
	if (rc != HAT_OK)
		return rc;
	req->err_field = NULL;
	return run_cmd(req, def, req->body, witness_id);
}

/* Runs a command a second person may confirm (a clinical role, a licence):
** the body's "confirmer" is authenticated here when present, as a witness
** is, and the command decides whether it needed one. */
enum hat_err api_run_confirmed(struct http_req *req, const struct cmd_def *def)
{
	json_t *confirmer = json_object_get(req->body, "confirmer");
	int64_t confirmer_id = 0;
	bool by_token = false;
	enum hat_err rc;

	if (confirmer) {
		req->err_field = "confirmer";
		if (!json_is_object(confirmer))
			return HAT_E_WRONG_TYPE;
		rc = api_check_witness(req, confirmer,
				       policy_rules[POLICY_USER_CONFIRM_GRANT].roles,
				       &confirmer_id, &by_token);
		if (rc == HAT_E_WITNESS_ROLE || rc == HAT_E_WITNESS_SAME_PERSON)
			rc = HAT_E_CONFIRMER_INVALID;
		if (rc != HAT_OK)
			return rc;
		req->err_field = NULL;
	}
	return run_cmd(req, def, req->body, confirmer_id);
}

enum hat_err api_log_access(struct http_req *req, int64_t patient_id, const char *what)
{
	const struct auth_principal *who = api_who(req);
	const char *why = http_query(req, "reason");
	json_t *input;
	struct cmd c;
	enum hat_err rc;

	input = json_pack("{s:I, s:s, s:s}", "patient_id", (json_int_t)patient_id, "what", what,
			  "why", why ? why : "");
	if (!input)
		return HAT_E_NOMEM;
	cmd_init(&c, &patients_access, who->user_id, who->roles, input, clock_now());
	rc = cmd_execute(&context->runner, &c);
	if (rc != HAT_OK)
		req->err_field = c.err_field;
	/* The why comes from the query's reason: name what the client sent. */
	if (rc != HAT_OK && c.err_field && strcmp(c.err_field, "why") == 0) {
		req->err_field = "reason";
		rc = HAT_E_INVALID_QUERY;
	}
	cmd_finish(&c);
	json_decref(input);
	return rc;
}

/* The first premises where the caller's role is held (the first of all
** for staff whose role is global), so that a board asked for with no
** premises is one its reader may see. */
static enum hat_err default_premises(struct http_req *req, int64_t *id)
{
	int64_t first = 0;
	size_t n = 0;
	int64_t *ids = NULL;
	/* Read them all before checking: each check runs statements of its own. */
	enum hat_err rc = store_query_ids(api_reader(req), "SELECT id FROM premises ORDER BY id",
					  &ids, &n);

	if (rc == HAT_OK && n == 0)
		rc = HAT_E_UNKNOWN_PREMISES;
	for (size_t i = 0; rc == HAT_OK && i < n; i++) {
		if (api_premises_allowed(req, ids[i]) == HAT_OK) {
			first = ids[i];
			break;
		}
	}
	if (rc == HAT_OK && first == 0) {
		/* Allowed nowhere: the first premises' refusal says why. */
		first = ids[0];
		rc = api_premises_allowed(req, first);
	}
	free(ids);
	*id = first;
	return rc;
}

/* ?premises_id=N, defaulting to the first premises the caller may see. */
enum hat_err api_premises_param(struct http_req *req, int64_t *id)
{
	const char *v = http_query(req, "premises_id");
	bool found;
	enum hat_err rc;

	if (v) {
		if (!str_to_int64(v, 1, INT64_MAX, id)) {
			req->err_field = "premises_id";
			return HAT_E_INVALID_QUERY;
		}
		rc = store_query_int(api_reader(req), "SELECT id FROM premises WHERE id = ?", &found,
				     id, "i", *id);
	} else {
		return default_premises(req, id);
	}
	if (rc == HAT_OK && !found)
		rc = HAT_E_UNKNOWN_PREMISES;
	if (rc == HAT_OK)
		rc = api_premises_allowed(req, *id);
	return rc;
}

enum hat_err api_premises_allowed(struct http_req *req, int64_t premises_id)
{
	const struct auth_principal *who = api_who(req);
	const struct policy_rule *rule = req->route->policy;

	if (!rule || policy_is_open(rule) || !who || (who->global_roles & rule->roles & POLICY_ROLES))
		return HAT_OK;
	return premises_id > 0 ? auth_check_at_premises(api_reader(req), who->user_id, premises_id,
							rule->roles & POLICY_ROLES)
			       : auth_check_provider_wide(api_reader(req), who->user_id,
							  rule->roles & POLICY_ROLES);
}

enum hat_err api_provider_only(struct http_req *req)
{
	const char *v = http_query(req, "premises_id");

	if (v && strcmp(v, "all") != 0) {
		req->err_field = "premises_id";
		snprintf(req->err_message, sizeof req->err_message,
			 "This view is of the whole provider only: premises_id=all or none.");
		return HAT_E_INVALID_QUERY;
	}
	return api_premises_allowed(req, 0);
}

enum hat_err api_premises_scope(struct http_req *req, bool dflt_all, int64_t *id)
{
	const char *v = http_query(req, "premises_id");

	if ((v && strcmp(v, "all") == 0) || (!v && dflt_all)) {
		*id = 0;
		return api_premises_allowed(req, 0);
	}
	return api_premises_param(req, id);
}

/* ?from=YYYY-MM-DD&to=YYYY-MM-DD, defaulting to the last `days` days. */
enum hat_err api_date_range(struct http_req *req, int32_t days, int32_t *from, int32_t *to)
{
	const char *f = http_query(req, "from");
	const char *t = http_query(req, "to");

	*to = clock_local_date(clock_now());
	if (t && clock_parse_date(t, to) != HAT_OK) {
		req->err_field = "to";
		return HAT_E_INVALID_DATE;
	}
	*from = *to - days + 1;
	if (f && clock_parse_date(f, from) != HAT_OK) {
		req->err_field = "from";
		return HAT_E_INVALID_DATE;
	}
	if (*from > *to) {
		req->err_field = "from";
		return HAT_E_DATE_ORDER;
	}
	if (*to - *from > 3660) {
		req->err_field = "from";
		return HAT_E_OUT_OF_RANGE;
	}
	return HAT_OK;
}

static enum hat_err query_int(struct http_req *req, const char *name, int64_t min, int64_t max,
			      int64_t dflt, int64_t *out)
{
	const char *v = http_query(req, name);

	*out = dflt;
	if (!v)
		return HAT_OK;
	if (!str_to_int64(v, min, max, out)) {
		req->err_field = name;
		return HAT_E_INVALID_QUERY;
	}
	return HAT_OK;
}

enum hat_err api_paging(struct http_req *req, int64_t *limit, int64_t *offset)
{
	enum hat_err rc = query_int(req, "limit", 1, 500, 50, limit);

	if (rc == HAT_OK)
		rc = query_int(req, "offset", 0, INT32_MAX, 0, offset);
	return rc;
}

enum hat_err api_keyset(struct http_req *req, int64_t dflt, int64_t max, int64_t *limit,
			int64_t *after_seq)
{
	enum hat_err rc = query_int(req, "limit", 1, max, dflt, limit);

	/* after_seq is the name every paged list shares; `after` is the one
	** the logs had first, still read when after_seq is not given. */
	if (rc == HAT_OK && http_query(req, "after_seq"))
		rc = query_int(req, "after_seq", 0, INT64_MAX, 0, after_seq);
	else if (rc == HAT_OK)
		rc = query_int(req, "after", 0, INT64_MAX, 0, after_seq);
	return rc;
}
