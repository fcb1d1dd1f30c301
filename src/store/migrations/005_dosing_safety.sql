-- 005: dosing safety, second pass.
--
-- Columns only; every table stays append-only (ADD COLUMN fires no trigger,
-- and the triggers of 002 still refuse UPDATE and DELETE).

-- A prescription belongs to the treatment episode it was signed in: after a
-- discharge and readmission only one signed in the new episode applies.  A
-- readmitted patient's first prescription either carries an induction
-- schedule or records why not.
ALTER TABLE prescriptions ADD COLUMN episode_id INTEGER REFERENCES episodes(id);
ALTER TABLE prescriptions ADD COLUMN induction_waived_reason TEXT;

-- A stop recorded by a discharge names the episode it closed.
ALTER TABLE prescription_events ADD COLUMN episode_id INTEGER REFERENCES episodes(id);

-- A review binds its outcome: "reduce" holds the patient until a prescription
-- below the reviewed session dose is in force, so the review keeps the
-- prescription it reviewed and its dose, and the one it signed (if any).
ALTER TABLE reviews ADD COLUMN prescription_id INTEGER REFERENCES prescriptions(id);
ALTER TABLE reviews ADD COLUMN reviewed_session_dose_ug INTEGER;
ALTER TABLE reviews ADD COLUMN new_prescription_id INTEGER REFERENCES prescriptions(id);

-- From this migration on, every oral dose posts its register entries as an
-- injection does.  Oral doses recorded before it had none; the verifier asks
-- for entries only for administrations after this mark.
INSERT INTO meta (key, value)
  SELECT 'oral_register_from_administration', CAST(coalesce(max(id), 0) AS TEXT)
  FROM administrations;

-- The patient's photograph for the dosing room, held with consent: at most
-- one a patient, replaced by a new one, and deleted outright (not kept
-- behind a flag) when the patient withdraws consent.  Taking, replacing
-- and removing it are audited; every read goes to the access log.
CREATE TABLE patient_photos (
  id           INTEGER PRIMARY KEY,
  patient_id   INTEGER NOT NULL UNIQUE REFERENCES patients(id),
  content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
  image        BLOB NOT NULL,
  taken_by     INTEGER NOT NULL REFERENCES users(id),
  taken_at     INTEGER NOT NULL
) STRICT;
