/*
** progress.c: see progress.h.
*/
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "goals.h"
#include "instruments.h"
#include "outcomes.h"
#include "progress.h"
#include "screens.h"
#include "settings.h"
#include "util/buf.h"

/* The domains in the order the pictures show them. */
static const struct {
	const char *key;
	const char *label;
	const char *plain;
} domain_list[] = {
	{ "substance_use", "Substance use (days in the past 4 weeks)", "Using drugs and alcohol" },
	{ "injecting", "Injecting and sharing", "Injecting" },
	{ "crime", "Crime", "Trouble with the law" },
	{ "psychological_health", "Psychological health (0-20)", "How you feel in yourself" },
	{ "physical_health", "Physical health (0-20)", "Your physical health" },
	{ "quality_of_life", "Quality of life (0-20)", "Your quality of life" },
	{ "housing", "Housing", "Your home" },
	{ "work_education", "Work and education (days)", "Work and learning" },
	{ "recovery_capital", "Recovery capital (BARC-10 total)", "What you have going for you" },
	{ "wellbeing", "Wellbeing (SWEMWBS metric score)", "Your wellbeing" },
};
#define DOMAIN_COUNT (sizeof domain_list / sizeof domain_list[0])

struct form_row {
	int64_t id;
	int64_t instrument_id;
	int32_t date;
	char stage[16];
	json_t *answers;      /* owned */
	bool has_total;
	int64_t total;
	bool has_metric;
	int64_t metric_x100;
};

#define MAX_FORMS 200

static enum hat_err load_forms(struct store_conn *c, int64_t patient, const char *code,
			       struct form_row *rows, int32_t *n)
{
	static const char sql[] =
		"SELECT f.id, f.instrument_id, f.form_date, coalesce(f.stage, ''), f.answers, f.total,"
		" f.metric_x100 FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
		" WHERE f.patient_id = ? AND i.code = ?"
		" AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
		" AND NOT EXISTS (SELECT 1 FROM outcome_form_errors e WHERE e.form_id = f.id)"
		" ORDER BY f.form_date, f.id";
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(c, sql, &s);

	*n = 0;
	if (rc == HAT_OK)
		rc = store_bindf(s, "it", patient, code);
	while (rc == HAT_OK && *n < MAX_FORMS) {
		struct form_row *r = &rows[*n];

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		r->id = store_col_int(s, 0);
		r->instrument_id = store_col_int(s, 1);
		r->date = (int32_t)store_col_int(s, 2);
		str_copy(r->stage, sizeof r->stage, store_col_text(s, 3));
		r->answers = json_loads(store_col_text(s, 4), 0, NULL);
		r->has_total = !store_col_is_null(s, 5);
		r->total = store_col_int(s, 5);
		r->has_metric = !store_col_is_null(s, 6);
		r->metric_x100 = store_col_int(s, 6);
		(*n)++;
	}
	store_done(s);
	return rc;
}

static void free_forms(struct form_row *rows, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		json_decref(rows[i].answers);
}

static json_t *date_json(int32_t d)
{
	char s[11];

	clock_format_date(d, s);
	return json_string(s);
}

/* Formats a value for words: hundredths for the SWEMWBS metric. */
static void value_words(int64_t v, bool x100, char *out, size_t n)
{
	if (x100)
		snprintf(out, n, "%lld.%02lld", (long long)(v / 100), (long long)(v % 100));
	else
		snprintf(out, n, "%lld", (long long)v);
}

