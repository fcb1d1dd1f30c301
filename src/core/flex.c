/*
** flex.c: see flex.h.
*/
#include <string.h>

#include "flex.h"

void flex_settings_default(struct flex_settings *out)
{
	memset(out, 0, sizeof *out);
	out->planned_absence_enabled = true;
	out->absence_max_days = 14;
	out->oral_cover_enabled = true;
	out->oral_take_home_enabled = false;
	out->take_home_max_days = 3;
	out->cover_bridge_days = 2;
	out->session_choice_enabled = true;
	for (int i = 0; i < SETTINGS_MAX_WINDOWS; i++) {
		out->windows[i].weekdays = FLEX_EVERY_DAY;
		out->windows[i].choice_only = false;
	}
}

enum hat_err flex_settings_validate(const struct flex_settings *f,
				    const struct clinic_settings *s)
{
	bool standard = false;

	if (f->absence_max_days < 1 || f->absence_max_days > 60 || f->take_home_max_days < 1 ||
	    f->take_home_max_days > 14 || f->cover_bridge_days < 0 || f->cover_bridge_days > 7)
		return HAT_E_OUT_OF_RANGE;
	for (int32_t i = 0; i < s->window_count && i < SETTINGS_MAX_WINDOWS; i++) {
		if ((f->windows[i].weekdays & FLEX_EVERY_DAY) == 0 ||
		    (f->windows[i].weekdays & ~FLEX_EVERY_DAY) != 0)
			return HAT_E_INVALID_VALUE;
		if (!f->windows[i].choice_only)
			standard = true;
	}
	return standard ? HAT_OK : HAT_E_INVALID_VALUE;
}

int flex_weekday(int32_t date)
{
	int r = (int)(((int64_t)date + 3) % 7);

	return r < 0 ? r + 7 : r;
}

static const char *const weekday_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

