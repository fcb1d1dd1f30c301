/*
** duties.h: separation of duties when roles and licences are given.
**
** An account manager (admin) must not be able to make themselves, or anyone,
** a prescriber or a dose-giver on their own say-so.  So: nobody grants a role
** or a licence to themselves, and a clinical role or a Home Office licence is
** given only when a second person, holding a confirming role, confirms it.
** Which roles count as clinical and which may confirm are the caller's (the
** policy table's) to say; this file holds the rule.  Pure: no I/O.
*/
#ifndef HAT_CORE_DUTIES_H
#define HAT_CORE_DUTIES_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

struct duties_grant {
	int64_t actor_id;          /* who makes the change; 0: the operator at the
				   ** machine's command line, who holds the database
				   ** file and so is outside the rule */
	int64_t target_id;         /* whose account changes (0: a new account) */
	unsigned roles_before;     /* the target's roles before (0 when new) */
	unsigned roles_after;      /* and after */
	bool licence;              /* a licence is being recorded */
	unsigned confirmed_roles;  /* roles that need a second person */
	int64_t confirmer_id;      /* who confirmed it, or 0 */
	unsigned confirmer_roles;  /* the roles the confirmer holds now */
	bool confirmer_active;     /* the confirmer's account is not disabled */
	unsigned confirming_roles; /* roles that may confirm */
};

/*
** Decides whether a grant may go ahead.
** HAT_E_SELF_GRANT: the actor adds a role, or a licence, to their own account.
** HAT_E_CONFIRMATION_REQUIRED: a role in confirmed_roles is added, or a
** licence recorded, and no one confirmed it.
** HAT_E_CONFIRMER_INVALID: the confirmer is the actor or the target, is
** disabled, or holds none of confirming_roles.
** A confirmer given for a change that needs none is not an error (and is
** not checked).
*/
enum hat_err duties_check_grant(const struct duties_grant *g);

/* True when the change needs a confirmer (a confirmed role is added, or a
** licence recorded). */
bool duties_needs_confirmer(const struct duties_grant *g);

#endif
