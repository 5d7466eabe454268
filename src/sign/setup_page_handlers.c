/*
 * Setup page handlers (see sign/setup_page_handlers.h).
 */
#include "sign/setup_page_handlers.h"

#include "app.h"
#include "core/config.h"
#include "core/embed.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "core/reason.h"
#include "core/str.h"
#include "http/request.h"
#include "pdf/pdf.h"
#include "sign/page.h"
#include "sign/page_handlers.h"
#include "sign/release.h"
#include "sign/setup_page.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The page's Content-Security-Policy without its frame-ancestors value (docs/web.md). */
#define PAGE_CSP                                                                                   \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "                    \
    "form-action 'self'; frame-ancestors "
#define PREVIEW_WIDTH 1000

static struct sign_setup_env setup_env(struct http_request *req)
{
    return (struct sign_setup_env){.store = req->app->store, .pdf = req->app->pdf};
}

static bool https_public(struct http_request *req)
{
    const char *u = req->app->cfg->public_url;
    return u && !strncmp(u, "https://", 8);
}

/* The session id from the Cookie header into out ("" when there is none). */
static void cookie_session(struct http_request *req, char out[SIGN_SETUP_SESSION_TOKEN_LEN])
{
    out[0] = '\0';
    const char *h = http_header(req, "Cookie");
    static const char name[] = SIGN_SETUP_PAGE_COOKIE "=";
    for (const char *p = h; p && *p;) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > sizeof name - 1 && !strncmp(p, name, sizeof name - 1)) {
            size_t vlen = len - (sizeof name - 1);
            if (vlen < SIGN_SETUP_SESSION_TOKEN_LEN) {
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

/* frame-ancestors: 'none', or for an EMBEDDED link the origins of backUrl and successUrl
 * (the integrator's site that frames the page). */
static void frame_ancestors(const struct store_setup_session *s, char *out, size_t out_len)
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

static void reply_page(struct http_request *req, unsigned status,
                       const struct store_setup_session *s, const char *set_cookie)
{
    const struct embedded_file *f = embed_find(web_files, "pages/setup.html");
    if (!f) {
        http_reply_error(req, ERR_INTERNAL, "The setup page is missing from this build.");
        return;
    }
    char fa[4200], csp[4600];
    frame_ancestors(s, fa, sizeof fa);
    snprintf(csp, sizeof csp, "%s%s", PAGE_CSP, fa);
    bool embedded = strcmp(fa, "'none'") != 0;
    void *copy = malloc(f->size);
    if (!copy) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    memcpy(copy, f->data, f->size);
    const char *headers[8];
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

void sign_setup_page_handle_link(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN], cookie[256];
    struct store_setup_session *s = calloc(1, sizeof *s);
    char *token = http_param_dup(req, "token");
    sid[0] = '\0';
    cookie[0] = '\0';
    if (!s || !token) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    switch (sign_setup_page_open(req->app->store, token, time_now_ms(), sid, s)) {
    case SIGN_SETUP_PAGE_OK: {
        bool secure = https_public(req);
        bool cross_site = secure && !strcmp(s->mode, "EMBEDDED");
        snprintf(cookie, sizeof cookie, SIGN_SETUP_PAGE_COOKIE "=%s; Path=/ui; HttpOnly; %s%s", sid,
                 cross_site ? "SameSite=None; Partitioned" : "SameSite=Strict",
                 secure ? "; Secure" : "");
        reply_page(req, 200, s, cookie);
        break;
    }
    case SIGN_SETUP_PAGE_LINK_INVALID:
        /* The page explains; an older session is dropped so that it cannot show instead. */
        snprintf(cookie, sizeof cookie,
                 SIGN_SETUP_PAGE_COOKIE "=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict%s",
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
static void reply_result(struct http_request *req, enum sign_setup_page_result r, const char *err)
{
    const char *m = err && *err ? err : NULL;
    switch (r) {
    case SIGN_SETUP_PAGE_OK:
        http_reply_json(req, 200, json_object());
        return;
    case SIGN_SETUP_PAGE_LINK_INVALID:
        reply_reason(req, ERR_NOT_FOUND, NULL, "link.invalid", "This setup link is not valid.");
        return;
    case SIGN_SETUP_PAGE_NO_SESSION:
        reply_reason(req, ERR_UNAUTHORIZED, NULL, "session.ended",
                     "Your session has ended or is not valid; open the setup link again.");
        return;
    case SIGN_SETUP_PAGE_CSRF:
        reply_reason(req, ERR_FORBIDDEN, NULL, "session.csrf",
                     "The request did not come from the setup page (CSRF token missing or "
                     "wrong); reload the page.");
        return;
    case SIGN_SETUP_PAGE_INVALID:
        reply_reason(req, ERR_VALIDATION, m, "request.invalid", "The request is not valid.");
        return;
    case SIGN_SETUP_PAGE_WRONG_STATE:
    case SIGN_SETUP_PAGE_CONFLICT:
        reply_reason(req, ERR_CONFLICT, m, "state.changed", "This is not possible any more.");
        return;
    case SIGN_SETUP_PAGE_PRECONDITION:
        reply_reason(req, ERR_PRECONDITION_FAILED, m, "release.preconditions",
                     "Preconditions not met.");
        return;
    case SIGN_SETUP_PAGE_NOT_FOUND:
        reply_reason(req, ERR_FILE_NOT_FOUND, NULL, "document.notFound",
                     "The process has no such document or page.");
        return;
    case SIGN_SETUP_PAGE_UNAVAILABLE:
        break;
    }
    reply_reason(req, ERR_STORE_UNAVAILABLE, m, "unavailable", "Not possible now; try again.");
}

/* The request's session into *s and its id into sid; with csrf also checks the CSRF header.
 * Answers and returns false when there is none. */
static bool session_of(struct http_request *req, bool csrf, struct store_setup_session *s,
                       char sid[SIGN_SETUP_SESSION_TOKEN_LEN])
{
    cookie_session(req, sid);
    enum sign_setup_page_result r = sign_setup_page_session(req->app->store, sid, time_now_ms(), s);
    if (r == SIGN_SETUP_PAGE_OK && csrf &&
        !sign_page_csrf_valid(sid, http_header(req, SIGN_PAGE_CSRF_HEADER)))
        r = SIGN_SETUP_PAGE_CSRF;
    if (r != SIGN_SETUP_PAGE_OK) {
        reply_result(req, r, NULL);
        return false;
    }
    return true;
}

void sign_setup_page_handle_state(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN], csrf[SIGN_PAGE_TOKEN_LEN];
    struct store_setup_session *s = calloc(1, sizeof *s);
    json_t *out = NULL;
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!session_of(req, false, s, sid))
        goto cleanup;
    struct sign_setup_env env = setup_env(req);
    enum sign_setup_page_result r = sign_setup_page_state(&env, s, time_now_ms(), &out);
    if (r != SIGN_SETUP_PAGE_OK) {
        reply_result(req, r, NULL);
        goto cleanup;
    }
    sign_page_csrf(sid, csrf);
    json_object_set_new(out, "csrfToken", json_string(csrf));
    http_reply_json(req, 200, out);
    out = NULL;
cleanup:
    memset(sid, 0, sizeof sid);
    json_decref(out);
    free(s);
}

void sign_setup_page_handle_signers(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN], err[1024] = "";
    struct store_setup_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid))
        reply_result(
            req,
            sign_setup_page_signers(req->app->store, s, req->json, time_now_ms(), err, sizeof err),
            err);
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_setup_page_handle_positions(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN], err[1024] = "";
    struct store_setup_session *s = calloc(1, sizeof *s);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (session_of(req, true, s, sid)) {
        struct sign_setup_env env = setup_env(req);
        reply_result(req,
                     sign_setup_page_positions(&env, s, req->json, time_now_ms(), err, sizeof err),
                     err);
    }
    memset(sid, 0, sizeof sid);
    free(s);
}

