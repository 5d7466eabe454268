/*
 * HTTP handlers for a person's SRS data (see srs/data_handlers.h): the organization comes from
 * the token, the actor of the audit records is the token's client id.
 */
#include "srs/data_handlers.h"

#include "app.h"
#include "core/isotime.h"
#include "http/request.h"
#include "srs/http_env.h"
#include "srs/export.h"
#include "srs/registration.h"
#include "srs/retention.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The token's organization and the path's registration id (owned), or answered. */
static char *target_of(struct http_request *req, const char **org)
{
    *org = req->auth.organization_id[0] ? req->auth.organization_id : NULL;
    if (!*org) {
        http_reply_error(req, ERR_FORBIDDEN, "The access token is not bound to an organization.");
        return NULL;
    }
    char *id = http_param_dup(req, "registrationId");
    if (!id)
        http_reply_error(req, ERR_INTERNAL, "Out of memory.");
    return id;
}

void srs_handle_person_export(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    const char *org = NULL;
    json_t *doc = NULL;
    int64_t ended = 0;
    char when[ISO_DATETIME_LEN];
    char *id = target_of(req, &org);
    if (!id)
        return;
    if (!srs_http_env(req, mk, &env)) {
        free(id);
        return;
    }
    enum srs_result res =
        srs_person_export(&env, org, id, req->auth.client_id, true, time_now_ms(), &doc, &ended);
    memset(mk, 0, sizeof mk);
    free(id);
    switch (res) {
    case SRS_R_OK:
        http_reply_json(req, 200, doc); /* steals */
        return;
    case SRS_R_NOT_FOUND:
        http_reply_error(req, ERR_NOT_FOUND, "No such registration.");
        return;
    case SRS_R_FORBIDDEN:
        http_reply_error(req, ERR_FORBIDDEN,
                         "The person has not consented to share their identity data and evidence "
                         "with the service provider (consent missing on the terms of use).");
        return;
    case SRS_R_GONE:
        iso_format_datetime(ended, false, when);
        http_reply_error(req, ERR_GONE, "The personal data of this registration was deleted at %s.",
                         when);
        return;
    default:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
        return;
    }
}

void srs_handle_person_delete(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct srs_delete_result d;
    const char *org = NULL;
    char when[ISO_DATETIME_LEN];
    char *id = target_of(req, &org);
    if (!id)
        return;
    if (!srs_http_env(req, mk, &env)) {
        free(id);
        return;
    }
    enum srs_result res = srs_person_delete(&env, org, id, req->auth.client_id, time_now_ms(), &d);
    memset(mk, 0, sizeof mk);
    if (res == SRS_R_OK) {
        json_t *j = json_pack("{s:s, s:I, s:I}", "registrationId", id, "deleted",
                              (json_int_t)d.deleted, "alreadyDeleted", (json_int_t)d.already);
        free(id);
        http_reply_json(req, 200, j);
        return;
    }
    free(id);
    if (res == SRS_R_NOT_FOUND) {
        http_reply_error(req, ERR_NOT_FOUND, "No such registration.");
    } else if (res == SRS_R_CONFLICT && !d.retention_until) {
        http_reply_error(req, ERR_CONFLICT,
                         "Registration %s is %s (still in use); revoke it first.", d.blocking_id,
                         d.blocking_status);
    } else if (res == SRS_R_CONFLICT && d.retention_until == INT64_MAX) {
        http_reply_error(req, ERR_CONFLICT,
                         "Registration %s must be kept: no retention rule for its jurisdiction.",
                         d.blocking_id);
    } else if (res == SRS_R_CONFLICT) {
        iso_format_datetime(d.retention_until, false, when);
        http_reply_error(req, ERR_CONFLICT,
                         "Registration %s is inside its retention period until %s; its data "
                         "cannot be deleted before.",
                         d.blocking_id, when);
    } else {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
    }
}
