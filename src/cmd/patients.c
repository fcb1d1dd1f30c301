/*
** patients.c: see patients.h.
*/
#include <string.h>

#include "patients.h"
#include "prescriptions.h"
#include "audit/audit.h"
#include "util/clock.h"

static const char *const sex_choices[] = { "female", "male", "other", "unknown", NULL };

#define PATIENT_FIELDS(req)                                                     \
	{ "given_name", FT_STRING, req, 1, 100, NULL, false },                  \
	{ "family_name", FT_STRING, req, 1, 100, NULL, false },                 \
	{ "birth_date", FT_DATE, req, 0, 0, NULL, false },                      \
	{ "sex", FT_ENUM, req, 0, 0, sex_choices, false },                      \
	{ "nhs_number", FT_NHS, false, 0, 0, NULL, true },                      \
	{ "address", FT_STRING, false, 0, 500, NULL, false },                   \
	{ "contact", FT_STRING, false, 0, 200, NULL, false },                   \
	{ "alerts", FT_STRING, false, 0, 2000, NULL, false },                   \
	{ "premises_id", FT_INT, req, 1, INT64_MAX, NULL, false }

static const struct field create_fields[] = { PATIENT_FIELDS(true), FIELDS_END };
static const struct field update_fields[] = {
	PATIENT_FIELDS(false),
	{ "version", FT_INT, true, 1, INT64_MAX, NULL, false },
	FIELDS_END,
};

static const struct field episode_open_fields[] = {
	{ "referral_date", FT_DATE, true, 0, 0, NULL, false },
	{ "start_date", FT_DATE, false, 0, 0, NULL, true },
	FIELDS_END,
};

static const struct field episode_update_fields[] = {
	{ "start_date", FT_DATE, false, 0, 0, NULL, false },
	{ "discharge_date", FT_DATE, false, 0, 0, NULL, false },
	{ "discharge_reason", FT_STRING, false, 1, 64, NULL, false },
	{ "version", FT_INT, true, 1, INT64_MAX, NULL, false },
	FIELDS_END,
};

static const struct field access_fields[] = {
	{ "patient_id", FT_INT, false, 0, INT64_MAX, NULL, false },
	{ "what", FT_STRING, true, 1, 64, NULL, false },
	{ "why", FT_STRING, false, 0, 200, NULL, false },
	FIELDS_END,
};

static const char sql_patient[] =
	"SELECT id, given_name, family_name, birth_date, sex, nhs_number, address, contact,"
	" alerts, premises_id, created_at, updated_at, version FROM patients WHERE id = ?";
static const char sql_episodes[] =
	"SELECT id, referral_date, start_date, status, discharge_date, discharge_reason,"
	" created_at, updated_at, version FROM episodes WHERE patient_id = ? ORDER BY id DESC";

enum hat_err patients_read(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *episodes = NULL;
	json_t *p = NULL;
	enum hat_err rc = store_query_row_json(c, sql_patient, &p, "i", id);

	if (rc != HAT_OK)
		return rc;
	rc = store_query_json(c, sql_episodes, &episodes, "i", id);
	if (rc != HAT_OK) {
		json_decref(p);
		return rc;
	}
	if (json_object_set_new(p, "episodes", episodes) != 0) {
		json_decref(p);
		return HAT_E_NOMEM;
	}
	*out = p;
	return HAT_OK;
}

