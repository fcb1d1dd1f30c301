/*
** report.h: the service-level outcomes report and its pseudonymised
** per-person rows.
**
** For each TOP domain item, how many people improved, stayed about the same
** or got worse between their Start TOP and their latest Review (or Exit) in
** the same episode, by the thresholds in the outcome settings (local
** definitions); retention at 3, 6 and 12 months of the episodes that began
** long enough ago; attendance over the last 28 days; successful completions
** and how many of them re-presented (a new referral within 6 months).  The
** per-person rows carry only a keyed BLAKE2b pseudonym of the attributor
** (initials, date of birth, sex): no name, initials or date of birth.
*/
#ifndef HAT_CMD_REPORT_H
#define HAT_CMD_REPORT_H

#include "cmd/cmd.h"

/* The report as of now (new reference). */
enum hat_err report_outcomes(struct store_conn *c, int64_t now, json_t **out);

#endif
