/*
 * Tenant isolation on every Sign API endpoint, in one table: organization B's token (all
 * scopes) asks for each endpoint with organization A's process id (and A's file id or
 * externalIdentifier) and must get the same 404 as for an id that does not exist, so ids
 * cannot be probed; A's process is untouched afterwards. A guard reads src/http/routes.c so
 * that a new /system/api/process route without a row here fails this test.
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

#define ALL_SCOPES  "sswp:process:create sswp:process:read sswp:process:read:all"
#define UNKNOWN_PID "0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b"

static struct server srv;
static char data_dir[256];
static char org_a[64], org_b[64];
static struct client a_full, b_full;
static char a_pid[64], a_file[64], a_team[64];
static char *attach_text; /* a valid FileAttachment body */

static const char process_body[] =
    "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
    "\"invitees\":{\"signers\":["
    "{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-1\",\"firstName\":\"Anna\","
    "\"lastName\":\"Muster\",\"email\":\"anna@example.com\"}]}}";

static const char positions[] = "[{\"signer\":\"crm-1\",\"locator\":\"COORDINATES\","
                                "\"pageNumber\":0,\"positionX\":100,\"positionY\":100}]";

/* One Sign API endpoint: method, path pattern as in routes.c, the path with %1$s = process id
 * and %2$s = file reference, and a body that would be valid for the process's owner. */
struct endpoint {
    const char *method, *pattern, *path, *body;
    long missing; /* the status the contract gives a missing process (404; /record: 409) */
};

static const struct endpoint endpoints[] = {
    {"GET", "/system/api/process/{processId}", PROCESS_PATH "/%s", NULL, 404},
    {"GET", "/system/api/process/{processId}/status", PROCESS_PATH "/%s/status", NULL, 404},
    {"GET", "/system/api/process/{processId}/record", PROCESS_PATH "/%s/record", NULL, 409},
    {"POST", "/system/api/process/{processId}/setup", PROCESS_PATH "/%s/setup", "{}", 404},
    {"POST", "/system/api/process/{processId}/attach", PROCESS_PATH "/%s/attach", "ATTACH", 404},
    {"GET", "/system/api/process/{processId}/file/{fileId}", PROCESS_PATH "/%s/file/%s", NULL, 404},
    {"GET", "/system/api/process/{processId}/file/{fileId}/content",
     PROCESS_PATH "/%s/file/%s/content", NULL, 404},
    {"POST", "/system/api/process/{processId}/release", PROCESS_PATH "/%s/release", "{}", 404},
    {"POST", "/system/api/process/{processId}/open/{personId}", PROCESS_PATH "/%s/open/crm-1", "{}",
     404},
};
#define N_ENDPOINTS (sizeof endpoints / sizeof endpoints[0])

static void call(const struct client *c, const char *method, const char *path, const char *body,
                 struct response *r)
{
    tenant_call(&srv, method, path, c, body, NULL, r);
}

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    tenant_create_org(data_dir, "Acme", "ORGANIZATION", org_a, sizeof org_a);
    tenant_create_org(data_dir, "Bank", "CORPORATE", org_b, sizeof org_b);
    tenant_create_client(data_dir, org_a, ALL_SCOPES, &a_full);
    tenant_create_client(data_dir, org_b, ALL_SCOPES, &b_full);
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    a_full.token = tenant_issue_token(&srv, &a_full);
    b_full.token = tenant_issue_token(&srv, &b_full);
    if (!a_full.token || !b_full.token)
        return -1;
    attach_text = tenant_attach_body("simple-a4.pdf", "offer", positions);
    return attach_text ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    free(b_full.token);
    free(attach_text);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* A's process with one file and a team, made through the API. */
static void make_a_process(void)
{
    struct response r;
    char path[256];
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org_a);
    /* teams come from the admin API: use the CLI-made operator key */
    char key[64], auth[128];
    assert_true(admin_key_create(data_dir, key, sizeof key, NULL, 0));
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    assert_true(http(&srv, "POST", path, h, "{\"name\":\"Legal\"}", 16, &r));
    assert_int_equal(r.status, 201);
    snprintf(a_team, sizeof a_team, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);

    call(&a_full, "POST", PROCESS_PATH, process_body, &r);
    assert_int_equal(r.status, 201);
    snprintf(a_pid, sizeof a_pid, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", a_pid);
    call(&a_full, "POST", path, attach_text, &r);
    if (r.status != 201)
        fprintf(stderr, "attach: %s\n", r.body);
    assert_int_equal(r.status, 201);
    snprintf(a_file, sizeof a_file, "%s", json_string_value(json_object_get(r.json, "fileId")));
    response_free(&r);
}

/* Sends endpoint e as client c for process pid and file reference file. */
static void request_endpoint(const struct client *c, const struct endpoint *e, const char *pid,
                             const char *file, struct response *r)
{
    char path[512];
    if (strstr(e->pattern, "{fileId}"))
        snprintf(path, sizeof path, e->path, pid, file);
    else
        snprintf(path, sizeof path, e->path, pid);
    const char *body = e->body && !strcmp(e->body, "ATTACH") ? attach_text : e->body;
    call(c, e->method, path, body, r);
}

