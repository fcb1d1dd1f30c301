/*
** prescriptions.c: see prescriptions.h.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prescriptions.h"
#include "auth/premises.h"
#include "settings.h"

static const char *const drug_choices[] = { "diamorphine", "hydromorphone", NULL };
static const char *const oral_choices[] = { "methadone_oral", "srom", NULL };
static const char *const route_choices[] = { "iv", "im", "sc", NULL };

static const struct field sign_fields[] = {
	{ "drug", FT_ENUM, true, 0, 0, drug_choices, false },
	{ "routes", FT_ENUMS, true, 1, 0, route_choices, false },
	{ "session_dose_mg", FT_MG, true, 0, 2000, NULL, false },
	{ "sessions_per_day", FT_INT, true, 1, DOSING_MAX_SESSIONS_PER_DAY, NULL, false },
	{ "daily_max_mg", FT_MG, true, 0, 5000, NULL, false },
	{ "topup_allowed", FT_BOOL, false, 0, 0, NULL, false },
	{ "topup_max_mg", FT_MG, false, 0, 2000, NULL, false },
	{ "start_date", FT_DATE, true, 0, 0, NULL, false },
	{ "end_date", FT_DATE, false, 0, 0, NULL, true },
	{ "induction", FT_ARRAY, false, 0, 0, NULL, true },
	{ "use_induction_template", FT_BOOL, false, 0, 0, NULL, false },
	{ "oral_drug", FT_ENUM, false, 0, 0, oral_choices, true },
	{ "oral_dose_mg", FT_MG, false, 0, 2000, NULL, false },
	{ "oral_daily_max_mg", FT_MG, false, 0, 5000, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "supersedes_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	{ "induction_waived_reason", FT_STRING, false, 1, 500, NULL, false },
	FIELDS_END,
};

static const struct field stop_fields[] = {
	{ "reason", FT_STRING, true, 1, 500, NULL, false },
	FIELDS_END,
};

static unsigned routes_from_json(json_t *a)
{
	unsigned routes = 0;
	enum dosing_route r;
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (dosing_route_parse(json_string_value(v), &r) == HAT_OK)
			routes |= (unsigned)r;
	}
	return routes;
}

static json_t *routes_json(unsigned routes)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { DOSING_ROUTE_IV, "iv" }, { DOSING_ROUTE_IM, "im" }, { DOSING_ROUTE_SC, "sc" } };
	json_t *a = json_array();

	/* A list missing a route is a different prescription: NULL instead. */
	for (size_t i = 0; a && i < sizeof names / sizeof names[0]; i++) {
		if ((routes & names[i].bit) && json_array_append_new(a, json_string(names[i].name)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *induction_json(const struct dosing_induction *ind)
{
	json_t *days = json_array();
	bool ok = days != NULL;

	for (int d = 0; ok && d < ind->days; d++) {
		json_t *caps = json_array();

		ok = caps != NULL;
		for (int i = 0; ok && i < DOSING_MAX_SESSIONS_PER_DAY; i++)
			ok = json_array_append_new(caps, json_real((double)ind->day[d].session_cap_ug[i] /
								   1000.0)) == 0;
		if (!ok) {
			json_decref(caps);
			break;
		}
		/* json_pack takes caps even when it fails. */
		ok = json_array_append_new(days, json_pack("{s:i, s:f, s:o}", "day", d + 1,
							   "day_cap_mg",
							   (double)ind->day[d].day_cap_ug / 1000.0,
							   "session_caps_mg", caps)) == 0;
	}
	if (!ok) {
		json_decref(days);
		return NULL;
	}
	return days;
}

/* [{"day_cap_mg": 240, "session_caps_mg": [90, 150, 0]}, ...] */
static enum hat_err induction_from_json(json_t *a, struct dosing_induction *ind)
{
	size_t i, j;
	json_t *day;
	json_t *cap;
	json_t *holder;

	memset(ind, 0, sizeof *ind);
	if (json_array_size(a) < 1 || json_array_size(a) > DOSING_MAX_INDUCTION_DAYS)
		return HAT_E_OUT_OF_RANGE;
	json_array_foreach(a, i, day) {
		json_t *caps = json_object_get(day, "session_caps_mg");

		if (!json_is_object(day) || !json_is_array(caps) ||
		    json_array_size(caps) > DOSING_MAX_SESSIONS_PER_DAY)
			return HAT_E_WRONG_TYPE;
		holder = json_pack("{s:O}", "v", json_object_get(day, "day_cap_mg"));
		ind->day[i].day_cap_ug = fields_ug(holder, "v", -1);
		json_decref(holder);
		if (ind->day[i].day_cap_ug < 0)
			return HAT_E_WRONG_TYPE;
		json_array_foreach(caps, j, cap) {
			holder = json_pack("{s:O}", "v", cap);
			ind->day[i].session_cap_ug[j] = fields_ug(holder, "v", -1);
			json_decref(holder);
			if (ind->day[i].session_cap_ug[j] < 0)
				return HAT_E_WRONG_TYPE;
		}
	}
	ind->days = (int32_t)json_array_size(a);
	return HAT_OK;
}

json_t *prescriptions_template_json(void)
{
	struct dosing_induction ind;

	dosing_induction_template_diamorphine(&ind);
	return json_pack("{s:s, s:o}", "name", "diamorphine_twice_daily", "days",
			 induction_json(&ind));
}

static const char sql_licence[] =
	"SELECT id, premises_id, expires_on FROM prescriber_licences"
	" WHERE user_id = ? AND premises_id = ? ORDER BY expires_on DESC, id DESC LIMIT 1";

/* The prescriber as core sees them: their role and their newest licence
** for these premises. */
static enum hat_err load_prescriber(struct store_conn *conn, int64_t user_id,
				    int64_t premises_id, struct dosing_prescriber *p,
				    int64_t *licence_id)
{
	struct store_stmt *s;
	unsigned roles;
	bool row = false;
	/* A prescriber at these premises (or at every one). */
	enum hat_err rc = premises_id > 0 ? auth_roles_at(conn, user_id, premises_id, &roles)
					  : auth_user_roles(conn, user_id, &roles);

	memset(p, 0, sizeof *p);
	*licence_id = 0;
	if (rc != HAT_OK)
		return rc;
	p->user_id = user_id;
	p->is_prescriber = (roles & ROLE_PRESCRIBER) != 0;
	rc = store_prepare(conn, sql_licence, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", user_id, premises_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		p->has_licence = true;
		*licence_id = store_col_int(s, 0);
		p->licence_premises_id = store_col_int(s, 1);
		p->licence_expiry_date = (int32_t)store_col_int(s, 2);
	}
	store_done(s);
	return rc;
}

static enum hat_err drug_of(const char *name, enum dosing_drug *d)
{
	return name ? dosing_drug_parse(name, d) : HAT_E_INVALID_VALUE;
}

static const char sql_rx_cols[] =
	"SELECT p.id, p.drug, p.routes, p.session_dose_ug, p.sessions_per_day, p.daily_max_ug,"
	" p.topup_allowed, p.topup_max_ug, p.start_date, p.end_date, p.induction, p.oral_drug,"
	" p.oral_dose_ug, p.oral_daily_max_ug, p.prescriber_id,"
	" EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id"
	"  AND e.kind = 'stopped'),"
	" EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id"
	"  AND e.kind = 'superseded'), p.premises_id"
	" FROM prescriptions p WHERE p.patient_id = ?"
	" AND NOT EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id)"
	/* Only a prescription signed in the episode now active applies: a
	** readmitted patient needs one signed in the new episode. */
	" AND (p.episode_id IS NULL OR p.episode_id = (SELECT max(x.id) FROM episodes x"
	"  WHERE x.patient_id = p.patient_id AND x.status = 'active'))"
	" AND p.start_date <= ? AND (p.end_date IS NULL OR p.end_date >= ?)"
	" ORDER BY p.id DESC LIMIT 1";

/* Fills rx from a row of sql_rx_cols. */
static enum hat_err rx_from_row(struct store_stmt *s, struct dosing_prescription *rx)
{
	json_error_t jerr;
	json_t *ind;
	json_t *routes;
	enum hat_err rc;

	memset(rx, 0, sizeof *rx);
	rx->id = store_col_int(s, 0);
	rx->is_signed = true;
	rc = drug_of(store_col_text(s, 1), &rx->drug);
	if (rc != HAT_OK)
		return HAT_E_STORE;
	routes = json_loads(store_col_text(s, 2), 0, &jerr);
	rx->routes = routes_from_json(routes);
	json_decref(routes);
	rx->session_dose_ug = store_col_int(s, 3);
	rx->sessions_per_day = (int32_t)store_col_int(s, 4);
	rx->daily_max_ug = store_col_int(s, 5);
	rx->topup_allowed = store_col_int(s, 6) != 0;
	rx->topup_max_ug = store_col_int(s, 7);
	rx->start_date = (int32_t)store_col_int(s, 8);
	rx->end_date = store_col_is_null(s, 9) ? DOSING_NO_END_DATE : (int32_t)store_col_int(s, 9);
	if (!store_col_is_null(s, 10)) {
		ind = json_loads(store_col_text(s, 10), 0, &jerr);
		rc = ind ? induction_from_json(ind, &rx->induction) : HAT_E_STORE;
		json_decref(ind);
		if (rc != HAT_OK)
			return HAT_E_STORE;
		rx->has_induction = true;
	}
	if (!store_col_is_null(s, 11)) {
		if (drug_of(store_col_text(s, 11), &rx->oral.drug) != HAT_OK)
			return HAT_E_STORE;
		rx->oral.dose_ug = store_col_int(s, 12);
		rx->oral.daily_max_ug = store_col_int(s, 13);
	}
	rx->prescriber.user_id = store_col_int(s, 14);
	rx->stopped = store_col_int(s, 15) != 0;
	rx->superseded = store_col_int(s, 16) != 0;
	return HAT_OK;
}

enum hat_err prescriptions_current(struct store_conn *c, int64_t patient_id,
				   int64_t premises_id, int32_t date,
				   struct dosing_prescription *rx, bool *found)
{
	struct store_stmt *s;
	bool row = false;
	int64_t licence_id;
	enum hat_err rc = store_prepare(c, sql_rx_cols, &s);

	*found = false;
	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", patient_id, (int64_t)date, (int64_t)date);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		rc = rx_from_row(s, rx);
	store_done(s);
	if (rc != HAT_OK || !row)
		return rc;
	/* The licence is read as it stands today, not as it stood at signing:
	** the law wants it current at every dose. */
	rc = load_prescriber(c, rx->prescriber.user_id, premises_id, &rx->prescriber, &licence_id);
	*found = rc == HAT_OK;
	return rc;
}

static enum hat_err patient_premises(struct store_conn *conn, struct cmd *c, int64_t patient_id,
				     int64_t *premises_id, int64_t *episode)
{
	bool found;
	enum hat_err rc = store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, premises_id, "i", patient_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = store_query_int(conn, "SELECT id FROM episodes WHERE patient_id = ?"
				   " AND status = 'active'", &found, episode, "i", patient_id);
	if (rc == HAT_OK && !found)
		rc = cmd_refuse(c, HAT_E_NO_ACTIVE_EPISODE, NULL, NULL);
	return rc;
}

static enum hat_err build_rx(struct cmd *c, struct dosing_prescription *rx)
{
	json_t *in = c->input;
	enum hat_err rc;

	memset(rx, 0, sizeof *rx);
	rx->is_signed = true;
	rc = dosing_drug_parse(fields_str(in, "drug", ""), &rx->drug);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "drug", NULL);
	rx->routes = routes_from_json(json_object_get(in, "routes"));
	rx->session_dose_ug = fields_ug(in, "session_dose_mg", 0);
	rx->sessions_per_day = (int32_t)fields_int(in, "sessions_per_day", 0);
	rx->daily_max_ug = fields_ug(in, "daily_max_mg", 0);
	rx->topup_allowed = fields_bool(in, "topup_allowed", false);
	rx->topup_max_ug = fields_ug(in, "topup_max_mg", 0);
	rx->start_date = fields_date(in, "start_date", 0);
	rx->end_date = fields_date(in, "end_date", DOSING_NO_END_DATE);
	if (fields_bool(in, "use_induction_template", false)) {
		if (json_is_array(json_object_get(in, "induction")))
			return cmd_refuse(c, HAT_E_INVALID_VALUE, "induction",
					  "Give an induction schedule or use the template, not both.");
		dosing_induction_template_diamorphine(&rx->induction);
		rx->has_induction = true;
	} else if (json_is_array(json_object_get(in, "induction"))) {
		rc = induction_from_json(json_object_get(in, "induction"), &rx->induction);
		if (rc != HAT_OK)
			return cmd_refuse(c, rc, "induction", NULL);
		rx->has_induction = true;
	}
	if (fields_str(in, "oral_drug", NULL)) {
		rc = dosing_drug_parse(fields_str(in, "oral_drug", ""), &rx->oral.drug);
		if (rc != HAT_OK)
			return cmd_refuse(c, rc, "oral_drug", NULL);
		rx->oral.dose_ug = fields_ug(in, "oral_dose_mg", 0);
		rx->oral.daily_max_ug = fields_ug(in, "oral_daily_max_mg", 0);
	}
	return HAT_OK;
}

/* Which field a refusal from dosing_check_prescription is about. */
static const char *rx_field_for(enum hat_err e)
{
	switch (e) {
	case HAT_E_OVER_CEILING_RX:
		return "daily_max_mg";
	case HAT_E_DATE_ORDER:
		return "end_date";
	case HAT_E_DOSE_OVER_INDUCTION:
		return "induction";
	default:
		return NULL;
	}
}

static enum hat_err supersede(struct store_conn *conn, struct cmd *c, int64_t patient_id,
			      int64_t old_id)
{
	bool found;
	int64_t owner;
	int64_t events;
	enum hat_err rc = store_query_int(conn, "SELECT patient_id FROM prescriptions WHERE id = ?",
					  &found, &owner, "i", old_id);

	if (rc != HAT_OK)
		return rc;
	if (!found || owner != patient_id)
		return cmd_refuse(c, HAT_E_NOT_FOUND, "supersedes_id",
				  "This patient has no such prescription.");
	rc = store_query_int(conn, "SELECT count(*) FROM prescription_events WHERE prescription_id = ?",
			     NULL, &events, "i", old_id);
	if (rc != HAT_OK)
		return rc;
	if (events > 0)
		return cmd_refuse(c, HAT_E_CONFLICT, "supersedes_id",
				  "That prescription is already stopped or superseded.");
	return store_run(conn,
			 "INSERT INTO prescription_events (prescription_id, kind, reason, at, by_id)"
			 " VALUES (?, 'superseded', 'superseded by a new prescription', ?, ?)",
			 "iii", old_id, c->now, c->actor_id);
}

/* One direction at a time: a new prescription whose dates overlap a current
** one must say that it supersedes it, or the older would silently apply
** again when the newer one ends. */
static enum hat_err check_no_overlap(struct store_conn *conn, struct cmd *c,
				     const struct dosing_prescription *rx)
{
	static const char sql[] =
		"SELECT p.id FROM prescriptions p WHERE p.patient_id = ?1"
		" AND NOT EXISTS (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id)"
		" AND (p.end_date IS NULL OR p.end_date >= ?2) AND p.start_date <= ?3 LIMIT 1";
	bool found;
	int64_t id;
	char msg[160];
	enum hat_err rc = store_query_int(conn, sql, &found, &id, "iii", c->target_id,
					  (int64_t)rx->start_date, (int64_t)rx->end_date);

	if (rc != HAT_OK || !found)
		return rc;
	snprintf(msg, sizeof msg, "Prescription %lld is current for these dates: this one must"
				  " supersede it (supersedes_id).", (long long)id);
	return cmd_refuse(c, HAT_E_CONFLICT, "supersedes_id", msg);
}

/* A readmitted patient's first prescription in the new episode starts
** under induction unless the prescriber records why not (core decides). */
static enum hat_err check_readmission(struct store_conn *conn, struct cmd *c, int64_t episode,
				      const struct dosing_prescription *rx)
{
	int64_t earlier, signed_here;
	enum hat_err rc = store_query_int(conn, "SELECT count(*) FROM episodes WHERE patient_id = ?"
					      " AND status = 'discharged'", NULL, &earlier, "i",
					  c->target_id);

	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT count(*) FROM prescriptions WHERE episode_id = ?",
				     NULL, &signed_here, "i", episode);
	if (rc != HAT_OK)
		return rc;
	rc = dosing_check_readmission(earlier > 0, signed_here == 0, rx->has_induction,
				      fields_has(c->input, "induction_waived_reason"));
	return rc == HAT_OK ? HAT_OK : cmd_refuse(c, rc, "induction", NULL);
}

/* Signs the prescription in c->input; *out is the stored prescription
** (new reference) on success. */
static enum hat_err sign_rx(struct store_conn *conn, struct cmd *c, json_t **out_rx)
{
	struct clinic_settings settings;
	struct dosing_prescription rx;
	int64_t version, premises_id, licence_id, id, episode;
	json_t *out = NULL;
	char *routes = NULL;
	char *induction = NULL;
	int64_t supersedes = fields_int(c->input, "supersedes_id", 0);
	enum hat_err rc;

	rc = patient_premises(conn, c, c->target_id, &premises_id, &episode);
	if (rc == HAT_OK)
		rc = cmd_at_premises(conn, c, premises_id);
	if (rc == HAT_OK)
		rc = clinic_settings_load(conn, premises_id, &settings, &version);
	if (rc == HAT_OK)
		rc = build_rx(c, &rx);
	if (rc == HAT_OK)
		rc = check_readmission(conn, c, episode, &rx);
	if (rc == HAT_OK)
		rc = load_prescriber(conn, c->actor_id, premises_id, &rx.prescriber, &licence_id);
	if (rc != HAT_OK)
		return rc;
	rc = dosing_check_prescription(&settings, &rx, clock_local_date(c->now));
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, rx_field_for(rc), NULL);
	if (supersedes) {
		rc = supersede(conn, c, c->target_id, supersedes);
	} else {
		rc = check_no_overlap(conn, c, &rx);
	}
	if (rc != HAT_OK)
		return rc;
	{
		json_t *r = routes_json(rx.routes);

		routes = json_dumps(r, JSON_COMPACT);
		json_decref(r);
	}
	if (rx.has_induction) {
		json_t *ind = induction_json(&rx.induction);

		induction = ind ? json_dumps(ind, JSON_COMPACT) : NULL;
		json_decref(ind);
	}
	/* Never a prescription without the routes or induction it was signed with. */
	if (!routes || (rx.has_induction && !induction)) {
		free(routes);
		free(induction);
		return HAT_E_NOMEM;
	}
	rc = store_run(conn,
		       "INSERT INTO prescriptions (patient_id, premises_id, drug, routes,"
		       " session_dose_ug, sessions_per_day, daily_max_ug, topup_allowed, topup_max_ug,"
		       " start_date, end_date, induction, oral_drug, oral_dose_ug, oral_daily_max_ug,"
		       " notes, prescriber_id, licence_id, supersedes_id, signed_at, episode_id,"
		       " induction_waived_reason)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iittiiiiiiIttiitiIIiit", c->target_id, premises_id, dosing_drug_name(rx.drug),
		       routes, rx.session_dose_ug, (int64_t)rx.sessions_per_day, rx.daily_max_ug,
		       (int64_t)rx.topup_allowed, rx.topup_max_ug, (int64_t)rx.start_date,
		       rx.end_date == DOSING_NO_END_DATE ? INT64_MIN : (int64_t)rx.end_date,
		       induction, rx.oral.drug ? dosing_drug_name(rx.oral.drug) : NULL,
		       rx.oral.dose_ug, rx.oral.daily_max_ug, fields_str(c->input, "notes", ""),
		       c->actor_id, licence_id ? licence_id : INT64_MIN,
		       supersedes ? supersedes : INT64_MIN, c->now, episode,
		       fields_str(c->input, "induction_waived_reason", NULL));
	free(routes);
	free(induction);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	rc = prescriptions_read(conn, id, &out);
	if (rc == HAT_OK)
		rc = cmd_audit(conn, c, "prescription", id, out);
	if (rc == HAT_OK)
		*out_rx = out;
	else
		json_decref(out);
	return rc;
}

