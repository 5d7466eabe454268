-- eID presentation requests of the Smart Registration Service (SRS_EID, OpenID4VP verifier;
-- docs/srs.md "eID"). One row per request shown to the end customer as QR code / deep link.
-- request_hash, state_hash, nonce_hash: SHA-256 (hex) of the request_uri token, of the state
-- and of the nonce (both derived from the token with a key from the master key, so neither
-- is stored). mobile_sealed: the mobile number the customer gave, sealed with the
-- registration's data key (record id of the registration as AAD). used_at: when a
-- presentation was accepted (a second response to the same request is refused).
CREATE TABLE srs_eid_requests (
    id              TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES srs_registrations(id),
    order_id        TEXT NOT NULL,
    request_hash    TEXT NOT NULL UNIQUE,
    state_hash      TEXT NOT NULL UNIQUE,
    nonce_hash      TEXT NOT NULL,
    mobile_sealed   BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
CREATE INDEX srs_eid_requests_order ON srs_eid_requests (order_id);
