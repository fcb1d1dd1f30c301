/*
** test_schedule.c: session windows, missed doses, adverse-event blocks and
** the board's state machine, each rule at its edge and one past it; and the
** validation of the window, interval and missed-day settings.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/assess.h"
#include "core/schedule.h"
#include "core/settings.h"

static struct clinic_settings defaults(void)
{
	struct clinic_settings s;

	settings_default(&s);
	return s;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's
** days_from_civil), so tests can name real dates. */
static int32_t civil_days(int y, int m, int d)
{
	int era;
	int yoe;
	int doy;
	int doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
	return (int64_t)civil_days(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

/* ---- Windows ------------------------------------------------------------ */

static enum hat_err window_at(const struct clinic_settings *s, int32_t minute,
			      int32_t *w)
{
	*w = -1;
	return schedule_window_at(s, minute, w);
}

static void test_window_edges(void **state)
{
	struct clinic_settings s = defaults();
	int32_t w;

	(void)state;
	assert_int_equal(window_at(&s, 509, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(w, -1);
	assert_int_equal(window_at(&s, 510, &w), HAT_OK);
	assert_int_equal(w, 0);
	assert_int_equal(window_at(&s, 659, &w), HAT_OK);
	assert_int_equal(w, 0);
	assert_int_equal(window_at(&s, 660, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(window_at(&s, 899, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(window_at(&s, 900, &w), HAT_OK);
	assert_int_equal(w, 1);
	assert_int_equal(window_at(&s, 1049, &w), HAT_OK);
	assert_int_equal(w, 1);
	assert_int_equal(window_at(&s, 1050, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(window_at(&s, 0, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(window_at(&s, 1439, &w), HAT_E_OUTSIDE_WINDOW);
	assert_int_equal(window_at(&s, -1, &w), HAT_E_OUT_OF_RANGE);
	assert_int_equal(window_at(&s, 1440, &w), HAT_E_OUT_OF_RANGE);
}

static void test_board_window(void **state)
{
	struct clinic_settings s = defaults();
	int32_t w = -1;
	bool open = true;

	(void)state;
	assert_int_equal(schedule_board_window(&s, 0, &w, &open), HAT_OK);
	assert_int_equal(w, 0);
	assert_false(open);
	assert_int_equal(schedule_board_window(&s, 510, &w, &open), HAT_OK);
	assert_int_equal(w, 0);
	assert_true(open);
	assert_int_equal(schedule_board_window(&s, 660, &w, &open), HAT_OK);
	assert_int_equal(w, 1);
	assert_false(open);
	assert_int_equal(schedule_board_window(&s, 1049, &w, &open), HAT_OK);
	assert_int_equal(w, 1);
	assert_true(open);
	assert_int_equal(schedule_board_window(&s, 1050, &w, &open), HAT_OK);
	assert_int_equal(w, 1);
	assert_false(open);
	assert_int_equal(schedule_board_window(&s, 1440, &w, &open),
			 HAT_E_OUT_OF_RANGE);
}

/* ---- Settings: windows, intervals, missed-day thresholds ---------------- */

static void test_settings_default_valid(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	assert_int_equal(settings_validate(&s), HAT_OK);
	assert_int_equal(s.window_count, 2);
	assert_int_equal(s.windows[0].start_minute, 510);
	assert_int_equal(s.windows[0].end_minute, 660);
	assert_int_equal(s.windows[1].start_minute, 900);
	assert_int_equal(s.windows[1].end_minute, 1050);
	assert_string_equal(s.windows[0].name, "morning");
	assert_int_equal(s.min_between_session_starts_s, 3 * 3600);
	assert_int_equal(s.observation_s, 900);
	assert_int_equal(s.topup_min_gap_s, 900);
	assert_int_equal(s.assessment_valid_s, 1800);
	assert_int_equal(s.missed_flag_days, 1);
	assert_int_equal(s.missed_block_days, 3);
	assert_int_equal(s.missed_restart_days, 5);
	assert_int_equal(s.stock_check_interval_days, 7);
}

/* The stock-check interval: 1 to 31 days, refused one past either end. */
static void test_settings_stock_check_interval(void **state)
{
	struct clinic_settings s = defaults();

	(void)state;
	s.stock_check_interval_days = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.stock_check_interval_days = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.stock_check_interval_days = 31;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.stock_check_interval_days = 32;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

static void test_settings_window_order(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	s.windows[0].end_minute = s.windows[0].start_minute + 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.windows[0].end_minute = s.windows[0].start_minute;
	assert_int_equal(settings_validate(&s), HAT_E_DATE_ORDER);

	/* Half-open windows may touch but not overlap. */
	s = defaults();
	s.windows[1].start_minute = 660;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.windows[1].start_minute = 659;
	assert_int_equal(settings_validate(&s), HAT_E_DATE_ORDER);

	/* Listed out of time order. */
	s = defaults();
	s.windows[0] = defaults().windows[1];
	s.windows[1] = defaults().windows[0];
	assert_int_equal(settings_validate(&s), HAT_E_DATE_ORDER);
}

static void test_settings_window_range(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	s.windows[1].end_minute = 1440;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.windows[1].end_minute = 1441;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.windows[0].start_minute = 0;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.windows[0].start_minute = -1;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.window_count = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.window_count = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.window_count = SETTINGS_MAX_WINDOWS;
	s.windows[2] = (struct settings_window){ 1100, 1200, "evening" };
	s.windows[3] = (struct settings_window){ 1300, 1440, "late" };
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.window_count = SETTINGS_MAX_WINDOWS + 1;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);

	s = defaults();
	s.windows[0].name[0] = '\0';
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);
	s = defaults();
	memset(s.windows[0].name, 'x', sizeof s.windows[0].name);
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);
}

static void test_settings_intervals_positive(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	s.min_between_session_starts_s = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.min_between_session_starts_s = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s = defaults();
	s.observation_s = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s = defaults();
	s.topup_min_gap_s = -1;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

static void test_settings_missed_thresholds(void **state)
{
	struct clinic_settings s;

	(void)state;
	s = defaults();
	s.missed_flag_days = 3;
	s.missed_block_days = 3;
	s.missed_restart_days = 3;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.missed_flag_days = 4;
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);

	s = defaults();
	s.missed_block_days = 5;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.missed_block_days = 6;
	assert_int_equal(settings_validate(&s), HAT_E_INVALID_VALUE);

	s = defaults();
	s.missed_flag_days = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

/* ---- Missed doses ------------------------------------------------------- */

#define TODAY 20000

static struct schedule_missed missed(const int32_t *dates, size_t n,
				     int32_t start,
				     const struct schedule_review *review)
{
	struct clinic_settings s = defaults();
	struct schedule_missed out;

	memset(&out, 0x5a, sizeof out);
	assert_int_equal(schedule_missed_days(&s, dates, n, start, TODAY, review,
					      &out), HAT_OK);
	return out;
}

static struct schedule_missed missed_since(int32_t last_dose)
{
	int32_t dates[] = { TODAY - 30, last_dose };

	return missed(dates, 2, TODAY - 60, NULL);
}

static void test_missed_thresholds(void **state)
{
	struct schedule_missed m;

	(void)state;
	m = missed_since(TODAY - 1);
	assert_int_equal(m.days_missed, 0);
	assert_int_equal(m.state, SCHEDULE_MISSED_NONE);
	m = missed_since(TODAY - 2);
	assert_int_equal(m.days_missed, 1);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	m = missed_since(TODAY - 3);
	assert_int_equal(m.days_missed, 2);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	m = missed_since(TODAY - 4);
	assert_int_equal(m.days_missed, 3);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	m = missed_since(TODAY - 5);
	assert_int_equal(m.days_missed, 4);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	m = missed_since(TODAY - 6);
	assert_int_equal(m.days_missed, 5);
	assert_int_equal(m.state, SCHEDULE_MISSED_RESTART);
	assert_false(m.review_cleared);
	assert_false(m.restart_induction);
}

static void test_missed_today_does_not_count(void **state)
{
	int32_t after_gap[] = { TODAY - 6, TODAY };
	int32_t with_future[] = { TODAY - 4, TODAY + 1 };
	struct schedule_missed m;

	(void)state;
	/* A dose today means the patient has resumed. */
	m = missed(after_gap, 2, TODAY - 60, NULL);
	assert_int_equal(m.days_missed, 0);
	assert_int_equal(m.state, SCHEDULE_MISSED_NONE);
	/* Dates after today are ignored. */
	m = missed(with_future, 2, TODAY - 60, NULL);
	assert_int_equal(m.days_missed, 3);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
}

static void test_missed_from_episode_start(void **state)
{
	int32_t old[] = { TODAY - 100 };
	struct schedule_missed m;

	(void)state;
	m = missed(NULL, 0, TODAY, NULL);
	assert_int_equal(m.days_missed, 0);
	assert_int_equal(m.state, SCHEDULE_MISSED_NONE);
	m = missed(NULL, 0, TODAY - 1, NULL);
	assert_int_equal(m.days_missed, 1);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	m = missed(NULL, 0, TODAY - 3, NULL);
	assert_int_equal(m.days_missed, 3);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	/* Doses of an earlier episode still count: tolerance is lost from the
	** last dose, and a new episode's start does not reset it. */
	m = missed(old, 1, TODAY - 2, NULL);
	assert_int_equal(m.days_missed, 99);
	assert_int_equal(m.state, SCHEDULE_MISSED_RESTART);
}

/* A renewal or a new episode starting after the last dose: the count
** still runs from the dose, at the block's edge on both sides. */
static void test_missed_counts_from_last_dose_across_episodes(void **state)
{
	int32_t two_ago[] = { TODAY - 3 };
	int32_t three_ago[] = { TODAY - 4 };
	struct schedule_missed m;

	(void)state;
	m = missed(two_ago, 1, TODAY, NULL);
	assert_int_equal(m.days_missed, 2);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	m = missed(three_ago, 1, TODAY, NULL);
	assert_int_equal(m.days_missed, 3);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	m = missed(three_ago, 1, TODAY - 1, NULL);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
}

static void test_missed_bad_input(void **state)
{
	struct clinic_settings s = defaults();
	int32_t unsorted[] = { TODAY - 2, TODAY - 3 };
	struct schedule_missed out;

	(void)state;
	assert_int_equal(schedule_missed_days(&s, unsorted, 2, TODAY - 10, TODAY,
					      NULL, &out), HAT_E_DATE_ORDER);
	assert_int_equal(schedule_missed_days(&s, NULL, 0, TODAY + 1, TODAY,
					      NULL, &out), HAT_E_DATE_ORDER);
	assert_int_equal(schedule_missed_days(&s, NULL, 1, TODAY - 1, TODAY,
					      NULL, &out), HAT_E_INVALID_VALUE);
}

static void test_missed_review_lifts_block(void **state)
{
	int32_t dates[] = { TODAY - 4 };
	struct schedule_review review = {
		.present = true,
		.reviewed_at = 0,
		.review_date = TODAY - 4,
		.restart_induction = false,
	};
	struct schedule_missed m;

	(void)state;
	/* A review on the day of the last dose came before the gap. */
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	assert_false(m.review_cleared);
	review.review_date = TODAY - 3;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	assert_true(m.review_cleared);
	assert_false(m.restart_induction);
	review.present = false;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
}

static void test_missed_review_and_restart(void **state)
{
	int32_t dates[] = { TODAY - 6 };
	struct schedule_review review = {
		.present = true,
		.review_date = TODAY,
		.restart_induction = false,
	};
	struct schedule_missed m;

	(void)state;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_RESTART);
	assert_false(m.review_cleared);
	review.restart_induction = true;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	assert_true(m.review_cleared);
	assert_true(m.restart_induction);
}

/* A review answers for the gap up to its own date; missed days after it
** block again at the same threshold (days counted from the day after). */
static void test_missed_review_covers_days_to_it_only(void **state)
{
	int32_t dates[] = { TODAY - 20 };
	struct schedule_review review = {
		.present = true,
		.review_date = TODAY - 3,
		.restart_induction = true,
	};
	struct schedule_missed m;

	(void)state;
	/* TODAY-2 and TODAY-1 missed since the review: still lifted. */
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	assert_true(m.review_cleared);
	assert_true(m.restart_induction);
	/* Three full days after it: the review no longer answers for them. */
	review.review_date = TODAY - 4;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_RESTART);
	assert_false(m.review_cleared);
	assert_false(m.restart_induction);
	/* The same for a plain block lifted by a review. */
	dates[0] = TODAY - 5;
	review.restart_induction = false;
	review.review_date = TODAY - 3;
	m = missed(dates, 1, TODAY - 60, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	assert_true(m.review_cleared);
}

static void test_missed_review_without_doses(void **state)
{
	struct schedule_review review = {
		.present = true,
		.review_date = TODAY - 3,
	};
	struct schedule_missed m;

	(void)state;
	m = missed(NULL, 0, TODAY - 3, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_FLAGGED);
	assert_true(m.review_cleared);
	review.review_date = TODAY - 4;
	m = missed(NULL, 0, TODAY - 3, &review);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
}

static void test_missed_custom_thresholds(void **state)
{
	struct clinic_settings s = defaults();
	int32_t dates[] = { TODAY - 2 };
	struct schedule_missed m;

	(void)state;
	s.missed_flag_days = 2;
	s.missed_block_days = 2;
	s.missed_restart_days = 4;
	assert_int_equal(schedule_missed_days(&s, dates, 1, TODAY - 9, TODAY,
					      NULL, &m), HAT_OK);
	assert_int_equal(m.state, SCHEDULE_MISSED_NONE);
	dates[0] = TODAY - 3;
	assert_int_equal(schedule_missed_days(&s, dates, 1, TODAY - 9, TODAY,
					      NULL, &m), HAT_OK);
	assert_int_equal(m.state, SCHEDULE_MISSED_BLOCKED);
	dates[0] = TODAY - 5;
	assert_int_equal(schedule_missed_days(&s, dates, 1, TODAY - 9, TODAY,
					      NULL, &m), HAT_OK);
	assert_int_equal(m.state, SCHEDULE_MISSED_RESTART);
}

/* ---- Adverse events ----------------------------------------------------- */

/* The oral component: 2 full days without it are fine, the 3rd needs a
** review; a review after the last oral dose answers for the gap until 3
** more full days pass after it. */
static void test_oral_missed(void **state)
{
	struct clinic_settings s = defaults();
	struct schedule_review review = { .present = true, .review_date = TODAY - 1 };
	int32_t days = -1;
	bool need = true;

	(void)state;
	assert_int_equal(s.oral_missed_review_days, 3);
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 3, TODAY - 60, TODAY, NULL,
					      &days, &need), HAT_OK);
	assert_int_equal(days, 2);
	assert_false(need);
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 4, TODAY - 60, TODAY, NULL,
					      &days, &need), HAT_OK);
	assert_int_equal(days, 3);
	assert_true(need);
	/* A dose today or yesterday: nothing missed. */
	assert_int_equal(schedule_oral_missed(&s, true, TODAY, TODAY - 60, TODAY, NULL,
					      &days, &need), HAT_OK);
	assert_int_equal(days, 0);
	assert_false(need);
	/* A review after the last oral dose answers for the gap... */
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 4, TODAY - 60, TODAY, &review,
					      &days, &need), HAT_OK);
	assert_false(need);
	/* ...but not one on the day of the last dose (before the gap)... */
	review.review_date = TODAY - 4;
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 4, TODAY - 60, TODAY, &review,
					      &days, &need), HAT_OK);
	assert_true(need);
	/* ...and only until 3 more full days pass after it. */
	review.review_date = TODAY - 3;
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 10, TODAY - 60, TODAY, &review,
					      &days, &need), HAT_OK);
	assert_false(need);
	review.review_date = TODAY - 4;
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 10, TODAY - 60, TODAY, &review,
					      &days, &need), HAT_OK);
	assert_true(need);
	/* Never dosed: counted from the start. */
	assert_int_equal(schedule_oral_missed(&s, false, 0, TODAY - 2, TODAY, NULL, &days, &need),
			 HAT_OK);
	assert_false(need);
	assert_int_equal(schedule_oral_missed(&s, false, 0, TODAY - 3, TODAY, NULL, &days, &need),
			 HAT_OK);
	assert_true(need);
	/* The threshold is a setting. */
	s.oral_missed_review_days = 4;
	assert_int_equal(schedule_oral_missed(&s, true, TODAY - 4, TODAY - 60, TODAY, NULL,
					      &days, &need), HAT_OK);
	assert_false(need);
	/* Bad input leaves the outputs alone. */
	days = 77;
	assert_int_equal(schedule_oral_missed(&s, true, TODAY + 1, TODAY - 60, TODAY, NULL,
					      &days, &need), HAT_E_DATE_ORDER);
	assert_int_equal(days, 77);
	s.oral_missed_review_days = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.oral_missed_review_days = 61;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.oral_missed_review_days = 60;
	assert_int_equal(settings_validate(&s), HAT_OK);
}

