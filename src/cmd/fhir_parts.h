/*
** fhir_parts.h: what the files that build the FHIR Bundle share (internal
** to cmd/fhir*.c).  Each part adds its resources for one person to entries
** (a JSON array of {"resource": ...}); a part returns a store error or
** HAT_E_NOMEM and leaves what it added for the caller to release.
*/
#ifndef HAT_CMD_FHIR_PARTS_H
#define HAT_CMD_FHIR_PARTS_H

#include "cmd/cmd.h"

/* {"reference": "Type/id"} (new reference). */
json_t *fhir_ref(const char *type, int64_t id);
/* An id as FHIR's id string, "N" or "prefix-N" (new reference). */
json_t *fhir_id(const char *prefix, int64_t id);
/* An instant or a local date as FHIR text (new reference). */
json_t *fhir_instant(int64_t at);
json_t *fhir_date(int32_t date);
/* {"coding": [{system, code, display}], "text": display} (new reference);
** display may be NULL. */
json_t *fhir_concept(const char *system, const char *code, const char *display);
/* Appends {"resource": resource} to entries, stealing resource; NULL
** (building it failed) is HAT_E_NOMEM. */
enum hat_err fhir_add(json_t *entries, json_t *resource);

/* Observations: pre-dose assessments, post-dose checks, drug screens. */
enum hat_err fhir_observations(struct store_conn *c, int64_t pid, json_t *entries);
/* QuestionnaireResponse for each outcome form, and the Questionnaire of
** each instrument they answer (once each). */
enum hat_err fhir_forms(struct store_conn *c, int64_t pid, json_t *entries);
/* Flags: the alerts on record, each blocking adverse event, and the review
** the patient waits for at now. */
enum hat_err fhir_flags(struct store_conn *c, int64_t pid, int64_t now, json_t *entries);
/* A Goal for each goal, its status from its latest event. */
enum hat_err fhir_goals(struct store_conn *c, int64_t pid, json_t *entries);

#endif
