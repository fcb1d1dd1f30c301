/*
** test_outcomes.c: outcome instruments, scoring, the TOP's recording rules,
** reviews due, change and progress; drug-screen interpretation and the
** street-heroin share; goal transitions.  Each rule at its edge and one
** past it, with hand-worked scores.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/goals.h"
#include "core/ndtms.h"
#include "core/outcomes.h"
#include "core/screens.h"
#include "util/buf.h"
#include "util/clock.h"

static void item(struct outcomes_instrument *ins, const char *key, enum outcomes_item_type type,
		 int32_t min, int32_t max, bool required, bool scored, enum outcomes_better better)
{
	struct outcomes_item *it = &ins->items[ins->item_count++];

	memset(it, 0, sizeof *it);
	str_copy(it->key, sizeof it->key, key);
	it->type = type;
	it->min = min;
	it->max = max;
	it->required = required;
	it->scored = scored;
	it->better = better;
	it->weeks = type == OUTCOMES_DAYS && max == 28;
}

/* A cut-down TOP: days with weeks, a rating, a yes/no, an amount, text. */
static void top(struct outcomes_instrument *ins)
{
	memset(ins, 0, sizeof *ins);
	str_copy(ins->code, sizeof ins->code, "top");
	ins->version = 1;
	ins->scoring = OUTCOMES_SCORE_NONE;
	item(ins, "opiates_days", OUTCOMES_DAYS, 0, 28, true, false, OUTCOMES_BETTER_LOWER);
	item(ins, "psych_health", OUTCOMES_SCALE, 0, 20, true, false, OUTCOMES_BETTER_HIGHER);
	item(ins, "acute_housing", OUTCOMES_YESNO, 0, 1, true, false, OUTCOMES_BETTER_LOWER);
	item(ins, "opiates_amount", OUTCOMES_AMOUNT, 0, 5000, false, false, OUTCOMES_BETTER_NONE);
	item(ins, "other_substance", OUTCOMES_TEXT, 0, 80, false, false, OUTCOMES_BETTER_NONE);
}

static void barc(struct outcomes_instrument *ins)
{
	char key[8] = "barc0";

	memset(ins, 0, sizeof *ins);
	str_copy(ins->code, sizeof ins->code, "barc10");
	ins->version = 1;
	ins->scoring = OUTCOMES_SCORE_SUM;
	for (int i = 0; i < 10; i++) {
		key[4] = (char)('0' + i);
		item(ins, key, OUTCOMES_SCALE, 1, 6, false, true, OUTCOMES_BETTER_HIGHER);
	}
}

/* SWEMWBS with the published raw-to-metric table. */
static const int32_t swemwbs_table[] = {
	700, 951, 1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925,
	1998, 2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
};

static void swemwbs(struct outcomes_instrument *ins)
{
	char key[8] = "sw0";

	memset(ins, 0, sizeof *ins);
	str_copy(ins->code, sizeof ins->code, "swemwbs");
	ins->version = 1;
	ins->scoring = OUTCOMES_SCORE_SUM_TABLE;
	ins->licence_required = true;
	for (int i = 0; i < 7; i++) {
		key[2] = (char)('1' + i);
		item(ins, key, OUTCOMES_SCALE, 1, 5, false, true, OUTCOMES_BETTER_HIGHER);
	}
	ins->table_first = 7;
	ins->table_count = 29;
	memcpy(ins->table_x100, swemwbs_table, sizeof swemwbs_table);
}

static struct outcomes_answer val(int64_t v)
{
	struct outcomes_answer a = { OUTCOMES_VALUE, v, false, { 0 } };

	return a;
}

static struct outcomes_answer na(void)
{
	struct outcomes_answer a = { OUTCOMES_NA, 0, false, { 0 } };

	return a;
}

static struct outcomes_answer weeks(int64_t total, int w4, int w3, int w2, int w1)
{
	struct outcomes_answer a = { OUTCOMES_VALUE, total, true, { w4, w3, w2, w1 } };

	return a;
}

