/*
** absences.c: planned absences and the oral cover a prescriber gives for
** them (see flex.h); the rules are core/flex.c's.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flex.h"
#include "settings.h"

static const char *const reason_choices[] = {
	"work", "family", "health_appointment", "court", "holiday", "other", NULL,
};
static const char *const drug_choices[] = { "methadone_oral", "srom", NULL };
static const char *const mode_choices[] = { "supervised", "take_home", NULL };

static const struct field record_fields[] = {
	{ "from_date", FT_DATE, true, 0, 0, NULL, false },
	{ "to_date", FT_DATE, true, 0, 0, NULL, false },
	{ "sessions", FT_ARRAY, false, 0, 0, NULL, false },
	{ "reason", FT_ENUM, true, 0, 0, reason_choices, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static const struct field cancel_fields[] = {
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static const struct field cover_fields[] = {
	{ "drug", FT_ENUM, true, 0, 0, drug_choices, false },
	{ "daily_dose_mg", FT_MG, true, 0, 5000, NULL, false },
	{ "mode", FT_ENUM, true, 0, 0, mode_choices, false },
	{ "from_date", FT_DATE, false, 0, 0, NULL, false },
	{ "to_date", FT_DATE, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

/* An absence still in force: recorded, not a cancellation, not cancelled. */
#define ABSENCE_ACTIVE \
	" a.cancels_id IS NULL AND NOT EXISTS" \
	" (SELECT 1 FROM planned_absences x WHERE x.cancels_id = a.id)"

static const char sql_absence_json[] =
	"SELECT a.id, a.patient_id, a.premises_id, a.from_date, a.to_date, a.windows,"
	" a.reason, a.notes, a.recorded_by, u.display_name AS recorded_by_name, a.at AS recorded_at,"
	" (SELECT x.at FROM planned_absences x WHERE x.cancels_id = a.id) AS cancelled_at"
	" FROM planned_absences a JOIN users u ON u.id = a.recorded_by WHERE a.id = ?";

/* The patient's premises, refusing one with no active episode. */
static enum hat_err patient_premises(struct store_conn *conn, struct cmd *c, int64_t patient,
				     int64_t *premises)
{
	bool found;
	int64_t active = 0;
	enum hat_err rc = store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, premises, "i", patient);

	if (rc == HAT_OK && !found)
		return HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT count(*) FROM episodes WHERE patient_id = ?"
					   " AND status = 'active'", &found, &active, "i", patient);
	if (rc == HAT_OK && active == 0)
		return cmd_refuse(c, HAT_E_NO_ACTIVE_EPISODE, NULL, NULL);
	return rc;
}

/* The absence as JSON, windows by name (new reference in *out). */
static enum hat_err absence_json(struct store_conn *conn, const struct clinic_settings *s,
				 int64_t id, json_t **out)
{
	enum hat_err rc = store_query_row_json(conn, sql_absence_json, out, "i", id);
	unsigned bits;

	if (rc != HAT_OK)
		return rc;
	bits = (unsigned)json_integer_value(json_object_get(*out, "windows"));
	if (json_object_set_new(*out, "sessions", flex_windows_names(s, bits)) != 0 ||
	    json_object_set_new(*out, "status", json_string(json_is_null(json_object_get(
								 *out, "cancelled_at"))
								 ? "planned"
								 : "cancelled")) != 0) {
		json_decref(*out);
		*out = NULL;
		return HAT_E_NOMEM;
	}
	return HAT_OK;
}

/* The patient's absences in force that end on or after today. */
static enum hat_err active_absences(struct store_conn *conn, int64_t patient, int32_t today,
				    struct flex_absence **out, size_t *n)
{
	static const char sql[] =
		"SELECT a.id, a.from_date, a.to_date, a.windows FROM planned_absences a"
		" WHERE a.patient_id = ? AND a.to_date >= ? AND" ABSENCE_ACTIVE " ORDER BY a.id";
	struct flex_absence *list = NULL;
	size_t cap = 0;
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	*n = 0;
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", patient, (int64_t)today);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (*n == cap) {
			size_t more = cap ? cap * 2 : 8;
			struct flex_absence *p = realloc(list, more * sizeof *list);

			if (!p) {
				rc = HAT_E_NOMEM;
				break;
			}
			list = p;
			cap = more;
		}
		list[*n].id = store_col_int(s, 0);
		list[*n].from_date = (int32_t)store_col_int(s, 1);
		list[*n].to_date = (int32_t)store_col_int(s, 2);
		list[*n].windows = (unsigned)store_col_int(s, 3);
		(*n)++;
	}
	store_done(s);
	if (rc != HAT_OK) {
		free(list);
		list = NULL;
		*n = 0;
	}
	*out = list;
	return rc;
}