static enum hat_err run_sign(struct store_conn *conn, struct cmd *c)
{
	json_t *out = NULL;
	enum hat_err rc = sign_rx(conn, c, &out);

	if (rc == HAT_OK)
		cmd_answer(c, 201, out);
	return rc;
}

enum hat_err prescriptions_sign_within(struct store_conn *conn, struct cmd *c, json_t *body,
				       json_t **out)
{
	const struct cmd_def *def = c->def;
	json_t *input = c->input;
	const char *field = NULL;
	enum hat_err rc = fields_check(sign_fields, body, &field);

	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "prescription", NULL);
	/* The prescription is signed as its own command would sign it, audited
	** as a signing, inside the caller's transaction. */
	c->def = &prescriptions_sign;
	c->input = body;
	rc = sign_rx(conn, c, out);
	c->def = def;
	c->input = input;
	return rc;
}

static enum hat_err run_stop(struct store_conn *conn, struct cmd *c)
{
	int64_t events;
	json_t *out = NULL;
	json_t *detail;
	enum hat_err rc = prescriptions_read(conn, c->target_id, &out);

	if (rc != HAT_OK)
		return rc;
	json_decref(out);
	rc = store_query_int(conn, "SELECT count(*) FROM prescription_events WHERE prescription_id = ?",
			     NULL, &events, "i", c->target_id);
	if (rc != HAT_OK)
		return rc;
	if (events > 0)
		return cmd_refuse(c, HAT_E_CONFLICT, NULL,
				  "This prescription is already stopped or superseded.");
	rc = store_run(conn,
		       "INSERT INTO prescription_events (prescription_id, kind, reason, at, by_id)"
		       " VALUES (?, 'stopped', ?, ?, ?)",
		       "itii", c->target_id, fields_str(c->input, "reason", ""), c->now, c->actor_id);
	if (rc != HAT_OK)
		return rc;
	detail = json_pack("{s:s}", "reason", fields_str(c->input, "reason", ""));
	rc = cmd_audit(conn, c, "prescription", c->target_id, detail);
	json_decref(detail);
	if (rc == HAT_OK)
		rc = prescriptions_read(conn, c->target_id, &out);
	if (rc == HAT_OK)
		cmd_answer(c, 200, out);
	return rc;
}

