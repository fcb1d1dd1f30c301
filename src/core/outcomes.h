/*
** outcomes.h: outcome instruments (the Treatment Outcomes Profile, BARC-10,
** SWEMWBS and any instrument a clinic adds) and the rules of recording them.
**
** An instrument is data: its definition (items, their types and ranges, the
** scoring rule and any conversion table) is held in the database as JSON
** and turned into a struct outcomes_instrument by the command layer; this
** module only checks and scores.  Nothing here allocates, reads the clock or
** keeps state; dates are day numbers (days since 1970-01-01, clinic-local).
**
** Answers: every item may be absent (not recorded), "not answered" (NA: not
** disclosed or not answered, kept apart from zero) or a value.  Yes/no items
** hold 1 (yes) or 0 (no); amounts hold hundredths.
*/
#ifndef HAT_CORE_OUTCOMES_H
#define HAT_CORE_OUTCOMES_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define OUTCOMES_MAX_ITEMS 48
#define OUTCOMES_KEY_MAX 40     /* an item's key, with its NUL */
#define OUTCOMES_DOMAIN_MAX 32  /* a domain's name, with its NUL */
#define OUTCOMES_TABLE_MAX 64   /* conversion-table entries */
#define OUTCOMES_WEEKS 4        /* the TOP's optional week-by-week days */
#define OUTCOMES_DAYS_MAX 28    /* the TOP's recall: 28 days */
#define OUTCOMES_WEEK_DAYS 7

enum outcomes_item_type {
	OUTCOMES_DAYS,   /* days in the recall period, 0..max (28), optional weeks */
	OUTCOMES_SCALE,  /* an integer rating or Likert point, min..max */
	OUTCOMES_YESNO,  /* 1 yes, 0 no */
	OUTCOMES_AMOUNT, /* a quantity in hundredths, min..max hundredths */
	OUTCOMES_TEXT,   /* free text (a named substance); never scored */
};

/* Which way is better, for saying whether a change is an improvement. */
enum outcomes_better {
	OUTCOMES_BETTER_NONE,
	OUTCOMES_BETTER_LOWER,  /* days of use, crime, a housing problem */
	OUTCOMES_BETTER_HIGHER, /* ratings, days in work */
};

enum outcomes_scoring {
	OUTCOMES_SCORE_NONE,      /* the TOP: each item compared on its own */
	OUTCOMES_SCORE_SUM,       /* BARC-10: the items' sum, all items needed */
	OUTCOMES_SCORE_SUM_TABLE, /* SWEMWBS: the sum, then a conversion table */
};

struct outcomes_item {
	char key[OUTCOMES_KEY_MAX];
	enum outcomes_item_type type;
	int32_t min;
	int32_t max;
	bool required;   /* a value or NA must be given */
	bool weeks;      /* a days item that takes the 4-week breakdown */
	bool scored;     /* counts towards the total */
	enum outcomes_better better;
	char domain[OUTCOMES_DOMAIN_MAX];
};

struct outcomes_instrument {
	char code[OUTCOMES_KEY_MAX];
	int32_t version;
	enum outcomes_scoring scoring;
	bool licence_required;
	int32_t item_count;
	struct outcomes_item items[OUTCOMES_MAX_ITEMS];
	/* SUM_TABLE: table_x100[i] is the converted score, in hundredths, of
	** the raw total table_first + i. */
	int32_t table_first;
	int32_t table_count;
	int32_t table_x100[OUTCOMES_TABLE_MAX];
};

enum outcomes_answer_kind {
	OUTCOMES_ABSENT,
	OUTCOMES_NA,
	OUTCOMES_VALUE,
};

struct outcomes_answer {
	enum outcomes_answer_kind kind;
	int64_t value;
	bool has_weeks;
	int32_t weeks[OUTCOMES_WEEKS]; /* week 4 (earliest) .. week 1 */
};

struct outcomes_score {
	bool has_total;     /* false: the form is incomplete, or not summed */
	int64_t total;
	bool has_metric;    /* the converted (e.g. Rasch) score */
	int32_t metric_x100;
};

/*
** Checks a definition: a code, 1..OUTCOMES_MAX_ITEMS items with distinct
** non-empty keys, min <= max for each (days within 0..28, weeks only on
** days items), at least one scored item when the form is summed, and for
** SUM_TABLE a table that covers every possible total exactly.
** Errors: HAT_E_INSTRUMENT_INVALID; *bad_item (may be NULL) is the index of
** the item at fault, or -1.
*/
enum hat_err outcomes_instrument_check(const struct outcomes_instrument *ins, int32_t *bad_item);

/* The index of the item called key, or -1. */
int32_t outcomes_item_index(const struct outcomes_instrument *ins, const char *key);

