/*
** test_takehome.c: the take-home rules (the Swiss rule set) and guest
** dosing, each at its edge and one past it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/guest.h"
#include "core/takehome.h"
#include "util/clock.h"

static int32_t D(int y, int m, int d)
{
	return clock_days_from_civil(y, m, d);
}

static const struct takehome_setting on = { true, TAKEHOME_RULES_SWISS_2020, 90, 90 };

static struct takehome_screen clear2[2];

/* A person who meets every criterion on 2029-03-01 (treatment since
** 2028-09-01: exactly six months). */
static struct takehome_facts eligible(void)
{
	struct takehome_facts f;

	memset(&f, 0, sizeof f);
	f.has_prescription = true;
	f.treatment_since = D(2028, 9, 1);
	f.stability = (struct takehome_assessment){ true, D(2029, 2, 20), true };
	f.misuse_risk = (struct takehome_assessment){ true, D(2029, 2, 20), true };
	clear2[0] = (struct takehome_screen){ D(2029, 2, 25), true };
	clear2[1] = (struct takehome_screen){ D(2029, 2, 11), true };
	f.screens = clear2;
	f.n_screens = 2;
	f.contact_days = 2;
	f.privilege_granted = true;
	f.privilege_review_by = D(2029, 5, 1);
	return f;
}

static enum hat_err first(const struct takehome_setting *s, const struct takehome_facts *f,
			  int32_t today, int32_t days)
{
	struct takehome_verdict v;

	assert_int_equal(takehome_check(s, f, today, days, true, &v), HAT_OK);
	return v.first;
}

static void test_rules_and_calendar(void **state)
{
	struct takehome_rules r;
	enum takehome_rule_set set;

	(void)state;
	assert_int_equal(takehome_rules_of(TAKEHOME_RULES_SWISS_2020, &r), HAT_OK);
	assert_int_equal(r.min_months, 6);
	assert_int_equal(r.max_days, 2);
	assert_int_equal(r.max_days_comorbidity, 7);
	assert_int_equal(r.contacts_per_week, 2);
	assert_int_equal(r.screens_needed, 2);
	assert_int_equal(takehome_rules_of((enum takehome_rule_set)9, &r), HAT_E_INVALID_VALUE);
	assert_int_equal(takehome_rule_set_parse("swiss_2020", &set), HAT_OK);
	assert_int_equal(takehome_rule_set_parse("uk", &set), HAT_E_INVALID_VALUE);
	assert_string_equal(takehome_rule_set_name(TAKEHOME_RULES_SWISS_2020), "swiss_2020");
	assert_int_equal(takehome_add_months(D(2028, 9, 1), 6), D(2029, 3, 1));
	/* A month with fewer days: the month's last day. */
	assert_int_equal(takehome_add_months(D(2028, 8, 31), 6), D(2029, 2, 28));
	assert_int_equal(takehome_add_months(D(2027, 8, 31), 6), D(2028, 2, 29));
	assert_int_equal(takehome_add_months(D(2028, 12, 15), 6), D(2029, 6, 15));
	assert_int_equal(takehome_add_months(D(2028, 7, 1), 0), D(2028, 7, 1));
}

static void test_all_met(void **state)
{
	struct takehome_facts f = eligible();
	struct takehome_verdict v;

	(void)state;
	assert_int_equal(takehome_check(&on, &f, D(2029, 3, 1), 2, true, &v), HAT_OK);
	assert_int_equal(v.first, HAT_OK);
	assert_int_equal(v.max_days, 2);
	assert_int_equal(v.eligible_from, D(2029, 3, 1));
	for (int k = 0; k < TAKEHOME_C_COUNT; k++)
		assert_true(v.c[k].met);
	assert_int_equal(takehome_check(&on, &f, D(2029, 3, 1), -1, true, &v), HAT_E_OUT_OF_RANGE);
	assert_int_equal(takehome_check(&on, NULL, D(2029, 3, 1), 1, true, &v), HAT_E_INTERNAL);
}

