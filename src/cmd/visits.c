/*
** visits.c: see visits.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "visits.h"
#include "audit/audit.h"
#include "core/assess.h"
#include "prescriptions.h"
#include "register.h"
#include "settings.h"
#include "guest.h"
#include "takehome.h"


/* ---- Shared steps ------------------------------------------------------- */

/* Moves the visit through the state machine; refuses an illegal step. */
static enum hat_err step_to(struct cmd *c, struct visits_facts *f, enum schedule_event ev,
			    struct schedule_step *out)
{
	struct schedule_step_facts facts = {
		f->postdose_checked,
		f->last_injection_at
			? schedule_observation_remaining_s(&f->settings, f->last_injection_at, c->now)
			: 0,
		f->last_check_alarms != 0,
		fields_has(c->input, "against_advice_reason"),
	};
	enum hat_err rc = schedule_next_state(f->state, ev, &facts, out);

	if (rc == HAT_E_WRONG_STATE) {
		char msg[160];

		snprintf(msg, sizeof msg, "The patient is %s in this session; this step does not"
					  " follow from there.", schedule_state_name(f->state));
		return cmd_refuse(c, rc, NULL, msg);
	}
	return rc;
}

static enum hat_err load_for_visit(struct store_conn *conn, struct cmd *c, struct visits_facts *f)
{
	enum hat_err rc = guest_load_for_cmd(conn, c, -1, f);

	if (rc != HAT_OK)
		return rc;
	if (f->window < 0)
		return cmd_refuse(c, HAT_E_OUTSIDE_WINDOW, NULL, NULL);
	return HAT_OK;
}

/* The visit a post-dose step belongs to.  Observation runs on past the
** window's end (a dose at 10:59 is watched until 11:14), so once every
** window is closed the step goes to the patient's last visit today; the
** state machine then says whether it follows. */
static enum hat_err load_for_aftercare(struct store_conn *conn, struct cmd *c,
				       struct visits_facts *f)
{
	static const char sql[] =
		"SELECT window_no FROM visit_events WHERE patient_id = ? AND local_date = ?"
		" AND premises_id = ? ORDER BY id DESC LIMIT 1";
	int64_t window;
	bool found;
	enum hat_err rc = guest_load_for_cmd(conn, c, -1, f);

	/* After-care belongs to the visit the dose was given in: once its window
	** has closed, or the next one has opened with the patient not yet in
	** it, the post-dose check and leaving go to today's latest visit. */
	if (rc != HAT_OK || (f->window >= 0 && f->state != SCHEDULE_DUE))
		return rc;
	rc = store_query_int(conn, sql, &found, &window, "iii", c->target_id,
			     (int64_t)f->local.date, f->premises_id);
	if (rc != HAT_OK)
		return rc;
	if (!found)
		return f->window >= 0 ? HAT_OK : cmd_refuse(c, HAT_E_OUTSIDE_WINDOW, NULL, NULL);
	return guest_load_for_cmd(conn, c, (int32_t)window, f);
}

/* An event whose row holds its detail (a dose: its administration and
** register entries; an assessment: its assessment) keeps only the row's id
** (ref_id): a copy of the detail would double what every dose writes (the
** audit event carries the detail, and binds the row by fingerprint). */
static bool detail_in_row(const char *kind)
{
	return strcmp(kind, "dosed") == 0 || strcmp(kind, "assessed") == 0;
}

static enum hat_err add_event(struct store_conn *conn, struct cmd *c, struct visits_facts *f,
			      const char *kind, int64_t ref_id, json_t *detail)
{
	char *text = detail && !(ref_id && detail_in_row(kind))
			     ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS)
			     : NULL;
	enum hat_err rc;

	if (detail && !text && !(ref_id && detail_in_row(kind)))
		return HAT_E_NOMEM;
	rc = store_run(conn,
		       "INSERT INTO visit_events (patient_id, premises_id, local_date, window_no,"
		       " kind, at, by_id, ref_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiitiiIt", f->patient_id, f->premises_id, (int64_t)f->local.date,
		       (int64_t)f->window, kind, c->now, c->actor_id, ref_id ? ref_id : INT64_MIN,
		       text ? text : "{}");
	free(text);
	return rc;
}

/* What the audit event of a visit event says.  The rows the command wrote
** (its visit event, with the readings and reasons; a dose's administration
** and register entries; an assessment) are bound into the event by
** fingerprint, so the event names them and the facts a reader of the log
** looks for first, and leaves the rest to the rows instead of writing it a
** second time.  Returns a new reference, or NULL when memory ran out. */
static json_t *audit_detail(int64_t visit_event_id, json_t *detail)
{
	static const char *const kept[] = { "administration_id", "prescription_id", "amount_ug",
					    "route", "site", "session_no", "topup", "witness_id",
					    "assessment_id", "decision", "left_against_advice",
					    "abnormal" };
	json_t *compact = json_pack("{s:I}", "visit_event_id", (json_int_t)visit_event_id);

	for (size_t i = 0; compact && i < sizeof kept / sizeof kept[0]; i++) {
		json_t *v = json_object_get(detail, kept[i]);

		if (v && json_object_set(compact, kept[i], v) != 0) {
			json_decref(compact);
			compact = NULL;
		}
	}
	return compact;
}

