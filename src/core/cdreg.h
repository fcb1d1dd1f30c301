/*
** cdreg.h: the controlled-drug register's pure rules.
**
** "cdreg" because "register" is a C keyword.  Everything here is a pure
** function: no I/O, no clock, no allocation, no global state.  The caller
** (src/cmd/) loads the page, the stock and the settings, passes them in with
** today's clinic-local date, and writes whatever the rules decide.
**
** Units, as everywhere in hat:
**   - drug amounts are int64_t micrograms (names end in _ug);
**   - stock is counted in whole ampoules, as int64_t;
**   - dates are int32_t clinic-local day numbers (days since 1970-01-01).
**
** Every fallible function returns enum hat_err and hands its results back
** through out-parameters, which it leaves untouched when it fails.  A NULL
** where a pointer is required is a programming error and gives
** HAT_E_INTERNAL.  Nothing here keeps a pointer it is given after it returns.
** All functions are thread-safe: they touch only their arguments.
*/
#ifndef HAT_CORE_CDREG_H
#define HAT_CORE_CDREG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* ------------------------------------------------------------------------
** Register pages: (drug, strength, form, schedule).
**
** The law keeps one register section per drug and one page per strength and
** form (MDR 2001 reg 19(1)(b), 20(a)); the premises is the caller's part of
** the key.  The enum values are stable (they may be stored); the text codes
** are what the API and the database use.
*/

enum cdreg_drug {
	CDREG_DRUG_DIAMORPHINE = 1,	/* diamorphine hydrochloride */
	CDREG_DRUG_HYDROMORPHONE = 2,	/* hydromorphone hydrochloride */
	CDREG_DRUG_METHADONE = 3,	/* methadone hydrochloride (injectable or oral) */
	CDREG_DRUG_MORPHINE = 4		/* morphine sulfate (slow-release oral) */
};

/* A page counts its form's unit: ampoules for the injections, millilitres
** for an oral solution (its strength is per mL), capsules for slow-release
** morphine. */
enum cdreg_form {
	CDREG_FORM_POWDER_FOR_INJECTION = 1,	/* freeze-dried, in ampoules */
	CDREG_FORM_SOLUTION_FOR_INJECTION = 2,	/* solution, in ampoules */
	CDREG_FORM_ORAL_SOLUTION = 3,		/* counted in mL */
	CDREG_FORM_MR_CAPSULE = 4		/* modified-release capsules */
};

/* Schedules of the Misuse of Drugs Regulations 2001.  Every drug hat knows
** today is Schedule 2; the others exist so that a wrong class is refused as
** a wrong value rather than being unrepresentable. */
enum cdreg_schedule {
	CDREG_SCHEDULE_1 = 1,
	CDREG_SCHEDULE_2 = 2,
	CDREG_SCHEDULE_3 = 3,
	CDREG_SCHEDULE_4 = 4,
	CDREG_SCHEDULE_5 = 5
};

struct cdreg_page_key {
	enum cdreg_drug drug;
	int64_t strength_ug;		/* content of one ampoule */
	enum cdreg_form form;
	enum cdreg_schedule schedule;
};

/* The most strengths any one drug has in the table (methadone: six). */
#define CDREG_MAX_DRUG_STRENGTHS 8

/*
** Checks that a page key names a presentation hat keeps a register page for.
** The allowed rows, all Schedule 2 and all ampoules:
**   diamorphine hydrochloride, powder for injection: 5, 10, 30, 100, 500 mg
**     (the UK strengths, MHRA PL 30956/0003-5 and SmPCs);
**   hydromorphone hydrochloride, solution for injection, 1 mL ampoules at
**     2, 10, 20 and 50 mg/mL: 2, 10, 20, 50 mg (Palladone, Napp, UK);
**   methadone hydrochloride, solution for injection 10 mg/mL in 1, 2, 3.5,
**     5, 7.5 and 10 mL ampoules: 10, 20, 35, 50, 75, 100 mg (Martindale,
**     Wockhardt, UK);
**   methadone hydrochloride oral solution 1 mg/mL, counted in mL: strength
**     1 mg (one mL) (the UK's usual Schedule 2 methadone mixture);
**   morphine sulfate modified-release capsules: 10, 30, 60, 100, 200 mg
**     (Zomorph, UK), counted in capsules.
** Each (drug, form, strength) has one ampoule volume, so the strength alone
** tells the pages apart.
** key: borrowed.
** Errors: HAT_E_INVALID_VALUE for any other drug, form, strength or
** schedule; HAT_E_INTERNAL if key is NULL.
*/
enum hat_err cdreg_page_key_check(const struct cdreg_page_key *key);

