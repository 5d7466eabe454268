/*
 * Admin cockpit handlers (see admin/cockpit_handlers.h).
 */
#include "admin/cockpit_handlers.h"

#include "admin/cockpit.h"
#include "app.h"
#include "auth/credentials.h"
#include "auth/org_admin.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/isotime.h"
#include "core/log.h"
#include "core/masterkey.h"
#include "core/str.h"
#include "http/page_api.h"
#include "http/request.h"
#include "http/web.h"
#include "sign/attach.h"
#include "sign/process.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reply_no_session(struct http_request *req)
{
    http_reply_error(req, ERR_UNAUTHORIZED,
                     "You are not signed in (or your session has ended); "
                     "sign in again.");
}

static void reply_unavailable(struct http_request *req)
{
    http_reply_error(req, ERR_STORE_UNAVAILABLE, "Not possible now; try again.");
}

/*
 * The caller's session (into *c and the token into token), checking the CSRF header when
 * state_changing. False after answering 401 / 403 / 503.
 */
static bool session(struct http_request *req, bool state_changing, struct cockpit_session *c,
                    char token[COCKPIT_TOKEN_LEN])
{
    http_cookie_get(req, COCKPIT_COOKIE, token, COCKPIT_TOKEN_LEN);
    switch (cockpit_session_get(req->app->store, token, time_now_ms(), c)) {
    case COCKPIT_OK:
        break;
    case COCKPIT_NO_SESSION:
        reply_no_session(req);
        return false;
    default:
        reply_unavailable(req);
        return false;
    }
    if (state_changing && !cockpit_csrf_valid(token, http_header(req, "X-CSRF-Token"))) {
        http_reply_error(req, ERR_FORBIDDEN,
                         "The request did not come from the admin page "
                         "(CSRF token missing or wrong); reload the page.");
        return false;
    }
    return true;
}

static bool load_key(struct http_request *req, unsigned char mk[CRYPTO_KEY_LEN])
{
    char err[256];
    if (masterkey_load(req->app->cfg, mk, err, sizeof err))
        return true;
    log_error("admin cockpit: %s", err);
    reply_unavailable(req);
    return false;
}

/* ---- Page, sign-in, sign-out ---- */

void cockpit_handle_page(struct http_request *req)
{
    /* The page headers of docs/web.md: CSP without inline script or style, no framing. */
    web_reply_embedded(req, "pages/admin.html");
}

static json_t *session_json(const struct cockpit_session *c, const char *token)
{
    char csrf[COCKPIT_TOKEN_LEN];
    cockpit_csrf_token(token, csrf);
    return json_pack("{s:s, s:{s:s, s:s}, s:b, s:s}", "email", c->user.email, "organization", "id",
                     c->org.id, "name", c->org.name, "totpEnrolled",
                     c->user.totp_secret_sealed_len > 0, "csrfToken", csrf);
}

void cockpit_handle_login(struct http_request *req)
{
    static const char *const names[] = {"email", "password", "code", NULL};
    unsigned char mk[CRYPTO_KEY_LEN];
    char token[COCKPIT_TOKEN_LEN] = "", address[64], cookie[256];
    struct cockpit_session *c = calloc(1, sizeof *c);
    if (!c) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    if (!http_body_string_fields(req, names, 1024) || !load_key(req, mk))
        goto cleanup;
    http_client_address(req, address, sizeof address);
    struct cockpit_signin in = {.email = http_body_string(req, "email"),
                                .password = http_body_string(req, "password"),
                                .code = http_body_string(req, "code"),
                                .address = address,
                                .now = time_now_ms(),
                                .master_key = mk};
    int64_t retry = 0;
    switch (cockpit_sign_in(req->app->store, &in, token, c, &retry)) {
    case COCKPIT_OK: {
        snprintf(cookie, sizeof cookie,
                 COCKPIT_COOKIE "=%s; Path=/ui/admin; HttpOnly; SameSite=Strict%s", token,
                 http_public_https(req) ? "; Secure" : "");
        const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
        log_info("admin cockpit: account %s signed in (organization %s)", c->user.id, c->org.id);
        http_reply_json_headers(req, 200, session_json(c, token), headers);
        break;
    }
    case COCKPIT_CODE_REQUIRED:
        http_reply_error(req, ERR_UNAUTHORIZED,
                         "Enter the code of your authenticator app as well.");
        break;
    case COCKPIT_LOCKED: {
        char after[32];
        snprintf(after, sizeof after, "%lld", (long long)retry);
        const char *headers[] = {"Retry-After", after, NULL};
        http_reply_error_headers(req, ERR_TOO_MANY_REQUESTS, headers,
                                 "Too many failed sign-ins; try again in %lld minutes.",
                                 (long long)((retry + 59) / 60));
        break;
    }
    case COCKPIT_SIGNIN_FAILED:
        http_reply_error(req, ERR_UNAUTHORIZED, "The e-mail address, password or code is wrong.");
        break;
    default:
        reply_unavailable(req);
        break;
    }
cleanup:
    memset(mk, 0, sizeof mk);
    memset(token, 0, sizeof token);
    memset(cookie, 0, sizeof cookie);
    free(c);
}

