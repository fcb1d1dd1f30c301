/*
** outcomes.c: see outcomes.h.
*/
#include <string.h>

#include "outcomes.h"

static bool key_ok(const char *k, size_t max)
{
	size_t n = strnlen(k, max);

	return n > 0 && n < max;
}

static enum hat_err item_check(const struct outcomes_item *it)
{
	if (!key_ok(it->key, sizeof it->key) || it->min > it->max)
		return HAT_E_INSTRUMENT_INVALID;
	if (strnlen(it->domain, sizeof it->domain) >= sizeof it->domain)
		return HAT_E_INSTRUMENT_INVALID;
	switch (it->type) {
	case OUTCOMES_DAYS:
		if (it->min < 0 || it->max > OUTCOMES_DAYS_MAX)
			return HAT_E_INSTRUMENT_INVALID;
		break;
	case OUTCOMES_YESNO:
		if (it->min != 0 || it->max != 1)
			return HAT_E_INSTRUMENT_INVALID;
		break;
	case OUTCOMES_TEXT:
		if (it->scored || it->better != OUTCOMES_BETTER_NONE)
			return HAT_E_INSTRUMENT_INVALID;
		break;
	case OUTCOMES_SCALE:
	case OUTCOMES_AMOUNT:
		break;
	default:
		return HAT_E_INSTRUMENT_INVALID;
	}
	if (it->weeks && (it->type != OUTCOMES_DAYS || it->max != OUTCOMES_DAYS_MAX))
		return HAT_E_INSTRUMENT_INVALID;
	return HAT_OK;
}

enum hat_err outcomes_instrument_check(const struct outcomes_instrument *ins, int32_t *bad_item)
{
	int64_t lo = 0, hi = 0;
	int32_t scored = 0;
	int32_t dummy;

	if (!bad_item)
		bad_item = &dummy;
	*bad_item = -1;
	if (!key_ok(ins->code, sizeof ins->code) || ins->version < 1 || ins->item_count < 1 ||
	    ins->item_count > OUTCOMES_MAX_ITEMS)
		return HAT_E_INSTRUMENT_INVALID;
	for (int32_t i = 0; i < ins->item_count; i++) {
		const struct outcomes_item *it = &ins->items[i];

		*bad_item = i;
		if (item_check(it) != HAT_OK)
			return HAT_E_INSTRUMENT_INVALID;
		for (int32_t j = 0; j < i; j++) {
			if (strcmp(ins->items[j].key, it->key) == 0)
				return HAT_E_INSTRUMENT_INVALID;
		}
		if (it->scored) {
			scored++;
			lo += it->min;
			hi += it->max;
		}
	}
	*bad_item = -1;
	switch (ins->scoring) {
	case OUTCOMES_SCORE_NONE:
		return HAT_OK;
	case OUTCOMES_SCORE_SUM:
		return scored > 0 ? HAT_OK : HAT_E_INSTRUMENT_INVALID;
	case OUTCOMES_SCORE_SUM_TABLE:
		/* The table must name every total the items can add up to and
		** nothing else, so that a lookup can never fall off either end. */
		if (scored == 0 || ins->table_first != lo || ins->table_count < 1 ||
		    ins->table_count > OUTCOMES_TABLE_MAX || lo + ins->table_count - 1 != hi)
			return HAT_E_INSTRUMENT_INVALID;
		return HAT_OK;
	default:
		return HAT_E_INSTRUMENT_INVALID;
	}
}

int32_t outcomes_item_index(const struct outcomes_instrument *ins, const char *key)
{
	for (int32_t i = 0; i < ins->item_count; i++) {
		if (strcmp(ins->items[i].key, key) == 0)
			return i;
	}
	return -1;
}

static enum hat_err answer_check(const struct outcomes_item *it, const struct outcomes_answer *a)
{
	int64_t sum = 0;

	if (a->kind == OUTCOMES_ABSENT)
		return it->required ? HAT_E_MISSING_FIELD : HAT_OK;
	if (a->has_weeks && !it->weeks)
		return HAT_E_WRONG_TYPE;
	if (a->kind == OUTCOMES_NA)
		return a->has_weeks ? HAT_E_WRONG_TYPE : HAT_OK;
	if (it->type == OUTCOMES_TEXT)
		return HAT_OK;
	if (a->value < it->min || a->value > it->max)
		return HAT_E_OUT_OF_RANGE;
	if (!a->has_weeks)
		return HAT_OK;
	for (int i = 0; i < OUTCOMES_WEEKS; i++) {
		if (a->weeks[i] < 0 || a->weeks[i] > OUTCOMES_WEEK_DAYS)
			return HAT_E_OUT_OF_RANGE;
		sum += a->weeks[i];
	}
	return sum == a->value ? HAT_OK : HAT_E_WEEKS_TOTAL;
}

enum hat_err outcomes_check(const struct outcomes_instrument *ins,
			    const struct outcomes_answer *answers, int32_t *bad_item)
{
	enum hat_err rc;

	for (int32_t i = 0; i < ins->item_count; i++) {
		rc = answer_check(&ins->items[i], &answers[i]);
		if (rc != HAT_OK) {
			if (bad_item)
				*bad_item = i;
			return rc;
		}
	}
	return HAT_OK;
}

void outcomes_score(const struct outcomes_instrument *ins, const struct outcomes_answer *answers,
		    struct outcomes_score *out)
{
	int64_t total = 0;
	int64_t idx;

