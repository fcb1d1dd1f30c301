/*
** prescriptions.h: directions to administer, signed by a prescriber.
**
** Commands:
**   prescription.sign  prescriber (target = patient): drug, routes,
**       session_dose_mg, sessions_per_day, daily_max_mg, topup_allowed,
**       topup_max_mg, start_date, end_date, induction (array of days) or
**       use_induction_template, oral_drug, oral_dose_mg, oral_daily_max_mg,
**       notes, supersedes_id, induction_waived_reason (a readmitted
**       patient's first prescription in the new episode needs an induction
**       schedule or this reason: induction_required).  core/dosing decides whether it may be signed
**       (caps, the clinic's ceiling, the prescriber's licence at these
**       premises).  A signed prescription is never edited: a new one
**       supersedes it.
**   prescription.stop  prescriber (target = prescription): reason.
** Refusals: not_a_prescriber, prescriber_licence_lapsed,
** prescription_exceeds_ceiling, date_order, no_active_episode, conflict (the
** prescription to supersede or stop is no longer current), not_found.
*/
#ifndef HAT_CMD_PRESCRIPTIONS_H
#define HAT_CMD_PRESCRIPTIONS_H

#include "cmd/cmd.h"
#include "core/dosing.h"

extern const struct cmd_def prescriptions_sign;
extern const struct cmd_def prescriptions_stop;

/* Loads the patient's current prescription on local date `date` into *rx,
** with its prescriber's licence for premises_id as it stands now.  *found
** is false when there is none. */
enum hat_err prescriptions_current(struct store_conn *c, int64_t patient_id,
				   int64_t premises_id, int32_t date,
				   struct dosing_prescription *rx, bool *found);

/* One prescription as JSON (new reference); HAT_E_NOT_FOUND. */
enum hat_err prescriptions_read(struct store_conn *c, int64_t id, json_t **out);

/* A patient's prescriptions, newest first, each with its status (new
** reference). */
enum hat_err prescriptions_list(struct store_conn *c, int64_t patient_id, json_t **out);

/* Signs the prescription described by body (prescription.sign's fields) as
** part of the running command c (a prescriber's review that carries it):
** the same checks, rows and audit event as prescription.sign.  *out is the
** stored prescription (new reference).  Refusals as prescription.sign; a
** body that fails its field table is refused naming "prescription". */
enum hat_err prescriptions_sign_within(struct store_conn *conn, struct cmd *c, json_t *body,
				       json_t **out);

/* Stops every prescription of the patient still running (current or yet to
** start), each as a 'stopped' event naming the discharged episode and its
** reason code, each audited: a discharge ends treatment, and a prescription
** left running must not apply again on readmission.  Runs inside the
** discharging command's transaction. */
enum hat_err prescriptions_end_for_discharge(struct store_conn *conn, struct cmd *c,
					     int64_t patient_id, int64_t episode_id,
					     const char *reason_code);

/* The shipped induction template as JSON (new reference). */
json_t *prescriptions_template_json(void);

#endif
