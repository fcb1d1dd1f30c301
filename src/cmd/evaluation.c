/*
** evaluation.c: see evaluation.h.
*/
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "core/evaluation.h"
#include "core/ndtms.h"
#include "evaluation.h"
#include "outcomes.h"
#include "prices.h"
#include "report.h"
#include "util/csv.h"

/* A filter every query shares: ?1 premises (0: all), ?2 from, ?3 to. */
#define PREMISES "(?1 = 0 OR p.premises_id = ?1)"

/* A count of people: the number, or "<5" when it would name too few. */
static json_t *people(int64_t n)
{
	return eval_suppressed(n) ? json_string("<5") : json_integer(n);
}

/* A rate of num over den people: null when den is under 5. */
static json_t *rate(int64_t num, int64_t den)
{
	return eval_rate_suppressed(den) ? json_null() : json_real((double)num / (double)den);
}

static enum hat_err count(struct store_conn *c, const char *sql, int64_t premises, int32_t from,
			  int32_t to, int64_t *out)
{
	bool found;

	*out = 0;
	return store_query_int(c, sql, &found, out, "iii", premises, (int64_t)from, (int64_t)to);
}

static enum hat_err set(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0 ? HAT_OK : HAT_E_NOMEM;
}

/* Referrals in the period and the days from each to its first dose. */
static enum hat_err referrals(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
			      json_t *out)
{
	struct store_stmt *s = NULL;
	int32_t *days = NULL;
	size_t n = 0, cap = 0;
	int64_t total = 0;
	double median = 0;
	bool row, has;
	json_t *o;
	enum hat_err rc = store_prepare(c,
		"SELECT e.referral_date, (SELECT min(a.local_date) FROM administrations a"
		"  WHERE a.patient_id = e.patient_id AND a.local_date >= e.referral_date"
		"  AND (e.discharge_date IS NULL OR a.local_date <= e.discharge_date))"
		" FROM episodes e JOIN patients p ON p.id = e.patient_id"
		" WHERE " PREMISES " AND e.referral_date BETWEEN ?2 AND ?3", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", premises, (int64_t)from, (int64_t)to);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		total++;
		if (store_col_is_null(s, 1))
			continue;
		if (n == cap) {
			int32_t *d = realloc(days, (cap ? cap * 2 : 64) * sizeof *days);

			if (!d) {
				rc = HAT_E_NOMEM;
				break;
			}
			days = d;
			cap = cap ? cap * 2 : 64;
		}
		days[n++] = (int32_t)(store_col_int(s, 1) - store_col_int(s, 0));
	}
	store_done(s);
	has = eval_median(days, n, &median);
	free(days);
	if (rc != HAT_OK)
		return rc;
	/* A median of fewer than 5 people is near enough one person's wait. */
	o = json_pack("{s:o, s:o, s:o}", "referrals", people(total), "dosed", people((int64_t)n),
		      "median_days_to_first_dose",
		      has && !eval_rate_suppressed((int64_t)n) ? json_real(median) : json_null());
	return set(out, "referrals", o);
}

static enum hat_err in_treatment(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
				 json_t *out)
{
	int64_t during = 0, at_end = 0;
	enum hat_err rc = count(c,
		"SELECT count(DISTINCT e.patient_id) FROM episodes e JOIN patients p ON p.id = e.patient_id"
		" WHERE " PREMISES " AND e.start_date IS NOT NULL AND e.start_date <= ?3"
		" AND (e.discharge_date IS NULL OR e.discharge_date >= ?2)", premises, from, to, &during);

	if (rc == HAT_OK)
		rc = count(c,
			"SELECT count(DISTINCT e.patient_id) FROM episodes e JOIN patients p ON p.id = e.patient_id"
			" WHERE " PREMISES " AND e.start_date IS NOT NULL AND e.start_date <= ?3"
			" AND (e.discharge_date IS NULL OR e.discharge_date > ?3) AND ?2 <= ?3",
			premises, from, to, &at_end);
	if (rc != HAT_OK)
		return rc;
	return set(out, "in_treatment",
		   json_pack("{s:o, s:o}", "during_period", people(during), "at_end", people(at_end)));
}

