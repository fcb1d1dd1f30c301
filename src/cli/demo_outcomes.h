/*
** demo_outcomes.h: the demo clinic's outcome histories: TOPs at the start
** of treatment and every 182 days since, BARC-10s, goals, drug screens,
** and one person's own login.
*/
#ifndef HAT_CLI_DEMO_OUTCOMES_H
#define HAT_CLI_DEMO_OUTCOMES_H

#include "cli.h"

/* The demo's service user (Daniel) logs in with this. */
#define DEMO_OWN_VIEW_PASSWORD "demo-own-view-pass"

/* Records the outcome histories of the patients ids[0..n) whose treatment
** began started_days_ago[i] days ago (< 0: not started; skipped), as the
** demo keyworker and nurse at the moments the story describes.  Needs the
** prescriptions demo_history signs.  Returns 0 or 1. */
int demo_outcomes(struct cmd_runner *r, struct store_conn *conn, const int64_t ids[],
		  const int started_days_ago[], size_t n);

#endif
