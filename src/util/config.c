/*
** config.c: see config.h.
*/
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"

void config_default(struct config *c)
{
	memset(c, 0, sizeof *c);
	str_copy(c->db, sizeof c->db, "hat.db");
	str_copy(c->listen, sizeof c->listen, "127.0.0.1:8080");
	str_copy(c->web_root, sizeof c->web_root, "web");
	str_copy(c->timezone, sizeof c->timezone, "Europe/London");
	c->connection_limit = 2048;
	c->timeout_s = 30;
	c->batch_cap = 64;
	c->readers = 16;
	c->reader_wait_ms = 2000;
	c->session_idle_s = 30 * 60;
	c->session_absolute_s = 12 * 3600;
	c->login_throttle_after = 3;
	c->login_lock_after = 5;
	c->login_lock_s = 15 * 60;
	c->login_address_limit = 20;
	c->login_total_limit = 300;
	c->shutdown_grace_s = 10;
	c->per_ip_connection_limit = 64;
	c->header_timeout_s = 10;
	c->workers = 16;
	c->tls_cert[0] = '\0';
	c->tls_key[0] = '\0';
	c->behind_tls_proxy = 0;
}

struct config_key {
	const char *name;
	size_t offset;
	size_t size;      /* text keys: the buffer size; numbers: 0 */
	int64_t min, max; /* numbers only */
};

#define TEXT(k) { #k, offsetof(struct config, k), sizeof(((struct config *)0)->k), 0, 0 }
#define NUM(k, lo, hi) { #k, offsetof(struct config, k), 0, lo, hi }

static const struct config_key keys[] = {
	TEXT(db), TEXT(listen), TEXT(web_root), TEXT(timezone),
	NUM(connection_limit, 4, 65536),
	NUM(timeout_s, 1, 3600),
	NUM(batch_cap, 1, 4096),
	NUM(readers, 1, 1024),
	NUM(reader_wait_ms, 1, 60000),
	NUM(session_idle_s, 60, 7 * 86400),
	NUM(session_absolute_s, 300, 31 * 86400),
	NUM(login_throttle_after, 1, 100),
	NUM(login_lock_after, 1, 100),
	NUM(login_lock_s, 1, 7 * 86400),
	NUM(login_address_limit, 1, 100000),
	NUM(login_total_limit, 1, 1000000),
	NUM(shutdown_grace_s, 0, 600),
	NUM(per_ip_connection_limit, 1, 100000),
	NUM(header_timeout_s, 1, 600),
	NUM(workers, 1, 1024),
	TEXT(tls_cert), TEXT(tls_key),
	NUM(behind_tls_proxy, 0, 1),
};

enum hat_err config_set(struct config *c, const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct config_key *k = &keys[i];
		char *field = (char *)c + k->offset;
		int64_t v;

		if (strcmp(k->name, key) != 0)
			continue;
		if (k->size) {
			/* Too long: refused, and the setting left as it was. */
			if (strlen(value) >= k->size)
				return HAT_E_INVALID_VALUE;
			str_copy(field, k->size, value);
			return HAT_OK;
		}
		if (!str_to_int64(value, k->min, k->max, &v))
			return HAT_E_INVALID_VALUE;
		memcpy(field, &v, sizeof v);
		return HAT_OK;
	}
	return HAT_E_INVALID_VALUE;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

enum hat_err config_load(struct config *c, const char *path, int *line)
{
	char text[1024];
	FILE *f = fopen(path, "r");
	enum hat_err rc = HAT_OK;

	*line = 0;
	if (!f)
		return HAT_E_IO;
	while (fgets(text, sizeof text, f)) {
		char *s;
		char *eq;
		size_t len = strlen(text);
		int ch;

		/* A line longer than the buffer: skip its tail, so that the tail
		** is never read as a line of its own.  Only a comment may be so
		** long; no setting's value is. */
		bool whole = len == 0 || text[len - 1] == '\n' || feof(f);
		if (!whole) {
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
		}
		(*line)++;
		s = trim(text);
		if (*s == '#' || (whole && *s == '\0'))
			continue;
		if (!whole) {
			rc = HAT_E_INVALID_VALUE;
			break;
		}
		eq = strchr(s, '=');
		if (!eq) {
			rc = HAT_E_INVALID_VALUE;
			break;
		}
		*eq = '\0';
		rc = config_set(c, trim(s), trim(eq + 1));
		if (rc != HAT_OK)
			break;
	}
	fclose(f);
	return rc;
}
