/*
** fhir.h (cmd): one person's treatment as a FHIR R4 Bundle (the answer of
** Patient/$everything).
**
** Patient (the NHS number as the official identifier with its system
** URI), EpisodeOfCare for each episode, MedicationRequest for each
** prescription and MedicationAdministration for each dose (routes as
** SNOMED CT, doses in UCUM mg), Observation for each pre-dose assessment,
** post-dose check (respiratory rate and oxygen saturation as LOINC) and
** drug screen, QuestionnaireResponse for each outcome form with the
** Questionnaire of its instrument, Flag for the alerts, each blocking
** adverse event and the review the patient waits for, and Goal for each
** goal.  What no standard code was verified for (the medicines, the
** clinic's sedation scale, breath alcohol, analytes, blocks) carries a
** local code (FHIR_LOCAL in core/fhir.h) with its words.  hatctl export
** fhir writes the same for the whole clinic as NDJSON, one file a type.
*/
#ifndef HAT_CMD_FHIR_H
#define HAT_CMD_FHIR_H

#include "cmd/cmd.h"

/* The Bundle (type searchset) for patient_id as it stands at now (the
** review a patient waits for depends on the time); *out is a new
** reference.  HAT_E_NOT_FOUND. */
enum hat_err fhir_everything(struct store_conn *c, int64_t patient_id, int64_t now, json_t **out);

#endif
