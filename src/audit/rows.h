/*
** rows.h: every data row bound into the audit chain.
**
** A row's fingerprint is a 16-byte BLAKE2b of its canonical bytes: the
** table's name, the row id, and every column that is not NULL (name, type
** and value, in the table's column order; see rows.c).  NULL columns are
** left out so that a migration adding a column does not change the
** fingerprint of rows that predate it.
**
** The writer's connection tracks which rows each command writes (store's
** change tracking, installed by audit_rows_install).  When the command's
** events are appended, the last of them binds every row the command wrote:
** one audit_rows row per table row (seq, table code, row id, fingerprint,
** or an empty fingerprint for a row it deleted), and a digest of that list
** in the event, covered by the event's hash.  New access-log rows are
** sealed once per committed batch by an "access_log.seal" event holding the
** digest of the rows it adds.
**
** hatctl verify then recomputes each row's fingerprint from its table and
** compares it with the latest event that bound it: a row edited by hand
** differs, a row inserted behind hat's back has no event, a row deleted
** behind hat's back is named by an event but missing.
*/
#ifndef HAT_AUDIT_ROWS_H
#define HAT_AUDIT_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "audit/audit.h"
#include "audit/tables.h"
#include "store/store.h"
#include "util/err.h"

#define AUDIT_FP_BYTES 16
#define AUDIT_ROWS_DIGEST_BYTES 32

/* Installs change tracking for every bound and sealed table on a writable
** connection, and the commit hook that seals the access log.  When opening
** the connection applied a migration to an existing database, rows that no
** event binds yet (a migration's seed rows, or a database written before
** rows were bound) are bound by one "schema.migrate" event.  Call once,
** outside a transaction.  Errors: HAT_E_STORE, HAT_E_NOMEM. */
enum hat_err audit_rows_install(struct store_conn *c);

/* True when rows were written since the last binding. */
bool audit_rows_pending(struct store_conn *c);

/* Binds every row written since the last binding to event seq: writes its
** audit_rows and fills digest.  *any is false (and digest untouched) when no
** row was written.  Inside a write transaction. */
enum hat_err audit_rows_bind(struct store_conn *c, int64_t seq,
			     unsigned char digest[AUDIT_ROWS_DIGEST_BYTES], bool *any);

/* The fingerprint of one row as it is now.  *exists is false when there is
** no such row. */
enum hat_err audit_row_fingerprint(struct store_conn *c, const struct audit_table *t,
				   int64_t row_id, unsigned char fp[AUDIT_FP_BYTES], bool *exists);

/* The digest of an event's bindings, added in (table code, row id) order:
** shared by the binding and the chain walk so that the two cannot drift. */
void audit_rows_digest_init(crypto_generichash_blake2b_state *st);
void audit_rows_digest_add(crypto_generichash_blake2b_state *st, int64_t tbl, int64_t row_id,
			   const void *fp, size_t len);

/* Checks every bound table against its bindings, and the access log against
** its seals, adding what is wrong to f.  The chain itself must have been
** verified first (audit_verify), so that the bindings can be trusted.
** progress, when not NULL, is called with (rows done, 0). */
enum hat_err audit_rows_verify(struct store_conn *c, struct audit_findings *f,
			       void (*progress)(int64_t done, int64_t total, void *arg),
			       void *arg);

/* The same for what was added after event from_seq (a head verified
** earlier): the rows bound after it against their latest binding, rows past
** each table's last row then that no later event binds, and the access log's
** seals after it.  A row changed by hand that no event touched since is
** not looked at: a full audit_rows_verify is for that. */
enum hat_err audit_rows_verify_since(struct store_conn *c, int64_t from_seq,
				     struct audit_findings *f);

#endif
