/*
** research.c: see research.h.
*/
#include <string.h>

#include "core/evaluation.h"
#include "core/ndtms.h"
#include "report.h"
#include "research.h"
#include "util/csv.h"

#define NFIELDS 13
static const char *const fields[NFIELDS] = {
	"pseudonym", "episode_no", "age_band_at_referral", "sex", "premises_id",
	"days_referral_to_start", "days_in_treatment", "in_treatment_at_end", "discharge_reason",
	"successful_completion", "doses", "drug_screens", "screens_with_street_heroin",
};

/* Each episode of the period with the person's attributor; the number of
** the episode among the person's own (1 for their first). */
static const char sql_rows[] =
	"SELECT upper(substr(p.given_name, 1, 1)) || upper(substr(p.family_name, 1, 1)) || '|' ||"
	"  p.birth_date || '|' || p.sex,"
	" (SELECT count(*) FROM episodes x WHERE x.patient_id = e.patient_id AND x.id <= e.id),"
	" p.birth_date, e.referral_date, p.sex, p.premises_id, e.start_date, e.discharge_date,"
	" coalesce(e.discharge_reason, ''),"
	" (SELECT count(*) FROM administrations a WHERE a.patient_id = e.patient_id"
	"  AND a.local_date >= e.referral_date AND (e.discharge_date IS NULL OR a.local_date <= e.discharge_date)),"
	" (SELECT count(*) FROM drug_screens d WHERE d.patient_id = e.patient_id"
	"  AND d.local_date >= e.referral_date AND (e.discharge_date IS NULL OR d.local_date <= e.discharge_date)"
	"  AND NOT EXISTS (SELECT 1 FROM drug_screen_errors z WHERE z.screen_id = d.id)),"
	" (SELECT count(*) FROM drug_screens d WHERE d.patient_id = e.patient_id"
	"  AND d.local_date >= e.referral_date AND (e.discharge_date IS NULL OR d.local_date <= e.discharge_date)"
	"  AND d.street_heroin = 'evidence'"
	"  AND NOT EXISTS (SELECT 1 FROM drug_screen_errors z WHERE z.screen_id = d.id))"
	" FROM episodes e JOIN patients p ON p.id = e.patient_id"
	" WHERE e.referral_date <= ?2 AND (e.discharge_date IS NULL OR e.discharge_date >= ?1)"
	" ORDER BY e.id";

/* The row of the episode s stands on, as the JSON export has it. */
static json_t *episode_row(struct store_stmt *s, const char *key, int32_t end)
{
	char pseud[33];
	bool started = !store_col_is_null(s, 6), left = !store_col_is_null(s, 7);
	int32_t start = (int32_t)store_col_int(s, 6), stop = left ? (int32_t)store_col_int(s, 7) : end;
	const char *reason = store_col_text(s, 8);

	report_pseudonym(key, store_col_text(s, 0), pseud);
	return json_pack("{s:s, s:I, s:s, s:s, s:I, s:o, s:o, s:b, s:s, s:b, s:I, s:I, s:I}",
		"pseudonym", pseud, "episode_no", (json_int_t)store_col_int(s, 1),
		"age_band_at_referral", eval_age_band((int32_t)store_col_int(s, 2),
						      (int32_t)store_col_int(s, 3)),
		"sex", store_col_text(s, 4), "premises_id", (json_int_t)store_col_int(s, 5),
		"days_referral_to_start", started ? json_integer(start - store_col_int(s, 3)) : json_null(),
		"days_in_treatment", started && stop >= start ? json_integer(stop - start) : json_null(),
		"in_treatment_at_end", started && !left,
		"discharge_reason", reason,
		"successful_completion", left && ndtms_successful(reason),
		"doses", (json_int_t)store_col_int(s, 9), "drug_screens",
		(json_int_t)store_col_int(s, 10), "screens_with_street_heroin",
		(json_int_t)store_col_int(s, 11));
}

/* Steps the period's episodes, handing each row to each(); the one
** statement is open throughout, so each() runs no statements of its own. */
static enum hat_err each_episode(struct store_conn *c, int32_t from, int32_t to, int64_t now,
				 enum hat_err (*each)(json_t *row, void *arg), void *arg)
{
	struct store_stmt *s = NULL;
	int32_t end = clock_local_date(now) < to ? clock_local_date(now) : to;
	char key[80] = "";
	bool row;
	enum hat_err rc = report_pseudonym_key(c, key, sizeof key);

	if (rc == HAT_OK)
		rc = store_prepare(c, sql_rows, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", (int64_t)from, (int64_t)to);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		json_t *r = episode_row(s, key, end);

		rc = r ? each(r, arg) : HAT_E_NOMEM;
		json_decref(r);
	}
	store_done(s);
	memset(key, 0, sizeof key);
	return rc;
}

static enum hat_err append_row(json_t *row, void *arg)
{
	return json_array_append(arg, row) == 0 ? HAT_OK : HAT_E_NOMEM;
}

enum hat_err research_export(struct store_conn *c, int32_t from, int32_t to, int64_t now,
			     json_t **out)
{
	json_t *rows = json_array(), *names = json_array();
	enum hat_err rc = rows && names ? HAT_OK : HAT_E_NOMEM;

	for (int i = 0; rc == HAT_OK && i < NFIELDS; i++)
		if (json_array_append_new(names, json_string(fields[i])) != 0)
			rc = HAT_E_NOMEM;
	if (rc == HAT_OK)
		rc = each_episode(c, from, to, now, &append_row, rows);
	if (rc != HAT_OK) {
		json_decref(rows);
		json_decref(names);
		return rc;
	}
	*out = json_pack("{s:o, s:o}", "fields", names, "rows", rows);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

struct csv_state {
	struct spool *out;
	int64_t rows;
};

/* One CSV line, written out as the episode is read. */
static enum hat_err csv_row(json_t *r, void *arg)
{
	struct csv_state *cs = arg;
	enum hat_err rc = HAT_OK;

	for (int k = 0; rc == HAT_OK && k < NFIELDS; k++) {
		json_t *v = json_object_get(r, fields[k]);
		char num[32];
		const char *t = "";

		if (json_is_string(v))
			t = json_string_value(v);
		else if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
			t = num;
		} else if (json_is_boolean(v))
			t = json_is_true(v) ? "Y" : "N";
		rc = csv_field(&cs->out->b, t, k + 1 == NFIELDS);
	}
	if (rc == HAT_OK)
		rc = spool_row(cs->out);
	if (rc == HAT_OK)
		cs->rows++;
	return rc;
}

enum hat_err research_export_csv(struct store_conn *c, int32_t from, int32_t to,
				 struct spool *out, int64_t *count)
{
	struct csv_state cs = { .out = out };
	enum hat_err rc = HAT_OK;

	for (int k = 0; rc == HAT_OK && k < NFIELDS; k++)
		rc = buf_printf(&out->b, "%s%s", fields[k], k + 1 < NFIELDS ? "," : "\r\n");
	if (rc == HAT_OK)
		rc = each_episode(c, from, to, clock_now(), &csv_row, &cs);
	*count = cs.rows;
	return rc;
}
