/*
** screens.c: see screens.h.
*/
#include <string.h>

#include "auth/policy.h"
#include "core/screens.h"
#include "outcomes.h"
#include "screens.h"

static const char *const sample_choices[] = { "urine", "oral_fluid", "other", NULL };
static const char *const collection_choices[] = { "random", "scheduled", NULL };
static const char *const method_choices[] = { "point_of_care", "lab_screen", "confirmatory", NULL };
static const char *const self_choices[] = { "unknown", "no", "yes", NULL };
static const char *const result_names[] = { "negative", "positive", "invalid", "not_tested", NULL };
static const char *const heroin_codes[] = { "no_evidence", "evidence", "undetermined" };

#define MAX_RESULTS 32

static const struct field record_fields[] = {
	{ "sample_type", FT_ENUM, true, 0, 0, sample_choices, false },
	{ "collected_at", FT_TIME, true, 0, 0, NULL, false },
	{ "supervised", FT_BOOL, true, 0, 0, NULL, false },
	{ "collection", FT_ENUM, true, 0, 0, collection_choices, false },
	{ "method", FT_ENUM, true, 0, 0, method_choices, false },
	{ "lab_ref", FT_STRING, false, 0, 100, NULL, false },
	{ "self_report", FT_ENUM, false, 0, 0, self_choices, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "results", FT_ARRAY, true, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field error_fields[] = {
	{ "reason", FT_STRING, true, 1, 1000, NULL, false },
	FIELDS_END,
};

static int pick(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++) {
		if (strcmp(names[i], s) == 0)
			return i;
	}
	return -1;
}

/* What the prescriptions in force at t explain (screens_drug bits). */
static enum hat_err prescribed_at(struct store_conn *conn, int64_t patient, int64_t t,
				  unsigned *mask)
{
	static const char sql[] =
		"SELECT drug, coalesce(oral_drug, '') FROM prescriptions p WHERE patient_id = ?"
		" AND start_date <= ? AND (end_date IS NULL OR end_date >= ?) AND signed_at <= ?"
		" AND NOT EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id"
		" AND e.at <= ?)";
	int64_t day = clock_local_date(t);
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	*mask = 0;
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiiii", patient, day, day, t, t);
	while (rc == HAT_OK) {
		const char *drug, *oral;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		drug = store_col_text(s, 0);
		oral = store_col_text(s, 1);
		if (strcmp(drug, "diamorphine") == 0)
			*mask |= SCREENS_DIAMORPHINE;
		else if (strcmp(drug, "hydromorphone") == 0)
			*mask |= SCREENS_HYDROMORPHONE;
		if (strcmp(oral, "methadone_oral") == 0)
			*mask |= SCREENS_METHADONE;
		else if (strcmp(oral, "srom") == 0)
			*mask |= SCREENS_SROM;
	}
	store_done(s);
	return rc;
}

struct result_in {
	const char *analyte;
	int result;
	int64_t cutoff;
	struct screens_finding f;
};

static enum hat_err read_results(struct store_conn *conn, struct cmd *c, json_t *arr,
				 struct result_in *out, size_t *n)
{
	static const char sql[] =
		"SELECT street_marker, heroin_metabolite, expected_with FROM screen_analytes WHERE code = ?";
	size_t i;
	json_t *r;
	enum hat_err rc = HAT_OK;

	if (json_array_size(arr) < 1 || json_array_size(arr) > MAX_RESULTS)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "results", "Give 1 to 32 analyte results.");
	json_array_foreach(arr, i, r) {
		struct result_in *x = &out[i];
		json_t *cut = json_object_get(r, "cutoff_ng_ml");
		struct store_stmt *s;
		bool row;
		const char *k;
		json_t *v;

		if (!json_is_object(r))
			return cmd_refuse(c, HAT_E_WRONG_TYPE, "results", NULL);
		json_object_foreach(r, k, v) {
			if (strcmp(k, "analyte") && strcmp(k, "result") && strcmp(k, "cutoff_ng_ml"))
				return cmd_refuse(c, HAT_E_UNKNOWN_FIELD, "results", k);
		}
		x->analyte = json_string_value(json_object_get(r, "analyte"));
		x->result = pick(result_names, json_string_value(json_object_get(r, "result")));
		if (!x->analyte)
			return cmd_refuse(c, HAT_E_MISSING_FIELD, "results", "Each result names its analyte.");
		if (x->result < 0)
			return cmd_refuse(c, HAT_E_INVALID_VALUE, "results",
					  "A result is negative, positive, invalid or not_tested.");
		if (cut && !json_is_null(cut) &&
		    (!json_is_integer(cut) || json_integer_value(cut) < 0 ||
		     json_integer_value(cut) > 1000000))
			return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "results", "cutoff_ng_ml is 0 to 1000000.");
		x->cutoff = json_is_integer(cut) ? json_integer_value(cut) : INT64_MIN;
		for (size_t j = 0; j < i; j++) {
			if (strcmp(out[j].analyte, x->analyte) == 0)
				return cmd_refuse(c, HAT_E_CONFLICT, "results", "An analyte is given twice.");
		}
		rc = store_prepare(conn, sql, &s);
		if (rc == HAT_OK)
			rc = store_bindf(s, "t", x->analyte);
		if (rc == HAT_OK)
			rc = store_step(s, &row);
		if (rc == HAT_OK && row) {
			x->f.result = (enum screens_result)x->result;
			x->f.street_marker = store_col_int(s, 0) != 0;
			x->f.heroin_metabolite = store_col_int(s, 1) != 0;
			x->f.expected_with = (unsigned)store_col_int(s, 2);
		}
		store_done(s);
		if (rc != HAT_OK)
			return rc;
		if (!row)
			return cmd_refuse(c, HAT_E_UNKNOWN_ANALYTE, "results", x->analyte);
	}
	*n = json_array_size(arr);
	return HAT_OK;
}

