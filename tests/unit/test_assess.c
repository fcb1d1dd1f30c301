/*
** test_assess.c: the pre-dose assessment rules, each at its edge and one
** past it, and the validation of the settings they use.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/assess.h"
#include "core/settings.h"

static struct clinic_settings defaults(void)
{
	struct clinic_settings s;

	settings_default(&s);
	return s;
}

static enum assess_decision best(const struct clinic_settings *s,
				 int32_t sedation, int32_t alcohol)
{
	enum assess_decision d = ASSESS_DECISION_NONE;

	assert_int_equal(assess_readings_allow(s, sedation, alcohol, &d), HAT_OK);
	return d;
}

static enum hat_err decide(const struct clinic_settings *s, int32_t sedation,
			   int32_t alcohol, enum assess_decision decision,
			   enum assess_reason reason, struct assess_outcome *out)
{
	struct assess_input in = {
		.sedation_level = sedation,
		.breath_alcohol_ug = alcohol,
		.concerns = false,
		.decision = decision,
		.reason = reason,
	};

	return assess_decide(s, &in, out);
}

/* ---- Readings ----------------------------------------------------------- */

static void test_alcohol_edges(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	assert_int_equal(best(&s, 0, 0), ASSESS_FIT);
	assert_int_equal(best(&s, 0, 9), ASSESS_FIT);
	assert_int_equal(best(&s, 0, 10), ASSESS_FIT_REDUCED);
	assert_int_equal(best(&s, 0, 22), ASSESS_FIT_REDUCED);
	assert_int_equal(best(&s, 0, 23), ASSESS_NOT_FIT);
}

static void test_sedation_edges(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	assert_int_equal(best(&s, 0, 0), ASSESS_FIT);
	assert_int_equal(best(&s, 1, 0), ASSESS_FIT_REDUCED);
	assert_int_equal(best(&s, 2, 0), ASSESS_NOT_FIT);
	assert_int_equal(best(&s, 3, 0), ASSESS_NOT_FIT);
	/* Mild sedation and mild alcohol together still allow a reduced dose;
	** either one past its reduced limit does not. */
	assert_int_equal(best(&s, 1, 22), ASSESS_FIT_REDUCED);
	assert_int_equal(best(&s, 1, 23), ASSESS_NOT_FIT);
}

static void test_readings_out_of_range(void **state)
{
	struct clinic_settings s = defaults();
	enum assess_decision d = ASSESS_DECISION_NONE;

	(void)state;
	assert_int_equal(assess_readings_allow(&s, 3, 0, &d), HAT_OK);
	assert_int_equal(assess_readings_allow(&s, 4, 0, &d), HAT_E_OUT_OF_RANGE);
	assert_int_equal(assess_readings_allow(&s, -1, 0, &d), HAT_E_OUT_OF_RANGE);
	assert_int_equal(assess_readings_allow(&s, 0, -1, &d), HAT_E_OUT_OF_RANGE);
}

static void test_custom_scale_moves_the_edge(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	s.sedation_fit_max = 1;
	s.sedation_reduced_max = 2;
	s.alcohol_fit_max_ug = 0;
	s.alcohol_reduced_max_ug = 0;
	assert_int_equal(settings_validate(&s), HAT_OK);
	assert_int_equal(best(&s, 1, 0), ASSESS_FIT);
	assert_int_equal(best(&s, 2, 0), ASSESS_FIT_REDUCED);
	assert_int_equal(best(&s, 3, 0), ASSESS_NOT_FIT);
	/* A limit of 0 means any alcohol reading withholds. */
	assert_int_equal(best(&s, 0, 1), ASSESS_NOT_FIT);
}

/* ---- Decisions ---------------------------------------------------------- */

static void test_fit_allowed_at_limits(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;

	(void)state;
	memset(&out, 0, sizeof out);
	assert_int_equal(decide(&s, 0, 9, ASSESS_FIT, ASSESS_REASON_NONE, &out),
			 HAT_OK);
	assert_int_equal(out.decision, ASSESS_FIT);
	assert_true(out.dose_allowed);
	assert_false(out.needs_prescriber_auth);
}

