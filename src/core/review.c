/*
** review.c: what a prescriber's review binds, and which review a patient
** waits for.  See dosing.h.
*/
#include <string.h>

#include "core/dosing.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Reviews ------------------------------------------------------------ */

static const char *const outcome_names[] = {
	[DOSING_REVIEW_CONTINUE] = "continue",
	[DOSING_REVIEW_REDUCE] = "reduce",
	[DOSING_REVIEW_RESTART_INDUCTION] = "restart_induction",
};

enum hat_err dosing_review_outcome_parse(const char *name, enum dosing_review_outcome *out)
{
	for (size_t i = 1; name && i < COUNT_OF(outcome_names); i++) {
		if (strcmp(outcome_names[i], name) == 0) {
			*out = (enum dosing_review_outcome)i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

bool dosing_reduce_pending(enum dosing_review_outcome latest,
			   int64_t reviewed_session_dose_ug, int64_t lowest_since_ug)
{
	if (latest != DOSING_REVIEW_REDUCE)
		return false;
	if (lowest_since_ug <= 0)
		return true;
	if (reviewed_session_dose_ug <= 0)
		return false;
	return lowest_since_ug >= reviewed_session_dose_ug;
}

enum dosing_pending_review dosing_pending_review(const struct dosing_patient *pt)
{
	if (pt->blocked_by_event)
		return DOSING_PENDING_ADVERSE_EVENT;
	if (pt->missed == SCHEDULE_MISSED_BLOCKED)
		return DOSING_PENDING_MISSED_DAYS;
	if (pt->missed == SCHEDULE_MISSED_RESTART)
		return DOSING_PENDING_RESTART_INDUCTION;
	if (pt->reduce_pending)
		return DOSING_PENDING_REDUCE;
	return DOSING_PENDING_NONE;
}

static const char *const pending_names[] = {
	[DOSING_PENDING_ADVERSE_EVENT] = "adverse_event",
	[DOSING_PENDING_MISSED_DAYS] = "missed_days",
	[DOSING_PENDING_RESTART_INDUCTION] = "restart_induction",
	[DOSING_PENDING_REDUCE] = "reduce",
};

const char *dosing_pending_review_name(enum dosing_pending_review p)
{
	if ((size_t)p >= COUNT_OF(pending_names))
		return NULL;
	return pending_names[p];
}
