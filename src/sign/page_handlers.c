/*
 * Signer page handlers (see sign/page_handlers.h).
 */
#include "sign/page_handlers.h"

#include "account/account_handlers.h"
#include "app.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/isotime.h"
#include "core/masterkey.h"
#include "core/log.h"
#include "core/reason.h"
#include "core/str.h"
#include "http/page_api.h"
#include "http/request.h"
#include "pdf/pdf.h"
#include "pki/service.h"
#include "sign/attach.h"
#include "sign/page.h"
#include "sign/page_account.h"
#include "sign/page_app.h"
#include "sign/page_passkey.h"
#include "sign/page_srs.h"
#include "srs/catalogue.h"
#include "srs/registration.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The page's Content-Security-Policy without its frame-ancestors value (docs/web.md). */
#define PAGE_CSP                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors "

static struct sign_page_env page_env(struct http_request *req)
{
    return (struct sign_page_env){.store = req->app->store,
                                  .pdf = req->app->pdf,
                                  .pki = req->app->pki,
                                  .public_url = req->app->cfg->public_url};
}

/* The environment with the master key loaded into mk (APP calls); false and answered 503 when
 * it cannot be read. */
static bool page_env_with_key(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN],
                              struct sign_page_env *env)
{
    char err[256];
    *env = page_env(req);
    if (!masterkey_load(req->app->cfg, mk, err, sizeof err)) {
        log_error("signer page: %s", err);
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
        return false;
    }
    env->master_key = mk;
    return true;
}

/* page_env_with_key plus the registration service (sign/page_srs.h) in *srs, which env->srs
 * then points to; false and answered 503 when either cannot be set up. */
static bool page_env_with_srs(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN],
                              struct srs_env *srs, struct sign_page_env *env)
{
    char err[256];
    if (!page_env_with_key(req, mk, env))
        return false;
    const struct config *cfg = req->app->cfg;
    *srs = (struct srs_env){.store = req->app->store,
                            .cfg = cfg,
                            .master_key = mk,
                            .ca = pki_service_ca(req->app->pki),
                            .public_url = cfg->public_url};
    srs->catalogue = srs_catalogue_get(cfg, err, sizeof err);
    if (!srs->catalogue) {
        log_error("signer page: %s", err);
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
        return false;
    }
    env->srs = srs;
    return true;
}

static bool https_public(struct http_request *req)
{
    const char *u = req->app->cfg->public_url;
    return u && !strncmp(u, "https://", 8);
}

/* Whether --public-url is http://localhost or http://NAME.localhost (any port): browsers treat
 * such origins as secure contexts and accept Secure (so also SameSite=None) cookies from them,
 * which is what an EMBEDDED session needs during development (docs/signer-pages.md). */
static bool localhost_public(struct http_request *req)
{
    const char *u = req->app->cfg->public_url;
    if (!u || strncmp(u, "http://", 7) != 0)
        return false;
    const char *host = u + 7;
    size_t n = strcspn(host, ":/?#");
    static const char name[] = "localhost", suffix[] = ".localhost";
    if (n == sizeof name - 1 && !strncasecmp(host, name, n))
        return true;
    return n > sizeof suffix - 1 &&
           !strncasecmp(host + n - (sizeof suffix - 1), suffix, sizeof suffix - 1);
}

/* The session id from the Cookie header into out ("" when there is none). */
static void cookie_session(struct http_request *req, char out[SIGN_PAGE_TOKEN_LEN])
{
    out[0] = '\0';
    const char *h = http_header(req, "Cookie");
    static const char name[] = SIGN_PAGE_COOKIE "=";
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > sizeof name - 1 && !strncmp(p, name, sizeof name - 1)) {
            size_t vlen = len - (sizeof name - 1);
            if (vlen < SIGN_PAGE_TOKEN_LEN) {
                memcpy(out, p + sizeof name - 1, vlen);
                out[vlen] = '\0';
            }
        }
        p = end ? end + 1 : p + len;
    }
}

/* scheme://host[:port] of an http(s) URL into out; false when url is not one. */
static bool url_origin(const char *url, char *out, size_t out_len)
{
    size_t skip = !strncmp(url, "https://", 8) ? 8 : !strncmp(url, "http://", 7) ? 7 : 0;
    if (!skip)
        return false;
    size_t n = skip + strcspn(url + skip, "/?#");
    if (n == skip || n >= out_len)
        return false;
    for (size_t i = skip; i < n; i++)
        if (url[i] == ' ' || url[i] == ';' || url[i] == ',' || url[i] == '\'' || url[i] == '"')
            return false;
    memcpy(out, url, n);
    out[n] = '\0';
    return true;
}

