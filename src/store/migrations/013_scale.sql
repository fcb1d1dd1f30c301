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