void cockpit_handle_logout(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN], cookie[160];
    struct cockpit_session c;
    if (!session(req, true, &c, token))
        return;
    if (cockpit_sign_out(req->app->store, &c, time_now_ms()) != COCKPIT_OK) {
        reply_unavailable(req);
        return;
    }
    snprintf(cookie, sizeof cookie,
             COCKPIT_COOKIE "=; Path=/ui/admin; Max-Age=0; HttpOnly; SameSite=Strict%s",
             http_public_https(req) ? "; Secure" : "");
    const char *headers[] = {MHD_HTTP_HEADER_SET_COOKIE, cookie, NULL};
    http_reply_json_headers(req, 200, json_object(), headers);
}

void cockpit_handle_session(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    if (session(req, false, &c, token))
        http_reply_json(req, 200, session_json(&c, token));
}

/* ---- API credentials (the admin API's functions, scoped to the session's organization) ---- */

static json_t *client_json(const struct store_client *c)
{
    char created[ISO_DATETIME_LEN], revoked[ISO_DATETIME_LEN];
    iso_format_datetime(c->created_at, false, created);
    if (c->revoked_at)
        iso_format_datetime(c->revoked_at, false, revoked);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "clientId", c->id, "scopes", c->scopes,
                          "description", c->description, "created", created);
    json_object_set_new(j, "revoked", c->revoked_at ? json_string(revoked) : json_null());
    return j;
}

void cockpit_handle_client_list(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    struct store_client *clients = NULL;
    size_t n = 0;
    if (!session(req, false, &c, token))
        return;
    const char *org = c.org.id;
    if (auth_admin_client_list(req->app->store, org, org, &clients, &n) != STORE_OK) {
        reply_unavailable(req);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, client_json(&clients[i]));
    free(clients);
    http_reply_json(req, 200, json_pack("{s:o}", "clients", arr));
}

void cockpit_handle_client_create(struct http_request *req)
{
    static const char *const names[] = {"scopes", "description", NULL};
    char token[COCKPIT_TOKEN_LEN], bad[128], secret[AUTH_SECRET_LEN];
    struct cockpit_session c;
    struct store_client cl;
    if (!session(req, true, &c, token) || !http_body_string_fields(req, names, 1000))
        return;
    const char *scopes = http_body_string(req, "scopes");
    const char *description = http_body_string(req, "description");
    if (scopes && (!*scopes || !auth_scopes_valid(scopes, bad, sizeof bad))) {
        http_reply_error(req, ERR_VALIDATION, "Field 'scopes' names an unknown scope: '%s'.",
                         *scopes ? bad : "");
        return;
    }
    if (description && strlen(description) > 255) {
        http_reply_error(req, ERR_VALIDATION, "Field 'description' must be at most 255 bytes.");
        return;
    }
    if (auth_admin_client_create(req->app->store, c.org.id, c.org.id, scopes, description, &cl,
                                 secret) != STORE_OK) {
        reply_unavailable(req);
        return;
    }
    json_t *j = client_json(&cl);
    json_object_set_new(j, "clientSecret", json_string(secret)); /* shown only here */
    memset(secret, 0, sizeof secret);
    log_info("admin cockpit: account %s created API client %s", c.user.id, cl.id);
    http_reply_json(req, 201, j);
}