enum hat_err patients_list(struct store_conn *c, const char *q, int64_t viewer_id,
			   const char *roles, int64_t limit, int64_t offset, json_t **out)
{
	char like[210];

	if (q && *q) {
		/* Escape LIKE's wildcards so a search for "50%" means that. */
		size_t j = 0;

		like[j++] = '%';
		for (const char *s = q; *s && j < sizeof like - 3; s++) {
			if (*s == '%' || *s == '_' || *s == '\\')
				like[j++] = '\\';
			like[j++] = *s;
		}
		like[j++] = '%';
		like[j] = '\0';
	}
	return store_query_json(
		c,
		"SELECT p.id, p.given_name, p.family_name, p.birth_date, p.sex, p.nhs_number,"
		" p.alerts, p.premises_id, p.version,"
		" (SELECT status FROM episodes e WHERE e.patient_id = p.id"
		"  ORDER BY e.id DESC LIMIT 1) AS episode_status"
		" FROM patients p"
		" WHERE (?1 IS NULL OR p.given_name || ' ' || p.family_name LIKE ?1 ESCAPE '\\'"
		"  OR p.nhs_number LIKE ?1 ESCAPE '\\')"
		" AND (?4 = 0 OR EXISTS (SELECT 1 FROM user_premises_roles r WHERE r.user_id = ?4"
		"  AND r.premises_id = p.premises_id AND ?5 LIKE '%,' || r.role || ',%'))"
		" ORDER BY p.family_name, p.given_name, p.id LIMIT ?2 OFFSET ?3",
		out, "tiiit", q && *q ? like : NULL, limit, offset, viewer_id,
		roles ? roles : "");
}

enum hat_err patients_discharge_reasons(struct store_conn *c, json_t **out)
{
	return store_query_json(c, "SELECT code, label FROM discharge_reasons WHERE active = 1"
				   " ORDER BY label", out, "");
}

/* A date of birth in the future, or before anyone now living, is a typo. */
static enum hat_err check_birth_date(struct cmd *c)
{
	int32_t dob = fields_date(c->input, "birth_date", INT32_MIN);

	if (dob == INT32_MIN)
		return HAT_OK;
	if (dob > clock_local_date(c->now))
		return cmd_refuse(c, HAT_E_DATE_ORDER, "birth_date",
				  "The date of birth is in the future.");
	if (dob < clock_local_date(c->now) - 125 * 366)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "birth_date",
				  "The date of birth is more than 125 years ago.");
	return HAT_OK;
}

static enum hat_err check_premises(struct store_conn *conn, struct cmd *c)
{
	bool found;
	int64_t one;
	enum hat_err rc;

	if (!fields_has(c->input, "premises_id"))
		return HAT_OK;
	rc = store_query_int(conn, "SELECT 1 FROM premises WHERE id = ?", &found, &one, "i",
			     fields_int(c->input, "premises_id", 0));
	if (rc == HAT_OK && !found)
		rc = cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	return rc;
}

static enum hat_err audit_change(struct store_conn *conn, struct cmd *c, const char *entity,
				 int64_t id, json_t *before, json_t *after)
{
	json_t *detail = before ? json_pack("{s:O, s:O}", "before", before, "after", after)
				: json_incref(after);
	enum hat_err rc = detail ? cmd_audit(conn, c, entity, id, detail) : HAT_E_NOMEM;

	json_decref(detail);
	return rc;
}

static enum hat_err nhs_conflict(struct cmd *c)
{
	return cmd_refuse(c, HAT_E_CONFLICT, "nhs_number",
			  "Another patient already has this NHS number.");
}

static enum hat_err run_create(struct store_conn *conn, struct cmd *c)
{
	json_t *after = NULL;
	enum hat_err rc;
	int64_t id;

	rc = check_birth_date(c);
	if (rc == HAT_OK)
		rc = check_premises(conn, c);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO patients (given_name, family_name, birth_date, sex, nhs_number,"
		       " address, contact, alerts, premises_id, created_at, updated_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "ttitttttiii", fields_str(c->input, "given_name", ""),
		       fields_str(c->input, "family_name", ""),
		       (int64_t)fields_date(c->input, "birth_date", 0),
		       fields_str(c->input, "sex", "unknown"),
		       fields_str(c->input, "nhs_number", NULL),
		       fields_str(c->input, "address", ""), fields_str(c->input, "contact", ""),
		       fields_str(c->input, "alerts", ""),
		       fields_int(c->input, "premises_id", 0), c->now, c->now);
	if (rc == HAT_E_CONFLICT)
		return nhs_conflict(c);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = patients_read(conn, id, &after);
	if (rc == HAT_OK)
		rc = audit_change(conn, c, "patient", id, NULL, after);
	if (rc == HAT_OK) {
		cmd_answer(c, 201, after);
		after = NULL;
	}
	json_decref(after);
	return rc;
}

