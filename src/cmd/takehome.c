/*
** takehome.c: see takehome.h.  The record is read here; core/takehome
** decides.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "takehome.h"
#include "takehome_record.h"

static const char *const rule_set_choices[] = { "swiss_2020", NULL };
static const char *const assess_kinds[] = { "stability", "misuse_risk", "comorbidity", NULL };
static const char *const contact_kinds[] = { "in_person", "phone", "video", "home_visit", NULL };

/* ---- The setting ----------------------------------------------------------- */

enum hat_err takehome_setting_load(struct store_conn *c, int64_t premises_id,
				   struct takehome_setting *out, int64_t *version)
{
	static const char sql[] =
		"SELECT version, enabled, rule_set, assessment_valid_days, review_days"
		" FROM takehome_settings WHERE premises_id = ? ORDER BY version DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql, &s);

	out->enabled = false;
	out->rule_set = TAKEHOME_RULES_SWISS_2020;
	out->assessment_valid_days = TAKEHOME_VALID_DAYS_DEFAULT;
	out->review_days = TAKEHOME_REVIEW_DAYS_DEFAULT;
	*version = 0;
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, premises_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*version = store_col_int(s, 0);
		out->enabled = store_col_int(s, 1) != 0;
		if (takehome_rule_set_parse(store_col_text(s, 2), &out->rule_set) != HAT_OK)
			out->enabled = false;
		out->assessment_valid_days = (int32_t)store_col_int(s, 3);
		out->review_days = (int32_t)store_col_int(s, 4);
	}
	store_done(s);
	return rc;
}

static const struct field settings_fields[] = {
	{ "enabled", FT_BOOL, true, 0, 0, NULL, false },
	{ "rule_set", FT_ENUM, false, 0, 0, rule_set_choices, false },
	{ "jurisdiction_basis", FT_STRING, false, 0, 500, NULL, false },
	{ "assessment_valid_days", FT_INT, false, TAKEHOME_VALID_DAYS_MIN, TAKEHOME_VALID_DAYS_MAX,
	  NULL, false },
	{ "review_days", FT_INT, false, TAKEHOME_REVIEW_DAYS_MIN, TAKEHOME_REVIEW_DAYS_MAX, NULL,
	  false },
	FIELDS_END,
};

static enum hat_err run_settings(struct store_conn *conn, struct cmd *c)
{
	struct takehome_setting cur;
	int64_t version, n = 0;
	bool found;
	bool enabled = fields_bool(c->input, "enabled", false);
	const char *basis = fields_str(c->input, "jurisdiction_basis", "");
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM premises WHERE id = ?", &found,
					  &n, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, NULL, NULL);
	rc = cmd_at_premises(conn, c, c->target_id);
	if (rc != HAT_OK)
		return rc;
	/* Take-home is against the law in many places: turning it on says which
	** law allows it here. */
	if (enabled && !basis[0])
		return cmd_refuse(c, HAT_E_MISSING_FIELD, "jurisdiction_basis",
				  "Name the law or licence that allows take-home doses here.");
	rc = takehome_setting_load(conn, c->target_id, &cur, &version);
	if (rc != HAT_OK)
		return rc;
	cur.enabled = enabled;
	cur.assessment_valid_days = (int32_t)fields_int(c->input, "assessment_valid_days",
							cur.assessment_valid_days);
	cur.review_days = (int32_t)fields_int(c->input, "review_days", cur.review_days);
	rc = store_run(conn,
		       "INSERT INTO takehome_settings (premises_id, version, enabled, rule_set,"
		       " jurisdiction_basis, assessment_valid_days, review_days, set_by, set_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiittiiIi", c->target_id, version + 1, (int64_t)cur.enabled,
		       fields_str(c->input, "rule_set", "swiss_2020"), basis,
		       (int64_t)cur.assessment_valid_days, (int64_t)cur.review_days,
		       c->actor_id ? c->actor_id : INT64_MIN, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_pack("{s:I, s:I, s:b, s:s, s:s, s:i, s:i}", "premises_id",
		      (json_int_t)c->target_id, "version", (json_int_t)(version + 1), "enabled",
		      cur.enabled, "rule_set", fields_str(c->input, "rule_set", "swiss_2020"),
		      "jurisdiction_basis", basis, "assessment_valid_days",
		      (int)cur.assessment_valid_days, "review_days", (int)cur.review_days);
	return cmd_audit_answer(conn, c, "premises", c->target_id, d, 200);
}

/* ---- Assessments and the privilege ---------------------------------------------- */

static const struct field assess_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, assess_kinds, false },
	{ "outcome", FT_STRING, true, 1, 40, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err patient_exists(struct store_conn *conn, int64_t id)
{
	int64_t n = 0;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?", NULL,
					  &n, "i", id);

	return rc == HAT_OK && n == 0 ? HAT_E_NOT_FOUND : rc;
}

static enum hat_err add_decision(struct store_conn *conn, struct cmd *c, const char *kind,
				 const char *outcome, int64_t review_by, json_t *extra)
{
	json_t *d;
	int64_t id;
	enum hat_err rc = store_run(conn,
				    "INSERT INTO takehome_assessments (patient_id, kind, outcome,"
				    " review_by, notes, by_id, at, local_date)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    "ittItiii", c->target_id, kind, outcome, review_by,
				    fields_str(c->input, "notes", ""), c->actor_id, c->now,
				    (int64_t)clock_local_date(c->now));

	if (rc != HAT_OK) {
		json_decref(extra);
		return rc;
	}
	id = store_last_id(conn);
	d = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "kind", kind, "outcome",
		      outcome, "notes", fields_str(c->input, "notes", ""));
	if (d && review_by != INT64_MIN) {
		char day[11];

		clock_format_date((int32_t)review_by, day);
		json_object_set_new(d, "review_by", json_string(day));
	}
	if (d && extra)
		json_object_set_new(d, "criteria", extra);
	else
		json_decref(extra);
	return cmd_audit_answer(conn, c, "patient", c->target_id, d, 201);
}

