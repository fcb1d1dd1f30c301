/*
** guest.c: see guest.h.
*/
#include <stdio.h>
#include <string.h>

#include "auth/policy.h"
#include "core/guest.h"
#include "guest.h"
#include "prescriptions.h"

enum hat_err guest_load_for_cmd(struct store_conn *conn, struct cmd *c, int32_t window,
				struct visits_facts *f)
{
	int64_t where = fields_int(c->input, "premises_id", 0);
	int64_t n = 0;
	enum hat_err rc;

	if (where > 0) {
		rc = store_query_int(conn, "SELECT count(*) FROM premises WHERE id = ?", NULL, &n,
				     "i", where);
		if (rc != HAT_OK)
			return rc;
		if (n == 0)
			return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	}
	rc = visits_load_facts_at(conn, c->target_id, where, c->now, window, f);
	/* The visit happens at f->premises_id: the role must be held there. */
	if (rc == HAT_OK)
		rc = cmd_at_premises(conn, c, f->premises_id);
	if (rc != HAT_OK || f->premises_id == f->home_premises_id)
		return rc;
	rc = store_query_int(conn, "SELECT count(*) FROM guest_authorisations WHERE patient_id = ?"
				   " AND premises_id = ? AND local_date = ?",
			     NULL, &n, "iii", f->patient_id, f->premises_id, (int64_t)f->local.date);
	if (rc != HAT_OK)
		return rc;
	rc = guest_check(f->home_premises_id, f->premises_id, n > 0);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "premises_id", NULL);
	return HAT_OK;
}

static const struct field authorise_fields[] = {
	{ "premises_id", FT_INT, true, 1, INT64_MAX, NULL, false },
	{ "dates", FT_ARRAY, true, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static enum hat_err run_authorise(struct store_conn *conn, struct cmd *c)
{
	json_t *dates = json_object_get(c->input, "dates");
	int64_t guest = fields_int(c->input, "premises_id", 0);
	int32_t days[GUEST_MAX_DAYS];
	int64_t home = 0, n = 0;
	size_t count = json_array_size(dates), bad = 0, i;
	bool found;
	json_t *d, *ids;
	json_t *v;
	enum hat_err rc = store_query_int(conn, "SELECT premises_id FROM patients WHERE id = ?",
					  &found, &home, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = store_query_int(conn, "SELECT count(*) FROM premises WHERE id = ?", NULL, &n, "i", guest);
	if (rc != HAT_OK)
		return rc;
	if (n == 0)
		return cmd_refuse(c, HAT_E_UNKNOWN_PREMISES, "premises_id", NULL);
	if (count < 1 || count > GUEST_MAX_DAYS)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "dates", "Give 1 to 28 days.");
	json_array_foreach(dates, i, v) {
		if (!json_is_string(v))
			return cmd_refuse(c, HAT_E_WRONG_TYPE, "dates", "Each day is \"YYYY-MM-DD\".");
		if (clock_parse_date(json_string_value(v), &days[i]) != HAT_OK)
			return cmd_refuse(c, HAT_E_INVALID_DATE, "dates", json_string_value(v));
	}
	rc = guest_check_days(home, guest, days, count, clock_local_date(c->now), &bad);
	if (rc == HAT_E_INVALID_VALUE)
		return cmd_refuse(c, rc, "premises_id", "That is the person's own premises.");
	if (rc == HAT_E_DATE_ORDER)
		return cmd_refuse(c, rc, "dates", "A guest day cannot be in the past.");
	if (rc == HAT_E_CONFLICT)
		return cmd_refuse(c, rc, "dates", "A day is given twice.");
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "dates", NULL);
	ids = json_array();
	for (i = 0; rc == HAT_OK && i < count; i++) {
		rc = store_query_int(conn, "SELECT count(*) FROM guest_authorisations WHERE"
					   " patient_id = ? AND premises_id = ? AND local_date = ?",
				     NULL, &n, "iii", c->target_id, guest, (int64_t)days[i]);
		if (rc == HAT_OK && n > 0)
			rc = cmd_refuse(c, HAT_E_CONFLICT, "dates", "A day is already authorised.");
		if (rc == HAT_OK)
			rc = store_run(conn,
				       "INSERT INTO guest_authorisations (patient_id, home_premises_id,"
				       " premises_id, local_date, notes, by_id, at)"
				       " VALUES (?, ?, ?, ?, ?, ?, ?)",
				       "iiiitii", c->target_id, home, guest, (int64_t)days[i],
				       fields_str(c->input, "notes", ""), c->actor_id, c->now);
		if (rc == HAT_OK)
			json_array_append_new(ids, json_integer(store_last_id(conn)));
	}
	if (rc != HAT_OK) {
		json_decref(ids);
		return rc;
	}
	d = json_pack("{s:I, s:I, s:I, s:O, s:o, s:s}", "patient_id", (json_int_t)c->target_id,
		      "home_premises_id", (json_int_t)home, "premises_id", (json_int_t)guest,
		      "dates", dates, "ids", ids, "notes", fields_str(c->input, "notes", ""));
	return cmd_audit_answer(conn, c, "patient", c->target_id, d, 201);
}

const struct cmd_def guest_authorise = {
	"guest.authorise", authorise_fields, POLICY_RULE(GUEST_AUTHORISE), run_authorise, NULL,
};

enum hat_err guest_list(struct store_conn *c, int64_t premises_id, int32_t date, json_t **out)
{
	static const char sql[] =
		"SELECT g.id, g.patient_id, p.given_name, p.family_name, g.home_premises_id,"
		" h.name AS home_premises, g.local_date AS guest_date, g.notes,"
		" u.display_name AS authorised_by, g.at AS authorised_at"
		" FROM guest_authorisations g JOIN patients p ON p.id = g.patient_id"
		" JOIN premises h ON h.id = g.home_premises_id JOIN users u ON u.id = g.by_id"
		" WHERE g.premises_id = ? AND g.local_date = ? ORDER BY p.family_name, p.id";
	static const char sql_doses[] =
		"SELECT a.id, a.kind, a.amount_ug, a.at, a.premises_id, r.name AS premises,"
		" a.session_no, a.topup FROM administrations a JOIN premises r ON r.id = a.premises_id"
		" WHERE a.patient_id = ? AND a.local_date = ? ORDER BY a.at, a.id";
	json_t *list = NULL, *g;
	size_t i;
	enum hat_err rc = store_query_json(c, sql, &list, "ii", premises_id, (int64_t)date);

	json_array_foreach(list, i, g) {
		int64_t pid = json_integer_value(json_object_get(g, "patient_id"));
		struct dosing_prescription rx;
		json_t *doses = NULL, *rxj = json_null();
		int64_t home = json_integer_value(json_object_get(g, "home_premises_id"));
		bool has = false;

		if (rc != HAT_OK)
			break;
		rc = store_query_json(c, sql_doses, &doses, "ii", pid, (int64_t)date);
		if (rc == HAT_OK)
			rc = prescriptions_current(c, pid, home, date, &rx, &has);
		if (rc == HAT_OK && has) {
			json_decref(rxj);
			rc = prescriptions_read(c, rx.id, &rxj);
		}
		json_object_set_new(g, "doses_today", doses ? doses : json_array());
		json_object_set_new(g, "prescription", rxj ? rxj : json_null());
	}
	if (rc != HAT_OK) {
		json_decref(list);
		return rc;
	}
	*out = json_pack("{s:I, s:o}", "premises_id", (json_int_t)premises_id, "guests", list);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
