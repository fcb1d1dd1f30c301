/*
** schedule.c: session windows, missed doses and the board's state machine.
*/
#include <string.h>

#include "core/schedule.h"

static bool minute_ok(int32_t local_minute)
{
	return local_minute >= 0 && local_minute < SETTINGS_MINUTES_PER_DAY;
}

enum hat_err schedule_window_at(const struct clinic_settings *s,
				int32_t local_minute, int32_t *window_out)
{
	if (!minute_ok(local_minute))
		return HAT_E_OUT_OF_RANGE;
	for (int32_t i = 0; i < s->window_count; i++) {
		const struct settings_window *w = &s->windows[i];

		if (local_minute >= w->start_minute &&
		    local_minute < w->end_minute) {
			*window_out = i;
			return HAT_OK;
		}
	}
	return HAT_E_OUTSIDE_WINDOW;
}

enum hat_err schedule_board_window(const struct clinic_settings *s,
				   int32_t local_minute, int32_t *window_out,
				   bool *open_out)
{
	int32_t open_index;

	if (!minute_ok(local_minute))
		return HAT_E_OUT_OF_RANGE;
	if (schedule_window_at(s, local_minute, &open_index) == HAT_OK) {
		*window_out = open_index;
		*open_out = true;
		return HAT_OK;
	}
	/* Windows are in time order, so the first that starts later is next. */
	for (int32_t i = 0; i < s->window_count; i++) {
		if (s->windows[i].start_minute > local_minute) {
			*window_out = i;
			*open_out = false;
			return HAT_OK;
		}
	}
	*window_out = s->window_count > 0 ? s->window_count - 1 : 0;
	*open_out = false;
	return HAT_OK;
}

/* ---- Missed doses ------------------------------------------------------- */

static bool dates_ascending(const int32_t *dates, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (dates[i] < dates[i - 1])
			return false;
	}
	return true;
}

/* The latest dose on or before today; false when there is none. */
static bool last_dose_by(const int32_t *dates, size_t n, int32_t today,
			 int32_t *last_out)
{
	bool found = false;

	for (size_t i = 0; i < n && dates[i] <= today; i++) {
		*last_out = dates[i];
		found = true;
	}
	return found;
}

static enum schedule_missed_state
state_for_days(const struct clinic_settings *s, int32_t days)
{
	if (days >= s->missed_restart_days)
		return SCHEDULE_MISSED_RESTART;
	if (days >= s->missed_block_days)
		return SCHEDULE_MISSED_BLOCKED;
	if (days >= s->missed_flag_days)
		return SCHEDULE_MISSED_FLAGGED;
	return SCHEDULE_MISSED_NONE;
}

/* A review counts for this gap only if it came after the gap began: on a
** later date than the last dose, or with no dose, within the episode. */
static bool review_covers_gap(const struct schedule_review *review,
			      bool has_dose, int32_t last_dose,
			      int32_t episode_start_date)
{
	if (!review || !review->present)
		return false;
	if (has_dose)
		return review->review_date > last_dose;
	return review->review_date >= episode_start_date;
}

/* A review answers for the days up to and including its own; the patient
** may still miss days after it, and as many of those as would block a
** patient count again (else one review would clear every later gap). */
static int32_t days_after_review(const struct schedule_review *review,
				 int32_t today)
{
	int64_t days = (int64_t)today - review->review_date - 1;

	return days > 0 ? (int32_t)days : 0;
}

enum hat_err schedule_missed_days(const struct clinic_settings *s,
				  const int32_t *dose_dates, size_t n,
				  int32_t episode_start_date, int32_t today,
				  const struct schedule_review *review,
				  struct schedule_missed *out)
{
	struct schedule_missed res = { 0 };
	int32_t last_dose = 0;
	bool has_dose;
	int32_t first_missed;

	if (n > 0 && !dose_dates)
		return HAT_E_INVALID_VALUE;
	if (!dates_ascending(dose_dates, n) || episode_start_date > today)
		return HAT_E_DATE_ORDER;

	has_dose = last_dose_by(dose_dates, n, today, &last_dose);
	if (has_dose && last_dose == today) {
		*out = res;
		return HAT_OK;
	}
	/* Tolerance is lost from the last dose, whatever prescription or
	** episode it was given under: a renewal, a new episode or a change of
	** premises never resets the count.  Only a patient never dosed counts
	** from the start of their treatment. */
	first_missed = has_dose ? last_dose + 1 : episode_start_date;
	/* Days first_missed .. today-1 inclusive had no dose. */
	res.days_missed = today > first_missed ? today - first_missed : 0;
	res.state = state_for_days(s, res.days_missed);

