/*
 * The setup page's HTTP surface (docs/setup-page.md), driven over HTTP against the real binary
 * like the page script does (cookie, X-CSRF-Token):
 *   - an unknown setup link: 404 page that clears the cookie; a valid one: the page with CSP,
 *     X-Frame-Options DENY and an HttpOnly SameSite=Strict session cookie;
 *   - the API needs the cookie, every POST the session's CSRF token;
 *   - editing signers: validation errors name the field (as create validates a Signer); a
 *     second signer is added and the first renamed;
 *   - positions: off the page refused as attach refuses it; a document of another process is
 *     not found (the session is bound to its process);
 *   - release: preconditions answered by name (SIGNER_NOT_PLACED), a method the level forbids
 *     refused, then released: GET /system/api/process/{id} shows PENDING with the chosen level,
 *     both signers and the positions set on the page; afterwards the page says RELEASED and
 *     refuses changes;
 *   - a newer setup link revokes the older link's sessions.
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"

static struct server srv;
static char data_dir[256];
static char org_a[128];
static struct client cl;

struct browser {
    char cookie[128];
    char csrf[128];
};

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Org A", "ORGANIZATION", org_a, sizeof org_a);
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

/* A CREATED process with signer crm-a and simple-a4.pdf carrying crm-a's box. */
static void create_process(char id[64], char a_id[64], char doc_id[64])
{
    struct response r;
    tenant_call(&srv, "POST", PROCESS_PATH, &cl,
                "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},\"invitees\":{"
                "\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\","
                "\"firstName\":\"Anna\",\"lastName\":\"Muster\",\"email\":\"anna@example.com\"}]}}",
                NULL, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, 64, "%s", xs(r.json, "id"));
    json_t *s0 = json_array_get(json_object_get(json_object_get(r.json, "invitees"), "signers"), 0);
    snprintf(a_id, 64, "%s", xs(s0, "identification"));
    response_free(&r);
    char *body = tenant_attach_body(
        "simple-a4.pdf", "offer",
        "[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", id);
    tenant_call(&srv, "POST", path, &cl, body, NULL, &r);
    free(body);
    assert_int_equal(r.status, 201);
    snprintf(doc_id, 64, "%s", xs(r.json, "fileId"));
    response_free(&r);
}

/* POST …/setup; the URL's path (/ui/setup/…) into out. */
static void setup_link(const char *id, char out[256])
{
    char path[256];
    struct response r;
    snprintf(path, sizeof path, PROCESS_PATH "/%s/setup", id);
    tenant_call(&srv, "POST", path, &cl, "{\"language\":\"de-CH\"}", NULL, &r);
    assert_int_equal(r.status, 202);
    const char *tail = strstr(xs(r.json, "url"), "/ui/setup/");
    assert_non_null(tail);
    snprintf(out, 256, "%s", tail);
    response_free(&r);
}