/* Retention of the episodes that began in the period, censored at end. */
static enum hat_err retention(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
			      int32_t end, json_t *out)
{
	static const struct { const char *key; int32_t days; } at[] = {
		{ "3_months", 91 }, { "6_months", 182 }, { "12_months", 365 },
	};
	struct store_stmt *s = NULL;
	struct eval_span *sp = NULL;
	size_t n = 0, cap = 0;
	bool row;
	json_t *o = NULL;
	enum hat_err rc = store_prepare(c,
		"SELECT e.start_date, e.discharge_date FROM episodes e JOIN patients p ON p.id = e.patient_id"
		" WHERE " PREMISES " AND e.start_date BETWEEN ?2 AND ?3 ORDER BY e.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", premises, (int64_t)from, (int64_t)to);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		struct eval_span e;

		e.start = (int32_t)store_col_int(s, 0);
		e.left = !store_col_is_null(s, 1) && store_col_int(s, 1) <= end;
		e.end = e.left ? (int32_t)store_col_int(s, 1) : end;
		if (e.end < e.start) /* began after the end of what is seen */
			e.end = e.start;
		if (n == cap) {
			struct eval_span *g = realloc(sp, (cap ? cap * 2 : 64) * sizeof *sp);

			if (!g) {
				rc = HAT_E_NOMEM;
				break;
			}
			sp = g;
			cap = cap ? cap * 2 : 64;
		}
		sp[n++] = e;
	}
	store_done(s);
	if (rc == HAT_OK)
		o = json_pack("{s:o, s:s}", "episodes_started", people((int64_t)n), "method",
			      "Kaplan-Meier; people still in treatment are censored at the end of the"
			      " period, not dropped");
	for (size_t i = 0; rc == HAT_OK && i < sizeof at / sizeof at[0]; i++) {
		struct eval_retention r;
		bool hide = eval_rate_suppressed((int64_t)n);

		rc = eval_km(sp, n, at[i].days, &r, NULL);
		if (rc == HAT_OK)
			rc = set(o, at[i].key, json_pack("{s:i, s:o, s:o, s:b, s:b}", "days", at[i].days,
				"rate", hide || !r.known ? json_null() : json_real(r.survival),
				"followed", people(r.at_risk), "known", r.known, "suppressed", hide));
	}
	free(sp);
	if (rc == HAT_OK)
		return set(out, "retention", o);
	json_decref(o);
	return rc;
}

static enum hat_err attendance(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
			       int64_t now, json_t *out)
{
	struct store_stmt *s = NULL;
	int64_t due = 0, attended = 0;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT id FROM premises WHERE ?1 = 0 OR id = ?1 ORDER BY id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", premises);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *att = NULL, *cl;

		rc = board_attendance(c, store_col_int(s, 0), 0, from, to, now, &att);
		cl = json_object_get(att, "clinic");
		due += json_integer_value(json_object_get(cl, "sessions_due"));
		attended += json_integer_value(json_object_get(cl, "sessions_attended"));
		json_decref(att);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	return set(out, "attendance", json_pack("{s:I, s:I, s:o, s:s}", "sessions_due", (json_int_t)due,
		"sessions_attended", (json_int_t)attended, "rate",
		due ? json_real((double)attended / (double)due) : json_null(), "note",
		"no planned absences are recorded yet, so none are set apart"));
}

static enum hat_err doses(struct store_conn *c, int64_t premises, int32_t from, int32_t to, json_t *out)
{
	int64_t n = 0, inj = 0, oral = 0;
	enum hat_err rc = count(c, "SELECT count(*) FROM administrations a JOIN patients p ON"
				" p.id = a.patient_id WHERE (?1 = 0 OR a.premises_id = ?1)"
				" AND a.local_date BETWEEN ?2 AND ?3", premises, from, to, &n);

