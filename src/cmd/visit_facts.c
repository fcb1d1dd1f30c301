/*
** visit_facts.c: loading what the rules need to know about a patient at a
** moment (see visits.h): settings, prescription, blocks, missed days,
** induction progress, and the visit folded from its events.
*/
#include <stdio.h>
#include <string.h>

#include "visits.h"
#include "core/assess.h"
#include "flex.h"
#include "prescriptions.h"
#include "settings.h"
#include "takehome.h"

/* ---- Facts -------------------------------------------------------------- */

static enum hat_err query_max(struct store_conn *c, const char *sql, int64_t id, int64_t *out)
{
	bool found;
	enum hat_err rc = store_query_int(c, sql, &found, out, "i", id);

	if (rc == HAT_OK && !found)
		*out = 0;
	return rc;
}

/* Induction advances by the days the patient was dosed under the schedule,
** never by calendar days: core counts them from the dates given here, so a
** patient who comes back three days after a restart was decided still
** starts at day 1's caps, and a day missed mid-induction holds the step. */
static enum hat_err induction_days_dosed(struct store_conn *c, struct visits_facts *f)
{
	static const char sql[] =
		"SELECT DISTINCT local_date FROM administrations WHERE patient_id = ?"
		" AND kind = 'injection' AND local_date >= ? AND local_date < ?"
		" ORDER BY local_date LIMIT ?";
	int32_t dates[DOSING_MAX_INDUCTION_DAYS + 1];
	struct store_stmt *s;
	size_t n = 0;
	bool row;
	enum hat_err rc;

	f->patient.induction_days_dosed = 0;
	if (!f->has_rx || !f->rx.has_induction)
		return HAT_OK;
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiii", f->patient_id, (int64_t)f->patient.induction_start_date,
				 (int64_t)f->local.date, (int64_t)(DOSING_MAX_INDUCTION_DAYS + 1));
	while (rc == HAT_OK && n < DOSING_MAX_INDUCTION_DAYS + 1) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		dates[n++] = (int32_t)store_col_int(s, 0);
	}
	store_done(s);
	if (rc == HAT_OK)
		f->patient.induction_days_dosed = dosing_induction_days_dosed(
			dates, n, f->patient.induction_start_date, f->local.date);
	return rc;
}

/* A "reduce" review binds until a prescription below the reviewed dose has
** come into force since it (core decides). */
static enum hat_err reduce_pending(struct store_conn *c, struct visits_facts *f,
				   const struct schedule_review *review,
				   enum dosing_review_outcome outcome, int64_t reviewed_dose)
{
	int64_t lowest = 0;
	bool found;
	enum hat_err rc = HAT_OK;

	if (outcome == DOSING_REVIEW_REDUCE)
		rc = store_query_int(c, "SELECT min(session_dose_ug) FROM prescriptions"
					" WHERE patient_id = ? AND signed_at >= ? AND start_date <= ?",
				     &found, &lowest, "iii", f->patient_id, review->reviewed_at,
				     (int64_t)f->local.date);
	f->patient.reduce_pending = dosing_reduce_pending(outcome, reviewed_dose, lowest);
	return rc;
}

/* The oral component's own missed days, counted from the last oral dose
** whatever prescription it was under (core decides). */
static enum hat_err oral_missed(struct store_conn *c, struct visits_facts *f,
				const struct schedule_review *review, int32_t start)
{
	int64_t last = 0;
	bool found = false;
	enum hat_err rc;

	if (!f->has_rx || !f->rx.oral.drug)
		return HAT_OK;
	rc = store_query_int(c, "SELECT local_date FROM administrations WHERE patient_id = ?"
				" AND kind = 'oral' AND local_date <= ? ORDER BY local_date DESC LIMIT 1",
			     &found, &last, "ii", f->patient_id, (int64_t)f->local.date);
	if (rc != HAT_OK)
		return rc;
	return schedule_oral_missed(&f->settings, found, (int32_t)last, start, f->local.date,
				    review->present ? review : NULL, &f->oral_days_missed,
				    &f->patient.oral_review_needed);
}

