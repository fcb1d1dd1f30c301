/*
** settings.c: default clinic settings and their validation.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/settings.h"

#define MG_TO_UG(mg) ((int64_t)(mg) * 1000)
#define MINUTES_TO_S(m) ((int64_t)(m) * 60)

/* Copies a short label into a fixed field; labels here are literals that
** always fit, and snprintf keeps the field terminated regardless. */
static void set_label(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static void set_window(struct settings_window *w, int32_t start, int32_t end,
		       const char *name)
{
	w->start_minute = start;
	w->end_minute = end;
	set_label(w->name, sizeof w->name, name);
}

void settings_default(struct clinic_settings *out)
{
	memset(out, 0, sizeof *out);

	/* Morning 08:30-11:00 and afternoon 15:00-17:30, every day. */
	out->window_count = 2;
	set_window(&out->windows[0], 8 * 60 + 30, 11 * 60, "morning");
	set_window(&out->windows[1], 15 * 60, 17 * 60 + 30, "afternoon");

	/* The published case series kept doses at least 3 hours apart. */
	out->min_between_session_starts_s = MINUTES_TO_S(180);

	/* NAOMI and the Dutch trials capped diamorphine at 1,000 mg a day,
	** SALOME and BCCSU hydromorphone at 500 mg.  The oral ceilings are
	** our defaults: methadone 150 mg was the Dutch trials' maximum beside
	** heroin, and 1,200 mg is the top of SROM's usual stable range. */
	out->ceiling_diamorphine_ug = MG_TO_UG(1000);
	out->ceiling_hydromorphone_ug = MG_TO_UG(500);
	out->ceiling_methadone_oral_ug = MG_TO_UG(150);
	out->ceiling_srom_ug = MG_TO_UG(1200);

	out->observation_s = MINUTES_TO_S(15);
	out->topup_min_gap_s = MINUTES_TO_S(15);
	out->assessment_valid_s = MINUTES_TO_S(30);

	out->missed_flag_days = 1;
	out->missed_block_days = 3;
	out->missed_restart_days = 5;
	/* UK guidance: methadone missed for 3 consecutive days needs review. */
	out->oral_missed_review_days = 3;
	out->stock_check_interval_days = 7;

	out->im_site_repeat_warn = true;

	/* No source names a sedation scale for HAT; these four levels follow
	** the common opioid sedation scales.  Only an alert patient is plainly
	** fit; "drowsy but easily roused" is the mild impairment for which a
	** prescriber may authorise a reduced dose. */
	out->sedation_level_count = 4;
	set_label(out->sedation_levels[0], SETTINGS_LABEL_MAX, "alert");
	set_label(out->sedation_levels[1], SETTINGS_LABEL_MAX,
		  "drowsy but easily roused");
	set_label(out->sedation_levels[2], SETTINGS_LABEL_MAX,
		  "frequently drowsy");
	set_label(out->sedation_levels[3], SETTINGS_LABEL_MAX, "hard to rouse");
	out->sedation_fit_max = 0;
	out->sedation_reduced_max = 1;

	/* After the dose: "hard to rouse" or worse, fewer than 10 breaths a
	** minute (the usual threshold for opioid respiratory depression), or
	** a saturation under 94% raise the alarm. */
	out->postdose_sedation_alarm = 3;
	out->postdose_resp_rate_min = 10;
	out->postdose_spo2_min = 94;

	/* No source gives a breath-alcohol threshold.  Up to 9 ug/100 ml
	** (about 20 mg/100 ml of blood) is treated as clear, to allow for
	** instrument noise and mouthwash; up to 22 ug/100 ml (the Scottish
	** driving limit, about 0.05% blood alcohol, a common withhold point in
	** oral treatment) may at most have a reduced dose; above is not fit. */
	out->alcohol_fit_max_ug = 9;
	out->alcohol_reduced_max_ug = 22;
}

/* A fixed-size text field must hold a non-empty, terminated string. */
static bool label_ok(const char *label, size_t cap)
{
	size_t len = strnlen(label, cap);

	return len > 0 && len < cap;
}

/* Records which setting is at fault and why, in words with the numbers,
** when the caller asked (p may be NULL), and returns code. */
static enum hat_err fail(struct settings_problem *p, enum hat_err code, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum hat_err fail(struct settings_problem *p, enum hat_err code, const char *field,
			 const char *fmt, ...)
{
	va_list ap;

	if (p) {
		p->field = field;
		va_start(ap, fmt);
		vsnprintf(p->message, sizeof p->message, fmt, ap);
		va_end(ap);
	}
	return code;
}

static enum hat_err validate_windows(const struct clinic_settings *s, struct settings_problem *p)
{
	if (s->window_count < 1 || s->window_count > SETTINGS_MAX_WINDOWS)
		return fail(p, HAT_E_OUT_OF_RANGE, "windows", "A clinic has 1 to %d session windows.",
			    SETTINGS_MAX_WINDOWS);
	for (int32_t i = 0; i < s->window_count; i++) {
		const struct settings_window *w = &s->windows[i];

		if (w->start_minute < 0 || w->end_minute < 0 ||
		    w->start_minute >= SETTINGS_MINUTES_PER_DAY ||
		    w->end_minute > SETTINGS_MINUTES_PER_DAY)
			return fail(p, HAT_E_OUT_OF_RANGE, "windows",
				    "Window %d must lie between 00:00 and 24:00.", (int)i + 1);
		if (w->start_minute >= w->end_minute)
			return fail(p, HAT_E_DATE_ORDER, "windows",
				    "Window %d (%s) must start before it ends.", (int)i + 1, w->name);
		/* Windows are half-open, so one may start the minute the
		** previous one ends. */
		if (i > 0 && w->start_minute < s->windows[i - 1].end_minute)
			return fail(p, HAT_E_DATE_ORDER, "windows",
				    "Window %d (%s) starts before window %d ends: windows are in"
				    " time order and may not overlap.", (int)i + 1, w->name, (int)i);
		if (!label_ok(w->name, sizeof w->name))
			return fail(p, HAT_E_INVALID_VALUE, "windows", "Window %d needs a name.",
				    (int)i + 1);
	}
	return HAT_OK;
}

#define MORE_THAN_0 "This must be more than 0."

static enum hat_err validate_amounts_and_intervals(const struct clinic_settings *s,
						   struct settings_problem *p)
{

	if (s->min_between_session_starts_s <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "min_between_session_starts_min", "%s", MORE_THAN_0);
	if (s->observation_s <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "observation_min", "%s", MORE_THAN_0);
	if (s->topup_min_gap_s <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "topup_min_gap_min", "%s", MORE_THAN_0);
	if (s->assessment_valid_s <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "assessment_valid_min", "%s", MORE_THAN_0);
	if (s->ceiling_diamorphine_ug <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "ceiling_diamorphine_mg", "%s", MORE_THAN_0);
	if (s->ceiling_hydromorphone_ug <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "ceiling_hydromorphone_mg", "%s", MORE_THAN_0);
	if (s->ceiling_methadone_oral_ug <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "ceiling_methadone_oral_mg", "%s", MORE_THAN_0);
	if (s->ceiling_srom_ug <= 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "ceiling_srom_mg", "%s", MORE_THAN_0);
	return HAT_OK;
}

static enum hat_err validate_missed_days(const struct clinic_settings *s,
					 struct settings_problem *p)
{
	if (s->missed_flag_days < 1)
		return fail(p, HAT_E_OUT_OF_RANGE, "missed_flag_days", "At least 1 day.");
	if (s->missed_block_days < 1)
		return fail(p, HAT_E_OUT_OF_RANGE, "missed_block_days", "At least 1 day.");
	if (s->missed_restart_days < 1)
		return fail(p, HAT_E_OUT_OF_RANGE, "missed_restart_days", "At least 1 day.");
	if (s->oral_missed_review_days < 1 || s->oral_missed_review_days > 60)
		return fail(p, HAT_E_OUT_OF_RANGE, "oral_missed_review_days", "1 to 60 days.");
	if (s->stock_check_interval_days < 1 || s->stock_check_interval_days > 31)
		return fail(p, HAT_E_OUT_OF_RANGE, "stock_check_interval_days", "1 to 31 days.");
	if (s->missed_flag_days > s->missed_block_days)
		return fail(p, HAT_E_INVALID_VALUE, "missed_flag_days",
			    "The alert (%d days) cannot come after the block (%d days).",
			    (int)s->missed_flag_days, (int)s->missed_block_days);
	if (s->missed_block_days > s->missed_restart_days)
		return fail(p, HAT_E_INVALID_VALUE, "missed_block_days",
			    "The block (%d days) cannot come after the restart of induction (%d"
			    " days).", (int)s->missed_block_days, (int)s->missed_restart_days);
	return HAT_OK;
}

static enum hat_err validate_assessment_scale(const struct clinic_settings *s,
					      struct settings_problem *p)
{
	int32_t n = s->sedation_level_count;

	if (n < 2 || n > SETTINGS_MAX_SEDATION_LEVELS)
		return fail(p, HAT_E_OUT_OF_RANGE, "sedation_scale",
			    "The sedation scale has 2 to %d levels.", SETTINGS_MAX_SEDATION_LEVELS);
	for (int32_t i = 0; i < n; i++) {
		if (!label_ok(s->sedation_levels[i], SETTINGS_LABEL_MAX))
			return fail(p, HAT_E_INVALID_VALUE, "sedation_scale",
				    "Level %d needs a label.", (int)i);
	}
	if (s->sedation_fit_max < 0 || s->sedation_fit_max >= n)
		return fail(p, HAT_E_OUT_OF_RANGE, "sedation_fit_max",
			    "A level on the scale: 0 to %d.", (int)n - 1);
	if (s->sedation_reduced_max < 0 || s->sedation_reduced_max >= n)
		return fail(p, HAT_E_OUT_OF_RANGE, "sedation_reduced_max",
			    "A level on the scale: 0 to %d.", (int)n - 1);
	if (s->sedation_fit_max > s->sedation_reduced_max)
		return fail(p, HAT_E_INVALID_VALUE, "sedation_fit_max",
			    "The plain 'fit' limit (%d) cannot be above the reduced-dose limit (%d).",
			    (int)s->sedation_fit_max, (int)s->sedation_reduced_max);
	/* Level 0 is the alert patient: it can never be the alarm. */
	if (s->postdose_sedation_alarm < 1 || s->postdose_sedation_alarm >= n)
		return fail(p, HAT_E_OUT_OF_RANGE, "postdose_sedation_alarm",
			    "A level on the scale above 'alert': 1 to %d.", (int)n - 1);
	if (s->postdose_resp_rate_min < 1 || s->postdose_resp_rate_min > 40)
		return fail(p, HAT_E_OUT_OF_RANGE, "postdose_resp_rate_min",
			    "1 to 40 breaths a minute.");
	if (s->postdose_spo2_min < 50 || s->postdose_spo2_min > 100)
		return fail(p, HAT_E_OUT_OF_RANGE, "postdose_spo2_min", "50 to 100 per cent.");
	if (s->alcohol_fit_max_ug < 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "alcohol_fit_max_ug", "Not below 0.");
	if (s->alcohol_reduced_max_ug < 0)
		return fail(p, HAT_E_OUT_OF_RANGE, "alcohol_reduced_max_ug", "Not below 0.");
	if (s->alcohol_fit_max_ug > s->alcohol_reduced_max_ug)
		return fail(p, HAT_E_INVALID_VALUE, "alcohol_fit_max_ug",
			    "The plain 'fit' limit (%d) cannot be above the reduced-dose limit (%d).",
			    (int)s->alcohol_fit_max_ug, (int)s->alcohol_reduced_max_ug);
	return HAT_OK;
}

enum hat_err settings_check(const struct clinic_settings *s, struct settings_problem *p)
{
	enum hat_err rc;

	rc = validate_windows(s, p);
	if (rc == HAT_OK)
		rc = validate_amounts_and_intervals(s, p);
	if (rc == HAT_OK)
		rc = validate_missed_days(s, p);
	if (rc == HAT_OK)
		rc = validate_assessment_scale(s, p);
	return rc;
}

enum hat_err settings_validate(const struct clinic_settings *s)
{
	return settings_check(s, NULL);
}
