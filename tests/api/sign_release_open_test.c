/*
 * Sign API v2 release and open seen from outside: create → attach (corpus simple-a4.pdf,
 * COORDINATES) → release 200 with a URL per participant → release again 208 with the same
 * URLs → open by id and by externalIdentifier, TEMPORARY and PERMANENT, with a one-time code;
 * every precondition's 409 names it; bad durations and dates 400; reminders with suppress ALL
 * 409; signature methods not allowed 409 naming them; attach after release 409; organization B
 * cannot release or open A's process; the URL tokens are not in the database in clear.
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read"

static struct server srv;
static char data_dir[256];
static char org_a[128], org_b[128];
static struct client a_full, b_full;

/* ---- helpers ---- */

static void create_org(const char *name, char *id, size_t id_len)
{
    tenant_create_org(data_dir, name, "ORGANIZATION", id, id_len);
}

static void create_client(const char *org, struct client *c)
{
    tenant_create_client(data_dir, org, ALL_SCOPES, c);
}

static char *issue_token(const struct client *c)
{
    return tenant_issue_token(&srv, c);
}

static void call(const char *method, const char *path, const struct client *c, const char *body,
                 struct response *r)
{
    tenant_call(&srv, method, path, c, body, NULL, r);
}

/* Two signers: "crm-1" (index 0, tag \s1\) and "crm-2" (index 1, tag \s2\). */
static const char process_body[] =
    "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
    "\"invitees\":{\"signers\":["
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
    "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"},"
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-2\",\"firstName\":\"Ben\","
    "\"lastName\":\"Beispiel\",\"email\":\"ben@example.com\"}]}}";

static void create_process(const struct client *c, char *id, size_t id_len)
{
    struct response r;
    call("POST", PROCESS_PATH, c, process_body, &r);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
}

/* A FileAttachment body: the corpus file (or raw base64 text when b64 is given), positions a
 * JSON array text (or NULL). Owned string. */
