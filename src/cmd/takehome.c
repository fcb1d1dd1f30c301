/*
** takehome.c: see takehome.h.  The record is read here; core/takehome
** decides.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "register.h"
#include "takehome.h"
#include "visits.h"

#define MAX_SCREENS 8
#define MAX_RESULTS 32
/* Dose days read back for "uninterrupted": a little over the longest rule
** (six months) and any gap before it; older days cannot move the answer
** past the episode's start. */
#define HISTORY_DAYS 400

static const char *const rule_set_choices[] = { "swiss_2020", NULL };
static const char *const assess_kinds[] = { "stability", "misuse_risk", "comorbidity", NULL };
static const char *const contact_kinds[] = { "in_person", "phone", "video", "home_visit", NULL };
static const char *const return_kinds[] = { "returned", "lost", NULL };

/* The favourable outcome of each assessment kind, and the others allowed. */
static const struct {
	const char *kind;
	const char *favourable;
	const char *const outcomes[5];
} outcome_table[] = {
	{ "stability", "stable", { "stable", "unstable", NULL } },
	{ "misuse_risk", "very_low", { "very_low", "low", "moderate", "high", NULL } },
	{ "comorbidity", "present", { "present", "absent", NULL } },
};

/* ---- The setting ----------------------------------------------------------- */

enum hat_err takehome_setting_load(struct store_conn *c, int64_t premises_id,
				   struct takehome_setting *out, int64_t *version)
{
	static const char sql[] =
		"SELECT version, enabled, rule_set, assessment_valid_days, review_days"
		" FROM takehome_settings WHERE premises_id = ? ORDER BY version DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql, &s);

	out->enabled = false;
	out->rule_set = TAKEHOME_RULES_SWISS_2020;
	out->assessment_valid_days = TAKEHOME_VALID_DAYS_DEFAULT;
	out->review_days = TAKEHOME_REVIEW_DAYS_DEFAULT;
	*version = 0;
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, premises_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		*version = store_col_int(s, 0);
		out->enabled = store_col_int(s, 1) != 0;
		if (takehome_rule_set_parse(store_col_text(s, 2), &out->rule_set) != HAT_OK)
			out->enabled = false;
		out->assessment_valid_days = (int32_t)store_col_int(s, 3);
		out->review_days = (int32_t)store_col_int(s, 4);
	}
	store_done(s);
	return rc;
}

static const struct field settings_fields[] = {
	{ "enabled", FT_BOOL, true, 0, 0, NULL, false },
	{ "rule_set", FT_ENUM, false, 0, 0, rule_set_choices, false },
	{ "jurisdiction_basis", FT_STRING, false, 0, 500, NULL, false },
	{ "assessment_valid_days", FT_INT, false, TAKEHOME_VALID_DAYS_MIN, TAKEHOME_VALID_DAYS_MAX,
	  NULL, false },
	{ "review_days", FT_INT, false, TAKEHOME_REVIEW_DAYS_MIN, TAKEHOME_REVIEW_DAYS_MAX, NULL,
	  false },
	FIELDS_END,
};

