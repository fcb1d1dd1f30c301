-- 014: roles held at one premises.
--
-- A provider with several premises has staff who work at some of them
-- only.  user_roles stays the role held at every premises (a single
-- clinic's staff, and the provider's own); a row here is a role held at
-- one premises.  Administrator and auditor are the provider's and are never
-- held at one premises.  A revocation removes the row, as a change of
-- global roles does: the audit chain holds each grant and revocation, with
-- who made it and who confirmed it.
CREATE TABLE user_premises_roles (
  user_id      INTEGER NOT NULL REFERENCES users(id),
  premises_id  INTEGER NOT NULL REFERENCES premises(id),
  role         TEXT NOT NULL CHECK (role IN ('prescriber', 'nurse', 'pharmacist',
                 'keyworker', 'manager', 'cdao')),
  granted_at   INTEGER NOT NULL,
  granted_by   INTEGER REFERENCES users(id),
  confirmed_by INTEGER REFERENCES users(id),
  PRIMARY KEY (user_id, premises_id, role)
) STRICT;
CREATE INDEX user_premises_roles_premises ON user_premises_roles(premises_id);
