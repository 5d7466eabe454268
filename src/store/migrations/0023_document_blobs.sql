-- Document bytes in the database (--documents database, docs/SCALING.md): for nodes that share
-- the database but no file system. The hash is the SHA-256 of data (lowercase hex), as the file
-- names of the default blob directory; stored_at plays the file's mtime (store_blob_delete).
CREATE TABLE document_blobs (
    hash      TEXT PRIMARY KEY,
    size      BIGINT NOT NULL,
    data      BYTEA NOT NULL,
    stored_at BIGINT NOT NULL
);
