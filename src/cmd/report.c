/*
** report.c: see report.h.
*/
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "instruments.h"
#include "outcomes.h"
#include "board.h"
#include "report.h"
#include "util/buf.h"

#define MAX_ITEMS OUTCOMES_MAX_ITEMS

struct tally {
	int64_t improved, same, worse, unknown;
};

void report_pseudonym(const char *key_hex, const char *attributor, char out[33])
{
	unsigned char key[32] = { 0 }, h[16];
	size_t klen = 0;

	sodium_hex2bin(key, sizeof key, key_hex, strlen(key_hex), NULL, &klen, NULL);
	crypto_generichash(h, sizeof h, (const unsigned char *)attributor, strlen(attributor),
			   klen ? key : NULL, klen);
	sodium_bin2hex(out, 33, h, sizeof h);
	sodium_memzero(key, sizeof key);
}

/* Compares each scored item of the newest TOP between two forms. */
static enum hat_err compare(struct store_conn *c, const struct outcomes_instrument *newest,
			    const struct outcomes_settings *st, int64_t ins_a, const char *ans_a,
			    int64_t ins_b, const char *ans_b, struct tally *t, json_t *row)
{
	struct outcomes_instrument ia, ib;
	struct outcomes_answer aa[MAX_ITEMS], ab[MAX_ITEMS];
	json_t *ja = json_loads(ans_a, 0, NULL), *jb = json_loads(ans_b, 0, NULL);
	const char *bad;
	int64_t id;
	enum hat_err rc = instruments_load(c, ins_a, NULL, 0, &ia, &id, NULL);

	if (rc == HAT_OK)
		rc = instruments_load(c, ins_b, NULL, 0, &ib, &id, NULL);
	if (rc == HAT_OK && (!ja || !jb || outcomes_answers_parse(&ia, ja, aa, &bad) != HAT_OK ||
			     outcomes_answers_parse(&ib, jb, ab, &bad) != HAT_OK))
		rc = HAT_E_INSTRUMENT_INVALID;
	for (int32_t i = 0; rc == HAT_OK && i < newest->item_count; i++) {
		const struct outcomes_item *it = &newest->items[i];
		int32_t ka = outcomes_item_index(&ia, it->key), kb = outcomes_item_index(&ib, it->key);
		enum outcomes_direction d = OUTCOMES_NO_CHANGE_KNOWN;

		if (it->better == OUTCOMES_BETTER_NONE)
			continue;
		if (ka >= 0 && kb >= 0 && aa[ka].kind == OUTCOMES_VALUE && ab[kb].kind == OUTCOMES_VALUE)
			d = outcomes_direction(it->better, aa[ka].value, ab[kb].value,
					       outcomes_threshold(it, st));
		t[i].improved += d == OUTCOMES_IMPROVED;
		t[i].same += d == OUTCOMES_SAME;
		t[i].worse += d == OUTCOMES_WORSE;
		t[i].unknown += d == OUTCOMES_NO_CHANGE_KNOWN;
		json_object_set_new(row, it->key, json_string(
			d == OUTCOMES_IMPROVED ? "improved" : d == OUTCOMES_SAME ? "same"
			: d == OUTCOMES_WORSE ? "worse" : "unknown"));
	}
	json_decref(ja);
	json_decref(jb);
	return rc;
}

/* Pairs of (Start, latest Review or Exit) per episode: both current. */
static const char sql_pairs[] =
	"WITH cur AS (SELECT f.* FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
	"  WHERE i.code = 'top'"
	"  AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
	"  AND NOT EXISTS (SELECT 1 FROM outcome_form_errors e WHERE e.form_id = f.id))"
	" SELECT s.instrument_id, s.answers, r.instrument_id, r.answers,"
	"  upper(substr(p.given_name, 1, 1)) || upper(substr(p.family_name, 1, 1)) || '|' ||"
	"  p.birth_date || '|' || p.sex"
	" FROM cur s JOIN patients p ON p.id = s.patient_id"
	" JOIN cur r ON r.id = (SELECT x.id FROM cur x WHERE x.episode_id = s.episode_id"
	"  AND x.stage IN ('review', 'exit') AND x.form_date >= s.form_date AND x.form_date <= ?3"
	"  ORDER BY x.form_date DESC, x.id DESC LIMIT 1)"
	" WHERE s.stage = 'start' AND (?1 = 0 OR p.premises_id = ?1) AND r.form_date >= ?2"
	" ORDER BY s.id";

static enum hat_err retention(struct store_conn *c, int32_t today, int months, json_t *out)
{
	int32_t days = months * 365 / 12;
	int64_t eligible = 0, retained = 0;
	bool found;
	enum hat_err rc = store_query_int(c,
		"SELECT count(*) FROM episodes WHERE start_date IS NOT NULL AND start_date <= ?",
		&found, &eligible, "i", (int64_t)(today - days));

	if (rc == HAT_OK)
		rc = store_query_int(c,
			"SELECT count(*) FROM episodes WHERE start_date IS NOT NULL AND start_date <= ?"
			" AND (discharge_date IS NULL OR discharge_date - start_date >= ?)",
			&found, &retained, "ii", (int64_t)(today - days), (int64_t)days);
	json_object_set_new(out, months == 3 ? "3_months" : months == 6 ? "6_months" : "12_months",
			    json_pack("{s:I, s:I, s:o}", "episodes", (json_int_t)eligible, "retained",
				      (json_int_t)retained, "rate", eligible
				      ? json_real((double)retained / (double)eligible) : json_null()));
	return rc;
}

