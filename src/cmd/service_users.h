/*
** service_users.h: a person's own login, linked to their one patient
** record, and the notes they write on how they are doing.
**
** Commands:
**   service_user.open   keyworker or manager (target = patient): username,
**       display_name, password, consent (how the person agreed to it).
**       The login holds no staff role; its open account gives it the
**       service-user role, which reaches only the person's own record.
**   service_user.close  keyworker or manager (target = account): reason.
**       The login is disabled and its sessions end.
**   self.note           the service user: feeling (1 low .. 5 good),
**       text.  Always on their own record.
** Refusals: patient_has_account, username_taken, weak_password,
** invalid_value (username), not_found.
*/
#ifndef HAT_CMD_SERVICE_USERS_H
#define HAT_CMD_SERVICE_USERS_H

#include "cmd/cmd.h"

#define SERVICE_USER_STAFF (ROLE_KEYWORKER | ROLE_MANAGER)

extern const struct cmd_def service_users_open;
extern const struct cmd_def service_users_close;
extern const struct cmd_def service_users_note;

/* The patient an open account belongs to.  HAT_E_NOT_FOUND when user_id
** has no open account. */
enum hat_err service_users_patient(struct store_conn *c, int64_t user_id, int64_t *patient_id);

/* For commands open to a service user: when the actor is one, patient_id
** must be their own (HAT_E_NOT_FOUND otherwise: another person's record is
** not even admitted to exist).  Staff pass.  *by_self says which. */
enum hat_err service_users_gate(struct store_conn *c, const struct cmd *cmd, int64_t patient_id,
				bool *by_self);

/* A patient's accounts, open and closed (new reference). */
enum hat_err service_users_list(struct store_conn *c, int64_t patient_id, json_t **out);

/* The person's own notes, newest first (new reference). */
enum hat_err service_users_notes(struct store_conn *c, int64_t patient_id, json_t **out);

#endif