/* Opens link (expects 200) into *b: cookie and CSRF token. */
static void open_page(const char *link, struct browser *b)
{
    struct response r;
    char h[512];
    assert_true(http(&srv, "GET", link, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    assert_true(response_header(&r, "Set-Cookie", h, sizeof h));
    assert_non_null(strstr(h, "HttpOnly"));
    assert_non_null(strstr(h, "SameSite=Strict"));
    assert_non_null(strstr(h, "Path=/ui"));
    const char *v = strstr(h, "signet_setup=");
    assert_non_null(v);
    v += strlen("signet_setup=");
    size_t n = strcspn(v, ";");
    assert_true(n > 0 && n < sizeof b->cookie - 16);
    snprintf(b->cookie, sizeof b->cookie, "signet_setup=%.*s", (int)n, v);
    assert_true(response_header(&r, "Content-Security-Policy", h, sizeof h));
    assert_non_null(strstr(h, "frame-ancestors 'none'"));
    assert_null(strstr(h, "unsafe-inline"));
    assert_true(response_header(&r, "X-Frame-Options", h, sizeof h));
    assert_string_equal(h, "DENY");
    assert_non_null(strstr(r.body, "setup.js"));
    response_free(&r);
    b->csrf[0] = '\0';
}

/* A page API call with the browser's cookie (and CSRF token unless csrf is NULL: b's). */
static void call(const struct browser *b, const char *method, const char *path, const char *body,
                 const char *csrf, struct response *r)
{
    char cookie[192], token[192], full[256];
    snprintf(cookie, sizeof cookie, "Cookie: %s", b->cookie);
    snprintf(token, sizeof token, "X-CSRF-Token: %s", csrf ? csrf : b->csrf);
    snprintf(full, sizeof full, "/ui/api/setup%s", path);
    const char *headers[] = {cookie, token, "Content-Type: application/json", NULL};
    assert_true(http(&srv, method, full, headers, body, body ? strlen(body) : 0, r));
}

static json_t *page_state(struct browser *b)
{
    struct response r;
    call(b, "GET", "", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(b->csrf, sizeof b->csrf, "%s", xs(r.json, "csrfToken"));
    json_t *st = json_incref(r.json);
    response_free(&r);
    return st;
}

static void expect(const struct browser *b, const char *path, const char *body, long status,
                   const char *name, const char *in_message)
{
    struct response r;
    call(b, "POST", path, body, NULL, &r);
    if (r.status != status)
        fprintf(stderr, "POST %s %s: %ld %s\n", path, body, r.status, r.body);
    if (name)
        assert_error_object(&r, status, name);
    else
        assert_int_equal(r.status, status);
    if (in_message) {
        const char *m = xs(r.json, "message");
        if (!m || !strstr(m, in_message))
            fprintf(stderr, "expected '%s' in '%s'\n", in_message, m ? m : "(none)");
        assert_non_null(m);
        assert_non_null(strstr(m, in_message));
    }
    response_free(&r);
}

static void test_setup_page(void **state)
{
    (void)state;
    char id[64], a_id[64], doc_id[64], link[256], path[512], body[2048];
    create_process(id, a_id, doc_id);
    setup_link(id, link);

    /* An unknown link: the page (404) that clears any cookie. */
    struct response r;
    char h[512];
    assert_true(http(&srv, "GET", "/ui/setup/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
                     NULL, 0, &r));
    assert_int_equal(r.status, 404);
    assert_true(response_header(&r, "Set-Cookie", h, sizeof h));
    assert_non_null(strstr(h, "Max-Age=0"));
    response_free(&r);

    struct browser b;
    open_page(link, &b);
    /* No cookie: 401. */
    assert_true(http(&srv, "GET", "/ui/api/setup", NULL, NULL, 0, &r));
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);

    json_t *st = page_state(&b);
    assert_string_equal(xs(st, "state"), "SETUP");
    assert_string_equal(xs(st, "language"), "de-CH");
    json_t *doc = json_array_get(json_object_get(st, "documents"), 0);
    assert_string_equal(xs(doc, "id"), doc_id);
    json_t *pg = json_array_get(json_object_get(doc, "pages"), 0);
    assert_true(json_real_value(json_object_get(pg, "width")) > 590);
    assert_int_equal(json_array_size(json_object_get(st, "signers")), 1);
    json_decref(st);

    /* The preview of page 1 is a PNG; page 2 does not exist. */
    snprintf(path, sizeof path, "/document/%s/page/0?width=200", doc_id);
    call(&b, "GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 8 && !memcmp(r.body, "\x89PNG", 4));
    response_free(&r);
    snprintf(path, sizeof path, "/document/%s/page/1", doc_id);
    call(&b, "GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);

    /* CSRF: missing and wrong tokens are refused. */
    const char *ok_signers_fmt =
        "{\"signers\":[{\"id\":\"%s\",\"firstName\":\"Anna\",\"lastName\":\"Meier\","
        "\"email\":\"anna@example.com\"},{\"firstName\":\"Beat\",\"lastName\":\"Beispiel\","
        "\"email\":\"%s\",\"mobile\":\"%s\"}]}";
    snprintf(body, sizeof body, ok_signers_fmt, a_id, "beat@example.com", "+41791234567");
    call(&b, "POST", "/signers", body, "", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call(&b, "POST", "/signers", body, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);

    /* Validation as in create, naming the field. */
    snprintf(body, sizeof body, ok_signers_fmt, a_id, "not-an-address", "+41791234567");
    expect(&b, "/signers", body, 400, "Validation", "signers[1].email");
    snprintf(body, sizeof body, ok_signers_fmt, a_id, "beat@example.com", "0791234567");
    expect(&b, "/signers", body, 400, "Validation", "signers[1].mobile");
    expect(&b, "/signers", "{\"signers\":[{\"firstName\":\"Beat\"}]}", 400, "Validation",
           "signers[0].lastName");
    expect(&b, "/signers",
           "{\"signers\":[{\"id\":\"00000000-0000-4000-8000-000000000000\",\"firstName\":\"X\","
           "\"lastName\":\"Y\"}]}",
           400, "Validation", "signers[0].id");
    snprintf(body, sizeof body, ok_signers_fmt, a_id, "beat@example.com", "+41791234567");
    expect(&b, "/signers", body, 200, NULL, NULL);

    st = page_state(&b);
    json_t *signers = json_object_get(st, "signers");
    assert_int_equal(json_array_size(signers), 2);
    assert_string_equal(xs(json_array_get(signers, 0), "id"), a_id);
    assert_string_equal(xs(json_array_get(signers, 0), "lastName"), "Meier");
    assert_string_equal(xs(json_array_get(signers, 0), "externalIdentifier"), "crm-a");
    char b_id[64];
    snprintf(b_id, sizeof b_id, "%s", xs(json_array_get(signers, 1), "id"));
    /* crm-a's attach position was kept. */
    doc = json_array_get(json_object_get(st, "documents"), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "signaturePositions")), 1);
    json_decref(st);

    /* Release: B has no field yet. */
    expect(&b, "/release", "{\"signatureLevel\":\"SIMPLE\"}", 409, "PreconditionFailed",
           "SIGNER_NOT_PLACED");

    /* Positions: off the page (595 pt wide: 500 + 180 is beyond), an unknown signer, another
     * process's document. */
    snprintf(body, sizeof body,
             "{\"documentId\":\"%s\",\"signaturePositions\":[{\"signer\":\"%s\",\"pageNumber\":0,"
             "\"positionX\":500,\"positionY\":100}]}",
             doc_id, b_id);
    expect(&b, "/positions", body, 400, "Validation", "does not fit on page 0");
    snprintf(body, sizeof body,
             "{\"documentId\":\"%s\",\"signaturePositions\":[{\"signer\":\"%s\",\"pageNumber\":3,"
             "\"positionX\":10,\"positionY\":10}]}",
             doc_id, b_id);
    expect(&b, "/positions", body, 400, "Validation", "has no page 3");
    snprintf(
        body, sizeof body,
        "{\"documentId\":\"%s\",\"signaturePositions\":[{\"signer\":\"crm-x\",\"pageNumber\":0,"
        "\"positionX\":10,\"positionY\":10}]}",
        doc_id);
    expect(&b, "/positions", body, 400, "Validation", "signaturePositions[0].signer");
    char id2[64], a2[64], doc2[64];
    create_process(id2, a2, doc2);
    snprintf(body, sizeof body,
             "{\"documentId\":\"%s\",\"signaturePositions\":[{\"signer\":\"%s\",\"pageNumber\":0,"
             "\"positionX\":10,\"positionY\":10}]}",
             doc2, a_id);
    expect(&b, "/positions", body, 404, "FileNotFound", NULL);
    snprintf(path, sizeof path, "/document/%s/page/0", doc2);
    call(&b, "GET", path, NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    response_free(&r);

    snprintf(body, sizeof body,
             "{\"documentId\":\"%s\",\"signaturePositions\":["
             "{\"signer\":\"%s\",\"pageNumber\":0,\"positionX\":72,\"positionY\":650},"
             "{\"signer\":\"%s\",\"pageNumber\":0,\"positionX\":330,\"positionY\":650}]}",
             doc_id, a_id, b_id);
    expect(&b, "/positions", body, 200, NULL, NULL);

    /* A method the level does not allow; an unknown level; then the release. */
    expect(&b, "/release",
           "{\"signatureLevel\":\"SIMPLE\",\"release\":{\"signatureMethods\":[\"SMS\"]}}", 409,
           "Conflict", "SMS not allowed for signatureLevel SIMPLE");
    expect(&b, "/release", "{\"signatureLevel\":\"BEST\"}", 400, "Validation", "signatureLevel");
    expect(&b, "/release", "{\"release\":{\"validUntil\":\"2001-01-01T00:00:00Z\"}}", 400,
           "Validation", "validUntil");
    expect(&b, "/release",
           "{\"signatureLevel\":\"SIMPLE\",\"release\":{\"signatureMethods\":[\"CLICK\"]}}", 200,
           NULL, NULL);

    /* The process as the API sees it: released with the page's choices. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s", id);
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "PENDING");
    assert_string_equal(xs(r.json, "signatureLevel"), "SIMPLE");
    signers = json_object_get(json_object_get(r.json, "invitees"), "signers");
    assert_int_equal(json_array_size(signers), 2);
    assert_string_equal(xs(json_array_get(signers, 0), "lastName"), "Meier");
    assert_string_equal(xs(json_array_get(signers, 1), "email"), "beat@example.com");
    assert_string_equal(xs(json_array_get(signers, 1), "status"), "PENDING");
    json_t *refs = json_object_get(r.json, "fileReferences");
    json_t *pos = json_object_get(json_array_get(refs, 0), "signaturePositions");
    assert_int_equal(json_array_size(pos), 2);
    assert_string_equal(xs(json_array_get(pos, 0), "signer"), "crm-a");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(pos, 0), "positionX")), 72);
    assert_string_equal(xs(json_array_get(pos, 1), "signer"), b_id);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(pos, 1), "positionY")), 650);
    response_free(&r);

    /* Afterwards: RELEASED, no more changes, also from a new session of the same link. */
    st = page_state(&b);
    assert_string_equal(xs(st, "state"), "RELEASED");
    json_decref(st);
    snprintf(body, sizeof body, ok_signers_fmt, a_id, "beat@example.com", "+41791234567");
    expect(&b, "/signers", body, 409, "Conflict", "PENDING");
    struct browser b2;
    open_page(link, &b2);
    st = page_state(&b2);
    assert_string_equal(xs(st, "state"), "RELEASED");
    json_decref(st);

    /* The audit trail has the page's edits. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", id);
    tenant_call(&srv, "GET", path, &cl, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "SIGNERS"));
    assert_non_null(strstr(r.body, "POSITIONS"));
    response_free(&r);
}

static void test_newer_link_revokes(void **state)
{
    (void)state;
    char id[64], a_id[64], doc_id[64], first[256], second[256];
    create_process(id, a_id, doc_id);
    setup_link(id, first);
    struct browser b;
    open_page(first, &b);
    json_decref(page_state(&b));
    setup_link(id, second);
    struct response r;
    call(&b, "GET", "", NULL, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
    assert_true(http(&srv, "GET", first, NULL, NULL, 0, &r));
    assert_int_equal(r.status, 404);
    response_free(&r);
    struct browser b2;
    open_page(second, &b2);
    json_t *st = page_state(&b2);
    assert_string_equal(xs(st, "state"), "SETUP");
    json_decref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_setup_page),
        cmocka_unit_test(test_newer_link_revokes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
