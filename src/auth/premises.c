/*
** premises.c (auth): see premises.h.
*/
#include <stdlib.h>

#include "auth.h"
#include "premises.h"
#include "core/premroles.h"

/* A person's roles: the global mask and one grant per premises. */
struct held {
	unsigned global;
	struct premroles_grant *g;
	size_t n;
	size_t cap;
};

static enum hat_err add_grant(struct held *h, int64_t premises_id, unsigned role)
{
	for (size_t i = 0; i < h->n; i++) {
		if (h->g[i].premises_id == premises_id) {
			h->g[i].roles |= role;
			return HAT_OK;
		}
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 8;
		struct premroles_grant *grown = realloc(h->g, cap * sizeof *grown);

		if (!grown)
			return HAT_E_NOMEM;
		h->g = grown;
		h->cap = cap;
	}
	h->g[h->n].premises_id = premises_id;
	h->g[h->n].roles = role;
	h->n++;
	return HAT_OK;
}

/* Loads the global roles and the grants at one premises (premises_id > 0)
** or at all of them (0).  h->g is the caller's to free. */
static enum hat_err load(struct store_conn *c, int64_t user_id, int64_t premises_id,
			 struct held *h)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = auth_user_roles(c, user_id, &h->global);

	if (rc == HAT_OK)
		rc = store_prepare(c, "SELECT premises_id, role FROM user_premises_roles"
				      " WHERE user_id = ?1 AND (?2 = 0 OR premises_id = ?2)", &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", user_id, premises_id);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		rc = add_grant(h, store_col_int(s, 0), auth_role_parse(store_col_text(s, 1)));
	}
	store_done(s);
	return rc;
}

enum hat_err auth_roles_held(struct store_conn *c, int64_t user_id, unsigned *mask,
			     unsigned *global)
{
	struct held h = { 0 };
	enum hat_err rc = load(c, user_id, 0, &h);

	*mask = rc == HAT_OK ? premroles_anywhere(h.global, h.g, h.n) : 0;
	if (global)
		*global = rc == HAT_OK ? h.global : 0;
	free(h.g);
	return rc;
}

enum hat_err auth_roles_anywhere(struct store_conn *c, int64_t user_id, unsigned *mask)
{
	return auth_roles_held(c, user_id, mask, NULL);
}

enum hat_err auth_roles_at(struct store_conn *c, int64_t user_id, int64_t premises_id,
			   unsigned *mask)
{
	struct held h = { 0 };
	enum hat_err rc = premises_id > 0 ? load(c, user_id, premises_id, &h) : HAT_E_INTERNAL;

	*mask = rc == HAT_OK ? premroles_at(h.global, h.g, h.n, premises_id) : 0;
	free(h.g);
	return rc;
}

enum hat_err auth_check_at_premises(struct store_conn *c, int64_t user_id, int64_t premises_id,
				    unsigned allowed)
{
	struct held h = { 0 };
	enum hat_err rc;

	if (user_id == 0)
		return HAT_OK;
	rc = load(c, user_id, 0, &h);
	if (rc == HAT_OK)
		rc = premroles_check(premroles_at(h.global, h.g, h.n, premises_id),
				     premroles_anywhere(h.global, h.g, h.n), allowed);
	free(h.g);
	return rc;
}

enum hat_err auth_check_provider_wide(struct store_conn *c, int64_t user_id, unsigned allowed)
{
	struct held h = { 0 };
	int64_t *ids = NULL;
	size_t nids = 0;
	enum hat_err rc;

	if (user_id == 0)
		return HAT_OK;
	rc = load(c, user_id, 0, &h);
	if (rc == HAT_OK)
		rc = store_query_ids(c, "SELECT id FROM premises ORDER BY id", &ids, &nids);
	if (rc == HAT_OK) {
		rc = premroles_check(premroles_everywhere(h.global, h.g, h.n, ids, nids),
				     premroles_anywhere(h.global, h.g, h.n), allowed);
		if (rc == HAT_E_NOT_AT_PREMISES)
			rc = HAT_E_NOT_PROVIDER_WIDE;
	}
	free(ids);
	free(h.g);
	return rc;
}
