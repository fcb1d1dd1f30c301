/*
** flex_facts.c: what flexibility tells the board, attendance and the
** missed-dose rules (see flex.h).  Each reads the records and asks core.
*/
#include <stdlib.h>
#include <string.h>

#include "flex.h"

/* At most this many covered days are looked at after the last injection:
** cover_bridge_days is at most 7, so a few weeks of records is plenty. */
#define COVERED_MAX 64

static enum hat_err load_flex(struct store_conn *c, int64_t premises_id,
			      const struct clinic_settings *s, struct flex_settings *f)
{
	int64_t version;

	return flex_settings_load(c, premises_id, s, f, &version);
}

enum hat_err flex_board_window_load(struct store_conn *c, int64_t premises_id,
				    const struct clinic_settings *s, int32_t date,
				    int32_t local_minute, int32_t *w, bool *open)
{
	struct flex_settings f;
	enum hat_err rc = load_flex(c, premises_id, s, &f);

	if (rc == HAT_OK)
		rc = flex_board_window(&f, s, date, local_minute, w, open);
	return rc;
}

/* Sorts a few dates ascending (insertion sort: n is small). */
static void sort_dates(int32_t *d, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		int32_t v = d[i];
		size_t j = i;

		while (j > 0 && d[j - 1] > v) {
			d[j] = d[j - 1];
			j--;
		}
		d[j] = v;
	}
}

enum hat_err flex_bridge_dates(struct store_conn *c, int64_t patient_id,
			       const struct flex_settings *f, int32_t today, int32_t *dates,
			       size_t *n, size_t cap)
{
	/* Cover taken: each supervised dose on its day; a take-home supply on
	** its days, less the days its returns show were not taken. */
	static const char sql[] =
		"SELECT e.kind, e.first_date, e.days, o.daily_dose_ug,"
		" coalesce((SELECT sum(r.amount_ug) FROM oral_cover_events r"
		"  WHERE r.cover_id = e.cover_id AND r.kind = 'return'), 0)"
		" FROM oral_cover_events e JOIN oral_covers o ON o.id = e.cover_id"
		" WHERE o.patient_id = ?1 AND e.kind IN ('supervised', 'take_home')"
		" AND e.first_date + e.days - 1 > ?2 AND e.first_date <= ?3"
		" ORDER BY e.first_date, e.id";
	int32_t covered[COVERED_MAX];
	size_t m = 0;
	struct store_stmt *st = NULL;
	int32_t last, bridged;
	bool row;
	enum hat_err rc;

	if (*n == 0 || *n >= cap || f->cover_bridge_days == 0)
		return HAT_OK; /* no injection: cover bridges nothing */
	rc = store_prepare(c, sql, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "iii", patient_id, (int64_t)dates[*n - 1], (int64_t)today);
	while (rc == HAT_OK && m < COVERED_MAX) {
		int32_t first, days;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		first = (int32_t)store_col_int(st, 1);
		days = (int32_t)store_col_int(st, 2);
		if (strcmp(store_col_text(st, 0), "take_home") == 0)
			days = flex_take_home_days_taken(days, store_col_int(st, 3),
							 store_col_int(st, 4));
		for (int32_t d = 0; d < days && m < COVERED_MAX; d++)
			covered[m++] = first + d;
	}
	store_done(st);
	if (rc != HAT_OK)
		return rc;
	sort_dates(covered, m);
	flex_cover_bridge(true, dates[*n - 1], covered, m, f->cover_bridge_days, today, &last,
			  &bridged);
	if (bridged > 0 && last > dates[*n - 1])
		dates[(*n)++] = last;
	return HAT_OK;
}

