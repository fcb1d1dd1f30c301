/*
** board.c: see board.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "core/identity.h"
#include "flex.h"
#include "settings.h"
#include "takehome.h"
#include "visits.h"

static const char sql_due[] =
	"SELECT DISTINCT p.id, p.given_name, p.family_name, p.alerts, p.birth_date,"
	" EXISTS (SELECT 1 FROM patient_photos f WHERE f.patient_id = p.id) FROM patients p"
	" JOIN prescriptions r ON r.patient_id = p.id"
	" WHERE (p.premises_id = ?1 OR EXISTS (SELECT 1 FROM guest_authorisations g"
	"  WHERE g.patient_id = p.id AND g.premises_id = ?1 AND g.local_date = ?2))"
	" AND r.start_date <= ?2"
	" AND (r.end_date IS NULL OR r.end_date >= ?2)"
	" AND EXISTS (SELECT 1 FROM episodes e WHERE e.patient_id = p.id AND e.status = 'active')"
	" AND NOT EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = r.id)"
	" ORDER BY p.family_name, p.given_name, p.id";

static json_t *patient_row(struct visits_facts *f, int64_t now, bool window_over,
			   const char *given, const char *family, const char *alerts)
{
	enum schedule_board_state state = f->state;
	int64_t remaining = f->last_injection_at
				    ? schedule_observation_remaining_s(&f->settings,
								       f->last_injection_at, now)
				    : 0;
	unsigned flags = schedule_board_flags(f->patient.blocked_by_event, &f->missed,
					      f->alerts_on_record, remaining);
	json_t *flag_list = json_array();
	char at[21];
	json_t *row;
	bool ok = flag_list != NULL;

	/* Nobody checked in and the window has closed: did not attend. */
	if (state == SCHEDULE_DUE && window_over)
		state = SCHEDULE_DID_NOT_ATTEND;
	/* An abnormal post-dose check keeps the patient under observation
	** whatever the clock says, and raises the alarm. */
	flags |= schedule_postdose_flags(f->last_check_alarms != 0, state);
	/* A "reduce" review holds the patient as a block does. */
	if (dosing_pending_review(&f->patient) == DOSING_PENDING_REDUCE)
		flags |= SCHEDULE_FLAG_BLOCKED;
	if (flags & SCHEDULE_FLAG_ALARM)
		ok = ok && json_array_append_new(flag_list, json_string("postdose_alarm")) == 0;
	if (state == SCHEDULE_LEFT && f->left_against_advice)
		ok = ok && json_array_append_new(flag_list, json_string("left_against_advice")) == 0;
	if (flags & SCHEDULE_FLAG_BLOCKED)
		ok = ok && json_array_append_new(flag_list, json_string("blocked_until_review")) == 0;
	if (flags & SCHEDULE_FLAG_RESTART)
		ok = ok && json_array_append_new(flag_list, json_string("restart_induction")) == 0;
	if (flags & SCHEDULE_FLAG_MISSED_ALERT)
		ok = ok && json_array_append_new(flag_list, json_string("missed_dose_alert")) == 0;
	if (flags & SCHEDULE_FLAG_ALERTS)
		ok = ok && json_array_append_new(flag_list, json_string("alerts_on_record")) == 0;
	if (flags & SCHEDULE_FLAG_OBSERVING)
		ok = ok && json_array_append_new(flag_list, json_string("observing")) == 0;
	row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:I, s:i, s:i, s:i, s:I, s:I}", "patient_id",
			(json_int_t)f->patient_id, "given_name", given, "family_name", family,
			"alerts", alerts, "state", schedule_state_name(state), "flags", flag_list,
			"observation_remaining_s", (json_int_t)remaining, "days_missed",
			(int)f->missed.days_missed, "sessions_today", (int)f->sessions_today,
			"sessions_per_day", f->has_rx ? (int)f->rx.sessions_per_day : 0,
			"day_injected_ug", (json_int_t)f->day_injected_ug, "day_oral_ug",
			(json_int_t)f->day_oral_ug);
	/* json_pack stole flag_list even if it failed. */
	ok = ok && row != NULL;
	/* What the nurse may do next after a dose: assess for a top-up when
	** the prescription allows one, and give it once assessed again. */
	ok = ok && json_object_set_new(row, "review_pending", visits_pending_review_json(f)) == 0;
	if (ok && (flags & SCHEDULE_FLAG_ALARM)) {
		clock_format_utc(f->last_check_at, at);
		ok = json_object_set_new(row, "alarm",
					 json_pack("{s:s, s:o}", "at", at, "alarms",
						   visits_alarm_names(f->last_check_alarms))) == 0;
	} else {
		ok = ok && json_object_set_new(row, "alarm", json_null()) == 0;
	}
	ok = ok && json_object_set_new(row, "oral_review_required",
				       json_boolean(f->patient.oral_review_needed)) == 0;
	ok = ok && json_object_set_new(row, "oral_days_missed",
				       json_integer(f->oral_days_missed)) == 0;
	ok = ok && json_object_set_new(row, "topup_allowed",
				       json_boolean(f->has_rx && f->rx.topup_allowed)) == 0;
	ok = ok && json_object_set_new(row, "topup_assessed",
				       json_boolean(f->assessed_since_dose &&
						    (state == SCHEDULE_OBSERVING ||
						     state == SCHEDULE_DOSED))) == 0;
	if (f->last_dose_at)
		clock_format_utc(f->last_dose_at, at);
	ok = ok && json_object_set_new(row, "last_dose_at",
				       f->last_dose_at ? json_string(at) : json_null()) == 0;
	ok = ok && json_object_set_new(row, "last_dose_ug",
				       f->last_dose_at ? json_integer(f->last_dose_ug)
						       : json_null()) == 0;
	if (!ok) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* What flexibility adds to a board row: a planned absence shows as planned,