static void test_fit_refused_past_limits(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;

	(void)state;
	memset(&out, 0x5a, sizeof out);
	assert_int_equal(decide(&s, 0, 10, ASSESS_FIT, ASSESS_REASON_NONE, &out),
			 HAT_E_INVALID_VALUE);
	assert_int_equal(decide(&s, 1, 0, ASSESS_FIT, ASSESS_REASON_NONE, &out),
			 HAT_E_INVALID_VALUE);
	/* A plain "fit" carries no withhold reason. */
	assert_int_equal(decide(&s, 0, 0, ASSESS_FIT, ASSESS_REASON_UNWELL, &out),
			 HAT_E_INVALID_VALUE);
	/* Refusals leave the outcome untouched. */
	assert_int_equal(((unsigned char *)&out)[0], 0x5a);
}

static void test_reduced_edges(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;

	(void)state;
	assert_int_equal(decide(&s, 1, 22, ASSESS_FIT_REDUCED,
				ASSESS_REASON_SEDATED, &out), HAT_OK);
	assert_true(out.dose_allowed);
	assert_true(out.needs_prescriber_auth);
	assert_int_equal(out.reason, ASSESS_REASON_SEDATED);
	assert_int_equal(decide(&s, 1, 23, ASSESS_FIT_REDUCED,
				ASSESS_REASON_INTOXICATED_ALCOHOL, &out),
			 HAT_E_INVALID_VALUE);
	assert_int_equal(decide(&s, 2, 0, ASSESS_FIT_REDUCED,
				ASSESS_REASON_SEDATED, &out),
			 HAT_E_INVALID_VALUE);
	/* A nurse may be more careful than the readings require. */
	assert_int_equal(decide(&s, 0, 0, ASSESS_FIT_REDUCED,
				ASSESS_REASON_NONE, &out), HAT_OK);
	/* A patient who declined is not given a reduced dose. */
	assert_int_equal(decide(&s, 0, 0, ASSESS_FIT_REDUCED,
				ASSESS_REASON_DECLINED, &out),
			 HAT_E_INVALID_VALUE);
}

static void test_not_fit_needs_reason(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;

	(void)state;
	assert_int_equal(decide(&s, 3, 50, ASSESS_NOT_FIT, ASSESS_REASON_NONE,
				&out), HAT_E_MISSING_FIELD);
	assert_int_equal(decide(&s, 3, 50, ASSESS_NOT_FIT, ASSESS_REASON_SEDATED,
				&out), HAT_OK);
	assert_false(out.dose_allowed);
	assert_false(out.needs_prescriber_auth);
	/* Nurse judgement may withhold even at clear readings. */
	assert_int_equal(decide(&s, 0, 0, ASSESS_NOT_FIT, ASSESS_REASON_UNWELL,
				&out), HAT_OK);
	assert_int_equal(out.decision, ASSESS_NOT_FIT);
}

static void test_unknown_decision_or_reason(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;

	(void)state;
	assert_int_equal(decide(&s, 0, 0, ASSESS_DECISION_NONE,
				ASSESS_REASON_NONE, &out), HAT_E_INVALID_VALUE);
	assert_int_equal(decide(&s, 0, 0, (enum assess_decision)99,
				ASSESS_REASON_NONE, &out), HAT_E_INVALID_VALUE);
	assert_int_equal(decide(&s, 0, 0, ASSESS_NOT_FIT,
				(enum assess_reason)99, &out),
			 HAT_E_INVALID_VALUE);
	assert_int_equal(decide(&s, 5, 0, ASSESS_NOT_FIT, ASSESS_REASON_SEDATED,
				&out), HAT_E_OUT_OF_RANGE);
}

static void test_concerns_do_not_block_fit(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_outcome out;
	struct assess_input in = {
		.sedation_level = 0,
		.breath_alcohol_ug = 0,
		.concerns = true,
		.decision = ASSESS_FIT,
	};

	(void)state;
	assert_int_equal(assess_decide(&s, &in, &out), HAT_OK);
	assert_true(out.dose_allowed);
}

/* ---- Validity ----------------------------------------------------------- */

