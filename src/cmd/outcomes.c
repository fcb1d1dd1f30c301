/*
** outcomes.c: see outcomes.h.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "instruments.h"
#include "outcomes.h"
#include "util/buf.h"

static const char *const stage_choices[] = { "start", "review", "exit", "post_exit", NULL };

static const struct field record_fields[] = {
	{ "instrument", FT_STRING, true, 1, 39, NULL, false },
	{ "version", FT_INT, false, 1, 1000000, NULL, false },
	{ "form_date", FT_DATE, false, 0, 0, NULL, false },
	{ "stage", FT_ENUM, false, 0, 0, stage_choices, false },
	{ "episode_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	{ "keyworker_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	{ "answers", FT_OBJECT, true, 0, 0, NULL, false },
	FIELDS_END,
};

static const struct field revise_fields[] = {
	{ "form_date", FT_DATE, false, 0, 0, NULL, false },
	{ "stage", FT_ENUM, false, 0, 0, stage_choices, false },
	{ "keyworker_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	{ "answers", FT_OBJECT, true, 0, 0, NULL, false },
	{ "reason", FT_STRING, true, 1, 1000, NULL, false },
	FIELDS_END,
};

static const struct field error_fields[] = {
	{ "reason", FT_STRING, true, 1, 1000, NULL, false },
	FIELDS_END,
};

/* ---- Answers ---- */

static bool is_na(json_t *v)
{
	const char *s = json_string_value(v);

	return s && (strcmp(s, "na") == 0 || strcmp(s, "NA") == 0);
}

static enum hat_err parse_days_object(json_t *v, struct outcomes_answer *a)
{
	json_t *total = json_object_get(v, "total");
	json_t *weeks = json_object_get(v, "weeks");
	size_t i;
	json_t *w;

	if (json_object_size(v) != 2 || !json_is_integer(total) || !json_is_array(weeks) ||
	    json_array_size(weeks) != OUTCOMES_WEEKS)
		return HAT_E_WRONG_TYPE;
	a->kind = OUTCOMES_VALUE;
	a->value = json_integer_value(total);
	a->has_weeks = true;
	json_array_foreach(weeks, i, w) {
		if (!json_is_integer(w))
			return HAT_E_WRONG_TYPE;
		/* Clamp to a value core will refuse, never wrap. */
		a->weeks[i] = json_integer_value(w) > 1000 || json_integer_value(w) < -1000
				      ? -1
				      : (int32_t)json_integer_value(w);
	}
	return HAT_OK;
}

static enum hat_err parse_one(const struct outcomes_item *it, json_t *v, struct outcomes_answer *a)
{
	const char *s;
	double d;

	memset(a, 0, sizeof *a);
	if (is_na(v)) {
		a->kind = OUTCOMES_NA;
		return HAT_OK;
	}
	a->kind = OUTCOMES_VALUE;
	switch (it->type) {
	case OUTCOMES_DAYS:
		if (json_is_object(v))
			return parse_days_object(v, a);
		if (!json_is_integer(v))
			return HAT_E_WRONG_TYPE;
		a->value = json_integer_value(v);
		return HAT_OK;
	case OUTCOMES_SCALE:
		if (!json_is_integer(v))
			return HAT_E_WRONG_TYPE;
		a->value = json_integer_value(v);
		return HAT_OK;
	case OUTCOMES_YESNO:
		s = json_string_value(v);
		if (json_is_boolean(v))
			a->value = json_is_true(v);
		else if (s && strcmp(s, "yes") == 0)
			a->value = 1;
		else if (s && strcmp(s, "no") == 0)
			a->value = 0;
		else
			return HAT_E_WRONG_TYPE;
		return HAT_OK;
	case OUTCOMES_AMOUNT:
		if (!json_is_number(v))
			return HAT_E_WRONG_TYPE;
		d = json_number_value(v) * 100.0;
		if (!(d > -1e12 && d < 1e12))
			return HAT_E_OUT_OF_RANGE;
		a->value = (int64_t)llround(d);
		return HAT_OK;
	case OUTCOMES_TEXT:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		a->value = (int64_t)json_string_length(v);
		/* Text is checked by its length against the item's max. */
		if (a->value > it->max)
			return HAT_E_TOO_LONG;
		return HAT_OK;
	}
	return HAT_E_WRONG_TYPE;
}