** never as "did not attend"; oral cover today; a session moved here today. */
static enum hat_err flex_board_row(json_t *row, const struct visits_facts *f,
				   const struct flex_day *fd, int32_t w)
{
	bool absent = w >= 0 && w < SETTINGS_MAX_WINDOWS && fd->absence_id[w] != 0 &&
		      f->window == w && f->state == SCHEDULE_DUE;
	bool moved = false;
	bool ok = true;

	for (size_t i = 0; i < fd->n_changes; i++)
		moved = moved || fd->changes[i].to_w == w;
	/* patient_row has already said whether the window is over (a due
	** patient then reads did_not_attend): a planned absence keeps that. */
	ok = json_object_set_new(row, "window_over",
				 json_boolean(strcmp(json_string_value(json_object_get(row, "state")),
						     "did_not_attend") == 0)) == 0;
	if (ok && absent)
		ok = json_object_set_new(row, "state", json_string("planned_absence")) == 0 &&
		     json_object_set_new(row, "planned_absence",
					 json_pack("{s:I, s:s}", "id",
						   (json_int_t)fd->absence_id[w], "reason",
						   fd->absence_reason[w])) == 0;
	else if (ok)
		ok = json_object_set_new(row, "planned_absence", json_null()) == 0;
	ok = ok && json_object_set_new(row, "oral_cover_today", json_boolean(fd->cover_today)) == 0;
	ok = ok && json_object_set_new(row, "session_moved_here", json_boolean(moved)) == 0;
	return ok ? HAT_OK : HAT_E_NOMEM;
}

/* Every station shows the alarms at the top of its board, whoever is
** looking at which card: one line per patient whose last check was
** abnormal (new reference). */
static json_t *board_alarms(json_t *rows)
{
	json_t *alarms = json_array();
	json_t *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		json_t *a = json_object_get(row, "alarm");

		if (json_is_object(a))
			json_array_append_new(alarms, json_pack("{s:O, s:O, s:O, s:O, s:O}", "patient_id",
								json_object_get(row, "patient_id"),
								"given_name", json_object_get(row, "given_name"),
								"family_name", json_object_get(row, "family_name"),
								"at", json_object_get(a, "at"), "alarms",
								json_object_get(a, "alarms")));
	}
	return alarms;
}