static void test_adverse_blocks(void **state)
{
	(void)state;
	assert_true(schedule_adverse_blocks(SCHEDULE_ADVERSE_NALOXONE, false));
	assert_true(schedule_adverse_blocks(SCHEDULE_ADVERSE_NALOXONE, true));
	assert_true(schedule_adverse_blocks(SCHEDULE_ADVERSE_SEIZURE, false));
	assert_false(schedule_adverse_blocks(SCHEDULE_ADVERSE_SEDATION, false));
	assert_false(schedule_adverse_blocks(SCHEDULE_ADVERSE_OVERDOSE, false));
	/* Naloxone given blocks whatever kind the event was recorded as. */
	assert_true(schedule_adverse_blocks(SCHEDULE_ADVERSE_OVERDOSE, true));
	assert_true(schedule_adverse_blocks(SCHEDULE_ADVERSE_SEDATION, true));

	assert_false(schedule_blocked_by_event(0, 0));
	assert_true(schedule_blocked_by_event(5000, 0));
	assert_true(schedule_blocked_by_event(5000, 4999));
	assert_false(schedule_blocked_by_event(5000, 5000));
	assert_false(schedule_blocked_by_event(5000, 5001));
}

/* ---- The board ---------------------------------------------------------- */

static const struct schedule_step_facts checked_and_done = { true, 0, false, false };

