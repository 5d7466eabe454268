/*
 * Person account handlers (see account/account_handlers.h).
 */
#include "account/account_handlers.h"

#include "account/account.h"
#include "app.h"
#include "core/config.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/reason.h"
#include "http/page_api.h"
#include "http/request.h"
#include "http/web.h"
#include "notify/notify.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#define FIELD_MAX 1024

/* Answers the Error object of kind with the message of reason (core/reason.h: the page shows
 * error.<reason> in its language); params stolen, may be NULL. */
static void reply_reason(struct http_request *req, enum err_kind kind, const char *reason,
                         json_t *params, const char *text)
{
    char buf[1024];
    reason_message(buf, sizeof buf, reason, params, "%s", text);
    http_reply_error(req, kind, "%s", buf);
}

static void reply_unavailable(struct http_request *req)
{
    http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
}

/* The environment of a call; address (the caller's buffer) gets the client's address. */
static struct account_env env_of(struct http_request *req, char address[64])
{
    http_client_address(req, address, 64);
    return (struct account_env){.store = req->app->store,
                                .public_url = req->app->cfg->public_url,
                                .locale = notify_locale(http_body_string(req, "language")),
                                .address = address};
}

/* The caller's session (and its token), checking the CSRF header when state_changing. False
 * after answering 401 / 403 / 503. */
static bool session(struct http_request *req, bool state_changing, struct account_session *a,
                    char token[TOKEN_LEN])
{
    http_cookie_get(req, ACCOUNT_COOKIE, token, TOKEN_LEN);
    switch (account_session_get(req->app->store, token, time_now_ms(), a)) {
    case ACCOUNT_OK:
        break;
    case ACCOUNT_NO_SESSION:
        reply_reason(req, ERR_UNAUTHORIZED, "account.noSession", NULL,
                     "You are not signed in (or your session has ended); sign in again.");
        return false;
    default:
        reply_unavailable(req);
        return false;
    }
    if (state_changing && !account_csrf_valid(token, http_header(req, "X-CSRF-Token"))) {
        reply_reason(req, ERR_FORBIDDEN, "account.csrf", NULL,
                     "The request did not come from the account page (CSRF token missing or "
                     "wrong); reload the page.");
        return false;
    }
    return true;
}

static json_t *session_json(const struct account_session *a, const char *token)
{
    char csrf[TOKEN_LEN];
    account_csrf_token(token, csrf);
    return json_pack("{s:s, s:b, s:s, s:b, s:s}", "email", a->account.email, "emailVerified",
                     a->account.email_verified_at != 0, "mobile", a->account.mobile,
                     "mobileVerified", a->account.mobile_verified_at != 0, "csrfToken", csrf);
}

/* Answers a result that is not ACCOUNT_OK (err: the domain's message). */
static void reply_result(struct http_request *req, enum account_result r, const char *err,
                         int64_t retry_after_s)
{
    switch (r) {
    case ACCOUNT_INVALID:
    case ACCOUNT_CODE_WRONG:
    case ACCOUNT_CODE_EXPIRED:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    case ACCOUNT_SIGNIN_FAILED:
        reply_reason(req, ERR_UNAUTHORIZED, "account.signinFailed", NULL,
                     "The e-mail address or password is wrong.");
        break;
    case ACCOUNT_LOCKED: {
        char after[32];
        snprintf(after, sizeof after, "%lld", (long long)retry_after_s);
        const char *headers[] = {"Retry-After", after, NULL};
        long long minutes = (retry_after_s + 59) / 60;
        char buf[512];
        reason_message(buf, sizeof buf, "account.locked",
                       json_pack("{s:I}", "minutes", (json_int_t)minutes),
                       "Too many failed sign-ins; try again in %lld minutes.", minutes);
        http_reply_error_headers(req, ERR_TOO_MANY_REQUESTS, headers, "%s", buf);
        break;
    }
    case ACCOUNT_RATE_LIMITED:
        http_reply_error(req, ERR_TOO_MANY_REQUESTS, "%s", err);
        break;
    case ACCOUNT_NO_SESSION:
        reply_reason(req, ERR_UNAUTHORIZED, "account.noSession", NULL,
                     "You are not signed in (or your session has ended); sign in again.");
        break;
    default:
        reply_unavailable(req);
        break;
    }
}

void account_handle_page(struct http_request *req)
{
    web_reply_embedded(req, "pages/account.html");
}

void account_handle_create(struct http_request *req)
{
    static const char *const names[] = {"email", "password", "language", NULL};
    char err[512] = "";
    if (!http_body_string_fields(req, names, FIELD_MAX))
        return;
    char env_address[64];
    struct account_env env = env_of(req, env_address);
    enum account_result r =
        account_create(&env, http_body_string(req, "email"), http_body_string(req, "password"),
                       time_now_ms(), err, sizeof err);
    if (r == ACCOUNT_OK)
        /* The same answer whether the e-mail was free or taken (docs/accounts.md). */
        http_reply_json(req, 202, json_pack("{s:s}", "status", "CHECK_EMAIL"));
    else
        reply_result(req, r, err, 0);
}