/* The columns a patient update may set, in the order of the UPDATE below. */
static const char *const patient_columns[] = {
	"given_name", "family_name", "sex", "nhs_number", "address", "contact", "alerts",
};

static enum hat_err run_update(struct store_conn *conn, struct cmd *c)
{
	json_t *before = NULL;
	json_t *after = NULL;
	struct store_stmt *s;
	enum hat_err rc;
	bool row;
	int idx = 1;

	rc = patients_read(conn, c->target_id, &before);
	if (rc != HAT_OK)
		return rc;
	if (json_integer_value(json_object_get(before, "version")) !=
	    fields_int(c->input, "version", 0)) {
		rc = cmd_refuse(c, HAT_E_STALE_VERSION, "version", NULL);
		goto out;
	}
	rc = check_birth_date(c);
	if (rc == HAT_OK)
		rc = check_premises(conn, c);
	if (rc != HAT_OK)
		goto out;
	/* Each column is set only when the field is present: CASE on a flag
	** keeps one prepared statement for every combination. */
	rc = store_prepare(conn,
			   "UPDATE patients SET"
			   " given_name = CASE WHEN ?1 THEN ?2 ELSE given_name END,"
			   " family_name = CASE WHEN ?3 THEN ?4 ELSE family_name END,"
			   " sex = CASE WHEN ?5 THEN ?6 ELSE sex END,"
			   " nhs_number = CASE WHEN ?7 THEN ?8 ELSE nhs_number END,"
			   " address = CASE WHEN ?9 THEN ?10 ELSE address END,"
			   " contact = CASE WHEN ?11 THEN ?12 ELSE contact END,"
			   " alerts = CASE WHEN ?13 THEN ?14 ELSE alerts END,"
			   " birth_date = CASE WHEN ?15 THEN ?16 ELSE birth_date END,"
			   " premises_id = CASE WHEN ?17 THEN ?18 ELSE premises_id END,"
			   " updated_at = ?19, version = version + 1 WHERE id = ?20",
			   &s);
	if (rc != HAT_OK)
		goto out;
	for (size_t i = 0; i < sizeof patient_columns / sizeof *patient_columns; i++) {
		const char *name = patient_columns[i];

		if (rc == HAT_OK)
			rc = store_bind_int(s, idx++, fields_has(c->input, name));
		if (rc == HAT_OK)
			rc = store_bind_text(s, idx++, fields_str(c->input, name, NULL));
	}
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, fields_has(c->input, "birth_date"));
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, fields_date(c->input, "birth_date", 0));
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, fields_has(c->input, "premises_id"));
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, fields_int(c->input, "premises_id", 0));
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, c->now);
	if (rc == HAT_OK)
		rc = store_bind_int(s, idx++, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	store_done(s);
	if (rc == HAT_E_CONFLICT) {
		rc = nhs_conflict(c);
		goto out;
	}
	if (rc == HAT_OK)
		rc = patients_read(conn, c->target_id, &after);
	if (rc == HAT_OK)
		rc = audit_change(conn, c, "patient", c->target_id, before, after);
	if (rc == HAT_OK) {
		cmd_answer(c, 200, after);
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(after);
	return rc;
}

static const char sql_episode[] =
	"SELECT id, patient_id, referral_date, start_date, status, discharge_date,"
	" discharge_reason, created_at, updated_at, version FROM episodes WHERE id = ?";

static enum hat_err episode_read(struct store_conn *conn, int64_t id, json_t **out)
{
	return store_query_row_json(conn, sql_episode, out, "i", id);
}

static enum hat_err run_episode_open(struct store_conn *conn, struct cmd *c)
{
	int32_t referral = fields_date(c->input, "referral_date", 0);
	int32_t start = fields_date(c->input, "start_date", INT32_MIN);
	json_t *after = NULL;
	bool found;
	int64_t n;
	enum hat_err rc;
	int64_t id;

	rc = store_query_int(conn, "SELECT 1 FROM patients WHERE id = ?", &found, &n, "i",
			     c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = store_query_int(conn, "SELECT id FROM episodes WHERE patient_id = ?"
				   " AND status <> 'discharged'", &found, &n, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (found)
		return cmd_refuse(c, HAT_E_EPISODE_OPEN, NULL, NULL);
	if (referral > clock_local_date(c->now))
		return cmd_refuse(c, HAT_E_DATE_ORDER, "referral_date",
				  "The referral date is in the future.");
	if (start != INT32_MIN && start < referral)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "start_date",
				  "Treatment cannot start before the referral.");
	rc = store_run(conn,
		       "INSERT INTO episodes (patient_id, referral_date, start_date, status,"
		       " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
		       "iiItii", c->target_id, (int64_t)referral,
		       start == INT32_MIN ? INT64_MIN : (int64_t)start,
		       start == INT32_MIN ? "referred" : "active", c->now, c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = episode_read(conn, id, &after);
	if (rc == HAT_OK)
		rc = audit_change(conn, c, "episode", id, NULL, after);
	if (rc == HAT_OK) {
		cmd_answer(c, 201, after);
		after = NULL;
	}
	json_decref(after);
	return rc;
}

static enum hat_err run_episode_update(struct store_conn *conn, struct cmd *c)
{
	json_t *before = NULL;
	json_t *after = NULL;
	int32_t referral, start, discharge;
	const char *reason = fields_str(c->input, "discharge_reason", NULL);
	const char *status;
	bool found;
	int64_t n;
	enum hat_err rc;

	rc = episode_read(conn, c->target_id, &before);
	if (rc != HAT_OK)
		return rc;
	if (json_integer_value(json_object_get(before, "version")) !=
	    fields_int(c->input, "version", 0)) {
		rc = cmd_refuse(c, HAT_E_STALE_VERSION, "version", NULL);
		goto out;
	}
	if (strcmp(json_string_value(json_object_get(before, "status")), "discharged") == 0) {
		rc = cmd_refuse(c, HAT_E_EPISODE_CLOSED, NULL, NULL);
		goto out;
	}
	referral = fields_date(before, "referral_date", 0);
	start = fields_date(c->input, "start_date", fields_date(before, "start_date", INT32_MIN));
	discharge = fields_date(c->input, "discharge_date", INT32_MIN);
	if ((discharge == INT32_MIN) != (reason == NULL)) {
		rc = cmd_refuse(c, HAT_E_MISSING_FIELD,
				reason ? "discharge_date" : "discharge_reason",
				"A discharge needs both its date and its reason.");
		goto out;
	}
	if (start != INT32_MIN && start < referral) {
		rc = cmd_refuse(c, HAT_E_DATE_ORDER, "start_date",
				"Treatment cannot start before the referral.");
		goto out;
	}
	if (discharge != INT32_MIN && (discharge < (start != INT32_MIN ? start : referral) ||
				       discharge > clock_local_date(c->now))) {
		rc = cmd_refuse(c, HAT_E_DATE_ORDER, "discharge_date",
				"The discharge date must fall between the start and today.");
		goto out;
	}
	if (reason) {
		rc = store_query_int(conn, "SELECT 1 FROM discharge_reasons WHERE code = ?"
					   " AND active = 1", &found, &n, "t", reason);
		if (rc == HAT_OK && !found)
			rc = cmd_refuse(c, HAT_E_UNKNOWN_DISCHARGE_REASON, "discharge_reason", NULL);
		if (rc != HAT_OK)
			goto out;
	}
	status = discharge != INT32_MIN ? "discharged" : start != INT32_MIN ? "active" : "referred";
	rc = store_run(conn,
		       "UPDATE episodes SET start_date = ?, discharge_date = ?, discharge_reason = ?,"
		       " status = ?, updated_at = ?, version = version + 1 WHERE id = ?",
		       "IIttii", start == INT32_MIN ? INT64_MIN : (int64_t)start,
		       discharge == INT32_MIN ? INT64_MIN : (int64_t)discharge, reason, status,
		       c->now, c->target_id);
	if (rc == HAT_OK && reason)
		rc = prescriptions_end_for_discharge(conn, c, fields_int(before, "patient_id", 0),
						     c->target_id, reason);
	if (rc == HAT_OK)
		rc = episode_read(conn, c->target_id, &after);
	if (rc == HAT_OK)
		rc = audit_change(conn, c, "episode", c->target_id, before, after);
	if (rc == HAT_OK) {
		cmd_answer(c, 200, after);
		after = NULL;
	}
out:
	json_decref(before);
	json_decref(after);
	return rc;
}

static enum hat_err run_access(struct store_conn *conn, struct cmd *c)
{
	return audit_access(conn, c->now, c->actor_id, fields_int(c->input, "patient_id", 0),
			    fields_str(c->input, "what", ""), fields_str(c->input, "why", NULL));
}

static const struct field reason_fields[] = {
	{ "code", FT_STRING, true, 1, 64, NULL, false },
	{ "label", FT_STRING, true, 1, 200, NULL, false },
	{ "active", FT_BOOL, false, 0, 0, NULL, false },
	FIELDS_END,
};

/* Adds a discharge reason to the clinic's list, or renames or retires one.
** A retired code stays on the episodes that used it. */
static enum hat_err run_reason_set(struct store_conn *conn, struct cmd *c)
{
	const char *code = fields_str(c->input, "code", "");
	json_t *out = NULL;
	enum hat_err rc;

	for (const char *p = code; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return cmd_refuse(c, HAT_E_INVALID_VALUE, "code",
					  "A code may hold only a-z, 0-9 and '_'.");
	}
	rc = store_run(conn, "INSERT INTO discharge_reasons (code, label, active) VALUES (?, ?, ?)"
			     " ON CONFLICT (code) DO UPDATE SET label = excluded.label,"
			     " active = excluded.active",
		       "tti", code, fields_str(c->input, "label", ""),
		       (int64_t)fields_bool(c->input, "active", true));
	if (rc == HAT_OK)
		rc = store_query_row_json(conn, "SELECT code, label, active AS is_active FROM"
						" discharge_reasons WHERE code = ?", &out, "t", code);
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "discharge_reason", 0, out);
	if (rc == HAT_OK)
		cmd_answer(c, 200, out);
	else
		json_decref(out);
	return rc;
}

const struct cmd_def patients_create = {
	"patient.create", create_fields, POLICY_RULE(PATIENT_CREATE), run_create, NULL,
};
const struct cmd_def patients_update = {
	"patient.update", update_fields, POLICY_RULE(PATIENT_UPDATE), run_update, NULL,
};
const struct cmd_def episodes_open = {
	"episode.open", episode_open_fields, POLICY_RULE(EPISODE_OPEN), run_episode_open, NULL,
};
const struct cmd_def episodes_update = {
	"episode.update", episode_update_fields, POLICY_RULE(EPISODE_UPDATE), run_episode_update, NULL,
};
const struct cmd_def patients_discharge_reason_set = {
	"discharge_reason.set", reason_fields, POLICY_RULE(DISCHARGE_REASON_SET), run_reason_set, NULL,
};
const struct cmd_def patients_access = {
	"patient.access", access_fields, POLICY_RULE(ACCESS_RECORD), run_access, NULL,
};