/* The frame-ancestors value for a session: DEFAULT (or none) 'none'; EMBEDDED the origins of
 * backUrl and successUrl, or 'none' when neither is set. */
static void frame_ancestors(const struct store_ui_session *s, char *out, size_t out_len)
{
    str_copy(out, out_len, "'none'");
    if (!s || strcmp(s->mode, "EMBEDDED") != 0)
        return;
    char a[2049] = "", b[2049] = "";
    bool ha = s->back_url[0] && url_origin(s->back_url, a, sizeof a);
    bool hb = s->success_url[0] && url_origin(s->success_url, b, sizeof b);
    if (ha && hb && strcmp(a, b) != 0)
        snprintf(out, out_len, "%s %s", a, b);
    else if (ha || hb)
        snprintf(out, out_len, "%s", ha ? a : b);
}

/* Serves sign.html with status, the session's framing policy and a Set-Cookie (may be NULL). */
static void reply_page(struct http_request *req, unsigned status, const struct store_ui_session *s,
                       const char *set_cookie)
{
    const struct embedded_file *f = embed_find(web_files, "pages/sign.html");
    if (!f) {
        http_reply_error(req, ERR_INTERNAL, "The signer page is missing from this build.");
        return;
    }
    char fa[4200], csp[4600];
    frame_ancestors(s, fa, sizeof fa);
    snprintf(csp, sizeof csp, "%s%s", PAGE_CSP, fa);
    bool embedded = s && !strcmp(s->mode, "EMBEDDED") && strcmp(fa, "'none'") != 0;
    void *copy = malloc(f->size);
    if (!copy) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    memcpy(copy, f->data, f->size);
    const char *headers[12];
    size_t n = 0;
    headers[n++] = "Content-Security-Policy";
    headers[n++] = csp;
    if (!embedded) {
        headers[n++] = "X-Frame-Options";
        headers[n++] = "DENY";
    }
    if (set_cookie) {
        headers[n++] = MHD_HTTP_HEADER_SET_COOKIE;
        headers[n++] = set_cookie;
    }
    headers[n] = NULL;
    http_reply_owned_headers(req, status, "text/html; charset=utf-8", copy, f->size, headers);
}

static void open_link(struct http_request *req, bool open)
{
    char current[SIGN_PAGE_TOKEN_LEN], sid[SIGN_PAGE_TOKEN_LEN], cookie[256];
    struct store_ui_session *s = calloc(1, sizeof *s);
    char *token = http_param_dup(req, "token");
    if (!s || !token) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    cookie_session(req, current);
    const char *code = open ? http_query(req, "code") : NULL;
    switch (sign_page_open(req->app->store, open, token, code, current[0] ? current : NULL,
                           time_now_ms(), sid, s)) {
    case SIGN_PAGE_OK: {
        /* EMBEDDED over https (or http://localhost, a secure context for browsers): the
         * cookie must reach the page inside another site's frame. */
        bool embedded = !strcmp(s->mode, "EMBEDDED");
        bool cross_site = embedded && (https_public(req) || localhost_public(req));
        bool secure = https_public(req) || cross_site;
        snprintf(cookie, sizeof cookie, SIGN_PAGE_COOKIE "=%s; Path=/ui; HttpOnly; %s%s", sid,
                 cross_site ? "SameSite=None; Partitioned" : "SameSite=Strict",
                 secure ? "; Secure" : "");
        reply_page(req, 200, s, cookie);
        break;
    }
    case SIGN_PAGE_LINK_INVALID:
        /* The page explains; an older session of another link is dropped so that the page
         * cannot show it instead. */
        snprintf(cookie, sizeof cookie,
                 SIGN_PAGE_COOKIE "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict%s",
                 https_public(req) ? "; Secure" : "");
        reply_page(req, 404, NULL, cookie);
        break;
    default:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The page cannot be opened now; try again.");
        break;
    }
cleanup:
    memset(sid, 0, sizeof sid);
    memset(cookie, 0, sizeof cookie);
    free(token);
    free(s);
}

void sign_page_handle_sign_link(struct http_request *req)
{
    open_link(req, false);
}

void sign_page_handle_open_link(struct http_request *req)
{
    open_link(req, true);
}

/* Answers with the Error object of kind: the domain's message m (with its reason, core/reason.h)
 * when there is one, else text with reason. */
