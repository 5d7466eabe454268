/*
 * Person accounts (/ui/account, docs/accounts.md) and the signer pages' authorization by them
 * (DESIGN.md "Process authorization", docs/signer-pages.md), driven over HTTP against the real
 * binary like a browser would, with the messages read from the outbox in the server's SQLite
 * file:
 *   - the page's CSP; creating an account answers 202 and mails a link; the link verifies the
 *     e-mail once; a second creation for the same e-mail answers the same and mails a notice;
 *     sign-in cookie HttpOnly SameSite=Strict Path=/ui;
 *   - a signed-in account whose e-mail is not verified does not authorize the signer page;
 *     once verified it authorizes the invitee with that e-mail (audit ACCOUNT_EMAIL) and not
 *     another invitee;
 *   - a mobile number is verified with the SMS code (a wrong code counts) and then authorizes
 *     the invitee with that mobile (ACCOUNT_MOBILE);
 *   - a process with authorization ACCOUNT refuses the one-time code (asking and entering)
 *     and says so in its state; a matching verified account authorizes it, and the signer
 *     signs with CLICK without any code;
 *   - a forged session token, a signed-out one (replayed) and a missing CSRF header are
 *     refused, also by the signer page; a password change ends the other sessions;
 *   - 5 wrong passwords lock the e-mail (429 with Retry-After, also with the right password,
 *     and the same for an e-mail without account) while another account still signs in;
 *   - a fourth creation of one e-mail within 15 minutes is refused (429), taken or not.
 */
#include "signer_page.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"
#define PASSWORD   "correct horse battery"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client cl;

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "CORPORATE", org_a, sizeof org_a);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &cl);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    cl.token = tenant_issue_token(&srv, &cl);
    return cl.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(cl.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- an account in a browser ---- */

struct account {
    char cookie[128];
    char csrf[128];
};

/* A request with the account cookie (and the signer page's, when page is not NULL), the CSRF
 * header when with_csrf, and a JSON body when body is not NULL. */
static void acall(const struct account *a, const struct page_browser *page, const char *method,
                  const char *path, const char *body, bool with_csrf, struct response *r)
{
    char cookie_hdr[400], csrf_hdr[200];
    const char *hdrs[4];
    size_t n = 0;
    snprintf(cookie_hdr, sizeof cookie_hdr, "Cookie: signet_account=%s%s%s", a ? a->cookie : "",
             page ? "; signet_sign=" : "", page ? page->cookie : "");
    snprintf(csrf_hdr, sizeof csrf_hdr, "X-CSRF-Token: %s", page ? page->csrf : a->csrf);
    hdrs[n++] = cookie_hdr;
    if (with_csrf)
        hdrs[n++] = csrf_hdr;
    if (body)
        hdrs[n++] = "Content-Type: application/json";
    hdrs[n] = NULL;
    assert_true(http(&srv, method, path, hdrs, body, body ? strlen(body) : 0, r));
}

/* The newest outbox message body of kind to recipient into out (empty when none). */
static void outbox_body(const char *kind, const char *to, char *out, size_t out_len)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT body FROM outbox WHERE kind = '%s' AND recipient = '%s' "
             "ORDER BY created_at DESC, %s DESC LIMIT 1",
             kind, to, test_sql_insert_order());
    assert_true(test_sql(data_dir, q, out, out_len));
}

static int outbox_count(const char *kind, const char *to)
{
    char out[64], q[512];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM outbox WHERE kind = '%s' AND recipient = '%s'",
             kind, to);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    return (int)strtol(out, NULL, 10);
}

/* The token of the newest verification link mailed to email into token. */
static void link_token(const char *email, char *token, size_t len)
{
    char body[8192];
    outbox_body("ACCOUNT_VERIFY", email, body, sizeof body);
    const char *p = strstr(body, "/ui/account?verify=");
    assert_non_null(p);
    p += strlen("/ui/account?verify=");
    size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    assert_true(n == 43 && n < len);
    memcpy(token, p, n);
    token[n] = '\0';
}

static long post_json(const char *path, const char *body, struct response *r)
{
    const char *hdrs[] = {"Content-Type: application/json", NULL};
    assert_true(http(&srv, "POST", path, hdrs, body, strlen(body), r));
    return r->status;
}

