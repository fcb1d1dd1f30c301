-- 013: indexes that make the board's and a dose's look-ups independent of
-- how long a patient's history is.
--
-- The IM site to rotate from and the oral component's last dose were found
-- by reading every one of a patient's administrations; these partial
-- indexes hold only the rows they ask for (IM doses, oral doses), so they
-- add little to the database.
CREATE INDEX administrations_im ON administrations(patient_id) WHERE route = 'im';
CREATE INDEX administrations_oral ON administrations(patient_id, local_date) WHERE kind = 'oral';
-- The board's patients are those of one premises, in name order.
CREATE INDEX patients_premises ON patients(premises_id, family_name, given_name);

-- The lots that still hold stock, kept by the command that writes each
-- register entry (a lot is added when its newest entry leaves it holding
-- something and removed when one empties it), so that a dose chooses its
-- ampoules from the few open lots instead of every lot ever received.
-- hatctl verify checks it against the entries it is derived from.
CREATE TABLE open_lots (
  lot_id      INTEGER PRIMARY KEY REFERENCES stock_lots(id),
  page_id     INTEGER NOT NULL REFERENCES register_pages(id),
  expiry_date INTEGER NOT NULL
) STRICT;
CREATE INDEX open_lots_page ON open_lots(page_id, expiry_date);
INSERT INTO open_lots (lot_id, page_id, expiry_date)
  SELECT l.id, l.page_id, l.expiry_date FROM stock_lots l
  WHERE coalesce((SELECT e.lot_after FROM register_entries e WHERE e.lot_id = l.id
                  ORDER BY e.id DESC LIMIT 1), 0) > 0;
