-- Signing processes of the Sign API (/system/api/process...), their participants (the
-- initiator at position 0, then the invited signers in request order), their properties and
-- their audit records. Every table carries organization_id and every query that reads tenant
-- data filters on it. Times are BIGINT milliseconds since the epoch (UTC).
CREATE TABLE processes (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    client_id        TEXT NOT NULL,
    status           TEXT NOT NULL
                     CHECK (status IN ('CREATED', 'PENDING', 'COMPLETED', 'EXPIRED')),
    signature_level  TEXT NOT NULL,
    authorization_kind TEXT NOT NULL CHECK (authorization_kind IN ('CODE', 'ACCOUNT')),
    team_id          TEXT,
    partner_id       TEXT,
    payload          TEXT,
    personal_message TEXT,
    valid_until      BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_modified_at BIGINT NOT NULL,
    idempotency_key  TEXT,
    UNIQUE (organization_id, idempotency_key)
);
CREATE INDEX processes_by_org ON processes (organization_id, created_at);

CREATE TABLE process_participants (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL,
    process_id          TEXT NOT NULL REFERENCES processes (id),
    position            BIGINT NOT NULL,
    type                TEXT NOT NULL CHECK (type IN ('NON_PERSON', 'PERSON', 'SIGNER')),
    external_identifier TEXT,
    first_name          TEXT,
    last_name           TEXT,
    name                TEXT,
    email               TEXT,
    mobile              TEXT,
    role                TEXT,
    resident_permit     BIGINT, -- NULL: no verification requested; 0/1: requested
    status              TEXT,
    UNIQUE (process_id, position)
);
CREATE INDEX process_participants_by_process
    ON process_participants (organization_id, process_id, position);

CREATE TABLE process_properties (
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    position        BIGINT NOT NULL,
    key             TEXT NOT NULL,
    value           TEXT NOT NULL,
    PRIMARY KEY (process_id, key)
);

-- Append-only, hash-chained per process: hash = SHA-256 over prev_hash and the record's
-- fields (sign/audit.c); seq starts at 1 and prev_hash of the first record is empty.
CREATE TABLE process_audit_records (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    seq             BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    action          TEXT NOT NULL,
    status          TEXT NOT NULL,
    extras          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    UNIQUE (process_id, seq)
);
CREATE INDEX process_audit_by_process ON process_audit_records (organization_id, process_id, seq);
