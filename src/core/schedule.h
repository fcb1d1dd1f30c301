/*
** schedule.h: session windows, missed doses, and a patient's progress
** through one session on the dosing board.
**
** Pure functions: the caller passes the clinic-local business date (days
** since 1970-01-01 in the local calendar), the local minute of day
** (0..1439) and UTC instants (Unix seconds).  Windows are matched on local
** minutes; intervals are measured on UTC seconds, so days when the clocks
** change behave.  Nothing here does I/O, reads the clock or allocates.
*/
#ifndef HAT_CORE_SCHEDULE_H
#define HAT_CORE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"
#include "util/err.h"

/* ---- Session windows --------------------------------------------------- */

/*
** Finds the window that contains local_minute (windows are half-open:
** start <= minute < end).  Returns HAT_OK and sets *window_out to its
** index in s->windows; HAT_E_OUTSIDE_WINDOW if none contains it;
** HAT_E_OUT_OF_RANGE if local_minute is not 0..1439.  On error *window_out
** is untouched.
*/
enum hat_err schedule_window_at(const struct clinic_settings *s,
				int32_t local_minute, int32_t *window_out);

/*
** The session the dosing board should show at local_minute: the open window
** if there is one, else the next to open today, else the last of the day (so
** that after closing the board still shows the afternoon's outcome).
** *open_out says whether that window is open now.  Returns HAT_OK, or
** HAT_E_OUT_OF_RANGE for a minute not 0..1439; on error the outputs are
** untouched.
*/
enum hat_err schedule_board_window(const struct clinic_settings *s,
				   int32_t local_minute, int32_t *window_out,
				   bool *open_out);

/* ---- Missed doses ------------------------------------------------------- */

enum schedule_missed_state {
	SCHEDULE_MISSED_NONE = 0,
	SCHEDULE_MISSED_FLAGGED,      /* a missed-dose alert on the board */
	SCHEDULE_MISSED_BLOCKED,      /* no injectable dose until reviewed */
	SCHEDULE_MISSED_RESTART       /* induction must be restarted */
};

/* A prescriber's review of the patient.  review_date is its local business
** date; restart_induction records that the prescriber chose re-titration. */
struct schedule_review {
	bool present;
	int64_t reviewed_at;
	int32_t review_date;
	bool restart_induction;
};

struct schedule_missed {
	int32_t days_missed;              /* full days in a row, to yesterday */
	enum schedule_missed_state state;
	bool review_cleared;              /* a review lifted block or restart */
	bool restart_induction;           /* induction again from the review */
};

/*
** Counts the consecutive full days with no dose that end yesterday, and maps
** them to a state: >= missed_restart_days RESTART, >= missed_block_days
** BLOCKED, >= missed_flag_days FLAGGED, else NONE.  Today, still in
** progress, never counts as missed, and a dose today means the patient has
** resumed (0 days).  The count runs from the last dose whatever
** prescription or episode it was given under: a renewal, a superseding
** prescription, a change of premises or a new episode never resets it.
** Only for a patient with no dose at all does it run from
** episode_start_date, so a new patient is not missing doses they were
** never due.
**
** A review dated after the last dose (or, with no dose, on or after the
** episode start) lifts a block: the state drops to FLAGGED.  It answers
** only for the days up to its own date: once the full days after the
** review date with no dose reach missed_block_days, it lifts nothing.  It lifts a
** restart only if the review chose to restart induction; then
** restart_induction is set and the caller doses under the induction schedule
** from the review date.  Review dates are compared by local date: a review
** on the day of the last dose came before the gap began.
**
** dose_dates: local dates of the patient's doses, ascending (duplicates
** allowed), borrowed for the call; may be NULL when n is 0.  Dates after
** today are ignored.  review may be NULL.
** Returns HAT_OK, or HAT_E_DATE_ORDER if dose_dates is not ascending or
** episode_start_date is after today; on error *out is untouched.
*/
enum hat_err schedule_missed_days(const struct clinic_settings *s,
				  const int32_t *dose_dates, size_t n,
				  int32_t episode_start_date, int32_t today,
				  const struct schedule_review *review,
				  struct schedule_missed *out);

/*
** The oral component's missed-dose rule.  Counts the consecutive full days
** without an oral dose that end yesterday: from the day after last_oral_date
** when has_oral_dose (whatever prescription or episode it was under), else
** from start_date.  A dose today means 0.  When the count reaches
** s->oral_missed_review_days the next oral dose needs a prescriber's review
** (*needs_review): a review dated after the last oral dose (or, with none,
** on or after start_date) answers for the gap, but only while the full days
** after its own date stay under the threshold.
** Returns HAT_OK, or HAT_E_DATE_ORDER for a last dose or start after today;
** on error the outputs are untouched.  review may be NULL.
*/
enum hat_err schedule_oral_missed(const struct clinic_settings *s, bool has_oral_dose,
				  int32_t last_oral_date, int32_t start_date, int32_t today,
				  const struct schedule_review *review, int32_t *days_missed,
				  bool *needs_review);

/* ---- Blocks after adverse events ---------------------------------------- */

enum schedule_adverse_kind {
	SCHEDULE_ADVERSE_SEDATION = 1,
	SCHEDULE_ADVERSE_OVERDOSE,
	SCHEDULE_ADVERSE_NALOXONE,
	SCHEDULE_ADVERSE_SEIZURE
};

/* True for the adverse events after which the patient is blocked until a
** prescriber reviews them: naloxone given (an event of kind NALOXONE, or any
** event that records a naloxone dose), or a seizure. */
bool schedule_adverse_blocks(enum schedule_adverse_kind kind,
			     bool naloxone_given);

