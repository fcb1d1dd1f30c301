/*
** test_fields.c: declarative checks of a command's JSON input, each field
** type accepted at its edge and refused one past it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd/fields.h"
#include "util/err.h"

static const char *const sessions[] = { "am", "pm", NULL };
static const char *const drugs[] = { "heroin", "crack", "alcohol", NULL };

/* One table with a field of every type; only "name" is required. */
static const struct field table[] = {
	{ "name", FT_STRING, true, 2, 5, NULL, false },
	{ "note", FT_STRING, false, 0, 10, NULL, true },
	{ "count", FT_INT, false, -3, 10, NULL, false },
	{ "big", FT_INT, false, INT64_MIN, INT64_MAX, NULL, false },
	{ "flag", FT_BOOL, false, 0, 0, NULL, false },
	{ "on", FT_DATE, false, 0, 0, NULL, true },
	{ "at", FT_TIME, false, 0, 0, NULL, false },
	{ "session", FT_ENUM, false, 0, 0, sessions, false },
	{ "used", FT_ENUMS, false, 1, 0, drugs, false },
	{ "nhs", FT_NHS, false, 0, 0, NULL, false },
	{ "extra", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END
};

/* Checks text against the table.  *bad is a copy of the field named (an
** unknown key is borrowed from the object, which is freed here), or NULL. */
static enum hat_err check_text(const char *text, const char **bad)
{
	static char named[64];
	json_error_t err;
	json_t *obj = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	enum hat_err rc;

	if (!obj)
		fail_msg("bad test JSON %s: %s", text, err.text);
	rc = fields_check(table, obj, bad);
	if (*bad) {
		snprintf(named, sizeof named, "%s", *bad);
		*bad = named;
	}
	json_decref(obj);
	return rc;
}

static void ok(const char *text)
{
	const char *bad = "untouched";

	if (check_text(text, &bad) != HAT_OK)
		fail_msg("refused %s (field %s)", text, bad ? bad : "(none)");
	assert_null(bad);
}

static void refused(const char *text, enum hat_err want, const char *field)
{
	const char *bad = NULL;
	enum hat_err rc = check_text(text, &bad);

	if (rc != want)
		fail_msg("%s: got %s, want %s", text, hat_err_code(rc), hat_err_code(want));
	if (!bad || strcmp(bad, field) != 0)
		fail_msg("%s: field %s, want %s", text, bad ? bad : "(none)", field);
}

static void string_lengths(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\"}");
	ok("{\"name\": \"abcde\"}");
	refused("{\"name\": \"abcdef\"}", HAT_E_TOO_LONG, "name");
	refused("{\"name\": \"a\"}", HAT_E_MISSING_FIELD, "name");
	refused("{\"name\": \"\"}", HAT_E_MISSING_FIELD, "name");
	/* Length is in bytes: three two-byte letters are six. */
	ok("{\"name\": \"\u00e9\u00e9\"}");
	refused("{\"name\": \"\u00e9\u00e9\u00e9\"}", HAT_E_TOO_LONG, "name");
	refused("{\"name\": 12}", HAT_E_WRONG_TYPE, "name");
	refused("{\"name\": [\"ab\"]}", HAT_E_WRONG_TYPE, "name");
	refused("{\"name\": \"a\\u0000b\"}", HAT_E_INVALID_VALUE, "name");
	ok("{\"name\": \"ab\", \"note\": \"0123456789\"}");
	refused("{\"name\": \"ab\", \"note\": \"0123456789X\"}", HAT_E_TOO_LONG, "note");
	ok("{\"name\": \"ab\", \"note\": \"\"}");
}

static void int_range(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"count\": -3}");
	ok("{\"name\": \"ab\", \"count\": 10}");
	ok("{\"name\": \"ab\", \"count\": 0}");
	refused("{\"name\": \"ab\", \"count\": -4}", HAT_E_OUT_OF_RANGE, "count");
	refused("{\"name\": \"ab\", \"count\": 11}", HAT_E_OUT_OF_RANGE, "count");
	refused("{\"name\": \"ab\", \"count\": 5.0}", HAT_E_WRONG_TYPE, "count");
	refused("{\"name\": \"ab\", \"count\": \"5\"}", HAT_E_WRONG_TYPE, "count");
	refused("{\"name\": \"ab\", \"count\": true}", HAT_E_WRONG_TYPE, "count");
	ok("{\"name\": \"ab\", \"big\": 9223372036854775807}");
	ok("{\"name\": \"ab\", \"big\": -9223372036854775808}");
}