static void test_validity_edge(void **state)
{
	struct clinic_settings s = defaults();
	int64_t at = 1700000000;

	(void)state;
	assert_true(assess_is_valid_for_dose(at, at, &s));
	assert_true(assess_is_valid_for_dose(at, at + 1800, &s));
	assert_false(assess_is_valid_for_dose(at, at + 1801, &s));
	/* Dated after now: a clock disagreement, never relied on. */
	assert_false(assess_is_valid_for_dose(at + 1, at, &s));

	s.assessment_valid_s = 600;
	assert_true(assess_is_valid_for_dose(at, at + 600, &s));
	assert_false(assess_is_valid_for_dose(at, at + 601, &s));
}

/* ---- Names -------------------------------------------------------------- */

static void test_reason_names_round_trip(void **state)
{
	static const char *const names[] = {
		"sedated", "intoxicated_alcohol", "intoxicated_other",
		"unwell", "declined", "other",
	};
	enum assess_reason r;

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		assert_int_equal(assess_reason_parse(names[i], &r), HAT_OK);
		assert_string_equal(assess_reason_name(r), names[i]);
	}
	r = ASSESS_REASON_OTHER;
	assert_int_equal(assess_reason_parse("none", &r), HAT_E_INVALID_VALUE);
	assert_int_equal(assess_reason_parse("Sedated", &r), HAT_E_INVALID_VALUE);
	assert_int_equal(assess_reason_parse("", &r), HAT_E_INVALID_VALUE);
	assert_int_equal(assess_reason_parse(NULL, &r), HAT_E_INVALID_VALUE);
	assert_int_equal(r, ASSESS_REASON_OTHER);
	assert_null(assess_reason_name(ASSESS_REASON_NONE));
	assert_null(assess_reason_name((enum assess_reason)42));
}

static void test_decision_names_round_trip(void **state)
{
	enum assess_decision d;

	(void)state;
	assert_int_equal(assess_decision_parse("fit", &d), HAT_OK);
	assert_int_equal(d, ASSESS_FIT);
	assert_int_equal(assess_decision_parse("not_fit", &d), HAT_OK);
	assert_int_equal(d, ASSESS_NOT_FIT);
	assert_int_equal(assess_decision_parse("fit_reduced", &d), HAT_OK);
	assert_int_equal(d, ASSESS_FIT_REDUCED);
	assert_string_equal(assess_decision_name(ASSESS_FIT_REDUCED), "fit_reduced");
	assert_int_equal(assess_decision_parse("maybe", &d), HAT_E_INVALID_VALUE);
	assert_null(assess_decision_name(ASSESS_DECISION_NONE));
}

/* ---- Settings: the scale and the alcohol limits ------------------------- */

static void test_settings_scale_validation(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	assert_int_equal(settings_validate(&s), HAT_OK);
	assert_string_equal(s.sedation_levels[1], "drowsy but easily roused");

	s = defaults();
	s.sedation_level_count = 2;
	/* The post-dose alarm level must be on the shorter scale too. */
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.postdose_sedation_alarm = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.sedation_level_count = 1;
	s.sedation_reduced_max = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	for (int i = 4; i < SETTINGS_MAX_SEDATION_LEVELS; i++)
		memcpy(s.sedation_levels[i], "more", 5);
	s.sedation_level_count = SETTINGS_MAX_SEDATION_LEVELS;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.sedation_level_count = SETTINGS_MAX_SEDATION_LEVELS + 1;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.sedation_reduced_max = 3;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.sedation_reduced_max = 4;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.sedation_fit_max = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.sedation_fit_max = 2;
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);

	s = defaults();
	s.sedation_levels[2][0] = '\0';
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);
}

static void test_settings_alcohol_validation(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	s.alcohol_fit_max_ug = 22;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.alcohol_fit_max_ug = 23;
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);
	s = defaults();
	s.alcohol_fit_max_ug = 0;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.alcohol_fit_max_ug = -1;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s = defaults();
	s.assessment_valid_s = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.assessment_valid_s = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

