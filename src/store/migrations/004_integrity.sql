-- 004: every data row bound into the audit chain.
--
-- Each event that wrote rows carries the fingerprints of those rows in
-- audit_rows (one row per table row it wrote: the table's code, the row id,
-- and a 16-byte BLAKE2b of the row's canonical bytes, or an empty blob when
-- the event deleted the row) and, in rows_digest, a hash of that list which
-- the event's own hash covers.  hatctl verify recomputes each row's
-- fingerprint from its table and compares it with the latest event that
-- bound it; see src/audit/rows.c.  Which tables are bound, and which hold
-- only ephemeral state, is declared in src/audit/tables.c.

ALTER TABLE audit_events ADD COLUMN rows_digest BLOB;

CREATE TABLE audit_rows (
  seq    INTEGER NOT NULL,
  tbl    INTEGER NOT NULL,
  row_id INTEGER NOT NULL,
  fp     BLOB NOT NULL,
  PRIMARY KEY (seq, tbl, row_id)
) STRICT, WITHOUT ROWID;
-- The latest binding of each row, read in row order by the verifier.
CREATE INDEX audit_rows_row ON audit_rows(tbl, row_id, seq, fp);

CREATE TRIGGER audit_rows_no_update BEFORE UPDATE ON audit_rows
BEGIN SELECT RAISE(ABORT, 'audit_rows is append-only'); END;
CREATE TRIGGER audit_rows_no_delete BEFORE DELETE ON audit_rows
BEGIN SELECT RAISE(ABORT, 'audit_rows is append-only'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head cannot be removed'); END;