static void test_off_by_default(void **state)
{
	struct takehome_facts f = eligible();
	struct takehome_setting off = on;

	(void)state;
	off.enabled = false;
	assert_int_equal(first(&off, &f, D(2029, 3, 1), 1), HAT_E_TAKEHOME_DISABLED);
	off.enabled = true;
	off.rule_set = (enum takehome_rule_set)0;
	assert_int_equal(first(&off, &f, D(2029, 3, 1), 1), HAT_E_TAKEHOME_DISABLED);
}

static void test_six_months(void **state)
{
	struct takehome_facts f = eligible();

	(void)state;
	/* The day before six months, refused; on the day, allowed. */
	assert_int_equal(first(&on, &f, D(2029, 2, 28), 1), HAT_E_TAKEHOME_TREATMENT_SHORT);
	assert_int_equal(first(&on, &f, D(2029, 3, 1), 1), HAT_OK);
}

static void test_screens(void **state)
{
	struct takehome_facts f = eligible();
	struct takehome_screen s[3] = {
		{ D(2029, 2, 25), true }, { D(2029, 2, 11), false }, { D(2029, 1, 28), true },
	};

	(void)state;
	f.screens = s;
	f.n_screens = 3;
	/* One positive among the last two: refused. */
	assert_int_equal(first(&on, &f, D(2029, 3, 1), 1), HAT_E_TAKEHOME_SCREENS);
	/* The positive is third newest: the last two are clear. */
	s[1].clear = true;
	s[2].clear = false;
	assert_int_equal(first(&on, &f, D(2029, 3, 1), 1), HAT_OK);
	/* The newest positive. */
	s[0].clear = false;
	assert_int_equal(first(&on, &f, D(2029, 3, 1), 1), HAT_E_TAKEHOME_SCREENS);
	/* Only one screen on record. */
	s[0].clear = true;
	f.n_screens = 1;
	assert_int_equal(first(&on, &f, D(2029, 3, 1), 1), HAT_E_TAKEHOME_SCREENS);
}

static void test_screen_clear(void **state)
{
	struct takehome_result r[3] = {
		{ false, false, false }, { true, false, true }, { false, false, false },
	};

	(void)state;
	/* A positive the prescription explains (morphine on diamorphine) is clear. */
	assert_true(takehome_screen_clear(r, 3));
	r[2].positive = true;
	assert_false(takehome_screen_clear(r, 3));
	r[2].positive = false;
	r[2].invalid = true;
	assert_false(takehome_screen_clear(r, 3));
	assert_true(takehome_screen_clear(NULL, 0));
}

static void test_assessments(void **state)
{
	struct takehome_facts f = eligible();
	int32_t today = D(2029, 3, 1);

	(void)state;
	/* Valid 90 days: dated 89 days ago counts, 90 days ago does not. */
	f.stability.date = today - 89;
	assert_int_equal(first(&on, &f, today, 1), HAT_OK);
	f.stability.date = today - 90;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_NOT_STABLE);
	f.stability.date = today;
	f.stability.favourable = false;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_NOT_STABLE);
	f.stability.favourable = true;
	f.stability.present = false;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_NOT_STABLE);
	f = eligible();
	f.misuse_risk.favourable = false;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_MISUSE_RISK);
	f.misuse_risk.favourable = true;
	f.misuse_risk.date = today + 1;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_MISUSE_RISK);
}

static void test_days_and_comorbidity(void **state)
{
	struct takehome_facts f = eligible();
	int32_t today = D(2029, 3, 1);

	(void)state;
	assert_int_equal(first(&on, &f, today, 2), HAT_OK);
	assert_int_equal(first(&on, &f, today, 3), HAT_E_TAKEHOME_TOO_MANY_DAYS);
	f.comorbidity = (struct takehome_assessment){ true, today - 10, true };
	assert_int_equal(first(&on, &f, today, 7), HAT_OK);
	assert_int_equal(first(&on, &f, today, 8), HAT_E_TAKEHOME_TOO_MANY_DAYS);
	/* Comorbidity assessed absent: back to two. */
	f.comorbidity.favourable = false;
	assert_int_equal(first(&on, &f, today, 3), HAT_E_TAKEHOME_TOO_MANY_DAYS);
}

