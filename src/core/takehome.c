/*
** takehome.c: see takehome.h.
*/
#include <string.h>

#include "takehome.h"
#include "util/clock.h"

static const char *const criterion_names[TAKEHOME_C_COUNT] = {
	"enabled", "prescription", "privilege", "treatment", "stability",
	"screens", "misuse_risk", "contact", "days",
};

const char *takehome_criterion_name(enum takehome_criterion c)
{
	return (unsigned)c < TAKEHOME_C_COUNT ? criterion_names[c] : NULL;
}

const char *takehome_rule_set_name(enum takehome_rule_set r)
{
	return r == TAKEHOME_RULES_SWISS_2020 ? "swiss_2020" : NULL;
}

enum hat_err takehome_rule_set_parse(const char *name, enum takehome_rule_set *out)
{
	if (!out)
		return HAT_E_INTERNAL;
	if (!name || strcmp(name, "swiss_2020") != 0)
		return HAT_E_INVALID_VALUE;
	*out = TAKEHOME_RULES_SWISS_2020;
	return HAT_OK;
}

enum hat_err takehome_rules_of(enum takehome_rule_set set, struct takehome_rules *out)
{
	if (!out)
		return HAT_E_INTERNAL;
	if (set != TAKEHOME_RULES_SWISS_2020)
		return HAT_E_INVALID_VALUE;
	/* The Swiss ordinance: six months of uninterrupted treatment, the last
	** two urine samples free of narcotics other than the prescribed one, up
	** to two daily doses (seven with comorbidity risk factors), and staff
	** contact at least twice a week. */
	out->min_months = 6;
	out->screens_needed = 2;
	out->max_days = 2;
	out->max_days_comorbidity = 7;
	out->contacts_per_week = 2;
	return HAT_OK;
}

/* ---- Assessments --------------------------------------------------------------- */

static const struct {
	const char *kind;
	const char *const outcomes[5];   /* the first is the favourable one */
} outcome_table[] = {
	{ "stability", { "stable", "unstable", NULL } },
	{ "misuse_risk", { "very_low", "low", "moderate", "high", NULL } },
	{ "comorbidity", { "present", "absent", NULL } },
};

bool takehome_outcome_valid(const char *kind, const char *outcome)
{
	for (size_t i = 0; kind && outcome && i < sizeof outcome_table / sizeof outcome_table[0]; i++) {
		if (strcmp(outcome_table[i].kind, kind) != 0)
			continue;
		for (size_t j = 0; outcome_table[i].outcomes[j]; j++) {
			if (strcmp(outcome_table[i].outcomes[j], outcome) == 0)
				return true;
		}
	}
	return false;
}

bool takehome_outcome_favourable(const char *kind, const char *outcome)
{
	for (size_t i = 0; kind && outcome && i < sizeof outcome_table / sizeof outcome_table[0]; i++) {
		if (strcmp(outcome_table[i].kind, kind) == 0)
			return strcmp(outcome_table[i].outcomes[0], outcome) == 0;
	}
	return false;
}

/* ---- Calendar ---------------------------------------------------------------- */

static int32_t month_days(int y, int m)
{
	static const int32_t len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : len[m - 1];
}

int32_t takehome_add_months(int32_t day, int32_t months)
{
	int y, m, d, total;

	clock_civil_from_days(day, &y, &m, &d);
	total = (m - 1) + months;
	y += total / 12;
	m = total % 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return clock_days_from_civil(y, m, d);
}

/* ---- Criteria -------------------------------------------------------------- */

bool takehome_screen_clear(const struct takehome_result *results, size_t n)
{
	if (n && !results)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (results[i].invalid || (results[i].positive && !results[i].expected))
			return false;
	}
	return true;
}

/* An assessment counts when it is on record, not after today, and no older
** than the setting's validity. */
static bool in_date(const struct takehome_assessment *a, int32_t today, int32_t valid_days)
{
	return a->present && a->date <= today && today - a->date < valid_days;
}

static void set(struct takehome_verdict *v, enum takehome_criterion c, bool met,
		enum hat_err code, int32_t value, int32_t limit)
{
	v->c[c].met = met;
	v->c[c].refusal = met ? HAT_OK : code;
	v->c[c].value = value;
	v->c[c].limit = limit;
}

