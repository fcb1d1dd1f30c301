/*
** test_flex.c: planned absences, oral cover, session choice and the
** schedule's burden (core/flex), each rule at its edge and one past it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "core/flex.h"

/* 2028-11-06 was a Monday: 21494 days after 1970-01-01. */
#define MONDAY 21494

struct fixture {
	struct clinic_settings s;
	struct flex_settings f;
};

static void setup_fx(struct fixture *x)
{
	settings_default(&x->s); /* morning 08:30-11:00, afternoon 15:00-17:30 */
	flex_settings_default(&x->f);
}

static void test_weekday(void **state)
{
	unsigned bit = 0;

	(void)state;
	assert_int_equal(flex_weekday(0), 3); /* a Thursday */
	assert_int_equal(flex_weekday(MONDAY), 0);
	assert_int_equal(flex_weekday(MONDAY + 6), 6);
	assert_int_equal(flex_weekday(MONDAY + 7), 0);
	assert_int_equal(flex_weekday(-1), 2);
	assert_int_equal(flex_weekday_parse("sun", &bit), HAT_OK);
	assert_int_equal(bit, 1u << 6);
	assert_int_equal(flex_weekday_parse("Sunday", &bit), HAT_E_INVALID_VALUE);
	assert_string_equal(flex_weekday_name(0), "mon");
	assert_null(flex_weekday_name(7));
}

static void test_settings(void **state)
{
	struct fixture x;

	(void)state;
	setup_fx(&x);
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_OK);
	assert_false(x.f.oral_take_home_enabled);
	x.f.absence_max_days = 60;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_OK);
	x.f.absence_max_days = 61;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_OUT_OF_RANGE);
	x.f.absence_max_days = 14;
	x.f.cover_bridge_days = 7;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_OK);
	x.f.cover_bridge_days = 8;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_OUT_OF_RANGE);
	x.f.cover_bridge_days = -1;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_OUT_OF_RANGE);
	x.f.cover_bridge_days = 0;
	x.f.take_home_max_days = 15;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_OUT_OF_RANGE);
	x.f.take_home_max_days = 14;
	/* A window that opens on no day; every window by choice. */
	x.f.windows[1].weekdays = 0;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_INVALID_VALUE);
	x.f.windows[1].weekdays = 1u;
	x.f.windows[1].choice_only = true;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_OK);
	x.f.windows[0].choice_only = true;
	assert_int_equal(flex_settings_validate(&x.f, &x.s), HAT_E_INVALID_VALUE);
}

static void test_absence_in_advance(void **state)
{
	struct fixture x;
	struct flex_absence a = { 0, MONDAY, MONDAY, 0 };
	struct flex_absence pm = { 0, MONDAY, MONDAY, 1u << 1 };

	(void)state;
	setup_fx(&x);
	/* Every session today: the morning (08:30) has not begun at 08:29. */
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY, 509), HAT_OK);
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY, 510),
			 HAT_E_NOT_IN_ADVANCE);
	/* Only the afternoon (15:00): still in advance at 14:59, not at 15:00. */
	assert_int_equal(flex_check_absence(&x.f, &x.s, &pm, NULL, 0, MONDAY, 899), HAT_OK);
	assert_int_equal(flex_check_absence(&x.f, &x.s, &pm, NULL, 0, MONDAY, 900),
			 HAT_E_NOT_IN_ADVANCE);
	/* Recorded a day late. */
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY + 1, 0),
			 HAT_E_NOT_IN_ADVANCE);
	/* Off at this clinic. */
	x.f.planned_absence_enabled = false;
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY - 1, 0),
			 HAT_E_FLEX_DISABLED);
}

