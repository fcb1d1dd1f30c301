/*
** flex.h: flexibility inside the rules: planned absences, oral cover for
** them, session choice (windows by weekday, windows by choice, a person's
** preferred windows, a changed session for one day), and the measures of
** the schedule's burden.
**
** Why each rule is as it is (the clinical reference, sections 1d and 1e):
** the twice-daily supervised schedule restricts work, family, appointments
** and court; an oral alternative (slow-release oral morphine or methadone)
** can cover a session the person cannot attend, supervised earlier at the
** clinic or as a take-home supply where the clinic allows it.  The missed-
** dose rules are about the body, not the reason: a planned absence still
** counts towards lost tolerance, and only a dose (an oral cover dose the
** person took) keeps tolerance up, so cover bridges a limited number of
** days (a clinic setting) and never an unlimited gap.
**
** Pure functions: dates are clinic-local day numbers (days since
** 1970-01-01), minutes are local minutes of day.  Nothing here does I/O,
** reads the clock or allocates.
*/
#ifndef HAT_CORE_FLEX_H
#define HAT_CORE_FLEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dosing.h"
#include "core/settings.h"
#include "util/err.h"

/* Every weekday: bit 0 is Monday, bit 6 Sunday. */
#define FLEX_EVERY_DAY 0x7Fu

/* ---- Settings ------------------------------------------------------------ */

/* What the clinic does with one of its session windows (by index into
** clinic_settings.windows). */
struct flex_window_rule {
	unsigned weekdays;   /* FLEX_EVERY_DAY or fewer: the days it opens */
	bool choice_only;    /* due there only for those who choose it */
};

struct flex_settings {
	/* Planned absences: recorded by a keyworker or nurse in advance. */
	bool planned_absence_enabled;
	int32_t absence_max_days;          /* 1..60; default 14 */
	/* Oral cover for a planned absence, given by a prescriber. */
	bool oral_cover_enabled;
	bool oral_take_home_enabled;       /* default off: the supervised model */
	int32_t take_home_max_days;        /* 1..14; default 3 */
	/* Consecutive days after the last injection that oral cover taken
	** counts as dosed for the missed-dose rules (0: cover never bridges a
	** gap).  0..7; default 2, under the default block at 3 days, so that a
	** longer absence still needs a prescriber's review. */
	int32_t cover_bridge_days;
	/* Session choice: preferred windows and one-day changes. */
	bool session_choice_enabled;
	struct flex_window_rule windows[SETTINGS_MAX_WINDOWS];
};

/* Fills *out with the defaults above: planned absences on (14 days), oral
** cover on, take-home oral off (3 days when on), cover bridges 2 days,
** session choice on, every window open every day and none by choice.
** Never fails. */
void flex_settings_default(struct flex_settings *out);

/*
** Checks flex settings against the clinic's windows.  Returns HAT_OK, or
** HAT_E_OUT_OF_RANGE for a number outside its range above, HAT_E_INVALID_VALUE
** for a window that opens on no day, or for every window of the clinic
** being by choice only (someone with no preference must be due somewhere).
*/
enum hat_err flex_settings_validate(const struct flex_settings *f,
				    const struct clinic_settings *s);

/* 0 for Monday .. 6 for Sunday (1970-01-01 was a Thursday). */
int flex_weekday(int32_t date);

/* Parses "mon".."sun" into its bit; HAT_E_INVALID_VALUE otherwise. */
enum hat_err flex_weekday_parse(const char *name, unsigned *bit);
/* "mon".."sun" for 0..6, NULL otherwise. */
const char *flex_weekday_name(int day);

/* ---- Planned absences ---------------------------------------------------- */

enum flex_reason {
	FLEX_REASON_NONE = 0,
	FLEX_REASON_WORK,
	FLEX_REASON_FAMILY,
	FLEX_REASON_HEALTH,        /* a health appointment */
	FLEX_REASON_COURT,
	FLEX_REASON_HOLIDAY,
	FLEX_REASON_OTHER
};

/* "work", "family", "health_appointment", "court", "holiday", "other". */
enum hat_err flex_reason_parse(const char *name, enum flex_reason *out);
const char *flex_reason_name(enum flex_reason r);

/* One planned absence: the days from..to (inclusive) and, on each, the
** sessions (bits of window indices; 0 means every session). */
struct flex_absence {
	int64_t id;
	int32_t from_date;
	int32_t to_date;
	unsigned windows;
};

