/*
** takehome_record.c: the record as the take-home rules read it (see
** takehome.h): supplies and the days they cover, the facts core's
** takehome_check needs, the verdict in words, and the check screen's read.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "takehome.h"
#include "takehome_record.h"

#define MAX_RESULTS 32
/* Dose days read back for "uninterrupted": a little over the longest rule
** (six months) and any gap before it; older days cannot move the answer
** past the episode's start. */
#define HISTORY_DAYS 400

/* ---- Supplies as the missed-dose rules see them ----------------------------- */

/* Calls fn for each supply of the patient with its days less those
** returned unused. */
enum hat_err takehome_each_supply(struct store_conn *c, int64_t patient_id,
				void (*fn)(void *arg, int32_t first, int32_t days, int32_t unused),
				void *arg)
{
	static const char sql[] =
		"SELECT s.first_date, s.days, coalesce((SELECT sum(r.days_unused) FROM"
		" takehome_returns r WHERE r.supply_id = s.id), 0) FROM takehome_supplies s"
		" WHERE s.patient_id = ? ORDER BY s.first_date, s.id";
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(c, sql, &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, patient_id);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		fn(arg, (int32_t)store_col_int(s, 0), (int32_t)store_col_int(s, 1),
		   (int32_t)store_col_int(s, 2));
	}
	store_done(s);
	return rc;
}

struct last_arg {
	int32_t today;
	bool found;
	int32_t last;
};

static void note_last(void *p, int32_t first, int32_t days, int32_t unused)
{
	struct last_arg *a = p;
	bool covered;
	int32_t last;

	takehome_covered_through(first, days, unused, a->today, &covered, &last);
	if (covered && (!a->found || last > a->last)) {
		a->found = true;
		a->last = last;
	}
}

enum hat_err takehome_last_covered(struct store_conn *c, int64_t patient_id, int32_t today,
				   bool *found, int32_t *last)
{
	struct last_arg a = { today, false, 0 };
	enum hat_err rc = takehome_each_supply(c, patient_id, note_last, &a);

	*found = a.found;
	if (a.found)
		*last = a.last;
	return rc;
}

struct cover_arg {
	int32_t day;
	bool covered;
};

static void note_cover(void *p, int32_t first, int32_t days, int32_t unused)
{
	struct cover_arg *a = p;

	if (takehome_days_overlap(first, days - unused, a->day, 1))
		a->covered = true;
}

enum hat_err takehome_day_covered(struct store_conn *c, int64_t patient_id, int32_t day,
				  bool *covered)
{
	struct cover_arg a = { day, false };
	enum hat_err rc = takehome_each_supply(c, patient_id, note_cover, &a);

	*covered = a.covered;
	return rc;
}

/* ---- The facts ---------------------------------------------------------------- */


static enum hat_err load_assessment(struct store_conn *c, int64_t patient, const char *kind,
				    struct takehome_assessment *a)
{
	static const char sql[] =
		"SELECT local_date, outcome FROM takehome_assessments WHERE patient_id = ?"
		" AND kind = ? ORDER BY id DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql, &s);

	memset(a, 0, sizeof *a);
	if (rc == HAT_OK)
		rc = store_bindf(s, "it", patient, kind);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		a->present = true;
		a->date = (int32_t)store_col_int(s, 0);
		a->favourable = takehome_outcome_favourable(kind, store_col_text(s, 1));
	}
	store_done(s);
	return rc;
}

