/*
** evaluation.c: see evaluation.h.
*/
#include <stdlib.h>

#include "evaluation.h"
#include "util/clock.h"

bool eval_suppressed(int64_t people)
{
	return people > 0 && people < EVAL_SUPPRESS_UNDER;
}

bool eval_rate_suppressed(int64_t denominator)
{
	return denominator < EVAL_SUPPRESS_UNDER;
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

bool eval_median(int32_t *v, size_t n, double *out)
{
	if (n == 0)
		return false;
	qsort(v, n, sizeof *v, cmp_i32);
	if (n % 2)
		*out = v[n / 2];
	else
		*out = ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
	return true;
}

enum hat_err eval_km(const struct eval_span *spans, size_t n, int32_t t, struct eval_retention *out,
		     size_t *bad)
{
	double s = 1.0;
	int32_t last_left = -1, last_censored = -1;

	out->survival = 1.0;
	out->at_risk = out->left = out->censored = 0;
	out->known = true;
	if (t < 1)
		return HAT_E_OUT_OF_RANGE;
	for (size_t i = 0; i < n; i++) {
		int32_t d = spans[i].end - spans[i].start;

		if (spans[i].end < spans[i].start) {
			if (bad)
				*bad = i;
			return HAT_E_DATE_ORDER;
		}
		if (d >= t)
			out->at_risk++;
		else if (spans[i].left) {
			out->left++;
			last_left = d > last_left ? d : last_left;
		} else {
			out->censored++;
			last_censored = d > last_censored ? d : last_censored;
		}
	}
	/* Each distinct day someone left, before t: the share in treatment
	** on that day (followed at least that long) that stayed.  A quadratic
	** walk: a service's episodes number hundreds, not millions. */
	for (int32_t day = 0; day < t; day++) {
		int64_t risk = 0, gone = 0;
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			int32_t d = spans[i].end - spans[i].start;

			if (spans[i].left && d == day)
				any = true;
		}
		if (!any)
			continue;
		for (size_t i = 0; i < n; i++) {
			int32_t d = spans[i].end - spans[i].start;

			risk += d >= day;
			gone += spans[i].left && d == day;
		}
		s *= 1.0 - (double)gone / (double)risk;
	}
	out->survival = s;
	/* Nobody followed to t and the last seen was censored after the last
	** leaving (or nobody at all): the curve stops before t. */
	if (out->at_risk == 0 && (n == 0 || last_censored >= last_left) && s > 0.0)
		out->known = false;
	return HAT_OK;
}

const char *eval_age_band(int32_t birth, int32_t on)
{
	static const struct { int from; const char *name; } bands[] = {
		{ 65, "65+" }, { 55, "55-64" }, { 45, "45-54" }, { 35, "35-44" },
		{ 25, "25-34" }, { 18, "18-24" },
	};
	int by, bm, bd, y, m, d, age;

	clock_civil_from_days(birth, &by, &bm, &bd);
	clock_civil_from_days(on, &y, &m, &d);
	age = y - by - (m < bm || (m == bm && d < bd));
	for (size_t i = 0; i < sizeof bands / sizeof bands[0]; i++)
		if (age >= bands[i].from)
			return bands[i].name;
	return "under 18";
}