static char *attach_body(const char *file, const char *b64, const char *name,
                         const char *content_type, const char *ext_id, const char *positions)
{
    char *enc = NULL;
    if (!b64) {
        size_t len;
        unsigned char *data = corpus(file, &len);
        enc = b64_std(data, len);
        free(data);
        assert_non_null(enc);
    }
    json_t *o = json_pack("{s:s, s:s, s:s}", "name", name, "contentType", content_type, "content",
                          b64 ? b64 : enc);
    free(enc);
    if (ext_id)
        json_object_set_new(o, "externalIdentifier", json_string(ext_id));
    if (positions)
        json_object_set_new(o, "signaturePositions", json_loads(positions, 0, NULL));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static void attach(const struct client *c, const char *process_id, const char *body,
                   struct response *r)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", process_id);
    call("POST", path, c, body, r);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    create_org("Acme", org_a, sizeof org_a);
    create_org("Other", org_b, sizeof org_b);
    create_client(org_a, &a_full);
    create_client(org_b, &b_full);
    const char *args[] = {"--max-body", "62914560", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = issue_token(&a_full);
    b_full.token = issue_token(&b_full);
    return a_full.token && b_full.token ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    free(b_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- helpers of this file ---- */

static const char pos_1[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                            "\"pageNumber\":0,\"positionX\":100,\"positionY\":100}]";
static const char pos_2[] = "[{\"signer\":\"crm-2\",\"locator\":\"COORDINATES\","
                            "\"pageNumber\":0,\"positionX\":100,\"positionY\":300}]";
static const char pos_both[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                               "\"pageNumber\":0,\"positionX\":100,\"positionY\":100},"
                               "{\"signer\":\"crm-2\",\"locator\":\"COORDINATES\","
                               "\"pageNumber\":0,\"positionX\":100,\"positionY\":300}]";

static void attach_ok(const char *pid, const char *positions)
{
    struct response r;
    char *body =
        attach_body("simple-a4.pdf", NULL, "Offer.pdf", "application/pdf", NULL, positions);
    attach(&a_full, pid, body, &r);
    free(body);
    if (r.status != 201)
        fprintf(stderr, "attach: %s\n", r.body);
    assert_int_equal(r.status, 201);
    response_free(&r);
}

static void release(const struct client *c, const char *pid, const char *body, struct response *r)
{
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", pid);
    call("POST", path, c, body, r);
}

/* Releases and expects `status` with an Error `name` whose body contains every needle. */
static void release_expect(const char *pid, const char *body, long status, const char *name,
                           const char *const *needles)
{
    struct response r;
    release(&a_full, pid, body, &r);
    bool ok = r.status == status;
    for (size_t i = 0; needles && needles[i]; i++)
        ok = ok && strstr(r.body, needles[i]) != NULL;
    if (!ok)
        fprintf(stderr, "release %s: expected %ld, got %ld: %s\n", body ? body : "(none)", status,
                r.status, r.body);
    assert_true(ok);
    if (name)
        assert_error_object(&r, status, name);
    response_free(&r);
}

static void open_person(const struct client *c, const char *pid, const char *person,
                        const char *body, struct response *r)
{
    char path[512];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/open/%s", pid, person);
    call("POST", path, c, body, r);
}

/* Everything the server's database holds as text (test_db_dump), owned. */
static char *db_dump(void)
{
    char *buf = test_db_dump(data_dir);
    assert_non_null(buf);
    assert_true(strlen(buf) > 1000);
    return buf;
}

/* ---- tests ---- */

static void release_then_again_same_urls_then_open(void **state)
{
    (void)state;
    char pid[64];
    struct response r;
    create_process(&a_full, pid, sizeof pid);
    attach_ok(pid, pos_both);

    release(&a_full, pid,
            "{\"notification\":{\"locale\":\"de-CH\","
            "\"suppress\":[\"INVITE\"],\"reminder\":{\"interval\":\"P3D\","
            "\"beforeExpiry\":[\"P7D\",\"P2D\"]}},\"signatureMethods\":[\"APP\",\"OSS\"]}",
            &r);
    /* OSS is for corporate tenants: this organization is an ORGANIZATION. */
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "OSS"));
    response_free(&r);

    const char *good = "{\"notification\":{\"locale\":\"de-CH\",\"suppress\":[\"INVITE\"],"
                       "\"reminder\":{\"interval\":\"P3D\",\"beforeExpiry\":[\"P7D\",\"P2D\"]}},"
                       "\"signatureMethods\":[\"APP\"]}";
    release(&a_full, pid, good, &r);
    if (r.status != 200)
        fprintf(stderr, "release: %s\n", r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), pid);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "PENDING");
    json_t *parts = json_object_get(r.json, "participants");
    assert_int_equal(json_array_size(parts), 2); /* the NON_PERSON initiator gets none */
    char url1[512], url2[512], id1[64];
    snprintf(url1, sizeof url1, "%s",
             json_string_value(json_object_get(json_array_get(parts, 0), "url")));
    snprintf(url2, sizeof url2, "%s",
             json_string_value(json_object_get(json_array_get(parts, 1), "url")));
    snprintf(id1, sizeof id1, "%s",
             json_string_value(json_object_get(json_array_get(parts, 0), "id")));
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(parts, 0), "externalIdentifier")),
        "crm-1");
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s/ui/sign/", srv.base);
    assert_true(!strncmp(url1, prefix, strlen(prefix)));
    assert_true(strlen(url1) - strlen(prefix) >= 43); /* 256-bit token, base64url */
    assert_string_not_equal(url1, url2);
    response_free(&r);

    /* The status moved to PENDING. */
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "status")), "PENDING");
    response_free(&r);

    /* Again: 208 with the same URLs, whatever the body. */
    release(&a_full, pid, NULL, &r);
    assert_int_equal(r.status, 208);
    parts = json_object_get(r.json, "participants");
    assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 0), "url")), url1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 1), "url")), url2);
    response_free(&r);

    /* Attach after release: 409. */
    char *body = attach_body("simple-a4.pdf", NULL, "Late.pdf", "application/pdf", NULL, pos_1);
    attach(&a_full, pid, body, &r);
    free(body);
    assert_int_equal(r.status, 409);
    response_free(&r);

    /* Open by id, TEMPORARY (default), with a one-time code. */
    open_person(&a_full, pid, id1, "{\"language\":\"en-GB\",\"skipAuthorization\":true}", &r);
    if (r.status != 200)
        fprintf(stderr, "open: %s\n", r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), pid);
    const char *u = json_string_value(json_object_get(r.json, "url"));
    snprintf(prefix, sizeof prefix, "%s/ui/open/", srv.base);
    assert_true(!strncmp(u, prefix, strlen(prefix)));
    assert_non_null(strstr(u, "?code="));
    char temp_url[512];
    snprintf(temp_url, sizeof temp_url, "%s", u);
    response_free(&r);

    /* Open by externalIdentifier, PERMANENT: the participant's permanent URL. */
    open_person(&a_full, pid, "crm-2",
                "{\"lifecycle\":\"PERMANENT\",\"backUrl\":\"https://erp.example/back\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "url")), url2);
    response_free(&r);
    open_person(&a_full, pid, "crm-1", "{\"lifecycle\":\"TEMPORARY\"}", &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(json_string_value(json_object_get(r.json, "url")), "?code="));
    response_free(&r);

    /* Unknown person: 404; bad lifecycle: 400. */
    open_person(&a_full, pid, "nobody", "{}", &r);
    assert_error_object(&r, 404, "ParticipantNotFound");
    response_free(&r);
    open_person(&a_full, pid, "crm-1", "{\"lifecycle\":\"FOREVER\"}", &r);
    assert_error_object(&r, 400, "Validation");
    assert_non_null(strstr(r.body, "lifecycle"));
    response_free(&r);

    /* The audit trail has the release and the opens. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", pid);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "release"));
    assert_non_null(strstr(r.body, "open"));
    response_free(&r);

    /* No token or code in clear in the database. */
    char *dump = db_dump();
    const char *tokens[] = {strrchr(url1, '/') + 1, strrchr(url2, '/') + 1,
                            strstr(temp_url, "?code=") + 6};
    char temp_token[128];
    snprintf(temp_token, sizeof temp_token, "%s", strrchr(temp_url, '/') + 1);
    *strchr(temp_token, '?') = '\0';
    for (size_t i = 0; i < 3; i++)
        assert_null(strstr(dump, tokens[i]));
    assert_null(strstr(dump, temp_token));
    assert_non_null(strstr(dump, "participant_links"));
    free(dump);
}