/* Records the event, audits it, and answers with the visit as it now is.
** detail is borrowed; NULL (a detail whose json_pack failed) is refused. */
static enum hat_err finish(struct store_conn *conn, struct cmd *c, struct visits_facts *f,
			   const char *kind, int64_t ref_id, json_t *detail, int status)
{
	json_t *answer;
	enum hat_err rc = detail ? add_event(conn, c, f, kind, ref_id, detail) : HAT_E_NOMEM;

	if (rc == HAT_OK) {
		json_t *audited = audit_detail(store_last_id(conn), detail);

		rc = cmd_audit(conn, c, "patient", f->patient_id, audited);
		json_decref(audited);
	}
	if (rc != HAT_OK)
		return rc;
	/* The new event moves the visit on exactly as a replay would. */
	visits_apply_event(f, kind, c->now,
			   (unsigned)fields_int(detail, "alarm_bits",
						fields_bool(detail, "left_against_advice", false)));
	answer = json_pack("{s:I, s:s, s:s, s:I}", "patient_id", (json_int_t)f->patient_id,
			   "event", kind, "state", schedule_state_name(f->state), "window",
			   (json_int_t)f->window);
	if (answer && ((ref_id && json_object_set_new(answer, "id", json_integer(ref_id)) != 0) ||
		       json_object_set(answer, "detail", detail) != 0)) {
		json_decref(answer);
		answer = NULL;
	}
	cmd_answer(c, status, answer);
	return HAT_OK;
}

/* ---- Check-in ----------------------------------------------------------- */

static enum hat_err run_check_in(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	bool covered;
	struct schedule_step step;
	json_t *detail;
	enum hat_err rc = load_for_visit(conn, c, &f);

	if (rc != HAT_OK)
		return rc;
	rc = dosing_check_check_in(f.has_rx ? &f.rx : NULL, &f.patient, f.sessions_today);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, NULL, NULL);
	/* A day covered by a take-home supply is dosed already. */
	rc = takehome_day_covered(conn, f.patient_id, f.local.date, &covered);
	if (rc != HAT_OK)
		return rc;
	if (covered)
		return cmd_refuse(c, HAT_E_TAKEHOME_DAY_COVERED, NULL, NULL);
	rc = step_to(c, &f, SCHEDULE_EV_CHECK_IN, &step);
	if (rc != HAT_OK)
		return rc;
	/* Nothing to add, but never NULL: NULL is a detail that failed to build. */
	detail = json_object();
	rc = finish(conn, c, &f, "check_in", 0, detail, 201);
	json_decref(detail);
	return rc;
}

/* ---- Assessment --------------------------------------------------------- */

static const char *const decision_choices[] = { "fit", "not_fit", "fit_reduced", NULL };
static const char *const reason_choices[] = {
	"sedated", "intoxicated_alcohol", "intoxicated_other", "unwell", "declined", "other", NULL,
};

static const struct field assess_fields[] = {
	{ "sedation_level", FT_INT, true, 0, SETTINGS_MAX_SEDATION_LEVELS - 1, NULL, false },
	{ "breath_alcohol_ug", FT_INT, true, 0, 2000, NULL, false },
	{ "concerns", FT_STRING, false, 0, 2000, NULL, false },
	{ "decision", FT_ENUM, true, 0, 0, decision_choices, false },
	{ "reason", FT_ENUM, false, 0, 0, reason_choices, true },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static enum hat_err run_assess(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	struct schedule_step step;
	struct assess_input in = { 0 };
	struct assess_outcome out;
	const char *reason = fields_str(c->input, "reason", NULL);
	json_t *detail;
	int64_t id;
	enum hat_err rc = load_for_visit(conn, c, &f);

	if (rc != HAT_OK)
		return rc;
	in.sedation_level = (int32_t)fields_int(c->input, "sedation_level", 0);
	in.breath_alcohol_ug = (int32_t)fields_int(c->input, "breath_alcohol_ug", 0);
	in.concerns = *fields_str(c->input, "concerns", "") != '\0';
	assess_decision_parse(fields_str(c->input, "decision", ""), &in.decision);
	if (reason)
		assess_reason_parse(reason, &in.reason);
	rc = assess_decide(&f.settings, &in, &out);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, rc == HAT_E_MISSING_FIELD ? "reason" : "decision",
				  rc == HAT_E_INVALID_VALUE
					  ? "The readings do not allow this decision on the clinic's scale."
					  : NULL);
	rc = step_to(c, &f, out.dose_allowed ? SCHEDULE_EV_ASSESS_FIT : SCHEDULE_EV_ASSESS_NOT_FIT,
		     &step);
	if (rc != HAT_OK)
		return rc;
	rc = store_run(conn,
		       "INSERT INTO assessments (patient_id, premises_id, at, local_date, window_no,"
		       " sedation_level, breath_alcohol_ug, concerns, decision, reason, nurse_id)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiiiiittti", f.patient_id, f.premises_id, c->now, (int64_t)f.local.date,
		       (int64_t)f.window, (int64_t)in.sedation_level, (int64_t)in.breath_alcohol_ug,
		       fields_str(c->input, "concerns", ""), assess_decision_name(out.decision),
		       out.reason ? assess_reason_name(out.reason) : NULL, c->actor_id);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	detail = json_pack("{s:I, s:i, s:i, s:s, s:s?, s:b, s:b}", "assessment_id", (json_int_t)id,
			   "sedation_level", (int)in.sedation_level, "breath_alcohol_ug", (int)in.breath_alcohol_ug,
			   "decision", assess_decision_name(out.decision), "reason",
			   out.reason ? assess_reason_name(out.reason) : NULL, "dose_allowed",
			   out.dose_allowed, "needs_prescriber_authorisation",
			   out.needs_prescriber_auth);
	rc = finish(conn, c, &f, out.dose_allowed ? "assessed" : "withheld", id, detail, 201);
	json_decref(detail);
	return rc;
}

