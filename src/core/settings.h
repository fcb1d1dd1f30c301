/*
** settings.h: the clinical settings of one set of premises.
**
** Every number a dosing rule uses lives here, so that a clinic can change it
** (through the API, versioned and audited) and no rule hard-codes it.  The
** struct is plain data: the store layer fills it from its rows, and
** settings_default() gives the defaults the issue names.  Nothing here
** allocates, reads the clock or keeps state.
**
** Units: drug amounts in micrograms (*_ug), intervals in seconds (*_s),
** clock times of day in minutes after local midnight (0..1439; a window's end
** may be 1440, meaning midnight at the end of the day).
*/
#ifndef HAT_CORE_SETTINGS_H
#define HAT_CORE_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

/* At most this many session windows a day. */
#define SETTINGS_MAX_WINDOWS 4
/* Room for a window's name ("morning"), with its terminating NUL. */
#define SETTINGS_NAME_MAX 32
/* At most this many levels on the sedation scale. */
#define SETTINGS_MAX_SEDATION_LEVELS 8
/* Room for a sedation level's label, with its terminating NUL. */
#define SETTINGS_LABEL_MAX 48
/* Minutes in a day: a window may end at, but not after, midnight. */
#define SETTINGS_MINUTES_PER_DAY 1440

/*
** A dosing session window in clinic-local time.  It is half-open: open from
** start_minute up to but not including end_minute, so the default morning
** window 08:30-11:00 (510..660) accepts 10:59 and refuses 11:00.  A window
** never spans midnight; a clinic open across midnight configures two windows.
*/
struct settings_window {
	int32_t start_minute;
	int32_t end_minute;
	char name[SETTINGS_NAME_MAX];
};

struct clinic_settings {
	/* The premises these settings belong to; a prescriber's Home Office
	** licence must name the same premises. */
	int64_t premises_id;

	/* Session windows, in time order, not overlapping. */
	int32_t window_count;
	struct settings_window windows[SETTINGS_MAX_WINDOWS];

	/* Least time between the starts of a patient's two sessions. */
	int64_t min_between_session_starts_s;

	/* System-wide daily ceilings no prescription may pass. */
	int64_t ceiling_diamorphine_ug;
	int64_t ceiling_hydromorphone_ug;
	int64_t ceiling_methadone_oral_ug;
	int64_t ceiling_srom_ug;

	/* Post-dose observation, least gap before a top-up, and how long a
	** pre-dose assessment stays valid. */
	int64_t observation_s;
	int64_t topup_min_gap_s;
	int64_t assessment_valid_s;

	/* Consecutive full days without a dose: alert, block until review,
	** restart induction.  Ordered flag <= block <= restart. */
	int32_t missed_flag_days;
	int32_t missed_block_days;
	int32_t missed_restart_days;

	/* Consecutive full days without the oral component after which its
	** next dose needs a prescriber's review (UK guidance for methadone:
	** 3).  1..60. */
	int32_t oral_missed_review_days;

	/* Days a register page may go without a two-person stock check before
	** it shows as overdue (1..31; default 7). */
	int32_t stock_check_interval_days;

	/* Warn when an IM injection uses the same site as the last IM one. */
	bool im_site_repeat_warn;

	/* The sedation scale, least sedated first.  Levels up to
	** sedation_fit_max allow a plain "fit"; up to sedation_reduced_max at
	** most "fit for a reduced dose"; anything above is not fit. */
	int32_t sedation_level_count;
	char sedation_levels[SETTINGS_MAX_SEDATION_LEVELS][SETTINGS_LABEL_MAX];
	int32_t sedation_fit_max;
	int32_t sedation_reduced_max;

	/* The post-dose check is abnormal (an alarm on the board) at sedation
	** level postdose_sedation_alarm or worse (1..levels-1), a respiratory
	** rate under postdose_resp_rate_min a minute, or an oxygen saturation
	** under postdose_spo2_min per cent. */
	int32_t postdose_sedation_alarm;
	int32_t postdose_resp_rate_min;
	int32_t postdose_spo2_min;

	/* Breath alcohol in micrograms per 100 ml of breath: readings up to and
	** including alcohol_fit_max_ug allow a plain "fit"; up to
	** alcohol_reduced_max_ug at most a reduced dose; above, not fit. */
	int32_t alcohol_fit_max_ug;
	int32_t alcohol_reduced_max_ug;
};

/*
** Fills *out with the defaults: morning 08:30-11:00 and afternoon
** 15:00-17:30; 3 h between session starts; daily ceilings diamorphine
** 1,000 mg, hydromorphone 500 mg, oral methadone 150 mg, SROM 1,200 mg;
** observation 15 min; top-up gap 15 min; assessment valid 30 min; missed
** days 1 / 3 / 5; an oral review after 3 days without it; IM repeat warning on; the 4-level sedation scale (alert;
** drowsy but easily roused; frequently drowsy; hard to rouse) with level 0
** fit and level 1 at most a reduced dose; breath alcohol fit up to 9 and
** reduced up to 22 micrograms per 100 ml; a post-dose alarm at "hard to
** rouse" (level 3) or worse, breathing under 10 a minute, saturation under
** 94%.  premises_id is 0: the caller sets
** it.  Never fails; *out is caller-owned.
*/
void settings_default(struct clinic_settings *out);

/*
** Checks that a set of settings can be used.  Returns HAT_OK, or:
**   HAT_E_OUT_OF_RANGE    a window minute outside 0..1440, no windows or more
**                         than SETTINGS_MAX_WINDOWS, an interval or ceiling
**                         not positive, a missed-day threshold below 1, a
**                         sedation scale of fewer than 2 or more than
**                         SETTINGS_MAX_SEDATION_LEVELS levels, a sedation
**                         threshold off the scale, a negative alcohol limit;
**   HAT_E_DATE_ORDER      a window that does not start before it ends, or
**                         windows out of time order or overlapping;
**   HAT_E_INVALID_VALUE   thresholds out of order (missed flag > block >
**                         restart, fit above reduced for sedation or
**                         alcohol), an empty or unterminated name or label.
** Borrows s for the call only.
*/
enum hat_err settings_validate(const struct clinic_settings *s);

/* Which setting is at fault and why, for a person to act on: the field's
** API name (static) and a sentence with the numbers. */
struct settings_problem {
	const char *field;
	char message[160];
};

/* settings_validate, saying which setting fails and why in *p (p may be
** NULL; it is written only on failure).  Same codes, same order. */
enum hat_err settings_check(const struct clinic_settings *s, struct settings_problem *p);

#endif
