/*
** test_cdreg.c: the controlled-drug register's pure rules, each at its edge
** and one past it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/cdreg.h"
#include "util/err.h"

#define MG(x) ((int64_t)(x) * 1000)
#define TODAY 20000		/* a local day number; 2024-10-04 */

/* Sentinels that a refused call must leave alone. */
#define UNTOUCHED_N ((size_t)777)
#define UNTOUCHED_W ((int64_t)-777)

static struct cdreg_lot lot(int64_t id, int64_t strength_mg, int64_t available,
			    int32_t expiry)
{
	struct cdreg_lot l = { id, MG(strength_mg), available, expiry, false };
	return l;
}

/* How many ampoules of a strength a choice uses. */
static int64_t count_of(const struct cdreg_pick *p, size_t n, int64_t strength_mg)
{
	int64_t c = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i].strength_ug == MG(strength_mg))
			c += p[i].count;
	}
	return c;
}

static int64_t total_count(const struct cdreg_pick *p, size_t n)
{
	int64_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += p[i].count;
	return c;
}

static enum hat_err choose(const struct cdreg_lot *lots, size_t n, int64_t dose_mg,
			   struct cdreg_pick *out, size_t *np, int64_t *waste)
{
	return cdreg_choose_ampoules(lots, n, MG(dose_mg), TODAY, out, 16, np, waste);
}

/* ---- ampoule choice: the examples ---- */

static void choose_230_from_100_30_10(void **state)
{
	struct cdreg_lot lots[] = {
		lot(1, 100, 10, TODAY + 100), lot(2, 30, 10, TODAY + 100),
		lot(3, 10, 10, TODAY + 100),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;
	int64_t content = 0;

	(void)state;
	assert_int_equal(choose(lots, 3, 230, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].strength_ug, MG(100));
	assert_int_equal(p[0].count, 2);
	assert_int_equal(p[0].lot_index, 0);
	assert_int_equal(p[0].lot_id, 1);
	assert_int_equal(p[1].strength_ug, MG(30));
	assert_int_equal(p[1].count, 1);
	assert_int_equal(cdreg_picks_content(p, n, &content), HAT_OK);
	assert_int_equal(content, MG(230));
}

static void choose_230_from_100_only(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 100, 10, TODAY + 100) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 1, 230, p, &n, &waste), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].count, 3);
	assert_int_equal(waste, MG(70));
}

static void choose_last_100_left(void **state)
{
	/* Only one 100 mg left: 230 = 100 + 4x30 + 10 (six ampoules, no
	** waste) beats 7x30 + 2x10 (nine). */
	struct cdreg_lot lots[] = {
		lot(1, 100, 1, TODAY + 100), lot(2, 30, 10, TODAY + 100),
		lot(3, 10, 10, TODAY + 100),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 3, 230, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(count_of(p, n, 100), 1);
	assert_int_equal(count_of(p, n, 30), 4);
	assert_int_equal(count_of(p, n, 10), 1);
}

static void choose_last_ampoules_exactly_enough(void **state)
{
	/* The stock is exactly the dose: every ampoule is used. */
	struct cdreg_lot lots[] = { lot(1, 100, 2, TODAY + 1), lot(2, 30, 1, TODAY + 1) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 230, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(total_count(p, n), 3);
}

static void choose_one_short_is_refused(void **state)
{
	/* One past: 10 mg short of the dose. */
	struct cdreg_lot lots[] = { lot(1, 100, 2, TODAY + 1), lot(2, 10, 2, TODAY + 1) };
	struct cdreg_pick p[16];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	memset(p, 0xA5, sizeof p);
	assert_int_equal(choose(lots, 2, 230, p, &n, &waste), HAT_E_NO_STOCK);
	assert_int_equal(n, UNTOUCHED_N);
	assert_int_equal(waste, UNTOUCHED_W);
	assert_int_equal(p[0].count, (int64_t)0xA5A5A5A5A5A5A5A5ULL);
}

static void choose_no_stock(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 100, 0, TODAY + 1) };
	struct cdreg_pick p[16];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	assert_int_equal(choose(NULL, 0, 100, p, &n, &waste), HAT_E_NO_STOCK);
	assert_int_equal(choose(lots, 1, 100, p, &n, &waste), HAT_E_NO_STOCK);
	assert_int_equal(n, UNTOUCHED_N);
	assert_int_equal(waste, UNTOUCHED_W);
}

static void choose_quarantined_passed_over(void **state)
{
	struct cdreg_lot lots[] = {
		lot(1, 100, 10, TODAY + 100), lot(2, 30, 10, TODAY + 100),
		lot(3, 10, 10, TODAY + 100),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	lots[0].quarantined = true;
	assert_int_equal(choose(lots, 3, 100, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(count_of(p, n, 100), 0);
	assert_int_equal(count_of(p, n, 30), 3);
	assert_int_equal(count_of(p, n, 10), 1);

	/* All quarantined: refused, not chosen. */
	lots[1].quarantined = true;
	lots[2].quarantined = true;
	assert_int_equal(choose(lots, 3, 100, p, &n, &waste), HAT_E_NO_STOCK);
}

static void choose_expired_passed_over(void **state)
{
	/* Usable through its expiry day; expired the day after. */
	struct cdreg_lot lots[] = { lot(1, 100, 5, TODAY - 1), lot(2, 100, 5, TODAY) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].lot_id, 2);
	assert_int_equal(p[0].lot_index, 1);

	lots[1].expiry = TODAY - 1;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_E_NO_STOCK);
}

static void choose_earliest_expiry_same_strength(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 100, 5, TODAY + 30), lot(2, 100, 5, TODAY + 10) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 200, p, &n, &waste), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].lot_id, 2);
	assert_int_equal(p[0].count, 2);
	assert_int_equal(p[0].expiry, TODAY + 10);
}

static void choose_same_expiry_lower_lot_id(void **state)
{
	struct cdreg_lot lots[] = { lot(9, 100, 5, TODAY + 10), lot(4, 100, 5, TODAY + 10) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].lot_id, 4);
}

static void choose_split_across_lots(void **state)
{
	/* The earliest lot has one ampoule left: take it, then the next. */
	struct cdreg_lot lots[] = {
		lot(1, 100, 5, TODAY + 30), lot(2, 100, 1, TODAY + 10),
		lot(3, 100, 5, TODAY + 20),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 3, 300, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].lot_id, 2);
	assert_int_equal(p[0].count, 1);
	assert_int_equal(p[1].lot_id, 3);
	assert_int_equal(p[1].count, 2);
}

