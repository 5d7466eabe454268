/*
 * Sign API v2 document handlers (see sign/attach_handlers.h). fileId may be the file's id or
 * its externalIdentifier; an unknown process, another organization's, or an unknown file all
 * answer 404.
 */
#include "sign/attach_handlers.h"

#include "app.h"
#include "core/isotime.h"
#include "http/request.h"
#include "sign/attach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The caller's organization, or answers 403 and returns NULL. */
static const char *caller_org(struct http_request *req)
{
    if (!req->auth.organization_id[0]) {
        http_reply_error(req, ERR_FORBIDDEN,
                         "The access token is not bound to an organization; use a token of "
                         "one of your organization's API clients.");
        return NULL;
    }
    return req->auth.organization_id;
}

static void reply_not_found(struct http_request *req, enum sign_attach_result r,
                            const char *process_id, const char *file_id)
{
    if (r == SIGN_ATTACH_FILE_NOT_FOUND)
        http_reply_error(req, ERR_FILE_NOT_FOUND, "Process '%.64s' has no file '%.64s'.",
                         process_id, file_id ? file_id : "");
    else
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", process_id);
}

void sign_handle_process_attach(struct http_request *req)
{
    char err[1024] = "";
    char file_id[STORE_ID_LEN];
    char *id = NULL;
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    id = http_param_dup(req, "processId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    /* sign_attach releases req->json (the up to 56 MB body) as soon as it is decoded. */
    enum sign_attach_result r =
        sign_attach(req->app->store, req->app->pdf, org, req->auth.client_id, id, &req->json,
                    file_id, err, sizeof err);
    switch (r) {
    case SIGN_ATTACH_OK:
        http_reply_json(req, 201, json_pack("{s:s}", "fileId", file_id));
        break;
    case SIGN_ATTACH_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    case SIGN_ATTACH_NOT_FOUND:
    case SIGN_ATTACH_FILE_NOT_FOUND:
        reply_not_found(req, r, id, NULL);
        break;
    case SIGN_ATTACH_CONFLICT:
    case SIGN_ATTACH_ARCHIVED: /* not answered by attach: a process in CREATED is not archived */
        http_reply_error(req, ERR_PRECONDITION_FAILED, "%s", err);
        break;
    case SIGN_ATTACH_UNAVAILABLE:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "%s",
                         err[0] ? err : "The file could not be attached; try again.");
        break;
    }
cleanup:
    free(id);
}

/* Reads the file named by the path and records the download (format "JSON" | "BINARY") in the
 * process's audit trail, or answers and returns false. */
static bool load_file(struct http_request *req, const char *format, struct store_document *doc,
                      unsigned char **bytes, size_t *len)
{
    bool ok = false;
    char *pid = NULL, *fid = NULL;
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    pid = http_param_dup(req, "processId");
    fid = http_param_dup(req, "fileId");
    if (!pid || !fid) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    enum sign_attach_result r = sign_file_get(req->app->store, org, pid, fid, doc, bytes, len);
    if (r == SIGN_ATTACH_NOT_FOUND || r == SIGN_ATTACH_FILE_NOT_FOUND)
        reply_not_found(req, r, pid, fid);
    else if (r == SIGN_ATTACH_ARCHIVED)
        http_reply_error(req, ERR_GONE,
                         "Process '%.64s' has been archived: its files were deleted after the "
                         "retention period.",
                         pid);
    else if (r != SIGN_ATTACH_OK)
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The file cannot be read now; try again.");
    /* Every download is audited; no record, no download. */
    if (r == SIGN_ATTACH_OK) {
        r = sign_file_record_download(req->app->store, org, doc, req->auth.client_id, format,
                                      time_now_ms());
        if (r != SIGN_ATTACH_OK)
            http_reply_error(req, ERR_STORE_UNAVAILABLE,
                             "The file cannot be downloaded now; try again.");
    }
    ok = r == SIGN_ATTACH_OK;
cleanup:
    free(pid);
    free(fid);
    return ok;
}

void sign_handle_file_get(struct http_request *req)
{
    struct store_document doc;
    memset(&doc, 0, sizeof doc);
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (load_file(req, "JSON", &doc, &bytes, &len)) {
        json_t *j = sign_file_attachment_json(&doc, bytes, len);
        free(bytes); /* the JSON holds its own base64 copy */
        bytes = NULL;
        if (j)
            http_reply_json(req, 200, j);
        else
            http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
    }
    free(bytes);
    store_document_clear(&doc);
}

void sign_handle_file_content(struct http_request *req)
{
    struct store_document doc;
    memset(&doc, 0, sizeof doc);
    unsigned char *bytes = NULL;
    size_t len = 0;
    char *disposition = NULL;
    if (!load_file(req, "BINARY", &doc, &bytes, &len))
        goto cleanup;
    char fallback[STORE_ID_LEN + 8];
    snprintf(fallback, sizeof fallback, "%s.pdf", doc.id);
    disposition = sign_content_disposition(doc.name, fallback);
    if (!disposition) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    const char *headers[] = {"Content-Disposition", disposition, NULL};
    http_reply_owned_headers(req, 200, doc.content_type[0] ? doc.content_type : "application/pdf",
                             bytes, len, headers);
    bytes = NULL; /* owned by the response now */
cleanup:
    free(bytes);
    free(disposition);
    store_document_clear(&doc);
}