static void test_contact_and_privilege(void **state)
{
	struct takehome_facts f = eligible();
	struct takehome_verdict v;
	int32_t today = D(2029, 3, 1);

	(void)state;
	f.contact_days = 1;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_CONTACT);
	f = eligible();
	f.privilege_granted = false;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_NOT_GRANTED);
	/* Granting checks everything but the privilege itself. */
	assert_int_equal(takehome_check(&on, &f, today, 0, false, &v), HAT_OK);
	assert_int_equal(v.first, HAT_OK);
	f.privilege_granted = true;
	f.privilege_review_by = today;
	assert_int_equal(first(&on, &f, today, 1), HAT_OK);
	f.privilege_review_by = today - 1;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_NOT_GRANTED);
	f = eligible();
	f.in_induction = true;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_TAKEHOME_INDUCTION);
	f = eligible();
	f.blocked = true;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_PATIENT_BLOCKED);
	f.has_prescription = false;
	assert_int_equal(first(&on, &f, today, 1), HAT_E_NO_PRESCRIPTION);
}

static void test_uninterrupted(void **state)
{
	int32_t days[] = { 100, 101, 102, 105, 106, 110 };
	int32_t since = 0;

	(void)state;
	/* Gaps of 2 (103, 104) and 3 (107..109) full days; the block is 3. */
	assert_int_equal(takehome_uninterrupted_since(days, 6, 100, 3, &since), HAT_OK);
	assert_int_equal(since, 110);
	assert_int_equal(takehome_uninterrupted_since(days, 6, 100, 4, &since), HAT_OK);
	assert_int_equal(since, 100);
	assert_int_equal(takehome_uninterrupted_since(days, 5, 100, 2, &since), HAT_OK);
	assert_int_equal(since, 105);
	assert_int_equal(takehome_uninterrupted_since(NULL, 0, 90, 3, &since), HAT_OK);
	assert_int_equal(since, 90);
	/* A first dose three days after the episode began. */
	assert_int_equal(takehome_uninterrupted_since(days, 1, 97, 3, &since), HAT_OK);
	assert_int_equal(since, 100);
	assert_int_equal(takehome_uninterrupted_since(days, 1, 98, 3, &since), HAT_OK);
	assert_int_equal(since, 98);
	days[1] = 99;
	assert_int_equal(takehome_uninterrupted_since(days, 3, 90, 3, &since), HAT_E_DATE_ORDER);
	assert_int_equal(takehome_uninterrupted_since(days, 1, 90, 0, &since), HAT_E_OUT_OF_RANGE);
}