static void create(const char *email)
{
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"" PASSWORD "\"}", email);
    assert_int_equal(post_json("/ui/account/api/create", body, &r), 202);
    assert_string_equal(xs(r.json, "status"), "CHECK_EMAIL");
    response_free(&r);
}

static void verify_email(const char *email)
{
    char token[64], body[128];
    struct response r;
    link_token(email, token, sizeof token);
    snprintf(body, sizeof body, "{\"token\":\"%s\"}", token);
    assert_int_equal(post_json("/ui/account/api/verify-email", body, &r), 200);
    assert_string_equal(xs(r.json, "email"), email);
    response_free(&r);
}

/* Signs in (expects status); the cookie and CSRF token into a on 200. */
static long sign_in(struct account *a, const char *email, const char *password,
                    struct response *out)
{
    char body[512];
    struct response r;
    snprintf(body, sizeof body, "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    long st = post_json("/ui/account/api/login", body, &r);
    if (st == 200) {
        char set[512];
        assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
        const char *v = strstr(set, "signet_account=");
        assert_non_null(v);
        v += strlen("signet_account=");
        size_t n = strcspn(v, ";");
        assert_true(n < sizeof a->cookie);
        memcpy(a->cookie, v, n);
        a->cookie[n] = '\0';
        snprintf(a->csrf, sizeof a->csrf, "%s", xs(r.json, "csrfToken"));
    }
    if (out)
        *out = r;
    else
        response_free(&r);
    return st;
}

/* The signer page's state with the account cookie a (may be NULL); b's CSRF token from it. */
static json_t *state_with(const struct account *a, struct page_browser *b)
{
    struct response r;
    acall(a, b, "GET", "/ui/api/session", NULL, false, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *s = json_incref(r.json);
    response_free(&r);
    return s;
}

static bool authorized(json_t *state)
{
    return json_is_true(json_object_get(state, "authorized"));
}

/* ---- tests ---- */

static void create_verify_and_sign_in(void **state)
{
    (void)state;
    struct response r;
    assert_true(http(&srv, "GET", "/ui/account", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    char csp[1024];
    assert_true(response_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "script-src 'self'"));
    response_free(&r);

    create("Carla@Example.com");
    assert_int_equal(outbox_count("ACCOUNT_VERIFY", "carla@example.com"), 1);
    char body[8192];
    outbox_body("ACCOUNT_VERIFY", "carla@example.com", body, sizeof body);
    assert_null(strstr(body, PASSWORD));
    /* The same answer for a taken e-mail; its owner gets a notice, no new link. */
    create("carla@example.com");
    assert_int_equal(outbox_count("ACCOUNT_VERIFY", "carla@example.com"), 1);
    assert_int_equal(outbox_count("ACCOUNT_EXISTS", "carla@example.com"), 1);
    /* Bad input. */
    assert_int_equal(post_json("/ui/account/api/create",
                               "{\"email\":\"nope\",\"password\":\"" PASSWORD "\"}", &r),
                     400);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
    assert_int_equal(post_json("/ui/account/api/create",
                               "{\"email\":\"d@example.com\",\"password\":\"short\"}", &r),
                     400);
    response_free(&r);

    struct account a;
    assert_int_equal(sign_in(&a, "CARLA@example.com", PASSWORD, &r), 200);
    char set[512];
    assert_true(response_header(&r, "Set-Cookie", set, sizeof set));
    assert_non_null(strstr(set, "HttpOnly"));
    assert_non_null(strstr(set, "SameSite=Strict"));
    assert_non_null(strstr(set, "Path=/ui;"));
    assert_false(json_is_true(json_object_get(r.json, "emailVerified")));
    response_free(&r);

    char token[64];
    link_token("carla@example.com", token, sizeof token);
    verify_email("carla@example.com");
    /* A link works once. */
    char vb[128];
    snprintf(vb, sizeof vb, "{\"token\":\"%s\"}", token);
    assert_int_equal(post_json("/ui/account/api/verify-email", vb, &r), 400);
    response_free(&r);
    assert_int_equal(post_json("/ui/account/api/verify-email",
                               "{\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}", &r),
                     400);
    response_free(&r);

    acall(&a, NULL, "GET", "/ui/account/api/session", NULL, false, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "email"), "carla@example.com");
    assert_true(json_is_true(json_object_get(r.json, "emailVerified")));
    response_free(&r);
}

static void verified_email_authorizes_only_the_matching_invitee(void **state)
{
    (void)state;
    struct page_process p;
    page_create_released(&srv, &cl, "SIMPLE", "{}", &p);
    create("anna@example.com");
    struct account a;
    assert_int_equal(sign_in(&a, "anna@example.com", PASSWORD, NULL), 200);

    /* Not verified yet: Anna's page still needs the code. */
    struct page_browser anna = {0};
    page_open(&srv, &anna, p.a_path);
    json_t *s = state_with(&a, &anna);
    assert_false(authorized(s));
    assert_true(json_is_true(json_object_get(json_object_get(s, "account"), "signedIn")));
    assert_string_equal(xs(s, "authorization"), "CODE");
    json_decref(s);

    verify_email("anna@example.com");
    s = state_with(&a, &anna);
    assert_true(authorized(s));
    assert_string_equal(xs(s, "state"), "READY");
    json_decref(s);
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_method", "ACCOUNT_EMAIL"),
                     1);
    /* Beat's page is not authorized by Anna's account. */
    struct page_browser beat = {0};
    page_open(&srv, &beat, p.b_path);
    s = state_with(&a, &beat);
    assert_false(authorized(s));
    json_decref(s);
    /* Without the account cookie, Beat's code still works (CODE: the fallback). */
    page_authorize(&srv, &beat, data_dir, p.b_id);
}

static void mobile_is_verified_by_sms_code_and_authorizes(void **state)
{
    (void)state;
    struct page_process p;
    page_create_released_with(&srv, &cl, "SIMPLE", "{}", "+41795550001", &p);
    create("mobile-owner@example.com");
    struct account a;
    struct response r;
    assert_int_equal(sign_in(&a, "mobile-owner@example.com", PASSWORD, NULL), 200);
    /* CSRF is required. */
    acall(&a, NULL, "POST", "/ui/account/api/mobile", "{\"mobile\":\"+41795550001\"}", false, &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    acall(&a, NULL, "POST", "/ui/account/api/mobile", "{\"mobile\":\"0795550001\"}", true, &r);
    assert_int_equal(r.status, 400);
    response_free(&r);
    acall(&a, NULL, "POST", "/ui/account/api/mobile", "{\"mobile\":\"+41795550001\"}", true, &r);
    assert_int_equal(r.status, 202);
    response_free(&r);
    /* A second code at once is refused (rate limit). */
    acall(&a, NULL, "POST", "/ui/account/api/mobile", "{\"mobile\":\"+41795550001\"}", true, &r);
    assert_int_equal(r.status, 429);
    response_free(&r);

    /* Not verified yet: no authorization. */
    struct page_browser anna = {0};
    page_open(&srv, &anna, p.a_path);
    json_t *s = state_with(&a, &anna);
    assert_false(authorized(s));
    json_decref(s);

    char sms[1024], body[64];
    outbox_body("CODE", "+41795550001", sms, sizeof sms);
    const char *c = sms;
    while (*c && strspn(c, "0123456789") != 6)
        c += strspn(c, "0123456789") ? strspn(c, "0123456789") : 1;
    assert_true(*c);
    char wrong[7];
    snprintf(wrong, sizeof wrong, "%.6s", c);
    wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", wrong);
    acall(&a, NULL, "POST", "/ui/account/api/mobile/verify", body, true, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(xs(r.json, "message"), "4 more tries"));
    response_free(&r);
    snprintf(body, sizeof body, "{\"code\":\"%.6s\"}", c);
    acall(&a, NULL, "POST", "/ui/account/api/mobile/verify", body, true, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "mobileVerified")));
    assert_string_equal(xs(r.json, "mobile"), "+41795550001");
    response_free(&r);

