/*
** spool.c (api): answering a long read from the spool it was written to.
**
** A handler opens a spool file (api_spool_open), writes the answer to it
** row by row as it reads the store (util/spool.h), and answers from it
** (api_spool_reply): the glue then sends the file from the kernel's page
** cache, so hatd's memory stays the same whatever the answer's length.
*/
#include "api.h"
#include "util/log.h"

enum hat_err api_spool_open(struct spool *s)
{
	enum hat_err rc = spool_open_temp(s);

	if (rc != HAT_OK)
		log_error("api: no spool file for a long answer (is the temporary directory writable?)");
	return rc;
}

enum hat_err api_spool_reply(struct http_req *req, const char *content_type, struct spool *s)
{
	enum hat_err rc = spool_flush(s);

	if (rc == HAT_OK)
		http_reply_file(req, 200, content_type, spool_take_fd(s));
	spool_free(s);
	return rc;
}

/* json_dump_callback's sink: the text goes to the spool as it is made. */
static int dump_part(const char *part, size_t n, void *arg)
{
	struct spool *s = arg;

	return buf_append(&s->b, part, n) == HAT_OK && spool_row(s) == HAT_OK ? 0 : -1;
}

enum hat_err api_spool_json(struct http_req *req, json_t *reply)
{
	struct spool sp = { .fd = -1 };
	enum hat_err rc = reply ? api_spool_open(&sp) : HAT_E_NOMEM;

	if (rc == HAT_OK && json_dump_callback(reply, dump_part, &sp, JSON_COMPACT) != 0)
		rc = HAT_E_IO;
	json_decref(reply);
	if (rc != HAT_OK) {
		spool_free(&sp);
		return rc;
	}
	return api_spool_reply(req, "application/json", &sp);
}