void cockpit_handle_client_revoke(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    struct store_client cl;
    if (!session(req, true, &c, token))
        return;
    char *id = http_param_dup(req, "clientId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    enum store_status st = auth_admin_client_revoke(req->app->store, c.org.id, c.org.id, id, &cl);
    if (st == STORE_NOT_FOUND)
        http_reply_error(req, ERR_NOT_FOUND, "No API client with id '%.64s'.", id);
    else if (st == STORE_CONFLICT)
        http_reply_error(req, ERR_CONFLICT, "API client '%.64s' is already revoked.", id);
    else if (st != STORE_OK)
        reply_unavailable(req);
    else {
        log_info("admin cockpit: account %s revoked API client %s", c.user.id, cl.id);
        http_reply_json(req, 200, client_json(&cl));
    }
    free(id);
}

/* ---- Teams and members ---- */

void cockpit_handle_team_list(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    json_t *teams = NULL;
    if (!session(req, false, &c, token))
        return;
    if (cockpit_team_list(req->app->store, c.org.id, &teams) != COCKPIT_OK) {
        reply_unavailable(req);
        return;
    }
    http_reply_json(req, 200, json_pack("{s:o}", "teams", teams));
}

void cockpit_handle_team_create(struct http_request *req)
{
    static const char *const names[] = {"name", NULL};
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    struct store_team t;
    if (!session(req, true, &c, token) || !http_body_string_fields(req, names, 255))
        return;
    const char *name = http_body_string(req, "name");
    if (!name || !*name) {
        http_reply_error(req, ERR_VALIDATION, "Field 'name' is required and must not be empty.");
        return;
    }
    enum store_status st = auth_admin_team_create(req->app->store, c.org.id, c.org.id, name, &t);
    if (st == STORE_CONFLICT) {
        http_reply_error(req, ERR_CONFLICT, "The organization has a team named '%.255s' already.",
                         name);
        return;
    }
    if (st != STORE_OK) {
        reply_unavailable(req);
        return;
    }
    char created[ISO_DATETIME_LEN];
    iso_format_datetime(t.created_at, false, created);
    http_reply_json(req, 201,
                    json_pack("{s:s, s:s, s:s, s:[]}", "id", t.id, "name", t.name, "created",
                              created, "members"));
}

static void member_change(struct http_request *req, bool remove)
{
    static const char *const names[] = {"email", NULL};
    char token[COCKPIT_TOKEN_LEN], err[256] = "";
    struct cockpit_session c;
    if (!session(req, true, &c, token) || !http_body_string_fields(req, names, 254))
        return;
    char *team = http_param_dup(req, "teamId");
    if (!team) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    const char *email = http_body_string(req, "email");
    enum cockpit_result r = remove
                                ? cockpit_team_member_remove(req->app->store, c.org.id, team, email)
                                : cockpit_team_member_add(req->app->store, c.org.id, team, email,
                                                          time_now_ms(), err, sizeof err);
    switch (r) {
    case COCKPIT_OK:
        http_reply_json(req, 200, json_object());
        break;
    case COCKPIT_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err[0] ? err : "Field 'email' is not valid.");
        break;
    case COCKPIT_NOT_FOUND:
        http_reply_error(req, ERR_NOT_FOUND,
                         remove ? "The team has no such member." : "No team with id '%.64s'.",
                         team);
        break;
    case COCKPIT_CONFLICT:
        http_reply_error(req, ERR_CONFLICT, "The address is a member of the team already.");
        break;
    default:
        reply_unavailable(req);
        break;
    }
    free(team);
}

void cockpit_handle_member_add(struct http_request *req)
{
    member_change(req, false);
}

void cockpit_handle_member_remove(struct http_request *req)
{
    member_change(req, true);
}

/* ---- Processes (the Sign API's list / get / records, with the session's organization) ---- */