static void open_before_release_is_409(void **state)
{
    (void)state;
    char pid[64];
    struct response r;
    create_process(&a_full, pid, sizeof pid);
    open_person(&a_full, pid, "crm-1", "{}", &r);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(r.body, "not released"));
    response_free(&r);
}

static void each_precondition_is_named(void **state)
{
    (void)state;
    char pid[64];
    create_process(&a_full, pid, sizeof pid);
    release_expect(pid, NULL, 409, "PreconditionFailed",
                   (const char *[]){"DOCUMENT_REQUIRED", NULL});
    attach_ok(pid, pos_1);
    release_expect(
        pid, NULL, 409, "PreconditionFailed",
        (const char *[]){"SIGNER_NOT_PLACED", "crm-2", "NO_DOCUMENT_WITH_ALL_SIGNERS", NULL});
    attach_ok(pid, pos_2);
    struct response r;
    release(&a_full, pid, NULL, &r);
    assert_int_equal(r.status, 409);
    assert_non_null(strstr(r.body, "NO_DOCUMENT_WITH_ALL_SIGNERS"));
    assert_null(strstr(r.body, "SIGNER_NOT_PLACED"));
    response_free(&r);
    attach_ok(pid, pos_both);
    release_expect(pid, "{}", 200, NULL, NULL);
}

