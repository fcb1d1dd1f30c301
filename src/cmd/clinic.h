/*
** clinic.h: clinic-wide facts kept in the meta table (its name, time zone).
**
** Command clinic.set (admin or manager): key, value.  Only known keys may be
** set, so the meta table never fills with typos.
*/
#ifndef HAT_CMD_CLINIC_H
#define HAT_CMD_CLINIC_H

#include "cmd/cmd.h"

extern const struct cmd_def clinic_set;

/* Reads a meta value into out (empty when unset). */
enum hat_err clinic_get(struct store_conn *c, const char *key, char *out, size_t n);

#endif