enum hat_err flex_weekday_parse(const char *name, unsigned *bit)
{
	for (unsigned i = 0; name && i < 7; i++) {
		if (strcmp(name, weekday_names[i]) == 0) {
			*bit = 1u << i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

const char *flex_weekday_name(int day)
{
	return day >= 0 && day < 7 ? weekday_names[day] : NULL;
}

/* ---- Planned absences ---------------------------------------------------- */

static const char *const reason_names[] = {
	NULL, "work", "family", "health_appointment", "court", "holiday", "other",
};

enum hat_err flex_reason_parse(const char *name, enum flex_reason *out)
{
	for (int i = FLEX_REASON_WORK; name && i <= FLEX_REASON_OTHER; i++) {
		if (strcmp(name, reason_names[i]) == 0) {
			*out = (enum flex_reason)i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

const char *flex_reason_name(enum flex_reason r)
{
	return r >= FLEX_REASON_WORK && r <= FLEX_REASON_OTHER ? reason_names[r] : NULL;
}

bool flex_absence_covers(const struct flex_absence *a, int32_t date, int32_t w)
{
	if (date < a->from_date || date > a->to_date || w < 0 || w >= 32)
		return false;
	return a->windows == 0 || (a->windows & (1u << w)) != 0;
}

bool flex_absences_overlap(const struct flex_absence *a, const struct flex_absence *b)
{
	if (a->to_date < b->from_date || b->to_date < a->from_date)
		return false;
	/* 0 is every session, so it shares one with anything. */
	return a->windows == 0 || b->windows == 0 || (a->windows & b->windows) != 0;
}

/* The earliest window an absence covers on a day: its start minute. */
static int32_t first_covered_start(const struct clinic_settings *s, unsigned windows)
{
	for (int32_t i = 0; i < s->window_count; i++) {
		if (windows == 0 || (windows & (1u << i)))
			return s->windows[i].start_minute;
	}
	return SETTINGS_MINUTES_PER_DAY;
}

enum hat_err flex_check_absence(const struct flex_settings *f, const struct clinic_settings *s,
				const struct flex_absence *a, const struct flex_absence *existing,
				size_t n, int32_t today, int32_t now_minute)
{
	if (!f->planned_absence_enabled)
		return HAT_E_FLEX_DISABLED;
	if (a->to_date < a->from_date)
		return HAT_E_DATE_ORDER;
	if (s->window_count < 32 && (a->windows >> s->window_count) != 0)
		return HAT_E_INVALID_VALUE;
	if (a->from_date < today ||
	    (a->from_date == today && first_covered_start(s, a->windows) <= now_minute))
		return HAT_E_NOT_IN_ADVANCE;
	if ((int64_t)a->to_date - a->from_date + 1 > f->absence_max_days)
		return HAT_E_ABSENCE_TOO_LONG;
	for (size_t i = 0; i < n; i++) {
		if (flex_absences_overlap(a, &existing[i]))
			return HAT_E_ALREADY_PLANNED;
	}
	return HAT_OK;
}

int32_t flex_sessions_excused(int32_t absent, int32_t due, int32_t attended)
{
	int32_t open = due - attended;

	if (open < 0)
		open = 0;
	if (absent < 0)
		absent = 0;
	return absent < open ? absent : open;
}

/* ---- Oral cover ------------------------------------------------------------ */

static const char *const mode_names[] = { NULL, "supervised", "take_home" };

enum hat_err flex_cover_mode_parse(const char *name, enum flex_cover_mode *out)
{
	for (int i = FLEX_COVER_SUPERVISED; name && i <= FLEX_COVER_TAKE_HOME; i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*out = (enum flex_cover_mode)i;
			return HAT_OK;
		}
	}
	return HAT_E_INVALID_VALUE;
}

const char *flex_cover_mode_name(enum flex_cover_mode m)
{
	return m >= FLEX_COVER_SUPERVISED && m <= FLEX_COVER_TAKE_HOME ? mode_names[m] : NULL;
}

enum hat_err flex_check_cover(const struct flex_settings *f, const struct clinic_settings *s,
			      const struct flex_cover *c, const struct flex_absence *a,
			      int32_t today)
{
	if (!f->oral_cover_enabled)
		return HAT_E_FLEX_DISABLED;
	if (!dosing_drug_is_oral(c->drug))
		return HAT_E_INVALID_VALUE;
	if (c->daily_dose_ug <= 0)
		return HAT_E_OUT_OF_RANGE;
	if (c->daily_dose_ug > dosing_ceiling_ug(s, c->drug))
		return HAT_E_DOSE_OVER_CEILING;
	if (c->to_date < c->from_date)
		return HAT_E_DATE_ORDER;
	if (c->from_date < a->from_date || c->to_date > a->to_date)
		return HAT_E_COVER_OUTSIDE_ABSENCE;
	if (c->from_date < today)
		return HAT_E_NOT_IN_ADVANCE;
	if (c->mode == FLEX_COVER_TAKE_HOME) {
		if (!f->oral_take_home_enabled)
			return HAT_E_TAKE_HOME_NOT_ALLOWED;
		if ((int64_t)c->to_date - c->from_date + 1 > f->take_home_max_days)
			return HAT_E_TAKE_HOME_DAYS;
	}
	return HAT_OK;
}

static enum hat_err patient_may_have(const struct dosing_patient *p)
{
	if (p->discharged)
		return HAT_E_NO_ACTIVE_EPISODE;
	if (p->blocked_by_event)
		return HAT_E_PATIENT_BLOCKED;
	return HAT_OK;
}

enum hat_err flex_check_cover_dose(const struct clinic_settings *s, const struct flex_cover *c,
				   const struct dosing_patient *patient, int64_t amount_ug,
				   int64_t given_today, int64_t day_oral_ug, int32_t today)
{
	enum hat_err rc;

	if (amount_ug <= 0)
		return HAT_E_OUT_OF_RANGE;
	rc = patient_may_have(patient);
	if (rc != HAT_OK)
		return rc;
	if (c->mode != FLEX_COVER_SUPERVISED || today < c->from_date || today > c->to_date ||
	    given_today > 0)
		return HAT_E_COVER_NOT_DUE;
	if (amount_ug > c->daily_dose_ug)
		return HAT_E_DOSE_OVER_SESSION;
	if (day_oral_ug + amount_ug > dosing_ceiling_ug(s, c->drug))
		return HAT_E_DOSE_OVER_CEILING;
	return HAT_OK;
}

enum hat_err flex_check_supply(const struct flex_settings *f, const struct flex_cover *c,
			       const struct dosing_patient *patient, int64_t supplied_before,
			       int32_t today, int32_t *first_day, int32_t *days,
			       int64_t *amount_ug)
{
	int32_t first;
	enum hat_err rc;

	if (!f->oral_take_home_enabled)
		return HAT_E_TAKE_HOME_NOT_ALLOWED;
	rc = patient_may_have(patient);
	if (rc != HAT_OK)
		return rc;
	if (c->mode != FLEX_COVER_TAKE_HOME || supplied_before > 0 || today > c->to_date)
		return HAT_E_COVER_NOT_DUE;
	if (today < c->from_date - 1)
		return HAT_E_NOT_IN_ADVANCE;
	first = today > c->from_date ? today : c->from_date;
	*first_day = first;
	*days = c->to_date - first + 1;
	*amount_ug = c->daily_dose_ug * *days;
	return HAT_OK;
}

int32_t flex_take_home_days_taken(int32_t days, int64_t daily_dose_ug, int64_t returned_ug)
{
	int64_t back;

	if (days <= 0 || daily_dose_ug <= 0)
		return 0;
	if (returned_ug <= 0)
		return days;
	back = (returned_ug + daily_dose_ug - 1) / daily_dose_ug;
	return back >= days ? 0 : days - (int32_t)back;
}

void flex_cover_bridge(bool has_injection, int32_t last_injection, const int32_t *covered,
		       size_t n, int32_t bridge_days, int32_t today, int32_t *last,
		       int32_t *bridged)
{
	int32_t prev = last_injection;

	*last = last_injection;
	*bridged = 0;
	if (!has_injection)
		return;
	for (size_t i = 0; i < n && *bridged < bridge_days; i++) {
		if (covered[i] <= prev || covered[i] > today)
			continue;
		prev = covered[i];
		*last = covered[i];
		(*bridged)++;
	}
}

/* ---- Session choice ------------------------------------------------------- */

bool flex_window_opens(const struct flex_settings *f, const struct clinic_settings *s, int32_t w,
		       int32_t date)
{
	if (w < 0 || w >= s->window_count || w >= SETTINGS_MAX_WINDOWS)
		return false;
	return (f->windows[w].weekdays & (1u << flex_weekday(date))) != 0;
}

bool flex_due_in_window(const struct flex_settings *f, const struct clinic_settings *s,
			unsigned preferred, const struct flex_change *changes, size_t n,
			int32_t date, int32_t w)
{
	bool any_preferred = false;

	if (f->session_choice_enabled) {
		for (size_t i = 0; i < n; i++) {
			if (changes[i].date == date && changes[i].to_w == w)
				return flex_window_opens(f, s, w, date);
		}
		for (size_t i = 0; i < n; i++) {
			if (changes[i].date == date && changes[i].from_w == w)
				return false;
		}
	}
	if (!flex_window_opens(f, s, w, date))
		return false;
	if (f->session_choice_enabled && preferred) {
		for (int32_t i = 0; i < s->window_count && i < 32; i++) {
			if ((preferred & (1u << i)) && flex_window_opens(f, s, i, date))
				any_preferred = true;
		}
		/* Nothing preferred opens today: the standard windows apply. */
		if (any_preferred)
			return (preferred & (1u << w)) != 0;
	}
	return !f->windows[w].choice_only;
}

enum hat_err flex_board_window(const struct flex_settings *f, const struct clinic_settings *s,
			       int32_t date, int32_t local_minute, int32_t *w_out, bool *open_out)
{
	int32_t last = -1;

	if (local_minute < 0 || local_minute >= SETTINGS_MINUTES_PER_DAY)
		return HAT_E_OUT_OF_RANGE;
	for (int32_t i = 0; i < s->window_count; i++) {
		if (!flex_window_opens(f, s, i, date))
			continue;
		if (s->windows[i].start_minute <= local_minute &&
		    local_minute < s->windows[i].end_minute) {
			*w_out = i;
			*open_out = true;
			return HAT_OK;
		}
	}
	/* Windows are in time order, so the first that starts later is next. */
	for (int32_t i = 0; i < s->window_count; i++) {
		if (!flex_window_opens(f, s, i, date))
			continue;
		last = i;
		if (s->windows[i].start_minute > local_minute) {
			*w_out = i;
			*open_out = false;
			return HAT_OK;
		}
	}
	*w_out = last;
	*open_out = false;
	return HAT_OK;
}

enum hat_err flex_check_change(const struct flex_settings *f, const struct clinic_settings *s,
			       const struct flex_change *ch, const struct flex_change *existing,
			       size_t n, int32_t today, int32_t now_minute)
{
	if (!f->session_choice_enabled)
		return HAT_E_FLEX_DISABLED;
	if (ch->from_w < 0 || ch->from_w >= s->window_count || ch->to_w < 0 ||
	    ch->to_w >= s->window_count || ch->from_w == ch->to_w)
		return HAT_E_INVALID_VALUE;
	if (ch->date < today ||
	    (ch->date == today && (s->windows[ch->from_w].start_minute <= now_minute ||
				   s->windows[ch->to_w].start_minute <= now_minute)))
		return HAT_E_NOT_IN_ADVANCE;
	if (!flex_window_opens(f, s, ch->to_w, ch->date))
		return HAT_E_OUTSIDE_WINDOW;
	for (size_t i = 0; i < n; i++) {
		if (existing[i].date == ch->date &&
		    (existing[i].from_w == ch->from_w || existing[i].to_w == ch->to_w))
			return HAT_E_ALREADY_PLANNED;
	}
	return HAT_OK;
}

/* ---- The schedule's burden ------------------------------------------------ */

double flex_hours_per_week(int64_t sessions, int32_t days, int32_t travel_min,
			   double visit_min)
{
	double per_session;

	if (days < 1 || sessions <= 0)
		return 0.0;
	if (travel_min < 0)
		travel_min = 0;
	if (visit_min < 0)
		visit_min = 0;
	per_session = 2.0 * travel_min + visit_min;
	return (double)sessions * 7.0 / (double)days * per_session / 60.0;
}
