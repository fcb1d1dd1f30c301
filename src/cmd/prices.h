/*
** prices.h (cmd): the unit price of an ampoule on each register page, kept
** by the pharmacist for the service evaluation's drug cost.
**
** Command drug.price (pharmacist; target = register page): price_pence
** (0 .. 10,000,000).  A new row per change.  Refusals: not_found.
*/
#ifndef HAT_CMD_PRICES_H
#define HAT_CMD_PRICES_H

#include "cmd/cmd.h"

extern const struct cmd_def drug_price_set;

/* The ampoules given (register administrations) from `from` to `to` at
** premises_id (0: all), those with a price in force when given, and their
** cost in pence at that price (new reference). */
enum hat_err prices_drug_cost(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			      json_t **out);

#endif
