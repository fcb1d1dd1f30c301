-- 008: the code lists of the national return.
--
-- Each value hat records in its own words (a sex, a discharge reason) or
-- as typed (a referral source, a modality, an exit status) or as its
-- stage (a TOP's start, review, exit, post_exit) and the code
-- the data set wants for it.  A new row per change; the newest row for a
-- (list, local_value) applies, and an empty code withdraws a mapping.  The
-- seeded discharge codes are those the outcomes reference gives, whose
-- code-to-label mapping it marks as inferred: a clinic corrects them here,
-- as data, never in code.  No code is seeded for a sex of "other" or
-- "unknown", or for leaving to oral treatment: the reference gives none,
-- so such a row is a validation error until the clinic sets one.
CREATE TABLE ndtms_codes (
  id          INTEGER PRIMARY KEY,
  list        TEXT NOT NULL CHECK (list IN ('SEX', 'DISRSN', 'RFLS', 'MODAL', 'MODEXIT', 'TRSTAGE')),
  local_value TEXT NOT NULL,
  code        TEXT NOT NULL,
  set_by      INTEGER REFERENCES users(id),
  set_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX ndtms_codes_value ON ndtms_codes(list, local_value, id);
CREATE TRIGGER ndtms_codes_no_update BEFORE UPDATE ON ndtms_codes
BEGIN SELECT RAISE(ABORT, 'ndtms_codes is append-only'); END;
CREATE TRIGGER ndtms_codes_no_delete BEFORE DELETE ON ndtms_codes
BEGIN SELECT RAISE(ABORT, 'ndtms_codes is append-only'); END;

INSERT INTO ndtms_codes (list, local_value, code, set_at) VALUES
  ('SEX', 'female', 'F', 0),
  ('SEX', 'male', 'M', 0),
  ('DISRSN', 'completed_drug_free', '80', 0),
  ('DISRSN', 'completed_occasional_user', '82', 0),
  ('DISRSN', 'transferred_not_in_custody', '83', 0),
  ('DISRSN', 'transferred_in_custody', '84', 0),
  ('DISRSN', 'incomplete_dropped_out', '85', 0),
  ('DISRSN', 'incomplete_withdrawn', '86', 0),
  ('DISRSN', 'incomplete_prison', '87', 0),
  ('DISRSN', 'incomplete_declined', '88', 0),
  ('DISRSN', 'incomplete_died', '89', 0);

-- The unit price of an ampoule on a register page (pence), kept by the
-- pharmacist for the evaluation's drug cost.  A new row per change: each
-- ampoule used is costed at the price in force when it was given.
CREATE TABLE drug_prices (
  id          INTEGER PRIMARY KEY,
  page_id     INTEGER NOT NULL REFERENCES register_pages(id),
  price_pence INTEGER NOT NULL CHECK (price_pence >= 0),
  set_by      INTEGER REFERENCES users(id),
  set_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX drug_prices_page ON drug_prices(page_id, set_at);
CREATE TRIGGER drug_prices_no_update BEFORE UPDATE ON drug_prices
BEGIN SELECT RAISE(ABORT, 'drug_prices is append-only'); END;
CREATE TRIGGER drug_prices_no_delete BEFORE DELETE ON drug_prices
BEGIN SELECT RAISE(ABORT, 'drug_prices is append-only'); END;