static void reply_reason(struct http_request *req, enum err_kind kind, const char *m,
                         const char *reason, const char *text)
{
    char buf[1024];
    if (!m)
        reason_message(buf, sizeof buf, reason, NULL, "%s", text);
    http_reply_error(req, kind, "%s", m ? m : buf);
}

/* Answers a failed result with the Error object; err (may be "") is the message to show. */
static void reply_result(struct http_request *req, enum sign_page_result r, const char *err)
{
    const char *m = err && *err ? err : NULL;
    switch (r) {
    case SIGN_PAGE_OK:
        http_reply_json(req, 200, json_object());
        return;
    case SIGN_PAGE_LINK_INVALID:
        reply_reason(req, ERR_NOT_FOUND, NULL, "link.invalid", "This link is not valid.");
        return;
    case SIGN_PAGE_NO_SESSION:
        reply_reason(req, ERR_UNAUTHORIZED, NULL, "session.ended",
                     "Your session has ended or is not valid; open the link again.");
        return;
    case SIGN_PAGE_CSRF:
        reply_reason(req, ERR_FORBIDDEN, NULL, "session.csrf",
                     "The request did not come from the signer page (CSRF token missing or "
                     "wrong); reload the page.");
        return;
    case SIGN_PAGE_NOT_AUTHORIZED:
        reply_reason(req, ERR_FORBIDDEN, NULL, "session.notAuthorized",
                     "Confirm with the code first.");
        return;
    case SIGN_PAGE_CODE_WRONG:
    case SIGN_PAGE_INVALID:
        reply_reason(req, ERR_VALIDATION, m, "request.invalid", "The request is not valid.");
        return;
    case SIGN_PAGE_CODE_LOCKED:
        reply_reason(req, ERR_CONFLICT, m, "code.locked", "The code is locked.");
        return;
    case SIGN_PAGE_CODE_EXPIRED:
        reply_reason(req, ERR_GONE, m, "code.expired", "The code has expired.");
        return;
    case SIGN_PAGE_RATE_LIMITED:
        reply_reason(req, ERR_TOO_MANY_REQUESTS, m, "tooManyRequests", "Too many requests.");
        return;
    case SIGN_PAGE_WRONG_STATE:
    case SIGN_PAGE_REFUSED:
        reply_reason(req, ERR_CONFLICT, m, "state.changed", "This is not possible any more.");
        return;
    case SIGN_PAGE_NOT_FOUND:
        reply_reason(req, ERR_FILE_NOT_FOUND, NULL, "document.notFound",
                     "The process has no such document or page.");
        return;
    case SIGN_PAGE_UNAVAILABLE:
        break;
    }
    reply_reason(req, ERR_STORE_UNAVAILABLE, m, "unavailable", "Not possible now; try again.");
}

/* The request's session into *s and its id into sid; with csrf also checks the CSRF header.
 * Answers and returns false when there is none. */
static bool session_of(struct http_request *req, bool csrf, struct store_ui_session *s,
                       char sid[SIGN_PAGE_TOKEN_LEN])
{
    cookie_session(req, sid);
    enum sign_page_result r = sign_page_session(req->app->store, sid, time_now_ms(), s);
    if (r == SIGN_PAGE_OK && csrf &&
        !sign_page_csrf_valid(sid, http_header(req, SIGN_PAGE_CSRF_HEADER)))
        r = SIGN_PAGE_CSRF;
    if (r != SIGN_PAGE_OK) {
        reply_result(req, r, NULL);
        return false;
    }
    return true;
}

/* The browser's person account (the account cookie, docs/accounts.md): authorizes the page
 * session s by it when it matches (sign/page_account.h) and answers what the page shows about
 * it (new reference: signedIn, and the e-mail and what is verified), or NULL on a store
 * failure. */
static json_t *account_state(struct http_request *req, struct store_ui_session *s, int64_t now)
{
    char token[TOKEN_LEN];
    struct account_session a;
    http_cookie_get(req, ACCOUNT_COOKIE, token, sizeof token);
    enum account_result r =
        token[0] ? account_session_get(req->app->store, token, now, &a) : ACCOUNT_NO_SESSION;
    memset(token, 0, sizeof token);
    if (r == ACCOUNT_NO_SESSION)
        return json_pack("{s:b}", "signedIn", false);
    if (r != ACCOUNT_OK || sign_page_account_authorize(req->app->store, s, &a, now) != SIGN_PAGE_OK)
        return NULL;
    return json_pack("{s:b, s:s, s:b, s:b}", "signedIn", true, "email", a.account.email,
                     "emailVerified", a.account.email_verified_at != 0, "mobileVerified",
                     a.account.mobile_verified_at != 0);
}

