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
#define FHIR_LOINC_SYSTEM "http://loinc.org"
#define FHIR_ATC_SYSTEM "http://www.whocc.no/atc"
#define FHIR_LOINC_RESP_RATE "9279-1"   /* Respiratory rate */
#define FHIR_LOINC_SPO2 "59408-5"       /* Oxygen saturation in arterial blood by pulse oximetry */
#define FHIR_OBS_CATEGORY_SYSTEM "http://terminology.hl7.org/CodeSystem/observation-category"
#define FHIR_INTERPRETATION_SYSTEM "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
#define FHIR_ABSENT_SYSTEM "http://terminology.hl7.org/CodeSystem/data-absent-reason"
#define FHIR_FLAG_CATEGORY_SYSTEM "http://terminology.hl7.org/CodeSystem/flag-category"
#define FHIR_GOAL_ACHIEVEMENT_SYSTEM "http://terminology.hl7.org/CodeSystem/goal-achievement"

/* hat's own code systems, for what no standard code was verified for
** (sedation on the clinic's scale, breath alcohol, pupils, analytes, the
** medicines, blocks): URNs, so that no one mistakes them for a standard
** or for an address to resolve.  FHIR_LOCAL(x) is "urn:hat:fhir:x". */
#define FHIR_LOCAL(x) "urn:hat:fhir:" x

/* Which Questionnaire item type holds an answer of hat's instrument item
** type: days and scale -> integer, amount -> decimal, text -> string,
** yesno -> boolean; NULL for a type with no mapping. */
const char *fhir_item_type(const char *hat_type);

/* A drug-screen result (negative, positive, invalid, not_tested) as FHIR
** says it: *interpretation is the v3 ObservationInterpretation code (NEG,
** POS) or NULL, *absent the data-absent-reason code (error,
** not-performed) or NULL; false for an unknown result. */
bool fhir_screen_result(const char *result, const char **interpretation, const char **absent);

/* Goal.lifecycleStatus and achievementStatus after a goal's latest event
** (NULL: none yet; review, reopen, achieved, let_go): active and
** in-progress, completed and achieved, or cancelled and not-achieved;
** false for an unknown kind. */
bool fhir_goal_status(const char *last_event, const char **lifecycle, const char **achievement);

/* EpisodeOfCare.status for an episode's status: referred -> planned,
** active -> active, discharged -> finished; anything else NULL. */
const char *fhir_episode_status(const char *status);

/* The SNOMED CT route of administration for hat's route (iv, im, sc,
** oral): *code and *display; false for a route with no code here. */
bool fhir_route(const char *route, const char **code, const char **display);

/* The medicine hat prescribes (diamorphine, hydromorphone) as SNOMED CT
** substance concepts (*snomed, *display) and its WHO ATC code (*atc); false
** for a drug with no code here.  The SNOMED CT ids are the substance
** concepts ("Diamorphine", whose synonym is heroin; "Hydromorphone") that
** the NHS dictionary of medicines uses as ingredients; a supplier's product
** (VMP/AMP) code is more specific but differs by product, so the substance is
** what a record of treatment can name for every clinic. */
bool fhir_medicine(const char *drug, const char **snomed, const char **display, const char **atc);

/* MedicationRequest.status: stopped when stopped or replaced, else active. */
const char *fhir_request_status(bool stopped, bool superseded);

#endif
