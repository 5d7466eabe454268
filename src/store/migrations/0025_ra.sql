-- SRS Direct (docs/ra.md): in-person identification by registration-authority agents at
-- registration points. Agents belong to the operator, not to an organization: one agent
-- identifies the end customers of every service provider. Times are BIGINT milliseconds.

-- A registration point (a named location). four_eyes: 1 when each identification there needs
-- a SUPERVISOR's approval before it counts. disabled_at: no new identifications.
CREATE TABLE ra_points (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    address     TEXT NOT NULL DEFAULT '',
    four_eyes   BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    disabled_at BIGINT
);

-- An agent account. role: AGENT | SUPERVISOR | ADMIN. email: lowercased, unique (the sign-in
-- name). password_hash: "scrypt$N$r$p$SALT$HASH" (core/password.h). point_id: the point the
-- agent works at by default ('' none: any).
CREATE TABLE ra_agents (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    point_id      TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    disabled_at   BIGINT
);

-- A signed-in session of an agent. session_hash: SHA-256 (hex) of the cookie's 256-bit id;
-- point_id: the registration point picked after sign-in ('' not yet).
CREATE TABLE ra_sessions (
    id           TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL UNIQUE,
    agent_id     TEXT NOT NULL REFERENCES ra_agents (id),
    point_id     TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    ended_at     BIGINT
);

-- An identification at a point: one per partner order of an SRS_DIRECT registration. The
-- reference is the short code the end customer shows (10 characters of Crockford base32).
-- status: WAITING (the customer has the code) -> OPEN (an agent took it) -> AWAITING_APPROVAL
-- (four eyes) -> DONE (the result was applied to the registration). data_sealed: the typed
-- identity data (JSON) and photo_sealed the photo, each AES-256-GCM under the registration's
-- data key with aad "ra-case:" + id + (":data" | ":photo"), as its evidence is.
CREATE TABLE ra_cases (
    id              TEXT PRIMARY KEY,
    reference       TEXT NOT NULL UNIQUE,
    order_id        TEXT NOT NULL UNIQUE,
    registration_id TEXT NOT NULL,
    status          TEXT NOT NULL,
    point_id        TEXT NOT NULL DEFAULT '',
    agent_id        TEXT NOT NULL DEFAULT '',
    approver_id     TEXT NOT NULL DEFAULT '',
    four_eyes       BIGINT NOT NULL DEFAULT 0,
    data_sealed     BYTEA,
    photo_sealed    BYTEA,
    photo_type      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX ra_cases_by_status ON ra_cases (status, point_id);

-- Who did what (agent ids and case ids only; never personal data).
CREATE TABLE ra_audit (
    id         TEXT PRIMARY KEY,
    agent_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX ra_audit_by_time ON ra_audit (created_at);