static void choose_waste_before_count(void **state)
{
	/* 95 mg: nineteen 5 mg (no waste) beats one 100 mg (5 mg waste). */
	struct cdreg_lot lots[] = { lot(1, 100, 5, TODAY + 9), lot(2, 5, 50, TODAY + 9) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 95, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(count_of(p, n, 5), 19);
	assert_int_equal(count_of(p, n, 100), 0);

	/* One 5 mg short of that: the 100 mg and its 5 mg of waste. */
	lots[1].available = 18;
	assert_int_equal(choose(lots, 2, 95, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, MG(5));
	assert_int_equal(count_of(p, n, 100), 1);
	assert_int_equal(total_count(p, n), 1);
}

static void choose_count_before_expiry(void **state)
{
	/* One 100 mg expiring later beats ten 10 mg expiring tomorrow. */
	struct cdreg_lot lots[] = { lot(1, 100, 5, TODAY + 300), lot(2, 10, 20, TODAY + 1) };
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].lot_id, 1);
}

static void choose_tie_across_strengths_by_expiry(void **state)
{
	/* Methadone 70 mg: 50+20 or 35+35, both two ampoules, no waste. */
	struct cdreg_lot lots[] = {
		lot(1, 50, 5, TODAY + 30), lot(2, 20, 5, TODAY + 30),
		lot(3, 35, 5, TODAY + 10),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 3, 70, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(count_of(p, n, 35), 2);

	/* The 20 mg expires soonest: 50+20 uses it. */
	lots[1].expiry = TODAY + 5;
	assert_int_equal(choose(lots, 3, 70, p, &n, &waste), HAT_OK);
	assert_int_equal(count_of(p, n, 50), 1);
	assert_int_equal(count_of(p, n, 20), 1);

	/* Same expiries everywhere: more of the larger strengths. */
	lots[1].expiry = TODAY + 30;
	lots[2].expiry = TODAY + 30;
	assert_int_equal(choose(lots, 3, 70, p, &n, &waste), HAT_OK);
	assert_int_equal(count_of(p, n, 50), 1);
	assert_int_equal(count_of(p, n, 20), 1);
}

static void choose_dose_not_a_multiple(void **state)
{
	struct cdreg_lot lots[] = {
		lot(1, 100, 9, TODAY + 9), lot(2, 30, 9, TODAY + 9),
		lot(3, 10, 9, TODAY + 9), lot(4, 5, 9, TODAY + 9),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(cdreg_choose_ampoules(lots, 4, MG(231), TODAY, p, 16, &n, &waste),
			 HAT_OK);
	assert_int_equal(waste, MG(4));
	assert_int_equal(total_count(p, n), 4);	/* 2x100 + 30 + 5 */
	assert_int_equal(count_of(p, n, 5), 1);
	assert_int_equal(cdreg_choose_ampoules(lots, 4, 1, TODAY, p, 16, &n, &waste), HAT_OK);
	assert_int_equal(waste, MG(5) - 1);
}

static void choose_dose_range(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 500, 10, TODAY + 9) };
	struct cdreg_pick p[16];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	assert_int_equal(cdreg_choose_ampoules(lots, 1, 0, TODAY, p, 16, &n, &waste),
			 HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_choose_ampoules(lots, 1, -1, TODAY, p, 16, &n, &waste),
			 HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_choose_ampoules(lots, 1, CDREG_DOSE_MAX_UG + 1, TODAY, p, 16,
					       &n, &waste), HAT_E_OUT_OF_RANGE);
	assert_int_equal(n, UNTOUCHED_N);
	assert_int_equal(cdreg_choose_ampoules(lots, 1, CDREG_DOSE_MAX_UG, TODAY, p, 16,
					       &n, &waste), HAT_OK);
	assert_int_equal(p[0].count, 4);
	assert_int_equal(waste, 0);
}

static void choose_bad_lot_data(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 100, 10, TODAY + 9), lot(2, 30, 1, TODAY + 9) };
	struct cdreg_pick p[16];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	/* Even an unusable lot with bad numbers is refused, not ignored. */
	lots[1].quarantined = true;
	lots[1].available = -1;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_E_OUT_OF_RANGE);
	lots[1].available = 1;
	lots[1].strength_ug = 0;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_E_OUT_OF_RANGE);
	lots[1].strength_ug = CDREG_STRENGTH_MAX_UG + 1;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_E_OUT_OF_RANGE);
	assert_int_equal(n, UNTOUCHED_N);
	lots[1].strength_ug = CDREG_STRENGTH_MAX_UG;
	assert_int_equal(choose(lots, 2, 100, p, &n, &waste), HAT_OK);
}

static void choose_huge_available_no_overflow(void **state)
{
	struct cdreg_lot lots[] = {
		lot(1, 100, INT64_MAX, TODAY + 9), lot(2, 100, INT64_MAX, TODAY + 8),
		lot(3, 5, INT64_MAX, TODAY + 9),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	assert_int_equal(choose(lots, 3, 1000, p, &n, &waste), HAT_OK);
	assert_int_equal(waste, 0);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].lot_id, 2);
	assert_int_equal(p[0].count, 10);
}

static void choose_strength_limit(void **state)
{
	struct cdreg_lot lots[CDREG_MAX_STRENGTHS + 1];
	struct cdreg_pick p[16];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	for (size_t i = 0; i <= CDREG_MAX_STRENGTHS; i++)
		lots[i] = lot((int64_t)i + 1, 10 * ((int64_t)i + 1), 3, TODAY + 9);
	assert_int_equal(choose(lots, CDREG_MAX_STRENGTHS, 100, p, &n, &waste), HAT_OK);
	assert_int_equal(choose(lots, CDREG_MAX_STRENGTHS + 1, 100, p, &n, &waste),
			 HAT_E_OUT_OF_RANGE);
	/* A ninth strength that is unusable does not count. */
	lots[CDREG_MAX_STRENGTHS].quarantined = true;
	assert_int_equal(choose(lots, CDREG_MAX_STRENGTHS + 1, 100, p, &n, &waste), HAT_OK);
}

