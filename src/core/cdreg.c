/*
** cdreg.c: the controlled-drug register's pure rules (see cdreg.h).
**
** No I/O, no clock, no allocation, no globals: only the constant tables
** below, which are read-only data.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/cdreg.h"
#include "util/err.h"

/* ------------------------------------------------------------------------
** Register pages.
*/

struct page_row {
	enum cdreg_drug drug;
	enum cdreg_form form;
	int64_t strength_ug;
	int64_t volume_ul;		/* 0 for a powder */
	enum cdreg_schedule schedule;
};

/* Smallest first within each drug, so that cdreg_drug_strengths can list
** them in order by walking the table. */
static const struct page_row page_rows[] = {
	{ CDREG_DRUG_DIAMORPHINE, CDREG_FORM_POWDER_FOR_INJECTION, 5000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_DIAMORPHINE, CDREG_FORM_POWDER_FOR_INJECTION, 10000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_DIAMORPHINE, CDREG_FORM_POWDER_FOR_INJECTION, 30000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_DIAMORPHINE, CDREG_FORM_POWDER_FOR_INJECTION, 100000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_DIAMORPHINE, CDREG_FORM_POWDER_FOR_INJECTION, 500000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_HYDROMORPHONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 2000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_HYDROMORPHONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 10000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_HYDROMORPHONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 20000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_HYDROMORPHONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 50000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 10000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 20000, 2000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 35000, 3500, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 50000, 5000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 75000, 7500, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_METHADONE, CDREG_FORM_SOLUTION_FOR_INJECTION, 100000, 10000, CDREG_SCHEDULE_2 },
	/* Oral solution 1 mg/mL: one unit is one mL. */
	{ CDREG_DRUG_METHADONE, CDREG_FORM_ORAL_SOLUTION, 1000, 1000, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, 10000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, 30000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, 60000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, 100000, 0, CDREG_SCHEDULE_2 },
	{ CDREG_DRUG_MORPHINE, CDREG_FORM_MR_CAPSULE, 200000, 0, CDREG_SCHEDULE_2 },
};

#define PAGE_ROWS (sizeof page_rows / sizeof page_rows[0])

struct code_name {
	int value;
	const char *code;
	const char *name;
};

static const struct code_name drug_names[] = {
	{ CDREG_DRUG_DIAMORPHINE, "diamorphine", "diamorphine hydrochloride" },
	{ CDREG_DRUG_HYDROMORPHONE, "hydromorphone", "hydromorphone hydrochloride" },
	{ CDREG_DRUG_METHADONE, "methadone", "methadone hydrochloride" },
	{ CDREG_DRUG_MORPHINE, "morphine", "morphine sulfate" },
};

static const struct code_name form_names[] = {
	{ CDREG_FORM_POWDER_FOR_INJECTION, "powder_for_injection",
	  "powder for solution for injection" },
	{ CDREG_FORM_SOLUTION_FOR_INJECTION, "solution_for_injection",
	  "solution for injection" },
	{ CDREG_FORM_ORAL_SOLUTION, "oral_solution", "oral solution" },
	{ CDREG_FORM_MR_CAPSULE, "modified_release_capsule", "modified-release capsules" },
};

static const struct code_name kind_names[] = {
	{ CDREG_KIND_OPENING, "opening", "opening balance" },
	{ CDREG_KIND_RECEIPT, "receipt", "receipt" },
	{ CDREG_KIND_ADMINISTRATION, "administration", "administration" },
	{ CDREG_KIND_DESTRUCTION, "destruction", "destruction" },
	{ CDREG_KIND_CORRECTION, "correction", "correction" },
};

static const struct code_name *code_name_by_value(const struct code_name *rows,
						  size_t n, int value)
{
	for (size_t i = 0; i < n; i++) {
		if (rows[i].value == value)
			return &rows[i];
	}
	return NULL;
}

