/*
** fhir_parts.h: what the files that build the FHIR Bundle share (internal
** to cmd/fhir*.c).  Each part hands its resources for one person to the
** sink one at a time, as each is made (fhir.h); a part returns a store
** error, HAT_E_NOMEM or the sink's error.
*/
#ifndef HAT_CMD_FHIR_PARTS_H
#define HAT_CMD_FHIR_PARTS_H

#include "cmd/cmd.h"
#include "cmd/fhir.h"

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
/* Hands resource to the sink and releases it (stolen); NULL (building it
** failed) is HAT_E_NOMEM. */
enum hat_err fhir_add(struct fhir_sink *sink, json_t *resource);

/* Observations: pre-dose assessments, post-dose checks, drug screens. */
enum hat_err fhir_observations(struct store_conn *c, int64_t pid, struct fhir_sink *sink);
/* QuestionnaireResponse for each outcome form, and the Questionnaire of
** each instrument they answer (once each). */
enum hat_err fhir_forms(struct store_conn *c, int64_t pid, struct fhir_sink *sink);
/* Flags: the alerts on record, each blocking adverse event, and the review
** the patient waits for at now. */
enum hat_err fhir_flags(struct store_conn *c, int64_t pid, int64_t now, struct fhir_sink *sink);
/* A Goal for each goal, its status from its latest event. */
enum hat_err fhir_goals(struct store_conn *c, int64_t pid, struct fhir_sink *sink);

#endif