static void choose_out_cap_and_nulls(void **state)
{
	struct cdreg_lot lots[] = { lot(1, 100, 1, TODAY + 1), lot(2, 100, 5, TODAY + 2) };
	struct cdreg_pick p[2];
	size_t n = UNTOUCHED_N;
	int64_t waste = UNTOUCHED_W;

	(void)state;
	/* Two picks needed: a cap of one is a programming error. */
	assert_int_equal(cdreg_choose_ampoules(lots, 2, MG(200), TODAY, p, 1, &n, &waste),
			 HAT_E_INTERNAL);
	assert_int_equal(n, UNTOUCHED_N);
	assert_int_equal(waste, UNTOUCHED_W);
	assert_int_equal(cdreg_choose_ampoules(lots, 2, MG(200), TODAY, p, 2, &n, &waste),
			 HAT_OK);
	assert_int_equal(n, 2);
	assert_int_equal(cdreg_choose_ampoules(NULL, 2, MG(200), TODAY, p, 2, &n, &waste),
			 HAT_E_INTERNAL);
	assert_int_equal(cdreg_choose_ampoules(lots, 2, MG(200), TODAY, NULL, 2, &n, &waste),
			 HAT_E_INTERNAL);
	assert_int_equal(cdreg_choose_ampoules(lots, 2, MG(200), TODAY, p, 2, NULL, &waste),
			 HAT_E_INTERNAL);
	assert_int_equal(cdreg_choose_ampoules(lots, 2, MG(200), TODAY, p, 2, &n, NULL),
			 HAT_E_INTERNAL);
}

static void choose_every_dose_full_diamorphine_stock(void **state)
{
	/* Every whole-mg dose up to 1 g from all five strengths: the waste is
	** always the dose rounded up to 5 mg, and fewest ampoules at that. */
	struct cdreg_lot lots[] = {
		lot(1, 5, 200, TODAY + 9), lot(2, 10, 100, TODAY + 9),
		lot(3, 30, 40, TODAY + 9), lot(4, 100, 12, TODAY + 9),
		lot(5, 500, 3, TODAY + 9),
	};
	struct cdreg_pick p[16];
	size_t n = 0;
	int64_t waste = -1;

	(void)state;
	for (int64_t d = 1; d <= 1000; d++) {
		int64_t want = (d + 4) / 5 * 5 - d;

		assert_int_equal(choose(lots, 5, d, p, &n, &waste), HAT_OK);
		assert_int_equal(waste, MG(want));
	}
	/* 1000 mg is two 500 mg ampoules. */
	assert_int_equal(choose(lots, 5, 1000, p, &n, &waste), HAT_OK);
	assert_int_equal(total_count(p, n), 2);
}

/* ---- ampoule choice against exhaustive search ---- */

static uint32_t rng_state = 12345;

static uint32_t rng(uint32_t bound)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % bound;
}

#define BF_LOTS 5
#define BF_MAXC 48

struct bf_best {
	bool have;
	int64_t waste;
	int64_t count;
	int32_t exp[BF_MAXC];
};

static void sort_i32(int32_t *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int32_t t = a[i];
		size_t j = i;

		while (j > 0 && a[j - 1] > t) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = t;
	}
}

/* Whether sorted expiries a are earlier than b at the first difference. */
static bool expiries_earlier(const int32_t *a, const int32_t *b, int64_t n)
{
	for (int64_t k = 0; k < n; k++) {
		if (a[k] != b[k])
			return a[k] < b[k];
	}
	return false;
}

/* Tries every count of every lot: the key is (waste, count, sorted
** expiries), as the header promises. */
static void bf_walk(const struct cdreg_lot *lots, size_t n, size_t i, int64_t dose,
		    int64_t *counts, struct bf_best *best)
{
	if (i == n) {
		int64_t total = 0;
		int64_t c = 0;
		int32_t exp[BF_MAXC];
		bool better;

		for (size_t j = 0; j < n; j++) {
			total += counts[j] * lots[j].strength_ug;
			for (int64_t k = 0; k < counts[j]; k++)
				exp[c++] = lots[j].expiry;
		}
		if (total < dose)
			return;
		sort_i32(exp, (size_t)c);
		if (!best->have)
			better = true;
		else if (total - dose != best->waste)
			better = total - dose < best->waste;
		else if (c != best->count)
			better = c < best->count;
		else
			better = expiries_earlier(exp, best->exp, c);
		if (better) {
			best->have = true;
			best->waste = total - dose;
			best->count = c;
			memcpy(best->exp, exp, sizeof exp);
		}
		return;
	}
	{
		bool usable = !lots[i].quarantined && lots[i].expiry >= TODAY;
		int64_t max = usable ? lots[i].available : 0;

		for (int64_t k = 0; k <= max; k++) {
			counts[i] = k;
			bf_walk(lots, n, i + 1, dose, counts, best);
		}
		counts[i] = 0;
	}
}

static void choose_matches_exhaustive_search(void **state)
{
	static const int64_t strengths_mg[] = { 5, 10, 20, 30, 35, 50, 100 };

	(void)state;
	for (int round = 0; round < 4000; round++) {
		struct cdreg_lot lots[BF_LOTS];
		struct cdreg_pick p[BF_LOTS];
		int64_t counts[BF_LOTS] = { 0 };
		struct bf_best best;
		size_t nlots = 1 + rng(BF_LOTS);
		int64_t dose = MG(1 + rng(300));
		size_t n = 0;
		int64_t waste = -1;
		enum hat_err rc;

		memset(&best, 0, sizeof best);
		for (size_t i = 0; i < nlots; i++) {
			lots[i] = lot((int64_t)rng(4) + 1, strengths_mg[rng(7)], rng(5),
				      TODAY - 2 + (int32_t)rng(8));
			lots[i].quarantined = rng(8) == 0;
		}
		bf_walk(lots, nlots, 0, dose, counts, &best);
		rc = cdreg_choose_ampoules(lots, nlots, dose, TODAY, p, BF_LOTS, &n, &waste);
		if (!best.have) {
			assert_int_equal(rc, HAT_E_NO_STOCK);
			continue;
		}
		assert_int_equal(rc, HAT_OK);
		assert_int_equal(waste, best.waste);
		{
			int32_t exp[BF_MAXC];
			int64_t c = 0;
			int64_t content = 0;

			for (size_t i = 0; i < n; i++) {
				const struct cdreg_lot *l = &lots[p[i].lot_index];

				assert_true(p[i].count >= 1);
				assert_true(p[i].count <= l->available);
				assert_false(l->quarantined);
				assert_true(l->expiry >= TODAY);
				assert_int_equal(p[i].strength_ug, l->strength_ug);
				for (int64_t k = 0; k < p[i].count; k++)
					exp[c++] = l->expiry;
				content += p[i].count * p[i].strength_ug;
			}
			assert_int_equal(c, best.count);
			assert_int_equal(content - dose, waste);
			sort_i32(exp, (size_t)c);
			assert_memory_equal(exp, best.exp, (size_t)c * sizeof exp[0]);
		}
	}
}

