/*
 * Release and open handlers (see sign/release_handlers.h).
 */
#include "sign/release_handlers.h"

#include "app.h"
#include "core/config.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "http/request.h"
#include "sign/release.h"

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

/* The participant-link key, or answers 503 and returns false. */
static bool link_key(struct http_request *req, unsigned char key[CRYPTO_KEY_LEN])
{
    unsigned char mk[CRYPTO_KEY_LEN];
    char err[256];
    bool ok = masterkey_load(req->app->cfg, mk, err, sizeof err) && sign_link_key_derive(mk, key);
    memset(mk, 0, sizeof mk);
    if (!ok) {
        log_error("participant links: %s", err);
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The links cannot be made now; try again.");
    }
    return ok;
}

void sign_handle_process_release(struct http_request *req)
{
    char err[1536] = "";
    unsigned char key[CRYPTO_KEY_LEN];
    char *id = NULL;
    struct sign_release_request r;
    struct iso_duration max_validity;
    json_t *out = NULL;
    memset(key, 0, sizeof key);
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    id = http_param_dup(req, "processId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!sign_release_parse(req->json, &r, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        goto cleanup;
    }
    const struct config *cfg = req->app->cfg;
    if (!iso_parse_duration(cfg->max_validity, &max_validity)) {
        log_bug("max-validity '%s' was not checked at start", cfg->max_validity);
        http_reply_error(req, ERR_INTERNAL, "The server's max-validity setting is invalid.");
        goto cleanup;
    }
    if (!link_key(req, key))
        goto cleanup;
    switch (sign_process_release(req->app->store, key, cfg->public_url, org,
                                 req->auth.client_id, id, &r, time_now_ms(), &max_validity, &out,
                                 err, sizeof err)) {
    case SIGN_RELEASE_OK:
        http_reply_json(req, 200, out);
        out = NULL;
        break;
    case SIGN_RELEASE_ALREADY:
        http_reply_json(req, 208, out);
        out = NULL;
        break;
    case SIGN_RELEASE_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    case SIGN_RELEASE_CONFLICT:
        http_reply_error(req, ERR_CONFLICT, "%s", err);
        break;
    case SIGN_RELEASE_PRECONDITION:
        http_reply_error(req, ERR_PRECONDITION_FAILED, "%s", err);
        break;
    case SIGN_RELEASE_NOT_FOUND:
    case SIGN_RELEASE_PERSON_NOT_FOUND:
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
        break;
    case SIGN_RELEASE_UNAVAILABLE:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The process cannot be released now; try "
                                                     "again.");
        break;
    }
cleanup:
    json_decref(out);
    memset(key, 0, sizeof key);
    free(id);
}

void sign_handle_process_open(struct http_request *req)
{
    char err[1024] = "";
    unsigned char key[CRYPTO_KEY_LEN];
    char *id = NULL, *person = NULL, *url = NULL;
    struct sign_open_request *r = NULL;
    memset(key, 0, sizeof key);
    const char *org = caller_org(req);
    if (!org)
        goto cleanup;
    id = http_param_dup(req, "processId");
    person = http_param_dup(req, "personId");
    r = malloc(sizeof *r);
    if (!id || !person || !r) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!sign_open_parse(req->json, r, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        goto cleanup;
    }
    if (!link_key(req, key))
        goto cleanup;
    const struct config *cfg = req->app->cfg;
    switch (sign_process_open(req->app->store, key, cfg->public_url, org, req->auth.client_id, id,
                              person, r, time_now_ms(), cfg->open_link_ttl * 1000, &url, err,
                              sizeof err)) {
    case SIGN_RELEASE_OK:
        http_reply_json(req, 200, json_pack("{s:s, s:s}", "id", id, "url", url));
        break;
    case SIGN_RELEASE_NOT_FOUND:
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
        break;
    case SIGN_RELEASE_PERSON_NOT_FOUND:
        http_reply_error(req, ERR_PARTICIPANT_NOT_FOUND,
                         "Process '%.64s' has no participant '%.128s' (use the participant's "
                         "id or externalIdentifier).",
                         id, person);
        break;
    case SIGN_RELEASE_PRECONDITION:
        http_reply_error(req, ERR_PRECONDITION_FAILED, "%s", err);
        break;
    case SIGN_RELEASE_ALREADY: /* not an open result */
    case SIGN_RELEASE_INVALID:
    case SIGN_RELEASE_CONFLICT:
    case SIGN_RELEASE_UNAVAILABLE:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The process cannot be opened now; try "
                                                     "again.");
        break;
    }
cleanup:
    if (url) {
        memset(url, 0, strlen(url));
        free(url);
    }
    memset(key, 0, sizeof key);
    free(r);
    free(person);
    free(id);
}