enum hat_err outcomes_answers_parse(const struct outcomes_instrument *ins, json_t *answers,
				    struct outcomes_answer *out, const char **bad_key)
{
	const char *key;
	json_t *v;
	int32_t i;
	enum hat_err rc;

	for (i = 0; i < ins->item_count; i++)
		memset(&out[i], 0, sizeof out[i]);
	json_object_foreach(answers, key, v) {
		i = outcomes_item_index(ins, key);
		*bad_key = key;
		if (i < 0)
			return HAT_E_UNKNOWN_FIELD;
		rc = parse_one(&ins->items[i], v, &out[i]);
		if (rc != HAT_OK)
			return rc;
	}
	*bad_key = NULL;
	return HAT_OK;
}

/* ---- Settings ---- */

static const struct {
	const char *name;
	size_t off;
} setting_keys[] = {
	{ "review_interval_days", offsetof(struct outcomes_settings, review_interval_days) },
	{ "review_grace_days", offsetof(struct outcomes_settings, review_grace_days) },
	{ "change_threshold_days", offsetof(struct outcomes_settings, change_threshold_days) },
	{ "change_threshold_rating", offsetof(struct outcomes_settings, change_threshold_rating) },
	{ "screen_window_days", offsetof(struct outcomes_settings, screen_window_days) },
	{ "screen_negative_pct", offsetof(struct outcomes_settings, screen_negative_pct) },
};
#define SETTING_COUNT (sizeof setting_keys / sizeof setting_keys[0])

static int32_t *setting_ptr(struct outcomes_settings *s, size_t i)
{
	return (int32_t *)(void *)((char *)s + setting_keys[i].off);
}

json_t *outcomes_settings_json(const struct outcomes_settings *s, int64_t version)
{
	struct outcomes_settings copy = *s;
	json_t *j = json_object();

	for (size_t i = 0; i < SETTING_COUNT; i++)
		json_object_set_new(j, setting_keys[i].name, json_integer(*setting_ptr(&copy, i)));
	json_object_set_new(j, "version", json_integer(version));
	json_object_set_new(j, "note", json_string(
		"The change thresholds are local definitions: no official threshold for a reliable "
		"change in TOP ratings was found."));
	return j;
}

enum hat_err outcomes_settings_load(struct store_conn *c, struct outcomes_settings *out,
				    int64_t *version)
{
	static const char sql[] =
		"SELECT version, settings FROM outcome_settings ORDER BY version DESC LIMIT 1";
	struct store_stmt *s;
	json_t *j = NULL;
	bool row;
	enum hat_err rc;

	outcomes_settings_default(out);
	*version = 0;
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*version = store_col_int(s, 0);
		j = json_loads(store_col_text(s, 1), 0, NULL);
		for (size_t i = 0; j && i < SETTING_COUNT; i++) {
			json_t *v = json_object_get(j, setting_keys[i].name);

			if (json_is_integer(v))
				*setting_ptr(out, i) = (int32_t)json_integer_value(v);
		}
	}
	store_done(s);
	json_decref(j);
	return rc;
}