/* settings_check names the setting it refuses, at each edge: the limit
** passes with no field, one past it is refused naming the field. */
static void expect_field(const struct clinic_settings *s, enum hat_err want, const char *name)
{
	struct settings_problem p = { NULL, "" };

	assert_int_equal(settings_check(s, &p), want);
	if (name) {
		assert_non_null(p.field);
		assert_string_equal(p.field, name);
		assert_true(p.message[0] != '\0');
	}
}

static void test_settings_check_names_the_field(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	expect_field(&s, HAT_OK, NULL);

	/* The API takes 0 minutes for these; core does not. */
	s = defaults();
	s.topup_min_gap_s = 60;
	expect_field(&s, HAT_OK, NULL);
	s.topup_min_gap_s = 0;
	expect_field(&s, HAT_E_OUT_OF_RANGE, "topup_min_gap_min");
	s = defaults();
	s.min_between_session_starts_s = 60;
	expect_field(&s, HAT_OK, NULL);
	s.min_between_session_starts_s = 0;
	expect_field(&s, HAT_E_OUT_OF_RANGE, "min_between_session_starts_min");

	/* Windows: touching is allowed, one minute of overlap is not. */
	s = defaults();
	s.windows[1].start_minute = s.windows[0].end_minute;
	expect_field(&s, HAT_OK, NULL);
	s.windows[1].start_minute = s.windows[0].end_minute - 1;
	expect_field(&s, HAT_E_DATE_ORDER, "windows");

	/* Missed days: equal thresholds hold, one out of order does not. */
	s = defaults();
	s.missed_flag_days = s.missed_block_days;
	expect_field(&s, HAT_OK, NULL);
	s.missed_flag_days = s.missed_block_days + 1;
	expect_field(&s, HAT_E_INVALID_VALUE, "missed_flag_days");
	s = defaults();
	s.missed_block_days = s.missed_restart_days + 1;
	expect_field(&s, HAT_E_INVALID_VALUE, "missed_block_days");

	/* Sedation: a threshold on the last level holds, one past it not. */
	s = defaults();
	s.sedation_reduced_max = s.sedation_level_count - 1;
	expect_field(&s, HAT_OK, NULL);
	s.sedation_reduced_max = s.sedation_level_count;
	expect_field(&s, HAT_E_OUT_OF_RANGE, "sedation_reduced_max");
	s = defaults();
	s.sedation_fit_max = s.sedation_reduced_max + 1;
	expect_field(&s, HAT_E_INVALID_VALUE, "sedation_fit_max");
	s = defaults();
	s.sedation_level_count = 1;
	s.sedation_fit_max = s.sedation_reduced_max = 0;
	expect_field(&s, HAT_E_OUT_OF_RANGE, "sedation_scale");

	/* Alcohol: fit equal to reduced holds, above it not. */
	s = defaults();
	s.alcohol_fit_max_ug = s.alcohol_reduced_max_ug;
	expect_field(&s, HAT_OK, NULL);
	s.alcohol_fit_max_ug = s.alcohol_reduced_max_ug + 1;
	expect_field(&s, HAT_E_INVALID_VALUE, "alcohol_fit_max_ug");

	/* A NULL field pointer is allowed: settings_validate is the same. */
	assert_int_equal(settings_check(&s, NULL), HAT_E_INVALID_VALUE);
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alcohol_edges),
		cmocka_unit_test(test_sedation_edges),
		cmocka_unit_test(test_readings_out_of_range),
		cmocka_unit_test(test_custom_scale_moves_the_edge),
		cmocka_unit_test(test_fit_allowed_at_limits),
		cmocka_unit_test(test_fit_refused_past_limits),
		cmocka_unit_test(test_reduced_edges),
		cmocka_unit_test(test_not_fit_needs_reason),
		cmocka_unit_test(test_unknown_decision_or_reason),
		cmocka_unit_test(test_concerns_do_not_block_fit),
		cmocka_unit_test(test_validity_edge),
		cmocka_unit_test(test_reason_names_round_trip),
		cmocka_unit_test(test_decision_names_round_trip),
		cmocka_unit_test(test_settings_scale_validation),
		cmocka_unit_test(test_settings_alcohol_validation),
		cmocka_unit_test(test_settings_check_names_the_field),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