void cockpit_handle_process_list(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN], err[256];
    struct cockpit_session c;
    struct sign_list_query q;
    json_t *page = NULL;
    if (!session(req, false, &c, token))
        return;
    struct sign_list_params in = {.status = http_query(req, "status"),
                                  .page = http_query(req, "page"),
                                  .size = http_query(req, "size")};
    if (in.status && !*in.status)
        in.status = NULL;
    if (!sign_list_parse(&in, &q, err, sizeof err)) {
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        return;
    }
    const char *search = http_query(req, "q");
    if (search && strlen(search) >= sizeof q.search) {
        http_reply_error(req, ERR_VALIDATION, "Parameter 'q' must be at most %zu bytes.",
                         sizeof q.search - 1);
        return;
    }
    if (search)
        str_copy(q.search, sizeof q.search, search);
    q.retention_ms = req->app->cfg->retention_ms;
    if (sign_process_list(req->app->store, c.org.id, &q, time_now_ms(), &page) != SIGN_OK) {
        reply_unavailable(req);
        return;
    }
    http_reply_json(req, 200, page);
}

void cockpit_handle_process_get(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    struct cockpit_session c;
    struct store_process p;
    struct store_audit_record *records = NULL;
    size_t n = 0;
    json_t *files = NULL;
    memset(&p, 0, sizeof p);
    if (!session(req, false, &c, token))
        return;
    char *id = http_param_dup(req, "processId");
    if (!id) {
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        return;
    }
    enum sign_result r = sign_process_get(req->app->store, c.org.id, id, &p);
    if (r == SIGN_OK)
        r = sign_process_records(req->app->store, c.org.id, id, &records, &n);
    if (r == SIGN_NOT_FOUND) {
        http_reply_error(req, ERR_PROCESS_NOT_FOUND, "No process with id '%.64s'.", id);
        goto cleanup;
    }
    if (r != SIGN_OK ||
        sign_file_references(req->app->store, c.org.id, id, &files) != SIGN_ATTACH_OK) {
        reply_unavailable(req);
        goto cleanup;
    }
    json_t *j = sign_process_to_json(&p, req->app->cfg->retention_ms);
    json_t *rec = sign_audit_records_json(records, n);
    if (!j || !rec) {
        json_decref(j);
        json_decref(rec);
        json_decref(files);
        http_reply_error(req, ERR_INTERNAL, "Not enough memory.");
        goto cleanup;
    }
    json_object_set_new(j, "fileReferences", files); /* steals files */
    /* "o" steals j; "O" takes a new reference to the records array, rec is dropped after. */
    http_reply_json(
        req, 200,
        json_pack("{s:o, s:O}", "process", j, "records", json_object_get(rec, "records")));
    json_decref(rec);
cleanup:
    free(records);
    store_process_clear(&p);
    free(id);
}

/* ---- TOTP enrolment of the signed-in admin ---- */

void cockpit_handle_totp_enrol(struct http_request *req)
{
    char token[COCKPIT_TOKEN_LEN];
    unsigned char mk[CRYPTO_KEY_LEN];
    struct cockpit_session c;
    json_t *out = NULL;
    if (!session(req, true, &c, token) || !load_key(req, mk))
        return;
    if (cockpit_totp_enrol(req->app->store, mk, &c, &out) == COCKPIT_OK)
        http_reply_json(req, 200, out);
    else
        reply_unavailable(req);
    memset(mk, 0, sizeof mk);
}

void cockpit_handle_totp_confirm(struct http_request *req)
{
    static const char *const names[] = {"code", NULL};
    char token[COCKPIT_TOKEN_LEN], err[256] = "";
    unsigned char mk[CRYPTO_KEY_LEN];
    struct cockpit_session c;
    if (!session(req, true, &c, token) || !http_body_string_fields(req, names, 16) ||
        !load_key(req, mk))
        return;
    switch (cockpit_totp_confirm(req->app->store, mk, &c, http_body_string(req, "code"),
                                 time_now_ms(), err, sizeof err)) {
    case COCKPIT_OK:
        log_info("admin cockpit: account %s enrolled an authenticator app", c.user.id);
        http_reply_json(req, 200, json_pack("{s:b}", "totpEnrolled", 1));
        break;
    case COCKPIT_INVALID:
        http_reply_error(req, ERR_VALIDATION, "%s", err);
        break;
    default:
        reply_unavailable(req);
        break;
    }
    memset(mk, 0, sizeof mk);
}