	memset(out, 0, sizeof *out);
	if (ins->scoring == OUTCOMES_SCORE_NONE)
		return;
	for (int32_t i = 0; i < ins->item_count; i++) {
		if (!ins->items[i].scored)
			continue;
		if (answers[i].kind != OUTCOMES_VALUE)
			return;
		total += answers[i].value;
	}
	out->has_total = true;
	out->total = total;
	if (ins->scoring != OUTCOMES_SCORE_SUM_TABLE)
		return;
	idx = total - ins->table_first;
	if (idx >= 0 && idx < ins->table_count) {
		out->has_metric = true;
		out->metric_x100 = ins->table_x100[idx];
	}
}

static const char *const stage_names[] = { "start", "review", "exit", "post_exit" };

bool outcomes_stage_parse(const char *name, enum outcomes_stage *out)
{
	for (int i = 0; i < 4; i++) {
		if (name && strcmp(name, stage_names[i]) == 0) {
			*out = (enum outcomes_stage)i;
			return true;
		}
	}
	return false;
}

const char *outcomes_stage_name(enum outcomes_stage s)
{
	return (unsigned)s < 4 ? stage_names[s] : "review";
}

enum hat_err outcomes_stage_check(enum outcomes_stage stage, const struct outcomes_episode *ep,
				  int32_t form_date, int32_t today, int64_t revising_id)
{
	if (form_date > today || form_date < ep->referral_date)
		return HAT_E_DATE_ORDER;
	switch (stage) {
	case OUTCOMES_STAGE_START:
		/* A revision of the Start itself is not a second Start. */
		if (ep->has_start && ep->start_form_id != revising_id)
			return HAT_E_TOP_START_EXISTS;
		break;
	case OUTCOMES_STAGE_REVIEW:
		break;
	case OUTCOMES_STAGE_EXIT:
		if (ep->discharged && form_date > ep->discharge_date)
			return HAT_E_TOP_EXIT_AFTER_DISCHARGE;
		break;
	case OUTCOMES_STAGE_POST_EXIT:
		if (!ep->discharged || form_date <= ep->discharge_date)
			return HAT_E_TOP_POST_EXIT_OPEN;
		break;
	}
	return HAT_OK;
}

enum outcomes_due outcomes_review_due(int32_t last_top_date, int32_t interval_days,
				      int32_t grace_days, int32_t today, int32_t *due_date)
{
	int32_t due = last_top_date + interval_days;

	if (due_date)
		*due_date = due;
	if (today < due)
		return OUTCOMES_NOT_DUE;
	return today - due > grace_days ? OUTCOMES_OVERDUE : OUTCOMES_DUE;
}

enum outcomes_direction outcomes_direction(enum outcomes_better better, int64_t first,
					   int64_t latest, int64_t threshold)
{
	int64_t gain;

	if (better == OUTCOMES_BETTER_NONE)
		return OUTCOMES_NO_CHANGE_KNOWN;
	if (threshold < 1)
		threshold = 1;
	gain = better == OUTCOMES_BETTER_HIGHER ? latest - first : first - latest;
	if (gain >= threshold)
		return OUTCOMES_IMPROVED;
	if (-gain >= threshold)
		return OUTCOMES_WORSE;
	return OUTCOMES_SAME;
}

const char *outcomes_direction_words(enum outcomes_direction d)
{
	switch (d) {
	case OUTCOMES_IMPROVED:
		return "improved";
	case OUTCOMES_SAME:
		return "about the same";
	case OUTCOMES_WORSE:
		return "worse";
	default:
		return "not known";
	}
}

bool outcomes_progressing(bool retained, const enum outcomes_direction *dirs, int32_t n)
{
	if (!retained)
		return false;
	for (int32_t i = 0; i < n; i++) {
		if (dirs[i] == OUTCOMES_IMPROVED)
			return true;
	}
	return false;
}

void outcomes_settings_default(struct outcomes_settings *out)
{
	out->review_interval_days = 182;
	out->review_grace_days = 28;
	out->change_threshold_days = 4;
	out->change_threshold_rating = 3;
	out->screen_window_days = 91;
	out->screen_negative_pct = 50;
}

static bool in(int32_t v, int32_t lo, int32_t hi)
{
	return v >= lo && v <= hi;
}

enum hat_err outcomes_settings_check(const struct outcomes_settings *s, const char **field)
{
	const char *bad = NULL;

	if (!in(s->review_interval_days, 28, 730))
		bad = "review_interval_days";
	else if (!in(s->review_grace_days, 0, 182))
		bad = "review_grace_days";
	else if (!in(s->change_threshold_days, 1, 28))
		bad = "change_threshold_days";
	else if (!in(s->change_threshold_rating, 1, 20))
		bad = "change_threshold_rating";
	else if (!in(s->screen_window_days, 7, 730))
		bad = "screen_window_days";
	else if (!in(s->screen_negative_pct, 1, 100))
		bad = "screen_negative_pct";
	if (field)
		*field = bad;
	return bad ? HAT_E_OUT_OF_RANGE : HAT_OK;
}

int64_t outcomes_threshold(const struct outcomes_item *item, const struct outcomes_settings *s)
{
	if (item->type == OUTCOMES_DAYS)
		return s->change_threshold_days;
	if (item->type == OUTCOMES_SCALE && item->max <= 20 && item->max - item->min > 6)
		return s->change_threshold_rating;
	return 1;
}
