/*
** premises.h (auth): the roles a person holds at a premises, loaded from
** user_roles (held at every premises) and user_premises_roles (held at one),
** and the check of an act at a premises or for the whole provider.  The
** rule itself is core/premroles.h; this file loads what it needs.
**
** Errors of every function: HAT_E_STORE, HAT_E_NOMEM; the checks also
** return the rule's HAT_E_NOT_AT_PREMISES, HAT_E_NOT_PROVIDER_WIDE or
** HAT_E_FORBIDDEN.  Nothing here writes.
*/
#ifndef HAT_AUTH_PREMISES_H
#define HAT_AUTH_PREMISES_H

#include <stdint.h>

#include "auth/auth.h"
#include "store/store.h"
#include "util/err.h"

/* The roles a person may be given at one premises: the clinical ones and
** the manager's.  The administrator and the auditor are the provider's. */
#define AUTH_PREMISES_ROLES (ROLE_PRESCRIBER | ROLE_NURSE | ROLE_PHARMACIST | ROLE_KEYWORKER | \
			     ROLE_MANAGER | ROLE_CDAO)

/* *mask: the roles user_id holds anywhere (globally or at some premises):
** what a route's gate lets through before the premises is known.  When
** global is not NULL, *global is set to the roles held at every premises. */
enum hat_err auth_roles_held(struct store_conn *c, int64_t user_id, unsigned *mask,
			     unsigned *global);
/* The same without the global roles. */
enum hat_err auth_roles_anywhere(struct store_conn *c, int64_t user_id, unsigned *mask);

/* *mask: the roles user_id holds at premises_id (globally or there). */
enum hat_err auth_roles_at(struct store_conn *c, int64_t user_id, int64_t premises_id,
			   unsigned *mask);

/* HAT_OK when user_id holds one of allowed at premises_id (or globally);
** HAT_E_NOT_AT_PREMISES when only elsewhere.  user_id 0 is the operator at
** the machine, outside the rule. */
enum hat_err auth_check_at_premises(struct store_conn *c, int64_t user_id, int64_t premises_id,
				    unsigned allowed);

/* HAT_OK when user_id holds one of allowed at every premises (or
** globally); HAT_E_NOT_PROVIDER_WIDE when at some of them only. */
enum hat_err auth_check_provider_wide(struct store_conn *c, int64_t user_id, unsigned allowed);

#endif
