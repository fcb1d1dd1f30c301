/*
** evaluation.h (cmd): the service evaluation report for a period and a
** premises, and its CSV.
**
** Figures (outcomes reference, R5-R7, R19, R20): referrals; days from
** referral to first dose; people in treatment; retention at 3, 6 and 12
** months of the episodes that began in the period, a Kaplan-Meier
** estimate with those still in treatment censored at the period's end (or
** today, if sooner); attendance (sessions attended of those due: there are
** no planned absences yet to set apart); doses and mg given; drug screens
** with evidence of street heroin; the TOP domains improved / same / worse
** between Start and the latest review by the outcome settings' thresholds
** (local definitions); goals achieved; adverse events and naloxone uses;
** discharges by reason, successful completions and re-presentations within
** 182 days; the drug cost: ampoules given, those priced, and their cost in
** pence at the pharmacist's price in force when each was given.
**
** Counts of people or of events about people from 1 to 4 are suppressed:
** the value is the string "<5" in place of the number; a rate over fewer
** than 5 people is null with "suppressed": true.  Doses, mg and sessions
** are not counts of people and are shown.
*/
#ifndef HAT_CMD_EVALUATION_H
#define HAT_CMD_EVALUATION_H

#include "cmd/cmd.h"
#include "util/buf.h"

/* The report from `from` to `to` (local dates, inclusive) for premises_id
** (0: the whole service), as of now (new reference). */
enum hat_err evaluation_report(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			       int64_t now, json_t **out);

/* The report as CSV: section, measure, value, one figure a line.
** Errors: those of buf_append. */
enum hat_err evaluation_render_csv(json_t *report, struct buf *out);

#endif
