/*
** clinical.h: adverse events, prescriber reviews and risk discussions.
**
** Commands (target = patient):
**   clinical.adverse_event  nurse or prescriber: kind (over_sedation |
**       overdose | naloxone | seizure | other), occurred_at, naloxone_dose_mg,
**       naloxone_route, naloxone_at, action_taken, outcome.  Naloxone and a
**       seizure block the patient's doses until a prescriber's review.
**   clinical.review  prescriber: outcome (continue | reduce |
**       restart_induction), notes, prescription (with reduce: the lower
**       prescription, signed in the same command).  A review binds its
**       outcome: continue lifts a block as it is; reduce holds the patient
**       until a prescription below the reviewed session dose is in force
**       (review_reduce_pending; review_reduce_not_lower for a carried one
**       that is not lower); restart_induction puts the induction caps in
**       force from the next dose.
**   clinical.risk_discussion  nurse or prescriber: notes (a lower-limb
**       injection site needs one on record).
*/
#ifndef HAT_CMD_CLINICAL_H
#define HAT_CMD_CLINICAL_H

#include "cmd/cmd.h"

extern const struct cmd_def clinical_adverse_event;
extern const struct cmd_def clinical_review;
extern const struct cmd_def clinical_risk_discussion;

#endif