static void every_endpoint_answers_404_for_another_organizations_process(void **state)
{
    (void)state;
    make_a_process();
    const char *files[] = {a_file, "offer"};
    for (size_t i = 0; i < N_ENDPOINTS; i++) {
        const struct endpoint *e = &endpoints[i];
        for (size_t f = 0; f < (strstr(e->pattern, "{fileId}") ? 2u : 1u); f++) {
            struct response theirs, unknown;
            request_endpoint(&b_full, e, a_pid, files[f], &theirs);
            request_endpoint(&b_full, e, UNKNOWN_PID, files[f], &unknown);
            if (theirs.status != e->missing)
                fprintf(stderr, "%s %s as B: %ld %s\n", e->method, e->pattern, theirs.status,
                        theirs.body);
            assert_error_object(&theirs, e->missing, "ProcessNotFound");
            assert_error_object(&unknown, e->missing, "ProcessNotFound");
            /* nothing of A's in the answer, and the same words as for an unknown id */
            assert_null(strstr(theirs.body, "ERP"));
            assert_null(strstr(theirs.body, "Offer"));
            assert_null(strstr(theirs.body, "%PDF"));
            assert_string_equal(json_string_value(json_object_get(theirs.json, "clientSubject")),
                                json_string_value(json_object_get(unknown.json, "clientSubject")));
            response_free(&theirs);
            response_free(&unknown);
        }
    }
    /* A's process is as A left it: not set up, not released, still one file. */
    struct response r;
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/status", a_pid);
    call(&a_full, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "RELEASED"));
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s", a_pid);
    call(&a_full, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "intruder"));
    response_free(&r);
    /* released by A, still nothing for B (open and the reads) */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", a_pid);
    call(&a_full, "POST", path, "{}", &r);
    if (r.status != 200)
        fprintf(stderr, "release: %s\n", r.body);
    assert_int_equal(r.status, 200);
    response_free(&r);
    for (size_t i = 0; i < N_ENDPOINTS; i++) {
        request_endpoint(&b_full, &endpoints[i], a_pid, a_file, &r);
        assert_error_object(&r, endpoints[i].missing, "ProcessNotFound");
        response_free(&r);
    }
}

static void list_and_team_ids_stay_within_the_organization(void **state)
{
    (void)state;
    struct response r;
    call(&b_full, "GET", PROCESS_PATH, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, a_pid));
    response_free(&r);
    char path[256], body[512];
    snprintf(path, sizeof path, PROCESS_PATH "?teamId=%s", a_team);
    call(&b_full, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, a_pid));
    response_free(&r);
    /* A's team is no team of B's: the same refusal as a team that does not exist */
    struct response unknown;
    snprintf(body, sizeof body,
             "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},\"teamId\":\"%s\"}",
             a_team);
    call(&b_full, "POST", PROCESS_PATH, body, &r);
    snprintf(body, sizeof body,
             "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},\"teamId\":\"%s\"}",
             UNKNOWN_PID);
    call(&b_full, "POST", PROCESS_PATH, body, &unknown);
    assert_int_equal(r.status, unknown.status);
    assert_true(r.status == 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "name")),
                        json_string_value(json_object_get(unknown.json, "name")));
    assert_non_null(strstr(r.body, "teamId"));
    response_free(&r);
    response_free(&unknown);
    /* B's own process does not reach A's file */
    call(&b_full, "POST", PROCESS_PATH, process_body, &r);
    assert_int_equal(r.status, 201);
    char b_pid[64];
    snprintf(b_pid, sizeof b_pid, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", b_pid, a_file);
    call(&b_full, "GET", path, NULL, &r);
    assert_error_object(&r, 404, "FileNotFound");
    response_free(&r);
}

/* Every /system/api/process route in src/http/routes.c has a row in endpoints[] (or is the
 * collection route, tested above). */
static void every_process_route_is_in_the_table(void **state)
{
    (void)state;
    const char *src = getenv("SIGNET_SOURCE_DIR");
    assert_non_null(src);
    char file[512];
    snprintf(file, sizeof file, "%s/src/http/routes.c", src);
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    char line[512];
    size_t seen = 0;
    while (fgets(line, sizeof line, f)) {
        char method[16], pattern[256];
        const char *p = strstr(line, "{\"");
        const char *q = p ? strstr(p, "\", \"/system/api/process") : NULL;
        if (!q || (size_t)(q - p - 2) >= sizeof method)
            continue;
        snprintf(method, sizeof method, "%.*s", (int)(q - p - 2), p + 2);
        const char *start = q + 4, *end = strchr(start, '"');
        assert_non_null(end);
        snprintf(pattern, sizeof pattern, "%.*s", (int)(end - start), start);
        if (!strcmp(pattern, "/system/api/process"))
            continue; /* create and list: list_and_team_ids_stay_within_the_organization */
        bool found = false;
        for (size_t i = 0; i < N_ENDPOINTS; i++)
            found = found || (!strcmp(endpoints[i].method, method) &&
                              !strcmp(endpoints[i].pattern, pattern));
        if (!found)
            fprintf(stderr, "route %s %s has no isolation case in tenant_isolation_test.c\n",
                    method, pattern);
        assert_true(found);
        seen++;
    }
    fclose(f);
    assert_int_equal(seen, N_ENDPOINTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_endpoint_answers_404_for_another_organizations_process),
        cmocka_unit_test(list_and_team_ids_stay_within_the_organization),
        cmocka_unit_test(every_process_route_is_in_the_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