/* ---- balances ---- */

static void apply_kinds(void **state)
{
	int64_t b = -1;

	(void)state;
	assert_int_equal(cdreg_apply(0, CDREG_KIND_OPENING, 12, &b), HAT_OK);
	assert_int_equal(b, 12);
	assert_int_equal(cdreg_apply(0, CDREG_KIND_OPENING, 0, &b), HAT_OK);
	assert_int_equal(b, 0);
	assert_int_equal(cdreg_apply(12, CDREG_KIND_RECEIPT, 10, &b), HAT_OK);
	assert_int_equal(b, 22);
	assert_int_equal(cdreg_apply(22, CDREG_KIND_ADMINISTRATION, 3, &b), HAT_OK);
	assert_int_equal(b, 19);
	assert_int_equal(cdreg_apply(19, CDREG_KIND_DESTRUCTION, 4, &b), HAT_OK);
	assert_int_equal(b, 15);
	assert_int_equal(cdreg_apply(15, CDREG_KIND_CORRECTION, 1, &b), HAT_OK);
	assert_int_equal(b, 16);
	assert_int_equal(cdreg_apply(16, CDREG_KIND_CORRECTION, -2, &b), HAT_OK);
	assert_int_equal(b, 14);
}

static void apply_never_negative(void **state)
{
	int64_t b = UNTOUCHED_W;

	(void)state;
	assert_int_equal(cdreg_apply(3, CDREG_KIND_ADMINISTRATION, 4, &b), HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(cdreg_apply(3, CDREG_KIND_DESTRUCTION, 4, &b), HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(cdreg_apply(3, CDREG_KIND_CORRECTION, -4, &b), HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(cdreg_apply(3, CDREG_KIND_CORRECTION, INT64_MIN, &b),
			 HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(cdreg_apply(0, CDREG_KIND_ADMINISTRATION, 1, &b), HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(b, UNTOUCHED_W);
	/* The edge: down to exactly zero. */
	assert_int_equal(cdreg_apply(3, CDREG_KIND_ADMINISTRATION, 3, &b), HAT_OK);
	assert_int_equal(b, 0);
	assert_int_equal(cdreg_apply(3, CDREG_KIND_DESTRUCTION, 3, &b), HAT_OK);
	assert_int_equal(b, 0);
	assert_int_equal(cdreg_apply(3, CDREG_KIND_CORRECTION, -3, &b), HAT_OK);
	assert_int_equal(b, 0);
}

static void apply_ranges(void **state)
{
	int64_t b = UNTOUCHED_W;

	(void)state;
	assert_int_equal(cdreg_apply(5, CDREG_KIND_RECEIPT, 0, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(5, CDREG_KIND_RECEIPT, -1, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(5, CDREG_KIND_ADMINISTRATION, 0, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(5, CDREG_KIND_DESTRUCTION, -1, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(5, CDREG_KIND_CORRECTION, 0, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(0, CDREG_KIND_OPENING, -1, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(-1, CDREG_KIND_RECEIPT, 1, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(1, CDREG_KIND_OPENING, 5, &b), HAT_E_CONFLICT);
	assert_int_equal(cdreg_apply(1, (enum cdreg_kind)99, 5, &b), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_apply(1, (enum cdreg_kind)0, 5, &b), HAT_E_INVALID_VALUE);
	/* Overflow, at the edge and one past. */
	assert_int_equal(cdreg_apply(INT64_MAX - 2, CDREG_KIND_RECEIPT, 3, &b), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_apply(INT64_MAX - 2, CDREG_KIND_CORRECTION, 3, &b),
			 HAT_E_OUT_OF_RANGE);
	assert_int_equal(b, UNTOUCHED_W);
	assert_int_equal(cdreg_apply(INT64_MAX - 2, CDREG_KIND_RECEIPT, 2, &b), HAT_OK);
	assert_int_equal(b, INT64_MAX);
	assert_int_equal(cdreg_apply(0, CDREG_KIND_RECEIPT, 1, NULL), HAT_E_INTERNAL);
}

static void balance_of_page(void **state)
{
	const struct cdreg_entry page[] = {
		{ 10, CDREG_KIND_OPENING, 20, 0 },
		{ 11, CDREG_KIND_ADMINISTRATION, 3, 0 },
		{ 15, CDREG_KIND_RECEIPT, 10, 0 },
		{ 16, CDREG_KIND_ADMINISTRATION, 2, 0 },
		{ 20, CDREG_KIND_CORRECTION, -1, 16 },	/* 2 was really 3 */
		{ 21, CDREG_KIND_DESTRUCTION, 4, 0 },
	};
	int64_t b = -1;
	size_t bad = UNTOUCHED_N;

	(void)state;
	assert_int_equal(cdreg_balance_of(page, 6, &b, &bad), HAT_OK);
	assert_int_equal(b, 20);
	assert_int_equal(bad, UNTOUCHED_N);
	assert_int_equal(cdreg_balance_of(NULL, 0, &b, NULL), HAT_OK);
	assert_int_equal(b, 0);
	/* A page that starts with a receipt (no opening) is fine. */
	assert_int_equal(cdreg_balance_of(page + 2, 2, &b, NULL), HAT_OK);
	assert_int_equal(b, 8);
	/* A correction of the first entry. */
	{
		const struct cdreg_entry p2[] = {
			{ 1, CDREG_KIND_OPENING, 5, 0 },
			{ 2, CDREG_KIND_CORRECTION, 1, 1 },
		};
		assert_int_equal(cdreg_balance_of(p2, 2, &b, NULL), HAT_OK);
		assert_int_equal(b, 6);
	}
}

static void balance_of_refusals(void **state)
{
	struct cdreg_entry page[] = {
		{ 1, CDREG_KIND_OPENING, 5, 0 },
		{ 2, CDREG_KIND_ADMINISTRATION, 2, 0 },
		{ 3, CDREG_KIND_ADMINISTRATION, 3, 0 },
		{ 4, CDREG_KIND_RECEIPT, 1, 0 },
	};
	int64_t b = UNTOUCHED_W;
	size_t bad = UNTOUCHED_N;

	(void)state;
	/* Down to zero at entry 2 is fine; one more ampoule is not. */
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_OK);
	page[2].qty = 4;
	b = UNTOUCHED_W;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_BALANCE_NEGATIVE);
	assert_int_equal(bad, 2);
	assert_int_equal(b, UNTOUCHED_W);
	page[2].qty = 3;

	/* Out of order or repeated ids. */
	page[2].id = 2;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CONFLICT);
	assert_int_equal(bad, 2);
	page[2].id = 3;
	page[0].id = 0;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CONFLICT);
	assert_int_equal(bad, 0);
	page[0].id = 1;

	/* A second opening. */
	page[3].kind = CDREG_KIND_OPENING;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CONFLICT);
	assert_int_equal(bad, 3);

	/* Corrections must name an earlier entry on the page. */
	page[3].kind = CDREG_KIND_CORRECTION;
	page[3].corrects_id = 3;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_OK);
	page[3].corrects_id = 4;	/* itself */
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CORRECTION_TARGET);
	assert_int_equal(bad, 3);
	page[3].corrects_id = 99;	/* not on this page */
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CORRECTION_TARGET);
	page[3].corrects_id = 0;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_CORRECTION_TARGET);

	/* Only corrections name another entry. */
	page[3].kind = CDREG_KIND_RECEIPT;
	page[3].corrects_id = 1;
	b = UNTOUCHED_W;
	assert_int_equal(cdreg_balance_of(page, 4, &b, &bad), HAT_E_INVALID_VALUE);
	assert_int_equal(bad, 3);
	assert_int_equal(b, UNTOUCHED_W);

	assert_int_equal(cdreg_balance_of(page, 4, NULL, &bad), HAT_E_INTERNAL);
	assert_int_equal(cdreg_balance_of(NULL, 1, &b, &bad), HAT_E_INTERNAL);
}

static void kind_codes(void **state)
{
	enum cdreg_kind k = CDREG_KIND_OPENING;

	(void)state;
	for (int i = CDREG_KIND_OPENING; i <= CDREG_KIND_CORRECTION; i++) {
		const char *code = cdreg_kind_code((enum cdreg_kind)i);

		assert_non_null(code);
		assert_int_equal(cdreg_kind_from_code(code, &k), HAT_OK);
		assert_int_equal(k, i);
	}
	assert_null(cdreg_kind_code((enum cdreg_kind)6));
	assert_int_equal(cdreg_kind_from_code("Receipt", &k), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_kind_from_code(NULL, &k), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_kind_from_code("receipt", NULL), HAT_E_INTERNAL);
}

/* ---- late entries ---- */

static void late_entries(void **state)
{
	bool late = true;

	(void)state;
	assert_false(cdreg_is_late(TODAY, TODAY));
	assert_false(cdreg_is_late(TODAY, TODAY + 1));	/* the next day */
	assert_true(cdreg_is_late(TODAY, TODAY + 2));	/* one past */
	assert_false(cdreg_is_late(TODAY, TODAY - 1));
	assert_false(cdreg_is_late(INT32_MAX, INT32_MAX));
	assert_true(cdreg_is_late(INT32_MIN, INT32_MAX));

	assert_int_equal(cdreg_check_entry_dates(TODAY, TODAY + 1, &late), HAT_OK);
	assert_false(late);
	assert_int_equal(cdreg_check_entry_dates(TODAY, TODAY + 2, &late), HAT_OK);
	assert_true(late);
	late = false;
	assert_int_equal(cdreg_check_entry_dates(TODAY + 1, TODAY, &late), HAT_E_DATE_ORDER);
	assert_false(late);
	assert_int_equal(cdreg_check_entry_dates(TODAY, TODAY, NULL), HAT_E_INTERNAL);
}

/* Rule 6: an entry whose event comes before the page's newest is a
** back-dated insertion, late however soon it is made. */
static void back_dated_entries(void **state)
{
	bool late = true;

	(void)state;
	assert_int_equal(cdreg_check_entry_order(TODAY, TODAY, CDREG_EMPTY_PAGE, &late), HAT_OK);
	assert_false(late);
	assert_int_equal(cdreg_check_entry_order(TODAY, TODAY, TODAY, &late), HAT_OK);
	assert_false(late);	/* the same day as the newest: in order */
	assert_int_equal(cdreg_check_entry_order(TODAY - 1, TODAY, TODAY - 1, &late), HAT_OK);
	assert_false(late);	/* yesterday's event, in order, made today */
	assert_int_equal(cdreg_check_entry_order(TODAY - 1, TODAY, TODAY, &late), HAT_OK);
	assert_true(late);	/* one day before the newest: back-dated */
	late = false;
	assert_int_equal(cdreg_check_entry_order(TODAY - 3, TODAY, TODAY - 4, &late), HAT_OK);
	assert_true(late);	/* in order but made three days on: late anyway */
	late = false;
	assert_int_equal(cdreg_check_entry_order(TODAY + 1, TODAY, TODAY, &late),
			 HAT_E_DATE_ORDER);
	assert_false(late);
}

/* ---- stock checks ---- */

static void stock_check_difference(void **state)
{
	int64_t d = UNTOUCHED_W;
	bool disc = true;

	(void)state;
	assert_int_equal(cdreg_stock_check(20, 20, &d, &disc), HAT_OK);
	assert_int_equal(d, 0);
	assert_false(disc);
	assert_int_equal(cdreg_stock_check(20, 19, &d, &disc), HAT_OK);
	assert_int_equal(d, -1);
	assert_true(disc);
	assert_int_equal(cdreg_stock_check(20, 21, &d, &disc), HAT_OK);
	assert_int_equal(d, 1);
	assert_true(disc);
	assert_int_equal(cdreg_stock_check(0, 0, &d, &disc), HAT_OK);
	assert_false(disc);
	d = UNTOUCHED_W;
	assert_int_equal(cdreg_stock_check(-1, 0, &d, &disc), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_stock_check(0, -1, &d, &disc), HAT_E_OUT_OF_RANGE);
	assert_int_equal(d, UNTOUCHED_W);
	assert_int_equal(cdreg_stock_check(INT64_MAX, 0, &d, &disc), HAT_OK);
	assert_int_equal(d, -INT64_MAX);
	assert_int_equal(cdreg_stock_check(0, 0, NULL, &disc), HAT_E_INTERNAL);
	assert_int_equal(cdreg_stock_check(0, 0, &d, NULL), HAT_E_INTERNAL);
}

static void two_people(void **state)
{
	(void)state;
	assert_int_equal(cdreg_check_two_people(1, 2), HAT_OK);
	assert_int_equal(cdreg_check_two_people(7, 7), HAT_E_WITNESS_SAME_PERSON);
	assert_int_equal(cdreg_check_two_people(7, 0), HAT_E_WITNESS_REQUIRED);
	assert_int_equal(cdreg_check_two_people(0, 7), HAT_E_WITNESS_REQUIRED);
	assert_int_equal(cdreg_check_two_people(0, 0), HAT_E_WITNESS_REQUIRED);
	assert_int_equal(cdreg_check_two_people(-1, 1), HAT_E_WITNESS_REQUIRED);
}

static void stock_check_overdue(void **state)
{
	bool over = false;
	const int32_t week = CDREG_STOCK_CHECK_INTERVAL_DEFAULT;

	(void)state;
	assert_int_equal(week, 7);
	assert_int_equal(cdreg_stock_check_overdue(TODAY - 7, TODAY, week, &over), HAT_OK);
	assert_false(over);	/* exactly a week since: due, not overdue */
	assert_int_equal(cdreg_stock_check_overdue(TODAY - 8, TODAY, week, &over), HAT_OK);
	assert_true(over);
	assert_int_equal(cdreg_stock_check_overdue(TODAY, TODAY, week, &over), HAT_OK);
	assert_false(over);
	assert_int_equal(cdreg_stock_check_overdue(CDREG_NEVER, TODAY, week, &over), HAT_OK);
	assert_true(over);
	/* Daily checks. */
	assert_int_equal(cdreg_stock_check_overdue(TODAY - 1, TODAY, 1, &over), HAT_OK);
	assert_false(over);
	assert_int_equal(cdreg_stock_check_overdue(TODAY - 2, TODAY, 1, &over), HAT_OK);
	assert_true(over);
	/* The setting's range, at each edge and one past. */
	over = false;
	assert_int_equal(cdreg_stock_check_overdue(TODAY, TODAY, 0, &over), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_stock_check_overdue(TODAY, TODAY, 32, &over), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_stock_check_overdue(TODAY - 31, TODAY, 31, &over), HAT_OK);
	assert_false(over);
	/* A check dated after today. */
	over = true;
	assert_int_equal(cdreg_stock_check_overdue(TODAY + 1, TODAY, week, &over),
			 HAT_E_DATE_ORDER);
	assert_true(over);
	assert_int_equal(cdreg_stock_check_overdue(INT32_MIN + 1, INT32_MAX, 31, &over), HAT_OK);
	assert_true(over);
	assert_int_equal(cdreg_stock_check_overdue(TODAY, TODAY, week, NULL), HAT_E_INTERNAL);
}

/* ---- waste ---- */

static void waste_arithmetic(void **state)
{
	int64_t c = UNTOUCHED_W;

	(void)state;
	/* 70 mg from one 100 mg ampoule: 30 mg wasted. */
	assert_int_equal(cdreg_content(1, MG(100), &c), HAT_OK);
	assert_int_equal(c, MG(100));
	assert_int_equal(cdreg_waste(c, MG(70), MG(30)), HAT_OK);
	assert_int_equal(cdreg_waste(c, MG(70), MG(30) + 1), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_waste(c, MG(70), MG(30) - 1), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_waste(c, MG(100), 0), HAT_OK);
	assert_int_equal(cdreg_waste(c, 0, MG(100)), HAT_OK);	/* withheld */
	assert_int_equal(cdreg_waste(c, MG(100) + 1, 0), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_waste(c, INT64_MAX, INT64_MAX), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_waste(c, -1, MG(100) + 1), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_waste(c, MG(100) + 1, -1), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_waste(0, 0, 0), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_waste(1, 0, 1), HAT_OK);

	c = UNTOUCHED_W;
	assert_int_equal(cdreg_content(0, MG(100), &c), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_content(1, 0, &c), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_content(1, CDREG_STRENGTH_MAX_UG + 1, &c), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_content(INT64_MAX / CDREG_STRENGTH_MAX_UG + 1,
				       CDREG_STRENGTH_MAX_UG, &c), HAT_E_OUT_OF_RANGE);
	assert_int_equal(c, UNTOUCHED_W);
	assert_int_equal(cdreg_content(INT64_MAX / CDREG_STRENGTH_MAX_UG,
				       CDREG_STRENGTH_MAX_UG, &c), HAT_OK);
	assert_int_equal(cdreg_content(1, 1, NULL), HAT_E_INTERNAL);
}

static void picks_content(void **state)
{
	struct cdreg_pick p[2] = {
		{ 0, 1, MG(100), 2, TODAY },
		{ 1, 2, MG(30), 1, TODAY },
	};
	int64_t c = UNTOUCHED_W;

	(void)state;
	assert_int_equal(cdreg_picks_content(p, 2, &c), HAT_OK);
	assert_int_equal(c, MG(230));
	assert_int_equal(cdreg_waste(c, MG(225), MG(5)), HAT_OK);
	c = UNTOUCHED_W;
	assert_int_equal(cdreg_picks_content(p, 0, &c), HAT_E_OUT_OF_RANGE);
	p[1].count = 0;
	assert_int_equal(cdreg_picks_content(p, 2, &c), HAT_E_OUT_OF_RANGE);
	p[0].count = INT64_MAX / MG(100);
	p[1].count = INT64_MAX / MG(30);
	assert_int_equal(cdreg_picks_content(p, 2, &c), HAT_E_OUT_OF_RANGE);
	assert_int_equal(c, UNTOUCHED_W);
	assert_int_equal(cdreg_picks_content(NULL, 1, &c), HAT_E_INTERNAL);
}

/* ---- register pages ---- */

static void page_keys(void **state)
{
	struct cdreg_page_key k = { CDREG_DRUG_DIAMORPHINE, MG(100),
				    CDREG_FORM_POWDER_FOR_INJECTION, CDREG_SCHEDULE_2 };
	static const int64_t dia[] = { 5, 10, 30, 100, 500 };
	static const int64_t hdm[] = { 2, 10, 20, 50 };
	static const int64_t mtd[] = { 10, 20, 35, 50, 75, 100 };
	int64_t vol = -1;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		k.strength_ug = MG(dia[i]);
		assert_int_equal(cdreg_page_key_check(&k), HAT_OK);
	}
	/* Next to a real strength, and the unverified 250 mg. */
	k.strength_ug = MG(100) + 1;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	k.strength_ug = MG(250);
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	k.strength_ug = MG(100);
	k.form = CDREG_FORM_SOLUTION_FOR_INJECTION;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	k.form = CDREG_FORM_POWDER_FOR_INJECTION;
	k.schedule = CDREG_SCHEDULE_3;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	k.schedule = CDREG_SCHEDULE_2;
	k.drug = (enum cdreg_drug)0;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_page_key_check(NULL), HAT_E_INTERNAL);

	k.drug = CDREG_DRUG_HYDROMORPHONE;
	k.form = CDREG_FORM_SOLUTION_FOR_INJECTION;
	for (size_t i = 0; i < 4; i++) {
		k.strength_ug = MG(hdm[i]);
		assert_int_equal(cdreg_page_key_check(&k), HAT_OK);
		assert_int_equal(cdreg_ampoule_volume(&k, &vol), HAT_OK);
		assert_int_equal(vol, 1000);
	}
	k.strength_ug = MG(5);
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	vol = UNTOUCHED_W;
	assert_int_equal(cdreg_ampoule_volume(&k, &vol), HAT_E_INVALID_VALUE);
	assert_int_equal(vol, UNTOUCHED_W);

	k.drug = CDREG_DRUG_METHADONE;
	for (size_t i = 0; i < 6; i++) {
		k.strength_ug = MG(mtd[i]);
		assert_int_equal(cdreg_page_key_check(&k), HAT_OK);
		assert_int_equal(cdreg_ampoule_volume(&k, &vol), HAT_OK);
		assert_int_equal(vol, mtd[i] * 100);	/* 10 mg/mL */
	}
	k.form = CDREG_FORM_POWDER_FOR_INJECTION;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
}

/* The oral controlled drugs have pages of their own: methadone oral
** solution counted in mL at 1 mg/mL, slow-release morphine in capsules. */
static void oral_pages(void **state)
{
	struct cdreg_page_key k = { CDREG_DRUG_METHADONE, MG(1), CDREG_FORM_ORAL_SOLUTION,
				    CDREG_SCHEDULE_2 };
	static const int64_t srom[] = { 10, 30, 60, 100, 200 };
	int64_t s[CDREG_MAX_DRUG_STRENGTHS];
	int64_t vol = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(cdreg_page_key_check(&k), HAT_OK);
	assert_int_equal(cdreg_ampoule_volume(&k, &vol), HAT_OK);
	assert_int_equal(vol, 1000);
	k.strength_ug = MG(10);		/* not an oral strength kept */
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	k.strength_ug = MG(1);
	k.schedule = CDREG_SCHEDULE_3;
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);

	k.drug = CDREG_DRUG_MORPHINE;
	k.form = CDREG_FORM_MR_CAPSULE;
	k.schedule = CDREG_SCHEDULE_2;
	for (size_t i = 0; i < 5; i++) {
		k.strength_ug = MG(srom[i]);
		assert_int_equal(cdreg_page_key_check(&k), HAT_OK);
	}
	k.strength_ug = MG(15);
	assert_int_equal(cdreg_page_key_check(&k), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, s, 8, &n),
			 HAT_OK);
	assert_int_equal(n, 5);
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_METHADONE, CDREG_FORM_ORAL_SOLUTION, s, 8,
					      &n), HAT_OK);
	assert_int_equal(n, 1);
	assert_int_equal(s[0], MG(1));

	assert_string_equal(cdreg_form_unit(CDREG_FORM_ORAL_SOLUTION), "mL");
	assert_string_equal(cdreg_form_unit(CDREG_FORM_MR_CAPSULE), "capsules");
	assert_string_equal(cdreg_form_unit(CDREG_FORM_POWDER_FOR_INJECTION), "ampoules");
	assert_null(cdreg_form_unit((enum cdreg_form)0));
	assert_string_equal(cdreg_drug_code(CDREG_DRUG_MORPHINE), "morphine");
	assert_string_equal(cdreg_form_code(CDREG_FORM_ORAL_SOLUTION), "oral_solution");
}