static void test_absence_length_and_overlap(void **state)
{
	struct fixture x;
	struct flex_absence a = { 0, MONDAY, MONDAY + 13, 0 };
	struct flex_absence am = { 1, MONDAY + 20, MONDAY + 20, 1u << 0 };
	struct flex_absence pm = { 0, MONDAY + 20, MONDAY + 21, 1u << 1 };
	struct flex_absence all = { 0, MONDAY + 19, MONDAY + 20, 0 };
	struct flex_absence bad = { 0, MONDAY, MONDAY, 1u << 2 };

	(void)state;
	setup_fx(&x);
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY - 1, 0), HAT_OK);
	a.to_date++;
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY - 1, 0),
			 HAT_E_ABSENCE_TOO_LONG);
	a.to_date = MONDAY - 1;
	assert_int_equal(flex_check_absence(&x.f, &x.s, &a, NULL, 0, MONDAY - 1, 0),
			 HAT_E_DATE_ORDER);
	/* A third window the clinic does not have. */
	assert_int_equal(flex_check_absence(&x.f, &x.s, &bad, NULL, 0, MONDAY - 1, 0),
			 HAT_E_INVALID_VALUE);
	/* The afternoon beside a morning absence shares no session. */
	assert_int_equal(flex_check_absence(&x.f, &x.s, &pm, &am, 1, MONDAY, 0), HAT_OK);
	assert_int_equal(flex_check_absence(&x.f, &x.s, &all, &am, 1, MONDAY, 0),
			 HAT_E_ALREADY_PLANNED);
	assert_true(flex_absence_covers(&pm, MONDAY + 21, 1));
	assert_false(flex_absence_covers(&pm, MONDAY + 21, 0));
	assert_false(flex_absence_covers(&pm, MONDAY + 22, 1));
	assert_true(flex_absence_covers(&all, MONDAY + 19, 0));
	assert_false(flex_absence_covers(&all, MONDAY + 18, 0));
}

static void test_excused(void **state)
{
	(void)state;
	/* Away for the afternoon, came in the morning: the afternoon is excused. */
	assert_int_equal(flex_sessions_excused(1, 2, 1), 1);
	/* Came to both anyway: nothing to excuse. */
	assert_int_equal(flex_sessions_excused(1, 2, 2), 0);
	/* Away all day, did not come. */
	assert_int_equal(flex_sessions_excused(2, 2, 0), 2);
	/* Never more than were due. */
	assert_int_equal(flex_sessions_excused(2, 1, 0), 1);
	assert_int_equal(flex_sessions_excused(-1, 2, 0), 0);
}

static void test_cover(void **state)
{
	struct fixture x;
	struct flex_absence a = { 1, MONDAY, MONDAY + 3, 0 };
	struct flex_cover c = { DOSING_DRUG_SROM, 600000, FLEX_COVER_SUPERVISED, MONDAY,
				MONDAY + 3 };

	(void)state;
	setup_fx(&x);
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_OK);
	/* The ceiling for SROM is 1,200 mg a day: at it, and 1 ug over. */
	c.daily_dose_ug = x.s.ceiling_srom_ug;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_OK);
	c.daily_dose_ug++;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_DOSE_OVER_CEILING);
	c.daily_dose_ug = 0;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_OUT_OF_RANGE);
	c.daily_dose_ug = 60000;
	c.drug = DOSING_DRUG_DIAMORPHINE;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_INVALID_VALUE);
	c.drug = DOSING_DRUG_METHADONE_ORAL;
	c.to_date = MONDAY + 4;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_COVER_OUTSIDE_ABSENCE);
	c.to_date = MONDAY + 3;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY + 1), HAT_E_NOT_IN_ADVANCE);
	/* Take-home: off by default; on, at most take_home_max_days (3). */
	c.mode = FLEX_COVER_TAKE_HOME;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_TAKE_HOME_NOT_ALLOWED);
	x.f.oral_take_home_enabled = true;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_TAKE_HOME_DAYS);
	c.to_date = MONDAY + 2;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_OK);
	x.f.oral_cover_enabled = false;
	assert_int_equal(flex_check_cover(&x.f, &x.s, &c, &a, MONDAY), HAT_E_FLEX_DISABLED);
}