/* A day covered by a take-home supply counts as dosed: the doses were
** supplied.  The covered day joins the last two dose days, ascending. */
static enum hat_err add_takehome_day(struct store_conn *c, struct visits_facts *f,
				     int32_t dates[4], size_t *n)
{
	int32_t last;
	bool found;
	enum hat_err rc = takehome_last_covered(c, f->patient_id, f->local.date, &found, &last);

	if (rc != HAT_OK || !found)
		return rc;
	if (*n < 4 && (*n == 0 || last > dates[*n - 1]))
		dates[(*n)++] = last;
	return HAT_OK;
}

static enum hat_err load_missed(struct store_conn *c, struct visits_facts *f)
{
	static const char sql_dates[] =
		"SELECT DISTINCT local_date FROM administrations WHERE patient_id = ?"
		" AND kind = 'injection' AND local_date <= ? ORDER BY local_date DESC LIMIT 2";
	static const char sql_review[] =
		"SELECT at, local_date, outcome, coalesce(reviewed_session_dose_ug, 0) FROM reviews"
		" WHERE patient_id = ? ORDER BY at DESC, id DESC LIMIT 1";
	static const char sql_episode[] =
		"SELECT start_date FROM episodes WHERE patient_id = ? AND start_date IS NOT NULL"
		" ORDER BY id DESC LIMIT 1";
	struct schedule_review review = { 0 };
	enum dosing_review_outcome outcome = DOSING_REVIEW_NONE;
	int64_t reviewed_dose = 0;
	struct store_stmt *s;
	/* The last two injections, a day oral cover bridges to, and the last
	** day a take-home supply covers. */
	int32_t dates[4];
	size_t n = 0;
	int64_t start;
	bool row;
	bool found;
	enum hat_err rc = store_prepare(c, sql_dates, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", f->patient_id, (int64_t)f->local.date);
	while (rc == HAT_OK && n < 2) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		dates[n++] = (int32_t)store_col_int(s, 0);
	}
	store_done(s);
	if (n == 2) {
		int32_t t = dates[0];

		dates[0] = dates[1];
		dates[1] = t;
	}
	/* Oral cover taken after the last injection counts as dosed, as far as
	** the clinic lets it bridge (core/flex). */
	if (rc == HAT_OK)
		rc = flex_bridge_dates(c, f->patient_id, &f->flex, f->local.date, dates, &n,
				       sizeof dates / sizeof dates[0] - 1);
	if (rc == HAT_OK)
		rc = add_takehome_day(c, f, dates, &n);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_review, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, f->patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		review.present = true;
		review.reviewed_at = store_col_int(s, 0);
		review.review_date = (int32_t)store_col_int(s, 1);
		review.restart_induction = strcmp(store_col_text(s, 2), "restart_induction") == 0;
		dosing_review_outcome_parse(store_col_text(s, 2), &outcome);
		reviewed_dose = store_col_int(s, 3);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	f->reviewed_session_dose_ug = reviewed_dose;
	rc = reduce_pending(c, f, &review, outcome, reviewed_dose);
	if (rc != HAT_OK)
		return rc;
	rc = store_query_int(c, sql_episode, &found, &start, "i", f->patient_id);
	if (rc != HAT_OK)
		return rc;
	/* Days before the prescription began are not missed doses. */
	if (f->has_rx && (!found || f->rx.start_date > start))
		start = f->rx.start_date;
	if (!found && !f->has_rx)
		start = f->local.date;
	if (start > f->local.date)
		start = f->local.date;
	rc = schedule_missed_days(&f->settings, dates, n, (int32_t)start, f->local.date,
				  review.present ? &review : NULL, &f->missed);
	if (rc == HAT_OK)
		rc = oral_missed(c, f, &review, (int32_t)start);
	if (rc != HAT_OK)
		return rc;
	f->patient.missed = f->missed.state;
	f->patient.induction_start_date = f->has_rx ? f->rx.start_date : f->local.date;
	/* core reports a chosen restart only while the gap is open, and the
	** first dose closes it; the re-titration must go on for the schedule's
	** days after that, so the latest review's choice is kept here (unless
	** a prescription signed to start after it brings its own schedule). */
	if (f->missed.restart_induction ||
	    (review.present && review.restart_induction &&
	     (!f->has_rx || review.review_date >= f->rx.start_date))) {
		/* Induction starts again from the review; a prescription with no
		** schedule of its own restarts on the clinic's template. */
		f->patient.induction_start_date = review.review_date;
		if (f->has_rx && !f->rx.has_induction) {
			dosing_induction_template_diamorphine(&f->rx.induction);
			f->rx.has_induction = true;
		}
	}
	return induction_days_dosed(c, f);
}

