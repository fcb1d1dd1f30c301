/*
** cmd.h: commands, the only way anything in hat is changed.
**
** A command is a struct: its definition (name, input fields, policy row,
** run function), the actor, the validated input and an idempotency key.  The API
** and hatctl build commands; cmd_execute validates the input against the
** definition's field table and hands the command to the writer (hatd) or
** runs it in a transaction of its own (hatctl).  The run function loads the
** state it needs, asks core/ to decide, writes rows and audit events, and
** either returns HAT_OK with a result or a code that rolls all of it back.
**
** Ownership: the caller owns the cmd struct and its input; after
** cmd_execute, c->result (when set) is a new JSON reference the caller
** releases with cmd_finish.
*/
#ifndef HAT_CMD_CMD_H
#define HAT_CMD_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/auth.h"
#include "auth/policy.h"
#include "cmd/fields.h"
#include "store/store.h"
#include "store/writer.h"
#include "util/buf.h"
#include "util/clock.h"

struct cmd;

struct cmd_def {
	const char *name;            /* "patient.create": also the audit action */
	const struct field *fields;  /* the input's field table */
	const struct policy_rule *policy; /* who may run it: POLICY_RULE(ID) from
					   ** auth/policy.def; NULL allows no one
					   ** but the operator at hatctl */
	enum hat_err (*run)(struct store_conn *c, struct cmd *cmd);
	/* Optional slow work done before the writer sees the command (hashing
	** a password), so that the writer never waits on it. */
	enum hat_err (*prepare)(struct cmd *cmd);
};

struct cmd {
	const struct cmd_def *def;
	int64_t actor_id;        /* 0: the operator at hatctl */
	unsigned actor_roles;    /* held anywhere (auth_principal.roles) */
	unsigned actor_global_roles; /* held at every premises: no premises
				 ** check is needed for these (set by the
				 ** API; 0 asks the store) */
	const char *operator_name; /* hatctl: the operating-system user */
	int64_t now;             /* read once by the caller */
	json_t *input;           /* borrowed; validated by cmd_execute */
	int64_t target_id;       /* the record named in the path, when any */
	const char *idempotency_key; /* NULL when none */
	const struct auth_policy *policy; /* set by cmd_execute, for witness checks */
	bool anonymous;          /* no one is logged in (a failed login) */
	int64_t witness_id;      /* a second person the caller has already
				 ** authenticated (auth_witness_check): the
				 ** slow password check stays off the writer */
	char prepared[AUTH_HASH_MAX]; /* what prepare computed */
	bool reauthenticated;    /* the caller checked the actor's current
				 ** password (off the writer) for this command */
	const unsigned char *actor_session; /* the token hash of the session
				 ** asking (AUTH_TOKEN_HASH_BYTES), or NULL */
	int64_t premises_id;     /* the premises the command acts at, once
				 ** cmd_at_premises has checked the actor's
				 ** role there (0 before): a witness's role is
				 ** then the one held there (cmd_witness_roles) */

	/* Results. */
	enum hat_err err;
	const char *err_field;   /* the field at fault, when one is */
	char err_message[240];   /* a specific message, or "" for the table's */
	int status;              /* 200 or 201 on success */
	json_t *result;          /* owned; the answer body on success */
	bool replayed;           /* the answer came from an earlier request */

	/* Private. */
	bool no_answer;          /* cmd_answer was given NULL: building it failed */
	struct writer_job job;
	struct cmd_event *events; /* staged by cmd_audit, written when run succeeds */
	size_t n_events;
	size_t cap_events;
};

/* An audit event a command has staged: written, with the rows the command
** bound, once its run function has succeeded. */
struct cmd_event {
	char *entity;
	int64_t entity_id;
	char *detail; /* canonical text */
};

/* Where commands run: a writer thread (hatd) or a connection (hatctl). */
struct cmd_runner {
	struct writer *writer;   /* when set, commands go to the writer thread */
	struct store_conn *conn; /* otherwise they run here, one per transaction */
	const struct auth_policy *policy;
};

/* Prepares a command for def.  input is borrowed. */
void cmd_init(struct cmd *c, const struct cmd_def *def, int64_t actor_id,
	      unsigned actor_roles, json_t *input, int64_t now);

/* Validates and runs the command; returns c->err.  HAT_E_FORBIDDEN when the
** policy row does not allow the actor's roles. */
enum hat_err cmd_execute(const struct cmd_runner *r, struct cmd *c);

/* Installs what commands need on a writable connection (the change
** tracking that binds rows into the audit chain).  Call once after
** store_open, outside a transaction; writer_start takes it as its on_open. */
enum hat_err cmd_conn_open(struct store_conn *c);

/* Releases the result.  Safe to call twice. */
void cmd_finish(struct cmd *c);

/* For run functions: refuse with a code, naming a field and a specific
** message (either may be NULL).  Returns code. */
enum hat_err cmd_refuse(struct cmd *c, enum hat_err code, const char *field,
			const char *message);

/* For run functions acting on one premises' data (a patient's visit, a
** prescription, the register, the premises' settings): refuses with
** HAT_E_NOT_AT_PREMISES unless the actor holds one of the command's policy
** roles at premises_id, or globally (core/premroles.h).  The operator at
** hatctl (actor 0) is outside the rule. */
enum hat_err cmd_at_premises(struct store_conn *conn, struct cmd *c, int64_t premises_id);

/* The roles the command's witness holds where it acts: at c->premises_id
** (globally or there) when cmd_at_premises set it, else the global ones. */
enum hat_err cmd_witness_roles(struct store_conn *conn, const struct cmd *c, unsigned *mask);

/* For run functions: append an audit event for this command, its action
** being def->name.  detail is borrowed (read now, not kept) and never NULL
** (an event with nothing to add passes an empty object): NULL is taken for a
** detail whose building failed, and refused with HAT_E_NOMEM.  The events
** are written in order when the run function returns HAT_OK, and the last of
** them binds every row the command wrote (audit/rows.h). */
enum hat_err cmd_audit(struct store_conn *conn, struct cmd *c, const char *entity,
		       int64_t entity_id, json_t *detail);

/* For run functions, the usual ending: audits detail (cmd_audit) and
** answers with it (cmd_answer, status).  Steals detail either way; NULL
** is refused with HAT_E_NOMEM.  Returns the audit's result. */
enum hat_err cmd_audit_answer(struct store_conn *conn, struct cmd *c, const char *entity,
			      int64_t entity_id, json_t *detail, int status);

/* For run functions: set the answer (steals result).  A NULL result means
** building it failed (json_pack or the like ran out of memory): the command
** then fails with HAT_E_NOMEM and its writes are rolled back, so no caller is
** told of a success it cannot see. */
void cmd_answer(struct cmd *c, int status, json_t *result);

#endif