static void test_cover_dose(void **state)
{
	struct fixture x;
	struct dosing_patient p = { 0 };
	struct flex_cover c = { DOSING_DRUG_METHADONE_ORAL, 60000, FLEX_COVER_SUPERVISED, MONDAY,
				MONDAY + 1 };

	(void)state;
	setup_fx(&x);
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY), HAT_OK);
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60001, 0, 0, MONDAY),
			 HAT_E_DOSE_OVER_SESSION);
	/* Once a day; only on covered days. */
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 60000, 60000, MONDAY),
			 HAT_E_COVER_NOT_DUE);
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY + 2),
			 HAT_E_COVER_NOT_DUE);
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY - 1),
			 HAT_E_COVER_NOT_DUE);
	/* With the oral component already given, the clinic ceiling (150 mg). */
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 90000, MONDAY), HAT_OK);
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 90001, MONDAY),
			 HAT_E_DOSE_OVER_CEILING);
	p.blocked_by_event = true;
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY),
			 HAT_E_PATIENT_BLOCKED);
	p.blocked_by_event = false;
	p.discharged = true;
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY),
			 HAT_E_NO_ACTIVE_EPISODE);
	p.discharged = false;
	/* The missed-days block holds back injections only. */
	p.missed = SCHEDULE_MISSED_BLOCKED;
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY), HAT_OK);
	c.mode = FLEX_COVER_TAKE_HOME;
	assert_int_equal(flex_check_cover_dose(&x.s, &c, &p, 60000, 0, 0, MONDAY),
			 HAT_E_COVER_NOT_DUE);
}

static void test_supply(void **state)
{
	struct fixture x;
	struct dosing_patient p = { 0 };
	struct flex_cover c = { DOSING_DRUG_METHADONE_ORAL, 60000, FLEX_COVER_TAKE_HOME, MONDAY,
				MONDAY + 2 };
	int32_t first = 0, days = 0;
	int64_t amount = 0;

	(void)state;
	setup_fx(&x);
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 0, MONDAY - 1, &first, &days, &amount),
			 HAT_E_TAKE_HOME_NOT_ALLOWED);
	x.f.oral_take_home_enabled = true;
	/* The day before the first covered day: every day of it. */
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 0, MONDAY - 1, &first, &days, &amount),
			 HAT_OK);
	assert_int_equal(first, MONDAY);
	assert_int_equal(days, 3);
	assert_int_equal(amount, 180000);
	/* Two days before: too early. */
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 0, MONDAY - 2, &first, &days, &amount),
			 HAT_E_NOT_IN_ADVANCE);
	/* On the second covered day: the days left only. */
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 0, MONDAY + 1, &first, &days, &amount),
			 HAT_OK);
	assert_int_equal(days, 2);
	assert_int_equal(amount, 120000);
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 0, MONDAY + 3, &first, &days, &amount),
			 HAT_E_COVER_NOT_DUE);
	assert_int_equal(flex_check_supply(&x.f, &c, &p, 60000, MONDAY, &first, &days, &amount),
			 HAT_E_COVER_NOT_DUE);
	/* Returns: whole and part doses back are days not taken. */
	assert_int_equal(flex_take_home_days_taken(3, 60000, 0), 3);
	assert_int_equal(flex_take_home_days_taken(3, 60000, 1), 2);
	assert_int_equal(flex_take_home_days_taken(3, 60000, 60000), 2);
	assert_int_equal(flex_take_home_days_taken(3, 60000, 60001), 1);
	assert_int_equal(flex_take_home_days_taken(3, 60000, 180000), 0);
	assert_int_equal(flex_take_home_days_taken(3, 60000, 999999), 0);
}