static enum schedule_board_state step(enum schedule_board_state cur,
				      enum schedule_event ev)
{
	struct schedule_step out;

	assert_int_equal(schedule_next_state(cur, ev, &checked_and_done, &out),
			 HAT_OK);
	return out.next;
}

static void test_board_happy_path_with_topup(void **state)
{
	enum schedule_board_state st = SCHEDULE_DUE;

	(void)state;
	st = step(st, SCHEDULE_EV_CHECK_IN);
	assert_int_equal(st, SCHEDULE_CHECKED_IN);
	st = step(st, SCHEDULE_EV_ASSESS_FIT);
	assert_int_equal(st, SCHEDULE_ASSESSED);
	st = step(st, SCHEDULE_EV_INJECT);
	assert_int_equal(st, SCHEDULE_DOSED);
	st = step(st, SCHEDULE_EV_OBSERVE);
	assert_int_equal(st, SCHEDULE_OBSERVING);
	/* A top-up: a fresh assessment (still under observation), then
	** another injection. */
	st = step(st, SCHEDULE_EV_ASSESS_FIT);
	assert_int_equal(st, SCHEDULE_OBSERVING);
	st = step(st, SCHEDULE_EV_INJECT);
	assert_int_equal(st, SCHEDULE_DOSED);
	st = step(st, SCHEDULE_EV_OBSERVE);
	/* The top-up withheld: observation of the dose given goes on. */
	st = step(st, SCHEDULE_EV_ASSESS_NOT_FIT);
	assert_int_equal(st, SCHEDULE_OBSERVING);
	st = step(st, SCHEDULE_EV_LEAVE);
	assert_int_equal(st, SCHEDULE_LEFT);
}