/*
** Checks a form's answers (one per item, in the instrument's order):
**   HAT_E_MISSING_FIELD  a required item is absent (NA is an answer);
**   HAT_E_OUT_OF_RANGE   a value outside the item's min..max, a week
**                        outside 0..7, a yes/no that is not 0 or 1;
**   HAT_E_WRONG_TYPE     weeks on an item that does not take them;
**   HAT_E_WEEKS_TOTAL    weeks that do not add up to the value.
** *bad_item is the index of the first item at fault.
*/
enum hat_err outcomes_check(const struct outcomes_instrument *ins,
			    const struct outcomes_answer *answers, int32_t *bad_item);

/*
** Scores checked answers.  SUM and SUM_TABLE need every scored item to be a
** value: one absent or NA item leaves has_total false (an incomplete form
** has no total, never a partial one).  SUM_TABLE looks the total up in the
** table.  NONE never has a total.
*/
void outcomes_score(const struct outcomes_instrument *ins, const struct outcomes_answer *answers,
		    struct outcomes_score *out);

/* ---- The TOP's recording rules ---- */

enum outcomes_stage {
	OUTCOMES_STAGE_START,
	OUTCOMES_STAGE_REVIEW,
	OUTCOMES_STAGE_EXIT,
	OUTCOMES_STAGE_POST_EXIT,
};

/* "start", "review", "exit", "post_exit": the stage for a name (false if none). */
bool outcomes_stage_parse(const char *name, enum outcomes_stage *out);
const char *outcomes_stage_name(enum outcomes_stage s);

/* What the stage rule needs of the treatment episode the form belongs to. */
struct outcomes_episode {
	int32_t referral_date;
	bool discharged;
	int32_t discharge_date;
	bool has_start;       /* a current (not in error) Start TOP exists */
	int64_t start_form_id; /* which one, so that its own revision is allowed */
};

/*
** May a TOP of this stage, dated form_date, be recorded in this episode?
** revising_id is the form being revised (0 for a new one).
**   HAT_E_DATE_ORDER              dated after today or before the referral;
**   HAT_E_TOP_START_EXISTS        a second Start in the episode;
**   HAT_E_TOP_EXIT_AFTER_DISCHARGE an Exit dated after the discharge date;
**   HAT_E_TOP_POST_EXIT_OPEN      a post-treatment exit before discharge,
**                                 or dated on or before the discharge date.
*/
enum hat_err outcomes_stage_check(enum outcomes_stage stage, const struct outcomes_episode *ep,
				  int32_t form_date, int32_t today, int64_t revising_id);

/* ---- Reviews due ---- */

enum outcomes_due {
	OUTCOMES_NOT_DUE,
	OUTCOMES_DUE,
	OUTCOMES_OVERDUE,
};

/*
** A TOP review falls due interval_days after the last TOP (the day itself
** is due: a Start on 1 January with 182 days is due from 2 July) and is
** overdue once more than grace_days have passed since then.  *due_date is
** the day it falls due.
*/
enum outcomes_due outcomes_review_due(int32_t last_top_date, int32_t interval_days,
				      int32_t grace_days, int32_t today, int32_t *due_date);

/* ---- Change and progress ---- */

enum outcomes_direction {
	OUTCOMES_NO_CHANGE_KNOWN, /* a value missing at either end, or no "better" */
	OUTCOMES_IMPROVED,
	OUTCOMES_SAME,
	OUTCOMES_WORSE,
};

/*
** The direction of a change from first to latest: improved when it moves
** at least threshold (>= 1) the better way, worse when at least threshold
** the other way, otherwise about the same.
*/
enum outcomes_direction outcomes_direction(enum outcomes_better better, int64_t first,
					   int64_t latest, int64_t threshold);

/* "improved", "about the same", "worse", "not known". */
const char *outcomes_direction_words(enum outcomes_direction d);

/*
** A person is progressing when they are retained in treatment and improved
** in at least one domain; there is deliberately no "recovered" verdict, and
** abstinence is one domain among the rest.
*/
bool outcomes_progressing(bool retained, const enum outcomes_direction *dirs, int32_t n);

/* ---- Clinic settings for outcomes (versioned in the database) ---- */

struct outcomes_settings {
	int32_t review_interval_days;   /* 182 */
	int32_t review_grace_days;      /* 28 */
	int32_t change_threshold_days;  /* 4: a local definition, not an official one */
	int32_t change_threshold_rating;/* 3: likewise */
	int32_t screen_window_days;     /* 91 */
	int32_t screen_negative_pct;    /* 50: the RIOTT-style threshold */
};

void outcomes_settings_default(struct outcomes_settings *out);

/* The change an item must move to count (days items: the days threshold;
** ratings up to 20: the rating threshold; anything else: 1). */
int64_t outcomes_threshold(const struct outcomes_item *item, const struct outcomes_settings *s);

/* HAT_E_OUT_OF_RANGE for an interval outside 28..730 days, a grace period
** outside 0..182, a threshold outside 1..28 (days) or 1..20 (ratings), a
** window outside 7..730 or a percentage outside 1..100. */
enum hat_err outcomes_settings_check(const struct outcomes_settings *s, const char **field);

#endif