static void definitions_check(void **state)
{
	struct outcomes_instrument ins;
	int32_t bad;

	(void)state;
	top(&ins);
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_OK);
	barc(&ins);
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_OK);
	swemwbs(&ins);
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_OK);
	/* The table must cover 7..35 exactly: one short, or shifted, is refused. */
	ins.table_count = 28;
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	ins.table_count = 29;
	ins.table_first = 8;
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	/* Days past 28, duplicate keys, weeks on a rating: refused. */
	top(&ins);
	ins.items[0].max = 29;
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	assert_int_equal(bad, 0);
	top(&ins);
	str_copy(ins.items[1].key, sizeof ins.items[1].key, "opiates_days");
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	assert_int_equal(bad, 1);
	top(&ins);
	ins.items[1].weeks = true;
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	/* A summed form with nothing to sum is refused. */
	top(&ins);
	ins.scoring = OUTCOMES_SCORE_SUM;
	assert_int_equal(outcomes_instrument_check(&ins, &bad), HAT_E_INSTRUMENT_INVALID);
	assert_int_equal(outcomes_item_index(&ins, "acute_housing"), 2);
	assert_int_equal(outcomes_item_index(&ins, "nope"), -1);
}

static void top_ranges(void **state)
{
	struct outcomes_instrument ins;
	struct outcomes_answer a[5];
	int32_t bad = -1;

	(void)state;
	top(&ins);
	a[0] = val(28);
	a[1] = val(20);
	a[2] = val(1);
	a[3] = val(0);
	a[4].kind = OUTCOMES_ABSENT;
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	a[0] = val(29); /* one over the recall period */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	assert_int_equal(bad, 0);
	a[0] = val(-1);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	a[0] = val(0);
	a[1] = val(21); /* one over the rating */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	assert_int_equal(bad, 1);
	a[1] = val(0);
	a[2] = val(2); /* yes/no is 0 or 1 */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	a[2] = val(0);
	a[3] = val(5001);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	a[3].kind = OUTCOMES_ABSENT; /* optional */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	/* A required item absent is missing; NA is an answer, not a zero. */
	a[1].kind = OUTCOMES_ABSENT;
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_MISSING_FIELD);
	assert_int_equal(bad, 1);
	a[1] = na();
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
}

static void top_weeks(void **state)
{
	struct outcomes_instrument ins;
	struct outcomes_answer a[5] = { val(0), val(10), val(0), val(0), val(0) };
	int32_t bad = -1;

	(void)state;
	top(&ins);
	a[4].kind = OUTCOMES_ABSENT;
	a[0] = weeks(12, 3, 3, 3, 3);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	a[0] = weeks(28, 7, 7, 7, 7);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	a[0] = weeks(12, 3, 3, 3, 4); /* sums to 13 */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_WEEKS_TOTAL);
	assert_int_equal(bad, 0);
	a[0] = weeks(11, 3, 3, 3, 2);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	a[0] = weeks(8, 8, 0, 0, 0); /* a week has 7 days */
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_OUT_OF_RANGE);
	a[0] = weeks(7, 7, 0, 0, 0);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_OK);
	/* Weeks on a rating, or beside NA, are the wrong shape. */
	a[1] = weeks(10, 3, 3, 3, 1);
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_WRONG_TYPE);
	assert_int_equal(bad, 1);
	a[1] = val(10);
	a[0] = na();
	a[0].has_weeks = true;
	assert_int_equal(outcomes_check(&ins, a, &bad), HAT_E_WRONG_TYPE);
}

static void top_is_not_summed(void **state)
{
	struct outcomes_instrument ins;
	struct outcomes_answer a[5] = { val(3), val(10), val(0), val(0), val(0) };
	struct outcomes_score s;

	(void)state;
	top(&ins);
	outcomes_score(&ins, a, &s);
	assert_false(s.has_total);
	assert_false(s.has_metric);
}