void account_handle_verify_email(struct http_request *req)
{
    static const char *const names[] = {"token", NULL};
    char email[STORE_ACCOUNT_EMAIL_LEN];
    if (!http_body_string_fields(req, names, 128))
        return;
    enum account_result r =
        account_verify_email(req->app->store, http_body_string(req, "token"), time_now_ms(), email);
    if (r == ACCOUNT_OK)
        http_reply_json(req, 200, json_pack("{s:s}", "email", email));
    else if (r == ACCOUNT_CODE_EXPIRED)
        reply_reason(req, ERR_VALIDATION, "account.linkInvalid", NULL,
                     "The link is not valid (any more): sign in and ask for a new one.");
    else
        reply_result(req, r, "", 0);
}

void account_handle_login(struct http_request *req)
{
    static const char *const names[] = {"email", "password", NULL};
    char token[TOKEN_LEN] = "", address[64], cookie[256];
    struct account_session a;
    if (!http_body_string_fields(req, names, FIELD_MAX))
        return;
    http_client_address(req, address, sizeof address);
    int64_t retry = 0;
    enum account_result r = account_sign_in(req->app->store, http_body_string(req, "email"),
                                            http_body_string(req, "password"), address,
                                            time_now_ms(), token, &a, &retry);
    if (r == ACCOUNT_OK) {
        snprintf(cookie, sizeof cookie, ACCOUNT_COOKIE "=%s; Path=/ui; HttpOnly; SameSite=Strict%s",
                 token, http_public_https(req) ? "; Secure" : "");
        const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
        log_info("account %s signed in", a.account.id);
        http_reply_json_headers(req, 200, session_json(&a, token), headers);
    } else {
        reply_result(req, r, "", retry);
    }
    memset(token, 0, sizeof token);
    memset(cookie, 0, sizeof cookie);
}

void account_handle_logout(struct http_request *req)
{
    char token[TOKEN_LEN], cookie[160];
    struct account_session a;
    if (!session(req, true, &a, token))
        return;
    if (account_sign_out(req->app->store, &a, time_now_ms()) != ACCOUNT_OK) {
        reply_unavailable(req);
        return;
    }
    snprintf(cookie, sizeof cookie,
             ACCOUNT_COOKIE "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict%s",
             http_public_https(req) ? "; Secure" : "");
    const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
    http_reply_json_headers(req, 200, json_object(), headers);
}

void account_handle_session(struct http_request *req)
{
    char token[TOKEN_LEN];
    struct account_session a;
    if (session(req, false, &a, token))
        http_reply_json(req, 200, session_json(&a, token));
}

void account_handle_resend_email(struct http_request *req)
{
    static const char *const names[] = {"language", NULL};
    char token[TOKEN_LEN], err[512] = "";
    struct account_session a;
    if (!http_body_string_fields(req, names, 16) || !session(req, true, &a, token))
        return;
    char env_address[64];
    struct account_env env = env_of(req, env_address);
    enum account_result r = account_resend_email(&env, &a, time_now_ms(), err, sizeof err);
    if (r == ACCOUNT_OK)
        http_reply_json(req, 202, json_pack("{s:s}", "status", "CHECK_EMAIL"));
    else
        reply_result(req, r, err, 0);
}

void account_handle_mobile(struct http_request *req)
{
    static const char *const names[] = {"mobile", "language", NULL};
    char token[TOKEN_LEN], err[512] = "";
    struct account_session a;
    if (!http_body_string_fields(req, names, 32) || !session(req, true, &a, token))
        return;
    char env_address[64];
    struct account_env env = env_of(req, env_address);
    enum account_result r = account_mobile_set(&env, &a, http_body_string(req, "mobile"),
                                               time_now_ms(), err, sizeof err);
    if (r == ACCOUNT_OK)
        http_reply_json(req, 202, json_pack("{s:s}", "status", "CHECK_SMS"));
    else
        reply_result(req, r, err, 0);
}

void account_handle_mobile_verify(struct http_request *req)
{
    static const char *const names[] = {"code", NULL};
    char token[TOKEN_LEN], err[512] = "";
    struct account_session a;
    if (!http_body_string_fields(req, names, 16) || !session(req, true, &a, token))
        return;
    int64_t now = time_now_ms();
    enum account_result r = account_mobile_verify(
        req->app->store, &a, http_body_string(req, "code"), now, err, sizeof err);
    if (r != ACCOUNT_OK) {
        reply_result(req, r, err, 0);
        return;
    }
    if (account_session_get(req->app->store, token, now, &a) != ACCOUNT_OK) {
        reply_unavailable(req);
        return;
    }
    http_reply_json(req, 200, session_json(&a, token));
}

void account_handle_password(struct http_request *req)
{
    static const char *const names[] = {"current", "new", NULL};
    char token[TOKEN_LEN], err[512] = "", address[64];
    struct account_session a;
    if (!http_body_string_fields(req, names, FIELD_MAX) || !session(req, true, &a, token))
        return;
    http_client_address(req, address, sizeof address);
    int64_t retry = 0;
    enum account_result r = account_password_change(
        req->app->store, &a, http_body_string(req, "current"), http_body_string(req, "new"),
        address, time_now_ms(), err, sizeof err, &retry);
    if (r == ACCOUNT_OK)
        http_reply_json(req, 200, json_object());
    else if (r == ACCOUNT_SIGNIN_FAILED)
        reply_reason(req, ERR_UNAUTHORIZED, "account.currentPasswordWrong", NULL,
                     "The current password is wrong.");
    else
        reply_result(req, r, err, retry);
}