static void drug_strength_lists(void **state)
{
	int64_t s[CDREG_MAX_DRUG_STRENGTHS];
	size_t n = UNTOUCHED_N;

	(void)state;
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_DIAMORPHINE,
					      CDREG_FORM_POWDER_FOR_INJECTION, s, 8, &n), HAT_OK);
	assert_int_equal(n, 5);
	assert_int_equal(s[0], MG(5));
	assert_int_equal(s[4], MG(500));
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_METHADONE,
					      CDREG_FORM_SOLUTION_FOR_INJECTION, s, 6, &n), HAT_OK);
	assert_int_equal(n, 6);
	n = UNTOUCHED_N;
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_METHADONE,
					      CDREG_FORM_SOLUTION_FOR_INJECTION, s, 5, &n),
			 HAT_E_INTERNAL);
	assert_int_equal(cdreg_drug_strengths(CDREG_DRUG_METHADONE,
					      CDREG_FORM_POWDER_FOR_INJECTION, s, 8, &n),
			 HAT_E_INVALID_VALUE);
	assert_int_equal(n, UNTOUCHED_N);
}

static void drug_and_form_codes(void **state)
{
	enum cdreg_drug d = CDREG_DRUG_DIAMORPHINE;
	enum cdreg_form f = CDREG_FORM_POWDER_FOR_INJECTION;

	(void)state;
	assert_string_equal(cdreg_drug_code(CDREG_DRUG_METHADONE), "methadone");
	assert_string_equal(cdreg_drug_name(CDREG_DRUG_DIAMORPHINE), "diamorphine hydrochloride");
	assert_string_equal(cdreg_form_code(CDREG_FORM_SOLUTION_FOR_INJECTION),
			    "solution_for_injection");
	assert_string_equal(cdreg_form_name(CDREG_FORM_POWDER_FOR_INJECTION),
			    "powder for solution for injection");
	assert_null(cdreg_drug_code((enum cdreg_drug)5));
	assert_null(cdreg_drug_name((enum cdreg_drug)0));
	assert_null(cdreg_form_code((enum cdreg_form)5));
	assert_null(cdreg_form_name((enum cdreg_form)0));
	assert_int_equal(cdreg_drug_from_code("hydromorphone", &d), HAT_OK);
	assert_int_equal(d, CDREG_DRUG_HYDROMORPHONE);
	assert_int_equal(cdreg_drug_from_code("heroin", &d), HAT_E_INVALID_VALUE);
	assert_int_equal(d, CDREG_DRUG_HYDROMORPHONE);
	assert_int_equal(cdreg_form_from_code("solution_for_injection", &f), HAT_OK);
	assert_int_equal(f, CDREG_FORM_SOLUTION_FOR_INJECTION);
	assert_int_equal(cdreg_form_from_code("", &f), HAT_E_INVALID_VALUE);
	assert_int_equal(cdreg_drug_from_code("methadone", NULL), HAT_E_INTERNAL);
	assert_int_equal(cdreg_form_from_code(NULL, &f), HAT_E_INVALID_VALUE);
}

