-- 002: dosing sessions: clinical settings, prescriptions, the session's
-- events, assessments, administrations, adverse events and reviews.
--
-- Clinical records are append-only (triggers below): a prescription is never
-- edited (a new one supersedes it, a stop is an event), and an assessment or
-- an administration is never changed or removed.  Amounts are micrograms.

-- Clinical settings per premises, one row per version; the newest applies.
CREATE TABLE clinic_settings (
  id          INTEGER PRIMARY KEY,
  premises_id INTEGER NOT NULL REFERENCES premises(id),
  version     INTEGER NOT NULL,
  settings    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  INTEGER REFERENCES users(id),
  UNIQUE (premises_id, version)
) STRICT;

CREATE TABLE prescriptions (
  id                INTEGER PRIMARY KEY,
  patient_id        INTEGER NOT NULL REFERENCES patients(id),
  premises_id       INTEGER NOT NULL REFERENCES premises(id),
  drug              TEXT NOT NULL CHECK (drug IN ('diamorphine', 'hydromorphone')),
  routes            TEXT NOT NULL,
  session_dose_ug   INTEGER NOT NULL,
  sessions_per_day  INTEGER NOT NULL,
  daily_max_ug      INTEGER NOT NULL,
  topup_allowed     INTEGER NOT NULL CHECK (topup_allowed IN (0, 1)),
  topup_max_ug      INTEGER NOT NULL,
  start_date        INTEGER NOT NULL,
  end_date          INTEGER,
  induction         TEXT,
  oral_drug         TEXT CHECK (oral_drug IN ('methadone_oral', 'srom')),
  oral_dose_ug      INTEGER NOT NULL DEFAULT 0,
  oral_daily_max_ug INTEGER NOT NULL DEFAULT 0,
  notes             TEXT NOT NULL DEFAULT '',
  prescriber_id     INTEGER NOT NULL REFERENCES users(id),
  licence_id        INTEGER REFERENCES prescriber_licences(id),
  supersedes_id     INTEGER REFERENCES prescriptions(id),
  signed_at         INTEGER NOT NULL
) STRICT;
CREATE INDEX prescriptions_patient ON prescriptions(patient_id);