static enum hat_err run_settings(struct store_conn *conn, struct cmd *c)
{
	struct takehome_setting cur;
	int64_t version, n = 0;
	bool found;
	bool enabled = fields_bool(c->input, "enabled", false);
	const char *basis = fields_str(c->input, "jurisdiction_basis", "");
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM premises WHERE id = ?", &found,
					  &n, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, NULL, NULL);
	/* Take-home is against the law in many places: turning it on says which
	** law allows it here. */
	if (enabled && !basis[0])
		return cmd_refuse(c, HAT_E_MISSING_FIELD, "jurisdiction_basis",
				  "Name the law or licence that allows take-home doses here.");
	rc = takehome_setting_load(conn, c->target_id, &cur, &version);
	if (rc != HAT_OK)
		return rc;
	cur.enabled = enabled;
	cur.assessment_valid_days = (int32_t)fields_int(c->input, "assessment_valid_days",
							cur.assessment_valid_days);
	cur.review_days = (int32_t)fields_int(c->input, "review_days", cur.review_days);
	rc = store_run(conn,
		       "INSERT INTO takehome_settings (premises_id, version, enabled, rule_set,"
		       " jurisdiction_basis, assessment_valid_days, review_days, set_by, set_at)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiittiiIi", c->target_id, version + 1, (int64_t)cur.enabled,
		       fields_str(c->input, "rule_set", "swiss_2020"), basis,
		       (int64_t)cur.assessment_valid_days, (int64_t)cur.review_days,
		       c->actor_id ? c->actor_id : INT64_MIN, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_pack("{s:I, s:I, s:b, s:s, s:s, s:i, s:i}", "premises_id",
		      (json_int_t)c->target_id, "version", (json_int_t)(version + 1), "enabled",
		      cur.enabled, "rule_set", fields_str(c->input, "rule_set", "swiss_2020"),
		      "jurisdiction_basis", basis, "assessment_valid_days",
		      (int)cur.assessment_valid_days, "review_days", (int)cur.review_days);
	rc = cmd_audit(conn, c, "premises", c->target_id, d);
	if (rc != HAT_OK) {
		json_decref(d);
		return rc;
	}
	cmd_answer(c, 200, d);
	return HAT_OK;
}

/* ---- Supplies as the missed-dose rules see them ----------------------------- */

/* Calls fn for each supply of the patient with its days less those
** returned unused. */
static enum hat_err each_supply(struct store_conn *c, int64_t patient_id,
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
	enum hat_err rc = each_supply(c, patient_id, note_last, &a);

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
	enum hat_err rc = each_supply(c, patient_id, note_cover, &a);

	*covered = a.covered;
	return rc;
}

/* ---- The facts ---------------------------------------------------------------- */

struct facts {
	struct visits_facts v;
	struct takehome_setting setting;
	int64_t setting_version;
	struct takehome_facts t;
	struct takehome_screen screens[MAX_SCREENS];
	int32_t today;
};

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
		for (size_t i = 0; i < sizeof outcome_table / sizeof outcome_table[0]; i++) {
			if (strcmp(outcome_table[i].kind, kind) == 0)
				a->favourable = strcmp(store_col_text(s, 1),
						       outcome_table[i].favourable) == 0;
		}
	}
	store_done(s);
	return rc;
}

