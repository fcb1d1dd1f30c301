/*
** register_view.c: the register's JSON view written out entry by entry
** (register.h, register_view_write).
**
** The same document as register_view makes, but each entry goes to the
** spool as it is read, so a page of thousands of entries costs hatd one
** entry's memory instead of the whole tree and its text.
*/
#include <stdlib.h>
#include <string.h>

#include "register_view.h"
#include "util/clock.h"

/* Appends v as compact JSON. */
static enum hat_err put_json(struct spool *out, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	enum hat_err rc = text ? buf_puts(&out->b, text) : HAT_E_NOMEM;

	free(text);
	return rc;
}

/* One page: its heading's fields as register_view_pages made them, then
** its entries as they are read, then where the next read starts. */
static enum hat_err put_page(struct store_conn *c, json_t *page, int32_t from, int32_t to,
			     int64_t after_seq, int64_t limit, struct spool *out)
{
	struct store_stmt *st = NULL;
	int64_t last = 0, n = 0;
	bool row = false;
	char *head = json_dumps(page, JSON_COMPACT);
	size_t len = head ? strlen(head) : 0;
	enum hat_err rc = head && len >= 2 ? HAT_OK : HAT_E_NOMEM;

	/* The heading without its closing brace: the entries go inside. */
	if (rc == HAT_OK)
		rc = buf_append(&out->b, head, len - 1);
	if (rc == HAT_OK)
		rc = buf_puts(&out->b, len > 2 ? ",\"entries\":[" : "\"entries\":[");
	free(head);
	if (rc == HAT_OK)
		rc = register_view_entries(c, json_integer_value(json_object_get(page, "id")), from,
					   to, after_seq, &st);
	while (rc == HAT_OK) {
		json_t *e = NULL;

		rc = store_step(st, &row);
		if (rc != HAT_OK || !row || n == limit)
			break;
		rc = store_row_json(st, &e);
		if (rc == HAT_OK && n > 0)
			rc = buf_append(&out->b, ",", 1);
		if (rc == HAT_OK)
			rc = put_json(out, e);
		json_decref(e);
		if (rc == HAT_OK)
			rc = spool_row(out);
		last = store_col_int(st, 1);
		n++;
	}
	store_done(st);
	/* A full page says where the next one starts (row: one more came). */
	if (rc == HAT_OK && row)
		rc = buf_printf(&out->b, "],\"next_after_seq\":%lld}", (long long)last);
	else if (rc == HAT_OK)
		rc = buf_puts(&out->b, "],\"next_after_seq\":null}");
	return rc;
}

enum hat_err register_view_write(struct store_conn *c, int64_t premises_id, int64_t page_id,
				 int32_t from, int32_t to, int64_t after_seq, int64_t limit,
				 struct spool *out)
{
	json_t *pages = NULL, *p, *top;
	char a[11], b[11];
	char head[AUDIT_HEAD_TEXT];
	size_t i;
	bool began = false;
	/* The pages, the head and the entries as of one moment. */
	enum hat_err rc = store_read_begin(c, &began);

	if (rc == HAT_OK)
		rc = register_view_pages(c, premises_id, page_id, &pages, head);
	clock_format_date(from, a);
	clock_format_date(to, b);
	top = rc == HAT_OK ? json_pack("{s:I, s:s, s:s, s:s}", "premises_id",
				       (json_int_t)premises_id, "from", a, "to", b, "chain_head",
				       head)
			   : NULL;
	if (rc == HAT_OK && !top)
		rc = HAT_E_NOMEM;
	if (rc == HAT_OK) {
		char *text = json_dumps(top, JSON_COMPACT);
		size_t len = text ? strlen(text) : 0;

		rc = text && len > 2 ? buf_append(&out->b, text, len - 1) : HAT_E_NOMEM;
		free(text);
	}
	if (rc == HAT_OK)
		rc = buf_puts(&out->b, ",\"pages\":[");
	json_array_foreach(pages, i, p) {
		if (rc == HAT_OK && i > 0)
			rc = buf_append(&out->b, ",", 1);
		if (rc == HAT_OK)
			rc = put_page(c, p, from, to, after_seq, limit, out);
		if (rc != HAT_OK)
			break;
	}
	if (rc == HAT_OK)
		rc = buf_puts(&out->b, "]}");
	store_read_end(c, began);
	json_decref(top);
	json_decref(pages);
	return rc;
}
