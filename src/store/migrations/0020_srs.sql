-- Smart Registration Service (docs/srs.md): registrations of end customers' identities.
-- Personal data is never stored in clear: prefill, identity and the signed evidence package
-- are sealed (AES-256-GCM) with the record's own data key, which is stored only wrapped by the
-- key-encryption key (derived from the master key); the record id is the AAD of all of them.
-- link_hash / order_id / terms_hash: SHA-256 (hex) of the end customer's link token, the
-- partner's order reference, the terms link token. callback_digest: SHA-256 of the partner
-- result that was accepted (a replayed callback is recognised and answered the same).
-- mobile_lookup: HMAC of the verified mobile number under a key derived from the master key,
-- to find a signer's registration without storing the number in clear.
-- Times are BIGINT milliseconds since the epoch.
CREATE TABLE srs_registrations (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations(id),
    status              TEXT NOT NULL, -- OPEN | IN_IDENTIFICATION | AWAITING_TERMS | ACTIVE | REJECTED | EXPIRED | REVOKED
    jurisdiction        TEXT NOT NULL, -- CH | EU
    level               TEXT NOT NULL, -- ADVANCED | QUALIFIED
    methods             TEXT NOT NULL, -- JSON array of method ids offered
    method              TEXT,          -- the method the end customer chose
    external_identifier TEXT,
    redirect_url        TEXT,
    webhook_url         TEXT,
    link_hash           TEXT NOT NULL UNIQUE,
    data_key_wrapped    BYTEA NOT NULL,
    prefill_sealed      BYTEA,
    connector           TEXT,
    order_id            TEXT UNIQUE,
    callback_digest     TEXT,
    identity_sealed     BYTEA,
    evidence_sealed     BYTEA,
    mobile_lookup       TEXT,
    rejection_reason    TEXT,
    code_hash           TEXT,
    code_expires_at     BIGINT,
    code_attempts       BIGINT NOT NULL DEFAULT 0,
    mobile_verified_at  BIGINT,
    terms_hash          TEXT UNIQUE,
    terms_expires_at    BIGINT,
    terms_version_hash  TEXT,
    terms_accepted_at   BIGINT,
    identified_at       BIGINT,
    valid_until         BIGINT,
    link_expires_at     BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    revoked_at          BIGINT
);
CREATE INDEX srs_registrations_org ON srs_registrations (organization_id, created_at);
CREATE INDEX srs_registrations_mobile ON srs_registrations (mobile_lookup, status);

-- Every read of identity data and every status change (append-only).
CREATE TABLE srs_audit (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES srs_registrations(id),
    action          TEXT NOT NULL, -- CREATED | STATUS:<status> | IDENTITY_READ | EVIDENCE_READ
    actor           TEXT NOT NULL, -- API client id, "partner:<connector>", "end-customer"
    created_at      BIGINT NOT NULL
);
CREATE INDEX srs_audit_registration ON srs_audit (registration_id, created_at);

-- One-time codes sent per mobile number (lookup HMAC), for the cap per number and hour.
CREATE TABLE srs_code_sends (
    id            TEXT PRIMARY KEY,
    mobile_lookup TEXT NOT NULL,
    sent_at       BIGINT NOT NULL
);
CREATE INDEX srs_code_sends_mobile ON srs_code_sends (mobile_lookup, sent_at);

-- Webhooks to the service provider on each status change, delivered with retries by the
-- "srs-webhooks" job. body is the exact JSON text that is signed (no personal data).
CREATE TABLE srs_webhooks (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    registration_id TEXT NOT NULL REFERENCES srs_registrations(id),
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL, -- QUEUED | SENDING | SENT | FAILED
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX srs_webhooks_due ON srs_webhooks (status, next_attempt_at);