/*
** Lists the allowed strengths of a drug in a form, smallest first.
** out: caller's array of out_cap entries; *n: how many were written.
** Errors: HAT_E_INVALID_VALUE if the drug is not kept in that form;
** HAT_E_INTERNAL if a pointer is NULL or out_cap is too small (a cap of
** CDREG_MAX_DRUG_STRENGTHS always suffices).
*/
enum hat_err cdreg_drug_strengths(enum cdreg_drug drug, enum cdreg_form form,
				  int64_t *out, size_t out_cap, size_t *n);

/*
** Volume of one ampoule in microlitres (0 for a powder), for the page
** heading.  Errors: HAT_E_INVALID_VALUE if the key is not allowed (see
** cdreg_page_key_check); HAT_E_INTERNAL if a pointer is NULL.
*/
enum hat_err cdreg_ampoule_volume(const struct cdreg_page_key *key,
				  int64_t *volume_ul);

/* Stable text codes ("diamorphine", "powder_for_injection") and the names a
** page heading prints ("diamorphine hydrochloride", "powder for solution for
** injection").  The strings are static; NULL for a value not in the enum. */
const char *cdreg_drug_code(enum cdreg_drug drug);
const char *cdreg_drug_name(enum cdreg_drug drug);
const char *cdreg_form_code(enum cdreg_form form);
const char *cdreg_form_name(enum cdreg_form form);
/* The unit a page of this form counts, plural ("ampoules", "mL",
** "capsules"); NULL for a value not in the enum. */
const char *cdreg_form_unit(enum cdreg_form form);

/* Looks a drug or form up by its code.  code: borrowed.
** Errors: HAT_E_INVALID_VALUE if unknown (or NULL code); HAT_E_INTERNAL if
** the out-pointer is NULL. */
enum hat_err cdreg_drug_from_code(const char *code, enum cdreg_drug *drug);
enum hat_err cdreg_form_from_code(const char *code, enum cdreg_form *form);

/* ------------------------------------------------------------------------
** Ampoule choice (clinical rules 14 and 15).
*/

/* One lot of one strength in the cupboard.  All lots passed together must be
** of one drug and form (one drug's pages); the caller selects them. */
struct cdreg_lot {
	int64_t lot_id;			/* the stock row's id; used for order */
	int64_t strength_ug;		/* content of one ampoule, > 0 */
	int64_t available;		/* whole ampoules in stock, >= 0 */
	int32_t expiry;			/* last local day it may be used */
	bool quarantined;		/* held back: never chosen */
};

/* One line of a choice: take `count` ampoules from lots[lot_index]. */
struct cdreg_pick {
	size_t lot_index;		/* index into the lots array given */
	int64_t lot_id;
	int64_t strength_ug;
	int64_t count;			/* >= 1 */
	int32_t expiry;
};

/* A dose above this is refused as out of range: twice the ~1 g/day ceiling
** of the trials, so never a real single dose, and it bounds the search. */
#define CDREG_DOSE_MAX_UG INT64_C(2000000)

/* Strengths above this (10 g per ampoule) are refused as bad stock data. */
#define CDREG_STRENGTH_MAX_UG INT64_C(10000000)

/* At most this many distinct usable strengths may be offered at once; every
** drug in the table has at most six. */
#define CDREG_MAX_STRENGTHS 8