    s = state_with(&a, &anna);
    assert_true(authorized(s));
    json_decref(s);
    assert_int_equal(page_records(&srv, &cl, p.id, "authorization", "SUCCESS",
                                  "authorization_method", "ACCOUNT_MOBILE"),
                     1);
}

/* A released process with authorization ACCOUNT and one signer Dora (dora@example.com); her
 * link's path into path. */
static void create_account_process(char *id, size_t id_len, char *path, size_t path_len)
{
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &cl,
                "{\"signatureLevel\":\"SIMPLE\",\"authorization\":\"ACCOUNT\","
                "\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
                "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-d\","
                "\"firstName\":\"Dora\",\"lastName\":\"Dorn\",\"email\":\"dora@example.com\"}]}}",
                NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", xs(r.json, "id"));
    response_free(&r);
    char *attach = tenant_attach_body(
        "simple-a4.pdf", "doc-1",
        "[{\"signer\":\"crm-d\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    char p[256];
    snprintf(p, sizeof p, PROCESS_PATH "/%s/attach", id);
    tenant_call(&srv, "POST", p, &cl, attach, NULL, &r);
    free(attach);
    assert_int_equal(r.status, 201);
    response_free(&r);
    snprintf(p, sizeof p, PROCESS_PATH "/%s/release", id);
    tenant_call(&srv, "POST", p, &cl, "{}", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *parts = json_object_get(r.json, "participants");
    path[0] = '\0';
    for (size_t i = 0; i < json_array_size(parts); i++) {
        const char *url = xs(json_array_get(parts, i), "url");
        const char *tail = url ? strstr(url, "/ui/sign/") : NULL;
        if (tail)
            snprintf(path, path_len, "%s", tail);
    }
    response_free(&r);
    assert_true(path[0]);
}

static void account_process_refuses_the_code_and_signs_with_an_account(void **state)
{
    (void)state;
    char id[64], path[256];
    create_account_process(id, sizeof id, path, sizeof path);
    struct page_browser dora = {0};
    page_open(&srv, &dora, path);
    json_t *s = page_state(&srv, &dora);
    assert_string_equal(xs(s, "authorization"), "ACCOUNT");
    assert_false(authorized(s));
    assert_false(json_is_true(json_object_get(json_object_get(s, "account"), "signedIn")));
    json_decref(s);
    json_t *err = NULL;
    assert_int_equal(
        page_post(&srv, &dora, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}", &err), 409);
    assert_string_equal(xs(err, "reason"), "authorization.accountRequired");
    json_decref(err);
    assert_int_equal(
        page_post(&srv, &dora, "/ui/api/session/authorize", "{\"code\":\"123456\"}", NULL), 409);
    assert_int_equal(outbox_count("CODE", "dora@example.com"), 0);
    /* Another person's verified account does not open it. */
    create("someone@example.com");
    verify_email("someone@example.com");
    struct account other;
    assert_int_equal(sign_in(&other, "someone@example.com", PASSWORD, NULL), 200);
    s = state_with(&other, &dora);
    assert_false(authorized(s));
    json_decref(s);
    /* Dora's verified account does; she signs without any code. */
    create("DORA@example.com");
    verify_email("dora@example.com");
    struct account a;
    assert_int_equal(sign_in(&a, "dora@example.com", PASSWORD, NULL), 200);
    s = state_with(&a, &dora);
    assert_true(authorized(s));
    json_decref(s);
    struct response r;
    acall(&a, &dora, "POST", "/ui/api/session/sign", "{\"method\":\"CLICK\"}", true, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_int_equal(outbox_count("CODE", "dora@example.com"), 0);
    json_t *signer = page_process_signer(&srv, &cl, id, "crm-d");
    assert_string_equal(xs(signer, "status"), "SIGNED");
    json_decref(signer);
}

static void forged_and_replayed_sessions_are_refused(void **state)
{
    (void)state;
    struct page_process p;
    page_create_released_with(&srv, &cl, "SIMPLE", "{}", "+41795550002", &p);
    /* anna@example.com is verified (test 2); her page is authorized only by a live session. */
    struct account a, b;
    struct response r;
    assert_int_equal(sign_in(&a, "anna@example.com", PASSWORD, NULL), 200);
    assert_int_equal(sign_in(&b, "anna@example.com", PASSWORD, NULL), 200);
    struct account forged = a;
    forged.cookie[5] = forged.cookie[5] == 'A' ? 'B' : 'A';
    acall(&forged, NULL, "GET", "/ui/account/api/session", NULL, false, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    struct page_browser anna = {0};
    page_open(&srv, &anna, p.a_path);
    json_t *s = state_with(&forged, &anna);
    assert_false(authorized(s));
    assert_false(json_is_true(json_object_get(json_object_get(s, "account"), "signedIn")));
    json_decref(s);

    /* Sign-out: the old cookie is refused afterwards (a replay), also by the signer page. */
    acall(&a, NULL, "POST", "/ui/account/api/logout", NULL, true, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    acall(&a, NULL, "GET", "/ui/account/api/session", NULL, false, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    s = state_with(&a, &anna);
    assert_false(authorized(s));
    json_decref(s);

    /* A password change (wrong current one first) ends the other sessions. */
    struct account c;
    assert_int_equal(sign_in(&c, "anna@example.com", PASSWORD, NULL), 200);
    acall(&b, NULL, "POST", "/ui/account/api/password",
          "{\"current\":\"not the password\",\"new\":\"another long password\"}", true, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    acall(&b, NULL, "POST", "/ui/account/api/password",
          "{\"current\":\"" PASSWORD "\",\"new\":\"another long password\"}", true, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    acall(&c, NULL, "GET", "/ui/account/api/session", NULL, false, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    acall(&b, NULL, "GET", "/ui/account/api/session", NULL, false, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    assert_int_equal(sign_in(&c, "anna@example.com", PASSWORD, NULL), 401);
    assert_int_equal(sign_in(&c, "anna@example.com", "another long password", NULL), 200);
    s = state_with(&c, &anna);
    assert_true(authorized(s));
    json_decref(s);
}

static void wrong_passwords_lock_the_email(void **state)
{
    (void)state;
    create("erin@example.com");
    struct account a;
    struct response r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sign_in(&a, "erin@example.com", "wrong password!", &r), 401);
        assert_string_equal(xs(r.json, "message"), "The e-mail address or password is wrong.");
        response_free(&r);
    }
    assert_int_equal(sign_in(&a, "erin@example.com", PASSWORD, &r), 429);
    char after[32];
    assert_true(response_header(&r, "Retry-After", after, sizeof after));
    assert_true(strtol(after, NULL, 10) > 0);
    response_free(&r);
    /* An e-mail without account: the same answers, so nothing tells which exist. */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sign_in(&a, "nobody@example.com", "wrong password!", &r), 401);
        assert_string_equal(xs(r.json, "message"), "The e-mail address or password is wrong.");
        response_free(&r);
    }
    assert_int_equal(sign_in(&a, "nobody@example.com", PASSWORD, NULL), 429);
    /* Another account is not locked. */
    assert_int_equal(sign_in(&a, "carla@example.com", PASSWORD, NULL), 200);
}

static void creating_one_email_again_and_again_is_limited(void **state)
{
    (void)state;
    struct response r;
    for (int i = 0; i < 3; i++)
        create("flood@example.com");
    const char *body = "{\"email\":\"flood@example.com\",\"password\":\"" PASSWORD "\"}";
    assert_int_equal(post_json("/ui/account/api/create", body, &r), 429);
    assert_string_equal(xs(r.json, "reason"), "account.createTooOften");
    response_free(&r);
    /* One link went out (the first creation), and one notice for the taken e-mail. */
    assert_int_equal(outbox_count("ACCOUNT_VERIFY", "flood@example.com"), 1);
    assert_int_equal(outbox_count("ACCOUNT_EXISTS", "flood@example.com"), 1);
    /* Another e-mail from the same address still works. */
    create("fiona@example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_verify_and_sign_in),
        cmocka_unit_test(verified_email_authorizes_only_the_matching_invitee),
        cmocka_unit_test(mobile_is_verified_by_sms_code_and_authorizes),
        cmocka_unit_test(account_process_refuses_the_code_and_signs_with_an_account),
        cmocka_unit_test(forged_and_replayed_sessions_are_refused),
        cmocka_unit_test(wrong_passwords_lock_the_email),
        cmocka_unit_test(creating_one_email_again_and_again_is_limited),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