static void test_bridge(void **state)
{
	int32_t covered[] = { MONDAY + 1, MONDAY + 2, MONDAY + 3 };
	int32_t last = 0, n = 0;

	(void)state;
	/* Bridges at most bridge_days covered days after the last injection. */
	flex_cover_bridge(true, MONDAY, covered, 3, 2, MONDAY + 10, &last, &n);
	assert_int_equal(last, MONDAY + 2);
	assert_int_equal(n, 2);
	flex_cover_bridge(true, MONDAY, covered, 3, 3, MONDAY + 10, &last, &n);
	assert_int_equal(last, MONDAY + 3);
	flex_cover_bridge(true, MONDAY, covered, 3, 0, MONDAY + 10, &last, &n);
	assert_int_equal(last, MONDAY);
	assert_int_equal(n, 0);
	/* Cover before the last injection, or after today, counts for nothing. */
	flex_cover_bridge(true, MONDAY + 2, covered, 3, 7, MONDAY + 10, &last, &n);
	assert_int_equal(last, MONDAY + 3);
	assert_int_equal(n, 1);
	flex_cover_bridge(true, MONDAY, covered, 3, 7, MONDAY + 1, &last, &n);
	assert_int_equal(last, MONDAY + 1);
	assert_int_equal(n, 1);
	/* Without an injection nothing is known of tolerance: no bridge. */
	flex_cover_bridge(false, 0, covered, 3, 7, MONDAY + 10, &last, &n);
	assert_int_equal(n, 0);
}

static void test_window_days_and_choice(void **state)
{
	struct fixture x;
	struct flex_change ch = { MONDAY, 1, 2 };

	(void)state;
	setup_fx(&x);
	/* Three windows: morning, afternoon, an evening on weekdays by choice. */
	x.s.window_count = 3;
	x.s.windows[2].start_minute = 18 * 60;
	x.s.windows[2].end_minute = 20 * 60;
	x.f.windows[2].weekdays = 0x1F;
	x.f.windows[2].choice_only = true;
	assert_true(flex_window_opens(&x.f, &x.s, 2, MONDAY + 4));   /* Friday */
	assert_false(flex_window_opens(&x.f, &x.s, 2, MONDAY + 5));  /* Saturday */
	assert_false(flex_window_opens(&x.f, &x.s, 3, MONDAY));
	/* No preference: the standard windows. */
	assert_true(flex_due_in_window(&x.f, &x.s, 0, NULL, 0, MONDAY, 0));
	assert_false(flex_due_in_window(&x.f, &x.s, 0, NULL, 0, MONDAY, 2));
	/* Morning and evening preferred. */
	assert_true(flex_due_in_window(&x.f, &x.s, 0x5, NULL, 0, MONDAY, 2));
	assert_false(flex_due_in_window(&x.f, &x.s, 0x5, NULL, 0, MONDAY, 1));
	/* Evening only preferred: on Saturday it does not open, so standard. */
	assert_true(flex_due_in_window(&x.f, &x.s, 0x4, NULL, 0, MONDAY + 5, 1));
	assert_false(flex_due_in_window(&x.f, &x.s, 0x4, NULL, 0, MONDAY + 5, 2));
	/* A changed session for one day: the afternoon moved to the evening. */
	assert_true(flex_due_in_window(&x.f, &x.s, 0, &ch, 1, MONDAY, 2));
	assert_false(flex_due_in_window(&x.f, &x.s, 0, &ch, 1, MONDAY, 1));
	assert_true(flex_due_in_window(&x.f, &x.s, 0, &ch, 1, MONDAY + 1, 1));
	/* Session choice off: preferences and changes are not followed. */
	x.f.session_choice_enabled = false;
	assert_false(flex_due_in_window(&x.f, &x.s, 0, &ch, 1, MONDAY, 2));
	assert_true(flex_due_in_window(&x.f, &x.s, 0x4, NULL, 0, MONDAY, 1));
}

static void test_board_window(void **state)
{
	struct fixture x;
	int32_t w = 9;
	bool open = true;

	(void)state;
	setup_fx(&x);
	x.s.window_count = 3;
	x.s.windows[2].start_minute = 18 * 60;
	x.s.windows[2].end_minute = 20 * 60;
	x.f.windows[2].weekdays = 0x1F;
	assert_int_equal(flex_board_window(&x.f, &x.s, MONDAY, 18 * 60, &w, &open), HAT_OK);
	assert_int_equal(w, 2);
	assert_true(open);
	/* On Saturday the evening does not open: the afternoon stays on. */
	assert_int_equal(flex_board_window(&x.f, &x.s, MONDAY + 5, 18 * 60, &w, &open), HAT_OK);
	assert_int_equal(w, 1);
	assert_false(open);
	assert_int_equal(flex_board_window(&x.f, &x.s, MONDAY, 12 * 60, &w, &open), HAT_OK);
	assert_int_equal(w, 1);
	assert_false(open);
	assert_int_equal(flex_board_window(&x.f, &x.s, MONDAY, 1440, &w, &open),
			 HAT_E_OUT_OF_RANGE);
}

