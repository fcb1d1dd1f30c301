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

/* Roles held at one premises (premises_roles.c): input premises_id, role
** and an optional confirmer; target = user id.  Refusals: not_found,
** unknown_premises, unknown_role, role_not_per_premises, user_disabled,
** role_already_held, role_not_held, and the grant rules' self_grant,
** confirmation_required, confirmer_not_allowed. */
extern const struct cmd_def users_grant_premises_role;
extern const struct cmd_def users_revoke_premises_role;

/* For the commands that give roles: the separation of duties
** (core/duties.h) for target going from roles before to after (or a
** licence), with the confirmer the caller authenticated (c->witness_id),
** read again here.  Refuses with self_grant, confirmation_required or
** confirmer_not_allowed. */
enum hat_err users_check_grant(struct store_conn *conn, struct cmd *c, int64_t target,
			       unsigned before, unsigned after, bool licence);
/* Adds "confirmed_by" to an audit detail when someone confirmed. */
void users_note_confirmer(json_t *detail, const struct cmd *c);

/* A user as the API shows it: id, username, display_name, roles, disabled,
** created_at, licences for a prescriber, and premises_roles (the roles
** held at one premises: premises_id, premises, role, granted_at,
** granted_by, confirmed_by).  On success *out is a new
** reference.  HAT_E_NOT_FOUND when there is no such user. */
enum hat_err users_read(struct store_conn *c, int64_t id, json_t **out);

/* All users, ordered by username, each with roles and premises_roles
** (new reference). */
enum hat_err users_list(struct store_conn *c, json_t **out);

/* Finds a user id by username; HAT_E_NOT_FOUND when none. */
enum hat_err users_find(struct store_conn *c, const char *username, int64_t *id);

#endif
