/*
** test_evaluation.c: the service evaluation's arithmetic: Kaplan-Meier
** retention with censored episodes, worked by hand; the small-number rule
** at 4 and 5; the median.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/evaluation.h"
#include "core/fhir.h"
#include "core/ndtms.h"
#include "util/clock.h"

static void near(double a, double b)
{
	assert_true(a - b < 1e-9 && b - a < 1e-9);
}

/* Ten episodes from day 1000: leaving after 30, 60, 60, 200 days; censored
** (still in treatment) at 45, 100, 400, 400, 400, 400 days.
**   day 30: 10 at risk, 1 leaves   -> 0.9
**   day 60:  8 at risk (45 censored), 2 leave -> 0.9 * 6/8 = 0.675
**   day 200: 5 at risk (100 censored), 1 leaves -> 0.675 * 4/5 = 0.54
** Dropping the censored instead would give 6/10 at 91 days, not 0.675. */
static void km_censored(void **state)
{
	static const int32_t dur[] = { 30, 60, 60, 200, 45, 100, 400, 400, 400, 400 };
	struct eval_span s[10];
	struct eval_retention r;

	(void)state;
	for (int i = 0; i < 10; i++) {
		s[i].start = 1000;
		s[i].end = 1000 + dur[i];
		s[i].left = i < 4;
	}
	assert_int_equal(eval_km(s, 10, 30, &r, NULL), HAT_OK);
	near(r.survival, 1.0); /* leaving on day 30 is retained at 30 */
	assert_int_equal(eval_km(s, 10, 31, &r, NULL), HAT_OK);
	near(r.survival, 0.9);
	assert_int_equal(eval_km(s, 10, 91, &r, NULL), HAT_OK);
	near(r.survival, 0.675);
	assert_int_equal(r.at_risk, 6);
	assert_int_equal(r.left, 3);
	assert_int_equal(r.censored, 1);
	assert_true(r.known);
	assert_int_equal(eval_km(s, 10, 200, &r, NULL), HAT_OK);
	near(r.survival, 0.675); /* leaving on day 200 is retained at 200 */
	assert_int_equal(eval_km(s, 10, 201, &r, NULL), HAT_OK);
	near(r.survival, 0.54);
	assert_int_equal(eval_km(s, 10, 365, &r, NULL), HAT_OK);
	near(r.survival, 0.54);
	assert_int_equal(r.at_risk, 4);
	assert_true(r.known);
	/* Past everyone's follow-up, the last seen censored: not known. */
	assert_int_equal(eval_km(s, 10, 401, &r, NULL), HAT_OK);
	assert_false(r.known);
	assert_int_equal(r.at_risk, 0);
}

static void km_edges(void **state)
{
	struct eval_span s[2] = { { 10, 20, true }, { 10, 9, false } };
	struct eval_retention r;
	size_t bad = 99;

	(void)state;
	assert_int_equal(eval_km(s, 1, 0, &r, NULL), HAT_E_OUT_OF_RANGE);
	assert_int_equal(eval_km(s, 1, 1, &r, NULL), HAT_OK);
	near(r.survival, 1.0);
	/* Everyone left: a known zero. */
	assert_int_equal(eval_km(s, 1, 11, &r, NULL), HAT_OK);
	near(r.survival, 0.0);
	assert_true(r.known);
	assert_int_equal(eval_km(s, 2, 11, &r, &bad), HAT_E_DATE_ORDER);
	assert_int_equal(bad, 1);
	/* Nobody: not known. */
	assert_int_equal(eval_km(s, 0, 91, &r, NULL), HAT_OK);
	assert_false(r.known);
	/* Leaving on the first day. */
	s[0].end = 10;
	assert_int_equal(eval_km(s, 1, 1, &r, NULL), HAT_OK);
	near(r.survival, 0.0);
}

static void suppression(void **state)
{
	(void)state;
	assert_false(eval_suppressed(0));
	assert_true(eval_suppressed(1));
	assert_true(eval_suppressed(4));
	assert_false(eval_suppressed(5));
	assert_true(eval_rate_suppressed(0));
	assert_true(eval_rate_suppressed(4));
	assert_false(eval_rate_suppressed(5));
}

static void median(void **state)
{
	int32_t odd[] = { 9, 1, 5 }, even[] = { 10, 2, 4, 8 };
	double m = -1;

	(void)state;
	assert_false(eval_median(odd, 0, &m));
	assert_true(eval_median(odd, 3, &m));
	near(m, 5);
	assert_true(eval_median(even, 4, &m));
	near(m, 6);
}

