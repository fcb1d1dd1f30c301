/*
** ndtms_export.c: the national return's code lists and its CSV.  See
** ndtms.h.
*/
#include <stdlib.h>
#include <string.h>

#include "core/ndtms.h"
#include "instruments.h"
#include "ndtms.h"
#include "outcomes.h"
#include "util/csv.h"

static const char *const lists[] = { "SEX", "DISRSN", "RFLS", "MODAL", "MODEXIT", "TRSTAGE", NULL };

static const struct field code_fields[] = {
	{ "list", FT_ENUM, true, 0, 0, lists, false },
	{ "local_value", FT_STRING, true, 1, 80, NULL, false },
	{ "code", FT_STRING, true, 0, 20, NULL, false },
	FIELDS_END,
};

static enum hat_err run_code(struct store_conn *conn, struct cmd *c)
{
	json_t *d;
	int64_t id;
	enum hat_err rc = store_run(conn, "INSERT INTO ndtms_codes (list, local_value, code, set_by, set_at)"
				    " VALUES (?, ?, ?, ?, ?)", "tttii",
				    fields_str(c->input, "list", ""), fields_str(c->input, "local_value", ""),
				    fields_str(c->input, "code", ""), c->actor_id, c->now);

	if (rc != HAT_OK)
		return rc;
	id = store_last_id(conn);
	d = json_deep_copy(c->input);
	json_object_set_new(d, "id", json_integer(id));
	return cmd_audit_answer(conn, c, "ndtms_code", id, d, 201);
}

const struct cmd_def ndtms_code_set = {
	"ndtms.code", code_fields, POLICY_RULE(NDTMS_CODES_SET), run_code, NULL,
};

static const char sql_codes[] =
	"SELECT k.list, k.local_value, k.code, k.set_at FROM ndtms_codes k"
	" WHERE k.id = (SELECT max(id) FROM ndtms_codes x WHERE x.list = k.list"
	"  AND x.local_value = k.local_value)"
	" ORDER BY k.list, k.local_value";

enum hat_err ndtms_codes_list(struct store_conn *c, json_t **out)
{
	json_t *rows = NULL;
	enum hat_err rc = store_query_json(c, sql_codes, &rows, "");

	if (rc != HAT_OK)
		return rc;
	*out = json_pack("{s:o}", "codes", rows);
	return *out ? HAT_OK : HAT_E_NOMEM;
}

/* The current mappings as core's array; strings borrowed from rows. */
static enum hat_err load_codes(json_t *rows, struct ndtms_code **out, size_t *n)
{
	size_t i, count = json_array_size(rows);
	json_t *r;

	*out = calloc(count ? count : 1, sizeof **out);
	if (!*out)
		return HAT_E_NOMEM;
	json_array_foreach(rows, i, r) {
		(*out)[i].list = json_string_value(json_object_get(r, "list"));
		(*out)[i].local = json_string_value(json_object_get(r, "local_value"));
		(*out)[i].code = json_string_value(json_object_get(r, "code"));
	}
	*n = count;
	return HAT_OK;
}

#define NCOLS 20
static const char *const cols[NCOLS] = {
	"FINITIAL", "SINITIAL", "DOB", "SEX", "CONSENT", "PC", "LA", "EPISODID", "REFLD", "RFLS",
	"TRIAGED", "CPLANDT", "DISD", "DISRSN", "MODAL", "MODID", "MODST", "MODEND", "MODEXIT",
	"VALIDATION",
};