/*
** Chooses which ampoules to open for a dose.
**
** Usable lots: not quarantined, available > 0, and expiry >= today (a lot is
** usable through its expiry date and expired from the day after).  Among all
** combinations of usable ampoules whose content covers dose_ug, the choice
** is the best by, in order:
**   1. least waste (content - dose): clinical rule 15, and the least drug
**      to denature;
**   2. fewest ampoules: less to open, reconstitute and record;
**   3. earliest expiry: the chosen ampoules' expiry dates, sorted, compared
**      earliest first (so the soonest-expiring usable ampoule is used when
**      it can be at no cost in waste or ampoule count).  Within one
**      strength this is first-expiry-first-out across lots, splitting
**      over lots when the earliest runs out; lots that expire on the same
**      day go in lot_id order, then array order;
**   4. if still tied (e.g. methadone 70 mg as 50+20 or 35+35 with the same
**      expiries), more of the larger strengths, so the answer never
**      depends on the order of the lots array.
** Expiry comes after waste and count because a dose's waste is destroyed
** for certain, while a near-expiry ampoule not used today may still be used
** tomorrow.
**
** Method: branch and bound over the distinct strengths, largest first, with
** a count for each.  A partial choice is dropped when the stock left cannot
** cover the dose, or when its least possible waste (the remainder rounded up
** to the gcd of the strengths left) or, at equal waste, its least possible
** count (remainder over the largest strength left) cannot beat the best so
** far.  Going largest-first finds a near-best answer at once, so the bounds
** cut almost everything.  Worst case, with m strengths s_1 > ... > s_m:
** prod_{i<m} (min(available_i, ceil(dose/s_i)) + 1) leaves, each O(1), plus
** O(c * (m + nlots)) per expiry comparison of two tied candidates of c
** ampoules; with the five diamorphine strengths and dose <= 1 g that is
** below 120,000 leaves, in practice tens.  Setup is O(nlots * m).
** No allocation: scratch lives on the stack (about 1 KiB, plus a small
** frame per strength of recursion).
**
** lots: borrowed, nlots entries (may be NULL if nlots is 0).
** out: caller's array of out_cap picks; *npicked: how many were written, in
** order of strength (largest first), then expiry.  Passing out_cap >= nlots
** always suffices.  *waste_ug: content minus dose.
**
** Errors: HAT_E_NO_STOCK if the usable stock cannot cover the dose;
** HAT_E_OUT_OF_RANGE if dose_ug is not in 1..CDREG_DOSE_MAX_UG, if a lot
** has strength_ug outside 1..CDREG_STRENGTH_MAX_UG or negative available
** (even if unusable: bad stock data is not passed over silently), or if the
** usable stock has more than CDREG_MAX_STRENGTHS distinct strengths;
** HAT_E_INTERNAL if a pointer is NULL or out_cap is too small.
*/
enum hat_err cdreg_choose_ampoules(const struct cdreg_lot *lots, size_t nlots,
				   int64_t dose_ug, int32_t today,
				   struct cdreg_pick *out, size_t out_cap,
				   size_t *npicked, int64_t *waste_ug);

/* ------------------------------------------------------------------------
** Balances.  A page's balance is counted in whole ampoules and is always
** computed from its entries, never typed in (rule 10).
*/

enum cdreg_kind {
	CDREG_KIND_OPENING = 1,		/* the page's first stock: = qty */
	CDREG_KIND_RECEIPT = 2,		/* + qty, qty >= 1 */
	CDREG_KIND_ADMINISTRATION = 3,	/* - qty, qty >= 1 (whole ampoules) */
	CDREG_KIND_DESTRUCTION = 4,	/* - qty, qty >= 1 */
	CDREG_KIND_CORRECTION = 5	/* + or - qty, qty != 0, names an entry */
};

/* Stable text code ("administration"); NULL if not in the enum. */
const char *cdreg_kind_code(enum cdreg_kind kind);

/* Errors: HAT_E_INVALID_VALUE if unknown or NULL; HAT_E_INTERNAL if kind is
** NULL. */
enum hat_err cdreg_kind_from_code(const char *code, enum cdreg_kind *kind);

