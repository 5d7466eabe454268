-- PDF documents attached to a signing process (POST /system/api/process/{id}/attach) and
-- their signature positions. The bytes live in the blob store under blob_hash (SHA-256); a
-- row only names them. Documents are numbered 0, 1, ... per process in attach order (at most
-- 100, enforced by sign/attach.c). externalIdentifier is unique within a process because a
-- file can be fetched by it. Every table carries organization_id and every query filters on
-- it. Times are BIGINT milliseconds since the epoch (UTC).
CREATE TABLE process_documents (
    id                  TEXT PRIMARY KEY,
    organization_id     TEXT NOT NULL,
    process_id          TEXT NOT NULL REFERENCES processes (id),
    position            BIGINT NOT NULL,
    name                TEXT NOT NULL,
    external_identifier TEXT,
    content_type        TEXT NOT NULL,
    blob_hash           TEXT NOT NULL,
    size                BIGINT NOT NULL,
    page_count          BIGINT NOT NULL,
    needs_repair        BIGINT NOT NULL, -- 1: MuPDF had to repair it; rewrite whole before signing
    created_at          BIGINT NOT NULL,
    UNIQUE (process_id, position),
    UNIQUE (process_id, external_identifier)
);
CREATE INDEX process_documents_by_process
    ON process_documents (organization_id, process_id, position);

-- Where each signer's visible signature goes. page/x/y are the resolved top-left corner in the
-- contract's page space (zero-based page, points from the left and from the top); for TAG
-- positions they are the tag's corner plus the offsets. requested_page is the pageNumber as
-- the client sent it (may be negative; NULL for TAG).
CREATE TABLE document_signature_positions (
    organization_id  TEXT NOT NULL,
    process_id       TEXT NOT NULL,
    document_id      TEXT NOT NULL REFERENCES process_documents (id),
    position         BIGINT NOT NULL,
    participant_id   TEXT NOT NULL,
    signer           TEXT NOT NULL, -- as the request named the signer (id or externalIdentifier)
    locator          TEXT NOT NULL CHECK (locator IN ('COORDINATES', 'TAG')),
    requested_page   BIGINT,
    page             BIGINT NOT NULL,
    x                BIGINT NOT NULL,
    y                BIGINT NOT NULL,
    offset_x         BIGINT NOT NULL,
    offset_y         BIGINT NOT NULL,
    sticker_provider TEXT NOT NULL,
    PRIMARY KEY (document_id, position)
);
CREATE INDEX document_positions_by_process
    ON document_signature_positions (organization_id, process_id, document_id, position);
