/*
** flex_report.c: the schedule's burden, measured (see flex.h): hours a week
** each person spends travelling to and attending sessions, the sessions
** they used each kind of flexibility for, and attendance, retention and
** street-heroin screens for those who used flexibility against those who
** did not, for a service to show its regulators and commissioners.
**
** Time at the clinic is measured from each visit's check-in to its leaving;
** with no such visit in the period the clinic's observation time stands in
** (visit_time_measured false).  Travel time is what was recorded for the
** person, one way; unrecorded, it counts as 0 (travel_recorded false).
** Attendance is board_attendance's, so planned absences are excused there,
** and the planned-absence sessions are the ones it excused.
** The group comparison suppresses small numbers as the evaluation report
** does (core/evaluation).
*/
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "core/evaluation.h"
#include "flex.h"
#include "settings.h"

static const char sql_people[] =
	"SELECT DISTINCT p.id FROM patients p JOIN episodes e ON e.patient_id = p.id"
	" WHERE p.premises_id = ?1 AND e.start_date IS NOT NULL AND e.start_date <= ?3"
	" AND (e.discharge_date IS NULL OR e.discharge_date >= ?2) ORDER BY p.id";

/* Per person: each a one-integer query with (patient, from, to). */
static const char sql_attended[] =
	"SELECT count(*) FROM (SELECT DISTINCT local_date, window_no FROM administrations"
	" WHERE patient_id = ?1 AND kind = 'injection' AND local_date BETWEEN ?2 AND ?3)";
static const char sql_visit_s[] =
	"SELECT CAST(avg(l.at - c.at) AS INTEGER) FROM visit_events c JOIN visit_events l"
	" ON l.patient_id = c.patient_id AND l.local_date = c.local_date"
	" AND l.window_no = c.window_no AND l.kind = 'left' AND l.at >= c.at"
	" WHERE c.kind = 'check_in' AND c.patient_id = ?1 AND c.local_date BETWEEN ?2 AND ?3"
	" HAVING count(*) > 0";
static const char sql_supervised[] =
	"SELECT count(*) FROM oral_cover_events e JOIN oral_covers o ON o.id = e.cover_id"
	" WHERE o.patient_id = ?1 AND e.kind = 'supervised' AND e.first_date BETWEEN ?2 AND ?3";
static const char sql_take_home[] =
	"SELECT coalesce(sum(e.days), 0) FROM oral_cover_events e JOIN oral_covers o"
	" ON o.id = e.cover_id WHERE o.patient_id = ?1 AND e.kind = 'take_home'"
	" AND e.first_date BETWEEN ?2 AND ?3";
static const char sql_changes[] =
	"SELECT count(*) FROM session_changes s WHERE s.patient_id = ?1 AND s.cancels_id IS NULL"
	" AND s.date BETWEEN ?2 AND ?3 AND NOT EXISTS"
	" (SELECT 1 FROM session_changes x WHERE x.cancels_id = s.id)";
static const char sql_retained[] =
	"SELECT count(*) FROM episodes WHERE patient_id = ?1 AND start_date <= ?3"
	" AND (discharge_date IS NULL OR discharge_date > ?3) AND ?2 = ?2";
static const char sql_screens[] =
	"SELECT count(*) FROM drug_screens d WHERE d.patient_id = ?1"
	" AND d.local_date BETWEEN ?2 AND ?3"
	" AND NOT EXISTS (SELECT 1 FROM drug_screen_errors x WHERE x.screen_id = d.id)";
static const char sql_heroin[] =
	"SELECT count(*) FROM drug_screens d WHERE d.patient_id = ?1"
	" AND d.local_date BETWEEN ?2 AND ?3 AND d.street_heroin = 'evidence'"
	" AND NOT EXISTS (SELECT 1 FROM drug_screen_errors x WHERE x.screen_id = d.id)";

static enum hat_err count(struct store_conn *c, const char *sql, int64_t pid, int32_t from,
			  int32_t to, int64_t *out, bool *found)
{
	bool f = false;
	enum hat_err rc = store_query_int(c, sql, &f, out, "iii", pid, (int64_t)from, (int64_t)to);

	if (rc == HAT_OK && !f)
		*out = 0;
	if (found)
		*found = f;
	return rc;
}

/* Sessions attended in windows the person chose: preferred windows, or
** windows open by choice only. */
static enum hat_err chosen_sessions(struct store_conn *c, const struct flex_settings *f,
				    int64_t pid, int32_t from, int32_t to, unsigned preferred,
				    int64_t *out)
{
	static const char sql[] =
		"SELECT DISTINCT local_date, window_no FROM administrations WHERE patient_id = ?1"
		" AND kind = 'injection' AND local_date BETWEEN ?2 AND ?3";
	struct store_stmt *st = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, sql, &st);

	*out = 0;
	if (rc == HAT_OK)
		rc = store_bindf(st, "iii", pid, (int64_t)from, (int64_t)to);
	while (rc == HAT_OK) {
		int64_t w;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		w = store_col_int(st, 1);
		if (w >= 0 && w < SETTINGS_MAX_WINDOWS &&
		    (f->windows[w].choice_only || (preferred & (1u << w))))
			(*out)++;
	}
	store_done(st);
	return rc;
}

struct group {
	int64_t people, due, attended, retained, screened, heroin;
	double hours;
};

static json_t *group_json(const struct group *g)
{
	bool few = eval_rate_suppressed(g->people);

	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b}", "people",
			 eval_suppressed(g->people) ? json_string("<5") : json_integer(g->people),
			 "attendance_rate",
			 few || g->due == 0 ? json_null()
					    : json_real((double)g->attended / (double)g->due),
			 "retained_rate",
			 few ? json_null() : json_real((double)g->retained / (double)g->people),
			 "street_heroin_screen_rate",
			 few || eval_rate_suppressed(g->screened)
				 ? json_null()
				 : json_real((double)g->heroin / (double)g->screened),
			 "hours_per_week_mean",
			 few ? json_null() : json_real(g->hours / (double)g->people), "suppressed",
			 few);
}

