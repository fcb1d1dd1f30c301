/*
** audit.h: the append-only, hash-chained event log and its verifier.
**
** Every command appends one or more events inside its own transaction:
** who did it, what, to which record, and the detail (the new values, and
** the old ones where something is superseded).  Each event's hash is
** BLAKE2b-256(previous hash || canonical bytes of the event), personalised
** for hat, so changing, inserting or removing any event breaks every link
** after it.  The chain head (the last seq and hash) is kept beside the
** chain so that removing the newest events is caught as well.
**
** The writer reads the head inside its BEGIN IMMEDIATE transaction, so two
** writers (hatd and hatctl) can never fork the chain.
*/
#ifndef HAT_AUDIT_AUDIT_H
#define HAT_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"
#include "util/err.h"

#define AUDIT_HASH_BYTES 32

/* Appends one event.  actor_id is 0 when no logged-in person acted (hatctl
** run by the machine's operator records the operating-system user in the
** detail instead).  detail is borrowed and may be NULL.  Must be called
** inside a write transaction.  Errors: HAT_E_STORE, HAT_E_NOMEM. */
enum hat_err audit_append(struct store_conn *c, int64_t at, int64_t actor_id,
			  const char *action, const char *entity, int64_t entity_id,
			  json_t *detail);

/* Records that user_id read a patient's record (patient_id 0 for a list
** of patients).  what names the part read; why is the stated reason, may be
** NULL.  Must be called inside a write transaction. */
enum hat_err audit_access(struct store_conn *c, int64_t at, int64_t user_id,
			  int64_t patient_id, const char *what, const char *why);

/* What the verifier found wrong, naming the event. */
struct audit_finding {
	int64_t seq;       /* the first bad event (or the head's seq) */
	char problem[48];  /* "hash_mismatch", "gap", "prev_hash_mismatch", "head_mismatch" */
	char detail[160];
};

/* Walks the whole chain from the first event, recomputing every link.
** *ok is false and *finding names the first bad event when the chain is
** broken.  *count is the number of events checked.  progress, when not
** NULL, is called now and then with (events done, events in all).
** Errors: HAT_E_STORE, HAT_E_NOMEM (the walk could not be done at all). */
enum hat_err audit_verify(struct store_conn *c, bool *ok, struct audit_finding *finding,
			  int64_t *count,
			  void (*progress)(int64_t done, int64_t total, void *arg),
			  void *arg);

/* The hash of one event from its fields; exposed for the unit tests and
** the benchmark.  out receives AUDIT_HASH_BYTES bytes. */
void audit_hash_event(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq,
		      int64_t at, int64_t actor_id, const char *action,
		      const char *entity, int64_t entity_id, const char *detail,
		      unsigned char out[AUDIT_HASH_BYTES]);

#endif
