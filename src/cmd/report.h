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
#include "core/outcomes.h"

/* The report as of now (new reference). */
enum hat_err report_outcomes(struct store_conn *c, int64_t now, json_t **out);

/*
** The TOP comparison alone: for each Start TOP of a person of premises_id
** (0: every premises) whose latest Review or Exit on or before `to` falls
** on or after `from`, each scored item improved / same / worse by the
** thresholds st.  *domains (new reference) one object per item; *people
** how many were compared; *rows (new reference, may be NULL) one
** pseudonymised row per person.
*/
enum hat_err report_top_changes(struct store_conn *c, const struct outcomes_settings *st,
				int64_t premises_id, int32_t from, int32_t to, json_t **domains,
				int64_t *people, json_t **rows);

/* The clinic's pseudonym key (hex) into key; "" when none is stored. */
enum hat_err report_pseudonym_key(struct store_conn *c, char *key, size_t size);

/* The keyed BLAKE2b-128 pseudonym of an attributor ("DW|3725|male"), as
** 32 hex digits. */
void report_pseudonym(const char *key_hex, const char *attributor, char out[33]);

#endif
