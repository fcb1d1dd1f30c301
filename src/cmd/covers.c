/*
** covers.c: giving oral cover (see flex.h): a supervised dose, a take-home
** supply and the return of unused take-home doses.  The oral drugs are
** Schedule 2: a supervised dose is an administration with its register
** entries, as the oral component's are; a take-home supply posts register
** entries naming the patient (and no administration); a return goes to the
** returns log, never back into stock.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flex.h"
#include "register.h"
#include "visits.h"

static const struct field give_fields[] = {
	{ "amount_mg", FT_MG, true, 0, 5000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static const struct field supply_fields[] = {
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

static const struct field return_fields[] = {
	{ "amount_mg", FT_MG, true, 0, 100000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	FIELDS_END,
};

struct cover_row {
	int64_t id;
	int64_t patient_id;
	int64_t premises_id;
	int64_t prescriber_id;
	struct flex_cover cover;
	bool absence_in_force;
	int64_t supervised_today_ug;
	int64_t supplied_ug;
	int64_t returned_ug;
	int32_t supply_first;
	int32_t supply_days;
};

static enum hat_err load_cover(struct store_conn *conn, int64_t id, int32_t today,
			       struct cover_row *out)
{
	static const char sql[] =
		"SELECT o.patient_id, o.premises_id, o.prescriber_id, o.drug, o.daily_dose_ug, o.mode,"
		" o.from_date, o.to_date, NOT EXISTS (SELECT 1 FROM planned_absences x"
		"  WHERE x.cancels_id = o.absence_id),"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'supervised' AND e.local_date = ?2), 0),"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'take_home'), 0),"
		" coalesce((SELECT sum(e.amount_ug) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'return'), 0),"
		" coalesce((SELECT min(e.first_date) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'take_home'), 0),"
		" coalesce((SELECT sum(e.days) FROM oral_cover_events e WHERE e.cover_id = o.id"
		"  AND e.kind = 'take_home'), 0)"
		" FROM oral_covers o WHERE o.id = ?1";
	struct store_stmt *s = NULL;
	bool row = false;
	enum hat_err rc = store_prepare(conn, sql, &s);

	memset(out, 0, sizeof *out);
	out->id = id;
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", id, (int64_t)today);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		out->patient_id = store_col_int(s, 0);
		out->premises_id = store_col_int(s, 1);
		out->prescriber_id = store_col_int(s, 2);
		dosing_drug_parse(store_col_text(s, 3), &out->cover.drug);
		out->cover.daily_dose_ug = store_col_int(s, 4);
		flex_cover_mode_parse(store_col_text(s, 5), &out->cover.mode);
		out->cover.from_date = (int32_t)store_col_int(s, 6);
		out->cover.to_date = (int32_t)store_col_int(s, 7);
		out->absence_in_force = store_col_int(s, 8) != 0;
		out->supervised_today_ug = store_col_int(s, 9);
		out->supplied_ug = store_col_int(s, 10);
		out->returned_ug = store_col_int(s, 11);
		out->supply_first = (int32_t)store_col_int(s, 12);
		out->supply_days = (int32_t)store_col_int(s, 13);
	}
	store_done(s);
	if (rc == HAT_OK && !row)
		rc = HAT_E_NOT_FOUND;
	return rc;
}

/* Loads the cover and the patient's facts now, refusing a cover whose
** absence was cancelled. */
static enum hat_err load_all(struct store_conn *conn, struct cmd *c, struct cover_row *cv,
			     struct visits_facts *f)
{
	enum hat_err rc = load_cover(conn, c->target_id, clock_local_date(c->now), cv);

	if (rc != HAT_OK)
		return rc;
	if (!cv->absence_in_force)
		return cmd_refuse(c, HAT_E_ABSENCE_CANCELLED, NULL,
				  "The planned absence this cover was for was cancelled.");
	rc = visits_load_facts(conn, cv->patient_id, c->now, -1, f);
	return rc == HAT_OK ? cmd_at_premises(conn, c, f->premises_id) : rc;
}

static enum hat_err record_event(struct store_conn *conn, struct cmd *c, const char *kind,
				 int64_t amount, int32_t first, int32_t days, int64_t adm_id,
				 int64_t ret_id, int64_t *id)
{
	enum hat_err rc = store_run(conn,
				    "INSERT INTO oral_cover_events (cover_id, kind, amount_ug,"
				    " first_date, days, administration_id, returns_log_id, by_id,"
				    " witness_id, at, local_date)"
				    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				    "itiiiIIiiii", c->target_id, kind, amount, (int64_t)first,
				    (int64_t)days, adm_id ? adm_id : INT64_MIN,
				    ret_id ? ret_id : INT64_MIN, c->actor_id, c->witness_id, c->now,
				    (int64_t)clock_local_date(c->now));

	*id = store_last_id(conn);
	return rc;
}

