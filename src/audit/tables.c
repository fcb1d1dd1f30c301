/*
** tables.c: see tables.h.  Append new tables at the end with the next code.
*/
#include <string.h>

#include "tables.h"

/* Login-throttle counters (and a witness PIN's, migration 011) change with
** every failed login and reset with every good one; they guard against guessing and are not part of the
** record (a password change, a role or a disabling is). */
static const char *const users_ignored[] = { "failed_logins", "last_failed_at", "locked_until",
					     "pin_failures", "pin_locked_until", NULL };

const struct audit_table audit_tables[] = {
	{ "meta", 1, AUDIT_BOUND, NULL, NULL },
	{ "premises", 2, AUDIT_BOUND, NULL, NULL },
	{ "users", 3, AUDIT_BOUND, users_ignored, "login- and PIN-throttle counters are ephemeral" },
	{ "user_roles", 4, AUDIT_BOUND, NULL, NULL },
	{ "prescriber_licences", 5, AUDIT_BOUND, NULL, NULL },
	{ "discharge_reasons", 6, AUDIT_BOUND, NULL, NULL },
	{ "patients", 7, AUDIT_BOUND, NULL, NULL },
	{ "episodes", 8, AUDIT_BOUND, NULL, NULL },
	{ "clinic_settings", 9, AUDIT_BOUND, NULL, NULL },
	{ "prescriptions", 10, AUDIT_BOUND, NULL, NULL },
	{ "prescription_events", 11, AUDIT_BOUND, NULL, NULL },
	{ "assessments", 12, AUDIT_BOUND, NULL, NULL },
	{ "reduced_authorisations", 13, AUDIT_BOUND, NULL, NULL },
	{ "administrations", 14, AUDIT_BOUND, NULL, NULL },
	{ "visit_events", 15, AUDIT_BOUND, NULL, NULL },
	{ "adverse_events", 16, AUDIT_BOUND, NULL, NULL },
	{ "reviews", 17, AUDIT_BOUND, NULL, NULL },
	{ "risk_discussions", 18, AUDIT_BOUND, NULL, NULL },
	{ "suppliers", 19, AUDIT_BOUND, NULL, NULL },
	{ "register_pages", 20, AUDIT_BOUND, NULL, NULL },
	{ "stock_lots", 21, AUDIT_BOUND, NULL, NULL },
	{ "register_entries", 22, AUDIT_BOUND, NULL, NULL },
	{ "returns_log", 23, AUDIT_BOUND, NULL, NULL },
	{ "stock_checks", 24, AUDIT_BOUND, NULL, NULL },
	{ "discrepancies", 25, AUDIT_BOUND, NULL, NULL },
	{ "discrepancy_events", 26, AUDIT_BOUND, NULL, NULL },
	{ "incidents", 27, AUDIT_BOUND, NULL, NULL },
	{ "access_log", 28, AUDIT_SEALED, NULL, NULL },
	/* Outcomes (migration 007). */
	{ "instruments", 29, AUDIT_BOUND, NULL, NULL },
	{ "instrument_licences", 30, AUDIT_BOUND, NULL, NULL },
	{ "instrument_switches", 31, AUDIT_BOUND, NULL, NULL },
	{ "outcome_forms", 32, AUDIT_BOUND, NULL, NULL },
	{ "outcome_form_errors", 33, AUDIT_BOUND, NULL, NULL },
	{ "outcome_settings", 34, AUDIT_BOUND, NULL, NULL },
	{ "goals", 35, AUDIT_BOUND, NULL, NULL },
	{ "goal_events", 36, AUDIT_BOUND, NULL, NULL },
	{ "screen_analytes", 37, AUDIT_BOUND, NULL, NULL },
	{ "drug_screens", 38, AUDIT_BOUND, NULL, NULL },
	{ "drug_screen_results", 39, AUDIT_BOUND, NULL, NULL },
	{ "drug_screen_errors", 40, AUDIT_BOUND, NULL, NULL },
	{ "service_user_accounts", 41, AUDIT_BOUND, NULL, NULL },
	{ "service_user_closures", 42, AUDIT_BOUND, NULL, NULL },
	{ "self_notes", 43, AUDIT_BOUND, NULL, NULL },
	{ "ndtms_details", 44, AUDIT_BOUND, NULL, NULL },
	{ "ndtms_modalities", 45, AUDIT_BOUND, NULL, NULL },
	/* Identity photographs (migration 005): deleted outright when consent is
	** withdrawn, which the withdrawing event records as a deletion. */
	{ "patient_photos", 46, AUDIT_BOUND, NULL, NULL },
	/* Exports (migration 008). */
	{ "ndtms_codes", 47, AUDIT_BOUND, NULL, NULL },
	{ "drug_prices", 48, AUDIT_BOUND, NULL, NULL },
	/* Flexibility (migration 009). */
	{ "flex_settings", 49, AUDIT_BOUND, NULL, NULL },
	{ "planned_absences", 50, AUDIT_BOUND, NULL, NULL },
	{ "oral_covers", 51, AUDIT_BOUND, NULL, NULL },
	{ "oral_cover_events", 52, AUDIT_BOUND, NULL, NULL },
	{ "session_preferences", 53, AUDIT_BOUND, NULL, NULL },
	{ "session_changes", 54, AUDIT_BOUND, NULL, NULL },
	/* Scale (migration 013): the lots that still hold stock. */
	{ "open_lots", 71, AUDIT_BOUND, NULL, NULL },
	/* Take-home doses and guest dosing (migration 010). */
	{ "takehome_settings", 55, AUDIT_BOUND, NULL, NULL },
	{ "takehome_assessments", 56, AUDIT_BOUND, NULL, NULL },
	{ "staff_contacts", 57, AUDIT_BOUND, NULL, NULL },
	{ "takehome_supplies", 58, AUDIT_BOUND, NULL, NULL },
	{ "takehome_returns", 59, AUDIT_BOUND, NULL, NULL },
	{ "guest_authorisations", 60, AUDIT_BOUND, NULL, NULL },
	/* Roles held at one premises (migration 014). */
	{ "user_premises_roles", 61, AUDIT_BOUND, NULL, NULL },

	{ "audit_events", 0, AUDIT_CHAIN, NULL, NULL },
	{ "audit_head", 0, AUDIT_CHAIN, NULL, NULL },
	{ "audit_rows", 0, AUDIT_CHAIN, NULL, NULL },

	{ "sessions", 0, AUDIT_EPHEMERAL, NULL,
	  "login sessions: only token hashes, revoked or expired within hours; losing one logs a"
	  " person out, and every action a session took is an audited command" },
	{ "witness_failures", 0, AUDIT_EPHEMERAL, NULL,
	  "wrong witness passwords per person in the current window: a throttle counter, reset"
	  " as the window passes" },
	{ "login_failures", 0, AUDIT_EPHEMERAL, NULL,
	  "failed logins per client address and in total in the current window: a throttle"
	  " counter, reset as the window passes" },
	{ "idempotency", 0, AUDIT_EPHEMERAL, NULL,
	  "the first answer to each Idempotency-Key, kept so a replayed request writes nothing;"
	  " the writes themselves are bound" },
};

const size_t audit_table_count = sizeof audit_tables / sizeof audit_tables[0];

const struct audit_table *audit_table_named(const char *name)
{
	for (size_t i = 0; i < audit_table_count; i++)
		if (strcmp(audit_tables[i].name, name) == 0)
			return &audit_tables[i];
	return NULL;
}

const struct audit_table *audit_table_coded(int code)
{
	for (size_t i = 0; code > 0 && i < audit_table_count; i++)
		if (audit_tables[i].code == code)
			return &audit_tables[i];
	return NULL;
}
