/*
** tables.h: what the audit chain vouches for, table by table.
**
** Every table in the schema is declared here exactly once, with how the
** chain covers it.  The declaration is data: the change tracking, the
** binding of rows to events and the verifier all read it, and a unit test
** fails for any table in the schema that is not declared, so a new table
** cannot be added without a decision about it.
**
**   AUDIT_BOUND      every row is bound, by fingerprint, to the event that
**                    last wrote it (src/audit/rows.c)
**   AUDIT_SEALED     rows are sealed in batches: one event per committed
**                    batch carries the digest of the rows it added (the
**                    access log, which grows with every read)
**   AUDIT_CHAIN      the chain itself (verified link by link)
**   AUDIT_EPHEMERAL  state that may be lost or rewritten without harm to
**                    the record (login sessions, the idempotency cache);
**                    docs/integrity.md lists them and says why
**
** A table's code is stored in audit_rows: codes are never reused or
** renumbered.
*/
#ifndef HAT_AUDIT_TABLES_H
#define HAT_AUDIT_TABLES_H

#include <stddef.h>

enum audit_table_kind { AUDIT_BOUND, AUDIT_SEALED, AUDIT_CHAIN, AUDIT_EPHEMERAL };

struct audit_table {
	const char *name;
	int code;                    /* stable; 0 for chain and ephemeral tables */
	enum audit_table_kind kind;
	const char *const *ignored;  /* columns left out of the fingerprint (NULL-terminated) */
	const char *why;             /* for ephemeral tables and ignored columns */
};

extern const struct audit_table audit_tables[];
extern const size_t audit_table_count;

/* The declaration for a table, or NULL when it is not declared. */
const struct audit_table *audit_table_named(const char *name);
const struct audit_table *audit_table_coded(int code);

#endif