static void barc_scoring(void **state)
{
	struct outcomes_instrument ins;
	struct outcomes_answer a[10];
	struct outcomes_score s;
	/* Hand-worked: 6+5+4+3+2+1+6+5+4+3 = 39. */
	static const int v[10] = { 6, 5, 4, 3, 2, 1, 6, 5, 4, 3 };

	(void)state;
	barc(&ins);
	for (int i = 0; i < 10; i++)
		a[i] = val(v[i]);
	assert_int_equal(outcomes_check(&ins, a, NULL), HAT_OK);
	outcomes_score(&ins, a, &s);
	assert_true(s.has_total);
	assert_int_equal(s.total, 39);
	assert_false(s.has_metric);
	for (int i = 0; i < 10; i++)
		a[i] = val(1);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 10);
	for (int i = 0; i < 10; i++)
		a[i] = val(6);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 60);
	a[9] = val(7); /* past strongly agree */
	assert_int_equal(outcomes_check(&ins, a, NULL), HAT_E_OUT_OF_RANGE);
	a[9] = val(0); /* 1-6, never 0-6 */
	assert_int_equal(outcomes_check(&ins, a, NULL), HAT_E_OUT_OF_RANGE);
	/* One item missing, or not answered: no total at all. */
	a[9].kind = OUTCOMES_ABSENT;
	assert_int_equal(outcomes_check(&ins, a, NULL), HAT_OK);
	outcomes_score(&ins, a, &s);
	assert_false(s.has_total);
	a[9] = na();
	outcomes_score(&ins, a, &s);
	assert_false(s.has_total);
}

static void swemwbs_scoring(void **state)
{
	struct outcomes_instrument ins;
	struct outcomes_answer a[7];
	struct outcomes_score s;

	(void)state;
	swemwbs(&ins);
	for (int i = 0; i < 7; i++)
		a[i] = val(1);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 7);
	assert_true(s.has_metric);
	assert_int_equal(s.metric_x100, 700);
	/* Hand-worked: 3+3+3+3+3+3+3 = 21, which the table makes 19.25. */
	for (int i = 0; i < 7; i++)
		a[i] = val(3);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 21);
	assert_int_equal(s.metric_x100, 1925);
	/* 4+3+3+3+3+3+3 = 22 is 19.98: the table is not a straight line. */
	a[0] = val(4);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 22);
	assert_int_equal(s.metric_x100, 1998);
	for (int i = 0; i < 7; i++)
		a[i] = val(5);
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.total, 35);
	assert_int_equal(s.metric_x100, 3500);
	a[6] = val(4); /* 34 */
	outcomes_score(&ins, a, &s);
	assert_int_equal(s.metric_x100, 3255);
	a[6].kind = OUTCOMES_ABSENT;
	outcomes_score(&ins, a, &s);
	assert_false(s.has_total);
	assert_false(s.has_metric);
}

static void stages(void **state)
{
	struct outcomes_episode ep = { 100, false, 0, false, 0 };
	enum outcomes_stage st;

	(void)state;
	assert_true(outcomes_stage_parse("post_exit", &st));
	assert_int_equal(st, OUTCOMES_STAGE_POST_EXIT);
	assert_false(outcomes_stage_parse("Start", &st));
	assert_string_equal(outcomes_stage_name(OUTCOMES_STAGE_EXIT), "exit");
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 100, 200, 0), HAT_OK);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 99, 200, 0), HAT_E_DATE_ORDER);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 200, 200, 0), HAT_OK);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 201, 200, 0), HAT_E_DATE_ORDER);
	/* One Start per episode; its own revision is not a second. */
	ep.has_start = true;
	ep.start_form_id = 7;
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 150, 200, 0),
			 HAT_E_TOP_START_EXISTS);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_START, &ep, 150, 200, 7), HAT_OK);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_REVIEW, &ep, 150, 200, 0), HAT_OK);
	/* Exit on or before discharge; while open, any date. */
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_EXIT, &ep, 190, 200, 0), HAT_OK);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_POST_EXIT, &ep, 190, 200, 0),
			 HAT_E_TOP_POST_EXIT_OPEN);
	ep.discharged = true;
	ep.discharge_date = 180;
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_EXIT, &ep, 180, 200, 0), HAT_OK);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_EXIT, &ep, 181, 200, 0),
			 HAT_E_TOP_EXIT_AFTER_DISCHARGE);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_POST_EXIT, &ep, 180, 200, 0),
			 HAT_E_TOP_POST_EXIT_OPEN);
	assert_int_equal(outcomes_stage_check(OUTCOMES_STAGE_POST_EXIT, &ep, 181, 200, 0), HAT_OK);
}

