/*
** clinical.c: see clinical.h.
*/
#include <string.h>

#include <stdio.h>

#include "clinical.h"
#include "core/dosing.h"
#include "core/schedule.h"
#include "prescriptions.h"

static const char *const kind_choices[] = {
	"over_sedation", "overdose", "naloxone", "seizure", "other", NULL,
};
static const char *const naloxone_routes[] = { "im", "iv", "intranasal", "sc", NULL };
static const char *const outcome_choices[] = { "continue", "reduce", "restart_induction", NULL };

static const struct field adverse_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, kind_choices, false },
	{ "occurred_at", FT_TIME, false, 0, 0, NULL, false },
	{ "naloxone_dose_mg", FT_MG, false, 0, 20, NULL, false },
	{ "naloxone_route", FT_ENUM, false, 0, 0, naloxone_routes, false },
	{ "naloxone_at", FT_TIME, false, 0, 0, NULL, false },
	{ "action_taken", FT_STRING, true, 1, 2000, NULL, false },
	{ "outcome", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

static const struct field review_fields[] = {
	{ "outcome", FT_ENUM, true, 0, 0, outcome_choices, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "prescription", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field risk_fields[] = {
	{ "notes", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

/* Audits a new record on the patient and answers with its detail (stolen). */
static enum hat_err answer(struct store_conn *conn, struct cmd *c, json_t *detail)
{
	enum hat_err rc = cmd_audit(conn, c, "patient", c->target_id, detail);

	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

/* The input with the new record's id added (new reference). */
static json_t *with_id(struct cmd *c, const char *key, int64_t id)
{
	json_t *d = json_deep_copy(c->input);

	/* NULL when it cannot be built: the caller's audit then refuses it. */
	if (d && json_object_set_new(d, key, json_integer(id)) != 0) {
		json_decref(d);
		d = NULL;
	}
	return d;
}

static enum hat_err patient_premises(struct store_conn *conn, int64_t id, int64_t *premises)
{
	bool found;
	enum hat_err rc = store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, premises, "i", id);

	return rc == HAT_OK && !found ? HAT_E_NOT_FOUND : rc;
}

static int64_t time_field(struct cmd *c, const char *name, int64_t dflt)
{
	int64_t t;
	const char *s = fields_str(c->input, name, NULL);

	return s && clock_parse_rfc3339(s, &t) == HAT_OK ? t : dflt;
}

static enum schedule_adverse_kind adverse_kind(const char *k)
{
	if (strcmp(k, "naloxone") == 0)
		return SCHEDULE_ADVERSE_NALOXONE;
	if (strcmp(k, "seizure") == 0)
		return SCHEDULE_ADVERSE_SEIZURE;
	if (strcmp(k, "overdose") == 0)
		return SCHEDULE_ADVERSE_OVERDOSE;
	return SCHEDULE_ADVERSE_SEDATION;
}

static enum hat_err run_adverse(struct store_conn *conn, struct cmd *c)
{
	const char *kind = fields_str(c->input, "kind", "other");
	int64_t occurred = time_field(c, "occurred_at", c->now);
	bool naloxone = strcmp(kind, "naloxone") == 0;
	bool blocks = schedule_adverse_blocks(adverse_kind(kind),
					      fields_has(c->input, "naloxone_dose_mg"));
	int64_t premises;
	json_t *detail;
	enum hat_err rc = patient_premises(conn, c->target_id, &premises);

	if (rc != HAT_OK)
		return rc;
	if (occurred > c->now)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "occurred_at", "The event cannot be in the future.");
	if (naloxone && (!fields_has(c->input, "naloxone_dose_mg") ||
			 !fields_has(c->input, "naloxone_route")))
		return cmd_refuse(c, HAT_E_MISSING_FIELD,
				  fields_has(c->input, "naloxone_dose_mg") ? "naloxone_route"
									   : "naloxone_dose_mg",
				  "Naloxone given needs its dose, route and time.");
	rc = store_run(conn,
		       "INSERT INTO adverse_events (patient_id, premises_id, kind, occurred_at,"
		       " naloxone_dose_ug, naloxone_route, naloxone_at, action_taken, outcome, blocks,"
		       " reported_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iitiItIttiii", c->target_id, premises, kind, occurred,
		       fields_has(c->input, "naloxone_dose_mg") ? fields_ug(c->input, "naloxone_dose_mg", 0)
								: INT64_MIN,
		       fields_str(c->input, "naloxone_route", NULL),
		       naloxone ? time_field(c, "naloxone_at", occurred) : INT64_MIN,
		       fields_str(c->input, "action_taken", ""), fields_str(c->input, "outcome", ""),
		       (int64_t)blocks, c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	detail = with_id(c, "adverse_event_id", store_last_id(conn));
	if (detail && json_object_set_new(detail, "blocks_until_review", json_boolean(blocks)) != 0) {
		json_decref(detail);
		detail = NULL;
	}
	return answer(conn, c, detail);
}

/* A "reduce" review may carry the lower prescription in the same command;
** it must supersede the one reviewed and fall below its session dose, or
** the review would hold the patient with no way forward. */
static enum hat_err sign_reduced(struct store_conn *conn, struct cmd *c, json_t *body,
				 int64_t reviewed_dose, json_t **rx)
{
	enum hat_err rc;

	if (strcmp(fields_str(c->input, "outcome", ""), "reduce") != 0)
		return cmd_refuse(c, HAT_E_INVALID_VALUE, "prescription",
				  "Only a review that reduces the dose carries a prescription.");
	rc = prescriptions_sign_within(conn, c, body, rx);
	if (rc != HAT_OK)
		return rc;
	if (dosing_reduce_pending(DOSING_REVIEW_REDUCE, reviewed_dose,
				  fields_ug(*rx, "session_dose_mg", 0))) {
		char msg[200];

		snprintf(msg, sizeof msg, "The reviewed prescription gives %lld mg a session; the"
					  " reduced one must give less (it gives %lld mg).",
			 (long long)(reviewed_dose / 1000),
			 (long long)(fields_ug(*rx, "session_dose_mg", 0) / 1000));
		return cmd_refuse(c, HAT_E_REDUCE_NOT_LOWER, "prescription.session_dose_mg", msg);
	}
	return HAT_OK;
}

static enum hat_err run_review(struct store_conn *conn, struct cmd *c)
{
	struct dosing_prescription reviewed;
	struct clock_local l;
	bool has_rx = false;
	json_t *carried = json_object_get(c->input, "prescription");
	json_t *rx = NULL;
	json_t *detail;
	int64_t premises;
	int64_t new_id = 0;
	enum hat_err rc = patient_premises(conn, c->target_id, &premises);

	if (rc != HAT_OK)
		return rc;
	clock_to_local(c->now, &l);
	/* The review binds to the prescription it saw: a "reduce" holds until
	** one below this session dose is in force. */
	rc = prescriptions_current(conn, c->target_id, premises, l.date, &reviewed, &has_rx);
	if (rc == HAT_OK && carried)
		rc = sign_reduced(conn, c, carried, has_rx ? reviewed.session_dose_ug : 0, &rx);
	if (rc != HAT_OK)
		goto out;
	if (rx)
		new_id = fields_int(rx, "id", 0);
	rc = store_run(conn,
		       "INSERT INTO reviews (patient_id, prescriber_id, at, local_date, outcome, notes,"
		       " prescription_id, reviewed_session_dose_ug, new_prescription_id)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiittIII", c->target_id, c->actor_id, c->now, (int64_t)l.date,
		       fields_str(c->input, "outcome", ""), fields_str(c->input, "notes", ""),
		       has_rx ? reviewed.id : INT64_MIN,
		       has_rx ? reviewed.session_dose_ug : INT64_MIN, new_id ? new_id : INT64_MIN);
	if (rc != HAT_OK)
		goto out;
	detail = with_id(c, "review_id", store_last_id(conn));
	json_object_set_new(detail, "reviewed_prescription_id",
			    has_rx ? json_integer(reviewed.id) : json_null());
	if (rx)
		json_object_set(detail, "prescription", rx);
	rc = answer(conn, c, detail);
out:
	json_decref(rx);
	return rc;
}

static enum hat_err run_risk(struct store_conn *conn, struct cmd *c)
{
	int64_t premises;
	enum hat_err rc = patient_premises(conn, c->target_id, &premises);

	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn, "INSERT INTO risk_discussions (patient_id, at, by_id, notes)"
			     " VALUES (?, ?, ?, ?)",
		       "iiit", c->target_id, c->now, c->actor_id, fields_str(c->input, "notes", ""));
	if (rc != HAT_OK)
		return rc;
	return answer(conn, c, with_id(c, "risk_discussion_id", store_last_id(conn)));
}

const struct cmd_def clinical_adverse_event = {
	"clinical.adverse_event", adverse_fields, POLICY_RULE(ADVERSE_EVENT), run_adverse, NULL,
};
const struct cmd_def clinical_review = {
	"clinical.review", review_fields, POLICY_RULE(REVIEW), run_review, NULL,
};
const struct cmd_def clinical_risk_discussion = {
	"clinical.risk_discussion", risk_fields, POLICY_RULE(RISK_DISCUSSION), run_risk, NULL,
};
