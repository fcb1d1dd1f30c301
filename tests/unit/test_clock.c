/*
** test_clock.c: calendar arithmetic, RFC 3339 parsing and formatting, and
** clinic-local time across the Europe/London clock changes.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/err.h"

/* 2026-03-29T01:00:00Z: British Summer Time begins (01:00 GMT -> 02:00 BST). */
#define SPRING_2026 INT64_C(1774746000)
/* 2026-10-25T01:00:00Z: it ends (02:00 BST -> 01:00 GMT). */
#define AUTUMN_2026 INT64_C(1792890000)

/* An independent oracle: the C library's own UTC conversion. */
static int64_t oracle_days(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int64_t)timegm(&tm) / 86400;
}

static void civil_known_days(void **state)
{
	(void)state;
	assert_int_equal(clock_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(clock_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(clock_days_from_civil(1900, 1, 1), -25567);
	assert_int_equal(clock_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(clock_days_from_civil(2038, 1, 19), 24855);
	assert_int_equal(clock_days_from_civil(2100, 2, 28), 47540);
	/* 2100 is not a leap year: 28 February is followed by 1 March. */
	assert_int_equal(clock_days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(clock_days_from_civil(2400, 2, 29), 157113);
	assert_int_equal(clock_days_from_civil(2026, 3, 29), 20541);
	assert_int_equal(clock_days_from_civil(2026, 10, 25), 20751);
}

static void civil_round_trip_every_day(void **state)
{
	int32_t from = clock_days_from_civil(1899, 1, 1);
	int32_t to = clock_days_from_civil(2401, 1, 1);
	int py, pm, pd;

	(void)state;
	clock_civil_from_days(from - 1, &py, &pm, &pd);
	assert_int_equal(py, 1898);
	assert_int_equal(pm, 12);
	assert_int_equal(pd, 31);
	for (int32_t z = from; z <= to; z++) {
		int y, m, d;

		clock_civil_from_days(z, &y, &m, &d);
		assert_int_equal(clock_days_from_civil(y, m, d), z);
		assert_int_equal(oracle_days(y, m, d), z);
		/* Each day follows the one before it in the calendar. */
		if (d == 1) {
			assert_true(pd >= 28);
			assert_int_equal(m, pm == 12 ? 1 : pm + 1);
			assert_int_equal(y, pm == 12 ? py + 1 : py);
		} else {
			assert_int_equal(d, pd + 1);
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		}
		if (m == 2 && d == 29)
			assert_true((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
		py = y;
		pm = m;
		pd = d;
	}
}

static void leap_years(void **state)
{
	int y, m, d;

	(void)state;
	/* 2000 (divisible by 400) and 2024 are leap; 1900 and 2100 are not. */
	clock_civil_from_days(clock_days_from_civil(2000, 2, 28) + 1, &y, &m, &d);
	assert_int_equal(m * 100 + d, 229);
	clock_civil_from_days(clock_days_from_civil(2024, 2, 28) + 1, &y, &m, &d);
	assert_int_equal(m * 100 + d, 229);
	clock_civil_from_days(clock_days_from_civil(1900, 2, 28) + 1, &y, &m, &d);
	assert_int_equal(m * 100 + d, 301);
	clock_civil_from_days(clock_days_from_civil(2100, 2, 28) + 1, &y, &m, &d);
	assert_int_equal(m * 100 + d, 301);
	assert_int_equal(clock_days_from_civil(2025, 1, 1) - clock_days_from_civil(2024, 1, 1), 366);
	assert_int_equal(clock_days_from_civil(2101, 1, 1) - clock_days_from_civil(2100, 1, 1), 365);
}

static void parse_date(void **state)
{
	int32_t d = 12345;

	(void)state;
	assert_int_equal(clock_parse_date("1970-01-01", &d), HAT_OK);
	assert_int_equal(d, 0);
	assert_int_equal(clock_parse_date("2024-02-29", &d), HAT_OK);
	assert_int_equal(d, clock_days_from_civil(2024, 2, 29));
	assert_int_equal(clock_parse_date("2000-02-29", &d), HAT_OK);
	assert_int_equal(clock_parse_date("2026-12-31", &d), HAT_OK);
	assert_int_equal(d, clock_days_from_civil(2026, 12, 31));

	d = 777;
	assert_int_equal(clock_parse_date("2026-02-29", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2100-02-29", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-02-30", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-04-31", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-13-01", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-00-10", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-01-00", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-01-32", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-1-01", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026/01/01", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("2026-01-01 ", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("+026-01-01", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date("", &d), HAT_E_INVALID_DATE);
	assert_int_equal(clock_parse_date(NULL, &d), HAT_E_INVALID_DATE);
	assert_int_equal(d, 777); /* untouched on failure */
}

static void format_date(void **state)
{
	char out[11];

	(void)state;
	clock_format_date(0, out);
	assert_string_equal(out, "1970-01-01");
	clock_format_date(-1, out);
	assert_string_equal(out, "1969-12-31");
	clock_format_date(11016, out);
	assert_string_equal(out, "2000-02-29");
	clock_format_date(47541, out);
	assert_string_equal(out, "2100-03-01");
	for (int32_t z = -30000; z < 160000; z += 97) {
		int32_t back = 0;

		clock_format_date(z, out);
		assert_int_equal(strlen(out), 10);
		if (z >= clock_days_from_civil(1900, 1, 1) && z < clock_days_from_civil(2201, 1, 1)) {
			assert_int_equal(clock_parse_date(out, &back), HAT_OK);
			assert_int_equal(back, z);
		}
	}
}

static void rfc3339_accepts(void **state)
{
	int64_t t = -1;

	(void)state;
	assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00Z", &t), HAT_OK);
	assert_int_equal(t, 0);
	assert_int_equal(clock_parse_rfc3339("2026-11-24T08:30:00Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	/* Lower-case t and z are allowed by RFC 3339. */
	assert_int_equal(clock_parse_rfc3339("2026-11-24t08:30:00z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	/* The 32-bit edge and past it. */
	assert_int_equal(clock_parse_rfc3339("2038-01-19T03:14:07Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(2147483647));
	assert_int_equal(clock_parse_rfc3339("2038-01-19T03:14:08Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(2147483648));
	assert_int_equal(clock_parse_rfc3339("2100-03-01T00:00:00Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(47541) * 86400);
	assert_int_equal(clock_parse_rfc3339("1969-12-31T23:59:59Z", &t), HAT_OK);
	assert_int_equal(t, -1);

	/* Offsets: local minus UTC. */
	assert_int_equal(clock_parse_rfc3339("2026-11-24T09:30:00+01:00", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	assert_int_equal(clock_parse_rfc3339("2026-11-24T03:00:00-05:30", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	assert_int_equal(clock_parse_rfc3339("2026-11-24T08:30:00+00:00", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	assert_int_equal(clock_parse_rfc3339("2026-11-24T08:30:00-00:00", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	/* An offset that crosses midnight. */
	assert_int_equal(clock_parse_rfc3339("2026-11-25T00:30:00+16:00", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));

	/* Fractions are ignored, never rounded up. */
	assert_int_equal(clock_parse_rfc3339("2026-11-24T08:30:00.999999Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));
	assert_int_equal(clock_parse_rfc3339("2026-11-24T09:30:00.5+01:00", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1795509000));

	/* A leap second is kept as the second before it. */
	assert_int_equal(clock_parse_rfc3339("2016-12-31T23:59:60Z", &t), HAT_OK);
	assert_int_equal(t, INT64_C(1483228799));
}

static void rfc3339_refuses(void **state)
{
	static const char *const bad[] = {
		"2026-13-01T00:00:00Z",       /* month 13 */
		"2026-00-01T00:00:00Z",       /* month 0 */
		"2026-04-31T00:00:00Z",       /* 31 April */
		"2026-02-30T12:00:00Z",       /* 30 February */
		"2026-02-29T12:00:00Z",       /* not a leap year */
		"2026-01-00T00:00:00Z",       /* day 0 */
		"2026-01-01T24:00:00Z",       /* 24:00 */
		"2026-01-01T23:60:00Z",
		"2026-01-01T23:59:61Z",
		"2026-01-01T00:00:00",        /* no zone */
		"2026-01-01T00:00:00.5",      /* no zone after a fraction */
		"2026-01-01T00:00:00ZZ",      /* trailing junk */
		"2026-01-01T00:00:00Z ",
		"2026-01-01T00:00:00+01:00x",
		"2026-01-01T00:00:00+01:00Z",
		"2026-01-01T00:00:00+0100",   /* offset without colon */
		"2026-01-01T00:00:00+1:00",
		"2026-01-01T00:00:00+24:00",
		"2026-01-01T00:00:00+01:60",
		"2026-01-01T00:00:00.Z",      /* a point with no digits */
		"2026-01-01X00:00:00Z",
		"2026-01-01T0:00:00Z",
		"2026-01-01T00-00-00Z",
		"2026-01-01T00:00:0aZ",
		"2026-01-01",
		"20260101T000000Z",
		"",
	};
	int64_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (clock_parse_rfc3339(bad[i], &t) != HAT_E_INVALID_DATE)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(clock_parse_rfc3339(NULL, &t), HAT_E_INVALID_DATE);
}

static void format_utc(void **state)
{
	char out[21];
	int64_t back;

	(void)state;
	clock_format_utc(0, out);
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	clock_format_utc(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59Z");
	clock_format_utc(-86400, out);
	assert_string_equal(out, "1969-12-31T00:00:00Z");
	clock_format_utc(INT64_C(2147483648), out);
	assert_string_equal(out, "2038-01-19T03:14:08Z");
	clock_format_utc(INT64_C(1795509000), out);
	assert_string_equal(out, "2026-11-24T08:30:00Z");
	for (int64_t t = -INT64_C(2000000000); t < INT64_C(7000000000); t += INT64_C(86399) * 7 + 13) {
		clock_format_utc(t, out);
		assert_int_equal(strlen(out), 20);
		assert_int_equal(clock_parse_rfc3339(out, &back), HAT_OK);
		assert_int_equal(back, t);
	}
}

static int setup_london(void **state)
{
	(void)state;
	return clock_set_zone("Europe/London") == HAT_OK ? 0 : -1;
}

static void set_zone_refuses_unknown(void **state)
{
	(void)state;
	assert_int_equal(clock_set_zone("Europe/Atlantis"), HAT_E_INVALID_VALUE);
	assert_int_equal(clock_set_zone("../etc/passwd"), HAT_E_INVALID_VALUE);
	/* A folder of the database is not a zone. */
	assert_int_equal(clock_set_zone("Europe"), HAT_E_INVALID_VALUE);
	assert_int_equal(clock_set_zone(""), HAT_E_INVALID_VALUE);
	assert_int_equal(clock_set_zone(NULL), HAT_E_INVALID_VALUE);
	/* A refused zone leaves the clinic's zone as it was. */
	assert_int_equal(clock_set_zone("Europe/London"), HAT_OK);
}

static void local_is(int64_t t, int32_t date, int minute, int second, int offset)
{
	struct clock_local l;

	memset(&l, 0x55, sizeof l);
	clock_to_local(t, &l);
	assert_int_equal(l.date, date);
	assert_int_equal(l.minute_of_day, minute);
	assert_int_equal(l.second, second);
	assert_int_equal(l.utc_offset_s, offset);
}

static void london_spring_forward(void **state)
{
	int32_t day = clock_days_from_civil(2026, 3, 29);

	(void)state;
	/* 00:59:59 GMT, then 02:00:00 BST one second later. */
	local_is(SPRING_2026 - 1, day, 59, 59, 0);
	local_is(SPRING_2026, day, 120, 0, 3600);
	local_is(SPRING_2026 - 3600, day, 0, 0, 0);
	local_is(SPRING_2026 - 3601, day - 1, 1439, 59, 0);

	assert_int_equal(clock_from_local(day, 0), SPRING_2026 - 3600);
	assert_int_equal(clock_from_local(day, 59), SPRING_2026 - 60);
	assert_int_equal(clock_from_local(day, 120), SPRING_2026);
	assert_int_equal(clock_from_local(day, 121), SPRING_2026 + 60);
	assert_int_equal(clock_from_local(day, 12 * 60), SPRING_2026 + 10 * 3600);
	/* 01:00 to 01:59 do not happen: each gives the instant after the gap. */
	for (int m = 60; m < 120; m++)
		assert_int_equal(clock_from_local(day, m), SPRING_2026);
}

static void london_fall_back(void **state)
{
	int32_t day = clock_days_from_civil(2026, 10, 25);

	(void)state;
	/* 01:59:59 BST, then 01:00:00 GMT one second later. */
	local_is(AUTUMN_2026 - 1, day, 119, 59, 3600);
	local_is(AUTUMN_2026, day, 60, 0, 0);
	local_is(AUTUMN_2026 - 3600, day, 60, 0, 3600);
	local_is(AUTUMN_2026 + 3600, day, 120, 0, 0);

	assert_int_equal(clock_from_local(day, 0), AUTUMN_2026 - 2 * 3600);
	assert_int_equal(clock_from_local(day, 59), AUTUMN_2026 - 3600 - 60);
	assert_int_equal(clock_from_local(day, 120), AUTUMN_2026 + 3600);
	assert_int_equal(clock_from_local(day, 12 * 60), AUTUMN_2026 + 11 * 3600);
	/* 01:00 to 01:59 happen twice: the first (BST) is given, whatever was
	** asked before. */
	for (int m = 60; m < 120; m++) {
		(void)clock_from_local(day + 30, 12 * 60); /* a winter time */
		assert_int_equal(clock_from_local(day, m), AUTUMN_2026 - 3600 + (m - 60) * 60);
		(void)clock_from_local(day - 60, 12 * 60); /* a summer time */
		assert_int_equal(clock_from_local(day, m), AUTUMN_2026 - 3600 + (m - 60) * 60);
		(void)clock_from_local(day, 3 * 60); /* later the same day */
		assert_int_equal(clock_from_local(day, m), AUTUMN_2026 - 3600 + (m - 60) * 60);
	}
}

static void london_round_trip_each_minute(void **state)
{
	static const int64_t around[] = { SPRING_2026, AUTUMN_2026 };

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		for (int64_t t = around[k] - 26 * 3600; t <= around[k] + 26 * 3600; t += 60) {
			struct clock_local l;
			int64_t back;

			clock_to_local(t, &l);
			assert_int_equal(l.second, 0);
			back = clock_from_local(l.date, l.minute_of_day);
			/* Only the second pass through the repeated hour maps
			** back to the first. */
			if (k == 1 && t >= AUTUMN_2026 && t < AUTUMN_2026 + 3600)
				assert_int_equal(back, t - 3600);
			else
				assert_int_equal(back, t);
		}
	}
}

static void london_format_local(void **state)
{
	char out[26];

	(void)state;
	clock_format_local(SPRING_2026 - 1, out);
	assert_string_equal(out, "2026-03-29T00:59:59+00:00");
	clock_format_local(SPRING_2026, out);
	assert_string_equal(out, "2026-03-29T02:00:00+01:00");
	clock_format_local(AUTUMN_2026 - 1, out);
	assert_string_equal(out, "2026-10-25T01:59:59+01:00");
	clock_format_local(AUTUMN_2026, out);
	assert_string_equal(out, "2026-10-25T01:00:00+00:00");
	/* The local form parses back to the same instant on both sides. */
	for (int64_t t = SPRING_2026 - 7200; t < SPRING_2026 + 7200; t += 599) {
		int64_t back;

		clock_format_local(t, out);
		assert_int_equal(clock_parse_rfc3339(out, &back), HAT_OK);
		assert_int_equal(back, t);
	}
}

static void clock_now_is_plausible(void **state)
{
	int64_t now = clock_now();
	double a = clock_mono_ms();
	double b = clock_mono_ms();

	(void)state;
	assert_true(now > INT64_C(1735689600)); /* after 2025-01-01 */
	assert_true(now - (int64_t)time(NULL) <= 1 && (int64_t)time(NULL) - now <= 1);
	assert_true(b >= a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(civil_known_days),
		cmocka_unit_test(civil_round_trip_every_day),
		cmocka_unit_test(leap_years),
		cmocka_unit_test(parse_date),
		cmocka_unit_test(format_date),
		cmocka_unit_test(rfc3339_accepts),
		cmocka_unit_test(rfc3339_refuses),
		cmocka_unit_test(format_utc),
		cmocka_unit_test(set_zone_refuses_unknown),
		cmocka_unit_test_setup(london_spring_forward, setup_london),
		cmocka_unit_test_setup(london_fall_back, setup_london),
		cmocka_unit_test_setup(london_round_trip_each_minute, setup_london),
		cmocka_unit_test_setup(london_format_local, setup_london),
		cmocka_unit_test(clock_now_is_plausible),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
