/*
 * Two signet nodes on one database (issue 8, docs/SCALING.md), requests alternating between
 * them as a load balancer without sticky sessions would send them:
 *   - node A and node B have data directories of their own and the same --public-url (the load
 *     balancer's, which tokens name as their issuer); they share only the database
 *     (PostgreSQL in api_two_nodes_test_pg; one SQLite file otherwise), the master key file and,
 *     with --documents database, the document bytes;
 *   - a token from A is accepted by B and one from B by A; a client revoked (CLI on A's side)
 *     is refused by B at once, although B had accepted its token a moment before;
 *   - a process created on A gets its document on B, is released on A, opened on B, and its
 *     signer authorizes and signs on B's signer page with the code A's outbox shows; A then
 *     serves the signed file, which pdfsig reports valid;
 *   - the expiry job run on both nodes at once expires a due process exactly once (one audit
 *     record, one notice).
 */
#include "signer_page.h"

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

#define ALL_SCOPES "sswp:process:create sswp:process:read sswp:process:read:all"
/* The load balancer's address, the same for both nodes: tokens name it as their issuer. */
#define PUBLIC_URL "http://signet.lb.test"

static char dir_a[256], dir_b[256], key_file[300], store_arg[1024];
static struct server node_a, node_b;
static struct client client;
static char org[128];