static void reviews_due(void **state)
{
	int32_t jan1 = clock_days_from_civil(2026, 1, 1);
	int32_t due;

	(void)state;
	/* A Start on 1 January, 182 days: due from 2 July, not on 1 July. */
	assert_int_equal(outcomes_review_due(jan1, 182, 28, clock_days_from_civil(2026, 7, 1), &due),
			 OUTCOMES_NOT_DUE);
	assert_int_equal(due, clock_days_from_civil(2026, 7, 2));
	assert_int_equal(outcomes_review_due(jan1, 182, 28, clock_days_from_civil(2026, 7, 2), &due),
			 OUTCOMES_DUE);
	/* Overdue once more than the grace period has passed. */
	assert_int_equal(outcomes_review_due(jan1, 182, 28, due + 28, NULL), OUTCOMES_DUE);
	assert_int_equal(outcomes_review_due(jan1, 182, 28, due + 29, NULL), OUTCOMES_OVERDUE);
	assert_int_equal(outcomes_review_due(jan1, 90, 0, jan1 + 91, NULL), OUTCOMES_OVERDUE);
}

static void change_and_progress(void **state)
{
	enum outcomes_direction d[3];
	struct outcomes_settings s;
	struct outcomes_item days = { "opiates_days", OUTCOMES_DAYS, 0, 28, true, true, false,
				      OUTCOMES_BETTER_LOWER, "" };
	struct outcomes_item rating = { "psych_health", OUTCOMES_SCALE, 0, 20, true, false, false,
					OUTCOMES_BETTER_HIGHER, "" };
	struct outcomes_item likert = { "barc1", OUTCOMES_SCALE, 1, 6, true, false, true,
					OUTCOMES_BETTER_HIGHER, "" };
	const char *field;

	(void)state;
	outcomes_settings_default(&s);
	assert_int_equal(outcomes_threshold(&days, &s), 4);
	assert_int_equal(outcomes_threshold(&rating, &s), 3);
	assert_int_equal(outcomes_threshold(&likert, &s), 1);
	/* Psychological health 6 -> 14 is +8: improved. */
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_HIGHER, 6, 14, 3), OUTCOMES_IMPROVED);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_HIGHER, 6, 9, 3), OUTCOMES_IMPROVED);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_HIGHER, 6, 8, 3), OUTCOMES_SAME);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_HIGHER, 6, 4, 3), OUTCOMES_SAME);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_HIGHER, 6, 3, 3), OUTCOMES_WORSE);
	/* Fewer days of use is better. */
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_LOWER, 20, 16, 4), OUTCOMES_IMPROVED);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_LOWER, 20, 17, 4), OUTCOMES_SAME);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_LOWER, 20, 24, 4), OUTCOMES_WORSE);
	assert_int_equal(outcomes_direction(OUTCOMES_BETTER_NONE, 1, 9, 1), OUTCOMES_NO_CHANGE_KNOWN);
	assert_string_equal(outcomes_direction_words(OUTCOMES_IMPROVED), "improved");
	assert_string_equal(outcomes_direction_words(OUTCOMES_SAME), "about the same");
	/* Heroin days unchanged, quality of life up 6: progressing. */
	d[0] = outcomes_direction(OUTCOMES_BETTER_LOWER, 20, 20, 4);
	d[1] = outcomes_direction(OUTCOMES_BETTER_HIGHER, 8, 14, 3);
	d[2] = OUTCOMES_NO_CHANGE_KNOWN;
	assert_true(outcomes_progressing(true, d, 3));
	assert_false(outcomes_progressing(false, d, 3));
	d[1] = OUTCOMES_SAME;
	assert_false(outcomes_progressing(true, d, 3));
	/* Settings at their edges. */
	assert_int_equal(outcomes_settings_check(&s, &field), HAT_OK);
	s.review_interval_days = 27;
	assert_int_equal(outcomes_settings_check(&s, &field), HAT_E_OUT_OF_RANGE);
	assert_string_equal(field, "review_interval_days");
	s.review_interval_days = 28;
	s.change_threshold_rating = 21;
	assert_int_equal(outcomes_settings_check(&s, &field), HAT_E_OUT_OF_RANGE);
	assert_string_equal(field, "change_threshold_rating");
	s.change_threshold_rating = 20;
	s.screen_negative_pct = 101;
	assert_int_equal(outcomes_settings_check(&s, &field), HAT_E_OUT_OF_RANGE);
	s.screen_negative_pct = 100;
	assert_int_equal(outcomes_settings_check(&s, &field), HAT_OK);
}

static struct screens_finding finding(enum screens_result r, bool marker, bool metabolite,
				      unsigned expected)
{
	struct screens_finding f = { r, marker, metabolite, expected };

	return f;
}

