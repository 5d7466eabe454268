-- Setup page (/ui/setup/{token}; docs/setup-page.md): browser sessions opened with a setup
-- link (migration 0005). A session is bound to the organization, the process and the setup
-- link it was opened with; it ends with the link (expiry, or revocation by a newer link).
-- session_hash: SHA-256 (hex) of the random 256-bit id in the cookie; the id itself is never
-- stored. Every query filters on organization_id or on a secret's hash. Times are BIGINT ms.
CREATE TABLE setup_sessions (
    id              TEXT PRIMARY KEY,
    session_hash    TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    link_id         TEXT NOT NULL REFERENCES process_setup_links (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX setup_sessions_by_process ON setup_sessions (organization_id, process_id);