static const struct code_name *code_name_by_code(const struct code_name *rows,
						 size_t n, const char *code)
{
	if (!code)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rows[i].code, code) == 0)
			return &rows[i];
	}
	return NULL;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *cdreg_drug_code(enum cdreg_drug drug)
{
	const struct code_name *row =
		code_name_by_value(drug_names, COUNT_OF(drug_names), (int)drug);
	return row ? row->code : NULL;
}

const char *cdreg_drug_name(enum cdreg_drug drug)
{
	const struct code_name *row =
		code_name_by_value(drug_names, COUNT_OF(drug_names), (int)drug);
	return row ? row->name : NULL;
}

const char *cdreg_form_code(enum cdreg_form form)
{
	const struct code_name *row =
		code_name_by_value(form_names, COUNT_OF(form_names), (int)form);
	return row ? row->code : NULL;
}

const char *cdreg_form_name(enum cdreg_form form)
{
	const struct code_name *row =
		code_name_by_value(form_names, COUNT_OF(form_names), (int)form);
	return row ? row->name : NULL;
}

const char *cdreg_kind_code(enum cdreg_kind kind)
{
	const struct code_name *row =
		code_name_by_value(kind_names, COUNT_OF(kind_names), (int)kind);
	return row ? row->code : NULL;
}

enum hat_err cdreg_drug_from_code(const char *code, enum cdreg_drug *drug)
{
	const struct code_name *row;

	if (!drug)
		return HAT_E_INTERNAL;
	row = code_name_by_code(drug_names, COUNT_OF(drug_names), code);
	if (!row)
		return HAT_E_INVALID_VALUE;
	*drug = (enum cdreg_drug)row->value;
	return HAT_OK;
}

enum hat_err cdreg_form_from_code(const char *code, enum cdreg_form *form)
{
	const struct code_name *row;

	if (!form)
		return HAT_E_INTERNAL;
	row = code_name_by_code(form_names, COUNT_OF(form_names), code);
	if (!row)
		return HAT_E_INVALID_VALUE;
	*form = (enum cdreg_form)row->value;
	return HAT_OK;
}

enum hat_err cdreg_kind_from_code(const char *code, enum cdreg_kind *kind)
{
	const struct code_name *row;

	if (!kind)
		return HAT_E_INTERNAL;
	row = code_name_by_code(kind_names, COUNT_OF(kind_names), code);
	if (!row)
		return HAT_E_INVALID_VALUE;
	*kind = (enum cdreg_kind)row->value;
	return HAT_OK;
}

static const struct page_row *page_row_of(const struct cdreg_page_key *key)
{
	for (size_t i = 0; i < PAGE_ROWS; i++) {
		const struct page_row *row = &page_rows[i];

		if (row->drug == key->drug && row->form == key->form &&
		    row->strength_ug == key->strength_ug &&
		    row->schedule == key->schedule)
			return row;
	}
	return NULL;
}

enum hat_err cdreg_page_key_check(const struct cdreg_page_key *key)
{
	if (!key)
		return HAT_E_INTERNAL;
	return page_row_of(key) ? HAT_OK : HAT_E_INVALID_VALUE;
}

enum hat_err cdreg_ampoule_volume(const struct cdreg_page_key *key,
				  int64_t *volume_ul)
{
	const struct page_row *row;

	if (!key || !volume_ul)
		return HAT_E_INTERNAL;
	row = page_row_of(key);
	if (!row)
		return HAT_E_INVALID_VALUE;
	*volume_ul = row->volume_ul;
	return HAT_OK;
}