static void bools(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"flag\": true}");
	ok("{\"name\": \"ab\", \"flag\": false}");
	refused("{\"name\": \"ab\", \"flag\": 1}", HAT_E_WRONG_TYPE, "flag");
	refused("{\"name\": \"ab\", \"flag\": \"true\"}", HAT_E_WRONG_TYPE, "flag");
	refused("{\"name\": \"ab\", \"flag\": null}", HAT_E_WRONG_TYPE, "flag");
}

static void dates_and_times(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"on\": \"2024-02-29\"}");
	ok("{\"name\": \"ab\", \"on\": \"2026-12-31\"}");
	refused("{\"name\": \"ab\", \"on\": \"2026-02-29\"}", HAT_E_INVALID_DATE, "on");
	refused("{\"name\": \"ab\", \"on\": \"2026-12-32\"}", HAT_E_INVALID_DATE, "on");
	refused("{\"name\": \"ab\", \"on\": \"2026-12-31T00:00:00Z\"}", HAT_E_INVALID_DATE, "on");
	refused("{\"name\": \"ab\", \"on\": 20261231}", HAT_E_WRONG_TYPE, "on");
	ok("{\"name\": \"ab\", \"at\": \"2026-03-29T23:59:59Z\"}");
	ok("{\"name\": \"ab\", \"at\": \"2026-03-29T23:59:59.5+01:00\"}");
	refused("{\"name\": \"ab\", \"at\": \"2026-03-29T24:00:00Z\"}", HAT_E_INVALID_DATE, "at");
	refused("{\"name\": \"ab\", \"at\": \"2026-03-29T12:00:00\"}", HAT_E_INVALID_DATE, "at");
	refused("{\"name\": \"ab\", \"at\": \"2026-03-29\"}", HAT_E_INVALID_DATE, "at");
	refused("{\"name\": \"ab\", \"at\": 1774746000}", HAT_E_WRONG_TYPE, "at");
}

static void enums(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"session\": \"am\"}");
	ok("{\"name\": \"ab\", \"session\": \"pm\"}");
	refused("{\"name\": \"ab\", \"session\": \"PM\"}", HAT_E_INVALID_VALUE, "session");
	refused("{\"name\": \"ab\", \"session\": \"\"}", HAT_E_INVALID_VALUE, "session");
	refused("{\"name\": \"ab\", \"session\": \"evening\"}", HAT_E_INVALID_VALUE, "session");
	refused("{\"name\": \"ab\", \"session\": [\"am\"]}", HAT_E_WRONG_TYPE, "session");
}

static void enum_sets(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"used\": [\"crack\"]}");
	ok("{\"name\": \"ab\", \"used\": [\"heroin\", \"crack\", \"alcohol\"]}");
	/* At least min (1) choices. */
	refused("{\"name\": \"ab\", \"used\": []}", HAT_E_MISSING_FIELD, "used");
	refused("{\"name\": \"ab\", \"used\": [\"crack\", \"crack\"]}", HAT_E_INVALID_VALUE, "used");
	refused("{\"name\": \"ab\", \"used\": [\"heroin\", \"crack\", \"heroin\"]}",
		HAT_E_INVALID_VALUE, "used");
	refused("{\"name\": \"ab\", \"used\": [\"crack\", \"tobacco\"]}", HAT_E_INVALID_VALUE, "used");
	refused("{\"name\": \"ab\", \"used\": [\"crack\", 3]}", HAT_E_WRONG_TYPE, "used");
	refused("{\"name\": \"ab\", \"used\": \"crack\"}", HAT_E_WRONG_TYPE, "used");
}

static void nhs_numbers(void **state)
{
	json_t *obj;
	const char *bad = NULL;

	(void)state;
	/* Normalised in place to its ten digits. */
	obj = json_pack("{s:s, s:s}", "name", "ab", "nhs", "943 476 5919");
	assert_non_null(obj);
	assert_int_equal(fields_check(table, obj, &bad), HAT_OK);
	assert_string_equal(fields_str(obj, "nhs", ""), "9434765919");
	json_decref(obj);

	obj = json_pack("{s:s, s:s}", "name", "ab", "nhs", "401-023-2137");
	assert_int_equal(fields_check(table, obj, &bad), HAT_OK);
	assert_string_equal(fields_str(obj, "nhs", ""), "4010232137");
	json_decref(obj);

	/* The fields after it are still checked. */
	obj = json_pack("{s:s, s:s, s:i}", "nhs", "943 476 5919", "name", "ab", "count", 11);
	assert_int_equal(fields_check(table, obj, &bad), HAT_E_OUT_OF_RANGE);
	assert_string_equal(bad, "count");
	json_decref(obj);

	/* A wrong check digit is refused and the value left as typed. */
	obj = json_pack("{s:s, s:s}", "name", "ab", "nhs", "943 476 5918");
	assert_int_equal(fields_check(table, obj, &bad), HAT_E_INVALID_NHS_NUMBER);
	assert_string_equal(bad, "nhs");
	assert_string_equal(fields_str(obj, "nhs", ""), "943 476 5918");
	json_decref(obj);

	refused("{\"name\": \"ab\", \"nhs\": \"94347659\"}", HAT_E_INVALID_NHS_NUMBER, "nhs");
	refused("{\"name\": \"ab\", \"nhs\": \"94347659190\"}", HAT_E_INVALID_NHS_NUMBER, "nhs");
	refused("{\"name\": \"ab\", \"nhs\": 9434765919}", HAT_E_WRONG_TYPE, "nhs");
}

