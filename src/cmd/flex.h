/*
** flex.h (cmd): flexibility inside the rules (core/flex.h says why each rule
** is as it is): the clinic's flexibility settings, planned absences, oral
** cover, session choice and the report of the schedule's burden.
**
** Commands (target in brackets):
**   flex_settings.set   manager [premises]: any of planned_absence_enabled,
**       absence_max_days, oral_cover_enabled, oral_take_home_enabled,
**       take_home_max_days, cover_bridge_days, session_choice_enabled,
**       windows ([{name, weekdays: ["mon"..], choice_only}], by the clinic's
**       window names); a new version, the old kept
**   absence.record      keyworker or nurse [patient]: from_date, to_date,
**       sessions (window names; absent: every session), reason, notes
**   absence.cancel      keyworker or nurse [absence]: notes
**   cover.prescribe     prescriber [absence]: drug, daily_dose_mg, mode
**       (supervised | take_home), from_date, to_date (default: the
**       absence's days), notes
**   cover.give          nurse with a witness [cover]: amount_mg: a supervised
**       dose, with its administration and register entries
**   cover.supply        nurse with a witness [cover]: the take-home supply
**       for the covered days from today, posted to the register
**   cover.return        nurse or pharmacist with a witness [cover]:
**       amount_mg, notes: unused take-home doses back (returns log)
**   session.preference  care staff [patient]: windows (names; [] clears),
**       travel_min (null clears)
**   session.change      care staff [patient]: date, from_window, to_window,
**       reason
**   session.change_cancel care staff [change]
** Refusals: the codes core/flex.h names, not_found, and the dosing codes
** for a cover dose.
*/
#ifndef HAT_CMD_FLEX_H
#define HAT_CMD_FLEX_H

#include "cmd/cmd.h"
#include "core/flex.h"

extern const struct cmd_def flex_settings_set;
extern const struct cmd_def flex_absence_record;
extern const struct cmd_def flex_absence_cancel;
extern const struct cmd_def flex_cover_prescribe;
extern const struct cmd_def flex_cover_give;
extern const struct cmd_def flex_cover_supply;
extern const struct cmd_def flex_cover_return;
extern const struct cmd_def flex_preference_set;
extern const struct cmd_def flex_change_set;
extern const struct cmd_def flex_change_cancel;

/* ---- Settings (flex_settings.c) ------------------------------------------ */

/* The flexibility settings in force for premises_id (defaults when none
** stored; *version 0 then), read against the clinic's windows s. */
enum hat_err flex_settings_load(struct store_conn *c, int64_t premises_id,
				const struct clinic_settings *s, struct flex_settings *out,
				int64_t *version);

/* As JSON, windows by name (new reference; NULL when building failed). */
json_t *flex_settings_json(const struct flex_settings *f, const struct clinic_settings *s,
			   int64_t version);

/* The premises' settings as GET answers them (new reference in *out). */
enum hat_err flex_settings_read(struct store_conn *c, int64_t premises_id, json_t **out);

/* Window names (a JSON array of strings) to bits of window indices.
** HAT_E_WRONG_TYPE, or HAT_E_INVALID_VALUE for a name the clinic lacks. */
enum hat_err flex_windows_from_names(const struct clinic_settings *s, json_t *names,
				     unsigned *bits);
/* The names of bits (0: every session) as a new JSON array or "all". */
json_t *flex_windows_names(const struct clinic_settings *s, unsigned bits);
/* A window's index by name; -1 when the clinic lacks it. */
int32_t flex_window_index(const struct clinic_settings *s, const char *name);

/* ---- Facts for the board, attendance and the missed-dose rules ------------ */

/* What flexibility says of one patient on one day (flex_facts.c). */
struct flex_day {
	struct flex_settings settings;
	unsigned preferred;                  /* bits; 0 none */
	struct flex_change changes[8];       /* that day's, not cancelled */
	size_t n_changes;
	int64_t absence_id[SETTINGS_MAX_WINDOWS]; /* per window: 0 none */
	char absence_reason[SETTINGS_MAX_WINDOWS][24];
	bool cover_today;                    /* covered by oral cover today */
};

enum hat_err flex_day_load(struct store_conn *c, int64_t patient_id, int64_t premises_id,
			   const struct clinic_settings *s, int32_t date, struct flex_day *out);

/* The last day the missed-dose rules count as dosed once oral cover taken
** after the last injection is bridged (core's flex_cover_bridge): *dates
** (ascending, *n of them, room for cap) gains that day when it is later. */
enum hat_err flex_bridge_dates(struct store_conn *c, int64_t patient_id,
			       const struct flex_settings *f, int32_t today, int32_t *dates,
			       size_t *n, size_t cap);

/* The board's window on date at local_minute, among those that open. */
enum hat_err flex_board_window_load(struct store_conn *c, int64_t premises_id,
				    const struct clinic_settings *s, int32_t date,
				    int32_t local_minute, int32_t *w, bool *open);

/* Sessions of patient_id that planned absences excuse from attendance over
** from..last (last <= today): due[i] is what was due on from + i; on today
** only the first `begun` windows count.  The sum in *excused. */
enum hat_err flex_attendance_excused(struct store_conn *c, int64_t patient_id,
				     const struct clinic_settings *s, int32_t from, int32_t last,
				     int32_t today, int32_t begun, const int32_t *due,
				     int64_t *excused);

/* ---- Reads (absences.c, windows.c) ------------------------------------------ */

/* A patient's planned absences (with cancellation and cover), newest
** first, and preference and session changes (new reference). */
enum hat_err flex_patient_read(struct store_conn *c, int64_t patient_id, json_t **out);

/* ---- The report (flex_report.c) ------------------------------------------- */

/* The schedule's burden at premises_id between two local dates: per person,
** travel, hours a week, sessions of each kind of flexibility; and
** attendance, retention and street-heroin screens compared for those who
** used flexibility and those who did not (small numbers suppressed). */
enum hat_err flex_report(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			 int64_t now, json_t **out);

#endif