enum hat_err cdreg_drug_strengths(enum cdreg_drug drug, enum cdreg_form form,
				  int64_t *out, size_t out_cap, size_t *n)
{
	size_t found = 0;

	if (!out || !n)
		return HAT_E_INTERNAL;
	for (size_t i = 0; i < PAGE_ROWS; i++) {
		if (page_rows[i].drug == drug && page_rows[i].form == form)
			found++;
	}
	if (found == 0)
		return HAT_E_INVALID_VALUE;
	if (found > out_cap)
		return HAT_E_INTERNAL;
	found = 0;
	for (size_t i = 0; i < PAGE_ROWS; i++) {
		if (page_rows[i].drug == drug && page_rows[i].form == form)
			out[found++] = page_rows[i].strength_ug;
	}
	*n = found;
	return HAT_OK;
}

/* ------------------------------------------------------------------------
** Ampoule choice.
*/

/* One distinct usable strength: how many of its ampoules the search may
** use.  The count is capped at what could ever be useful (enough to cover
** the dose alone), which also keeps every product below far from overflow. */
struct strength_group {
	int64_t strength_ug;
	int64_t avail;
};

struct search {
	const struct cdreg_lot *lots;
	size_t nlots;
	int32_t today;
	int64_t dose_ug;
	struct strength_group g[CDREG_MAX_STRENGTHS];	/* largest first */
	size_t ng;
	/* cap_from[i]: content of all usable stock of strengths i.. (capped
	** counts); gcd_from[i]: their gcd; both 0 past the end. */
	int64_t cap_from[CDREG_MAX_STRENGTHS + 1];
	int64_t gcd_from[CDREG_MAX_STRENGTHS + 1];
	int64_t cur[CDREG_MAX_STRENGTHS];		/* counts being tried */
	bool have_best;
	int64_t best[CDREG_MAX_STRENGTHS];
	int64_t best_waste_ug;
	int64_t best_count;
};

static int64_t ceil_div(int64_t a, int64_t b)
{
	/* Only called with a >= 0 and b > 0. */
	return a / b + (a % b != 0);
}

