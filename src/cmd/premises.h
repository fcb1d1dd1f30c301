/*
** premises.h: the clinic's premises (the register is kept per premises).
**
** Commands: premises.create and premises.update (admin or manager): name,
** address.  Refusals: conflict (the name is taken), not_found.
*/
#ifndef HAT_CMD_PREMISES_H
#define HAT_CMD_PREMISES_H

#include "cmd/cmd.h"

extern const struct cmd_def premises_create;
extern const struct cmd_def premises_update;

/* All premises (new reference). */
enum hat_err premises_list(struct store_conn *c, json_t **out);

/* One premises (new reference); HAT_E_NOT_FOUND. */
enum hat_err premises_read(struct store_conn *c, int64_t id, json_t **out);

#endif
