/*
** dosing.h: prescriptions and the rules that release (or refuse) a dose.
**
** Three checks, all pure (no I/O, no clock, no allocation, no globals):
**   dosing_check_prescription   when a prescriber signs a prescription;
**   dosing_check_administration before each injection;
**   dosing_check_oral           before each dose of the oral component.
** The caller loads the state (settings, prescription, the patient's recent
** injections, the assessment) and passes the time: `now` in UTC seconds for
** intervals, and the clinic-local business date (days since 1970-01-01 in
** the local calendar) and minute of day for windows and daily totals.
**
** Amounts are micrograms (int64_t, *_ug).  Dates are local business dates
** (int32_t).  Every pointer argument is borrowed for the call only and must
** not be NULL (except where a field says otherwise).
*/
#ifndef HAT_CORE_DOSING_H
#define HAT_CORE_DOSING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/assess.h"
#include "core/schedule.h"
#include "core/settings.h"
#include "util/err.h"

/* Sessions a day a prescription may give: at least 1, at most 3. */
#define DOSING_MAX_SESSIONS_PER_DAY 3
/* Days an induction schedule may cover. */
#define DOSING_MAX_INDUCTION_DAYS 14
/* An end date meaning "until stopped". */
#define DOSING_NO_END_DATE INT32_MAX

/* ---- Drugs, routes, sites ----------------------------------------------- */

/* Drug and form.  Stable names: "diamorphine", "hydromorphone" (both
** injectable), "methadone_oral", "srom" (slow-release oral morphine). */
enum dosing_drug {
	DOSING_DRUG_NONE = 0,
	DOSING_DRUG_DIAMORPHINE,
	DOSING_DRUG_HYDROMORPHONE,
	DOSING_DRUG_METHADONE_ORAL,
	DOSING_DRUG_SROM
};

/* Routes, as bits so a prescription can allow several.  Stable names:
** "iv", "im", "sc". */
enum dosing_route {
	DOSING_ROUTE_IV = 1u << 0,
	DOSING_ROUTE_IM = 1u << 1,
	DOSING_ROUTE_SC = 1u << 2
};
#define DOSING_ROUTES_ALL (DOSING_ROUTE_IV | DOSING_ROUTE_IM | DOSING_ROUTE_SC)

/*
** Injection sites.  Stable names are the lower-case enum suffixes
** ("arm_left", "groin_right", ...).  Groin (femoral), thigh, buttock
** (gluteal), leg and foot are lower-limb sites: an IV injection there needs
** a recorded risk discussion.  Left and right are different sites for IM
** rotation.
*/
enum dosing_site {
	DOSING_SITE_NONE = 0,
	DOSING_SITE_ARM_LEFT,
	DOSING_SITE_ARM_RIGHT,
	DOSING_SITE_FOREARM_LEFT,
	DOSING_SITE_FOREARM_RIGHT,
	DOSING_SITE_HAND_LEFT,
	DOSING_SITE_HAND_RIGHT,
	DOSING_SITE_DELTOID_LEFT,
	DOSING_SITE_DELTOID_RIGHT,
	DOSING_SITE_ABDOMEN,
	DOSING_SITE_GROIN_LEFT,
	DOSING_SITE_GROIN_RIGHT,
	DOSING_SITE_THIGH_LEFT,
	DOSING_SITE_THIGH_RIGHT,
	DOSING_SITE_BUTTOCK_LEFT,
	DOSING_SITE_BUTTOCK_RIGHT,
	DOSING_SITE_LEG_LEFT,
	DOSING_SITE_LEG_RIGHT,
	DOSING_SITE_FOOT_LEFT,
	DOSING_SITE_FOOT_RIGHT,
	DOSING_SITE_COUNT_ /* never a site: the number of values */
};

/* Stable names; NULL for an unknown value (or NONE). */
const char *dosing_drug_name(enum dosing_drug d);
const char *dosing_route_name(enum dosing_route r);
const char *dosing_site_name(enum dosing_site s);

