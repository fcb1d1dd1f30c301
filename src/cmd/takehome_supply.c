/*
** takehome_supply.c: a take-home supply posted to the register, and what
** comes back or is lost (see takehome.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"
#include "register.h"
#include "takehome.h"
#include "takehome_record.h"
#include "visits.h"

static const char *const return_kinds[] = { "returned", "lost", NULL };

/* ---- The supply ---------------------------------------------------------------------- */

static const struct field supply_fields[] = {
	{ "first_date", FT_DATE, true, 0, 0, NULL, false },
	{ "days", FT_INT, true, 1, 31, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

struct overlap_arg {
	int32_t first, days;
	bool overlap;
};

static void note_overlap(void *p, int32_t first, int32_t days, int32_t unused)
{
	struct overlap_arg *a = p;

	if (takehome_days_overlap(first, days - unused, a->first, a->days))
		a->overlap = true;
}

/* No day of the supply may already have a supervised dose or another
** supply: a day is dosed once. */
static enum hat_err check_overlap(struct store_conn *conn, struct cmd *c, int64_t patient,
				  int32_t first, int32_t days)
{
	struct overlap_arg a = { first, days, false };
	int64_t n = 0;
	enum hat_err rc = takehome_each_supply(conn, patient, note_overlap, &a);

	if (rc == HAT_OK)
		rc = store_query_int(conn, "SELECT count(*) FROM administrations WHERE patient_id = ?"
					   " AND kind = 'injection' AND local_date BETWEEN ? AND ?",
				     NULL, &n, "iii", patient, (int64_t)first,
				     (int64_t)(first + days - 1));
	if (rc != HAT_OK)
		return rc;
	if (a.overlap)
		return cmd_refuse(c, HAT_E_TAKEHOME_DAY_COVERED, "first_date",
				  "Another take-home supply already covers one of these days.");
	if (n > 0)
		return cmd_refuse(c, HAT_E_TAKEHOME_DAY_COVERED, "first_date",
				  "A supervised dose was already given on one of these days.");
	return HAT_OK;
}

static json_t *entry_ids(json_t *entries, int64_t *ampoules)
{
	json_t *ids = json_array();
	json_t *e;
	size_t i;

	*ampoules = 0;
	json_array_foreach(entries, i, e) {
		json_array_append(ids, json_object_get(e, "entry_id"));
		*ampoules += json_integer_value(json_object_get(e, "ampoules"));
	}
	return ids;
}

static enum hat_err run_supply(struct store_conn *conn, struct cmd *c)
{
	struct takehome_verdict v;
	struct register_choice choice = { 0 };
	struct takehome_record *f = malloc(sizeof *f);
	int32_t first = fields_date(c->input, "first_date", 0);
	int32_t days = (int32_t)fields_int(c->input, "days", 0);
	int64_t doses, total, ampoules, id;
	json_t *entries = NULL, *ids = NULL, *criteria = NULL, *d = NULL;
	char *ids_text = NULL, *criteria_text = NULL;
	char reason[120];
	enum hat_err rc;

	if (!f)
		return HAT_E_NOMEM;
	rc = takehome_record_load(conn, c->target_id, c->now, f);
	if (rc == HAT_OK)
		rc = takehome_check(&f->setting, &f->t, f->today, days, true, &v);
	if (rc == HAT_OK && v.first != HAT_OK)
		rc = takehome_refuse_verdict(c, f, &v);
	if (rc == HAT_OK && takehome_check_first_date(first, f->today) != HAT_OK)
		rc = cmd_refuse(c, HAT_E_DATE_ORDER, "first_date",
				"A supply starts today or tomorrow.");
	if (rc == HAT_OK)
		rc = check_overlap(conn, c, f->v.patient_id, first, days);
	if (rc != HAT_OK)
		goto out;
	/* One dose's ampoules, whole: no part-used ampoule leaves the clinic,
	** so every dose is the same exact set, taken once per dose. */
	rc = register_choose_for_dose(conn, f->v.premises_id, f->v.rx.drug, f->v.rx.session_dose_ug,
				      f->today, &choice);
	if (rc != HAT_OK) {
		rc = cmd_refuse(c, rc, "days", NULL);
		goto out;
	}
	if (choice.waste_ug != 0) {
		rc = cmd_refuse(c, HAT_E_TAKEHOME_PART_AMPOULE, NULL, NULL);
		goto out;
	}
	doses = (int64_t)days * f->v.rx.sessions_per_day;
	total = doses * f->v.rx.session_dose_ug;
	for (size_t i = 0; i < choice.n; i++)
		choice.picks[i].count *= doses;
	snprintf(reason, sizeof reason, "take-home supply: %d day(s) of %d dose(s) from %s",
		 (int)days, (int)f->v.rx.sessions_per_day, fields_str(c->input, "first_date", ""));
	rc = register_take_for_supply(conn, c, &choice, f->v.patient_id,
				      f->v.rx.prescriber.user_id, total, f->today, reason, &entries);
	if (rc == HAT_E_BALANCE_NEGATIVE)
		rc = cmd_refuse(c, HAT_E_NO_STOCK, "days", NULL);
	if (rc != HAT_OK)
		goto out;
	ids = entry_ids(entries, &ampoules);
	criteria = takehome_verdict_json(f, &v);
	ids_text = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
	criteria_text = criteria ? json_dumps(criteria, JSON_COMPACT) : NULL;
	if (!ids_text || !criteria_text) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_run(conn,
		       "INSERT INTO takehome_supplies (patient_id, premises_id, prescription_id,"
		       " first_date, days, doses_per_day, dose_ug, total_ug, ampoules, comorbidity,"
		       " register_entries, criteria, nurse_id, witness_id, at, local_date)"
		       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "iiiiiiiiiittiiii", f->v.patient_id, f->v.premises_id, f->v.rx.id,
		       (int64_t)first, (int64_t)days, (int64_t)f->v.rx.sessions_per_day,
		       f->v.rx.session_dose_ug, total, ampoules, (int64_t)(v.max_days > 2),
		       ids_text, criteria_text, c->actor_id, c->witness_id, c->now,
		       (int64_t)f->today);
	if (rc != HAT_OK)
		goto out;
	id = store_last_id(conn);
	d = json_pack("{s:I, s:I, s:s, s:i, s:i, s:I, s:I, s:I, s:I, s:O, s:O}", "id", (json_int_t)id,
		      "prescription_id", (json_int_t)f->v.rx.id, "first_date",
		      fields_str(c->input, "first_date", ""), "days", (int)days, "doses_per_day",
		      (int)f->v.rx.sessions_per_day, "dose_ug", (json_int_t)f->v.rx.session_dose_ug,
		      "total_ug", (json_int_t)total, "ampoules", (json_int_t)ampoules, "witness_id",
		      (json_int_t)c->witness_id, "register_entries", entries, "criteria", criteria);
	rc = cmd_audit(conn, c, "patient", f->v.patient_id, d);
	if (rc == HAT_OK) {
		cmd_answer(c, 201, d);
		d = NULL;
	}
out:
	register_choice_free(&choice);
	json_decref(entries);
	json_decref(ids);
	json_decref(criteria);
	json_decref(d);
	free(ids_text);
	free(criteria_text);
	free(f);
	return rc;
}

/* ---- Returns and losses ------------------------------------------------------------------ */

static const struct field return_fields[] = {
	{ "kind", FT_ENUM, true, 0, 0, return_kinds, false },
	{ "ampoules", FT_INT, true, 1, 10000, NULL, false },
	{ "days_unused", FT_INT, false, 0, 31, NULL, false },
	{ "notes", FT_STRING, false, 0, 2000, NULL, false },
	{ "witness", FT_OBJECT, false, 0, 0, NULL, false },
	FIELDS_END,
};

static enum hat_err run_return(struct store_conn *conn, struct cmd *c)
{
	static const char sql[] =
		"SELECT s.patient_id, s.premises_id, s.ampoules, s.days,"
		" coalesce((SELECT sum(r.ampoules) FROM takehome_returns r WHERE r.supply_id = s.id), 0),"
		" coalesce((SELECT sum(r.days_unused) FROM takehome_returns r WHERE r.supply_id = s.id), 0)"
		" FROM takehome_supplies s WHERE s.id = ?";
	const char *kind = fields_str(c->input, "kind", "");
	bool lost = strcmp(kind, "lost") == 0;
	int64_t patient = 0, premises = 0, supplied = 0, already = 0, incident = INT64_MIN, id;
	int32_t days = 0, unused = 0;
	int64_t qty = fields_int(c->input, "ampoules", 0);
	int32_t days_unused = (int32_t)fields_int(c->input, "days_unused", 0);
	struct store_stmt *s;
	bool row = false;
	json_t *d;
	enum hat_err rc = store_prepare(conn, sql, &s);

	if (rc == HAT_OK)
		rc = store_bind_int(s, 1, c->target_id);
	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row) {
		patient = store_col_int(s, 0);
		premises = store_col_int(s, 1);
		supplied = store_col_int(s, 2);
		days = (int32_t)store_col_int(s, 3);
		already = store_col_int(s, 4);
		unused = (int32_t)store_col_int(s, 5);
	}
	store_done(s);
	if (rc != HAT_OK)
		return rc;
	if (!row)
		return HAT_E_NOT_FOUND;
	rc = takehome_check_return(supplied, already, days, unused, qty, days_unused);
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, "ampoules", NULL);
	rc = cmd_at_premises(conn, c, premises);
	if (rc != HAT_OK)
		return rc;
	if (!lost) {
		rc = visits_check_witness(conn, c, TAKEHOME_WITNESS_ROLES);
		if (rc != HAT_OK)
			return rc;
	} else {
		char desc[400];

		/* A lost controlled drug is an incident for the CDAO. */
		snprintf(desc, sizeof desc, "%lld take-home ampoule(s) of supply %lld reported lost. %s",
			 (long long)qty, (long long)c->target_id, fields_str(c->input, "notes", ""));
		rc = store_run(conn,
			       "INSERT INTO incidents (premises_id, kind, occurred_at, description,"
			       " reported_by, at) VALUES (?, 'loss', ?, ?, ?, ?)",
			       "iitii", premises, c->now, desc, c->actor_id, c->now);
		if (rc != HAT_OK)
			return rc;
		incident = store_last_id(conn);
	}
	rc = store_run(conn,
		       "INSERT INTO takehome_returns (supply_id, kind, ampoules, days_unused, notes,"
		       " incident_id, by_id, witness_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "itiitIiIi", c->target_id, kind, qty, (int64_t)days_unused,
		       fields_str(c->input, "notes", ""), incident, c->actor_id,
		       !lost && c->witness_id ? c->witness_id : INT64_MIN, c->now);
	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	d = json_pack("{s:I, s:I, s:s, s:I, s:i, s:s}", "id", (json_int_t)id, "supply_id",
		      (json_int_t)c->target_id, "kind", kind, "ampoules", (json_int_t)qty,
		      "days_unused", (int)days_unused, "notes", fields_str(c->input, "notes", ""));
	if (d && incident != INT64_MIN)
		json_object_set_new(d, "incident_id", json_integer(incident));
	return cmd_audit_answer(conn, c, "patient", patient, d, 201);
}