static void test_covered_and_returns(void **state)
{
	bool covered;
	int32_t last = 0;

	(void)state;
	/* Days 10 and 11 supplied. */
	takehome_covered_through(10, 2, 0, 9, &covered, &last);
	assert_false(covered);
	takehome_covered_through(10, 2, 0, 10, &covered, &last);
	assert_true(covered);
	assert_int_equal(last, 10);
	takehome_covered_through(10, 2, 0, 15, &covered, &last);
	assert_int_equal(last, 11);
	/* Day 11's doses came back unused: only day 10 was dosed. */
	takehome_covered_through(10, 2, 1, 15, &covered, &last);
	assert_true(covered);
	assert_int_equal(last, 10);
	takehome_covered_through(10, 2, 2, 15, &covered, &last);
	assert_false(covered);
	assert_true(takehome_days_overlap(10, 2, 11, 1));
	assert_false(takehome_days_overlap(10, 2, 12, 3));
	assert_false(takehome_days_overlap(10, 2, 9, 1));
	assert_true(takehome_days_overlap(10, 2, 9, 2));
	assert_false(takehome_days_overlap(10, 0, 10, 1));
	/* 8 ampoules out, 2 already back. */
	assert_int_equal(takehome_check_return(8, 2, 2, 0, 6, 2), HAT_OK);
	assert_int_equal(takehome_check_return(8, 2, 2, 0, 7, 0), HAT_E_TAKEHOME_RETURN_EXCEEDS);
	assert_int_equal(takehome_check_return(8, 2, 2, 1, 1, 2), HAT_E_TAKEHOME_RETURN_EXCEEDS);
	assert_int_equal(takehome_check_return(8, 2, 2, 1, 1, 1), HAT_OK);
	assert_int_equal(takehome_check_return(8, 0, 2, 0, 0, 0), HAT_E_OUT_OF_RANGE);
	assert_int_equal(takehome_check_first_date(10, 10), HAT_OK);
	assert_int_equal(takehome_check_first_date(11, 10), HAT_OK);
	assert_int_equal(takehome_check_first_date(12, 10), HAT_E_DATE_ORDER);
	assert_int_equal(takehome_check_first_date(9, 10), HAT_E_DATE_ORDER);
}

static void test_outcomes(void **state)
{
	(void)state;
	assert_true(takehome_outcome_valid("stability", "unstable"));
	assert_false(takehome_outcome_valid("stability", "very_low"));
	assert_true(takehome_outcome_valid("misuse_risk", "high"));
	assert_false(takehome_outcome_valid("grant", "granted"));
	assert_false(takehome_outcome_valid(NULL, "stable"));
	assert_true(takehome_outcome_favourable("stability", "stable"));
	assert_false(takehome_outcome_favourable("stability", "unstable"));
	assert_true(takehome_outcome_favourable("misuse_risk", "very_low"));
	assert_false(takehome_outcome_favourable("misuse_risk", "low"));
	assert_true(takehome_outcome_favourable("comorbidity", "present"));
	assert_false(takehome_outcome_favourable("comorbidity", "absent"));
}

static void test_guest(void **state)
{
	int32_t days[GUEST_MAX_DAYS + 1];
	size_t bad = 99;

	(void)state;
	assert_int_equal(guest_check(1, 1, false), HAT_OK);
	assert_int_equal(guest_check(1, 2, false), HAT_E_GUEST_NOT_AUTHORISED);
	assert_int_equal(guest_check(1, 2, true), HAT_OK);
	for (int i = 0; i <= GUEST_MAX_DAYS; i++)
		days[i] = 100 + i;
	assert_int_equal(guest_check_days(1, 2, days, GUEST_MAX_DAYS, 100, &bad), HAT_OK);
	assert_int_equal(guest_check_days(1, 2, days, GUEST_MAX_DAYS + 1, 100, &bad),
			 HAT_E_OUT_OF_RANGE);
	assert_int_equal(guest_check_days(1, 2, days, 0, 100, &bad), HAT_E_OUT_OF_RANGE);
	assert_int_equal(guest_check_days(1, 1, days, 1, 100, &bad), HAT_E_INVALID_VALUE);
	assert_int_equal(guest_check_days(1, 2, days, 2, 101, &bad), HAT_E_DATE_ORDER);
	assert_int_equal(bad, 0);
	days[1] = 100;
	assert_int_equal(guest_check_days(1, 2, days, 2, 100, &bad), HAT_E_CONFLICT);
	assert_int_equal(bad, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_and_calendar),
		cmocka_unit_test(test_all_met),
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_six_months),
		cmocka_unit_test(test_screens),
		cmocka_unit_test(test_screen_clear),
		cmocka_unit_test(test_assessments),
		cmocka_unit_test(test_days_and_comorbidity),
		cmocka_unit_test(test_contact_and_privilege),
		cmocka_unit_test(test_uninterrupted),
		cmocka_unit_test(test_covered_and_returns),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
