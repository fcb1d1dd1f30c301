/*
** pins.h: a witness's personal PIN, and the staff signed in on a device.
**
** A member of staff may set a PIN of their own (core/pin.h says which are
** allowed) and then witness, on a device where they are signed in, by
** picking their name and typing it (auth_witness_check).  The PIN is
** hashed like a password before the writer sees the command, kept in the
** bound users row (pin_hash), and never logged.
**
** Commands:
**   user.set_pin     the user themself, with their current password
**                    (input: pin); the audit event says only that it was
**                    set or changed.  Refusals: weak_pin (naming the rule),
**                    missing_field (current_password).
** Housekeeping (no route of their own):
**   user.pin_failed  counts a wrong PIN for its owner, locking the PIN
**                    (not the login) for the policy's lock_s after
**                    lock_after wrong ones; audited.
**   user.pin_ok      clears that count after a right PIN, and marks the
**                    owner's sessions on the device used.
*/
#ifndef HAT_CMD_PINS_H
#define HAT_CMD_PINS_H

#include "cmd/cmd.h"

extern const struct cmd_def pins_set;

/* Counts a wrong PIN typed for user_id as a witness. */
enum hat_err pins_failed(const struct cmd_runner *r, int64_t user_id, int64_t now);

/* After a right PIN on the device whose cookie hashes to device: clears
** user_id's count of wrong PINs and marks their live sessions on that
** device used now (a PIN typed there is its owner using the device). */
enum hat_err pins_succeeded(const struct cmd_runner *r, int64_t user_id,
			    const unsigned char device[AUTH_TOKEN_HASH_BYTES], int64_t now);

/* The staff with a live session (policy p) opened on the device whose
** cookie hashes to device, other than actor_id: an array of {id,
** username, display_name, roles, has_pin} ordered by display name (new
** reference in *out).  An empty array when device is NULL.  Service-user
** accounts are never listed: they witness nothing. */
enum hat_err pins_device_staff(struct store_conn *read, const unsigned char *device,
			       int64_t actor_id, int64_t now, const struct auth_policy *p,
			       json_t **out);

#endif