const struct cmd_def prescriptions_sign = {
	"prescription.sign", sign_fields, POLICY_RULE(RX_SIGN), run_sign, NULL,
};
const struct cmd_def prescriptions_stop = {
	"prescription.stop", stop_fields, POLICY_RULE(RX_STOP), run_stop, NULL,
};

/* Turns the stored text and micrograms into the API's shape.  A row left
** half in the stored shape would be a wrong answer: any failure is an
** error (HAT_E_NOMEM, or HAT_E_STORE for stored JSON that does not parse). */
static enum hat_err shape(json_t *rx)
{
	static const char *const ug[] = { "session_dose_ug", "daily_max_ug", "topup_max_ug",
					  "oral_dose_ug", "oral_daily_max_ug" };
	json_error_t jerr;
	json_t *v;
	const char *ended = json_string_value(json_object_get(rx, "ended"));

	for (size_t i = 0; i < sizeof ug / sizeof ug[0]; i++) {
		char mg[64];
		size_t n = strlen(ug[i]);

		snprintf(mg, sizeof mg, "%.*s_mg", (int)(n - 3), ug[i]);
		if (json_object_set_new(rx, mg, json_real((double)json_integer_value(
							json_object_get(rx, ug[i])) / 1000.0)) != 0 ||
		    json_object_del(rx, ug[i]) != 0)
			return HAT_E_NOMEM;
	}
	v = json_loads(json_string_value(json_object_get(rx, "routes")), 0, &jerr);
	if (!v || json_object_set_new(rx, "routes", v) != 0)
		return HAT_E_STORE;
	if (json_is_string(json_object_get(rx, "induction"))) {
		v = json_loads(json_string_value(json_object_get(rx, "induction")), 0, &jerr);
		if (!v || json_object_set_new(rx, "induction", v) != 0)
			return HAT_E_STORE;
	}
	if (json_object_set_new(rx, "status",
				json_string(!ended ? "current"
					    : strcmp(ended, "stopped") == 0 ? "stopped"
									     : "superseded")) != 0)
		return HAT_E_NOMEM;
	/* ended is borrowed from the "ended" member: deleted last. */
	json_object_del(rx, "ended");
	return HAT_OK;
}