/* The newest screens not entered in error, each read clear or not. */
static enum hat_err load_screens(struct store_conn *c, struct facts *f)
{
	static const char sql[] =
		"SELECT s.id, s.local_date FROM drug_screens s WHERE s.patient_id = ?"
		" AND NOT EXISTS (SELECT 1 FROM drug_screen_errors e WHERE e.screen_id = s.id)"
		" AND s.local_date <= ? ORDER BY s.collected_at DESC, s.id DESC LIMIT ?";
	static const char sql_results[] =
		"SELECT result, expected FROM drug_screen_results WHERE screen_id = ? LIMIT ?";
	int64_t ids[MAX_SCREENS];
	struct store_stmt *s;
	bool row;
	size_t n = 0;
	enum hat_err rc = store_prepare(c, sql, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", f->v.patient_id, (int64_t)f->today, (int64_t)MAX_SCREENS);
	while (rc == HAT_OK && n < MAX_SCREENS) {
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
static enum hat_err load_since(struct store_conn *c, struct facts *f)
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
		rc = each_supply(c, f->v.patient_id, push_supply, &a);
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
static enum hat_err load_contacts(struct store_conn *c, struct facts *f)
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

static enum hat_err load_privilege(struct store_conn *c, struct facts *f)
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

static enum hat_err load(struct store_conn *c, int64_t patient_id, int64_t now, struct facts *f)
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
		rc = load_privilege(c, f);
	return rc;
}

/* ---- The verdict in words ------------------------------------------------------ */

static void finding_words(const struct facts *f, const struct takehome_verdict *v,
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
						  : "A prescriber's review is pending.");
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

static json_t *verdict_json(const struct facts *f, const struct takehome_verdict *v)
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
static enum hat_err refuse_verdict(struct cmd *c, const struct facts *f,
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

/* ---- Assessments and the privilege ---------------------------------------------- */

static const struct field assess_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, assess_kinds, false },
	{ "outcome", FT_STRING, true, 1, 40, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err patient_exists(struct store_conn *conn, int64_t id)
{
	int64_t n = 0;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?", NULL,
					  &n, "i", id);

	return rc == HAT_OK && n == 0 ? HAT_E_NOT_FOUND : rc;
}

static enum hat_err add_decision(struct store_conn *conn, struct cmd *c, const char *kind,
				 const char *outcome, int64_t review_by, json_t *extra)
{
	json_t *d;
	int64_t id;
	enum hat_err rc = store_run(conn,
				    "INSERT INTO takehome_assessments (patient_id, kind, outcome,"
				    " review_by, notes, by_id, at, local_date)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				    "ittItiii", c->target_id, kind, outcome, review_by,
				    fields_str(c->input, "notes", ""), c->actor_id, c->now,
				    (int64_t)clock_local_date(c->now));

	if (rc != HAT_OK) {
		json_decref(extra);
		return rc;
	}
	id = store_last_id(conn);
	d = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "kind", kind, "outcome",
		      outcome, "notes", fields_str(c->input, "notes", ""));
	if (d && review_by != INT64_MIN) {
		char day[11];

		clock_format_date((int32_t)review_by, day);
		json_object_set_new(d, "review_by", json_string(day));
	}
	if (d && extra)
		json_object_set_new(d, "criteria", extra);
	else
		json_decref(extra);
	rc = cmd_audit(conn, c, "patient", c->target_id, d);
	if (rc != HAT_OK) {
		json_decref(d);
		return rc;
	}
	cmd_answer(c, 201, d);
	return HAT_OK;
}

static enum hat_err run_assess(struct store_conn *conn, struct cmd *c)
{
	const char *kind = fields_str(c->input, "kind", "");
	const char *outcome = fields_str(c->input, "outcome", "");
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	for (size_t i = 0; i < sizeof outcome_table / sizeof outcome_table[0]; i++) {
		if (strcmp(outcome_table[i].kind, kind) != 0)
			continue;
		for (size_t j = 0; outcome_table[i].outcomes[j]; j++) {
			if (strcmp(outcome_table[i].outcomes[j], outcome) == 0)
				return add_decision(conn, c, kind, outcome, INT64_MIN, NULL);
		}
	}
	return cmd_refuse(c, HAT_E_INVALID_VALUE, "outcome",
			  "stability: stable or unstable; misuse_risk: very_low, low, moderate"
			  " or high; comorbidity: present or absent.");
}

static const struct field grant_fields[] = {
	{ "review_by", FT_DATE, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

/* Grant and review: every criterion but the days is checked from the
** record, and the privilege runs to its review date. */
static enum hat_err run_grant_or_review(struct store_conn *conn, struct cmd *c, const char *kind)
{
	struct takehome_verdict v;
	struct facts *f = malloc(sizeof *f);
	int32_t review_by;
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = load(conn, c->target_id, c->now, f);
	if (rc == HAT_OK && strcmp(kind, "review") == 0 && !f->t.privilege_granted)
		rc = cmd_refuse(c, HAT_E_TAKEHOME_NOT_GRANTED, NULL,
				"There is no privilege in force to review: grant one.");
	if (rc == HAT_OK)
		rc = takehome_check(&f->setting, &f->t, f->today, 0, false, &v);
	if (rc == HAT_OK && v.first != HAT_OK)
		rc = refuse_verdict(c, f, &v);
	if (rc != HAT_OK)
		goto out;
	review_by = fields_date(c->input, "review_by", f->today + f->setting.review_days);
	if (review_by < f->today || review_by > f->today + f->setting.review_days) {
		char msg[160];

		snprintf(msg, sizeof msg, "The review date is today or within %d days.",
			 (int)f->setting.review_days);
		rc = cmd_refuse(c, HAT_E_OUT_OF_RANGE, "review_by", msg);
		goto out;
	}
	rc = add_decision(conn, c, kind, "granted", review_by, verdict_json(f, &v));
out:
	free(f);
	return rc;
}

static enum hat_err run_grant(struct store_conn *conn, struct cmd *c)
{
	return run_grant_or_review(conn, c, "grant");
}

static enum hat_err run_review(struct store_conn *conn, struct cmd *c)
{
	return run_grant_or_review(conn, c, "review");
}

static const struct field withdraw_fields[] = {
	{ "notes", FT_STRING, true, 1, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_withdraw(struct store_conn *conn, struct cmd *c)
{
	struct facts *f = malloc(sizeof *f);
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = patient_exists(conn, c->target_id);
	if (rc == HAT_OK) {
		f->v.patient_id = c->target_id;
		rc = load_privilege(conn, f);
	}
	if (rc == HAT_OK && !f->t.privilege_granted)
		rc = cmd_refuse(c, HAT_E_TAKEHOME_NOT_GRANTED, NULL, "There is no privilege to withdraw.");
	if (rc == HAT_OK)
		rc = add_decision(conn, c, "withdraw", "withdrawn", INT64_MIN, NULL);
	free(f);
	return rc;
}

/* ---- Contacts --------------------------------------------------------------------- */

static const struct field contact_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, contact_kinds, false },
	{ "at", FT_TIME, true, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_contact(struct store_conn *conn, struct cmd *c)
{
	int64_t at = 0, id;
	json_t *d;
	enum hat_err rc = patient_exists(conn, c->target_id);

	if (rc != HAT_OK)
		return rc;
	clock_parse_rfc3339(fields_str(c->input, "at", ""), &at);
	if (at > c->now)
		return cmd_refuse(c, HAT_E_DATE_ORDER, "at", "A contact cannot be recorded ahead of time.");
	rc = store_run(conn,
		       "INSERT INTO staff_contacts (patient_id, kind, at, local_date, notes, by_id,"
		       " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "itiitii", c->target_id, fields_str(c->input, "kind", ""), at,
		       (int64_t)clock_local_date(at), fields_str(c->input, "notes", ""), c->actor_id,
		       c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	d = json_deep_copy(c->input);
	if (d)
		json_object_set_new(d, "id", json_integer(id));
	rc = cmd_audit(conn, c, "patient", c->target_id, d);
	if (rc != HAT_OK) {
		json_decref(d);
		return rc;
	}
	cmd_answer(c, 201, d);
	return HAT_OK;
}

/* ---- The supply ---------------------------------------------------------------------- */

static const struct field supply_fields[] = {
	{ "first_date", FT_DATE, true, 0, 0, NULL, false },
	{ "days", FT_INT, true, 1, 31, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

struct overlap_arg {
	int32_t first, days;
	bool overlap;
};

static void note_overlap(void *p, int32_t first, int32_t days, int32_t unused)
{
	struct overlap_arg *a = p;

	if (takehome_days_overlap(first, days - unused, a->first, a->days))
		a->overlap = true;
}

/* No day of the supply may already have a supervised dose or another
** supply: a day is dosed once. */
static enum hat_err check_overlap(struct store_conn *conn, struct cmd *c, int64_t patient,
				  int32_t first, int32_t days)
{
	struct overlap_arg a = { first, days, false };
	int64_t n = 0;
	enum hat_err rc = each_supply(conn, patient, note_overlap, &a);

	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT count(*) FROM administrations WHERE patient_id = ?"
					   " AND kind = 'injection' AND local_date BETWEEN ? AND ?",
				     NULL, &n, "iii", patient, (int64_t)first,
				     (int64_t)(first + days - 1));
	if (rc != HAT_OK)
		return rc;
	if (a.overlap)
		return cmd_refuse(c, HAT_E_TAKEHOME_DAY_COVERED, "first_date",
				  "Another take-home supply already covers one of these days.");
	if (n > 0)
		return cmd_refuse(c, HAT_E_TAKEHOME_DAY_COVERED, "first_date",
				  "A supervised dose was already given on one of these days.");
	return HAT_OK;
}

static json_t *entry_ids(json_t *entries, int64_t *ampoules)
{
	json_t *ids = json_array();
	json_t *e;
	size_t i;

	*ampoules = 0;
	json_array_foreach(entries, i, e) {
		json_array_append(ids, json_object_get(e, "entry_id"));
		*ampoules += json_integer_value(json_object_get(e, "ampoules"));
	}
	return ids;
}

static enum hat_err run_supply(struct store_conn *conn, struct cmd *c)
{
	struct takehome_verdict v;
	struct register_choice choice = { 0 };
	struct facts *f = malloc(sizeof *f);
	int32_t first = fields_date(c->input, "first_date", 0);
	int32_t days = (int32_t)fields_int(c->input, "days", 0);
	int64_t doses, total, ampoules, id;
	json_t *entries = NULL, *ids = NULL, *criteria = NULL, *d = NULL;
	char *ids_text = NULL, *criteria_text = NULL;
	char reason[120];
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = load(conn, c->target_id, c->now, f);
	if (rc == HAT_OK)
		rc = takehome_check(&f->setting, &f->t, f->today, days, true, &v);
	if (rc == HAT_OK && v.first != HAT_OK)
		rc = refuse_verdict(c, f, &v);
	if (rc == HAT_OK && takehome_check_first_date(first, f->today) != HAT_OK)
		rc = cmd_refuse(c, HAT_E_DATE_ORDER, "first_date",
				"A supply starts today or tomorrow.");
	if (rc == HAT_OK)
		rc = check_overlap(conn, c, f->v.patient_id, first, days);
	if (rc != HAT_OK)
		goto out;
	/* One dose's ampoules, whole: no part-used ampoule leaves the clinic,
	** so every dose is the same exact set, taken once per dose. */
	rc = register_choose_for_dose(conn, f->v.premises_id, f->v.rx.drug, f->v.rx.session_dose_ug,
				      f->today, &choice);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "days", NULL);
		goto out;
	}
	if (choice.waste_ug != 0) {
		rc = cmd_refuse(c, HAT_E_TAKEHOME_PART_AMPOULE, NULL, NULL);
		goto out;
	}
	doses = (int64_t)days * f->v.rx.sessions_per_day;
	total = doses * f->v.rx.session_dose_ug;
	for (size_t i = 0; i < choice.n; i++)
		choice.picks[i].count *= doses;
	snprintf(reason, sizeof reason, "take-home supply: %d day(s) of %d dose(s) from %s",
		 (int)days, (int)f->v.rx.sessions_per_day, fields_str(c->input, "first_date", ""));
	rc = register_take_for_supply(conn, c, &choice, f->v.patient_id,
				      f->v.rx.prescriber.user_id, total, f->today, reason, &entries);
	if (rc == HAT_E_BALANCE_NEGATIVE)
		rc = cmd_refuse(c, HAT_E_NO_STOCK, "days", NULL);
	if (rc != HAT_OK)
		goto out;
	ids = entry_ids(entries, &ampoules);
	criteria = verdict_json(f, &v);
	ids_text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
	criteria_text = criteria ? json_dumps(criteria, JSON_COMPACT) : NULL;
	if (!ids_text || !criteria_text) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO takehome_supplies (patient_id, premises_id, prescription_id,"
		       " first_date, days, doses_per_day, dose_ug, total_ug, ampoules, comorbidity,"
		       " register_entries, criteria, nurse_id, witness_id, at, local_date)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiiiiiiiittiiii", f->v.patient_id, f->v.premises_id, f->v.rx.id,
		       (int64_t)first, (int64_t)days, (int64_t)f->v.rx.sessions_per_day,
		       f->v.rx.session_dose_ug, total, ampoules, (int64_t)(v.max_days > 2),
		       ids_text, criteria_text, c->actor_id, c->witness_id, c->now,
		       (int64_t)f->today);
	if (rc != HAT_OK)
		goto out;
	id = store_last_id(conn);
	d = json_pack("{s:I, s:I, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:O, s:O}", "id", (json_int_t)id,
		      "prescription_id", (json_int_t)f->v.rx.id, "first_date",
		      fields_str(c->input, "first_date", ""), "days", (int)days, "doses_per_day",
		      (int)f->v.rx.sessions_per_day, "dose_ug", (json_int_t)f->v.rx.session_dose_ug,
		      "total_ug", (json_int_t)total, "ampoules", (json_int_t)ampoules, "witness_id",
		      (json_int_t)c->witness_id, "register_entries", entries, "criteria", criteria);
	rc = cmd_audit(conn, c, "patient", f->v.patient_id, d);
	if (rc == HAT_OK) {
		cmd_answer(c, 201, d);
		d = NULL;
	}
out:
	register_choice_free(&choice);
	json_decref(entries);
	json_decref(ids);
	json_decref(criteria);
	json_decref(d);
	free(ids_text);
	free(criteria_text);
	free(f);
	return rc;
}

/* ---- Returns and losses ------------------------------------------------------------------ */

static const struct field return_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, return_kinds, false },
	{ "ampoules", FT_INT, true, 1, 10000, NULL, false },
	{ "days_unused", FT_INT, false, 0, 31, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err check_return_witness(struct store_conn *conn, struct cmd *c)
{
	unsigned roles;
	enum hat_err rc;

	if (!c->witness_id)
		return cmd_refuse(c, HAT_E_WITNESS_REQUIRED, "witness",
				  "A return is denatured in front of a witness.");
	if (c->witness_id == c->actor_id)
		return cmd_refuse(c, HAT_E_WITNESS_SAME_PERSON, "witness", NULL);
	rc = auth_user_roles(conn, c->witness_id, &roles);
	if (rc == HAT_OK && !(roles & TAKEHOME_WITNESS_ROLES))
		rc = cmd_refuse(c, HAT_E_WITNESS_ROLE, "witness", NULL);
	return rc;
}

static enum hat_err run_return(struct store_conn *conn, struct cmd *c)
{
	static const char sql[] =
		"SELECT s.patient_id, s.premises_id, s.ampoules, s.days,"
		" coalesce((SELECT sum(r.ampoules) FROM takehome_returns r WHERE r.supply_id = s.id), 0),"
		" coalesce((SELECT sum(r.days_unused) FROM takehome_returns r WHERE r.supply_id = s.id), 0)"
		" FROM takehome_supplies s WHERE s.id = ?";
	const char *kind = fields_str(c->input, "kind", "");
	bool lost = strcmp(kind, "lost") == 0;
	int64_t patient = 0, premises = 0, supplied = 0, already = 0, incident = INT64_MIN, id;
	int32_t days = 0, unused = 0;
	int64_t qty = fields_int(c->input, "ampoules", 0);
	int32_t days_unused = (int32_t)fields_int(c->input, "days_unused", 0);
	struct store_stmt *s;
	bool row = false;
	json_t *d;
	enum hat_err rc = store_prepare(conn, sql, &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		patient = store_col_int(s, 0);
		premises = store_col_int(s, 1);
		supplied = store_col_int(s, 2);
		days = (int32_t)store_col_int(s, 3);
		already = store_col_int(s, 4);
		unused = (int32_t)store_col_int(s, 5);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return HAT_E_NOT_FOUND;
	rc = takehome_check_return(supplied, already, days, unused, qty, days_unused);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "ampoules", NULL);
	if (!lost) {
		rc = check_return_witness(conn, c);
		if (rc != HAT_OK)
			return rc;
	} else {
		char desc[400];

		/* A lost controlled drug is an incident for the CDAO. */
		snprintf(desc, sizeof desc, "%lld take-home ampoule(s) of supply %lld reported lost. %s",
			 (long long)qty, (long long)c->target_id, fields_str(c->input, "notes", ""));
		rc = store_run(conn,
			       "INSERT INTO incidents (premises_id, kind, occurred_at, description,"
			       " reported_by, at) VALUES (?, 'loss', ?, ?, ?, ?)",
			       "iitii", premises, c->now, desc, c->actor_id, c->now);
		if (rc != HAT_OK)
			return rc;
		incident = store_last_id(conn);
	}
	rc = store_run(conn,
		       "INSERT INTO takehome_returns (supply_id, kind, ampoules, days_unused, notes,"
		       " incident_id, by_id, witness_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "itiitIiIi", c->target_id, kind, qty, (int64_t)days_unused,
		       fields_str(c->input, "notes", ""), incident, c->actor_id,
		       !lost && c->witness_id ? c->witness_id : INT64_MIN, c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	d = json_pack("{s:I, s:I, s:s, s:I, s:i, s:s}", "id", (json_int_t)id, "supply_id",
		      (json_int_t)c->target_id, "kind", kind, "ampoules", (json_int_t)qty,
		      "days_unused", (int)days_unused, "notes", fields_str(c->input, "notes", ""));
	if (d && incident != INT64_MIN)
		json_object_set_new(d, "incident_id", json_integer(incident));
	rc = cmd_audit(conn, c, "patient", patient, d);
	if (rc != HAT_OK) {
		json_decref(d);
		return rc;
	}
	cmd_answer(c, 201, d);
	return HAT_OK;
}

/* ---- The check screen's read ---------------------------------------------------------------- */

enum hat_err takehome_status(struct store_conn *c, int64_t patient_id, int64_t now, json_t **out)
{
	struct takehome_verdict v;
	struct facts *f = malloc(sizeof *f);
	json_t *supplies = NULL, *returns = NULL, *decisions = NULL;
	char since[11], from[11];
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = load(c, patient_id, now, f);
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
			 verdict_json(f, &v), "treatment_since", since, "eligible_from", from,
			 "max_days", (int)v.max_days, "supplies", supplies, "returns", returns,
			 "decisions", decisions);
	free(f);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

const struct cmd_def takehome_settings_set = {
	"takehome.settings", settings_fields, POLICY_RULE(TAKEHOME_SETTINGS), run_settings, NULL,
};
const struct cmd_def takehome_assess = {
	"takehome.assess", assess_fields, POLICY_RULE(TAKEHOME_DECIDE), run_assess, NULL,
};
const struct cmd_def takehome_grant = {
	"takehome.grant", grant_fields, POLICY_RULE(TAKEHOME_DECIDE), run_grant, NULL,
};
const struct cmd_def takehome_review = {
	"takehome.review", grant_fields, POLICY_RULE(TAKEHOME_DECIDE), run_review, NULL,
};
const struct cmd_def takehome_withdraw = {
	"takehome.withdraw", withdraw_fields, POLICY_RULE(TAKEHOME_DECIDE), run_withdraw, NULL,
};
const struct cmd_def takehome_supply = {
	"takehome.supply", supply_fields, POLICY_RULE(TAKEHOME_SUPPLY), run_supply, NULL,
};
const struct cmd_def takehome_return = {
	"takehome.return", return_fields, POLICY_RULE(TAKEHOME_RETURN), run_return, NULL,
};
const struct cmd_def takehome_contact = {
	"contact.record", contact_fields, POLICY_RULE(CONTACT_RECORD), run_contact, NULL,
};
