-- 010: take-home injectable doses and guest dosing at another premises.
--
-- Take-home is off unless a premises turns it on (takehome_settings), and
-- then only under a rule set written in core (the Swiss criteria first).
-- Every criterion is read from the record: the treatment's dates, the drug
-- screens, a prescriber's recorded assessments, the staff contacts.  A
-- supply is posted to the register in the same transaction; what comes back
-- or is lost is its own row, never stock (the balance already fell by the
-- whole supply).  Guest dosing: the home clinic authorises a premises of
-- the same provider for given days.  All of it is append-only.

-- Per premises, one row per version; the newest applies; none: off.
CREATE TABLE takehome_settings (
  id                    INTEGER PRIMARY KEY,
  premises_id           INTEGER NOT NULL REFERENCES premises(id),
  version               INTEGER NOT NULL,
  enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  rule_set              TEXT NOT NULL, -- core/takehome names the sets; an unknown one is off
  jurisdiction_basis    TEXT NOT NULL,
  assessment_valid_days INTEGER NOT NULL,
  review_days           INTEGER NOT NULL,
  set_by                INTEGER REFERENCES users(id),
  set_at                INTEGER NOT NULL,
  UNIQUE (premises_id, version)
) STRICT;

-- A prescriber's recorded assessment, and the privilege's own decisions
-- (granted, reviewed, withdrawn): the latest of each kind applies.
CREATE TABLE takehome_assessments (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  kind        TEXT NOT NULL CHECK (kind IN ('stability', 'misuse_risk', 'comorbidity',
                'grant', 'review', 'withdraw')),
  outcome     TEXT NOT NULL,
  review_by   INTEGER,
  notes       TEXT NOT NULL DEFAULT '',
  by_id       INTEGER NOT NULL REFERENCES users(id),
  at          INTEGER NOT NULL,
  local_date  INTEGER NOT NULL
) STRICT;
CREATE INDEX takehome_assessments_patient ON takehome_assessments(patient_id, kind, id);