/* The newest screens not entered in error, each read clear or not. */
static enum hat_err load_screens(struct store_conn *c, struct takehome_record *f)
{
	static const char sql[] =
		"SELECT s.id, s.local_date FROM drug_screens s WHERE s.patient_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM drug_screen_errors e WHERE e.screen_id = s.id)"
		" AND s.local_date <= ? ORDER BY s.collected_at DESC, s.id DESC LIMIT ?";
	static const char sql_results[] =
		"SELECT result, expected FROM drug_screen_results WHERE screen_id = ? LIMIT ?";
	int64_t ids[TAKEHOME_MAX_SCREENS];
	struct store_stmt *s;
	bool row;
	size_t n = 0;
	enum hat_err rc = store_prepare(c, sql, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", f->v.patient_id, (int64_t)f->today, (int64_t)TAKEHOME_MAX_SCREENS);
	while (rc == HAT_OK && n < TAKEHOME_MAX_SCREENS) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		ids[n] = store_col_int(s, 0);
		f->screens[n].date = (int32_t)store_col_int(s, 1);
		n++;
	}
	store_done(s);
	for (size_t i = 0; rc == HAT_OK && i < n; i++) {
		struct takehome_result res[MAX_RESULTS];
		size_t k = 0;

		rc = store_prepare(c, sql_results, &s);
		if (rc == HAT_OK)
			rc = store_bindf(s, "ii", ids[i], (int64_t)MAX_RESULTS);
		while (rc == HAT_OK && k < MAX_RESULTS) {
			const char *r;

			rc = store_step(s, &row);
			if (rc != HAT_OK || !row)
				break;
			r = store_col_text(s, 0);
			res[k].positive = strcmp(r, "positive") == 0;
			res[k].invalid = strcmp(r, "invalid") == 0;
			res[k].expected = store_col_int(s, 1) != 0;
			k++;
		}
		store_done(s);
		f->screens[i].clear = takehome_screen_clear(res, k);
	}
	f->t.screens = f->screens;
	f->t.n_screens = n;
	return rc;
}

struct days_arg {
	int32_t *days;
	size_t n, cap;
	int32_t today;
	bool nomem;
};

static void push_day(struct days_arg *a, int32_t d)
{
	if (a->nomem)
		return;
	if (a->n == a->cap) {
		size_t more = a->cap ? a->cap * 2 : 64;
		int32_t *p = realloc(a->days, more * sizeof *p);

		if (!p) {
			a->nomem = true;
			return;
		}
		a->days = p;
		a->cap = more;
	}
	a->days[a->n++] = d;
}

static void push_supply(void *p, int32_t first, int32_t days, int32_t unused)
{
	struct days_arg *a = p;

	for (int32_t d = first; d < first + days - unused && d <= a->today; d++)
		push_day(a, d);
}

static int cmp_day(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

/* The first day of the current uninterrupted treatment, from every dosed
** day (supervised or take-home) and the active episode's start. */
static enum hat_err load_since(struct store_conn *c, struct takehome_record *f)
{
	static const char sql_days[] =
		"SELECT DISTINCT local_date FROM administrations WHERE patient_id = ?"
		" AND kind = 'injection' AND local_date <= ? AND local_date >= ?";
	static const char sql_episode[] =
		"SELECT start_date FROM episodes WHERE patient_id = ? AND status = 'active'"
		" AND start_date IS NOT NULL ORDER BY id DESC LIMIT 1";
	struct days_arg a = { NULL, 0, 0, f->today, false };
	struct store_stmt *s;
	int64_t start = f->today;
	bool row, found;
	enum hat_err rc = store_query_int(c, sql_episode, &found, &start, "i", f->v.patient_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		start = f->today;
	rc = store_prepare(c, sql_days, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", f->v.patient_id, (int64_t)f->today,
				 (int64_t)f->today - HISTORY_DAYS);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		push_day(&a, (int32_t)store_col_int(s, 0));
	}
	store_done(s);
	if (rc == HAT_OK)
		rc = takehome_each_supply(c, f->v.patient_id, push_supply, &a);
	if (rc == HAT_OK && a.nomem)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK) {
		if (a.n)
			qsort(a.days, a.n, sizeof *a.days, cmp_day);
		rc = takehome_uninterrupted_since(a.days, a.n, (int32_t)start,
						  f->v.settings.missed_block_days,
						  &f->t.treatment_since);
	}
	free(a.days);
	return rc;
}

/* Distinct days in the last seven with staff contact: a recorded contact,
** a supervised dose (at any premises), or a supply handed over. */
static enum hat_err load_contacts(struct store_conn *c, struct takehome_record *f)
{
	static const char sql[] =
		"SELECT count(*) FROM (SELECT local_date FROM staff_contacts WHERE patient_id = ?1"
		" AND local_date BETWEEN ?2 AND ?3 UNION SELECT local_date FROM administrations"
		" WHERE patient_id = ?1 AND local_date BETWEEN ?2 AND ?3 UNION SELECT local_date"
		" FROM takehome_supplies WHERE patient_id = ?1 AND local_date BETWEEN ?2 AND ?3)";
	int64_t n = 0;
	enum hat_err rc = store_query_int(c, sql, NULL, &n, "iii", f->v.patient_id,
					  (int64_t)f->today - 6, (int64_t)f->today);

	f->t.contact_days = (int32_t)n;
	return rc;
}

