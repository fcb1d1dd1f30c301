/*
** takehome.h: take-home injectable doses and guest dosing, the rules.
**
** Take-home diamorphine is off in the UK's supervised model and off here
** unless a premises turns it on where its jurisdiction allows it.  The first
** rule set is the Swiss one (Verordnung über die diacetylmorphingestützte
** Behandlung, the 2020 text): every criterion is decided here from facts
** the caller read from the record (dates, screens, a prescriber's recorded
** assessments, contacts), never from a box someone ticked.
**
** Pure functions: dates are clinic-local day numbers (days since
** 1970-01-01), amounts micrograms.  No I/O, no clock, no allocation.  A
** NULL where a pointer is required gives HAT_E_INTERNAL.
*/
#ifndef HAT_CORE_TAKEHOME_H
#define HAT_CORE_TAKEHOME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ---- The rule set -------------------------------------------------------- */

enum takehome_rule_set {
	TAKEHOME_RULES_SWISS_2020 = 1
};

/* Stable name ("swiss_2020"); NULL for an unknown value. */
const char *takehome_rule_set_name(enum takehome_rule_set r);
/* HAT_E_INVALID_VALUE for an unknown or NULL name. */
enum hat_err takehome_rule_set_parse(const char *name, enum takehome_rule_set *out);

struct takehome_rules {
	int32_t min_months;              /* uninterrupted treatment: 6 */
	int32_t screens_needed;          /* the last N screens clear: 2 */
	int32_t max_days;                /* daily doses to take home: 2 */
	int32_t max_days_comorbidity;    /* with recorded comorbidity: 7 */
	int32_t contacts_per_week;       /* staff contact days in 7: 2 */
};

/* The rule set's numbers; HAT_E_INVALID_VALUE for an unknown set. */
enum hat_err takehome_rules_of(enum takehome_rule_set set, struct takehome_rules *out);

/* A premises' setting: off unless enabled.  An assessment older than
** assessment_valid_days no longer counts; a privilege is reviewed at most
** review_days after it was granted or last reviewed. */
struct takehome_setting {
	bool enabled;
	enum takehome_rule_set rule_set;
	int32_t assessment_valid_days;
	int32_t review_days;
};

#define TAKEHOME_VALID_DAYS_MIN 1
#define TAKEHOME_VALID_DAYS_MAX 365
#define TAKEHOME_VALID_DAYS_DEFAULT 90
#define TAKEHOME_REVIEW_DAYS_MIN 1
#define TAKEHOME_REVIEW_DAYS_MAX 182
#define TAKEHOME_REVIEW_DAYS_DEFAULT 90
/* The longest gap between two days that each record a dose (a supervised
** dose or a take-home day) is what "uninterrupted" allows: a gap of the
** clinic's missed-dose block days or more breaks the treatment. */

/* ---- Calendar ------------------------------------------------------------ */

/* The day `months` calendar months after day (the same day of the month,
** or the month's last day when it has fewer: 31 August + 6 months is 28
** or 29 February).  months >= 0. */
int32_t takehome_add_months(int32_t day, int32_t months);

/* ---- A prescriber's assessments ----------------------------------------- */

/* The outcomes a prescriber may record for each kind of assessment:
**   stability:   stable | unstable
**   misuse_risk: very_low | low | moderate | high
**   comorbidity: present | absent
** True when outcome is one of kind's (false for NULLs or an unknown kind). */
bool takehome_outcome_valid(const char *kind, const char *outcome);

/* True when the outcome is the one the rule set needs: "stable", a
** "very_low" risk of misuse, comorbidity "present" (seven days). */
bool takehome_outcome_favourable(const char *kind, const char *outcome);

/* ---- The record, as the rules read it ------------------------------------ */

/* A prescriber's recorded assessment: present, its day and its outcome. */
struct takehome_assessment {
	bool present;
	int32_t date;
	bool favourable;     /* stable; misuse risk very low; comorbidity present */
};

/* One drug screen (not entered in error), newest first.  clear: no result
** positive for anything the prescription does not explain, and none
** invalid (takehome_screen_clear). */
struct takehome_screen {
	int32_t date;
	bool clear;
};

/* One analyte's result, for takehome_screen_clear. */
struct takehome_result {
	bool positive;
	bool invalid;
	bool expected;       /* the prescription in force explains a positive */
};

/* True when no result is an unexplained positive or invalid: a screen that
** could not tell is not clear. */
bool takehome_screen_clear(const struct takehome_result *results, size_t n);

struct takehome_facts {
	bool has_prescription;
	bool blocked;                    /* a review is pending (dosing rules) */
	bool in_induction;               /* the induction schedule (or a
					 ** re-titration) still caps the doses */
	int32_t treatment_since;         /* takehome_uninterrupted_since */
	struct takehome_assessment stability;
	struct takehome_assessment misuse_risk;
	struct takehome_assessment comorbidity;
	const struct takehome_screen *screens; /* newest first; may be NULL if 0 */
	size_t n_screens;
	int32_t contact_days;            /* distinct days with a contact in the
					 ** 7 days ending today */
	/* The privilege: granted (latest decision is grant or review) and its
	** review_by date; withdrawn when the latest decision withdrew it. */
	bool privilege_granted;
	int32_t privilege_review_by;
};

/* ---- Criteria ------------------------------------------------------------- */

