/*
** clock.h: the one place hat reads the time, and calendar arithmetic.
**
** Instants are int64_t Unix seconds in UTC.  Calendar dates are int32_t day
** numbers (days since 1970-01-01) in the proleptic Gregorian calendar.  The
** clinic's local time comes from the system time-zone database through the
** process's TZ, which clock_set_zone() sets once at start-up, before any
** thread starts (localtime_r is then safe to call from every thread).
**
** core/ never calls clock_now(): callers read the time here and pass it in.
** In a build with HAT_TEST_CLOCK the API tests may freeze and advance the
** clock; a release build has no way to do so.
*/
#ifndef HAT_UTIL_CLOCK_H
#define HAT_UTIL_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The current time in UTC seconds (the test clock when one is set). */
int64_t clock_now(void);

/* Milliseconds from a monotonic clock, for measuring durations only. */
double clock_mono_ms(void);

#ifdef HAT_TEST_CLOCK
/* Freezes the clock at t; clock_now() returns it until changed. */
void clock_test_set(int64_t t);
/* Moves a frozen clock forward by s seconds (freezing it at now first). */
void clock_test_advance(int64_t s);
#endif

/* Sets the clinic's time zone (e.g. "Europe/London") for local times.
** Call once before starting threads.  Returns HAT_E_INVALID_VALUE if the
** zone is not in the system database. */
enum hat_err clock_set_zone(const char *zone);

/* A moment as the clinic sees it. */
struct clock_local {
	int32_t date;       /* local calendar day number */
	int minute_of_day;  /* 0..1439 */
	int second;         /* 0..59 */
	int utc_offset_s;   /* local minus UTC, e.g. 3600 in British Summer Time */
};

/* Converts an instant to clinic-local date and minute. */
void clock_to_local(int64_t t, struct clock_local *out);

/* The clinic-local calendar date of an instant. */
int32_t clock_local_date(int64_t t);

/* The instant of a local date and minute of day.  In a gap (clocks go
** forward) it gives the instant after the gap; in an overlap (clocks go
** back) the first of the two. */
int64_t clock_from_local(int32_t date, int minute_of_day);

/* Day number <-> year, month (1..12), day (1..31). */
int32_t clock_days_from_civil(int y, int m, int d);
void clock_civil_from_days(int32_t days, int *y, int *m, int *d);

/* Parses "YYYY-MM-DD" into a day number; HAT_E_INVALID_DATE otherwise. */
enum hat_err clock_parse_date(const char *s, int32_t *out);

/* Writes "YYYY-MM-DD" (11 bytes with the NUL). */
void clock_format_date(int32_t days, char out[11]);

/* Parses RFC 3339 ("2026-11-24T08:30:00Z", "...+01:00", fractional seconds
** ignored) into UTC seconds; HAT_E_INVALID_DATE otherwise. */
enum hat_err clock_parse_rfc3339(const char *s, int64_t *out);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (21 bytes with the NUL). */
void clock_format_utc(int64_t t, char out[21]);

/* Writes t in local time with its offset, "YYYY-MM-DDTHH:MM:SS+01:00"
** (26 bytes with the NUL). */
void clock_format_local(int64_t t, char out[26]);

#endif
