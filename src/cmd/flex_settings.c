/*
** flex_settings.c: the clinic's flexibility settings, versioned like the
** clinical settings (see flex.h).  Windows are named as the clinic names
** them; a stored rule for a window the clinic has since renamed or removed
** is ignored, so a window never inherits another's rule by position.
*/
#include <stdlib.h>
#include <string.h>

#include "flex.h"
#include "settings.h"

struct flag_setting {
	const char *name;
	size_t offset;
};

struct int_setting {
	const char *name;
	size_t offset;
	int64_t min, max;
};

#define FLAG(f) { #f, offsetof(struct flex_settings, f) }
#define INT(f, lo, hi) { #f, offsetof(struct flex_settings, f), lo, hi }

static const struct flag_setting flags[] = {
	FLAG(planned_absence_enabled), FLAG(oral_cover_enabled), FLAG(oral_take_home_enabled),
	FLAG(session_choice_enabled),
};
static const struct int_setting ints[] = {
	INT(absence_max_days, 1, 60), INT(take_home_max_days, 1, 14),
	INT(cover_bridge_days, 0, 7),
};
#define NFLAGS (sizeof flags / sizeof flags[0])
#define NINTS (sizeof ints / sizeof ints[0])

int32_t flex_window_index(const struct clinic_settings *s, const char *name)
{
	for (int32_t i = 0; name && i < s->window_count; i++) {
		if (strcmp(s->windows[i].name, name) == 0)
			return i;
	}
	return -1;
}

enum hat_err flex_windows_from_names(const struct clinic_settings *s, json_t *names,
				     unsigned *bits)
{
	size_t i;
	json_t *v;

	*bits = 0;
	if (!json_is_array(names))
		return HAT_E_WRONG_TYPE;
	json_array_foreach(names, i, v) {
		int32_t w;

		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		w = flex_window_index(s, json_string_value(v));
		if (w < 0)
			return HAT_E_INVALID_VALUE;
		*bits |= 1u << w;
	}
	return HAT_OK;
}

