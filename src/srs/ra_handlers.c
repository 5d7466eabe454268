/*
 * SRS Direct handlers (see srs/ra_handlers.h).
 */
#include "srs/ra_handlers.h"

#include "app.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/qr.h"
#include "core/str.h"
#include "http/page_api.h"
#include "http/request.h"
#include "http/web.h"
#include "srs/http_env.h"
#include "srs/ra.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_result(struct http_request *req, enum ra_result res, const char *err)
{
    static const enum err_kind kinds[] = {
        [RA_OK] = ERR_INTERNAL,
        [RA_INVALID] = ERR_VALIDATION,
        [RA_SIGNIN_FAILED] = ERR_UNAUTHORIZED,
        [RA_LOCKED] = ERR_TOO_MANY_REQUESTS,
        [RA_NO_SESSION] = ERR_UNAUTHORIZED,
        [RA_FORBIDDEN] = ERR_FORBIDDEN,
        [RA_NOT_FOUND] = ERR_NOT_FOUND,
        [RA_CONFLICT] = ERR_CONFLICT,
        [RA_GONE] = ERR_GONE,
        [RA_TOO_MANY] = ERR_TOO_MANY_REQUESTS,
        [RA_UNAVAILABLE] = ERR_STORE_UNAVAILABLE,
    };
    const char *fallback = res == RA_NO_SESSION    ? "You are not signed in (or your session has "
                                                     "ended); sign in again."
                           : res == RA_NOT_FOUND   ? "There is no such case."
                           : res == RA_UNAVAILABLE ? "Not possible now; try again."
                                                   : "The request cannot be done.";
    http_reply_error(req, kinds[res], "%s", err && err[0] ? err : fallback);
}

/* The caller's session (CSRF header checked when state_changing); false after answering. */
static bool session(struct http_request *req, bool state_changing, struct ra_session *c,
                    char token[TOKEN_LEN])
{
    http_cookie_get(req, RA_COOKIE, token, TOKEN_LEN);
    enum ra_result res = ra_session_get(req->app->store, token, time_now_ms(), c);
    if (res != RA_OK) {
        reply_result(req, res, NULL);
        return false;
    }
    if (state_changing && !ra_csrf_valid(token, http_header(req, "X-CSRF-Token"))) {
        http_reply_error(req, ERR_FORBIDDEN,
                         "The request did not come from the RA page "
                         "(CSRF token missing or wrong); reload the page.");
        return false;
    }
    return true;
}

/* Session (state-changing) and environment together; false after answering. */
static bool prepare(struct http_request *req, bool state_changing, struct ra_session *c,
                    unsigned char mk[CRYPTO_KEY_LEN], struct srs_env *env)
{
    char token[TOKEN_LEN];
    bool ok = session(req, state_changing, c, token) && srs_http_env(req, mk, env);
    memset(token, 0, sizeof token);
    return ok;
}

static json_t *session_json(struct http_request *req, const struct ra_session *c, const char *token)
{
    char csrf[TOKEN_LEN];
    json_t *points = NULL;
    ra_csrf_token(token, csrf);
    if (ra_point_list(req->app->store, &points) != RA_OK)
        points = json_array();
    json_t *point = c->point.id[0] ? json_pack("{s:s, s:s, s:b}", "id", c->point.id, "name",
                                               c->point.name, "fourEyes", c->point.four_eyes)
                                   : json_null();
    return json_pack("{s:{s:s, s:s, s:s, s:s}, s:o, s:o, s:s}", "agent", "id", c->agent.id, "email",
                     c->agent.email, "role", c->agent.role, "pointId", c->agent.point_id, "point",
                     point, "points", points, "csrfToken", csrf);
}

void ra_handle_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/ra.html");
}

void ra_handle_login(struct http_request *req)
{
    static const char *const names[] = {"email", "password", NULL};
    char token[TOKEN_LEN] = "", address[64], cookie[256];
    struct ra_session *c = calloc(1, sizeof *c);
    if (!c) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!http_body_string_fields(req, names, 1024))
        goto cleanup;
    http_client_address(req, address, sizeof address);
    int64_t retry = 0;
    enum ra_result res =
        ra_sign_in(req->app->store, http_body_string(req, "email"),
                   http_body_string(req, "password"), address, time_now_ms(), token, c, &retry);
    if (res == RA_OK) {
        snprintf(cookie, sizeof cookie, RA_COOKIE "=%s; Path=/ui/ra; HttpOnly; SameSite=Strict%s",
                 token, http_public_https(req) ? "; Secure" : "");
        const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
        log_info("ra: agent %s signed in", c->agent.id);
        http_reply_json_headers(req, 200, session_json(req, c, token), headers);
    } else if (res == RA_LOCKED) {
        char after[32];
        snprintf(after, sizeof after, "%lld", (long long)retry);
        const char *headers[] = {"Retry-After", after, NULL};
        http_reply_error_headers(req, ERR_TOO_MANY_REQUESTS, headers,
                                 "Too many failed sign-ins; try again in %lld minutes.",
                                 (long long)((retry + 59) / 60));
    } else if (res == RA_SIGNIN_FAILED) {
        http_reply_error(req, ERR_UNAUTHORIZED, "The e-mail address or password is wrong.");
    } else {
        reply_result(req, res, NULL);
    }
