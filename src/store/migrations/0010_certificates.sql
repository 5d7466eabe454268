-- The certificate registry (docs/pki.md, "Revocation"): every certificate Signet issues below
-- the root, so that OCSP can tell "good" from "unknown" and a certificate can be revoked.
-- Signer certificates (one per signature, issued by simple-ca, advanced-ca or qualified-ca)
-- are recorded by the signer in the transaction that issues them; the hierarchy's own
-- certificates issued by the root (issuing CAs, tsa, ocsp) are recorded when the PKI starts
-- (and by `signet admin cert`), with organization_id NULL. The root itself is not recorded.
-- serial is uppercase hexadecimal without leading zero bytes, as OpenSSL prints it. Times are
-- BIGINT milliseconds since the epoch; revoked_at is NULL while the certificate is valid;
-- revocation_reason is the RFC 5280 CRLReason name ("keyCompromise", …).
CREATE TABLE pki_certificates (
    issuer            TEXT NOT NULL REFERENCES pki_entities (name),
    serial            TEXT NOT NULL,
    subject           TEXT NOT NULL,
    not_before        BIGINT NOT NULL,
    not_after         BIGINT NOT NULL,
    cert_der          BYTEA NOT NULL,
    organization_id   TEXT REFERENCES organizations (id),
    created_at        BIGINT NOT NULL,
    revoked_at        BIGINT,
    revocation_reason TEXT,
    PRIMARY KEY (issuer, serial)
);
CREATE INDEX pki_certificates_revoked ON pki_certificates (issuer, revoked_at)
    WHERE revoked_at IS NOT NULL;
CREATE INDEX pki_certificates_org ON pki_certificates (organization_id, created_at);

-- The last CRL number each CA has used (RFC 5280 §5.2.3: monotonically increasing).
CREATE TABLE pki_crl_numbers (
    issuer      TEXT PRIMARY KEY REFERENCES pki_entities (name),
    last_number BIGINT NOT NULL
);
