/*
** fhir.h: the few rules of mapping hat's record to FHIR R4 codes.  Pure
** functions: no I/O, nothing allocated.
*/
#ifndef HAT_CORE_FHIR_H
#define HAT_CORE_FHIR_H

#include <stdbool.h>

/* The NHS number's identifier system. */
#define FHIR_NHS_NUMBER_SYSTEM "https://fhir.nhs.uk/Id/nhs-number"
#define FHIR_SNOMED_SYSTEM "http://snomed.info/sct"
#define FHIR_UCUM_SYSTEM "http://unitsofmeasure.org"

/* EpisodeOfCare.status for an episode's status: referred -> planned,
** active -> active, discharged -> finished; anything else NULL. */
const char *fhir_episode_status(const char *status);

/* The SNOMED CT route of administration for hat's route (iv, im, sc,
** oral): *code and *display; false for a route with no code here. */
bool fhir_route(const char *route, const char **code, const char **display);

/* MedicationRequest.status: stopped when stopped or replaced, else active. */
const char *fhir_request_status(bool stopped, bool superseded);

#endif
