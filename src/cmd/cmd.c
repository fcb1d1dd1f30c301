/*
** cmd.c: see cmd.h.
**
** Idempotency: a command carrying a key first looks for an earlier answer
** under (actor, key) inside the same transaction.  The same request again
** gets the first answer back and writes nothing; a different request under
** the same key is refused.  Only successful answers are kept: a refused
** command wrote nothing, so running it again is harmless and may succeed
** once the state has changed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>

#include <sodium.h>

#include "cmd.h"
#include "audit/audit.h"
#include "audit/rows.h"
#include "auth/premises.h"
#include "util/log.h"

void cmd_init(struct cmd *c, const struct cmd_def *def, int64_t actor_id,
	      unsigned actor_roles, json_t *input, int64_t now)
{
	memset(c, 0, sizeof *c);
	c->def = def;
	c->actor_id = actor_id;
	c->actor_roles = actor_roles;
	c->input = input;
	c->now = now;
	c->status = 200;
}

static void events_clear(struct cmd *c)
{
	for (size_t i = 0; i < c->n_events; i++) {
		free(c->events[i].entity);
		free(c->events[i].detail);
	}
	free(c->events);
	c->events = NULL;
	c->n_events = c->cap_events = 0;
}

void cmd_finish(struct cmd *c)
{
	json_decref(c->result);
	c->result = NULL;
	events_clear(c);
}

enum hat_err cmd_conn_open(struct store_conn *c)
{
	return audit_rows_install(c);
}

enum hat_err cmd_refuse(struct cmd *c, enum hat_err code, const char *field,
			const char *message)
{
	c->err_field = field;
	if (message)
		snprintf(c->err_message, sizeof c->err_message, "%s", message);
	return code;
}

enum hat_err cmd_at_premises(struct store_conn *conn, struct cmd *c, int64_t premises_id)
{
	enum hat_err rc;

	if (c->actor_id == 0 || c->anonymous || !c->def->policy) {
		c->premises_id = premises_id;
		return HAT_OK;
	}
	rc = c->actor_global_roles & c->def->policy->roles & POLICY_ROLES
		     ? HAT_OK
		     : auth_check_at_premises(conn, c->actor_id, premises_id,
					      c->def->policy->roles & POLICY_ROLES);
	if (rc == HAT_E_NOT_AT_PREMISES || rc == HAT_E_FORBIDDEN)
		return cmd_refuse(c, rc, NULL, NULL);
	if (rc == HAT_OK)
		c->premises_id = premises_id;
	return rc;
}

enum hat_err cmd_witness_roles(struct store_conn *conn, const struct cmd *c, unsigned *mask)
{
	if (c->premises_id > 0)
		return auth_roles_at(conn, c->witness_id, c->premises_id, mask);
	return auth_user_roles(conn, c->witness_id, mask);
}

enum hat_err cmd_audit_answer(struct store_conn *conn, struct cmd *c, const char *entity,
			      int64_t entity_id, json_t *detail, int status)
{
	enum hat_err rc = cmd_audit(conn, c, entity, entity_id, detail);

	if (rc != HAT_OK) {
		json_decref(detail);
		return rc;
	}
	cmd_answer(c, status, detail);
	return HAT_OK;
}

void cmd_answer(struct cmd *c, int status, json_t *result)
{
	json_decref(c->result);
	c->status = status;
	c->result = result;
	c->no_answer = result == NULL;
}

static const char *operator_name(void)
{
	static char name[64];
	struct passwd pw;
	struct passwd *res = NULL;
	char buf[1024];

	if (name[0])
		return name;
	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res)
		snprintf(name, sizeof name, "%s", res->pw_name);
	else
		snprintf(name, sizeof name, "uid %u", (unsigned)getuid());
	return name;
}

static enum hat_err stage_event(struct cmd *c, const char *entity, int64_t entity_id,
			       json_t *detail)
{
	struct cmd_event *e;

	if (c->n_events == c->cap_events) {
		size_t cap = c->cap_events ? 2 * c->cap_events : 4;
		struct cmd_event *grown = realloc(c->events, cap * sizeof *grown);

		if (!grown)
			return HAT_E_NOMEM;
		c->events = grown;
		c->cap_events = cap;
	}
	e = &c->events[c->n_events];
	e->entity = strdup(entity);
	e->entity_id = entity_id;
	e->detail = audit_detail_text(detail);
	if (!e->entity || !e->detail) {
		free(e->entity);
		free(e->detail);
		return HAT_E_NOMEM;
	}
	c->n_events++;
	return HAT_OK;
}

/* Writes the staged events; the last binds the rows the command wrote.  A
** command that wrote rows without an event of its own still gets one, so
** that no row hat wrote is left unaccounted for. */
static enum hat_err events_write(struct store_conn *conn, struct cmd *c)
{
	enum hat_err rc = HAT_OK;

	for (size_t i = 0; rc == HAT_OK && i < c->n_events; i++)
		rc = audit_append_text(conn, c->now, c->actor_id, c->def->name, c->events[i].entity,
				       c->events[i].entity_id, c->events[i].detail,
				       i + 1 == c->n_events);
	if (rc == HAT_OK && c->n_events == 0 && audit_rows_pending(conn))
		rc = audit_append_event(conn, c->now, c->actor_id, c->def->name, "record",
					c->target_id, NULL, true);
	return rc;
}

