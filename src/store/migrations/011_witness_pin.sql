-- 011: a witness's own PIN, and the device a session was opened on.
--
-- pin_hash is an Argon2id hash (like password_hash) of the PIN its owner
-- chose; NULL when they have none.  It is part of the bound users row, so a
-- changed hash shows in the audit chain; the PIN itself is never stored or
-- logged.  pin_failures and pin_locked_until count wrong PINs typed for
-- that person as a witness and lock the PIN (not the login) after too many:
-- counters like failed_logins, left out of the chain.
ALTER TABLE users ADD COLUMN pin_hash TEXT;
ALTER TABLE users ADD COLUMN pin_set_at INTEGER;
ALTER TABLE users ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN pin_locked_until INTEGER;

-- A device is a browser holding the hat_device cookie: a random token hatd
-- gives at the first login from it, kept by the browser for a year.  Only
-- its BLAKE2b hash is stored, on each session opened from it; the staff
-- "signed in on this device" are those with a live session carrying it.
ALTER TABLE sessions ADD COLUMN device_hash BLOB;
CREATE INDEX sessions_device ON sessions(device_hash);