/* ---- A prescriber's authorisation of a reduced dose --------------------- */

static const struct field authorise_fields[] = {
	{ "amount_mg", FT_MG, true, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_authorise_reduced(struct store_conn *conn, struct cmd *c)
{
	struct store_stmt *s;
	bool row = false;
	int64_t patient_id = 0;
	int64_t amount = fields_ug(c->input, "amount_mg", 0);
	bool reduced = false;
	json_t *detail;
	enum hat_err rc = store_prepare(conn, "SELECT patient_id, decision FROM assessments"
					      " WHERE id = ?", &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		patient_id = store_col_int(s, 0);
		reduced = strcmp(store_col_text(s, 1), "fit_reduced") == 0;
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return HAT_E_NOT_FOUND;
	if (!reduced)
		return cmd_refuse(c, HAT_E_WRONG_STATE, NULL,
				  "Only an assessment of 'fit for a reduced dose' takes an authorisation.");
	if (amount <= 0)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "amount_mg", NULL);
	rc = store_run(conn,
		       "INSERT INTO reduced_authorisations (assessment_id, prescriber_id, amount_ug, at)"
		       " VALUES (?, ?, ?, ?)", "iiii", c->target_id, c->actor_id, amount, c->now);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:I, s:I}", "assessment_id", (json_int_t)c->target_id, "amount_ug",
			   (json_int_t)amount);
	rc = cmd_audit(conn, c, "patient", patient_id, detail);
	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

/* ---- Administration ------------------------------------------------------ */

static const char *const route_choices[] = { "iv", "im", "sc", NULL };

static const struct field administer_fields[] = {
	{ "amount_mg", FT_MG, true, 0, 2000, NULL, false },
	{ "route", FT_ENUM, true, 0, 0, route_choices, false },
	{ "site", FT_STRING, true, 1, 40, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	{ "identity_confirmed", FT_BOOL, true, 0, 0, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

enum hat_err visits_check_witness(struct store_conn *conn, struct cmd *c, unsigned roles_needed)
{
	unsigned roles;
	bool found;
	int64_t disabled;
	enum hat_err rc;

	if (!c->witness_id)
		return cmd_refuse(c, HAT_E_WITNESS_REQUIRED, "witness", NULL);
	if (c->witness_id == c->actor_id)
		return cmd_refuse(c, HAT_E_WITNESS_SAME_PERSON, "witness", NULL);
	rc = store_query_int(conn, "SELECT disabled FROM users WHERE id = ?", &found, &disabled, "i",
			     c->witness_id);
	if (rc != HAT_OK)
		return rc;
	if (!found || disabled)
		return cmd_refuse(c, HAT_E_WITNESS_BAD_CREDENTIALS, "witness", NULL);
	rc = cmd_witness_roles(conn, c, &roles);
	if (rc == HAT_OK && !(roles & roles_needed))
		rc = cmd_refuse(c, HAT_E_WITNESS_ROLE, "witness", NULL);
	return rc;
}

/* Yesterday's and today's injections, in time order, every one of them:
** the day's totals are summed from them, so leaving any out would let a
** dose past the daily maximum.  *inj is the caller's to free. */
static enum hat_err load_history(struct store_conn *conn, struct visits_facts *f,
				 struct dosing_injection **inj, size_t *n)
{
	static const char sql[] =
		"SELECT at, local_date, local_minute, drug, route, coalesce(site, ''), amount_ug,"
		" topup FROM administrations WHERE patient_id = ? AND kind = 'injection'"
		" AND local_date >= ? ORDER BY at, id";
	struct store_stmt *s;
	size_t cap = 0;
	bool row;
	enum hat_err rc = store_prepare(conn, sql, &s);

	*n = 0;
	*inj = NULL;
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", f->patient_id, (int64_t)f->local.date - 1);
	while (rc == HAT_OK) {
		struct dosing_injection *j;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		if (*n == cap) {
			size_t more = cap ? cap * 2 : 16;
			struct dosing_injection *p = realloc(*inj, more * sizeof **inj);

			if (!p) {
				rc = HAT_E_NOMEM;
				break;
			}
			*inj = p;
			cap = more;
		}
		j = &(*inj)[*n];
		memset(j, 0, sizeof *j);
		j->at = store_col_int(s, 0);
		j->local_date = (int32_t)store_col_int(s, 1);
		j->local_minute = (int32_t)store_col_int(s, 2);
		dosing_drug_parse(store_col_text(s, 3), &j->drug);
		dosing_route_parse(store_col_text(s, 4), &j->route);
		dosing_site_parse(store_col_text(s, 5), &j->site);
		j->amount_ug = store_col_int(s, 6);
		j->topup = store_col_int(s, 7) != 0;
		(*n)++;
	}
	store_done(s);
	return rc;
}

/* The assessment this visit's dose relies on: the newest in the visit,
** with the reduced amount a prescriber authorised for it. */
static enum hat_err load_assessment(struct store_conn *conn, struct visits_facts *f,
				    struct dosing_assessment *a, int64_t *id)
{
	static const char sql[] =
		"SELECT a.id, a.at, a.decision, coalesce((SELECT r.amount_ug FROM reduced_authorisations r"
		" WHERE r.assessment_id = a.id ORDER BY r.id DESC LIMIT 1), 0) FROM assessments a"
		" WHERE a.patient_id = ? AND a.local_date = ? AND a.window_no = ?"
		" AND a.premises_id = ? ORDER BY a.at DESC, a.id DESC LIMIT 1";
	struct store_stmt *s;
	bool row = false;
	enum hat_err rc = store_prepare(conn, sql, &s);

	memset(a, 0, sizeof *a);
	*id = 0;
	if (rc == HAT_OK)
		rc = store_bindf(s, "iiii", f->patient_id, (int64_t)f->local.date, (int64_t)f->window,
				 f->premises_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		a->present = true;
		*id = store_col_int(s, 0);
		a->assessed_at = store_col_int(s, 1);
		assess_decision_parse(store_col_text(s, 2), &a->decision);
		a->reduced_authorised_ug = store_col_int(s, 3);
	}
	store_done(s);
	return rc;
}

static const char *field_for_dose_error(enum hat_err e)
{
	switch (e) {
	case HAT_E_DOSE_OVER_SESSION:
	case HAT_E_DOSE_OVER_DAILY:
	case HAT_E_DOSE_OVER_INDUCTION:
	case HAT_E_DOSE_OVER_CEILING:
	case HAT_E_TOPUP_OVER:
	case HAT_E_REDUCED_NEEDS_AUTH:
		return "amount_mg";
	case HAT_E_ROUTE_NOT_PRESCRIBED:
		return "route";
	case HAT_E_RISK_DISCUSSION:
		return "site";
	default:
		return NULL;
	}
}

static json_t *warnings_json(unsigned w)
{
	json_t *a = json_array();

	if (a && (w & DOSING_WARN_IM_SITE_REPEAT) &&
	    json_array_append_new(a, json_string("im_site_repeat")) != 0)
		goto fail;
	if (a && (w & DOSING_WARN_MISSED_DOSES) &&
	    json_array_append_new(a, json_string("missed_doses")) != 0)
		goto fail;
	return a;
fail:
	json_decref(a);
	return NULL;
}

/* The most the next injection may be, and the limit in words. */
static void due_for(struct visits_facts *f, const struct dosing_history *h,
		    const struct dosing_request *req, struct dosing_due *due, char *text, size_t cap)
{
	dosing_amount_due(&f->settings, &f->rx, &f->patient, h, req, due);
	dosing_due_describe(&f->settings, &f->rx, due, &req->assessment, text, cap);
}

/* An amount refusal names its limit and the numbers: "At most 160 mg can be
** given now: induction day 2 of 2: ...". */
static enum hat_err refuse_amount(struct cmd *c, struct visits_facts *f,
				  const struct dosing_history *h, const struct dosing_request *req,
				  enum hat_err rc)
{
	struct dosing_due due;
	char limit[180];
	char most[24];
	char msg[240];

	due_for(f, h, req, &due, limit, sizeof limit);
	dosing_mg_text(due.most_ug, most, sizeof most);
	snprintf(msg, sizeof msg, "At most %.20s mg can be given now: %.180s.", most, limit);
	return cmd_refuse(c, rc, "amount_mg", msg);
}

static void hhmm_at(int64_t t, char out[6])
{
	struct clock_local l;

	clock_to_local(t, &l);
	clinic_settings_hhmm(l.minute_of_day, out);
}

/* The clinic's windows as "08:30-11:00, 15:00-17:30". */
static void windows_text(const struct clinic_settings *s, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int32_t i = 0; i < s->window_count && n < cap; i++) {
		char a[6], b[6];

		clinic_settings_hhmm(s->windows[i].start_minute, a);
		clinic_settings_hhmm(s->windows[i].end_minute, b);
		n += (size_t)snprintf(buf + n, cap - n, "%s%s %s-%s", i ? ", " : "",
				      s->windows[i].name, a, b);
	}
}

/* Every other refusal of a dose, in words a nurse can act on, with the
** rule's numbers (core decided; this only reads the facts to say why). */
static enum hat_err refuse_dose(struct cmd *c, struct visits_facts *f,
				const struct dosing_history *h, const struct dosing_request *req,
				enum hat_err rc)
{
	char msg[240] = "";
	char at[6], next[6], wins[120];
	int64_t session_start = 0, last = 0;
	json_t *pending;

	for (size_t i = 0; i < h->count; i++) {
		if (!h->injections[i].topup)
			session_start = h->injections[i].at;
		last = h->injections[i].at;
	}
	switch (rc) {
	case HAT_E_TOO_SOON:
		hhmm_at(session_start, at);
		hhmm_at(session_start + f->settings.min_between_session_starts_s, next);
		snprintf(msg, sizeof msg, "The previous session began at %s, %lld min ago; the clinic"
					  " needs %lld min between session starts (the next from %s).",
			 at, (long long)((req->now - session_start) / 60),
			 (long long)(f->settings.min_between_session_starts_s / 60), next);
		break;
	case HAT_E_SESSIONS_USED_UP:
		snprintf(msg, sizeof msg, "%d of the prescription's %d sessions today have been given.",
			 (int)f->sessions_today, (int)f->rx.sessions_per_day);
		break;
	case HAT_E_TOPUP_TOO_SOON:
		snprintf(msg, sizeof msg, "The last injection was %lld min ago; a top-up needs %lld min.",
			 (long long)((req->now - last) / 60),
			 (long long)(f->settings.topup_min_gap_s / 60));
		break;
	case HAT_E_ASSESSMENT_STALE:
		snprintf(msg, sizeof msg, "The assessment was made %lld min ago; it holds for %lld min,"
					  " and a top-up needs one made after the last injection.",
			 (long long)((req->now - req->assessment.assessed_at) / 60),
			 (long long)(f->settings.assessment_valid_s / 60));
		break;
	case HAT_E_OUTSIDE_WINDOW:
		hhmm_at(req->now, at);
		windows_text(&f->settings, wins, sizeof wins);
		snprintf(msg, sizeof msg, "No session window is open at %s: the windows are %s.", at,
			 wins);
		break;
	case HAT_E_PATIENT_BLOCKED:
	case HAT_E_INDUCTION_RESTART:
	case HAT_E_REDUCE_PENDING:
		pending = visits_pending_review_json(f);
		if (json_is_object(pending))
			snprintf(msg, sizeof msg, "%s",
				 json_string_value(json_object_get(pending, "message")));
		json_decref(pending);
		break;
	default:
		break;
	}
	return cmd_refuse(c, rc, field_for_dose_error(rc), msg[0] ? msg : NULL);
}

enum hat_err visits_dose_due(struct store_conn *conn, int64_t patient_id, int64_t now,
			     json_t **out)
{
	struct dosing_injection *inj = NULL;
	struct dosing_history history = { NULL, 0 };
	struct dosing_request req = { 0 };
	struct dosing_due due;
	struct visits_facts *f = malloc(sizeof *f);
	int64_t assessment_id;
	char limit[200];
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = visits_load_facts(conn, patient_id, now, -1, f);
	if (rc == HAT_OK && f->has_rx && f->window >= 0)
		rc = load_history(conn, f, &inj, &history.count);
	history.injections = inj;
	if (rc == HAT_OK && f->has_rx && f->window >= 0)
		rc = load_assessment(conn, f, &req.assessment, &assessment_id);
	if (rc != HAT_OK)
		goto out;
	if (!f->has_rx || f->window < 0) {
		enum hat_err why = !f->has_rx ? (f->patient.discharged ? HAT_E_NO_ACTIVE_EPISODE
								      : HAT_E_NO_PRESCRIPTION)
					      : HAT_E_OUTSIDE_WINDOW;

		*out = json_pack("{s:f, s:n, s:n, s:s, s:s}", "amount_mg", 0.0, "limit", "message",
				 "refusal", hat_err_code(why), "refusal_message", hat_err_message(why));
		goto out;
	}
	req.now = now;
	req.local_date = f->local.date;
	req.local_minute = f->local.minute_of_day;
	/* Any prescribed route and an upper-limb site: the amount does not
	** depend on them, and the nurse chooses them in the dialog. */
	req.route = (enum dosing_route)(f->rx.routes & (0u - f->rx.routes));
	req.site = DOSING_SITE_ARM_LEFT;
	req.further_injection = f->last_injection_at != 0;
	due_for(f, &history, &req, &due, limit, sizeof limit);
	*out = json_pack("{s:f, s:I, s:s?, s:s, s:s?, s:s?, s:b, s:i, s:i, s:i}", "amount_mg",
			 (double)due.most_ug / 1000.0, "amount_ug", (json_int_t)due.most_ug, "limit",
			 due.limit != HAT_OK ? hat_err_code(due.limit) : NULL, "message", limit,
			 "refusal", due.refusal != HAT_OK ? hat_err_code(due.refusal) : NULL,
			 "refusal_message",
			 due.refusal != HAT_OK ? hat_err_message(due.refusal) : NULL, "topup", due.topup,
			 "session_no", (int)due.session_no, "induction_day", (int)due.induction_day,
			 "induction_days", f->rx.has_induction ? (int)f->rx.induction.days : 0);
out:
	free(inj);
	free(f);
	return rc;
}

static enum hat_err run_administer(struct store_conn *conn, struct cmd *c)
{
	struct dosing_injection *inj = NULL;
	struct dosing_history history = { NULL, 0 };
	struct dosing_request req = { 0 };
	struct dosing_verdict v;
	struct visits_facts f;
	struct schedule_step step;
	json_t *warnings = NULL;
	json_t *detail = NULL;
	char *warn_text = NULL;
	char until[21];
	struct register_choice choice = { 0 };
	json_t *entries = NULL;
	int64_t assessment_id, id;
	enum hat_err rc;

	rc = guest_load_for_cmd(conn, c, -1, &f);
	if (rc != HAT_OK)
		return rc;
	if (!f.has_rx)
		return cmd_refuse(c, f.patient.discharged ? HAT_E_NO_ACTIVE_EPISODE
							  : HAT_E_NO_PRESCRIPTION, NULL, NULL);
	/* The nurse confirms who is at the hatch as part of the dose. */
	if (!fields_bool(c->input, "identity_confirmed", false))
		return cmd_refuse(c, HAT_E_IDENTITY_UNCONFIRMED, "identity_confirmed", NULL);
	rc = visits_check_witness(conn, c, VISITS_WITNESS_ROLES);
	if (rc == HAT_OK)
		rc = load_history(conn, &f, &inj, &history.count);
	history.injections = inj;
	if (rc == HAT_OK)
		rc = load_assessment(conn, &f, &req.assessment, &assessment_id);
	if (rc != HAT_OK)
		goto out;
	req.now = c->now;
	req.local_date = f.local.date;
	req.local_minute = f.local.minute_of_day;
	dosing_route_parse(fields_str(c->input, "route", ""), &req.route);
	if (dosing_site_parse(fields_str(c->input, "site", ""), &req.site) != HAT_OK) {
		rc = cmd_refuse(c, HAT_E_INVALID_VALUE, "site", "That injection site is not on the list.");
		goto out;
	}
	req.amount_ug = fields_ug(c->input, "amount_mg", 0);
	req.further_injection = f.last_injection_at != 0;

	/* core decides; the state machine then says whether this step follows. */
	rc = dosing_check_administration(&f.settings, &f.rx, &f.patient, &history, &req, &v);
	if (rc == HAT_E_DOSE_OVER_SESSION || rc == HAT_E_DOSE_OVER_DAILY ||
	    rc == HAT_E_DOSE_OVER_INDUCTION || rc == HAT_E_DOSE_OVER_CEILING ||
	    rc == HAT_E_TOPUP_OVER || rc == HAT_E_REDUCED_NEEDS_AUTH) {
		rc = refuse_amount(c, &f, &history, &req, rc);
		goto out;
	}
	if (rc != HAT_OK) {
		rc = refuse_dose(c, &f, &history, &req, rc);
		goto out;
	}
	rc = step_to(c, &f, SCHEDULE_EV_INJECT, &step);
	if (rc != HAT_OK)
		goto out;
	/* The ampoules are chosen before anything is written: a dose the
	** stock cannot cover is refused whole. */
	rc = register_choose_for_dose(conn, f.premises_id, f.rx.drug, req.amount_ug, f.local.date,
				      &choice);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "amount_mg", NULL);
		goto out;
	}

	warnings = warnings_json(v.warnings);
	warn_text = warnings ? json_dumps(warnings, JSON_COMPACT) : NULL;
	if (!warn_text) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO administrations (patient_id, premises_id, prescription_id, kind,"
		       " drug, route, site, amount_ug, at, local_date, local_minute, window_no,"
		       " session_no, topup, assessment_id, nurse_id, witness_id, warnings)"
		       " VALUES (?, ?, ?, 'injection', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiitttiiiiiiiiiit", f.patient_id, f.premises_id, f.rx.id,
		       dosing_drug_name(f.rx.drug), dosing_route_name(req.route),
		       dosing_site_name(req.site), req.amount_ug, c->now, (int64_t)f.local.date,
		       (int64_t)f.local.minute_of_day, (int64_t)v.window, (int64_t)v.session_no,
		       (int64_t)v.topup, assessment_id, c->actor_id, c->witness_id,
		       warn_text);
	if (rc != HAT_OK)
		goto out;
	id = store_last_id(conn);
	rc = register_take_for_dose(conn, c, &choice, id, f.patient_id, f.rx.prescriber.user_id,
				    req.amount_ug, f.local.date, &entries);
	if (rc != HAT_OK)
		goto out;
	clock_format_utc(c->now + f.settings.observation_s, until);
	detail = json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:b, s:i, s:I, s:I, s:I, s:O, s:s, s:o}",
			   "administration_id", (json_int_t)id, "prescription_id", (json_int_t)f.rx.id,
			   "drug", dosing_drug_name(f.rx.drug), "route", dosing_route_name(req.route),
			   "site", dosing_site_name(req.site), "amount_ug", (json_int_t)req.amount_ug,
			   "topup", v.topup, "session_no", (int)v.session_no, "witness_id",
			   (json_int_t)c->witness_id, "session_total_ug", (json_int_t)v.session_total_ug,
			   "day_total_ug", (json_int_t)v.day_total_ug, "warnings", warnings,
			   "observation_until", until, "register_entries", entries);
	entries = NULL;
	rc = finish(conn, c, &f, "dosed", id, detail, 201);