static enum hat_err run_record(struct store_conn *conn, struct cmd *c)
{
	struct clinic_settings s;
	struct flex_settings f;
	struct flex_absence a = { 0 }, *existing = NULL;
	struct clock_local l;
	size_t n = 0;
	int64_t premises, version, id;
	json_t *row = NULL;
	enum hat_err rc = patient_premises(conn, c, c->target_id, &premises);

	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, premises, &s, &version);
	if (rc == HAT_OK)
		rc = flex_settings_load(conn, premises, &s, &f, &version);
	if (rc != HAT_OK)
		return rc;
	a.from_date = fields_date(c->input, "from_date", 0);
	a.to_date = fields_date(c->input, "to_date", 0);
	if (fields_has(c->input, "sessions")) {
		rc = flex_windows_from_names(&s, json_object_get(c->input, "sessions"), &a.windows);
		if (rc != HAT_OK)
			return cmd_refuse(c, rc, "sessions",
					  "Name the sessions by the clinic's window names.");
		if (a.windows == 0)
			return cmd_refuse(c, HAT_E_INVALID_VALUE, "sessions",
					  "Name at least one session, or leave sessions out for"
					  " every session.");
		/* Every window named is every session. */
		if (a.windows == (1u << s.window_count) - 1u)
			a.windows = 0;
	}
	clock_to_local(c->now, &l);
	rc = active_absences(conn, c->target_id, l.date, &existing, &n);
	if (rc != HAT_OK)
		return rc;
	rc = flex_check_absence(&f, &s, &a, existing, n, l.date, l.minute_of_day);
	free(existing);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc,
				  rc == HAT_E_INVALID_VALUE ? "sessions"
				  : rc == HAT_E_FLEX_DISABLED || rc == HAT_E_ALREADY_PLANNED
					  ? NULL
					  : "from_date",
				  NULL);
	rc = store_run(conn,
		       "INSERT INTO planned_absences (patient_id, premises_id, from_date, to_date,"
		       " windows, reason, notes, recorded_by, at, local_date)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiiittiii", c->target_id, premises, (int64_t)a.from_date,
		       (int64_t)a.to_date, (int64_t)a.windows, fields_str(c->input, "reason", ""),
		       fields_str(c->input, "notes", ""), c->actor_id, c->now, (int64_t)l.date);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = absence_json(conn, &s, id, &row);
	if (rc != HAT_OK) {
		json_decref(row);
		return rc;
	}
	return cmd_audit_answer(conn, c, "planned_absence", id, row, 201);
}

static enum hat_err run_cancel(struct store_conn *conn, struct cmd *c)
{
	static const char sql[] =
		"SELECT patient_id, premises_id, from_date, windows, cancels_id IS NOT NULL,"
		" EXISTS (SELECT 1 FROM planned_absences x WHERE x.cancels_id = a.id)"
		" FROM planned_absences a WHERE id = ?";
	struct clinic_settings s;
	struct clock_local l;
	struct store_stmt *st = NULL;
	int64_t patient = 0, premises = 0, version, id;
	int32_t from = 0;
	unsigned windows = 0;
	bool row = false, is_cancel = false, cancelled = false;
	json_t *out = NULL;
	enum hat_err rc = store_prepare(conn, sql, &st);

	if (rc == HAT_OK)
		rc = store_bind_int(st, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK && row) {
		patient = store_col_int(st, 0);
		premises = store_col_int(st, 1);
		from = (int32_t)store_col_int(st, 2);
		windows = (unsigned)store_col_int(st, 3);
		is_cancel = store_col_int(st, 4) != 0;
		cancelled = store_col_int(st, 5) != 0;
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	if (!row || is_cancel)
		return HAT_E_NOT_FOUND;
	if (cancelled)
		return cmd_refuse(c, HAT_E_ABSENCE_CANCELLED, NULL, NULL);
	rc = clinic_settings_load(conn, premises, &s, &version);
	if (rc != HAT_OK)
		return rc;
	clock_to_local(c->now, &l);
	/* Once it has begun it is history: coming back early is attending,
	** which attendance counts whatever was planned. */
	{
		struct flex_settings f;
		struct flex_absence a = { 0, from, from, windows };

		flex_settings_default(&f);
		if (flex_check_absence(&f, &s, &a, NULL, 0, l.date, l.minute_of_day) ==
		    HAT_E_NOT_IN_ADVANCE)
			return cmd_refuse(c, HAT_E_NOT_IN_ADVANCE, NULL,
					  "This absence has begun: it can no longer be cancelled.");
	}
	rc = store_run(conn,
		       "INSERT INTO planned_absences (patient_id, premises_id, from_date, to_date,"
		       " windows, reason, notes, cancels_id, recorded_by, at, local_date)"
		       " SELECT patient_id, premises_id, from_date, to_date, windows, reason, ?, id,"
		       " ?, ?, ? FROM planned_absences WHERE id = ?",
		       "tiiii", fields_str(c->input, "notes", ""), c->actor_id, c->now,
		       (int64_t)l.date, c->target_id);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = absence_json(conn, &s, c->target_id, &out);
	if (rc == HAT_OK)
		json_object_set_new(out, "cancellation_id", json_integer(id));
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "planned_absence", c->target_id, out);
	(void)patient;
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	cmd_answer(c, 200, out);
	return HAT_OK;
}

