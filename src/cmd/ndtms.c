/*
** ndtms.c: see ndtms.h.
*/
#include <string.h>

#include "auth/policy.h"
#include "core/ndtms.h"
#include "ndtms.h"

static const char *const consent_choices[] = { "Y", "N", NULL };

static const struct field record_fields[] = {
	{ "consent", FT_ENUM, true, 0, 0, consent_choices, false },
	{ "local_authority", FT_STRING, false, 0, 80, NULL, false },
	{ "postcode", FT_STRING, false, 0, 8, NULL, false },
	{ "referral_source", FT_STRING, false, 0, 80, NULL, false },
	{ "triage_date", FT_DATE, false, 0, 0, NULL, true },
	{ "care_plan_date", FT_DATE, false, 0, 0, NULL, true },
	FIELDS_END,
};

/* A UK postcode's shape: letters, digits and at most one space, 5 to 8
** characters; a typing slip is refused rather than sent. */
static bool postcode_ok(const char *s)
{
	size_t n = strlen(s);
	int spaces = 0;

	if (n == 0)
		return true;
	if (n < 5 || n > 8)
		return false;
	for (; *s; s++) {
		if (*s == ' ')
			spaces++;
		else if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	}
	return spaces <= 1;
}

static int64_t opt_date(struct cmd *c, const char *name)
{
	int32_t d = fields_date(c->input, name, NDTMS_NONE);

	return d == NDTMS_NONE ? INT64_MIN : d;
}

static enum hat_err run_record(struct store_conn *conn, struct cmd *c)
{
	int64_t referral = 0, triage = opt_date(c, "triage_date"), plan = opt_date(c, "care_plan_date");
	int64_t today = clock_local_date(c->now);
	bool found;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT referral_date FROM episodes WHERE id = ?",
					  &found, &referral, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	if (!postcode_ok(fields_str(c->input, "postcode", "")))
		return cmd_refuse(c, HAT_E_INVALID_VALUE, "postcode",
				  "A postcode in capitals, such as TS1 3AB.");
	if (triage != INT64_MIN && (triage < referral || triage > today))
		return cmd_refuse(c, HAT_E_DATE_ORDER, "triage_date", NULL);
	if (plan != INT64_MIN && (plan < referral || plan > today ||
				  (triage != INT64_MIN && plan < triage)))
		return cmd_refuse(c, HAT_E_DATE_ORDER, "care_plan_date", NULL);
	rc = store_run(conn, "INSERT INTO ndtms_details (episode_id, consent, local_authority, postcode,"
			     " referral_source, triage_date, care_plan_date, recorded_by, recorded_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "ittttIIii", c->target_id, fields_str(c->input, "consent", "N"),
		       fields_str(c->input, "local_authority", ""), fields_str(c->input, "postcode", ""),
		       fields_str(c->input, "referral_source", ""), triage, plan, c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "episode_id", json_integer(c->target_id));
	return cmd_audit_answer(conn, c, "episode", c->target_id, d, 201);
}

static const struct field modality_fields[] = {
	{ "modality", FT_STRING, true, 1, 60, NULL, false },
	{ "start_date", FT_DATE, true, 0, 0, NULL, false },
	{ "end_date", FT_DATE, false, 0, 0, NULL, true },
	{ "exit_status", FT_STRING, false, 0, 60, NULL, false },
	{ "supersedes_id", FT_INT, false, 1, INT64_MAX, NULL, false },
	FIELDS_END,
};

static enum hat_err run_modality(struct store_conn *conn, struct cmd *c)
{
	int64_t referral = 0, n = 0, sup = fields_int(c->input, "supersedes_id", 0);
	int32_t start = fields_date(c->input, "start_date", 0);
	int32_t end = fields_date(c->input, "end_date", NDTMS_NONE);
	bool found;
	json_t *d;
	enum hat_err rc = store_query_int(conn, "SELECT referral_date FROM episodes WHERE id = ?",
					  &found, &referral, "i", c->target_id);