out:
	free(inj);
	free(warn_text);
	register_choice_free(&choice);
	json_decref(warnings);
	json_decref(entries);
	json_decref(detail);
	return rc;
}

/* ---- After the dose ------------------------------------------------------ */

static const char *const breathing_choices[] = { "normal", "slow", "laboured", "absent", NULL };

static const char *const pupil_choices[] = { "normal", "constricted", "pinpoint", "dilated", NULL };

static const struct field postdose_fields[] = {
	{ "sedation_level", FT_INT, true, 0, SETTINGS_MAX_SEDATION_LEVELS - 1, NULL, false },
	{ "respiratory_rate", FT_INT, true, 0, 80, NULL, false },
	{ "spo2", FT_INT, false, 50, 100, NULL, false },
	{ "pupils", FT_ENUM, false, 0, 0, pupil_choices, false },
	{ "breathing", FT_ENUM, false, 0, 0, breathing_choices, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static enum hat_err run_postdose(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	struct assess_postdose in = { 0 };
	unsigned alarms = 0;
	json_t *detail;
	enum hat_err rc = load_for_aftercare(conn, c, &f);

	if (rc != HAT_OK)
		return rc;
	if (f.state != SCHEDULE_OBSERVING && f.state != SCHEDULE_DOSED)
		return cmd_refuse(c, HAT_E_WRONG_STATE, NULL,
				  "A post-dose check follows a dose in this session.");
	in.sedation_level = (int32_t)fields_int(c->input, "sedation_level", 0);
	in.resp_rate = (int32_t)fields_int(c->input, "respiratory_rate", 0);
	in.spo2 = (int32_t)fields_int(c->input, "spo2", -1);
	if (fields_str(c->input, "pupils", NULL))
		assess_pupils_parse(fields_str(c->input, "pupils", ""), &in.pupils);
	if (in.sedation_level >= f.settings.sedation_level_count) {
		char msg[120];

		snprintf(msg, sizeof msg, "The clinic's sedation scale runs from 0 to %d.",
			 (int)f.settings.sedation_level_count - 1);
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "sedation_level", msg);
	}
	rc = assess_postdose_check(&f.settings, &in, &alarms);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, NULL, NULL);
	/* The check's readings and what they mean travel with its event: the
	** board's alarm is folded from the record like every other state. */
	detail = json_deep_copy(c->input);
	json_object_set_new(detail, "alarm_bits", json_integer(alarms));
	json_object_set_new(detail, "abnormal", json_boolean(alarms != 0));
	json_object_set_new(detail, "alarms", visits_alarm_names(alarms));
	json_object_set_new(detail, "offer_adverse_event", json_boolean(alarms != 0));
	rc = finish(conn, c, &f, "postdose_check", 0, detail, 201);
	json_decref(detail);
	return rc;
}

