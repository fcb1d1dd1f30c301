/*
** takehome.h (cmd): take-home injectable doses, off unless a premises turns
** them on, under a rule set that core/takehome decides from the record.
**
** Commands:
**   takehome.settings  manager (target = premises): enabled, rule_set
**       (swiss_2020), jurisdiction_basis (the law that allows it; required
**       to enable), assessment_valid_days, review_days
**   takehome.assess    prescriber (target = patient): kind (stability |
**       misuse_risk | comorbidity), outcome (stable | unstable; very_low |
**       low | moderate | high; present | absent), notes
**   takehome.grant / takehome.review  prescriber (target = patient):
**       review_by (default: review_days ahead), notes.  Every criterion is
**       checked from the record (all but the days); the first not met is the
**       refusal.
**   takehome.withdraw  prescriber (target = patient): notes (the reason)
**   takehome.supply    nurse or prescriber with a witness (target =
**       patient): first_date (today or tomorrow), days.  Each day is the
**       prescription's sessions_per_day doses of its session dose, in whole
**       ampoules from the home premises' register, posted in the same
**       transaction.
**   takehome.return    nurse, prescriber, pharmacist or CDAO (target =
**       supply): kind (returned: with a witness, denatured, never back into
**       stock; lost: an incident is opened), ampoules, days_unused, notes
**   contact.record     keyworker, nurse or prescriber (target = patient):
**       kind (in_person | phone | video | home_visit), at, notes
** Refusals: every takehome_* code in err.def, no_current_prescription,
** patient_blocked, insufficient_stock, date_order, witness codes.
*/
#ifndef HAT_CMD_TAKEHOME_H
#define HAT_CMD_TAKEHOME_H

#include "cmd/cmd.h"
#include "core/takehome.h"

extern const struct cmd_def takehome_settings_set;
extern const struct cmd_def takehome_assess;
extern const struct cmd_def takehome_grant;
extern const struct cmd_def takehome_review;
extern const struct cmd_def takehome_withdraw;
extern const struct cmd_def takehome_supply;
extern const struct cmd_def takehome_return;
extern const struct cmd_def takehome_contact;

/* Roles that may witness a supply or a return (the register's). */
#define TAKEHOME_WITNESS_ROLES (policy_rules[POLICY_WITNESS_REGISTER].roles)

/* The premises' take-home setting (off, swiss_2020, the default validity
** and review when none was ever set); *version 0 when none was set. */
enum hat_err takehome_setting_load(struct store_conn *c, int64_t premises_id,
				   struct takehome_setting *out, int64_t *version);

/* The last day a take-home supply covers as dosed up to today (core's
** takehome_covered_through over every supply).  *found false when none. */
enum hat_err takehome_last_covered(struct store_conn *c, int64_t patient_id, int32_t today,
				   bool *found, int32_t *last);

/* Whether day is covered by a take-home supply (less the days returned). */
enum hat_err takehome_day_covered(struct store_conn *c, int64_t patient_id, int32_t day,
				  bool *covered);

/* For hatctl verify (register_verify): each take-home supply's register
** entries give exactly its amount to its patient, and every entry taking
** stock out for a patient names a dose or a supply.  *ok false names the
** first problem in finding. */
enum hat_err takehome_verify(struct store_conn *c, bool *ok, char *finding, size_t n);

/* The check screen's read: the setting, every criterion with what the
** record says, the privilege, the supplies and their returns (new
** reference).  HAT_E_NOT_FOUND for no such patient. */
enum hat_err takehome_status(struct store_conn *c, int64_t patient_id, int64_t now,
			     json_t **out);

#endif