	if (rc != HAT_OK)
		return rc;
	if (!found)
		return HAT_E_NOT_FOUND;
	rc = ndtms_modality_check((int32_t)referral, start, end, clock_local_date(c->now));
	if (rc != HAT_OK)
		return cmd_refuse(c, rc, end != NDTMS_NONE && end < start ? "end_date" : "start_date", NULL);
	if (sup) {
		rc = store_query_int(conn,
			"SELECT count(*) FROM ndtms_modalities m WHERE m.id = ? AND m.episode_id = ?"
			" AND NOT EXISTS (SELECT 1 FROM ndtms_modalities x WHERE x.supersedes_id = m.id)",
			&found, &n, "ii", sup, c->target_id);
		if (rc != HAT_OK)
			return rc;
		if (n == 0)
			return cmd_refuse(c, HAT_E_SUPERSEDED, "supersedes_id",
					  "Name the current modality of this episode that this replaces.");
	}
	rc = store_run(conn, "INSERT INTO ndtms_modalities (episode_id, modality, start_date, end_date,"
			     " exit_status, supersedes_id, recorded_by, recorded_at)"
			     " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		       "itiItIii", c->target_id, fields_str(c->input, "modality", ""), (int64_t)start,
		       end == NDTMS_NONE ? INT64_MIN : (int64_t)end, fields_str(c->input, "exit_status", ""),
		       sup ? sup : INT64_MIN, c->actor_id, c->now);
	if (rc != HAT_OK)
		return rc;
	d = json_deep_copy(c->input);
	json_object_set_new(d, "modality_id", json_integer(store_last_id(conn)));
	json_object_set_new(d, "episode_id", json_integer(c->target_id));
	return cmd_audit_answer(conn, c, "episode", c->target_id, d, 201);
}

const struct cmd_def ndtms_record = {
	"ndtms.record", record_fields, POLICY_RULE(NDTMS_RECORD), run_record, NULL,
};
const struct cmd_def ndtms_modality = {
	"ndtms.modality", modality_fields, POLICY_RULE(NDTMS_RECORD), run_modality, NULL,
};

static const char sql_current_modalities[] =
	"SELECT m.id, m.modality AS MODAL, date(m.start_date * 86400, 'unixepoch') AS MODST,"
	" date(m.end_date * 86400, 'unixepoch') AS MODEND,"
	" m.exit_status AS MODEXIT FROM ndtms_modalities m WHERE m.episode_id = ?"
	" AND NOT EXISTS (SELECT 1 FROM ndtms_modalities x WHERE x.supersedes_id = m.id)"
	" ORDER BY m.start_date, m.id";

enum hat_err ndtms_episode_read(struct store_conn *c, int64_t episode_id, int64_t *patient_id,
				json_t **out)
{
	json_t *details = NULL, *mods = NULL;
	bool found;
	enum hat_err rc = store_query_int(c, "SELECT patient_id FROM episodes WHERE id = ?", &found,
					  patient_id, "i", episode_id);

	if (rc == HAT_OK && !found)
		rc = HAT_E_NOT_FOUND;
	if (rc == HAT_OK)
		rc = store_query_json(c,
			"SELECT consent, local_authority, postcode, referral_source, triage_date,"
			" care_plan_date, recorded_at FROM ndtms_details WHERE episode_id = ?"
			" ORDER BY id DESC LIMIT 1", &details, "i", episode_id);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_current_modalities, &mods, "i", episode_id);
	if (rc == HAT_OK) {
		*out = json_pack("{s:I, s:O, s:O}", "episode_id", (json_int_t)episode_id, "details",
				 json_array_size(details) ? json_array_get(details, 0) : json_null(),
				 "modalities", mods);
		if (!*out)
			rc = HAT_E_NOMEM;
	}
	json_decref(details);
	json_decref(mods);
	return rc;
}

static const char sql_export[] =
	"SELECT e.id, p.given_name, p.family_name, p.birth_date, p.sex, coalesce(n.consent, ''),"
	" coalesce(n.local_authority, ''), coalesce(n.postcode, ''), coalesce(n.referral_source, ''),"
	" e.referral_date, n.triage_date, n.care_plan_date, e.status = 'discharged', e.discharge_date,"
	" coalesce(e.discharge_reason, ''),"
	" (SELECT min(coalesce(nn.triage_date, x.referral_date)) FROM episodes x"
	"  LEFT JOIN ndtms_details nn ON nn.id = (SELECT max(id) FROM ndtms_details WHERE episode_id = x.id)"
	"  WHERE x.patient_id = e.patient_id AND x.id <> e.id AND x.referral_date >= e.discharge_date)"
	", (SELECT count(*) FROM ndtms_modalities m WHERE m.episode_id = e.id"
	"  AND NOT EXISTS (SELECT 1 FROM ndtms_modalities x WHERE x.supersedes_id = m.id))"
	" FROM episodes e JOIN patients p ON p.id = e.patient_id"
	" LEFT JOIN ndtms_details n ON n.id = (SELECT max(id) FROM ndtms_details WHERE episode_id = e.id)"
	" WHERE e.referral_date <= ?2 AND (e.discharge_date IS NULL OR e.discharge_date >= ?1)"
	" ORDER BY e.id";