/* One statement serves both reads: by id (?1) or by patient (?2). */
static const char sql_read[] =
	"SELECT p.id, p.patient_id, p.premises_id, p.drug, p.routes, p.session_dose_ug,"
	" p.sessions_per_day, p.daily_max_ug, p.topup_allowed AS is_topup_allowed, p.topup_max_ug,"
	" p.start_date, p.end_date, p.induction, p.oral_drug, p.oral_dose_ug, p.oral_daily_max_ug,"
	" p.notes, p.prescriber_id, u.display_name AS prescriber, l.licence_number,"
	" p.supersedes_id, p.signed_at, e.kind AS ended, e.reason AS ended_reason,"
	" e.at AS ended_at"
	" FROM prescriptions p JOIN users u ON u.id = p.prescriber_id"
	" LEFT JOIN prescriber_licences l ON l.id = p.licence_id"
	" LEFT JOIN prescription_events e ON e.prescription_id = p.id"
	" WHERE (?1 = 0 OR p.id = ?1) AND (?2 = 0 OR p.patient_id = ?2) ORDER BY p.id DESC";

static enum hat_err read_where(struct store_conn *c, int64_t id, int64_t patient_id,
			       json_t **out)
{
	json_t *rows = NULL;
	size_t i;
	json_t *rx;
	enum hat_err rc = store_query_json(c, sql_read, &rows, "ii", id, patient_id);

	if (rc != HAT_OK)
		return rc;
	json_array_foreach(rows, i, rx) {
		rc = shape(rx);
		if (rc != HAT_OK) {
			json_decref(rows);
			return rc;
		}
	}
	*out = rows;
	return HAT_OK;
}