static void nullable(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"note\": null}");
	ok("{\"name\": \"ab\", \"on\": null}");
	refused("{\"name\": null}", HAT_E_WRONG_TYPE, "name");
	refused("{\"name\": \"ab\", \"count\": null}", HAT_E_WRONG_TYPE, "count");
	refused("{\"name\": \"ab\", \"nhs\": null}", HAT_E_WRONG_TYPE, "nhs");
}

static void objects(void **state)
{
	(void)state;
	ok("{\"name\": \"ab\", \"extra\": {}}");
	ok("{\"name\": \"ab\", \"extra\": {\"anything\": [1, 2]}}");
	refused("{\"name\": \"ab\", \"extra\": []}", HAT_E_WRONG_TYPE, "extra");
}

static void unknown_field_names_the_clients_key(void **state)
{
	json_t *obj = json_pack("{s:s, s:i}", "name", "ab", "colour", 3);
	const char *bad = NULL;

	(void)state;
	assert_non_null(obj);
	assert_int_equal(fields_check(table, obj, &bad), HAT_E_UNKNOWN_FIELD);
	assert_non_null(bad);
	assert_string_equal(bad, "colour");
	json_decref(obj);

	/* Keys are compared exactly. */
	refused("{\"Name\": \"ab\"}", HAT_E_UNKNOWN_FIELD, "Name");
	refused("{\"name\": \"ab\", \"count \": 1}", HAT_E_UNKNOWN_FIELD, "count ");
}

static void missing_required_field_is_named(void **state)
{
	json_t *obj = json_pack("{s:i}", "count", 3);
	const char *bad = NULL;

	(void)state;
	assert_int_equal(fields_check(table, obj, &bad), HAT_E_MISSING_FIELD);
	/* The name is the table's own string. */
	assert_ptr_equal(bad, table[0].name);
	json_decref(obj);
	refused("{}", HAT_E_MISSING_FIELD, "name");
}

static void not_an_object(void **state)
{
	const char *bad = "untouched";
	json_t *arr = json_array();

	(void)state;
	assert_int_equal(fields_check(table, arr, &bad), HAT_E_NOT_AN_OBJECT);
	assert_null(bad);
	json_decref(arr);
	bad = "untouched";
	assert_int_equal(fields_check(table, NULL, &bad), HAT_E_NOT_AN_OBJECT);
	assert_null(bad);
}

static void readers(void **state)
{
	json_t *obj = json_pack("{s:s, s:i, s:b, s:s, s:n}", "name", "abc", "count", -2,
				"flag", 1, "on", "2026-03-29", "note");

	(void)state;
	assert_non_null(obj);
	assert_string_equal(fields_str(obj, "name", "d"), "abc");
	assert_string_equal(fields_str(obj, "missing", "d"), "d");
	assert_string_equal(fields_str(obj, "count", "d"), "d");
	assert_int_equal(fields_int(obj, "count", 99), -2);
	assert_int_equal(fields_int(obj, "missing", 99), 99);
	assert_true(fields_bool(obj, "flag", false));
	assert_false(fields_bool(obj, "missing", false));
	assert_int_equal(fields_date(obj, "on", -1), 20541);
	assert_int_equal(fields_date(obj, "missing", -1), -1);
	assert_int_equal(fields_date(obj, "note", -7), -7); /* null */
	assert_true(fields_has(obj, "note"));             /* null is present */
	assert_false(fields_has(obj, "missing"));
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(string_lengths),
		cmocka_unit_test(int_range),
		cmocka_unit_test(bools),
		cmocka_unit_test(dates_and_times),
		cmocka_unit_test(enums),
		cmocka_unit_test(enum_sets),
		cmocka_unit_test(nhs_numbers),
		cmocka_unit_test(nullable),
		cmocka_unit_test(objects),
		cmocka_unit_test(unknown_field_names_the_clients_key),
		cmocka_unit_test(missing_required_field_is_named),
		cmocka_unit_test(not_an_object),
		cmocka_unit_test(readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
