/*
** users.h: staff accounts, roles and prescriber licences.
**
** Commands (input fields in users.c):
**   user.create       admin: username, display_name, password, roles
**   user.update       admin: display_name, roles, disabled (target = user id)
**   user.set_password admin, or the user themself: password
**   user.add_licence  admin or manager: a prescriber's Home Office licence
**                     (licence_number, premises_id, expires_on)
** Refusals: username_taken, last_admin, weak_password, not_found,
** unknown_premises, not_a_prescriber.
*/
#ifndef HAT_CMD_USERS_H
#define HAT_CMD_USERS_H

#include "cmd/cmd.h"

extern const struct cmd_def users_create;
extern const struct cmd_def users_update;
extern const struct cmd_def users_set_password;
extern const struct cmd_def users_add_licence;

/* A user as the API shows it: id, username, display_name, roles, disabled,
** created_at, and licences for a prescriber.  On success *out is a new
** reference.  HAT_E_NOT_FOUND when there is no such user. */
enum hat_err users_read(struct store_conn *c, int64_t id, json_t **out);

/* All users, ordered by username (new reference). */
enum hat_err users_list(struct store_conn *c, json_t **out);

/* Finds a user id by username; HAT_E_NOT_FOUND when none. */
enum hat_err users_find(struct store_conn *c, const char *username, int64_t *id);

#endif