static const struct field settings_fields[] = {
	{ "review_interval_days", FT_INT, false, 0, 100000, NULL, false },
	{ "review_grace_days", FT_INT, false, 0, 100000, NULL, false },
	{ "change_threshold_days", FT_INT, false, 0, 100000, NULL, false },
	{ "change_threshold_rating", FT_INT, false, 0, 100000, NULL, false },
	{ "screen_window_days", FT_INT, false, 0, 100000, NULL, false },
	{ "screen_negative_pct", FT_INT, false, 0, 100000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_settings(struct store_conn *conn, struct cmd *c)
{
	struct outcomes_settings s;
	int64_t version;
	const char *bad;
	json_t *j;
	char *text;
	enum hat_err rc = outcomes_settings_load(conn, &s, &version);

	if (rc != HAT_OK)
		return rc;
	for (size_t i = 0; i < SETTING_COUNT; i++) {
		if (fields_has(c->input, setting_keys[i].name))
			*setting_ptr(&s, i) = (int32_t)fields_int(c->input, setting_keys[i].name, 0);
	}
	rc = outcomes_settings_check(&s, &bad);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, bad, NULL);
	j = outcomes_settings_json(&s, version + 1);
	json_object_del(j, "note");
	json_object_del(j, "version");
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return HAT_E_NOMEM;
	rc = store_run(conn, "INSERT INTO outcome_settings (version, settings, created_at, created_by)"
			     " VALUES (?, ?, ?, ?)", "itii", version + 1, text, c->now, c->actor_id);
	free(text);
	if (rc != HAT_OK)
		return rc;
	j = outcomes_settings_json(&s, version + 1);
	return cmd_audit_answer(conn, c, "outcome_settings", version + 1, j, 200);
}

/* ---- Recording ---- */

struct episode_row {
	int64_t id;
	struct outcomes_episode ep;
};

static enum hat_err find_episode(struct store_conn *conn, int64_t patient, int64_t wanted,
				 int32_t form_date, struct episode_row *out)
{
	static const char sql[] =
		"SELECT id, referral_date, status, discharge_date FROM episodes WHERE patient_id = ?"
		" AND (? = 0 OR id = ?) AND (? <> 0 OR referral_date <= ?)"
		" ORDER BY referral_date DESC, id DESC LIMIT 1";
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iiiii", patient, wanted, wanted, wanted, (int64_t)form_date);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && !row)
		rc = HAT_E_NO_EPISODE;
	if (rc == HAT_OK) {
		memset(out, 0, sizeof *out);
		out->id = store_col_int(s, 0);
		out->ep.referral_date = (int32_t)store_col_int(s, 1);
		out->ep.discharged = strcmp(store_col_text(s, 2), "discharged") == 0;
		out->ep.discharge_date = (int32_t)store_col_int(s, 3);
	}
	store_done(s);
	return rc;
}

/* The current Start of this instrument in the episode, if any. */
static enum hat_err find_start(struct store_conn *conn, int64_t episode, const char *code,
			       struct outcomes_episode *ep)
{
	bool found;
	int64_t id = 0;
	enum hat_err rc = store_query_int(conn,
		"SELECT f.id FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
		" WHERE f.episode_id = ? AND i.code = ? AND f.stage = 'start'"
		" AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
		" AND NOT EXISTS (SELECT 1 FROM outcome_form_errors e WHERE e.form_id = f.id)"
		" LIMIT 1", &found, &id, "it", episode, code);

	ep->has_start = rc == HAT_OK && found;
	ep->start_form_id = ep->has_start ? id : 0;
	return rc;
}

struct form_in {
	int64_t patient_id;
	int64_t episode_id;     /* 0: find it */
	int64_t instrument_row; /* 0: by code and version */
	const char *code;
	int64_t version;
	int32_t form_date;
	const char *stage;      /* NULL: none given */
	int64_t keyworker_id;
	json_t *answers;
	int64_t supersedes_id;
	const char *reason;
};

static enum hat_err save_form(struct store_conn *conn, struct cmd *c, const struct form_in *in,
			      int64_t *form_id, json_t **score_out)
{
	struct outcomes_instrument ins;
	struct outcomes_answer answers[OUTCOMES_MAX_ITEMS];
	struct outcomes_score score;
	struct episode_row er;
	enum outcomes_stage stage = OUTCOMES_STAGE_REVIEW;
	int32_t today = clock_local_date(c->now);
	int32_t bad_item = -1;
	const char *bad_key = NULL;
	char message[200];
	json_t *def = NULL;
	char *text = NULL;
	int64_t row_id, n;
	bool on, found, staged;
	enum hat_err rc;

	rc = instruments_load(conn, in->instrument_row, in->code, in->version, &ins, &row_id, &def);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "instrument", NULL);
		goto out;
	}
	rc = instruments_enabled(conn, ins.code, &on);
	if (rc != HAT_OK)
		goto out;
	if (!on) {
		rc = cmd_refuse(c, HAT_E_INSTRUMENT_DISABLED, "instrument", NULL);
		goto out;
	}
	staged = json_is_true(json_object_get(def, "stages"));
	if (staged && !in->stage) {
		rc = cmd_refuse(c, HAT_E_MISSING_FIELD, "stage", "This form needs its stage.");
		goto out;
	}
	if (!staged && in->stage) {
		rc = cmd_refuse(c, HAT_E_INVALID_VALUE, "stage", "This form has no stages.");
		goto out;
	}
	if (in->stage)
		outcomes_stage_parse(in->stage, &stage);
	rc = store_query_int(conn, "SELECT count(*) FROM users WHERE id = ?", &found, &n, "i",
			     in->keyworker_id);
	if (rc != HAT_OK)
		goto out;
	if (n == 0) {
		rc = cmd_refuse(c, HAT_E_INVALID_VALUE, "keyworker_id", "No such member of staff.");
		goto out;
	}
	rc = find_episode(conn, in->patient_id, in->episode_id, in->form_date, &er);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "episode_id", NULL);
		goto out;
	}
	if (staged) {
		rc = find_start(conn, er.id, ins.code, &er.ep);
		if (rc == HAT_OK)
			rc = outcomes_stage_check(stage, &er.ep, in->form_date, today, in->supersedes_id);
	} else if (in->form_date > today || in->form_date < er.ep.referral_date) {
		rc = HAT_E_DATE_ORDER;
	}
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, rc == HAT_E_DATE_ORDER ? "form_date" : "stage", NULL);
		goto out;
	}
	rc = outcomes_answers_parse(&ins, in->answers, answers, &bad_key);
	if (rc == HAT_OK)
		rc = outcomes_check(&ins, answers, &bad_item);
	if (rc != HAT_OK) {
		if (!bad_key && bad_item >= 0) {
			snprintf(message, sizeof message, "%s: %s", ins.items[bad_item].key,
				 hat_err_message(rc));
			/* A present item's key lives in the input, which outlives the answer. */
			bad_key = json_object_iter_key(json_object_iter_at(in->answers,
									   ins.items[bad_item].key));
		} else {
			snprintf(message, sizeof message, "%s: %s", bad_key ? bad_key : "answers",
				 hat_err_message(rc));
		}
		rc = cmd_refuse(c, rc, bad_key ? bad_key : "answers", message);
		goto out;
	}
	outcomes_score(&ins, answers, &score);
	text = json_dumps(in->answers, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO outcome_forms (patient_id, episode_id, instrument_id, form_date, stage,"
		       " keyworker_id, answers, total, metric_x100, supersedes_id, change_reason,"
		       " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiititIIItii", in->patient_id, er.id, row_id, (int64_t)in->form_date,
		       staged ? outcomes_stage_name(stage) : NULL, in->keyworker_id, text,
		       score.has_total ? score.total : INT64_MIN,
		       score.has_metric ? (int64_t)score.metric_x100 : INT64_MIN,
		       in->supersedes_id ? in->supersedes_id : INT64_MIN,
		       in->reason ? in->reason : "", c->actor_id, c->now);
	if (rc != HAT_OK)
		goto out;
	*form_id = store_last_id(conn);
	*score_out = json_pack("{s:I, s:s, s:i, s:I, s:o, s:o}", "episode_id", (json_int_t)er.id,
			       "instrument", ins.code, "version", ins.version,
			       "instrument_id", (json_int_t)row_id,
			       "total", score.has_total ? json_integer(score.total) : json_null(),
			       "metric", score.has_metric ? json_real(score.metric_x100 / 100.0)
							  : json_null());
out:
	free(text);
	json_decref(def);
	return rc;
}