static void screens_heroin(void **state)
{
	struct screens_finding f[3];

	(void)state;
	/* Morphine+ and 6-MAM+ with papaverine metabolites negative, on
	** diamorphine: no evidence of street heroin. */
	f[0] = finding(SCREENS_POSITIVE, false, false, SCREENS_DIAMORPHINE | SCREENS_SROM);
	f[1] = finding(SCREENS_POSITIVE, false, true, SCREENS_DIAMORPHINE);
	f[2] = finding(SCREENS_NEGATIVE, true, false, 0);
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_DIAMORPHINE, SCREENS_SELF_UNKNOWN),
			 SCREENS_NO_EVIDENCE);
	assert_string_equal(screens_heroin_words(SCREENS_NO_EVIDENCE), "no evidence of street heroin");
	/* A marker positive is evidence. */
	f[2].result = SCREENS_POSITIVE;
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_DIAMORPHINE, SCREENS_SELF_UNKNOWN),
			 SCREENS_EVIDENCE);
	/* The marker not tested: morphine and 6-MAM alone cannot tell. */
	f[2].result = SCREENS_NOT_TESTED;
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_DIAMORPHINE, SCREENS_SELF_NO),
			 SCREENS_UNDETERMINED);
	f[2].result = SCREENS_INVALID;
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_DIAMORPHINE, SCREENS_SELF_NO),
			 SCREENS_UNDETERMINED);
	/* The person's own report counts. */
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_DIAMORPHINE, SCREENS_SELF_YES),
			 SCREENS_EVIDENCE);
	/* On hydromorphone, 6-MAM is not explained: it is street heroin... */
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_HYDROMORPHONE, SCREENS_SELF_NO),
			 SCREENS_EVIDENCE);
	/* ...and its negative tells. */
	f[1].result = SCREENS_NEGATIVE;
	assert_int_equal(screens_street_heroin(f, 3, SCREENS_HYDROMORPHONE, SCREENS_SELF_NO),
			 SCREENS_NO_EVIDENCE);
	/* Morphine alone never counts (it is also a medicine). */
	f[1].result = SCREENS_NOT_TESTED;
	assert_int_equal(screens_street_heroin(f, 2, SCREENS_HYDROMORPHONE, SCREENS_SELF_NO),
			 SCREENS_UNDETERMINED);
	assert_true(screens_expected(SCREENS_DIAMORPHINE | SCREENS_SROM, SCREENS_DIAMORPHINE));
	assert_false(screens_expected(SCREENS_DIAMORPHINE, SCREENS_METHADONE));
}

static void screens_share(void **state)
{
	int32_t tenths;

	(void)state;
	/* 7 of 13 weekly screens negative: 53.8%, meets 50%. */
	assert_true(screens_negative_share(7, 13, 50, &tenths));
	assert_int_equal(tenths, 538);
	assert_false(screens_negative_share(6, 13, 50, &tenths));
	assert_int_equal(tenths, 462);
	/* Exactly at the threshold meets it. */
	assert_true(screens_negative_share(7, 14, 50, &tenths));
	assert_int_equal(tenths, 500);
	assert_false(screens_negative_share(7, 14, 51, &tenths));
	assert_false(screens_negative_share(0, 0, 50, &tenths));
	assert_int_equal(tenths, 0);
	assert_true(screens_negative_share(2, 3, 50, &tenths));
	assert_int_equal(tenths, 667);
}

static void goal_transitions(void **state)
{
	enum goals_status s = GOALS_OPEN;
	enum goals_event e;

	(void)state;
	assert_true(goals_domain_ok("housing"));
	assert_true(goals_domain_ok("own"));
	assert_false(goals_domain_ok("abstinence"));
	assert_false(goals_domain_ok(NULL));
	assert_true(goals_event_parse("let_go", &e));
	assert_int_equal(e, GOALS_LET_GO_EVENT);
	assert_false(goals_event_parse("delete", &e));
	assert_int_equal(goals_apply(GOALS_OPEN, GOALS_REVIEW, &s), HAT_OK);
	assert_int_equal(s, GOALS_OPEN);
	assert_int_equal(goals_apply(GOALS_OPEN, GOALS_ACHIEVE, &s), HAT_OK);
	assert_int_equal(s, GOALS_ACHIEVED);
	assert_int_equal(goals_apply(GOALS_ACHIEVED, GOALS_ACHIEVE, &s), HAT_E_GOAL_CLOSED);
	assert_int_equal(goals_apply(GOALS_ACHIEVED, GOALS_REVIEW, &s), HAT_E_GOAL_CLOSED);
	assert_int_equal(goals_apply(GOALS_ACHIEVED, GOALS_REOPEN, &s), HAT_OK);
	assert_int_equal(s, GOALS_OPEN);
	assert_int_equal(goals_apply(GOALS_OPEN, GOALS_REOPEN, &s), HAT_E_GOAL_OPEN);
	assert_int_equal(goals_apply(GOALS_OPEN, GOALS_LET_GO_EVENT, &s), HAT_OK);
	assert_string_equal(goals_status_name(s), "let_go");
}

