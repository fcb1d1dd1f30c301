/*
** clinical.h: adverse events, prescriber reviews and risk discussions.
**
** Commands (target = patient):
**   clinical.adverse_event  nurse or prescriber: kind (over_sedation |
**       overdose | naloxone | seizure | other), occurred_at, naloxone_dose_mg,
**       naloxone_route, naloxone_at, action_taken, outcome.  Naloxone and a
**       seizure block the patient's doses until a prescriber's review.
**   clinical.review  prescriber: outcome (continue | reduce |
**       restart_induction), notes.  Lifts a block after an adverse event or
**       missed doses; restart_induction starts the induction caps again.
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
