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
#define NURSE (ROLE_NURSE | ROLE_PRESCRIBER)
#define STOCK (ROLE_PHARMACIST | ROLE_CDAO)
/* An inspector may ask anyone in charge to show the register. */
#define REGISTER_READ (STOCK | ROLE_AUDITOR | ROLE_MANAGER | ROLE_NURSE | ROLE_PRESCRIBER)

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
	{ HTTP_POST, "/api/v1/discharge-reasons", api_discharge_reason_set, ROLE_MANAGER, 4 * KB },

	{ HTTP_GET, "/api/v1/premises/{id}/settings", api_settings_get, ROLE_ANY, 0 },
	{ HTTP_PUT, "/api/v1/premises/{id}/settings", api_settings_put, ROLE_MANAGER, 8 * KB },
	{ HTTP_GET, "/api/v1/induction-template", api_induction_template, ROLE_ANY, 0 },
	{ HTTP_GET, "/api/v1/patients/{id}/prescriptions", api_prescriptions_list, CLINICAL, 0 },
	{ HTTP_POST, "/api/v1/patients/{id}/prescriptions", api_prescriptions_sign, ROLE_PRESCRIBER, 16 * KB },
	{ HTTP_GET, "/api/v1/prescriptions/{id}", api_prescriptions_get, CLINICAL, 0 },
	{ HTTP_POST, "/api/v1/prescriptions/{id}/stop", api_prescriptions_stop, ROLE_PRESCRIBER, 4 * KB },

	{ HTTP_GET, "/api/v1/board", api_board, CLINICAL, 0 },
	{ HTTP_GET, "/api/v1/attendance", api_attendance, CLINICAL, 0 },
	{ HTTP_GET, "/api/v1/session-summary", api_session_summary, CLINICAL, 0 },
	{ HTTP_GET, "/api/v1/patients/{id}/dosing-history", api_dosing_history, CLINICAL, 0 },
	{ HTTP_GET, "/api/v1/patients/{id}/dose-due", api_dose_due, CLINICAL, 0 },
	{ HTTP_GET, "/api/v1/patients/{id}/photo", api_photo_get, CLINICAL, 0 },
	{ HTTP_PUT, "/api/v1/patients/{id}/photo", api_photo_put, NURSE, 512 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/photo/withdraw", api_photo_withdraw, NURSE, 4 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/check-in", api_visit_check_in, NURSE, 4 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/assessments", api_visit_assess, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/assessments/{id}/authorisations", api_visit_authorise, ROLE_PRESCRIBER, 4 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/administrations", api_visit_administer, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/oral-doses", api_visit_oral, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/postdose-checks", api_visit_postdose, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/leave", api_visit_leave, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/withhold", api_visit_withhold, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/decline", api_visit_decline, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/adverse-events", api_adverse_event, NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/reviews", api_review, ROLE_PRESCRIBER, 8 * KB },
	{ HTTP_POST, "/api/v1/patients/{id}/risk-discussions", api_risk_discussion, NURSE, 8 * KB },

	{ HTTP_GET, "/api/v1/register/pages", api_register_pages, REGISTER_READ, 0 },
	{ HTTP_GET, "/api/v1/register", api_register_view, REGISTER_READ, 0 },
	{ HTTP_GET, "/api/v1/suppliers", api_suppliers_list, REGISTER_READ, 0 },
	{ HTTP_POST, "/api/v1/suppliers", api_suppliers_create, STOCK, 4 * KB },
	{ HTTP_POST, "/api/v1/register/receipts", api_register_receive, STOCK | ROLE_NURSE, 8 * KB },
	{ HTTP_POST, "/api/v1/register/pages/{id}/destructions", api_register_destroy, STOCK, 8 * KB },
	{ HTTP_POST, "/api/v1/register/pages/{id}/corrections", api_register_correct, STOCK, 8 * KB },
	{ HTTP_POST, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_check, STOCK | ROLE_NURSE, 8 * KB },
	{ HTTP_GET, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_checks, REGISTER_READ, 0 },
	{ HTTP_GET, "/api/v1/register/pages/{id}/lots", api_register_lots, REGISTER_READ, 0 },
	{ HTTP_GET, "/api/v1/discrepancies", api_discrepancies_list, REGISTER_READ, 0 },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/checks", api_discrepancy_check, STOCK, 8 * KB },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/resolve", api_discrepancy_resolve, STOCK, 8 * KB },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/escalate", api_discrepancy_escalate, STOCK, 8 * KB },
	{ HTTP_GET, "/api/v1/alerts", api_alerts, ROLE_CDAO | ROLE_AUDITOR | ROLE_MANAGER | ROLE_PHARMACIST, 0 },
	{ HTTP_GET, "/api/v1/incidents", api_incidents_list, ROLE_CDAO | ROLE_AUDITOR | ROLE_MANAGER | ROLE_PHARMACIST, 0 },
	{ HTTP_POST, "/api/v1/incidents", api_incidents_create, CLINICAL, 16 * KB },
	{ HTTP_GET, "/api/v1/returns", api_returns_list, REGISTER_READ, 0 },
	{ HTTP_POST, "/api/v1/returns", api_returns_record, STOCK | ROLE_NURSE, 8 * KB },

	{ HTTP_GET, "/api/v1/audit", api_audit_list, ROLE_AUDITOR | ROLE_CDAO, 0 },
	{ HTTP_GET, "/api/v1/access-log", api_access_log_list, ROLE_AUDITOR, 0 },
#ifdef HAT_TEST_CLOCK
	{ HTTP_POST, "/api/v1/test/clock", api_test_clock, 0, 1 * KB },
#endif
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];