/* Parse stable names.  Each returns HAT_OK and sets *out, or
** HAT_E_INVALID_VALUE (unknown or NULL name) leaving *out untouched. */
enum hat_err dosing_drug_parse(const char *name, enum dosing_drug *out);
enum hat_err dosing_route_parse(const char *name, enum dosing_route *out);
enum hat_err dosing_site_parse(const char *name, enum dosing_site *out);

/* True for the two injectable drugs, and for the two oral ones. */
bool dosing_drug_is_injectable(enum dosing_drug d);
bool dosing_drug_is_oral(enum dosing_drug d);

/* True for groin, thigh, buttock, leg and foot. */
bool dosing_site_is_lower_limb(enum dosing_site s);

/* The clinic's daily ceiling for a drug; 0 for DOSING_DRUG_NONE or an
** unknown value. */
int64_t dosing_ceiling_ug(const struct clinic_settings *s, enum dosing_drug d);

/* ---- Prescriptions ------------------------------------------------------ */

/* One day of an induction schedule.  session_cap_ug[i] caps the total of
** the day's (i+1)th session; 0 means no dose in that session on that day. */
struct dosing_induction_day {
	int64_t day_cap_ug;
	int64_t session_cap_ug[DOSING_MAX_SESSIONS_PER_DAY];
};

/* An induction (titration) schedule: caps for days 1..days.  From day
** days+1 only the prescription's own doses apply. */
struct dosing_induction {
	int32_t days;
	struct dosing_induction_day day[DOSING_MAX_INDUCTION_DAYS];
};

/* The prescriber who signed, as the licence register holds them.  The
** Home Office licence is valid at licence_premises_id through
** licence_expiry_date inclusive (a local date). */
struct dosing_prescriber {
	int64_t user_id;
	bool is_prescriber;
	bool has_licence;
	int64_t licence_premises_id;
	int32_t licence_expiry_date;
};

/* The oral component: methadone or SROM, its own per-dose and daily caps,
** counted apart from the injectable totals.  drug NONE means none. */
struct dosing_oral {
	enum dosing_drug drug;
	int64_t dose_ug;
	int64_t daily_max_ug;
};

struct dosing_prescription {
	int64_t id;
	bool is_signed;
	bool stopped;
	bool superseded;
	int32_t start_date;              /* first local date it applies */
	int32_t end_date;                /* last local date, or NO_END_DATE */
	enum dosing_drug drug;           /* diamorphine or hydromorphone */
	unsigned routes;                 /* DOSING_ROUTE_* bits */
	int64_t session_dose_ug;         /* most a session may total */
	int32_t sessions_per_day;        /* 1..3 */
	int64_t daily_max_ug;
	bool topup_allowed;
	int64_t topup_max_ug;            /* most one further injection may be */
	bool has_induction;
	struct dosing_induction induction;
	struct dosing_oral oral;
	struct dosing_prescriber prescriber;
};

/*
** The twice-daily diamorphine induction template from the clinical reference's
** addendum (a drug-information summary citing CRISM-2019):
**   day 1: session 1 up to 90 mg (30 mg, then a further 60 mg),
**          session 2 up to 150 mg (90 mg, then a further 60 mg);
**   day 2: session 1 up to 160 mg (100 mg, then a further 60 mg),
**          session 2 160 mg.
** The source stops there: the rest of day 2 session 2 and all of day 3 were
** not seen, so the template covers two days and day 2 session 2 is capped at
** the 160 mg given, with no top-up assumed.  Day caps are the sums (240 mg,
** 320 mg); no third session is allowed during induction.  The prescriber
** adds day 3 and later when the protocol is checked.  Fills *out.
*/
void dosing_induction_template_diamorphine(struct dosing_induction *out);