static int64_t gcd64(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static bool lot_usable(const struct cdreg_lot *lot, int32_t today)
{
	return !lot->quarantined && lot->available > 0 && lot->expiry >= today;
}

/* First-expiry-first-out order of lots: expiry, then lot id (older stock
** first), then position, so that the order is total and never depends on
** anything but the data. */
static bool lot_before(const struct cdreg_lot *lots, size_t a, size_t b)
{
	if (lots[a].expiry != lots[b].expiry)
		return lots[a].expiry < lots[b].expiry;
	if (lots[a].lot_id != lots[b].lot_id)
		return lots[a].lot_id < lots[b].lot_id;
	return a < b;
}

/* Finds the usable lot of this strength that comes next after `prev` (or
** the first one, if !have_prev) in FEFO order.  O(nlots). */
static bool next_lot(const struct search *s, int64_t strength_ug,
		     bool have_prev, size_t prev, size_t *next)
{
	bool found = false;
	size_t best = 0;

	for (size_t i = 0; i < s->nlots; i++) {
		const struct cdreg_lot *lot = &s->lots[i];

		if (lot->strength_ug != strength_ug || !lot_usable(lot, s->today))
			continue;
		if (have_prev && !lot_before(s->lots, prev, i))
			continue;
		if (!found || lot_before(s->lots, i, best)) {
			best = i;
			found = true;
		}
	}
	if (found)
		*next = best;
	return found;
}

/* Walks the ampoules of one strength in FEFO order, one at a time. */
struct fefo {
	int64_t strength_ug;
	int64_t left;		/* still to take */
	size_t lot;		/* valid while left > 0 */
	int64_t taken;		/* from lots[lot] so far */
};

static void fefo_start(const struct search *s, struct fefo *f,
		       int64_t strength_ug, int64_t count)
{
	f->strength_ug = strength_ug;
	f->left = count;
	f->lot = 0;
	f->taken = 0;
	/* The counts never exceed the usable stock, so a lot exists. */
	if (count > 0 && !next_lot(s, strength_ug, false, 0, &f->lot))
		f->left = 0;
}

static void fefo_take(const struct search *s, struct fefo *f)
{
	f->left--;
	f->taken++;
	if (f->left > 0 && f->taken == s->lots[f->lot].available) {
		f->taken = 0;
		if (!next_lot(s, f->strength_ug, true, f->lot, &f->lot))
			f->left = 0;
	}
}

/* The ampoules of a whole mix (a count per strength), earliest expiry
** first: each step takes the earliest next ampoule over all strengths. */
struct mix_walk {
	struct fefo f[CDREG_MAX_STRENGTHS];
	size_t n;
};

static void mix_start(const struct search *s, struct mix_walk *w,
		      const int64_t *counts)
{
	w->n = s->ng;
	for (size_t i = 0; i < s->ng; i++)
		fefo_start(s, &w->f[i], s->g[i].strength_ug, counts[i]);
}

static int32_t mix_next_expiry(const struct search *s, struct mix_walk *w)
{
	size_t pick = w->n;

	for (size_t i = 0; i < w->n; i++) {
		if (w->f[i].left <= 0)
			continue;
		if (pick == w->n ||
		    s->lots[w->f[i].lot].expiry < s->lots[w->f[pick].lot].expiry)
			pick = i;
	}
	if (pick == w->n)
		return INT32_MAX;	/* unreachable: both mixes hold c ampoules */
	{
		int32_t expiry = s->lots[w->f[pick].lot].expiry;

		fefo_take(s, &w->f[pick]);
		return expiry;
	}
}

/* Compares the sorted expiry dates of two mixes of `count` ampoules each:
** negative when a's are earlier at the first place they differ. */
static int mix_expiry_cmp(const struct search *s, const int64_t *a,
			  const int64_t *b, int64_t count)
{
	struct mix_walk wa;
	struct mix_walk wb;

	mix_start(s, &wa, a);
	mix_start(s, &wb, b);
	for (int64_t i = 0; i < count; i++) {
		int32_t ea = mix_next_expiry(s, &wa);
		int32_t eb = mix_next_expiry(s, &wb);

		if (ea != eb)
			return ea < eb ? -1 : 1;
	}
	return 0;
}

/* A complete candidate (s->cur covers the dose): keep it if it beats the
** best so far.  On a full tie the earlier-found one stays, which is the one
** with more of the larger strengths because the search tries those first. */
static void consider(struct search *s, int64_t waste_ug, int64_t count)
{
	bool better;

	if (!s->have_best)
		better = true;
	else if (waste_ug != s->best_waste_ug)
		better = waste_ug < s->best_waste_ug;
	else if (count != s->best_count)
		better = count < s->best_count;
	else
		better = mix_expiry_cmp(s, s->cur, s->best, count) < 0;
	if (!better)
		return;
	s->have_best = true;
	s->best_waste_ug = waste_ug;
	s->best_count = count;
	memcpy(s->best, s->cur, sizeof s->best);
}

static void search_from(struct search *s, size_t i, int64_t total_ug,
			int64_t count)
{
	int64_t rest_ug;
	int64_t strength_ug;
	int64_t lb_waste_ug;
	int64_t lb_count;
	int64_t kmin;
	int64_t kmax;

	if (total_ug >= s->dose_ug) {
		consider(s, total_ug - s->dose_ug, count);
		return;
	}
	if (i == s->ng)
		return;
	rest_ug = s->dose_ug - total_ug;
	if (s->cap_from[i] < rest_ug)
		return;

	/* Whatever is added from here is a multiple of the gcd of the
	** strengths left, so the waste is at least the remainder rounded up
	** to that; and it takes at least rest/largest more ampoules. */
	strength_ug = s->g[i].strength_ug;
	lb_waste_ug = ceil_div(rest_ug, s->gcd_from[i]) * s->gcd_from[i] - rest_ug;
	lb_count = count + ceil_div(rest_ug, strength_ug);
	if (s->have_best &&
	    (lb_waste_ug > s->best_waste_ug ||
	     (lb_waste_ug == s->best_waste_ug && lb_count > s->best_count)))
		return;

	/* Fewer than kmin leaves more than the smaller strengths can cover;
	** more than kmax only adds waste. */
	kmax = ceil_div(rest_ug, strength_ug);
	if (kmax > s->g[i].avail)
		kmax = s->g[i].avail;
	kmin = 0;
	if (rest_ug > s->cap_from[i + 1])
		kmin = ceil_div(rest_ug - s->cap_from[i + 1], strength_ug);
	for (int64_t k = kmax; k >= kmin; k--) {
		s->cur[i] = k;
		search_from(s, i + 1, total_ug + k * strength_ug, count + k);
	}
	s->cur[i] = 0;
}

/* Walks the chosen mix lot by lot, writing picks when out is non-NULL, and
** returns how many picks it makes. */
static size_t emit_picks(const struct search *s, struct cdreg_pick *out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ng; i++) {
		int64_t left = s->best[i];
		size_t lot = 0;
		bool have = false;

		while (left > 0) {
			int64_t take;

			if (!next_lot(s, s->g[i].strength_ug, have, lot, &lot))
				break;	/* unreachable: counts <= stock */
			have = true;
			take = s->lots[lot].available;
			if (take > left)
				take = left;
			if (out) {
				out[n].lot_index = lot;
				out[n].lot_id = s->lots[lot].lot_id;
				out[n].strength_ug = s->g[i].strength_ug;
				out[n].count = take;
				out[n].expiry = s->lots[lot].expiry;
			}
			n++;
			left -= take;
		}
	}
	return n;
}

