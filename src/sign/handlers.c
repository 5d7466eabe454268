/*
 * Sign API v2 process handlers (see sign/handlers.h). The organization always comes from the
 * access token (req->auth), never from the request, so one tenant cannot name another's data.
 */
#include "sign/handlers.h"

#include "app.h"
#include "http/request.h"
#include "sign/process.h"

#include <stdlib.h>
#include <string.h>

static void reply_unavailable(struct http_request *req)
{
    http_reply_error(req, ERR_STORE_UNAVAILABLE, "The store is not available; try again.");
}

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

void sign_handle_process_create(struct http_request *req)
{
    struct store_process p;
    memset(&p, 0, sizeof p);
    char err[512] = "";
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    const char *key = http_header(req, "Idempotency-Key");
    if (key && !sign_idempotency_key_valid(key)) {
        http_reply_error(req, ERR_VALIDATION,
                         "Header 'Idempotency-Key' must be 1 to %d printable ASCII characters "
                         "without spaces.",
                         SIGN_IDEMPOTENCY_KEY_MAX);
        goto cleanup;
    }
    if (!sign_process_parse_create(req->json, &p, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        goto cleanup;
    }
    switch (
        sign_process_create(req->app->store, org, req->auth.client_id, key, &p, err, sizeof err)) {
    case SIGN_OK:
        http_reply_json(req, 201, sign_process_to_json(&p));
        break;
    case SIGN_REPLAYED:
        /* 208 Already Reported: the answer of the first request with this key. */
        http_reply_json(req, 208, sign_process_to_json(&p));
        break;
    case SIGN_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    case SIGN_NOT_FOUND:
    case SIGN_UNAVAILABLE:
        reply_unavailable(req);
        break;
    }
cleanup:
    store_process_clear(&p);
}

/* Loads the process named by the path into *p, or answers and returns false. An id that is
 * not a UUID, unknown, or another organization's all answer the same 404. */
static bool load_process(struct http_request *req, struct store_process *p)
{
    const char *org = caller_org(req);
    if (!org)
        return false;
    char *id = http_param_dup(req, "processId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return false;
    }
    enum sign_result res = sign_process_get(req->app->store, org, id, p);
    if (res == SIGN_NOT_FOUND)
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
    else if (res != SIGN_OK)
        reply_unavailable(req);
    free(id);
    return res == SIGN_OK;
}

void sign_handle_process_get(struct http_request *req)
{
    struct store_process p;
    memset(&p, 0, sizeof p);
    if (load_process(req, &p))
        http_reply_json(req, 200, sign_process_to_json(&p));
    store_process_clear(&p);
}

void sign_handle_process_status(struct http_request *req)
{
    struct store_process p;
    memset(&p, 0, sizeof p);
    if (load_process(req, &p))
        http_reply_json(req, 200, sign_process_status_json(&p));
    store_process_clear(&p);
}

void sign_handle_process_record(struct http_request *req)
{
    struct store_audit_record *records = NULL;
    size_t n = 0;
    char *id = NULL;
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    id = http_param_dup(req, "processId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    enum sign_result res = sign_process_records(req->app->store, org, id, &records, &n);
    if (res == SIGN_NOT_FOUND)
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
    else if (res != SIGN_OK)
        reply_unavailable(req);
    else
        http_reply_json(req, 200, sign_audit_records_json(records, n));
cleanup:
    free(records);
    free(id);
}
