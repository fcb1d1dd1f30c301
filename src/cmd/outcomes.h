/*
** outcomes.h (cmd): outcome forms (TOP, BARC-10, SWEMWBS and any instrument
** held as data), their revisions and entered-in-error marks, the outcome
** settings, the keyworker's worklist of reviews due.
**
** Commands:
**   outcome.record  keyworker, nurse or prescriber (target = patient):
**       instrument, version (default the newest), form_date (default
**       today), stage (instruments with stages: start | review | exit |
**       post_exit), episode_id (default the episode the date falls in),
**       keyworker_id (default the actor), answers {item key: value}.
**       A value is a number, "na" (not disclosed or not answered: never a
**       zero), "yes"/"no", text, or for a days item {"total", "weeks": [w4,
**       w3, w2, w1]}.  Scored instruments keep their total, recomputed from
**       the items.
**   outcome.revise  the same staff (target = form): answers, form_date,
**       stage, keyworker_id, reason.  A new row supersedes the form; the
**       old one stays as history under the same instrument version.
**   outcome.error   the same staff (target = form): reason.  The form is
**       marked entered in error; nothing is deleted.
**   outcome.settings  manager: review_interval_days, review_grace_days,
**       change_threshold_days, change_threshold_rating,
**       screen_window_days, screen_negative_pct (versioned).
** Refusals: unknown_instrument, instrument_not_enabled, no_episode,
** top_start_exists, top_exit_after_discharge,
** top_post_exit_needs_discharge, date_order, out_of_range,
** weeks_do_not_add_up, missing_field, unknown_field, wrong_type,
** record_superseded, entered_in_error, not_found.
*/
#ifndef HAT_CMD_OUTCOMES_H
#define HAT_CMD_OUTCOMES_H

#include "cmd/cmd.h"
#include "core/outcomes.h"

/* Who records and revises outcome forms. */
#define OUTCOMES_RECORDERS (ROLE_KEYWORKER | ROLE_NURSE | ROLE_PRESCRIBER)

extern const struct cmd_def outcomes_record;
extern const struct cmd_def outcomes_revise;
extern const struct cmd_def outcomes_error;
extern const struct cmd_def outcomes_settings_set;

/* The settings in force (defaults when none stored); *version 0 for those. */
enum hat_err outcomes_settings_load(struct store_conn *c, struct outcomes_settings *out,
				    int64_t *version);
json_t *outcomes_settings_json(const struct outcomes_settings *s, int64_t version);

/* Reads a stored answers object into core's answers, one per item.
** HAT_E_UNKNOWN_FIELD / HAT_E_WRONG_TYPE with *bad_key borrowed from
** answers. */
enum hat_err outcomes_answers_parse(const struct outcomes_instrument *ins, json_t *answers,
				    struct outcomes_answer *out, const char **bad_key);

/* A patient's forms (new reference): the current revision of each, newest
** first, with its instrument, score and how many revisions it has; with
** all, also those entered in error (marked). */
enum hat_err outcomes_forms_list(struct store_conn *c, int64_t patient_id, bool all,
				 json_t **out);

/* One form with its whole history, oldest revision first (new reference);
** *patient_id says whose it is.  HAT_E_NOT_FOUND. */
enum hat_err outcomes_form_history(struct store_conn *c, int64_t form_id, int64_t *patient_id,
				   json_t **out);

/* Patients with an open episode, and for each: the last TOP, when the next
** review is due and whether it is due or overdue (a Start is due when
** there is none), and their open goals (new reference). */
enum hat_err outcomes_worklist(struct store_conn *c, int32_t today, json_t **out);

#endif