static void test_board_other_endings(void **state)
{
	(void)state;
	assert_int_equal(step(SCHEDULE_DUE, SCHEDULE_EV_NO_SHOW),
			 SCHEDULE_DID_NOT_ATTEND);
	assert_int_equal(step(SCHEDULE_CHECKED_IN, SCHEDULE_EV_ASSESS_NOT_FIT),
			 SCHEDULE_WITHHELD);
	assert_int_equal(step(SCHEDULE_ASSESSED, SCHEDULE_EV_WITHHOLD),
			 SCHEDULE_WITHHELD);
	assert_int_equal(step(SCHEDULE_CHECKED_IN, SCHEDULE_EV_DECLINE),
			 SCHEDULE_DECLINED);
	assert_int_equal(step(SCHEDULE_ASSESSED, SCHEDULE_EV_DECLINE),
			 SCHEDULE_DECLINED);
	assert_int_equal(step(SCHEDULE_ASSESSED, SCHEDULE_EV_ASSESS_FIT),
			 SCHEDULE_ASSESSED);
	assert_int_equal(step(SCHEDULE_DOSED, SCHEDULE_EV_LEAVE), SCHEDULE_LEFT);
}

/* Every (state, event) pair: exactly the documented moves are legal. */
static void test_board_illegal_moves(void **state)
{
	static const struct {
		enum schedule_board_state from;
		enum schedule_event ev;
	} legal[] = {
		{ SCHEDULE_DUE, SCHEDULE_EV_CHECK_IN },
		{ SCHEDULE_DUE, SCHEDULE_EV_NO_SHOW },
		{ SCHEDULE_CHECKED_IN, SCHEDULE_EV_ASSESS_FIT },
		{ SCHEDULE_CHECKED_IN, SCHEDULE_EV_ASSESS_NOT_FIT },
		{ SCHEDULE_CHECKED_IN, SCHEDULE_EV_WITHHOLD },
		{ SCHEDULE_CHECKED_IN, SCHEDULE_EV_DECLINE },
		{ SCHEDULE_ASSESSED, SCHEDULE_EV_ASSESS_FIT },
		{ SCHEDULE_ASSESSED, SCHEDULE_EV_ASSESS_NOT_FIT },
		{ SCHEDULE_ASSESSED, SCHEDULE_EV_WITHHOLD },
		{ SCHEDULE_ASSESSED, SCHEDULE_EV_DECLINE },
		{ SCHEDULE_ASSESSED, SCHEDULE_EV_INJECT },
		{ SCHEDULE_DOSED, SCHEDULE_EV_OBSERVE },
		{ SCHEDULE_DOSED, SCHEDULE_EV_LEAVE },
		{ SCHEDULE_OBSERVING, SCHEDULE_EV_ASSESS_FIT },
		{ SCHEDULE_OBSERVING, SCHEDULE_EV_INJECT },
		{ SCHEDULE_OBSERVING, SCHEDULE_EV_ASSESS_NOT_FIT },
		{ SCHEDULE_OBSERVING, SCHEDULE_EV_WITHHOLD },
		{ SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE },
	};
	int legal_seen = 0;

	(void)state;
	for (int st = SCHEDULE_DUE; st <= SCHEDULE_DID_NOT_ATTEND + 1; st++) {
		for (int ev = 0; ev <= SCHEDULE_EV_NO_SHOW + 1; ev++) {
			struct schedule_step out;
			bool is_legal = false;
			enum hat_err rc;

			for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++)
				is_legal |= (int)legal[i].from == st &&
					    (int)legal[i].ev == ev;
			rc = schedule_next_state((enum schedule_board_state)st,
						 (enum schedule_event)ev,
						 &checked_and_done, &out);
			assert_int_equal(rc, is_legal ? HAT_OK : HAT_E_WRONG_STATE);
			legal_seen += is_legal;
		}
	}
	assert_int_equal(legal_seen, (int)(sizeof legal / sizeof legal[0]));
}

