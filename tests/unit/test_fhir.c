/*
** test_fhir.c: the mapping of hat's record to FHIR R4 codes (core/fhir.c),
** each table at its known values and one unknown.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/fhir.h"

static void test_episode_and_request(void **state)
{
	(void)state;
	assert_string_equal(fhir_episode_status("referred"), "planned");
	assert_string_equal(fhir_episode_status("active"), "active");
	assert_string_equal(fhir_episode_status("discharged"), "finished");
	assert_null(fhir_episode_status("paused"));
	assert_null(fhir_episode_status(NULL));
	assert_string_equal(fhir_request_status(false, false), "active");
	assert_string_equal(fhir_request_status(true, false), "stopped");
	assert_string_equal(fhir_request_status(false, true), "stopped");
}

static void test_routes(void **state)
{
	const char *code = NULL, *display = NULL;

	(void)state;
	assert_true(fhir_route("iv", &code, &display));
	assert_string_equal(code, "47625008");
	assert_true(fhir_route("oral", &code, &display));
	assert_string_equal(code, "26643006");
	assert_false(fhir_route("intranasal", &code, &display));
	assert_false(fhir_route(NULL, &code, &display));
}

static void test_medicines(void **state)
{
	const char *snomed = NULL, *display = NULL, *atc = NULL;

	(void)state;
	assert_true(fhir_medicine("diamorphine", &snomed, &display, &atc));
	assert_string_equal(snomed, "387341002");
	assert_string_equal(atc, "N07BC06");
	assert_true(fhir_medicine("hydromorphone", &snomed, &display, &atc));
	assert_string_equal(snomed, "44508008");
	assert_string_equal(atc, "N02AA03");
	assert_string_equal(display, "Hydromorphone");
	assert_false(fhir_medicine("methadone_oral", &snomed, &display, &atc));
	assert_false(fhir_medicine("Diamorphine", &snomed, &display, &atc));
	assert_false(fhir_medicine(NULL, &snomed, &display, &atc));
}

static void test_item_types(void **state)
{
	(void)state;
	assert_string_equal(fhir_item_type("days"), "integer");
	assert_string_equal(fhir_item_type("scale"), "integer");
	assert_string_equal(fhir_item_type("amount"), "decimal");
	assert_string_equal(fhir_item_type("text"), "string");
	assert_string_equal(fhir_item_type("yesno"), "boolean");
	assert_null(fhir_item_type("date"));
	assert_null(fhir_item_type(NULL));
}

static void test_screen_results(void **state)
{
	const char *interp = "x", *absent = "x";

	(void)state;
	assert_true(fhir_screen_result("positive", &interp, &absent));
	assert_string_equal(interp, "POS");
	assert_null(absent);
	assert_true(fhir_screen_result("negative", &interp, &absent));
	assert_string_equal(interp, "NEG");
	assert_true(fhir_screen_result("invalid", &interp, &absent));
	assert_null(interp);
	assert_string_equal(absent, "error");
	assert_true(fhir_screen_result("not_tested", &interp, &absent));
	assert_string_equal(absent, "not-performed");
	assert_false(fhir_screen_result("equivocal", &interp, &absent));
}

static void test_goal_status(void **state)
{
	const char *life = NULL, *ach = NULL;

	(void)state;
	assert_true(fhir_goal_status(NULL, &life, &ach));
	assert_string_equal(life, "active");
	assert_string_equal(ach, "in-progress");
	assert_true(fhir_goal_status("reopen", &life, &ach));
	assert_string_equal(life, "active");
	assert_true(fhir_goal_status("achieved", &life, &ach));
	assert_string_equal(life, "completed");
	assert_string_equal(ach, "achieved");
	assert_true(fhir_goal_status("let_go", &life, &ach));
	assert_string_equal(life, "cancelled");
	assert_string_equal(ach, "not-achieved");
	assert_false(fhir_goal_status("paused", &life, &ach));
}

static void test_local_systems(void **state)
{
	(void)state;
	assert_string_equal(FHIR_LOCAL("observation"), "urn:hat:fhir:observation");
	assert_string_equal(FHIR_LOINC_RESP_RATE, "9279-1");
	assert_string_equal(FHIR_LOINC_SPO2, "59408-5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_episode_and_request),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_medicines),
		cmocka_unit_test(test_item_types),
		cmocka_unit_test(test_screen_results),
		cmocka_unit_test(test_goal_status),
		cmocka_unit_test(test_local_systems),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