/* Groups the usable lots by strength and prepares the bounds.  Validates
** every lot, usable or not. */
static enum hat_err search_setup(struct search *s)
{
	for (size_t i = 0; i < s->nlots; i++) {
		const struct cdreg_lot *lot = &s->lots[i];
		int64_t cap;
		size_t j;

		if (lot->strength_ug < 1 || lot->strength_ug > CDREG_STRENGTH_MAX_UG ||
		    lot->available < 0)
			return HAT_E_OUT_OF_RANGE;
		if (!lot_usable(lot, s->today))
			continue;
		for (j = 0; j < s->ng; j++) {
			if (s->g[j].strength_ug == lot->strength_ug)
				break;
		}
		if (j == s->ng) {
			if (s->ng == CDREG_MAX_STRENGTHS)
				return HAT_E_OUT_OF_RANGE;
			s->g[j].strength_ug = lot->strength_ug;
			s->g[j].avail = 0;
			s->ng++;
		}
		cap = ceil_div(s->dose_ug, lot->strength_ug);
		if (lot->available >= cap - s->g[j].avail)
			s->g[j].avail = cap;
		else
			s->g[j].avail += lot->available;
	}

	/* Largest strength first: insertion sort, as there are at most 8. */
	for (size_t i = 1; i < s->ng; i++) {
		struct strength_group t = s->g[i];
		size_t j = i;

		while (j > 0 && s->g[j - 1].strength_ug < t.strength_ug) {
			s->g[j] = s->g[j - 1];
			j--;
		}
		s->g[j] = t;
	}

	s->cap_from[s->ng] = 0;
	s->gcd_from[s->ng] = 0;
	for (size_t i = s->ng; i-- > 0;) {
		s->cap_from[i] = s->cap_from[i + 1] + s->g[i].avail * s->g[i].strength_ug;
		s->gcd_from[i] = gcd64(s->g[i].strength_ug, s->gcd_from[i + 1]);
	}
	return HAT_OK;
}