/*
** Applies one entry to a balance.
** balance: the page's balance before the entry (>= 0).
** qty: ampoules; its sign and range depend on the kind (see the enum); an
** opening of 0 opens an empty page.
** Errors: HAT_E_BALANCE_NEGATIVE if the result would be below zero;
** HAT_E_OUT_OF_RANGE if balance < 0, qty is out of range for the kind, or
** the result would overflow; HAT_E_CONFLICT for an opening on a non-zero
** balance; HAT_E_INVALID_VALUE for an unknown kind; HAT_E_INTERNAL if
** new_balance is NULL.
*/
enum hat_err cdreg_apply(int64_t balance, enum cdreg_kind kind, int64_t qty,
			 int64_t *new_balance);

/* One entry as the verifier reads it back. */
struct cdreg_entry {
	int64_t id;			/* the row's sequence number, > 0 */
	enum cdreg_kind kind;
	int64_t qty;
	int64_t corrects_id;		/* corrections: the entry corrected;
					   0 for every other kind */
};

/*
** Recomputes a page's balance from its entries, in page order, from zero.
** Checks the page's shape as it goes: ids strictly increasing (the page is
** in order and nothing was re-sequenced), an opening only as the first
** entry, each correction naming an earlier entry of the same page, and each
** step by cdreg_apply.  O(n log n) (each correction's target is found by
** binary search over the earlier ids).
** entries: borrowed (may be NULL if n is 0).
** *balance: the balance after the last entry (0 for an empty page).
** bad_index: optional; the one out-parameter written on failure: the index
** of the entry at fault, so that the verifier can name the row.
** Errors: those of cdreg_apply, at the entry that fails;
** HAT_E_CONFLICT if ids are not strictly increasing and positive, or an
** opening is not first; HAT_E_CORRECTION_TARGET if a correction names no
** earlier entry; HAT_E_INVALID_VALUE if a non-correction names an entry;
** HAT_E_INTERNAL if a required pointer is NULL.
*/
enum hat_err cdreg_balance_of(const struct cdreg_entry *entries, size_t n,
			      int64_t *balance, size_t *bad_index);

/* ------------------------------------------------------------------------
** Late entries (MDR 2001 reg 20(b)): an entry is made on the day of the
** transaction or, if not reasonably practicable, the next day.
*/

/* True when the entry was made later than the day after the event: made on
** the event day or the next day is on time, two days after is late.  An
** entry dated before its event is not late (cdreg_check_entry_dates refuses
** it). */
bool cdreg_is_late(int32_t event_local_date, int32_t entered_local_date);

/*
** Checks an entry's dates and says whether it is late.
** Errors: HAT_E_DATE_ORDER if the event is after the day it is entered (a
** register records what has happened); HAT_E_INTERNAL if late is NULL.
*/
enum hat_err cdreg_check_entry_dates(int32_t event_local_date,
				     int32_t entered_local_date, bool *late);

/* No page has an entry yet, for cdreg_check_entry_order. */
#define CDREG_EMPTY_PAGE INT32_MIN

/*
** The same for an entry going onto a page whose newest entry records an
** event on page_last_event_date (CDREG_EMPTY_PAGE for an empty page).
** Entries keep the order they were made in; one whose event comes before
** the page's newest is a back-dated insertion, and is marked late however
** soon it was made (regulatory rule 6: never re-sequenced silently).
** Errors: those of cdreg_check_entry_dates.
*/
enum hat_err cdreg_check_entry_order(int32_t event_local_date, int32_t entered_local_date,
				     int32_t page_last_event_date, bool *late);

/* ------------------------------------------------------------------------
** Stock checks (rules 10 and 11).
*/

/* Default interval between stock checks, in days: weekly (NICE NG46). */
#define CDREG_STOCK_CHECK_INTERVAL_DEFAULT 7
/* The setting's allowed range, in days. */
#define CDREG_STOCK_CHECK_INTERVAL_MIN 1
#define CDREG_STOCK_CHECK_INTERVAL_MAX 31

/* "Never checked", for cdreg_stock_check_overdue's last_check. */
#define CDREG_NEVER INT32_MIN