const struct cmd_def takehome_supply = {
	"takehome.supply", supply_fields, POLICY_RULE(TAKEHOME_SUPPLY), run_supply, NULL,
};
const struct cmd_def takehome_return = {
	"takehome.return", return_fields, POLICY_RULE(TAKEHOME_RETURN), run_return, NULL,
};

enum hat_err takehome_verify(struct store_conn *c, bool *ok, char *finding, size_t n)
{
	/* A supply's register entries are the ones its command wrote: stock
	** out to its patient for no administration, at the supply's moment
	** (matched so, rather than through the list the supply keeps, so that
	** the check is the same SQL in every store).  Each supply's give
	** exactly its total. */
	static const char sql_sums[] =
		"SELECT s.id FROM takehome_supplies s WHERE (SELECT sum(e.given_ug) FROM"
		" register_entries e WHERE e.kind = 'administration' AND e.administration_id IS NULL"
		" AND e.patient_id = s.patient_id AND e.at = s.at) IS NOT s.total_ug"
		" ORDER BY s.id LIMIT 1";
	/* An entry that takes stock out to a patient names a dose or a supply:
	** a take-home injectable supply, or a take-home oral cover supply
	** (cmd/covers.c), found the same way. */
	static const char sql_orphans[] =
		"SELECT e.id FROM register_entries e WHERE e.kind = 'administration'"
		" AND e.administration_id IS NULL AND NOT EXISTS (SELECT 1 FROM takehome_supplies s"
		"  WHERE s.patient_id = e.patient_id AND s.at = e.at)"
		" AND NOT EXISTS (SELECT 1 FROM oral_cover_events v JOIN oral_covers o"
		"  ON o.id = v.cover_id WHERE v.kind = 'take_home' AND o.patient_id = e.patient_id"
		"  AND v.at = e.at) ORDER BY e.id LIMIT 1";
	/* And each oral cover supply's entries give exactly its amount. */
	static const char sql_cover_sums[] =
		"SELECT v.id FROM oral_cover_events v JOIN oral_covers o ON o.id = v.cover_id"
		" WHERE v.kind = 'take_home' AND (SELECT sum(e.given_ug) FROM register_entries e"
		"  WHERE e.kind = 'administration' AND e.administration_id IS NULL"
		"  AND e.patient_id = o.patient_id AND e.at = v.at) IS NOT v.amount_ug"
		" ORDER BY v.id LIMIT 1";
	int64_t id;
	bool found;
	enum hat_err rc = store_query_int(c, sql_sums, &found, &id, "");

	*ok = true;
	if (rc == HAT_OK && found) {
		snprintf(finding, n, "take-home supply %lld does not match its register entries"
				     " (amount or patient)", (long long)id);
		*ok = false;
		return rc;
	}
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_cover_sums, &found, &id, "");
	if (rc == HAT_OK && found) {
		snprintf(finding, n, "oral cover supply %lld does not match its register entries"
				     " (amount or patient)", (long long)id);
		*ok = false;
		return rc;
	}
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_orphans, &found, &id, "");
	if (rc == HAT_OK && found) {
		snprintf(finding, n, "register entry %lld takes stock out for no dose and no supply",
			 (long long)id);
		*ok = false;
	}
	return rc;
}