enum hat_err cdreg_choose_ampoules(const struct cdreg_lot *lots, size_t nlots,
				   int64_t dose_ug, int32_t today,
				   struct cdreg_pick *out, size_t out_cap,
				   size_t *npicked, int64_t *waste_ug)
{
	struct search s;
	enum hat_err rc;
	size_t n;

	if ((!lots && nlots > 0) || !out || !npicked || !waste_ug)
		return HAT_E_INTERNAL;
	if (dose_ug < 1 || dose_ug > CDREG_DOSE_MAX_UG)
		return HAT_E_OUT_OF_RANGE;

	memset(&s, 0, sizeof s);
	s.lots = lots;
	s.nlots = nlots;
	s.today = today;
	s.dose_ug = dose_ug;
	rc = search_setup(&s);
	if (rc != HAT_OK)
		return rc;
	if (s.cap_from[0] < dose_ug)
		return HAT_E_NO_STOCK;

	search_from(&s, 0, 0, 0);
	if (!s.have_best)
		return HAT_E_NO_STOCK;	/* unreachable: the stock covers it */

	n = emit_picks(&s, NULL);
	if (n > out_cap)
		return HAT_E_INTERNAL;
	emit_picks(&s, out);
	*npicked = n;
	*waste_ug = s.best_waste_ug;
	return HAT_OK;
}

/* ------------------------------------------------------------------------
** Balances.
*/

enum hat_err cdreg_apply(int64_t balance, enum cdreg_kind kind, int64_t qty,
			 int64_t *new_balance)
{
	int64_t result;

	if (!new_balance)
		return HAT_E_INTERNAL;
	if (balance < 0)
		return HAT_E_OUT_OF_RANGE;
	switch (kind) {
	case CDREG_KIND_OPENING:
		if (qty < 0)
			return HAT_E_OUT_OF_RANGE;
		/* An opening states what a new page starts with; on a page
		** that already holds stock it would silently replace it. */
		if (balance != 0)
			return HAT_E_CONFLICT;
		result = qty;
		break;
	case CDREG_KIND_RECEIPT:
		if (qty < 1 || qty > INT64_MAX - balance)
			return HAT_E_OUT_OF_RANGE;
		result = balance + qty;
		break;
	case CDREG_KIND_ADMINISTRATION:
	case CDREG_KIND_DESTRUCTION:
		if (qty < 1)
			return HAT_E_OUT_OF_RANGE;
		if (qty > balance)
			return HAT_E_BALANCE_NEGATIVE;
		result = balance - qty;
		break;
	case CDREG_KIND_CORRECTION:
		if (qty == 0)
			return HAT_E_OUT_OF_RANGE;
		if (qty > 0) {
			if (qty > INT64_MAX - balance)
				return HAT_E_OUT_OF_RANGE;
		} else if (qty < -balance) {
			/* -balance cannot overflow: balance >= 0. */
			return HAT_E_BALANCE_NEGATIVE;
		}
		result = balance + qty;
		break;
	default:
		return HAT_E_INVALID_VALUE;
	}
	*new_balance = result;
	return HAT_OK;
}