static int32_t col_date(struct store_stmt *s, int col)
{
	return store_col_is_null(s, col) ? NDTMS_NONE : (int32_t)store_col_int(s, col);
}

static json_t *date_or_null(int32_t d)
{
	char b[11];

	if (d == NDTMS_NONE)
		return json_null();
	clock_format_date(d, b);
	return json_string(b);
}

enum hat_err ndtms_export(struct store_conn *c, json_t **out)
{
	return ndtms_export_period(c, INT32_MIN / 2, INT32_MAX / 2, out);
}

enum hat_err ndtms_export_period(struct store_conn *c, int32_t from, int32_t to, json_t **out)
{
	struct store_stmt *s;
	json_t *rows = json_array();
	int64_t excluded = 0, invalid = 0;
	bool row;
	enum hat_err rc = store_prepare(c, sql_export, &s);

	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", (int64_t)from, (int64_t)to);

	while (rc == HAT_OK) {
		struct ndtms_episode e;
		char attr[NDTMS_ATTRIBUTOR_SIZE], sex[2] = { 0, 0 };
		const char *missing;
		const char *consent;
		json_t *r;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		consent = store_col_text(s, 5);
		memset(&e, 0, sizeof e);
		e.given_name = store_col_text(s, 1);
		e.family_name = store_col_text(s, 2);
		e.birth_date = col_date(s, 3);
		e.sex = store_col_text(s, 4);
		e.consent = *consent;
		if (!ndtms_identifiable(&e)) {
			excluded++;
			continue;
		}
		e.local_authority = store_col_text(s, 6);
		e.postcode = store_col_text(s, 7);
		e.referral_source = store_col_text(s, 8);
		e.referral_date = col_date(s, 9);
		e.triage_date = col_date(s, 10);
		e.care_plan_date = col_date(s, 11);
		e.discharged = store_col_int(s, 12) != 0;
		e.discharge_date = col_date(s, 13);
		e.discharge_reason = store_col_text(s, 14);
		e.modalities = (int32_t)store_col_int(s, 16);
		missing = ndtms_missing(&e);
		invalid += missing != NULL;
		ndtms_attributor(e.given_name, e.family_name, e.birth_date, e.sex, attr);
		sex[0] = attr[10];
		r = json_pack("{s:I, s:s#, s:s#, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s,"
			      " s:b, s:b, s:o}",
			"episode_id", (json_int_t)store_col_int(s, 0),
			"FINITIAL", attr, (size_t)1, "SINITIAL", attr + 1, (size_t)1,
			"DOB", date_or_null(e.birth_date), "SEX", sex, "CONSENT", consent,
			"LA", e.local_authority, "PC", e.postcode, "RFLS", e.referral_source,
			"REFLD", date_or_null(e.referral_date), "TRIAGED", date_or_null(e.triage_date),
			"CPLANDT", date_or_null(e.care_plan_date), "DISD", date_or_null(e.discharge_date),
			"DISRSN", e.discharge_reason,
			"successful_completion", e.discharged && ndtms_successful(e.discharge_reason),
			"re_presented_within_6_months", e.discharged &&
				ndtms_represented(e.discharge_date, col_date(s, 15), 182),
			"validation_error", missing ? json_string(missing) : json_null());
		/* The recorded word, for the code list (SEX above is the
		** attributor's letter). */
		json_object_set_new(r, "sex", json_string(e.sex));
		json_array_append_new(rows, r);
	}
	store_done(s);
	/* Each row's modalities (after the episodes, one statement at a time). */
	for (size_t i = 0; rc == HAT_OK && i < json_array_size(rows); i++) {
		json_t *r = json_array_get(rows, i), *mods = NULL;

		rc = store_query_json(c, sql_current_modalities, &mods, "i",
				      json_integer_value(json_object_get(r, "episode_id")));
		if (rc == HAT_OK)
			json_object_set_new(r, "modalities", mods);
	}
	if (rc != HAT_OK) {
		json_decref(rows);
		return rc;
	}
	*out = json_pack("{s:o, s:I, s:I}", "rows", rows, "excluded_without_consent",
			 (json_int_t)excluded, "rows_with_errors", (json_int_t)invalid);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
