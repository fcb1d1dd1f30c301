/*
** premroles.h: which roles a person holds at which premises.
**
** A provider may run several premises, and its staff may work at some of
** them only.  A role is held either globally (user_roles: at every
** premises, which is what a single clinic has) or at one premises
** (user_premises_roles).  An act on a premises' data (a patient's dose, a
** register page, its settings, its board or reports) is allowed only when
** the actor holds a role the policy row allows at THAT premises, or
** globally; a provider-wide view only when the role is held at every
** premises.  This file holds that rule; callers load the grants and ask.
** Pure: no I/O, no allocation.
*/
#ifndef HAT_CORE_PREMROLES_H
#define HAT_CORE_PREMROLES_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The roles one person holds at one premises (one row per premises). */
struct premroles_grant {
	int64_t premises_id;
	unsigned roles;
};

/* The roles held at premises_id: the global ones and those granted there. */
unsigned premroles_at(unsigned global, const struct premroles_grant *g, size_t n,
		      int64_t premises_id);

/* The roles held anywhere: the global ones and every premises' grants.
** What gets a person through a route's gate, before the premises is known. */
unsigned premroles_anywhere(unsigned global, const struct premroles_grant *g, size_t n);

/* The roles held at every one of the provider's premises ids[0..nids):
** the global ones, and each role granted at each of them.  With no
** premises at all, the global roles only. */
unsigned premroles_everywhere(unsigned global, const struct premroles_grant *g, size_t n,
			      const int64_t *ids, size_t nids);

/*
** Decides an act at one premises (or, with held_here from
** premroles_everywhere, for the provider as a whole).  allowed is the
** policy row's role bits.
** HAT_OK: a role held here is allowed.
** HAT_E_NOT_AT_PREMISES: an allowed role is held, but elsewhere only.
** HAT_E_FORBIDDEN: no allowed role is held anywhere.
*/
enum hat_err premroles_check(unsigned held_here, unsigned held_anywhere, unsigned allowed);

#endif