/*
** The number of distinct local dates in dosed_dates that fall on or after
** induction_start and before today: the days on which the patient was
** dosed under the schedule so far.  Today is the day being dosed and never
** counts; a day missed counts for nothing, so the patient is held at the
** step they reached and the next dosed day repeats it.  dosed_dates need
** not be sorted and may repeat; it is borrowed and may be NULL when n is 0.
** The caller doses today under day (result + 1) of the schedule.
*/
int32_t dosing_induction_days_dosed(const int32_t *dosed_dates, size_t n,
				    int32_t induction_start, int32_t today);

/*
** True when the prescription may be dosed from on local date `date`:
** signed, not stopped, not superseded, start_date <= date <= end_date.
*/
bool dosing_prescription_is_current(const struct dosing_prescription *rx,
				    int32_t date);

/*
** True when the prescriber holds a Home Office licence for premises_id on
** local date `date` (through the expiry date inclusive).
*/
bool dosing_licence_is_current(const struct dosing_prescriber *p,
			       int64_t premises_id, int32_t date);

/*
** Checks a prescription as rx->prescriber signs it on local date
** signing_date at s->premises_id.  In this order, returns:
**   HAT_E_NOT_PRESCRIBER    the signer does not hold the prescriber role;
**   HAT_E_INVALID_VALUE     drug not injectable; routes empty or unknown
**                           bits; an oral component whose drug is not oral;
**   HAT_E_LICENCE_LAPSED    diamorphine, and no licence current at these
**                           premises on the signing date;
**   HAT_E_DATE_ORDER        start_date after end_date;
**   HAT_E_OUT_OF_RANGE      sessions a day not 1..3; session dose not
**                           positive; daily max below the session dose;
**                           top-up allowed with a top-up max not positive or
**                           above the session dose; induction days not
**                           1..DOSING_MAX_INDUCTION_DAYS, a day cap not
**                           positive or above the daily max, a session cap
**                           negative or above its day cap; oral dose not
**                           positive or oral daily max below it;
**   HAT_E_OVER_CEILING_RX   daily max above the clinic ceiling for the drug,
**                           or the oral daily max above the oral ceiling.
** Returns HAT_OK when it may be signed.
*/
enum hat_err dosing_check_prescription(const struct clinic_settings *s,
				       const struct dosing_prescription *rx,
				       int32_t signing_date);

/* ---- Administration ----------------------------------------------------- */

/* One injection already given (as recorded).  topup marks a further
** injection within a session; every other injection starts a session. */
struct dosing_injection {
	int64_t at;                /* UTC seconds */
	int32_t local_date;        /* clinic-local business date */
	int32_t local_minute;      /* clinic-local minute of day */
	enum dosing_drug drug;
	enum dosing_route route;
	enum dosing_site site;
	int64_t amount_ug;
	bool topup;
};

/* The patient's recent injections, oldest first.  It must cover today's
** local date and reach back to the start of the patient's previous session
** (the day before is enough); older entries are harmless.  The array is
** borrowed; it may be NULL when count is 0. */
struct dosing_history {
	const struct dosing_injection *injections;
	size_t count;
};

/* What the records say about the patient, beyond today's injections. */
struct dosing_patient {
	bool discharged;                 /* no active treatment episode */
	bool blocked_by_event;           /* naloxone or seizure, unreviewed */
	enum schedule_missed_state missed;
	int32_t induction_start_date;    /* local date the schedule began */
	/* Days on which the patient was dosed under the schedule before today
	** (dosing_induction_days_dosed): induction advances by dosed days,
	** never by calendar days. */
	int32_t induction_days_dosed;
	enum dosing_site last_im_site;   /* NONE when never given IM */
	bool lower_limb_risk_discussed;  /* a risk discussion is on record */
	bool reduce_pending;             /* dosing_reduce_pending() holds */
	bool oral_review_needed;         /* schedule_oral_missed() says so */
};

/* The pre-dose assessment this dose relies on.  reduced_authorised_ug is
** the amount a prescriber authorised for a reduced dose this session (0:
** none recorded). */
struct dosing_assessment {
	bool present;
	int64_t assessed_at;
	enum assess_decision decision;
	int64_t reduced_authorised_ug;
};

