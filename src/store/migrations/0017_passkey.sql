-- Passkey signing (signature method PASSKEY, WebAuthn; docs/signer-pages.md, "Passkey").
--
-- One credential per participant (no person accounts yet, as for totp_enrolments):
-- credential_id as the authenticator made it, public_key its DER SubjectPublicKeyInfo, alg the
-- COSE algorithm (-7 ES256, -257 RS256), sign_count the newest signature counter seen (an
-- assertion must raise it when non-zero), user_handle the random WebAuthn user id.
CREATE TABLE passkey_credentials (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL UNIQUE REFERENCES process_participants (id),
    credential_id   BYTEA NOT NULL,
    public_key      BYTEA NOT NULL,
    alg             BIGINT NOT NULL,
    sign_count      BIGINT NOT NULL,
    user_handle     BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT
);

-- The open WebAuthn challenge of a page session, one per purpose (REGISTER, SIGN); a new one
-- replaces the old. Only its SHA-256 is kept; it is deleted when a response is checked
-- (single use) and refused after expires_at (5 minutes).
CREATE TABLE passkey_challenges (
    organization_id TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    purpose         TEXT NOT NULL CHECK (purpose IN ('REGISTER', 'SIGN')),
    challenge_hash  BYTEA NOT NULL,
    user_handle     BYTEA NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (session_id, purpose)
);