/* ---- Oral cover ------------------------------------------------------------ */

static enum hat_err run_cover(struct store_conn *conn, struct cmd *c)
{
	static const char sql[] =
		"SELECT a.patient_id, a.premises_id, a.from_date, a.to_date, a.windows,"
		" a.cancels_id IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM planned_absences x WHERE x.cancels_id = a.id),"
		" (SELECT count(*) FROM oral_covers o WHERE o.absence_id = a.id)"
		" FROM planned_absences a WHERE a.id = ?";
	struct clinic_settings s;
	struct flex_settings f;
	struct flex_absence a = { 0 };
	struct flex_cover cv = { 0 };
	struct clock_local l;
	struct store_stmt *st = NULL;
	int64_t patient = 0, premises = 0, covers = 0, version, id, active = 0;
	bool row = false, in_force = false;
	json_t *out = NULL;
	enum hat_err rc = store_prepare(conn, sql, &st);

	if (rc == HAT_OK)
		rc = store_bind_int(st, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(st, &row);
	if (rc == HAT_OK && row) {
		patient = store_col_int(st, 0);
		premises = store_col_int(st, 1);
		a.id = c->target_id;
		a.from_date = (int32_t)store_col_int(st, 2);
		a.to_date = (int32_t)store_col_int(st, 3);
		a.windows = (unsigned)store_col_int(st, 4);
		in_force = store_col_int(st, 5) != 0;
		covers = store_col_int(st, 6);
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return HAT_E_NOT_FOUND;
	if (!in_force)
		return cmd_refuse(c, HAT_E_ABSENCE_CANCELLED, NULL, NULL);
	if (covers > 0)
		return cmd_refuse(c, HAT_E_ALREADY_PLANNED, NULL,
				  "This absence already has oral cover.");
	rc = patient_premises(conn, c, patient, &active);
	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, premises, &s, &version);
	if (rc == HAT_OK)
		rc = flex_settings_load(conn, premises, &s, &f, &version);
	if (rc != HAT_OK)
		return rc;
	dosing_drug_parse(fields_str(c->input, "drug", ""), &cv.drug);
	flex_cover_mode_parse(fields_str(c->input, "mode", ""), &cv.mode);
	cv.daily_dose_ug = fields_ug(c->input, "daily_dose_mg", 0);
	cv.from_date = fields_date(c->input, "from_date", a.from_date);
	cv.to_date = fields_date(c->input, "to_date", a.to_date);
	clock_to_local(c->now, &l);
	rc = flex_check_cover(&f, &s, &cv, &a, l.date);
	if (rc != HAT_OK) {
		const char *field = rc == HAT_E_OUT_OF_RANGE || rc == HAT_E_DOSE_OVER_CEILING
					    ? "daily_dose_mg"
					    : rc == HAT_E_TAKE_HOME_NOT_ALLOWED ? "mode"
					    : rc == HAT_E_FLEX_DISABLED	 ? NULL
					    : rc == HAT_E_INVALID_VALUE	 ? "drug"
									 : "to_date";
		return cmd_refuse(c, rc, field, NULL);
	}
	rc = store_run(conn,
		       "INSERT INTO oral_covers (absence_id, patient_id, premises_id, drug,"
		       " daily_dose_ug, mode, from_date, to_date, notes, prescriber_id, at,"
		       " local_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiititiitiii", c->target_id, patient, premises, dosing_drug_name(cv.drug),
		       cv.daily_dose_ug, flex_cover_mode_name(cv.mode), (int64_t)cv.from_date,
		       (int64_t)cv.to_date, fields_str(c->input, "notes", ""), c->actor_id, c->now,
		       (int64_t)l.date);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = store_query_row_json(conn,
				  "SELECT o.id, o.absence_id, o.patient_id, o.drug, o.daily_dose_ug,"
				  " o.mode, o.from_date, o.to_date, o.notes, o.prescriber_id,"
				  " u.display_name AS prescriber, o.at AS prescribed_at"
				  " FROM oral_covers o JOIN users u ON u.id = o.prescriber_id"
				  " WHERE o.id = ?", &out, "i", id);
	if (rc != HAT_OK) {
		json_decref(out);
		return rc;
	}
	return cmd_audit_answer(conn, c, "oral_cover", id, out, 201);
}

/* ---- Reads ------------------------------------------------------------------ */

enum hat_err flex_patient_read(struct store_conn *c, int64_t patient_id, json_t **out)
{
	static const char sql_ids[] =
		"SELECT a.id FROM planned_absences a WHERE a.patient_id = ? AND a.cancels_id IS NULL"
		" ORDER BY a.from_date DESC, a.id DESC LIMIT 200";
	static const char sql_covers[] =
		"SELECT o.id, o.drug, o.daily_dose_ug, o.mode, o.from_date, o.to_date, o.notes,"
		" u.display_name AS prescriber, o.at AS prescribed_at,"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'supervised'), 0) AS supervised_ug,"
		" (SELECT max(e.first_date) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'supervised') AS last_supervised_date,"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'take_home'), 0) AS supplied_ug,"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'return'), 0) AS returned_ug"
		" FROM oral_covers o JOIN users u ON u.id = o.prescriber_id WHERE o.absence_id = ?"
		" ORDER BY o.id";
	struct clinic_settings s;
	int64_t premises, version;
	bool found;
	json_t *ids = NULL, *list = json_array(), *prefs = NULL, *changes = NULL;
	size_t i;
	json_t *v;
	enum hat_err rc = store_query_int(c, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, &premises, "i", patient_id);

	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK && !list)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK)
		rc = clinic_settings_load(c, premises, &s, &version);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_ids, &ids, "i", patient_id);
	json_array_foreach(ids, i, v) {
		json_t *a = NULL, *covers = NULL;

		if (rc != HAT_OK)
			break;
		rc = absence_json(c, &s, json_integer_value(json_object_get(v, "id")), &a);
		if (rc == HAT_OK)
			rc = store_query_json(c, sql_covers, &covers, "i",
					      json_integer_value(json_object_get(v, "id")));
		if (rc == HAT_OK && (json_object_set_new(a, "oral_cover", covers) != 0 ||
				     json_array_append_new(list, a) != 0))
			rc = HAT_E_NOMEM;
		else if (rc != HAT_OK)
			json_decref(a);
	}
	json_decref(ids);
	if (rc == HAT_OK)
		rc = store_query_json(c,
				      "SELECT p.windows, p.travel_min, p.at AS set_at FROM"
				      " session_preferences p WHERE p.patient_id = ?"
				      " ORDER BY p.id DESC LIMIT 1", &prefs, "i", patient_id);
	if (rc == HAT_OK)
		rc = store_query_json(c,
				      "SELECT s.id, s.date AS change_date, s.from_window, s.to_window,"
				      " s.reason, s.at AS set_at FROM session_changes s"
				      " WHERE s.patient_id = ? AND s.cancels_id IS NULL AND NOT EXISTS"
				      " (SELECT 1 FROM session_changes x WHERE x.cancels_id = s.id)"
				      " ORDER BY s.date DESC, s.id DESC LIMIT 100", &changes, "i",
				      patient_id);
	if (rc == HAT_OK) {
		json_t *p = json_array_get(prefs, 0);
		json_t *pj;
		json_t *ch;
		unsigned pw = p ? (unsigned)json_integer_value(json_object_get(p, "windows")) : 0;

		/* No preference is no window named (not "all"). */
		pj = json_pack("{s:o, s:O}", "windows",
			       pw ? flex_windows_names(&s, pw) : json_array(),
			       "travel_min",
			       p ? json_object_get(p, "travel_min") : json_null());
		json_array_foreach(changes, i, ch) {
			int64_t fw = json_integer_value(json_object_get(ch, "from_window"));
			int64_t tw = json_integer_value(json_object_get(ch, "to_window"));

			json_object_set_new(ch, "from", json_string(fw >= 0 && fw < s.window_count
									    ? s.windows[fw].name
									    : ""));
			json_object_set_new(ch, "to", json_string(tw >= 0 && tw < s.window_count
									  ? s.windows[tw].name
									  : ""));
		}
		*out = json_pack("{s:I, s:O, s:o, s:O}", "patient_id", (json_int_t)patient_id,
				 "absences", list, "preference", pj, "session_changes", changes);
		if (!*out)
			rc = HAT_E_NOMEM;
	}
	json_decref(list);
	json_decref(prefs);
	json_decref(changes);
	return rc;
}

const struct cmd_def flex_absence_record = {
	"absence.record", record_fields, POLICY_RULE(ABSENCE_RECORD), run_record, NULL,
};
const struct cmd_def flex_absence_cancel = {
	"absence.cancel", cancel_fields, POLICY_RULE(ABSENCE_RECORD), run_cancel, NULL,
};
const struct cmd_def flex_cover_prescribe = {
	"cover.prescribe", cover_fields, POLICY_RULE(COVER_PRESCRIBE), run_cover, NULL,
};