static const char *xs(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The options every node and every CLI run on node B's side gets, NULL-terminated. */
static void node_b_options(const char **argv, size_t *n)
{
    argv[(*n)++] = "--public-url";
    argv[(*n)++] = PUBLIC_URL;
    argv[(*n)++] = "--master-key-file";
    argv[(*n)++] = key_file;
    argv[(*n)++] = "--documents";
    argv[(*n)++] = "database";
    argv[(*n)++] = "--store"; /* node A's database */
    argv[(*n)++] = store_arg;
}

static int setup(void **state)
{
    (void)state;
    /* Node A's store (its SQLite file, or its schema on the test's PostgreSQL) is given to
     * node B explicitly: both use A's database. */
    if (!make_data_dir(dir_a, sizeof dir_a) || !test_store_for(dir_a, store_arg, sizeof store_arg))
        return -1;
    snprintf(dir_b, sizeof dir_b, "/tmp/signet-test-XXXXXX");
    if (!mkdtemp(dir_b))
        return -1;
    snprintf(key_file, sizeof key_file, "%s/master.key", dir_a);
    tenant_create_org(dir_a, "Acme", "ORGANIZATION", org, sizeof org);
    tenant_create_client(dir_a, org, ALL_SCOPES, &client);
    const char *a_args[] = {"--public-url", PUBLIC_URL,       "--documents", "database",
                            "--dev-outbox", "--job-interval", "0",           NULL};
    if (!server_start(&node_a, dir_a, a_args))
        return -1;
    const char *b_args[16];
    size_t n = 0;
    node_b_options(b_args, &n);
    b_args[n++] = "--dev-outbox";
    b_args[n++] = "--job-interval";
    b_args[n++] = "0";
    b_args[n] = NULL;
    return server_start(&node_b, dir_b, b_args) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    int a = server_stop(&node_a, false);
    int b = server_stop(&node_b, false);
    free(client.token);
    return a == 0 && b == 0 ? 0 : -1;
}

static void call(const struct server *s, const char *method, const char *path, const char *body,
                 struct response *r)
{
    tenant_call(s, method, path, &client, body, NULL, r);
}

static void a_client_revoked_through_one_node_is_refused_by_the_other_at_once(void **state)
{
    (void)state;
    struct client doomed = {0};
    tenant_create_client(dir_a, org, ALL_SCOPES, &doomed);
    doomed.token = tenant_issue_token(&node_a, &doomed);
    assert_non_null(doomed.token);
    struct response r;
    tenant_call(&node_b, "GET", PROCESS_PATH, &doomed, NULL, NULL, &r);
    assert_int_equal(r.status, 200); /* node B has now seen (and cached) the token */
    response_free(&r);
    const char *revoke[] = {"admin", "client", "revoke", doomed.id, "--data", dir_a, NULL};
    char out[4096], err[4096];
    assert_int_equal(run_signet(revoke, out, sizeof out, err, sizeof err), 0);
    tenant_call(&node_b, "GET", PROCESS_PATH, &doomed, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    response_free(&r);
    free(doomed.token);
}

static void tokens_of_one_node_are_accepted_by_the_other(void **state)
{
    (void)state;
    const struct server *nodes[2] = {&node_a, &node_b};
    for (int i = 0; i < 2; i++) {
        free(client.token);
        client.token = tenant_issue_token(nodes[i], &client);
        assert_non_null(client.token);
        struct response r;
        call(nodes[1 - i], "GET", PROCESS_PATH, NULL, &r);
        assert_int_equal(r.status, 200);
        response_free(&r);
    }
}

/* The newest one-time code for participant in node's dev outbox. */
static void code_from_outbox(const struct server *node, const char *participant, char code[7])
{
    struct response r;
    assert_true(http(node, "GET", "/ui/api/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    json_t *messages = json_object_get(r.json, "messages");
    const char *body = NULL;
    for (size_t i = 0; i < json_array_size(messages) && !body; i++) { /* newest first */
        json_t *m = json_array_get(messages, i);
        if (!strcmp(xs(m, "kind"), "CODE") && xs(m, "participantId") &&
            !strcmp(xs(m, "participantId"), participant))
            body = xs(m, "body");
    }
    assert_non_null(body);
    const char *p = body;
    while (*p && strspn(p, "0123456789") != 6)
        p += strspn(p, "0123456789") ? strspn(p, "0123456789") : 1;
    assert_true(*p);
    memcpy(code, p, 6);
    code[6] = '\0';
    response_free(&r);
}

static void a_process_goes_through_both_nodes_to_a_valid_signature(void **state)
{
    (void)state;
    free(client.token);
    client.token = tenant_issue_token(&node_a, &client);
    assert_non_null(client.token);

    /* Created on A. */
    struct response r;
    call(&node_a, "POST", PROCESS_PATH,
         "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
         "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-a\","
         "\"firstName\":\"Anna\",\"lastName\":\"Muster\",\"email\":\"anna@example.com\"}]}}",
         &r);
    assert_int_equal(r.status, 201);
    char id[64], signer[64];
    snprintf(id, sizeof id, "%s", xs(r.json, "id"));
    json_t *s0 = json_array_get(json_object_get(json_object_get(r.json, "invitees"), "signers"), 0);
    snprintf(signer, sizeof signer, "%s", xs(s0, "identification"));
    response_free(&r);

    /* Its document attached on B: the bytes go into the shared database. */
    char path[256];
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", id);
    char *attach = tenant_attach_body(
        "simple-a4.pdf", "doc-1",
        "[{\"signer\":\"crm-a\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    call(&node_b, "POST", path, attach, &r);
    free(attach);
    assert_int_equal(r.status, 201);
    response_free(&r);

    /* Released on A, opened on B. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", id);
    call(&node_a, "POST", path, "{}", &r);
    assert_int_equal(r.status, 200);
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/open/crm-a", id);
    call(&node_b, "POST", path, "{}", &r);
    assert_int_equal(r.status, 200);
    const char *url = xs(r.json, "url");
    assert_non_null(url);
    char page[512];
    assert_non_null(strstr(url, "/ui/"));
    snprintf(page, sizeof page, "%s", strstr(url, "/ui/"));
    response_free(&r);

    /* The signer's browser talks to B; the code is in the outbox, seen from A. */
    struct page_browser b = {0};
    page_open(&node_b, &b, page);
    json_decref(page_state(&node_b, &b));
    assert_int_equal(
        page_post(&node_b, &b, "/ui/api/session/code", "{\"purpose\":\"AUTHORIZE\"}", NULL), 200);
    char code[7], body[64];
    code_from_outbox(&node_a, signer, code);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", code);
    assert_int_equal(page_post(&node_b, &b, "/ui/api/session/authorize", body, NULL), 200);
    assert_int_equal(page_post(&node_b, &b, "/ui/api/session/sign", "{\"method\":\"CLICK\"}", NULL),
                     200);

    /* A sees the completed process and serves the signed file. */
    snprintf(path, sizeof path, PROCESS_PATH "/%s", id);
    call(&node_a, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "COMPLETED");
    json_t *ref = json_array_get(json_object_get(r.json, "fileReferences"), 0);
    char signed_id[64];
    snprintf(signed_id, sizeof signed_id, "%s", xs(ref, "lastSignedFileId"));
    assert_true(signed_id[0]);
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/file/%s/content", id, signed_id);
    call(&node_a, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 1000);
    assert_memory_equal(r.body, "%PDF-", 5);
    char file[300], out[8192];
    snprintf(file, sizeof file, "%s/signed.pdf", dir_b);
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    response_free(&r);
    assert_int_equal(sh_run(out, sizeof out, "pdfsig -no-ocsp '%s' 2>&1", file), 0);
    assert_non_null(strstr(out, "Signature is Valid."));
    assert_null(strstr(out, "Signature is Invalid"));
}

/* Starts `signet admin jobs run expiry --now now` for one node (its options), reading later. */
static FILE *start_expiry(const char *dir, bool b_side, const char *now)
{
    const char *bin = getenv("SIGNET_BIN") ? getenv("SIGNET_BIN") : "build/signet";
    char cmd[2048];
    int n = snprintf(cmd, sizeof cmd,
                     "'%s' admin jobs run expiry --json --log-level error --now '%s' --data '%s'",
                     bin, now, dir);
    if (b_side) {
        const char *opts[10];
        size_t k = 0;
        node_b_options(opts, &k);
        for (size_t i = 0; i < k && n > 0 && (size_t)n < sizeof cmd; i++)
            n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%s'", opts[i]);
    }
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    return p;
}

static void both_schedulers_at_once_expire_a_process_once(void **state)
{
    (void)state;
    free(client.token);
    client.token = tenant_issue_token(&node_b, &client);
    assert_non_null(client.token);
    struct response r;
    call(&node_b, "POST", PROCESS_PATH,
         "{\"signatureLevel\":\"SIMPLE\",\"initiator\":{\"type\":\"NON_PERSON\",\"name\":\"ERP\"},"
         "\"invitees\":{\"signers\":[{\"type\":\"SIGNER\",\"externalIdentifier\":\"crm-x\","
         "\"firstName\":\"Xaver\",\"lastName\":\"Muster\",\"email\":\"xaver@example.com\"}]}}",
         &r);
    assert_int_equal(r.status, 201);
    char id[64], path[256];
    snprintf(id, sizeof id, "%s", xs(r.json, "id"));
    response_free(&r);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/attach", id);
    char *attach = tenant_attach_body(
        "simple-a4.pdf", "doc-x",
        "[{\"signer\":\"crm-x\",\"pageNumber\":0,\"positionX\":60,\"positionY\":600}]");
    call(&node_a, "POST", path, attach, &r);
    free(attach);
    assert_int_equal(r.status, 201);
    response_free(&r);
    /* Valid for a day; the jobs run as of two days from now. */
    time_t t = time(NULL);
    char until[32], later[32], body[160];
    time_t day = t + 86400, two = t + 2 * 86400;
    strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", gmtime(&day));
    strftime(later, sizeof later, "%Y-%m-%dT%H:%M:%SZ", gmtime(&two));
    snprintf(body, sizeof body, "{\"validUntil\":\"%s\",\"notification\":{\"locale\":\"en-GB\"}}",
             until);
    snprintf(path, sizeof path, PROCESS_PATH "/%s/release", id);
    call(&node_b, "POST", path, body, &r);
    assert_int_equal(r.status, 200);
    response_free(&r);

    FILE *runs[2] = {start_expiry(dir_a, false, later), start_expiry(dir_b, true, later)};
    long long items = 0;
    for (int k = 0; k < 2; k++) {
        char out[4096];
        size_t n = fread(out, 1, sizeof out - 1, runs[k]);
        out[n] = '\0';
        int rc = pclose(runs[k]);
        json_t *j = json_loads(out, 0, NULL);
        assert_non_null(j);
        json_t *e = json_array_get(j, 0);
        if (!strcmp(xs(e, "state"), "ran")) {
            assert_int_equal(rc, 0);
            items += json_integer_value(json_object_get(e, "items"));
        } else {
            assert_string_equal(xs(e, "state"), "busy"); /* the other node held the lease */
        }
        json_decref(j);
    }
    assert_int_equal(items, 1);
    snprintf(path, sizeof path, PROCESS_PATH "/%s", id);
    call(&node_a, "GET", path, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(xs(r.json, "status"), "EXPIRED");
    response_free(&r);
    assert_int_equal(
        page_records(&node_b, &client, id, "transaction", "ABORT", "transaction_event", "EXPIRED"),
        1);
    /* One expiry notice to the pending signer. */
    assert_true(http(&node_b, "GET", "/ui/api/outbox", NULL, NULL, 0, &r));
    assert_int_equal(r.status, 200);
    int notices = 0;
    json_t *messages = json_object_get(r.json, "messages");
    for (size_t i = 0; i < json_array_size(messages); i++) {
        json_t *m = json_array_get(messages, i);
        if (!strcmp(xs(m, "kind"), "EXPIRED") && xs(m, "processId") &&
            !strcmp(xs(m, "processId"), id))
            notices++;
    }
    response_free(&r);
    assert_int_equal(notices, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_of_one_node_are_accepted_by_the_other),
        cmocka_unit_test(a_client_revoked_through_one_node_is_refused_by_the_other_at_once),
        cmocka_unit_test(a_process_goes_through_both_nodes_to_a_valid_signature),
        cmocka_unit_test(both_schedulers_at_once_expire_a_process_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
