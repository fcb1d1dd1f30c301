/*
** goals.c: see goals.h.
*/
#include <string.h>

#include "goals.h"

static const char *const domains[] = {
	"substance_use", "physical_health", "psychological_health", "social",
	"housing", "work_education", "crime_justice", "own", NULL,
};

bool goals_domain_ok(const char *domain)
{
	for (int i = 0; domain && domains[i]; i++) {
		if (strcmp(domain, domains[i]) == 0)
			return true;
	}
	return false;
}

static const char *const event_names[] = { "review", "achieved", "let_go", "reopen" };

bool goals_event_parse(const char *name, enum goals_event *out)
{
	for (int i = 0; name && i < 4; i++) {
		if (strcmp(name, event_names[i]) == 0) {
			*out = (enum goals_event)i;
			return true;
		}
	}
	return false;
}

const char *goals_status_name(enum goals_status s)
{
	switch (s) {
	case GOALS_ACHIEVED:
		return "achieved";
	case GOALS_LET_GO:
		return "let_go";
	default:
		return "open";
	}
}

enum hat_err goals_apply(enum goals_status cur, enum goals_event ev, enum goals_status *next)
{
	if (ev == GOALS_REOPEN) {
		if (cur == GOALS_OPEN)
			return HAT_E_GOAL_OPEN;
		*next = GOALS_OPEN;
		return HAT_OK;
	}
	if (cur != GOALS_OPEN)
		return HAT_E_GOAL_CLOSED;
	*next = ev == GOALS_ACHIEVE ? GOALS_ACHIEVED : ev == GOALS_LET_GO_EVENT ? GOALS_LET_GO : GOALS_OPEN;
	return HAT_OK;
}