static enum schedule_event event_of(const char *kind)
{
	if (strcmp(kind, "check_in") == 0)
		return SCHEDULE_EV_CHECK_IN;
	if (strcmp(kind, "assessed") == 0)
		return SCHEDULE_EV_ASSESS_FIT;
	if (strcmp(kind, "withheld") == 0)
		return SCHEDULE_EV_WITHHOLD;
	if (strcmp(kind, "dosed") == 0)
		return SCHEDULE_EV_INJECT;
	if (strcmp(kind, "left") == 0)
		return SCHEDULE_EV_LEAVE;
	if (strcmp(kind, "declined") == 0)
		return SCHEDULE_EV_DECLINE;
	return 0;
}

/* Applies one recorded event of the visit to its facts.  Recorded events
** were checked when written; replaying them cannot fail unless the record
** was altered, and then the state simply stays where it was. */
void visits_apply_event(struct visits_facts *f, const char *kind, int64_t at,
			unsigned alarm_bits)
{
	/* For "left" the value is whether it was against advice. */
	if (strcmp(kind, "left") == 0)
		f->left_against_advice = alarm_bits != 0;
	static const struct schedule_step_facts replay = { true, 0, false, true };
	struct schedule_step step;
	enum schedule_event ev;

	if (strcmp(kind, "postdose_check") == 0) {
		/* The latest check decides: an alarm stands until a normal one. */
		f->postdose_checked = true;
		f->last_check_alarms = alarm_bits;
		f->last_check_at = at;
		return;
	}
	ev = event_of(kind);
	if (ev == SCHEDULE_EV_INJECT) {
		f->last_injection_at = at;
		f->postdose_checked = false;
		f->assessed_since_dose = false;
	}
	if (ev == SCHEDULE_EV_ASSESS_FIT && f->last_injection_at)
		f->assessed_since_dose = true;
	if (ev && schedule_next_state(f->state, ev, &replay, &step) == HAT_OK)
		f->state = step.next;
	if (ev == SCHEDULE_EV_INJECT &&
	    schedule_next_state(f->state, SCHEDULE_EV_OBSERVE, NULL, &step) == HAT_OK)
		f->state = step.next;
}

/* Replays the visit's events through the state machine. */
static enum hat_err fold_visit(struct store_conn *c, struct visits_facts *f)
{
	static const char sql[] =
		"SELECT kind, at, coalesce(CAST(json_extract(detail, '$.alarm_bits') AS INTEGER),"
		" CAST(json_extract(detail, '$.left_against_advice') AS INTEGER), 0)"
		" FROM visit_events"
		" WHERE premises_id = ? AND local_date = ?"
		" AND window_no = ? AND patient_id = ? ORDER BY id";
	struct store_stmt *s;
	bool row;
	enum hat_err rc;