cleanup:
    memset(token, 0, sizeof token);
    memset(cookie, 0, sizeof cookie);
    free(c);
}

void ra_handle_logout(struct http_request *req)
{
    char token[TOKEN_LEN];
    struct ra_session c;
    if (!session(req, true, &c, token))
        return;
    enum ra_result res = ra_sign_out(req->app->store, &c, time_now_ms());
    memset(token, 0, sizeof token);
    if (res != RA_OK) {
        reply_result(req, res, NULL);
        return;
    }
    char cookie[160];
    snprintf(cookie, sizeof cookie,
             RA_COOKIE "=; Path=/ui/ra; HttpOnly; SameSite=Strict; Max-Age=0%s",
             http_public_https(req) ? "; Secure" : "");
    const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
    log_info("ra: agent %s signed out", c.agent.id);
    http_reply_json_headers(req, 200, json_pack("{s:b}", "signedOut", 1), headers);
}

void ra_handle_session(struct http_request *req)
{
    char token[TOKEN_LEN];
    struct ra_session c;
    if (!session(req, false, &c, token))
        return;
    http_reply_json(req, 200, session_json(req, &c, token));
    memset(token, 0, sizeof token);
}

void ra_handle_point_pick(struct http_request *req)
{
    static const char *const names[] = {"pointId", NULL};
    char token[TOKEN_LEN], err[256] = "";
    struct ra_session c;
    if (!session(req, true, &c, token) || !http_body_string_fields(req, names, 64)) {
        memset(token, 0, sizeof token);
        return;
    }
    enum ra_result res = ra_session_pick_point(
        req->app->store, &c, http_body_string(req, "pointId"), time_now_ms(), err, sizeof err);
    if (res == RA_OK)
        http_reply_json(req, 200, session_json(req, &c, token));
    else
        reply_result(req, res, err);
    memset(token, 0, sizeof token);
}

void ra_handle_point_create(struct http_request *req)
{
    char token[TOKEN_LEN], err[256] = "";
    struct ra_session c;
    struct store_ra_point p;
    if (!session(req, true, &c, token))
        return;
    memset(token, 0, sizeof token);
    if (strcmp(c.agent.role, RA_ROLE_ADMIN) != 0) {
        reply_result(req, RA_FORBIDDEN, "Only an ADMIN manages registration points.");
        return;
    }
    const json_t *in = req->json;
    const json_t *four = json_object_get(in, "fourEyes");
    if (!json_is_object(in) || (four && !json_is_boolean(four))) {
        reply_result(req, RA_INVALID, "Field 'fourEyes' must be true or false.");
        return;
    }
    enum ra_result res =
        ra_point_create(req->app->store, json_string_value(json_object_get(in, "name")),
                        json_string_value(json_object_get(in, "address")), json_is_true(four),
                        time_now_ms(), &p, err, sizeof err);
    if (res != RA_OK) {
        reply_result(req, res, err);
        return;
    }
    log_info("ra: admin %s created point %s", c.agent.id, p.id);
    http_reply_json(req, 201,
                    json_pack("{s:s, s:s, s:s, s:b}", "id", p.id, "name", p.name, "address",
                              p.address, "fourEyes", p.four_eyes));
}

void ra_handle_agent_create(struct http_request *req)
{
    static const char *const names[] = {"email", "role", "pointId", NULL};
    char token[TOKEN_LEN], err[256] = "", initial[TOKEN_LEN] = "";
    struct ra_session c;
    struct store_ra_agent a;
    if (!session(req, true, &c, token))
        return;
    memset(token, 0, sizeof token);
    if (strcmp(c.agent.role, RA_ROLE_ADMIN) != 0) {
        reply_result(req, RA_FORBIDDEN, "Only an ADMIN manages RA agents.");
        return;
    }
    if (!http_body_string_fields(req, names, 256))
        return;
    /* The initial password is made here and shown once, as by the CLI. */
    enum ra_result res = ra_agent_create(
        req->app->store, c.agent.id, http_body_string(req, "email"), http_body_string(req, "role"),
        http_body_string(req, "pointId"), NULL, time_now_ms(), &a, initial, err, sizeof err);
    if (res != RA_OK) {
        reply_result(req, res, err);
        return;
    }
    log_info("ra: admin %s created agent %s", c.agent.id, a.id);
    http_reply_json(req, 201,
                    json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", a.id, "email", a.email, "role",
                              a.role, "pointId", a.point_id, "initialPassword", initial));
    memset(initial, 0, sizeof initial);
}