/*
** Whether a blocking adverse event at last_blocking_event_at (0: none) still
** blocks, given the latest prescriber review at last_review_at (0: none).
** A review at or after the event lifts it.
*/
bool schedule_blocked_by_event(int64_t last_blocking_event_at,
			       int64_t last_review_at);

/* ---- The board: one patient within one session --------------------------- */

enum schedule_board_state {
	SCHEDULE_DUE = 0,
	SCHEDULE_CHECKED_IN,
	SCHEDULE_ASSESSED,
	SCHEDULE_DOSED,
	SCHEDULE_OBSERVING,
	SCHEDULE_LEFT,
	SCHEDULE_WITHHELD,
	SCHEDULE_DECLINED,
	SCHEDULE_DID_NOT_ATTEND
};

enum schedule_event {
	SCHEDULE_EV_CHECK_IN = 1,     /* arrived for the session */
	SCHEDULE_EV_ASSESS_FIT,       /* fit, or fit for a reduced dose */
	SCHEDULE_EV_ASSESS_NOT_FIT,
	SCHEDULE_EV_WITHHOLD,         /* withheld for another reason */
	SCHEDULE_EV_INJECT,           /* an injection was given */
	SCHEDULE_EV_OBSERVE,          /* moved to the after-care area */
	SCHEDULE_EV_LEAVE,            /* left after a dose */
	SCHEDULE_EV_DECLINE,          /* left or refused without a dose */
	SCHEDULE_EV_NO_SHOW           /* the session closed without them */
};

/* Facts the LEAVE event needs. */
struct schedule_step_facts {
	bool postdose_checked;             /* a post-dose check is recorded */
	int64_t observation_remaining_s;   /* seconds still to run */
	bool last_check_abnormal;          /* the latest post-dose check raised an alarm */
	bool against_advice_reason;        /* a reason for leaving against advice is given */
};

struct schedule_step {
	enum schedule_board_state next;
	bool left_against_advice;          /* left before observation ended */
};

/*
** The board's state machine.  Legal moves:
**   due        --check_in-->   checked_in;   due --no_show--> did_not_attend
**   checked_in --assess_fit--> assessed;
**              --assess_not_fit/withhold--> withheld
**   checked_in, assessed --decline--> declined
**   assessed   --assess_fit--> assessed (a fresh assessment);
**              --assess_not_fit/withhold--> withheld; --inject--> dosed
**   dosed      --observe--> observing
**   dosed, observing --leave--> left
**   observing  --assess_fit--> observing (assessed for a top-up; the
**              observation of the dose given goes on);
**              --inject--> dosed (the top-up: core's dosing rules decide
**              whether a fresh assessment allows it);
**              --assess_not_fit/withhold--> observing (the top-up is
**              withheld, the observation of the dose given goes on)
** Leaving needs a recorded post-dose check (HAT_E_POSTDOSE_MISSING); leaving
** with observation time remaining is allowed and sets left_against_advice.
** The observation cannot end before a normal check: after an abnormal one
** the patient may leave only against advice, with its reason given
** (HAT_E_AGAINST_ADVICE_REASON otherwise), however long ago the dose was.
** facts may be NULL except for the leave event.
** Returns HAT_OK and fills *out, or HAT_E_WRONG_STATE for any other move
** (and for unknown states or events), HAT_E_POSTDOSE_MISSING as above;
** HAT_E_INVALID_VALUE for leave without facts.  On error *out is untouched.
*/
enum hat_err schedule_next_state(enum schedule_board_state current,
				 enum schedule_event event,
				 const struct schedule_step_facts *facts,
				 struct schedule_step *out);

/*
** Seconds of post-dose observation still to run at now, counted from the
** last injection: observation_s - (now - last_injection_at), never below 0
** and never above observation_s (a last injection dated after now counts as
** just given).  Exactly observation_s after the injection it is 0.
*/
int64_t schedule_observation_remaining_s(const struct clinic_settings *s,
					 int64_t last_injection_at,
					 int64_t now);

/* Board flags, for the row of one patient. */
enum schedule_flag {
	SCHEDULE_FLAG_BLOCKED = 1u << 0,       /* blocked until review */
	SCHEDULE_FLAG_MISSED_ALERT = 1u << 1,  /* missed-dose alert */
	SCHEDULE_FLAG_ALERTS = 1u << 2,        /* alerts on record */
	SCHEDULE_FLAG_OBSERVING = 1u << 3,     /* observation time remaining */
	SCHEDULE_FLAG_RESTART = 1u << 4,       /* induction must be restarted */
	SCHEDULE_FLAG_ALARM = 1u << 5          /* an abnormal post-dose check */
};

/* The flags an abnormal post-dose check adds for a patient still in the
** session: the alarm, and observation that goes on whatever the clock says
** (ALARM | OBSERVING); 0 after a normal check or when the visit is over. */
unsigned schedule_postdose_flags(bool last_check_abnormal, enum schedule_board_state st);

/* Combines what the board shows about a patient into SCHEDULE_FLAG_* bits.
** missed may be NULL. */
unsigned schedule_board_flags(bool blocked_by_event,
			      const struct schedule_missed *missed,
			      bool alerts_on_record,
			      int64_t observation_remaining_s);

/* Stable names of board states ("due", "checked_in", "assessed", "dosed",
** "observing", "left", "withheld", "declined", "did_not_attend"); NULL for
** an unknown value. */
const char *schedule_state_name(enum schedule_board_state st);

/* Parses a stable state name; HAT_E_INVALID_VALUE if unknown. */
enum hat_err schedule_state_parse(const char *name,
				  enum schedule_board_state *out);

#endif
