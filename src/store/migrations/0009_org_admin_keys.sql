-- Organization administrators: admin keys bound to one self-managed (ORGANIZATION)
-- organization. A key with organization_id NULL is an operator key (all organizations and
-- operator functions); with an organization it may manage only that organization's API clients
-- and teams. Stored only as SHA-256, like every admin key.
ALTER TABLE admin_keys ADD COLUMN organization_id TEXT REFERENCES organizations (id);
CREATE INDEX admin_keys_by_org ON admin_keys (organization_id);