static void test_change(void **state)
{
	struct fixture x;
	struct flex_change ch = { MONDAY, 1, 0 };
	struct flex_change other = { MONDAY, 1, 0 };

	(void)state;
	setup_fx(&x);
	/* Afternoon to morning today: both must not have begun (08:30). */
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY, 509), HAT_OK);
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY, 510),
			 HAT_E_NOT_IN_ADVANCE);
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY + 1, 0),
			 HAT_E_NOT_IN_ADVANCE);
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, &other, 1, MONDAY - 1, 0),
			 HAT_E_ALREADY_PLANNED);
	ch.to_w = 1;
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY - 1, 0),
			 HAT_E_INVALID_VALUE);
	ch.to_w = 2;
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY - 1, 0),
			 HAT_E_INVALID_VALUE);
	ch.to_w = 0;
	x.f.windows[0].weekdays = 0x1E; /* no morning on Mondays */
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY - 1, 0),
			 HAT_E_OUTSIDE_WINDOW);
	x.f.session_choice_enabled = false;
	assert_int_equal(flex_check_change(&x.f, &x.s, &ch, NULL, 0, MONDAY - 1, 0),
			 HAT_E_FLEX_DISABLED);
}

static void test_hours(void **state)
{
	(void)state;
	/* 14 sessions in 7 days, 30 min each way, 40 min at the clinic:
	** 14 x 100 min = 23.33 h. */
	assert_true(flex_hours_per_week(14, 7, 30, 40.0) > 23.33);
	assert_true(flex_hours_per_week(14, 7, 30, 40.0) < 23.34);
	/* Over 28 days, the same per week. */
	assert_true(flex_hours_per_week(56, 28, 30, 40.0) > 23.33);
	assert_true(flex_hours_per_week(56, 28, 30, 40.0) < 23.34);
	assert_true(flex_hours_per_week(14, 0, 30, 40.0) == 0.0);
	assert_true(flex_hours_per_week(0, 7, 30, 40.0) == 0.0);
}

static void test_names(void **state)
{
	enum flex_reason r = FLEX_REASON_NONE;
	enum flex_cover_mode m = FLEX_COVER_SUPERVISED;

	(void)state;
	assert_int_equal(flex_reason_parse("court", &r), HAT_OK);
	assert_int_equal(r, FLEX_REASON_COURT);
	assert_string_equal(flex_reason_name(FLEX_REASON_HEALTH), "health_appointment");
	assert_int_equal(flex_reason_parse("dentist", &r), HAT_E_INVALID_VALUE);
	assert_null(flex_reason_name(FLEX_REASON_NONE));
	assert_int_equal(flex_cover_mode_parse("take_home", &m), HAT_OK);
	assert_int_equal(m, FLEX_COVER_TAKE_HOME);
	assert_int_equal(flex_cover_mode_parse("home", &m), HAT_E_INVALID_VALUE);
	assert_string_equal(flex_cover_mode_name(FLEX_COVER_SUPERVISED), "supervised");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_absence_in_advance),
		cmocka_unit_test(test_absence_length_and_overlap),
		cmocka_unit_test(test_excused),
		cmocka_unit_test(test_cover),
		cmocka_unit_test(test_cover_dose),
		cmocka_unit_test(test_supply),
		cmocka_unit_test(test_bridge),
		cmocka_unit_test(test_window_days_and_choice),
		cmocka_unit_test(test_board_window),
		cmocka_unit_test(test_change),
		cmocka_unit_test(test_hours),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
