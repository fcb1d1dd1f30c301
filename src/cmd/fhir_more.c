/*
** fhir_more.c: one person's outcome forms (QuestionnaireResponse, with the
** Questionnaire of each instrument), flags and goals as FHIR R4 (see
** fhir_parts.h).
*/
#include <string.h>

#include "board.h"
#include "core/fhir.h"
#include "fhir_parts.h"

/* The canonical URL of an instrument's Questionnaire: local, since the
** instruments' owners publish none in FHIR. */
static void questionnaire_url(const char *code, char *out, size_t n)
{
	snprintf(out, n, FHIR_LOCAL("questionnaire:%s"), code);
}

/* The instrument's definition (items of key, label, type, required and,
** for some, an NDTMS code) as a Questionnaire. */
static json_t *questionnaire(int64_t id, const char *code, int64_t version, json_t *def)
{
	char url[160], ver[24];
	json_t *items = json_array();
	json_t *q;
	json_t *it;
	size_t i;

	questionnaire_url(code, url, sizeof url);
	snprintf(ver, sizeof ver, "%lld", (long long)version);
	json_array_foreach(json_object_get(def, "items"), i, it) {
		const char *type = fhir_item_type(json_string_value(json_object_get(it, "type")));
		const char *ndtms = json_string_value(json_object_get(it, "code"));
		json_t *item = json_pack("{s:s, s:s, s:s, s:b}", "linkId",
					 json_string_value(json_object_get(it, "key")), "text",
					 json_string_value(json_object_get(it, "label")), "type",
					 type ? type : "string", "required",
					 json_is_true(json_object_get(it, "required")));

		if (item && ndtms && *ndtms)
			json_object_set_new(item, "code", json_pack("[{s:s, s:s}]", "system",
								    FHIR_LOCAL("ndtms"), "code", ndtms));
		if (!item || json_array_append_new(items, item) != 0) {
			json_decref(items);
			return NULL;
		}
	}
	q = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:o}", "resourceType", "Questionnaire", "id",
		      fhir_id(NULL, id), "url", url, "version", ver, "title",
		      json_string_value(json_object_get(def, "title")) ?
		      json_string_value(json_object_get(def, "title")) : code,
		      "status", "active", "item", items);
	if (q && json_is_string(json_object_get(def, "copyright")))
		json_object_set(q, "copyright", json_object_get(def, "copyright"));
	if (q && json_array_size(items) == 0)
		json_object_del(q, "item");
	return q;
}

/* An answer in the type its Questionnaire item says, or NULL when the
** stored value does not fit it (then the item is left out). */
static json_t *answer(const char *type, json_t *v)
{
	if (!type)
		return NULL;
	if (strcmp(type, "integer") == 0 && json_is_integer(v))
		return json_pack("{s:I}", "valueInteger", json_integer_value(v));
	if (strcmp(type, "decimal") == 0 && json_is_number(v))
		return json_pack("{s:f}", "valueDecimal", json_number_value(v));
	if (strcmp(type, "string") == 0 && json_is_string(v) && *json_string_value(v))
		return json_pack("{s:s}", "valueString", json_string_value(v));
	if (strcmp(type, "boolean") == 0 && json_is_string(v))
		return json_pack("{s:b}", "valueBoolean", strcmp(json_string_value(v), "yes") == 0);
	return NULL;
}

static json_t *response(int64_t id, const char *status, const char *url, int64_t version,
			int64_t pid, int32_t date, json_t *def, json_t *answers)
{
	char canonical[200];
	json_t *items = json_array();
	json_t *qr;
	json_t *it;
	size_t i;

	snprintf(canonical, sizeof canonical, "%s|%lld", url, (long long)version);
	json_array_foreach(json_object_get(def, "items"), i, it) {
		const char *key = json_string_value(json_object_get(it, "key"));
		const char *type = fhir_item_type(json_string_value(json_object_get(it, "type")));
		json_t *a = key ? answer(type, json_object_get(answers, key)) : NULL;

		if (a && json_array_append_new(items, json_pack("{s:s, s:[o]}", "linkId", key,
								"answer", a)) != 0) {
			json_decref(items);
			return NULL;
		}
	}
	qr = json_pack("{s:s, s:o, s:s, s:s, s:o, s:o, s:o}", "resourceType",
		       "QuestionnaireResponse", "id", fhir_id(NULL, id), "questionnaire", canonical,
		       "status", status, "subject", fhir_ref("Patient", pid), "authored",
		       fhir_date(date), "item", items);
	if (qr && json_array_size(items) == 0)
		json_object_del(qr, "item");
	return qr;
}

enum hat_err fhir_forms(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	json_t *seen = json_object();
	bool row;
	enum hat_err rc = store_prepare(c,
		"SELECT f.id, f.form_date, f.answers, f.supersedes_id IS NOT NULL,"
		" EXISTS (SELECT 1 FROM outcome_form_errors e WHERE e.form_id = f.id),"
		" i.id, i.code, i.version, i.definition"
		" FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
		" WHERE f.patient_id = ? ORDER BY f.id", &s);

	if (!seen)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *def = json_loads(store_col_text(s, 8), 0, NULL);
		json_t *answers = json_loads(store_col_text(s, 2), 0, NULL);
		const char *code = store_col_text(s, 6);
		char url[160], key[24];

		questionnaire_url(code, url, sizeof url);
		snprintf(key, sizeof key, "%lld", (long long)store_col_int(s, 5));
		if (!def || !answers)
			rc = HAT_E_INTERNAL;
		/* Each instrument's Questionnaire once, before its first answer. */
		if (rc == HAT_OK && !json_object_get(seen, key)) {
			rc = fhir_add(sink, questionnaire(store_col_int(s, 5), code,
							     store_col_int(s, 7), def));
			if (rc == HAT_OK && json_object_set_new(seen, key, json_true()) != 0)
				rc = HAT_E_NOMEM;
		}
		if (rc == HAT_OK)
			rc = fhir_add(sink,
				      response(store_col_int(s, 0),
					       store_col_int(s, 4) ? "entered-in-error"
					       : store_col_int(s, 3) ? "amended" : "completed",
					       url, store_col_int(s, 7), pid,
					       (int32_t)store_col_int(s, 1), def, answers));
		json_decref(def);
		json_decref(answers);
	}
	store_done(s);
	json_decref(seen);
	return rc;
}