/* Fills a series' change, direction and its sentence, and records the
** direction for the progressing verdict. */
static void describe(json_t *series, const char *label, enum outcomes_better better,
		     bool have_first, int64_t first, bool have_latest, int64_t latest,
		     int64_t threshold, bool yesno, bool x100, enum outcomes_direction *dir)
{
	char a[24], b[24], words[320];
	enum outcomes_direction d = OUTCOMES_NO_CHANGE_KNOWN;

	if (have_first && have_latest)
		d = outcomes_direction(better, first, latest, threshold);
	*dir = d;
	json_object_set_new(series, "first", have_first ? json_integer(first) : json_null());
	json_object_set_new(series, "latest", have_latest ? json_integer(latest) : json_null());
	json_object_set_new(series, "change", have_first && have_latest ? json_integer(latest - first)
									 : json_null());
	json_object_set_new(series, "direction", json_string(
		d == OUTCOMES_IMPROVED ? "improved" : d == OUTCOMES_SAME ? "same"
				  : d == OUTCOMES_WORSE ? "worse" : "unknown"));
	json_object_set_new(series, "threshold", json_integer(threshold));
	if (!have_first || !have_latest) {
		snprintf(words, sizeof words, "%s: not enough answers yet to show a change", label);
	} else if (yesno) {
		snprintf(words, sizeof words, "%s: %s then, %s now, %s", label, first ? "yes" : "no",
			 latest ? "yes" : "no", outcomes_direction_words(d));
	} else {
		value_words(first, x100, a, sizeof a);
		value_words(latest, x100, b, sizeof b);
		if (x100)
			snprintf(words, sizeof words, "%s %s \u2192 %s, %s", label, a, b,
				 outcomes_direction_words(d));
		else
			snprintf(words, sizeof words, "%s %s \u2192 %s (%+lld), %s", label, a, b,
				 (long long)(latest - first), outcomes_direction_words(d));
	}
	json_object_set_new(series, "words", json_string(words));
}

struct build {
	struct store_conn *c;
	struct outcomes_settings st;
	bool plain;
	json_t *domains[DOMAIN_COUNT];
	enum outcomes_direction dirs[OUTCOMES_MAX_ITEMS + 4];
	int32_t ndirs;
	json_t *improved; /* labels of series that improved */
};

static int domain_index(const char *key)
{
	for (size_t i = 0; i < DOMAIN_COUNT; i++) {
		if (strcmp(domain_list[i].key, key) == 0)
			return (int)i;
	}
	return -1;
}

/* The TOP's series, item by item, from the newest definition's items. */
static enum hat_err top_series(struct build *b, struct form_row *forms, int32_t n)
{
	struct outcomes_instrument newest, ins;
	struct outcomes_answer answers[OUTCOMES_MAX_ITEMS];
	json_t *def = NULL;
	int64_t row_id, loaded = 0;
	int32_t base = 0;
	const char *bad;
	enum hat_err rc = instruments_load(b->c, 0, "top", 0, &newest, &row_id, &def);