void sign_page_handle_state(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], csrf[SIGN_PAGE_TOKEN_LEN];
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!session_of(req, false, s, sid))
        goto cleanup;
    /* The master key and the catalogue: whether the level needs a registration and the
     * signer has one (sign/page_srs.h). */
    struct sign_page_env env;
    struct srs_env srs;
    if (!page_env_with_srs(req, mk, &srs, &env))
        goto cleanup;
    int64_t now = time_now_ms();
    json_t *account = account_state(req, s, now);
    if (!account) {
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
        goto cleanup;
    }
    enum sign_page_result r = sign_page_state(&env, s, now, &out);
    if (r != SIGN_PAGE_OK) {
        json_decref(account);
        reply_result(req, r, NULL);
        goto cleanup;
    }
    json_object_set_new(out, "account", account);
    sign_page_csrf(sid, csrf);
    json_object_set_new(out, "csrfToken", json_string(csrf));
    http_reply_json(req, 200, out);
    out = NULL;
cleanup:
    memset(mk, 0, sizeof mk);
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

static const char *body_text(struct http_request *req, const char *key)
{
    return json_string_value(json_object_get(req->json, key));
}

void sign_page_handle_code(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    struct store_ui_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!session_of(req, true, s, sid))
        goto cleanup;
    const char *purpose = body_text(req, "purpose");
    enum sign_page_result r = sign_page_send_code(
        req->app->store, s, purpose ? purpose : "AUTHORIZE", time_now_ms(), &out, err, sizeof err);
    if (r == SIGN_PAGE_OK) {
        http_reply_json(req, 200, out);
        out = NULL;
    } else {
        reply_result(req, r, err);
    }
cleanup:
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

void sign_page_handle_authorize(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid))
        reply_result(req,
                     sign_page_authorize(req->app->store, s, body_text(req, "code"), time_now_ms(),
                                         err, sizeof err),
                     err);
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_page_handle_preview(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    char *doc = http_param_dup(req, "documentId"), *page = http_param_dup(req, "page");
    if (!s || !doc || !page) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!session_of(req, false, s, sid))
        goto cleanup;
    int64_t n = 0, width = SIGN_PAGE_PREVIEW_WIDTH;
    const char *w = http_query(req, "width");
    if (!str_to_i64(page, 0, PDF_MAX_PAGES, &n) ||
        (w && !str_to_i64(w, PDF_PREVIEW_MIN_WIDTH, PDF_PREVIEW_MAX_WIDTH, &width))) {
        http_reply_error(req, ERR_VALIDATION,
                         "The page must be a number from 0, the width from %d to %d.",
                         PDF_PREVIEW_MIN_WIDTH, PDF_PREVIEW_MAX_WIDTH);
        goto cleanup;
    }
    unsigned char *png = NULL;
    size_t len = 0;
    struct sign_page_env env = page_env(req);
    enum sign_page_result r =
        sign_page_preview(&env, s, doc, (int)n, (int)width, time_now_ms(), &png, &len);
    if (r != SIGN_PAGE_OK) {
        reply_result(req, r, NULL);
        goto cleanup;
    }
    http_reply_owned_headers(req, 200, "image/png", png, len,
                             (const char *const[]){"Cache-Control", "private, no-store", NULL});
cleanup:
    memset(sid, 0, sizeof sid);
    free(page);
    free(doc);
    free(s);
}

void sign_page_handle_content(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    char *doc = http_param_dup(req, "documentId"), *name = NULL, *disp = NULL;
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (!s || !doc) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!session_of(req, false, s, sid))
        goto cleanup;
    const char *v = http_query(req, "version");
    if (v && strcmp(v, "original") != 0 && strcmp(v, "latest") != 0) {
        http_reply_error(req, ERR_VALIDATION, "version must be 'original' or 'latest'.");
        goto cleanup;
    }
    bool original = v && !strcmp(v, "original");
    struct sign_page_env env = page_env(req);
    enum sign_page_result r =
        sign_page_file(&env, s, doc, !original, time_now_ms(), &name, &bytes, &len);
    if (r != SIGN_PAGE_OK) {
        reply_result(req, r, NULL);
        goto cleanup;
    }
    disp = sign_content_disposition(name, "document.pdf");
    if (!disp) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    http_reply_owned_headers(req, 200, "application/pdf", bytes, len,
                             (const char *const[]){"Content-Disposition", disp, NULL});
    bytes = NULL;