/* The injection the nurse is about to give. */
struct dosing_request {
	int64_t now;                     /* UTC seconds */
	int32_t local_date;
	int32_t local_minute;            /* 0..1439 */
	enum dosing_route route;         /* exactly one route */
	enum dosing_site site;
	int64_t amount_ug;
	bool further_injection;          /* a top-up in the current session */
	struct dosing_assessment assessment;
};

/* Warnings: the dose may go ahead, but the nurse should see them. */
enum dosing_warning {
	DOSING_WARN_IM_SITE_REPEAT = 1u << 0,  /* same IM site as last time */
	DOSING_WARN_MISSED_DOSES = 1u << 1     /* a missed-dose alert stands */
};

/* What the check found, for the caller to record with the injection. */
struct dosing_verdict {
	unsigned warnings;               /* DOSING_WARN_* bits */
	int32_t window;                  /* index into settings windows */
	int32_t session_no;              /* 1-based session of the local day */
	bool topup;
	int32_t induction_day;           /* 1-based; 0 when no cap applied */
	int64_t session_total_ug;        /* this session including this dose */
	int64_t day_total_ug;            /* today's total of this drug */
};

/*
** Decides whether an injection may be given, and fills *out if so.  Rules
** are applied in this order, and the first that fails is returned:
**   input                 HAT_E_OUT_OF_RANGE (amount not positive, minute
**                         not 0..1439); HAT_E_INVALID_VALUE (not exactly one
**                         known route, no or unknown site, prescription drug
**                         not injectable); HAT_E_DATE_ORDER (history not in
**                         time order, or an injection after now);
**   prescription          HAT_E_NO_PRESCRIPTION (not signed, stopped,
**                         superseded, before its start or after its end);
**   episode               HAT_E_NO_ACTIVE_EPISODE (the patient has been
**                         discharged: a prescription left running does
**                         not keep them in treatment);
**   licence               HAT_E_LICENCE_LAPSED (diamorphine: the signing
**                         prescriber's licence is not current for these
**                         premises today);
**   route and site        HAT_E_ROUTE_NOT_PRESCRIBED; HAT_E_RISK_DISCUSSION
**                         (IV into a lower-limb site with no risk
**                         discussion on record);
**   patient               HAT_E_PATIENT_BLOCKED (an adverse event or missed
**                         days await review); HAT_E_INDUCTION_RESTART;
**                         HAT_E_REDUCE_PENDING (a "reduce" review waits for
**                         its lower prescription);
**   time                  HAT_E_OUTSIDE_WINDOW;
**   a new session         HAT_E_TOO_SOON (under min_between_session_starts_s
**                         since the previous session's first injection);
**                         HAT_E_SESSIONS_USED_UP (today's sessions already
**                         number sessions_per_day);
**   a further injection   HAT_E_WRONG_STATE (no session of today in this
**                         window to continue);
**   assessment            HAT_E_ASSESSMENT_MISSING; HAT_E_ASSESSMENT_STALE
**                         (older than assessment_valid_s, or for a top-up
**                         made at or before the last injection); _NOT_FIT;
**                         HAT_E_REDUCED_NEEDS_AUTH ("fit for reduced dose"
**                         with no authorised amount, or a session total
**                         above it);
**   top-up                HAT_E_TOPUP_NOT_ALLOWED; HAT_E_TOPUP_TOO_SOON
**                         (under topup_min_gap_s since the last injection);
**                         HAT_E_TOPUP_OVER (this injection above topup_max);
**   amounts               HAT_E_DOSE_OVER_SESSION (session total above the
**                         session dose); HAT_E_DOSE_OVER_DAILY (today's
**                         total above the daily max); HAT_E_DOSE_OVER_INDUCTION
**                         (above the induction day's cap, or its cap for
**                         this session); HAT_E_DOSE_OVER_CEILING (today's
**                         total above the clinic ceiling for the drug).
** Every limit is inclusive: a total exactly at a cap, or an interval of
** exactly the minimum, is allowed.  Every injection, top-ups included, must
** fall inside a session window; a top-up must be in the same window on the
** same local date as its session.  Today's totals count this drug's
** injections on req->local_date.  On refusal *out is untouched.
*/
enum hat_err dosing_check_administration(const struct clinic_settings *s,
					 const struct dosing_prescription *rx,
					 const struct dosing_patient *patient,
					 const struct dosing_history *history,
					 const struct dosing_request *req,
					 struct dosing_verdict *out);

