-- Signing keys of the built-in token endpoint (ES256). The private key is PKCS#8 PEM sealed
-- with AES-256-GCM under the master key (aad: the kid); public_jwk is the JSON Web Key that
-- the JWKS endpoint publishes. Exactly one key is current (signs new tokens); the others
-- still verify until they are retired. Times are BIGINT milliseconds since the epoch.
CREATE TABLE jwt_keys (
    kid            TEXT PRIMARY KEY,
    private_sealed BYTEA NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    is_current     BIGINT NOT NULL DEFAULT 0,
    activated_at   BIGINT,
    retired_at     BIGINT
);
