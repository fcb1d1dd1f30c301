/*
** policy.c: see policy.h.
*/
#include <string.h>

#include "policy.h"

const struct policy_rule policy_rules[POLICY_COUNT] = {
#define POLICY(id, action, roles, summary) [POLICY_##id] = { action, roles, summary },
#include "auth/policy.def"
#undef POLICY
};

bool policy_allows(const struct policy_rule *rule, unsigned roles)
{
	if (!rule)
		return false;
	if (rule->roles & POLICY_NO_LOGIN)
		return true;
	return (rule->roles & roles & POLICY_ROLES) != 0;
}

bool policy_is_open(const struct policy_rule *rule)
{
	return rule && (rule->roles & POLICY_NO_LOGIN);
}

const struct policy_rule *policy_find(const char *action)
{
	for (size_t i = 0; i < POLICY_COUNT; i++) {
		if (strcmp(policy_rules[i].action, action) == 0)
			return &policy_rules[i];
	}
	return NULL;
}

enum hat_err policy_matrix_markdown(struct buf *out)
{
	enum hat_err rc = buf_puts(out, "| action |");

	for (unsigned bit = 1; rc == HAT_OK && bit <= ROLE_SERVICE_USER; bit <<= 1)
		rc = buf_printf(out, " %s |", bit == ROLE_SERVICE_USER ? "service user"
								: auth_role_name(bit));
	if (rc == HAT_OK)
		rc = buf_puts(out, " covers |\n|---|");
	for (unsigned bit = 1; rc == HAT_OK && bit <= ROLE_SERVICE_USER; bit <<= 1)
		rc = buf_puts(out, ":-:|");
	if (rc == HAT_OK)
		rc = buf_puts(out, "---|\n");
	for (size_t i = 0; rc == HAT_OK && i < POLICY_COUNT; i++) {
		const struct policy_rule *r = &policy_rules[i];

		rc = buf_printf(out, "| `%s` |", r->action);
		for (unsigned bit = 1; rc == HAT_OK && bit <= ROLE_SERVICE_USER; bit <<= 1) {
			const char *cell = (r->roles & POLICY_NO_LOGIN) ? " anyone |"
					   : (r->roles & bit) ? " yes |" : " |";

			rc = buf_puts(out, cell);
		}
		if (rc == HAT_OK)
			rc = buf_printf(out, " %s |\n", r->summary);
	}
	return rc;
}
