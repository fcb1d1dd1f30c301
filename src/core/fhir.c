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

bool fhir_medicine(const char *drug, const char **snomed, const char **display, const char **atc)
{
	static const struct { const char *drug, *snomed, *display, *atc; } medicines[] = {
		{ "diamorphine", "387341002", "Diamorphine", "N07BC06" },
		{ "hydromorphone", "44508008", "Hydromorphone", "N02AA03" },
	};

	for (size_t i = 0; drug && i < sizeof medicines / sizeof medicines[0]; i++) {
		if (strcmp(medicines[i].drug, drug) == 0) {
			*snomed = medicines[i].snomed;
			*display = medicines[i].display;
			*atc = medicines[i].atc;
			return true;
		}
	}
	return false;
}

const char *fhir_request_status(bool stopped, bool superseded)
{
	return stopped || superseded ? "stopped" : "active";
}

const char *fhir_item_type(const char *hat_type)
{
	static const struct { const char *hat, *fhir; } types[] = {
		{ "days", "integer" }, { "scale", "integer" }, { "amount", "decimal" },
		{ "text", "string" }, { "yesno", "boolean" },
	};

	for (size_t i = 0; hat_type && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(types[i].hat, hat_type) == 0)
			return types[i].fhir;
	return NULL;
}

bool fhir_screen_result(const char *result, const char **interpretation, const char **absent)
{
	static const struct { const char *result, *interp, *absent; } results[] = {
		{ "negative", "NEG", NULL }, { "positive", "POS", NULL },
		{ "invalid", NULL, "error" }, { "not_tested", NULL, "not-performed" },
	};

	for (size_t i = 0; result && i < sizeof results / sizeof results[0]; i++) {
		if (strcmp(results[i].result, result) == 0) {
			*interpretation = results[i].interp;
			*absent = results[i].absent;
			return true;
		}
	}
	return false;
}

bool fhir_goal_status(const char *last_event, const char **lifecycle, const char **achievement)
{
	if (!last_event || strcmp(last_event, "review") == 0 || strcmp(last_event, "reopen") == 0) {
		*lifecycle = "active";
		*achievement = "in-progress";
	} else if (strcmp(last_event, "achieved") == 0) {
		*lifecycle = "completed";
		*achievement = "achieved";
	} else if (strcmp(last_event, "let_go") == 0) {
		*lifecycle = "cancelled";
		*achievement = "not-achieved";
	} else {
		return false;
	}
	return true;
}
