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

struct spool;

/* Where one person's resources go, one at a time as each is read and made,
** so that a record of ten years costs the memory of one resource: put
** borrows the resource (the caller releases it) and returns HAT_OK or the
** error that stops the walk. */
struct fhir_sink {
	enum hat_err (*put)(struct fhir_sink *sink, json_t *resource);
	int64_t count; /* resources put so far (fhir_add counts them) */
};

/* Each resource of patient_id's record as it stands at now (the review a
** patient waits for depends on the time), in the Bundle's order: Patient
** first.  HAT_E_NOT_FOUND before anything is put. */
enum hat_err fhir_resources(struct store_conn *c, int64_t patient_id, int64_t now,
			    struct fhir_sink *sink);

/* The Bundle (type searchset) of fhir_resources written to sp as JSON text,
** a resource at a time.  HAT_E_NOT_FOUND (nothing written), HAT_E_IO. */
enum hat_err fhir_everything_write(struct store_conn *c, int64_t patient_id, int64_t now,
				   struct spool *sp);

#endif