-- A stop is an event with a reason; so is being superseded.
CREATE TABLE prescription_events (
  id              INTEGER PRIMARY KEY,
  prescription_id INTEGER NOT NULL REFERENCES prescriptions(id),
  kind            TEXT NOT NULL CHECK (kind IN ('stopped', 'superseded')),
  reason          TEXT NOT NULL,
  at              INTEGER NOT NULL,
  by_id           INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX prescription_events_rx ON prescription_events(prescription_id);

CREATE TABLE assessments (
  id                 INTEGER PRIMARY KEY,
  patient_id         INTEGER NOT NULL REFERENCES patients(id),
  premises_id        INTEGER NOT NULL REFERENCES premises(id),
  at                 INTEGER NOT NULL,
  local_date         INTEGER NOT NULL,
  window_no          INTEGER NOT NULL,
  sedation_level     INTEGER NOT NULL,
  breath_alcohol_ug  INTEGER NOT NULL,
  concerns           TEXT NOT NULL DEFAULT '',
  decision           TEXT NOT NULL CHECK (decision IN ('fit', 'not_fit', 'fit_reduced')),
  reason             TEXT,
  nurse_id           INTEGER NOT NULL REFERENCES users(id)
) STRICT;
CREATE INDEX assessments_patient ON assessments(patient_id, at);

-- A prescriber's authorisation of a reduced dose after an assessment.
CREATE TABLE reduced_authorisations (
  id            INTEGER PRIMARY KEY,
  assessment_id INTEGER NOT NULL REFERENCES assessments(id),
  prescriber_id INTEGER NOT NULL REFERENCES users(id),
  amount_ug     INTEGER NOT NULL,
  at            INTEGER NOT NULL
) STRICT;
CREATE INDEX reduced_authorisations_assessment ON reduced_authorisations(assessment_id);

-- Every dose given: injections and supervised oral doses.
CREATE TABLE administrations (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients(id),
  premises_id      INTEGER NOT NULL REFERENCES premises(id),
  prescription_id  INTEGER NOT NULL REFERENCES prescriptions(id),
  kind             TEXT NOT NULL CHECK (kind IN ('injection', 'oral')),
  drug             TEXT NOT NULL,
  route            TEXT NOT NULL,
  site             TEXT,
  amount_ug        INTEGER NOT NULL CHECK (amount_ug > 0),
  at               INTEGER NOT NULL,
  local_date       INTEGER NOT NULL,
  local_minute     INTEGER NOT NULL,
  window_no        INTEGER NOT NULL,
  session_no       INTEGER NOT NULL,
  topup            INTEGER NOT NULL CHECK (topup IN (0, 1)),
  assessment_id    INTEGER REFERENCES assessments(id),
  nurse_id         INTEGER NOT NULL REFERENCES users(id),
  witness_id       INTEGER NOT NULL REFERENCES users(id),
  warnings         TEXT NOT NULL DEFAULT '',
  CHECK (nurse_id <> witness_id)
) STRICT;
CREATE INDEX administrations_patient ON administrations(patient_id, local_date);
CREATE INDEX administrations_day ON administrations(premises_id, local_date);

-- What happened to a patient in one session: check-in, post-dose check,
-- leaving, withholding, declining.  The board's state is folded from these
-- with the assessments and administrations.
CREATE TABLE visit_events (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  premises_id INTEGER NOT NULL REFERENCES premises(id),
  local_date  INTEGER NOT NULL,
  window_no   INTEGER NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('check_in', 'assessed', 'dosed',
                'postdose_check', 'left', 'withheld', 'declined')),
  at          INTEGER NOT NULL,
  by_id       INTEGER NOT NULL REFERENCES users(id),
  ref_id      INTEGER,
  detail      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX visit_events_visit ON visit_events(premises_id, local_date, window_no, patient_id);
CREATE INDEX visit_events_patient ON visit_events(patient_id, local_date);

CREATE TABLE adverse_events (
  id                INTEGER PRIMARY KEY,
  patient_id        INTEGER NOT NULL REFERENCES patients(id),
  premises_id       INTEGER NOT NULL REFERENCES premises(id),
  kind              TEXT NOT NULL CHECK (kind IN ('over_sedation', 'overdose',
                      'naloxone', 'seizure', 'other')),
  occurred_at       INTEGER NOT NULL,
  naloxone_dose_ug  INTEGER,
  naloxone_route    TEXT,
  naloxone_at       INTEGER,
  action_taken      TEXT NOT NULL,
  outcome           TEXT NOT NULL,
  blocks            INTEGER NOT NULL CHECK (blocks IN (0, 1)),
  reported_by       INTEGER NOT NULL REFERENCES users(id),
  at                INTEGER NOT NULL
) STRICT;
CREATE INDEX adverse_events_patient ON adverse_events(patient_id, occurred_at);

-- A prescriber's review: lifts a block after an adverse event or missed
-- doses; may restart induction from its date.
CREATE TABLE reviews (
  id                 INTEGER PRIMARY KEY,
  patient_id         INTEGER NOT NULL REFERENCES patients(id),
  prescriber_id      INTEGER NOT NULL REFERENCES users(id),
  at                 INTEGER NOT NULL,
  local_date         INTEGER NOT NULL,
  outcome            TEXT NOT NULL CHECK (outcome IN ('continue', 'reduce', 'restart_induction')),
  notes              TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX reviews_patient ON reviews(patient_id, at);

-- A recorded discussion of the risks of injecting into a lower-limb site.
CREATE TABLE risk_discussions (
  id         INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  at         INTEGER NOT NULL,
  by_id      INTEGER NOT NULL REFERENCES users(id),
  notes      TEXT NOT NULL
) STRICT;

CREATE TRIGGER clinic_settings_no_update BEFORE UPDATE ON clinic_settings
BEGIN SELECT RAISE(ABORT, 'clinic_settings is append-only'); END;
CREATE TRIGGER clinic_settings_no_delete BEFORE DELETE ON clinic_settings
BEGIN SELECT RAISE(ABORT, 'clinic_settings is append-only'); END;
CREATE TRIGGER prescriptions_no_update BEFORE UPDATE ON prescriptions
BEGIN SELECT RAISE(ABORT, 'prescriptions are append-only'); END;
CREATE TRIGGER prescriptions_no_delete BEFORE DELETE ON prescriptions
BEGIN SELECT RAISE(ABORT, 'prescriptions are append-only'); END;
CREATE TRIGGER prescription_events_no_update BEFORE UPDATE ON prescription_events
BEGIN SELECT RAISE(ABORT, 'prescription_events is append-only'); END;
CREATE TRIGGER prescription_events_no_delete BEFORE DELETE ON prescription_events
BEGIN SELECT RAISE(ABORT, 'prescription_events is append-only'); END;
CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END;
CREATE TRIGGER reduced_authorisations_no_update BEFORE UPDATE ON reduced_authorisations
BEGIN SELECT RAISE(ABORT, 'reduced_authorisations is append-only'); END;
CREATE TRIGGER reduced_authorisations_no_delete BEFORE DELETE ON reduced_authorisations
BEGIN SELECT RAISE(ABORT, 'reduced_authorisations is append-only'); END;
CREATE TRIGGER administrations_no_update BEFORE UPDATE ON administrations
BEGIN SELECT RAISE(ABORT, 'administrations are append-only'); END;
CREATE TRIGGER administrations_no_delete BEFORE DELETE ON administrations
BEGIN SELECT RAISE(ABORT, 'administrations are append-only'); END;
CREATE TRIGGER visit_events_no_update BEFORE UPDATE ON visit_events
BEGIN SELECT RAISE(ABORT, 'visit_events is append-only'); END;
CREATE TRIGGER visit_events_no_delete BEFORE DELETE ON visit_events
BEGIN SELECT RAISE(ABORT, 'visit_events is append-only'); END;
CREATE TRIGGER adverse_events_no_update BEFORE UPDATE ON adverse_events
BEGIN SELECT RAISE(ABORT, 'adverse_events is append-only'); END;
CREATE TRIGGER adverse_events_no_delete BEFORE DELETE ON adverse_events
BEGIN SELECT RAISE(ABORT, 'adverse_events is append-only'); END;
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'reviews are append-only'); END;
CREATE TRIGGER risk_discussions_no_update BEFORE UPDATE ON risk_discussions
BEGIN SELECT RAISE(ABORT, 'risk_discussions is append-only'); END;
CREATE TRIGGER risk_discussions_no_delete BEFORE DELETE ON risk_discussions
BEGIN SELECT RAISE(ABORT, 'risk_discussions is append-only'); END;
