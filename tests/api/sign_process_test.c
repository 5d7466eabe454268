/*
 * Sign API v2 processes seen from outside: create (minimal and full bodies, every validation
 * rule, malformed JSON, authentication and scope), the Idempotency-Key replay, get / status /
 * record, and tenant isolation: organization B never sees organization A's processes.
 * Organization A is an ORGANIZATION tenant, B a CORPORATE one (GwG verification allowed).
 */
#include "tenant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define ALL_SCOPES "sswp:process:create sswp:process:read"

static struct server srv;
static char data_dir[256];
static char admin_key[256];
static char org_a[128], org_b[128];
static char team_a[128];
static struct client a_full, a_reader, b_full;

/* ---- helpers ---- */

static void create_org(const char *name, const char *type, char *id, size_t id_len)
{
    tenant_create_org(data_dir, name, type, id, id_len);
}

static void create_client(const char *org, const char *scopes, struct client *c)
{
    tenant_create_client(data_dir, org, scopes, c);
}

static char *issue_token(const struct client *c)
{
    return tenant_issue_token(&srv, c);
}

static void call(const char *method, const char *path, const struct client *c, const char *body,
                 const char *idem_key, struct response *r)
{
    tenant_call(&srv, method, path, c, body, idem_key, r);
}

static const char *jstr(json_t *j, const char *path)
{
    /* "a.b.c" with numeric parts as array indexes */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = j;
    for (char *part = buf, *dot; part && cur; part = dot ? dot + 1 : NULL) {
        dot = strchr(part, '.');
        if (dot)
            *dot = '\0';
        if (json_is_array(cur))
            cur = json_array_get(cur, strtoul(part, NULL, 10));
        else
            cur = json_object_get(cur, part);
    }
    return json_string_value(cur);
}

/* Creates a process for c and copies its id; asserts 201. */
static void create_process(const struct client *c, const char *body, char *id, size_t id_len)
{
    struct response r;
    call("POST", PROCESS_PATH, c, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "create failed: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", jstr(r.json, "id"));
    response_free(&r);
}

static const char minimal_body[] = "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"}}";

static int setup(void **state)
{
    (void)state;
    if (!make_data_dir(data_dir, sizeof data_dir))
        return -1;
    create_org("Acme", "ORGANIZATION", org_a, sizeof org_a);
    create_org("Bank", "CORPORATE", org_b, sizeof org_b);
    create_client(org_a, ALL_SCOPES, &a_full);
    create_client(org_a, "sswp:process:read", &a_reader);
    create_client(org_b, ALL_SCOPES, &b_full);
    if (!admin_key_create(data_dir, admin_key, sizeof admin_key, NULL, 0))
        return -1;
    if (!server_start(&srv, data_dir, NULL))
        return -1;
    a_full.token = issue_token(&a_full);
    a_reader.token = issue_token(&a_reader);
    b_full.token = issue_token(&b_full);
    if (!a_full.token || !a_reader.token || !b_full.token)
        return -1;
    /* A team of organization A, through the admin API. */
    char path[256], auth[512];
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org_a);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin_key);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    const char body[] = "{\"name\":\"Legal\"}";
    struct response r;
    if (!http(&srv, "POST", path, h, body, strlen(body), &r) || r.status != 201)
        return -1;
    snprintf(team_a, sizeof team_a, "%s", json_string_value(json_object_get(r.json, "id")));
    response_free(&r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    free(a_reader.token);
    free(b_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void minimal_create_fills_defaults(void **state)
{
    (void)state;
    struct response r;
    call("POST", PROCESS_PATH, &a_full, minimal_body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body);
    assert_int_equal(r.status, 201);
    json_t *j = r.json;
    assert_int_equal(strlen(jstr(j, "id")), 36);
    assert_string_equal(jstr(j, "status"), "CREATED");
    assert_string_equal(jstr(j, "signatureLevel"), "QUALIFIED");
    assert_string_equal(jstr(j, "initiator.type"), "NON_PERSON");
    assert_string_equal(jstr(j, "initiator.name"), "ERP");
    assert_int_equal(strlen(jstr(j, "initiator.identification")), 36);
    assert_non_null(jstr(j, "createdDate"));
    assert_non_null(jstr(j, "lastModifiedDate"));
    assert_non_null(jstr(j, "validUntil"));
    assert_true(strcmp(jstr(j, "validUntil"), jstr(j, "createdDate")) > 0);
    assert_int_equal(json_array_size(json_object_get(j, "properties")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "fileReferences")), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "invitees"), "signers")),
                     0);
    /* writeOnly: never returned */
    assert_null(json_object_get(j, "authorization"));
    response_free(&r);
}

