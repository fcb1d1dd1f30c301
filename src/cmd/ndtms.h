/*
** ndtms.h (cmd): the national drug-treatment return: an episode's details
** and the identifiable export.
**
** Command ndtms.record (keyworker or manager; target = episode): consent
** (Y | N), local_authority, postcode, referral_source, triage_date,
** care_plan_date.  Dates must fall between the referral and today, the
** care plan on or after the triage.  A new row per change.
**
** The export has one row per episode whose person consented (Y): the
** attributor's parts, the data-set fields, a named validation error per
** row when a mandatory field is missing, whether the discharge was a
** successful completion and whether the person re-presented (a new
** triage, or referral, within 182 days of the discharge).  Episodes
** without consent are counted, never exported.
** Refusals: date_order, invalid_value (postcode), not_found.
*/
#ifndef HAT_CMD_NDTMS_H
#define HAT_CMD_NDTMS_H

#include "cmd/cmd.h"
#include "util/spool.h"

extern const struct cmd_def ndtms_record;
/* ndtms.modality (keyworker or manager; target = episode): modality,
** start_date, end_date, exit_status, supersedes_id (a current modality of
** this episode that this row replaces, e.g. to end it). */
extern const struct cmd_def ndtms_modality;

/* An episode's current details and modalities (new reference); *patient_id
** says whose.  HAT_E_NOT_FOUND. */
enum hat_err ndtms_episode_read(struct store_conn *c, int64_t episode_id, int64_t *patient_id,
				json_t **out);

/* The identifiable export as of today (new reference). */
enum hat_err ndtms_export(struct store_conn *c, json_t **out);

/* The same for the episodes in treatment at some time from `from` to `to`
** (referred on or before to, not discharged before from). */
enum hat_err ndtms_export_period(struct store_conn *c, int32_t from, int32_t to, json_t **out);

/* ndtms.code (manager): list (SEX | DISRSN | RFLS | MODAL | MODEXIT),
** local_value, code (empty withdraws the mapping).  A new row per change. */
extern const struct cmd_def ndtms_code_set;

/* The code lists in force, newest mapping of each value (new reference). */
enum hat_err ndtms_codes_list(struct store_conn *c, json_t **out);

struct ndtms_csv_stats {
	int64_t rows;              /* lines written, one per current modality */
	int64_t rows_with_errors;  /* lines whose validation column names a field */
	int64_t excluded;          /* episodes left out: no consent */
};

/*
** The return as CSV in the data set's field order (FINITIAL, SINITIAL, DOB,
** SEX, CONSENT, PC, LA, EPISODID, REFLD, RFLS, TRIAGED, CPLANDT, DISD,
** DISRSN, MODAL, MODID, MODST, MODEND, MODEXIT), values through the code
** lists, then hat's own VALIDATION column naming the first mandatory field
** missing or without a code (empty when the line is complete).  One line
** per current modality of each consented episode; an episode without one
** is one line, its error MODAL.  Dates are YYYY-MM-DD.  Each line goes to
** out as it is made; the episodes (not their doses) are read first, so the
** memory grows with the number of episodes, not with their history.
** Errors: those of the store, HAT_E_IO when out's descriptor refuses them.
*/
enum hat_err ndtms_export_csv(struct store_conn *c, int32_t from, int32_t to, struct spool *out,
			      struct ndtms_csv_stats *stats);

/*
** The TOP returns as CSV: FINITIAL, SINITIAL, DOB, SEX, EPISODID, TOPID (the
** form's first id, kept through revisions), TOPDATE, TRSTAGE (through the
** TRSTAGE code list), then one column per item code of the newest TOP
** definition in its order (the codes are data, in the definition), then
** VALIDATION.  One line per current TOP dated in the period whose episode
** consented; the others are counted in stats->excluded.  Each line goes to
** out as its form is read.
*/
enum hat_err ndtms_top_csv(struct store_conn *c, int32_t from, int32_t to, struct spool *out,
			   struct ndtms_csv_stats *stats);

#endif
