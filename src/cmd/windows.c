/*
** windows.c: session choice (see flex.h): a person's preferred windows and
** travel time, and a changed session for one day.
*/
#include <string.h>

#include "flex.h"
#include "settings.h"

static const struct field preference_fields[] = {
	{ "windows", FT_ARRAY, false, 0, 0, NULL, false },
	{ "travel_min", FT_INT, false, 0, 600, NULL, true },
	FIELDS_END,
};

static const struct field change_fields[] = {
	{ "date", FT_DATE, true, 0, 0, NULL, false },
	{ "from_window", FT_STRING, true, 1, SETTINGS_NAME_MAX - 1, NULL, false },
	{ "to_window", FT_STRING, true, 1, SETTINGS_NAME_MAX - 1, NULL, false },
	{ "reason", FT_STRING, false, 0, 500, NULL, false },
	FIELDS_END,
};

static const struct field change_cancel_fields[] = {
	{ "reason", FT_STRING, false, 0, 500, NULL, false },
	FIELDS_END,
};

static enum hat_err load_settings(struct store_conn *conn, int64_t patient, int64_t *premises,
				  struct clinic_settings *s, struct flex_settings *f)
{
	bool found;
	int64_t version;
	enum hat_err rc = store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, premises, "i", patient);

	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, *premises, s, &version);
	if (rc == HAT_OK)
		rc = flex_settings_load(conn, *premises, s, f, &version);
	return rc;
}

static enum hat_err run_preference(struct store_conn *conn, struct cmd *c)
{
	static const char sql_last[] =
		"SELECT windows, coalesce(travel_min, -1) FROM session_preferences"
		" WHERE patient_id = ? ORDER BY id DESC LIMIT 1";
	struct clinic_settings s;
	struct flex_settings f;
	struct store_stmt *st = NULL;
	unsigned windows = 0;
	int64_t premises, travel = -1, id;
	bool row = false;
	json_t *out;
	enum hat_err rc = load_settings(conn, c->target_id, &premises, &s, &f);

	if (rc == HAT_OK)
		rc = store_prepare(conn, sql_last, &st);
	if (rc == HAT_OK)
		rc = store_bind_int(st, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK && row) {
		windows = (unsigned)store_col_int(st, 0);
		travel = store_col_int(st, 1);
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	/* Fields left out keep their value: travel time alone may be recorded
	** at a clinic without session choice. */
	if (fields_has(c->input, "windows")) {
		unsigned next;

		rc = flex_windows_from_names(&s, json_object_get(c->input, "windows"), &next);
		if (rc != HAT_OK)
			return cmd_refuse(c, rc, "windows",
					  "Name the windows by the clinic's window names.");
		if (next && !f.session_choice_enabled)
			return cmd_refuse(c, HAT_E_FLEX_DISABLED, "windows",
					  "This clinic does not take preferred session windows.");
		windows = next;
	}
	if (fields_has(c->input, "travel_min"))
		travel = json_is_null(json_object_get(c->input, "travel_min"))
				 ? -1
				 : fields_int(c->input, "travel_min", 0);
	rc = store_run(conn,
		       "INSERT INTO session_preferences (patient_id, windows, travel_min, set_by, at)"
		       " VALUES (?, ?, ?, ?, ?)",
		       "iiIii", c->target_id, (int64_t)windows, travel < 0 ? INT64_MIN : travel,
		       c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	out = json_pack("{s:I, s:I, s:o, s:o}", "id", (json_int_t)id, "patient_id",
			(json_int_t)c->target_id, "windows",
			windows ? flex_windows_names(&s, windows) : json_array(), "travel_min",
			travel < 0 ? json_null() : json_integer(travel));
	return cmd_audit_answer(conn, c, "session_preference", id, out, 201);
}

static enum hat_err run_change(struct store_conn *conn, struct cmd *c)
{
	static const char sql_existing[] =
		"SELECT s.date, s.from_window, s.to_window FROM session_changes s"
		" WHERE s.patient_id = ? AND s.date = ? AND s.cancels_id IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM session_changes x WHERE x.cancels_id = s.id) LIMIT 8";
	struct clinic_settings s;
	struct flex_settings f;
	struct flex_change ch, existing[8];
	struct clock_local l;
	struct store_stmt *st = NULL;
	size_t n = 0;
	bool row;
	int64_t premises, id;
	json_t *out;
	enum hat_err rc = load_settings(conn, c->target_id, &premises, &s, &f);

	if (rc != HAT_OK)
		return rc;
	ch.date = fields_date(c->input, "date", 0);
	ch.from_w = flex_window_index(&s, fields_str(c->input, "from_window", ""));
	ch.to_w = flex_window_index(&s, fields_str(c->input, "to_window", ""));
	if (ch.from_w < 0 || ch.to_w < 0)
		return cmd_refuse(c, HAT_E_INVALID_VALUE, ch.from_w < 0 ? "from_window" : "to_window",
				  "Name the windows by the clinic's window names.");
	rc = store_prepare(conn, sql_existing, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "ii", c->target_id, (int64_t)ch.date);
	while (rc == HAT_OK && n < 8) {
		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		existing[n].date = (int32_t)store_col_int(st, 0);
		existing[n].from_w = (int32_t)store_col_int(st, 1);
		existing[n].to_w = (int32_t)store_col_int(st, 2);
		n++;
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	clock_to_local(c->now, &l);
	rc = flex_check_change(&f, &s, &ch, existing, n, l.date, l.minute_of_day);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc,
				  rc == HAT_E_NOT_IN_ADVANCE ? "date"
				  : rc == HAT_E_OUTSIDE_WINDOW || rc == HAT_E_INVALID_VALUE
					  ? "to_window"
					  : NULL,
				  NULL);
	rc = store_run(conn,
		       "INSERT INTO session_changes (patient_id, date, from_window, to_window, reason,"
		       " set_by, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "iiiitii", c->target_id, (int64_t)ch.date, (int64_t)ch.from_w,
		       (int64_t)ch.to_w, fields_str(c->input, "reason", ""), c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	out = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)id, "patient_id",
			(json_int_t)c->target_id, "date", fields_str(c->input, "date", ""), "from",
			s.windows[ch.from_w].name, "to", s.windows[ch.to_w].name, "reason",
			fields_str(c->input, "reason", ""));
	return cmd_audit_answer(conn, c, "session_change", id, out, 201);
}

static enum hat_err run_change_cancel(struct store_conn *conn, struct cmd *c)
{
	static const char sql[] =
		"SELECT patient_id, date, from_window, to_window, cancels_id IS NOT NULL,"
		" EXISTS (SELECT 1 FROM session_changes x WHERE x.cancels_id = s.id)"
		" FROM session_changes s WHERE id = ?";
	struct clinic_settings s;
	struct flex_settings f;
	struct flex_change ch = { 0, 0, 0 };
	struct clock_local l;
	struct store_stmt *st = NULL;
	int64_t patient = 0, premises, id;
	bool row = false, is_cancel = false, cancelled = false;
	json_t *out;
	enum hat_err rc = store_prepare(conn, sql, &st);

