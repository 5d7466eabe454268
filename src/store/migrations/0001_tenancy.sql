-- Organizations (tenants), their teams and their API clients (OAuth client credentials).
-- Times are BIGINT milliseconds since the epoch (UTC). Secrets are stored only as SHA-256.
CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    client_type TEXT NOT NULL CHECK (client_type IN ('ORGANIZATION', 'CORPORATE')),
    created_at  BIGINT NOT NULL
);

CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    name            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE api_clients (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    secret_hash     TEXT NOT NULL,
    scopes          TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX api_clients_by_org ON api_clients (organization_id);