static void test_board_leaving(void **state)
{
	struct schedule_step out;
	struct schedule_step_facts facts = { .postdose_checked = false,
					     .observation_remaining_s = 0 };

	(void)state;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE,
					     &facts, &out),
			 HAT_E_POSTDOSE_MISSING);
	facts.postdose_checked = true;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE,
					     &facts, &out), HAT_OK);
	assert_int_equal(out.next, SCHEDULE_LEFT);
	assert_false(out.left_against_advice);
	facts.observation_remaining_s = 1;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE,
					     &facts, &out), HAT_OK);
	assert_int_equal(out.next, SCHEDULE_LEFT);
	assert_true(out.left_against_advice);
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE,
					     NULL, &out), HAT_E_INVALID_VALUE);
	assert_int_equal(schedule_next_state(SCHEDULE_CHECKED_IN, SCHEDULE_EV_LEAVE,
					     &facts, &out), HAT_E_WRONG_STATE);
}

/* After an abnormal post-dose check the patient may leave only against
** advice with a reason, even with the observation time long over; a normal
** check after it ends the observation as usual. */
static void test_leave_after_abnormal_check(void **state)
{
	struct schedule_step_facts facts = { .postdose_checked = true,
					     .observation_remaining_s = 0,
					     .last_check_abnormal = true };
	struct schedule_step out = { SCHEDULE_DUE, false };

	(void)state;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE, &facts, &out),
			 HAT_E_AGAINST_ADVICE_REASON);
	assert_int_equal(out.next, SCHEDULE_DUE);
	facts.against_advice_reason = true;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE, &facts, &out),
			 HAT_OK);
	assert_int_equal(out.next, SCHEDULE_LEFT);
	assert_true(out.left_against_advice);
	facts.last_check_abnormal = false;
	facts.against_advice_reason = false;
	assert_int_equal(schedule_next_state(SCHEDULE_OBSERVING, SCHEDULE_EV_LEAVE, &facts, &out),
			 HAT_OK);
	assert_false(out.left_against_advice);

	assert_int_equal(schedule_postdose_flags(true, SCHEDULE_OBSERVING),
			 SCHEDULE_FLAG_ALARM | SCHEDULE_FLAG_OBSERVING);
	assert_int_equal(schedule_postdose_flags(true, SCHEDULE_DOSED),
			 SCHEDULE_FLAG_ALARM | SCHEDULE_FLAG_OBSERVING);
	assert_int_equal(schedule_postdose_flags(true, SCHEDULE_LEFT), 0);
	assert_int_equal(schedule_postdose_flags(false, SCHEDULE_OBSERVING), 0);
}

