-- Operator credentials of the admin HTTP API (/admin/v1/...). Keys are 256-bit random values
-- shown once at creation and stored only as SHA-256 (lowercase hex). Times are BIGINT
-- milliseconds since the epoch (UTC); revoked_at is NULL while the key is active.
CREATE TABLE admin_keys (
    id          TEXT PRIMARY KEY,
    key_hash    TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  BIGINT,
    revoked_at  BIGINT
);