static enum hat_err patient_exists(struct store_conn *conn, int64_t id)
{
	bool found;
	int64_t n;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?",
					  &found, &n, "i", id);

	return rc == HAT_OK && n == 0 ? HAT_E_NOT_FOUND : rc;
}

static enum hat_err answer_form(struct store_conn *conn, struct cmd *c, int64_t form_id,
				json_t *score, json_t *before)
{
	json_t *d = json_deep_copy(c->input);
	enum hat_err rc;

	json_object_update(d, score);
	json_decref(score);
	json_object_set_new(d, "form_id", json_integer(form_id));
	if (before)
		json_object_set(d, "before", before);
	rc = cmd_audit(conn, c, "outcome_form", form_id, d);
	if (rc != HAT_OK) {
		json_decref(d);
		return rc;
	}
	json_object_del(d, "before");
	cmd_answer(c, 201, d);
	return HAT_OK;
}

static enum hat_err run_record(struct store_conn *conn, struct cmd *c)
{
	struct form_in in;
	int64_t form_id;
	json_t *score = NULL;
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	memset(&in, 0, sizeof in);
	in.patient_id = c->target_id;
	in.episode_id = fields_int(c->input, "episode_id", 0);
	in.code = fields_str(c->input, "instrument", "");
	in.version = fields_int(c->input, "version", 0);
	in.form_date = fields_date(c->input, "form_date", clock_local_date(c->now));
	in.stage = fields_str(c->input, "stage", NULL);
	in.keyworker_id = fields_int(c->input, "keyworker_id", c->actor_id);
	in.answers = json_object_get(c->input, "answers");
	rc = save_form(conn, c, &in, &form_id, &score);
	if (rc != HAT_OK)
		return rc;
	return answer_form(conn, c, form_id, score, NULL);
}

