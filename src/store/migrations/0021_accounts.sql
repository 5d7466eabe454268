-- Person accounts of signers (/ui/account, docs/accounts.md): global, not bound to an
-- organization, because one person signs for many organizations. A signer page session is
-- authorized without a one-time code when the browser's account session has a verified e-mail
-- or mobile equal to the signer's (DESIGN.md, "Process authorization"). Times are BIGINT
-- milliseconds since the epoch.

-- One person's account. email: lowercased, unique (the sign-in name). password_hash:
-- "scrypt$N$r$p$SALT$HASH" as admin_users'. email_verified_at: set when the link sent to the
-- address was opened. mobile: E.164 ("+41791234567"), "" none; mobile_verified_at: set when
-- the SMS code sent to it was entered (a new number clears it).
CREATE TABLE accounts (
    id                 TEXT PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    email_verified_at  BIGINT,
    mobile             TEXT NOT NULL DEFAULT '',
    mobile_verified_at BIGINT,
    created_at         BIGINT NOT NULL
);
CREATE INDEX accounts_by_mobile ON accounts (mobile);

-- A signed-in browser session of an account. session_hash: SHA-256 (hex) of the random
-- 256-bit id in the cookie (the id itself is never stored). Idle timeout: last_seen_at;
-- absolute: expires_at; ended_at set by sign-out or a password change.
CREATE TABLE account_sessions (
    id           TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL UNIQUE,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT
);
CREATE INDEX account_sessions_by_account ON account_sessions (account_id);

-- Verifications waiting: purpose EMAIL (a link token) or MOBILE (a 6-digit SMS code) for
-- target (the e-mail address or the mobile number it was sent to). secret_hash: SHA-256 (hex)
-- of the token, or of account id + "\n" + code; never the secret itself. attempts: wrong
-- codes entered; used_at: set once it succeeded. Sending is limited per account and purpose
-- by counting the rows of the last hour.
CREATE TABLE account_verifications (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    purpose     TEXT NOT NULL,
    target      TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX account_verifications_by_account ON account_verifications (account_id, purpose, created_at);
CREATE INDEX account_verifications_by_hash ON account_verifications (secret_hash);
