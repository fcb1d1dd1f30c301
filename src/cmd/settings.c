/*
** settings.c (cmd): see settings.h.
**
** Times of day travel as "HH:MM" and intervals as minutes, amounts as mg,
** because that is how a clinic manager thinks of them; the struct keeps the
** units the rules use (minutes of day, seconds, micrograms).
*/
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"

/* Number settings: JSON name, offset, the JSON unit's size in the struct's
** unit (60 for minutes stored as seconds, 1000 for mg stored as ug). */
struct num_setting {
	const char *name;
	size_t offset;
	int width; /* 32 or 64 bits */
	int64_t scale;
	int64_t min, max; /* in JSON units */
};

#define N64(json, field, scale, lo, hi) \
	{ json, offsetof(struct clinic_settings, field), 64, scale, lo, hi }
#define N32(json, field, scale, lo, hi) \
	{ json, offsetof(struct clinic_settings, field), 32, scale, lo, hi }

static const struct num_setting nums[] = {
	N64("min_between_session_starts_min", min_between_session_starts_s, 60, 0, 24 * 60),
	N64("ceiling_diamorphine_mg", ceiling_diamorphine_ug, 1000, 1, 5000),
	N64("ceiling_hydromorphone_mg", ceiling_hydromorphone_ug, 1000, 1, 5000),
	N64("ceiling_methadone_oral_mg", ceiling_methadone_oral_ug, 1000, 1, 1000),
	N64("ceiling_srom_mg", ceiling_srom_ug, 1000, 1, 5000),
	N64("observation_min", observation_s, 60, 1, 240),
	N64("topup_min_gap_min", topup_min_gap_s, 60, 0, 240),
	N64("assessment_valid_min", assessment_valid_s, 60, 1, 240),
	N32("missed_flag_days", missed_flag_days, 1, 1, 60),
	N32("missed_block_days", missed_block_days, 1, 1, 60),
	N32("missed_restart_days", missed_restart_days, 1, 1, 60),
	N32("oral_missed_review_days", oral_missed_review_days, 1, 1, 60),
	N32("stock_check_interval_days", stock_check_interval_days, 1, 1, 31),
	N32("sedation_fit_max", sedation_fit_max, 1, 0, SETTINGS_MAX_SEDATION_LEVELS - 1),
	N32("sedation_reduced_max", sedation_reduced_max, 1, 0, SETTINGS_MAX_SEDATION_LEVELS - 1),
	N32("alcohol_fit_max_ug", alcohol_fit_max_ug, 1, 0, 1000),
	N32("postdose_sedation_alarm", postdose_sedation_alarm, 1, 1, SETTINGS_MAX_SEDATION_LEVELS - 1),
	N32("postdose_resp_rate_min", postdose_resp_rate_min, 1, 1, 40),
	N32("postdose_spo2_min", postdose_spo2_min, 1, 50, 100),
	N32("alcohol_reduced_max_ug", alcohol_reduced_max_ug, 1, 0, 1000),
};
#define NNUMS (sizeof nums / sizeof nums[0])

static int64_t num_get(const struct clinic_settings *s, const struct num_setting *n)
{
	const char *p = (const char *)s + n->offset;
	int32_t v32;
	int64_t v64;

	if (n->width == 32) {
		memcpy(&v32, p, sizeof v32);
		return v32;
	}
	memcpy(&v64, p, sizeof v64);
	return v64;
}

static void num_set(struct clinic_settings *s, const struct num_setting *n, int64_t v)
{
	char *p = (char *)s + n->offset;
	int32_t v32 = (int32_t)v;

	if (n->width == 32)
		memcpy(p, &v32, sizeof v32);
	else
		memcpy(p, &v, sizeof v);
}

void clinic_settings_hhmm(int32_t minute, char out[6])
{
	unsigned m = minute < 0 ? 0u : (unsigned)minute;

	out[0] = (char)('0' + m / 600 % 10);
	out[1] = (char)('0' + m / 60 % 10);
	out[2] = ':';
	out[3] = (char)('0' + m % 60 / 10);
	out[4] = (char)('0' + m % 10);
	out[5] = '\0';
}

static bool parse_hhmm(const char *s, int32_t *out)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return false;
	*out = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
	return *out <= SETTINGS_MINUTES_PER_DAY;
}