static enum hat_err run_record(struct store_conn *conn, struct cmd *c)
{
	struct result_in res[MAX_RESULTS];
	struct screens_finding f[MAX_RESULTS];
	int64_t at, n = 0, screen_id;
	unsigned prescribed;
	enum screens_heroin reading;
	int self = pick(self_choices, fields_str(c->input, "self_report", "unknown"));
	size_t count = 0;
	bool found;
	json_t *d, *list;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?", &found,
					  &n, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return HAT_E_NOT_FOUND;
	clock_parse_rfc3339(fields_str(c->input, "collected_at", ""), &at);
	if (at > c->now)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "collected_at", "A sample cannot be collected in the future.");
	rc = read_results(conn, c, json_object_get(c->input, "results"), res, &count);
	if (rc != HAT_OK)
		return rc;
	rc = prescribed_at(conn, c->target_id, at, &prescribed);
	if (rc != HAT_OK)
		return rc;
	for (size_t i = 0; i < count; i++)
		f[i] = res[i].f;
	reading = screens_street_heroin(f, (int32_t)count, prescribed,
					self == 2 ? SCREENS_SELF_YES : self == 1 ? SCREENS_SELF_NO
										 : SCREENS_SELF_UNKNOWN);
	rc = store_run(conn,
		       "INSERT INTO drug_screens (patient_id, collected_at, local_date, sample_type,"
		       " supervised, collection, method, lab_ref, self_report, prescribed, street_heroin,"
		       " notes, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiitittttittii", c->target_id, at, (int64_t)clock_local_date(at),
		       fields_str(c->input, "sample_type", ""), (int64_t)fields_bool(c->input, "supervised", false),
		       fields_str(c->input, "collection", ""), fields_str(c->input, "method", ""),
		       fields_str(c->input, "lab_ref", ""), self_choices[self], (int64_t)prescribed,
		       heroin_codes[reading], fields_str(c->input, "notes", ""), c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	screen_id = store_last_id(conn);
	list = json_array();
	for (size_t i = 0; rc == HAT_OK && i < count; i++) {
		/* Expected: a positive here is what the prescription explains. */
		bool expected = screens_expected(res[i].f.expected_with, prescribed);

		rc = store_run(conn, "INSERT INTO drug_screen_results (screen_id, analyte, result,"
				     " cutoff_ng_ml, expected) VALUES (?, ?, ?, ?, ?)",
			       "ittIi", screen_id, res[i].analyte, result_names[res[i].result],
			       res[i].cutoff, (int64_t)expected);
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "analyte", res[i].analyte,
						      "result", result_names[res[i].result],
						      "expected", expected));
	}
	if (rc != HAT_OK) {
		json_decref(list);
		return rc;
	}
	d = json_deep_copy(c->input);
	json_object_set_new(d, "screen_id", json_integer(screen_id));
	json_object_set_new(d, "results", list);
	json_object_set_new(d, "street_heroin", json_string(heroin_codes[reading]));
	json_object_set_new(d, "reading", json_string(screens_heroin_words(reading)));
	return cmd_audit_answer(conn, c, "drug_screen", screen_id, d, 201);
}