static const char *text(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* One line: the episode's fields, one modality (or none), the error. */
static enum hat_err line(struct spool *out, json_t *r, json_t *m, const struct ndtms_code *codes,
			 size_t n, struct ndtms_csv_stats *st)
{
	const char *v[NCOLS];
	char episode[24], modid[24];
	const char *error = json_string_value(json_object_get(r, "validation_error"));
	const char *sex = ndtms_code_for(codes, n, "SEX", text(r, "sex"));
	const char *disrsn = ndtms_code_for(codes, n, "DISRSN", text(r, "DISRSN"));
	const char *modal = m ? ndtms_code_for(codes, n, "MODAL", text(m, "MODAL")) : "";
	const char *modexit = m ? ndtms_code_for(codes, n, "MODEXIT", text(m, "MODEXIT")) : "";
	enum hat_err rc = HAT_OK;

	snprintf(episode, sizeof episode, "%lld",
		 (long long)json_integer_value(json_object_get(r, "episode_id")));
	modid[0] = 0;
	if (m)
		snprintf(modid, sizeof modid, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
	/* The first field at fault, in the order of the line: a missing one
	** (core's rule), else one whose value has no code. */
	if (!error && !sex)
		error = "SEX";
	if (!error && !disrsn)
		error = "DISRSN";
	if (!error && !m)
		error = "MODAL";
	v[0] = text(r, "FINITIAL");
	v[1] = text(r, "SINITIAL");
	v[2] = text(r, "DOB");
	v[3] = sex ? sex : "";
	v[4] = text(r, "CONSENT");
	v[5] = text(r, "PC");
	v[6] = text(r, "LA");
	v[7] = episode;
	v[8] = text(r, "REFLD");
	v[9] = ndtms_code_for(codes, n, "RFLS", text(r, "RFLS"));
	v[10] = text(r, "TRIAGED");
	v[11] = text(r, "CPLANDT");
	v[12] = text(r, "DISD");
	v[13] = disrsn ? disrsn : "";
	v[14] = modal;
	v[15] = modid;
	v[16] = m ? text(m, "MODST") : "";
	v[17] = m ? text(m, "MODEND") : "";
	v[18] = modexit;
	v[19] = error ? error : "";
	for (int i = 0; rc == HAT_OK && i < NCOLS; i++)
		rc = csv_field(&out->b, v[i], i == NCOLS - 1);
	if (rc == HAT_OK)
		rc = spool_row(out);
	st->rows++;
	st->rows_with_errors += error != NULL;
	return rc;
}

enum hat_err ndtms_export_csv(struct store_conn *c, int32_t from, int32_t to, struct spool *out,
			      struct ndtms_csv_stats *st)
{
	json_t *exp = NULL, *codes_json = NULL, *r;
	struct ndtms_code *codes = NULL;
	size_t n = 0, i;
	enum hat_err rc = ndtms_export_period(c, from, to, &exp);

	memset(st, 0, sizeof *st);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_codes, &codes_json, "");
	if (rc == HAT_OK)
		rc = load_codes(codes_json, &codes, &n);
	for (int k = 0; rc == HAT_OK && k < NCOLS; k++)
		rc = buf_printf(&out->b, "%s%s", cols[k], k + 1 < NCOLS ? "," : "\r\n");
	json_array_foreach(json_object_get(exp, "rows"), i, r) {
		json_t *mods = json_object_get(r, "modalities"), *m;
		size_t j;

		if (rc != HAT_OK)
			break;
		if (json_array_size(mods) == 0)
			rc = line(out, r, NULL, codes, n, st);
		json_array_foreach(mods, j, m) {
			if (rc == HAT_OK)
				rc = line(out, r, m, codes, n, st);
		}
	}
	if (rc == HAT_OK)
		st->excluded = json_integer_value(json_object_get(exp, "excluded_without_consent"));
	free(codes);
	json_decref(codes_json);
	json_decref(exp);
	return rc;
}

/* ---- TOP returns ---- */

/* Current TOPs of consented episodes dated in the period; TOPID is the
** first form of a revision chain, so that a revised form keeps its id. */
static const char sql_tops[] =
	"WITH cur AS (SELECT f.* FROM outcome_forms f JOIN instruments i ON i.id = f.instrument_id"
	"  WHERE i.code = 'top'"
	"  AND NOT EXISTS (SELECT 1 FROM outcome_forms g WHERE g.supersedes_id = f.id)"
	"  AND NOT EXISTS (SELECT 1 FROM outcome_form_errors x WHERE x.form_id = f.id))"
	" SELECT (WITH RECURSIVE up(id, sup) AS (SELECT f.id, f.supersedes_id"
	"   UNION ALL SELECT o.id, o.supersedes_id FROM outcome_forms o JOIN up ON o.id = up.sup)"
	"   SELECT min(id) FROM up),"
	" f.episode_id, f.form_date, coalesce(f.stage, ''), f.instrument_id, f.answers,"
	" p.given_name, p.family_name, p.birth_date, p.sex, coalesce(n.consent, '')"
	" FROM cur f JOIN patients p ON p.id = f.patient_id"
	" LEFT JOIN ndtms_details n ON n.id = (SELECT max(id) FROM ndtms_details"
	"  WHERE episode_id = f.episode_id)"
	" WHERE f.form_date BETWEEN ?1 AND ?2 ORDER BY f.id";

#define TOP_FIXED 8
static const char *const top_fixed[TOP_FIXED] = {
	"FINITIAL", "SINITIAL", "DOB", "SEX", "EPISODID", "TOPID", "TOPDATE", "TRSTAGE",
};

/* The codes of a definition's items, in order of first appearance. */
static json_t *item_codes(json_t *def)
{
	json_t *codes = json_array(), *it;
	size_t i, j;

	json_array_foreach(json_object_get(def, "items"), i, it) {
		const char *code = json_string_value(json_object_get(it, "code"));
		json_t *x;
		bool seen = false;

		if (!code || !*code)
			continue;
		json_array_foreach(codes, j, x)
			seen |= strcmp(json_string_value(x), code) == 0;
		if (!seen)
			json_array_append_new(codes, json_string(code));
	}
	return codes;
}

/* One TOP line: the cells of each code from this form's own version. */
static enum hat_err top_line(struct store_conn *c, struct store_stmt *s, json_t *codes,
			     const struct ndtms_code *map, size_t nmap, struct spool *out,
			     struct ndtms_csv_stats *st)
{
	struct outcomes_instrument ins;
	struct outcomes_answer ans[OUTCOMES_MAX_ITEMS];
	char attr[NDTMS_ATTRIBUTOR_SIZE], a[2] = { 0, 0 }, b[2] = { 0, 0 }, dob[11], date[11];
	char episode[24], topid[24];
	json_t *def = NULL, *answers = json_loads(store_col_text(s, 5), 0, NULL), *code;
	const char *bad, *sex = ndtms_code_for(map, nmap, "SEX", store_col_text(s, 9));
	const char *stage = ndtms_code_for(map, nmap, "TRSTAGE", store_col_text(s, 3));
	const char *error = NULL;
	int64_t row_id;
	size_t k;
	enum hat_err rc = instruments_load(c, store_col_int(s, 4), NULL, 0, &ins, &row_id, &def);

	if (rc == HAT_OK && (!answers || outcomes_answers_parse(&ins, answers, ans, &bad) != HAT_OK))
		rc = HAT_E_INSTRUMENT_INVALID;
	if (rc != HAT_OK)
		goto done;
	ndtms_attributor(store_col_text(s, 6), store_col_text(s, 7), (int32_t)store_col_int(s, 8),
			 store_col_text(s, 9), attr);
	a[0] = attr[0];
	b[0] = attr[1];
	clock_format_date((int32_t)store_col_int(s, 8), dob);
	clock_format_date((int32_t)store_col_int(s, 2), date);
	snprintf(episode, sizeof episode, "%lld", (long long)store_col_int(s, 1));
	snprintf(topid, sizeof topid, "%lld", (long long)store_col_int(s, 0));
	if (!sex)
		error = "SEX";
	else if (!*stage)
		error = "TRSTAGE";
	{
		const char *v[TOP_FIXED] = { a, b, dob, sex ? sex : "", episode, topid, date, stage };

		for (int i = 0; rc == HAT_OK && i < TOP_FIXED; i++)
			rc = csv_field(&out->b, v[i], false);
	}
	json_array_foreach(codes, k, code) {
		const struct outcomes_item *items[OUTCOMES_MAX_ITEMS];
		const struct outcomes_answer *cells[OUTCOMES_MAX_ITEMS];
		char cell[NDTMS_CELL_SIZE];
		size_t n = 0, i;
		json_t *it;

		json_array_foreach(json_object_get(def, "items"), i, it) {
			const char *ic = json_string_value(json_object_get(it, "code"));

			if (ic && strcmp(ic, json_string_value(code)) == 0 && i < (size_t)ins.item_count) {
				items[n] = &ins.items[i];
				cells[n++] = &ans[i];
			}
		}
		ndtms_top_cell(items, cells, n, cell);
		if (rc == HAT_OK)
			rc = csv_field(&out->b, cell, false);
	}
	if (rc == HAT_OK)
		rc = csv_field(&out->b, error, true);
	if (rc == HAT_OK)
		rc = spool_row(out);
	st->rows++;
	st->rows_with_errors += error != NULL;
done:
	json_decref(answers);
	json_decref(def);
	return rc;
}

enum hat_err ndtms_top_csv(struct store_conn *c, int32_t from, int32_t to, struct spool *out,
			   struct ndtms_csv_stats *st)
{
	struct outcomes_instrument newest;
	struct ndtms_code *map = NULL;
	struct store_stmt *s = NULL;
	json_t *def = NULL, *codes = NULL, *map_json = NULL, *code;
	int64_t row_id;
	size_t nmap = 0, k;
	bool row;
	enum hat_err rc = instruments_load(c, 0, "top", 0, &newest, &row_id, &def);

	memset(st, 0, sizeof *st);
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_codes, &map_json, "");
	if (rc == HAT_OK)
		rc = load_codes(map_json, &map, &nmap);
	if (rc == HAT_OK)
		codes = item_codes(def);
	for (int i = 0; rc == HAT_OK && i < TOP_FIXED; i++)
		rc = buf_printf(&out->b, "%s,", top_fixed[i]);
	json_array_foreach(codes, k, code) {
		if (rc == HAT_OK)
			rc = buf_printf(&out->b, "%s,", json_string_value(code));
	}
	if (rc == HAT_OK)
		rc = buf_printf(&out->b, "VALIDATION\r\n");
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_tops, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", (int64_t)from, (int64_t)to);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row) {
		if (strcmp(store_col_text(s, 10), "Y") != 0) {
			st->excluded++;
			continue;
		}
		rc = top_line(c, s, codes, map, nmap, out, st);
	}
	store_done(s);
	free(map);
	json_decref(map_json);
	json_decref(codes);
	json_decref(def);
	return rc;
}
