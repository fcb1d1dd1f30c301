/*
** screens.h (cmd): drug screens, read right for a heroin-assisted-treatment
** patient.
**
** Commands (nurse, keyworker, prescriber; target = patient):
**   screen.record  sample_type (urine | oral_fluid | other), collected_at,
**       supervised, collection (random | scheduled), method (point_of_care
**       | lab_screen | confirmatory), lab_ref, self_report (unknown | no |
**       yes: the person's own word on street heroin), notes, results
**       [{analyte, result (negative | positive | invalid | not_tested),
**       cutoff_ng_ml}].  Whether each analyte is expected comes from the
**       prescription in force at collection; the street-heroin reading
**       comes from core and is stored with the screen.
**   screen.error   target = screen: reason (entered in error; kept).
** Refusals: unknown_analyte, invalid_value, date_order, conflict (the same
** analyte twice), entered_in_error, not_found.
*/
#ifndef HAT_CMD_SCREENS_H
#define HAT_CMD_SCREENS_H

#include "cmd/cmd.h"

#define SCREENS_WRITERS (ROLE_NURSE | ROLE_KEYWORKER | ROLE_PRESCRIBER)

extern const struct cmd_def screens_record;
extern const struct cmd_def screens_error;

/* A patient's screens, newest first, with their results and readings, and
** the share free of street heroin over the settings' window ending today
** (new reference). */
enum hat_err screens_list(struct store_conn *c, int64_t patient_id, int32_t today, json_t **out);

/* The clinic's analytes (new reference). */
enum hat_err screens_analytes(struct store_conn *c, json_t **out);

#endif
