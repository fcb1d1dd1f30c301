-- 009: flexibility inside the rules: planned absences, oral cover for them
-- (supervised or take-home, with its supplies and returns), a person's
-- preferred session windows and travel time, and a changed session for one
-- day.  Everything is append-only: a cancellation is a new row naming the
-- row it cancels, and the newest preference applies.

-- The flexibility settings of a set of premises, one row per version (as
-- clinic_settings); the newest applies, and the defaults when none.
CREATE TABLE flex_settings (
  id          INTEGER PRIMARY KEY,
  premises_id INTEGER NOT NULL REFERENCES premises(id),
  version     INTEGER NOT NULL,
  settings    TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  created_by  INTEGER REFERENCES users(id),
  UNIQUE (premises_id, version)
) STRICT;

-- A planned absence: the days and sessions (bits of window numbers; 0 is
-- every session) a person will miss, and why.  A row with cancels_id set
-- cancels that absence (and carries the same patient).
CREATE TABLE planned_absences (
  id           INTEGER PRIMARY KEY,
  patient_id   INTEGER NOT NULL REFERENCES patients(id),
  premises_id  INTEGER NOT NULL REFERENCES premises(id),
  from_date    INTEGER NOT NULL,
  to_date      INTEGER NOT NULL,
  windows      INTEGER NOT NULL DEFAULT 0,
  reason       TEXT NOT NULL CHECK (reason IN ('work', 'family', 'health_appointment', 'court',
                                                'holiday', 'other')),
  notes        TEXT NOT NULL DEFAULT '',
  cancels_id   INTEGER REFERENCES planned_absences(id),
  recorded_by  INTEGER NOT NULL REFERENCES users(id),
  at           INTEGER NOT NULL,
  local_date   INTEGER NOT NULL,
  CHECK (to_date >= from_date)
) STRICT;
CREATE INDEX planned_absences_patient ON planned_absences(patient_id, from_date);
CREATE UNIQUE INDEX planned_absences_cancel_once ON planned_absences(cancels_id)
  WHERE cancels_id IS NOT NULL;

-- Oral cover a prescriber gave for a planned absence.
CREATE TABLE oral_covers (
  id            INTEGER PRIMARY KEY,
  absence_id    INTEGER NOT NULL REFERENCES planned_absences(id),
  patient_id    INTEGER NOT NULL REFERENCES patients(id),
  premises_id   INTEGER NOT NULL REFERENCES premises(id),
  drug          TEXT NOT NULL CHECK (drug IN ('methadone_oral', 'srom')),
  daily_dose_ug INTEGER NOT NULL CHECK (daily_dose_ug > 0),
  mode          TEXT NOT NULL CHECK (mode IN ('supervised', 'take_home')),
  from_date     INTEGER NOT NULL,
  to_date       INTEGER NOT NULL,
  notes         TEXT NOT NULL DEFAULT '',
  prescriber_id INTEGER NOT NULL REFERENCES users(id),
  at            INTEGER NOT NULL,
  local_date    INTEGER NOT NULL,
  CHECK (to_date >= from_date)
) STRICT;
CREATE INDEX oral_covers_patient ON oral_covers(patient_id, from_date);

-- What happened under a cover: a supervised dose (its administration and
-- register entries are the dose's own), a take-home supply (its register
-- entries name no administration), or a return of unused take-home doses
-- (also in the returns log: never back into stock).
CREATE TABLE oral_cover_events (
  id                INTEGER PRIMARY KEY,
  cover_id          INTEGER NOT NULL REFERENCES oral_covers(id),
  kind              TEXT NOT NULL CHECK (kind IN ('supervised', 'take_home', 'return')),
  amount_ug         INTEGER NOT NULL CHECK (amount_ug > 0),
  first_date        INTEGER NOT NULL,
  days              INTEGER NOT NULL CHECK (days >= 1),
  administration_id INTEGER REFERENCES administrations(id),
  returns_log_id    INTEGER REFERENCES returns_log(id),
  by_id             INTEGER NOT NULL REFERENCES users(id),
  witness_id        INTEGER NOT NULL REFERENCES users(id),
  at                INTEGER NOT NULL,
  local_date        INTEGER NOT NULL,
  CHECK (by_id <> witness_id)
) STRICT;
CREATE INDEX oral_cover_events_cover ON oral_cover_events(cover_id);

