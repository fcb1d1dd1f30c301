/*
** instruments.c: see instruments.h.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "instruments.h"
#include "util/buf.h"

static const char *const type_names[] = { "days", "scale", "yesno", "amount", "text", NULL };
static const char *const better_names[] = { "none", "lower", "higher", NULL };
static const char *const scoring_names[] = { "none", "sum", "sum_table", NULL };

static int pick(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++) {
		if (strcmp(names[i], s) == 0)
			return i;
	}
	return -1;
}

static bool get_int(json_t *o, const char *k, int64_t dflt, int64_t lo, int64_t hi, int64_t *out)
{
	json_t *v = json_object_get(o, k);

	if (!v) {
		*out = dflt;
		return true;
	}
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool get_bool(json_t *o, const char *k, bool dflt, bool *out)
{
	json_t *v = json_object_get(o, k);

	if (!v) {
		*out = dflt;
		return true;
	}
	if (!json_is_boolean(v))
		return false;
	*out = json_is_true(v);
	return true;
}

static enum hat_err parse_item(json_t *j, struct outcomes_item *it, const char **bad)
{
	const char *key = json_string_value(json_object_get(j, "key"));
	int type = pick(type_names, json_string_value(json_object_get(j, "type")));
	json_t *b = json_object_get(j, "better");
	int better = b ? pick(better_names, json_string_value(b)) : 0;
	const char *domain = json_string_value(json_object_get(j, "domain"));
	int64_t dmin = 0, dmax = 0, scale = 1, min, max;

	memset(it, 0, sizeof *it);
	*bad = key ? key : "items";
	if (!json_is_object(j) || !key || type < 0 || better < 0 ||
	    !str_copy(it->key, sizeof it->key, key) ||
	    !str_copy(it->domain, sizeof it->domain, domain ? domain : ""))
		return HAT_E_INSTRUMENT_INVALID;
	it->type = (enum outcomes_item_type)type;
	it->better = (enum outcomes_better)better;
	switch (it->type) {
	case OUTCOMES_DAYS:
		dmax = OUTCOMES_DAYS_MAX;
		break;
	case OUTCOMES_YESNO:
		dmax = 1;
		break;
	case OUTCOMES_AMOUNT:
		scale = 100; /* amounts are held in hundredths */
		dmax = 1000;
		break;
	case OUTCOMES_TEXT:
		dmax = 200;
		break;
	case OUTCOMES_SCALE:
		break;
	}
	if (!get_int(j, "min", dmin, -1000000, 1000000, &min) ||
	    !get_int(j, "max", dmax, -1000000, 1000000, &max) ||
	    !get_bool(j, "required", false, &it->required) ||
	    !get_bool(j, "weeks", false, &it->weeks) ||
	    !get_bool(j, "scored", false, &it->scored))
		return HAT_E_INSTRUMENT_INVALID;
	it->min = (int32_t)(min * scale);
	it->max = (int32_t)(max * scale);
	return HAT_OK;
}

enum hat_err instruments_parse(json_t *def, struct outcomes_instrument *out, const char **bad)
{
	const char *dummy;
	const char *code = json_string_value(json_object_get(def, "code"));
	json_t *items = json_object_get(def, "items");
	json_t *table = json_object_get(def, "table");
	json_t *values = json_object_get(table, "values");
	int scoring = pick(scoring_names, json_string_value(json_object_get(def, "scoring")));
	int64_t version, first;
	int32_t bad_item;
	size_t i;
	json_t *v;
	enum hat_err rc;

	if (!bad)
		bad = &dummy;
	memset(out, 0, sizeof *out);
	*bad = "definition";
	if (!json_is_object(def) || !code || !str_copy(out->code, sizeof out->code, code) ||
	    scoring < 0 || !json_is_array(items) || json_array_size(items) < 1 ||
	    json_array_size(items) > OUTCOMES_MAX_ITEMS ||
	    !get_int(def, "version", 0, 1, 1000000, &version) ||
	    !get_bool(def, "licence_required", false, &out->licence_required) ||
	    !json_is_string(json_object_get(def, "title")))
		return HAT_E_INSTRUMENT_INVALID;
	out->version = (int32_t)version;
	out->scoring = (enum outcomes_scoring)scoring;
	/* A licensed instrument must show its copyright line on every form. */
	if (out->licence_required && !json_is_string(json_object_get(def, "copyright")))
		return HAT_E_INSTRUMENT_INVALID;
	json_array_foreach(items, i, v) {
		rc = parse_item(v, &out->items[i], bad);
		if (rc != HAT_OK)
			return rc;
		out->item_count++;
	}
	if (table) {
		*bad = "table";
		if (!get_int(table, "first", 0, -1000000, 1000000, &first) || !json_is_array(values) ||
		    json_array_size(values) > OUTCOMES_TABLE_MAX)
			return HAT_E_INSTRUMENT_INVALID;
		out->table_first = (int32_t)first;
		json_array_foreach(values, i, v) {
			if (!json_is_number(v) || fabs(json_number_value(v)) > 1e6)
				return HAT_E_INSTRUMENT_INVALID;
			out->table_x100[i] = (int32_t)lround(json_number_value(v) * 100.0);
			out->table_count++;
		}
	}
	rc = outcomes_instrument_check(out, &bad_item);
	if (rc != HAT_OK)
		*bad = bad_item >= 0 ? json_string_value(json_object_get(json_array_get(items, (size_t)bad_item), "key"))
				     : "definition";
	return rc;
}