cleanup:
    memset(sid, 0, sizeof sid);
    free(bytes);
    free(disp);
    free(name);
    free(doc);
    free(s);
}

void sign_page_handle_sign(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[1024] = "";
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid)) {
        const char *method = body_text(req, "method");
        json_t *image = json_object_get(req->json, "image");
        struct sign_page_env env;
        struct srs_env srs;
        /* The master key opens the app's secret (APP) and derives the participant URLs that
         * completion notices carry; with the catalogue it finds the signer's registration
         * where the level needs one (sign/page_srs.h). */
        if (image && !json_is_string(image))
            http_reply_error(req, ERR_VALIDATION,
                             "Field 'image' must be a string: the base64 of a PNG.");
        else if (page_env_with_srs(req, mk, &srs, &env))
            reply_result(req,
                         sign_page_sign(&env, s, method, body_text(req, "code"),
                                        json_object_get(req->json, "passkey"),
                                        json_string_value(image), time_now_ms(), err, sizeof err),
                         err);
    }
    memset(mk, 0, sizeof mk);
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_page_handle_registration(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[1024] = "", back[1200];
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    struct sign_page_env env;
    struct srs_env srs;
    if (!session_of(req, true, s, sid) || !page_env_with_srs(req, mk, &srs, &env))
        goto cleanup;
    /* Back to this browser's signer page once the registration is ACTIVE: the page of the
     * session cookie, so no link token is stored with the registration. */
    snprintf(back, sizeof back, "%s/ui/session", req->app->cfg->public_url);
    enum sign_page_result r =
        sign_page_srs_start(&env, s, back, time_now_ms(), &out, err, sizeof err);
    if (r == SIGN_PAGE_OK) {
        http_reply_json(req, 200, out); /* steals out */
        out = NULL;
    } else {
        reply_result(req, r, err);
    }
cleanup:
    memset(mk, 0, sizeof mk);
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

void sign_page_handle_session_page(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    cookie_session(req, sid);
    switch (sign_page_session(req->app->store, sid, time_now_ms(), s)) {
    case SIGN_PAGE_OK:
        reply_page(req, 200, s, NULL);
        break;
    case SIGN_PAGE_NO_SESSION:
        reply_page(req, 404, NULL, NULL); /* the page says: open your link again */
        break;
    default:
        http_reply_error(req, ERR_STORE_UNAVAILABLE, "The page cannot be opened now; try again.");
        break;
    }
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_page_handle_app_enrol(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    struct sign_page_env env;
    if (!session_of(req, true, s, sid) || !page_env_with_key(req, mk, &env))
        goto cleanup;
    enum sign_page_result r = sign_page_app_enrol(&env, s, time_now_ms(), &out, err, sizeof err);
    if (r == SIGN_PAGE_OK) {
        http_reply_json(req, 200, out); /* steals out */
        out = NULL;
    } else {
        reply_result(req, r, err);
    }
cleanup:
    memset(mk, 0, sizeof mk);
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

void sign_page_handle_app_confirm(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    unsigned char mk[CRYPTO_KEY_LEN];
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    struct sign_page_env env;
    if (session_of(req, true, s, sid) && page_env_with_key(req, mk, &env))
        reply_result(
            req,
            sign_page_app_confirm(&env, s, body_text(req, "code"), time_now_ms(), err, sizeof err),
            err);
    memset(mk, 0, sizeof mk);
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_page_handle_decline(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid))
        reply_result(req,
                     sign_page_decline(req->app->store, s, body_text(req, "reason"), time_now_ms(),
                                       err, sizeof err),
                     err);
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_page_handle_passkey_options(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    struct store_ui_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!session_of(req, true, s, sid))
        goto cleanup;
    struct sign_page_env env = page_env(req);
    enum sign_page_result r = sign_page_passkey_options(&env, s, body_text(req, "purpose"),
                                                        time_now_ms(), &out, err, sizeof err);
    if (r == SIGN_PAGE_OK) {
        http_reply_json(req, 200, out); /* steals out */
        out = NULL;
    } else {
        reply_result(req, r, err);
    }
cleanup:
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

void sign_page_handle_passkey_register(struct http_request *req)
{
    char sid[SIGN_PAGE_TOKEN_LEN], err[512] = "";
    struct store_ui_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid)) {
        struct sign_page_env env = page_env(req);
        reply_result(req,
                     sign_page_passkey_register(&env, s, req->json, time_now_ms(), err, sizeof err),
                     err);
    }
    memset(sid, 0, sizeof sid);
    free(s);
}
