/*
** board.h: the reads of the dosing service: today's board, a patient's
** dosing history day by day, and attendance over a period.
**
** All three derive from the records (administrations, assessments, visit
** events, prescriptions) through core's rules; nothing here is stored.
** Each returns a new JSON reference in *out.
*/
#ifndef HAT_CMD_BOARD_H
#define HAT_CMD_BOARD_H

#include "cmd/cmd.h"

/* The board of premises_id at now: the session window (current, or the
** next one today), and every patient with a current prescription, with
** their state, last dose, flags and observation time remaining. */
enum hat_err board_today(struct store_conn *c, int64_t premises_id, int64_t now, json_t **out);

/* The prescriber's review the patient waits for at now, and why (see
** visits_pending_review_json), or JSON null; *out is a new reference.
** HAT_E_NOT_FOUND for no such patient. */
enum hat_err board_review_pending(struct store_conn *c, int64_t patient_id, int64_t now,
				  json_t **out);

/* A patient's days from `from` to `to` (local dates, inclusive), newest
** first: sessions attended, injectable and oral totals apart, the doses,
** assessments, session events and adverse events of each day. */
enum hat_err board_history(struct store_conn *c, int64_t patient_id, int32_t from, int32_t to,
			   json_t **out);

/* Sessions attended out of sessions due, per patient (patient_id 0: every
** patient of premises_id) and for the clinic, between two local dates.  A
** session is due once its window has begun (as of now): days to come and
** today's later sessions are not yet due. */
enum hat_err board_attendance(struct store_conn *c, int64_t premises_id, int64_t patient_id,
			      int32_t from, int32_t to, int64_t now, json_t **out);

/*
** The handover summary of one session: the board as it stood at the end of
** window `window` (0-based) on local date `date` (or at now, while that
** window is still running): who was dosed, withheld, declined, blocked,
** who had an alarm or left against advice, and the doses left undone
** (due, checked in or assessed but not dosed); then, for each register
** page, the ampoules the session's doses booked against the page's own
** administration entries in the window.  HAT_E_OUT_OF_RANGE for a window
** the clinic does not have.
*/
enum hat_err board_session_summary(struct store_conn *c, int64_t premises_id, int32_t date,
				   int32_t window, int64_t now, json_t **out);

#endif
