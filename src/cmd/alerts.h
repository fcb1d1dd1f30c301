/*
** alerts.h: what the controlled-drugs accountable officer should look at.
**
** One read gathers the governance alerts of a premises: register entries
** marked late (reg 20(b): routed to the CDAO), register pages whose stock
** check is overdue, discrepancy cases still open, and prescribers' Home
** Office licences that expire within 28 days or have expired.
*/
#ifndef HAT_CMD_ALERTS_H
#define HAT_CMD_ALERTS_H

#include "cmd/cmd.h"

/* Days before a licence's expiry that it is flagged. */
#define ALERTS_LICENCE_WARN_DAYS 28

/* The alerts for premises_id as of local date today (new reference). */
enum hat_err alerts_read(struct store_conn *c, int64_t premises_id, int32_t today, json_t **out);

#endif