/* The form as it stands: must be the newest revision and not in error. */
static enum hat_err load_head(struct store_conn *conn, struct cmd *c, struct form_in *in,
			      json_t **before)
{
	static const char sql[] =
		"SELECT f.patient_id, f.episode_id, f.instrument_id, f.form_date, f.stage,"
		" f.keyworker_id, f.answers,"
		" EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id),"
		" EXISTS (SELECT 1 FROM outcome_form_errors e WHERE e.form_id = f.id)"
		" FROM outcome_forms f WHERE f.id = ?";
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && !row)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK && store_col_int(s, 8))
		rc = cmd_refuse(c, HAT_E_ENTERED_IN_ERROR, NULL, NULL);
	else if (rc == HAT_OK && store_col_int(s, 7))
		rc = cmd_refuse(c, HAT_E_SUPERSEDED, NULL, NULL);
	if (rc == HAT_OK) {
		memset(in, 0, sizeof *in);
		in->patient_id = store_col_int(s, 0);
		in->episode_id = store_col_int(s, 1);
		in->instrument_row = store_col_int(s, 2);
		in->form_date = (int32_t)store_col_int(s, 3);
		in->stage = NULL;
		in->keyworker_id = store_col_int(s, 5);
		*before = json_pack("{s:s, s:s?, s:I, s:o}", "form_date", "", "stage",
				    store_col_is_null(s, 4) ? NULL : store_col_text(s, 4),
				    "keyworker_id", (json_int_t)in->keyworker_id, "answers",
				    json_loads(store_col_text(s, 6), 0, NULL));
		{
			char d[11];

			clock_format_date(in->form_date, d);
			json_object_set_new(*before, "form_date", json_string(d));
		}
	}
	store_done(s);
	return rc;
}

static enum hat_err run_revise(struct store_conn *conn, struct cmd *c)
{
	struct form_in in;
	json_t *before = NULL;
	json_t *score = NULL;
	int64_t form_id;
	enum hat_err rc = load_head(conn, c, &in, &before);

	if (rc != HAT_OK)
		goto out;
	if (fields_has(c->input, "form_date"))
		in.form_date = fields_date(c->input, "form_date", in.form_date);
	in.stage = fields_str(c->input, "stage",
			      json_string_value(json_object_get(before, "stage")));
	in.keyworker_id = fields_int(c->input, "keyworker_id", in.keyworker_id);
	in.answers = json_object_get(c->input, "answers");
	in.supersedes_id = c->target_id;
	in.reason = fields_str(c->input, "reason", "");
	rc = save_form(conn, c, &in, &form_id, &score);
	if (rc != HAT_OK)
		goto out;
	json_object_set_new(score, "supersedes_id", json_integer(c->target_id));
	rc = answer_form(conn, c, form_id, score, before);
out:
	json_decref(before);
	return rc;
}