	f->state = SCHEDULE_DUE;
	if (f->window < 0)
		return HAT_OK;
	rc = store_prepare(c, sql, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiii", f->premises_id, (int64_t)f->local.date,
				 (int64_t)f->window, f->patient_id);
	while (rc == HAT_OK) {
		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		visits_apply_event(f, store_col_text(s, 0), store_col_int(s, 1),
				   (unsigned)store_col_int(s, 2));
	}
	store_done(s);
	return rc;
}

static enum hat_err load_day(struct store_conn *c, struct visits_facts *f)
{
	static const char sql_day[] =
		"SELECT count(DISTINCT CASE WHEN kind = 'injection' THEN premises_id || ':' || window_no END),"
		" coalesce(sum(CASE WHEN kind = 'injection' THEN amount_ug END), 0),"
		" coalesce(sum(CASE WHEN kind = 'oral' THEN amount_ug END), 0),"
		" coalesce(sum(CASE WHEN kind = 'injection' AND window_no = ? AND premises_id = ?"
		" THEN amount_ug END), 0)"
		" FROM administrations WHERE patient_id = ? AND local_date = ?";
	static const char sql_last[] =
		"SELECT at, amount_ug FROM administrations WHERE patient_id = ?"
		" AND kind = 'injection' ORDER BY local_date DESC, id DESC LIMIT 1";
	static const char sql_im[] =
		"SELECT site FROM administrations WHERE patient_id = ? AND route = 'im'"
		" ORDER BY id DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(c, sql_day, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "iiii", (int64_t)f->window, f->premises_id, f->patient_id,
				 (int64_t)f->local.date);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		f->sessions_today = (int32_t)store_col_int(s, 0);
		f->day_injected_ug = store_col_int(s, 1);
		f->day_oral_ug = store_col_int(s, 2);
		f->visit_dose_ug = store_col_int(s, 3);
	}
	store_done(s);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_last, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, f->patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		f->last_dose_at = store_col_int(s, 0);
		f->last_dose_ug = store_col_int(s, 1);
	}
	store_done(s);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_im, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, f->patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		dosing_site_parse(store_col_text(s, 0), &f->patient.last_im_site);
	store_done(s);
	return rc;
}

enum hat_err visits_load_facts(struct store_conn *c, int64_t patient_id, int64_t now,
			       int32_t window, struct visits_facts *f)
{
	return visits_load_facts_at(c, patient_id, 0, now, window, f);
}

