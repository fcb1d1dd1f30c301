/*
** demo.h: the demo clinic's 90 days of history.
*/
#ifndef HAT_CLI_DEMO_H
#define HAT_CLI_DEMO_H

#include "cli.h"

/* Signs prescriptions for the n patients and replays `days` days (at least
** 90) of sessions for them up to yesterday, through the same commands as
** live sessions: check-in, assessment, witnessed administration, post-dose
** check, leaving; with some missed days, a withheld dose, top-ups, an oral
** component, and one naloxone event with its review; weekly deliveries and
** stock checks.  Patients past the eleventh repeat the first eleven's
** stories.  Returns 0 or 1. */
int demo_history(struct cmd_runner *r, struct store_conn *conn, const int64_t patient_ids[],
		 size_t n, int days);

#endif