/* Code lists: a mapping wins; an open list passes a value through; a closed
** list without a code (or with an empty one, a withdrawn mapping) is NULL. */
static void code_lists(void **state)
{
	static const struct ndtms_code codes[] = {
		{ "DISRSN", "completed_drug_free", "80" },
		{ "SEX", "male", "M" },
		{ "SEX", "other", "" },
		{ "MODAL", "supervised_injectable_opioid", "HAT" },
	};

	(void)state;
	assert_string_equal(ndtms_code_for(codes, 4, "DISRSN", "completed_drug_free"), "80");
	assert_null(ndtms_code_for(codes, 4, "DISRSN", "moved_to_oral_oat"));
	assert_string_equal(ndtms_code_for(codes, 4, "SEX", "male"), "M");
	assert_null(ndtms_code_for(codes, 4, "SEX", "other"));
	assert_null(ndtms_code_for(codes, 4, "SEX", "Male")); /* exact words only */
	assert_string_equal(ndtms_code_for(codes, 4, "MODAL", "supervised_injectable_opioid"), "HAT");
	assert_string_equal(ndtms_code_for(codes, 4, "MODAL", "oral_methadone"), "oral_methadone");
	assert_string_equal(ndtms_code_for(codes, 4, "RFLS", "self"), "self");
	assert_string_equal(ndtms_code_for(codes, 4, "DISRSN", ""), "");
	assert_string_equal(ndtms_code_for(codes, 0, "MODEXIT", NULL), "");
	/* The same value in another list is not a mapping for this one. */
	assert_string_equal(ndtms_code_for(codes, 4, "RFLS", "male"), "male");
	assert_true(ndtms_list_closed("SEX"));
	assert_false(ndtms_list_closed("RFLS"));
}

/* Age bands at the birthday and the day before it; 29 February. */
static void age_bands(void **state)
{
	int32_t born = clock_days_from_civil(1990, 6, 15);

	(void)state;
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2008, 6, 14)), "under 18");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2008, 6, 15)), "18-24");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2015, 6, 14)), "18-24");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2015, 6, 15)), "25-34");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2055, 6, 14)), "55-64");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2055, 6, 15)), "65+");
	born = clock_days_from_civil(1980, 2, 29);
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2005, 2, 28)), "18-24");
	assert_string_equal(eval_age_band(born, clock_days_from_civil(2005, 3, 1)), "25-34");
}

static void top_cells(void **state)
{
	struct outcomes_item yn = { .type = OUTCOMES_YESNO }, days = { .type = OUTCOMES_DAYS };
	struct outcomes_item amount = { .type = OUTCOMES_AMOUNT };
	struct outcomes_answer yes = { OUTCOMES_VALUE, 1, false, { 0 } };
	struct outcomes_answer no = { OUTCOMES_VALUE, 0, false, { 0 } };
	struct outcomes_answer na = { OUTCOMES_NA, 0, false, { 0 } };
	struct outcomes_answer absent = { OUTCOMES_ABSENT, 0, false, { 0 } };
	struct outcomes_answer twelve = { OUTCOMES_VALUE, 12, false, { 0 } };
	struct outcomes_answer grams = { OUTCOMES_VALUE, 250, false, { 0 } };
	const struct outcomes_item *three[] = { &yn, &yn, &yn };
	const struct outcomes_item *one_days[] = { &days }, *one_amount[] = { &amount };
	const struct outcomes_answer *a[3];
	char out[NDTMS_CELL_SIZE];

	(void)state;
	a[0] = &no; a[1] = &no; a[2] = &yes;
	ndtms_top_cell(three, a, 3, out);
	assert_string_equal(out, "Y"); /* any yes */
	a[2] = &no;
	ndtms_top_cell(three, a, 3, out);
	assert_string_equal(out, "N");
	a[1] = &na;
	ndtms_top_cell(three, a, 3, out);
	assert_string_equal(out, "NA"); /* a no and an unanswered: not known to be no */
	a[0] = &absent; a[1] = &absent; a[2] = &absent;
	ndtms_top_cell(three, a, 3, out);
	assert_string_equal(out, "");
	a[0] = &twelve;
	ndtms_top_cell(one_days, a, 1, out);
	assert_string_equal(out, "12");
	a[0] = &na;
	ndtms_top_cell(one_days, a, 1, out);
	assert_string_equal(out, "NA");
	a[0] = &grams;
	ndtms_top_cell(one_amount, a, 1, out);
	assert_string_equal(out, "2.50");
	ndtms_top_cell(one_amount, a, 0, out);
	assert_string_equal(out, "");
}

static void fhir_codes(void **state)
{
	const char *code = NULL, *display = NULL;

	(void)state;
	assert_string_equal(fhir_episode_status("referred"), "planned");
	assert_string_equal(fhir_episode_status("active"), "active");
	assert_string_equal(fhir_episode_status("discharged"), "finished");
	assert_null(fhir_episode_status("closed"));
	assert_true(fhir_route("iv", &code, &display));
	assert_string_equal(code, "47625008");
	assert_true(fhir_route("oral", &code, &display));
	assert_string_equal(code, "26643006");
	assert_false(fhir_route("nasal", &code, &display));
	assert_string_equal(fhir_request_status(false, false), "active");
	assert_string_equal(fhir_request_status(true, false), "stopped");
	assert_string_equal(fhir_request_status(false, true), "stopped");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(km_censored),
		cmocka_unit_test(km_edges),
		cmocka_unit_test(suppression),
		cmocka_unit_test(median),
		cmocka_unit_test(code_lists),
		cmocka_unit_test(age_bands),
		cmocka_unit_test(top_cells),
		cmocka_unit_test(fhir_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
