/*
** visits.h: a patient's visit to one dosing session, step by step.
**
** A visit is (patient, local date, session window).  Its state on the board
** is folded from its events (check-in, assessments, doses, the post-dose
** check, leaving) through core's state machine, so the state is never
** stored and never disagrees with the record.
**
** Commands (target = patient):
**   visit.check_in     nurse
**   visit.assess       nurse: sedation_level, breath_alcohol_ug, concerns,
**                      decision (fit | not_fit | fit_reduced), reason
**   visit.authorise_reduced  prescriber (target = assessment): amount_mg
**   visit.administer   nurse with a witness (cmd.witness_id): amount_mg,
**                      route, site, identity_confirmed (must be true); one
**                      transaction holds the administration, its register
**                      entries, its visit event and its audit event
**   visit.postdose     nurse: sedation_level, respiratory_rate, spo2 and
**                      pupils (optional), breathing, notes; an abnormal
**                      check (core/assess thresholds) raises the alarm
**   visit.leave        nurse: notes, against_advice_reason (early = against
**                      advice, recorded; after an abnormal check only
**                      against advice, and the reason is required)
**   visit.withhold     nurse: reason, notes
**   visit.decline      nurse: notes
**   visit.oral         nurse with a witness: amount_mg
** Every step but authorise_reduced takes an optional premises_id: the
** premises the visit is at, when it is not the patient's own (a guest
** visit the home clinic authorised for today: cmd/guest.h).
** Refusals: every dosing code in err.def (core/dosing decides),
** wrong_session_state for a step out of order, guest_not_authorised, and
** takehome_day_covered for a check-in on a take-home day.
*/
#ifndef HAT_CMD_VISITS_H
#define HAT_CMD_VISITS_H

#include "cmd/cmd.h"
#include "core/dosing.h"
#include "core/flex.h"
#include "core/schedule.h"

extern const struct cmd_def visits_check_in;
extern const struct cmd_def visits_assess;
extern const struct cmd_def visits_authorise_reduced;
extern const struct cmd_def visits_administer;
extern const struct cmd_def visits_postdose;
extern const struct cmd_def visits_leave;
extern const struct cmd_def visits_withhold;
extern const struct cmd_def visits_decline;
extern const struct cmd_def visits_oral;

/* Roles that may witness a dose. */
#define VISITS_WITNESS_ROLES (policy_rules[POLICY_WITNESS_DOSE].roles)

/* For run functions whose act needs a witness (a dose, a supply, a return):
** the witness was authenticated by the caller; inside the transaction this
** checks again, cheaply, that they are set, are not the actor, are still an
** active member of staff, and hold one of roles.  Refuses with the witness
** codes (field "witness"). */
enum hat_err visits_check_witness(struct store_conn *conn, struct cmd *c, unsigned roles);

/* Everything the rules need to know about a patient at a moment. */
struct visits_facts {
	int64_t patient_id;
	int64_t premises_id;                /* where the visit is */
	int64_t home_premises_id;           /* the patient's own premises */
	struct clinic_settings settings;
	struct flex_settings flex;          /* the visited premises' flexibility */
	struct clock_local local;
	int32_t window;                     /* -1 outside every window */
	bool window_open;
	bool has_rx;
	struct dosing_prescription rx;
	struct dosing_patient patient;
	struct schedule_missed missed;
	bool alerts_on_record;
	/* This visit. */
	enum schedule_board_state state;
	bool postdose_checked;
	unsigned last_check_alarms;         /* ASSESS_ALARM_* of the latest check */
	bool left_against_advice;           /* the visit ended against advice */
	int64_t last_check_at;
	int64_t last_injection_at;          /* 0: none this visit */
	bool assessed_since_dose;           /* a fit assessment after the last dose */
	int64_t visit_dose_ug;
	int32_t sessions_today;             /* sessions with an injection today */
	int64_t day_injected_ug;
	int64_t day_oral_ug;
	int64_t reviewed_session_dose_ug;   /* the latest review's; 0 none */
	int32_t oral_days_missed;           /* full days without the oral dose */
	int64_t last_dose_at;               /* any injection, any day; 0 none */
	int64_t last_dose_ug;
};

/* Loads the facts for patient_id at now.  For the board, window may be
** given (>= 0) to look at a window other than the one now is in.
** HAT_E_NOT_FOUND when there is no such patient. */
enum hat_err visits_load_facts(struct store_conn *c, int64_t patient_id, int64_t now,
			       int32_t window, struct visits_facts *f);

/* The same for a visit at premises `where` (0: the patient's home): the
** home prescription with that premises' settings, windows and events.  It
** does not check a guest authorisation (cmd/guest.h does). */
enum hat_err visits_load_facts_at(struct store_conn *c, int64_t patient_id, int64_t where,
				  int64_t now, int32_t window, struct visits_facts *f);

/* The dose due now for patient_id at now, for the dose dialog (new
** reference in *out): {"amount_mg", "amount_ug", "limit" (the code of the
** limit that binds, or null), "message" (that limit in words with its
** numbers), "refusal" and "refusal_message" (why no dose may be given, or
** null), "topup", "session_no", "induction_day", "induction_days"}.
** HAT_E_NOT_FOUND for no such patient. */
enum hat_err visits_dose_due(struct store_conn *c, int64_t patient_id, int64_t now,
			     json_t **out);

/* Which prescriber's review the patient waits for, and why in words with
** the numbers ({"reason": "missed_days", "message": "..."}), or JSON null
** when none is pending (new reference). */
json_t *visits_pending_review_json(const struct visits_facts *f);

/* Applies one recorded event of the visit (a visit_events kind) at `at`
** to f's state, exactly as replaying the record does.  alarm_bits are a
** post-dose check's ASSESS_ALARM_* bits, for "left" 1 when it was against
** advice, 0 for other events. */
void visits_apply_event(struct visits_facts *f, const char *kind, int64_t at,
			unsigned alarm_bits);

/* The names of ASSESS_ALARM_* bits as a JSON array (new reference):
** "sedation", "respiratory_rate", "oxygen_saturation". */
json_t *visits_alarm_names(unsigned alarm_bits);

#endif