	if (rc != HAT_OK || n == 0)
		goto out;
	/* Change is counted from the Start TOP when there is one. */
	for (int32_t f = 0; f < n; f++) {
		if (strcmp(forms[f].stage, "start") == 0) {
			base = f;
			break;
		}
	}
	for (int32_t i = 0; i < newest.item_count; i++) {
		const struct outcomes_item *it = &newest.items[i];
		json_t *jdef = json_array_get(json_object_get(def, "items"), (size_t)i);
		const char *label = json_string_value(json_object_get(jdef, "label"));
		const char *plain = json_string_value(
			json_object_get(json_object_get(def, "plain"), it->key));
		json_t *points = json_array(), *series;
		bool have_first = false, have_latest = false;
		int64_t first = 0, latest = 0;
		int32_t prev_date = 0;
		int d = domain_index(it->domain);

		if (it->better == OUTCOMES_BETTER_NONE || d < 0 || !label) {
			json_decref(points);
			continue;
		}
		for (int32_t f = 0; f < n; f++) {
			int32_t k;
			json_t *p;

			if (forms[f].instrument_id != loaded) {
				rc = instruments_load(b->c, forms[f].instrument_id, NULL, 0, &ins, &row_id, NULL);
				if (rc != HAT_OK) {
					json_decref(points);
					goto out;
				}
				loaded = forms[f].instrument_id;
			}
			k = outcomes_item_index(&ins, it->key);
			if (k < 0 || outcomes_answers_parse(&ins, forms[f].answers, answers, &bad) != HAT_OK)
				k = -1;
			p = json_pack("{s:o, s:I, s:s}", "date", date_json(forms[f].date), "form_id",
				      (json_int_t)forms[f].id, "stage", forms[f].stage);
			if (k >= 0 && answers[k].kind == OUTCOMES_VALUE) {
				json_object_set_new(p, "value", json_integer(answers[k].value));
				if (f >= base && !have_first) {
					have_first = true;
					first = answers[k].value;
				}
				have_latest = true;
				latest = answers[k].value;
			} else {
				json_object_set_new(p, "value", json_null());
				json_object_set_new(p, "gap", json_string(
					k >= 0 && answers[k].kind == OUTCOMES_NA ? "not_answered" : "not_asked"));
			}
			if (f > 0 && forms[f].date - prev_date >
					     b->st.review_interval_days + b->st.review_grace_days)
				json_object_set_new(p, "missed_review_before", json_true());
			prev_date = forms[f].date;
			json_array_append_new(points, p);
		}
		series = json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:s}", "key", it->key, "label",
				   b->plain && plain ? plain : label, "type",
				   it->type == OUTCOMES_YESNO ? "yesno" : it->type == OUTCOMES_DAYS ? "days" : "rating",
				   "points", points, "min", it->min, "max", it->max, "better",
				   it->better == OUTCOMES_BETTER_LOWER ? "lower" : "higher");
		if (!b->plain)
			json_object_set_new(series, "code", json_string(json_string_value(
				json_object_get(jdef, "code")) ? json_string_value(json_object_get(jdef, "code")) : ""));
		describe(series, b->plain && plain ? plain : label, it->better, have_first, first,
			 have_latest, latest, outcomes_threshold(it, &b->st), it->type == OUTCOMES_YESNO,
			 false, &b->dirs[b->ndirs]);
		if (b->dirs[b->ndirs] == OUTCOMES_IMPROVED)
			json_array_append_new(b->improved, json_string(b->plain && plain ? plain : label));
		b->ndirs++;
		json_array_append_new(json_object_get(b->domains[d], "series"), series);
	}
out:
	json_decref(def);
	return rc;
}

