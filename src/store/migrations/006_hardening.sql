-- 006: security hardening.
--
-- A licence names the second person who confirmed it (separation of
-- duties: the one who records a licence cannot also vouch for it).
ALTER TABLE prescriber_licences ADD COLUMN confirmed_by INTEGER REFERENCES users(id);

-- After an administrator's reset the person chooses a new password at
-- their next login: until then the session may only change the password.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
  CHECK (must_change_password IN (0, 1));

-- Wrong witness passwords per logged-in person, so that the throttle
-- survives a restart.  One row a person: a counter, not a record.
CREATE TABLE witness_failures (
  user_id  INTEGER PRIMARY KEY REFERENCES users(id),
  since    INTEGER NOT NULL,
  failures INTEGER NOT NULL
) STRICT;

-- Failed logins per client address, and in total (address '*'), in the
-- current window: beside the per-account lock, these slow guessing one
-- password at many accounts, without letting one address lock anyone out.
CREATE TABLE login_failures (
  address  TEXT PRIMARY KEY,
  since    INTEGER NOT NULL,
  failures INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
