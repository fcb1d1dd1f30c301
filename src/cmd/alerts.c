/*
** alerts.c: see alerts.h.
*/
#include "alerts.h"
#include "register.h"

static const char sql_late[] =
	"SELECT e.id, e.page_id, e.seq, e.kind, e.event_date, e.entered_date, e.at AS entered_at,"
	" u.display_name AS made_by FROM register_entries e JOIN register_pages p ON p.id = e.page_id"
	" JOIN users u ON u.id = e.made_by WHERE p.premises_id = ? AND e.late = 1"
	" ORDER BY e.id DESC";
static const char sql_open_cases[] =
	"SELECT d.id, d.page_id, d.difference, d.opened_at FROM discrepancies d"
	" JOIN register_pages p ON p.id = d.page_id WHERE p.premises_id = ? AND NOT EXISTS"
	" (SELECT 1 FROM discrepancy_events x WHERE x.discrepancy_id = d.id"
	"  AND x.kind IN ('resolved', 'escalated')) ORDER BY d.id";
static const char sql_licences[] =
	"SELECT l.id, l.user_id, u.display_name AS prescriber, l.licence_number, l.expires_on,"
	" l.expires_on < ?2 AS is_expired FROM prescriber_licences l JOIN users u ON u.id = l.user_id"
	" WHERE l.premises_id = ?1 AND u.disabled = 0 AND l.expires_on <= ?3"
	" AND NOT EXISTS (SELECT 1 FROM prescriber_licences n WHERE n.user_id = l.user_id"
	"  AND n.premises_id = l.premises_id AND n.expires_on > l.expires_on)"
	" ORDER BY l.expires_on";

enum hat_err alerts_read(struct store_conn *c, int64_t premises_id, int32_t today, json_t **out)
{
	json_t *late = NULL, *cases = NULL, *licences = NULL, *pages = NULL;
	json_t *overdue = json_array();
	size_t i;
	json_t *p;
	enum hat_err rc = store_query_json(c, sql_late, &late, "i", premises_id);

	if (rc == HAT_OK)
		rc = store_query_json(c, sql_open_cases, &cases, "i", premises_id);
	/* A licence renewed by a later one is no longer a concern. */
	if (rc == HAT_OK)
		rc = store_query_json(c, sql_licences, &licences, "iii", premises_id, (int64_t)today,
				      (int64_t)(today + ALERTS_LICENCE_WARN_DAYS));
	if (rc == HAT_OK)
		rc = register_pages(c, premises_id, today, &pages);
	json_array_foreach(pages, i, p) {
		if (rc == HAT_OK && json_is_true(json_object_get(p, "stock_check_overdue")) &&
		    json_array_append_new(overdue,
					  json_pack("{s:O, s:O, s:O}", "page_id",
						    json_object_get(p, "id"), "heading",
						    json_object_get(p, "heading"), "last_check_date",
						    json_object_get(p, "last_check_date"))) != 0)
			rc = HAT_E_NOMEM;
	}
	json_decref(pages);
	if (rc != HAT_OK) {
		json_decref(late);
		json_decref(cases);
		json_decref(licences);
		json_decref(overdue);
		return rc;
	}
	*out = json_pack("{s:I, s:o, s:o, s:o, s:o}", "premises_id", (json_int_t)premises_id,
			 "late_entries", late, "stock_checks_overdue", overdue,
			 "open_discrepancies", cases, "licences_expiring", licences);
	return *out ? HAT_OK : HAT_E_NOMEM;
}
