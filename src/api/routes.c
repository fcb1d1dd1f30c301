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
/* Who records outcomes, goals and drug screens. */
#define OUTCOMES (ROLE_KEYWORKER | ROLE_NURSE | ROLE_PRESCRIBER)
/* A service user may log in and out, and change their password. */
#define ANYONE (ROLE_ANY | ROLE_SERVICE_USER)
#define REGISTER_READ (STOCK | ROLE_AUDITOR | ROLE_MANAGER | ROLE_NURSE | ROLE_PRESCRIBER)

/* The answers a route gives besides JSON, by ?format=. */
static const char *const view_formats[] = { "json", "html", "csv", NULL };
static const char *const csv_formats[] = { "json", "csv", NULL };

const struct http_route api_routes[] = {
	{ HTTP_GET, "/api/v1/health", api_health, 0, 0, NULL },
	{ HTTP_POST, "/api/v1/session", api_session_login, 0, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/session", api_session_get, ANYONE, 0, NULL },
	{ HTTP_DELETE, "/api/v1/session", api_session_logout, ANYONE, 0, NULL },
	{ HTTP_POST, "/api/v1/session/witness", api_session_witness, ROLE_ANY, 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/users", api_users_list, ADMIN, 0, NULL },
	{ HTTP_POST, "/api/v1/users", api_users_create, ADMIN, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/users/{id}", api_users_get, ADMIN, 0, NULL },
	{ HTTP_PATCH, "/api/v1/users/{id}", api_users_update, ADMIN, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/password", api_users_password, ROLE_ANY, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/licences", api_users_licence, ADMIN | ROLE_MANAGER, 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/premises", api_premises_list, ROLE_ANY, 0, NULL },
	{ HTTP_POST, "/api/v1/premises", api_premises_create, ADMIN | ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_PATCH, "/api/v1/premises/{id}", api_premises_update, ADMIN | ROLE_MANAGER, 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/patients", api_patients_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients", api_patients_create, CLINICAL, 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}", api_patients_get, CLINICAL, 0, NULL },
	{ HTTP_PATCH, "/api/v1/patients/{id}", api_patients_update, CLINICAL, 16 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/episodes", api_episodes_open, CLINICAL, 4 * KB, NULL },
	{ HTTP_PATCH, "/api/v1/episodes/{id}", api_episodes_update, CLINICAL, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/discharge-reasons", api_discharge_reasons, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/discharge-reasons", api_discharge_reason_set, ROLE_MANAGER, 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/premises/{id}/settings", api_settings_get, ROLE_ANY, 0, NULL },
	{ HTTP_PUT, "/api/v1/premises/{id}/settings", api_settings_put, ROLE_MANAGER, 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/induction-template", api_induction_template, ROLE_ANY, 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/prescriptions", api_prescriptions_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/prescriptions", api_prescriptions_sign, ROLE_PRESCRIBER, 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/prescriptions/{id}", api_prescriptions_get, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/prescriptions/{id}/stop", api_prescriptions_stop, ROLE_PRESCRIBER, 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/board", api_board, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/attendance", api_attendance, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/dosing-history", api_dosing_history, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/check-in", api_visit_check_in, NURSE, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/assessments", api_visit_assess, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/assessments/{id}/authorisations", api_visit_authorise, ROLE_PRESCRIBER, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/administrations", api_visit_administer, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/oral-doses", api_visit_oral, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/postdose-checks", api_visit_postdose, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/leave", api_visit_leave, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/withhold", api_visit_withhold, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/decline", api_visit_decline, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/adverse-events", api_adverse_event, NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/reviews", api_review, ROLE_PRESCRIBER, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/risk-discussions", api_risk_discussion, NURSE, 8 * KB, NULL },

	{ HTTP_GET, "/api/v1/register/pages", api_register_pages, REGISTER_READ, 0, NULL },
	{ HTTP_GET, "/api/v1/register", api_register_view, REGISTER_READ, 0, view_formats },
	{ HTTP_GET, "/api/v1/suppliers", api_suppliers_list, REGISTER_READ, 0, NULL },
	{ HTTP_POST, "/api/v1/suppliers", api_suppliers_create, STOCK, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/receipts", api_register_receive, STOCK | ROLE_NURSE, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/destructions", api_register_destroy, STOCK, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/corrections", api_register_correct, STOCK, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_check, STOCK | ROLE_NURSE, 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_checks, REGISTER_READ, 0, NULL },
	{ HTTP_GET, "/api/v1/register/pages/{id}/lots", api_register_lots, REGISTER_READ, 0, NULL },
	{ HTTP_GET, "/api/v1/discrepancies", api_discrepancies_list, REGISTER_READ, 0, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/checks", api_discrepancy_check, STOCK, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/resolve", api_discrepancy_resolve, STOCK, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/escalate", api_discrepancy_escalate, STOCK, 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/alerts", api_alerts, ROLE_CDAO | ROLE_AUDITOR | ROLE_MANAGER | ROLE_PHARMACIST, 0, NULL },
	{ HTTP_GET, "/api/v1/incidents", api_incidents_list, ROLE_CDAO | ROLE_AUDITOR | ROLE_MANAGER | ROLE_PHARMACIST, 0, csv_formats },
	{ HTTP_POST, "/api/v1/incidents", api_incidents_create, CLINICAL, 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/returns", api_returns_list, REGISTER_READ, 0, NULL },
	{ HTTP_POST, "/api/v1/returns", api_returns_record, STOCK | ROLE_NURSE, 8 * KB, NULL },

	/* Outcomes, goals, drug screens and the person's own view. */
	{ HTTP_GET, "/api/v1/instruments", api_instruments_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/instruments", api_instruments_define, ROLE_MANAGER, 64 * KB, NULL },
	{ HTTP_POST, "/api/v1/instruments/licences", api_instruments_licence, ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/instruments/switches", api_instruments_switch, ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/outcome-settings", api_outcome_settings_get, CLINICAL, 0, NULL },
	{ HTTP_PUT, "/api/v1/outcome-settings", api_outcome_settings_put, ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/outcomes", api_outcomes_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/outcomes", api_outcomes_record, OUTCOMES, 32 * KB, NULL },
	{ HTTP_GET, "/api/v1/outcomes/{id}", api_outcome_history, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/outcomes/{id}/revisions", api_outcome_revise, OUTCOMES, 32 * KB, NULL },
	{ HTTP_POST, "/api/v1/outcomes/{id}/entered-in-error", api_outcome_error, OUTCOMES, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/caseload", api_caseload, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/progress", api_progress, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/goals", api_goals_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/goals", api_goals_create, OUTCOMES, 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/goals/{id}/events", api_goal_event, OUTCOMES | ROLE_SERVICE_USER, 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/drug-screens", api_screens_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/drug-screens", api_screens_record, OUTCOMES, 16 * KB, NULL },
	{ HTTP_POST, "/api/v1/drug-screens/{id}/entered-in-error", api_screen_error, OUTCOMES, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/screen-analytes", api_screen_analytes, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/service-user-accounts", api_service_users_list, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/service-user-accounts", api_service_users_open, ROLE_KEYWORKER | ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/service-user-accounts/{id}/close", api_service_users_close, ROLE_KEYWORKER | ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/episodes/{id}/ndtms", api_ndtms_record, ROLE_KEYWORKER | ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/episodes/{id}/ndtms", api_ndtms_read, CLINICAL, 0, NULL },
	{ HTTP_POST, "/api/v1/episodes/{id}/modalities", api_ndtms_modality, ROLE_KEYWORKER | ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/reports/ndtms", api_ndtms_export, ROLE_MANAGER, 0, NULL },
	{ HTTP_GET, "/api/v1/reports/outcomes", api_outcomes_report, ROLE_MANAGER | ROLE_AUDITOR, 0, NULL },
	{ HTTP_GET, "/api/v1/reports/evaluation", api_evaluation_report, ROLE_MANAGER | ROLE_AUDITOR, 0, csv_formats },
	{ HTTP_GET, "/api/v1/exports/ndtms", api_ndtms_export_file, ROLE_MANAGER, 0, csv_formats },
	{ HTTP_GET, "/api/v1/exports/research", api_research_export, ROLE_MANAGER | ROLE_AUDITOR, 0, csv_formats },
	{ HTTP_GET, "/api/v1/ndtms-codes", api_ndtms_codes, ROLE_MANAGER | ROLE_KEYWORKER, 0, NULL },
	{ HTTP_POST, "/api/v1/ndtms-codes", api_ndtms_code_set, ROLE_MANAGER, 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/prices", api_drug_price_set, ROLE_PHARMACIST, 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/fhir/Patient/{id}/$everything", api_fhir_everything, CLINICAL, 0, NULL },
	{ HTTP_GET, "/api/v1/me/progress", api_me_progress, ROLE_SERVICE_USER, 0, NULL },
	{ HTTP_GET, "/api/v1/me/goals", api_me_goals, ROLE_SERVICE_USER, 0, NULL },
	{ HTTP_POST, "/api/v1/me/goals", api_me_goal_create, ROLE_SERVICE_USER, 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/me/notes", api_me_notes, ROLE_SERVICE_USER, 0, NULL },
	{ HTTP_POST, "/api/v1/me/notes", api_me_note_create, ROLE_SERVICE_USER, 8 * KB, NULL },

	{ HTTP_GET, "/api/v1/audit", api_audit_list, ROLE_AUDITOR | ROLE_CDAO, 0, NULL },
	{ HTTP_GET, "/api/v1/access-log", api_access_log_list, ROLE_AUDITOR, 0, NULL },
#ifdef HAT_TEST_CLOCK
	{ HTTP_POST, "/api/v1/test/clock", api_test_clock, 0, 1 * KB, NULL },
#endif
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];