	if (rc == HAT_OK)
		rc = count(c, "SELECT coalesce(sum(a.amount_ug), 0) FROM administrations a WHERE"
			   " (?1 = 0 OR a.premises_id = ?1) AND a.local_date BETWEEN ?2 AND ?3"
			   " AND a.kind = 'injection'", premises, from, to, &inj);
	if (rc == HAT_OK)
		rc = count(c, "SELECT coalesce(sum(a.amount_ug), 0) FROM administrations a WHERE"
			   " (?1 = 0 OR a.premises_id = ?1) AND a.local_date BETWEEN ?2 AND ?3"
			   " AND a.kind = 'oral'", premises, from, to, &oral);
	if (rc != HAT_OK)
		return rc;
	return set(out, "doses", json_pack("{s:I, s:f, s:f}", "given", (json_int_t)n,
		"injectable_mg", (double)inj / 1000.0, "oral_mg", (double)oral / 1000.0));
}

/* Each query is its own literal: prepared statements are kept by the
** address of their text. */
#define SCREENS " FROM drug_screens d JOIN patients p ON p.id = d.patient_id" \
	" WHERE " PREMISES " AND d.local_date BETWEEN ?2 AND ?3" \
	" AND NOT EXISTS (SELECT 1 FROM drug_screen_errors x WHERE x.screen_id = d.id)"

static enum hat_err screens(struct store_conn *c, int64_t premises, int32_t from, int32_t to, json_t *out)
{
	int64_t n = 0, tested = 0, ev = 0, ev_people = 0;
	enum hat_err rc = count(c, "SELECT count(*)" SCREENS, premises, from, to, &n);

	if (rc == HAT_OK)
		rc = count(c, "SELECT count(DISTINCT d.patient_id)" SCREENS, premises, from, to, &tested);
	if (rc == HAT_OK)
		rc = count(c, "SELECT count(*)" SCREENS " AND d.street_heroin = 'evidence'", premises,
			   from, to, &ev);
	if (rc == HAT_OK)
		rc = count(c, "SELECT count(DISTINCT d.patient_id)" SCREENS
			   " AND d.street_heroin = 'evidence'", premises, from, to, &ev_people);
	if (rc != HAT_OK)
		return rc;
	return set(out, "drug_screens", json_pack("{s:o, s:o, s:o, s:o, s:o}", "screens", people(n),
		"people_tested", people(tested), "street_heroin_evidence", people(ev),
		"people_with_street_heroin", people(ev_people), "share_of_people_with_street_heroin",
		rate(ev_people, tested)));
}

/* The TOP's domains, each count of people suppressed under 5. */
static enum hat_err top(struct store_conn *c, int64_t premises, int32_t from, int32_t to, json_t *out)
{
	struct outcomes_settings st;
	int64_t version, n = 0;
	json_t *domains = NULL, *d;
	size_t i;
	enum hat_err rc = outcomes_settings_load(c, &st, &version);

	if (rc == HAT_OK)
		rc = report_top_changes(c, &st, premises, from, to, &domains, &n, NULL);
	if (rc != HAT_OK)
		return rc;
	json_array_foreach(domains, i, d) {
		static const char *const k[] = { "improved", "same", "worse", "unknown" };

		for (size_t j = 0; j < 4; j++)
			json_object_set_new(d, k[j], people(json_integer_value(json_object_get(d, k[j]))));
	}
	return set(out, "top", json_pack("{s:o, s:o, s:o}", "people_compared", people(n), "domains",
					 domains, "thresholds", outcomes_settings_json(&st, version)));
}