enum hat_err prescriptions_read(struct store_conn *c, int64_t id, json_t **out)
{
	json_t *rows = NULL;
	enum hat_err rc = read_where(c, id, 0, &rows);

	if (rc != HAT_OK)
		return rc;
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	return *out ? HAT_OK : HAT_E_NOT_FOUND;
}

enum hat_err prescriptions_list(struct store_conn *c, int64_t patient_id, json_t **out)
{
	return read_where(c, 0, patient_id, out);
}

enum hat_err prescriptions_end_for_discharge(struct store_conn *conn, struct cmd *c,
					     int64_t patient_id, int64_t episode_id,
					     const char *reason_code)
{
	static const char sql_next[] =
		"SELECT p.id FROM prescriptions p WHERE p.patient_id = ? AND NOT EXISTS"
		" (SELECT 1 FROM prescription_events e WHERE e.prescription_id = p.id)"
		" ORDER BY p.id LIMIT 1";
	char reason[160];
	enum hat_err rc = HAT_OK;

	snprintf(reason, sizeof reason, "ended by discharge (%s)", reason_code);
	/* Each stop is an event, so the next query no longer sees that one. */
	for (;;) {
		bool found;
		int64_t id;
		json_t *detail;

		rc = store_query_int(conn, sql_next, &found, &id, "i", patient_id);
		if (rc != HAT_OK || !found)
			break;
		rc = store_run(conn,
			       "INSERT INTO prescription_events (prescription_id, kind, reason, at, by_id,"
			       " episode_id) VALUES (?, 'stopped', ?, ?, ?, ?)",
			       "itiIi", id, reason, c->now, c->actor_id ? c->actor_id : INT64_MIN,
			       episode_id);
		if (rc != HAT_OK)
			break;
		detail = json_pack("{s:s, s:I}", "reason", reason, "discharged_episode_id",
				   (json_int_t)episode_id);
		rc = cmd_audit(conn, c, "prescription", id, detail);
		json_decref(detail);
		if (rc != HAT_OK)
			break;
	}
	return rc;
}