/* ---- words and figures ---- */

static void words_is(int64_t n, const char *want)
{
	char buf[CDREG_WORDS_SIZE];

	assert_int_equal(cdreg_quantity_words(n, buf, sizeof buf), HAT_OK);
	assert_string_equal(buf, want);
}

static void quantity_words(void **state)
{
	(void)state;
	words_is(230, "two hundred and thirty (230)");
	words_is(0, "zero (0)");
	words_is(1, "one (1)");
	words_is(13, "thirteen (13)");
	words_is(19, "nineteen (19)");
	words_is(20, "twenty (20)");
	words_is(21, "twenty-one (21)");
	words_is(99, "ninety-nine (99)");
	words_is(100, "one hundred (100)");
	words_is(101, "one hundred and one (101)");
	words_is(110, "one hundred and ten (110)");
	words_is(999, "nine hundred and ninety-nine (999)");
	words_is(1000, "one thousand (1000)");
	words_is(1001, "one thousand and one (1001)");
	words_is(1099, "one thousand and ninety-nine (1099)");
	words_is(1100, "one thousand one hundred (1100)");
	words_is(1230, "one thousand two hundred and thirty (1230)");
	words_is(21000, "twenty-one thousand (21000)");
	words_is(100000, "one hundred thousand (100000)");
	words_is(101005, "one hundred and one thousand and five (101005)");
	words_is(999999, "nine hundred and ninety-nine thousand nine hundred and "
			 "ninety-nine (999999)");
}

