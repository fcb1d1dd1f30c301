/*
** goals.c: see goals.h.
*/
#include <string.h>

#include "auth/policy.h"
#include "core/goals.h"
#include "goals.h"
#include "service_users.h"

static const char *const domain_choices[] = {
	"substance_use", "physical_health", "psychological_health", "social",
	"housing", "work_education", "crime_justice", "own", NULL,
};
static const char *const kind_choices[] = { "review", "achieved", "let_go", "reopen", NULL };

static const struct field create_fields[] = {
	{ "domain", FT_ENUM, true, 0, 0, domain_choices, false },
	{ "own_domain", FT_STRING, false, 1, 80, NULL, false },
	{ "text", FT_STRING, true, 1, 500, NULL, false },
	{ "target_date", FT_DATE, false, 0, 0, NULL, true },
	FIELDS_END,
};

static const struct field event_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, kind_choices, false },
	{ "note", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_create(struct store_conn *conn, struct cmd *c)
{
	const char *domain = fields_str(c->input, "domain", "");
	bool self, found;
	int64_t n = 0;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM patients WHERE id = ?", &found,
					  &n, "i", c->target_id);

	if (rc == HAT_OK && n == 0)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = service_users_gate(conn, c, c->target_id, &self);
	if (rc != HAT_OK)
		return rc;
	if (!goals_domain_ok(domain))
		return cmd_refuse(c, HAT_E_INVALID_VALUE, "domain", NULL);
	if (strcmp(domain, "own") == 0 && !fields_has(c->input, "own_domain"))
		return cmd_refuse(c, HAT_E_MISSING_FIELD, "own_domain",
				  "Name the part of life this goal is about.");
	rc = store_run(conn, "INSERT INTO goals (patient_id, domain, own_domain, text, target_date,"
			     " set_by, by_self, set_at, local_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "itttIiiii", c->target_id, domain, fields_str(c->input, "own_domain", ""),
		       fields_str(c->input, "text", ""),
		       (int64_t)fields_date(c->input, "target_date", INT32_MIN) == INT32_MIN
			       ? INT64_MIN
			       : (int64_t)fields_date(c->input, "target_date", 0),
		       c->actor_id, (int64_t)self, c->now, (int64_t)clock_local_date(c->now));
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "goal_id", json_integer(store_last_id(conn)));
	json_object_set_new(d, "status", json_string("open"));
	json_object_set_new(d, "by_self", json_boolean(self));
	return cmd_audit_answer(conn, c, "goal", store_last_id(conn), d, 201);
}

/* Folds a goal's events into its status (through core, event by event). */
static enum hat_err goal_status(struct store_conn *conn, int64_t goal, enum goals_status *st)
{
	static const char sql[] = "SELECT kind FROM goal_events WHERE goal_id = ? ORDER BY id";
	struct store_stmt *s;
	enum goals_event ev;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	*st = GOALS_OPEN;
	if (rc == HAT_OK)
		rc = store_bindf(s, "i", goal);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		/* Stored events were allowed when written; replay them so. */
		if (goals_event_parse(store_col_text(s, 0), &ev))
			(void)goals_apply(*st, ev, st);
	}
	store_done(s);
	return rc;
}

static enum hat_err run_event(struct store_conn *conn, struct cmd *c)
{
	enum goals_status cur, next;
	enum goals_event ev;
	int64_t patient = 0;
	bool found, self;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT patient_id FROM goals WHERE id = ?", &found,
					  &patient, "i", c->target_id);

	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = service_users_gate(conn, c, patient, &self);
	if (rc == HAT_OK)
		rc = goal_status(conn, c->target_id, &cur);
	if (rc != HAT_OK)
		return rc;
	goals_event_parse(fields_str(c->input, "kind", ""), &ev);
	rc = goals_apply(cur, ev, &next);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "kind", NULL);
	rc = store_run(conn, "INSERT INTO goal_events (goal_id, kind, note, by_id, by_self, at, local_date)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "ittiiii", c->target_id, fields_str(c->input, "kind", ""),
		       fields_str(c->input, "note", ""), c->actor_id, (int64_t)self, c->now,
		       (int64_t)clock_local_date(c->now));
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "goal_id", json_integer(c->target_id));
	json_object_set_new(d, "event_id", json_integer(store_last_id(conn)));
	json_object_set_new(d, "status", json_string(goals_status_name(next)));
	json_object_set_new(d, "was", json_string(goals_status_name(cur)));
	return cmd_audit_answer(conn, c, "goal", c->target_id, d, 201);
}

const struct cmd_def goals_create = {
	"goal.create", create_fields, POLICY_RULE(GOAL_WRITE), run_create, NULL,
};
const struct cmd_def goals_event = {
	"goal.event", event_fields, POLICY_RULE(GOAL_WRITE), run_event, NULL,
};

enum hat_err goals_list(struct store_conn *c, int64_t patient_id, json_t **out)
{
	json_t *goals = NULL;
	json_t *events;
	size_t i;
	json_t *g;
	enum goals_status st;
	enum hat_err rc = store_query_json(c,
		"SELECT g.id, g.domain, g.own_domain, g.text, g.target_date, g.by_self, g.set_at,"
		" g.local_date AS set_on, (SELECT display_name FROM users u WHERE u.id = g.set_by) AS set_by"
		" FROM goals g WHERE g.patient_id = ? ORDER BY g.id DESC", &goals, "i", patient_id);

	json_array_foreach(goals, i, g) {
		int64_t id = json_integer_value(json_object_get(g, "id"));

		if (rc != HAT_OK)
			break;
		rc = store_query_json(c,
			"SELECT v.id, v.kind, v.note, v.by_self, v.at, v.local_date AS event_on,"
			" (SELECT display_name FROM users u WHERE u.id = v.by_id) AS by_name"
			" FROM goal_events v WHERE v.goal_id = ? ORDER BY v.id", &events, "i", id);
		if (rc == HAT_OK)
			rc = goal_status(c, id, &st);
		if (rc != HAT_OK)
			break;
		json_object_set_new(g, "events", events);
		json_object_set_new(g, "status", json_string(goals_status_name(st)));
		json_object_set_new(g, "by_self", json_boolean(json_integer_value(json_object_get(g, "by_self"))));
	}
	if (rc != HAT_OK) {
		json_decref(goals);
		return rc;
	}
	*out = goals;
	return HAT_OK;
}
