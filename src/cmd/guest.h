/*
** guest.h (cmd): guest dosing at another premises of the same provider.
**
** Commands:
**   guest.authorise  prescriber (target = patient): premises_id (the guest
**       premises), dates (1..28 days, "YYYY-MM-DD", none past, none twice),
**       notes.  One row per day.
** A visit command (check-in, assessment, dose, oral dose, after-care) takes
** an optional premises_id: the premises the visit is at.  Elsewhere than
** the patient's home it needs the home clinic's authorisation for today
** (guest_not_authorised otherwise); the dose is then checked against the
** person's whole day wherever dosed, and drawn from the guest premises'
** register.
*/
#ifndef HAT_CMD_GUEST_H
#define HAT_CMD_GUEST_H

#include "cmd/cmd.h"
#include "cmd/visits.h"

extern const struct cmd_def guest_authorise;

/* The premises_id field every visit command takes. */
#define GUEST_PREMISES_FIELD { "premises_id", FT_INT, false, 1, INT64_MAX, NULL, false }

/* Loads the visit's facts for the command's patient at the premises its
** input names (home when none), refusing a guest visit the home clinic has
** not authorised for today (guest_not_authorised) and an unknown premises.
** window as for visits_load_facts_at. */
enum hat_err guest_load_for_cmd(struct store_conn *conn, struct cmd *c, int32_t window,
				struct visits_facts *f);

/* The guests authorised at premises_id on date, each with their home
** premises, the prescription in force and every dose of the day at any
** premises (new reference). */
enum hat_err guest_list(struct store_conn *c, int64_t premises_id, int32_t date, json_t **out);

#endif