json_t *flex_windows_names(const struct clinic_settings *s, unsigned bits)
{
	json_t *a;

	if (bits == 0)
		return json_string("all");
	a = json_array();
	for (int32_t i = 0; a && i < s->window_count; i++) {
		if ((bits & (1u << i)) && json_array_append_new(a, json_string(s->windows[i].name))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *weekdays_json(unsigned days)
{
	json_t *a = json_array();

	for (int d = 0; a && d < 7; d++) {
		if ((days & (1u << d)) &&
		    json_array_append_new(a, json_string(flex_weekday_name(d))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *flex_settings_json(const struct flex_settings *f, const struct clinic_settings *s,
			   int64_t version)
{
	json_t *j = json_object();
	json_t *windows = json_array();
	bool ok = j && windows;
	bool b;
	int32_t v;

	for (size_t i = 0; ok && i < NFLAGS; i++) {
		memcpy(&b, (const char *)f + flags[i].offset, sizeof b);
		ok = json_object_set_new(j, flags[i].name, json_boolean(b)) == 0;
	}
	for (size_t i = 0; ok && i < NINTS; i++) {
		memcpy(&v, (const char *)f + ints[i].offset, sizeof v);
		ok = json_object_set_new(j, ints[i].name, json_integer(v)) == 0;
	}
	for (int32_t i = 0; ok && i < s->window_count; i++) {
		char a[6], e[6];

		clinic_settings_hhmm(s->windows[i].start_minute, a);
		clinic_settings_hhmm(s->windows[i].end_minute, e);
		ok = json_array_append_new(windows,
					   json_pack("{s:s, s:s, s:s, s:o*, s:b}", "name",
						     s->windows[i].name, "start", a, "end", e,
						     "weekdays", weekdays_json(f->windows[i].weekdays),
						     "choice_only", f->windows[i].choice_only)) == 0;
	}
	if (ok) {
		ok = json_object_set_new(j, "windows", windows) == 0;
		windows = NULL;
	}
	ok = ok && json_object_set_new(j, "version", json_integer(version)) == 0;
	json_decref(windows);
	if (!ok) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* One window's rule from {name, weekdays, choice_only} (start and end are
** echoed from a GET and ignored: the clinical settings own the times). */
static enum hat_err window_from_json(json_t *w, const struct clinic_settings *s,
				     struct flex_settings *f, bool strict)
{
	const char *key;
	json_t *v;
	int32_t i;

	if (!json_is_object(w) || !json_is_string(json_object_get(w, "name")))
		return HAT_E_WRONG_TYPE;
	i = flex_window_index(s, json_string_value(json_object_get(w, "name")));
	if (i < 0)
		return strict ? HAT_E_INVALID_VALUE : HAT_OK;
	json_object_foreach(w, key, v) {
		if (strcmp(key, "weekdays") == 0) {
			size_t k;
			json_t *d;
			unsigned days = 0, bit;

			if (!json_is_array(v))
				return HAT_E_WRONG_TYPE;
			json_array_foreach(v, k, d) {
				if (flex_weekday_parse(json_string_value(d), &bit) != HAT_OK)
					return HAT_E_INVALID_VALUE;
				days |= bit;
			}
			f->windows[i].weekdays = days;
		} else if (strcmp(key, "choice_only") == 0) {
			if (!json_is_boolean(v))
				return HAT_E_WRONG_TYPE;
			f->windows[i].choice_only = json_is_true(v);
		} else if (strcmp(key, "name") != 0 && strcmp(key, "start") != 0 &&
			   strcmp(key, "end") != 0) {
			return HAT_E_UNKNOWN_FIELD;
		}
	}
	return HAT_OK;
}

/* Reads j over *f.  strict: refuse names the clinic lacks (a request), or
** skip them (the stored settings, read against today's windows). */
static enum hat_err from_json(json_t *j, const struct clinic_settings *s,
			      struct flex_settings *f, bool strict, const char **field)
{
	const char *key;
	json_t *v;
	enum hat_err rc;

	if (!json_is_object(j))
		return HAT_E_NOT_AN_OBJECT;
	json_object_foreach(j, key, v) {
		bool known = false;

		*field = key;
		for (size_t i = 0; i < NFLAGS; i++) {
			if (strcmp(flags[i].name, key) == 0) {
				bool b = json_is_true(v);

				if (!json_is_boolean(v))
					return HAT_E_WRONG_TYPE;
				memcpy((char *)f + flags[i].offset, &b, sizeof b);
				known = true;
			}
		}
		for (size_t i = 0; i < NINTS; i++) {
			if (strcmp(ints[i].name, key) == 0) {
				int32_t n;

				if (!json_is_integer(v))
					return HAT_E_WRONG_TYPE;
				if (json_integer_value(v) < ints[i].min ||
				    json_integer_value(v) > ints[i].max)
					return HAT_E_OUT_OF_RANGE;
				n = (int32_t)json_integer_value(v);
				memcpy((char *)f + ints[i].offset, &n, sizeof n);
				known = true;
			}
		}
		if (strcmp(key, "windows") == 0) {
			size_t i;
			json_t *w;

			if (!json_is_array(v))
				return HAT_E_WRONG_TYPE;
			json_array_foreach(v, i, w) {
				rc = window_from_json(w, s, f, strict);
				if (rc != HAT_OK)
					return rc;
			}
			known = true;
		}
		if (strcmp(key, "version") == 0)
			known = true; /* echoed from a GET */
		if (!known)
			return HAT_E_UNKNOWN_FIELD;
	}
	*field = NULL;
	return HAT_OK;
}

static const char sql_load[] =
	"SELECT version, settings FROM flex_settings WHERE premises_id = ?"
	" ORDER BY version DESC LIMIT 1";

enum hat_err flex_settings_load(struct store_conn *c, int64_t premises_id,
				const struct clinic_settings *s, struct flex_settings *out,
				int64_t *version)
{
	struct store_stmt *st = NULL;
	json_t *j = NULL;
	json_error_t jerr;
	const char *field;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql_load, &st);

	flex_settings_default(out);
	*version = 0;
	if (rc == HAT_OK)
		rc = store_bind_int(st, 1, premises_id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK && row) {
		*version = store_col_int(st, 0);
		j = json_loads(store_col_text(st, 1), 0, &jerr);
		if (!j)
			rc = HAT_E_STORE;
	}
	store_done(st);
	if (rc == HAT_OK && j)
		rc = from_json(j, s, out, false, &field) == HAT_OK ? HAT_OK : HAT_E_STORE;
	json_decref(j);
	return rc;
}

enum hat_err flex_settings_read(struct store_conn *c, int64_t premises_id, json_t **out)
{
	struct clinic_settings s;
	struct flex_settings f;
	int64_t cv, fv;
	bool found;
	int64_t one;
	enum hat_err rc = store_query_int(c, "SELECT 1 FROM premises WHERE id = ?", &found, &one,
					  "i", premises_id);

	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = clinic_settings_load(c, premises_id, &s, &cv);
	if (rc == HAT_OK)
		rc = flex_settings_load(c, premises_id, &s, &f, &fv);
	if (rc == HAT_OK) {
		*out = flex_settings_json(&f, &s, fv);
		if (!*out)
			rc = HAT_E_NOMEM;
	}
	return rc;
}

static enum hat_err run_set(struct store_conn *conn, struct cmd *c)
{
	struct clinic_settings s;
	struct flex_settings current, next;
	int64_t cv, version;
	json_t *before = NULL, *after = NULL, *detail;
	char *text = NULL;
	enum hat_err rc = flex_settings_read(conn, c->target_id, &before);

	if (rc == HAT_OK)
		rc = cmd_at_premises(conn, c, c->target_id);
	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, c->target_id, &s, &cv);
	if (rc == HAT_OK)
		rc = flex_settings_load(conn, c->target_id, &s, &current, &version);
	if (rc != HAT_OK)
		goto out;
	next = current;
	rc = from_json(c->input, &s, &next, true, &c->err_field);
	if (rc != HAT_OK)
		goto out;
	rc = flex_settings_validate(&next, &s);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, rc == HAT_E_OUT_OF_RANGE ? NULL : "windows",
				rc == HAT_E_OUT_OF_RANGE
					? NULL
					: "Each window opens on at least one day, and at least one"
					  " window is open to everyone (not by choice only).");
		goto out;
	}
	after = flex_settings_json(&next, &s, version + 1);
	json_object_del(after, "version");
	text = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!text) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO flex_settings (premises_id, version, settings, created_at,"
		       " created_by) VALUES (?, ?, ?, ?, ?)",
		       "iitiI", c->target_id, version + 1, text, c->now,
		       c->actor_id ? c->actor_id : INT64_MIN);
	if (rc != HAT_OK)
		goto out;
	json_object_set_new(after, "version", json_integer(version + 1));
	detail = json_pack("{s:O, s:O}", "before", before, "after", after);
	rc = cmd_audit(conn, c, "flex_settings", c->target_id, detail);
	json_decref(detail);
	if (rc == HAT_OK) {
		cmd_answer(c, 200, after);
		after = NULL;
	}
out:
	free(text);
	json_decref(before);
	json_decref(after);
	return rc;
}

/* No field table: the object is checked by from_json. */
const struct cmd_def flex_settings_set = {
	"flex_settings.set", NULL, POLICY_RULE(FLEX_SETTINGS_SET), run_set, NULL,
};
