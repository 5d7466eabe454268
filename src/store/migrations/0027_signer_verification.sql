-- Online identification (GwG) of signers created with a `verification` object (Sign API
-- contract, Sample 2; docs/sign-api.md "Verification"). One row per signer that started an
-- identification from the signer page: registration_id is the SRS registration whose
-- identification is the verification (the contract's verification.processId). status:
-- PENDING until the registration's identification is decided, then VERIFIED or REJECTED
-- (decided_at: verifiedOn / rejectedOn). payload: the provider result as the API returns
-- it (a JSON text without personal data beyond the method, time, assurance and the
-- document's issuing country; see docs/sign-api.md). report_document_id: the identification
-- report (PDF) attached to the process as a document placed for the signer, once VERIFIED.
CREATE TABLE signer_verifications (
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL,
    participant_id  TEXT NOT NULL,
    registration_id TEXT NOT NULL,
    status          TEXT NOT NULL,
    decided_at      BIGINT,
    payload         TEXT,
    report_document_id TEXT,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, process_id, participant_id)
);