/* The most one injection may be, and the limit that stops one more
** microgram. */
struct dosing_due {
	enum hat_err refusal;            /* HAT_OK when some dose may be given now;
					 ** else why none may (any code of
					 ** dosing_check_administration) */
	int64_t most_ug;                 /* the most this injection may be (0 when
					 ** refused) */
	enum hat_err limit;              /* what refuses most_ug + 1: one of the
					 ** amount codes (DOSE_OVER_*, TOPUP_OVER,
					 ** REDUCED_NEEDS_AUTH), or HAT_OK when
					 ** only the input bound stops it */
	int32_t session_no;              /* as the verdict would say */
	bool topup;
	int32_t induction_day;           /* 1-based; 0 when no induction cap */
	int64_t session_given_ug;        /* this session so far, before the dose */
	int64_t day_given_ug;            /* today so far, before the dose */
};

/*
** The amount due now: the most that dosing_check_administration would
** allow for req (whose amount_ug is ignored), found by asking it, so that
** the number shown is the rule's own and can never drift from it.  The
** amount rules are monotone in the amount (a smaller dose never breaks one
** a larger dose keeps), so a binary search over 1..DOSING_DUE_MAX_UG finds
** it in about 21 checks.  Fills *out; never fails (a refusal is reported in
** out->refusal).
*/
#define DOSING_DUE_MAX_UG INT64_C(2000000)

/* Writes micrograms as milligrams the way a clinic writes them ("160",
** "12.5", "0.001"), terminated, in at most cap bytes. */
void dosing_mg_text(int64_t ug, char *buf, size_t cap);
void dosing_amount_due(const struct clinic_settings *s, const struct dosing_prescription *rx,
		       const struct dosing_patient *patient, const struct dosing_history *history,
		       const struct dosing_request *req, struct dosing_due *out);

/*
** Describes in words, with its numbers, the limit in force for a dose
** (from dosing_amount_due): "induction day 2 of 2: up to 320 mg today,
** 160 mg this session", "the prescription allows 200 mg a session",
** "the clinic's daily ceiling for diamorphine is 1000 mg (400 mg given
** today)".  Writes a terminated string of at most cap bytes into buf
** (cap >= 1).
*/
void dosing_due_describe(const struct clinic_settings *s, const struct dosing_prescription *rx,
			 const struct dosing_due *due, const struct dosing_assessment *a,
			 char *buf, size_t cap);

/*
** Whether a patient may check in for a session: they need a current
** prescription (rx NULL when there is none), an active episode, and a
** session left today (sessions_today counts the sessions already dosed).
** Returns HAT_OK, or HAT_E_NO_ACTIVE_EPISODE, HAT_E_NO_PRESCRIPTION,
** HAT_E_SESSIONS_USED_UP (checked in that order: a discharge also ends the
** prescriptions, and saying so is the useful answer), or HAT_E_INTERNAL for
** a NULL patient.
*/
enum hat_err dosing_check_check_in(const struct dosing_prescription *rx,
				   const struct dosing_patient *patient,
				   int32_t sessions_today);

/*
** Whether a prescription may be signed without an induction schedule.  A
** readmitted patient (one with an earlier, discharged episode) starts under
** the induction schedule: the first prescription signed in the new episode
** (first_in_episode) must carry one (has_induction) unless the prescriber
** records a reason not to (waiver_reason_given).  Later prescriptions in the
** episode, and a first episode, are not held to it.
** Returns HAT_OK or HAT_E_INDUCTION_REQUIRED.
*/
enum hat_err dosing_check_readmission(bool readmitted, bool first_in_episode,
				      bool has_induction, bool waiver_reason_given);