enum hat_err flex_report(struct store_conn *c, int64_t premises_id, int32_t from, int32_t to,
			 int64_t now, json_t **out)
{
	struct clinic_settings s;
	struct flex_settings f;
	struct group used = { 0 }, not_used = { 0 };
	int64_t version;
	json_t *people = NULL, *rows = json_array();
	size_t i;
	json_t *p;
	char a[11], b[11];
	enum hat_err rc = rows ? clinic_settings_load(c, premises_id, &s, &version) : HAT_E_NOMEM;

	if (rc == HAT_OK)
		rc = flex_settings_load(c, premises_id, &s, &f, &version);
	if (rc == HAT_OK && to < from)
		rc = HAT_E_DATE_ORDER;
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_people, &people, "iii", premises_id, (int64_t)from,
				      (int64_t)to);
	json_array_foreach(people, i, p) {
		int64_t pid = json_integer_value(json_object_get(p, "id"));
		int64_t attended = 0, visit_s = 0, supervised = 0, take_home = 0, changes = 0;
		int64_t retained = 0, screens = 0, heroin = 0, absent = 0, chosen = 0, travel = -1;
		int64_t pref = 0, due = 0, att_attended = 0;
		bool measured = false, has_pref = false, flexible;
		json_t *att = NULL, *row;
		double visit_min, hours;
		struct group *g;

		if (rc != HAT_OK)
			break;
		rc = count(c, sql_attended, pid, from, to, &attended, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_visit_s, pid, from, to, &visit_s, &measured);
		if (rc == HAT_OK)
			rc = count(c, sql_supervised, pid, from, to, &supervised, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_take_home, pid, from, to, &take_home, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_changes, pid, from, to, &changes, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_retained, pid, from, to, &retained, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_screens, pid, from, to, &screens, NULL);
		if (rc == HAT_OK)
			rc = count(c, sql_heroin, pid, from, to, &heroin, NULL);
		if (rc == HAT_OK)
			rc = store_query_int(c, "SELECT windows FROM session_preferences"
					       " WHERE patient_id = ? ORDER BY id DESC LIMIT 1",
					     &has_pref, &pref, "i", pid);
		if (rc == HAT_OK)
			rc = store_query_int(c, "SELECT coalesce(travel_min, -1) FROM"
					       " session_preferences WHERE patient_id = ?"
					       " ORDER BY id DESC LIMIT 1", &has_pref, &travel, "i",
					     pid);
		if (rc == HAT_OK && !has_pref) {
			travel = -1;
			pref = 0;
		}
		if (rc == HAT_OK)
			rc = chosen_sessions(c, &f, pid, from, to, (unsigned)pref, &chosen);
		if (rc == HAT_OK)
			rc = board_attendance(c, premises_id, pid, from, to, now, &att);
		if (rc != HAT_OK) {
			json_decref(att);
			break;
		}
		{
			json_t *me = json_array_get(json_object_get(att, "patients"), 0);

			due = json_integer_value(json_object_get(me, "sessions_due"));
			att_attended = json_integer_value(json_object_get(me, "sessions_attended"));
			/* The sessions a planned absence excused, as attendance counts them. */
			absent = json_integer_value(json_object_get(me, "sessions_planned_absent"));
		}
		json_decref(att);
		visit_min = measured ? (double)visit_s / 60.0 : (double)s.observation_s / 60.0;
		hours = flex_hours_per_week(attended, to - from + 1, travel < 0 ? 0 : (int32_t)travel,
					    visit_min);
		flexible = absent + supervised + take_home + changes + chosen > 0;
		g = flexible ? &used : &not_used;
		g->people++;
		g->due += due;
		g->attended += att_attended;
		g->retained += retained > 0;
		g->screened += screens > 0;
		g->heroin += heroin > 0;
		g->hours += hours;
		row = json_pack("{s:I, s:o, s:b, s:I, s:f, s:b, s:f, s:o, s:{s:I, s:I, s:I, s:I, s:I},"
				" s:b, s:b}",
				"patient_id", (json_int_t)pid, "travel_min",
				travel < 0 ? json_null() : json_integer(travel), "travel_recorded",
				travel >= 0, "sessions_attended", (json_int_t)attended,
				"visit_min", visit_min, "visit_time_measured", measured,
				"hours_per_week", hours, "attendance_rate",
				due ? json_real((double)att_attended / (double)due) : json_null(),
				"flexibility", "planned_absence_sessions", (json_int_t)absent,
				"oral_cover_supervised", (json_int_t)supervised,
				"oral_cover_take_home_days", (json_int_t)take_home,
				"chosen_window_sessions", (json_int_t)chosen, "session_changes",
				(json_int_t)changes, "used_flexibility", flexible, "retained",
				retained > 0);
		if (!row || json_array_append_new(rows, row) != 0)
			rc = HAT_E_NOMEM;
	}
	json_decref(people);
	if (rc != HAT_OK) {
		json_decref(rows);
		return rc;
	}
	clock_format_date(from, a);
	clock_format_date(to, b);
	*out = json_pack("{s:I, s:s, s:s, s:o, s:{s:o, s:o}}", "premises_id",
			 (json_int_t)premises_id, "from", a, "to", b, "people", rows, "compared",
			 "used_flexibility", group_json(&used), "did_not_use", group_json(&not_used));
	return *out ? HAT_OK : HAT_E_NOMEM;
}