/* The post-dose alarm thresholds, each at its edge on both sides. */
static void test_postdose_alarms(void **state)
{
	struct clinic_settings s = defaults();
	struct assess_postdose in = { .sedation_level = 2, .resp_rate = 10, .spo2 = 94 };
	unsigned alarms = 99;
	enum assess_pupils p = ASSESS_PUPILS_NONE;

	(void)state;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, 0);
	in.sedation_level = 3; /* "hard to rouse" */
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, ASSESS_ALARM_SEDATION);
	in.sedation_level = 0;
	in.resp_rate = 9;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, ASSESS_ALARM_RESP_RATE);
	in.resp_rate = 10;
	in.spo2 = 93;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, ASSESS_ALARM_SPO2);
	in.spo2 = -1; /* not measured */
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, 0);
	in.sedation_level = 3;
	in.resp_rate = 4;
	in.spo2 = 80;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, ASSESS_ALARM_SEDATION | ASSESS_ALARM_RESP_RATE | ASSESS_ALARM_SPO2);

	/* Thresholds are settings. */
	s.postdose_resp_rate_min = 8;
	in.sedation_level = 0;
	in.resp_rate = 8;
	in.spo2 = -1;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_OK);
	assert_int_equal(alarms, 0);

	/* Off the scale or out of range: refused, output untouched. */
	alarms = 99;
	in.sedation_level = 4;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_E_OUT_OF_RANGE);
	in.sedation_level = 0;
	in.resp_rate = 81;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_E_OUT_OF_RANGE);
	in.resp_rate = 12;
	in.spo2 = 49;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_E_OUT_OF_RANGE);
	in.spo2 = 101;
	assert_int_equal(assess_postdose_check(&s, &in, &alarms), HAT_E_OUT_OF_RANGE);
	assert_int_equal(alarms, 99);

	assert_int_equal(assess_pupils_parse("pinpoint", &p), HAT_OK);
	assert_int_equal(p, ASSESS_PUPILS_PINPOINT);
	assert_string_equal(assess_pupils_name(p), "pinpoint");
	assert_int_equal(assess_pupils_parse("wide", &p), HAT_E_INVALID_VALUE);

	/* The settings' own ranges. */
	s = defaults();
	s.postdose_sedation_alarm = 0;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.postdose_sedation_alarm = 4;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
	s.postdose_sedation_alarm = 1;
	assert_int_equal(settings_validate(&s), HAT_OK);
	s.postdose_spo2_min = 101;
	assert_int_equal(settings_validate(&s), HAT_E_OUT_OF_RANGE);
}

