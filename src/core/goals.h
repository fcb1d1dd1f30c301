/*
** goals.h: personal recovery goals, set by the person with their keyworker.
**
** A goal's status is folded from its events, never stored: it is open until
** it is achieved or let go, and a closed goal can be reopened.  Reviews add
** a note to an open goal.  Pure functions: no I/O, no clock.
*/
#ifndef HAT_CORE_GOALS_H
#define HAT_CORE_GOALS_H

#include <stdbool.h>

#include "util/err.h"

enum goals_status {
	GOALS_OPEN,
	GOALS_ACHIEVED,
	GOALS_LET_GO,
};

enum goals_event {
	GOALS_REVIEW,
	GOALS_ACHIEVE,
	GOALS_LET_GO_EVENT,
	GOALS_REOPEN,
};

/* The domains a goal can be in; "own" is one the person names themselves. */
bool goals_domain_ok(const char *domain);

bool goals_event_parse(const char *name, enum goals_event *out);
const char *goals_status_name(enum goals_status s);

/*
** The status after ev.  HAT_E_GOAL_CLOSED for a review, achievement or
** letting go of a closed goal; HAT_E_GOAL_OPEN for reopening an open one.
** *next is untouched on error.
*/
enum hat_err goals_apply(enum goals_status cur, enum goals_event ev, enum goals_status *next);

#endif