/* Whether absence a covers window w on date. */
bool flex_absence_covers(const struct flex_absence *a, int32_t date, int32_t w);

/* Whether two absences share a session. */
bool flex_absences_overlap(const struct flex_absence *a, const struct flex_absence *b);

/*
** May absence a be recorded at (today, now_minute)?  In order:
**   HAT_E_FLEX_DISABLED       the clinic does not take planned absences;
**   HAT_E_DATE_ORDER          to_date before from_date;
**   HAT_E_INVALID_VALUE       a window bit the clinic does not have;
**   HAT_E_NOT_IN_ADVANCE      from_date before today, or today with its first
**                             covered session already begun (an absence
**                             recorded after the fact is a missed session,
**                             not a planned one);
**   HAT_E_ABSENCE_TOO_LONG    more days than absence_max_days;
**   HAT_E_ALREADY_PLANNED     it shares a session with one of the n
**                             existing (not cancelled) absences.
** existing may be NULL when n is 0.
*/
enum hat_err flex_check_absence(const struct flex_settings *f, const struct clinic_settings *s,
				const struct flex_absence *a, const struct flex_absence *existing,
				size_t n, int32_t today, int32_t now_minute);

/*
** Sessions on one day that a planned absence excuses from attendance: of
** the absent sessions (absent), those the person did not attend anyway,
** never more than were due: min(absent, max(0, due - attended)).
*/
int32_t flex_sessions_excused(int32_t absent, int32_t due, int32_t attended);

/* ---- Oral cover ------------------------------------------------------------ */

enum flex_cover_mode {
	FLEX_COVER_SUPERVISED = 1,   /* taken at the clinic, earlier that day */
	FLEX_COVER_TAKE_HOME         /* handed over for the days away */
};

enum hat_err flex_cover_mode_parse(const char *name, enum flex_cover_mode *out);
const char *flex_cover_mode_name(enum flex_cover_mode m);

struct flex_cover {
	enum dosing_drug drug;        /* methadone_oral or srom */
	int64_t daily_dose_ug;
	enum flex_cover_mode mode;
	int32_t from_date;            /* the covered days, within the absence */
	int32_t to_date;
};

/*
** May a prescriber give cover c for absence a (not cancelled) on today?
** In order:
**   HAT_E_FLEX_DISABLED         oral cover is off at this clinic;
**   HAT_E_INVALID_VALUE         the drug is not an oral one;
**   HAT_E_OUT_OF_RANGE          a daily dose not positive;
**   HAT_E_DOSE_OVER_CEILING     a daily dose above the clinic's ceiling;
**   HAT_E_DATE_ORDER            to_date before from_date;
**   HAT_E_COVER_OUTSIDE_ABSENCE covered days outside the absence;
**   HAT_E_NOT_IN_ADVANCE        covered days before today;
**   HAT_E_TAKE_HOME_NOT_ALLOWED take-home with the clinic's take-home off;
**   HAT_E_TAKE_HOME_DAYS        take-home for more than take_home_max_days.
*/
enum hat_err flex_check_cover(const struct flex_settings *f, const struct clinic_settings *s,
			      const struct flex_cover *c, const struct flex_absence *a,
			      int32_t today);

/*
** May a supervised cover dose of amount_ug be given today, with given_today
** already given under this cover today and day_oral_ug of all oral doses
** today?  patient gives discharge and adverse-event blocks (the missed-days
** block holds back injectable doses only, as for the oral component).
**   HAT_E_OUT_OF_RANGE          amount not positive;
**   HAT_E_NO_ACTIVE_EPISODE     discharged;
**   HAT_E_PATIENT_BLOCKED       an adverse event awaits review;
**   HAT_E_COVER_NOT_DUE         not a supervised cover, today not a covered
**                               day, or today's cover already given;
**   HAT_E_DOSE_OVER_SESSION     amount above the daily cover dose;
**   HAT_E_DOSE_OVER_CEILING     today's oral total above the clinic ceiling.
*/
enum hat_err flex_check_cover_dose(const struct clinic_settings *s, const struct flex_cover *c,
				   const struct dosing_patient *patient, int64_t amount_ug,
				   int64_t given_today, int64_t day_oral_ug, int32_t today);

