/*
** provider.c: see provider.h.
*/
#include "provider.h"
#include "board.h"
#include "flex.h"
#include "util/clock.h"

static const char sql_premises[] = "SELECT id, name FROM premises ORDER BY id";

static int64_t count_of(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Adds one premises' attendance to the provider's. */
static enum hat_err add_attendance(json_t *all, json_t *patients, int64_t premises_id,
				   const char *name, json_t *one)
{
	json_t *clinic = json_object_get(one, "clinic");
	size_t i;
	json_t *p;

	json_array_foreach(json_object_get(one, "patients"), i, p) {
		if (json_object_set_new(p, "premises_id", json_integer(premises_id)) != 0 ||
		    json_array_append(patients, p) != 0)
			return HAT_E_NOMEM;
	}
	if (json_array_append_new(all, json_pack("{s:I, s:s, s:O}", "premises_id",
						 (json_int_t)premises_id, "name", name, "clinic",
						 clinic)) != 0)
		return HAT_E_NOMEM;
	return HAT_OK;
}

enum hat_err provider_attendance(struct store_conn *c, int64_t patient_id, int32_t from,
				 int32_t to, int64_t now, json_t **out)
{
	json_t *premises = NULL;
	json_t *by = json_array();
	json_t *patients = json_array();
	int64_t due = 0, attended = 0, absent = 0;
	char a[11], b[11];
	size_t i;
	json_t *p;
	enum hat_err rc = by && patients ? store_query_json(c, sql_premises, &premises, "")
					 : HAT_E_NOMEM;

	json_array_foreach(premises, i, p) {
		int64_t id = count_of(p, "id");
		json_t *one = NULL;
		json_t *clinic;

		if (rc != HAT_OK)
			break;
		rc = board_attendance(c, id, patient_id, from, to, now, &one);
		if (rc == HAT_OK)
			rc = add_attendance(by, patients, id, json_string_value(json_object_get(p, "name")),
					    one);
		clinic = json_object_get(one, "clinic");
		due += count_of(clinic, "sessions_due");
		attended += count_of(clinic, "sessions_attended");
		absent += count_of(clinic, "sessions_planned_absent");
		json_decref(one);
	}
	json_decref(premises);
	if (rc != HAT_OK) {
		json_decref(by);
		json_decref(patients);
		return rc;
	}
	clock_format_date(from, a);
	clock_format_date(to, b);
	*out = json_pack("{s:s, s:s, s:s, s:o, s:{s:I, s:I, s:I, s:o}, s:o}", "premises_id", "all",
			 "from", a, "to", b, "patients", patients, "clinic", "sessions_due",
			 (json_int_t)due, "sessions_attended", (json_int_t)attended,
			 "sessions_planned_absent", (json_int_t)absent, "attendance_rate",
			 due ? json_real((double)attended / (double)due) : json_null(),
			 "by_premises", by);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

enum hat_err provider_flex_report(struct store_conn *c, int32_t from, int32_t to, int64_t now,
				  json_t **out)
{
	json_t *premises = NULL;
	json_t *by = json_array();
	char a[11], b[11];
	size_t i;
	json_t *p;
	enum hat_err rc = by ? store_query_json(c, sql_premises, &premises, "") : HAT_E_NOMEM;

	json_array_foreach(premises, i, p) {
		json_t *one = NULL;

		if (rc != HAT_OK)
			break;
		rc = flex_report(c, count_of(p, "id"), from, to, now, &one);
		if (rc == HAT_OK && json_array_append_new(by, one) != 0)
			rc = HAT_E_NOMEM;
	}
	json_decref(premises);
	if (rc != HAT_OK) {
		json_decref(by);
		return rc;
	}
	clock_format_date(from, a);
	clock_format_date(to, b);
	*out = json_pack("{s:s, s:s, s:s, s:o}", "premises_id", "all", "from", a, "to", b,
			 "by_premises", by);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