	if (rc == HAT_OK)
		rc = store_bind_int(st, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK && row) {
		patient = store_col_int(st, 0);
		ch.date = (int32_t)store_col_int(st, 1);
		ch.from_w = (int32_t)store_col_int(st, 2);
		ch.to_w = (int32_t)store_col_int(st, 3);
		is_cancel = store_col_int(st, 4) != 0;
		cancelled = store_col_int(st, 5) != 0;
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	if (!row || is_cancel)
		return HAT_E_NOT_FOUND;
	if (cancelled)
		return cmd_refuse(c, HAT_E_ALREADY_PLANNED, NULL, "This change was already cancelled.");
	rc = load_settings(conn, patient, &premises, &s, &f);
	if (rc != HAT_OK)
		return rc;
	clock_to_local(c->now, &l);
	/* Undoing a change is itself a change, with the same timing rule. */
	if (ch.from_w < s.window_count && ch.to_w < s.window_count &&
	    flex_check_change(&f, &s, &ch, NULL, 0, l.date, l.minute_of_day) == HAT_E_NOT_IN_ADVANCE)
		return cmd_refuse(c, HAT_E_NOT_IN_ADVANCE, NULL, NULL);
	rc = store_run(conn,
		       "INSERT INTO session_changes (patient_id, date, from_window, to_window, reason,"
		       " cancels_id, set_by, at) SELECT patient_id, date, from_window, to_window, ?,"
		       " id, ?, ? FROM session_changes WHERE id = ?",
		       "tiii", fields_str(c->input, "reason", ""), c->actor_id, c->now, c->target_id);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	out = json_pack("{s:I, s:I, s:s}", "id", (json_int_t)c->target_id, "cancellation_id",
			(json_int_t)id, "status", "cancelled");
	return cmd_audit_answer(conn, c, "session_change", c->target_id, out, 200);
}

const struct cmd_def flex_preference_set = {
	"session.preference", preference_fields, POLICY_RULE(SESSION_CHOICE), run_preference, NULL,
};
const struct cmd_def flex_change_set = {
	"session.change", change_fields, POLICY_RULE(SESSION_CHOICE), run_change, NULL,
};
const struct cmd_def flex_change_cancel = {
	"session.change_cancel", change_cancel_fields, POLICY_RULE(SESSION_CHOICE),
	run_change_cancel, NULL,
};