	if (res.state >= SCHEDULE_MISSED_BLOCKED &&
	    review_covers_gap(review, has_dose, last_dose,
			      episode_start_date) &&
	    state_for_days(s, days_after_review(review, today)) <
		    SCHEDULE_MISSED_BLOCKED) {
		bool lifts = res.state == SCHEDULE_MISSED_BLOCKED ||
			     review->restart_induction;

		if (lifts) {
			res.state = SCHEDULE_MISSED_FLAGGED;
			res.review_cleared = true;
			res.restart_induction = review->restart_induction;
		}
	}
	*out = res;
	return HAT_OK;
}

enum hat_err schedule_oral_missed(const struct clinic_settings *s, bool has_oral_dose,
				  int32_t last_oral_date, int32_t start_date, int32_t today,
				  const struct schedule_review *review, int32_t *days_missed,
				  bool *needs_review)
{
	int64_t days;
	bool need;

	if ((has_oral_dose && last_oral_date > today) || (!has_oral_dose && start_date > today))
		return HAT_E_DATE_ORDER;
	days = has_oral_dose ? (int64_t)today - last_oral_date - 1 : (int64_t)today - start_date;
	if (days < 0)
		days = 0;
	need = days >= s->oral_missed_review_days;
	if (need && review_covers_gap(review, has_oral_dose, last_oral_date, start_date) &&
	    days_after_review(review, today) < s->oral_missed_review_days)
		need = false;
	*days_missed = (int32_t)days;
	*needs_review = need;
	return HAT_OK;
}

/* ---- Blocks after adverse events ---------------------------------------- */

bool schedule_adverse_blocks(enum schedule_adverse_kind kind,
			     bool naloxone_given)
{
	/* Naloxone given blocks whatever the event was recorded as: an
	** overdose reversed with naloxone is a naloxone event. */
	return naloxone_given || kind == SCHEDULE_ADVERSE_NALOXONE ||
	       kind == SCHEDULE_ADVERSE_SEIZURE;
}

bool schedule_blocked_by_event(int64_t last_blocking_event_at,
			       int64_t last_review_at)
{
	if (last_blocking_event_at == 0)
		return false;
	return last_review_at == 0 || last_review_at < last_blocking_event_at;
}

/* ---- The board ---------------------------------------------------------- */

static const char *const state_names[] = {
	[SCHEDULE_DUE] = "due",
	[SCHEDULE_CHECKED_IN] = "checked_in",
	[SCHEDULE_ASSESSED] = "assessed",
	[SCHEDULE_DOSED] = "dosed",
	[SCHEDULE_OBSERVING] = "observing",
	[SCHEDULE_LEFT] = "left",
	[SCHEDULE_WITHHELD] = "withheld",
	[SCHEDULE_DECLINED] = "declined",
	[SCHEDULE_DID_NOT_ATTEND] = "did_not_attend",
};

#define STATE_COUNT (sizeof(state_names) / sizeof(state_names[0]))

const char *schedule_state_name(enum schedule_board_state st)
{
	if ((size_t)st >= STATE_COUNT)
		return NULL;
	return state_names[st];
}

