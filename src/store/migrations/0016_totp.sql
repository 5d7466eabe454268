-- Authenticator-app signing (signature method APP, TOTP per RFC 6238; docs/signer-pages.md).
-- Numbered 0016 so that 0015 stays free for work done at the same time (numbers need not be
-- consecutive, only unique and increasing).
--
-- One enrolment per participant (there are no person accounts yet, so a person who signs in
-- several processes enrols once per process). secret_sealed: crypto_seal of the 20-byte secret
-- with the master key, aad "signet-totp:" + id; the secret is never stored or logged in clear.
-- confirmed_at: set by the first valid code; until then the page may show the secret again.
-- last_step: the newest TOTP time step accepted, so that no step is accepted twice.
CREATE TABLE totp_enrolments (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL UNIQUE REFERENCES process_participants (id),
    secret_sealed   BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    confirmed_at    BIGINT,
    last_step       BIGINT
);

-- Wrong authenticator codes entered in a page session: APP is locked for the session at 5.
ALTER TABLE ui_sessions ADD COLUMN app_failures BIGINT NOT NULL DEFAULT 0;