-- Staff contact with a person away from a supervised dose.
CREATE TABLE staff_contacts (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  kind        TEXT NOT NULL CHECK (kind IN ('in_person', 'phone', 'video', 'home_visit')),
  at          INTEGER NOT NULL,
  local_date  INTEGER NOT NULL,
  notes       TEXT NOT NULL DEFAULT '',
  by_id       INTEGER NOT NULL REFERENCES users(id),
  recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX staff_contacts_patient ON staff_contacts(patient_id, local_date);

-- A take-home supply: days first_date .. first_date + days - 1, each with
-- doses_per_day doses of dose_ug; its register entries are listed by id.
CREATE TABLE takehome_supplies (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients(id),
  premises_id      INTEGER NOT NULL REFERENCES premises(id),
  prescription_id  INTEGER NOT NULL REFERENCES prescriptions(id),
  first_date       INTEGER NOT NULL,
  days             INTEGER NOT NULL CHECK (days >= 1),
  doses_per_day    INTEGER NOT NULL CHECK (doses_per_day >= 1),
  dose_ug          INTEGER NOT NULL CHECK (dose_ug > 0),
  total_ug         INTEGER NOT NULL CHECK (total_ug > 0),
  ampoules         INTEGER NOT NULL CHECK (ampoules >= 1),
  comorbidity      INTEGER NOT NULL CHECK (comorbidity IN (0, 1)),
  register_entries TEXT NOT NULL,
  criteria         TEXT NOT NULL,
  nurse_id         INTEGER NOT NULL REFERENCES users(id),
  witness_id       INTEGER NOT NULL REFERENCES users(id),
  at               INTEGER NOT NULL,
  local_date       INTEGER NOT NULL,
  CHECK (nurse_id <> witness_id)
) STRICT;
CREATE INDEX takehome_supplies_patient ON takehome_supplies(patient_id, first_date);

-- What came back of a supply (denatured in front of a witness) or was
-- reported lost.  days_unused: whole days of the supply not taken, counted
-- from its last day; the missed-dose rules count those days as missed.
CREATE TABLE takehome_returns (
  id           INTEGER PRIMARY KEY,
  supply_id    INTEGER NOT NULL REFERENCES takehome_supplies(id),
  kind         TEXT NOT NULL CHECK (kind IN ('returned', 'lost')),
  ampoules     INTEGER NOT NULL CHECK (ampoules >= 1),
  days_unused  INTEGER NOT NULL CHECK (days_unused >= 0),
  notes        TEXT NOT NULL DEFAULT '',
  incident_id  INTEGER REFERENCES incidents(id),
  by_id        INTEGER NOT NULL REFERENCES users(id),
  witness_id   INTEGER REFERENCES users(id),
  at           INTEGER NOT NULL,
  CHECK (witness_id IS NULL OR witness_id <> by_id)
) STRICT;
CREATE INDEX takehome_returns_supply ON takehome_returns(supply_id);

-- The home clinic's authorisation for a person to be dosed at another of
-- the provider's premises on one day.
CREATE TABLE guest_authorisations (
  id               INTEGER PRIMARY KEY,
  patient_id       INTEGER NOT NULL REFERENCES patients(id),
  home_premises_id INTEGER NOT NULL REFERENCES premises(id),
  premises_id      INTEGER NOT NULL REFERENCES premises(id),
  local_date       INTEGER NOT NULL,
  notes            TEXT NOT NULL DEFAULT '',
  by_id            INTEGER NOT NULL REFERENCES users(id),
  at               INTEGER NOT NULL,
  UNIQUE (patient_id, premises_id, local_date),
  CHECK (premises_id <> home_premises_id)
) STRICT;
CREATE INDEX guest_authorisations_day ON guest_authorisations(premises_id, local_date);

CREATE TRIGGER takehome_settings_no_update BEFORE UPDATE ON takehome_settings
BEGIN SELECT RAISE(ABORT, 'takehome_settings is append-only'); END;
CREATE TRIGGER takehome_settings_no_delete BEFORE DELETE ON takehome_settings
BEGIN SELECT RAISE(ABORT, 'takehome_settings is append-only'); END;
CREATE TRIGGER takehome_assessments_no_update BEFORE UPDATE ON takehome_assessments
BEGIN SELECT RAISE(ABORT, 'takehome_assessments is append-only'); END;
CREATE TRIGGER takehome_assessments_no_delete BEFORE DELETE ON takehome_assessments
BEGIN SELECT RAISE(ABORT, 'takehome_assessments is append-only'); END;
CREATE TRIGGER staff_contacts_no_update BEFORE UPDATE ON staff_contacts
BEGIN SELECT RAISE(ABORT, 'staff_contacts is append-only'); END;
CREATE TRIGGER staff_contacts_no_delete BEFORE DELETE ON staff_contacts
BEGIN SELECT RAISE(ABORT, 'staff_contacts is append-only'); END;
CREATE TRIGGER takehome_supplies_no_update BEFORE UPDATE ON takehome_supplies
BEGIN SELECT RAISE(ABORT, 'takehome_supplies is append-only'); END;
CREATE TRIGGER takehome_supplies_no_delete BEFORE DELETE ON takehome_supplies
BEGIN SELECT RAISE(ABORT, 'takehome_supplies is append-only'); END;
CREATE TRIGGER takehome_returns_no_update BEFORE UPDATE ON takehome_returns
BEGIN SELECT RAISE(ABORT, 'takehome_returns is append-only'); END;
CREATE TRIGGER takehome_returns_no_delete BEFORE DELETE ON takehome_returns
BEGIN SELECT RAISE(ABORT, 'takehome_returns is append-only'); END;
CREATE TRIGGER guest_authorisations_no_update BEFORE UPDATE ON guest_authorisations
BEGIN SELECT RAISE(ABORT, 'guest_authorisations is append-only'); END;
CREATE TRIGGER guest_authorisations_no_delete BEFORE DELETE ON guest_authorisations
BEGIN SELECT RAISE(ABORT, 'guest_authorisations is append-only'); END;
