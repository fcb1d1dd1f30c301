/*
** summary.c: the end-of-session handover (see board.h).
*/
#include <string.h>

#include "board.h"
#include "settings.h"

/* Per register page: the ampoules the session's doses booked (their entries
** joined through the administrations of this window), against the page's
** own administration entries made in the window's hours on that day.  A
** difference means an entry on the page that no dose of the session
** explains, or the other way round. */
static const char sql_ampoules[] =
	"WITH booked AS (SELECT e.page_id, sum(e.qty) AS qty, count(*) AS n"
	"  FROM administrations a JOIN register_entries e ON e.administration_id = a.id"
	"  WHERE a.premises_id = ?1 AND a.local_date = ?2 AND a.window_no = ?3 GROUP BY e.page_id),"
	" onpage AS (SELECT e.page_id, sum(e.qty) AS qty, count(*) AS n FROM register_entries e"
	"  JOIN register_pages p ON p.id = e.page_id WHERE p.premises_id = ?1"
	"  AND e.kind = 'administration' AND e.event_date = ?2 AND e.at >= ?4 AND e.at < ?5"
	"  GROUP BY e.page_id)"
	" SELECT p.id AS page_id, p.drug, p.form, p.strength_ug,"
	" coalesce(b.qty, 0) AS booked_by_doses, coalesce(o.qty, 0) AS register_entries_qty,"
	" coalesce(o.n, 0) AS register_entries,"
	" coalesce(b.qty, 0) = coalesce(o.qty, 0) AS is_matched"
	" FROM register_pages p LEFT JOIN booked b ON b.page_id = p.id"
	" LEFT JOIN onpage o ON o.page_id = p.id"
	" WHERE p.premises_id = ?1 AND (b.qty IS NOT NULL OR o.qty IS NOT NULL) ORDER BY p.id";

static const char sql_doses[] =
	"SELECT a.patient_id, a.kind, a.drug, a.amount_ug, a.at AS given_at, a.topup AS is_topup,"
	" n.display_name AS nurse, w.display_name AS witness FROM administrations a"
	" JOIN users n ON n.id = a.nurse_id JOIN users w ON w.id = a.witness_id"
	" WHERE a.premises_id = ? AND a.local_date = ? AND a.window_no = ? ORDER BY a.at, a.id";

/* Every abnormal post-dose check of the session, resolved or not. */
static const char sql_alarms[] =
	"SELECT v.patient_id, p.given_name, p.family_name, v.at AS recorded_at,"
	" json_extract(v.detail, '$.alarms') AS alarms_json FROM visit_events v"
	" JOIN patients p ON p.id = v.patient_id WHERE v.premises_id = ? AND v.local_date = ?"
	" AND v.window_no = ? AND v.kind = 'postdose_check'"
	" AND CAST(json_extract(v.detail, '$.abnormal') AS INTEGER) = 1 ORDER BY v.id";

static bool has_flag(json_t *row, const char *flag)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(row, "flags"), i, f) {
		if (strcmp(json_string_value(f), flag) == 0)
			return true;
	}
	return false;
}

/* Which heading of the handover a patient's row goes under. */
static const char *group_of(json_t *row)
{
	const char *st = json_string_value(json_object_get(row, "state"));

	if (!st)
		return "undone";
	if (strcmp(st, "dosed") == 0 || strcmp(st, "observing") == 0 || strcmp(st, "left") == 0)
		return "dosed";
	if (strcmp(st, "withheld") == 0)
		return "withheld";
	if (strcmp(st, "declined") == 0)
		return "declined";
	if (strcmp(st, "did_not_attend") == 0)
		return "did_not_attend";
	/* Planned away (core/flex): not a session left undone. */
	if (strcmp(st, "planned_absence") == 0)
		return "planned_absence";
	return has_flag(row, "blocked_until_review") ? "blocked" : "undone";
}

enum hat_err board_session_summary(struct store_conn *c, int64_t premises_id, int32_t date,
				   int32_t window, int64_t now, json_t **out)
{
	struct clinic_settings s;
	int64_t version, at, start, end;
	json_t *board = NULL;
	json_t *pages = NULL;
	json_t *doses = NULL;
	json_t *groups = NULL;
	json_t *alarms = NULL;
	json_t *row;
	size_t i;
	enum hat_err rc = clinic_settings_load(c, premises_id, &s, &version);

	if (rc != HAT_OK)
		return rc;
	if (window < 0 || window >= s.window_count)
		return HAT_E_OUT_OF_RANGE;
	start = clock_from_local(date, s.windows[window].start_minute);
	end = clock_from_local(date, s.windows[window].end_minute) + s.observation_s;
	/* The board as the window closed (its last minute), or as it is now
	** while the window runs. */
	at = clock_from_local(date, s.windows[window].end_minute - 1);
	if (now >= start && now < at)
		at = now;
	rc = board_today(c, premises_id, at, &board);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_ampoules, &pages, "iiiii", premises_id, (int64_t)date,
				      (int64_t)window, start, end);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_doses, &doses, "iii", premises_id, (int64_t)date,
				      (int64_t)window);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_alarms, &alarms, "iii", premises_id, (int64_t)date,
				      (int64_t)window);
	if (rc != HAT_OK)
		goto out;
	groups = json_pack("{s:[], s:[], s:[], s:[], s:[], s:[], s:[]}", "dosed", "withheld",
			   "declined", "blocked", "did_not_attend", "planned_absence", "undone");
	json_array_foreach(json_object_get(board, "patients"), i, row) {
		json_t *line = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:b, s:O}",
					 "patient_id", json_object_get(row, "patient_id"),
					 "given_name", json_object_get(row, "given_name"),
					 "family_name", json_object_get(row, "family_name"),
					 "state", json_object_get(row, "state"),
					 "flags", json_object_get(row, "flags"),
					 "day_injected_ug", json_object_get(row, "day_injected_ug"),
					 "alarm", json_object_get(row, "alarm"),
					 "left_against_advice", has_flag(row, "left_against_advice"),
					 "review_pending", json_object_get(row, "review_pending"));

		json_array_append_new(json_object_get(groups, group_of(row)), line);
	}
	*out = json_pack("{s:I, s:O, s:i, s:s, s:o, s:o, s:o, s:o}", "premises_id",
			 (json_int_t)premises_id, "date", json_object_get(board, "date"), "window",
			 (int)window, "window_name", s.windows[window].name, "patients", groups,
			 "alarms", alarms, "doses", doses, "ampoules", pages);
	alarms = NULL;
	groups = NULL;
	doses = NULL;
	pages = NULL;
out:
	json_decref(board);
	json_decref(groups);
	json_decref(alarms);
	json_decref(doses);
	json_decref(pages);
	return rc;
}