static enum hat_err run_assess(struct store_conn *conn, struct cmd *c)
{
	const char *kind = fields_str(c->input, "kind", "");
	const char *outcome = fields_str(c->input, "outcome", "");
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (takehome_outcome_valid(kind, outcome))
		return add_decision(conn, c, kind, outcome, INT64_MIN, NULL);
	return cmd_refuse(c, HAT_E_INVALID_VALUE, "outcome",
			  "stability: stable or unstable; misuse_risk: very_low, low, moderate"
			  " or high; comorbidity: present or absent.");
}

static const struct field grant_fields[] = {
	{ "review_by", FT_DATE, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

/* Grant and review: every criterion but the days is checked from the
** record, and the privilege runs to its review date. */
static enum hat_err run_grant_or_review(struct store_conn *conn, struct cmd *c, const char *kind)
{
	struct takehome_verdict v;
	struct takehome_record *f = malloc(sizeof *f);
	int32_t review_by;
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = takehome_record_load(conn, c->target_id, c->now, f);
	if (rc == HAT_OK && strcmp(kind, "review") == 0 && !f->t.privilege_granted)
		rc = cmd_refuse(c, HAT_E_TAKEHOME_NOT_GRANTED, NULL,
				"There is no privilege in force to review: grant one.");
	if (rc == HAT_OK)
		rc = takehome_check(&f->setting, &f->t, f->today, 0, false, &v);
	if (rc == HAT_OK && v.first != HAT_OK)
		rc = takehome_refuse_verdict(c, f, &v);
	if (rc != HAT_OK)
		goto out;
	review_by = fields_date(c->input, "review_by", f->today + f->setting.review_days);
	if (review_by < f->today || review_by > f->today + f->setting.review_days) {
		char msg[160];

		snprintf(msg, sizeof msg, "The review date is today or within %d days.",
			 (int)f->setting.review_days);
		rc = cmd_refuse(c, HAT_E_OUT_OF_RANGE, "review_by", msg);
		goto out;
	}
	rc = add_decision(conn, c, kind, "granted", review_by, takehome_verdict_json(f, &v));
out:
	free(f);
	return rc;
}

static enum hat_err run_grant(struct store_conn *conn, struct cmd *c)
{
	return run_grant_or_review(conn, c, "grant");
}

static enum hat_err run_review(struct store_conn *conn, struct cmd *c)
{
	return run_grant_or_review(conn, c, "review");
}

static const struct field withdraw_fields[] = {
	{ "notes", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_withdraw(struct store_conn *conn, struct cmd *c)
{
	struct takehome_record *f = malloc(sizeof *f);
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = patient_exists(conn, c->target_id);
	if (rc == HAT_OK) {
		f->v.patient_id = c->target_id;
		rc = takehome_record_privilege(conn, f);
	}
	if (rc == HAT_OK && !f->t.privilege_granted)
		rc = cmd_refuse(c, HAT_E_TAKEHOME_NOT_GRANTED, NULL, "There is no privilege to withdraw.");
	if (rc == HAT_OK)
		rc = add_decision(conn, c, "withdraw", "withdrawn", INT64_MIN, NULL);
	free(f);
	return rc;
}

/* ---- Contacts --------------------------------------------------------------------- */

static const struct field contact_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, contact_kinds, false },
	{ "at", FT_TIME, true, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_contact(struct store_conn *conn, struct cmd *c)
{
	int64_t at = 0, id;
	json_t *d;
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	clock_parse_rfc3339(fields_str(c->input, "at", ""), &at);
	if (at > c->now)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "at", "A contact cannot be recorded ahead of time.");
	rc = store_run(conn,
		       "INSERT INTO staff_contacts (patient_id, kind, at, local_date, notes, by_id,"
		       " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "itiitii", c->target_id, fields_str(c->input, "kind", ""), at,
		       (int64_t)clock_local_date(at), fields_str(c->input, "notes", ""), c->actor_id,
		       c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	d = json_deep_copy(c->input);
	if (d)
		json_object_set_new(d, "id", json_integer(id));
	return cmd_audit_answer(conn, c, "patient", c->target_id, d, 201);
}


const struct cmd_def takehome_settings_set = {
	"takehome.settings", settings_fields, POLICY_RULE(TAKEHOME_SETTINGS), run_settings, NULL,
};
const struct cmd_def takehome_assess = {
	"takehome.assess", assess_fields, POLICY_RULE(TAKEHOME_DECIDE), run_assess, NULL,
};
const struct cmd_def takehome_grant = {
	"takehome.grant", grant_fields, POLICY_RULE(TAKEHOME_DECIDE), run_grant, NULL,
};
const struct cmd_def takehome_review = {
	"takehome.review", grant_fields, POLICY_RULE(TAKEHOME_DECIDE), run_review, NULL,
};
const struct cmd_def takehome_withdraw = {
	"takehome.withdraw", withdraw_fields, POLICY_RULE(TAKEHOME_DECIDE), run_withdraw, NULL,
};
const struct cmd_def takehome_contact = {
	"contact.record", contact_fields, POLICY_RULE(CONTACT_RECORD), run_contact, NULL,
};