static void full_create_returns_the_whole_process(void **state)
{
    (void)state;
    char body[4096];
    snprintf(
        body, sizeof body,
        "{\"id\":\"ignored\",\"status\":\"COMPLETED\",\"createdDate\":\"2000-01-01T00:00:00Z\","
        "\"signatureLevel\":\"ADVANCED\",\"authorization\":\"ACCOUNT\",\"teamId\":\"%s\","
        "\"payload\":\"{\\\"order\\\":42}\","
        "\"properties\":[{\"key\":\"dept\",\"value\":\"HR\"},{\"key\":\"k2\",\"value\":\"\"}],"
        "\"initiator\":{\"type\":\"SIGNER\",\"firstName\":\"Anna\",\"lastName\":\"Muster\","
        "\"email\":\"anna@example.ch\",\"mobile\":\"+41791234567\",\"role\":\"CEO\","
        "\"externalIdentifier\":\"emp-1\",\"status\":\"SIGNED\","
        "\"identification\":\"11111111-1111-4111-8111-111111111111\"},"
        "\"invitees\":{\"personalMessage\":\"Please <b>sign</b> today\","
        "\"signers\":[{\"type\":\"SIGNER\",\"firstName\":\"Jörg\",\"lastName\":\"Zürcher\","
        "\"email\":\"j.z@example.com\",\"externalIdentifier\":\"emp-2\"},"
        "{\"type\":\"SIGNER\",\"firstName\":\"Li\",\"lastName\":\"Wei\"}]}}",
        team_a);
    struct response r;
    call("POST", PROCESS_PATH, &a_full, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body);
    assert_int_equal(r.status, 201);
    json_t *j = r.json;
    assert_string_not_equal(jstr(j, "id"), "ignored");
    assert_string_equal(jstr(j, "status"), "CREATED");
    assert_string_not_equal(jstr(j, "createdDate"), "2000-01-01T00:00:00Z");
    assert_string_equal(jstr(j, "signatureLevel"), "ADVANCED");
    assert_string_equal(jstr(j, "teamId"), team_a);
    assert_string_equal(jstr(j, "payload"), "{\"order\":42}");
    assert_string_equal(jstr(j, "properties.0.key"), "dept");
    assert_string_equal(jstr(j, "properties.0.value"), "HR");
    assert_string_equal(jstr(j, "properties.1.value"), "");
    assert_string_equal(jstr(j, "initiator.type"), "SIGNER");
    assert_string_equal(jstr(j, "initiator.firstName"), "Anna");
    assert_string_equal(jstr(j, "initiator.mobile"), "+41791234567");
    assert_string_equal(jstr(j, "initiator.role"), "CEO");
    assert_string_equal(jstr(j, "initiator.externalIdentifier"), "emp-1");
    assert_string_equal(jstr(j, "initiator.status"), "WAITING");
    assert_string_not_equal(jstr(j, "initiator.identification"),
                            "11111111-1111-4111-8111-111111111111");
    assert_string_equal(jstr(j, "invitees.personalMessage"), "Please sign today");
    assert_string_equal(jstr(j, "invitees.signers.0.firstName"), "Jörg");
    assert_string_equal(jstr(j, "invitees.signers.0.lastName"), "Zürcher");
    assert_string_equal(jstr(j, "invitees.signers.0.status"), "WAITING");
    assert_string_equal(jstr(j, "invitees.signers.1.lastName"), "Wei");
    assert_null(json_object_get(j, "authorization"));
    /* GET answers the same object */
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s", jstr(j, "id"));
    struct response g;
    call("GET", path, &a_full, NULL, NULL, &g);
    assert_int_equal(g.status, 200);
    assert_true(json_equal(g.json, j));
    response_free(&g);
    response_free(&r);
}