json_t *clinic_settings_json(const struct clinic_settings *s, int64_t version)
{
	json_t *j = json_object();
	json_t *windows = json_array();
	json_t *levels = json_array();
	char a[6], b[6];
	bool ok = j && windows && levels;

	for (size_t i = 0; ok && i < NNUMS; i++)
		ok = json_object_set_new(j, nums[i].name,
					 json_integer(num_get(s, &nums[i]) / nums[i].scale)) == 0;
	for (int i = 0; ok && i < s->window_count; i++) {
		clinic_settings_hhmm(s->windows[i].start_minute, a);
		clinic_settings_hhmm(s->windows[i].end_minute, b);
		ok = json_array_append_new(windows, json_pack("{s:s, s:s, s:s}", "name",
							      s->windows[i].name, "start", a, "end",
							      b)) == 0;
	}
	for (int i = 0; ok && i < s->sedation_level_count; i++)
		ok = json_array_append_new(levels, json_string(s->sedation_levels[i])) == 0;
	/* Settings missing a key would read back as different settings:
	** all of them or nothing (NULL). */
	if (ok) {
		ok = json_object_set_new(j, "windows", windows) == 0;
		windows = NULL;
	}
	if (ok) {
		ok = json_object_set_new(j, "sedation_scale", levels) == 0;
		levels = NULL;
	}
	ok = ok && json_object_set_new(j, "im_site_repeat_warn",
				       json_boolean(s->im_site_repeat_warn)) == 0;
	ok = ok && json_object_set_new(j, "premises_id", json_integer(s->premises_id)) == 0;
	ok = ok && json_object_set_new(j, "version", json_integer(version)) == 0;
	json_decref(windows);
	json_decref(levels);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static enum hat_err windows_from_json(json_t *v, struct clinic_settings *s)
{
	size_t i;
	json_t *w;

	if (!json_is_array(v))
		return HAT_E_WRONG_TYPE;
	if (json_array_size(v) < 1 || json_array_size(v) > SETTINGS_MAX_WINDOWS)
		return HAT_E_OUT_OF_RANGE;
	json_array_foreach(v, i, w) {
		const char *name = json_string_value(json_object_get(w, "name"));

		if (!json_is_object(w) || !name || json_object_size(w) != 3)
			return HAT_E_WRONG_TYPE;
		if (!parse_hhmm(json_string_value(json_object_get(w, "start")),
				&s->windows[i].start_minute) ||
		    !parse_hhmm(json_string_value(json_object_get(w, "end")),
				&s->windows[i].end_minute))
			return HAT_E_INVALID_DATE;
		if (!str_copy(s->windows[i].name, sizeof s->windows[i].name, name) || !*name)
			return HAT_E_TOO_LONG;
	}
	s->window_count = (int32_t)json_array_size(v);
	return HAT_OK;
}

static enum hat_err scale_from_json(json_t *v, struct clinic_settings *s)
{
	size_t i;
	json_t *l;

	if (!json_is_array(v))
		return HAT_E_WRONG_TYPE;
	if (json_array_size(v) < 2 || json_array_size(v) > SETTINGS_MAX_SEDATION_LEVELS)
		return HAT_E_OUT_OF_RANGE;
	json_array_foreach(v, i, l) {
		if (!json_is_string(l))
			return HAT_E_WRONG_TYPE;
		if (!str_copy(s->sedation_levels[i], SETTINGS_LABEL_MAX, json_string_value(l)) ||
		    !*json_string_value(l))
			return HAT_E_TOO_LONG;
	}
	s->sedation_level_count = (int32_t)json_array_size(v);
	return HAT_OK;
}

enum hat_err clinic_settings_from_json(json_t *j, const struct clinic_settings *base,
				       struct clinic_settings *out, const char **field)
{
	struct clinic_settings s = *base;
	const char *key;
	json_t *v;
	enum hat_err rc;

	if (!json_is_object(j))
		return HAT_E_NOT_AN_OBJECT;
	json_object_foreach(j, key, v) {
		const struct num_setting *n = NULL;

		*field = key;
		for (size_t i = 0; i < NNUMS; i++) {
			if (strcmp(nums[i].name, key) == 0)
				n = &nums[i];
		}
		if (n) {
			if (!json_is_integer(v))
				return HAT_E_WRONG_TYPE;
			if (json_integer_value(v) < n->min || json_integer_value(v) > n->max)
				return HAT_E_OUT_OF_RANGE;
			num_set(&s, n, json_integer_value(v) * n->scale);
		} else if (strcmp(key, "windows") == 0) {
			rc = windows_from_json(v, &s);
			if (rc != HAT_OK)
				return rc;
		} else if (strcmp(key, "sedation_scale") == 0) {
			rc = scale_from_json(v, &s);
			if (rc != HAT_OK)
				return rc;
		} else if (strcmp(key, "im_site_repeat_warn") == 0) {
			if (!json_is_boolean(v))
				return HAT_E_WRONG_TYPE;
			s.im_site_repeat_warn = json_is_true(v);
		} else if (strcmp(key, "version") == 0 || strcmp(key, "premises_id") == 0) {
			/* Echoed back from a GET: read-only, ignored. */
		} else {
			return HAT_E_UNKNOWN_FIELD;
		}
	}
	*field = NULL;
	*out = s;
	return HAT_OK;
}

static const char sql_load[] =
	"SELECT version, settings FROM clinic_settings WHERE premises_id = ?"
	" ORDER BY version DESC LIMIT 1";

enum hat_err clinic_settings_load(struct store_conn *c, int64_t premises_id,
				  struct clinic_settings *out, int64_t *version)
{
	struct clinic_settings defaults;
	struct store_stmt *s;
	json_t *j = NULL;
	json_error_t jerr;
	const char *field;
	bool row = false;
	enum hat_err rc;

	settings_default(&defaults);
	defaults.premises_id = premises_id;
	*version = 0;
	rc = store_prepare(c, sql_load, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, premises_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*version = store_col_int(s, 0);
		j = json_loads(store_col_text(s, 1), 0, &jerr);
		if (!j)
			rc = HAT_E_STORE;
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	*out = defaults;
	if (j) {
		rc = clinic_settings_from_json(j, &defaults, out, &field);
		json_decref(j);
		out->premises_id = premises_id;
	}
	return rc == HAT_OK ? HAT_OK : HAT_E_STORE;
}

/* "observation_min must be 1 to 240." for a number setting out of range. */
static void range_message(const char *field, char *buf, size_t cap)
{
	for (size_t i = 0; field && i < NNUMS; i++) {
		if (strcmp(nums[i].name, field) == 0) {
			snprintf(buf, cap, "%s must be %lld to %lld.", field, (long long)nums[i].min,
				 (long long)nums[i].max);
			return;
		}
	}
}

static enum hat_err run_set(struct store_conn *conn, struct cmd *c)
{
	struct settings_problem problem = { NULL, "" };
	struct clinic_settings current, next;
	int64_t version;
	json_t *stored = NULL;
	json_t *before = NULL;
	json_t *detail = NULL;
	char *text = NULL;
	bool found;
	int64_t one;
	enum hat_err rc;

	rc = store_query_int(conn, "SELECT 1 FROM premises WHERE id = ?", &found, &one, "i",
			     c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = cmd_at_premises(conn, c, c->target_id);
	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, c->target_id, &current, &version);
	if (rc != HAT_OK)
		return rc;
	rc = clinic_settings_from_json(c->input, &current, &next, &c->err_field);
	if (rc == HAT_E_OUT_OF_RANGE)
		range_message(c->err_field, c->err_message, sizeof c->err_message);
	if (rc != HAT_OK)
		return rc;
	/* core names the setting it refuses, and why with its numbers, so the
	** screen can show the refusal beside it. */
	rc = settings_check(&next, &problem);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, problem.field, problem.message);
	stored = clinic_settings_json(&next, version + 1);
	before = clinic_settings_json(&current, version);
	json_object_del(stored, "version");
	json_object_del(stored, "premises_id");
	text = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || !before) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO clinic_settings (premises_id, version, settings, created_at,"
		       " created_by) VALUES (?, ?, ?, ?, ?)",
		       "iitiI", c->target_id, version + 1, text, c->now,
		       c->actor_id ? c->actor_id : INT64_MIN);
	if (rc != HAT_OK)
		goto out;
	if (json_object_set_new(stored, "version", json_integer(version + 1)) != 0 ||
	    json_object_set_new(stored, "premises_id", json_integer(c->target_id)) != 0) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	detail = json_pack("{s:O, s:O}", "before", before, "after", stored);
	rc = cmd_audit(conn, c, "clinic_settings", c->target_id, detail);
	if (rc == HAT_OK) {
		cmd_answer(c, 200, stored);
		stored = NULL;
	}
out:
	free(text);
	json_decref(stored);
	json_decref(before);
	json_decref(detail);
	return rc;
}

/* No field table: the settings object is checked by clinic_settings_from_json. */
const struct cmd_def clinic_settings_set = {
	"settings.set", NULL, POLICY_RULE(SETTINGS_SET), run_set, NULL,
};
