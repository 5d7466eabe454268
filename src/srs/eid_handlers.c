/*
 * eID handlers (see srs/eid_handlers.h): parse, call srs/eid.h, answer.
 */
#include "srs/eid_handlers.h"

#include "app.h"
#include "core/b64.h"
#include "core/isotime.h"
#include "core/log.h"
#include "http/form.h"
#include "http/request.h"
#include "http/web.h"
#include "srs/eid.h"
#include "srs/http_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORM_MAX_FIELD 65536

void srs_handle_eid_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/srs-eid.html");
}

void srs_handle_eid_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char *order = http_param_dup(req, "order");
    if (!order || !srs_http_env(req, mk, &env)) {
        free(order);
        return;
    }
    enum srs_result res = srs_eid_order_get(&env, order, &r);
    memset(mk, 0, sizeof mk);
    free(order);
    if (res != SRS_R_OK) {
        srs_http_reply_result(
            req, res, res == SRS_R_NOT_FOUND ? "There is no such eID identification." : NULL);
        return;
    }
    srs_http_reply_order_state(req, &r);
}

void srs_handle_eid_request(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct srs_eid_presentation p = {0};
    char err[256] = "", expires[ISO_DATETIME_LEN];
    char *order = http_param_dup(req, "order");
    const char *mobile = json_string_value(json_object_get(req->json, "mobile"));
    if (!order || !srs_http_env(req, mk, &env)) {
        free(order);
        return;
    }
    enum srs_result res = srs_eid_request_create(&env, order, mobile, &p, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(order);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    char *svg64 = b64_encode(p.qr_svg, strlen(p.qr_svg), B64_STD);
    size_t n = svg64 ? strlen(svg64) + 32 : 0;
    char *data_url = svg64 ? malloc(n) : NULL;
    if (data_url)
        snprintf(data_url, n, "data:image/svg+xml;base64,%s", svg64);
    iso_format_datetime(p.expires_at, false, expires);
    json_t *j = data_url
                    ? json_pack("{s:s, s:s, s:s, s:s}", "requestUri", p.request_uri, "deepLink",
                                p.deep_link, "qrCode", data_url, "expiresAt", expires)
                    : NULL;
    free(svg64);
    free(data_url);
    free(p.qr_svg);
    if (!j) {
        http_reply_error(req, ERR_INTERNAL, "The QR code cannot be made.");
        return;
    }
    http_reply_json(req, 200, j);
}

void srs_handle_eid_request_object(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char err[256] = "", *jwt = NULL;
    char *token = http_param_dup(req, "token");
    if (!token || !srs_http_env(req, mk, &env)) {
        free(token);
        return;
    }
    enum srs_result res = srs_eid_request_object(&env, token, &jwt, err, sizeof err);
    memset(mk, 0, sizeof mk);
    free(token);
    if (res != SRS_R_OK) {
        srs_http_reply_result(req, res, err);
        return;
    }
    http_reply_owned(req, 200, "application/oauth-authz-req+jwt", jwt, strlen(jwt));
}

/* The value of field name in the form body (owned), or NULL; *dup set when it repeats. */
static char *form_field(const char *body, size_t len, const char *name, bool *bad)
{
    char *found = NULL;
    size_t name_len = strlen(name);
    for (size_t i = 0; i < len;) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        const char *eq = memchr(body + i, '=', end - i);
        if (eq && (size_t)(eq - (body + i)) == name_len && memcmp(body + i, name, name_len) == 0) {
            size_t vl = (size_t)(body + end - eq - 1);
            if (found || vl > FORM_MAX_FIELD || !(found = http_form_decode(eq + 1, vl))) {
                *bad = true;
                free(found);
                return NULL;
            }
        }
        i = end + 1;
    }
    return found;
}

void srs_handle_eid_response(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct store_srs_registration r;
    char err[512] = "";
    bool bad = false;
    char *vp_token =
        form_field(req->body.data ? req->body.data : "", req->body.len, "vp_token", &bad);
    char *state = form_field(req->body.data ? req->body.data : "", req->body.len, "state", &bad);
    if (bad || !vp_token || !state) {
        http_reply_error(req, ERR_VALIDATION,
                         "The response must carry vp_token and state once each "
                         "(application/x-www-form-urlencoded).");
        goto cleanup;
    }
    if (!srs_http_env(req, mk, &env))
        goto cleanup;
    enum srs_result res = srs_eid_response(&env, vp_token, state, &r, err, sizeof err);
    memset(mk, 0, sizeof mk);
    if (res != SRS_R_OK) {
        log_debug("srs: eID response refused: %s", err);
        srs_http_reply_result(req, res, err);
        goto cleanup;
    }
    store_srs_registration_clear(&r);
    http_reply_json(req, 200, json_object()); /* OpenID4VP: {} (no redirect_uri) */
cleanup:
    free(vp_token);
    free(state);
}
