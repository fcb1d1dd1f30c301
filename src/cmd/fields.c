/*
** fields.c: see fields.h.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "core/nhs.h"
#include "util/clock.h"

static const struct field *find(const struct field *t, const char *name)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

static bool in_choices(const char *const *choices, const char *s)
{
	for (; choices && *choices; choices++) {
		if (strcmp(*choices, s) == 0)
			return true;
	}
	return false;
}

/* Amounts are typed in mg and kept in micrograms: a value with more than
** three decimals would silently lose precision, so it is refused. */
static bool mg_to_ug(json_t *v, int64_t *ug)
{
	double d;
	double scaled;

	if (json_is_integer(v)) {
		if (json_integer_value(v) > INT64_MAX / 1000 || json_integer_value(v) < -INT64_MAX / 1000)
			return false;
		*ug = json_integer_value(v) * 1000;
		return true;
	}
	d = json_real_value(v);
	if (!(d > -1e12 && d < 1e12))
		return false;
	scaled = d * 1000.0;
	*ug = (int64_t)(scaled + (scaled < 0 ? -0.5 : 0.5));
	return fabs(scaled - (double)*ug) < 1e-6;
}

static enum hat_err check_mg(const struct field *f, json_t *v)
{
	int64_t ug;

	if (!json_is_number(v))
		return HAT_E_WRONG_TYPE;
	if (!mg_to_ug(v, &ug))
		return HAT_E_OUT_OF_RANGE;
	if (ug < f->min * 1000 || ug > f->max * 1000)
		return HAT_E_OUT_OF_RANGE;
	return HAT_OK;
}

static enum hat_err check_one(const struct field *f, json_t *obj, json_t *v)
{
	const char *s;
	size_t n;
	int32_t d;
	int64_t t;
	char nhs[11];
	size_t i;
	json_t *e;

	if (json_is_null(v))
		return f->nullable ? HAT_OK : HAT_E_WRONG_TYPE;
	switch (f->type) {
	case FT_STRING:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		n = json_string_length(v);
		if (n > (size_t)f->max)
			return HAT_E_TOO_LONG;
		if (n < (size_t)f->min)
			return HAT_E_MISSING_FIELD;
		if (strlen(json_string_value(v)) != n)
			return HAT_E_INVALID_VALUE; /* an embedded NUL */
		return HAT_OK;
	case FT_INT:
		if (!json_is_integer(v))
			return HAT_E_WRONG_TYPE;
		if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
			return HAT_E_OUT_OF_RANGE;
		return HAT_OK;
	case FT_BOOL:
		return json_is_boolean(v) ? HAT_OK : HAT_E_WRONG_TYPE;
	case FT_DATE:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		return clock_parse_date(json_string_value(v), &d);
	case FT_TIME:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		return clock_parse_rfc3339(json_string_value(v), &t);
	case FT_ENUM:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		return in_choices(f->choices, json_string_value(v)) ? HAT_OK : HAT_E_INVALID_VALUE;
	case FT_ENUMS:
		if (!json_is_array(v))
			return HAT_E_WRONG_TYPE;
		if (json_array_size(v) < (size_t)f->min)
			return HAT_E_MISSING_FIELD;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return HAT_E_WRONG_TYPE;
			if (!in_choices(f->choices, json_string_value(e)))
				return HAT_E_INVALID_VALUE;
			for (size_t j = 0; j < i; j++) {
				if (strcmp(json_string_value(json_array_get(v, j)),
					   json_string_value(e)) == 0)
					return HAT_E_INVALID_VALUE;
			}
		}
		return HAT_OK;
	case FT_NHS:
		if (!json_is_string(v))
			return HAT_E_WRONG_TYPE;
		s = json_string_value(v);
		if (nhs_number_normalise(s, nhs) != HAT_OK)
			return HAT_E_INVALID_NHS_NUMBER;
		/* Store one spelling of the number, whatever the grouping typed. */
		if (json_object_set_new(obj, f->name, json_string(nhs)) != 0)
			return HAT_E_NOMEM;
		return HAT_OK;
	case FT_OBJECT:
		return json_is_object(v) ? HAT_OK : HAT_E_WRONG_TYPE;
	case FT_ARRAY:
		return json_is_array(v) ? HAT_OK : HAT_E_WRONG_TYPE;
	case FT_MG:
		return check_mg(f, v);
	}
	return HAT_E_INTERNAL;
}

enum hat_err fields_check(const struct field *table, json_t *obj, const char **bad_field)
{
	const char *key;
	json_t *v;
	const struct field *f;
	enum hat_err rc;

	*bad_field = NULL;
	if (!json_is_object(obj))
		return HAT_E_NOT_AN_OBJECT;
	json_object_foreach(obj, key, v) {
		f = find(table, key);
		if (!f) {
			/* The name is the client's own key, borrowed from obj. */
			*bad_field = key;
			return HAT_E_UNKNOWN_FIELD;
		}
		rc = check_one(f, obj, v);
		if (rc != HAT_OK) {
			*bad_field = f->name;
			return rc;
		}
	}
	for (f = table; f->name; f++) {
		if (f->required && !json_object_get(obj, f->name)) {
			*bad_field = f->name;
			return HAT_E_MISSING_FIELD;
		}
	}
	return HAT_OK;
}

const char *fields_str(json_t *obj, const char *name, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, name));

	return s ? s : dflt;
}

int64_t fields_int(json_t *obj, const char *name, int64_t dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

bool fields_bool(json_t *obj, const char *name, bool dflt)
{
	json_t *v = json_object_get(obj, name);

	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

int32_t fields_date(json_t *obj, const char *name, int32_t dflt)
{
	int32_t d;
	const char *s = json_string_value(json_object_get(obj, name));

	if (!s || clock_parse_date(s, &d) != HAT_OK)
		return dflt;
	return d;
}

int64_t fields_ug(json_t *obj, const char *name, int64_t dflt)
{
	json_t *v = json_object_get(obj, name);
	int64_t ug;

	if (!json_is_number(v) || !mg_to_ug(v, &ug))
		return dflt;
	return ug;
}

bool fields_has(json_t *obj, const char *name)
{
	return json_object_get(obj, name) != NULL;
}

void fields_explain(const struct field *table, const char *name, enum hat_err code, char *buf,
		    size_t cap)
{
	const struct field *f = NULL;

	for (size_t i = 0; name && table && table[i].name; i++) {
		if (strcmp(table[i].name, name) == 0)
			f = &table[i];
	}
	if (!f)
		return;
	if (code == HAT_E_OUT_OF_RANGE && (f->type == FT_INT || f->type == FT_MG))
		snprintf(buf, cap, "%s must be %lld to %lld%s.", f->name, (long long)f->min,
			 (long long)f->max, f->type == FT_MG ? " mg, with at most 3 decimals" : "");
	else if (code == HAT_E_TOO_LONG)
		snprintf(buf, cap, "%s may be at most %lld characters.", f->name, (long long)f->max);
	else if (code == HAT_E_MISSING_FIELD)
		snprintf(buf, cap, "%s is required.", f->name);
	else if (code == HAT_E_INVALID_VALUE && f->choices) {
		size_t n = (size_t)snprintf(buf, cap, "%s must be one of:", f->name);

		for (size_t i = 0; f->choices[i] && n < cap; i++)
			n += (size_t)snprintf(buf + n, cap - n, "%s %s", i ? "," : "", f->choices[i]);
		if (n < cap)
			snprintf(buf + n, cap - n, ".");
	}
}