static enum hat_err run_error(struct store_conn *conn, struct cmd *c)
{
	struct form_in in;
	json_t *before = NULL;
	json_t *d;
	enum hat_err rc = load_head(conn, c, &in, &before);

	if (rc != HAT_OK)
		goto out;
	rc = store_run(conn, "INSERT INTO outcome_form_errors (form_id, reason, by_id, at)"
			     " VALUES (?, ?, ?, ?)",
		       "itii", c->target_id, fields_str(c->input, "reason", ""), c->actor_id, c->now);
	if (rc != HAT_OK)
		goto out;
	d = json_pack("{s:I, s:s, s:b, s:O}", "form_id", (json_int_t)c->target_id, "reason",
		      fields_str(c->input, "reason", ""), "entered_in_error", 1, "before", before);
	rc = cmd_audit(conn, c, "outcome_form", c->target_id, d);
	if (rc != HAT_OK) {
		json_decref(d);
		goto out;
	}
	json_object_del(d, "before");
	cmd_answer(c, 201, d);
out:
	json_decref(before);
	return rc;
}

const struct cmd_def outcomes_record = {
	"outcome.record", record_fields, POLICY_RULE(OUTCOME_RECORD), run_record, NULL,
};
const struct cmd_def outcomes_revise = {
	"outcome.revise", revise_fields, POLICY_RULE(OUTCOME_RECORD), run_revise, NULL,
};
const struct cmd_def outcomes_error = {
	"outcome.error", error_fields, POLICY_RULE(OUTCOME_RECORD), run_error, NULL,
};
const struct cmd_def outcomes_settings_set = {
	"outcome.settings", settings_fields, POLICY_RULE(INSTRUMENT_SET), run_settings, NULL,
};

/* ---- Reads ---- */

#define FORM_COLUMNS \
	"f.id, f.patient_id, f.episode_id, i.code AS instrument, i.version AS version," \
	" f.instrument_id, f.form_date, f.stage, f.keyworker_id," \
	" (SELECT display_name FROM users u WHERE u.id = f.keyworker_id) AS keyworker," \
	" f.answers, f.total, f.metric_x100, f.supersedes_id, f.change_reason," \
	" f.recorded_by, (SELECT display_name FROM users u WHERE u.id = f.recorded_by) AS recorded_by_name," \
	" f.recorded_at, e.reason AS error_reason, e.at AS error_at," \
	" (SELECT display_name FROM users u WHERE u.id = e.by_id) AS error_by"

/* Turns the stored answers text into JSON and the metric into a number. */
static void fix_rows(json_t *rows)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		json_t *a = json_loads(json_string_value(json_object_get(r, "answers")), 0, NULL);
		json_t *m = json_object_get(r, "metric_x100");

		json_object_set_new(r, "answers", a ? a : json_object());
		json_object_set_new(r, "metric", json_is_integer(m)
			? json_real((double)json_integer_value(m) / 100.0) : json_null());
		json_object_del(r, "metric_x100");
		json_object_set_new(r, "entered_in_error",
				    json_boolean(!json_is_null(json_object_get(r, "error_reason"))));
	}
}

enum hat_err outcomes_forms_list(struct store_conn *c, int64_t patient_id, bool all, json_t **out)
{
	static const char sql[] =
		"SELECT " FORM_COLUMNS ","
		" (WITH RECURSIVE chain(id) AS (SELECT f.id UNION ALL"
		"   SELECT g.supersedes_id FROM outcome_forms g JOIN chain ON g.id = chain.id"
		"   WHERE g.supersedes_id IS NOT NULL) SELECT count(*) FROM chain) AS revisions"
		" FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
		" LEFT JOIN outcome_form_errors e ON e.form_id = f.id"
		" WHERE f.patient_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
		" AND (? OR e.form_id IS NULL)"
		" ORDER BY f.form_date DESC, f.id DESC";
	enum hat_err rc = store_query_json(c, sql, out, "ii", patient_id, (int64_t)all);

