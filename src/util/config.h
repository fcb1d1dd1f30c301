/*
** config.h: hatd's server settings, from a file and the command line.
**
** The file holds "key = value" lines; '#' starts a comment.  Command-line
** options override the file.  Clinical settings (session windows, caps) are
** not here: they live in the database, versioned and audited.
*/
#ifndef HAT_UTIL_CONFIG_H
#define HAT_UTIL_CONFIG_H

#include <stdint.h>

#include "err.h"

struct config {
	char db[512];
	char listen[128];
	char web_root[512];
	char timezone[64];
	int64_t connection_limit;
	int64_t timeout_s;
	int64_t batch_cap;
	int64_t readers;
	int64_t reader_wait_ms; /* the longest a request waits for a read connection */
	int64_t session_idle_s;
	int64_t session_absolute_s;
	int64_t login_throttle_after;
	int64_t login_lock_after;
	int64_t login_lock_s;
	int64_t login_address_limit;  /* failed logins from one address per window */
	int64_t login_total_limit;    /* failed logins from everywhere per window */
	int64_t shutdown_grace_s;
	int64_t per_ip_connection_limit; /* connections from one client address */
	int64_t header_timeout_s;     /* a request's headers must be in by then */
	int64_t workers;              /* threads that run handlers */
	char tls_cert[512];           /* PEM certificate chain: serve HTTPS */
	char tls_key[512];            /* and its private key */
	int64_t behind_tls_proxy;     /* 1: a TLS proxy in front; act as HTTPS */
};

/* The defaults: hat.db, 127.0.0.1:8080, web/, Europe/London. */
void config_default(struct config *c);

/* Reads path into c.  HAT_E_IO when it cannot be read; HAT_E_INVALID_VALUE
** with *line set for a bad line (an unknown key or a value out of range). */
enum hat_err config_load(struct config *c, const char *path, int *line);

/* Sets one key; HAT_E_INVALID_VALUE for an unknown key or bad value. */
enum hat_err config_set(struct config *c, const char *key, const char *value);

#endif
