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
** detail instead).  detail is borrowed and may be NULL.  When bind is true
** the event binds every row written since the last binding on this
** connection (see rows.h).  Must be called inside a write transaction.
** Errors: HAT_E_STORE, HAT_E_NOMEM. */
enum hat_err audit_append_event(struct store_conn *c, int64_t at, int64_t actor_id,
				const char *action, const char *entity, int64_t entity_id,
				json_t *detail, bool bind);

/* The same with the detail already in canonical text (audit_detail_text). */
enum hat_err audit_append_text(struct store_conn *c, int64_t at, int64_t actor_id,
			       const char *action, const char *entity, int64_t entity_id,
			       const char *text, bool bind);

/* The canonical text of a detail (sorted keys, compact, ASCII); "{}" for
** NULL.  The caller frees it; NULL when out of memory. */
char *audit_detail_text(json_t *detail);

/* audit_append_event with bind true. */
enum hat_err audit_append(struct store_conn *c, int64_t at, int64_t actor_id,
			  const char *action, const char *entity, int64_t entity_id,
			  json_t *detail);

/* Records that user_id read a patient's record (patient_id 0 for a list
** of patients).  what names the part read; why is the stated reason, may be
** NULL.  Must be called inside a write transaction. */
enum hat_err audit_access(struct store_conn *c, int64_t at, int64_t user_id,
			  int64_t patient_id, const char *what, const char *why);

/* What the verifier found wrong, naming the event, and the table and row
** when the finding is about a row. */
struct audit_finding {
	int64_t seq;       /* the bad event, the event that bound the row, or 0 */
	char table[40];    /* "" for the chain itself */
	int64_t row_id;    /* 0 for the chain itself */
	char problem[48];  /* "hash_mismatch", "gap", "prev_hash_mismatch", "head_mismatch",
			   ** "rows_mismatch", "row_changed", "row_unaccounted", "row_missing",
			   ** "access_log_changed", "access_log_unsealed" */
	char detail[200];
};

/* The findings of a verification: the first AUDIT_FINDINGS_KEPT in full and
** a count of all. */
#define AUDIT_FINDINGS_KEPT 64
struct audit_findings {
	struct audit_finding kept[AUDIT_FINDINGS_KEPT];
	size_t n;
	int64_t total;
};

/* Adds a finding (printf-style detail). */
void audit_findings_add(struct audit_findings *f, int64_t seq, const char *table,
			int64_t row_id, const char *problem, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* The chain head: the last event's seq and hash (seq 0 and zeros when the
** chain is empty). */
enum hat_err audit_head(struct store_conn *c, int64_t *seq, unsigned char hash[AUDIT_HASH_BYTES]);

/* The head as text, "SEQ:HEX", for printing and for --since.  out needs
** AUDIT_HEAD_TEXT bytes. */
#define AUDIT_HEAD_TEXT (24 + 1 + 2 * AUDIT_HASH_BYTES + 1)
void audit_head_format(int64_t seq, const unsigned char hash[AUDIT_HASH_BYTES],
		       char out[AUDIT_HEAD_TEXT]);
/* The current head as text (audit_head then audit_head_format). */
enum hat_err audit_head_text(struct store_conn *c, char out[AUDIT_HEAD_TEXT]);

/* Parses "SEQ:HEX"; false when it is not one. */
bool audit_head_parse(const char *text, int64_t *seq, unsigned char hash[AUDIT_HASH_BYTES]);

/* Whether event seq exists with this hash.  *found is false when there is
** no event seq. *same says whether its hash is the one given. */
enum hat_err audit_event_hash_is(struct store_conn *c, int64_t seq,
				 const unsigned char hash[AUDIT_HASH_BYTES], bool *found,
				 bool *same);

/* Walks the whole chain from the first event, recomputing every link and
** the digest of the rows each event binds.
** *ok is false and *finding names the first bad event when the chain is
** broken.  *count is the number of events checked.  progress, when not
** NULL, is called now and then with (events done, events in all).
** Errors: HAT_E_STORE, HAT_E_NOMEM (the walk could not be done at all). */
enum hat_err audit_verify(struct store_conn *c, bool *ok, struct audit_finding *finding,
			  int64_t *count,
			  void (*progress)(int64_t done, int64_t total, void *arg),
			  void *arg);

/* The same walk from a head verified earlier: events after from_seq only,
** the first of them linked to from_hash (which the caller has checked is
** event from_seq's hash).  *count is the number of events walked. */
enum hat_err audit_verify_from(struct store_conn *c, int64_t from_seq,
			       const unsigned char from_hash[AUDIT_HASH_BYTES], bool *ok,
			       struct audit_finding *finding, int64_t *count,
			       void (*progress)(int64_t done, int64_t total, void *arg),
			       void *arg);

/* The hash of one event from its fields; exposed for the unit tests and
** the benchmark.  rows_digest (the digest of the rows the event binds, see
** rows.h) is NULL for an event that binds none; an event without one hashes
** as events did before rows were bound.  out receives AUDIT_HASH_BYTES
** bytes. */
void audit_hash_event(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq,
		      int64_t at, int64_t actor_id, const char *action,
		      const char *entity, int64_t entity_id, const char *detail,
		      const unsigned char *rows_digest, unsigned char out[AUDIT_HASH_BYTES]);

#endif
