/*
** patients.h: patients, their treatment episodes, and the access log.
**
** Commands:
**   patient.create  clinical staff: given_name, family_name, birth_date, sex,
**                   nhs_number (optional, modulus-11 checked), address,
**                   contact, alerts, premises_id
**   patient.update  clinical staff: any of those, plus the version read
**                   (a stale version is refused, so two editors cannot
**                   silently overwrite each other)
**   episode.open    clinical staff: referral_date, start_date (target =
**                   patient)
**   episode.update  clinical staff: start_date, or discharge_date with
**                   discharge_reason (target = episode)
**   patient.access  any logged-in reader: writes the access log (who,
**                   which record, what, why); not a chain event, since the
**                   access log is its own append-only table
** Refusals: invalid_nhs_number, conflict (NHS number on another patient),
** stale_version, episode_already_open, episode_closed, date_order,
** unknown_discharge_reason, unknown_premises, not_found.
*/
#ifndef HAT_CMD_PATIENTS_H
#define HAT_CMD_PATIENTS_H

#include "cmd/cmd.h"

extern const struct cmd_def patients_create;
extern const struct cmd_def patients_update;
extern const struct cmd_def episodes_open;
extern const struct cmd_def episodes_update;
extern const struct cmd_def patients_access;
/* discharge_reason.set (manager): code, label, active: the clinic's list. */
extern const struct cmd_def patients_discharge_reason_set;

/* One patient with their episodes (new reference); HAT_E_NOT_FOUND. */
enum hat_err patients_read(struct store_conn *c, int64_t id, json_t **out);

/* Patients whose name or NHS number contains q (NULL: all), newest first,
** limit/offset paginated (new reference).  viewer_id 0: at every premises;
** otherwise only those of the premises where viewer_id holds (in
** user_premises_roles) one of roles, written ",nurse,keyworker,". */
enum hat_err patients_list(struct store_conn *c, const char *q, int64_t viewer_id,
			   const char *roles, int64_t limit, int64_t offset, json_t **out);

/* The clinic's discharge reasons (new reference). */
enum hat_err patients_discharge_reasons(struct store_conn *c, json_t **out);

#endif