	if (rc == HAT_OK)
		fix_rows(*out);
	return rc;
}

enum hat_err outcomes_form_history(struct store_conn *c, int64_t form_id, int64_t *patient_id,
				   json_t **out)
{
	/* Walk back to the first revision, then forward through every one. */
	static const char sql[] =
		"WITH RECURSIVE back(id) AS (SELECT CAST(? AS INTEGER) UNION ALL"
		"  SELECT g.supersedes_id FROM outcome_forms g JOIN back ON g.id = back.id"
		"  WHERE g.supersedes_id IS NOT NULL),"
		" fwd(id) AS (SELECT id FROM back UNION"
		"  SELECT g.id FROM outcome_forms g JOIN fwd ON g.supersedes_id = fwd.id)"
		" SELECT " FORM_COLUMNS " FROM outcome_forms f"
		" JOIN instruments i ON i.id = f.instrument_id"
		" LEFT JOIN outcome_form_errors e ON e.form_id = f.id"
		" WHERE f.id IN (SELECT id FROM fwd) ORDER BY f.id";
	json_t *rows = NULL;
	enum hat_err rc = store_query_json(c, sql, &rows, "i", form_id);

	if (rc == HAT_OK && json_array_size(rows) == 0)
		rc = HAT_E_NOT_FOUND;
	if (rc != HAT_OK) {
		json_decref(rows);
		return rc;
	}
	fix_rows(rows);
	*patient_id = json_integer_value(json_object_get(json_array_get(rows, 0), "patient_id"));
	*out = rows;
	return HAT_OK;
}

enum hat_err outcomes_worklist(struct store_conn *c, int32_t today, json_t **out)
{
	static const char sql[] =
		"SELECT p.id AS patient_id, p.given_name, p.family_name, e.id AS episode_id,"
		" coalesce(e.start_date, e.referral_date) AS episode_start_date,"
		" (SELECT max(f.form_date) FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
		"  WHERE f.episode_id = e.id AND i.code = 'top'"
		"  AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
		"  AND NOT EXISTS (SELECT 1 FROM outcome_form_errors x WHERE x.form_id = f.id))"
		"  AS last_top_date,"
		" (SELECT count(*) FROM goals g WHERE g.patient_id = p.id AND coalesce((SELECT kind FROM"
		"  goal_events v WHERE v.goal_id = g.id AND v.kind <> 'review' ORDER BY v.id DESC LIMIT 1),"
		"  'reopen') = 'reopen') AS open_goals,"
		" (SELECT max(s.collected_at) FROM drug_screens s WHERE s.patient_id = p.id"
		"  AND NOT EXISTS (SELECT 1 FROM drug_screen_errors x WHERE x.screen_id = s.id))"
		"  AS last_screen_at"
		" FROM patients p JOIN episodes e ON e.patient_id = p.id AND e.status <> 'discharged'"
		" ORDER BY p.family_name, p.given_name, p.id";
	struct outcomes_settings s;
	int64_t version;
	json_t *rows = NULL;
	size_t i;
	json_t *r;
	enum hat_err rc = outcomes_settings_load(c, &s, &version);

	if (rc == HAT_OK)
		rc = store_query_json(c, sql, &rows, "");
	if (rc != HAT_OK) {
		json_decref(rows);
		return rc;
	}
	json_array_foreach(rows, i, r) {
		const char *last = json_string_value(json_object_get(r, "last_top_date"));
		int32_t last_day, due_day = today;
		enum outcomes_due due = OUTCOMES_DUE;
		const char *status = "start_due";
		char d[11];

		if (last && clock_parse_date(last, &last_day) == HAT_OK) {
			due = outcomes_review_due(last_day, s.review_interval_days, s.review_grace_days,
						  today, &due_day);
			status = due == OUTCOMES_NOT_DUE ? "not_due"
				 : due == OUTCOMES_DUE	 ? "due"
							 : "overdue";
		}
		clock_format_date(due_day, d);
		json_object_set_new(r, "review_due_date", json_string(d));
		json_object_set_new(r, "review_status", json_string(status));
	}
	*out = rows;
	return HAT_OK;
}
