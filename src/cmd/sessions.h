/*
** sessions.h: logging in and out.
**
** sessions_login runs the whole login: the throttle and lock gate, the
** password check (slow, outside the writer), and then one command that
** either opens a session or counts the failure (locking the account after
** too many).  The session token, the CSRF token and the witness token are
** returned once, in the answer, and stored only as hashes.
*/
#ifndef HAT_CMD_SESSIONS_H
#define HAT_CMD_SESSIONS_H

#include "cmd/cmd.h"

extern const struct cmd_def sessions_close;
extern const struct cmd_def sessions_touch;

/* Logs username in from the client address (text, borrowed).  read is a
** read connection.  kind is "cookie" or "bearer".  device is the hash of
** the client's device cookie (AUTH_TOKEN_HASH_BYTES), kept on the session,
** or NULL when it has none.  On success *out (new
** reference) holds token, csrf_token, witness_token, expires_at and user.
** Before any account is looked at, the address's and everyone's recent
** failures are counted (auth_address_gate); each failure, for a known
** username or not, counts for both.  Errors: HAT_E_BAD_CREDENTIALS,
** HAT_E_LOGIN_THROTTLED, HAT_E_ACCOUNT_LOCKED, HAT_E_ACCOUNT_DISABLED,
** store errors (also when a wrong password could not be counted: that is
** never reported as HAT_E_BAD_CREDENTIALS). */
enum hat_err sessions_login(const struct cmd_runner *r, struct store_conn *read,
			    const char *username, const char *password, const char *kind,
			    const char *address, const unsigned char *device, int64_t now,
			    json_t **out);

/* Wrong witness (or current) passwords typed by user_id within window_s,
** kept in the database so that the count survives a restart. */
enum hat_err sessions_witness_failures(struct store_conn *read, int64_t user_id, int64_t now,
				       int64_t window_s, int *failures);

/* Counts one more wrong witness password for user_id. */
enum hat_err sessions_witness_failed(const struct cmd_runner *r, int64_t user_id,
				     int64_t window_s, int64_t now);

/* Ends the session whose token hash is given (logout). */
enum hat_err sessions_logout(const struct cmd_runner *r, int64_t user_id,
			     const unsigned char token_hash[AUTH_TOKEN_HASH_BYTES], int64_t now);

/* Records that a session was used now (idle expiry counts from here). */
enum hat_err sessions_mark_used(const struct cmd_runner *r, int64_t user_id,
				const unsigned char token_hash[AUTH_TOKEN_HASH_BYTES], int64_t now);

#endif