/* Whether an entry with this id is among entries[0..end), whose ids are
** already known to be strictly increasing. */
static bool entry_id_before(const struct cdreg_entry *entries, size_t end,
			    int64_t id)
{
	size_t lo = 0;
	size_t hi = end;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (entries[mid].id == id)
			return true;
		if (entries[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

enum hat_err cdreg_balance_of(const struct cdreg_entry *entries, size_t n,
			      int64_t *balance, size_t *bad_index)
{
	int64_t running = 0;
	enum hat_err rc = HAT_OK;
	size_t i;

	if (!balance || (!entries && n > 0))
		return HAT_E_INTERNAL;
	for (i = 0; i < n; i++) {
		const struct cdreg_entry *e = &entries[i];

		if (e->id < 1 || (i > 0 && e->id <= entries[i - 1].id)) {
			rc = HAT_E_CONFLICT;
			goto out;
		}
		if (e->kind == CDREG_KIND_OPENING && i > 0) {
			rc = HAT_E_CONFLICT;
			goto out;
		}
		if (e->kind == CDREG_KIND_CORRECTION) {
			if (!entry_id_before(entries, i, e->corrects_id)) {
				rc = HAT_E_CORRECTION_TARGET;
				goto out;
			}
		} else if (e->corrects_id != 0) {
			rc = HAT_E_INVALID_VALUE;
			goto out;
		}
		rc = cdreg_apply(running, e->kind, e->qty, &running);
		if (rc != HAT_OK)
			goto out;
	}
	*balance = running;
out:
	if (rc != HAT_OK && bad_index)
		*bad_index = i;
	return rc;
}

/* ------------------------------------------------------------------------
** Late entries.
*/

bool cdreg_is_late(int32_t event_local_date, int32_t entered_local_date)
{
	/* In 64 bits so that the day after INT32_MAX does not overflow. */
	return (int64_t)entered_local_date > (int64_t)event_local_date + 1;
}

enum hat_err cdreg_check_entry_dates(int32_t event_local_date,
				     int32_t entered_local_date, bool *late)
{
	if (!late)
		return HAT_E_INTERNAL;
	if (event_local_date > entered_local_date)
		return HAT_E_DATE_ORDER;
	*late = cdreg_is_late(event_local_date, entered_local_date);
	return HAT_OK;
}

enum hat_err cdreg_check_entry_order(int32_t event_local_date, int32_t entered_local_date,
				     int32_t page_last_event_date, bool *late)
{
	enum hat_err rc = cdreg_check_entry_dates(event_local_date, entered_local_date, late);

	if (rc == HAT_OK && page_last_event_date != CDREG_EMPTY_PAGE &&
	    event_local_date < page_last_event_date)
		*late = true;
	return rc;
}

/* ------------------------------------------------------------------------
** Stock checks.
*/

enum hat_err cdreg_stock_check(int64_t expected, int64_t counted,
			       int64_t *difference, bool *discrepancy)
{
	if (!difference || !discrepancy)
		return HAT_E_INTERNAL;
	if (expected < 0 || counted < 0)
		return HAT_E_OUT_OF_RANGE;
	/* Both are >= 0, so the difference cannot overflow. */
	*difference = counted - expected;
	*discrepancy = counted != expected;
	return HAT_OK;
}

enum hat_err cdreg_check_two_people(int64_t a, int64_t b)
{
	if (a < 1 || b < 1)
		return HAT_E_WITNESS_REQUIRED;
	if (a == b)
		return HAT_E_WITNESS_SAME_PERSON;
	return HAT_OK;
}

enum hat_err cdreg_stock_check_overdue(int32_t last_check, int32_t today,
				       int32_t interval_days, bool *overdue)
{
	if (!overdue)
		return HAT_E_INTERNAL;
	if (interval_days < CDREG_STOCK_CHECK_INTERVAL_MIN ||
	    interval_days > CDREG_STOCK_CHECK_INTERVAL_MAX)
		return HAT_E_OUT_OF_RANGE;
	if (last_check == CDREG_NEVER) {
		*overdue = true;
		return HAT_OK;
	}
	if (last_check > today)
		return HAT_E_DATE_ORDER;
	*overdue = (int64_t)today - last_check > interval_days;
	return HAT_OK;
}

/* ------------------------------------------------------------------------
** Waste.
*/

enum hat_err cdreg_content(int64_t ampoules, int64_t strength_ug,
			   int64_t *content_ug)
{
	if (!content_ug)
		return HAT_E_INTERNAL;
	if (ampoules < 1 || strength_ug < 1 || strength_ug > CDREG_STRENGTH_MAX_UG)
		return HAT_E_OUT_OF_RANGE;
	if (ampoules > INT64_MAX / strength_ug)
		return HAT_E_OUT_OF_RANGE;
	*content_ug = ampoules * strength_ug;
	return HAT_OK;
}

enum hat_err cdreg_picks_content(const struct cdreg_pick *picks, size_t n,
				 int64_t *content_ug)
{
	int64_t sum = 0;

	if (!picks || !content_ug)
		return HAT_E_INTERNAL;
	if (n == 0)
		return HAT_E_OUT_OF_RANGE;
	for (size_t i = 0; i < n; i++) {
		int64_t part;
		enum hat_err rc = cdreg_content(picks[i].count, picks[i].strength_ug, &part);

		if (rc != HAT_OK)
			return rc;
		if (part > INT64_MAX - sum)
			return HAT_E_OUT_OF_RANGE;
		sum += part;
	}
	*content_ug = sum;
	return HAT_OK;
}

enum hat_err cdreg_waste(int64_t content_ug, int64_t administered_ug,
			 int64_t wasted_ug)
{
	if (content_ug < 1 || administered_ug < 0 || wasted_ug < 0)
		return HAT_E_OUT_OF_RANGE;
	/* Subtract rather than add, so that no sum can overflow. */
	if (administered_ug > content_ug || content_ug - administered_ug != wasted_ug)
		return HAT_E_INVALID_VALUE;
	return HAT_OK;
}

/* ------------------------------------------------------------------------
** Quantities in words and figures.
*/

static const char *const words_small[20] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen",
	"fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
};

static const char *const words_tens[10] = {
	"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
	"eighty", "ninety",
};

/* A bounded string builder over a fixed buffer; `ok` turns false, and
** stays false, once something does not fit. */
struct words {
	char buf[CDREG_WORDS_SIZE];
	size_t len;
	bool ok;
};

static void words_add(struct words *w, const char *s)
{
	size_t n = strlen(s);

	if (!w->ok || n >= sizeof w->buf - w->len) {
		w->ok = false;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* 1..99 */
static void words_below_100(struct words *w, int n)
{
	if (n < 20) {
		words_add(w, words_small[n]);
		return;
	}
	words_add(w, words_tens[n / 10]);
	if (n % 10 != 0) {
		words_add(w, "-");
		words_add(w, words_small[n % 10]);
	}
}

/* 1..999, British style: "two hundred and thirty". */
static void words_below_1000(struct words *w, int n)
{
	if (n >= 100) {
		words_add(w, words_small[n / 100]);
		words_add(w, " hundred");
		if (n % 100 != 0)
			words_add(w, " and ");
	}
	if (n % 100 != 0)
		words_below_100(w, n % 100);
}

enum hat_err cdreg_quantity_words(int64_t n, char *buf, size_t cap)
{
	struct words w;
	char figures[24];
	int thousands;
	int rest;

	if (!buf)
		return HAT_E_INTERNAL;
	if (n < 0 || n > CDREG_WORDS_MAX_QUANTITY)
		return HAT_E_OUT_OF_RANGE;

	w.len = 0;
	w.ok = true;
	w.buf[0] = '\0';
	thousands = (int)(n / 1000);
	rest = (int)(n % 1000);
	if (n == 0)
		words_add(&w, words_small[0]);
	if (thousands > 0) {
		words_below_1000(&w, thousands);
		words_add(&w, " thousand");
		/* "one thousand and five", but "one thousand two hundred". */
		if (rest > 0)
			words_add(&w, rest < 100 ? " and " : " ");
	}
	if (rest > 0)
		words_below_1000(&w, rest);
	snprintf(figures, sizeof figures, " (%lld)", (long long)n);
	words_add(&w, figures);

	if (!w.ok || w.len >= cap)
		return HAT_E_INTERNAL;
	memcpy(buf, w.buf, w.len + 1);
	return HAT_OK;
}

const char *cdreg_form_unit(enum cdreg_form form)
{
	switch (form) {
	case CDREG_FORM_POWDER_FOR_INJECTION:
	case CDREG_FORM_SOLUTION_FOR_INJECTION:
		return "ampoules";
	case CDREG_FORM_ORAL_SOLUTION:
		return "mL";
	case CDREG_FORM_MR_CAPSULE:
		return "capsules";
	}
	return NULL;
}
