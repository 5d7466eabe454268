/*
 * The admin cockpit's API (/ui/admin/api, docs/cockpit.md) seen from a browser's side:
 * accounts made with `signet admin org-user create`, password sign-in with one answer for a
 * wrong password and an unknown e-mail, the lock after repeated failures (per account, also
 * for unknown e-mails, and per address), the TOTP code of an enrolled account (and no replay),
 * the strict HttpOnly session cookie, CSRF on every POST, API credentials created (secret
 * once), used at the token endpoint and revoked, teams and members, processes of the Sign API
 * with search, status filter and audit records, the isolation of organizations, enrolment of
 * an authenticator app, and sign-out ending the session.
 */
#include "core/base32.h"
#include "core/crypto.h"
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define API        "/ui/admin/api"
#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[64], org_b[64];
static char totp_secret[64]; /* of totp@a.example */
static struct client a_client, b_client;
static char a_process[64], b_process[64];

static const char PASSWORD[] = "correct horse battery staple";

/* A signed-in browser: its cookie header and CSRF token. */
struct browser {
    char cookie[128];
    char csrf[64];
};

static void user_create(const char *org, const char *email, bool totp)
{
    char pw_file[300];
    snprintf(pw_file, sizeof pw_file, "%s/pw.txt", data_dir);
    FILE *f = fopen(pw_file, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", PASSWORD);
    fclose(f);
    const char *args[] = {"admin",   "org-user", "create",          "--org", org,
                          "--email", email,      "--password-file", pw_file, "--data",
                          data_dir,  "--json",   "--log-level",     "error", totp ? "--totp" : NULL,
                          NULL};
    json_t *j = run_json(args);
    assert_string_equal(json_string_value(json_object_get(j, "organization_id")), org);
    if (totp)
        snprintf(totp_secret, sizeof totp_secret, "%s",
                 json_string_value(json_object_get(j, "totp_secret")));
    json_decref(j);
    remove(pw_file);
}

/* A process of org made through the Sign API with client c; its id into id. */
static void create_process(const struct client *c, const char *ext, const char *first, char *id,
                           size_t id_len)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":"
             "\"ERP\"},\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":"
             "\"%s\",\"firstName\":\"%s\",\"lastName\":\"Muster\",\"email\":"
             "\"anna@example.com\"}]}}",
             ext, first);
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, c, body, NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Self A", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_org(data_dir, "Self B", "ORGANIZATION", org_b, sizeof org_b);
    user_create(org_a, "Ada@A.example", false);
    user_create(org_a, "lock@a.example", false);
    user_create(org_a, "totp@a.example", true);
    user_create(org_a, "enrol@a.example", false);
    user_create(org_b, "bob@b.example", false);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &a_client);
    tenant_create_client(data_dir, org_b, ALL_SCOPES, &b_client);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    a_client.token = tenant_issue_token(&srv, &a_client);
    b_client.token = tenant_issue_token(&srv, &b_client);
    if (!a_client.token || !b_client.token)
        return -1;
    create_process(&a_client, "crm-a-1", "Anna", a_process, sizeof a_process);
    char other[64];
    create_process(&a_client, "crm-a-2", "Zoe", other, sizeof other);
    create_process(&b_client, "crm-b-1", "Bert", b_process, sizeof b_process);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(a_client.token);
    free(b_client.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

static void expect_status(const struct response *r, long status)
{
    if (r->status != status)
        fprintf(stderr, "expected status %ld, got %ld: %s\n", status, r->status, r->body);
    assert_int_equal(r->status, status);
}

/* A request as the page makes it: cookie and CSRF header of b (either may be NULL). */
static void call(const struct browser *b, bool with_csrf, const char *method, const char *path,
                 const char *body, struct response *r)
{
    char cookie[160], csrf[100];
    const char *h[4];
    size_t n = 0;
    h[n++] = "Content-Type: application/json";
    if (b && b->cookie[0]) {
        snprintf(cookie, sizeof cookie, "Cookie: %s", b->cookie);
        h[n++] = cookie;
    }
    if (b && with_csrf) {
        snprintf(csrf, sizeof csrf, "X-CSRF-Token: %s", b->csrf);
        h[n++] = csrf;
    }
    h[n] = NULL;
    assert_true(http(&srv, method, path, h, body, body ? strlen(body) : 0, r));
}

static void login_body(char *out, size_t len, const char *email, const char *password,
                       const char *code)
{
    if (code)
        snprintf(out, len, "{\"email\":\"%s\",\"password\":\"%s\",\"code\":\"%s\"}", email,
                 password, code);
    else
        snprintf(out, len, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
}

/* Signs in; expects status; on 200 fills b from the Set-Cookie header and the answer. */
static void sign_in(const char *email, const char *password, const char *code, long status,
                    struct browser *b, struct response *out)
{
    char body[512];
    struct response r;
    login_body(body, sizeof body, email, password, code);
    call(NULL, false, "POST", API "/login", body, &r);
    expect_status(&r, status);
    if (status == 200 && b) {
        char set_cookie[256];
        assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
        size_t n = strcspn(set_cookie, ";");
        assert_true(n < sizeof b->cookie);
        memcpy(b->cookie, set_cookie, n);
        b->cookie[n] = '\0';
        snprintf(b->csrf, sizeof b->csrf, "%s",
                 json_string_value(json_object_get(r.json, "csrfToken")));
    }
    if (out)
        *out = r;
    else
        response_free(&r);
}

static const char *message(const struct response *r)
{
    return json_string_value(json_object_get(r->json, "message"));
}

static bool array_has(json_t *arr, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(json_object_get(v, key));
        if (s && !strcmp(s, value))
            return true;
    }
    return false;
}

static void totp_code(int64_t step, char out[7])
{
    unsigned char secret[32];
    size_t len = 0;
    uint32_t code = 0;
    assert_true(base32_decode(totp_secret, secret, sizeof secret, &len));
    assert_true(crypto_hotp(secret, len, (uint64_t)step, 6, &code));
    snprintf(out, 7, "%06u", code);
}

/* ---- tests ---- */

static void page_has_a_csp_without_inline_script(void **state)
{
    (void)state;
    struct response r;
    call(NULL, false, "GET", "/ui/admin", NULL, &r);
    expect_status(&r, 200);
    char csp[512];
    assert_true(response_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "script-src 'self';"));
    assert_null(strstr(csp, "unsafe-inline"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    assert_non_null(strstr(r.body, "<script type=\"module\" src=\"/ui/static/admin.js\">"));
    response_free(&r);
}

static void password_sign_in_gives_a_strict_httponly_session(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, &r);
    char set_cookie[256];
    assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    assert_non_null(strstr(set_cookie, "signet_admin="));
    assert_non_null(strstr(set_cookie, "; HttpOnly"));
    assert_non_null(strstr(set_cookie, "SameSite=Strict"));
    assert_non_null(strstr(set_cookie, "Path=/ui/admin"));
    assert_null(strstr(set_cookie, "Secure")); /* plain http here: no Secure */
    /* The e-mail is not case-sensitive: the account was made as Ada@A.example. */
    assert_string_equal(json_string_value(json_object_get(r.json, "email")), "ada@a.example");
    response_free(&r);
    call(&b, false, "GET", API "/session", NULL, &r);
    expect_status(&r, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r.json, "organization"), "id")), org_a);
    assert_string_equal(json_string_value(json_object_get(r.json, "csrfToken")), b.csrf);
    assert_false(json_is_true(json_object_get(r.json, "totpEnrolled")));
    response_free(&r);
    /* No cookie, or a made-up one: not signed in. */
    call(NULL, false, "GET", API "/session", NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    struct browser fake = {.cookie = "signet_admin=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    call(&fake, false, "GET", API "/clients", NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

/* Over an https --public-url the cookie is Secure as well (a second server on the same data). */
static void cookie_is_secure_behind_https(void **state)
{
    (void)state;
    struct server tls;
    const char *args[] = {"--public-url", "https://signet.example", NULL};
    assert_true(server_start(&tls, data_dir, args));
    char body[512];
    login_body(body, sizeof body, "ada@a.example", PASSWORD, NULL);
    const char *h[] = {"Content-Type: application/json", NULL};
    struct response r;
    assert_true(http(&tls, "POST", API "/login", h, body, strlen(body), &r));
    expect_status(&r, 200);
    char set_cookie[256];
    assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    assert_non_null(strstr(set_cookie, "; HttpOnly; SameSite=Strict; Secure"));
    response_free(&r);
    assert_int_equal(server_stop(&tls, true), 0);
}

static void wrong_password_and_unknown_email_get_the_same_answer(void **state)
{
    (void)state;
    struct response wrong, unknown;
    sign_in("ada@a.example", "not the password at all", NULL, 401, NULL, &wrong);
    sign_in("nobody@a.example", PASSWORD, NULL, 401, NULL, &unknown);
    assert_error_object(&wrong, 401, "Unauthorized");
    assert_string_equal(message(&wrong), "The e-mail address, password or code is wrong.");
    assert_string_equal(message(&unknown), message(&wrong));
    assert_null(strstr(wrong.headers, "Set-Cookie"));
    response_free(&wrong);
    response_free(&unknown);
}

static void repeated_failures_lock_the_account_also_for_unknown_emails(void **state)
{
    (void)state;
    struct response r;
    for (int i = 0; i < 5; i++)
        sign_in("lock@a.example", "wrong wrong wrong", NULL, 401, NULL, NULL);
    /* Locked: even the right password is refused now, with a Retry-After. */
    sign_in("lock@a.example", PASSWORD, NULL, 429, NULL, &r);
    assert_error_object(&r, 429, "TooManyRequests");
    char after[32];
    assert_true(response_header(&r, "Retry-After", after, sizeof after));
    long seconds = strtol(after, NULL, 10);
    assert_true(seconds > 0 && seconds <= 15 * 60);
    char locked_message[256];
    snprintf(locked_message, sizeof locked_message, "%s", message(&r));
    response_free(&r);
    /* Other accounts are not affected. */
    struct browser b = {0};
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    /* An e-mail without an account locks the same way, so locking tells nothing. */
    for (int i = 0; i < 5; i++)
        sign_in("ghost@a.example", "wrong wrong wrong", NULL, 401, NULL, NULL);
    sign_in("ghost@a.example", PASSWORD, NULL, 429, NULL, &r);
    assert_string_equal(message(&r), locked_message);
    response_free(&r);
}

static void totp_account_needs_a_current_code_once(void **state)
{
    (void)state;
    struct response r;
    sign_in("totp@a.example", PASSWORD, NULL, 401, NULL, &r);
    assert_string_equal(message(&r), "Enter the code of your authenticator app as well.");
    response_free(&r);
    int64_t step = crypto_totp_step((int64_t)time(NULL) * 1000);
    char code[7], wrong[12];
    totp_code(step, code);
    snprintf(wrong, sizeof wrong, "%06lu", (unsigned long)(strtol(code, NULL, 10) + 1) % 1000000u);
    sign_in("totp@a.example", PASSWORD, wrong, 401, NULL, &r);
    assert_string_equal(message(&r), "The e-mail address, password or code is wrong.");
    response_free(&r);
    /* A wrong password with the right code fails as well. */
    sign_in("totp@a.example", "wrong wrong wrong", code, 401, NULL, NULL);
    struct browser b = {0};
    sign_in("totp@a.example", PASSWORD, code, 200, &b, &r);
    assert_true(json_is_true(json_object_get(r.json, "totpEnrolled")));
    response_free(&r);
    /* The same code again (another browser): refused, each step counts once. */
    sign_in("totp@a.example", PASSWORD, code, 401, NULL, NULL);
}

static void every_post_needs_the_csrf_token(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    call(&b, false, "POST", API "/clients", "{\"scopes\":\"sswp:process:read\"}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    struct browser forged = b;
    snprintf(forged.csrf, sizeof forged.csrf, "%s", "x2345678901234567890123456789012345678901yz");
    call(&forged, true, "POST", API "/teams", "{\"name\":\"Forged\"}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call(&b, false, "POST", API "/logout", NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    /* Another session's token is not this session's. */
    struct browser other = {0};
    sign_in("ada@a.example", PASSWORD, NULL, 200, &other, NULL);
    snprintf(forged.csrf, sizeof forged.csrf, "%s", other.csrf);
    call(&forged, true, "POST", API "/totp/enrol", NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call(&b, false, "GET", API "/teams", NULL, &r); /* GETs change nothing: no token needed */
    expect_status(&r, 200);
    assert_false(array_has(json_object_get(r.json, "teams"), "name", "Forged"));
    response_free(&r);
}

static void credentials_created_once_work_and_revoke(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    call(&b, true, "POST", API "/clients",
         "{\"scopes\":\"sswp:process:read\",\"description\":\"CRM\"}", &r);
    expect_status(&r, 201);
    struct client c = {0};
    snprintf(c.id, sizeof c.id, "%s", json_string_value(json_object_get(r.json, "clientId")));
    snprintf(c.secret, sizeof c.secret, "%s",
             json_string_value(json_object_get(r.json, "clientSecret")));
    assert_int_equal(strlen(c.secret), 43);
    response_free(&r);
    call(&b, true, "POST", API "/clients", "{\"scopes\":\"sswp:everything\"}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    /* Listed without its secret. */
    call(&b, false, "GET", API "/clients", NULL, &r);
    expect_status(&r, 200);
    json_t *clients = json_object_get(r.json, "clients");
    assert_true(array_has(clients, "clientId", c.id));
    assert_true(array_has(clients, "clientId", a_client.id));
    assert_null(strstr(r.body, c.secret));
    assert_null(strstr(r.body, "clientSecret"));
    response_free(&r);
    char *token = tenant_issue_token(&srv, &c);
    assert_non_null(token);
    free(token);
    char path[256];
    snprintf(path, sizeof path, API "/clients/%s/revoke", c.id);
    call(&b, true, "POST", path, NULL, &r);
    expect_status(&r, 200);
    assert_false(json_is_null(json_object_get(r.json, "revoked")));
    response_free(&r);
    call(&b, true, "POST", path, NULL, &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    char form[512];
    snprintf(form, sizeof form, "grant_type=client_credentials&client_id=%s&client_secret=%s", c.id,
             c.secret);
    const char *h[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    assert_true(http(&srv, "POST", TOKEN_PATH, h, form, strlen(form), &r));
    expect_status(&r, 401);
    response_free(&r);
}

static void teams_and_members(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    call(&b, true, "POST", API "/teams", "{\"name\":\"Sales\"}", &r);
    expect_status(&r, 201);
    char team[64], path[200];
    snprintf(team, sizeof team, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
    call(&b, true, "POST", API "/teams", "{\"name\":\"Sales\"}", &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    snprintf(path, sizeof path, API "/teams/%s/members", team);
    call(&b, true, "POST", path, "{\"email\":\"Carla@A.example\"}", &r);
    expect_status(&r, 200);
    response_free(&r);
    call(&b, true, "POST", path, "{\"email\":\"carla@a.example\"}", &r);
    assert_error_object(&r, 409, "Conflict");
    response_free(&r);
    call(&b, true, "POST", path, "{\"email\":\"not an address\"}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    call(&b, true, "POST", path, "{\"email\":\"dan@a.example\"}", &r);
    expect_status(&r, 200);
    response_free(&r);
    call(&b, false, "GET", API "/teams", NULL, &r);
    expect_status(&r, 200);
    json_t *t0 = json_array_get(json_object_get(r.json, "teams"), 0);
    assert_string_equal(json_string_value(json_object_get(t0, "name")), "Sales");
    json_t *members = json_object_get(t0, "members");
    assert_int_equal(json_array_size(members), 2);
    assert_string_equal(json_string_value(json_array_get(members, 0)), "carla@a.example");
    response_free(&r);
    snprintf(path, sizeof path, API "/teams/%s/members/remove", team);
    call(&b, true, "POST", path, "{\"email\":\"dan@a.example\"}", &r);
    expect_status(&r, 200);
    response_free(&r);
    call(&b, true, "POST", path, "{\"email\":\"dan@a.example\"}", &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    /* Organization B sees no team of A and cannot add members to it. */
    struct browser bob = {0};
    sign_in("bob@b.example", PASSWORD, NULL, 200, &bob, NULL);
    call(&bob, false, "GET", API "/teams", NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "teams")), 0);
    response_free(&r);
    snprintf(path, sizeof path, API "/teams/%s/members", team);
    call(&bob, true, "POST", path, "{\"email\":\"eve@b.example\"}", &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
}

static void processes_with_search_status_and_records(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    call(&b, false, "GET", API "/processes", NULL, &r);
    expect_status(&r, 200);
    json_t *content = json_object_get(r.json, "content");
    assert_int_equal(json_array_size(content), 2);
    assert_true(array_has(content, "id", a_process));
    assert_false(array_has(content, "id", b_process));
    response_free(&r);
    /* Search: a signer's externalIdentifier, part of a name (any case), the process id. */
    call(&b, false, "GET", API "/processes?q=crm-a-1", NULL, &r);
    expect_status(&r, 200);
    content = json_object_get(r.json, "content");
    assert_int_equal(json_array_size(content), 1);
    assert_true(array_has(content, "id", a_process));
    response_free(&r);
    call(&b, false, "GET", API "/processes?q=zO", NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 1);
    assert_false(array_has(json_object_get(r.json, "content"), "id", a_process));
    response_free(&r);
    char path[256];
    snprintf(path, sizeof path, API "/processes?q=%s", a_process);
    call(&b, false, "GET", path, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 1);
    response_free(&r);
    /* Another organization's process is not found by its id or its signer. */
    snprintf(path, sizeof path, API "/processes?q=%s", b_process);
    call(&b, false, "GET", path, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 0);
    response_free(&r);
    call(&b, false, "GET", API "/processes?q=crm-b-1", NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 0);
    response_free(&r);
    call(&b, false, "GET", API "/processes?status=COMPLETED", NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 0);
    response_free(&r);
    call(&b, false, "GET", API "/processes?status=CREATED&size=1", NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r.json, "page"), "totalElements")), 2);
    response_free(&r);
    call(&b, false, "GET", API "/processes?status=DONE", NULL, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    /* Details with signers and audit records. */
    snprintf(path, sizeof path, API "/processes/%s", a_process);
    call(&b, false, "GET", path, NULL, &r);
    expect_status(&r, 200);
    json_t *p = json_object_get(r.json, "process");
    assert_string_equal(json_string_value(json_object_get(p, "status")), "CREATED");
    json_t *s0 = json_array_get(json_object_get(json_object_get(p, "invitees"), "signers"), 0);
    assert_string_equal(json_string_value(json_object_get(s0, "externalIdentifier")), "crm-a-1");
    json_t *records = json_object_get(r.json, "records");
    assert_true(json_array_size(records) >= 1);
    assert_non_null(json_string_value(json_object_get(json_array_get(records, 0), "action")));
    response_free(&r);
    snprintf(path, sizeof path, API "/processes/%s", b_process);
    call(&b, false, "GET", path, NULL, &r);
    expect_status(&r, 404);
    response_free(&r);
}

static void organizations_never_see_each_other(void **state)
{
    (void)state;
    struct browser bob = {0};
    struct response r;
    sign_in("bob@b.example", PASSWORD, NULL, 200, &bob, NULL);
    call(&bob, false, "GET", API "/clients", NULL, &r);
    expect_status(&r, 200);
    assert_true(array_has(json_object_get(r.json, "clients"), "clientId", b_client.id));
    assert_false(array_has(json_object_get(r.json, "clients"), "clientId", a_client.id));
    response_free(&r);
    char path[256];
    snprintf(path, sizeof path, API "/clients/%s/revoke", a_client.id);
    call(&bob, true, "POST", path, NULL, &r);
    assert_error_object(&r, 404, "NotFound");
    response_free(&r);
    call(&bob, false, "GET", API "/processes", NULL, &r);
    expect_status(&r, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "content")), 1);
    assert_true(array_has(json_object_get(r.json, "content"), "id", b_process));
    response_free(&r);
    /* A's client still works: B's attempt changed nothing. */
    char *t = tenant_issue_token(&srv, &a_client);
    assert_non_null(t);
    free(t);
}

static void totp_enrolment_then_sign_in_needs_codes(void **state)
{
    (void)state;
    struct browser b = {0};
    struct response r;
    sign_in("enrol@a.example", PASSWORD, NULL, 200, &b, NULL);
    call(&b, true, "POST", API "/totp/confirm", "{\"code\":\"123456\"}", &r);
    assert_error_object(&r, 400, "Validation"); /* nothing to confirm yet */
    response_free(&r);
    call(&b, true, "POST", API "/totp/enrol", NULL, &r);
    expect_status(&r, 200);
    snprintf(totp_secret, sizeof totp_secret, "%s",
             json_string_value(json_object_get(r.json, "secret")));
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "uri")),
                           "otpauth://totp/Signet:enrol%40a.example?secret="));
    assert_true(!strncmp(json_string_value(json_object_get(r.json, "qr")),
                         "data:image/svg+xml;base64,", 26));
    response_free(&r);
    /* Not enrolled before the confirmation: the password alone still signs in. */
    struct browser other = {0};
    sign_in("enrol@a.example", PASSWORD, NULL, 200, &other, NULL);
    int64_t step = crypto_totp_step((int64_t)time(NULL) * 1000);
    char code[7], wrong[12];
    totp_code(step, code);
    snprintf(wrong, sizeof wrong, "%06lu", (unsigned long)(strtol(code, NULL, 10) + 1) % 1000000u);
    call(&b, true, "POST", API "/totp/confirm", "{\"code\":\"000000x\"}", &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    char body[64];
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", wrong);
    call(&b, true, "POST", API "/totp/confirm", body, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    call(&b, true, "POST", API "/totp/confirm", body, &r);
    expect_status(&r, 200);
    response_free(&r);
    sign_in("enrol@a.example", PASSWORD, NULL, 401, NULL, &r);
    assert_string_equal(message(&r), "Enter the code of your authenticator app as well.");
    response_free(&r);
    /* The confirming code's step is used; the next one signs in. */
    totp_code(step + 1, code);
    sign_in("enrol@a.example", PASSWORD, code, 200, NULL, NULL);
}

static void sign_out_ends_the_session(void **state)
{
    (void)state;
    struct browser b = {0}, other = {0};
    struct response r;
    sign_in("ada@a.example", PASSWORD, NULL, 200, &b, NULL);
    sign_in("ada@a.example", PASSWORD, NULL, 200, &other, NULL);
    call(&b, true, "POST", API "/logout", NULL, &r);
    expect_status(&r, 200);
    char set_cookie[256];
    assert_true(response_header(&r, "Set-Cookie", set_cookie, sizeof set_cookie));
    assert_non_null(strstr(set_cookie, "signet_admin=;"));
    assert_non_null(strstr(set_cookie, "Max-Age=0"));
    response_free(&r);
    /* The old cookie (a browser that kept it) is no session any more. */
    call(&b, false, "GET", API "/session", NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    call(&b, true, "POST", API "/teams", "{\"name\":\"After\"}", &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    /* The admin's other session goes on. */
    call(&other, false, "GET", API "/session", NULL, &r);
    expect_status(&r, 200);
    response_free(&r);
}

/* Last: locks this test's address. */
static void many_failures_from_one_address_lock_the_address(void **state)
{
    (void)state;
    struct response r;
    int failures = 0;
    bool locked = false;
    /* Different unknown e-mails, so no account lock is reached; the earlier tests' failures
     * from this address count too. */
    for (int i = 0; i < 25 && !locked; i++) {
        char body[256], email[64];
        snprintf(email, sizeof email, "guess%d@a.example", i);
        login_body(body, sizeof body, email, "wrong wrong wrong", NULL);
        call(NULL, false, "POST", API "/login", body, &r);
        locked = r.status == 429;
        if (!locked) {
            expect_status(&r, 401);
            failures++;
        }
        response_free(&r);
    }
    /* The right password of an unlocked account is refused from this address now. */
    struct response ok;
    sign_in("ada@a.example", PASSWORD, NULL, 429, NULL, &ok);
    assert_error_object(&ok, 429, "TooManyRequests");
    response_free(&ok);
    assert_true(locked);
    assert_true(failures <= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(page_has_a_csp_without_inline_script),
        cmocka_unit_test(password_sign_in_gives_a_strict_httponly_session),
        cmocka_unit_test(cookie_is_secure_behind_https),
        cmocka_unit_test(wrong_password_and_unknown_email_get_the_same_answer),
        cmocka_unit_test(repeated_failures_lock_the_account_also_for_unknown_emails),
        cmocka_unit_test(totp_account_needs_a_current_code_once),
        cmocka_unit_test(every_post_needs_the_csrf_token),
        cmocka_unit_test(credentials_created_once_work_and_revoke),
        cmocka_unit_test(teams_and_members),
        cmocka_unit_test(processes_with_search_status_and_records),
        cmocka_unit_test(organizations_never_see_each_other),
        cmocka_unit_test(totp_enrolment_then_sign_in_needs_codes),
        cmocka_unit_test(sign_out_ends_the_session),
        cmocka_unit_test(many_failures_from_one_address_lock_the_address),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
