-- The certificate hierarchy (docs/pki.md): the root CA, the issuing CAs (Simple, Advanced,
-- Qualified), the time-stamping unit and the OCSP responder. One row per entity, all created
-- in one transaction on first start. cert_der is the X.509 certificate; key_sealed the PKCS#8
-- DER private key sealed with AES-256-GCM under the master key (aad: "signet-pki:" || name).
-- next_serial counts serial numbers handed out by store_pki_next_serial (for certificates the
-- entity issues later). Times are BIGINT milliseconds since the epoch.
CREATE TABLE pki_entities (
    name        TEXT PRIMARY KEY,
    role        TEXT NOT NULL,
    issuer      TEXT NOT NULL,
    position    BIGINT NOT NULL,
    cert_der    BYTEA NOT NULL,
    key_sealed  BYTEA NOT NULL,
    next_serial BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);
