-- 003: the controlled-drug register.
--
-- One page per (premises, drug, strength, form).  Entries are append-only
-- and in order on their page (seq); each carries the balance after it, which
-- the verifier recomputes from the entries.  Stock is held in lots (a batch
-- with its expiry) so that a dose takes the right ampoules and expired stock
-- stays quarantined until it is destroyed.  Each entry carries its page's
-- balance and its lot's contents after it; the verifier recomputes both from
-- the entries.  Quantities are whole ampoules;
-- amounts given and wasted are micrograms.

CREATE TABLE suppliers (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  address    TEXT NOT NULL,
  active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE register_pages (
  id          INTEGER PRIMARY KEY,
  premises_id INTEGER NOT NULL REFERENCES premises(id),
  drug        TEXT NOT NULL,
  strength_ug INTEGER NOT NULL,
  form        TEXT NOT NULL,
  schedule    INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (premises_id, drug, strength_ug, form)
) STRICT;

CREATE TABLE stock_lots (
  id          INTEGER PRIMARY KEY,
  page_id     INTEGER NOT NULL REFERENCES register_pages(id),
  batch       TEXT NOT NULL,
  expiry_date INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (page_id, batch, expiry_date)
) STRICT;

CREATE TABLE register_entries (
  id                 INTEGER PRIMARY KEY,
  page_id            INTEGER NOT NULL REFERENCES register_pages(id),
  seq                INTEGER NOT NULL,
  kind               TEXT NOT NULL CHECK (kind IN ('opening', 'receipt', 'administration',
                       'destruction', 'correction')),
  qty                INTEGER NOT NULL,
  balance_after      INTEGER NOT NULL CHECK (balance_after >= 0),
  lot_id             INTEGER REFERENCES stock_lots(id),
  lot_after          INTEGER CHECK (lot_after >= 0),
  at                 INTEGER NOT NULL,
  event_date         INTEGER NOT NULL,
  entered_date       INTEGER NOT NULL,
  late               INTEGER NOT NULL CHECK (late IN (0, 1)),
  supplier_name      TEXT,
  supplier_address   TEXT,
  invoice_ref        TEXT,
  patient_id         INTEGER REFERENCES patients(id),
  patient_name       TEXT,
  patient_address    TEXT,
  prescriber_name    TEXT,
  licence_number     TEXT,
  administration_id  INTEGER REFERENCES administrations(id),
  given_ug           INTEGER,
  wasted_ug          INTEGER,
  made_by            INTEGER NOT NULL REFERENCES users(id),
  witness_id         INTEGER REFERENCES users(id),
  witness_name       TEXT,
  witness_role       TEXT,
  witness_authority  TEXT,
  reason             TEXT,
  corrects_entry_id  INTEGER REFERENCES register_entries(id),
  UNIQUE (page_id, seq),
  CHECK (witness_id IS NULL OR witness_id <> made_by)
) STRICT;
CREATE INDEX register_entries_admin ON register_entries(administration_id);
-- The page's latest event date, which a back-dated entry is measured against.
CREATE INDEX register_entries_page_date ON register_entries(page_id, event_date);
-- lot_after is what the entry's lot holds after it, so a lot's contents
-- are one indexed look-up, not a sum over its history.
CREATE INDEX register_entries_lot ON register_entries(lot_id, id);

-- Medicines a patient hands back: never stock, never on a page's balance.
CREATE TABLE returns_log (
  id           INTEGER PRIMARY KEY,
  premises_id  INTEGER NOT NULL REFERENCES premises(id),
  patient_id   INTEGER REFERENCES patients(id),
  description  TEXT NOT NULL,
  quantity     TEXT NOT NULL,
  received_by  INTEGER NOT NULL REFERENCES users(id),
  witness_id   INTEGER REFERENCES users(id),
  at           INTEGER NOT NULL
) STRICT;

CREATE TABLE stock_checks (
  id          INTEGER PRIMARY KEY,
  page_id     INTEGER NOT NULL REFERENCES register_pages(id),
  at          INTEGER NOT NULL,
  local_date  INTEGER NOT NULL,
  expected    INTEGER NOT NULL,
  counted     INTEGER NOT NULL,
  difference  INTEGER NOT NULL,
  checked_by  INTEGER NOT NULL REFERENCES users(id),
  second_by   INTEGER NOT NULL REFERENCES users(id),
  CHECK (checked_by <> second_by)
) STRICT;
CREATE INDEX stock_checks_page ON stock_checks(page_id, at);

-- A discrepancy case: opened by a stock check that did not match; its
-- checklist and its end are events below, so the case is append-only too.
CREATE TABLE discrepancies (
  id             INTEGER PRIMARY KEY,
  page_id        INTEGER NOT NULL REFERENCES register_pages(id),
  stock_check_id INTEGER NOT NULL REFERENCES stock_checks(id),
  difference     INTEGER NOT NULL,
  opened_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE discrepancy_events (
  id              INTEGER PRIMARY KEY,
  discrepancy_id  INTEGER NOT NULL REFERENCES discrepancies(id),
  kind            TEXT NOT NULL CHECK (kind IN ('check', 'resolved', 'escalated')),
  item            TEXT,
  finding         TEXT NOT NULL,
  entry_id        INTEGER REFERENCES register_entries(id),
  incident_id     INTEGER,
  at              INTEGER NOT NULL,
  by_id           INTEGER NOT NULL REFERENCES users(id)
) STRICT;

CREATE TABLE incidents (
  id             INTEGER PRIMARY KEY,
  premises_id    INTEGER NOT NULL REFERENCES premises(id),
  kind           TEXT NOT NULL CHECK (kind IN ('discrepancy', 'loss', 'theft',
                   'wrong_dose', 'concern', 'other')),
  occurred_at    INTEGER NOT NULL,
  description    TEXT NOT NULL,
  action_taken   TEXT NOT NULL DEFAULT '',
  discrepancy_id INTEGER REFERENCES discrepancies(id),
  reported_by    INTEGER NOT NULL REFERENCES users(id),
  at             INTEGER NOT NULL
) STRICT;

CREATE TRIGGER register_entries_no_update BEFORE UPDATE ON register_entries
BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER register_entries_no_delete BEFORE DELETE ON register_entries
BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER stock_checks_no_update BEFORE UPDATE ON stock_checks
BEGIN SELECT RAISE(ABORT, 'stock_checks is append-only'); END;
CREATE TRIGGER stock_checks_no_delete BEFORE DELETE ON stock_checks
BEGIN SELECT RAISE(ABORT, 'stock_checks is append-only'); END;
CREATE TRIGGER discrepancies_no_update BEFORE UPDATE ON discrepancies
BEGIN SELECT RAISE(ABORT, 'discrepancies is append-only'); END;
CREATE TRIGGER discrepancies_no_delete BEFORE DELETE ON discrepancies
BEGIN SELECT RAISE(ABORT, 'discrepancies is append-only'); END;
CREATE TRIGGER discrepancy_events_no_update BEFORE UPDATE ON discrepancy_events
BEGIN SELECT RAISE(ABORT, 'discrepancy_events is append-only'); END;
CREATE TRIGGER discrepancy_events_no_delete BEFORE DELETE ON discrepancy_events
BEGIN SELECT RAISE(ABORT, 'discrepancy_events is append-only'); END;
CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents is append-only'); END;
CREATE TRIGGER incidents_no_delete BEFORE DELETE ON incidents
BEGIN SELECT RAISE(ABORT, 'incidents is append-only'); END;
CREATE TRIGGER returns_log_no_update BEFORE UPDATE ON returns_log
BEGIN SELECT RAISE(ABORT, 'returns_log is append-only'); END;
CREATE TRIGGER returns_log_no_delete BEFORE DELETE ON returns_log
BEGIN SELECT RAISE(ABORT, 'returns_log is append-only'); END;