-- A person's preferred windows (bits of window numbers; 0: none, the
-- clinic's standard windows) and travel time one way in minutes (NULL: not
-- recorded).  The newest row applies.
CREATE TABLE session_preferences (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  windows     INTEGER NOT NULL DEFAULT 0,
  travel_min  INTEGER CHECK (travel_min IS NULL OR travel_min BETWEEN 0 AND 600),
  set_by      INTEGER NOT NULL REFERENCES users(id),
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX session_preferences_patient ON session_preferences(patient_id, id);

-- A changed session for one day: from one window to another.  A row with
-- cancels_id set cancels that change.
CREATE TABLE session_changes (
  id          INTEGER PRIMARY KEY,
  patient_id  INTEGER NOT NULL REFERENCES patients(id),
  date        INTEGER NOT NULL,
  from_window INTEGER NOT NULL,
  to_window   INTEGER NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  cancels_id  INTEGER REFERENCES session_changes(id),
  set_by      INTEGER NOT NULL REFERENCES users(id),
  at          INTEGER NOT NULL
) STRICT;
CREATE INDEX session_changes_patient ON session_changes(patient_id, date);
CREATE UNIQUE INDEX session_changes_cancel_once ON session_changes(cancels_id)
  WHERE cancels_id IS NOT NULL;

CREATE TRIGGER flex_settings_no_update BEFORE UPDATE ON flex_settings
BEGIN SELECT RAISE(ABORT, 'flex_settings is append-only'); END;
CREATE TRIGGER flex_settings_no_delete BEFORE DELETE ON flex_settings
BEGIN SELECT RAISE(ABORT, 'flex_settings is append-only'); END;
CREATE TRIGGER planned_absences_no_update BEFORE UPDATE ON planned_absences
BEGIN SELECT RAISE(ABORT, 'planned_absences is append-only'); END;
CREATE TRIGGER planned_absences_no_delete BEFORE DELETE ON planned_absences
BEGIN SELECT RAISE(ABORT, 'planned_absences is append-only'); END;
CREATE TRIGGER oral_covers_no_update BEFORE UPDATE ON oral_covers
BEGIN SELECT RAISE(ABORT, 'oral_covers is append-only'); END;
CREATE TRIGGER oral_covers_no_delete BEFORE DELETE ON oral_covers
BEGIN SELECT RAISE(ABORT, 'oral_covers is append-only'); END;
CREATE TRIGGER oral_cover_events_no_update BEFORE UPDATE ON oral_cover_events
BEGIN SELECT RAISE(ABORT, 'oral_cover_events is append-only'); END;
CREATE TRIGGER oral_cover_events_no_delete BEFORE DELETE ON oral_cover_events
BEGIN SELECT RAISE(ABORT, 'oral_cover_events is append-only'); END;
CREATE TRIGGER session_preferences_no_update BEFORE UPDATE ON session_preferences
BEGIN SELECT RAISE(ABORT, 'session_preferences is append-only'); END;
CREATE TRIGGER session_preferences_no_delete BEFORE DELETE ON session_preferences
BEGIN SELECT RAISE(ABORT, 'session_preferences is append-only'); END;
CREATE TRIGGER session_changes_no_update BEFORE UPDATE ON session_changes
BEGIN SELECT RAISE(ABORT, 'session_changes is append-only'); END;
CREATE TRIGGER session_changes_no_delete BEFORE DELETE ON session_changes
BEGIN SELECT RAISE(ABORT, 'session_changes is append-only'); END;
