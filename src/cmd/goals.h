/*
** goals.h (cmd): personal recovery goals in each domain, set by the person
** with their keyworker (or by the person alone, from their own login).
**
** Commands (keyworker, nurse, prescriber, or the service user for their own
** record):
**   goal.create  target = patient: domain (substance_use | physical_health |
**       psychological_health | social | housing | work_education |
**       crime_justice | own), own_domain (the person's name for it; needed
**       with "own"), text, target_date
**   goal.event   target = goal: kind (review | achieved | let_go | reopen),
**       note.  The status is folded from the events by core.
** Refusals: goal_closed, goal_open, missing_field (own_domain), not_found.
*/
#ifndef HAT_CMD_GOALS_H
#define HAT_CMD_GOALS_H

#include "cmd/cmd.h"

#define GOALS_WRITERS (ROLE_KEYWORKER | ROLE_NURSE | ROLE_PRESCRIBER | ROLE_SERVICE_USER)

extern const struct cmd_def goals_create;
extern const struct cmd_def goals_event;

/* A patient's goals with their status and events, newest first (new
** reference). */
enum hat_err goals_list(struct store_conn *c, int64_t patient_id, json_t **out);

#endif
