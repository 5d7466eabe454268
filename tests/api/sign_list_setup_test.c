/*
 * Sign API v2: the process list (GET /system/api/process) and the setup hand-over
 * (POST /system/api/process/{processId}/setup) seen from outside. List: scope
 * sswp:process:read:all, page/size boundaries and PageMetadata, createdDate sorting, the
 * status / teamId / validUntilWithin filters, 400s naming the parameter, and isolation between
 * organizations. Setup: 202 with a /ui/setup/{token} URL, a new link on each call, 404 across
 * organizations, 409 outside CREATED, request validation, and the token stored only hashed
 * (checked in the database behind the server's back: test_sql).
 *
 * Organization A gets 23 processes (the first 3 in team "Legal"), organization B gets 2.
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

#define ALL_SCOPES   "sswp:process:create sswp:process:read sswp:process:read:all"
#define A_COUNT      23
#define A_TEAM_COUNT 3
#define SETUP_TTL_S  7200

static struct server srv;
static char data_dir[256];
static char admin_key[256];
static char org_a[128], org_b[128];
static char team_a[128];
static struct client a_full, a_no_all, a_reader, b_full;
static char a_ids[A_COUNT][64]; /* in creation order */
static char b_ids[2][64];
static char sorted[A_COUNT][64]; /* A's ids by (created_at, id), as the database orders them */

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
                 struct response *r)
{
    tenant_call(&srv, method, path, c, body, NULL, r);
}