enum hat_err takehome_record_privilege(struct store_conn *c, struct takehome_record *f)
{
	static const char sql[] =
		"SELECT kind, coalesce(review_by, 0) FROM takehome_assessments WHERE patient_id = ?"
		" AND kind IN ('grant', 'review', 'withdraw') ORDER BY id DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql, &s);

	f->t.privilege_granted = false;
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, f->v.patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row && strcmp(store_col_text(s, 0), "withdraw") != 0) {
		f->t.privilege_granted = true;
		f->t.privilege_review_by = (int32_t)store_col_int(s, 1);
	}
	store_done(s);
	return rc;
}

enum hat_err takehome_record_load(struct store_conn *c, int64_t patient_id, int64_t now, struct takehome_record *f)
{
	enum hat_err rc;

	memset(f, 0, sizeof *f);
	rc = visits_load_facts(c, patient_id, now, -1, &f->v);
	if (rc != HAT_OK)
		return rc;
	f->today = f->v.local.date;
	rc = takehome_setting_load(c, f->v.premises_id, &f->setting, &f->setting_version);
	f->t.has_prescription = f->v.has_rx;
	f->t.blocked = dosing_pending_review(&f->v.patient) != DOSING_PENDING_NONE;
	f->t.in_induction = f->v.has_rx && f->v.rx.has_induction &&
			    f->v.patient.induction_days_dosed < f->v.rx.induction.days;
	if (rc == HAT_OK)
		rc = load_since(c, f);
	if (rc == HAT_OK)
		rc = load_assessment(c, patient_id, "stability", &f->t.stability);
	if (rc == HAT_OK)
		rc = load_assessment(c, patient_id, "misuse_risk", &f->t.misuse_risk);
	if (rc == HAT_OK)
		rc = load_assessment(c, patient_id, "comorbidity", &f->t.comorbidity);
	if (rc == HAT_OK)
		rc = load_screens(c, f);
	if (rc == HAT_OK)
		rc = load_contacts(c, f);
	if (rc == HAT_OK)
		rc = takehome_record_privilege(c, f);
	return rc;
}

/* ---- The verdict in words ------------------------------------------------------ */

static void finding_words(const struct takehome_record *f, const struct takehome_verdict *v,
			  enum takehome_criterion k, char *buf, size_t cap)
{
	const struct takehome_finding *x = &v->c[k];
	char d[11];

	switch (k) {
	case TAKEHOME_C_ENABLED:
		snprintf(buf, cap, x->met ? "Take-home doses are enabled at this premises."
					  : "Take-home doses are not enabled at this premises.");
		break;
	case TAKEHOME_C_PRESCRIPTION:
		snprintf(buf, cap, "%s", !f->v.has_rx ? "There is no current prescription."
					 : x->met ? "A current prescription, no review pending."
					 : f->t.blocked ? "A prescriber's review is pending."
							: "The induction schedule is in force.");
		break;
	case TAKEHOME_C_PRIVILEGE:
		clock_format_date(f->t.privilege_review_by, d);
		if (f->t.privilege_granted)
			snprintf(buf, cap, "Privilege granted; review by %s%s.", d,
				 x->met ? "" : " (overdue)");
		else
			snprintf(buf, cap, "No privilege in force.");
		break;
	case TAKEHOME_C_TREATMENT:
		clock_format_date(v->eligible_from, d);
		snprintf(buf, cap, "%d days of uninterrupted treatment; the rule is met from %s.",
			 (int)x->value, d);
		break;
	case TAKEHOME_C_STABILITY:
	case TAKEHOME_C_MISUSE:
		if (x->value < 0)
			snprintf(buf, cap, "No prescriber's assessment on record.");
		else
			snprintf(buf, cap, "Latest assessment %d days ago (valid %d days): %s.",
				 (int)x->value, (int)x->limit, x->met ? "it allows take-home"
								      : "it does not allow take-home, or is out of date");
		break;
	case TAKEHOME_C_SCREENS:
		snprintf(buf, cap, "%d of the last %d screens clear of drugs not prescribed"
				   " (%d screens on record).", (int)x->value, (int)x->limit,
			 (int)f->t.n_screens);
		break;
	case TAKEHOME_C_CONTACT:
		snprintf(buf, cap, "Staff contact on %d of the last 7 days (at least %d needed).",
			 (int)x->value, (int)x->limit);
		break;
	case TAKEHOME_C_DAYS:
		snprintf(buf, cap, "Up to %d daily doses%s.", (int)v->max_days,
			 v->max_days > 2 ? " (comorbidity on record)" : "");
		break;
	default:
		buf[0] = '\0';
	}
}