static enum hat_err goals_events(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
				 int64_t now, json_t *out)
{
	int64_t achieved = 0, achievers = 0, ae = 0, nal = 0;
	int64_t t0 = clock_from_local(from, 0), t1 = clock_from_local(to + 1, 0);
	bool found;
	enum hat_err rc = count(c, "SELECT count(*) FROM goal_events ge JOIN goals g ON g.id = ge.goal_id"
				" JOIN patients p ON p.id = g.patient_id WHERE " PREMISES
				" AND ge.kind = 'achieved' AND ge.local_date BETWEEN ?2 AND ?3",
				premises, from, to, &achieved);

	(void)now;
	if (rc == HAT_OK)
		rc = count(c, "SELECT count(DISTINCT g.patient_id) FROM goal_events ge JOIN goals g"
			   " ON g.id = ge.goal_id JOIN patients p ON p.id = g.patient_id WHERE " PREMISES
			   " AND ge.kind = 'achieved' AND ge.local_date BETWEEN ?2 AND ?3",
			   premises, from, to, &achievers);
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM adverse_events a WHERE (?1 = 0 OR"
				     " a.premises_id = ?1) AND a.occurred_at >= ?2 AND a.occurred_at < ?3",
				     &found, &ae, "iii", premises, t0, t1);
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM adverse_events a WHERE (?1 = 0 OR"
				     " a.premises_id = ?1) AND a.occurred_at >= ?2 AND a.occurred_at < ?3"
				     " AND (a.kind = 'naloxone' OR a.naloxone_dose_ug IS NOT NULL)",
				     &found, &nal, "iii", premises, t0, t1);
	if (rc != HAT_OK)
		return rc;
	rc = set(out, "goals", json_pack("{s:o, s:o}", "achieved", people(achieved), "people_achieving",
					 people(achievers)));
	if (rc == HAT_OK)
		rc = set(out, "adverse_events", json_pack("{s:o, s:o}", "events", people(ae),
							  "naloxone_uses", people(nal)));
	return rc;
}

/* Discharges in the period by reason; completions and re-presentations. */
static enum hat_err discharges(struct store_conn *c, int64_t premises, int32_t from, int32_t to,
			       json_t *out)
{
	struct store_stmt *s = NULL;
	json_t *by = json_array();
	int64_t total = 0, done = 0, back = 0;
	bool row;
	enum hat_err rc = store_prepare(c,
		"SELECT e.discharge_reason, coalesce(r.label, e.discharge_reason), e.discharge_date,"
		" (SELECT min(n.referral_date) FROM episodes n WHERE n.patient_id = e.patient_id"
		"  AND n.id <> e.id AND n.referral_date > e.discharge_date)"
		" FROM episodes e JOIN patients p ON p.id = e.patient_id"
		" LEFT JOIN discharge_reasons r ON r.code = e.discharge_reason"
		" WHERE " PREMISES " AND e.discharge_date BETWEEN ?2 AND ?3"
		" ORDER BY e.discharge_reason", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", premises, (int64_t)from, (int64_t)to);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		const char *code = store_col_text(s, 0);
		json_t *last = json_array_get(by, json_array_size(by) - 1);
		bool ok = ndtms_successful(code);

		total++;
		if (!last || strcmp(json_string_value(json_object_get(last, "code")), code) != 0) {
			last = json_pack("{s:s, s:s, s:I}", "code", code, "label", store_col_text(s, 1),
					 "count", (json_int_t)0);
			if (!last || json_array_append_new(by, last) != 0) {
				rc = HAT_E_NOMEM;
				break;
			}
		}
		json_object_set_new(last, "count",
				    json_integer(json_integer_value(json_object_get(last, "count")) + 1));
		done += ok;
		back += ok && !store_col_is_null(s, 3) &&
			ndtms_represented((int32_t)store_col_int(s, 2), (int32_t)store_col_int(s, 3), 182);
	}
	store_done(s);
	if (rc != HAT_OK) {
		json_decref(by);
		return rc;
	}
	{
		size_t i;
		json_t *r;

		json_array_foreach(by, i, r)
			json_object_set_new(r, "count", people(json_integer_value(json_object_get(r, "count"))));
	}
	return set(out, "discharges", json_pack("{s:o, s:o, s:o, s:o, s:o}", "total", people(total),
		"by_reason", by, "successful_completions", people(done), "re_presented_within_6_months",
		people(back), "re_presentation_rate", rate(back, done)));
}

