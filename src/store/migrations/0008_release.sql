-- Release and open of a signing process (POST /system/api/process/{id}/release and
-- /open/{personId}). Every table carries organization_id and every query filters on it.
-- Times are BIGINT milliseconds since the epoch (UTC).
--
-- process_release: the release request's settings, one row per released process. Lists are
-- stored as comma-separated contract names ("" when absent).
CREATE TABLE process_release (
    process_id             TEXT PRIMARY KEY REFERENCES processes (id),
    organization_id        TEXT NOT NULL,
    client_id              TEXT NOT NULL,
    released_at            BIGINT NOT NULL,
    valid_until            BIGINT NOT NULL,
    notify                 BIGINT NOT NULL, -- 0: no notifications (empty body / no locale)
    locale                 TEXT,
    suppress               TEXT NOT NULL,
    reminder_interval      TEXT,
    reminder_before_expiry TEXT NOT NULL,
    signature_methods      TEXT NOT NULL  -- "" : the tenant defaults
);
CREATE INDEX process_release_by_org ON process_release (organization_id, process_id);

-- The permanent participant URL (PUBLIC_URL/ui/sign/{token}) of each participant. The token
-- is never stored: it is HMAC-SHA256(link key, ids and token_salt) (sign/release.c), and
-- token_hash is the lowercase hex SHA-256 of its base64url text, for the page's lookup. The
-- open settings saved with lifecycle PERMANENT live here too ("" / NULL when none).
CREATE TABLE participant_links (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL,
    process_id         TEXT NOT NULL REFERENCES processes (id),
    participant_id     TEXT NOT NULL REFERENCES process_participants (id),
    token_salt         TEXT NOT NULL,
    token_hash         TEXT NOT NULL UNIQUE,
    language           TEXT,
    back_url           TEXT,
    success_url        TEXT,
    scope              TEXT,
    mode               TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (process_id, participant_id)
);
CREATE INDEX participant_links_by_process
    ON participant_links (organization_id, process_id, participant_id);

-- Time-limited links of an Open Request with lifecycle TEMPORARY (PUBLIC_URL/ui/open/{token});
-- only the SHA-256 of the token is stored, with the request's settings and an expiry.
CREATE TABLE participant_open_links (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL REFERENCES process_participants (id),
    client_id       TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    language        TEXT,
    back_url        TEXT,
    success_url     TEXT,
    scope           TEXT,
    mode            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX participant_open_links_by_process
    ON participant_open_links (organization_id, process_id, participant_id);

-- One-time codes of an Open Request with skipAuthorization: valid 30 seconds, redeemable once
-- (redeemed_at set by the page). Only the SHA-256 of the code is stored.
CREATE TABLE participant_open_codes (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL REFERENCES process_participants (id),
    code_hash       TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    redeemed_at     BIGINT
);
CREATE INDEX participant_open_codes_by_process
    ON participant_open_codes (organization_id, process_id, participant_id);
