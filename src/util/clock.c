/*
** clock.c: see clock.h.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAT_TEST_CLOCK
#include <pthread.h>
#endif

#include "clock.h"

/* Formats into out through a roomy buffer: the values are known to fit,
** but the compiler cannot see their ranges. */
static void fmt_fixed(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fmt_fixed(char *out, size_t n, const char *fmt, ...)
{
	char tmp[96];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	/* Not snprintf("%s"): gcc -O2 warns that it may truncate, which
	** -Werror makes fatal in a release build. */
	len = strlen(tmp);
	if (len >= n)
		len = n - 1;
	memcpy(out, tmp, len);
	out[len] = '\0';
}

#ifdef HAT_TEST_CLOCK
static pthread_mutex_t test_clock_lock = PTHREAD_MUTEX_INITIALIZER;
static bool test_clock_frozen;
static int64_t test_clock_value;

void clock_test_set(int64_t t)
{
	pthread_mutex_lock(&test_clock_lock);
	test_clock_frozen = true;
	test_clock_value = t;
	pthread_mutex_unlock(&test_clock_lock);
}

void clock_test_advance(int64_t s)
{
	int64_t base = clock_now();

	pthread_mutex_lock(&test_clock_lock);
	test_clock_frozen = true;
	test_clock_value = base + s;
	pthread_mutex_unlock(&test_clock_lock);
}
#endif

int64_t clock_now(void)
{
	struct timespec ts;

#ifdef HAT_TEST_CLOCK
	int64_t v = 0;
	bool frozen;

	pthread_mutex_lock(&test_clock_lock);
	frozen = test_clock_frozen;
	if (frozen)
		v = test_clock_value;
	pthread_mutex_unlock(&test_clock_lock);
	if (frozen)
		return v;
#endif
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

double clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

enum hat_err clock_set_zone(const char *zone)
{
	char path[512];
	int n;

	/* A zone name must name a file in the system database; a typo would
	** otherwise silently mean UTC. */
	if (!zone || !*zone || strstr(zone, ".."))
		return HAT_E_INVALID_VALUE;
	n = snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	if (n < 0 || (size_t)n >= sizeof path)
		return HAT_E_INVALID_VALUE;
	/* A folder ("Europe") opens too, so check for a zone file's magic. */
	FILE *f = fopen(path, "rb");
	char magic[4];
	if (!f)
		return HAT_E_INVALID_VALUE;
	bool is_zone = fread(magic, 1, sizeof magic, f) == sizeof magic &&
		       memcmp(magic, "TZif", 4) == 0;
	fclose(f);
	if (!is_zone)
		return HAT_E_INVALID_VALUE;
	if (setenv("TZ", zone, 1) != 0)
		return HAT_E_NOMEM;
	tzset();
	return HAT_OK;
}

/* Howard Hinnant's days_from_civil, exact for the whole int32 range we use. */
int32_t clock_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2u) / 5u + (unsigned)d - 1u;
	const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
	return era * 146097 + (int32_t)doe - 719468;
}

void clock_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
	const int32_t yy = (int32_t)yoe + era * 400;
	const unsigned doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
	const unsigned mp = (5u * doy + 2u) / 153u;
	const unsigned dd = doy - (153u * mp + 2u) / 5u + 1u;
	const unsigned mm = mp < 10u ? mp + 3u : mp - 9u;
	*y = (int)(yy + (mm <= 2u));
	*m = (int)mm;
	*d = (int)dd;
}

void clock_to_local(int64_t t, struct clock_local *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	out->date = clock_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	out->minute_of_day = tm.tm_hour * 60 + tm.tm_min;
	out->second = tm.tm_sec;
	out->utc_offset_s = (int)tm.tm_gmtoff;
}

/* The clinic's UTC offset at instant t. */
static int64_t offset_at(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return (int64_t)tm.tm_gmtoff;
}

int32_t clock_local_date(int64_t t)
{
	struct clock_local l;

	clock_to_local(t, &l);
	return l.date;
}

