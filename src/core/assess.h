/*
** assess.h: the pre-dose assessment.
**
** Before any injection a nurse records the patient's sedation level on the
** clinic's scale, a breath-alcohol reading, whether there are other concerns,
** and a decision: fit, not fit (with a coded reason), or fit for a reduced
** dose.  These functions check that the decision is one the readings allow
** and say how long an assessment may be relied on.  They are pure: no I/O,
** no clock, no allocation.
*/
#ifndef HAT_CORE_ASSESS_H
#define HAT_CORE_ASSESS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/settings.h"
#include "util/err.h"

/* The nurse's decision.  Zero is "not recorded" so that a zeroed struct is
** never mistaken for a decision. */
enum assess_decision {
	ASSESS_DECISION_NONE = 0,
	ASSESS_FIT,
	ASSESS_NOT_FIT,
	ASSESS_FIT_REDUCED
};

/* Coded reasons for a dose withheld (or reduced).  Stable names:
** "sedated", "intoxicated_alcohol", "intoxicated_other", "unwell",
** "declined", "other". */
enum assess_reason {
	ASSESS_REASON_NONE = 0,
	ASSESS_REASON_SEDATED,
	ASSESS_REASON_INTOXICATED_ALCOHOL,
	ASSESS_REASON_INTOXICATED_OTHER,
	ASSESS_REASON_UNWELL,
	ASSESS_REASON_DECLINED,
	ASSESS_REASON_OTHER
};

/* What the nurse recorded. */
struct assess_input {
	int32_t sedation_level;        /* index into the clinic's scale */
	int32_t breath_alcohol_ug;     /* ug per 100 ml of breath, >= 0 */
	bool concerns;                 /* other concerns written in the notes */
	enum assess_decision decision;
	enum assess_reason reason;     /* required when not fit */
};

/* What the assessment means for the dose. */
struct assess_outcome {
	enum assess_decision decision;
	enum assess_reason reason;
	bool dose_allowed;             /* fit, or fit for a reduced dose */
	bool needs_prescriber_auth;    /* reduced: needs an authorised amount */
};

/*
** The least restrictive decision the readings allow: ASSESS_FIT when the
** sedation level is at most sedation_fit_max and the alcohol reading at most
** alcohol_fit_max_ug; ASSESS_FIT_REDUCED when both are within the reduced
** limits; ASSESS_NOT_FIT otherwise.  Returns HAT_OK and sets *best_out, or
** HAT_E_OUT_OF_RANGE (sedation level off the scale, negative alcohol
** reading) leaving *best_out untouched.
*/
enum hat_err assess_readings_allow(const struct clinic_settings *s,
				   int32_t sedation_level,
				   int32_t breath_alcohol_ug,
				   enum assess_decision *best_out);

/*
** Validates the nurse's decision against the readings and fills *out.
** The nurse's decision is never rewritten: a decision the readings do not
** allow is refused, so that the record always shows what the nurse decided.
** "Not fit" is always allowed (a nurse may withhold at any reading), and
** "fit for reduced dose" may be chosen even when the readings allow "fit".
** Returns HAT_OK, or:
**   HAT_E_OUT_OF_RANGE   sedation level off the scale, negative alcohol;
**   HAT_E_INVALID_VALUE  an unknown decision or reason; "fit" with a reason;
**                        "fit" when sedation or alcohol is above the fit
**                        limit; "fit for reduced dose" when either is above
**                        the reduced limit or with the reason "declined";
**   HAT_E_MISSING_FIELD  "not fit" without a reason.
** On error *out is untouched.
*/
enum hat_err assess_decide(const struct clinic_settings *s,
			   const struct assess_input *in,
			   struct assess_outcome *out);

/*
** True when an assessment made at assessed_at may still release a dose at
** now: from assessed_at up to and including assessed_at +
** assessment_valid_s.  One second later it is stale.  An assessment dated
** after now (a clock disagreement between stations) is not valid.
*/
bool assess_is_valid_for_dose(int64_t assessed_at, int64_t now,
			      const struct clinic_settings *s);

/* The stable name of a reason ("sedated"); NULL for an unknown value. */
const char *assess_reason_name(enum assess_reason r);

/* Parses a stable reason name; HAT_E_INVALID_VALUE if unknown (including
** NULL and "none"), leaving *out untouched. */
enum hat_err assess_reason_parse(const char *name, enum assess_reason *out);

/* The stable name of a decision ("fit", "not_fit", "fit_reduced"); NULL for
** an unknown value or ASSESS_DECISION_NONE. */
const char *assess_decision_name(enum assess_decision d);

/* Parses a stable decision name; HAT_E_INVALID_VALUE if unknown. */
enum hat_err assess_decision_parse(const char *name, enum assess_decision *out);

/* ---- The post-dose check ------------------------------------------------ */

/* Pupils, when looked at.  Stable names: "normal", "constricted",
** "pinpoint", "dilated".  Recorded, not alarmed on: pinpoint pupils are the
** expected effect of the dose; the alarm rests on sedation and breathing. */
enum assess_pupils {
	ASSESS_PUPILS_NONE = 0,
	ASSESS_PUPILS_NORMAL,
	ASSESS_PUPILS_CONSTRICTED,
	ASSESS_PUPILS_PINPOINT,
	ASSESS_PUPILS_DILATED
};

enum hat_err assess_pupils_parse(const char *name, enum assess_pupils *out);
const char *assess_pupils_name(enum assess_pupils p);

/* The readings of one post-dose check.  spo2 is -1 when not measured. */
struct assess_postdose {
	int32_t sedation_level;
	int32_t resp_rate;          /* breaths a minute, 0..80 */
	int32_t spo2;               /* per cent, 50..100, or -1 */
	enum assess_pupils pupils;
};

/* Which readings are abnormal, as bits. */
enum assess_postdose_alarm {
	ASSESS_ALARM_SEDATION = 1u << 0,   /* at or past postdose_sedation_alarm */
	ASSESS_ALARM_RESP_RATE = 1u << 1,  /* under postdose_resp_rate_min */
	ASSESS_ALARM_SPO2 = 1u << 2        /* under postdose_spo2_min */
};

/*
** Checks a post-dose check's readings and says which are abnormal: sets
** *alarms_out to ASSESS_ALARM_* bits (0: a normal check).  Every limit is
** the first abnormal value's neighbour: at postdose_sedation_alarm is
** abnormal, one level less is not; a rate of exactly postdose_resp_rate_min
** is normal, one less is not; likewise saturation.  Returns HAT_OK, or
** HAT_E_OUT_OF_RANGE (sedation off the clinic's scale, rate outside 0..80,
** saturation neither -1 nor 50..100) leaving *alarms_out untouched.
*/
enum hat_err assess_postdose_check(const struct clinic_settings *s,
				   const struct assess_postdose *in, unsigned *alarms_out);

#endif