static json_t *flag(const char *prefix, int64_t id, const char *status, const char *category,
		    json_t *code, int64_t pid)
{
	static const struct { const char *code, *display; } cats[] = {
		{ "clinical", "Clinical" }, { "safety", "Safety" },
	};
	const char *display = strcmp(category, "safety") == 0 ? cats[1].display : cats[0].display;

	return json_pack("{s:s, s:o, s:s, s:[o], s:o, s:o}", "resourceType", "Flag", "id",
			 fhir_id(prefix, id), "status", status, "category",
			 fhir_concept(FHIR_FLAG_CATEGORY_SYSTEM, category, display), "code", code,
			 "subject", fhir_ref("Patient", pid));
}

/* Each adverse event that blocked dosing, active until the first review
** after it (then inactive, its period ending there). */
static enum hat_err blocking_events(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c,
		"SELECT a.id, a.kind, a.occurred_at, (SELECT min(r.at) FROM reviews r"
		"  WHERE r.patient_id = a.patient_id AND r.at >= a.occurred_at)"
		" FROM adverse_events a WHERE a.patient_id = ? AND a.blocks = 1 ORDER BY a.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		char text[160];
		bool lifted = !store_col_is_null(s, 3);
		json_t *code, *f, *period;

		snprintf(text, sizeof text, "Blocked until a prescriber's review: adverse event (%s)",
			 store_col_text(s, 1));
		code = fhir_concept(FHIR_LOCAL("flag"), "blocked-after-adverse-event", text);
		f = flag("ae", store_col_int(s, 0), lifted ? "inactive" : "active", "safety", code, pid);
		period = json_pack("{s:o}", "start", fhir_instant(store_col_int(s, 2)));
		if (period && lifted)
			json_object_set_new(period, "end", fhir_instant(store_col_int(s, 3)));
		if (f && period)
			json_object_set_new(f, "period", period);
		else
			json_decref(period);
		rc = fhir_add(sink, f);
	}
	store_done(s);
	return rc;
}

enum hat_err fhir_flags(struct store_conn *c, int64_t pid, int64_t now, struct fhir_sink *sink)
{
	json_t *pending = NULL;
	char alerts[2048] = "";
	enum hat_err rc;
	struct store_stmt *s = NULL;
	bool row = false;

	rc = store_prepare(c, "SELECT alerts FROM patients WHERE id = ?", &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		str_copy(alerts, sizeof alerts, store_col_text(s, 0));
	store_done(s);
	if (rc == HAT_OK && *alerts)
		rc = fhir_add(sink, flag("alerts", pid, "active", "clinical",
					    json_pack("{s:s}", "text", alerts), pid));
	if (rc == HAT_OK)
		rc = blocking_events(c, pid, sink);
	/* The block in force now, whatever its cause (adverse event, missed
	** days, a review that reduced the dose): what the dosing room sees. */
	if (rc == HAT_OK)
		rc = board_review_pending(c, pid, now, &pending);
	if (rc == HAT_OK && json_is_object(pending))
		rc = fhir_add(sink,
			      flag("block", pid, "active", "safety",
				   fhir_concept(FHIR_LOCAL("flag"),
						json_string_value(json_object_get(pending, "reason")),
						json_string_value(json_object_get(pending, "message"))),
				   pid));
	json_decref(pending);
	return rc;
}

enum hat_err fhir_goals(struct store_conn *c, int64_t pid, struct fhir_sink *sink)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c,
		"SELECT g.id, g.domain, g.own_domain, g.text, g.target_date, g.local_date,"
		" (SELECT e.kind FROM goal_events e WHERE e.goal_id = g.id"
		"  ORDER BY e.at DESC, e.id DESC LIMIT 1)"
		" FROM goals g WHERE g.patient_id = ? ORDER BY g.id", &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "i", pid);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		const char *life, *ach;
		const char *domain = *store_col_text(s, 2) ? store_col_text(s, 2) : store_col_text(s, 1);
		json_t *g;

		if (!fhir_goal_status(store_col_is_null(s, 6) ? NULL : store_col_text(s, 6), &life,
				      &ach)) {
			rc = HAT_E_INTERNAL;
			break;
		}
		g = json_pack("{s:s, s:o, s:s, s:o, s:[{s:s}], s:{s:s}, s:o, s:o}", "resourceType",
			      "Goal", "id", fhir_id(NULL, store_col_int(s, 0)), "lifecycleStatus", life,
			      "achievementStatus", fhir_concept(FHIR_GOAL_ACHIEVEMENT_SYSTEM, ach, NULL),
			      "category", "text", domain, "description", "text", store_col_text(s, 3),
			      "subject", fhir_ref("Patient", pid), "startDate",
			      fhir_date((int32_t)store_col_int(s, 5)));
		if (g && !store_col_is_null(s, 4))
			json_object_set_new(g, "target", json_pack("[{s:o}]", "dueDate",
								   fhir_date((int32_t)store_col_int(s, 4))));
		rc = fhir_add(sink, g);
	}
	store_done(s);
	return rc;
}