enum hat_err board_today(struct store_conn *c, int64_t premises_id, int64_t now, json_t **out)
{
	struct clinic_settings s;
	struct clock_local l;
	struct store_stmt *st;
	struct visits_facts *f = NULL;
	struct flex_day *fd = NULL;
	json_t *rows = json_array();
	json_t *window = json_null();
	int64_t version;
	int32_t w = -1;
	bool open = false;
	bool over = false;
	bool row;
	char date[11];
	enum hat_err rc;

	clock_to_local(now, &l);
	rc = clinic_settings_load(c, premises_id, &s, &version);
	if (rc != HAT_OK)
		goto out;
	/* Among the windows that open today (some open on weekdays only). */
	rc = flex_board_window_load(c, premises_id, &s, l.date, l.minute_of_day, &w, &open);
	if (rc != HAT_OK)
		goto out;
	if (w >= 0) {
		char a[6], b[6];
		const struct settings_window *sw = &s.windows[w];

		clinic_settings_hhmm(sw->start_minute, a);
		clinic_settings_hhmm(sw->end_minute, b);
		json_decref(window);
		window = json_pack("{s:i, s:s, s:s, s:s, s:b}", "index", (int)w, "name", sw->name,
				   "start", a, "end", b, "open", open);
		over = !open && l.minute_of_day >= sw->end_minute;
	}
	f = malloc(sizeof *f);
	fd = malloc(sizeof *fd);
	if (!f || !fd || !rows) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_prepare(c, sql_due, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "ii", premises_id, (int64_t)l.date);
	while (rc == HAT_OK && w >= 0) {
		char given[101], family[101], alerts[2001];
		int64_t pid;
		int32_t birth;
		bool photo;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		pid = store_col_int(st, 0);
		birth = (int32_t)store_col_int(st, 4);
		photo = store_col_int(st, 5) != 0;
		str_copy(given, sizeof given, store_col_text(st, 1));
		str_copy(family, sizeof family, store_col_text(st, 2));
		str_copy(alerts, sizeof alerts, store_col_text(st, 3));
		rc = visits_load_facts_at(c, pid, premises_id, now, w, f);
		/* Someone dosed near the end of the last window is still in the
		** after-care area when the board turns to the next window: keep
		** showing them as they are until they leave. */
		if (rc == HAT_OK && f->state == SCHEDULE_DUE && w > 0) {
			rc = visits_load_facts_at(c, pid, premises_id, now, w - 1, f);
			if (rc == HAT_OK && f->state != SCHEDULE_OBSERVING && f->state != SCHEDULE_DOSED)
				rc = visits_load_facts_at(c, pid, premises_id, now, w, f);
		}
		/* A day covered by a take-home supply is dosed: not due, and never
		** "did not attend". */
		if (rc == HAT_OK) {
			bool covered = false;

			rc = takehome_day_covered(c, pid, l.date, &covered);
			if (rc == HAT_OK && covered)
				continue;
		}
		/* Someone who has had all of today's sessions is not due in this
		** one (and could not check in): the board leaves them out. */
		if (rc == HAT_OK && f->state == SCHEDULE_DUE && f->has_rx &&
		    f->sessions_today >= f->rx.sessions_per_day)
			continue;
		if (rc == HAT_OK)
			rc = flex_day_load(c, pid, premises_id, &s, l.date, fd);
		/* Session choice: someone who chose other windows, or moved this
		** session for today, is not due in this one. */
		if (rc == HAT_OK && f->state == SCHEDULE_DUE && f->window == w &&
		    !flex_due_in_window(&fd->settings, &s, fd->preferred, fd->changes, fd->n_changes,
					l.date, w))
			continue;
		if (rc == HAT_OK) {
			json_t *line = patient_row(f, now, over && f->window == w, given, family, alerts);

			if (line && flex_board_row(line, f, fd, w) != HAT_OK) {
				json_decref(line);
				line = NULL;
			}
			char born[11];

			/* Who is at the hatch: the photograph (when held) and age. */
			clock_format_date(birth, born);
			/* append_new frees line when it fails; set_new does not. */
			if (line && (json_object_set_new(line, "window", json_integer(f->window)) != 0 ||
				     json_object_set_new(line, "birth_date", json_string(born)) != 0 ||
				     json_object_set_new(line, "age",
							 json_integer(identity_age_years(birth,
										  l.date))) != 0 ||
				     json_object_set_new(line, "has_photo", json_boolean(photo)) != 0 ||
				     json_object_set_new(line, "home_premises_id",
							 json_integer(f->home_premises_id)) != 0)) {
				json_decref(line);
				line = NULL;
			}
			if (!line || json_array_append_new(rows, line) != 0)
				rc = HAT_E_NOMEM;
		}
	}
	store_done(st);
	if (rc != HAT_OK)
		goto out;
	clock_format_date(l.date, date);
	*out = json_pack("{s:I, s:s, s:o, s:o, s:o}", "premises_id", (json_int_t)premises_id, "date",
			 date, "window", window, "patients", rows, "alarms", board_alarms(rows));
	window = NULL;
	rows = NULL;
	if (!*out)
		rc = HAT_E_NOMEM;
out:
	free(f);
	free(fd);
	json_decref(rows);
	json_decref(window);
	return rc;
}