static void bad_requests_are_refused(void **state)
{
    (void)state;
    char pid[64];
    create_process(&a_full, pid, sizeof pid);
    attach_ok(pid, pos_both);
    static const struct {
        const char *body;
        long status;
        const char *needle;
    } cases[] = {
        {"{\"notification\":{\"locale\":\"de-CH\",\"reminder\":{\"interval\":\"3 days\"}}}", 400,
         "notification.reminder.interval"},
        {"{\"notification\":{\"locale\":\"de-CH\",\"reminder\":{\"interval\":\"PT1H\"}}}", 400,
         "P1D and P30D"},
        {"{\"notification\":{\"locale\":\"de-CH\",\"reminder\":{\"interval\":\"P31D\"}}}", 400,
         "P1D and P30D"},
        {"{\"notification\":{\"locale\":\"de-CH\",\"reminder\":{\"beforeExpiry\":[\"P2D\","
         "\"P\"]}}}",
         400, "beforeExpiry[1]"},
        {"{\"notification\":{\"locale\":\"xx-XX\"}}", 400, "notification.locale"},
        {"{\"notification\":{\"suppress\":[\"ALL\"]}}", 400, "notification.locale"},
        {"{\"notification\":{\"locale\":\"de-CH\",\"suppress\":[\"NEVER\"]}}", 400, "suppress[0]"},
        {"{\"validUntil\":\"2020-01-01T00:00:00Z\"}", 400, "validUntil"},
        {"{\"validUntil\":\"2999-01-01T00:00:00Z\"}", 400, "validUntil"},
        {"{\"validUntil\":\"tomorrow\"}", 400, "validUntil"},
        {"{\"signatureMethods\":[\"FAX\"]}", 400, "signatureMethods[0]"},
        {"{\"signatureMethods\":[\"APP\",\"APP\"]}", 400, "signatureMethods"},
        {"{\"surprise\":1}", 400, "surprise"},
        {"{\"notification\":{\"locale\":\"de-CH\",\"suppress\":[\"ALL\"],"
         "\"reminder\":{\"interval\":\"P3D\"}}}",
         409, "suppress"},
        /* The process is QUALIFIED (the default): CLICK is for SIMPLE only. */
        {"{\"signatureMethods\":[\"APP\",\"CLICK\"]}", 409, "CLICK"},
        {"{\"signatureMethods\":[\"PASSKEY\"]}", 409, "PASSKEY"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        release_expect(pid, cases[i].body, cases[i].status,
                       cases[i].status == 400 ? "Validation" : "Conflict",
                       (const char *[]){cases[i].needle, NULL});
    /* Still CREATED: a valid release passes afterwards (validUntil in 60 days). */
    char body[256], until[32];
    time_t t = time(NULL) + 60 * 24 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(body, sizeof body, "{\"validUntil\":\"%s\",\"language\":\"fr-CH\"}", until);
    release_expect(pid, body, 200, NULL, NULL);
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", pid);
    struct response r;
    call("GET", path, &a_full, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "validUntil")), until);
    response_free(&r);
}

static void other_organization_cannot_release_or_open(void **state)
{
    (void)state;
    char pid[64];
    struct response r;
    create_process(&a_full, pid, sizeof pid);
    attach_ok(pid, pos_both);
    release(&b_full, pid, NULL, &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    release_expect(pid, NULL, 200, NULL, NULL);
    release(&b_full, pid, NULL, &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    open_person(&b_full, pid, "crm-1", "{}", &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(release_then_again_same_urls_then_open),
        cmocka_unit_test(open_before_release_is_409),
        cmocka_unit_test(each_precondition_is_named),
        cmocka_unit_test(bad_requests_are_refused),
        cmocka_unit_test(other_organization_cannot_release_or_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
