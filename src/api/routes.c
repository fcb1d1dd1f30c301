/*
** routes.c: the route table: method, path, handler, roles, body cap.
**
** Roles: 0 means no login; ROLE_ANY any logged-in person.  Body caps are
** per route: small for everything a person types, so that no route holds
** more memory than its data needs.
*/
#include "api.h"

#define KB 1024u
#define ADMIN ROLE_ADMIN
#define CLINICAL ROLE_CLINICAL

const struct http_route api_routes[] = {
	{ HTTP_GET, "/api/v1/health", api_health, 0, 0 },
	{ HTTP_POST, "/api/v1/session", api_session_login, 0, 4 * KB },
	{ HTTP_GET, "/api/v1/session", api_session_get, ROLE_ANY, 0 },
	{ HTTP_DELETE, "/api/v1/session", api_session_logout, ROLE_ANY, 0 },
	{ HTTP_POST, "/api/v1/session/witness", api_session_witness, ROLE_ANY, 4 * KB },

	{ HTTP_GET, "/api/v1/users", api_users_list, ADMIN, 0 },
	{ HTTP_POST, "/api/v1/users", api_users_create, ADMIN, 4 * KB },
	{ HTTP_GET, "/api/v1/users/{id}", api_users_get, ADMIN, 0 },
	{ HTTP_PATCH, "/api/v1/users/{id}", api_users_update, ADMIN, 4 * KB },
	{ HTTP_POST, "/api/v1/users/{id}/password", api_users_password, ROLE_ANY, 4 * KB },
	{ HTTP_POST, "/api/v1/users/{id}/licences", api_users_licence, ADMIN | ROLE_MANAGER, 4 * KB },

	{ HTTP_GET, "/api/v1/premises", api_premises_list, ROLE_ANY, 0 },
	{ HTTP_POST, "/api/v1/premises", api_premises_create, ADMIN | ROLE_MANAGER, 4 * KB },
	{ HTTP_PATCH, "/api/v1/premises/{id}", api_premises_update, ADMIN | ROLE_MANAGER, 4 * KB },

	{ HTTP_GET, "/api/v1/patients", api_patients_list, CLINICAL, 0 },
	{ HTTP_POST, "/api/v1/patients", api_patients_create, CLINICAL, 16 * KB },
	{ HTTP_GET, "/api/v1/patients/{id}", api_patients_get, CLINICAL, 0 },
	{ HTTP_PATCH, "/api/v1/patients/{id}", api_patients_update, CLINICAL, 16 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/episodes", api_episodes_open, CLINICAL, 4 * KB },
	{ HTTP_PATCH, "/api/v1/episodes/{id}", api_episodes_update, CLINICAL, 4 * KB },
	{ HTTP_GET, "/api/v1/discharge-reasons", api_discharge_reasons, CLINICAL, 0 },

	{ HTTP_GET, "/api/v1/audit", api_audit_list, ROLE_AUDITOR | ROLE_CDAO, 0 },
	{ HTTP_GET, "/api/v1/access-log", api_access_log_list, ROLE_AUDITOR, 0 },
#ifdef HAT_TEST_CLOCK
	{ HTTP_POST, "/api/v1/test/clock", api_test_clock, 0, 1 * KB },
#endif
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];
