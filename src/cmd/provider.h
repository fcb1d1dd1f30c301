/*
** provider.h: views of the whole provider, made of the per-premises views.
**
** A premises' attendance and flexibility report depend on that premises'
** session windows, so the provider's are each premises' own, side by side,
** with the counts that add up summed.  Who may see them is the caller's
** (api_premises_scope: a role held at every premises).
*/
#ifndef HAT_CMD_PROVIDER_H
#define HAT_CMD_PROVIDER_H

#include <jansson.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

/* board_attendance for every premises: {"premises_id": "all", from, to,
** "patients": every premises' patients (each with its premises_id),
** "clinic": the sessions due, attended and planned absent summed and the
** rate of the sums, "by_premises": [{premises_id, name, clinic}]}.
** patient_id 0: everyone.  *out is a new reference. */
enum hat_err provider_attendance(struct store_conn *c, int64_t patient_id, int32_t from,
				 int32_t to, int64_t now, json_t **out);

/* flex_report for every premises: {"premises_id": "all", from, to,
** "by_premises": [each premises' report]}.  *out is a new reference. */
enum hat_err provider_flex_report(struct store_conn *c, int32_t from, int32_t to, int64_t now,
				  json_t **out);

#endif