int64_t clock_from_local(int32_t date, int minute_of_day)
{
	/* Not mktime(): with tm_isdst = -1 glibc resolves an overlap from a
	** hint left by earlier calls, so the same local time could give either
	** instant.  Instead try the offsets in force a day either side (no
	** zone changes twice within two days) and pick by the contract. */
	int64_t naive = (int64_t)date * 86400 + (int64_t)minute_of_day * 60;
	int64_t a = naive - offset_at(naive - 86400);
	int64_t b = naive - offset_at(naive + 86400);
	bool a_ok = a + offset_at(a) == naive;
	bool b_ok = b + offset_at(b) == naive;
	int64_t lo, hi, mid;

	if (a_ok && b_ok)
		return a < b ? a : b; /* an overlap: the first of the two */
	if (a_ok)
		return a;
	if (b_ok)
		return b;
	/* A gap: the first instant whose local time is past it, which is the
	** moment the clocks changed. */
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (mid + offset_at(mid) >= naive)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

static bool parse_digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static bool valid_civil(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int max;

	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
		return false;
	max = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	return d <= max;
}

enum hat_err clock_parse_date(const char *s, int32_t *out)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return HAT_E_INVALID_DATE;
	if (!parse_digits(s, 4, &y) || !parse_digits(s + 5, 2, &m) ||
	    !parse_digits(s + 8, 2, &d) || !valid_civil(y, m, d))
		return HAT_E_INVALID_DATE;
	*out = clock_days_from_civil(y, m, d);
	return HAT_OK;
}

void clock_format_date(int32_t days, char out[11])
{
	int y, m, d;

	clock_civil_from_days(days, &y, &m, &d);
	fmt_fixed(out, 11, "%04d-%02d-%02d", y % 10000, m, d);
}

enum hat_err clock_parse_rfc3339(const char *s, int64_t *out)
{
	int32_t days;
	int hh, mm, ss, oh, om;
	char date[11];
	const char *p;
	int64_t offset = 0;

	if (!s || strlen(s) < 20 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return HAT_E_INVALID_DATE;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (clock_parse_date(date, &days) != HAT_OK)
		return HAT_E_INVALID_DATE;
	if (s[13] != ':' || s[16] != ':' || !parse_digits(s + 11, 2, &hh) ||
	    !parse_digits(s + 14, 2, &mm) || !parse_digits(s + 17, 2, &ss) ||
	    hh > 23 || mm > 59 || ss > 60)
		return HAT_E_INVALID_DATE;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return HAT_E_INVALID_DATE;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		if (strlen(p) != 6 || p[3] != ':' || !parse_digits(p + 1, 2, &oh) ||
		    !parse_digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return HAT_E_INVALID_DATE;
		offset = (int64_t)(oh * 3600 + om * 60);
		if (*p == '-')
			offset = -offset;
		p += 6;
	} else {
		return HAT_E_INVALID_DATE;
	}
	if (*p != '\0')
		return HAT_E_INVALID_DATE;
	if (ss == 60)
		ss = 59; /* a leap second is stored as the second before it */
	*out = (int64_t)days * 86400 + hh * 3600 + mm * 60 + ss - offset;
	return HAT_OK;
}

void clock_format_utc(int64_t t, char out[21])
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t rem = t - days * 86400;
	int y, m, d;

	clock_civil_from_days((int32_t)days, &y, &m, &d);
	fmt_fixed(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", y % 10000, m, d,
		 (int)(rem / 3600), (int)(rem % 3600 / 60), (int)(rem % 60));
}

void clock_format_local(int64_t t, char out[26])
{
	struct clock_local l;
	int y, m, d;
	int off;
	char sign = '+';

	clock_to_local(t, &l);
	clock_civil_from_days(l.date, &y, &m, &d);
	off = l.utc_offset_s;
	if (off < 0) {
		sign = '-';
		off = -off;
	}
	fmt_fixed(out, 26, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y % 10000, m, d,
		 l.minute_of_day / 60, l.minute_of_day % 60, l.second, sign,
		 off / 3600 % 100, off % 3600 / 60);
}