static enum hat_err finish(struct store_conn *conn, struct cmd *c, json_t *detail)
{
	enum hat_err rc = cmd_audit(conn, c, "oral_cover", c->target_id, detail);

	if (rc == HAT_OK)
		cmd_answer(c, 201, detail);
	else
		json_decref(detail);
	return rc;
}

static enum hat_err run_give(struct store_conn *conn, struct cmd *c)
{
	struct register_choice choice = { 0 };
	struct cover_row cv;
	struct visits_facts *f = calloc(1, sizeof *f);
	json_t *entries = NULL;
	int64_t amount = fields_ug(c->input, "amount_mg", 0);
	int64_t adm, ev;
	enum hat_err rc = f ? load_all(conn, c, &cv, f) : HAT_E_NOMEM;

	if (rc != HAT_OK)
		goto out;
	rc = flex_check_cover_dose(&f->settings, &cv.cover, &f->patient, amount,
				   cv.supervised_today_ug, f->day_oral_ug, f->local.date);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, rc == HAT_E_COVER_NOT_DUE || rc == HAT_E_PATIENT_BLOCKED ||
					       rc == HAT_E_NO_ACTIVE_EPISODE
					       ? NULL
					       : "amount_mg",
				rc == HAT_E_DOSE_OVER_SESSION
					? "This is more than the oral cover's daily dose."
					: NULL);
		goto out;
	}
	/* An administration belongs to a prescription: the injectable one in
	** force, which the cover stands in for. */
	if (!f->has_rx) {
		rc = cmd_refuse(c, HAT_E_NO_PRESCRIPTION, NULL,
				"There is no current prescription this cover stands in for.");
		goto out;
	}
	rc = visits_check_witness(conn, c, VISITS_WITNESS_ROLES);
	if (rc != HAT_OK)
		goto out;
	rc = register_choose_for_dose(conn, cv.premises_id, cv.cover.drug, amount, f->local.date,
				      &choice);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "amount_mg", NULL);
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO administrations (patient_id, premises_id, prescription_id, kind,"
		       " drug, route, amount_ug, at, local_date, local_minute, window_no, session_no,"
		       " topup, nurse_id, witness_id, warnings) VALUES (?, ?, ?, 'oral', ?, 'oral', ?,"
		       " ?, ?, ?, ?, 0, 0, ?, ?, '[]')",
		       "iiitiiiiiii", cv.patient_id, cv.premises_id, f->rx.id,
		       dosing_drug_name(cv.cover.drug), amount, c->now, (int64_t)f->local.date,
		       (int64_t)f->local.minute_of_day, (int64_t)f->window, c->actor_id,
		       c->witness_id);
	adm = store_last_id(conn);
	if (rc == HAT_OK)
		rc = register_take_for_dose(conn, c, &choice, adm, cv.patient_id, cv.prescriber_id,
					    amount, f->local.date, &entries);
	if (rc == HAT_OK)
		rc = record_event(conn, c, "supervised", amount, f->local.date, 1, adm, 0, &ev);
	if (rc == HAT_OK)
		rc = finish(conn, c,
			    json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:s, s:I, s:o}", "event_id",
				      (json_int_t)ev, "cover_id", (json_int_t)cv.id, "kind",
				      "supervised", "drug", dosing_drug_name(cv.cover.drug),
				      "amount_ug", (json_int_t)amount, "administration_id",
				      (json_int_t)adm, "covers", "today", "witness_id",
				      (json_int_t)c->witness_id, "register_entries", entries));
	else
		json_decref(entries);
out:
	register_choice_free(&choice);
	free(f);
	return rc;
}

static enum hat_err run_supply(struct store_conn *conn, struct cmd *c)
{
	struct register_choice choice = { 0 };
	struct clinic_settings *s;
	struct flex_settings fs;
	struct cover_row cv;
	struct visits_facts *f = calloc(1, sizeof *f);
	json_t *entries = NULL;
	int32_t first = 0, days = 0;
	int64_t amount = 0, version, ev;
	char from[11], to[11];
	enum hat_err rc = f ? load_all(conn, c, &cv, f) : HAT_E_NOMEM;