enum hat_err cmd_audit(struct store_conn *conn, struct cmd *c, const char *entity,
		       int64_t entity_id, json_t *detail)
{
	enum hat_err rc;
	json_t *d = detail;

	(void)conn;
	/* NULL is what a failed json_pack gives: an event without the detail
	** it was meant to carry is not written. */
	if (!detail) {
		log_error("cmd: %s built no audit detail", c->def->name);
		return HAT_E_NOMEM;
	}
	if (c->actor_id == 0 && !c->anonymous) {
		/* hatctl acts for the machine's operator, not a logged-in person;
		** name them so that the event still says who. */
		d = json_deep_copy(detail);
		if (!d || json_object_set_new(d, "via", json_string("hatctl")) != 0 ||
		    json_object_set_new(d, "operator",
					json_string(c->operator_name ? c->operator_name
								     : operator_name())) != 0) {
			json_decref(d);
			return HAT_E_NOMEM;
		}
	}
	rc = stage_event(c, entity, entity_id, d);
	if (d != detail)
		json_decref(d);
	return rc;
}

/* A request the hash could not see whole must not be matched to an earlier
** one: HAT_E_NOMEM when the input cannot be serialised. */
static enum hat_err request_hash(const struct cmd *c, unsigned char out[32])
{
	crypto_generichash_state st;
	char *text = c->input ? json_dumps(c->input, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char target[32];

	if (c->input && !text)
		return HAT_E_NOMEM;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const unsigned char *)c->def->name, strlen(c->def->name) + 1);
	snprintf(target, sizeof target, "%lld", (long long)c->target_id);
	crypto_generichash_update(&st, (const unsigned char *)target, strlen(target) + 1);
	if (text)
		crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
	crypto_generichash_final(&st, out, 32);
	free(text);
	return HAT_OK;
}

static const char sql_idem_get[] =
	"SELECT request_hash, status, body FROM idempotency WHERE user_id = ? AND key = ?";
static const char sql_idem_put[] =
	"INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at)"
	" VALUES (?, ?, ?, ?, ?, ?)";

/* Looks for an earlier answer; *found says whether one was used. */
static enum hat_err idem_lookup(struct store_conn *conn, struct cmd *c,
				const unsigned char hash[32], bool *found)
{
	struct store_stmt *s;
	enum hat_err rc;
	bool row = false;
	size_t len;
	const void *blob;
	json_error_t jerr;

	*found = false;
	rc = store_prepare(conn, sql_idem_get, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "it", c->actor_id, c->idempotency_key);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		blob = store_col_blob(s, 0, &len);
		if (len != 32 || memcmp(blob, hash, 32) != 0) {
			rc = cmd_refuse(c, HAT_E_IDEMPOTENCY_REUSED, NULL, NULL);
		} else {
			*found = true;
			c->replayed = true;
			c->status = (int)store_col_int(s, 1);
			c->result = json_loads(store_col_text(s, 2), 0, &jerr);
			if (!c->result)
				rc = HAT_E_STORE;
		}
	}
	store_done(s);
	return rc;
}

static enum hat_err idem_store(struct store_conn *conn, struct cmd *c,
			       const unsigned char hash[32])
{
	struct store_stmt *s;
	enum hat_err rc;
	char *body = json_dumps(c->result ? c->result : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
	bool row;

	if (!body)
		return HAT_E_NOMEM;
	rc = store_prepare(conn, sql_idem_put, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "it", c->actor_id, c->idempotency_key);
	if (rc == HAT_OK)
		rc = store_bind_blob(s, 3, hash, 32);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 4, c->status);
	if (rc == HAT_OK)
		rc = store_bind_text(s, 5, body);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 6, c->now);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	free(body);
	return rc;
}

/* The writer job: runs inside the writer's savepoint. */
static enum hat_err cmd_job(struct store_conn *conn, void *arg)
{
	struct cmd *c = arg;
	unsigned char hash[32];
	bool found = false;
	enum hat_err rc;

	/* No rows are pending here: the last command's binding took its own,
	** and a refused one's were rolled back with its savepoint. */
	events_clear(c);
	if (c->idempotency_key) {
		rc = request_hash(c, hash);
		if (rc == HAT_OK)
			rc = idem_lookup(conn, c, hash, &found);
		if (rc != HAT_OK || found)
			return rc;
	}
	c->no_answer = false;
	rc = c->def->run(conn, c);
	if (rc == HAT_OK && c->no_answer) {
		log_error("cmd: %s built no answer; rolled back", c->def->name);
		rc = HAT_E_NOMEM;
	}
	if (rc == HAT_OK)
		rc = events_write(conn, c);
	events_clear(c);
	if (rc == HAT_OK && c->idempotency_key)
		rc = idem_store(conn, c, hash);
	if (rc != HAT_OK) {
		json_decref(c->result);
		c->result = NULL;
	}
	return rc;
}

enum hat_err cmd_execute(const struct cmd_runner *r, struct cmd *c)
{
	struct writer_job *jobs[1];

	c->policy = r->policy;
	/* The operator at hatctl (actor 0, not anonymous) holds the machine
	** and so every authority; anyone else needs the policy's leave. */
	if ((c->actor_id != 0 || c->anonymous) &&
	    !policy_allows(c->def->policy, c->actor_roles)) {
		c->err = HAT_E_FORBIDDEN;
		return c->err;
	}
	if (c->def->fields) {
		c->err = fields_check(c->def->fields, c->input, &c->err_field);
		if (c->err != HAT_OK) {
			fields_explain(c->def->fields, c->err_field, c->err, c->err_message,
				       sizeof c->err_message);
			return c->err;
		}
	}
	if (c->def->prepare) {
		c->err = c->def->prepare(c);
		if (c->err != HAT_OK)
			return c->err;
	}
	c->job.run = cmd_job;
	c->job.arg = c;
	if (r->writer) {
		c->err = writer_submit(r->writer, &c->job);
	} else {
		jobs[0] = &c->job;
		writer_run_batch(r->conn, jobs, 1);
		c->err = c->job.result;
	}
	if (c->err != HAT_OK) {
		json_decref(c->result);
		c->result = NULL;
	}
	return c->err;
}
