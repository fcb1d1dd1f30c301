/*
** audit.c: the audit chain and the access log, for auditors (read-only).
**
** Both logs name who did what to whose record, so reading them is itself
** written to the access log, before the rows are read: no read goes
** unrecorded.
**
** Both grow without bound, so both are read in pages by their key (the
** chain's seq, the access log's id): ?limit= (1..AUDIT_PAGE_MAX, default
** AUDIT_PAGE_DEFAULT) rows after ?after_seq= (or the older ?after=); the
** answer's next_after_seq is the last key of a full page when more rows
** follow, null on the last page.  A page is at most AUDIT_PAGE_MAX rows,
** so hatd's memory for it does not grow with the logs.
*/
#include "api.h"

#define AUDIT_PAGE_DEFAULT 50
#define AUDIT_PAGE_MAX 500

/* Answers {list: [rows], next_after_seq} from sql, which takes (after,
** limit + 1) and whose column key_col is the key: the extra row, when it
** comes, only says that another page follows. */
static enum hat_err page(struct http_req *req, const char *sql, int key_col, const char *list,
			 const char *what)
{
	struct store_stmt *s = NULL;
	json_t *rows = json_array(), *r = NULL;
	int64_t after, limit, n = 0, last = 0;
	bool row = false;
	enum hat_err rc = rows ? api_keyset(req, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX, &limit, &after)
			       : HAT_E_NOMEM;

	if (rc == HAT_OK)
		rc = api_log_access(req, 0, what);
	if (rc == HAT_OK)
		rc = store_prepare(api_reader(req), sql, &s);
	if (rc == HAT_OK)
		rc = store_bindf(s, "ii", after, limit + 1);
	while (rc == HAT_OK && (rc = store_step(s, &row)) == HAT_OK && row && n < limit) {
		rc = store_row_json(s, &r);
		if (rc == HAT_OK && json_array_append_new(rows, r) != 0)
			rc = HAT_E_NOMEM;
		last = store_col_int(s, key_col);
		n++;
	}
	store_done(s);
	if (rc != HAT_OK) {
		json_decref(rows);
		return rc;
	}
	/* row is true here only when the limit + 1st row came: a full page
	** with more after it. */
	http_reply(req, 200, json_pack("{s:o, s:o, s:I}", list, rows, "next_after_seq",
				       row ? json_integer(last) : json_null(), "limit",
				       (json_int_t)limit));
	return HAT_OK;
}

enum hat_err api_audit_list(struct http_req *req)
{
	return page(req,
		    "SELECT e.seq, e.at AS recorded_at, e.actor_id, u.username AS actor,"
		    " e.action, e.entity, e.entity_id, e.detail, hex(e.hash) AS hash"
		    " FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id"
		    " WHERE e.seq > ? ORDER BY e.seq LIMIT ?",
		    0, "events", "audit log");
}

enum hat_err api_access_log_list(struct http_req *req)
{
	return page(req,
		    "SELECT a.id, a.at AS read_at, a.user_id, u.username, a.patient_id,"
		    " a.what, a.why FROM access_log a JOIN users u ON u.id = a.user_id"
		    " WHERE a.id > ? ORDER BY a.id LIMIT ?",
		    0, "access_log", "access log");
}