static const struct field notes_fields[] = {
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static const struct field leave_fields[] = {
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "against_advice_reason", FT_STRING, false, 1, 500, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static enum hat_err run_leave(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	struct schedule_step step;
	json_t *detail;
	enum hat_err rc = load_for_aftercare(conn, c, &f);

	if (rc != HAT_OK)
		return rc;
	rc = step_to(c, &f, SCHEDULE_EV_LEAVE, &step);
	if (rc == HAT_E_AGAINST_ADVICE_REASON)
		return cmd_refuse(c, rc, "against_advice_reason", NULL);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, NULL, NULL);
	detail = json_pack("{s:b, s:s, s:b, s:s?}", "left_against_advice", step.left_against_advice,
			   "notes", fields_str(c->input, "notes", ""), "after_abnormal_check",
			   f.last_check_alarms != 0, "against_advice_reason",
			   fields_str(c->input, "against_advice_reason", NULL));
	rc = finish(conn, c, &f, "left", 0, detail, 201);
	json_decref(detail);
	return rc;
}

static const struct field withhold_fields[] = {
	{ "reason", FT_ENUM, true, 0, 0, reason_choices, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static enum hat_err run_withhold(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	struct schedule_step step;
	enum hat_err rc = load_for_visit(conn, c, &f);

	if (rc == HAT_OK)
		rc = step_to(c, &f, SCHEDULE_EV_WITHHOLD, &step);
	if (rc != HAT_OK)
		return rc;
	return finish(conn, c, &f, "withheld", 0, c->input, 201);
}

static enum hat_err run_decline(struct store_conn *conn, struct cmd *c)
{
	struct visits_facts f;
	struct schedule_step step;
	enum hat_err rc = load_for_visit(conn, c, &f);

	if (rc == HAT_OK)
		rc = step_to(c, &f, SCHEDULE_EV_DECLINE, &step);
	if (rc != HAT_OK)
		return rc;
	return finish(conn, c, &f, "declined", 0, c->input, 201);
}

/* ---- The oral component -------------------------------------------------- */

static const struct field oral_fields[] = {
	{ "amount_mg", FT_MG, true, 0, 2000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	GUEST_PREMISES_FIELD,
	FIELDS_END,
};

static enum hat_err run_oral(struct store_conn *conn, struct cmd *c)
{
	struct dosing_oral_request req = { 0 };
	struct register_choice choice = { 0 };
	json_t *entries = NULL;
	struct visits_facts f;
	json_t *detail;
	int64_t assessment_id, id;
	enum hat_err rc;

	rc = guest_load_for_cmd(conn, c, -1, &f);
	if (rc != HAT_OK)
		return rc;
	if (f.patient.discharged)
		return cmd_refuse(c, HAT_E_NO_ACTIVE_EPISODE, NULL, NULL);
	if (!f.has_rx || !f.rx.oral.drug)
		return cmd_refuse(c, HAT_E_NO_PRESCRIPTION, NULL,
				  "There is no current prescription with an oral component.");
	rc = visits_check_witness(conn, c, VISITS_WITNESS_ROLES);
	if (rc == HAT_OK && f.window >= 0)
		rc = load_assessment(conn, &f, &req.assessment, &assessment_id);
	if (rc != HAT_OK)
		return rc;
	req.now = c->now;
	req.local_date = f.local.date;
	req.amount_ug = fields_ug(c->input, "amount_mg", 0);
	req.given_today_ug = f.day_oral_ug;
	rc = dosing_check_oral(&f.settings, &f.rx, &f.patient, &req);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, field_for_dose_error(rc), NULL);
	/* The oral drugs are Schedule 2 too: the dose draws on its own register
	** pages in the same transaction, and is refused whole if stock is short. */
	rc = register_choose_for_dose(conn, f.premises_id, f.rx.oral.drug, req.amount_ug,
				      f.local.date, &choice);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "amount_mg", NULL);
	rc = store_run(conn,
		       "INSERT INTO administrations (patient_id, premises_id, prescription_id, kind,"
		       " drug, route, amount_ug, at, local_date, local_minute, window_no, session_no,"
		       " topup, nurse_id, witness_id, warnings) VALUES (?, ?, ?, 'oral', ?, 'oral', ?,"
		       " ?, ?, ?, ?, 0, 0, ?, ?, '[]')",
		       "iiitiiiiiii", f.patient_id, f.premises_id, f.rx.id,
		       dosing_drug_name(f.rx.oral.drug), req.amount_ug, c->now, (int64_t)f.local.date,
		       (int64_t)f.local.minute_of_day, (int64_t)f.window, c->actor_id, c->witness_id);
	if (rc != HAT_OK) {
		register_choice_free(&choice);
		return rc;
	}
	id = store_last_id(conn);
	rc = register_take_for_dose(conn, c, &choice, id, f.patient_id, f.rx.prescriber.user_id,
				    req.amount_ug, f.local.date, &entries);
	register_choice_free(&choice);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:I, s:s, s:I, s:I, s:I, s:o}", "administration_id", (json_int_t)id,
			   "drug", dosing_drug_name(f.rx.oral.drug), "amount_ug",
			   (json_int_t)req.amount_ug, "day_oral_total_ug",
			   (json_int_t)(f.day_oral_ug + req.amount_ug), "witness_id",
			   (json_int_t)c->witness_id, "register_entries", entries);
	rc = cmd_audit(conn, c, "patient", f.patient_id, detail);
	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

const struct cmd_def visits_check_in = { "visit.check_in", notes_fields, POLICY_RULE(VISIT_CHECK_IN), run_check_in, NULL };
const struct cmd_def visits_assess = { "visit.assess", assess_fields, POLICY_RULE(VISIT_ASSESS), run_assess, NULL };
const struct cmd_def visits_authorise_reduced = {
	"visit.authorise_reduced", authorise_fields, POLICY_RULE(VISIT_AUTHORISE), run_authorise_reduced, NULL,
};
const struct cmd_def visits_administer = {
	"visit.administer", administer_fields, POLICY_RULE(VISIT_ADMINISTER), run_administer, NULL,
};
const struct cmd_def visits_postdose = { "visit.postdose", postdose_fields, POLICY_RULE(VISIT_POSTDOSE), run_postdose, NULL };
const struct cmd_def visits_leave = { "visit.leave", leave_fields, POLICY_RULE(VISIT_LEAVE), run_leave, NULL };
const struct cmd_def visits_withhold = { "visit.withhold", withhold_fields, POLICY_RULE(VISIT_WITHHOLD), run_withhold, NULL };
const struct cmd_def visits_decline = { "visit.decline", notes_fields, POLICY_RULE(VISIT_DECLINE), run_decline, NULL };
const struct cmd_def visits_oral = { "visit.oral", oral_fields, POLICY_RULE(VISIT_ORAL), run_oral, NULL };
