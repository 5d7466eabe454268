-- Signer pages (/ui/sign/{token}, /ui/open/{token}; docs/signer-pages.md): browser sessions,
-- their one-time codes and the documents each session viewed, and the decline of a signer.
-- Every table carries organization_id and every query filters on it. Only SHA-256 hashes of
-- session ids and codes are stored. Times are BIGINT milliseconds since the epoch (UTC).

-- A signer who declined (SignerStatus DECLINED): when and why.
ALTER TABLE process_participants ADD COLUMN declined_at BIGINT;
ALTER TABLE process_participants ADD COLUMN decline_reason TEXT;

-- One browser session of a signer page, bound to the organization, process and participant of
-- the link it was opened with. session_hash: SHA-256 (hex) of the random 256-bit id in the
-- cookie. authorized_at/authorized_by: set once the signer passed authorization (CODE: the
-- fallback one-time code; OPEN_CODE: the Open Request's 30-second code).
CREATE TABLE ui_sessions (
    id              TEXT PRIMARY KEY,
    session_hash    TEXT NOT NULL UNIQUE,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL REFERENCES process_participants (id),
    link_kind       TEXT NOT NULL, -- SIGN (permanent link) | OPEN (time-limited link)
    link_id         TEXT NOT NULL,
    language        TEXT,
    back_url        TEXT,
    success_url     TEXT,
    mode            TEXT,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    authorized_at   BIGINT,
    authorized_by   TEXT
);
CREATE INDEX ui_sessions_by_participant
    ON ui_sessions (organization_id, process_id, participant_id);

-- One-time codes of a session: AUTHORIZE (the fallback authorization) or SIGN (the SMS
-- signature method). 6 digits; code_hash = SHA-256 hex of "id\ncode"; valid until expires_at;
-- attempts counts wrong entries (locked at 5); used_at set when it was accepted.
CREATE TABLE ui_codes (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    participant_id  TEXT NOT NULL REFERENCES process_participants (id),
    session_id      TEXT NOT NULL REFERENCES ui_sessions (id),
    purpose         TEXT NOT NULL,
    channel         TEXT NOT NULL, -- SMS | EMAIL
    code_hash       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX ui_codes_by_participant
    ON ui_codes (organization_id, process_id, participant_id, purpose, created_at);

-- Documents a session viewed (the audit record "view" is written once per session and document).
CREATE TABLE ui_session_views (
    session_id      TEXT NOT NULL REFERENCES ui_sessions (id),
    organization_id TEXT NOT NULL,
    document_id     TEXT NOT NULL,
    viewed_at       BIGINT NOT NULL,
    PRIMARY KEY (session_id, document_id)
);
