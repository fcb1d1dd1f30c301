/*
** assess.c: the pre-dose assessment rules.
*/
#include <stddef.h>
#include <string.h>

#include "core/assess.h"
#include "util/names.h"

static const char *const reason_names[] = {
	[ASSESS_REASON_SEDATED] = "sedated",
	[ASSESS_REASON_INTOXICATED_ALCOHOL] = "intoxicated_alcohol",
	[ASSESS_REASON_INTOXICATED_OTHER] = "intoxicated_other",
	[ASSESS_REASON_UNWELL] = "unwell",
	[ASSESS_REASON_DECLINED] = "declined",
	[ASSESS_REASON_OTHER] = "other",
};

static const char *const decision_names[] = {
	[ASSESS_FIT] = "fit",
	[ASSESS_NOT_FIT] = "not_fit",
	[ASSESS_FIT_REDUCED] = "fit_reduced",
};


const char *assess_reason_name(enum assess_reason r)
{
	if ((size_t)r >= COUNT_OF(reason_names))
		return NULL;
	return reason_names[r];
}

enum hat_err assess_reason_parse(const char *name, enum assess_reason *out)
{
	size_t i = names_find(reason_names, COUNT_OF(reason_names), name);

	if (i == 0)
		return HAT_E_INVALID_VALUE;
	*out = (enum assess_reason)i;
	return HAT_OK;
}

const char *assess_decision_name(enum assess_decision d)
{
	if ((size_t)d >= COUNT_OF(decision_names))
		return NULL;
	return decision_names[d];
}

enum hat_err assess_decision_parse(const char *name, enum assess_decision *out)
{
	size_t i = names_find(decision_names, COUNT_OF(decision_names), name);

	if (i == 0)
		return HAT_E_INVALID_VALUE;
	*out = (enum assess_decision)i;
	return HAT_OK;
}

enum hat_err assess_readings_allow(const struct clinic_settings *s,
				   int32_t sedation_level,
				   int32_t breath_alcohol_ug,
				   enum assess_decision *best_out)
{
	if (sedation_level < 0 || sedation_level >= s->sedation_level_count)
		return HAT_E_OUT_OF_RANGE;
	if (breath_alcohol_ug < 0)
		return HAT_E_OUT_OF_RANGE;

	if (sedation_level <= s->sedation_fit_max &&
	    breath_alcohol_ug <= s->alcohol_fit_max_ug)
		*best_out = ASSESS_FIT;
	else if (sedation_level <= s->sedation_reduced_max &&
		 breath_alcohol_ug <= s->alcohol_reduced_max_ug)
		*best_out = ASSESS_FIT_REDUCED;
	else
		*best_out = ASSESS_NOT_FIT;
	return HAT_OK;
}

static bool reason_known(enum assess_reason r)
{
	return r == ASSESS_REASON_NONE || assess_reason_name(r) != NULL;
}

/* Whether the nurse's decision is one the readings permit. */
static enum hat_err check_decision(const struct assess_input *in,
				   enum assess_decision best)
{
	switch (in->decision) {
	case ASSESS_FIT:
		if (in->reason != ASSESS_REASON_NONE || best != ASSESS_FIT)
			return HAT_E_INVALID_VALUE;
		return HAT_OK;
	case ASSESS_FIT_REDUCED:
		if (best == ASSESS_NOT_FIT ||
		    in->reason == ASSESS_REASON_DECLINED)
			return HAT_E_INVALID_VALUE;
		return HAT_OK;
	case ASSESS_NOT_FIT:
		if (in->reason == ASSESS_REASON_NONE)
			return HAT_E_MISSING_FIELD;
		return HAT_OK;
	case ASSESS_DECISION_NONE:
		break;
	}
	return HAT_E_INVALID_VALUE;
}

enum hat_err assess_decide(const struct clinic_settings *s,
			   const struct assess_input *in,
			   struct assess_outcome *out)
{
	enum assess_decision best;
	enum hat_err rc;

	rc = assess_readings_allow(s, in->sedation_level,
				   in->breath_alcohol_ug, &best);
	if (rc != HAT_OK)
		return rc;
	if (!reason_known(in->reason))
		return HAT_E_INVALID_VALUE;
	rc = check_decision(in, best);
	if (rc != HAT_OK)
		return rc;

	out->decision = in->decision;
	out->reason = in->reason;
	out->dose_allowed = in->decision != ASSESS_NOT_FIT;
	out->needs_prescriber_auth = in->decision == ASSESS_FIT_REDUCED;
	return HAT_OK;
}

bool assess_is_valid_for_dose(int64_t assessed_at, int64_t now,
			      const struct clinic_settings *s)
{
	if (assessed_at > now)
		return false;
	return now - assessed_at <= s->assessment_valid_s;
}

/* ---- The post-dose check ------------------------------------------------ */

static const char *const pupil_names[] = {
	[ASSESS_PUPILS_NORMAL] = "normal",
	[ASSESS_PUPILS_CONSTRICTED] = "constricted",
	[ASSESS_PUPILS_PINPOINT] = "pinpoint",
	[ASSESS_PUPILS_DILATED] = "dilated",
};

#define PUPIL_COUNT (sizeof pupil_names / sizeof pupil_names[0])

enum hat_err assess_pupils_parse(const char *name, enum assess_pupils *out)
{
	if (!name)
		return HAT_E_INVALID_VALUE;
	for (size_t i = 1; i < PUPIL_COUNT; i++) {
		if (strcmp(pupil_names[i], name) == 0) {
			*out = (enum assess_pupils)i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

const char *assess_pupils_name(enum assess_pupils p)
{
	if ((size_t)p >= PUPIL_COUNT)
		return NULL;
	return pupil_names[p];
}

enum hat_err assess_postdose_check(const struct clinic_settings *s,
				   const struct assess_postdose *in, unsigned *alarms_out)
{
	unsigned alarms = 0;

	if (in->sedation_level < 0 || in->sedation_level >= s->sedation_level_count ||
	    in->resp_rate < 0 || in->resp_rate > 80 ||
	    (in->spo2 != -1 && (in->spo2 < 50 || in->spo2 > 100)))
		return HAT_E_OUT_OF_RANGE;
	if (in->sedation_level >= s->postdose_sedation_alarm)
		alarms |= ASSESS_ALARM_SEDATION;
	if (in->resp_rate < s->postdose_resp_rate_min)
		alarms |= ASSESS_ALARM_RESP_RATE;
	if (in->spo2 != -1 && in->spo2 < s->postdose_spo2_min)
		alarms |= ASSESS_ALARM_SPO2;
	*alarms_out = alarms;
	return HAT_OK;
}
