/*
** premises_gate.c (api): the roles held at the premises a request acts on.
**
** The route's gate (api_authenticate) lets through anyone holding an
** allowed role anywhere; here, before the handler runs and so before
** anything is written, the premises of what the request names is found
** and the caller must hold an allowed role at THAT premises, or globally
** (core/premroles.h).  The premises is found from the path: a patient's
** (and of every record of a patient's), a register page's, or the
** premises itself; else from the body's premises_id (a receipt, a new
** patient).  A guest visit's body names the visited premises, where the
** act happens.  Routes that take ?premises_id check in api_premises_param;
** a few that name no premises but reach several (provider_routes) are for
** staff holding the role at every premises; the patient list shows the
** premises where the caller holds it (api_patients_list).
** An id that names nothing passes: the handler answers 404.
*/
#include <string.h>

#include "api.h"
#include "auth/premises.h"

#define VIA_PATIENT(t) "SELECT p.premises_id FROM " t " x JOIN patients p ON p.id = x.patient_id" \
		       " WHERE x.id = ?"

struct scope {
	const char *prefix; /* the route's path template up to its {id} */
	const char *sql;    /* the premises of that id */
};

static const struct scope scopes[] = {
	{ "/api/v1/patients/{id}", "SELECT premises_id FROM patients WHERE id = ?" },
	{ "/api/v1/fhir/Patient/{id}", "SELECT premises_id FROM patients WHERE id = ?" },
	{ "/api/v1/premises/{id}", "SELECT id FROM premises WHERE id = ?" },
	{ "/api/v1/register/pages/{id}", "SELECT premises_id FROM register_pages WHERE id = ?" },
	{ "/api/v1/discrepancies/{id}", "SELECT g.premises_id FROM discrepancies d"
					" JOIN register_pages g ON g.id = d.page_id WHERE d.id = ?" },
	{ "/api/v1/episodes/{id}", VIA_PATIENT("episodes") },
	{ "/api/v1/prescriptions/{id}", VIA_PATIENT("prescriptions") },
	{ "/api/v1/assessments/{id}", "SELECT premises_id FROM assessments WHERE id = ?" },
	{ "/api/v1/outcomes/{id}", VIA_PATIENT("outcome_forms") },
	{ "/api/v1/goals/{id}", VIA_PATIENT("goals") },
	{ "/api/v1/drug-screens/{id}", VIA_PATIENT("drug_screens") },
	{ "/api/v1/service-user-accounts/{id}", VIA_PATIENT("service_user_accounts") },
	{ "/api/v1/planned-absences/{id}", VIA_PATIENT("planned_absences") },
	{ "/api/v1/oral-covers/{id}", VIA_PATIENT("oral_covers") },
	{ "/api/v1/session-changes/{id}", VIA_PATIENT("session_changes") },
	{ "/api/v1/take-home-supplies/{id}", VIA_PATIENT("takehome_supplies") },
};

/* Routes that name no premises and show or change more than one premises'
** data (lists not filtered by premises, the provider's own settings): for
** staff whose role is global or held at every premises. */
static const struct {
	const char *pattern;
	unsigned methods;
} provider_routes[] = {
	{ "/api/v1/caseload", HTTP_GET },
	{ "/api/v1/incidents", HTTP_GET },
	{ "/api/v1/discrepancies", HTTP_GET },
	{ "/api/v1/returns", HTTP_GET },
	{ "/api/v1/discharge-reasons", HTTP_POST },
	{ "/api/v1/instruments", HTTP_POST },
	{ "/api/v1/instruments/licences", HTTP_POST },
	{ "/api/v1/instruments/switches", HTTP_POST },
	{ "/api/v1/outcome-settings", HTTP_PUT },
	{ "/api/v1/ndtms-codes", HTTP_POST },
	{ "/api/v1/premises", HTTP_POST },
};

static bool provider_route(const struct http_req *req)
{
	for (size_t i = 0; i < sizeof provider_routes / sizeof provider_routes[0]; i++) {
		if ((provider_routes[i].methods & (unsigned)req->method) &&
		    strcmp(req->route->pattern, provider_routes[i].pattern) == 0)
			return true;
	}
	return false;
}

static const struct scope *scope_of(const char *path)
{
	for (size_t i = 0; i < sizeof scopes / sizeof scopes[0]; i++) {
		size_t n = strlen(scopes[i].prefix);

		if (strncmp(path, scopes[i].prefix, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return &scopes[i];
	}
	return NULL;
}

/* The body's premises_id when it names premises that exist (else 0: the
** command refuses an unknown one with its own code). */
static enum hat_err body_premises(struct http_req *req, int64_t *id)
{
	json_t *v = req->body ? json_object_get(req->body, "premises_id") : NULL;
	bool found = false;
	enum hat_err rc;

	*id = 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return HAT_OK;
	rc = store_query_int(api_reader(req), "SELECT id FROM premises WHERE id = ?", &found, id,
			     "i", (int64_t)json_integer_value(v));
	if (rc == HAT_OK && !found)
		*id = 0;
	return rc;
}

enum hat_err api_premises_gate(struct http_req *req)
{
	const struct policy_rule *rule = req->route->policy;
	const struct auth_principal *who = api_who(req);
	const struct scope *sc = scope_of(req->route->pattern);
	int64_t home = 0, there = 0;
	bool found = false;
	enum hat_err rc = HAT_OK;

	if (!rule || policy_is_open(rule) || !who || who->user_id == 0)
		return HAT_OK;
	/* An allowed role held at every premises: nothing to look up (a single
	** clinic's staff, and the provider's). */
	if (who->global_roles & rule->roles & POLICY_ROLES)
		return HAT_OK;
	if (provider_route(req))
		return auth_check_provider_wide(api_reader(req), who->user_id,
						rule->roles & POLICY_ROLES);
	if (sc && req->path_id > 0) {
		rc = store_query_int(api_reader(req), sc->sql, &found, &home, "i", req->path_id);
		if (rc != HAT_OK)
			return rc;
		if (!found)
			home = 0;
	}
	rc = body_premises(req, &there);
	if (rc != HAT_OK)
		return rc;
	/* A patient moved to other premises is acted on at both. */
	if (home && there && there != home && rule == POLICY_RULE(PATIENT_UPDATE)) {
		rc = auth_check_at_premises(api_reader(req), who->user_id, home,
					    rule->roles & POLICY_ROLES);
		if (rc != HAT_OK)
			return rc;
	}
	/* Otherwise where the act happens: the body's premises (a guest
	** visit, a receipt, a new patient) when it names one, else the home. */
	if (there)
		home = there;
	if (!home)
		return HAT_OK;
	return auth_check_at_premises(api_reader(req), who->user_id, home,
				      rule->roles & POLICY_ROLES);
}
