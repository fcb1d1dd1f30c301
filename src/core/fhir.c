/*
** fhir.c: see fhir.h.
*/
#include <string.h>

#include "fhir.h"

const char *fhir_episode_status(const char *status)
{
	if (!status)
		return NULL;
	if (strcmp(status, "referred") == 0)
		return "planned";
	if (strcmp(status, "active") == 0)
		return "active";
	if (strcmp(status, "discharged") == 0)
		return "finished";
	return NULL;
}

bool fhir_route(const char *route, const char **code, const char **display)
{
	static const struct { const char *route, *code, *display; } routes[] = {
		{ "iv", "47625008", "Intravenous route" },
		{ "im", "78421000", "Intramuscular route" },
		{ "sc", "34206005", "Subcutaneous route" },
		{ "oral", "26643006", "Oral route" },
	};

	for (size_t i = 0; route && i < sizeof routes / sizeof routes[0]; i++) {
		if (strcmp(routes[i].route, route) == 0) {
			*code = routes[i].code;
			*display = routes[i].display;
			return true;
		}
	}
	return false;
}

const char *fhir_request_status(bool stopped, bool superseded)
{
	return stopped || superseded ? "stopped" : "active";
}