enum hat_err flex_day_load(struct store_conn *c, int64_t patient_id, int64_t premises_id,
			   const struct clinic_settings *s, int32_t date, struct flex_day *out)
{
	static const char sql_pref[] =
		"SELECT windows FROM session_preferences WHERE patient_id = ? ORDER BY id DESC LIMIT 1";
	static const char sql_changes[] =
		"SELECT s.from_window, s.to_window FROM session_changes s"
		" WHERE s.patient_id = ? AND s.date = ? AND s.cancels_id IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM session_changes x WHERE x.cancels_id = s.id) ORDER BY s.id LIMIT 8";
	static const char sql_absences[] =
		"SELECT a.id, a.from_date, a.to_date, a.windows, a.reason FROM planned_absences a"
		" WHERE a.patient_id = ? AND a.from_date <= ?2 AND a.to_date >= ?2"
		" AND a.cancels_id IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM planned_absences x WHERE x.cancels_id = a.id) ORDER BY a.id";
	static const char sql_cover[] =
		"SELECT count(*) FROM oral_cover_events e JOIN oral_covers o ON o.id = e.cover_id"
		" WHERE o.patient_id = ?1 AND e.kind IN ('supervised', 'take_home')"
		" AND e.first_date <= ?2 AND e.first_date + e.days - 1 >= ?2";
	struct store_stmt *st = NULL;
	int64_t v = 0;
	bool row, found;
	enum hat_err rc;

	memset(out, 0, sizeof *out);
	rc = load_flex(c, premises_id, s, &out->settings);
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_pref, &found, &v, "i", patient_id);
	if (rc != HAT_OK)
		return rc;
	out->preferred = found ? (unsigned)v : 0;
	rc = store_prepare(c, sql_changes, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "ii", patient_id, (int64_t)date);
	while (rc == HAT_OK && out->n_changes < 8) {
		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		out->changes[out->n_changes].date = date;
		out->changes[out->n_changes].from_w = (int32_t)store_col_int(st, 0);
		out->changes[out->n_changes].to_w = (int32_t)store_col_int(st, 1);
		out->n_changes++;
	}
	store_done(st);
	if (rc == HAT_OK)
		rc = store_prepare(c, sql_absences, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "ii", patient_id, (int64_t)date);
	while (rc == HAT_OK) {
		struct flex_absence a;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		a.id = store_col_int(st, 0);
		a.from_date = (int32_t)store_col_int(st, 1);
		a.to_date = (int32_t)store_col_int(st, 2);
		a.windows = (unsigned)store_col_int(st, 3);
		for (int32_t w = 0; w < s->window_count && w < SETTINGS_MAX_WINDOWS; w++) {
			if (!out->absence_id[w] && flex_absence_covers(&a, date, w)) {
				out->absence_id[w] = a.id;
				str_copy(out->absence_reason[w], sizeof out->absence_reason[w],
					 store_col_text(st, 4));
			}
		}
	}
	store_done(st);
	if (rc == HAT_OK)
		rc = store_query_int(c, sql_cover, &found, &v, "ii", patient_id, (int64_t)date);
	if (rc == HAT_OK)
		out->cover_today = v > 0;
	return rc;
}

enum hat_err flex_attendance_excused(struct store_conn *c, int64_t patient_id,
				     const struct clinic_settings *s, int32_t from, int32_t last,
				     int32_t today, int32_t begun, const int32_t *due,
				     int64_t *excused)
{
	static const char sql_absences[] =
		"SELECT a.from_date, a.to_date, a.windows FROM planned_absences a"
		" WHERE a.patient_id = ? AND a.to_date >= ? AND a.from_date <= ?"
		" AND a.cancels_id IS NULL AND NOT EXISTS"
		" (SELECT 1 FROM planned_absences x WHERE x.cancels_id = a.id)";
	static const char sql_attended[] =
		"SELECT local_date, count(DISTINCT window_no) FROM administrations"
		" WHERE patient_id = ? AND kind = 'injection' AND local_date BETWEEN ? AND ?"
		" GROUP BY local_date";
	struct flex_absence *abs = NULL;
	int32_t *attended = NULL;
	size_t n = 0, cap = 0;
	int32_t days = last - from + 1;
	struct store_stmt *st = NULL;
	bool row;
	enum hat_err rc;

	*excused = 0;
	if (days < 1)
		return HAT_OK;
	rc = store_prepare(c, sql_absences, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "iii", patient_id, (int64_t)from, (int64_t)last);
	while (rc == HAT_OK) {
		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		if (n == cap) {
			size_t more = cap ? cap * 2 : 8;
			struct flex_absence *p = realloc(abs, more * sizeof *abs);

			if (!p) {
				rc = HAT_E_NOMEM;
				break;
			}
			abs = p;
			cap = more;
		}
		abs[n].id = 0;
		abs[n].from_date = (int32_t)store_col_int(st, 0);
		abs[n].to_date = (int32_t)store_col_int(st, 1);
		abs[n].windows = (unsigned)store_col_int(st, 2);
		n++;
	}
	store_done(st);
	if (rc != HAT_OK || n == 0)
		goto out;
	attended = calloc((size_t)days, sizeof *attended);
	if (!attended) {
		rc = HAT_E_NOMEM;
		goto out;
	}
	rc = store_prepare(c, sql_attended, &st);
	if (rc == HAT_OK)
		rc = store_bindf(st, "iii", patient_id, (int64_t)from, (int64_t)last);
	while (rc == HAT_OK) {
		int64_t d;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row)
			break;
		d = store_col_int(st, 0) - from;
		if (d >= 0 && d < days)
			attended[d] = (int32_t)store_col_int(st, 1);
	}
	store_done(st);
	for (int32_t i = 0; rc == HAT_OK && i < days; i++) {
		int32_t date = from + i, absent = 0;
		int32_t windows = date == today ? begun : s->window_count;

		for (int32_t w = 0; w < windows; w++) {
			for (size_t k = 0; k < n; k++) {
				if (flex_absence_covers(&abs[k], date, w)) {
					absent++;
					break;
				}
			}
		}
		*excused += flex_sessions_excused(absent, due[i], attended[i]);
	}
out:
	free(abs);
	free(attended);
	return rc;
}