void sign_setup_page_handle_preview(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN];
    struct store_setup_session *s = calloc(1, sizeof *s);
    char *doc = http_param_dup(req, "documentId"), *page = http_param_dup(req, "page");
    if (!s || !doc || !page) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    if (!session_of(req, false, s, sid))
        goto cleanup;
    int64_t n = 0, width = PREVIEW_WIDTH;
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
    struct sign_setup_env env = setup_env(req);
    enum sign_setup_page_result r =
        sign_setup_page_preview(&env, s, doc, (int)n, (int)width, &png, &len);
    if (r != SIGN_SETUP_PAGE_OK) {
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

void sign_setup_page_handle_release(struct http_request *req)
{
    char sid[SIGN_SETUP_SESSION_TOKEN_LEN], err[1536] = "";
    unsigned char mk[CRYPTO_KEY_LEN], key[CRYPTO_KEY_LEN];
    struct iso_duration max_validity;
    struct store_setup_session *s = calloc(1, sizeof *s);
    memset(key, 0, sizeof key);
    memset(mk, 0, sizeof mk);
    if (!s) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!session_of(req, true, s, sid))
        goto cleanup;
    const struct config *cfg = req->app->cfg;
    if (!iso_parse_duration(cfg->max_validity, &max_validity)) {
        log_bug("max-validity '%s' was not checked at start", cfg->max_validity);
        http_reply_error(req, ERR_INTERNAL, "The server's max-validity setting is invalid.");
        goto cleanup;
    }
    if (!masterkey_load(cfg, mk, err, sizeof err) || !sign_link_key_derive(mk, key)) {
        log_error("setup page: %s", err);
        http_reply_error(req, ERR_STORE_UNAVAILABLE,
                         "The process cannot be released now; try "
                         "again.");
        goto cleanup;
    }
    err[0] = '\0';
    struct sign_setup_env env = setup_env(req);
    env.link_key = key;
    env.public_url = cfg->public_url;
    env.max_validity = &max_validity;
    enum sign_setup_page_result r =
        sign_setup_page_release(&env, s, req->json, time_now_ms(), err, sizeof err);
    if (r == SIGN_SETUP_PAGE_OK)
        http_reply_json(req, 200, json_pack("{s:s}", "state", "RELEASED"));
    else
        reply_result(req, r, err);
cleanup:
    memset(sid, 0, sizeof sid);
    memset(mk, 0, sizeof mk);
    memset(key, 0, sizeof key);
    free(s);
}