static void test_observation_remaining(void **state)
{
	struct clinic_settings s = defaults();
	int64_t at = 1700000000;

	(void)state;
	assert_int_equal(schedule_observation_remaining_s(&s, at, at), 900);
	assert_int_equal(schedule_observation_remaining_s(&s, at, at + 899), 1);
	assert_int_equal(schedule_observation_remaining_s(&s, at, at + 900), 0);
	assert_int_equal(schedule_observation_remaining_s(&s, at, at + 901), 0);
	assert_int_equal(schedule_observation_remaining_s(&s, at + 10, at), 900);
	s.observation_s = 1200;
	assert_int_equal(schedule_observation_remaining_s(&s, at, at + 900), 300);
}

/* Europe/London, 2024-03-31: at 01:00 UTC the clocks go from 01:00 GMT to
** 02:00 BST.  An injection at 00:55 GMT and a check at 02:05 BST are 70
** local minutes apart but only 10 real minutes: 5 minutes remain. */
static void test_observation_across_spring_forward(void **state)
{
	struct clinic_settings s = defaults();
	int64_t injected = utc(2024, 3, 31, 0, 55);
	int64_t now = utc(2024, 3, 31, 1, 5);

	(void)state;
	assert_int_equal(schedule_observation_remaining_s(&s, injected, now), 300);
}