static void ndtms_rules(void **state)
{
	struct ndtms_episode e = { "Daniel", "whitfield", 0, "male", 'Y', "Middlesbrough", "TS1 3AB",
				   "self", 100, 101, 102, false, NDTMS_NONE, NULL, 1 };
	char attr[NDTMS_ATTRIBUTOR_SIZE];

	(void)state;
	e.birth_date = clock_days_from_civil(1979, 3, 14);
	assert_null(ndtms_missing(&e));
	assert_true(ndtms_identifiable(&e));
	ndtms_attributor(e.given_name, e.family_name, e.birth_date, e.sex, attr);
	assert_string_equal(attr, "DW19790314M");
	e.postcode = "";
	assert_string_equal(ndtms_missing(&e), "PC");
	e.postcode = "TS1 3AB";
	e.sex = "unknown";
	assert_string_equal(ndtms_missing(&e), "SEX");
	e.sex = "female";
	e.triage_date = NDTMS_NONE;
	assert_string_equal(ndtms_missing(&e), "TRIAGED");
	e.triage_date = 101;
	e.modalities = 0;
	assert_string_equal(ndtms_missing(&e), "MODAL");
	e.modalities = 1;
	e.discharged = true;
	e.discharge_date = 300;
	assert_string_equal(ndtms_missing(&e), "DISRSN");
	e.discharge_reason = "completed_drug_free";
	assert_null(ndtms_missing(&e));
	e.consent = 'N';
	assert_null(ndtms_missing(&e));
	assert_false(ndtms_identifiable(&e));
	e.consent = 0;
	assert_string_equal(ndtms_missing(&e), "CONSENT");
	assert_false(ndtms_identifiable(&e));
	assert_true(ndtms_successful("completed_drug_free"));
	assert_false(ndtms_successful("incomplete_dropped_out"));
	assert_false(ndtms_successful(NULL));
	/* A re-triage 5 months later is a re-presentation; the edge is 182 days. */
	assert_true(ndtms_represented(300, 300 + 152, 182));
	assert_true(ndtms_represented(300, 482, 182));
	assert_false(ndtms_represented(300, 483, 182));
	assert_false(ndtms_represented(300, 300, 182));
	assert_false(ndtms_represented(300, NDTMS_NONE, 182));
	assert_int_equal(ndtms_modality_check(100, 100, NDTMS_NONE, 200), HAT_OK);
	assert_int_equal(ndtms_modality_check(100, 99, NDTMS_NONE, 200), HAT_E_DATE_ORDER);
	assert_int_equal(ndtms_modality_check(100, 201, NDTMS_NONE, 200), HAT_E_DATE_ORDER);
	assert_int_equal(ndtms_modality_check(100, 150, 150, 200), HAT_OK);
	assert_int_equal(ndtms_modality_check(100, 150, 149, 200), HAT_E_DATE_ORDER);
	assert_int_equal(ndtms_modality_check(100, 150, 201, 200), HAT_E_DATE_ORDER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(definitions_check),
		cmocka_unit_test(top_ranges),
		cmocka_unit_test(top_weeks),
		cmocka_unit_test(top_is_not_summed),
		cmocka_unit_test(barc_scoring),
		cmocka_unit_test(swemwbs_scoring),
		cmocka_unit_test(stages),
		cmocka_unit_test(reviews_due),
		cmocka_unit_test(change_and_progress),
		cmocka_unit_test(screens_heroin),
		cmocka_unit_test(screens_share),
		cmocka_unit_test(goal_transitions),
		cmocka_unit_test(ndtms_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