static void quantity_words_limits(void **state)
{
	char buf[CDREG_WORDS_SIZE];
	char small[8];
	size_t longest = 0;

	(void)state;
	memset(buf, 'x', sizeof buf);
	assert_int_equal(cdreg_quantity_words(1000000, buf, sizeof buf), HAT_E_OUT_OF_RANGE);
	assert_int_equal(cdreg_quantity_words(-1, buf, sizeof buf), HAT_E_OUT_OF_RANGE);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(cdreg_quantity_words(1, NULL, 10), HAT_E_INTERNAL);

	/* "one (1)" is 7 characters: 8 bytes fit, 7 do not. */
	assert_int_equal(cdreg_quantity_words(1, small, 8), HAT_OK);
	assert_string_equal(small, "one (1)");
	memset(small, 'x', sizeof small);
	assert_int_equal(cdreg_quantity_words(1, small, 7), HAT_E_INTERNAL);
	assert_int_equal(small[0], 'x');

	/* Every quantity renders, fits, and ends with its figures. */
	for (int64_t n = 0; n <= CDREG_WORDS_MAX_QUANTITY; n++) {
		char tail[16];
		size_t len;
		size_t tl;

		assert_int_equal(cdreg_quantity_words(n, buf, sizeof buf), HAT_OK);
		len = strlen(buf);
		if (len > longest)
			longest = len;
		snprintf(tail, sizeof tail, " (%lld)", (long long)n);
		tl = strlen(tail);
		assert_true(len > tl);
		assert_string_equal(buf + len - tl, tail);
	}
	assert_true(longest < CDREG_WORDS_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(choose_230_from_100_30_10),
		cmocka_unit_test(choose_230_from_100_only),
		cmocka_unit_test(choose_last_100_left),
		cmocka_unit_test(choose_last_ampoules_exactly_enough),
		cmocka_unit_test(choose_one_short_is_refused),
		cmocka_unit_test(choose_no_stock),
		cmocka_unit_test(choose_quarantined_passed_over),
		cmocka_unit_test(choose_expired_passed_over),
		cmocka_unit_test(choose_earliest_expiry_same_strength),
		cmocka_unit_test(choose_same_expiry_lower_lot_id),
		cmocka_unit_test(choose_split_across_lots),
		cmocka_unit_test(choose_waste_before_count),
		cmocka_unit_test(choose_count_before_expiry),
		cmocka_unit_test(choose_tie_across_strengths_by_expiry),
		cmocka_unit_test(oral_pages),
		cmocka_unit_test(choose_dose_not_a_multiple),
		cmocka_unit_test(choose_dose_range),
		cmocka_unit_test(choose_bad_lot_data),
		cmocka_unit_test(choose_huge_available_no_overflow),
		cmocka_unit_test(choose_strength_limit),
		cmocka_unit_test(choose_out_cap_and_nulls),
		cmocka_unit_test(choose_every_dose_full_diamorphine_stock),
		cmocka_unit_test(choose_matches_exhaustive_search),
		cmocka_unit_test(apply_kinds),
		cmocka_unit_test(apply_never_negative),
		cmocka_unit_test(apply_ranges),
		cmocka_unit_test(balance_of_page),
		cmocka_unit_test(balance_of_refusals),
		cmocka_unit_test(kind_codes),
		cmocka_unit_test(late_entries),
		cmocka_unit_test(back_dated_entries),
		cmocka_unit_test(stock_check_difference),
		cmocka_unit_test(two_people),
		cmocka_unit_test(stock_check_overdue),
		cmocka_unit_test(waste_arithmetic),
		cmocka_unit_test(picks_content),
		cmocka_unit_test(page_keys),
		cmocka_unit_test(drug_strength_lists),
		cmocka_unit_test(drug_and_form_codes),
		cmocka_unit_test(quantity_words),
		cmocka_unit_test(quantity_words_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
