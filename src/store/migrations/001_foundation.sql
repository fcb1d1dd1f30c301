-- 001: the foundation: clinic metadata, premises, accounts, sessions,
-- patients and episodes, the audit chain, the access log, idempotency.
--
-- Every table is STRICT.  Times are UTC seconds (INTEGER); calendar dates are
-- day numbers (days since 1970-01-01) in the clinic's local calendar.  Tables
-- whose rows are evidence (audit_events, access_log) refuse UPDATE and DELETE
-- through triggers; a correction is a new row.

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

CREATE TABLE premises (
  id         INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  address    TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  username        TEXT NOT NULL UNIQUE,
  display_name    TEXT NOT NULL,
  password_hash   TEXT NOT NULL,
  disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  failed_logins   INTEGER NOT NULL DEFAULT 0,
  last_failed_at  INTEGER,
  locked_until    INTEGER,
  created_at      INTEGER NOT NULL,
  version         INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE user_roles (
  user_id INTEGER NOT NULL REFERENCES users(id),
  role    TEXT NOT NULL CHECK (role IN ('prescriber', 'nurse', 'pharmacist',
            'keyworker', 'manager', 'cdao', 'auditor', 'admin')),
  PRIMARY KEY (user_id, role)
) STRICT;

-- A prescriber's Home Office licence to prescribe diamorphine for addiction
-- is held per premises; a new licence is a new row, and the current one is
-- the latest whose expiry has not passed.
CREATE TABLE prescriber_licences (
  id             INTEGER PRIMARY KEY,
  user_id        INTEGER NOT NULL REFERENCES users(id),
  licence_number TEXT NOT NULL,
  premises_id    INTEGER NOT NULL REFERENCES premises(id),
  expires_on     INTEGER NOT NULL,
  created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX prescriber_licences_user ON prescriber_licences(user_id);

-- Login sessions.  Only hashes of the session token and the witness token are
-- stored, so a copy of the database gives no one a live session.
CREATE TABLE sessions (
  token_hash    BLOB PRIMARY KEY,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  kind          TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer')),
  csrf_token    TEXT NOT NULL,
  witness_hash  BLOB,
  created_at    INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  revoked_at    INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_witness ON sessions(witness_hash);

CREATE TABLE discharge_reasons (
  code   TEXT PRIMARY KEY,
  label  TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;
-- The treatment-exit reasons of the national drug-treatment data set, as a
-- starting list; a clinic may add and retire codes.
INSERT INTO discharge_reasons (code, label) VALUES
  ('completed_drug_free', 'Treatment completed: drug-free'),
  ('completed_occasional_user', 'Treatment completed: occasional user (not opiates or crack)'),
  ('transferred_not_in_custody', 'Transferred to another service'),
  ('transferred_in_custody', 'Transferred: in custody'),
  ('incomplete_dropped_out', 'Incomplete: dropped out'),
  ('incomplete_declined', 'Incomplete: treatment declined by the person'),
  ('incomplete_withdrawn', 'Incomplete: treatment withdrawn by the provider'),
  ('incomplete_prison', 'Incomplete: prison'),
  ('incomplete_died', 'Incomplete: died'),
  ('moved_to_oral_oat', 'Moved to oral opioid substitution treatment');

CREATE TABLE patients (
  id             INTEGER PRIMARY KEY,
  given_name     TEXT NOT NULL,
  family_name    TEXT NOT NULL,
  birth_date     INTEGER NOT NULL,
  sex            TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
  nhs_number     TEXT UNIQUE,
  address        TEXT NOT NULL DEFAULT '',
  contact        TEXT NOT NULL DEFAULT '',
  alerts         TEXT NOT NULL DEFAULT '',
  premises_id    INTEGER NOT NULL REFERENCES premises(id),
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX patients_name ON patients(family_name, given_name);

CREATE TABLE episodes (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients(id),
  referral_date    INTEGER NOT NULL,
  start_date       INTEGER,
  status           TEXT NOT NULL CHECK (status IN ('referred', 'active', 'discharged')),
  discharge_date   INTEGER,
  discharge_reason TEXT REFERENCES discharge_reasons(code),
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  version          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX episodes_patient ON episodes(patient_id);

-- The hash chain.  hash = BLAKE2b(prev_hash || canonical bytes of the event);
-- see src/audit/audit.c for the canonical form.  audit_head holds the last
-- link so that deleting the newest events is caught too.
CREATE TABLE audit_events (
  seq        INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor_id   INTEGER,
  action     TEXT NOT NULL,
  entity     TEXT NOT NULL,
  entity_id  INTEGER,
  detail     TEXT NOT NULL,
  prev_hash  BLOB NOT NULL,
  hash       BLOB NOT NULL
) STRICT;
CREATE INDEX audit_entity ON audit_events(entity, entity_id);

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash BLOB NOT NULL
) STRICT;

CREATE TABLE access_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  patient_id INTEGER REFERENCES patients(id),
  what       TEXT NOT NULL,
  why        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX access_log_patient ON access_log(patient_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;

-- The first answer to each Idempotency-Key, per user.
CREATE TABLE idempotency (
  user_id      INTEGER NOT NULL,
  key          TEXT NOT NULL,
  request_hash BLOB NOT NULL,
  status       INTEGER NOT NULL,
  body         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
