/*
 * Sign API v2 process handlers (see sign/handlers.h). The organization always comes from the
 * access token (req->auth), never from the request, so one tenant cannot name another's data.
 */
#include "sign/handlers.h"

#include "app.h"
#include "core/config.h"
#include "core/isotime.h"
#include "http/request.h"
#include "sign/attach.h"
#include "sign/process.h"
#include "sign/verification.h"
#include "srs/http_env.h"

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
        http_reply_json(req, 201, sign_process_to_json(&p, req->app->cfg->retention_ms));
        break;
    case SIGN_REPLAYED:
        /* 208 Already Reported: the answer of the first request with this key. */
        http_reply_json(req, 208, sign_process_to_json(&p, req->app->cfg->retention_ms));
        break;
    case SIGN_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    case SIGN_NOT_FOUND:
    case SIGN_WRONG_STATE:
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

/* Decides the identifications of p's signers created with `verification` whose
 * registration has an outcome (sign/verification.h); false when answered (error). */
static bool settle_verifications(struct http_request *req, const struct store_process *p)
{
    bool any = false;
    for (size_t i = 0; i < p->n_participants; i++)
        any = any || sign_verification_requested(&p->participants[i]);
    if (!any)
        return true;
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env srs;
    if (!srs_http_env(req, mk, &srs))
        return false;
    struct sign_page_env env = {.store = req->app->store, .pdf = req->app->pdf, .srs = &srs};
    enum sign_page_result res = sign_verification_settle_all(&env, p);
    memset(mk, 0, sizeof mk);
    if (res != SIGN_PAGE_OK)
        reply_unavailable(req);
    return res == SIGN_PAGE_OK;
}

void sign_handle_process_get(struct http_request *req)
{
    struct store_process p;
    memset(&p, 0, sizeof p);
    json_t *files = NULL;
    /* fileReferences come from the documents (sign/attach.c). */
    if (load_process(req, &p) && settle_verifications(req, &p)) {
        if (sign_file_references(req->app->store, p.organization_id, p.id, &files) !=
            SIGN_ATTACH_OK) {
            reply_unavailable(req);
        } else {
            json_t *j = sign_process_to_json(&p, req->app->cfg->retention_ms);
            if (j)
                json_object_set_new(j, "fileReferences", files); /* steals files */
            else
                json_decref(files);
            /* The signers' identification outcomes (sign/verification.h). */
            if (j && !sign_verification_merge(req->app->store, p.organization_id, p.id, j)) {
                json_decref(j);
                reply_unavailable(req);
            } else {
                http_reply_json(req, 200, j);
            }
        }
    }
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
    /* The contract documents 409 for getRecords "when the process is missing" (no 404). */
    if (res == SIGN_NOT_FOUND)
        http_reply_error(req, ERR_PROCESS_MISSING, "No process with id '%.64s'.", id);
    else if (res != SIGN_OK)
        reply_unavailable(req);
    else
        http_reply_json(req, 200, sign_audit_records_json(records, n));
cleanup:
    free(records);
    free(id);
}

void sign_handle_process_list(struct http_request *req)
{
    char err[512] = "";
    const char *org = caller_org(req);
    if (!org)
        return;
    struct sign_list_params in = {
        .status = http_query(req, "status"),
        .team_id = http_query(req, "teamId"),
        .valid_until_within = http_query(req, "validUntilWithin"),
        .page = http_query(req, "page"),
        .size = http_query(req, "size"),
    };
    size_t n_sort = http_query_all(req, "sort", in.sort, SIGN_SORT_MAX);
    if (n_sort > SIGN_SORT_MAX) {
        http_reply_error(req, ERR_VALIDATION, "Parameter 'sort' may be given at most %d times.",
                         SIGN_SORT_MAX);
        return;
    }
    in.n_sort = n_sort;
    struct sign_list_query q;
    if (!sign_list_parse(&in, &q, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        return;
    }
    q.retention_ms = req->app->cfg->retention_ms;
    json_t *page = NULL;
    if (sign_process_list(req->app->store, org, &q, time_now_ms(), &page) != SIGN_OK) {
        reply_unavailable(req);
        return;
    }
    http_reply_json(req, 200, page);
}

void sign_handle_process_setup(struct http_request *req)
{
    char err[512] = "";
    char token[SIGN_SETUP_TOKEN_LEN], state[16];
    char *id = NULL, *url = NULL;
    struct sign_setup_request *r = NULL;
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    id = http_param_dup(req, "processId");
    r = malloc(sizeof *r);
    if (!id || !r) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!sign_setup_parse(req->json, r, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        goto cleanup;
    }
    const struct config *cfg = req->app->cfg;
    switch (sign_process_setup(req->app->store, org, req->auth.client_id, id, r, time_now_ms(),
                               cfg->setup_link_ttl * 1000, token, state)) {
    case SIGN_OK: {
        size_t n = strlen(cfg->public_url) + strlen("/ui/setup/") + strlen(token) + 1;
        url = malloc(n);
        if (!url) {
            http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
            break;
        }
        snprintf(url, n, "%s/ui/setup/%s", cfg->public_url, token);
        http_reply_json(req, 202, json_pack("{s:s, s:s}", "id", id, "url", url));
        break;
    }
    case SIGN_NOT_FOUND:
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
        break;
    case SIGN_WRONG_STATE:
        http_reply_error(req, ERR_PRECONDITION_FAILED,
                         "The process is %s; setup is only possible while it is CREATED (not "
                         "yet released).",
                         state);
        break;
    case SIGN_REPLAYED:
    case SIGN_INVALID:
    case SIGN_UNAVAILABLE:
        reply_unavailable(req);
        break;
    }
cleanup:
    if (url) {
        memset(url, 0, strlen(url));
        free(url);
    }
    memset(token, 0, sizeof token);
    free(r);
    free(id);
}
