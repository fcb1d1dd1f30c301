/*
** research.h (cmd): the pseudonymised research export (R22): one row per
** treatment episode in a period, keyed by the keyed BLAKE2b pseudonym of
** the person's attributor (the same pseudonym as the outcomes report's
** rows, so the two link), never a name, initials, a date of birth or a
** hat record number.  Dates are turned into spans (days from referral to
** start, days in treatment) and the age into a band at referral.
*/
#ifndef HAT_CMD_RESEARCH_H
#define HAT_CMD_RESEARCH_H

#include "cmd/cmd.h"
#include "util/spool.h"

/* The rows for the episodes in treatment at some time from `from` to `to`
** (new reference): {"rows": [...], "fields": [...]}. */
enum hat_err research_export(struct store_conn *c, int32_t from, int32_t to, int64_t now,
			     json_t **out);

/* The same as CSV, a header line first, each line written to out as its
** episode is read (constant memory); *rows the lines written.  Errors:
** those of the store, HAT_E_IO when out's descriptor refuses the bytes. */
enum hat_err research_export_csv(struct store_conn *c, int32_t from, int32_t to,
				 struct spool *out, int64_t *rows);

#endif