enum hat_err evaluation_report(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			       int64_t now, json_t **out)
{
	int32_t today = clock_local_date(now), end = to < today ? to : today;
	char a[11], b[11];
	json_t *o = json_object();
	enum hat_err rc = o ? HAT_OK : HAT_E_NOMEM;

	clock_format_date(from, a);
	clock_format_date(to, b);
	if (rc == HAT_OK)
		rc = set(o, "period", json_pack("{s:s, s:s, s:o}", "from", a, "to", b, "premises_id",
						premises_id ? json_integer(premises_id) : json_null()));
	if (rc == HAT_OK)
		rc = set(o, "suppression", json_pack("{s:i, s:s}", "under", EVAL_SUPPRESS_UNDER, "note",
			"Counts of 1 to 4 people are shown as \"<5\"; rates over fewer than 5 are not shown"));
	if (rc == HAT_OK)
		rc = referrals(c, premises_id, from, to, o);
	if (rc == HAT_OK)
		rc = in_treatment(c, premises_id, from, to, o);
	if (rc == HAT_OK)
		rc = retention(c, premises_id, from, to, end, o);
	if (rc == HAT_OK)
		rc = attendance(c, premises_id, from, to, now, o);
	if (rc == HAT_OK)
		rc = doses(c, premises_id, from, to, o);
	if (rc == HAT_OK)
		rc = screens(c, premises_id, from, to, o);
	if (rc == HAT_OK)
		rc = top(c, premises_id, from, to, o);
	if (rc == HAT_OK)
		rc = goals_events(c, premises_id, from, to, now, o);
	if (rc == HAT_OK)
		rc = discharges(c, premises_id, from, to, o);
	if (rc == HAT_OK) {
		json_t *cost = NULL;

		rc = prices_drug_cost(c, premises_id, from, to, &cost);
		if (rc == HAT_OK)
			rc = set(o, "drug_cost", cost);
	}
	if (rc != HAT_OK) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return HAT_OK;
}

/* ---- CSV ---- */

static enum hat_err csv_value(struct buf *out, const char *section, const char *measure, json_t *v)
{
	char num[64];
	const char *text = NULL;
	enum hat_err rc;

	if (json_is_string(v))
		text = json_string_value(v);
	else if (json_is_integer(v)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		text = num;
	} else if (json_is_real(v)) {
		snprintf(num, sizeof num, "%.4f", json_real_value(v));
		text = num;
	} else if (json_is_boolean(v))
		text = json_is_true(v) ? "yes" : "no";
	rc = csv_field(out, section, false);
	if (rc == HAT_OK)
		rc = csv_field(out, measure, false);
	if (rc == HAT_OK)
		rc = csv_field(out, text, true);
	return rc;
}

/* Walks v, naming each leaf by its path; array items by their key or code. */
static enum hat_err csv_walk(struct buf *out, const char *section, const char *path, json_t *v)
{
	char sub[256];
	const char *k;
	json_t *x;
	size_t i;
	enum hat_err rc = HAT_OK;

	if (json_is_object(v)) {
		json_object_foreach(v, k, x) {
			if (rc != HAT_OK)
				break;
			if (strcmp(k, "key") == 0 || strcmp(k, "code") == 0)
				continue;
			snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
			rc = csv_walk(out, section, sub, x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			const char *name = json_string_value(json_object_get(x, "key"));

			if (!name)
				name = json_string_value(json_object_get(x, "code"));
			if (rc != HAT_OK)
				break;
			if (name)
				snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", name);
			else
				snprintf(sub, sizeof sub, "%s.%zu", path, i);
			rc = csv_walk(out, section, sub, x);
		}
	} else
		rc = csv_value(out, section, path, v);
	return rc;
}

enum hat_err evaluation_render_csv(json_t *report, struct buf *out)
{
	const char *k;
	json_t *v;
	enum hat_err rc = buf_append(out, "section,measure,value\r\n", 23);

	json_object_foreach(report, k, v) {
		if (rc != HAT_OK)
			break;
		rc = json_is_object(v) ? csv_walk(out, k, "", v) : csv_value(out, k, "", v);
	}
	return rc;
}