/* The day objects of a history, keyed by date, created on first use. */
static json_t *day_of(json_t *days, int32_t date)
{
	char key[11];
	json_t *d;

	clock_format_date(date, key);
	d = json_object_get(days, key);
	if (d)
		return d;
	d = json_pack("{s:s, s:i, s:I, s:I, s:[], s:[], s:[], s:[], s:[]}", "date", key,
		      "sessions_attended", 0, "injectable_ug", (json_int_t)0, "oral_ug",
		      (json_int_t)0, "administrations", "assessments", "events", "adverse_events",
		      "reviews");
	/* set_new frees d when it fails: NULL tells the caller. */
	if (!d || json_object_set_new(days, key, d) != 0)
		return NULL;
	return d;
}

static enum hat_err add_int(json_t *obj, const char *key, int64_t v)
{
	return json_object_set_new(obj, key,
				   json_integer(json_integer_value(json_object_get(obj, key)) + v)) == 0
		       ? HAT_OK
		       : HAT_E_NOMEM;
}

/* Appends each row of a query (with local_date as its first column) to the
** named list of its day. */
static enum hat_err collect(struct store_conn *c, json_t *days, const char *sql,
			    const char *list, int64_t patient_id, int32_t from, int32_t to)
{
	json_t *rows = NULL;
	size_t i;
	json_t *r;
	enum hat_err rc = store_query_json(c, sql, &rows, "iii", patient_id, (int64_t)from,
					   (int64_t)to);

	if (rc != HAT_OK)
		return rc;
	json_array_foreach(rows, i, r) {
		int32_t date;
		json_t *d;

		if (rc != HAT_OK)
			break;
		rc = clock_parse_date(json_string_value(json_object_get(r, "local_date")), &date);
		d = rc == HAT_OK ? day_of(days, date) : NULL;
		if (rc == HAT_OK && (!d || json_object_del(r, "local_date") != 0 ||
				     json_array_append(json_object_get(d, list), r) != 0))
			rc = HAT_E_NOMEM;
		if (rc == HAT_OK && strcmp(list, "administrations") == 0) {
			const char *kind = json_string_value(json_object_get(r, "kind"));
			int64_t ug = json_integer_value(json_object_get(r, "amount_ug"));

			if (!kind)
				kind = "";
			rc = add_int(d, strcmp(kind, "oral") == 0 ? "oral_ug" : "injectable_ug", ug);
			if (rc == HAT_OK && strcmp(kind, "injection") == 0 &&
			    !json_is_true(json_object_get(r, "is_topup")))
				rc = add_int(d, "sessions_attended", 1);
		}
	}
	json_decref(rows);
	return rc;
}

