/*
** fhir.h (cmd): one person's treatment as a FHIR R4 Bundle (the answer of
** Patient/$everything).
**
** Built so far: Patient (the NHS number as the official identifier with
** its system URI), EpisodeOfCare for each episode, MedicationRequest for
** each prescription and MedicationAdministration for each dose (routes as
** SNOMED CT, doses in UCUM mg).  Not built: Observation, Questionnaire and
** QuestionnaireResponse, Flag, Goal, standard codes for the medicines
** themselves (they are sent as text).  hatctl export fhir writes these
** four types for the whole clinic as NDJSON.
*/
#ifndef HAT_CMD_FHIR_H
#define HAT_CMD_FHIR_H

#include "cmd/cmd.h"

/* The Bundle (type searchset) for patient_id (new reference).
** HAT_E_NOT_FOUND. */
enum hat_err fhir_everything(struct store_conn *c, int64_t patient_id, json_t **out);

#endif