/* ---- Reviews ------------------------------------------------------------ */

/* A prescriber's review outcome.  Stable names: "continue", "reduce",
** "restart_induction". */
enum dosing_review_outcome {
	DOSING_REVIEW_NONE = 0,
	DOSING_REVIEW_CONTINUE,
	DOSING_REVIEW_REDUCE,
	DOSING_REVIEW_RESTART_INDUCTION
};

/* Parses a stable outcome name: HAT_OK, or HAT_E_INVALID_VALUE (unknown or
** NULL) leaving *out untouched. */
enum hat_err dosing_review_outcome_parse(const char *name, enum dosing_review_outcome *out);

/*
** Whether the latest review still holds the patient back.  A review binds
** its outcome: "reduce" holds until a prescription at a lower session dose
** than the one reviewed (reviewed_session_dose_ug; 0 when none was in force)
** has come into force since the review (lowest_since_ug: the lowest session
** dose among prescriptions signed at or after the review whose start date
** has come; 0 when none).  With nothing reviewed, any prescription since
** releases it.  "continue" and "restart_induction" never hold (restart puts
** the induction caps in force instead); neither does no review.
*/
bool dosing_reduce_pending(enum dosing_review_outcome latest,
			   int64_t reviewed_session_dose_ug, int64_t lowest_since_ug);

/* Why a prescriber's review is pending, as check_administration would
** refuse: the first that applies of an unreviewed adverse event, missed
** days at the block threshold, missed days at the restart threshold, a
** "reduce" review waiting for its lower prescription. */
enum dosing_pending_review {
	DOSING_PENDING_NONE = 0,
	DOSING_PENDING_ADVERSE_EVENT,
	DOSING_PENDING_MISSED_DAYS,
	DOSING_PENDING_RESTART_INDUCTION,
	DOSING_PENDING_REDUCE
};

enum dosing_pending_review dosing_pending_review(const struct dosing_patient *pt);

/* Stable names: "adverse_event", "missed_days", "restart_induction",
** "reduce"; NULL for NONE or an unknown value. */
const char *dosing_pending_review_name(enum dosing_pending_review p);

/* ---- The oral component ------------------------------------------------- */

struct dosing_oral_request {
	int64_t now;                     /* UTC seconds */
	int32_t local_date;
	int64_t amount_ug;
	int64_t given_today_ug;          /* oral doses already given today */
	struct dosing_assessment assessment; /* optional: present = false */
};

/*
** Decides whether a dose of the oral component may be given.  Oral totals
** are kept apart from the injectable ones.  In order:
**   HAT_E_OUT_OF_RANGE      amount not positive, given_today_ug negative;
**   HAT_E_NO_PRESCRIPTION   the prescription is not current on local_date,
**                           or has no oral component;
**   HAT_E_NO_ACTIVE_EPISODE the patient has been discharged;
**   HAT_E_PATIENT_BLOCKED   an adverse event awaits prescriber review (a
**                           missed-days block holds back injectable doses
**                           only, so it does not apply here);
**   HAT_E_ORAL_REVIEW_REQUIRED  too many days without the oral dose
**                           (patient->oral_review_needed) and no review;
**   HAT_E_ASSESSMENT_NOT_FIT  an assessment within its validity found the
**                           patient not fit (none is required: the oral
**                           dose may be a take-home supply);
**   HAT_E_DOSE_OVER_SESSION amount above the oral dose;
**   HAT_E_DOSE_OVER_DAILY   today's oral total above the oral daily max;
**   HAT_E_DOSE_OVER_CEILING today's oral total above the clinic ceiling.
** req->now is used only for the assessment's validity.
*/
enum hat_err dosing_check_oral(const struct clinic_settings *s,
			       const struct dosing_prescription *rx,
			       const struct dosing_patient *patient,
			       const struct dosing_oral_request *req);

#endif
