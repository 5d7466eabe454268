-- Setup links of the Sign API (POST /system/api/process/{processId}/setup) and an index for the
-- process list (GET /system/api/process). A setup link hands a CREATED process over to the
-- setup page /ui/setup/{token}. The token itself is never stored: token_hash is the lowercase
-- hex SHA-256 of its base64url text. A new link of the same process revokes the older ones
-- (revoked_at); a link is usable while revoked_at IS NULL and expires_at is in the future.
-- The request's ProcessSetupRequest fields are kept for the page. Times are BIGINT ms (UTC).
CREATE TABLE process_setup_links (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    client_id       TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    language        TEXT,
    back_url        TEXT,
    success_url     TEXT,
    scope           TEXT,
    mode            TEXT NOT NULL CHECK (mode IN ('DEFAULT', 'EMBEDDED')),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);
CREATE INDEX process_setup_links_by_process
    ON process_setup_links (organization_id, process_id, created_at);

CREATE INDEX processes_by_org_status ON processes (organization_id, status, created_at);