/*
** May a take-home cover supply be handed over today, supplied_before being
** what this cover has already supplied?  The supply is the daily dose for
** each covered day from today (or from from_date when later) to to_date.
**   HAT_E_TAKE_HOME_NOT_ALLOWED the clinic's take-home is off (now);
**   HAT_E_NO_ACTIVE_EPISODE, HAT_E_PATIENT_BLOCKED as for a dose;
**   HAT_E_COVER_NOT_DUE         not a take-home cover, already supplied, or
**                               its days are over;
**   HAT_E_NOT_IN_ADVANCE        more than a day before the first covered day
**                               (a supply is handed over at the last visit
**                               before the absence, not earlier).
** On success *days and *amount_ug say what to hand over.
*/
enum hat_err flex_check_supply(const struct flex_settings *f, const struct flex_cover *c,
			       const struct dosing_patient *patient, int64_t supplied_before,
			       int32_t today, int32_t *first_day, int32_t *days,
			       int64_t *amount_ug);

/* Days of a take-home supply of `days` daily doses taken, once returned_ug
** came back unused: each part-dose returned is a day not (fully) covered,
** counted from the end.  Never below 0. */
int32_t flex_take_home_days_taken(int32_t days, int64_t daily_dose_ug, int64_t returned_ug);

/*
** The missed-dose rules see cover taken as a dose, within limits.  Given the
** last injection's date (has_injection false: none; cover then bridges
** nothing, since nothing is known of tolerance) and the dates of cover taken
** (ascending, duplicates allowed), returns in *last the last date the body
** counts as dosed: the last injection, or the bridge_days-th covered day
** after it (earlier if fewer), ignoring covered days after today.  *bridged
** is how many covered days counted.
*/
void flex_cover_bridge(bool has_injection, int32_t last_injection, const int32_t *covered,
		       size_t n, int32_t bridge_days, int32_t today, int32_t *last,
		       int32_t *bridged);

/* ---- Session choice ------------------------------------------------------- */

/* Whether window w opens on date (its weekdays). */
bool flex_window_opens(const struct flex_settings *f, const struct clinic_settings *s, int32_t w,
		       int32_t date);

/* A changed session for one day: from window from_w to window to_w. */
struct flex_change {
	int32_t date;
	int32_t from_w;
	int32_t to_w;
};

/*
** Is the person due in window w on date?  Changes for that date come first
** (moved to w: due; moved from w: not).  Then a window that does not open on
** the day is never due.  With session choice on and preferred (bits of
** window indices, 0: none) naming a window that opens that day, due in the
** preferred windows only; otherwise in the windows that are not by choice.
** changes may be NULL when n is 0.
*/
bool flex_due_in_window(const struct flex_settings *f, const struct clinic_settings *s,
			unsigned preferred, const struct flex_change *changes, size_t n,
			int32_t date, int32_t w);

/*
** The window the board shows at local_minute on date: as
** schedule_board_window, among the windows that open that day.  *w_out is
** -1 when none opens that day.  HAT_E_OUT_OF_RANGE for a bad minute.
*/
enum hat_err flex_board_window(const struct flex_settings *f, const struct clinic_settings *s,
			       int32_t date, int32_t local_minute, int32_t *w_out, bool *open_out);

/*
** May change ch be made at (today, now_minute)?  In order:
**   HAT_E_FLEX_DISABLED     session choice is off;
**   HAT_E_INVALID_VALUE     a window the clinic does not have, or from = to;
**   HAT_E_NOT_IN_ADVANCE    a date before today, or today with either
**                           window already begun;
**   HAT_E_OUTSIDE_WINDOW    the new window does not open that day;
**   HAT_E_ALREADY_PLANNED   a change of the same session that day exists
**                           among the n given.
*/
enum hat_err flex_check_change(const struct flex_settings *f, const struct clinic_settings *s,
			       const struct flex_change *ch, const struct flex_change *existing,
			       size_t n, int32_t today, int32_t now_minute);

/* ---- The schedule's burden ------------------------------------------------ */

/*
** Hours a week spent travelling to and attending sessions: sessions attended
** over `days` days, each with a round trip of 2 x travel_min and visit_min
** at the clinic.  0 for days < 1.
*/
double flex_hours_per_week(int64_t sessions, int32_t days, int32_t travel_min,
			   double visit_min);

#endif
