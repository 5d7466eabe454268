-- The admin cockpit (/ui/admin, docs/cockpit.md): accounts of organization admins who sign in
-- with e-mail and password (and optionally an authenticator-app code), their browser sessions,
-- the throttle of failed sign-ins, and the members of teams. Numbered 0019 so that 0017 and
-- 0018 stay free for work done at the same time. Times are BIGINT milliseconds since the epoch.

-- One account of an organization's admin. email is stored lowercased and is unique across
-- organizations (it is the sign-in name). password_hash: "scrypt$N$r$p$SALT$HASH" (salt and
-- hash in lowercase hex), so the parameters can be raised for new hashes while old ones still
-- verify. totp_secret_sealed: crypto_seal of the 20-byte secret with the master key, aad
-- "signet-admin-totp:" + id; set once an enrolment is confirmed (totp_confirmed_at), while
-- totp_pending_sealed holds an enrolment not yet confirmed. totp_last_step: the newest
-- accepted TOTP step (no step is accepted twice).
CREATE TABLE admin_users (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL REFERENCES organizations (id),
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    totp_secret_sealed  BYTEA,
    totp_pending_sealed BYTEA,
    totp_confirmed_at   BIGINT,
    totp_last_step      BIGINT,
    created_at          BIGINT NOT NULL,
    disabled_at         BIGINT
);
CREATE INDEX admin_users_by_org ON admin_users (organization_id);

-- A signed-in browser session. session_hash: SHA-256 (hex) of the random 256-bit id in the
-- cookie (the id itself is never stored). Idle timeout: last_seen_at; absolute: expires_at;
-- ended_at set by sign-out.
CREATE TABLE admin_sessions (
    id              TEXT PRIMARY KEY,
    session_hash    TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL REFERENCES admin_users (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX admin_sessions_by_user ON admin_sessions (user_id);

-- Failed sign-ins per key: "account:" + SHA-256 of the lowercased e-mail (also for e-mails
-- that have no account, so that locking tells nothing about which exist) and "address:" + the
-- client address. failures count within the window starting at window_start; locked_until is
-- set when the limit is reached.
CREATE TABLE admin_signin_failures (
    throttle_key TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Members of a team, by e-mail address (lowercased; there are no person accounts yet).
CREATE TABLE team_members (
    team_id         TEXT NOT NULL REFERENCES teams (id),
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    email           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (team_id, email)
);
CREATE INDEX team_members_by_org ON team_members (organization_id);