enum takehome_criterion {
	TAKEHOME_C_ENABLED = 0,
	TAKEHOME_C_PRESCRIPTION,
	TAKEHOME_C_PRIVILEGE,
	TAKEHOME_C_TREATMENT,
	TAKEHOME_C_STABILITY,
	TAKEHOME_C_SCREENS,
	TAKEHOME_C_MISUSE,
	TAKEHOME_C_CONTACT,
	TAKEHOME_C_DAYS,
	TAKEHOME_C_COUNT
};

/* Stable names: "enabled", "prescription", "privilege", "treatment",
** "stability", "screens", "misuse_risk", "contact", "days". */
const char *takehome_criterion_name(enum takehome_criterion c);

struct takehome_finding {
	bool met;
	enum hat_err refusal;            /* the code when not met */
	int32_t value;                   /* what the record says (days, count) */
	int32_t limit;                   /* what the rule needs */
};

struct takehome_verdict {
	struct takehome_finding c[TAKEHOME_C_COUNT];
	enum hat_err first;              /* the first criterion not met, in
					 ** enum order; HAT_OK when all are */
	int32_t max_days;                /* the most days allowed by the rules
					 ** (with comorbidity or without) */
	int32_t eligible_from;           /* the day the treatment criterion is
					 ** met */
};

/*
** Checks every criterion for a supply of `days` daily doses on `today`
** (days 0: the privilege's own check, without the days rule).  Codes, in
** the order they are reported as `first`:
**   HAT_E_TAKEHOME_DISABLED        the premises has not turned it on;
**   HAT_E_NO_PRESCRIPTION          no current prescription;
**                                  HAT_E_PATIENT_BLOCKED when a review is
**                                  pending; HAT_E_TAKEHOME_INDUCTION under
**                                  an induction schedule (take-home is
**                                  suspended during re-titration);
**   HAT_E_TAKEHOME_NOT_GRANTED     (only when check_privilege) no privilege
**                                  in force, or its review_by has passed;
**   HAT_E_TAKEHOME_TREATMENT_SHORT today is before treatment_since plus
**                                  min_months (allowed on that day);
**   HAT_E_TAKEHOME_NOT_STABLE      no favourable stability assessment
**                                  within assessment_valid_days;
**   HAT_E_TAKEHOME_SCREENS         fewer than screens_needed screens, or
**                                  one of the newest screens_needed not clear;
**   HAT_E_TAKEHOME_MISUSE_RISK     no "very low" misuse-risk assessment
**                                  within assessment_valid_days;
**   HAT_E_TAKEHOME_CONTACT         contact_days below contacts_per_week;
**   HAT_E_TAKEHOME_TOO_MANY_DAYS   days above max_days, or above
**                                  max_days_comorbidity with a favourable
**                                  comorbidity assessment in date.
** An assessment dated after today, or older than the validity, counts as
** absent.  Every criterion is evaluated (for the check screen), not only
** the first.  Returns HAT_OK (the verdict says what failed), or
** HAT_E_OUT_OF_RANGE for negative days, HAT_E_INTERNAL for NULLs.
*/
enum hat_err takehome_check(const struct takehome_setting *setting,
			    const struct takehome_facts *facts, int32_t today, int32_t days,
			    bool check_privilege, struct takehome_verdict *out);

/*
** The first day of the current uninterrupted treatment: the episode's start,
** or the first dosed day after the latest gap of max_gap_days or more full
** days without a dose.  dose_days: days with a supervised dose or covered by
** a take-home supply, ascending (duplicates allowed), up to today.  With no
** dose at all it is the episode's start.
** Errors: HAT_E_DATE_ORDER if dose_days is not ascending; HAT_E_OUT_OF_RANGE
** if max_gap_days < 1; HAT_E_INTERNAL for NULLs (dose_days may be NULL if n
** is 0).
*/
enum hat_err takehome_uninterrupted_since(const int32_t *dose_days, size_t n,
					  int32_t episode_start, int32_t max_gap_days,
					  int32_t *out);

/* ---- The supply and what comes back --------------------------------------- */

/*
** The last day a supply counts as dosed by today, for the missed-dose rules:
** the supply's days less those returned unused (counted from its last
** day), never after today.  *covered false when no day of it has come or
** every day was returned.  days >= 1, 0 <= days_unused.
*/
void takehome_covered_through(int32_t first_date, int32_t days, int32_t days_unused,
			      int32_t today, bool *covered, int32_t *last);

/* True when [first, first + days) and [other_first, other_first +
** other_days) share a day. */
bool takehome_days_overlap(int32_t first, int32_t days, int32_t other_first, int32_t other_days);

/*
** Checks a return or a loss against what the supply still holds out:
** ampoules 1..(supplied - already), days_unused 0..(days - already_unused).
** Errors: HAT_E_TAKEHOME_RETURN_EXCEEDS; HAT_E_OUT_OF_RANGE for
** non-positive ampoules or negative days.
*/
enum hat_err takehome_check_return(int64_t supplied_ampoules, int64_t already_ampoules,
				   int32_t days, int32_t already_unused, int64_t ampoules,
				   int32_t days_unused);

/*
** Checks the start of a supply: first_date today or tomorrow (a supply is
** handed out for the days ahead, never for days gone).
** Errors: HAT_E_DATE_ORDER.
*/
enum hat_err takehome_check_first_date(int32_t first_date, int32_t today);

#endif