/*
** Compares a physical count with the register balance.
** *difference: counted - expected (positive: more in the cupboard than the
** register says).  *discrepancy: true when the difference is not zero,
** which opens a discrepancy case; the balance is never edited to match.
** Errors: HAT_E_OUT_OF_RANGE if either count is negative;
** HAT_E_INTERNAL if a pointer is NULL.
*/
enum hat_err cdreg_stock_check(int64_t expected, int64_t counted,
			       int64_t *difference, bool *discrepancy);

/*
** Checks that two user ids are two people (stock checkers, administrator
** and witness, destroyer and authorised witness).  Ids are > 0; 0 or less
** means nobody was given.
** Errors: HAT_E_WITNESS_REQUIRED if either is missing;
** HAT_E_WITNESS_SAME_PERSON if they are equal.
*/
enum hat_err cdreg_check_two_people(int64_t a, int64_t b);

/*
** Whether a page's stock check is overdue.
** last_check: local date of the last check, or CDREG_NEVER.
** interval_days: the clinic's setting (CDREG_STOCK_CHECK_INTERVAL_*).
** Edge: with a 7-day interval a page checked on a Monday is due again the
** next Monday and is not overdue that day ("at least weekly" is met by a
** check seven days later); it is overdue from the Tuesday (8 days since).
** A page never checked is overdue.
** Errors: HAT_E_OUT_OF_RANGE if interval_days is outside the allowed range;
** HAT_E_DATE_ORDER if last_check is after today; HAT_E_INTERNAL if overdue
** is NULL.
*/
enum hat_err cdreg_stock_check_overdue(int32_t last_check, int32_t today,
				       int32_t interval_days, bool *overdue);

/* ------------------------------------------------------------------------
** Waste from part-used ampoules (rule 14): the balance falls by whole
** ampoules; what was in them is either administered or wasted.
*/

/*
** Content of a number of ampoules: *content_ug = ampoules * strength_ug.
** Errors: HAT_E_OUT_OF_RANGE if ampoules < 1, strength_ug is outside
** 1..CDREG_STRENGTH_MAX_UG, or the product overflows; HAT_E_INTERNAL if
** content_ug is NULL.
*/
enum hat_err cdreg_content(int64_t ampoules, int64_t strength_ug,
			   int64_t *content_ug);

/*
** Total content of a choice of ampoules (from cdreg_choose_ampoules).
** picks: borrowed, n >= 1 entries.
** Errors: HAT_E_OUT_OF_RANGE if n is 0 or a pick is out of range (as for
** cdreg_content) or the sum overflows; HAT_E_INTERNAL if a pointer is NULL.
*/
enum hat_err cdreg_picks_content(const struct cdreg_pick *picks, size_t n,
				 int64_t *content_ug);

/*
** Checks the waste arithmetic: removed (the opened ampoules' content) equals
** administered plus wasted.  Administered may be 0 (a dose drawn up and then
** withheld is all waste); wasted may be 0 (no part-used ampoule).
** Errors: HAT_E_OUT_OF_RANGE if content_ug < 1 or either part is negative;
** HAT_E_INVALID_VALUE if the parts do not add up to the content.
*/
enum hat_err cdreg_waste(int64_t content_ug, int64_t administered_ug,
			 int64_t wasted_ug);

/* ------------------------------------------------------------------------
** Quantities in words and figures (reg 15: the total quantity in both).
*/

#define CDREG_WORDS_MAX_QUANTITY INT64_C(999999)
/* Buffer size that holds any rendering, with its terminating NUL. */
#define CDREG_WORDS_SIZE 128

/*
** Renders n in British English words and then figures:
** 230 -> "two hundred and thirty (230)", 1005 -> "one thousand and five
** (1005)", 0 -> "zero (0)".  Figures have no thousands separator, so that
** they cannot be misread as a decimal point.  The unit is the caller's.
** buf: caller's buffer of cap bytes, NUL-terminated on success.
** Errors: HAT_E_OUT_OF_RANGE if n is outside 0..999999; HAT_E_INTERNAL if
** buf is NULL or cap is too small (CDREG_WORDS_SIZE always suffices).
*/
enum hat_err cdreg_quantity_words(int64_t n, char *buf, size_t cap);

#endif