static enum hat_err run_error(struct store_conn *conn, struct cmd *c)
{
	int64_t n = 0;
	bool found;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM drug_screens WHERE id = ?",
					  &found, &n, "i", c->target_id);

	if (rc == HAT_OK && n == 0)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT count(*) FROM drug_screen_errors WHERE screen_id = ?",
				     &found, &n, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (n > 0)
		return cmd_refuse(c, HAT_E_ENTERED_IN_ERROR, NULL, NULL);
	rc = store_run(conn, "INSERT INTO drug_screen_errors (screen_id, reason, by_id, at)"
			     " VALUES (?, ?, ?, ?)",
		       "itii", c->target_id, fields_str(c->input, "reason", ""), c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_pack("{s:I, s:s, s:b}", "screen_id", (json_int_t)c->target_id, "reason",
		      fields_str(c->input, "reason", ""), "entered_in_error", 1);
	return cmd_audit_answer(conn, c, "drug_screen", c->target_id, d, 201);
}

const struct cmd_def screens_record = {
	"screen.record", record_fields, POLICY_RULE(OUTCOME_RECORD), run_record, NULL,
};
const struct cmd_def screens_error = {
	"screen.error", error_fields, POLICY_RULE(OUTCOME_RECORD), run_error, NULL,
};

enum hat_err screens_analytes(struct store_conn *c, json_t **out)
{
	return store_query_json(c, "SELECT code, label, street_marker, heroin_metabolite, expected_with"
				   " FROM screen_analytes ORDER BY rowid", out, "");
}

enum hat_err screens_list(struct store_conn *c, int64_t patient_id, int32_t today, json_t **out)
{
	struct outcomes_settings st;
	int64_t version;
	json_t *screens = NULL, *results;
	int32_t negatives = 0, total = 0, tenths;
	char from[11], to[11];
	size_t i;
	json_t *s;
	bool meets;
	enum hat_err rc = outcomes_settings_load(c, &st, &version);

	if (rc == HAT_OK)
		rc = store_query_json(c,
			"SELECT s.id, s.collected_at, s.local_date AS collected_on, s.sample_type,"
			" s.supervised, s.collection, s.method, s.lab_ref, s.self_report, s.street_heroin,"
			" s.notes, s.recorded_at, (SELECT display_name FROM users u WHERE u.id = s.recorded_by)"
			" AS recorded_by, e.reason AS error_reason, e.at AS error_at"
			" FROM drug_screens s LEFT JOIN drug_screen_errors e ON e.screen_id = s.id"
			" WHERE s.patient_id = ? ORDER BY s.collected_at DESC, s.id DESC", &screens, "i",
			patient_id);
	json_array_foreach(screens, i, s) {
		int64_t id = json_integer_value(json_object_get(s, "id"));
		const char *code = json_string_value(json_object_get(s, "street_heroin"));
		const char *day = json_string_value(json_object_get(s, "collected_on"));
		bool in_error = !json_is_null(json_object_get(s, "error_reason"));
		int32_t d;
		int h = 2;

		if (rc != HAT_OK)
			break;
		rc = store_query_json(c,
			"SELECT r.analyte, a.label, r.result, r.cutoff_ng_ml, r.expected, a.street_marker"
			" FROM drug_screen_results r JOIN screen_analytes a ON a.code = r.analyte"
			" WHERE r.screen_id = ? ORDER BY r.id", &results, "i", id);
		if (rc != HAT_OK)
			break;
		json_object_set_new(s, "results", results);
		for (int k = 0; k < 3; k++) {
			if (code && strcmp(code, heroin_codes[k]) == 0)
				h = k;
		}
		json_object_set_new(s, "reading", json_string(screens_heroin_words((enum screens_heroin)h)));
		json_object_set_new(s, "entered_in_error", json_boolean(in_error));
		if (!in_error && day && clock_parse_date(day, &d) == HAT_OK &&
		    d > today - st.screen_window_days && d <= today) {
			total++;
			negatives += h == SCREENS_NO_EVIDENCE;
		}
	}
	if (rc != HAT_OK) {
		json_decref(screens);
		return rc;
	}
	meets = screens_negative_share(negatives, total, st.screen_negative_pct, &tenths);
	clock_format_date(today - st.screen_window_days + 1, from);
	clock_format_date(today, to);
	*out = json_pack("{s:o, s:{s:s, s:s, s:i, s:i, s:i, s:f, s:i, s:b, s:s}}", "screens", screens,
			 "summary", "from", from, "to", to, "window_days", st.screen_window_days,
			 "screens", total, "negative_for_street_heroin", negatives,
			 "negative_pct", tenths / 10.0, "threshold_pct", st.screen_negative_pct,
			 "meets_threshold", meets,
			 "note", "Screens that could not tell count as not negative.");
	return *out ? HAT_OK : HAT_E_NOMEM;
}