enum hat_err takehome_check(const struct takehome_setting *setting,
			    const struct takehome_facts *facts, int32_t today, int32_t days,
			    bool check_privilege, struct takehome_verdict *out)
{
	struct takehome_verdict v;
	struct takehome_rules r;
	int32_t valid, clear = 0, considered = 0;
	bool comorbid;

	if (!setting || !facts || !out || (facts->n_screens && !facts->screens))
		return HAT_E_INTERNAL;
	if (days < 0)
		return HAT_E_OUT_OF_RANGE;
	memset(&v, 0, sizeof v);
	/* An unknown rule set is not a rule set: the premises is treated as off. */
	if (takehome_rules_of(setting->rule_set, &r) != HAT_OK) {
		memset(&r, 0, sizeof r);
		r.min_months = 6;
		r.screens_needed = 2;
		r.contacts_per_week = 2;
	}
	valid = setting->assessment_valid_days;
	set(&v, TAKEHOME_C_ENABLED, setting->enabled && r.max_days > 0, HAT_E_TAKEHOME_DISABLED,
	    setting->enabled, 1);
	set(&v, TAKEHOME_C_PRESCRIPTION,
	    facts->has_prescription && !facts->blocked && !facts->in_induction,
	    !facts->has_prescription ? HAT_E_NO_PRESCRIPTION
	    : facts->blocked ? HAT_E_PATIENT_BLOCKED : HAT_E_TAKEHOME_INDUCTION,
	    facts->has_prescription, 1);
	if (check_privilege)
		set(&v, TAKEHOME_C_PRIVILEGE,
		    facts->privilege_granted && today <= facts->privilege_review_by,
		    HAT_E_TAKEHOME_NOT_GRANTED, facts->privilege_granted ? facts->privilege_review_by : 0,
		    today);
	else
		set(&v, TAKEHOME_C_PRIVILEGE, true, HAT_OK, 0, 0);
	v.eligible_from = takehome_add_months(facts->treatment_since, r.min_months);
	set(&v, TAKEHOME_C_TREATMENT, today >= v.eligible_from, HAT_E_TAKEHOME_TREATMENT_SHORT,
	    today - facts->treatment_since, v.eligible_from - facts->treatment_since);
	set(&v, TAKEHOME_C_STABILITY,
	    in_date(&facts->stability, today, valid) && facts->stability.favourable,
	    HAT_E_TAKEHOME_NOT_STABLE,
	    facts->stability.present ? today - facts->stability.date : -1, valid);
	for (size_t i = 0; i < facts->n_screens && considered < r.screens_needed; i++) {
		if (facts->screens[i].date > today)
			continue;
		considered++;
		clear += facts->screens[i].clear;
	}
	set(&v, TAKEHOME_C_SCREENS, considered == r.screens_needed && clear == considered,
	    HAT_E_TAKEHOME_SCREENS, clear, r.screens_needed);
	set(&v, TAKEHOME_C_MISUSE,
	    in_date(&facts->misuse_risk, today, valid) && facts->misuse_risk.favourable,
	    HAT_E_TAKEHOME_MISUSE_RISK,
	    facts->misuse_risk.present ? today - facts->misuse_risk.date : -1, valid);
	set(&v, TAKEHOME_C_CONTACT, facts->contact_days >= r.contacts_per_week,
	    HAT_E_TAKEHOME_CONTACT, facts->contact_days, r.contacts_per_week);
	comorbid = in_date(&facts->comorbidity, today, valid) && facts->comorbidity.favourable;
	v.max_days = comorbid ? r.max_days_comorbidity : r.max_days;
	set(&v, TAKEHOME_C_DAYS, days <= v.max_days, HAT_E_TAKEHOME_TOO_MANY_DAYS, days,
	    v.max_days);
	v.first = HAT_OK;
	for (int c = 0; c < TAKEHOME_C_COUNT; c++) {
		if (!v.c[c].met) {
			v.first = v.c[c].refusal;
			break;
		}
	}
	*out = v;
	return HAT_OK;
}

enum hat_err takehome_uninterrupted_since(const int32_t *dose_days, size_t n,
					  int32_t episode_start, int32_t max_gap_days,
					  int32_t *out)
{
	int32_t since = episode_start;

	if (!out || (n && !dose_days))
		return HAT_E_INTERNAL;
	if (max_gap_days < 1)
		return HAT_E_OUT_OF_RANGE;
	for (size_t i = 1; i < n; i++) {
		if (dose_days[i] < dose_days[i - 1])
			return HAT_E_DATE_ORDER;
	}
	for (size_t i = 0; i < n; i++) {
		/* Full days without a dose before this one: from the episode's
		** start for the first, from the previous dose after that. */
		int32_t prev = i ? dose_days[i - 1] : episode_start - 1;
		int32_t gap = dose_days[i] - prev - 1;

		if (dose_days[i] < episode_start)
			continue;
		if (gap >= max_gap_days)
			since = dose_days[i];
	}
	*out = since;
	return HAT_OK;
}

void takehome_covered_through(int32_t first_date, int32_t days, int32_t days_unused,
			      int32_t today, bool *covered, int32_t *last)
{
	int32_t end = first_date + days - 1 - days_unused;

	*covered = false;
	if (days_unused >= days || first_date > today)
		return;
	*covered = true;
	*last = end < today ? end : today;
}

bool takehome_days_overlap(int32_t first, int32_t days, int32_t other_first, int32_t other_days)
{
	return first < other_first + other_days && other_first < first + days;
}

enum hat_err takehome_check_return(int64_t supplied_ampoules, int64_t already_ampoules,
				   int32_t days, int32_t already_unused, int64_t ampoules,
				   int32_t days_unused)
{
	if (ampoules < 1 || days_unused < 0)
		return HAT_E_OUT_OF_RANGE;
	if (ampoules > supplied_ampoules - already_ampoules || days_unused > days - already_unused)
		return HAT_E_TAKEHOME_RETURN_EXCEEDS;
	return HAT_OK;
}

enum hat_err takehome_check_first_date(int32_t first_date, int32_t today)
{
	return first_date >= today && first_date <= today + 1 ? HAT_OK : HAT_E_DATE_ORDER;
}