enum hat_err report_pseudonym_key(struct store_conn *c, char *key, size_t size)
{
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc = store_prepare(c, "SELECT value FROM meta WHERE key = 'outcomes_pseudonym_key'", &s);

	if (rc == HAT_OK)
		rc = store_step(s, &row);
	if (rc == HAT_OK && row)
		str_copy(key, size, store_col_text(s, 0));
	store_done(s);
	return rc;
}

enum hat_err report_top_changes(struct store_conn *c, const struct outcomes_settings *st,
				int64_t premises_id, int32_t from, int32_t to, json_t **domains_out,
				int64_t *people, json_t **rows_out)
{
	struct outcomes_instrument newest;
	struct tally t[MAX_ITEMS];
	int64_t row_id, n = 0;
	json_t *rows = json_array(), *domains = json_array(), *def = NULL;
	char key[80] = "", pseud[33];
	struct store_stmt *s = NULL;
	bool row;
	enum hat_err rc;

	memset(t, 0, sizeof t);
	rc = instruments_load(c, 0, "top", 0, &newest, &row_id, &def);
	if (rc == HAT_OK)
		rc = report_pseudonym_key(c, key, sizeof key);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_pairs, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "iii", premises_id, (int64_t)from, (int64_t)to);
	while (rc == HAT_OK) {
		json_t *r;
		char attributor[64], *aa, *ab;

		rc = store_step(s, &row);
		if (rc != HAT_OK || !row)
			break;
		str_copy(attributor, sizeof attributor, store_col_text(s, 4));
		report_pseudonym(key, attributor, pseud);
		r = json_pack("{s:s}", "pseudonym", pseud);
		aa = strdup(store_col_text(s, 1));
		ab = strdup(store_col_text(s, 3));
		if (!aa || !ab)
			rc = HAT_E_NOMEM;
		else
			rc = compare(c, &newest, st, store_col_int(s, 0), aa, store_col_int(s, 2), ab, t, r);
		free(aa);
		free(ab);
		json_array_append_new(rows, r);
		n++;
	}
	store_done(s);
	for (int32_t i = 0; rc == HAT_OK && i < newest.item_count; i++) {
		json_t *jdef = json_array_get(json_object_get(def, "items"), (size_t)i);

		if (newest.items[i].better == OUTCOMES_BETTER_NONE)
			continue;
		json_array_append_new(domains, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
			"key", newest.items[i].key, "domain", newest.items[i].domain, "label",
			json_string_value(json_object_get(jdef, "label")), "improved",
			(json_int_t)t[i].improved, "same", (json_int_t)t[i].same, "worse",
			(json_int_t)t[i].worse, "unknown", (json_int_t)t[i].unknown));
	}
	json_decref(def);
	if (rc != HAT_OK) {
		json_decref(rows);
		json_decref(domains);
		return rc;
	}
	*domains_out = domains;
	*people = n;
	if (rows_out)
		*rows_out = rows;
	else
		json_decref(rows);
	return HAT_OK;
}

enum hat_err report_outcomes(struct store_conn *c, int64_t now, json_t **out)
{
	struct outcomes_settings st;
	int32_t today = clock_local_date(now);
	int64_t version, completions = 0, represented = 0, n = 0, premises = 0;
	json_t *rows = NULL, *domains = NULL, *ret = json_object(), *att = NULL;
	json_t *clinic;
	bool found;
	enum hat_err rc;

	rc = outcomes_settings_load(c, &st, &version);
	if (rc == HAT_OK)
		rc = report_top_changes(c, &st, 0, INT32_MIN / 2, today, &domains, &n, &rows);
	if (rc == HAT_OK)
		rc = retention(c, today, 3, ret);
	if (rc == HAT_OK)
		rc = retention(c, today, 6, ret);
	if (rc == HAT_OK)
		rc = retention(c, today, 12, ret);
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT count(*) FROM episodes WHERE discharge_reason LIKE 'completed%'",
				     &found, &completions, "");
	if (rc == HAT_OK)
		rc = store_query_int(c,
			"SELECT count(*) FROM episodes d WHERE d.discharge_reason LIKE 'completed%'"
			" AND EXISTS (SELECT 1 FROM episodes n WHERE n.patient_id = d.patient_id"
			" AND n.id <> d.id AND n.referral_date > d.discharge_date"
			" AND n.referral_date <= d.discharge_date + 182)",
			&found, &represented, "");
	/* Attendance is counted per premises; the report covers the first
	** (a clinic with several runs one report per premises: not built). */
	if (rc == HAT_OK)
		rc = store_query_int(c, "SELECT coalesce(min(id), 0) FROM premises", &found, &premises, "");
	if (rc == HAT_OK)
		rc = board_attendance(c, premises, 0, today - 27, today, now, &att);
	if (rc != HAT_OK)
		goto out;
	clinic = json_object_get(att, "clinic");
	*out = json_pack("{s:I, s:o, s:O, s:O, s:{s:I, s:I}, s:o, s:O}", "people_compared", (json_int_t)n,
			 "domains", domains, "retention", ret, "attendance_28_days", clinic ? clinic : json_null(),
			 "discharges", "successful_completions", (json_int_t)completions,
			 "re_presented_within_6_months", (json_int_t)represented,
			 "thresholds", outcomes_settings_json(&st, version), "rows", rows);
	domains = NULL;
	if (!*out)
		rc = HAT_E_NOMEM;
out:
	json_decref(domains);
	json_decref(rows);
	json_decref(ret);
	json_decref(att);
	return rc;
}