static const char sql_hist_admin[] =
	"SELECT a.local_date, a.id, a.kind, a.drug, a.route, a.site, a.amount_ug,"
	" a.at AS given_at, a.window_no, a.session_no, a.topup AS is_topup, a.nurse_id,"
	" n.display_name AS nurse, a.witness_id, w.display_name AS witness,"
	" coalesce(nullif(a.warnings, ''), '[]') AS warnings_json FROM administrations a"
	" JOIN users n ON n.id = a.nurse_id JOIN users w ON w.id = a.witness_id"
	" WHERE a.patient_id = ? AND a.local_date BETWEEN ? AND ? ORDER BY a.at, a.id";
static const char sql_hist_reviews[] =
	"SELECT r.local_date, r.id, r.at AS reviewed_at, r.outcome, r.notes, r.prescriber_id,"
	" u.display_name AS prescriber FROM reviews r JOIN users u ON u.id = r.prescriber_id"
	" WHERE r.patient_id = ? AND r.local_date BETWEEN ? AND ? ORDER BY r.at, r.id";
static const char sql_hist_assess[] =
	"SELECT local_date, id, at AS assessed_at, window_no, sedation_level, breath_alcohol_ug,"
	" concerns, decision, reason, nurse_id FROM assessments"
	" WHERE patient_id = ?1 AND local_date BETWEEN ?2 AND ?3"
	/* The same days as moments, a day's margin either side of any time
	** zone: the look-up reads those days through the (patient, at) index
	** instead of every assessment the patient ever had. */
	" AND at >= (?2 - 1) * 86400 AND at < (?3 + 2) * 86400 ORDER BY at, id";
static const char sql_hist_events[] =
	"SELECT local_date, id, kind, at AS recorded_at, window_no, by_id, detail AS detail_json"
	" FROM visit_events"
	" WHERE patient_id = ? AND local_date BETWEEN ? AND ? ORDER BY id";

enum hat_err board_history(struct store_conn *c, int64_t patient_id, int32_t from, int32_t to,
			   json_t **out)
{
	json_t *days = json_object();
	json_t *list = json_array();
	json_t *adverse = NULL;
	enum hat_err rc;
	size_t i;
	json_t *a;

	if (!days || !list) {
		json_decref(days);
		json_decref(list);
		return HAT_E_NOMEM;
	}
	rc = collect(c, days, sql_hist_admin, "administrations", patient_id, from, to);
	if (rc == HAT_OK)
		rc = collect(c, days, sql_hist_assess, "assessments", patient_id, from, to);
	if (rc == HAT_OK)
		rc = collect(c, days, sql_hist_events, "events", patient_id, from, to);
	if (rc == HAT_OK)
		rc = collect(c, days, sql_hist_reviews, "reviews", patient_id, from, to);
	/* Adverse events are kept by instant; place each on its local day. */
	if (rc == HAT_OK)
		rc = store_query_json(c,
				      "SELECT id, kind, occurred_at, naloxone_dose_ug, naloxone_route,"
				      " naloxone_at, action_taken, outcome, blocks AS is_blocking"
				      " FROM adverse_events WHERE patient_id = ? ORDER BY occurred_at",
				      &adverse, "i", patient_id);
	json_array_foreach(adverse, i, a) {
		int64_t t;
		struct clock_local l;

		if (rc != HAT_OK)
			break;
		rc = clock_parse_rfc3339(json_string_value(json_object_get(a, "occurred_at")), &t);
		if (rc != HAT_OK)
			break;
		clock_to_local(t, &l);
		if (l.date >= from && l.date <= to &&
		    json_array_append(json_object_get(day_of(days, l.date), "adverse_events"), a) != 0)
			rc = HAT_E_NOMEM;
	}
	json_decref(adverse);
	if (rc == HAT_OK) {
		/* Newest day first, every day of the range present. */
		for (int32_t d = to; rc == HAT_OK && d >= from; d--) {
			if (json_array_append(list, day_of(days, d)) != 0)
				rc = HAT_E_NOMEM;
		}
	}
	if (rc == HAT_OK) {
		*out = json_pack("{s:I, s:o}", "patient_id", (json_int_t)patient_id, "days", list);
		list = NULL;
		if (!*out)
			rc = HAT_E_NOMEM;
	}
	json_decref(days);
	json_decref(list);
	return rc;
}

