-- Signatures made in a process (sign/signing.c) and the end of a process's life.
--
-- Each signature of a document, and the document time stamp added when the process completes
-- (PAdES B-LTA), is a new version of the document: a row here whose id is the fileId the Sign
-- API returns as FileReference.lastSignedFileId (the newest version). seq counts 1, 2, … per
-- document; UNIQUE (document_id, seq) makes two signers who sign the same document at the same
-- moment conflict, so the later one signs again on top of the earlier one's version instead of
-- losing it. The bytes are in the blob store under blob_hash. Times: BIGINT ms (UTC).
CREATE TABLE document_versions (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    document_id     TEXT NOT NULL REFERENCES process_documents (id),
    seq             BIGINT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('SIGNATURE', 'TIMESTAMP')),
    participant_id  TEXT, -- the signer of a SIGNATURE version; NULL for TIMESTAMP
    blob_hash       TEXT NOT NULL,
    size            BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    UNIQUE (document_id, seq)
);
CREATE INDEX document_versions_by_document
    ON document_versions (organization_id, process_id, document_id, seq);

-- A signer's signature: when, the certificate's name (absent for unauthenticated methods, as
-- the contract says), the comparison with the declared name, and the certificate's issuer and
-- serial (the certificate itself is in pki_certificates).
ALTER TABLE process_participants ADD COLUMN signed_at BIGINT;
ALTER TABLE process_participants ADD COLUMN signature_method TEXT;
ALTER TABLE process_participants ADD COLUMN certificate_name TEXT;
ALTER TABLE process_participants ADD COLUMN certificate_match TEXT;
ALTER TABLE process_participants ADD COLUMN certificate_issuer TEXT;
ALTER TABLE process_participants ADD COLUMN certificate_serial TEXT;

-- ended_at: when the process became COMPLETED or EXPIRED; archiveOn is ended_at plus the
-- configured retention. archived_at: when the archive job deleted its files (getFile: 410).
ALTER TABLE processes ADD COLUMN ended_at BIGINT;
ALTER TABLE processes ADD COLUMN archived_at BIGINT;
CREATE INDEX processes_ended ON processes (archived_at, ended_at);

-- The archive job deletes a blob only when no process that is not archived names it (blobs
-- are shared by content); these make that check an index lookup.
CREATE INDEX process_documents_by_blob ON process_documents (blob_hash);
CREATE INDEX document_versions_by_blob ON document_versions (blob_hash);
