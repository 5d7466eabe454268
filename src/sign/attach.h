/*
 * Documents of a signing process: attaching a PDF with its signature positions (the
 * contract's FileAttachment, CoordinateSignaturePosition, TagSignaturePosition), reading an
 * attached file back, and the FileReference / FileAttachment JSON views.
 *
 * Rules (sign-api-v2, POST /api/process/{processId}/attach):
 *   - the process must be CREATED;
 *   - contentType must be application/pdf; content strict base64 of at most 40 MiB, bytes
 *     that MuPDF opens without a password (a file opened only after a repair is accepted and
 *     remembered as needs_repair: it is rewritten whole before the first signature);
 *   - at most SIGN_MAX_FILES files per process; an externalIdentifier names one file;
 *   - each signature position names a signer of the process (its identification or its
 *     externalIdentifier) and lies wholly on a page as a SIGN_STICKER_WIDTH x
 *     SIGN_STICKER_HEIGHT box whose top-left corner is the position. COORDINATES: pageNumber
 *     (zero-based, negative from the end), positionX from the left, positionY from the top, in
 *     points. TAG: the first occurrence of "\sN\" (N = 1 + the signer's index among the
 *     process's signers) gives the corner, moved by offsetX / offsetY (-200..200).
 * Nothing here knows HTTP, SQL or MuPDF (it uses pdf/pdf.h, which exposes no MuPDF type).
 */
#ifndef SIGNET_SIGN_ATTACH_H
#define SIGNET_SIGN_ATTACH_H

#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct pdf_engine;

#define SIGN_MAX_FILES      100
#define SIGN_MAX_FILE_BYTES ((size_t)40 * 1024 * 1024)
/* Longest base64 text of a file of SIGN_MAX_FILE_BYTES (padded). */
#define SIGN_MAX_FILE_BASE64 (((SIGN_MAX_FILE_BYTES + 2) / 3) * 4)
/* Most signature positions one file may carry (a guard; the contract sets none). */
#define SIGN_MAX_POSITIONS 100
/* The visible signature box checked against the page, in points. */
#define SIGN_STICKER_WIDTH  180
#define SIGN_STICKER_HEIGHT 60
#define SIGN_TAG_OFFSET_MAX 200

enum sign_attach_result {
    SIGN_ATTACH_OK = 0,
    SIGN_ATTACH_INVALID,        /* the request is wrong: 400, err says what to fix */
    SIGN_ATTACH_NOT_FOUND,      /* no such process in the organization: 404 */
    SIGN_ATTACH_FILE_NOT_FOUND, /* the process has no such file: 404 */
    SIGN_ATTACH_CONFLICT,       /* the process's state or file count forbids it: 409, err says */
    SIGN_ATTACH_UNAVAILABLE,    /* store or engine failure, out of memory: 503 */
    SIGN_ATTACH_ARCHIVED,       /* the process was archived: its files are gone (410) */
};

/*
 * Attaches the file described by *body (a FileAttachment object) to process_id of
 * organization_id. *body is released (json_decref, set to NULL) as soon as its content has
 * been decoded, so that a 56 MB body and the 40 MB file are not held together longer than
 * needed; it may already be released when this returns with any result. The PDF bytes go to
 * the blob store before the transaction that writes the document, its positions and an audit
 * record. On SIGN_ATTACH_OK file_id receives the new file's id.
 */
enum sign_attach_result sign_attach(struct store *s, struct pdf_engine *pdf,
                                    const char *organization_id, const char *client_id,
                                    const char *process_id, json_t **body,
                                    char file_id[STORE_ID_LEN], char *err, size_t err_len);

/*
 * The checks of attach that need neither the store nor a PDF engine, made as sign_attach makes
 * them: the FileAttachment fields of body and each signature position's syntax, then the
 * content (strict base64 of a non-empty file of at most SIGN_MAX_FILE_BYTES). Signers are not
 * resolved and the bytes are not opened as a PDF. On success *bytes / *len hold the decoded
 * file (owned, free()) and *n_positions the number of positions; on failure *bytes is NULL
 * and err holds the 400 message sign_attach would give. For fuzz/attach_fuzz.c and tests.
 */
bool sign_attach_check_request(const json_t *body, unsigned char **bytes, size_t *len,
                               size_t *n_positions, char *err, size_t err_len);

struct pdf_info;
/* Checks a COORDINATES position exactly as attach does: the SIGN_STICKER_WIDTH x
 * SIGN_STICKER_HEIGHT box with top-left corner (x, y) (points from the left / top) must lie on
 * page `page` (zero-based, negative from the end) of info. *resolved: the zero-based page.
 * SIGN_ATTACH_INVALID with a message naming signaturePositions[i] and file_name otherwise. */
enum sign_attach_result sign_position_check(const struct pdf_info *info, size_t i, int64_t page,
                                            int64_t x, int64_t y, const char *file_name,
                                            int *resolved, char *err, size_t err_len);

/*
 * Reads file `file_ref` (its id or its externalIdentifier) of process_id: metadata into *doc
 * (store_document_clear afterwards) and the bytes into *bytes / *len (owned, free()).
 * SIGN_ATTACH_NOT_FOUND when the process is unknown to the organization (or another's),
 * SIGN_ATTACH_FILE_NOT_FOUND when it has no such file, SIGN_ATTACH_ARCHIVED when the process
 * was archived (sign/archive.h). file_ref may also be the id of a signed version
 * (lastSignedFileId or an earlier one): *doc is then the document with the version's id,
 * blob and size.
 */
enum sign_attach_result sign_file_get(struct store *s, const char *organization_id,
                                      const char *process_id, const char *file_ref,
                                      struct store_document *doc, unsigned char **bytes,
                                      size_t *len);

/* Appends the audit record of a download of doc (action "document", status SUCCESS, extras
 * document_event DOWNLOADED, document_fileId, document_name, document_format — "JSON" for
 * getFile, "BINARY" for getFileContent — and transaction_clientId) at now. */
enum sign_attach_result sign_file_record_download(struct store *s, const char *organization_id,
                                                  const struct store_document *doc,
                                                  const char *client_id, const char *format,
                                                  int64_t now);

/* The contract's FileAttachment of doc with its content as base64 (signaturePositions is
 * writeOnly and left out). New reference, NULL when out of memory. */
json_t *sign_file_attachment_json(const struct store_document *doc, const unsigned char *bytes,
                                  size_t len);

/*
 * The process's fileReferences (array of FileReference), in attach order, into *out (new
 * reference). SIGN_ATTACH_UNAVAILABLE on a store failure.
 */
enum sign_attach_result sign_file_references(struct store *s, const char *organization_id,
                                             const char *process_id, json_t **out);

/* The FileReference array of docs (as store_document_list reads them), in their order. New
 * reference, NULL when out of memory. */
json_t *sign_file_references_json(const struct store_document *docs, size_t n);

/* A Content-Disposition value for downloading a file named `name` ("" : fallback), with the
 * name quoted safely (ASCII fallback, RFC 5987 filename*). Owned string (free()), or NULL. */
char *sign_content_disposition(const char *name, const char *fallback);

#endif