/* A prescription's span in local dates, for counting sessions due. */
struct rx_span {
	int32_t start, end; /* inclusive */
	int32_t per_day;
};

static const char sql_spans[] =
	"SELECT r.start_date, coalesce(r.end_date, 2147483647), r.sessions_per_day,"
	" (SELECT min(e.at) FROM prescription_events e WHERE e.prescription_id = r.id),"
	" (SELECT min(x.discharge_date) FROM episodes x WHERE x.patient_id = r.patient_id"
	"  AND x.discharge_date >= r.start_date)"
	" FROM prescriptions r WHERE r.patient_id = ?";
static const char sql_attended[] =
	"SELECT count(*) FROM (SELECT DISTINCT local_date, window_no FROM administrations"
	" WHERE patient_id = ? AND kind = 'injection' AND local_date BETWEEN ? AND ?)";
static const char sql_attendance_patients[] =
	"SELECT id, given_name, family_name FROM patients WHERE premises_id = ?1"
	" AND (?2 = 0 OR id = ?2) ORDER BY family_name, given_name, id";

/* Sessions due: on each day, the most sessions any prescription in force
** that day allows (a superseding prescription may overlap the old one's
** last day; the day is still due once).  Every prescription the patient
** ever had counts, however many: the spans grow as they are read. */
static enum hat_err sessions_due(struct store_conn *c, int64_t patient_id,
				 const struct clinic_settings *settings, int32_t from, int32_t to,
				 int32_t today, int32_t begun_today, int64_t *due, int64_t *excused)
{
	struct rx_span *spans = NULL;
	int32_t *per_day = NULL;
	int32_t last = to < today ? to : today;
	size_t n = 0, cap = 0;
	struct store_stmt *s;
	bool row;
	enum hat_err rc = store_prepare(c, sql_spans, &s);

	*due = 0;
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, patient_id);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (n == cap) {
			size_t more = cap ? cap * 2 : 16;
			struct rx_span *p = realloc(spans, more * sizeof *spans);

			if (!p) {
				rc = HAT_E_NOMEM;
				break;
			}
			spans = p;
			cap = more;
		}
		spans[n].start = (int32_t)store_col_int(s, 0);
		spans[n].end = (int32_t)store_col_int(s, 1);
		spans[n].per_day = (int32_t)store_col_int(s, 2);
		if (!store_col_is_null(s, 3)) {
			struct clock_local l;

			/* Stopped or superseded: due up to the day before. */
			clock_to_local(store_col_int(s, 3), &l);
			if (l.date - 1 < spans[n].end)
				spans[n].end = l.date - 1;
		}
		/* Nobody is due a dose once discharged. */
		if (!store_col_is_null(s, 4) && store_col_int(s, 4) - 1 < spans[n].end)
			spans[n].end = (int32_t)store_col_int(s, 4) - 1;
		n++;
	}
	store_done(s);
	*excused = 0;
	if (rc == HAT_OK && last >= from) {
		per_day = calloc((size_t)(last - from + 1), sizeof *per_day);
		if (!per_day)
			rc = HAT_E_NOMEM;
	}
	for (int32_t d = from; rc == HAT_OK && d <= last; d++) {
		int32_t most = 0;

		for (size_t i = 0; i < n; i++) {
			if (d >= spans[i].start && d <= spans[i].end && spans[i].per_day > most)
				most = spans[i].per_day;
		}
		if (d == today && most > begun_today)
			most = begun_today;
		per_day[d - from] = most;
		*due += most;
	}
	/* Planned absences do not count against attendance (core/flex). */
	if (rc == HAT_OK && per_day)
		rc = flex_attendance_excused(c, patient_id, settings, from, last, today, begun_today,
					     per_day, excused);
	if (rc == HAT_OK)
		*due -= *excused;
	free(per_day);
	free(spans);
	return rc;
}

