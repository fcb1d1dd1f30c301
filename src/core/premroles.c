/*
** premroles.c: see premroles.h.
*/
#include "premroles.h"

unsigned premroles_at(unsigned global, const struct premroles_grant *g, size_t n,
		      int64_t premises_id)
{
	unsigned roles = global;

	for (size_t i = 0; i < n; i++)
		if (g[i].premises_id == premises_id)
			roles |= g[i].roles;
	return roles;
}

unsigned premroles_anywhere(unsigned global, const struct premroles_grant *g, size_t n)
{
	unsigned roles = global;

	for (size_t i = 0; i < n; i++)
		roles |= g[i].roles;
	return roles;
}

unsigned premroles_everywhere(unsigned global, const struct premroles_grant *g, size_t n,
			      const int64_t *ids, size_t nids)
{
	unsigned every = ~0u;

	if (nids == 0)
		return global;
	/* A role counts when it is held at each premises, globally or there. */
	for (size_t i = 0; i < nids; i++)
		every &= premroles_at(global, g, n, ids[i]);
	return every;
}

enum hat_err premroles_check(unsigned held_here, unsigned held_anywhere, unsigned allowed)
{
	if (held_here & allowed)
		return HAT_OK;
	if (held_anywhere & allowed)
		return HAT_E_NOT_AT_PREMISES;
	return HAT_E_FORBIDDEN;
}
