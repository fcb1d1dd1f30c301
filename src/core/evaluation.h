/*
** evaluation.h: the arithmetic of the service evaluation report:
** retention as a Kaplan-Meier estimate (people still in treatment are
** censored at the end of the period, never dropped and never counted as
** retained beyond what was seen), the small-number rule of public-health
** reporting, and a median.
**
** Pure functions: no I/O, no clock, nothing allocated.  Dates are day
** numbers.
*/
#ifndef HAT_CORE_EVALUATION_H
#define HAT_CORE_EVALUATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Aggregate counts of 1..EVAL_SUPPRESS_UNDER-1 people are not shown. */
#define EVAL_SUPPRESS_UNDER 5

/* One episode's time in treatment: from its first dose (start) to its
** discharge (left: true) or to the end of what was seen (left: false,
** censored). */
struct eval_span {
	int32_t start;
	int32_t end;
	bool left;
};

struct eval_retention {
	double survival;   /* the estimated share still in treatment at day t */
	int64_t at_risk;   /* episodes followed at least t days */
	int64_t left;      /* episodes that left before day t */
	int64_t censored;  /* episodes censored before day t */
	bool known;        /* false when nobody was followed to t and the last
			   ** one seen was censored: the estimate is not known */
};

/*
** The Kaplan-Meier estimate of being still in treatment t days after the
** start: the product over each day d < t on which someone left of
** (1 - leaving on d / in treatment on d).  An episode that ends t days in
** (a discharge on day start + t) counts as retained at t; one that ends
** on day t - 1 does not.  Censored episodes count in the denominators
** until their end.  Errors: HAT_E_DATE_ORDER for a span that ends before
** it starts (*bad, may be NULL, its index); HAT_E_OUT_OF_RANGE for t < 1.
*/
enum hat_err eval_km(const struct eval_span *spans, size_t n, int32_t t, struct eval_retention *out,
		     size_t *bad);

/* Should a count of people be suppressed (1..EVAL_SUPPRESS_UNDER-1)?  A zero
** discloses nobody and is shown. */
bool eval_suppressed(int64_t people);

/* Should a rate over a denominator of people be suppressed (under
** EVAL_SUPPRESS_UNDER, zero included: a rate of nobody is not a rate)? */
bool eval_rate_suppressed(int64_t denominator);

/* The median of v[0..n-1] (sorted in place); false when n is 0. */
bool eval_median(int32_t *v, size_t n, double *out);

/* The age band of someone born on birth on day on, for pseudonymised
** rows, which carry no date of birth: "under 18", "18-24", "25-34",
** "35-44", "45-54", "55-64", "65+".  A birthday is reached on its day. */
const char *eval_age_band(int32_t birth, int32_t on);

#endif
