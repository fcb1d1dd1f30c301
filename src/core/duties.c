/*
** duties.c: see duties.h.
*/
#include "duties.h"

bool duties_needs_confirmer(const struct duties_grant *g)
{
	unsigned added = g->roles_after & ~g->roles_before;

	return g->licence || (added & g->confirmed_roles) != 0;
}

enum hat_err duties_check_grant(const struct duties_grant *g)
{
	unsigned added = g->roles_after & ~g->roles_before;

	if (g->actor_id == 0)
		return HAT_OK;
	if (g->target_id == g->actor_id && (added || g->licence))
		return HAT_E_SELF_GRANT;
	if (!duties_needs_confirmer(g))
		return HAT_OK;
	if (g->confirmer_id == 0)
		return HAT_E_CONFIRMATION_REQUIRED;
	if (g->confirmer_id == g->actor_id || g->confirmer_id == g->target_id ||
	    !g->confirmer_active || !(g->confirmer_roles & g->confirming_roles))
		return HAT_E_CONFIRMER_INVALID;
	return HAT_OK;
}