static const char *jstr(json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

static long long jint(json_t *j, const char *key)
{
    return (long long)json_integer_value(json_object_get(j, key));
}

static void create_process(const struct client *c, const char *body, char *id, size_t id_len)
{
    struct response r;
    call("POST", PROCESS_PATH, c, body, &r);
    if (r.status != 201)
        fprintf(stderr, "create failed: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    snprintf(id, id_len, "%s", jstr(r.json, "id"));
    response_free(&r);
}

/* GET /system/api/process?QUERY as client c; asserts the status. */
static void list(const struct client *c, const char *query, long status, struct response *r)
{
    char path[512];
    snprintf(path, sizeof path, PROCESS_PATH "%s%s", query[0] ? "?" : "", query);
    call("GET", path, c, NULL, r);
    if (r->status != status)
        fprintf(stderr, "GET %s: expected %ld, got %ld %s\n", path, status, r->status, r->body);
    assert_int_equal(r->status, status);
}

/* Asserts a 400 Error object whose message names `param`. */
static void list_rejects(const char *query, const char *param)
{
    struct response r;
    list(&a_full, query, 400, &r);
    assert_error_object(&r, 400, "Validation");
    const char *msg = jstr(r.json, "message");
    if (!strstr(msg, param))
        fprintf(stderr, "?%s: message '%s' does not name '%s'\n", query, msg, param);
    assert_non_null(strstr(msg, param));
    response_free(&r);
}

static json_t *content(const struct response *r)
{
    return json_object_get(r->json, "content");
}

static long long total(const struct response *r)
{
    return jint(json_object_get(r->json, "page"), "totalElements");
}

/* Runs a shell command and returns its first output line (without newline) in out. */
static void shell(const char *cmd, char *out, size_t out_len)
{
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    out[0] = '\0';
    if (!fgets(out, (int)out_len, f))
        out[0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    pclose(f);
}

/* Runs one SQL statement on the server's database (test_sql); first line out. */
static void sql(const char *statement, char *out, size_t out_len)
{
    assert_true(test_sql(data_dir, statement, out, out_len));
    out[strcspn(out, "\n")] = '\0';
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
    create_client(org_a, "sswp:process:create sswp:process:read", &a_no_all);
    create_client(org_a, "sswp:process:read sswp:process:read:all", &a_reader);
    create_client(org_b, ALL_SCOPES, &b_full);
    if (!admin_key_create(data_dir, admin_key, sizeof admin_key, NULL, 0))
        return -1;
    const char *args[] = {"--setup-link-ttl", "7200", NULL};
    if (!server_start(&srv, data_dir, args))
        return -1;
    a_full.token = issue_token(&a_full);
    a_no_all.token = issue_token(&a_no_all);
    a_reader.token = issue_token(&a_reader);
    b_full.token = issue_token(&b_full);
    if (!a_full.token || !a_no_all.token || !a_reader.token || !b_full.token)
        return -1;
    char path[256], auth[512];
    snprintf(path, sizeof path, "/admin/v1/organizations/%s/teams", org_a);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", admin_key);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    const char body[] = "{\"name\":\"Legal\"}";
    struct response r;
    if (!http(&srv, "POST", path, h, body, strlen(body), &r) || r.status != 201)
        return -1;
    snprintf(team_a, sizeof team_a, "%s", jstr(r.json, "id"));
    response_free(&r);
    char team_body[256];
    snprintf(team_body, sizeof team_body,
             "{\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},\"teamId\":\"%s\"}",
             team_a);
    for (int i = 0; i < A_COUNT; i++)
        create_process(&a_full, i < A_TEAM_COUNT ? team_body : minimal_body, a_ids[i],
                       sizeof a_ids[i]);
    for (int i = 0; i < 2; i++)
        create_process(&b_full, minimal_body, b_ids[i], sizeof b_ids[i]);
    /* Processes made within one millisecond tie on createdDate; the id orders them. */
    char q[256], all[4096];
    snprintf(q, sizeof q,
             "SELECT id FROM processes WHERE organization_id = '%s' ORDER BY created_at, id",
             org_a);
    if (!test_sql(data_dir, q, all, sizeof all)) /* one id a line */
        return -1;
    char *p = all;
    for (int i = 0; i < A_COUNT; i++) {
        size_t len = strcspn(p, "\n");
        if (len == 0 || len >= sizeof sorted[i])
            return -1;
        memcpy(sorted[i], p, len);
        sorted[i][len] = '\0';
        p += len + (p[len] == '\n');
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(a_full.token);
    free(a_no_all.token);
    free(a_reader.token);
    free(b_full.token);
    return server_stop(&srv, false) == 0 ? 0 : -1;
}

/* ---- list ---- */

static void list_without_read_all_scope_is_403(void **state)
{
    (void)state;
    struct response r;
    list(&a_no_all, "", 403, &r);
    assert_error_object(&r, 403, "Forbidden");
    char www[512];
    assert_true(response_header(&r, "WWW-Authenticate", www, sizeof www));
    assert_non_null(strstr(www, "insufficient_scope"));
    assert_non_null(strstr(www, "sswp:process:read:all"));
    response_free(&r);
    list(NULL, "", 401, &r);
    response_free(&r);
}

static void first_page_has_defaults_and_page_metadata(void **state)
{
    (void)state;
    struct response r;
    list(&a_full, "", 200, &r);
    json_t *page = json_object_get(r.json, "page");
    assert_int_equal(json_array_size(content(&r)), 20);
    assert_int_equal(jint(page, "totalElements"), A_COUNT);
    assert_int_equal(jint(page, "totalPages"), 2);
    assert_int_equal(jint(page, "size"), 20);
    assert_int_equal(jint(page, "number"), 0);
    /* deprecated top-level copies */
    assert_int_equal(jint(r.json, "totalElements"), A_COUNT);
    assert_int_equal(jint(r.json, "totalPages"), 2);
    assert_int_equal(jint(r.json, "size"), 20);
    assert_int_equal(jint(r.json, "number"), 0);
    assert_true(json_is_true(json_object_get(r.json, "first")));
    assert_true(json_is_false(json_object_get(r.json, "last")));
    /* newest first by default; items are whole Process objects */
    json_t *first = json_array_get(content(&r), 0);
    assert_string_equal(jstr(first, "id"), sorted[A_COUNT - 1]);
    assert_string_equal(jstr(first, "status"), "CREATED");
    assert_non_null(json_object_get(first, "initiator"));
    assert_null(json_object_get(first, "authorization"));
    response_free(&r);
}

static void pages_cover_everything_once_and_end_empty(void **state)
{
    (void)state;
    struct response r;
    list(&a_full, "page=1", 200, &r);
    assert_int_equal(json_array_size(content(&r)), A_COUNT - 20);
    assert_true(json_is_false(json_object_get(r.json, "first")));
    assert_true(json_is_true(json_object_get(r.json, "last")));
    assert_int_equal(jint(json_object_get(r.json, "page"), "number"), 1);
    response_free(&r);
    list(&a_full, "page=2", 200, &r); /* past the end: an empty page, not an error */
    assert_int_equal(json_array_size(content(&r)), 0);
    assert_int_equal(total(&r), A_COUNT);
    response_free(&r);
    list(&a_full, "page=2147483647&size=20", 200, &r);
    assert_int_equal(json_array_size(content(&r)), 0);
    response_free(&r);
    /* size 7, ascending: pages 0..3 hold every process exactly once, in creation order */
    int seen = 0;
    for (int p = 0; p < 4; p++) {
        char q[64];
        snprintf(q, sizeof q, "size=7&page=%d&sort=createdDate,asc", p);
        list(&a_full, q, 200, &r);
        assert_int_equal(jint(json_object_get(r.json, "page"), "totalPages"), 4);
        assert_int_equal(jint(json_object_get(r.json, "page"), "size"), 7);
        size_t n = json_array_size(content(&r));
        assert_int_equal(n, p < 3 ? 7 : 2);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(jstr(json_array_get(content(&r), i), "id"), sorted[seen++]);
        response_free(&r);
    }
    assert_int_equal(seen, A_COUNT);
    list(&a_full, "size=1", 200, &r);
    assert_int_equal(json_array_size(content(&r)), 1);
    assert_int_equal(jint(json_object_get(r.json, "page"), "totalPages"), A_COUNT);
    response_free(&r);
    list(&a_full, "size=20", 200, &r);
    response_free(&r);
}

static void sort_is_on_created_date_only(void **state)
{
    (void)state;
    struct response r;
    list(&a_full, "sort=createdDate", 200, &r); /* no direction: ascending */
    assert_string_equal(jstr(json_array_get(content(&r), 0), "id"), sorted[0]);
    response_free(&r);
    list(&a_full, "sort=createdDate,DESC", 200, &r);
    assert_string_equal(jstr(json_array_get(content(&r), 0), "id"), sorted[A_COUNT - 1]);
    assert_string_equal(jstr(json_array_get(content(&r), 19), "id"), sorted[A_COUNT - 20]);
    response_free(&r);
    list(&a_full, "sort=createdDate,asc&sort=createdDate,desc", 200, &r); /* first decides */
    assert_string_equal(jstr(json_array_get(content(&r), 0), "id"), sorted[0]);
    response_free(&r);
}

static void bad_parameters_are_400_naming_them(void **state)
{
    (void)state;
    list_rejects("size=21", "size");
    list_rejects("size=0", "size");
    list_rejects("size=-1", "size");
    list_rejects("size=ten", "size");
    list_rejects("size=", "size");
    list_rejects("page=-1", "page");
    list_rejects("page=1.5", "page");
    list_rejects("page=2147483648", "page");
    list_rejects("sort=createdDate,up", "sort");
    list_rejects("sort=status,asc", "sort");
    list_rejects("sort=", "sort");
    list_rejects("status=DONE", "status");
    list_rejects("status=created", "status");
    list_rejects("teamId=legal", "teamId");
    list_rejects("validUntilWithin=30D", "validUntilWithin");
    list_rejects("validUntilWithin=P", "validUntilWithin");
    list_rejects("validUntilWithin=-P1D", "validUntilWithin");
}

static void filters_select_the_right_processes(void **state)
{
    (void)state;
    struct response r;
    char q[256];
    snprintf(q, sizeof q, "teamId=%s", team_a);
    list(&a_full, q, 200, &r);
    assert_int_equal(total(&r), A_TEAM_COUNT);
    for (size_t i = 0; i < json_array_size(content(&r)); i++)
        assert_string_equal(jstr(json_array_get(content(&r), i), "teamId"), team_a);
    response_free(&r);
    list(&a_full, "teamId=0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b", 200, &r);
    assert_int_equal(total(&r), 0);
    assert_int_equal(jint(json_object_get(r.json, "page"), "totalPages"), 0);
    response_free(&r);
    list(&a_full, "status=CREATED", 200, &r);
    assert_int_equal(total(&r), A_COUNT);
    response_free(&r);
    list(&a_full, "status=COMPLETED", 200, &r);
    assert_int_equal(total(&r), 0);
    response_free(&r);
    /* validUntil is createdDate + 30 days */
    list(&a_full, "validUntilWithin=P31D", 200, &r);
    assert_int_equal(total(&r), A_COUNT);
    response_free(&r);
    list(&a_full, "validUntilWithin=P29D", 200, &r);
    assert_int_equal(total(&r), 0);
    response_free(&r);
    list(&a_full, "validUntilWithin=PT12H", 200, &r);
    assert_int_equal(total(&r), 0);
    response_free(&r);
    snprintf(q, sizeof q, "validUntilWithin=P1M&status=CREATED&teamId=%s&size=2", team_a);
    list(&a_full, q, 200, &r);
    assert_int_equal(total(&r), A_TEAM_COUNT);
    assert_int_equal(json_array_size(content(&r)), 2);
    response_free(&r);
}

static void organizations_see_only_their_processes(void **state)
{
    (void)state;
    struct response r;
    list(&b_full, "size=20", 200, &r);
    assert_int_equal(total(&r), 2);
    for (size_t i = 0; i < json_array_size(content(&r)); i++) {
        const char *id = jstr(json_array_get(content(&r), i), "id");
        assert_true(!strcmp(id, b_ids[0]) || !strcmp(id, b_ids[1]));
    }
    response_free(&r);
    char q[256];
    snprintf(q, sizeof q, "teamId=%s", team_a); /* A's team names nothing in B */
    list(&b_full, q, 200, &r);
    assert_int_equal(total(&r), 0);
    response_free(&r);
    /* and A never sees B's */
    for (int p = 0; p < 2; p++) {
        snprintf(q, sizeof q, "page=%d", p);
        list(&a_full, q, 200, &r);
        for (size_t i = 0; i < json_array_size(content(&r)); i++) {
            const char *id = jstr(json_array_get(content(&r), i), "id");
            assert_string_not_equal(id, b_ids[0]);
            assert_string_not_equal(id, b_ids[1]);
        }
        response_free(&r);
    }
}

/* ---- setup ---- */

static void setup_path(const char *id, char *out, size_t len)
{
    snprintf(out, len, PROCESS_PATH "/%s/setup", id);
}

/* Starts setup of id as c with body; asserts 202 and returns the URL's token in token. */
static void setup_ok(const struct client *c, const char *id, const char *body, char *token,
                     size_t token_len)
{
    char path[256], prefix[256];
    struct response r;
    setup_path(id, path, sizeof path);
    call("POST", path, c, body, &r);
    if (r.status != 202)
        fprintf(stderr, "setup: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 202);
    assert_string_equal(jstr(r.json, "id"), id);
    const char *url = jstr(r.json, "url");
    snprintf(prefix, sizeof prefix, "%s/ui/setup/", srv.base);
    assert_true(strncmp(url, prefix, strlen(prefix)) == 0);
    const char *t = url + strlen(prefix);
    assert_int_equal(strlen(t), 43); /* 256 bits in base64url */
    assert_int_equal(strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     43);
    snprintf(token, token_len, "%s", t);
    response_free(&r);
}

static void setup_returns_a_url_and_stores_only_the_hash(void **state)
{
    (void)state;
    char token[64], out[512], q[512], hash[128];
    setup_ok(&a_full, a_ids[0], "{\"language\":\"de-CH\"}", token, sizeof token);
    /* the token appears nowhere in the database; its SHA-256 does */
    char *dump = test_db_dump(data_dir);
    assert_non_null(dump);
    assert_non_null(strstr(dump, "process_setup_links"));
    assert_null(strstr(dump, token));
    free(dump);
    snprintf(q, sizeof q, "printf '%%s' '%s' | sha256sum | cut -d' ' -f1", token);
    shell(q, hash, sizeof hash);
    assert_int_equal(strlen(hash), 64);
    snprintf(q, sizeof q,
             "SELECT process_id || '|' || language || '|' || mode || '|' || "
             "(expires_at - created_at) || '|' || CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END "
             "FROM process_setup_links WHERE token_hash = '%s'",
             hash);
    sql(q, out, sizeof out);
    char want[256];
    snprintf(want, sizeof want, "%s|de-CH|DEFAULT|%d|1", a_ids[0], SETUP_TTL_S * 1000);
    assert_string_equal(out, want);
    /* an audit record of the hand-over, newest first */
    char path[256];
    struct response r;
    snprintf(path, sizeof path, PROCESS_PATH "/%s/record", a_ids[0]);
    call("GET", path, &a_full, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *rec = json_array_get(json_object_get(r.json, "records"), 0);
    assert_string_equal(jstr(rec, "action"), "setup");
    assert_string_equal(jstr(rec, "status"), "INITIALIZE");
    assert_string_equal(jstr(json_object_get(rec, "extras"), "setup_language"), "de-CH");
    response_free(&r);
}

static void setup_twice_issues_a_new_link_and_revokes_the_old(void **state)
{
    (void)state;
    char t1[64], t2[64], q[512], out[256];
    setup_ok(&a_full, a_ids[1], "{}", t1, sizeof t1);
    setup_ok(&a_full, a_ids[1],
             "{\"language\":\"fr-ch\",\"mode\":\"EMBEDDED\",\"backUrl\":\"https://x.example/back\","
             "\"successUrl\":\"https://x.example/ok?id=1\",\"scope\":\"openid\","
             "\"authentication\":{\"identity\":\"x\",\"namespace\":\"MSA\"}}",
             t2, sizeof t2);
    assert_string_not_equal(t1, t2);
    snprintf(q, sizeof q,
             "SELECT COUNT(*) || '|' || SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) "
             "FROM process_setup_links "
             "WHERE process_id = '%s'",
             a_ids[1]);
    sql(q, out, sizeof out);
    assert_string_equal(out, "2|1");
    snprintf(q, sizeof q,
             "SELECT language || '|' || mode || '|' || back_url || '|' || success_url || '|' || "
             "scope FROM process_setup_links WHERE process_id = '%s' AND revoked_at IS NULL",
             a_ids[1]);
    sql(q, out, sizeof out);
    assert_string_equal(out, "fr-CH|EMBEDDED|https://x.example/back|https://x.example/ok?id=1|"
                             "openid");
    /* the process stays CREATED: setup does not release it */
    struct response r;
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/status", a_ids[1]);
    call("GET", path, &a_full, NULL, &r);
    assert_string_equal(jstr(r.json, "status"), "CREATED");
    response_free(&r);
}

static void setup_of_another_organizations_process_is_404(void **state)
{
    (void)state;
    char path[256];
    struct response r;
    setup_path(a_ids[2], path, sizeof path);
    call("POST", path, &b_full, "{}", &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    setup_path("0b5d7c1e-3a8f-4d6e-9c2b-7f1a0e9d8c6b", path, sizeof path);
    call("POST", path, &a_full, "{}", &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    setup_path("not-a-uuid", path, sizeof path);
    call("POST", path, &a_full, "{}", &r);
    assert_error_object(&r, 404, "ProcessNotFound");
    response_free(&r);
    char out[64], q[256];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM process_setup_links WHERE process_id = '%s'",
             a_ids[2]);
    sql(q, out, sizeof out);
    assert_string_equal(out, "0");
}

static void setup_needs_the_create_scope(void **state)
{
    (void)state;
    char path[256];
    struct response r;
    setup_path(a_ids[2], path, sizeof path);
    call("POST", path, &a_reader, "{}", &r);
    assert_error_object(&r, 403, "Forbidden");
    response_free(&r);
    call("POST", path, NULL, "{}", &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
}

static void setup_validates_the_request(void **state)
{
    (void)state;
    static char long_url[2100];
    snprintf(long_url, sizeof long_url, "{\"backUrl\":\"https://e.example/");
    size_t n = strlen(long_url);
    memset(long_url + n, 'a', 2040);
    snprintf(long_url + n + 2040, sizeof long_url - n - 2040, "\"}");
    const struct {
        const char *body;
        const char *field;
    } cases[] = {
        {"{\"language\":\"xx\"}", "language"},
        {"{\"language\":\"en\"}", "language"},
        {"{\"language\":5}", "language"},
        {"{\"mode\":\"FULL\"}", "mode"},
        {"{\"backUrl\":\"javascript:alert(1)\"}", "backUrl"},
        {"{\"backUrl\":\"https://\"}", "backUrl"},
        {"{\"successUrl\":\"ftp://x.example/\"}", "successUrl"},
        {long_url, "backUrl"},
        {"{\"authentication\":\"yes\"}", "authentication"},
        {"{\"partnerId\":\"p\"}", "partnerId"},
        {"[]", "object"},
    };
    char path[256];
    setup_path(a_ids[2], path, sizeof path);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct response r;
        call("POST", path, &a_full, cases[i].body, &r);
        if (r.status != 400 || !strstr(r.body, cases[i].field))
            fprintf(stderr, "case %zu: %ld %s\n", i, r.status, r.body);
        assert_error_object(&r, 400, "Validation");
        assert_non_null(strstr(jstr(r.json, "message"), cases[i].field));
        response_free(&r);
    }
    struct response r;
    call("POST", path, &a_full, NULL, &r); /* the body is required */
    assert_int_equal(r.status, 400);
    response_free(&r);
}

static void setup_outside_created_is_409_naming_the_state(void **state)
{
    (void)state;
    /* No release endpoint exists yet: move the process to PENDING in the database. */
    char q[256], out[64], path[256];
    snprintf(q, sizeof q, "UPDATE processes SET status = 'PENDING' WHERE id = '%s'",
             a_ids[A_COUNT - 1]);
    sql(q, out, sizeof out);
    struct response r;
    setup_path(a_ids[A_COUNT - 1], path, sizeof path);
    call("POST", path, &a_full, "{}", &r);
    assert_error_object(&r, 409, "PreconditionFailed");
    assert_non_null(strstr(jstr(r.json, "message"), "PENDING"));
    response_free(&r);
    /* and the status filter finds exactly it */
    list(&a_full, "status=PENDING", 200, &r);
    assert_int_equal(total(&r), 1);
    assert_string_equal(jstr(json_array_get(content(&r), 0), "id"), a_ids[A_COUNT - 1]);
    response_free(&r);
    list(&a_full, "status=CREATED", 200, &r);
    assert_int_equal(total(&r), A_COUNT - 1);
    response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_without_read_all_scope_is_403),
        cmocka_unit_test(first_page_has_defaults_and_page_metadata),
        cmocka_unit_test(pages_cover_everything_once_and_end_empty),
        cmocka_unit_test(sort_is_on_created_date_only),
        cmocka_unit_test(bad_parameters_are_400_naming_them),
        cmocka_unit_test(filters_select_the_right_processes),
        cmocka_unit_test(organizations_see_only_their_processes),
        cmocka_unit_test(setup_returns_a_url_and_stores_only_the_hash),
        cmocka_unit_test(setup_twice_issues_a_new_link_and_revokes_the_old),
        cmocka_unit_test(setup_of_another_organizations_process_is_404),
        cmocka_unit_test(setup_needs_the_create_scope),
        cmocka_unit_test(setup_validates_the_request),
        cmocka_unit_test(setup_outside_created_is_409_naming_the_state),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
