/*
** policy.h: the access policy (role x action), held once in policy.def.
**
** Routes and commands point at a row (POLICY_RULE(ID)); the API's
** authenticator and cmd_execute ask policy_allows.  A NULL rule allows no
** one, so a route or command added without a decision is refused.
**
** The rows are static data: nothing here allocates, and every function is
** safe from any thread.
*/
#ifndef HAT_AUTH_POLICY_H
#define HAT_AUTH_POLICY_H

#include <stdbool.h>

#include "auth/auth.h"
#include "util/buf.h"

/* A row open to anyone, logged in or not (beyond every role bit, the
** service user's included). */
#define POLICY_NO_LOGIN (1u << 16)

/* Every role a row may name: the staff roles and the service user's. */
#define POLICY_ROLES (ROLE_ANY | ROLE_SERVICE_USER)

/* Roles given only when a second person (user.confirm_grant) confirms:
** the clinical roles, and the manager's, since a manager may confirm. */
#define POLICY_CONFIRMED_ROLES \
	(ROLE_PRESCRIBER | ROLE_NURSE | ROLE_PHARMACIST | ROLE_CDAO | ROLE_MANAGER)

struct policy_rule {
	const char *action;  /* "patient.read" */
	unsigned roles;      /* role bits, or POLICY_NO_LOGIN */
	const char *summary; /* what the row covers, for docs/roles.md */
};

enum policy_id {
#define POLICY(id, action, roles, summary) POLICY_##id,
#include "auth/policy.def"
#undef POLICY
	POLICY_COUNT
};

extern const struct policy_rule policy_rules[POLICY_COUNT];

/* The row with that id, as a constant expression for static tables. */
#define POLICY_RULE(id) (&policy_rules[POLICY_##id])

/* True when rule lets someone holding roles act (roles 0: nobody is logged
** in).  False for a NULL rule. */
bool policy_allows(const struct policy_rule *rule, unsigned roles);

/* True when the rule needs no login. */
bool policy_is_open(const struct policy_rule *rule);

/* The row for an action name, or NULL. */
const struct policy_rule *policy_find(const char *action);

/* Appends the policy as a Markdown table, one row per action and one
** column per role (docs/roles.md holds exactly this).  HAT_E_NOMEM. */
enum hat_err policy_matrix_markdown(struct buf *out);

#endif