enum hat_err instruments_load(struct store_conn *c, int64_t id, const char *code,
			      int64_t version, struct outcomes_instrument *out,
			      int64_t *row_id, json_t **def)
{
	static const char by_id[] = "SELECT id, definition FROM instruments WHERE id = ?";
	static const char by_code[] =
		"SELECT id, definition FROM instruments WHERE code = ? AND (? = 0 OR version = ?)"
		" ORDER BY version DESC LIMIT 1";
	struct store_stmt *s = NULL;
	json_t *j = NULL;
	enum hat_err rc;
	bool row;

	rc = store_prepare(c, id > 0 ? by_id : by_code, &s);
	if (rc == HAT_OK)
		rc = id > 0 ? store_bindf(s, "i", id) : store_bindf(s, "tii", code, version, version);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc != HAT_OK)
		goto out;
	if (!row) {
		rc = HAT_E_UNKNOWN_INSTRUMENT;
		goto out;
	}
	*row_id = store_col_int(s, 0);
	j = json_loads(store_col_text(s, 1), 0, NULL);
	rc = j ? instruments_parse(j, out, NULL) : HAT_E_INSTRUMENT_INVALID;
	if (rc == HAT_OK && def) {
		*def = j;
		j = NULL;
	}
out:
	store_done(s);
	json_decref(j);
	return rc;
}

enum hat_err instruments_enabled(struct store_conn *c, const char *code, bool *on)
{
	bool found;
	int64_t v = 0;
	enum hat_err rc = store_query_int(c,
		"SELECT enabled FROM instrument_switches WHERE code = ? ORDER BY id DESC LIMIT 1",
		&found, &v, "t", code);

	*on = rc == HAT_OK && found && v == 1;
	return rc;
}

enum hat_err instruments_licensed(struct store_conn *c, const char *code, int32_t today,
				  bool *licensed)
{
	bool found;
	int64_t n = 0;
	enum hat_err rc = store_query_int(c,
		"SELECT count(*) FROM instrument_licences WHERE code = ? AND registered_on <= ?"
		" AND (expires_on IS NULL OR expires_on >= ?)",
		&found, &n, "tii", code, (int64_t)today, (int64_t)today);

	*licensed = rc == HAT_OK && n > 0;
	return rc;
}