json_t *takehome_verdict_json(const struct takehome_record *f, const struct takehome_verdict *v)
{
	json_t *list = json_array();
	char words[240];

	for (int k = 0; k < TAKEHOME_C_COUNT; k++) {
		finding_words(f, v, (enum takehome_criterion)k, words, sizeof words);
		json_array_append_new(list, json_pack("{s:s, s:b, s:s?, s:i, s:i, s:s}", "criterion",
						      takehome_criterion_name((enum takehome_criterion)k),
						      "met", v->c[k].met, "refusal",
						      v->c[k].met ? NULL : hat_err_code(v->c[k].refusal),
						      "value", (int)v->c[k].value, "limit",
						      (int)v->c[k].limit, "finding", words));
	}
	return list;
}

/* Refuses with the first criterion not met, in words. */
enum hat_err takehome_refuse_verdict(struct cmd *c, const struct takehome_record *f,
				   const struct takehome_verdict *v)
{
	char words[240];

	for (int k = 0; k < TAKEHOME_C_COUNT; k++) {
		if (!v->c[k].met) {
			finding_words(f, v, (enum takehome_criterion)k, words, sizeof words);
			return cmd_refuse(c, v->c[k].refusal,
					  k == TAKEHOME_C_DAYS ? "days" : NULL, words);
		}
	}
	return HAT_E_INTERNAL;
}

/* ---- The check screen's read ---------------------------------------------------------------- */

enum hat_err takehome_status(struct store_conn *c, int64_t patient_id, int64_t now, json_t **out)
{
	struct takehome_verdict v;
	struct takehome_record *f = malloc(sizeof *f);
	json_t *supplies = NULL, *returns = NULL, *decisions = NULL;
	char since[11], from[11];
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = takehome_record_load(c, patient_id, now, f);
	if (rc == HAT_OK)
		rc = takehome_check(&f->setting, &f->t, f->today, 1, true, &v);
	if (rc == HAT_OK)
		rc = store_query_json(c,
			"SELECT id, first_date, days, doses_per_day, dose_ug, total_ug, ampoules,"
			" premises_id, at AS supplied_at FROM takehome_supplies WHERE patient_id = ?"
			" ORDER BY id DESC", &supplies, "i", patient_id);
	if (rc == HAT_OK)
		rc = store_query_json(c,
			"SELECT r.id, r.supply_id, r.kind, r.ampoules, r.days_unused, r.notes,"
			" r.incident_id, r.at AS returned_at FROM takehome_returns r JOIN takehome_supplies s"
			" ON s.id = r.supply_id WHERE s.patient_id = ? ORDER BY r.id DESC", &returns,
			"i", patient_id);
	if (rc == HAT_OK)
		rc = store_query_json(c,
			"SELECT a.id, a.kind, a.outcome, a.review_by AS review_by_date, a.notes, a.at AS decided_at,"
			" u.display_name AS by_name FROM takehome_assessments a JOIN users u"
			" ON u.id = a.by_id WHERE a.patient_id = ? ORDER BY a.id DESC", &decisions,
			"i", patient_id);
	if (rc != HAT_OK) {
		json_decref(supplies);
		json_decref(returns);
		free(f);
		return rc;
	}
	clock_format_date(f->t.treatment_since, since);
	clock_format_date(v.eligible_from, from);
	*out = json_pack("{s:I, s:{s:b, s:s, s:i, s:i, s:I}, s:b, s:s?, s:o, s:s, s:s, s:i,"
			 " s:o, s:o, s:o}",
			 "patient_id", (json_int_t)patient_id, "setting", "enabled", f->setting.enabled,
			 "rule_set", takehome_rule_set_name(f->setting.rule_set),
			 "assessment_valid_days", (int)f->setting.assessment_valid_days,
			 "review_days", (int)f->setting.review_days, "version",
			 (json_int_t)f->setting_version, "eligible", v.first == HAT_OK, "refusal",
			 v.first == HAT_OK ? NULL : hat_err_code(v.first), "criteria",
			 takehome_verdict_json(f, &v), "treatment_since", since, "eligible_from", from,
			 "max_days", (int)v.max_days, "supplies", supplies, "returns", returns,
			 "decisions", decisions);
	free(f);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