struct rule {
    const char *body;
    const char *field; /* named in the message */
};

static void every_validation_rule_is_a_400_naming_the_field(void **state)
{
    (void)state;
    char long64[70], long65[70], long51[60], long8193[8300], long257[300];
    memset(long65, 'x', 65);
    long65[65] = '\0';
    memset(long64, 'x', 64);
    long64[64] = '\0';
    memset(long51, 'a', 51);
    long51[51] = '\0';
    memset(long257, 'r', 257);
    long257[257] = '\0';
    memset(long8193, 'p', 8193);
    long8193[8193] = '\0';
    static char b[40][9000];
    size_t n = 0;
#define NP            "\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"}"
#define SIGNER(extra) "{\"type\":\"SIGNER\",\"firstName\":\"A\",\"lastName\":\"B\"" extra "}"
    static struct rule rules[40];
#define RULE(fld, ...)                                                                             \
    do {                                                                                           \
        snprintf(b[n], sizeof b[n], __VA_ARGS__);                                                  \
        rules[n].body = b[n];                                                                      \
        rules[n].field = fld;                                                                      \
        n++;                                                                                       \
    } while (0)
    RULE("initiator", "{}");
    RULE("initiator", "{\"initiator\":null}");
    RULE("initiator", "{\"initiator\":\"me\"}");
    RULE("initiator.type", "{\"initiator\":{\"name\":\"x\"}}");
    RULE("initiator.type", "{\"initiator\":{\"type\":\"ROBOT\",\"name\":\"x\"}}");
    RULE("initiator.name", "{\"initiator\":{\"type\":\"NON_PERSON\"}}");
    RULE("initiator.name", "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"%s\"}}", long51);
    RULE("initiator.firstName", "{\"initiator\":{\"type\":\"SIGNER\",\"lastName\":\"B\"}}");
    RULE("initiator.lastName", "{\"initiator\":{\"type\":\"SIGNER\",\"firstName\":\"A\"}}");
    RULE("initiator.firstName",
         "{\"initiator\":{\"type\":\"SIGNER\",\"firstName\":\"%s\",\"lastName\":\"B\"}}", long65);
    RULE("initiator.firstName",
         "{\"initiator\":{\"type\":\"SIGNER\",\"firstName\":7,\"lastName\":\"B\"}}");
    RULE("initiator", "{\"initiator\":{\"type\":\"PERSON\",\"firstName\":\"A\"}}");
    RULE("initiator.email", "{\"initiator\":" SIGNER(",\"email\":\"not-an-email\"") "}");
    RULE("initiator.email", "{\"initiator\":" SIGNER(",\"email\":\"a@b\"") "}");
    RULE("initiator.mobile", "{\"initiator\":" SIGNER(",\"mobile\":\"079 123 45 67\"") "}");
    RULE("initiator.mobile", "{\"initiator\":" SIGNER(",\"mobile\":\"+4179123456789012\"") "}");
    RULE("initiator.role", "{\"initiator\":" SIGNER(",\"role\":\"%s\"") "}", long257);
    RULE("initiator.externalIdentifier",
         "{\"initiator\":" SIGNER(",\"externalIdentifier\":\"has space\"") "}");
    RULE("initiator.externalIdentifier",
         "{\"initiator\":" SIGNER(",\"externalIdentifier\":\"%s\"") "}", long51);
    RULE("initiator.nickname", "{\"initiator\":" SIGNER(",\"nickname\":\"x\"") "}");
    RULE("signatureLevel", "{" NP ",\"signatureLevel\":\"LOW\"}");
    RULE("signatureLevel", "{" NP ",\"signatureLevel\":3}");
    RULE("authorization", "{" NP ",\"authorization\":\"PASSWORD\"}");
    RULE("teamId", "{" NP ",\"teamId\":\"not-a-uuid\"}");
    RULE("teamId", "{" NP ",\"teamId\":\"0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b\"}");
    RULE("partnerId", "{" NP ",\"partnerId\":\"acme-partner\"}");
    RULE("payload", "{" NP ",\"payload\":\"%s\"}", long8193);
    RULE("payload", "{" NP ",\"payload\":{\"a\":1}}");
    RULE("properties", "{" NP ",\"properties\":[{\"key\":\"1\",\"value\":\"\"},{\"key\":\"2\","
                       "\"value\":\"\"},{\"key\":\"3\",\"value\":\"\"},{\"key\":\"4\",\"value\":"
                       "\"\"},{\"key\":\"5\",\"value\":\"\"},{\"key\":\"6\",\"value\":\"\"},"
                       "{\"key\":\"7\",\"value\":\"\"},{\"key\":\"8\",\"value\":\"\"},{\"key\":"
                       "\"9\",\"value\":\"\"}]}");
    RULE("properties[1].key",
         "{" NP
         ",\"properties\":[{\"key\":\"a\",\"value\":\"1\"},{\"key\":\"a\",\"value\":\"2\"}]}");
    RULE("properties[0].value", "{" NP ",\"properties\":[{\"key\":\"a\"}]}");
    RULE("properties[0].value", "{" NP ",\"properties\":[{\"key\":\"a\",\"value\":\"%s\"}]}",
         long65);
    RULE("properties[0].key", "{" NP ",\"properties\":[{\"key\":\"%s\",\"value\":\"v\"}]}", long65);
    RULE("invitees.signers[0].type",
         "{" NP ",\"invitees\":{\"signers\":[{\"type\":\"PERSON\",\"firstName\":\"A\","
         "\"lastName\":\"B\"}]}}");
    RULE("invitees.signers[1].lastName",
         "{" NP ",\"invitees\":{\"signers\":[" SIGNER("") ",{\"type\":\"SIGNER\",\"firstName\":"
                                                          "\"A\"}]}}");
    RULE("invitees.signers[1].externalIdentifier",
         "{" NP ",\"invitees\":{\"signers\":[" SIGNER(",\"externalIdentifier\":\"x1\"") "," SIGNER(
             ",\"externalIdentifier\":\"x1\"") "]}}");
    RULE("invitees.personalMessage", "{" NP ",\"invitees\":{\"personalMessage\":\"%s\"}}",
         long8193);
    RULE("invitees.signers[0].verification",
         "{" NP ",\"invitees\":{\"signers\":[" SIGNER(",\"verification\":{}") "]}}");
    RULE("bogus", "{" NP ",\"bogus\":1}");
    for (size_t i = 0; i < n; i++) {
        struct response r;
        call("POST", PROCESS_PATH, &a_full, rules[i].body, NULL, &r);
        if (r.status != 400)
            fprintf(stderr, "rule %zu (%s): expected 400, got %ld: %s\n", i, rules[i].field,
                    r.status, r.body);
        assert_error_object(&r, 400, "Validation");
        char quoted[128];
        snprintf(quoted, sizeof quoted, "'%s'", rules[i].field);
        const char *msg = json_string_value(json_object_get(r.json, "message"));
        if (!strstr(msg, quoted))
            fprintf(stderr, "rule %zu: message '%s' does not name %s\n", i, msg, quoted);
        assert_non_null(strstr(msg, quoted));
        assert_string_equal(jstr(r.json, "path"), "/api/process");
        response_free(&r);
    }
    /* The limits themselves are allowed: 64 characters, 8 properties. */
    char ok[2048];
    snprintf(ok, sizeof ok,
             "{\"initiator\":{\"type\":\"SIGNER\",\"firstName\":\"%s\",\"lastName\":\"B\"},"
             "\"properties\":[{\"key\":\"1\",\"value\":\"%s\"},{\"key\":\"2\",\"value\":\"\"},"
             "{\"key\":\"3\",\"value\":\"\"},{\"key\":\"4\",\"value\":\"\"},{\"key\":\"5\","
             "\"value\":\"\"},{\"key\":\"6\",\"value\":\"\"},{\"key\":\"7\",\"value\":\"\"},"
             "{\"key\":\"8\",\"value\":\"\"}]}",
             long64, long64);
    char id[64];
    create_process(&a_full, ok, id, sizeof id);
}