enum hat_err schedule_state_parse(const char *name,
				  enum schedule_board_state *out)
{
	if (!name)
		return HAT_E_INVALID_VALUE;
	for (size_t i = 0; i < STATE_COUNT; i++) {
		if (strcmp(state_names[i], name) == 0) {
			*out = (enum schedule_board_state)i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

/* Leaving after a dose: the post-dose check is required, the end of the
** observation is not (leaving early is against advice, not prevented). */
static enum hat_err leave(const struct schedule_step_facts *facts,
			  struct schedule_step *out)
{
	if (!facts)
		return HAT_E_INVALID_VALUE;
	if (!facts->postdose_checked)
		return HAT_E_POSTDOSE_MISSING;
	/* An abnormal check keeps the observation open: only a normal check
	** ends it, so leaving now is against advice and needs its reason. */
	if (facts->last_check_abnormal && !facts->against_advice_reason)
		return HAT_E_AGAINST_ADVICE_REASON;
	out->next = SCHEDULE_LEFT;
	out->left_against_advice = facts->observation_remaining_s > 0 ||
				   facts->last_check_abnormal;
	return HAT_OK;
}

/* The table of legal moves other than leaving; SCHEDULE_DUE in a cell
** means "not allowed" since no move ever leads back to due. */
static enum schedule_board_state move(enum schedule_board_state cur,
				      enum schedule_event ev)
{
	switch (cur) {
	case SCHEDULE_DUE:
		if (ev == SCHEDULE_EV_CHECK_IN)
			return SCHEDULE_CHECKED_IN;
		if (ev == SCHEDULE_EV_NO_SHOW)
			return SCHEDULE_DID_NOT_ATTEND;
		break;
	case SCHEDULE_CHECKED_IN:
	case SCHEDULE_ASSESSED:
		if (ev == SCHEDULE_EV_ASSESS_FIT)
			return SCHEDULE_ASSESSED;
		if (ev == SCHEDULE_EV_ASSESS_NOT_FIT ||
		    ev == SCHEDULE_EV_WITHHOLD)
			return SCHEDULE_WITHHELD;
		if (ev == SCHEDULE_EV_DECLINE)
			return SCHEDULE_DECLINED;
		if (ev == SCHEDULE_EV_INJECT && cur == SCHEDULE_ASSESSED)
			return SCHEDULE_DOSED;
		break;
	case SCHEDULE_DOSED:
		if (ev == SCHEDULE_EV_OBSERVE)
			return SCHEDULE_OBSERVING;
		break;
	case SCHEDULE_OBSERVING:
		/* Before a top-up the patient is assessed again, but stays under
		** observation of the dose already given: they may still leave
		** (after the post-dose check) or have the top-up. */
		if (ev == SCHEDULE_EV_ASSESS_FIT)
			return SCHEDULE_OBSERVING;
		if (ev == SCHEDULE_EV_INJECT)
			return SCHEDULE_DOSED;
		if (ev == SCHEDULE_EV_ASSESS_NOT_FIT ||
		    ev == SCHEDULE_EV_WITHHOLD)
			return SCHEDULE_OBSERVING;
		break;
	case SCHEDULE_LEFT:
	case SCHEDULE_WITHHELD:
	case SCHEDULE_DECLINED:
	case SCHEDULE_DID_NOT_ATTEND:
		break;
	}
	return SCHEDULE_DUE;
}

enum hat_err schedule_next_state(enum schedule_board_state current,
				 enum schedule_event event,
				 const struct schedule_step_facts *facts,
				 struct schedule_step *out)
{
	enum schedule_board_state next;

	if (event == SCHEDULE_EV_LEAVE) {
		if (current != SCHEDULE_DOSED && current != SCHEDULE_OBSERVING)
			return HAT_E_WRONG_STATE;
		return leave(facts, out);
	}
	next = move(current, event);
	if (next == SCHEDULE_DUE)
		return HAT_E_WRONG_STATE;
	out->next = next;
	out->left_against_advice = false;
	return HAT_OK;
}

int64_t schedule_observation_remaining_s(const struct clinic_settings *s,
					 int64_t last_injection_at,
					 int64_t now)
{
	int64_t elapsed = now - last_injection_at;

	if (elapsed < 0)
		return s->observation_s;
	if (elapsed >= s->observation_s)
		return 0;
	return s->observation_s - elapsed;
}

unsigned schedule_board_flags(bool blocked_by_event,
			      const struct schedule_missed *missed,
			      bool alerts_on_record,
			      int64_t observation_remaining_s)
{
	unsigned flags = 0;

	if (blocked_by_event)
		flags |= SCHEDULE_FLAG_BLOCKED;
	if (missed && missed->state >= SCHEDULE_MISSED_FLAGGED)
		flags |= SCHEDULE_FLAG_MISSED_ALERT;
	if (missed && missed->state == SCHEDULE_MISSED_BLOCKED)
		flags |= SCHEDULE_FLAG_BLOCKED;
	if (missed && missed->state == SCHEDULE_MISSED_RESTART)
		flags |= SCHEDULE_FLAG_BLOCKED | SCHEDULE_FLAG_RESTART;
	if (alerts_on_record)
		flags |= SCHEDULE_FLAG_ALERTS;
	if (observation_remaining_s > 0)
		flags |= SCHEDULE_FLAG_OBSERVING;
	return flags;
}

unsigned schedule_postdose_flags(bool last_check_abnormal, enum schedule_board_state st)
{
	if (!last_check_abnormal || (st != SCHEDULE_DOSED && st != SCHEDULE_OBSERVING))
		return 0;
	return SCHEDULE_FLAG_ALARM | SCHEDULE_FLAG_OBSERVING;
}
