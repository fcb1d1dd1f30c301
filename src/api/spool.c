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
