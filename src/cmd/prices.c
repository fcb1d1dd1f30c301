/*
** prices.c: see prices.h.
*/
#include "prices.h"

static const struct field price_fields[] = {
	{ "price_pence", FT_INT, true, 0, 10000000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_price(struct store_conn *conn, struct cmd *c)
{
	int64_t n = 0;
	bool found;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM register_pages WHERE id = ?", &found,
					  &n, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return HAT_E_NOT_FOUND;
	rc = store_run(conn, "INSERT INTO drug_prices (page_id, price_pence, set_by, set_at)"
			     " VALUES (?, ?, ?, ?)", "iiii", c->target_id,
		       fields_int(c->input, "price_pence", 0), c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "page_id", json_integer(c->target_id));
	json_object_set_new(d, "id", json_integer(store_last_id(conn)));
	return cmd_audit_answer(conn, c, "register_page", c->target_id, d, 201);
}

const struct cmd_def drug_price_set = {
	"drug.price", price_fields, POLICY_RULE(DRUG_PRICE_SET), run_price, NULL,
};

/* Each administration entry with the price in force when it was made
** (the newest set at or before it), or NULL. */
static const char sql_cost[] =
	"WITH used AS (SELECT e.qty, (SELECT p.price_pence FROM drug_prices p WHERE p.page_id = e.page_id"
	"  AND p.set_at <= e.at ORDER BY p.set_at DESC, p.id DESC LIMIT 1) AS price"
	"  FROM register_entries e JOIN register_pages g ON g.id = e.page_id"
	"  WHERE e.kind = 'administration' AND (?1 = 0 OR g.premises_id = ?1)"
	"  AND e.event_date BETWEEN ?2 AND ?3)"
	" SELECT coalesce(sum(qty), 0) AS ampoules,"
	" coalesce(sum(CASE WHEN price IS NOT NULL THEN qty END), 0) AS priced_ampoules,"
	" coalesce(sum(qty * price), 0) AS cost_pence FROM used";

enum hat_err prices_drug_cost(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			      json_t **out)
{
	json_t *rows = NULL;
	enum hat_err rc = store_query_json(c, sql_cost, &rows, "iii", premises_id, (int64_t)from,
					   (int64_t)to);

	if (rc != HAT_OK)
		return rc;
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