enum hat_err visits_load_facts_at(struct store_conn *c, int64_t patient_id, int64_t where,
				  int64_t now, int32_t window, struct visits_facts *f)
{
	static const char sql_patient[] =
		"SELECT premises_id, alerts <> '' FROM patients WHERE id = ?";
	struct store_stmt *s;
	int64_t version, event_at, review_at, discussed, active;
	bool row = false;
	enum hat_err rc;

	memset(f, 0, sizeof *f);
	f->patient_id = patient_id;
	rc = store_prepare(c, sql_patient, &s);
	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, patient_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		f->premises_id = store_col_int(s, 0);
		f->alerts_on_record = store_col_int(s, 1) != 0;
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return HAT_E_NOT_FOUND;
	/* A guest visit: the home prescription, the visited premises' windows,
	** events and register (cmd/guest.c checks the authorisation). */
	f->home_premises_id = f->premises_id;
	if (where > 0)
		f->premises_id = where;
	rc = clinic_settings_load(c, f->premises_id, &f->settings, &version);
	/* Loaded once here: the window's weekday and the cover's bridge both
	** read them, for every patient on the board. */
	if (rc == HAT_OK)
		rc = flex_settings_load(c, f->premises_id, &f->settings, &f->flex, &version);
	if (rc != HAT_OK)
		return rc;
	clock_to_local(now, &f->local);
	if (window >= 0) {
		f->window = window;
		f->window_open = schedule_window_at(&f->settings, f->local.minute_of_day, &window) ==
				 HAT_OK && window == f->window;
	} else if (schedule_window_at(&f->settings, f->local.minute_of_day, &f->window) == HAT_OK) {
		f->window_open = true;
	} else {
		f->window = -1;
	}
	/* A window that does not open on this weekday is no window today. */
	if (window < 0 && f->window >= 0 &&
	    !flex_window_opens(&f->flex, &f->settings, f->window, f->local.date)) {
		f->window = -1;
		f->window_open = false;
	}
	/* The licence that counts is the one for the premises of the dose. */
	rc = prescriptions_current(c, patient_id, f->premises_id, f->local.date, &f->rx, &f->has_rx);
	if (rc == HAT_OK)
		/* When the event was recorded, not when it happened: a review
		** made before the record existed cannot have considered it. */
		rc = query_max(c, "SELECT max(at) FROM adverse_events"
				  " WHERE patient_id = ? AND blocks = 1", patient_id, &event_at);
	if (rc == HAT_OK)
		rc = query_max(c, "SELECT max(at) FROM reviews WHERE patient_id = ?", patient_id,
			       &review_at);
	if (rc == HAT_OK)
		rc = query_max(c, "SELECT count(*) FROM risk_discussions WHERE patient_id = ?",
			       patient_id, &discussed);
	if (rc == HAT_OK)
		rc = query_max(c, "SELECT count(*) FROM episodes WHERE patient_id = ?"
				  " AND status = 'active'", patient_id, &active);
	if (rc != HAT_OK)
		return rc;
	f->patient.discharged = active == 0;
	f->patient.blocked_by_event = schedule_blocked_by_event(event_at, review_at);
	f->patient.lower_limb_risk_discussed = discussed > 0;
	rc = load_missed(c, f);
	if (rc == HAT_OK)
		rc = fold_visit(c, f);
	if (rc == HAT_OK)
		rc = load_day(c, f);
	return rc;
}


json_t *visits_pending_review_json(const struct visits_facts *f)
{
	enum dosing_pending_review p = dosing_pending_review(&f->patient);
	char msg[240];

	switch (p) {
	case DOSING_PENDING_NONE:
		return json_null();
	case DOSING_PENDING_ADVERSE_EVENT:
		snprintf(msg, sizeof msg, "Naloxone or a seizure is on record since the last"
					  " review: a prescriber must review before the next dose.");
		break;
	case DOSING_PENDING_MISSED_DAYS:
		snprintf(msg, sizeof msg, "%d full days without a dose (the clinic blocks at %d):"
					  " a prescriber must review before the next dose.",
			 (int)f->missed.days_missed, (int)f->settings.missed_block_days);
		break;
	case DOSING_PENDING_RESTART_INDUCTION:
		snprintf(msg, sizeof msg, "%d full days without a dose (induction restarts at %d):"
					  " a prescriber must review and restart induction.",
			 (int)f->missed.days_missed, (int)f->settings.missed_restart_days);
		break;
	case DOSING_PENDING_REDUCE:
		snprintf(msg, sizeof msg, "The last review decided to reduce the dose: a prescription"
					  " below %lld mg a session must be signed before the next dose.",
			 (long long)(f->reviewed_session_dose_ug / 1000));
		break;
	default:
		return json_null();
	}
	return json_pack("{s:s, s:s}", "reason", dosing_pending_review_name(p), "message", msg);
}

json_t *visits_alarm_names(unsigned alarm_bits)
{
	json_t *a = json_array();

	if (alarm_bits & ASSESS_ALARM_SEDATION)
		json_array_append_new(a, json_string("sedation"));
	if (alarm_bits & ASSESS_ALARM_RESP_RATE)
		json_array_append_new(a, json_string("respiratory_rate"));
	if (alarm_bits & ASSESS_ALARM_SPO2)
		json_array_append_new(a, json_string("oxygen_saturation"));
	return a;
}