enum hat_err board_attendance(struct store_conn *c, int64_t premises_id, int64_t patient_id,
			      int32_t from, int32_t to, int64_t now, json_t **out)
{
	struct clinic_settings settings;
	struct clock_local l;
	int64_t version;
	int32_t begun = 0;
	json_t *patients = NULL;
	size_t i;
	json_t *p;
	int64_t total_due = 0, total_attended = 0, total_excused = 0;
	char a[11], b[11];
	enum hat_err rc = store_query_json(c, sql_attendance_patients, &patients, "ii", premises_id,
					   patient_id);

	clock_to_local(now, &l);
	if (rc == HAT_OK)
		rc = clinic_settings_load(c, premises_id, &settings, &version);
	for (int w = 0; rc == HAT_OK && w < settings.window_count; w++) {
		if (settings.windows[w].start_minute <= l.minute_of_day)
			begun++;
	}

	json_array_foreach(patients, i, p) {
		int64_t id = json_integer_value(json_object_get(p, "id"));
		int64_t due = 0, attended = 0, excused = 0;

		if (rc != HAT_OK)
			break;
		rc = sessions_due(c, id, &settings, from, to, l.date, begun, &due, &excused);
		if (rc == HAT_OK)
			rc = store_query_int(c, sql_attended, NULL, &attended, "iii", id, (int64_t)from,
					     (int64_t)to);
		if (rc == HAT_OK &&
		    (json_object_set_new(p, "sessions_due", json_integer(due)) != 0 ||
		     json_object_set_new(p, "sessions_attended", json_integer(attended)) != 0 ||
		     json_object_set_new(p, "sessions_planned_absent", json_integer(excused)) != 0 ||
		     json_object_set_new(p, "attendance_rate",
					 due ? json_real((double)attended / (double)due)
					     : json_null()) != 0))
			rc = HAT_E_NOMEM;
		total_due += due;
		total_attended += attended;
		total_excused += excused;
	}
	if (rc != HAT_OK) {
		json_decref(patients);
		return rc;
	}
	clock_format_date(from, a);
	clock_format_date(to, b);
	*out = json_pack("{s:s, s:s, s:o, s:{s:I, s:I, s:I, s:o}}", "from", a, "to", b, "patients",
			 patients, "clinic", "sessions_due", (json_int_t)total_due,
			 "sessions_attended", (json_int_t)total_attended, "sessions_planned_absent",
			 (json_int_t)total_excused, "attendance_rate",
			 total_due ? json_real((double)total_attended / (double)total_due)
				   : json_null());
	return *out ? HAT_OK : HAT_E_NOMEM;
}

enum hat_err board_review_pending(struct store_conn *c, int64_t patient_id, int64_t now,
				  json_t **out)
{
	struct visits_facts *f = malloc(sizeof *f);
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = visits_load_facts(c, patient_id, now, -1, f);
	if (rc == HAT_OK)
		*out = visits_pending_review_json(f);
	free(f);
	return rc;
}