static void test_board_flags(void **state)
{
	struct schedule_missed m = { .state = SCHEDULE_MISSED_NONE };
	unsigned f;

	(void)state;
	assert_int_equal(schedule_board_flags(false, NULL, false, 0), 0);
	f = schedule_board_flags(true, &m, true, 1);
	assert_int_equal(f, SCHEDULE_FLAG_BLOCKED | SCHEDULE_FLAG_ALERTS |
				    SCHEDULE_FLAG_OBSERVING);
	m.state = SCHEDULE_MISSED_FLAGGED;
	assert_int_equal(schedule_board_flags(false, &m, false, 0),
			 SCHEDULE_FLAG_MISSED_ALERT);
	m.state = SCHEDULE_MISSED_BLOCKED;
	assert_int_equal(schedule_board_flags(false, &m, false, 0),
			 SCHEDULE_FLAG_MISSED_ALERT | SCHEDULE_FLAG_BLOCKED);
	m.state = SCHEDULE_MISSED_RESTART;
	assert_int_equal(schedule_board_flags(false, &m, false, 0),
			 SCHEDULE_FLAG_MISSED_ALERT | SCHEDULE_FLAG_BLOCKED |
				 SCHEDULE_FLAG_RESTART);
}

static void test_state_names(void **state)
{
	enum schedule_board_state st;

	(void)state;
	for (int i = SCHEDULE_DUE; i <= SCHEDULE_DID_NOT_ATTEND; i++) {
		const char *name = schedule_state_name((enum schedule_board_state)i);

		assert_non_null(name);
		assert_int_equal(schedule_state_parse(name, &st), HAT_OK);
		assert_int_equal(st, i);
	}
	assert_string_equal(schedule_state_name(SCHEDULE_DID_NOT_ATTEND),
			    "did_not_attend");
	assert_null(schedule_state_name((enum schedule_board_state)99));
	assert_int_equal(schedule_state_parse("gone", &st), HAT_E_INVALID_VALUE);
	assert_int_equal(schedule_state_parse(NULL, &st), HAT_E_INVALID_VALUE);
}

static void test_civil_days_helper(void **state)
{
	(void)state;
	assert_int_equal(civil_days(1970, 1, 1), 0);
	assert_int_equal(civil_days(2024, 3, 31), 19813);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_days_helper),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_board_window),
		cmocka_unit_test(test_settings_default_valid),
		cmocka_unit_test(test_settings_window_order),
		cmocka_unit_test(test_settings_stock_check_interval),
		cmocka_unit_test(test_settings_window_range),
		cmocka_unit_test(test_settings_intervals_positive),
		cmocka_unit_test(test_settings_missed_thresholds),
		cmocka_unit_test(test_missed_thresholds),
		cmocka_unit_test(test_missed_today_does_not_count),
		cmocka_unit_test(test_missed_from_episode_start),
		cmocka_unit_test(test_missed_counts_from_last_dose_across_episodes),
		cmocka_unit_test(test_missed_bad_input),
		cmocka_unit_test(test_missed_review_lifts_block),
		cmocka_unit_test(test_missed_review_and_restart),
		cmocka_unit_test(test_missed_review_covers_days_to_it_only),
		cmocka_unit_test(test_missed_review_without_doses),
		cmocka_unit_test(test_missed_custom_thresholds),
		cmocka_unit_test(test_oral_missed),
		cmocka_unit_test(test_leave_after_abnormal_check),
		cmocka_unit_test(test_postdose_alarms),
		cmocka_unit_test(test_adverse_blocks),
		cmocka_unit_test(test_board_happy_path_with_topup),
		cmocka_unit_test(test_board_other_endings),
		cmocka_unit_test(test_board_illegal_moves),
		cmocka_unit_test(test_board_leaving),
		cmocka_unit_test(test_observation_remaining),
		cmocka_unit_test(test_observation_across_spring_forward),
		cmocka_unit_test(test_board_flags),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