static enum hat_err answer_audited(struct store_conn *conn, struct cmd *c, const char *entity,
				   int64_t id, json_t *detail)
{
	enum hat_err rc = cmd_audit(conn, c, entity, id, detail);

	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

static const struct field define_fields[] = {
	{ "definition", FT_OBJECT, true, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_define(struct store_conn *conn, struct cmd *c)
{
	json_t *def = json_object_get(c->input, "definition");
	struct outcomes_instrument ins;
	const char *bad = NULL;
	int64_t newest = 0;
	bool found;
	char *text;
	enum hat_err rc = instruments_parse(def, &ins, &bad);

	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "definition", bad ? bad : NULL);
	rc = store_query_int(conn, "SELECT max(version) FROM instruments WHERE code = ?", &found,
			     &newest, "t", ins.code);
	if (rc != HAT_OK)
		return rc;
	/* Versions count up one at a time so that an old form's version is
	** never taken by a different definition. */
	if (ins.version != newest + 1)
		return cmd_refuse(c, HAT_E_CONFLICT, "definition",
				  "The version must be the next one after the newest stored.");
	text = json_dumps(def, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return HAT_E_NOMEM;
	rc = store_run(conn, "INSERT INTO instruments (code, version, definition, created_at, created_by)"
			     " VALUES (?, ?, ?, ?, ?)",
		       "titii", ins.code, (int64_t)ins.version, text, c->now, c->actor_id);
	free(text);
	if (rc != HAT_OK)
		return rc;
	return answer_audited(conn, c, "instrument", store_last_id(conn),
			      json_pack("{s:I, s:s, s:i}", "id", (json_int_t)store_last_id(conn),
					"code", ins.code, "version", ins.version));
}

static const struct field licence_fields[] = {
	{ "code", FT_STRING, true, 1, 39, NULL, false },
	{ "holder", FT_STRING, true, 1, 200, NULL, false },
	{ "reference", FT_STRING, true, 1, 200, NULL, false },
	{ "registered_on", FT_DATE, true, 0, 0, NULL, false },
	{ "expires_on", FT_DATE, false, 0, 0, NULL, true },
	FIELDS_END,
};

static enum hat_err run_licence(struct store_conn *conn, struct cmd *c)
{
	struct outcomes_instrument ins;
	const char *code = fields_str(c->input, "code", "");
	int32_t reg = fields_date(c->input, "registered_on", 0);
	int32_t exp = fields_date(c->input, "expires_on", INT32_MIN);
	int64_t id;
	json_t *d;
	enum hat_err rc = instruments_load(conn, 0, code, 0, &ins, &id, NULL);

	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "code", NULL);
	if (exp != INT32_MIN && exp < reg)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "expires_on", NULL);
	rc = store_run(conn, "INSERT INTO instrument_licences (code, holder, reference, registered_on,"
			     " expires_on, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "tttiIii", code, fields_str(c->input, "holder", ""),
		       fields_str(c->input, "reference", ""), (int64_t)reg,
		       exp == INT32_MIN ? INT64_MIN : (int64_t)exp, c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "id", json_integer(store_last_id(conn)));
	return answer_audited(conn, c, "instrument_licence", store_last_id(conn), d);
}

static const struct field switch_fields[] = {
	{ "code", FT_STRING, true, 1, 39, NULL, false },
	{ "enabled", FT_BOOL, true, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_switch(struct store_conn *conn, struct cmd *c)
{
	struct outcomes_instrument ins;
	const char *code = fields_str(c->input, "code", "");
	bool on = fields_bool(c->input, "enabled", false);
	bool licensed;
	int64_t id;
	enum hat_err rc = instruments_load(conn, 0, code, 0, &ins, &id, NULL);

	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "code", NULL);
	if (on && ins.licence_required) {
		rc = instruments_licensed(conn, code, clock_local_date(c->now), &licensed);
		if (rc != HAT_OK)
			return rc;
		if (!licensed)
			return cmd_refuse(c, HAT_E_INSTRUMENT_LICENCE, "code", NULL);
	}
	rc = store_run(conn, "INSERT INTO instrument_switches (code, enabled, by_id, at) VALUES (?, ?, ?, ?)",
		       "tiii", code, (int64_t)on, c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	return answer_audited(conn, c, "instrument", id,
			      json_pack("{s:s, s:b}", "code", code, "enabled", on));
}

const struct cmd_def instruments_define = {
	"instrument.define", define_fields, POLICY_RULE(INSTRUMENT_SET), run_define, NULL,
};
const struct cmd_def instruments_licence = {
	"instrument.licence", licence_fields, POLICY_RULE(INSTRUMENT_SET), run_licence, NULL,
};
const struct cmd_def instruments_switch = {
	"instrument.switch", switch_fields, POLICY_RULE(INSTRUMENT_SET), run_switch, NULL,
};

enum hat_err instruments_list(struct store_conn *c, int32_t today, json_t **out)
{
	static const char sql[] =
		"SELECT i.id, i.code, i.version, i.definition FROM instruments i"
		" WHERE i.version = (SELECT max(version) FROM instruments j WHERE j.code = i.code)"
		" ORDER BY i.id";
	struct store_stmt *s;
	json_t *list = json_array();
	json_t *def;
	bool row, on = false, licensed = false;
	enum hat_err rc = store_prepare(c, sql, &s);
	char code[OUTCOMES_KEY_MAX];

	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		def = json_loads(store_col_text(s, 3), 0, NULL);
		str_copy(code, sizeof code, store_col_text(s, 1));
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:o}", "id",
			(json_int_t)store_col_int(s, 0), "code", code,
			"version", (json_int_t)store_col_int(s, 2), "definition", def ? def : json_null()));
	}
	store_done(s);
	for (size_t i = 0; rc == HAT_OK && i < json_array_size(list); i++) {
		json_t *e = json_array_get(list, i);
		const char *k = json_string_value(json_object_get(e, "code"));

		rc = instruments_enabled(c, k, &on);
		if (rc == HAT_OK)
			rc = instruments_licensed(c, k, today, &licensed);
		json_object_set_new(e, "enabled", json_boolean(on));
		json_object_set_new(e, "licensed", json_boolean(licensed));
		json_object_set_new(e, "licence_required", json_boolean(json_is_true(
			json_object_get(json_object_get(e, "definition"), "licence_required"))));
	}
	if (rc != HAT_OK) {
		json_decref(list);
		return rc;
	}
	*out = list;
	return HAT_OK;
}