void ra_handle_case_open(struct http_request *req)
{
    static const char *const names[] = {"reference", NULL};
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "", id[STORE_ID_LEN];
    if (!http_body_string_fields(req, names, 64) || !prepare(req, true, &c, mk, &env))
        goto cleanup;
    enum ra_result res =
        ra_case_open(&env, &c, http_body_string(req, "reference"), id, err, sizeof err);
    json_t *j = NULL;
    if (res == RA_OK)
        res = ra_case_get(&env, &c, id, &j, err, sizeof err);
    if (res == RA_OK)
        http_reply_json(req, 200, j);
    else
        reply_result(req, res, err);
cleanup:
    memset(mk, 0, sizeof mk);
}

/* The handlers of one case: session, environment and the {caseId} parameter. */
static char *case_prepare(struct http_request *req, bool state_changing, struct ra_session *c,
                          unsigned char mk[CRYPTO_KEY_LEN], struct srs_env *env)
{
    if (!prepare(req, state_changing, c, mk, env))
        return NULL;
    char *id = http_param_dup(req, "caseId");
    if (!id)
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
    return id;
}

void ra_handle_case_get(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    json_t *j = NULL;
    char *id = case_prepare(req, false, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_get(&env, &c, id, &j, err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, j);
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_pending(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    json_t *j = NULL;
    if (prepare(req, false, &c, mk, &env)) {
        enum ra_result res = ra_case_pending(&env, &c, &j);
        if (res == RA_OK)
            http_reply_json(req, 200, json_pack("{s:o}", "cases", j));
        else {
            json_decref(j);
            reply_result(req, res, NULL);
        }
    }
    memset(mk, 0, sizeof mk);
}

void ra_handle_case_document(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    char *id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res =
            ra_case_document(&env, &c, id, req->json, time_now_ms(), err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, json_pack("{s:b}", "recorded", 1));
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_photo(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    char *id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_photo(&env, &c, id, (const unsigned char *)req->body.data,
                                           req->body.len, time_now_ms(), err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, json_pack("{s:b}", "recorded", 1));
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_photo_get(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    unsigned char *photo = NULL;
    size_t len = 0;
    char type[16] = "";
    char *id = case_prepare(req, false, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_photo_get(&env, &c, id, &photo, &len, type);
        if (res == RA_OK) {
            http_reply_bytes(req, 200, type, photo, len);
            memset(photo, 0, len);
        } else {
            reply_result(req, res, res == RA_NOT_FOUND ? "The case has no photo." : NULL);
        }
    }
    free(photo);
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_submit(struct http_request *req)
{
    static const char *const names[] = {"mobile", NULL};
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    json_t *j = NULL;
    char *id = NULL;
    if (!http_body_string_fields(req, names, 64))
        return;
    id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_submit(&env, &c, id, http_body_string(req, "mobile"),
                                            time_now_ms(), err, sizeof err);
        if (res == RA_OK)
            res = ra_case_get(&env, &c, id, &j, err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, j);
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_approve(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    json_t *j = NULL;
    char *id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_approve(&env, &c, id, time_now_ms(), err, sizeof err);
        if (res == RA_OK)
            res = ra_case_get(&env, &c, id, &j, err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, j);
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_code(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    char *id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res = ra_case_send_code(&env, &c, id, err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, json_pack("{s:b}", "sent", 1));
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

void ra_handle_case_verify(struct http_request *req)
{
    static const char *const names[] = {"code", NULL};
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    struct ra_session c;
    char err[256] = "";
    char *id = NULL;
    if (!http_body_string_fields(req, names, 16))
        return;
    id = case_prepare(req, true, &c, mk, &env);
    if (id) {
        enum ra_result res =
            ra_case_verify_code(&env, &c, id, http_body_string(req, "code"), err, sizeof err);
        if (res == RA_OK)
            http_reply_json(req, 200, json_pack("{s:b}", "mobileVerified", 1));
        else
            reply_result(req, res, err);
    }
    memset(mk, 0, sizeof mk);
    free(id);
}

/* ---- the end customer's page ---- */

void ra_handle_visit_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/ra-visit.html");
}

void ra_handle_visit_state(struct http_request *req)
{
    unsigned char mk[CRYPTO_KEY_LEN];
    struct srs_env env;
    char reference[RA_REFERENCE_LEN], status[24], shown[16];
    char *order = http_param_dup(req, "order");
    if (!order || !srs_http_env(req, mk, &env)) {
        free(order);
        return;
    }
    enum ra_result res = ra_visit_get(&env, order, reference, status);
    memset(mk, 0, sizeof mk);
    free(order);
    if (res != RA_OK) {
        reply_result(req, res, res == RA_NOT_FOUND ? "There is no such registration." : NULL);
        return;
    }
    /* Shown as XXXXX-XXXXX; the QR code holds the same text for the agent's camera. */
    snprintf(shown, sizeof shown, "%.5s-%.5s", reference, reference + 5);
    char *svg = qr_svg(shown);
    json_t *j = json_pack("{s:s, s:s, s:s*}", "reference", shown, "status", status, "qr", svg);
    free(svg);
    http_reply_json(req, 200, j);
}