/* The sessions the person can come to: the clinic's windows, and how many
** a day their prescription in force today gives them (0: none today). */
static enum hat_err sessions_json(struct store_conn *c, int64_t premises, int64_t patient,
				  int32_t today, json_t **out)
{
	struct clinic_settings st;
	int64_t version, per_day = 0;
	bool found;
	json_t *w = json_array();
	char a[6], b[6];
	enum hat_err rc = clinic_settings_load(c, premises, &st, &version);

	if (rc == HAT_OK)
		rc = store_query_int(c,
			"SELECT coalesce(max(sessions_per_day), 0) FROM prescriptions p WHERE patient_id = ?"
			" AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)"
			" AND NOT EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id)",
			&found, &per_day, "iii", patient, (int64_t)today, (int64_t)today);
	for (int i = 0; rc == HAT_OK && i < st.window_count; i++) {
		clinic_settings_hhmm(st.windows[i].start_minute, a);
		clinic_settings_hhmm(st.windows[i].end_minute, b);
		json_array_append_new(w, json_pack("{s:s, s:s, s:s}", "name", st.windows[i].name,
						   "opens", a, "closes", b));
	}
	if (rc != HAT_OK) {
		json_decref(w);
		return rc;
	}
	*out = json_pack("{s:I, s:o}", "sessions_per_day", (json_int_t)per_day, "windows", w);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

/* A summed instrument's total (or metric) as one series. */
static enum hat_err total_series(struct build *b, const char *code, const char *domain)
{
	struct form_row *forms = calloc(MAX_FORMS, sizeof *forms);
	struct outcomes_instrument ins;
	json_t *def = NULL, *points, *series;
	int64_t row_id, first = 0, latest = 0;
	bool have_first = false, have_latest = false, metric;
	int32_t n = 0;
	int d = domain_index(domain);
	const char *label;
	enum hat_err rc;

	if (!forms)
		return HAT_E_NOMEM;
	rc = instruments_load(b->c, 0, code, 0, &ins, &row_id, &def);
	if (rc == HAT_E_UNKNOWN_INSTRUMENT) {
		rc = HAT_OK;
		goto out;
	}
	if (rc == HAT_OK)
		rc = load_forms(b->c, json_integer_value(json_object_get(b->domains[0], "patient_id")),
				code, forms, &n);
	if (rc != HAT_OK || n == 0)
		goto out;
	metric = ins.scoring == OUTCOMES_SCORE_SUM_TABLE;
	points = json_array();
	for (int32_t f = 0; f < n; f++) {
		bool has = metric ? forms[f].has_metric : forms[f].has_total;
		int64_t v = metric ? forms[f].metric_x100 : forms[f].total;
		json_t *p = json_pack("{s:o, s:I}", "date", date_json(forms[f].date), "form_id",
				      (json_int_t)forms[f].id);

		json_object_set_new(p, "value", has ? (metric ? json_real((double)v / 100.0)
							      : json_integer(v)) : json_null());
		if (!has)
			json_object_set_new(p, "gap", json_string("incomplete"));
		if (has && !have_first) {
			have_first = true;
			first = v;
		}
		if (has) {
			have_latest = true;
			latest = v;
		}
		json_array_append_new(points, p);
	}
	label = b->plain ? domain_list[d].plain : domain_list[d].label;
	series = json_pack("{s:s, s:s, s:s, s:o, s:i, s:i, s:s}", "key", code, "label", label, "type",
			   metric ? "metric" : "total", "points", points, "min",
			   metric ? 7 : (int)(ins.item_count), "max",
			   metric ? 35 : (int)(ins.item_count * ins.items[0].max), "better", "higher");
	json_object_set_new(series, "copyright", json_incref(json_object_get(def, "copyright")) ?
			    json_object_get(def, "copyright") : json_null());
	/* A metric's first and latest are hundredths; the words show them as such. */
	describe(series, label, OUTCOMES_BETTER_HIGHER, have_first, first, have_latest, latest,
		 metric ? 100 : 1, false, metric, &b->dirs[b->ndirs]);
	if (metric) {
		json_object_set_new(series, "first", have_first ? json_real(first / 100.0) : json_null());
		json_object_set_new(series, "latest", have_latest ? json_real(latest / 100.0) : json_null());
		json_object_set_new(series, "change", have_first && have_latest
			? json_real((latest - first) / 100.0) : json_null());
	}
	if (b->dirs[b->ndirs] == OUTCOMES_IMPROVED)
		json_array_append_new(b->improved, json_string(label));
	b->ndirs++;
	json_array_append_new(json_object_get(b->domains[d], "series"), series);
out:
	free_forms(forms, n);
	free(forms);
	json_decref(def);
	return rc;
}

enum hat_err progress_build(struct store_conn *c, int64_t patient_id, int64_t now, bool plain,
			    json_t **out)
{
	struct build b;
	struct form_row *forms = NULL;
	json_t *patient = NULL, *goals = NULL, *screens = NULL, *attendance = NULL, *doms, *res;
	json_t *sessions = NULL;
	int32_t today = clock_local_date(now), n = 0;
	int64_t version, premises = 0, start_day = 0, open = 0;
	bool found, retained;
	enum hat_err rc;

	memset(&b, 0, sizeof b);
	b.c = c;
	b.plain = plain;
	rc = store_query_row_json(c,
		"SELECT p.id AS patient_id, p.given_name, p.family_name, p.premises_id,"
		" (SELECT coalesce(e.start_date, e.referral_date) FROM episodes e WHERE e.patient_id = p.id"
		"  ORDER BY e.id DESC LIMIT 1) AS episode_start_date,"
		" (SELECT e.status FROM episodes e WHERE e.patient_id = p.id ORDER BY e.id DESC LIMIT 1)"
		"  AS episode_status FROM patients p WHERE p.id = ?", &patient, "i", patient_id);
	if (rc != HAT_OK)
		return rc;
	rc = outcomes_settings_load(c, &b.st, &version);
	forms = calloc(MAX_FORMS, sizeof *forms);
	b.improved = json_array();
	if (!forms || !b.improved)
		rc = HAT_E_NOMEM;
	for (size_t i = 0; i < DOMAIN_COUNT; i++) {
		b.domains[i] = json_pack("{s:s, s:s, s:I, s:[]}", "key", domain_list[i].key, "label",
					 plain ? domain_list[i].plain : domain_list[i].label,
					 "patient_id", (json_int_t)patient_id, "series");
	}
	if (rc == HAT_OK)
		rc = load_forms(c, patient_id, "top", forms, &n);
	if (rc == HAT_OK)
		rc = top_series(&b, forms, n);
	if (rc == HAT_OK)
		rc = total_series(&b, "barc10", "recovery_capital");
	if (rc == HAT_OK)
		rc = total_series(&b, "swemwbs", "wellbeing");
	if (rc == HAT_OK)
		rc = goals_list(c, patient_id, &goals);
	if (rc == HAT_OK)
		rc = screens_list(c, patient_id, today, &screens);
	premises = json_integer_value(json_object_get(patient, "premises_id"));
	if (rc == HAT_OK)
		rc = board_attendance(c, premises, patient_id, today - 27, today, now, &attendance);
	if (rc == HAT_OK)
		rc = sessions_json(c, premises, patient_id, today, &sessions);
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM episodes WHERE patient_id = ? AND status = 'active'",
				     &found, &open, "i", patient_id);
	if (rc != HAT_OK)
		goto out;
	retained = open > 0;
	if (json_is_string(json_object_get(patient, "episode_start_date"))) {
		int32_t sd;

		if (clock_parse_date(json_string_value(json_object_get(patient, "episode_start_date")),
				     &sd) == HAT_OK)
			start_day = sd;
	}
	doms = json_array();
	for (size_t i = 0; i < DOMAIN_COUNT; i++) {
		json_object_del(b.domains[i], "patient_id");
		if (json_array_size(json_object_get(b.domains[i], "series")) > 0)
			json_array_append(doms, b.domains[i]);
	}
	res = json_pack("{s:O, s:o, s:b, s:O, s:s, s:O, s:O, s:o, s:I, s:b}",
		"patient", patient, "domains", doms,
		"progressing", outcomes_progressing(retained, b.dirs, b.ndirs),
		"improved_in", b.improved,
		"progress_words", outcomes_progressing(retained, b.dirs, b.ndirs)
			? (plain ? "You are making progress." : "Progressing: retained in treatment and improved in at least one domain.")
			: (retained ? (plain ? "Keep going: every step counts." : "Retained in treatment; no domain has improved past its threshold yet.")
				    : (plain ? "You are not in treatment with us at the moment." : "Not currently retained in treatment.")),
		"goals", goals, "screens", json_object_get(screens, "summary"),
		"attendance", json_incref(json_array_get(json_object_get(attendance, "patients"), 0))
			? json_array_get(json_object_get(attendance, "patients"), 0) : json_null(),
		"days_in_treatment", (json_int_t)(start_day && retained ? today - start_day + 1 : 0),
		"retained", (int)retained);
	if (res)
		json_object_set(res, "sessions", sessions);
	if (res && !plain) {
		json_object_set(res, "screen_list", json_object_get(screens, "screens"));
		json_object_set_new(res, "thresholds", outcomes_settings_json(&b.st, version));
	}
	*out = res;
	if (!res)
		rc = HAT_E_NOMEM;
out:
	for (size_t i = 0; i < DOMAIN_COUNT; i++)
		json_decref(b.domains[i]);
	json_decref(b.improved);
	json_decref(patient);
	json_decref(goals);
	json_decref(screens);
	json_decref(attendance);
	json_decref(sessions);
	if (forms)
		free_forms(forms, n);
	free(forms);
	return rc;
}
