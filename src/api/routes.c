/*
** routes.c: the route table: method, path, handler, policy, body cap.
**
** Who may use a route is its row in the one policy (src/auth/policy.def),
** never a list of roles here.  Body caps are per route: small for
** everything a person types, so that no route holds more memory than its
** data needs.
*/
#include "api.h"
#include "auth/policy.h"

#define KB 1024u
#define P(id) POLICY_RULE(id)

/* The answers a route gives besides JSON, by ?format=. */
static const char *const view_formats[] = { "json", "html", "csv", NULL };
static const char *const csv_formats[] = { "json", "csv", NULL };

const struct http_route api_routes[] = {
	{ HTTP_GET, "/api/v1/health", api_health, P(PUBLIC), 0, NULL },
	{ HTTP_POST, "/api/v1/session", api_session_login, P(PUBLIC), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/session", api_session_get, P(SESSION), 0, NULL },
	{ HTTP_DELETE, "/api/v1/session", api_session_logout, P(SESSION), 0, NULL },
	{ HTTP_POST, "/api/v1/session/witness", api_session_witness, P(SESSION), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/session/device-staff", api_session_device_staff, P(DEVICE_STAFF), 0, NULL },
	{ HTTP_POST, "/api/v1/session/switch", api_session_switch, P(SESSION), 1 * KB, NULL },
	{ HTTP_PUT, "/api/v1/session/pin", api_session_set_pin, P(USER_PIN), 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/users", api_users_list, P(USER_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/users", api_users_create, P(USER_CREATE), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/users/{id}", api_users_get, P(USER_READ), 0, NULL },
	{ HTTP_PATCH, "/api/v1/users/{id}", api_users_update, P(USER_UPDATE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/password", api_users_password, P(USER_PASSWORD), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/licences", api_users_licence, P(USER_LICENCE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/premises-roles", api_users_premises_role_grant, P(USER_UPDATE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/users/{id}/premises-roles/revocations", api_users_premises_role_revoke, P(USER_UPDATE), 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/premises", api_premises_list, P(PREMISES_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/premises", api_premises_create, P(PREMISES_CREATE), 4 * KB, NULL },
	{ HTTP_PATCH, "/api/v1/premises/{id}", api_premises_update, P(PREMISES_UPDATE), 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/patients", api_patients_list, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients", api_patients_create, P(PATIENT_CREATE), 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}", api_patients_get, P(PATIENT_READ), 0, NULL },
	{ HTTP_PATCH, "/api/v1/patients/{id}", api_patients_update, P(PATIENT_UPDATE), 16 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/episodes", api_episodes_open, P(EPISODE_OPEN), 4 * KB, NULL },
	{ HTTP_PATCH, "/api/v1/episodes/{id}", api_episodes_update, P(EPISODE_UPDATE), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/discharge-reasons", api_discharge_reasons, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/discharge-reasons", api_discharge_reason_set, P(DISCHARGE_REASON_SET), 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/premises/{id}/settings", api_settings_get, P(PREMISES_READ), 0, NULL },
	{ HTTP_PUT, "/api/v1/premises/{id}/settings", api_settings_put, P(SETTINGS_SET), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/induction-template", api_induction_template, P(PREMISES_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/prescriptions", api_prescriptions_list, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/prescriptions", api_prescriptions_sign, P(RX_SIGN), 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/prescriptions/{id}", api_prescriptions_get, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/prescriptions/{id}/stop", api_prescriptions_stop, P(RX_STOP), 4 * KB, NULL },

	{ HTTP_GET, "/api/v1/board", api_board, P(PATIENT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/attendance", api_attendance, P(PATIENT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/session-summary", api_session_summary, P(PATIENT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/dosing-history", api_dosing_history, P(PATIENT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/dose-due", api_dose_due, P(PATIENT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/photo", api_photo_get, P(PATIENT_READ), 0, NULL },
	{ HTTP_PUT, "/api/v1/patients/{id}/photo", api_photo_put, P(PHOTO_SET), 512 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/photo/withdraw", api_photo_withdraw, P(PHOTO_SET), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/check-in", api_visit_check_in, P(VISIT_CHECK_IN), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/assessments", api_visit_assess, P(VISIT_ASSESS), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/assessments/{id}/authorisations", api_visit_authorise, P(VISIT_AUTHORISE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/administrations", api_visit_administer, P(VISIT_ADMINISTER), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/oral-doses", api_visit_oral, P(VISIT_ORAL), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/postdose-checks", api_visit_postdose, P(VISIT_POSTDOSE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/leave", api_visit_leave, P(VISIT_LEAVE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/withhold", api_visit_withhold, P(VISIT_WITHHOLD), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/decline", api_visit_decline, P(VISIT_DECLINE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/adverse-events", api_adverse_event, P(ADVERSE_EVENT), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/reviews", api_review, P(REVIEW), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/risk-discussions", api_risk_discussion, P(RISK_DISCUSSION), 8 * KB, NULL },

	{ HTTP_GET, "/api/v1/register/pages", api_register_pages, P(REGISTER_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/register", api_register_view, P(REGISTER_READ), 0, view_formats },
	{ HTTP_GET, "/api/v1/suppliers", api_suppliers_list, P(REGISTER_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/suppliers", api_suppliers_create, P(SUPPLIER_CREATE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/receipts", api_register_receive, P(REGISTER_RECEIVE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/destructions", api_register_destroy, P(REGISTER_DESTROY), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/corrections", api_register_correct, P(REGISTER_CORRECT), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_check, P(REGISTER_STOCK_CHECK), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/register/pages/{id}/stock-checks", api_register_stock_checks, P(REGISTER_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/register/pages/{id}/lots", api_register_lots, P(REGISTER_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/discrepancies", api_discrepancies_list, P(REGISTER_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/checks", api_discrepancy_check, P(DISCREPANCY_CHECK), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/resolve", api_discrepancy_resolve, P(DISCREPANCY_RESOLVE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/discrepancies/{id}/escalate", api_discrepancy_escalate, P(DISCREPANCY_ESCALATE), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/alerts", api_alerts, P(OVERSIGHT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/incidents", api_incidents_list, P(OVERSIGHT_READ), 0, csv_formats },
	{ HTTP_POST, "/api/v1/incidents", api_incidents_create, P(INCIDENT_CREATE), 16 * KB, NULL },
	{ HTTP_GET, "/api/v1/returns", api_returns_list, P(REGISTER_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/returns", api_returns_record, P(RETURNS_RECORD), 8 * KB, NULL },

	/* Take-home doses, staff contacts and guest dosing. */
	{ HTTP_GET, "/api/v1/premises/{id}/take-home-settings", api_takehome_settings_get, P(PREMISES_READ), 0, NULL },
	{ HTTP_PUT, "/api/v1/premises/{id}/take-home-settings", api_takehome_settings_put, P(TAKEHOME_SETTINGS), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/take-home", api_takehome_status, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/take-home/assessments", api_takehome_assess, P(TAKEHOME_DECIDE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/take-home/grant", api_takehome_grant, P(TAKEHOME_DECIDE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/take-home/review", api_takehome_review, P(TAKEHOME_DECIDE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/take-home/withdraw", api_takehome_withdraw, P(TAKEHOME_DECIDE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/take-home/supplies", api_takehome_supply, P(TAKEHOME_SUPPLY), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/take-home-supplies/{id}/returns", api_takehome_return, P(TAKEHOME_RETURN), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/contacts", api_contact_record, P(CONTACT_RECORD), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/guest-authorisations", api_guest_authorise, P(GUEST_AUTHORISE), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/guests", api_guests_list, P(PATIENT_READ), 0, NULL },

	/* Outcomes, goals, drug screens and the person's own view. */
	{ HTTP_GET, "/api/v1/instruments", api_instruments_list, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/instruments", api_instruments_define, P(INSTRUMENT_SET), 64 * KB, NULL },
	{ HTTP_POST, "/api/v1/instruments/licences", api_instruments_licence, P(INSTRUMENT_SET), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/instruments/switches", api_instruments_switch, P(INSTRUMENT_SET), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/outcome-settings", api_outcome_settings_get, P(OUTCOME_READ), 0, NULL },
	{ HTTP_PUT, "/api/v1/outcome-settings", api_outcome_settings_put, P(INSTRUMENT_SET), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/outcomes", api_outcomes_list, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/outcomes", api_outcomes_record, P(OUTCOME_RECORD), 32 * KB, NULL },
	{ HTTP_GET, "/api/v1/outcomes/{id}", api_outcome_history, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/outcomes/{id}/revisions", api_outcome_revise, P(OUTCOME_RECORD), 32 * KB, NULL },
	{ HTTP_POST, "/api/v1/outcomes/{id}/entered-in-error", api_outcome_error, P(OUTCOME_RECORD), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/caseload", api_caseload, P(OUTCOME_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/progress", api_progress, P(OUTCOME_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/goals", api_goals_list, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/goals", api_goals_create, P(OUTCOME_RECORD), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/goals/{id}/events", api_goal_event, P(GOAL_WRITE), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/drug-screens", api_screens_list, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/drug-screens", api_screens_record, P(OUTCOME_RECORD), 16 * KB, NULL },
	{ HTTP_POST, "/api/v1/drug-screens/{id}/entered-in-error", api_screen_error, P(OUTCOME_RECORD), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/screen-analytes", api_screen_analytes, P(OUTCOME_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/service-user-accounts", api_service_users_list, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/service-user-accounts", api_service_users_open, P(SERVICE_USER_ACCOUNT), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/service-user-accounts/{id}/close", api_service_users_close, P(SERVICE_USER_ACCOUNT), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/episodes/{id}/ndtms", api_ndtms_record, P(NDTMS_RECORD), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/episodes/{id}/ndtms", api_ndtms_read, P(OUTCOME_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/episodes/{id}/modalities", api_ndtms_modality, P(NDTMS_RECORD), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/reports/ndtms", api_ndtms_export, P(REPORT_NDTMS), 0, NULL },
	{ HTTP_GET, "/api/v1/reports/outcomes", api_outcomes_report, P(REPORT_OUTCOMES), 0, NULL },
	{ HTTP_GET, "/api/v1/reports/evaluation", api_evaluation_report, P(REPORT_EVALUATION), 0, csv_formats },
	{ HTTP_GET, "/api/v1/exports/ndtms", api_ndtms_export_file, P(REPORT_NDTMS), 0, csv_formats },
	{ HTTP_GET, "/api/v1/exports/research", api_research_export, P(EXPORT_RESEARCH), 0, csv_formats },
	{ HTTP_GET, "/api/v1/ndtms-codes", api_ndtms_codes, P(NDTMS_CODES_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/ndtms-codes", api_ndtms_code_set, P(NDTMS_CODES_SET), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/register/pages/{id}/prices", api_drug_price_set, P(DRUG_PRICE_SET), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/fhir/Patient/{id}/$everything", api_fhir_everything, P(FHIR_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/me/progress", api_me_progress, P(SELF), 0, NULL },
	{ HTTP_GET, "/api/v1/me/goals", api_me_goals, P(SELF), 0, NULL },
	{ HTTP_POST, "/api/v1/me/goals", api_me_goal_create, P(SELF), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/me/notes", api_me_notes, P(SELF), 0, NULL },
	{ HTTP_POST, "/api/v1/me/notes", api_me_note_create, P(SELF), 8 * KB, NULL },

	/* Flexibility: planned absences, oral cover, session choice, the burden. */
	{ HTTP_GET, "/api/v1/premises/{id}/flex-settings", api_flex_settings_get, P(PREMISES_READ), 0, NULL },
	{ HTTP_PUT, "/api/v1/premises/{id}/flex-settings", api_flex_settings_put, P(FLEX_SETTINGS_SET), 8 * KB, NULL },
	{ HTTP_GET, "/api/v1/patients/{id}/flexibility", api_flex_patient, P(PATIENT_READ), 0, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/planned-absences", api_absence_record, P(ABSENCE_RECORD), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/planned-absences/{id}/cancel", api_absence_cancel, P(ABSENCE_RECORD), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/planned-absences/{id}/oral-cover", api_cover_prescribe, P(COVER_PRESCRIBE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/oral-covers/{id}/doses", api_cover_give, P(COVER_GIVE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/oral-covers/{id}/supplies", api_cover_supply, P(COVER_GIVE), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/oral-covers/{id}/returns", api_cover_return, P(COVER_RETURN), 8 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/session-preferences", api_session_preference, P(SESSION_CHOICE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/patients/{id}/session-changes", api_session_change, P(SESSION_CHOICE), 4 * KB, NULL },
	{ HTTP_POST, "/api/v1/session-changes/{id}/cancel", api_session_change_cancel, P(SESSION_CHOICE), 4 * KB, NULL },
	{ HTTP_GET, "/api/v1/reports/flexibility", api_flex_report, P(REPORT_FLEXIBILITY), 0, NULL },

	{ HTTP_GET, "/api/v1/audit", api_audit_list, P(AUDIT_READ), 0, NULL },
	{ HTTP_GET, "/api/v1/access-log", api_access_log_list, P(ACCESS_LOG_READ), 0, NULL },
#ifdef HAT_TEST_CLOCK
	{ HTTP_POST, "/api/v1/test/clock", api_test_clock, P(PUBLIC), 1 * KB, NULL },
#endif
};

const size_t api_route_count = sizeof api_routes / sizeof api_routes[0];