	if (rc != HAT_OK)
		goto out;
	s = &f->settings;
	rc = flex_settings_load(conn, cv.premises_id, s, &fs, &version);
	if (rc != HAT_OK)
		goto out;
	rc = flex_check_supply(&fs, &cv.cover, &f->patient, cv.supplied_ug, f->local.date, &first,
			       &days, &amount);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, NULL, NULL);
		goto out;
	}
	rc = visits_check_witness(conn, c, VISITS_WITNESS_ROLES);
	if (rc == HAT_OK)
		rc = register_choose_for_dose(conn, cv.premises_id, cv.cover.drug, amount,
					      f->local.date, &choice);
	if (rc == HAT_E_NO_STOCK) {
		rc = cmd_refuse(c, rc, NULL, NULL);
		goto out;
	}
	/* A supply, not a dose: its entries name the patient and no
	** administration. */
	if (rc == HAT_OK)
		rc = register_take_for_dose(conn, c, &choice, 0, cv.patient_id, cv.prescriber_id,
					    amount, f->local.date, &entries);
	if (rc == HAT_OK)
		rc = record_event(conn, c, "take_home", amount, first, days, 0, 0, &ev);
	clock_format_date(first, from);
	clock_format_date(first + days - 1, to);
	if (rc == HAT_OK)
		rc = finish(conn, c,
			    json_pack("{s:I, s:I, s:s, s:s, s:I, s:I, s:i, s:s, s:s, s:I, s:o}",
				      "event_id", (json_int_t)ev, "cover_id", (json_int_t)cv.id,
				      "kind", "take_home", "drug", dosing_drug_name(cv.cover.drug),
				      "amount_ug", (json_int_t)amount, "daily_dose_ug",
				      (json_int_t)cv.cover.daily_dose_ug, "days", (int)days,
				      "from_date", from, "to_date", to, "witness_id",
				      (json_int_t)c->witness_id, "register_entries", entries));
	else
		json_decref(entries);
out:
	register_choice_free(&choice);
	free(f);
	return rc;
}

static enum hat_err run_return(struct store_conn *conn, struct cmd *c)
{
	struct cover_row cv;
	int64_t amount = fields_ug(c->input, "amount_mg", 0);
	int64_t ret, ev;
	char desc[200], qty[40];
	enum hat_err rc = load_cover(conn, c->target_id, clock_local_date(c->now), &cv);

	if (rc != HAT_OK)
		return rc;
	if (amount <= 0)
		return cmd_refuse(c, HAT_E_OUT_OF_RANGE, "amount_mg", NULL);
	if (cv.cover.mode != FLEX_COVER_TAKE_HOME || cv.supplied_ug == 0)
		return cmd_refuse(c, HAT_E_COVER_NOT_DUE, NULL,
				  "Nothing was handed over under this cover to return.");
	if (amount > cv.supplied_ug - cv.returned_ug)
		return cmd_refuse(c, HAT_E_RETURN_OVER_SUPPLY, "amount_mg", NULL);
	rc = visits_check_witness(conn, c, REGISTER_WITNESS_ROLES);
	if (rc != HAT_OK)
		return rc;
	snprintf(desc, sizeof desc, "Unused take-home oral cover (%s), cover %lld%s%s",
		 dosing_drug_name(cv.cover.drug), (long long)cv.id,
		 *fields_str(c->input, "notes", "") ? ": " : "", fields_str(c->input, "notes", ""));
	snprintf(qty, sizeof qty, "%lld.%03lld mg", (long long)(amount / 1000),
		 (long long)(amount % 1000));
	rc = store_run(conn,
		       "INSERT INTO returns_log (premises_id, patient_id, description, quantity,"
		       " received_by, witness_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "iittiii", cv.premises_id, cv.patient_id, desc, qty, c->actor_id,
		       c->witness_id, c->now);
	ret = store_last_id(conn);
	if (rc == HAT_OK)
		rc = record_event(conn, c, "return", amount, cv.supply_first,
				  cv.supply_days > 0 ? cv.supply_days : 1, 0, ret, &ev);
	if (rc != HAT_OK)
		return rc;
	return finish(conn, c,
		      json_pack("{s:I, s:I, s:s, s:I, s:I, s:I, s:i}", "event_id", (json_int_t)ev,
				"cover_id", (json_int_t)cv.id, "kind", "return", "amount_ug",
				(json_int_t)amount, "returns_log_id", (json_int_t)ret,
				"returned_total_ug", (json_int_t)(cv.returned_ug + amount),
				"days_taken",
				(int)flex_take_home_days_taken(cv.supply_days,
							       cv.cover.daily_dose_ug,
							       cv.returned_ug + amount)));
}

const struct cmd_def flex_cover_give = {
	"cover.give", give_fields, POLICY_RULE(COVER_GIVE), run_give, NULL,
};
const struct cmd_def flex_cover_supply = {
	"cover.supply", supply_fields, POLICY_RULE(COVER_GIVE), run_supply, NULL,
};
const struct cmd_def flex_cover_return = {
	"cover.return", return_fields, POLICY_RULE(COVER_RETURN), run_return, NULL,
};