static void malformed_json_is_400(void **state)
{
    (void)state;
    struct response r;
    call("POST", PROCESS_PATH, &a_full, "{\"initiator\":", NULL, &r);
    assert_error_object(&r, 400, "MalformedJson");
    response_free(&r);
    call("POST", PROCESS_PATH, &a_full, "[1,2]", NULL, &r);
    assert_error_object(&r, 400, "Validation");
    response_free(&r);
}

static void missing_token_is_401(void **state)
{
    (void)state;
    struct response r;
    call("POST", PROCESS_PATH, NULL, minimal_body, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    char www[256];
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    response_free(&r);
    call("GET", PROCESS_PATH "/0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b", NULL, NULL, NULL, &r);
    assert_error_object(&r, 401, "Unauthorized");
    response_free(&r);
}

static void token_without_create_scope_is_403(void **state)
{
    (void)state;
    struct response r;
    call("POST", PROCESS_PATH, &a_reader, minimal_body, NULL, &r);
    assert_error_object(&r, 403, "Forbidden");
    char www[512];
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    assert_non_null(strstr(www, "error=\"insufficient_scope\""));
    assert_non_null(strstr(www, "sswp:process:create"));
    response_free(&r);
}

static void idempotency_key_replays_the_first_result(void **state)
{
    (void)state;
    struct response r1, r2, r3, r4;
    call("POST", PROCESS_PATH, &a_full, minimal_body, "order-4711", &r1);
    assert_int_equal(r1.status, 201);
    /* A different body with the same key still answers the first process. */
    call("POST", PROCESS_PATH, &a_full,
         "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"Other\"}}", "order-4711", &r2);
    assert_int_equal(r2.status, 208);
    assert_string_equal(jstr(r2.json, "id"), jstr(r1.json, "id"));
    assert_true(json_equal(r1.json, r2.json));
    /* Keys are per organization. */
    call("POST", PROCESS_PATH, &b_full, minimal_body, "order-4711", &r3);
    assert_int_equal(r3.status, 201);
    assert_string_not_equal(jstr(r3.json, "id"), jstr(r1.json, "id"));
    /* An invalid key is refused. */
    call("POST", PROCESS_PATH, &a_full, minimal_body, "has space", &r4);
    assert_error_object(&r4, 400, "Validation");
    assert_non_null(strstr(jstr(r4.json, "message"), "Idempotency-Key"));
    response_free(&r1);
    response_free(&r2);
    response_free(&r3);
    response_free(&r4);
}

static void status_and_record_of_a_new_process(void **state)
{
    (void)state;
    char id[64], path[256];
    create_process(&a_full, minimal_body, id, sizeof id);
    struct response r;
    snprintf(path, sizeof path, PROCESS_PATH "/%s/status", id);
    call("GET", path, &a_reader, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "id"), id);
    assert_string_equal(jstr(r.json, "status"), "CREATED");
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", id);
    call("GET", path, &a_reader, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *records = json_object_get(r.json, "records");
    assert_int_equal(json_array_size(records), 1);
    assert_string_equal(jstr(records, "0.action"), "transaction");
    assert_string_equal(jstr(records, "0.status"), "INITIALIZE");
    assert_int_equal(strlen(jstr(records, "0.id")), 36);
    assert_non_null(jstr(records, "0.createdDate"));
    assert_string_equal(jstr(records, "0.extras.transaction_event"), "CREATED");
    response_free(&r);
    /* The chain is stored: the first record has no predecessor and a SHA-256 hash. */
    char q[512], out[256] = "";
    snprintf(q, sizeof q,
             "SELECT seq || '|' || prev_hash || '|' || length(hash) "
             "FROM process_audit_records WHERE process_id = '%s'",
             id);
    assert_true(test_sql(data_dir, q, out, sizeof out));
    assert_string_equal(out, "1||64\n");
}

static void other_organization_and_bad_ids_are_not_found(void **state)
{
    (void)state;
    char id[64], path[256];
    create_process(&a_full, minimal_body, id, sizeof id);
    const char *suffixes[] = {"", "/status", "/record"};
    for (size_t i = 0; i < 3; i++) {
        struct response r;
        snprintf(path, sizeof path, PROCESS_PATH "/%s%s", id, suffixes[i]);
        call("GET", path, &a_full, NULL, NULL, &r);
        assert_int_equal(r.status, 200);
        response_free(&r);
        /* getRecords answers a missing process with 409, as the contract documents it. */
        long missing = i == 2 ? 409 : 404;
        call("GET", path, &b_full, NULL, NULL, &r);
        assert_error_object(&r, missing, "ProcessNotFound");
        assert_null(strstr(r.body, "ERP"));
        response_free(&r);
        snprintf(path, sizeof path, PROCESS_PATH "/not-a-uuid%s", suffixes[i]);
        call("GET", path, &a_full, NULL, NULL, &r);
        assert_error_object(&r, missing, "ProcessNotFound");
        response_free(&r);
        snprintf(path, sizeof path, PROCESS_PATH "/0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b%s",
                 suffixes[i]);
        call("GET", path, &a_full, NULL, NULL, &r);
        assert_error_object(&r, missing, "ProcessNotFound");
        response_free(&r);
    }
}

static void verification_is_for_corporate_tenants(void **state)
{
    (void)state;
    const char body[] = "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
                        "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"firstName\":\"A\","
                        "\"lastName\":\"B\",\"verification\":{\"residentPermit\":false,"
                        "\"verifiedOn\":\"2025-01-01T00:00:00Z\"}}]}}";
    struct response r;
    call("POST", PROCESS_PATH, &b_full, body, NULL, &r);
    if (r.status != 201)
        fprintf(stderr, "%s\n", r.body);
    assert_int_equal(r.status, 201);
    json_t *v = json_object_get(
        json_array_get(json_object_get(json_object_get(r.json, "invitees"), "signers"), 0),
        "verification");
    assert_true(json_is_false(json_object_get(v, "residentPermit")));
    assert_null(json_object_get(v, "verifiedOn"));
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(minimal_create_fills_defaults),
        cmocka_unit_test(full_create_returns_the_whole_process),
        cmocka_unit_test(every_validation_rule_is_a_400_naming_the_field),
        cmocka_unit_test(malformed_json_is_400),
        cmocka_unit_test(missing_token_is_401),
        cmocka_unit_test(token_without_create_scope_is_403),
        cmocka_unit_test(idempotency_key_replays_the_first_result),
        cmocka_unit_test(status_and_record_of_a_new_process),
        cmocka_unit_test(other_organization_and_bad_ids_are_not_found),
        cmocka_unit_test(verification_is_for_corporate_tenants),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
